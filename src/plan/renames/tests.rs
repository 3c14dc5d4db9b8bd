//! Renames through the whole diff: what is planned, what is blocked, and
//! that the state after the rename plans nothing more.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::model::{
    Collection, CollectionType, EdgeDefinition, Graph, Index, IndexOptions, State, View,
};
use crate::ownership::Owned;
use crate::plan::{diff, Action, Address, Live, Options, Ownership, Plan, Stage, Step};
use crate::server::{Server, Version};

fn options(prune: bool) -> Options {
    Options {
        database: "features".into(),
        prune,
        allow_destructive: prune,
        ..Options::default()
    }
}

fn index(id: Option<&str>) -> Index {
    Index {
        name: Some("idx_email".into()),
        index_type: "persistent".into(),
        fields: vec![Value::from("email")],
        options: IndexOptions::from([
            ("unique".to_string(), json!(false)),
            ("sparse".to_string(), json!(false)),
            ("deduplicate".to_string(), json!(true)),
            ("estimates".to_string(), json!(true)),
            ("cacheEnabled".to_string(), json!(false)),
        ]),
        id: id.map(str::to_string),
    }
}

fn collection(name: &str, live: bool) -> Collection {
    let mut collection = Collection::new(name, CollectionType::Document);
    let id = format!("{name}/7");
    collection.indexes.push(index(live.then_some(id.as_str())));
    collection
}

fn graph(name: &str, vertex: &str) -> Graph {
    Graph {
        name: name.into(),
        edge_definitions: vec![EdgeDefinition {
            collection: "knows".into(),
            from: vec![vertex.into()],
            to: vec![vertex.into()],
        }],
        orphan_collections: Vec::new(),
    }
}

/// `people` (or, with `renamed`, `members` renamed from `people`), the edge
/// collection `knows`, the graph `net` over them and a view linking the
/// vertex collection.
fn world(renamed: bool, live: bool) -> State {
    let vertex = if renamed { "members" } else { "people" };
    let mut state = State::default();
    for name in [vertex, "knows"] {
        let mut c = collection(name, live);
        if name == "knows" {
            c.collection_type = CollectionType::Edge;
            c.indexes.clear();
        }
        state.collections.insert(name.into(), c);
    }
    state.graphs.insert("net".into(), graph("net", vertex));
    state.views.insert(
        "search".into(),
        View {
            name: "search".into(),
            view_type: "arangosearch".into(),
            properties: BTreeMap::new(),
            links: BTreeMap::from([(vertex.to_string(), json!({"includeAllFields": true}))]),
            indexes: Vec::new(),
            id: live.then(|| "99".to_string()),
        },
    );
    if renamed {
        state
            .renames
            .collections
            .insert("members".into(), "people".into());
    }
    state
}

fn owning(state: &State) -> Ownership {
    let mut owned = Ownership::default();
    for (name, collection) in &state.collections {
        owned.collections.insert(name.clone());
        for index in &collection.indexes {
            if let Some(index_name) = &index.name {
                owned.indexes.insert((name.clone(), index_name.clone()));
            }
        }
    }
    owned.graphs.extend(state.graphs.keys().cloned());
    owned.views.extend(state.views.keys().cloned());
    owned
}

fn live(state: State, owned: Ownership, cluster: bool) -> Live {
    let mut server = Server::target(Version::new(3, 12, 10));
    server.cluster = cluster;
    Live {
        state: Some(state),
        owned,
        has_state_collection: true,
        server: Some(server),
        ..Live::default()
    }
}

fn addresses(plan: &Plan) -> Vec<(String, Action, bool)> {
    plan.changes
        .iter()
        .map(|c| (c.address.to_string(), c.action, c.blocked.is_some()))
        .collect()
}

