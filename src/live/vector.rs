//! The live facts vector indexes need besides the schema: how many
//! documents the collections hold (up to 3.12.8 a vector index cannot be
//! created before there are enough to train on; see `plan::vector`).
//!
//! Read only for the collections whose specs hold a vector index, one
//! `GET /_api/collection/{name}/count` each, all at once and at the same
//! time as the rest of the live read.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::Method;
use tokio::task::JoinSet;

use crate::client::{encode_segment, Client, ClientError};
use crate::model::State;

/// ArangoDB's "collection or view not found".
const NOT_FOUND: u64 = 1203;
/// ArangoDB's "database not found": nothing to count yet.
const DATABASE_NOT_FOUND: u64 = 1228;

/// The collections of `desired` that hold a vector index.
pub fn collections_with_vector_indexes(desired: &State) -> BTreeSet<String> {
    desired
        .collections
        .values()
        .filter(|collection| {
            collection
                .indexes
                .iter()
                .any(|index| index.index_type == "vector")
        })
        .map(|collection| collection.name.clone())
        .collect()
}

/// The number of documents in each of `names`; a collection that does not
/// exist (yet) is left out.
pub async fn document_counts(
    client: &Client,
    names: &BTreeSet<String>,
) -> Result<BTreeMap<String, u64>, ClientError> {
    let mut tasks = JoinSet::new();
    for name in names {
        let client = client.clone();
        let name = name.clone();
        tasks.spawn(async move {
            let path = format!("/_api/collection/{}/count", encode_segment(&name));
            match client.call(Method::GET, &path, &[], None).await {
                Ok(response) => Ok(response.body["count"].as_u64().map(|count| (name, count))),
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
            .map_err(|err| ClientError::Config(format!("document count task failed: {err}")))??;
        counts.extend(counted);
    }
    Ok(counts)
}
