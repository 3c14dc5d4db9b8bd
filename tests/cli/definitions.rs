//! Creates show the definition, through the real binary: a created index
//! of every type, a collection with a schema and computed values, a graph,
//! an analyzer, both view types and a feature function are shown with what
//! they will be (type, fields, the options that differ from the server's
//! defaults; a function's parameters and first query lines) in text,
//! Markdown and JSON; apply creates exactly that, and a second plan is
//! empty.

use serde_json::{json, Value};

use crate::support::{example_profile, snapshot_settings, stable, Harness};

/// A `places` collection with nothing but documents, created first so the
/// vector index has vectors to train on.
const PLACES_BARE: &str = "\
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: places
";

/// `places` with one index of every type.
const PLACES: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: places
spec:
  indexes:
    - {type: persistent, name: idx_places_code, fields: [code], unique: true, sparse: true}
    - {type: ttl, name: idx_places_expiry, fields: [expires_at], expireAfter: 3600}
    - {type: geo, name: idx_places_location, fields: [location], geoJson: true}
    - {type: fulltext, name: idx_places_description, fields: [description], minLength: 3}
    - {type: mdi, name: idx_places_xy, fields: [x, y], fieldValueTypes: double}
    - {type: mdi-prefixed, name: idx_places_region_xy, fields: [x, y], fieldValueTypes: double, prefixFields: [region]}
    - {type: zkd, name: idx_places_span, fields: [from, to], fieldValueTypes: double}
    - type: inverted
      name: idx_places_search
      fields:
        - {name: name, analyzer: place_text}
        - description
    - type: vector
      name: idx_places_embedding
      fields: [embedding]
      params: {metric: cosine, dimension: 3, nLists: 1}
"#;

/// A collection with a schema and computed values, an edge collection, a
/// graph, an analyzer, both view types and a feature function.
const OTHERS: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
spec:
  schema:
    level: moderate
    rule:
      type: object
      properties:
        email: {type: string, format: email}
      required: [email]
  computedValues:
    - {name: updated_at, expression: "RETURN DATE_ISO8601(DATE_NOW())", overwrite: true}
    - {name: domain, expression: "RETURN SUBSTRING_BYTES(@doc.email, 0, 3)", overwrite: false, computeOn: [insert]}
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: visited
spec:
  type: edge
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoGraph
metadata:
  name: travels
spec:
  edgeDefinitions:
    - {collection: visited, from: [users], to: [places]}
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoAnalyzer
metadata:
  name: place_text
spec:
  type: norm
  properties: {locale: en, case: lower}
  features: [frequency, norm]
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoView
metadata:
  name: place_catalog
spec:
  type: arangosearch
  commitIntervalMsec: 500
  links:
    places:
      fields:
        name: {analyzers: [place_text]}
        description: {}
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoView
metadata:
  name: place_search
spec:
  type: search-alias
  indexes:
    - {collection: places, index: idx_places_search}
"#;

/// A feature over seven lines: the plan shows five and counts the rest.
const FUNCTION: &str = "\
-- Feature: places_near_user
-- Version: 1
-- Description: The places a user visited.
-- Owner: geo@example.com
FOR u IN users
  FILTER u._key == @user_key
  FOR p IN 1..1 OUTBOUND u visited
    SORT p.name
    LIMIT 10
    RETURN p.name
";

/// The plan in text, Markdown and JSON, each with `--detailed-exitcode`
/// (2: changes pending), snapshotted as `definitions_{format}`. Returns the
/// JSON plan.
fn snapshot_plans(harness: &Harness) -> Value {
    let mut json_plan = Value::Null;
    for format in ["text", "markdown", "json"] {
        let run = harness.run(&["plan", "--detailed-exitcode", "--format", format]);
        assert_eq!(run.status, 2, "{format}: {run:?}");
        let output = stable(&run.stdout, harness);
        snapshot_settings().bind(|| {
            insta::assert_snapshot!(format!("definitions_{format}"), output);
        });
        if format == "json" {
            json_plan = serde_json::from_str(&run.stdout).expect("JSON plan");
        }
    }
    json_plan
}

/// The `fields` entry of the change at `address`, by `path`.
fn entry<'a>(plan: &'a Value, name: &str, path: &str) -> &'a Value {
    plan["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|change| change["address"]["name"] == name)
        .flat_map(|change| change["fields"].as_array().into_iter().flatten())
        .find(|entry| entry["path"] == path)
        .unwrap_or_else(|| panic!("no {path} for {name} in {plan}"))
}

