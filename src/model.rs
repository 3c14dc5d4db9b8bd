//! The database schema arangosync manages, as plain data.
//!
//! The desired state (loaded from spec files) and the live state (read from
//! the server) are both `State`, so the plan is a pure comparison of two
//! values of one type. Every value here is normalised: attributes the user
//! left out carry the server's default, lists whose order the server does not
//! keep are sorted, so equal schemas compare equal with `==`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

mod analyzer_refs;
mod index_options;
mod lineage;
mod view;

pub use analyzer_refs::{analyzer_as_reported, analyzer_database, SYSTEM_DATABASE};
pub use index_options::IndexOptions;
pub use lineage::{FeatureLineage, SourceKind};

/// Everything arangosync manages in one database.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct State {
    pub collections: BTreeMap<String, Collection>,
    pub graphs: BTreeMap<String, Graph>,
    /// AQL user functions of arangosync's namespace, by upper-cased name.
    pub functions: BTreeMap<String, Function>,
    /// Feature registry entries, by upper-cased function name.
    pub registry: BTreeMap<String, RegistryEntry>,
    /// The database's own ArangoSearch analyzers, by bare name (without
    /// the `db::` prefix the server lists them with); never built-ins.
    pub analyzers: BTreeMap<String, Analyzer>,
    /// ArangoSearch views (`arangosearch` and `search-alias`), by name.
    /// Views and collections share one namespace.
    pub views: BTreeMap<String, View>,
    /// Specs only: the names collections and graphs had before
    /// (`metadata.renamedFrom`). Empty in a live state.
    #[serde(skip)]
    pub renames: Renames,
}

/// What `metadata.renamedFrom` says: by new name, the old name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Renames {
    pub collections: BTreeMap<String, String>,
    pub graphs: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CollectionType {
    Document,
    Edge,
}

impl CollectionType {
    /// The number the HTTP API uses (2 document, 3 edge).
    pub fn api_number(self) -> u64 {
        match self {
            CollectionType::Document => 2,
            CollectionType::Edge => 3,
        }
    }

