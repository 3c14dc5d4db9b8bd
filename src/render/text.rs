//! The plan and diagnostics as text for a terminal, coloured when the
//! output is one and `NO_COLOR` is unset.

use std::fmt::Write;

use serde_json::Value;

use super::Summary;
use crate::diag::{Diagnostics, Severity};
use crate::plan::{Action, FieldChange, PathChange, Plan};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

fn action_color(action: Action) -> &'static str {
    match action {
        Action::Create => "32",
        Action::Update => "33",
        Action::Replace => "35",
        Action::Delete => "31",
    }
}

/// How a side of a changed path where the path does not exist is shown (a
/// present `null` shows as `null`).
const ABSENT: &str = "(absent)";

/// `path: before -> after`, the old value red and the new one green (an
/// absent side dim) when coloured.
fn path_line(change: &PathChange, style: Style) -> String {
    let side = |value: Option<&Value>, color: &str| match value {
        Some(value) => style.paint(color, &value.to_string()),
        None => style.paint("2", ABSENT),
    };
    format!(
        "{}: {} -> {}",
        change.path,
        side(change.before.as_ref(), "31"),
        side(change.after.as_ref(), "32")
    )
}

/// `path: value`, one attribute of a created object's definition (the
/// value green when coloured).
fn definition_line(change: &PathChange, style: Style) -> String {
    let value = change.after.as_ref().map_or_else(
        || ABSENT.to_string(),
        |value| style.paint("32", &value.to_string()),
    );
    format!("{}: {value}", change.path)
}

pub fn plan_text(plan: &Plan, style: Style) -> String {
    let mut out = String::new();
    if plan.changes.is_empty() {
        let _ = writeln!(
            out,
            "No changes: database \"{}\" matches the specs.",
            plan.database
        );
        partial_text(plan, &mut out);
        warnings_text(plan, style, &mut out);
        notes_text(plan, &mut out);
        return out;
    }
    // The server the plan was computed against, once, where it can
    // matter: a plan with nothing to do needs no server.
    let server = plan
        .server
        .as_ref()
        .map(|server| format!(" on {server}"))
        .unwrap_or_default();
    let _ = writeln!(out, "Plan for database \"{}\"{server}:", plan.database);
    partial_text(plan, &mut out);
    out.push('\n');
    for change in &plan.changes {
        let symbol = format!("{:>3}", change.action.symbol());
        let _ = writeln!(
            out,
            "{} {} {}",
            style.paint(action_color(change.action), &symbol),
            change.address,
            style.paint("2", &format!("({})", change.action.as_str()))
        );
        let _ = writeln!(out, "      {}", change.reason);
        for path in change.shown_fields().iter().flat_map(FieldChange::paths) {
            let line = match change.action {
                Action::Create => definition_line(&path, style),
                _ => path_line(&path, style),
            };
            let _ = writeln!(out, "      {line}");
        }
        let counted = change
            .risk
            .as_ref()
            .is_some_and(|risk| risk.documents.is_some());
        if change.destructive && !counted {
            let _ = writeln!(
                out,
                "      {}",
                style.paint(
                    "31",
                    "! destroys data: the documents in this collection are deleted"
                )
            );
        }
        if let Some(risk) = &change.risk {
            for warning in &risk.warnings {
                let _ = writeln!(out, "      {}", style.paint("31", &format!("! {warning}")));
            }
            if let Some(hint) = &risk.hint {
                let _ = writeln!(out, "      {}", style.paint("36", &format!("hint: {hint}")));
            }
            for checked in &risk.checked {
                let _ = writeln!(out, "      {}", style.paint("32", checked));
            }
        }
        if let Some(blocked) = &change.blocked {
            let _ = writeln!(
                out,
                "      {}",
                style.paint("1;31", &format!("BLOCKED: {blocked}"))
            );
        }
    }
    let _ = writeln!(out, "\nPlan: {}.", Summary::of(plan).sentence());
    warnings_text(plan, style, &mut out);
    notes_text(plan, &mut out);
    out
}

