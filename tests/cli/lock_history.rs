//! The apply lock's history (issue 16): a run gives the lock back by
//! leaving a released lock document, and a run that saw that very document
//! before it read the database, and takes the lock from it, applies the
//! plan it showed without reading the database again; in every other case
//! (another run took the lock in between, a lock of an older arangosync)
//! it reads again under the lock and plans again.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::counts::{
    collection, delete_lock, requests_to, spawn, text_plan_counts, text_report_counts, wait_for,
};
use crate::support::Harness;

const LOCK: &str = "/_api/document/_arangosync/lock";

/// The warning of a run that planned to create alpha and found it made
/// meanwhile.
pub(crate) const ALPHA_VANISHED: &str = " WARN the plan made under the lock differs from the plan shown change=collection alpha action=\"create\" difference=\"vanished\"";

/// Another run's lock, given back as a run of this version leaves it.
pub(crate) fn released_lock() -> Value {
    json!({
        "type": "lock",
        "released": true,
        "releasedAt": "2026-01-01T00:00:01Z",
        "holder": "other-host pid 1 (00000000)",
        "expiresAt": 0,
        "ttlSeconds": 0,
    })
}

/// How often the run read the schema (the single server's inventory).
pub(crate) fn schema_reads(harness: &Harness) -> u64 {
    requests_to(harness, "/_api/replication/inventory")
}

/// A database with collection gamma that arangosync created, and the
/// specs of alpha besides: the next apply creates alpha.
fn after_a_first_apply() -> Harness {
    let harness = Harness::new();
    harness.write("gamma.yaml", &collection("gamma", "  waitForSync: false\n"));
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    harness.assert_lock_released(&first.stderr);
    harness.write("alpha.yaml", &collection("alpha", "  waitForSync: true\n"));
    harness
}

pub(crate) fn set_faults(harness: &Harness, plan: Value) {
    let (status, body) = harness.api(reqwest::Method::PUT, "/_emulator/faults", Some(plan));
    assert_eq!(status, 200, "{body}");
}

/// Starts an apply whose replace of the released lock it saw (its first
/// PUT of the lock) the server holds for `delay_ms` before carrying it
/// out; returns once that replace was sent (the GET before the read, then
/// the held replace).
fn apply_holding_its_lock_replace(harness: &Harness, delay_ms: u64) -> std::process::Child {
    set_faults(
        harness,
        json!({"mode": "delay", "delayMs": delay_ms, "count": 1, "method": "PUT", "path": "_arangosync/lock"}),
    );
    harness.reset_stats();
    let child = spawn(harness, &["apply", "--concurrency", "1"]);
    wait_for("the run's attempt to take the lock", || {
        requests_to(harness, LOCK) >= 2
    });
    child
}

#[test]
fn an_apply_that_takes_the_released_lock_it_saw_does_not_read_the_database_again() {
    let harness = after_a_first_apply();
    let released = harness.get(LOCK);
    harness.reset_stats();
    let apply = harness.run_with_env(
        "root",
        crate::support::ROOT_PASSWORD,
        &[("ARANGOSYNC_LOG", "arangosync=debug")],
        &["apply"],
    );
    assert_eq!(apply.status, 0, "{apply:?}");
    assert_eq!(schema_reads(&harness), 1, "{apply:?}");
    assert!(
        apply
            .stderr
            .contains("not reading the database again under the lock"),
        "{apply:?}"
    );
    assert_eq!(text_plan_counts(&apply.stdout), [1, 0, 0, 0], "{apply:?}");
    assert_eq!(text_report_counts(&apply.stderr), [1, 0, 0, 0], "{apply:?}");
    assert_eq!(
        harness.get("/_api/collection/alpha/properties")["waitForSync"],
        true
    );
    // Seen, taken from the document the first run left (one replace
    // guarded by its revision, no insert) and released: three requests.
    assert_eq!(
        requests_to(&harness, LOCK),
        3,
        "a GET and two PUTs of the lock: {}",
        harness.stats()
    );
    harness.assert_lock_released(&apply.stderr);
    let lock = harness.get(LOCK);
    assert_ne!(lock["_rev"], released["_rev"]);
    assert_ne!(lock["holder"], released["holder"], "{lock} {released}");
    let again = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.status, 0, "{again:?}");
}

