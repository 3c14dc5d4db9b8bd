//! One test per kind of change: the plan as text and JSON (snapshots), the
//! exit statuses, and the database state after apply.

use serde_json::{json, Value};

use crate::support::{snapshot_settings, stable, Harness};

const USERS: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
spec:
  indexes:
    - {type: persistent, fields: [last_seen_at]}
    - {type: persistent, fields: [email], unique: true, sparse: true, name: idx_users_email}
  schema:
    rule:
      properties:
        email: {type: string}
      required: [email]
    message: "users need an email"
"#;

const GRAPH: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: products
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: viewed_edge
spec:
  type: edge
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoGraph
metadata:
  name: interactions
spec:
  edgeDefinitions:
    - {collection: viewed_edge, from: [users], to: [products]}
"#;

/// Applies `before`, writes `after`, snapshots `plan` in text and JSON
/// (`plan --detailed-exitcode` must exit 2, or 1 when a change is
/// blocked: apply would refuse the plan), then applies with `flags` and
/// returns the harness and the apply run.
fn scenario(
    name: &str,
    before: &[(&str, &str)],
    after: &[(&str, &str)],
    flags: &[&str],
) -> (Harness, crate::support::Run) {
    let harness = Harness::new();
    for (file, content) in before {
        harness.write(file, content);
    }
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    for (file, content) in after {
        if content.is_empty() {
            harness.remove(file);
        } else {
            harness.write(file, content);
        }
    }
    let mut plan_args = vec!["plan", "--detailed-exitcode"];
    plan_args.extend_from_slice(flags);
    let text = harness.run(&plan_args);
    let mut json_args = plan_args.clone();
    json_args.extend_from_slice(&["--format", "json"]);
    let json_plan = harness.run(&json_args);
    let parsed: Value = serde_json::from_str(&json_plan.stdout).expect("the JSON plan parses");
    let blocked = parsed["summary"]["blocked"]
        .as_u64()
        .expect("a blocked count");
    let expected = if blocked > 0 { 1 } else { 2 };
    assert_eq!(text.status, expected, "{text:?}");
    assert_eq!(json_plan.status, expected, "{json_plan:?}");
    assert_eq!(
        text.stderr.contains("apply would refuse it"),
        blocked > 0,
        "{text:?}"
    );
    assert_eq!(parsed["formatVersion"], 2);
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(format!("{name}_plan"), stable(&text.stdout, &harness));
        insta::assert_snapshot!(
            format!("{name}_plan_json"),
            stable(&json_plan.stdout, &harness)
        );
    });
    harness.reset_stats();
    let mut apply_args = vec!["apply"];
    apply_args.extend_from_slice(flags);
    let applied = harness.run(&apply_args);
    // Whatever happened, a fresh plan after a successful apply is empty.
    if applied.status == 0 {
        let again = harness.run(&plan_args);
        assert_eq!(again.status, 0, "plan after apply: {again:?}");
    }
    (harness, applied)
}

fn index_named(harness: &Harness, collection: &str, name: &str) -> Option<Value> {
    harness
        .indexes(collection)
        .into_iter()
        .find(|index| index["name"] == name)
}

#[test]
fn add_index() {
    let after = USERS.replace(
        "  schema:",
        "    - {type: persistent, fields: [country, city], name: idx_users_place}\n  schema:",
    );
    let (harness, run) = scenario(
        "add_index",
        &[("users.yaml", USERS)],
        &[("users.yaml", &after)],
        &[],
    );
    assert_eq!(run.status, 0, "{run:?}");
    let index = index_named(&harness, "users", "idx_users_place").expect("created");
    assert_eq!(index["fields"], json!(["country", "city"]));
}

#[test]
fn alter_index() {
    let after = USERS.replace("unique: true, sparse: true", "unique: true, sparse: false");
    let (harness, run) = scenario(
        "alter_index",
        &[("users.yaml", USERS)],
        &[("users.yaml", &after)],
        &[],
    );
    assert_eq!(run.status, 0, "{run:?}");
    let index = index_named(&harness, "users", "idx_users_email").expect("still there");
    assert_eq!(index["sparse"], false);
    assert_eq!(harness.indexes("users").len(), 2);
}

#[test]
fn remove_index_needs_prune() {
    let after = USERS.replace("    - {type: persistent, fields: [last_seen_at]}\n", "");
    let harness = Harness::new();
    harness.write("users.yaml", USERS);
    assert_eq!(harness.run(&["apply", "--create-database"]).status, 0);
    harness.write("users.yaml", &after);
    let without = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(
        without.status, 0,
        "without --prune nothing is dropped: {without:?}"
    );
    drop(harness);

    let (harness, run) = scenario(
        "remove_index",
        &[("users.yaml", USERS)],
        &[("users.yaml", &after)],
        &["--prune"],
    );
    assert_eq!(run.status, 0, "{run:?}");
    let names: Vec<Value> = harness
        .indexes("users")
        .iter()
        .map(|index| index["fields"].clone())
        .collect();
    assert_eq!(names, vec![json!(["email"])]);
}

