//! `arangosync apply`: plan, then carry the plan out.
//!
//! The run prints the plan, creates the database and state collection the
//! apply lock lives in, takes the lock, plans again (another run may have
//! changed the database meanwhile; not when the lock it takes is the very
//! released lock it saw before reading the database, see `crate::lock`,
//! nor when it created the database and took the lock by inserting it:
//! then no other run held it, so none wrote), logs each change in which that plan
//! differs from the one shown and why, and applies it (a saved plan is
//! refused instead when an object it touches changed). The last log line,
//! `apply finished`, counts what was applied as the plan summary counts
//! its changes (`render::Summary`, the database and state collection
//! included), beside the summary of the plan shown.

use clap::{Args, ValueEnum};
use reqwest::Method;

use super::args::{ConnectionArgs, PlanArgs, SpecArgs};
use super::error::{CliError, ExitStatus};
use super::output::Output;
use super::saved::{SavedOverlay, SavedPlan};
use crate::client::{encode_segment, Client};
use crate::interrupt::{self, Interrupt};
use std::collections::BTreeMap;
use std::time::Duration;

use crate::plan::{self, Phase, Plan, Stage};
use crate::render::Summary;
use crate::server::Server;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PhaseArg {
    /// Analyzers, collections, indexes, schemas, views and graphs (an Argo CD
    /// PreSync hook).
    Pre,
    /// AQL functions and the feature registry (an Argo CD PostSync hook).
    Post,
    /// Everything.
    All,
}

/// Compute the plan and apply it. A plan with a blocked change (data loss
/// without --allow-destructive, or an object arangosync did not create) is
/// refused as a whole before anything is written.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    /// Apply the plan saved by `plan --out FILE` instead of a new one: the
    /// specs in --dir (with the same --overlay) must be the ones it was
    /// made from, and no object it changes or depends on (the collection of
    /// a new index, the collections, analyzers and inverted indexes of a
    /// new view, ...) may have changed since (else exit 1, naming what
    /// changed, nothing written). Other objects may have changed. The
    /// plan's choices (--prune, --allow-destructive, --allow-mass-prune,
    /// --target, --require-functions, --namespace, --create-database)
    /// come from the file; --revision is this apply's (the plan's when
    /// none is given).
    #[arg(
        long = "plan",
        value_name = "FILE",
        conflicts_with_all = ["dry_run", "phase", "prune", "allow_destructive", "allow_mass_prune", "targets"]
    )]
    pub plan_file: Option<std::path::PathBuf>,
    /// Print the plan and stop: the same as `arangosync plan`.
    #[arg(long)]
    pub dry_run: bool,
    /// Which part of the specs to apply.
    #[arg(long, value_enum, default_value_t = PhaseArg::All)]
    pub phase: PhaseArg,
    /// How many independent changes run at once.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Of those, how many index creates on collections that exist before
    /// the run: the server builds each over the collection's documents. An
    /// index on a collection the same run creates counts only towards
    /// --concurrency.
    #[arg(long, default_value_t = 8, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub index_builds: u16,
    /// How long to wait for another arangosync run on the same database to
    /// finish before giving up (exit status 1, naming the other run): a
    /// number of seconds (120) or a duration with a unit (90s, 2m).
    #[arg(
        long,
        default_value = "120",
        value_name = "DURATION",
        env = "ARANGOSYNC_LOCK_TIMEOUT",
        value_parser = super::duration::parse
    )]
    pub lock_timeout: Duration,
    /// How long the apply lock stays valid without renewal (at least 1s):
    /// how long a crashed run blocks the next one. A running apply renews
    /// it. A number of seconds (120) or a duration with a unit (90s, 2m).
    #[arg(
        long,
        default_value = "120",
        value_name = "DURATION",
        env = "ARANGOSYNC_LOCK_TTL",
        value_parser = super::duration::parse_at_least_one_second
    )]
    pub lock_ttl: Duration,
    /// How often a step that is still running is reported (an index build
    /// can take minutes): when stderr is not a terminal, or logs are JSON,
    /// a log line `still building index users/idx (10 s)` after each
    /// interval; on a terminal the progress bar shows the elapsed time
    /// instead. A number of seconds (10) or a duration with a unit (30s,
    /// 1m); at least 1s.
    #[arg(
        long,
        default_value = "10",
        value_name = "DURATION",
        env = "ARANGOSYNC_PROGRESS_INTERVAL",
        value_parser = super::duration::parse_at_least_one_second
    )]
    pub progress_interval: Duration,
    #[command(flatten)]
    pub plan: PlanArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

