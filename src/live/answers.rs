//! The server's answers `live` reads, as typed shapes read straight from
//! the response bytes (`Client::call_json`): only the attributes the model
//! uses are kept; serde skips the rest without building anything. A
//! `serde_json::Value` remains only where the model holds arbitrary JSON
//! (index options and fields, a schema rule, view definitions) and for
//! single scalars, whose `Value` costs no more than the scalar itself and
//! keeps reading them exactly as lenient as looking them up in a `Value`
//! tree: an attribute of another type than expected reads as absent.
//!
//! The same leniency holds for containers: [`OrDefault`] reads a
//! non-object where an object is expected as the empty object, [`List`] a
//! non-array where an array is expected as the empty array, as key and
//! index lookups on a `Value` would.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize as DeriveDeserialize;
use serde_json::Value;

use crate::model::{IndexOptions, RegistryEntry};
use crate::ownership::{Intent, Owned, StateDocument};

/// `T` read from a JSON object; anything else (null, a scalar, an array)
/// reads as `T::default()`, which is what every key lookup on a non-object
/// `Value` finds. `T` only ever sees an object, so a derived struct never
/// reads an array positionally.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct OrDefault<T>(pub T);

impl<'de, T: Deserialize<'de> + Default> Deserialize<'de> for OrDefault<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(OrDefaultVisitor(PhantomData))
    }
}

struct OrDefaultVisitor<T>(PhantomData<T>);

/// Visitor methods for the JSON scalars that all read as `$value`.
macro_rules! scalars_read_as {
    ($value:expr) => {
        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
    };
}

impl<'de, T: Deserialize<'de> + Default> Visitor<'de> for OrDefaultVisitor<T> {
    type Value = OrDefault<T>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    scalars_read_as!(OrDefault(T::default()));

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        OrDefault::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(OrDefault(T::default()))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(OrDefault)
    }
}

/// The elements of a JSON array, each read as `T`; anything else reads as
/// no elements (what iterating `Value::as_array` finds).
#[derive(Debug, Clone, PartialEq)]
pub struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ListVisitor(PhantomData))
    }
}

struct ListVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = List<T>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    scalars_read_as!(List::default());

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        List::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(List::default())
    }
}

/// The strings of a JSON value that should be an array of strings; other
/// elements and other values are skipped, as the `Value` readers did.
pub fn strings(value: Value) -> Vec<String> {
    match value {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|item| match item {
                Value::String(text) => Some(text),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A string attribute, moved out; `None` when absent or not a string.
pub fn string(value: Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text),
        _ => None,
    }
}

/// A replication inventory (`GET /_api/replication/inventory` on a single
/// server, `clusterInventory` on a coordinator): its collections and the
/// full definitions of its views.
#[derive(Debug, Default, DeriveDeserialize)]
#[serde(default)]
pub struct InventoryAnswer {
    pub collections: List<OrDefault<InventoryEntry>>,
    pub views: List<Value>,
}

/// One collection of an inventory.
#[derive(Debug, Default, DeriveDeserialize)]
#[serde(default)]
pub struct InventoryEntry {
    pub parameters: OrDefault<Parameters>,
    pub indexes: List<OrDefault<ApiIndex>>,
}

/// The collection properties the model reads (an inventory entry's
/// `parameters`, or `GET /_api/collection/{name}/properties`).
#[derive(Debug, Default, Clone, DeriveDeserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Parameters {
    pub name: Value,
    #[serde(rename = "type")]
    pub collection_type: Value,
    pub is_system: Value,
    pub wait_for_sync: Value,
    pub cache_enabled: Value,
    pub key_options: OrDefault<ApiKeyOptions>,
    pub schema: Value,
    pub computed_values: Value,
    pub number_of_shards: Value,
    pub shard_keys: Value,
    pub replication_factor: Value,
    pub write_concern: Value,
    pub sharding_strategy: Value,
    pub distribute_shards_like: Value,
}

