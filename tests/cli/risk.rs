//! Risk that reflects the data, through the real binary: a destructive
//! change states how many documents it deletes or rebuilds over, a unique
//! index and a tightened schema state how many existing documents they
//! reject, a named index dropped before its replacement is built carries
//! the hint that avoids the gap. The counts are read-only AQL queries,
//! made only when such a change is planned, and a count that fails or
//! cannot be made (offline) is said so without failing the plan.

use serde_json::{json, Value};

use crate::support::{snapshot_settings, stable, Harness};

const USERS: &str = "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: users\nspec:\n";

/// `users` with `extra` appended to its spec.
fn users(extra: &str) -> String {
    format!("{USERS}{extra}")
}

/// Six users: `a@x` three times (twice in org 1), two without an email,
/// one `b@x`.
fn insert_users(harness: &Harness) {
    harness.post(
        "/_api/document/users",
        json!([
            {"_key": "k1", "email": "a@x", "org": 1},
            {"_key": "k2", "email": "a@x", "org": 1},
            {"_key": "k3", "email": "a@x", "org": 2},
            {"_key": "k4", "org": 1},
            {"_key": "k5", "org": 1},
            {"_key": "k6", "email": "b@x"},
        ]),
    );
}

/// `users` as `spec` says, applied, with the six users in it.
fn applied(spec: &str) -> Harness {
    let harness = Harness::new();
    harness.write("users.yaml", &users(spec));
    let created = harness.run(&["apply", "--create-database"]);
    assert_eq!(created.status, 0, "{created:?}");
    insert_users(&harness);
    harness
}

/// The plan in text, Markdown and JSON (`args` added), snapshotted as
/// `{name}_text|markdown|json`, each exiting `status`. Returns the JSON.
fn snapshot_plans(harness: &Harness, name: &str, args: &[&str], status: i32) -> Value {
    let mut json_plan = Value::Null;
    for format in ["text", "markdown", "json"] {
        let mut all = vec!["plan", "--detailed-exitcode", "--format", format];
        all.extend_from_slice(args);
        let run = harness.run(&all);
        assert_eq!(run.status, status, "{format}: {run:?}");
        let output = stable(&run.stdout, harness);
        snapshot_settings().bind(|| {
            insta::assert_snapshot!(format!("{name}_{format}"), output);
        });
        if format == "json" {
            json_plan = serde_json::from_str(&run.stdout).expect("JSON plan");
        }
    }
    json_plan
}

/// How many `POST /_api/cursor` a `plan` makes, and that it writes nothing.
fn plan_cursors(harness: &Harness) -> u64 {
    harness.reset_stats();
    let run = harness.run(&["plan"]);
    assert!(matches!(run.status, 0 | 1), "{run:?}");
    let stats = harness.stats();
    assert_eq!(stats["writes"], 0, "a plan is read-only: {stats}");
    let path = "/_db/features/_api/cursor";
    stats["byPath"][path].as_u64().unwrap_or(0)
}

