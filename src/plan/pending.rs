//! Pending ownership records: creates an earlier run recorded before its
//! first create and never confirmed: sent without seeing the answer (a
//! lost connection, a timeout, a killed run), or never sent (the run failed
//! or stopped before their turn; the object is not there, so the record is
//! dropped and the create planned again).
//!
//! Each is settled from the live state alone: an object that exists as the
//! intent describes it is arangosync's (it is owned in this very plan, so a
//! spec change to it or a prune of it is planned like for any owned
//! object), and the record becomes an ownership record; an intent whose
//! object never appeared, or whose name now holds something else, is
//! dropped. Both happen in one change on the state collection, run under
//! the lock before any other change.

use std::collections::BTreeSet;

use serde_json::Value;

use super::model::{Action, Address, Change, Compare, FieldChange, Step};
use super::{Live, Ownership};
use crate::model::{Analyzer, CollectionType, Graph, Index, State};
use crate::ownership::{Intended, Intent, Owned};

/// A pending record as read from the state collection.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub intent: Intent,
    /// The intent's create request read into the model; `None` when it
    /// cannot be read (then nothing can match it).
    pub object: Option<PendingObject>,
}

/// What a pending create would have made, comparable with the live state.
#[derive(Debug, Clone, PartialEq)]
pub enum PendingObject {
    Collection(CollectionType),
    Index(Index),
    Graph(Graph),
    Analyzer(Analyzer),
    /// A view, by its type (`arangosearch` or `search-alias`).
    View(String),
}

/// The ownership the plan works with (records plus pending creates whose
/// object exists as intended) and the change that settles the pending
/// records, if there are any.
pub fn resolve(state: &State, live: &Live) -> (Ownership, Option<Change>) {
    let mut owned = live.owned.clone();
    if live.pending.is_empty() {
        return (owned, None);
    }
    let mut records = Vec::new();
    let mut recorded = BTreeSet::new();
    let mut keys = Vec::new();
    let mut fields = Vec::new();
    let (mut adopted, mut dropped) = (0, 0);
    for pending in &live.pending {
        let key = pending.intent.key();
        let field = pending.intent.to_string();
        match find(state, pending) {
            Some(found) => {
                adopted += 1;
                let after = match &found {
                    Owned::Index { name, .. } if pending.intent.named().is_none() => {
                        format!("owned (as {name})")
                    }
                    _ => "owned".to_string(),
                };
                fields.push(FieldChange {
                    compare: Compare::Exact,
                    field,
                    before: Value::from("pending"),
                    after: Value::from(after),
                });
                if found.key() != key {
                    keys.push(key);
                }
                match &found {
                    Owned::Collection(name) => {
                        owned.collections.insert(name.clone());
                    }
                    Owned::Index { collection, name } => {
                        owned.indexes.insert((collection.clone(), name.clone()));
                    }
                    Owned::Graph(name) => {
                        owned.graphs.insert(name.clone());
                    }
                    Owned::Analyzer(name) => {
                        owned.analyzers.insert(name.clone());
                    }
                    Owned::View(name) => {
                        owned.views.insert(name.clone());
                    }
                }
                if recorded.insert(found.key()) {
                    records.push(found.record());
                }
            }
            None => {
                dropped += 1;
                fields.push(FieldChange {
                    compare: Compare::Exact,
                    field,
                    before: Value::from("pending"),
                    after: Value::Null,
                });
                keys.push(key);
            }
        }
    }
    let mut steps = Vec::new();
    if !records.is_empty() {
        steps.push(Step::ConfirmOwnership { records });
    }
    if !keys.is_empty() {
        steps.push(Step::ForgetIntents { keys });
    }
    let mut outcomes = Vec::new();
    if adopted > 0 {
        outcomes.push(format!(
            "{adopted} exist as intended and are recorded as created by arangosync"
        ));
    }
    if dropped > 0 {
        outcomes.push(format!(
            "{dropped} never appeared (or their name holds another object) and their pending record is dropped"
        ));
    }
    let reason = format!(
        "{} create(s) of an earlier run were recorded as pending but never confirmed (the \
         answer was lost or timed out, or the run stopped before or after sending them): {}",
        live.pending.len(),
        outcomes.join("; ")
    );
    let change = Change {
        address: Address::StateCollection,
        action: Action::Update,
        reason,
        fields,
        steps,
        blocked: None,
        destructive: false,
        risk: None,
    };
    (owned, Some(change))
}

