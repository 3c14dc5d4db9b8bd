//! Review fixes of issue 13 around loading and importing specs: zkd
//! indexes on 3.11 and 3.12, YAML strings that look like other types,
//! server-generated index names, float underflow, overlay apiVersion
//! rules and positions.

use arangodb_emulator::{Profile, Version};

use crate::support::Harness;

fn harness(version: &str) -> Harness {
    Harness::with_profile(Profile {
        version: version.parse::<Version>().expect("version"),
        ..Profile::default()
    })
}

const ZKD_SPEC: &str = "\
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: zz
spec:
  indexes:
    - {type: zkd, name: zi, fields: [x, y], fieldValueTypes: double}
";

/// A zkd index settles on 3.11 (which has no `estimates` for zkd) and on
/// 3.12 (where zkd is an alias of mdi): after apply, a plan finds nothing.
#[test]
fn zkd_index_settles_on_3_11_and_3_12() {
    for version in ["3.11.14", "3.12.10"] {
        let harness = harness(version);
        harness.write("zz.yaml", ZKD_SPEC);
        let apply = harness.run(&["apply", "--create-database"]);
        assert_eq!(apply.status, 0, "{version}: {apply:?}");
        let plan = harness.run(&["plan", "--detailed-exitcode"]);
        assert_eq!(plan.status, 0, "{version}: {plan:?}");
        assert_eq!(
            plan.stdout, "No changes: database \"features\" matches the specs.\n",
            "{version}"
        );
        let index = harness
            .indexes("zz")
            .into_iter()
            .find(|index| index["name"] == "zi")
            .expect("zkd index");
        assert_eq!(index["fields"], serde_json::json!(["x", "y"]), "{version}");
        if version.starts_with("3.11") {
            assert!(index.get("estimates").is_none(), "{index}");
        }
    }
}

/// Schema strings that YAML could read as numbers, booleans or null.
const LOOK_ALIKES: &[&str] = &[
    "0o17",
    "+.inf",
    ".NaN",
    "0x1F",
    "1e3",
    "1_000",
    "yes",
    "no",
    "on",
    "off",
    "~",
    "null",
    "12:30",
    "<<",
    "",
    " x",
    "x ",
    "#",
    "- x",
    ": x",
    "a\tb",
    "a\nb",
    "\n",
    "café €",
];

