//! The replication inventory: one request for every collection with its
//! properties and indexes, behind a dump batch.

use serde_json::json;

use crate::support::start;

#[tokio::test]
async fn inventory_needs_a_batch_and_lists_collections_with_indexes() {
    let emulator = start().await;
    emulator
        .post(
            "/_api/collection",
            json!({"name": "users", "schema": {"rule": {"type": "object"}}}),
        )
        .await;
    emulator
        .post(
            "/_api/index?collection=users",
            json!({"type": "persistent", "fields": ["email"], "unique": true, "name": "by_email"}),
        )
        .await;

    emulator
        .get("/_api/replication/inventory")
        .await
        .assert_error(404, 1600);
    emulator
        .get("/_api/replication/inventory?batchId=999")
        .await
        .assert_error(404, 1600);

    let batch = emulator
        .post("/_api/replication/batch", json!({"ttl": 30}))
        .await;
    assert_eq!(batch.status, 200);
    let id = batch.body["id"].as_str().unwrap().to_string();
    let inventory = emulator
        .get(&format!(
            "/_api/replication/inventory?batchId={id}&includeSystem=false"
        ))
        .await;
    assert_eq!(inventory.status, 200);
    let collections = inventory.body["collections"].as_array().unwrap();
    assert_eq!(collections.len(), 1);
    let users = &collections[0];
    assert_eq!(users["parameters"]["name"], "users");
    assert_eq!(users["parameters"]["schema"]["level"], "strict");
    assert_eq!(
        users["indexes"].as_array().unwrap().len(),
        1,
        "primary index excluded"
    );
    assert_eq!(users["indexes"][0]["name"], "by_email");
    assert!(!users["indexes"][0]["id"].as_str().unwrap().contains('/'));

    let extended = emulator
        .put(&format!("/_api/replication/batch/{id}"), json!({"ttl": 60}))
        .await;
    assert_eq!(extended.status, 204);
    assert_eq!(
        emulator
            .delete(&format!("/_api/replication/batch/{id}"))
            .await
            .status,
        204
    );
    emulator
        .get(&format!("/_api/replication/inventory?batchId={id}"))
        .await
        .assert_error(404, 1600);
    emulator
        .get("/_api/replication/clusterInventory")
        .await
        .assert_error(403, 1471);
    let stats = emulator.stats().await;
    assert_eq!(
        stats["writes"], 2,
        "batches are reads: only the collection and index creation count"
    );
}
