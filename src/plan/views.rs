//! Views: created whole; an `arangosearch` view's mutable properties and
//! links, and a `search-alias` view's index list, changed in place with one
//! partial update (`PATCH`) naming only what changed; anything fixed at
//! creation (`primarySort`, `storedValues`, ... — see
//! [`VIEW_IMMUTABLE_PROPERTIES`]) or the view type changed by dropping the
//! view and creating it again.
//!
//! A replace is not destructive: a view holds no documents, only an index
//! over its collections, which the server rebuilds. It is not free either,
//! and the reason says so: between the drop and the create, queries naming
//! the view fail, and until the rebuild has caught up they see only part
//! of the documents.
//!
//! A view arangosync did not create is never changed or dropped: a spec
//! naming one that differs is planned but blocked (as for graphs), and so
//! is a drop or replace of an inverted index or collection such a view
//! uses, which the server would take out of the view.

use serde_json::{json, Map, Value};

use super::definition;
use super::model::{Action, Address, Change, Compare, FieldChange, Note, Step};
use super::{Options, Ownership};
use crate::model::{
    link_matches, view_property_matches, AliasIndex, State, View, VIEW_IMMUTABLE_PROPERTIES,
    VIEW_MUTABLE_PROPERTIES,
};

pub fn diff(
    desired: &State,
    live: &State,
    owned: &Ownership,
    options: &Options,
    changes: &mut Vec<Change>,
    notes: &mut Vec<Note>,
) {
    for (name, want) in &desired.views {
        if let Some(have) = live.views.get(name).filter(|_| !options.offline) {
            let unkept = unkept_policy_keys(want, have);
            if !unkept.is_empty() {
                notes.push(Note {
                    address: Address::View(name.clone()),
                    message: format!(
                        "this server does not keep consolidationPolicy {} (the tier policy's keys differ between ArangoDB versions: 3.12.7+ has segmentsBytesMax, maxSkewThreshold and minDeletionRatio); they are not compared: remove them from the spec",
                        unkept.join(", ")
                    ),
                });
            }
            let unreported = unreported_properties(want, have);
            if !unreported.is_empty() {
                notes.push(Note {
                    address: Address::View(name.clone()),
                    message: format!(
                        "this server does not report {} (a property of another ArangoDB version or edition); not compared: remove it from the spec",
                        unreported.join(", ")
                    ),
                });
            }
        }
        match live.views.get(name) {
            None => changes.push(Change {
                address: Address::View(name.clone()),
                action: Action::Create,
                reason: options.missing_reason(),
                fields: definition::view(&want.to_create_body()),
                steps: vec![Step::CreateView {
                    body: want.to_create_body(),
                }],
                blocked: None,
                destructive: false,
                risk: None,
            }),
            Some(have) => {
                if let Some(mut change) = compare(want, have, !options.offline) {
                    if !owned.views.contains(name) {
                        change.blocked = Some(format!(
                            "view {name} exists with another definition and was not created by arangosync, so arangosync will not change it; make the spec match it, or change the view yourself"
                        ));
                    }
                    changes.push(change);
                }
            }
        }
    }
    if !options.prune {
        return;
    }
    for (name, have) in &live.views {
        if desired.views.contains_key(name) || !owned.views.contains(name) {
            continue;
        }
        let reason = prune_reason(have, changes);
        changes.push(Change {
            address: Address::View(name.clone()),
            action: Action::Delete,
            reason,
            fields: Vec::new(),
            steps: vec![Step::DropView { view: name.clone() }],
            blocked: None,
            destructive: false,
            risk: None,
        });
    }
}

