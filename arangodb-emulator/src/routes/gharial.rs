//! `/_api/gharial`: named graphs (General Graphs of a single server), and the
//! vertex and edge document calls made through a graph.
//!
//! A graph is stored where ArangoDB keeps it: one document in the database's
//! `_graphs` collection, keyed by the graph name, in the single-server
//! persistence form `{_key, _id, _rev, edgeDefinitions, orphanCollections}`
//! (a single server stores no sharding fields). Reads add `name`. Handlers
//! parse that document into a `Graph`, change it and write it back with a
//! fresh `_rev`.
//!
//! Invariants every write keeps:
//! * edge definitions are keyed by edge collection, so an edge collection
//!   appears once per graph (1920), and all graphs that use an edge collection
//!   agree on its `from`/`to` (1921; replacing a definition changes it in every
//!   graph that has it);
//! * `from`, `to`, the orphans and the definitions themselves are sorted sets,
//!   which is also the order the server returns them in;
//! * a collection is an orphan only while no edge definition of its graph
//!   names it in `from`/`to`: adding a definition promotes orphans, removing
//!   or replacing one demotes vertex collections nothing else uses;
//! * member collections exist: missing ones are created (edge collections as
//!   type 3, the others as type 2), and collections are dropped here only when
//!   no graph uses them any more. The 3.12 drop guard (1942) lives in the
//!   collection routes and reads the same `_graphs` documents.
//!
//! Status codes follow `RestGraphHandler`: creating a graph answers 201 with
//! `waitForSync=true` and 202 without; every other definition change and the
//! graph drop answer 202 whatever `waitForSync` says (the server hard-codes
//! it); reads answer 200. Error numbers and their statuses follow
//! `GraphManager`/`GraphOperations` and the server's error-to-status table,
//! including its 500 for the errors that table does not list (1941, 1943, 1944).

use std::collections::{BTreeMap, BTreeSet};

use hyper::header::{HeaderValue, IF_MATCH};
use hyper::Method;
use serde_json::{json, Map, Value};

use super::collection;
use crate::error::ArangoError;
use crate::names;
use crate::request::{ApiRequest, HandlerResult, Reply};
use crate::state::{Database, Ids, Server, DOCUMENT_COLLECTION, EDGE_COLLECTION};

const GRAPHS: &str = "_graphs";

/// Query options the graph document calls pass on to the document API.
const DOCUMENT_OPTIONS: &[&str] = &["waitForSync", "returnNew", "returnOld", "keepNull"];

// Document keys, which graph names are (the `_graphs` key).
const MAX_KEY_BYTES: usize = 254;
const KEY_PUNCTUATION: &str = "_-.@()+,=;$!*'%:";

// --- errors (messages as the server words them) ---

fn graph_not_found(name: &str) -> ArangoError {
    ArangoError::new(404, 1924, format!("graph '{name}' not found"))
}
fn graph_duplicate() -> ArangoError {
    ArangoError::new(409, 1925, "graph already exists")
}
fn missing_graph_name() -> ArangoError {
    ArangoError::new(400, 1922, "missing graph name")
}
fn invalid_graph(message: &str) -> ArangoError {
    ArangoError::new(400, 1901, message)
}
fn malformed_edge_definition() -> ArangoError {
    ArangoError::new(400, 1923, "malformed edge definition")
}
fn graph_data_corrupt(message: String) -> ArangoError {
    ArangoError::new(500, 1941, message)
}
fn malformed_orphan_list() -> ArangoError {
    ArangoError::new(500, 1943, "orphan collection is not a string!")
}
fn edge_collection_multi_use(collection: &str) -> ArangoError {
    ArangoError::new(
        400,
        1920,
        format!("{collection} multi use of edge collection in edge def"),
    )
}
fn edge_collection_in_other_graph(collection: &str) -> ArangoError {
    ArangoError::new(
        400,
        1921,
        format!("{collection} edge collection already used in edge def"),
    )
}
fn not_an_edge_collection(collection: &str) -> ArangoError {
    ArangoError::new(
        500,
        1944,
        format!("Collection: '{collection}' is not an EdgeCollection"),
    )
}
fn edge_collection_not_used() -> ArangoError {
    ArangoError::new(404, 1930, "edge collection not used in graph")
}
fn not_in_orphans() -> ArangoError {
    ArangoError::new(400, 1928, "collection is not in list of orphan collections")
}
fn used_in_edge_definition(collection: &str) -> ArangoError {
    ArangoError::new(
        400,
        1929,
        format!("{collection} collection already used in edge def"),
    )
}
fn used_in_orphans() -> ArangoError {
    ArangoError::new(400, 1938, "collection used in orphans")
}
fn vertex_collection_missing(collection: &str) -> ArangoError {
    ArangoError::new(
        404,
        1926,
        format!("{collection} vertex collection does not exist or is not part of the graph"),
    )
}
fn not_a_vertex_collection() -> ArangoError {
    ArangoError::new(400, 1927, "collection not a vertex collection")
}
fn vertex_collection_not_in_graph(message: String) -> ArangoError {
    ArangoError::new(400, 1947, message)
}
fn invalid_edge_attribute() -> ArangoError {
    ArangoError::new(400, 1233, "edge attribute missing or invalid")
}
fn no_graphs_collection() -> ArangoError {
    ArangoError::new(404, 1932, "collection _graphs does not exist")
}

// --- the graph model ---

#[derive(Debug, Clone, PartialEq)]
struct EdgeDefinition {
    collection: String,
    from: BTreeSet<String>,
    to: BTreeSet<String>,
}

impl EdgeDefinition {
    /// Parses a user's (or a stored) edge definition, with the server's
    /// checks in the server's order.
    fn parse(value: &Value) -> Result<Self, ArangoError> {
        let Value::Object(object) = value else {
            return Err(malformed_edge_definition());
        };
        for key in ["collection", "from", "to"] {
            if !object.contains_key(key) {
                return Err(graph_data_corrupt(format!(
                    "Attribute '{key}' missing in edge definition!"
                )));
            }
        }
        let Some(collection) = object.get("collection").and_then(Value::as_str) else {
            return Err(graph_data_corrupt(
                "edge definition is not a string!".into(),
            ));
        };
        let from = collection_names(object, "from")?;
        let to = collection_names(object, "to")?;
        if from.is_empty() || to.is_empty() {
            return Err(malformed_edge_definition());
        }
        Ok(EdgeDefinition {
            collection: collection.to_string(),
            from,
            to,
        })
    }

    fn uses_vertex_collection(&self, name: &str) -> bool {
        self.from.contains(name) || self.to.contains(name)
    }

    fn to_json(&self) -> Value {
        json!({"collection": self.collection, "from": self.from, "to": self.to})
    }
}

