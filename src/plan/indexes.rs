//! Indexes: ArangoDB cannot change an index, so a changed index is replaced.
//!
//! Identity is the spec's `name` when it has one, otherwise the definition.
//! Replacing creates the new index first and drops the old one afterwards,
//! so queries keep an index meanwhile, unless the server would treat the new
//! definition as the old index ("ensure" identity ignores the name and
//! options such as `estimates` or `cacheEnabled`, shared/ARANGODB_API.md
//! 4.2) or the name stays the same: then the old index must go first.

use std::collections::BTreeSet;

use serde_json::Value;

use super::definition;
use super::model::{Action, Address, Body, Change, Compare, FieldChange, Step};
use super::{Options, Ownership};
use crate::model::{option_matches, Collection, Index, State};
use crate::server::Server;

/// Whether `live` is what `want` states, normalised the way the server
/// normalises a definition ([`Index::satisfied_by`]).
fn full_match(want: &Index, live: &Index) -> bool {
    want.satisfied_by(live)
}

fn describe(index: &Index) -> String {
    match &index.name {
        Some(name) => name.clone(),
        None => format!("{}[{}]", index.index_type, index.field_names().join(",")),
    }
}

/// The handle a drop addresses `index` by: the server's id when the index
/// was read from a server, else `collection/name`, which ArangoDB accepts
/// as a handle too (`DELETE /_api/index/{collection}/{name}`). The second
/// is what an offline base (`plan --offline-from`) has, whose indexes come
/// from specs and carry no id; such a plan is shown, never applied. `None`
/// for an index with neither (unnamed, not read from a server).
fn handle(collection: &str, index: &Index) -> Option<String> {
    index.id.clone().or_else(|| {
        index
            .name
            .as_ref()
            .map(|name| format!("{collection}/{name}"))
    })
}

/// The body of `POST /_api/index`: the definition, then `inBackground`,
/// kept as its text for as long as the plan is.
fn create_body(index: &Index) -> Body {
    let mut body = index.to_api_body();
    if let Value::Object(members) = &mut body {
        members.insert("inBackground".into(), Value::Bool(true));
    }
    Body::new(&body)
}

fn differences(want: &Index, live: &Index) -> Vec<FieldChange> {
    let mut fields = Vec::new();
    if want.index_type != live.index_type {
        fields.push(FieldChange {
            compare: Compare::Exact,
            field: "type".into(),
            before: Value::from(live.index_type.clone()),
            after: Value::from(want.index_type.clone()),
        });
    }
    if !want.fields_match(live) {
        fields.push(FieldChange {
            compare: Compare::Stated,
            field: "fields".into(),
            before: Value::Array(live.fields.clone()),
            after: Value::Array(want.fields.clone()),
        });
    }
    if want.name.is_some() && want.name != live.name {
        fields.push(FieldChange {
            compare: Compare::Exact,
            field: "name".into(),
            before: live.name.clone().map_or(Value::Null, Value::from),
            after: want.name.clone().map_or(Value::Null, Value::from),
        });
    }
    for (key, value) in want.compared_options() {
        if !option_matches(key, value, live.options.get(key)) {
            let before = live.options.get(key).cloned().unwrap_or(Value::Null);
            fields.push(FieldChange {
                compare: Compare::Stated,
                field: key.to_string(),
                before,
                after: value.clone(),
            });
        }
    }
    fields
}

pub fn diff(
    want: &Collection,
    have: Option<&Collection>,
    owned: &Ownership,
    options: &Options,
    changes: &mut Vec<Change>,
) {
    let collection = want.name.as_str();
    let mut unmatched: Vec<&Index> = have
        .map(|have| have.indexes.iter().collect())
        .unwrap_or_default();
    let is_owned = |index: &Index| {
        index.name.as_ref().is_some_and(|name| {
            owned
                .indexes
                .contains(&(collection.to_string(), name.clone()))
        })
    };
    let take = |unmatched: &mut Vec<&Index>, predicate: &dyn Fn(&Index) -> bool| -> Option<Index> {
        let position = unmatched.iter().position(|index| predicate(index))?;
        Some(unmatched.remove(position).clone())
    };
    for index in &want.indexes {
        if let Some(name) = &index.name {
            if let Some(live) = take(&mut unmatched, &|live| live.name.as_ref() == Some(name)) {
                if !full_match(index, &live) {
                    changes.push(replace(
                        collection,
                        index,
                        &live,
                        true,
                        is_owned(&live),
                        "its definition changed",
                    ));
                }
                continue;
            }
        } else if take(&mut unmatched, &|live| full_match(index, live)).is_some() {
            continue;
        }
        if let Some(live) = take(&mut unmatched, &|live| index.same_server_identity(live)) {
            let reason = if index.index_type == "ttl" {
                "a collection has at most one TTL index"
            } else {
                "ArangoDB treats the new definition as the existing index (same identity, other name or options)"
            };
            changes.push(replace(
                collection,
                index,
                &live,
                true,
                is_owned(&live),
                reason,
            ));
            continue;
        }
        let same_fields = |live: &Index| {
            is_owned(live)
                && live.index_type == index.index_type
                && index.fields_match(live)
                && index.name.is_none()
        };
        if let Some(live) = take(&mut unmatched, &same_fields) {
            changes.push(replace(
                collection,
                index,
                &live,
                false,
                true,
                "its definition changed",
            ));
            continue;
        }
        changes.push(Change {
            address: Address::Index {
                collection: collection.to_string(),
                index: describe(index),
            },
            action: Action::Create,
            reason: options.missing_reason(),
            // Shown from the step's body (`Change::shown_fields`).
            fields: Vec::new(),
            steps: vec![Step::CreateIndex {
                collection: collection.to_string(),
                body: create_body(index),
                deferrable: false,
            }],
            blocked: None,
            destructive: false,
            risk: None,
        });
    }
    if !options.prune {
        return;
    }
    for live in unmatched {
        if !is_owned(live) {
            continue;
        }
        let Some(id) = handle(collection, live) else {
            continue;
        };
        changes.push(Change {
            address: Address::Index {
                collection: collection.to_string(),
                index: describe(live),
            },
            action: Action::Delete,
            reason: format!(
                "arangosync created it and it is no longer in the specs; {}",
                definition::index_facts(live)
            ),
            fields: Vec::new(),
            steps: vec![Step::DropIndex {
                collection: collection.to_string(),
                id,
                name: describe(live),
            }],
            blocked: None,
            destructive: false,
            risk: None,
        });
    }
}

