//! `/_api/aqlfunction` and `/_api/query`.

use serde_json::json;

use crate::support::start;

#[tokio::test]
async fn user_functions_lifecycle() {
    let emulator = start().await;
    let code = "function (key) { return key; }";
    let created = emulator
        .post("/_api/aqlfunction", json!({"name": "Features::User_Count_V1", "code": format!("  {code}\n"), "isDeterministic": true}))
        .await;
    assert_eq!(
        (created.status, &created.body["isNewlyCreated"]),
        (201, &json!(true))
    );
    let replaced = emulator
        .post(
            "/_api/aqlfunction",
            json!({"name": "FEATURES::USER_COUNT_V1", "code": code}),
        )
        .await;
    assert_eq!(
        (replaced.status, &replaced.body["isNewlyCreated"]),
        (200, &json!(false))
    );
    emulator
        .post(
            "/_api/aqlfunction",
            json!({"name": "featuresx::other", "code": code}),
        )
        .await;

    let listed = emulator.get("/_api/aqlfunction?namespace=features").await;
    assert_eq!(
        listed.body["result"],
        json!([{"name": "FEATURES::USER_COUNT_V1", "code": code, "isDeterministic": false}])
    );
    let by_path = emulator.get("/_api/aqlfunction/FEATURES").await;
    assert_eq!(by_path.body["result"].as_array().unwrap().len(), 1);
    assert_eq!(
        emulator.get("/_api/aqlfunction").await.body["result"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    emulator
        .delete("/_api/aqlfunction/features::nope")
        .await
        .assert_error(404, 1582);
    let deleted = emulator
        .delete("/_api/aqlfunction/features::user_count_v1")
        .await;
    assert_eq!(
        (deleted.status, &deleted.body["deletedCount"]),
        (200, &json!(1))
    );
    let group = emulator
        .delete("/_api/aqlfunction/featuresx?group=true")
        .await;
    assert_eq!(group.body["deletedCount"], 1);
    let none = emulator.delete("/_api/aqlfunction/empty?group=true").await;
    assert_eq!((none.status, &none.body["deletedCount"]), (200, &json!(0)));
}

#[tokio::test]
async fn user_function_validation() {
    let emulator = start().await;
    for name in ["nonamespace", "_aql::f", "ns::f-x", "ns::"] {
        emulator
            .post(
                "/_api/aqlfunction",
                json!({"name": name, "code": "function () {}"}),
            )
            .await
            .assert_error(400, 1580);
    }
    for code in [
        json!(""),
        json!(12),
        json!("return 1"),
        json!("function () { return (1; }"),
    ] {
        emulator
            .post("/_api/aqlfunction", json!({"name": "ns::f", "code": code}))
            .await
            .assert_error(400, 1581);
    }
    emulator
        .post("/_api/aqlfunction", json!([1]))
        .await
        .assert_error(400, 17);
    emulator
        .delete("/_api/aqlfunction/bad%20name")
        .await
        .assert_error(400, 1580);
}

#[tokio::test]
async fn query_parse_error_columns_count_bytes() {
    // The transcript's RestQueryInvalid_single, with a two-byte character
    // before the error: ArangoDB's scanner counts columns in bytes.
    let emulator = start().await;
    let ascii = emulator
        .post(
            "/_api/query",
            json!({"query": "FOR i IN 1..100 FILTER i = 1 LIMIT 2 RETURN i * 3"}),
        )
        .await;
    ascii.assert_error(400, 1501);
    assert_eq!(
        ascii.body["errorMessage"],
        "syntax error, unexpected assignment near '= 1 LIMIT 2 RETURN i * 3' at position 1:26"
    );
    let accented = emulator
        .post(
            "/_api/query",
            json!({"query": "FOR i IN 1..100 FILTER 'ü' != i && i = 1 LIMIT 2 RETURN i * 3"}),
        )
        .await;
    accented.assert_error(400, 1501);
    // `=` is the 38th character but starts at byte 39.
    assert_eq!(
        accented.body["errorMessage"],
        "syntax error, unexpected assignment near '= 1 LIMIT 2 RETURN i * 3' at position 1:39"
    );
    let second_line = emulator
        .post(
            "/_api/query",
            json!({"query": "LET s = \"日本\"\nFOR i IN [s] FILTER i = s RETURN i"}),
        )
        .await;
    second_line.assert_error(400, 1501);
    assert_eq!(
        second_line.body["errorMessage"],
        "syntax error, unexpected assignment near '= s RETURN i' at position 2:23"
    );
    // After a line feed inside a string literal the scanner's column
    // counts the line feed's byte too (aql-lexer's server_position notes;
    // invalid-query corpus case str-multiline-unexpected), and the quoted
    // region is found by walking to that line and column.
    let after_string = emulator
        .post(
            "/_api/query",
            json!({"query": "LET s = \"a\nbé\" FILTER s = 1 RETURN s"}),
        )
        .await;
    after_string.assert_error(400, 1501);
    assert_eq!(
        after_string.body["errorMessage"],
        "syntax error, unexpected assignment near ' 1 RETURN s' at position 2:16"
    );
}

#[tokio::test]
async fn query_parse_reports_bind_parameters_and_collections() {
    let emulator = start().await;
    let parsed = emulator
        .post(
            "/_api/query",
            json!({"query": "// @ignored\nFOR u IN users\n  FOR s IN @@sessions FILTER s.user == u._key AND s.note != '@no'\n  INSERT {u: u._key} INTO audit\n  RETURN @limit"}),
        )
        .await;
    assert_eq!(parsed.status, 200, "{}", parsed.body);
    assert_eq!(parsed.body["parsed"], true);
    assert_eq!(parsed.body["bindVars"], json!(["@sessions", "limit"]));
    assert_eq!(parsed.body["collections"], json!(["users", "audit"]));
    assert_eq!(parsed.body["warnings"], json!([]));

    let broken = emulator
        .post("/_api/query", json!({"query": "FOR u IN users\nRETURN (u"}))
        .await;
    broken.assert_error(400, 1501);
    let message = broken.body["errorMessage"].as_str().unwrap();
    assert!(message.starts_with("syntax error, unexpected"), "{message}");
    assert!(message.contains("at position 2:"), "{message}");

    emulator
        .post("/_api/query", json!({"query": "SELECT * FROM users"}))
        .await
        .assert_error(400, 1501);
    emulator
        .post("/_api/query", json!({"query": "RETURN 'open"}))
        .await
        .assert_error(400, 1501);
    emulator
        .post("/_api/query", json!({"query": "  // nothing\n"}))
        .await
        .assert_error(400, 1502);
    emulator
        .post("/_api/query", json!({}))
        .await
        .assert_error(400, 1502);
}

#[tokio::test]
async fn cursors_run_simple_queries_in_batches() {
    let emulator = start().await;
    emulator
        .post("/_api/collection", json!({"name": "state"}))
        .await;
    emulator
        .post(
            "/_api/document/state",
            json!([
                {"_key": "a", "kind": "owned", "name": "users"},
                {"_key": "b", "kind": "owned", "name": "products"},
                {"_key": "c", "kind": "lock"},
                {"_key": "d", "kind": "owned", "name": "events"}
            ]),
        )
        .await;
    let first = emulator
        .post(
            "/_api/cursor",
            json!({
                "query": "FOR d IN @@c FILTER d.kind == @kind SORT d.name RETURN d.name",
                "bindVars": {"@c": "state", "kind": "owned"},
                "batchSize": 2,
                "count": true
            }),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.body["result"], json!(["events", "products"]));
    assert_eq!(
        (&first.body["hasMore"], &first.body["count"]),
        (&json!(true), &json!(3))
    );
    let id = first.body["id"].as_str().unwrap();
    let second = emulator.put(&format!("/_api/cursor/{id}"), json!({})).await;
    assert_eq!(second.body["result"], json!(["users"]));
    assert_eq!(second.body["hasMore"], false);
    emulator
        .put(&format!("/_api/cursor/{id}"), json!({}))
        .await
        .assert_error(404, 1600);

    let unsupported = emulator
        .post(
            "/_api/cursor",
            json!({"query": "FOR d IN state COLLECT k = d.kind RETURN k"}),
        )
        .await;
    unsupported.assert_error(501, 9);
    emulator
        .post(
            "/_api/cursor",
            json!({"query": "FOR d IN missing RETURN d"}),
        )
        .await
        .assert_error(404, 1203);
    let stats = emulator.stats().await;
    assert_eq!(stats["writes"], 2, "read-only cursors are not writes");
}

/// The batch protocol of RestCursorForLimitReturnCont (3.12.10 transcript):
/// every batch repeats `count` and `extra`, and names the next batch.
#[tokio::test]
async fn cursor_batches_repeat_count_and_name_the_next_batch() {
    let emulator = start().await;
    emulator
        .post("/_api/collection", json!({"name": "products"}))
        .await;
    for n in 1..=5 {
        emulator
            .post("/_api/document/products", json!({"n": n}))
            .await;
    }
    let first = emulator
        .post(
            "/_api/cursor",
            json!({"query": "FOR p IN products LIMIT 5 RETURN p.n", "count": true, "batchSize": 2}),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.body["nextBatchId"], "2");
    assert_eq!(first.body["extra"]["stats"]["scannedFull"], 5);
    assert_eq!(first.body["extra"]["stats"]["searchParallelism"], 1);
    let id = first.body["id"].as_str().unwrap().to_string();
    let second = emulator.put(&format!("/_api/cursor/{id}"), json!({})).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(
        (
            &second.body["count"],
            &second.body["nextBatchId"],
            &second.body["hasMore"]
        ),
        (&json!(5), &json!("3"), &json!(true))
    );
    assert_eq!(second.body["extra"], first.body["extra"]);
    let last = emulator.put(&format!("/_api/cursor/{id}"), json!({})).await;
    assert_eq!(last.body["hasMore"], false);
    assert!(last.body.get("nextBatchId").is_none(), "{}", last.body);

    // A query without a LIMIT scans everything; FILTER counts what it drops.
    let filtered = emulator
        .post(
            "/_api/cursor",
            json!({"query": "FOR p IN products FILTER p.n == 2 RETURN p.n"}),
        )
        .await;
    assert_eq!(filtered.body["extra"]["stats"]["scannedFull"], 5);
    assert_eq!(filtered.body["extra"]["stats"]["filtered"], 4);
    assert!(filtered.body.get("count").is_none());

    // No body is an empty query; PUT needs a cursor id (RestCursorMissingBody,
    // RestCursorMissingCursorIdentifier).
    let empty = emulator
        .call(reqwest::Method::POST, "/_api/cursor", None)
        .await;
    empty.assert_error(400, 1502);
    assert_eq!(empty.body["errorMessage"], "query is empty");
    let no_id = emulator.put("/_api/cursor", json!({})).await;
    no_id.assert_error(400, 400);
    assert_eq!(
        no_id.body["errorMessage"],
        "expecting POST /_api/cursor/<cursor-id>"
    );
}
