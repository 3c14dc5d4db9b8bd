//! `arangosync features`: the feature registry. `features` (or `features
//! list`) lists it; `features show` and `features run` (src/cli/serving.rs)
//! print one entry and run its query through the cursor API.

use clap::{Args, Subcommand};
use reqwest::Method;
use serde_json::{json, Value};

use super::args::{ConnectionArgs, FeatureArgs};
use super::error::{CliError, ExitStatus};
use super::output::Output;
use super::Format;
use crate::client::{Client, ClientError};
use crate::ownership::STATE_COLLECTION;

/// The feature registry: list the registered features (the default), show
/// one entry with its query, or run a feature's query through the cursor
/// API (the serving path that works on every server).
///
/// Options go after the subcommand (`features show --database d X`); given
/// before it they would be ignored, so clap refuses them there.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct FeaturesArgs {
    #[command(subcommand)]
    pub command: Option<FeaturesCommand>,
    #[command(flatten)]
    pub features: FeatureArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Subcommand)]
pub enum FeaturesCommand {
    List(ListArgs),
    Show(super::serving::ShowArgs),
    Run(super::serving::RunArgs),
}

/// List the registered features: feature, version, function, owner,
/// source hash, revision and when it was applied (the default of
/// `arangosync features`).
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub features: FeatureArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

pub async fn run(args: &FeaturesArgs, out: &Output) -> Result<ExitStatus, CliError> {
    match &args.command {
        None => list(&args.features, &args.connection, out).await,
        Some(FeaturesCommand::List(list_args)) => {
            list(&list_args.features, &list_args.connection, out).await
        }
        Some(FeaturesCommand::Show(show)) => super::serving::show(show, out).await,
        Some(FeaturesCommand::Run(run)) => super::serving::run(run, out).await,
    }
}

/// Every row of a cursor query, batch after batch.
pub(super) async fn cursor_rows(client: &Client, body: &Value) -> Result<Vec<Value>, ClientError> {
    let mut response = client
        .call(Method::POST, "/_api/cursor", &[], Some(body))
        .await?;
    let mut rows = Vec::new();
    loop {
        if let Value::Array(batch) = response.body["result"].take() {
            rows.extend(batch);
        }
        match (
            response.body["hasMore"].as_bool(),
            response.body["id"].as_str(),
        ) {
            (Some(true), Some(id)) => {
                let path = format!("/_api/cursor/{}", crate::client::encode_segment(id));
                response = client.call(Method::PUT, &path, &[], None).await?;
            }
            _ => return Ok(rows),
        }
    }
}

/// The registry entries of `namespace`, sorted by function name; none when
/// nothing was registered yet (no state collection).
pub(super) async fn registry_entries(
    client: &Client,
    namespace: &str,
) -> Result<Vec<Value>, CliError> {
    let body = json!({
        "query": "FOR d IN @@state FILTER d.type == \"feature\" SORT d.function RETURN d",
        "bindVars": {"@state": STATE_COLLECTION},
        "batchSize": 1000,
    });
    let mut entries = match cursor_rows(client, &body).await {
        Ok(entries) => entries,
        // No state collection yet: nothing has been registered.
        Err(err) if err.error_num() == Some(1203) => Vec::new(),
        Err(err) => return Err(CliError::runtime(err)),
    };
    let prefix = format!("{}::", namespace.to_ascii_uppercase());
    entries.retain(|entry| {
        entry["function"]
            .as_str()
            .is_some_and(|f| f.to_ascii_uppercase().starts_with(&prefix))
    });
    Ok(entries)
}

async fn list(
    features: &FeatureArgs,
    connection: &ConnectionArgs,
    out: &Output,
) -> Result<ExitStatus, CliError> {
    let client = super::connect(connection).await?;
    let mut entries = registry_entries(&client, &features.namespace).await?;
    for entry in &mut entries {
        if let Value::Object(map) = entry {
            map.retain(|key, _| !key.starts_with('_') && key != "type");
        }
    }
    match out.format {
        Format::Json => out.print(&format!(
            "{:#}\n",
            json!({"formatVersion": crate::render::REPORT_FORMAT_VERSION, "features": entries})
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
