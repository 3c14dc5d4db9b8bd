//! The live facts vector indexes need besides the schema: how many
//! documents carry a vector in an indexed attribute (up to 3.12.8 a vector
//! index cannot be created before that many reach its training threshold;
//! see `plan::vector`).
//!
//! Read only on servers before 3.12.9 (the version the readiness wait read,
//! or the run's known facts), for the collections whose specs hold a vector
//! index: one read-only cursor per (collection, attribute), all at once and
//! at the same time as the rest of the live read, so the read stays as many
//! round trips deep. Each query stops at the threshold
//! (`FOR d IN @@c FILTER d.@a0... != null LIMIT @n RETURN 1`): the plan only
//! needs to know whether there are enough, so a large collection is never
//! scanned past the first `n` vectors. Which of these indexes exist is known
//! only after the read, so the count is read for every such collection and
//! used by the plan only where the index is missing or replaced.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{json, Map, Value};
use tokio::task::JoinSet;

use crate::client::{encode_segment, Client, ClientError};
use crate::model::{whole_number, State};
use crate::server::Version;

/// ArangoDB's "collection or view not found" (also AQL's 1203).
const NOT_FOUND: u64 = 1203;
/// ArangoDB's "database not found": nothing to count yet.
const DATABASE_NOT_FOUND: u64 = 1228;
/// The first release that creates a vector index before it can train it:
/// from it on nothing is counted.
const TRAINS_LATER: Version = Version::new(3, 12, 9);

/// A count to read: documents of a collection with a non-null value at an
/// attribute path (dot-separated, as index `fields` are), up to a limit.
pub type Counted = (String, String);

/// What to count for `desired`: for each (collection, attribute) a vector
/// index of the specs covers, the largest training threshold among those
/// indexes (the count's limit). Empty when `version` (the server's, if
/// known before the read) trains vector indexes later (3.12.9+).
pub fn vector_counts_wanted(desired: &State, version: Option<Version>) -> BTreeMap<Counted, u64> {
    let mut wanted = BTreeMap::new();
    if version.is_some_and(|version| version.at_least(TRAINS_LATER)) {
        return wanted;
    }
    for collection in desired.collections.values() {
        for index in &collection.indexes {
            if index.index_type != "vector" {
                continue;
            }
            let (Some(field), Some(threshold)) = (
                index.fields.first().and_then(Value::as_str),
                index.options.get("params").and_then(params_threshold),
            ) else {
                continue;
            };
            let limit = wanted
                .entry((collection.name.clone(), field.to_string()))
                .or_insert(0);
            *limit = threshold.max(*limit);
        }
    }
    wanted
}

/// The training threshold of a vector index's `params`: a fixed `nLists`,
/// or the `minNLists` of the 3.12.10 scaling form. `None` when `nLists` is
/// absent (3.12.10 defaults; never deferred) or unreadable.
pub fn params_threshold(params: &Value) -> Option<u64> {
    let nlists = &params["nLists"];
    whole_number(nlists).or_else(|| whole_number(&nlists["minNLists"]))
}

/// The version the readiness wait read, if it did.
pub fn version_read(client: &Client) -> Option<Version> {
    client.version_answer()?["version"].as_str()?.parse().ok()
}

/// The cursor request counting documents of `collection` with a non-null
/// value at `field`, stopping at `limit`. Attribute names are bind
/// parameters, so no name is ever spliced into the query text.
pub fn count_query(collection: &str, field: &str, limit: u64) -> Value {
    let mut bind_vars = Map::new();
    bind_vars.insert("@c".into(), Value::from(collection));
    bind_vars.insert("n".into(), Value::from(limit));
    let mut path = String::new();
    for (n, attribute) in field.split('.').enumerate() {
        path.push_str(&format!(".@a{n}"));
        bind_vars.insert(format!("a{n}"), Value::from(attribute));
    }
    json!({
        "query": format!("FOR d IN @@c FILTER d{path} != null LIMIT @n RETURN 1"),
        "bindVars": bind_vars,
        "count": true,
        "batchSize": limit.max(1),
    })
}

/// For each of `wanted`, how many documents carry a value at the attribute,
/// counted up to the limit; a collection that does not exist (yet) is left
/// out.
pub async fn vector_counts(
    client: &Client,
    wanted: &BTreeMap<Counted, u64>,
) -> Result<BTreeMap<Counted, u64>, ClientError> {
    let mut tasks = JoinSet::new();
    for ((collection, field), limit) in wanted {
        let client = client.clone();
        let key = (collection.clone(), field.clone());
        let body = count_query(collection, field, *limit);
        tasks.spawn(async move {
            match client
                .call(Method::POST, "/_api/cursor", &[], Some(&body))
                .await
            {
                Ok(response) => {
                    let answer = &response.body;
                    let rows = answer["result"].as_array().map_or(0, Vec::len) as u64;
                    let count = answer["count"].as_u64().unwrap_or(rows);
                    // All rows fit one batch; a server that kept more
                    // anyway gets its cursor closed (best effort).
                    if let Some(id) = answer["id"].as_str().filter(|_| answer["hasMore"] == true) {
                        let path = format!("/_api/cursor/{}", encode_segment(id));
                        if let Err(err) = client.call(Method::DELETE, &path, &[], None).await {
                            tracing::debug!(error = %err, "could not close a count cursor");
                        }
                    }
                    Ok(Some((key, count)))
                }
                Err(err) if matches!(err.error_num(), Some(NOT_FOUND | DATABASE_NOT_FOUND)) => {
                    Ok(None)
                }
                Err(err) => Err(err),
            }
        });
    }
    let mut counts = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        let counted = joined
            .map_err(|err| ClientError::Config(format!("vector count task failed: {err}")))??;
        counts.extend(counted);
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_query_binds_every_attribute_name() {
        assert_eq!(
            count_query("items", "meta.embedding", 3),
            json!({
                "query": "FOR d IN @@c FILTER d.@a0.@a1 != null LIMIT @n RETURN 1",
                "bindVars": {"@c": "items", "n": 3, "a0": "meta", "a1": "embedding"},
                "count": true,
                "batchSize": 3,
            })
        );
    }

    #[test]
    fn counts_are_wanted_before_3_12_9_only_with_the_largest_threshold() {
        let text = "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata: {name: items}\nspec:\n  indexes:\n    - {type: vector, name: a, fields: [embedding], params: {metric: l2, dimension: 2, nLists: 2}}\n    - {type: vector, name: b, fields: [embedding], params: {metric: cosine, dimension: 2, nLists: 5}}\n    - {type: persistent, fields: [x]}\n";
        let loaded = crate::spec::load_contents(std::path::Path::new("t.yaml"), text.into());
        assert!(loaded.diagnostics.0.is_empty(), "{:?}", loaded.diagnostics);
        let expected: BTreeMap<Counted, u64> = [(("items".into(), "embedding".into()), 5)].into();
        for version in [None, Some("3.12.4"), Some("3.12.8")] {
            let version = version.map(|text| text.parse().unwrap());
            assert_eq!(vector_counts_wanted(&loaded.state, version), expected);
        }
        for version in ["3.12.9", "3.12.10", "4.0"] {
            let wanted = vector_counts_wanted(&loaded.state, Some(version.parse().unwrap()));
            assert!(wanted.is_empty(), "{version}");
        }
    }
}
