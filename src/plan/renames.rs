//! Renames (`metadata.renamedFrom`): a collection or graph the live
//! database still has under its old name is renamed instead of being
//! created anew beside (and, with `--prune`, dropped under) the old name.
//!
//! The live state is rewritten first to what the server holds after the
//! renames (the collection under its new name with its documents and
//! indexes; named graphs and view links that used it renamed along, as
//! ArangoDB does on `PUT /_api/collection/{name}/rename`), and ownership
//! records follow; the rest of the diff then runs against that state, so
//! the next plan after apply is empty.
//!
//! ArangoDB renames collections on a single server only (a coordinator
//! answers 501, error 1470): on a cluster the rename is planned blocked.
//! It has no graph rename at all: a renamed graph is created under its new
//! name with the spec's definitions and the old graph is dropped; the
//! collections (and their documents) are kept, since dropping a graph does
//! not drop them. An object arangosync did not create is never renamed.
//!
//! ArangoDB does not rewrite documents on a rename: edges whose `_from` or
//! `_to` name the renamed collection (`people/a`) keep naming the old one.
//! The plan says so for every renamed document collection, naming the
//! edge collections that graphs (live under the old name, desired under
//! the new one) declare pointing at it; edges outside graphs cannot be
//! seen from the definitions, so the warning stands for any document
//! collection.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::model::{Action, Address, Change, Compare, FieldChange, Note, Step};
use super::{Options, Ownership};
use crate::model::{CollectionType, Graph, State};
use crate::ownership::Owned;
use crate::server::Server;

/// The live state and ownership as they are after the renames, the rename
/// changes, and notes for renames that are done. The live state is
/// borrowed unless a rename rewrote it: a copy of a state of thousands of
/// collections is tens of megabytes.
pub struct Resolved<'a> {
    pub live: Cow<'a, State>,
    pub owned: Ownership,
    pub changes: Vec<Change>,
    pub notes: Vec<Note>,
    /// Graphs renamed by this plan: by new name, the old name.
    pub graphs: Vec<(String, String)>,
}

pub fn resolve<'a>(
    desired: &State,
    live: &'a State,
    owned: &Ownership,
    server: Option<&Server>,
    options: &Options,
) -> Resolved<'a> {
    let mut resolved = Resolved {
        live: Cow::Borrowed(live),
        owned: owned.clone(),
        changes: Vec::new(),
        notes: Vec::new(),
        graphs: Vec::new(),
    };
    for (name, old) in &desired.renames.collections {
        if !desired.collections.contains_key(name) {
            continue;
        }
        rename_collection(&mut resolved, desired, name, old, server, options);
    }
    for (name, old) in &desired.renames.graphs {
        if !desired.graphs.contains_key(name) {
            continue;
        }
        rename_graph(&mut resolved, name, old);
    }
    resolved
}