pub async fn run(args: &ApplyArgs, out: &Output) -> Result<ExitStatus, CliError> {
    args.plan.check_target_syntax()?;
    let saved = match &args.plan_file {
        Some(file) => Some(std::sync::Arc::new(SavedPlan::read(
            file,
            &args.connection.database,
        )?)),
        None => None,
    };
    let namespace = saved
        .as_ref()
        .map_or(&args.plan.features.namespace, |saved| {
            &saved.options.namespace
        });
    let (trigger, interrupt) = interrupt::channel();
    interrupt::listen(trigger.clone()).map_err(|err| {
        CliError::runtime(format!("cannot install the SIGTERM/SIGINT handlers: {err}"))
    })?;
    // The specs load (and a saved plan's digest is checked against them)
    // while the run connects and reads; a signal meanwhile ends the run,
    // nothing written.
    let digest = {
        let saved = saved.clone();
        let dir = args.spec.dir.clone();
        let overlay = args.spec.overlay.clone();
        let file = args.plan_file.clone();
        move |desired: &super::Desired| match &saved {
            Some(saved) => check_specs_digest(
                SpecsPlace {
                    file: file.as_deref(),
                    dir: &dir,
                    overlay: overlay.as_deref(),
                },
                saved,
                desired,
            ),
            None => Ok(()),
        }
    };
    // The lock as seen before the database is read (not for a dry run,
    // which takes no lock).
    let lock = crate::lock::Observation::default();
    // A first apply (no database yet) sends its query checks and, unless
    // it only shows the plan, its write-access check beside the read: its
    // plan creates everything. Not when the plan is narrowed (a saved
    // plan, --target, --phase pre), which may leave features out.
    let whole = saved.is_none() && args.plan.targets.is_empty() && args.phase != PhaseArg::Pre;
    let ahead = super::Ahead {
        queries: whole,
        access: whole && !args.dry_run,
    };
    let super::Started {
        desired,
        client,
        live,
        ahead,
    } = until_stopped(
        &interrupt,
        super::start(
            super::SpecSource::new(&args.spec, namespace),
            digest,
            &args.connection,
            out,
            (!args.dry_run).then_some(&lock),
            ahead,
        ),
    )
    .await??;
    let observed = lock.released_revision();
    let source = Source {
        saved: saved.as_deref(),
        namespace,
    };
    let options = match &saved {
        // The revision is the apply's (`--revision`, $ARANGOSYNC_REVISION,
        // ...); the plan's only when the apply names none.
        Some(saved) => {
            let mut options = saved.options.plan_options(&args.connection.database);
            if let Some(revision) = args.plan.revision() {
                options.revision = Some(revision);
            }
            options
        }
        None => args.connection.plan_options(&args.plan),
    };
    // Before the lock, a signal ends the run at once: nothing of the plan
    // was applied (creating the database and the state collection is
    // harmless to repeat).
    let Some(Prepared {
        client,
        mut first,
        setup_done,
        observed,
    }) = until_stopped(
        &interrupt,
        prepare(
            args,
            &source,
            out,
            &desired,
            &options,
            Connected {
                client,
                live,
                observed,
                ahead,
            },
        ),
    )
    .await??
    else {
        return Ok(ExitStatus::Success);
    };
    let lease = crate::lock::acquire(
        &client,
        args.lock_ttl,
        args.lock_timeout,
        &interrupt,
        &trigger,
        observed.as_deref(),
    )
    .await
    .map_err(|err| match err {
        crate::lock::LockError::Interrupted(reason) => CliError::Stopped(reason, err.to_string()),
        other => CliError::runtime(other),
    })?;
    tracing::debug!(holder = lease.holder(), "apply lock taken");
    if first
        .standing
        .as_ref()
        .is_some_and(|standing| !standing.since.holds(&lease))
    {
        first.stop_standing();
    }

    // Another run may have changed the database while we waited: plan again
    // under the lock and apply that plan (unless the plan shown stands).
    let outcome = apply_under_lock(
        &client,
        &source,
        &desired,
        &options,
        args,
        first,
        &setup_done,
        &interrupt,
    )
    .await;
    lease.release().await;
    outcome
}

/// Runs `work` unless a stop request comes first; then the run ends with
/// the stop's exit status, nothing of the plan applied.
async fn until_stopped<T>(
    interrupt: &Interrupt,
    work: impl std::future::Future<Output = T>,
) -> Result<T, CliError> {
    let mut watcher = interrupt.clone();
    tokio::select! {
        stop = watcher.wait() => Err(CliError::Stopped(
            stop.reason,
            format!(
                "stopped by {} before applying the plan; nothing of the plan was applied",
                stop.reason.describe()
            ),
        )),
        done = work => Ok(done),
    }
}

/// What the run has once the specs are loaded: a client of a server that
/// answered, the live state, and the revision of a released lock seen
/// before that state was read (`lock::Observation`).
struct Connected {
    client: Client,
    live: plan::Live,
    observed: Option<String>,
    /// The checks sent beside the read (`super::Ahead`).
    ahead: super::SentAhead,
}

/// What the run has when it goes for the lock.
struct Prepared {
    client: Client,
    first: FirstPlan,
    /// The database and state collection changes of the plan shown,
    /// applied before the lock (they hold it).
    setup_done: Vec<plan::Change>,
    /// The revision of the released lock seen before the database was
    /// read, if one was (`crate::lock::Observation`).
    observed: Option<String>,
}

/// Everything before the lock: plan, print the plan, check the server and
/// create the database and state collection the lock lives in. `None`
/// when there is nothing (more) to do.
async fn prepare(
    args: &ApplyArgs,
    source: &Source<'_>,
    out: &Output,
    desired: &super::Desired,
    options: &plan::Options,
    connected: Connected,
) -> Result<Option<Prepared>, CliError> {
    let Connected {
        client,
        live,
        observed,
        mut ahead,
    } = connected;
    let namespace = source.namespace;
    let whole = plan::diff(&desired.loaded.state, &live, options);
    // A saved plan was narrowed when it was made; --target does not
    // combine with --plan.
    let whole = if source.saved.is_none() {
        super::narrow(
            whole,
            &args.plan.targets,
            &desired.loaded.state,
            &live,
            options,
        )?
    } else {
        whole
    };
    // Functions the server cannot hold but the specs demand fail the
    // PostSync phase; the PreSync phase refuses too, before its writes,
    // so a sync that cannot finish does not start. Found on the whole plan
    // here, refused below once the plan is shown: the whole plan itself is
    // not kept (a first apply's plan is tens of megabytes).
    let demanded = refuse_demanded_functions(&whole, desired, namespace);
    let computed = source.select(args, whole, &desired.loaded.state, &live)?;
    // The write access is checked (one read) at the same time as the
    // queries and the counts, and reported after them; a first apply sent
    // both before the plan was made (`super::Ahead`).
    let access_ahead = ahead.access.take();
    let access = async {
        if args.dry_run || !computed.has_writes() {
            Ok(())
        } else {
            match super::SentAhead::access_answer(access_ahead).await {
                Some(outcome) => outcome,
                None => check_write_access(&client, &args.connection).await,
            }
        }
    };
    // The plan carries the risk, and the blocks counts set (a unique index
    // over duplicated values), both when printed and when checked below.
    let (queries, risk, access) = tokio::join!(
        super::check_queries(&client, desired, &computed, namespace, out, &mut ahead),
        super::read_risk(&client, &computed, &desired.loaded.state, &live, false),
        access
    );
    queries?;
    let mut computed = computed;
    risk.attach(&mut computed);
    out.plan(&computed);
    if args.dry_run {
        return Ok(None);
    }
    demanded?;
    if !computed.has_writes() {
        return Ok(None);
    }
    let blocked = computed.blocked().count();
    if blocked > 0 {
        return Err(CliError::runtime(format!(
            "refusing to apply: {blocked} change(s) are blocked (marked BLOCKED in the plan); nothing was changed"
        )));
    }
    access?;

    // The lock lives in the database's state collection, so both must exist
    // before it can be taken; creating them is idempotent.
    // Moved out, not copied: the plan is not needed whole any more.
    let shown = Summary::of(&computed);
    let (setup, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut computed.changes)
        .into_iter()
        .partition(|change| matches!(change.stage(), Stage::Database | Stage::StateCollection));
    let created_database = if setup.is_empty() {
        false
    } else {
        let setup_plan = Plan {
            changes: setup.clone(),
            notes: Vec::new(),
            ..computed.clone()
        };
        set_up(&client, &setup_plan, args.progress_interval).await?
    };
    let server = live.server.clone();
    // Setup wrote: the plan shown stands only if this run made the
    // database (below); a state collection created here held no lock to
    // observe anyway.
    let since = match (observed.is_some(), setup.is_empty(), created_database) {
        (true, true, _) => Some(Since::ReleasedLockSeen),
        (_, _, true) => Some(Since::DatabaseCreated),
        _ => None,
    };
    let (kept, standing) = match since {
        // The plan shown moves into the standing plan, without its counts
        // (read again under the lock; they only set `risk`, and blocks, of
        // which there are none here): a first apply's plan is tens of
        // megabytes, so it is not copied.
        Some(since) => (
            Vec::new(),
            Some(Standing {
                plan: Plan {
                    changes: rest.into_iter().map(without_risk).collect(),
                    notes: Vec::new(),
                    ..computed
                },
                live,
                since,
            }),
        ),
        None => (rest.iter().map(ShownChange::of).collect(), None),
    };
    Ok(Some(Prepared {
        client,
        first: FirstPlan {
            shown,
            changes: kept,
            server,
            standing,
        },
        setup_done: setup,
        observed,
    }))
}

