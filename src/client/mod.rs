//! The HTTP client arangosync talks to ArangoDB with: reqwest over rustls
//! (no OpenSSL, so the binary links statically), one database, typed errors
//! carrying the server's errorNum, retries with backoff and jitter for
//! transient failures only, and a readiness wait for servers still starting.
//!
//! Secrets live in `Secret`, whose `Debug` and `Display` never show them; the
//! only place a secret is read is where the `Authorization` header is built,
//! and that header is marked sensitive so reqwest never logs it either.

mod error;
mod retry;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::Engine;
use reqwest::header::{HeaderValue, AUTHORIZATION};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

pub use error::ClientError;
pub use retry::RetryPolicy;

/// A credential that must never be printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself; call only where it goes on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Credentials {
    Basic {
        username: String,
        password: Secret,
    },
    /// A ready-made bearer token (e.g. a superuser JWT).
    Jwt(Secret),
}

#[derive(Debug, Clone)]
pub struct ConnectionSettings {
    /// Coordinators or a single server; the first that answers is used.
    pub endpoints: Vec<Url>,
    pub database: String,
    pub credentials: Credentials,
    /// Extra PEM root certificate to trust (e.g. a cluster's own CA).
    pub ca_cert: Option<PathBuf>,
    /// Per request.
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
}

/// The answer to one request: status and JSON body (`Null` when empty).
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    pub body: Value,
}

/// A connection to one database of one deployment.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    endpoints: Vec<Url>,
    database: String,
    authorization: HeaderValue,
    retry: RetryPolicy,
    request_timeout: Duration,
    /// Requests wait as long as the server takes (see `patient`).
    patient: bool,
    /// The `GET /_api/version` answer the readiness check got (shared by
    /// clones), so reading the server's facts needs no second request.
    version: std::sync::Arc<std::sync::OnceLock<Value>>,
    /// The readiness wait's credentials check found no database (1228),
    /// shared by clones.
    database_missing: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// How long a patient request may take: long enough for any index build,
/// finite so a connection that silently died (and escaped TCP keepalive)
/// cannot hold a run forever.
const PATIENT_LIMIT: Duration = Duration::from_secs(24 * 3600);

impl Client {
    pub fn new(settings: &ConnectionSettings) -> Result<Client, ClientError> {
        if settings.endpoints.is_empty() {
            return Err(ClientError::Config("no endpoint given".into()));
        }
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(settings.request_timeout)
            .connect_timeout(settings.request_timeout.min(Duration::from_secs(10)))
            // Finds a dead server under a long-running request (an index
            // build) that no per-request timeout bounds.
            .tcp_keepalive(Duration::from_secs(30))
            .user_agent(concat!("arangosync/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &settings.ca_cert {
            let pem = std::fs::read(path).map_err(|err| {
                ClientError::Config(format!(
                    "cannot read CA certificate {}: {err}",
                    path.display()
                ))
            })?;
            let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(|err| {
                ClientError::Config(format!("invalid CA certificate {}: {err}", path.display()))
            })?;
            for certificate in certificates {
                builder = builder.add_root_certificate(certificate);
            }
        }
        let http = builder
            .build()
            .map_err(|err| ClientError::Config(format!("cannot build HTTP client: {err}")))?;
        let header = match &settings.credentials {
            Credentials::Basic { username, password } => {
                let pair = format!("{username}:{}", password.expose());
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                )
            }
            Credentials::Jwt(token) => format!("bearer {}", token.expose()),
        };
        let mut authorization = HeaderValue::from_str(&header).map_err(|_| {
            ClientError::Config(
                "credentials contain characters not allowed in an HTTP header".into(),
            )
        })?;
        authorization.set_sensitive(true);
        Ok(Client {
            http,
            endpoints: settings.endpoints.clone(),
            database: settings.database.clone(),
            authorization,
            retry: settings.retry.clone(),
            request_timeout: settings.request_timeout,
            patient: false,
            version: Default::default(),
            database_missing: Default::default(),
        })
    }

