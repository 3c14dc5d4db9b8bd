//! `arangosync import --force` never destroys or duplicates what it did not
//! write: it refuses (exit 3, nothing written) to write through a symbolic
//! link, to overwrite a spec written by hand, to leave a kept spec declaring
//! an object it writes elsewhere, or to touch files imported from another
//! database; a removed `import-report.txt` is listed; a `--timestamp` with a
//! line break is invalid input.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::json;

use crate::support::{copy_tree, example_features, snapshot_settings, Harness};

/// Every file under `dir` (symbolic links as `-> TARGET`), by relative path.
fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).expect("read dir") {
            let entry = entry.expect("entry");
            let path = entry.path();
            let kind = entry.file_type().expect("file type");
            let relative = path
                .strip_prefix(dir)
                .expect("inside")
                .display()
                .to_string();
            if kind.is_symlink() {
                let target = std::fs::read_link(&path).expect("link");
                files.insert(relative, format!("-> {}", target.display()));
            } else if kind.is_dir() {
                pending.push(path);
            } else {
                files.insert(relative, std::fs::read_to_string(&path).expect("read"));
            }
        }
    }
    files
}

fn validate(harness: &Harness, dir: &str) -> crate::support::Run {
    harness.run(&["validate", "--dir", dir])
}

#[test]
fn force_never_writes_through_a_symbolic_link() {
    let harness = Harness::new();
    harness.create_database();
    harness.post("/_api/collection", json!({"name": "plain"}));
    let scratch = tempfile::tempdir().expect("temp dir");
    let outside = scratch.path().join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    let precious = outside.join("precious.txt");
    std::fs::write(&precious, "precious\n").expect("write");
    let out = scratch.path().join("out");
    let out_text = out.display().to_string();
    std::fs::create_dir_all(out.join("entities")).expect("mkdir");
    std::os::unix::fs::symlink(&precious, out.join("entities/plain.yaml")).expect("link");

    let refused = harness.run(&["import", "--out", &out_text, "--force"]);
    assert_eq!(refused.status, 3, "{refused:?}");
    assert_eq!(refused.stdout, "");
    assert_eq!(
        refused.stderr.replace(&out_text, "OUT"),
        "error: import --force would destroy or duplicate files in OUT; nothing was written:\n  \
         entities/plain.yaml: a symbolic link; import never writes through one\n\
         hint: import into an empty directory and merge by hand, or move these files away\n"
    );
    assert_eq!(
        std::fs::read_to_string(&precious).expect("read"),
        "precious\n"
    );
    let tree = read_tree(&out);
    assert_eq!(
        tree,
        BTreeMap::from([(
            "entities/plain.yaml".to_string(),
            format!("-> {}", precious.display())
        )])
    );

    // A linked directory on the way is refused the same way, and so is a
    // linked report file import would remove.
    std::fs::remove_dir_all(out.join("entities")).expect("remove");
    std::os::unix::fs::symlink(&outside, out.join("entities")).expect("link");
    std::os::unix::fs::symlink(&precious, out.join("import-report.txt")).expect("link");
    let refused = harness.run(&["import", "--out", &out_text, "--force"]);
    assert_eq!(refused.status, 3, "{refused:?}");
    assert_eq!(
        refused.stderr.replace(&out_text, "OUT"),
        "error: import --force would destroy or duplicate files in OUT; nothing was written:\n  \
         entities: a symbolic link; import never writes through one\n  \
         import-report.txt: a symbolic link; import never writes through one\n\
         hint: import into an empty directory and merge by hand, or move these files away\n"
    );
    assert_eq!(
        std::fs::read_to_string(&precious).expect("read"),
        "precious\n"
    );
    assert_eq!(
        std::fs::read_dir(&outside).expect("read").count(),
        1,
        "nothing written into the linked directory"
    );

    // Without the links, the file is written where --out says.
    std::fs::remove_file(out.join("entities")).expect("remove");
    std::fs::remove_file(out.join("import-report.txt")).expect("remove");
    let imported = harness.run(&["import", "--out", &out_text, "--force"]);
    assert_eq!(imported.status, 0, "{imported:?}");
    assert_eq!(
        read_tree(&out),
        BTreeMap::from([(
            "entities/plain.yaml".to_string(),
            "# Imported by arangosync from database \"features\".\napiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: plain\n".to_string()
        )])
    );
    assert_eq!(
        std::fs::read_to_string(&precious).expect("read"),
        "precious\n"
    );

    // A linked spec (as in a ConfigMap) is read like validate reads it: one
    // declaring the collection import writes is refused, and kept.
    let shared = outside.join("shared.yaml");
    let declares =
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: plain\n";
    std::fs::write(&shared, declares).expect("write");
    std::os::unix::fs::symlink(&shared, out.join("entities/shared.yaml")).expect("link");
    let refused = harness.run(&["import", "--out", &out_text, "--force"]);
    assert_eq!(refused.status, 3, "{refused:?}");
    assert_eq!(
        refused.stderr.replace(&out_text, "OUT"),
        "error: import --force would destroy or duplicate files in OUT; nothing was written:\n  \
         entities/shared.yaml: declares collection `plain`, which import writes to entities/plain.yaml\n\
         hint: import into an empty directory and merge by hand, or move these files away\n"
    );
    assert_eq!(std::fs::read_to_string(&shared).expect("read"), declares);
    assert!(std::fs::symlink_metadata(out.join("entities/shared.yaml"))
        .expect("link")
        .file_type()
        .is_symlink());
}

