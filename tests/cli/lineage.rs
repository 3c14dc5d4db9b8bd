//! Lineage end to end: an apply of the example features (plus one that
//! filters on `users.email`) records each feature's lineage in its registry
//! entry, which validates against `schemas/registry-entry.v1.schema.json`;
//! `features show` prints it; and a plan that removes what a registered
//! feature reads warns (text, Markdown, JSON): an attribute dropped from a
//! strict schema, a dropped index on a filtered attribute, a pruned
//! collection, also for a feature the specs drop while its entry stays.

use std::path::Path;

use serde_json::{json, Value};

use crate::support::{example_without_vector_index, snapshot_settings, Harness};

/// One more feature: a lookup by email, the attribute the example's
/// unique index `idx_users_email` serves.
const USER_BY_EMAIL: &str = "-- Feature: user_by_email
-- Version: 1
-- Description: A user's key and email domain, found by email.
-- Owner: growth-ml@example.com
-- Returns: one
FOR u IN users
  FILTER u.email == @email
  LET domain = LAST(SPLIT(u.email, \"@\"))
  LET blocked = FIRST(FOR d IN email_domains FILTER d._key == domain RETURN d.blocked)
  RETURN {user: u._key, domain, blocked}
";

/// The collection `user_by_email` looks domains up in.
const EMAIL_DOMAINS: &str = "apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: email_domains
spec: {}
";

/// The example features in the harness's spec directory, with
/// `user_by_email`, applied.
fn applied() -> Harness {
    let harness = Harness::with_profile(arangodb_emulator::Profile::default());
    example_without_vector_index(harness.specs());
    harness.write("transformations/user_by_email_v1.aql", USER_BY_EMAIL);
    harness.write("entities/email_domains.yaml", EMAIL_DOMAINS);
    let apply = harness.run(&["apply", "--create-database", "--revision", "r1"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    harness
}

/// The registry documents, read straight from the state collection.
fn registry(harness: &Harness) -> Vec<Value> {
    let body = harness.post(
        "/_api/cursor",
        json!({
            "query": "FOR d IN _arangosync FILTER d.type == @type SORT d.function RETURN d",
            "bindVars": {"type": "feature"},
        }),
    );
    body["result"].as_array().expect("rows").clone()
}

fn validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/registry-entry.v1.schema.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema file")).expect("json");
    jsonschema::validator_for(&schema).expect("a valid schema")
}

/// Rewrites a spec file of the harness: `from` replaced by `to` (which
/// must be there).
fn edit(harness: &Harness, relative: &str, from: &str, to: &str) {
    let path = harness.specs().join(relative);
    let text = std::fs::read_to_string(&path).expect("read spec");
    assert!(text.contains(from), "{relative} lacks {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write spec");
}

#[test]
fn the_registry_records_lineage_that_validates_and_features_show_prints_it() {
    let harness = applied();
    let entries = registry(&harness);
    assert_eq!(entries.len(), 5, "{entries:#?}");
    let validator = validator();
    for entry in &entries {
        let errors: Vec<String> = validator
            .iter_errors(entry)
            .map(|error| format!("{error} at {}", error.instance_path))
            .collect();
        assert!(errors.is_empty(), "{entry:#}: {errors:?}");
        assert!(entry["lineage"].is_object(), "{entry:#}");
        // The schema checks the lineage's shape, so this check can fail.
        let mut broken = entry.clone();
        broken["lineage"]["sources"]["users"] = json!("table");
        assert!(!validator.is_valid(&broken));
        let mut older = entry.clone();
        older.as_object_mut().expect("object").remove("lineage");
        assert!(validator.is_valid(&older), "the field is optional");
    }
    let by_email = entries
        .iter()
        .find(|entry| entry["feature"] == "user_by_email")
        .expect("entry");
    assert_eq!(
        by_email["lineage"],
        json!({
            "sources": {"email_domains": "collection", "users": "collection"},
            "graphs": [],
            "attributes": {"email_domains": ["_key", "blocked"], "users": ["_key", "email"]},
            "filtered": {"email_domains": ["_key"], "users": ["email"]},
            "written": [],
        })
    );
    // A second plan finds the entries as written: lineage compares equal.
    let again = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.status, 0, "{again:?}");

    let shown = harness.run(&["features", "show", "user_session_count"]);
    assert_eq!(shown.status, 0, "{shown:?}");
    let graph = harness.run(&["features", "show", "product_graph_centrality"]);
    assert_eq!(graph.status, 0, "{graph:?}");
    let json_show = harness.run(&["features", "show", "user_by_email", "--format", "json"]);
    assert_eq!(json_show.status, 0, "{json_show:?}");
    let shown_entry: Value = serde_json::from_str(&json_show.stdout).expect("json");
    assert_eq!(shown_entry["lineage"], by_email["lineage"]);
    let lineage_lines = |stdout: &str| -> String {
        stdout
            .lines()
            .filter(|line| {
                ["reads ", "filters on ", "graphs ", "writes "]
                    .iter()
                    .any(|label| line.starts_with(label))
            })
            .map(|line| format!("{line}\n"))
            .collect()
    };
    // Every example feature's stored lineage, by function.
    let stored: serde_json::Map<String, Value> = entries
        .iter()
        .map(|entry| {
            let function = entry["function"].as_str().expect("function").to_string();
            (function, entry["lineage"].clone())
        })
        .collect();
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "lineage_registry_examples",
            format!("{:#}", Value::Object(stored))
        );
        insta::assert_snapshot!("lineage_show_session_count", lineage_lines(&shown.stdout));
        insta::assert_snapshot!("lineage_show_graph", lineage_lines(&graph.stdout));
    });
}

