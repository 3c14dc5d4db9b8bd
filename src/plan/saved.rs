//! Saved plans (`plan --out`, `apply --plan`): the pure part.
//!
//! A saved plan is checked against two things before it is applied:
//!
//! - the digest of the desired state (`specs_digest`): a SHA-256 of the
//!   loaded model, not of file bytes, so moving a spec between files,
//!   reordering documents or reformatting YAML leaves it unchanged, while
//!   any change to what the specs ask for changes it;
//! - the fingerprint of each live object the plan touches
//!   (`fingerprints`): a SHA-256 of the object's normalised definition as
//!   read from the server (and whether arangosync owns it), or `absent`.
//!
//! - the fingerprint of each live object those changes depend on but do
//!   not touch (`dependencies`): the collection an index is created on,
//!   the collections a graph names, the collections, analyzers and
//!   inverted indexes a view uses, the analyzers of an inverted index, a
//!   registry entry's function. The dependencies are those `--target`
//!   follows ([`super::targets::closure`]), read from the desired state,
//!   so a dependency dropped or changed by hand refuses the saved plan
//!   before it writes anything instead of failing half-way through.
//!
//! Objects neither touched nor depended on are not fingerprinted, so a
//! change to them never refuses a saved plan.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{Address, Change, Live};
use crate::model::State;

/// The fingerprint of an object that does not exist.
pub const ABSENT: &str = "absent";

/// The fingerprint of an index whose collection does not exist: creating
/// it then needs the collection first, which a saved plan that only
/// creates the index does not do.
pub const COLLECTION_ABSENT: &str = "absent (and its collection too)";

/// `sha256:` and the hex digest of `value` with every object's keys sorted,
/// so the digest does not depend on the order attributes were written in.
pub fn digest(value: &Value) -> String {
    let canonical = canonical(value);
    let mut hasher = Sha256::new();
    hasher.update(canonical.to_string().as_bytes());
    let bytes = hasher.finalize();
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("sha256:{hex}")
}

/// `value` with the keys of every object in sorted order.
fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut sorted = serde_json::Map::new();
            for key in keys {
                sorted.insert(key.clone(), canonical(&map[key]));
            }
            Value::Object(sorted)
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// The digest of the desired state: every collection, index, graph,
/// function, registry entry, analyzer and view the specs ask for (after
/// the feature files are turned into functions). Independent of the file
/// layout and of key order.
pub fn specs_digest(desired: &State) -> String {
    digest(&serde_json::to_value(desired).unwrap_or(Value::Null))
}

/// The digest of each object the specs ask for, by address as the plan
/// prints it (`collection users` with its indexes, `graph g`, `function
/// NS::F_V1`, `registry entry NS::F_V1`, `analyzer a`, `view v`): what
/// names the objects whose specs changed when [`specs_digest`] differs.
pub fn specs_objects(desired: &State) -> BTreeMap<String, String> {
    fn add<T: serde::Serialize>(
        objects: &mut BTreeMap<String, String>,
        address: Address,
        definition: &T,
    ) {
        let value = serde_json::to_value(definition).unwrap_or(Value::Null);
        objects.insert(address.to_string(), digest(&value));
    }
    let mut objects = BTreeMap::new();
    for (name, definition) in &desired.collections {
        add(&mut objects, Address::Collection(name.clone()), definition);
    }
    for (name, definition) in &desired.graphs {
        add(&mut objects, Address::Graph(name.clone()), definition);
    }
    for (name, definition) in &desired.functions {
        add(&mut objects, Address::Function(name.clone()), definition);
    }
    for (name, definition) in &desired.registry {
        add(&mut objects, Address::Registry(name.clone()), definition);
    }
    for (name, definition) in &desired.analyzers {
        add(&mut objects, Address::Analyzer(name.clone()), definition);
    }
    for (name, definition) in &desired.views {
        add(&mut objects, Address::View(name.clone()), definition);
    }
    objects
}

