//! Vector indexes through the real binary, on emulators started as the
//! 3.12 patch releases whose rules differ (all with `--vector-index`):
//! 3.12.4 creates the index once the collection holds enough vectors,
//! 3.12.8 defers it while it does not (and a later run creates it),
//! 3.12.10 creates it at once and the plan reports its `trainingState`
//! until it is trained. Each index is read back from the database.

use arangodb_emulator::{Profile, Version};
use serde_json::{json, Value};

use crate::support::{snapshot_settings, stable, Harness};

fn harness(version: &str) -> Harness {
    Harness::with_profile(Profile {
        version: version.parse::<Version>().expect("version"),
        vector_index: true,
        ..Profile::default()
    })
}

/// A products collection with a cosine vector index over 3-dimensional
/// embeddings, trained on 2 centroids.
const SPEC: &str = "\
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: products
spec:
  indexes:
    - type: vector
      name: idx_products_embedding
      fields: [embedding]
      parallelism: 2
      params: {metric: cosine, dimension: 3, nLists: 2}
";

fn snapshot(name: &str, text: &str, harness: &Harness) {
    snapshot_settings().bind(|| insta::assert_snapshot!(name, stable(text, harness)));
}

fn run(harness: &Harness, args: &[&str]) -> crate::support::Run {
    let dir = harness.specs().to_str().expect("utf-8 path").to_string();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--dir", dir.as_str()]);
    harness.run(&all)
}

fn insert(harness: &Harness, documents: Value) {
    harness.post("/_api/document/products", documents);
}

/// The vector index as the database reports it, without its id.
fn vector_index(harness: &Harness) -> Option<Value> {
    harness
        .indexes("products")
        .into_iter()
        .find(|index| index["type"] == "vector")
}

fn embeddings(count: usize) -> Value {
    (0..count)
        .map(|n| json!({"_key": format!("p{n}"), "embedding": [1.0, n as f64, 0.5]}))
        .collect()
}

