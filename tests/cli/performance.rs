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
