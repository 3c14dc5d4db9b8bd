//! arangosync against the ArangoDB versions the emulator presents (3.11.x,
//! 3.12.x, 4.0) and against a server started with
//! `--javascript.user-defined-functions false`: the example repository is
//! applied and a second run finds nothing to do (the full apply where user
//! functions are missing is in serving.rs).

use arangodb_emulator::{Profile, Version};

use crate::support::{example_features, Harness};

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

// The full apply on 4.0 and with user functions turned off (registry
// only, one plan note, a second plan empty) is in serving.rs.

#[test]
fn pre_phase_with_user_defined_functions_off() {
    let harness = Harness::with_profile(Profile {
        user_defined_functions: false,
        ..Profile::default()
    });
    pre_phase_converges(&harness);
}
