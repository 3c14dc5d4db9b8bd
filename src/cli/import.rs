//! `arangosync import`: write the spec tree that describes a live database
//! (`export::render`), and with `--adopt` record its objects as owned.

use std::path::{Path, PathBuf};

use clap::Args;
use reqwest::Method;
use serde_json::{json, Value};

use super::args::{ConnectionArgs, FeatureArgs};
use super::error::{CliError, ExitStatus};
use super::output::Output;
use crate::export::{self, Exported, Source};
use crate::model::State;
use crate::ownership::{Owned, STATE_COLLECTION};

/// The report of functions that could not be written back, beside the specs.
const REPORT_FILE: &str = "import-report.txt";

/// Read the live database and write the spec tree that describes it: one
/// file per collection (with its indexes, schema, computed values and key
/// and cluster options), graph, analyzer and view, and one .aql file per
/// feature in arangosync's registry. Values equal to the server's defaults
/// are left out. AQL user functions of the namespace that have no registry
/// entry cannot be turned back into a query: they are listed on stderr and
/// in import-report.txt, not guessed. Writes nothing to the database unless
/// --adopt is given.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Directory to write the spec tree into; created when missing. A
    /// directory that is not empty is refused unless --force is given.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Write into a non-empty directory, replacing files of the same name
    /// (other files are left as they are).
    #[arg(long)]
    pub force: bool,
    /// Also record every imported collection, index, graph, analyzer and
    /// view as owned by arangosync (in its state collection, created when
    /// missing), so that `apply --prune` may later drop them once their spec
    /// is removed. Without it nothing is written to the database.
    #[arg(long)]
    pub adopt: bool,
    /// Write this time (e.g. `$(date -u +%FT%TZ)`) into each file's header
    /// comment. Left out by default, so that importing an unchanged database
    /// twice gives byte-identical files.
    #[arg(long, value_name = "TEXT")]
    pub timestamp: Option<String>,
    #[command(flatten)]
    pub features: FeatureArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

pub async fn run(args: &ImportArgs, out: &Output) -> Result<ExitStatus, CliError> {
    check_out_dir(&args.out, args.force)?;
    let namespace = crate::transform::check_namespace(&args.features.namespace)
        .map_err(CliError::usage)?
        .to_ascii_uppercase();
    let client = super::connect(&args.connection).await?;
    // With --adopt the read and the records happen under the apply lock, so
    // no apply changes the database between what is written to DIR and
    // what is recorded as owned.
    let lease = if args.adopt {
        create_state_collection(&client).await?;
        let (trigger, interrupt) = crate::interrupt::channel();
        let lease = crate::lock::acquire(&client, LOCK_TTL, LOCK_TIMEOUT, &interrupt, &trigger)
            .await
            .map_err(CliError::runtime)?;
        Some(lease)
    } else {
        None
    };
    let outcome = import_and_adopt(args, out, &client, &namespace).await;
    if let Some(lease) = lease {
        lease.release().await;
    }
    outcome
}

/// How long the lock taken by `--adopt` is held without renewal; the
/// import renews nothing, and takes far less.
const LOCK_TTL: std::time::Duration = std::time::Duration::from_secs(120);
/// How long `--adopt` waits for a running apply to give the lock back.
const LOCK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

async fn import_and_adopt(
    args: &ImportArgs,
    out: &Output,
    client: &crate::client::Client,
    namespace: &str,
) -> Result<ExitStatus, CliError> {
    let live = crate::live::read(client, namespace, true, None)
        .await
        .map_err(|err| {
            CliError::runtime(format!("reading database \"{}\": {err}", client.database()))
        })?;
    let Some(state) = live.state else {
        return Err(CliError::runtime(format!(
            "database \"{}\" does not exist",
            client.database()
        )));
    };
    let source = Source {
        database: client.database().to_string(),
        timestamp: args.timestamp.clone(),
    };
    let exported = export::render(&state, &source);
    write_tree(&args.out, &exported)?;
    for name in &exported.unconvertible {
        tracing::warn!(
            function = %name,
            "AQL user function has no feature registry entry: not imported (see {REPORT_FILE})"
        );
    }
    for name in &exported.changed_by_hand {
        tracing::warn!(
            function = %name,
            "AQL user function differs from its registered feature (changed by hand): its .aql file holds the registered query, and a plan replaces the function with it (see {REPORT_FILE})"
        );
    }
    let adopted = if args.adopt {
        adopt(client, &state).await?
    } else {
        0
    };
    let mut summary = format!(
        "Imported database \"{}\" into {}: {} file(s)",
        source.database,
        args.out.display(),
        exported.files.len()
    );
    if !exported.unconvertible.is_empty() {
        summary.push_str(&format!(
            ", {} function(s) not imported (listed in {REPORT_FILE})",
            exported.unconvertible.len()
        ));
    }
    if !exported.changed_by_hand.is_empty() {
        summary.push_str(&format!(
            ", {} function(s) changed by hand (listed in {REPORT_FILE})",
            exported.changed_by_hand.len()
        ));
    }
    summary.push('.');
    if args.adopt {
        summary.push_str(&format!(" Recorded {adopted} object(s) as owned."));
    }
    summary.push('\n');
    out.print(&summary);
    Ok(ExitStatus::Success)
}

