//! Server JSON to model values, with the same normalisation as the spec
//! loader: ids and server-only attributes dropped, `hash`/`skiplist` read as
//! `persistent`, lists the server keeps unordered sorted.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::model::{
    ClusterOptions, Collection, CollectionType, ComputedValue, EdgeDefinition, FeatureLineage,
    Graph, Index, KeyOptions, RegistryEntry, Schema,
};

/// Index attributes that describe the index object, not its definition.
const INDEX_METADATA: &[&str] = &[
    "id",
    "name",
    "type",
    "fields",
    "selectivityEstimate",
    "isNewlyCreated",
    "code",
    "error",
    "inBackground",
    "figures",
    "progress",
    "isBuilding",
];

pub fn collection_from_api(
    parameters: &Value,
    indexes: &[Value],
    cluster: bool,
) -> Result<Collection, String> {
    let name = parameters["name"]
        .as_str()
        .ok_or("collection without a name")?;
    let collection_type = parameters["type"]
        .as_u64()
        .and_then(CollectionType::from_api_number)
        .ok_or_else(|| {
            format!(
                "collection {name} has an unknown type {}",
                parameters["type"]
            )
        })?;
    let mut collection = Collection::new(name, collection_type);
    collection.wait_for_sync = parameters["waitForSync"].as_bool().unwrap_or(false);
    collection.cache_enabled = parameters["cacheEnabled"].as_bool().unwrap_or(false);
    collection.key_options = key_options(&parameters["keyOptions"]);
    collection.schema = schema(&parameters["schema"]);
    collection.computed_values = computed_values(&parameters["computedValues"]);
    if cluster {
        collection.cluster = ClusterOptions {
            number_of_shards: parameters["numberOfShards"].as_u64(),
            shard_keys: parameters["shardKeys"].as_array().map(|keys| {
                keys.iter()
                    .filter_map(|k| k.as_str().map(str::to_string))
                    .collect()
            }),
            replication_factor: Some(parameters["replicationFactor"].clone())
                .filter(|v| !v.is_null()),
            write_concern: parameters["writeConcern"].as_u64(),
            sharding_strategy: parameters["shardingStrategy"].as_str().map(str::to_string),
            distribute_shards_like: parameters["distributeShardsLike"]
                .as_str()
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        };
    }
    for index in indexes {
        if let Some(index) = index_from_api(name, index) {
            collection.indexes.push(index);
        }
    }
    Ok(collection)
}

fn key_options(value: &Value) -> KeyOptions {
    let generator = value["type"].as_str().unwrap_or("traditional").to_string();
    let autoincrement = generator == "autoincrement";
    KeyOptions {
        allow_user_keys: value["allowUserKeys"].as_bool().unwrap_or(true),
        increment: if autoincrement {
            Some(value["increment"].as_u64().unwrap_or(1))
        } else {
            None
        },
        offset: if autoincrement {
            Some(value["offset"].as_u64().unwrap_or(0))
        } else {
            None
        },
        generator,
    }
}

fn schema(value: &Value) -> Option<Schema> {
    let rule = value.get("rule")?;
    Some(Schema {
        rule: rule.clone(),
        level: value["level"].as_str().unwrap_or("strict").to_string(),
        message: value["message"].as_str().unwrap_or("").to_string(),
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
    let index_type = match value["type"].as_str()? {
        "primary" | "edge" => return None,
        "hash" | "skiplist" | "rocksdb" => "persistent",
        other => other,
    };
    let id = match &value["id"] {
        Value::String(id) if id.contains('/') => id.clone(),
        Value::String(id) => format!("{collection}/{id}"),
        Value::Number(id) => format!("{collection}/{id}"),
        _ => String::new(),
    };
    let options: BTreeMap<String, Value> = value
        .as_object()?
        .iter()
        .filter(|(key, _)| !INDEX_METADATA.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    Some(Index {
        name: value["name"].as_str().map(str::to_string),
        index_type: index_type.to_string(),
        fields: value["fields"].as_array().cloned().unwrap_or_default(),
        options,
        id: Some(id).filter(|id| !id.is_empty()),
    })
}

pub fn graph_from_api(value: &Value) -> Result<Graph, String> {
    let name = value["name"]
        .as_str()
        .or_else(|| value["_key"].as_str())
        .ok_or("graph without a name")?;
    let strings = |list: &Value| -> Vec<String> {
        let mut items: Vec<String> = list
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|item| item.as_str().map(str::to_string))
            .collect();
        items.sort();
        items
    };
    let mut edge_definitions: Vec<EdgeDefinition> = value["edgeDefinitions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|definition| EdgeDefinition {
            collection: definition["collection"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            from: strings(&definition["from"]),
            to: strings(&definition["to"]),
        })
        .collect();
    edge_definitions.sort_by(|a, b| a.collection.cmp(&b.collection));
    Ok(Graph {
        name: name.to_string(),
        edge_definitions,
        orphan_collections: strings(&value["orphanCollections"]),
    })
}

/// A feature-registry document back as an entry; `None` for other documents.
pub fn registry_entry(document: &Value) -> Option<RegistryEntry> {
    if document["type"].as_str() != Some("feature") {
        return None;
    }
    Some(RegistryEntry {
        feature: document["feature"].as_str()?.to_string(),
        version: u32::try_from(document["version"].as_u64()?).ok()?,
        function: document["function"].as_str()?.to_string(),
        description: document["description"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        owner: document["owner"].as_str().map(str::to_string),
        query: document["query"].as_str().unwrap_or_default().to_string(),
        params: document["params"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|param| param.as_str().map(str::to_string))
            .collect(),
        collections: document["collections"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|collection| collection.as_str().map(str::to_string))
            .collect(),
        returns: document["returns"].as_str().unwrap_or_default().to_string(),
        serve: document["serve"].as_str().unwrap_or_default().to_string(),
        hash: document["hash"].as_str().unwrap_or_default().to_string(),
        source: document["source"].as_str().unwrap_or_default().to_string(),
        // Entries written before the format was versioned read as 0, so
        // the plan rewrites them in the current format.
        format_version: document["formatVersion"]
            .as_u64()
            .and_then(|version| u32::try_from(version).ok())
            .unwrap_or(0),
        lineage: document
            .get("lineage")
            .and_then(FeatureLineage::from_document),
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