#[test]
fn every_created_object_shows_its_definition() {
    let harness = Harness::with_profile(example_profile());
    harness.write("places.yaml", PLACES_BARE);
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    harness.post(
        "/_api/document/places",
        json!([
            {"name": "Oslo", "embedding": [1.0, 0.0, 0.0]},
            {"name": "Rome", "embedding": [0.0, 1.0, 0.0]},
            {"name": "Lima", "embedding": [0.0, 0.0, 1.0]},
        ]),
    );

    harness.write("places.yaml", PLACES);
    harness.write("others.yaml", OTHERS);
    harness.write("transformations/places_near_user_v1.aql", FUNCTION);
    let plan = snapshot_plans(&harness);

    // Every create lists its definition as added paths, and nothing else.
    let creates: Vec<&Value> = plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|change| change["action"] == "create")
        .collect();
    assert_eq!(creates.len(), 17, "{plan}");
    for change in &creates {
        let fields = change["fields"].as_array().expect("fields");
        // The registry entry of a created function: the function shows it.
        let registry = change["address"]["kind"] == "registryEntry";
        assert_eq!(fields.is_empty(), registry, "{change}");
        for field in fields {
            assert_eq!(field["op"], "add", "{change}");
            assert!(field.get("before").is_none(), "{change}");
        }
    }
    assert_eq!(
        entry(&plan, "idx_places_code", "unique"),
        &json!({"field": "unique", "path": "unique", "op": "add", "after": true})
    );
    // Server defaults are left out: a persistent index's `deduplicate`,
    // a vector index's `trainingIterations`.
    let code = creates
        .iter()
        .find(|change| change["address"]["name"] == "idx_places_code")
        .expect("idx_places_code");
    assert!(
        !code["fields"].to_string().contains("deduplicate"),
        "{code}"
    );
    assert!(!plan.to_string().contains("params.trainingIterations"));
    assert_eq!(
        entry(&plan, "users", "schema.rule.properties.email.format")["after"],
        "email"
    );
    assert_eq!(
        entry(&plan, "users", "computedValues[name=domain].computeOn")["after"],
        json!(["insert"])
    );
    assert_eq!(
        entry(&plan, "travels", "edgeDefinitions[collection=visited].from")["after"],
        json!(["users"])
    );
    assert_eq!(
        entry(&plan, "place_text", "properties.locale")["after"],
        "en"
    );
    assert_eq!(
        entry(&plan, "place_catalog", "links.places.fields.name.analyzers")["after"],
        json!(["place_text"])
    );
    assert_eq!(
        entry(&plan, "place_search", "indexes[collection=places].index")["after"],
        "idx_places_search"
    );
    assert_eq!(
        entry(&plan, "FEATURES::PLACES_NEAR_USER_V1", "query[5]")["after"],
        "… 1 more line"
    );

    let applied = harness.run(&["apply"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    let again = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.status, 0, "{again:?}");

    // Read back: what the plan showed is what the database holds.
    let indexes = harness.indexes("places");
    let find = |name: &str| {
        indexes
            .iter()
            .find(|index| index["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {indexes:?}"))
    };
    assert_eq!(
        (
            find("idx_places_code")["unique"].clone(),
            find("idx_places_code")["sparse"].clone()
        ),
        (json!(true), json!(true))
    );
    assert_eq!(find("idx_places_expiry")["expireAfter"], json!(3600));
    assert_eq!(find("idx_places_location")["geoJson"], json!(true));
    assert_eq!(find("idx_places_description")["minLength"], json!(3));
    assert_eq!(
        find("idx_places_region_xy")["prefixFields"],
        json!(["region"])
    );
    for (name, kind) in [
        ("idx_places_xy", "mdi"),
        ("idx_places_span", "zkd"),
        ("idx_places_search", "inverted"),
        ("idx_places_embedding", "vector"),
    ] {
        assert_eq!(find(name)["type"], kind, "{name}");
    }
    let users = harness.get("/_api/collection/users/properties");
    assert_eq!(users["schema"]["level"], "moderate", "{users}");
    assert_eq!(users["computedValues"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        harness.get("/_api/gharial/travels")["graph"]["edgeDefinitions"][0]["collection"],
        "visited"
    );
    assert_eq!(
        harness.get("/_api/analyzer/place_text")["properties"]["locale"],
        "en"
    );
    assert_eq!(
        harness.get("/_api/view/place_catalog/properties")["commitIntervalMsec"],
        500
    );
    assert_eq!(
        harness.get("/_api/view/place_search/properties")["indexes"][0]["index"],
        "idx_places_search"
    );
    let functions = harness.get("/_api/aqlfunction?namespace=FEATURES");
    assert!(
        functions
            .to_string()
            .contains("FEATURES::PLACES_NEAR_USER_V1"),
        "{functions}"
    );
}
