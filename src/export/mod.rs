//! The live state written back as a spec tree (`arangosync import`).
//!
//! A pure function of a [`State`]: one YAML file per collection
//! (`entities/<name>.yaml`), graph (`entities/<name>.graph.yaml`), analyzer
//! (`search/<name>.analyzer.yaml`) and view (`search/<name>.view.yaml`), and
//! one `.aql` file per feature registry entry (`transformations/<source>`).
//!
//! Invariants:
//! * Output is stable: mapping keys sorted, lists in the model's order,
//!   files keyed by path, so the same state always renders to the same
//!   bytes. Nothing time-dependent is written unless the caller passes a
//!   timestamp.
//! * Values equal to what the spec loader fills in when a field is left out
//!   (`spec::collection`, `spec::index`, `spec::view`) are omitted, so a
//!   rendered tree loads back into a state the plan finds equal to the live
//!   one. Values whose defaults differ between server versions (inverted
//!   index and view tuning, analyzer properties) are written as reported:
//!   the plan compares only what a spec states, so they round-trip.
//! * AQL user functions of the namespace without a registry entry cannot be
//!   turned back into a query; they are listed in
//!   [`Exported::unconvertible`], never guessed.
//! * [`render`] writes every object of the state it is given; the caller
//!   first takes out what no spec may declare with [`importable`] (names
//!   only extended naming allows, user system collections, and what
//!   refers to them), so every name written is a safe file name too.
//! * Every file starts with a header comment naming the source database
//!   ([`HEADER_START`], read back by [`imported_from`]); `import --force`
//!   replaces or removes only files whose header names the same database.
//! * Every path in [`Exported::files`] is meant to pass [`stays_inside`];
//!   the caller checks it before writing, since a registry entry's feature
//!   name comes from the server.

mod select;

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use yaml_rust2::yaml::Hash;
use yaml_rust2::{Yaml, YamlEmitter};

use crate::model::{
    Analyzer, Collection, CollectionType, Graph, Index, RegistryEntry, State, View,
};

pub use select::{importable, Skipped};

/// The API version written into every document.
const API_VERSION: &str = "db.feature-store/v1alpha1";

/// Where the state came from, for the header comment of every file.
#[derive(Debug, Clone)]
pub struct Source {
    /// The database name.
    pub database: String,
    /// The time of the import (RFC 3339), written only when given: leaving
    /// it out keeps a second import of an unchanged database byte-identical.
    pub timestamp: Option<String>,
}

/// A rendered spec tree.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exported {
    /// File contents by path relative to the output directory (`/`-separated).
    pub files: BTreeMap<String, String>,
    /// Upper-cased names of the namespace's AQL user functions that have no
    /// registry entry, so no query to write back; sorted.
    pub unconvertible: Vec<String>,
    /// Upper-cased names of registered features whose AQL user function no
    /// longer carries the registered content hash (its code was changed by
    /// hand): the `.aql` file describes the registered query, and a plan of
    /// the tree replaces the function with it; sorted.
    pub changed_by_hand: Vec<String>,
    /// What each file of [`Exported::files`] declares, by the same path, so
    /// that `import --force` can tell when a file it keeps already
    /// declares the same object.
    pub declared: BTreeMap<String, Declared>,
}

/// The object one imported file declares.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Declared {
    Collection(String),
    Graph(String),
    Analyzer(String),
    View(String),
    /// A feature of the registry, by name and version (one `.aql` file).
    Feature {
        feature: String,
        version: u32,
    },
}

impl std::fmt::Display for Declared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Declared::Collection(name) => write!(f, "collection `{name}`"),
            Declared::Graph(name) => write!(f, "graph `{name}`"),
            Declared::Analyzer(name) => write!(f, "analyzer `{name}`"),
            Declared::View(name) => write!(f, "view `{name}`"),
            Declared::Feature { feature, version } => {
                write!(f, "feature `{feature}` version {version}")
            }
        }
    }
}

/// A rendered document that the spec loader would not read back as the
/// value it was rendered from: import writes nothing rather than a
/// changed value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfaithful {
    /// The document's kind (`ArangoCollection`, ...).
    pub kind: &'static str,
    /// The object's name.
    pub name: String,
    /// The file it would have been written to, relative to `--out`.
    pub file: String,
}

