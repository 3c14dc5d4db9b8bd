//! The `spec` of an `ArangoCollection` document into a normalised
//! [`model::Collection`].
//!
//! Invariants:
//! * Leaving a field out gives the server's default (`Collection::new`,
//!   shared/ARANGODB_API.md 3.2, 3.5, 3.6): an autoincrement key generator
//!   gets `increment` 1 and `offset` 0, a schema level `strict` and message
//!   `""`, a computed value `computeOn` all three events, `keepNull` true and
//!   `failOnWarning` false. `computeOn` is sorted.
//! * A field with a wrong type keeps its default after the problem is
//!   reported, so the collection still exists for cross-references and one
//!   typo does not cascade into "undeclared collection" errors elsewhere.
//! * Values the server would reject (a bad schema level, `increment` on a
//!   traditional generator, ...) are kept as written for `validate`.
//!   Only what cannot be represented in the model is an error here.

use crate::model::{ClusterOptions, Collection, CollectionType, ComputedValue, KeyOptions, Schema};
use crate::spec::index;
use crate::spec::reader::{suggestion, Reader};
use crate::spec::yaml::{Node, NodeKind};

const SPEC_KEYS: &[&str] = &[
    "type",
    "keyOptions",
    "waitForSync",
    "cacheEnabled",
    "computedValues",
    "numberOfShards",
    "replicationFactor",
    "writeConcern",
    "shardKeys",
    "shardingStrategy",
    "distributeShardsLike",
    "indexes",
    "schema",
];
const KEY_OPTIONS_KEYS: &[&str] = &["type", "allowUserKeys", "increment", "offset"];
const COMPUTED_VALUE_KEYS: &[&str] = &[
    "name",
    "expression",
    "overwrite",
    "computeOn",
    "keepNull",
    "failOnWarning",
];
const SCHEMA_KEYS: &[&str] = &["rule", "level", "message"];
const COLLECTION_TYPES: &[&str] = &["document", "edge"];
const COMPUTE_ON_ALL: &[&str] = &["insert", "replace", "update"];

/// A collection read from a spec, with the spec node of each index it kept
/// (in model order), so the caller can record where each index is.
pub struct ReadCollection<'n> {
    pub collection: Collection,
    pub index_nodes: Vec<&'n Node>,
}

/// Reads the `spec` mapping of collection `name`; `spec` is `None` when the
/// document has none, which means every property at its default.
pub fn read<'n>(reader: &mut Reader<'_>, name: &str, spec: Option<&'n Node>) -> ReadCollection<'n> {
    let mut collection = Collection::new(name, CollectionType::Document);
    let mut index_nodes = Vec::new();
    let Some(spec) = spec else {
        return ReadCollection {
            collection,
            index_nodes,
        };
    };
    if spec.kind == NodeKind::Null {
        return ReadCollection {
            collection,
            index_nodes,
        };
    }
    let Some(mut fields) = reader.fields(spec, "the collection spec", SPEC_KEYS) else {
        return ReadCollection {
            collection,
            index_nodes,
        };
    };

    if let Some(type_node) = fields.take("type") {
        if let Some(text) = reader.string(type_node, "`type`") {
            match text.as_str() {
                "document" => collection.collection_type = CollectionType::Document,
                "edge" => collection.collection_type = CollectionType::Edge,
                other => reader.error_with_hint(
                    "invalid-value",
                    format!("unknown collection type `{other}`"),
                    type_node.pos,
                    suggestion(other, COLLECTION_TYPES),
                ),
            }
        }
    }
    if let Some(node) = fields.take("keyOptions") {
        collection.key_options = key_options(reader, node);
    }
    if let Some(wait_for_sync) = fields.bool(reader, "waitForSync") {
        collection.wait_for_sync = wait_for_sync;
    }
    if let Some(cache_enabled) = fields.bool(reader, "cacheEnabled") {
        collection.cache_enabled = cache_enabled;
    }
    if let Some(node) = fields.take("computedValues") {
        collection.computed_values = computed_values(reader, node);
    }
    collection.cluster = cluster_options(reader, &mut fields);
    if let Some(node) = fields.take("schema") {
        collection.schema = schema(reader, node);
    }
    if let Some(node) = fields.take("indexes") {
        if let Some(items) = reader.list(node, "`indexes`") {
            for item in items {
                if let Some(index) = index::read(reader, item) {
                    collection.indexes.push(index);
                    index_nodes.push(item);
                }
            }
        }
    }
    reader.finish(fields);
    ReadCollection {
        collection,
        index_nodes,
    }
}