/// Why a view is pruned, and what becomes of what it uses: the collections
/// it links (or whose inverted indexes it lists) and those indexes are
/// named as deleted where `changes` (the collection and index changes,
/// planned before views) deletes them, and said to be kept otherwise.
fn prune_reason(view: &View, changes: &[Change]) -> String {
    let deleted = |address: &Address| {
        changes
            .iter()
            .any(|change| change.action == Action::Delete && change.address == *address)
    };
    let mut used: Vec<(String, bool)> = Vec::new();
    let collections: std::collections::BTreeSet<&String> = view
        .links
        .keys()
        .chain(view.indexes.iter().map(|entry| &entry.collection))
        .collect();
    for collection in &collections {
        let gone = deleted(&Address::Collection((*collection).clone()));
        used.push((format!("collection {collection}"), gone));
    }
    for entry in &view.indexes {
        if deleted(&Address::Collection(entry.collection.clone())) {
            // Goes with its collection, which is named already.
            continue;
        }
        let gone = deleted(&Address::Index {
            collection: entry.collection.clone(),
            index: entry.index.clone(),
        });
        used.push((format!("index {}/{}", entry.collection, entry.index), gone));
    }
    let names = |gone: bool| -> Vec<&str> {
        used.iter()
            .filter(|(_, goes)| *goes == gone)
            .map(|(what, _)| what.as_str())
            .collect()
    };
    let (dropped, kept) = (names(true), names(false));
    let mut reason = "arangosync created it and it is no longer in the specs".to_string();
    if dropped.is_empty() {
        reason.push_str("; its collections and indexes are kept");
        return reason;
    }
    reason.push_str(&format!("; this plan deletes {} too", dropped.join(", ")));
    if !kept.is_empty() {
        reason.push_str(&format!(" and keeps {}", kept.join(", ")));
    }
    reason
}

/// Views the plan keeps whose inverted indexes or linked collections the
/// plan drops (replaced or deleted): the server takes a dropped index or
/// collection out of the views that use it, so such a view is dropped
/// before (stage `ViewDrops`) and created again from its spec after
/// (stage `Views`), replacing whatever change was planned for it. A view
/// arangosync did not create is not rebuilt: both changes are blocked.
pub fn rebuild_dependents(
    desired: &State,
    live: &State,
    owned: &Ownership,
    changes: &mut Vec<Change>,
) {
    let mut dropped_indexes = std::collections::BTreeSet::new();
    let mut dropped_collections = std::collections::BTreeSet::new();
    for step in changes.iter().flat_map(|change| &change.steps) {
        match step {
            Step::DropIndex {
                collection, name, ..
            } => {
                dropped_indexes.insert((collection.clone(), name.clone()));
            }
            Step::DropCollection { collection, .. } => {
                dropped_collections.insert(collection.clone());
            }
            _ => {}
        }
    }
    if dropped_indexes.is_empty() && dropped_collections.is_empty() {
        return;
    }
    guard_views_left_alone(desired, live, owned, changes);
    for (name, want) in &desired.views {
        let Some(have) = live.views.get(name) else {
            continue;
        };
        let mut uses: Vec<String> = have
            .indexes
            .iter()
            .filter(|entry| {
                dropped_collections.contains(&entry.collection)
                    || dropped_indexes.contains(&(entry.collection.clone(), entry.index.clone()))
            })
            .map(|entry| format!("index {}/{}", entry.collection, entry.index))
            .collect();
        uses.extend(
            have.links
                .keys()
                .filter(|collection| dropped_collections.contains(*collection))
                .map(|collection| format!("collection {collection}")),
        );
        if uses.is_empty() {
            continue;
        }
        let address = Address::View(name.clone());
        changes.retain(|change| change.address != address);
        let uses = uses.join(", ");
        let blocked = (!owned.views.contains(name)).then(|| {
            format!(
                "view {name} uses {uses}, which this plan drops, but arangosync did not create the view, so it will not drop and re-create it; change the view yourself, or keep what it uses"
            )
        });
        changes.push(Change {
            address: address.clone(),
            action: Action::Delete,
            reason: format!(
                "it uses {uses}, which this plan drops: the view is dropped first and created again afterwards (no documents are lost; queries naming the view fail in between)"
            ),
            fields: Vec::new(),
            steps: vec![Step::DropView { view: name.clone() }],
            blocked: blocked.clone(),
            destructive: false,
            risk: None,
        });
        changes.push(Change {
            address,
            action: Action::Create,
            reason: format!(
                "created again as the specs define it, once {uses} is replaced or dropped"
            ),
            fields: definition::view(&want.to_create_body()),
            steps: vec![Step::CreateView {
                body: want.to_create_body(),
            }],
            blocked,
            destructive: false,
            risk: None,
        });
    }
}

