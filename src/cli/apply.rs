//! `arangosync apply`: plan, then carry the plan out.

use clap::{Args, ValueEnum};
use reqwest::Method;

use super::args::{ConnectionArgs, PlanArgs, SpecArgs};
use super::error::{CliError, ExitStatus};
use super::output::Output;
use super::saved::{SavedOverlay, SavedPlan};
use crate::client::{encode_segment, Client};
use crate::interrupt::{self, Interrupt};
use std::time::Duration;

use crate::plan::{self, Phase, Plan, Stage};
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
    /// --target, --require-functions, --namespace, --revision,
    /// --create-database) come from the file.
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
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
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
    #[command(flatten)]
    pub plan: PlanArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

pub async fn run(args: &ApplyArgs, out: &Output) -> Result<ExitStatus, CliError> {
    let saved = match &args.plan_file {
        Some(file) => Some(SavedPlan::read(file, &args.connection.database)?),
        None => None,
    };
    let namespace = saved
        .as_ref()
        .map_or(&args.plan.features.namespace, |saved| {
            &saved.options.namespace
        });
    let desired = super::load_specs(&args.spec.dir, args.spec.overlay.as_deref(), namespace, out)?;
    if let Some(saved) = &saved {
        check_specs_digest(args, saved, &desired)?;
    }
    let source = Source {
        saved: saved.as_ref(),
        namespace,
    };
    let (trigger, interrupt) = interrupt::channel();
    interrupt::listen(trigger.clone()).map_err(|err| {
        CliError::runtime(format!("cannot install the SIGTERM/SIGINT handlers: {err}"))
    })?;
    let options = match &saved {
        Some(saved) => saved.options.plan_options(&args.connection.database),
        None => args.connection.plan_options(&args.plan),
    };
    // Before the lock, a signal ends the run at once: nothing of the plan
    // was applied (creating the database and the state collection is
    // harmless to repeat).
    let Some((client, rest, server)) =
        until_stopped(&interrupt, prepare(args, &source, out, &desired, &options)).await??
    else {
        return Ok(ExitStatus::Success);
    };
    let lease = crate::lock::acquire(
        &client,
        args.lock_ttl,
        args.lock_timeout,
        &interrupt,
        &trigger,
    )
    .await
    .map_err(|err| match err {
        crate::lock::LockError::Interrupted(reason) => CliError::Stopped(reason, err.to_string()),
        other => CliError::runtime(other),
    })?;
    tracing::debug!(holder = lease.holder(), "apply lock taken");

    // Another run may have changed the database while we waited: plan again
    // under the lock and apply that plan.
    let first = FirstPlan {
        changes: rest,
        server,
    };
    let outcome = apply_under_lock(
        &client, &source, &desired, &options, args, first, &interrupt,
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

/// Everything before the lock: plan, print the plan, check the server and
/// create the database and state collection the lock lives in. `None`
/// when there is nothing (more) to do; else the client and the changes
/// planned without the lock.
async fn prepare(
    args: &ApplyArgs,
    source: &Source<'_>,
    out: &Output,
    desired: &super::Desired,
    options: &plan::Options,
) -> Result<Option<(Client, Vec<crate::plan::Change>, Option<Server>)>, CliError> {
    let namespace = source.namespace;
    let client = super::connect(&args.connection).await?;
    let live = super::read_live(&client, namespace, &desired.loaded.state, None).await?;
    let whole = plan::diff(&desired.loaded.state, &live, options);
    // A saved plan was narrowed when it was made; --target does not
    // combine with --plan.
    let whole = if source.saved.is_none() {
        super::narrow(
            whole,
            &args.plan.targets,
            &desired.loaded.state,
            live.state.as_ref(),
        )?
    } else {
        whole
    };
    let computed = source.select(args, whole.clone(), &desired.loaded.state, &live)?;
    super::check_queries(&client, desired, &computed, namespace, out).await?;
    // The printed plan carries the risk; what is applied is `computed`.
    let shown = super::with_risk(&client, computed.clone(), &desired.loaded.state, &live).await;
    out.plan(&shown);
    if args.dry_run {
        return Ok(None);
    }
    // Functions the server cannot hold but the specs demand fail the
    // PostSync phase; the PreSync phase refuses too, before its writes,
    // so a sync that cannot finish does not start.
    refuse_demanded_functions(&whole, desired, namespace)?;
    if !computed.has_writes() {
        return Ok(None);
    }
    let blocked = computed.blocked().count();
    if blocked > 0 {
        return Err(CliError::runtime(format!(
            "refusing to apply: {blocked} change(s) are blocked (see BLOCKED above); nothing was changed"
        )));
    }
    check_write_access(&client, &args.connection).await?;

    // The lock lives in the database's state collection, so both must exist
    // before it can be taken; creating them is idempotent.
    let (setup, rest): (Vec<_>, Vec<_>) = computed
        .changes
        .iter()
        .cloned()
        .partition(|change| matches!(change.stage(), Stage::Database | Stage::StateCollection));
    if !setup.is_empty() {
        let setup_plan = Plan {
            changes: setup,
            notes: Vec::new(),
            ..computed.clone()
        };
        let report = crate::apply::execute(&client, &setup_plan, 1, super::progress()).await;
        if !report.succeeded() {
            return Err(failure(&report, &setup_plan));
        }
    }
    Ok(Some((client, rest, live.server)))
}

/// What the plan before the lock found: its changes (what the user saw)
/// and the server's facts, which a run reads once (they cannot change
/// while the server runs).
struct FirstPlan {
    changes: Vec<crate::plan::Change>,
    server: Option<Server>,
}

async fn apply_under_lock(
    client: &Client,
    source: &Source<'_>,
    desired: &super::Desired,
    options: &plan::Options,
    args: &ApplyArgs,
    first: FirstPlan,
    interrupt: &Interrupt,
) -> Result<ExitStatus, CliError> {
    let FirstPlan {
        changes: first_plan,
        server,
    } = first;
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
    // With a saved plan, the objects it touches are checked again here
    // (another run may have changed them while this one waited), all but
    // the database and state collection created before the lock.
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
            live.state.as_ref(),
        )?
    } else {
        fresh
    };
    let fresh = source.select(args, fresh, &desired.loaded.state, &live)?;
    if let Some(differences) = plan_differences(&first_plan, &fresh.changes) {
        // What differs may come from another run (it changed the database
        // while this one waited) or from what the first read could not see;
        // the log says what differs, not why.
        tracing::info!(
            summary = %super::summary_line(&fresh),
            differences = %differences,
            "the plan made under the lock differs from the plan shown"
        );
    }
    if fresh.blocked().count() > 0 {
        return Err(CliError::runtime(
            "refusing to apply: the plan made under the lock has blocked changes; run plan again to see them",
        ));
    }
    if !fresh.has_writes() {
        tracing::info!("nothing left to apply: another run made the same changes");
        return Ok(ExitStatus::Success);
    }
    let report = crate::apply::execute_until(
        client,
        &fresh,
        usize::from(args.concurrency),
        super::progress(),
        interrupt,
    )
    .await;
    for (address, answer) in &report.deferred {
        tracing::warn!(
            "{address} deferred: the server has too few vectors to train it on yet ({answer}); a later run creates it"
        );
    }
    if report.succeeded() {
        tracing::info!(
            changes = report.done.len(),
            summary = %super::summary_line(&fresh),
            "apply finished"
        );
        return Ok(ExitStatus::Success);
    }
    Err(failure(&report, &fresh))
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

/// Refuses a saved plan made from other specs than those in --dir.
fn check_specs_digest(
    args: &ApplyArgs,
    saved: &SavedPlan,
    desired: &super::Desired,
) -> Result<(), CliError> {
    let now = plan::saved::specs_digest(&desired.loaded.state);
    if now == saved.specs_digest {
        return Ok(());
    }
    let file = args
        .plan_file
        .as_ref()
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
    let overlay_now = SavedOverlay::of(args.spec.overlay.as_deref(), &desired.loaded);
    let what = match SavedOverlay::difference(saved.overlay.as_ref(), overlay_now.as_ref()) {
        Some(overlay) => {
            changed.insert(0, overlay);
            format!(
                "the specs in {} with this apply's overlay differ from those it was planned with",
                args.spec.dir.display()
            )
        }
        None => format!(
            "the specs in {} changed since it was planned",
            args.spec.dir.display()
        ),
    };
    Err(refusal(&file, &what, &changed))
}

fn failure(report: &crate::apply::Report, plan: &Plan) -> CliError {
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
            report.done.len(),
            plan.changes.len(),
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
            report.done.len(),
            plan.changes.len(),
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
async fn check_write_access(client: &Client, args: &ConnectionArgs) -> Result<(), CliError> {
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

/// How the plan made under the lock differs from the plan shown before it,
/// one `address: what` item per differing change (`newly planned`, `no
/// longer planned`, `now blocked: reason`, `no longer blocked`, `planned
/// differently: reason`), or `None` when they are the same.
fn plan_differences(first: &[plan::Change], fresh: &[plan::Change]) -> Option<String> {
    // A plan may hold two changes of one object (a view dropped before an
    // index it lists is replaced, and created again after): they are told
    // apart by their action.
    let find = |changes: &[plan::Change], like: &plan::Change| {
        changes
            .iter()
            .find(|change| change.address == like.address && change.action == like.action)
            .cloned()
    };
    let mut items = Vec::new();
    for change in fresh {
        let item = match find(first, change) {
            None => "newly planned".to_string(),
            Some(before) if before == *change => continue,
            Some(before) => match (&before.blocked, &change.blocked) {
                (None, Some(reason)) => format!("now blocked: {reason}"),
                (Some(_), None) => "no longer blocked".to_string(),
                _ => format!("planned differently: {}", change.reason),
            },
        };
        items.push(format!("{}: {item}", change.address));
    }
    for change in first {
        if find(fresh, change).is_none() {
            items.push(format!("{}: no longer planned", change.address));
        }
    }
    (!items.is_empty()).then(|| items.join("; "))
}

#[cfg(test)]
mod tests {
    use super::plan_differences;
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

    #[test]
    fn the_same_plan_has_no_differences() {
        let plan = vec![change("a", None), change("b", None)];
        assert_eq!(plan_differences(&plan, &plan.clone()), None);
        // One object dropped and created again: two changes, one address.
        let mut dropped = change("a", None);
        dropped.action = Action::Delete;
        let rebuilt = vec![dropped, change("a", None)];
        assert_eq!(plan_differences(&rebuilt, &rebuilt.clone()), None);
    }

    #[test]
    fn each_differing_change_is_named_with_what_differs() {
        let first = vec![change("a", None), change("b", None), change("gone", None)];
        let fresh = vec![
            change("a", Some("the analyzer x is missing")),
            change("b", None),
            change("new", None),
        ];
        assert_eq!(
            plan_differences(&first, &fresh).as_deref(),
            Some("collection a: now blocked: the analyzer x is missing; collection new: newly planned; collection gone: no longer planned")
        );
    }
}
