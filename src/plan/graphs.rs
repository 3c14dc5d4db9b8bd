//! Named graphs: created whole, changed edge definition by edge definition,
//! with the orphan collections the server will hold after those changes
//! predicted, so only the orphan steps still needed are planned.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::definition;
use super::model::{Action, Address, Change, Compare, FieldChange, Step};
use super::structural::item_path;
use super::{Options, Ownership};
use crate::model::{EdgeDefinition, Graph, State};

pub fn diff(
    desired: &State,
    live: &State,
    owned: &Ownership,
    options: &Options,
    changes: &mut Vec<Change>,
) {
    for (name, want) in &desired.graphs {
        match live.graphs.get(name) {
            None => {
                let body = json!({
                    "name": want.name,
                    "edgeDefinitions": want.edge_definitions,
                    "orphanCollections": want.orphan_collections,
                });
                changes.push(Change {
                    address: Address::Graph(name.clone()),
                    action: Action::Create,
                    reason: options.missing_reason(),
                    fields: definition::graph(&body),
                    steps: vec![Step::CreateGraph { body }],
                    blocked: None,
                    destructive: false,
                    risk: None,
                })
            }
            Some(have) if have != want => changes.push(update(want, have)),
            Some(_) => {}
        }
    }
    if !options.prune {
        return;
    }
    for (name, have) in &live.graphs {
        if desired.graphs.contains_key(name) || !owned.graphs.contains(name) {
            continue;
        }
        let reason = prune_reason(have, changes);
        changes.push(Change {
            address: Address::Graph(name.clone()),
            action: Action::Delete,
            reason,
            fields: Vec::new(),
            steps: vec![Step::DropGraph {
                graph: name.clone(),
            }],
            blocked: None,
            destructive: false,
            risk: None,
        });
    }
}