fn rename_collection(
    resolved: &mut Resolved<'_>,
    desired: &State,
    name: &str,
    old: &str,
    server: Option<&Server>,
    options: &Options,
) {
    let live = &*resolved.live;
    let has_new = live.collections.contains_key(name);
    let Some(have) = live.collections.get(old) else {
        if has_new {
            resolved.notes.push(Note {
                address: Address::Collection(name.to_string()),
                message: format!(
                    "already renamed from {old}; `metadata.renamedFrom` can be removed from its spec"
                ),
            });
        }
        return;
    };
    if has_new {
        resolved.changes.push(Change {
            address: Address::Collection(name.to_string()),
            action: Action::Update,
            reason: format!("the spec says it was renamed from {old}"),
            fields: Vec::new(),
            steps: Vec::new(),
            blocked: Some(format!(
                "both collection {old} and collection {name} exist, so {old} cannot be renamed to {name}; move the documents and drop one of them by hand, or remove `metadata.renamedFrom` to leave {old} alone"
            )),
            destructive: false,
            risk: None,
        });
        return;
    }
    // The server read (or the offline target) says whether it is a
    // coordinator; without one, a live collection reporting shards is on a
    // cluster (an offline base spec may state shards for any deployment).
    let cluster = match server {
        Some(server) => server.cluster,
        None => !options.offline && have.cluster.number_of_shards.is_some(),
    };
    let is_owned = resolved.owned.collections.contains(old);
    let blocked = if cluster {
        Some(format!(
            "ArangoDB cannot rename a collection on a cluster; create {name} as a new collection (remove `metadata.renamedFrom`) and move the documents from {old} by hand"
        ))
    } else if !is_owned {
        Some(format!(
            "collection {old} was not created by arangosync, so arangosync will not rename it; rename it by hand, or remove `metadata.renamedFrom` to create {name} beside it"
        ))
    } else {
        None
    };
    let mut steps = vec![Step::RenameCollection {
        collection: old.to_string(),
        name: name.to_string(),
    }];
    if is_owned {
        // The records follow the rename: the collection's and those of the
        // indexes arangosync created on it.
        let indexes: Vec<String> = resolved
            .owned
            .indexes
            .iter()
            .filter(|(collection, _)| collection == old)
            .map(|(_, index)| index.clone())
            .collect();
        let mut before = vec![Owned::Collection(old.to_string())];
        let mut after = vec![Owned::Collection(name.to_string())];
        for index in &indexes {
            before.push(Owned::Index {
                collection: old.to_string(),
                name: index.clone(),
            });
            after.push(Owned::Index {
                collection: name.to_string(),
                name: index.clone(),
            });
            resolved
                .owned
                .indexes
                .remove(&(old.to_string(), index.clone()));
            resolved
                .owned
                .indexes
                .insert((name.to_string(), index.clone()));
        }
        resolved.owned.collections.remove(old);
        resolved.owned.collections.insert(name.to_string());
        steps.push(Step::ConfirmOwnership {
            records: after.iter().map(Owned::record).collect(),
        });
        steps.push(Step::ForgetIntents {
            keys: before.iter().map(Owned::key).collect(),
        });
    }
    let what = if options.offline {
        "the base specs"
    } else {
        "the database"
    };
    // A blocked rename says only why and what to do: the reason of a
    // rename that happens (documents kept, edges to repoint) is not its.
    let (edges, edges_note) = if blocked.is_some() {
        (String::new(), String::new())
    } else if have.collection_type == CollectionType::Document {
        edges_warning(&edges_pointing_at(desired, live, old, name), old, name)
    } else {
        (String::new(), String::new())
    };
    if !edges_note.is_empty() {
        resolved.notes.push(Note {
            address: Address::Collection(name.to_string()),
            message: edges_note,
        });
    }
    resolved.changes.push(Change {
        address: Address::Collection(name.to_string()),
        action: Action::Update,
        reason: if blocked.is_some() {
            format!("the spec says it was renamed from {old} (`metadata.renamedFrom`), which {what} has")
        } else {
            format!(
                "renamed from {old} (`metadata.renamedFrom`), which {what} has; renamed in place, documents and indexes are kept, and graphs and views that use it follow{edges}"
            )
        },
        fields: vec![FieldChange {
            compare: Compare::Exact,
            field: "name".into(),
            before: old.into(),
            after: name.into(),
        }],
        steps,
        blocked,
        destructive: false,
        risk: None,
    });
    // What the server holds after the rename.
    let live = resolved.live.to_mut();
    if let Some(mut collection) = live.collections.remove(old) {
        collection.name = name.to_string();
        live.collections.insert(name.to_string(), collection);
    }
    for graph in live.graphs.values_mut() {
        rename_in_graph(graph, old, name);
    }
    for view in live.views.values_mut() {
        if let Some(link) = view.links.remove(old) {
            view.links.insert(name.to_string(), link);
        }
        for entry in &mut view.indexes {
            if entry.collection == old {
                entry.collection = name.to_string();
            }
        }
        view.indexes.sort();
    }
}

/// The edge collections that graph definitions declare pointing at the
/// renamed collection: in live graphs under its old name, in desired ones
/// under its new name.
fn edges_pointing_at(desired: &State, live: &State, old: &str, name: &str) -> BTreeSet<String> {
    let mut edges = BTreeSet::new();
    for (graphs, vertex) in [(&live.graphs, old), (&desired.graphs, name)] {
        for definition in graphs.values().flat_map(|graph| &graph.edge_definitions) {
            if definition
                .from
                .iter()
                .chain(&definition.to)
                .any(|v| v == vertex)
            {
                edges.insert(definition.collection.clone());
            }
        }
    }
    edges
}

