//! Collections: create, update mutable properties in place, replace on an
//! immutable change (destructive, refused without `--allow-destructive`),
//! delete only what arangosync created and only with `--prune
//! --allow-destructive`.

use serde_json::{json, Map, Value};

use super::indexes;
use super::model::{Action, Address, Change, Compare, FieldChange, Step};
use super::{Options, Ownership};
use crate::model::{json_eq, Collection, State};

pub fn diff(
    desired: &State,
    live: &State,
    owned: &Ownership,
    options: &Options,
    changes: &mut Vec<Change>,
) {
    for (name, want) in &desired.collections {
        match live.collections.get(name) {
            None => {
                changes.push(create(want, options));
                indexes::diff(want, None, owned, options, changes);
            }
            Some(have) => {
                let immutable = immutable_differences(want, have);
                if !immutable.is_empty() {
                    let followers = followers_of(live, name);
                    changes.push(replace(want, have, immutable, &followers, owned, options));
                    // The new collection starts without indexes.
                    indexes::diff(want, None, owned, options, changes);
                    continue;
                }
                indexes::diff(want, Some(have), owned, options, changes);
                let mutable = mutable_differences(want, have);
                if !mutable.is_empty() {
                    changes.push(update(want, mutable));
                }
            }
        }
    }
    for (name, have) in &live.collections {
        if desired.collections.contains_key(name) || !owned.collections.contains(name) {
            continue;
        }
        if !options.prune {
            continue;
        }
        let blocked = (!options.allow_destructive).then(|| {
            format!("deleting collection {name} would delete all its documents; pass --allow-destructive with --prune to allow it")
        });
        changes.push(Change {
            address: Address::Collection(name.clone()),
            action: Action::Delete,
            reason: "arangosync created it and it is no longer in the specs".into(),
            fields: Vec::new(),
            steps: vec![Step::DropCollection {
                collection: have.name.clone(),
                prototype: live.collections.values().any(|other| {
                    other.cluster.distribute_shards_like.as_deref() == Some(name.as_str())
                }),
            }],
            blocked,
            destructive: true,
            risk: None,
        });
    }
}

/// The `POST /_api/collection` body for a spec.
pub fn create_body(collection: &Collection) -> Value {
    let mut body = Map::new();
    body.insert("name".into(), Value::from(collection.name.clone()));
    body.insert(
        "type".into(),
        Value::from(collection.collection_type.api_number()),
    );
    body.insert("waitForSync".into(), Value::Bool(collection.wait_for_sync));
    body.insert("cacheEnabled".into(), Value::Bool(collection.cache_enabled));
    body.insert("keyOptions".into(), key_options(collection));
    if let Some(schema) = &collection.schema {
        body.insert("schema".into(), json!(schema));
    }
    if !collection.computed_values.is_empty() {
        body.insert("computedValues".into(), json!(collection.computed_values));
    }
    if let Value::Object(cluster) = json!(collection.cluster) {
        for (key, value) in cluster {
            if !value.is_null() {
                body.insert(key, value);
            }
        }
    }
    Value::Object(body)
}

fn key_options(collection: &Collection) -> Value {
    let options = &collection.key_options;
    let mut body = json!({"type": options.generator, "allowUserKeys": options.allow_user_keys});
    if let Some(increment) = options.increment {
        body["increment"] = Value::from(increment);
    }
    if let Some(offset) = options.offset {
        body["offset"] = Value::from(offset);
    }
    body
}

fn create(want: &Collection, options: &Options) -> Change {
    Change {
        address: Address::Collection(want.name.clone()),
        action: Action::Create,
        reason: options.missing_reason(),
        // Shown from the step's body (`Change::shown_fields`).
        fields: Vec::new(),
        steps: vec![Step::create_collection(&create_body(want))],
        blocked: None,
        destructive: false,
        risk: None,
    }
}

fn field(name: &str, before: Value, after: Value) -> FieldChange {
    FieldChange {
        compare: Compare::Exact,
        field: name.to_string(),
        before,
        after,
    }
}

/// Differences the server cannot change in place.
fn immutable_differences(want: &Collection, have: &Collection) -> Vec<FieldChange> {
    let mut fields = Vec::new();
    if want.collection_type != have.collection_type {
        fields.push(field(
            "type",
            Value::from(have.collection_type.as_str()),
            Value::from(want.collection_type.as_str()),
        ));
    }
    if want.key_options != have.key_options {
        fields.push(field("keyOptions", key_options(have), key_options(want)));
    }
    let (w, h) = (&want.cluster, &have.cluster);
    // Cluster options count only where both sides state them: a single
    // server reports none, a spec may leave them out.
    let both = |a: &Option<Value>, b: &Option<Value>| matches!((a, b), (Some(a), Some(b)) if !json_eq(a, b));
    if both(
        &w.number_of_shards.map(Value::from),
        &h.number_of_shards.map(Value::from),
    ) {
        fields.push(field(
            "numberOfShards",
            json!(h.number_of_shards),
            json!(w.number_of_shards),
        ));
    }
    if both(
        &w.shard_keys.as_ref().map(|k| json!(k)),
        &h.shard_keys.as_ref().map(|k| json!(k)),
    ) {
        fields.push(field("shardKeys", json!(h.shard_keys), json!(w.shard_keys)));
    }
    if both(
        &w.sharding_strategy.as_ref().map(|s| json!(s)),
        &h.sharding_strategy.as_ref().map(|s| json!(s)),
    ) {
        fields.push(field(
            "shardingStrategy",
            json!(h.sharding_strategy),
            json!(w.sharding_strategy),
        ));
    }
    if both(
        &w.distribute_shards_like.as_ref().map(|s| json!(s)),
        &h.distribute_shards_like.as_ref().map(|s| json!(s)),
    ) {
        fields.push(field(
            "distributeShardsLike",
            json!(h.distribute_shards_like),
            json!(w.distribute_shards_like),
        ));
    }
    fields
}

