//! Conflicts with objects arangosync did not create, made by hand through
//! the HTTP API: each is found at plan time, the plan shows the change as
//! BLOCKED with the reason, and apply exits 1 without a single write.

use serde_json::{json, Value};

use crate::support::{snapshot_settings, stable, Harness};

const USERS_PRODUCTS: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: products
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: items
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: viewed_edge
spec:
  type: edge
"#;

/// A graph spec with one edge definition of `viewed_edge`.
fn graph(name: &str, to: &str) -> String {
    format!(
        r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoGraph
metadata:
  name: {name}
spec:
  edgeDefinitions:
    - {{collection: viewed_edge, from: [users], to: [{to}]}}
"#
    )
}

/// A graph made by hand, as another team would.
fn hand_graph(harness: &Harness, name: &str, to: &str) {
    harness.post(
        "/_api/gharial",
        json!({
            "name": name,
            "edgeDefinitions": [{"collection": "viewed_edge", "from": ["users"], "to": [to]}],
        }),
    );
}

/// Snapshots `plan` (exit 0, the blocked change shown with its reason),
/// then checks that `apply` exits 1 and that neither wrote anything.
fn assert_refused(harness: &Harness, name: &str) {
    harness.reset_stats();
    let plan = harness.run(&["plan"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    assert!(plan.stdout.contains("BLOCKED: "), "{}", plan.stdout);
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            format!("conflict_{name}_plan"),
            stable(&plan.stdout, harness)
        );
    });
    let json_plan = harness.run(&["plan", "--format", "json"]);
    let parsed: Value = serde_json::from_str(&json_plan.stdout).expect("the JSON plan parses");
    assert!(
        parsed["summary"]["blocked"].as_u64() >= Some(1),
        "{}",
        json_plan.stdout
    );
    let apply = harness.run(&["apply"]);
    assert_eq!(apply.status, 1, "{apply:?}");
    assert!(
        apply.stderr.contains("refusing to apply"),
        "{}",
        apply.stderr
    );
    assert_eq!(
        harness.writes(),
        0,
        "a conflict found at plan time means no write at all: {}",
        harness.stats()
    );
}

fn graph_names(harness: &Harness) -> Vec<String> {
    let mut names: Vec<String> = harness.get("/_api/gharial")["graphs"]
        .as_array()
        .expect("graphs")
        .iter()
        .map(|graph| graph["_key"].as_str().expect("graph name").to_string())
        .collect();
    names.sort();
    names
}

/// A new graph whose edge collection a hand-made graph uses with another
/// `to`: ArangoDB would refuse the create (1921) after the collections
/// were written.
#[test]
fn new_graph_conflicts_with_hand_made_edge_definition() {
    let harness = Harness::new();
    harness.create_database();
    hand_graph(&harness, "by_hand", "products");
    harness.write("collections.yaml", USERS_PRODUCTS);
    harness.write("graph.yaml", &graph("interactions", "items"));
    assert_refused(&harness, "new_graph_edge_definition");
    assert_eq!(graph_names(&harness), vec!["by_hand"]);
    assert_eq!(harness.get_status("/_api/collection/items"), 404);
}

/// An edge definition added to a graph arangosync created, whose edge
/// collection a hand-made graph uses with another `to`.
#[test]
fn added_edge_definition_conflicts_with_hand_made_graph() {
    let harness = Harness::new();
    harness.write("collections.yaml", USERS_PRODUCTS);
    harness.write(
        "graph.yaml",
        r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoGraph
metadata:
  name: interactions
spec:
  orphanCollections: [users]
"#,
    );
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    hand_graph(&harness, "by_hand", "products");
    harness.write("graph.yaml", &graph("interactions", "items"));
    assert_refused(&harness, "added_edge_definition");
    let interactions = harness.get("/_api/gharial/interactions");
    assert_eq!(interactions["graph"]["edgeDefinitions"], json!([]));
}

