//! Saved plans: `plan --out FILE`, then `apply --plan FILE`, with the
//! specs and the live database changed (or not) in between.

use serde_json::{json, Value};

use crate::support::{snapshot_settings, stable, Harness, Run, ROOT_PASSWORD};

const USERS: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
spec:
  indexes:
    - {type: persistent, fields: [email], unique: true, sparse: true, name: idx_users_email}
"#;

const ORDERS: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: orders
"#;

/// The users spec with one more index, the change every test plans.
fn users_with_place() -> String {
    format!("{USERS}    - {{type: persistent, fields: [country, city], name: idx_users_place}}\n")
}

/// A database with `users` and `orders` applied, the specs then changed to
/// add an index to `users`, and that change saved as a plan in a directory
/// of its own (returned, with the plan file's path).
fn planned() -> (Harness, tempfile::TempDir, String) {
    let harness = Harness::new();
    harness.write("users.yaml", USERS);
    harness.write("orders.yaml", ORDERS);
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    harness.write("users.yaml", &users_with_place());
    let out = tempfile::tempdir().expect("temp dir");
    let file = out.path().join("plan.json").display().to_string();
    let plan = harness.run(&["plan", "--detailed-exitcode", "--out", &file]);
    assert_eq!(plan.status, 2, "{plan:?}");
    assert!(plan.stdout.contains("idx_users_place"), "{plan:?}");
    (harness, out, file)
}

fn apply_saved(harness: &Harness, file: &str) -> Run {
    harness.run(&["apply", "--plan", file])
}

fn place_index(harness: &Harness) -> Option<Value> {
    harness
        .indexes("users")
        .into_iter()
        .find(|index| index["name"] == "idx_users_place")
}

fn refusal(run: &Run, harness: &Harness, file: &str) -> String {
    stable(&run.stderr, harness).replace(file, "[plan.json]")
}

#[test]
fn a_saved_plan_applies_and_leaves_nothing_to_do() {
    let (harness, _out, file) = planned();
    let text = std::fs::read_to_string(&file).expect("the plan file");
    assert!(!text.contains(ROOT_PASSWORD), "no credentials in {text}");
    assert!(
        !text.contains(harness.emulator.url()),
        "no endpoint in {text}"
    );
    let saved: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(saved["kind"], "arangosync-saved-plan");
    assert_eq!(saved["savedPlanVersion"], 2);
    assert_eq!(saved["overlay"], Value::Null);
    assert_eq!(saved["database"], "features");
    assert_eq!(saved["plan"]["formatVersion"], 2);
    assert!(saved["specsDigest"]
        .as_str()
        .is_some_and(|digest| digest.starts_with("sha256:")));
    // One object touched, absent when planned.
    assert_eq!(
        saved["fingerprints"],
        json!({"index users/idx_users_place": "absent"})
    );
    // ... on a collection that exists, which the plan does not change.
    let dependencies = saved["dependencies"].as_object().expect("a map");
    assert_eq!(
        dependencies.keys().collect::<Vec<_>>(),
        vec!["collection users"]
    );
    assert!(dependencies["collection users"]
        .as_str()
        .is_some_and(|fingerprint| fingerprint.starts_with("sha256:")));

    harness.reset_stats();
    let applied = apply_saved(&harness, &file);
    assert_eq!(applied.status, 0, "{applied:?}");
    assert!(harness.writes() > 0);
    let index = place_index(&harness).expect("created");
    assert_eq!(index["fields"], json!(["country", "city"]));
    let again = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.status, 0, "{again:?}");
    // Applied once, the saved plan is out of date: its index exists now.
    let twice = apply_saved(&harness, &file);
    assert_eq!(twice.status, 1, "{twice:?}");
    assert!(
        twice
            .stderr
            .contains("index users/idx_users_place: created since the plan was made"),
        "{twice:?}"
    );
}

#[test]
fn a_saved_first_run_creates_the_database_too() {
    let harness = Harness::new();
    harness.write("users.yaml", &users_with_place());
    let out = tempfile::tempdir().expect("temp dir");
    let file = out.path().join("plan.json").display().to_string();
    let plan = harness.run(&["plan", "--create-database", "--out", &file]);
    assert_eq!(plan.status, 0, "{plan:?}");
    assert_eq!(harness.get_status("/_api/collection/users"), 404);
    // --create-database is the saved plan's choice, not repeated here.
    let applied = apply_saved(&harness, &file);
    assert_eq!(applied.status, 0, "{applied:?}");
    assert!(place_index(&harness).is_some());
    let again = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.status, 0, "{again:?}");
}

