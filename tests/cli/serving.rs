//! Serving features without AQL user functions: on ArangoDB 4.0 and on a
//! 3.12 server with `--javascript.user-defined-functions false` the post
//! phase writes the feature registry and no functions (one plan note says
//! so); a feature that demands a function is refused before any write; the
//! registry documents match `schemas/registry-entry.v1.schema.json`; and
//! `features show` / `features run` serve an entry through the cursor API.

use std::path::Path;

use arangodb_emulator::{Profile, Version};
use serde_json::{json, Value};

use crate::support::{example_without_vector_index, snapshot_settings, stable, Harness};

fn harness(version: &str, user_defined_functions: bool) -> Harness {
    Harness::with_profile(Profile {
        version: version.parse::<Version>().expect("version"),
        user_defined_functions,
        ..Profile::default()
    })
}

/// A harness whose spec directory is a copy of the example `features/`.
fn with_examples(version: &str, user_defined_functions: bool) -> Harness {
    // Serving is the subject here: the example without its vector index,
    // whose notes (it waits for embeddings) vector.rs covers.
    let harness = harness(version, user_defined_functions);
    example_without_vector_index(harness.specs());
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

/// The feature functions the server holds; `None` when it has no function
/// API (4.0).
fn functions(harness: &Harness) -> Option<usize> {
    if harness.get_status("/_api/aqlfunction") == 404 {
        return None;
    }
    harness.get("/_api/aqlfunction?namespace=FEATURES")["result"]
        .as_array()
        .map(Vec::len)
}

/// Checks documents against the registry's JSON Schema, and that the schema
/// rejects a broken one (so the check can fail).
fn assert_valid_entries(entries: &[Value]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/registry-entry.v1.schema.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema file")).expect("json");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    assert!(!entries.is_empty());
    for entry in entries {
        let errors: Vec<String> = validator
            .iter_errors(entry)
            .map(|error| format!("{error} at {}", error.instance_path))
            .collect();
        assert!(errors.is_empty(), "{entry:#}: {errors:?}");
        let mut broken = entry.clone();
        broken["source"] = json!("features/transformations/x_v1.aql");
        broken
            .as_object_mut()
            .expect("object")
            .remove("collections");
        assert!(!validator.is_valid(&broken));
    }
}

/// Applies the example repository; then the registry matches the schema, a
/// second plan has no changes, and a second apply writes nothing. Returns
/// the first apply's plan and the second plan, for snapshots.
fn applies_registry_and_converges(harness: &Harness) -> (String, String) {
    let first = harness.run(&["apply", "--create-database", "--revision", "r1"]);
    assert_eq!(first.status, 0, "{first:?}");
    let entries = registry(harness);
    assert_eq!(entries.len(), 4, "{entries:#?}");
    assert_valid_entries(&entries);
    harness.reset_stats();
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    let again = harness.run(&["apply"]);
    assert_eq!(again.status, 0, "{again:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    (first.stdout, plan.stdout)
}

#[test]
fn on_4_0_the_registry_is_written_and_no_function() {
    let harness = with_examples("4.0.0", true);
    let (first, second) = applies_registry_and_converges(&harness);
    assert_eq!(functions(&harness), None);
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("serving_4_0_first_apply", first);
        insta::assert_snapshot!("serving_4_0_second_plan", second);
    });
    let users = registry(&harness)
        .into_iter()
        .find(|entry| entry["function"] == "FEATURES::USER_SESSION_COUNT_V2")
        .expect("entry");
    assert_eq!(
        (
            &users["params"],
            &users["collections"],
            &users["source"],
            &users["revision"]
        ),
        (
            &json!(["user_key", "window_days"]),
            &json!(["users", "user_sessions"]),
            &json!("user_session_count_v2.aql"),
            &json!("r1")
        )
    );
}

#[test]
fn with_user_functions_off_the_registry_is_written_and_no_function() {
    let harness = with_examples("3.12.10", false);
    let (_, second) = applies_registry_and_converges(&harness);
    assert_eq!(functions(&harness), Some(0));
    snapshot_settings().bind(|| insta::assert_snapshot!("serving_udf_off_second_plan", second));
}

