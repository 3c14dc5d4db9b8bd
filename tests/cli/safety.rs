//! Issue 11, items 1 and 9: a desired state that looks like a broken mount
//! never drives deletions, and duration flags take units.
//!
//! Each broken tree (empty, missing, only a Kubernetes manifest, an empty
//! ConfigMap volume) is refused by `validate`, `plan` and `apply` (with
//! `--prune`, with and without `--allow-destructive`) with exit status 3,
//! before the database is contacted; a tree that lost most of its specs
//! plans a prune that is blocked until `--allow-mass-prune`. The database
//! is read back after every refused run: everything is still there.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{copy_tree, example_features, snapshot_settings, stable, Harness};

/// The example repository applied to a fresh database, its specs copied
/// into the harness's spec directory.
fn applied_example() -> Harness {
    let harness = Harness::new();
    copy_tree(&example_features(), harness.specs());
    let run = harness.run(&["apply", "--create-database"]);
    assert_eq!(run.status, 0, "{run:?}");
    harness
}

/// Everything arangosync manages, read back from the database: every
/// collection with its user indexes, every graph, every function of the
/// namespace and the feature registry.
fn managed_state(harness: &Harness) -> Value {
    let mut collections: Vec<String> = harness.get("/_api/collection")["result"]
        .as_array()
        .expect("collections")
        .iter()
        .filter(|c| c["isSystem"] == false)
        .map(|c| c["name"].as_str().expect("name").to_string())
        .collect();
    collections.sort();
    let indexes: Vec<Value> = collections
        .iter()
        .map(|name| {
            // Generated names order by creation, which concurrency varies.
            let mut indexes = harness.indexes(name);
            indexes.sort_by_key(|index| format!("{}{}", index["type"], index["fields"]));
            json!({"collection": name, "indexes": indexes})
        })
        .collect();
    let mut graphs: Vec<String> = harness.get("/_api/gharial")["graphs"]
        .as_array()
        .expect("graphs")
        .iter()
        .map(|g| g["_key"].as_str().expect("graph name").to_string())
        .collect();
    graphs.sort();
    let mut functions: Vec<String> = harness.get("/_api/aqlfunction?namespace=FEATURES")["result"]
        .as_array()
        .expect("functions")
        .iter()
        .map(|f| f["name"].as_str().expect("function name").to_string())
        .collect();
    functions.sort();
    let registry = harness.run(&["features", "--format", "json"]);
    assert_eq!(registry.status, 0, "{registry:?}");
    let registry: Value = serde_json::from_str(&registry.stdout).expect("registry json");
    let mut registry: Vec<String> = registry["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|entry| entry["function"].as_str().expect("function").to_string())
        .collect();
    registry.sort();
    json!({
        "collections": indexes,
        "graphs": graphs,
        "functions": functions,
        "registry": registry,
    })
}

/// The broken trees, each built under `root`: (name, directory).
fn broken_trees(root: &Path) -> Vec<(&'static str, std::path::PathBuf)> {
    let empty = root.join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");

    let missing = root.join("missing");

    // A wrong mount path: the directory holds the Job's own manifest.
    let manifest = root.join("manifest-only");
    std::fs::create_dir_all(&manifest).expect("mkdir");
    std::fs::write(
        manifest.join("job.yaml"),
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: schema-presync\nspec:\n  template:\n    spec:\n      containers:\n        - name: arangosync\n          image: arangosync:latest\n      restartPolicy: Never\n",
    )
    .expect("write manifest");

    // A ConfigMap volume of an empty ConfigMap: only the hidden links.
    let configmap = root.join("configmap-empty");
    let data = configmap.join("..2026_11_29_20_00_00.000000001");
    std::fs::create_dir_all(&data).expect("mkdir");
    std::os::unix::fs::symlink("..2026_11_29_20_00_00.000000001", configmap.join("..data"))
        .expect("symlink");

    vec![
        ("empty", empty),
        ("missing", missing),
        ("manifest-only", manifest),
        ("configmap-empty", configmap),
    ]
}

#[test]
fn a_tree_with_no_specs_is_invalid_input_and_deletes_nothing() {
    let harness = applied_example();
    let before = managed_state(&harness);
    assert_eq!(
        before["functions"].as_array().expect("functions").len(),
        4,
        "{before}"
    );
    let root = tempfile::tempdir().expect("temp dir");
    for (name, dir) in broken_trees(root.path()) {
        let dir_text = dir.display().to_string();
        let mut first: Option<String> = None;
        for args in [
            vec!["validate"],
            vec!["plan", "--prune"],
            vec!["apply", "--prune"],
            vec!["apply", "--prune", "--allow-destructive"],
            vec![
                "apply",
                "--prune",
                "--allow-destructive",
                "--allow-mass-prune",
            ],
        ] {
            harness.reset_stats();
            let mut full = args.clone();
            full.extend(["--dir", dir_text.as_str()]);
            let run = harness.run(&full);
            assert_eq!(run.status, 3, "{name} {args:?}: {run:?}");
            assert_eq!(run.stdout, "", "{name} {args:?}: nothing planned");
            // `plan` and `apply` read while the specs load: nothing of
            // the specs reaches the database (`validate` connects to nothing).
            if args[0] == "validate" {
                assert_eq!(harness.stats()["total"], 0, "{name} {args:?}");
            } else {
                assert_eq!(
                    harness.beyond_spec_independent_reads(),
                    Vec::<String>::new(),
                    "{name} {args:?}: only reads without spec content"
                );
            }
            let stderr = run.stderr.replace(&dir_text, "[dir]");
            match &first {
                None => first = Some(stderr),
                Some(first) => assert_eq!(&stderr, first, "{name} {args:?}: same report"),
            }
            assert_eq!(managed_state(&harness), before, "{name} {args:?}");
        }
        snapshot_settings().bind(|| {
            insta::assert_snapshot!(format!("no_specs_{name}"), first.expect("at least one run"))
        });
    }
    // The real tree still plans no change: nothing was lost.
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{plan:?}");
}

#[test]
fn a_prune_of_most_of_what_arangosync_owns_is_blocked_until_allowed() {
    let harness = applied_example();
    let before = managed_state(&harness);
    // A ConfigMap mounted with only one of its files.
    for file in [
        "entities/products.yaml",
        "entities/interactions.yaml",
        "search/product_search.yaml",
        "transformations/product_graph_centrality_v1.aql",
        "transformations/user_profile_v1.aql",
        "transformations/user_session_count_v1.aql",
        "transformations/user_session_count_v2.aql",
    ] {
        harness.remove(file);
    }

    let plan = harness.run(&["plan", "--prune", "--allow-destructive"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("mass_prune_blocked_plan", stable(&plan.stdout, &harness))
    });
    for args in [
        vec!["apply", "--prune"],
        vec!["apply", "--prune", "--allow-destructive"],
        vec!["apply", "--prune", "--allow-destructive", "--phase", "post"],
    ] {
        harness.reset_stats();
        let run = harness.run(&args);
        assert_eq!(run.status, 1, "{args:?}: {run:?}");
        assert!(
            run.stderr.contains("refusing to apply: ")
                && run.stderr.contains(
                    "change(s) are blocked (marked BLOCKED in the plan); nothing was changed"
                ),
            "{args:?}: {}",
            run.stderr
        );
        assert!(
            run.stdout
                .contains("pass --allow-mass-prune if this is intended"),
            "{args:?}: {}",
            run.stdout
        );
        assert_eq!(harness.writes(), 0, "{args:?}: nothing written");
        assert_eq!(managed_state(&harness), before, "{args:?}");
    }
    let json_plan = harness.run(&["plan", "--prune", "--format", "json"]);
    let json_plan: Value = serde_json::from_str(&json_plan.stdout).expect("plan json");
    let deletes: Vec<&Value> = json_plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|change| change["action"] == "delete")
        .collect();
    assert!(!deletes.is_empty());
    assert!(
        deletes.iter().all(|change| change["blocked"]
            .as_str()
            .is_some_and(|reason| reason.contains("more than half"))),
        "{json_plan:#}"
    );

    // Said on purpose, the prune happens.
    let run = harness.run(&[
        "apply",
        "--prune",
        "--allow-destructive",
        "--allow-mass-prune",
    ]);
    assert_eq!(run.status, 0, "{run:?}");
    let after = managed_state(&harness);
    snapshot_settings().bind(|| insta::assert_json_snapshot!("mass_prune_allowed_state", after));
    assert_eq!(after["functions"], json!([]), "{after}");
    assert_eq!(after["graphs"], json!([]), "{after}");
    let plan = harness.run(&[
        "plan",
        "--prune",
        "--allow-destructive",
        "--detailed-exitcode",
    ]);
    assert_eq!(plan.status, 0, "{plan:?}");
}

