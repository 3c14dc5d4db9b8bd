//! Tests of header parsing, parameter discovery and code generation.

use std::path::Path;

use super::*;

const V2: &str = "-- Feature: user_session_count\n-- Version: 2\n-- Description: Counts user sessions in the last 30 days, excluding bot traffic.\n-- Owner: growth-ml@example.com\nFOR u IN users\n  FILTER u._key == @user_key // not @this_one\n  LET n = LENGTH(FOR s IN @@sessions FILTER s._from == u._id AND s.note != '@nor_this' RETURN 1)\n  RETURN {user: u._key, sessions: n, since: @since}\n";

fn parse_named(text: &str, name: &str) -> Result<Feature, Vec<Diagnostic>> {
    parse(text, Path::new(name))
}

#[test]
fn header_and_parameters() {
    let feature = parse_named(V2, "user_session_count_v2.aql").unwrap();
    assert_eq!(
        (feature.feature.as_str(), feature.version),
        ("user_session_count", 2)
    );
    assert_eq!(
        feature.description,
        "Counts user sessions in the last 30 days, excluding bot traffic."
    );
    assert_eq!(feature.owner.as_deref(), Some("growth-ml@example.com"));
    assert_eq!(feature.query_line, 5);
    assert!(feature.query.starts_with("FOR u IN users"));
    let params: Vec<String> = feature.params.iter().map(Param::bind_key).collect();
    assert_eq!(params, vec!["user_key", "@sessions", "since"]);
    // Literal collections, then collection parameters as `@@name`.
    assert_eq!(feature.collections, vec!["users", "@@sessions"]);
    assert_eq!(feature.serve, Serve::Registry);
    assert_eq!(
        feature.function_name("features"),
        "FEATURES::USER_SESSION_COUNT_V2"
    );
}

#[test]
fn serve_header_demands_a_function_or_names_the_choices() {
    let text = "-- Feature: x\n-- Version: 1\n-- Serve: Function\nRETURN 1\n";
    assert_eq!(
        parse_named(text, "x_v1.aql").unwrap().serve,
        Serve::Function
    );
    let text = "-- Feature: x\n-- Version: 1\n-- Serve: udf\nRETURN 1\n";
    let problems = parse_named(text, "x_v1.aql").unwrap_err();
    assert_eq!(
        problems[0].to_string().lines().next(),
        Some(
            "x_v1.aql:3:4: error[invalid-serve]: Serve must be `registry` or `function`, not `udf`"
        )
    );
}

#[test]
fn the_registry_records_the_file_name_whatever_the_layout() {
    let dir = tempfile::tempdir().unwrap();
    let text = "-- Feature: x\n-- Version: 1\nRETURN 1\n";
    let nested = dir.path().join("features/transformations/x_v1.aql");
    std::fs::create_dir_all(nested.parent().unwrap()).unwrap();
    std::fs::write(&nested, text).unwrap();
    let flat = dir.path().join("x_v1.aql");
    std::fs::write(&flat, text).unwrap();
    let entry = |path: &std::path::Path| {
        let mut state = State::default();
        let (_, problems) = load_into(
            &mut state,
            &[path.to_path_buf()],
            dir.path(),
            "FEATURES",
            checks::QueryChecks::AnySupportedVersion,
        );
        assert!(problems.is_empty());
        state.registry.remove("FEATURES::X_V1").unwrap()
    };
    let (from_repo, from_configmap) = (entry(&nested), entry(&flat));
    assert_eq!(from_repo.source, "x_v1.aql");
    assert_eq!(from_repo, from_configmap);
}

#[test]
fn slash_comments_and_params_override() {
    let text = "// Feature: x\n// Version: 1\n// Params: b, a\n// Returns: one\nRETURN [@a, @b]\n";
    let feature = parse_named(text, "x_v1.aql").unwrap();
    let params: Vec<&str> = feature.params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(params, vec!["b", "a"]);
    assert_eq!(feature.returns, Returns::One);
}

