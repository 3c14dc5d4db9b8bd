//! Analyzers (`kind: ArangoAnalyzer`) through the real binary: created
//! before the inverted indexes that use them, a second run finds nothing
//! to do, a changed analyzer is refused while an index that stays uses it
//! and replaced together with the index, owned analyzers are pruned after
//! their users, and analyzers arangosync did not create are never touched.
//! The same scenario runs on 3.12.10 (single server and coordinator) and
//! 3.11.

use arangodb_emulator::{Profile, Role, Version};
use serde_json::{json, Value};

use crate::support::{snapshot_settings, stable, Harness};

/// A `norm` analyzer for product names.
fn analyzer_spec(name: &str, properties: &str) -> String {
    format!(
        r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoAnalyzer
metadata:
  name: {name}
spec:
  type: norm
  properties: {properties}
  features: [frequency, norm]
"#
    )
}

/// `products` with an inverted index over `fields`, plus two plain
/// collections (so a prune of two objects is not a mass prune).
fn products(fields: &str) -> String {
    let index = if fields.is_empty() {
        String::new()
    } else {
        format!("spec:\n  indexes:\n    - {{type: inverted, name: search, fields: {fields}}}\n")
    };
    format!(
        r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: products
{index}---
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: items
"#
    )
}

const NAME_FIELD: &str = "[{name: title, analyzer: product_name}]";
const NAME_AND_BODY_FIELDS: &str = "[{name: title, analyzer: product_name}, description]";

fn profile(version: &str, role: Role) -> Harness {
    Harness::with_profile(Profile {
        version: version.parse::<Version>().expect("version"),
        role,
        ..Profile::default()
    })
}

/// The analyzer as the server reports it, or `None` when it does not exist.
fn read_analyzer(harness: &Harness, name: &str) -> Option<Value> {
    if harness.get_status(&format!("/_api/analyzer/{name}")) == 404 {
        return None;
    }
    Some(harness.get(&format!("/_api/analyzer/{name}")))
}

fn search_index(harness: &Harness) -> Option<Value> {
    harness
        .indexes("products")
        .into_iter()
        .find(|index| index["name"] == "search")
}

