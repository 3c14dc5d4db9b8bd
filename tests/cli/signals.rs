//! Signals and the apply lock (issue 11, items 2 and 3): SIGTERM/SIGINT
//! during an apply or while waiting for the lock stop the run cleanly
//! (lock released, report, 143/130), and the lease never depends on two
//! machines' clocks agreeing.

use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use arangodb_emulator::Config;
use serde_json::{json, Value};

use crate::support::{example_features, Harness, ROOT_PASSWORD};

const LOCK: &str = "/_api/document/_arangosync/lock";

fn features_dir() -> String {
    example_features().to_str().expect("utf-8").to_string()
}

fn set_faults(harness: &Harness, plan: Value) {
    let response = reqwest::blocking::Client::new()
        .put(format!("{}/_emulator/faults", harness.emulator.url()))
        .json(&plan)
        .send()
        .expect("faults");
    assert_eq!(response.status(), 200, "{:?}", response.text());
}

fn clear_faults(harness: &Harness) {
    reqwest::blocking::Client::new()
        .delete(format!("{}/_emulator/faults", harness.emulator.url()))
        .send()
        .expect("clear faults");
}

/// Starts `arangosync ARGS` as root, its output piped.
fn spawn(harness: &Harness, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_arangosync"))
        .args(args)
        .env_clear()
        .env("ARANGO_HOST", harness.emulator.url())
        .env("ARANGO_DATABASE", "features")
        .env("ARANGO_USER", "root")
        .env("ARANGO_PASSWORD", ROOT_PASSWORD)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("arangosync starts")
}

fn send(child: &Child, signal: i32) {
    let pid = i32::try_from(child.id()).expect("pid");
    // SAFETY: kill(2) on our own child's pid; no memory is involved.
    let result = unsafe { libc::kill(pid, signal) };
    assert_eq!(result, 0, "kill failed");
}

/// How often the emulator has seen requests to `path` (of the `features`
/// database).
fn requests_to(harness: &Harness, path: &str) -> u64 {
    harness.stats()["byPath"][format!("/_db/features{path}")]
        .as_u64()
        .unwrap_or(0)
}

/// Waits (up to 30 s) until `condition` holds.
fn wait_for(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(20));
    }
}