    /// The per-request timeout (`--timeout`).
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }

    /// The same connection, for requests the server answers only when a
    /// long job is done (`POST /_api/index` blocks until the index is
    /// built, which can take minutes): they are not bound by the
    /// per-request timeout, only by TCP keepalive and a one-day limit.
    pub fn patient(&self) -> Client {
        Client {
            patient: true,
            ..self.clone()
        }
    }

    /// The body of `GET /_api/version` as the readiness wait read it
    /// through this database; `None` before, or when the database did not
    /// exist then.
    pub fn version_answer(&self) -> Option<&Value> {
        self.version.get()
    }

    /// Whether the readiness wait found that this database does not exist
    /// (then `version_answer` is `None`); `false` before the wait.
    pub fn database_missing_at_readiness(&self) -> bool {
        self.database_missing
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn database(&self) -> &str {
        &self.database
    }

    /// The same deployment, another database.
    pub fn for_database(&self, database: &str) -> Client {
        Client {
            database: database.to_string(),
            ..self.clone()
        }
    }

    /// Waits until a server answers `/_admin/server/availability` with 200
    /// and accepts our credentials (asked at the same time), retrying
    /// refused connections and 503s until `timeout` has passed.
    pub async fn wait_until_ready(&self, timeout: Duration) -> Result<(), ClientError> {
        let deadline = Instant::now() + timeout;
        let mut attempt = 0;
        loop {
            let availability = Request {
                method: Method::GET,
                path: "/_admin/server/availability",
                query: &[],
                body: None,
                authenticate: false,
                if_match: None,
            };
            // Both at once: a run starts with one round trip of waiting,
            // not two. Availability decides first, so a server still
            // starting is waited for whatever the credentials check says.
            let (available, credentials) = tokio::join!(
                self.once_any_endpoint(&availability),
                self.check_credentials()
            );
            let outcome = available.and(credentials);
            match outcome {
                Ok(()) => return Ok(()),
                Err(err) if err.is_transient() && Instant::now() < deadline => {
                    tracing::info!(error = %err, "waiting for ArangoDB to become ready");
                    let pause = self
                        .retry
                        .backoff(attempt)
                        .min(deadline.saturating_duration_since(Instant::now()));
                    tokio::time::sleep(pause).await;
                    attempt += 1;
                }
                Err(err) if err.is_transient() => {
                    return Err(ClientError::NotReady {
                        seconds: timeout.as_secs(),
                        last: err.to_string(),
                    })
                }
                Err(err) => return Err(err),
            }
        }
    }

    /// Proves the credentials work: the version endpoint of our database
    /// (a user may have no access to `_system`). A database that does not
    /// exist yet still proves the server took the credentials.
    async fn check_credentials(&self) -> Result<(), ClientError> {
        let path = format!("/_db/{}/_api/version", encode_segment(&self.database));
        let version = Request {
            method: Method::GET,
            path: &path,
            query: &[],
            body: None,
            authenticate: true,
            if_match: None,
        };
        match self.once_any_endpoint(&version).await {
            Ok(answer) => {
                let _ = self.version.set(body_value(&answer.bytes));
                Ok(())
            }
            Err(err) if err.error_num() == Some(1228) => {
                self.database_missing
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                Ok(())
            }
            Err(err) => Err(err),
        }
    }

    /// A request to a path of this database (`/_api/...`), retried on
    /// transient failures.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Response, ClientError> {
        let db_path = format!("/_db/{}{path}", encode_segment(&self.database));
        self.call_path(method, &db_path, query, body).await
    }

    /// Like `call`, with an `If-Match` precondition on a document revision
    /// (412 / errorNum 1200 when it no longer holds).
    pub async fn call_if_match(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        revision: &str,
    ) -> Result<Response, ClientError> {
        let db_path = format!("/_db/{}{path}", encode_segment(&self.database));
        self.retrying(&Request {
            method,
            path: &db_path,
            query: &[],
            body,
            authenticate: true,
            if_match: Some(revision),
        })
        .await
        .map(Answer::into_response)
    }

    /// A request to a server-level path (no database prefix).
    pub async fn call_path(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Response, ClientError> {
        self.retrying(&Request {
            method,
            path,
            query,
            body,
            authenticate: true,
            if_match: None,
        })
        .await
        .map(Answer::into_response)
    }

    /// Like `call`, with the answer read straight from its bytes into `T`
    /// (no `Value` tree in between): the same request, retries, endpoint
    /// failover and error answers (`ClientError`) as `call`. The inner
    /// result is the reading: a body that is not JSON at all reads as
    /// `null` (what `call` gives as `Null` or a string), JSON of another
    /// shape than `T` is the inner error.
    pub async fn call_json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Result<T, serde_json::Error>, ClientError> {
        let db_path = format!("/_db/{}{path}", encode_segment(&self.database));
        let answer = self
            .retrying(&Request {
                method,
                path: &db_path,
                query,
                body,
                authenticate: true,
                if_match: None,
            })
            .await?;
        Ok(body_typed(&answer.bytes))
    }

    async fn retrying(&self, request: &Request<'_>) -> Result<Answer, ClientError> {
        let mut attempt = 0;
        loop {
            match self.once_any_endpoint(request).await {
                Err(err) if err.is_transient() && attempt + 1 < self.retry.attempts => {
                    let pause = self.retry.backoff(attempt);
                    tracing::warn!(error = %err, attempt = attempt + 1, pause_ms = pause.as_millis() as u64, "transient failure, retrying");
                    tokio::time::sleep(pause).await;
                    attempt += 1;
                }
                outcome => return outcome,
            }
        }
    }

    /// One attempt, trying each endpoint in turn while they fail to connect.
    async fn once_any_endpoint(&self, request: &Request<'_>) -> Result<Answer, ClientError> {
        let mut last = None;
        for endpoint in &self.endpoints {
            match self.once(endpoint, request).await {
                Err(err @ ClientError::Transport { .. }) => last = Some(err),
                outcome => return outcome,
            }
        }
        Err(last.unwrap_or_else(|| ClientError::Config("no endpoint given".into())))
    }

    async fn once(&self, endpoint: &Url, request: &Request<'_>) -> Result<Answer, ClientError> {
        let mut url = endpoint.clone();
        url.set_path(request.path);
        if !request.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(request.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let mut builder = self.http.request(request.method.clone(), url);
        if self.patient {
            builder = builder.timeout(PATIENT_LIMIT);
        }
        if request.authenticate {
            builder = builder.header(AUTHORIZATION, self.authorization.clone());
        }
        if let Some(revision) = request.if_match {
            builder = builder.header(reqwest::header::IF_MATCH, format!("\"{revision}\""));
        }
        if let Some(body) = request.body {
            builder = builder.json(body);
        }
        let transport = |err: reqwest::Error| ClientError::Transport {
            method: request.method.to_string(),
            path: request.path.to_string(),
            message: describe_transport_error(&err),
        };
        let response = builder.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        // Parsed from the bytes: a schema read is megabytes of JSON, and
        // decoding it into a String first would copy and scan it once more.
        let bytes = response.bytes().await.map_err(transport)?;
        if status >= 400 {
            return Err(ClientError::from_response(
                &request.method,
                request.path,
                status,
                &body_value(&bytes),
            ));
        }
        Ok(Answer { status, bytes })
    }
}

/// A successful answer before its body is read: status and raw bytes.
struct Answer {
    status: u16,
    bytes: bytes::Bytes,
}

impl Answer {
    fn into_response(self) -> Response {
        Response {
            status: self.status,
            body: body_value(&self.bytes),
        }
    }
}

/// A body as JSON: `Null` when empty, the text as a string when it is not
/// JSON.
fn body_value(bytes: &[u8]) -> Value {
    if bytes.trim_ascii().is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
    }
}

