//! A small HTTP client for driving the emulator in tests: every call returns
//! the status and the parsed JSON body, so assertions read like the API docs.

#![allow(dead_code)]

use std::time::Duration;

use arangodb_emulator::{Config, RunningEmulator};
use reqwest::Method;
use serde_json::Value;

pub const ROOT_PASSWORD: &str = "secret";

pub struct Emulator {
    pub running: RunningEmulator,
    pub http: reqwest::Client,
}

/// The outcome of one request.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Answer {
    pub fn error_num(&self) -> u64 {
        self.body["errorNum"].as_u64().unwrap_or(0)
    }

    /// Asserts an ArangoDB error envelope with this status and errorNum.
    #[track_caller]
    pub fn assert_error(&self, status: u16, error_num: u64) {
        assert_eq!(
            (
                self.status,
                self.error_num(),
                &self.body["error"],
                &self.body["code"]
            ),
            (status, error_num, &Value::Bool(true), &Value::from(status)),
            "body: {}",
            self.body
        );
    }
}

pub async fn start() -> Emulator {
    start_with(Config {
        root_password: ROOT_PASSWORD.into(),
        jwt_secret: Some("test-jwt-secret".into()),
        ..Config::default()
    })
    .await
}

pub async fn start_with(config: Config) -> Emulator {
    let running = arangodb_emulator::start(config)
        .await
        .expect("emulator starts");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    Emulator { running, http }
}

impl Emulator {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.running.url(), path)
    }

    /// A request as root (Basic auth) with an optional JSON body.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        self.call_as(("root", ROOT_PASSWORD), method, path, body)
            .await
    }

    pub async fn call_as(
        &self,
        (user, password): (&str, &str),
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let request = self
            .http
            .request(method, self.url(path))
            .basic_auth(user, Some(password));
        send(request, body).await
    }

    pub async fn call_unauthenticated(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        send(self.http.request(method, self.url(path)), body).await
    }

    pub async fn call_with_bearer(&self, token: &str, method: Method, path: &str) -> Answer {
        send(
            self.http.request(method, self.url(path)).bearer_auth(token),
            None,
        )
        .await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> Answer {
        self.call(Method::PUT, path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.call(Method::PATCH, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> Answer {
        self.call(Method::DELETE, path, None).await
    }

    /// Sends a raw body, for malformed-JSON tests.
    pub async fn post_raw(&self, path: &str, body: &'static str) -> Answer {
        let request = self
            .http
            .post(self.url(path))
            .basic_auth("root", Some(ROOT_PASSWORD))
            .body(body);
        send(request, None).await
    }

    pub async fn stats(&self) -> Value {
        self.http
            .get(self.url("/_emulator/stats"))
            .send()
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats json")
    }
}

async fn send(mut request: reqwest::RequestBuilder, body: Option<Value>) -> Answer {
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request reaches the emulator");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON body, got {text:?}"))
    };
    Answer {
        status,
        body,
        headers,
    }
}
