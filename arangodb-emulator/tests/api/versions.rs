//! The emulator behaves as the ArangoDB version it reports (3.11, 3.12.x,
//! 4.0) and honours the startup options `--javascript-user-defined-functions`
//! and `--vector-index`. The expected answers come from the transcripts
//! (`RestEngine_single` of 3.11 and 3.12.10), the release notes of 3.12 and
//! 4.x, and ArangoDB's sources (see `profile.rs`).

use arangodb_emulator::{Config, Profile, Version};
use serde_json::{json, Value};

use crate::support::{start_with, Emulator, ROOT_PASSWORD};

async fn start_as(profile: Profile) -> Emulator {
    start_with(Config {
        root_password: ROOT_PASSWORD.into(),
        profile,
        ..Config::default()
    })
    .await
}

fn version(text: &str) -> Profile {
    Profile {
        version: text.parse::<Version>().expect("version"),
        ..Profile::default()
    }
}

fn with_vectors(text: &str) -> Profile {
    Profile {
        vector_index: true,
        ..version(text)
    }
}

/// Creates `c` and returns the emulator.
async fn with_collection(profile: Profile) -> Emulator {
    let emulator = start_as(profile).await;
    let created = emulator
        .post("/_api/collection", json!({"name": "c"}))
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    emulator
}

async fn create_index(emulator: &Emulator, definition: Value) -> crate::support::Answer {
    emulator.post("/_api/index?collection=c", definition).await
}

#[tokio::test]
async fn version_is_reported() {
    for text in ["3.11.14", "3.12.4", "4.0.0"] {
        let emulator = start_as(version(text)).await;
        let answer = emulator.get("/_api/version").await;
        assert_eq!(answer.body["version"], text);
    }
}

#[tokio::test]
async fn engine_lists_the_index_types_of_each_version() {
    let engine = |profile| async move { start_as(profile).await.get("/_api/engine").await.body };
    // RestEngine_single, 3.11 transcript.
    assert_eq!(
        engine(version("3.11.14")).await,
        json!({"name": "rocksdb", "supports": {"dfdb": false, "indexes": [
            "primary", "edge", "hash", "skiplist", "ttl", "persistent", "geo", "fulltext",
            "zkd", "inverted"
        ], "aliases": {"indexes": {"hash": "persistent", "skiplist": "persistent"}}}})
    );
    // RestEngine_single, 3.12 transcript (3.12.10).
    assert_eq!(
        engine(version("3.12.10")).await,
        json!({"name": "rocksdb", "supports": {"indexes": [
            "primary", "edge", "hash", "skiplist", "ttl", "persistent", "geo", "fulltext",
            "mdi", "mdi-prefixed", "inverted"
        ], "aliases": {"indexes": {"hash": "persistent", "skiplist": "persistent",
            "zkd": "mdi"}}}, "endianness": "big"})
    );
    // 4.x API changes: the hash and skiplist aliases are gone; so is fulltext.
    let v4 = engine(version("4.0.0")).await;
    assert_eq!(
        v4["supports"]["indexes"],
        json!([
            "primary",
            "edge",
            "ttl",
            "persistent",
            "geo",
            "mdi",
            "mdi-prefixed",
            "inverted"
        ])
    );
    assert_eq!(v4["supports"]["aliases"]["indexes"], json!({"zkd": "mdi"}));
    let vectors = engine(with_vectors("3.12.10")).await;
    assert_eq!(
        vectors["supports"]["indexes"].as_array().unwrap().last(),
        Some(&json!("vector"))
    );
}

#[tokio::test]
async fn status_of_4_0_has_no_mode() {
    let v3 = start_as(version("3.12.10"))
        .await
        .get("/_admin/status")
        .await;
    assert_eq!(v3.body["mode"], "server");
    assert_eq!(v3.body["operationMode"], "server");
    let v4 = start_as(version("4.0.0")).await.get("/_admin/status").await;
    assert_eq!(v4.status, 200);
    assert_eq!(v4.body["version"], "4.0.0");
    assert!(v4.body.get("mode").is_none(), "{}", v4.body);
    assert!(v4.body.get("operationMode").is_none(), "{}", v4.body);
}

