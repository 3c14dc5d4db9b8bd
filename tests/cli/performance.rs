//! Performance contracts that can be counted rather than timed: the number
//! of requests a no-change plan makes does not grow with the number of
//! collections (timings live in the benchmark, `cargo bench --bench sync`).

use crate::support::Harness;

/// A spec tree of `count` collections, every fifth an edge collection,
/// each with a named and an unnamed index.
fn collections(harness: &Harness, count: usize) {
    for i in 0..count {
        let edge = i % 5 == 4;
        let spec = format!(
            "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: c{i:03}\nspec:\n  type: {}\n  indexes:\n    - {{type: persistent, fields: [{}], name: idx_c{i:03}}}\n    - {{type: ttl, fields: [expires_at], expireAfter: 3600}}\n",
            if edge { "edge" } else { "document" },
            if edge { "_from, ts" } else { "email" },
        );
        harness.write(&format!("entities/c{i:03}.yaml"), &spec);
    }
}

/// Requests (total, writes) of a no-change `plan` after applying `count`
/// collections.
fn no_change_plan(count: usize) -> (u64, u64) {
    let harness = Harness::new();
    collections(&harness, count);
    let applied = harness.run(&["apply", "--create-database"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    harness.reset_stats();
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{count} collections: {plan:?}");
    let stats = harness.stats();
    (
        stats["total"].as_u64().expect("total"),
        stats["writes"].as_u64().expect("writes"),
    )
}

#[test]
fn a_no_change_plan_makes_the_same_requests_for_5_and_60_collections() {
    let small = no_change_plan(5);
    let large = no_change_plan(60);
    assert_eq!(
        small, large,
        "requests (total, writes): 5 vs 60 collections"
    );
    // GET /_admin/server/availability and GET /_api/version (readiness and
    // credentials), GET /_admin/server/role, then at once: the replication
    // inventory (POST /_api/replication/batch, GET /_api/replication/inventory,
    // DELETE /_api/replication/batch/{id}), GET /_api/gharial,
    // GET /_api/aqlfunction, one cursor batch of the state collection
    // (POST /_api/cursor), and the server's facts: GET /_api/engine and the
    // parse-only user-function probe (POST /_api/query; the version comes
    // from the readiness check). None of them writes.
    assert_eq!(large, (11, 0));
}

/// A feature over collection c000.
fn feature(harness: &Harness, name: &str) {
    harness.write(
        &format!("transformations/{name}_v1.aql"),
        &format!(
            "-- Feature: {name}\n-- Version: 1\n-- Description: count of c000\n-- Owner: a@example.com\n-- Returns: one\nRETURN LENGTH(c000)\n"
        ),
    );
}

#[test]
fn a_first_apply_writes_its_pending_records_at_once_and_its_ownership_records_at_the_end() {
    let harness = Harness::new();
    collections(&harness, 12);
    for name in ["alpha", "beta", "gamma"] {
        feature(&harness, name);
    }
    let applied = harness.run(&["apply", "--create-database"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    // Requests to the state collection: the lock's insert; the pending
    // records of every create (collections and indexes) before the first;
    // the ownership records when the run ends, then one delete of the
    // pending records of the unnamed indexes (the server named them); the
    // three registry entries in one bulk insert.
    assert_eq!(
        harness.stats()["byPath"]["/_db/features/_api/document/_arangosync"],
        5,
        "{}",
        harness.stats()
    );
    let state = harness.post(
        "/_api/cursor",
        serde_json::json!({"query": "FOR d IN _arangosync RETURN d.type", "batchSize": 1000}),
    );
    let mut types: Vec<&str> = state["result"]
        .as_array()
        .expect("result")
        .iter()
        .map(|kind| kind.as_str().expect("type"))
        .collect();
    types.sort_unstable();
    types.dedup_by(|a, b| a == b);
    assert_eq!(
        types,
        ["feature", "lock", "owned"],
        "no pending record is left: {state}"
    );
    let count = |kind: &str| {
        state["result"]
            .as_array()
            .expect("result")
            .iter()
            .filter(|value| *value == kind)
            .count()
    };
    assert_eq!((count("feature"), count("owned")), (3, 36), "{state}");
    let again = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.status, 0, "{again:?}");
}