    pub fn from_api_number(number: u64) -> Option<CollectionType> {
        match number {
            2 => Some(CollectionType::Document),
            3 => Some(CollectionType::Edge),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CollectionType::Document => "document",
            CollectionType::Edge => "edge",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Collection {
    pub name: String,
    #[serde(rename = "type")]
    pub collection_type: CollectionType,
    pub wait_for_sync: bool,
    pub cache_enabled: bool,
    pub key_options: KeyOptions,
    pub schema: Option<Schema>,
    /// Empty means none (the server reports `null`).
    pub computed_values: Vec<ComputedValue>,
    pub cluster: ClusterOptions,
    /// User-defined indexes; the built-in primary and edge indexes are never listed.
    pub indexes: Vec<Index>,
}

impl Collection {
    /// A collection with every property at the server's default.
    pub fn new(name: &str, collection_type: CollectionType) -> Collection {
        Collection {
            name: name.to_string(),
            collection_type,
            wait_for_sync: false,
            cache_enabled: false,
            key_options: KeyOptions::default(),
            schema: None,
            computed_values: Vec::new(),
            cluster: ClusterOptions::default(),
            indexes: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyOptions {
    /// `traditional`, `autoincrement`, `uuid` or `padded`.
    #[serde(rename = "type")]
    pub generator: String,
    pub allow_user_keys: bool,
    /// Only for `autoincrement`.
    pub increment: Option<u64>,
    pub offset: Option<u64>,
}

impl Default for KeyOptions {
    fn default() -> Self {
        KeyOptions {
            generator: "traditional".into(),
            allow_user_keys: true,
            increment: None,
            offset: None,
        }
    }
}

/// A collection schema in the server's stored form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Schema {
    /// A JSON Schema (draft-04) object.
    pub rule: Value,
    /// `none`, `new`, `moderate` or `strict` (the default).
    pub level: String,
    /// Empty by default.
    pub message: String,
}

impl Schema {
    /// Whether `live` is this schema: the rule by value ([`json_eq`]: a
    /// stored `minimum: 1.0` is the spec's `1`), level and message as
    /// written.
    pub fn matches(&self, live: &Schema) -> bool {
        json_eq(&self.rule, &live.rule) && self.level == live.level && self.message == live.message
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ComputedValue {
    pub name: String,
    pub expression: String,
    /// Sorted; all three of `insert`, `update`, `replace` by default.
    pub compute_on: Vec<String>,
    pub overwrite: bool,
    pub keep_null: bool,
    pub fail_on_warning: bool,
}

/// Options that only a cluster reports. `None` means "not stated" in a spec
/// and "not reported" by the server; the plan compares only what both sides
/// state, so a single server never shows a cluster-only difference.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterOptions {
    pub number_of_shards: Option<u64>,
    pub shard_keys: Option<Vec<String>>,
    pub replication_factor: Option<Value>,
    pub write_concern: Option<u64>,
    pub sharding_strategy: Option<String>,
    pub distribute_shards_like: Option<String>,
}

/// ArangoSearch analyzers every database has (ArangoDB 3.11 to 4.0).
pub const BUILTIN_ANALYZERS: &[&str] = &[
    "identity", "text_de", "text_en", "text_es", "text_fi", "text_fr", "text_it", "text_nl",
    "text_no", "text_pt", "text_ru", "text_sv", "text_zh",
];

/// Whether `name` (bare, `::name` or `db::name`) is a built-in analyzer:
/// built-ins live in `_system` and are visible in every database.
pub fn is_builtin_analyzer(name: &str) -> bool {
    let short = name.rsplit("::").next().unwrap_or(name);
    BUILTIN_ANALYZERS.contains(&short)
}

/// The analyzers an inverted index names (index level, fields, nested
/// fields), as written in the spec.
pub fn analyzers_named(index: &Index) -> BTreeSet<String> {
    if index.index_type != "inverted" {
        return BTreeSet::new();
    }
    analyzers_in(index.options.get("analyzer"), &index.fields)
}

/// The analyzers named by an inverted-index create body
/// (`POST /_api/index`); empty for other index types.
pub fn analyzers_in_body(body: &Value) -> BTreeSet<String> {
    if body["type"].as_str() != Some("inverted") {
        return BTreeSet::new();
    }
    let fields = body["fields"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    analyzers_in(body.get("analyzer"), fields)
}

fn analyzers_in(index_level: Option<&Value>, fields: &[Value]) -> BTreeSet<String> {
    fn walk(value: &Value, into: &mut BTreeSet<String>) {
        if let Some(object) = value.as_object() {
            if let Some(name) = object.get("analyzer").and_then(Value::as_str) {
                into.insert(name.to_string());
            }
            for nested in object
                .get("nested")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                walk(nested, into);
            }
        }
    }
    let mut names = BTreeSet::new();
    if let Some(name) = index_level.and_then(Value::as_str) {
        names.insert(name.to_string());
    }
    for field in fields {
        walk(field, &mut names);
    }
    names
}

impl State {
    /// The custom (not built-in) analyzers the inverted indexes and view
    /// links of these specs name: the ones that must exist on the server
    /// first.
    pub fn custom_analyzers(&self) -> BTreeSet<String> {
        self.collections
            .values()
            .flat_map(|collection| collection.indexes.iter())
            .flat_map(analyzers_named)
            .chain(self.views.values().flat_map(View::analyzers))
            .filter(|name| !is_builtin_analyzer(name))
            .collect()
    }
}

/// A custom ArangoSearch analyzer of one database.
///
/// ArangoDB cannot change an analyzer: a create under a taken name with
/// another definition fails (400, error 10, "Name collision detected"), so
/// a changed analyzer is dropped and created again.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analyzer {
    /// The bare name (`product_name`, not `features::product_name`).
    pub name: String,
    /// `text`, `norm`, `delimiter`, ... (see `spec::ANALYZER_TYPES`).
    #[serde(rename = "type")]
    pub analyzer_type: String,
    /// The type's properties: as written in a spec, as reported by the
    /// server (with its defaults filled in) for a live analyzer. Always an
    /// object.
    pub properties: Value,
    /// `frequency`, `position`, `offset`, `norm`: as written in a spec
    /// (so `validate` can point at each), sorted for a live analyzer (the
    /// server keeps an order of its own, which means nothing); always
    /// compared as a set.
    pub features: Vec<String>,
}

impl Analyzer {
    /// Whether the live analyzer `live` is what this desired one states:
    /// the same type and features, and every property the spec states with
    /// the stated value, compared as [`option_matches`] compares index
    /// options (objects by the keys stated, numbers by value). Properties
    /// the spec leaves out are the server's defaults, filled in on read-back
    /// (`RestAnalyzerPost_single` shows a `text` analyzer reported with
    /// `case`, `accent`, `stemming` and `stopwords` it was not given).
    pub fn satisfied_by(&self, live: &Analyzer) -> bool {
        self.analyzer_type == live.analyzer_type
            && self.feature_set() == live.feature_set()
            && option_matches("properties", &self.properties, Some(&live.properties))
    }

    /// The features, sorted and without repeats.
    pub fn feature_set(&self) -> BTreeSet<&str> {
        self.features.iter().map(String::as_str).collect()
    }

    /// The `POST /_api/analyzer` body.
    pub fn to_api_body(&self) -> Value {
        serde_json::json!({
            "name": self.name,
            "type": self.analyzer_type,
            "properties": self.properties,
            "features": self.feature_set(),
        })
    }

    /// Reads one entry of `GET /_api/analyzer` (or a create answer);
    /// `None` for built-ins, analyzers of other databases (`_system`'s are
    /// visible everywhere) and entries without a name or type.
    pub fn from_api(database: &str, value: &Value) -> Option<Analyzer> {
        let full = value.get("name")?.as_str()?;
        let (prefix, name) = full.split_once("::")?;
        if prefix != database {
            return None;
        }
        Analyzer::from_body(name, value)
    }

    /// Reads a create request body (`POST /_api/analyzer`) or a listed
    /// definition, under the bare name `name`.
    pub fn from_body(name: &str, value: &Value) -> Option<Analyzer> {
        let mut features: Vec<String> = value
            .get("features")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|feature| feature.as_str().map(str::to_string))
            .collect();
        features.sort();
        features.dedup();
        let properties = match value.get("properties") {
            Some(Value::Object(object)) => Value::Object(object.clone()),
            _ => Value::Object(serde_json::Map::new()),
        };
        Some(Analyzer {
            name: name.to_string(),
            analyzer_type: value.get("type")?.as_str()?.to_string(),
            properties,
            features,
        })
    }
}

#[cfg(test)]
mod analyzer_tests {
    use serde_json::json;

    use super::Analyzer;

    #[test]
    fn the_listing_yields_the_databases_own_analyzers_by_bare_name() {
        let listed = |name: &str| json!({"name": name, "type": "norm", "properties": {"locale": "en", "case": "none", "accent": true}, "features": ["norm", "frequency"]});
        let own = Analyzer::from_api("features", &listed("features::names")).unwrap();
        assert_eq!(own.name, "names");
        assert_eq!(own.features, ["frequency", "norm"]);
        assert_eq!(
            Analyzer::from_api("features", &listed("_system::names")),
            None
        );
        assert_eq!(Analyzer::from_api("features", &listed("identity")), None);
        assert!(Analyzer::from_api("_system", &listed("_system::names")).is_some());
    }

    #[test]
    fn a_spec_is_satisfied_by_what_it_states() {
        let live = Analyzer::from_api(
            "features",
            &json!({"name": "features::names", "type": "text", "properties": {"locale": "en", "case": "lower", "stopwords": [], "accent": false, "stemming": true}, "features": ["frequency", "position", "norm"]}),
        )
        .unwrap();
        let want = |properties: serde_json::Value, features: &[&str]| Analyzer {
            name: "names".into(),
            analyzer_type: "text".into(),
            properties,
            features: features.iter().map(|f| f.to_string()).collect(),
        };
        assert!(
            want(json!({"locale": "en"}), &["norm", "position", "frequency"]).satisfied_by(&live)
        );
        assert!(!want(
            json!({"locale": "en", "stemming": false}),
            &["norm", "position", "frequency"]
        )
        .satisfied_by(&live));
        assert!(!want(json!({"locale": "en"}), &["frequency"]).satisfied_by(&live));
        let mut other_type = want(json!({"locale": "en"}), &["norm", "position", "frequency"]);
        other_type.analyzer_type = "norm".into();
        assert!(!other_type.satisfied_by(&live));
    }
}
pub use view::{
    link_matches, view_property_matches, AliasIndex, View, INHERITED_LINK_ATTRIBUTES,
    VIEW_IMMUTABLE_PROPERTIES, VIEW_MUTABLE_PROPERTIES,
};

/// One user-defined index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Index {
    /// The spec's explicit name, or the server-given name for a live index.
    /// A desired index without a name matches a live one by definition.
    pub name: Option<String>,
    /// Normalised type: `hash` and `skiplist` are written as `persistent`.
    #[serde(rename = "type")]
    pub index_type: String,
    /// Attribute paths (strings) or, for inverted indexes, field objects.
    pub fields: Vec<Value>,
    /// Every other attribute, with the server's defaults for the type filled
    /// in (`unique`, `sparse`, `estimates`, `expireAfter`, ...), sorted by
    /// name.
    pub options: IndexOptions,
    /// The server's id (`coll/123`) for live indexes; `None` in specs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl Index {
    /// Whether the server's "ensure" would return `self` when asked to
    /// create `other` (shared/ARANGODB_API.md 4.2): names and tuning options
    /// (`estimates`, `cacheEnabled`, `deduplicate`, `storedValues`,
    /// `legacyPolygons`) do not count; field order does. A collection has at
    /// most one TTL index, so any two TTL indexes are "the same".
    pub fn same_server_identity(&self, other: &Index) -> bool {
        if self.index_type != other.index_type {
            return false;
        }
        if self.index_type == "ttl" {
            return true;
        }
        if !self.fields_match(other) {
            return false;
        }
        let same = |key: &str| match (self.options.get(key), other.options.get(key)) {
            (Some(a), Some(b)) => json_eq(a, b),
            (a, b) => a.is_none() && b.is_none(),
        };
        match self.index_type.as_str() {
            "persistent" | "mdi" | "zkd" => same("unique") && same("sparse"),
            "mdi-prefixed" => same("unique") && same("sparse") && same("prefixFields"),
            "geo" => same("geoJson"),
            "fulltext" => same("minLength"),
            // ArangoDB's `RocksDBVectorIndex::matchesDefinition` (3.12
            // sources) takes the base index rule (type, fields, `unique`,
            // `sparse`) and then compares the request's `params`, read with
            // their defaults, to the index's; `storedValues` and the name
            // do not count. A spec states fewer `params` than the server
            // reports (the `nLists` and `numberOfDocsPerCentroid` defaults of
            // 3.12.10), so params count as the same when one side's stated
            // values are the other's: broader than the server's rule, on
            // purpose, since calling two indexes different that the server
            // takes for one would make a replace create nothing and then
            // drop the only index; the other way round a replace only drops
            // the old index first.
            "vector" => {
                let params = |a: &Index, b: &Index| match a.options.get("params") {
                    Some(value) => option_matches("params", value, b.options.get("params")),
                    None => true,
                };
                same("unique") && same("sparse") && (params(self, other) || params(other, self))
            }
            // The server's rule for inverted indexes is unverified; the
            // whole definition but the name is the reading taken. A spec
            // states fewer options than the server reports back (it fills
            // in its tuning defaults), so the definitions count as one when
            // either side's stated options are the other's: broader, on
            // purpose, for the reason given for vector indexes above (a
            // rename must drop the old index first, or the create returns
            // it and the drop then removes the only index).
            _ => {
                let within = |a: &Index, b: &Index| {
                    a.options
                        .iter()
                        .all(|(key, value)| option_matches(key, value, b.options.get(key)))
                };
                within(self, other) || within(other, self)
            }
        }
    }

    /// Whether the live index `live` is what this desired index states,
    /// compared the way the server normalises a definition: the type, the
    /// fields (see [`Index::fields_match`]) and every option the spec
    /// states, each by [`option_matches`]. Options the server adds that the
    /// spec leaves out (geo cover-cell levels, an inverted index's tuning
    /// values or analyzer `features`) do not count.
    pub fn satisfied_by(&self, live: &Index) -> bool {
        self.index_type == live.index_type
            && self.fields_match(live)
            && self
                .compared_options()
                .all(|(key, value)| option_matches(key, value, live.options.get(key)))
    }

    /// The options that describe the index, without the creation-only ones
    /// ([`is_creation_option`]): what a plan compares.
    pub fn compared_options(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.options
            .iter()
            .filter(|(key, _)| !is_creation_option(&self.index_type, key))
    }

    /// Whether the desired fields are the live ones. Attribute paths compare
    /// as written. Inverted-index field objects compare by what the spec
    /// states, as ArangoDB 3.12 reports them back (transcript
    /// `RestIndexCreateNewInverted_single`): a field's `analyzer`, `cache`,
    /// `includeAllFields`, `searchField` and `trackListPositions` default to
    /// the index-level value, so either side may leave them out; the server
    /// adds the analyzer's `features` to a field with its own analyzer and
    /// leaves out what equals the parent's, so `features` count only when
    /// the spec states them (as a set, against the field's or else the
    /// inherited features); `nested` fields compare by the same rule,
    /// inheriting from their parent.
    pub fn fields_match(&self, live: &Index) -> bool {
        if self.index_type != "inverted" {
            return json_slices_eq(&self.fields, &live.fields);
        }
        let want_root = Inherited::root(&self.options);
        let live_root = Inherited::root(&live.options);
        inverted_fields_match(&self.fields, &want_root, &live.fields, &live_root)
    }

    /// The indexed attribute paths as text (inverted-index field objects by
    /// their `name`), for messages.
    pub fn field_names(&self) -> Vec<String> {
        self.fields
            .iter()
            .map(|field| match field {
                Value::String(path) => path.clone(),
                Value::Object(object) => object
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_string(),
                other => other.to_string(),
            })
            .collect()
    }

    /// The definition as the index API takes it (`name` only when set).
    pub fn to_api_body(&self) -> Value {
        let mut body = serde_json::Map::new();
        body.insert("type".into(), Value::from(self.index_type.clone()));
        body.insert("fields".into(), Value::Array(self.fields.clone()));
        if let Some(name) = &self.name {
            body.insert("name".into(), Value::from(name.clone()));
        }
        for (key, value) in &self.options {
            body.insert(key.to_string(), value.clone());
        }
        Value::Object(body)
    }
}

/// Whether `key` tells the server how to build an index of `index_type`
/// rather than what the index is, so that it is sent with the create but
/// never compared: a vector index's `parallelism` (threads of the build;
/// the emulator does not report it, and what a server reports says nothing
/// about the index). `inBackground` is such an option of every type; the
/// spec loader drops it.
pub fn is_creation_option(index_type: &str, key: &str) -> bool {
    index_type == "vector" && key == "parallelism"
}

/// Whether a live option value is the desired one. Numbers compare by
/// value (`3600` and `3600.0` are one TTL); analyzer `features` compare as
/// sets, since the server reports them in its own order; option objects
/// compare by the keys the spec states (see [`stated_within`]), since the
/// server completes them with its defaults; an absent live value is `null`,
/// except for the cache flags the server reports only when they are on.
pub fn option_matches(key: &str, want: &Value, live: Option<&Value>) -> bool {
    let Some(live) = live else {
        return off_when_absent(key, want) || want.is_null();
    };
    if key == "features" {
        return feature_set(want) == feature_set(live);
    }
    stated_within(want, live)
}

/// The flags an inverted index (and its `primarySort` and `storedValues`
/// columns) reports only when switched on: the 3.12.10 read-back of a
/// default inverted index (`RestIndexCreateNewInverted_single`) has no
/// `cache` and no `primaryKeyCache`.
const OFF_WHEN_ABSENT: &[&str] = &["cache", "primaryKeyCache"];

/// Whether a stated `key: want` is what the server means by leaving `key`
/// out.
pub(crate) fn off_when_absent(key: &str, want: &Value) -> bool {
    OFF_WHEN_ABSENT.contains(&key) && *want == Value::Bool(false)
}

/// Whether `live` holds what `want` states. Objects compare by the keys
/// `want` states, recursively: ArangoDB completes an option object such as
/// an inverted index's `consolidationPolicy` with the defaults of its
/// version (3.11 and 3.12.10 fill in different keys), so a partial object
/// in a spec is the live one when every stated key has the stated value.
/// Lists compare item by item and must have the same length; numbers
/// compare by value; anything else as written.
pub(crate) fn stated_within(want: &Value, live: &Value) -> bool {
    match (want, live) {
        (Value::Number(a), Value::Number(b)) => number_eq(a, b),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| stated_within(a, b))
        }
        (Value::Object(a), Value::Object(b)) => a.iter().all(|(key, value)| match b.get(key) {
            Some(other) => stated_within(value, other),
            None => off_when_absent(key, value),
        }),
        _ => want == live,
    }
}

/// Whether two JSON values are the same value: what every comparison of a
/// desired value with a live one uses. Numbers compare by their exact
/// value, not by their JSON spelling: `1` is `1.0` and `3600.0` is `3600`
/// (a spec loaded from YAML and a server that stored a double say the same
/// thing differently), while integers beyond 2^53 are not rounded to the
/// nearest `f64` first (`9007199254740993` is not `9007199254740992`).
/// Lists compare item by item, objects key by key (key order does not
/// count); anything else as `==` does.
pub fn json_eq(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(a), Value::Number(b)) => number_eq(a, b),
        (Value::Array(a), Value::Array(b)) => json_slices_eq(a, b),
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(key, value)| b.get(key).is_some_and(|other| json_eq(value, other)))
        }
        _ => left == right,
    }
}

