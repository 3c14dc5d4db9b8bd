//! `/_api/analyzer`: list, read, create and delete ArangoSearch analyzers
//! (ArangoDB's `RestAnalyzerHandler`).
//!
//! Envelopes as recorded in the 3.12.10 transcripts: create answers the bare
//! definition (201 new, 200 for an identical existing one,
//! `RestAnalyzerPost_single`); read and delete merge `error`/`code` into the
//! object (`RestAnalyzerGet_single`, `RestAnalyzerDelete_single`); the list
//! wraps the definitions in `result` (`RestAnalyzersGet_single`). Deleting an
//! analyzer a view or inverted index uses is 409/1200 unless `force=true`
//! (`RestAnalyzerDeleteForce_single`). Error numbers and messages are those
//! of `RestAnalyzerHandler` and `IResearchAnalyzerFeature`.

use hyper::Method;
use serde_json::{json, Map, Value};

use crate::analyzers::{self, Analyzer, AnalyzerRef};
use crate::error::ArangoError;
use crate::inverted;
use crate::request::{ApiRequest, HandlerResult, Reply};
use crate::state::{Database, Server};

pub fn handle(server: &mut Server, req: &ApiRequest, rest: &[&str]) -> HandlerResult {
    server.database(&req.database)?;
    match (&req.method, rest) {
        (&Method::GET, []) => list(server, req),
        (&Method::GET, [name]) => read(server, req, name),
        (&Method::GET, _) => Err(ArangoError::bad_parameter(
            "expecting GET /_api/analyzer[/<analyzer-name>]",
        )),
        (&Method::POST, []) => create(server, req),
        (&Method::POST, _) => Err(ArangoError::bad_parameter("expecting POST /_api/analyzer")),
        (&Method::DELETE, [name]) => remove(server, req, name),
        (&Method::DELETE, _) => Err(ArangoError::bad_parameter(
            "expecting DELETE /_api/analyzer/<analyzer-name>[?force=true]",
        )),
        _ => Err(ArangoError::method_not_allowed()),
    }
}

/// An object with `error: false` and `code` merged in.
fn merged(status: u16, fields: Value) -> Reply {
    let mut body = Map::new();
    body.insert("error".into(), Value::Bool(false));
    body.insert("code".into(), Value::from(status));
    if let Value::Object(fields) = fields {
        body.extend(fields);
    }
    Reply::json(status, Value::Object(body))
}

fn custom_definitions(database: &Database) -> impl Iterator<Item = Value> + '_ {
    database
        .analyzers
        .values()
        .map(|analyzer| analyzer.definition(&format!("{}::{}", database.name, analyzer.name)))
}

fn list(server: &Server, req: &ApiRequest) -> HandlerResult {
    let mut result: Vec<Value> = analyzers::builtins(&server.profile)
        .iter()
        .map(|analyzer| analyzer.definition(&analyzer.name))
        .collect();
    let database = server.database(&req.database)?;
    result.extend(custom_definitions(database));
    if req.database != analyzers::SYSTEM_DATABASE {
        result.extend(custom_definitions(
            server.database(analyzers::SYSTEM_DATABASE)?,
        ));
    }
    Ok(Reply::envelope(200, json!({ "result": result })))
}

/// The stored analyzer a reference points at.
fn find(server: &Server, reference: &AnalyzerRef) -> Option<Analyzer> {
    match reference {
        AnalyzerRef::Builtin(name) => analyzers::builtin(name),
        AnalyzerRef::Custom(database, name) => server
            .databases
            .get(database)
            .and_then(|database| database.analyzers.get(name))
            .cloned(),
    }
}

fn read(server: &Server, req: &ApiRequest, name: &str) -> HandlerResult {
    let reference = AnalyzerRef::parse(name, &req.database);
    let full_name = reference.full_name();
    if !reference.reachable_from(&req.database) {
        let mut message = format!(
            "Analyzer '{full_name}' is not accessible. Only analyzers from current database ('{}')",
            req.database
        );
        if req.database != analyzers::SYSTEM_DATABASE {
            message.push_str(" or system database");
        }
        message.push_str(" are available");
        return Err(ArangoError::new(403, 11, message));
    }
    let analyzer = find(server, &reference).ok_or_else(|| {
        ArangoError::new(404, 1202, format!("unable to find analyzer: {full_name}"))
    })?;
    Ok(merged(200, analyzer.definition(&full_name)))
}

fn create(server: &mut Server, req: &ApiRequest) -> HandlerResult {
    let body = req.json()?;
    let analyzer = analyzers::from_request(&body, &req.database, &server.profile)?;
    let full_name = format!("{}::{}", req.database, analyzer.name);
    let database = server.database_mut(&req.database)?;
    if let Some(existing) = database.analyzers.get(&analyzer.name) {
        if *existing == analyzer {
            return Ok(Reply::json(200, existing.definition(&full_name)));
        }
        return Err(analyzers::collision(&full_name, &analyzer, existing));
    }
    let definition = analyzer.definition(&full_name);
    database.analyzers.insert(analyzer.name.clone(), analyzer);
    Ok(Reply::json(201, definition))
}

/// Whether a view or an inverted index of `database` uses the analyzer.
fn in_use(database: &Database, full_name: &str) -> bool {
    let by_view = database
        .views
        .values()
        .any(|view| view.uses_analyzer(full_name, &database.name));
    let by_index = database.collections.values().any(|collection| {
        collection
            .indexes
            .iter()
            .filter(|index| index.index_type() == "inverted")
            .flat_map(|index| inverted::analyzers_used(&index.definition))
            .any(|name| AnalyzerRef::parse(&name, &database.name).full_name() == full_name)
    });
    by_view || by_index
}

fn remove(server: &mut Server, req: &ApiRequest, name: &str) -> HandlerResult {
    let (prefix, short) = match name.split_once("::") {
        Some((prefix, short)) => (Some(prefix), short),
        None => (None, name),
    };
    if !analyzers::name_ok(short) && analyzers::builtin(short).is_none() {
        return Err(ArangoError::bad_parameter(format!(
            "Invalid characters in analyzer name '{short}'."
        )));
    }
    let database_name = match prefix {
        None => req.database.as_str(),
        Some("") => analyzers::SYSTEM_DATABASE,
        Some(prefix) => prefix,
    };
    if database_name != req.database {
        return Err(ArangoError::new(
            403,
            11,
            "Database in analyzer name does not match current database",
        ));
    }
    if prefix.is_none() && analyzers::builtin(short).is_some() {
        return Err(ArangoError::new(
            403,
            11,
            "built-in analyzers cannot be removed",
        ));
    }
    let full_name = format!("{database_name}::{short}");
    let force = req.query_bool("force", false);
    let database = server.database_mut(&req.database)?;
    if !database.analyzers.contains_key(short) {
        return Err(ArangoError::new(
            404,
            1202,
            format!("failure to find analyzer while removing arangosearch analyzer '{full_name}'"),
        ));
    }
    if !force && in_use(database, &full_name) {
        return Err(ArangoError::new(
            409,
            1200,
            format!("analyzer in-use while removing arangosearch analyzer '{full_name}'"),
        ));
    }
    database.analyzers.remove(short);
    Ok(merged(200, json!({ "name": full_name })))
}
