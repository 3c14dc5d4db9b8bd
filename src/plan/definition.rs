//! What a created object will be: the `fields` of a create, built from the
//! desired object (pure), so the plan shows a new collection, index, graph,
//! analyzer, view or function the way Terraform shows a new resource.
//!
//! Each attribute is a [`FieldChange`] with nothing before and
//! [`Compare::Definition`], so its paths are the leaves of the new value
//! (`schema.rule.properties.email.type: "string"`) and the renderers show
//! them as added paths. Shown is what the spec states and what the server
//! would not fill in itself: the name (already in the address) and values
//! equal to the server's defaults (the same defaults the spec loader fills
//! in, `src/spec`) are left out.

use serde_json::{json, Map, Value};

use super::model::{Body, Compare, FieldChange};
use crate::model::{Index, RegistryEntry};

/// How many lines of a function's query a create shows.
pub const QUERY_LINES: usize = 5;

/// One attribute of a created object.
fn added(field: &str, value: Value) -> FieldChange {
    FieldChange {
        field: field.to_string(),
        before: Value::Null,
        after: value,
        compare: Compare::Definition,
    }
}

/// The attributes of an API body, less `name`, `null`s, empty lists and
/// empty objects.
fn attributes(body: &Map<String, Value>) -> Vec<FieldChange> {
    body.iter()
        .filter(|(key, value)| *key != "name" && !empty(value))
        .map(|(key, value)| added(key, value.clone()))
        .collect()
}

fn empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => false,
    }
}

/// Removes the members of `object` that equal their default.
fn without_defaults(object: &mut Map<String, Value>, defaults: &[(&str, Value)]) {
    for (key, default) in defaults {
        if object
            .get(*key)
            .is_some_and(|value| super::structural::same(value, default))
        {
            object.shift_remove(*key);
        }
    }
}

/// A collection from its create body (`POST /_api/collection`): its type
/// (`document` or `edge`), then what differs from a new collection's
/// defaults (`waitForSync`, `cacheEnabled`, traditional keys users may
/// set, a schema's `level: strict` and empty `message`, a computed value's
/// `computeOn` all three, `keepNull: true`, `failOnWarning: false`).
pub fn collection(body: &Value) -> Vec<FieldChange> {
    collection_members(body.as_object().cloned().unwrap_or_default())
}

/// [`collection`] of the body of a create step, parsed from its text.
pub fn created_collection(body: &Body) -> Vec<FieldChange> {
    collection_members(members(body))
}

/// The members of a create step's body (none when it is no object).
fn members(body: &Body) -> Map<String, Value> {
    match body.value() {
        Value::Object(members) => members,
        _ => Map::new(),
    }
}

/// [`collection`] of the body's members, which it takes over.
fn collection_members(mut body: Map<String, Value>) -> Vec<FieldChange> {
    let kind = match body.get("type").and_then(Value::as_u64) {
        Some(3) => "edge",
        _ => "document",
    };
    body.insert("type".into(), json!(kind));
    without_defaults(
        &mut body,
        &[
            ("waitForSync", json!(false)),
            ("cacheEnabled", json!(false)),
        ],
    );
    if let Some(Value::Object(keys)) = body.get_mut("keyOptions") {
        without_defaults(
            keys,
            &[
                ("type", json!("traditional")),
                ("allowUserKeys", json!(true)),
            ],
        );
    }
    if let Some(Value::Object(schema)) = body.get_mut("schema") {
        without_defaults(
            schema,
            &[("level", json!("strict")), ("message", json!(""))],
        );
    }
    if let Some(Value::Array(computed)) = body.get_mut("computedValues") {
        for value in computed.iter_mut().filter_map(Value::as_object_mut) {
            without_defaults(
                value,
                &[
                    ("computeOn", json!(["insert", "replace", "update"])),
                    ("keepNull", json!(true)),
                    ("failOnWarning", json!(false)),
                ],
            );
        }
    }
    attributes(&body)
}

