//! Analyzers: create, replace, prune.
//!
//! ArangoDB cannot change an analyzer: a create under a taken name with
//! another definition fails (400, error 10, "Name collision detected"). So
//! a changed analyzer is a replace: it is dropped and created again, in the
//! `Analyzers` stage, before the collections and indexes that use it.
//!
//! Rules, in the order they are checked:
//! * An analyzer arangosync did not create is never touched: a spec that
//!   states exactly what it is changes nothing (and does not make it
//!   arangosync's, as for collections and graphs); a spec that states
//!   something else is blocked.
//! * Built-in analyzers never reach the plan (`validate` refuses a spec
//!   naming one, and the live read lists only the database's own).
//! * A replace is blocked while an inverted index or an `arangosearch`
//!   view ([`view_users`]) uses the analyzer, unless the same
//!   plan drops or replaces every such user: dropping the analyzer under a
//!   live index would leave the index pointing at a definition that is
//!   gone (ArangoDB refuses the drop, 409/1200, without `force`), and
//!   re-creating it would not rebuild the index. When every user is
//!   replaced too, the drop is sent with `force=true` (the old users go
//!   later in the same run) and the reason says so.
//! * A prune (`--prune`) drops owned analyzers that left the specs, in the
//!   `AnalyzerDrops` stage after the index and view drops and the view
//!   updates; it is blocked while a live user stays or a spec still names
//!   the analyzer. A view whose links this plan moves to other analyzers
//!   (in place) no longer uses the old one by then; it still does when an
//!   analyzer is replaced, which happens before the views change.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::definition;
use super::model::{Action, Address, Change, Compare, FieldChange, Step};
use super::{Options, Ownership};
use crate::model::{analyzers_named, Analyzer, State};

/// Computes the analyzer changes. `changes` holds the changes planned so
/// far (collections, indexes, graphs, views): which users the plan drops
/// or replaces is read from their steps. New changes are returned, not
/// pushed, so the caller can place them by stage.
pub fn diff(
    desired: &State,
    live: &State,
    owned: &Ownership,
    options: &Options,
    changes: &[Change],
) -> Vec<Change> {
    let dropped = Dropped::from(changes, live);
    let mut planned = Vec::new();
    for (name, want) in &desired.analyzers {
        let Some(have) = live.analyzers.get(name) else {
            planned.push(Change {
                address: Address::Analyzer(name.clone()),
                action: Action::Create,
                reason: options.missing_reason(),
                fields: definition::analyzer(&want.to_api_body()),
                steps: vec![Step::CreateAnalyzer {
                    body: want.to_api_body(),
                }],
                blocked: None,
                destructive: false,
                risk: None,
            });
            continue;
        };
        if want.satisfied_by(have) {
            continue;
        }
        planned.push(replace(
            want,
            have,
            owned.analyzers.contains(name),
            &users(name, &options.database, live, &dropped),
        ));
    }
    if options.prune {
        let named_by_specs = named_by_specs(desired, &options.database);
        for name in live.analyzers.keys() {
            if desired.analyzers.contains_key(name) || !owned.analyzers.contains(name) {
                continue;
            }
            planned.push(delete(
                name,
                &users(name, &options.database, live, &dropped),
                named_by_specs.contains(name),
            ));
        }
    }
    planned
}

/// What the plan does to the users of analyzers, read from its steps.
struct Dropped {
    /// (collection, index name): a `DropIndex` names the index as the
    /// plan does, which for a live index is its name (an offline base
    /// index has no id, but always the name its spec gives it).
    indexes: BTreeSet<(String, String)>,
    collections: BTreeSet<String>,
    /// Views dropped, or replaced (dropped and created again).
    views: BTreeSet<String>,
    /// The links each view the plan changes has once the `Views` stage
    /// has run (`None`: dropped and not created again): the live links
    /// with the partial updates laid over them, or a create's links. A
    /// view that moves its links to another analyzer in place stops using
    /// the old one before the `AnalyzerDrops` stage, but not before the
    /// `Analyzers` stage, where a replace happens.
    links_after: BTreeMap<String, Option<BTreeMap<String, Value>>>,
}