/// The line a `--target` plan carries, saying it is partial.
pub(super) fn partial_line(plan: &Plan) -> Option<String> {
    (!plan.targets.is_empty()).then(|| {
        format!(
            "Partial plan: only {} and what they depend on (--target).",
            plan.targets.join(", ")
        )
    })
}

fn partial_text(plan: &Plan, out: &mut String) {
    if let Some(line) = partial_line(plan) {
        let _ = writeln!(out, "{line}");
    }
}

/// The lineage warnings (`plan::lineage`): one `WARN` line each, yellow
/// on a terminal.
fn warnings_text(plan: &Plan, style: Style, out: &mut String) {
    if plan.warnings.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nWarnings (what registered features read):");
    for warning in &plan.warnings {
        let _ = writeln!(out, "  {} {}", style.paint("33", "WARN"), warning.message);
    }
}

fn notes_text(plan: &Plan, out: &mut String) {
    if plan.notes.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nNotes (not changes):");
    for note in &plan.notes {
        let _ = writeln!(out, "  {}: {}", note.address, note.message);
    }
}

pub fn diagnostics_text(diagnostics: &Diagnostics, style: Style) -> String {
    let mut out = String::new();
    for diagnostic in &diagnostics.0 {
        let rendered = diagnostic.to_string();
        let painted = match diagnostic.severity {
            Severity::Error => style.paint("31", &rendered),
            Severity::Warning => style.paint("33", &rendered),
        };
        let _ = writeln!(out, "{painted}");
    }
    let errors = diagnostics
        .0
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diagnostics.0.len() - errors;
    let _ = writeln!(out, "{errors} error(s), {warnings} warning(s)");
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::plan::Compare;

    use super::super::tests::plan_with;

    fn schema_change() -> FieldChange {
        FieldChange {
            field: "schema".into(),
            before: json!({"rule": {"properties": {"email": {"type": "string"}, "age": {"type": "integer"}}},
                           "message": null}),
            after: json!({"rule": {"properties": {"email": {"type": "string", "format": "email"},
                                                  "age": {"type": "number"}}}}),
            compare: Compare::Exact,
        }
    }

    #[test]
    fn one_line_per_changed_path_absent_and_null_apart() {
        let text = plan_text(&plan_with(vec![schema_change()]), Style { color: false });
        assert_eq!(
            text,
            "Plan for database \"features\":\n\n  \
             ~ collection users (update)\n      \
             schema changed\n      \
             schema.rule.properties.email.format: (absent) -> \"email\"\n      \
             schema.rule.properties.age.type: \"integer\" -> \"number\"\n      \
             schema.message: null -> (absent)\n\n\
             Plan: 0 to create, 1 to update, 0 to replace, 0 to delete.\n"
        );
    }

    #[test]
    fn on_a_terminal_old_values_are_red_new_ones_green_absent_dim() {
        let text = plan_text(&plan_with(vec![schema_change()]), Style { color: true });
        assert!(
            text.contains(
                "schema.rule.properties.email.format: \x1b[2m(absent)\x1b[0m -> \x1b[32m\"email\"\x1b[0m\n"
            ),
            "{text:?}"
        );
        assert!(
            text.contains(
                "schema.rule.properties.age.type: \x1b[31m\"integer\"\x1b[0m -> \x1b[32m\"number\"\x1b[0m\n"
            ),
            "{text:?}"
        );
    }

    #[test]
    fn a_create_shows_its_definition_as_path_value_lines() {
        let mut plan = plan_with(vec![FieldChange {
            field: "schema".into(),
            before: Value::Null,
            after: json!({"rule": {"properties": {"email": {"type": "string"}}}}),
            compare: Compare::Definition,
        }]);
        plan.changes[0].action = Action::Create;
        plan.changes[0].reason = "not in the database".into();
        let text = plan_text(&plan, Style { color: false });
        assert!(
            text.contains(
                "  + collection users (create)\n      not in the database\n      \
                 schema.rule.properties.email.type: \"string\"\n\n"
            ),
            "{text}"
        );
    }
}
