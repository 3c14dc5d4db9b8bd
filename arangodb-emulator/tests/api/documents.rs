//! `/_api/document`: writes, revisions, keys, edges, schemas, batches.

use reqwest::Method;
use serde_json::json;

use crate::support::start;

#[tokio::test]
async fn insert_read_replace_update_delete() {
    let emulator = start().await;
    emulator
        .post("/_api/collection", json!({"name": "users"}))
        .await;
    let inserted = emulator
        .post(
            "/_api/document/users",
            json!({"_key": "u1", "name": "Ada", "tags": {"a": 1}}),
        )
        .await;
    assert_eq!(inserted.status, 202);
    let rev = inserted.body["_rev"].as_str().unwrap().to_string();
    assert_eq!(
        inserted.body,
        json!({"_id": "users/u1", "_key": "u1", "_rev": rev})
    );
    assert_eq!(inserted.headers["etag"], format!("\"{rev}\"").as_str());

    let read = emulator.get("/_api/document/users/u1").await;
    assert_eq!(
        read.body,
        json!({"_key": "u1", "_id": "users/u1", "_rev": rev, "name": "Ada", "tags": {"a": 1}})
    );

    let updated = emulator
        .call(
            Method::PATCH,
            "/_api/document/users/u1?returnNew=true&keepNull=false",
            Some(json!({"tags": {"b": 2}, "name": null})),
        )
        .await;
    assert_eq!(updated.status, 202);
    assert_eq!(updated.body["_oldRev"], json!(rev));
    assert_eq!(updated.body["new"]["tags"], json!({"a": 1, "b": 2}));
    assert!(updated.body["new"].get("name").is_none());

    let replaced = emulator
        .put(
            "/_api/document/users/u1?returnOld=true",
            json!({"only": true}),
        )
        .await;
    assert_eq!(replaced.body["old"]["tags"], json!({"a": 1, "b": 2}));
    let read = emulator.get("/_api/document/users/u1").await;
    assert_eq!(read.body["only"], true);
    assert!(read.body.get("tags").is_none());

    let removed = emulator.delete("/_api/document/users/u1").await;
    assert_eq!(removed.status, 202);
    emulator
        .get("/_api/document/users/u1")
        .await
        .assert_error(404, 1202);
    emulator
        .delete("/_api/document/users/u1")
        .await
        .assert_error(404, 1202);
    emulator
        .get("/_api/document/nope/u1")
        .await
        .assert_error(404, 1203);
}

