//! The AQL endpoints (`POST /_api/query`, `/_api/cursor`,
//! `/_api/explain`): the parse-time error the parser finds first, with the
//! server's `errorNum` and its `errorMessage` as each endpoint and version
//! words it; and the parse endpoint's answer for a valid query.
//!
//! Sources of the expectations: the transcripts RestQueryInvalid_single
//! (parse: the message alone), RestExplainInvalid_single (explain: the
//! message and ` (while parsing)`, 3.11 and 3.12) and
//! RestCursorCreateCursorUnknownCollection_single (cursor: 3.11 wraps as
//! `AQL: <message> (while parsing)`, 3.12.10 does not); errors.dat for the
//! numbers and message templates; RestQueryValid_single (3.11 and
//! 3.12.10) for the answer of a valid query (1501, 1502, 1540, 1551, 1552); ArangoDB's
//! `RestCursorHandler` (an empty query string is refused before parsing)
//! and `RestExplainHandler` (its checks of the request body).

use arangodb_emulator::{Config, Profile, Version};
use serde_json::{json, Value};

use crate::support::{start_with, Emulator, ROOT_PASSWORD};

async fn start_as(version: &str) -> Emulator {
    start_with(Config {
        root_password: ROOT_PASSWORD.into(),
        profile: Profile {
            version: version.parse::<Version>().expect("version"),
            ..Profile::default()
        },
        ..Config::default()
    })
    .await
}

/// The error envelope a server answers.
fn error(code: u16, error_num: u32, message: &str) -> Value {
    json!({"code": code, "error": true, "errorNum": error_num, "errorMessage": message})
}

/// POSTs `body` to `path` and returns (status, body).
async fn answer(emulator: &Emulator, path: &str, body: Value) -> (u16, Value) {
    let answer = emulator.post(path, body).await;
    (answer.status, answer.body)
}

/// What parse, cursor and explain answer for `message` raised while parsing,
/// in 3.11 and 3.12.
fn worded(version: &str, message: &str) -> [String; 3] {
    let cursor = if version.starts_with("3.11") {
        format!("AQL: {message} (while parsing)")
    } else {
        message.to_string()
    };
    [
        message.to_string(),
        cursor,
        format!("{message} (while parsing)"),
    ]
}

const ENDPOINTS: [&str; 3] = ["/_api/query", "/_api/cursor", "/_api/explain"];

/// Every endpoint answers 400 with `error_num` and `message` worded as it
/// and `version` word it.
async fn assert_all_endpoints(version: &str, query: Value, error_num: u32, message: &str) {
    let emulator = start_as(version).await;
    let created = emulator
        .post("/_api/collection", json!({"name": "users"}))
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    for (path, message) in ENDPOINTS.iter().zip(worded(version, message)) {
        assert_eq!(
            answer(&emulator, path, query.clone()).await,
            (400, error(400, error_num, &message)),
            "{version} {path}"
        );
    }
}

#[tokio::test]
async fn a_syntax_error_names_line_and_byte_column_after_non_ascii_text() {
    // Line 2: `RETURN` is the 41st character but starts at byte 45 (each of
    // 日 and 本 is 3 bytes in UTF-8); the server counts bytes (tokens.ll)
    // and restarts at each line feed.
    let query = json!({"query": "LET s = 'é'\nFOR u IN users FILTER u.name == '日本' && RETURN u"});
    for version in ["3.11.14", "3.12.10"] {
        assert_all_endpoints(
            version,
            query.clone(),
            1501,
            "syntax error, unexpected RETURN declaration near 'RETURN u' at position 2:45",
        )
        .await;
    }
}

#[tokio::test]
async fn a_misspelled_keyword_is_a_syntax_error_before_any_bind_parameter_check() {
    // The example. After `FOR u IN users` the grammar reads a name
    // and an expression as a FOR qualifier (grammar.y `for_options`) and
    // refuses any name but SEARCH and OPTIONS, at the token after the
    // expression. The parse error comes first: no 1551 for `@user_key`.
    let query = json!({"query": "FOR u IN users\n  FILTR u._key == @user_key\n  RETURN u"});
    for version in ["3.11.14", "3.12.10"] {
        assert_all_endpoints(
            version,
            query.clone(),
            1501,
            "unexpected qualifier 'FILTR', expecting 'SEARCH' or 'OPTIONS' near 'RETURN u' at \
             position 3:3",
        )
        .await;
    }
}

#[tokio::test]
async fn an_empty_query() {
    for version in ["3.11.14", "3.12.10"] {
        let emulator = start_as(version).await;
        // RestQueryHandler and RestCursorHandler answer it unwrapped;
        // explain's parser raises it inside Query::explain, which appends
        // the state.
        let empty = json!({"query": ""});
        assert_eq!(
            answer(&emulator, "/_api/query", empty.clone()).await,
            (400, error(400, 1502, "query is empty"))
        );
        assert_eq!(
            answer(&emulator, "/_api/cursor", empty.clone()).await,
            (400, error(400, 1502, "query is empty"))
        );
        assert_eq!(
            answer(&emulator, "/_api/explain", empty).await,
            (400, error(400, 1502, "query is empty (while parsing)"))
        );
    }
}