#[test]
fn an_unrelated_change_by_hand_does_not_stop_a_saved_plan() {
    let (harness, _out, file) = planned();
    // `orders` is not in the saved plan; changed by hand, a new plan would
    // put it back.
    harness.put(
        "/_api/collection/orders/properties",
        json!({"waitForSync": true}),
    );
    let applied = apply_saved(&harness, &file);
    assert_eq!(applied.status, 0, "{applied:?}");
    assert!(place_index(&harness).is_some());
    // Exactly the saved plan: the drift of `orders` was not corrected.
    let orders = harness.get("/_api/collection/orders/properties");
    assert_eq!(orders["waitForSync"], true);
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 2, "{plan:?}");
    assert!(plan.stdout.contains("collection orders"), "{plan:?}");
    assert!(!plan.stdout.contains("idx_users_place"), "{plan:?}");
}

#[test]
fn a_touched_object_changed_by_hand_refuses_the_saved_plan() {
    let (harness, _out, file) = planned();
    harness.post(
        "/_api/index?collection=users",
        json!({"type": "persistent", "fields": ["country"], "name": "idx_users_place"}),
    );
    harness.reset_stats();
    let refused = apply_saved(&harness, &file);
    assert_eq!(refused.status, 1, "{refused:?}");
    assert_eq!(harness.writes(), 0, "nothing written");
    let index = place_index(&harness).expect("the hand-made index");
    assert_eq!(index["fields"], json!(["country"]));
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "saved_plan_touched_object_changed",
            refusal(&refused, &harness, &file)
        );
    });
}

#[test]
fn a_dropped_collection_of_a_touched_index_refuses_the_saved_plan() {
    let (harness, _out, file) = planned();
    let (status, body) = harness.api(
        reqwest::Method::DELETE,
        "/_db/features/_api/collection/users",
        None,
    );
    assert_eq!(status, 200, "{body}");
    harness.reset_stats();
    let refused = apply_saved(&harness, &file);
    assert_eq!(refused.status, 1, "{refused:?}");
    assert_eq!(harness.writes(), 0, "nothing written");
    assert!(
        refused.stderr.contains(
            "index users/idx_users_place: its collection was dropped since the plan was made"
        ),
        "{refused:?}"
    );
}

#[test]
fn specs_edited_after_planning_refuse_the_saved_plan() {
    let (harness, _out, file) = planned();
    // Moving a spec to another file is no change of the specs.
    harness.remove("orders.yaml");
    harness.write("more/orders.yaml", ORDERS);
    // Editing one is.
    harness.write(
        "users.yaml",
        &users_with_place().replace("[country, city]", "[country]"),
    );
    harness.reset_stats();
    let refused = apply_saved(&harness, &file);
    assert_eq!(refused.status, 1, "{refused:?}");
    assert_eq!(harness.writes(), 0, "nothing written");
    assert!(place_index(&harness).is_none());
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "saved_plan_specs_changed",
            refusal(&refused, &harness, &file)
        );
    });

    // Back as planned (in the new layout), the saved plan applies.
    harness.write("users.yaml", &users_with_place());
    let applied = apply_saved(&harness, &file);
    assert_eq!(applied.status, 0, "{applied:?}");
    assert!(place_index(&harness).is_some());
}

