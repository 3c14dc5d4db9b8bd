//! The command line: one file per command, each with a documented clap
//! args struct and one `run` function. This is the only module that prints
//! results or chooses exit statuses; results go to stdout, logs to stderr.

mod apply;
mod args;
mod duration;
mod error;
mod features;
mod import;
pub mod output;
mod plan;
pub mod progress;
mod saved;
mod serving;
mod validate;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Parser, Subcommand};

pub use args::{Format, LogFormat, OutputArgs};
pub use error::{CliError, ExitStatus};

use crate::client::Client;
use crate::diag::Diagnostics;
use crate::{live, spec};

/// Make a live ArangoDB match a directory of feature-store specs.
///
/// arangosync reads YAML specs (collections, edge collections, indexes,
/// schemas, ArangoSearch analyzers and views, graphs) and .aql features,
/// compares them with the database, shows the plan and applies it. It never deletes documents or objects it did not create
/// without being told to.
///
/// Exit status: 0 success, 1 runtime failure, 2 changes pending
/// (plan --detailed-exitcode), 3 invalid input.
/// An apply stopped by SIGTERM exits 143, by SIGINT 130.
#[derive(Debug, Parser)]
#[command(name = "arangosync", version, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Validate(validate::ValidateArgs),
    #[command(visible_alias = "diff")]
    Plan(plan::PlanCommandArgs),
    Apply(apply::ApplyArgs),
    Features(features::FeaturesArgs),
    Import(import::ImportArgs),
}

pub async fn run(cli: Cli) -> Result<ExitStatus, CliError> {
    let json_logs = cli.output.log_format == LogFormat::Json;
    progress::allow_bar(progress::bar_wanted(cli.output.quiet, json_logs));
    let out = output::Output::new(cli.output.format, json_logs)
        .with_markdown_limits(cli.output.markdown_limits());
    match cli.command {
        Command::Validate(args) => validate::run(&args, &out),
        Command::Plan(args) => plan::run(&args, &out.with_result_after_warnings()).await,
        Command::Apply(args) => apply::run(&args, &out.with_result_after_warnings()).await,
        Command::Features(args) => features::run(&args, &out).await,
        Command::Import(args) => import::run(&args, &out).await,
    }
}

/// The desired state of a spec tree, with the feature files it came from.
pub struct Desired {
    pub loaded: spec::Loaded,
    pub features: Vec<crate::transform::Feature>,
}

/// Loads and validates a spec tree with its transformations, also against
/// `target` (`--target-version`) when given; prints the diagnostics
/// (warnings too) and fails with exit status 3 on errors.
fn load_specs_for(
    dir: &Path,
    overlay: Option<&Path>,
    namespace: &str,
    out: &output::Output,
    target: Option<&crate::server::Server>,
) -> Result<Desired, CliError> {
    load_tree(dir, overlay, namespace, out, target, Tree::Specs)
}

/// Which spec tree is loaded, for what its errors say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tree {
    /// The specs of `--dir`.
    Specs,
    /// The base tree of `plan --offline-from`; `borrowed_overlay` when it
    /// gets the pull request's `--overlay` (no `--offline-overlay`).
    OfflineBase { borrowed_overlay: bool },
}

/// The `plan --offline-from` base tree: loaded and checked like the specs,
/// its summary naming it as the `--offline-from` tree; with the pull
/// request's overlay (`borrowed_overlay`), a patch for an object only the
/// pull request declares is no error here.
fn load_offline_base(
    dir: &Path,
    overlay: Option<&Path>,
    borrowed_overlay: bool,
    namespace: &str,
    out: &output::Output,
) -> Result<Desired, CliError> {
    load_tree(
        dir,
        overlay,
        namespace,
        out,
        None,
        Tree::OfflineBase { borrowed_overlay },
    )
}

