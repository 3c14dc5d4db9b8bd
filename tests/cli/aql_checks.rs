//! The full AQL check on feature files, end to end: `validate` and `plan
//! --offline-from` run `aql_lexer::check_query` on every `.aql` file and
//! report every error at its `file:line:col` with the server's error number
//! and message, exit 3, and never touch the database.
//!
//! [`invalid_corpus_through_validate_and_offline_plan`] turns the invalid-query
//! corpus (`aql-lexer/tests/invalid-queries.txt`: each case a query with the
//! server's `errorNum`, message and position) into one feature file per case
//! and checks all of them in one run.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{Harness, Run};

/// The invalid-query corpus and its reader, shared with the aql-lexer
/// tests.
#[path = "../../aql-lexer/tests/corpus_format/mod.rs"]
mod corpus_format;

use corpus_format::{cases, Case, KNOWN_GAPS};

/// Why a case cannot be a feature file as written, if it cannot: the
/// header parser reads leading `--`/`//` lines of the form `Key: value` as header fields,
/// and a query that is only comments is `empty-query` before any parse.
fn not_a_feature(case: &Case) -> Option<&'static str> {
    if case.error_num == 1502 {
        return Some("an empty query is rejected by the header parser (empty-query)");
    }
    if case.message.contains("unexpected end of query string")
        && case.query.ends_with(char::is_whitespace)
    {
        // The server places an error at the end after the trailing blanks
        // it scanned; a feature's query is stored without them, so the
        // server then reports the end of the last token, as validate does.
        return Some("a feature's query is stored without trailing blanks");
    }
    let leading_header_line = case
        .query
        .lines()
        .take_while(|line| {
            let line = line.trim_start();
            line.is_empty() || line.starts_with("//") || line.starts_with("--")
        })
        .any(|line| {
            let comment = line.trim_start().trim_start_matches(['/', '-']);
            comment
                .split_once(':')
                .is_some_and(|(key, _)| !key.trim().contains(' '))
        });
    leading_header_line.then_some("a leading comment reads as a header field")
}

/// One feature file per usable case in `dir`; returns, per file name, the
/// case and the file line its query starts on.
fn write_features(dir: &Path, cases: &[Case]) -> BTreeMap<String, (Case, usize)> {
    std::fs::write(
        dir.join("users.yaml"),
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: users\n",
    )
    .expect("write spec");
    let mut files = BTreeMap::new();
    for (index, case) in cases.iter().enumerate() {
        let feature = format!("q{index:03}_{}", case.slug.replace(['-', '.'], "_"));
        let mut header = vec![
            format!("-- Feature: {feature}"),
            "-- Version: 1".to_string(),
            format!("-- Description: invalid-queries.txt case {}", case.slug),
        ];
        // The function's parameters, as the tokenizer finds them (the header
        // check compares them with the query's).
        if let Ok(parameters) = aql_lexer::bind_parameters(&case.query) {
            if !parameters.is_empty() {
                let names: Vec<String> = parameters
                    .iter()
                    .map(|parameter| parameter.bind_vars_key())
                    .collect();
                header.push(format!("-- Params: {}", names.join(", ")));
            }
        }
        let file = format!("{feature}_v1.aql");
        std::fs::write(
            dir.join(&file),
            format!("{}\n{}\n", header.join("\n"), case.query),
        )
        .expect("write feature");
        files.insert(file, (case.clone(), header.len()));
    }
    files
}

/// What a case must print: its location in the file and the server's
/// message (without the server's position, which the location replaces)
/// with the error number.
fn expected(file: &str, case: &Case, header_lines: usize) -> (String, String) {
    let location = format!(
        "/{file}:{}:{}: ",
        header_lines + case.line as usize,
        case.column
    );
    let mut message = case.message.as_str();
    if let Some((before, position)) = message.rsplit_once(" at position ") {
        if position
            .split(':')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
        {
            message = before;
        }
    }
    // The tool reads files with LF line ends (as the server then sees the
    // query) and prints line feeds as `\n`.
    let message = message.replace("\r\n", "\n").replace('\n', "\\n");
    (
        location,
        format!("AQL {message} (errorNum {}", case.error_num),
    )
}

