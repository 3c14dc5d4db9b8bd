//! `arangosync import` on what a spec cannot hold: names only the server's
//! extended naming rules allow and system collections created by users are
//! left out and listed (stdout and import-report.txt), with whatever refers
//! to them, so the imported tree validates and plans clean; `--force`
//! removes the files an earlier import wrote for objects since dropped, and
//! only those; global flags import has no use for are refused.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use crate::support::{snapshot_settings, Harness};

/// `café €`, percent-encoded for a query string.
const CAFE: &str = "caf%C3%A9%20%E2%82%AC";

fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path
                    .strip_prefix(dir)
                    .expect("inside")
                    .display()
                    .to_string();
                files.insert(relative, std::fs::read_to_string(&path).expect("read"));
            }
        }
    }
    files
}

fn owned_names(harness: &Harness) -> Vec<String> {
    let rows = harness.post(
        "/_api/cursor",
        json!({"query": "FOR d IN _arangosync RETURN d", "batchSize": 10000}),
    );
    let mut names: Vec<String> = rows["result"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|d| d["type"] == "owned")
        .map(|d| {
            [&d["kind"], &d["collection"], &d["name"]]
                .iter()
                .filter_map(|part| part.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    names.sort();
    names
}

#[test]
fn extended_names_and_user_system_collections_are_listed_not_imported() {
    let harness = Harness::new();
    harness.create_database();
    harness.post("/_api/collection", json!({"name": "users"}));
    harness.post("/_api/collection", json!({"name": "café €"}));
    harness.post("/_api/collection", json!({"name": "likes", "type": 3}));
    // What python-arango's create_collection("_audit", system=True) sends.
    harness.post(
        "/_api/collection",
        json!({"name": "_audit", "isSystem": true}),
    );
    harness.post(
        "/_api/analyzer",
        json!({"name": "normé", "type": "identity"}),
    );
    let index = |collection: &str, body: Value| {
        harness.post(&format!("/_api/index?collection={collection}"), body);
    };
    index(
        "users",
        json!({"type": "persistent", "fields": ["email"], "name": "idx_users_email"}),
    );
    index(
        "users",
        json!({"type": "persistent", "fields": ["name"], "name": "par nom"}),
    );
    index(
        "users",
        json!({"type": "inverted", "name": "idx_users_search", "fields": [{"name": "bio", "analyzer": "normé"}]}),
    );
    index(
        CAFE,
        json!({"type": "persistent", "fields": ["price"], "name": "idx_price"}),
    );
    harness.post(
        "/_api/gharial",
        json!({"name": "taste", "edgeDefinitions": [{"collection": "likes", "from": ["users"], "to": ["café €"]}]}),
    );
    harness.post(
        "/_api/view",
        json!({"name": "menu_search", "type": "arangosearch", "links": {"café €": {"includeAllFields": true}}}),
    );
    harness.post(
        "/_api/view",
        json!({"name": "user_search", "type": "search-alias", "indexes": [{"collection": "users", "index": "idx_users_search"}]}),
    );
    harness.post(
        "/_api/view",
        json!({"name": "vue €", "type": "arangosearch"}),
    );

    let scratch = tempfile::tempdir().expect("temp dir");
    let out = scratch.path().join("out");
    let out_text = out.display().to_string();
    let imported = harness.run(&["import", "--out", &out_text]);
    assert_eq!(imported.status, 0, "{imported:?}");
    assert_eq!(imported.stderr, "");
    let files = read_tree(&out);
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "entities/likes.yaml",
            "entities/users.yaml",
            "import-report.txt"
        ]
    );
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "import_limits_stdout",
            imported.stdout.replace(&out_text, "OUT")
        );
        insta::assert_snapshot!("import_limits_report", files["import-report.txt"]);
        insta::assert_snapshot!("import_limits_users_yaml", files["entities/users.yaml"]);
    });

    // The imported tree is valid, and describes the database: no change.
    let validated = harness.run(&["validate", "--dir", &out_text]);
    assert_eq!(validated.status, 0, "{validated:?}");
    let plan = harness.run(&["plan", "--dir", &out_text, "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{}\n{}", plan.stdout, plan.stderr);
    assert!(
        plan.stdout
            .starts_with("No changes: database \"features\" matches the specs."),
        "{}",
        plan.stdout
    );

    // --adopt records only what was imported, so --prune never touches
    // what was left out.
    let adopted = harness.run(&["import", "--out", &out_text, "--force", "--adopt"]);
    assert_eq!(adopted.status, 0, "{adopted:?}");
    assert_eq!(
        owned_names(&harness),
        [
            "collection likes",
            "collection users",
            "index users idx_users_email"
        ]
    );
    let pruned = harness.run(&["plan", "--dir", &out_text, "--prune", "--detailed-exitcode"]);
    assert_eq!(pruned.status, 0, "{}\n{}", pruned.stdout, pruned.stderr);
    assert_eq!(harness.get_status(&format!("/_api/collection/{CAFE}")), 200);
    assert_eq!(harness.get_status("/_api/collection/_audit"), 200);
}

