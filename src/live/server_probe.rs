//! MERGE NOTE (issue 12, helper "serving"): a stand-in until helper
//! "capabilities" fills `plan::Live.server` in `live::read`. The CLI calls
//! [`minimal_server`] only while `Live.server` is `None`, so once
//! `live::read` fills it this module is unused and can be deleted.
//!
//! It derives only what serving needs: the version (`GET /_api/version`),
//! the role, and whether AQL user functions can be called. ArangoDB 4.0
//! has no `/_api/aqlfunction` (an unknown path); a 3.10+ server started
//! with `--javascript.user-defined-functions false` still serves that API
//! but refuses to parse a query that calls a user function (400/1501), so
//! parsing `RETURN ARANGOSYNC_PROBE::PROBE()` (`POST /_api/query`, which
//! runs nothing) tells. A server with functions parses it: user functions
//! are looked up when a query runs, not when it is parsed.

use reqwest::Method;
use serde_json::json;

use super::{is_unknown_path, LiveError};
use crate::client::Client;
use crate::server::{Server, Source, Version};

/// The server behind `client`, minimally: `vector_index` is what the
/// version allows (the startup option is not read here).
pub async fn minimal_server(client: &Client) -> Result<Server, LiveError> {
    let parse = json!({"query": "RETURN ARANGOSYNC_PROBE::PROBE()"});
    let namespace = [("namespace", "ARANGOSYNC_PROBE".to_string())];
    let (version, role, functions, parsed) = tokio::join!(
        client.call(Method::GET, "/_api/version", &[], None),
        client.call(Method::GET, "/_admin/server/role", &[], None),
        client.call(Method::GET, "/_api/aqlfunction", &namespace, None),
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
    let cluster = matches!(role, Ok(answer) if answer.body["role"].as_str() == Some("COORDINATOR"));
    let api = match functions {
        Ok(_) => true,
        Err(err) if is_unknown_path(&err) => false,
        Err(err) => return Err(err.into()),
    };
    let callable = match parsed {
        Ok(_) => true,
        Err(err) if err.error_num() == Some(1501) => false,
        Err(err) => return Err(err.into()),
    };
    Ok(Server {
        version,
        cluster,
        user_functions: api && callable,
        vector_index: version.at_least(Version::new(3, 12, 4)),
        source: Source::Live,
    })
}