/// Import writes every string so that it reads back as itself: a schema
/// whose enum holds YAML look-alikes is imported, the tree validates and
/// a plan of it against the same database finds nothing to change.
#[test]
fn imported_look_alike_strings_read_back_as_strings() {
    let harness = Harness::new();
    harness.create_database();
    let mut properties = serde_json::Map::new();
    for (index, text) in LOOK_ALIKES.iter().enumerate() {
        properties.insert((*text).to_string(), serde_json::json!({"const": index}));
    }
    harness.post(
        "/_api/collection",
        serde_json::json!({
            "name": "looks",
            "schema": {
                "rule": {"properties": {"k": {"enum": LOOK_ALIKES}, "p": {"properties": properties}}},
                "level": "moderate",
                "message": "0o17",
            },
        }),
    );
    let scratch = tempfile::tempdir().expect("temp dir");
    let out = scratch.path().join("out").display().to_string();
    let imported = harness.run(&["import", "--out", &out]);
    assert_eq!(imported.status, 0, "{imported:?}");
    let text = std::fs::read_to_string(scratch.path().join("out/entities/looks.yaml"))
        .expect("imported file");
    insta::assert_snapshot!("imported_look_alikes", text);
    let plan = harness.run(&["plan", "--dir", &out, "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    assert_eq!(
        plan.stdout,
        "No changes: database \"features\" matches the specs.\n"
    );
}

/// Indexes created without a name are imported without the name the
/// server generated (`idx_<digits>`), explicit names are kept: the tree
/// imported from one database fits another built from the same specs.
#[test]
fn imported_unnamed_indexes_fit_another_database() {
    let harness = Harness::new();
    let example = crate::support::example_features().display().to_string();
    for database in ["features", "other"] {
        let apply = harness.run(&[
            "apply",
            "--dir",
            &example,
            "--database",
            database,
            "--create-database",
        ]);
        assert_eq!(apply.status, 0, "{apply:?}");
    }
    let generated: Vec<String> = harness
        .indexes("users")
        .iter()
        .filter_map(|index| index["name"].as_str())
        .filter(|name| name.starts_with("idx_1"))
        .map(str::to_string)
        .collect();
    assert_eq!(generated.len(), 2, "{generated:?}");
    let scratch = tempfile::tempdir().expect("temp dir");
    let out = scratch.path().join("out").display().to_string();
    let imported = harness.run(&["import", "--out", &out]);
    assert_eq!(imported.status, 0, "{imported:?}");
    let users = std::fs::read_to_string(scratch.path().join("out/entities/users.yaml"))
        .expect("imported users");
    // The server lists indexes in the order apply created them, which
    // varies from run to run; each entry is checked whole.
    for entry in [
        "    - fields:\n        - last_seen_at\n      type: persistent\n",
        "    - expireAfter: 0\n      fields:\n        - expires_at\n      type: ttl\n",
        "    - fields:\n        - email\n      name: idx_users_email\n      sparse: true\n      type: persistent\n      unique: true\n",
    ] {
        assert!(users.contains(entry), "{entry}\nin\n{users}");
    }
    for name in &generated {
        assert!(!users.contains(name.as_str()), "{users}");
    }
    let plan = harness.run(&[
        "plan",
        "--dir",
        &out,
        "--database",
        "other",
        "--detailed-exitcode",
    ]);
    assert_eq!(plan.status, 0, "{plan:?}");
    crate::support::assert_example_unchanged(&plan.stdout.replace("\"other\"", "\"features\""));
}

const USERS: &str = "\
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
spec:
  numberOfShards: 1
";

/// Overlay patch documents follow the spec loader's `apiVersion` rules: a
/// patch without one, and one of a version arangosync does not read, are
/// invalid input at the overlay file's line:col instead of being ignored
/// or applied.
#[test]
fn overlay_patches_follow_the_api_version_rules() {
    let harness = Harness::new();
    harness.write("users.yaml", USERS);
    let overlay = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        overlay.path().join("patches.yaml"),
        "kind: ArangoCollection
metadata:
  name: users
spec:
  numberOfShards: 2
---
apiVersion: db.feature-store/v1alpha2
kind: ArangoCollection
metadata:
  name: users
spec:
  numberOfShards: 3
---
apiVersion: db.feature-store/v1alpha
kind: ArangoCollection
metadata:
  name: users
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: not-ours
",
    )
    .expect("write overlay");
    let dir = overlay.path().display().to_string();
    let run = harness.run(&["validate", "--overlay", &dir]);
    assert_eq!(run.status, 3, "{run:?}");
    assert_eq!(
        run.stderr.replace(&dir, "[overlay]"),
        "[overlay]/patches.yaml:1:1: error[missing-field]: the ArangoCollection document is missing the required field `apiVersion`
  hint: add `apiVersion: db.feature-store/v1alpha1`; without it the document would be skipped as someone else's
[overlay]/patches.yaml:7:13: error[unsupported-api-version]: unsupported apiVersion `db.feature-store/v1alpha2`
  hint: this version of arangosync reads `db.feature-store/v1alpha1`
[overlay]/patches.yaml:14:13: error[unsupported-api-version]: unsupported apiVersion `db.feature-store/v1alpha`
  hint: this version of arangosync reads `db.feature-store/v1alpha1`
3 error(s), 0 warning(s)
error: [specs] has 3 error(s); nothing was changed
"
        .replace("[specs]", &harness.specs().display().to_string())
    );
}

