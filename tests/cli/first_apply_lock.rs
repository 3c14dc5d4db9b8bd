//! A first apply's lock (issue 16): a run that found no database, created
//! it (the server answered 201) and took the apply lock by inserting it
//! (no lock document existed) applies the plan it showed without reading
//! the database again: no other arangosync run of this version can have
//! held the lock there. What someone else may have made in the new
//! database meanwhile is looked for by name before anything is written,
//! and a database the run found made by someone else, or a lock it did
//! not insert, makes it read the database again under the lock.

use serde_json::json;

use crate::counts::{
    collection, requests_to, spawn, text_plan_counts, text_report_counts, wait_for,
};
use crate::lock_history::{
    a_prune_keeps_alpha, released_lock, schema_reads, set_faults, ALPHA_VANISHED,
};
use crate::support::{Harness, ROOT_PASSWORD};

const LOCK: &str = "/_api/document/_arangosync/lock";
const STATE: &str = "/_api/document/_arangosync";

/// Specs of collection alpha with a persistent index, and of feature
/// `total` (served as an AQL function).
fn specs(harness: &Harness) {
    harness.write(
        "alpha.yaml",
        &collection(
            "alpha",
            "  waitForSync: true\n  indexes:\n    - {type: persistent, name: by_day, fields: [day]}\n",
        ),
    );
    harness.write(
        "transformations/total_v1.aql",
        "-- Feature: total\n-- Version: 1\n-- Description: documents in alpha\n-- Owner: a@example.com\n-- Returns: one\nRETURN LENGTH(alpha)\n",
    );
}

/// The requests the emulator saw, by path (without the database prefix
/// for `features`), for the assertion messages.
fn by_path(harness: &Harness) -> String {
    harness.stats()["byPath"].to_string()
}

/// Alpha as the specs have it, its index, the function, and a plan with
/// nothing left; alpha and its index recorded as arangosync's.
fn assert_applied(harness: &Harness) {
    assert_eq!(
        harness.get("/_api/collection/alpha/properties")["waitForSync"],
        true
    );
    let indexes = harness.indexes("alpha");
    assert_eq!(indexes.len(), 1, "{indexes:?}");
    assert_eq!(indexes[0]["name"], "by_day", "{indexes:?}");
    let functions = harness.get("/_api/aqlfunction?namespace=FEATURES");
    assert_eq!(
        functions["result"][0]["name"], "FEATURES::TOTAL_V1",
        "{functions}"
    );
    let owned = harness.post(
        "/_api/cursor",
        json!({"query": "FOR d IN _arangosync FILTER d.type == 'owned' SORT d._key RETURN d._key"}),
    );
    assert_eq!(
        owned["result"].as_array().map(Vec::len),
        Some(2),
        "alpha and its index: {owned}"
    );
    let again = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.status, 0, "{again:?}");
}

