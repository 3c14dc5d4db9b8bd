//! Analyzer references spelt with a database prefix, through the real
//! binary: `features::txt1` in an inverted index and a view link of
//! database `features` is the analyzer the server reports as `txt1`, and
//! `::sys1` / `_system::sys1` the one of `_system` it reports as `::sys1`,
//! so one apply converges (a second plan is empty and writes nothing). A
//! missing `_system` analyzer and a prefix naming another database are
//! refused with what they really name, before any write.

use arangodb_emulator::{Profile, Role, Version};
use serde_json::{json, Value};

use crate::support::Harness;

const TXT1: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoAnalyzer
metadata:
  name: txt1
spec:
  type: norm
  properties: {locale: en, case: lower}
  features: [frequency, norm]
"#;

const BOOKS: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: books
spec:
  indexes:
    - type: inverted
      name: inv_books
      analyzer: "features::txt1"
      fields:
        - {name: title, analyzer: "features::txt1"}
        - body
        - {name: isbn, analyzer: "_system::sys1"}
"#;

const LIBRARY: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoView
metadata:
  name: library
spec:
  type: arangosearch
  links:
    books:
      analyzers: [identity, "features::txt1"]
      fields:
        title: {analyzers: [identity, txt1]}
        isbn: {analyzers: ["::sys1"]}
"#;

const NO_CHANGES: &str = "No changes: database \"features\" matches the specs.\n";

fn harness() -> Harness {
    Harness::with_profile(Profile {
        version: "3.12.10".parse::<Version>().expect("version"),
        role: Role::Single,
        ..Profile::default()
    })
}

/// Creates analyzer `sys1` in `_system`, as an operator would.
fn system_analyzer(harness: &Harness) {
    let (status, body) = harness.api(
        reqwest::Method::POST,
        "/_db/_system/_api/analyzer",
        Some(json!({"name": "sys1", "type": "identity", "properties": {}, "features": []})),
    );
    assert!(status < 300, "{status} {body}");
}

#[test]
fn analyzers_named_with_a_database_prefix_converge() {
    let harness = harness();
    system_analyzer(&harness);
    let dir = harness.specs().to_str().expect("utf-8").to_string();
    harness.write("txt1.yaml", TXT1);
    harness.write("books.yaml", BOOKS);
    harness.write("library.yaml", LIBRARY);

    let first = harness.run(&["apply", "--dir", &dir, "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");

    // The server reports its own database's analyzer by bare name and
    // `_system`'s with `::`.
    let index = harness
        .indexes("books")
        .into_iter()
        .find(|index| index["name"] == "inv_books")
        .expect("inv_books");
    assert_eq!(index["analyzer"], "txt1", "{index}");
    // A field's analyzer equal to the index's is left out.
    assert_eq!(index["fields"][0], json!({"name": "title"}), "{index}");
    assert_eq!(index["fields"][2]["analyzer"], "::sys1", "{index}");
    let view = harness.get("/_api/view/library/properties");
    let link: &Value = &view["links"]["books"];
    assert_eq!(link["analyzers"], json!(["identity", "txt1"]), "{link}");
    assert_eq!(link["fields"]["title"], json!({}), "{link}");
    assert_eq!(
        link["fields"]["isbn"]["analyzers"],
        json!(["::sys1"]),
        "{link}"
    );

    harness.reset_stats();
    let plan = harness.run(&["plan", "--dir", &dir, "--detailed-exitcode"]);
    assert_eq!(
        (plan.status, plan.stdout.as_str()),
        (0, NO_CHANGES),
        "{plan:?}"
    );
    let again = harness.run(&["apply", "--dir", &dir]);
    assert_eq!(
        (again.status, again.stdout.as_str()),
        (0, NO_CHANGES),
        "{again:?}"
    );
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
}

#[test]
fn a_prefixed_analyzer_that_cannot_be_used_is_refused_for_what_it_names() {
    let harness = harness();
    harness.create_database();
    let dir = harness.specs().to_str().expect("utf-8").to_string();
    harness.write("txt1.yaml", TXT1);
    harness.write(
        "books.yaml",
        &BOOKS.replace("\"_system::sys1\"", "\"::missing\""),
    );
    harness.write(
        "library.yaml",
        &LIBRARY
            .replace("[\"::sys1\"]", "[\"elsewhere::txt1\"]")
            .replace("[identity, txt1]", "[identity, \"::missing\"]"),
    );

    let plan = harness.run(&["plan", "--dir", &dir]);
    assert_eq!(plan.status, 0, "{plan:?}");
    let blocked: Vec<&str> = plan
        .stdout
        .lines()
        .filter(|line| line.contains("BLOCKED"))
        .map(str::trim)
        .collect();
    assert_eq!(
        blocked,
        [
            "BLOCKED: the analyzer ::missing does not exist in database _system (a `::` or `_system::` prefix names an analyzer of _system); ArangoDB would refuse the index (error 10): create it in _system first, or name an analyzer of database features without the prefix",
            "BLOCKED: the analyzer ::missing does not exist in database _system (a `::` or `_system::` prefix names an analyzer of _system); ArangoDB would refuse the view link (error 10): create it in _system first, or name an analyzer of database features without the prefix; the analyzer elsewhere::txt1 names another database, and a definition in database features can use only the analyzers of features and _system; ArangoDB would refuse the view link (error 10): name an analyzer of database features or _system",
        ],
        "{}",
        plan.stdout
    );

    harness.reset_stats();
    let apply = harness.run(&["apply", "--dir", &dir]);
    assert_eq!(apply.status, 1, "{apply:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
}

/// A built-in analyzer written with a `_system` prefix (`::text_en`,
/// `_system::text_en`) is the built-in: it is sent bare, which the server
/// resolves, and the next plan is empty. (A fresh reviewer saw the prefixed
/// form pass the plan and fail half-way through apply.)
#[test]
fn a_prefixed_built_in_analyzer_is_the_built_in() {
    let harness = Harness::new();
    harness.write(
        "books.yaml",
        r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: books
spec:
  indexes:
    - {type: inverted, name: inv_books, fields: [{name: body, analyzer: "::text_en"}, title]}
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoView
metadata:
  name: shelf
spec:
  type: arangosearch
  links:
    books:
      fields:
        title: {analyzers: ["_system::text_en"]}
"#,
    );
    let applied = harness.run(&["apply", "--create-database"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    harness.reset_stats();
    let again = harness.run(&["apply"]);
    assert_eq!(again.status, 0, "{again:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
}
