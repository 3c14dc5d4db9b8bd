//! arangosync against the ArangoDB versions the emulator presents (3.11.x,
//! 3.12.x, 4.0) and against a server started with
//! `--javascript.user-defined-functions false`: the example repository is
//! applied and a second run finds nothing to do.

use arangodb_emulator::{Profile, Version};

use crate::support::{example_features, snapshot_settings, Harness};

fn harness(version: &str) -> Harness {
    Harness::with_profile(Profile {
        version: version.parse::<Version>().expect("version"),
        ..Profile::default()
    })
}

fn example_dir() -> String {
    example_features().to_str().expect("utf-8 path").to_string()
}

/// Applies the example repository, then checks that a second apply and a
/// detailed plan find no changes and write nothing.
fn applies_and_converges(harness: &Harness) {
    let dir = example_dir();
    let first = harness.run(&["apply", "--dir", &dir, "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    harness.reset_stats();
    let plan = harness.run(&["plan", "--dir", &dir, "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    let second = harness.run(&["apply", "--dir", &dir]);
    assert_eq!(
        (second.status, second.stdout.as_str()),
        (0, "No changes: database \"features\" matches the specs.\n"),
        "{second:?}"
    );
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
}

#[test]
fn example_repository_on_3_11() {
    applies_and_converges(&harness("3.11.14"));
}

#[test]
fn example_repository_on_3_12_patch_releases() {
    for version in ["3.12.0", "3.12.4", "3.12.10"] {
        applies_and_converges(&harness(version));
    }
}

/// `apply --phase pre` twice: the second run has nothing to do.
fn pre_phase_converges(harness: &Harness) {
    let dir = example_dir();
    let first = harness.run(&[
        "apply",
        "--dir",
        &dir,
        "--create-database",
        "--phase",
        "pre",
    ]);
    assert_eq!(first.status, 0, "{first:?}");
    assert!(
        harness.indexes("users").len() >= 2,
        "pre created the indexes"
    );
    harness.reset_stats();
    let second = harness.run(&["apply", "--dir", &dir, "--phase", "pre"]);
    assert_eq!(
        (second.status, second.stdout.as_str()),
        (0, "No changes: database \"features\" matches the specs.\n"),
        "{second:?}"
    );
    let dry = harness.run(&["apply", "--dir", &dir, "--phase", "pre", "--dry-run"]);
    assert_eq!(
        (dry.status, dry.stdout.as_str()),
        (0, "No changes: database \"features\" matches the specs.\n"),
        "{dry:?}"
    );
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
}

#[test]
fn pre_phase_on_4_0() {
    pre_phase_converges(&harness("4.0.0"));
}

#[test]
fn full_apply_on_4_0_refuses_before_any_write() {
    let harness = harness("4.0.0");
    let dir = example_dir();
    // On an empty server: nothing is created, not even the database.
    let refused = harness.run(&["apply", "--dir", &dir, "--create-database"]);
    assert_eq!(refused.status, 1, "{refused:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    assert_eq!(harness.get_status("/_api/collection"), 404);

    // After the pre phase: the function changes are refused as a whole.
    let pre = harness.run(&[
        "apply",
        "--dir",
        &dir,
        "--create-database",
        "--phase",
        "pre",
    ]);
    assert_eq!(pre.status, 0, "{pre:?}");
    harness.reset_stats();
    let refused = harness.run(&["apply", "--dir", &dir]);
    assert_eq!(refused.status, 1, "{refused:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    snapshot_settings()
        .bind(|| insta::assert_snapshot!("full_apply_on_4_0_stderr", refused.stderr));
}

#[test]
fn user_defined_functions_off() {
    let harness = Harness::with_profile(Profile {
        user_defined_functions: false,
        ..Profile::default()
    });
    pre_phase_converges(&harness);
    // The server still stores functions with the option off (as ArangoDB's
    // own test of the option shows), so the full apply converges too ...
    applies_and_converges(&harness);
    let functions = harness.get("/_api/aqlfunction?namespace=features");
    assert_eq!(
        functions["result"].as_array().map(Vec::len),
        Some(3),
        "{functions}"
    );
    // ... but no query can call them: a parse error.
    let (status, body) = harness.try_post(
        "/_api/cursor",
        serde_json::json!({"query": "RETURN features::user_session_count_v2('u1')"}),
    );
    assert_eq!((status, &body["errorNum"]), (400, &serde_json::json!(1501)));
}
