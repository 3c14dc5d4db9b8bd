//! `/_api/collection`: create, list, read, change properties, rename,
//! truncate, count and drop collections.
//!
//! Only the mutable properties change after creation; the properties handler
//! silently drops everything else, exactly as ArangoDB's does (section 3.4).
//! Cluster-only options are accepted and not echoed back on a single server;
//! on a coordinator they are validated, stored and reported (see `cluster`).

use hyper::Method;
use serde_json::{json, Map, Value};

use crate::error::ArangoError;
use crate::names;
use crate::request::{ApiRequest, HandlerResult, Reply};
use crate::schema;
use crate::state::{Collection, Server, DOCUMENT_COLLECTION, EDGE_COLLECTION};

use super::cluster;

const KEY_GENERATORS: &[&str] = &["traditional", "autoincrement", "uuid", "padded"];
const COMPUTE_ON: &[&str] = &["insert", "update", "replace"];
const SYSTEM_ATTRIBUTES: &[&str] = &["_key", "_id", "_rev", "_from", "_to"];

pub fn handle(server: &mut Server, req: &ApiRequest, rest: &[&str]) -> HandlerResult {
    // A collection can be named by its id as well (names never start with a digit).
    let by_id = match rest.first() {
        Some(first) if first.bytes().all(|b| b.is_ascii_digit()) && !first.is_empty() => server
            .database(&req.database)?
            .collections
            .values()
            .find(|collection| collection.id.to_string() == *first)
            .map(|collection| collection.name.clone()),
        _ => None,
    };
    let resolved: Vec<&str>;
    let rest = match &by_id {
        Some(name) => {
            resolved = std::iter::once(name.as_str())
                .chain(rest.iter().skip(1).copied())
                .collect();
            resolved.as_slice()
        }
        None => rest,
    };
    match (&req.method, rest) {
        (&Method::GET, []) => {
            let exclude_system = req.query_bool("excludeSystem", false);
            let database = server.database(&req.database)?;
            let result: Vec<Value> = database
                .collections
                .values()
                .filter(|collection| !(exclude_system && collection.is_system))
                .map(Collection::summary)
                .collect();
            Ok(Reply::envelope(200, json!({ "result": result })))
        }
        (&Method::POST, []) => {
            let mut body = req.json_object("expecting JSON object body")?;
            if let Some(enforce) = req.query_str("enforceReplicationFactor") {
                body.entry("enforceReplicationFactor")
                    .or_insert(Value::Bool(enforce != "false"));
            }
            let properties = create(server, &req.database, &body)?;
            Ok(Reply::envelope(200, properties))
        }
        (&Method::GET, [name]) => {
            let collection = server.database(&req.database)?.collection(name)?;
            Ok(Reply::envelope(200, collection.summary()))
        }
        (&Method::GET, [name, "properties"]) => {
            let collection = server.database(&req.database)?.collection(name)?;
            Ok(Reply::envelope(200, collection.properties()))
        }
        (&Method::GET, [name, "count"]) => {
            let collection = server.database(&req.database)?.collection(name)?;
            let mut body = collection.properties();
            body["count"] = Value::from(collection.documents.len());
            Ok(Reply::envelope(200, body))
        }
        (&Method::GET, [name, "figures"]) => {
            let collection = server.database(&req.database)?.collection(name)?;
            let mut body = collection.properties();
            body["count"] = Value::from(collection.documents.len());
            body["figures"] = json!({
                "indexes": {"count": collection.indexes.len() + 1, "size": 0},
                "documentsSize": 0,
                "cacheInUse": false,
                "cacheSize": 0,
                "cacheUsage": 0,
            });
            Ok(Reply::envelope(200, body))
        }
        (&Method::GET, [name, "revision" | "checksum"]) => {
            let collection = server.database(&req.database)?.collection(name)?;
            let mut body = collection.properties();
            let revision = collection
                .documents
                .values()
                .filter_map(|document| document.get("_rev").and_then(Value::as_str))
                .max()
                .unwrap_or("0")
                .to_string();
            if rest[1] == "checksum" {
                // The checksum answer names the collection but leaves out its properties.
                body = collection.summary();
            }
            body["revision"] = Value::from(revision);
            if rest[1] == "checksum" {
                body["checksum"] = Value::from(checksum(
                    collection,
                    req.query_bool("withRevisions", false),
                    req.query_bool("withData", false),
                ));
            }
            Ok(Reply::envelope(200, body))
        }
        (&Method::GET, [name, "shards"]) => cluster::shards(server, req, name),
        (&Method::PUT, [name, "responsibleShard"]) if server.profile.is_cluster() => {
            cluster::responsible_shard(server, req, name)
        }
        (&Method::PUT, [name, "properties"]) => {
            let body = req.json_object("expecting JSON object body")?;
            let bounds = server.profile.replication_factor_bounds();
            let database = server.database_mut(&req.database)?;
            let collection = database.collection_mut(name)?;
            if collection.sharding.is_some() {
                cluster::check_property_update(collection, &body, bounds)?;
            }
            update_properties(collection, &body)?;
            Ok(Reply::envelope(200, collection.properties()))
        }
        (&Method::PUT, [name, "rename"]) => rename(server, req, name),
        (&Method::PUT, [name, "truncate"]) => {
            let database = server.database_mut(&req.database)?;
            let collection = database.collection_mut(name)?;
            collection.documents.clear();
            Ok(Reply::envelope(200, collection.summary()))
        }
        // Memory-management calls have nothing to do in memory.
        (
            &Method::PUT,
            [name, "load" | "unload" | "loadIndexesIntoMemory" | "recalculateCount" | "compact"],
        ) => {
            let collection = server.database(&req.database)?.collection(name)?;
            let mut body = collection.summary();
            match rest[1] {
                "loadIndexesIntoMemory" => body = json!({ "result": true }),
                "load" => body["count"] = Value::from(collection.documents.len()),
                _ => {}
            }
            Ok(Reply::envelope(200, body))
        }
        (&Method::DELETE, [name]) => drop_collection(server, req, name),
        (_, [] | [_] | [_, _]) => Err(ArangoError::method_not_allowed()),
        _ => Err(ArangoError::unknown_path(&req.raw_path)),
    }
}

