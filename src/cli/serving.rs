//! `arangosync features show` and `features run`: one registry entry, and
//! its query run through the cursor API (`POST /_api/cursor` with the
//! entry's query and bind variables), the serving path that needs no AQL
//! user functions.

use std::fmt::Write as _;

use clap::Args;
use serde_json::{json, Map, Value};

use super::args::{ConnectionArgs, FeatureArgs};
use super::error::{CliError, ExitStatus};
use super::output::Output;
use super::Format;
use crate::client::{Client, ClientError};

/// Print one feature's registry entry with its query: the latest version,
/// or the one given with --version. Fails (exit 1) when the feature or the
/// version is not registered, listing what is.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The feature's name, as in its header (`Feature:`).
    pub feature: String,
    /// The version to show (default: the highest registered).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub version: Option<u32>,
    #[command(flatten)]
    pub features: FeatureArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Run a registered feature's query through the cursor API and print the
/// result (json: one document with the rows, and for a `Returns: one`
/// feature `result`: the first row or null; text: one JSON row per line,
/// or for `Returns: one` the single value, `null` when there is no row). Every bind parameter of the query needs one --param; a missing or
/// unknown one is invalid input (exit 3), found after reading the entry,
/// before the query runs.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The feature's name, as in its header (`Feature:`).
    pub feature: String,
    /// The version to run (default: the highest registered).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub version: Option<u32>,
    /// A bind parameter, NAME=VALUE (repeatable). VALUE is read as JSON
    /// when it is valid JSON (42, true, "x", [1,2], {"a":1}), else as a
    /// string. A collection parameter (`@@coll` in the query) is given as
    /// `@coll=NAME` or `coll=NAME`; its value is always the collection name.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Rows per cursor batch (the result is read to the end either way).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    pub batch_size: u32,
    #[command(flatten)]
    pub features: FeatureArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

pub async fn show(args: &ShowArgs, out: &Output) -> Result<ExitStatus, CliError> {
    let client = super::connect(&args.connection).await?;
    let entry = find_entry(&client, &args.features, &args.feature, args.version).await?;
    match out.format {
        Format::Json => out.print(&format!("{entry:#}\n")),
        Format::Text | Format::Markdown => out.print(&entry_text(&entry)),
    }
    Ok(ExitStatus::Success)
}

pub async fn run(args: &RunArgs, out: &Output) -> Result<ExitStatus, CliError> {
    let client = super::connect(&args.connection).await?;
    let entry = find_entry(&client, &args.features, &args.feature, args.version).await?;
    let query = entry["query"].as_str().unwrap_or_default();
    let declared: Vec<String> = entry["params"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|param| param.as_str().map(str::to_string))
        .collect();
    let bind_vars = bind_variables(&declared, &args.params).map_err(CliError::usage)?;
    let body = json!({
        "query": query,
        "bindVars": bind_vars,
        "batchSize": args.batch_size,
    });
    let label = format!(
        "{} version {}",
        entry["feature"].as_str().unwrap_or(&args.feature),
        entry["version"]
    );
    let rows = super::features::cursor_rows(&client, &body)
        .await
        .map_err(|err| query_error(&label, &err))?;
    out.print(&run_output(out.format, &entry, &rows));
    Ok(ExitStatus::Success)
}

/// What `features run` prints for `rows`. A `Returns: one` feature gives a
/// single value, as its function would: the first row, or `null` when
/// there is none (text: that value on one line; json: `result` beside the
/// rows). Otherwise text prints one row per line (nothing for no rows) and
/// json the rows.
fn run_output(format: Format, entry: &Value, rows: &[Value]) -> String {
    let single = (entry["returns"] == "one").then(|| rows.first().cloned().unwrap_or(Value::Null));
    match format {
        Format::Json => {
            let mut document = json!({
                "feature": entry["feature"],
                "version": entry["version"],
                "returns": entry["returns"],
                "rows": rows,
            });
            if let Some(value) = single {
                document["result"] = value;
            }
            format!("{document:#}\n")
        }
        Format::Text | Format::Markdown => match single {
            Some(value) => format!("{value}\n"),
            None => {
                let mut text = String::new();
                for row in rows {
                    let _ = writeln!(text, "{row}");
                }
                text
            }
        },
    }
}

