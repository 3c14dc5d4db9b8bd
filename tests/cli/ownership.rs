//! Ownership is never lost between a create request and its answer: a
//! create whose answer is lost (connection reset after the write) or whose
//! run is killed (SIGKILL while the answer is held) still ends up owned, so
//! later spec changes to the object are applied and `--prune` drops it; and
//! an index build slower than `--timeout` is waited for.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{Harness, Run, ROOT_PASSWORD};

/// Collections that stay in every version of the specs, so that the
/// prune below removes a small share of what arangosync owns.
const KEEP: [&str; 6] = ["keep1", "keep2", "keep3", "keep4", "keep5", "keep6"];

fn collection(name: &str, spec: &str) -> String {
    format!(
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: {name}\nspec:\n{spec}---\n"
    )
}

/// Version 1: a named and an unnamed index, an edge collection, a graph.
fn specs_v1(harness: &Harness) {
    let mut text = String::new();
    for name in KEEP {
        text.push_str(&collection(name, "  waitForSync: false\n"));
    }
    text.push_str(&collection(
        "things",
        "  indexes:\n    - {type: persistent, fields: [a], name: idx_things_a}\n    - {type: persistent, fields: [b]}\n",
    ));
    text.push_str(&collection("links", "  type: edge\n"));
    text.push_str(&collection("extra1", "  waitForSync: false\n"));
    text.push_str(&collection("extra2", "  waitForSync: false\n"));
    text.push_str(
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoGraph\nmetadata:\n  name: web\nspec:\n  edgeDefinitions:\n    - {collection: links, from: [things], to: [things]}\n",
    );
    harness.write("specs.yaml", &text);
}

/// Version 2: changes only an owner may make (index replaces, a
/// collection replace).
fn specs_v2(harness: &Harness) {
    let mut text = String::new();
    for name in KEEP {
        text.push_str(&collection(name, "  waitForSync: false\n"));
    }
    text.push_str(&collection(
        "things",
        "  indexes:\n    - {type: persistent, fields: [a], sparse: true, name: idx_things_a}\n    - {type: persistent, fields: [b], unique: true}\n",
    ));
    text.push_str(&collection("links", "  type: edge\n"));
    text.push_str(&collection("extra1", "  keyOptions: {type: uuid}\n"));
    text.push_str(&collection("extra2", "  waitForSync: false\n"));
    text.push_str(
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoGraph\nmetadata:\n  name: web\nspec:\n  edgeDefinitions:\n    - {collection: links, from: [things], to: [things]}\n",
    );
    harness.write("specs.yaml", &text);
}

/// Version 3: both indexes, the graph and `extra2` left the specs.
fn specs_v3(harness: &Harness) {
    let mut text = String::new();
    for name in KEEP {
        text.push_str(&collection(name, "  waitForSync: false\n"));
    }
    text.push_str(&collection("things", "  waitForSync: false\n"));
    text.push_str(&collection("links", "  type: edge\n"));
    text.push_str(&collection("extra1", "  keyOptions: {type: uuid}\n"));
    harness.write("specs.yaml", &text);
}

fn set_faults(harness: &Harness, plan: Value) {
    let response = reqwest::blocking::Client::new()
        .put(format!("{}/_emulator/faults", harness.emulator.url()))
        .json(&plan)
        .send()
        .expect("faults");
    assert_eq!(response.status(), 200, "{plan}");
}

fn clear_faults(harness: &Harness) {
    reqwest::blocking::Client::new()
        .delete(format!("{}/_emulator/faults", harness.emulator.url()))
        .send()
        .expect("clear faults");
}

fn apply(harness: &Harness, extra: &[&str]) -> Run {
    let mut args = vec!["apply", "--lock-ttl", "1"];
    args.extend_from_slice(extra);
    harness.run(&args)
}

/// Every document of the state collection.
fn state_documents(harness: &Harness) -> Vec<Value> {
    let body = harness.post(
        "/_api/cursor",
        json!({"query": "FOR d IN _arangosync RETURN d", "batchSize": 10000}),
    );
    body["result"].as_array().expect("result").clone()
}

/// The ownership records ("collection x", "index c/name", "graph g") and
/// the number of pending records.
fn ownership(harness: &Harness) -> (BTreeSet<String>, usize) {
    let documents = state_documents(harness);
    let owned = documents
        .iter()
        .filter(|document| document["type"] == "owned")
        .map(|document| match document["kind"].as_str() {
            Some("index") => format!(
                "index {}/{}",
                document["collection"].as_str().unwrap_or("?"),
                document["name"].as_str().unwrap_or("?")
            ),
            kind => format!(
                "{} {}",
                kind.unwrap_or("?"),
                document["name"].as_str().unwrap_or("?")
            ),
        })
        .collect();
    let pending = documents
        .iter()
        .filter(|document| document["type"] == "pending")
        .count();
    (owned, pending)
}

/// The live index of `things` on `field`.
fn index_on(harness: &Harness, field: &str) -> Option<Value> {
    harness
        .indexes("things")
        .into_iter()
        .find(|index| index["fields"] == json!([field]))
}