/// Differences `PUT .../properties` can fix, with the body that fixes them.
fn mutable_differences(want: &Collection, have: &Collection) -> Vec<(FieldChange, Value)> {
    let mut fields = Vec::new();
    if want.wait_for_sync != have.wait_for_sync {
        fields.push((
            field(
                "waitForSync",
                json!(have.wait_for_sync),
                json!(want.wait_for_sync),
            ),
            json!(want.wait_for_sync),
        ));
    }
    if want.cache_enabled != have.cache_enabled {
        fields.push((
            field(
                "cacheEnabled",
                json!(have.cache_enabled),
                json!(want.cache_enabled),
            ),
            json!(want.cache_enabled),
        ));
    }
    let same_schema = match (&want.schema, &have.schema) {
        (Some(want), Some(have)) => want.matches(have),
        (want, have) => want.is_none() && have.is_none(),
    };
    if !same_schema {
        // `null` removes a schema.
        fields.push((
            field("schema", json!(have.schema), json!(want.schema)),
            json!(want.schema),
        ));
    }
    if want.computed_values != have.computed_values {
        // `[]` removes computed values.
        fields.push((
            field(
                "computedValues",
                json!(have.computed_values),
                json!(want.computed_values),
            ),
            json!(want.computed_values),
        ));
    }
    let (w, h) = (&want.cluster, &have.cluster);
    if h.distribute_shards_like.is_some() {
        // A follower takes replicationFactor and writeConcern from its
        // prototype, and a coordinator refuses to change them on the
        // follower (403/11, ARANGODB_API.md 3.4): planning an update there
        // could never converge. Validation makes a follower state its
        // prototype's values or none.
        return fields;
    }
    if let (Some(want_factor), Some(have_factor)) = (&w.replication_factor, &h.replication_factor) {
        if !json_eq(want_factor, have_factor) {
            fields.push((
                field(
                    "replicationFactor",
                    have_factor.clone(),
                    want_factor.clone(),
                ),
                want_factor.clone(),
            ));
        }
    }
    if let (Some(want_concern), Some(have_concern)) = (w.write_concern, h.write_concern) {
        if want_concern != have_concern {
            fields.push((
                field("writeConcern", json!(have_concern), json!(want_concern)),
                json!(want_concern),
            ));
        }
    }
    fields
}

fn update(want: &Collection, differences: Vec<(FieldChange, Value)>) -> Change {
    let mut body = Map::new();
    let mut fields = Vec::new();
    for (change, value) in differences {
        body.insert(change.field.clone(), value);
        fields.push(change);
    }
    let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    Change {
        address: Address::Collection(want.name.clone()),
        action: Action::Update,
        reason: format!(
            "{} changed; updated in place, documents are kept",
            names.join(", ")
        ),
        fields,
        steps: vec![Step::UpdateProperties {
            collection: want.name.clone(),
            body: Value::Object(body),
        }],
        blocked: None,
        destructive: false,
        risk: None,
    }
}

/// Live collections that distribute their shards like `name`.
fn followers_of(live: &State, name: &str) -> Vec<String> {
    live.collections
        .values()
        .filter(|other| other.cluster.distribute_shards_like.as_deref() == Some(name))
        .map(|other| other.name.clone())
        .collect()
}

fn replace(
    want: &Collection,
    have: &Collection,
    mut fields: Vec<FieldChange>,
    followers: &[String],
    owned: &Ownership,
    options: &Options,
) -> Change {
    let names: Vec<String> = fields.iter().map(|f| f.field.clone()).collect();
    let blocked = if !followers.is_empty() {
        // A coordinator refuses to drop a prototype (1485).
        Some(format!(
            "{} cannot change in place, and collection {} cannot be dropped while {} distribute their shards like it; migrate them by hand",
            names.join(", "),
            want.name,
            followers.join(", ")
        ))
    } else if !owned.collections.contains(&want.name) {
        Some(format!(
            "{} cannot change in place, and collection {} was not created by arangosync, so arangosync will not drop it; migrate it by hand",
            names.join(", "),
            want.name
        ))
    } else if !options.allow_destructive {
        Some(format!(
            "{} cannot change in place: the collection would be dropped and created again, deleting all its documents; pass --allow-destructive to allow it",
            names.join(", ")
        ))
    } else {
        None
    };
    // Mutable differences are shown too, since the new collection gets them.
    fields.extend(
        mutable_differences(want, have)
            .into_iter()
            .map(|(field, _)| field),
    );
    Change {
        address: Address::Collection(want.name.clone()),
        action: Action::Replace,
        reason: format!(
            "{} cannot change in place; drop and create again (deletes all documents)",
            names.join(", ")
        ),
        fields,
        steps: vec![
            Step::DropCollection {
                collection: want.name.clone(),
                prototype: false,
            },
            Step::create_collection(&create_body(want)),
        ],
        blocked,
        destructive: true,
        risk: None,
    }
}
