//! `/_api/document`: single and batch document reads and writes.
//!
//! Every write goes through the same checks a real server makes, in the same
//! order: document shape, `_key` rules, edge attributes, `If-Match` revision,
//! schema, then unique constraints (primary key and unique indexes). Batch
//! calls apply each item on its own and report per-item errors, with the
//! `x-arango-error-codes` header summarising them.

use std::collections::BTreeMap;

use hyper::Method;
use rand::Rng;
use serde_json::{json, Map, Value};

use crate::error::ArangoError;
use crate::indexes;
use crate::request::{ApiRequest, HandlerResult, Reply};
use crate::schema::{self, Write};
use crate::state::{Collection, Ids, Server};

const MAX_KEY_BYTES: usize = 254;
const KEY_PUNCTUATION: &str = "_-.@()+,=;$!*'%:";

/// Query options shared by the write endpoints.
#[derive(Debug, Clone)]
struct WriteOptions {
    wait_for_sync: bool,
    return_new: bool,
    return_old: bool,
    silent: bool,
    overwrite_mode: OverwriteMode,
    keep_null: bool,
    merge_objects: bool,
    ignore_revs: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum OverwriteMode {
    Conflict,
    Replace,
    Update,
    Ignore,
}

impl WriteOptions {
    fn from_request(req: &ApiRequest) -> Result<Self, ArangoError> {
        let overwrite_mode = match req.query_str("overwriteMode") {
            Some("conflict") => OverwriteMode::Conflict,
            Some("replace") => OverwriteMode::Replace,
            Some("update") => OverwriteMode::Update,
            Some("ignore") => OverwriteMode::Ignore,
            Some(other) => {
                return Err(ArangoError::bad_parameter(format!(
                    "invalid overwriteMode '{other}'"
                )))
            }
            None if req.query_bool("overwrite", false) => OverwriteMode::Replace,
            None => OverwriteMode::Conflict,
        };
        Ok(WriteOptions {
            wait_for_sync: req.query_bool("waitForSync", false),
            return_new: req.query_bool("returnNew", false),
            return_old: req.query_bool("returnOld", false),
            silent: req.query_bool("silent", false),
            overwrite_mode,
            keep_null: req.query_bool("keepNull", true),
            merge_objects: req.query_bool("mergeObjects", true),
            ignore_revs: req.query_bool("ignoreRevs", true),
        })
    }
}

/// The outcome of one document write, before it is shaped into a reply.
struct Written {
    key: String,
    rev: String,
    old: Option<Value>,
    new: Option<Value>,
}

pub fn handle(server: &mut Server, req: &ApiRequest, rest: &[&str]) -> HandlerResult {
    let Server { databases, ids, .. } = server;
    let database = databases
        .get_mut(&req.database)
        .ok_or_else(|| ArangoError::database_not_found(&req.database))?;
    let collection_name = rest.first().copied().unwrap_or("");
    let collection = database.collection_mut(collection_name)?;
    let database_name = req.database.as_str();
    match (&req.method, rest) {
        (&Method::GET | &Method::HEAD, [_, key]) => read(collection, req, key),
        (&Method::POST, [_]) => {
            let options = WriteOptions::from_request(req)?;
            let body = req.json()?;
            per_item(
                req,
                collection,
                &body,
                |collection, item| insert(collection, ids, item, &options),
                &options,
                database_name,
                201,
            )
        }
        (&Method::PUT, [_]) if req.query_bool("onlyget", false) => read_many(collection, req),
        (&Method::PUT | &Method::PATCH, [_]) => {
            let options = WriteOptions::from_request(req)?;
            let patch = req.method == Method::PATCH;
            let body = req.json()?;
            per_item(
                req,
                collection,
                &body,
                |collection, item| {
                    let key = key_of(item)?;
                    modify(collection, ids, &key, item, patch, None, &options)
                },
                &options,
                database_name,
                201,
            )
        }
        (&Method::DELETE, [_]) => {
            let options = WriteOptions::from_request(req)?;
            let body = req.json()?;
            per_item(
                req,
                collection,
                &body,
                |collection, item| {
                    let key = handle_key(collection, item)?;
                    let expected = (!options.ignore_revs)
                        .then(|| item.get("_rev").and_then(Value::as_str).map(str::to_string))
                        .flatten();
                    remove(collection, &key, expected.as_deref())
                },
                &options,
                database_name,
                200,
            )
        }
        (&Method::PUT | &Method::PATCH, [_, key]) => {
            let options = WriteOptions::from_request(req)?;
            let body = req.json()?;
            if !body.is_object() {
                return Err(ArangoError::new(400, 1227, "invalid document type"));
            }
            let if_match = if_match(req);
            let written = modify(
                collection,
                ids,
                key,
                &body,
                req.method == Method::PATCH,
                if_match.as_deref(),
                &options,
            )?;
            Ok(single_reply(
                database_name,
                collection,
                written,
                &options,
                201,
            ))
        }
        (&Method::DELETE, [_, key]) => {
            let options = WriteOptions::from_request(req)?;
            let written = remove(collection, key, if_match(req).as_deref())?;
            Ok(single_reply(
                database_name,
                collection,
                written,
                &options,
                200,
            ))
        }
        (_, [_] | [_, _]) => Err(ArangoError::method_not_allowed()),
        _ => Err(ArangoError::unknown_path(&req.raw_path)),
    }
}

/// The revision an `If-Match` header demands, without its quotes.
fn if_match(req: &ApiRequest) -> Option<String> {
    req.header("if-match")
        .map(|rev| rev.trim_matches('"').to_string())
}

/// The key a removal names: a key, a document handle `collection/key`
/// (a handle of another collection is not found, as in
/// RestDocumentHandlerDeleteDocumentUnknownMulti) or an object with `_key`.
fn handle_key(collection: &Collection, item: &Value) -> Result<String, ArangoError> {
    match item {
        Value::String(handle) => match handle.split_once('/') {
            Some((name, key)) if name == collection.name => Ok(key.to_string()),
            Some(_) => Err(ArangoError::document_not_found()),
            None => Ok(handle.clone()),
        },
        _ => key_of(item),
    }
}

fn key_of(item: &Value) -> Result<String, ArangoError> {
    match item {
        Value::String(key) => Ok(key.clone()),
        Value::Object(object) => match object.get("_key") {
            Some(Value::String(key)) => Ok(key.clone()),
            _ => Err(ArangoError::document_handle_bad()),
        },
        _ => Err(ArangoError::document_handle_bad()),
    }
}

fn read(collection: &Collection, req: &ApiRequest, key: &str) -> HandlerResult {
    let (document, rev) = current(collection, key, if_match(req).as_deref())?;
    if let Some(cached) = req.header("if-none-match") {
        if cached.trim_matches('"') == rev {
            return Ok(Reply::empty(304).with_header("etag", format!("\"{rev}\"")));
        }
    }
    Ok(Reply::json(200, document.clone()).with_header("etag", format!("\"{rev}\"")))
}

fn read_many(collection: &Collection, req: &ApiRequest) -> HandlerResult {
    let Value::Array(items) = req.json()? else {
        return Err(ArangoError::bad_parameter("expecting an array of keys"));
    };
    let results: Vec<Value> = items
        .iter()
        .map(|item| {
            key_of(item)
                .and_then(|key| {
                    collection
                        .documents
                        .get(&key)
                        .cloned()
                        .ok_or_else(ArangoError::document_not_found)
                })
                .unwrap_or_else(|err| item_error(&err))
        })
        .collect();
    Ok(Reply::json(200, Value::Array(results)))
}

/// The stored document and its revision, after checking an expected
/// revision (`If-Match`, or the body's `_rev` with `ignoreRevs=false`).
fn current<'c>(
    collection: &'c Collection,
    key: &str,
    expected: Option<&str>,
) -> Result<(&'c Value, String), ArangoError> {
    let document = collection
        .documents
        .get(key)
        .ok_or_else(ArangoError::document_not_found)?;
    let rev = document
        .get("_rev")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    match expected {
        Some(expected) if expected != rev => Err(precondition_failed(collection, key, &rev)),
        _ => Ok((document, rev)),
    }
}