#[tokio::test]
async fn explain_reproduces_the_recorded_missing_bind_parameter() {
    // RestExplainInvalid_single, 3.11 and 3.12: the same answer.
    for version in ["3.11.14", "3.12.10"] {
        let emulator = start_as(version).await;
        emulator
            .post("/_api/collection", json!({"name": "products"}))
            .await;
        assert_eq!(
            answer(
                &emulator,
                "/_api/explain",
                json!({"query": "FOR p IN products FILTER p.id == @id LIMIT 2 RETURN p.n"})
            )
            .await,
            (
                400,
                error(
                    400,
                    1551,
                    "no value specified for declared bind parameter 'id' (while parsing)"
                )
            )
        );
    }
}

#[tokio::test]
async fn cursor_and_explain_check_bind_parameters_the_parse_endpoint_does_not() {
    for version in ["3.11.14", "3.12.10"] {
        let emulator = start_as(version).await;
        emulator
            .post("/_api/collection", json!({"name": "users"}))
            .await;
        let [_, cursor, explain] = worded(
            version,
            "no value specified for declared bind parameter '@c'",
        );
        let missing =
            json!({"query": "FOR u IN @@c FILTER u.a == @a RETURN u", "bindVars": {"a": 1}});
        assert_eq!(
            answer(&emulator, "/_api/cursor", missing.clone()).await,
            (400, error(400, 1551, &cursor))
        );
        assert_eq!(
            answer(&emulator, "/_api/explain", missing.clone()).await,
            (400, error(400, 1551, &explain))
        );
        // Parsing alone looks at no values: the parameters are listed.
        let parsed = emulator.post("/_api/query", missing).await;
        assert_eq!(parsed.status, 200, "{}", parsed.body);
        assert_eq!(parsed.body["bindVars"], json!(["@c", "a"]));

        let [_, cursor, explain] = worded(
            version,
            "bind parameter 'extra' was not declared in the query",
        );
        let undeclared = json!({"query": "FOR u IN users RETURN u", "bindVars": {"extra": 1}});
        assert_eq!(
            answer(&emulator, "/_api/cursor", undeclared.clone()).await,
            (400, error(400, 1552, &cursor))
        );
        assert_eq!(
            answer(&emulator, "/_api/explain", undeclared).await,
            (400, error(400, 1552, &explain))
        );
    }
}

#[tokio::test]
async fn a_valid_query_still_runs_through_the_cursor() {
    let emulator = start_as("3.11.14").await;
    emulator
        .post("/_api/collection", json!({"name": "users"}))
        .await;
    emulator
        .post("/_api/document/users", json!({"_key": "a", "n": 1}))
        .await;
    let rows = emulator
        .post(
            "/_api/cursor",
            json!({"query": "FOR u IN @@c FILTER u.n == @n RETURN u._key", "bindVars": {"@c": "users", "n": 1}}),
        )
        .await;
    assert_eq!(rows.status, 201, "{}", rows.body);
    assert_eq!(rows.body["result"], json!(["a"]));
}

#[tokio::test]
async fn explain_refuses_what_it_cannot_answer() {
    let emulator = start_as("3.12.10").await;
    emulator
        .post("/_api/collection", json!({"name": "users"}))
        .await;
    // A valid query: the emulator has no optimizer to plan it.
    assert_eq!(
        answer(
            &emulator,
            "/_api/explain",
            json!({"query": "FOR u IN users RETURN u"})
        )
        .await,
        (
            501,
            error(
                501,
                9,
                "not implemented: the emulator has no query optimizer; explain answers only the \
                 errors found while parsing the query"
            )
        )
    );
    // RestExplainHandler's own checks of the body (400, errorNum 10).
    assert_eq!(
        answer(&emulator, "/_api/explain", json!([1])).await,
        (
            400,
            error(
                400,
                10,
                "expected usage: AQL_EXPLAIN(<queryString>, <bindVars>, <options>)"
            )
        )
    );
    assert_eq!(
        answer(&emulator, "/_api/explain", json!({"query": 1})).await,
        (400, error(400, 10, "expecting string for <queryString>"))
    );
    assert_eq!(
        answer(
            &emulator,
            "/_api/explain",
            json!({"query": "RETURN 1", "bindVars": [1]})
        )
        .await,
        (400, error(400, 10, "expecting object for <bindVars>"))
    );
}

#[tokio::test]
async fn an_unknown_function_is_refused_while_parsing() {
    // errors.dat 1540 "usage of unknown function '%s()'";
    // AqlFunctionFeature::byName is given the upper-cased name.
    let query = json!({"query": "LET x = LENGTHH([1])\nRETURN x"});
    for version in ["3.11.14", "3.12.10"] {
        assert_all_endpoints(
            version,
            query.clone(),
            1540,
            "usage of unknown function 'LENGTHH()'",
        )
        .await;
    }
}

