//! ArangoDB's error envelope as a Rust value.
//!
//! Every handler returns `Result<Reply, ArangoError>`; the error is turned into
//! the `{"error": true, "code", "errorNum", "errorMessage"}` body exactly once, in
//! `Reply::from(ArangoError)`. Clients branch on `errorNum`, so each constructor
//! here names the errorNum it stands for; messages follow the real server's
//! wording where it is known (shared/ARANGODB_API.md 1.3).

use serde_json::{json, Map, Value};

/// One ArangoDB error: HTTP status, errorNum and message, plus the extra body
/// fields a few handlers add (the document API's 412 carries `_id`, `_key`, `_rev`).
#[derive(Debug, Clone, PartialEq)]
pub struct ArangoError {
    pub status: u16,
    pub error_num: u32,
    pub message: String,
    pub extra: Map<String, Value>,
}

impl ArangoError {
    pub fn new(status: u16, error_num: u32, message: impl Into<String>) -> Self {
        ArangoError {
            status,
            error_num,
            message: message.into(),
            extra: Map::new(),
        }
    }

    /// Adds a field to the error body next to the envelope fields.
    pub fn with(mut self, key: &str, value: Value) -> Self {
        self.extra.insert(key.to_string(), value);
        self
    }

    pub fn to_body(&self) -> Value {
        let mut body = json!({
            "error": true,
            "code": self.status,
            "errorNum": self.error_num,
            "errorMessage": self.message,
        });
        if let Value::Object(map) = &mut body {
            for (key, value) in &self.extra {
                map.insert(key.clone(), value.clone());
            }
        }
        body
    }

    // --- generic ---

    pub fn bad_parameter(message: impl Into<String>) -> Self {
        Self::new(400, 10, message)
    }
    pub fn forbidden() -> Self {
        Self::new(403, 11, "forbidden")
    }
    pub fn unauthorized() -> Self {
        Self::new(401, 11, "not authorized to execute this request")
    }
    pub fn type_error(message: impl Into<String>) -> Self {
        Self::new(400, 17, message)
    }
    pub fn http_bad_request(message: impl Into<String>) -> Self {
        Self::new(400, 400, message)
    }
    pub fn unknown_path(path: &str) -> Self {
        Self::new(404, 404, format!("unknown path '{path}'"))
    }
    pub fn method_not_allowed() -> Self {
        Self::new(405, 405, "method not supported")
    }
    pub fn service_unavailable() -> Self {
        Self::new(
            503,
            503,
            "service unavailable due to startup or maintenance mode",
        )
    }
    pub fn corrupted_json(detail: &str) -> Self {
        Self::new(400, 600, format!("VPackError error: {detail}"))
    }

    // --- databases and names ---

    pub fn duplicate_name(name: &str) -> Self {
        Self::new(409, 1207, format!("duplicate name: {name}"))
    }
    pub fn illegal_name(what: &str) -> Self {
        Self::new(400, 1208, format!("illegal name: {what}"))
    }
    pub fn database_not_found(name: &str) -> Self {
        Self::new(404, 1228, format!("database not found: {name}"))
    }
    pub fn use_system_database() -> Self {
        Self::new(403, 1230, "operation only allowed in system database")
    }

    // --- collections and documents ---

    pub fn collection_not_found(name: &str) -> Self {
        Self::new(404, 1203, format!("collection or view not found: {name}"))
    }
    pub fn document_not_found() -> Self {
        Self::new(404, 1202, "document not found")
    }
    pub fn document_handle_bad() -> Self {
        Self::new(400, 1205, "illegal document identifier")
    }
    pub fn document_key_bad() -> Self {
        Self::new(400, 1221, "illegal document key")
    }
    pub fn collection_type_invalid() -> Self {
        Self::new(400, 1218, "collection type invalid")
    }
    pub fn conflict() -> Self {
        Self::new(412, 1200, "conflict, _rev values do not match")
    }
    pub fn unique_constraint(index: &str, index_type: &str, fields: &str, key: &str) -> Self {
        Self::new(
            409,
            1210,
            format!(
                "unique constraint violated - in index {index} of type {index_type} over '{fields}'; conflicting key: {key}"
            ),
        )
    }
    pub fn invalid_edge_attribute(detail: &str) -> Self {
        Self::new(
            400,
            1233,
            format!("edge attribute missing or invalid: {detail}"),
        )
    }
    pub fn schema_violation(message: &str) -> Self {
        Self::new(400, 1620, message.to_string())
    }
    pub fn schema_bad_parameter(message: impl Into<String>) -> Self {
        Self::new(400, 1621, message)
    }

    // --- indexes ---

    pub fn index_not_found() -> Self {
        Self::new(404, 1212, "index not found")
    }
    pub fn index_handle_bad() -> Self {
        Self::new(400, 1214, "illegal index identifier")
    }
    pub fn duplicate_identifier() -> Self {
        Self::new(400, 1005, "duplicate value for `id` or `name`")
    }
}

impl std::fmt::Display for ArangoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (errorNum {})", self.message, self.error_num)
    }
}

impl std::error::Error for ArangoError {}
