//! `arangosync import`: write the spec tree that describes a live database
//! (`export::render`), and with `--adopt` record its objects as owned.
//!
//! Invariants of writing into `--out`:
//! * Every refusal is found before the first file is written (exit 3):
//!   a symbolic link where a file goes, a file without the import header
//!   where a file goes, a kept file declaring an object written elsewhere,
//!   a file imported from another database.
//! * No symbolic link is ever written through or removed; files are
//!   opened with `O_NOFOLLOW` on Unix, and only regular files an import of
//!   the same database wrote are removed.
//! * No path leaves `--out` (`export::stays_inside`, exit 1 otherwise).

use std::path::{Path, PathBuf};

use clap::Args;
use reqwest::Method;
use serde_json::{json, Value};

use super::args::{ConnectionArgs, FeatureArgs};
use super::error::{CliError, ExitStatus};
use super::output::Output;
use crate::export::{self, Declared, Exported, Skipped, Source};
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
    /// Write into a non-empty directory, replacing the files an earlier
    /// import of the same database wrote (recognised by the header comment
    /// naming the database). Those this import does not write, because
    /// their object is gone from the database, are removed and listed on
    /// stdout; other files are left as they are. The whole import is
    /// refused (exit 3, nothing written) when it would write through a
    /// symbolic link, overwrite a file without the header (a spec written
    /// by hand), leave a kept file declaring an object it writes to
    /// another file, or meet files imported from another database.
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
    /// twice gives byte-identical files. One line of text: control
    /// characters (line breaks) are invalid input.
    #[arg(long, value_name = "TEXT")]
    pub timestamp: Option<String>,
    #[command(flatten)]
    pub features: FeatureArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

