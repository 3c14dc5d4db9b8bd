//! Views (`kind: ArangoView`) through the real binary: both view types are
//! created and read back, a second plan is empty and writes nothing, a
//! mutable property changes in place (one PATCH, the view keeps its id), an
//! immutable one replaces the view (a new id), `--prune` drops only the
//! views arangosync created, a view arangosync did not create is never
//! touched, and views and collections share one namespace. On 3.12.10
//! (single server and coordinator) and 3.11.

use arangodb_emulator::{Profile, Role, Version};
use serde_json::{json, Value};

use crate::support::{snapshot_settings, stable, Harness};

const COLLECTIONS: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: products
spec:
  indexes:
    - {type: inverted, name: inv_products_text, fields: [{name: title, analyzer: text_en}, description]}
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: reviews
"#;

const CATALOG: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoView
metadata:
  name: catalog
spec:
  type: arangosearch
  commitIntervalMsec: 500
  consolidationPolicy: {type: tier, segmentsBytesMax: 2147483648}
  primarySort:
    - {field: price, direction: desc}
  storedValues:
    - [title]
  links:
    products:
      storeValues: id
      fields:
        title: {analyzers: [text_en]}
        description: {analyzers: [text_en, identity]}
    reviews:
      includeAllFields: true
"#;

const PRODUCT_SEARCH: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoView
metadata:
  name: product_search
spec:
  type: search-alias
  indexes:
    - {collection: products, index: inv_products_text}
"#;

const NO_CHANGES: &str = "No changes: database \"features\" matches the specs.\n";

fn harness(version: &str, role: Role) -> Harness {
    Harness::with_profile(Profile {
        version: version.parse::<Version>().expect("version"),
        role,
        ..Profile::default()
    })
}

fn properties(harness: &Harness, view: &str) -> Value {
    harness.get(&format!("/_api/view/{view}/properties"))
}

/// A second plan finds nothing and a second apply writes nothing.
fn converged(harness: &Harness, extra: &[&str]) {
    let dir = harness.specs().to_str().expect("utf-8").to_string();
    harness.reset_stats();
    let mut args = vec!["plan", "--dir", &dir, "--detailed-exitcode"];
    args.extend_from_slice(extra);
    let plan = harness.run(&args);
    assert_eq!(
        (plan.status, plan.stdout.as_str()),
        (0, NO_CHANGES),
        "{plan:?}"
    );
    let mut args = vec!["apply", "--dir", &dir];
    args.extend_from_slice(extra);
    let apply = harness.run(&args);
    assert_eq!(
        (apply.status, apply.stdout.as_str()),
        (0, NO_CHANGES),
        "{apply:?}"
    );
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
}

