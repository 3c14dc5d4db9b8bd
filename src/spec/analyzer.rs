//! The `spec` of an `ArangoAnalyzer` document into a [`model::Analyzer`].
//!
//! ```yaml
//! spec:
//!   type: text
//!   properties: {locale: en, stemming: false}
//!   features: [frequency, position, norm]
//! ```
//!
//! Invariants:
//! * `type` is required and must be one of [`ANALYZER_TYPES`] (the types of
//!   ArangoDB 3.11 and 3.12, as the Analyzer docs list them); a near miss is
//!   named in the hint.
//! * `properties` is a mapping whose keys are the type's documented ones
//!   ([`property_keys`]); a misspelt key is an error with the nearest valid
//!   name, since the server would reject or drop it. Nested analyzer
//!   definitions (`pipeline` members, the `analyzer` of `minhash` and
//!   `wildcard`) are checked the same way. Values are passed on as written:
//!   the plan compares only what the spec states, as the server fills in
//!   the defaults of the type.
//! * `features` is a list of strings, kept as written (the plan compares
//!   them as a set). Which names and combinations are valid is
//!   `validate`'s business.

use serde_json::Value;

use crate::model::Analyzer;
use crate::spec::reader::{suggestion, Reader};
use crate::spec::yaml::{Node, NodeKind};

const SPEC_KEYS: &[&str] = &["type", "properties", "features"];
const NESTED_KEYS: &[&str] = &["type", "properties"];

/// The analyzer types a spec may name.
pub const ANALYZER_TYPES: &[&str] = &[
    "identity",
    "delimiter",
    "multi_delimiter",
    "stem",
    "norm",
    "ngram",
    "text",
    "aql",
    "pipeline",
    "stopwords",
    "collation",
    "segmentation",
    "minhash",
    "classification",
    "nearest_neighbors",
    "geojson",
    "geopoint",
    "geo_s2",
    "wildcard",
];

/// The property keys each analyzer type documents (ArangoDB Analyzers
/// page, 3.11 and 3.12), `None` for an unknown type.
pub fn property_keys(analyzer_type: &str) -> Option<&'static [&'static str]> {
    Some(match analyzer_type {
        "identity" => &[],
        "delimiter" => &["delimiter"],
        "multi_delimiter" => &["delimiters"],
        "stem" | "collation" => &["locale"],
        "norm" => &["locale", "accent", "case"],
        "ngram" => &[
            "min",
            "max",
            "preserveOriginal",
            "startMarker",
            "endMarker",
            "streamType",
        ],
        "text" => &[
            "locale",
            "accent",
            "case",
            "stemming",
            "edgeNgram",
            "stopwords",
            "stopwordsPath",
        ],
        "aql" => &[
            "queryString",
            "collapsePositions",
            "keepNull",
            "batchSize",
            "memoryLimit",
            "returnType",
        ],
        "pipeline" => &["pipeline"],
        "stopwords" => &["stopwords", "hex"],
        "segmentation" => &["break", "case"],
        "minhash" => &["analyzer", "numHashes"],
        "classification" => &["model_location", "top_k", "threshold"],
        "nearest_neighbors" => &["model_location", "top_k"],
        "geojson" => &["type", "options", "legacy"],
        "geopoint" => &["latitude", "longitude", "options"],
        "geo_s2" => &["format", "type", "options"],
        "wildcard" => &["ngramSize", "analyzer"],
        _ => return None,
    })
}

/// The keys of the geo analyzers' `options` object.
const GEO_OPTIONS_KEYS: &[&str] = &["maxCells", "minLevel", "maxLevel"];
/// The keys of a `text` analyzer's `edgeNgram` object.
const EDGE_NGRAM_KEYS: &[&str] = &["min", "max", "preserveOriginal"];

/// Reads the `spec` mapping of analyzer `name`. `None` when the type is
/// missing or unknown (the problem is reported).
pub fn read(reader: &mut Reader<'_>, name: &str, spec: &Node) -> Option<Analyzer> {
    let mut fields = reader.fields(spec, "the analyzer spec", SPEC_KEYS)?;
    let type_node = fields.require(reader, "type");
    let properties_node = fields.take("properties");
    let features_node = fields.take("features");
    reader.finish(fields);

    let analyzer_type = type_node.and_then(|node| known_type(reader, node));
    let properties = match properties_node {
        None
        | Some(Node {
            kind: NodeKind::Null,
            ..
        }) => Some(Value::Object(serde_json::Map::new())),
        Some(node) if matches!(node.kind, NodeKind::Map(_)) => {
            if let Some(analyzer_type) = &analyzer_type {
                check_properties(reader, analyzer_type, node);
            }
            reader.json(node)
        }
        Some(node) => {
            reader.wrong_type(node, "`properties`", "a mapping");
            None
        }
    };
    let features = match features_node {
        Some(node) => reader.strings(node, "`features`")?,
        None => Vec::new(),
    };
    Some(Analyzer {
        name: name.to_string(),
        analyzer_type: analyzer_type?,
        properties: properties?,
        features,
    })
}

