//! Unit tests of the pure diff: one case per kind of change.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::*;
use crate::model::{Collection, CollectionType, EdgeDefinition, Graph, Index, Schema, State};

fn options() -> Options {
    Options {
        database: "features".into(),
        ..Options::default()
    }
}

fn persistent(fields: &[&str], name: Option<&str>, unique: bool) -> Index {
    Index {
        name: name.map(str::to_string),
        index_type: "persistent".into(),
        fields: fields.iter().map(|f| Value::from(*f)).collect(),
        options: BTreeMap::from([
            ("unique".to_string(), json!(unique)),
            ("sparse".to_string(), json!(false)),
            ("deduplicate".to_string(), json!(true)),
            ("estimates".to_string(), json!(true)),
            ("cacheEnabled".to_string(), json!(false)),
        ]),
        id: None,
    }
}

fn live_index(mut index: Index, name: &str, id: &str) -> Index {
    index.name = Some(name.into());
    index.id = Some(id.into());
    index
}

fn state(collections: Vec<Collection>) -> State {
    State {
        collections: collections
            .into_iter()
            .map(|c| (c.name.clone(), c))
            .collect(),
        ..State::default()
    }
}

fn live(state: State, owned: Ownership) -> Live {
    Live {
        state: Some(state),
        owned,
        has_state_collection: true,
    }
}

#[test]
fn equal_states_plan_nothing() {
    let mut users = Collection::new("users", CollectionType::Document);
    users.indexes.push(persistent(&["email"], None, true));
    let mut live_users = users.clone();
    live_users.indexes[0] = live_index(users.indexes[0].clone(), "idx_1", "users/1");
    let plan = diff(
        &state(vec![users]),
        &live(state(vec![live_users]), Ownership::default()),
        &options(),
    );
    assert_eq!(plan.changes, vec![]);
}

#[test]
fn a_missing_database_is_blocked_without_create_database() {
    let desired = state(vec![Collection::new("users", CollectionType::Document)]);
    let plan = diff(&desired, &Live::default(), &options());
    let kinds: Vec<_> = plan
        .changes
        .iter()
        .map(|c| (c.address.clone(), c.action))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (Address::Database("features".into()), Action::Create),
            (Address::StateCollection, Action::Create),
            (Address::Collection("users".into()), Action::Create),
        ]
    );
    assert!(plan.changes[0].blocked.is_some());
    let allowed = diff(
        &desired,
        &Live::default(),
        &Options {
            create_database: true,
            ..options()
        },
    );
    assert!(allowed.changes[0].blocked.is_none());
}

#[test]
fn mutable_properties_update_in_place() {
    let mut want = Collection::new("users", CollectionType::Document);
    want.wait_for_sync = true;
    want.schema = Some(Schema {
        rule: json!({"type": "object"}),
        level: "strict".into(),
        message: String::new(),
    });
    let have = Collection::new("users", CollectionType::Document);
    let plan = diff(
        &state(vec![want]),
        &live(state(vec![have]), Ownership::default()),
        &options(),
    );
    assert_eq!(plan.changes.len(), 1);
    let change = &plan.changes[0];
    assert_eq!(change.action, Action::Update);
    assert_eq!(
        change.steps,
        vec![Step::UpdateProperties {
            collection: "users".into(),
            body: json!({"waitForSync": true, "schema": {"rule": {"type": "object"}, "level": "strict", "message": ""}}),
        }]
    );
    assert!(!change.destructive && change.blocked.is_none());
}

#[test]
fn removing_a_schema_sends_null() {
    let want = Collection::new("users", CollectionType::Document);
    let mut have = want.clone();
    have.schema = Some(Schema {
        rule: json!({}),
        level: "strict".into(),
        message: String::new(),
    });
    let plan = diff(
        &state(vec![want]),
        &live(state(vec![have]), Ownership::default()),
        &options(),
    );
    assert_eq!(
        plan.changes[0].steps,
        vec![Step::UpdateProperties {
            collection: "users".into(),
            body: json!({"schema": null})
        }]
    );
}

