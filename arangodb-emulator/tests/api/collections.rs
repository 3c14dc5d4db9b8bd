//! `/_api/collection`: creation options, properties, rename, truncate, drop.

use serde_json::json;

use crate::support::start;

#[tokio::test]
async fn create_reports_every_property_with_server_defaults() {
    let emulator = start().await;
    let created = emulator
        .post("/_api/collection", json!({"name": "products"}))
        .await;
    assert_eq!(created.status, 200);
    let body = &created.body;
    assert_eq!(body["type"], 2);
    assert_eq!(body["waitForSync"], false);
    assert_eq!(body["cacheEnabled"], false);
    assert_eq!(body["schema"], json!(null));
    assert_eq!(body["computedValues"], json!(null));
    assert_eq!(
        body["keyOptions"],
        json!({"allowUserKeys": true, "type": "traditional", "lastValue": 0})
    );
    assert_eq!(body["status"], 3);
    assert_eq!(body["writeConcern"], 1);
    let properties = emulator.get("/_api/collection/products/properties").await;
    assert_eq!(properties.body, created.body);
}

#[tokio::test]
async fn create_with_every_option() {
    let emulator = start().await;
    let created = emulator
        .post(
            "/_api/collection",
            json!({
                "name": "viewed_edge",
                "type": 3,
                "waitForSync": true,
                "cacheEnabled": true,
                "keyOptions": {"type": "autoincrement", "increment": 5, "offset": 10, "allowUserKeys": false},
                "schema": {"rule": {"type": "object"}, "level": "moderate", "message": "no"},
                "computedValues": [{"name": "createdAt", "expression": "RETURN DATE_NOW()", "overwrite": true, "computeOn": ["insert"]}],
                "numberOfShards": 3,
                "replicationFactor": 2,
                "shardKeys": ["_key"]
            }),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let body = &created.body;
    assert_eq!(body["type"], 3);
    assert_eq!(body["waitForSync"], true);
    assert_eq!(body["cacheEnabled"], true);
    assert_eq!(
        body["keyOptions"],
        json!({"allowUserKeys": false, "type": "autoincrement", "offset": 10, "increment": 5, "lastValue": 0})
    );
    assert_eq!(
        body["schema"],
        json!({"message": "no", "level": "moderate", "type": "json", "rule": {"type": "object"}})
    );
    assert_eq!(
        body["computedValues"],
        json!([{"name": "createdAt", "expression": "RETURN DATE_NOW()", "computeOn": ["insert"], "overwrite": true, "failOnWarning": false, "keepNull": true}])
    );
    // Cluster-only options are accepted and not echoed by a single server.
    assert!(body.get("numberOfShards").is_none());
    assert!(body.get("replicationFactor").is_none());
}

#[tokio::test]
async fn create_errors() {
    let emulator = start().await;
    emulator
        .post("/_api/collection", json!({"name": "a"}))
        .await;
    emulator
        .post("/_api/collection", json!({"name": "a"}))
        .await
        .assert_error(409, 1207);
    emulator
        .post("/_api/collection", json!({}))
        .await
        .assert_error(400, 1208);
    emulator
        .post("/_api/collection", json!({"name": "_private"}))
        .await
        .assert_error(400, 1208);
    emulator
        .post("/_api/collection", json!({"name": "a/b"}))
        .await
        .assert_error(400, 1208);
    emulator
        .post("/_api/collection", json!({"name": "t", "type": 4}))
        .await
        .assert_error(400, 1218);
    emulator
        .post(
            "/_api/collection",
            json!({"name": "s", "schema": {"level": "strict"}}),
        )
        .await
        .assert_error(400, 1621);
    emulator
        .post(
            "/_api/collection",
            json!({"name": "k", "keyOptions": {"type": "uuid", "increment": 2}}),
        )
        .await
        .assert_error(400, 10);
    emulator
        .post(
            "/_api/collection",
            json!({"name": "k", "keyOptions": {"type": "random"}}),
        )
        .await
        // ERROR_ARANGO_INVALID_KEY_GENERATOR, as the key generator factory throws it.
        .assert_error(400, 1232);
    for bad in [
        json!({"name": "_key", "expression": "RETURN 1", "overwrite": true}),
        json!({"name": "x", "expression": "FOR d IN c RETURN d", "overwrite": true}),
        json!({"name": "x", "expression": "RETURN @other", "overwrite": true}),
        json!({"name": "x", "expression": "RETURN 1"}),
    ] {
        emulator
            .post(
                "/_api/collection",
                json!({"name": "cv", "computedValues": [bad]}),
            )
            .await
            .assert_error(400, 10);
    }
    emulator
        .post(
            "/_api/collection",
            json!({"name": "cv", "computedValues": {"name": "x"}}),
        )
        .await
        .assert_error(400, 10);
    // Nothing half-created by the failures.
    emulator
        .get("/_api/collection/cv")
        .await
        .assert_error(404, 1203);
    emulator
        .get("/_api/collection/missing")
        .await
        .assert_error(404, 1203);
}

#[tokio::test]
async fn only_mutable_properties_change() {
    let emulator = start().await;
    emulator
        .post("/_api/collection", json!({"name": "users"}))
        .await;
    let changed = emulator
        .put(
            "/_api/collection/users/properties",
            json!({
                "waitForSync": true,
                "cacheEnabled": true,
                "schema": {"rule": {"required": ["email"]}},
                "computedValues": [{"name": "n", "expression": "RETURN 1", "overwrite": false}],
                "type": 3,
                "keyOptions": {"type": "uuid"},
                "name": "renamed",
                "replicationFactor": 2,
                "writeConcern": 1
            }),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.body["waitForSync"], true);
    assert_eq!(changed.body["cacheEnabled"], true);
    assert_eq!(changed.body["schema"]["level"], "strict");
    assert_eq!(changed.body["computedValues"][0]["keepNull"], true);
    // Immutable attributes are silently ignored.
    assert_eq!(changed.body["type"], 2);
    assert_eq!(changed.body["keyOptions"]["type"], "traditional");
    assert_eq!(changed.body["name"], "users");

    let removed = emulator
        .put(
            "/_api/collection/users/properties",
            json!({"schema": {}, "computedValues": []}),
        )
        .await;
    assert_eq!(
        (&removed.body["schema"], &removed.body["computedValues"]),
        (&json!(null), &json!(null))
    );
    let untouched = emulator
        .put("/_api/collection/users/properties", json!({"schema": null}))
        .await;
    assert_eq!(
        untouched.body["waitForSync"], true,
        "omitted attributes stay as they are"
    );

    emulator
        .put(
            "/_api/collection/users/properties",
            json!({"replicationFactor": 0}),
        )
        .await
        .assert_error(400, 10);
    emulator
        .put(
            "/_api/collection/users/properties",
            json!({"schema": {"rule": 1}, "waitForSync": false}),
        )
        .await
        .assert_error(400, 1621);
    let after = emulator.get("/_api/collection/users/properties").await;
    assert_eq!(
        after.body["waitForSync"], true,
        "a failed update changes nothing"
    );
    emulator
        .put(
            "/_api/collection/missing/properties",
            json!({"waitForSync": true}),
        )
        .await
        .assert_error(404, 1203);
}

#[tokio::test]
async fn list_count_truncate_rename_drop() {
    let emulator = start().await;
    emulator
        .post("/_api/collection", json!({"name": "users"}))
        .await;
    emulator
        .post("/_api/document/users", json!([{"a": 1}, {"a": 2}]))
        .await;

    let all = emulator.get("/_api/collection").await;
    let names: Vec<&str> = all.body["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"users") && names.contains(&"_graphs"));
    let user_only = emulator.get("/_api/collection?excludeSystem=true").await;
    assert_eq!(user_only.body["result"].as_array().unwrap().len(), 1);
    assert_eq!(user_only.body["result"][0]["isSystem"], false);

    let count = emulator.get("/_api/collection/users/count").await;
    assert_eq!(count.body["count"], 2);
    let truncated = emulator
        .put("/_api/collection/users/truncate", json!({}))
        .await;
    assert_eq!(truncated.status, 200);
    assert_eq!(
        emulator.get("/_api/collection/users/count").await.body["count"],
        0
    );

    emulator
        .post("/_api/collection", json!({"name": "other"}))
        .await;
    emulator
        .put("/_api/collection/users/rename", json!({"name": "other"}))
        .await
        .assert_error(409, 1207);
    emulator
        .put("/_api/collection/_graphs/rename", json!({"name": "g2"}))
        .await
        .assert_error(403, 11);
    let renamed = emulator
        .put("/_api/collection/users/rename", json!({"name": "people"}))
        .await;
    assert_eq!(
        (renamed.status, &renamed.body["name"]),
        (200, &json!("people"))
    );
    emulator
        .get("/_api/collection/users")
        .await
        .assert_error(404, 1203);

    emulator
        .delete("/_api/collection/_graphs")
        .await
        .assert_error(403, 11);
    let dropped = emulator.delete("/_api/collection/people").await;
    assert_eq!(dropped.status, 200);
    assert!(dropped.body["id"].is_string());
    emulator
        .delete("/_api/collection/people")
        .await
        .assert_error(404, 1203);
    assert_eq!(
        emulator
            .delete("/_api/collection/_jobs?isSystem=true")
            .await
            .status,
        200
    );
}

/// RestCollectionGetCollectionIdentifier / DeleteCollectionIdentifier: a
/// collection can be named by its id. RestCollectionIdentifierLoad answers
/// the count; the checksum answer carries no properties.
#[tokio::test]
async fn collections_by_id_load_checksum_and_key_generators() {
    let emulator = start().await;
    let created = emulator
        .post("/_api/collection", json!({"name": "products"}))
        .await;
    let id = created.body["id"].as_str().unwrap().to_string();
    let by_id = emulator
        .get(&format!("/_api/collection/{id}/properties"))
        .await;
    assert_eq!(
        (by_id.status, &by_id.body["name"]),
        (200, &json!("products"))
    );
    emulator.post("/_api/document/products", json!({})).await;
    let load = emulator
        .put("/_api/collection/products/load", json!({}))
        .await;
    assert_eq!(load.body["count"], 1, "{}", load.body);
    let checksum = emulator.get("/_api/collection/products/checksum").await;
    assert!(
        checksum.body.get("keyOptions").is_none(),
        "{}",
        checksum.body
    );
    assert_eq!(checksum.body["name"], "products");
    assert!(checksum.body["checksum"].is_string());
    assert!(checksum.body["revision"].is_string());
    let generators = emulator.get("/_api/key-generators").await;
    assert_eq!(
        generators.body,
        json!({"keyGenerators": ["upgrade", "padded", "uuid", "autoincrement", "traditional"]})
    );
    let dropped = emulator.delete(&format!("/_api/collection/{id}")).await;
    assert_eq!(dropped.status, 200, "{}", dropped.body);
    emulator
        .get("/_api/collection/products")
        .await
        .assert_error(404, 1203);
}
