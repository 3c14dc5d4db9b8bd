//! Feature transformations: `.aql` files registered as AQL user functions,
//! with the feature registry.

use serde_json::{json, Value};

use crate::support::{example_features, Harness};

/// A harness whose spec directory is a copy of the example `features/`.
fn with_examples() -> Harness {
    let harness = Harness::new();
    copy_dir(&example_features(), harness.specs());
    harness
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

fn functions(harness: &Harness) -> Vec<Value> {
    harness.get("/_api/aqlfunction?namespace=FEATURES")["result"]
        .as_array()
        .expect("result")
        .clone()
}

fn code_of(harness: &Harness, name: &str) -> String {
    functions(harness)
        .iter()
        .find(|function| function["name"] == name)
        .unwrap_or_else(|| panic!("function {name}"))["code"]
        .as_str()
        .expect("code")
        .to_string()
}

#[test]
fn the_seed_transformations_register_as_four_functions() {
    let harness = with_examples();
    let run = harness.run(&["apply", "--create-database", "--revision", "r1"]);
    assert_eq!(run.status, 0, "{run:?}");
    let mut names: Vec<String> = functions(&harness)
        .iter()
        .map(|function| function["name"].as_str().expect("name").to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            "FEATURES::PRODUCT_GRAPH_CENTRALITY_V1",
            "FEATURES::USER_PROFILE_V1",
            "FEATURES::USER_SESSION_COUNT_V1",
            "FEATURES::USER_SESSION_COUNT_V2"
        ]
    );
    let v2 = code_of(&harness, "FEATURES::USER_SESSION_COUNT_V2");
    assert!(v2.starts_with("function (user_key, window_days) {"), "{v2}");
    assert!(
        v2.contains(r#"const bindVars = {"user_key": user_key, "window_days": window_days};"#),
        "{v2}"
    );
    assert!(
        v2.contains(r#"FILTER e.is_bot != true  // bots inflate @user_key's count"#),
        "the query is embedded: {v2}"
    );
    assert!(
        v2.contains("require(\"@arangodb\").db._query(query, bindVars).toArray()"),
        "{v2}"
    );
    let centrality = code_of(&harness, "FEATURES::PRODUCT_GRAPH_CENTRALITY_V1");
    assert!(
        centrality.contains("return rows.length > 0 ? rows[0] : null;"),
        "Returns: one: {centrality}"
    );

    harness.reset_stats();
    let again = harness.run(&["apply", "--revision", "r2"]);
    assert_eq!(again.status, 0, "{again:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());

    let listed = harness.run(&["features", "--format", "json"]);
    assert_eq!(listed.status, 0, "{listed:?}");
    let registry: Value = serde_json::from_str(&listed.stdout).expect("json");
    let entries = registry["features"].as_array().expect("features");
    assert_eq!(entries.len(), 4);
    let v2_entry = entries
        .iter()
        .find(|entry| entry["function"] == "FEATURES::USER_SESSION_COUNT_V2")
        .expect("v2 entry");
    assert_eq!(
        v2_entry["revision"], "r1",
        "an unchanged feature keeps the revision that registered it"
    );
    assert_eq!(v2_entry["owner"], "growth-ml@example.com");
    assert_eq!(v2_entry["params"], json!(["user_key", "window_days"]));
    // The file name alone: the same from a checkout and a ConfigMap volume.
    assert_eq!(v2_entry["source"], "user_session_count_v2.aql");
    assert!(v2_entry["query"]
        .as_str()
        .expect("query")
        .starts_with("FOR u IN users"));
    assert!(v2_entry["appliedAt"].as_str().expect("time").ends_with('Z'));

    let table = harness.run(&["features"]);
    assert!(table.stdout.starts_with("FEATURE "), "{}", table.stdout);
    assert!(
        table.stdout.contains("FEATURES::USER_SESSION_COUNT_V1"),
        "{}",
        table.stdout
    );
}

#[test]
fn changing_a_query_updates_exactly_that_function() {
    let harness = with_examples();
    assert_eq!(
        harness
            .run(&["apply", "--create-database", "--revision", "r1"])
            .status,
        0
    );
    let v1_before = code_of(&harness, "FEATURES::USER_SESSION_COUNT_V1");
    let path = harness
        .specs()
        .join("transformations/user_session_count_v2.aql");
    let text = std::fs::read_to_string(&path).expect("read v2");
    std::fs::write(&path, text.replace("LENGTH(sessions)", "COUNT(sessions)")).expect("write v2");

    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 2, "{plan:?}");
    let changed: Vec<&str> = plan
        .stdout
        .lines()
        .filter(|line| line.starts_with("  ~") || line.starts_with("  +"))
        .collect();
    assert_eq!(
        changed,
        vec![
            "  ~ function FEATURES::USER_SESSION_COUNT_V2 (update)",
            "  ~ registry entry FEATURES::USER_SESSION_COUNT_V2 (update)"
        ]
    );
    harness.reset_stats();
    let applied = harness.run(&["apply", "--revision", "r2"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    assert_eq!(
        harness.writes(),
        4,
        "the apply lock (taken, released), one function, one registry entry: {}",
        harness.stats()
    );
    assert!(code_of(&harness, "FEATURES::USER_SESSION_COUNT_V2").contains("COUNT(sessions)"));
    assert_eq!(
        code_of(&harness, "FEATURES::USER_SESSION_COUNT_V1"),
        v1_before
    );
    let listed: Value =
        serde_json::from_str(&harness.run(&["features", "--format", "json"]).stdout).expect("json");
    let revisions: Vec<(&str, &str)> = listed["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|entry| {
            (
                entry["function"].as_str().expect("f"),
                entry["revision"].as_str().expect("r"),
            )
        })
        .collect();
    assert!(
        revisions.contains(&("FEATURES::USER_SESSION_COUNT_V2", "r2")),
        "{revisions:?}"
    );
    assert!(
        revisions.contains(&("FEATURES::USER_SESSION_COUNT_V1", "r1")),
        "{revisions:?}"
    );
}

#[test]
fn deleting_a_file_deletes_its_function_only_with_prune_and_never_outside_the_namespace() {
    let harness = with_examples();
    assert_eq!(harness.run(&["apply", "--create-database"]).status, 0);
    harness.post(
        "/_api/aqlfunction",
        json!({"name": "OTHER::KEEP_ME", "code": "function () { return 1; }"}),
    );
    std::fs::remove_file(
        harness
            .specs()
            .join("transformations/user_session_count_v1.aql"),
    )
    .expect("rm v1");

    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(
        plan.status, 0,
        "without --prune nothing is deleted: {plan:?}"
    );
    assert!(
        plan.stdout.contains("function FEATURES::USER_SESSION_COUNT_V1: not in the specs; kept (unmanaged). --prune deletes it"),
        "{}",
        plan.stdout
    );
    let applied = harness.run(&["apply", "--prune"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    let names: Vec<String> = functions(&harness)
        .iter()
        .map(|function| function["name"].as_str().expect("name").to_string())
        .collect();
    assert!(
        !names.contains(&"FEATURES::USER_SESSION_COUNT_V1".to_string()),
        "{names:?}"
    );
    assert_eq!(names.len(), 3, "{names:?}");
    let other = harness.get("/_api/aqlfunction?namespace=OTHER");
    assert_eq!(other["result"].as_array().expect("other").len(), 1);
    let registry: Value =
        serde_json::from_str(&harness.run(&["features", "--format", "json"]).stdout).expect("json");
    assert_eq!(registry["features"].as_array().expect("features").len(), 3);
}

#[test]
fn a_query_syntax_error_fails_with_file_line_and_column_and_writes_nothing() {
    let harness = with_examples();
    harness.create_database();
    let path = harness
        .specs()
        .join("transformations/user_session_count_v2.aql");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replace("RETURN e\n  )", "RETURN e\n  ")).expect("write");
    harness.reset_stats();
    for command in ["validate", "plan", "apply"] {
        let run = harness.run(&[command]);
        assert_eq!(run.status, 3, "{command}: {run:?}");
        assert!(
            // The subquery's `(` is never closed: the parser wants `)`
            // where the outer RETURN starts (grammar.y: a subquery ends
            // after its RETURN).
            run.stderr.contains("transformations/user_session_count_v2.aql:13:3: error[aql-syntax]: AQL syntax error, unexpected RETURN declaration, expecting ) near 'RETURN {user: u._key, session_co...' (errorNum 1501)"),
            "{command}: {}",
            run.stderr
        );
    }
    assert_eq!(harness.writes(), 0);
    assert_eq!(harness.get_status("/_api/collection/users"), 404);
}

#[test]
fn phases_split_schema_objects_from_functions() {
    let harness = with_examples();
    let pre = harness.run(&["apply", "--phase", "pre", "--create-database"]);
    assert_eq!(pre.status, 0, "{pre:?}");
    assert_eq!(harness.get_status("/_api/collection/users"), 200);
    assert!(
        functions(&harness).is_empty(),
        "pre never registers functions"
    );

    harness.reset_stats();
    let post = harness.run(&["apply", "--phase", "post", "--revision", "abc"]);
    assert_eq!(post.status, 0, "{post:?}");
    assert_eq!(functions(&harness).len(), 4);
    // The apply lock (taken and released), four functions and the four
    // registry entries (one bulk insert), nothing else.
    assert_eq!(harness.writes(), 7, "{}", harness.stats());
    let again = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.status, 0, "{again:?}");
}