/// A failed query run, in words: a server that does not implement the
/// query (501) cannot run it; a server error keeps its errorNum and message.
fn query_error(label: &str, err: &ClientError) -> CliError {
    match err {
        ClientError::Api {
            status: 501,
            message,
            ..
        } => CliError::runtime(format!(
            "this server cannot run this query: {message} (feature {label})"
        )),
        ClientError::Api {
            status,
            error_num,
            message,
            ..
        } => CliError::runtime(format!(
            "the query of feature {label} failed: ArangoDB error {error_num} (HTTP {status}): {message}"
        )),
        other => CliError::runtime(format!("running the query of feature {label}: {other}")),
    }
}

/// The registry entry of `feature` (case-insensitive), at `version` or the
/// highest one, without the database's own attributes (`_id`, `_rev`).
async fn find_entry(
    client: &Client,
    features: &FeatureArgs,
    feature: &str,
    version: Option<u32>,
) -> Result<Value, CliError> {
    let entries = super::features::registry_entries(client, &features.namespace).await?;
    let mut versions: Vec<(u64, Value)> = entries
        .into_iter()
        .filter(|entry| {
            entry["feature"]
                .as_str()
                .is_some_and(|name| name.eq_ignore_ascii_case(feature))
        })
        .filter_map(|entry| Some((entry["version"].as_u64()?, entry)))
        .collect();
    versions.sort_by_key(|(number, _)| *number);
    let listed: Vec<String> = versions
        .iter()
        .map(|(number, _)| number.to_string())
        .collect();
    let chosen = match version {
        None => versions.pop(),
        Some(wanted) => versions
            .into_iter()
            .find(|(number, _)| *number == u64::from(wanted)),
    };
    let Some((_, mut entry)) = chosen else {
        // Only a --version that is not registered can miss a feature that
        // has versions: without one, the highest is taken.
        return Err(CliError::runtime(if listed.is_empty() {
            format!(
                "feature `{feature}` is not registered in namespace {} of database \"{}\"; \
                 `arangosync features` lists the registered features",
                features.namespace.to_ascii_uppercase(),
                client.database()
            )
        } else {
            format!(
                "feature `{feature}` has no version {}; registered versions: {}",
                version.unwrap_or_default(),
                listed.join(", ")
            )
        }));
    };
    if let Value::Object(map) = &mut entry {
        map.remove("_id");
        map.remove("_rev");
    }
    Ok(entry)
}

/// The bind variables of a run: one `--param` per declared parameter
/// (`name` or `@name` for a collection), none unknown, none twice.
fn bind_variables(declared: &[String], given: &[String]) -> Result<Map<String, Value>, String> {
    let mut bind_vars = Map::new();
    for param in given {
        let Some((name, text)) = param.split_once('=') else {
            return Err(format!("--param {param:?}: expected NAME=VALUE"));
        };
        let name = name.trim();
        // `@@coll` as written in the query is the bind key `@coll`.
        let key = name.strip_prefix('@').filter(|rest| rest.starts_with('@'));
        let key = key.unwrap_or(name);
        let key = if declared.iter().any(|declared| declared == key) {
            key.to_string()
        } else if declared
            .iter()
            .any(|declared| *declared == format!("@{key}"))
        {
            format!("@{key}")
        } else {
            return Err(format!(
                "--param {name}: the query has no such bind parameter; it takes {}",
                describe(declared)
            ));
        };
        let value = if key.starts_with('@') {
            Value::from(text)
        } else {
            serde_json::from_str(text).unwrap_or_else(|_| Value::from(text))
        };
        if bind_vars.insert(key.clone(), value).is_some() {
            return Err(format!("--param {name} is given twice"));
        }
    }
    let missing: Vec<&String> = declared
        .iter()
        .filter(|declared| !bind_vars.contains_key(*declared))
        .collect();
    if !missing.is_empty() {
        let names: Vec<String> = missing
            .iter()
            .map(|name| format!("--param {name}=..."))
            .collect();
        return Err(format!(
            "missing {}: the query takes {}",
            names.join(", "),
            describe(declared)
        ));
    }
    Ok(bind_vars)
}