#[test]
fn a_blocked_collection_replace_states_the_documents_it_would_delete() {
    let harness = applied("");
    harness.write(
        "users.yaml",
        &users("  keyOptions: {type: autoincrement, increment: 10}\n"),
    );
    let plan = snapshot_plans(&harness, "risk_collection_replace", &[], 1);
    let change = &plan["changes"][0];
    assert_eq!(change["action"], "replace");
    assert!(change["blocked"].is_string(), "{change}");
    assert_eq!(change["risk"]["documents"], json!({"count": 6}));
    assert_eq!(
        change["risk"]["warnings"],
        json!(["collection users holds 6 documents; all are deleted and the collection is created again empty"])
    );
    // Nothing was deleted by planning.
    assert_eq!(harness.get("/_api/collection/users/count")["count"], 6);

    // Offline there is no server to count on.
    let base = tempfile::tempdir().expect("tempdir");
    std::fs::write(base.path().join("users.yaml"), users("")).expect("write");
    let offline = harness.run(&[
        "plan",
        "--offline-from",
        base.path().to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    let offline: Value = serde_json::from_str(&offline.stdout).expect("JSON plan");
    assert_eq!(
        offline["changes"][0]["risk"]["documents"],
        json!({"count": null, "unknown": "offline"})
    );
}

#[test]
fn a_unique_index_over_duplicated_data_counts_the_violating_documents() {
    let harness = applied("");
    let without = plan_cursors(&harness);
    // A plan with nothing to do reads only the ownership records (one
    // cursor batch of the state collection): no count query.
    assert_eq!(without, 1);
    harness.write(
        "users.yaml",
        &users(
            "  indexes:\n    \
             - {type: persistent, fields: [email], unique: true, name: idx_users_email}\n    \
             - {type: persistent, fields: [org, email], unique: true, sparse: true, name: idx_users_org_email}\n",
        ),
    );
    // Counted duplicates block both indexes (exit 1: apply would refuse).
    let plan = snapshot_plans(&harness, "risk_unique_index", &[], 1);
    // Dense: `a@x` three times and two without an email (both null).
    // Sparse: only documents with both fields, `(1, a@x)` twice.
    let violations: Vec<&Value> = plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|change| &change["risk"]["violations"])
        .collect();
    assert_eq!(violations, [&json!({"count": 5}), &json!({"count": 2})]);
    // One read-only query per index, nothing else.
    assert_eq!(plan_cursors(&harness), without + 2);

    // Apply refuses the blocked plan (which it prints too) before the
    // server could refuse the index.
    harness.reset_stats();
    let apply = harness.run(&["apply"]);
    assert_eq!(apply.status, 1, "{apply:?}");
    assert!(
        apply
            .stdout
            .contains("! 5 documents have the same (email) value as another document"),
        "{}",
        apply.stdout
    );
    assert!(
        apply
            .stderr
            .contains("error: refusing to apply: 2 change(s) are blocked"),
        "{}",
        apply.stderr
    );
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    let names: Vec<Value> = harness
        .indexes("users")
        .into_iter()
        .map(|index| index["name"].clone())
        .collect();
    assert!(!names.contains(&json!("idx_users_email")), "{names:?}");
}

#[test]
fn a_tightened_schema_counts_the_documents_it_rejects() {
    let harness = applied("");
    let without = plan_cursors(&harness);
    harness.write(
        "users.yaml",
        &users(
            "  schema:\n    level: strict\n    rule:\n      type: object\n      \
             properties:\n        email: {type: string}\n      required: [email]\n",
        ),
    );
    let plan = snapshot_plans(&harness, "risk_tightened_schema", &[], 2);
    assert_eq!(
        plan["changes"][0]["risk"]["violations"],
        json!({"count": 2})
    );
    assert_eq!(plan_cursors(&harness), without + 1);

    // The server takes the schema and keeps the documents; it refuses to
    // change one that does not satisfy it.
    let apply = harness.run(&["apply"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    assert_eq!(harness.get("/_api/collection/users/count")["count"], 6);
    let (status, body) = harness.api(
        reqwest::Method::PATCH,
        "/_db/features/_api/document/users/k4",
        Some(json!({"org": 2})),
    );
    assert_eq!((status, &body["errorNum"]), (400, &json!(1620)), "{body}");
    // Loosened back to no schema: nothing to count.
    harness.write("users.yaml", &users(""));
    assert_eq!(plan_cursors(&harness), without);
}

#[test]
fn an_index_replace_states_the_gap_and_the_hint_that_avoids_it() {
    let harness =
        applied("  indexes:\n    - {type: persistent, fields: [email], name: idx_users_email}\n");
    let unchanged = plan_cursors(&harness);
    harness.write(
        "users.yaml",
        &users(
            "  indexes:\n    - {type: persistent, fields: [email, org], name: idx_users_email}\n",
        ),
    );
    let plan = snapshot_plans(&harness, "risk_index_replace", &[], 2);
    let risk = &plan["changes"][0]["risk"];
    assert_eq!(risk["documents"], json!({"count": 6}));
    assert_eq!(
        risk["hint"],
        "to avoid the gap, give the changed index a new name (e.g. idx_users_email_v2): the new index is then built before the old one is dropped (with --prune; without it the old one is kept)"
    );
    assert_eq!(plan_cursors(&harness), unchanged + 1);

    // Under a new name the new index is built first: no gap, no hint.
    harness.write(
        "users.yaml",
        &users("  indexes:\n    - {type: persistent, fields: [email, org], name: idx_users_email_v2}\n"),
    );
    let renamed = harness.run(&["plan", "--prune", "--format", "json"]);
    let renamed: Value = serde_json::from_str(&renamed.stdout).expect("JSON plan");
    for change in renamed["changes"].as_array().expect("changes") {
        assert!(change.get("risk").is_none(), "{change}");
    }
}

#[test]
fn a_count_the_server_fails_is_said_so_and_the_plan_still_shows() {
    let harness = applied("");
    let without = plan_cursors(&harness);
    harness.write(
        "users.yaml",
        &users("  keyOptions: {type: autoincrement, increment: 10}\n"),
    );
    // Every cursor the plan reads before counting succeeds; the count fails.
    let response = reqwest::blocking::Client::new()
        .put(format!("{}/_emulator/faults", harness.emulator.url()))
        .json(
            &json!({"failAfter": without, "count": 1, "mode": "status", "status": 400,
                      "method": "POST", "path": "/_api/cursor"}),
        )
        .send()
        .expect("faults");
    assert_eq!(response.status(), 200);
    let run = harness.run(&["plan", "--format", "json"]);
    assert_eq!(run.status, 0, "the plan is shown: {run:?}");
    let plan: Value = serde_json::from_str(&run.stdout).expect("JSON plan");
    let documents = &plan["changes"][0]["risk"]["documents"];
    assert_eq!(documents["count"], Value::Null, "{documents}");
    assert!(
        documents["unknown"]
            .as_str()
            .is_some_and(|reason| reason.starts_with("could not count: ")),
        "{documents}"
    );
}

const PRODUCTS: &str = "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: products\nspec:\n";

const CARTS: &str = "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: carts\nspec:\n  indexes:\n    - {type: persistent, fields: [user_key, updated_at], name: idx_carts_user}\n";

const CART_SIZE: &str = "-- Feature: cart_size\n-- Version: 1\n-- Description: Items in a user's carts.\n-- Owner: growth-ml@example.com\nFOR c IN carts\n  FILTER c.user_key == @user_key\n  RETURN LENGTH(c.items)\n";

/// `users` with its email index (`fields`) and email schema
/// (`email_rule`), then any other indexes.
fn mixed_users(fields: &str, email_rule: &str, more: &str) -> String {
    users(&format!(
        "  indexes:\n    \
         - {{type: persistent, fields: [{fields}], unique: true, sparse: true, name: idx_users_email}}\n\
         {more}  schema:\n    level: moderate\n    rule:\n      type: object\n      \
         properties:\n        email: {email_rule}\n"
    ))
}

/// `products` with a price schema of `minimum` and `indexes`.
fn mixed_products(minimum: u32, indexes: &str) -> String {
    format!(
        "{PRODUCTS}{indexes}  schema:\n    level: moderate\n    rule:\n      type: object\n      \
         properties:\n        price: {{type: number, minimum: {minimum}}}\n"
    )
}

/// The reviewer test's mixed change (issue 14): an index replace, a unique
/// index over duplicated values, a tightened schema some documents break
/// and one none breaks, an index prune, a new collection with an index and
/// a new function, in text and Markdown. Every risk line says what it
/// means for the rest of the apply, and a count that found nothing says so.
#[test]
fn a_mixed_change_reads_as_what_will_happen_to_each_object() {
    let harness = Harness::new();
    harness.write("users.yaml", &mixed_users("email", "{type: string}", ""));
    harness.write(
        "products.yaml",
        &mixed_products(
            0,
            "  indexes:\n    - {type: persistent, fields: [title], name: idx_products_title}\n",
        ),
    );
    let created = harness.run(&["apply", "--create-database"]);
    assert_eq!(created.status, 0, "{created:?}");
    harness.post(
        "/_api/document/users",
        json!([
            {"_key": "u1", "email": "a@x.org", "country": "de"},
            {"_key": "u2", "email": "b@x.org", "country": "de"},
            {"_key": "u3", "email": "c@x.org", "country": "fr"},
        ]),
    );
    harness.post(
        "/_api/document/products",
        json!([{"_key": "p1", "title": "free", "price": 0}, {"_key": "p2", "title": "pen", "price": 2}]),
    );

    harness.write(
        "users.yaml",
        &mixed_users(
            "email, tenant",
            "{type: string, minLength: 3}",
            "    - {type: persistent, fields: [country], unique: true, name: idx_users_country}\n",
        ),
    );
    harness.write("products.yaml", &mixed_products(1, ""));
    harness.write("carts.yaml", CARTS);
    harness.write("transformations/cart_size_v1.aql", CART_SIZE);
    // The counted duplicates block the unique index: exit 1.
    let plan = snapshot_plans(&harness, "risk_mixed", &["--prune"], 1);

    let risk = |kind: &str, name: &str| {
        plan["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .find(|change| change["address"]["kind"] == kind && change["address"]["name"] == name)
            .unwrap_or_else(|| panic!("{kind} {name}: {plan}"))["risk"]
            .clone()
    };
    assert_eq!(
        risk("index", "idx_users_country")["violations"],
        json!({"count": 2})
    );
    assert_eq!(
        risk("collection", "products")["violations"],
        json!({"count": 1})
    );
    assert_eq!(
        risk("collection", "users")["violations"],
        json!({"count": 0})
    );
    assert_eq!(
        risk("index", "idx_users_email")["documents"],
        json!({"count": 3})
    );

    // Apply refuses the blocked plan before any write, as the plan said.
    harness.reset_stats();
    let apply = harness.run(&["apply", "--prune"]);
    assert_eq!(apply.status, 1, "{apply:?}");
    assert!(
        apply
            .stderr
            .contains("refusing to apply: 1 change(s) are blocked"),
        "{}",
        apply.stderr
    );
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    let names: Vec<Value> = harness
        .indexes("users")
        .into_iter()
        .map(|index| index["name"].clone())
        .collect();
    assert!(!names.contains(&json!("idx_users_country")), "{names:?}");
    assert_eq!(harness.get("/_api/collection/users/count")["count"], 3);
    assert_eq!(harness.get("/_api/collection/products/count")["count"], 2);
}