#[test]
fn add_schema() {
    let before = USERS.split("  schema:").next().expect("head").to_string();
    let (harness, run) = scenario(
        "add_schema",
        &[("users.yaml", &before)],
        &[("users.yaml", USERS)],
        &[],
    );
    assert_eq!(run.status, 0, "{run:?}");
    let schema = &harness.get("/_api/collection/users/properties")["schema"];
    assert_eq!(
        (&schema["level"], &schema["message"]),
        (&json!("strict"), &json!("users need an email"))
    );
}

#[test]
fn alter_schema() {
    let after = USERS.replace(
        "required: [email]",
        "required: [email, name]\n    level: moderate",
    );
    let (harness, run) = scenario(
        "alter_schema",
        &[("users.yaml", USERS)],
        &[("users.yaml", &after)],
        &[],
    );
    assert_eq!(run.status, 0, "{run:?}");
    let schema = &harness.get("/_api/collection/users/properties")["schema"];
    assert_eq!(schema["rule"]["required"], json!(["email", "name"]));
    assert_eq!(schema["level"], "moderate");
}

#[test]
fn remove_schema() {
    let after = USERS.split("  schema:").next().expect("head").to_string();
    let (harness, run) = scenario(
        "remove_schema",
        &[("users.yaml", USERS)],
        &[("users.yaml", &after)],
        &[],
    );
    assert_eq!(run.status, 0, "{run:?}");
    assert_eq!(
        harness.get("/_api/collection/users/properties")["schema"],
        Value::Null
    );
}

#[test]
fn mutable_property_change() {
    let after = USERS.replace(
        "spec:\n",
        "spec:\n  waitForSync: true\n  cacheEnabled: true\n",
    );
    let (harness, run) = scenario(
        "mutable_property",
        &[("users.yaml", USERS)],
        &[("users.yaml", &after)],
        &[],
    );
    assert_eq!(run.status, 0, "{run:?}");
    let properties = harness.get("/_api/collection/users/properties");
    assert_eq!(
        (&properties["waitForSync"], &properties["cacheEnabled"]),
        (&json!(true), &json!(true))
    );
    assert_eq!(
        harness.writes(),
        3,
        "the apply lock (taken, released) and one PUT of the properties: {}",
        harness.stats()
    );
}

#[test]
fn immutable_property_change_is_refused_without_allow_destructive() {
    let after = USERS.replace(
        "spec:\n",
        "spec:\n  keyOptions: {type: autoincrement, increment: 10}\n",
    );
    let (harness, run) = scenario(
        "immutable_property",
        &[("users.yaml", USERS)],
        &[("users.yaml", &after)],
        &[],
    );
    assert_eq!(run.status, 1, "{run:?}");
    assert!(run.stderr.contains("refusing to apply"), "{}", run.stderr);
    assert_eq!(
        harness.writes(),
        0,
        "a refused plan writes nothing: {}",
        harness.stats()
    );
    harness.post(
        "/_api/document/users",
        json!({"_key": "doomed", "email": "x@y"}),
    );

    let allowed = harness.run(&["apply", "--allow-destructive"]);
    assert_eq!(allowed.status, 0, "{allowed:?}");
    let properties = harness.get("/_api/collection/users/properties");
    assert_eq!(properties["keyOptions"]["type"], "autoincrement");
    assert_eq!(harness.get("/_api/collection/users/count")["count"], 0);
    assert_eq!(
        harness.indexes("users").len(),
        2,
        "indexes are created again"
    );
}

#[test]
fn new_graph() {
    let (harness, run) = scenario(
        "new_graph",
        &[("users.yaml", USERS)],
        &[("users.yaml", USERS), ("graph.yaml", GRAPH)],
        &[],
    );
    assert_eq!(run.status, 0, "{run:?}");
    let graph = harness.get("/_api/gharial/interactions");
    assert_eq!(
        graph["graph"]["edgeDefinitions"],
        json!([{"collection": "viewed_edge", "from": ["users"], "to": ["products"]}])
    );
    assert_eq!(harness.get("/_api/collection/viewed_edge")["type"], 3);
}

#[test]
fn graph_edge_definition_change() {
    let after = GRAPH.replace("to: [products]", "to: [products, users]");
    let (harness, run) = scenario(
        "graph_edge_definition",
        &[("users.yaml", USERS), ("graph.yaml", GRAPH)],
        &[("graph.yaml", &after)],
        &[],
    );
    assert_eq!(run.status, 0, "{run:?}");
    let graph = harness.get("/_api/gharial/interactions");
    assert_eq!(
        graph["graph"]["edgeDefinitions"][0]["to"],
        json!(["products", "users"])
    );
}
