//! The `/_emulator/` control API: counters, fault injection, latency.

use std::time::{Duration, Instant};

use arangodb_emulator::Config;
use reqwest::Method;
use serde_json::json;

use crate::support::{start, start_with, ROOT_PASSWORD};

#[tokio::test]
async fn stats_count_requests_and_writes_and_reset() {
    let emulator = start().await;
    emulator.get("/_api/version").await;
    emulator
        .post("/_api/collection", json!({"name": "c"}))
        .await;
    emulator.get("/_db/_system/_api/collection/c").await;
    // Parsing a query only reads, whatever its method.
    emulator
        .post("/_api/query", json!({"query": "RETURN 1"}))
        .await;
    let stats = emulator.stats().await;
    assert_eq!(stats["total"], 4);
    assert_eq!(stats["writes"], 1);
    assert_eq!(stats["byMethod"], json!({"GET": 2, "POST": 2}));
    assert_eq!(stats["byPath"]["/_api/collection"], 1);
    assert_eq!(stats["byPath"]["/_db/_system/_api/collection/c"], 1);

    let reset = emulator
        .http
        .post(emulator.url("/_emulator/stats/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 200);
    let stats = emulator.stats().await;
    assert_eq!(
        (stats["total"].as_u64(), stats["writes"].as_u64()),
        (Some(0), Some(0))
    );
}

async fn set_faults(emulator: &crate::support::Emulator, plan: serde_json::Value) {
    let response = emulator
        .http
        .put(emulator.url("/_emulator/faults"))
        .json(&plan)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn status_faults_fail_the_requests_after_fail_after() {
    let emulator = start().await;
    set_faults(
        &emulator,
        json!({"failAfter": 1, "count": 2, "mode": "status", "status": 503}),
    )
    .await;
    assert_eq!(emulator.get("/_api/version").await.status, 200);
    emulator.get("/_api/version").await.assert_error(503, 503);
    emulator
        .post("/_api/collection", json!({"name": "x"}))
        .await
        .assert_error(503, 503);
    assert_eq!(emulator.get("/_api/version").await.status, 200);
    // The failed create never happened.
    emulator
        .get("/_api/collection/x")
        .await
        .assert_error(404, 1203);
}

#[tokio::test]
async fn reset_faults_drop_the_connection() {
    let emulator = start().await;
    set_faults(&emulator, json!({"mode": "reset"})).await;
    let result = emulator
        .http
        .get(emulator.url("/_api/version"))
        .basic_auth("root", Some(ROOT_PASSWORD))
        .send()
        .await;
    let err = result.expect_err("the connection is reset");
    assert!(err.is_request() || err.is_connect(), "{err:?}");
    assert_eq!(emulator.get("/_api/version").await.status, 200);
}

#[tokio::test]
async fn delay_faults_hold_requests_and_clearing_stops_them() {
    let emulator = start().await;
    set_faults(
        &emulator,
        json!({"mode": "delay", "delayMs": 300, "count": 5}),
    )
    .await;
    let started = Instant::now();
    assert_eq!(emulator.get("/_api/version").await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let cleared = emulator
        .http
        .delete(emulator.url("/_emulator/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), 200);
    let started = Instant::now();
    emulator.get("/_api/version").await;
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn invalid_fault_plans_are_rejected() {
    let emulator = start().await;
    let response = emulator
        .http
        .put(emulator.url("/_emulator/faults"))
        .json(&json!({"mode": "melt"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn latency_delays_every_api_request_but_not_control_requests() {
    let emulator = start_with(Config {
        root_password: ROOT_PASSWORD.into(),
        latency: Duration::from_millis(150),
        ..Config::default()
    })
    .await;
    let started = Instant::now();
    emulator.get("/_api/version").await;
    emulator.call(Method::GET, "/_api/collection", None).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = Instant::now();
    emulator.stats().await;
    assert!(started.elapsed() < Duration::from_millis(150));
}

#[tokio::test]
async fn reset_after_faults_do_the_work_but_drop_the_answer() {
    let emulator = start().await;
    set_faults(&emulator, json!({"mode": "reset-after"})).await;
    let result = emulator
        .http
        .post(emulator.url("/_api/collection"))
        .basic_auth("root", Some(ROOT_PASSWORD))
        .json(&json!({"name": "written"}))
        .send()
        .await;
    assert!(result.is_err(), "the answer never arrives");
    assert_eq!(
        emulator.get("/_api/collection/written").await.status,
        200,
        "but the collection exists"
    );
}

#[tokio::test]
async fn delay_after_faults_do_the_work_then_hold_the_answer() {
    let emulator = start().await;
    set_faults(&emulator, json!({"mode": "delay-after", "delayMs": 800})).await;
    let started = Instant::now();
    let create = emulator
        .http
        .post(emulator.url("/_api/collection"))
        .basic_auth("root", Some(ROOT_PASSWORD))
        .json(&json!({"name": "held"}))
        .send();
    let check = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        emulator.get("/_api/collection/held").await.status
    };
    let (created, seen_while_held) = tokio::join!(create, check);
    assert_eq!(seen_while_held, 200, "written before the answer");
    assert_eq!(created.unwrap().status(), 200);
    assert!(
        started.elapsed() >= Duration::from_millis(800),
        "answer held"
    );
}

#[tokio::test]
async fn faults_can_target_one_method_and_path() {
    let emulator = start().await;
    set_faults(
        &emulator,
        json!({"failAfter": 1, "count": 1, "mode": "status", "status": 503,
               "method": "post", "path": "/_api/collection"}),
    )
    .await;
    // Other requests neither count nor fail.
    assert_eq!(emulator.get("/_api/collection").await.status, 200);
    let create = |name: &'static str| {
        emulator.call(
            Method::POST,
            "/_api/collection",
            Some(json!({"name": name})),
        )
    };
    assert_eq!(create("first").await.status, 200);
    assert_eq!(emulator.get("/_api/version").await.status, 200);
    assert_eq!(create("second").await.status, 503);
    assert_eq!(create("third").await.status, 200);
}