#[test]
fn force_keeps_specs_written_by_hand_and_never_duplicates_them() {
    let harness = Harness::new();
    harness.create_database();
    let applied = harness.run(&["apply", "--dir", &example_features().display().to_string()]);
    assert_eq!(applied.status, 0, "{applied:?}");
    let scratch = tempfile::tempdir().expect("temp dir");
    let out = scratch.path().join("features");
    let out_text = out.display().to_string();
    std::fs::create_dir_all(&out).expect("mkdir");
    copy_tree(&example_features(), &out);
    let before = read_tree(&out);

    // Importing into the example repository's own tree: its hand-written
    // specs sit where import writes, or declare what it writes elsewhere.
    let refused = harness.run(&["import", "--out", &out_text, "--force"]);
    assert_eq!(refused.status, 3, "{refused:?}");
    assert_eq!(refused.stdout, "");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "import_force_refuses_hand_written",
            refused.stderr.replace(&out_text, "OUT")
        );
    });
    assert_eq!(read_tree(&out), before, "nothing written or removed");
    assert_eq!(validate(&harness, &out_text).status, 0);

    // A kept spec that declares, under another file name, a collection the
    // import writes: refused, naming both files.
    let other = scratch.path().join("other");
    let other_text = other.display().to_string();
    let all = "# Our collections, by hand.\napiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: users\n  labels: {team: growth}\n";
    std::fs::create_dir_all(other.join("entities")).expect("mkdir");
    std::fs::write(other.join("entities/all.yaml"), all).expect("write");
    let refused = harness.run(&["import", "--out", &other_text, "--force"]);
    assert_eq!(refused.status, 3, "{refused:?}");
    assert_eq!(
        refused.stderr.replace(&other_text, "OUT"),
        "error: import --force would destroy or duplicate files in OUT; nothing was written:\n  \
         entities/all.yaml: declares collection `users`, which import writes to entities/users.yaml\n\
         hint: import into an empty directory and merge by hand, or move these files away\n"
    );
    assert_eq!(
        read_tree(&other),
        BTreeMap::from([("entities/all.yaml".to_string(), all.to_string())])
    );

    // Following the hint: an import into an empty directory, then a spec
    // written by hand for a collection still to come. A second --force
    // import keeps that spec, and the tree validates.
    let fresh = scratch.path().join("fresh");
    let fresh_text = fresh.display().to_string();
    let first = harness.run(&["import", "--out", &fresh_text]);
    assert_eq!(first.status, 0, "{first:?}");
    let planned = "# Coming next sprint.\napiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: planned\n  labels: {team: growth}\n";
    std::fs::write(fresh.join("entities/planned.yaml"), planned).expect("write");
    let imported_tree = read_tree(&fresh);
    let again = harness.run(&["import", "--out", &fresh_text, "--force"]);
    assert_eq!(again.status, 0, "{again:?}");
    assert_eq!(read_tree(&fresh), imported_tree);
    let validated = validate(&harness, &fresh_text);
    assert_eq!(validated.status, 0, "{validated:?}");
}

#[test]
fn force_leaves_an_import_of_another_database_alone() {
    let harness = Harness::new();
    harness.create_database();
    harness.post("/_api/collection", json!({"name": "kept"}));
    let (status, body) = harness.api(
        reqwest::Method::POST,
        "/_api/database",
        Some(json!({"name": "t4"})),
    );
    assert_eq!(status, 201, "{body}");
    let (status, body) = harness.api(
        reqwest::Method::POST,
        "/_db/t4/_api/collection",
        Some(json!({"name": "old"})),
    );
    assert_eq!(status, 200, "{body}");
    let scratch = tempfile::tempdir().expect("temp dir");
    let out = scratch.path().join("out");
    let out_text = out.display().to_string();
    let t4 = harness.run(&["import", "--database", "t4", "--out", &out_text]);
    assert_eq!(t4.status, 0, "{t4:?}");
    let before = read_tree(&out);
    assert_eq!(before.keys().collect::<Vec<_>>(), ["entities/old.yaml"]);

    let refused = harness.run(&["import", "--out", &out_text, "--force"]);
    assert_eq!(refused.status, 3, "{refused:?}");
    assert_eq!(refused.stdout, "");
    assert_eq!(
        refused.stderr.replace(&out_text, "OUT"),
        "error: import --force would destroy or duplicate files in OUT; nothing was written:\n  \
         entities/old.yaml: written by an import of database \"t4\", not \"features\"\n\
         hint: import into an empty directory and merge by hand, or move these files away\n"
    );
    assert_eq!(read_tree(&out), before);

    // The same database again replaces its own files as before.
    let again = harness.run(&["import", "--database", "t4", "--out", &out_text, "--force"]);
    assert_eq!(again.status, 0, "{again:?}");
    assert_eq!(read_tree(&out), before);
}