#[test]
fn problems_point_at_the_file() {
    let missing = parse_named("-- Feature: x\nRETURN 1\n", "x_v1.aql").unwrap_err();
    assert_eq!(missing[0].to_string(), "x_v1.aql:1:1: error[missing-header-field]: the header has no `Version`\n  hint: start the file with `-- Version: ...`");
    let renamed = parse_named("-- Feature: x\n-- Version: 3\nRETURN 1\n", "x_v2.aql").unwrap_err();
    assert_eq!(renamed[0].code, "file-name-mismatch");
    let typo = parse_named("-- Feature: x\n-- Verison: 1\nRETURN 1\n", "x_v1.aql").unwrap_err();
    assert_eq!(typo[0].to_string(), "x_v1.aql:2:4: error[unknown-header-field]: unknown header field `Verison`\n  hint: did you mean `Version`?");
    let syntax = parse_named(
        "-- Feature: x\n-- Version: 1\n\nFOR u IN users\n  RETURN (u\n",
        "x_v1.aql",
    )
    .unwrap_err();
    let location = syntax[0].location.clone().unwrap();
    assert_eq!((syntax[0].code, location.line), ("aql-syntax", 5));
    let params = parse_named(
        "-- Feature: x\n-- Version: 1\n-- Params: a, c\nRETURN [@a, @b]\n",
        "x_v1.aql",
    )
    .unwrap_err();
    let codes: Vec<&str> = params.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec!["unknown-param", "missing-param"]);
}

#[test]
fn generated_code_runs_the_query_and_carries_the_hash() {
    let feature = parse_named(V2, "user_session_count_v2.aql").unwrap();
    let code = function_code(&feature);
    assert!(
        code.starts_with("function (user_key, sessions, since) {"),
        "{code}"
    );
    assert!(
        code.contains(
            "const bindVars = {\"user_key\": user_key, \"@sessions\": sessions, \"since\": since};"
        ),
        "{code}"
    );
    assert!(
        code.contains("FOR u IN users\\n  FILTER u._key == @user_key"),
        "{code}"
    );
    assert_eq!(hash_in_code(&code), Some(feature.hash.as_str()));
    // Same content, same hash; another query, another hash.
    let again = parse_named(V2, "user_session_count_v2.aql").unwrap();
    assert_eq!(again.hash, feature.hash);
    let changed = parse_named(
        &V2.replace("30", "31").replace("RETURN {", "RETURN {x: 1, "),
        "user_session_count_v2.aql",
    )
    .unwrap();
    assert_ne!(changed.hash, feature.hash);
    // The description is metadata: it does not change the function.
    let redescribed = parse_named(
        &V2.replace("Counts", "Tallies"),
        "user_session_count_v2.aql",
    )
    .unwrap();
    assert_eq!(redescribed.hash, feature.hash);
}

#[test]
fn unsafe_parameter_names_become_positional() {
    let feature = parse_named(
        "-- Feature: f\n-- Version: 1\nRETURN [@query, @0x]\n",
        "f_v1.aql",
    );
    if let Ok(feature) = feature {
        let code = function_code(&feature);
        assert!(code.starts_with("function (arg0"), "{code}");
    }
}

#[test]
fn params_problems_point_at_the_name_and_the_use() {
    let problems = parse_named(
        "-- Feature: x\n-- Version: 1\n-- Params: a,  nope\nFOR d IN docs\n  RETURN [@a, @b]\n",
        "x_v1.aql",
    )
    .unwrap_err();
    let rendered: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        rendered,
        [
            "x_v1.aql:3:16: error[unknown-param]: Params names `nope`, which the query does not use",
            "x_v1.aql:5:15: error[missing-param]: the query uses @b, which Params (line 3) does not list\n  \
             hint: list every bind parameter in Params, in the order the function takes them",
        ]
    );
}