#[tokio::test]
async fn revisions_guard_concurrent_writers() {
    let emulator = start().await;
    emulator
        .post(
            "/_api/collection",
            json!({"name": "locks", "waitForSync": true}),
        )
        .await;
    let inserted = emulator
        .post(
            "/_api/document/locks",
            json!({"_key": "lock", "owner": "a"}),
        )
        .await;
    assert_eq!(inserted.status, 201, "waitForSync collections answer 201");
    let rev = inserted.body["_rev"].as_str().unwrap().to_string();

    let stale = emulator
        .http
        .put(emulator.url("/_api/document/locks/lock"))
        .basic_auth("root", Some(crate::support::ROOT_PASSWORD))
        .header("If-Match", "\"_stale___\"")
        .json(&json!({"owner": "b"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 412);
    let body: serde_json::Value = stale.json().await.unwrap();
    assert_eq!(body["errorNum"], 1200);
    assert_eq!(
        (&body["_key"], &body["_rev"]),
        (&json!("lock"), &json!(rev))
    );

    let fresh = emulator
        .http
        .put(emulator.url("/_api/document/locks/lock"))
        .basic_auth("root", Some(crate::support::ROOT_PASSWORD))
        .header("If-Match", format!("\"{rev}\""))
        .json(&json!({"owner": "b"}))
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status(), 201);
    // The body's _rev counts only with ignoreRevs=false.
    let checked = emulator
        .put(
            "/_api/document/locks/lock?ignoreRevs=false",
            json!({"_rev": rev, "owner": "c"}),
        )
        .await;
    checked.assert_error(412, 1200);
    let unchecked = emulator
        .put(
            "/_api/document/locks/lock",
            json!({"_rev": rev, "owner": "c"}),
        )
        .await;
    assert_eq!(unchecked.status, 201);
}

#[tokio::test]
async fn keys_and_overwrite_modes() {
    let emulator = start().await;
    emulator
        .post("/_api/collection", json!({"name": "c"}))
        .await;
    emulator
        .post("/_api/document/c", json!({"_key": "k", "v": 1}))
        .await;
    let duplicate = emulator
        .post("/_api/document/c", json!({"_key": "k"}))
        .await;
    duplicate.assert_error(409, 1210);
    assert!(duplicate.body["errorMessage"]
        .as_str()
        .unwrap()
        .contains("conflicting key: k"));
    emulator
        .post("/_api/document/c", json!({"_key": "bad key"}))
        .await
        .assert_error(400, 1221);
    emulator
        .post("/_api/document/c", json!({"_key": 12}))
        .await
        .assert_error(400, 1221);
    emulator.post("/_api/document/c", json!([1])).await;
    emulator
        .post("/_api/document/c", json!("text"))
        .await
        .assert_error(400, 1227);

    let replaced = emulator
        .post(
            "/_api/document/c?overwriteMode=replace",
            json!({"_key": "k", "w": 2}),
        )
        .await;
    assert!(replaced.body["_oldRev"].is_string());
    assert_eq!(emulator.get("/_api/document/c/k").await.body.get("v"), None);
    emulator
        .post(
            "/_api/document/c?overwriteMode=update",
            json!({"_key": "k", "v": 3}),
        )
        .await;
    let doc = emulator.get("/_api/document/c/k").await.body;
    assert_eq!((&doc["v"], &doc["w"]), (&json!(3), &json!(2)));
    let ignored = emulator
        .post(
            "/_api/document/c?overwriteMode=ignore",
            json!({"_key": "k", "v": 4}),
        )
        .await;
    assert_eq!(ignored.body["_rev"], doc["_rev"]);
    assert_eq!(emulator.get("/_api/document/c/k").await.body["v"], 3);

    let generated = emulator.post("/_api/document/c", json!({})).await;
    let key = generated.body["_key"].as_str().unwrap();
    assert!(
        key.chars().all(|c| c.is_ascii_digit()),
        "traditional keys are numeric: {key}"
    );

    emulator
        .post("/_api/collection", json!({"name": "auto", "keyOptions": {"type": "autoincrement", "increment": 10, "offset": 100, "allowUserKeys": false}}))
        .await;
    let first = emulator.post("/_api/document/auto", json!({})).await.body["_key"].clone();
    let second = emulator.post("/_api/document/auto", json!({})).await.body["_key"].clone();
    assert_eq!((first, second), (json!("100"), json!("110")));
    emulator
        .post("/_api/document/auto", json!({"_key": "mine"}))
        .await
        .assert_error(400, 1222);
}

#[tokio::test]
async fn edges_need_valid_from_and_to() {
    let emulator = start().await;
    emulator
        .post("/_api/collection", json!({"name": "viewed", "type": 3}))
        .await;
    emulator
        .post("/_api/document/viewed", json!({"_from": "users/a"}))
        .await
        .assert_error(400, 1233);
    emulator
        .post(
            "/_api/document/viewed",
            json!({"_from": "users/a", "_to": "nokey"}),
        )
        .await
        .assert_error(400, 1233);
    let edge = emulator
        .post(
            "/_api/document/viewed",
            json!({"_from": "users/a", "_to": "products/p"}),
        )
        .await;
    assert_eq!(edge.status, 202);
}

#[tokio::test]
async fn schema_validation_follows_the_level() {
    let emulator = start().await;
    emulator
        .post(
            "/_api/collection",
            json!({"name": "users", "schema": {"rule": {"properties": {"email": {"type": "string"}}, "required": ["email"]}, "message": "users need an email"}}),
        )
        .await;
    let invalid = emulator
        .post("/_api/document/users", json!({"_key": "x"}))
        .await;
    invalid.assert_error(400, 1620);
    assert_eq!(invalid.body["errorMessage"], "users need an email");
    emulator
        .post(
            "/_api/document/users",
            json!({"_key": "ok", "email": "a@b"}),
        )
        .await;
    emulator
        .patch("/_api/document/users/ok", json!({"email": 5}))
        .await
        .assert_error(400, 1620);

    emulator
        .put(
            "/_api/collection/users/properties",
            json!({"schema": {"rule": {"required": ["email"]}, "level": "new"}}),
        )
        .await;
    let modified = emulator
        .put("/_api/document/users/ok", json!({"no": "email"}))
        .await;
    assert_eq!(modified.status, 202, "level new checks inserts only");
    emulator
        .post("/_api/document/users", json!({"no": "email"}))
        .await
        .assert_error(400, 1620);
}

#[tokio::test]
async fn batches_report_errors_per_item() {
    let emulator = start().await;
    emulator
        .post("/_api/collection", json!({"name": "c"}))
        .await;
    let inserted = emulator
        .post(
            "/_api/document/c",
            json!([{"_key": "a"}, {"_key": "a"}, {"_key": "b"}]),
        )
        .await;
    assert_eq!(inserted.status, 202);
    let results = inserted.body.as_array().unwrap();
    assert_eq!(results[0]["_key"], "a");
    assert_eq!(
        (&results[1]["error"], &results[1]["errorNum"]),
        (&json!(true), &json!(1210))
    );
    assert_eq!(results[2]["_key"], "b");
    assert_eq!(inserted.headers["x-arango-error-codes"], r#"{"1210":1}"#);

    let fetched = emulator
        .put("/_api/document/c?onlyget=true", json!(["a", "zz"]))
        .await;
    assert_eq!(fetched.body[0]["_key"], "a");
    assert_eq!(fetched.body[1]["errorNum"], 1202);

    let updated = emulator
        .patch(
            "/_api/document/c",
            json!([{"_key": "a", "x": 1}, {"_key": "zz", "x": 1}]),
        )
        .await;
    assert_eq!(updated.body[1]["errorNum"], 1202);
    assert_eq!(emulator.get("/_api/document/c/a").await.body["x"], 1);

    let removed = emulator
        .call(
            Method::DELETE,
            "/_api/document/c",
            Some(json!(["a", {"_key": "b"}])),
        )
        .await;
    assert_eq!(removed.body.as_array().unwrap().len(), 2);
    assert_eq!(
        emulator.get("/_api/collection/c/count").await.body["count"],
        0
    );
}

/// RestDocumentHandlerDeleteDocument{Identifier,RevConflict,Unknown}Multi:
/// batch removals in a waitForSync collection answer 200 when something
/// was removed, 202 when every item failed; handles of another collection
/// are not found; a 412 carries the current revision as ETag.
#[tokio::test]
async fn batch_removals_answer_like_the_server() {
    let emulator = start().await;
    emulator
        .post(
            "/_api/collection",
            json!({"name": "products", "waitForSync": true}),
        )
        .await;
    emulator
        .post("/_api/collection", json!({"name": "other"}))
        .await;
    emulator
        .post(
            "/_api/document/products",
            json!([{"_key": "1"}, {"_key": "2"}, {"_key": "3"}]),
        )
        .await;
    emulator
        .post("/_api/document/other", json!({"_key": "3"}))
        .await;

    let conflict = emulator
        .call(
            Method::DELETE,
            "/_api/document/products?ignoreRevs=false",
            Some(json!([{"_key": "1", "_rev": "nope"}])),
        )
        .await;
    assert_eq!(conflict.status, 202, "{}", conflict.body);
    assert_eq!(conflict.body[0]["errorNum"], 1200);

    let removed = emulator
        .call(
            Method::DELETE,
            "/_api/document/products",
            Some(json!(["products/1", "2", "other/3"])),
        )
        .await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert_eq!(removed.body[0]["_key"], "1");
    assert_eq!(removed.body[1]["_key"], "2");
    assert_eq!(removed.body[2]["errorNum"], 1202);

    let current = emulator.get("/_api/document/products/3").await;
    let stale = emulator
        .http
        .delete(emulator.url("/_api/document/products/3"))
        .basic_auth("root", Some(crate::support::ROOT_PASSWORD))
        .header("if-match", "\"_stale------\"")
        .send()
        .await
        .expect("request");
    assert_eq!(stale.status().as_u16(), 412);
    let etag = stale
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    assert_eq!(
        etag,
        Some(format!("\"{}\"", current.body["_rev"].as_str().unwrap()))
    );
}