/// A non-negative whole number however it is spelled (`2`, `2.0`): how a
/// count in passed-through JSON (vector index `params`) is read, since a
/// spec's `2.0` stays a float (see `spec::yaml::json_number`) and means
/// what the server reads as 2. `None` for anything else, and for floats
/// beyond 2^53, which are no exact count.
pub fn whole_number(value: &Value) -> Option<u64> {
    if let Some(number) = value.as_u64() {
        return Some(number);
    }
    // 2^53: every integral f64 up to it is an exact count.
    const EXACT_LIMIT: f64 = 9_007_199_254_740_992.0;
    let float = value.as_f64()?;
    (float.fract() == 0.0 && (0.0..=EXACT_LIMIT).contains(&float)).then_some(float as u64)
}

/// [`json_eq`] for two lists: same length, items equal in order.
pub fn json_slices_eq(left: &[Value], right: &[Value]) -> bool {
    left.len() == right.len() && left.iter().zip(right).all(|(a, b)| json_eq(a, b))
}

/// Whether two JSON numbers have the same exact value. serde_json keeps an
/// integer as `i64` or `u64` and anything else as `f64`; integral values of
/// either kind compare as integers (exactly, in `i128`), anything else as
/// `f64`. `1` equals `1.0`; `2^53 + 1` differs from the float `2^53`.
pub fn number_eq(left: &serde_json::Number, right: &serde_json::Number) -> bool {
    match (integral_value(left), integral_value(right)) {
        (Some(a), Some(b)) => a == b,
        (None, None) => left.as_f64() == right.as_f64(),
        _ => false,
    }
}

