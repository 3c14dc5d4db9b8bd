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
use std::path::{Path, PathBuf};

use crate::support::{Harness, Run};

/// The invalid-query corpus, shared with the aql-lexer tests.
fn corpus_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("aql-lexer/tests/invalid-queries.txt")
}

/// Stand-in cases in the corpus format, used only while the corpus file is
/// not on this branch (it is written on another). Copied from that file's
/// first version, with its sources.
const SAMPLE: &str = "=== op-filtr-misspelled-after-let
source: grammar.y LALR tables (bison 3.8.2 on arangodb/arangodb grammar.y @00476097, verbose errors; aql-lexer/oracle); issue 15 (FILTR)
error: 1501 syntax error, unexpected identifier near 'FILTR x == 1 RETURN x' at position 1:11
at: 1:11
---
LET x = 1 FILTR x == 1 RETURN x
=== ml-tab-indent-error
source: grammar.y LALR tables (bison 3.8.2 on arangodb/arangodb grammar.y @00476097, verbose errors; aql-lexer/oracle)
error: 1501 syntax error, unexpected assignment near '= 1\\n\\tRETURN u' at position 2:13
at: 2:13
---
FOR u IN users
\tFILTER u.a = 1
\tRETURN u
=== ml-unclosed-object-line4
source: grammar.y LALR tables (bison 3.8.2 on arangodb/arangodb grammar.y @00476097, verbose errors; aql-lexer/oracle)
error: 1501 syntax error, unexpected end of query string, expecting } near 'age' at position 4:12
at: 4:12
---
FOR u IN users
  RETURN {
    name: u.name,
    age: u.age

=== ml-comment-before-error
source: grammar.y LALR tables (bison 3.8.2 on arangodb/arangodb grammar.y @00476097, verbose errors; aql-lexer/oracle)
error: 1501 syntax error, unexpected assignment near '= 1\\n  RETURN u' at position 3:14
at: 3:14
---
// find users
FOR u IN users /* all */
  FILTER u.a = 1
  RETURN u
=== utf8-emoji-before-error
source: grammar.y LALR tables (bison 3.8.2 on arangodb/arangodb grammar.y @00476097, verbose errors; aql-lexer/oracle)
error: 1501 syntax error, unexpected assignment near '= 1 RETURN s' at position 1:29
at: 1:23
---
LET s = \"🙂🙂\" FILTER s = 1 RETURN s
=== ml-crlf-error
source: grammar.y LALR tables (bison 3.8.2 on arangodb/arangodb grammar.y @00476097, verbose errors; aql-lexer/oracle)
error: 1501 syntax error, unexpected assignment near '= 1\\r\\n  RETURN u' at position 2:14
at: 2:14
---
FOR u IN users\r
  FILTER u.a = 1\r
  RETURN u
=== issue-filtr-multiline
source: grammar.y for_options action (T_STRING expression; position: lookahead token) (by hand); issue 15 example
error: 1501 unexpected qualifier 'FILTR', expecting 'SEARCH' or 'OPTIONS' near 'RETURN u' at position 3:3
at: 3:3
---
FOR u IN users
  FILTR u._key == @user_key
  RETURN u
=== sem-unknown-function-lengthh
source: errors.dat / site/data/3.12/errors.yaml 1540; Ast.cpp createNodeFunctionCall (upper-cased name); issue 15 example
error: 1540 usage of unknown function 'LENGTHH()'
at: 1:24
---
FOR u IN users LET x = LENGTHH(u.tags) RETURN x
";

/// One corpus case.
#[derive(Debug, Clone)]
struct Case {
    slug: String,
    error_num: u32,
    /// The server's message, as the corpus writes it (line feeds as `\n`).
    message: String,
    /// 1-based line and character column in the query.
    at: (usize, usize),
    query: String,
}

/// Reads the corpus format (see COMMON15.md): `=== slug`, header lines
/// `source:`, `error: <num> <message>`, `at: <line>:<col>`, a `---` line,
/// then the query up to the next `===` line, without its last line feed.
fn parse_corpus(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        let Some(slug) = line.strip_prefix("=== ") else {
            assert!(
                line.trim().is_empty(),
                "text outside a case in the corpus: {line:?}"
            );
            continue;
        };
        let (mut error, mut at) = (None, None);
        for header in lines.by_ref() {
            if header == "---" {
                break;
            }
            if let Some(rest) = header.strip_prefix("error: ") {
                let (num, message) = rest.split_once(' ').expect("error: <num> <message>");
                error = Some((num.parse::<u32>().expect("errorNum"), message.to_string()));
            } else if let Some(rest) = header.strip_prefix("at: ") {
                let (line, column) = rest.trim().split_once(':').expect("at: <line>:<col>");
                at = Some((
                    line.parse::<usize>().expect("line"),
                    column.parse::<usize>().expect("column"),
                ));
            }
        }
        let mut query_lines = Vec::new();
        while let Some(next) = lines.peek() {
            if next.starts_with("=== ") {
                break;
            }
            query_lines.push(lines.next().unwrap_or_default());
        }
        // The line feed before the next `===` is not part of the query
        // (splitting at line feeds already dropped it); nor is the file's
        // last one.
        if lines.peek().is_none() && query_lines.last() == Some(&"") {
            query_lines.pop();
        }
        let (error_num, message) = error.unwrap_or_else(|| panic!("{slug}: no error line"));
        cases.push(Case {
            slug: slug.to_string(),
            error_num,
            message,
            at: at.unwrap_or_else(|| panic!("{slug}: no at line")),
            query: query_lines.join("\n"),
        });
    }
    cases
}