/// Applies the changes that come before the lock (`setup_plan`: the
/// database, the state collection the lock lives in), one at a time and
/// logged only (the bar counts the plan made under the lock). Whether this
/// run created the database: the server answered its create with 201, so
/// no database of that name existed (`false` when it found one, or when
/// the plan creates none).
async fn set_up(client: &Client, setup_plan: &Plan, interval: Duration) -> Result<bool, CliError> {
    let progress = super::progress::ApplyProgress::log_only(interval);
    let observer = progress.observer();
    let (database, others): (Vec<_>, Vec<_>) = setup_plan
        .changes
        .iter()
        .cloned()
        .partition(|change| matches!(change.stage(), Stage::Database));
    let mut created_database = false;
    let mut done = Vec::new();
    for change in &database {
        observer.started(change);
        let mut outcome = Ok(());
        for (index, step) in change.steps.iter().enumerate() {
            observer.step_started(change, index);
            // The executor's own step, so the answer tells who made it.
            outcome = match step {
                plan::Step::CreateDatabase { name } => {
                    crate::apply::create_database(client, name).await
                }
                _ => Err(crate::client::ClientError::Config(format!(
                    "unexpected step of {}",
                    change.address
                ))),
            }
            .map(|created| created_database = created);
            if outcome.is_err() {
                break;
            }
        }
        observer.finished(change, &outcome);
        if let Err(err) = outcome {
            progress.finish();
            let report = crate::apply::Report {
                failed: vec![(change.address.clone(), err)],
                not_started: others.iter().map(|change| change.address.clone()).collect(),
                done,
                ..Default::default()
            };
            return Err(failure(&report, setup_plan, 0));
        }
        done.push(change.address.clone());
    }
    let mut report = crate::apply::execute(
        client,
        std::sync::Arc::new(Plan {
            changes: others,
            notes: Vec::new(),
            ..setup_plan.clone()
        }),
        crate::apply::Limits::ONE,
        observer,
    )
    .await;
    progress.finish();
    if !report.succeeded() {
        report.done.splice(0..0, done);
        return Err(failure(&report, setup_plan, 0));
    }
    Ok(created_database)
}

/// A change of the plan shown as the plan made under the lock has it:
/// without its counts (`risk`), which are read again there.
fn without_risk(change: plan::Change) -> plan::Change {
    plan::Change {
        risk: None,
        ..change
    }
}

/// Whether none of the collections, views, analyzers, graphs and AQL user
/// functions `plan` creates exists now: one listing per kind it creates,
/// all at once (none when it creates none of them). Any failed listing
/// counts as "not free", so the caller reads the database again. Registry
/// entries need no listing: they live in a collection, which is listed
/// when the plan creates it and exists before the read otherwise.
async fn creates_still_free(client: &Client, plan: &Plan) -> bool {
    use plan::{Action, Address};
    let mut created: [Vec<&str>; 5] = Default::default();
    for change in plan.changes.iter().filter(|c| c.action == Action::Create) {
        match &change.address {
            Address::Collection(name) => created[0].push(name),
            Address::View(name) => created[1].push(name),
            Address::Analyzer(name) => created[2].push(name),
            Address::Graph(name) => created[3].push(name),
            Address::Function(name) => created[4].push(name),
            _ => {}
        }
    }
    const LISTINGS: [Listing; 5] = [
        Listing::new("/_api/collection", "result", "name", Naming::Exact),
        Listing::new("/_api/view", "result", "name", Naming::Exact),
        Listing::new("/_api/analyzer", "result", "name", Naming::DatabasePrefixed),
        Listing::new("/_api/gharial", "graphs", "_key", Naming::Exact),
        Listing::new("/_api/aqlfunction", "result", "name", Naming::AnyCase),
    ];
    let free = |kind: usize| LISTINGS[kind].none_of(client, &created[kind]);
    let (collections, views, analyzers, graphs, functions) =
        tokio::join!(free(0), free(1), free(2), free(3), free(4));
    collections && views && analyzers && graphs && functions
}

/// One kind of object's listing: its path, the member holding the items
/// (`list`), the item's name member (`field`), and how a listed name reads.
struct Listing {
    path: &'static str,
    list: &'static str,
    field: &'static str,
    naming: Naming,
}

/// How a listed name compares with a name the plan creates.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Naming {
    /// As written (collections, views, graphs).
    Exact,
    /// `database::name` for the database in use (analyzers).
    DatabasePrefixed,
    /// Without case, as ArangoDB treats AQL user function names.
    AnyCase,
}

impl Listing {
    const fn new(
        path: &'static str,
        list: &'static str,
        field: &'static str,
        naming: Naming,
    ) -> Listing {
        Listing {
            path,
            list,
            field,
            naming,
        }
    }

    /// Whether none of `names` is listed; no request when `names` is
    /// empty, `false` when the listing fails.
    async fn none_of(&self, client: &Client, names: &[&str]) -> bool {
        if names.is_empty() {
            return true;
        }
        let Ok(answer) = client.call(Method::GET, self.path, &[], None).await else {
            return false;
        };
        let database = client.database();
        let comparable = |name: &str| match self.naming {
            Naming::Exact => name.to_string(),
            Naming::DatabasePrefixed => match name.split_once("::") {
                Some((prefix, short)) if prefix == database => short.to_string(),
                _ => name.to_string(),
            },
            Naming::AnyCase => name.to_uppercase(),
        };
        let taken: std::collections::BTreeSet<String> = answer.body[self.list]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|item| item[self.field].as_str())
            .map(comparable)
            .collect();
        names.iter().all(|name| !taken.contains(&comparable(name)))
    }
}