fn load_tree(
    dir: &Path,
    overlay: Option<&Path>,
    namespace: &str,
    out: &output::Output,
    target: Option<&crate::server::Server>,
    tree: Tree,
) -> Result<Desired, CliError> {
    let namespace = crate::transform::check_namespace(namespace).map_err(CliError::usage)?;
    let unmatched_is_error = tree
        != Tree::OfflineBase {
            borrowed_overlay: true,
        };
    let (mut loaded, found) = crate::validate::load_and_validate(target, |attributes| {
        spec::load_recording(dir, overlay, unmatched_is_error, attributes)
    });
    let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
    diagnostics.extend(found);
    // Where each resource is written serves the diagnostics above only:
    // dropped before the transformations are read and, in plan and apply,
    // while the live read still runs (this load runs beside it).
    drop(std::mem::take(&mut loaded.sources));
    let transformations = loaded.transformations.clone();
    // The base tree of `plan --offline-from` is only compared: a feature
    // broken there must not stop the plan of the change that fixes it.
    let checks = match tree {
        Tree::Specs => crate::transform::checks::QueryChecks::for_target(target),
        Tree::OfflineBase { .. } => crate::transform::checks::QueryChecks::Skip,
    };
    let (features, problems) =
        crate::transform::load_into(&mut loaded.state, &transformations, dir, &namespace, checks);
    diagnostics.extend(problems);
    diagnostics.sort();
    diagnostics.supersede("version-unsupported", "deprecated-index-type");
    // What the tree gives without the overlay, so an error only the
    // overlay brings names it even where no patch changed the document.
    // Only a diagnostic is named so: without any, that load is not needed.
    let without = overlay.filter(|_| !diagnostics.is_empty()).map(|_| {
        let (mut base, validated) = crate::validate::load_and_validate(target, |attributes| {
            spec::load_recording(dir, None, true, attributes)
        });
        let mut found = std::mem::take(&mut base.diagnostics);
        found.extend(validated);
        drop(std::mem::take(&mut base.sources));
        let (_, problems) =
            crate::transform::load_into(&mut base.state, &transformations, dir, &namespace, checks);
        found.extend(problems);
        found
    });
    loaded
        .overlay
        .name_base_files(&mut diagnostics, without.as_ref());
    if !diagnostics.is_empty() {
        out.diagnostics(&diagnostics);
    }
    if diagnostics.has_errors() {
        let count = error_count(&diagnostics);
        let which = match tree {
            Tree::Specs => String::new(),
            Tree::OfflineBase { .. } => "the --offline-from tree ".to_string(),
        };
        return Err(CliError::InvalidSpecs(
            format!(
                "{which}{} has {count} error(s); nothing was changed",
                dir.display()
            ),
            diagnostics,
        ));
    }
    loaded.diagnostics = diagnostics;
    Ok(Desired { loaded, features })
}

/// How many query checks run at once: they are independent reads, and one
/// round trip each would make a large first apply wait for them in turn.
/// A check only parses (`POST /_api/query`, no plan, no data, no DDL), so
/// the server answers each at once; 32 keep a repository of a few hundred
/// features to a few rounds without crowding the server.
const QUERY_CHECKS_AT_ONCE: usize = 32;