fn replace(
    collection: &str,
    want: &Index,
    live: &Index,
    drop_first: bool,
    owned: bool,
    reason: &str,
) -> Change {
    let id = live.id.clone().unwrap_or_default();
    let create = Step::CreateIndex {
        collection: collection.to_string(),
        body: create_body(want),
        deferrable: false,
    };
    let drop = Step::DropIndex {
        collection: collection.to_string(),
        id,
        name: describe(live),
    };
    let (steps, order) = if drop_first {
        (
            vec![drop, create],
            format!(
                "the old index is dropped first, so queries have no index on ({}) until the new one is built",
                live.field_names().join(", ")
            ),
        )
    } else {
        (
            vec![create, drop],
            "the new index is built before the old one is dropped".to_string(),
        )
    };
    let blocked = (!owned).then(|| {
        format!(
            "index {collection}/{} was not created by arangosync, so arangosync will not drop it; drop it by hand or make the spec match it",
            describe(live)
        )
    });
    Change {
        address: Address::Index {
            collection: collection.to_string(),
            index: describe(live),
        },
        action: Action::Replace,
        reason: format!("{reason}; {}; {order}", definition::index_becomes(want)),
        fields: differences(want, live),
        steps,
        blocked,
        destructive: false,
        risk: None,
    }
}

/// How a collection is sharded once the plan ran: its number of shards and
/// shard keys. A collection the plan creates (or drops and creates again)
/// gets what its spec states, else the coordinator's defaults (1 shard,
/// `_key`), its number of shards following a `distributeShardsLike`
/// prototype; an existing one keeps what the server reports (both are
/// immutable). `None` when unknown.
fn sharding_after(
    collection: &str,
    desired: &State,
    live: &State,
    fresh: &BTreeSet<&str>,
) -> Option<(u64, Vec<String>)> {
    let existing = live
        .collections
        .get(collection)
        .filter(|_| !fresh.contains(collection));
    if let Some(have) = existing {
        let cluster = &have.cluster;
        return Some((cluster.number_of_shards?, cluster.shard_keys.clone()?));
    }
    let want = desired.collections.get(collection)?;
    let keys = want
        .cluster
        .shard_keys
        .clone()
        .unwrap_or_else(|| vec!["_key".to_string()]);
    let shards = match (
        &want.cluster.number_of_shards,
        &want.cluster.distribute_shards_like,
    ) {
        (Some(shards), _) => *shards,
        (None, Some(prototype)) => desired
            .collections
            .get(prototype)
            .and_then(|c| c.cluster.number_of_shards)
            .or_else(|| {
                live.collections
                    .get(prototype)
                    .and_then(|c| c.cluster.number_of_shards)
            })?,
        (None, None) => 1,
    };
    Some((shards, keys))
}