#[tokio::test]
async fn mdi_arrives_in_3_12() {
    let mdi = json!({"type": "mdi", "fields": ["x", "y"], "fieldValueTypes": "double"});
    let prefixed = json!({"type": "mdi-prefixed", "fields": ["x"], "prefixFields": ["p"],
        "fieldValueTypes": "double"});
    let old = with_collection(version("3.11.14")).await;
    for (definition, name) in [(&mdi, "mdi"), (&prefixed, "mdi-prefixed")] {
        let answer = create_index(&old, definition.clone()).await;
        answer.assert_error(400, 10);
        assert_eq!(
            answer.body["errorMessage"],
            format!("invalid index type '{name}'")
        );
    }
    // 3.11's experimental type: RestIndexCreateNewZkd_single (3.11), with
    // no `estimates`, `sparse` fixed to false, no `storedValues`.
    let zkd = create_index(
        &old,
        json!({"type": "zkd", "fields": ["from", "to"], "fieldValueTypes": "double",
            "sparse": true, "storedValues": ["x"]}),
    )
    .await;
    let mut body = zkd.body.clone();
    let object = body.as_object_mut().unwrap();
    assert!(object.remove("id").is_some() && object.remove("name").is_some());
    assert_eq!(
        (zkd.status, body),
        (
            201,
            json!({"fieldValueTypes": "double", "fields": ["from", "to"], "isNewlyCreated": true,
                "sparse": false, "type": "zkd", "unique": false, "code": 201, "error": false})
        )
    );

    let new = with_collection(version("3.12.0")).await;
    assert_eq!(create_index(&new, mdi).await.status, 201);
    assert_eq!(create_index(&new, prefixed).await.status, 201);
}

#[tokio::test]
async fn four_zero_refuses_fulltext_hash_and_skiplist() {
    let v4 = with_collection(version("4.0.0")).await;
    for index_type in ["fulltext", "hash", "skiplist"] {
        let answer = create_index(&v4, json!({"type": index_type, "fields": ["a"]})).await;
        answer.assert_error(400, 10);
        assert_eq!(
            answer.body["errorMessage"],
            format!("invalid index type '{index_type}'")
        );
    }
    let persistent = create_index(&v4, json!({"type": "persistent", "fields": ["a"]})).await;
    assert_eq!(persistent.status, 201);

    let v3 = with_collection(version("3.12.10")).await;
    for index_type in ["fulltext", "hash", "skiplist"] {
        let answer = create_index(&v3, json!({"type": index_type, "fields": ["a"]})).await;
        assert_eq!(answer.status, 201, "{index_type}: {}", answer.body);
    }
}

#[tokio::test]
async fn four_zero_has_no_aql_function_api() {
    let v4 = start_as(version("4.0.0")).await;
    for answer in [
        v4.get("/_api/aqlfunction").await,
        v4.post(
            "/_api/aqlfunction",
            json!({"name": "ns::f", "code": "function () { return 1; }"}),
        )
        .await,
        v4.delete("/_api/aqlfunction/ns::f").await,
    ] {
        answer.assert_error(404, 404);
        assert!(answer.body["errorMessage"]
            .as_str()
            .unwrap()
            .starts_with("unknown path '/_api/aqlfunction"));
    }
    // JavaScript transactions are not served in any version.
    v4.post(
        "/_api/transaction",
        json!({"collections": {}, "action": "function () {}"}),
    )
    .await
    .assert_error(404, 404);
}

