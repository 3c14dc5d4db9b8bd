//! Issue 13 review fixes to saved plans, renames, targets and the
//! command line: a saved rename fingerprints the old collection, bad
//! `renamedFrom` values are invalid input, `--target` syntax is checked
//! before connecting, and `apply --plan` records `--revision`.

use crate::support::{snapshot_settings, stable, Harness};

fn collection(name: &str, renamed_from: Option<&str>, spec: &str) -> String {
    let renamed = renamed_from
        .map(|old| format!("  renamedFrom: {old}\n"))
        .unwrap_or_default();
    format!(
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: {name}\n{renamed}spec:\n{spec}---\n"
    )
}

const INDEX: &str = "  indexes:\n    - {type: persistent, fields: [email], name: idx_email}\n";

#[test]
fn a_saved_rename_is_refused_when_the_old_collection_lost_an_index_since() {
    let harness = Harness::new();
    harness.write("specs.yaml", &collection("people", None, INDEX));
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    harness.write("specs.yaml", &collection("members", Some("people"), INDEX));
    let out = tempfile::tempdir().expect("temp dir");
    let file = out.path().join("plan.json").display().to_string();
    let plan = harness.run(&["plan", "--detailed-exitcode", "--out", &file]);
    assert_eq!(plan.status, 2, "{plan:?}");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("plan file")).expect("json");
    assert!(
        saved["dependencies"]["collection people"]
            .as_str()
            .is_some_and(|print| print.starts_with("sha256:")),
        "{saved}"
    );
    let indexes = harness.get("/_api/index?collection=people");
    let id = indexes["indexes"]
        .as_array()
        .expect("indexes")
        .iter()
        .find(|index| index["name"] == "idx_email")
        .expect("idx_email")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let (status, _) = harness.api(
        reqwest::Method::DELETE,
        &format!("/_db/features/_api/index/{id}"),
        None,
    );
    assert_eq!(status, 200);
    harness.reset_stats();
    let refused = harness.run(&["apply", "--plan", &file]);
    assert_eq!(refused.status, 1, "{refused:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    assert_eq!(harness.get_status("/_api/collection/people"), 200);
    assert_eq!(harness.get_status("/_api/collection/members"), 404);
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "saved_rename_old_collection_changed",
            stable(&refused.stderr, &harness).replace(&file, "[plan.json]")
        );
    });
    // Without the change by hand the same saved plan renames.
    harness.run(&["plan", "--out", &file]);
    let applied = harness.run(&["apply", "--plan", &file]);
    assert_eq!(applied.status, 0, "{applied:?}");
    assert_eq!(harness.get_status("/_api/collection/people"), 404);
    assert_eq!(harness.get_status("/_api/collection/members"), 200);
}

#[test]
fn a_rename_from_a_declared_name_a_swap_or_an_invalid_name_is_invalid_input() {
    let harness = Harness::new();
    harness.write(
        "a.yaml",
        &(collection("a", Some("b"), "  waitForSync: false\n")
            + &collection("b", Some("a"), "  waitForSync: false\n")),
    );
    harness.write(
        "c.yaml",
        &(collection("c", None, "  waitForSync: false\n")
            + &collection("d", Some("c"), "  waitForSync: false\n")
            + &collection("e", Some("_sys"), "  waitForSync: false\n")),
    );
    let run = harness.run(&["validate"]);
    assert_eq!(run.status, 3, "{run:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("rename_invalid_input", stable(&run.stderr, &harness));
    });
    harness.reset_stats();
    let plan = harness.run(&["apply", "--create-database"]);
    assert_eq!(plan.status, 3, "{plan:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
}

