//! Writing results to stdout in the chosen format. A closed pipe (`| head`)
//! is a normal end, not an error.

use std::io::{IsTerminal, Write};

use super::args::Format;
use crate::diag::Diagnostics;
use crate::plan::Plan;
use crate::render::{self, Style};

/// Cheap to clone (a few flags and the Markdown limits): the spec load,
/// which prints its diagnostics, runs on a thread of its own.
#[derive(Clone)]
pub struct Output {
    pub format: Format,
    /// Log lines are JSON: diagnostics on stderr must be too.
    json_logs: bool,
    style: Style,
    stderr_style: Style,
    /// How to cut a Markdown plan (`--markdown-max-bytes`,
    /// `--markdown-full-plan-url`).
    markdown: render::MarkdownLimits,
    /// A result (the plan) follows on stdout when the diagnostics hold no
    /// error: JSON warnings then go to stderr, so stdout is one object.
    result_follows: bool,
}

/// Whether escape codes may colour output at all: `NO_COLOR` is unset or
/// empty (no-color.org) and the terminal is not `TERM=dumb`, which cannot
/// show them. Each stream still colours only when it is a terminal.
pub fn colour_allowed() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    let dumb = std::env::var_os("TERM").is_some_and(|term| term == "dumb");
    !no_color && !dumb
}

impl Output {
    pub fn new(format: Format, json_logs: bool) -> Output {
        let colour = colour_allowed();
        Output {
            format,
            json_logs,
            style: Style {
                color: colour && std::io::stdout().is_terminal(),
            },
            stderr_style: Style {
                color: colour && std::io::stderr().is_terminal(),
            },
            markdown: render::MarkdownLimits::default(),
            result_follows: false,
        }
    }

    /// The same output for a command whose result (a plan) follows its
    /// diagnostics: `plan` and `apply`.
    pub fn with_result_after_warnings(self) -> Output {
        Output {
            result_follows: true,
            ..self
        }
    }

    /// The same output, with Markdown plans cut to `limits`.
    pub fn with_markdown_limits(self, limits: render::MarkdownLimits) -> Output {
        Output {
            markdown: limits,
            ..self
        }
    }

    pub fn print(&self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        // A reader that went away (broken pipe) wants no more output.
        let _ = stdout.write_all(text.as_bytes());
        let _ = stdout.flush();
    }

    pub fn plan(&self, plan: &Plan) {
        match self.format {
            Format::Text => self.print(&render::plan_text(plan, self.style)),
            Format::Json => self.print(&format!("{:#}\n", render::plan_json(plan))),
            Format::Markdown => self.print(&render::plan_markdown_limited(plan, &self.markdown)),
        }
    }

    /// With `--log-format json`, the last log line of `plan`: what a
    /// scheduled drift check alerts on. Fields (under `fields`):
    /// `message` "plan finished", `database`, `exit_status` (2: changes
    /// pending with --detailed-exitcode), `changes` (count), `create`,
    /// `update`, `replace`, `delete`, `blocked` (counts), `addresses`
    /// (the changed addresses, `action kind/name`, comma-separated; empty
    /// when none), `partial` (whether --target narrowed the plan). Text
    /// logs print nothing: the plan on stdout ends with the summary.
    pub fn plan_finished(&self, plan: &Plan, status: super::error::ExitStatus) {
        if !self.json_logs {
            return;
        }
        let summary = render::Summary::of(plan);
        let addresses: Vec<String> =
            plan.changes
                .iter()
                .map(|change| {
                    let address = crate::plan::targets::target_text(&change.address)
                        .unwrap_or_else(|| match &change.address {
                            crate::plan::Address::Database(name) => format!("database/{name}"),
                            crate::plan::Address::StateCollection => {
                                format!("collection/{}", crate::ownership::STATE_COLLECTION)
                            }
                            other => other.to_string(),
                        });
                    format!("{} {address}", change.action.as_str())
                })
                .collect();
        tracing::info!(
            database = %plan.database,
            exit_status = status.code(),
            changes = plan.changes.len(),
            create = summary.create,
            update = summary.update,
            replace = summary.replace,
            delete = summary.delete,
            blocked = summary.blocked,
            addresses = %addresses.join(", "),
            partial = !plan.targets.is_empty(),
            "plan finished"
        );
    }

    /// Diagnostics: JSON on stdout for `--format json`, text on stderr otherwise.
    pub fn diagnostics(&self, diagnostics: &Diagnostics) {
        match self.format {
            Format::Json if self.result_follows && !diagnostics.has_errors() => {
                let mut stderr = std::io::stderr().lock();
                let _ = writeln!(stderr, "{:#}", render::diagnostics_json(diagnostics));
            }
            Format::Json => self.print(&format!("{:#}\n", render::diagnostics_json(diagnostics))),
            Format::Text | Format::Markdown if self.json_logs => {
                for diagnostic in &diagnostics.0 {
                    let location = diagnostic
                        .location
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default();
                    let hint = diagnostic.hint.as_deref().unwrap_or("");
                    match diagnostic.severity {
                        crate::diag::Severity::Error => {
                            tracing::error!(
                                code = diagnostic.code,
                                location,
                                hint,
                                "{}",
                                diagnostic.message
                            )
                        }
                        crate::diag::Severity::Warning => {
                            tracing::warn!(
                                code = diagnostic.code,
                                location,
                                hint,
                                "{}",
                                diagnostic.message
                            )
                        }
                    }
                }
            }
            Format::Text | Format::Markdown => {
                let _ = std::io::stderr()
                    .write_all(render::diagnostics_text(diagnostics, self.stderr_style).as_bytes());
            }
        }
    }
}
