//! Authentication, version, readiness and generic error behaviour.

use std::time::Duration;

use arangodb_emulator::Config;
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{start, start_with, ROOT_PASSWORD};

#[tokio::test]
async fn version_needs_authentication() {
    let emulator = start().await;
    let anonymous = emulator
        .call_unauthenticated(Method::GET, "/_api/version", None)
        .await;
    anonymous.assert_error(401, 11);
    assert_eq!(
        anonymous.body["errorMessage"],
        "not authorized to execute this request"
    );
    assert!(anonymous.headers.contains_key("www-authenticate"));

    let wrong = emulator
        .call_as(("root", "wrong"), Method::GET, "/_api/version", None)
        .await;
    wrong.assert_error(401, 11);

    let version = emulator.get("/_api/version").await;
    assert_eq!(version.status, 200);
    assert_eq!(version.body["server"], "arango");
    assert!(version.body["version"]
        .as_str()
        .unwrap()
        .starts_with("3.12."));
    assert!(
        version.body.get("error").is_none(),
        "version is a bare object"
    );
}

#[tokio::test]
async fn session_tokens_from_open_auth_authenticate() {
    let emulator = start().await;
    let login = emulator
        .call_unauthenticated(
            Method::POST,
            "/_open/auth",
            Some(json!({"username": "root", "password": ROOT_PASSWORD})),
        )
        .await;
    assert_eq!(login.status, 200);
    let token = login.body["jwt"].as_str().expect("jwt").to_string();
    let version = emulator
        .call_with_bearer(&token, Method::GET, "/_api/version")
        .await;
    assert_eq!(version.status, 200);

    let bad_login = emulator
        .call_unauthenticated(
            Method::POST,
            "/_open/auth",
            Some(json!({"username": "root", "password": "nope"})),
        )
        .await;
    bad_login.assert_error(401, 401);
    emulator
        .call_with_bearer("not.a.token", Method::GET, "/_api/version")
        .await
        .assert_error(401, 11);
}

#[tokio::test]
async fn superuser_tokens_signed_with_the_server_secret_authenticate() {
    let emulator = start().await;
    let token = arangodb_emulator::auth::issue_token(
        "test-jwt-secret",
        &json!({"iss": "arangodb", "server_id": "tests"}),
    )
    .unwrap();
    assert_eq!(
        emulator
            .call_with_bearer(&token, Method::GET, "/_api/database")
            .await
            .status,
        200
    );
    let forged = arangodb_emulator::auth::issue_token(
        "another-secret",
        &json!({"iss": "arangodb", "server_id": "tests"}),
    )
    .unwrap();
    emulator
        .call_with_bearer(&forged, Method::GET, "/_api/database")
        .await
        .assert_error(401, 11);
}

#[tokio::test]
async fn answers_503_while_starting_up() {
    let emulator = start_with(Config {
        root_password: ROOT_PASSWORD.into(),
        startup_delay: Duration::from_millis(400),
        ..Config::default()
    })
    .await;
    let early = emulator.get("/_api/version").await;
    early.assert_error(503, 503);
    let availability = emulator
        .call_unauthenticated(Method::GET, "/_admin/server/availability", None)
        .await;
    assert_eq!(availability.status, 503);
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(emulator.get("/_api/version").await.status, 200);
    let ready = emulator
        .call_unauthenticated(Method::GET, "/_admin/server/availability", None)
        .await;
    assert_eq!(
        (ready.status, &ready.body["mode"]),
        (200, &json!("default"))
    );
}

#[tokio::test]
async fn unknown_routes_methods_and_bodies() {
    let emulator = start().await;
    let unknown = emulator.get("/_api/no-such-thing").await;
    unknown.assert_error(404, 404);
    assert_eq!(
        unknown.body["errorMessage"],
        "unknown path '/_api/no-such-thing'"
    );
    emulator
        .get("/_db/_system/_api/no/such/thing")
        .await
        .assert_error(404, 404);
    emulator
        .patch("/_api/collection", json!({}))
        .await
        .assert_error(405, 405);
    emulator
        .post_raw("/_api/collection", "{not json")
        .await
        .assert_error(400, 600);
    emulator
        .get("/_db/missing/_api/collection")
        .await
        .assert_error(404, 1228);
}

#[tokio::test]
async fn role_engine_and_admin_endpoints() {
    let emulator = start().await;
    let role = emulator.get("/_admin/server/role").await;
    assert_eq!((role.status, &role.body["role"]), (200, &json!("SINGLE")));
    let engine = emulator.get("/_api/engine").await;
    assert_eq!(engine.body["name"], "rocksdb");
    let tasks = emulator.get("/_api/tasks").await;
    assert_eq!((tasks.status, &tasks.body), (200, &Value::Array(vec![])));
    let cleared = emulator.delete("/_api/job/all").await;
    assert_eq!(
        (cleared.status, &cleared.body["result"]),
        (200, &json!(true))
    );
    let done = emulator.get("/_api/job/done").await;
    assert_eq!(done.body, json!([]));
    emulator
        .delete("/_api/tasks/nope")
        .await
        .assert_error(404, 1852);
}