fn key_options(reader: &mut Reader<'_>, node: &Node) -> KeyOptions {
    let mut options = KeyOptions::default();
    let Some(mut fields) = reader.fields(node, "`keyOptions`", KEY_OPTIONS_KEYS) else {
        return options;
    };
    if let Some(generator) = fields.string(reader, "type") {
        options.generator = generator;
    }
    if let Some(allow_user_keys) = fields.bool(reader, "allowUserKeys") {
        options.allow_user_keys = allow_user_keys;
    }
    options.increment = fields.uint(reader, "increment");
    options.offset = fields.uint(reader, "offset");
    // The server reports both for autoincrement, with these defaults.
    if options.generator == "autoincrement" {
        options.increment = options.increment.or(Some(1));
        options.offset = options.offset.or(Some(0));
    }
    reader.finish(fields);
    options
}

fn computed_values(reader: &mut Reader<'_>, node: &Node) -> Vec<ComputedValue> {
    let Some(items) = reader.list(node, "`computedValues`") else {
        return Vec::new();
    };
    let mut values = Vec::with_capacity(items.len());
    for item in items {
        let Some(mut fields) = reader.fields(item, "a computed value", COMPUTED_VALUE_KEYS) else {
            continue;
        };
        let name = fields
            .require(reader, "name")
            .and_then(|node| reader.string(node, "`name`"));
        let expression = fields
            .require(reader, "expression")
            .and_then(|node| reader.string(node, "`expression`"));
        let overwrite = fields
            .require(reader, "overwrite")
            .and_then(|node| reader.bool(node, "`overwrite`"));
        let compute_on = fields.strings(reader, "computeOn");
        let keep_null = fields.bool(reader, "keepNull").unwrap_or(true);
        let fail_on_warning = fields.bool(reader, "failOnWarning").unwrap_or(false);
        reader.finish(fields);
        let (Some(name), Some(expression), Some(overwrite)) = (name, expression, overwrite) else {
            continue;
        };
        let mut compute_on = compute_on.unwrap_or_else(|| {
            COMPUTE_ON_ALL
                .iter()
                .map(|event| (*event).to_string())
                .collect()
        });
        compute_on.sort();
        values.push(ComputedValue {
            name,
            expression,
            compute_on,
            overwrite,
            keep_null,
            fail_on_warning,
        });
    }
    values
}

/// `replicationFactor` is a number or the word `satellite`.
fn replication_factor(reader: &mut Reader<'_>, node: &Node) -> Option<serde_json::Value> {
    match &node.kind {
        NodeKind::Int(_) => reader
            .uint(node, "`replicationFactor`")
            .map(serde_json::Value::from),
        NodeKind::Str(text) if text == "satellite" => Some(serde_json::Value::from("satellite")),
        NodeKind::Str(text) => {
            reader.error_with_hint(
                "invalid-value",
                format!("`replicationFactor`: expected a positive integer or `satellite`, found `{text}`"),
                node.pos,
                suggestion(text, &["satellite"]),
            );
            None
        }
        _ => {
            reader.wrong_type(
                node,
                "`replicationFactor`",
                "a positive integer or `satellite`",
            );
            None
        }
    }
}

fn cluster_options(
    reader: &mut Reader<'_>,
    fields: &mut crate::spec::reader::Fields<'_>,
) -> ClusterOptions {
    ClusterOptions {
        number_of_shards: fields.uint(reader, "numberOfShards"),
        shard_keys: fields.strings(reader, "shardKeys"),
        replication_factor: fields
            .take("replicationFactor")
            .and_then(|node| replication_factor(reader, node)),
        write_concern: fields.uint(reader, "writeConcern"),
        sharding_strategy: fields.string(reader, "shardingStrategy"),
        distribute_shards_like: fields.string(reader, "distributeShardsLike"),
    }
}