/// On a cluster, blocks every not yet blocked create or replace of a unique
/// index whose fields (and `prefixFields`) leave out a shard key of a
/// collection with more than one shard: the coordinator refuses it (1470,
/// `methods::Indexes::ensureIndex` in ArangoDB's sources), and a replace
/// would have dropped the old index first. Single servers have no shard
/// keys: nothing to check.
pub fn check_shard_keys(server: &Server, desired: &State, live: &State, changes: &mut [Change]) {
    if !server.cluster {
        return;
    }
    let fresh: BTreeSet<&str> = changes
        .iter()
        .filter_map(|change| match (&change.address, change.action) {
            (Address::Collection(name), Action::Create | Action::Replace) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    let mut blocks = Vec::new();
    for (position, change) in changes.iter().enumerate() {
        if change.blocked.is_some() {
            continue;
        }
        for step in &change.steps {
            let Step::CreateIndex {
                collection, body, ..
            } = step
            else {
                continue;
            };
            if body.member("unique") != Some(Value::Bool(true)) {
                continue;
            }
            let Some((shards, keys)) = sharding_after(collection, desired, live, &fresh) else {
                continue;
            };
            if shards <= 1 {
                continue;
            }
            let body = body.value();
            let fields: Vec<&str> = ["fields", "prefixFields"]
                .iter()
                .filter_map(|key| body[*key].as_array())
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let missing: Vec<&str> = keys
                .iter()
                .map(String::as_str)
                .filter(|key| !fields.contains(key))
                .collect();
            if !missing.is_empty() {
                blocks.push((
                    position,
                    format!(
                        "on a cluster a unique index must contain every shard key of its collection: {collection} has {shards} shards by ({}), and this index leaves out ({}); the server would refuse it (error 1470). Add the shard keys to its fields or drop `unique`",
                        keys.join(", "),
                        missing.join(", ")
                    ),
                ));
                break;
            }
        }
    }
    for (position, reason) in blocks {
        if let Some(change) = changes.get_mut(position) {
            change.blocked = Some(reason);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::CollectionType;
    use crate::server::Version;

    fn create(collection: &str, body: Value) -> Change {
        Change {
            address: Address::Index {
                collection: collection.into(),
                index: "idx".into(),
            },
            action: Action::Create,
            reason: String::new(),
            fields: Vec::new(),
            steps: vec![Step::CreateIndex {
                collection: collection.into(),
                body: body.into(),
                deferrable: false,
            }],
            blocked: None,
            destructive: false,
            risk: None,
        }
    }

    fn sharded(name: &str, shards: u64, keys: &[&str]) -> Collection {
        let mut collection = Collection::new(name, CollectionType::Document);
        collection.cluster.number_of_shards = Some(shards);
        collection.cluster.shard_keys = Some(keys.iter().map(|key| key.to_string()).collect());
        collection
    }

    /// The blocked reasons of unique indexes over `fields` on `users` as
    /// `live` holds it, on a cluster or a single server.
    fn blocked(live: Collection, fields: Value, cluster: bool) -> Option<String> {
        let mut state = State::default();
        state.collections.insert("users".into(), live);
        let mut server = Server::target(Version::new(3, 12, 10));
        server.cluster = cluster;
        let mut changes = vec![create(
            "users",
            json!({"type": "persistent", "fields": fields, "unique": true}),
        )];
        check_shard_keys(&server, &State::default(), &state, &mut changes);
        changes.remove(0).blocked
    }

    #[test]
    fn a_unique_index_must_hold_every_shard_key_of_a_sharded_collection() {
        let users = || sharded("users", 3, &["org", "region"]);
        let reason = blocked(users(), json!(["email", "org"]), true).expect("blocked");
        assert!(
            reason.contains(
                "users has 3 shards by (org, region), and this index leaves out (region)"
            ),
            "{reason}"
        );
        assert_eq!(
            blocked(users(), json!(["region", "email", "org"]), true),
            None
        );
        // One shard, a single server, or unknown sharding: nothing refuses.
        assert_eq!(
            blocked(sharded("users", 1, &["_key"]), json!(["email"]), true),
            None
        );
        assert_eq!(blocked(users(), json!(["email"]), false), None);
        let unknown = Collection::new("users", CollectionType::Document);
        assert_eq!(blocked(unknown, json!(["email"]), true), None);
    }

    #[test]
    fn a_created_collection_is_sharded_as_its_spec_says_or_by_key() {
        let mut desired = State::default();
        let mut events = Collection::new("events", CollectionType::Document);
        events.cluster.number_of_shards = Some(2);
        let mut alerts = Collection::new("alerts", CollectionType::Document);
        alerts.cluster.distribute_shards_like = Some("events".into());
        desired.collections.insert("events".into(), events);
        desired.collections.insert("alerts".into(), alerts);
        let fresh = BTreeSet::new();
        let live = State::default();
        assert_eq!(
            sharding_after("events", &desired, &live, &fresh),
            Some((2, vec!["_key".to_string()]))
        );
        assert_eq!(
            sharding_after("alerts", &desired, &live, &fresh).map(|(shards, _)| shards),
            Some(2)
        );
        // A collection the plan replaces takes its spec's sharding.
        let mut old = State::default();
        old.collections
            .insert("events".into(), sharded("events", 5, &["org"]));
        assert_eq!(
            sharding_after("events", &desired, &old, &BTreeSet::from(["events"])),
            Some((2, vec!["_key".to_string()]))
        );
        assert_eq!(
            sharding_after("events", &desired, &old, &fresh),
            Some((5, vec!["org".to_string()]))
        );
    }
}