#[test]
fn a_first_apply_that_creates_the_database_and_inserts_the_lock_does_not_read_the_database() {
    let harness = Harness::new();
    specs(&harness);
    let apply = harness.run_with_env(
        "root",
        ROOT_PASSWORD,
        &[("ARANGOSYNC_LOG", "arangosync=debug")],
        &["apply", "--create-database"],
    );
    assert_eq!(apply.status, 0, "{apply:?}");
    assert!(
        apply.stderr.contains(
            "not reading the database again under the lock: this run created the database and \
             took the lock by inserting it, so no other run held it there, and no object the \
             plan creates exists yet"
        ),
        "{apply:?}"
    );
    // The database, the state collection, alpha, its index, the function
    // and its registry entry.
    assert_eq!(text_plan_counts(&apply.stdout), [6, 0, 0, 0], "{apply:?}");
    assert_eq!(text_report_counts(&apply.stderr), [6, 0, 0, 0], "{apply:?}");
    // The schema was never read: there was no database before, and none
    // is read under the lock.
    assert_eq!(schema_reads(&harness), 0, "{}", by_path(&harness));
    // The names the plan creates were looked for once, after the lock
    // was taken: one listing of the collections, besides the creates of
    // the state collection and of alpha, and one of the functions,
    // besides the function's registration.
    assert_eq!(
        requests_to(&harness, "/_api/collection"),
        3,
        "{}",
        by_path(&harness)
    );
    assert_eq!(
        requests_to(&harness, "/_api/aqlfunction"),
        2,
        "{}",
        by_path(&harness)
    );
    // The lock: inserted (a POST to the state collection) and given back
    // by one replace; not looked at before the read, and the database
    // not asked for its role: the readiness wait found no database.
    assert_eq!(requests_to(&harness, LOCK), 1, "{}", by_path(&harness));
    assert_eq!(
        requests_to(&harness, "/_admin/server/role"),
        0,
        "{}",
        by_path(&harness)
    );
    // Every request: the readiness wait (2); the server's facts from
    // `_system` (role, functions, version, engine, the function probe:
    // 5); the query check and the access check (2); the database, the
    // state collection, the lock (3); the listings (2); the pending
    // records of alpha and its index (one write before the first create),
    // the ownership records when the run ends, the registry entry (3);
    // alpha, its index, the function (3); the lock's release (1).
    assert_eq!(harness.stats()["total"], 21, "{}", by_path(&harness));
    harness.assert_lock_released(&apply.stderr);
    assert_applied(&harness);
}

/// Specs of collection alpha alone.
fn alpha_only(harness: &Harness) {
    harness.write("alpha.yaml", &collection("alpha", "  waitForSync: true\n"));
}

/// Starts a first apply whose first request matching `method` and `path`
/// the server holds for `delay_ms` before carrying it out; returns once
/// that request was sent.
fn first_apply_holding(
    harness: &Harness,
    method: &str,
    path: &str,
    delay_ms: u64,
) -> std::process::Child {
    set_faults(
        harness,
        json!({"mode": "delay", "delayMs": delay_ms, "count": 1, "method": method, "path": path}),
    );
    harness.reset_stats();
    let child = spawn(harness, &["apply", "--create-database"]);
    wait_for("the held request", || {
        harness.stats()["byPath"]
            .as_object()
            .is_some_and(|paths| paths.keys().any(|sent| sent.ends_with(path)))
    });
    child
}

/// Stdout and stderr of a finished run, after checking it exited 0.
fn succeeded(child: std::process::Child) -> (String, String) {
    let output = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    (stdout, stderr)
}

#[test]
fn a_collection_made_by_hand_in_the_new_database_before_the_lock_makes_the_run_read_it_and_stays_unowned(
) {
    // The run created the database and inserts the lock, but while that
    // insert is held someone creates alpha by hand. Alpha's create would
    // meet the name taken and count as done, making alpha arangosync's:
    // the run must see it before writing and plan again instead.
    let harness = Harness::new();
    alpha_only(&harness);
    let child = first_apply_holding(&harness, "POST", STATE, 1500);
    harness.post(
        "/_api/collection",
        json!({"name": "alpha", "waitForSync": true}),
    );
    let (stdout, stderr) = succeeded(child);
    // The database, the state collection, alpha.
    assert_eq!(text_plan_counts(&stdout), [3, 0, 0, 0], "{stdout}");
    // Looked for (one listing), found, read again.
    assert_eq!(schema_reads(&harness), 1, "{}", by_path(&harness));
    assert!(stderr.contains(ALPHA_VANISHED), "{stderr}");
    assert!(
        stderr.contains(" INFO apply finished changes=2 create=2 "),
        "only the database and the state collection: {stderr}"
    );
    harness.assert_lock_released(&stderr);
    a_prune_keeps_alpha(&harness);
}

/// A function of the specs' feature `total` made by hand, with other code
/// than the feature's.
fn function_by_hand(harness: &Harness) {
    harness.post(
        "/_api/aqlfunction",
        json!({"name": "FEATURES::TOTAL_V1", "code": "function () { return 0; }"}),
    );
}