/// Has the server parse every query whose function or registry entry the
/// plan writes, so a syntax error stops the run with the file's line and
/// column before anything is written (the registry entry is the serving
/// path where the server has no user functions).
///
/// `ahead`: checks `start` sent beside the live read (`SentAhead`); the
/// answers of those this plan needs are taken from there, and only the
/// queries they do not cover are sent now. They count only when the plan
/// creates the database: they were parsed in `_system`, as these are then.
async fn check_queries(
    client: &Client,
    desired: &Desired,
    plan: &crate::plan::Plan,
    namespace: &str,
    out: &output::Output,
    ahead: &mut SentAhead,
) -> Result<(), CliError> {
    let namespace = namespace.to_ascii_uppercase();
    // Parsing needs no collections; a database that does not exist yet
    // cannot parse anything, so `_system` does it then.
    let database_missing = plan
        .changes
        .iter()
        .any(|change| matches!(change.address, crate::plan::Address::Database(_)));
    let parser = if database_missing {
        client.for_database("_system")
    } else {
        client.clone()
    };
    let mut checks: Vec<(&String, &crate::transform::Feature)> = Vec::new();
    for change in &plan.changes {
        let name = match (&change.address, change.action) {
            (_, crate::plan::Action::Delete) => continue,
            (crate::plan::Address::Function(name) | crate::plan::Address::Registry(name), _) => {
                name
            }
            _ => continue,
        };
        if checks.iter().any(|(checked, _)| *checked == name) {
            continue;
        }
        if let Some(feature) = desired
            .features
            .iter()
            .find(|f| &f.function_name(&namespace) == name)
        {
            checks.push((name, feature));
        }
    }
    let mut answered = match ahead.queries().await? {
        Some(answered) if database_missing => answered,
        _ => Default::default(),
    };
    let mut outcomes: Vec<Option<Result<(), crate::client::ClientError>>> = checks
        .iter()
        .map(|(name, _)| answered.remove(*name))
        .collect();
    drop(answered);
    let unanswered: Vec<usize> = (0..checks.len())
        .filter(|position| outcomes[*position].is_none())
        .collect();
    let queries = unanswered
        .iter()
        .map(|position| checks[*position].1.query.clone())
        .collect();
    for (position, outcome) in unanswered
        .into_iter()
        .zip(parse_all(parser, queries).await?)
    {
        outcomes[position] = Some(outcome);
    }
    // Outcomes in plan order, so the runtime error reported and the order
    // of the diagnostics do not depend on which answer came first.
    let mut diagnostics = Diagnostics::default();
    for (position, outcome) in outcomes.into_iter().enumerate() {
        let (name, feature) = checks[position];
        match outcome.unwrap_or(Ok(())) {
            Ok(()) => {}
            Err(err) if matches!(err.error_num(), Some(1501 | 1502 | 1540 | 1541)) => {
                diagnostics.push(query_diagnostic(feature, &err));
            }
            Err(err) => {
                return Err(CliError::runtime(format!(
                    "checking the query of {name}: {err}"
                )))
            }
        }
    }
    if diagnostics.is_empty() {
        return Ok(());
    }
    out.diagnostics(&diagnostics);
    Err(CliError::InvalidSpecs(
        format!(
            "the server rejected {} quer(y/ies); nothing was changed",
            diagnostics.0.len()
        ),
        diagnostics,
    ))
}

/// Has `parser`'s database parse each of `queries` (`POST /_api/query`,
/// `QUERY_CHECKS_AT_ONCE` at a time); the outcomes in the order of
/// `queries`. Errors: a check task that did not finish.
async fn parse_all(
    parser: Client,
    queries: Vec<String>,
) -> Result<Vec<Result<(), crate::client::ClientError>>, CliError> {
    let permits = Arc::new(tokio::sync::Semaphore::new(QUERY_CHECKS_AT_ONCE));
    let mut tasks = tokio::task::JoinSet::new();
    let count = queries.len();
    for (position, query) in queries.into_iter().enumerate() {
        let parser = parser.clone();
        let permits = permits.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let body = serde_json::json!({ "query": query });
            let outcome = parser
                .call(reqwest::Method::POST, "/_api/query", &[], Some(&body))
                .await
                .map(|_| ());
            (position, outcome)
        });
    }
    let mut outcomes = Vec::with_capacity(count);
    while let Some(joined) = tasks.join_next().await {
        outcomes
            .push(joined.map_err(|err| CliError::runtime(format!("a query check failed: {err}")))?);
    }
    outcomes.sort_by_key(|(position, _)| *position);
    Ok(outcomes.into_iter().map(|(_, outcome)| outcome).collect())
}