fn precondition_failed(collection: &Collection, key: &str, rev: &str) -> ArangoError {
    ArangoError::conflict()
        .with("_id", Value::from(format!("{}/{key}", collection.name)))
        .with("_key", Value::from(key))
        .with("_rev", Value::from(rev))
}

fn item_error(err: &ArangoError) -> Value {
    json!({"error": true, "errorNum": err.error_num, "errorMessage": err.message})
}

/// Runs `apply` on one object body or on each element of an array body.
fn per_item(
    _req: &ApiRequest,
    collection: &mut Collection,
    body: &Value,
    mut apply: impl FnMut(&mut Collection, &Value) -> Result<Written, ArangoError>,
    options: &WriteOptions,
    database: &str,
    synced_status: u16,
) -> HandlerResult {
    match body {
        Value::Array(items) => {
            // A collection's waitForSync only counts when something was
            // written: a batch of failures answers 202 (transcripts
            // RestDocumentHandlerDeleteDocument{Key,RevConflict,Unknown}Multi).
            let mut wrote = false;
            let mut results = Vec::with_capacity(items.len());
            let mut error_codes: BTreeMap<String, u64> = BTreeMap::new();
            for item in items {
                match apply(collection, item) {
                    Ok(written) => {
                        wrote = true;
                        results.push(result_body(collection, written, options));
                    }
                    Err(err) => {
                        *error_codes.entry(err.error_num.to_string()).or_default() += 1;
                        results.push(item_error(&err));
                    }
                }
            }
            let synced = options.wait_for_sync || (collection.wait_for_sync && wrote);
            let status = if synced { synced_status } else { 202 };
            let mut reply = Reply::json(status, Value::Array(results));
            if !error_codes.is_empty() {
                reply = reply.with_header("x-arango-error-codes", json!(error_codes).to_string());
            }
            Ok(reply)
        }
        Value::Object(_) => {
            let written = apply(collection, body)?;
            Ok(single_reply(
                database,
                collection,
                written,
                options,
                synced_status,
            ))
        }
        _ => Err(ArangoError::new(400, 1227, "invalid document type")),
    }
}