/// Blocks the index and collection drops (replaces and deletes) that would
/// change a view this plan leaves alone: one not in the specs, which the
/// plan does not drop. ArangoDB takes a dropped inverted index out of the
/// `search-alias` views that list it, and a dropped collection's link out
/// of the `arangosearch` views, silently; arangosync never changes a view
/// it did not create, and one it created but that left the specs is kept
/// as it is until `--prune` deletes it.
fn guard_views_left_alone(
    desired: &State,
    live: &State,
    owned: &Ownership,
    changes: &mut [Change],
) {
    let planned_drops: std::collections::BTreeSet<String> = changes
        .iter()
        .flat_map(|change| &change.steps)
        .filter_map(|step| match step {
            Step::DropView { view } => Some(view.clone()),
            _ => None,
        })
        .collect();
    for (name, have) in &live.views {
        if desired.views.contains_key(name) || planned_drops.contains(name) {
            continue;
        }
        let (whose, rule) = if owned.views.contains(name) {
            (
                "which arangosync created but which is no longer in the specs",
                "arangosync keeps such a view as it is until --prune deletes it",
            )
        } else {
            (
                "which arangosync did not create",
                "arangosync never changes a view it did not create",
            )
        };
        for change in changes.iter_mut() {
            let mut taken = Vec::new();
            for step in &change.steps {
                match step {
                    Step::DropIndex {
                        collection,
                        name: index,
                        ..
                    } if have
                        .indexes
                        .iter()
                        .any(|entry| entry.collection == *collection && entry.index == *index) =>
                    {
                        taken.push(format!("index {collection}/{index}"));
                    }
                    Step::DropCollection { collection, .. } => {
                        if have.links.contains_key(collection) {
                            taken.push(format!("the link of collection {collection}"));
                        }
                        taken.extend(
                            have.indexes
                                .iter()
                                .filter(|entry| entry.collection == *collection)
                                .map(|entry| format!("index {collection}/{}", entry.index)),
                        );
                    }
                    _ => {}
                }
            }
            if taken.is_empty() {
                continue;
            }
            let reason = format!(
                "{} is used by view {name}, {whose}; this plan drops it (a replace drops the old one too), ArangoDB would then take it out of {name}, and {rule}. Take it out of {name} yourself (or drop {name}), or keep it as it is",
                taken.join(", ")
            );
            change.blocked = Some(match change.blocked.take() {
                Some(earlier) => format!("{earlier}; also, {reason}"),
                None => reason,
            });
        }
    }
}