/// The parameter list in words, as `--param` names them.
fn describe(declared: &[String]) -> String {
    if declared.is_empty() {
        "no bind parameters".to_string()
    } else {
        declared.join(", ")
    }
}

/// One entry as text: its fields, its lineage (what the query reads,
/// [`crate::render::lineage_text`]), then the query.
fn entry_text(entry: &Value) -> String {
    let text = |key: &str| match &entry[key] {
        Value::String(text) => text.clone(),
        Value::Null => "-".to_string(),
        Value::Array(items) if items.is_empty() => "-".to_string(),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map_or_else(|| item.to_string(), str::to_string)
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    };
    let rows = [
        ("feature", text("feature")),
        ("version", text("version")),
        ("function", text("function")),
        ("description", text("description")),
        ("owner", text("owner")),
        ("params", text("params")),
        ("collections", text("collections")),
        ("returns", text("returns")),
        ("serve", text("serve")),
        ("hash", text("hash")),
        ("source", text("source")),
        ("revision", text("revision")),
        ("applied at", text("appliedAt")),
        ("format", text("formatVersion")),
    ];
    let mut out = String::new();
    for (label, value) in rows {
        let _ = writeln!(out, "{label:<12} {value}");
    }
    let lineage = entry
        .get("lineage")
        .and_then(crate::model::FeatureLineage::from_document);
    out.push_str(&crate::render::lineage_text(lineage.as_ref()));
    let _ = writeln!(out, "\n{}", entry["query"].as_str().unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared() -> Vec<String> {
        vec!["user_key".into(), "@coll".into()]
    }

    fn given(params: &[&str]) -> Vec<String> {
        params.iter().map(|param| param.to_string()).collect()
    }

    #[test]
    fn values_are_json_when_they_parse_and_collections_are_names() {
        let vars = bind_variables(&declared(), &given(&["user_key=42", "@@coll=users"])).unwrap();
        assert_eq!(
            Value::Object(vars),
            json!({"user_key": 42, "@coll": "users"})
        );
        let vars = bind_variables(&declared(), &given(&["user_key=u1", "coll=123"])).unwrap();
        assert_eq!(
            Value::Object(vars),
            json!({"user_key": "u1", "@coll": "123"})
        );
        let vars =
            bind_variables(&declared(), &given(&["user_key={\"a\":[1]}", "@coll=x"])).unwrap();
        assert_eq!(
            Value::Object(vars),
            json!({"user_key": {"a": [1]}, "@coll": "x"})
        );
    }

    #[test]
    fn missing_unknown_and_repeated_parameters_are_refused() {
        let missing = bind_variables(&declared(), &given(&["user_key=1"])).unwrap_err();
        assert_eq!(
            missing,
            "missing --param @coll=...: the query takes user_key, @coll"
        );
        let unknown =
            bind_variables(&declared(), &given(&["user_key=1", "coll=c", "x=1"])).unwrap_err();
        assert_eq!(
            unknown,
            "--param x: the query has no such bind parameter; it takes user_key, @coll"
        );
        let twice = bind_variables(&declared(), &given(&["user_key=1", "user_key=2"])).unwrap_err();
        assert_eq!(twice, "--param user_key is given twice");
        let shape = bind_variables(&declared(), &given(&["user_key"])).unwrap_err();
        assert_eq!(shape, "--param \"user_key\": expected NAME=VALUE");
    }
}