fn check_output(
    what: &str,
    run: &Run,
    files: &BTreeMap<String, (Case, usize)>,
    failures: &mut Vec<String>,
) {
    if run.status != 3 {
        failures.push(format!(
            "{what}: exit status {} instead of 3\n{}",
            run.status, run.stderr
        ));
    }
    if !run.stdout.is_empty() {
        failures.push(format!("{what}: printed results: {}", run.stdout));
    }
    for (file, (case, header_lines)) in files {
        let (location, message) = expected(file, case, *header_lines);
        let found = run
            .stderr
            .lines()
            .any(|line| line.contains(&location) && line.contains(&message));
        if !found {
            let printed: Vec<&str> = run
                .stderr
                .lines()
                .filter(|line| line.contains(&format!("/{file}:")))
                .collect();
            failures.push(format!(
                "{what}: {}: expected `{location}…{message}…`, got {printed:#?}",
                case.slug
            ));
        }
    }
}

#[test]
fn invalid_corpus_through_validate_and_offline_plan() {
    let cases = cases();
    let mut usable = Vec::new();
    for case in &cases {
        if let Some(why) = not_a_feature(case) {
            eprintln!("not a feature file: {} ({why})", case.slug);
        } else if KNOWN_GAPS.contains(&case.slug.as_str()) {
            // The aql-lexer corpus test says why each differs.
            eprintln!("known gap of the parser: {}", case.slug);
        } else {
            usable.push(case.clone());
        }
    }
    eprintln!(
        "{} of {} corpus cases as feature files",
        usable.len(),
        cases.len()
    );
    assert!(usable.len() >= 300, "only {} usable cases", usable.len());

    let harness = Harness::new();
    let bad = tempfile::tempdir().expect("temp dir");
    let files = write_features(bad.path(), &usable);
    let good = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        good.path().join("users.yaml"),
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: users\n",
    )
    .expect("write spec");
    let bad_dir = bad.path().to_str().expect("utf-8 path");
    let good_dir = good.path().to_str().expect("utf-8 path");

    let mut failures = Vec::new();
    harness.reset_stats();
    let validate = harness.run(&["validate", "--dir", bad_dir]);
    check_output("validate", &validate, &files, &mut failures);
    let plan = harness.run(&["plan", "--dir", bad_dir, "--offline-from", good_dir]);
    check_output(
        "plan --offline-from (bad --dir)",
        &plan,
        &files,
        &mut failures,
    );
    // As the base tree the broken features are only compared: the plan of
    // a change that fixes them is shown.
    let base = harness.run(&["plan", "--dir", good_dir, "--offline-from", bad_dir]);
    assert_eq!(base.status, 0, "{base:?}");
    assert!(!base.stderr.contains("error["), "{}", base.stderr);
    assert_eq!(
        harness.stats()["total"].as_u64(),
        Some(0),
        "no command may connect"
    );
    // The same diagnostics, whichever command.
    let diagnostics = |run: &Run| -> Vec<String> {
        run.stderr
            .lines()
            .filter(|line| line.contains(".aql:"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(diagnostics(&validate), diagnostics(&plan));
    assert!(
        failures.is_empty(),
        "{} problem(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn expectations_map_corpus_positions_into_the_file() {
    let cases = cases();
    let case = |slug: &str| {
        cases
            .iter()
            .find(|case| case.slug == slug)
            .unwrap_or_else(|| panic!("corpus case {slug}"))
    };
    let (location, message) = expected("x_v1.aql", case("ml-comment-before-error"), 3);
    assert_eq!(location, "/x_v1.aql:6:14: ");
    assert_eq!(
        message,
        "AQL syntax error, unexpected assignment near '= 1\\n  RETURN u' (errorNum 1501"
    );
    assert_eq!(not_a_feature(case("ml-comment-before-error")), None);
    let header_like = Case {
        query: "// Note: old\nRETURN 1 +".to_string(),
        ..case("ml-comment-before-error").clone()
    };
    assert!(not_a_feature(&header_like).is_some());
}

const USERS: &str =
    "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: users\n";

/// The first example, FILTR for FILTER.
const FILTR: &str =
    "-- Feature: bad_one\n-- Version: 1\nFOR u IN users\n  FILTR u._key == @user_key\n  RETURN u\n";

/// The second example, an unknown function.
const LENGTHH: &str =
    "-- Feature: tag_count\n-- Version: 1\nFOR u IN users\n  LET x = LENGTHH(u.tags)\n  RETURN x\n";

#[test]
fn plan_and_apply_with_a_broken_feature_write_nothing() {
    let harness = Harness::new();
    harness.create_database();
    harness.write("users.yaml", USERS);
    harness.write("bad_one_v1.aql", FILTR);
    harness.write("tag_count_v1.aql", LENGTHH);
    harness.reset_stats();
    for command in ["validate", "plan", "apply"] {
        let run = harness.run(&[command]);
        assert_eq!(run.status, 3, "{command}: {run:?}");
        assert!(
            run.stderr.contains(
                "bad_one_v1.aql:5:3: error[aql-syntax]: AQL unexpected qualifier 'FILTR', \
                 expecting 'SEARCH' or 'OPTIONS' near 'RETURN u' (errorNum 1501)\n  hint: did you mean `FILTER`?"
            ),
            "{command}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains(
                "tag_count_v1.aql:4:11: error[aql-unknown-function]: AQL usage of unknown function 'LENGTHH()' (errorNum 1540)"
            ),
            "{command}: {}",
            run.stderr
        );
    }
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    assert_eq!(harness.get_status("/_api/collection/users"), 404);
    let functions = harness.get("/_api/aqlfunction");
    assert_eq!(functions["result"], serde_json::json!([]), "{functions}");
}

#[test]
fn namespaced_user_functions_are_allowed_in_features() {
    let harness = Harness::new();
    harness.write("users.yaml", USERS);
    // A feature calling another feature's function, and a user function
    // of another namespace: both are user functions, which the check
    // cannot know and must not reject.
    harness.write(
        "user_score_v1.aql",
        "-- Feature: user_score\n-- Version: 1\nFOR u IN users\n  FILTER u._key == @user_key\n  \
         RETURN FEATURES::USER_SESSION_COUNT_V2(u._key, 30) + mylib::scoring::WEIGHT(u)\n",
    );
    let run = harness.run(&["validate"]);
    assert_eq!(run.status, 0, "{run:?}");
    let empty = tempfile::tempdir().expect("temp dir");
    std::fs::write(empty.path().join("users.yaml"), USERS).expect("write spec");
    let plan = harness.run(&[
        "plan",
        "--offline-from",
        empty.path().to_str().expect("utf-8 path"),
    ]);
    assert_eq!(plan.status, 0, "{plan:?}");
    assert!(plan.stdout.contains("FEATURES::USER_SCORE_V1"), "{plan:?}");
}

/// A feature runs as a cursor, so it is checked as a server prepares a
/// query for execution, not only parsed: reading a collection after
/// modifying it in the same query is error 1579 (errors.dat "access after
/// data-modification by %s", raised by `Ast::validateAndOptimize`), which
/// `POST /_api/query` alone would accept.
#[test]
fn a_read_after_a_write_is_caught_offline() {
    let harness = Harness::new();
    harness.write("users.yaml", USERS);
    harness.write(
        "touch_user_v1.aql",
        "-- Feature: touch_user\n-- Version: 1\nUPDATE @user_key WITH { seen: true } IN users\n\
         FOR u IN users\n  RETURN u\n",
    );
    let run = harness.run(&["validate"]);
    assert_eq!(run.status, 3, "{run:?}");
    assert!(
        run.stderr.contains(
            "touch_user_v1.aql:4:10: error[aql-access-after-modification]: AQL access after \
             data-modification by collection 'users' (errorNum 1579)"
        ),
        "{}",
        run.stderr
    );
}

/// `PARTITION()` is new in 4.0 (docs "What's new in 4.x").
const PARTITION: &str =
    "-- Feature: user_pages\n-- Version: 1\nFOR u IN users\n  RETURN PARTITION(u.tags, 2)\n";

/// Functions are checked against the version the tree targets; without
/// one, an unknown function is one no supported version has.
#[test]
fn functions_are_checked_against_the_target_version() {
    let harness = Harness::new();
    harness.write("users.yaml", USERS);
    harness.write("user_pages_v1.aql", PARTITION);
    let any = harness.run(&["validate"]);
    assert_eq!(any.status, 0, "{any:?}");
    let on_4_0 = harness.run(&["validate", "--target-version", "4.0"]);
    assert_eq!(on_4_0.status, 0, "{on_4_0:?}");
    let on_3_12 = harness.run(&["validate", "--target-version", "3.12"]);
    assert_eq!(on_3_12.status, 3, "{on_3_12:?}");
    assert!(
        on_3_12.stderr.contains(
            "user_pages_v1.aql:4:10: error[aql-unknown-function]: AQL usage of unknown function \
             'PARTITION()' (errorNum 1540)\n  hint: ArangoDB 3.12 has no such function: \
             PARTITION() exists from ArangoDB 4.0 (`--target-version`)"
        ),
        "{}",
        on_3_12.stderr
    );
}

/// On a live server the tree is checked before connecting, for any
/// version; the server's own refusal of a function it lacks is placed at
/// the call by a local check of the versions that lack it.
#[test]
fn a_live_server_decides_functions_of_other_versions() {
    let profile = |version: &str| arangodb_emulator::Profile {
        version: version.parse().expect("version"),
        ..arangodb_emulator::Profile::default()
    };
    let on_4_0 = Harness::with_profile(profile("4.0.0"));
    on_4_0.create_database();
    on_4_0.write("users.yaml", USERS);
    on_4_0.write("user_pages_v1.aql", PARTITION);
    let applied = on_4_0.run(&["apply"]);
    assert_eq!(applied.status, 0, "{applied:?}");

    let on_3_12 = Harness::with_profile(profile("3.12.10"));
    on_3_12.create_database();
    on_3_12.write("users.yaml", USERS);
    on_3_12.write("user_pages_v1.aql", PARTITION);
    on_3_12.reset_stats();
    let refused = on_3_12.run(&["apply"]);
    assert_eq!(refused.status, 3, "{refused:?}");
    assert!(
        refused
            .stderr
            .contains("user_pages_v1.aql:4:10: error[aql-unknown-function]: ArangoDB rejected the query (1540)"),
        "{}",
        refused.stderr
    );
    assert_eq!(on_3_12.writes(), 0, "{}", on_3_12.stats());
}

/// A name that is not a variable is a collection to the server, so a
/// misspelled variable reads a collection no spec declares: a warning at
/// the name, not an error (the server fails only when the query runs).
#[test]
fn a_misspelled_variable_is_warned_where_it_is() {
    let harness = Harness::new();
    harness.write("users.yaml", USERS);
    harness.write(
        "user_key_v1.aql",
        "-- Feature: user_key\n-- Version: 1\nFOR user IN users\n  FILTER user._key == @user_key\n  RETURN { key: usr._key }\n",
    );
    let run = harness.run(&["validate"]);
    assert_eq!(run.status, 0, "{run:?}");
    assert!(
        run.stderr.contains(
            "user_key_v1.aql:5:17: warning[unknown-collection]: the query reads collection `usr`, \
             which no spec declares\n  hint: declare it in an ArangoCollection or ArangoView spec, \
             or check the name: a name that is not a variable is read as a collection, so a \
             misspelled variable shows up here"
        ),
        "{}",
        run.stderr
    );
}

/// ArangoDB 4.0 removed user-defined functions; a call in arangosync's own
/// namespace must name a feature of the tree. Both are warnings: the
/// server decides when the query runs.
#[test]
fn user_function_calls_are_warned_about() {
    let harness = Harness::new();
    harness.write("users.yaml", USERS);
    harness.write(
        "user_score_v1.aql",
        "-- Feature: user_score\n-- Version: 1\nFOR u IN users\n  RETURN FEATURES::NOPE_V9(u._key)\n",
    );
    let run = harness.run(&["validate"]);
    assert_eq!(run.status, 0, "{run:?}");
    assert!(
        run.stderr.contains(
            "user_score_v1.aql:4:10: warning[unknown-feature-function]: the query calls \
             FEATURES::NOPE_V9(), which no feature file of this tree defines"
        ),
        "{}",
        run.stderr
    );
    let on_4_0 = harness.run(&["validate", "--target-version", "4.0"]);
    assert_eq!(on_4_0.status, 0, "{on_4_0:?}");
    assert!(
        on_4_0.stderr.contains(
            "user_score_v1.aql:4:10: warning[aql-user-function]: the query calls user function \
             FEATURES::NOPE_V9(), and ArangoDB 4.0 has no user-defined functions: the query \
             fails when it runs"
        ),
        "{}",
        on_4_0.stderr
    );
}

/// The base tree of `plan --offline-from` is only compared: a feature the
/// base branch has broken does not stop the plan of the change that fixes
/// it.
#[test]
fn a_broken_feature_in_the_base_tree_does_not_stop_the_plan() {
    let harness = Harness::new();
    harness.write("users.yaml", USERS);
    harness.write(
        "bad_one_v1.aql",
        "-- Feature: bad_one\n-- Version: 1\nFOR u IN users\n  FILTER u._key == @user_key\n  RETURN u\n",
    );
    let base = tempfile::tempdir().expect("temp dir");
    std::fs::write(base.path().join("users.yaml"), USERS).expect("write spec");
    std::fs::write(base.path().join("bad_one_v1.aql"), FILTR).expect("write feature");
    let plan = harness.run(&[
        "plan",
        "--offline-from",
        base.path().to_str().expect("utf-8 path"),
    ]);
    assert_eq!(plan.status, 0, "{plan:?}");
    assert!(
        plan.stdout.contains("FEATURES::BAD_ONE_V1"),
        "{}",
        plan.stdout
    );
}
