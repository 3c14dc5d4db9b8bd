//! Endpoints and rules python-arango's own test suite needed (see
//! arangodb-emulator/driver-suite/): bulk import, the edges API, and how a
//! missing database and database management outside `_system` answer.
//! Expected bodies come from the `RestImport*` and `RestEdgesReadEdges*`
//! examples recorded from ArangoDB 3.12 and from arangod's request checks.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{start, Emulator};

async fn collection_with(emulator: &Emulator, name: &str, edge: bool) {
    let kind = if edge { 3 } else { 2 };
    let created = emulator
        .post("/_api/collection", json!({"name": name, "type": kind}))
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
}

async fn count(emulator: &Emulator, name: &str) -> u64 {
    let answer = emulator
        .get(&format!("/_api/collection/{name}/count"))
        .await;
    answer.body["count"].as_u64().expect("count")
}

fn summary(created: u64, errors: u64, empty: u64, updated: u64, ignored: u64) -> Value {
    json!({"error": false, "created": created, "errors": errors, "empty": empty,
           "updated": updated, "ignored": ignored})
}

#[tokio::test]
async fn import_reads_arrays_lines_and_tabular_bodies() {
    let emulator = start().await;
    collection_with(&emulator, "products", false).await;

    // RestImportJsonList / RestImportJsonType (auto) / RestImportJsonLines.
    let list = emulator
        .post(
            "/_api/import?collection=products&type=list",
            json!([{"_key": "abc", "value1": 25}, {"_key": "foo", "name": "baz"}, {"name": {"short": "x"}}]),
        )
        .await;
    assert_eq!((list.status, &list.body), (201, &summary(3, 0, 0, 0, 0)));
    let lines = emulator
        .post_raw(
            "/_api/import?collection=products&type=auto",
            "{ \"_key\": \"l1\", \"v\": 1 }\n{ \"_key\": \"l2\" }\n\n{ \"v\": 3 }\n",
        )
        .await;
    assert_eq!((lines.status, &lines.body), (201, &summary(3, 0, 1, 0, 0)));
    // RestImportCsvExample: a header line, then values; one empty line.
    let tabular = emulator
        .post_raw(
            "/_api/import?collection=products",
            "[ \"_key\", \"value1\", \"value2\" ]\n[ \"t1\", 25, \"test\" ]\n\n[ \"t2\", \"bar\", \"baz\" ]",
        )
        .await;
    assert_eq!(
        (tabular.status, &tabular.body),
        (201, &summary(2, 0, 1, 0, 0))
    );
    let stored = emulator.get("/_api/document/products/t1").await;
    assert_eq!(
        (&stored.body["value1"], &stored.body["value2"]),
        (&json!(25), &json!("test"))
    );
    assert_eq!(count(&emulator, "products").await, 8);

    // A tabular line of the wrong length is an error unless ignoreMissing.
    let short = emulator
        .post_raw(
            "/_api/import?collection=products&details=true",
            "[ \"_key\", \"a\" ]\n[ \"s1\" ]",
        )
        .await;
    assert_eq!(short.body["errors"], 1);
    assert_eq!(
        short.body["details"],
        json!(["at position 1: wrong number of JSON values (got 1, expected 2)"])
    );
    let lenient = emulator
        .post_raw(
            "/_api/import?collection=products&ignoreMissing=true",
            "[ \"_key\", \"a\" ]\n[ \"s1\" ]",
        )
        .await;
    assert_eq!(lenient.body["created"], 1);

    // A list element that is not an object is one error, not a failed import.
    let not_object = emulator
        .post(
            "/_api/import?collection=products&type=list&details=true",
            json!([1, {"_key": "ok"}]),
        )
        .await;
    assert_eq!(
        (&not_object.body["created"], &not_object.body["errors"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(
        not_object.body["details"],
        json!(["at position 1: invalid JSON type (expecting object, probably parse error), offending context: 1"])
    );

    // RestImportJsonInvalidBody / RestImportCsvInvalidBody / unknown collection.
    emulator
        .post_raw("/_api/import?collection=products&type=list", "{ }")
        .await
        .assert_error(400, 400);
    let not_tabular = emulator
        .post_raw("/_api/import?collection=products", "{ \"_key\": \"foo\" }")
        .await;
    not_tabular.assert_error(400, 400);
    // A single line (no newline after the header) is refused before the
    // header is read, as RestImportCsvInvalidBody_single (3.11, 3.12) shows.
    assert_eq!(
        not_tabular.body["errorMessage"],
        "no JSON array found in second line"
    );
    let bad_header = emulator
        .post_raw(
            "/_api/import?collection=products",
            "{ \"_key\": \"foo\" }\n[1]\n",
        )
        .await;
    bad_header.assert_error(400, 400);
    assert_eq!(
        bad_header.body["errorMessage"],
        "no JSON string array found in first line"
    );
    let missing = emulator
        .post_raw("/_api/import?collection=nothing&type=documents", "{}")
        .await;
    missing.assert_error(404, 1203);
    assert_eq!(
        missing.body["errorMessage"],
        "collection or view not found: nothing"
    );
    emulator
        .post_raw("/_api/import?type=documents", "{}")
        .await
        .assert_error(400, 1204);
}

#[tokio::test]
async fn import_duplicates_details_complete_and_overwrite() {
    let emulator = start().await;
    collection_with(&emulator, "products", false).await;
    let body = "{ \"_key\": \"abc\", \"value1\": 25, \"value2\": \"test\" }\n{ \"_key\": \"abc\", \"value1\": \"bar\", \"value2\": \"baz\" }";

    // RestImportJsonUniqueContinue, byte for byte.
    let continued = emulator
        .post_raw(
            "/_api/import?collection=products&type=documents&details=true",
            body,
        )
        .await;
    let mut expected = summary(1, 1, 0, 0, 0);
    expected["details"] = json!([
        "at position 1: creating document failed with error 'unique constraint violated', offending document: {\"_key\":\"abc\",\"value1\":\"bar\",\"value2\":\"baz\"}"
    ]);
    assert_eq!((continued.status, &continued.body), (201, &expected));

    // RestImportJsonUniqueFail: complete=true aborts and keeps nothing of it.
    emulator.delete("/_api/document/products/abc").await;
    let failed = emulator
        .post_raw(
            "/_api/import?collection=products&type=documents&complete=true",
            body,
        )
        .await;
    failed.assert_error(409, 1210);
    assert_eq!(failed.body["errorMessage"], "unique constraint violated");
    assert_eq!(count(&emulator, "products").await, 0);

    // onDuplicate update / replace / ignore.
    emulator
        .post(
            "/_api/import?collection=products&type=array",
            json!([{"_key": "k", "a": 1, "b": 1}]),
        )
        .await;
    let updated = emulator
        .post(
            "/_api/import?collection=products&type=array&onDuplicate=update",
            json!([{"_key": "k", "a": 2}]),
        )
        .await;
    assert_eq!(updated.body, summary(0, 0, 0, 1, 0));
    let doc = emulator.get("/_api/document/products/k").await;
    assert_eq!((&doc.body["a"], &doc.body["b"]), (&json!(2), &json!(1)));
    emulator
        .post(
            "/_api/import?collection=products&type=array&onDuplicate=replace",
            json!([{"_key": "k", "c": 3}]),
        )
        .await;
    let doc = emulator.get("/_api/document/products/k").await;
    assert_eq!((&doc.body["a"], &doc.body["c"]), (&Value::Null, &json!(3)));
    let ignored = emulator
        .post(
            "/_api/import?collection=products&type=array&onDuplicate=ignore",
            json!([{"_key": "k", "c": 4}, {"_key": "n"}]),
        )
        .await;
    assert_eq!(ignored.body, summary(1, 0, 0, 0, 1));

    // overwrite=true empties the collection first.
    let overwritten = emulator
        .post(
            "/_api/import?collection=products&type=array&overwrite=true",
            json!([{"_key": "only"}]),
        )
        .await;
    assert_eq!(overwritten.body, summary(1, 0, 0, 0, 0));
    assert_eq!(count(&emulator, "products").await, 1);
}

#[tokio::test]
async fn import_into_edge_collections() {
    let emulator = start().await;
    collection_with(&emulator, "links", true).await;
    // RestImportJsonEdgeInvalid, byte for byte.
    let invalid = emulator
        .post(
            "/_api/import?collection=links&type=list&details=true",
            json!([{"name": "some name"}]),
        )
        .await;
    let mut expected = summary(0, 1, 0, 0, 0);
    expected["details"] = json!([
        "at position 1: missing '_from' or '_to' attribute, offending document: {\"name\":\"some name\"}"
    ]);
    assert_eq!((invalid.status, &invalid.body), (201, &expected));
    // RestImportCsvEdge, plus prefixes for bare keys.
    let tabular = emulator
        .post_raw(
            "/_api/import?collection=links",
            "[ \"_from\", \"_to\", \"name\" ]\n[ \"products/123\",\"products/234\", \"some name\" ]\n[ \"products/332\", \"products/abc\", \"other name\" ]",
        )
        .await;
    assert_eq!(
        (tabular.status, &tabular.body),
        (201, &summary(2, 0, 0, 0, 0))
    );
    let prefixed = emulator
        .post(
            "/_api/import?collection=links&type=array&fromPrefix=a&toPrefix=b",
            json!([{"_key": "p", "_from": "1", "_to": "c/2"}]),
        )
        .await;
    assert_eq!(prefixed.body["created"], 1);
    let edge = emulator.get("/_api/document/links/p").await;
    assert_eq!(
        (&edge.body["_from"], &edge.body["_to"]),
        (&json!("a/1"), &json!("c/2"))
    );
}

#[tokio::test]
async fn edges_of_a_vertex_by_direction() {
    let emulator = start().await;
    collection_with(&emulator, "nodes", false).await;
    collection_with(&emulator, "edges", true).await;
    // The RestEdgesReadEdges* setup.
    for (key, from, to) in [("5", "1", "3"), ("6", "2", "1"), ("7", "4", "1")] {
        let saved = emulator
            .post(
                "/_api/document/edges",
                json!({"_key": key, "_from": format!("nodes/{from}"), "_to": format!("nodes/{to}"),
                       "$label": format!("v{from} -> v{to}")}),
            )
            .await;
        assert_eq!(saved.status, 202, "{}", saved.body);
    }
    let keys = |answer: &crate::support::Answer| -> Vec<String> {
        answer.body["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|edge| edge["_key"].as_str().expect("key").to_string())
            .collect()
    };
    let any = emulator.get("/_api/edges/edges?vertex=nodes/1").await;
    assert_eq!(
        (any.status, keys(&any)),
        (200, vec!["5".into(), "6".into(), "7".into()])
    );
    assert_eq!(
        (&any.body["error"], &any.body["code"]),
        (&json!(false), &json!(200))
    );
    assert_eq!(
        (
            &any.body["stats"]["scannedIndex"],
            &any.body["stats"]["cursorsCreated"]
        ),
        (&json!(3), &json!(2))
    );
    // Edge documents keep `_from`/`_to` between `_id` and `_rev`, as the
    // recorded answers print them.
    let edge = &any.body["edges"][0];
    assert_eq!(
        edge.as_object().expect("edge").keys().collect::<Vec<_>>(),
        ["_key", "_id", "_from", "_to", "_rev", "$label"]
    );
    let mut edge = edge.clone();
    assert!(edge["_rev"].is_string());
    edge.as_object_mut().expect("edge").remove("_rev");
    assert_eq!(
        edge,
        json!({"_key": "5", "_id": "edges/5", "_from": "nodes/1", "_to": "nodes/3", "$label": "v1 -> v3"})
    );
    let inbound = emulator
        .get("/_api/edges/edges?vertex=nodes/1&direction=in")
        .await;
    assert_eq!(keys(&inbound), vec!["6".to_string(), "7".into()]);
    assert_eq!(inbound.body["stats"]["cursorsCreated"], 1);
    let outbound = emulator
        .get("/_api/edges/edges?vertex=nodes/1&direction=out")
        .await;
    assert_eq!(keys(&outbound), vec!["5".to_string()]);

    emulator
        .get("/_api/edges/edges?vertex=nodes/1&direction=sideways")
        .await
        .assert_error(400, 400);
    emulator
        .get("/_api/edges/edges")
        .await
        .assert_error(400, 1205);
    emulator
        .get("/_api/edges/nodes?vertex=nodes/1")
        .await
        .assert_error(400, 1218);
    emulator
        .get("/_api/edges/none?vertex=nodes/1")
        .await
        .assert_error(404, 1203);
}

#[tokio::test]
async fn a_missing_database_is_only_reported_to_callers_who_could_see_it() {
    let emulator = start().await;
    emulator
        .post("/_api/database", json!({"name": "shop"}))
        .await;
    for (user, grant_db) in [("alice", "shop"), ("wally", "*")] {
        let created = emulator
            .post("/_api/user", json!({"user": user, "passwd": "pw"}))
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        let granted = emulator
            .put(
                &format!("/_api/user/{user}/database/{grant_db}"),
                json!({"grant": "rw"}),
            )
            .await;
        assert_eq!(granted.status, 200, "{}", granted.body);
    }
    // Root and a user with a `*` grant learn that the database is missing...
    let missing = emulator.get("/_db/nowhere/_api/collection").await;
    missing.assert_error(404, 1228);
    assert_eq!(missing.body["errorMessage"], "database not found");
    emulator
        .call_as(
            ("wally", "pw"),
            Method::GET,
            "/_db/nowhere/_api/collection",
            None,
        )
        .await
        .assert_error(404, 1228);
    // ...anyone else gets the answer of a database they may not see.
    let hidden = emulator
        .call_as(
            ("alice", "pw"),
            Method::GET,
            "/_db/nowhere/_api/gharial/g",
            None,
        )
        .await;
    hidden.assert_error(401, 11);
    assert_eq!(
        hidden.body["errorMessage"],
        "not authorized to execute this request"
    );

    // Managing databases from another database: 1230 before any admin check.
    emulator
        .call_as(
            ("alice", "pw"),
            Method::POST,
            "/_db/shop/_api/database",
            Some(json!({"name": "x"})),
        )
        .await
        .assert_error(403, 1230);
    emulator
        .call_as(
            ("alice", "pw"),
            Method::DELETE,
            "/_db/shop/_api/database/shop",
            None,
        )
        .await
        .assert_error(403, 1230);
    // From `_system` a user without access there is still refused.
    emulator
        .call_as(
            ("alice", "pw"),
            Method::POST,
            "/_api/database",
            Some(json!({"name": "x"})),
        )
        .await
        .assert_error(401, 11);
}
