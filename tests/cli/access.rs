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
    harness.reset_stats();
    for command in [vec!["validate"], vec!["plan"], vec!["apply"]] {
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
    }
    let stats = harness.stats();
    assert_eq!(
        stats["total"], 0,
        "invalid input never reaches the database: {stats}"
    );
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
