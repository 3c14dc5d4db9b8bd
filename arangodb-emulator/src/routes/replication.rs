//! The replication endpoints a schema reader needs: dump batches and the
//! inventory, which returns every collection with its properties and indexes
//! in one response (shared/ARANGODB_API.md 8.1). A single server requires a
//! batch id for the inventory; the cluster variant answers 1471 here.
//!
//! A coordinator answers the other way round (`RestReplicationHandler`):
//! `clusterInventory` serves the whole schema without a batch, while batch,
//! inventory and dump are only forwarded to a DB-Server named by `DBserver`,
//! and without one are refused with 400/10 `need "DBserver" parameter`.

use std::time::{Duration, Instant};

use hyper::Method;
use serde_json::{json, Value};

use crate::error::ArangoError;
use crate::indexes;
use crate::request::{ApiRequest, HandlerResult, Reply};
use crate::state::{Batch, Collection, Database, Server};

const DEFAULT_BATCH_TTL_SECONDS: u64 = 300;

fn batch_not_found(detail: &str) -> ArangoError {
    ArangoError::new(404, 1600, detail)
}

pub fn handle(server: &mut Server, req: &ApiRequest, rest: &[&str]) -> HandlerResult {
    if server.profile.is_cluster() {
        return coordinator(server, req, rest);
    }
    let now = Instant::now();
    server.batches.retain(|_, batch| batch.expires > now);
    match (&req.method, rest) {
        (&Method::POST, ["batch"]) => {
            let ttl = ttl_of(req)?;
            let id = server.ids.next_id().to_string();
            server.batches.insert(
                id.clone(),
                Batch {
                    database: req.database.clone(),
                    expires: now + ttl,
                },
            );
            let tick = server.ids.next_id().to_string();
            Ok(Reply::json(
                200,
                json!({"id": id, "lastTick": tick, "state": {"running": true}}),
            ))
        }
        (&Method::PUT, ["batch", id]) => {
            let ttl = ttl_of(req)?;
            let batch = server
                .batches
                .get_mut(*id)
                .ok_or_else(|| batch_not_found("context was not found"))?;
            batch.expires = now + ttl;
            Ok(Reply::empty(204))
        }
        (&Method::DELETE, ["batch", id]) => {
            server
                .batches
                .remove(*id)
                .ok_or_else(|| batch_not_found("context was not found"))?;
            Ok(Reply::empty(204))
        }
        (&Method::GET, ["inventory"]) => inventory(server, req),
        (&Method::GET, ["clusterInventory"]) => Err(ArangoError::new(
            403,
            1471,
            "this operation is only valid on a coordinator in a cluster",
        )),
        (_, ["batch"] | ["batch", _] | ["inventory"] | ["clusterInventory"]) => {
            Err(ArangoError::method_not_allowed())
        }
        _ => Err(ArangoError::unknown_path(&req.raw_path)),
    }
}

fn ttl_of(req: &ApiRequest) -> Result<Duration, ArangoError> {
    let ttl = match req.json()? {
        Value::Null => DEFAULT_BATCH_TTL_SECONDS,
        body => body
            .get("ttl")
            .map_or(Some(DEFAULT_BATCH_TTL_SECONDS), Value::as_u64)
            .ok_or_else(|| ArangoError::bad_parameter("invalid ttl value"))?,
    };
    Ok(Duration::from_secs(ttl))
}