/// After the run: the function is the feature's, and nothing is left to
/// do.
fn assert_function_converged(harness: &Harness, stderr: &str) {
    let functions = harness.get("/_api/aqlfunction?namespace=FEATURES");
    assert!(
        functions["result"][0]["code"]
            .as_str()
            .is_some_and(|code| code.contains("LENGTH(alpha)")),
        "{functions}\n{stderr}"
    );
    harness.assert_lock_released(stderr);
    let again = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.status, 0, "{again:?}");
}

#[test]
fn a_function_made_by_hand_in_the_new_database_before_the_lock_makes_the_run_read_it_again() {
    // The run created the database and inserts the lock, but while that
    // insert is held someone registers the feature's function with other
    // code. The listing of functions finds it: the run reads the database
    // again and says the function changed, instead of overwriting it as a
    // create.
    let harness = Harness::new();
    specs(&harness);
    let child = first_apply_holding(&harness, "POST", STATE, 1500);
    function_by_hand(&harness);
    let (stdout, stderr) = succeeded(child);
    assert_eq!(text_plan_counts(&stdout), [6, 0, 0, 0], "{stdout}");
    assert_eq!(schema_reads(&harness), 1, "{}", by_path(&harness));
    assert!(
        stderr.contains(
            " WARN the plan made under the lock differs from the plan shown change=function FEATURES::TOTAL_V1 action=\"update\" difference=\"changed\""
        ),
        "{stderr}"
    );
    assert!(stderr.contains(" as_planned=false"), "{stderr}");
    assert_function_converged(&harness, &stderr);
}

#[test]
fn a_database_someone_else_created_first_is_read_again_under_the_lock() {
    // Between the run's read (no database) and its create, someone else
    // creates the database, with a function of the specs in it. The
    // create finds the database (1207), so the run did not make it: it
    // reads it again under the lock and plans the function anew.
    let harness = Harness::new();
    specs(&harness);
    let child = first_apply_holding(&harness, "POST", "/_db/_system/_api/database", 1500);
    let (status, body) = harness.api(
        reqwest::Method::POST,
        "/_db/_system/_api/database",
        Some(json!({"name": "features"})),
    );
    assert_eq!(status, 201, "{body}");
    function_by_hand(&harness);
    let (stdout, stderr) = succeeded(child);
    assert_eq!(text_plan_counts(&stdout), [6, 0, 0, 0], "{stdout}");
    assert_eq!(schema_reads(&harness), 1, "{}", by_path(&harness));
    assert!(
        stderr.contains(
            " WARN the plan made under the lock differs from the plan shown change=function FEATURES::TOTAL_V1"
        ),
        "{stderr}"
    );
    assert_function_converged(&harness, &stderr);
}

#[test]
fn a_lock_another_run_held_in_the_new_database_makes_the_run_read_it_again() {
    // The run created the database, but while its insert of the lock is
    // held another run takes the lock, makes the function, and gives the
    // lock back (a released lock document): the run's insert meets it, so
    // the lease is not a first insert and the run reads the database
    // again (no listing would have found the function).
    let harness = Harness::new();
    specs(&harness);
    let child = first_apply_holding(&harness, "POST", STATE, 1500);
    function_by_hand(&harness);
    let mut lock = released_lock();
    lock["_key"] = json!("lock");
    harness.post(STATE, lock);
    let (stdout, stderr) = succeeded(child);
    assert_eq!(text_plan_counts(&stdout), [6, 0, 0, 0], "{stdout}");
    assert_eq!(schema_reads(&harness), 1, "{}", by_path(&harness));
    assert!(
        stderr.contains(
            " WARN the plan made under the lock differs from the plan shown change=function FEATURES::TOTAL_V1"
        ),
        "{stderr}"
    );
    assert!(
        !stderr.contains("waiting for another arangosync run"),
        "{stderr}"
    );
    assert_function_converged(&harness, &stderr);
}
