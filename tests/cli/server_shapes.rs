//! What real servers report back, against arangosync's comparison: a spec
//! applied (or an index created as a real server stores it) plans nothing
//! afterwards. The read-backs come from the recorded ArangoDB transcripts
//! (tests/fixtures/transcripts/index-readbacks.json).

use serde_json::{json, Value};

use crate::support::Harness;

const PRODUCTS: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: products
"#;

/// The issue's spec: an inverted index with an attribute path and a field
/// with its own analyzer.
const PRODUCTS_WITH_SEARCH: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: products
spec:
  indexes:
    - {type: inverted, name: idx_search, fields: [sku, {name: title, analyzer: text_en}]}
"#;

/// The 3.12.10 read-back of `RestIndexCreateNewInverted_single`, less what
/// describes the index object rather than its definition.
fn real_inverted_read_back() -> Value {
    let file: Value =
        serde_json::from_str(include_str!("../fixtures/transcripts/index-readbacks.json"))
            .expect("fixture parses");
    let mut read_back = file["examples"]
        .as_array()
        .expect("examples")
        .iter()
        .find(|e| {
            e["example"] == "RestIndexCreateNewInverted_single" && e["transcript"] == "3.12.json"
        })
        .expect("recorded")["readBack"]
        .clone();
    let object = read_back.as_object_mut().expect("object");
    for key in ["id", "name", "isNewlyCreated", "code", "error"] {
        object.remove(key);
    }
    read_back
}