fn inventory(server: &mut Server, req: &ApiRequest) -> HandlerResult {
    let batch_id = req
        .query_str("batchId")
        .ok_or_else(|| batch_not_found("batchId not specified"))?;
    let batch = server
        .batches
        .get(batch_id)
        .ok_or_else(|| batch_not_found("context was not found"))?;
    if batch.database != req.database {
        return Err(batch_not_found("context was not found"));
    }
    let include_system = req.query_bool("includeSystem", true);
    let database = server.database(&req.database)?;
    let collections: Vec<Value> = database
        .collections
        .values()
        .filter(|collection| include_system || !collection.is_system)
        .map(|collection| {
            let mut parameters = collection.properties();
            if let Value::Object(map) = &mut parameters {
                map.remove("objectId");
                map.remove("statusString");
                map.insert("deleted".into(), Value::Bool(false));
            }
            json!({"indexes": inventory_indexes(collection), "parameters": parameters})
        })
        .collect();
    let views = inventory_views(database);
    let tick = server.ids.next_id().to_string();
    Ok(Reply::json(
        200,
        json!({
            "collections": collections,
            "views": views,
            "state": {
                "running": true,
                "lastLogTick": tick,
                "lastUncommittedLogTick": tick,
                "totalEvents": 0,
                "time": "2026-01-01T00:00:00Z",
            },
            "tick": tick,
        }),
    ))
}

/// The replication API of a coordinator.
fn coordinator(server: &mut Server, req: &ApiRequest, rest: &[&str]) -> HandlerResult {
    match (&req.method, rest) {
        (&Method::GET, ["clusterInventory"]) => cluster_inventory(server, req),
        (&Method::GET, ["inventory" | "dump"])
        | (&Method::POST | &Method::PUT | &Method::DELETE, ["batch", ..]) => {
            Err(ArangoError::http_bad_request("need \"DBserver\" parameter"))
        }
        (_, ["batch"] | ["batch", _] | ["inventory"] | ["clusterInventory"]) => {
            Err(ArangoError::method_not_allowed())
        }
        _ => Err(ArangoError::unknown_path(&req.raw_path)),
    }
}

/// `GET /_api/replication/clusterInventory`: the database's properties, every
/// collection's parameters (its properties with `planId`, without
/// `statusString` and `objectId`; `distributeShardsLike` as a name) and user
/// indexes plus `planVersion`/`isReady`/`allInSync`, the views, a tick and
/// `state: "unused"` (`handleCommandClusterInventory`,
/// `LogicalCollection::toVelocyPackForClusterInventory`).
fn cluster_inventory(server: &mut Server, req: &ApiRequest) -> HandlerResult {
    let include_system = req.query_bool("includeSystem", true);
    let database = server.database(&req.database)?;
    let properties = super::database::current_properties(server, database);
    let collections: Vec<Value> = database
        .collections
        .values()
        .filter(|collection| include_system || !collection.is_system)
        .map(|collection| {
            let mut parameters = collection.properties();
            if let Value::Object(map) = &mut parameters {
                map.remove("statusString");
                map.remove("objectId");
                map.insert("planId".into(), Value::from(collection.id.to_string()));
                map.insert("deleted".into(), Value::Bool(false));
            }
            json!({
                "parameters": parameters,
                "indexes": inventory_indexes(collection),
                "planVersion": 1,
                "isReady": true,
                "allInSync": true,
            })
        })
        .collect();
    let views = inventory_views(database);
    let tick = server.ids.next_id().to_string();
    Ok(Reply::json(
        200,
        json!({
            "properties": properties,
            "collections": collections,
            "views": views,
            "tick": tick,
            "state": "unused",
        }),
    ))
}

/// A collection's user indexes as both inventories list them: bare numeric
/// ids (without `coll/`) and no `selectivityEstimate`.
fn inventory_indexes(collection: &Collection) -> Vec<Value> {
    collection
        .indexes
        .iter()
        .map(|index| {
            let mut rendered = indexes::render(collection, index);
            rendered["id"] = Value::from(index.id.to_string());
            if let Value::Object(map) = &mut rendered {
                map.remove("selectivityEstimate");
            }
            rendered
        })
        .collect()
}

/// The database's views with their full definitions, as ArangoDB's
/// `LogicalView::properties(Serialization::Inventory)` writes them (its
/// IResearchViewTest checks the view-level keys); the extra per-link keys of
/// that serialization (e.g. `analyzerDefinitions`) are not modelled, and
/// arangosearch links are never listed as indexes.
fn inventory_views(database: &Database) -> Vec<Value> {
    database
        .views
        .values()
        .map(|view| Value::Object(view.definition()))
        .collect()
}
