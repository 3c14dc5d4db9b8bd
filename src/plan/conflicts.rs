//! Conflicts with objects arangosync does not own that the live state makes
//! certain: the server would refuse the change, or it would change something
//! arangosync did not create. Found here, at plan time, each blocks its
//! change, so apply refuses the whole plan before any write instead of
//! failing halfway.
//!
//! Checked: a collection to create whose name a view holds (collections and
//! views share one namespace, 1207); a graph to create, or an edge
//! definition to add, whose edge collection another live graph uses with
//! other `from`/`to` (1921); a replaced edge definition that would change a
//! graph arangosync did not create (the server replaces it in every graph);
//! a change to a graph arangosync did not create; a collection dropped or
//! replaced while a graph that stays uses it (1942 on 3.12; graphs the
//! plan drops are dropped first).
//! An index whose name or server identity an index arangosync did not
//! create holds (including a second TTL index, since a collection has at
//! most one) is blocked where it is planned, in `indexes`. An inverted
//! index naming an analyzer the database lacks is blocked too
//! (`check_analyzers`; the analyzers are read only when specs name custom
//! ones). Analyzers in use are checked where analyzers are planned
//! (`analyzers`). Not checked: conflicts that depend on the data (a unique index over duplicate
//! values).

use std::collections::BTreeSet;

use super::model::{Action, Address, Change, Step};
use super::Ownership;
use crate::model::{EdgeDefinition, State};

/// Blocks every change in `changes` that conflicts with an object of the
/// live database. Changes already blocked keep their first reason.
pub fn check(
    desired: &State,
    live: &State,
    views: &BTreeSet<String>,
    owned: &Ownership,
    changes: &mut [Change],
) {
    let dropped_views: BTreeSet<String> = changes
        .iter()
        .filter(|change| change.action == Action::Delete)
        .filter_map(|change| match &change.address {
            Address::View(name) => Some(name.clone()),
            _ => None,
        })
        .collect();
    let views: BTreeSet<String> = views.difference(&dropped_views).cloned().collect();
    let views = &views;
    let dropped_collections: BTreeSet<String> = changes
        .iter()
        .filter(|change| change.action == Action::Delete)
        .filter_map(|change| match &change.address {
            Address::Collection(name) => Some(name.clone()),
            _ => None,
        })
        .collect();
    let dropped_graphs: BTreeSet<String> = changes
        .iter()
        .filter(|change| change.action == Action::Delete)
        .filter_map(|change| match &change.address {
            Address::Graph(name) => Some(name.clone()),
            _ => None,
        })
        .collect();
    for change in changes.iter_mut() {
        if change.blocked.is_some() {
            continue;
        }
        change.blocked = match &change.address {
            Address::Collection(name) => view_clash(change, name, views)
                .or_else(|| graph_member_drop(change, name, live, &dropped_graphs)),
            Address::Graph(name) => graph_conflict(change, name, desired, live, owned),
            Address::View(name) => collection_clash(change, name, live, &dropped_collections),
            _ => None,
        };
    }
}

fn view_clash(change: &Change, name: &str, views: &BTreeSet<String>) -> Option<String> {
    let creates = change
        .steps
        .iter()
        .any(|step| matches!(step, Step::CreateCollection { .. }));
    (creates && views.contains(name)).then(|| {
        format!(
            "the name {name} is taken by a view that arangosync did not create (collections and views share one namespace; ArangoDB would refuse it, 1207); rename the collection in the spec or drop the view by hand"
        )
    })
}

/// A view to create whose name a live collection holds (one namespace,
/// 1207), unless this plan drops that collection first.
fn collection_clash(
    change: &Change,
    name: &str,
    live: &State,
    dropped_collections: &BTreeSet<String>,
) -> Option<String> {
    let creates = change
        .steps
        .iter()
        .any(|step| matches!(step, Step::CreateView { .. }));
    (creates && live.collections.contains_key(name) && !dropped_collections.contains(name)).then(|| {
        format!(
            "the name {name} is taken by a collection (collections and views share one namespace; ArangoDB would refuse it, 1207); rename the view in the spec"
        )
    })
}

/// A collection the change drops (deleted, or replaced) that a graph kept
/// by this plan uses: ArangoDB 3.12 refuses the drop (1942), and on 3.11 it
/// would leave the graph pointing at a collection that is gone.
fn graph_member_drop(
    change: &Change,
    name: &str,
    live: &State,
    dropped_graphs: &BTreeSet<String>,
) -> Option<String> {
    let drops = change
        .steps
        .iter()
        .any(|step| matches!(step, Step::DropCollection { .. }));
    if !drops {
        return None;
    }
    let users: Vec<&str> = live
        .graphs
        .values()
        .filter(|graph| !dropped_graphs.contains(&graph.name))
        .filter(|graph| {
            graph.orphan_collections.iter().any(|c| c == name)
                || graph.edge_definitions.iter().any(|definition| {
                    definition.collection == name
                        || definition
                            .from
                            .iter()
                            .chain(&definition.to)
                            .any(|c| c == name)
                })
        })
        .map(|graph| graph.name.as_str())
        .collect();
    (!users.is_empty()).then(|| {
        format!(
            "collection {name} would be dropped, but graph {} uses it and is kept (ArangoDB 3.12 refuses to drop a collection a graph uses, 1942); take it out of the graph first",
            users.join(", ")
        )
    })
}