/// Which checks `start` sends beside the live read once the specs are
/// checked, if the readiness wait found no database (a first run): the
/// plan then creates the database, so it has writes, and every function
/// and registry entry of the specs (unless narrowed by `--target`,
/// `--phase pre` or a saved plan, which the caller rules out). These are
/// the requests the run would send once the plan is made; sent early,
/// they cost no round trip of their own. Nothing is sent ahead against a
/// database that exists.
#[derive(Debug, Clone, Copy, Default)]
struct Ahead {
    /// The query checks of every feature (`check_queries`).
    queries: bool,
    /// The write-access check (`apply::check_write_access`).
    access: bool,
}

/// The checks `start` sent ahead (`Ahead`), running on tasks of their own
/// until the run takes their answers; dropped with the run, they are
/// aborted. Empty when none was sent.
#[derive(Default)]
struct SentAhead {
    /// The outcome of each query check by function name (upper-case
    /// namespace, as the plan names functions).
    queries: Option<tokio::task::JoinSet<Result<QueryOutcomes, CliError>>>,
    access: Option<tokio::task::JoinSet<Result<(), CliError>>>,
}

/// Query check outcomes by function name.
type QueryOutcomes = std::collections::BTreeMap<String, Result<(), crate::client::ClientError>>;

impl SentAhead {
    /// Sends what `wanted` asks for, if the readiness wait found no
    /// database; else nothing. `desired`: the checked specs; `namespace`:
    /// upper-case.
    fn send(
        client: &Client,
        desired: &Desired,
        namespace: &str,
        wanted: Ahead,
        connection: &args::ConnectionArgs,
    ) -> SentAhead {
        let mut sent = SentAhead::default();
        if !client.database_missing_at_readiness() {
            return sent;
        }
        if wanted.queries && !desired.features.is_empty() {
            let mut names: Vec<String> = Vec::new();
            let mut seen = std::collections::HashSet::new();
            let mut queries = Vec::new();
            for feature in &desired.features {
                let name = feature.function_name(namespace);
                if seen.insert(name.clone()) {
                    names.push(name);
                    queries.push(feature.query.clone());
                }
            }
            let parser = client.for_database("_system");
            let mut task = tokio::task::JoinSet::new();
            task.spawn(async move {
                let outcomes = parse_all(parser, queries).await?;
                Ok(names.into_iter().zip(outcomes).collect())
            });
            sent.queries = Some(task);
        }
        if wanted.access {
            let client = client.clone();
            let connection = connection.clone();
            let mut task = tokio::task::JoinSet::new();
            task.spawn(async move { apply::check_write_access(&client, &connection).await });
            sent.access = Some(task);
        }
        sent
    }

    /// The query check outcomes sent ahead, once all are in; `None` when
    /// none were sent (or already taken).
    async fn queries(&mut self) -> Result<Option<QueryOutcomes>, CliError> {
        let Some(mut task) = self.queries.take() else {
            return Ok(None);
        };
        match task.join_next().await {
            Some(Ok(outcomes)) => outcomes.map(Some),
            Some(Err(err)) => Err(CliError::runtime(format!("a query check failed: {err}"))),
            None => Ok(None),
        }
    }

    /// The write-access check sent ahead (`SentAhead::access`, taken out),
    /// once answered; `None` when it was not sent.
    async fn access_answer(
        task: Option<tokio::task::JoinSet<Result<(), CliError>>>,
    ) -> Option<Result<(), CliError>> {
        let mut task = task?;
        match task.join_next().await? {
            Ok(outcome) => Some(outcome),
            Err(err) => Some(Err(CliError::runtime(format!(
                "checking the write access failed: {err}"
            )))),
        }
    }
}

