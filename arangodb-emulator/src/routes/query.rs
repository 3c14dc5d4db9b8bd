//! `POST /_api/query`: parse a query without running it.
//!
//! The emulator has no AQL grammar; `aql_lexer::check_syntax` finds the bind
//! parameters and literal collections and rejects clear syntax errors (1501
//! with line and column, the column in bytes as ArangoDB counts it) and
//! empty queries (1502). A query it accepts may
//! still be one a real server rejects; it never rejects a valid one.

use hyper::Method;
use serde_json::{json, Value};

use crate::error::ArangoError;
use crate::request::{ApiRequest, HandlerResult, Reply};
use crate::state::Server;

pub fn parse(server: &mut Server, req: &ApiRequest) -> HandlerResult {
    if req.method != Method::POST {
        return Err(ArangoError::method_not_allowed());
    }
    let body = req.json()?;
    let query = body
        .get("query")
        .and_then(Value::as_str)
        .ok_or_else(|| ArangoError::new(400, 1502, "query is empty"))?;
    let info = aql_lexer::check_syntax(query).map_err(|err| {
        let error_num = if err.is_empty_query() { 1502 } else { 1501 };
        ArangoError::new(400, error_num, err.message)
    })?;
    super::aqlfunction::check_user_function_calls(server, query)?;
    // Collection parameters are reported with one `@` left: `@@c` is `@c`.
    let bind_vars: Vec<String> = info
        .bind_parameters
        .iter()
        .map(|parameter| match parameter.kind {
            aql_lexer::BindParameterKind::Value => parameter.name.clone(),
            aql_lexer::BindParameterKind::Collection => format!("@{}", parameter.name),
        })
        .collect();
    Ok(Reply::envelope(
        200,
        json!({
            "parsed": true,
            "collections": info.collections,
            "bindVars": bind_vars,
            "ast": [{"type": "root", "subNodes": []}],
            "warnings": [],
        }),
    ))
}
