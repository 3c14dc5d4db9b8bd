//! `arangosync plan` (alias `diff`): show what apply would change.

use std::path::PathBuf;

use clap::Args;

use super::args::{ConnectionArgs, PlanArgs, SpecArgs};
use super::error::{CliError, ExitStatus};
use super::output::Output;
use crate::model::State;
use crate::plan::{self, Live, Ownership};

/// Read the live database (or a second spec tree), compare, print the plan.
/// Writes nothing.
#[derive(Debug, Args)]
pub struct PlanCommandArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    /// Compare with this spec tree instead of a database (e.g. the base
    /// branch of a pull request); needs no database or credentials. Every
    /// object in it counts as created by arangosync. `--overlay` applies to
    /// this tree too.
    #[arg(long, value_name = "DIR")]
    pub offline_from: Option<PathBuf>,
    /// The overlay for the --offline-from tree when it differs from
    /// --overlay (e.g. the base branch's copy of the environment's overlay,
    /// so a pull request that changes the overlay shows its effect).
    /// Without it the --offline-from tree gets --overlay.
    #[arg(long, value_name = "DIR", requires = "offline_from")]
    pub offline_overlay: Option<PathBuf>,
    /// Also save the plan to FILE for `apply --plan FILE`: the plan, a
    /// digest of the specs (and of --overlay), and a fingerprint of every
    /// live object it touches or depends on (no credentials). The apply
    /// refuses when any of them changed.
    #[arg(long, value_name = "FILE", conflicts_with = "offline_from")]
    pub out: Option<PathBuf>,
    /// Exit with status 2 when there are changes (0 when there are none),
    /// or 1 when any change is blocked: apply would refuse that plan.
    #[arg(long)]
    pub detailed_exitcode: bool,
    #[command(flatten)]
    pub target: super::args::TargetArgs,
    #[command(flatten)]
    pub plan: PlanArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

pub async fn run(args: &PlanCommandArgs, out: &Output) -> Result<ExitStatus, CliError> {
    args.plan.check_target_syntax()?;
    let namespace = &args.plan.features.namespace;
    // With a database too, the specs are held to the target before
    // connecting; the live server then gates the plan by its own facts.
    let target = args.target.server();
    let mut options = args.connection.plan_options(&args.plan);
    options.offline = args.offline_from.is_some();
    let computed = match &args.offline_from {
        Some(base_dir) => {
            let desired = super::load_specs_for(
                &args.spec.dir,
                args.spec.overlay.as_deref(),
                namespace,
                out,
                target.as_ref(),
            )?;
            // The base tree gets the same overlay unless told otherwise: the
            // plan then shows what the change does in this environment, not
            // the overlay itself.
            let base_overlay = args
                .offline_overlay
                .as_deref()
                .or(args.spec.overlay.as_deref());
            let borrowed = args.offline_overlay.is_none() && base_overlay.is_some();
            let base = super::load_offline_base(base_dir, base_overlay, borrowed, namespace, out)?;
            let live = offline_live(base.loaded.state, target);
            let computed = plan::diff(&desired.loaded.state, &live, &options);
            let mut computed = super::narrow(
                computed,
                &args.plan.targets,
                &desired.loaded.state,
                &live,
                &options,
            )?;
            // No server to count on: every count is "unknown offline".
            let assessments =
                plan::risk::assess(&computed, &desired.loaded.state, live.state.as_ref());
            plan::risk::attach(
                &mut computed,
                &assessments,
                &Default::default(),
                &plan::risk::Count::Offline,
            );
            computed
        }
        None => {
            // The specs load while the run connects and reads.
            let source = super::SpecSource {
                target,
                ..super::SpecSource::new(&args.spec, namespace)
            };
            // A first plan's query checks go out beside the read, unless
            // --target may leave features out of the plan.
            let ahead = super::Ahead {
                queries: args.plan.targets.is_empty(),
                access: false,
            };
            let super::Started {
                desired,
                client,
                live,
                mut ahead,
            } = super::start(source, |_| Ok(()), &args.connection, out, None, ahead).await?;
            let computed = plan::diff(&desired.loaded.state, &live, &options);
            let computed = super::narrow(
                computed,
                &args.plan.targets,
                &desired.loaded.state,
                &live,
                &options,
            )?;
            super::check_queries(&client, &desired, &computed, namespace, out, &mut ahead).await?;
            if let Some(file) = &args.out {
                let saved = super::saved::SavedPlan::new(
                    &computed,
                    &live,
                    &desired.loaded.state,
                    super::saved::SavedOptions::of(&options, namespace),
                    super::saved::SavedOverlay::of(args.spec.overlay.as_deref(), &desired.loaded),
                );
                saved.write(file)?;
                tracing::info!(file = %file.display(), "plan saved");
            }
            // After saving: the saved plan is what apply re-plans against,
            // and the counts are for the reviewer.
            super::with_risk(&client, computed, &desired.loaded.state, &live, false).await
        }
    };
    out.plan(&computed);
    let status = ExitStatus::of_plan(&computed, args.detailed_exitcode);
    let blocked = computed.blocked().count();
    if status == ExitStatus::Failure && blocked > 0 {
        // Before "plan finished", which stays the last log line.
        tracing::error!(
            blocked,
            "{blocked} change(s) of this plan are blocked (marked BLOCKED in the plan); apply would refuse it"
        );
    }
    out.plan_finished(&computed, status);
    Ok(status)
}

/// A base spec tree as if arangosync had applied it: everything in it exists
/// and is owned.
/// `target`: the `--target-version` server, which gates the plan like a
/// live server's facts would.
fn offline_live(base: State, target: Option<crate::server::Server>) -> Live {
    let mut owned = Ownership::default();
    for (name, collection) in &base.collections {
        owned.collections.insert(name.clone());
        for index in &collection.indexes {
            if let Some(index_name) = &index.name {
                owned.indexes.insert((name.clone(), index_name.clone()));
            }
        }
    }
    owned.graphs.extend(base.graphs.keys().cloned());
    owned.analyzers.extend(base.analyzers.keys().cloned());
    owned.views.extend(base.views.keys().cloned());
    let base_views = base.views.keys().cloned().collect();
    Live {
        system_analyzers: Default::default(),
        state: Some(base),
        owned,
        has_state_collection: true,
        views: base_views,
        analyzers: None,
        pending: Vec::new(),
        server: target,
        document_counts: Default::default(),
    }
}