/// The exact integer a JSON number is, when it is one: any `i64` or `u64`,
/// and a float without a fractional part (within `i128`, which holds every
/// integer JSON gives us).
fn integral_value(number: &serde_json::Number) -> Option<i128> {
    if let Some(integer) = number.as_i64() {
        return Some(i128::from(integer));
    }
    if let Some(integer) = number.as_u64() {
        return Some(i128::from(integer));
    }
    // 2^127: every integral f64 below it converts to i128 exactly.
    const I128_LIMIT: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;
    let float = number.as_f64()?;
    (float.fract() == 0.0 && float.abs() < I128_LIMIT).then_some(float as i128)
}

#[cfg(test)]
mod number_tests {
    use serde_json::{json, Value};

    use super::{json_eq, stated_within, whole_number, Schema};

    #[test]
    fn integral_floats_are_the_integers() {
        assert!(json_eq(&json!(1), &json!(1.0)));
        assert!(json_eq(&json!(3600.0), &json!(3600)));
        assert!(json_eq(&json!(-2), &json!(-2.0)));
        assert!(json_eq(&json!(0.1), &json!(0.1)));
        assert!(!json_eq(&json!(1), &json!(1.5)));
        assert!(!json_eq(&json!(0.1), &json!(0.2)));
        assert!(!json_eq(&json!(1), &json!("1")));
        // serde_json's own `==` tells them apart; this is why json_eq exists.
        assert_ne!(json!(1), json!(1.0));
    }

