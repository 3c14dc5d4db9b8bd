//! `GET /_api/edges/{collection}`: the edges of one collection that start
//! or end at a vertex (`direction` `in`, `out`, or any when absent).
//!
//! Shapes follow the `RestEdgesReadEdges*` examples recorded from ArangoDB
//! 3.12 (outbound edges before inbound ones for `any`, and the query
//! statistics block); the refusals (unknown collection, document collection,
//! bad direction, missing vertex) follow arangod's edges handler.

use hyper::Method;
use serde_json::{json, Value};

use crate::error::ArangoError;
use crate::request::{ApiRequest, HandlerResult, Reply};
use crate::state::Server;

pub fn handle(server: &mut Server, req: &ApiRequest, rest: &[&str]) -> HandlerResult {
    if req.method != Method::GET {
        return Err(ArangoError::method_not_allowed());
    }
    let [name] = rest else {
        return Err(ArangoError::http_bad_request(
            "expected GET /_api/edges/<collection-identifier>?vertex=<vertex-handle>&direction=<direction>",
        ));
    };
    let collection = server.database(&req.database)?.collection(name)?;
    if !collection.is_edge() {
        return Err(ArangoError::collection_type_invalid());
    }
    let (outbound, inbound) = match req.query_str("direction").unwrap_or("") {
        "" | "any" => (true, true),
        "out" | "outbound" => (true, false),
        "in" | "inbound" => (false, true),
        other => {
            return Err(ArangoError::http_bad_request(format!(
                "<direction> must by any, in, or out, not: {other}"
            )))
        }
    };
    let vertex = req.query_str("vertex").unwrap_or("");
    if vertex.is_empty() {
        return Err(ArangoError::new(400, 1205, "illegal document handle"));
    }
    let ends_at =
        |edge: &Value, attribute: &str| edge.get(attribute).and_then(Value::as_str) == Some(vertex);
    let mut edges: Vec<Value> = Vec::new();
    if outbound {
        edges.extend(
            collection
                .documents
                .values()
                .filter(|edge| ends_at(edge, "_from"))
                .cloned(),
        );
    }
    if inbound {
        // A loop was already listed as outbound.
        edges.extend(
            collection
                .documents
                .values()
                .filter(|edge| ends_at(edge, "_to") && !(outbound && ends_at(edge, "_from")))
                .cloned(),
        );
    }
    let cursors = u64::from(outbound) + u64::from(inbound);
    let mut stats = json!({
                "writesExecuted": 0,
                "writesIgnored": 0,
                "documentLookups": edges.len(),
                "seeks": 0,
                "scannedFull": 0,
                "scannedIndex": edges.len(),
                "searchParallelism": 1,
                "cursorsCreated": cursors,
                "cursorsRearmed": 0,
                "cacheHits": 0,
                "cacheMisses": cursors,
                "filtered": 0,
                "httpRequests": 0,
                "executionTime": 0.0,
                "peakMemoryUsage": 0,
                "intermediateCommits": 0,
    });
    // 3.11 reports no lookup statistics (RestEdgesReadEdges* of 3.11).
    if let (Value::Object(map), false) = (&mut stats, server.profile.reports_lookup_statistics()) {
        for name in ["documentLookups", "seeks", "searchParallelism"] {
            map.shift_remove(name);
        }
    }
    Ok(Reply::json(
        200,
        json!({"edges": edges, "error": false, "code": 200, "stats": stats}),
    ))
}
