//! One entry of a collection's `indexes` list into a normalised
//! [`model::Index`].
//!
//! The options are filled in to what ArangoDB 3.12 reports when the same
//! definition is read back (`GET /_api/index`, minus `id`, a generated
//! `name`, `selectivityEstimate` and `isNewlyCreated`), so a spec that leaves
//! out a default never differs from the live index. The per-type rules follow
//! shared/ARANGODB_API.md 4.3 and the emulator's `indexes.rs`; this is the
//! client's own copy of that knowledge.
//!
//! Invariants:
//! * Each type accepts only its documented options; anything else is an
//!   unknown field. A few contradictory options are accepted on purpose
//!   (`unique` on ttl, `prefixFields` on mdi) so that `validate` can explain
//!   them instead of calling them unknown. The mappings inside an inverted
//!   index (field objects and their `nested` fields, `primarySort` and its
//!   fields, `storedValues` columns, `consolidationPolicy`) accept only
//!   their documented keys too: the server would drop a misspelt key, and
//!   the plan would then show the index as changed on every run.
//! * Where the server would reject or silently drop a value (e.g. `geoJson`
//!   with two fields, an empty `storedValues`), the value is kept as written
//!   and `validate` reports it; defaults only fill in what is missing.
//! * `hash` and `skiplist` are written as `persistent` (model invariant).
//!   `zkd` stays `zkd`: 3.12 reports it under that name.
//! * `inBackground` is accepted but dropped: it is how to build an index, not
//!   a property of it. A vector index's `parallelism` is kept for the create
//!   request but never compared ([`crate::model::is_creation_option`]).
//! * Vector indexes take `params` with `defaultNProbe` (1) and
//!   `trainingIterations` (25) filled in, as every 3.12.x reports them;
//!   `nLists` (a number or the 3.12.10 scaling object), `factory` and
//!   `numberOfDocsPerCentroid` only as written, since their defaults depend
//!   on the version. Which version accepts which option is not checked here.
//! * Inverted indexes are written in the shape ArangoDB reports them: field
//!   paths (also inside `nested`) as `{"name": path}`, `primarySort` with its
//!   `compression` and each field as `{field, asc}`, `storedValues` columns
//!   as `{fields, compression}`. Tuning options whose defaults differ between
//!   versions (`consolidationPolicy`, `optimizeTopK`, ...) and the analyzer
//!   `features` the server adds are not filled in: the plan compares only
//!   what the spec states ([`crate::model::Index::satisfied_by`]).

use serde_json::{json, Value};

use crate::model::{Index, IndexOptions};
use crate::spec::reader::{nearest, suggestion, Fields, Reader, MERGE_KEY_HINT};
use crate::spec::yaml::{Node, NodeKind};

/// The index types a spec may name, besides the deprecated aliases `hash`
/// and `skiplist` of `persistent`.
pub const INDEX_TYPES: &[&str] = &[
    "persistent",
    "ttl",
    "geo",
    "fulltext",
    "inverted",
    "mdi",
    "mdi-prefixed",
    "zkd",
    "vector",
];

const PERSISTENT_KEYS: &[&str] = &[
    "type",
    "name",
    "fields",
    "inBackground",
    "unique",
    "sparse",
    "deduplicate",
    "estimates",
    "cacheEnabled",
    "storedValues",
];
const TTL_KEYS: &[&str] = &[
    "type",
    "name",
    "fields",
    "inBackground",
    "expireAfter",
    "unique",
];
const GEO_KEYS: &[&str] = &[
    "type",
    "name",
    "fields",
    "inBackground",
    "geoJson",
    "legacyPolygons",
];
const FULLTEXT_KEYS: &[&str] = &["type", "name", "fields", "inBackground", "minLength"];
const MDI_KEYS: &[&str] = &[
    "type",
    "name",
    "fields",
    "inBackground",
    "fieldValueTypes",
    "unique",
    "sparse",
    "storedValues",
    "prefixFields",
];
const MDI_PREFIXED_KEYS: &[&str] = &[
    "type",
    "name",
    "fields",
    "inBackground",
    "fieldValueTypes",
    "prefixFields",
    "unique",
    "sparse",
    "storedValues",
    "estimates",
];
/// A vector index (ArangoDB 3.12.4+). `unique` is accepted so that
/// `validate` can explain that a vector index cannot be unique;
/// `parallelism` (threads used to build it) is a creation option like
/// `inBackground`, sent with the create but never compared.
const VECTOR_KEYS: &[&str] = &[
    "type",
    "name",
    "fields",
    "inBackground",
    "params",
    "sparse",
    "unique",
    "storedValues",
    "parallelism",
];
/// The keys of a vector index's `params` (3.12 docs, "Vector indexes";
/// `numberOfDocsPerCentroid` from 3.12.10).
const VECTOR_PARAMS_KEYS: &[&str] = &[
    "metric",
    "dimension",
    "nLists",
    "defaultNProbe",
    "trainingIterations",
    "factory",
    "numberOfDocsPerCentroid",
];
/// The keys of the scaling form of `params.nLists` (3.12.10).
const VECTOR_NLISTS_KEYS: &[&str] = &["strategy", "multiplier", "minNLists", "tiers"];
/// The keys of one `params.nLists.tiers` entry.
const VECTOR_TIER_KEYS: &[&str] = &["threshold", "fixedValue"];
/// What ArangoDB fills in for a vector index's `params` when they are left
/// out, and reports back on every 3.12.x: `defaultNProbe` 1,
/// `trainingIterations` 25.
const VECTOR_PARAMS_DEFAULTS: &[(&str, u64)] = &[("defaultNProbe", 1), ("trainingIterations", 25)];