fn graph_conflict(
    change: &Change,
    name: &str,
    desired: &State,
    live: &State,
    owned: &Ownership,
) -> Option<String> {
    if change.action == Action::Update && !owned.graphs.contains(name) {
        return Some(format!(
            "graph {name} exists with another definition and was not created by arangosync, so arangosync will not change it; make the spec match it, or change the graph yourself"
        ));
    }
    // A replace changes the edge collection's definition in every graph that
    // has it, also in graphs arangosync did not create.
    for step in &change.steps {
        let Step::ReplaceEdgeDefinition { collection, .. } = step else {
            continue;
        };
        let touched: Vec<&str> = live
            .graphs
            .values()
            .filter(|other| other.name != name && !owned.graphs.contains(&other.name))
            .filter(|other| {
                other
                    .edge_definitions
                    .iter()
                    .any(|theirs| theirs.collection == *collection)
            })
            .map(|other| other.name.as_str())
            .collect();
        if !touched.is_empty() {
            return Some(format!(
                "replacing the definition of edge collection {collection} would change it in graph {} too, which arangosync did not create (ArangoDB keeps one definition per edge collection); make the definitions agree, or change that graph yourself",
                touched.join(", ")
            ));
        }
    }
    // Edge definitions this change puts into a graph without replacing one
    // (a replace changes the definition in every graph that has it).
    let added_collections: BTreeSet<&str> = change
        .steps
        .iter()
        .flat_map(|step| match step {
            Step::CreateGraph { body } => body["edgeDefinitions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|definition| definition["collection"].as_str())
                .collect(),
            Step::AddEdgeDefinition { body, .. } => {
                body["collection"].as_str().into_iter().collect()
            }
            _ => Vec::new(),
        })
        .collect();
    let added = desired
        .graphs
        .get(name)
        .into_iter()
        .flat_map(|graph| &graph.edge_definitions)
        .filter(|definition| added_collections.contains(definition.collection.as_str()));
    for definition in added {
        for (other_name, other) in &live.graphs {
            if other_name == name {
                continue;
            }
            let Some(theirs) = other
                .edge_definitions
                .iter()
                .find(|theirs| theirs.collection == definition.collection)
            else {
                continue;
            };
            if theirs == definition || will_agree(desired, other_name, definition) {
                continue;
            }
            return Some(format!(
                "edge collection {} is used by graph {other_name} with from [{}] to [{}], and ArangoDB refuses another definition of it in graph {name} (conflicting edge definitions, 1921); make the definitions agree, or change graph {other_name} yourself",
                definition.collection,
                theirs.from.join(", "),
                theirs.to.join(", "),
            ));
        }
    }
    None
}

/// Whether the specs also manage graph `other` and give it `definition`, so
/// the plan replaces its definition, which ArangoDB applies to every graph
/// that uses the edge collection.
fn will_agree(desired: &State, other: &str, definition: &EdgeDefinition) -> bool {
    desired
        .graphs
        .get(other)
        .is_some_and(|graph| graph.edge_definitions.contains(definition))
}

/// The analyzers the links of a view create or update body name.
fn view_analyzers(body: &serde_json::Value) -> BTreeSet<String> {
    let view = crate::model::View {
        name: String::new(),
        view_type: "arangosearch".into(),
        properties: Default::default(),
        links: body["links"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(collection, link)| (collection.clone(), link.clone()))
            .collect(),
        indexes: Vec::new(),
        id: None,
    };
    view.analyzers()
}

/// Blocks index creates and view links that name an analyzer neither the
/// database nor the specs have: ArangoDB refuses them (error 10), so a
/// re-run could never succeed. `analyzers` holds the full names the server
/// lists (`db::name`, `_system::name`, built-ins bare); the analyzers of
/// `desired` are created first, in the `Analyzers` stage. The names in the
/// steps are spelt as the server reports them (`x` for the database's own,
/// `::x` for `_system`'s, a prefix naming another database kept, which
/// ArangoDB refuses).
pub fn check_analyzers(
    database: &str,
    analyzers: &BTreeSet<String>,
    desired: &State,
    changes: &mut [Change],
) {
    use crate::model::{analyzer_database, SYSTEM_DATABASE};
    let short = |name: &str| name.rsplit("::").next().unwrap_or(name).to_string();
    let exists = |name: &str| {
        let home = analyzer_database(name, database);
        let short = short(name);
        crate::model::is_builtin_analyzer(name)
            || analyzers.contains(name)
            || analyzers.contains(&format!("{home}::{short}"))
            || (home == database && desired.analyzers.contains_key(&short))
    };
    for change in changes.iter_mut().filter(|change| change.blocked.is_none()) {
        let missing: BTreeSet<String> = change
            .steps
            .iter()
            .filter_map(|step| match step {
                // Only an inverted index names analyzers: others are not
                // parsed.
                Step::CreateIndex { body, .. } => {
                    Some(if body.string("type").as_deref() == Some("inverted") {
                        crate::model::analyzers_in_body(&body.value())
                    } else {
                        BTreeSet::new()
                    })
                }
                Step::CreateView { body } | Step::UpdateViewProperties { body, .. } => {
                    Some(view_analyzers(body))
                }
                _ => None,
            })
            .flatten()
            .filter(|name| !exists(name))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let refused = if matches!(change.address, Address::View(_)) {
            "the view link"
        } else {
            "the index"
        };
        let (mut own, mut system, mut other) = (Vec::new(), Vec::new(), Vec::new());
        for name in &missing {
            match analyzer_database(name, database) {
                home if home == database => own.push(name.as_str()),
                SYSTEM_DATABASE => system.push(name.as_str()),
                _ => other.push(name.as_str()),
            }
        }
        let mut problems = Vec::new();
        if !own.is_empty() {
            problems.push(format!(
                "the analyzer {} does not exist in database {database} and no ArangoAnalyzer spec defines it; ArangoDB would refuse {refused} (error 10): add a spec for it, or create it first",
                own.join(", ")
            ));
        }
        if !system.is_empty() {
            problems.push(format!(
                "the analyzer {} does not exist in database {SYSTEM_DATABASE} (a `::` or `_system::` prefix names an analyzer of {SYSTEM_DATABASE}); ArangoDB would refuse {refused} (error 10): create it in {SYSTEM_DATABASE} first, or name an analyzer of database {database} without the prefix",
                system.join(", ")
            ));
        }
        if !other.is_empty() {
            problems.push(format!(
                "the analyzer {} names another database, and a definition in database {database} can use only the analyzers of {database} and {SYSTEM_DATABASE}; ArangoDB would refuse {refused} (error 10): name an analyzer of database {database} or {SYSTEM_DATABASE}",
                other.join(", ")
            ));
        }
        change.blocked = Some(problems.join("; "));
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::Stage;
    use super::super::{diff, Live, Options, Ownership};
    use crate::model::{EdgeDefinition, Graph, State};

    fn graph(name: &str, to: &str) -> Graph {
        Graph {
            name: name.into(),
            edge_definitions: vec![EdgeDefinition {
                collection: "viewed".into(),
                from: vec!["users".into()],
                to: vec![to.into()],
            }],
            orphan_collections: vec![],
        }
    }

    fn live(graphs: &[Graph], owned: &[&str]) -> Live {
        let mut state = State::default();
        for graph in graphs {
            state.graphs.insert(graph.name.clone(), graph.clone());
        }
        let mut ownership = Ownership::default();
        ownership
            .graphs
            .extend(owned.iter().map(|name| name.to_string()));
        Live {
            system_analyzers: Default::default(),
            state: Some(state),
            owned: ownership,
            has_state_collection: true,
            views: Default::default(),
            analyzers: None,
            pending: Vec::new(),
            server: None,
            document_counts: Default::default(),
        }
    }

    fn desired(graphs: &[Graph]) -> State {
        let mut state = State::default();
        for graph in graphs {
            state.graphs.insert(graph.name.clone(), graph.clone());
        }
        state
    }

    #[test]
    fn a_new_graph_against_another_graphs_edge_definition_is_blocked() {
        let plan = diff(
            &desired(&[graph("new", "items")]),
            &live(&[graph("other", "products")], &[]),
            &Options::default(),
        );
        let blocked = plan.changes[0].blocked.as_deref().unwrap_or_default();
        assert!(blocked.contains("graph other"), "{blocked}");
        assert!(blocked.contains("1921"), "{blocked}");
    }

    #[test]
    fn the_same_edge_definition_in_another_graph_is_no_conflict() {
        let plan = diff(
            &desired(&[graph("new", "products")]),
            &live(&[graph("other", "products")], &[]),
            &Options::default(),
        );
        assert_eq!(plan.changes[0].blocked, None);
    }

    #[test]
    fn replacing_a_shared_definition_runs_before_graphs_that_state_it() {
        let plan = diff(
            &desired(&[graph("managed", "items"), graph("new", "items")]),
            &live(&[graph("managed", "products")], &["managed"]),
            &Options::default(),
        );
        let stages: Vec<(String, Stage, bool)> = plan
            .changes
            .iter()
            .map(|change| {
                (
                    change.address.to_string(),
                    change.stage(),
                    change.blocked.is_some(),
                )
            })
            .collect();
        assert_eq!(
            stages,
            vec![
                (
                    "graph managed".to_string(),
                    Stage::SharedEdgeDefinitions,
                    false
                ),
                ("graph new".to_string(), Stage::Graphs, false),
            ]
        );
        assert!(Stage::SharedEdgeDefinitions < Stage::Graphs);
    }

    #[test]
    fn a_change_to_a_graph_arangosync_did_not_create_is_blocked() {
        let plan = diff(
            &desired(&[graph("hand", "items")]),
            &live(&[graph("hand", "products")], &[]),
            &Options::default(),
        );
        let blocked = plan.changes[0].blocked.as_deref().unwrap_or_default();
        assert!(blocked.contains("not created by arangosync"), "{blocked}");
    }
}