#[test]
fn a_malformed_target_is_invalid_input_before_connecting() {
    let harness = Harness::new();
    harness.write("specs.yaml", &collection("people", None, INDEX));
    // Nothing listens on port 9 of localhost: a run that connected first
    // would wait the full minute and exit 1.
    let started = std::time::Instant::now();
    for command in ["plan", "apply"] {
        let run = harness.run_with_env(
            "root",
            crate::support::ROOT_PASSWORD,
            &[
                ("ARANGO_HOST", "http://127.0.0.1:9"),
                ("ARANGOSYNC_WAIT_TIMEOUT", "60"),
            ],
            &[
                command,
                "--target",
                "bogus",
                "--target",
                "collection/people",
            ],
        );
        assert_eq!(run.status, 3, "{run:?}");
        assert_eq!(run.stdout, "", "{run:?}");
        snapshot_settings().bind(|| {
            insta::assert_snapshot!(
                format!("target_syntax_before_connecting_{command}"),
                stable(&run.stderr, &harness)
            );
        });
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

const FEATURE: &str = "-- Feature: people_count\n-- Version: 1\n-- Description: Counts people.\n-- Owner: ml@example.com\nFOR p IN people\n  FILTER p._key == @key\n  RETURN {key: p._key}\n";

#[test]
fn apply_of_a_saved_plan_records_the_revision_it_is_given() {
    let harness = Harness::new();
    harness.write("specs.yaml", &collection("people", None, INDEX));
    harness.write("transformations/people_count_v1.aql", FEATURE);
    let out = tempfile::tempdir().expect("temp dir");
    let file = out.path().join("plan.json").display().to_string();
    let plan = harness.run(&["plan", "--create-database", "--out", &file]);
    assert_eq!(plan.status, 0, "{plan:?}");
    let applied = harness.run_with_env(
        "root",
        crate::support::ROOT_PASSWORD,
        &[("ARANGOSYNC_REVISION", "0a1b2c3")],
        &["apply", "--plan", &file],
    );
    assert_eq!(applied.status, 0, "{applied:?}");
    let listed: serde_json::Value =
        serde_json::from_str(&harness.run(&["features", "--format", "json"]).stdout).expect("json");
    let revisions: Vec<(&str, &str)> = listed["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|entry| {
            (
                entry["function"].as_str().expect("function"),
                entry["revision"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(revisions, vec![("FEATURES::PEOPLE_COUNT_V1", "0a1b2c3")]);
}

const VIEW: &str = "apiVersion: db.feature-store/v1alpha1\nkind: ArangoView\nmetadata:\n  name: search\nspec:\n  type: search-alias\n  indexes:\n    - {collection: items, index: inv}\n---\n";

#[test]
fn a_targeted_prune_of_an_index_an_owned_view_outside_the_specs_uses_drops_the_view_too() {
    let harness = Harness::new();
    let kept = "  indexes:\n    - {type: persistent, fields: [a], name: idx_a}\n    - {type: persistent, fields: [b], name: idx_b}\n";
    harness.write(
        "specs.yaml",
        &(collection(
            "items",
            None,
            &format!("{kept}    - {{type: inverted, fields: [title], name: inv}}\n"),
        ) + VIEW),
    );
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    // The view leaves the specs, and so does its index.
    harness.write("specs.yaml", &collection("items", None, kept));
    let plan = harness.run(&["plan", "--prune", "--target", "collection/items"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "target_prune_index_of_a_view_outside_the_specs",
            stable(&plan.stdout, &harness)
        );
    });
    let applied = harness.run(&["apply", "--prune", "--target", "collection/items"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    assert_eq!(harness.get_status("/_api/view/search"), 404);
    let names: Vec<String> = harness
        .indexes("items")
        .iter()
        .map(|index| index["name"].as_str().expect("name").to_string())
        .collect();
    assert_eq!(names, ["idx_a", "idx_b"]);
    let whole = harness.run(&["plan", "--prune", "--detailed-exitcode"]);
    assert_eq!(whole.status, 0, "{whole:?}");
}

fn indexed(name: &str, indexes: &[&str]) -> String {
    let mut spec = String::from("  indexes:\n");
    for index in indexes {
        spec.push_str(&format!(
            "    - {{type: persistent, fields: [{index}], name: {index}}}\n"
        ));
    }
    collection(name, None, &spec)
}

#[test]
fn the_mass_prune_guard_of_a_targeted_plan_counts_within_the_targets() {
    let harness = Harness::new();
    harness.write(
        "specs.yaml",
        &(indexed("c1", &["a", "b", "c"]) + &indexed("c2", &["d"]) + &indexed("c3", &["e"])),
    );
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    // The whole prune would delete c2, c3 with their indexes and c1's `a`:
    // 5 of the 9 owned objects. Within collection/c1 it deletes 1 of 4.
    harness.write("specs.yaml", &indexed("c1", &["b", "c"]));
    let args = [
        "plan",
        "--prune",
        "--allow-destructive",
        "--detailed-exitcode",
        "--target",
        "collection/c1",
    ];
    let one = harness.run(&args);
    assert_eq!(one.status, 2, "{one:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "target_mass_prune_one_of_four",
            stable(&one.stdout, &harness)
        );
    });
    // c1 leaves the specs: dropping it and its three indexes is 4 of the
    // 4 objects the target covers.
    harness.write(
        "specs.yaml",
        &(indexed("c2", &["d"]) + &indexed("c3", &["e"])),
    );
    let three = harness.run(&args);
    assert_eq!(three.status, 1, "{three:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "target_mass_prune_four_of_four",
            stable(&three.stdout, &harness)
        );
    });
    harness.write("specs.yaml", &indexed("c1", &["b", "c"]));
    let applied = harness.run(&[
        "apply",
        "--prune",
        "--allow-destructive",
        "--target",
        "collection/c1",
    ]);
    assert_eq!(applied.status, 0, "{applied:?}");
    let names: Vec<String> = harness
        .indexes("c1")
        .iter()
        .map(|index| index["name"].as_str().expect("name").to_string())
        .collect();
    assert_eq!(names, ["b", "c"]);
    assert_eq!(harness.indexes("c2").len(), 1);
    assert_eq!(harness.get_status("/_api/collection/c3"), 200);
}

#[test]
fn a_saved_plan_is_refused_when_a_system_analyzer_its_view_uses_changed() {
    let harness = Harness::new();
    let sysan = |locale: &str| serde_json::json!({"name": "sysan", "type": "norm", "properties": {"locale": locale, "case": "lower"}, "features": []});
    let (status, body) = harness.api(
        reqwest::Method::POST,
        "/_db/_system/_api/analyzer",
        Some(sysan("en")),
    );
    assert_eq!(status, 201, "{body}");
    harness.write(
        "specs.yaml",
        &(collection("items", None, "  waitForSync: false\n")
            + "apiVersion: db.feature-store/v1alpha1\nkind: ArangoView\nmetadata:\n  name: v\nspec:\n  type: arangosearch\n  links:\n    items:\n      fields:\n        title: {analyzers: [\"::sysan\"]}\n        body: {analyzers: [\"_system::sysan\"]}\n"),
    );
    let first = harness.run(&["apply", "--create-database", "--target", "collection/items"]);
    assert_eq!(first.status, 0, "{first:?}");
    let out = tempfile::tempdir().expect("temp dir");
    let file = out.path().join("plan.json").display().to_string();
    let plan = harness.run(&["plan", "--out", &file]);
    assert_eq!(plan.status, 0, "{plan:?}");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("plan file")).expect("json");
    // Both spellings are the plan's `::sysan`.
    assert!(
        saved["dependencies"]["analyzer ::sysan"]
            .as_str()
            .is_some_and(|print| print.starts_with("sha256:")),
        "{saved}"
    );
    // Changed by hand in `_system`: dropped and created with another locale.
    let (status, body) = harness.api(
        reqwest::Method::DELETE,
        "/_db/_system/_api/analyzer/sysan",
        None,
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = harness.api(
        reqwest::Method::POST,
        "/_db/_system/_api/analyzer",
        Some(sysan("de")),
    );
    assert_eq!(status, 201, "{body}");
    harness.reset_stats();
    let refused = harness.run(&["apply", "--plan", &file]);
    assert_eq!(refused.status, 1, "{refused:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    assert_eq!(harness.get_status("/_api/view/v"), 404);
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "saved_plan_system_analyzer_changed",
            stable(&refused.stderr, &harness).replace(&file, "[plan.json]")
        );
    });
}