impl Dropped {
    fn from(changes: &[Change], live: &State) -> Dropped {
        let mut dropped = Dropped {
            indexes: BTreeSet::new(),
            collections: BTreeSet::new(),
            views: BTreeSet::new(),
            links_after: BTreeMap::new(),
        };
        let links = |object: Option<&Value>| -> BTreeMap<String, Value> {
            object
                .and_then(Value::as_object)
                .map(|links| {
                    links
                        .iter()
                        .map(|(collection, link)| (collection.clone(), link.clone()))
                        .collect()
                })
                .unwrap_or_default()
        };
        for step in changes.iter().flat_map(|change| &change.steps) {
            match step {
                Step::DropIndex {
                    collection, name, ..
                } => {
                    dropped.indexes.insert((collection.clone(), name.clone()));
                }
                Step::DropCollection { collection, .. } => {
                    dropped.collections.insert(collection.clone());
                }
                Step::DropView { view } => {
                    dropped.views.insert(view.clone());
                    dropped.links_after.insert(view.clone(), None);
                }
                Step::CreateView { body } => {
                    if let Some(view) = body["name"].as_str() {
                        dropped
                            .links_after
                            .insert(view.to_string(), Some(links(body.get("links"))));
                    }
                }
                Step::UpdateViewProperties { view, body } => {
                    let Some(changed) = body.get("links").and_then(Value::as_object) else {
                        continue;
                    };
                    let before = match dropped.links_after.get(view) {
                        Some(after) => after.clone(),
                        None => live
                            .views
                            .get(view)
                            .map(|have| have.links.clone().into_iter().collect()),
                    };
                    let Some(mut after) = before else { continue };
                    for (collection, link) in changed {
                        if link.is_null() {
                            after.remove(collection);
                        } else {
                            after.insert(collection.clone(), link.clone());
                        }
                    }
                    dropped.links_after.insert(view.clone(), Some(after));
                }
                _ => {}
            }
        }
        dropped
    }

    /// Whether view `view` no longer names analyzer `name` once the plan's
    /// view changes have run.
    fn view_stops_using(&self, view: &str, name: &str, database: &str) -> bool {
        match self.links_after.get(view) {
            None => false,
            Some(None) => true,
            Some(Some(links)) => !crate::model::View {
                name: view.to_string(),
                view_type: "arangosearch".into(),
                properties: BTreeMap::new(),
                links: links.clone().into_iter().collect(),
                indexes: Vec::new(),
                id: None,
            }
            .analyzers()
            .iter()
            .any(|reference| refers_to(reference, name, database)),
        }
    }
}

/// What kind of object uses an analyzer: what lets a change through
/// differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    InvertedIndex,
    View,
}

/// One live object that uses an analyzer.
#[derive(Debug, Clone, PartialEq)]
struct User {
    /// As the plan names it: `inverted index products/idx_search`.
    what: String,
    kind: Kind,
    /// Whether this plan drops or replaces it before the analyzer is
    /// replaced (`Analyzers` stage).
    goes: bool,
    /// Whether it no longer uses the analyzer once this plan's index and
    /// view changes have run (`AnalyzerDrops` stage): dropped, or a view
    /// whose links were moved to other analyzers.
    gone: bool,
}

/// Whether `reference` (as an index or view names an analyzer: bare for
/// the current database, `db::name` or `::name` otherwise) is analyzer
/// `name` of `database`.
fn refers_to(reference: &str, name: &str, database: &str) -> bool {
    match reference.split_once("::") {
        None => reference == name,
        Some((prefix, short)) => short == name && prefix == database,
    }
}