/// The change that makes `have` into `want`, if they differ. With
/// `server_shape`, `have` was read from a server: what it leaves out of a
/// view it does not know, and is not compared (see [`unreported_properties`]).
fn compare(want: &View, have: &View, server_shape: bool) -> Option<Change> {
    if want.view_type != have.view_type {
        let fields = vec![FieldChange {
            compare: Compare::Exact,
            field: "type".into(),
            before: Value::from(have.view_type.clone()),
            after: Value::from(want.view_type.clone()),
        }];
        return Some(replace(want, fields, "the view type"));
    }
    if want.is_search_alias() {
        return alias_update(want, have);
    }
    let (unreported, unkept) = if server_shape {
        (
            unreported_properties(want, have),
            unkept_policy_keys(want, have),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let mut body = Map::new();
    let mut fields = Vec::new();
    for key in VIEW_MUTABLE_PROPERTIES
        .iter()
        .filter(|key| !unreported.iter().any(|name| name == *key))
    {
        let Some(value) = want.properties.get(*key) else {
            continue;
        };
        let live = have.properties.get(*key);
        let mut compared = value.clone();
        if *key == "consolidationPolicy" {
            if let Value::Object(policy) = &mut compared {
                policy.retain(|key, _| !unkept.contains(key));
            }
        }
        if !view_property_matches(key, &compared, live) {
            body.insert((*key).to_string(), value.clone());
            fields.push(FieldChange {
                compare: Compare::Stated,
                field: (*key).to_string(),
                before: live.cloned().unwrap_or(Value::Null),
                after: value.clone(),
            });
        }
    }
    let mut links = Map::new();
    for (collection, link) in &want.links {
        let live = have.links.get(collection);
        if live.is_some_and(|live| link_matches(link, live)) {
            continue;
        }
        links.insert(collection.clone(), link.clone());
        fields.push(FieldChange {
            compare: Compare::Stated,
            field: format!("links.{collection}"),
            before: live.cloned().unwrap_or(Value::Null),
            after: link.clone(),
        });
    }
    for (collection, link) in &have.links {
        if !want.links.contains_key(collection) {
            links.insert(collection.clone(), Value::Null);
            fields.push(FieldChange {
                compare: Compare::Stated,
                field: format!("links.{collection}"),
                before: link.clone(),
                after: Value::Null,
            });
        }
    }
    let fixed: Vec<FieldChange> = VIEW_IMMUTABLE_PROPERTIES
        .iter()
        .filter(|key| !unreported.iter().any(|name| name == *key))
        .filter_map(|key| {
            let value = want.properties.get(*key)?;
            let live = have.properties.get(*key);
            (!view_property_matches(key, value, live)).then(|| FieldChange {
                compare: Compare::Stated,
                field: (*key).to_string(),
                before: live.cloned().unwrap_or(Value::Null),
                after: value.clone(),
            })
        })
        .collect();
    if !fixed.is_empty() {
        let names: Vec<String> = fixed.iter().map(|field| field.field.clone()).collect();
        // The create body applies every property and link, so the
        // replace lists each field that differs, not only those forcing it.
        let mut all = fixed;
        all.extend(fields);
        return Some(replace(want, all, &names.join(", ")));
    }
    if fields.is_empty() {
        return None;
    }
    let relinks = !links.is_empty();
    if relinks {
        body.insert("links".into(), Value::Object(links));
    }
    let mut reason = "changed in place with a partial update".to_string();
    if relinks {
        reason.push_str(
            "; the view re-indexes each collection whose link is added or changed, and queries see those documents as indexing catches up",
        );
    }
    Some(Change {
        address: Address::View(want.name.clone()),
        action: Action::Update,
        reason,
        fields,
        steps: vec![Step::UpdateViewProperties {
            view: want.name.clone(),
            body: Value::Object(body),
        }],
        blocked: None,
        destructive: false,
        risk: None,
    })
}

/// The properties the spec states that the live view of the same type does
/// not report at all: a server leaves out what its version or edition does
/// not have (`optimizeTopK` before 3.12, the cache flags without the
/// Enterprise features), so no create or update could make them match. A
/// cache flag stated `false` is what its absence means, and matches.
fn unreported_properties(want: &View, have: &View) -> Vec<String> {
    if want.view_type != have.view_type || want.is_search_alias() {
        return Vec::new();
    }
    want.properties
        .iter()
        .filter(|(key, value)| {
            !have.properties.contains_key(*key) && !view_property_matches(key, value, None)
        })
        .map(|(key, _)| key.clone())
        .collect()
}

/// The keys of the spec's `consolidationPolicy` that the live policy of the
/// same type does not have: the server drops keys its version does not
/// know (3.12.7 replaced the tier policy's `segmentsMin`, `segmentsMax`,
/// `segmentsBytesFloor` and `minScore` with `maxSkewThreshold` and
/// `minDeletionRatio`), so no update could ever make them match.
fn unkept_policy_keys(want: &View, have: &View) -> Vec<String> {
    let (Some(Value::Object(want)), Some(Value::Object(live))) = (
        want.properties.get("consolidationPolicy"),
        have.properties.get("consolidationPolicy"),
    ) else {
        return Vec::new();
    };
    let kind = |policy: &Map<String, Value>| {
        policy
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("tier")
            .to_string()
    };
    if kind(want) != kind(live) {
        return Vec::new();
    }
    want.keys()
        .filter(|key| *key != "type" && !live.contains_key(*key))
        .cloned()
        .collect()
}

/// A `search-alias` view's index list, changed in place: removed entries
/// with `operation: del`, then added ones.
fn alias_update(want: &View, have: &View) -> Option<Change> {
    let removed: Vec<&AliasIndex> = have
        .indexes
        .iter()
        .filter(|entry| !want.indexes.contains(entry))
        .collect();
    let added: Vec<&AliasIndex> = want
        .indexes
        .iter()
        .filter(|entry| !have.indexes.contains(entry))
        .collect();
    if removed.is_empty() && added.is_empty() {
        return None;
    }
    let mut entries: Vec<Value> = removed
        .iter()
        .map(|entry| json!({"collection": entry.collection, "index": entry.index, "operation": "del"}))
        .collect();
    entries.extend(added.iter().map(
        |entry| json!({"collection": entry.collection, "index": entry.index, "operation": "add"}),
    ));
    Some(Change {
        address: Address::View(want.name.clone()),
        action: Action::Update,
        reason: "its inverted indexes changed; changed in place with a partial update".into(),
        fields: vec![FieldChange {
            compare: Compare::Exact,
            field: "indexes".into(),
            before: json!(have.indexes),
            after: json!(want.indexes),
        }],
        steps: vec![Step::UpdateViewProperties {
            view: want.name.clone(),
            body: json!({"indexes": entries}),
        }],
        blocked: None,
        destructive: false,
        risk: None,
    })
}

/// Drop and create again; `what` names what cannot change in place.
fn replace(want: &View, fields: Vec<FieldChange>, what: &str) -> Change {
    Change {
        address: Address::View(want.name.clone()),
        action: Action::Replace,
        reason: format!(
            "{what} cannot change after a view is created: the view is dropped and created again and rebuilds its index from the collections; no documents are lost, but queries naming the view fail until it is created again and see only part of the documents until the rebuild finishes"
        ),
        fields,
        steps: vec![
            Step::DropView {
                view: want.name.clone(),
            },
            Step::CreateView {
                body: want.to_create_body(),
            },
        ],
        blocked: None,
        destructive: false,
        risk: None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::super::{diff as plan, Live, Options, Ownership, Stage};
    use super::*;

    fn search(properties: Value, links: Value) -> View {
        let mut view = View {
            name: "search".into(),
            view_type: "arangosearch".into(),
            properties: BTreeMap::new(),
            links: BTreeMap::new(),
            indexes: Vec::new(),
            id: None,
        };
        for (key, value) in properties.as_object().into_iter().flatten() {
            view.properties.insert(key.clone(), value.clone());
        }
        for (key, value) in links.as_object().into_iter().flatten() {
            view.links.insert(key.clone(), value.clone());
        }
        view
    }

    fn link(analyzers: Value) -> Value {
        json!({"analyzers": analyzers, "fields": {}, "includeAllFields": false, "storeValues": "none", "trackListPositions": false})
    }

    /// The server's read-back of `view`: every default filled in.
    fn served(view: &View) -> View {
        let mut live = view.clone();
        live.id = Some("101".into());
        for (key, value) in [
            ("cleanupIntervalStep", json!(2)),
            ("commitIntervalMsec", json!(1000)),
            ("consolidationIntervalMsec", json!(1000)),
            (
                "consolidationPolicy",
                json!({"type": "tier", "segmentsMin": 1, "segmentsMax": 10}),
            ),
            ("writebufferIdle", json!(64)),
            ("optimizeTopK", json!([])),
        ] {
            live.properties.entry(key.to_string()).or_insert(value);
        }
        live
    }

    fn state(views: &[View]) -> State {
        let mut state = State::default();
        for view in views {
            state.views.insert(view.name.clone(), view.clone());
        }
        state
    }

    fn live(views: &[View], owned: bool) -> Live {
        let mut ownership = Ownership::default();
        if owned {
            ownership
                .views
                .extend(views.iter().map(|view| view.name.clone()));
        }
        Live {
            state: Some(state(views)),
            owned: ownership,
            has_state_collection: true,
            ..Live::default()
        }
    }

    fn base() -> View {
        search(
            json!({"primarySort": [], "storedValues": [], "primarySortCompression": "lz4"}),
            json!({"products": link(json!(["identity"]))}),
        )
    }

    #[test]
    fn the_servers_defaults_are_no_change() {
        let want = base();
        let plan = plan(
            &state(std::slice::from_ref(&want)),
            &live(&[served(&want)], true),
            &Options::default(),
        );
        assert_eq!(plan.changes, Vec::new());
    }

    #[test]
    fn a_new_view_is_created_in_the_views_stage() {
        let want = base();
        let plan = plan(
            &state(std::slice::from_ref(&want)),
            &live(&[], true),
            &Options::default(),
        );
        assert_eq!(plan.changes.len(), 1);
        let change = &plan.changes[0];
        assert_eq!(
            (change.action, change.stage()),
            (Action::Create, Stage::Views)
        );
        assert_eq!(
            change.steps,
            vec![Step::CreateView {
                body: want.to_create_body()
            }]
        );
    }

    #[test]
    fn mutable_changes_are_one_partial_update_of_what_changed() {
        let have = served(&base());
        let mut want = base();
        want.properties
            .insert("consolidationPolicy".into(), json!({"segmentsMin": 2}));
        want.properties
            .insert("commitIntervalMsec".into(), json!(1000));
        want.links.insert("users".into(), link(json!(["text_en"])));
        let plan = plan(&state(&[want]), &live(&[have], true), &Options::default());
        let change = &plan.changes[0];
        assert_eq!(change.action, Action::Update);
        assert_eq!(
            change.steps,
            vec![Step::UpdateViewProperties {
                view: "search".into(),
                body: json!({"consolidationPolicy": {"segmentsMin": 2}, "links": {"users": link(json!(["text_en"]))}}),
            }]
        );
        let fields: Vec<&str> = change
            .fields
            .iter()
            .map(|field| field.field.as_str())
            .collect();
        assert_eq!(fields, ["consolidationPolicy", "links.users"]);
        assert!(change.reason.contains("re-indexes"), "{}", change.reason);
    }

    #[test]
    fn a_link_that_left_the_spec_is_removed_with_null() {
        let mut have = served(&base());
        have.links.insert("users".into(), link(json!(["identity"])));
        let plan = plan(&state(&[base()]), &live(&[have], true), &Options::default());
        assert_eq!(
            plan.changes[0].steps,
            vec![Step::UpdateViewProperties {
                view: "search".into(),
                body: json!({"links": {"users": null}})
            }]
        );
    }

    #[test]
    fn immutable_changes_replace_the_view() {
        let have = served(&base());
        let mut want = base();
        want.properties.insert(
            "primarySort".into(),
            json!([{"field": "price", "asc": false}]),
        );
        want.properties
            .insert("consolidationPolicy".into(), json!({"segmentsMin": 2}));
        let plan = plan(
            &state(std::slice::from_ref(&want)),
            &live(&[have], true),
            &Options::default(),
        );
        let change = &plan.changes[0];
        assert_eq!(
            (change.action, change.stage(), change.destructive),
            (Action::Replace, Stage::Views, false)
        );
        assert_eq!(
            change.steps,
            vec![
                Step::DropView {
                    view: "search".into()
                },
                Step::CreateView {
                    body: want.to_create_body()
                }
            ]
        );
        assert_eq!(change.fields[0].field, "primarySort");
        assert!(
            change.reason.starts_with("primarySort cannot change"),
            "{}",
            change.reason
        );
        assert!(
            change.reason.contains("no documents are lost"),
            "{}",
            change.reason
        );
    }

    #[test]
    fn search_alias_index_changes_are_updates() {
        let alias = |indexes: &[(&str, &str)]| View {
            name: "alias".into(),
            view_type: "search-alias".into(),
            properties: BTreeMap::new(),
            links: BTreeMap::new(),
            indexes: indexes
                .iter()
                .map(|(collection, index)| AliasIndex {
                    collection: collection.to_string(),
                    index: index.to_string(),
                })
                .collect(),
            id: None,
        };
        let plan = plan(
            &state(&[alias(&[("p", "inv_b")])]),
            &live(&[alias(&[("p", "inv_a")])], true),
            &Options::default(),
        );
        assert_eq!(
            plan.changes[0].steps,
            vec![Step::UpdateViewProperties {
                view: "alias".into(),
                body: json!({"indexes": [
                    {"collection": "p", "index": "inv_a", "operation": "del"},
                    {"collection": "p", "index": "inv_b", "operation": "add"}
                ]}),
            }]
        );
        // A type change is a replace.
        let mut want = alias(&[]);
        want.name = "search".into();
        let replaced = super::super::diff(
            &state(&[want]),
            &live(&[served(&base())], true),
            &Options::default(),
        );
        assert_eq!(replaced.changes[0].action, Action::Replace);
        assert_eq!(replaced.changes[0].fields[0].field, "type");
    }

    #[test]
    fn unowned_views_are_never_changed_or_pruned() {
        let mut want = base();
        want.properties
            .insert("commitIntervalMsec".into(), json!(5));
        let plan = plan(
            &state(&[want]),
            &live(&[served(&base())], false),
            &Options::default(),
        );
        let blocked = plan.changes[0].blocked.as_deref().unwrap_or_default();
        assert!(blocked.contains("not created by arangosync"), "{blocked}");
        let prune = Options {
            prune: true,
            allow_mass_prune: true,
            ..Options::default()
        };
        let plan = super::super::diff(&State::default(), &live(&[served(&base())], false), &prune);
        assert_eq!(plan.changes, Vec::new());
        let plan = super::super::diff(&State::default(), &live(&[served(&base())], true), &prune);
        assert_eq!(plan.changes.len(), 1);
        assert_eq!(
            (plan.changes[0].action, plan.changes[0].stage()),
            (Action::Delete, Stage::ViewDrops)
        );
        assert!(
            Stage::ViewDrops < Stage::Collections
                && Stage::Views > Stage::Indexes
                && Stage::Views < Stage::Graphs
        );
    }

    #[test]
    fn a_view_over_a_dropped_index_is_dropped_first_and_created_again() {
        let alias = View {
            name: "alias".into(),
            view_type: "search-alias".into(),
            properties: BTreeMap::new(),
            links: BTreeMap::new(),
            indexes: vec![AliasIndex {
                collection: "p".into(),
                index: "inv".into(),
            }],
            id: None,
        };
        let desired = state(std::slice::from_ref(&alias));
        let live_state = state(std::slice::from_ref(&alias));
        let mut changes = vec![Change {
            address: Address::Index {
                collection: "p".into(),
                index: "inv".into(),
            },
            action: Action::Replace,
            reason: String::new(),
            fields: Vec::new(),
            steps: vec![Step::DropIndex {
                collection: "p".into(),
                id: "p/1".into(),
                name: "inv".into(),
            }],
            blocked: None,
            destructive: false,
            risk: None,
        }];
        let mut owned = Ownership::default();
        owned.views.insert("alias".into());
        rebuild_dependents(&desired, &live_state, &owned, &mut changes);
        let summary: Vec<(Action, Stage, Option<String>)> = changes[1..]
            .iter()
            .map(|change| (change.action, change.stage(), change.blocked.clone()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (Action::Delete, Stage::ViewDrops, None),
                (Action::Create, Stage::Views, None)
            ]
        );
        assert!(
            changes[1].reason.contains("index p/inv"),
            "{}",
            changes[1].reason
        );
        // A rebuild is not a prune: the mass-prune guard does not count it.
        let share = super::super::prune::share(&changes, &live_state, &owned);
        assert_eq!(share.removed, 0);
        // Not owned: both halves blocked.
        let mut changes = changes[..1].to_vec();
        rebuild_dependents(&desired, &live_state, &Ownership::default(), &mut changes);
        assert!(changes[1..].iter().all(|change| change.blocked.is_some()));
    }

    #[test]
    fn what_the_server_does_not_keep_is_a_note_not_endless_drift() {
        // A 3.11 server reports no optimizeTopK; 3.12.10 keeps no segmentsMin.
        let mut have = served(&base());
        have.properties.remove("optimizeTopK");
        have.properties.insert(
            "consolidationPolicy".into(),
            json!({"type": "tier", "segmentsBytesMax": 8589934592_u64, "maxSkewThreshold": 0.4, "minDeletionRatio": 0.5}),
        );
        let mut want = base();
        want.properties
            .insert("optimizeTopK".into(), json!(["BM25(@doc) DESC"]));
        want.properties.insert(
            "consolidationPolicy".into(),
            json!({"type": "tier", "segmentsMin": 1, "segmentsMax": 10}),
        );
        let from_server = plan(
            &state(std::slice::from_ref(&want)),
            &live(std::slice::from_ref(&have), true),
            &Options::default(),
        );
        assert_eq!(from_server.changes, Vec::new());
        let notes: Vec<&str> = from_server
            .notes
            .iter()
            .map(|note| note.message.as_str())
            .collect();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(
            notes[1].starts_with("this server does not report optimizeTopK"),
            "{notes:?}"
        );
        // Against a base spec tree, a property the base leaves out is a change.
        let offline = Options {
            offline: true,
            ..Options::default()
        };
        let against_base = plan(
            &state(std::slice::from_ref(&want)),
            &live(&[base()], true),
            &offline,
        );
        assert_eq!(against_base.changes[0].action, Action::Replace);
        assert!(against_base.notes.is_empty());
    }

    #[test]
    fn a_view_and_a_collection_cannot_share_a_name() {
        let mut desired = state(&[]);
        desired.collections.insert(
            "search".into(),
            crate::model::Collection::new("search", crate::model::CollectionType::Document),
        );
        let plan = super::super::diff(
            &desired,
            &live(&[served(&base())], false),
            &Options::default(),
        );
        let blocked = plan.changes[0].blocked.as_deref().unwrap_or_default();
        assert!(blocked.contains("taken by a view"), "{blocked}");
        // The view is pruned first (ViewDrops), so the collection can follow.
        let prune = Options {
            prune: true,
            allow_mass_prune: true,
            ..Options::default()
        };
        let plan = super::super::diff(&desired, &live(&[served(&base())], true), &prune);
        assert!(
            plan.changes.iter().all(|change| change.blocked.is_none()),
            "{:?}",
            plan.changes
        );
    }

    #[test]
    fn a_replace_lists_every_field_that_differs() {
        let mut want = base();
        want.properties.insert(
            "primarySort".into(),
            json!([{"field": "price", "asc": false}]),
        );
        want.properties
            .insert("commitIntervalMsec".into(), json!(5));
        want.links
            .insert("products".into(), link(json!(["text_en"])));
        let plan = plan(
            &state(std::slice::from_ref(&want)),
            &live(&[served(&base())], true),
            &Options::default(),
        );
        let change = &plan.changes[0];
        assert_eq!(change.action, Action::Replace);
        let fields: Vec<&str> = change.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            ["primarySort", "commitIntervalMsec", "links.products"]
        );
        // Only the immutable property is named as forcing the replace.
        assert!(
            change.reason.starts_with("primarySort cannot change"),
            "{}",
            change.reason
        );
    }

    #[test]
    fn a_pruned_views_reason_says_what_happens_to_what_it_uses() {
        let mut two = base();
        two.links
            .insert("reviews".into(), link(json!(["identity"])));
        let mut live = live(&[served(&two)], true);
        let state = live.state.as_mut().expect("state");
        for name in ["products", "reviews"] {
            state.collections.insert(
                name.into(),
                crate::model::Collection::new(name, crate::model::CollectionType::Document),
            );
        }
        live.owned.collections.insert("products".into());
        let prune = Options {
            prune: true,
            allow_mass_prune: true,
            allow_destructive: true,
            ..Options::default()
        };
        let mut desired = State::default();
        desired.collections.insert(
            "reviews".into(),
            crate::model::Collection::new("reviews", crate::model::CollectionType::Document),
        );
        let plan = plan(&desired, &live, &prune);
        let order: Vec<(String, Action)> = plan
            .changes
            .iter()
            .map(|change| (change.address.to_string(), change.action))
            .collect();
        // In the order apply runs them: the view is dropped first.
        assert_eq!(
            order,
            [
                ("view search".to_string(), Action::Delete),
                ("collection products".to_string(), Action::Delete),
            ]
        );
        assert_eq!(
            plan.changes[0].reason,
            "arangosync created it and it is no longer in the specs; this plan deletes collection products too and keeps collection reviews"
        );
        // Nothing it uses goes: they are kept.
        let kept = super::super::diff(&desired, &live_without_products(&live), &prune);
        assert_eq!(
            kept.changes[0].reason,
            "arangosync created it and it is no longer in the specs; its collections and indexes are kept"
        );
    }

    /// `live`, with `products` not owned (so not pruned).
    fn live_without_products(live: &Live) -> Live {
        let mut live = live.clone();
        live.owned.collections.clear();
        live
    }

    #[test]
    fn a_view_left_alone_holds_the_drop_of_what_it_uses() {
        let alias = View {
            name: "alias".into(),
            view_type: "search-alias".into(),
            properties: BTreeMap::new(),
            links: BTreeMap::new(),
            indexes: vec![AliasIndex {
                collection: "p".into(),
                index: "inv".into(),
            }],
            id: None,
        };
        let live_state = state(std::slice::from_ref(&alias));
        let drop = vec![Change {
            address: Address::Index {
                collection: "p".into(),
                index: "inv".into(),
            },
            action: Action::Delete,
            reason: String::new(),
            fields: Vec::new(),
            steps: vec![Step::DropIndex {
                collection: "p".into(),
                id: "p/1".into(),
                name: "inv".into(),
            }],
            blocked: None,
            destructive: false,
            risk: None,
        }];
        // Not in the specs, not created by arangosync: blocked.
        let mut changes = drop.clone();
        rebuild_dependents(
            &State::default(),
            &live_state,
            &Ownership::default(),
            &mut changes,
        );
        let blocked = changes[0].blocked.as_deref().unwrap_or_default();
        assert!(
            blocked
                .starts_with("index p/inv is used by view alias, which arangosync did not create;"),
            "{blocked}"
        );
        // Created by arangosync, left the specs, kept (no --prune): blocked.
        let mut owned = Ownership::default();
        owned.views.insert("alias".into());
        let mut changes = drop.clone();
        rebuild_dependents(&State::default(), &live_state, &owned, &mut changes);
        let blocked = changes[0].blocked.as_deref().unwrap_or_default();
        assert!(blocked.contains("until --prune deletes it"), "{blocked}");
        // Dropped by the same plan (--prune): nothing left to change.
        let mut changes = drop;
        changes.push(Change {
            address: Address::View("alias".into()),
            action: Action::Delete,
            reason: String::new(),
            fields: Vec::new(),
            steps: vec![Step::DropView {
                view: "alias".into(),
            }],
            blocked: None,
            destructive: false,
            risk: None,
        });
        rebuild_dependents(&State::default(), &live_state, &owned, &mut changes);
        assert!(changes.iter().all(|change| change.blocked.is_none()));
    }
}