pub async fn run(args: &ImportArgs, out: &Output) -> Result<ExitStatus, CliError> {
    check_flags(args, out)?;
    if let Some(problem) = args
        .timestamp
        .as_deref()
        .and_then(export::timestamp_problem)
    {
        return Err(CliError::usage(problem));
    }
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
        let lease =
            crate::lock::acquire(&client, LOCK_TTL, LOCK_TIMEOUT, &interrupt, &trigger, None)
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
    let live = crate::live::read(client, namespace, true, None, None)
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
    if let Some(outside) = exported
        .files
        .keys()
        .find(|relative| !export::stays_inside(relative))
    {
        return Err(CliError::runtime(format!(
            "refusing to import: the database's registry asks for a file at {outside:?}, \
             which is not a plain path inside {}; nothing was written",
            args.out.display()
        )));
    }
    let existing = scan(&args.out, &source.database)?;
    let refused = refusals(&args.out, &exported, &existing, &source.database);
    if !refused.is_empty() {
        let mut message = format!(
            "import --force would destroy or duplicate files in {}; nothing was written:\n",
            args.out.display()
        );
        for line in &refused {
            message.push_str(&format!("  {line}\n"));
        }
        message.push_str(
            "hint: import into an empty directory and merge by hand, or move these files away",
        );
        return Err(CliError::usage(message));
    }
    let stale: Vec<String> = existing
        .ours
        .into_iter()
        .filter(|relative| !exported.files.contains_key(relative))
        .collect();
    let report_removed = write_tree(&args.out, &exported, &skipped)?;
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
    if exported.files.is_empty() {
        // An empty tree is not a spec directory: plan and apply refuse one
        // (a wrong mount path must never read as "delete everything").
        summary.push_str(
            "The database holds nothing a spec describes (no collection, graph, analyzer, \
             view or registered feature), so no spec was written; plan and apply refuse an \
             empty spec directory.\n",
        );
    }
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
    if report_removed {
        summary.push_str(&format!(
            "Removed {REPORT_FILE} of an earlier import: nothing to report this time.\n"
        ));
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

/// What the output directory already holds, as far as import is concerned:
/// its `.yaml`, `.yml` and `.aql` files, found without following symbolic
/// links and without entering hidden directories (`.git`). Paths are
/// `/`-separated, relative to the directory, sorted.
#[derive(Debug, Default)]
struct Existing {
    /// Files an earlier import of the same database wrote.
    ours: Vec<String>,
    /// Files an import of another database wrote, with that database.
    foreign: Vec<(String, String)>,
    /// Files without the import header (written by hand), with the objects
    /// each declares.
    hand_written: Vec<(String, Vec<Declared>)>,
}

/// Reads what `dir` holds (nothing when it does not exist).
fn scan(dir: &Path, database: &str) -> Result<Existing, CliError> {
    let mut existing = Existing::default();
    scan_into(dir, "", database, &mut existing)?;
    existing.ours.sort();
    existing.foreign.sort();
    existing.hand_written.sort();
    Ok(existing)
}

fn scan_into(
    dir: &Path,
    prefix: &str,
    database: &str,
    existing: &mut Existing,
) -> Result<(), CliError> {
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
        // The entry itself, never what a symbolic link points to: a link
        // is neither a directory nor a regular file here.
        let kind = entry.file_type().map_err(|err| failed(&path, err))?;
        let relative = format!("{prefix}{name}");
        let lower = name.to_ascii_lowercase();
        let is_aql = lower.ends_with(".aql");
        let spec_like = is_aql || lower.ends_with(".yaml") || lower.ends_with(".yml");
        if kind.is_dir() {
            // Hidden directories and build output, as the spec walk skips.
            if !name.starts_with('.') && !matches!(name.as_str(), "target" | "node_modules") {
                scan_into(&path, &format!("{relative}/"), database, existing)?;
            }
        } else if spec_like && (kind.is_file() || kind.is_symlink()) {
            // A linked spec (a ConfigMap's layout) is read, as validate
            // reads it, but only when it leads to a regular file (never a
            // FIFO); it is always kept as written by hand: never removed,
            // never written through.
            if kind.is_symlink() && !std::fs::metadata(&path).is_ok_and(|meta| meta.is_file()) {
                continue;
            }
            let bytes = match crate::spec::read_file(&path) {
                Ok(bytes) => bytes,
                Err(crate::spec::ReadError::TooLarge { prefix }) => prefix,
                Err(crate::spec::ReadError::Io(err)) => return Err(failed(&path, err)),
            };
            let text = String::from_utf8_lossy(&bytes);
            match export::imported_from(&text) {
                Some(from) if from == database && kind.is_file() => existing.ours.push(relative),
                Some(from) if from != database => {
                    existing.foreign.push((relative, from.to_string()))
                }
                _ => {
                    let declared = if is_aql {
                        feature_declared(&path, &text)
                    } else {
                        specs_declared(&path, bytes.clone())
                    };
                    existing.hand_written.push((relative, declared));
                }
            }
        }
    }
    Ok(())
}

/// The collections, graphs, analyzers and views a YAML file declares, as
/// the spec loader reads it (nothing when it does not load).
fn specs_declared(path: &Path, bytes: Vec<u8>) -> Vec<Declared> {
    let sources = crate::spec::load_contents(path, bytes).sources;
    let mut declared: Vec<Declared> = Vec::new();
    declared.extend(sources.collections.into_keys().map(Declared::Collection));
    declared.extend(sources.graphs.into_keys().map(Declared::Graph));
    declared.extend(sources.analyzers.into_keys().map(Declared::Analyzer));
    declared.extend(sources.views.into_keys().map(Declared::View));
    declared
}

/// The feature an `.aql` file declares (nothing when it does not parse).
fn feature_declared(path: &Path, text: &str) -> Vec<Declared> {
    crate::transform::parse(&crate::transform::normalize_text(text), path)
        .map(|feature| {
            vec![Declared::Feature {
                feature: feature.feature,
                version: feature.version,
            }]
        })
        .unwrap_or_default()
}

/// Whether two declarations name the same object: features as the
/// function name is made (case-insensitive), the rest exactly.
fn same_object(left: &Declared, right: &Declared) -> bool {
    match (left, right) {
        (
            Declared::Feature { feature, version },
            Declared::Feature {
                feature: other,
                version: other_version,
            },
        ) => feature.eq_ignore_ascii_case(other) && version == other_version,
        _ => left == right,
    }
}

/// The first part of `relative` (under `dir`) that is a symbolic link.
fn link_on_the_way(dir: &Path, relative: &str) -> Option<String> {
    let mut walked = String::new();
    for part in relative.split('/') {
        if !walked.is_empty() {
            walked.push('/');
        }
        walked.push_str(part);
        let metadata = std::fs::symlink_metadata(dir.join(&walked)).ok()?;
        if metadata.file_type().is_symlink() {
            return Some(walked);
        }
    }
    None
}

/// Every reason not to write `exported` into `dir`, one line each, sorted:
/// a symbolic link where a file is to be written (import never writes
/// through one), a file without the import header where a file is to be
/// written, a kept file without the header that declares an object the
/// import writes to another file, and files an import of another database
/// wrote. Empty when the import may go ahead.
fn refusals(dir: &Path, exported: &Exported, existing: &Existing, database: &str) -> Vec<String> {
    let mut lines = std::collections::BTreeSet::new();
    for relative in exported
        .files
        .keys()
        .map(String::as_str)
        .chain([REPORT_FILE])
    {
        if let Some(link) = link_on_the_way(dir, relative) {
            lines.insert(format!(
                "{link}: a symbolic link; import never writes through one"
            ));
        }
    }
    for (relative, declared) in &existing.hand_written {
        if exported.files.contains_key(relative) {
            // A link there is named once, above.
            if link_on_the_way(dir, relative).is_some() {
                continue;
            }
            lines.insert(format!(
                "{relative}: has no import header (written by hand?); import would overwrite it"
            ));
            continue;
        }
        for object in declared {
            for (path, written) in &exported.declared {
                if same_object(object, written) {
                    lines.insert(format!(
                        "{relative}: declares {object}, which import writes to {path}"
                    ));
                }
            }
        }
    }
    for (relative, from) in &existing.foreign {
        lines.insert(format!(
            "{relative}: written by an import of database \"{from}\", not \"{database}\""
        ));
    }
    lines.into_iter().collect()
}

/// Removes the given files of an earlier import; never a symbolic link
/// (the scan lists regular files only).
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

/// Writes `text` to `path`, replacing a regular file; on Unix a symbolic
/// link at `path` is an error (`O_NOFOLLOW`), never followed, even if one
/// appeared after [`refusals`] looked.
fn write_file(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)?.write_all(text.as_bytes())
}

/// Writes the files and the report (removing an earlier report when there
/// is nothing to report); true when an earlier report was removed.
fn write_tree(dir: &Path, exported: &Exported, skipped: &[Skipped]) -> Result<bool, CliError> {
    let failed = |path: &Path, err: std::io::Error| {
        CliError::runtime(format!("writing {}: {err}", path.display()))
    };
    // Also when nothing is written: `--out` names a directory, which then exists.
    std::fs::create_dir_all(dir).map_err(|err| failed(dir, err))?;
    for (relative, text) in &exported.files {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|err| failed(parent, err))?;
        }
        write_file(&path, text).map_err(|err| failed(&path, err))?;
    }
    let report = dir.join(REPORT_FILE);
    if exported.unconvertible.is_empty()
        && exported.changed_by_hand.is_empty()
        && skipped.is_empty()
    {
        match std::fs::remove_file(&report) {
            Ok(()) => Ok(true),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(false),
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
        write_file(&report, &text).map_err(|err| failed(&report, err))?;
        Ok(false)
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