/// The options the spec loader fills in for an index of `index_type` when
/// the spec leaves them out (`src/spec/index.rs`; a unit test there keeps
/// the two in step). A vector index's `params` defaults are listed as
/// `params.KEY`.
pub fn index_defaults(index_type: &str) -> Vec<(&'static str, Value)> {
    let (unique, sparse) = (("unique", json!(false)), ("sparse", json!(true)));
    let dense = ("sparse", json!(false));
    match index_type {
        "persistent" => vec![
            unique,
            dense,
            ("deduplicate", json!(true)),
            ("estimates", json!(true)),
            ("cacheEnabled", json!(false)),
        ],
        "ttl" => vec![unique, sparse, ("estimates", json!(false))],
        "geo" => vec![
            ("geoJson", json!(false)),
            ("legacyPolygons", json!(false)),
            ("bestIndexedLevel", json!(17)),
            ("worstIndexedLevel", json!(4)),
            ("maxNumCoverCells", json!(8)),
            sparse,
            unique,
        ],
        "fulltext" => vec![("minLength", json!(2)), sparse, unique],
        "mdi" | "zkd" => vec![("estimates", json!(false)), dense, unique],
        "mdi-prefixed" => vec![("estimates", json!(true)), dense, unique],
        "inverted" => vec![
            ("analyzer", json!("identity")),
            ("includeAllFields", json!(false)),
            ("trackListPositions", json!(false)),
            ("searchField", json!(false)),
            ("primarySort", json!({"fields": [], "compression": "lz4"})),
            ("storedValues", json!([])),
            sparse,
            unique,
        ],
        "vector" => vec![
            ("params.defaultNProbe", json!(1)),
            ("params.trainingIterations", json!(25)),
            dense,
            unique,
        ],
        _ => Vec::new(),
    }
}

/// An index: its type, fields, and the options that differ from the
/// type's defaults ([`index_defaults`]). Its name is in the address.
pub fn index(index: &Index) -> Vec<FieldChange> {
    match index.to_api_body() {
        Value::Object(members) => index_members(members),
        _ => Vec::new(),
    }
}

/// An index from the body of its create step (`POST /_api/index`: the
/// definition [`Index::to_api_body`] gives, plus `inBackground`), parsed
/// from its text: what [`index`] shows for that index. `inBackground`
/// says how the server builds the index, not what it is, and is left out
/// like the name.
pub fn created_index(body: &Body) -> Vec<FieldChange> {
    index_members(members(body))
}

/// [`created_index`] of the body's members, which it takes over.
fn index_members(mut body: Map<String, Value>) -> Vec<FieldChange> {
    body.shift_remove("inBackground");
    let index_type = body.get("type").and_then(Value::as_str).unwrap_or_default();
    let defaults = index_defaults(index_type);
    let (nested, top): (Vec<_>, Vec<_>) = defaults
        .into_iter()
        .partition(|(key, _)| key.starts_with("params."));
    without_defaults(&mut body, &top);
    if let Some(Value::Object(params)) = body.get_mut("params") {
        let nested: Vec<(&str, Value)> = nested
            .into_iter()
            .map(|(key, value)| (key.trim_start_matches("params."), value))
            .collect();
        without_defaults(params, &nested);
    }
    attributes(&body)
}

/// The key facts of an index: `a persistent index on email, created_at`
/// (inverted-index fields by name), then `, unique` and `, sparse` when
/// it is.
fn index_summary(index: &Index) -> String {
    let article = match index.index_type.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    };
    let flag = |option: &str| index.options.get(option) == Some(&Value::Bool(true));
    let mut facts = format!(
        "{article} {} index on {}",
        index.index_type,
        index.field_names().join(", ")
    );
    // Only what differs from the type's default: a TTL, geo or inverted
    // index is sparse anyway.
    let defaults = index_defaults(&index.index_type);
    let default_off = |option: &str| {
        defaults
            .iter()
            .any(|(key, value)| *key == option && *value == Value::Bool(false))
    };
    for option in ["unique", "sparse"] {
        if flag(option) && default_off(option) {
            facts.push_str(", ");
            facts.push_str(option);
        }
    }
    facts
}

/// What an index that goes was, for the one line of its delete:
/// `it was a persistent index on email, created_at, unique`.
pub fn index_facts(index: &Index) -> String {
    format!("it was {}", index_summary(index))
}

/// What a replaced index becomes, for its reason (the changed paths show
/// only what differs): `it becomes a persistent index on email, tenant,
/// unique, sparse`.
pub fn index_becomes(index: &Index) -> String {
    format!("it becomes {}", index_summary(index))
}

/// A graph from its create body: edge definitions (by edge collection) and
/// orphan collections when there are any.
pub fn graph(body: &Value) -> Vec<FieldChange> {
    attributes(&body.as_object().cloned().unwrap_or_default())
}

