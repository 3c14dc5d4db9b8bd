//! `/_api/view`: list, create, read, change, rename and drop views
//! (ArangoDB's `RestViewHandler`). The view logic lives in `views.rs`.
//!
//! Envelopes as recorded in the 3.12.10 transcripts: create, PUT/PATCH of
//! the properties and rename answer the bare definition
//! (`RestViewPostViewArangoSearch_single`, `RestViewPutPropertiesArangoSearch_single`,
//! `RestViewPutRename_single`); reading a view or its properties merges
//! `error`/`code` in (`RestViewGetViewNameArangoSearch_single`,
//! `RestViewGetViewPropertiesNameArangoSearch_single`); the list wraps
//! summaries in `result` (`RestViewGetAllViews_single`); a drop answers
//! `result: true` (`RestViewDeleteViewNameArangoSearch_single`). Views and
//! collections share one namespace (409/1207), and a view is found by name
//! or by id; a missing one is 404/1203, as python-arango's `test_view.py`
//! expects.

use hyper::Method;
use serde_json::{json, Map, Value};

use crate::error::ArangoError;
use crate::names;
use crate::request::{ApiRequest, HandlerResult, Reply};
use crate::state::{Database, Server};
use crate::views::{self, AliasTarget, View, ViewKind};

pub fn handle(server: &mut Server, req: &ApiRequest, rest: &[&str]) -> HandlerResult {
    server.database(&req.database)?;
    match (&req.method, rest) {
        (&Method::GET, []) => list(server, req),
        (&Method::POST, []) => create(server, req),
        (&Method::GET, [view]) => read(server, req, view, false),
        (&Method::GET, [view, "properties"]) => read(server, req, view, true),
        (&Method::PUT, [view, "properties"]) => update(server, req, view, false),
        (&Method::PATCH, [view, "properties"]) => update(server, req, view, true),
        (&Method::PUT, [view, "rename"]) => rename(server, req, view),
        (&Method::DELETE, [view]) => drop(server, req, view),
        (&Method::GET | &Method::PUT | &Method::PATCH | &Method::DELETE | &Method::POST, _) => Err(
            ArangoError::bad_parameter("expecting /_api/view/<view-name>[/properties|/rename]"),
        ),
        _ => Err(ArangoError::method_not_allowed()),
    }
}

/// The name under which a view is stored, looked up by name or id.
fn view_key(database: &Database, handle: &str) -> Result<String, ArangoError> {
    if database.views.contains_key(handle) {
        return Ok(handle.to_string());
    }
    database
        .views
        .values()
        .find(|view| view.id.to_string() == handle)
        .map(|view| view.name.clone())
        .ok_or_else(|| ArangoError::collection_not_found(handle))
}

fn list(server: &Server, req: &ApiRequest) -> HandlerResult {
    let database = server.database(&req.database)?;
    let result: Vec<Value> = database
        .views
        .values()
        .map(|view| Value::Object(view.summary()))
        .collect();
    Ok(Reply::envelope(200, json!({ "result": result })))
}

fn read(server: &Server, req: &ApiRequest, handle: &str, properties: bool) -> HandlerResult {
    let database = server.database(&req.database)?;
    let view = &database.views[&view_key(database, handle)?];
    let fields = if properties {
        view.definition()
    } else {
        view.summary()
    };
    Ok(Reply::envelope(200, Value::Object(fields)))
}

/// Resolves a search-alias entry in `database` (an index by name or id).
fn alias_target(database: &Database, collection: &str, index: &str) -> AliasTarget {
    let Some(collection) = database.collections.get(collection) else {
        return AliasTarget::NoCollection;
    };
    collection
        .indexes
        .iter()
        .find(|candidate| candidate.name() == index || candidate.id.to_string() == index)
        .filter(|found| found.index_type() == "inverted")
        .map_or(AliasTarget::NoIndex, |found| {
            AliasTarget::Index(found.name().to_string())
        })
}

fn create(server: &mut Server, req: &ApiRequest) -> HandlerResult {
    const FORM: &str =
        "expecting body to be of the form {name: <string>, type: <string>, properties: <object>}";
    // ArangoDB answers a missing or non-object body with 400/10 too.
    let body = match req.json()? {
        Value::Object(body) => body,
        _ => return Err(ArangoError::bad_parameter(FORM)),
    };
    let Some(name) = body.get("name").and_then(Value::as_str) else {
        return Err(ArangoError::bad_parameter(FORM));
    };
    let Some(view_type) = body.get("type").and_then(Value::as_str) else {
        return Err(ArangoError::bad_parameter(FORM));
    };
    names::check_collection_name(name, false, server.profile.extended_names())
        .map_err(|_| ArangoError::illegal_name("view name invalid"))?;
    let catalog = server.analyzer_catalog(&req.database);
    let database = server.database(&req.database)?;
    if database.views.contains_key(name) || database.collections.contains_key(name) {
        return Err(ArangoError::duplicate_name(name));
    }
    let kind = match view_type {
        views::ARANGOSEARCH => {
            let properties = views::create_properties(&body, &server.profile)?;
            let exists = |collection: &str| database.collections.contains_key(collection);
            let links =
                views::update_links(&Map::new(), body.get("links"), false, &catalog, &exists)?;
            ViewKind::ArangoSearch { properties, links }
        }
        views::SEARCH_ALIAS => {
            let lookup = |collection: &str, index: &str| alias_target(database, collection, index);
            let indexes = views::update_alias_indexes(&[], body.get("indexes"), false, &lookup)?;
            ViewKind::SearchAlias { indexes }
        }
        // UNVERIFIED: the wording for an unknown view type.
        other => {
            return Err(ArangoError::bad_parameter(format!(
                "invalid type '{other}' provided to create view"
            )))
        }
    };
    let id = server.ids.next_id();
    let view = View {
        id,
        name: name.to_string(),
        globally_unique_id: server.ids.globally_unique_id(id),
        kind,
    };
    let definition = view.definition();
    server
        .database_mut(&req.database)?
        .views
        .insert(name.to_string(), view);
    Ok(Reply::json(201, Value::Object(definition)))
}