impl std::fmt::Display for Unfaithful {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} `{}`: its rendered YAML ({}) does not read back as the value read from the \
             server, so nothing was written; please report this as a bug",
            self.kind, self.name, self.file
        )
    }
}

impl std::error::Error for Unfaithful {}

/// Renders `state` as a spec tree. Every YAML file is read back with the
/// spec loader ([`crate::spec::yaml::parse`]) and must give exactly the
/// value it was rendered from (serde_json equality: same strings, same
/// numbers of the same kind); the first one that does not is the error.
pub fn render(state: &State, source: &Source) -> Result<Exported, Unfaithful> {
    let mut exported = Exported::default();
    let header = header(source);
    let mut add = |kind: &'static str,
                   name: &str,
                   file: String,
                   declared: Declared,
                   spec: Map<String, Value>| {
        let document = document(kind, name, spec);
        let text = format!("{header}{}", to_yaml(&document));
        if !reads_back_as(&text, &document) {
            return Err(Unfaithful {
                kind,
                name: name.to_string(),
                file,
            });
        }
        exported.declared.insert(file.clone(), declared);
        exported.files.insert(file, text);
        Ok(())
    };
    for collection in state.collections.values() {
        add(
            "ArangoCollection",
            &collection.name,
            format!("entities/{}.yaml", collection.name),
            Declared::Collection(collection.name.clone()),
            collection_spec(collection, &state.analyzers),
        )?;
    }
    for graph in state.graphs.values() {
        add(
            "ArangoGraph",
            &graph.name,
            format!("entities/{}.graph.yaml", graph.name),
            Declared::Graph(graph.name.clone()),
            graph_spec(graph),
        )?;
    }
    for analyzer in state.analyzers.values() {
        add(
            "ArangoAnalyzer",
            &analyzer.name,
            format!("search/{}.analyzer.yaml", analyzer.name),
            Declared::Analyzer(analyzer.name.clone()),
            analyzer_spec(analyzer),
        )?;
    }
    for view in state.views.values() {
        add(
            "ArangoView",
            &view.name,
            format!("search/{}.view.yaml", view.name),
            Declared::View(view.name.clone()),
            view_spec(view),
        )?;
    }
    for entry in state.registry.values() {
        let file = if safe_file_name(&entry.source) && entry.source.ends_with(".aql") {
            entry.source.clone()
        } else {
            format!("{}_v{}.aql", entry.feature, entry.version)
        };
        let path = format!("transformations/{file}");
        exported.declared.insert(
            path.clone(),
            Declared::Feature {
                feature: entry.feature.clone(),
                version: entry.version,
            },
        );
        exported.files.insert(path, feature_file(entry, source));
    }
    exported.unconvertible = state
        .functions
        .keys()
        .filter(|name| {
            !state
                .registry
                .values()
                .any(|entry| entry.function.eq_ignore_ascii_case(name))
        })
        .cloned()
        .collect();
    exported.changed_by_hand = state
        .registry
        .values()
        .filter_map(|entry| {
            let name = entry.function.to_ascii_uppercase();
            let function = state.functions.get(&name)?;
            (function.hash.as_deref() != Some(entry.hash.as_str())).then_some(name)
        })
        .collect();
    exported.changed_by_hand.sort();
    Ok(exported)
}

/// Whether `text` is one YAML document that the spec loader reads back as
/// exactly `value`.
fn reads_back_as(text: &str, value: &Value) -> bool {
    let Ok(documents) = crate::spec::yaml::parse(text) else {
        return false;
    };
    match documents.as_slice() {
        [document] => document.problems.is_empty() && document.root.to_json().as_ref() == Ok(value),
        _ => false,
    }
}