#[test]
fn syntax_errors_read_as_one_line() {
    let problems = parse_named(
        "-- Feature: x\n-- Version: 1\nRETURN 'open\nstill open\n",
        "x_v1.aql",
    )
    .unwrap_err();
    assert_eq!(
        problems[0].to_string(),
        // The scanner's own errors have no `syntax error, ` (tokens.ll:
        // `registerParseError(TRI_ERROR_QUERY_PARSE, "unexpected unterminated
        // string literal", ...)`); the server reports where its scanner
        // stopped, the hint where the string opens.
        "x_v1.aql:4:10: error[aql-syntax]: AQL unexpected unterminated string literal near '' \
         (errorNum 1501)\n  hint: it opens at 3:8 and is never closed"
    );
    let problems =
        parse_named("-- Feature: x\n-- Version: 1\nFOR d IN docs\n", "x_v1.aql").unwrap_err();
    assert!(problems[0].hint.as_deref().unwrap().contains("RETURN"));
}

#[test]
fn unreadable_files_point_at_the_byte() {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("x_v1.aql");
    std::fs::write(&path, b"-- Feature: x\n-- Version: 1\nRETURN 'K\xf6ln'\n").unwrap();
    let problems = load_file(
        &path,
        Path::new("x_v1.aql"),
        checks::QueryChecks::AnySupportedVersion,
    )
    .unwrap_err();
    assert_eq!(
        problems[0].to_string(),
        "x_v1.aql:3:10: error[not-utf8]: the file is not valid UTF-8\n  hint: save the file as UTF-8"
    );
}

#[test]
fn server_byte_columns_become_character_columns() {
    let query = "FOR u IN users\n  FILTER u.city != \"Zürich\" && u = 1\n  RETURN u";
    // Line 2: `=` is character 34, byte 35 (ü is two bytes).
    assert_eq!(query_position(query, 2, 35), (2, 34));
    assert_eq!(query_position(query, 1, 5), (1, 5));
    // `ü` starts at byte 22 (character 22); its second byte is still it.
    assert_eq!(query_position(query, 2, 22), (2, 22));
    assert_eq!(query_position(query, 2, 23), (2, 22));
    assert_eq!(query_position(query, 2, 24), (2, 23));
    // After a line feed inside a string the server's column also counts
    // the line feed's byte (aql-lexer's server_position notes).
    let query = "LET s = \"a\nbé\" FILTER s = 1 RETURN s";
    assert_eq!(query_position(query, 2, 16), (2, 14));
    // Past the end of the query: its end.
    assert_eq!(query_position(query, 9, 4), (2, 26));
}

#[test]
fn local_syntax_errors_point_at_the_character_column() {
    let text = "-- Feature: f\n-- Version: 1\n-- Description: d\nFOR u IN users\n  FILTER u.city != \"Zürich\" && u = 1\n  RETURN u\n";
    let diagnostics = parse_named(text, "f_v1.aql").unwrap_err();
    assert_eq!(diagnostics.len(), 1);
    let rendered = diagnostics[0].to_string();
    assert!(
        rendered.starts_with("f_v1.aql:5:34: error[aql-syntax]: AQL syntax error, unexpected assignment near '= 1\\n  RETURN u"),
        "{rendered}"
    );
    assert!(!rendered.contains("at position"), "{rendered}");
}

#[test]
fn bom_and_crlf_change_nothing() {
    let temp = tempfile::tempdir().unwrap();
    let lf = "-- Feature: x\n-- Version: 1\n-- Params: @min\nFOR u IN users\n  FILTER u.age >= @min\n  RETURN u\n";
    let mut features = Vec::new();
    for (name, bytes) in [
        ("lf", lf.as_bytes().to_vec()),
        ("crlf", lf.replace('\n', "\r\n").into_bytes()),
        ("bom", format!("\u{feff}{lf}").into_bytes()),
        (
            "bom-crlf",
            format!("\u{feff}{}", lf.replace('\n', "\r\n")).into_bytes(),
        ),
    ] {
        let path = temp.path().join(format!("{name}_x_v1.aql"));
        std::fs::write(&path, bytes).unwrap();
        let feature = load_file(
            &path,
            Path::new("x_v1.aql"),
            checks::QueryChecks::AnySupportedVersion,
        )
        .unwrap_or_else(|problems| panic!("{name}: {problems:?}"));
        features.push((name, feature));
    }
    let (_, first) = &features[0];
    for (name, feature) in &features {
        assert_eq!(feature.hash, first.hash, "{name}");
        assert_eq!(feature.query, first.query, "{name}");
        assert!(!feature.query.contains('\r'), "{name}");
    }
}