#[test]
fn a_first_apply_reads_the_database_again_under_the_lock() {
    // No lock document yet (as after an older arangosync, which deletes
    // it): its absence proves nothing.
    let harness = after_a_first_apply();
    delete_lock(&harness);
    harness.reset_stats();
    let apply = harness.run(&["apply"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    assert_eq!(schema_reads(&harness), 2, "{apply:?}");
    harness.assert_lock_released(&apply.stderr);
}

#[test]
fn a_lock_taken_and_released_by_another_run_after_it_was_seen_makes_the_run_plan_again() {
    let harness = after_a_first_apply();
    // The run's replace of the released lock it saw (its first PUT of the
    // lock) is held 2 s before the server carries it out: meanwhile
    // another run takes the lock, creates alpha as the specs say and
    // releases the lock.
    let child = apply_holding_its_lock_replace(&harness, 2000);
    let started = Instant::now();
    let other = crate::signals::foreign_lock("2026-01-01T00:00:00Z", 4_000_000_000, 600, 0);
    harness.put(LOCK, other);
    harness.post(
        "/_api/collection",
        json!({"name": "alpha", "waitForSync": true}),
    );
    harness.put(LOCK, released_lock());
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "the other run finished while the replace was held"
    );
    let output = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert_eq!(schema_reads(&harness), 2, "{stderr}");
    assert_eq!(text_plan_counts(&stdout), [1, 0, 0, 0], "{stdout}");
    assert!(stderr.contains(ALPHA_VANISHED), "{stderr}");
    assert!(
        stderr.contains(" INFO apply finished changes=0 "),
        "another run made the change: {stderr}"
    );
    assert!(
        !stderr.contains("waiting for another arangosync run"),
        "{stderr}"
    );
    harness.assert_lock_released(&stderr);
    let again = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.status, 0, "{again:?}");
}

#[test]
fn a_lock_an_older_arangosync_holds_is_waited_for_and_the_database_read_again() {
    // An older arangosync's lock: no `released`, deleted on release.
    let harness = after_a_first_apply();
    delete_lock(&harness);
    harness.post(
        "/_api/document/_arangosync",
        json!({
            "_key": "lock",
            "type": "lock",
            "holder": "old-host pid 7 (0000000a)",
            "acquiredAt": "2026-01-01T00:00:00Z",
            "expiresAt": 4_000_000_000u64,
            "ttlSeconds": 600,
        }),
    );
    harness.reset_stats();
    let child = spawn(&harness, &["apply", "--lock-timeout", "60"]);
    wait_for("the wait for the lock", || {
        requests_to(&harness, "/_api/document/_arangosync") > 0
    });
    // The older run changes the database and gives the lock back.
    harness.post(
        "/_api/collection",
        json!({"name": "alpha", "waitForSync": false}),
    );
    delete_lock(&harness);
    let output = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert_eq!(schema_reads(&harness), 2, "{stderr}");
    // Planned again: alpha exists now, with another waitForSync.
    assert!(
        stderr.contains("change=collection alpha action=\"update\" difference=\"changed\""),
        "{stderr}"
    );
    assert_eq!(
        harness.get("/_api/collection/alpha/properties")["waitForSync"],
        true
    );
    harness.assert_lock_released(&stderr);
}

#[test]
fn the_released_lock_reads_as_expired_to_an_older_arangosync() {
    // An older arangosync takes any lock document for a held lease of
    // `ttlSeconds` (or until `expiresAt`): the released one is over.
    let harness = after_a_first_apply();
    let lock = harness.get(LOCK);
    assert_eq!(lock["ttlSeconds"], 0, "{lock}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    assert!(
        lock["expiresAt"].as_u64().is_some_and(|at| at <= now),
        "{lock}"
    );
    assert!(lock["releasedAt"].as_str().is_some(), "{lock}");
    assert!(
        lock["holder"]
            .as_str()
            .is_some_and(|holder| holder.contains(" pid ")),
        "{lock}"
    );
    // Nothing reads it as an object arangosync owns or a registry entry.
    let features = harness.run(&["features", "list"]);
    assert_eq!(features.status, 0, "{features:?}");
}

#[test]
fn a_collection_made_by_hand_before_the_lock_is_taken_makes_the_run_plan_again_and_stays_unowned() {
    // No other run holds the lock, so the run takes the very released lock
    // it saw; but while its replace is held, someone creates alpha by hand.
    // Its create would meet the name taken and count as done, making alpha
    // arangosync's (and `--prune` would drop it with its documents): the
    // run must see alpha before writing and plan again instead.
    let harness = after_a_first_apply();
    let child = apply_holding_its_lock_replace(&harness, 1500);
    harness.post(
        "/_api/collection",
        json!({"name": "alpha", "waitForSync": true}),
    );
    let output = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert_eq!(text_plan_counts(&stdout), [1, 0, 0, 0], "{stdout}");
    assert_eq!(schema_reads(&harness), 2, "read again: {stderr}");
    assert!(stderr.contains(ALPHA_VANISHED), "{stderr}");
    assert!(
        stderr.contains(" INFO apply finished changes=0 "),
        "{stderr}"
    );
    harness.assert_lock_released(&stderr);
    a_prune_keeps_alpha(&harness);
}

/// Collection alpha is not arangosync's: no prune plans to drop it, with
/// or without its spec.
pub(crate) fn a_prune_keeps_alpha(harness: &Harness) {
    let prune = harness.run(&["plan", "--prune", "--detailed-exitcode"]);
    assert_eq!(prune.status, 0, "{prune:?}");
    harness.remove("alpha.yaml");
    let prune = harness.run(&["plan", "--prune"]);
    assert!(!prune.stdout.contains("- collection alpha"), "{prune:?}");
}
