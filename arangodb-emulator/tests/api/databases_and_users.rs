//! Databases, users and the access checks on every route.

use reqwest::Method;
use serde_json::json;

use crate::support::start;

#[tokio::test]
async fn database_lifecycle() {
    let emulator = start().await;
    let created = emulator
        .post("/_api/database", json!({"name": "features"}))
        .await;
    assert_eq!(
        (created.status, &created.body),
        (201, &json!({"error": false, "code": 201, "result": true}))
    );
    let list = emulator.get("/_api/database").await;
    assert_eq!(list.body["result"], json!(["_system", "features"]));
    let current = emulator.get("/_db/features/_api/database/current").await;
    assert_eq!(current.body["result"]["name"], "features");
    assert_eq!(current.body["result"]["isSystem"], false);
    // A new database has the system collections but no user collections.
    let collections = emulator
        .get("/_db/features/_api/collection?excludeSystem=true")
        .await;
    assert_eq!(collections.body["result"], json!([]));

    emulator
        .post("/_api/database", json!({"name": "features"}))
        .await
        .assert_error(409, 1207);
    emulator
        .post("/_api/database", json!({"name": "1bad"}))
        .await
        .assert_error(400, 1208);
    emulator
        .post("/_api/database", json!({"name": "_mine"}))
        .await
        .assert_error(400, 1208);
    emulator
        .get("/_db/features/_api/database")
        .await
        .assert_error(403, 1230);
    emulator
        .post("/_db/features/_api/database", json!({"name": "x"}))
        .await
        .assert_error(403, 1230);

    let dropped = emulator.delete("/_api/database/features").await;
    assert_eq!(
        (dropped.status, &dropped.body["result"]),
        (200, &json!(true))
    );
    emulator
        .delete("/_api/database/features")
        .await
        .assert_error(404, 1228);
    emulator
        .get("/_db/features/_api/version")
        .await
        .assert_error(404, 1228);
}

#[tokio::test]
async fn creating_a_database_with_users_grants_them_access() {
    let emulator = start().await;
    emulator
        .post(
            "/_api/database",
            json!({"name": "shop", "users": [{"username": "alice", "passwd": "pw", "active": true}]}),
        )
        .await;
    let alice = ("alice", "pw");
    let answer = emulator
        .call_as(alice, Method::GET, "/_db/shop/_api/collection", None)
        .await;
    assert_eq!(answer.status, 200);
    let mine = emulator
        .call_as(alice, Method::GET, "/_api/database/user", None)
        .await;
    assert_eq!(mine.body["result"], json!(["shop"]));
    // alice has no access to _system.
    emulator
        .call_as(alice, Method::GET, "/_api/collection", None)
        .await
        .assert_error(401, 11);
}

