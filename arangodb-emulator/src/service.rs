//! The request pipeline every HTTP request goes through.
//!
//! Order matters and mirrors what a client of a real server observes:
//! control API first (never counted or delayed), then counting, injected
//! latency, injected faults, the startup window (503 for everything), the
//! database prefix, authentication, the access check and finally the handler.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response};
use percent_encoding::percent_decode_str;
use serde_json::{json, Value};

use crate::control::{FaultMode, FaultPlan, Stats};
use crate::error::ArangoError;
use crate::request::{ApiRequest, Reply};
use crate::state::Server;
use crate::{auth, routes};

/// State shared by every connection of one emulator.
#[derive(Debug)]
pub struct Shared {
    pub server: Mutex<Server>,
    pub stats: Mutex<Stats>,
    pub faults: Mutex<Option<FaultPlan>>,
    pub jwt_secret: String,
    pub latency: Duration,
    pub ready_at: Instant,
}

/// Tells the connection to drop with a TCP reset instead of answering.
#[derive(Debug)]
pub struct ResetConnection;

impl std::fmt::Display for ResetConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection reset by fault injection")
    }
}

impl std::error::Error for ResetConnection {}

/// Locks a mutex, recovering the data if a previous holder panicked: one
/// failed request must not take the whole emulator down with it.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, ResetConnection> {
    let (parts, body) = request.into_parts();
    // A body that cannot be read is a broken connection; treat it as empty
    // and let the handler complain about the missing input.
    let body = body
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .unwrap_or_default();
    let path = parts.uri.path().to_string();
    let is_head = parts.method == Method::HEAD;

    if let Some(control_path) = path.strip_prefix("/_emulator/") {
        let reply = control(&shared, &parts.method, control_path, &body);
        return Ok(to_response(reply, false));
    }

    lock(&shared.stats).record(
        parts.method.as_str(),
        &path,
        is_write(&parts.method, &path, &body),
    );
    if !shared.latency.is_zero() {
        tokio::time::sleep(shared.latency).await;
    }
    let fault = {
        let mut faults = lock(&shared.faults);
        let fault = faults
            .as_mut()
            .filter(|plan| plan.applies_to(parts.method.as_str(), &path))
            .and_then(FaultPlan::next_request);
        if faults.as_ref().is_some_and(FaultPlan::is_exhausted) {
            *faults = None;
        }
        fault
    };
    match fault {
        Some(FaultMode::Reset) => return Err(ResetConnection),
        Some(FaultMode::Status(status)) => {
            let reply = ArangoError::new(status, status as u32, "injected fault").into();
            return Ok(to_response(reply, is_head));
        }
        Some(FaultMode::Delay(delay)) => tokio::time::sleep(delay).await,
        Some(FaultMode::ResetAfter | FaultMode::DelayAfter(_)) | None => {}
    }

    let reply = if Instant::now() < shared.ready_at {
        ArangoError::service_unavailable().into()
    } else {
        match parse_request(parts.method, &path, parts.uri.query(), parts.headers, body) {
            Ok(req) => execute(&shared, req),
            Err(err) => err.into(),
        }
    };
    if fault == Some(FaultMode::ResetAfter) {
        return Err(ResetConnection);
    }
    if let Some(FaultMode::DelayAfter(delay)) = fault {
        tokio::time::sleep(delay).await;
    }
    Ok(to_response(reply, is_head))
}

/// Runs an ArangoDB request past authentication and access checks.
fn execute(shared: &Shared, mut req: ApiRequest) -> Reply {
    let mut server = lock(&shared.server);
    let path = req.path();
    let outcome = match path.as_slice() {
        ["_open", "auth"] => auth::open_auth(&server, &shared.jwt_secret, &req),
        ["_admin", "server", "availability"] => {
            Ok(Reply::envelope(200, json!({"mode": "default"})))
        }
        _ => (|| {
            req.caller = Some(auth::authenticate(
                &server,
                &shared.jwt_secret,
                req.header("authorization"),
            )?);
            auth::resolve_database(&server, &req)?;
            auth::authorize(&server, &req)?;
            routes::dispatch(&mut server, &req)
        })(),
    };
    match outcome {
        Ok(reply) => reply,
        // Browsers would pop up a login dialog on this header; ArangoDB's web
        // UI asks the server to leave it out with `x-omit-www-authenticate`.
        Err(err) if err.status == 401 && req.header("x-omit-www-authenticate").is_none() => {
            Reply::from(err).with_header("www-authenticate", "Basic, realm=\"ArangoDB\"")
        }
        Err(err) => err.into(),
    }
}