    #[test]
    fn big_integers_compare_exactly() {
        let above = json!(9_007_199_254_740_993_u64);
        assert!(!json_eq(&above, &json!(9_007_199_254_740_992_u64)));
        assert!(
            !json_eq(&above, &json!(9_007_199_254_740_992.0)),
            "2^53 + 1 is not the float 2^53, though it rounds to it"
        );
        assert!(json_eq(&json!(u64::MAX), &json!(u64::MAX)));
        assert!(!json_eq(&json!(u64::MAX), &json!(u64::MAX - 1)));
        assert!(!json_eq(
            &json!(u64::MAX),
            &json!(18_446_744_073_709_551_615.0)
        ));
        assert!(json_eq(
            &json!(i64::MIN),
            &json!(-9_223_372_036_854_775_808.0)
        ));
        assert!(!json_eq(&json!(i64::MAX), &json!(u64::MAX)));
    }

    #[test]
    fn containers_compare_by_value_and_key() {
        let want = json!({"properties": {"a": {"minimum": 1, "enum": [1, 2.5]}}, "type": "object"});
        let live =
            json!({"type": "object", "properties": {"a": {"enum": [1.0, 2.5], "minimum": 1.0}}});
        assert!(json_eq(&want, &live));
        assert!(!json_eq(&want, &json!({"type": "object"})));
        assert!(!json_eq(&json!([1, 2]), &json!([1])));
        assert!(stated_within(
            &json!({"minimum": 1}),
            &live["properties"]["a"]
        ));
        assert!(!stated_within(
            &json!(9_007_199_254_740_993_u64),
            &json!(9_007_199_254_740_992_u64)
        ));
    }

