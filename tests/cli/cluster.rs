//! arangosync against a cluster coordinator (the emulator's
//! `--role coordinator`): the schema is read through `clusterInventory`,
//! cluster options are compared where the server reports them, mutable
//! ones are updated in place, immutable ones need a replace, and what only
//! a cluster refuses comes back as the server's error.

use arangodb_emulator::{Profile, Role};
use serde_json::json;

use crate::support::{copy_tree, example_features, snapshot_settings, stable, Harness};

fn coordinator() -> Harness {
    Harness::with_profile(Profile {
        role: Role::Coordinator,
        ..crate::support::example_profile()
    })
}

/// The lines of the final error report (after `error:`), which do not
/// depend on the order concurrent changes ran in.
fn error_report(stderr: &str) -> String {
    stderr
        .lines()
        .skip_while(|line| !line.starts_with("error:"))
        .skip(1)
        .collect::<Vec<_>>()
        .join("\n")
}

const EVENTS: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: events
spec:
  numberOfShards: 3
  replicationFactor: 2
  writeConcern: 1
  indexes:
    - {type: persistent, fields: [kind, at], name: idx_events_kind}
"#;

#[test]
fn the_example_repo_applies_on_a_coordinator_and_a_second_plan_is_empty() {
    let harness = coordinator();
    // The example repo as it is: users has one shard, so its unique email
    // index need not contain the shard key _key.
    copy_tree(&example_features(), harness.specs());

    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    let properties = harness.get("/_api/collection/users/properties");
    assert_eq!(
        (
            &properties["numberOfShards"],
            &properties["replicationFactor"],
            &properties["shardKeys"],
            &properties["writeConcern"],
        ),
        (&json!(1), &json!(2), &json!(["_key"]), &json!(1))
    );
    // Collections the spec leaves unsharded get the database defaults.
    let products = harness.get("/_api/collection/products/properties");
    assert_eq!(
        (&products["numberOfShards"], &products["replicationFactor"]),
        (&json!(1), &json!(1))
    );

    harness.reset_stats();
    let second = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(second.status, 0, "{second:?}");
    crate::support::assert_example_unchanged(&second.stdout);
    // availability, version, role, then at once: clusterInventory (one
    // request, no batch), gharial, aqlfunction, the analyzers (the example
    // defines one), one cursor batch, the server's facts (engine, the
    // user-function probe; the version comes from the readiness wait); no
    // count of vectors, which only servers before 3.12.9 need. A
    // reader that tried the single-server batch would have fallen back to
    // per-collection reads and made dozens.
    let stats = harness.stats();
    assert_eq!(
        (stats["total"].as_u64(), stats["writes"].as_u64()),
        (Some(10), Some(0)),
        "{stats}"
    );
    let again = harness.run(&["apply"]);
    assert_eq!(again.status, 0, "{again:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
}

#[test]
fn replication_factor_and_write_concern_are_updated_in_place() {
    let harness = coordinator();
    harness.write("entities/events.yaml", EVENTS);
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    harness.post(
        "/_api/document/events",
        json!({"_key": "e1", "kind": "click"}),
    );

    harness.write(
        "entities/events.yaml",
        &EVENTS
            .replace("replicationFactor: 2", "replicationFactor: 3")
            .replace("writeConcern: 1", "writeConcern: 2"),
    );
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 2, "{plan:?}");
    snapshot_settings()
        .bind(|| insta::assert_snapshot!("cluster_update_plan", stable(&plan.stdout, &harness)));
    let applied = harness.run(&["apply"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    let properties = harness.get("/_api/collection/events/properties");
    assert_eq!(
        (
            &properties["replicationFactor"],
            &properties["writeConcern"],
            &properties["numberOfShards"],
        ),
        (&json!(3), &json!(2), &json!(3))
    );
    assert_eq!(
        harness.get("/_api/collection/events/count")["count"],
        1,
        "documents are kept"
    );
    let after = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(after.status, 0, "{after:?}");
}

#[test]
fn shard_changes_plan_a_replace_that_needs_allow_destructive() {
    let harness = coordinator();
    harness.write("entities/events.yaml", EVENTS);
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");

    harness.write(
        "entities/events.yaml",
        &EVENTS.replace(
            "numberOfShards: 3\n",
            "numberOfShards: 4\n  shardKeys: [kind]\n",
        ),
    );
    // Blocked without --allow-destructive: apply would refuse it, so the
    // check fails (1) rather than reporting changes pending (2).
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 1, "{plan:?}");
    let refused = harness.run(&["apply"]);
    assert_ne!(refused.status, 0, "{refused:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("cluster_replace_plan", stable(&plan.stdout, &harness));
        insta::assert_snapshot!(
            "cluster_replace_refused",
            stable(
                &format!("{}---\n{}", refused.stdout, refused.stderr),
                &harness
            )
        );
    });
    assert_eq!(
        harness.get("/_api/collection/events/properties")["numberOfShards"],
        3,
        "nothing changed"
    );

    let applied = harness.run(&["apply", "--allow-destructive"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    let properties = harness.get("/_api/collection/events/properties");
    assert_eq!(
        (&properties["numberOfShards"], &properties["shardKeys"]),
        (&json!(4), &json!(["kind"]))
    );
    assert_eq!(harness.indexes("events").len(), 1, "the index is rebuilt");
    let after = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(after.status, 0, "{after:?}");
}

#[test]
fn a_unique_index_without_the_shard_keys_is_blocked_before_any_write() {
    // The coordinator would refuse it (1470, "shard key '_key' must be
    // present in unique index"): the plan blocks it, apply writes nothing.
    let harness = coordinator();
    harness.write(
        "entities/events.yaml",
        &format!(
            "{EVENTS}    - {{type: persistent, fields: [kind], unique: true, name: idx_events_unique_kind}}\n"
        ),
    );
    let run = harness.run(&["apply", "--create-database"]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stdout.contains(
            "      BLOCKED: on a cluster a unique index must contain every shard key of its collection: events has 3 shards by (_key), and this index leaves out (_key); the server would refuse it (error 1470). Add the shard keys to its fields or drop `unique`\n"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(error_report(&run.stderr), "", "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error: refusing to apply: 1 change(s) are blocked"),
        "{}",
        run.stderr
    );
    assert_eq!(harness.get_status("/_api/collection/events"), 404);
}

#[test]
fn a_collection_distributed_like_another_is_created_after_it() {
    // `alerts` sorts before `events`, its prototype: created in the same
    // stage, a coordinator would refuse it (1486).
    let harness = coordinator();
    harness.write("entities/events.yaml", EVENTS);
    harness.write(
        "entities/alerts.yaml",
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: alerts\nspec:\n  distributeShardsLike: events\n",
    );
    let run = harness.run(&["apply", "--create-database"]);
    assert_eq!(run.status, 0, "{run:?}");
    let alerts = harness.get("/_api/collection/alerts/properties");
    assert_eq!(
        (
            &alerts["distributeShardsLike"],
            &alerts["numberOfShards"],
            &alerts["replicationFactor"],
        ),
        (&json!("events"), &json!(3), &json!(2))
    );
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{plan:?}");

    // The prototype cannot be replaced while the follower points to it.
    harness.write(
        "entities/events.yaml",
        &EVENTS.replace("numberOfShards: 3", "numberOfShards: 4"),
    );
    let refused = harness.run(&["apply", "--allow-destructive"]);
    assert_ne!(refused.status, 0, "{refused:?}");
    assert!(
        refused.stdout.contains("BLOCKED: numberOfShards cannot change in place, and collection events cannot be dropped while alerts distribute their shards like it; migrate them by hand"),
        "{}",
        refused.stdout
    );
    harness.write("entities/events.yaml", EVENTS);

    // Pruned together, the follower goes first: a coordinator refuses to
    // drop a prototype others still follow (1485).
    // (Another spec stays: a tree with no spec at all is refused, and
    // dropping all that arangosync owns needs --allow-mass-prune.)
    harness.remove("entities/events.yaml");
    harness.remove("entities/alerts.yaml");
    harness.write(
        "entities/audit.yaml",
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: audit\n",
    );
    let pruned = harness.run(&[
        "apply",
        "--prune",
        "--allow-destructive",
        "--allow-mass-prune",
    ]);
    assert_eq!(pruned.status, 0, "{pruned:?}");
    for name in ["events", "alerts"] {
        assert_eq!(
            harness.get_status(&format!("/_api/collection/{name}")),
            404,
            "{name} is dropped"
        );
    }
}

#[test]
fn a_followers_replication_comes_from_its_prototype() {
    const ALERTS: &str = "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: alerts\nspec:\n  distributeShardsLike: events\n  replicationFactor: 2\n";
    let harness = coordinator();
    harness.write("entities/events.yaml", EVENTS);
    harness.write("entities/alerts.yaml", ALERTS);
    let run = harness.run(&["apply", "--create-database"]);
    assert_eq!(run.status, 0, "{run:?}");

    // A follower stating other sharding than its prototype is invalid
    // input: the coordinator would refuse to create it.
    harness.write(
        "entities/alerts.yaml",
        &ALERTS.replace("replicationFactor: 2", "replicationFactor: 3"),
    );
    let invalid = harness.run(&["plan"]);
    assert_eq!(invalid.status, 3, "{invalid:?}");
    assert!(
        invalid.stderr.contains(
            "collection `alerts`: replicationFactor is 3, but `events`, whose shards it distributes like, has 2"
        ),
        "{}",
        invalid.stderr
    );

    // Both changed together: only the prototype is updated (the server
    // refuses the follower's update, 403/11), and the run converges.
    harness.write(
        "entities/events.yaml",
        &EVENTS.replace("replicationFactor: 2", "replicationFactor: 3"),
    );
    let plan = harness.run(&["plan"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    assert!(
        plan.stdout.contains("~ collection events (update)"),
        "{}",
        plan.stdout
    );
    assert!(
        !plan.stdout.contains("collection alerts"),
        "{}",
        plan.stdout
    );
    let applied = harness.run(&["apply"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    assert_eq!(
        harness.get("/_api/collection/events/properties")["replicationFactor"],
        json!(3)
    );
    let again = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.status, 0, "{again:?}");
}