/// What the plan before the lock found: the counts of the plan shown, what
/// `plan_differences` compares of its changes but those applied before the
/// lock (the database and the state collection), and the server's facts,
/// which a run reads once (they cannot change while the server runs).
struct FirstPlan {
    shown: Summary,
    /// Empty while the plan shown stands: its changes are then the
    /// standing plan's (`Standing::into_shown`).
    changes: Vec<ShownChange>,
    server: Option<Server>,
    /// The plan shown (before its counts; without the database and state
    /// collection) and the state it was made from, kept while they may
    /// stand under the lock: a released lock was seen before the read and
    /// nothing was set up, or this run created the database (`Since`).
    /// Dropped (`None`) when the lease taken does not confirm it.
    standing: Option<Standing>,
}

/// A plan that stands under the lock when no other run held it since the
/// database was read.
struct Standing {
    plan: Plan,
    live: crate::plan::Live,
    since: Since,
}

/// Why no other arangosync run can have held the lock since the database
/// was read, if the lease is taken as expected (`Since::holds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Since {
    /// A released lock was seen before the read
    /// (`crate::lock::Observation`): it holds when the lease replaced that
    /// very revision.
    ReleasedLockSeen,
    /// The read found no database and this run created it (201, not
    /// found existing): it holds when the lease was taken by the run's
    /// first insert of the lock document, which therefore did not exist.
    /// A run of this version leaves its lock document behind, released or
    /// held, so none held the lock in the new database. An older
    /// arangosync deletes it when done; what it (or a person) may have
    /// created meanwhile is what the check of the names the plan creates
    /// (`creates_still_free`) looks for before anything is written.
    DatabaseCreated,
}

impl FirstPlan {
    /// The plan shown does not stand after all: read the database again.
    fn stop_standing(&mut self) {
        if let Some(standing) = self.standing.take() {
            self.changes = standing.into_shown();
        }
    }
}

impl Standing {
    /// What `plan_differences` compares of the plan shown, once this plan
    /// does not stand: the plan shown was moved here, without its counts
    /// (to which the comparison is blind).
    fn into_shown(self) -> Vec<ShownChange> {
        self.plan.changes.iter().map(ShownChange::of).collect()
    }
}

impl Since {
    /// Whether the lease taken keeps the plan shown standing.
    fn holds(self, lease: &crate::lock::Lease) -> bool {
        match self {
            Since::ReleasedLockSeen => lease.undisturbed(),
            Since::DatabaseCreated => lease.inserted(),
        }
    }

    /// Why the database is not read again, for the debug log.
    fn describe(self) -> &'static str {
        match self {
            Since::ReleasedLockSeen => {
                "the lock taken is the released one seen before the database was read, so no \
                 other run held it since"
            }
            Since::DatabaseCreated => {
                "this run created the database and took the lock by inserting it, so no other \
                 run held it there"
            }
        }
    }
}

/// Plans again under the lock, says how that plan differs from the one
/// shown (and why), applies it and reports what was applied, counted as
/// the plan shown counted its changes (`Summary`), the changes applied
/// before the lock (`setup_done`) included.
#[allow(clippy::too_many_arguments)]
async fn apply_under_lock(
    client: &Client,
    source: &Source<'_>,
    desired: &super::Desired,
    options: &plan::Options,
    args: &ApplyArgs,
    first: FirstPlan,
    setup_done: &[plan::Change],
    interrupt: &Interrupt,
) -> Result<ExitStatus, CliError> {
    // No other run held the lock since the read, but a person or another
    // tool may have made an object this plan creates meanwhile: its create
    // would meet the name taken and count as done. One listing per kind
    // created, at once, decides; a name taken means planning again.
    let mut first = first;
    if let Some(standing) = &first.standing {
        if !until_stopped(interrupt, creates_still_free(client, &standing.plan)).await? {
            first.stop_standing();
        }
    }
    let FirstPlan {
        shown,
        changes: first_plan,
        server,
        standing,
    } = first;
    // A plan that stands is the plan shown: it can differ from it only
    // where the counts read again below block a change.
    let stood = standing.as_ref().map(|standing| standing.since);
    let (fresh, live) = match standing {
        Some(Standing { plan, live, since }) => {
            tracing::debug!(
                "not reading the database again under the lock: {}, and no object the plan \
                 creates exists yet",
                since.describe()
            );
            (plan, live)
        }
        None => {
            let live = until_stopped(
                interrupt,
                super::read_live(
                    client,
                    source.namespace,
                    &desired.loaded.state,
                    server.as_ref(),
                ),
            )
            .await??;
            // With a saved plan, the objects it touches are checked again
            // here (another run may have changed them while this one
            // waited), all but the database and state collection created
            // before the lock.
            let after_setup = source.saved.map(SavedPlan::after_setup);
            let source = Source {
                saved: after_setup.as_ref(),
                namespace: source.namespace,
            };
            let fresh = plan::diff(&desired.loaded.state, &live, options);
            let fresh = if source.saved.is_none() {
                super::narrow(
                    fresh,
                    &args.plan.targets,
                    &desired.loaded.state,
                    &live,
                    options,
                )?
            } else {
                fresh
            };
            (
                source.select(args, fresh, &desired.loaded.state, &live)?,
                live,
            )
        }
    };
    // The counts that can block a change are data, which no lock guards:
    // read again for this plan (none without a unique index on an
    // existing collection).
    let fresh = super::with_risk(client, fresh, &desired.loaded.state, &live, true).await;
    // The ownership records the plan was made with (moved out, not
    // copied): a pending record that replaces one and is never sent
    // becomes it again (`apply` module).
    let mut live = live;
    let owned_before = std::mem::take(&mut live.owned);
    drop(live);
    let differences = match stood {
        Some(_) if fresh.blocked().next().is_none() => Vec::new(),
        // The plan shown was moved into the standing plan: it is that plan
        // without the counts and the blocks they set (the plan shown
        // blocked nothing, else it was refused before the lock).
        Some(_) => {
            let shown: Vec<ShownChange> = fresh
                .changes
                .iter()
                .map(|change| {
                    ShownChange::of(&plan::Change {
                        risk: None,
                        blocked: None,
                        ..change.clone()
                    })
                })
                .collect();
            plan_differences(&shown, &fresh.changes)
        }
        None => plan_differences(&first_plan, &fresh.changes),
    };
    drop(first_plan);
    let blocked: Vec<String> = fresh
        .blocked()
        .map(|change| {
            format!(
                "{} ({}): {}",
                change.address,
                change.action.as_str(),
                change.blocked.as_deref().unwrap_or_default()
            )
        })
        .collect();
    report_differences(&differences, &fresh, blocked.is_empty());
    if !blocked.is_empty() {
        return Err(CliError::runtime(format!(
            "refusing to apply: the plan made under the lock has {} blocked change(s); nothing of it \
             was applied:\n  {}",
            blocked.len(),
            blocked.join("\n  ")
        )));
    }
    if !fresh.has_writes() {
        // Only the database and the state collection were planned, or
        // another run made the rest (said above).
        report_applied(&shown, Summary::of_changes(setup_done), 0);
        return Ok(ExitStatus::Success);
    }
    let progress =
        super::progress::ApplyProgress::start(fresh.changes.len(), args.progress_interval);
    // Shared with the executor's tasks, which read their changes from it.
    let fresh = std::sync::Arc::new(fresh);
    let report = crate::apply::execute_until(
        client,
        fresh.clone(),
        crate::apply::Limits {
            changes: usize::from(args.concurrency),
            index_builds: usize::from(args.index_builds),
        },
        &owned_before,
        progress.observer(),
        interrupt,
    )
    .await;
    progress.finish();
    for (address, answer) in &report.deferred {
        tracing::warn!(
            "{address} deferred: the server has too few vectors to train it on yet ({answer}); a later run creates it"
        );
    }
    if report.succeeded() {
        let applied = Summary::of_changes(setup_done.iter().chain(report.applied(&fresh)));
        report_applied(&shown, applied, report.deferred.len());
        return Ok(ExitStatus::Success);
    }
    Err(failure(&report, &fresh, setup_done.len()))
}

