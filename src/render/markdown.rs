//! The plan as Markdown, for a pull-request comment.

use std::fmt::Write;

use super::text::show;
use super::Summary;
use crate::plan::Plan;

pub fn plan_markdown(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### arangosync plan for `{}`\n", plan.database);
    if let Some(line) = super::text::partial_line(plan) {
        let _ = writeln!(out, "{}\n", escape(&line));
    }
    if plan.changes.is_empty() {
        let _ = writeln!(out, "No changes: the database matches the specs.");
        notes_markdown(plan, &mut out);
        return out;
    }
    let _ = writeln!(out, "**{}.**\n", Summary::of(plan).sentence());
    if let Some(server) = &plan.server {
        let _ = writeln!(out, "Server: {}.\n", escape(&server.to_string()));
    }
    let _ = writeln!(out, "| | change | why |");
    let _ = writeln!(out, "|---|---|---|");
    for change in &plan.changes {
        let mut why = escape(&change.reason);
        if change.destructive {
            why.push_str(" **Destroys data.**");
        }
        if let Some(blocked) = &change.blocked {
            why.push_str(&format!(" :no_entry: **Blocked:** {}", escape(blocked)));
        }
        let _ = writeln!(
            out,
            "| `{}` | {} {} | {} |",
            change.action.symbol(),
            change.action.as_str(),
            escape(&change.address.to_string()),
            why
        );
    }
    let detailed: Vec<_> = plan
        .changes
        .iter()
        .filter(|change| !change.fields.is_empty())
        .collect();
    if !detailed.is_empty() {
        let _ = writeln!(
            out,
            "\n<details><summary>Field changes</summary>\n\n```diff"
        );
        for change in detailed {
            let _ = writeln!(out, "# {}", change.address);
            for field in &change.fields {
                let _ = writeln!(out, "- {}: {}", field.field, show(&field.before));
                let _ = writeln!(out, "+ {}: {}", field.field, show(&field.after));
            }
        }
        let _ = writeln!(out, "```\n\n</details>");
    }
    notes_markdown(plan, &mut out);
    out
}

fn notes_markdown(plan: &Plan, out: &mut String) {
    if plan.notes.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nNotes:\n");
    for note in &plan.notes {
        let _ = writeln!(
            out,
            "- {}: {}",
            escape(&note.address.to_string()),
            escape(&note.message)
        );
    }
}

/// Keeps table cells intact: pipes and line breaks would end the cell.
fn escape(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
