//! `POST /_api/explain`: the errors a server finds while it parses a query
//! it is asked to explain.
//!
//! The emulator has no query optimizer, so it cannot answer an execution
//! plan. It validates the request as ArangoDB's `RestExplainHandler` does,
//! then parses the query and checks its bind parameters like the cursor
//! does ([`super::query::check`], worded `<message> (while parsing)`); a
//! query that passes is answered 501 "not implemented" rather than with a
//! made-up plan.

use hyper::Method;
use serde_json::{Map, Value};

use super::query::{check, Endpoint};
use crate::error::ArangoError;
use crate::request::{ApiRequest, HandlerResult};
use crate::state::Server;

/// ArangoDB's `TRI_ERROR_BAD_PARAMETER` (errors.dat).
const BAD_PARAMETER: u32 = 10;

pub fn handle(server: &mut Server, req: &ApiRequest, rest: &[&str]) -> HandlerResult {
    // RestExplainHandler: POST only ("Unsupported method", 501), and no
    // path suffix (404).
    if req.method != Method::POST {
        return Err(ArangoError::new(501, 9, "Unsupported method"));
    }
    if !rest.is_empty() {
        return Err(ArangoError::unknown_path(&req.raw_path));
    }
    // The handler's own checks of the body, with its messages (400, 10).
    let bad = |message: &str| ArangoError::new(400, BAD_PARAMETER, message);
    let body = match req.json()? {
        Value::Object(body) => body,
        _ => {
            return Err(bad(
                "expected usage: AQL_EXPLAIN(<queryString>, <bindVars>, <options>)",
            ))
        }
    };
    let query = body
        .get("query")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("expecting string for <queryString>"))?;
    let bind_vars = match body.get("bindVars") {
        None => Map::new(),
        Some(Value::Object(bind_vars)) => bind_vars.clone(),
        Some(_) => return Err(bad("expecting object for <bindVars>")),
    };
    check(server, query, Some(&bind_vars), Endpoint::Explain)?;
    super::aqlfunction::check_user_function_calls(server, query)?;
    Err(ArangoError::new(
        501,
        9,
        "not implemented: the emulator has no query optimizer; explain answers only the \
         errors found while parsing the query",
    ))
}
