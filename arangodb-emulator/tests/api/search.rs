//! ArangoSearch over HTTP: analyzers, views and the read-back of inverted
//! indexes, checked against the bodies a real ArangoDB 3.12.10 answered in
//! the recorded examples (`shared/arangodb-transcripts/3.12.json` and
//! `3.12-all.json`; each test names its examples). Values that differ
//! between runs (ids, globally unique ids, generated index names) are
//! masked before comparing, as the transcripts' README says.

use serde_json::{json, Value};

use crate::support::start;

/// Copies the run-specific values of `expected` into `actual` after checking
/// that `actual` has them as strings, so the rest compares exactly.
fn masked(mut actual: Value, expected: &Value) -> Value {
    for key in ["id", "globallyUniqueId", "name"] {
        if let (Some(expected_value), Some(actual_value)) = (expected.get(key), actual.get(key)) {
            let is_generated = key != "name"
                || expected_value
                    .as_str()
                    .is_some_and(|name| name.starts_with("idx_"));
            if is_generated {
                assert!(actual_value.is_string(), "{key} of {actual}");
                actual[key] = expected_value.clone();
            }
        }
    }
    actual
}

fn builtin_text(locale: &str) -> Value {
    json!({
        "name": format!("text_{locale}"), "type": "text",
        "properties": {"locale": locale, "case": "lower", "stopwords": [], "accent": false,
                       "stemming": locale != "zh"},
        "features": ["frequency", "position", "norm"],
    })
}

#[tokio::test]
async fn builtin_analyzers_are_listed_as_recorded() {
    // RestAnalyzersGet_single, analyzerProperties_single.
    let emulator = start().await;
    let list = emulator.get("/_api/analyzer").await;
    let mut expected = Vec::new();
    for name in [
        "es", "nl", "identity", "de", "no", "pt", "ru", "en", "it", "fi", "sv", "zh", "fr",
    ] {
        expected.push(if name == "identity" {
            json!({"name": "identity", "type": "identity", "properties": {},
                   "features": ["frequency", "norm"]})
        } else {
            builtin_text(name)
        });
    }
    assert_eq!(
        (list.status, list.body),
        (
            200,
            json!({"error": false, "code": 200, "result": expected})
        )
    );
    let text_en = emulator.get("/_api/analyzer/text_en").await;
    let mut expected = builtin_text("en");
    expected["error"] = json!(false);
    expected["code"] = json!(200);
    assert_eq!((text_en.status, text_en.body), (200, expected));
}

#[tokio::test]
async fn analyzer_create_read_delete() {
    let emulator = start().await;
    // RestAnalyzerPost_single.
    let created = emulator
        .post(
            "/_api/analyzer",
            json!({"name": "testAnalyzer", "type": "identity"}),
        )
        .await;
    assert_eq!(
        (created.status, created.body),
        (
            201,
            json!({"name": "_system::testAnalyzer", "type": "identity", "properties": {}, "features": []})
        )
    );
    // The same definition again is the existing analyzer (200).
    let again = emulator
        .post(
            "/_api/analyzer",
            json!({"name": "testAnalyzer", "type": "identity", "properties": {}, "features": []}),
        )
        .await;
    assert_eq!(again.status, 200);
    // Another definition under the same name is refused.
    let collision = emulator
        .post(
            "/_api/analyzer",
            json!({"name": "testAnalyzer", "type": "identity", "features": ["frequency"]}),
        )
        .await;
    collision.assert_error(400, 10);
    assert!(collision.body["errorMessage"]
        .as_str()
        .unwrap()
        .starts_with("Name collision detected while registering an arangosearch analyzer."));
    // RestAnalyzerGet_single.
    let read = emulator.get("/_api/analyzer/testAnalyzer").await;
    assert_eq!(
        (read.status, read.body),
        (
            200,
            json!({"error": false, "code": 200, "features": [], "properties": {},
                   "type": "identity", "name": "_system::testAnalyzer"})
        )
    );
    // RestAnalyzerDelete_single.
    let deleted = emulator.delete("/_api/analyzer/testAnalyzer").await;
    assert_eq!(
        (deleted.status, deleted.body),
        (
            200,
            json!({"error": false, "code": 200, "name": "_system::testAnalyzer"})
        )
    );
    emulator
        .get("/_api/analyzer/testAnalyzer")
        .await
        .assert_error(404, 1202);
    emulator
        .delete("/_api/analyzer/testAnalyzer")
        .await
        .assert_error(404, 1202);
    emulator
        .delete("/_api/analyzer/identity")
        .await
        .assert_error(403, 11);
}