/// The corpus file where it exists, else [`SAMPLE`].
fn corpus() -> (Vec<Case>, &'static str) {
    match std::fs::read_to_string(corpus_path()) {
        Ok(text) => (parse_corpus(&text), "aql-lexer/tests/invalid-queries.txt"),
        Err(_) => (parse_corpus(SAMPLE), "the stand-in sample"),
    }
}

/// For the error numbers only the semantic checks find: a query that shows
/// the check is in this build (it must be rejected with that number).
const SEMANTIC_PROBES: &[(u32, &str)] = &[
    (1510, "LET _x = 1 RETURN _x"),
    (1511, "LET x = 1 LET x = 2 RETURN x"),
    (1512, "RETURN { foo }"),
    (1540, "RETURN LENGTHH([1])"),
    (1541, "RETURN LENGTH()"),
];

/// Whether this build checks for `error_num`: no probe, or its probe is
/// rejected with it. The semantic checks are written on other branches of
/// issue 15; until they are in, their cases are skipped, loudly.
fn checked_in_this_build(error_num: u32) -> bool {
    SEMANTIC_PROBES
        .iter()
        .filter(|(num, _)| *num == error_num)
        .all(|(num, query)| {
            aql_lexer::check_query(query)
                .is_err_and(|errors| errors.iter().any(|error| error.error_num == *num))
        })
}

/// Why a case cannot be a feature file, if it cannot: the header parser
/// reads leading `--`/`//` lines of the form `Key: value` as header fields,
/// and a query that is only comments is `empty-query` before any parse.
fn not_a_feature(case: &Case) -> Option<&'static str> {
    if case.error_num == 1502 {
        return Some("an empty query is rejected by the header parser (empty-query)");
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
    let location = format!("/{file}:{}:{}: ", header_lines + case.at.0, case.at.1);
    let mut message = case.message.clone();
    if let Some((before, position)) = message.rsplit_once(" at position ") {
        if position
            .split(':')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
        {
            message = before.to_string();
        }
    }
    // The corpus writes line feeds, carriage returns, tabs and backslashes
    // as `\n`, `\r`, `\t`, `\\`; the tool reads files with LF line ends
    // (as the server then sees the query) and prints line feeds as `\n`.
    let message = unescape(&message)
        .replace("\r\n", "\n")
        .replace('\n', "\\n");
    (
        location,
        format!("AQL {message} (errorNum {}", case.error_num),
    )
}

/// The corpus's escapes in an `error:` value, decoded.
fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// The problems with one run's output, per case.
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
    let (cases, from) = corpus();
    let mut usable = Vec::new();
    for case in &cases {
        if let Some(why) = not_a_feature(case) {
            eprintln!("not a feature file: {} ({why})", case.slug);
        } else if !checked_in_this_build(case.error_num) {
            eprintln!(
                "SKIPPED {}: error {} is not checked in this build yet",
                case.slug, case.error_num
            );
        } else {
            usable.push(case.clone());
        }
    }
    eprintln!(
        "{} of {} cases from {from} as feature files",
        usable.len(),
        cases.len()
    );
    assert!(usable.len() >= 5, "only {} usable cases", usable.len());

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
    let base = harness.run(&["plan", "--dir", good_dir, "--offline-from", bad_dir]);
    check_output(
        "plan --offline-from (bad base tree)",
        &base,
        &files,
        &mut failures,
    );
    assert!(
        base.stderr.contains("the --offline-from tree"),
        "{}",
        base.stderr
    );
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
    assert_eq!(diagnostics(&validate), diagnostics(&base));
    assert!(
        failures.is_empty(),
        "{} problem(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_corpus_reader_reads_the_format() {
    let cases = parse_corpus(SAMPLE);
    assert_eq!(cases.len(), 8);
    let unclosed = &cases[2];
    assert_eq!(unclosed.slug, "ml-unclosed-object-line4");
    assert_eq!(unclosed.error_num, 1501);
    assert_eq!(unclosed.at, (4, 12));
    // The blank line before `===` is the query's own last line.
    assert_eq!(
        unclosed.query,
        "FOR u IN users\n  RETURN {\n    name: u.name,\n    age: u.age\n"
    );
    let (location, message) = expected("x_v1.aql", &cases[3], 3);
    assert_eq!(location, "/x_v1.aql:6:14: ");
    assert_eq!(
        message,
        "AQL syntax error, unexpected assignment near '= 1\\n  RETURN u' (errorNum 1501"
    );
    assert_eq!(not_a_feature(&cases[3]), None);
    let header_like = Case {
        query: "// Note: old\nRETURN 1 +".to_string(),
        ..cases[3].clone()
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

/// Functions are checked against the server version the tree targets:
/// 3.12 unless `--target-version` says otherwise. `PARTITION()` is new in
/// 4.0 (docs "What's new in 4.x").
#[test]
fn functions_are_checked_against_the_target_version() {
    let harness = Harness::new();
    harness.write("users.yaml", USERS);
    harness.write(
        "user_pages_v1.aql",
        "-- Feature: user_pages\n-- Version: 1\nFOR u IN users\n  RETURN PARTITION(u.tags, 2)\n",
    );
    let default = harness.run(&["validate"]);
    assert_eq!(default.status, 3, "{default:?}");
    assert!(
        default.stderr.contains(
            "user_pages_v1.aql:4:10: error[aql-unknown-function]: AQL usage of unknown function \
             'PARTITION()' (errorNum 1540)"
        ),
        "{}",
        default.stderr
    );
    let on_4_0 = harness.run(&["validate", "--target-version", "4.0"]);
    assert_eq!(on_4_0.status, 0, "{on_4_0:?}");
    let on_3_12 = harness.run(&["validate", "--target-version", "3.12"]);
    assert_eq!(on_3_12.status, 3, "{on_3_12:?}");
}