/// A collection's `keyOptions`.
#[derive(Debug, Default, Clone, PartialEq, DeriveDeserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ApiKeyOptions {
    #[serde(rename = "type")]
    pub generator: Value,
    pub allow_user_keys: Value,
    pub increment: Value,
    pub offset: Value,
}

/// Index attributes that describe the index object, not its definition;
/// the first four are kept apart, the rest skipped.
const INDEX_METADATA: &[&str] = &[
    "selectivityEstimate",
    "isNewlyCreated",
    "code",
    "error",
    "inBackground",
    "figures",
    "progress",
    "isBuilding",
];

/// An index as the server lists it: `type`, `id`, `name` and `fields` apart,
/// every attribute that is part of the definition in `options`, the
/// object's own metadata (estimates, figures, build progress) skipped
/// unread. Read into what it is as it is parsed (120 bytes, not the 344 of
/// four `Value`s and the options), since a whole inventory's indexes are
/// held at once before they become the model.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ApiIndex {
    /// `type`, when a string.
    pub index_type: Option<String>,
    /// `id`: a string as given, a number as its text; `None` for anything
    /// else.
    pub id: Option<String>,
    /// `name`, when a string.
    pub name: Option<String>,
    /// `fields`, when an array (else empty), without spare room.
    pub fields: Vec<Value>,
    /// The definition's other attributes, without spare room.
    pub options: IndexOptions,
}

impl<'de> Deserialize<'de> for ApiIndex {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ApiIndexVisitor)
    }
}

struct ApiIndexVisitor;

impl<'de> Visitor<'de> for ApiIndexVisitor {
    type Value = ApiIndex;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an index object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ApiIndex, A::Error> {
        let mut index = ApiIndex::default();
        // A key given twice counts with its last value, as in a `Value`.
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => index.index_type = string(map.next_value()?),
                "id" => {
                    index.id = match map.next_value()? {
                        Value::String(id) => Some(id),
                        Value::Number(id) => Some(id.to_string()),
                        _ => None,
                    }
                }
                "name" => index.name = string(map.next_value()?),
                "fields" => {
                    // Parsed lists grow by doubling: a two-field list
                    // would hold four `Value`s of 80 bytes.
                    index.fields = match map.next_value()? {
                        Value::Array(mut fields) => {
                            fields.shrink_to_fit();
                            fields
                        }
                        _ => Vec::new(),
                    }
                }
                other if INDEX_METADATA.contains(&other) => {
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    let value = map.next_value()?;
                    index.options.insert(&key, value);
                }
            }
        }
        index.options.shrink_to_fit();
        Ok(index)
    }
}

/// `GET /_api/index?collection=...` (the fallback read).
#[derive(Debug, Default, DeriveDeserialize)]
#[serde(default)]
pub struct IndexListAnswer {
    pub indexes: List<OrDefault<ApiIndex>>,
}

/// A graph of `GET /_api/gharial`.
#[derive(Debug, Default, Clone, DeriveDeserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ApiGraph {
    pub name: Value,
    #[serde(rename = "_key")]
    pub key: Value,
    pub edge_definitions: List<OrDefault<ApiEdgeDefinition>>,
    pub orphan_collections: Value,
}

/// One edge definition of a graph.
#[derive(Debug, Default, Clone, DeriveDeserialize)]
#[serde(default)]
pub struct ApiEdgeDefinition {
    pub collection: Value,
    pub from: Value,
    pub to: Value,
}

/// A cursor batch of the state collection's documents, each read into
/// what it is as it is parsed (no document is kept as JSON).
#[derive(Debug, Default, DeriveDeserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct StateBatch {
    pub result: List<StateRecord>,
    pub has_more: Value,
    pub id: Value,
}

/// A document of the state collection, read into the model.
#[derive(Debug, DeriveDeserialize)]
#[serde(from = "OrDefault<StateDocument>")]
pub enum StateRecord {
    Owned(Owned),
    Pending(Intent),
    Feature(Box<RegistryEntry>),
    /// The lock, or a document no reader of this version knows.
    Other,
}