/// The rename's warning that edges still point at the old name: a clause
/// for the reason (naming `edges` when graph definitions declare some)
/// and a note with the AQL that repoints them.
fn edges_warning(edges: &BTreeSet<String>, old: &str, name: &str) -> (String, String) {
    let holders = if edges.is_empty() {
        "edges pointing at its documents".to_string()
    } else {
        let names: Vec<&str> = edges.iter().map(String::as_str).collect();
        format!(
            "edges in {} (graph edge definitions point them at it) and any other edges pointing at it",
            names.join(", ")
        )
    };
    let clause = format!(
        "; ArangoDB does not rewrite edges: {holders} keep `_from`/`_to` values `{old}/<key>`, which no longer resolve (see the note)"
    );
    let len = old.chars().count() + 1;
    let query = |edge: &str, side: &str| {
        format!(
            "`FOR e IN {edge} FILTER STARTS_WITH(e.{side}, '{old}/') UPDATE e WITH {{{side}: CONCAT('{name}/', SUBSTRING(e.{side}, {len}))}} IN {edge}`"
        )
    };
    let note = if edges.is_empty() {
        format!(
            "renamed from {old}: edges are not rewritten; after the apply, run for each edge collection E that has edges pointing at it {} and {}",
            query("E", "_from"),
            query("E", "_to")
        )
    } else {
        let queries: Vec<String> = edges
            .iter()
            .flat_map(|edge| [query(edge, "_from"), query(edge, "_to")])
            .collect();
        format!(
            "renamed from {old}: edges are not rewritten; after the apply, run {} (and the same for any other edge collection with edges pointing at it)",
            queries.join(", ")
        )
    };
    (clause, note)
}

/// A graph as the server keeps it after a member collection is renamed.
fn rename_in_graph(graph: &mut Graph, old: &str, name: &str) {
    let rename = |list: &mut Vec<String>| {
        for member in list.iter_mut() {
            if member == old {
                *member = name.to_string();
            }
        }
        list.sort();
    };
    for definition in &mut graph.edge_definitions {
        if definition.collection == old {
            definition.collection = name.to_string();
        }
        rename(&mut definition.from);
        rename(&mut definition.to);
    }
    graph
        .edge_definitions
        .sort_by(|a, b| a.collection.cmp(&b.collection));
    rename(&mut graph.orphan_collections);
}

fn rename_graph(resolved: &mut Resolved<'_>, name: &str, old: &str) {
    let live = &*resolved.live;
    let has_new = live.graphs.contains_key(name);
    let Some(have) = live.graphs.get(old) else {
        if has_new {
            resolved.notes.push(Note {
                address: Address::Graph(name.to_string()),
                message: format!(
                    "already renamed from {old}; `metadata.renamedFrom` can be removed from its spec"
                ),
            });
        }
        return;
    };
    if has_new {
        resolved.changes.push(Change {
            address: Address::Graph(name.to_string()),
            action: Action::Update,
            reason: format!("the spec says it was renamed from {old}"),
            fields: Vec::new(),
            steps: Vec::new(),
            blocked: Some(format!(
                "both graph {old} and graph {name} exist, so {old} cannot be renamed to {name}; drop one of them by hand, or remove `metadata.renamedFrom` to leave {old} alone"
            )),
            destructive: false,
            risk: None,
        });
        return;
    }
    let members: BTreeSet<&String> = have
        .edge_definitions
        .iter()
        .flat_map(|d| std::iter::once(&d.collection).chain(&d.from).chain(&d.to))
        .chain(&have.orphan_collections)
        .collect();
    let blocked = (!resolved.owned.graphs.contains(old)).then(|| {
        format!(
            "graph {old} was not created by arangosync, so arangosync will not drop it; drop it by hand, or remove `metadata.renamedFrom` to create {name} beside it"
        )
    });
    resolved.changes.push(Change {
        address: Address::Graph(old.to_string()),
        action: Action::Delete,
        reason: format!(
            "renamed to {name} in the specs (`metadata.renamedFrom`); ArangoDB cannot rename a graph, so graph {name} is created with the spec's definitions and this one is dropped; its collections ({}) and their documents are kept",
            members.into_iter().cloned().collect::<Vec<_>>().join(", ")
        ),
        fields: Vec::new(),
        steps: vec![Step::DropGraph {
            graph: old.to_string(),
        }],
        blocked,
        destructive: false,
        risk: None,
    });
    resolved.live.to_mut().graphs.remove(old);
    resolved.owned.graphs.remove(old);
    resolved.graphs.push((name.to_string(), old.to_string()));
}

/// Words the create of a renamed graph as the second half of the rename.
pub fn word_graph_creates(graphs: &[(String, String)], changes: &mut [Change]) {
    for (name, old) in graphs {
        for change in changes.iter_mut() {
            if change.address == Address::Graph(name.clone()) && change.action == Action::Create {
                change.reason = format!(
                    "renamed from {old} (`metadata.renamedFrom`); created under the new name, since ArangoDB cannot rename a graph"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests;
