//! Named graphs: every collection a graph names must be declared by a spec
//! (edge definitions by an edge collection), and edge definitions must agree
//! within and across graphs (shared/ARANGODB_API.md 7).
//!
//! ArangoDB would create missing collections on graph creation, but then
//! arangosync would not own them and their properties would drift from
//! nothing; declaring them is the point of a spec tree.

use std::collections::BTreeMap;

use super::{at, first_at, Report};
use crate::diag::Location;
use crate::model::{CollectionType, EdgeDefinition, Graph, State};
use crate::spec::{Origin, Sources};

fn undeclared(
    report: &mut Report,
    graph: &str,
    role: &str,
    collection: &str,
    location: Option<&Location>,
) {
    report.error(
        "undeclared-collection",
        format!(
            "graph `{graph}` uses `{collection}` as {role}, but no spec declares that collection"
        ),
        location,
        Some(format!(
            "add an ArangoCollection spec for `{collection}`, or fix the name"
        )),
    );
}

pub fn check(graph: &Graph, origin: Option<&Origin>, state: &State, report: &mut Report) {
    let name = &graph.name;
    for (position, definition) in graph.edge_definitions.iter().enumerate() {
        let path = format!("edgeDefinitions[{position}]");
        let collection_at = at(origin, &format!("{path}.collection"));
        match state.collections.get(&definition.collection) {
            None => undeclared(report, name, "an edge collection", &definition.collection, collection_at),
            Some(collection) if collection.collection_type != CollectionType::Edge => report.error(
                "not-an-edge-collection",
                format!(
                    "graph `{name}` uses `{}` in an edge definition, but it is a document collection",
                    definition.collection
                ),
                collection_at,
                Some(format!("declare `{}` with `type: edge`", definition.collection)),
            ),
            Some(_) => {}
        }
        for (end, collections) in [("from", &definition.from), ("to", &definition.to)] {
            for (index, collection) in collections.iter().enumerate() {
                if !state.collections.contains_key(collection) {
                    let location = at(origin, &format!("{path}.{end}[{index}]"));
                    undeclared(
                        report,
                        name,
                        &format!("a `{end}` collection"),
                        collection,
                        location,
                    );
                }
            }
        }
        let earlier = graph.edge_definitions[..position]
            .iter()
            .position(|other| other.collection == definition.collection);
        if let Some(first) = earlier {
            report.error(
                "duplicate-edge-definition",
                format!(
                    "graph `{name}` has two edge definitions for `{}`{}",
                    definition.collection,
                    first_at(at(origin, &format!("edgeDefinitions[{first}].collection")))
                ),
                collection_at,
                Some(
                    "merge them into one edge definition with all `from` and `to` collections"
                        .into(),
                ),
            );
        }
    }
    for (position, orphan) in graph.orphan_collections.iter().enumerate() {
        let location = at(origin, &format!("orphanCollections[{position}]"));
        if !state.collections.contains_key(orphan) {
            undeclared(report, name, "an orphan collection", orphan, location);
        }
        let in_definition = graph.edge_definitions.iter().any(|definition| {
            definition.collection == *orphan
                || definition.from.contains(orphan)
                || definition.to.contains(orphan)
        });
        if in_definition {
            report.error(
                "orphan-in-edge-definition",
                format!("graph `{name}` lists `{orphan}` as an orphan collection, but an edge definition uses it"),
                location,
                Some("remove it from `orphanCollections`; orphans are collections no edge definition uses".into()),
            );
        }
    }
}