/// Splits `/_db/{name}` off the path and decodes everything into an `ApiRequest`.
fn parse_request(
    method: Method,
    path: &str,
    query: Option<&str>,
    headers: hyper::HeaderMap,
    body: Bytes,
) -> Result<ApiRequest, ArangoError> {
    let decode = |segment: &str| {
        percent_decode_str(segment)
            .decode_utf8()
            .map(|decoded| decoded.into_owned())
            .map_err(|_| ArangoError::http_bad_request("invalid URL encoding"))
    };
    let mut segments = path
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(decode)
        .collect::<Result<Vec<_>, _>>()?;
    let database = if segments.first().map(String::as_str) == Some("_db") && segments.len() >= 2 {
        let name = segments.remove(1);
        segments.remove(0);
        name
    } else {
        "_system".to_string()
    };
    let query = query
        .map(|query| {
            url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect::<BTreeMap<_, _>>()
        })
        .unwrap_or_default();
    Ok(ApiRequest {
        method,
        database,
        segments,
        raw_path: path.to_string(),
        query,
        headers,
        body,
        caller: None,
    })
}

/// Whether a request changes server state, for the `writes` counter.
///
/// DESIGN.md counts POST/PUT/PATCH/DELETE as writes; a few endpoints use
/// those methods only to read (logging in, parsing a query, leasing a
/// replication dump batch, a read-only cursor and fetching or closing its
/// batches), and counting them would make
/// "a no-change run writes nothing" impossible to state. They are reads here.
fn is_write(method: &Method, path: &str, body: &[u8]) -> bool {
    if !matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) {
        return false;
    }
    let read_only_endpoint = path == "/_open/auth"
        || path.ends_with("/_api/query")
        || path.ends_with("/_api/explain")
        || path.contains("/_api/replication/batch")
        || path.contains("/_api/cursor/");
    if read_only_endpoint {
        return false;
    }
    if path.ends_with("/_api/cursor") && *method == Method::POST {
        return cursor_modifies(body);
    }
    true
}

/// Whether a cursor request's query contains a data-modification operation.
fn cursor_modifies(body: &[u8]) -> bool {
    let query = serde_json::from_slice::<Value>(body).ok().and_then(|body| {
        body.get("query")
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    let Some(query) = query else {
        return false;
    };
    match aql_lexer::tokenize(&query) {
        Ok(tokens) => tokens.iter().any(|token| {
            token.kind == aql_lexer::TokenKind::Keyword
                && ["INSERT", "UPDATE", "REPLACE", "REMOVE", "UPSERT"]
                    .iter()
                    .any(|keyword| token.text.eq_ignore_ascii_case(keyword))
        }),
        Err(_) => false,
    }
}

fn control(shared: &Shared, method: &Method, path: &str, body: &[u8]) -> Reply {
    match (method, path) {
        (&Method::GET, "stats") => Reply::json(200, lock(&shared.stats).to_json()),
        (&Method::POST, "stats/reset") => {
            *lock(&shared.stats) = Stats::default();
            Reply::json(200, lock(&shared.stats).to_json())
        }
        (&Method::PUT, "faults") => {
            let plan = serde_json::from_slice::<Value>(body)
                .map_err(|err| err.to_string())
                .and_then(|body| FaultPlan::from_json(&body));
            match plan {
                Ok(plan) => {
                    *lock(&shared.faults) = Some(plan);
                    Reply::json(200, json!({"error": false}))
                }
                Err(message) => ArangoError::bad_parameter(message).into(),
            }
        }
        (&Method::DELETE, "faults") => {
            *lock(&shared.faults) = None;
            Reply::json(200, json!({"error": false}))
        }
        _ => ArangoError::unknown_path(&format!("/_emulator/{path}")).into(),
    }
}

fn to_response(reply: Reply, is_head: bool) -> Response<Full<Bytes>> {
    let body = match (&reply.body, is_head) {
        (Some(body), false) => Bytes::from(body.to_string()),
        _ => Bytes::new(),
    };
    let mut builder = Response::builder()
        .status(reply.status)
        .header("server", "ArangoDB")
        .header("x-arango-queue-time-seconds", "0.000000")
        .header("x-content-type-options", "nosniff");
    if reply.body.is_some() {
        builder = builder.header("content-type", "application/json; charset=utf-8");
    }
    for (name, value) in &reply.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder.body(Full::new(body)).unwrap_or_else(|_| {
        Response::new(Full::new(Bytes::from_static(
            b"{\"error\":true,\"code\":500,\"errorNum\":4,\"errorMessage\":\"bad response\"}",
        )))
    })
}
