//! `/_api/import`: bulk import of JSON documents into one collection.
//!
//! Three body formats, as the Import HTTP API describes them: a JSON array
//! of objects (`type=array` or `list`), one object per line (`documents`),
//! `auto` (whichever of the two the body is), and without `type` the tabular
//! form (a header array of attribute names, then one array of values per
//! line). Each document goes through the normal insert checks; failures are
//! counted (and described with `details=true`) unless `complete=true`, which
//! makes the first failure abort the whole import and keeps the collection
//! as it was. The response shapes and messages follow the `RestImport*`
//! examples recorded from ArangoDB 3.12.

use hyper::Method;
use serde_json::{json, Map, Value};

use super::document::{import_document, Imported};
use crate::error::ArangoError;
use crate::request::{ApiRequest, HandlerResult, Reply};
use crate::state::Server;

/// One input record: its position as the server reports it, an empty line,
/// or a tabular line that cannot become a document (position, reason).
enum Record {
    Document(usize, Value),
    Empty,
    Invalid(usize, String),
}

/// Why one document was not imported: the error `complete=true` answers
/// with, and the text a `details` entry shows.
struct Rejection {
    error: ArangoError,
    message: String,
}

fn rejection(error: ArangoError, message: impl Into<String>) -> Box<Rejection> {
    Box::new(Rejection {
        error,
        message: message.into(),
    })
}

pub fn handle(server: &mut Server, req: &ApiRequest, rest: &[&str]) -> HandlerResult {
    if !rest.is_empty() {
        return Err(ArangoError::unknown_path(&req.raw_path));
    }
    if req.method != Method::POST {
        return Err(ArangoError::method_not_allowed());
    }
    let collection_name = req.query_str("collection").unwrap_or("");
    if collection_name.is_empty() {
        return Err(ArangoError::new(
            400,
            1204,
            "'collection' is missing, expecting /_api/import?collection=<identifier>",
        ));
    }
    let Server { databases, ids, .. } = server;
    let database = databases
        .get_mut(&req.database)
        .ok_or_else(|| ArangoError::database_not_found(&req.database))?;
    let collection = database.collection_mut(collection_name)?;
    let records = parse_body(req)?;

    let on_duplicate = req.query_str("onDuplicate").unwrap_or("error");
    let complete = req.query_bool("complete", false);
    let want_details = req.query_bool("details", false);
    let from_prefix = req.query_str("fromPrefix");
    let to_prefix = req.query_str("toPrefix");
    let overwrite_prefix = req.query_bool("overwriteCollectionPrefix", false);

    let before = collection.clone();
    if req.query_bool("overwrite", false) {
        collection.documents.clear();
    }
    let (mut created, mut errors, mut empty, mut updated, mut ignored) = (0, 0, 0, 0, 0);
    let mut details = Vec::new();
    for record in records {
        let (position, mut document) = match record {
            Record::Empty => {
                empty += 1;
                continue;
            }
            Record::Document(position, document) => (position, document),
            Record::Invalid(position, message) => {
                if complete {
                    *collection = before;
                    return Err(ArangoError::bad_parameter(format!(
                        "at position {position}: {message}"
                    )));
                }
                errors += 1;
                if want_details {
                    details.push(Value::String(format!("at position {position}: {message}")));
                }
                continue;
            }
        };
        let outcome = match document.as_object_mut() {
            None => Err(rejection(
                ArangoError::new(400, 1227, "invalid document type"),
                format!(
                    "invalid JSON type (expecting object, probably parse error), \
                     offending context: {document}"
                ),
            )),
            Some(object) if collection.is_edge() => {
                add_prefix(object, "_from", from_prefix, overwrite_prefix);
                add_prefix(object, "_to", to_prefix, overwrite_prefix);
                if !object.get("_from").is_some_and(Value::is_string)
                    || !object.get("_to").is_some_and(Value::is_string)
                {
                    Err(rejection(
                        ArangoError::invalid_edge_attribute("_from or _to"),
                        format!(
                            "missing '_from' or '_to' attribute, offending document: {document}"
                        ),
                    ))
                } else {
                    insert(collection, ids, &document, on_duplicate)
                }
            }
            Some(_) => insert(collection, ids, &document, on_duplicate),
        };
        match outcome {
            Ok(Imported::Created) => created += 1,
            Ok(Imported::Updated) => updated += 1,
            Ok(Imported::Ignored) => ignored += 1,
            Err(rejected) => {
                let Rejection { error, message } = *rejected;
                if complete {
                    *collection = before;
                    return Err(error);
                }
                errors += 1;
                if want_details {
                    details.push(Value::String(format!("at position {position}: {message}")));
                }
            }
        }
    }
    let mut body = json!({
        "error": false,
        "created": created,
        "errors": errors,
        "empty": empty,
        "updated": updated,
        "ignored": ignored,
    });
    if want_details {
        body["details"] = Value::Array(details);
    }
    Ok(Reply::json(201, body))
}