#[tokio::test]
async fn analyzer_properties_and_features_are_normalised() {
    let emulator = start().await;
    // analyzerCreate_single: features come back in the server's order.
    let csv = emulator
        .post(
            "/_api/analyzer",
            json!({"name": "csv", "type": "delimiter", "properties": {"delimiter": ","},
                   "features": ["frequency", "norm", "position"]}),
        )
        .await;
    assert_eq!(
        csv.body,
        json!({"name": "_system::csv", "type": "delimiter", "properties": {"delimiter": ","},
               "features": ["frequency", "position", "norm"]})
    );
    // analyzerTextOffset_single: text defaults filled in.
    let text = emulator
        .post(
            "/_api/analyzer",
            json!({"name": "text_en_offset", "type": "text",
                   "properties": {"locale": "en", "stopwords": []},
                   "features": ["frequency", "position", "offset"]}),
        )
        .await;
    assert_eq!(
        (text.status, text.body),
        (
            201,
            json!({"name": "_system::text_en_offset", "type": "text",
                   "properties": {"locale": "en", "case": "lower", "stopwords": [], "accent": false, "stemming": true},
                   "features": ["frequency", "position", "offset"]})
        )
    );
    for (body, status, error_num) in [
        (json!({"name": "1bad", "type": "identity"}), 400, 10),
        (json!({"name": "x", "type": "no_such_type"}), 501, 1003),
        (
            json!({"name": "x", "type": "delimiter", "properties": {}}),
            400,
            10,
        ),
        (
            json!({"name": "x", "type": "text", "properties": {"locale": "en"}, "features": ["offset"]}),
            400,
            10,
        ),
        (json!({"type": "identity"}), 400, 10),
        (json!({"name": "other::x", "type": "identity"}), 403, 11),
    ] {
        emulator
            .post("/_api/analyzer", body)
            .await
            .assert_error(status, error_num);
    }
    // Another database sees its own analyzers and those of _system.
    emulator
        .post("/_api/database", json!({"name": "shop"}))
        .await;
    let own = emulator
        .post(
            "/_db/shop/_api/analyzer",
            json!({"name": "mine", "type": "identity"}),
        )
        .await;
    assert_eq!(own.body["name"], "shop::mine");
    let list = emulator.get("/_db/shop/_api/analyzer").await;
    let names: Vec<&str> = list.body["result"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|analyzer| analyzer["name"].as_str())
        .filter(|name| name.contains("::"))
        .collect();
    assert_eq!(
        names,
        ["shop::mine", "_system::csv", "_system::text_en_offset"]
    );
    let system = emulator.get("/_db/shop/_api/analyzer/::csv").await;
    assert_eq!(system.body["name"], "_system::csv");
    emulator
        .get("/_api/analyzer/shop::mine")
        .await
        .assert_error(403, 11);
}

