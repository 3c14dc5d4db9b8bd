//! The renderer on model values: what is left out, what is kept, and that
//! the output is stable.

use std::collections::BTreeMap;

use serde_json::{json, Map};

use super::{reads_back_as, render, to_yaml, Source};
use crate::model::{
    Collection, CollectionType, Function, Index, IndexOptions, KeyOptions, RegistryEntry, State,
};

fn source() -> Source {
    Source {
        database: "features".into(),
        timestamp: None,
    }
}

fn index(index_type: &str, fields: &[&str], options: serde_json::Value) -> Index {
    Index {
        name: Some(format!("idx_{index_type}")),
        index_type: index_type.into(),
        fields: fields.iter().map(|field| json!(field)).collect(),
        options: serde_json::from_value::<IndexOptions>(options).expect("options"),
        id: Some("c/1".into()),
    }
}

#[test]
fn a_collection_at_the_defaults_is_its_name_alone() {
    let mut state = State::default();
    state.collections.insert(
        "plain".into(),
        Collection::new("plain", CollectionType::Document),
    );
    let exported = render(&state, &source()).expect("renders");
    assert_eq!(
        exported.files["entities/plain.yaml"],
        "# Imported by arangosync from database \"features\".\n\
         apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: plain\n"
    );
}

#[test]
fn index_options_at_the_loaders_defaults_are_left_out() {
    let mut collection = Collection::new("c", CollectionType::Edge);
    collection.key_options = KeyOptions {
        generator: "autoincrement".into(),
        allow_user_keys: true,
        increment: Some(1),
        offset: Some(0),
    };
    collection.indexes = vec![
        index(
            "persistent",
            &["a"],
            json!({"unique": false, "sparse": false, "deduplicate": true, "estimates": true, "cacheEnabled": false}),
        ),
        index(
            "geo",
            &["loc"],
            json!({"geoJson": false, "legacyPolygons": false, "bestIndexedLevel": 17, "sparse": true, "unique": false}),
        ),
        index(
            "vector",
            &["v"],
            json!({"params": {"metric": "l2", "dimension": 3, "nLists": 2, "defaultNProbe": 1, "trainingIterations": 25}, "sparse": false, "unique": false}),
        ),
    ];
    let mut state = State::default();
    state.collections.insert("c".into(), collection);
    let text = &render(&state, &source()).expect("renders").files["entities/c.yaml"];
    let spec = &text[text.find("spec:").expect("a spec")..];
    assert_eq!(
        spec,
        "spec:\n  indexes:\n    - fields:\n        - a\n      name: idx_persistent\n      type: persistent\n\
         \x20   - fields:\n        - loc\n      name: idx_geo\n      type: geo\n\
         \x20   - fields:\n        - v\n      name: idx_vector\n      params:\n        dimension: 3\n        metric: l2\n        nLists: 2\n      type: vector\n\
         \x20 keyOptions:\n    type: autoincrement\n  type: edge\n"
    );
}

#[test]
fn functions_without_a_registry_entry_are_listed_not_written() {
    let mut state = State::default();
    for name in ["FEATURES::B", "FEATURES::A_V1"] {
        state.functions.insert(
            name.into(),
            Function {
                name: name.into(),
                code: "function () {}".into(),
                hash: None,
            },
        );
    }
    state.registry.insert(
        "FEATURES::A_V1".into(),
        RegistryEntry {
            feature: "a".into(),
            version: 1,
            function: "FEATURES::A_V1".into(),
            description: "A.".into(),
            owner: None,
            query: "FOR d IN c FILTER d.k == @k RETURN d".into(),
            params: vec!["k".into()],
            collections: vec!["c".into()],
            returns: "all".into(),
            serve: "function".into(),
            hash: "0".repeat(64),
            source: "a_v1.aql".into(),
            format_version: 1,
            lineage: None,
        },
    );
    let exported = render(
        &state,
        &Source {
            database: "features".into(),
            timestamp: Some("2026-11-29T23:50:00Z".into()),
        },
    )
    .expect("renders");
    assert_eq!(exported.unconvertible, ["FEATURES::B"]);
    assert_eq!(
        exported.files["transformations/a_v1.aql"],
        "-- Imported by arangosync from database \"features\".\n\
         -- Imported at 2026-11-29T23:50:00Z.\n\
         -- Feature: a\n-- Version: 1\n-- Description: A.\n-- Params: k\n-- Serve: function\n\
         FOR d IN c FILTER d.k == @k RETURN d\n"
    );
    // The same state renders to the same bytes.
    assert_eq!(
        exported,
        render(
            &state,
            &Source {
                database: "features".into(),
                timestamp: Some("2026-11-29T23:50:00Z".into())
            }
        )
        .expect("renders")
    );
}