/// Why a graph is pruned, and what becomes of its collections: dropping a
/// graph keeps them, but this plan may delete some of them on its own
/// account (collections planned before graphs), and the reason must not
/// say they are kept then.
fn prune_reason(graph: &Graph, changes: &[Change]) -> String {
    let members: BTreeSet<String> = vertices(&graph.edge_definitions)
        .into_iter()
        .chain(graph.edge_definitions.iter().map(|d| d.collection.clone()))
        .chain(graph.orphan_collections.iter().cloned())
        .collect();
    let deleted: Vec<&str> = members
        .iter()
        .filter(|member| {
            changes.iter().any(|change| {
                change.action == Action::Delete
                    && change.address == Address::Collection((*member).clone())
            })
        })
        .map(String::as_str)
        .collect();
    let base = "arangosync created it and it is no longer in the specs";
    if deleted.is_empty() {
        format!("{base}; its collections are kept")
    } else if deleted.len() == members.len() {
        format!("{base}; this plan deletes its collections too")
    } else {
        format!(
            "{base}; this plan deletes {} too and keeps its other collections",
            deleted
                .iter()
                .map(|name| format!("collection {name}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

fn edge_body(definition: &EdgeDefinition) -> Value {
    json!({"collection": definition.collection, "from": definition.from, "to": definition.to})
}

fn vertices(definitions: &[EdgeDefinition]) -> BTreeSet<String> {
    definitions
        .iter()
        .flat_map(|definition| definition.from.iter().chain(&definition.to).cloned())
        .collect()
}

fn update(want: &Graph, have: &Graph) -> Change {
    let graph = want.name.clone();
    let mut steps = Vec::new();
    let mut fields = Vec::new();
    let find = |definitions: &[EdgeDefinition], collection: &str| {
        definitions
            .iter()
            .find(|d| d.collection == collection)
            .cloned()
    };
    for definition in &have.edge_definitions {
        if find(&want.edge_definitions, &definition.collection).is_none() {
            steps.push(Step::RemoveEdgeDefinition {
                graph: graph.clone(),
                collection: definition.collection.clone(),
            });
            fields.push(FieldChange {
                compare: Compare::Exact,
                field: item_path("edgeDefinitions", "collection", &definition.collection),
                before: edge_body(definition),
                after: Value::Null,
            });
        }
    }
    for definition in &want.edge_definitions {
        match find(&have.edge_definitions, &definition.collection) {
            None => {
                steps.push(Step::AddEdgeDefinition {
                    graph: graph.clone(),
                    body: edge_body(definition),
                });
                fields.push(FieldChange {
                    compare: Compare::Exact,
                    field: item_path("edgeDefinitions", "collection", &definition.collection),
                    before: Value::Null,
                    after: edge_body(definition),
                });
            }
            Some(existing) if existing != *definition => {
                steps.push(Step::ReplaceEdgeDefinition {
                    graph: graph.clone(),
                    collection: definition.collection.clone(),
                    body: edge_body(definition),
                });
                fields.push(FieldChange {
                    compare: Compare::Exact,
                    field: item_path("edgeDefinitions", "collection", &definition.collection),
                    before: edge_body(&existing),
                    after: edge_body(definition),
                });
            }
            Some(_) => {}
        }
    }
    // The server turns vertex collections that leave every edge definition
    // into orphans, and drops orphans that an edge definition now uses.
    let old_vertices = vertices(&have.edge_definitions);
    let new_vertices = vertices(&want.edge_definitions);
    let predicted: BTreeSet<String> = have
        .orphan_collections
        .iter()
        .cloned()
        .chain(old_vertices.difference(&new_vertices).cloned())
        .filter(|collection| !new_vertices.contains(collection))
        .collect();
    let wanted: BTreeSet<String> = want.orphan_collections.iter().cloned().collect();
    for collection in predicted.difference(&wanted) {
        steps.push(Step::RemoveVertexCollection {
            graph: graph.clone(),
            collection: collection.clone(),
        });
    }
    for collection in wanted.difference(&predicted) {
        steps.push(Step::AddVertexCollection {
            graph: graph.clone(),
            collection: collection.clone(),
        });
    }
    if have.orphan_collections != want.orphan_collections {
        fields.push(FieldChange {
            compare: Compare::Exact,
            field: "orphanCollections".into(),
            before: json!(have.orphan_collections),
            after: json!(want.orphan_collections),
        });
    }
    let shared = steps
        .iter()
        .any(|step| matches!(step, Step::ReplaceEdgeDefinition { .. }));
    let mut reason =
        "edge definitions or orphan collections changed; the graph is changed in place".to_string();
    if shared {
        reason.push_str(" (replacing an edge definition changes it in every graph that uses that edge collection)");
    }
    Change {
        address: Address::Graph(graph),
        action: Action::Update,
        reason,
        fields,
        steps,
        blocked: None,
        destructive: false,
        risk: None,
    }
}

#[cfg(test)]
mod prune_reason_tests {
    use super::*;

    fn delete(collection: &str) -> Change {
        Change {
            address: Address::Collection(collection.into()),
            action: Action::Delete,
            reason: String::new(),
            fields: Vec::new(),
            steps: Vec::new(),
            blocked: None,
            destructive: true,
            risk: None,
        }
    }

    #[test]
    fn a_pruned_graph_says_which_of_its_collections_this_plan_deletes() {
        let graph = Graph {
            name: "g".into(),
            edge_definitions: vec![EdgeDefinition {
                collection: "viewed".into(),
                from: vec!["users".into()],
                to: vec!["products".into()],
            }],
            orphan_collections: vec![],
        };
        assert!(prune_reason(&graph, &[]).ends_with("; its collections are kept"));
        assert!(prune_reason(&graph, &[delete("viewed")]).ends_with(
            "; this plan deletes collection viewed too and keeps its other collections"
        ));
        let all = [delete("viewed"), delete("users"), delete("products")];
        assert!(prune_reason(&graph, &all).ends_with("; this plan deletes its collections too"));
    }
}