/// The documented options of inverted indexes besides the common ones; they
/// are passed on as written.
const INVERTED_OPTIONS: &[&str] = &[
    "searchField",
    "cache",
    "storedValues",
    "primarySort",
    "primaryKeyCache",
    "analyzer",
    "features",
    "includeAllFields",
    "trackListPositions",
    "parallelism",
    "cleanupIntervalStep",
    "commitIntervalMsec",
    "consolidationIntervalMsec",
    "consolidationPolicy",
    "writebufferIdle",
    "writebufferActive",
    "writebufferSizeMax",
    "optimizeTopK",
];
const INVERTED_KEYS: &[&str] = &[
    "type",
    "name",
    "fields",
    "inBackground",
    "searchField",
    "cache",
    "storedValues",
    "primarySort",
    "primaryKeyCache",
    "analyzer",
    "features",
    "includeAllFields",
    "trackListPositions",
    "parallelism",
    "cleanupIntervalStep",
    "commitIntervalMsec",
    "consolidationIntervalMsec",
    "consolidationPolicy",
    "writebufferIdle",
    "writebufferActive",
    "writebufferSizeMax",
    "optimizeTopK",
];

/// The keys of an inverted index's field object (ArangoDB 3.12 docs,
/// "Inverted index options").
const INVERTED_FIELD_KEYS: &[&str] = &[
    "name",
    "analyzer",
    "features",
    "includeAllFields",
    "searchField",
    "trackListPositions",
    "cache",
    "nested",
];
/// The keys of a field object inside `nested` (any depth).
const NESTED_FIELD_KEYS: &[&str] = &["name", "analyzer", "features", "searchField", "nested"];
const PRIMARY_SORT_KEYS: &[&str] = &["fields", "compression", "cache"];
/// One `primarySort` field: `direction: asc|desc` or `asc: bool`.
pub(super) const PRIMARY_SORT_FIELD_KEYS: &[&str] = &["field", "direction", "asc"];
pub(super) const STORED_VALUES_COLUMN_KEYS: &[&str] = &["fields", "compression", "cache"];
/// The tier policy's keys of 3.11 and of 3.12.7+ (which has
/// `maxSkewThreshold` and `minDeletionRatio`); inverted indexes take no
/// other policy type.
const CONSOLIDATION_POLICY_KEYS: &[&str] = &[
    "type",
    "segmentsBytesFloor",
    "segmentsBytesMax",
    "segmentsMax",
    "segmentsMin",
    "minScore",
    "maxSkewThreshold",
    "minDeletionRatio",
];

/// Geo index parameters ArangoDB always reports and does not take from users.
const GEO_BEST_INDEXED_LEVEL: u64 = 17;
const GEO_WORST_INDEXED_LEVEL: u64 = 4;
const GEO_MAX_NUM_COVER_CELLS: u64 = 8;
const FULLTEXT_DEFAULT_MIN_LENGTH: i64 = 2;