/// `GET /_api/key-generators`: the key generator names the server knows,
/// in its order, as a plain JSON answer (transcript RestCollectionGetKeyGenerators).
pub fn key_generators(server: &Server, req: &ApiRequest) -> HandlerResult {
    if req.method != Method::GET {
        return Err(ArangoError::method_not_allowed());
    }
    Ok(Reply::json(
        200,
        json!({"keyGenerators": server.profile.key_generators()}),
    ))
}

/// Creates a collection from a `POST /_api/collection` body and returns its
/// properties. Also used by the graph module, which creates missing
/// collections of a graph.
pub fn create(
    server: &mut Server,
    database_name: &str,
    options: &Map<String, Value>,
) -> Result<Value, ArangoError> {
    let name = match options.get("name") {
        Some(Value::String(name)) => name.clone(),
        _ => return Err(ArangoError::illegal_name("collection name invalid")),
    };
    let is_system = bool_option(options, "isSystem", false)?;
    names::check_collection_name(&name, is_system, server.profile.extended_names())?;
    let collection_type = match options.get("type") {
        None | Some(Value::Null) => DOCUMENT_COLLECTION,
        Some(value) => match value.as_u64() {
            Some(t @ (DOCUMENT_COLLECTION | EDGE_COLLECTION)) => t,
            _ => return Err(ArangoError::collection_type_invalid()),
        },
    };
    let key_options = key_options(options.get("keyOptions"))?;
    let stored_schema = match options.get("schema") {
        Some(value) => schema::normalize(value)?,
        None => None,
    };
    let computed_values = match options.get("computedValues") {
        Some(value) => normalize_computed_values(value)?,
        None => None,
    };
    let wait_for_sync = bool_option(options, "waitForSync", false)?;
    let cache_enabled = bool_option(options, "cacheEnabled", false)? && !is_system;
    let cluster_options = if server.profile.is_cluster() {
        Some(cluster::creation_options(
            server,
            database_name,
            &name,
            options,
            &key_options,
        )?)
    } else {
        None
    };
    let database = server.database(database_name)?;
    // Views and collections share one namespace.
    if database.collections.contains_key(&name) || database.views.contains_key(&name) {
        return Err(ArangoError::duplicate_name(&name));
    }
    let mut collection = server.new_collection(&name, collection_type, is_system);
    if let Some(chosen) = cluster_options {
        collection.write_concern = chosen.write_concern;
        collection.sharding = Some(cluster::place(server, database_name, chosen)?);
    }
    collection.key_options = key_options;
    collection.schema = stored_schema;
    collection.computed_values = computed_values;
    collection.wait_for_sync = wait_for_sync;
    collection.cache_enabled = cache_enabled;
    let properties = collection.properties();
    server
        .database_mut(database_name)?
        .collections
        .insert(name, collection);
    Ok(properties)
}

