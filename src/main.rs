//! The `arangosync` binary: parse flags, set up logging, run the command,
//! turn the outcome into an exit status. Errors are rendered here, once.

use std::io::IsTerminal;
use std::process::ExitCode;

use arangosync::cli::{self, CliError, ExitStatus, LogFormat};
use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // --help and --version are successes; anything else is a usage
            // error, which is invalid input (exit 3), never clap's 2: that
            // status means "changes pending".
            let _ = err.print();
            let status = if err.use_stderr() {
                ExitStatus::InvalidInput
            } else {
                ExitStatus::Success
            };
            return ExitCode::from(status.code());
        }
    };
    init_logging(&cli.output);
    let json_logs = cli.output.log_format == LogFormat::Json;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            report_error(&format!("cannot start the async runtime: {err}"));
            return ExitCode::from(ExitStatus::Failure.code());
        }
    };
    match runtime.block_on(cli::run(cli)) {
        Ok(status) => ExitCode::from(status.code()),
        Err(err) => {
            // For invalid specs the diagnostics themselves were printed already.
            let message = match &err {
                CliError::InvalidSpecs(summary, _) => summary.clone(),
                other => other.to_string(),
            };
            if json_logs {
                tracing::error!(exit_status = err.exit_status().code(), "{message}");
            } else {
                report_error(&message);
            }
            ExitCode::from(err.exit_status().code())
        }
    }
}

/// Writes `error: MESSAGE` to stderr. A stderr nobody reads any more (a
/// closed pipe) is no reason to change the exit status, so a failed write
/// is ignored (`eprintln!` would panic, exit 101).
fn report_error(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "error: {message}");
}

fn init_logging(output: &cli::OutputArgs) {
    let level = match (output.quiet, output.verbose) {
        (true, _) => "error",
        (false, 0) => "info",
        (false, 1) => "debug",
        (false, _) => "trace",
    };
    let filter = EnvFilter::try_from_env("ARANGOSYNC_LOG")
        .unwrap_or_else(|_| EnvFilter::new(format!("warn,arangosync={level}")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Stderr, around the progress bar when apply draws one.
        .with_writer(cli::progress::log_writer)
        .with_ansi(cli::output::colour_allowed() && std::io::stderr().is_terminal())
        .with_target(false)
        // A log line that cannot be written (stderr closed) is dropped:
        // tracing would otherwise report it with `eprintln!`, which
        // panics on a closed stderr and turns any status into 101.
        .log_internal_errors(false);
    match output.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.without_time().init(),
    }
}
