//! `arangosync validate`: check a spec tree offline and report every problem.

use clap::Args;

use super::args::SpecArgs;
use super::error::{CliError, ExitStatus};
use super::output::Output;

/// Check the specs without connecting to a database: load every file,
/// validate it, report every problem with file:line:column.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    #[command(flatten)]
    pub features: super::args::FeatureArgs,
    #[command(flatten)]
    pub target: super::args::TargetArgs,
}

pub fn run(args: &ValidateArgs, out: &Output) -> Result<ExitStatus, CliError> {
    let target = args.target.server();
    let desired = super::load_specs_for(
        &args.spec.dir,
        args.spec.overlay.as_deref(),
        &args.features.namespace,
        out,
        target.as_ref(),
    )?;
    let loaded = &desired.loaded;
    if out.format == super::Format::Json {
        if loaded.diagnostics.is_empty() {
            out.print(&format!(
                "{:#}\n",
                crate::render::diagnostics_json(&loaded.diagnostics)
            ));
        }
    } else {
        // Analyzers and views are counted only where there are some, so the
        // line of a tree without any reads as it always did.
        let counted = |count: usize, what: &str| match count {
            0 => String::new(),
            count => format!(", {count} {what}(s)"),
        };
        let analyzers = counted(loaded.state.analyzers.len(), "analyzer");
        let views = counted(loaded.state.views.len(), "view");
        out.print(&format!(
            "{} is valid: {} collection(s), {} graph(s){analyzers}{views}, {} feature function(s) in {} file(s).\n",
            args.spec.dir.display(),
            loaded.state.collections.len(),
            loaded.state.graphs.len(),
            loaded.state.functions.len(),
            loaded.files.len() + loaded.transformations.len()
        ));
    }
    Ok(ExitStatus::Success)
}