#[tokio::test]
async fn traditional_names_in_3_11() {
    let old = start_as(version("3.11.14")).await;
    old.post("/_api/collection", json!({"name": "Ünïcode"}))
        .await
        .assert_error(400, 1208);
    old.post("/_api/database", json!({"name": "with space"}))
        .await
        .assert_error(400, 1208);
    assert_eq!(
        old.post("/_api/collection", json!({"name": "plain-name_1"}))
            .await
            .status,
        200
    );
    old.post(
        "/_api/index?collection=plain-name_1",
        json!({"type": "persistent", "fields": ["a"], "name": "with space"}),
    )
    .await
    .assert_error(400, 1208);
    let named = old
        .post(
            "/_api/index?collection=plain-name_1",
            json!({"type": "persistent", "fields": ["a"], "name": "by_a-1"}),
        )
        .await;
    assert_eq!(named.status, 201, "{}", named.body);
    let new = start_as(version("3.12.0")).await;
    assert_eq!(
        new.post("/_api/collection", json!({"name": "Ünïcode"}))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn user_defined_functions_off_still_stores_functions() {
    let emulator = start_as(Profile {
        user_defined_functions: false,
        ..Profile::default()
    })
    .await;
    let code = "function (x) { return x; }";
    let registered = emulator
        .post("/_api/aqlfunction", json!({"name": "ns::f", "code": code}))
        .await;
    assert_eq!(
        (registered.status, &registered.body),
        (
            201,
            &json!({"error": false, "code": 201, "isNewlyCreated": true})
        )
    );
    let listed = emulator.get("/_api/aqlfunction?namespace=ns").await;
    assert_eq!(listed.body["result"][0]["name"], "ns::f");
    // Calling it is what the option forbids: a parse error.
    for path in ["/_api/query", "/_api/cursor"] {
        let answer = emulator
            .post(path, json!({"query": "RETURN ns::f(1)"}))
            .await;
        answer.assert_error(400, 1501);
    }
    // Built-in functions are unaffected.
    let builtin = emulator
        .post("/_api/query", json!({"query": "RETURN MAX([1, 2])"}))
        .await;
    assert_eq!(builtin.status, 200, "{}", builtin.body);
    let deleted = emulator.delete("/_api/aqlfunction/ns::f").await;
    assert_eq!(
        (deleted.status, &deleted.body["deletedCount"]),
        (200, &json!(1))
    );

    // With the option on (the default), the same query parses.
    let default = start_as(Profile::default()).await;
    let parsed = default
        .post("/_api/query", json!({"query": "RETURN ns::f(1)"}))
        .await;
    assert_eq!(parsed.status, 200, "{}", parsed.body);
}

fn vector_index(params: Value) -> Value {
    json!({"type": "vector", "name": "vec", "fields": ["embedding"], "params": params})
}

async fn insert_vectors(emulator: &Emulator, count: usize) {
    let documents: Vec<Value> = (0..count)
        .map(|i| json!({"embedding": [i as f64, 1.0]}))
        .collect();
    let answer = emulator
        .post("/_api/document/c", Value::Array(documents))
        .await;
    assert!(answer.status < 300, "{}", answer.body);
}

#[tokio::test]
async fn vector_indexes_need_3_12_4_and_the_option() {
    let params = json!({"metric": "l2", "dimension": 2, "nLists": 1});
    for profile in [
        version("3.12.10"),
        with_vectors("3.12.3"),
        with_vectors("3.11.14"),
    ] {
        let emulator = with_collection(profile).await;
        let answer = create_index(&emulator, vector_index(params.clone())).await;
        answer.assert_error(400, 10);
        assert_eq!(answer.body["errorMessage"], "invalid index type 'vector'");
    }
}

#[tokio::test]
async fn vector_index_up_to_3_12_8_needs_training_data() {
    let emulator = with_collection(with_vectors("3.12.8")).await;
    let params = json!({"metric": "cosine", "dimension": 2, "nLists": 2});
    let empty = create_index(&emulator, vector_index(params.clone())).await;
    empty.assert_error(400, 4);
    insert_vectors(&emulator, 2).await;
    let created = create_index(&emulator, vector_index(params)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let mut body = created.body.clone();
    for key in ["id", "isNewlyCreated", "code", "error"] {
        body.as_object_mut().unwrap().remove(key);
    }
    assert_eq!(
        body,
        json!({"name": "vec", "type": "vector", "fields": ["embedding"], "sparse": false,
            "unique": false, "params": {"metric": "cosine", "dimension": 2, "nLists": 2,
            "defaultNProbe": 1, "trainingIterations": 25}})
    );
}

#[tokio::test]
async fn vector_metrics_and_stored_values_by_version() {
    let inner = json!({"metric": "innerProduct", "dimension": 2, "nLists": 1});
    let old = with_collection(with_vectors("3.12.5")).await;
    insert_vectors(&old, 1).await;
    create_index(&old, vector_index(inner.clone()))
        .await
        .assert_error(400, 10);
    let new = with_collection(with_vectors("3.12.6")).await;
    insert_vectors(&new, 1).await;
    let created = create_index(&new, vector_index(inner)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    // storedValues is read from 3.12.7 on; 3.12.6 ignores it.
    let mut stored = vector_index(json!({"metric": "l2", "dimension": 2, "nLists": 1}));
    stored["name"] = json!("stored");
    stored["storedValues"] = json!(["label"]);
    let ignored = create_index(&new, stored.clone()).await;
    assert!(
        ignored.body.get("storedValues").is_none(),
        "{}",
        ignored.body
    );
    let v7 = with_collection(with_vectors("3.12.7")).await;
    insert_vectors(&v7, 1).await;
    let kept = create_index(&v7, stored).await;
    assert_eq!(kept.body["storedValues"], json!(["label"]));
}

#[tokio::test]
async fn vector_index_from_3_12_9_trains_later() {
    let emulator = with_collection(with_vectors("3.12.9")).await;
    let params = json!({"metric": "l2", "dimension": 2, "nLists": 3});
    let created = create_index(&emulator, vector_index(params.clone())).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["trainingState"], "unusable");
    assert_eq!(
        created.body["errorMessage"],
        "not enough training data for vector index"
    );
    // nLists is still required in 3.12.9.
    let mut no_lists = vector_index(json!({"metric": "l2", "dimension": 2}));
    no_lists["name"] = json!("other");
    create_index(&emulator, no_lists)
        .await
        .assert_error(400, 10);

    insert_vectors(&emulator, 3).await;
    let id = created.body["id"].as_str().unwrap().to_string();
    let read = emulator.get(&format!("/_api/index/{id}")).await;
    assert_eq!(read.body["trainingState"], "ready");
    assert!(read.body.get("errorMessage").is_none(), "{}", read.body);
    // Ensuring the same definition again finds the index.
    let again = create_index(&emulator, vector_index(params)).await;
    assert_eq!((again.status, &again.body["id"]), (200, &json!(id)));
}

#[tokio::test]
async fn vector_nlists_scaling_from_3_12_10() {
    let emulator = with_collection(with_vectors("3.12.10")).await;
    let created = create_index(
        &emulator,
        vector_index(json!({"metric": "l2", "dimension": 2})),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.body["params"]["nLists"],
        json!({"strategy": "autoSqrt", "multiplier": 4, "minNLists": 2, "tiers": [
            {"threshold": 1_000_000, "fixedValue": 16384},
            {"threshold": 10_000_000, "fixedValue": 65536},
            {"threshold": 300_000_000, "fixedValue": 131_072},
        ]})
    );
    assert_eq!(created.body["params"]["numberOfDocsPerCentroid"], 100);
    assert_eq!(created.body["trainingState"], "unusable");
    // minNLists is the training threshold.
    insert_vectors(&emulator, 2).await;
    let id = created.body["id"].as_str().unwrap().to_string();
    let read = emulator.get(&format!("/_api/index/{id}")).await;
    assert_eq!(read.body["trainingState"], "ready");

    let mut bad = vector_index(json!({"metric": "l2", "dimension": 2,
        "nLists": {"strategy": "autoSqrt", "multiplier": 0.5, "minNLists": 1}}));
    bad["name"] = json!("bad");
    create_index(&emulator, bad).await.assert_error(400, 10);
    let mut scaled = vector_index(json!({"metric": "l2", "dimension": 2,
        "numberOfDocsPerCentroid": 10, "factory": "IVF{},Flat",
        "nLists": {"strategy": "autoSqrt", "multiplier": 2, "minNLists": 1}}));
    scaled["name"] = json!("scaled");
    let scaled = create_index(&emulator, scaled).await;
    assert_eq!(scaled.status, 201, "{}", scaled.body);
    assert_eq!(scaled.body["params"]["numberOfDocsPerCentroid"], 10);
    assert_eq!(scaled.body["params"]["factory"], "IVF{},Flat");
}

#[tokio::test]
async fn vector_training_failures_and_shard_details() {
    // python-arango's test_add_vector_index: nLists 2 with an IVF3 factory.
    let mismatch = json!({"metric": "cosine", "dimension": 2, "nLists": 2, "factory": "IVF3,Flat"});
    let v9 = with_collection(with_vectors("3.12.9")).await;
    insert_vectors(&v9, 4).await;
    create_index(&v9, vector_index(mismatch.clone()))
        .await
        .assert_error(400, 4);
    let v10 = with_collection(with_vectors("3.12.10")).await;
    insert_vectors(&v10, 4).await;
    let unusable = create_index(&v10, vector_index(mismatch)).await;
    assert_eq!(unusable.status, 201, "{}", unusable.body);
    assert_eq!(unusable.body["trainingState"], "unusable");
    assert_eq!(
        unusable.body["errorMessage"],
        "not enough training data for vector index"
    );
    let mut zero = vector_index(json!({"metric": "cosine", "dimension": 2, "nLists": 0}));
    zero["name"] = json!("zero");
    create_index(&v10, zero).await.assert_error(400, 10);

    let mut fixed = vector_index(json!({"metric": "l2", "dimension": 2, "nLists": 3}));
    fixed["name"] = json!("fixed");
    let fixed = create_index(&v10, fixed).await;
    assert_eq!(fixed.body["trainingState"], "ready", "{}", fixed.body);
    let listed = v10.get("/_api/index?collection=c&withHidden=true").await;
    let by_name = |name: &str| {
        listed.body["indexes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|index| index["name"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        by_name("fixed")["shards"],
        json!({"c": {"trainingState": "ready", "error": "", "resolvedNLists": 3}})
    );
    assert_eq!(
        by_name("vec")["shards"],
        json!({"c": {"trainingState": "unusable",
            "error": "not enough training data for vector index"}})
    );
    // Without withHidden, and before 3.12.10, there are no shard details.
    let plain = v10.get("/_api/index?collection=c").await;
    assert!(plain.body["indexes"][1].get("shards").is_none());
    let hidden = v9.get("/_api/index?collection=c&withHidden=true").await;
    assert!(hidden.body["indexes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|index| index.get("shards").is_none()));
}

#[tokio::test]
async fn supports_rbac_is_reported_from_3_12_8() {
    // RestCollectionGetCollectionName_single: the 3.11 transcript has no
    // `supportsRBAC`, the 3.12.10 one has it (first recorded with 3.12.8).
    for (text, reported) in [("3.11.14", false), ("3.12.7", false), ("3.12.8", true)] {
        let emulator = with_collection(version(text)).await;
        let properties = emulator.get("/_api/collection/c/properties").await;
        assert_eq!(properties.status, 200, "{}", properties.body);
        assert_eq!(
            properties.body.get("supportsRBAC").cloned(),
            reported.then_some(Value::Bool(true)),
            "{text}"
        );
    }
}

#[tokio::test]
async fn pregel_queries_collection_exists_only_on_3_11() {
    // arangosh_list_collections_single (3.11 and 3.12 transcripts).
    for (text, present) in [("3.11.14", true), ("3.12.10", false)] {
        let emulator = start_as(version(text)).await;
        let listed = emulator.get("/_api/collection").await;
        let names: Vec<&str> = listed.body["result"]
            .as_array()
            .expect("result")
            .iter()
            .filter_map(|c| c["name"].as_str())
            .collect();
        assert_eq!(
            names.contains(&"_pregel_queries"),
            present,
            "{text}: {names:?}"
        );
    }
}

#[tokio::test]
async fn unknown_collection_in_aql_is_worded_per_version() {
    // RestCursorCreateCursorUnknownCollection_single of 3.11 and 3.12.
    for (text, message) in [
        (
            "3.11.14",
            "AQL: collection or view not found: unknowncoll (while parsing)",
        ),
        ("3.12.10", "collection or view not found: unknowncoll"),
    ] {
        let emulator = start_as(version(text)).await;
        let answer = emulator
            .post(
                "/_api/cursor",
                json!({"query": "FOR u IN unknowncoll LIMIT 2 RETURN u"}),
            )
            .await;
        answer.assert_error(404, 1203);
        assert_eq!(answer.body["errorMessage"], message);
    }
}

#[tokio::test]
async fn edges_statistics_have_no_lookups_on_3_11() {
    // RestEdgesReadEdgesAny_single: 3.11 reports no documentLookups, seeks
    // or searchParallelism; 3.12.10 does.
    for (text, reported) in [("3.11.14", false), ("3.12.10", true)] {
        let emulator = start_as(version(text)).await;
        let created = emulator
            .post("/_api/collection", json!({"name": "e", "type": 3}))
            .await;
        assert_eq!(created.status, 200, "{}", created.body);
        let answer = emulator.get("/_api/edges/e?vertex=v/1").await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        for name in ["documentLookups", "seeks", "searchParallelism"] {
            assert_eq!(
                answer.body["stats"].get(name).is_some(),
                reported,
                "{text} {name}"
            );
        }
        assert_eq!(answer.body["stats"]["scannedIndex"], 0);
    }
}

/// `multi_delimiter` and `wildcard` are 3.12 analyzer types: 3.11 answers
/// a create of either as it answers a type it does not know.
#[tokio::test]
async fn analyzer_types_of_3_12_are_unknown_to_3_11() {
    let definitions = [
        json!({"name": "codes", "type": "multi_delimiter", "properties": {"delimiters": [",", ";"]}}),
        json!({"name": "pattern", "type": "wildcard", "properties": {"ngramSize": 3}}),
    ];
    let old = start_as(version("3.11.14")).await;
    let unknown = old
        .post("/_api/analyzer", json!({"name": "x", "type": "nope"}))
        .await;
    unknown.assert_error(501, 1003);
    for definition in &definitions {
        let refused = old.post("/_api/analyzer", definition.clone()).await;
        refused.assert_error(501, 1003);
        assert_eq!(
            refused.body["errorMessage"],
            format!(
                "Not implemented analyzer type '{}'.",
                definition["type"].as_str().expect("type")
            )
        );
    }
    let listed = old.get("/_api/analyzer").await;
    assert!(
        !listed.body.to_string().contains("codes"),
        "{}",
        listed.body
    );
    let new = start_as(version("3.12.0")).await;
    for definition in definitions {
        let created = new.post("/_api/analyzer", definition).await;
        assert!(created.status < 300, "{}", created.body);
    }
}