/// A server parse error as a diagnostic at the query's place in its file.
fn query_diagnostic(
    feature: &crate::transform::Feature,
    err: &crate::client::ClientError,
) -> crate::diag::Diagnostic {
    let message = match err {
        crate::client::ClientError::Api {
            message, error_num, ..
        } => format!("ArangoDB rejected the query ({error_num}): {message}"),
        other => other.to_string(),
    };
    // "... at position LINE:COLUMN" counts from the query's first line, and
    // its column in bytes.
    let position = message.rsplit("at position ").next().and_then(|tail| {
        let (line, column) = tail.trim().split_once(':')?;
        let column: String = column.chars().take_while(char::is_ascii_digit).collect();
        Some((line.parse::<usize>().ok()?, column.parse::<usize>().ok()?))
    });
    let error_num = match err {
        crate::client::ClientError::Api { error_num, .. } => u32::try_from(*error_num).ok(),
        _ => None,
    };
    // 1540/1541 carry no position: a local check as the versions that
    // refuse it places the call.
    let position = position
        .map(|(line, column)| crate::transform::query_position(&feature.query, line, column))
        .or_else(|| {
            error_num
                .and_then(|num| crate::transform::checks::locate_server_error(&feature.query, num))
        });
    let (line, column) = position.map_or((feature.query_line, 1), |(line, column)| {
        (feature.query_line + line - 1, column)
    });
    crate::diag::Diagnostic::error(
        error_num.map_or("aql-rejected", crate::transform::query_error_code),
        message,
        Some(crate::diag::Location {
            file: feature.path.clone(),
            line,
            column,
        }),
    )
}

fn error_count(diagnostics: &Diagnostics) -> usize {
    diagnostics
        .0
        .iter()
        .filter(|d| d.severity == crate::diag::Severity::Error)
        .count()
}

/// The spec tree `plan` and `apply` load, owned: it is loaded on a thread
/// of its own while the run connects (`start`).
struct SpecSource {
    dir: PathBuf,
    overlay: Option<PathBuf>,
    namespace: String,
    /// `--target-version`: the specs are checked against it too.
    target: Option<crate::server::Server>,
}

impl SpecSource {
    fn new(spec: &args::SpecArgs, namespace: &str) -> SpecSource {
        SpecSource {
            dir: spec.dir.clone(),
            overlay: spec.overlay.clone(),
            namespace: namespace.to_string(),
            target: None,
        }
    }
}

/// What `plan` and `apply` start from: the checked specs, a client of a
/// server that answered, and the live state read for those specs.
struct Started {
    desired: Desired,
    client: Client,
    live: crate::plan::Live,
    /// The checks sent beside the read (`Ahead`), for the run to await.
    ahead: SentAhead,
}