/// Reads one index definition. Returns `None` when it has no usable type or
/// fields; every problem found is in `reader`.
pub fn read(reader: &mut Reader<'_>, node: &Node) -> Option<Index> {
    let NodeKind::Map(_) = node.kind else {
        reader.wrong_type(node, "an index", "a mapping");
        return None;
    };
    let requested = match node.get("type") {
        Some(type_node) => reader.string(type_node, "the index `type`")?,
        None => {
            let misspelt = node
                .as_map()
                .unwrap_or_default()
                .iter()
                .find(|entry| entry.key != "type" && nearest(&entry.key, &["type"]).is_some());
            if let Some(entry) = misspelt {
                reader.error_with_hint(
                    "unknown-field",
                    format!("unknown field `{}` in an index", entry.key),
                    entry.key_pos,
                    "did you mean `type`?",
                );
                return None;
            }
            let hint = if node.get("<<").is_some() {
                MERGE_KEY_HINT
            } else {
                "persistent, ttl, geo, fulltext, inverted, mdi, mdi-prefixed, zkd or vector"
            };
            reader.error_with_hint(
                "missing-field",
                "an index is missing the required field `type`",
                node.pos,
                hint,
            );
            return None;
        }
    };
    let (index_type, known) = match requested.as_str() {
        "persistent" => ("persistent", PERSISTENT_KEYS),
        "hash" | "skiplist" => {
            let type_pos = node.get("type").map_or(node.pos, |type_node| type_node.pos);
            reader.warning(
                "deprecated-index-type",
                format!("index type `{requested}` is a deprecated alias of `persistent`"),
                type_pos,
                "write `type: persistent`; the alias is removed in ArangoDB 4.0",
            );
            ("persistent", PERSISTENT_KEYS)
        }
        "ttl" => ("ttl", TTL_KEYS),
        "geo" => ("geo", GEO_KEYS),
        "fulltext" => ("fulltext", FULLTEXT_KEYS),
        "inverted" => ("inverted", INVERTED_KEYS),
        "mdi" => ("mdi", MDI_KEYS),
        "zkd" => ("zkd", MDI_KEYS),
        "mdi-prefixed" => ("mdi-prefixed", MDI_PREFIXED_KEYS),
        "vector" => ("vector", VECTOR_KEYS),
        other => {
            let type_pos = node.get("type").map_or(node.pos, |type_node| type_node.pos);
            reader.error_with_hint(
                "unknown-index-type",
                format!("unknown index type `{other}`"),
                type_pos,
                suggestion(other, INDEX_TYPES),
            );
            return None;
        }
    };

    let article = if requested.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    let mut fields = reader.fields(node, &format!("{article} {requested} index"), known)?;
    fields.take("type");
    let name = fields.string(reader, "name");
    // Checked for its type, then dropped: not a property of the index.
    let _ = fields.bool(reader, "inBackground");
    let attribute_fields = match fields.require(reader, "fields") {
        Some(fields_node) if index_type == "inverted" => inverted_fields(reader, fields_node),
        Some(fields_node) => reader
            .strings(fields_node, "`fields`")
            .map(|paths| paths.into_iter().map(Value::String).collect()),
        None => None,
    };

    let mut options = IndexOptions::new();
    match index_type {
        "persistent" => persistent_options(reader, &mut fields, &mut options),
        "ttl" => ttl_options(reader, &mut fields, &mut options),
        "geo" => geo_options(reader, &mut fields, &mut options),
        "fulltext" => fulltext_options(reader, &mut fields, &mut options),
        "inverted" => inverted_options(reader, &mut fields, &mut options),
        "vector" => vector_options(reader, &mut fields, &mut options),
        _ => mdi_options(reader, &mut fields, &mut options, index_type),
    }
    reader.finish(fields);
    options.shrink_to_fit();

    Some(Index {
        name,
        index_type: index_type.to_string(),
        fields: attribute_fields?,
        options,
        id: None,
    })
}

fn flag(
    reader: &mut Reader<'_>,
    fields: &mut Fields<'_>,
    options: &mut IndexOptions,
    key: &str,
    default: bool,
) {
    let value = fields.bool(reader, key).unwrap_or(default);
    options.insert(key, Value::Bool(value));
}

/// A list of attribute paths, kept only when given.
fn paths(reader: &mut Reader<'_>, fields: &mut Fields<'_>, options: &mut IndexOptions, key: &str) {
    if let Some(paths) = fields.strings(reader, key) {
        options.insert(key, json!(paths));
    }
}

fn persistent_options(
    reader: &mut Reader<'_>,
    fields: &mut Fields<'_>,
    options: &mut IndexOptions,
) {
    flag(reader, fields, options, "unique", false);
    flag(reader, fields, options, "sparse", false);
    flag(reader, fields, options, "deduplicate", true);
    flag(reader, fields, options, "estimates", true);
    flag(reader, fields, options, "cacheEnabled", false);
    paths(reader, fields, options, "storedValues");
}

fn ttl_options(reader: &mut Reader<'_>, fields: &mut Fields<'_>, options: &mut IndexOptions) {
    if let Some(expire_after) = fields.number(reader, "expireAfter") {
        options.insert("expireAfter", expire_after);
    }
    // Kept as written: a unique TTL index is an error `validate` explains.
    flag(reader, fields, options, "unique", false);
    options.insert("sparse", Value::Bool(true));
    options.insert("estimates", Value::Bool(false));
}

fn geo_options(reader: &mut Reader<'_>, fields: &mut Fields<'_>, options: &mut IndexOptions) {
    flag(reader, fields, options, "geoJson", false);
    flag(reader, fields, options, "legacyPolygons", false);
    options.insert("bestIndexedLevel", json!(GEO_BEST_INDEXED_LEVEL));
    options.insert("worstIndexedLevel", json!(GEO_WORST_INDEXED_LEVEL));
    options.insert("maxNumCoverCells", json!(GEO_MAX_NUM_COVER_CELLS));
    options.insert("sparse", Value::Bool(true));
    options.insert("unique", Value::Bool(false));
}

fn fulltext_options(reader: &mut Reader<'_>, fields: &mut Fields<'_>, options: &mut IndexOptions) {
    // The server reads minLength as an integer (truncating) and treats
    // anything below 1 as 1, and reports it that way.
    let min_length = fields
        .number(reader, "minLength")
        .and_then(|number| number.as_f64())
        .map_or(FULLTEXT_DEFAULT_MIN_LENGTH, |number| number.trunc() as i64);
    options.insert("minLength", json!(min_length.max(1)));
    options.insert("sparse", Value::Bool(true));
    options.insert("unique", Value::Bool(false));
}

