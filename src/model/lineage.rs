//! What a registered feature reads (its lineage), as the feature registry
//! records it: the sources its query reads, classified against the specs
//! the feature was applied with, the named graphs it traverses, the
//! attribute paths it reads and filters on per source, and the collections
//! it writes.
//!
//! The lineage is computed from the query's syntax tree
//! (`aql_lexer::lineage`) when a transformation is loaded
//! (`transform::lineage`), so it is what this version of arangosync
//! understands of the query; it is stored in the registry entry as the
//! optional field `lineage` (registry format 1, an addition: readers that
//! do not know it ignore it, see `schemas/registry-entry.v1.schema.json`).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

/// What a source of a query is, by the specs it was applied with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// A document collection the specs declare.
    Collection,
    /// An edge collection the specs declare.
    Edge,
    /// An ArangoSearch view the specs declare (`ArangoView`).
    View,
    /// A collection bind parameter (`@@name`): known only when the query
    /// runs.
    Parameter,
    /// A name no spec declares.
    Unknown,
}

impl SourceKind {
    /// The word the registry and `features show` use.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Collection => "collection",
            SourceKind::Edge => "edge",
            SourceKind::View => "view",
            SourceKind::Parameter => "parameter",
            SourceKind::Unknown => "unknown",
        }
    }

    /// The kind a stored word names; an unknown word (a newer writer's)
    /// reads as [`SourceKind::Unknown`].
    pub fn from_word(word: &str) -> SourceKind {
        match word {
            "collection" => SourceKind::Collection,
            "edge" => SourceKind::Edge,
            "view" => SourceKind::View,
            "parameter" => SourceKind::Parameter,
            _ => SourceKind::Unknown,
        }
    }

    /// Whether documents are read from it directly (a collection of either
    /// type), so its schema and indexes matter.
    pub fn is_collection(self) -> bool {
        matches!(self, SourceKind::Collection | SourceKind::Edge)
    }
}

/// One feature's lineage. Every name is as written in the query (a
/// collection bind parameter as `@@name`); sets are sorted, so two
/// lineages of one query compare equal and serialise the same.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FeatureLineage {
    /// Every source the query reads (collections and views iterated or
    /// traversed, and collection bind parameters), with its kind.
    pub sources: BTreeMap<String, SourceKind>,
    /// Named graphs traversed (`GRAPH "name"`).
    pub graphs: BTreeSet<String>,
    /// Per source, the dotted attribute paths read from its documents
    /// (`_key`, `email`, `address.city`).
    pub attributes: BTreeMap<String, BTreeSet<String>>,
    /// Per source, the attribute paths its documents are filtered, sorted
    /// or searched on: what an index or a view could serve. A subset of
    /// `attributes`.
    pub filtered: BTreeMap<String, BTreeSet<String>>,
    /// Collections the query writes (INSERT, UPDATE, REPLACE, REMOVE,
    /// UPSERT).
    pub written: BTreeSet<String>,
    /// Part of the query was nested too deep to follow: the lineage is
    /// incomplete. Stored only when true.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

impl FeatureLineage {
    /// Reads the stored form back (`lineage` of a registry document);
    /// `None` when the document has none (written before lineage was
    /// recorded) or it is not an object. Lenient like the rest of the
    /// registry reader: entries of the wrong type are skipped.
    pub fn from_document(value: &Value) -> Option<FeatureLineage> {
        let object = value.as_object()?;
        let names = |key: &str| -> BTreeSet<String> {
            object
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|name| name.as_str().map(str::to_string))
                .collect()
        };
        let per_source = |key: &str| -> BTreeMap<String, BTreeSet<String>> {
            object
                .get(key)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(source, paths)| {
                    let paths = paths
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|path| path.as_str().map(str::to_string))
                        .collect();
                    (source.clone(), paths)
                })
                .collect()
        };
        let sources = object
            .get("sources")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(name, kind)| {
                (
                    name.clone(),
                    SourceKind::from_word(kind.as_str().unwrap_or_default()),
                )
            })
            .collect();
        Some(FeatureLineage {
            sources,
            graphs: names("graphs"),
            attributes: per_source("attributes"),
            filtered: per_source("filtered"),
            written: names("written"),
            truncated: object.get("truncated") == Some(&Value::Bool(true)),
        })
    }

    /// The attribute paths read from `source` (none when it reads none).
    pub fn attributes_of(&self, source: &str) -> impl Iterator<Item = &String> {
        self.attributes.get(source).into_iter().flatten()
    }

    /// The attribute paths `source` is filtered on.
    pub fn filtered_of(&self, source: &str) -> impl Iterator<Item = &String> {
        self.filtered.get(source).into_iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_stored_form_reads_back_and_unknown_kinds_are_unknown() {
        let mut lineage = FeatureLineage::default();
        lineage
            .sources
            .insert("users".into(), SourceKind::Collection);
        lineage
            .sources
            .insert("@@coll".into(), SourceKind::Parameter);
        lineage.graphs.insert("interactions".into());
        lineage
            .attributes
            .insert("users".into(), ["_key".into(), "email".into()].into());
        lineage
            .filtered
            .insert("users".into(), ["_key".into()].into());
        let stored = serde_json::to_value(&lineage).unwrap();
        assert_eq!(
            stored,
            json!({"sources": {"@@coll": "parameter", "users": "collection"},
                   "graphs": ["interactions"],
                   "attributes": {"users": ["_key", "email"]},
                   "filtered": {"users": ["_key"]},
                   "written": []})
        );
        assert_eq!(
            FeatureLineage::from_document(&stored),
            Some(lineage.clone())
        );
        let mut incomplete = lineage;
        incomplete.truncated = true;
        let stored = serde_json::to_value(&incomplete).unwrap();
        assert_eq!(stored["truncated"], json!(true));
        assert_eq!(FeatureLineage::from_document(&stored), Some(incomplete));
        let newer = json!({"sources": {"x": "materialized", "y": 3}, "extra": true});
        let read = FeatureLineage::from_document(&newer).unwrap();
        assert_eq!(read.sources["x"], SourceKind::Unknown);
        assert_eq!(read.sources["y"], SourceKind::Unknown);
        assert_eq!(FeatureLineage::from_document(&json!(null)), None);
    }
}