/// `plan --offline-from` with the pull request's overlay on both trees:
/// a patch for a collection the pull request adds has nothing to match in
/// the base tree, which is no error there; an error of the base tree says
/// it is in the `--offline-from` tree.
#[test]
fn an_offline_base_with_the_pull_requests_overlay() {
    let harness = Harness::new();
    let scratch = tempfile::tempdir().expect("temp dir");
    let base = scratch.path().join("base");
    let pr = scratch.path().join("pr");
    let overlay = scratch.path().join("overlay");
    for dir in [&base, &pr, &overlay] {
        std::fs::create_dir_all(dir).expect("mkdir");
    }
    std::fs::write(base.join("users.yaml"), USERS).expect("base");
    std::fs::write(pr.join("users.yaml"), USERS).expect("pr");
    std::fs::write(
        pr.join("extra.yaml"),
        USERS.replace("name: users", "name: extra"),
    )
    .expect("pr extra");
    std::fs::write(
        overlay.join("extra.yaml"),
        "apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: extra
spec:
  numberOfShards: 2
",
    )
    .expect("overlay");
    let text = |path: &std::path::Path| path.display().to_string();
    let (base_text, pr_text, overlay_text) = (text(&base), text(&pr), text(&overlay));
    let run = harness.run(&[
        "plan",
        "--dir",
        &pr_text,
        "--offline-from",
        &base_text,
        "--overlay",
        &overlay_text,
        "--detailed-exitcode",
    ]);
    assert_eq!(run.status, 2, "{run:?}");
    assert_eq!(
        run.stdout,
        "Plan for database \"features\":\n\n  + collection extra (create)\n      not in the base specs\n\
         \x20     type: \"document\"\n      numberOfShards: 2\n\n\
         Plan: 1 to create, 0 to update, 0 to replace, 0 to delete.\n"
    );

    // An error in the base tree names that tree as the --offline-from one.
    std::fs::write(
        base.join("users.yaml"),
        USERS.replace("numberOfShards: 1", "numberOfShards: x"),
    )
    .expect("broken base");
    let run = harness.run(&[
        "plan",
        "--dir",
        &pr_text,
        "--offline-from",
        &base_text,
        "--overlay",
        &overlay_text,
    ]);
    assert_eq!(run.status, 3, "{run:?}");
    assert!(
        run.stderr.ends_with(&format!(
            "error: the --offline-from tree {base_text} has 1 error(s); nothing was changed\n"
        )),
        "{}",
        run.stderr
    );
}

/// A `null` in an overlay that breaks a rule spanning objects (the graph
/// needs `viewed_edge` to be an edge collection) is named at the `null`,
/// and the hint says the overlay deletes what the base declares.
#[test]
fn a_null_breaking_another_objects_rule_is_named_at_the_null() {
    let harness = Harness::new();
    let overlay = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        overlay.path().join("edges.yaml"),
        "apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: viewed_edge
spec:
  type: null
",
    )
    .expect("overlay");
    let features = crate::support::example_features().display().to_string();
    let overlay_text = overlay.path().display().to_string();
    let run = harness.run(&["validate", "--dir", &features, "--overlay", &overlay_text]);
    assert_eq!(run.status, 3, "{run:?}");
    assert_eq!(
        run.stderr
            .replace(&overlay_text, "[overlay]")
            .replace(&features, "[features]"),
        "[features]/entities/interactions.yaml:41:20: error[not-an-edge-collection]: graph `interactions` uses `viewed_edge` in an edge definition, but it is a document collection (only with the overlay, which patches ArangoCollection `viewed_edge`, deleting `spec.type` with the `null` at `[overlay]/edges.yaml:6:9`)
  hint: the base specs satisfy this; the overlay's `null` deletes what they declare: remove that `null` from the patch, or change what relies on it
1 error(s), 0 warning(s)
error: [features] has 1 error(s); nothing was changed
"
    );
}