#[tokio::test]
async fn analyzers_in_use_need_force() {
    // RestAnalyzerDeleteForce_single.
    let emulator = start().await;
    emulator
        .post(
            "/_api/analyzer",
            json!({"name": "testAnalyzer", "type": "identity"}),
        )
        .await;
    emulator
        .post("/_api/collection", json!({"name": "testCollection"}))
        .await;
    let view = emulator
        .post(
            "/_api/view",
            json!({"name": "testView", "type": "arangosearch",
                   "links": {"testCollection": {"analyzers": ["testAnalyzer"]}}}),
        )
        .await;
    assert_eq!(view.status, 201);
    assert_eq!(
        view.body["links"]["testCollection"]["analyzers"],
        json!(["testAnalyzer"])
    );
    let refused = emulator
        .delete("/_api/analyzer/testAnalyzer?force=false")
        .await;
    refused.assert_error(409, 1200);
    assert_eq!(
        refused.body["errorMessage"],
        "analyzer in-use while removing arangosearch analyzer '_system::testAnalyzer'"
    );
    let forced = emulator
        .delete("/_api/analyzer/testAnalyzer?force=true")
        .await;
    assert_eq!(
        (forced.status, forced.body),
        (
            200,
            json!({"error": false, "code": 200, "name": "_system::testAnalyzer"})
        )
    );
    // An inverted index using an analyzer holds it too.
    emulator
        .post(
            "/_api/analyzer",
            json!({"name": "other", "type": "identity"}),
        )
        .await;
    emulator
        .post(
            "/_api/index?collection=testCollection",
            json!({"type": "inverted", "fields": [{"name": "a", "analyzer": "other"}]}),
        )
        .await;
    emulator
        .delete("/_api/analyzer/other")
        .await
        .assert_error(409, 1200);
}

/// The body of `RestIndexCreateNewInverted_single` (3.12.10).
fn recorded_inverted_index() -> Value {
    json!({
        "analyzer": "identity",
        "cleanupIntervalStep": 2,
        "commitIntervalMsec": 1000,
        "consolidationIntervalMsec": 5000,
        "consolidationPolicy": {"type": "tier", "segmentsBytesMax": 8589934592_u64,
                                "maxSkewThreshold": 0.4, "minDeletionRatio": 0.5},
        "features": ["frequency", "norm"],
        "fields": [
            {"name": "a"},
            {"features": ["frequency", "position", "norm"], "analyzer": "text_en", "name": "b"}
        ],
        "id": "products/73987",
        "includeAllFields": false,
        "isNewlyCreated": true,
        "name": "idx_1872607108457824256",
        "optimizeTopK": [],
        "primarySort": {"fields": [], "compression": "lz4"},
        "searchField": false,
        "sparse": true,
        "storedValues": [],
        "trackListPositions": false,
        "type": "inverted",
        "unique": false,
        "version": 1,
        "writebufferActive": 0,
        "writebufferIdle": 64,
        "writebufferSizeMax": 33554432,
        "code": 201,
        "error": false
    })
}