/// The whole life of two views on one server. Returns the plans of the
/// in-place update and of the replace, for the snapshots.
fn lifecycle(harness: &Harness) -> (String, String) {
    let dir = harness.specs().to_str().expect("utf-8").to_string();
    harness.write("collections.yaml", COLLECTIONS);
    harness.write("catalog.yaml", CATALOG);
    harness.write("product_search.yaml", PRODUCT_SEARCH);

    // `--phase pre` covers views.
    let first = harness.run(&[
        "apply",
        "--dir",
        &dir,
        "--create-database",
        "--phase",
        "pre",
    ]);
    assert_eq!(first.status, 0, "{first:?}");
    assert!(
        first.stdout.contains("  + view catalog (create)\n"),
        "{}",
        first.stdout
    );
    let catalog = properties(harness, "catalog");
    assert_eq!(catalog["type"], "arangosearch");
    assert_eq!(catalog["commitIntervalMsec"], 500);
    assert_eq!(
        catalog["consolidationPolicy"]["segmentsBytesMax"],
        2147483648_u64
    );
    assert_eq!(
        catalog["primarySort"],
        json!([{"field": "price", "asc": false}])
    );
    assert_eq!(catalog["storedValues"][0]["fields"], json!(["title"]));
    let products = &catalog["links"]["products"];
    assert_eq!(products["storeValues"], "id");
    assert_eq!(products["fields"]["title"]["analyzers"], json!(["text_en"]));
    assert_eq!(catalog["links"]["reviews"]["includeAllFields"], true);
    let alias = properties(harness, "product_search");
    assert_eq!(
        (&alias["type"], &alias["indexes"]),
        (
            &json!("search-alias"),
            &json!([{"collection": "products", "index": "inv_products_text"}])
        )
    );
    converged(harness, &[]);
    let id = catalog["id"].clone();

    // A mutable property: one partial update, the view keeps its id.
    harness.write(
        "catalog.yaml",
        &CATALOG.replace(
            "segmentsBytesMax: 2147483648",
            "segmentsBytesMax: 4294967296",
        ),
    );
    let update = harness.run(&["plan", "--dir", &dir, "--detailed-exitcode"]);
    assert_eq!(update.status, 2, "{update:?}");
    harness.reset_stats();
    let applied = harness.run(&["apply", "--dir", &dir]);
    assert_eq!(applied.status, 0, "{applied:?}");
    let stats = harness.stats();
    assert_eq!(stats["byMethod"]["PATCH"], 1, "{stats}");
    // Neither dropped nor created: only the properties were patched.
    assert_eq!(
        stats["byPath"].get("/_db/features/_api/view/catalog"),
        None,
        "{stats}"
    );
    assert_eq!(
        stats["byPath"].get("/_db/features/_api/view"),
        None,
        "{stats}"
    );
    assert_eq!(
        stats["byPath"]["/_db/features/_api/view/catalog/properties"], 1,
        "{stats}"
    );
    let catalog = properties(harness, "catalog");
    assert_eq!(
        catalog["consolidationPolicy"]["segmentsBytesMax"],
        4294967296_u64
    );
    assert_eq!(catalog["id"], id, "updated in place");
    assert_eq!(catalog["links"]["products"]["storeValues"], "id");
    converged(harness, &[]);

    // An immutable property: the view is dropped and created again.
    harness.write(
        "catalog.yaml",
        &CATALOG
            .replace(
                "segmentsBytesMax: 2147483648",
                "segmentsBytesMax: 4294967296",
            )
            .replace("direction: desc", "direction: asc"),
    );
    let replace = harness.run(&["plan", "--dir", &dir, "--detailed-exitcode"]);
    assert_eq!(replace.status, 2, "{replace:?}");
    let applied = harness.run(&["apply", "--dir", &dir]);
    assert_eq!(applied.status, 0, "{applied:?}");
    let catalog = properties(harness, "catalog");
    assert_ne!(catalog["id"], id, "replaced");
    assert_eq!(
        catalog["primarySort"],
        json!([{"field": "price", "asc": true}])
    );
    assert_eq!(
        catalog["consolidationPolicy"]["segmentsBytesMax"],
        4294967296_u64
    );
    converged(harness, &[]);

    // Prune: the owned view that left the specs goes, a hand-made one stays.
    harness.post(
        "/_api/view",
        json!({"name": "hand_made", "type": "arangosearch"}),
    );
    harness.remove("catalog.yaml");
    let prune = harness.run(&["plan", "--dir", &dir, "--prune"]);
    assert_eq!(prune.status, 0, "{prune:?}");
    assert!(
        prune.stdout.contains("  - view catalog (delete)\n"),
        "{}",
        prune.stdout
    );
    assert!(!prune.stdout.contains("hand_made"), "{}", prune.stdout);
    let without = harness.run(&["apply", "--dir", &dir]);
    assert_eq!(
        (without.status, without.stdout.as_str()),
        (
            0,
            format!(
                "{NO_CHANGES}\nNotes (not changes):\n  view catalog: not in the specs; kept (unmanaged). --prune deletes it\n"
            )
            .as_str()
        ),
        "no prune without --prune, and a note saying so (the hand-made view is not named)"
    );
    let pruned = harness.run(&["apply", "--dir", &dir, "--prune"]);
    assert_eq!(pruned.status, 0, "{pruned:?}");
    assert_eq!(harness.get_status("/_api/view/catalog"), 404);
    assert_eq!(harness.get_status("/_api/view/hand_made"), 200);
    assert_eq!(harness.get_status("/_api/view/product_search"), 200);
    converged(harness, &["--prune"]);
    (
        stable(&update.stdout, harness),
        stable(&replace.stdout, harness),
    )
}

