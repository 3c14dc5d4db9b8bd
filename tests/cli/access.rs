//! Invalid input and read-only credentials: both must fail before the first
//! write, with a message that says why.

use crate::support::{snapshot_settings, stable, Harness};

const VALID: &str =
    "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: users\n";

#[test]
fn an_invalid_tree_exits_3_names_every_problem_and_writes_nothing() {
    let harness = Harness::new();
    harness.create_database();
    harness.write("entities/users.yaml", VALID);
    harness.write(
        "entities/broken.yaml",
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: events\nspec:\n  waitForSynk: true\n  indexes:\n    - {type: ttl, fields: [a, b]}\n",
    );
    harness.write(
        "entities/graph.yaml",
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoGraph\nmetadata:\n  name: g\nspec:\n  edgeDefinitions:\n    - {collection: users, from: [users], to: [missing]}\n",
    );
    for command in [vec!["validate"], vec!["plan"], vec!["apply"]] {
        harness.reset_stats();
        let run = harness.run(&command);
        assert_eq!(run.status, 3, "{command:?}: {run:?}");
        assert!(
            run.stderr.contains("broken.yaml:6:3"),
            "{command:?}: {}",
            run.stderr
        );
        snapshot_settings().bind(|| {
            insta::assert_snapshot!(
                format!("invalid_tree_{}", command[0]),
                stable(&run.stderr, &harness)
            );
        });
        // Invalid input never reaches the database: `validate` connects to
        // nothing; `plan` and `apply` connect and read while the specs load,
        // so some of those reads may be sent, but nothing of the specs and
        // no write.
        if command[0] == "validate" {
            assert_eq!(harness.stats()["total"], 0, "{}", harness.stats());
        } else {
            assert_eq!(
                harness.beyond_spec_independent_reads(),
                Vec::<String>::new(),
                "{command:?}: {}",
                harness.stats()
            );
        }
    }
}

#[test]
fn a_read_only_user_can_plan_but_not_apply() {
    let harness = Harness::new();
    harness.create_database();
    harness.create_user("ci", "ci-pw", "ro");
    harness.write("users.yaml", VALID);

    let plan = harness.run_as("ci", "ci-pw", &["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 2, "{plan:?}");
    assert!(
        plan.stdout.contains("+ collection users"),
        "{}",
        plan.stdout
    );

    harness.reset_stats();
    let apply = harness.run_as("ci", "ci-pw", &["apply"]);
    assert_eq!(apply.status, 1, "{apply:?}");
    assert!(
        apply
            .stderr
            .contains("user \"ci\" has read-only access to database \"features\""),
        "{}",
        apply.stderr
    );
    assert_eq!(harness.writes(), 0);
    assert_eq!(harness.get_status("/_api/collection/users"), 404);
}

#[test]
fn wrong_credentials_fail_clearly() {
    let harness = Harness::new();
    harness.write("users.yaml", VALID);
    let run = harness.run_as("root", "wrong", &["plan"]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr.contains("ArangoDB error 11 (HTTP 401)"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("wrong"),
        "the password never appears: {}",
        run.stderr
    );
}

#[test]
fn plan_offline_compares_two_trees_without_a_database() {
    let harness = Harness::new();
    let base = tempfile::tempdir().expect("base dir");
    std::fs::write(base.path().join("users.yaml"), VALID).expect("write base");
    harness.write(
        "users.yaml",
        &format!("{VALID}spec:\n  waitForSync: true\n"),
    );
    harness.write("products.yaml", &VALID.replace("users", "products"));
    let base_dir = base.path().to_str().expect("utf-8");
    let run = harness.run(&[
        "plan",
        "--offline-from",
        base_dir,
        "--format",
        "markdown",
        "--detailed-exitcode",
        "--endpoint",
        "http://127.0.0.1:9",
    ]);
    assert_eq!(run.status, 2, "{run:?}");
    snapshot_settings()
        .bind(|| insta::assert_snapshot!("offline_plan_markdown", stable(&run.stdout, &harness)));
}

/// The specs load while the run connects: invalid specs end the run with
/// their diagnostics at once, whether the server is still being waited
/// for (a wait of an hour, cut short) or has already failed to answer.
#[test]
fn invalid_specs_win_over_a_server_that_does_not_answer() {
    let harness = Harness::new();
    harness.write(
        "entities/broken.yaml",
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: events\nspec:\n  waitForSynk: true\n",
    );
    let valid = Harness::new();
    valid.write("entities/users.yaml", VALID);
    for command in ["plan", "apply"] {
        for wait in ["0", "3600"] {
            let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_arangosync"))
                .args([command, "--wait-timeout", wait])
                .env_clear()
                // Nothing listens on the discard port.
                .env("ARANGO_HOST", "http://127.0.0.1:9")
                .env("ARANGO_DATABASE", "features")
                .env("ARANGO_PASSWORD", "pw")
                .env("ARANGOSYNC_DIR", harness.specs())
                .env("NO_COLOR", "1")
                .stderr(std::process::Stdio::piped())
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("arangosync starts");
            // Far less than the wait: the run did not wait for the server.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
            let status = loop {
                if let Some(status) = child.try_wait().expect("wait") {
                    break status;
                }
                if std::time::Instant::now() > deadline {
                    let _ = child.kill();
                    panic!("{command} --wait-timeout {wait} waited for the server");
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            };
            let output = child.wait_with_output().expect("output");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(status.code(), Some(3), "{command} {wait}: {stderr}");
            assert!(
                stderr.contains("broken.yaml:6:3") && stderr.contains("nothing was changed"),
                "{command} {wait}: {stderr}"
            );
            assert!(
                !stderr.contains("did not become ready"),
                "{command} {wait}: {stderr}"
            );
        }
    }
    // Valid specs and no server: the connection's error, as before.
    let run = valid.run(&[
        "plan",
        "--wait-timeout",
        "0",
        "--endpoint",
        "http://127.0.0.1:9",
    ]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr.contains("did not become ready"),
        "{}",
        run.stderr
    );
}

/// `beyond_spec_independent_reads` tells the reads of a run apart from
/// requests with spec content: a plan that has the server parse its new
/// features' queries is caught.
#[test]
fn queries_of_the_specs_are_told_apart_from_the_reads() {
    let harness = Harness::new();
    harness.create_database();
    crate::support::copy_tree(&crate::support::example_features(), harness.specs());
    harness.reset_stats();
    let run = harness.run(&["plan"]);
    assert_eq!(run.status, 0, "{run:?}");
    let beyond = harness.beyond_spec_independent_reads();
    assert!(
        beyond
            .iter()
            .any(|problem| problem.ends_with("parse requests")),
        "{beyond:?}"
    );
}