/// An analyzer from its create body: type, properties and features.
pub fn analyzer(body: &Value) -> Vec<FieldChange> {
    attributes(&body.as_object().cloned().unwrap_or_default())
}

/// A view from its create body: its type; a search-alias view's indexes;
/// an arangosearch view's properties other than the defaults the spec
/// loader fills in (empty `primarySort` and `storedValues`,
/// `primarySortCompression: lz4`), and its links less the link defaults
/// (`analyzers: [identity]`, `includeAllFields: false`,
/// `storeValues: none`, `trackListPositions: false`) and, inside `fields`,
/// less what a field inherits unchanged from the level above.
pub fn view(body: &Value) -> Vec<FieldChange> {
    let mut body = body.as_object().cloned().unwrap_or_default();
    without_defaults(&mut body, &[("primarySortCompression", json!("lz4"))]);
    if let Some(Value::Object(links)) = body.get_mut("links") {
        let defaults = [
            ("analyzers", json!(["identity"])),
            ("includeAllFields", json!(false)),
            ("storeValues", json!("none")),
            ("trackListPositions", json!(false)),
        ];
        for link in links.values_mut().filter_map(Value::as_object_mut) {
            inherited(link, &defaults);
        }
    }
    attributes(&body)
}

/// Removes from `link` what equals `parent`, then does the same inside its
/// `fields`, which inherit from `link` as the spec loader fills them in.
fn inherited(link: &mut Map<String, Value>, parent: &[(&str, Value)]) {
    let own: Vec<(&str, Value)> = parent
        .iter()
        .map(|(key, default)| (*key, link.get(*key).cloned().unwrap_or(default.clone())))
        .collect();
    without_defaults(link, parent);
    if let Some(Value::Object(fields)) = link.get_mut("fields") {
        for field in fields.values_mut().filter_map(Value::as_object_mut) {
            inherited(field, &own);
        }
    }
    if link.get("fields").is_some_and(empty) {
        link.shift_remove("fields");
    }
}