/// A body read as `T`. A body that is not JSON at all (empty, or text) is
/// read as JSON `null`, the way `call` reads it as `Null` or a string that
/// no lookup finds anything in; only JSON of another shape than `T` is an
/// error.
fn body_typed<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    match serde_json::from_slice(bytes) {
        Ok(value) => Ok(value),
        Err(err) if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() => Err(err),
        Err(_) => serde_json::from_slice(b"null"),
    }
}

/// One request as the retry loop and the endpoint failover see it.
struct Request<'a> {
    method: Method,
    path: &'a str,
    query: &'a [(&'a str, String)],
    body: Option<&'a Value>,
    authenticate: bool,
    if_match: Option<&'a str>,
}

/// reqwest's Display hides the cause ("error sending request"); the chain
/// says what happened ("connection refused").
fn describe_transport_error(err: &reqwest::Error) -> String {
    let mut message = if err.is_timeout() {
        "request timed out".to_string()
    } else if err.is_connect() {
        "cannot connect".to_string()
    } else {
        "connection failed".to_string()
    };
    let mut source = std::error::Error::source(err);
    let mut last = String::new();
    while let Some(cause) = source {
        last = cause.to_string();
        source = cause.source();
    }
    if !last.is_empty() {
        message.push_str(": ");
        message.push_str(&last);
    }
    message
}

/// Percent-encodes one path segment (database, collection or index names).
pub fn encode_segment(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// For unit tests that need a server: an in-process emulator with root
/// password `pw` and a client on its `_system` database. Keep the emulator
/// alive while the client is used.
#[cfg(test)]
pub(crate) async fn test_emulator() -> (arangodb_emulator::RunningEmulator, Client) {
    let emulator = arangodb_emulator::start(arangodb_emulator::Config {
        root_password: "pw".into(),
        ..arangodb_emulator::Config::default()
    })
    .await
    .expect("emulator starts");
    let client = Client::new(&ConnectionSettings {
        endpoints: vec![Url::parse(&emulator.url()).expect("url")],
        database: "_system".into(),
        credentials: Credentials::Basic {
            username: "root".into(),
            password: Secret::new("pw"),
        },
        ca_cert: None,
        request_timeout: Duration::from_secs(5),
        retry: RetryPolicy::default(),
    })
    .expect("client");
    (emulator, client)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret} {secret:?}"), "*** Secret(***)");
        let credentials = Credentials::Basic {
            username: "root".into(),
            password: secret,
        };
        assert!(!format!("{credentials:?}").contains("hunter2"));
    }

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(encode_segment("users"), "users");
        assert_eq!(encode_segment("a b/c"), "a%20b%2Fc");
    }
}
