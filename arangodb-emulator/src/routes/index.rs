//! `/_api/index`: list, read, create ("ensure") and drop indexes.
//!
//! The index rules live in `indexes.rs`; this file maps them onto ArangoDB's
//! URLs, status codes and envelopes (`RestIndexHandler`): index objects come
//! back with `error`/`code` merged in, creation answers 201 for a new index
//! and 200 for an existing one, and every creation failure except 403/404 is
//! reported as HTTP 400 with its own errorNum.

use hyper::Method;
use serde_json::{json, Map, Value};

use crate::error::ArangoError;
use crate::indexes;
use crate::inverted;
use crate::request::{ApiRequest, HandlerResult, Reply};
use crate::state::{Collection, Database, Server};

pub fn handle(server: &mut Server, req: &ApiRequest, rest: &[&str]) -> HandlerResult {
    match (&req.method, rest) {
        (&Method::GET, []) => list(server, req),
        (&Method::GET, [collection, handle]) => read(server, req, collection, handle),
        (&Method::GET, _) => Err(ArangoError::http_bad_request("bad parameter")),
        (&Method::POST, []) => create(server, req),
        (&Method::POST, _) => Err(ArangoError::http_bad_request(format!(
            "expecting POST {}?collection=<collection-name>",
            req.raw_path
        ))),
        (&Method::DELETE, [collection, handle]) => drop(server, req, collection, handle),
        (&Method::DELETE, _) => Err(ArangoError::http_bad_request(
            "expecting DELETE /<collection-name>/<index-identifier>",
        )),
        _ => Err(ArangoError::method_not_allowed()),
    }
}

/// Adds `error: false` and `code` to an index object, as ArangoDB does
/// instead of wrapping it.
fn merged(index: Value, status: u16, extra: Map<String, Value>) -> Reply {
    let mut body = match index {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    body.extend(extra);
    body.insert("error".into(), Value::Bool(false));
    body.insert("code".into(), Value::from(status));
    Reply::json(status, Value::Object(body))
}

/// The collection named by `?collection=`; missing and unknown are both 404/1203.
fn query_collection<'a>(
    database: &'a Database,
    req: &ApiRequest,
) -> Result<&'a Collection, ArangoError> {
    let name = req.query_str("collection").unwrap_or("");
    database.collection(name)
}

fn list(server: &Server, req: &ApiRequest) -> HandlerResult {
    let database = server.database(&req.database)?;
    let collection = query_collection(database, req)?;
    let mut indexes = indexes::all(collection);
    if req.query_bool("withHidden", false) && server.profile.vector_shard_details() {
        for index in &mut indexes {
            let id = index["id"].as_str().unwrap_or("").to_string();
            if let Some(shards) = indexes::vector_shard_details(collection, &id) {
                index["shards"] = shards;
            }
        }
    }
    let identifiers: Map<String, Value> = indexes
        .iter()
        .map(|index| {
            let id = index
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            (id, index.clone())
        })
        .collect();
    Ok(Reply::envelope(
        200,
        json!({ "indexes": indexes, "identifiers": identifiers }),
    ))
}

fn read(server: &Server, req: &ApiRequest, collection: &str, handle: &str) -> HandlerResult {
    let collection = server.database(&req.database)?.collection(collection)?;
    let index = indexes::get(collection, handle)?;
    Ok(merged(index, 200, Map::new()))
}

fn create(server: &mut Server, req: &ApiRequest) -> HandlerResult {
    // ArangoDB parses the body before it looks at the collection.
    let body = req.json()?;
    let catalog = server.analyzer_catalog(&req.database);
    let Server {
        databases,
        ids,
        profile,
        ..
    } = server;
    let database = databases
        .get_mut(&req.database)
        .ok_or_else(|| ArangoError::database_not_found(&req.database))?;
    let name = req.query_str("collection").unwrap_or("");
    let collection = database.collection_mut(name)?;
    let Value::Object(definition) = body else {
        return Err(ArangoError::bad_parameter(
            "expecting object for index definition",
        ));
    };
    // An inverted index is reported the way ArangoDB rebuilds it from its
    // parsed definition (defaults, analyzer features); `inverted.rs`.
    let definition = if definition.get("type").and_then(Value::as_str) == Some("inverted") {
        inverted::normalize(&definition, &catalog)?
    } else {
        definition
    };
    if collection.sharding.is_some() {
        // The coordinator checks the normalised definition before it
        // looks for an existing index (`methods::Indexes::ensureIndex`).
        let normalized = indexes::normalize(&definition, collection, ids, profile)?;
        super::cluster::check_unique_index(collection, &normalized)?;
    }
    if profile.refuses_named_inverted_index_again()
        && indexes::names_an_existing_inverted_index(collection, &definition)
    {
        return Err(ArangoError::duplicate_identifier());
    }
    let (index, created) = indexes::ensure(collection, &definition, ids, profile)?;
    let status = if created { 201 } else { 200 };
    let mut extra = Map::new();
    extra.insert("isNewlyCreated".into(), Value::Bool(created));
    Ok(merged(index, status, extra))
}