#[test]
fn force_removes_files_an_earlier_import_wrote_for_dropped_objects() {
    let harness = Harness::new();
    harness.create_database();
    for name in ["kept", "gone"] {
        harness.post("/_api/collection", json!({"name": name}));
    }
    let scratch = tempfile::tempdir().expect("temp dir");
    let out = scratch.path().join("out");
    let out_text = out.display().to_string();
    let first = harness.run(&["import", "--out", &out_text]);
    assert_eq!(first.status, 0, "{first:?}");
    assert!(out.join("entities/gone.yaml").is_file());
    // A spec written by hand (no import header) for a collection still to
    // be created, and a note beside it: neither is import's to remove.
    let planned = "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: planned\n";
    std::fs::write(out.join("entities/planned.yaml"), planned).expect("write");
    std::fs::write(out.join("NOTES.md"), "kept by hand\n").expect("write");

    let (status, body) = harness.api(
        reqwest::Method::DELETE,
        "/_db/features/_api/collection/gone",
        None,
    );
    assert_eq!(status, 200, "{body}");
    let again = harness.run(&["import", "--out", &out_text, "--force"]);
    assert_eq!(again.status, 0, "{again:?}");
    assert_eq!(
        again.stdout.replace(&out_text, "OUT"),
        "Imported database \"features\" into OUT: 1 file(s), 1 file(s) of an earlier import removed.\n\
         Removed (written by an earlier import; their objects are no longer in the database):\n  \
         entities/gone.yaml\n"
    );
    let files = read_tree(&out);
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["NOTES.md", "entities/kept.yaml", "entities/planned.yaml"]
    );
    assert_eq!(files["entities/planned.yaml"], planned);
    assert_eq!(files["NOTES.md"], "kept by hand\n");
    // The plan creates what the hand-written spec asks for, and nothing
    // for the dropped collection.
    let plan = harness.run(&["plan", "--dir", &out_text, "--detailed-exitcode"]);
    assert_eq!(plan.status, 2, "{}\n{}", plan.stdout, plan.stderr);
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("import_force_plan", plan.stdout);
    });
    assert!(!plan.stdout.contains("gone"), "{}", plan.stdout);
    // Without the hand-written spec, the tree is the database: no change.
    std::fs::remove_file(out.join("entities/planned.yaml")).expect("remove");
    let clean = harness.run(&["plan", "--dir", &out_text, "--detailed-exitcode"]);
    assert_eq!(clean.status, 0, "{}\n{}", clean.stdout, clean.stderr);
    assert!(
        clean
            .stdout
            .starts_with("No changes: database \"features\" matches the specs."),
        "{}",
        clean.stdout
    );
}

#[test]
fn flags_import_has_no_use_for_are_invalid_input() {
    let harness = Harness::new();
    harness.create_database();
    let scratch = tempfile::tempdir().expect("temp dir");
    let out = scratch.path().join("out");
    let out_text = out.display().to_string();
    for (flags, expected) in [
        (
            ["--format", "json"],
            "error: --format does not apply to import: it writes YAML and .aql files, and its summary on stdout is text only; leave --format out\n",
        ),
        (
            ["--format", "markdown"],
            "error: --format does not apply to import: it writes YAML and .aql files, and its summary on stdout is text only; leave --format out\n",
        ),
        (
            ["--create-database", "--force"],
            "error: --create-database does not apply to import: it reads an existing database and never creates one; leave --create-database out\n",
        ),
    ] {
        harness.reset_stats();
        let mut args = vec!["import", "--out", &out_text];
        args.extend(flags);
        let refused = harness.run(&args);
        assert_eq!(refused.status, 3, "{flags:?}: {refused:?}");
        assert_eq!(refused.stdout, "", "{flags:?}");
        assert_eq!(refused.stderr, expected, "{flags:?}");
        assert!(!out.exists(), "{flags:?}: nothing written");
        assert_eq!(harness.writes(), 0, "{flags:?}");
    }
    // Text, the default, is what import prints.
    let imported = harness.run(&["--format", "text", "import", "--out", &out_text]);
    assert_eq!(imported.status, 0, "{imported:?}");
    assert_eq!(
        imported.stdout.replace(&out_text, "OUT"),
        "Imported database \"features\" into OUT: 0 file(s).\n\
         The database holds nothing a spec describes (no collection, graph, analyzer, view or \
         registered feature), so no spec was written; plan and apply refuse an empty spec \
         directory.\n"
    );
    // `--out` exists afterwards, empty.
    assert_eq!(std::fs::read_dir(&out).expect("--out exists").count(), 0);
}