#[test]
fn an_entry_without_lineage_says_so_and_the_plan_records_it() {
    let harness = applied();
    // What an older arangosync wrote: the same entry without `lineage`.
    let mut entry = registry(&harness)
        .into_iter()
        .find(|entry| entry["feature"] == "user_by_email")
        .expect("entry");
    let object = entry.as_object_mut().expect("object");
    object.remove("lineage");
    object.remove("_id");
    object.remove("_rev");
    harness.post(
        "/_api/document/_arangosync?overwriteMode=replace",
        entry.clone(),
    );
    let shown = harness.run(&["features", "show", "user_by_email"]);
    assert_eq!(shown.status, 0, "{shown:?}");
    assert!(
        shown.stdout.contains(
            "reads        not recorded (the entry was written by an arangosync that did not record lineage; an apply records it)\n"
        ),
        "{}",
        shown.stdout
    );
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 2, "{plan:?}");
    assert!(
        plan.stdout.contains(
            "registry entry FEATURES::USER_BY_EMAIL_V1 (update)\n      records what the query reads (lineage), which the entry does not have yet\n"
        ),
        "{}",
        plan.stdout
    );
    let apply = harness.run(&["apply"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    let rewritten = registry(&harness)
        .into_iter()
        .find(|entry| entry["feature"] == "user_by_email")
        .expect("entry");
    assert!(rewritten["lineage"].is_object(), "{rewritten:#}");
}

/// The example with four removals: `users` allows no attribute beyond its
/// listed ones (email is no longer listed), its email index is gone, the
/// collection `email_domains` left the specs, and so did the index of
/// `user_sessions` on `[_from, started_at]`.
fn remove_what_features_read(harness: &Harness) {
    edit(
        harness,
        "entities/users.yaml",
        "        email: {type: string}\n      required: [email, created_at]\n",
        "        created_at: {type: string}\n      required: [created_at]\n      additionalProperties: false\n",
    );
    edit(
        harness,
        "entities/users.yaml",
        "    - {type: persistent, fields: [email], unique: true, sparse: true, name: idx_users_email}\n",
        "",
    );
    harness.remove("entities/email_domains.yaml");
    // The vertex-centric index the session counts' traversal filters use.
    edit(
        harness,
        "entities/interactions.yaml",
        "    - {type: persistent, fields: [_from, started_at], name: idx_sessions_user_started}\n",
        "",
    );
}

#[test]
fn a_plan_that_removes_what_features_read_warns_in_every_format() {
    let harness = applied();
    remove_what_features_read(&harness);
    let text = harness.run(&[
        "plan",
        "--prune",
        "--allow-destructive",
        "--detailed-exitcode",
    ]);
    assert_eq!(text.status, 2, "{text:?}");
    let markdown = harness.run(&[
        "plan",
        "--prune",
        "--allow-destructive",
        "--format",
        "markdown",
    ]);
    assert_eq!(markdown.status, 0, "{markdown:?}");
    let json_plan = harness.run(&["plan", "--prune", "--allow-destructive", "--format", "json"]);
    assert_eq!(json_plan.status, 0, "{json_plan:?}");
    // stdout is the plan, one object; the warning (the query reads
    // `email_domains`, which no spec declares now) is JSON on stderr.
    let document: Value = serde_json::from_str(&json_plan.stdout).expect("one JSON object");
    let diagnostics: Value = serde_json::from_str(&json_plan.stderr).expect("JSON diagnostics");
    assert_eq!(
        diagnostics["diagnostics"][0]["code"], "unknown-collection",
        "{diagnostics:#}"
    );
    assert_eq!(document["formatVersion"], 2);
    let warnings = document["warnings"].as_array().expect("warnings");
    let objects: Vec<&Value> = warnings.iter().map(|warning| &warning["object"]).collect();
    assert!(objects.contains(&&json!({"kind": "collection", "name": "email_domains"})));
    assert!(objects
        .contains(&&json!({"kind": "index", "collection": "users", "name": "idx_users_email"})));
    assert!(objects.contains(&&json!({"kind": "collection", "name": "users"})));
    assert!(objects.contains(
        &&json!({"kind": "index", "collection": "user_sessions", "name": "idx_sessions_user_started"})
    ));
    // Warnings block nothing: the plan is what it would be without them.
    let text_warnings: Vec<&str> = text
        .stdout
        .lines()
        .filter(|line| line.starts_with("  WARN "))
        .collect();
    assert_eq!(text_warnings.len(), warnings.len(), "{}", text.stdout);
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("lineage_plan_text", text.stdout);
        insta::assert_snapshot!("lineage_plan_markdown", markdown.stdout);
        insta::assert_snapshot!(
            "lineage_plan_json_warnings",
            format!("{:#}", document["warnings"])
        );
    });
    // Without the changes, no warning.
    let unchanged = applied();
    let plan = unchanged.run(&["plan", "--prune", "--allow-destructive", "--format", "json"]);
    let document: Value = serde_json::from_str(&plan.stdout).expect("json");
    assert_eq!(document.get("warnings"), None, "{document:#}");
}

