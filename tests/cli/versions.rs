//! arangosync against the ArangoDB versions the emulator presents (3.11.x,
//! 3.12.x, 4.0) and against a server started with
//! `--javascript.user-defined-functions false`: the example repository is
//! applied and a second run finds nothing to do (the full apply where user
//! functions are missing is in serving.rs).

use arangodb_emulator::{Profile, Version};

use crate::support::{
    assert_example_unchanged, example_features, example_profile, example_without_vector_index,
    Harness,
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

// The full apply on 4.0 and with user functions turned off (registry
// only, one plan note, a second plan empty) is in serving.rs.

#[test]
fn pre_phase_with_user_defined_functions_off() {
    let harness = Harness::with_profile(Profile {
        user_defined_functions: false,
        ..example_profile()
    });
    pre_phase_converges(&harness);
}

/// Issue 12's acceptance, server by server: the example repository (with
/// its vector index, custom analyzer and search-alias view) applies with
/// exit 0 and a second plan has no changes. What each server says about it
/// is part of the contract, so the second plan is a snapshot: the index is
/// deferred on 3.12.8 (no embeddings yet), untrained on 3.12.10, and 4.0
/// serves features from the registry alone.
#[test]
fn the_example_applies_on_every_server_that_can_hold_it() {
    for version in ["3.12.4", "3.12.8", "3.12.10", "4.0.0"] {
        let harness = Harness::with_profile(Profile {
            version: version.parse::<Version>().expect("version"),
            ..example_profile()
        });
        let dir = example_features().to_str().expect("utf-8").to_string();
        let first = harness.run(&["apply", "--dir", &dir, "--create-database"]);
        assert_eq!(first.status, 0, "{version}: {first:?}");
        assert_eq!(
            harness.get("/_api/view/product_search")["type"],
            "search-alias"
        );
        assert_eq!(
            harness.get("/_api/analyzer/product_text")["type"],
            "text",
            "{version}"
        );
        harness.reset_stats();
        let second = harness.run(&["plan", "--dir", &dir, "--detailed-exitcode"]);
        assert_eq!(second.status, 0, "{version}: {second:?}");
        assert_eq!(harness.writes(), 0, "{}", harness.stats());
        crate::support::snapshot_settings().bind(|| {
            insta::assert_snapshot!(format!("example_second_plan_{version}"), second.stdout)
        });
    }
}

/// Against a server that cannot hold a vector index (3.11, or 3.12 started
/// without `--vector-index`) the plan blocks the index, naming the version
/// and option it needs, and apply writes nothing; without the index the
/// rest of the repository applies there.
#[test]
fn servers_without_vector_indexes_refuse_the_index_before_any_write() {
    for (version, vector_index) in [("3.11.14", false), ("3.12.10", false)] {
        let harness = Harness::with_profile(Profile {
            version: version.parse::<Version>().expect("version"),
            vector_index,
            ..Profile::default()
        });
        let dir = example_features().to_str().expect("utf-8").to_string();
        let plan = harness.run(&["plan", "--dir", &dir, "--create-database"]);
        let blocked: Vec<&str> = plan
            .stdout
            .lines()
            .filter(|line| line.contains("BLOCKED"))
            .collect();
        crate::support::snapshot_settings().bind(|| {
            insta::assert_snapshot!(
                format!("example_vector_index_refused_{version}"),
                blocked.join("\n")
            )
        });
        let refused = harness.run(&["apply", "--dir", &dir, "--create-database"]);
        assert_eq!(refused.status, 1, "{version}: {refused:?}");
        assert_eq!(harness.writes(), 0, "{}", harness.stats());
        assert_eq!(harness.get_status("/_api/collection"), 404, "no database");

        example_without_vector_index(harness.specs());
        applies_and_converges(&harness);
    }
}