/// The last line of a successful apply: what was applied, counted as the
/// plan counts its changes, next to the counts of the plan shown.
/// Fields: `changes` (applied), `create`, `update`, `replace`, `delete`
/// (applied, per action), `deferred` (vector indexes left for a later
/// run), `summary` (the applied counts as a sentence), `planned` (the
/// summary of the plan shown), `as_planned` (the applied counts are
/// those of the plan shown).
fn report_applied(shown: &Summary, applied: Summary, deferred: usize) {
    let as_planned = applied == *shown;
    tracing::info!(
        changes = applied.total(),
        create = applied.create,
        update = applied.update,
        replace = applied.replace,
        delete = applied.delete,
        deferred,
        summary = %applied.done_sentence(),
        planned = %shown.sentence(),
        as_planned,
        "apply finished"
    );
}

/// Logs how the plan made under the lock differs from the plan shown: one
/// warning per differing change (fields `change`, `action`, `difference`,
/// `why`), then what apply does about it. `applying`: the plan made under
/// the lock will be applied (it has no blocked change).
fn report_differences(differences: &[Difference], fresh: &Plan, applying: bool) {
    if differences.is_empty() {
        return;
    }
    for difference in differences {
        tracing::warn!(
            change = %difference.address,
            action = difference.action.as_str(),
            difference = difference.kind.as_str(),
            why = %difference.why,
            "the plan made under the lock differs from the plan shown"
        );
    }
    let count = |kind: DifferenceKind| {
        differences
            .iter()
            .filter(|difference| difference.kind == kind)
            .count()
    };
    let decision = if !applying {
        "it has blocked changes: refusing to apply it"
    } else if fresh.has_writes() {
        "applying the plan made under the lock"
    } else {
        "nothing is left to apply"
    };
    tracing::warn!(
        appeared = count(DifferenceKind::Appeared),
        vanished = count(DifferenceKind::Vanished),
        changed = differences.len()
            - count(DifferenceKind::Appeared)
            - count(DifferenceKind::Vanished),
        summary = %Summary::of(fresh).sentence(),
        "the database changed while this run waited for the lock; {decision}"
    );
}

/// Where the changes to apply come from: a new plan (of `--phase`), or a
/// saved plan (`--plan FILE`) held to the live state.
struct Source<'a> {
    saved: Option<&'a SavedPlan>,
    /// The function namespace: the saved plan's, or `--namespace`.
    namespace: &'a str,
}

impl Source<'_> {
    /// The changes to apply, from `whole`, the plan just computed from the
    /// specs and `live`. For a saved plan: refuses (exit 1, naming them)
    /// when an object the saved plan touches, or one its changes depend
    /// on, changed since it was saved,
    /// or when a saved change would no longer be planned just so; else the
    /// saved changes, exactly, and none other.
    /// `desired`: the specs (already held to the saved plan's digest).
    fn select(
        &self,
        args: &ApplyArgs,
        whole: Plan,
        desired: &crate::model::State,
        live: &plan::Live,
    ) -> Result<Plan, CliError> {
        let Some(saved) = self.saved else {
            return Ok(match args.phase {
                PhaseArg::Pre => whole.for_phase(Phase::Pre),
                PhaseArg::Post => whole.for_phase(Phase::Post),
                PhaseArg::All => whole,
            });
        };
        let file = args
            .plan_file
            .as_ref()
            .map_or_else(String::new, |file| file.display().to_string());
        let now = saved.fingerprints_now(live).map_err(|problem| {
            CliError::usage(format!("{file}: {problem}; nothing was changed"))
        })?;
        let changed = plan::saved::changed_objects(&saved.fingerprints, &now);
        let (dependencies_now, needed_by) =
            saved.dependencies_now(desired, live).map_err(|problem| {
                CliError::usage(format!("{file}: {problem}; nothing was changed"))
            })?;
        let changed_dependencies =
            plan::saved::changed_dependencies(&saved.dependencies, &dependencies_now, &needed_by);
        if !changed.is_empty() || !changed_dependencies.is_empty() {
            let was = |count: usize| if count == 1 { "was" } else { "were" };
            let mut what = Vec::new();
            if !changed.is_empty() {
                what.push(format!(
                    "{} of the objects it changes {} changed",
                    changed.len(),
                    was(changed.len())
                ));
            }
            if !changed_dependencies.is_empty() {
                what.push(format!(
                    "{} of the objects its changes depend on {} changed",
                    changed_dependencies.len(),
                    was(changed_dependencies.len())
                ));
            }
            let items: Vec<String> = changed.into_iter().chain(changed_dependencies).collect();
            return Err(refusal(
                &file,
                &format!(
                    "{} in the database since it was planned",
                    what.join(" and ")
                ),
                &items,
            ));
        }
        let changes = saved.select(&whole.changes).map_err(|problems| {
            refusal(
                &file,
                &format!(
                    "{} of its changes would now be planned differently",
                    problems.len()
                ),
                &problems,
            )
        })?;
        Ok(Plan { changes, ..whole })
    }
}

