//! Diagnostics: problems found in the input, collected rather than thrown,
//! each pointing at its source so the user can fix every one in one pass.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::{Serialize, Serializer};

/// A place in a spec file; line and column are 1-based.
///
/// The file is shared: every attribute of a spec file points at the same
/// path (a clone is a reference count, not a copy of the path). It
/// serializes as the path string, as a `PathBuf` would.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    #[serde(serialize_with = "serialize_path")]
    pub file: Arc<Path>,
    pub line: usize,
    pub column: usize,
}

/// A shared path as serde writes a `Path`: a string, or an error for a
/// path that is not UTF-8.
pub(crate) fn serialize_path<S: Serializer>(
    file: &Arc<Path>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    Path::serialize(file, serializer)
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable identifier for the kind of problem, e.g. `unknown-field`.
    pub code: &'static str,
    pub message: String,
    /// Where the problem is; `None` when it is not in any one file.
    pub location: Option<Location>,
    /// How to fix it, e.g. "did you mean `waitForSync`?".
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(
        code: &'static str,
        message: impl Into<String>,
        location: Option<Location>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            location,
            hint: None,
        }
    }

    pub fn warning(
        code: &'static str,
        message: impl Into<String>,
        location: Option<Location>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message, location)
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    /// `file:line:col: error[code]: message` and the hint on its own line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{severity}[{}]: {}", self.code, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// All problems found in one run, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sorts by file, line, column, so output order does not depend on the
    /// order files were walked or checks ran, and drops repeats: a problem
    /// inside an anchored value that aliases or merge keys reuse is one
    /// problem at one place.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            (&a.location, a.severity, a.code, &a.message).cmp(&(
                &b.location,
                b.severity,
                b.code,
                &b.message,
            ))
        });
        self.0.dedup();
    }

    /// Drops every `warning` diagnostic at a location that also has an
    /// `error` one: the error says all there is to say there (a `hash`
    /// index is refused for a 4.0 target, so the loader's "deprecated
    /// alias" warning at the same place would only repeat it). One
    /// diagnostic per location, the error.
    pub fn supersede(&mut self, error: &str, warning: &str) {
        let refused: Vec<Option<Location>> = self
            .0
            .iter()
            .filter(|d| d.severity == Severity::Error && d.code == error)
            .map(|d| d.location.clone())
            .collect();
        self.0.retain(|d| {
            !(d.severity == Severity::Warning
                && d.code == warning
                && d.location.is_some()
                && refused.contains(&d.location))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_supersedes_the_named_warning_at_its_location() {
        let here = Location {
            file: Path::new("users.yaml").into(),
            line: 10,
            column: 13,
        };
        let elsewhere = Location {
            line: 20,
            ..here.clone()
        };
        let mut diagnostics = Diagnostics(vec![
            Diagnostic::error("version-unsupported", "removed", Some(here.clone())),
            Diagnostic::warning("deprecated-index-type", "alias", Some(here.clone())),
            Diagnostic::warning("other-warning", "kept", Some(here.clone())),
            Diagnostic::warning("deprecated-index-type", "alias", Some(elsewhere)),
        ]);
        diagnostics.supersede("version-unsupported", "deprecated-index-type");
        let left: Vec<(&str, usize)> = diagnostics
            .0
            .iter()
            .map(|d| (d.code, d.location.as_ref().map_or(0, |l| l.line)))
            .collect();
        assert_eq!(
            left,
            [
                ("version-unsupported", 10),
                ("other-warning", 10),
                ("deprecated-index-type", 20)
            ]
        );
    }
}