    #[test]
    fn schemas_match_by_value() {
        let schema = |rule: Value| Schema {
            rule,
            level: "strict".into(),
            message: String::new(),
        };
        let want = schema(json!({"minimum": 1}));
        assert!(want.matches(&schema(json!({"minimum": 1.0}))));
        assert!(!want.matches(&schema(json!({"minimum": 1.5}))));
        let mut other_level = schema(json!({"minimum": 1}));
        other_level.level = "moderate".into();
        assert!(!want.matches(&other_level));
    }

    #[test]
    fn whole_numbers_in_either_spelling() {
        assert_eq!(whole_number(&json!(2)), Some(2));
        assert_eq!(whole_number(&json!(2.0)), Some(2));
        assert_eq!(whole_number(&json!(u64::MAX)), Some(u64::MAX));
        assert_eq!(whole_number(&json!(2.5)), None);
        assert_eq!(whole_number(&json!(-1)), None);
        assert_eq!(whole_number(&json!(-1.0)), None);
        assert_eq!(whole_number(&json!(1e300)), None);
        assert_eq!(whole_number(&json!("2")), None);
    }
}

/// Analyzer features as a sorted list; anything but a list of strings as is.
fn feature_set(value: &Value) -> Result<Vec<&str>, &Value> {
    let Some(items) = value.as_array() else {
        return Err(value);
    };
    let mut names = Vec::with_capacity(items.len());
    for item in items {
        names.push(item.as_str().ok_or(value)?);
    }
    names.sort_unstable();
    names.dedup();
    Ok(names)
}