/// The refusal of a saved plan: exit status 1, one item per reason.
fn refusal(file: &str, what: &str, items: &[String]) -> CliError {
    CliError::runtime(format!(
        "refusing to apply the saved plan {file}: {what}; nothing was changed. \
         Plan again (plan --out) and review the new plan:\n  {}",
        items.join("\n  ")
    ))
}

/// Where a saved plan's specs are: the plan file, `--dir` and `--overlay`.
struct SpecsPlace<'a> {
    file: Option<&'a std::path::Path>,
    dir: &'a std::path::Path,
    overlay: Option<&'a std::path::Path>,
}

/// Refuses a saved plan made from other specs than those in --dir.
fn check_specs_digest(
    place: SpecsPlace<'_>,
    saved: &SavedPlan,
    desired: &super::Desired,
) -> Result<(), CliError> {
    let now = plan::saved::specs_digest(&desired.loaded.state);
    if now == saved.specs_digest {
        return Ok(());
    }
    let file = place
        .file
        .map_or_else(String::new, |file| file.display().to_string());
    let mut changed = plan::saved::changed_specs(
        &saved.specs_objects,
        &plan::saved::specs_objects(&desired.loaded.state),
    );
    if changed.is_empty() {
        // Only what no single object holds differs.
        changed.push(format!("specs digest {now}, saved {}", saved.specs_digest));
    }
    // The digest is of the specs after the overlay: name an overlay that
    // differs first, the likely cause.
    let overlay_now = SavedOverlay::of(place.overlay, &desired.loaded);
    let what = match SavedOverlay::difference(saved.overlay.as_ref(), overlay_now.as_ref()) {
        Some(overlay) => {
            changed.insert(0, overlay);
            format!(
                "the specs in {} with this apply's overlay differ from those it was planned with",
                place.dir.display()
            )
        }
        None => format!(
            "the specs in {} changed since it was planned",
            place.dir.display()
        ),
    };
    Err(refusal(&file, &what, &changed))
}

/// An apply that did not finish, as an error: how many changes of `plan`
/// (plus the `setup_done` changes applied before the lock) were done.
fn failure(report: &crate::apply::Report, plan: &Plan, setup_done: usize) -> CliError {
    let mut lines: Vec<String> = report
        .failed
        .iter()
        .map(|(address, err)| format!("{address}: {err}"))
        .collect();
    lines.extend(report.abandoned.iter().map(|address| {
        format!(
            "{address}: still running when the stop's grace ran out; abandoned, its outcome is unknown"
        )
    }));
    let Some(reason) = report.stopped else {
        return CliError::runtime(format!(
            "apply failed after {} of {} change(s) ({} not started); re-run apply to converge:\n  {}",
            setup_done + report.done.len(),
            setup_done + plan.changes.len(),
            report.not_started.len(),
            lines.join("\n  ")
        ));
    };
    lines.extend(
        report
            .not_started
            .iter()
            .map(|address| format!("{address}: not started")),
    );
    CliError::Stopped(
        reason,
        format!(
            "apply stopped by {} after {} of {} change(s) ({} not started); re-run apply to converge:\n  {}",
            reason.describe(),
            setup_done + report.done.len(),
            setup_done + plan.changes.len(),
            report.not_started.len(),
            lines.join("\n  ")
        ),
    )
}

/// Fails before the first write when the plan blocks function changes: on
/// a server without AQL user functions, features that demand one
/// (`Serve: function`, `--require-functions`). Names the files.
fn refuse_demanded_functions(
    plan: &Plan,
    desired: &super::Desired,
    namespace: &str,
) -> Result<(), CliError> {
    let namespace = namespace.to_ascii_uppercase();
    let files: Vec<String> = plan
        .blocked()
        .filter(|change| change.action != plan::Action::Delete)
        .filter_map(|change| match &change.address {
            plan::Address::Function(name) => Some(
                desired
                    .features
                    .iter()
                    .find(|feature| &feature.function_name(&namespace) == name)
                    .map_or_else(
                        || name.clone(),
                        |feature| feature.path.display().to_string(),
                    ),
            ),
            _ => None,
        })
        .collect();
    if files.is_empty() {
        return Ok(());
    }
    Err(CliError::runtime(format!(
        "refusing to apply: the server cannot run AQL user functions, and {} feature(s) must be \
         served as one: {}; nothing was changed. Remove `-- Serve: function` (or \
         --require-functions) to serve them from the feature registry",
        files.len(),
        files.join(", ")
    )))
}

/// Fails before the first write when the user can only read: a CI
/// credential used for `apply` by mistake gets a clear message, not a 403
/// halfway through.
pub(super) async fn check_write_access(
    client: &Client,
    args: &ConnectionArgs,
) -> Result<(), CliError> {
    if args.jwt.is_some() {
        return Ok(());
    }
    let path = format!(
        "/_api/user/{}/database/{}",
        encode_segment(&args.username),
        encode_segment(&args.database)
    );
    let level = match client
        .for_database("_system")
        .call(Method::GET, &path, &[], None)
        .await
    {
        Ok(response) => response.body["result"].as_str().map(str::to_string),
        // Not allowed to ask (or no such API): let the writes speak for themselves.
        Err(_) => None,
    };
    match level.as_deref() {
        Some("ro") | Some("none") => Err(CliError::runtime(format!(
            "user \"{}\" has {} access to database \"{}\"; apply needs read-write (rw). Nothing was changed.",
            args.username,
            if level.as_deref() == Some("ro") { "read-only" } else { "no" },
            args.database
        ))),
        _ => Ok(()),
    }
}

/// How one change of the plan made under the lock differs from the plan
/// shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DifferenceKind {
    /// Planned now, not in the plan shown.
    Appeared,
    /// In the plan shown, not planned now.
    Vanished,
    /// Planned now with another action, other steps or another reason.
    Changed,
    /// Blocked now, not in the plan shown.
    NowBlocked,
    /// Blocked in the plan shown, not now.
    NoLongerBlocked,
}

impl DifferenceKind {
    /// The `difference` field of the log line.
    fn as_str(self) -> &'static str {
        match self {
            DifferenceKind::Appeared => "appeared",
            DifferenceKind::Vanished => "vanished",
            DifferenceKind::Changed => "changed",
            DifferenceKind::NowBlocked => "now blocked",
            DifferenceKind::NoLongerBlocked => "no longer blocked",
        }
    }
}

