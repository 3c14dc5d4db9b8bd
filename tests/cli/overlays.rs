//! Environment overlays (`--overlay DIR`, `ARANGOSYNC_OVERLAY`): patch
//! documents merged onto the specs before they are checked, with the
//! example repository's dev and prod overlays applied on a cluster, errors
//! located in the overlay file, unmatched patches, `null` deleting a key,
//! and offline plans across overlays.

use std::path::{Path, PathBuf};

use arangodb_emulator::{Profile, Role};
use serde_json::json;

use crate::support::{
    assert_example_unchanged, copy_tree, example_features, snapshot_settings, stable, Harness,
    ROOT_PASSWORD,
};

fn coordinator() -> Harness {
    Harness::with_profile(Profile {
        role: Role::Coordinator,
        ..crate::support::example_profile()
    })
}

/// The example repository's overlay for `environment`.
fn example_overlay(environment: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("environments/overlays")
        .join(environment)
}

/// `(numberOfShards, replicationFactor)` of a collection, read back.
fn sharding(harness: &Harness, collection: &str) -> (serde_json::Value, serde_json::Value) {
    let properties = harness.get(&format!("/_api/collection/{collection}/properties"));
    (
        properties["numberOfShards"].clone(),
        properties["replicationFactor"].clone(),
    )
}

#[test]
fn the_dev_overlay_gives_one_shard_and_one_copy_on_a_cluster() {
    let harness = coordinator();
    copy_tree(&example_features(), harness.specs());
    let dev = example_overlay("dev");
    let dev = dev.to_str().expect("utf-8 path");

    let applied = harness.run(&["apply", "--create-database", "--overlay", dev]);
    assert_eq!(applied.status, 0, "{applied:?}");
    assert_eq!(sharding(&harness, "products"), (json!(1), json!(1)));
    assert_eq!(sharding(&harness, "sessions"), (json!(1), json!(1)));
    assert_eq!(sharding(&harness, "users"), (json!(1), json!(1)));

    // The same overlay through the environment: nothing left to do.
    let again = harness.run_with_env(
        "root",
        ROOT_PASSWORD,
        &[("ARANGOSYNC_OVERLAY", dev)],
        &["plan", "--detailed-exitcode"],
    );
    assert_eq!(again.status, 0, "{again:?}");
    assert_example_unchanged(&again.stdout);

    // Without the overlay the base specs differ from what dev holds.
    let base = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(base.status, 2, "{base:?}");
    assert!(
        base.stdout.contains("~ collection users (update)"),
        "{}",
        base.stdout
    );
}

#[test]
fn the_prod_overlay_gives_three_shards_and_two_copies_on_a_cluster() {
    let harness = coordinator();
    copy_tree(&example_features(), harness.specs());
    let prod = example_overlay("prod");
    let prod = prod.to_str().expect("utf-8 path");

    let applied = harness.run_with_env(
        "root",
        ROOT_PASSWORD,
        &[("ARANGOSYNC_OVERLAY", prod)],
        &["apply", "--create-database"],
    );
    assert_eq!(applied.status, 0, "{applied:?}");
    assert_eq!(sharding(&harness, "products"), (json!(3), json!(2)));
    assert_eq!(sharding(&harness, "sessions"), (json!(3), json!(2)));
    // Not patched: the base spec's values.
    assert_eq!(sharding(&harness, "users"), (json!(1), json!(2)));

    let again = harness.run(&["plan", "--detailed-exitcode", "--overlay", prod]);
    assert_eq!(again.status, 0, "{again:?}");
    assert_example_unchanged(&again.stdout);
}

const USERS: &str = "apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
spec:
  numberOfShards: 1
  schema:
    rule:
      type: object
      properties:
        email: {type: string}
    level: moderate
";

/// A harness with the users spec and an overlay directory holding `patch`
/// as `users.yaml`.
fn with_overlay(patch: &str) -> (Harness, tempfile::TempDir) {
    let harness = Harness::new();
    harness.write("users.yaml", USERS);
    let overlay = tempfile::tempdir().expect("temp dir");
    std::fs::write(overlay.path().join("users.yaml"), patch).expect("write overlay");
    (harness, overlay)
}

fn stable_both(text: &str, harness: &Harness, overlay: &tempfile::TempDir) -> String {
    stable(text, harness).replace(&overlay.path().display().to_string(), "[overlay]")
}

#[test]
fn a_bad_value_in_an_overlay_is_reported_at_the_overlay_and_nothing_is_written() {
    let (harness, overlay) = with_overlay(
        "apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
spec:
  numberOfShards: many
  waitForSnyc: true
",
    );
    let overlay_dir = overlay.path().to_str().expect("utf-8 path");
    let run = harness.run(&["apply", "--create-database", "--overlay", overlay_dir]);
    assert_eq!(run.status, 3, "{run:?}");
    assert_eq!(harness.get_status("/_api/database/current"), 404);
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "overlay_bad_value",
            stable_both(&run.stderr, &harness, &overlay)
        );
    });
    // Without the overlay the same specs are valid.
    let valid = harness.run(&["validate"]);
    assert_eq!(valid.status, 0, "{valid:?}");
}

#[test]
fn a_patch_that_matches_no_spec_is_an_error_at_the_overlay() {
    let (harness, overlay) = with_overlay(
        "apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
spec:
  numberOfShards: 2
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: userz
spec:
  numberOfShards: 2
",
    );
    let overlay_dir = overlay.path().to_str().expect("utf-8 path");
    let run = harness.run(&["validate", "--overlay", overlay_dir]);
    assert_eq!(run.status, 3, "{run:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "overlay_unmatched",
            stable_both(&run.stderr, &harness, &overlay)
        );
    });
}

