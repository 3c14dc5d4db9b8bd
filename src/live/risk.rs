//! Reads the counts a plan's risk needs ([`crate::plan::risk::Probe`]):
//! read-only AQL queries, all at once, after planning. Collection and
//! attribute names are bind parameters, never spliced into the query text.
//!
//! - documents: `RETURN LENGTH(@@c)`;
//! - duplicates for a unique index:
//!   `FOR d IN @@c [FILTER d.@f0a0 != null AND ...] COLLECT k = [d.@f0a0, ...]
//!   WITH COUNT INTO n FILTER n > 1 RETURN n`, summed: the documents that
//!   share their values with another (the FILTER only for a sparse index,
//!   which leaves out documents with any field `null` or absent);
//! - schema violations: `FOR d IN @@c FILTER !SCHEMA_VALIDATE(d, @s).valid
//!   COLLECT WITH COUNT INTO n RETURN n`.
//!
//! A failed count is a [`Count::Failed`] with the reason, never an error:
//! the plan is still shown.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::Method;
use serde_json::{json, Map, Value};
use tokio::task::JoinSet;

use crate::client::{encode_segment, Client, ClientError};
use crate::plan::risk::{Count, Probe};

/// Rows per batch of a duplicates query (one per duplicated value).
const BATCH: u64 = 1000;

/// The cursor request that counts `probe`.
pub fn query(probe: &Probe) -> Value {
    let mut bind_vars = Map::new();
    let text = match probe {
        Probe::Documents(collection) => {
            bind_vars.insert("@c".into(), Value::from(collection.as_str()));
            "RETURN LENGTH(@@c)".to_string()
        }
        Probe::Duplicates {
            collection,
            fields,
            sparse,
        } => {
            bind_vars.insert("@c".into(), Value::from(collection.as_str()));
            let mut paths = Vec::new();
            for (f, field) in fields.iter().enumerate() {
                let mut path = String::from("d");
                for (a, attribute) in field.split('.').enumerate() {
                    let name = format!("f{f}a{a}");
                    path.push_str(&format!(".@{name}"));
                    bind_vars.insert(name, Value::from(attribute));
                }
                paths.push(path);
            }
            let filter = if *sparse {
                let conditions: Vec<String> =
                    paths.iter().map(|path| format!("{path} != null")).collect();
                format!("FILTER {} ", conditions.join(" AND "))
            } else {
                String::new()
            };
            format!(
                "FOR d IN @@c {filter}COLLECT k = [{}] WITH COUNT INTO n FILTER n > 1 RETURN n",
                paths.join(", ")
            )
        }
        Probe::SchemaViolations { collection, schema } => {
            bind_vars.insert("@c".into(), Value::from(collection.as_str()));
            let schema: Value = serde_json::from_str(schema).unwrap_or(Value::Null);
            bind_vars.insert("s".into(), schema);
            "FOR d IN @@c FILTER !SCHEMA_VALIDATE(d, @s).valid COLLECT WITH COUNT INTO n RETURN n"
                .to_string()
        }
    };
    json!({"query": text, "bindVars": bind_vars, "batchSize": BATCH})
}

/// Reads every probe at once; each answer is a count or why there is none.
pub async fn counts(client: &Client, probes: &BTreeSet<Probe>) -> BTreeMap<Probe, Count> {
    let mut tasks = JoinSet::new();
    for probe in probes {
        let client = client.clone();
        let probe = probe.clone();
        tasks.spawn(async move {
            let count = match sum_rows(&client, &query(&probe)).await {
                Ok(total) => Count::Counted(total),
                Err(err) => Count::Failed(err.to_string()),
            };
            (probe, count)
        });
    }
    let mut counts = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((probe, count)) => {
                counts.insert(probe, count);
            }
            // A task that panicked or was cancelled: its probe reads as
            // missing, which the caller shows as not counted.
            Err(err) => tracing::debug!(error = %err, "a count task failed"),
        }
    }
    counts
}

/// Runs a query whose rows are numbers and adds them up, following the
/// cursor through every batch.
async fn sum_rows(client: &Client, body: &Value) -> Result<u64, ClientError> {
    let mut answer = client
        .call(Method::POST, "/_api/cursor", &[], Some(body))
        .await?
        .body;
    let mut total = 0u64;
    loop {
        for row in answer["result"].as_array().into_iter().flatten() {
            total += row.as_u64().ok_or_else(|| {
                ClientError::Config(format!("a count query answered {row}, not a count"))
            })?;
        }
        let next = answer["id"]
            .as_str()
            .filter(|_| answer["hasMore"] == true)
            .map(str::to_string);
        let Some(id) = next else {
            return Ok(total);
        };
        let path = format!("/_api/cursor/{}", encode_segment(&id));
        answer = client.call(Method::POST, &path, &[], None).await?.body;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_bind_parameters_and_sparse_skips_nulls() {
        let probe = Probe::Duplicates {
            collection: "users".into(),
            fields: vec!["email".into(), "org.id".into()],
            sparse: true,
        };
        assert_eq!(
            query(&probe),
            json!({
                "query": "FOR d IN @@c FILTER d.@f0a0 != null AND d.@f1a0.@f1a1 != null COLLECT k = [d.@f0a0, d.@f1a0.@f1a1] WITH COUNT INTO n FILTER n > 1 RETURN n",
                "bindVars": {"@c": "users", "f0a0": "email", "f1a0": "org", "f1a1": "id"},
                "batchSize": 1000,
            })
        );
        let dense = Probe::Duplicates {
            collection: "users".into(),
            fields: vec!["email".into()],
            sparse: false,
        };
        assert_eq!(
            query(&dense)["query"],
            "FOR d IN @@c COLLECT k = [d.@f0a0] WITH COUNT INTO n FILTER n > 1 RETURN n"
        );
        let schema = Probe::SchemaViolations {
            collection: "users".into(),
            schema: r#"{"rule":{"type":"object"},"level":"strict","message":""}"#.into(),
        };
        assert_eq!(
            query(&schema)["bindVars"]["s"],
            json!({"rule": {"type": "object"}, "level": "strict", "message": ""})
        );
    }
}
