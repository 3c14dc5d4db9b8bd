//! Issue-level behaviour of validate / plan / apply on collections,
//! indexes, schemas and graphs.

use serde_json::{json, Value};

use crate::support::{example_features, snapshot_settings, stable, Harness};

/// The users spec of shared/DESIGN.md section 3, verbatim.
const USERS: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
spec:
  type: document            # document (default) | edge
  keyOptions: {type: traditional, allowUserKeys: true}
  waitForSync: false
  cacheEnabled: false
  computedValues: []        # ArangoDB computed values, as the HTTP API takes them
  numberOfShards: 3         # cluster-only properties are accepted and ignored by single servers
  replicationFactor: 2
  indexes:
    - {type: persistent, fields: [last_seen_at]}
    - {type: persistent, fields: [email], unique: true, sparse: true, name: idx_users_email}
    - {type: ttl, fields: [expires_at], expireAfter: 0}
  schema:                   # ArangoDB collection schema; level defaults to strict
    rule:
      properties:
        _key: {type: string, pattern: "^[a-zA-Z0-9_-]+$"}
        email: {type: string}
      required: [email, created_at]
    level: strict
    message: "users document does not match schema"
"#;

fn applied_users() -> Harness {
    let harness = Harness::new();
    harness.write("entities/users.yaml", USERS);
    let run = harness.run(&["apply", "--create-database"]);
    assert_eq!(run.status, 0, "{run:?}");
    harness
}

fn snapshot(name: &str, text: &str, harness: &Harness) {
    snapshot_settings().bind(|| insta::assert_snapshot!(name, stable(text, harness)));
}

#[test]
fn the_design_users_spec_applies_and_reads_back() {
    let harness = Harness::new();
    harness.write("entities/users.yaml", USERS);
    let run = harness.run(&["apply", "--create-database"]);
    assert_eq!(run.status, 0, "{run:?}");
    snapshot("users_first_apply", &run.stdout, &harness);

    let properties = harness.get("/_api/collection/users/properties");
    assert_eq!(properties["type"], 2);
    assert_eq!(properties["waitForSync"], false);
    assert_eq!(properties["cacheEnabled"], false);
    assert_eq!(properties["keyOptions"]["type"], "traditional");
    assert_eq!(properties["keyOptions"]["allowUserKeys"], true);
    assert_eq!(properties["computedValues"], Value::Null);
    assert_eq!(
        properties["schema"],
        json!({
            "message": "users document does not match schema",
            "level": "strict",
            "type": "json",
            "rule": {
                "properties": {"_key": {"type": "string", "pattern": "^[a-zA-Z0-9_-]+$"}, "email": {"type": "string"}},
                "required": ["email", "created_at"]
            }
        })
    );
    let indexes = harness.indexes("users");
    assert_eq!(indexes.len(), 3, "{indexes:?}");
    let by_fields = |field: &str| {
        indexes
            .iter()
            .find(|index| index["fields"] == json!([field]))
            .unwrap_or_else(|| panic!("an index on {field}: {indexes:?}"))
            .clone()
    };
    let email = by_fields("email");
    assert_eq!(
        (
            &email["name"],
            &email["type"],
            &email["unique"],
            &email["sparse"]
        ),
        (
            &json!("idx_users_email"),
            &json!("persistent"),
            &json!(true),
            &json!(true)
        )
    );
    let seen = by_fields("last_seen_at");
    assert_eq!(
        (&seen["type"], &seen["unique"], &seen["sparse"]),
        (&json!("persistent"), &json!(false), &json!(false))
    );
    let ttl = by_fields("expires_at");
    assert_eq!(
        (&ttl["type"], &ttl["expireAfter"]),
        (&json!("ttl"), &json!(0))
    );
}

#[test]
fn a_second_apply_writes_nothing_and_detailed_exitcode_reports_drift() {
    let harness = Harness::new();
    let dir = example_features();
    let dir = dir.to_str().expect("utf-8 path");
    let first = harness.run(&["apply", "--dir", dir, "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");

    harness.reset_stats();
    let second = harness.run(&["apply", "--dir", dir]);
    assert_eq!(second.status, 0, "{second:?}");
    crate::support::assert_example_unchanged(&second.stdout);
    assert_eq!(harness.writes(), 0, "{}", harness.stats());

    let plan = harness.run(&["plan", "--dir", dir, "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    assert_eq!(harness.writes(), 0);

    harness.post("/_api/collection", json!({"name": "unrelated"}));
    let changed = harness.run(&["plan", "--dir", dir, "--detailed-exitcode"]);
    assert_eq!(
        changed.status, 0,
        "objects that are not in the specs are not changes: {changed:?}"
    );
    // Someone changes the database by hand: the plan shows the drift.
    harness.put(
        "/_api/collection/users/properties",
        json!({"waitForSync": true}),
    );
    let drifted = harness.run(&["plan", "--dir", dir, "--detailed-exitcode"]);
    assert_eq!(drifted.status, 2, "{drifted:?}");
    assert!(
        drifted.stdout.contains("waitForSync: true -> false"),
        "{}",
        drifted.stdout
    );
}

#[test]
fn documents_survive_non_destructive_applies() {
    let harness = applied_users();
    for key in ["ada", "grace"] {
        harness.post(
            "/_api/document/users",
            json!({"_key": key, "email": format!("{key}@example.com"), "created_at": "2026-01-01"}),
        );
    }
    let changed = USERS
        .replace("waitForSync: false", "waitForSync: true")
        .replace(
            "{type: persistent, fields: [last_seen_at]}",
            "{type: persistent, fields: [last_seen_at, email]}",
        )
        .replace("level: strict", "level: moderate");
    harness.write("entities/users.yaml", &changed);
    let run = harness.run(&["apply", "--prune"]);
    assert_eq!(run.status, 0, "{run:?}");
    let count = harness.get("/_api/collection/users/count");
    assert_eq!(count["count"], 2);
    assert_eq!(
        harness.get("/_api/document/users/ada")["email"],
        "ada@example.com"
    );
}