/// What differs between the spec objects saved with a plan and those
/// loaded now, one `address: what` item per object (`changed in the
/// specs`, `added to the specs`, `removed from the specs`).
pub fn changed_specs(
    saved: &BTreeMap<String, String>,
    now: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut items = Vec::new();
    for (address, before) in saved {
        match now.get(address) {
            Some(after) if after == before => {}
            Some(_) => items.push(format!("{address}: changed in the specs")),
            None => items.push(format!("{address}: removed from the specs")),
        }
    }
    for address in now.keys().filter(|address| !saved.contains_key(*address)) {
        items.push(format!("{address}: added to the specs"));
    }
    items
}

/// The fingerprint of the live object at `address`: the digest of its
/// definition and whether arangosync owns it, or [`ABSENT`].
pub fn fingerprint(live: &Live, address: &Address) -> String {
    let Some(state) = &live.state else {
        return match address {
            Address::Index { .. } => COLLECTION_ABSENT.to_string(),
            _ => ABSENT.to_string(),
        };
    };
    let owned = &live.owned;
    let described = match address {
        Address::Database(_) => Some(json!({"database": "exists"})),
        Address::StateCollection => live.has_state_collection.then(|| {
            // Pending records decide the ownership changes planned.
            let pending: Vec<String> = live
                .pending
                .iter()
                .map(|pending| format!("{pending:?}"))
                .collect();
            json!({"pending": pending})
        }),
        Address::Collection(name) => state.collections.get(name).map(|collection| {
            // Its indexes have their own addresses: an index added by hand
            // is not a change of the collection.
            let mut definition = collection.clone();
            definition.indexes.clear();
            json!({"definition": definition, "owned": owned.collections.contains(name)})
        }),
        Address::Index { collection, .. } if !state.collections.contains_key(collection) => {
            return COLLECTION_ABSENT.to_string();
        }
        Address::Index { collection, index } => state
            .collections
            .get(collection)
            .and_then(|live| {
                live.indexes
                    .iter()
                    .find(|candidate| candidate.name.as_deref() == Some(index.as_str()))
            })
            .map(|definition| {
                let key = (collection.clone(), index.clone());
                json!({"definition": definition, "owned": owned.indexes.contains(&key)})
            }),
        Address::Graph(name) => state.graphs.get(name).map(
            |definition| json!({"definition": definition, "owned": owned.graphs.contains(name)}),
        ),
        Address::Function(name) => state
            .functions
            .get(name)
            .map(|definition| json!({"definition": definition})),
        Address::Registry(name) => state
            .registry
            .get(name)
            .map(|definition| json!({"definition": definition})),
        Address::Analyzer(name) => state
            .analyzers
            .get(name)
            .map(|definition| {
                json!({"definition": definition, "owned": owned.analyzers.contains(name)})
            })
            .or_else(|| {
                // `::name` or `_system::name`: another database's, never
                // arangosync's.
                let full = match name.strip_prefix("::") {
                    Some(bare) => format!("_system::{bare}"),
                    None => name.clone(),
                };
                live.system_analyzers
                    .get(&full)
                    .map(|definition| json!({"definition": definition, "owned": false}))
            }),
        Address::View(name) => state.views.get(name).map(
            |definition| json!({"definition": definition, "owned": owned.views.contains(name)}),
        ),
        // Notes only, never a change.
        Address::Serving(_) => None,
    };
    described.map_or_else(|| ABSENT.to_string(), |value| digest(&value))
}

/// The fingerprint of every object `changes` touch, by address as the plan
/// prints it (`collection users`, `index users/idx_users_email`).
pub fn fingerprints(changes: &[Change], live: &Live) -> BTreeMap<String, String> {
    changes
        .iter()
        .map(|change| {
            (
                change.address.to_string(),
                fingerprint(live, &change.address),
            )
        })
        .collect()
}

