//! Renames (`metadata.renamedFrom`): a collection is renamed in place on a
//! single server (documents, indexes, graph membership and ownership
//! follow), blocked on a cluster coordinator, blocked when both names
//! exist or the old one is not arangosync's; a graph is created under its
//! new name and the old one dropped; once done the field is a no-op.

use arangodb_emulator::{Profile, Role};
use serde_json::{json, Value};

use crate::support::{snapshot_settings, stable, Harness};

fn collection(name: &str, renamed_from: Option<&str>, spec: &str) -> String {
    let renamed = renamed_from
        .map(|old| format!("  renamedFrom: {old}\n"))
        .unwrap_or_default();
    format!(
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: {name}\n{renamed}spec:\n{spec}---\n"
    )
}

fn graph(name: &str, renamed_from: Option<&str>, vertices: &str) -> String {
    let renamed = renamed_from
        .map(|old| format!("  renamedFrom: {old}\n"))
        .unwrap_or_default();
    format!(
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoGraph\nmetadata:\n  name: {name}\n{renamed}spec:\n  edgeDefinitions:\n    - {{collection: knows, from: [{vertices}], to: [{vertices}]}}\n---\n"
    )
}

const INDEX: &str = "  indexes:\n    - {type: persistent, fields: [email], name: idx_email}\n";

/// `people` (with an index), the edge collection `knows`, the graph `net`
/// over them, and `scratch`; with `renamed`, `people` is `members`.
fn specs(harness: &Harness, renamed: bool, scratch: bool) {
    let mut text = if renamed {
        collection("members", Some("people"), INDEX)
    } else {
        collection("people", None, INDEX)
    };
    text.push_str(&collection("knows", None, "  type: edge\n"));
    if scratch {
        text.push_str(&collection("scratch", None, "  waitForSync: false\n"));
    }
    let vertices = if renamed { "members" } else { "people" };
    text.push_str(&graph("net", None, vertices));
    text.push_str(&format!(
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoView\nmetadata:\n  name: people_search\nspec:\n  type: arangosearch\n  links:\n    {vertices}:\n      fields:\n        email: {{analyzers: [identity]}}\n"
    ));
    harness.write("specs.yaml", &text);
}

fn keys(harness: &Harness, collection: &str) -> Vec<Value> {
    let body = harness.post(
        "/_api/cursor",
        json!({"query": format!("FOR d IN {collection} SORT d._key RETURN d")}),
    );
    body["result"]
        .as_array()
        .expect("result")
        .iter()
        .map(|document| json!([document["_id"], document["email"]]))
        .collect()
}

#[test]
fn a_collection_holding_documents_is_renamed_in_place_and_ownership_follows() {
    let harness = Harness::new();
    specs(&harness, false, true);
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    harness.post(
        "/_api/document/people",
        json!({"_key": "a", "email": "a@x"}),
    );
    harness.post(
        "/_api/document/people",
        json!({"_key": "b", "email": "b@x"}),
    );
    harness.post(
        "/_api/document/knows",
        json!({"_from": "people/a", "_to": "people/b"}),
    );

    specs(&harness, true, false);
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 2, "{plan:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("rename_collection_plan", stable(&plan.stdout, &harness));
    });
    // The JSON plan carries the exact steps: the rename, then the
    // ownership records moved to the new name.
    let json_plan = harness.run(&["plan", "--format", "json"]);
    let parsed: Value = serde_json::from_str(&json_plan.stdout).expect("json plan");
    let ops: Vec<Value> = parsed["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .flat_map(|change| change["steps"].as_array().expect("steps").clone())
        .map(|step| step["op"].clone())
        .collect();
    assert_eq!(
        ops,
        [
            json!("renameCollection"),
            json!("confirmOwnership"),
            json!("forgetIntents")
        ]
    );
    let apply = harness.run(&["apply"]);
    assert_eq!(apply.status, 0, "{apply:?}");

    // The documents are there under the new name; the old name is gone.
    assert_eq!(
        keys(&harness, "members"),
        vec![json!(["members/a", "a@x"]), json!(["members/b", "b@x"])]
    );
    assert_eq!(harness.get_status("/_api/collection/people"), 404);
    let indexes = harness.indexes("members");
    assert_eq!(
        indexes
            .iter()
            .map(|index| index["name"].clone())
            .collect::<Vec<_>>(),
        vec![json!("idx_email")]
    );
    // The server renamed the graph's vertex collection along.
    let net = harness.get("/_api/gharial/net");
    assert_eq!(
        net["graph"]["edgeDefinitions"],
        json!([{"collection": "knows", "from": ["members"], "to": ["members"]}])
    );

    // ArangoDB does not rewrite documents: the edge still names `people`,
    // as the plan warned.
    let edges = harness.post("/_api/cursor", json!({"query": "FOR e IN knows RETURN e"}));
    let edges: Vec<Value> = edges["result"]
        .as_array()
        .expect("result")
        .iter()
        .map(|edge| json!([edge["_from"], edge["_to"]]))
        .collect();
    assert_eq!(edges, vec![json!(["people/a", "people/b"])]);
    assert!(
        plan.stdout
            .contains("edges in knows (graph edge definitions point them at it)"),
        "{}",
        plan.stdout
    );
    // The note gives one query per edge collection and side (the
    // emulator runs no UPDATE queries; the snapshot holds their text).
    let queries: Vec<&str> = plan
        .stdout
        .split('`')
        .filter(|part| part.starts_with("FOR e IN "))
        .collect();
    assert_eq!(
        queries,
        [
            "FOR e IN knows FILTER STARTS_WITH(e._from, 'people/') UPDATE e WITH {_from: CONCAT('members/', SUBSTRING(e._from, 7))} IN knows",
            "FOR e IN knows FILTER STARTS_WITH(e._to, 'people/') UPDATE e WITH {_to: CONCAT('members/', SUBSTRING(e._to, 7))} IN knows",
        ]
    );

    // ... and the view's link.
    let view = harness.get("/_api/view/people_search/properties");
    assert_eq!(
        view["links"]
            .as_object()
            .map(|links| links.keys().collect::<Vec<_>>()),
        Some(vec![&"members".to_string()])
    );

    // Converged: nothing to do, and a note that the field can go.
    let second = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(second.status, 0, "{second:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("rename_collection_done", stable(&second.stdout, &harness));
    });

    // A prune of something else (scratch) leaves the renamed collection
    // and its index alone.
    let prune = harness.run(&["apply", "--prune", "--allow-destructive"]);
    assert_eq!(prune.status, 0, "{prune:?}");
    assert_eq!(harness.get_status("/_api/collection/scratch"), 404);
    assert_eq!(keys(&harness, "members").len(), 2);
    assert_eq!(harness.indexes("members").len(), 1);

    // Ownership followed: the index, now out of the specs, is arangosync's
    // to prune under the new collection name.
    let written = std::fs::read_to_string(harness.specs().join("specs.yaml")).expect("specs");
    let view = written.split("---\n").last().expect("the view spec");
    harness.write(
        "specs.yaml",
        &(collection("members", Some("people"), "  waitForSync: false\n")
            + &collection("knows", None, "  type: edge\n")
            + &graph("net", None, "members")
            + view),
    );
    let drop_index = harness.run(&["apply", "--prune"]);
    assert_eq!(drop_index.status, 0, "{drop_index:?}");
    assert!(harness.indexes("members").is_empty());
    assert_eq!(keys(&harness, "members").len(), 2);
}