#[test]
fn with_user_functions_on_both_are_written_and_nothing_is_noted() {
    let harness = with_examples("3.12.10", true);
    let (_, second) = applies_registry_and_converges(&harness);
    assert_eq!(functions(&harness), Some(4));
    assert_eq!(
        second,
        "No changes: database \"features\" matches the specs.\n"
    );
}

#[test]
fn functions_registered_before_udfs_were_turned_off_are_kept_unless_pruned() {
    let harness = with_examples("3.12.10", false);
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    // What an earlier apply left while the server still ran functions:
    // generated code carries the feature's hash.
    for entry in registry(&harness) {
        let code = format!(
            "function () {{ /* arangosync:sha256={} */ return []; }}",
            entry["hash"].as_str().expect("hash")
        );
        harness.post(
            "/_api/aqlfunction",
            json!({"name": entry["function"], "code": code}),
        );
    }
    assert_eq!(functions(&harness), Some(4));
    let kept = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(kept.status, 0, "{kept:?}");
    snapshot_settings().bind(|| insta::assert_snapshot!("serving_udf_off_stale_kept", kept.stdout));
    let pruned = harness.run(&["apply", "--prune"]);
    assert_eq!(pruned.status, 0, "{pruned:?}");
    snapshot_settings()
        .bind(|| insta::assert_snapshot!("serving_udf_off_stale_pruned", pruned.stdout));
    assert_eq!(functions(&harness), Some(0));
    assert_eq!(registry(&harness).len(), 4);
}

#[test]
fn a_demanded_function_is_refused_before_any_write() {
    let harness = with_examples("4.0.0", true);
    let path = harness
        .specs()
        .join("transformations/user_session_count_v2.aql");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, format!("-- Serve: function\n{text}")).expect("write");
    let refused = harness.run(&["apply", "--create-database"]);
    assert_eq!(refused.status, 1, "{refused:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    assert_eq!(harness.get_status("/_api/collection"), 404);
    let blocked: Vec<&str> = refused
        .stdout
        .lines()
        .filter(|line| line.contains("BLOCKED"))
        .collect();
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("serving_demanded_blocked", blocked.join("\n"));
        insta::assert_snapshot!("serving_demanded_stderr", stable(&refused.stderr, &harness));
    });
}