/// Loads and checks the specs (`load_specs_for`, then `check`, a local
/// check of the loaded specs such as a saved plan's digest) on a blocking
/// thread while connecting and reading what of the live state the specs do
/// not choose; what they choose is read once both are done.
///
/// Nothing of the specs reaches the server before they are checked: until
/// the load succeeds only the readiness wait and the reads of `live::read`
/// (role, inventory, graphs, functions, state documents, server facts, all
/// carrying no spec content) are sent; the analyzer listing and the vector
/// counts (`read_live`) follow the load, and so do the checks the caller
/// wants sent `ahead` when the database does not exist yet (`Ahead`; they
/// carry the checked queries). The flags (database name,
/// endpoints, namespace) are checked before either starts, and their
/// warnings come first, before the specs' diagnostics.
///
/// Errors: invalid specs (exit status 3) as soon as the load finds them,
/// whatever the network is doing (its requests are dropped); a connection
/// or read failure only once the load succeeded, so invalid input wins
/// over a server that cannot be reached, as when the load came first.
async fn start(
    source: SpecSource,
    check: impl FnOnce(&Desired) -> Result<(), CliError> + Send + 'static,
    connection: &args::ConnectionArgs,
    out: &output::Output,
    lock: Option<&crate::lock::Observation>,
    ahead: Ahead,
) -> Result<Started, CliError> {
    // The namespace is a flag: checked before anything starts (the load
    // checks it again, as `validate` has it).
    let namespace =
        crate::transform::check_namespace(&source.namespace).map_err(CliError::usage)?;
    let flags = client_from_flags(connection);
    let loading = tokio::task::spawn_blocking({
        let out = out.clone();
        move || {
            let desired = load_specs_for(
                &source.dir,
                source.overlay.as_deref(),
                &source.namespace,
                &out,
                source.target.as_ref(),
            )?;
            check(&desired)?;
            Ok(desired)
        }
    });
    let loading = async {
        loading
            .await
            .map_err(|err| CliError::runtime(format!("loading the specs failed: {err}")))?
    };
    tokio::pin!(loading);
    let client = match flags {
        Ok(client) => client,
        Err(err) => {
            loading.await?;
            return Err(err);
        }
    };
    // The readiness wait, while the specs load.
    let ready = async {
        client
            .wait_until_ready(connection.wait_timeout)
            .await
            .map_err(CliError::runtime)
    };
    tokio::pin!(ready);
    let mut desired = None;
    tokio::select! {
        biased;
        loaded = &mut loading => {
            desired = Some(loaded?);
            (&mut ready).await?;
        }
        outcome = &mut ready => {
            if let Err(err) = outcome {
                (&mut loading).await?;
                return Err(err);
            }
        }
    }
    // The spec-independent read, while the specs (still) load. It is told
    // whether to list the analyzers (the specs use them) once the specs
    // are loaded and checked: the listing goes out beside the read's other
    // requests when the load ends first, else right after the load.
    let (decide, decision) = tokio::sync::oneshot::channel::<bool>();
    let mut decide = Some(decide);
    let mut tell = |desired: &Desired| {
        if let Some(decide) = decide.take() {
            let _ = decide.send(uses_analyzers(&desired.loaded.state));
        }
    };
    if let Some(desired) = &desired {
        tell(desired);
    }
    let namespace = namespace.to_ascii_uppercase();
    let reading = live::read_deciding(
        &client,
        &namespace,
        async { decision.await.unwrap_or(false) },
        None,
        lock,
    );
    tokio::pin!(reading);
    let mut read = None;
    let desired = match desired {
        Some(desired) => desired,
        None => tokio::select! {
            biased;
            loaded = &mut loading => {
                let desired = loaded?;
                tell(&desired);
                desired
            }
            outcome = &mut reading => {
                let desired = (&mut loading).await?;
                read = Some(outcome);
                desired
            }
        },
    };
    // The specs are checked: what they choose is read now, the vector
    // counts alongside the rest of the read, and a first run's checks
    // (`Ahead`) beside both.
    let sent = SentAhead::send(&client, &desired, &namespace, ahead, connection);
    let state = &desired.loaded.state;
    let wanted = vector_counts_wanted(&client, state, None);
    let counting = vector_counts(&client, &wanted);
    let (read, counts) = match read {
        Some(read) => (read, counting.await),
        None => tokio::join!(reading, counting),
    };
    let failed = |err: &dyn std::fmt::Display| reading_failed(&client, err);
    let mut live = read.map_err(|err| failed(&err))?;
    // The read lists the analyzers once told to; this only sends a request
    // if a read ever ends before it is told (none does today).
    if uses_analyzers(state) {
        live::complete_analyzers(&client, &mut live)
            .await
            .map_err(|err| failed(&err))?;
    }
    live.document_counts = counts.map_err(|err| failed(&err))?;
    // (`ready` and `reading` borrow `client` to the end.)
    Ok(Started {
        desired,
        client: client.clone(),
        live,
        ahead: sent,
    })
}

/// Connects and waits for the server to be ready.
async fn connect(args: &args::ConnectionArgs) -> Result<Client, CliError> {
    let client = client_from_flags(args)?;
    client
        .wait_until_ready(args.wait_timeout)
        .await
        .map_err(CliError::runtime)?;
    Ok(client)
}