/// A check error as `aql_lexer::check_query` reports it, on query line
/// `line`, character column `column`, byte column `byte_column`.
fn query_error(
    error_num: u32,
    message: &str,
    line: u32,
    column: u32,
    byte_column: u32,
) -> aql_lexer::QueryError {
    aql_lexer::QueryError {
        error_num,
        message: message.to_string(),
        position: aql_lexer::Position {
            offset: 0,
            line,
            column,
        },
        byte_column,
        stage: aql_lexer::CheckStage::Parse,
    }
}

#[test]
fn each_check_error_is_a_diagnostic_with_its_code_number_and_place() {
    let file = Path::new("tag_count_v1.aql");
    // The query starts on file line 4.
    let render = |error: aql_lexer::QueryError| {
        query_error_diagnostic(&error, "", 4, file, None).to_string()
    };
    assert_eq!(
        render(query_error(1540, "usage of unknown function 'LENGTHH()'", 2, 11, 11)),
        "tag_count_v1.aql:5:11: error[aql-unknown-function]: AQL usage of unknown function 'LENGTHH()' (errorNum 1540)\n  \
         hint: no ArangoDB version arangosync supports (3.11, 3.12, 4.x) has such a function: check the spelling; a user function is called with its namespace (`NS::NAME(...)`)"
    );
    assert_eq!(
        render(query_error(
            1541,
            "invalid number of arguments for function 'LENGTH()', expected number of arguments: minimum: 1, maximum: 1",
            1,
            8,
            8
        )),
        "tag_count_v1.aql:4:8: error[aql-argument-count]: AQL invalid number of arguments for function 'LENGTH()', \
         expected number of arguments: minimum: 1, maximum: 1 (errorNum 1541)"
    );
    assert_eq!(
        render(query_error(1511, "variable 'x' is assigned multiple times", 3, 7, 7)),
        "tag_count_v1.aql:6:7: error[aql-variable-redeclared]: AQL variable 'x' is assigned multiple times (errorNum 1511)"
    );
    let unknown = render(query_error(
        1512,
        "use of unknown variable 'foo' in object literal near '}' at position 1:14",
        1,
        14,
        14,
    ));
    assert!(
        unknown.starts_with(
            "tag_count_v1.aql:4:14: error[aql-unknown-variable]: AQL use of unknown variable 'foo' in object literal near '}' (errorNum 1512)\n  hint: declare it"
        ),
        "{unknown}"
    );
    assert_eq!(
        render(query_error(1573, "multi-modify query", 1, 1, 1)),
        "tag_count_v1.aql:4:1: error[aql-multi-modify]: AQL multi-modify query (errorNum 1573)"
    );
    // A number without a code of its own.
    assert_eq!(
        render(query_error(1203, "collection or view not found: x", 1, 1, 1)),
        "tag_count_v1.aql:4:1: error[aql-rejected]: AQL collection or view not found: x (errorNum 1203)"
    );
    // The server's position is named where its byte column differs (`ü`
    // takes two bytes); the quoted rest of the query stays on one line.
    let error = query_error(
        1501,
        "syntax error, unexpected assignment near '= 1\n  RETURN u' at position 1:31",
        1,
        30,
        31,
    );
    assert_eq!(
        query_error_diagnostic(
            &error,
            "FOR u IN users FILTER u.grün = 1\n  RETURN u",
            4,
            file,
            None
        )
        .to_string(),
        "tag_count_v1.aql:4:30: error[aql-syntax]: AQL syntax error, unexpected assignment near '= 1\\n  RETURN u' \
         (errorNum 1501; the server says position 1:31, counting bytes)"
    );
}