fn analyzer(name: &str) -> crate::model::Analyzer {
    crate::model::Analyzer {
        name: name.into(),
        analyzer_type: "identity".into(),
        properties: json!({}),
        features: Vec::new(),
    }
}

#[test]
fn objects_no_spec_may_declare_are_left_out_with_what_refers_to_them() {
    use crate::model::{EdgeDefinition, Graph, View};
    let mut state = State::default();
    for name in ["users", "café", "follower", "edges"] {
        state
            .collections
            .insert(name.into(), Collection::new(name, CollectionType::Document));
    }
    // Sharded like a left-out collection: left out too.
    if let Some(follower) = state.collections.get_mut("follower") {
        follower.cluster.distribute_shards_like = Some("café".into());
    }
    let mut inverted = index("inverted", &[], json!({"analyzer": "features::normé"}));
    inverted.name = Some("idx_inverted".into());
    if let Some(users) = state.collections.get_mut("users") {
        users.indexes = vec![index("persistent", &["a"], json!({})), inverted];
    }
    state.analyzers.insert("normé".into(), analyzer("normé"));
    state.analyzers.insert("plain".into(), analyzer("plain"));
    state.graphs.insert(
        "g".into(),
        Graph {
            name: "g".into(),
            edge_definitions: vec![EdgeDefinition {
                collection: "edges".into(),
                from: vec!["users".into()],
                to: vec!["users".into()],
            }],
            orphan_collections: vec!["follower".into()],
        },
    );
    let link_view = View {
        name: "by_link".into(),
        view_type: "arangosearch".into(),
        properties: BTreeMap::new(),
        links: [(
            "users".to_string(),
            json!({"fields": {"bio": {"analyzers": ["features::normé"]}}}),
        )]
        .into_iter()
        .collect(),
        indexes: Vec::new(),
        id: None,
    };
    state.views.insert("by_link".into(), link_view);
    let (kept, skipped) = super::importable(
        &state,
        &["_graphs".into(), "_audit".into(), "_arangosync".into()],
    );
    let objects: Vec<String> = skipped.iter().map(|s| s.object.clone()).collect();
    assert_eq!(
        objects,
        [
            "analyzer \"normé\"",
            "collection \"_audit\"",
            "collection \"café\"",
            "collection \"follower\"",
            "graph \"g\"",
            "index \"idx_inverted\" of collection \"users\"",
            "view \"by_link\"",
        ]
    );
    assert_eq!(
        skipped[3].reason,
        "it is sharded like collection \"café\" (`distributeShardsLike`), which is not imported"
    );
    assert_eq!(
        skipped[4].reason,
        "it names collection \"follower\", which is not imported"
    );
    assert_eq!(
        skipped[6].reason,
        "it uses analyzer \"normé\", which is not imported"
    );
    assert_eq!(
        kept.collections.keys().collect::<Vec<_>>(),
        ["edges", "users"]
    );
    assert_eq!(kept.collections["users"].indexes.len(), 1);
    assert_eq!(kept.analyzers.keys().collect::<Vec<_>>(), ["plain"]);
    assert!(kept.graphs.is_empty() && kept.views.is_empty());
    // Nothing left out: the state is kept as it is.
    let (same, none) = super::importable(&kept, &["_graphs".into()]);
    assert_eq!(same, kept);
    assert!(none.is_empty());
}