/// One change that differs between the plan shown and the plan made under
/// the lock: its object, its action (the new plan's, or the shown plan's
/// for a change that vanished), what differs and why.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Difference {
    address: plan::Address,
    action: plan::Action,
    kind: DifferenceKind,
    why: String,
}

/// What made the plans differ: both are pure functions of the same specs
/// and of the database as read, so the database changed in between.
const MEANWHILE: &str = "while this run waited for the lock";

/// What `plan_differences` keeps of a change of the plan shown, in place
/// of the change (a first apply's plan is tens of megabytes): its object
/// and action, whether it was blocked, and a digest of all else two
/// changes are compared by but their risk (`same_but_risk`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct ShownChange {
    address: plan::Address,
    action: plan::Action,
    blocked: bool,
    rest: [u8; 32],
}

impl ShownChange {
    fn of(change: &plan::Change) -> ShownChange {
        ShownChange {
            address: change.address.clone(),
            action: change.action,
            blocked: change.blocked.is_some(),
            rest: change_digest(change),
        }
    }
}

/// A SHA-256 of a change's reason, fields, steps, block and
/// destructiveness (all a `Change` is compared by but its address, action
/// and risk): equal for equal changes, different for different ones. Each
/// item is tagged and its length given, so no two changes feed the same
/// bytes; object keys are fed sorted, as `Value` equality ignores their
/// order.
fn change_digest(change: &plan::Change) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    struct Feed(Sha256);
    impl Feed {
        fn count(&mut self, tag: u8, count: usize) {
            self.0.update([tag]);
            self.0.update((count as u64).to_le_bytes());
        }
        fn text(&mut self, tag: u8, text: &str) {
            self.count(tag, text.len());
            self.0.update(text.as_bytes());
        }
        fn value(&mut self, value: &serde_json::Value) {
            use serde_json::Value;
            match value {
                Value::Null => self.0.update(b"n"),
                Value::Bool(flag) => self.0.update(if *flag { b"T" } else { b"F" }),
                // Numbers are equal by kind and value: 1 and 1.0 differ,
                // 0.0 and -0.0 do not.
                Value::Number(number) => match number.as_f64().filter(|_| number.is_f64()) {
                    Some(0.0) => self.text(b'f', "0"),
                    Some(_) => self.text(b'f', &number.to_string()),
                    None => self.text(b'i', &number.to_string()),
                },
                Value::String(text) => self.text(b's', text),
                Value::Array(items) => {
                    self.count(b'[', items.len());
                    for item in items {
                        self.value(item);
                    }
                }
                Value::Object(map) => {
                    self.count(b'{', map.len());
                    let mut entries: Vec<_> = map.iter().collect();
                    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
                    for (key, item) in entries {
                        self.text(b'k', key);
                        self.value(item);
                    }
                }
            }
        }
    }
    let mut feed = Feed(Sha256::new());
    feed.text(b'r', &change.reason);
    feed.count(b'F', change.fields.len());
    for field in &change.fields {
        feed.text(b'f', &field.field);
        feed.value(&field.before);
        feed.value(&field.after);
        let mut compare = String::new();
        let _ = write!(compare, "{:?}", field.compare);
        feed.text(b'c', &compare);
    }
    feed.count(b'S', change.steps.len());
    for step in &change.steps {
        // A step's JSON form holds all of it but `prototype`, fed apart.
        match serde_json::to_value(step) {
            Ok(value) => feed.value(&value),
            Err(_) => feed.text(b'd', &format!("{step:?}")),
        }
        if let plan::Step::DropCollection { prototype, .. } = step {
            feed.value(&serde_json::Value::Bool(*prototype));
        }
    }
    match &change.blocked {
        Some(reason) => feed.text(b'b', reason),
        None => feed.0.update(b"-"),
    }
    feed.value(&serde_json::Value::Bool(change.destructive));
    feed.0.finalize().into()
}

/// A change as `plan_differences` pairs it: by object and action.
trait Paired {
    fn address(&self) -> &plan::Address;
    fn action(&self) -> plan::Action;
}

impl Paired for plan::Change {
    fn address(&self) -> &plan::Address {
        &self.address
    }
    fn action(&self) -> plan::Action {
        self.action
    }
}

impl Paired for ShownChange {
    fn address(&self) -> &plan::Address {
        &self.address
    }
    fn action(&self) -> plan::Action {
        self.action
    }
}

/// Whether a change of the plan made under the lock is the same as one of
/// the plan shown but for their risk (the counts).
fn same_but_risk(before: &ShownChange, change: &plan::Change) -> bool {
    before.address == change.address
        && before.action == change.action
        && before.rest == change_digest(change)
}

