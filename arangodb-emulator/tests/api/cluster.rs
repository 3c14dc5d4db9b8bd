//! `--role coordinator`: what a cluster coordinator answers where a single
//! server answers differently. Expected bodies come from the `_cluster`
//! transcripts of 3.12.10 (`RestGetShards_cluster`,
//! `RestGetShardsWithDetails_cluster`, `arangosh_set_collection_properties_cluster`,
//! `dbProperties_cluster`, `RestGetResponsibleShardExample_cluster`,
//! `RestAdminStatus_cluster`) and messages from ArangoDB's sources.

use arangodb_emulator::{Config, Profile, Role};
use serde_json::{json, Value};

use crate::support::{start, start_with, Emulator, ROOT_PASSWORD};

async fn coordinator() -> Emulator {
    start_with(Config {
        root_password: ROOT_PASSWORD.into(),
        profile: Profile {
            role: Role::Coordinator,
            ..Profile::default()
        },
        ..Config::default()
    })
    .await
}

/// Replaces the values that differ between runs (ids, shard ids) so a body
/// compares with the transcript's.
fn masked(mut body: Value) -> Value {
    for key in ["id", "globallyUniqueId", "planId"] {
        if body.get(key).is_some() {
            body[key] = json!("[masked]");
        }
    }
    if let Some(Value::Array(shards)) = body.get_mut("shards") {
        for shard in shards.iter_mut() {
            *shard = json!("s[masked]");
        }
    }
    body
}