/// Shapes one write's result: `{_id, _key, _rev}` plus what was asked for.
fn result_body(collection: &Collection, written: Written, options: &WriteOptions) -> Value {
    if options.silent {
        return json!({});
    }
    let mut body = json!({
        "_id": format!("{}/{}", collection.name, written.key),
        "_key": written.key,
        "_rev": written.rev,
    });
    if let Some(old) = &written.old {
        if let Some(old_rev) = old.get("_rev") {
            if written.new.is_some() {
                body["_oldRev"] = old_rev.clone();
            }
        }
        if options.return_old {
            body["old"] = old.clone();
        }
    }
    if options.return_new {
        if let Some(new) = &written.new {
            body["new"] = new.clone();
        }
    }
    body
}

/// A single-document reply; `synced_status` is 201 for writes, 200 for removals.
fn single_reply(
    database: &str,
    collection: &Collection,
    written: Written,
    options: &WriteOptions,
    synced_status: u16,
) -> Reply {
    let synced = options.wait_for_sync || collection.wait_for_sync;
    let status = if synced { synced_status } else { 202 };
    let location = format!(
        "/_db/{database}/_api/document/{}/{}",
        collection.name, written.key
    );
    let etag = format!("\"{}\"", written.rev);
    Reply::json(status, result_body(collection, written, options))
        .with_header("etag", etag)
        .with_header("location", location)
}

fn check_key(key: &str) -> Result<(), ArangoError> {
    let valid_chars = key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || KEY_PUNCTUATION.contains(c));
    if key.is_empty() || key.len() > MAX_KEY_BYTES || !valid_chars {
        return Err(ArangoError::document_key_bad());
    }
    Ok(())
}

fn generate_key(collection: &mut Collection, ids: &mut Ids) -> String {
    match collection.key_type() {
        "autoincrement" => {
            let increment = collection
                .key_options
                .get("increment")
                .and_then(Value::as_u64)
                .unwrap_or(1);
            let offset = collection
                .key_options
                .get("offset")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            // The next value on the `offset + n * increment` grid above the
            // last one, which may have come from a user-supplied key.
            let last = collection.last_key_value;
            let next = if last < offset {
                offset.max(1)
            } else {
                last + increment - ((last - offset) % increment)
            };
            collection.last_key_value = next;
            next.to_string()
        }
        "padded" => {
            collection.last_key_value += 1;
            format!("{:016x}", collection.last_key_value)
        }
        "uuid" => {
            let bytes: [u8; 16] = rand::thread_rng().gen();
            format!(
                "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
                u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
                u16::from_be_bytes([bytes[4], bytes[5]]),
                u16::from_be_bytes([bytes[6], bytes[7]]) & 0x0fff,
                (u16::from_be_bytes([bytes[8], bytes[9]]) & 0x3fff) | 0x8000,
                u64::from_be_bytes([
                    0, 0, bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
                ]),
            )
        }
        _ => {
            let next = ids.next_id().max(collection.last_key_value + 1);
            collection.last_key_value = next;
            next.to_string()
        }
    }
}