fn mdi_options(
    reader: &mut Reader<'_>,
    fields: &mut Fields<'_>,
    options: &mut IndexOptions,
    index_type: &str,
) {
    // Required to be "double"; kept as written (or absent) for `validate`.
    if let Some(value_types) = fields.string(reader, "fieldValueTypes") {
        options.insert("fieldValueTypes", Value::String(value_types));
    }
    paths(reader, fields, options, "storedValues");
    paths(reader, fields, options, "prefixFields");
    // A plain mdi index never keeps selectivity estimates; mdi-prefixed does
    // by default. 3.11's `zkd` has no `estimates` option at all (transcript
    // `RestIndexCreateNewZkd_single` reads back none), and 3.12's `zkd`, an
    // alias of `mdi`, reports the fixed `false`: stating nothing for `zkd`
    // neither sends the option to a 3.11 server nor compares it there.
    match index_type {
        "mdi-prefixed" => flag(reader, fields, options, "estimates", true),
        "mdi" => {
            options.insert("estimates", Value::Bool(false));
        }
        _ => {}
    }
    flag(reader, fields, options, "sparse", false);
    flag(reader, fields, options, "unique", false);
}

/// A vector index's options: `params` with the server's defaults filled in
/// (values kept as written for `validate` to judge), `sparse` and `unique`
/// (false unless set), `storedValues` and `parallelism` when given.
fn vector_options(reader: &mut Reader<'_>, fields: &mut Fields<'_>, options: &mut IndexOptions) {
    if let Some(node) = fields.require(reader, "params") {
        if let Some(params) = vector_params(reader, node) {
            options.insert("params", params);
        }
    }
    flag(reader, fields, options, "sparse", false);
    flag(reader, fields, options, "unique", false);
    paths(reader, fields, options, "storedValues");
    if let Some(parallelism) = fields.uint(reader, "parallelism") {
        options.insert("parallelism", json!(parallelism));
    }
}

/// `params` of a vector index as a JSON object, defaults filled in.
fn vector_params(reader: &mut Reader<'_>, node: &Node) -> Option<Value> {
    let mut fields = reader.fields(node, "the `params` of a vector index", VECTOR_PARAMS_KEYS)?;
    let mut params = serde_json::Map::new();
    if let Some(metric) = fields.string(reader, "metric") {
        params.insert("metric".into(), Value::String(metric));
    }
    for key in [
        "dimension",
        "defaultNProbe",
        "trainingIterations",
        "numberOfDocsPerCentroid",
    ] {
        if let Some(number) = fields.uint(reader, key) {
            params.insert(key.into(), json!(number));
        }
    }
    if let Some(nlists) = fields.take("nLists") {
        match &nlists.kind {
            NodeKind::Map(_) => {
                // A misspelt key is reported here, once: the value is then
                // left out, so `validate` does not also call a key missing.
                let before = reader.diagnostics.0.len();
                check_keys(
                    reader,
                    nlists,
                    "the scaling `nLists` of a vector index",
                    VECTOR_NLISTS_KEYS,
                );
                for tier in mappings(nlists.get("tiers")) {
                    check_keys(reader, tier, "an `nLists` tier", VECTOR_TIER_KEYS);
                }
                if reader.diagnostics.0.len() == before {
                    if let Some(value) = reader.json(nlists) {
                        params.insert("nLists".into(), value);
                    }
                }
            }
            _ => {
                if let Some(number) = reader.uint(nlists, "`nLists`") {
                    params.insert("nLists".into(), json!(number));
                }
            }
        }
    }
    if let Some(factory) = fields.string(reader, "factory") {
        params.insert("factory".into(), Value::String(factory));
    }
    // `metric` and `dimension` are required; their absence is reported
    // here, with the same words as a missing index field.
    for key in ["metric", "dimension"] {
        if !params.contains_key(key) && !fields_mention(node, key) {
            reader.error(
                "missing-field",
                format!("the `params` of a vector index is missing the required field `{key}`"),
                node.pos,
            );
        }
    }
    reader.finish(fields);
    for (key, default) in VECTOR_PARAMS_DEFAULTS {
        params.entry(*key).or_insert_with(|| json!(default));
    }
    Some(Value::Object(params))
}

/// Whether a mapping writes `key`, or a misspelling of it (which
/// [`Reader::finish`] reports with "did you mean"; one typo, one message).
fn fields_mention(node: &Node, key: &str) -> bool {
    node.as_map().unwrap_or_default().iter().any(|entry| {
        entry.key == key
            || (!VECTOR_PARAMS_KEYS.contains(&entry.key.as_str())
                && nearest(&entry.key, VECTOR_PARAMS_KEYS) == Some(key))
    })
}

/// Inverted index fields are attribute paths or field objects; the server
/// reports paths as `{"name": path}`.
fn inverted_fields(reader: &mut Reader<'_>, node: &Node) -> Option<Vec<Value>> {
    let items = reader.list(node, "`fields`")?;
    let mut fields = Vec::with_capacity(items.len());
    for (position, item) in items.iter().enumerate() {
        match &item.kind {
            NodeKind::Str(path) => fields.push(json!({ "name": path })),
            NodeKind::Map(_) => {
                check_field_object(reader, item, "an inverted index field", INVERTED_FIELD_KEYS);
                if let Some(mut value) = reader.json(item) {
                    normalise_nested(&mut value);
                    fields.push(value);
                }
            }
            _ => reader.wrong_type(
                item,
                &format!("`fields`[{position}]"),
                "an attribute path or a field object",
            ),
        }
    }
    Some(fields)
}