/// The client the connection flags describe, checked and warned about
/// before any request: a database name the server refuses is invalid
/// input; credentials in clear text to another machine are warned about.
/// Sends nothing.
fn client_from_flags(args: &args::ConnectionArgs) -> Result<Client, CliError> {
    // Before any request: a name the server refuses is invalid input.
    if let Some(warning) =
        crate::validate::check_database(&args.database).map_err(CliError::usage)?
    {
        tracing::warn!("{warning}");
    }
    let settings = args.settings()?;
    for endpoint in settings
        .endpoints
        .iter()
        .filter(|endpoint| sends_credentials_in_clear(endpoint))
    {
        tracing::warn!(endpoint = %endpoint, "credentials are sent over plain HTTP to a host that is not this machine; use https://");
    }
    Client::new(&settings).map_err(CliError::runtime)
}

/// Plain HTTP to anything but a loopback address exposes the password.
fn sends_credentials_in_clear(endpoint: &url::Url) -> bool {
    let loopback = match endpoint.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        None => false,
    };
    endpoint.scheme() == "http" && !loopback
}

async fn read_live(
    client: &Client,
    namespace: &str,
    desired: &crate::model::State,
    known_server: Option<&crate::server::Server>,
) -> Result<crate::plan::Live, CliError> {
    let read_analyzers = uses_analyzers(desired);
    let failed = |err: &dyn std::fmt::Display| reading_failed(client, err);
    // At the same time as the rest of the read.
    let wanted = vector_counts_wanted(client, desired, known_server);
    let counting = vector_counts(client, &wanted);
    let namespace = namespace.to_ascii_uppercase();
    let (read, counts) = tokio::join!(
        live::read(client, &namespace, read_analyzers, known_server, None),
        counting
    );
    let mut live = read.map_err(|err| failed(&err))?;
    live.document_counts = counts.map_err(|err| failed(&err))?;
    Ok(live)
}

/// A failed read of the live state, naming the database.
fn reading_failed(client: &Client, err: &dyn std::fmt::Display) -> CliError {
    CliError::runtime(format!("reading database \"{}\": {err}", client.database()))
}

/// Whether the specs use analyzers, so the live read lists the database's.
fn uses_analyzers(desired: &crate::model::State) -> bool {
    !desired.custom_analyzers().is_empty() || !desired.analyzers.is_empty()
}

/// The vector counts the specs need: only before 3.12.9 (the version from
/// `known_server`, else from the readiness wait), for collections with a
/// vector index in the specs (none usually), none on a server known to
/// hold no vector index.
fn vector_counts_wanted(
    client: &Client,
    desired: &crate::model::State,
    known_server: Option<&crate::server::Server>,
) -> std::collections::BTreeMap<live::vector::Counted, u64> {
    let version = match known_server {
        Some(server) => server.version,
        None => match live::vector::version_read(client) {
            Some(version) => version,
            // The readiness wait found no database (its version answer is
            // kept only for a database that exists): no collection to count.
            None if client.database_missing_at_readiness() => return Default::default(),
            None => return live::vector::vector_counts_wanted(desired, None),
        },
    };
    let mut wanted = live::vector::vector_counts_wanted(desired, Some(version));
    if known_server.is_some_and(|server| !server.vector_index) {
        wanted.clear();
    }
    wanted
}

/// Counts `wanted` (`live::vector::vector_counts`); no request when it is
/// empty.
async fn vector_counts(
    client: &Client,
    wanted: &std::collections::BTreeMap<live::vector::Counted, u64>,
) -> Result<std::collections::BTreeMap<live::vector::Counted, u64>, crate::client::ClientError> {
    if wanted.is_empty() {
        Ok(Default::default())
    } else {
        live::vector::vector_counts(client, wanted).await
    }
}

/// The plan with each change's risk given the data (`plan::risk`): the
/// counts it needs read from the server, read-only and all at once; no
/// request when no change needs one. A count that fails is shown as not
/// counted, never an error. A count of duplicates under a new unique
/// index blocks it (`plan::risk::attach`). With `blocking_only` (the
/// re-plan under the apply lock) only the counts that can block are read.
async fn with_risk(
    client: &Client,
    mut computed: crate::plan::Plan,
    desired: &crate::model::State,
    live: &crate::plan::Live,
    blocking_only: bool,
) -> crate::plan::Plan {
    read_risk(client, &computed, desired, live, blocking_only)
        .await
        .attach(&mut computed);
    computed
}