/// A feature function from its registry entry: how it is served, what it
/// returns, its parameters, the collections it reads and the query's first
/// [`QUERY_LINES`] lines (`query[0]`...), with a last item
/// `"… N more lines"` when the query is longer.
pub fn function(entry: &RegistryEntry) -> Vec<FieldChange> {
    // The header defaults (`Serve: registry`, `Returns: all`) are left
    // out, as other definitions leave out the server's defaults.
    let mut fields = Vec::new();
    if entry.serve != "registry" {
        fields.push(added("serve", json!(entry.serve)));
    }
    if entry.returns != "all" {
        fields.push(added("returns", json!(entry.returns)));
    }
    if !entry.params.is_empty() {
        fields.push(added("params", json!(entry.params)));
    }
    if !entry.collections.is_empty() {
        fields.push(added("collections", json!(entry.collections)));
    }
    let lines: Vec<&str> = entry.query.trim_end().lines().collect();
    for (at, line) in lines.iter().take(QUERY_LINES).enumerate() {
        fields.push(added(&format!("query[{at}]"), json!(line)));
    }
    let more = lines.len().saturating_sub(QUERY_LINES);
    if more > 0 {
        let unit = if more == 1 { "line" } else { "lines" };
        fields.push(added(
            &format!("query[{QUERY_LINES}]"),
            json!(format!("… {more} more {unit}")),
        ));
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::IndexOptions;

    fn shown(fields: &[FieldChange]) -> Vec<String> {
        fields
            .iter()
            .flat_map(FieldChange::paths)
            .map(|path| {
                assert_eq!(path.op(), "add");
                format!("{}: {}", path.path, path.after.unwrap_or_default())
            })
            .collect()
    }

    #[test]
    fn a_collection_shows_what_differs_from_a_new_collections_defaults() {
        let body = json!({
            "name": "users", "type": 2, "waitForSync": false, "cacheEnabled": true,
            "keyOptions": {"type": "traditional", "allowUserKeys": true},
            "schema": {"rule": {"properties": {"email": {"type": "string"}}}, "level": "moderate", "message": ""},
            "computedValues": [{"name": "at", "expression": "RETURN DATE_NOW()",
                "computeOn": ["insert", "replace", "update"], "overwrite": true,
                "keepNull": true, "failOnWarning": false}],
        });
        assert_eq!(
            shown(&collection(&body)),
            [
                "type: \"document\"",
                "cacheEnabled: true",
                "schema.rule.properties.email.type: \"string\"",
                "schema.level: \"moderate\"",
                "computedValues[name=at].expression: \"RETURN DATE_NOW()\"",
                "computedValues[name=at].overwrite: true",
            ]
        );
        assert_eq!(
            shown(&collection(&json!({"name": "e", "type": 3}))),
            ["type: \"edge\""]
        );
    }

    #[test]
    fn an_index_leaves_out_its_name_and_its_types_defaults() {
        let mut options = IndexOptions::new();
        for (key, value) in index_defaults("vector") {
            if let Some(param) = key.strip_prefix("params.") {
                let params = options.get_or_insert("params", json!({}));
                params[param] = value;
            } else {
                options.insert(key, value);
            }
        }
        options.insert("unique", json!(true));
        options.get_mut("params").unwrap()["metric"] = json!("cosine");
        let vector = Index {
            name: Some("idx_emb".into()),
            index_type: "vector".into(),
            fields: vec![json!("embedding")],
            options,
            id: None,
        };
        assert_eq!(
            shown(&index(&vector)),
            [
                "type: \"vector\"",
                "fields: [\"embedding\"]",
                "params.metric: \"cosine\"",
                "unique: true",
            ]
        );
    }

    #[test]
    fn a_deleted_index_is_named_by_its_type_and_fields() {
        let mut options = IndexOptions::new();
        options.insert("unique", json!(true));
        let unique = Index {
            name: Some("idx_email".into()),
            index_type: "persistent".into(),
            fields: vec![json!("email"), json!("created_at")],
            options,
            id: None,
        };
        assert_eq!(
            index_facts(&unique),
            "it was a persistent index on email, created_at, unique"
        );
        let inverted = Index {
            index_type: "inverted".into(),
            fields: vec![json!({"name": "title", "analyzer": "text_en"})],
            options: IndexOptions::new(),
            ..unique
        };
        assert_eq!(index_facts(&inverted), "it was an inverted index on title");
        let mut options = IndexOptions::new();
        options.insert("unique", json!(true));
        options.insert("sparse", json!(true));
        let replaced = Index {
            fields: vec![json!("email"), json!("tenant")],
            options,
            ..inverted
        };
        assert_eq!(
            index_becomes(&Index {
                index_type: "persistent".into(),
                ..replaced
            }),
            "it becomes a persistent index on email, tenant, unique, sparse"
        );
    }

    #[test]
    fn view_links_leave_out_defaults_and_what_fields_inherit() {
        let body = json!({"name": "search", "type": "arangosearch",
            "primarySortCompression": "lz4", "primarySort": [],
            "links": {"products": {"analyzers": ["text_en"], "includeAllFields": false,
                "storeValues": "none", "trackListPositions": false,
                "fields": {"title": {"analyzers": ["text_en"], "includeAllFields": false,
                    "storeValues": "none", "trackListPositions": true}}}}});
        assert_eq!(
            shown(&view(&body)),
            [
                "type: \"arangosearch\"",
                "links.products.analyzers: [\"text_en\"]",
                "links.products.fields.title.trackListPositions: true",
            ]
        );
    }

    #[test]
    fn a_function_shows_its_first_query_lines() {
        let entry = RegistryEntry {
            feature: "f".into(),
            version: 1,
            function: "FEATURES::F_V1".into(),
            description: String::new(),
            owner: None,
            query: (1..=7).map(|n| format!("LET x{n} = {n}\n")).collect(),
            params: vec!["user".into()],
            collections: vec![],
            returns: "one".into(),
            serve: "function".into(),
            hash: String::new(),
            source: String::new(),
            format_version: 1,
            lineage: None,
        };
        assert_eq!(
            shown(&function(&entry)),
            [
                "serve: \"function\"",
                "returns: \"one\"",
                "params: [\"user\"]",
                "query[0]: \"LET x1 = 1\"",
                "query[1]: \"LET x2 = 2\"",
                "query[2]: \"LET x3 = 3\"",
                "query[3]: \"LET x4 = 4\"",
                "query[4]: \"LET x5 = 5\"",
                "query[5]: \"… 2 more lines\"",
            ]
        );
        let defaults = RegistryEntry {
            query: "RETURN 1\n".into(),
            params: vec![],
            returns: "all".into(),
            serve: "registry".into(),
            ..entry
        };
        assert_eq!(shown(&function(&defaults)), ["query[0]: \"RETURN 1\""]);
    }
}
