//! The view names both read paths (the replication inventory and the
//! per-collection fallback) give the plan, against the emulator.

use reqwest::Method;
use serde_json::json;

use super::{complete_views, inventory, per_collection, view_from_api};

#[tokio::test]
async fn both_read_paths_list_the_views() {
    let (emulator, client) = crate::client::test_emulator().await;
    for body in [
        json!({"name": "users"}),
        json!({"name": "users_view", "type": "arangosearch"}),
        json!({"name": "alias_view", "type": "search-alias"}),
    ] {
        let path = if body.get("type").is_some() {
            "/_api/view"
        } else {
            "/_api/collection"
        };
        client
            .call(Method::POST, path, &[], Some(&body))
            .await
            .expect("created");
    }
    let expected: Vec<&str> = vec!["alias_view", "users_view"];
    let names = |views: &[serde_json::Value]| -> Vec<String> {
        views
            .iter()
            .map(|view| view_from_api(view).expect("a view").name)
            .collect()
    };
    // Both paths read whole definitions, in one shape.
    let from_inventory = inventory(&client, false).await.expect("inventory");
    from_inventory
        .close
        .expect("a batch was opened")
        .finish()
        .await;
    let from_inventory = from_inventory.views;
    assert_eq!(names(&from_inventory), expected);
    let fallback = per_collection(&client).await.expect("per collection");
    let (collections, views) = (fallback.collections, fallback.views);
    assert_eq!(names(&views), expected);
    assert_eq!(
        view_from_api(&views[1]).expect("view"),
        view_from_api(&from_inventory[1]).expect("view")
    );
    assert!(collections
        .iter()
        .any(|entry| entry.0.parameters.0.name == "users"));
    // An arangosearch definition without `links` is completed from the
    // view's properties; a search-alias one is left as it is.
    let mut partial = vec![
        json!({"name": "users_view", "type": "arangosearch"}),
        json!({"name": "alias_view", "type": "search-alias"}),
    ];
    complete_views(&client, &mut partial)
        .await
        .expect("completed");
    assert_eq!(partial[0]["links"], json!({}));
    assert_eq!(partial[0]["primarySortCompression"], "lz4");
    assert_eq!(
        partial[1],
        json!({"name": "alias_view", "type": "search-alias"})
    );
    emulator.shutdown().await;
}