#[test]
fn null_in_a_patch_deletes_the_key() {
    let (harness, overlay) = with_overlay(
        "apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
spec:
  schema: null
",
    );
    let overlay_dir = overlay.path().to_str().expect("utf-8 path");
    let applied = harness.run(&["apply", "--create-database", "--overlay", overlay_dir]);
    assert_eq!(applied.status, 0, "{applied:?}");
    let properties = harness.get("/_api/collection/users/properties");
    assert_eq!(properties["schema"], json!(null), "{properties}");

    let base = harness.run(&["apply"]);
    assert_eq!(base.status, 0, "{base:?}");
    let properties = harness.get("/_api/collection/users/properties");
    assert_eq!(
        properties["schema"]["level"],
        json!("moderate"),
        "{properties}"
    );
}

#[test]
fn an_offline_plan_applies_the_overlay_to_both_trees() {
    let harness = Harness::new();
    let features = example_features();
    let features = features.to_str().expect("utf-8 path");
    let dev = example_overlay("dev");
    let prod = example_overlay("prod");
    let (dev, prod) = (
        dev.to_str().expect("utf-8 path"),
        prod.to_str().expect("utf-8 path"),
    );

    // The same tree with the same overlay on both sides: no change.
    for overlay in [dev, prod] {
        let run = harness.run(&[
            "plan",
            "--dir",
            features,
            "--offline-from",
            features,
            "--overlay",
            overlay,
            "--detailed-exitcode",
        ]);
        assert_eq!(run.status, 0, "{run:?}");
    }

    // The base tree with another overlay: the difference between them.
    let run = harness.run(&[
        "plan",
        "--dir",
        features,
        "--offline-from",
        features,
        "--overlay",
        prod,
        "--offline-overlay",
        dev,
        "--detailed-exitcode",
    ]);
    // The shard changes are blocked without --allow-destructive.
    assert_eq!(run.status, 1, "{run:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("overlay_offline_dev_to_prod", stable(&run.stdout, &harness));
    });
}

const ANALYZER: &str = "apiVersion: db.feature-store/v1alpha1
kind: ArangoAnalyzer
metadata:
  name: words
spec:
  type: text
  properties:
    locale: en
";

#[test]
fn two_patches_for_one_object_are_invalid_input_naming_both() {
    let (harness, overlay) = with_overlay(
        "apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
spec:
  numberOfShards: 2
",
    );
    std::fs::create_dir(overlay.path().join("more")).expect("mkdir");
    std::fs::write(
        overlay.path().join("more/users-again.yaml"),
        "# the same collection once more
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
spec:
  numberOfShards: 3
",
    )
    .expect("write overlay");
    let overlay_dir = overlay.path().to_str().expect("utf-8 path");
    let run = harness.run(&["apply", "--create-database", "--overlay", overlay_dir]);
    assert_eq!(run.status, 3, "{run:?}");
    assert_eq!(harness.get_status("/_api/database/current"), 404);
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "overlay_duplicate_patch",
            stable_both(&run.stderr, &harness, &overlay)
        );
    });
}

#[test]
fn a_rule_broken_by_an_overlay_names_the_base_file_and_the_overlay() {
    let (harness, overlay) = with_overlay(
        "apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
spec:
  schema:
    rule: null
",
    );
    harness.write("words.yaml", ANALYZER);
    harness.write(
        "graph.yaml",
        "apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: knows
spec:
  type: edge
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoGraph
metadata:
  name: net
spec:
  edgeDefinitions:
    - {collection: knows, from: [users], to: [users]}
",
    );
    // A patch of one document breaking a rule checked at another: the
    // graph names an edge collection the overlay makes a document one.
    std::fs::write(
        overlay.path().join("knows.yaml"),
        "apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: knows
spec:
  type: null
",
    )
    .expect("write overlay");
    std::fs::write(
        overlay.path().join("words.yaml"),
        "apiVersion: db.feature-store/v1alpha1
kind: ArangoAnalyzer
metadata:
  name: words
spec:
  type: ngram
  properties:
    locale: null
",
    )
    .expect("write overlay");
    // The base specs are valid: every error below comes from the overlay.
    let valid = harness.run(&["validate"]);
    assert_eq!(valid.status, 0, "{valid:?}");

    let overlay_dir = overlay.path().to_str().expect("utf-8 path");
    let run = harness.run(&["apply", "--create-database", "--overlay", overlay_dir]);
    assert_eq!(run.status, 3, "{run:?}");
    assert_eq!(harness.get_status("/_api/database/current"), 404);
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "overlay_breaks_a_rule",
            stable_both(&run.stderr, &harness, &overlay)
        );
    });
}

#[test]
fn a_missing_overlay_directory_is_named_as_the_overlay() {
    let harness = Harness::new();
    harness.write("users.yaml", USERS);
    let missing = harness.specs().join("../no-such-overlay");
    let missing = missing.to_str().expect("utf-8 path");
    let run = harness.run_with_env(
        "root",
        ROOT_PASSWORD,
        &[("ARANGOSYNC_OVERLAY", missing)],
        &["plan", "--create-database"],
    );
    assert_eq!(run.status, 3, "{run:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("overlay_dir_missing", stable(&run.stderr, &harness));
    });
    // The spec directory exists and is not what the message names.
    assert!(!run.stderr.contains("spec directory"), "{}", run.stderr);
}