/// The objects the changes at `touched` depend on without touching them,
/// each with the first of those changes (in the given order) that needs
/// it. `desired` names analyzers as the plan does
/// (`State::with_analyzers_as_reported`). Dependencies are followed
/// transitively, as `--target` follows them; built-in analyzers, which
/// every database has and no one can change, are left out.
pub fn dependencies(touched: &[Address], desired: &State) -> BTreeMap<Address, Address> {
    let touched_set: BTreeSet<&Address> = touched.iter().collect();
    let mut needed = BTreeMap::new();
    // A renamed collection's old name is what the rename moves: the
    // rename depends on it (with its indexes, see `dependency_fingerprints`).
    for (source, change) in rename_sources(touched, desired) {
        needed.entry(source).or_insert(change);
    }
    for address in touched {
        for dependency in super::targets::closure(std::slice::from_ref(address), desired) {
            // Built-in analyzers exist in every database and never change.
            let builtin = matches!(&dependency, Address::Analyzer(name)
                if crate::model::is_builtin_analyzer(name));
            if !builtin && !touched_set.contains(&dependency) {
                needed.entry(dependency).or_insert_with(|| address.clone());
            }
        }
    }
    needed
}

/// The old collections of the collection renames among `touched`
/// (`metadata.renamedFrom` in `desired`), each with the rename's address
/// (the collection under its new name).
pub fn rename_sources(touched: &[Address], desired: &State) -> BTreeMap<Address, Address> {
    touched
        .iter()
        .filter_map(|address| match address {
            Address::Collection(name) => desired
                .renames
                .collections
                .get(name)
                .filter(|old| *old != name)
                .map(|old| (Address::Collection(old.clone()), address.clone())),
            _ => None,
        })
        .collect()
}

/// The fingerprint of every object in `dependencies` (see
/// [`dependencies`]), by address as the plan prints it. The old
/// collection of a rename in `desired` is fingerprinted with its indexes,
/// since the rename moves them all.
pub fn dependency_fingerprints(
    dependencies: &BTreeMap<Address, Address>,
    desired: &State,
    live: &Live,
) -> BTreeMap<String, String> {
    let touched: Vec<Address> = dependencies.values().cloned().collect();
    let sources = rename_sources(&touched, desired);
    dependencies
        .keys()
        .map(|address| {
            let print = if sources.contains_key(address) {
                whole_collection_fingerprint(live, address)
            } else {
                fingerprint(live, address)
            };
            (address.to_string(), print)
        })
        .collect()
}

/// The fingerprint of a collection with its indexes: [`fingerprint`]
/// leaves indexes out, since they have their own addresses.
fn whole_collection_fingerprint(live: &Live, address: &Address) -> String {
    let Address::Collection(name) = address else {
        return fingerprint(live, address);
    };
    let Some(collection) = live
        .state
        .as_ref()
        .and_then(|state| state.collections.get(name))
    else {
        return ABSENT.to_string();
    };
    let owned_indexes: Vec<&String> = live
        .owned
        .indexes
        .iter()
        .filter(|(of, _)| of == name)
        .map(|(_, index)| index)
        .collect();
    digest(&json!({
        "definition": collection,
        "owned": live.owned.collections.contains(name),
        "ownedIndexes": owned_indexes,
    }))
}

/// How an object changed between two fingerprints; `None` when it did not.
fn how_changed(before: &str, after: &str) -> Option<&'static str> {
    if before == after {
        return None;
    }
    Some(if after == COLLECTION_ABSENT {
        "its collection was dropped since the plan was made"
    } else if before == COLLECTION_ABSENT && after == ABSENT {
        "its collection was created since the plan was made"
    } else if before == ABSENT || before == COLLECTION_ABSENT {
        "created since the plan was made"
    } else if after == ABSENT {
        "dropped since the plan was made"
    } else {
        "changed since the plan was made"
    })
}

/// What differs between the fingerprints saved with a plan and those read
/// now, one `address: what` item per object, in address order: `changed
/// since the plan was made`, `created since the plan was made`, `dropped
/// since the plan was made`. Empty when nothing the plan touches changed.
pub fn changed_objects(
    saved: &BTreeMap<String, String>,
    now: &BTreeMap<String, String>,
) -> Vec<String> {
    saved
        .iter()
        .filter_map(|(address, before)| {
            let after = now.get(address).map_or(ABSENT, String::as_str);
            how_changed(before, after).map(|what| format!("{address}: {what}"))
        })
        .collect()
}

