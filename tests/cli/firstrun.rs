//! A first deploy into a database that does not exist yet
//! (`--create-database`): a change the new database cannot hold is shown
//! BLOCKED by `plan` and refused by `apply` before anything is written.
//! And a closed output pipe ends a run with its own exit status, never a
//! panic.

use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::support::{copy_tree, example_features, snapshot_settings, stable, Harness};

/// The example's entities without `features/search/`, whose analyzer spec
/// defines the `product_text` analyzer the inverted index names.
fn entities_only(harness: &Harness) {
    let to = harness.specs().join("entities");
    std::fs::create_dir_all(&to).expect("mkdir");
    copy_tree(&example_features().join("entities"), &to);
}

/// GET `path` of `database` as root: the status and the body.
fn get_in(harness: &Harness, database: &str, path: &str) -> (u16, Value) {
    let response = reqwest::blocking::Client::new()
        .get(format!("{}/_db/{database}{path}", harness.emulator.url()))
        .basic_auth("root", Some(crate::support::ROOT_PASSWORD))
        .send()
        .expect("emulator answers");
    let status = response.status().as_u16();
    (status, response.json().unwrap_or(Value::Null))
}

const BLOCKED: &str = "      BLOCKED: the analyzer product_text does not exist in database fresh1 and no ArangoAnalyzer spec defines it; ArangoDB would refuse the index (error 10): add a spec for it, or create it first";

#[test]
fn an_analyzer_no_spec_defines_is_blocked_before_the_database_is_created() {
    let harness = Harness::new();
    entities_only(&harness);
    let fresh = [("ARANGO_DATABASE", "fresh1")];
    let plan = harness.run_with_env(
        "root",
        crate::support::ROOT_PASSWORD,
        &fresh,
        &["plan", "--create-database"],
    );
    assert_eq!(plan.status, 0, "{plan:?}");
    assert!(
        plan.stdout.lines().any(|line| line == BLOCKED),
        "{}",
        plan.stdout
    );
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("firstrun_blocked_plan", stable(&plan.stdout, &harness));
    });

    harness.reset_stats();
    let apply = harness.run_with_env(
        "root",
        crate::support::ROOT_PASSWORD,
        &fresh,
        &["apply", "--create-database"],
    );
    assert_eq!(apply.status, 1, "{apply:?}");
    assert!(
        apply.stdout.lines().any(|line| line == BLOCKED),
        "{}",
        apply.stdout
    );
    assert!(
        apply.stderr.ends_with(
            "error: refusing to apply: 1 change(s) are blocked (marked BLOCKED in the plan); nothing was changed\n"
        ),
        "{}",
        apply.stderr
    );
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    let (status, answer) = get_in(&harness, "fresh1", "/_api/version");
    assert_eq!(
        (status, &answer["errorNum"]),
        (404, &json!(1228)),
        "{answer}"
    );
}

#[test]
fn the_analyzer_spec_beside_it_lets_the_first_deploy_through() {
    let harness = Harness::new();
    entities_only(&harness);
    let search = harness.specs().join("search");
    std::fs::create_dir_all(&search).expect("mkdir");
    std::fs::copy(
        example_features().join("search/analyzers.yaml"),
        search.join("analyzers.yaml"),
    )
    .expect("copy");
    let fresh = [("ARANGO_DATABASE", "fresh1")];
    let apply = harness.run_with_env(
        "root",
        crate::support::ROOT_PASSWORD,
        &fresh,
        &["apply", "--create-database"],
    );
    assert_eq!(apply.status, 0, "{apply:?}");
    assert!(!apply.stdout.contains("BLOCKED"), "{}", apply.stdout);
    // The plan made under the lock is the plan shown: nothing to explain.
    assert!(!apply.stderr.contains("differs"), "{}", apply.stderr);
    let (status, analyzer) = get_in(&harness, "fresh1", "/_api/analyzer/product_text");
    assert_eq!(status, 200, "{analyzer}");
    assert_eq!(analyzer["name"], "fresh1::product_text", "{analyzer}");
}

/// Runs `arangosync ARGS` with stdout and stderr going into a pipe whose
/// reading end is already closed (as in `arangosync ... 2>&1 | head -1`
/// once head has exited); returns the exit status.
fn status_with_closed_pipe(harness: &Harness, args: &[&str]) -> Option<i32> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills both descriptors on success; each is owned once.
    // O_CLOEXEC keeps the reading end out of the child.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    let (reader, writer) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(reader);
    let status = Command::new(env!("CARGO_BIN_EXE_arangosync"))
        .args(args)
        .env_clear()
        .env("ARANGO_HOST", harness.emulator.url())
        .env("ARANGO_DATABASE", "features")
        .env("ARANGO_USER", "root")
        .env("ARANGO_PASSWORD", crate::support::ROOT_PASSWORD)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(writer.try_clone().expect("clone"))
        .stderr(writer)
        .status()
        .expect("arangosync runs");
    status.code()
}

#[test]
fn a_closed_pipe_keeps_the_exit_status() {
    let harness = Harness::new();
    let features = example_features();
    let dir = features.to_str().expect("utf-8 path");
    harness.write(
        "entities/legacy.yaml",
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: legacy\nspec:\n  indexes:\n    - {type: fulltext, fields: [body]}\n",
    );
    let specs = harness.specs().to_str().expect("utf-8 path").to_string();
    // Invalid input: the errors go to stderr, which nobody reads.
    assert_eq!(
        status_with_closed_pipe(
            &harness,
            &["validate", "--dir", &specs, "--target-version", "4.0"]
        ),
        Some(3)
    );
    // Success: the summary goes to stdout, which nobody reads.
    assert_eq!(
        status_with_closed_pipe(&harness, &["validate", "--dir", dir]),
        Some(0)
    );
    // A long plan into a closed pipe, with blocked changes (the database
    // does not exist): 1, and the line saying so cannot be written either.
    assert_eq!(
        status_with_closed_pipe(&harness, &["plan", "--dir", dir, "--detailed-exitcode"]),
        Some(1)
    );
    // Changes pending, none blocked.
    assert_eq!(
        status_with_closed_pipe(
            &harness,
            &[
                "plan",
                "--dir",
                dir,
                "--create-database",
                "--detailed-exitcode"
            ]
        ),
        Some(2)
    );
    // A runtime failure whose message cannot be written.
    assert_eq!(
        status_with_closed_pipe(&harness, &["features", "show", "nope"]),
        Some(1)
    );
}
