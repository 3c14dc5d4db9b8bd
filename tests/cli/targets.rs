//! `--target`: a plan and an apply narrowed to some objects and what they
//! depend on; and the final JSON log line of `plan` a drift check reads.

use serde_json::Value;

use crate::support::{snapshot_settings, stable, Harness};

const SPECS: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
spec:
  indexes:
    - {type: persistent, fields: [email], unique: true, sparse: true, name: idx_users_email}
    - {type: persistent, fields: [city], name: idx_users_city}
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: products
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: viewed_edge
spec:
  type: edge
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoGraph
metadata:
  name: interactions
spec:
  edgeDefinitions:
    - {collection: viewed_edge, from: [users], to: [products]}
"#;

fn harness() -> Harness {
    let harness = Harness::new();
    harness.write("entities/all.yaml", SPECS);
    harness
}

/// The names of the database's non-system collections, sorted.
fn collections(harness: &Harness) -> Vec<String> {
    let listed = harness.get("/_api/collection?excludeSystem=true");
    let mut names: Vec<String> = listed["result"]
        .as_array()
        .expect("a collection list")
        .iter()
        .filter_map(|c| c["name"].as_str().map(String::from))
        .collect();
    names.sort();
    names
}

#[test]
fn targeting_one_index_plans_and_applies_only_it_and_its_collection() {
    let harness = harness();
    let target = ["--target", "index/users/idx_users_email"];
    let mut args = vec!["plan", "--create-database", "--detailed-exitcode"];
    args.extend(target);
    let text = harness.run(&args);
    assert_eq!(text.status, 2, "{text:?}");
    args.extend(["--format", "json"]);
    let json = harness.run(&args);
    assert_eq!(json.status, 2, "{json:?}");
    let parsed: Value = serde_json::from_str(&json.stdout).expect("the JSON plan parses");
    assert_eq!(
        parsed["targets"],
        serde_json::json!(["index/users/idx_users_email"])
    );
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("target_index_plan", stable(&text.stdout, &harness));
        insta::assert_snapshot!("target_index_plan_json", stable(&json.stdout, &harness));
    });

    let mut apply = vec!["apply", "--create-database"];
    apply.extend(target);
    let applied = harness.run(&apply);
    assert_eq!(applied.status, 0, "{applied:?}");
    // Read back: users and its one index, nothing else.
    assert_eq!(collections(&harness), vec!["users"]);
    let names: Vec<String> = harness
        .indexes("users")
        .iter()
        .filter_map(|index| index["name"].as_str().map(String::from))
        .filter(|name| name != "primary")
        .collect();
    assert_eq!(names, vec!["idx_users_email"]);
    let graphs = harness.get("/_api/gharial");
    assert_eq!(graphs["graphs"], serde_json::json!([]));

    // The same target again: nothing left to do, and the plan says it is partial.
    let again = harness.run(&[
        "plan",
        "--detailed-exitcode",
        "--target",
        "index/users/idx_users_email",
    ]);
    assert_eq!(again.status, 0, "{again:?}");
    assert_eq!(
        again.stdout,
        "No changes: database \"features\" matches the specs.\nPartial plan: only index/users/idx_users_email and what they depend on (--target).\n"
    );
    // The rest is still pending for a whole plan.
    let whole = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(whole.status, 2, "{whole:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("target_index_rest", stable(&whole.stdout, &harness));
    });
}

#[test]
fn targeting_a_graph_brings_its_collections_but_not_their_indexes() {
    let harness = harness();
    let run = harness.run(&[
        "plan",
        "--create-database",
        "--target",
        "graph/interactions",
    ]);
    assert_eq!(run.status, 0, "{run:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("target_graph_plan", stable(&run.stdout, &harness));
    });
}

#[test]
fn an_unknown_target_is_invalid_input_naming_the_nearest_address() {
    let harness = harness();
    harness.create_database();
    harness.reset_stats();
    let run = harness.run(&["apply", "--target", "index/users/idx_user_email"]);
    assert_eq!(run.status, 3, "{run:?}");
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "error: --target \"index/users/idx_user_email\": no such object in the specs or the database; did you mean `index/users/idx_users_email`?\n"
    );
    let malformed = harness.run(&["plan", "--target", "colection/users"]);
    assert_eq!(malformed.status, 3, "{malformed:?}");
    assert_eq!(
        malformed.stderr,
        "error: --target \"colection/users\": unknown kind `colection`; did you mean `collection`?\n"
    );
    assert_eq!(harness.writes(), 0);
    assert_eq!(collections(&harness), Vec::<String>::new());
}

