//! Unit tests of the pure diff: one case per kind of change.

use serde_json::{json, Value};

use super::*;
use crate::model::{
    Collection, CollectionType, EdgeDefinition, Graph, Index, IndexOptions, Schema, State,
};

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
        options: IndexOptions::from([
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
        system_analyzers: Default::default(),
        state: Some(state),
        owned,
        has_state_collection: true,
        views: Default::default(),
        analyzers: None,
        pending: Vec::new(),
        server: None,
        document_counts: Default::default(),
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
    index.options.insert("cacheEnabled", json!(true));
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
    // In the order apply runs them: collections before indexes.
    assert_eq!(addresses, vec!["collection old", "index users/mine"]);
    assert!(pruned.changes[0]
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

/// What real ArangoDB servers reported back for index definitions, from the
/// recorded transcripts (tests/fixtures/transcripts/index-readbacks.json).
const INDEX_READBACKS: &str = include_str!("../../tests/fixtures/transcripts/index-readbacks.json");

/// The desired index a spec stating `request` gives (the request body is
/// valid YAML flow syntax), through the spec loader.
fn spec_index(collection: &str, request: &Value) -> Index {
    let text = format!(
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata: {{name: {collection}}}\nspec:\n  indexes:\n    - {request}\n"
    );
    let loaded = crate::spec::load_contents(std::path::Path::new("t.yaml"), text.into_bytes());
    assert!(
        loaded.diagnostics.0.is_empty(),
        "{request}: {:?}",
        loaded.diagnostics
    );
    loaded.state.collections[collection].indexes[0].clone()
}

/// Plans one desired index against one live read-back.
fn plan_index(collection: &str, want: Index, read_back: &Value) -> Vec<Change> {
    let live_index = crate::live::index_from_api(collection, read_back).expect("a user index");
    let mut desired = Collection::new(collection, CollectionType::Document);
    desired.indexes.push(want);
    let mut have = Collection::new(collection, CollectionType::Document);
    have.indexes.push(live_index);
    diff(
        &state(vec![desired]),
        &live(state(vec![have]), Ownership::default()),
        &options(),
    )
    .changes
}

fn readbacks() -> Vec<Value> {
    let file: Value = serde_json::from_str(INDEX_READBACKS).unwrap();
    file["examples"].as_array().unwrap().clone()
}

/// The recorded 3.12.10 answer to creating an inverted index
/// (`RestIndexCreateNewInverted_single`), from the read-back fixtures.
fn inverted_3_12_10_example() -> Value {
    readbacks()
        .into_iter()
        .find(|e| {
            e["example"] == "RestIndexCreateNewInverted_single" && e["transcript"] == "3.12.json"
        })
        .expect("the fixture holds RestIndexCreateNewInverted_single")
}

#[test]
fn recorded_server_read_backs_of_the_same_definition_plan_nothing() {
    let examples = readbacks();
    assert_eq!(examples.len(), 17);
    for example in &examples {
        let collection = example["collection"].as_str().unwrap();
        let want = spec_index(collection, &example["request"]);
        let changes = plan_index(collection, want, &example["readBack"]);
        assert_eq!(changes, vec![], "{}", example["example"]);
    }
}

#[test]
fn the_real_inverted_read_back_matches_string_fields_and_analyzer_fields() {
    // The exact 3.12.10 answer: fields with the analyzer's features added,
    // every tuning default filled in.
    let example = inverted_3_12_10_example();
    let read_back = &example["readBack"];
    assert_eq!(
        read_back["fields"][1],
        json!({"features": ["frequency", "position", "norm"], "analyzer": "text_en", "name": "b"})
    );
    let spec = json!({"type": "inverted", "fields": ["a", {"name": "b", "analyzer": "text_en"}]});
    assert_eq!(
        plan_index("products", spec_index("products", &spec), read_back),
        vec![]
    );
    // Features stated in another order are the same set.
    let spec = json!({"type": "inverted", "fields": ["a", {"name": "b", "analyzer": "text_en", "features": ["norm", "frequency", "position"]}]});
    assert_eq!(
        plan_index("products", spec_index("products", &spec), read_back),
        vec![]
    );
    // Features equal to the index-level ones, which the server leaves out
    // of the field object, are the same field.
    let spec = json!({"type": "inverted", "fields": [{"name": "a", "features": ["norm", "frequency"]}, {"name": "b", "analyzer": "text_en"}]});
    assert_eq!(
        plan_index("products", spec_index("products", &spec), read_back),
        vec![]
    );
    // The index-level analyzer stated on a field is the same field.
    let spec = json!({"type": "inverted", "fields": [{"name": "a", "analyzer": "identity"}, {"name": "b", "analyzer": "text_en"}]});
    assert_eq!(
        plan_index("products", spec_index("products", &spec), read_back),
        vec![]
    );
}

#[test]
fn a_changed_spec_still_shows_against_recorded_read_backs() {
    let changed = |name: &str, transcript: &str, edit: &dyn Fn(&mut Value)| {
        let example = readbacks()
            .into_iter()
            .find(|e| e["example"] == name && e["transcript"] == transcript)
            .unwrap();
        // Named as the live index, so the plan compares the two.
        let mut request = example["request"].clone();
        request["name"] = example["readBack"]["name"].clone();
        edit(&mut request);
        let collection = example["collection"].as_str().unwrap();
        let changes = plan_index(
            collection,
            spec_index(collection, &request),
            &example["readBack"],
        );
        assert_eq!(changes.len(), 1, "{name}: {request}");
        assert_eq!(changes[0].action, Action::Replace, "{name}");
        changes[0]
            .fields
            .iter()
            .map(|f| f.field.clone())
            .collect::<Vec<_>>()
    };
    let inverted = "RestIndexCreateNewInverted_single";
    assert_eq!(
        changed(inverted, "3.12.json", &|r| r["fields"][1]["analyzer"] =
            json!("text_de")),
        ["fields"]
    );
    assert_eq!(
        changed(inverted, "3.12.json", &|r| r["fields"][1]["features"] =
            json!(["frequency", "norm"])),
        ["fields"]
    );
    assert_eq!(
        changed(inverted, "3.12.json", &|r| r["fields"][0] =
            json!({"name": "a", "searchField": true})),
        ["fields"]
    );
    assert_eq!(
        changed(inverted, "3.12.json", &|r| r["fields"][0] =
            json!({"name": "a", "features": ["frequency", "position"]})),
        ["fields"]
    );
    assert_eq!(
        changed(inverted, "3.12.json", &|r| r["fields"][0] = json!("c")),
        ["fields"]
    );
    assert_eq!(
        changed(inverted, "3.12.json", &|r| r["commitIntervalMsec"] =
            json!(2000)),
        ["commitIntervalMsec"]
    );
    assert_eq!(
        changed(inverted, "3.12.json", &|r| r["primarySort"] =
            json!({"fields": [{"field": "a", "direction": "desc"}]})),
        ["primarySort"]
    );
    assert_eq!(
        changed(inverted, "3.12.json", &|r| r["storedValues"] =
            json!([["a"]])),
        ["storedValues"]
    );
    assert_eq!(
        changed("RestIndexCreateNewPersistent_single", "3.12.json", &|r| r
            ["unique"] =
            json!(true)),
        ["unique"]
    );
    assert_eq!(
        changed("ensureTtlIndex_single", "3.12-all.json", &|r| r
            ["expireAfter"] =
            json!(60)),
        ["expireAfter"]
    );
    assert_eq!(
        changed("ensureFulltextIndex_single", "3.12-all.json", &|r| r
            ["minLength"] =
            json!(2)),
        ["minLength"]
    );
    assert_eq!(
        changed("RestIndexCreateGeoLocation_single", "3.12.json", &|r| r
            ["geoJson"] =
            json!(true)),
        ["geoJson"]
    );
    assert_eq!(
        changed("RestIndexCreateNewMdiPrefixed_single", "3.12.json", &|r| {
            r["prefixFields"] = json!(["year"])
        }),
        ["prefixFields"]
    );
}

#[test]
fn inverted_primary_sort_and_stored_values_compare_in_the_server_shape() {
    // ArangoDB reports primarySort fields as {field, asc} and stored values
    // as {fields, compression} (IResearchViewSort / IResearchViewStoredValues
    // toVelocyPack), whichever accepted form was sent.
    let example = inverted_3_12_10_example();
    let mut read_back = example["readBack"].clone();
    read_back["primarySort"] =
        json!({"fields": [{"field": "a", "asc": false}], "compression": "lz4"});
    read_back["storedValues"] = json!([{"fields": ["a", "b"], "compression": "lz4"}]);
    let spec = json!({"type": "inverted", "fields": ["a", {"name": "b", "analyzer": "text_en"}],
        "primarySort": {"fields": [{"field": "a", "direction": "DESC"}]}, "storedValues": [["a", "b"], []]});
    assert_eq!(
        plan_index("products", spec_index("products", &spec), &read_back),
        vec![]
    );
    let spec = json!({"type": "inverted", "fields": ["a", {"name": "b", "analyzer": "text_en"}],
        "primarySort": {"fields": [{"field": "a", "asc": false}], "compression": "lz4"},
        "storedValues": [{"fields": ["a", "b"]}]});
    assert_eq!(
        plan_index("products", spec_index("products", &spec), &read_back),
        vec![]
    );
}

#[test]
fn a_partial_consolidation_policy_compares_by_the_keys_it_states() {
    // ArangoDB completes a stated consolidationPolicy with its version's
    // defaults: 3.12.10 reports type, segmentsBytesMax, maxSkewThreshold
    // and minDeletionRatio (RestIndexCreateNewInverted_single).
    let example = inverted_3_12_10_example();
    let recorded = example["readBack"].clone();
    assert_eq!(
        recorded["consolidationPolicy"],
        json!({"type": "tier", "segmentsBytesMax": 8_589_934_592_u64,
               "maxSkewThreshold": 0.4, "minDeletionRatio": 0.5})
    );
    let with_policy = |policy: Value| {
        // Named as the live index, so a difference is a replace.
        let mut spec = example["request"].clone();
        spec["name"] = example["readBack"]["name"].clone();
        spec["consolidationPolicy"] = policy;
        spec_index("products", &spec)
    };
    // The server stored the stated segmentsBytesMax and filled in the rest.
    let mut read_back = recorded.clone();
    read_back["consolidationPolicy"]["segmentsBytesMax"] = json!(1_000_000_000);
    let partial = json!({"type": "tier", "segmentsBytesMax": 1_000_000_000});
    assert_eq!(
        plan_index("products", with_policy(partial.clone()), &read_back),
        vec![]
    );
    // Stated defaults, numbers by value (8589934592.0 is 8589934592).
    for policy in [
        json!({"segmentsBytesMax": 8_589_934_592.0_f64}),
        json!({"type": "tier", "maxSkewThreshold": 0.4, "minDeletionRatio": 0.5}),
        json!({}),
    ] {
        assert_eq!(
            plan_index("products", with_policy(policy.clone()), &recorded),
            vec![],
            "{policy}"
        );
    }
    // A stated key whose value differs, or that the server does not
    // report, is still a change, and only that option is named.
    for (policy, live) in [
        (partial, &recorded),
        (json!({"minDeletionRatio": 0.6}), &read_back),
        (json!({"type": "tier", "segmentsMin": 1}), &recorded),
    ] {
        let changes = plan_index("products", with_policy(policy.clone()), live);
        assert_eq!(changes.len(), 1, "{policy}");
        assert_eq!(changes[0].action, Action::Replace, "{policy}");
        let named: Vec<&str> = changes[0].fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(named, ["consolidationPolicy"], "{policy}");
    }
}

#[test]
fn cache_flags_the_server_leaves_out_when_off_are_off() {
    // The 3.12.10 read-back of a default inverted index has no `cache` and
    // no `primaryKeyCache`; the server reports them (and a primarySort or
    // storedValues column's `cache`) only when switched on.
    let example = inverted_3_12_10_example();
    let recorded = example["readBack"].clone();
    assert_eq!(recorded.get("cache"), None);
    assert_eq!(recorded.get("primaryKeyCache"), None);
    let mut spec = example["request"].clone();
    spec["name"] = recorded["name"].clone();
    spec["cache"] = json!(false);
    spec["primaryKeyCache"] = json!(false);
    spec["primarySort"] = json!({"fields": [], "cache": false});
    assert_eq!(
        plan_index("products", spec_index("products", &spec), &recorded),
        vec![]
    );
    spec["primarySort"] = json!({"fields": [], "cache": true});
    let changes = plan_index("products", spec_index("products", &spec), &recorded);
    assert_eq!(changes.len(), 1);
    let named: Vec<&str> = changes[0].fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(named, ["primarySort"]);
    spec["primarySort"] = json!({"fields": []});
    spec["cache"] = json!(true);
    let changes = plan_index("products", spec_index("products", &spec), &recorded);
    assert_eq!(changes.len(), 1);
    let named: Vec<&str> = changes[0].fields.iter().map(|f| f.field.as_str()).collect();
    // The fields inherit the index-level `cache`, so they differ too.
    assert_eq!(named, ["fields", "cache"]);
}

/// Collection properties real servers reported back, from the recorded
/// transcripts (tests/fixtures/transcripts/collection-readbacks.json).
const COLLECTION_READBACKS: &str =
    include_str!("../../tests/fixtures/transcripts/collection-readbacks.json");

fn spec_collection(name: &str, spec: &Value) -> Collection {
    let text = format!(
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata: {{name: {name}}}\nspec: {spec}\n"
    );
    let loaded = crate::spec::load_contents(std::path::Path::new("t.yaml"), text.into_bytes());
    assert!(
        loaded.diagnostics.0.is_empty(),
        "{spec}: {:?}",
        loaded.diagnostics
    );
    loaded.state.collections[name].clone()
}

fn plan_collection(want: Collection, read_back: &Value) -> Vec<Change> {
    let have = crate::live::collection_from_api(read_back, &[], false).expect("a collection");
    diff(
        &state(vec![want]),
        &live(state(vec![have]), Ownership::default()),
        &options(),
    )
    .changes
}

#[test]
fn recorded_collection_read_backs_of_the_same_properties_plan_nothing() {
    let file: Value = serde_json::from_str(COLLECTION_READBACKS).unwrap();
    let examples = file["examples"].as_array().unwrap();
    assert_eq!(examples.len(), 6);
    for example in examples {
        let read_back = &example["readBack"];
        let name = read_back["name"].as_str().unwrap();
        let want = spec_collection(name, &example["spec"]);
        assert_eq!(
            plan_collection(want, read_back),
            vec![],
            "{}",
            example["example"]
        );
        // A changed property still shows.
        let mut changed = example["spec"].clone();
        changed["waitForSync"] = json!(!read_back["waitForSync"].as_bool().unwrap());
        let changes = plan_collection(spec_collection(name, &changed), read_back);
        assert_eq!(changes.len(), 1, "{}", example["example"]);
    }
}

#[test]
fn ownership_contains_what_its_records_name() {
    use crate::ownership::Owned;
    let ownership = Ownership {
        collections: ["users".to_string()].into(),
        indexes: [("users".to_string(), "by_email".to_string())].into(),
        graphs: ["social".to_string()].into(),
        analyzers: ["text_en".to_string()].into(),
        views: ["search".to_string()].into(),
    };
    for owned in [
        Owned::Collection("users".into()),
        Owned::Index {
            collection: "users".into(),
            name: "by_email".into(),
        },
        Owned::Graph("social".into()),
        Owned::Analyzer("text_en".into()),
        Owned::View("search".into()),
    ] {
        assert!(ownership.contains(&owned), "{owned:?}");
    }
    for other in [
        Owned::Collection("social".into()),
        Owned::Index {
            collection: "other".into(),
            name: "by_email".into(),
        },
        Owned::View("users".into()),
    ] {
        assert!(!ownership.contains(&other), "{other:?}");
    }
}