#[test]
fn misspelled_keywords_get_a_suggestion() {
    assert_eq!(
        misspelled_keyword(
            "unexpected qualifier 'FILTR', expecting 'SEARCH' or 'OPTIONS' near 'RETURN u'"
        ),
        Some("FILTER")
    );
    assert_eq!(
        misspelled_keyword("syntax error, unexpected identifier near 'RETRUN u'"),
        Some("RETURN")
    );
    assert_eq!(
        misspelled_keyword("syntax error, unexpected identifier near 'filtr x == 1'"),
        Some("FILTER")
    );
    // Real names near a keyword, short names, keywords themselves.
    assert_eq!(
        misspelled_keyword(
            "syntax error, unexpected identifier, expecting IN keyword near 'users RETURN u'"
        ),
        None
    );
    assert_eq!(
        misspelled_keyword("syntax error, unexpected identifier near 'u'"),
        None
    );
    assert_eq!(
        misspelled_keyword("syntax error, unexpected assignment near '= 1'"),
        None
    );
}

#[test]
fn query_errors_come_with_the_file_problems() {
    // A syntax error, a Params name the query lacks and a wrong file name:
    // all three in one run.
    let text = "-- Feature: x\n-- Version: 2\n-- Params: a, b\nFOR u IN users\n  FILTER u.k == @a\n  RETURN u u\n";
    let problems = parse_named(text, "x_v1.aql").unwrap_err();
    let codes: Vec<&str> = problems.iter().map(|problem| problem.code).collect();
    assert_eq!(codes, ["aql-syntax", "unknown-param", "file-name-mismatch"]);
    let location = problems[0].location.clone().unwrap();
    assert_eq!((location.line, location.column), (6, 12));
    // A query that does not even tokenize has no parameters to compare:
    // only its own error.
    let text = "-- Feature: x\n-- Version: 1\n-- Params: a\nRETURN [@a, 'open\n";
    let problems = parse_named(text, "x_v1.aql").unwrap_err();
    let codes: Vec<&str> = problems.iter().map(|problem| problem.code).collect();
    assert_eq!(codes, ["aql-syntax"]);
}

#[test]
fn a_query_of_only_comments_is_empty() {
    let problems = parse_named(
        "-- Feature: x\n-- Version: 1\n/* nothing\n   here */\n",
        "x_v1.aql",
    )
    .unwrap_err();
    assert_eq!(
        problems[0].to_string(),
        "x_v1.aql:3:1: error[empty-query]: the query is only comments: ArangoDB answers `query is empty` (errorNum 1502)"
    );
}

#[test]
fn namespaced_calls_are_user_functions() {
    let text = "-- Feature: score\n-- Version: 1\nRETURN FEATURES::USER_SESSION_COUNT_V2(@k, 30) + my::lib::W(1)\n";
    let feature = parse_named(text, "score_v1.aql").unwrap();
    assert_eq!(feature.params[0].name, "k");
}

#[test]
fn only_a_final_server_position_is_dropped() {
    assert_eq!(
        strip_server_position("unexpected X near 'a' at position 2:5"),
        "unexpected X near 'a'"
    );
    assert_eq!(
        strip_server_position("unexpected X near 'at position 2:5 x'"),
        "unexpected X near 'at position 2:5 x'"
    );
    assert_eq!(
        strip_server_position("multi-modify query"),
        "multi-modify query"
    );
}

#[test]
fn an_unknown_function_of_another_version_names_that_version() {
    assert_eq!(
        elsewhere("usage of unknown function 'PARTITION()'").as_deref(),
        Some("PARTITION() exists from ArangoDB 4.0")
    );
    assert_eq!(
        elsewhere("usage of unknown function 'FULLTEXT()'").as_deref(),
        Some("ArangoDB 4.0 removed FULLTEXT()")
    );
    assert_eq!(elsewhere("usage of unknown function 'LENGTHH()'"), None);
    assert_eq!(elsewhere("usage of unknown function 'LENGTH()'"), None);
}