fn bool_option(
    options: &Map<String, Value>,
    key: &str,
    default: bool,
) -> Result<bool, ArangoError> {
    match options.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(value)) => Ok(*value),
        Some(_) => Err(ArangoError::bad_parameter(format!(
            "'{key}' must be a boolean"
        ))),
    }
}

/// ArangoDB's error for key generator descriptions it cannot build (1232).
fn invalid_key_generator(message: &str) -> ArangoError {
    ArangoError::new(400, 1232, message)
}

/// Validates `keyOptions` and returns what the server keeps of them.
fn key_options(value: Option<&Value>) -> Result<Map<String, Value>, ArangoError> {
    let mut stored = Map::new();
    let options = match value {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(options)) => options.clone(),
        Some(_) => return Err(ArangoError::bad_parameter("invalid keyOptions")),
    };
    let generator = match options.get("type") {
        None => "traditional",
        Some(Value::String(generator)) if KEY_GENERATORS.contains(&generator.as_str()) => {
            generator.as_str()
        }
        Some(_) => return Err(invalid_key_generator("invalid key generator type")),
    };
    stored.insert(
        "allowUserKeys".into(),
        Value::Bool(bool_option(&options, "allowUserKeys", true)?),
    );
    stored.insert("type".into(), Value::from(generator));
    let has_increment = options.contains_key("increment") || options.contains_key("offset");
    if generator == "autoincrement" {
        let increment = options.get("increment").map_or(Some(1), Value::as_u64);
        let offset = options.get("offset").map_or(Some(0), Value::as_u64);
        match (increment, offset) {
            (Some(increment @ 1..=65535), Some(offset)) => {
                stored.insert("offset".into(), Value::from(offset));
                stored.insert("increment".into(), Value::from(increment));
            }
            _ => {
                return Err(invalid_key_generator(
                    "increment value must be greater than zero and smaller than 65536, offset must be zero or greater",
                ))
            }
        }
    } else if has_increment {
        return Err(ArangoError::bad_parameter(
            "'increment' and 'offset' are only allowed for the autoincrement key generator",
        ));
    }
    Ok(stored)
}

fn computed_error(detail: &str) -> ArangoError {
    ArangoError::bad_parameter(format!("invalid 'computedValues' entry: {detail}"))
}