/// The risk of a plan's changes as read from the server, not yet attached
/// to them (`with_risk` in two halves, so the counts can be read while
/// something else borrows the plan).
struct Risk {
    assessments: Vec<crate::plan::risk::Assessment>,
    counts: std::collections::BTreeMap<crate::plan::risk::Probe, crate::plan::risk::Count>,
}

impl Risk {
    /// Attaches the risk to the plan it was read for.
    fn attach(self, plan: &mut crate::plan::Plan) {
        use crate::plan::risk;
        risk::attach(
            plan,
            &self.assessments,
            &self.counts,
            &risk::Count::Failed("no answer".into()),
        );
    }
}

/// The first half of `with_risk`: assesses `computed` and reads the counts.
async fn read_risk(
    client: &Client,
    computed: &crate::plan::Plan,
    desired: &crate::model::State,
    live: &crate::plan::Live,
    blocking_only: bool,
) -> Risk {
    use crate::plan::risk;
    let mut assessments = risk::assess(computed, desired, live.state.as_ref());
    if blocking_only {
        assessments.retain(risk::can_block);
    }
    let probes = risk::probes(&assessments);
    let counts = if probes.is_empty() {
        Default::default()
    } else {
        live::risk::counts(client, &probes).await
    };
    Risk {
        assessments,
        counts,
    }
}

/// Narrows a plan to the `--target`s and their dependencies (unchanged
/// without targets). An unknown or malformed target is invalid input.
/// `live`: the state the plan was computed against, if any.
fn narrow(
    plan: crate::plan::Plan,
    targets: &[String],
    desired: &crate::model::State,
    live: &crate::plan::Live,
    options: &crate::plan::Options,
) -> Result<crate::plan::Plan, CliError> {
    if targets.is_empty() {
        return Ok(plan);
    }
    // Analyzers named as the plan names them (bare for this database).
    let desired = desired.with_analyzers_as_reported(&plan.database);
    let live_state = live
        .state
        .as_ref()
        .map(|state| state.with_analyzers_as_reported(&plan.database));
    let resolved = crate::plan::targets::resolve(targets, &desired, live_state.as_deref())
        .map_err(|err| CliError::usage(err.to_string()))?;
    Ok(crate::plan::targets::restrict(
        plan, &resolved, &desired, live, options,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_parse_errors_point_at_the_character_column() {
        let text = "-- Feature: f\n-- Version: 1\n-- Description: d\nFOR u IN users\n  FILTER u.city == \"Zürich\" RETURN u\n";
        let mut feature = crate::transform::parse(text, std::path::Path::new("f_v1.aql")).unwrap();
        // A query the server rejects (the local check would too; this is
        // about reading the server's answer).
        feature.query.push_str(" u");
        // What ArangoDB says: line 2 of the query, byte column 39 (the
        // second `u`, character 38; `ü` takes two bytes).
        let err = crate::client::ClientError::Api {
            method: "POST".into(),
            path: "/_api/query".into(),
            status: 400,
            error_num: 1501,
            message: "syntax error, unexpected identifier near 'u' at position 2:39".into(),
        };
        let diagnostic = query_diagnostic(&feature, &err);
        let location = diagnostic.location.expect("a location");
        assert_eq!((location.line, location.column), (5, 38));
    }

    #[test]
    fn plain_http_is_flagged_only_off_this_machine() {
        let flagged = |url: &str| sends_credentials_in_clear(&url::Url::parse(url).unwrap());
        assert!(flagged("http://arangodb.prod.svc:8529"));
        assert!(flagged("http://10.0.0.7:8529"));
        assert!(!flagged("https://arangodb.prod.svc:8529"));
        assert!(!flagged("http://localhost:8529"));
        assert!(!flagged("http://127.0.0.2:8529"));
        assert!(!flagged("http://[::1]:8529"));
    }
}