/// A plan with nothing to do, and an apply that writes nothing.
fn converged(harness: &Harness) {
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    harness.reset_stats();
    let apply = harness.run(&["apply"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
}

/// The whole life of an analyzer on one server; `snapshots` names the
/// plans' snapshots (only the 3.12.10 single server takes them).
fn lifecycle(harness: &Harness, snapshots: bool) {
    harness.write(
        "search/analyzers.yaml",
        &analyzer_spec("product_name", "{locale: en, case: lower}"),
    );
    harness.write("entities/products.yaml", &products(NAME_FIELD));

    // Created, before the index that uses it.
    let plan = harness.run(&["plan", "--create-database"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    if snapshots {
        snapshot_settings().bind(|| {
            insta::assert_snapshot!("analyzers_create_plan", stable(&plan.stdout, harness));
        });
    }
    let apply = harness.run(&["apply", "--create-database"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    let created = read_analyzer(harness, "product_name").expect("the analyzer exists");
    assert_eq!(created["name"], "features::product_name");
    assert_eq!(created["type"], "norm");
    assert_eq!(created["properties"]["locale"], "en");
    assert_eq!(created["properties"]["case"], "lower");
    let mut features: Vec<&str> = created["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    features.sort_unstable();
    assert_eq!(features, ["frequency", "norm"]);
    let index = search_index(harness).expect("the inverted index exists");
    assert_eq!(index["fields"][0]["analyzer"], "product_name", "{index}");
    converged(harness);

    // Changed while the index that uses it stays: refused, nothing written.
    harness.write(
        "search/analyzers.yaml",
        &analyzer_spec("product_name", "{locale: en, case: upper}"),
    );
    harness.reset_stats();
    let plan = harness.run(&["plan"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    assert!(plan.stdout.contains("BLOCKED: analyzer product_name is used by inverted index products/search, which this plan does not replace"), "{}", plan.stdout);
    if snapshots {
        snapshot_settings().bind(|| {
            insta::assert_snapshot!(
                "analyzers_change_in_use_plan",
                stable(&plan.stdout, harness)
            );
        });
    }
    let apply = harness.run(&["apply"]);
    assert_eq!(apply.status, 1, "{apply:?}");
    assert!(
        apply.stderr.contains("refusing to apply"),
        "{}",
        apply.stderr
    );
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    assert_eq!(
        read_analyzer(harness, "product_name").expect("still there")["properties"]["case"],
        "lower"
    );

    // Changed together with the index: the analyzer is replaced first,
    // then the index.
    harness.write("entities/products.yaml", &products(NAME_AND_BODY_FIELDS));
    let plan = harness.run(&["plan"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    assert!(!plan.stdout.contains("BLOCKED"), "{}", plan.stdout);
    if snapshots {
        snapshot_settings().bind(|| {
            insta::assert_snapshot!(
                "analyzers_replace_with_index_plan",
                stable(&plan.stdout, harness)
            );
        });
    }
    let apply = harness.run(&["apply"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    assert_eq!(
        read_analyzer(harness, "product_name").expect("re-created")["properties"]["case"],
        "upper"
    );
    let index = search_index(harness).expect("the new index exists");
    assert_eq!(index["fields"].as_array().map(Vec::len), Some(2), "{index}");
    converged(harness);

    // Out of the specs, with its index: pruned after the index.
    harness.remove("search/analyzers.yaml");
    harness.write("entities/products.yaml", &products(""));
    let plan = harness.run(&["plan", "--prune"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    if snapshots {
        snapshot_settings().bind(|| {
            insta::assert_snapshot!("analyzers_prune_plan", stable(&plan.stdout, harness));
        });
    }
    let apply = harness.run(&["apply", "--prune"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    assert_eq!(read_analyzer(harness, "product_name"), None);
    assert_eq!(search_index(harness), None);
    let plan = harness.run(&["plan", "--prune", "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{plan:?}");
}

#[test]
fn analyzer_lifecycle_on_3_12_single_server() {
    lifecycle(&Harness::new(), true);
}

#[test]
fn analyzer_lifecycle_on_3_12_coordinator() {
    lifecycle(&profile("3.12.10", Role::Coordinator), false);
}

#[test]
fn analyzer_lifecycle_on_3_11() {
    lifecycle(&profile("3.11.14", Role::Single), false);
}

/// An analyzer made by hand: a spec stating it as it is changes nothing
/// and does not take it over (a prune leaves it), a spec stating
/// something else is refused without a write.
#[test]
fn analyzers_arangosync_did_not_create_are_never_touched() {
    let harness = Harness::new();
    harness.create_database();
    harness.post(
        "/_api/analyzer",
        json!({"name": "hand_made", "type": "norm", "properties": {"locale": "en", "case": "lower"}, "features": ["norm", "frequency"]}),
    );
    harness.write("entities/products.yaml", &products(""));
    harness.write(
        "search/analyzers.yaml",
        &analyzer_spec("hand_made", "{locale: en, case: lower}"),
    );
    let apply = harness.run(&["apply"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    assert!(
        !apply.stdout.contains("analyzer hand_made"),
        "{}",
        apply.stdout
    );
    converged(&harness);

    harness.write(
        "search/analyzers.yaml",
        &analyzer_spec("hand_made", "{locale: de}"),
    );
    harness.reset_stats();
    let plan = harness.run(&["plan"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "analyzers_unowned_change_plan",
            stable(&plan.stdout, &harness)
        );
    });
    let apply = harness.run(&["apply"]);
    assert_eq!(apply.status, 1, "{apply:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());

    harness.remove("search/analyzers.yaml");
    let apply = harness.run(&["apply", "--prune"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    assert_eq!(
        read_analyzer(&harness, "hand_made").expect("left alone")["properties"]["locale"],
        "en"
    );
}

/// A run whose specs define no analyzer and whose state records none
/// sends no analyzer request at all.
#[test]
fn runs_without_analyzers_never_read_them() {
    let harness = Harness::new();
    harness.write("entities/products.yaml", &products(""));
    let apply = harness.run(&["apply", "--create-database"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    harness.reset_stats();
    let plan = harness.run(&["plan", "--prune", "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    let stats = harness.stats();
    let paths: Vec<&String> = stats["byPath"]
        .as_object()
        .expect("byPath")
        .keys()
        .filter(|path| path.contains("/_api/analyzer"))
        .collect();
    assert!(paths.is_empty(), "{stats}");
    assert!(stats["total"].as_u64() > Some(0), "{stats}");
}

/// A spec that takes a built-in analyzer's name is invalid input, located.
#[test]
fn a_builtin_analyzer_name_is_invalid_input() {
    let harness = Harness::new();
    harness.write(
        "search/analyzers.yaml",
        &analyzer_spec("text_en", "{locale: en}"),
    );
    for command in ["validate", "plan"] {
        harness.reset_stats();
        let run = harness.run(&[command]);
        assert_eq!(run.status, 3, "{run:?}");
        assert!(
            run.stderr.contains(
                "analyzers.yaml:4:9: error[builtin-analyzer]: `text_en` is a built-in analyzer"
            ),
            "{}",
            run.stderr
        );
        // `plan` reads while its specs load; nothing of them is sent.
        if command == "validate" {
            assert_eq!(harness.stats()["total"], 0);
        } else {
            assert_eq!(
                harness.beyond_spec_independent_reads(),
                Vec::<String>::new()
            );
        }
    }
}

fn set_faults(harness: &Harness, plan: Value) {
    let response = reqwest::blocking::Client::new()
        .put(format!("{}/_emulator/faults", harness.emulator.url()))
        .json(&plan)
        .send()
        .expect("faults");
    assert_eq!(response.status(), 200, "{plan}");
}

/// The `(type, kind, name)` of every record in the state collection that
/// is about an analyzer.
fn analyzer_records(harness: &Harness) -> Vec<(String, String)> {
    let body = harness.post(
        "/_api/cursor",
        json!({"query": "FOR d IN _arangosync RETURN d", "batchSize": 10000}),
    );
    let mut records: Vec<(String, String)> = body["result"]
        .as_array()
        .expect("result")
        .iter()
        .filter(|document| document["kind"] == "analyzer")
        .map(|document| {
            (
                document["type"].as_str().unwrap_or("?").to_string(),
                document["name"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect();
    records.sort();
    records
}

/// Every answer to the analyzer create is lost (the server made it): the
/// run fails with a pending record, the next run finds the analyzer as
/// intended and records it as arangosync's, so a later prune drops it.
#[test]
fn a_lost_answer_to_an_analyzer_create_is_settled_as_owned() {
    let harness = Harness::new();
    harness.write("entities/products.yaml", &products(""));
    harness.write(
        "search/analyzers.yaml",
        &analyzer_spec("product_name", "{locale: en}"),
    );
    let first = harness.run(&["apply", "--create-database", "--phase", "pre"]);
    assert_eq!(first.status, 0, "{first:?}");
    harness.write(
        "search/more.yaml",
        &analyzer_spec("product_words", "{locale: de}"),
    );
    set_faults(
        &harness,
        json!({"mode": "reset-after", "count": 100, "method": "POST", "path": "/_api/analyzer"}),
    );
    let lost = harness.run(&["apply"]);
    assert_eq!(lost.status, 1, "{lost:?}");
    assert!(
        read_analyzer(&harness, "product_words").is_some(),
        "the server made it"
    );
    assert_eq!(
        analyzer_records(&harness),
        [
            ("owned".to_string(), "product_name".to_string()),
            ("pending".to_string(), "product_words".to_string()),
        ]
    );
    reqwest::blocking::Client::new()
        .delete(format!("{}/_emulator/faults", harness.emulator.url()))
        .send()
        .expect("clear faults");

    let settle = harness.run(&["apply"]);
    assert_eq!(settle.status, 0, "{settle:?}");
    assert_eq!(
        analyzer_records(&harness),
        [
            ("owned".to_string(), "product_name".to_string()),
            ("owned".to_string(), "product_words".to_string()),
        ]
    );
    converged(&harness);
    harness.remove("search/more.yaml");
    let pruned = harness.run(&["apply", "--prune"]);
    assert_eq!(pruned.status, 0, "{pruned:?}");
    assert_eq!(read_analyzer(&harness, "product_words"), None);
    assert!(read_analyzer(&harness, "product_name").is_some());
}

/// Analyzers belong to the pre phase: `--phase post` leaves them alone,
/// `--phase pre` creates them; the JSON plan addresses them as
/// `{kind: analyzer, name}` and shows the exact requests of a replace.
#[test]
fn analyzers_are_part_of_the_pre_phase() {
    let harness = Harness::new();
    harness.create_database();
    harness.write(
        "search/analyzers.yaml",
        &analyzer_spec("product_name", "{locale: en}"),
    );
    let post = harness.run(&["apply", "--phase", "post"]);
    assert_eq!(post.status, 0, "{post:?}");
    assert!(read_analyzer(&harness, "product_name").is_none());
    let pre = harness.run(&["apply", "--phase", "pre"]);
    assert_eq!(pre.status, 0, "{pre:?}");
    assert!(read_analyzer(&harness, "product_name").is_some());
    let json_plan = harness.run(&["plan", "--format", "json"]);
    assert_eq!(json_plan.status, 0, "{json_plan:?}");
    harness.write(
        "search/analyzers.yaml",
        &analyzer_spec("product_name", "{locale: de}"),
    );
    let json_plan = harness.run(&["plan", "--format", "json"]);
    let parsed: Value = serde_json::from_str(&json_plan.stdout).expect("JSON plan");
    let change = &parsed["changes"][0];
    assert_eq!(
        change["address"],
        json!({"kind": "analyzer", "name": "product_name"}),
        "{parsed}"
    );
    assert_eq!(change["action"], "replace");
    assert_eq!(
        change["steps"],
        json!([
            {"op": "dropAnalyzer", "name": "product_name", "force": false},
            {"op": "createAnalyzer", "body": {"name": "product_name", "type": "norm", "properties": {"locale": "de"}, "features": ["frequency", "norm"]}},
        ]),
        "{parsed}"
    );
}

/// `plan --offline-from` (CI, no database): the base tree counts as
/// applied by arangosync, so the same rules hold: a changed analyzer whose
/// index stays is refused, changed together with its index it is a
/// replace.
#[test]
fn offline_plans_apply_the_same_rules() {
    let harness = Harness::new();
    let base = tempfile::tempdir().expect("base dir");
    for (file, text) in [
        (
            "analyzers.yaml",
            analyzer_spec("product_name", "{locale: en}"),
        ),
        ("products.yaml", products(NAME_FIELD)),
    ] {
        std::fs::write(base.path().join(file), text).expect("write base");
    }
    let base_dir = base.path().to_str().expect("utf-8");
    let offline = |harness: &Harness| {
        harness.run(&[
            "plan",
            "--offline-from",
            base_dir,
            "--format",
            "json",
            "--endpoint",
            "http://127.0.0.1:9",
        ])
    };
    let summary = |run: &crate::support::Run| -> Vec<(String, String, bool)> {
        let parsed: Value = serde_json::from_str(&run.stdout).expect("JSON plan");
        parsed["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .map(|change| {
                (
                    format!(
                        "{} {}",
                        change["address"]["kind"].as_str().unwrap_or("?"),
                        change["address"]["name"].as_str().unwrap_or("?")
                    ),
                    change["action"].as_str().unwrap_or("?").to_string(),
                    !change["blocked"].is_null(),
                )
            })
            .collect()
    };
    harness.write(
        "analyzers.yaml",
        &analyzer_spec("product_name", "{locale: de}"),
    );
    harness.write("products.yaml", &products(NAME_FIELD));
    let refused = offline(&harness);
    assert_eq!(refused.status, 0, "{refused:?}");
    assert_eq!(
        summary(&refused),
        [(
            "analyzer product_name".to_string(),
            "replace".to_string(),
            true
        )]
    );
    harness.write("products.yaml", &products(NAME_AND_BODY_FIELDS));
    let together = offline(&harness);
    assert_eq!(
        summary(&together),
        [
            (
                "analyzer product_name".to_string(),
                "replace".to_string(),
                false
            ),
            ("index search".to_string(), "replace".to_string(), false),
        ]
    );
    assert_eq!(harness.stats()["total"], 0, "offline plans never connect");
}

/// `catalog`, an arangosearch view linking `products.title` through the
/// analyzer `product_name`, with `primarySort` (fixed at creation).
fn catalog_view(direction: &str) -> String {
    format!(
        r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoView
metadata:
  name: catalog
spec:
  type: arangosearch
  primarySort: [{{field: title, direction: {direction}}}]
  links:
    products:
      fields:
        title: {{analyzers: [product_name]}}
"#
    )
}

/// Issue 12's acceptance: changing an analyzer a view uses is refused with
/// the reason, and nothing is written, unless the same plan replaces the
/// view too (here through its `primarySort`); then both are replaced,
/// analyzer first.
#[test]
fn an_analyzer_a_view_uses_changes_only_with_the_view() {
    let harness = profile("3.12.10", Role::Single);
    harness.write(
        "analyzers.yaml",
        &analyzer_spec("product_name", "{locale: en, case: lower}"),
    );
    harness.write("products.yaml", &products(""));
    harness.write("catalog.yaml", &catalog_view("asc"));
    let created = harness.run(&["apply", "--create-database"]);
    assert_eq!(created.status, 0, "{created:?}");
    let view_id = harness.get("/_api/view/catalog")["id"].clone();

    harness.write(
        "analyzers.yaml",
        &analyzer_spec("product_name", "{locale: en, case: upper}"),
    );
    harness.reset_stats();
    let refused = harness.run(&["apply"]);
    assert_eq!(refused.status, 1, "{refused:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    let blocked: Vec<&str> = refused
        .stdout
        .lines()
        .filter(|line| line.contains("BLOCKED"))
        .collect();
    snapshot_settings()
        .bind(|| insta::assert_snapshot!("analyzers_used_by_view_refused", blocked.join("\n")));
    assert_eq!(
        harness.get("/_api/analyzer/product_name")["properties"]["case"],
        "lower"
    );

    harness.write("catalog.yaml", &catalog_view("desc"));
    let replaced = harness.run(&["apply"]);
    assert_eq!(replaced.status, 0, "{replaced:?}");
    assert_eq!(
        harness.get("/_api/analyzer/product_name")["properties"]["case"],
        "upper"
    );
    let view = harness.get("/_api/view/catalog/properties");
    assert_ne!(view["id"], view_id, "the view was created anew");
    assert_eq!(view["primarySort"][0]["asc"], false, "{view}");
    let again = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.status, 0, "{again:?}");
}

/// `catalog` linking `products.title` through `analyzer` alone (no
/// property fixed at creation), so a change of analyzer is an in-place
/// update of the link.
fn catalog_linking(analyzer: &str) -> String {
    format!(
        r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoView
metadata:
  name: catalog
spec:
  type: arangosearch
  links:
    products:
      fields:
        title: {{analyzers: [{analyzer}]}}
"#
    )
}

/// The README's route for a changed analyzer a view uses: a new name,
/// the view pointed at it. With `--prune` one apply creates the new
/// analyzer, moves the link in place, and then drops the old one (the
/// view no longer uses it by the time analyzers are dropped).
#[test]
fn renaming_an_analyzer_a_view_uses_prunes_the_old_one_in_one_run() {
    let harness = profile("3.12.10", Role::Single);
    harness.write(
        "analyzers.yaml",
        &analyzer_spec("txt1", "{locale: en, case: lower}"),
    );
    harness.write("products.yaml", &products(""));
    harness.write("catalog.yaml", &catalog_linking("txt1"));
    let created = harness.run(&["apply", "--create-database"]);
    assert_eq!(created.status, 0, "{created:?}");
    let view_id = harness.get("/_api/view/catalog")["id"].clone();

    harness.write(
        "analyzers.yaml",
        &analyzer_spec("txt2", "{locale: en, case: lower}"),
    );
    harness.write("catalog.yaml", &catalog_linking("txt2"));
    let plan = harness.run(&["plan", "--prune"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "analyzers_renamed_for_a_view_plan",
            stable(&plan.stdout, &harness)
        );
    });
    let applied = harness.run(&["apply", "--prune"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    assert_eq!(read_analyzer(&harness, "txt1"), None);
    assert_eq!(
        read_analyzer(&harness, "txt2").expect("txt2 exists")["properties"]["case"],
        "lower"
    );
    let view = harness.get("/_api/view/catalog/properties");
    assert_eq!(view["id"], view_id, "the view was updated in place");
    assert_eq!(
        view["links"]["products"]["fields"]["title"]["analyzers"],
        json!(["txt2"]),
        "{view}"
    );
    converged(&harness);
}

/// A replace the run never sent (an earlier change failed) leaves the old
/// analyzer arangosync's: its pending record, written before the first
/// create, becomes the ownership record again when the run ends.
#[test]
fn a_replace_never_sent_keeps_the_old_analyzer_owned() {
    let harness = Harness::new();
    harness.create_database();
    harness.write(
        "search/analyzers.yaml",
        &analyzer_spec("product_name", "{locale: en}"),
    );
    let first = harness.run(&["apply"]);
    assert_eq!(first.status, 0, "{first:?}");
    // A new analyzer (first in the plan) whose create the server refuses,
    // and a changed one, replaced after it: never started.
    harness.write(
        "search/analyzers.yaml",
        &[
            analyzer_spec("a_first", "{locale: en}"),
            analyzer_spec("product_name", "{locale: de}"),
        ]
        .join("---\n"),
    );
    set_faults(
        &harness,
        json!({"count": 1, "mode": "status", "status": 400, "method": "POST", "path": "/_api/analyzer"}),
    );
    let failed = harness.run(&["apply", "--concurrency", "1"]);
    assert_eq!(failed.status, 1, "{failed:?}");
    assert!(failed.stderr.contains("(1 not started)"), "{failed:?}");
    assert_eq!(
        read_analyzer(&harness, "product_name").expect("kept")["properties"]["locale"],
        "en"
    );
    assert_eq!(
        analyzer_records(&harness),
        [("owned".to_string(), "product_name".to_string())]
    );
}