#[tokio::test]
async fn users_and_their_access_levels() {
    let emulator = start().await;
    let created = emulator
        .post(
            "/_api/user",
            json!({"user": "ci", "passwd": "ci-pw", "extra": {"team": "ml"}}),
        )
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(
        (&created.body["user"], &created.body["active"]),
        (&json!("ci"), &json!(true))
    );
    emulator
        .post("/_api/user", json!({"user": "ci"}))
        .await
        .assert_error(409, 1702);
    emulator
        .post("/_api/user", json!({"passwd": "x"}))
        .await
        .assert_error(400, 1700);
    emulator
        .get("/_api/user/nobody")
        .await
        .assert_error(404, 1703);

    let ci = ("ci", "ci-pw");
    // No grant yet: the database does not exist for this user.
    emulator
        .call_as(ci, Method::GET, "/_api/collection", None)
        .await
        .assert_error(401, 11);

    let grant = emulator
        .put("/_api/user/ci/database/_system", json!({"grant": "ro"}))
        .await;
    assert_eq!((grant.status, &grant.body["_system"]), (200, &json!("ro")));
    emulator
        .post("/_api/collection", json!({"name": "users"}))
        .await;
    emulator
        .post("/_api/document/users", json!({"_key": "a"}))
        .await;

    // A read-only user reads collections, indexes, functions and documents...
    for path in [
        "/_api/collection",
        "/_api/collection/users/properties",
        "/_api/index?collection=users",
        "/_api/aqlfunction",
        "/_api/gharial",
        "/_api/document/users/a",
    ] {
        let answer = emulator.call_as(ci, Method::GET, path, None).await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    }
    let parse = emulator
        .call_as(
            ci,
            Method::POST,
            "/_api/query",
            Some(json!({"query": "RETURN 1"})),
        )
        .await;
    assert_eq!(parse.status, 200);
    // ...and gets 403 on every write.
    let writes = [
        (Method::POST, "/_api/collection", json!({"name": "new"})),
        (
            Method::PUT,
            "/_api/collection/users/properties",
            json!({"waitForSync": true}),
        ),
        (
            Method::POST,
            "/_api/index?collection=users",
            json!({"type": "persistent", "fields": ["a"]}),
        ),
        (
            Method::POST,
            "/_api/aqlfunction",
            json!({"name": "ns::f", "code": "function () { return 1; }"}),
        ),
        (Method::POST, "/_api/document/users", json!({"b": 1})),
        (Method::DELETE, "/_api/collection/users", json!(null)),
        (
            Method::POST,
            "/_api/gharial",
            json!({"name": "g", "edgeDefinitions": []}),
        ),
    ];
    for (method, path, body) in writes {
        let answer = emulator.call_as(ci, method.clone(), path, Some(body)).await;
        answer.assert_error(403, 11);
    }
    let level = emulator.get("/_api/user/ci/database/_system").await;
    assert_eq!(level.body["result"], "ro");
    let levels = emulator.get("/_api/user/ci/database").await;
    assert_eq!(levels.body["result"], json!({"_system": "ro"}));

    // Users manage only themselves; root manages everyone.
    emulator
        .call_as(ci, Method::GET, "/_api/user/ci", None)
        .await;
    emulator
        .call_as(ci, Method::GET, "/_api/user/root", None)
        .await
        .assert_error(403, 11);

    emulator
        .put("/_api/user/ci/database/_system", json!({"grant": "rw"}))
        .await;
    let write = emulator
        .call_as(
            ci,
            Method::POST,
            "/_api/document/users",
            Some(json!({"b": 1})),
        )
        .await;
    assert_eq!(write.status, 202);
    // A collection-level grant narrows access again.
    emulator
        .put(
            "/_api/user/ci/database/_system/users",
            json!({"grant": "ro"}),
        )
        .await;
    emulator
        .call_as(
            ci,
            Method::POST,
            "/_api/document/users",
            Some(json!({"b": 2})),
        )
        .await
        .assert_error(403, 11);
    emulator
        .put("/_api/user/ci/database/_system", json!({"grant": "bogus"}))
        .await
        .assert_error(400, 10);

    assert_eq!(emulator.delete("/_api/user/ci").await.status, 202);
    emulator
        .call_as(ci, Method::GET, "/_api/version", None)
        .await
        .assert_error(401, 11);
}

/// RestFetchUserDatabaseListFull and RestFetchUserCollectionPermission
/// (3.12.10): the full listing shows collection grants as made ("undefined"
/// without one) plus `*`; nobody is granted `_system/_users`.
#[tokio::test]
async fn full_permission_listing_and_the_users_collection() {
    let emulator = start().await;
    emulator
        .post("/_api/user", json!({"user": "admin@app", "passwd": "x"}))
        .await;
    emulator
        .put(
            "/_api/user/admin@app/database/_system",
            json!({"grant": "rw"}),
        )
        .await;
    emulator
        .post("/_api/collection", json!({"name": "reports"}))
        .await;
    emulator
        .put(
            "/_api/user/admin@app/database/_system/reports",
            json!({"grant": "ro"}),
        )
        .await;
    let full = emulator
        .get("/_api/user/admin@app/database?full=true")
        .await;
    let system = &full.body["result"]["_system"];
    assert_eq!(system["permission"], "rw");
    assert_eq!(system["collections"]["reports"], "ro");
    assert_eq!(system["collections"]["_graphs"], "undefined");
    assert_eq!(system["collections"]["*"], "undefined");
    assert_eq!(full.body["result"]["*"], json!({"permission": "none"}));
    let users = emulator
        .get("/_api/user/admin@app/database/_system/_users")
        .await;
    assert_eq!(users.body["result"], "none");
}
