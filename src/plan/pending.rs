//! Pending ownership records: creates an earlier run sent without seeing
//! the answer (a lost connection, a timeout, a killed run).
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

use super::model::{Action, Address, Change, FieldChange, Step};
use super::{Live, Ownership};
use crate::model::{CollectionType, Graph, Index, State};
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
        let field = pending.intent.subject.to_string();
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
                }
                if recorded.insert(found.key()) {
                    records.push(found.record());
                }
            }
            None => {
                dropped += 1;
                fields.push(FieldChange {
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
    let reason = format!(
        "{} create(s) of an earlier run were sent but never confirmed (answer lost, \
         timed out or the run stopped): {adopted} exist as intended and are recorded as \
         created by arangosync, {dropped} never appeared (or the name holds another \
         object) and their pending record is dropped",
        live.pending.len()
    );
    let change = Change {
        address: Address::StateCollection,
        action: Action::Update,
        reason,
        fields,
        steps,
        blocked: None,
        destructive: false,
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
        _ => None,
    }
}
