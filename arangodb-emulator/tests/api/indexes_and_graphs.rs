//! Indexes and named graphs over HTTP (their logic is unit-tested in
//! `src/indexes.rs` and `src/routes/gharial.rs`; these check the wire).

use serde_json::json;

use crate::support::start;

#[tokio::test]
async fn index_ensure_semantics_over_http() {
    let emulator = start().await;
    emulator
        .post("/_api/collection", json!({"name": "users"}))
        .await;
    let created = emulator
        .post(
            "/_api/index?collection=users",
            json!({"type": "persistent", "fields": ["email"], "unique": true}),
        )
        .await;
    assert_eq!(
        (created.status, &created.body["isNewlyCreated"]),
        (201, &json!(true))
    );
    let id = created.body["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("users/"));
    assert_eq!(created.body["estimates"], true);
    // The same definition with another name returns the existing index.
    let again = emulator
        .post(
            "/_api/index?collection=users",
            json!({"type": "persistent", "fields": ["email"], "unique": true, "name": "other"}),
        )
        .await;
    assert_eq!(
        (
            again.status,
            &again.body["isNewlyCreated"],
            &again.body["id"]
        ),
        (200, &json!(false), &json!(id))
    );
    let clash = emulator
        .post(
            "/_api/index?collection=users",
            json!({"type": "persistent", "fields": ["x"], "name": created.body["name"]}),
        )
        .await;
    clash.assert_error(400, 1005);
    emulator
        .post(
            "/_api/index?collection=users",
            json!({"type": "ttl", "fields": ["a"], "expireAfter": 1}),
        )
        .await;
    emulator
        .post(
            "/_api/index?collection=users",
            json!({"type": "ttl", "fields": ["b"], "expireAfter": 1}),
        )
        .await
        .assert_error(400, 10);
    emulator
        .post(
            "/_api/index?collection=users",
            json!({"type": "nope", "fields": ["a"]}),
        )
        .await
        .assert_error(400, 10);
    emulator
        .post(
            "/_api/index?collection=missing",
            json!({"type": "persistent", "fields": ["a"]}),
        )
        .await
        .assert_error(404, 1203);

    let listed = emulator.get("/_api/index?collection=users").await;
    let types: Vec<&str> = listed.body["indexes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, vec!["primary", "persistent", "ttl"]);
    assert_eq!(
        emulator.get(&format!("/_api/index/{id}")).await.body["unique"],
        true
    );

    // A unique index is enforced on writes.
    emulator
        .post("/_api/document/users", json!({"email": "a@b"}))
        .await;
    emulator
        .post("/_api/document/users", json!({"email": "a@b"}))
        .await
        .assert_error(409, 1210);

    assert_eq!(
        emulator.delete(&format!("/_api/index/{id}")).await.status,
        200
    );
    emulator
        .delete(&format!("/_api/index/{id}"))
        .await
        .assert_error(404, 1212);
    emulator
        .delete("/_api/index/users/0")
        .await
        .assert_error(404, 1212);
}

#[tokio::test]
async fn graphs_over_http() {
    let emulator = start().await;
    let created = emulator
        .post(
            "/_api/gharial",
            json!({"name": "social", "edgeDefinitions": [{"collection": "knows", "from": ["people", "bots"], "to": ["people"]}]}),
        )
        .await;
    assert_eq!(created.status, 202, "{}", created.body);
    assert_eq!(
        created.body["graph"]["edgeDefinitions"][0]["from"],
        json!(["bots", "people"])
    );
    assert_eq!(
        emulator.get("/_api/collection/knows").await.body["type"],
        3,
        "missing collections are created"
    );
    emulator
        .post(
            "/_api/gharial",
            json!({"name": "social", "edgeDefinitions": []}),
        )
        .await
        .assert_error(409, 1925);

    let replaced = emulator
        .put(
            "/_api/gharial/social/edge/knows",
            json!({"collection": "knows", "from": ["people"], "to": ["people"]}),
        )
        .await;
    assert_eq!(replaced.status, 202);
    assert_eq!(
        replaced.body["graph"]["orphanCollections"],
        json!(["bots"]),
        "bots became an orphan"
    );
    let vertices = emulator.get("/_api/gharial/social/vertex").await;
    assert_eq!(vertices.body["collections"], json!(["bots", "people"]));
    emulator
        .delete("/_api/gharial/social/vertex/people")
        .await
        .assert_error(400, 1928);
    assert_eq!(
        emulator
            .delete("/_api/gharial/social/vertex/bots")
            .await
            .status,
        202
    );
    emulator
        .delete("/_api/collection/knows")
        .await
        .assert_error(400, 1942);

    let dropped = emulator
        .delete("/_api/gharial/social?dropCollections=true")
        .await;
    assert_eq!(
        (dropped.status, &dropped.body["removed"]),
        (202, &json!(true))
    );
    emulator
        .get("/_api/gharial/social")
        .await
        .assert_error(404, 1924);
    emulator
        .get("/_api/collection/knows")
        .await
        .assert_error(404, 1203);
}

/// HttpGharialList: graphs come in storage order (by revision), so a graph
/// changed last is listed last whatever its name.
#[tokio::test]
async fn graphs_are_listed_in_write_order() {
    let emulator = start().await;
    for name in ["social", "routeplanner"] {
        let created = emulator
            .post(
                "/_api/gharial",
                json!({"name": name, "edgeDefinitions": [{"collection": format!("{name}_e"), "from": [format!("{name}_v")], "to": [format!("{name}_v")]}]}),
            )
            .await;
        assert_eq!(created.status, 202, "{}", created.body);
    }
    let names = |list: &serde_json::Value| -> Vec<String> {
        list["graphs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["_key"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(&emulator.get("/_api/gharial").await.body),
        ["social", "routeplanner"]
    );
    emulator
        .post(
            "/_api/gharial/social/vertex",
            json!({"collection": "extra"}),
        )
        .await;
    assert_eq!(
        names(&emulator.get("/_api/gharial").await.body),
        ["routeplanner", "social"]
    );
}
