//! arangosync against the ArangoDB versions the emulator presents (3.11.x,
//! 3.12.x, 4.0) and against a server started with
//! `--javascript.user-defined-functions false`: the example repository is
//! applied and a second run finds nothing to do.

use arangodb_emulator::{Profile, Version};

use crate::support::{
    assert_example_unchanged, example_features, example_profile, example_without_vector_index,
    snapshot_settings, Harness,
};

/// A server of `version`, started with `--vector-index` where the version
/// has the option (3.12.4+); before that the example is used without its
/// vector index, which such a server cannot hold.
fn harness(version: &str) -> Harness {
    let version = version.parse::<Version>().expect("version");
    let vector_index = version >= "3.12.4".parse::<Version>().expect("version");
    let harness = Harness::with_profile(Profile {
        version,
        vector_index,
        ..Profile::default()
    });
    if !vector_index {
        example_without_vector_index(harness.specs());
    }
    harness
}

/// The example repository as `harness`'s server can hold it.
fn example_dir(harness: &Harness) -> String {
    let copy = harness.specs();
    let dir = if copy.join("entities").is_dir() {
        copy.to_path_buf()
    } else {
        example_features()
    };
    dir.to_str().expect("utf-8 path").to_string()
}

/// Applies the example repository, then checks that a second apply and a
/// detailed plan find no changes and write nothing.
fn applies_and_converges(harness: &Harness) {
    let dir = example_dir(harness);
    let first = harness.run(&["apply", "--dir", &dir, "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    harness.reset_stats();
    let plan = harness.run(&["plan", "--dir", &dir, "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    let second = harness.run(&["apply", "--dir", &dir]);
    assert_eq!(second.status, 0, "{second:?}");
    assert_example_unchanged(&second.stdout);
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
}

#[test]
fn example_repository_on_3_11() {
    applies_and_converges(&harness("3.11.14"));
}

#[test]
fn example_repository_on_3_12_patch_releases() {
    for version in ["3.12.0", "3.12.4", "3.12.8", "3.12.10"] {
        applies_and_converges(&harness(version));
    }
}

/// `apply --phase pre` twice: the second run has nothing to do.
fn pre_phase_converges(harness: &Harness) {
    let dir = example_dir(harness);
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
    assert_eq!(second.status, 0, "{second:?}");
    assert_example_unchanged(&second.stdout);
    let dry = harness.run(&["apply", "--dir", &dir, "--phase", "pre", "--dry-run"]);
    assert_eq!(dry.status, 0, "{dry:?}");
    assert_example_unchanged(&dry.stdout);
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
}

#[test]
fn pre_phase_on_4_0() {
    pre_phase_converges(&harness("4.0.0"));
}

#[test]
fn full_apply_on_4_0_refuses_before_any_write() {
    let harness = harness("4.0.0");
    let dir = example_dir(&harness);
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
        ..example_profile()
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