/// Whether `name` can be used as a file name on every system as it is:
/// ASCII letters, digits, `_`, `-` and `.`, not starting with `.`. Names of
/// imported objects pass (a spec name follows the traditional rules, see
/// [`importable`]); a registry entry's recorded source file name is used
/// only when it passes too.
fn safe_file_name(name: &str) -> bool {
    !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The first line of every file an import writes: `# ` before it in YAML
/// files, `-- ` in `.aql` files. `import --force` recognises the files an
/// earlier import wrote by it.
pub const HEADER_START: &str = "Imported by arangosync from database ";

/// Whether `text` starts the way a file written by an import does.
pub fn written_by_import(text: &str) -> bool {
    imported_from(text).is_some()
}

/// The database named in the header of a file an import wrote (the first
/// line of `text`), or `None` when `text` does not start with that header.
/// The header holds the database only, not the endpoint.
pub fn imported_from(text: &str) -> Option<&str> {
    let line = text.lines().next()?;
    let rest = line
        .strip_prefix("# ")
        .or_else(|| line.strip_prefix("-- "))?
        .strip_prefix(HEADER_START)?;
    rest.strip_prefix('"')?.strip_suffix("\".")
}

/// Whether `relative`, a `/`-separated path an import writes, stays inside
/// the output directory: every part a [`safe_file_name`], so neither `..`,
/// an absolute path, nor a separator of another system can take it out.
pub fn stays_inside(relative: &str) -> bool {
    relative
        .split('/')
        .all(|part| !part.is_empty() && safe_file_name(part))
}

/// Why `text` cannot be a `--timestamp`: it holds a control character (a
/// line break would end the header comment and start YAML or AQL of its
/// own). `None` when it is fine.
pub fn timestamp_problem(text: &str) -> Option<String> {
    text.chars().find(|c| c.is_control()).map(|c| {
        format!(
            "--timestamp must be one line of text without control characters; it holds {}",
            c.escape_default()
        )
    })
}

/// The comment at the top of every YAML file.
fn header(source: &Source) -> String {
    let mut text = format!("# {HEADER_START}\"{}\".\n", source.database);
    if let Some(time) = &source.timestamp {
        text.push_str(&format!("# Imported at {time}.\n"));
    }
    text
}

fn document(kind: &str, name: &str, spec: Map<String, Value>) -> Value {
    let mut document = Map::new();
    document.insert("apiVersion".into(), json!(API_VERSION));
    document.insert("kind".into(), json!(kind));
    document.insert("metadata".into(), json!({ "name": name }));
    if !spec.is_empty() {
        document.insert("spec".into(), Value::Object(spec));
    }
    Value::Object(document)
}

fn collection_spec(
    collection: &Collection,
    analyzers: &BTreeMap<String, Analyzer>,
) -> Map<String, Value> {
    let mut spec = Map::new();
    if collection.collection_type == CollectionType::Edge {
        spec.insert("type".into(), json!("edge"));
    }
    let keys = &collection.key_options;
    let mut key_options = Map::new();
    if keys.generator != "traditional" {
        key_options.insert("type".into(), json!(keys.generator));
    }
    if !keys.allow_user_keys {
        key_options.insert("allowUserKeys".into(), json!(false));
    }
    if let Some(increment) = keys.increment.filter(|value| *value != 1) {
        key_options.insert("increment".into(), json!(increment));
    }
    if let Some(offset) = keys.offset.filter(|value| *value != 0) {
        key_options.insert("offset".into(), json!(offset));
    }
    if !key_options.is_empty() {
        spec.insert("keyOptions".into(), Value::Object(key_options));
    }
    if collection.wait_for_sync {
        spec.insert("waitForSync".into(), json!(true));
    }
    if collection.cache_enabled {
        spec.insert("cacheEnabled".into(), json!(true));
    }
    if !collection.computed_values.is_empty() {
        let values = collection
            .computed_values
            .iter()
            .map(|value| {
                let mut entry = Map::new();
                entry.insert("name".into(), json!(value.name));
                entry.insert("expression".into(), json!(value.expression));
                entry.insert("overwrite".into(), json!(value.overwrite));
                if value.compute_on != ["insert", "replace", "update"] {
                    entry.insert("computeOn".into(), json!(value.compute_on));
                }
                if !value.keep_null {
                    entry.insert("keepNull".into(), json!(false));
                }
                if value.fail_on_warning {
                    entry.insert("failOnWarning".into(), json!(true));
                }
                Value::Object(entry)
            })
            .collect();
        spec.insert("computedValues".into(), Value::Array(values));
    }
    let cluster = &collection.cluster;
    if let Some(shards) = cluster.number_of_shards.filter(|value| *value != 1) {
        spec.insert("numberOfShards".into(), json!(shards));
    }
    if let Some(keys) = cluster
        .shard_keys
        .as_ref()
        .filter(|keys| *keys != &["_key"])
    {
        spec.insert("shardKeys".into(), json!(keys));
    }
    if let Some(factor) = cluster
        .replication_factor
        .as_ref()
        .filter(|value| value.as_f64() != Some(1.0))
    {
        spec.insert("replicationFactor".into(), factor.clone());
    }
    if let Some(concern) = cluster.write_concern.filter(|value| *value != 1) {
        spec.insert("writeConcern".into(), json!(concern));
    }
    if let Some(strategy) = cluster
        .sharding_strategy
        .as_ref()
        .filter(|strategy| !matches!(strategy.as_str(), "hash" | "enterprise-hash-smart-edge"))
    {
        spec.insert("shardingStrategy".into(), json!(strategy));
    }
    if let Some(like) = &cluster.distribute_shards_like {
        spec.insert("distributeShardsLike".into(), json!(like));
    }
    if let Some(schema) = &collection.schema {
        let mut entry = Map::new();
        entry.insert("rule".into(), schema.rule.clone());
        if schema.level != "strict" {
            entry.insert("level".into(), json!(schema.level));
        }
        if !schema.message.is_empty() {
            entry.insert("message".into(), json!(schema.message));
        }
        spec.insert("schema".into(), Value::Object(entry));
    }
    if !collection.indexes.is_empty() {
        let indexes = collection
            .indexes
            .iter()
            .map(|index| index_spec(index, analyzers))
            .collect();
        spec.insert("indexes".into(), Value::Array(indexes));
    }
    spec
}

/// The options of each index type a spec takes, with the value the spec
/// loader fills in when one is left out (`None`: always written).
fn index_option_defaults(index_type: &str) -> &'static [(&'static str, Option<Value>)] {
    use std::sync::LazyLock;
    type Table = Vec<(&'static str, Option<Value>)>;
    static PERSISTENT: LazyLock<Table> = LazyLock::new(|| {
        vec![
            ("unique", Some(json!(false))),
            ("sparse", Some(json!(false))),
            ("deduplicate", Some(json!(true))),
            ("estimates", Some(json!(true))),
            ("cacheEnabled", Some(json!(false))),
            ("storedValues", Some(json!([]))),
        ]
    });
    static TTL: LazyLock<Table> = LazyLock::new(|| vec![("expireAfter", None)]);
    static GEO: LazyLock<Table> = LazyLock::new(|| {
        vec![
            ("geoJson", Some(json!(false))),
            ("legacyPolygons", Some(json!(false))),
        ]
    });
    static FULLTEXT: LazyLock<Table> = LazyLock::new(|| vec![("minLength", Some(json!(2)))]);
    static MDI: LazyLock<Table> = LazyLock::new(|| {
        vec![
            ("fieldValueTypes", None),
            ("unique", Some(json!(false))),
            ("sparse", Some(json!(false))),
            ("storedValues", Some(json!([]))),
            ("prefixFields", Some(json!([]))),
        ]
    });
    static MDI_PREFIXED: LazyLock<Table> = LazyLock::new(|| {
        vec![
            ("fieldValueTypes", None),
            ("prefixFields", None),
            ("unique", Some(json!(false))),
            ("sparse", Some(json!(false))),
            ("storedValues", Some(json!([]))),
            ("estimates", Some(json!(true))),
        ]
    });
    static VECTOR: LazyLock<Table> = LazyLock::new(|| {
        vec![
            ("params", None),
            ("unique", Some(json!(false))),
            ("sparse", Some(json!(false))),
            ("storedValues", Some(json!([]))),
        ]
    });
    static INVERTED: LazyLock<Table> = LazyLock::new(|| {
        vec![
            ("analyzer", Some(json!("identity"))),
            ("searchField", Some(json!(false))),
            ("cache", Some(json!(false))),
            ("primaryKeyCache", Some(json!(false))),
            ("includeAllFields", Some(json!(false))),
            ("trackListPositions", Some(json!(false))),
            ("features", None),
            ("storedValues", Some(json!([]))),
            ("primarySort", None),
            ("optimizeTopK", Some(json!([]))),
            ("cleanupIntervalStep", None),
            ("commitIntervalMsec", None),
            ("consolidationIntervalMsec", None),
            ("consolidationPolicy", None),
            ("writebufferIdle", None),
            ("writebufferActive", None),
            ("writebufferSizeMax", None),
        ]
    });
    match index_type {
        "persistent" => &PERSISTENT,
        "ttl" => &TTL,
        "geo" => &GEO,
        "fulltext" => &FULLTEXT,
        "mdi" | "zkd" => &MDI,
        "mdi-prefixed" => &MDI_PREFIXED,
        "vector" => &VECTOR,
        "inverted" => &INVERTED,
        _ => &[],
    }
}

/// What ArangoDB reports for a vector index's `params` it was not given
/// (`numberOfDocsPerCentroid` from 3.12.10).
const VECTOR_PARAMS_DEFAULTS: &[(&str, u64)] = &[
    ("defaultNProbe", 1),
    ("trainingIterations", 25),
    ("numberOfDocsPerCentroid", 100),
];

/// The tuning values an inverted index (and an `arangosearch` view) is
/// reported with when it was created without them, by version (transcripts
/// `RestIndexCreateNewInverted` of 3.11 and 3.12.10): a value equal to
/// either version's default is left out. The plan compares only what a
/// spec states, so leaving one out never shows a change.
fn tuning_defaults() -> [(&'static str, Value); 7] {
    [
        ("cleanupIntervalStep", json!([2])),
        ("commitIntervalMsec", json!([1000])),
        ("consolidationIntervalMsec", json!([1000, 5000])),
        ("writebufferIdle", json!([64])),
        ("writebufferActive", json!([0])),
        ("writebufferSizeMax", json!([33554432])),
        (
            "consolidationPolicy",
            json!([
                {"type": "tier", "segmentsBytesMax": 8589934592_u64, "maxSkewThreshold": 0.4, "minDeletionRatio": 0.5},
                {"type": "tier", "segmentsBytesFloor": 2097152, "segmentsBytesMax": 5368709120_u64, "segmentsMax": 10, "segmentsMin": 1, "minScore": 0},
            ]),
        ),
    ]
}

/// Whether `value` is a version's default for the tuning option `key`.
fn is_tuning_default(key: &str, value: &Value) -> bool {
    tuning_defaults()
        .iter()
        .find(|(name, _)| *name == key)
        .and_then(|(_, defaults)| defaults.as_array().cloned())
        .is_some_and(|defaults| {
            defaults
                .iter()
                .any(|default| crate::model::json_eq(default, value))
        })
}

/// Whether two feature lists hold the same features.
fn same_features(left: &Value, right: &Value) -> bool {
    let set = |value: &Value| -> Option<std::collections::BTreeSet<String>> {
        value
            .as_array()?
            .iter()
            .map(|item| item.as_str().map(str::to_string))
            .collect()
    };
    set(left).is_some() && set(left) == set(right)
}

/// The features of analyzer `name` (bare, or a built-in), when known.
fn analyzer_features(name: &str, analyzers: &BTreeMap<String, Analyzer>) -> Option<Value> {
    if let Some(analyzer) = analyzers.get(name.rsplit("::").next().unwrap_or(name)) {
        return Some(json!(analyzer.features));
    }
    match name {
        "identity" => Some(json!(["frequency", "norm"])),
        name if crate::model::is_builtin_analyzer(name) => {
            Some(json!(["frequency", "norm", "position"]))
        }
        _ => None,
    }
}

/// An inverted-index field as a spec states it: without the `features`
/// the server copies from the field's own analyzer (they are compared only
/// when stated), and as its bare name when nothing else is left.
fn field_spec(field: &Value, analyzers: &BTreeMap<String, Analyzer>) -> Value {
    let Value::Object(object) = field else {
        return field.clone();
    };
    let mut object = object.clone();
    if let (Some(analyzer), Some(features)) = (
        object.get("analyzer").and_then(Value::as_str),
        object.get("features"),
    ) {
        if analyzer_features(analyzer, analyzers).is_some_and(|own| same_features(&own, features)) {
            object.remove("features");
        }
    }
    if let Some(Value::Array(nested)) = object.get("nested") {
        let nested = nested
            .iter()
            .map(|field| field_spec(field, analyzers))
            .collect();
        object.insert("nested".into(), Value::Array(nested));
    }
    if object.len() == 1 && object.contains_key("name") {
        return object["name"].clone();
    }
    Value::Object(object)
}

/// Whether `name` is one ArangoDB gave an index created without a name:
/// `idx_` and a hybrid logical clock value, 19 digits in every transcript
/// (`idx_1872607108349820928`, shared/ARANGODB_API.md 4.2); 16 or more
/// digits are taken as generated. Such a name is left out of the spec, so
/// the index is identified by its definition (`plan::indexes`) and the
/// imported tree fits any database holding the same unnamed index, not
/// only the one imported from. Shorter ones (`idx_1`) were chosen by
/// someone and are kept.
fn server_generated_name(name: &str) -> bool {
    name.strip_prefix("idx_")
        .is_some_and(|digits| digits.len() >= 16 && digits.bytes().all(|b| b.is_ascii_digit()))
}

fn index_spec(index: &Index, analyzers: &BTreeMap<String, Analyzer>) -> Value {
    let mut spec = Map::new();
    spec.insert("type".into(), json!(index.index_type));
    if let Some(name) = index
        .name
        .as_ref()
        .filter(|name| !server_generated_name(name))
    {
        spec.insert("name".into(), json!(name));
    }
    let fields: Vec<Value> = if index.index_type == "inverted" {
        index
            .fields
            .iter()
            .map(|field| field_spec(field, analyzers))
            .collect()
    } else {
        index.fields.clone()
    };
    spec.insert("fields".into(), Value::Array(fields));
    for (key, default) in index_option_defaults(&index.index_type) {
        let Some(value) = index.options.get(key) else {
            continue;
        };
        if value.is_null() || default.as_ref() == Some(value) {
            continue;
        }
        let value = match (index.index_type.as_str(), *key, value) {
            ("vector", "params", Value::Object(params)) => {
                let mut params = params.clone();
                for (name, default) in VECTOR_PARAMS_DEFAULTS {
                    if params.get(*name).and_then(Value::as_u64) == Some(*default) {
                        params.remove(*name);
                    }
                }
                Value::Object(params)
            }
            ("inverted", "primarySort", Value::Object(sort))
                if sort
                    .get("fields")
                    .and_then(Value::as_array)
                    .is_some_and(Vec::is_empty) =>
            {
                continue;
            }
            ("inverted", key, value) if is_tuning_default(key, value) => continue,
            ("inverted", "features", value)
                if index
                    .options
                    .get("analyzer")
                    .is_none_or(|a| a == "identity")
                    && same_features(value, &json!(["frequency", "norm"])) =>
            {
                continue;
            }
            _ => value.clone(),
        };
        spec.insert((*key).into(), value);
    }
    Value::Object(spec)
}

fn graph_spec(graph: &Graph) -> Map<String, Value> {
    let mut spec = Map::new();
    let definitions: Vec<Value> = graph
        .edge_definitions
        .iter()
        .map(|definition| {
            json!({"collection": definition.collection, "from": definition.from, "to": definition.to})
        })
        .collect();
    spec.insert("edgeDefinitions".into(), Value::Array(definitions));
    if !graph.orphan_collections.is_empty() {
        spec.insert("orphanCollections".into(), json!(graph.orphan_collections));
    }
    spec
}

/// Analyzer properties the server fills in when they are left out, by
/// type (ArangoDB 3.11/3.12 docs, "Analyzers"; transcript
/// `RestAnalyzerPost_single`): left out of the spec, which the plan
/// compares by the properties it states.
fn analyzer_property_defaults(analyzer_type: &str) -> Vec<(&'static str, Value)> {
    match analyzer_type {
        "text" => vec![
            ("case", json!("lower")),
            ("accent", json!(false)),
            ("stemming", json!(true)),
            ("stopwords", json!([])),
        ],
        "norm" => vec![("case", json!("none")), ("accent", json!(true))],
        "ngram" => vec![
            ("streamType", json!("binary")),
            ("startMarker", json!("")),
            ("endMarker", json!("")),
        ],
        _ => Vec::new(),
    }
}

fn analyzer_spec(analyzer: &Analyzer) -> Map<String, Value> {
    let mut spec = Map::new();
    spec.insert("type".into(), json!(analyzer.analyzer_type));
    if let Some(properties) = analyzer.properties.as_object() {
        let mut properties = properties.clone();
        for (key, default) in analyzer_property_defaults(&analyzer.analyzer_type) {
            if properties.get(key) == Some(&default) {
                properties.remove(key);
            }
        }
        if !properties.is_empty() {
            spec.insert("properties".into(), Value::Object(properties));
        }
    }
    if !analyzer.features.is_empty() {
        spec.insert("features".into(), json!(analyzer.features));
    }
    spec
}

/// `arangosearch` view properties with the value the spec loader fills in.
const VIEW_DEFAULTS: &[(&str, &str)] = &[
    ("primarySort", "[]"),
    ("storedValues", "[]"),
    ("primarySortCompression", "\"lz4\""),
    ("primarySortCache", "false"),
    ("primaryKeyCache", "false"),
    ("optimizeTopK", "[]"),
];

fn view_spec(view: &View) -> Map<String, Value> {
    let mut spec = Map::new();
    spec.insert("type".into(), json!(view.view_type));
    if view.view_type == "search-alias" {
        let indexes: Vec<Value> = view
            .indexes
            .iter()
            .map(|index| json!({"collection": index.collection, "index": index.index}))
            .collect();
        spec.insert("indexes".into(), Value::Array(indexes));
        return spec;
    }
    for key in crate::model::VIEW_IMMUTABLE_PROPERTIES
        .iter()
        .chain(crate::model::VIEW_MUTABLE_PROPERTIES)
    {
        let Some(value) = view.properties.get(*key) else {
            continue;
        };
        let default = VIEW_DEFAULTS
            .iter()
            .find(|(name, _)| name == key)
            .and_then(|(_, text)| serde_json::from_str::<Value>(text).ok());
        if value.is_null() || default.as_ref() == Some(value) || is_tuning_default(key, value) {
            continue;
        }
        spec.insert((*key).into(), value.clone());
    }
    if !view.links.is_empty() {
        let links: Map<String, Value> = view
            .links
            .iter()
            .map(|(collection, link)| (collection.clone(), link_spec(link)))
            .collect();
        spec.insert("links".into(), Value::Object(links));
    }
    spec
}

/// A link without the attributes that equal the server's defaults.
fn link_spec(link: &Value) -> Value {
    let Value::Object(object) = link else {
        return link.clone();
    };
    let defaults = [
        ("analyzers", json!(["identity"])),
        ("includeAllFields", json!(false)),
        ("storeValues", json!("none")),
        ("trackListPositions", json!(false)),
        ("fields", json!({})),
    ];
    let mut kept = object.clone();
    for (key, default) in defaults {
        if kept.get(key) == Some(&default) {
            kept.remove(key);
        }
    }
    Value::Object(kept)
}

/// The `.aql` file of one registry entry: the header, then the query.
fn feature_file(entry: &RegistryEntry, source: &Source) -> String {
    let mut text = format!("-- {HEADER_START}\"{}\".\n", source.database);
    if let Some(time) = &source.timestamp {
        text.push_str(&format!("-- Imported at {time}.\n"));
    }
    text.push_str(&format!("-- Feature: {}\n", entry.feature));
    text.push_str(&format!("-- Version: {}\n", entry.version));
    text.push_str(&format!("-- Description: {}\n", entry.description));
    if let Some(owner) = &entry.owner {
        text.push_str(&format!("-- Owner: {owner}\n"));
    }
    if !entry.params.is_empty() {
        text.push_str(&format!("-- Params: {}\n", entry.params.join(", ")));
    }
    if entry.returns != "all" {
        text.push_str(&format!("-- Returns: {}\n", entry.returns));
    }
    if entry.serve != "registry" {
        text.push_str(&format!("-- Serve: {}\n", entry.serve));
    }
    text.push_str(&entry.query);
    if !entry.query.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// JSON as YAML, keys sorted, without the document marker.
///
/// yaml-rust2's emitter decides quoting by YAML 1.1-ish rules of its own
/// and writes e.g. `0o17` and `+.inf` plain, which the loader's YAML 1.2
/// core schema reads as numbers. Strings that a plain scalar would not
/// give back ([`crate::spec::yaml::plain_is_string`]) are therefore
/// written double-quoted in JSON's spelling (valid YAML: JSON's escapes
/// are a subset of YAML's). The emitter cannot be told to quote one
/// string, so it gets a placeholder of ASCII letters and digits that it
/// writes plain, and the quoted text replaces it afterwards. The
/// placeholder's stem occurs in no string of `value`, so it matches
/// nothing else; [`render`] still reads every file back.
fn to_yaml(value: &Value) -> String {
    let mut quoting = Quoting {
        stem: placeholder_stem(value),
        quoted: Vec::new(),
    };
    let node = to_node(value, &mut quoting);
    let mut out = String::new();
    let mut emitter = YamlEmitter::new(&mut out);
    emitter.multiline_strings(true);
    // Writing into a String cannot fail.
    let _ = emitter.dump(&node);
    for (index, quoted) in quoting.quoted.iter().enumerate() {
        out = out.replace(&quoting.placeholder(index), quoted);
    }
    let body = out.strip_prefix("---\n").unwrap_or(&out);
    format!("{body}\n")
}

/// Strings to be written double-quoted, and the stem of their placeholders.
struct Quoting {
    stem: String,
    quoted: Vec<String>,
}

impl Quoting {
    /// The placeholder of the `index`th quoted string: the stem, the
    /// index, the stem again (so `1` is no prefix of `10`).
    fn placeholder(&self, index: usize) -> String {
        format!("{}{index}{}", self.stem, self.stem)
    }

    /// `text` as the emitter should get it: itself when a plain scalar
    /// reads back as it and it holds no control character but newlines
    /// and tabs (the emitter quotes what YAML syntax needs and writes
    /// multi-line text as a block scalar), else a placeholder for its JSON
    /// spelling.
    fn string(&mut self, text: &str) -> Yaml {
        let unusual = text
            .chars()
            .any(|c| (c.is_control() && c != '\n' && c != '\t') || invisible_break(c));
        if !unusual && literal_block_safe(text) && crate::spec::yaml::plain_is_string(text) {
            return Yaml::String(text.to_string());
        }
        self.quote(text)
    }

    /// A mapping key: as [`Quoting::string`], and quoted when it holds a
    /// line break, a tab or another control character too (yaml-rust2 would
    /// write such a key as a block scalar, which is no valid key).
    fn key(&mut self, text: &str) -> Yaml {
        if text.chars().any(|c| c.is_control() || invisible_break(c)) {
            return self.quote(text);
        }
        self.string(text)
    }

    fn quote(&mut self, text: &str) -> Yaml {
        let placeholder = self.placeholder(self.quoted.len());
        self.quoted.push(Value::from(text).to_string());
        Yaml::String(placeholder)
    }
}

/// Whether yaml-rust2's literal block scalar (`|`) gives `text` back: true
/// for single-line text (not written as a block) and for multi-line text
/// that starts with a visible character, ends in at most one newline and
/// has no whitespace before a line break. Anything else is quoted.
fn literal_block_safe(text: &str) -> bool {
    if !text.contains('\n') {
        return true;
    }
    let body = text.strip_suffix('\n').unwrap_or(text);
    body.starts_with(|c: char| !c.is_whitespace())
        && !body.ends_with('\n')
        && !body.contains(" \n")
        && !body.contains("\t\n")
        && !body.ends_with([' ', '\t'])
}

/// Characters YAML treats as line breaks or a byte order mark that
/// yaml-rust2 would write as they are: U+0085, U+2028, U+2029, U+FEFF.
fn invisible_break(c: char) -> bool {
    matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// A run of ASCII letters found in no string (key or value) of `value`.
fn placeholder_stem(value: &Value) -> String {
    let text = value.to_string();
    let mut stem = String::from("ArangosyncQuoted");
    while text.contains(&stem) {
        stem.push('Q');
    }
    stem
}

fn to_node(value: &Value, quoting: &mut Quoting) -> Yaml {
    match value {
        Value::Null => Yaml::Null,
        Value::Bool(flag) => Yaml::Boolean(*flag),
        // Exact: an `i64` as itself; a larger `u64` (yaml-rust2 holds
        // integers as `i64`) and a float as serde_json spells them, its
        // digits for the one, the shortest text that reads back as the same
        // `f64` for the other, always with a `.` or an exponent (`1.0`,
        // `0.1`, `1e300`), so the loader reads each back as it was.
        Value::Number(number) => match number.as_i64() {
            Some(integer) => Yaml::Integer(integer),
            None => Yaml::Real(number.to_string()),
        },
        Value::String(text) => quoting.string(text),
        Value::Array(items) => {
            Yaml::Array(items.iter().map(|item| to_node(item, quoting)).collect())
        }
        Value::Object(object) => {
            let mut keys: Vec<&String> = object.keys().collect();
            keys.sort();
            // Sorted: `apiVersion`, `kind`, `metadata`, `spec` come out in
            // the order Kubernetes manifests use, and the rest is stable.
            let mut hash = Hash::new();
            for key in keys {
                let value = to_node(&object[key], quoting);
                hash.insert(quoting.key(key), value);
            }
            Yaml::Hash(hash)
        }
    }
}

#[cfg(test)]
mod tests;