#[test]
fn on_a_cluster_coordinator_a_collection_rename_is_blocked() {
    let harness = Harness::with_profile(Profile {
        role: Role::Coordinator,
        ..crate::support::example_profile()
    });
    harness.write("specs.yaml", &collection("people", None, INDEX));
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    harness.write("specs.yaml", &collection("members", Some("people"), INDEX));
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("rename_cluster_blocked", stable(&plan.stdout, &harness));
    });
    harness.reset_stats();
    let apply = harness.run(&["apply"]);
    assert_ne!(apply.status, 0, "{apply:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    assert_eq!(harness.get_status("/_api/collection/people"), 200);
    assert_eq!(harness.get_status("/_api/collection/members"), 404);
}

#[test]
fn a_graph_is_created_under_its_new_name_and_the_old_one_dropped() {
    let harness = Harness::new();
    let v1 = collection("people", None, "  waitForSync: false\n")
        + &collection("knows", None, "  type: edge\n")
        + &graph("net", None, "people");
    harness.write("specs.yaml", &v1);
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    harness.post(
        "/_api/document/people",
        json!({"_key": "a", "email": "a@x"}),
    );

    let v2 = collection("people", None, "  waitForSync: false\n")
        + &collection("knows", None, "  type: edge\n")
        + &graph("network", Some("net"), "people");
    harness.write("specs.yaml", &v2);
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 2, "{plan:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("rename_graph_plan", stable(&plan.stdout, &harness));
    });
    let apply = harness.run(&["apply"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    assert_eq!(harness.get_status("/_api/gharial/net"), 404);
    let network = harness.get("/_api/gharial/network");
    assert_eq!(
        network["graph"]["edgeDefinitions"],
        json!([{"collection": "knows", "from": ["people"], "to": ["people"]}])
    );
    assert_eq!(keys(&harness, "people").len(), 1);

    let second = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(second.status, 0, "{second:?}");
    assert!(
        second
            .stdout
            .contains("graph network: already renamed from net"),
        "{second:?}"
    );
    // The new graph is owned: pruned once it leaves the specs.
    harness.write(
        "specs.yaml",
        &(collection("people", None, "  waitForSync: false\n")
            + &collection("knows", None, "  type: edge\n")),
    );
    let prune = harness.run(&["apply", "--prune"]);
    assert_eq!(prune.status, 0, "{prune:?}");
    assert_eq!(harness.get_status("/_api/gharial/network"), 404);
}

#[test]
fn both_names_existing_or_an_old_name_arangosync_did_not_create_is_blocked() {
    let harness = Harness::new();
    harness.write(
        "specs.yaml",
        &(collection("people", None, "  waitForSync: false\n")
            + &collection("members", None, "  waitForSync: false\n")),
    );
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    harness.post("/_api/collection", json!({"name": "legacy"}));
    harness.write(
        "specs.yaml",
        &(collection("members", Some("people"), "  waitForSync: false\n")
            + &collection("modern", Some("legacy"), "  waitForSync: false\n")),
    );
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("rename_blocked", stable(&plan.stdout, &harness));
    });
    harness.reset_stats();
    let apply = harness.run(&["apply"]);
    assert_ne!(apply.status, 0, "{apply:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
}

#[test]
fn renamed_from_on_another_kind_is_invalid_input_at_the_field() {
    let harness = Harness::new();
    harness.write(
        "a.yaml",
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoAnalyzer\nmetadata:\n  name: words\n  renamedFrom: old_words\nspec:\n  type: identity\n",
    );
    let run = harness.run(&["plan"]);
    assert_eq!(run.status, 3, "{run:?}");
    assert!(
        run.stderr.contains("a.yaml:5:16: error[unsupported-field]: `metadata.renamedFrom` is not supported for kind ArangoAnalyzer"),
        "{run:?}"
    );
}