fn update(server: &mut Server, req: &ApiRequest, handle: &str, partial: bool) -> HandlerResult {
    let body = req.json_object("expecting object for view properties")?;
    let catalog = server.analyzer_catalog(&req.database);
    let database = server.database(&req.database)?;
    let key = view_key(database, handle)?;
    let view = &database.views[&key];
    let kind = match &view.kind {
        ViewKind::ArangoSearch { properties, links } => {
            let properties = views::update_properties(properties, &body, partial, &server.profile)?;
            let exists = |collection: &str| database.collections.contains_key(collection);
            let links = views::update_links(links, body.get("links"), partial, &catalog, &exists)?;
            ViewKind::ArangoSearch { properties, links }
        }
        ViewKind::SearchAlias { indexes } => {
            let lookup = |collection: &str, index: &str| alias_target(database, collection, index);
            let indexes =
                views::update_alias_indexes(indexes, body.get("indexes"), partial, &lookup)?;
            ViewKind::SearchAlias { indexes }
        }
    };
    let database = server.database_mut(&req.database)?;
    let Some(view) = database.views.get_mut(&key) else {
        return Err(ArangoError::collection_not_found(handle));
    };
    view.kind = kind;
    Ok(Reply::json(200, Value::Object(view.definition())))
}

fn rename(server: &mut Server, req: &ApiRequest, handle: &str) -> HandlerResult {
    let body = req.json_object("expecting object with attribute 'name'")?;
    let Some(new_name) = body.get("name").and_then(Value::as_str) else {
        return Err(ArangoError::bad_parameter("name must be non-empty"));
    };
    let renames = server.profile.renames_views();
    let extended = server.profile.extended_names();
    let database = server.database_mut(&req.database)?;
    let key = view_key(database, handle)?;
    if !renames {
        return Err(ArangoError::new(
            501,
            1470,
            "this operation is not supported in a cluster",
        ));
    }
    names::check_collection_name(new_name, false, extended)
        .map_err(|_| ArangoError::illegal_name("view name invalid"))?;
    if new_name != key
        && (database.views.contains_key(new_name) || database.collections.contains_key(new_name))
    {
        return Err(ArangoError::duplicate_name(new_name));
    }
    let Some(mut view) = database.views.remove(&key) else {
        return Err(ArangoError::collection_not_found(handle));
    };
    view.name = new_name.to_string();
    let definition = view.definition();
    database.views.insert(new_name.to_string(), view);
    Ok(Reply::json(200, Value::Object(definition)))
}

fn drop(server: &mut Server, req: &ApiRequest, handle: &str) -> HandlerResult {
    let database = server.database_mut(&req.database)?;
    let key = view_key(database, handle)?;
    database.views.remove(&key);
    Ok(Reply::envelope(200, json!({ "result": true })))
}

/// Keeps views in step when a collection is dropped: its links and its
/// search-alias entries go away with it.
pub fn forget_collection(database: &mut Database, collection: &str) {
    for view in database.views.values_mut() {
        match &mut view.kind {
            ViewKind::ArangoSearch { links, .. } => {
                links.remove(collection);
            }
            ViewKind::SearchAlias { indexes } => indexes.retain(|(name, _)| name != collection),
        }
    }
}

/// Keeps views in step when a collection is renamed.
pub fn rename_collection(database: &mut Database, old_name: &str, new_name: &str) {
    for view in database.views.values_mut() {
        match &mut view.kind {
            ViewKind::ArangoSearch { links, .. } => {
                if let Some(link) = links.remove(old_name) {
                    links.insert(new_name.to_string(), link);
                }
            }
            ViewKind::SearchAlias { indexes } => {
                for (name, _) in indexes.iter_mut() {
                    if name == old_name {
                        *name = new_name.to_string();
                    }
                }
            }
        }
    }
}

/// Keeps search-alias views in step when an index is dropped.
pub fn forget_index(database: &mut Database, collection: &str, index: &str) {
    for view in database.views.values_mut() {
        if let ViewKind::SearchAlias { indexes } = &mut view.kind {
            indexes.retain(|(name, idx)| !(name == collection && idx == index));
        }
    }
}
