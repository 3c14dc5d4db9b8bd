//! `arangosync import`: a database built by hand over the HTTP API (not by
//! arangosync, except for one feature) is written out as specs; planning
//! those specs against the same database finds nothing to change, a second
//! import is byte-identical, and `--adopt` records ownership.

use std::collections::BTreeMap;
use std::path::Path;

use arangodb_emulator::{Profile, Role};
use serde_json::{json, Value};

use crate::support::{example_profile, snapshot_settings, Harness};

/// A feature applied by arangosync, so the registry has an entry to write back.
const FEATURE: &str = "-- Feature: doubled\n-- Version: 1\n-- Description: Twice the input.\n-- Owner: ml@example.com\n-- Returns: one\nRETURN @x * 2\n";

/// Builds every kind of object arangosync manages over the raw HTTP API
/// (the same database as tests/import/build_database.py builds with
/// python-arango), then applies one feature with arangosync.
fn build_by_hand(harness: &Harness) {
    harness.create_database();
    let users = json!({
        "name": "users",
        "waitForSync": true,
        "keyOptions": {"type": "autoincrement", "increment": 5, "offset": 10, "allowUserKeys": false},
        "schema": {"rule": {"type": "object", "properties": {"email": {"type": "string"}}, "required": ["email"]}, "level": "moderate", "message": "needs an email"},
        "computedValues": [{"name": "seen_at", "expression": "RETURN DATE_NOW()", "overwrite": true, "computeOn": ["insert"], "keepNull": false}],
    });
    harness.post("/_api/collection", users);
    harness.post("/_api/collection", json!({"name": "products"}));
    harness.post("/_api/collection", json!({"name": "viewed", "type": 3}));
    let index = |collection: &str, body: Value| {
        harness.post(&format!("/_api/index?collection={collection}"), body);
    };
    index(
        "users",
        json!({"type": "persistent", "fields": ["email"], "unique": true, "sparse": true, "name": "idx_users_email"}),
    );
    index(
        "users",
        json!({"type": "persistent", "fields": ["tags[*]"], "deduplicate": false, "storedValues": ["name"]}),
    );
    index(
        "users",
        json!({"type": "ttl", "fields": ["expires_at"], "expireAfter": 3600, "name": "idx_users_ttl"}),
    );
    index(
        "products",
        json!({"type": "geo", "fields": ["location"], "geoJson": true, "name": "idx_products_location"}),
    );
    index(
        "products",
        json!({"type": "fulltext", "fields": ["blurb"], "minLength": 3, "name": "idx_products_blurb"}),
    );
    index(
        "products",
        json!({"type": "mdi", "fields": ["x", "y"], "fieldValueTypes": "double", "name": "idx_products_xy"}),
    );
    harness.post("/_api/analyzer", json!({"name": "product_text", "type": "text", "properties": {"locale": "en", "case": "lower", "stemming": false}, "features": ["frequency", "norm", "position"]}));
    index(
        "products",
        json!({"type": "inverted", "name": "idx_products_search", "fields": [{"name": "title", "analyzer": "product_text"}, "description"]}),
    );
    for n in 0..3 {
        harness.post(
            "/_api/document/products",
            json!({"embedding": [n as f64, 1.0, 0.5, 0.25]}),
        );
    }
    index(
        "products",
        json!({"type": "vector", "name": "idx_products_embedding", "fields": ["embedding"], "params": {"metric": "cosine", "dimension": 4, "nLists": 1}}),
    );
    index(
        "viewed",
        json!({"type": "persistent", "fields": ["at"], "name": "idx_viewed_at"}),
    );
    harness.post("/_api/gharial", json!({"name": "interactions", "edgeDefinitions": [{"collection": "viewed", "from": ["users"], "to": ["products"]}]}));
    harness.post("/_api/view", json!({"name": "product_search", "type": "search-alias", "indexes": [{"collection": "products", "index": "idx_products_search"}]}));
    harness.post("/_api/view", json!({"name": "user_search", "type": "arangosearch", "commitIntervalMsec": 2000, "links": {"users": {"fields": {"email": {"analyzers": ["product_text"]}}, "includeAllFields": false}}}));
    // The feature, applied by arangosync from a tree of its own.
    harness.write("transformations/doubled_v1.aql", FEATURE);
    let applied = harness.run(&["apply", "--dir", &harness.specs().display().to_string()]);
    assert_eq!(applied.status, 0, "{applied:?}");
    // A function arangosync cannot turn back into AQL.
    harness.post(
        "/_api/aqlfunction",
        json!({"name": "FEATURES::HAND_WRITTEN", "code": "function (x) { return x; }"}),
    );
}