#[test]
fn a_report_of_an_earlier_import_that_is_removed_is_listed() {
    let harness = Harness::new();
    harness.create_database();
    harness.post("/_api/collection", json!({"name": "kept"}));
    harness.post(
        "/_api/aqlfunction",
        json!({"name": "FEATURES::HAND_WRITTEN", "code": "function (x) { return x; }"}),
    );
    let scratch = tempfile::tempdir().expect("temp dir");
    let out = scratch.path().join("out");
    let out_text = out.display().to_string();
    let first = harness.run(&["import", "--out", &out_text]);
    assert_eq!(first.status, 0, "{first:?}");
    assert!(out.join("import-report.txt").is_file());
    let (status, body) = harness.api(
        reqwest::Method::DELETE,
        "/_db/features/_api/aqlfunction/FEATURES::HAND_WRITTEN",
        None,
    );
    assert_eq!(status, 200, "{body}");
    let again = harness.run(&["import", "--out", &out_text, "--force"]);
    assert_eq!(again.status, 0, "{again:?}");
    assert_eq!(
        again.stdout.replace(&out_text, "OUT"),
        "Imported database \"features\" into OUT: 1 file(s).\n\
         Removed import-report.txt of an earlier import: nothing to report this time.\n"
    );
    assert_eq!(
        read_tree(&out).keys().collect::<Vec<_>>(),
        ["entities/kept.yaml"]
    );
}

#[test]
fn a_timestamp_with_a_line_break_is_invalid_input() {
    let harness = Harness::new();
    harness.create_database();
    harness.post("/_api/collection", json!({"name": "plain"}));
    let scratch = tempfile::tempdir().expect("temp dir");
    let out = scratch.path().join("out");
    let out_text = out.display().to_string();
    let refused = harness.run(&[
        "import",
        "--out",
        &out_text,
        "--timestamp",
        "now\nmetadata: {name: hijack}",
    ]);
    assert_eq!(refused.status, 3, "{refused:?}");
    assert_eq!(refused.stdout, "");
    assert_eq!(
        refused.stderr,
        "error: --timestamp must be one line of text without control characters; it holds \\n\n"
    );
    assert!(!out.exists(), "nothing written");
    // One line is written into every header, and the tree validates.
    let stamped = harness.run(&[
        "import",
        "--out",
        &out_text,
        "--timestamp",
        "2026-11-30T01:00:00Z",
    ]);
    assert_eq!(stamped.status, 0, "{stamped:?}");
    assert_eq!(
        read_tree(&out),
        BTreeMap::from([(
            "entities/plain.yaml".to_string(),
            "# Imported by arangosync from database \"features\".\n# Imported at 2026-11-30T01:00:00Z.\napiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: plain\n".to_string()
        )])
    );
    assert_eq!(validate(&harness, &out_text).status, 0);
}

#[test]
fn a_registry_entry_naming_a_path_outside_out_is_refused() {
    let harness = Harness::new();
    harness.write(
        "transformations/doubled_v1.aql",
        "-- Feature: doubled\n-- Version: 1\n-- Description: Twice the input.\nRETURN @x * 2\n",
    );
    let applied = harness.run(&["apply", "--create-database"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    // A registry record edited on the server: its feature name (and so the
    // file name import falls back to) climbs out of the directory.
    let rows = harness.post(
        "/_api/cursor",
        json!({"query": "FOR d IN _arangosync FILTER d.type == 'feature' RETURN d"}),
    );
    let mut record = rows["result"][0].clone();
    record["feature"] = json!("../../escape");
    record["source"] = json!("");
    let key = record["_key"].as_str().expect("key").to_string();
    let (status, body) = harness.api(
        reqwest::Method::PUT,
        &format!("/_db/features/_api/document/_arangosync/{key}"),
        Some(record),
    );
    assert!(status < 300, "{status} {body}");
    let scratch = tempfile::tempdir().expect("temp dir");
    let out = scratch.path().join("deep/out");
    let out_text = out.display().to_string();
    let refused = harness.run(&["import", "--out", &out_text]);
    assert_eq!(refused.status, 1, "{refused:?}");
    assert_eq!(refused.stdout, "");
    assert_eq!(
        refused.stderr.replace(&out_text, "OUT"),
        "error: refusing to import: the database's registry asks for a file at \"transformations/../../escape_v1.aql\", which is not a plain path inside OUT; nothing was written\n"
    );
    assert!(!out.exists(), "nothing written");
    assert!(!scratch.path().join("deep/escape_v1.aql").exists());
    assert_eq!(
        std::fs::read_dir(scratch.path()).expect("read").count(),
        0,
        "nothing written anywhere"
    );
}