/// How the plan made under the lock (`fresh`) differs from the plan shown
/// before it (`first`, without the changes applied before the lock), one
/// `Difference` per differing change, in the new plan's order, then the
/// vanished ones in the shown plan's order; empty when they are the same.
fn plan_differences(first: &[ShownChange], fresh: &[plan::Change]) -> Vec<Difference> {
    use plan::Action;
    // A plan may hold two changes of one object (a view dropped before an
    // index it lists is replaced, and created again after): they are told
    // apart by their action. A change of an object whose only change now
    // has another action is one `Changed` difference.
    // Changes by address, so pairing them stays linear in the size of
    // the plans (a first apply of 5,000 entities plans 18,000 changes).
    fn by_address<T: Paired>(changes: &[T]) -> ByAddress<'_, T> {
        let mut map = ByAddress::new();
        for change in changes {
            map.entry(change.address()).or_default().push(change);
        }
        map
    }
    let (first_of, fresh_of) = (by_address(first), by_address(fresh));
    type ByAddress<'a, T> = BTreeMap<&'a plan::Address, Vec<&'a T>>;
    /// The change of `change`'s object with its action.
    fn same_in<'a, T: Paired>(of: &ByAddress<'a, T>, change: &impl Paired) -> Option<&'a T> {
        of.get(change.address())?
            .iter()
            .find(|other| other.action() == change.action())
            .copied()
    }
    /// The object's change, when it has exactly one.
    fn only<'a, T>(of: &ByAddress<'a, T>, address: &plan::Address) -> Option<&'a T> {
        match of.get(address).map(Vec::as_slice) {
            Some([change]) => Some(*change),
            _ => None,
        }
    }
    let mut items = Vec::new();
    for change in fresh {
        let before = same_in(&first_of, change).or_else(|| {
            only(&first_of, &change.address).filter(|_| only(&fresh_of, &change.address).is_some())
        });
        let (kind, why) = match before {
            // The counts (`risk`) are of the data, not of the plan: a block
            // they set is compared below.
            Some(before) if same_but_risk(before, change) => continue,
            None => {
                let why = match change.action {
                    Action::Create => format!(
                        "{}: it was there when the plan was shown; another run or someone \
                         dropped it {MEANWHILE}",
                        change.reason
                    ),
                    _ => format!(
                        "{}: it changed in the database {MEANWHILE} (another run, or by hand)",
                        change.reason
                    ),
                };
                (DifferenceKind::Appeared, why)
            }
            Some(before) => match (before.blocked, &change.blocked) {
                (false, Some(reason)) => (
                    DifferenceKind::NowBlocked,
                    format!("{reason} (the database changed {MEANWHILE})"),
                ),
                (true, None) => (
                    DifferenceKind::NoLongerBlocked,
                    format!("the database changed {MEANWHILE}"),
                ),
                _ if before.action != change.action => (
                    DifferenceKind::Changed,
                    format!(
                        "was {}, now {}: {} (it changed in the database {MEANWHILE})",
                        before.action.as_str(),
                        change.action.as_str(),
                        change.reason
                    ),
                ),
                _ => (
                    DifferenceKind::Changed,
                    format!(
                        "planned differently: {} (it changed in the database {MEANWHILE})",
                        change.reason
                    ),
                ),
            },
        };
        items.push(Difference {
            address: change.address.clone(),
            action: change.action,
            kind,
            why,
        });
    }
    for change in first {
        let paired = same_in(&fresh_of, change).is_some()
            || (only(&first_of, &change.address).is_some()
                && only(&fresh_of, &change.address).is_some());
        if paired {
            continue;
        }
        let why = match change.action {
            Action::Create => {
                format!("it exists now: another run or someone created it {MEANWHILE}")
            }
            Action::Delete => {
                format!("it is gone now: another run or someone dropped it {MEANWHILE}")
            }
            Action::Update | Action::Replace => {
                format!("it matches the specs now: another run or someone changed it {MEANWHILE}")
            }
        };
        items.push(Difference {
            address: change.address.clone(),
            action: change.action,
            kind: DifferenceKind::Vanished,
            why,
        });
    }
    items
}

#[cfg(test)]
mod tests {
    use super::{plan_differences, DifferenceKind, ShownChange};
    use crate::plan::{Action, Address, Change};

    fn change(name: &str, blocked: Option<&str>) -> Change {
        Change {
            address: Address::Collection(name.into()),
            action: Action::Create,
            reason: "not in the database".into(),
            fields: Vec::new(),
            steps: Vec::new(),
            blocked: blocked.map(str::to_string),
            destructive: false,
            risk: None,
        }
    }

    /// What the run keeps of the plan shown.
    fn shown(changes: &[Change]) -> Vec<ShownChange> {
        changes.iter().map(ShownChange::of).collect()
    }

    /// `address (action) kind: why` per difference.
    fn described(first: &[Change], fresh: &[Change]) -> Vec<String> {
        plan_differences(&shown(first), fresh)
            .into_iter()
            .map(|difference| {
                format!(
                    "{} ({}) {}: {}",
                    difference.address,
                    difference.action.as_str(),
                    difference.kind.as_str(),
                    difference.why
                )
            })
            .collect()
    }

    #[test]
    fn the_digest_tells_changes_apart_as_equality_does() {
        use crate::plan::Step;
        use serde_json::json;
        let with_body = |body: serde_json::Value| {
            let mut change = change("a", None);
            change.steps = vec![Step::create_collection(&body)];
            change
        };
        let digest = |change: &Change| ShownChange::of(change).rest;
        let ordered = with_body(json!({"name": "a", "keyOptions": {"type": "uuid", "x": 0.0}}));
        let reordered = with_body(json!({"keyOptions": {"x": -0.0, "type": "uuid"}, "name": "a"}));
        assert_eq!(ordered, reordered);
        assert_eq!(digest(&ordered), digest(&reordered));
        let integer = with_body(json!({"name": "a", "keyOptions": {"type": "uuid", "x": 0}}));
        assert_ne!(ordered, integer);
        assert_ne!(digest(&ordered), digest(&integer));
        // What the JSON form leaves out still counts.
        let drop = |prototype: bool| {
            let mut change = change("a", None);
            change.steps = vec![Step::DropCollection {
                collection: "a".into(),
                prototype,
            }];
            change
        };
        assert_ne!(digest(&drop(true)), digest(&drop(false)));
        let mut blocked = change("a", Some("no"));
        assert_ne!(digest(&blocked), digest(&change("a", None)));
        blocked.reason = "other".into();
        assert_ne!(digest(&blocked), digest(&change("a", Some("no"))));
    }

    #[test]
    fn the_same_plan_has_no_differences() {
        let plan = vec![change("a", None), change("b", None)];
        assert_eq!(plan_differences(&shown(&plan), &plan), []);
        // One object dropped and created again: two changes, one address.
        let mut dropped = change("a", None);
        dropped.action = Action::Delete;
        let rebuilt = vec![dropped, change("a", None)];
        assert_eq!(plan_differences(&shown(&rebuilt), &rebuilt), []);
    }

    #[test]
    fn each_differing_change_is_named_with_what_differs_and_why() {
        let mut updated = change("c", None);
        updated.action = Action::Update;
        updated.reason = "schema changed".into();
        let mut dropped = change("d", None);
        dropped.action = Action::Delete;
        let first = vec![
            change("a", None),
            change("b", None),
            change("gone", None),
            updated,
            dropped,
        ];
        let fresh = vec![
            change("a", Some("the analyzer x is missing")),
            change("b", None),
            change("c", None),
            change("new", None),
        ];
        assert_eq!(
            described(&first, &fresh),
            [
                "collection a (create) now blocked: the analyzer x is missing (the database changed while this run waited for the lock)",
                "collection c (create) changed: was update, now create: not in the database (it changed in the database while this run waited for the lock)",
                "collection new (create) appeared: not in the database: it was there when the plan was shown; another run or someone dropped it while this run waited for the lock",
                "collection gone (create) vanished: it exists now: another run or someone created it while this run waited for the lock",
                "collection d (delete) vanished: it is gone now: another run or someone dropped it while this run waited for the lock",
            ]
        );
        assert_eq!(
            plan_differences(&shown(&first), &fresh)
                .iter()
                .filter(|difference| difference.kind == DifferenceKind::Vanished)
                .count(),
            2
        );
    }
}