/// Builds the same database with the official python-arango driver
/// (tests/import/build_database.py), then applies the feature with
/// arangosync, as `build_by_hand` does.
fn build_with_python_arango(harness: &Harness, cluster: bool) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import/build_database.py");
    let output = std::process::Command::new("python3")
        .arg(&script)
        .arg(harness.url())
        .arg(crate::support::ROOT_PASSWORD)
        .arg(if cluster { "cluster" } else { "single" })
        .output()
        .expect("python3 runs (the import tests need python3 with python-arango)");
    assert!(
        output.status.success(),
        "{} failed (needs `pip install python-arango`): {}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    harness.write("transformations/doubled_v1.aql", FEATURE);
    let applied = harness.run(&["apply", "--dir", &harness.specs().display().to_string()]);
    assert_eq!(applied.status, 0, "{applied:?}");
}

fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    for entry in walk(dir) {
        let relative = entry
            .strip_prefix(dir)
            .expect("inside")
            .display()
            .to_string();
        files.insert(relative, std::fs::read_to_string(&entry).expect("read"));
    }
    files
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// Imports, plans the import against the same database (no change), imports
/// again (byte-identical); returns the output directory's files.
fn round_trip(harness: &Harness, scratch: &Path) -> BTreeMap<String, String> {
    let first = scratch.join("first");
    let second = scratch.join("second");
    let first_text = first.display().to_string();
    let imported = harness.run(&["import", "--out", &first_text]);
    assert_eq!(imported.status, 0, "{imported:?}");
    assert_eq!(
        imported.stdout,
        format!("Imported database \"features\" into {first_text}: 8 file(s), 1 function(s) not imported (listed in import-report.txt).\n")
    );
    assert!(
        imported.stderr.contains("FEATURES::HAND_WRITTEN"),
        "{}",
        imported.stderr
    );
    let plan = harness.run(&["plan", "--dir", &first_text, "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{}\n{}", plan.stdout, plan.stderr);
    assert_eq!(plan.stderr, "", "no warning about the imported specs");
    assert!(
        plan.stdout
            .starts_with("No changes: database \"features\" matches the specs."),
        "{}",
        plan.stdout
    );
    let again = harness.run(&["import", "--out", &second.display().to_string()]);
    assert_eq!(again.status, 0, "{again:?}");
    let files = read_tree(&first);
    assert_eq!(files, read_tree(&second));
    files
}

#[test]
fn import_round_trips_a_python_arango_built_single_server() {
    let harness = Harness::new();
    build_with_python_arango(&harness, false);
    let scratch = tempfile::tempdir().expect("temp dir");
    let files = round_trip(&harness, scratch.path());
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "entities/interactions.graph.yaml",
            "entities/products.yaml",
            "entities/users.yaml",
            "entities/viewed.yaml",
            "import-report.txt",
            "search/product_search.view.yaml",
            "search/product_text.analyzer.yaml",
            "search/user_search.view.yaml",
            "transformations/doubled_v1.aql",
        ]
    );
    assert_eq!(
        files["import-report.txt"].lines().last(),
        Some("FEATURES::HAND_WRITTEN")
    );
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("import_users_yaml", files["entities/users.yaml"]);
        insta::assert_snapshot!("import_products_yaml", files["entities/products.yaml"]);
        insta::assert_snapshot!(
            "import_feature_aql",
            files["transformations/doubled_v1.aql"]
        );
        let search: String = [
            "search/product_text.analyzer.yaml",
            "search/product_search.view.yaml",
            "search/user_search.view.yaml",
            "entities/interactions.graph.yaml",
            "entities/viewed.yaml",
        ]
        .iter()
        .map(|name| format!("## {name}\n{}", files[*name]))
        .collect();
        insta::assert_snapshot!("import_search_and_graph", search);
    });
    // Without --force a non-empty directory is refused, and nothing changes.
    let first = scratch.path().join("first").display().to_string();
    let refused = harness.run(&["import", "--out", &first]);
    assert_eq!(refused.status, 3, "{refused:?}");
    assert!(refused.stderr.contains("not empty"), "{}", refused.stderr);
    let forced = harness.run(&["import", "--out", &first, "--force"]);
    assert_eq!(forced.status, 0, "{forced:?}");
    assert_eq!(read_tree(&scratch.path().join("first")), files);
}

