//! The analyzer and view rows of the version table, and the versions a
//! target may name: `validate --target-version` refuses what the target
//! cannot hold at the spec's `file:line:col`, the online plan blocks it
//! before any write, and a target arangosync does not support is refused.

use arangodb_emulator::{Profile, Version};

use crate::support::Harness;

fn profile(version: &str) -> Profile {
    Profile {
        version: version.parse::<Version>().expect("version"),
        ..Profile::default()
    }
}

const WILDCARD: &str = "apiVersion: db.feature-store/v1alpha1
kind: ArangoAnalyzer
metadata:
  name: pattern
spec:
  type: wildcard
  properties: {ngramSize: 3}
";

const MULTI_DELIMITER: &str = "apiVersion: db.feature-store/v1alpha1
kind: ArangoAnalyzer
metadata:
  name: codes
spec:
  type: multi_delimiter
  properties: {delimiters: [',', ';']}
";

const VIEW: &str = "apiVersion: db.feature-store/v1alpha1
kind: ArangoView
metadata:
  name: catalog
spec:
  type: arangosearch
  optimizeTopK: ['BM25(@doc) DESC']
";

const INVERTED: &str = "apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: products
spec:
  indexes:
    - type: inverted
      name: bySearch
      fields: [title]
      optimizeTopK: ['BM25(@doc) DESC']
";

fn write_3_12_features(harness: &Harness) {
    harness.write(
        "analyzers.yaml",
        &format!("{WILDCARD}---\n{MULTI_DELIMITER}"),
    );
    harness.write("views.yaml", VIEW);
    harness.write("products.yaml", INVERTED);
}

#[test]
fn validate_for_3_11_refuses_the_3_12_analyzer_types_and_optimize_top_k() {
    let harness = Harness::new();
    write_3_12_features(&harness);
    let run = harness.run(&["validate", "--target-version", "3.11"]);
    assert_eq!(run.status, 3, "{run:?}");
    assert_eq!(run.stdout, "");
    assert_eq!(
        crate::support::stable(&run.stderr, &harness),
        "[specs]/analyzers.yaml:6:9: error[version-unsupported]: analyzer `pattern`: analyzer type `wildcard` needs ArangoDB 3.12.0 or later; the target is 3.11.0
  hint: leave it out of the spec, or target a newer server than 3.11.0
[specs]/analyzers.yaml:14:9: error[version-unsupported]: analyzer `codes`: analyzer type `multi_delimiter` needs ArangoDB 3.12.0 or later; the target is 3.11.0
  hint: leave it out of the spec, or target a newer server than 3.11.0
[specs]/products.yaml:10:21: error[version-unsupported]: index `bySearch` of collection `products`: inverted index `optimizeTopK` needs ArangoDB 3.12.0 or later; the target is 3.11.0
  hint: leave it out of the spec, or target a newer server than 3.11.0
[specs]/views.yaml:7:17: error[version-unsupported]: view `catalog`: view property `optimizeTopK` needs ArangoDB 3.12.0 or later; the target is 3.11.0
  hint: leave it out of the spec, or target a newer server than 3.11.0
4 error(s), 0 warning(s)
error: [specs] has 4 error(s); nothing was changed
"
    );
    let new = harness.run(&["validate", "--target-version", "3.12"]);
    assert_eq!(new.status, 0, "{new:?}");
    assert_eq!(new.stderr, "", "{new:?}");
}