#[tokio::test]
async fn inverted_index_reads_back_like_the_real_server() {
    let emulator = start().await;
    emulator
        .post("/_api/collection", json!({"name": "products"}))
        .await;
    let request =
        json!({"type": "inverted", "fields": ["a", {"name": "b", "analyzer": "text_en"}]});
    let created = emulator
        .post("/_api/index?collection=products", request.clone())
        .await;
    let expected = recorded_inverted_index();
    assert_eq!(created.status, 201);
    assert_eq!(masked(created.body.clone(), &expected), expected);
    // Key order as recorded, too (the envelope keys are placed by the
    // generic index route).
    let definition_keys = |body: &Value| -> Vec<String> {
        body.as_object()
            .unwrap()
            .keys()
            .filter(|key| !matches!(key.as_str(), "isNewlyCreated" | "error" | "code"))
            .cloned()
            .collect()
    };
    assert_eq!(definition_keys(&created.body), definition_keys(&expected));

    // The same request again is the existing index.
    let again = emulator
        .post("/_api/index?collection=products", request)
        .await;
    assert_eq!(
        (again.status, &again.body["id"]),
        (200, &created.body["id"])
    );

    // GET /_api/index lists the same object.
    let listed = emulator.get("/_api/index?collection=products").await;
    let index = listed.body["indexes"][1].clone();
    let mut expected_listed = expected.clone();
    for key in ["isNewlyCreated", "code", "error"] {
        expected_listed.as_object_mut().unwrap().remove(key);
    }
    assert_eq!(masked(index, &expected_listed), expected_listed);

    // The replication inventory shows it with a bare numeric id.
    let batch = emulator
        .post("/_api/replication/batch", json!({"ttl": 30}))
        .await;
    let inventory = emulator
        .get(&format!(
            "/_api/replication/inventory?batchId={}&includeSystem=false",
            batch.body["id"].as_str().unwrap()
        ))
        .await;
    let products = inventory.body["collections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|collection| collection["parameters"]["name"] == "products")
        .cloned()
        .unwrap();
    let mut expected_inventory = expected_listed.clone();
    expected_inventory["id"] = json!("73987");
    assert_eq!(
        masked(products["indexes"][0].clone(), &expected_inventory),
        expected_inventory
    );

    // collectionIndexesStats_single: a field without analyzer is just its name.
    let plain = emulator
        .post(
            "/_api/index?collection=products",
            json!({"type": "inverted", "name": "inv-idx", "fields": ["attr"]}),
        )
        .await;
    assert_eq!(plain.body["fields"], json!([{"name": "attr"}]));
    assert_eq!(plain.body["features"], json!(["frequency", "norm"]));

    // An analyzer the database does not have is refused.
    emulator
        .post(
            "/_api/index?collection=products",
            json!({"type": "inverted", "fields": [{"name": "c", "analyzer": "missing"}]}),
        )
        .await
        .assert_error(400, 10);
}

/// The properties a new arangosearch view reports (`RestViewPostViewArangoSearch_single`).
fn recorded_view(name: &str, links: Value) -> Value {
    json!({
        "globallyUniqueId": "h5C3DDE5391BF/74987",
        "id": "74987",
        "name": name,
        "type": "arangosearch",
        "cleanupIntervalStep": 2,
        "commitIntervalMsec": 1000,
        "consolidationIntervalMsec": 5000,
        "consolidationPolicy": {"type": "tier", "segmentsBytesMax": 8589934592_u64,
                                "maxSkewThreshold": 0.4, "minDeletionRatio": 0.5},
        "optimizeTopK": [],
        "primarySort": [],
        "primarySortCompression": "lz4",
        "storedValues": [],
        "writebufferActive": 0,
        "writebufferIdle": 64,
        "writebufferSizeMax": 33554432,
        "links": links,
    })
}

fn link(fields: Value, include_all_fields: bool) -> Value {
    json!({"analyzers": ["identity"], "fields": fields, "includeAllFields": include_all_fields,
           "storeValues": "none", "trackListPositions": false})
}

#[tokio::test]
async fn arangosearch_views_as_recorded() {
    let emulator = start().await;
    // RestViewPostViewArangoSearch_single.
    let created = emulator
        .post(
            "/_api/view",
            json!({"name": "products", "type": "arangosearch"}),
        )
        .await;
    let expected = recorded_view("products", json!({}));
    assert_eq!(created.status, 201);
    assert_eq!(masked(created.body.clone(), &expected), expected);
    let keys: Vec<&String> = created.body.as_object().unwrap().keys().collect();
    let expected_keys: Vec<&String> = expected.as_object().unwrap().keys().collect();
    assert_eq!(keys, expected_keys);
    let id = created.body["id"].as_str().unwrap().to_string();
    // Views and collections share one namespace.
    emulator
        .post(
            "/_api/view",
            json!({"name": "products", "type": "arangosearch"}),
        )
        .await
        .assert_error(409, 1207);
    emulator
        .post("/_api/collection", json!({"name": "products"}))
        .await
        .assert_error(409, 1207);
    // RestViewGetViewNameArangoSearch_single / ...Identifier...
    for handle in ["products", id.as_str()] {
        let summary = emulator.get(&format!("/_api/view/{handle}")).await;
        assert_eq!(
            summary.body,
            json!({"error": false, "code": 200, "type": "arangosearch", "name": "products",
                   "id": id, "globallyUniqueId": created.body["globallyUniqueId"]})
        );
    }
    // RestViewGetAllViews_single.
    let list = emulator.get("/_api/view").await;
    assert_eq!(
        list.body,
        json!({"error": false, "code": 200, "result": [
            {"globallyUniqueId": created.body["globallyUniqueId"], "id": id,
             "name": "products", "type": "arangosearch"}]})
    );
    // RestViewPutRename_single.
    let renamed = emulator
        .put("/_api/view/products/rename", json!({"name": "catalogView"}))
        .await;
    let expected = recorded_view("catalogView", json!({}));
    assert_eq!(
        (renamed.status, masked(renamed.body, &expected)),
        (200, expected)
    );
    // RestViewDeleteViewIdentifierArangoSearch_single.
    let dropped = emulator.delete(&format!("/_api/view/{id}")).await;
    assert_eq!(
        dropped.body,
        json!({"error": false, "code": 200, "result": true})
    );
    emulator
        .get("/_api/view/catalogView")
        .await
        .assert_error(404, 1203);
    emulator
        .delete("/_api/view/catalogView")
        .await
        .assert_error(404, 1203);
}

#[tokio::test]
async fn arangosearch_view_properties_put_and_patch() {
    let emulator = start().await;
    for name in ["users", "products"] {
        emulator
            .post("/_api/collection", json!({"name": name}))
            .await;
    }
    // RestViewPutPropertiesArangoSearch_single.
    emulator
        .post(
            "/_api/view",
            json!({"name": "productsView", "type": "arangosearch", "commitIntervalMsec": 1337,
                   "links": {"users": {}, "products": {}}}),
        )
        .await;
    let replaced = emulator
        .put(
            "/_api/view/productsView/properties",
            json!({"cleanupIntervalStep": 12, "links": {"products": {"fields": {"description": {"analyzers": ["text_en"]}}}}}),
        )
        .await;
    let mut expected = recorded_view(
        "productsView",
        json!({"products": link(json!({"description": {"analyzers": ["text_en"]}}), false)}),
    );
    expected["cleanupIntervalStep"] = json!(12);
    assert_eq!(
        (replaced.status, masked(replaced.body, &expected)),
        (200, expected.clone())
    );
    // RestViewGetViewPropertiesNameArangoSearch_single (envelope merged in).
    let properties = emulator.get("/_api/view/productsView/properties").await;
    let mut expected_properties = expected.clone();
    expected_properties["error"] = json!(false);
    expected_properties["code"] = json!(200);
    assert_eq!(
        masked(properties.body, &expected_properties),
        expected_properties
    );
    emulator.delete("/_api/view/productsView").await;

    // RestViewPatchPropertiesArangoSearch_single.
    emulator
        .post(
            "/_api/view",
            json!({"name": "productsView", "type": "arangosearch", "cleanupIntervalStep": 666,
                   "commitIntervalMsec": 666, "consolidationIntervalMsec": 666,
                   "links": {"users": {"includeAllFields": true},
                             "products": {"fields": {"description": {"analyzers": ["text_en"]}}}}}),
        )
        .await;
    let patched = emulator
        .patch(
            "/_api/view/productsView/properties",
            json!({"cleanupIntervalStep": 12, "links": {"products": null}}),
        )
        .await;
    let mut expected = recorded_view("productsView", json!({"users": link(json!({}), true)}));
    expected["cleanupIntervalStep"] = json!(12);
    expected["commitIntervalMsec"] = json!(666);
    expected["consolidationIntervalMsec"] = json!(666);
    assert_eq!(
        (patched.status, masked(patched.body, &expected)),
        (200, expected)
    );
    // Dropping a linked collection removes its link; a link to a missing
    // collection is refused.
    emulator.delete("/_api/collection/users").await;
    let properties = emulator.get("/_api/view/productsView/properties").await;
    assert_eq!(properties.body["links"], json!({}));
    let missing = emulator
        .patch(
            "/_api/view/productsView/properties",
            json!({"links": {"users": {}}}),
        )
        .await;
    missing.assert_error(404, 1203);
    // The wording of ArangoDB's own API test for views.
    assert_eq!(
        missing.body["errorMessage"],
        "while validating arangosearch link definition, error: collection 'users' not found"
    );
    emulator
        .patch(
            "/_api/view/productsView/properties",
            json!({"links": {"products": {"analyzers": ["missing"]}}}),
        )
        .await
        .assert_error(400, 10);
}

#[tokio::test]
async fn search_alias_views_as_recorded() {
    let emulator = start().await;
    emulator
        .post("/_api/collection", json!({"name": "books"}))
        .await;
    for (name, field) in [("inv_title", "title"), ("inv_descr", "description")] {
        emulator
            .post(
                "/_api/index?collection=books",
                json!({"type": "inverted", "name": name, "fields": [field]}),
            )
            .await;
    }
    emulator
        .post(
            "/_api/index?collection=books",
            json!({"type": "persistent", "name": "plain", "fields": ["x"]}),
        )
        .await;
    let alias = |indexes: Value| {
        json!({"globallyUniqueId": "h5C3DDE5391BF/75172", "id": "75172", "name": "productsView",
               "type": "search-alias", "indexes": indexes})
    };
    // RestViewPostViewSearchAlias_single.
    let created = emulator
        .post(
            "/_api/view",
            json!({"name": "productsView", "type": "search-alias",
                   "indexes": [{"collection": "books", "index": "inv_title"}]}),
        )
        .await;
    let expected = alias(json!([{"collection": "books", "index": "inv_title"}]));
    assert_eq!(
        (created.status, masked(created.body, &expected)),
        (201, expected)
    );
    // RestViewPatchPropertiesSearchAlias_single: PATCH adds.
    let patched = emulator
        .patch(
            "/_api/view/productsView/properties",
            json!({"indexes": [{"collection": "books", "index": "inv_descr"}]}),
        )
        .await;
    let expected = alias(json!([{"collection": "books", "index": "inv_title"},
                                {"collection": "books", "index": "inv_descr"}]));
    assert_eq!(
        (patched.status, masked(patched.body, &expected)),
        (200, expected)
    );
    // viewModifyPropertiesSearchAlias_single: `del` removes.
    let deleted = emulator
        .patch(
            "/_api/view/productsView/properties",
            json!({"indexes": [{"collection": "books", "index": "inv_title", "operation": "del"}]}),
        )
        .await;
    assert_eq!(
        deleted.body["indexes"],
        json!([{"collection": "books", "index": "inv_descr"}])
    );
    // RestViewPutPropertiesSearchAlias_single: PUT replaces.
    let replaced = emulator
        .put(
            "/_api/view/productsView/properties",
            json!({"indexes": [{"collection": "books", "index": "inv_title"}]}),
        )
        .await;
    let expected = alias(json!([{"collection": "books", "index": "inv_title"}]));
    assert_eq!(
        (replaced.status, masked(replaced.body, &expected)),
        (200, expected)
    );
    // RestViewGetViewPropertiesNameSearchAlias_single.
    let properties = emulator.get("/_api/view/productsView/properties").await;
    assert_eq!(properties.body["error"], false);
    assert_eq!(
        properties.body["indexes"],
        json!([{"collection": "books", "index": "inv_title"}])
    );
    // Only existing inverted indexes can be referenced.
    emulator
        .patch(
            "/_api/view/productsView/properties",
            json!({"indexes": [{"collection": "books", "index": "nope"}]}),
        )
        .await
        .assert_error(400, 10);
    emulator
        .patch(
            "/_api/view/productsView/properties",
            json!({"indexes": [{"collection": "books", "index": "plain"}]}),
        )
        .await
        .assert_error(400, 10);
    // Dropping the index takes it out of the view.
    emulator.delete("/_api/index/books/inv_title").await;
    let properties = emulator.get("/_api/view/productsView/properties").await;
    assert_eq!(properties.body["indexes"], json!([]));

    // The replication inventory lists the view.
    let batch = emulator
        .post("/_api/replication/batch", json!({"ttl": 30}))
        .await;
    let inventory = emulator
        .get(&format!(
            "/_api/replication/inventory?batchId={}",
            batch.body["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(inventory.body["views"][0]["name"], "productsView");
    assert_eq!(inventory.body["views"][0]["type"], "search-alias");
}

#[tokio::test]
async fn a_3_11_server_reports_its_own_search_defaults() {
    // RestIndexCreateNewInverted_single and RestViewPostViewArangoSearch_single
    // of the 3.11 transcripts (3.11.14): older consolidation defaults and no
    // optimizeTopK.
    let emulator = crate::support::start_with(arangodb_emulator::Config {
        root_password: crate::support::ROOT_PASSWORD.into(),
        profile: arangodb_emulator::Profile {
            version: arangodb_emulator::Version::new(3, 11, 14),
            ..arangodb_emulator::Profile::default()
        },
        ..arangodb_emulator::Config::default()
    })
    .await;
    let policy = json!({"type": "tier", "segmentsBytesFloor": 2097152, "segmentsBytesMax": 5368709120_u64,
                        "segmentsMax": 10, "segmentsMin": 1, "minScore": 0});
    emulator
        .post("/_api/collection", json!({"name": "products"}))
        .await;
    let index = emulator
        .post(
            "/_api/index?collection=products",
            json!({"type": "inverted", "fields": ["a", {"name": "b", "analyzer": "text_en"}]}),
        )
        .await;
    let mut expected = recorded_inverted_index();
    expected["consolidationIntervalMsec"] = json!(1000);
    expected["consolidationPolicy"] = policy.clone();
    expected.as_object_mut().unwrap().remove("optimizeTopK");
    assert_eq!(masked(index.body, &expected), expected);
    let view = emulator
        .post(
            "/_api/view",
            json!({"name": "productsView", "type": "arangosearch"}),
        )
        .await;
    let mut expected = recorded_view("productsView", json!({}));
    expected["consolidationIntervalMsec"] = json!(1000);
    expected["consolidationPolicy"] = policy;
    expected.as_object_mut().unwrap().remove("optimizeTopK");
    assert_eq!(masked(view.body, &expected), expected);
    let list = emulator.get("/_api/analyzer").await;
    assert_eq!(list.body["result"][0]["name"], "text_fi");
    assert_eq!(list.body["result"][8]["name"], "identity");
}

#[tokio::test]
async fn read_only_users_read_but_do_not_change_search_objects() {
    use reqwest::Method;
    let emulator = start().await;
    emulator
        .post("/_api/user", json!({"user": "reader", "passwd": "pw"}))
        .await;
    emulator
        .put("/_api/user/reader/database/_system", json!({"grant": "ro"}))
        .await;
    emulator
        .post("/_api/view", json!({"name": "v", "type": "arangosearch"}))
        .await;
    let reader = ("reader", "pw");
    for path in [
        "/_api/analyzer",
        "/_api/analyzer/identity",
        "/_api/view",
        "/_api/view/v/properties",
    ] {
        let answer = emulator.call_as(reader, Method::GET, path, None).await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    }
    for (method, path, body) in [
        (
            Method::POST,
            "/_api/analyzer",
            Some(json!({"name": "a", "type": "identity"})),
        ),
        (
            Method::POST,
            "/_api/view",
            Some(json!({"name": "w", "type": "arangosearch"})),
        ),
        (
            Method::PATCH,
            "/_api/view/v/properties",
            Some(json!({"cleanupIntervalStep": 3})),
        ),
        (Method::DELETE, "/_api/view/v", None),
    ] {
        emulator
            .call_as(reader, method, path, body)
            .await
            .assert_error(403, 11);
    }
}

#[tokio::test]
async fn a_coordinator_does_not_rename_views() {
    let emulator = crate::support::start_with(arangodb_emulator::Config {
        root_password: crate::support::ROOT_PASSWORD.into(),
        profile: arangodb_emulator::Profile {
            role: arangodb_emulator::Role::Coordinator,
            ..arangodb_emulator::Profile::default()
        },
        ..arangodb_emulator::Config::default()
    })
    .await;
    emulator
        .post("/_api/view", json!({"name": "v", "type": "arangosearch"}))
        .await;
    emulator
        .put("/_api/view/v/rename", json!({"name": "w"}))
        .await
        .assert_error(501, 1470);
    emulator
        .put("/_api/view/missing/rename", json!({"name": "w"}))
        .await
        .assert_error(404, 1203);
}
