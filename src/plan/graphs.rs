//! Named graphs: created whole, changed edge definition by edge definition,
//! with the orphan collections the server will hold after those changes
//! predicted, so only the orphan steps still needed are planned.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::model::{Action, Address, Change, FieldChange, Step};
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
            None => changes.push(Change {
                address: Address::Graph(name.clone()),
                action: Action::Create,
                reason: options.missing_reason(),
                fields: Vec::new(),
                steps: vec![Step::CreateGraph {
                    body: json!({
                        "name": want.name,
                        "edgeDefinitions": want.edge_definitions,
                        "orphanCollections": want.orphan_collections,
                    }),
                }],
                blocked: None,
                destructive: false,
            }),
            Some(have) if have != want => changes.push(update(want, have)),
            Some(_) => {}
        }
    }
    if !options.prune {
        return;
    }
    for name in live.graphs.keys() {
        if desired.graphs.contains_key(name) || !owned.graphs.contains(name) {
            continue;
        }
        changes.push(Change {
            address: Address::Graph(name.clone()),
            action: Action::Delete,
            reason:
                "arangosync created it and it is no longer in the specs; its collections are kept"
                    .into(),
            fields: Vec::new(),
            steps: vec![Step::DropGraph {
                graph: name.clone(),
            }],
            blocked: None,
            destructive: false,
        });
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
                field: format!("edgeDefinitions[{}]", definition.collection),
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
                    field: format!("edgeDefinitions[{}]", definition.collection),
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
                    field: format!("edgeDefinitions[{}]", definition.collection),
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
    }
}