#[test]
fn immutable_changes_are_destructive_replaces() {
    let want = Collection::new("events", CollectionType::Edge);
    let have = Collection::new("events", CollectionType::Document);
    let owned = Ownership {
        collections: ["events".to_string()].into(),
        ..Ownership::default()
    };
    let plan = diff(
        &state(vec![want.clone()]),
        &live(state(vec![have.clone()]), owned.clone()),
        &options(),
    );
    let change = &plan.changes[0];
    assert_eq!((change.action, change.destructive), (Action::Replace, true));
    assert!(change
        .blocked
        .as_deref()
        .unwrap()
        .contains("--allow-destructive"));
    assert!(matches!(change.steps[0], Step::DropCollection { .. }));

    let allowed = diff(
        &state(vec![want.clone()]),
        &live(state(vec![have.clone()]), owned),
        &Options {
            allow_destructive: true,
            ..options()
        },
    );
    assert!(allowed.changes[0].blocked.is_none());

    // Not created by arangosync: never dropped, whatever the flags.
    let foreign = diff(
        &state(vec![want]),
        &live(state(vec![have]), Ownership::default()),
        &Options {
            allow_destructive: true,
            ..options()
        },
    );
    assert!(foreign.changes[0]
        .blocked
        .as_deref()
        .unwrap()
        .contains("not created by arangosync"));
}

#[test]
fn cluster_options_count_only_when_both_sides_state_them() {
    let mut want = Collection::new("users", CollectionType::Document);
    want.cluster.number_of_shards = Some(3);
    want.cluster.replication_factor = Some(json!(2));
    let have = Collection::new("users", CollectionType::Document);
    let plan = diff(
        &state(vec![want]),
        &live(state(vec![have]), Ownership::default()),
        &options(),
    );
    assert!(
        plan.changes.is_empty(),
        "a single server reports no cluster options"
    );
}

#[test]
fn collections_that_distribute_shards_like_another_are_created_after_it() {
    let leader = Collection::new("users", CollectionType::Document);
    let mut follower = Collection::new("alerts", CollectionType::Document);
    follower.cluster.distribute_shards_like = Some("users".into());
    let plan = diff(
        &state(vec![leader, follower]),
        &live(State::default(), Ownership::default()),
        &options(),
    );
    let stage_of = |name: &str| {
        plan.changes
            .iter()
            .find(|change| change.address == Address::Collection(name.into()))
            .map(Change::stage)
            .unwrap()
    };
    assert_eq!(stage_of("users"), model::Stage::Collections);
    assert_eq!(stage_of("alerts"), model::Stage::DependentCollections);
    assert!(model::Stage::Collections < model::Stage::DependentCollections);
    assert!(model::Stage::DependentCollections < model::Stage::Indexes);
}

#[test]
fn a_pruned_prototype_is_dropped_after_its_followers() {
    let leader = Collection::new("users", CollectionType::Document);
    let mut follower = Collection::new("alerts", CollectionType::Document);
    follower.cluster.distribute_shards_like = Some("users".into());
    let mut owned = Ownership::default();
    owned.collections.insert("users".into());
    owned.collections.insert("alerts".into());
    let plan = diff(
        &State::default(),
        &live(state(vec![leader, follower]), owned),
        &Options {
            prune: true,
            allow_destructive: true,
            ..options()
        },
    );
    let stage_of = |name: &str| {
        plan.changes
            .iter()
            .find(|change| change.address == Address::Collection(name.into()))
            .map(Change::stage)
            .unwrap()
    };
    assert_eq!(stage_of("alerts"), model::Stage::Collections);
    assert_eq!(stage_of("users"), model::Stage::DependentCollections);
}

#[test]
fn a_changed_unnamed_index_is_created_before_the_old_one_is_dropped() {
    let mut want = Collection::new("users", CollectionType::Document);
    want.indexes.push(persistent(&["email"], None, true));
    let mut have = Collection::new("users", CollectionType::Document);
    have.indexes.push(live_index(
        persistent(&["email"], None, false),
        "idx_1",
        "users/1",
    ));
    let owned = Ownership {
        indexes: [("users".to_string(), "idx_1".to_string())].into(),
        ..Ownership::default()
    };
    let plan = diff(
        &state(vec![want]),
        &live(state(vec![have]), owned),
        &options(),
    );
    let change = &plan.changes[0];
    assert_eq!(change.action, Action::Replace);
    assert!(matches!(change.steps[0], Step::CreateIndex { .. }));
    assert!(matches!(change.steps[1], Step::DropIndex { .. }));
    assert_eq!(change.fields[0].field, "unique");
}

#[test]
fn an_option_outside_the_server_identity_forces_drop_first() {
    let mut want = Collection::new("users", CollectionType::Document);
    let mut index = persistent(&["email"], None, false);
    index.options.insert("cacheEnabled".into(), json!(true));
    want.indexes.push(index);
    let mut have = Collection::new("users", CollectionType::Document);
    have.indexes.push(live_index(
        persistent(&["email"], None, false),
        "idx_1",
        "users/1",
    ));
    let owned = Ownership {
        indexes: [("users".to_string(), "idx_1".to_string())].into(),
        ..Ownership::default()
    };
    let plan = diff(
        &state(vec![want.clone()]),
        &live(state(vec![have.clone()]), owned),
        &options(),
    );
    let change = &plan.changes[0];
    assert!(
        matches!(change.steps[0], Step::DropIndex { .. }),
        "{:?}",
        change.steps
    );
    assert!(change.reason.contains("dropped first"));
    // The same change on an index arangosync did not create is blocked.
    let foreign = diff(
        &state(vec![want]),
        &live(state(vec![have]), Ownership::default()),
        &options(),
    );
    assert!(foreign.changes[0].blocked.is_some());
}