fn inverted_options(reader: &mut Reader<'_>, fields: &mut Fields<'_>, options: &mut IndexOptions) {
    for key in INVERTED_OPTIONS {
        if let Some(node) = fields.take(key) {
            check_option_object(reader, key, node);
            if let Some(value) = reader.json(node) {
                options.insert(key, value);
            }
        }
    }
    for (key, default) in [
        ("analyzer", json!("identity")),
        ("includeAllFields", json!(false)),
        ("trackListPositions", json!(false)),
        ("searchField", json!(false)),
        (
            "primarySort",
            json!({"fields": [], "compression": DEFAULT_COMPRESSION}),
        ),
        ("storedValues", json!([])),
    ] {
        options.get_or_insert(key, default);
    }
    if let Some(primary_sort) = options.get_mut("primarySort") {
        normalise_primary_sort(primary_sort);
    }
    if let Some(stored_values) = options.get_mut("storedValues") {
        normalise_stored_values(stored_values);
    }
    options.insert("sparse", Value::Bool(true));
    options.insert("unique", Value::Bool(false));
}

/// Reports the unknown keys of one mapping (with the nearest valid name as
/// a hint), as for the index itself. Anything but a mapping is left as
/// written, for the server to judge.
fn check_keys(reader: &mut Reader<'_>, node: &Node, what: &str, known: &'static [&'static str]) {
    if !matches!(node.kind, NodeKind::Map(_)) {
        return;
    }
    if let Some(mut fields) = reader.fields(node, what, known) {
        for key in known {
            fields.take(key);
        }
        reader.finish(fields);
    }
}

/// The mappings in a list node; nothing for anything else.
fn mappings(node: Option<&Node>) -> impl Iterator<Item = &Node> {
    let items = match node.map(|node| &node.kind) {
        Some(NodeKind::Seq(items)) => items.as_slice(),
        _ => &[],
    };
    items
        .iter()
        .filter(|item| matches!(item.kind, NodeKind::Map(_)))
}

/// An inverted index field object and its `nested` field objects, at any
/// depth: a misspelt key would otherwise be passed on, dropped by the
/// server and planned as a change on every run.
fn check_field_object(
    reader: &mut Reader<'_>,
    node: &Node,
    what: &str,
    known: &'static [&'static str],
) {
    check_keys(reader, node, what, known);
    for nested in mappings(node.get("nested")) {
        check_field_object(
            reader,
            nested,
            "a nested inverted index field",
            NESTED_FIELD_KEYS,
        );
    }
}

/// The keys of an inverted index's object-valued options.
fn check_option_object(reader: &mut Reader<'_>, key: &str, node: &Node) {
    match key {
        "primarySort" => {
            check_keys(
                reader,
                node,
                "the `primarySort` of an inverted index",
                PRIMARY_SORT_KEYS,
            );
            for field in mappings(node.get("fields")) {
                check_keys(
                    reader,
                    field,
                    "a `primarySort` field",
                    PRIMARY_SORT_FIELD_KEYS,
                );
            }
        }
        "storedValues" => {
            for column in mappings(Some(node)) {
                check_keys(
                    reader,
                    column,
                    "a `storedValues` column",
                    STORED_VALUES_COLUMN_KEYS,
                );
            }
        }
        "consolidationPolicy" => check_keys(
            reader,
            node,
            "the `consolidationPolicy` of an inverted index",
            CONSOLIDATION_POLICY_KEYS,
        ),
        _ => {}
    }
}

/// The column compression ArangoDB uses when none is given.
const DEFAULT_COMPRESSION: &str = "lz4";

/// `primarySort` as the server reports it: `compression` filled in, each
/// field as `{field, asc}` (the server takes `direction: "asc"|"desc"` in
/// any case, or `asc`). What does not have that shape stays as written.
fn normalise_primary_sort(value: &mut Value) {
    let Value::Object(primary_sort) = value else {
        return;
    };
    primary_sort
        .entry("compression")
        .or_insert_with(|| Value::from(DEFAULT_COMPRESSION));
    let Some(Value::Array(fields)) = primary_sort.get_mut("fields") else {
        return;
    };
    for entry in fields {
        let Value::Object(sort) = entry else { continue };
        let (Some(field), 2) = (sort.get("field").and_then(Value::as_str), sort.len()) else {
            continue;
        };
        let asc = match (sort.get("direction"), sort.get("asc")) {
            (Some(Value::String(direction)), None) => match direction.to_lowercase().as_str() {
                "asc" => true,
                "desc" => false,
                _ => continue,
            },
            (None, Some(Value::Bool(asc))) => *asc,
            _ => continue,
        };
        *entry = json!({ "field": field, "asc": asc });
    }
}