/// After a run that lost the answer to (or died during) one create: a
/// clean run records everything as owned, owner-only changes are applied,
/// and `--prune` drops what left the specs.
fn assert_everything_owned_and_managed(harness: &Harness, context: &str) {
    let rerun = apply(harness, &[]);
    assert_eq!(rerun.status, 0, "{context}: re-run: {rerun:?}");
    let (owned, pending) = ownership(harness);
    assert_eq!(pending, 0, "{context}: pending records left: {owned:?}");
    let unnamed = index_on(harness, "b").expect("index on b");
    let mut expected: BTreeSet<String> = KEEP
        .iter()
        .chain(&["things", "links", "extra1", "extra2"])
        .map(|name| format!("collection {name}"))
        .collect();
    expected.insert("graph web".into());
    expected.insert("index things/idx_things_a".into());
    expected.insert(format!(
        "index things/{}",
        unnamed["name"].as_str().expect("name")
    ));
    assert_eq!(owned, expected, "{context}: ownership records");
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{context}: converged: {plan:?}");

    // Changes only an owner may make are applied, not refused.
    specs_v2(harness);
    let changed = apply(harness, &["--allow-destructive"]);
    assert_eq!(changed.status, 0, "{context}: spec change: {changed:?}");
    assert!(
        !changed.stdout.contains("not created by arangosync"),
        "{context}: {}",
        changed.stdout
    );
    assert_eq!(
        index_on(harness, "a").expect("a")["sparse"],
        true,
        "{context}"
    );
    assert_eq!(
        index_on(harness, "b").expect("b")["unique"],
        true,
        "{context}"
    );
    assert_eq!(
        harness.get("/_api/collection/extra1/properties")["keyOptions"]["type"],
        "uuid",
        "{context}"
    );

    // What left the specs is pruned.
    specs_v3(harness);
    let pruned = apply(harness, &["--prune", "--allow-destructive"]);
    assert_eq!(pruned.status, 0, "{context}: prune: {pruned:?}");
    assert!(index_on(harness, "a").is_none(), "{context}: idx_things_a");
    assert!(index_on(harness, "b").is_none(), "{context}: index on b");
    assert_eq!(harness.get_status("/_api/gharial/web"), 404, "{context}");
    assert_eq!(
        harness.get_status("/_api/collection/extra2"),
        404,
        "{context}"
    );
    let (owned, pending) = ownership(harness);
    assert_eq!(pending, 0, "{context}");
    let expected: BTreeSet<String> = KEEP
        .iter()
        .chain(&["things", "links", "extra1"])
        .map(|name| format!("collection {name}"))
        .collect();
    assert_eq!(owned, expected, "{context}: ownership records after prune");
}

