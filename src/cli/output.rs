//! Writing results to stdout in the chosen format. A closed pipe (`| head`)
//! is a normal end, not an error.

use std::io::{IsTerminal, Write};

use super::args::Format;
use crate::diag::Diagnostics;
use crate::plan::Plan;
use crate::render::{self, Style};

pub struct Output {
    pub format: Format,
    /// Log lines are JSON: diagnostics on stderr must be too.
    json_logs: bool,
    style: Style,
    stderr_style: Style,
}

impl Output {
    pub fn new(format: Format, json_logs: bool) -> Output {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        Output {
            format,
            json_logs,
            style: Style {
                color: !no_color && std::io::stdout().is_terminal(),
            },
            stderr_style: Style {
                color: !no_color && std::io::stderr().is_terminal(),
            },
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
            Format::Markdown => self.print(&render::plan_markdown(plan)),
        }
    }

    /// Diagnostics: JSON on stdout for `--format json`, text on stderr otherwise.
    pub fn diagnostics(&self, diagnostics: &Diagnostics) {
        match self.format {
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
