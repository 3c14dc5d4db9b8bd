//! Server JSON to model values, with the same normalisation as the spec
//! loader: ids and server-only attributes dropped, `hash`/`skiplist` read as
//! `persistent`, lists the server keeps unordered sorted.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::answers::{string, strings, ApiGraph, ApiIndex, ApiKeyOptions, OrDefault, Parameters};
use crate::model::{
    ClusterOptions, Collection, CollectionType, ComputedValue, EdgeDefinition, FeatureLineage,
    Graph, Index, KeyOptions, RegistryEntry, Schema,
};
use crate::ownership::StateDocument;

/// A collection from its properties (an inventory entry's `parameters`
/// or `GET /_api/collection/{name}/properties`) and its index list.
pub fn collection_from_api(
    parameters: &Value,
    indexes: &[Value],
    cluster: bool,
) -> Result<Collection, String> {
    let OrDefault(parameters) = OrDefault::<Parameters>::deserialize(parameters)
        .map_err(|err| format!("collection properties: {err}"))?;
    let indexes = indexes
        .iter()
        .map(|index| OrDefault::<ApiIndex>::deserialize(index).map(|index| index.0))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| format!("index list: {err}"))?;
    collection_from_parts(parameters, indexes, cluster)
}

/// [`collection_from_api`] for properties and indexes already read, moved
/// into the model.
pub(super) fn collection_from_parts(
    parameters: Parameters,
    indexes: Vec<ApiIndex>,
    cluster: bool,
) -> Result<Collection, String> {
    let name = parameters
        .name
        .as_str()
        .ok_or("collection without a name")?;
    let collection_type = parameters
        .collection_type
        .as_u64()
        .and_then(CollectionType::from_api_number)
        .ok_or_else(|| {
            format!(
                "collection {name} has an unknown type {}",
                parameters.collection_type
            )
        })?;
    let mut collection = Collection::new(name, collection_type);
    collection.wait_for_sync = parameters.wait_for_sync.as_bool().unwrap_or(false);
    collection.cache_enabled = parameters.cache_enabled.as_bool().unwrap_or(false);
    collection.key_options = key_options(parameters.key_options.0);
    collection.schema = schema(parameters.schema);
    collection.computed_values = computed_values(&parameters.computed_values);
    if cluster {
        collection.cluster = ClusterOptions {
            number_of_shards: parameters.number_of_shards.as_u64(),
            shard_keys: parameters
                .shard_keys
                .is_array()
                .then(|| strings(parameters.shard_keys)),
            replication_factor: Some(parameters.replication_factor).filter(|v| !v.is_null()),
            write_concern: parameters.write_concern.as_u64(),
            sharding_strategy: string(parameters.sharding_strategy),
            distribute_shards_like: string(parameters.distribute_shards_like)
                .filter(|s| !s.is_empty()),
        };
    }
    for index in indexes {
        if let Some(index) = index_from_parts(&collection.name, index) {
            collection.indexes.push(index);
        }
    }
    Ok(collection)
}

fn key_options(value: ApiKeyOptions) -> KeyOptions {
    let generator = string(value.generator).unwrap_or_else(|| "traditional".to_string());
    let autoincrement = generator == "autoincrement";
    KeyOptions {
        allow_user_keys: value.allow_user_keys.as_bool().unwrap_or(true),
        increment: if autoincrement {
            Some(value.increment.as_u64().unwrap_or(1))
        } else {
            None
        },
        offset: if autoincrement {
            Some(value.offset.as_u64().unwrap_or(0))
        } else {
            None
        },
        generator,
    }
}

fn schema(value: Value) -> Option<Schema> {
    let Value::Object(mut value) = value else {
        return None;
    };
    let rule = value.shift_remove("rule")?;
    Some(Schema {
        rule,
        level: value
            .get("level")
            .and_then(Value::as_str)
            .unwrap_or("strict")
            .to_string(),
        message: value
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
    })
}

fn computed_values(value: &Value) -> Vec<ComputedValue> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .map(|entry| {
            let mut compute_on: Vec<String> = entry["computeOn"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|on| on.as_str().map(str::to_string))
                .collect();
            compute_on.sort();
            ComputedValue {
                name: entry["name"].as_str().unwrap_or_default().to_string(),
                expression: entry["expression"].as_str().unwrap_or_default().to_string(),
                compute_on,
                overwrite: entry["overwrite"].as_bool().unwrap_or(false),
                keep_null: entry["keepNull"].as_bool().unwrap_or(true),
                fail_on_warning: entry["failOnWarning"].as_bool().unwrap_or(false),
            }
        })
        .collect()
}

/// A user index; `None` for the built-in primary and edge indexes.
pub fn index_from_api(collection: &str, value: &Value) -> Option<Index> {
    if !value.is_object() {
        return None;
    }
    index_from_parts(collection, ApiIndex::deserialize(value).ok()?)
}

/// [`index_from_api`] for an index already read, moved into the model.
pub(super) fn index_from_parts(collection: &str, index: ApiIndex) -> Option<Index> {
    let index_type = match index.index_type.as_deref()? {
        "primary" | "edge" => return None,
        "hash" | "skiplist" | "rocksdb" => "persistent",
        other => other,
    };
    let id = match index.id {
        Some(id) if id.contains('/') => Some(id),
        Some(id) => Some(format!("{collection}/{id}")),
        None => None,
    };
    Some(Index {
        index_type: index_type.to_string(),
        name: index.name,
        fields: index.fields,
        options: index.options,
        id,
    })
}