/// The plan exits 0 with --detailed-exitcode: nothing to write.
fn converged(harness: &Harness) -> String {
    let plan = run(harness, &["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    plan.stdout
}

#[test]
fn on_3_12_4_the_index_is_created_over_stored_vectors() {
    let harness = harness("3.12.4");
    harness.write("products.yaml", SPEC);
    harness.create_database();
    harness.post("/_api/collection", json!({"name": "products"}));
    insert(&harness, embeddings(3));
    let apply = run(&harness, &["apply"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    snapshot("vector_3_12_4_apply", &apply.stdout, &harness);
    assert_eq!(
        vector_index(&harness).expect("created"),
        json!({"name": "idx_products_embedding", "type": "vector", "fields": ["embedding"],
               "params": {"dimension": 3, "metric": "cosine", "nLists": 2, "defaultNProbe": 1,
                          "trainingIterations": 25},
               "sparse": false, "unique": false})
    );
    assert_eq!(
        converged(&harness),
        "No changes: database \"features\" matches the specs.\n"
    );
}

#[test]
fn on_3_12_8_a_collection_without_enough_vectors_defers_the_index() {
    let harness = harness("3.12.8");
    harness.write("products.yaml", SPEC);
    // A fresh database: the collection is created, the index deferred.
    let first = run(&harness, &["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    snapshot("vector_3_12_8_deferred_apply", &first.stdout, &harness);
    assert_eq!(vector_index(&harness), None);
    // A second plan has nothing to write and says the index still waits.
    snapshot(
        "vector_3_12_8_deferred_plan",
        &converged(&harness),
        &harness,
    );
    let json_plan = run(&harness, &["plan", "--format", "json"]);
    let json_plan: Value = serde_json::from_str(&json_plan.stdout).expect("json plan");
    assert_eq!(json_plan["changes"], json!([]));
    assert_eq!(
        json_plan["notes"][0]["address"],
        json!({"kind": "index", "collection": "products", "name": "idx_products_embedding"})
    );

    // Enough documents with a vector, but one of another dimension: the
    // server refuses for want of training data, and apply reports the
    // deferral, exit 0.
    insert(
        &harness,
        json!([{"_key": "a", "embedding": [1.0, 0.0, 0.0]}, {"_key": "b", "embedding": [1.0]}]),
    );
    let plan = run(
        &harness,
        &["plan", "--detailed-exitcode", "--format", "json"],
    );
    assert_eq!(plan.status, 2, "{plan:?}");
    let plan: Value = serde_json::from_str(&plan.stdout).expect("json plan");
    assert_eq!(plan["changes"][0]["steps"][0]["deferrable"], json!(true));
    let refused = run(&harness, &["apply"]);
    assert_eq!(refused.status, 0, "{refused:?}");
    assert!(
        refused.stderr.contains(
            "index products/idx_products_embedding deferred: the server has too few vectors to train it on yet"
        ),
        "{}",
        refused.stderr
    );
    // A deferred change is not logged as done.
    assert!(!refused.stderr.contains("done"), "{}", refused.stderr);
    assert_eq!(vector_index(&harness), None);

    // Once the vectors are stored, a later run creates the index.
    insert(
        &harness,
        json!([{"_key": "c", "embedding": [0.0, 1.0, 0.0]}]),
    );
    let later = run(&harness, &["apply"]);
    assert_eq!(later.status, 0, "{later:?}");
    snapshot("vector_3_12_8_later_apply", &later.stdout, &harness);
    let index = vector_index(&harness).expect("created by the later run");
    assert_eq!(index["params"]["nLists"], json!(2));
    assert_eq!(index.get("trainingState"), None, "3.12.8 reports none");
    assert_eq!(
        converged(&harness),
        "No changes: database \"features\" matches the specs.\n"
    );
}

#[test]
fn on_3_12_10_the_plan_reports_an_untrained_index() {
    let harness = harness("3.12.10");
    harness.write("products.yaml", SPEC);
    let first = run(&harness, &["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    let index = vector_index(&harness).expect("created before any vector exists");
    assert_eq!(
        (&index["trainingState"], &index["errorMessage"]),
        (
            &json!("unusable"),
            &json!("not enough training data for vector index")
        )
    );
    snapshot(
        "vector_3_12_10_not_ready_plan",
        &converged(&harness),
        &harness,
    );
    insert(&harness, embeddings(2));
    assert_eq!(
        vector_index(&harness).expect("index")["trainingState"],
        "ready"
    );
    assert_eq!(
        converged(&harness),
        "No changes: database \"features\" matches the specs.\n"
    );
    // A changed definition is a replace, read back with the new params.
    harness.write(
        "products.yaml",
        &SPEC.replace("metric: cosine", "metric: l2"),
    );
    let replace = run(&harness, &["apply"]);
    assert_eq!(replace.status, 0, "{replace:?}");
    snapshot("vector_3_12_10_replace_apply", &replace.stdout, &harness);
    let index = vector_index(&harness).expect("replaced");
    assert_eq!(index["params"]["metric"], "l2");
    assert_eq!(harness.indexes("products").len(), 1);
}

/// The example repository on the 3.12 releases whose vector index rules
/// differ: it applies with exit 0 and a second plan has nothing to write.
/// Its products hold no embeddings, so up to 3.12.8 the vector index is
/// deferred and from 3.12.9 it exists untrained.
#[test]
fn the_example_repository_on_vector_index_releases() {
    let dir = crate::support::example_features();
    let dir = dir.to_str().expect("utf-8 path");
    for (version, created) in [("3.12.4", false), ("3.12.8", false), ("3.12.10", true)] {
        let harness = harness(version);
        let apply = harness.run(&["apply", "--dir", dir, "--create-database"]);
        assert_eq!(apply.status, 0, "{version}: {apply:?}");
        let plan = harness.run(&["plan", "--dir", dir, "--detailed-exitcode"]);
        assert_eq!(plan.status, 0, "{version}: {plan:?}");
        crate::support::assert_example_unchanged(&plan.stdout);
        let note = if created {
            "  index products/idx_products_embedding: not ready: trainingState unusable: not enough training data for vector index"
        } else {
            "  index products/idx_products_embedding: deferred: ArangoDB"
        };
        assert!(plan.stdout.contains(note), "{version}: {}", plan.stdout);
        assert_eq!(vector_index(&harness).is_some(), created, "{version}");
    }
}

/// An `items` collection with a vector index over 2-dimensional
/// embeddings; `params` completes its definition.
fn items_spec(params: &str) -> String {
    format!(
        "\
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: items
spec:
  indexes:
    - type: vector
      name: idx_emb
      fields: [embedding]
      params: {{{params}}}
"
    )
}

/// The vector index of `items` as the database reports it.
fn items_index(harness: &Harness) -> Option<Value> {
    harness
        .indexes("items")
        .into_iter()
        .find(|index| index["type"] == "vector")
}

/// Review finding A: on 3.12.8 a changed vector index on a collection of
/// 7 documents of which 2 carry a vector is not replaced (the new nLists
/// needs 3): the plan defers it, apply writes nothing and the old index
/// stays. With the third vector the replace runs. A replace the server
/// still cannot train (a vector of another dimension) is a failure that
/// says the old index is gone, never a deferral.
#[test]
fn on_3_12_8_a_replace_waits_for_enough_vectors_and_never_loses_the_index_to_a_deferral() {
    let harness = harness("3.12.8");
    harness.write(
        "items.yaml",
        &items_spec("metric: l2, dimension: 2, nLists: 2"),
    );
    harness.create_database();
    harness.post("/_api/collection", json!({"name": "items"}));
    let mut documents: Vec<Value> = (0..5).map(|n| json!({"n": n})).collect();
    documents.push(json!({"embedding": [0.0, 1.0]}));
    documents.push(json!({"embedding": [1.0, 0.0]}));
    harness.post("/_api/document/items", Value::Array(documents));
    let created = run(&harness, &["apply"]);
    assert_eq!(created.status, 0, "{created:?}");
    assert_eq!(
        items_index(&harness).expect("created")["params"]["nLists"],
        2
    );

    harness.write(
        "items.yaml",
        &items_spec("metric: l2, dimension: 2, nLists: 3"),
    );
    let plan = run(&harness, &["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    snapshot(
        "vector_3_12_8_replace_deferred_plan",
        &plan.stdout,
        &harness,
    );
    harness.reset_stats();
    let apply = run(&harness, &["apply"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    assert_eq!(
        items_index(&harness).expect("the old index stays")["params"]["nLists"],
        2
    );

    // A third document with a vector, but of 3 dimensions: the count says
    // 3, the server trains on 2 and refuses the create after the drop.
    harness.post(
        "/_api/document/items",
        json!({"_key": "odd", "embedding": [1.0, 1.0, 1.0]}),
    );
    let plan = run(
        &harness,
        &["plan", "--detailed-exitcode", "--format", "json"],
    );
    assert_eq!(plan.status, 2, "{plan:?}");
    let plan: Value = serde_json::from_str(&plan.stdout).expect("json plan");
    assert_eq!(plan["changes"][0]["action"], "replace");
    assert_eq!(plan["changes"][0]["steps"][1]["op"], "createIndex");
    assert_eq!(plan["changes"][0]["steps"][1].get("deferrable"), None);
    let failed = run(&harness, &["apply"]);
    assert_eq!(failed.status, 1, "{failed:?}");
    assert!(
        failed.stderr.contains(
            "index items/idx_emb: the server could not train the new vector index (POST /_db/features/_api/index: ArangoDB error 4 (HTTP 400): Error: 'nx >= k' failed: Number of training points (2) should be at least as large as number of clusters (3)); the old index was dropped first, so the collection has no such index now. Store at least 3 documents with a vector of 2 numbers in `embedding` and run apply again, or put the previous definition back in the specs and apply it"
        ),
        "{}",
        failed.stderr
    );
    assert!(!failed.stderr.contains("deferred"), "{}", failed.stderr);
    assert!(!failed.stderr.contains("\"done\""), "{}", failed.stderr);
    assert_eq!(items_index(&harness), None);
    // The index is missing now; with a third vector of 2 numbers the next
    // run creates it.
    harness.post(
        "/_api/document/items",
        json!({"_key": "third", "embedding": [1.0, 1.0]}),
    );
    let later = run(&harness, &["apply"]);
    assert_eq!(later.status, 0, "{later:?}");
    assert_eq!(
        items_index(&harness).expect("created again")["params"]["nLists"],
        3
    );
    assert_eq!(
        converged(&harness),
        "No changes: database \"features\" matches the specs.\n"
    );
}

/// Review finding B: on 3.12.8 a collection of 3 documents of which one
/// carries a vector does not hold enough to train nLists 2: every plan is
/// empty (exit 0 with --detailed-exitcode) with the deferral note, and
/// apply writes nothing, until the second vector is stored.
#[test]
fn on_3_12_8_documents_without_a_vector_do_not_count_towards_training() {
    let harness = harness("3.12.8");
    harness.write(
        "items.yaml",
        &items_spec("metric: cosine, dimension: 2, nLists: 2"),
    );
    harness.create_database();
    harness.post("/_api/collection", json!({"name": "items"}));
    harness.post(
        "/_api/document/items",
        json!([{"a": 1}, {"a": 2}, {"a": 3, "embedding": [1, 0]}]),
    );
    for _ in 0..2 {
        harness.reset_stats();
        let plan = run(&harness, &["plan", "--detailed-exitcode"]);
        assert_eq!(plan.status, 0, "{plan:?}");
        // Two cursors: the state collection and the count of vectors.
        let stats = harness.stats();
        assert_eq!(stats["byPath"]["/_db/features/_api/cursor"], 2, "{stats}");
        assert_eq!(stats["writes"], 0, "{stats}");
        snapshot("vector_3_12_8_one_vector_plan", &plan.stdout, &harness);
        harness.reset_stats();
        let apply = run(&harness, &["apply"]);
        assert_eq!(apply.status, 0, "{apply:?}");
        assert_eq!(harness.writes(), 0, "{}", harness.stats());
        assert!(!apply.stderr.contains("WARN"), "{}", apply.stderr);
        assert_eq!(items_index(&harness), None);
    }
    harness.post("/_api/document/items", json!({"embedding": [0, 1]}));
    let apply = run(&harness, &["apply"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    let index = items_index(&harness).expect("created");
    assert_eq!(index["params"]["metric"], "cosine");
    assert_eq!(
        converged(&harness),
        "No changes: database \"features\" matches the specs.\n"
    );
}