/// Like [`changed_objects`], for the dependencies saved with a plan:
/// each item also names the planned change that needs the object
/// (`index products/inv (view search needs it): dropped since the plan
/// was made`). `needed_by`: address to the change that needs it, both as
/// the plan prints them.
pub fn changed_dependencies(
    saved: &BTreeMap<String, String>,
    now: &BTreeMap<String, String>,
    needed_by: &BTreeMap<String, String>,
) -> Vec<String> {
    saved
        .iter()
        .filter_map(|(address, before)| {
            let after = now.get(address).map_or(ABSENT, String::as_str);
            how_changed(before, after).map(|what| match needed_by.get(address) {
                Some(change) => format!("{address} ({change} needs it): {what}"),
                None => format!("{address}: {what}"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Collection, CollectionType};

    fn live_with(collection: Collection) -> Live {
        let mut state = State::default();
        state
            .collections
            .insert(collection.name.clone(), collection);
        Live {
            state: Some(state),
            has_state_collection: true,
            ..Live::default()
        }
    }

    #[test]
    fn digests_ignore_key_order() {
        let one = json!({"a": 1, "b": {"c": [1, 2], "d": null}});
        let two: Value =
            serde_json::from_str(r#"{"b": {"d": null, "c": [1, 2]}, "a": 1}"#).expect("json");
        assert_eq!(digest(&one), digest(&two));
        assert_ne!(digest(&one), digest(&json!({"a": 2, "b": {"c": [1, 2]}})));
        assert!(digest(&one).starts_with("sha256:"));
    }

    #[test]
    fn a_collection_fingerprint_follows_its_definition_not_its_indexes() {
        let users = Collection::new("users", CollectionType::Document);
        let address = Address::Collection("users".into());
        let before = fingerprint(&live_with(users.clone()), &address);
        let mut synced = users.clone();
        synced.wait_for_sync = true;
        assert_ne!(before, fingerprint(&live_with(synced), &address));
        let mut indexed = users;
        indexed.indexes.push(crate::model::Index {
            name: Some("idx_by_hand".into()),
            index_type: "persistent".into(),
            fields: vec![json!("email")],
            options: crate::model::IndexOptions::new(),
            id: Some("users/1".into()),
        });
        assert_eq!(before, fingerprint(&live_with(indexed), &address));
        assert_eq!(
            fingerprint(&Live::default(), &address),
            ABSENT,
            "no database: absent"
        );
        let index = Address::Index {
            collection: "users".into(),
            index: "idx".into(),
        };
        assert_eq!(fingerprint(&Live::default(), &index), COLLECTION_ABSENT);
        assert_eq!(
            fingerprint(
                &live_with(Collection::new("other", CollectionType::Document)),
                &address
            ),
            ABSENT
        );
    }

    #[test]
    fn changed_specs_name_the_objects() {
        let mut before = State::default();
        for name in ["a", "b", "c"] {
            before
                .collections
                .insert(name.into(), Collection::new(name, CollectionType::Document));
        }
        let mut after = before.clone();
        after.collections.remove("b");
        if let Some(c) = after.collections.get_mut("c") {
            c.wait_for_sync = true;
        }
        after
            .collections
            .insert("d".into(), Collection::new("d", CollectionType::Edge));
        assert_eq!(
            changed_specs(&specs_objects(&before), &specs_objects(&after)),
            vec![
                "collection b: removed from the specs",
                "collection c: changed in the specs",
                "collection d: added to the specs",
            ]
        );
        assert!(changed_specs(&specs_objects(&before), &specs_objects(&before)).is_empty());
        assert_ne!(specs_digest(&before), specs_digest(&after));
    }

    #[test]
    fn changed_objects_say_how() {
        let saved: BTreeMap<String, String> = [
            ("collection a".to_string(), "sha256:1".to_string()),
            ("collection b".to_string(), ABSENT.to_string()),
            ("collection c".to_string(), "sha256:3".to_string()),
            ("collection d".to_string(), "sha256:4".to_string()),
            ("index d/i".to_string(), ABSENT.to_string()),
            ("index e/i".to_string(), COLLECTION_ABSENT.to_string()),
        ]
        .into();
        let now: BTreeMap<String, String> = [
            ("collection a".to_string(), "sha256:1".to_string()),
            ("collection b".to_string(), "sha256:2".to_string()),
            ("collection c".to_string(), ABSENT.to_string()),
            ("collection d".to_string(), "sha256:5".to_string()),
            ("index d/i".to_string(), COLLECTION_ABSENT.to_string()),
            ("index e/i".to_string(), ABSENT.to_string()),
        ]
        .into();
        assert_eq!(
            changed_objects(&saved, &now),
            vec![
                "collection b: created since the plan was made",
                "collection c: dropped since the plan was made",
                "collection d: changed since the plan was made",
                "index d/i: its collection was dropped since the plan was made",
                "index e/i: its collection was created since the plan was made",
            ]
        );
    }

    #[test]
    fn dependencies_are_what_changes_need_but_do_not_touch() {
        use crate::model::{AliasIndex, EdgeDefinition, Graph, View};
        let mut desired = State::default();
        desired.views.insert(
            "catalog".into(),
            View {
                name: "catalog".into(),
                view_type: "arangosearch".into(),
                properties: BTreeMap::new(),
                links: [(
                    "products".to_string(),
                    json!({"fields": {"title": {"analyzers": ["product_text", "identity"]}}}),
                )]
                .into(),
                indexes: Vec::new(),
                id: None,
            },
        );
        desired.views.insert(
            "alias".into(),
            View {
                name: "alias".into(),
                view_type: "search-alias".into(),
                properties: BTreeMap::new(),
                links: BTreeMap::new(),
                indexes: vec![AliasIndex {
                    collection: "products".into(),
                    index: "inv".into(),
                }],
                id: None,
            },
        );
        desired.graphs.insert(
            "g".into(),
            Graph {
                name: "g".into(),
                edge_definitions: vec![EdgeDefinition {
                    collection: "viewed".into(),
                    from: vec!["users".into()],
                    to: vec!["products".into()],
                }],
                orphan_collections: Vec::new(),
            },
        );
        let touched = [
            Address::View("catalog".into()),
            Address::View("alias".into()),
            Address::Graph("g".into()),
            Address::Collection("viewed".into()),
        ];
        let needed = dependencies(&touched, &desired);
        let described: Vec<(String, String)> = needed
            .iter()
            .map(|(address, by)| (address.to_string(), by.to_string()))
            .collect();
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        // The built-in `identity` and the touched `viewed` are left out;
        // `products` is needed first by the first change that needs it.
        assert_eq!(
            described,
            vec![
                pair("collection products", "view catalog"),
                pair("collection users", "graph g"),
                pair("index products/inv", "view alias"),
                pair("analyzer product_text", "view catalog"),
            ]
        );
        // Nothing touched, nothing needed.
        assert!(dependencies(&[], &desired).is_empty());
    }

    #[test]
    fn changed_dependencies_name_the_change_that_needs_them() {
        let saved: BTreeMap<String, String> = [
            ("index p/inv".to_string(), "sha256:1".to_string()),
            ("collection p".to_string(), "sha256:2".to_string()),
            ("collection q".to_string(), "sha256:3".to_string()),
        ]
        .into();
        let now: BTreeMap<String, String> = [
            ("index p/inv".to_string(), ABSENT.to_string()),
            ("collection p".to_string(), "sha256:2".to_string()),
            ("collection q".to_string(), "sha256:4".to_string()),
        ]
        .into();
        let needed_by: BTreeMap<String, String> = [
            ("index p/inv".to_string(), "view v".to_string()),
            ("collection p".to_string(), "view v".to_string()),
        ]
        .into();
        assert_eq!(
            changed_dependencies(&saved, &now, &needed_by),
            vec![
                "collection q: changed since the plan was made",
                "index p/inv (view v needs it): dropped since the plan was made",
            ]
        );
    }
}