fn keys(body: &Value) -> Vec<String> {
    body.as_object()
        .map(|map| map.keys().cloned().collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_server_calls_itself_a_coordinator() {
    let emulator = coordinator().await;
    let role = emulator.get("/_admin/server/role").await;
    assert_eq!(
        role.body,
        json!({"error": false, "code": 200, "role": "COORDINATOR"})
    );
    let version = emulator.get("/_api/version?details=true").await;
    assert_eq!(version.body["details"]["role"], "COORDINATOR");
    let id = emulator.get("/_admin/server/id").await;
    assert_eq!(
        id.body,
        json!({"error": false, "code": 200, "id": "CRDN-006aa0a3-00bc-468c-89be-f7aeef647790"})
    );
    let status = emulator.get("/_admin/status").await;
    assert_eq!(status.body["serverInfo"]["role"], "COORDINATOR");
    assert_eq!(
        status.body["serverInfo"]["serverId"],
        status.body["serverInfo"]["persistedId"]
    );
    assert!(status.body["coordinator"]["foxxmaster"].is_string());
    let availability = emulator
        .call_unauthenticated(reqwest::Method::GET, "/_admin/server/availability", None)
        .await;
    assert_eq!(availability.status, 200);

    // A single server has no server id.
    let single = start().await;
    single
        .get("/_admin/server/id")
        .await
        .assert_error(500, 1471);
}

#[tokio::test]
async fn shards_and_properties_match_the_cluster_transcript() {
    let emulator = coordinator().await;
    let created = emulator
        .post(
            "/_api/collection",
            json!({"name": "testCollection", "numberOfShards": 3}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);

    // RestGetShards_cluster, 3.12.10, ids masked.
    let expected = json!({
        "error": false, "code": 200,
        "shards": ["s[masked]", "s[masked]", "s[masked]"],
        "writeConcern": 1, "waitForSync": false, "usesRevisionsAsDocumentIds": true,
        "syncByRevision": true, "supportsRBAC": true, "shardingStrategy": "hash",
        "schema": null, "numberOfShards": 3, "minReplicationFactor": 1, "id": "[masked]",
        "isSmartChild": false, "name": "testCollection", "statusString": "loaded",
        "isSmart": false, "replicationFactor": 1, "type": 2, "status": 3,
        "cacheEnabled": false, "isSystem": false, "computedValues": null,
        "internalValidatorType": 0, "globallyUniqueId": "[masked]", "shardKeys": ["_key"],
        "isDisjoint": false, "keyOptions": {"allowUserKeys": true, "type": "traditional"}
    });
    let shards = emulator.get("/_api/collection/testCollection/shards").await;
    assert_eq!(shards.status, 200);
    let gid = shards.body["globallyUniqueId"]
        .as_str()
        .unwrap()
        .to_string();
    let id = shards.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        gid,
        format!("c{id}/"),
        "coordinator ids look like c8010038/"
    );
    let shard_ids: Vec<String> = shards.body["shards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    assert!(
        shard_ids.iter().all(|s| s.starts_with('s')),
        "{shard_ids:?}"
    );
    let masked_body = masked(shards.body);
    assert_eq!(masked_body, expected);
    assert_eq!(keys(&masked_body), keys(&expected), "attribute order");

    // With details: shard → servers, one server each at replicationFactor 1.
    let details = emulator
        .get("/_api/collection/testCollection/shards?details=true")
        .await;
    let map = details.body["shards"].as_object().unwrap();
    assert_eq!(
        map.keys().cloned().collect::<Vec<_>>(),
        shard_ids,
        "same shards"
    );
    for servers in map.values() {
        let servers = servers.as_array().unwrap();
        assert_eq!(servers.len(), 1);
        assert!(servers[0].as_str().unwrap().starts_with("PRMR-"));
    }

    // The properties are the same object without `shards`.
    let properties = emulator
        .get("/_api/collection/testCollection/properties")
        .await;
    let mut without_shards = expected.clone();
    without_shards.as_object_mut().unwrap().remove("shards");
    assert_eq!(masked(properties.body), without_shards);

    // RestGetResponsibleShardExample_cluster: one of the collection's shards.
    let responsible = emulator
        .put(
            "/_api/collection/testCollection/responsibleShard",
            json!({"_key": "testkey", "value": 23}),
        )
        .await;
    assert_eq!(responsible.status, 200);
    assert_eq!(keys(&responsible.body), ["error", "code", "shardId"]);
    let shard = responsible.body["shardId"].as_str().unwrap().to_string();
    assert!(shard_ids.contains(&shard), "{shard} in {shard_ids:?}");
    let again = emulator
        .put(
            "/_api/collection/testCollection/responsibleShard",
            json!({"_key": "testkey", "value": 99}),
        )
        .await;
    assert_eq!(again.body["shardId"], json!(shard), "only shard keys count");

    // A single server has no shards API (501/9) and no cluster attributes.
    let single = start().await;
    single
        .post(
            "/_api/collection",
            json!({"name": "c", "numberOfShards": 3}),
        )
        .await;
    single
        .get("/_api/collection/c/shards")
        .await
        .assert_error(501, 9);
    let properties = single.get("/_api/collection/c/properties").await;
    assert!(properties.body.get("numberOfShards").is_none());
    assert!(properties.body.get("objectId").is_some());
}

#[tokio::test]
async fn replication_factor_and_write_concern_change_in_place() {
    let emulator = coordinator().await;
    emulator
        .post("/_api/collection", json!({"name": "coll"}))
        .await;
    // arangosh_set_collection_properties_cluster
    let changed = emulator
        .put(
            "/_api/collection/coll/properties",
            json!({"waitForSync": true, "replicationFactor": 3}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    for (key, value) in [
        ("waitForSync", json!(true)),
        ("replicationFactor", json!(3)),
        ("minReplicationFactor", json!(1)),
        ("writeConcern", json!(1)),
        ("numberOfShards", json!(1)),
        ("shardKeys", json!(["_key"])),
        ("shardingStrategy", json!("hash")),
        ("isSmart", json!(false)),
        ("isDisjoint", json!(false)),
    ] {
        assert_eq!(changed.body[key], value, "{key}");
    }
    // writeConcern (and its old name) follow; immutable options are ignored.
    let changed = emulator
        .put(
            "/_api/collection/coll/properties",
            json!({"minReplicationFactor": 2, "numberOfShards": 5, "shardKeys": ["a"], "shardingStrategy": "enterprise-compat"}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.body["writeConcern"], 2);
    assert_eq!(changed.body["minReplicationFactor"], 2);
    assert_eq!(changed.body["numberOfShards"], 1);
    assert_eq!(changed.body["shardKeys"], json!(["_key"]));
    assert_eq!(changed.body["shardingStrategy"], "hash");

    let refused = [
        (json!({"writeConcern": 4}), 400, 10, "bad value for writeConcern. writeConcern cannot be higher than replicationFactor"),
        (json!({"replicationFactor": 1}), 400, 10, "replicationFactor cannot be smaller than writeConcern (1 < 2)"),
        (json!({"replicationFactor": 0}), 400, 10, "bad value for replicationFactor. replicationFactor cannot be 0 for collections other than SatelliteCollections."),
        (json!({"replicationFactor": 11}), 400, 10, "bad value for replicationFactor. replicationFactor must be between 1 and 10"),
        (json!({"replicationFactor": "two"}), 400, 10, "bad string value for replicationFactor. expecting 'satellite'"),
        (json!({"replicationFactor": "satellite"}), 403, 11, "cannot use SatelliteCollection status"),
    ];
    for (body, status, error_num, message) in refused {
        let answer = emulator
            .put("/_api/collection/coll/properties", body.clone())
            .await;
        answer.assert_error(status, error_num);
        assert_eq!(answer.body["errorMessage"], message, "{body}");
    }
    let after = emulator.get("/_api/collection/coll/properties").await;
    assert_eq!(
        (
            &after.body["replicationFactor"],
            &after.body["writeConcern"]
        ),
        (&json!(3), &json!(2)),
        "refused changes change nothing"
    );
}

#[tokio::test]
async fn creation_options_are_validated_like_a_coordinator() {
    let emulator = coordinator().await;
    let refused = [
        (
            json!({"name": "a", "replicationFactor": 1, "writeConcern": 2}),
            400,
            10,
            "replicationFactor cannot be smaller than writeConcern (1 < 2)",
        ),
        (
            json!({"name": "a", "writeConcern": 2, "minReplicationFactor": 1}),
            400,
            10,
            "got ambiguous values for writeConcern and minReplicationFactor",
        ),
        (
            json!({"name": "a", "replicationFactor": 11}),
            400,
            10,
            "replicationFactor must not be higher than maximum allowed replicationFactor (10)",
        ),
        (
            json!({"name": "a", "replicationFactor": 4}),
            500,
            1487,
            "the number of current dbservers is lower than the requested replicationFactor",
        ),
        (
            json!({"name": "a", "shardingStrategy": "random"}),
            400,
            10,
            "Invalid sharding strategy random",
        ),
        (
            json!({"name": "a", "shardKeys": ["_id"]}),
            400,
            10,
            "_id or _rev cannot be used as shard keys",
        ),
        (
            json!({"name": "a", "numberOfShards": 2, "keyOptions": {"type": "autoincrement"}}),
            501,
            1470,
            "the specified key generator is not supported for collections with more than one shard",
        ),
        (
            json!({"name": "a", "distributeShardsLike": "missing"}),
            500,
            1486,
            "Collection not found: missing in database _system",
        ),
        (
            json!({"name": "a", "replicationFactor": "satellite"}),
            500,
            31,
            "'satellite' collections only allowed in Enterprise Edition",
        ),
        (
            json!({"name": "a", "writeConcern": 2}),
            400,
            10,
            "writeConcern must not be higher than replicationFactor",
        ),
    ];
    for (body, status, error_num, message) in refused {
        let answer = emulator.post("/_api/collection", body.clone()).await;
        answer.assert_error(status, error_num);
        assert_eq!(answer.body["errorMessage"], message, "{body}");
    }
    // Without enforcement the DB-Server count does not matter.
    let relaxed = emulator
        .post(
            "/_api/collection?enforceReplicationFactor=false",
            json!({"name": "relaxed", "replicationFactor": 4}),
        )
        .await;
    assert_eq!(relaxed.status, 200, "{}", relaxed.body);
    assert_eq!(relaxed.body["replicationFactor"], 4);

    let created = emulator
        .post(
            "/_api/collection",
            json!({"name": "a", "numberOfShards": 2, "replicationFactor": 2, "shardKeys": ["country"]}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(created.body["shardKeys"], json!(["country"]));
    assert_eq!(created.body["replicationFactor"], 2);
    assert!(created.body.get("distributeShardsLike").is_none());
}

#[tokio::test]
async fn distribute_shards_like_inherits_and_binds() {
    let emulator = coordinator().await;
    emulator
        .post(
            "/_api/collection",
            json!({"name": "leader", "numberOfShards": 3, "replicationFactor": 2}),
        )
        .await;
    let follower = emulator
        .post(
            "/_api/collection",
            json!({"name": "follower", "distributeShardsLike": "leader"}),
        )
        .await;
    assert_eq!(follower.status, 200, "{}", follower.body);
    assert_eq!(follower.body["distributeShardsLike"], "leader");
    assert_eq!(follower.body["numberOfShards"], 3);
    assert_eq!(follower.body["replicationFactor"], 2);
    assert_eq!(follower.body["shardingStrategy"], "hash");
    // Shards sit on the leader's servers, shard by shard.
    let servers = |body: &Value| -> Vec<Value> {
        body["shards"]
            .as_object()
            .unwrap()
            .values()
            .cloned()
            .collect()
    };
    let leader_shards = emulator
        .get("/_api/collection/leader/shards?details=true")
        .await;
    let follower_shards = emulator
        .get("/_api/collection/follower/shards?details=true")
        .await;
    assert_eq!(servers(&follower_shards.body), servers(&leader_shards.body));

    let refused = [
        (
            json!({"name": "x", "distributeShardsLike": "leader", "numberOfShards": 2}),
            400,
            10,
            "Cannot have a different numberOfShards (2), than the leading collection (3)",
        ),
        (
            json!({"name": "x", "distributeShardsLike": "leader", "replicationFactor": 1}),
            400,
            10,
            "Cannot have a different replicationFactor (1), than the leading collection (2)",
        ),
        (
            json!({"name": "x", "distributeShardsLike": "leader", "shardKeys": ["a", "b"]}),
            400,
            10,
            "Cannot have a different number of shardKeys (2), than the leading collection (1).",
        ),
        (
            json!({"name": "x", "distributeShardsLike": "follower"}),
            500,
            1484,
            "Cannot distribute shards like 'follower' it is already distributed like 'leader'.",
        ),
    ];
    for (body, status, error_num, message) in refused {
        let answer = emulator.post("/_api/collection", body.clone()).await;
        answer.assert_error(status, error_num);
        assert_eq!(answer.body["errorMessage"], message, "{body}");
    }
    // The follower's replication factor is the leader's to change.
    emulator
        .put(
            "/_api/collection/follower/properties",
            json!({"replicationFactor": 3}),
        )
        .await
        .assert_error(403, 11);
    // The leader cannot go while a follower points to it.
    emulator
        .delete("/_api/collection/leader")
        .await
        .assert_error(500, 1485);
    assert_eq!(
        emulator.delete("/_api/collection/follower").await.status,
        200
    );
    assert_eq!(emulator.delete("/_api/collection/leader").await.status, 200);
}

#[tokio::test]
async fn unique_indexes_must_cover_the_shard_keys() {
    let emulator = coordinator().await;
    emulator
        .post(
            "/_api/collection",
            json!({"name": "users", "numberOfShards": 3}),
        )
        .await;
    for (definition, refused) in [
        (
            json!({"type": "persistent", "fields": ["email"], "unique": true}),
            true,
        ),
        (
            json!({"type": "hash", "fields": ["email"], "unique": true}),
            true,
        ),
        (
            json!({"type": "skiplist", "fields": ["email"], "unique": true, "sparse": true}),
            true,
        ),
        (json!({"type": "persistent", "fields": ["email"]}), false),
        (
            json!({"type": "persistent", "fields": ["email", "_key"], "unique": true}),
            false,
        ),
    ] {
        let answer = emulator
            .post("/_api/index?collection=users", definition.clone())
            .await;
        if refused {
            answer.assert_error(400, 1470);
            assert_eq!(
                answer.body["errorMessage"], "shard key '_key' must be present in unique index",
                "{definition}"
            );
        } else {
            assert_eq!(answer.status, 201, "{definition}: {}", answer.body);
        }
    }
    // One shard: any unique index is fine.
    emulator
        .post("/_api/collection", json!({"name": "single_shard"}))
        .await;
    let answer = emulator
        .post(
            "/_api/index?collection=single_shard",
            json!({"type": "persistent", "fields": ["email"], "unique": true}),
        )
        .await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    // Custom shard keys: the index must name each of them.
    emulator
        .post(
            "/_api/collection",
            json!({"name": "by_country", "numberOfShards": 2, "shardKeys": ["country", "city"]}),
        )
        .await;
    let answer = emulator
        .post(
            "/_api/index?collection=by_country",
            json!({"type": "persistent", "fields": ["country", "zip"], "unique": true}),
        )
        .await;
    answer.assert_error(400, 1470);
    assert_eq!(
        answer.body["errorMessage"],
        "shard key 'city' must be present in unique index"
    );
}

#[tokio::test]
async fn user_keys_need_key_sharding() {
    let emulator = coordinator().await;
    emulator
        .post(
            "/_api/collection",
            json!({"name": "by_country", "numberOfShards": 2, "shardKeys": ["country"]}),
        )
        .await;
    let answer = emulator
        .post(
            "/_api/document/by_country",
            json!({"_key": "mine", "country": "DE"}),
        )
        .await;
    answer.assert_error(400, 1466);
    assert_eq!(
        answer.body["errorMessage"],
        "must not specify _key for this collection"
    );
    let generated = emulator
        .post("/_api/document/by_country", json!({"country": "DE"}))
        .await;
    assert_eq!(generated.status, 202, "{}", generated.body);
    // Collections sharded by _key take user keys.
    emulator
        .post(
            "/_api/collection",
            json!({"name": "plain", "numberOfShards": 2}),
        )
        .await;
    let own = emulator
        .post("/_api/document/plain", json!({"_key": "mine"}))
        .await;
    assert_eq!(own.status, 202, "{}", own.body);
    // Renaming is not a cluster operation.
    emulator
        .put("/_api/collection/plain/rename", json!({"name": "other"}))
        .await
        .assert_error(501, 1470);
}

#[tokio::test]
async fn the_cluster_inventory_replaces_batches() {
    let emulator = coordinator().await;
    emulator
        .post(
            "/_api/collection",
            json!({"name": "users", "numberOfShards": 2, "replicationFactor": 2, "writeConcern": 2}),
        )
        .await;
    emulator
        .post(
            "/_api/collection",
            json!({"name": "sessions", "distributeShardsLike": "users"}),
        )
        .await;
    emulator
        .post(
            "/_api/index?collection=users",
            json!({"type": "persistent", "fields": ["email"], "name": "by_email"}),
        )
        .await;

    for (method, path) in [
        (reqwest::Method::POST, "/_api/replication/batch"),
        (reqwest::Method::GET, "/_api/replication/inventory"),
        (
            reqwest::Method::GET,
            "/_api/replication/dump?collection=users",
        ),
    ] {
        let answer = emulator.call(method, path, Some(json!({}))).await;
        answer.assert_error(400, 400);
        assert_eq!(answer.body["errorMessage"], "need \"DBserver\" parameter");
    }

    let view = emulator
        .post(
            "/_api/view",
            json!({"name": "users_view", "type": "arangosearch"}),
        )
        .await;
    assert_eq!(view.status, 201, "{}", view.body);

    let inventory = emulator
        .get("/_api/replication/clusterInventory?includeSystem=false")
        .await;
    assert_eq!(inventory.status, 200, "{}", inventory.body);
    assert_eq!(
        keys(&inventory.body),
        ["properties", "collections", "views", "tick", "state"]
    );
    assert_eq!(inventory.body["state"], "unused");
    assert_eq!(inventory.body["properties"]["name"], "_system");
    assert_eq!(inventory.body["properties"]["replicationFactor"], 1);
    let collections = inventory.body["collections"].as_array().unwrap();
    assert_eq!(collections.len(), 2, "no system collections");
    let users = collections
        .iter()
        .find(|c| c["parameters"]["name"] == "users")
        .unwrap();
    assert_eq!(
        keys(users),
        [
            "parameters",
            "indexes",
            "planVersion",
            "isReady",
            "allInSync"
        ]
    );
    let parameters = &users["parameters"];
    assert_eq!(parameters["numberOfShards"], 2);
    assert_eq!(parameters["replicationFactor"], 2);
    assert_eq!(parameters["writeConcern"], 2);
    assert_eq!(parameters["shardKeys"], json!(["_key"]));
    assert_eq!(parameters["planId"], parameters["id"]);
    assert!(parameters.get("statusString").is_none());
    assert!(parameters.get("objectId").is_none());
    let indexes = users["indexes"].as_array().unwrap();
    assert_eq!(indexes.len(), 1, "user indexes only");
    assert_eq!(indexes[0]["name"], "by_email");
    assert!(!indexes[0]["id"].as_str().unwrap().contains('/'));
    let sessions = collections
        .iter()
        .find(|c| c["parameters"]["name"] == "sessions")
        .unwrap();
    assert_eq!(sessions["parameters"]["distributeShardsLike"], "users");
    let views = inventory.body["views"].as_array().unwrap();
    assert_eq!(views.len(), 1, "{}", inventory.body["views"]);
    assert_eq!(
        (&views[0]["name"], &views[0]["type"]),
        (&json!("users_view"), &json!("arangosearch"))
    );

    let with_system = emulator.get("/_api/replication/clusterInventory").await;
    assert!(with_system.body["collections"].as_array().unwrap().len() > 2);

    // A single server keeps its batch-based inventory.
    let single = start().await;
    single
        .get("/_api/replication/clusterInventory")
        .await
        .assert_error(403, 1471);
}

#[tokio::test]
async fn databases_carry_cluster_defaults() {
    let emulator = coordinator().await;
    let current = emulator.get("/_api/database/current").await;
    // dbProperties_cluster
    assert_eq!(
        current.body["result"],
        json!({"id": "1", "name": "_system", "isSystem": true, "sharding": "", "replicationFactor": 1, "writeConcern": 1, "replicationVersion": "1", "path": ""})
    );
    let created = emulator
        .post(
            "/_api/database",
            json!({"name": "replicated", "options": {"replicationFactor": 3, "writeConcern": 2}}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let current = emulator.get("/_db/replicated/_api/database/current").await;
    assert_eq!(current.body["result"]["replicationFactor"], 3);
    assert_eq!(current.body["result"]["writeConcern"], 2);
    let collection = emulator
        .post("/_db/replicated/_api/collection", json!({"name": "c"}))
        .await;
    assert_eq!(collection.body["replicationFactor"], 3);
    assert_eq!(collection.body["writeConcern"], 2);

    // Invalid options fall back to the defaults; a replication factor
    // beyond the server's maximum is refused.
    let created = emulator
        .post(
            "/_api/database",
            json!({"name": "lenient", "options": {"sharding": "random", "replicationFactor": "x", "writeConcern": -1}}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let current = emulator.get("/_db/lenient/_api/database/current").await;
    assert_eq!(
        (
            &current.body["result"]["sharding"],
            &current.body["result"]["replicationFactor"],
            &current.body["result"]["writeConcern"],
        ),
        (&json!(""), &json!(1), &json!(1))
    );
    let refused = emulator
        .post(
            "/_api/database",
            json!({"name": "huge", "options": {"replicationFactor": 11}}),
        )
        .await;
    refused.assert_error(400, 10);
    assert_eq!(
        refused.body["errorMessage"],
        "replicationFactor must not be higher than maximum allowed replicationFactor (10)"
    );

    // OneShard: every collection follows `_graphs`.
    let created = emulator
        .post(
            "/_api/database",
            json!({"name": "oneshard", "options": {"sharding": "single"}}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let collection = emulator
        .post("/_db/oneshard/_api/collection", json!({"name": "c"}))
        .await;
    assert_eq!(collection.body["distributeShardsLike"], "_graphs");
    assert_eq!(collection.body["numberOfShards"], 1);
    emulator
        .post(
            "/_db/oneshard/_api/collection",
            json!({"name": "d", "numberOfShards": 3}),
        )
        .await
        .assert_error(400, 10);

    // A single server ignores the options and reports none.
    let single = start().await;
    let current = single.get("/_api/database/current").await;
    assert_eq!(
        current.body["result"],
        json!({"id": "1", "name": "_system", "isSystem": true, "path": "none"})
    );
}
