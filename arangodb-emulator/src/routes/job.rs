//! `/_api/job` and `/_api/tasks`: the emulator runs nothing asynchronously and
//! has no server tasks, but drivers' test fixtures list and clear both, so the
//! endpoints answer as an idle server does.

use hyper::Method;
use serde_json::{json, Value};

use crate::error::ArangoError;
use crate::request::{ApiRequest, HandlerResult, Reply};
use crate::state::Server;

fn job_not_found() -> ArangoError {
    ArangoError::new(404, 404, "not found")
}

pub fn handle(server: &mut Server, req: &ApiRequest, rest: &[&str]) -> HandlerResult {
    match (&req.method, rest) {
        (&Method::GET, ["done" | "pending"]) => Ok(Reply::json(200, json!([]))),
        (&Method::DELETE, ["all" | "expired" | "done"]) => {
            server.jobs.clear();
            Ok(Reply::envelope(200, json!({ "result": true })))
        }
        (&Method::GET | &Method::PUT | &Method::DELETE, [_]) => Err(job_not_found()),
        (&Method::PUT, [_, "cancel"]) => Err(job_not_found()),
        _ => Err(ArangoError::unknown_path(&req.raw_path)),
    }
}

pub fn tasks(_server: &mut Server, req: &ApiRequest, rest: &[&str]) -> HandlerResult {
    match (&req.method, rest) {
        (&Method::GET, []) => Ok(Reply::json(200, Value::Array(Vec::new()))),
        (&Method::GET | &Method::DELETE, [_]) => Err(ArangoError::new(404, 1852, "task not found")),
        (&Method::POST, []) | (&Method::PUT, [_]) => Err(ArangoError::new(
            400,
            36,
            "JavaScript operations are not available in this emulator",
        )),
        _ => Err(ArangoError::unknown_path(&req.raw_path)),
    }
}