#[test]
fn an_owned_collection_is_renamed_in_place_with_its_records_and_nothing_else_changes() {
    let have = world(false, true);
    let owned = owning(&have);
    let plan = diff(
        &world(true, false),
        &live(have, owned, false),
        &options(true),
    );
    // One change: no create, no prune of the old name, nothing for the
    // index, the graph or the view, which the server renames along.
    assert_eq!(
        addresses(&plan),
        [("collection members".to_string(), Action::Update, false)]
    );
    let change = &plan.changes[0];
    assert_eq!(change.stage(), Stage::Renames);
    assert!(!change.destructive);
    let records = |owned: &[Owned], f: fn(&Owned) -> Value| owned.iter().map(f).collect();
    let index_of = |collection: &str| Owned::Index {
        collection: collection.into(),
        name: "idx_email".into(),
    };
    assert_eq!(
        change.steps,
        [
            Step::RenameCollection {
                collection: "people".into(),
                name: "members".into(),
            },
            Step::ConfirmOwnership {
                records: records(
                    &[Owned::Collection("members".into()), index_of("members")],
                    Owned::record
                ),
            },
            Step::ForgetIntents {
                keys: [Owned::Collection("people".into()), index_of("people")]
                    .iter()
                    .map(Owned::key)
                    .collect(),
            },
        ]
    );
}

#[test]
fn the_state_after_the_rename_plans_nothing_and_notes_the_field_is_done() {
    let mut after = world(true, true);
    after.renames = Default::default();
    let owned = owning(&after);
    let plan = diff(
        &world(true, false),
        &live(after, owned, false),
        &options(true),
    );
    assert_eq!(addresses(&plan), []);
    assert_eq!(
        plan.notes
            .iter()
            .map(|note| (note.address.clone(), note.message.as_str()))
            .collect::<Vec<_>>(),
        [(
            Address::Collection("members".into()),
            "already renamed from people; `metadata.renamedFrom` can be removed from its spec"
        )]
    );
}

#[test]
fn on_a_cluster_the_rename_is_blocked_with_the_reason() {
    let have = world(false, true);
    let owned = owning(&have);
    let plan = diff(
        &world(true, false),
        &live(have, owned, true),
        &options(false),
    );
    assert_eq!(
        addresses(&plan),
        [("collection members".to_string(), Action::Update, true)]
    );
    let blocked = plan.changes[0].blocked.as_deref().unwrap_or_default();
    assert!(
        blocked.starts_with("ArangoDB cannot rename a collection on a cluster"),
        "{blocked}"
    );
}

#[test]
fn a_collection_arangosync_did_not_create_is_not_renamed_and_its_records_are_not_touched() {
    let have = world(false, true);
    let plan = diff(
        &world(true, false),
        &live(have, Ownership::default(), false),
        &options(false),
    );
    let change = &plan.changes[0];
    assert!(change
        .blocked
        .as_deref()
        .unwrap_or_default()
        .starts_with("collection people was not created by arangosync"));
    assert_eq!(
        change.steps,
        [Step::RenameCollection {
            collection: "people".into(),
            name: "members".into(),
        }]
    );
}

#[test]
fn both_names_existing_is_blocked_and_nothing_is_renamed() {
    let mut have = world(false, true);
    have.collections
        .insert("members".into(), collection("members", true));
    let owned = owning(&have);
    let plan = diff(
        &world(true, false),
        &live(have, owned, false),
        &options(false),
    );
    let rename = plan
        .changes
        .iter()
        .find(|c| c.address == Address::Collection("members".into()) && c.blocked.is_some())
        .expect("a blocked change");
    assert!(rename.steps.is_empty());
    assert!(rename
        .blocked
        .as_deref()
        .unwrap_or_default()
        .starts_with("both collection people and collection members exist"));
    assert!(!plan.changes.iter().any(|c| c
        .steps
        .iter()
        .any(|s| matches!(s, Step::RenameCollection { .. }))));
}

#[test]
fn neither_name_existing_creates_the_collection_as_usual() {
    let plan = diff(
        &world(true, false),
        &live(State::default(), Ownership::default(), false),
        &options(false),
    );
    assert!(plan
        .changes
        .iter()
        .any(|c| c.address == Address::Collection("members".into()) && c.action == Action::Create));
    assert!(plan.notes.is_empty());
}