/// An edge collection has one definition in the whole database: a second
/// graph that uses it with other `from`/`to` collections is refused by
/// ArangoDB (error 1921).
pub fn check_across_graphs(state: &State, sources: &Sources, report: &mut Report) {
    let mut first_use: BTreeMap<&str, (&str, &EdgeDefinition, Option<&Location>)> = BTreeMap::new();
    for (graph_name, graph) in &state.graphs {
        let origin = sources.graphs.get(graph_name);
        for (position, definition) in graph.edge_definitions.iter().enumerate() {
            let location = at(origin, &format!("edgeDefinitions[{position}].collection"));
            match first_use.get(definition.collection.as_str()) {
                None => {
                    first_use.insert(&definition.collection, (graph_name, definition, location));
                }
                Some((first_graph, first, first_location)) => {
                    let same = first.from == definition.from && first.to == definition.to;
                    if !same && first_graph != graph_name {
                        report.error(
                            "conflicting-edge-definition",
                            format!(
                                "graphs `{first_graph}` and `{graph_name}` define edge collection `{}` with different \
                                 `from`/`to` collections{}",
                                definition.collection,
                                // Another graph's attribute: listed in `QUOTES_OTHER_FILES`.
                                first_at(*first_location)
                            ),
                            location,
                            Some(
                                "an edge collection has one definition shared by every graph that uses it \
                                 (ArangoDB error 1921); make them identical"
                                    .into(),
                            ),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Collection;

    fn state(collections: &[(&str, CollectionType)], graphs: Vec<Graph>) -> State {
        let mut state = State::default();
        for (name, collection_type) in collections {
            state
                .collections
                .insert(name.to_string(), Collection::new(name, *collection_type));
        }
        for graph in graphs {
            state.graphs.insert(graph.name.clone(), graph);
        }
        state
    }

    fn graph(name: &str, definitions: &[(&str, &[&str], &[&str])], orphans: &[&str]) -> Graph {
        let strings = |names: &[&str]| names.iter().map(|name| name.to_string()).collect();
        Graph {
            name: name.into(),
            edge_definitions: definitions
                .iter()
                .map(|(collection, from, to)| EdgeDefinition {
                    collection: collection.to_string(),
                    from: strings(from),
                    to: strings(to),
                })
                .collect(),
            orphan_collections: strings(orphans),
        }
    }

    fn codes(state: &State) -> Vec<&'static str> {
        let mut report = Report::default();
        for graph in state.graphs.values() {
            check(graph, None, state, &mut report);
        }
        check_across_graphs(state, &Sources::default(), &mut report);
        report.diagnostics.0.iter().map(|d| d.code).collect()
    }

    const DOC: CollectionType = CollectionType::Document;
    const EDGE: CollectionType = CollectionType::Edge;

    #[test]
    fn declared_collections_pass() {
        let state = state(
            &[
                ("users", DOC),
                ("products", DOC),
                ("viewed", EDGE),
                ("tags", DOC),
            ],
            vec![graph(
                "g",
                &[("viewed", &["users"], &["products"])],
                &["tags"],
            )],
        );
        assert!(codes(&state).is_empty());
    }

    #[test]
    fn references_must_be_declared_and_edges_must_be_edges() {
        let state = state(
            &[("users", DOC), ("viewed", DOC)],
            vec![graph(
                "g",
                &[
                    ("viewed", &["users"], &["products"]),
                    ("liked", &["users"], &["users"]),
                ],
                &["o"],
            )],
        );
        assert_eq!(
            codes(&state),
            [
                "not-an-edge-collection",
                "undeclared-collection",
                "undeclared-collection",
                "undeclared-collection"
            ]
        );
    }

    #[test]
    fn duplicates_orphans_and_conflicts() {
        let state = state(
            &[("users", DOC), ("products", DOC), ("viewed", EDGE)],
            vec![
                graph(
                    "a",
                    &[
                        ("viewed", &["users"], &["products"]),
                        ("viewed", &["users"], &["users"]),
                    ],
                    &["users"],
                ),
                graph("b", &[("viewed", &["users"], &["users"])], &[]),
                graph("c", &[("viewed", &["users"], &["products"])], &[]),
            ],
        );
        assert_eq!(
            codes(&state),
            [
                "duplicate-edge-definition",
                "orphan-in-edge-definition",
                "conflicting-edge-definition"
            ]
        );
    }
}