/// The inverted-index field attributes that default to the enclosing
/// (index or parent field) value when a field leaves them out.
const INHERITED_FIELD_ATTRIBUTES: &[&str] = &[
    "analyzer",
    "cache",
    "includeAllFields",
    "searchField",
    "trackListPositions",
];

/// The values a field inherits, from the index or its parent field.
/// ArangoDB writes a field attribute back only where it differs from the
/// parent's (`InvertedIndexField::json`), so each side is read with its
/// inherited values filled in.
#[derive(Clone)]
struct Inherited {
    values: BTreeMap<&'static str, Value>,
    /// The analyzer features in effect: compared only where the spec states
    /// them, since the server derives them from the analyzer otherwise.
    features: Option<Value>,
}

impl Inherited {
    fn root(options: &IndexOptions) -> Inherited {
        let defaults = [
            ("analyzer", Value::from("identity")),
            ("cache", Value::Bool(false)),
            ("includeAllFields", Value::Bool(false)),
            ("searchField", Value::Bool(false)),
            ("trackListPositions", Value::Bool(false)),
        ];
        Inherited {
            values: defaults
                .into_iter()
                .map(|(key, default)| (key, options.get(key).cloned().unwrap_or(default)))
                .collect(),
            features: options.get("features").cloned(),
        }
    }

    /// The values a field's own settings give to itself and its `nested` fields.
    fn within(&self, field: &serde_json::Map<String, Value>) -> Inherited {
        let mut values = self.values.clone();
        for key in INHERITED_FIELD_ATTRIBUTES {
            if let Some(value) = field.get(*key) {
                values.insert(key, value.clone());
            }
        }
        Inherited {
            values,
            features: field.get("features").or(self.features.as_ref()).cloned(),
        }
    }