#[test]
fn require_functions_refuses_every_feature_on_a_server_with_udfs_off() {
    let harness = with_examples("3.12.10", false);
    let pre = harness.run(&["apply", "--create-database", "--phase", "pre"]);
    assert_eq!(pre.status, 0, "{pre:?}");
    harness.reset_stats();
    let refused = harness.run(&["apply", "--require-functions"]);
    assert_eq!(refused.status, 1, "{refused:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    let blocked: Vec<&str> = refused
        .stdout
        .lines()
        .filter(|line| line.contains("BLOCKED"))
        .collect();
    assert_eq!(blocked.len(), 4, "{}", refused.stdout);
    for file in [
        "product_graph_centrality_v1.aql",
        "user_profile_v1.aql",
        "user_session_count_v1.aql",
        "user_session_count_v2.aql",
    ] {
        assert!(
            blocked.iter().any(|line| line.contains(file)),
            "{file}: {blocked:?}"
        );
    }
    // The same from the environment (a Helm value, say).
    let from_env = harness.run_with_env(
        "root",
        crate::support::ROOT_PASSWORD,
        &[("ARANGOSYNC_REQUIRE_FUNCTIONS", "true")],
        &["apply"],
    );
    assert_eq!(from_env.status, 1, "{from_env:?}");
    assert!(
        from_env
            .stderr
            .contains("4 feature(s) must be served as one"),
        "{from_env:?}"
    );
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    // Without the flag the same server is served from the registry.
    let served = harness.run(&["apply"]);
    assert_eq!(served.status, 0, "{served:?}");
    assert_eq!(registry(&harness).len(), 4);
}

#[test]
fn the_registry_is_the_same_from_the_repository_and_a_flat_configmap() {
    let harness = harness("3.12.10", true);
    // The repository layout: the spec tree under features/, read from the root.
    let repo = harness.specs().join("repo");
    std::fs::create_dir_all(repo.join("features")).expect("mkdir");
    example_without_vector_index(&repo.join("features"));
    let repo = repo.to_str().expect("utf-8").to_string();
    let first = harness.run(&["apply", "--dir", &repo, "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    // A ConfigMap volume: every file at the top level.
    let flat = harness.specs().join("configmap");
    std::fs::create_dir_all(&flat).expect("mkdir");
    flatten(&harness.specs().join("repo/features"), &flat);
    let flat = flat.to_str().expect("utf-8").to_string();
    let plan = harness.run(&["plan", "--dir", &flat, "--detailed-exitcode"]);
    assert_eq!(
        (plan.status, plan.stdout.as_str()),
        (0, "No changes: database \"features\" matches the specs.\n"),
        "{plan:?}"
    );
    let sources: Vec<Value> = registry(&harness)
        .iter()
        .map(|entry| entry["source"].clone())
        .collect();
    assert_eq!(
        sources,
        vec![
            json!("product_graph_centrality_v1.aql"),
            json!("user_profile_v1.aql"),
            json!("user_session_count_v1.aql"),
            json!("user_session_count_v2.aql")
        ]
    );
}

fn flatten(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_dir() {
            flatten(&entry.path(), to);
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
}

/// A small spec tree: a collection and features the emulator can and
/// cannot run, one reading a collection bind parameter.
fn serving_specs(harness: &Harness) {
    harness.write(
        "entities/accounts.yaml",
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: accounts\nspec:\n  type: document\n",
    );
    harness.write(
        "transformations/account_by_key_v1.aql",
        "-- Feature: account_by_key\n-- Version: 1\n-- Description: One account by key.\n-- Owner: serving@example.com\n-- Returns: one\nFOR a IN accounts\n  FILTER a._key == @key\n  RETURN a\n",
    );
    harness.write(
        "transformations/account_by_key_v2.aql",
        "-- Feature: account_by_key\n-- Version: 2\n-- Description: The plan of one account.\n-- Returns: one\nFOR a IN accounts\n  FILTER a._key == @key\n  RETURN a.plan\n",
    );
    harness.write(
        "transformations/by_tier_v1.aql",
        "-- Feature: by_tier\n-- Version: 1\n-- Description: Documents of a tier in any collection.\n-- Params: @coll, tier\nFOR d IN @@coll\n  FILTER d.tier == @tier\n  SORT d._key\n  RETURN d._key\n",
    );
    harness.write(
        "transformations/account_count_v1.aql",
        "-- Feature: account_count\n-- Version: 1\n-- Description: How many accounts there are.\nRETURN COUNT(FOR a IN accounts RETURN 1)\n",
    );
}

fn served(version: &str, user_defined_functions: bool) -> Harness {
    let harness = harness(version, user_defined_functions);
    serving_specs(&harness);
    let applied = harness.run(&["apply", "--create-database", "--revision", "r7"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    for (key, tier, plan) in [("a1", 2, "pro"), ("a2", 1, "free"), ("a3", 2, "team")] {
        harness.post(
            "/_api/document/accounts",
            json!({"_key": key, "tier": tier, "plan": plan}),
        );
    }
    harness
}

/// `appliedAt` differs per run; everything else of an entry is stable.
fn without_time(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.contains("\"appliedAt\"") {
                "  \"appliedAt\": \"[time]\",".to_string()
            } else if line.starts_with("applied at") {
                "applied at   [time]".to_string()
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn features_show_prints_one_entry_with_its_query() {
    let harness = served("4.0.0", true);
    let json_show = harness.run(&["features", "show", "account_by_key", "--format", "json"]);
    assert_eq!(json_show.status, 0, "{json_show:?}");
    let entry: Value = serde_json::from_str(&json_show.stdout).expect("json");
    assert_eq!(entry["version"], 2, "the latest version by default");
    assert_valid_entries(&[entry]);
    let text_show = harness.run(&["features", "show", "account_by_key", "--version", "1"]);
    assert_eq!(text_show.status, 0, "{text_show:?}");
    let by_tier = harness.run(&["features", "show", "by_tier", "--format", "json"]);
    let by_tier: Value = serde_json::from_str(&by_tier.stdout).expect("json");
    assert_eq!(
        (&by_tier["params"], &by_tier["collections"]),
        (&json!(["@coll", "tier"]), &json!(["@@coll"]))
    );
    let no_version = harness.run(&["features", "show", "account_by_key", "--version", "5"]);
    let unknown = harness.run(&["features", "show", "nothing_here"]);
    assert_eq!((no_version.status, unknown.status), (1, 1));
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("serving_show_json", without_time(&json_show.stdout));
        insta::assert_snapshot!("serving_show_text", without_time(&text_show.stdout));
        insta::assert_snapshot!(
            "serving_show_missing",
            format!("{}{}", no_version.stderr, unknown.stderr)
        );
    });
    // The list still works, as the default and as `features list`.
    let listed = harness.run(&["features", "--format", "json"]);
    let listed_again = harness.run(&["features", "list", "--format", "json"]);
    assert_eq!((listed.status, listed_again.status), (0, 0));
    assert_eq!(listed.stdout, listed_again.stdout);
    let listed: Value = serde_json::from_str(&listed.stdout).expect("json");
    assert_eq!(listed["features"].as_array().map(Vec::len), Some(4));
}

#[test]
fn features_run_serves_a_registered_query_through_the_cursor_api() {
    for (version, udfs) in [("4.0.0", true), ("3.12.10", false), ("3.12.10", true)] {
        let harness = served(version, udfs);
        harness.reset_stats();
        let json_run = harness.run(&[
            "features",
            "run",
            "account_by_key",
            "--version",
            "1",
            "--param",
            "key=a1",
            "--format",
            "json",
        ]);
        assert_eq!(json_run.status, 0, "{version}: {json_run:?}");
        let rows: Value = serde_json::from_str(&json_run.stdout).expect("json");
        assert_eq!(rows["rows"][0]["_key"], "a1", "{rows:#}");
        assert_eq!(rows["rows"].as_array().map(Vec::len), Some(1));
        let text_run = harness.run(&[
            "features",
            "run",
            "by_tier",
            "--param",
            "coll=accounts",
            "--param",
            "tier=2",
        ]);
        assert_eq!(
            (text_run.status, text_run.stdout.as_str()),
            (0, "\"a1\"\n\"a3\"\n"),
            "{version}: {text_run:?}"
        );
        let plan = harness.run(&["features", "run", "account_by_key", "--param", "key=\"a2\""]);
        assert_eq!(
            (plan.status, plan.stdout.as_str()),
            (0, "\"free\"\n"),
            "{version}: {plan:?}"
        );
        assert_eq!(harness.writes(), 0, "serving writes nothing");
    }
    let harness = served("4.0.0", true);
    let json_run = harness.run(&[
        "features",
        "run",
        "account_by_key",
        "--version",
        "1",
        "--param",
        "key=a1",
        "--format",
        "json",
    ]);
    let unsupported = harness.run(&["features", "run", "account_count"]);
    assert_eq!(unsupported.status, 1, "{unsupported:?}");
    let missing = harness.run(&["features", "run", "by_tier", "--param", "tier=2"]);
    let extra = harness.run(&["features", "run", "account_count", "--param", "x=1"]);
    assert_eq!((missing.status, extra.status), (3, 3));
    let mut settings = snapshot_settings();
    settings.add_filter(r#""_rev": "[^"]*""#, r#""_rev": "[rev]""#);
    settings.bind(|| {
        insta::assert_snapshot!("serving_run_json", json_run.stdout);
        insta::assert_snapshot!(
            "serving_run_errors",
            stable(
                &format!("{}{}{}", unsupported.stderr, missing.stderr, extra.stderr),
                &harness
            )
        );
    });
}

#[test]
fn features_run_reports_the_server_error_number() {
    let harness = served("3.12.10", true);
    // A server error (not a 501): the collection parameter names a
    // collection that does not exist.
    let failed = harness.run(&[
        "features",
        "run",
        "by_tier",
        "--param",
        "coll=nope",
        "--param",
        "tier=1",
    ]);
    assert_eq!(failed.status, 1, "{failed:?}");
    snapshot_settings().bind(|| insta::assert_snapshot!("serving_run_server_error", failed.stderr));
}

#[test]
fn a_demanded_function_refuses_the_pre_phase_before_any_write() {
    // On 4.0 the PostSync phase could never register the function: the
    // PreSync phase refuses too, before its schema writes.
    let harness = with_examples("4.0.0", true);
    let path = harness
        .specs()
        .join("transformations/user_session_count_v2.aql");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, format!("-- Serve: function\n{text}")).expect("write");
    let pre = harness.run(&["apply", "--create-database", "--phase", "pre"]);
    assert_eq!(pre.status, 1, "{pre:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    assert!(
        stable(&pre.stderr, &harness).ends_with(
            "error: refusing to apply: the server cannot run AQL user functions, and 1 feature(s) must be served as one: [specs]/transformations/user_session_count_v2.aql; nothing was changed. Remove `-- Serve: function` (or --require-functions) to serve them from the feature registry\n"
        ),
        "{}",
        pre.stderr
    );
    // --require-functions on a 3.12 server with functions switched off: the
    // same, and the plan's note counts every function it does not register.
    let off = with_examples("3.12.10", false);
    let pre = off.run(&[
        "apply",
        "--create-database",
        "--phase",
        "pre",
        "--require-functions",
    ]);
    assert_eq!(pre.status, 1, "{pre:?}");
    assert_eq!(off.writes(), 0, "{}", off.stats());
    assert!(
        pre.stderr.contains("4 feature(s) must be served as one"),
        "{}",
        pre.stderr
    );
    let plan = off.run(&["plan", "--create-database", "--require-functions"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    assert!(
        plan.stdout.lines().any(|line| line
            == "  features FEATURES::*: the server has JavaScript user functions turned off (ArangoDB 3.12.10 started with --javascript.user-defined-functions false): features are served from the registry only; 4 function(s) not registered (4 of them demanded as functions: apply refuses)"),
        "{}",
        plan.stdout
    );
}

#[test]
fn a_returns_one_feature_prints_one_value_null_when_no_row_matches() {
    // The example's key lookup, as the README runs it after the main job.
    let harness = with_examples("3.12.10", true);
    let applied = harness.run(&["apply", "--create-database"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    let args = ["features", "run", "user_profile", "--param", "user_key=u1"];
    let none = harness.run(&args);
    assert_eq!(
        (none.status, none.stdout.as_str()),
        (0, "null\n"),
        "{none:?}"
    );
    let none_json = harness.run(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(none_json.status, 0, "{none_json:?}");
    let document: Value = serde_json::from_str(&none_json.stdout).expect("json");
    assert_eq!(
        document,
        json!({"feature": "user_profile", "version": 1, "returns": "one", "rows": [], "result": null})
    );
    harness.post(
        "/_api/document/users",
        json!({"_key": "u1", "email": "ada@example.com", "created_at": "2026-01-05T09:00:00Z"}),
    );
    let one = harness.run(&args);
    assert_eq!(one.status, 0, "{one:?}");
    let value: Value = serde_json::from_str(one.stdout.trim_end()).expect("one json value");
    assert_eq!(
        (&value["_key"], &value["email"], one.stdout.lines().count()),
        (&json!("u1"), &json!("ada@example.com"), 1),
        "{}",
        one.stdout
    );
    let one_json = harness.run(&[&args[..], &["--format", "json"]].concat());
    let document: Value = serde_json::from_str(&one_json.stdout).expect("json");
    assert_eq!(document["result"], document["rows"][0], "{document:#}");
    assert_eq!(document["result"]["_key"], "u1", "{document:#}");
}