#[test]
fn a_bad_plan_file_is_invalid_input() {
    let (harness, out, file) = planned();
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("JSON");
    let write = |name: &str, text: &str| {
        let path = out.path().join(name);
        std::fs::write(&path, text).expect("write");
        path.display().to_string()
    };
    let mut other_version = saved.clone();
    other_version["savedPlanVersion"] = json!(99);
    let mut damaged = saved.clone();
    damaged["fingerprints"] = json!(["not", "a", "map"]);
    let cases = [
        (
            "corrupt",
            write("corrupt.json", "{\"kind\": \"arangosync-saved"),
        ),
        ("plan_json", {
            let plan = harness.run(&["plan", "--format", "json"]);
            write("plain.json", &plan.stdout)
        }),
        ("version", write("version.json", &other_version.to_string())),
        ("damaged", write("damaged.json", &damaged.to_string())),
        (
            "missing",
            out.path().join("nope.json").display().to_string(),
        ),
    ];
    harness.reset_stats();
    let mut messages = String::new();
    for (name, path) in &cases {
        let run = apply_saved(&harness, path);
        assert_eq!(run.status, 3, "{name}: {run:?}");
        messages.push_str(&format!(
            "{name}: {}",
            stable(&run.stderr, &harness).replace(&out.path().display().to_string(), "[out]")
        ));
    }
    // Another database.
    let other = harness.run_with_env(
        "root",
        ROOT_PASSWORD,
        &[("ARANGO_DATABASE", "other")],
        &["apply", "--plan", &file],
    );
    assert_eq!(other.status, 3, "{other:?}");
    messages.push_str(&format!(
        "database: {}",
        stable(&other.stderr, &harness).replace(&out.path().display().to_string(), "[out]")
    ));
    assert_eq!(harness.writes(), 0, "nothing written");
    assert!(place_index(&harness).is_none());
    // Flags that shape a plan are the saved plan's, not apply's.
    let flags = harness.run(&["apply", "--plan", &file, "--prune"]);
    assert_eq!(flags.status, 3, "{flags:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("saved_plan_bad_files", messages);
    });
}

const PRODUCTS: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: products
spec:
  indexes:
    - {type: inverted, name: inv_products_text, fields: [title, description]}
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

/// `products` (with an inverted index) and `orders` applied; then a plan
/// that creates collection `events` and view `product_search`, which
/// links the existing inverted index, saved. The plan does not touch the
/// index or `products`; the view depends on both.
fn planned_view() -> (Harness, tempfile::TempDir, String) {
    let harness = Harness::new();
    harness.write("products.yaml", PRODUCTS);
    harness.write("orders.yaml", ORDERS);
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    harness.write("events.yaml", &ORDERS.replace("orders", "events"));
    harness.write("search.yaml", PRODUCT_SEARCH);
    let out = tempfile::tempdir().expect("temp dir");
    let file = out.path().join("plan.json").display().to_string();
    let plan = harness.run(&["plan", "--detailed-exitcode", "--out", &file]);
    assert_eq!(plan.status, 2, "{plan:?}");
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("JSON");
    let touched: Vec<&String> = saved["fingerprints"]
        .as_object()
        .expect("map")
        .keys()
        .collect();
    assert_eq!(touched, vec!["collection events", "view product_search"]);
    let dependencies: Vec<&String> = saved["dependencies"]
        .as_object()
        .expect("map")
        .keys()
        .collect();
    assert_eq!(
        dependencies,
        vec!["collection products", "index products/inv_products_text"]
    );
    (harness, out, file)
}

/// Drops `products`' inverted index by hand (by its id, as read raw).
fn drop_inverted_index(harness: &Harness) {
    let listed = harness.get("/_api/index?collection=products");
    let id = listed["indexes"]
        .as_array()
        .expect("indexes")
        .iter()
        .find(|index| index["name"] == "inv_products_text")
        .and_then(|index| index["id"].as_str())
        .expect("the inverted index's id")
        .to_string();
    let (status, body) = harness.api(
        reqwest::Method::DELETE,
        &format!("/_db/features/_api/index/{id}"),
        None,
    );
    assert_eq!(status, 200, "{body}");
    assert!(inverted_index(harness).is_none());
}

fn inverted_index(harness: &Harness) -> Option<Value> {
    harness
        .indexes("products")
        .into_iter()
        .find(|index| index["name"] == "inv_products_text")
}

/// Nothing of the saved plan was written: neither the collection (which
/// apply would create first) nor the view.
fn assert_nothing_applied(harness: &Harness) {
    assert_eq!(harness.writes(), 0, "nothing written");
    assert_eq!(harness.get_status("/_api/collection/events"), 404);
    assert_eq!(harness.get_status("/_api/view/product_search"), 404);
}

#[test]
fn a_dropped_dependency_refuses_the_saved_plan_before_any_write() {
    let (harness, _out, file) = planned_view();
    drop_inverted_index(&harness);
    harness.reset_stats();
    let refused = apply_saved(&harness, &file);
    assert_eq!(refused.status, 1, "{refused:?}");
    assert_nothing_applied(&harness);
    assert!(inverted_index(&harness).is_none(), "not made again");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "saved_plan_dependency_dropped",
            refusal(&refused, &harness, &file)
        );
    });
}

