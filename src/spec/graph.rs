//! The `spec` of an `ArangoGraph` document into a normalised [`model::Graph`].
//!
//! Invariants:
//! * Edge definitions are sorted by collection (stably, so a repeated edge
//!   collection keeps both entries for `validate` to report); `from`, `to`
//!   and `orphanCollections` are sorted, as the server returns them.
//! * The attribute locations recorded for the graph use positions in that
//!   sorted model (`edgeDefinitions[0].from[1]` is the second `from` of the
//!   first edge definition *after sorting*), because later stages only see
//!   the model.

use std::collections::BTreeMap;

use crate::diag::Location;
use crate::model::{EdgeDefinition, Graph};
use crate::spec::reader::Reader;
use crate::spec::yaml::{Node, Pos};

const SPEC_KEYS: &[&str] = &["edgeDefinitions", "orphanCollections"];
const EDGE_DEFINITION_KEYS: &[&str] = &["collection", "from", "to"];

/// A graph and where each of its attributes is written.
pub struct ReadGraph {
    pub graph: Graph,
    pub attributes: BTreeMap<String, Location>,
}

/// An edge definition before sorting, with positions relative to it.
struct Pending {
    definition: EdgeDefinition,
    attributes: Vec<(String, Pos)>,
}

/// Reads the `spec` mapping of graph `name`.
pub fn read(reader: &mut Reader<'_>, name: &str, spec: &Node) -> ReadGraph {
    let mut graph = Graph {
        name: name.to_string(),
        edge_definitions: Vec::new(),
        orphan_collections: Vec::new(),
    };
    let mut attributes = BTreeMap::new();
    let Some(mut fields) = reader.fields(spec, "the graph spec", SPEC_KEYS) else {
        return ReadGraph { graph, attributes };
    };

    let mut pending = Vec::new();
    if let Some(node) = fields.take("edgeDefinitions") {
        attributes.insert("edgeDefinitions".to_string(), reader.location(node.pos));
        for item in reader.list(node, "`edgeDefinitions`").unwrap_or_default() {
            if let Some(definition) = edge_definition(reader, item) {
                pending.push(definition);
            }
        }
    }
    pending.sort_by(|a, b| a.definition.collection.cmp(&b.definition.collection));
    for (
        position,
        Pending {
            definition,
            attributes: relative,
        },
    ) in pending.into_iter().enumerate()
    {
        for (suffix, pos) in relative {
            attributes.insert(
                format!("edgeDefinitions[{position}]{suffix}"),
                reader.location(pos),
            );
        }
        graph.edge_definitions.push(definition);
    }

    if let Some(node) = fields.take("orphanCollections") {
        attributes.insert("orphanCollections".to_string(), reader.location(node.pos));
        let orphans = sorted_names(reader, node, "`orphanCollections`");
        for (position, (orphan, pos)) in orphans.into_iter().enumerate() {
            attributes.insert(
                format!("orphanCollections[{position}]"),
                reader.location(pos),
            );
            graph.orphan_collections.push(orphan);
        }
    }
    reader.finish(fields);
    ReadGraph { graph, attributes }
}

fn edge_definition(reader: &mut Reader<'_>, node: &Node) -> Option<Pending> {
    let mut fields = reader.fields(node, "an edge definition", EDGE_DEFINITION_KEYS)?;
    let mut attributes = vec![(String::new(), node.pos)];
    let collection = fields.require(reader, "collection").and_then(|value| {
        attributes.push((".collection".to_string(), value.pos));
        reader.string(value, "`collection`")
    });
    let mut ends = Vec::with_capacity(2);
    for key in ["from", "to"] {
        let names = fields.require(reader, key).map(|value| {
            attributes.push((format!(".{key}"), value.pos));
            let names = sorted_names(reader, value, &format!("`{key}`"));
            for (position, (_, pos)) in names.iter().enumerate() {
                attributes.push((format!(".{key}[{position}]"), *pos));
            }
            names.into_iter().map(|(name, _)| name).collect::<Vec<_>>()
        });
        ends.push(names);
    }
    reader.finish(fields);
    let to = ends.pop().flatten();
    let from = ends.pop().flatten();
    Some(Pending {
        definition: EdgeDefinition {
            collection: collection?,
            from: from?,
            to: to?,
        },
        attributes,
    })
}

/// A list of collection names with their positions, sorted by name.
fn sorted_names(reader: &mut Reader<'_>, node: &Node, what: &str) -> Vec<(String, Pos)> {
    let mut names = Vec::new();
    for (position, item) in reader
        .list(node, what)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if let Some(name) = reader.string(item, &format!("{what}[{position}]")) {
            names.push((name, item.pos));
        }
    }
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::spec::yaml;

    #[test]
    fn sorted_with_locations_in_model_order() {
        let text = "edgeDefinitions:\n  - {collection: z_edge, from: [b, a], to: [c]}\n  \
                    - {collection: a_edge, from: [x], to: [y]}\norphanCollections: [o2, o1]\n";
        let root = yaml::parse(text).unwrap().remove(0).root;
        let mut reader = Reader::new(Path::new("g.yaml"));
        let read = read(&mut reader, "g", &root);
        assert!(reader.diagnostics.is_empty());
        let graph = read.graph;
        assert_eq!(graph.edge_definitions[0].collection, "a_edge");
        assert_eq!(graph.edge_definitions[1].from, ["a", "b"]);
        assert_eq!(graph.orphan_collections, ["o1", "o2"]);
        let at = |path: &str| read.attributes[path].to_string();
        assert_eq!(at("edgeDefinitions[0].collection"), "g.yaml:3:18");
        assert_eq!(at("edgeDefinitions[1].from[0]"), "g.yaml:2:36");
        assert_eq!(at("orphanCollections[0]"), "g.yaml:4:25");
    }

    #[test]
    fn missing_parts_are_reported() {
        let root = yaml::parse("edgeDefinitions: [{collection: e, from: [a]}]")
            .unwrap()
            .remove(0)
            .root;
        let mut reader = Reader::new(Path::new("g.yaml"));
        let read = read(&mut reader, "g", &root);
        assert!(read.graph.edge_definitions.is_empty());
        assert_eq!(
            reader.diagnostics.0[0].to_string(),
            "g.yaml:1:19: error[missing-field]: an edge definition is missing the required field `to`"
        );
    }
}