#[test]
fn an_applied_inverted_index_with_an_analyzer_plans_nothing() {
    let harness = Harness::new();
    harness.write("products.yaml", PRODUCTS_WITH_SEARCH);
    let applied = harness.run(&["apply", "--create-database"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    let index = harness
        .indexes("products")
        .into_iter()
        .find(|index| index["name"] == "idx_search")
        .expect("created");
    // Whatever the server adds to the fields (a real one adds the analyzer's
    // features), the names and the analyzer are as stated.
    assert_eq!(index["fields"][0]["name"], "sku");
    assert_eq!(index["fields"][1]["name"], "title");
    assert_eq!(index["fields"][1]["analyzer"], "text_en");
    let again = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.status, 0, "second plan: {again:?}");
    harness.reset_stats();
    let again = harness.run(&["apply"]);
    assert_eq!(again.status, 0, "{again:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
}

#[test]
fn an_inverted_index_stored_in_the_real_server_shape_plans_nothing() {
    let harness = Harness::new();
    harness.write("products.yaml", PRODUCTS);
    let applied = harness.run(&["apply", "--create-database"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    // The index as ArangoDB 3.12.10 reports it: every tuning default filled
    // in and the analyzer's features added to the field objects.
    let mut body = real_inverted_read_back();
    body["name"] = json!("idx_search");
    body["fields"] = json!([
        {"name": "sku"},
        {"features": ["frequency", "position", "norm"], "analyzer": "text_en", "name": "title"}
    ]);
    harness.post("/_api/index?collection=products", body);
    harness.write("products.yaml", PRODUCTS_WITH_SEARCH);
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(
        plan.status, 0,
        "the real shape is the spec's index: {plan:?}"
    );
    // A changed analyzer is still a change.
    harness.write(
        "products.yaml",
        &PRODUCTS_WITH_SEARCH.replace("text_en", "text_de"),
    );
    // (Blocked: arangosync did not create the index, so it will not
    // replace it; apply would refuse the plan.)
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 1, "{plan:?}");
    assert!(plan.stdout.contains("idx_search"), "{plan:?}");
}

/// An inverted index stating part of its consolidation policy, and a
/// `cache` flag at its off value, which the server leaves out.
const PRODUCTS_WITH_POLICY: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: products
spec:
  indexes:
    - type: inverted
      name: idx_search
      fields: [sku, {name: title, analyzer: text_en}]
      consolidationPolicy: {type: tier, segmentsBytesMax: 1000000000}
      primarySort: {fields: [{field: sku, direction: asc}], cache: false}
"#;

#[test]
fn a_partial_consolidation_policy_plans_nothing_once_applied() {
    let harness = Harness::new();
    harness.write("products.yaml", PRODUCTS_WITH_POLICY);
    let applied = harness.run(&["apply", "--create-database"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    let index = harness
        .indexes("products")
        .into_iter()
        .find(|index| index["name"] == "idx_search")
        .expect("created");
    // The server keeps the stated key and fills in its version's defaults
    // (3.12.10: maxSkewThreshold, minDeletionRatio), and reports the
    // primarySort without the `cache` that is off.
    assert_eq!(
        index["consolidationPolicy"],
        json!({"type": "tier", "segmentsBytesMax": 1_000_000_000,
               "maxSkewThreshold": 0.4, "minDeletionRatio": 0.5})
    );
    assert_eq!(
        index["primarySort"],
        json!({"fields": [{"field": "sku", "asc": true}], "compression": "lz4"})
    );
    let again = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.status, 0, "second plan: {again:?}");
    // A stated key with another value is still a change.
    harness.write(
        "products.yaml",
        &PRODUCTS_WITH_POLICY.replace("1000000000", "2000000000"),
    );
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 2, "{plan:?}");
    assert!(plan.stdout.contains("consolidationPolicy"), "{plan:?}");
}

fn set_faults(harness: &Harness, plan: Value) {
    let response = reqwest::blocking::Client::new()
        .put(format!("{}/_emulator/faults", harness.emulator.url()))
        .json(&plan)
        .send()
        .expect("faults");
    assert_eq!(response.status(), 200);
}

fn clear_faults(harness: &Harness) {
    reqwest::blocking::Client::new()
        .delete(format!("{}/_emulator/faults", harness.emulator.url()))
        .send()
        .expect("clear faults");
}

/// Whether the run looked the index up by name (how apply adopts an index
/// whose create answered 1005).
fn looked_up_by_name(harness: &Harness) -> bool {
    harness.stats()["byPath"]
        .as_object()
        .expect("byPath")
        .keys()
        .any(|path| path.ends_with("/_api/index/products/idx_search"))
}

#[test]
fn a_lost_answer_to_a_named_inverted_index_create_converges_on_1005() {
    // ArangoDB 3.12.6+ (the emulator's default 3.12.10) answers a repeated
    // create of a named inverted index with 400/1005, so a retry after a
    // lost answer meets 1005 for the index it has just made.
    let apply =
        |harness: &Harness| harness.run(&["apply", "--retries", "3", "--wait-timeout", "2"]);
    let prepared = || {
        let harness = Harness::new();
        harness.write("products.yaml", PRODUCTS);
        let first = harness.run(&["apply", "--create-database"]);
        assert_eq!(first.status, 0, "{first:?}");
        harness.write("products.yaml", PRODUCTS_WITH_SEARCH);
        harness.reset_stats();
        harness
    };
    let counting = prepared();
    assert_eq!(apply(&counting).status, 0);
    let requests = counting.stats()["total"].as_u64().expect("total");
    drop(counting);

    let mut adopted = 0;
    for k in 0..requests {
        let harness = prepared();
        set_faults(
            &harness,
            json!({"failAfter": k, "count": 1, "mode": "reset-after"}),
        );
        let run = apply(&harness);
        assert_eq!(run.status, 0, "reset after request {k}: {run:?}");
        if looked_up_by_name(&harness) {
            adopted += 1;
        }
        clear_faults(&harness);
        let plan = harness.run(&["plan", "--detailed-exitcode"]);
        assert_eq!(plan.status, 0, "request {k}: {plan:?}");
        let search: Vec<Value> = harness
            .indexes("products")
            .into_iter()
            .filter(|index| index["type"] == "inverted")
            .collect();
        assert_eq!(search.len(), 1, "request {k}: {search:?}");
        // The adopted index is arangosync's: pruning it drops it.
        harness.write("products.yaml", PRODUCTS);
        let pruned = harness.run(&["apply", "--prune"]);
        assert_eq!(pruned.status, 0, "request {k}: {pruned:?}");
        assert_eq!(
            harness.indexes("products"),
            Vec::<Value>::new(),
            "request {k}"
        );
    }
    assert_eq!(adopted, 1, "exactly one request is the index create");
}
