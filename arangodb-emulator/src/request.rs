//! The emulator's view of one HTTP request and of the reply it sends back.
//!
//! Handlers never see hyper types: the service layer reads the whole body,
//! splits off the `/_db/{name}` prefix and percent-decodes the path, so a
//! handler works on plain strings and `serde_json` values.

use std::collections::BTreeMap;

use bytes::Bytes;
use hyper::{HeaderMap, Method};
use serde_json::{Map, Value};

use crate::error::ArangoError;

/// Who sent the request, once authentication has succeeded.
#[derive(Debug, Clone, PartialEq)]
pub enum Caller {
    /// A user from the user store (Basic auth or a token from `/_open/auth`).
    User(String),
    /// A token signed with the server's JWT secret: superuser rights.
    Superuser,
}

#[derive(Debug)]
pub struct ApiRequest {
    pub method: Method,
    /// The database from the `/_db/{name}` prefix, `_system` without one.
    pub database: String,
    /// The path after the database prefix, percent-decoded, split on `/`.
    pub segments: Vec<String>,
    /// The raw path as received, for error messages.
    pub raw_path: String,
    pub query: BTreeMap<String, String>,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub caller: Option<Caller>,
}

impl ApiRequest {
    /// The path segments as `&str`, for slice patterns in the routers.
    pub fn path(&self) -> Vec<&str> {
        self.segments.iter().map(String::as_str).collect()
    }

    pub fn query_str(&self, name: &str) -> Option<&str> {
        self.query.get(name).map(String::as_str)
    }

    /// ArangoDB treats `true`, `yes`, `on`, `1` (any case) as true.
    pub fn query_bool(&self, name: &str, default: bool) -> bool {
        match self.query.get(name) {
            None => default,
            Some(value) => matches!(
                value.to_ascii_lowercase().as_str(),
                "true" | "yes" | "on" | "1" | "y"
            ),
        }
    }

    /// The body parsed as JSON; an unparsable body is ArangoDB's 400/600.
    pub fn json(&self) -> Result<Value, ArangoError> {
        if self.body.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&self.body)
            .map_err(|err| ArangoError::corrupted_json(&vpack_message(&err)))
    }

    /// The body as a JSON object; anything else is a 400 with `message`.
    pub fn json_object(&self, message: &str) -> Result<Map<String, Value>, ArangoError> {
        match self.json()? {
            Value::Object(map) => Ok(map),
            _ => Err(ArangoError::http_bad_request(message)),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// The VelocyPack parser's wording for a JSON syntax error where it is
/// known from the transcripts (a non-string object key:
/// RestDocumentHandlerPostBadJson1), serde_json's otherwise.
fn vpack_message(err: &serde_json::Error) -> String {
    let text = err.to_string();
    if text.starts_with("key must be a string") {
        "Expecting '\"' or '}'".to_string()
    } else {
        text
    }
}

/// A successful reply: status, optional JSON body, extra headers.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub body: Option<Value>,
    pub headers: Vec<(String, String)>,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Self {
        Reply {
            status,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    /// The management-API envelope: `{"error": false, "code": status, ...fields}`.
    pub fn envelope(status: u16, fields: Value) -> Self {
        let mut body = Map::new();
        body.insert("error".into(), Value::Bool(false));
        body.insert("code".into(), Value::from(status));
        if let Value::Object(fields) = fields {
            body.extend(fields);
        }
        Reply::json(status, Value::Object(body))
    }

    pub fn empty(status: u16) -> Self {
        Reply {
            status,
            body: None,
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

impl From<ArangoError> for Reply {
    fn from(err: ArangoError) -> Self {
        let reply = Reply::json(err.status, err.to_body());
        // A revision conflict names the document's current revision, which
        // the server also sends as the ETag.
        match err.extra.get("_rev").and_then(Value::as_str) {
            Some(rev) => reply.with_header("etag", format!("\"{rev}\"")),
            None => reply,
        }
    }
}

pub type HandlerResult = Result<Reply, ArangoError>;