#[test]
fn prune_within_targets_drops_only_targeted_objects() {
    let harness = harness();
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    // Both indexes of users leave the specs; the prune targets only one.
    harness.write(
        "entities/all.yaml",
        &SPECS.replace(
            "  indexes:\n    - {type: persistent, fields: [email], unique: true, sparse: true, name: idx_users_email}\n    - {type: persistent, fields: [city], name: idx_users_city}\n",
            "  indexes: []\n",
        ),
    );
    let run = harness.run(&["apply", "--prune", "--target", "index/users/idx_users_city"]);
    assert_eq!(run.status, 0, "{run:?}");
    let names: Vec<String> = harness
        .indexes("users")
        .iter()
        .filter_map(|index| index["name"].as_str().map(String::from))
        .filter(|name| name != "primary")
        .collect();
    assert_eq!(names, vec!["idx_users_email"]);
}

/// The names of a collection's indexes other than the primary (and edge)
/// index, read back from the database.
fn index_names(harness: &Harness, collection: &str) -> Vec<String> {
    harness
        .indexes(collection)
        .iter()
        .filter_map(|index| index["name"].as_str().map(String::from))
        .filter(|name| name != "primary" && name != "edge")
        .collect()
}

#[test]
fn a_collection_target_covers_its_indexes_creates_and_prune_deletes() {
    let harness = harness();
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    // users: idx_users_city leaves the spec and idx_users_name joins it;
    // products gains an index too, but products is not targeted.
    harness.write(
        "entities/all.yaml",
        &SPECS
            .replace(
                "    - {type: persistent, fields: [city], name: idx_users_city}\n",
                "    - {type: persistent, fields: [name], name: idx_users_name}\n",
            )
            .replace(
                "  name: products\n",
                "  name: products\nspec:\n  indexes:\n    - {type: persistent, fields: [sku], name: idx_products_sku}\n",
            ),
    );
    let args = [
        "plan",
        "--prune",
        "--detailed-exitcode",
        "--target",
        "collection/users",
    ];
    let plan = harness.run(&args);
    assert_eq!(plan.status, 2, "{plan:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("target_collection_indexes", stable(&plan.stdout, &harness));
    });

    let applied = harness.run(&["apply", "--prune", "--target", "collection/users"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    let mut users = index_names(&harness, "users");
    users.sort();
    assert_eq!(users, vec!["idx_users_email", "idx_users_name"]);
    assert_eq!(index_names(&harness, "products"), Vec::<String>::new());

    // Nothing left for the target; products' index still pending overall.
    let again = harness.run(&args);
    assert_eq!(again.status, 0, "{again:?}");
    let whole = harness.run(&["plan", "--prune", "--detailed-exitcode"]);
    assert_eq!(whole.status, 2, "{whole:?}");
    assert!(
        whole
            .stdout
            .contains("+ index products/idx_products_sku (create)"),
        "{}",
        whole.stdout
    );
    assert!(!whole.stdout.contains("index users/"), "{}", whole.stdout);
}

/// The last stderr line of a run with `--log-format json`, parsed, without
/// its timestamp.
fn last_log_line(stderr: &str) -> Value {
    let line = stderr.lines().last().expect("a log line");
    let mut parsed: Value = serde_json::from_str(line).expect("a JSON log line");
    parsed
        .as_object_mut()
        .expect("an object")
        .remove("timestamp");
    parsed
}

#[test]
fn the_json_log_of_a_plan_ends_with_its_summary() {
    let harness = harness();
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    let args = ["plan", "--detailed-exitcode", "--log-format", "json"];
    let clean = harness.run(&args);
    assert_eq!(clean.status, 0, "{clean:?}");
    assert_eq!(
        last_log_line(&clean.stderr),
        serde_json::json!({
            "level": "INFO",
            "fields": {
                "message": "plan finished",
                "database": "features",
                "exit_status": 0,
                "changes": 0,
                "create": 0,
                "update": 0,
                "replace": 0,
                "delete": 0,
                "blocked": 0,
                "addresses": "",
                "partial": false
            }
        })
    );
    // Someone drops an index and a graph by hand: drift.
    let listed = harness.get("/_api/index?collection=users");
    let id = listed["indexes"]
        .as_array()
        .expect("indexes")
        .iter()
        .find(|index| index["name"] == "idx_users_city")
        .and_then(|index| index["id"].as_str().map(String::from))
        .expect("the index exists");
    let (status, _) = harness.api(
        reqwest::Method::DELETE,
        &format!("/_db/features/_api/index/{id}"),
        None,
    );
    assert_eq!(status, 200);
    let (status, _) = harness.api(
        reqwest::Method::DELETE,
        "/_db/features/_api/gharial/interactions",
        None,
    );
    assert!(status == 200 || status == 202, "{status}");
    let drift = harness.run(&args);
    assert_eq!(drift.status, 2, "{drift:?}");
    assert_eq!(
        last_log_line(&drift.stderr),
        serde_json::json!({
            "level": "INFO",
            "fields": {
                "message": "plan finished",
                "database": "features",
                "exit_status": 2,
                "changes": 2,
                "create": 2,
                "update": 0,
                "replace": 0,
                "delete": 0,
                "blocked": 0,
                "addresses": "create index/users/idx_users_city, create graph/interactions",
                "partial": false
            }
        })
    );
}

/// The example repository on an empty database: a view brings its inverted
/// index, that index's collection and analyzer; a registry entry brings its
/// function, and nothing schema-wise.
#[test]
fn targets_follow_views_to_indexes_and_analyzers_and_registry_entries_to_functions() {
    let harness = Harness::new();
    crate::support::copy_tree(&crate::support::example_features(), harness.specs());
    let view = harness.run(&[
        "plan",
        "--create-database",
        "--target",
        "view/product_search",
    ]);
    assert_eq!(view.status, 0, "{view:?}");
    let registry = harness.run(&[
        "plan",
        "--create-database",
        "--target",
        "registryEntry/features::user_profile_v1",
    ]);
    assert_eq!(registry.status, 0, "{registry:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("target_view_plan", stable(&view.stdout, &harness));
        insta::assert_snapshot!("target_registry_plan", stable(&registry.stdout, &harness));
    });
    let applied = harness.run(&[
        "apply",
        "--create-database",
        "--target",
        "view/product_search",
    ]);
    assert_eq!(applied.status, 0, "{applied:?}");
    assert_eq!(collections(&harness), vec!["products"]);
    let analyzers = harness.get("/_api/analyzer");
    let custom: Vec<&str> = analyzers["result"]
        .as_array()
        .expect("analyzers")
        .iter()
        .filter_map(|a| a["name"].as_str())
        .filter(|name| name.contains("::"))
        .collect();
    assert_eq!(custom, vec!["features::product_text"]);
    assert_eq!(
        harness.get("/_api/view/product_search")["type"],
        "search-alias"
    );
    assert_eq!(
        harness.get("/_api/aqlfunction?namespace=FEATURES")["result"],
        serde_json::json!([])
    );
}

/// A collection target replacing an inverted index a search-alias view
/// uses brings the view's drop and create, as the whole plan does: the
/// view keeps the index.
#[test]
fn a_collection_target_replacing_a_views_index_brings_the_view() {
    let harness = Harness::new();
    crate::support::copy_tree(&crate::support::example_features(), harness.specs());
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    let path = harness.specs().join("entities/products.yaml");
    let text = std::fs::read_to_string(&path).expect("products spec");
    let changed = text.replace(
        "fields: [{name: title, analyzer: product_text}, description]}",
        "fields: [{name: title, analyzer: product_text}]}",
    );
    assert_ne!(changed, text, "the example's inverted index changed");
    std::fs::write(&path, changed).expect("write spec");

    let plan = harness.run(&["plan", "--target", "collection/products"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "target_collection_view_index",
            stable(&plan.stdout, &harness)
        );
    });
    let applied = harness.run(&["apply", "--target", "collection/products"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    let view = harness.get("/_api/view/product_search/properties");
    assert_eq!(
        view["indexes"],
        serde_json::json!([{"collection": "products", "index": "idx_products_search"}])
    );
    let whole = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(whole.status, 0, "{whole:?}");
}
