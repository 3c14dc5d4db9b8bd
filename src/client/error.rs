//! What can go wrong talking to ArangoDB, as data: the server's own errors
//! keep their status and errorNum (callers branch on errorNum, never on the
//! message), transport failures say whether a retry may help.

use reqwest::Method;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// The server answered with an error envelope.
    #[error("{method} {path}: ArangoDB error {error_num} (HTTP {status}): {message}")]
    Api {
        method: String,
        path: String,
        status: u16,
        error_num: u64,
        message: String,
    },
    /// No answer: refused, reset, timed out, TLS failure.
    #[error("{method} {path}: {message}")]
    Transport {
        method: String,
        path: String,
        message: String,
    },
    /// The server did not become ready within `--wait-timeout`.
    #[error("ArangoDB did not become ready within {seconds}s (last error: {last})")]
    NotReady { seconds: u64, last: String },
    /// A setting the client cannot work with (bad CA file, bad header value).
    #[error("{0}")]
    Config(String),
}

impl ClientError {
    pub(crate) fn from_response(
        method: &Method,
        path: &str,
        status: u16,
        body: &Value,
    ) -> ClientError {
        let error_num = body
            .get("errorNum")
            .and_then(Value::as_u64)
            .unwrap_or(u64::from(status));
        let message = body
            .get("errorMessage")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("HTTP {status}"));
        ClientError::Api {
            method: method.to_string(),
            path: path.to_string(),
            status,
            error_num,
            message,
        }
    }

    /// The server's errorNum, for API errors.
    pub fn error_num(&self) -> Option<u64> {
        match self {
            ClientError::Api { error_num, .. } => Some(*error_num),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Failures a retry may cure: no answer at all, or a server that says
    /// it is unavailable or overloaded. A 4xx never is.
    pub fn is_transient(&self) -> bool {
        match self {
            ClientError::Transport { .. } => true,
            ClientError::Api { status, .. } => matches!(status, 502..=504),
            ClientError::NotReady { .. } | ClientError::Config(_) => false,
        }
    }

    /// Missing credentials or rights.
    pub fn is_permission_denied(&self) -> bool {
        matches!(self.status(), Some(401 | 403))
    }
}