/// The stored form of `computedValues` (every entry with all six keys), or
/// `None` when `null`/`[]` removes them.
pub fn normalize_computed_values(value: &Value) -> Result<Option<Value>, ArangoError> {
    let entries = match value {
        Value::Null => return Ok(None),
        Value::Array(entries) if entries.is_empty() => return Ok(None),
        Value::Array(entries) => entries,
        _ => {
            return Err(ArangoError::bad_parameter(
                "Computed values description is not an array.",
            ))
        }
    };
    let mut names = Vec::new();
    let mut stored = Vec::new();
    for entry in entries {
        let entry = entry
            .as_object()
            .ok_or_else(|| computed_error("computed value must be an object"))?;
        let name = entry
            .get("name")
            .and_then(Value::as_str)
            .filter(|name| !name.is_empty())
            .ok_or_else(|| computed_error("'name' must be a non-empty string"))?;
        if SYSTEM_ATTRIBUTES.contains(&name) || name.contains('.') {
            return Err(computed_error(&format!(
                "cannot use '{name}' as target attribute"
            )));
        }
        if names.contains(&name) {
            return Err(computed_error(&format!(
                "duplicate attribute name '{name}'"
            )));
        }
        names.push(name);
        let expression = entry
            .get("expression")
            .and_then(Value::as_str)
            .ok_or_else(|| computed_error("'expression' must be a string"))?;
        check_computed_expression(expression)?;
        let overwrite = entry
            .get("overwrite")
            .and_then(Value::as_bool)
            .ok_or_else(|| computed_error("'overwrite' must be a boolean"))?;
        let compute_on =
            match entry.get("computeOn") {
                None => json!(COMPUTE_ON),
                Some(Value::Array(on))
                    if !on.is_empty()
                        && on.iter().all(|item| {
                            item.as_str().is_some_and(|item| COMPUTE_ON.contains(&item))
                        }) =>
                {
                    Value::Array(on.clone())
                }
                Some(_) => return Err(computed_error(
                    "'computeOn' must be a non-empty array of \"insert\", \"update\", \"replace\"",
                )),
            };
        let keep_null = entry.get("keepNull").map_or(Some(true), Value::as_bool);
        let fail_on_warning = entry
            .get("failOnWarning")
            .map_or(Some(false), Value::as_bool);
        let (Some(keep_null), Some(fail_on_warning)) = (keep_null, fail_on_warning) else {
            return Err(computed_error(
                "'keepNull' and 'failOnWarning' must be booleans",
            ));
        };
        stored.push(json!({
            "name": name,
            "expression": expression,
            "computeOn": compute_on,
            "overwrite": overwrite,
            "failOnWarning": fail_on_warning,
            "keepNull": keep_null,
        }));
    }
    Ok(Some(Value::Array(stored)))
}

/// A computed value is one `RETURN` expression over `@doc`: no other
/// statements and no bind parameters but `@doc`.
fn check_computed_expression(expression: &str) -> Result<(), ArangoError> {
    let syntax = aql_lexer::check_syntax(expression)
        .map_err(|err| computed_error(&format!("{} in expression '{expression}'", err.message)))?;
    for parameter in &syntax.bind_parameters {
        if parameter.name != "doc" || parameter.kind != aql_lexer::BindParameterKind::Value {
            return Err(computed_error(&format!(
                "invalid bind parameter '@{}' in expression; only @doc is allowed",
                parameter.name
            )));
        }
    }
    let tokens = aql_lexer::tokenize(expression).map_err(|err| computed_error(&err.message))?;
    let mut keywords = tokens
        .iter()
        .filter(|token| token.kind == aql_lexer::TokenKind::Keyword)
        .map(|token| token.text.to_ascii_uppercase());
    let first = keywords.next();
    let statements = [
        "FOR", "LET", "COLLECT", "FILTER", "SORT", "LIMIT", "INSERT", "UPDATE", "REPLACE",
        "REMOVE", "UPSERT", "WITH", "RETURN",
    ];
    if first.as_deref() != Some("RETURN")
        || keywords.any(|keyword| statements.contains(&keyword.as_str()))
    {
        return Err(computed_error(&format!(
            "expression must be a single RETURN statement: '{expression}'"
        )));
    }
    Ok(())
}

