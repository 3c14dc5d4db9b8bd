//! Structural diffs through the real binary: a nested value that changed
//! (a schema rule, computed values, a graph's edge definitions) is shown
//! as the paths that changed, in text, Markdown and JSON, never as two
//! copies of the whole value; apply then makes exactly that change.

use serde_json::{json, Value};

use crate::support::{snapshot_settings, stable, Harness};

/// The plan of the spec tree as it is now, in text, Markdown and JSON,
/// each with `--detailed-exitcode` (2: changes pending), snapshotted as
/// `{name}_text`, `{name}_markdown` and `{name}_json`. Returns the JSON.
fn snapshot_plans(harness: &Harness, name: &str) -> Value {
    let mut json_plan = None;
    for format in ["text", "markdown", "json"] {
        let run = harness.run(&["plan", "--detailed-exitcode", "--format", format]);
        assert_eq!(run.status, 2, "{format}: {run:?}");
        assert!(run.stderr.is_empty() || format == "text", "{run:?}");
        let output = stable(&run.stdout, harness);
        snapshot_settings().bind(|| {
            insta::assert_snapshot!(format!("{name}_{format}"), output);
        });
        if format == "json" {
            json_plan = Some(serde_json::from_str::<Value>(&run.stdout).expect("JSON plan"));
        }
    }
    json_plan.unwrap_or(Value::Null)
}

/// Applies, then checks that a new plan has nothing left to do.
fn apply_and_settle(harness: &Harness) {
    let applied = harness.run(&["apply"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    let again = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.status, 0, "{again:?}");
}

/// A `users` collection whose schema has 40 string properties besides
/// `email`, whose definition is `email`.
fn users_with_large_schema(email: &str) -> String {
    let mut spec = String::from(
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: users\nspec:\n  schema:\n    level: strict\n    rule:\n      type: object\n      properties:\n",
    );
    for index in 0..40 {
        spec.push_str(&format!(
            "        attribute_{index:02}: {{type: string, maxLength: 64}}\n"
        ));
    }
    spec.push_str(&format!("        email: {email}\n"));
    spec.push_str("      required: [email, attribute_00]\n");
    spec
}

#[test]
fn a_one_line_change_inside_a_large_schema_shows_only_that_path() {
    let harness = Harness::new();
    harness.write("users.yaml", &users_with_large_schema("{type: string}"));
    let created = harness.run(&["apply", "--create-database"]);
    assert_eq!(created.status, 0, "{created:?}");

    harness.write(
        "users.yaml",
        &users_with_large_schema("{type: string, format: email}"),
    );
    let plan = snapshot_plans(&harness, "structural_large_schema");
    // The one changed path, and nothing of the other 40 properties.
    assert_eq!(
        plan["changes"][0]["fields"],
        json!([{"field": "schema", "path": "schema.rule.properties.email.format",
                "op": "add", "after": "email"}])
    );
    // (The JSON's `steps` still carry the request body, the whole schema.)
    for format in ["text", "markdown"] {
        let run = harness.run(&["plan", "--format", format]);
        assert!(!run.stdout.contains("attribute_"), "{format}: {run:?}");
    }

    apply_and_settle(&harness);
    let schema = &harness.get("/_api/collection/users/properties")["schema"];
    assert_eq!(
        schema["rule"]["properties"]["email"],
        json!({"type": "string", "format": "email"}),
        "{schema}"
    );
    assert_eq!(
        schema["rule"]["properties"]["attribute_39"],
        json!({"type": "string", "maxLength": 64}),
        "{schema}"
    );
}

const EVENTS: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: events
spec:
  computedValues:
    - {name: created_at, expression: "RETURN DATE_ISO8601(DATE_NOW())", overwrite: false, computeOn: [insert]}
    - {name: updated_at, expression: "RETURN DATE_ISO8601(DATE_NOW())", overwrite: true, computeOn: [insert, update]}
    - {name: day, expression: "RETURN LEFT(@doc.at, 10)", overwrite: true, computeOn: [insert]}
"#;

#[test]
fn computed_values_are_matched_by_name() {
    let harness = Harness::new();
    harness.write("events.yaml", EVENTS);
    let created = harness.run(&["apply", "--create-database"]);
    assert_eq!(created.status, 0, "{created:?}");

    // `updated_at` also on replace, `day` gone, `source` new; `created_at`
    // stays as it is and so is not shown. (`computeOn` is compared as the
    // sorted set the server keeps, so `replace` lands at [1].)
    let changed = EVENTS
        .replace("computeOn: [insert, update]", "computeOn: [insert, update, replace]")
        .replace(
            r#"    - {name: day, expression: "RETURN LEFT(@doc.at, 10)", overwrite: true, computeOn: [insert]}"#,
            r#"    - {name: source, expression: "RETURN 'api'", overwrite: false, computeOn: [insert]}"#,
        );
    harness.write("events.yaml", &changed);
    let plan = snapshot_plans(&harness, "structural_computed_values");
    let paths: Vec<&str> = plan["changes"][0]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|field| field["path"].as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "computedValues[name=updated_at].computeOn[1]",
            "computedValues[name=source]",
            "computedValues[name=day]",
        ]
    );

    apply_and_settle(&harness);
    let computed = &harness.get("/_api/collection/events/properties")["computedValues"];
    let names: Vec<&str> = computed
        .as_array()
        .expect("computed values")
        .iter()
        .filter_map(|value| value["name"].as_str())
        .collect();
    assert_eq!(names, ["created_at", "updated_at", "source"], "{computed}");
    assert_eq!(
        computed[1]["computeOn"],
        json!(["insert", "replace", "update"]),
        "{computed}"
    );
}

const GRAPH: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: products
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: pages
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: viewed
spec:
  type: edge
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: bought
spec:
  type: edge
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoGraph
metadata:
  name: interactions
spec:
  edgeDefinitions:
    - {collection: viewed, from: [users], to: [products]}
    - {collection: bought, from: [users], to: [products]}
"#;

#[test]
fn edge_definitions_are_matched_by_collection() {
    let harness = Harness::new();
    harness.write("graph.yaml", GRAPH);
    let created = harness.run(&["apply", "--create-database"]);
    assert_eq!(created.status, 0, "{created:?}");

    // `viewed` now also reaches pages; `bought` is unchanged (and listed
    // first: order does not matter). `to` is kept sorted, so pages is [0].
    let changed = GRAPH.replace(
        "    - {collection: viewed, from: [users], to: [products]}\n    - {collection: bought, from: [users], to: [products]}\n",
        "    - {collection: bought, from: [users], to: [products]}\n    - {collection: viewed, from: [users], to: [products, pages]}\n",
    );
    assert_ne!(changed, GRAPH);
    harness.write("graph.yaml", &changed);
    let plan = snapshot_plans(&harness, "structural_edge_definitions");
    assert_eq!(
        plan["changes"][0]["fields"],
        json!([{"field": "edgeDefinitions[collection=viewed]",
                "path": "edgeDefinitions[collection=viewed].to[0]",
                "op": "add", "after": "pages"}])
    );

    apply_and_settle(&harness);
    let graph = &harness.get("/_api/gharial/interactions")["graph"];
    let viewed = graph["edgeDefinitions"]
        .as_array()
        .expect("edge definitions")
        .iter()
        .find(|definition| definition["collection"] == "viewed")
        .cloned()
        .expect("viewed");
    let mut to: Vec<&str> = viewed["to"]
        .as_array()
        .expect("to")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    to.sort();
    assert_eq!(to, ["pages", "products"], "{graph}");
}