/// The `from` or `to` list of an edge definition; duplicates collapse, as on
/// the server.
fn collection_names(
    object: &Map<String, Value>,
    key: &str,
) -> Result<BTreeSet<String>, ArangoError> {
    let Some(items) = object.get(key).and_then(Value::as_array) else {
        return Err(graph_data_corrupt(format!(
            "Edge definition '{key}' is not an array!"
        )));
    };
    items
        .iter()
        .map(|item| {
            item.as_str().map(str::to_string).ok_or_else(|| {
                graph_data_corrupt(format!(
                    "Edge definition '{key}' does not only contain strings!"
                ))
            })
        })
        .collect()
}

#[derive(Debug, Clone)]
struct Graph {
    name: String,
    rev: String,
    edge_definitions: BTreeMap<String, EdgeDefinition>,
    orphans: BTreeSet<String>,
}

impl Graph {
    /// Builds a graph from `edgeDefinitions` and `orphanCollections` as a
    /// client or the `_graphs` document gives them.
    fn from_parts(
        name: &str,
        definitions: Option<&Value>,
        orphans: Option<&Value>,
    ) -> Result<Self, ArangoError> {
        let mut graph = Graph {
            name: name.to_string(),
            rev: String::new(),
            edge_definitions: BTreeMap::new(),
            orphans: BTreeSet::new(),
        };
        match definitions {
            None => {}
            Some(Value::Array(items)) => {
                for item in items {
                    graph.add_edge_definition(EdgeDefinition::parse(item)?)?;
                }
            }
            Some(_) => {
                return Err(invalid_graph(
                    "'edgeDefinitions' are not an array in the graph definition",
                ))
            }
        }
        match orphans {
            None => {}
            Some(Value::Array(items)) => {
                for item in items {
                    let orphan = item.as_str().ok_or_else(malformed_orphan_list)?;
                    // Definitions are read first; the server silently drops an
                    // orphan that a definition already uses.
                    if !graph.is_vertex_collection(orphan) {
                        graph.orphans.insert(orphan.to_string());
                    }
                }
            }
            Some(_) => {
                return Err(invalid_graph(
                    "'orphanCollections' are not an array in the graph definition",
                ))
            }
        }
        Ok(graph)
    }

    fn from_stored(document: &Value) -> Result<Self, ArangoError> {
        let name = document.get("_key").and_then(Value::as_str).unwrap_or("");
        let mut graph = Graph::from_parts(
            name,
            document.get("edgeDefinitions"),
            document.get("orphanCollections"),
        )?;
        graph.rev = document
            .get("_rev")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        Ok(graph)
    }

    /// True when an edge definition names the collection in `from` or `to`.
    fn is_vertex_collection(&self, name: &str) -> bool {
        self.edge_definitions
            .values()
            .any(|definition| definition.uses_vertex_collection(name))
    }

    /// All vertex collections, orphans included (what `GET .../vertex` lists).
    fn vertex_collections(&self) -> BTreeSet<String> {
        let mut names = self.orphans.clone();
        for definition in self.edge_definitions.values() {
            names.extend(definition.from.iter().cloned());
            names.extend(definition.to.iter().cloned());
        }
        names
    }

    fn edge_collections(&self) -> BTreeSet<String> {
        self.edge_definitions.keys().cloned().collect()
    }

    /// Every collection of the graph: edge, vertex and orphan collections.
    fn collections(&self) -> BTreeSet<String> {
        let mut names = self.vertex_collections();
        names.extend(self.edge_collections());
        names
    }

    fn add_edge_definition(&mut self, definition: EdgeDefinition) -> Result<(), ArangoError> {
        if self.edge_definitions.contains_key(&definition.collection) {
            return Err(edge_collection_multi_use(&definition.collection));
        }
        for name in definition.from.iter().chain(&definition.to) {
            self.orphans.remove(name);
        }
        self.edge_definitions
            .insert(definition.collection.clone(), definition);
        Ok(())
    }

    /// Removes a definition; its vertex collections that no other definition
    /// uses become orphans, so they stay part of the graph.
    fn remove_edge_definition(&mut self, collection: &str) -> Option<EdgeDefinition> {
        let old = self.edge_definitions.remove(collection)?;
        for name in old.from.iter().chain(&old.to) {
            if !self.is_vertex_collection(name) {
                self.orphans.insert(name.clone());
            }
        }
        Some(old)
    }

    fn replace_edge_definition(&mut self, definition: EdgeDefinition) -> Result<(), ArangoError> {
        if self
            .remove_edge_definition(&definition.collection)
            .is_none()
        {
            return Err(edge_collection_not_used());
        }
        self.add_edge_definition(definition)
    }

    /// The `_graphs` document.
    fn stored(&self) -> Value {
        let definitions: Vec<Value> = self
            .edge_definitions
            .values()
            .map(EdgeDefinition::to_json)
            .collect();
        json!({
            "_key": self.name,
            "_id": format!("{GRAPHS}/{}", self.name),
            "_rev": self.rev,
            "edgeDefinitions": definitions,
            "orphanCollections": self.orphans,
        })
    }

    /// The graph object of the API responses.
    fn for_client(&self) -> Value {
        let mut value = self.stored();
        value["name"] = Value::from(self.name.as_str());
        value
    }
}

// --- storage ---

fn graph_documents(database: &Database) -> Result<&BTreeMap<String, Value>, ArangoError> {
    database
        .collections
        .get(GRAPHS)
        .map(|graphs| &graphs.documents)
        .ok_or_else(no_graphs_collection)
}

fn load(database: &Database, name: &str) -> Result<Graph, ArangoError> {
    let document = graph_documents(database)?
        .get(name)
        .ok_or_else(|| graph_not_found(name))?;
    Graph::from_stored(document)
}

fn load_all(database: &Database) -> Result<Vec<Graph>, ArangoError> {
    graph_documents(database)?
        .values()
        .map(Graph::from_stored)
        .collect()
}

/// Writes the graph with a new revision.
fn save(server: &mut Server, database: &str, graph: &mut Graph) -> Result<(), ArangoError> {
    graph.rev = server.ids.revision();
    let document = graph.stored();
    server
        .database_mut(database)?
        .collections
        .get_mut(GRAPHS)
        .ok_or_else(no_graphs_collection)?
        .documents
        .insert(graph.name.clone(), document);
    Ok(())
}

/// Another graph that uses one of these edge collections with a different
/// `from`/`to` makes the definitions unusable here (1921).
fn check_conflicts<'a>(
    database: &Database,
    graph_name: &str,
    definitions: impl IntoIterator<Item = &'a EdgeDefinition>,
) -> Result<(), ArangoError> {
    let others: Vec<Graph> = load_all(database)?
        .into_iter()
        .filter(|other| other.name != graph_name)
        .collect();
    for definition in definitions {
        for other in &others {
            if let Some(theirs) = other.edge_definitions.get(&definition.collection) {
                if theirs != definition {
                    return Err(edge_collection_in_other_graph(&definition.collection));
                }
            }
        }
    }
    Ok(())
}