/// Applies a `PUT .../properties` body: only the mutable attributes count.
pub fn update_properties(
    collection: &mut Collection,
    body: &Map<String, Value>,
) -> Result<(), ArangoError> {
    // Validate everything before changing anything: a failed call changes nothing.
    let wait_for_sync = body
        .get("waitForSync")
        .map(|_| bool_option(body, "waitForSync", false))
        .transpose()?;
    let cache_enabled = body
        .get("cacheEnabled")
        .map(|_| bool_option(body, "cacheEnabled", false))
        .transpose()?;
    let new_schema = body.get("schema").map(schema::normalize).transpose()?;
    let computed = body
        .get("computedValues")
        .map(normalize_computed_values)
        .transpose()?;
    if let Some(factor) = body.get("replicationFactor") {
        let valid = factor.as_u64().is_some_and(|factor| factor > 0) || factor == "satellite";
        if !valid {
            return Err(ArangoError::bad_parameter(
                "bad value for replicationFactor",
            ));
        }
    }
    if let Some(concern) = body
        .get("writeConcern")
        .or_else(|| body.get("minReplicationFactor"))
    {
        if concern.as_u64().is_none_or(|concern| concern == 0) {
            return Err(ArangoError::bad_parameter("bad value for writeConcern"));
        }
    }
    if let Some(sharding) = &mut collection.sharding {
        if let Some(factor) = body.get("replicationFactor").and_then(Value::as_u64) {
            sharding.replication_factor = factor;
        }
        if let Some(concern) = body
            .get("writeConcern")
            .or_else(|| body.get("minReplicationFactor"))
            .and_then(Value::as_u64)
        {
            collection.write_concern = concern;
        }
    }
    if let Some(wait_for_sync) = wait_for_sync {
        collection.wait_for_sync = wait_for_sync;
    }
    if let Some(cache_enabled) = cache_enabled {
        collection.cache_enabled = cache_enabled && !collection.is_system;
    }
    if let Some(new_schema) = new_schema {
        collection.schema = new_schema;
    }
    if let Some(computed) = computed {
        collection.computed_values = computed;
    }
    Ok(())
}

fn rename(server: &mut Server, req: &ApiRequest, old_name: &str) -> HandlerResult {
    let extended = server.profile.extended_names();
    let body = req.json_object("expecting JSON object body")?;
    let new_name = match body.get("name") {
        Some(Value::String(name)) => name.clone(),
        _ => return Err(ArangoError::illegal_name("collection name invalid")),
    };
    let database = server.database_mut(&req.database)?;
    let current = database.collection(old_name)?;
    if current.sharding.is_some() {
        // Renaming is not supported on a coordinator (ERROR_CLUSTER_UNSUPPORTED).
        return Err(cluster::unsupported());
    }
    if current.is_system {
        return Err(ArangoError::forbidden());
    }
    // ArangoDB treats renaming to the current name as done.
    if new_name == old_name {
        return Ok(Reply::envelope(200, current.summary()));
    }
    names::check_collection_name(&new_name, false, extended)?;
    if database.collections.contains_key(&new_name) || database.views.contains_key(&new_name) {
        return Err(ArangoError::duplicate_name(&new_name));
    }
    let Some(mut collection) = database.collections.remove(old_name) else {
        return Err(ArangoError::collection_not_found(old_name));
    };
    collection.name = new_name.clone();
    for document in collection.documents.values_mut() {
        if let Some(key) = document
            .get("_key")
            .and_then(Value::as_str)
            .map(str::to_string)
        {
            document["_id"] = Value::from(format!("{new_name}/{key}"));
        }
    }
    let summary = collection.summary();
    database.collections.insert(new_name.clone(), collection);
    rename_in_graphs(database, old_name, &new_name);
    super::view::rename_collection(database, old_name, &new_name);
    Ok(Reply::envelope(200, summary))
}

/// ArangoDB updates named-graph definitions when a member collection is renamed.
fn rename_in_graphs(database: &mut crate::state::Database, old_name: &str, new_name: &str) {
    let Some(graphs) = database.collections.get_mut("_graphs") else {
        return;
    };
    let rename = |list: &mut Value| {
        if let Value::Array(items) = list {
            for item in items.iter_mut() {
                if item == old_name {
                    *item = Value::from(new_name);
                }
            }
            items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        }
    };
    for graph in graphs.documents.values_mut() {
        if let Some(Value::Array(definitions)) = graph.get_mut("edgeDefinitions") {
            for definition in definitions.iter_mut() {
                if definition.get("collection").and_then(Value::as_str) == Some(old_name) {
                    definition["collection"] = Value::from(new_name);
                }
                if let Some(from) = definition.get_mut("from") {
                    rename(from);
                }
                if let Some(to) = definition.get_mut("to") {
                    rename(to);
                }
            }
        }
        if let Some(orphans) = graph.get_mut("orphanCollections") {
            rename(orphans);
        }
    }
}

