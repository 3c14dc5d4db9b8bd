//! Numbers keep their exact value through a round trip: a schema rule's
//! `1.0` stays a float (and a server's `1.0` is the spec's `1`, compared by
//! value), `0.1` stays `0.1`, and integers beyond 2^53 up to `u64::MAX`
//! are neither rounded on import nor on apply. Integers no JSON integer
//! holds are invalid input, not silently rounded.

use std::path::Path;

use serde_json::{json, Value};

use crate::support::{snapshot_settings, Harness};

/// The schema rule every test here uses: a float that is integral, a
/// float that is not, and integers above 2^53 and at `u64::MAX`.
fn rule() -> Value {
    json!({
        "type": "object",
        "properties": {
            "score": {"type": "number", "minimum": 1.0, "multipleOf": 0.1},
            "id": {"type": "integer", "minimum": -9_223_372_036_854_775_808_i64, "maximum": 9_007_199_254_740_993_u64},
            "counter": {"type": "integer", "maximum": 18_446_744_073_709_551_615_u64},
        },
    })
}

/// The same rule as a spec states it.
const SPEC: &str = "apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: readings
spec:
  schema:
    rule:
      type: object
      properties:
        score: {type: number, minimum: 1.0, multipleOf: 0.1}
        id: {type: integer, minimum: -9223372036854775808, maximum: 9007199254740993}
        counter: {type: integer, maximum: 18446744073709551615}
";

fn stored_rule(harness: &Harness) -> Value {
    harness.get("/_api/collection/readings/properties")["schema"]["rule"].clone()
}

#[test]
fn import_keeps_floats_and_big_integers_exact_and_plans_no_change() {
    let harness = Harness::new();
    harness.create_database();
    harness.post(
        "/_api/collection",
        json!({"name": "readings", "schema": {"rule": rule(), "level": "strict", "message": ""}}),
    );
    round_trip(&harness);
}

#[test]
fn import_round_trips_the_numbers_python_arango_sends() {
    let harness = Harness::new();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import/build_numbers.py");
    let output = std::process::Command::new("python3")
        .arg(&script)
        .arg(harness.url())
        .arg(crate::support::ROOT_PASSWORD)
        .output()
        .expect("python3 runs (the import tests need python3 with python-arango)");
    assert!(
        output.status.success(),
        "{} failed (needs `pip install python-arango`): {}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    round_trip(&harness);
}

/// Imports the database holding `readings` with [`rule`], checks the
/// imported YAML holds every number as the server does, and plans it
/// against the same database: no change.
fn round_trip(harness: &Harness) {
    // serde_json's Value tells `1.0` from `1`: the emulator stored the floats.
    assert_eq!(stored_rule(harness), rule());

    let scratch = tempfile::tempdir().expect("temp dir");
    let out = scratch.path().join("imported");
    let out_text = out.display().to_string();
    let imported = harness.run(&["import", "--out", &out_text]);
    assert_eq!(imported.status, 0, "{imported:?}");
    let yaml = std::fs::read_to_string(out.join("entities/readings.yaml")).expect("imported");
    for exact in [
        "minimum: 1.0\n",
        "multipleOf: 0.1\n",
        "minimum: -9223372036854775808\n",
        "maximum: 9007199254740993\n",
        "maximum: 18446744073709551615\n",
    ] {
        assert!(yaml.contains(exact), "{exact:?} not in\n{yaml}");
    }

    let plan = harness.run(&["plan", "--dir", &out_text, "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{}\n{}", plan.stdout, plan.stderr);
    assert!(
        plan.stdout
            .starts_with("No changes: database \"features\" matches the specs."),
        "{}",
        plan.stdout
    );
}

#[test]
fn apply_writes_the_numbers_the_spec_states() {
    let harness = Harness::new();
    harness.write("entities/readings.yaml", SPEC);
    let applied = harness.run(&["apply", "--create-database"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    assert_eq!(stored_rule(&harness), rule());

    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{}\n{}", plan.stdout, plan.stderr);
}

#[test]
fn integral_floats_and_integers_are_one_value_either_way() {
    // The server holds `1` and `3600`; the spec states `1.0` and `3600.0`
    // (and the other way round): no change either way.
    let harness = Harness::new();
    harness.create_database();
    harness.post(
        "/_api/collection",
        json!({"name": "readings", "schema": {"rule": {"properties": {"a": {"minimum": 1, "maximum": 3600.0}}}, "level": "strict", "message": ""}}),
    );
    harness.write(
        "entities/readings.yaml",
        "apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: readings
spec:
  schema:
    rule: {properties: {a: {minimum: 1.0, maximum: 3600}}}
",
    );
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{}\n{}", plan.stdout, plan.stderr);

    // A value one above 2^53 is another value than 2^53, though both round
    // to the same f64.
    harness.post(
        "/_api/collection",
        json!({"name": "other", "schema": {"rule": {"maximum": 9_007_199_254_740_992_u64}, "level": "strict", "message": ""}}),
    );
    harness.write(
        "entities/other.yaml",
        "apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: other
spec:
  schema:
    rule: {maximum: 9007199254740993}
",
    );
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 2, "{}\n{}", plan.stdout, plan.stderr);
    assert!(
        plan.stdout.contains("~ collection other"),
        "{}",
        plan.stdout
    );
    assert!(
        !plan.stdout.contains("collection readings"),
        "{}",
        plan.stdout
    );
    let applied = harness.run(&["apply"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    assert_eq!(
        harness.get("/_api/collection/other/properties")["schema"]["rule"],
        json!({"maximum": 9_007_199_254_740_993_u64})
    );
}

#[test]
fn numbers_no_json_integer_holds_are_invalid_input() {
    let harness = Harness::new();
    harness.write(
        "entities/readings.yaml",
        "apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: readings
spec:
  schema:
    rule:
      properties:
        a: {maximum: 18446744073709551616}
        b: {minimum: -9223372036854775809}
        c: {maximum: 1e400}
        d: {maximum: 0x1ffffffffffffffff}
",
    );
    let validated = harness.run(&["validate"]);
    assert_eq!(validated.status, 3, "{validated:?}");
    let stderr = validated
        .stderr
        .replace(&harness.specs().display().to_string(), "[specs]");
    snapshot_settings().bind(|| insta::assert_snapshot!("numbers_out_of_range", stderr));
    let plan = harness.run(&["plan"]);
    assert_eq!(plan.status, 3, "{plan:?}");
    assert_eq!(harness.writes(), 0);
}