/// Creates the missing collections: `edges` as edge collections, the other
/// `vertices` as document collections. An existing collection named as an
/// edge collection must be one; vertex collections may be of either type
/// (edges may point at edges).
fn ensure_collections(
    server: &mut Server,
    database_name: &str,
    edges: &BTreeSet<String>,
    vertices: &BTreeSet<String>,
    wait_for_sync: bool,
) -> Result<(), ArangoError> {
    let database = server.database(database_name)?;
    let mut missing: Vec<(String, u64)> = Vec::new();
    for name in edges {
        match database.collections.get(name) {
            Some(existing) if !existing.is_edge() => return Err(not_an_edge_collection(name)),
            Some(_) => {}
            None => missing.push((name.clone(), EDGE_COLLECTION)),
        }
    }
    for name in vertices {
        if !edges.contains(name) && !database.collections.contains_key(name) {
            missing.push((name.clone(), DOCUMENT_COLLECTION));
        }
    }
    // Check every name first, so a bad one leaves no half-created graph behind.
    for (name, _) in &missing {
        names::check_collection_name(name, false, server.profile.extended_names())?;
    }
    for (name, collection_type) in missing {
        let mut options = Map::new();
        options.insert("name".into(), Value::from(name));
        options.insert("type".into(), Value::from(collection_type));
        // The server creates graph collections with the request's waitForSync.
        options.insert("waitForSync".into(), Value::Bool(wait_for_sync));
        collection::create(server, database_name, &options)?;
    }
    Ok(())
}

fn ensure_graph_collections(
    server: &mut Server,
    database: &str,
    graph: &Graph,
    wait_for_sync: bool,
) -> Result<(), ArangoError> {
    ensure_collections(
        server,
        database,
        &graph.edge_collections(),
        &graph.vertex_collections(),
        wait_for_sync,
    )
}