/// Refuses a non-empty output directory without `--force`.
fn check_out_dir(dir: &Path, force: bool) -> Result<(), CliError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() && !force {
                return Err(CliError::usage(format!(
                    "{} is not empty; give --force to write into it",
                    dir.display()
                )));
            }
            Ok(())
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(CliError::runtime(format!("{}: {err}", dir.display()))),
    }
}

fn write_tree(dir: &Path, exported: &Exported) -> Result<(), CliError> {
    let failed = |path: &Path, err: std::io::Error| {
        CliError::runtime(format!("writing {}: {err}", path.display()))
    };
    for (relative, text) in &exported.files {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|err| failed(parent, err))?;
        }
        std::fs::write(&path, text).map_err(|err| failed(&path, err))?;
    }
    let report = dir.join(REPORT_FILE);
    if exported.unconvertible.is_empty() && exported.changed_by_hand.is_empty() {
        match std::fs::remove_file(&report) {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(failed(&report, err)),
        }
    } else {
        std::fs::create_dir_all(dir).map_err(|err| failed(dir, err))?;
        let mut text = String::new();
        if !exported.unconvertible.is_empty() {
            text.push_str(
                "# AQL user functions with no arangosync feature registry entry: their\n\
                 # JavaScript cannot be turned back into a query, so no .aql file was written.\n\
                 # They are in arangosync's namespace: `apply --prune` would delete them.\n",
            );
            for name in &exported.unconvertible {
                text.push_str(name);
                text.push('\n');
            }
        }
        if !exported.changed_by_hand.is_empty() {
            text.push_str(
                "# AQL user functions whose code differs from their registered feature\n\
                 # (changed by hand): the .aql file holds the registered query, and a plan of\n\
                 # this tree replaces the function with it.\n",
            );
            for name in &exported.changed_by_hand {
                text.push_str(name);
                text.push('\n');
            }
        }
        std::fs::write(&report, text).map_err(|err| failed(&report, err))
    }
}

/// The ownership records of everything in `state`.
pub fn owned_objects(state: &State) -> Vec<Owned> {
    let mut owned = Vec::new();
    for collection in state.collections.values() {
        owned.push(Owned::Collection(collection.name.clone()));
        for index in &collection.indexes {
            if let Some(name) = &index.name {
                owned.push(Owned::Index {
                    collection: collection.name.clone(),
                    name: name.clone(),
                });
            }
        }
    }
    owned.extend(state.graphs.keys().cloned().map(Owned::Graph));
    owned.extend(state.analyzers.keys().cloned().map(Owned::Analyzer));
    owned.extend(state.views.keys().cloned().map(Owned::View));
    owned
}

/// Creates arangosync's state collection unless it exists.
async fn create_state_collection(client: &crate::client::Client) -> Result<(), CliError> {
    const DUPLICATE_NAME: u64 = 1207;
    let body = json!({"name": STATE_COLLECTION, "isSystem": true, "waitForSync": true});
    match client
        .call(Method::POST, "/_api/collection", &[], Some(&body))
        .await
    {
        Ok(_) => Ok(()),
        Err(err) if err.error_num() == Some(DUPLICATE_NAME) => Ok(()),
        Err(err) => Err(CliError::runtime(err)),
    }
}

/// Records every object of `state` as owned (the state collection exists).
/// Returns how many records were written.
async fn adopt(client: &crate::client::Client, state: &State) -> Result<usize, CliError> {
    const RECORDS_PER_REQUEST: usize = 500;
    let now = crate::time::rfc3339(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs())
            .unwrap_or(0),
    );
    let documents: Vec<Value> = owned_objects(state)
        .iter()
        .map(|owned| owned.to_document(&now))
        .collect();
    let path = format!("/_api/document/{STATE_COLLECTION}");
    for chunk in documents.chunks(RECORDS_PER_REQUEST) {
        let response = client
            .call(
                Method::POST,
                &path,
                &[("overwriteMode", "replace".to_string())],
                Some(&Value::Array(chunk.to_vec())),
            )
            .await
            .map_err(CliError::runtime)?;
        let failed = response
            .body
            .as_array()
            .into_iter()
            .flatten()
            .find(|result| result["error"].as_bool() == Some(true));
        if let Some(failed) = failed {
            return Err(CliError::runtime(format!(
                "recording ownership: {}",
                failed["errorMessage"]
                    .as_str()
                    .unwrap_or("a record was not written")
            )));
        }
    }
    Ok(documents.len())
}