pub fn graph_from_api(value: &Value) -> Result<Graph, String> {
    let OrDefault(graph) =
        OrDefault::<ApiGraph>::deserialize(value).map_err(|err| format!("graph: {err}"))?;
    graph_from_parts(graph)
}

/// [`graph_from_api`] for a graph already read, moved into the model.
pub(super) fn graph_from_parts(graph: ApiGraph) -> Result<Graph, String> {
    let name = string(graph.name)
        .or_else(|| string(graph.key))
        .ok_or("graph without a name")?;
    let sorted = |list: Value| -> Vec<String> {
        let mut items = strings(list);
        items.sort();
        items
    };
    let mut edge_definitions: Vec<EdgeDefinition> = graph
        .edge_definitions
        .0
        .into_iter()
        .map(|OrDefault(definition)| EdgeDefinition {
            collection: string(definition.collection).unwrap_or_default(),
            from: sorted(definition.from),
            to: sorted(definition.to),
        })
        .collect();
    edge_definitions.sort_by(|a, b| a.collection.cmp(&b.collection));
    Ok(Graph {
        name,
        edge_definitions,
        orphan_collections: sorted(graph.orphan_collections),
    })
}

/// A feature-registry document back as an entry; `None` for other
/// documents.
pub(super) fn registry_entry_from_state(document: StateDocument) -> Option<RegistryEntry> {
    if document.record_type.as_str() != Some("feature") {
        return None;
    }
    Some(RegistryEntry {
        version: u32::try_from(document.version.as_u64()?).ok()?,
        feature: string(document.feature)?,
        function: string(document.function)?,
        description: string(document.description).unwrap_or_default(),
        owner: string(document.owner),
        query: string(document.query).unwrap_or_default(),
        params: strings(document.params),
        collections: strings(document.collections),
        returns: string(document.returns).unwrap_or_default(),
        serve: string(document.serve).unwrap_or_default(),
        hash: string(document.hash).unwrap_or_default(),
        source: string(document.source).unwrap_or_default(),
        // Entries written before the format was versioned read as 0, so
        // the plan rewrites them in the current format.
        format_version: document
            .format_version
            .as_u64()
            .and_then(|version| u32::try_from(version).ok())
            .unwrap_or(0),
        lineage: FeatureLineage::from_document(&document.lineage),
    })
}

/// View attributes that describe the view object, not its definition.
const VIEW_METADATA: &[&str] = &[
    "name",
    "type",
    "id",
    "globallyUniqueId",
    "links",
    "indexes",
    "error",
    "code",
    "isSystem",
    "deleted",
    "planId",
];

/// A view's full definition (`GET /_api/view/{name}/properties`, or an
/// entry of a replication inventory's `views`) into the model. Links and
/// properties are kept as reported; the plan compares them by what the
/// spec states (`model::link_matches`, `model::view_property_matches`).
pub fn view_from_api(definition: &Value) -> Result<crate::model::View, String> {
    let name = definition["name"].as_str().ok_or("view without a name")?;
    let view_type = definition["type"]
        .as_str()
        .ok_or_else(|| format!("view {name} has no type"))?;
    let mut view = crate::model::View {
        name: name.to_string(),
        view_type: view_type.to_string(),
        properties: BTreeMap::new(),
        links: BTreeMap::new(),
        indexes: Vec::new(),
        id: definition["id"].as_str().map(str::to_string),
    };
    if view.is_search_alias() {
        for entry in definition["indexes"].as_array().into_iter().flatten() {
            let (Some(collection), Some(index)) =
                (entry["collection"].as_str(), entry["index"].as_str())
            else {
                return Err(format!(
                    "view {name} has an index entry without collection or index"
                ));
            };
            view.indexes.push(crate::model::AliasIndex {
                collection: collection.to_string(),
                index: index.to_string(),
            });
        }
        view.indexes.sort();
        return Ok(view);
    }
    for (key, value) in definition.as_object().into_iter().flatten() {
        if !VIEW_METADATA.contains(&key.as_str()) {
            view.properties.insert(key.clone(), value.clone());
        }
    }
    for (collection, link) in definition["links"].as_object().into_iter().flatten() {
        view.links.insert(collection.clone(), link.clone());
    }
    Ok(view)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_index_read_from_bytes_is_read_into_place_without_spare_room() {
        let answer = br#"{"type": "hash", "id": "7", "name": "idx", "fields": ["a", "b"],
            "unique": true, "sparse": false, "selectivityEstimate": 1, "newOption": [1]}"#;
        let read: ApiIndex = serde_json::from_slice(answer).expect("index");
        let index = index_from_parts("c", read).expect("a user index");
        assert_eq!(index.index_type, "persistent");
        assert_eq!(index.id.as_deref(), Some("c/7"));
        assert_eq!(index.fields, [json!("a"), json!("b")]);
        assert_eq!(index.fields.capacity(), 2);
        assert_eq!(std::mem::size_of::<ApiIndex>(), 120);
        assert_eq!(
            serde_json::to_string(&index.options).expect("json"),
            r#"{"newOption":[1],"sparse":false,"unique":true}"#
        );
    }
}
