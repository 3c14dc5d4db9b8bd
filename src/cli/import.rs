//! `arangosync import`: write the spec tree that describes a live database
//! (`export::render`), and with `--adopt` record its objects as owned.

use std::path::{Path, PathBuf};

use clap::Args;
use reqwest::Method;
use serde_json::{json, Value};

use super::args::{ConnectionArgs, FeatureArgs};
use super::error::{CliError, ExitStatus};
use super::output::Output;
use crate::export::{self, Exported, Skipped, Source};
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
/// in import-report.txt, not guessed. Objects no spec may declare (names
/// only the server's extended naming rules allow, system collections
/// created by users) and what refers to them are not imported: each is
/// listed on stdout and in import-report.txt with the reason. Writes nothing
/// to the database unless --adopt is given.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Directory to write the spec tree into; created when missing. A
    /// directory that is not empty is refused unless --force is given.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Write into a non-empty directory, replacing files of the same name.
    /// Files an earlier import wrote (recognised by the header comment
    /// import writes) that this import does not write, because their
    /// object is gone from the database, are removed and listed on stdout;
    /// other files are left as they are.
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
    check_flags(args, out)?;
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
    let system_collections = system_collections(client).await?;
    let (state, skipped) = export::importable(&state, &system_collections);
    let source = Source {
        database: client.database().to_string(),
        timestamp: args.timestamp.clone(),
    };
    let exported =
        export::render(&state, &source).map_err(|err| CliError::runtime(err.to_string()))?;
    let stale = stale_files(&args.out, &exported)?;
    write_tree(&args.out, &exported, &skipped)?;
    remove_files(&args.out, &stale)?;
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
    if !skipped.is_empty() {
        summary.push_str(&format!(
            ", {} object(s) not imported (listed in {REPORT_FILE})",
            skipped.len()
        ));
    }
    if !stale.is_empty() {
        summary.push_str(&format!(
            ", {} file(s) of an earlier import removed",
            stale.len()
        ));
    }
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
    if !skipped.is_empty() {
        summary.push_str("Not imported:\n");
        for object in &skipped {
            summary.push_str(&format!("  {object}\n"));
        }
    }
    if !stale.is_empty() {
        summary.push_str(
            "Removed (written by an earlier import; their objects are no longer in the database):\n",
        );
        for file in &stale {
            summary.push_str(&format!("  {file}\n"));
        }
    }
    out.print(&summary);
    Ok(ExitStatus::Success)
}

/// Refuses the global flags import has no use for (invalid input, exit 3),
/// rather than ignoring them.
fn check_flags(args: &ImportArgs, out: &Output) -> Result<(), CliError> {
    if out.format != super::Format::Text {
        return Err(CliError::usage(
            "--format does not apply to import: it writes YAML and .aql files, and its summary \
             on stdout is text only; leave --format out",
        ));
    }
    if args.connection.create_database {
        return Err(CliError::usage(
            "--create-database does not apply to import: it reads an existing database and \
             never creates one; leave --create-database out",
        ));
    }
    Ok(())
}

/// The names of the database's system collections (`isSystem`), which
/// the live state leaves out, so that those created by users are reported.
async fn system_collections(client: &crate::client::Client) -> Result<Vec<String>, CliError> {
    let response = client
        .call(Method::GET, "/_api/collection", &[], None)
        .await
        .map_err(|err| {
            CliError::runtime(format!(
                "listing the collections of database \"{}\": {err}",
                client.database()
            ))
        })?;
    Ok(response.body["result"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|collection| collection["isSystem"].as_bool() == Some(true))
        .filter_map(|collection| collection["name"].as_str().map(str::to_string))
        .collect())
}

/// The files under `dir` an earlier import wrote (their first line is the
/// header import writes) that `exported` does not hold, as `/`-separated
/// paths relative to `dir`, sorted. Hidden directories (`.git`) are not
/// looked into, and only `.yaml` and `.aql` files are.
fn stale_files(dir: &Path, exported: &Exported) -> Result<Vec<String>, CliError> {
    let mut found = Vec::new();
    collect_imported(dir, "", &mut found)?;
    found.retain(|relative| !exported.files.contains_key(relative));
    found.sort();
    Ok(found)
}

fn collect_imported(dir: &Path, prefix: &str, found: &mut Vec<String>) -> Result<(), CliError> {
    let failed = |path: &Path, err: std::io::Error| {
        CliError::runtime(format!("reading {}: {err}", path.display()))
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(failed(dir, err)),
    };
    for entry in entries {
        let entry = entry.map_err(|err| failed(dir, err))?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        let path = entry.path();
        let kind = entry.file_type().map_err(|err| failed(&path, err))?;
        let relative = format!("{prefix}{name}");
        if kind.is_dir() {
            if !name.starts_with('.') {
                collect_imported(&path, &format!("{relative}/"), found)?;
            }
        } else if kind.is_file() && (name.ends_with(".yaml") || name.ends_with(".aql")) {
            let text = std::fs::read(&path).map_err(|err| failed(&path, err))?;
            let head = &text[..text.len().min(200)];
            if export::written_by_import(&String::from_utf8_lossy(head)) {
                found.push(relative);
            }
        }
    }
    Ok(())
}

fn remove_files(dir: &Path, relative: &[String]) -> Result<(), CliError> {
    for file in relative {
        let path = dir.join(file);
        std::fs::remove_file(&path)
            .map_err(|err| CliError::runtime(format!("removing {}: {err}", path.display())))?;
    }
    Ok(())
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

fn write_tree(dir: &Path, exported: &Exported, skipped: &[Skipped]) -> Result<(), CliError> {
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
    if exported.unconvertible.is_empty()
        && exported.changed_by_hand.is_empty()
        && skipped.is_empty()
    {
        match std::fs::remove_file(&report) {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(failed(&report, err)),
        }
    } else {
        std::fs::create_dir_all(dir).map_err(|err| failed(dir, err))?;
        let mut text = String::new();
        if !skipped.is_empty() {
            text.push_str(
                "# Objects of the database no spec may declare, and what refers to them: no\n\
                 # file was written for them, and a plan of this tree leaves them as they are.\n",
            );
            for object in skipped {
                text.push_str(&format!("{object}\n"));
            }
        }
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
