//! `arangosync features`: list the feature registry.

use clap::Args;
use reqwest::Method;
use serde_json::{json, Value};

use super::args::{ConnectionArgs, FeatureArgs};
use super::error::{CliError, ExitStatus};
use super::output::Output;
use super::Format;
use crate::ownership::STATE_COLLECTION;

/// List the registered feature functions: feature, version, function,
/// owner, source hash, revision and when it was applied.
#[derive(Debug, Args)]
pub struct FeaturesArgs {
    #[command(flatten)]
    pub features: FeatureArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

pub async fn run(args: &FeaturesArgs, out: &Output) -> Result<ExitStatus, CliError> {
    let client = super::connect(&args.connection).await?;
    let body = json!({
        "query": "FOR d IN @@state FILTER d.type == \"feature\" SORT d.function RETURN d",
        "bindVars": {"@state": STATE_COLLECTION},
        "batchSize": 1000,
    });
    let mut entries: Vec<Value> = Vec::new();
    match client
        .call(Method::POST, "/_api/cursor", &[], Some(&body))
        .await
    {
        Ok(mut response) => loop {
            entries.extend(
                response.body["result"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .cloned(),
            );
            match (
                response.body["hasMore"].as_bool(),
                response.body["id"].as_str(),
            ) {
                (Some(true), Some(id)) => {
                    let path = format!("/_api/cursor/{}", crate::client::encode_segment(id));
                    response = client
                        .call(Method::PUT, &path, &[], None)
                        .await
                        .map_err(CliError::runtime)?;
                }
                _ => break,
            }
        },
        // No state collection yet: nothing has been registered.
        Err(err) if err.error_num() == Some(1203) => {}
        Err(err) => return Err(CliError::runtime(err)),
    }
    let prefix = format!("{}::", args.features.namespace.to_ascii_uppercase());
    entries.retain(|entry| {
        entry["function"]
            .as_str()
            .is_some_and(|f| f.starts_with(&prefix))
    });
    for entry in &mut entries {
        if let Value::Object(map) = entry {
            map.retain(|key, _| !key.starts_with('_') && key != "type");
        }
    }
    match out.format {
        Format::Json => out.print(&format!(
            "{:#}\n",
            json!({"formatVersion": crate::plan::FORMAT_VERSION, "features": entries})
        )),
        Format::Text | Format::Markdown => {
            out.print(&table(&entries, out.format == Format::Markdown))
        }
    }
    Ok(ExitStatus::Success)
}

fn table(entries: &[Value], markdown: bool) -> String {
    let header = [
        "FEATURE",
        "VERSION",
        "FUNCTION",
        "OWNER",
        "HASH",
        "REVISION",
        "APPLIED AT",
    ];
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|entry| {
            let text = |key: &str| match &entry[key] {
                Value::String(text) => text.clone(),
                Value::Null => "-".to_string(),
                other => other.to_string(),
            };
            vec![
                text("feature"),
                text("version"),
                text("function"),
                text("owner"),
                text("hash").chars().take(12).collect(),
                text("revision"),
                text("appliedAt"),
            ]
        })
        .collect();
    if rows.is_empty() {
        return "No features registered.\n".to_string();
    }
    let mut out = String::new();
    if markdown {
        out.push_str(&format!("| {} |\n", header.join(" | ")));
        out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
        for row in &rows {
            out.push_str(&format!("| {} |\n", row.join(" | ")));
        }
        return out;
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|column| {
            rows.iter()
                .map(|row| row[column].len())
                .chain([header[column].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    out.push_str(&line(header.to_vec()));
    for row in &rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}
