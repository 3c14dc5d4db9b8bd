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
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 2, "{plan:?}");
    assert!(plan.stdout.contains("idx_search"), "{plan:?}");
}