#[test]
fn a_changed_dependency_refuses_the_saved_plan_before_any_write() {
    let (harness, _out, file) = planned_view();
    // The inverted index dropped and made again by hand, on other fields.
    drop_inverted_index(&harness);
    harness.post(
        "/_api/index?collection=products",
        json!({"type": "inverted", "name": "inv_products_text", "fields": ["title"]}),
    );
    harness.reset_stats();
    let refused = apply_saved(&harness, &file);
    assert_eq!(refused.status, 1, "{refused:?}");
    assert_nothing_applied(&harness);
    let index = inverted_index(&harness).expect("the hand-made index");
    assert_eq!(index["fields"].as_array().map(Vec::len), Some(1), "{index}");
    assert!(
        refused.stderr.contains(
            "1 of the objects its changes depend on was changed in the database since it was planned"
        ),
        "{refused:?}"
    );
    assert!(
        refused.stderr.contains(
            "index products/inv_products_text (view product_search needs it): changed since the plan was made"
        ),
        "{refused:?}"
    );
}

#[test]
fn an_unrelated_change_does_not_stop_a_saved_plan_with_dependencies() {
    let (harness, _out, file) = planned_view();
    // `orders` is neither touched nor depended on.
    harness.put(
        "/_api/collection/orders/properties",
        json!({"waitForSync": true}),
    );
    let applied = apply_saved(&harness, &file);
    assert_eq!(applied.status, 0, "{applied:?}");
    let view = harness.get("/_api/view/product_search/properties");
    assert_eq!(
        view["indexes"],
        json!([{"collection": "products", "index": "inv_products_text"}])
    );
    assert_eq!(harness.get_status("/_api/collection/events"), 200);
    let orders = harness.get("/_api/collection/orders/properties");
    assert_eq!(orders["waitForSync"], true, "exactly the saved plan");
}

/// An overlay patch for `orders`, written into `dir` (outside the specs).
fn write_overlay(dir: &std::path::Path, wait_for_sync: bool) {
    std::fs::create_dir_all(dir).expect("overlay dir");
    std::fs::write(
        dir.join("orders.yaml"),
        format!("{ORDERS}spec:\n  waitForSync: {wait_for_sync}\n"),
    )
    .expect("write the overlay");
}

#[test]
fn a_saved_plan_names_the_overlay_it_was_made_with() {
    let (harness, out, file) = planned();
    let prod = out.path().join("overlays/prod");
    let dev = out.path().join("overlays/dev");
    write_overlay(&prod, true);
    write_overlay(&dev, false);
    let prod_text = prod.display().to_string();
    let dev_text = dev.display().to_string();
    let plan = harness.run(&["plan", "--overlay", &prod_text, "--out", &file]);
    assert_eq!(plan.status, 0, "{plan:?}");
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("JSON");
    assert_eq!(saved["overlay"]["dir"], prod_text.as_str());
    assert!(saved["overlay"]["digest"]
        .as_str()
        .is_some_and(|digest| digest.starts_with("sha256:")));

    harness.reset_stats();
    let without = apply_saved(&harness, &file);
    assert_eq!(without.status, 1, "{without:?}");
    let other = harness.run(&["apply", "--plan", &file, "--overlay", &dev_text]);
    assert_eq!(other.status, 1, "{other:?}");
    // The same directory, edited since the plan.
    write_overlay(&prod, false);
    let edited = harness.run(&["apply", "--plan", &file, "--overlay", &prod_text]);
    assert_eq!(edited.status, 1, "{edited:?}");
    assert_eq!(harness.writes(), 0, "nothing written");
    assert!(place_index(&harness).is_none());
    let out_text = out.path().display().to_string();
    let messages = [&without, &other, &edited]
        .iter()
        .map(|run| refusal(run, &harness, &file).replace(&out_text, "[out]"))
        .collect::<Vec<_>>()
        .join("");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("saved_plan_overlay_differs", messages);
    });

    // With the overlay as planned (moved to another file: no change), it
    // applies: the index and the overlay's waitForSync.
    write_overlay(&prod, true);
    std::fs::rename(prod.join("orders.yaml"), prod.join("collections.yaml")).expect("rename");
    let applied = harness.run(&["apply", "--plan", &file, "--overlay", &prod_text]);
    assert_eq!(applied.status, 0, "{applied:?}");
    assert!(place_index(&harness).is_some());
    let orders = harness.get("/_api/collection/orders/properties");
    assert_eq!(orders["waitForSync"], true);
}