/// The live inverted indexes (and views) that use analyzer `name`.
fn users(name: &str, database: &str, live: &State, dropped: &Dropped) -> Vec<User> {
    let mut users = Vec::new();
    for collection in live.collections.values() {
        for index in &collection.indexes {
            if !analyzers_named(index)
                .iter()
                .any(|reference| refers_to(reference, name, database))
            {
                continue;
            }
            let index_name = index.name.clone().unwrap_or_else(|| "?".into());
            let goes = dropped.collections.contains(&collection.name)
                || dropped
                    .indexes
                    .contains(&(collection.name.clone(), index_name.clone()));
            users.push(User {
                what: format!("inverted index {}/{index_name}", collection.name),
                kind: Kind::InvertedIndex,
                goes,
                gone: goes,
            });
        }
    }
    users.extend(
        view_users(name, database, live)
            .into_iter()
            .map(|view| User {
                what: format!("view {view}"),
                kind: Kind::View,
                goes: dropped.views.contains(&view),
                gone: dropped.view_stops_using(&view, name, database),
            }),
    );
    users
}

/// The live `arangosearch` views whose links (or their fields, at any
/// depth) name analyzer `name`. A `search-alias` view names no analyzer
/// itself: it uses them through its inverted indexes, which are users of
/// their own.
pub fn view_users(name: &str, database: &str, live: &State) -> Vec<String> {
    live.views
        .values()
        .filter(|view| {
            view.analyzers()
                .iter()
                .any(|reference| refers_to(reference, name, database))
        })
        .map(|view| view.name.clone())
        .collect()
}

/// The analyzers of `database` (bare names) that the desired inverted
/// indexes and view links name; `_system`'s (`::x`) are not among them.
fn named_by_specs(desired: &State, database: &str) -> BTreeSet<String> {
    desired
        .custom_analyzers()
        .into_iter()
        .filter(|reference| crate::model::analyzer_database(reference, database) == database)
        .map(|reference| match reference.split_once("::") {
            Some((_, short)) => short.to_string(),
            None => reference,
        })
        .collect()
}

fn differences(want: &Analyzer, have: &Analyzer) -> Vec<FieldChange> {
    let mut fields = Vec::new();
    if want.analyzer_type != have.analyzer_type {
        fields.push(FieldChange {
            compare: Compare::Exact,
            field: "type".into(),
            before: Value::from(have.analyzer_type.clone()),
            after: Value::from(want.analyzer_type.clone()),
        });
    }
    let stated = |object: &Value| object.as_object().cloned().unwrap_or_default();
    let (want_properties, have_properties) = (stated(&want.properties), stated(&have.properties));
    for (key, value) in &want_properties {
        if !crate::model::option_matches(key, value, have_properties.get(key)) {
            fields.push(FieldChange {
                compare: Compare::Stated,
                field: format!("properties.{key}"),
                before: have_properties.get(key).cloned().unwrap_or(Value::Null),
                after: value.clone(),
            });
        }
    }
    if want.feature_set() != have.feature_set() {
        fields.push(FieldChange {
            compare: Compare::Exact,
            field: "features".into(),
            before: Value::from(Vec::from_iter(have.feature_set())),
            after: Value::from(Vec::from_iter(want.feature_set())),
        });
    }
    fields
}

fn replace(want: &Analyzer, have: &Analyzer, owned: bool, users: &[User]) -> Change {
    let name = want.name.as_str();
    let staying: Vec<&str> = users
        .iter()
        .filter(|user| !user.goes)
        .map(|user| user.what.as_str())
        .collect();
    let going: Vec<&str> = users
        .iter()
        .filter(|user| user.goes)
        .map(|user| user.what.as_str())
        .collect();
    let blocked = if !owned {
        Some(format!(
            "analyzer {name} exists with another definition and was not created by arangosync, so arangosync will not change it; make the spec match it, or give the spec another name"
        ))
    } else if !staying.is_empty() {
        let kinds: BTreeSet<Kind> = users
            .iter()
            .filter(|user| !user.goes)
            .map(|user| user.kind)
            .collect();
        Some(replace_refusal(name, &staying, &kinds))
    } else {
        None
    };
    let mut reason = "ArangoDB cannot change an analyzer, so it is dropped and created again under its name; searches through it fail in between".to_string();
    if !going.is_empty() {
        reason.push_str(&format!(
            "; its users ({}) are replaced by this plan too, right after it, so the drop is forced (they still exist at that moment)",
            going.join(", ")
        ));
    }
    Change {
        address: Address::Analyzer(name.to_string()),
        action: Action::Replace,
        reason,
        fields: differences(want, have),
        steps: vec![
            Step::DropAnalyzer {
                name: name.to_string(),
                force: !going.is_empty(),
            },
            Step::CreateAnalyzer {
                body: want.to_api_body(),
            },
        ],
        blocked,
        destructive: false,
        risk: None,
    }
}