#[test]
fn a_3_11_server_blocks_them_before_any_write() {
    let harness = Harness::with_profile(profile("3.11.14"));
    harness.write("analyzers.yaml", WILDCARD);
    harness.write("views.yaml", VIEW);
    harness.create_database();
    let plan = harness.run(&["plan"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    for blocked in [
        "BLOCKED: analyzer type `wildcard` needs ArangoDB 3.12.0 or later; the server is 3.11.14\n",
        "BLOCKED: view property `optimizeTopK` needs ArangoDB 3.12.0 or later; the server is 3.11.14\n",
    ] {
        assert!(plan.stdout.contains(blocked), "{}", plan.stdout);
    }
    harness.reset_stats();
    let apply = harness.run(&["apply"]);
    assert_eq!(apply.status, 1, "{apply:?}");
    assert!(apply.stderr.contains("refusing to apply"), "{apply:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    assert_eq!(harness.get_status("/_api/analyzer/pattern"), 404);
    assert_eq!(harness.get_status("/_api/view/catalog"), 404);
    // 3.12 holds both.
    let new = Harness::with_profile(profile("3.12.0"));
    new.write("analyzers.yaml", WILDCARD);
    new.write("views.yaml", VIEW);
    let apply = new.run(&["apply", "--create-database"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    assert_eq!(new.get("/_api/analyzer/pattern")["type"], "wildcard");
    assert_eq!(
        new.get("/_api/view/catalog/properties")["optimizeTopK"],
        serde_json::json!(["BM25(@doc) DESC"])
    );
}

#[test]
fn targets_arangosync_does_not_support_are_refused() {
    let harness = Harness::new();
    harness.write("analyzers.yaml", WILDCARD);
    for version in ["3.9", "3.10.14", "3.13", "5.0"] {
        let run = harness.run(&["validate", "--target-version", version]);
        assert_eq!(run.status, 3, "{version}: {run:?}");
        assert!(
            run.stderr.contains(
                "is not a version arangosync supports: the supported servers are 3.11, 3.12.x \
                 and 4.x"
            ),
            "{version}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("--target-version"), "{}", run.stderr);
    }
    for version in ["3.11.0", "3.12.10", "4.0"] {
        let run = harness.run(&["validate", "--target-version", version]);
        assert_ne!(run.status, 2, "{version}: {run:?}");
        assert!(
            !run.stderr.contains("not a version arangosync supports"),
            "{run:?}"
        );
    }
    assert_eq!(harness.stats()["total"], 0, "validate never connects");
}

const TWO_INDEXES: &str = "apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
spec:
  indexes:
    - type: persistent
      fields: [email]
      name: byEmail
    - type: persistent
      fields: [age]
      name: byAge
";

const ONE_INDEX: &str = "apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
spec:
  indexes:
    - type: persistent
      fields: [email]
      name: byEmail
";

/// `plan --offline-from BASE --prune` shows the indexes BASE has and the PR
/// dropped, like every other kind: the base's indexes have no server id,
/// and the plan addresses them by `collection/name`.
#[test]
fn an_offline_prune_plan_shows_index_deletes() {
    let harness = Harness::new();
    let base = tempfile::tempdir().expect("base dir");
    std::fs::write(base.path().join("users.yaml"), TWO_INDEXES).expect("write base");
    let base_dir = base.path().to_str().expect("utf-8");
    harness.write("users.yaml", ONE_INDEX);
    let plan = |extra: &[&str]| {
        let mut args = vec!["plan", "--offline-from", base_dir, "--format", "json"];
        args.extend_from_slice(extra);
        let run = harness.run(&args);
        assert_eq!(run.status, 0, "{run:?}");
        let parsed: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON plan");
        parsed["changes"].as_array().expect("changes").clone()
    };
    assert_eq!(plan(&[]), Vec::<serde_json::Value>::new());
    let pruned = plan(&["--prune"]);
    assert_eq!(pruned.len(), 1, "{pruned:?}");
    assert_eq!(pruned[0]["action"], "delete");
    assert_eq!(
        pruned[0]["address"],
        serde_json::json!({"kind": "index", "collection": "users", "name": "byAge"}),
        "{pruned:?}"
    );
    assert_eq!(
        pruned[0]["steps"],
        serde_json::json!([{"op": "dropIndex", "collection": "users", "id": "users/byAge", "name": "byAge"}]),
        "{pruned:?}"
    );
    let text = harness.run(&["plan", "--offline-from", base_dir, "--prune"]);
    assert_eq!(text.status, 0, "{text:?}");
    assert!(text.stdout.contains("byAge"), "{}", text.stdout);
    assert_eq!(
        harness.stats()["total"],
        0,
        "an offline plan never connects"
    );
}
