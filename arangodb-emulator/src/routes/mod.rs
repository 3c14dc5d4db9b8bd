//! Routing of ArangoDB API requests to their handlers.
//!
//! Authentication and permissions are settled before this point
//! (`auth.rs`); a handler here only implements the endpoint's behaviour.

mod admin;
mod analyzer;
mod aqlfunction;
mod cluster;
mod collection;
mod cursor;
mod database;
mod document;
mod edges;
mod explain;
mod gharial;
mod import;
mod index;
mod job;
mod query;
mod replication;
mod user;
pub mod view;

use crate::error::ArangoError;
use crate::request::{ApiRequest, HandlerResult};
use crate::state::Server;

pub fn dispatch(server: &mut Server, req: &ApiRequest) -> HandlerResult {
    let path = req.path();
    match path.as_slice() {
        ["_api", "version"] | ["_api", "engine"] | ["_admin", ..] => {
            admin::handle(server, req, &path)
        }
        ["_api", "database", rest @ ..] => database::handle(server, req, rest),
        ["_api", "user", rest @ ..] => user::handle(server, req, rest),
        ["_api", "collection", rest @ ..] => collection::handle(server, req, rest),
        ["_api", "key-generators"] => collection::key_generators(server, req),
        ["_api", "index", rest @ ..] => index::handle(server, req, rest),
        ["_api", "document", rest @ ..] => document::handle(server, req, rest),
        ["_api", "edges", rest @ ..] => edges::handle(server, req, rest),
        ["_api", "import", rest @ ..] => import::handle(server, req, rest),
        // 4.0 removed the endpoint with JavaScript: an unknown path there.
        ["_api", "aqlfunction", rest @ ..] if server.profile.serves_aql_functions() => {
            aqlfunction::handle(server, req, rest)
        }
        ["_api", "query"] => query::parse(server, req),
        ["_api", "cursor", rest @ ..] => cursor::handle(server, req, rest),
        ["_api", "explain", rest @ ..] => explain::handle(server, req, rest),
        ["_api", "gharial", rest @ ..] => gharial::handle(server, req, rest),
        ["_api", "replication", rest @ ..] => replication::handle(server, req, rest),
        ["_api", "job", rest @ ..] => job::handle(server, req, rest),
        ["_api", "analyzer", rest @ ..] => analyzer::handle(server, req, rest),
        ["_api", "view", rest @ ..] => view::handle(server, req, rest),
        ["_api", "tasks", rest @ ..] => job::tasks(server, req, rest),
        _ => Err(ArangoError::unknown_path(&req.raw_path)),
    }
}
