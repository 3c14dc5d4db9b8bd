//! The plan as Markdown, for a pull-request comment: a table of the
//! changes, then each changed object's changed paths as a `diff` block
//! (collapsed when long).

use std::fmt::Write;

use super::Summary;
use crate::plan::{Change, FieldChange, Plan};

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
        if let Some(risk) = &change.risk {
            for warning in &risk.warnings {
                why.push_str(&format!(" :warning: {}.", escape(warning)));
            }
            if let Some(hint) = &risk.hint {
                why.push_str(&format!(" *Hint: {}.*", escape(hint)));
            }
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
        let _ = writeln!(out, "\n#### Changed attributes");
        for change in detailed {
            diff_block(change, &mut out);
        }
    }
    notes_markdown(plan, &mut out);
    out
}

/// Above this many diff lines a change's block is collapsed.
const COLLAPSE_ABOVE: usize = 20;

/// One change's changed paths as a `diff` block: `-` the old value, `+`
/// the new one, a path absent on one side only on the other side's line.
/// Collapsed in `<details>` when longer than [`COLLAPSE_ABOVE`] lines.
fn diff_block(change: &Change, out: &mut String) {
    let mut lines = Vec::new();
    for path in change.fields.iter().flat_map(FieldChange::paths) {
        if let Some(before) = &path.before {
            lines.push(format!("- {}: {}", path.path, before));
        }
        if let Some(after) = &path.after {
            lines.push(format!("+ {}: {}", path.path, after));
        }
    }
    let title = format!("{} {}", change.action.symbol(), change.address);
    // A fence longer than any backtick run in the values keeps it closed.
    let fence = "`".repeat(3.max(longest_backtick_run(&lines) + 1));
    let collapsed = lines.len() > COLLAPSE_ABOVE;
    if collapsed {
        let _ = writeln!(
            out,
            "\n<details><summary><code>{}</code>: {} changed lines</summary>\n",
            escape_html(&title),
            lines.len()
        );
    } else {
        let _ = writeln!(out, "\n`{title}`\n");
    }
    let _ = writeln!(out, "{fence}diff");
    for line in &lines {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "{fence}");
    if collapsed {
        let _ = writeln!(out, "\n</details>");
    }
}

fn longest_backtick_run(lines: &[String]) -> usize {
    lines
        .iter()
        .flat_map(|line| line.split(|c| c != '`'))
        .map(str::len)
        .max()
        .unwrap_or(0)
}

/// Keeps an address literal inside HTML (`<summary>`).
fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
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

#[cfg(test)]
mod tests {
    use serde_json::{json, Map, Value};

    use super::*;
    use crate::plan::{Action, Address, Compare};

    fn plan_with(fields: Vec<FieldChange>) -> Plan {
        Plan {
            format_version: crate::plan::FORMAT_VERSION,
            database: "features".into(),
            changes: vec![Change {
                address: Address::Collection("users".into()),
                action: Action::Update,
                reason: "schema changed".into(),
                fields,
                steps: vec![],
                blocked: None,
                destructive: false,
                risk: None,
            }],
            notes: vec![],
            server: None,
            targets: vec![],
        }
    }

    /// A schema whose properties `p0`..`p{count}` change type.
    fn schema_change(count: usize, text: &str) -> FieldChange {
        let properties = |kind: &str| -> Value {
            let mut map = Map::new();
            for index in 0..count {
                map.insert(format!("p{index}"), json!({"type": kind}));
            }
            Value::Object(map)
        };
        FieldChange {
            field: "schema".into(),
            before: json!({"rule": {"properties": properties("string")}, "message": "old"}),
            after: json!({"rule": {"properties": properties("number")}, "message": text}),
            compare: Compare::Exact,
        }
    }

    #[test]
    fn a_short_diff_is_an_open_diff_block() {
        let markdown = plan_markdown(&plan_with(vec![FieldChange {
            field: "computedValues".into(),
            before: json!([{"name": "a", "expression": "RETURN 1"}]),
            after: json!([{"name": "a", "expression": "RETURN 2"}, {"name": "b"}]),
            compare: Compare::Exact,
        }]));
        assert!(
            markdown.ends_with(
                "#### Changed attributes\n\n`~ collection users`\n\n```diff\n\
                 - computedValues[name=a].expression: \"RETURN 1\"\n\
                 + computedValues[name=a].expression: \"RETURN 2\"\n\
                 + computedValues[name=b]: {\"name\":\"b\"}\n```\n"
            ),
            "{markdown}"
        );
    }

    #[test]
    fn a_long_diff_is_collapsed() {
        // 10 paths of two lines each, and the message: 22 lines.
        let markdown = plan_markdown(&plan_with(vec![schema_change(10, "new")]));
        assert!(
            markdown.contains(
                "\n<details><summary><code>~ collection users</code>: 22 changed lines</summary>\n\n```diff\n- schema.rule.properties.p0.type: \"string\"\n"
            ),
            "{markdown}"
        );
        assert!(markdown.ends_with("```\n\n</details>\n"), "{markdown}");
        // 20 lines stay open.
        let open = plan_markdown(&plan_with(vec![schema_change(9, "new")]));
        assert!(!open.contains("<details>"), "{open}");
    }

    #[test]
    fn backticks_in_values_cannot_close_the_block() {
        let markdown = plan_markdown(&plan_with(vec![schema_change(1, "use ``` here")]));
        assert!(markdown.contains("````diff\n"), "{markdown}");
        assert!(markdown.ends_with("\n````\n"), "{markdown}");
    }
}