/// The exit status and stderr of a finished child.
fn finish(child: Child) -> (i32, String) {
    let output = child.wait_with_output().expect("wait");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Signals an apply of the example tree once its index stage runs, with
/// every index request held `hold_ms`; checks the stop and that a second
/// apply converges at once. Returns the first run's stderr.
fn stop_mid_apply(signal: i32, expected_status: i32, name: &str, hold_ms: u64) -> String {
    let harness = Harness::new();
    harness.create_database();
    set_faults(
        &harness,
        json!({"mode": "delay", "delayMs": hold_ms, "count": 1000, "path": "/_api/index"}),
    );
    let dir = features_dir();
    let child = spawn(
        &harness,
        &[
            "apply",
            "--dir",
            &dir,
            "--concurrency",
            "2",
            "--lock-ttl",
            "120",
        ],
    );
    wait_for("the first index request", || {
        requests_to(&harness, "/_api/index") > 0
    });
    let collections_before = harness.get("/_api/collection")["result"]
        .as_array()
        .expect("collections")
        .len();
    let signalled = Instant::now();
    send(&child, signal);
    let (status, stderr) = finish(child);
    let took = signalled.elapsed();
    assert_eq!(status, expected_status, "{stderr}");
    // Running requests get the 5 s grace, no more.
    assert!(took < Duration::from_secs(8), "took {took:?}: {stderr}");
    assert!(
        stderr.contains(&format!("error: apply stopped by {name} after ")),
        "{stderr}"
    );
    assert!(
        stderr.contains(" not started); re-run apply to converge:\n"),
        "{stderr}"
    );
    assert!(stderr.contains(": not started\n"), "{stderr}");
    // No new step after the signal: not one more collection, no function.
    assert_eq!(
        harness.get("/_api/collection")["result"]
            .as_array()
            .expect("collections")
            .len(),
        collections_before,
        "{stderr}"
    );
    assert!(
        harness.get("/_api/aqlfunction?namespace=FEATURES")["result"]
            .as_array()
            .expect("functions")
            .is_empty(),
        "{stderr}"
    );
    // The lease was given back.
    harness.assert_lock_released(&stderr);

    clear_faults(&harness);
    let started = Instant::now();
    let second = harness.run(&["apply", "--dir", &dir, "--lock-timeout", "1"]);
    assert_eq!(second.status, 0, "{second:?}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(!second.stderr.contains("waiting for another"), "{second:?}");
    let plan = harness.run(&["plan", "--dir", &dir, "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    harness.assert_lock_released("");
    stderr
}

#[test]
fn sigterm_mid_apply_lets_running_requests_finish_releases_the_lock_and_exits_143() {
    let stderr = stop_mid_apply(libc::SIGTERM, 143, "SIGTERM", 1500);
    // Requests held 1.5 s finish within the grace: none is abandoned.
    assert!(!stderr.contains("abandoned"), "{stderr}");
}

#[test]
fn sigint_mid_apply_abandons_requests_past_the_grace_and_exits_130() {
    let stderr = stop_mid_apply(libc::SIGINT, 130, "SIGINT", 20_000);
    // With --concurrency 2, exactly the two running index creations are
    // abandoned; the ones waiting for their turn never started.
    assert_eq!(
        stderr
            .matches(
                ": still running when the stop's grace ran out; abandoned, its outcome is unknown\n"
            )
            .count(),
        2,
        "{stderr}"
    );
}

/// A lock of another run, as that run's arangosync writes it.
pub(crate) fn foreign_lock(
    acquired_at: &str,
    expires_at: u64,
    ttl_seconds: u64,
    renewals: u64,
) -> Value {
    json!({
        "_key": "lock",
        "type": "lock",
        "holder": "other-host pid 1 (00000000)",
        "acquiredAt": acquired_at,
        "expiresAt": expires_at,
        "ttlSeconds": ttl_seconds,
        "renewals": renewals,
    })
}

fn prepare_state(harness: &Harness) {
    harness.create_database();
    harness.post(
        "/_api/collection",
        json!({"name": "_arangosync", "isSystem": true}),
    );
}

#[test]
fn sigterm_while_waiting_for_the_lock_exits_143_at_once_and_leaves_the_other_lock() {
    let harness = Harness::new();
    prepare_state(&harness);
    harness.post(
        "/_api/document/_arangosync",
        foreign_lock("2026-01-01T00:00:00Z", 4_000_000_000, 600, 0),
    );
    // That insert is not the run's.
    harness.reset_stats();
    let dir = features_dir();
    let child = spawn(&harness, &["apply", "--dir", &dir, "--lock-timeout", "60"]);
    // The insert into the state collection is the attempt to take the
    // lock (a GET of it before the database is read comes earlier).
    wait_for("the wait for the lock", || {
        requests_to(&harness, "/_api/document/_arangosync") > 0
    });
    let signalled = Instant::now();
    send(&child, libc::SIGTERM);
    let (status, stderr) = finish(child);
    assert_eq!(status, 143, "{stderr}");
    assert!(signalled.elapsed() < Duration::from_secs(3), "{stderr}");
    assert!(
        stderr.contains(
            "error: stopped by SIGTERM while waiting for the apply lock; nothing was changed"
        ),
        "{stderr}"
    );
    assert_eq!(
        harness.get(LOCK)["holder"],
        "other-host pid 1 (00000000)",
        "the other run's lock stays"
    );
    assert_eq!(harness.get_status("/_api/collection/users"), 404);
}

#[test]
fn sigint_while_planning_exits_130_promptly() {
    let harness = Harness::with_config(Config {
        latency: Duration::from_millis(400),
        profile: crate::support::example_profile(),
        ..Config::default()
    });
    harness.create_database();
    let dir = features_dir();
    let child = spawn(&harness, &["apply", "--dir", &dir]);
    wait_for("the first request", || {
        harness.stats()["total"].as_u64() > Some(1)
    });
    let signalled = Instant::now();
    send(&child, libc::SIGINT);
    let (status, stderr) = finish(child);
    assert_eq!(status, 130, "{stderr}");
    assert!(signalled.elapsed() < Duration::from_secs(3), "{stderr}");
    assert!(
        stderr.contains(
            "error: stopped by SIGINT before applying the plan; nothing of the plan was applied"
        ),
        "{stderr}"
    );
    assert_eq!(harness.get_status("/_api/collection/users"), 404);
    assert_eq!(harness.get_status(LOCK), 404);
}

#[test]
fn a_live_lease_written_by_a_clock_far_behind_is_not_taken_over() {
    // Another run's lease whose wall-clock expiry lies far in our past (its
    // clock is behind ours, or ours runs ahead), renewed every 300 ms.
    let harness = Harness::new();
    prepare_state(&harness);
    harness.post(
        "/_api/document/_arangosync",
        foreign_lock("2001-01-01T00:00:00Z", 1, 2, 0),
    );
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let renewer = {
        let stop = stop.clone();
        let url = harness.emulator.url().to_string();
        thread::spawn(move || {
            let http = reqwest::blocking::Client::new();
            let mut renewals = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                renewals += 1;
                http.put(format!("{url}/_db/features{LOCK}"))
                    .basic_auth("root", Some(ROOT_PASSWORD))
                    .json(&foreign_lock("2001-01-01T00:00:00Z", 1, 2, renewals))
                    .send()
                    .expect("renew");
                thread::sleep(Duration::from_millis(300));
            }
        })
    };
    let dir = features_dir();
    let run = harness.run(&["apply", "--dir", &dir, "--lock-timeout", "4"]);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    renewer.join().expect("renewer");
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr.contains(
            "error: another arangosync run holds the lock on database \"features\": other-host pid 1 (00000000), since 2001-01-01T00:00:00Z; its lease (2s) was last renewed "
        ),
        "{run:?}"
    );
    assert_eq!(harness.get(LOCK)["holder"], "other-host pid 1 (00000000)");
    assert_eq!(harness.get_status("/_api/collection/users"), 404);
}

#[test]
fn a_dead_lease_written_by_a_clock_far_ahead_is_taken_over_after_its_ttl() {
    // A crashed run whose clock ran far ahead: its wall-clock expiry is in
    // the year 2096. It is taken over once unchanged for its TTL (2 s) as
    // measured here, not at 2096.
    let harness = Harness::new();
    prepare_state(&harness);
    harness.post(
        "/_api/document/_arangosync",
        foreign_lock("2096-01-01T00:00:00Z", 3_976_000_000, 2, 0),
    );
    let dir = features_dir();
    let started = Instant::now();
    let run = harness.run(&["apply", "--dir", &dir, "--lock-timeout", "30"]);
    assert_eq!(run.status, 0, "{run:?}");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(10),
        "{took:?}"
    );
    assert!(
        run.stderr.contains("took over a stale apply lock"),
        "{run:?}"
    );
    harness.assert_lock_released("");
    let plan = harness.run(&["plan", "--dir", &dir, "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{plan:?}");
}

#[test]
fn a_holder_whose_renewals_fail_stops_writing_before_its_lease_could_pass() {
    // Every request to the lock document fails.
    renewal_trouble(
        json!({"mode": "status", "status": 503, "count": 1000, "path": "_arangosync/lock"}),
    );
}

#[test]
fn a_holder_whose_renewal_hangs_stops_writing_before_its_lease_could_pass() {
    // The first renewal is held 20 s: it would succeed long after the
    // lease could have passed to another run.
    renewal_trouble(
        // (a PUT: the run's look at the lock before it reads the database
        // is a GET).
        json!({"mode": "delay", "delayMs": 20_000, "count": 1, "method": "PUT", "path": "_arangosync/lock"}),
    );
}

/// Applies the example tree with a 3 s lease while `fault` hits the lock
/// document; every request takes 200 ms, so the apply would run far longer
/// than the lease. Checks that nothing but the lock release reached the
/// server after the lease could have passed.
fn renewal_trouble(fault: Value) {
    let harness = Harness::with_config(Config {
        latency: Duration::from_millis(200),
        profile: crate::support::example_profile(),
        ..Config::default()
    });
    harness.create_database();
    set_faults(&harness, fault);
    let dir = features_dir();
    let child = spawn(
        &harness,
        &[
            "apply",
            "--dir",
            &dir,
            "--concurrency",
            "1",
            "--lock-ttl",
            "3",
            "--retries",
            "1",
        ],
    );
    // The lock insert (a POST to the state collection) marks the start of
    // the lease; the request is recorded as it arrives, after it was sent.
    wait_for("the lock insert", || {
        requests_to(&harness, "/_api/document/_arangosync") > 0
    });
    let lease_start = Instant::now();
    thread::sleep(Duration::from_secs(3).saturating_sub(lease_start.elapsed()));
    let at_ttl = harness.stats();
    let (status, stderr) = finish(child);
    let after = harness.stats();
    assert_eq!(status, 1, "{stderr}");
    assert!(
        stderr.contains("error: apply stopped by the loss of the apply lock after "),
        "{stderr}"
    );
    assert!(stderr.contains(": not started\n"), "{stderr}");
    // After the lease could have passed, only requests to the lock
    // document itself (the release attempt) reached the server.
    let writes =
        after["writes"].as_u64().expect("writes") - at_ttl["writes"].as_u64().expect("writes");
    let lock_path = format!("/_db/features{LOCK}");
    let lock_requests = after["byPath"][&lock_path].as_u64().unwrap_or(0)
        - at_ttl["byPath"][&lock_path].as_u64().unwrap_or(0);
    assert!(
        writes <= lock_requests,
        "{writes} write(s) after the lease ran out: {at_ttl} then {after}"
    );
    // The run stopped early: a second apply still has work to do and does it.
    clear_faults(&harness);
    let plan = harness.run(&["plan", "--dir", &dir, "--detailed-exitcode"]);
    assert_eq!(plan.status, 2, "{plan:?}");
    let second = harness.run(&["apply", "--dir", &dir, "--lock-timeout", "10"]);
    assert_eq!(second.status, 0, "{second:?}");
}