/// Two graphs of the specs that agree with each other but not with the
/// live state of the one arangosync manages are not a conflict: the
/// replace of the shared definition changes it in every graph.
#[test]
fn graphs_that_will_agree_are_not_a_conflict() {
    let harness = Harness::new();
    harness.write("collections.yaml", USERS_PRODUCTS);
    harness.write("graph.yaml", &graph("interactions", "products"));
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    harness.write("graph.yaml", &graph("interactions", "items"));
    harness.write("second.yaml", &graph("second", "items"));
    let plan = harness.run(&["plan"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    assert!(!plan.stdout.contains("BLOCKED"), "{}", plan.stdout);
    let apply = harness.run(&["apply"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    for name in ["interactions", "second"] {
        let graph = harness.get(&format!("/_api/gharial/{name}"));
        assert_eq!(
            graph["graph"]["edgeDefinitions"],
            json!([{"collection": "viewed_edge", "from": ["users"], "to": ["items"]}])
        );
    }
}

/// A collection whose name a view holds: collections and views share one
/// namespace (1207).
#[test]
fn collection_name_taken_by_a_view() {
    let harness = Harness::new();
    harness.create_database();
    harness.post(
        "/_api/view",
        json!({"name": "sessions", "type": "arangosearch"}),
    );
    harness.write(
        "sessions.yaml",
        r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: sessions
"#,
    );
    assert_refused(&harness, "view_name");
    assert_eq!(harness.get_status("/_api/collection/sessions"), 404);
    assert_eq!(harness.get("/_api/view/sessions")["type"], "arangosearch");
}

/// A graph of the specs that exists, made by hand, with another
/// definition: arangosync does not change what it did not create.
#[test]
fn graph_name_taken_by_a_hand_made_graph() {
    let harness = Harness::new();
    harness.create_database();
    hand_graph(&harness, "interactions", "products");
    harness.write("collections.yaml", USERS_PRODUCTS);
    harness.write("graph.yaml", &graph("interactions", "items"));
    assert_refused(&harness, "graph_name");
    let interactions = harness.get("/_api/gharial/interactions");
    assert_eq!(
        interactions["graph"]["edgeDefinitions"],
        json!([{"collection": "viewed_edge", "from": ["users"], "to": ["products"]}])
    );
}

/// A TTL index in the specs where the collection has a hand-made one on
/// another attribute: a collection has at most one TTL index.
#[test]
fn second_ttl_index() {
    let harness = Harness::new();
    harness.create_database();
    harness.post("/_api/collection", json!({"name": "sessions"}));
    harness.post(
        "/_api/index?collection=sessions",
        json!({"type": "ttl", "fields": ["created_at"], "expireAfter": 3600, "name": "by_hand_ttl"}),
    );
    harness.write(
        "sessions.yaml",
        r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: sessions
spec:
  indexes:
    - {type: ttl, fields: [expires_at], expireAfter: 0}
"#,
    );
    assert_refused(&harness, "second_ttl");
    let indexes = harness.indexes("sessions");
    assert_eq!(indexes.len(), 1, "{indexes:?}");
    assert_eq!(indexes[0]["fields"], json!(["created_at"]));
}

/// An index name of the specs that a hand-made index of another
/// definition holds.
#[test]
fn index_name_taken_by_a_hand_made_index() {
    let harness = Harness::new();
    harness.create_database();
    harness.post("/_api/collection", json!({"name": "users"}));
    harness.post(
        "/_api/index?collection=users",
        json!({"type": "persistent", "fields": ["email"], "name": "idx_users_email"}),
    );
    harness.write(
        "users.yaml",
        r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
spec:
  indexes:
    - {type: persistent, fields: [email], unique: true, name: idx_users_email}
"#,
    );
    assert_refused(&harness, "index_name");
    let indexes = harness.indexes("users");
    assert_eq!(indexes.len(), 1, "{indexes:?}");
    assert_eq!(indexes[0]["unique"], false);
}

/// A changed edge definition of a graph arangosync created, whose edge
/// collection a hand-made graph shares: ArangoDB would change the
/// hand-made graph too.
#[test]
fn replaced_edge_definition_would_change_a_hand_made_graph() {
    let harness = Harness::new();
    harness.write("collections.yaml", USERS_PRODUCTS);
    harness.write("graph.yaml", &graph("interactions", "products"));
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    hand_graph(&harness, "by_hand", "products");
    harness.write("graph.yaml", &graph("interactions", "items"));
    assert_refused(&harness, "replaced_edge_definition");
    let by_hand = harness.get("/_api/gharial/by_hand");
    assert_eq!(
        by_hand["graph"]["edgeDefinitions"],
        json!([{"collection": "viewed_edge", "from": ["users"], "to": ["products"]}])
    );
}

/// Pruning a graph and its collections: ArangoDB 3.12 refuses to drop a
/// collection a graph still uses (1942), so the graph goes first.
#[test]
fn pruning_a_graph_and_its_collections() {
    let harness = Harness::new();
    harness.write("collections.yaml", USERS_PRODUCTS);
    harness.write("graph.yaml", &graph("interactions", "products"));
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    harness.remove("graph.yaml");
    harness.write(
        "collections.yaml",
        r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
"#,
    );
    // Four of the five owned objects go: a mass prune, asked for.
    let apply = harness.run(&[
        "apply",
        "--prune",
        "--allow-destructive",
        "--allow-mass-prune",
    ]);
    assert_eq!(apply.status, 0, "{apply:?}");
    assert_eq!(graph_names(&harness), Vec::<String>::new());
    for gone in ["products", "items", "viewed_edge"] {
        assert_eq!(harness.get_status(&format!("/_api/collection/{gone}")), 404);
    }
    let again = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.status, 0, "{again:?}");
}

/// A collection of a hand-made graph that arangosync would drop (replace):
/// ArangoDB 3.12 refuses to drop a collection a graph uses (1942).
#[test]
fn replacing_a_collection_a_hand_made_graph_uses() {
    let harness = Harness::new();
    harness.write("collections.yaml", USERS_PRODUCTS);
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    hand_graph(&harness, "by_hand", "products");
    harness.write(
        "collections.yaml",
        &USERS_PRODUCTS.replace(
            "  name: products\n",
            "  name: products\nspec:\n  keyOptions: {type: uuid}\n",
        ),
    );
    harness.reset_stats();
    let plan = harness.run(&["plan", "--allow-destructive"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "conflict_graph_member_drop_plan",
            stable(&plan.stdout, &harness)
        );
    });
    let apply = harness.run(&["apply", "--allow-destructive"]);
    assert_eq!(apply.status, 1, "{apply:?}");
    assert!(
        apply.stderr.contains("refusing to apply"),
        "{}",
        apply.stderr
    );
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    assert_eq!(
        harness.get("/_api/collection/products/properties")["keyOptions"]["type"],
        "traditional"
    );
}

/// An inverted index naming an analyzer neither the database nor the specs
/// have: the server would refuse it (error 10), so the plan blocks it.
/// Once the analyzer exists, the index applies.
#[test]
fn an_analyzer_the_database_lacks() {
    let harness = Harness::new();
    harness.create_database();
    harness.write(
        "products.yaml",
        r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: products
spec:
  indexes:
    - {type: inverted, name: search, fields: [sku, {name: title, analyzer: text_en}, {name: tags, analyzer: tag_words}]}
"#,
    );
    assert_refused(&harness, "missing_analyzer");
    assert_eq!(harness.get_status("/_api/collection/products"), 404);
    let created = harness.post(
        "/_api/analyzer",
        json!({"name": "tag_words", "type": "delimiter", "properties": {"delimiter": ","}}),
    );
    assert_eq!(created["name"], "features::tag_words", "{created}");
    let apply = harness.run(&["apply"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    let again = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.status, 0, "{again:?}");
}