/// `storedValues` as the server reports it: each column an object with its
/// `fields` and `compression`; a column written as a plain list of paths
/// takes the default compression, an empty one is dropped (the server skips
/// it). What does not have that shape stays as written.
fn normalise_stored_values(value: &mut Value) {
    let Value::Array(columns) = value else {
        return;
    };
    columns.retain(|column| {
        let fields = column.get("fields").unwrap_or(column);
        !fields.as_array().is_some_and(Vec::is_empty)
    });
    for column in columns {
        match column {
            Value::Array(paths) => {
                *column = json!({ "fields": paths.clone(), "compression": DEFAULT_COMPRESSION });
            }
            Value::Object(object) if object.contains_key("fields") => {
                object
                    .entry("compression")
                    .or_insert_with(|| Value::from(DEFAULT_COMPRESSION));
            }
            _ => {}
        }
    }
}

/// Field objects as the server reports them: attribute paths inside
/// `nested` become `{"name": path}` too, at any depth.
fn normalise_nested(field: &mut Value) {
    let Some(Value::Array(nested)) = field.get_mut("nested") else {
        return;
    };
    for item in nested {
        if let Value::String(path) = item {
            *item = json!({ "name": path.clone() });
        }
        normalise_nested(item);
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;
    use crate::spec::yaml;

    /// Reads one index from flow YAML; returns it and the rendered diagnostics.
    fn read_one(text: &str) -> (Option<Index>, Vec<String>) {
        let root = yaml::parse(text).unwrap().remove(0).root;
        let mut reader = Reader::new(Path::new("i.yaml"));
        let index = read(&mut reader, &root);
        let rendered = reader
            .diagnostics
            .0
            .iter()
            .map(ToString::to_string)
            .collect();
        (index, rendered)
    }

    fn options(text: &str) -> Value {
        let (index, diagnostics) = read_one(text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        json!(index.unwrap().options)
    }

    #[test]
    fn persistent_defaults() {
        assert_eq!(
            options("{type: persistent, fields: [a]}"),
            json!({"unique": false, "sparse": false, "deduplicate": true, "estimates": true, "cacheEnabled": false})
        );
        assert_eq!(
            options("{type: persistent, fields: [a], unique: true, storedValues: [b], inBackground: true}"),
            json!({"unique": true, "sparse": false, "deduplicate": true, "estimates": true,
                   "cacheEnabled": false, "storedValues": ["b"]})
        );
    }

    #[test]
    fn hash_and_skiplist_become_persistent_with_a_warning() {
        for alias in ["hash", "skiplist"] {
            let (index, diagnostics) =
                read_one(&format!("{{type: {alias}, fields: [a], name: byA}}"));
            let index = index.unwrap();
            assert_eq!(index.index_type, "persistent");
            assert_eq!(index.name.as_deref(), Some("byA"));
            assert_eq!(
                index.options,
                read_one("{type: persistent, fields: [a]}")
                    .0
                    .unwrap()
                    .options
            );
            assert_eq!(diagnostics.len(), 1);
            assert!(diagnostics[0].contains("warning[deprecated-index-type]"));
        }
    }

    #[test]
    fn ttl_defaults() {
        assert_eq!(
            options("{type: ttl, fields: [t], expireAfter: 3600.0}"),
            json!({"expireAfter": 3600.0, "sparse": true, "unique": false, "estimates": false}),
            "sent as the spec states it"
        );
        assert!(
            crate::model::option_matches("expireAfter", &json!(3600.0), Some(&json!(3600))),
            "and the server's 3600 is that value"
        );
        assert_eq!(
            options("{type: ttl, fields: [t], expireAfter: 0.5}"),
            json!({"expireAfter": 0.5, "sparse": true, "unique": false, "estimates": false})
        );
    }

    #[test]
    fn geo_defaults() {
        assert_eq!(
            options("{type: geo, fields: [loc]}"),
            json!({"geoJson": false, "legacyPolygons": false, "bestIndexedLevel": 17,
                   "worstIndexedLevel": 4, "maxNumCoverCells": 8, "sparse": true, "unique": false})
        );
        assert_eq!(
            options("{type: geo, fields: [loc], geoJson: true}")["geoJson"],
            json!(true)
        );
    }

    #[test]
    fn fulltext_defaults_and_min_length() {
        assert_eq!(
            options("{type: fulltext, fields: [text]}"),
            json!({"minLength": 2, "sparse": true, "unique": false})
        );
        assert_eq!(
            options("{type: fulltext, fields: [t], minLength: 3.7}")["minLength"],
            json!(3)
        );
        assert_eq!(
            options("{type: fulltext, fields: [t], minLength: 0}")["minLength"],
            json!(1)
        );
    }

    #[test]
    fn mdi_defaults() {
        assert_eq!(
            options("{type: mdi, fields: [x, y], fieldValueTypes: double}"),
            json!({"fieldValueTypes": "double", "estimates": false, "sparse": false, "unique": false})
        );
        assert_eq!(
            options("{type: zkd, fields: [x], fieldValueTypes: double}"),
            json!({"fieldValueTypes": "double", "sparse": false, "unique": false})
        );
        assert_eq!(
            options("{type: mdi-prefixed, fields: [x], fieldValueTypes: double, prefixFields: [p], storedValues: [s]}"),
            json!({"fieldValueTypes": "double", "prefixFields": ["p"], "storedValues": ["s"],
                   "estimates": true, "sparse": false, "unique": false})
        );
    }

    #[test]
    fn inverted_defaults_and_fields() {
        let (index, diagnostics) =
            read_one("{type: inverted, fields: [a, {name: b, analyzer: text_en}], primarySort: {fields: []}}");
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let index = index.unwrap();
        assert_eq!(
            index.fields,
            vec![
                json!({"name": "a"}),
                json!({"name": "b", "analyzer": "text_en"})
            ]
        );
        assert_eq!(
            json!(index.options),
            json!({"analyzer": "identity", "includeAllFields": false, "trackListPositions": false,
                   "searchField": false, "primarySort": {"fields": [], "compression": "lz4"},
                   "storedValues": [], "sparse": true, "unique": false})
        );
    }

    #[test]
    fn only_documented_options_per_type() {
        let (index, diagnostics) =
            read_one("{type: geo, fields: [loc], sparse: false, geoJSON: true}");
        assert!(index.is_some());
        assert_eq!(
            diagnostics,
            [
                "i.yaml:1:28: error[unknown-field]: unknown field `sparse` in a geo index\n  \
                 hint: expected one of: type, name, fields, inBackground, geoJson, legacyPolygons",
                "i.yaml:1:43: error[unknown-field]: unknown field `geoJSON` in a geo index\n  \
                 hint: did you mean `geoJson`?",
            ]
        );
    }

    #[test]
    fn inverted_sub_objects_take_only_documented_keys() {
        let (index, diagnostics) = read_one(
            "{type: inverted, fields: [sku, {name: title, analyzr: text_en, \
             nested: [tags, {name: t, nested: [{name: u, cach: true}], includeAllFields: true}]}], \
             primarySort: {fields: [{field: a, directon: asc}], compresion: none}, \
             storedValues: [[a], {fields: [b], compession: none}], \
             consolidationPolicy: {type: tier, segmentBytesMax: 1}}",
        );
        assert!(index.is_some());
        assert_eq!(
            diagnostics,
            [
                "i.yaml:1:46: error[unknown-field]: unknown field `analyzr` in an inverted index field\n  \
                 hint: did you mean `analyzer`?",
                "i.yaml:1:122: error[unknown-field]: unknown field `includeAllFields` in a nested inverted index field\n  \
                 hint: expected one of: name, analyzer, features, searchField, nested",
                "i.yaml:1:108: error[unknown-field]: unknown field `cach` in a nested inverted index field\n  \
                 hint: expected one of: name, analyzer, features, searchField, nested",
                "i.yaml:1:254: error[unknown-field]: unknown field `compession` in a `storedValues` column\n  \
                 hint: did you mean `compression`?",
                "i.yaml:1:201: error[unknown-field]: unknown field `compresion` in the `primarySort` of an inverted index\n  \
                 hint: did you mean `compression`?",
                "i.yaml:1:184: error[unknown-field]: unknown field `directon` in a `primarySort` field\n  \
                 hint: did you mean `direction`?",
                "i.yaml:1:308: error[unknown-field]: unknown field `segmentBytesMax` in the `consolidationPolicy` of an inverted index\n  \
                 hint: did you mean `segmentsBytesMax`?",
            ]
        );
        // The documented keys, at every level, are accepted.
        let (_, diagnostics) = read_one(
            "{type: inverted, fields: [{name: a, analyzer: text_en, features: [norm], includeAllFields: false, \
             searchField: false, trackListPositions: false, cache: false, \
             nested: [{name: b, analyzer: identity, features: [], searchField: false, nested: [c]}]}], \
             primarySort: {fields: [{field: a, direction: desc}, {field: b, asc: true}], compression: lz4, cache: false}, \
             storedValues: [{fields: [a], compression: none, cache: false}], \
             consolidationPolicy: {type: tier, segmentsBytesFloor: 1, segmentsBytesMax: 2, segmentsMax: 3, \
             segmentsMin: 1, minScore: 0, maxSkewThreshold: 0.4, minDeletionRatio: 0.5}}",
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
    }

    /// The plan leaves out of a created index what equals the defaults in
    /// `plan::definition::index_defaults`; those must be the defaults this
    /// loader fills in, so a minimal spec shows only what it states.
    #[test]
    fn a_created_index_shows_only_what_a_minimal_spec_states() {
        let cases = [
            ("{type: persistent, fields: [a]}", vec!["type", "fields"]),
            (
                "{type: ttl, fields: [a], expireAfter: 5}",
                vec!["type", "fields", "expireAfter"],
            ),
            ("{type: geo, fields: [a]}", vec!["type", "fields"]),
            ("{type: fulltext, fields: [a]}", vec!["type", "fields"]),
            (
                "{type: mdi, fields: [a, b], fieldValueTypes: double}",
                vec!["type", "fields", "fieldValueTypes"],
            ),
            (
                "{type: zkd, fields: [a, b], fieldValueTypes: double}",
                vec!["type", "fields", "fieldValueTypes"],
            ),
            (
                "{type: mdi-prefixed, fields: [a, b], fieldValueTypes: double, prefixFields: [c]}",
                vec!["type", "fields", "fieldValueTypes", "prefixFields"],
            ),
            (
                "{type: inverted, fields: [a]}",
                vec!["type", "fields[name=a]"],
            ),
            (
                "{type: vector, fields: [e], params: {metric: cosine, dimension: 3, nLists: 1}}",
                vec![
                    "type",
                    "fields",
                    "params.metric",
                    "params.dimension",
                    "params.nLists",
                ],
            ),
        ];
        for (spec, shown) in cases {
            let (index, diagnostics) = read_one(spec);
            assert!(diagnostics.is_empty(), "{spec}: {diagnostics:?}");
            let paths: Vec<String> = crate::plan::definition::index(&index.unwrap())
                .iter()
                .flat_map(crate::plan::FieldChange::paths)
                .map(|path| path.path)
                .collect();
            assert_eq!(paths, shown, "{spec}");
        }
    }

    #[test]
    fn vector_defaults_and_creation_options() {
        let (index, diagnostics) = read_one(
            "{type: vector, name: byEmbedding, fields: [embedding], inBackground: true, parallelism: 2, \
             params: {metric: cosine, dimension: 8, nLists: 2}}",
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let index = index.unwrap();
        assert_eq!(index.index_type, "vector");
        assert_eq!(index.fields, vec![json!("embedding")]);
        assert_eq!(
            json!(index.options),
            json!({"params": {"metric": "cosine", "dimension": 8, "nLists": 2,
                              "defaultNProbe": 1, "trainingIterations": 25},
                   "sparse": false, "unique": false, "parallelism": 2})
        );
        // Stated values win over defaults; the scaling form is kept as written.
        assert_eq!(
            options(
                "{type: vector, fields: [v], sparse: true, storedValues: [sku], params: {metric: l2, \
                 dimension: 3, defaultNProbe: 4, trainingIterations: 10, factory: 'IVF2,Flat', \
                 numberOfDocsPerCentroid: 50, nLists: {strategy: autoSqrt, multiplier: 4, minNLists: 2, \
                 tiers: [{threshold: 1000, fixedValue: 64}]}}}"
            ),
            json!({"params": {"metric": "l2", "dimension": 3, "defaultNProbe": 4,
                              "trainingIterations": 10, "numberOfDocsPerCentroid": 50,
                              "nLists": {"strategy": "autoSqrt", "multiplier": 4, "minNLists": 2,
                                         "tiers": [{"threshold": 1000, "fixedValue": 64}]},
                              "factory": "IVF2,Flat"},
                   "sparse": true, "unique": false, "storedValues": ["sku"]})
        );
    }

    #[test]
    fn vector_unknown_keys_at_every_level() {
        let (index, diagnostics) = read_one(
            "{type: vector, fields: [v], nLists: 2, params: {metric: cosine, dimensions: 8, \
             nLists: {strategy: autoSqrt, multiplier: 2, minNList: 1, tiers: [{threshold: 5, fixedvalue: 2}]}}}",
        );
        assert!(index.is_some());
        assert_eq!(
            diagnostics,
            [
                "i.yaml:1:124: error[unknown-field]: unknown field `minNList` in the scaling `nLists` of a vector index\n  \
                 hint: did you mean `minNLists`?",
                "i.yaml:1:160: error[unknown-field]: unknown field `fixedvalue` in an `nLists` tier\n  \
                 hint: did you mean `fixedValue`?",
                "i.yaml:1:65: error[unknown-field]: unknown field `dimensions` in the `params` of a vector index\n  \
                 hint: did you mean `dimension`?",
                "i.yaml:1:29: error[unknown-field]: unknown field `nLists` in a vector index\n  \
                 hint: expected one of: type, name, fields, inBackground, params, sparse, unique, storedValues, parallelism",
            ]
        );
        let (index, diagnostics) = read_one("{type: vector, fields: [v], params: {nLists: 1}}");
        assert!(index.is_some());
        assert_eq!(
            diagnostics,
            [
                "i.yaml:1:37: error[missing-field]: the `params` of a vector index is missing the required field `metric`",
                "i.yaml:1:37: error[missing-field]: the `params` of a vector index is missing the required field `dimension`",
            ]
        );
        let (index, diagnostics) = read_one("{type: vector, fields: [v]}");
        assert!(index.is_some());
        assert_eq!(
            diagnostics,
            ["i.yaml:1:1: error[missing-field]: a vector index is missing the required field `params`"]
        );
    }

    #[test]
    fn unknown_type_and_missing_fields() {
        let (index, diagnostics) = read_one("{type: persistant, fields: [a]}");
        assert!(index.is_none());
        assert_eq!(
            diagnostics,
            ["i.yaml:1:8: error[unknown-index-type]: unknown index type `persistant`\n  hint: did you mean `persistent`?"]
        );
        let (index, diagnostics) = read_one("{type: persistent, unique: yes}");
        assert!(index.is_none());
        assert_eq!(
            diagnostics,
            [
                "i.yaml:1:1: error[missing-field]: a persistent index is missing the required field `fields`",
                "i.yaml:1:28: error[wrong-type]: `unique`: expected a boolean, found a string",
            ]
        );
    }
}