/// Edges need `_from` and `_to` as `collection/key` handles.
fn check_edge(collection: &Collection, document: &Map<String, Value>) -> Result<(), ArangoError> {
    if !collection.is_edge() {
        return Ok(());
    }
    for attribute in ["_from", "_to"] {
        let valid = document
            .get(attribute)
            .and_then(Value::as_str)
            .and_then(|handle| handle.split_once('/'))
            .is_some_and(|(coll, key)| !coll.is_empty() && check_key(key).is_ok());
        if !valid {
            return Err(ArangoError::invalid_edge_attribute(attribute));
        }
    }
    Ok(())
}

/// The stored document: system attributes first, then the user's. A real
/// server keeps an edge's `_from` and `_to` between `_id` and `_rev`.
fn assemble(collection: &Collection, key: &str, rev: &str, body: &Map<String, Value>) -> Value {
    let mut stored = Map::new();
    stored.insert("_key".into(), Value::from(key));
    stored.insert(
        "_id".into(),
        Value::from(format!("{}/{key}", collection.name)),
    );
    if collection.is_edge() {
        for attribute in ["_from", "_to"] {
            if let Some(value) = body.get(attribute) {
                stored.insert(attribute.into(), value.clone());
            }
        }
    }
    stored.insert("_rev".into(), Value::from(rev));
    for (attribute, value) in body {
        if !matches!(attribute.as_str(), "_key" | "_id" | "_rev") {
            stored.insert(attribute.clone(), value.clone());
        }
    }
    Value::Object(stored)
}

fn insert(
    collection: &mut Collection,
    ids: &mut Ids,
    item: &Value,
    options: &WriteOptions,
) -> Result<Written, ArangoError> {
    let body = item
        .as_object()
        .ok_or_else(|| ArangoError::new(400, 1227, "invalid document type"))?;
    let key = match body.get("_key") {
        Some(Value::String(key)) => {
            super::cluster::check_user_key(collection, item)?;
            if !collection.allow_user_keys() {
                return Err(ArangoError::new(
                    400,
                    1222,
                    "collection does not allow using user-defined keys",
                ));
            }
            check_key(key)?;
            // The autoincrement generator only accepts keys it could have made.
            if collection.key_type() == "autoincrement" && !key.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(ArangoError::document_key_bad());
            }
            key.clone()
        }
        Some(_) => return Err(ArangoError::document_key_bad()),
        None => generate_key(collection, ids),
    };
    if collection.documents.contains_key(&key) {
        return match options.overwrite_mode {
            OverwriteMode::Conflict => Err(ArangoError::unique_constraint(
                "primary", "primary", "_key", &key,
            )),
            OverwriteMode::Ignore => {
                let rev = collection.documents[&key]["_rev"]
                    .as_str()
                    .unwrap_or("")
                    .to_string();
                Ok(Written {
                    key,
                    rev,
                    old: None,
                    new: None,
                })
            }
            OverwriteMode::Replace => modify(collection, ids, &key, item, false, None, options),
            OverwriteMode::Update => modify(collection, ids, &key, item, true, None, options),
        };
    }
    check_edge(collection, body)?;
    let rev = ids.revision();
    let document = assemble(collection, &key, &rev, body);
    if let Some(stored_schema) = &collection.schema {
        schema::validate(stored_schema, &document, None, Write::Insert)?;
    }
    indexes::check_unique_constraints(collection, &key, &document)?;
    if let Ok(number) = key.parse::<u64>() {
        if collection.key_type() != "padded" {
            collection.last_key_value = collection.last_key_value.max(number);
        }
    }
    collection.documents.insert(key.clone(), document.clone());
    Ok(Written {
        key,
        rev,
        old: None,
        new: Some(document),
    })
}