#[test]
fn pruning_drops_only_owned_objects() {
    let want = Collection::new("users", CollectionType::Document);
    let mut have = want.clone();
    have.indexes.push(live_index(
        persistent(&["a"], None, false),
        "mine",
        "users/1",
    ));
    have.indexes.push(live_index(
        persistent(&["b"], None, false),
        "theirs",
        "users/2",
    ));
    let old = Collection::new("old", CollectionType::Document);
    let owned = Ownership {
        collections: ["old".to_string()].into(),
        indexes: [("users".to_string(), "mine".to_string())].into(),
        ..Ownership::default()
    };
    let live_state = live(state(vec![have, old]), owned);
    let without = diff(&state(vec![want.clone()]), &live_state, &options());
    assert!(
        without.changes.is_empty(),
        "nothing is dropped without --prune"
    );
    let pruned = diff(
        &state(vec![want]),
        &live_state,
        &Options {
            prune: true,
            ..options()
        },
    );
    let addresses: Vec<String> = pruned
        .changes
        .iter()
        .map(|c| c.address.to_string())
        .collect();
    assert_eq!(addresses, vec!["index users/mine", "collection old"]);
    assert!(pruned.changes[1]
        .blocked
        .as_deref()
        .unwrap()
        .contains("--allow-destructive"));
}

#[test]
fn graph_edge_definition_changes_predict_orphans() {
    let definition = |collection: &str, from: &[&str], to: &[&str]| EdgeDefinition {
        collection: collection.into(),
        from: from.iter().map(|s| s.to_string()).collect(),
        to: to.iter().map(|s| s.to_string()).collect(),
    };
    let have = Graph {
        name: "interactions".into(),
        edge_definitions: vec![definition("viewed", &["users"], &["products"])],
        orphan_collections: vec![],
    };
    let want = Graph {
        name: "interactions".into(),
        edge_definitions: vec![definition("viewed", &["users"], &["items"])],
        orphan_collections: vec![],
    };
    let mut desired = State::default();
    desired.graphs.insert("interactions".into(), want);
    let mut live_state = State::default();
    live_state.graphs.insert("interactions".into(), have);
    let plan = diff(
        &desired,
        &live(live_state, Ownership::default()),
        &options(),
    );
    assert_eq!(
        plan.changes[0].steps,
        vec![
            Step::ReplaceEdgeDefinition {
                graph: "interactions".into(),
                collection: "viewed".into(),
                body: json!({"collection": "viewed", "from": ["users"], "to": ["items"]}),
            },
            // products leaves the edge definitions, so the server makes it an orphan.
            Step::RemoveVertexCollection {
                graph: "interactions".into(),
                collection: "products".into()
            },
        ]
    );
}

#[test]
fn phases_keep_the_database_and_state_collection_they_need() {
    let mut desired = state(vec![Collection::new("users", CollectionType::Document)]);
    desired.functions.insert(
        "FEATURES::F_V1".into(),
        crate::model::Function {
            name: "FEATURES::F_V1".into(),
            code: "function () {}".into(),
            hash: Some("h".into()),
        },
    );
    let options = Options {
        create_database: true,
        ..options()
    };
    let addresses = |plan: Plan| {
        plan.changes
            .into_iter()
            .map(|c| c.address.to_string())
            .collect::<Vec<_>>()
    };
    let post = diff(&desired, &Live::default(), &options).for_phase(Phase::Post);
    assert_eq!(
        addresses(post),
        vec![
            "database features",
            "collection _arangosync (arangosync state)",
            "function FEATURES::F_V1"
        ]
    );
    let pre = diff(&desired, &Live::default(), &options).for_phase(Phase::Pre);
    assert_eq!(
        addresses(pre),
        vec![
            "database features",
            "collection _arangosync (arangosync state)",
            "collection users"
        ]
    );
    // Nothing of the phase to do: nothing at all, not even the state collection.
    let mut existing = live(
        state(vec![Collection::new("users", CollectionType::Document)]),
        Ownership::default(),
    );
    existing.has_state_collection = false;
    let nothing = diff(
        &state(vec![Collection::new("users", CollectionType::Document)]),
        &existing,
        &options,
    )
    .for_phase(Phase::Post);
    assert!(nothing.changes.is_empty());
}