#[test]
fn files_an_import_wrote_are_recognised_by_their_header() {
    assert!(super::written_by_import(
        "# Imported by arangosync from database \"features\".\napiVersion: x\n"
    ));
    assert!(super::written_by_import(
        "-- Imported by arangosync from database \"x\".\n-- Feature: a\n"
    ));
    for text in [
        "apiVersion: db.feature-store/v1alpha1\n",
        "# My notes. Imported by arangosync from database \"features\".\n",
        "",
    ] {
        assert!(!super::written_by_import(text), "{text}");
    }
}

#[test]
fn a_recorded_source_that_is_no_safe_file_name_is_not_used() {
    for (recorded, file) in [
        ("a_v1.aql", "transformations/a_v1.aql"),
        ("../a_v1.aql", "transformations/a_v1.aql"),
        (".hidden.aql", "transformations/a_v1.aql"),
        ("dir\\a.aql", "transformations/a_v1.aql"),
        ("é.aql", "transformations/a_v1.aql"),
        ("own_name.aql", "transformations/own_name.aql"),
    ] {
        let mut state = State::default();
        state.registry.insert(
            "FEATURES::A_V1".into(),
            RegistryEntry {
                feature: "a".into(),
                version: 1,
                function: "FEATURES::A_V1".into(),
                description: "A.".into(),
                owner: None,
                query: "RETURN 1".into(),
                params: Vec::new(),
                collections: Vec::new(),
                returns: "all".into(),
                serve: "registry".into(),
                hash: "0".repeat(64),
                source: recorded.into(),
                format_version: 1,
                lineage: None,
            },
        );
        let exported = render(&state, &source()).expect("renders");
        assert_eq!(
            exported.files.keys().collect::<Vec<_>>(),
            [file],
            "{recorded}"
        );
    }
}

#[test]
fn numbers_are_written_as_they_read_back() {
    // Every spelling the server may report, through the YAML text and the
    // spec loader, comes back as the same serde_json value (which tells
    // `1.0` from `1`), and so is what a plan of the import compares.
    let value = json!({
        "float_integral": 1.0,
        "float": 0.1,
        "tiny": 1e-7,
        "huge": 1e300,
        "negative": -2.5,
        "above_2_53": 9_007_199_254_740_993_u64,
        "u64_max": u64::MAX,
        "i64_min": i64::MIN,
        "zero": 0,
    });
    let text = super::to_yaml(&value);
    for line in [
        "float_integral: 1.0",
        "float: 0.1",
        "above_2_53: 9007199254740993",
        "u64_max: 18446744073709551615",
        "i64_min: -9223372036854775808",
    ] {
        assert!(text.contains(line), "{line} not in\n{text}");
    }
    let documents = crate::spec::yaml::parse(&text).expect("parses");
    assert_eq!(documents[0].root.to_json(), Ok(value));
}

#[test]
fn the_header_names_the_source_database() {
    assert_eq!(
        super::imported_from("# Imported by arangosync from database \"t4\".\nkind: x\n"),
        Some("t4")
    );
    assert_eq!(
        super::imported_from("-- Imported by arangosync from database \"features\".\n"),
        Some("features")
    );
    assert_eq!(
        super::imported_from("# Imported by arangosync from database t4\n"),
        None
    );
    assert_eq!(super::imported_from("apiVersion: v1\n"), None);
}

#[test]
fn only_plain_relative_paths_stay_inside_the_output_directory() {
    for inside in ["entities/users.yaml", "transformations/a_v1.aql", "x"] {
        assert!(super::stays_inside(inside), "{inside}");
    }
    for outside in [
        "",
        "../x.yaml",
        "entities/../../x.yaml",
        "/etc/passwd",
        "entities//x.yaml",
        "transformations/..\\x.aql",
        "entities/.hidden.yaml",
    ] {
        assert!(!super::stays_inside(outside), "{outside}");
    }
}

#[test]
fn a_timestamp_with_a_control_character_is_refused() {
    assert_eq!(super::timestamp_problem("2026-11-30T01:00:00Z"), None);
    assert_eq!(
        super::timestamp_problem("now\nmetadata: {name: hijack}").as_deref(),
        Some("--timestamp must be one line of text without control characters; it holds \\n")
    );
    assert!(super::timestamp_problem("a\rb").is_some());
    assert!(super::timestamp_problem("a\u{7f}b").is_some());
}