#[test]
fn views_on_3_12_single_server() {
    let harness = harness("3.12.10", Role::Single);
    let (update, replace) = lifecycle(&harness);
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("views_update_plan", update);
        insta::assert_snapshot!("views_replace_plan", replace);
    });
}

#[test]
fn views_on_a_3_12_coordinator() {
    lifecycle(&harness("3.12.10", Role::Coordinator));
}

#[test]
fn views_on_3_11() {
    lifecycle(&harness("3.11.14", Role::Single));
}

/// A spec naming a view arangosync did not create: left alone when it
/// matches, blocked (never changed) when it differs, never pruned.
#[test]
fn a_view_arangosync_did_not_create_is_never_touched() {
    let harness = harness("3.12.10", Role::Single);
    let dir = harness.specs().to_str().expect("utf-8").to_string();
    harness.create_database();
    harness.post(
        "/_api/view",
        json!({"name": "catalog", "type": "arangosearch", "commitIntervalMsec": 1000}),
    );
    harness.write("collections.yaml", COLLECTIONS);
    harness.write("catalog.yaml", CATALOG);
    let plan = harness.run(&["plan", "--dir", &dir]);
    assert_eq!(plan.status, 0, "{plan:?}");
    assert!(
        plan.stdout.contains(
            "BLOCKED: view catalog exists with another definition and was not created by arangosync"
        ),
        "{}",
        plan.stdout
    );
    let apply = harness.run(&["apply", "--dir", &dir]);
    assert_eq!(apply.status, 1, "{apply:?}");
    let catalog = properties(&harness, "catalog");
    assert_eq!(catalog["commitIntervalMsec"], 1000);
    assert_eq!(catalog["links"], json!({}));

    // A spec that matches it: nothing to do, and it is still not owned.
    harness.write(
        "catalog.yaml",
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoView\nmetadata:\n  name: catalog\nspec:\n  type: arangosearch\n  commitIntervalMsec: 1000\n",
    );
    let apply = harness.run(&["apply", "--dir", &dir]);
    assert_eq!(apply.status, 0, "{apply:?}");
    assert!(!apply.stdout.contains("view catalog"), "{}", apply.stdout);
    harness.remove("catalog.yaml");
    let pruned = harness.run(&["apply", "--dir", &dir, "--prune"]);
    assert_eq!(
        (pruned.status, pruned.stdout.as_str()),
        (0, NO_CHANGES),
        "{pruned:?}"
    );
    assert_eq!(harness.get_status("/_api/view/catalog"), 200);
}