#[test]
fn a_feature_the_specs_drop_but_the_registry_keeps_is_named_too() {
    let harness = applied();
    harness.remove("transformations/user_by_email_v1.aql");
    edit(
        &harness,
        "entities/users.yaml",
        "        email: {type: string}\n      required: [email, created_at]\n",
        "        created_at: {type: string}\n      required: [created_at]\n      additionalProperties: false\n",
    );
    let kept = harness.run(&["plan"]);
    assert_eq!(kept.status, 0, "{kept:?}");
    let warnings: Vec<&str> = kept
        .stdout
        .lines()
        .filter(|line| line.starts_with("  WARN "))
        .collect();
    assert_eq!(
        warnings,
        [
            "  WARN feature user_by_email v1 (registered, not in the specs) reads users.email; the new schema of users no longer allows email",
            "  WARN feature user_profile v1 reads whole documents of users; the new schema of users no longer allows email",
        ],
        "{}",
        kept.stdout
    );
    // Pruned with its entry, it is served no more: no warning.
    let pruned = harness.run(&["plan", "--prune"]);
    assert_eq!(pruned.status, 0, "{pruned:?}");
    assert!(
        !pruned.stdout.contains("WARN feature user_by_email"),
        "{}",
        pruned.stdout
    );
}

/// A feature that searches the example's view `product_search` (over the
/// inverted index `idx_products_search`, whose fields are `title` and
/// `description`).
const PRODUCT_TEXT_SEARCH: &str = "-- Feature: product_text_search
-- Version: 1
-- Description: Products whose title matches the search text.
-- Owner: catalog@example.com
FOR p IN product_search
  SEARCH ANALYZER(p.title IN TOKENS(@q, \"product_text\"), \"product_text\")
  SORT BM25(p) DESC
  LIMIT 10
  RETURN {product: p._key, title: p.title}
";

#[test]
fn a_view_a_feature_searches_warns_when_dropped_or_no_longer_covering() {
    let harness = Harness::with_profile(arangodb_emulator::Profile::default());
    example_without_vector_index(harness.specs());
    harness.write(
        "transformations/product_text_search_v1.aql",
        PRODUCT_TEXT_SEARCH,
    );
    let apply = harness.run(&["apply", "--create-database"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    let entry = registry(&harness)
        .into_iter()
        .find(|entry| entry["feature"] == "product_text_search")
        .expect("entry");
    assert_eq!(
        entry["lineage"]["sources"],
        json!({"product_search": "view"}),
        "{entry:#}"
    );
    assert_eq!(
        entry["lineage"]["filtered"]["product_search"],
        json!(["title"]),
        "{entry:#}"
    );
    let warnings = |stdout: &str| -> Vec<String> {
        stdout
            .lines()
            .filter(|line| line.starts_with("  WARN "))
            .map(str::to_string)
            .collect()
    };
    // The inverted index loses `title`: it is replaced, and the view as
    // the specs declare it no longer covers what the feature searches.
    edit(
        &harness,
        "entities/products.yaml",
        "fields: [{name: title, analyzer: product_text}, description]}",
        "fields: [description]}",
    );
    let narrowed = harness.run(&["plan"]);
    assert_eq!(narrowed.status, 0, "{narrowed:?}");
    assert_eq!(
        warnings(&narrowed.stdout),
        ["  WARN feature product_text_search v1 searches product_search.title; the plan replaces index idx_products_search of products, and view product_search as the specs declare it no longer covers title"],
        "{}",
        narrowed.stdout
    );
    // The view leaves the specs: pruned, it is dropped.
    edit(
        &harness,
        "entities/products.yaml",
        "fields: [description]}",
        "fields: [{name: title, analyzer: product_text}, description]}",
    );
    harness.remove("search/product_search.yaml");
    let dropped = harness.run(&["plan", "--prune"]);
    assert_eq!(dropped.status, 0, "{dropped:?}");
    assert_eq!(
        warnings(&dropped.stdout),
        ["  WARN feature product_text_search v1 searches view product_search; the plan drops view product_search"],
        "{}",
        dropped.stdout
    );
}