/// The analyzer type `node` names, if it is a known one.
fn known_type(reader: &mut Reader<'_>, node: &Node) -> Option<String> {
    let analyzer_type = reader.string(node, "`type`")?;
    if ANALYZER_TYPES.contains(&analyzer_type.as_str()) {
        return Some(analyzer_type);
    }
    reader.error_with_hint(
        "unknown-analyzer-type",
        format!("unknown analyzer type `{analyzer_type}`"),
        node.pos,
        suggestion(&analyzer_type, ANALYZER_TYPES),
    );
    None
}

/// Reports the unknown keys of one mapping, with the nearest valid one.
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

/// The properties of a `analyzer_type` analyzer, and the analyzers nested
/// in them. Trees are at most `yaml::MAX_DEPTH` deep, so the recursion
/// through nested analyzers is bounded.
fn check_properties(reader: &mut Reader<'_>, analyzer_type: &str, node: &Node) {
    let Some(known) = property_keys(analyzer_type) else {
        return;
    };
    check_keys(
        reader,
        node,
        &format!("the properties of a `{analyzer_type}` analyzer"),
        known,
    );
    match analyzer_type {
        "pipeline" => {
            if let Some(NodeKind::Seq(members)) = node.get("pipeline").map(|member| &member.kind) {
                for member in members {
                    nested(reader, member, "a `pipeline` member");
                }
            }
        }
        "minhash" | "wildcard" => {
            if let Some(inner) = node.get("analyzer") {
                nested(
                    reader,
                    inner,
                    &format!("the `analyzer` of a `{analyzer_type}` analyzer"),
                );
            }
        }
        "geojson" | "geopoint" | "geo_s2" => {
            if let Some(options) = node.get("options") {
                check_keys(
                    reader,
                    options,
                    &format!("the `options` of a `{analyzer_type}` analyzer"),
                    GEO_OPTIONS_KEYS,
                );
            }
        }
        "text" => {
            if let Some(edge) = node.get("edgeNgram") {
                check_keys(
                    reader,
                    edge,
                    "the `edgeNgram` of a `text` analyzer",
                    EDGE_NGRAM_KEYS,
                );
            }
        }
        _ => {}
    }
}

/// A nested analyzer definition: `{type, properties}`.
fn nested(reader: &mut Reader<'_>, node: &Node, what: &str) {
    let Some(mut fields) = reader.fields(node, what, NESTED_KEYS) else {
        return;
    };
    let type_node = fields.require(reader, "type");
    let properties = fields.take("properties");
    reader.finish(fields);
    let Some(analyzer_type) = type_node.and_then(|node| known_type(reader, node)) else {
        return;
    };
    if let Some(properties) = properties {
        check_properties(reader, &analyzer_type, properties);
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;
    use crate::spec::yaml;

    fn read_text(text: &str) -> (Option<Analyzer>, Vec<String>) {
        let root = yaml::parse(text).unwrap().remove(0).root;
        let mut reader = Reader::new(Path::new("a.yaml"));
        let analyzer = read(&mut reader, "words", &root);
        let messages = reader
            .diagnostics
            .0
            .iter()
            .map(ToString::to_string)
            .collect();
        (analyzer, messages)
    }

    #[test]
    fn reads_type_properties_and_features_as_a_set() {
        let (analyzer, messages) = read_text(
            "type: text\nproperties: {locale: en, stemming: false}\nfeatures: [position, frequency, position]\n",
        );
        assert_eq!(messages, Vec::<String>::new());
        let analyzer = analyzer.unwrap();
        assert_eq!(analyzer.analyzer_type, "text");
        assert_eq!(
            analyzer.properties,
            json!({"locale": "en", "stemming": false})
        );
        assert_eq!(analyzer.features, ["position", "frequency", "position"]);
        let (identity, _) = read_text("type: identity\n");
        assert_eq!(identity.unwrap().properties, json!({}));
    }

    #[test]
    fn unknown_types_and_keys_name_the_nearest() {
        let (analyzer, messages) = read_text("type: txt\nproperty: {}\n");
        assert!(analyzer.is_none());
        assert_eq!(
            messages,
            [
                "a.yaml:2:1: error[unknown-field]: unknown field `property` in the analyzer spec\n  \
                 hint: did you mean `properties`?",
                "a.yaml:1:7: error[unknown-analyzer-type]: unknown analyzer type `txt`\n  \
                 hint: did you mean `text`?",
            ]
        );
        let (_, messages) = read_text("type: norm\nproperties: {locale: en, acent: false}\n");
        assert_eq!(
            messages,
            ["a.yaml:2:26: error[unknown-field]: unknown field `acent` in the properties of a `norm` \
              analyzer\n  hint: did you mean `accent`?"]
        );
    }

    #[test]
    fn nested_analyzers_are_checked() {
        let (_, messages) = read_text(
            "type: pipeline\nproperties:\n  pipeline:\n    - {type: norm, properties: {locale: en, cas: lower}}\n    - {type: ngarm}\n",
        );
        assert_eq!(
            messages,
            [
                "a.yaml:4:45: error[unknown-field]: unknown field `cas` in the properties of a `norm` \
                 analyzer\n  hint: did you mean `case`?",
                "a.yaml:5:14: error[unknown-analyzer-type]: unknown analyzer type `ngarm`\n  \
                 hint: did you mean `ngram`?",
            ]
        );
    }
}