/// One document through the normal insert, with the failure text the import
/// reports for it (the bare error message of the error number).
fn insert(
    collection: &mut crate::state::Collection,
    ids: &mut crate::state::Ids,
    document: &Value,
    on_duplicate: &str,
) -> Result<Imported, Box<Rejection>> {
    import_document(collection, ids, document, on_duplicate).map_err(|err| {
        let reason = match err.error_num {
            1210 => "unique constraint violated".to_string(),
            _ => err.message.clone(),
        };
        let message = format!(
            "creating document failed with error '{reason}', offending document: {document}"
        );
        let err = if err.error_num == 1210 {
            ArangoError::new(409, 1210, "unique constraint violated")
        } else {
            err
        };
        rejection(err, message)
    })
}

/// `fromPrefix`/`toPrefix`: a bare key becomes `prefix/key`; with
/// `overwriteCollectionPrefix` an existing collection part is replaced too.
fn add_prefix(object: &mut Map<String, Value>, attribute: &str, prefix: Option<&str>, force: bool) {
    let Some(prefix) = prefix.filter(|prefix| !prefix.is_empty()) else {
        return;
    };
    if let Some(Value::String(handle)) = object.get_mut(attribute) {
        match handle.split_once('/') {
            None => *handle = format!("{prefix}/{handle}"),
            Some((_, key)) if force => *handle = format!("{prefix}/{key}"),
            Some(_) => {}
        }
    }
}

/// Splits the body into records according to `type`.
fn parse_body(req: &ApiRequest) -> Result<Vec<Record>, ArangoError> {
    let text = std::str::from_utf8(&req.body)
        .map_err(|_| ArangoError::http_bad_request("invalid UTF-8 in the request body"))?;
    match req.query_str("type").unwrap_or("") {
        "array" | "list" => parse_array(text),
        "documents" => parse_lines(text),
        "auto" if text.trim_start().starts_with('[') => parse_array(text),
        "auto" => parse_lines(text),
        "" => parse_tabular(text, req.query_bool("ignoreMissing", false)),
        other => Err(ArangoError::http_bad_request(format!(
            "invalid value for 'type': {other}"
        ))),
    }
}

fn parse_array(text: &str) -> Result<Vec<Record>, ArangoError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => Ok(items
            .into_iter()
            .enumerate()
            .map(|(index, item)| Record::Document(index + 1, item))
            .collect()),
        Ok(_) => Err(ArangoError::http_bad_request(
            "expecting a JSON array in the request",
        )),
        Err(err) => Err(ArangoError::corrupted_json(&err.to_string())),
    }
}

fn parse_lines(text: &str) -> Result<Vec<Record>, ArangoError> {
    let mut records = Vec::new();
    // A final newline ends the last line; it does not start an empty one.
    let text = text.strip_suffix('\n').unwrap_or(text);
    for (index, line) in text.split('\n').enumerate() {
        if line.trim().is_empty() {
            records.push(Record::Empty);
            continue;
        }
        let value = serde_json::from_str::<Value>(line)
            .map_err(|err| ArangoError::corrupted_json(&err.to_string()))?;
        records.push(Record::Document(index, value));
    }
    Ok(records)
}

/// The tabular form; a line with more or fewer values than the header is
/// an error unless `ignoreMissing` (then missing values are left out and
/// excess ones dropped).
fn parse_tabular(text: &str, ignore_missing: bool) -> Result<Vec<Record>, ArangoError> {
    // The header line must end in a newline before anything else is read
    // (RestImportHandler::createFromKeyValueList; RestImportCsvInvalidBody_single).
    if !text.contains('\n') {
        return Err(ArangoError::http_bad_request(
            "no JSON array found in second line",
        ));
    }
    let text = text.strip_suffix('\n').unwrap_or(text);
    let mut lines = text.split('\n').enumerate();
    let header = match lines
        .next()
        .map(|(_, line)| serde_json::from_str::<Value>(line))
    {
        Some(Ok(Value::Array(names))) if names.iter().all(Value::is_string) => names,
        _ => {
            return Err(ArangoError::http_bad_request(
                "no JSON string array found in first line",
            ))
        }
    };
    let mut records = Vec::new();
    for (index, line) in lines {
        if line.trim().is_empty() {
            records.push(Record::Empty);
            continue;
        }
        let values = match serde_json::from_str::<Value>(line) {
            Ok(Value::Array(values)) => values,
            _ => {
                return Err(ArangoError::http_bad_request(
                    "no JSON array found in second line",
                ))
            }
        };
        if !ignore_missing && values.len() != header.len() {
            records.push(Record::Invalid(
                index,
                format!(
                    "wrong number of JSON values (got {}, expected {})",
                    values.len(),
                    header.len()
                ),
            ));
            continue;
        }
        let mut document = Map::new();
        for (name, value) in header.iter().zip(values) {
            if let Some(name) = name.as_str() {
                document.insert(name.to_string(), value);
            }
        }
        records.push(Record::Document(index, Value::Object(document)));
    }
    Ok(records)
}