fn graph_world(name: &str, renamed_from: Option<&str>) -> State {
    let mut state = State::default();
    let mut knows = Collection::new("knows", CollectionType::Edge);
    knows.indexes.clear();
    state.collections.insert("knows".into(), knows);
    state.collections.insert(
        "people".into(),
        Collection::new("people", CollectionType::Document),
    );
    state.graphs.insert(name.into(), graph(name, "people"));
    if let Some(old) = renamed_from {
        state.renames.graphs.insert(name.into(), old.into());
    }
    state
}

#[test]
fn a_graph_is_dropped_under_its_old_name_and_created_under_the_new_one() {
    let have = graph_world("net", None);
    let owned = owning(&have);
    let plan = diff(
        &graph_world("network", Some("net")),
        &live(have.clone(), owned, false),
        &options(false),
    );
    assert_eq!(
        addresses(&plan),
        [
            ("graph net".to_string(), Action::Delete, false),
            ("graph network".to_string(), Action::Create, false),
        ]
    );
    assert_eq!(plan.changes[0].stage(), Stage::GraphDrops);
    assert_eq!(
        plan.changes[0].steps,
        [Step::DropGraph {
            graph: "net".into()
        }]
    );
    assert!(plan.changes[0]
        .reason
        .ends_with("its collections (knows, people) and their documents are kept"));
    assert!(plan.changes[1].reason.starts_with("renamed from net"));

    // A graph arangosync did not create is not dropped.
    let plan = diff(
        &graph_world("network", Some("net")),
        &live(have, Ownership::default(), false),
        &options(false),
    );
    assert!(plan.changes[0]
        .blocked
        .as_deref()
        .unwrap_or_default()
        .starts_with("graph net was not created by arangosync"));
}

#[test]
fn without_a_server_shards_mean_a_cluster_only_when_read_live() {
    let mut have = world(false, true);
    if let Some(people) = have.collections.get_mut("people") {
        people.cluster.number_of_shards = Some(3);
    }
    let owned = owning(&have);
    let mut without_server = live(have, owned, false);
    without_server.server = None;
    let blocked = |offline: bool| {
        let plan = diff(
            &world(true, false),
            &without_server,
            &Options {
                offline,
                ..options(false)
            },
        );
        plan.changes[0].blocked.is_some()
    };
    // Read from a server: blocked. A base spec stating shards: not.
    assert!(blocked(false));
    assert!(!blocked(true));
}

#[test]
fn the_edges_warning_names_the_edge_collections_graphs_point_at_it() {
    let mut edges = std::collections::BTreeSet::new();
    edges.insert("knows".to_string());
    let (clause, note) = super::edges_warning(&edges, "people", "members");
    assert!(clause.contains("edges in knows"), "{clause}");
    assert!(
        note.contains("CONCAT('members/', SUBSTRING(e._from, 7))"),
        "{note}"
    );
    let (general, _) = super::edges_warning(&Default::default(), "people", "members");
    assert!(
        general.contains("edges pointing at its documents"),
        "{general}"
    );

    let desired = world(true, false);
    let live = world(false, true);
    assert_eq!(
        super::edges_pointing_at(&desired, &live, "people", "members"),
        edges
    );
}

#[test]
fn renaming_an_edge_collection_does_not_warn_about_edges() {
    let mut desired = State::default();
    desired.collections.insert(
        "follows".into(),
        Collection::new("follows", CollectionType::Edge),
    );
    desired
        .renames
        .collections
        .insert("follows".into(), "knows".into());
    let mut have = State::default();
    have.collections.insert(
        "knows".into(),
        Collection::new("knows", CollectionType::Edge),
    );
    let owned = owning(&have);
    let plan = diff(&desired, &live(have, owned, false), &options(false));
    let rename = plan
        .changes
        .iter()
        .find(|change| change.address == Address::Collection("follows".into()))
        .expect("the rename");
    assert!(!rename.reason.contains("rewrite"), "{}", rename.reason);
    assert!(plan
        .notes
        .iter()
        .all(|note| !note.message.contains("_from")));
}