/// Replace (`patch == false`) or update one document.
fn modify(
    collection: &mut Collection,
    ids: &mut Ids,
    key: &str,
    item: &Value,
    patch: bool,
    if_match: Option<&str>,
    options: &WriteOptions,
) -> Result<Written, ArangoError> {
    let body = item
        .as_object()
        .ok_or_else(|| ArangoError::new(400, 1227, "invalid document type"))?;
    let body_rev = (!options.ignore_revs)
        .then(|| body.get("_rev").and_then(Value::as_str))
        .flatten();
    let old = current(collection, key, if_match.or(body_rev))?.0.clone();
    let merged = if patch {
        let mut merged = old.as_object().cloned().unwrap_or_default();
        merge(&mut merged, body, options.keep_null, options.merge_objects);
        merged
    } else {
        let mut replaced = body.clone();
        // A replace keeps the edge's endpoints unless the body names new ones.
        for attribute in ["_from", "_to"] {
            if collection.is_edge() && !replaced.contains_key(attribute) {
                if let Some(value) = old.get(attribute) {
                    replaced.insert(attribute.into(), value.clone());
                }
            }
        }
        replaced
    };
    check_edge(collection, &merged)?;
    let rev = ids.revision();
    let document = assemble(collection, key, &rev, &merged);
    if let Some(stored_schema) = &collection.schema {
        schema::validate(stored_schema, &document, Some(&old), Write::Modify)?;
    }
    indexes::check_unique_constraints(collection, key, &document)?;
    collection
        .documents
        .insert(key.to_string(), document.clone());
    Ok(Written {
        key: key.to_string(),
        rev,
        old: Some(old),
        new: Some(document),
    })
}

/// PATCH semantics: `keepNull=false` removes attributes set to null,
/// `mergeObjects=true` merges nested objects instead of replacing them.
fn merge(
    target: &mut Map<String, Value>,
    patch: &Map<String, Value>,
    keep_null: bool,
    merge_objects: bool,
) {
    for (attribute, value) in patch {
        if matches!(attribute.as_str(), "_key" | "_id" | "_rev") {
            continue;
        }
        match (target.get_mut(attribute), value) {
            (_, Value::Null) if !keep_null => {
                target.remove(attribute);
            }
            (Some(Value::Object(existing)), Value::Object(nested)) if merge_objects => {
                merge(existing, nested, keep_null, merge_objects);
            }
            _ => {
                target.insert(attribute.clone(), value.clone());
            }
        }
    }
}

fn remove(
    collection: &mut Collection,
    key: &str,
    if_match: Option<&str>,
) -> Result<Written, ArangoError> {
    let rev = current(collection, key, if_match)?.1;
    let old = collection.documents.remove(key);
    Ok(Written {
        key: key.to_string(),
        rev,
        old,
        new: None,
    })
}

/// What one document of a bulk import (`/_api/import`) did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Imported {
    Created,
    Updated,
    Ignored,
}

/// Stores one document of a bulk import with the same checks as a single
/// insert; `on_duplicate` is the import's `onDuplicate` option (`error`,
/// `update`, `replace` or `ignore`) for a `_key` that already exists.
pub(super) fn import_document(
    collection: &mut Collection,
    ids: &mut Ids,
    item: &Value,
    on_duplicate: &str,
) -> Result<Imported, ArangoError> {
    let exists = item
        .get("_key")
        .and_then(Value::as_str)
        .is_some_and(|key| collection.documents.contains_key(key));
    let overwrite_mode = match on_duplicate {
        "update" => OverwriteMode::Update,
        "replace" => OverwriteMode::Replace,
        "ignore" => OverwriteMode::Ignore,
        _ => OverwriteMode::Conflict,
    };
    let options = WriteOptions {
        wait_for_sync: false,
        return_new: false,
        return_old: false,
        silent: true,
        overwrite_mode,
        keep_null: true,
        merge_objects: true,
        ignore_revs: true,
    };
    insert(collection, ids, item, &options)?;
    Ok(match (exists, overwrite_mode) {
        (false, _) => Imported::Created,
        (true, OverwriteMode::Ignore) => Imported::Ignored,
        (true, _) => Imported::Updated,
    })
}