    fn same(&self, other: &Inherited) -> bool {
        self.values.iter().all(|(key, value)| {
            other
                .values
                .get(key)
                .is_some_and(|theirs| json_eq(value, theirs))
        })
    }
}

fn inverted_fields_match(
    want: &[Value],
    want_parent: &Inherited,
    live: &[Value],
    live_parent: &Inherited,
) -> bool {
    want.len() == live.len()
        && want
            .iter()
            .zip(live)
            .all(|(want, live)| inverted_field_matches(want, want_parent, live, live_parent))
}

fn inverted_field_matches(
    want: &Value,
    want_parent: &Inherited,
    live: &Value,
    live_parent: &Inherited,
) -> bool {
    let as_object = |field: &Value| match field {
        Value::String(name) => Some(serde_json::Map::from_iter([(
            "name".to_string(),
            Value::from(name.clone()),
        )])),
        Value::Object(object) => Some(object.clone()),
        _ => None,
    };
    let (Some(want), Some(live)) = (as_object(want), as_object(live)) else {
        return json_eq(want, live);
    };
    let (want_values, live_values) = (want_parent.within(&want), live_parent.within(&live));
    if want.get("name") != live.get("name") || !want_values.same(&live_values) {
        return false;
    }
    if let Some(features) = want.get("features") {
        if !option_matches("features", features, live_values.features.as_ref()) {
            return false;
        }
    }
    let nested = |field: &serde_json::Map<String, Value>| {
        field
            .get("nested")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let known = |key: &String| {
        matches!(key.as_str(), "name" | "features" | "nested")
            || INHERITED_FIELD_ATTRIBUTES.contains(&key.as_str())
    };
    // Any other attribute the spec states compares as written.
    want.iter()
        .filter(|(key, _)| !known(key))
        .all(|(key, value)| live.get(key).is_some_and(|other| json_eq(value, other)))
        && inverted_fields_match(&nested(&want), &want_values, &nested(&live), &live_values)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Graph {
    pub name: String,
    /// Sorted by collection; each `from`/`to` sorted, as the server returns them.
    pub edge_definitions: Vec<EdgeDefinition>,
    /// Sorted.
    pub orphan_collections: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EdgeDefinition {
    pub collection: String,
    pub from: Vec<String>,
    pub to: Vec<String>,
}

/// An AQL user function in arangosync's namespace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Function {
    /// Upper-cased, as the server compares names: `FEATURES::X_V2`.
    pub name: String,
    pub code: String,
    /// The content hash the code carries; `None` for code arangosync did
    /// not generate.
    pub hash: Option<String>,
}

/// The version of the registry document's shape
/// (`schemas/registry-entry.v1.schema.json`); raised only when a field is
/// removed or changes meaning, never when one is added.
pub const REGISTRY_FORMAT_VERSION: u32 = 1;

/// What the feature registry records about one feature version, less the
/// revision and time of the apply (which change without the feature
/// changing, and so are not compared). The stored document adds `_key`,
/// `type: "feature"`, `revision` and `appliedAt`; the README's "Serving
/// features" section and the JSON Schema describe it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistryEntry {
    pub feature: String,
    pub version: u32,
    /// The AQL user function's name (`NAMESPACE::FEATURE_VN`): the entry's
    /// identity, also where the server has no user functions.
    pub function: String,
    pub description: String,
    pub owner: Option<String>,
    pub query: String,
    /// Bind variable keys in parameter order (`@name` for collections).
    pub params: Vec<String>,
    /// Collections the query reads: literal names, then collection bind
    /// parameters as `@@name`.
    pub collections: Vec<String>,
    /// `all` (the result array) or `one` (the first row, or null).
    pub returns: String,
    /// `registry` or `function` (the header's `Serve:`).
    pub serve: String,
    pub hash: String,
    /// The file name (not its path, which differs between layouts).
    pub source: String,
    /// [`REGISTRY_FORMAT_VERSION`] of the writer.
    pub format_version: u32,
    /// What the query reads ([`FeatureLineage`]); `None` for an entry
    /// written before lineage was recorded (an addition within format 1,
    /// left out of the document when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lineage: Option<FeatureLineage>,
}
