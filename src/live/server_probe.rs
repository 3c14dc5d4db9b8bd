//! MERGE NOTE (issue 12, helper "serving"): a stand-in until helper
//! "capabilities" fills `plan::Live.server` in `live::read`. The CLI calls
//! [`minimal_server`] only while `Live.server` is `None`, so once
//! `live::read` fills it this module is unused and can be deleted.
//!
//! It derives only what serving needs, in two requests made at once: the
//! version (`GET /_api/version`) and whether a query may call a user
//! function. ArangoDB 4.0 has none (the version says so, as
//! `Server::target` has it); a 3.10+ server started with
//! `--javascript.user-defined-functions false` refuses to parse a query
//! that calls one (400/1501), so parsing `RETURN ARANGOSYNC_PROBE::PROBE()`
//! (`POST /_api/query`, which runs nothing) tells. A server with functions
//! parses it: user functions are looked up when a query runs, not when it
//! is parsed.

use reqwest::Method;
use serde_json::json;

use super::LiveError;
use crate::client::Client;
use crate::server::{Server, Source, Version};

/// The server behind `client`, minimally: `cluster` is false and
/// `vector_index` is what the version allows (neither is read here).
pub async fn minimal_server(client: &Client) -> Result<Server, LiveError> {
    let parse = json!({"query": "RETURN ARANGOSYNC_PROBE::PROBE()"});
    let (version, parsed) = tokio::join!(
        client.call(Method::GET, "/_api/version", &[], None),
        client.call(Method::POST, "/_api/query", &[], Some(&parse)),
    );
    let text = version?.body["version"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let version: Version = text.parse().map_err(|err| LiveError::Unexpected {
        what: "GET /_api/version".into(),
        detail: format!("{err}"),
    })?;
    let callable = match parsed {
        Ok(_) => true,
        // 1501 is what the emulator answers (from ArangoDB's own test of the
        // option); 11 (forbidden) is accepted too: which one a real 3.12
        // answers is unverified.
        Err(err) if matches!(err.error_num(), Some(1501 | 11)) => false,
        Err(err) => return Err(err.into()),
    };
    let target = Server::target(version);
    Ok(Server {
        user_functions: target.user_functions && callable,
        source: Source::Live,
        ..target
    })
}
