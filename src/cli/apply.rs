//! `arangosync apply`: plan, then carry the plan out.

use clap::{Args, ValueEnum};
use reqwest::Method;

use super::args::{ConnectionArgs, PlanArgs, SpecArgs};
use super::error::{CliError, ExitStatus};
use super::output::Output;
use crate::client::{encode_segment, Client};
use crate::plan::{self, Phase};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PhaseArg {
    /// Collections, indexes, schemas and graphs (an Argo CD PreSync hook).
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
    /// Print the plan and stop: the same as `arangosync plan`.
    #[arg(long)]
    pub dry_run: bool,
    /// Which part of the specs to apply.
    #[arg(long, value_enum, default_value_t = PhaseArg::All)]
    pub phase: PhaseArg,
    /// How many independent changes run at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    #[command(flatten)]
    pub plan: PlanArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

pub async fn run(args: &ApplyArgs, out: &Output) -> Result<ExitStatus, CliError> {
    let namespace = &args.plan.features.namespace;
    let desired = super::load_specs(&args.spec.dir, namespace, out)?;
    let options = args.connection.plan_options(&args.plan);
    let client = super::connect(&args.connection).await?;
    let live = super::read_live(&client, namespace).await?;
    let mut computed = plan::diff(&desired.loaded.state, &live, &options);
    match args.phase {
        PhaseArg::Pre => computed = computed.for_phase(Phase::Pre),
        PhaseArg::Post => computed = computed.for_phase(Phase::Post),
        PhaseArg::All => {}
    }
    super::check_queries(&client, &desired, &computed, namespace, out).await?;
    out.plan(&computed);
    if args.dry_run || !computed.has_writes() {
        return Ok(ExitStatus::Success);
    }
    let blocked = computed.blocked().count();
    if blocked > 0 {
        return Err(CliError::runtime(format!(
            "refusing to apply: {blocked} change(s) are blocked (see BLOCKED above); nothing was changed"
        )));
    }
    check_write_access(&client, &args.connection).await?;
    let report = crate::apply::execute(
        &client,
        &computed,
        usize::from(args.concurrency),
        super::progress(),
    )
    .await;
    if report.succeeded() {
        tracing::info!(summary = %super::summary_line(&computed), "apply finished");
        eprintln!(
            "Applied {} change(s): {}.",
            report.done.len(),
            super::summary_line(&computed)
        );
        return Ok(ExitStatus::Success);
    }
    let failures: Vec<String> = report
        .failed
        .iter()
        .map(|(address, err)| format!("{address}: {err}"))
        .collect();
    Err(CliError::runtime(format!(
        "apply failed after {} of {} change(s) ({} not started); re-run apply to converge:\n  {}",
        report.done.len(),
        computed.changes.len(),
        report.not_started.len(),
        failures.join("\n  ")
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