/// Drops those of the named collections that exist and that no graph uses
/// any more. Like the server, it goes on after a failure and reports the
/// first one.
fn drop_unused_collections(
    server: &mut Server,
    database_name: &str,
    candidates: &BTreeSet<String>,
) -> Result<(), ArangoError> {
    let database = server.database_mut(database_name)?;
    let mut first_error = None;
    for name in candidates {
        if !collection::graphs_using(database, name).is_empty() {
            continue;
        }
        match database.collections.get(name) {
            None => {}
            // The graph module drops without `isSystem`, which the server refuses.
            Some(existing) if existing.is_system => {
                first_error.get_or_insert_with(ArangoError::forbidden);
            }
            Some(_) => {
                database.collections.remove(name);
                super::view::forget_collection(database, name);
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

fn check_graph_key(name: &str) -> Result<(), ArangoError> {
    let valid_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || KEY_PUNCTUATION.contains(c));
    if name.len() > MAX_KEY_BYTES || !valid_chars {
        return Err(ArangoError::document_key_bad());
    }
    Ok(())
}

/// A graph-changing call's reply: the whole graph, with its revision as etag.
fn graph_reply(status: u16, graph: &Graph) -> Reply {
    Reply::envelope(status, json!({ "graph": graph.for_client() }))
        .with_header("etag", graph.rev.clone())
}

// --- routing ---

pub fn handle(server: &mut Server, req: &ApiRequest, rest: &[&str]) -> HandlerResult {
    let (graph_name, tail) = match rest {
        [] => {
            return match req.method {
                Method::GET => list_graphs(server, req),
                Method::POST => create_graph(server, req),
                _ => Err(ArangoError::method_not_allowed()),
            }
        }
        [graph_name, tail @ ..] => (*graph_name, tail),
    };
    // The server looks the graph up before it looks at the rest of the path.
    let graph = load(server.database(&req.database)?, graph_name)?;
    match (tail, &req.method) {
        ([], &Method::GET) => Ok(Reply::envelope(200, json!({ "graph": graph.for_client() }))),
        ([], &Method::DELETE) => drop_graph(server, req, &graph),
        (["vertex"], &Method::GET) => Ok(Reply::envelope(
            200,
            json!({ "collections": graph.vertex_collections() }),
        )),
        (["vertex"], &Method::POST) => add_orphan(server, req, graph),
        (["edge"], &Method::GET) => Ok(Reply::envelope(
            200,
            json!({ "collections": graph.edge_collections() }),
        )),
        (["edge"], &Method::POST) => add_edge_definition(server, req, graph),
        (["vertex", collection], &Method::POST) => create_vertex(server, req, &graph, collection),
        (["vertex", collection], &Method::DELETE) => remove_orphan(server, req, graph, collection),
        (["edge", collection], &Method::POST) => create_edge(server, req, &graph, collection),
        (["edge", collection], &Method::PUT) => {
            replace_edge_definition(server, req, &graph, collection)
        }
        (["edge", collection], &Method::DELETE) => {
            remove_edge_definition(server, req, graph, collection)
        }
        ([kind @ ("vertex" | "edge"), collection, key], method) => {
            let field = if *kind == "vertex" { "vertex" } else { "edge" };
            match *method {
                Method::GET => read_document(server, req, field, collection, key),
                Method::PATCH | Method::PUT => {
                    modify_document(server, req, &graph, field, collection, key)
                }
                Method::DELETE => remove_document(server, req, &graph, collection, key),
                _ => Err(ArangoError::method_not_allowed()),
            }
        }
        ([] | ["vertex" | "edge"] | ["vertex" | "edge", _], _) => {
            Err(ArangoError::method_not_allowed())
        }
        _ => Err(ArangoError::unknown_path(&req.raw_path)),
    }
}

// --- graphs ---

fn list_graphs(server: &Server, req: &ApiRequest) -> HandlerResult {
    // Like the server's `MERGE(g, {name: g._key})` over `_graphs`, in the
    // order of a full scan: the storage engine keeps documents by revision,
    // so the most recently written graph comes last (HttpGharialList).
    let mut graphs: Vec<Value> = graph_documents(server.database(&req.database)?)?
        .iter()
        .map(|(key, document)| {
            let mut graph = document.clone();
            graph["name"] = Value::from(key.as_str());
            graph
        })
        .collect();
    graphs.sort_by(|a, b| {
        let rev = |graph: &Value| graph["_rev"].as_str().and_then(Ids::revision_value);
        rev(a).cmp(&rev(b))
    });
    Ok(Reply::envelope(200, json!({ "graphs": graphs })))
}

fn create_graph(server: &mut Server, req: &ApiRequest) -> HandlerResult {
    let Value::Object(body) = req.json()? else {
        return Err(ArangoError::bad_parameter(
            "VPack error: Expecting type Object",
        ));
    };
    let wait_for_sync = req.query_bool("waitForSync", false);
    let name = match body.get("name") {
        Some(Value::String(name)) if !name.is_empty() => name.as_str(),
        _ => return Err(missing_graph_name()),
    };
    if graph_documents(server.database(&req.database)?)?.contains_key(name) {
        return Err(graph_duplicate());
    }
    let mut graph = Graph::from_parts(
        name,
        body.get("edgeDefinitions"),
        body.get("orphanCollections"),
    )?;
    // Sharding options mean nothing on a single server; only this check of
    // the graph constructor applies.
    let replication_factor = body
        .get("options")
        .and_then(|options| options.get("replicationFactor"))
        .and_then(Value::as_f64);
    if replication_factor.is_some_and(|factor| factor < 1.0) {
        return Err(ArangoError::bad_parameter(
            "replicationFactor must be greater than zero",
        ));
    }
    // The server would only fail on the key when storing the graph, after
    // creating its collections; failing first leaves nothing behind.
    check_graph_key(name)?;
    check_conflicts(
        server.database(&req.database)?,
        name,
        graph.edge_definitions.values(),
    )?;
    ensure_graph_collections(server, &req.database, &graph, wait_for_sync)?;
    save(server, &req.database, &mut graph)?;
    Ok(graph_reply(if wait_for_sync { 201 } else { 202 }, &graph))
}

fn drop_graph(server: &mut Server, req: &ApiRequest, graph: &Graph) -> HandlerResult {
    server
        .database_mut(&req.database)?
        .collections
        .get_mut(GRAPHS)
        .ok_or_else(no_graphs_collection)?
        .documents
        .remove(&graph.name);
    if req.query_bool("dropCollections", false) {
        drop_unused_collections(server, &req.database, &graph.collections())?;
    }
    Ok(Reply::envelope(202, json!({ "removed": true })))
}

// --- edge definitions ---

fn add_edge_definition(server: &mut Server, req: &ApiRequest, mut graph: Graph) -> HandlerResult {
    let definition = EdgeDefinition::parse(&req.json()?)?;
    graph.add_edge_definition(definition.clone())?;
    check_conflicts(server.database(&req.database)?, &graph.name, [&definition])?;
    ensure_graph_collections(
        server,
        &req.database,
        &graph,
        req.query_bool("waitForSync", false),
    )?;
    save(server, &req.database, &mut graph)?;
    Ok(graph_reply(202, &graph))
}

/// Replaces the definition of an edge collection in every graph that has
/// it, which keeps the graphs in agreement (see 1921).
fn replace_edge_definition(
    server: &mut Server,
    req: &ApiRequest,
    graph: &Graph,
    collection: &str,
) -> HandlerResult {
    let definition = EdgeDefinition::parse(&req.json()?)?;
    if !graph.edge_definitions.contains_key(collection) {
        return Err(edge_collection_not_used());
    }
    let vertices: BTreeSet<String> = definition.from.union(&definition.to).cloned().collect();
    let edges = BTreeSet::from([definition.collection.clone()]);
    ensure_collections(
        server,
        &req.database,
        &edges,
        &vertices,
        req.query_bool("waitForSync", false),
    )?;
    // The body may name another edge collection than the path; it must be
    // part of this graph too.
    if !graph.edge_definitions.contains_key(&definition.collection) {
        return Err(edge_collection_not_used());
    }
    let users: Vec<Graph> = load_all(server.database(&req.database)?)?
        .into_iter()
        .filter(|other| other.edge_definitions.contains_key(&definition.collection))
        .collect();
    for mut user in users {
        user.replace_edge_definition(definition.clone())?;
        save(server, &req.database, &mut user)?;
    }
    let graph = load(server.database(&req.database)?, &graph.name)?;
    Ok(graph_reply(202, &graph))
}

fn remove_edge_definition(
    server: &mut Server,
    req: &ApiRequest,
    mut graph: Graph,
    collection: &str,
) -> HandlerResult {
    if graph.remove_edge_definition(collection).is_none() {
        return Err(edge_collection_not_used());
    }
    save(server, &req.database, &mut graph)?;
    // Only the edge collection goes; its vertex collections stay as orphans.
    if req.query_bool("dropCollections", false) {
        drop_unused_collections(
            server,
            &req.database,
            &BTreeSet::from([collection.to_string()]),
        )?;
    }
    Ok(graph_reply(202, &graph))
}

// --- orphan collections ---

fn add_orphan(server: &mut Server, req: &ApiRequest, mut graph: Graph) -> HandlerResult {
    let body = req.json()?;
    let Some(name) = body.get("collection").and_then(Value::as_str) else {
        return Err(ArangoError::bad_parameter(
            "VPack error: Expecting type String",
        ));
    };
    if graph.orphans.contains(name) {
        return Err(used_in_orphans());
    }
    if graph.is_vertex_collection(name) {
        return Err(used_in_edge_definition(name));
    }
    let existing_type = server
        .database(&req.database)?
        .collections
        .get(name)
        .map(|existing| existing.collection_type);
    if existing_type.is_none() && !req.query_bool("createCollection", true) {
        return Err(vertex_collection_missing(name));
    }
    graph.orphans.insert(name.to_string());
    ensure_graph_collections(
        server,
        &req.database,
        &graph,
        req.query_bool("waitForSync", false),
    )?;
    if existing_type.is_some_and(|collection_type| collection_type != DOCUMENT_COLLECTION) {
        return Err(not_a_vertex_collection());
    }
    save(server, &req.database, &mut graph)?;
    Ok(graph_reply(202, &graph))
}

/// Only orphans can be removed: a collection an edge definition uses, or one
/// that is not in the graph at all, is 1928 alike.
fn remove_orphan(
    server: &mut Server,
    req: &ApiRequest,
    mut graph: Graph,
    collection: &str,
) -> HandlerResult {
    if !graph.orphans.remove(collection) {
        return Err(not_in_orphans());
    }
    save(server, &req.database, &mut graph)?;
    if req.query_bool("dropCollection", false) {
        drop_unused_collections(
            server,
            &req.database,
            &BTreeSet::from([collection.to_string()]),
        )?;
    }
    Ok(graph_reply(202, &graph))
}

// --- vertices and edges, through the document API ---

/// The document-API request for one vertex or edge: same body and headers,
/// only the options the graph API knows, and gharial's `rev` query
/// parameter turned into the `If-Match` header it stands for.
fn document_request(
    req: &ApiRequest,
    method: Method,
    collection: &str,
    key: Option<&str>,
) -> ApiRequest {
    let mut segments = vec![
        "_api".to_string(),
        "document".to_string(),
        collection.to_string(),
    ];
    segments.extend(key.map(str::to_string));
    let query = req
        .query
        .iter()
        .filter(|(name, _)| DOCUMENT_OPTIONS.contains(&name.as_str()))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    let mut headers = req.headers.clone();
    if !headers.contains_key(IF_MATCH) {
        if let Some(rev) = req
            .query_str("rev")
            .and_then(|rev| HeaderValue::from_str(rev).ok())
        {
            headers.insert(IF_MATCH, rev);
        }
    }
    ApiRequest {
        method,
        database: req.database.clone(),
        segments,
        raw_path: req.raw_path.clone(),
        query,
        headers,
        body: req.body.clone(),
        caller: req.caller.clone(),
    }
}

fn call_document_api(
    server: &mut Server,
    req: &ApiRequest,
    method: Method,
    collection: &str,
    key: Option<&str>,
) -> HandlerResult {
    let sub = document_request(req, method, collection, key);
    let path = sub.path();
    super::document::handle(server, &sub, &path[2..])
}

/// Splits a document-API write result into its `{_id, _key, _rev, _oldRev}`
/// part and the `old`/`new` copies appended to it.
fn split_write_result(reply: &Reply) -> (Map<String, Value>, Option<Value>, Option<Value>) {
    let mut meta = match &reply.body {
        Some(Value::Object(body)) => body.clone(),
        _ => Map::new(),
    };
    let old = meta.remove("old");
    let new = meta.remove("new");
    (meta, old, new)
}

fn revision_etag(meta: &Map<String, Value>) -> String {
    meta.get("_rev")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

fn read_document(
    server: &mut Server,
    req: &ApiRequest,
    field: &str,
    collection: &str,
    key: &str,
) -> HandlerResult {
    let reply = call_document_api(server, req, Method::GET, collection, Some(key))?;
    if reply.status != 200 {
        // 304 for a matching If-None-Match passes through unchanged.
        return Ok(reply);
    }
    let document = reply.body.unwrap_or(Value::Null);
    let rev = document
        .get("_rev")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut fields = Map::new();
    fields.insert(field.to_string(), document);
    Ok(Reply::envelope(200, Value::Object(fields)).with_header("etag", rev))
}

fn require_object_body(req: &ApiRequest) -> Result<(), ArangoError> {
    match req.json()? {
        Value::Object(_) => Ok(()),
        _ => Err(ArangoError::new(400, 1227, "invalid document type")),
    }
}

fn create_vertex(
    server: &mut Server,
    req: &ApiRequest,
    graph: &Graph,
    collection: &str,
) -> HandlerResult {
    require_object_body(req)?;
    if !graph.vertex_collections().contains(collection) {
        return Err(vertex_collection_not_in_graph(
            "referenced vertex collection is not part of the graph".into(),
        ));
    }
    if !server
        .database(&req.database)?
        .collections
        .contains_key(collection)
    {
        return Err(vertex_collection_missing(collection));
    }
    created_reply(
        call_document_api(server, req, Method::POST, collection, None)?,
        "vertex",
    )
}

fn create_edge(
    server: &mut Server,
    req: &ApiRequest,
    graph: &Graph,
    collection: &str,
) -> HandlerResult {
    require_object_body(req)?;
    if !graph.edge_definitions.contains_key(collection) {
        return Err(edge_collection_not_used());
    }
    validate_edge(server.database(&req.database)?, graph, &req.json()?, false)?;
    created_reply(
        call_document_api(server, req, Method::POST, collection, None)?,
        "edge",
    )
}

fn created_reply(reply: Reply, field: &str) -> HandlerResult {
    let (meta, _, new) = split_write_result(&reply);
    let etag = revision_etag(&meta);
    let mut fields = Map::new();
    fields.insert(field.to_string(), Value::Object(meta));
    if let Some(new) = new {
        fields.insert("new".into(), new);
    }
    Ok(Reply::envelope(reply.status, Value::Object(fields)).with_header("etag", etag))
}

/// The graph API's edge checks: `_from`/`_to` must be document ids in vertex
/// collections of the graph, and both documents must exist. A PATCH that
/// leaves them out is not checked.
fn validate_edge(
    database: &Database,
    graph: &Graph,
    body: &Value,
    is_update: bool,
) -> Result<(), ArangoError> {
    let (Some(from), Some(to)) = (
        body.get("_from").and_then(Value::as_str),
        body.get("_to").and_then(Value::as_str),
    ) else {
        return if is_update {
            Ok(())
        } else {
            Err(invalid_edge_attribute())
        };
    };
    let (Some((from_collection, from_key)), Some((to_collection, to_key))) =
        (from.split_once('/'), to.split_once('/'))
    else {
        return Err(invalid_edge_attribute());
    };
    let vertex_collections = graph.vertex_collections();
    for (side, name) in [("_from", from_collection), ("_to", to_collection)] {
        if !vertex_collections.contains(name) {
            return Err(vertex_collection_not_in_graph(format!(
                "referenced {side} collection '{name}' is not part of the graph"
            )));
        }
    }
    for (name, key) in [(from_collection, from_key), (to_collection, to_key)] {
        if !database.collection(name)?.documents.contains_key(key) {
            return Err(ArangoError::document_not_found());
        }
    }
    Ok(())
}

fn modify_document(
    server: &mut Server,
    req: &ApiRequest,
    graph: &Graph,
    field: &str,
    collection: &str,
    key: &str,
) -> HandlerResult {
    if field == "edge" {
        let is_update = req.method == Method::PATCH;
        validate_edge(
            server.database(&req.database)?,
            graph,
            &req.json()?,
            is_update,
        )?;
    }
    let reply = call_document_api(server, req, req.method.clone(), collection, Some(key))?;
    let (meta, old, new) = split_write_result(&reply);
    let etag = revision_etag(&meta);
    // The document API says 201 for a synced write; gharial says 200.
    let status = if reply.status == 202 { 202 } else { 200 };
    let mut fields = Map::new();
    fields.insert(field.to_string(), Value::Object(meta));
    if let Some(old) = old {
        fields.insert("old".into(), old);
    }
    if let Some(new) = new {
        fields.insert("new".into(), new);
    }
    Ok(Reply::envelope(status, Value::Object(fields)).with_header("etag", etag))
}

/// Removes a vertex or an edge and, as the server does, every edge that
/// points at it from an edge collection of this graph or of any graph using
/// its collection as a vertex collection.
fn remove_document(
    server: &mut Server,
    req: &ApiRequest,
    graph: &Graph,
    collection: &str,
    key: &str,
) -> HandlerResult {
    let reply = call_document_api(server, req, Method::DELETE, collection, Some(key))?;
    let database = server.database_mut(&req.database)?;
    let mut edge_collections = graph.edge_collections();
    for other in load_all(database)? {
        for definition in other.edge_definitions.values() {
            if definition.uses_vertex_collection(collection) {
                edge_collections.insert(definition.collection.clone());
            }
        }
    }
    let id = format!("{collection}/{key}");
    let points_at_removed = |edge: &Value| {
        ["_from", "_to"]
            .iter()
            .any(|side| edge.get(*side).and_then(Value::as_str) == Some(id.as_str()))
    };
    for name in &edge_collections {
        if let Some(edges) = database.collections.get_mut(name) {
            edges.documents.retain(|_, edge| !points_at_removed(edge));
        }
    }
    let (_, old, _) = split_write_result(&reply);
    let mut fields = Map::new();
    fields.insert("removed".into(), Value::Bool(true));
    if let Some(old) = old {
        fields.insert("old".into(), old);
    }
    Ok(Reply::envelope(reply.status, Value::Object(fields)))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use bytes::Bytes;
    use hyper::{HeaderMap, Method};
    use serde_json::{json, Value};

    use crate::error::ArangoError;
    use crate::request::{ApiRequest, Reply};
    use crate::routes::dispatch;
    use crate::state::Server;

    fn request(method: Method, target: &str, body: Value) -> ApiRequest {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let query: BTreeMap<String, String> = query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (name.to_string(), value.to_string())
            })
            .collect();
        ApiRequest {
            method,
            database: "_system".into(),
            segments: path
                .trim_start_matches('/')
                .split('/')
                .map(String::from)
                .collect(),
            raw_path: path.to_string(),
            query,
            headers: HeaderMap::new(),
            body: if body.is_null() {
                Bytes::new()
            } else {
                Bytes::from(body.to_string())
            },
            caller: None,
        }
    }

    fn call(
        server: &mut Server,
        method: Method,
        target: &str,
        body: Value,
    ) -> Result<Reply, ArangoError> {
        dispatch(server, &request(method, target, body))
    }

    fn ok(server: &mut Server, method: Method, target: &str, body: Value) -> (u16, Value) {
        let reply = call(server, method, target, body).expect("call succeeds");
        (reply.status, reply.body.unwrap_or(Value::Null))
    }

    fn error_num(server: &mut Server, method: Method, target: &str, body: Value) -> (u16, u32) {
        let err = call(server, method, target, body).expect_err("call fails");
        (err.status, err.error_num)
    }

    fn collection_type(server: &Server, name: &str) -> Option<u64> {
        server.databases["_system"]
            .collections
            .get(name)
            .map(|collection| collection.collection_type)
    }

    fn social(server: &mut Server) -> Value {
        let (status, body) = ok(
            server,
            Method::POST,
            "/_api/gharial",
            json!({
                "name": "social",
                "edgeDefinitions": [
                    {"collection": "relation", "from": ["male", "female"], "to": ["male", "female", "animal"]}
                ],
            }),
        );
        assert_eq!(status, 202);
        body
    }

    #[test]
    fn create_sorts_and_creates_missing_collections() {
        let mut server = Server::new("pw");
        let body = social(&mut server);
        assert_eq!(body["error"], false);
        assert_eq!(body["code"], 202);
        let graph = &body["graph"];
        assert_eq!(graph["_key"], "social");
        assert_eq!(graph["_id"], "_graphs/social");
        assert_eq!(graph["name"], "social");
        assert!(graph["_rev"].as_str().is_some_and(|rev| !rev.is_empty()));
        assert_eq!(
            graph["edgeDefinitions"],
            json!([{"collection": "relation", "from": ["female", "male"], "to": ["animal", "female", "male"]}])
        );
        assert_eq!(graph["orphanCollections"], json!([]));
        // Exactly the single-server field set.
        assert_eq!(graph.as_object().map(|graph| graph.len()), Some(6));
        assert_eq!(collection_type(&server, "relation"), Some(3));
        for vertex in ["male", "female", "animal"] {
            assert_eq!(collection_type(&server, vertex), Some(2), "{vertex}");
        }

        let (status, read) = ok(
            &mut server,
            Method::GET,
            "/_api/gharial/social",
            Value::Null,
        );
        assert_eq!(status, 200);
        assert_eq!(read["graph"], *graph);
        let (_, list) = ok(&mut server, Method::GET, "/_api/gharial", Value::Null);
        assert_eq!(list["graphs"], json!([graph]));
        let (_, vertices) = ok(
            &mut server,
            Method::GET,
            "/_api/gharial/social/vertex",
            Value::Null,
        );
        assert_eq!(vertices["collections"], json!(["animal", "female", "male"]));
        let (_, edges) = ok(
            &mut server,
            Method::GET,
            "/_api/gharial/social/edge",
            Value::Null,
        );
        assert_eq!(edges["collections"], json!(["relation"]));
        // Stored where ArangoDB stores it, without `name`.
        let stored = &server.databases["_system"].collections["_graphs"].documents["social"];
        assert!(stored.get("name").is_none());
        assert_eq!(stored["edgeDefinitions"], graph["edgeDefinitions"]);
    }

    #[test]
    fn create_with_wait_for_sync_and_orphans() {
        let mut server = Server::new("pw");
        let (status, body) = ok(
            &mut server,
            Method::POST,
            "/_api/gharial?waitForSync=true",
            json!({
                "name": "g",
                "edgeDefinitions": [{"collection": "e", "from": ["a"], "to": ["b"]}],
                "orphanCollections": ["z", "a", "y"],
            }),
        );
        assert_eq!(status, 201);
        assert_eq!(body["code"], 201);
        // An orphan that a definition already uses is dropped silently.
        assert_eq!(body["graph"]["orphanCollections"], json!(["y", "z"]));
        assert_eq!(collection_type(&server, "z"), Some(2));
        assert!(server.databases["_system"].collections["e"].wait_for_sync);
    }

    #[test]
    fn create_errors() {
        let mut server = Server::new("pw");
        social(&mut server);
        let post = |server: &mut Server, body: Value| {
            error_num(server, Method::POST, "/_api/gharial", body)
        };
        assert_eq!(post(&mut server, json!({"name": "social"})), (409, 1925));
        assert_eq!(
            post(&mut server, json!({"edgeDefinitions": []})),
            (400, 1922)
        );
        assert_eq!(
            post(
                &mut server,
                json!({"name": "g", "edgeDefinitions": [{"collection": "e", "from": [], "to": ["a"]}]})
            ),
            (400, 1923)
        );
        assert_eq!(
            post(&mut server, json!({"name": "g", "edgeDefinitions": ["e"]})),
            (400, 1923)
        );
        assert_eq!(
            post(
                &mut server,
                json!({"name": "g", "edgeDefinitions": [{"collection": "e", "to": ["a"]}]})
            ),
            (500, 1941)
        );
        assert_eq!(
            post(&mut server, json!({"name": "g", "edgeDefinitions": {}})),
            (400, 1901)
        );
        assert_eq!(
            post(
                &mut server,
                json!({"name": "g", "edgeDefinitions": [
                    {"collection": "e", "from": ["a"], "to": ["b"]},
                    {"collection": "e", "from": ["c"], "to": ["d"]},
                ]})
            ),
            (400, 1920)
        );
        assert_eq!(
            post(
                &mut server,
                json!({"name": "g", "edgeDefinitions": [{"collection": "relation", "from": ["male"], "to": ["male"]}]})
            ),
            (400, 1921)
        );
        assert_eq!(
            post(
                &mut server,
                json!({"name": "g", "edgeDefinitions": [{"collection": "male", "from": ["a"], "to": ["b"]}]})
            ),
            (500, 1944)
        );
        assert_eq!(
            post(
                &mut server,
                json!({"name": "g", "edgeDefinitions": [{"collection": "e", "from": ["1bad"], "to": ["b"]}]})
            ),
            (400, 1208)
        );
        // Nothing of the failed graphs was created.
        assert_eq!(collection_type(&server, "e"), None);
        assert_eq!(collection_type(&server, "b"), None);
        assert_eq!(
            server.databases["_system"].collections["_graphs"]
                .documents
                .len(),
            1
        );

        // Sharing an edge collection with the same definition is fine.
        let (status, _) = ok(
            &mut server,
            Method::POST,
            "/_api/gharial",
            json!({"name": "other", "edgeDefinitions": [
                {"collection": "relation", "from": ["female", "male"], "to": ["male", "animal", "female"]}
            ]}),
        );
        assert_eq!(status, 202);
    }

    #[test]
    fn unknown_graph_and_paths() {
        let mut server = Server::new("pw");
        assert_eq!(
            error_num(&mut server, Method::GET, "/_api/gharial/nope", Value::Null),
            (404, 1924)
        );
        assert_eq!(
            error_num(
                &mut server,
                Method::DELETE,
                "/_api/gharial/nope",
                Value::Null
            ),
            (404, 1924)
        );
        assert_eq!(
            error_num(
                &mut server,
                Method::GET,
                "/_api/gharial/nope/vertex",
                Value::Null
            ),
            (404, 1924)
        );
        let err = call(&mut server, Method::GET, "/_api/gharial/nope", Value::Null)
            .expect_err("unknown graph");
        assert_eq!(err.message, "graph 'nope' not found");
        social(&mut server);
        assert_eq!(
            error_num(
                &mut server,
                Method::PUT,
                "/_api/gharial/social",
                Value::Null
            ),
            (405, 405)
        );
        assert_eq!(
            error_num(&mut server, Method::DELETE, "/_api/gharial", Value::Null),
            (405, 405)
        );
        assert_eq!(
            error_num(
                &mut server,
                Method::GET,
                "/_api/gharial/social/other",
                Value::Null
            ),
            (404, 404)
        );
    }

    #[test]
    fn add_replace_remove_edge_definitions() {
        let mut server = Server::new("pw");
        social(&mut server);
        let works_in =
            json!({"collection": "works_in", "to": ["city"], "from": ["male", "female"]});
        let (status, body) = ok(
            &mut server,
            Method::POST,
            "/_api/gharial/social/edge",
            works_in.clone(),
        );
        assert_eq!(status, 202);
        assert_eq!(
            body["graph"]["edgeDefinitions"][1],
            json!({"collection": "works_in", "from": ["female", "male"], "to": ["city"]})
        );
        assert_eq!(collection_type(&server, "works_in"), Some(3));
        assert_eq!(collection_type(&server, "city"), Some(2));
        assert_eq!(
            error_num(
                &mut server,
                Method::POST,
                "/_api/gharial/social/edge",
                works_in
            ),
            (400, 1920)
        );

        // A second graph that shares works_in.
        ok(
            &mut server,
            Method::POST,
            "/_api/gharial",
            json!({"name": "jobs", "edgeDefinitions": [{"collection": "works_in", "from": ["female", "male"], "to": ["city"]}]}),
        );
        let conflicting = json!({"collection": "works_in", "from": ["male"], "to": ["city"]});
        assert_eq!(
            error_num(
                &mut server,
                Method::POST,
                "/_api/gharial/social/edge",
                conflicting
            ),
            (400, 1920)
        );
        ok(
            &mut server,
            Method::POST,
            "/_api/gharial",
            json!({"name": "empty"}),
        );
        let conflicting = json!({"collection": "works_in", "from": ["male"], "to": ["city"]});
        assert_eq!(
            error_num(
                &mut server,
                Method::POST,
                "/_api/gharial/empty/edge",
                conflicting
            ),
            (400, 1921)
        );

        // Replacing changes every graph with works_in; city is left unused and
        // becomes an orphan, and an orphan used again is promoted.
        ok(
            &mut server,
            Method::POST,
            "/_api/gharial/social/vertex",
            json!({"collection": "town"}),
        );
        let replacement = json!({"collection": "works_in", "from": ["male"], "to": ["town"]});
        let (status, body) = ok(
            &mut server,
            Method::PUT,
            "/_api/gharial/social/edge/works_in",
            replacement,
        );
        assert_eq!(status, 202);
        assert_eq!(
            body["graph"]["edgeDefinitions"][1],
            json!({"collection": "works_in", "from": ["male"], "to": ["town"]})
        );
        assert_eq!(body["graph"]["orphanCollections"], json!(["city"]));
        let (_, jobs) = ok(&mut server, Method::GET, "/_api/gharial/jobs", Value::Null);
        assert_eq!(jobs["graph"]["edgeDefinitions"][0]["to"], json!(["town"]));
        assert_eq!(
            jobs["graph"]["orphanCollections"],
            json!(["city", "female"])
        );
        assert_eq!(
            error_num(
                &mut server,
                Method::PUT,
                "/_api/gharial/social/edge/nope",
                json!({"collection": "nope", "from": ["a"], "to": ["b"]})
            ),
            (404, 1930)
        );

        // Removing: the vertex collections become orphans unless still used.
        let (status, body) = ok(
            &mut server,
            Method::DELETE,
            "/_api/gharial/social/edge/works_in",
            Value::Null,
        );
        assert_eq!(status, 202);
        assert_eq!(
            body["graph"]["edgeDefinitions"].as_array().map(Vec::len),
            Some(1)
        );
        assert_eq!(body["graph"]["orphanCollections"], json!(["city", "town"]));
        assert_eq!(
            error_num(
                &mut server,
                Method::DELETE,
                "/_api/gharial/social/edge/works_in",
                Value::Null
            ),
            (404, 1930)
        );
        // dropCollections spares an edge collection another graph still uses...
        ok(
            &mut server,
            Method::POST,
            "/_api/gharial/social/edge",
            json!({"collection": "works_in", "from": ["male"], "to": ["town"]}),
        );
        ok(
            &mut server,
            Method::DELETE,
            "/_api/gharial/social/edge/works_in?dropCollections=true",
            Value::Null,
        );
        assert_eq!(collection_type(&server, "works_in"), Some(3));
        // ...and drops it once no graph does, keeping its vertex collections.
        let (_, body) = ok(
            &mut server,
            Method::DELETE,
            "/_api/gharial/jobs/edge/works_in?dropCollections=true",
            Value::Null,
        );
        assert_eq!(collection_type(&server, "works_in"), None);
        assert_eq!(
            body["graph"]["orphanCollections"],
            json!(["city", "female", "male", "town"])
        );
        assert_eq!(collection_type(&server, "town"), Some(2));
    }

    #[test]
    fn add_and_remove_orphans() {
        let mut server = Server::new("pw");
        social(&mut server);
        let (status, body) = ok(
            &mut server,
            Method::POST,
            "/_api/gharial/social/vertex",
            json!({"collection": "other"}),
        );
        assert_eq!(status, 202);
        assert_eq!(body["graph"]["orphanCollections"], json!(["other"]));
        assert_eq!(collection_type(&server, "other"), Some(2));
        let (_, vertices) = ok(
            &mut server,
            Method::GET,
            "/_api/gharial/social/vertex",
            Value::Null,
        );
        assert_eq!(
            vertices["collections"],
            json!(["animal", "female", "male", "other"])
        );

        let add = |server: &mut Server, name: &str| {
            error_num(
                server,
                Method::POST,
                "/_api/gharial/social/vertex",
                json!({ "collection": name }),
            )
        };
        assert_eq!(add(&mut server, "other"), (400, 1938));
        assert_eq!(add(&mut server, "male"), (400, 1929));
        assert_eq!(add(&mut server, "relation"), (400, 1927));
        assert_eq!(add(&mut server, "_bad"), (400, 1208));
        assert_eq!(
            error_num(
                &mut server,
                Method::POST,
                "/_api/gharial/social/vertex?createCollection=false",
                json!({"collection": "new"})
            ),
            (404, 1926)
        );

        // Only orphans can be removed.
        assert_eq!(
            error_num(
                &mut server,
                Method::DELETE,
                "/_api/gharial/social/vertex/male",
                Value::Null
            ),
            (400, 1928)
        );
        assert_eq!(
            error_num(
                &mut server,
                Method::DELETE,
                "/_api/gharial/social/vertex/nope",
                Value::Null
            ),
            (400, 1928)
        );
        let (status, body) = ok(
            &mut server,
            Method::DELETE,
            "/_api/gharial/social/vertex/other",
            Value::Null,
        );
        assert_eq!(status, 202);
        assert_eq!(body["graph"]["orphanCollections"], json!([]));
        assert_eq!(collection_type(&server, "other"), Some(2));

        ok(
            &mut server,
            Method::POST,
            "/_api/gharial/social/vertex",
            json!({"collection": "other"}),
        );
        ok(
            &mut server,
            Method::DELETE,
            "/_api/gharial/social/vertex/other?dropCollection=true",
            Value::Null,
        );
        assert_eq!(collection_type(&server, "other"), None);
    }

    #[test]
    fn drop_graph_with_and_without_collections() {
        let mut server = Server::new("pw");
        social(&mut server);
        let (status, body) = ok(
            &mut server,
            Method::DELETE,
            "/_api/gharial/social",
            Value::Null,
        );
        assert_eq!(
            (status, body),
            (202, json!({"error": false, "code": 202, "removed": true}))
        );
        assert_eq!(collection_type(&server, "relation"), Some(3));
        assert_eq!(
            error_num(
                &mut server,
                Method::GET,
                "/_api/gharial/social",
                Value::Null
            ),
            (404, 1924)
        );

        social(&mut server);
        ok(
            &mut server,
            Method::POST,
            "/_api/gharial",
            json!({"name": "zoo", "edgeDefinitions": [{"collection": "feeds", "from": ["keeper"], "to": ["animal"]}], "orphanCollections": ["visitor"]}),
        );
        ok(
            &mut server,
            Method::DELETE,
            "/_api/gharial/social?dropCollections=true&waitForSync=true",
            Value::Null,
        );
        for gone in ["relation", "male", "female"] {
            assert_eq!(collection_type(&server, gone), None, "{gone}");
        }
        // zoo still uses animal.
        assert_eq!(collection_type(&server, "animal"), Some(2));
        ok(
            &mut server,
            Method::DELETE,
            "/_api/gharial/zoo?dropCollections=true",
            Value::Null,
        );
        for gone in ["feeds", "keeper", "animal", "visitor"] {
            assert_eq!(collection_type(&server, gone), None, "{gone}");
        }
    }

    #[test]
    fn collection_drop_refused_while_in_a_graph() {
        let mut server = Server::new("pw");
        social(&mut server);
        ok(
            &mut server,
            Method::POST,
            "/_api/gharial/social/vertex",
            json!({"collection": "other"}),
        );
        for member in ["relation", "male", "other"] {
            let (_, num) = error_num(
                &mut server,
                Method::DELETE,
                &format!("/_api/collection/{member}"),
                Value::Null,
            );
            assert_eq!(num, 1942, "{member}");
        }
        ok(
            &mut server,
            Method::DELETE,
            "/_api/gharial/social/vertex/other",
            Value::Null,
        );
        let (status, _) = ok(
            &mut server,
            Method::DELETE,
            "/_api/collection/other",
            Value::Null,
        );
        assert_eq!(status, 200);
    }

    #[test]
    fn vertices_and_edges_through_the_graph() {
        let mut server = Server::new("pw");
        social(&mut server);
        let (status, body) = ok(
            &mut server,
            Method::POST,
            "/_api/gharial/social/vertex/male",
            json!({"_key": "bob"}),
        );
        assert_eq!(status, 202);
        assert_eq!(body["vertex"]["_id"], "male/bob");
        ok(
            &mut server,
            Method::POST,
            "/_api/gharial/social/vertex/female",
            json!({"_key": "alice"}),
        );
        assert_eq!(
            error_num(
                &mut server,
                Method::POST,
                "/_api/gharial/social/vertex/relation",
                json!({})
            ),
            (400, 1947)
        );

        let edge = json!({"_key": "e1", "_from": "male/bob", "_to": "female/alice"});
        let (status, body) = ok(
            &mut server,
            Method::POST,
            "/_api/gharial/social/edge/relation?returnNew=true",
            edge,
        );
        assert_eq!(status, 202);
        assert_eq!(body["edge"]["_id"], "relation/e1");
        assert_eq!(body["new"]["_from"], "male/bob");
        let missing = json!({"_from": "male/bob", "_to": "female/nobody"});
        assert_eq!(
            error_num(
                &mut server,
                Method::POST,
                "/_api/gharial/social/edge/relation",
                missing
            ),
            (404, 1202)
        );
        let outside = json!({"_from": "male/bob", "_to": "city/x"});
        assert_eq!(
            error_num(
                &mut server,
                Method::POST,
                "/_api/gharial/social/edge/relation",
                outside
            ),
            (400, 1947)
        );
        assert_eq!(
            error_num(
                &mut server,
                Method::POST,
                "/_api/gharial/social/edge/relation",
                json!({})
            ),
            (400, 1233)
        );

        let (status, body) = ok(
            &mut server,
            Method::GET,
            "/_api/gharial/social/edge/relation/e1",
            Value::Null,
        );
        assert_eq!(status, 200);
        assert_eq!(body["edge"]["_to"], "female/alice");
        let (status, body) = ok(
            &mut server,
            Method::PATCH,
            "/_api/gharial/social/vertex/male/bob",
            json!({"age": 3}),
        );
        assert_eq!(status, 202);
        assert_eq!(body["vertex"]["_key"], "bob");

        // Removing a vertex removes its edges.
        let (status, body) = ok(
            &mut server,
            Method::DELETE,
            "/_api/gharial/social/vertex/female/alice",
            Value::Null,
        );
        assert_eq!(
            (status, body),
            (202, json!({"error": false, "code": 202, "removed": true}))
        );
        assert!(server.databases["_system"].collections["relation"]
            .documents
            .is_empty());
    }
}