fn drop(server: &mut Server, req: &ApiRequest, collection: &str, handle: &str) -> HandlerResult {
    let database = server.database_mut(&req.database)?;
    let collection = database.collection_mut(collection)?;
    let dropped_name = indexes::get(collection, handle).ok().and_then(|index| {
        index
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    indexes::drop(collection, handle)?;
    let collection_name = collection.name.clone();
    if let Some(dropped_name) = dropped_name {
        super::view::forget_index(database, &collection_name, &dropped_name);
    }
    let collection = database.collection(&collection_name)?;
    // ArangoDB echoes the handle as given, so a drop by name answers with
    // `coll/<name>`, not with the numeric id.
    let id = format!("{}/{handle}", collection.name);
    Ok(Reply::envelope(200, json!({ "id": id })))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use bytes::Bytes;
    use hyper::HeaderMap;

    use super::*;
    use crate::state::{DOCUMENT_COLLECTION, EDGE_COLLECTION};

    fn server_with(collection_type: u64) -> Server {
        let mut server = Server::new("pw");
        let collection = server.new_collection("products", collection_type, false);
        if let Some(database) = server.databases.get_mut("_system") {
            database.collections.insert("products".into(), collection);
        }
        server
    }

    fn request(method: Method, path: &str, query: &[(&str, &str)], body: &str) -> ApiRequest {
        ApiRequest {
            method,
            database: "_system".into(),
            segments: path
                .trim_start_matches('/')
                .split('/')
                .map(String::from)
                .collect(),
            raw_path: path.into(),
            query: query
                .iter()
                .map(|(key, value)| (key.to_string(), value.to_string()))
                .collect::<BTreeMap<_, _>>(),
            headers: HeaderMap::new(),
            body: Bytes::from(body.to_string()),
            caller: None,
        }
    }

    fn call(
        server: &mut Server,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: &str,
    ) -> (u16, Value) {
        let req = request(method, path, query, body);
        let segments = req.path();
        let result = handle(server, &req, &segments[2..]);
        let reply = result.unwrap_or_else(Reply::from);
        (reply.status, reply.body.unwrap_or(Value::Null))
    }

    fn post(server: &mut Server, body: &str) -> (u16, Value) {
        call(
            server,
            Method::POST,
            "/_api/index",
            &[("collection", "products")],
            body,
        )
    }

    #[test]
    fn create_then_ensure_again() {
        let mut server = server_with(DOCUMENT_COLLECTION);
        let (status, body) = post(&mut server, r#"{"type":"persistent","fields":["a","b"]}"#);
        assert_eq!(status, 201);
        assert_eq!(body["isNewlyCreated"], true);
        assert_eq!(body["code"], 201);
        assert_eq!(body["error"], false);
        assert_eq!(body["fields"], json!(["a", "b"]));
        assert!(body["id"].as_str().unwrap().starts_with("products/"));

        let (status, again) = post(
            &mut server,
            r#"{"type":"persistent","fields":["a","b"],"name":"other"}"#,
        );
        assert_eq!(status, 200);
        assert_eq!(again["isNewlyCreated"], false);
        assert_eq!(again["code"], 200);
        assert_eq!(again["name"], body["name"]);
        assert_eq!(again["id"], body["id"]);
    }

    #[test]
    fn create_errors() {
        let mut server = server_with(DOCUMENT_COLLECTION);
        let (status, body) = post(
            &mut server,
            r#"{"type":"ttl","fields":["a","b"],"expireAfter":1}"#,
        );
        assert_eq!((status, body["errorNum"].clone()), (400, json!(10)));
        assert_eq!(body["error"], true);
        let (status, body) = post(&mut server, "[1]");
        assert_eq!((status, body["errorNum"].clone()), (400, json!(10)));
        let (status, body) = post(&mut server, "{nope");
        assert_eq!((status, body["errorNum"].clone()), (400, json!(600)));
        let (status, body) = post(&mut server, r#"{"type":"primary","fields":["_key"]}"#);
        assert_eq!((status, body["errorNum"].clone()), (403, json!(11)));

        let (status, body) = call(
            &mut server,
            Method::POST,
            "/_api/index",
            &[],
            r#"{"type":"persistent","fields":["a"]}"#,
        );
        assert_eq!((status, body["errorNum"].clone()), (404, json!(1203)));
        let (status, body) = call(
            &mut server,
            Method::POST,
            "/_api/index",
            &[("collection", "missing")],
            r#"{"type":"persistent","fields":["a"]}"#,
        );
        assert_eq!((status, body["errorNum"].clone()), (404, json!(1203)));
        let (status, body) = call(&mut server, Method::POST, "/_api/index/products", &[], "{}");
        assert_eq!((status, body["errorNum"].clone()), (400, json!(400)));
    }

    #[test]
    fn name_clash_is_1005() {
        let mut server = server_with(DOCUMENT_COLLECTION);
        post(
            &mut server,
            r#"{"type":"persistent","fields":["a"],"name":"n"}"#,
        );
        let (status, body) = post(
            &mut server,
            r#"{"type":"persistent","fields":["b"],"name":"n"}"#,
        );
        assert_eq!((status, body["errorNum"].clone()), (400, json!(1005)));
    }

    #[test]
    fn recreating_a_named_inverted_index_is_1005_from_3_12_6() {
        let inverted = r#"{"type":"inverted","fields":["a"],"name":"inv"}"#;
        for (version, again) in [
            ("3.12.10", 400),
            ("3.12.6", 400),
            ("3.12.5", 200),
            ("3.11.14", 200),
        ] {
            let mut server = server_with(DOCUMENT_COLLECTION);
            server.profile.version = version.parse().unwrap();
            assert_eq!(post(&mut server, inverted).0, 201, "{version}");
            let (status, body) = post(&mut server, inverted);
            assert_eq!(status, again, "{version}: {body}");
            if again == 400 {
                assert_eq!(body["errorNum"], json!(1005), "{version}");
                assert_eq!(
                    body["errorMessage"],
                    json!("duplicate value for `id` or `name`")
                );
            } else {
                assert_eq!(body["isNewlyCreated"], json!(false), "{version}");
            }
        }
        // Unnamed inverted indexes and other types are still "ensured".
        let mut server = server_with(DOCUMENT_COLLECTION);
        let unnamed = r#"{"type":"inverted","fields":["b"]}"#;
        assert_eq!(post(&mut server, unnamed).0, 201);
        assert_eq!(post(&mut server, unnamed).0, 200);
        let persistent = r#"{"type":"persistent","fields":["a"],"name":"p"}"#;
        assert_eq!(post(&mut server, persistent).0, 201);
        assert_eq!(post(&mut server, persistent).0, 200);
    }

    #[test]
    fn unique_violation_on_create_is_400() {
        let mut server = server_with(DOCUMENT_COLLECTION);
        if let Some(collection) = server
            .databases
            .get_mut("_system")
            .and_then(|database| database.collections.get_mut("products"))
        {
            collection
                .documents
                .insert("k1".into(), json!({"_key": "k1", "a": 1}));
            collection
                .documents
                .insert("k2".into(), json!({"_key": "k2", "a": 1}));
        }
        let (status, body) = post(
            &mut server,
            r#"{"type":"persistent","fields":["a"],"unique":true}"#,
        );
        assert_eq!((status, body["errorNum"].clone()), (400, json!(1210)));
    }

    #[test]
    fn list_with_identifiers() {
        let mut server = server_with(EDGE_COLLECTION);
        let (_, created) = post(
            &mut server,
            r#"{"type":"persistent","fields":["a"],"name":"byA"}"#,
        );
        let (status, body) = call(
            &mut server,
            Method::GET,
            "/_api/index",
            &[("collection", "products")],
            "",
        );
        assert_eq!(status, 200);
        assert_eq!(body["error"], false);
        assert_eq!(body["code"], 200);
        let indexes = body["indexes"].as_array().unwrap();
        let types: Vec<&str> = indexes
            .iter()
            .map(|index| index["type"].as_str().unwrap())
            .collect();
        assert_eq!(types, vec!["primary", "edge", "persistent"]);
        let id = created["id"].as_str().unwrap();
        assert_eq!(body["identifiers"][id]["name"], "byA");
        assert_eq!(body["identifiers"]["products/0"]["name"], "primary");
        assert_eq!(body["identifiers"].as_object().unwrap().len(), 3);
        assert!(indexes[2].get("isNewlyCreated").is_none());
    }

    #[test]
    fn list_needs_a_known_collection() {
        let mut server = server_with(DOCUMENT_COLLECTION);
        for query in [&[][..], &[("collection", "missing")][..]] {
            let (status, body) = call(&mut server, Method::GET, "/_api/index", query, "");
            assert_eq!((status, body["errorNum"].clone()), (404, json!(1203)));
        }
    }

    #[test]
    fn read_one() {
        let mut server = server_with(DOCUMENT_COLLECTION);
        let (_, created) = post(
            &mut server,
            r#"{"type":"persistent","fields":["a"],"name":"byA"}"#,
        );
        let id = created["id"].as_str().unwrap().to_string();
        let numeric = id.trim_start_matches("products/").to_string();
        for handle in [numeric.as_str(), "byA"] {
            let (status, body) = call(
                &mut server,
                Method::GET,
                &format!("/_api/index/products/{handle}"),
                &[],
                "",
            );
            assert_eq!(status, 200);
            assert_eq!(body["id"], id.as_str());
            assert_eq!(body["code"], 200);
            assert_eq!(body["error"], false);
            assert!(body.get("isNewlyCreated").is_none());
        }
        let (status, body) = call(
            &mut server,
            Method::GET,
            "/_api/index/products/nope",
            &[],
            "",
        );
        assert_eq!((status, body["errorNum"].clone()), (404, json!(1212)));
        let (status, body) = call(&mut server, Method::GET, "/_api/index/missing/1", &[], "");
        assert_eq!((status, body["errorNum"].clone()), (404, json!(1203)));
        let (status, _) = call(&mut server, Method::GET, "/_api/index/products", &[], "");
        assert_eq!(status, 400);
    }

    #[test]
    fn drop_by_id_and_name() {
        let mut server = server_with(DOCUMENT_COLLECTION);
        let (_, first) = post(
            &mut server,
            r#"{"type":"persistent","fields":["a"],"name":"byA"}"#,
        );
        post(
            &mut server,
            r#"{"type":"persistent","fields":["b"],"name":"byB"}"#,
        );
        let id = first["id"].as_str().unwrap().to_string();
        let (status, body) = call(
            &mut server,
            Method::DELETE,
            &format!("/_api/index/{id}"),
            &[],
            "",
        );
        assert_eq!(status, 200);
        assert_eq!(body, json!({"error": false, "code": 200, "id": id}));
        let (status, body) = call(
            &mut server,
            Method::DELETE,
            "/_api/index/products/byB",
            &[],
            "",
        );
        assert_eq!(status, 200);
        assert_eq!(body["id"], "products/byB");
        let (_, list) = call(
            &mut server,
            Method::GET,
            "/_api/index",
            &[("collection", "products")],
            "",
        );
        assert_eq!(list["indexes"].as_array().unwrap().len(), 1);

        let (status, body) = call(
            &mut server,
            Method::DELETE,
            &format!("/_api/index/{id}"),
            &[],
            "",
        );
        assert_eq!((status, body["errorNum"].clone()), (404, json!(1212)));
        let (status, body) = call(
            &mut server,
            Method::DELETE,
            "/_api/index/products/0",
            &[],
            "",
        );
        assert_eq!((status, body["errorNum"].clone()), (404, json!(1212)));
        let (status, body) = call(
            &mut server,
            Method::DELETE,
            "/_api/index/missing/1",
            &[],
            "",
        );
        assert_eq!((status, body["errorNum"].clone()), (404, json!(1203)));
        let (status, body) = call(&mut server, Method::DELETE, "/_api/index/products", &[], "");
        assert_eq!((status, body["errorNum"].clone()), (400, json!(400)));
    }

    #[test]
    fn edge_index_cannot_be_dropped() {
        let mut server = server_with(EDGE_COLLECTION);
        let (status, body) = call(
            &mut server,
            Method::DELETE,
            "/_api/index/products/edge",
            &[],
            "",
        );
        assert_eq!((status, body["errorNum"].clone()), (403, json!(11)));
    }

    #[test]
    fn other_methods() {
        let mut server = server_with(DOCUMENT_COLLECTION);
        for method in [Method::PUT, Method::PATCH] {
            let (status, body) = call(&mut server, method, "/_api/index/products/0", &[], "{}");
            assert_eq!((status, body["errorNum"].clone()), (405, json!(405)));
        }
    }
}