/// The create requests of a first apply of version 1: path and how many.
/// The first collection create is arangosync's state collection.
fn creates() -> [(&'static str, u64); 3] {
    [
        ("/_db/features/_api/collection", 1 + KEEP.len() as u64 + 4),
        ("/_db/features/_api/index", 2),
        ("/_db/features/_api/gharial", 1),
    ]
}

#[test]
fn a_create_whose_answer_is_lost_ends_up_owned() {
    for (path, count) in creates() {
        for nth in 0..count {
            let context = format!("answer of create {nth} on {path} lost");
            let harness = Harness::new();
            harness.create_database();
            specs_v1(&harness);
            set_faults(
                &harness,
                json!({"failAfter": nth, "count": 1, "mode": "reset-after", "method": "POST", "path": path}),
            );
            // One attempt per request: the lost answer fails the run.
            let lost = apply(&harness, &["--retries", "1"]);
            assert_eq!(lost.status, 1, "{context}: {lost:?}");
            assert!(
                lost.stderr.contains("connection"),
                "{context}: {}",
                lost.stderr
            );
            clear_faults(&harness);
            assert_everything_owned_and_managed(&harness, &context);
        }
    }
}

#[test]
fn a_run_killed_after_a_create_still_owns_what_it_created() {
    for (path, count) in creates() {
        for nth in 0..count {
            let context = format!("killed after create {nth} on {path}");
            let harness = Harness::new();
            harness.create_database();
            specs_v1(&harness);
            // The create is carried out, its answer held: the run is killed
            // while it waits.
            set_faults(
                &harness,
                json!({"failAfter": nth, "count": 1, "mode": "delay-after", "delayMs": 20_000, "method": "POST", "path": path}),
            );
            let mut child = Command::new(env!("CARGO_BIN_EXE_arangosync"))
                .args(["apply", "--lock-ttl", "1"])
                .env_clear()
                .env("ARANGO_HOST", harness.emulator.url())
                .env("ARANGO_DATABASE", "features")
                .env("ARANGO_PASSWORD", ROOT_PASSWORD)
                .env("ARANGOSYNC_DIR", harness.specs())
                .env("NO_COLOR", "1")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn");
            let started = Instant::now();
            while harness.stats()["byPath"][path].as_u64().unwrap_or(0) <= nth {
                assert!(
                    started.elapsed() < Duration::from_secs(20),
                    "{context}: the create never came"
                );
                std::thread::sleep(Duration::from_millis(10));
            }
            // The request is handled before its answer is held.
            std::thread::sleep(Duration::from_millis(300));
            child.kill().expect("SIGKILL");
            child.wait().expect("wait");
            clear_faults(&harness);
            assert_everything_owned_and_managed(&harness, &context);
        }
    }
}

#[test]
fn an_index_build_longer_than_the_timeout_is_waited_for() {
    let harness = Harness::new();
    harness.create_database();
    specs_v1(&harness);
    // The server answers the first index create after 3.5 s (it builds the
    // index meanwhile); the per-request timeout is 1 s.
    set_faults(
        &harness,
        json!({"failAfter": 0, "count": 1, "mode": "delay", "delayMs": 3500, "method": "POST", "path": "/_db/features/_api/index"}),
    );
    harness.reset_stats();
    let run = apply(
        &harness,
        &[
            "--timeout",
            "1",
            "--retries",
            "1",
            "--progress-interval",
            "1",
        ],
    );
    assert_eq!(run.status, 0, "{run:?}");
    let progress = run
        .stderr
        .lines()
        // The first index create is delayed; which index that is depends
        // on the order concurrent creates reach the server.
        .filter(|line| line.contains("still building index things/"))
        .count();
    // At least one line: the wait was reported. Its repetition every
    // interval is tests/cli/progress.rs's business; here a loaded machine
    // may starve the reporter between two intervals.
    assert!(progress >= 1, "progress while waiting: {}", run.stderr);
    assert!(
        !run.stderr.contains("retrying"),
        "waited, not retried: {}",
        run.stderr
    );
    assert_eq!(
        harness.stats()["byPath"]["/_db/features/_api/index"],
        2,
        "one request per index"
    );
    assert!(index_on(&harness, "a").is_some());
    let (owned, pending) = ownership(&harness);
    assert_eq!(pending, 0);
    assert!(owned.contains("index things/idx_things_a"), "{owned:?}");
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{plan:?}");
}

#[test]
fn the_next_plan_shows_how_pending_records_are_settled() {
    let spec = collection(
        "things",
        "  indexes:\n    - {type: persistent, fields: [a], name: idx_things_a}\n",
    );
    // The write happens, the answer is lost: the next plan adopts it.
    // The connection drops before the write: the next plan forgets the
    // intent and creates the index.
    for (mode, name) in [
        ("reset-after", "pending_record_adopted_plan"),
        ("reset", "pending_record_dropped_plan"),
    ] {
        let harness = Harness::new();
        harness.create_database();
        harness.write("specs.yaml", &spec);
        set_faults(
            &harness,
            json!({"count": 1, "mode": mode, "method": "POST", "path": "/_db/features/_api/index"}),
        );
        let failed = apply(&harness, &["--retries", "1"]);
        assert_eq!(failed.status, 1, "{mode}: {failed:?}");
        clear_faults(&harness);
        let (_, pending) = ownership(&harness);
        assert_eq!(
            pending, 1,
            "{mode}: the intent was recorded before the create"
        );
        let plan = harness.run(&["plan", "--detailed-exitcode"]);
        assert_eq!(plan.status, 2, "{mode}: {plan:?}");
        crate::support::snapshot_settings().bind(|| {
            insta::assert_snapshot!(name, crate::support::stable(&plan.stdout, &harness));
        });
        let applied = apply(&harness, &[]);
        assert_eq!(applied.status, 0, "{mode}: {applied:?}");
        let (owned, pending) = ownership(&harness);
        assert_eq!(pending, 0, "{mode}");
        assert!(
            owned.contains("index things/idx_things_a"),
            "{mode}: {owned:?}"
        );
        assert_eq!(harness.indexes("things").len(), 1, "{mode}");
        let plan = harness.run(&["plan", "--detailed-exitcode"]);
        assert_eq!(plan.status, 0, "{mode}: {plan:?}");
    }
}

#[test]
fn a_create_the_server_refuses_leaves_no_pending_record() {
    let harness = Harness::new();
    harness.create_database();
    specs_v1(&harness);
    set_faults(
        &harness,
        json!({"count": 1, "mode": "status", "status": 400, "method": "POST", "path": "/_db/features/_api/index"}),
    );
    let refused = apply(&harness, &[]);
    assert_eq!(refused.status, 1, "{refused:?}");
    clear_faults(&harness);
    // The refusal is an answer: the create did not happen, and its
    // pending record is dropped when the stage ends.
    let (_, pending) = ownership(&harness);
    assert_eq!(pending, 0);
    let plan = harness.run(&["plan", "--format", "json"]);
    let plan: Value = serde_json::from_str(&plan.stdout).expect("json plan");
    let changes = plan["changes"].as_array().expect("changes");
    // The refused index and the graph of the stage that never started;
    // nothing to settle.
    let kinds: Vec<(&str, &str)> = changes
        .iter()
        .map(|change| {
            (
                change["address"]["kind"].as_str().unwrap_or("?"),
                change["action"].as_str().unwrap_or("?"),
            )
        })
        .collect();
    assert_eq!(kinds, [("index", "create"), ("graph", "create")], "{plan}");
}
