//! A first apply's checks (issue 16): when the readiness wait finds no
//! database, the plan will create it and every feature of the specs, so
//! the query checks and the write-access check go out as soon as the specs
//! are checked, beside the read of the server's facts, instead of one
//! round trip after it. They are the same requests, judged the same way;
//! a narrowed first apply (`--phase pre`) sends none ahead.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::counts::{collection, spawn, text_plan_counts, text_report_counts, wait_for};
use crate::lock_history::set_faults;
use crate::support::Harness;

const QUERY: &str = "/_db/_system/_api/query";
const ACCESS: &str = "/_db/_system/_api/user/root/database/features";
const ENGINE: &str = "/_db/_system/_api/engine";

/// Collection alpha and feature `total` (one AQL function).
fn specs(harness: &Harness) {
    harness.write("alpha.yaml", &collection("alpha", "  waitForSync: true\n"));
    harness.write(
        "transformations/total_v1.aql",
        "-- Feature: total\n-- Version: 1\n-- Description: documents in alpha\n-- Owner: a@example.com\n-- Returns: one\nRETURN LENGTH(alpha)\n",
    );
}

/// How many requests the emulator saw to `path` (a full path).
fn sent(harness: &Harness, path: &str) -> u64 {
    harness.stats()["byPath"][path].as_u64().unwrap_or(0)
}

#[test]
fn a_first_apply_checks_its_query_and_access_while_the_server_facts_are_read() {
    let harness = Harness::new();
    specs(&harness);
    // The server's facts are read from `_system` (no database yet); their
    // engine answer is held for 3 s, so the plan cannot be made before.
    set_faults(
        &harness,
        json!({"mode": "delay", "delayMs": 3000, "count": 1, "method": "GET", "path": ENGINE}),
    );
    harness.reset_stats();
    let child = spawn(&harness, &["apply", "--create-database"]);
    wait_for("the held engine request", || sent(&harness, ENGINE) == 1);
    let held = Instant::now();
    // While it is held: the function probe of the facts and the feature's
    // query check, and the write-access check, have been sent already.
    // (Sent after the plan, as before, they would come 3 s later.)
    while !(sent(&harness, QUERY) == 2 && sent(&harness, ACCESS) == 1) {
        assert!(
            held.elapsed() < Duration::from_millis(2000),
            "the checks did not go out beside the read: {}",
            harness.stats()["byPath"]
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        sent(&harness, "/_db/_system/_api/database"),
        0,
        "nothing written before the plan: {}",
        harness.stats()["byPath"]
    );
    let output = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    // The database, the state collection, alpha, the function and its
    // registry entry.
    assert_eq!(text_plan_counts(&stdout), [5, 0, 0, 0], "{stdout}");
    assert_eq!(text_report_counts(&stderr), [5, 0, 0, 0], "{stderr}");
    // Each check once, not again after the plan.
    assert_eq!(sent(&harness, QUERY), 2, "{}", harness.stats()["byPath"]);
    assert_eq!(sent(&harness, ACCESS), 1, "{}", harness.stats()["byPath"]);
    let functions = harness.get("/_api/aqlfunction?namespace=FEATURES");
    assert_eq!(
        functions["result"][0]["name"], "FEATURES::TOTAL_V1",
        "{functions}"
    );
    harness.assert_lock_released(&stderr);
}

/// `PARTITION()` is new in 4.0: a 3.12 server rejects the query (1540),
/// which the local checks, not knowing the server's version before the
/// run, let through.
const PARTITION: &str =
    "-- Feature: user_pages\n-- Version: 1\nFOR u IN alpha\n  RETURN PARTITION(u.tags, 2)\n";

#[test]
fn a_query_the_server_rejects_stops_a_first_apply_before_the_database_is_created() {
    let harness = Harness::new();
    harness.write("alpha.yaml", &collection("alpha", "  waitForSync: true\n"));
    harness.write("user_pages_v1.aql", PARTITION);
    harness.reset_stats();
    let refused = harness.run(&["apply", "--create-database"]);
    assert_eq!(refused.status, 3, "{refused:?}");
    assert!(
        refused.stderr.contains(
            "user_pages_v1.aql:4:10: error[aql-unknown-function]: ArangoDB rejected the query (1540)"
        ),
        "{}",
        refused.stderr
    );
    assert!(
        refused
            .stderr
            .contains("the server rejected 1 quer(y/ies); nothing was changed"),
        "{}",
        refused.stderr
    );
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    let (status, _) = harness.api(reqwest::Method::GET, "/_db/features/_api/version", None);
    assert_eq!(status, 404, "no database was created");
}

#[test]
fn a_first_apply_of_the_pre_phase_sends_no_query_check() {
    // The plan of `--phase pre` holds no function: nothing of the
    // features is sent, ahead or after (only the facts' function probe).
    let harness = Harness::new();
    specs(&harness);
    harness.reset_stats();
    let apply = harness.run(&["apply", "--create-database", "--phase", "pre"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    // The database, the state collection, alpha.
    assert_eq!(text_report_counts(&apply.stderr), [3, 0, 0, 0], "{apply:?}");
    assert_eq!(sent(&harness, QUERY), 1, "{}", harness.stats()["byPath"]);
    assert_eq!(sent(&harness, ACCESS), 1, "{}", harness.stats()["byPath"]);
}

#[test]
fn a_first_dry_run_checks_the_query_but_not_the_write_access() {
    let harness = Harness::new();
    specs(&harness);
    harness.reset_stats();
    let dry = harness.run(&["apply", "--create-database", "--dry-run"]);
    assert_eq!(dry.status, 0, "{dry:?}");
    assert_eq!(text_plan_counts(&dry.stdout), [5, 0, 0, 0], "{dry:?}");
    assert_eq!(sent(&harness, QUERY), 2, "{}", harness.stats()["byPath"]);
    assert_eq!(sent(&harness, ACCESS), 0, "{}", harness.stats()["byPath"]);
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
}

#[test]
fn a_read_only_user_is_refused_before_a_first_apply_writes() {
    // Read-only on every database, the one to be created included.
    let harness = Harness::new();
    let (status, body) = harness.api(
        reqwest::Method::POST,
        "/_api/user",
        Some(json!({"user": "ci", "passwd": "ci-pw"})),
    );
    assert_eq!(status, 201, "{body}");
    let (status, body) = harness.api(
        reqwest::Method::PUT,
        "/_api/user/ci/database/*",
        Some(json!({"grant": "ro"})),
    );
    assert_eq!(status, 200, "{body}");
    specs(&harness);
    harness.reset_stats();
    let apply = harness.run_as("ci", "ci-pw", &["apply", "--create-database"]);
    assert_eq!(apply.status, 1, "{apply:?}");
    assert!(
        apply
            .stderr
            .contains("user \"ci\" has read-only access to database \"features\""),
        "{}",
        apply.stderr
    );
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    assert_eq!(
        sent(&harness, "/_db/_system/_api/user/ci/database/features"),
        1,
        "{}",
        harness.stats()["byPath"]
    );
}