impl From<OrDefault<StateDocument>> for StateRecord {
    fn from(OrDefault(document): OrDefault<StateDocument>) -> StateRecord {
        match document.record_type.as_str() {
            Some("owned") => {
                Owned::from_state(&document).map_or(StateRecord::Other, StateRecord::Owned)
            }
            Some("pending") => {
                Intent::from_state(document).map_or(StateRecord::Other, StateRecord::Pending)
            }
            Some("feature") => super::convert::registry_entry_from_state(document)
                .map_or(StateRecord::Other, |entry| {
                    StateRecord::Feature(Box::new(entry))
                }),
            _ => StateRecord::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn containers_of_another_shape_read_as_empty() {
        let read = |text: &str| -> InventoryAnswer {
            serde_json::from_str::<OrDefault<InventoryAnswer>>(text)
                .expect("read")
                .0
        };
        for text in ["null", "[1, {\"collections\": []}]", "\"x\"", "3"] {
            let answer = read(text);
            assert!(answer.collections.0.is_empty() && answer.views.0.is_empty());
        }
        let answer = read(
            r#"{"collections": [7, {"parameters": [1, 2], "indexes": {"a": 1}},
                {"parameters": {"name": "c", "type": 2, "keyOptions": "x", "extra": {"deep": [1]}},
                 "indexes": [1, {"type": "persistent", "id": "c/5", "fields": ["a"],
                                 "unique": true, "figures": {"x": 1}, "selectivityEstimate": 1}]}],
                "views": {"v": 1}}"#,
        );
        assert!(answer.views.0.is_empty());
        let entries = answer.collections.0;
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].0.parameters.0.name, Value::Null);
        assert_eq!(entries[1].0.parameters.0.name, Value::Null);
        assert!(entries[1].0.indexes.0.is_empty());
        let parameters = &entries[2].0.parameters.0;
        assert_eq!(parameters.name, json!("c"));
        assert_eq!(parameters.key_options.0, ApiKeyOptions::default());
        let indexes = &entries[2].0.indexes.0;
        assert_eq!(indexes[0].0, ApiIndex::default());
        assert_eq!(indexes[1].0.index_type.as_deref(), Some("persistent"));
        assert_eq!(indexes[1].0.id.as_deref(), Some("c/5"));
        assert_eq!(indexes[1].0.fields, [json!("a")]);
        assert_eq!(
            indexes[1].0.options,
            IndexOptions::from([("unique", json!(true))])
        );
    }

    #[test]
    fn state_documents_read_into_records() {
        // Read from bytes, as `Client::call_json` reads an answer.
        let text = json!({
            "result": [
                {"_key": "k", "type": "owned", "kind": "collection", "name": "users"},
                {"type": "pending", "kind": "index", "collection": "users",
                 "definition": {"type": "ttl"}, "supersedesOwned": true},
                {"type": "feature", "feature": "f", "version": 2, "function": "NS::F_V2"},
                {"type": "lock", "holder": "x"},
                {"type": "owned", "kind": "index", "name": "i"},
                ["owned", "collection", "positional"],
                5
            ],
            "hasMore": false
        })
        .to_string();
        let batch: StateBatch = serde_json::from_str(&text).expect("read");
        let records = batch.result.0;
        assert_eq!(records.len(), 7);
        assert!(
            matches!(&records[0], StateRecord::Owned(Owned::Collection(name)) if name == "users")
        );
        assert!(
            matches!(&records[1], StateRecord::Pending(intent) if intent.supersedes_owned && intent.definition == json!({"type": "ttl"}))
        );
        assert!(
            matches!(&records[2], StateRecord::Feature(entry) if entry.version == 2 && entry.function == "NS::F_V2")
        );
        for other in &records[3..] {
            assert!(matches!(other, StateRecord::Other), "{other:?}");
        }
    }
}