/// The live object a pending create made, as an ownership record.
fn find(state: &State, pending: &Pending) -> Option<Owned> {
    let supersedes = pending.intent.supersedes_owned;
    match (&pending.intent.subject, pending.object.as_ref()?) {
        (Intended::Collection(name), PendingObject::Collection(collection_type)) => {
            let live = state.collections.get(name)?;
            (supersedes || live.collection_type == *collection_type)
                .then(|| Owned::Collection(name.clone()))
        }
        (Intended::Index { collection, name }, PendingObject::Index(want)) => {
            let indexes = &state.collections.get(collection)?.indexes;
            let live = match name {
                Some(name) => indexes
                    .iter()
                    .find(|live| live.name.as_ref() == Some(name))
                    .filter(|live| supersedes || want.satisfied_by(live))?,
                None => indexes
                    .iter()
                    .find(|live| live.name.is_some() && want.satisfied_by(live))?,
            };
            Some(Owned::Index {
                collection: collection.clone(),
                name: live.name.clone()?,
            })
        }
        (Intended::Graph(name), PendingObject::Graph(want)) => {
            let live = state.graphs.get(name)?;
            (supersedes || live.edge_definitions == want.edge_definitions)
                .then(|| Owned::Graph(name.clone()))
        }
        (Intended::Analyzer(name), PendingObject::Analyzer(want)) => {
            let live = state.analyzers.get(name)?;
            (supersedes || want.satisfied_by(live)).then(|| Owned::Analyzer(name.clone()))
        }
        (Intended::View(name), PendingObject::View(view_type)) => {
            let live = state.views.get(name)?;
            (supersedes || live.view_type == *view_type).then(|| Owned::View(name.clone()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::Collection;

    fn index(name: &str, field: &str, unique: bool) -> Index {
        Index {
            name: Some(name.into()),
            index_type: "persistent".into(),
            fields: vec![json!(field)],
            options: [("unique".to_string(), json!(unique))].into(),
            id: Some(format!("things/{name}")),
        }
    }

    fn pending(name: Option<&str>, field: &str, unique: bool, supersedes: bool) -> Pending {
        let mut body = json!({"type": "persistent", "fields": [field], "unique": unique});
        if let Some(name) = name {
            body["name"] = json!(name);
        }
        let mut object = index(name.unwrap_or("x"), field, unique);
        object.name = name.map(str::to_string);
        object.id = None;
        Pending {
            intent: Intent {
                subject: Intended::Index {
                    collection: "things".into(),
                    name: name.map(str::to_string),
                },
                definition: body,
                supersedes_owned: supersedes,
            },
            object: Some(PendingObject::Index(object)),
        }
    }

    fn live(indexes: Vec<Index>, pending: Vec<Pending>) -> Live {
        let mut things = Collection::new("things", CollectionType::Document);
        things.indexes = indexes;
        let mut state = State::default();
        state.collections.insert("things".into(), things);
        Live {
            system_analyzers: Default::default(),
            state: Some(state),
            owned: Ownership::default(),
            has_state_collection: true,
            views: Default::default(),
            analyzers: None,
            pending,
            server: None,
            document_counts: Default::default(),
        }
    }

    fn settle(live: &Live) -> (Ownership, Change) {
        let state = live.state.clone().expect("state");
        let (owned, change) = resolve(&state, live);
        (owned, change.expect("a settle change"))
    }

    #[test]
    fn an_index_that_exists_as_intended_is_owned() {
        let live = live(
            vec![index("idx_a", "a", false), index("idx_123", "b", true)],
            vec![
                pending(Some("idx_a"), "a", false, false),
                pending(None, "b", true, false),
            ],
        );
        let (owned, change) = settle(&live);
        let expected: BTreeSet<(String, String)> = [
            ("things".to_string(), "idx_123".to_string()),
            ("things".to_string(), "idx_a".to_string()),
        ]
        .into();
        assert_eq!(owned.indexes, expected);
        assert_eq!(change.stage(), super::super::Stage::Ownership);
        let Step::ConfirmOwnership { records } = &change.steps[0] else {
            panic!("{:?}", change.steps)
        };
        assert_eq!(records.len(), 2);
        // The named record overwrites its pending record; the unnamed
        // one's pending record is deleted.
        assert_eq!(
            change.steps[1],
            Step::ForgetIntents {
                keys: vec![live.pending[1].intent.key()]
            }
        );
        assert_eq!(change.fields[1].field, "index things/persistent[b]");
        assert_eq!(change.fields[1].after, json!("owned (as idx_123)"));
    }

    #[test]
    fn an_intent_whose_object_is_missing_or_different_is_dropped() {
        let live = live(
            vec![index("idx_a", "a", true)],
            vec![
                pending(Some("idx_a"), "a", false, false),
                pending(Some("idx_c"), "c", false, false),
            ],
        );
        let (owned, change) = settle(&live);
        assert!(owned.indexes.is_empty());
        assert_eq!(
            change.steps,
            vec![Step::ForgetIntents {
                keys: live.pending.iter().map(|p| p.intent.key()).collect()
            }]
        );
    }

    #[test]
    fn a_replace_in_flight_keeps_the_name_owned() {
        // The old index was dropped and the new one not yet confirmed, or
        // the old one not yet dropped: either way the name is arangosync's.
        let live = live(
            vec![index("idx_a", "a", true)],
            vec![pending(Some("idx_a"), "a", false, true)],
        );
        let (owned, _) = settle(&live);
        assert!(owned
            .indexes
            .contains(&("things".to_string(), "idx_a".to_string())));
    }

    #[test]
    fn a_view_that_exists_with_the_intended_type_is_owned() {
        let view = |view_type: &str| crate::model::View {
            name: "search".into(),
            view_type: view_type.into(),
            properties: Default::default(),
            links: Default::default(),
            indexes: Vec::new(),
            id: Some("1".into()),
        };
        let intent = |view_type: &str| Pending {
            intent: Intent {
                subject: Intended::View("search".into()),
                definition: json!({"name": "search", "type": view_type}),
                supersedes_owned: false,
            },
            object: Some(PendingObject::View(view_type.into())),
        };
        let mut live = live(Vec::new(), vec![intent("search-alias")]);
        if let Some(state) = live.state.as_mut() {
            state.views.insert("search".into(), view("search-alias"));
        }
        let (owned, change) = settle(&live);
        assert!(owned.views.contains("search"));
        assert_eq!(change.fields[0].field, "view search");
        // Another object under the name: the record is dropped.
        live.pending = vec![intent("arangosearch")];
        let (owned, change) = settle(&live);
        assert!(owned.views.is_empty());
        assert_eq!(
            change.steps,
            vec![Step::ForgetIntents {
                keys: vec![live.pending[0].intent.key()]
            }]
        );
    }

    #[test]
    fn no_pending_records_no_change() {
        let live = live(vec![index("idx_a", "a", true)], Vec::new());
        let state = live.state.clone().expect("state");
        assert_eq!(resolve(&state, &live).1, None);
    }
}
