//! The renderer on model values: what is left out, what is kept, and that
//! the output is stable.

use std::collections::BTreeMap;

use serde_json::json;

use super::{render, Source};
use crate::model::{Collection, CollectionType, Function, Index, KeyOptions, RegistryEntry, State};

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
        options: serde_json::from_value::<BTreeMap<String, serde_json::Value>>(options)
            .expect("options"),
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
    let exported = render(&state, &source());
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
    let text = &render(&state, &source()).files["entities/c.yaml"];
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
        },
    );
    let exported = render(
        &state,
        &Source {
            database: "features".into(),
            timestamp: Some("2026-11-29T23:50:00Z".into()),
        },
    );
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
    );
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