/// Strings that YAML could read as something else, or that need quoting
/// for their characters; each is used as a value and as a key.
const LOOK_ALIKES: &[&str] = &[
    "0o17",
    "+.inf",
    "-.inf",
    ".inf",
    ".NaN",
    ".nan",
    "0x1F",
    "1e3",
    "1_000",
    "+1",
    "-1",
    ".5",
    "1.",
    "12",
    "3.0",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "Yes",
    "NO",
    "true",
    "False",
    "~",
    "null",
    "Null",
    "12:30",
    "<<",
    "",
    " x",
    "x ",
    "#",
    "a #b",
    "- x",
    ": x",
    "x: y",
    "-",
    "?",
    "? x",
    "*a",
    "&a",
    "!t",
    "%x",
    "@x",
    "`x",
    "|",
    ">",
    "'",
    "\"",
    "{",
    "[x]",
    "\t",
    "a\tb",
    "\ttab",
    "a\nb",
    "a\n",
    "\n",
    "line\r\n",
    "caf\u{e9} \u{20ac} \u{1f600}",
    "\u{0}",
    "\u{1b}[0m",
    "\u{feff}x",
    "\u{2028}",
    "\\",
    "x\\n",
    "a\n\n",
    "a \nb",
    "  in\nx",
    "x\n  y\n",
    "FOR d IN c\n  RETURN d\n",
    "ArangosyncQuoted0ArangosyncQuoted",
];

#[test]
fn every_string_reads_back_as_itself() {
    let mut values = Map::new();
    for (index, text) in LOOK_ALIKES.iter().enumerate() {
        values.insert((*text).to_string(), json!(index));
    }
    let value = json!({
        "list": LOOK_ALIKES,
        "keys": values,
        "nested": {"enum": [LOOK_ALIKES[0], LOOK_ALIKES[1], 15, 1.5, null, true]},
    });
    let mut failed = Vec::new();
    for text in LOOK_ALIKES {
        let one = json!({ "v": text });
        let yaml = to_yaml(&one);
        if !reads_back_as(&yaml, &one) {
            failed.push(format!("{text:?} as {yaml:?}"));
        }
        let key = json!({ *text: 1 });
        let yaml = to_yaml(&key);
        if !reads_back_as(&yaml, &key) {
            failed.push(format!("key {text:?} as {yaml:?}"));
        }
    }
    assert_eq!(failed, Vec::<String>::new());
    let text = to_yaml(&value);
    assert!(reads_back_as(&text, &value), "{text}");
}

#[test]
fn look_alikes_are_double_quoted_and_ordinary_strings_stay_plain() {
    assert_eq!(
        to_yaml(&json!({"enum": ["0o17", "+.inf", ".NaN", "1e3", "null", "", "plain", "1_000"]})),
        "enum:\n  - \"0o17\"\n  - \"+.inf\"\n  - \".NaN\"\n  - \"1e3\"\n  - \"null\"\n  - \"\"\n  - plain\n  - 1_000\n"
    );
    assert_eq!(to_yaml(&json!({"0x1F": "~"})), "\"0x1F\": \"~\"\n");
}

#[test]
fn a_text_that_reads_back_differently_is_refused() {
    let value = json!({"enum": ["0o17"]});
    assert!(!reads_back_as("enum:\n  - 0o17\n", &value));
    assert!(reads_back_as("enum:\n  - \"0o17\"\n", &value));
    // Exact: the integer 15 is not the float 15.0, two documents are not one.
    assert!(!reads_back_as("n: 15.0\n", &json!({"n": 15})));
    assert!(!reads_back_as("n: 15\n---\nn: 15\n", &json!({"n": 15})));
}

#[test]
fn only_server_generated_index_names_are_left_out() {
    use super::server_generated_name;
    assert!(server_generated_name("idx_1872607108349820928"));
    assert!(server_generated_name("idx_1793257667569909760"));
    for kept in [
        "idx_1",
        "idx_users_email",
        "idx_187260710834982092x",
        "ix_1872607108349820928",
        "idx_",
    ] {
        assert!(!server_generated_name(kept), "{kept}");
    }
}