/// How a named graph uses a collection, in the order ArangoDB 3.12 checks
/// (and names) the roles when it refuses to drop the collection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GraphRole {
    Orphan,
    Edge,
    Vertex,
}

impl GraphRole {
    fn describe(self) -> &'static str {
        match self {
            GraphRole::Orphan => "an orphan collection",
            GraphRole::Edge => "an edge collection",
            GraphRole::Vertex => "a vertex collection",
        }
    }
}

/// Graphs (from `_graphs`) that use the collection, with the role it plays.
pub fn graphs_using(
    database: &crate::state::Database,
    collection: &str,
) -> Vec<(String, GraphRole)> {
    let Some(graphs) = database.collections.get("_graphs") else {
        return Vec::new();
    };
    let mentions = |list: Option<&Value>| {
        list.and_then(Value::as_array)
            .is_some_and(|items| items.iter().any(|item| item == collection))
    };
    graphs
        .documents
        .iter()
        .filter_map(|(key, graph)| {
            let definitions = graph.get("edgeDefinitions").and_then(Value::as_array);
            let definitions = definitions.map(Vec::as_slice).unwrap_or_default();
            let role = if mentions(graph.get("orphanCollections")) {
                Some(GraphRole::Orphan)
            } else if definitions.iter().any(|definition| {
                definition.get("collection").and_then(Value::as_str) == Some(collection)
            }) {
                Some(GraphRole::Edge)
            } else if definitions.iter().any(|definition| {
                mentions(definition.get("from")) || mentions(definition.get("to"))
            }) {
                Some(GraphRole::Vertex)
            } else {
                None
            };
            role.map(|role| (key.clone(), role))
        })
        .collect()
}

fn drop_collection(server: &mut Server, req: &ApiRequest, name: &str) -> HandlerResult {
    let database = server.database_mut(&req.database)?;
    let collection = database.collection(name)?;
    if collection.is_system && !req.query_bool("isSystem", false) {
        return Err(ArangoError::forbidden());
    }
    // 3.12 refuses to drop a collection that a named graph still uses.
    // The HTTP status of 1942 is not documented (shared/ARANGODB_API.md 13.1);
    // clients branch on the errorNum.
    if let Some((graph, role)) = graphs_using(database, name).first() {
        return Err(ArangoError::new(
            400,
            1942,
            format!(
                "must not drop collection while part of graph: collection '{name}' is {} inside graph '{graph}'",
                role.describe()
            ),
        ));
    }
    if collection.sharding.is_some() {
        cluster::check_drop(database, name)?;
    }
    let id = collection.id;
    database.collections.remove(name);
    super::view::forget_collection(database, name);
    Ok(Reply::envelope(200, json!({ "id": id.to_string() })))
}

/// A content checksum like ArangoDB's: one hash per document over its key
/// (plus revision and user data when asked for), XOR-ed together, so the
/// order of documents does not matter and an empty collection sums to "0".
fn checksum(collection: &Collection, with_revisions: bool, with_data: bool) -> String {
    use std::hash::{Hash, Hasher};
    let sum = collection
        .documents
        .iter()
        .map(|(key, document)| {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            key.hash(&mut hasher);
            if with_revisions {
                document
                    .get("_rev")
                    .and_then(Value::as_str)
                    .hash(&mut hasher);
            }
            if with_data {
                if let Some(attributes) = document.as_object() {
                    for (name, value) in attributes {
                        if !matches!(name.as_str(), "_key" | "_id" | "_rev") {
                            name.hash(&mut hasher);
                            value.to_string().hash(&mut hasher);
                        }
                    }
                }
            }
            hasher.finish()
        })
        .fold(0u64, |sum, hash| sum ^ hash);
    sum.to_string()
}