/// Why a replace is refused while `staying` (of `kinds`) keep using the
/// analyzer: the rename route, which always works, then what makes this
/// plan replace each kind of user, and only that.
fn replace_refusal(name: &str, staying: &[&str], kinds: &BTreeSet<Kind>) -> String {
    let mut message = format!(
        "analyzer {name} is used by {}, which this plan does not replace; ArangoDB cannot change an analyzer, and dropping it under its users would leave them searching with a definition that is gone. \
         Give the changed analyzer a new name and point its users at it: the plan creates the new analyzer before its users change, and with --prune drops the old one once nothing uses it",
        staying.join(", ")
    );
    if kinds.contains(&Kind::InvertedIndex) {
        message.push_str(
            ". An inverted index is replaced when its own definition changes in the same commit, which lets the analyzer change through",
        );
    }
    if kinds.contains(&Kind::View) {
        message.push_str(
            ". A view is replaced only when a property fixed at creation (primarySort, primarySortCompression, storedValues) changes in the same commit; a change to its links or other properties is made in place and keeps it using the analyzer",
        );
    }
    message
}

fn delete(name: &str, users: &[User], named_by_specs: bool) -> Change {
    let staying: Vec<&str> = users
        .iter()
        .filter(|user| !user.gone)
        .map(|user| user.what.as_str())
        .collect();
    let blocked = if named_by_specs {
        Some(format!(
            "analyzer {name} is no longer in the specs, but an inverted index in the specs still names it; add its ArangoAnalyzer spec back, or point the index at another analyzer"
        ))
    } else if !staying.is_empty() {
        Some(format!(
            "analyzer {name} is still used by {}, which arangosync keeps (ArangoDB refuses to drop an analyzer in use, 409/1200); drop or change those first",
            staying.join(", ")
        ))
    } else {
        None
    };
    Change {
        address: Address::Analyzer(name.to_string()),
        action: Action::Delete,
        reason: "arangosync created it and it is no longer in the specs".into(),
        fields: Vec::new(),
        steps: vec![Step::DropAnalyzer {
            name: name.to_string(),
            force: false,
        }],
        blocked,
        destructive: false,
        risk: None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::super::model::Stage;
    use super::super::{diff, Live, Options, Ownership};
    use crate::model::{Analyzer, Collection, CollectionType, Index, IndexOptions, State};

    fn analyzer(name: &str, properties: serde_json::Value) -> Analyzer {
        Analyzer {
            name: name.into(),
            analyzer_type: "norm".into(),
            properties,
            features: vec!["frequency".into()],
        }
    }

    /// As the server reports it: defaults filled in.
    fn live_analyzer(name: &str, locale: &str) -> Analyzer {
        analyzer(
            name,
            json!({"locale": locale, "case": "none", "accent": true}),
        )
    }

    fn inverted(name: &str, analyzer: &str, id: Option<&str>) -> Index {
        Index {
            name: Some(name.into()),
            index_type: "inverted".into(),
            fields: vec![json!({"name": "title", "analyzer": analyzer})],
            options: IndexOptions::new(),
            id: id.map(str::to_string),
        }
    }

    fn with_index(mut state: State, index: Index) -> State {
        let mut products = Collection::new("products", CollectionType::Document);
        products.indexes.push(index);
        state.collections.insert("products".into(), products);
        state
    }

    fn state(analyzers: Vec<Analyzer>) -> State {
        State {
            analyzers: analyzers.into_iter().map(|a| (a.name.clone(), a)).collect(),
            ..State::default()
        }
    }

    fn plan(desired: &State, live: State, owned: &[&str], prune: bool) -> super::super::Plan {
        let mut ownership = Ownership::default();
        ownership
            .analyzers
            .extend(owned.iter().map(|name| name.to_string()));
        ownership.collections.insert("products".into());
        ownership
            .indexes
            .insert(("products".into(), "search".into()));
        diff(
            desired,
            &Live {
                state: Some(live),
                owned: ownership,
                has_state_collection: true,
                ..Live::default()
            },
            &Options {
                database: "features".into(),
                prune,
                allow_mass_prune: true,
                ..Options::default()
            },
        )
    }

    fn summary(plan: &super::super::Plan) -> Vec<(String, &'static str, bool)> {
        plan.changes
            .iter()
            .map(|change| {
                (
                    change.address.to_string(),
                    change.action.as_str(),
                    change.blocked.is_some(),
                )
            })
            .collect()
    }

    #[test]
    fn a_missing_analyzer_is_created_before_collections() {
        let desired = state(vec![analyzer("names", json!({"locale": "en"}))]);
        let plan = plan(&desired, State::default(), &[], false);
        assert_eq!(summary(&plan), [("analyzer names".into(), "create", false)]);
        assert_eq!(plan.changes[0].stage(), Stage::Analyzers);
        assert!(Stage::Analyzers < Stage::Collections);
    }

    #[test]
    fn the_server_defaults_are_no_change_and_features_are_a_set() {
        let desired = state(vec![analyzer("names", json!({"locale": "en"}))]);
        let live = state(vec![live_analyzer("names", "en")]);
        assert_eq!(summary(&plan(&desired, live.clone(), &["names"], true)), []);
        let mut more = desired.clone();
        more.analyzers
            .get_mut("names")
            .unwrap()
            .features
            .push("norm".into());
        let plan = plan(&more, live, &["names"], false);
        assert_eq!(
            summary(&plan),
            [("analyzer names".into(), "replace", false)]
        );
        assert_eq!(plan.changes[0].fields[0].field, "features");
    }

    #[test]
    fn a_change_is_a_replace_blocked_while_an_index_that_stays_uses_it() {
        let desired = with_index(
            state(vec![analyzer("names", json!({"locale": "de"}))]),
            inverted("search", "names", None),
        );
        let live = with_index(
            state(vec![live_analyzer("names", "en")]),
            inverted("search", "names", Some("products/1")),
        );
        let plan = plan(&desired, live, &["names"], false);
        assert_eq!(summary(&plan), [("analyzer names".into(), "replace", true)]);
        let blocked = plan.changes[0].blocked.as_deref().unwrap();
        assert!(
            blocked.starts_with(
                "analyzer names is used by inverted index products/search, which this plan does not replace;"
            ),
            "{blocked}"
        );
        assert_eq!(plan.changes[0].fields[0].field, "properties.locale");
    }

    #[test]
    fn a_change_together_with_its_index_is_a_forced_replace_first() {
        let mut changed_index = inverted("search", "names", None);
        changed_index.fields.push(json!({"name": "body"}));
        let desired = with_index(
            state(vec![analyzer("names", json!({"locale": "de"}))]),
            changed_index,
        );
        let live = with_index(
            state(vec![live_analyzer("names", "en")]),
            inverted("search", "names", Some("products/1")),
        );
        let plan = plan(&desired, live, &["names"], false);
        assert_eq!(
            summary(&plan),
            [
                ("analyzer names".into(), "replace", false),
                ("index products/search".into(), "replace", false),
            ]
        );
        assert_eq!(
            plan.changes[0].steps[0],
            super::Step::DropAnalyzer {
                name: "names".into(),
                force: true
            }
        );
        assert!(plan.changes[0].stage() < plan.changes[1].stage());
    }

    #[test]
    fn unowned_analyzers_are_never_touched() {
        let live = state(vec![live_analyzer("hand", "en")]);
        // Not in the specs: left alone, also with --prune.
        assert_eq!(
            summary(&plan(&State::default(), live.clone(), &[], true)),
            []
        );
        // Stated as it is: nothing to do.
        let same = state(vec![analyzer("hand", json!({"locale": "en"}))]);
        assert_eq!(summary(&plan(&same, live.clone(), &[], true)), []);
        // Stated otherwise: blocked.
        let other = state(vec![analyzer("hand", json!({"locale": "fr"}))]);
        let plan = plan(&other, live, &[], false);
        assert_eq!(summary(&plan), [("analyzer hand".into(), "replace", true)]);
        assert!(plan.changes[0]
            .blocked
            .as_deref()
            .unwrap()
            .contains("was not created by arangosync"));
    }

    #[test]
    fn prune_drops_after_indexes_and_waits_for_users() {
        let live = with_index(
            state(vec![live_analyzer("old", "en")]),
            inverted("search", "old", Some("products/1")),
        );
        // The index goes too (it left the specs): the drop is not blocked
        // and runs after the index drop.
        let mut desired = State::default();
        desired.collections.insert(
            "products".into(),
            Collection::new("products", CollectionType::Document),
        );
        let pruned = plan(&desired, live.clone(), &["old"], true);
        assert_eq!(
            summary(&pruned),
            [
                ("index products/search".into(), "delete", false),
                ("analyzer old".into(), "delete", false),
            ]
        );
        assert_eq!(pruned.changes[1].stage(), Stage::AnalyzerDrops);
        assert!(pruned.changes[0].stage() < pruned.changes[1].stage());
        // An index arangosync did not create stays: blocked.
        let hand_live = with_index(
            state(vec![live_analyzer("old", "en")]),
            inverted("hand_search", "old", Some("products/2")),
        );
        let blocked = plan(&desired, hand_live, &["old"], true);
        assert_eq!(summary(&blocked), [("analyzer old".into(), "delete", true)]);
        let reason = blocked.changes[0].blocked.as_deref().unwrap();
        assert!(
            reason.contains("inverted index products/hand_search"),
            "{reason}"
        );
        // A spec still names it: blocked.
        let named = with_index(State::default(), inverted("search", "old", None));
        let blocked = plan(&named, live.clone(), &["old"], true);
        assert_eq!(summary(&blocked), [("analyzer old".into(), "delete", true)]);
        // Without --prune nothing is dropped.
        assert_eq!(summary(&plan(&desired, live, &["old"], false)), []);
    }

    #[test]
    fn prefixed_names_count_for_the_database_they_name() {
        let live = with_index(
            state(vec![live_analyzer("old", "en")]),
            inverted("search", "old", Some("products/1")),
        );
        // `features::old` is the database's own `old`: the index is
        // unchanged, and the drop is blocked since a spec still names it.
        let own = with_index(State::default(), inverted("search", "features::old", None));
        let blocked = plan(&own, live.clone(), &["old"], true);
        assert_eq!(summary(&blocked), [("analyzer old".into(), "delete", true)]);
        assert!(
            blocked.changes[0]
                .blocked
                .as_deref()
                .unwrap_or_default()
                .contains("an inverted index in the specs still names it"),
            "{blocked:?}"
        );
        // `::old` is `_system`'s: the database's own `old` may go.
        for system in ["::old", "_system::old"] {
            let other = with_index(State::default(), inverted("search", system, None));
            let pruned = plan(&other, live.clone(), &["old"], true);
            let drop = pruned
                .changes
                .iter()
                .find(|change| change.address.to_string() == "analyzer old")
                .expect("the drop");
            assert_eq!(drop.blocked, None, "{system}");
        }
    }

    fn catalog(analyzer: &str) -> crate::model::View {
        crate::model::View {
            name: "catalog".into(),
            view_type: "arangosearch".into(),
            properties: BTreeMap::new(),
            links: BTreeMap::from([(
                "products".to_string(),
                json!({"fields": {"title": {"analyzers": [analyzer]}}}),
            )]),
            indexes: Vec::new(),
            id: None,
        }
    }

    fn with_view(mut state: State, view: crate::model::View) -> State {
        state.views.insert(view.name.clone(), view);
        state
    }

    fn owning_catalog(
        desired: &State,
        live: State,
        owned: &[&str],
        prune: bool,
    ) -> super::super::Plan {
        let mut ownership = Ownership::default();
        ownership
            .analyzers
            .extend(owned.iter().map(|name| name.to_string()));
        ownership.views.insert("catalog".into());
        diff(
            desired,
            &Live {
                state: Some(live),
                owned: ownership,
                has_state_collection: true,
                ..Live::default()
            },
            &Options {
                database: "features".into(),
                prune,
                allow_mass_prune: true,
                ..Options::default()
            },
        )
    }

    #[test]
    fn a_view_moved_off_an_analyzer_in_place_lets_the_prune_through() {
        let live = with_view(state(vec![live_analyzer("txt1", "en")]), catalog("txt1"));
        let desired = with_view(
            state(vec![analyzer("txt2", json!({"locale": "en"}))]),
            catalog("txt2"),
        );
        let plan = owning_catalog(&desired, live, &["txt1"], true);
        assert_eq!(
            summary(&plan),
            [
                ("analyzer txt2".into(), "create", false),
                ("view catalog".into(), "update", false),
                ("analyzer txt1".into(), "delete", false),
            ]
        );
        assert!(plan.changes[1].stage() < plan.changes[2].stage());
    }

    #[test]
    fn a_view_updated_in_place_still_holds_a_replace() {
        // The update runs after the Analyzers stage, so it cannot free
        // the analyzer for a replace, even when it moves the link away.
        let live = with_view(
            state(vec![
                live_analyzer("txt1", "en"),
                live_analyzer("txt2", "en"),
            ]),
            catalog("txt1"),
        );
        let desired = with_view(
            state(vec![
                analyzer("txt1", json!({"locale": "de"})),
                analyzer("txt2", json!({"locale": "en"})),
            ]),
            catalog("txt2"),
        );
        let plan = owning_catalog(&desired, live, &["txt1", "txt2"], false);
        assert_eq!(
            summary(&plan),
            [
                ("analyzer txt1".into(), "replace", true),
                ("view catalog".into(), "update", false),
            ]
        );
        let blocked = plan.changes[0].blocked.as_deref().unwrap_or_default();
        assert!(
            blocked.starts_with(
                "analyzer txt1 is used by view catalog, which this plan does not replace;"
            ),
            "{blocked}"
        );
        assert!(blocked.contains("primarySort"), "{blocked}");
        assert!(!blocked.contains("inverted index is replaced"), "{blocked}");
        // A link kept on the pruned analyzer still blocks the prune.
        let live = with_view(state(vec![live_analyzer("txt1", "en")]), catalog("txt1"));
        let mut kept = catalog("txt1");
        kept.properties
            .insert("commitIntervalMsec".into(), json!(5));
        let plan = owning_catalog(&with_view(State::default(), kept), live, &["txt1"], true);
        let delete = plan
            .changes
            .iter()
            .find(|change| change.address.to_string() == "analyzer txt1")
            .expect("the prune is planned");
        assert!(delete.blocked.is_some(), "{delete:?}");
    }

    #[test]
    fn an_index_replaced_without_the_analyzer_lets_the_prune_through() {
        let live = with_index(
            state(vec![live_analyzer("txt1", "en")]),
            inverted("search", "txt1", Some("products/1")),
        );
        let desired = with_index(
            state(vec![analyzer("txt2", json!({"locale": "en"}))]),
            inverted("search", "txt2", None),
        );
        let plan = plan(&desired, live, &["txt1"], true);
        assert_eq!(
            summary(&plan),
            [
                ("analyzer txt2".into(), "create", false),
                ("index products/search".into(), "replace", false),
                ("analyzer txt1".into(), "delete", false),
            ]
        );
    }
}