/// `null` and `{}` mean "no schema", as they do for the server.
fn schema(reader: &mut Reader<'_>, node: &Node) -> Option<Schema> {
    match &node.kind {
        NodeKind::Null => return None,
        NodeKind::Map(entries) if entries.is_empty() => return None,
        _ => {}
    }
    let mut fields = reader.fields(node, "`schema`", SCHEMA_KEYS)?;
    let rule = match fields.require(reader, "rule") {
        Some(rule) if matches!(rule.kind, NodeKind::Map(_)) => reader.json(rule),
        Some(rule) => {
            reader.wrong_type(rule, "`schema.rule`", "a mapping (a JSON Schema object)");
            None
        }
        None => None,
    };
    let level = fields
        .string(reader, "level")
        .unwrap_or_else(|| "strict".into());
    let message = fields.string(reader, "message").unwrap_or_default();
    reader.finish(fields);
    Some(Schema {
        rule: rule?,
        level,
        message,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;
    use crate::spec::yaml;

    fn read_spec(text: &str) -> (Collection, Vec<String>) {
        let root = yaml::parse(text).unwrap().remove(0).root;
        let mut reader = Reader::new(Path::new("c.yaml"));
        let collection = read(&mut reader, "c", Some(&root)).collection;
        let rendered = reader
            .diagnostics
            .0
            .iter()
            .map(ToString::to_string)
            .collect();
        (collection, rendered)
    }

    #[test]
    fn empty_spec_is_all_defaults() {
        let (collection, diagnostics) = read_spec("{}");
        assert!(diagnostics.is_empty());
        assert_eq!(collection, Collection::new("c", CollectionType::Document));
        let mut reader = Reader::new(Path::new("c.yaml"));
        assert_eq!(
            read(&mut reader, "c", None).collection,
            Collection::new("c", CollectionType::Document)
        );
    }

    #[test]
    fn autoincrement_gets_increment_and_offset() {
        let (collection, _) = read_spec("keyOptions: {type: autoincrement}");
        assert_eq!(collection.key_options.increment, Some(1));
        assert_eq!(collection.key_options.offset, Some(0));
        let (collection, _) =
            read_spec("keyOptions: {type: autoincrement, increment: 5, allowUserKeys: false}");
        assert_eq!(collection.key_options.increment, Some(5));
        assert!(!collection.key_options.allow_user_keys);
        let (collection, _) = read_spec("keyOptions: {type: uuid}");
        assert_eq!(collection.key_options.increment, None);
    }

    #[test]
    fn computed_value_defaults() {
        let (collection, diagnostics) = read_spec(
            "computedValues:\n  - {name: a, expression: 'RETURN 1', overwrite: true}\n  \
             - {name: b, expression: 'RETURN 2', overwrite: false, computeOn: [update, insert], keepNull: false}\n",
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(
            json!(collection.computed_values),
            json!([
                {"name": "a", "expression": "RETURN 1", "computeOn": ["insert", "replace", "update"],
                 "overwrite": true, "keepNull": true, "failOnWarning": false},
                {"name": "b", "expression": "RETURN 2", "computeOn": ["insert", "update"],
                 "overwrite": false, "keepNull": false, "failOnWarning": false},
            ])
        );
    }

    #[test]
    fn computed_value_requires_overwrite() {
        let (collection, diagnostics) =
            read_spec("computedValues: [{name: a, expression: 'RETURN 1'}]");
        assert!(collection.computed_values.is_empty());
        assert_eq!(
            diagnostics,
            ["c.yaml:1:18: error[missing-field]: a computed value is missing the required field `overwrite`"]
        );
    }

    #[test]
    fn schema_defaults_and_removal() {
        let (collection, _) = read_spec("schema: {rule: {type: object}}");
        let schema = collection.schema.unwrap();
        assert_eq!(
            (schema.level.as_str(), schema.message.as_str()),
            ("strict", "")
        );
        assert_eq!(schema.rule, json!({"type": "object"}));
        assert_eq!(read_spec("schema: {}").0.schema, None);
        assert_eq!(read_spec("schema: null").0.schema, None);
        let (collection, diagnostics) = read_spec("schema: {rule: [a]}");
        assert_eq!(collection.schema, None);
        assert!(diagnostics[0].contains("expected a mapping (a JSON Schema object), found a list"));
    }

    #[test]
    fn cluster_options_are_kept_only_when_stated() {
        let (collection, diagnostics) =
            read_spec("numberOfShards: 3\nreplicationFactor: satellite\nshardKeys: [a]");
        assert!(diagnostics.is_empty());
        assert_eq!(
            collection.cluster,
            ClusterOptions {
                number_of_shards: Some(3),
                shard_keys: Some(vec!["a".into()]),
                replication_factor: Some(json!("satellite")),
                ..ClusterOptions::default()
            }
        );
        let (_, diagnostics) = read_spec("replicationFactor: satelite");
        assert!(
            diagnostics[0].contains("did you mean `satellite`?"),
            "{diagnostics:?}"
        );
    }

    #[test]
    fn wrong_types_keep_defaults_and_every_problem_is_reported() {
        let (collection, diagnostics) =
            read_spec("type: vertex\nwaitForSync: 'no'\nnumberOfShards: -1\nindexes: {a: 1}\n");
        assert_eq!(collection, Collection::new("c", CollectionType::Document));
        assert_eq!(diagnostics.len(), 4, "{diagnostics:?}");
    }
}