#[tokio::test]
async fn functions_are_known_per_version() {
    // PARTITION() is new in 4.0 (docs "What's new in 4.x"); 3.12 does not
    // know it (errors.dat 1540).
    let query = json!({"query": "RETURN PARTITION([1, 2, 3], 2)"});
    let emulator = start_as("3.12.10").await;
    assert_eq!(
        answer(&emulator, "/_api/query", query.clone()).await,
        (
            400,
            error(400, 1540, "usage of unknown function 'PARTITION()'")
        )
    );
    let emulator = start_as("4.0.0").await;
    assert_eq!(answer(&emulator, "/_api/query", query).await.0, 200);
}

#[tokio::test]
async fn access_after_modification_is_refused_when_the_query_is_prepared() {
    // errors.dat 1579 "access after data-modification by %s", raised by
    // Ast::validateAndOptimize: cursor and explain prepare the query, the
    // parse endpoint does not. The state is `optimizing ast` (3.11
    // transcript aqlArrayReplaceNth_3_single words that state).
    let query = json!({"query": "INSERT { a: 1 } INTO logs\nRETURN DOCUMENT('logs/1')"});
    let message = "access after data-modification by function DOCUMENT";
    for (version, cursor) in [
        ("3.11.14", format!("AQL: {message} (while optimizing ast)")),
        ("3.12.10", message.to_string()),
    ] {
        let emulator = start_as(version).await;
        // The collection exists: an unknown one is refused first, while
        // parsing (1203).
        let created = answer(&emulator, "/_api/collection", json!({"name": "logs"})).await;
        assert_eq!(created.0, 200, "{created:?}");
        assert_eq!(
            answer(&emulator, "/_api/query", query.clone()).await.0,
            200,
            "{version}: parsing alone accepts it"
        );
        assert_eq!(
            answer(&emulator, "/_api/cursor", query.clone()).await,
            (400, error(400, 1579, &cursor)),
            "{version}"
        );
        assert_eq!(
            answer(&emulator, "/_api/explain", query.clone()).await,
            (
                400,
                error(400, 1579, &format!("{message} (while optimizing ast)"))
            ),
            "{version}"
        );
    }
}

#[tokio::test]
async fn the_parse_endpoint_answers_the_recorded_ast_per_version() {
    // RestQueryValid_single: 3.12.10 marks references with
    // `subqueryReference` and lists `warnings`; 3.11 does neither.
    let query = json!({"query": "FOR i IN 1..100 FILTER i > 10 LIMIT 2 RETURN i * 3"});
    for (version, reference, warnings) in [
        (
            "3.11.14",
            json!({"type": "reference", "name": "i", "id": 0}),
            None,
        ),
        (
            "3.12.10",
            json!({"type": "reference", "name": "i", "id": 0, "subqueryReference": false}),
            Some(json!([])),
        ),
    ] {
        let emulator = start_as(version).await;
        let mut expected = json!({
            "error": false,
            "code": 200,
            "parsed": true,
            "collections": [],
            "bindVars": [],
            "ast": [{"type": "root", "subNodes": [
                {"type": "for", "subNodes": [
                    {"type": "variable", "name": "i", "id": 0},
                    {"type": "range", "subNodes": [{"type": "value", "value": 1}, {"type": "value", "value": 100}]},
                    {"type": "no-op"}]},
                {"type": "filter", "subNodes": [{"type": "compare >", "subNodes": [reference.clone(), {"type": "value", "value": 10}]}]},
                {"type": "limit", "subNodes": [{"type": "value", "value": 0}, {"type": "value", "value": 2}]},
                {"type": "return", "subNodes": [{"type": "times", "subNodes": [reference, {"type": "value", "value": 3}]}]}
            ]}],
        });
        if let Some(warnings) = warnings {
            expected["warnings"] = warnings;
        }
        assert_eq!(
            answer(&emulator, "/_api/query", query.clone()).await,
            (200, expected),
            "{version}"
        );
    }
}

#[tokio::test]
async fn the_parse_endpoint_answers_a_bare_root_where_the_ast_is_not_known() {
    // `==` carries attributes in newer servers that no recorded example
    // shows for 3.11 or 3.12: no AST is made up for it.
    let emulator = start_as("3.12.10").await;
    emulator
        .post("/_api/collection", json!({"name": "users"}))
        .await;
    let parsed = emulator
        .post(
            "/_api/query",
            json!({"query": "FOR u IN users FILTER u.a == 1 RETURN u"}),
        )
        .await;
    assert_eq!(parsed.status, 200, "{}", parsed.body);
    assert_eq!(
        parsed.body["ast"],
        json!([{"type": "root", "subNodes": []}])
    );
    assert_eq!(parsed.body["collections"], json!(["users"]));
}