#[test]
fn import_without_adopt_writes_nothing_and_adopt_records_ownership() {
    let harness = Harness::new();
    build_by_hand(&harness);
    // `--prune` deletes any function of the namespace without a spec,
    // adopted or not (the report says so); this test is about the rest.
    let (status, body) = harness.api(
        reqwest::Method::DELETE,
        "/_db/features/_api/aqlfunction/FEATURES::HAND_WRITTEN",
        None,
    );
    assert_eq!(status, 200, "{body}");
    let scratch = tempfile::tempdir().expect("temp dir");
    let out = scratch.path().join("out");
    let out_text = out.display().to_string();
    harness.reset_stats();
    let imported = harness.run(&["import", "--out", &out_text]);
    assert_eq!(imported.status, 0, "{imported:?}");
    assert_eq!(harness.writes(), 0);
    let owned = |harness: &Harness| -> Vec<Value> {
        let rows = harness.post(
            "/_api/cursor",
            json!({"query": "FOR d IN _arangosync RETURN d", "batchSize": 10000}),
        );
        let mut records: Vec<Value> = rows["result"]
            .as_array()
            .expect("rows")
            .iter()
            .filter(|d| d["type"] == "owned")
            .map(|d| json!([d["kind"], d["collection"], d["name"]]))
            .collect();
        records.sort_by_key(|record| record.to_string());
        records
    };
    assert_eq!(owned(&harness), Vec::<Value>::new());
    // Removing an imported spec prunes nothing before adoption...
    std::fs::remove_file(out.join("entities/viewed.yaml")).expect("remove");
    std::fs::remove_file(out.join("entities/interactions.graph.yaml")).expect("remove");
    let before = harness.run(&["plan", "--dir", &out_text, "--prune", "--detailed-exitcode"]);
    assert_eq!(before.status, 0, "{}\n{}", before.stdout, before.stderr);
    let adopted = harness.run(&["import", "--out", &out_text, "--force", "--adopt"]);
    assert_eq!(adopted.status, 0, "{adopted:?}");
    assert!(
        adopted.stdout.contains("Recorded 16 object(s) as owned."),
        "{}",
        adopted.stdout
    );
    // The apply lock --adopt held is given back.
    harness.assert_lock_released(&adopted.stderr);
    let records = owned(&harness);
    assert_eq!(records.len(), 16, "{records:?}");
    assert!(
        records.contains(&json!(["collection", null, "viewed"])),
        "{records:?}"
    );
    for record in [
        json!(["graph", null, "interactions"]),
        json!(["analyzer", null, "product_text"]),
        json!(["view", null, "user_search"]),
        json!(["index", "products", "idx_products_embedding"]),
    ] {
        assert!(records.contains(&record), "{record} in {records:?}");
    }
    // The re-imported tree holds every object now owned: --prune finds
    // nothing left out.
    let whole = harness.run(&["plan", "--dir", &out_text, "--prune", "--detailed-exitcode"]);
    assert_eq!(whole.status, 0, "{}\n{}", whole.stdout, whole.stderr);
    // ... and after it, --prune manages what the specs no longer hold.
    std::fs::remove_file(out.join("entities/viewed.yaml")).expect("remove");
    std::fs::remove_file(out.join("entities/interactions.graph.yaml")).expect("remove");
    // Dropping the collection deletes documents: blocked without
    // --allow-destructive, so a plan apply would refuse (exit 1).
    let after = harness.run(&["plan", "--dir", &out_text, "--prune", "--detailed-exitcode"]);
    assert_eq!(after.status, 1, "{}\n{}", after.stdout, after.stderr);
    assert!(
        after.stdout.contains("collection viewed"),
        "{}",
        after.stdout
    );
    assert!(
        after.stdout.contains("graph interactions"),
        "{}",
        after.stdout
    );
}