#[test]
fn an_ordinary_prune_needs_no_extra_flag() {
    let harness = applied_example();
    harness.remove("transformations/user_session_count_v1.aql");
    let run = harness.run(&["apply", "--prune"]);
    assert_eq!(run.status, 0, "{run:?}");
    let after = managed_state(&harness);
    assert_eq!(
        after["functions"],
        json!([
            "FEATURES::PRODUCT_GRAPH_CENTRALITY_V1",
            "FEATURES::USER_PROFILE_V1",
            "FEATURES::USER_SESSION_COUNT_V2"
        ]),
        "{after}"
    );
}

#[test]
fn duration_flags_take_units() {
    let harness = Harness::new();
    copy_tree(&example_features(), harness.specs());
    let run = harness.run(&[
        "apply",
        "--create-database",
        "--timeout",
        "2m",
        "--lock-ttl",
        "90s",
        "--lock-timeout",
        "1m",
        "--wait-timeout",
        "30s",
    ]);
    assert_eq!(run.status, 0, "{run:?}");
    let plan = harness.run(&["plan", "--detailed-exitcode", "--timeout", "1h"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    assert_eq!(
        managed_state(&harness)["functions"]
            .as_array()
            .expect("functions")
            .len(),
        4
    );

    // The unit is honoured: 1500ms of waiting for a server that refuses
    // connections, not 1500 seconds.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let endpoint = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let refused = harness.run(&["plan", "--endpoint", &endpoint, "--wait-timeout", "1500ms"]);
    let elapsed = started.elapsed();
    assert_eq!(refused.status, 1, "{refused:?}");
    assert!(
        elapsed >= Duration::from_millis(1400) && elapsed < Duration::from_secs(20),
        "waited {elapsed:?}"
    );
}

#[test]
fn bad_durations_are_usage_errors() {
    let harness = Harness::new();
    copy_tree(&example_features(), harness.specs());
    let mut reports = Vec::new();
    for args in [
        vec!["apply", "--timeout", "2x"],
        vec!["apply", "--lock-ttl", "0s"],
        vec!["apply", "--lock-timeout=-5"],
        vec!["plan", "--wait-timeout", "soon"],
    ] {
        harness.reset_stats();
        let run = harness.run(&args);
        assert_eq!(run.status, 3, "{args:?}: {run:?}");
        assert_eq!(harness.stats()["total"], 0, "{args:?}");
        reports.push(format!("$ arangosync {}\n{}", args.join(" "), run.stderr));
    }
    snapshot_settings().bind(|| insta::assert_snapshot!("bad_durations", reports.join("\n")));
    // The environment variables go through the same parser.
    for (variable, value) in [
        ("ARANGOSYNC_LOCK_TIMEOUT", "2 fortnights"),
        ("ARANGOSYNC_WAIT_TIMEOUT", "5 mins later"),
        ("ARANGOSYNC_TIMEOUT", "abc"),
        ("ARANGOSYNC_LOCK_TTL", "a while"),
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_arangosync"))
            .args(["apply", "--dir"])
            .arg(harness.specs())
            .env_clear()
            .env("ARANGO_HOST", harness.emulator.url())
            .env(variable, value)
            .output()
            .expect("arangosync runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "{variable}: {stderr}");
        assert!(
            stderr.contains(&format!("invalid value '{value}'"))
                && stderr.contains("use a number of seconds (30) or a number with a unit"),
            "{variable}: {stderr}"
        );
    }
    assert_eq!(harness.stats()["total"], 0);
    assert_eq!(harness.get_status("/_api/collection/users"), 404);
    let ok = std::process::Command::new(env!("CARGO_BIN_EXE_arangosync"))
        .args(["apply", "--create-database", "--dir"])
        .arg(harness.specs())
        .env_clear()
        .env("ARANGO_HOST", harness.emulator.url())
        .env("ARANGO_DATABASE", "features")
        .env("ARANGO_PASSWORD", crate::support::ROOT_PASSWORD)
        .env("ARANGOSYNC_LOCK_TIMEOUT", "2m")
        .env("ARANGOSYNC_WAIT_TIMEOUT", "10s")
        .env("ARANGOSYNC_TIMEOUT", "1m")
        .env("ARANGOSYNC_LOCK_TTL", "90s")
        .output()
        .expect("arangosync runs");
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(harness.get_status("/_api/collection/users"), 200);
}
