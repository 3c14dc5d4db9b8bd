//! The database schema arangosync manages, as plain data.
//!
//! The desired state (loaded from spec files) and the live state (read from
//! the server) are both `State`, so the plan is a pure comparison of two
//! values of one type. Every value here is normalised: attributes the user
//! left out carry the server's default, lists whose order the server does not
//! keep are sorted, so equal schemas compare equal with `==`.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// Everything arangosync manages in one database.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct State {
    pub collections: BTreeMap<String, Collection>,
    pub graphs: BTreeMap<String, Graph>,
    /// AQL user functions of arangosync's namespace, by upper-cased name.
    pub functions: BTreeMap<String, Function>,
    /// Feature registry entries, by upper-cased function name.
    pub registry: BTreeMap<String, RegistryEntry>,
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
    /// in (`unique`, `sparse`, `estimates`, `expireAfter`, ...).
    pub options: BTreeMap<String, Value>,
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
        if self.fields != other.fields {
            return false;
        }
        let same = |key: &str| self.options.get(key) == other.options.get(key);
        match self.index_type.as_str() {
            "persistent" | "mdi" | "zkd" => same("unique") && same("sparse"),
            "mdi-prefixed" => same("unique") && same("sparse") && same("prefixFields"),
            "geo" => same("geoJson"),
            "fulltext" => same("minLength"),
            // The server's rule for inverted indexes is unverified; the whole
            // definition but the name is the cautious reading.
            _ => self.options == other.options,
        }
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
            body.insert(key.clone(), value.clone());
        }
        Value::Object(body)
    }
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

/// What the feature registry records about one registered function, less
/// the revision and time of the apply (which change without the feature
/// changing, and so are not compared).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistryEntry {
    pub feature: String,
    pub version: u32,
    pub function: String,
    pub description: String,
    pub owner: Option<String>,
    pub query: String,
    /// Bind variable keys in parameter order (`@name` for collections).
    pub params: Vec<String>,
    pub hash: String,
    pub source: String,
}