/// Views and collections share one namespace: in the specs (invalid input)
/// and against the database (blocked before any write).
#[test]
fn a_view_and_a_collection_cannot_share_a_name() {
    let harness = harness("3.12.10", Role::Single);
    let dir = harness.specs().to_str().expect("utf-8").to_string();
    harness.write("collections.yaml", COLLECTIONS);
    harness.write(
        "clash.yaml",
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoView\nmetadata:\n  name: reviews\nspec:\n  type: search-alias\n",
    );
    let validate = harness.run(&["validate", "--dir", &dir]);
    assert_eq!(validate.status, 3, "{validate:?}");
    assert!(
        stable(&validate.stderr, &harness).contains(
            "[specs]/clash.yaml:4:9: error[view-collection-name-clash]: view `reviews` has the name of a collection the specs declare"
        ),
        "{}",
        validate.stderr
    );

    // A hand-made view holds a name the specs give a collection, and a
    // hand-made collection one they give a view.
    harness.create_database();
    harness.post(
        "/_api/view",
        json!({"name": "reviews", "type": "arangosearch"}),
    );
    harness.post("/_api/collection", json!({"name": "shelf"}));
    harness.write(
        "clash.yaml",
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoView\nmetadata:\n  name: shelf\nspec:\n  type: search-alias\n",
    );
    let plan = harness.run(&["plan", "--dir", &dir]);
    assert_eq!(plan.status, 0, "{plan:?}");
    assert!(
        plan.stdout.contains(
            "BLOCKED: the name reviews is taken by a view that arangosync did not create"
        ),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("BLOCKED: the name shelf is taken by a collection"),
        "{}",
        plan.stdout
    );
    harness.reset_stats();
    let apply = harness.run(&["apply", "--dir", &dir]);
    assert_eq!(apply.status, 1, "{apply:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
}

/// Replacing an inverted index a search-alias view uses: the view is
/// dropped before the index and created again after it, and ends up
/// pointing at the new index.
#[test]
fn a_view_over_a_replaced_inverted_index_is_rebuilt_around_it() {
    let harness = harness("3.12.10", Role::Single);
    let dir = harness.specs().to_str().expect("utf-8").to_string();
    harness.write("collections.yaml", COLLECTIONS);
    harness.write("product_search.yaml", PRODUCT_SEARCH);
    let first = harness.run(&["apply", "--dir", &dir, "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    let id = properties(&harness, "product_search")["id"].clone();

    harness.write(
        "collections.yaml",
        &COLLECTIONS.replace("description]}", "description, brand]}"),
    );
    let plan = harness.run(&["plan", "--dir", &dir]);
    assert_eq!(plan.status, 0, "{plan:?}");
    let lines: Vec<&str> = plan
        .stdout
        .lines()
        .filter(|line| !line.starts_with("    ") && line.ends_with(')'))
        .collect();
    assert_eq!(
        lines,
        // In the order apply runs them: the view is dropped before the
        // index and created again after it.
        [
            "  - view product_search (delete)",
            "-/+ index products/inv_products_text (replace)",
            "  + view product_search (create)",
        ],
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains(
            "it uses index products/inv_products_text, which this plan drops: the view is dropped first and created again afterwards"
        ),
        "{}",
        plan.stdout
    );
    let applied = harness.run(&["apply", "--dir", &dir]);
    assert_eq!(applied.status, 0, "{applied:?}");
    let view = properties(&harness, "product_search");
    assert_ne!(view["id"], id);
    assert_eq!(
        view["indexes"],
        json!([{"collection": "products", "index": "inv_products_text"}])
    );
    let index = harness
        .indexes("products")
        .into_iter()
        .find(|index| index["name"] == "inv_products_text")
        .expect("the new index");
    assert_eq!(index["fields"].as_array().map(Vec::len), Some(3));
    converged(&harness, &["--prune"]);
}

/// A link naming an analyzer that is neither built in nor defined by a
/// spec: a warning offline, and a blocked create when the database lacks
/// it (ArangoDB would refuse the link).
#[test]
fn a_link_to_a_missing_analyzer_is_blocked_before_any_write() {
    let harness = harness("3.12.10", Role::Single);
    let dir = harness.specs().to_str().expect("utf-8").to_string();
    harness.write("collections.yaml", COLLECTIONS);
    harness.write(
        "catalog.yaml",
        &CATALOG.replace(
            "analyzers: [text_en, identity]",
            "analyzers: [product_terms]",
        ),
    );
    let validate = harness.run(&["validate", "--dir", &dir]);
    assert_eq!(validate.status, 0, "{validate:?}");
    assert!(
        stable(&validate.stderr, &harness).contains(
            "[specs]/catalog.yaml:18:34: warning[analyzer-not-in-specs]: view `catalog` uses analyzer `product_terms`, which is not built in and no spec defines"
        ),
        "{}",
        validate.stderr
    );
    harness.create_database();
    let plan = harness.run(&["plan", "--dir", &dir]);
    assert!(
        plan.stdout
            .contains("BLOCKED: the analyzer product_terms does not exist in database features"),
        "{plan:?}"
    );
    harness.reset_stats();
    let apply = harness.run(&["apply", "--dir", &dir]);
    assert_eq!(apply.status, 1, "{apply:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
}

/// A view made by hand over what arangosync replaces or drops: ArangoDB
/// would take the index (or the collection's link) out of it silently, so
/// the replace or drop is refused, naming the view, and nothing is
/// written. The example repository, plus a hand-made `search-alias` view
/// over its inverted index.
#[test]
fn a_view_arangosync_did_not_create_keeps_what_it_uses() {
    let harness = Harness::with_profile(crate::support::example_profile());
    crate::support::copy_tree(&crate::support::example_features(), harness.specs());
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    harness.post(
        "/_api/view",
        json!({"name": "hand_alias", "type": "search-alias", "indexes": [{"collection": "products", "index": "idx_products_search"}]}),
    );
    let products = harness.specs().join("entities/products.yaml");
    let text = std::fs::read_to_string(&products).expect("products spec");
    std::fs::write(
        &products,
        text.replace(
            "{name: title, analyzer: product_text}, description]}",
            "{name: title, analyzer: product_text}, description, brand]}",
        ),
    )
    .expect("write");
    harness.reset_stats();
    let refused = harness.run(&["apply"]);
    assert_eq!(refused.status, 1, "{refused:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    let blocked: Vec<&str> = refused
        .stdout
        .lines()
        .filter(|line| line.contains("BLOCKED"))
        .collect();
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("views_unowned_alias_keeps_its_index", blocked.join("\n"))
    });
    assert_eq!(
        properties(&harness, "hand_alias")["indexes"],
        json!([{"collection": "products", "index": "idx_products_search"}])
    );

    // The same for an arangosearch view linking a collection a prune drops.
    let linked = self::harness("3.12.10", Role::Single);
    linked.write("collections.yaml", COLLECTIONS);
    let first = linked.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    linked.post(
        "/_api/view",
        json!({"name": "hand_search", "type": "arangosearch", "links": {"reviews": {"includeAllFields": true}}}),
    );
    let (end, _) = COLLECTIONS.split_once("---").expect("two collections");
    linked.write("collections.yaml", end);
    linked.reset_stats();
    let refused = linked.run(&[
        "apply",
        "--prune",
        "--allow-destructive",
        "--allow-mass-prune",
    ]);
    assert_eq!(refused.status, 1, "{refused:?}");
    assert_eq!(linked.writes(), 0, "{}", linked.stats());
    assert!(
        refused.stdout.contains("BLOCKED: the link of collection reviews is used by view hand_search, which arangosync did not create;"),
        "{}",
        refused.stdout
    );
    assert_eq!(linked.get_status("/_api/collection/reviews"), 200);
    assert!(properties(&linked, "hand_search")["links"]["reviews"].is_object());
}

/// Renaming an inverted index (nothing else changes) that a search-alias
/// view lists: ArangoDB takes the renamed definition for the index it
/// holds, so the old one is dropped first, the view is rebuilt around the
/// new one, and the next plan is empty. With `--prune` too. (A fresh
/// reviewer found the create answered with the old index, which the prune
/// then dropped, leaving neither index nor view.)
#[test]
fn renaming_an_inverted_index_a_view_lists_converges() {
    for prune in [false, true] {
        let harness = Harness::with_profile(crate::support::example_profile());
        crate::support::copy_tree(&crate::support::example_features(), harness.specs());
        let first = harness.run(&["apply", "--create-database"]);
        assert_eq!(first.status, 0, "{first:?}");
        for file in ["entities/products.yaml", "search/product_search.yaml"] {
            let path = harness.specs().join(file);
            let text = std::fs::read_to_string(&path).expect("spec");
            std::fs::write(
                &path,
                text.replace("idx_products_search", "idx_products_search2"),
            )
            .expect("write");
        }
        let mut args = vec!["apply"];
        if prune {
            args.push("--prune");
        }
        let renamed = harness.run(&args);
        assert_eq!(renamed.status, 0, "prune={prune}: {renamed:?}");
        let inverted: Vec<String> = harness
            .indexes("products")
            .iter()
            .filter(|index| index["type"] == "inverted")
            .map(|index| index["name"].as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(inverted, ["idx_products_search2"], "prune={prune}");
        let view = properties(&harness, "product_search");
        assert_eq!(
            view["indexes"],
            json!([{"collection": "products", "index": "idx_products_search2"}]),
            "prune={prune}: {view}"
        );
        let again = harness.run(&["plan", "--detailed-exitcode"]);
        assert_eq!(again.status, 0, "prune={prune}: {again:?}");
    }
}