#[test]
fn import_round_trips_a_python_arango_built_coordinator() {
    let harness = Harness::with_profile(Profile {
        role: Role::Coordinator,
        ..example_profile()
    });
    build_with_python_arango(&harness, true);
    let scratch = tempfile::tempdir().expect("temp dir");
    let files = round_trip(&harness, scratch.path());
    let users = &files["entities/users.yaml"];
    for line in [
        "numberOfShards: 3",
        "replicationFactor: 2",
        "writeConcern: 2",
    ] {
        assert!(users.contains(line), "{users}");
    }
    // Adopted on the coordinator too: the whole tree then plans clean with
    // --prune, so every owned object is in it.
    let first = scratch.path().join("first").display().to_string();
    let adopted = harness.run(&["import", "--out", &first, "--force", "--adopt"]);
    assert_eq!(adopted.status, 0, "{adopted:?}");
    assert!(
        adopted
            .stdout
            .ends_with(" Recorded 16 object(s) as owned.\n"),
        "{}",
        adopted.stdout
    );
    let (status, body) = harness.api(
        reqwest::Method::DELETE,
        "/_db/features/_api/aqlfunction/FEATURES::HAND_WRITTEN",
        None,
    );
    assert_eq!(status, 200, "{body}");
    let whole = harness.run(&["plan", "--dir", &first, "--prune", "--detailed-exitcode"]);
    assert_eq!(whole.status, 0, "{}\n{}", whole.stdout, whole.stderr);
}

/// A registered feature whose AQL user function was changed by hand: the
/// `.aql` file holds the registered query (the function's new code cannot
/// be turned back into one), and import says so on stdout and in the
/// report instead of presenting the file as what the database holds.
#[test]
fn a_function_changed_by_hand_is_reported() {
    let harness = Harness::new();
    harness.write(
        "transformations/user_profile_v1.aql",
        "-- Feature: user_profile\n-- Version: 1\n-- Description: one user\nFOR u IN users FILTER u._key == @user_key RETURN u\n",
    );
    harness.write(
        "entities/users.yaml",
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: users\n",
    );
    let applied = harness.run(&["apply", "--create-database"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    harness.post(
        "/_api/aqlfunction",
        json!({"name": "FEATURES::USER_PROFILE_V1", "code": "function () { return 42; }"}),
    );
    let scratch = tempfile::tempdir().expect("temp dir");
    let out = scratch.path().join("out");
    let out_text = out.display().to_string();
    let imported = harness.run(&["import", "--out", &out_text]);
    assert_eq!(imported.status, 0, "{imported:?}");
    assert!(
        imported
            .stdout
            .contains(", 1 function(s) changed by hand (listed in import-report.txt)."),
        "{imported:?}"
    );
    let report = std::fs::read_to_string(out.join("import-report.txt")).expect("report");
    assert!(
        report.ends_with("(changed by hand): the .aql file holds the registered query, and a plan of\n# this tree replaces the function with it.\nFEATURES::USER_PROFILE_V1\n"),
        "{report}"
    );
    assert!(out.join("transformations/user_profile_v1.aql").is_file());
}
