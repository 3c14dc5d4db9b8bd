//! The plan as Markdown, for a pull-request comment: a table of the
//! changes, then each changed object's changed paths as a `diff` block
//! (collapsed when long), then each created object's definition as a
//! `diff` block of `+` lines (all collapsed together when there are many).
//!
//! A comment has a size limit (GitHub refuses a comment body over 65,536
//! characters), so [`plan_markdown_limited`] cuts the plan to fit: the
//! heading and summary stay, every blocked or destructive change stays in
//! full, other changes follow in plan order as long as they fit, and a
//! closing notice counts what was left out and says where the full plan
//! is. The output is assembled from whole pieces (a table row, a `diff`
//! block, a note), never cut inside one, so every fence and `<details>`
//! it opens is closed.

use std::fmt::Write;

use super::Summary;
use crate::plan::{Action, Change, FieldChange, Plan};

/// GitHub's limit for an issue or pull-request comment body: 65,536
/// characters (the API answers "body is too long (maximum is 65536
/// characters)"). A byte limit of the same number is at least as strict,
/// since a character is one or more bytes of UTF-8.
pub const GITHUB_COMMENT_MAX: usize = 65_536;

/// The smallest byte limit [`plan_markdown_limited`] honours: room for the
/// heading, the summary and the notice.
pub const MIN_MAX_BYTES: usize = 4_096;

/// How to cut the Markdown plan for a comment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MarkdownLimits {
    /// The most bytes (UTF-8) the output may take; `None` for no limit.
    /// Values under [`MIN_MAX_BYTES`] are treated as [`MIN_MAX_BYTES`].
    pub max_bytes: Option<usize>,
    /// Where the whole plan can be read (e.g. a CI artifact), linked from
    /// the notice of a cut plan; an absolute http(s) URL without `<`, `>`
    /// or whitespace (the CLI checks it).
    pub full_plan_url: Option<String>,
}

/// The whole plan as Markdown, however long.
pub fn plan_markdown(plan: &Plan) -> String {
    let parts = Parts::of(plan);
    parts.assemble(&Selection::all(&parts), None)
}

/// The plan as Markdown within `limits`: the whole plan when it fits, else
/// the cut described in the module note, never over `limits.max_bytes`
/// (unless even the heading, summary and notice alone are longer).
pub fn plan_markdown_limited(plan: &Plan, limits: &MarkdownLimits) -> String {
    let parts = Parts::of(plan);
    let full = parts.assemble(&Selection::all(&parts), None);
    let Some(max) = limits.max_bytes.map(|max| max.max(MIN_MAX_BYTES)) else {
        return full;
    };
    if full.len() <= max {
        return full;
    }
    let cut = Cut {
        max,
        total_changes: plan.changes.len(),
        url: limits.full_plan_url.as_deref(),
    };
    let mut selection = parts.select(&cut);
    let text = fit(&parts, &mut selection, &cut);
    // The reserve for the frame was generous: what it left over takes
    // more pieces, within a smaller margin for the frame they may add.
    let slack = max.saturating_sub(text.len());
    if slack <= REFILL_MARGIN {
        return text;
    }
    parts.fill(&mut selection, slack - REFILL_MARGIN);
    fit(&parts, &mut selection, &cut)
}

/// The selection assembled, dropping the last chosen pieces until it is
/// within the cut's limit (or nothing is left to drop).
fn fit(parts: &Parts, selection: &mut Selection, cut: &Cut) -> String {
    loop {
        let text = parts.assemble(selection, Some(cut));
        if text.len() <= cut.max || !selection.drop_last() {
            return text;
        }
    }
}

/// Bytes kept free when refilling: what a table split, a `<details>`
/// wrapper or a section heading added by the new pieces may take.
const REFILL_MARGIN: usize = 256;

/// More rows than this and the table is split: blocked or destructive
/// changes in an open table, the others in a collapsed one.
const TABLE_OPEN_MAX: usize = 30;

/// More `diff` blocks than this and those of changes neither blocked nor
/// destructive are collapsed together.
const BLOCKS_OPEN_MAX: usize = 10;

/// More notes than this and they are collapsed.
const NOTES_OPEN_MAX: usize = 10;

/// More created objects than this and the definitions of those neither
/// blocked nor destructive are collapsed together, so a first deploy's
/// comment opens on its table.
const COMPACT_ABOVE: usize = 10;

/// Bytes kept free for the pieces' surroundings (headings, table heads,
/// `<details>` wrappers, the notice) while choosing pieces; the exact size
/// is checked after assembling.
const FRAME_RESERVE: usize = 1_024;

/// The plan rendered piece by piece; [`Parts::assemble`] puts a selection
/// of them together.
struct Parts {
    /// The heading, the partial-plan line, the summary, the server.
    head: String,
    /// Whether the plan has changes (else `head` says so).
    empty: bool,
    /// One table row per change, in plan order, with its newline.
    rows: Vec<String>,
    /// Each change's `diff` block, when it has changed attributes.
    details: Vec<Option<String>>,
    /// Whether each change is blocked or destructive: it is never left
    /// out while anything else is shown.
    attention: Vec<bool>,
    /// Whether each change is a create: its `diff` block is its
    /// definition, shown under "New objects".
    created: Vec<bool>,
    /// One list item per note, with its newline.
    notes: Vec<String>,
}

/// Which pieces are shown, and the order they were chosen in (the last
/// chosen is the first dropped when the assembled text is too long).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Selection {
    rows: Vec<bool>,
    details: Vec<bool>,
    notes: Vec<bool>,
    chosen: Vec<Piece>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    Row(usize),
    Detail(usize),
    Note(usize),
}

/// A cut in progress: its byte limit, and what the notice says.
struct Cut<'a> {
    max: usize,
    total_changes: usize,
    url: Option<&'a str>,
}

impl Selection {
    fn none(parts: &Parts) -> Selection {
        Selection {
            rows: vec![false; parts.rows.len()],
            details: vec![false; parts.rows.len()],
            notes: vec![false; parts.notes.len()],
            chosen: Vec::new(),
        }
    }

    fn all(parts: &Parts) -> Selection {
        Selection {
            rows: vec![true; parts.rows.len()],
            details: parts.details.iter().map(Option::is_some).collect(),
            notes: vec![true; parts.notes.len()],
            chosen: Vec::new(),
        }
    }

    fn add(&mut self, piece: Piece) {
        match piece {
            Piece::Row(index) => self.rows[index] = true,
            Piece::Detail(index) => self.details[index] = true,
            Piece::Note(index) => self.notes[index] = true,
        }
        self.chosen.push(piece);
    }

    /// Un-chooses the last chosen piece (a row takes its `diff` block
    /// along); false when nothing is left to drop.
    fn drop_last(&mut self) -> bool {
        let Some(piece) = self.chosen.pop() else {
            return false;
        };
        match piece {
            Piece::Row(index) => {
                self.rows[index] = false;
                self.details[index] = false;
            }
            Piece::Detail(index) => self.details[index] = false,
            Piece::Note(index) => self.notes[index] = false,
        }
        true
    }
}

impl Parts {
    fn of(plan: &Plan) -> Parts {
        let mut head = String::new();
        let _ = writeln!(head, "### arangosync plan for `{}`\n", plan.database);
        if let Some(line) = super::text::partial_line(plan) {
            let _ = writeln!(head, "{}\n", escape(&line));
        }
        let empty = plan.changes.is_empty();
        if empty {
            let _ = writeln!(head, "No changes: the database matches the specs.");
        } else {
            let _ = writeln!(head, "**{}.**\n", Summary::of(plan).sentence());
            if let Some(server) = &plan.server {
                let _ = writeln!(head, "Server: {}.\n", escape(&server.to_string()));
            }
        }
        // Lineage warnings are part of the head: a cut plan keeps them.
        if !plan.warnings.is_empty() {
            let _ = writeln!(head, "**Warnings** (what registered features read):\n");
            for warning in &plan.warnings {
                let _ = writeln!(head, "- :warning: {}", escape(&warning.message));
            }
            head.push('\n');
        }
        Parts {
            head,
            empty,
            rows: plan.changes.iter().map(table_row).collect(),
            details: plan
                .changes
                .iter()
                .map(|change| {
                    let fields = change.shown_fields();
                    (!fields.is_empty()).then(|| diff_block(change, &fields))
                })
                .collect(),
            attention: plan.changes.iter().map(needs_attention).collect(),
            created: plan
                .changes
                .iter()
                .map(|change| change.action == Action::Create)
                .collect(),
            notes: plan
                .notes
                .iter()
                .map(|note| {
                    format!(
                        "- {}: {}\n",
                        escape(&note.address.to_string()),
                        escape(&note.message)
                    )
                })
                .collect(),
        }
    }

    /// Chooses the pieces of a cut plan by their sizes: blocked and
    /// destructive changes in full (or, when they do not all fit, their
    /// rows first and then as many of their `diff` blocks as fit), then
    /// other changes in plan order, each whole or not at all, then notes.
    fn select(&self, cut: &Cut) -> Selection {
        let mut selection = Selection::none(self);
        let reserve = FRAME_RESERVE + cut.url.map_or(0, str::len);
        let mut left = cut.max.saturating_sub(self.head.len() + reserve);
        let detail_len = |index: usize| self.details[index].as_ref().map_or(0, String::len);
        let full_len = |index: usize| self.rows[index].len() + detail_len(index);
        let attention: Vec<usize> = (0..self.rows.len())
            .filter(|&index| self.attention[index])
            .collect();
        let attention_len: usize = attention.iter().map(|&index| full_len(index)).sum();
        let all_attention_fits = attention_len <= left;
        let mut take = |selection: &mut Selection, pieces: &[Piece], len: usize| {
            if len <= left {
                left -= len;
                for &piece in pieces {
                    selection.add(piece);
                }
            }
        };
        let whole = |index: usize| -> Vec<Piece> {
            let mut pieces = vec![Piece::Row(index)];
            if self.details[index].is_some() {
                pieces.push(Piece::Detail(index));
            }
            pieces
        };
        if all_attention_fits {
            for &index in &attention {
                take(&mut selection, &whole(index), full_len(index));
            }
        } else {
            for &index in &attention {
                take(&mut selection, &[Piece::Row(index)], self.rows[index].len());
            }
            for &index in &attention {
                if selection.rows[index] && self.details[index].is_some() {
                    take(&mut selection, &[Piece::Detail(index)], detail_len(index));
                }
            }
        }
        self.fill(&mut selection, left);
        selection
    }

    /// Adds the changes neither blocked nor destructive (in plan order;
    /// an update or replace whole, a create by its row), then the created
    /// objects' definitions, then the notes, that are not shown yet, as
    /// long as their sizes fit in `left` bytes. A create's row says more
    /// to a reviewer of a cut plan than another create's definition.
    fn fill(&self, selection: &mut Selection, mut left: usize) {
        for index in (0..self.rows.len()).filter(|&index| !self.attention[index]) {
            let detail = self.details[index]
                .as_ref()
                .filter(|_| !self.created[index])
                .map(String::len);
            let len = self.rows[index].len() + detail.unwrap_or(0);
            if !selection.rows[index] && len <= left {
                left -= len;
                selection.add(Piece::Row(index));
                if detail.is_some() {
                    selection.add(Piece::Detail(index));
                }
            }
        }
        for index in (0..self.rows.len()).filter(|&index| self.created[index]) {
            let Some(detail) = self.details[index].as_ref().map(String::len) else {
                continue;
            };
            if selection.rows[index] && !selection.details[index] && detail <= left {
                left -= detail;
                selection.add(Piece::Detail(index));
            }
        }
        for (index, note) in self.notes.iter().enumerate() {
            if !selection.notes[index] && note.len() <= left {
                left -= note.len();
                selection.add(Piece::Note(index));
            }
        }
    }

    /// The selected pieces in their sections; with `cut`, the notice of
    /// what was left out at the end.
    fn assemble(&self, selection: &Selection, cut: Option<&Cut>) -> String {
        let mut out = self.head.clone();
        if !self.empty {
            let shown: Vec<usize> = (0..self.rows.len())
                .filter(|&index| selection.rows[index])
                .collect();
            if shown.len() <= TABLE_OPEN_MAX {
                self.table(&shown, &mut out);
            } else {
                let (attention, others): (Vec<usize>, Vec<usize>) =
                    shown.iter().partition(|&&index| self.attention[index]);
                if !attention.is_empty() {
                    let _ = writeln!(out, "**Needs attention** (blocked or destroys data):\n");
                    self.table(&attention, &mut out);
                    out.push('\n');
                }
                let label = if attention.is_empty() { "" } else { "other " };
                // In a cut plan, of how many.
                let all_others = self.attention.iter().filter(|shown| !**shown).count();
                let count = if others.len() < all_others {
                    format!("{} of {all_others}", others.len())
                } else {
                    others.len().to_string()
                };
                let _ = writeln!(out, "<details><summary>{count} {label}changes</summary>\n");
                self.table(&others, &mut out);
                let _ = writeln!(out, "\n</details>");
            }
            let detailed: Vec<usize> = (0..self.rows.len())
                .filter(|&index| selection.details[index] && self.details[index].is_some())
                .collect();
            let (created, changed): (Vec<usize>, Vec<usize>) =
                detailed.iter().partition(|&&index| self.created[index]);
            self.block_section(
                &changed,
                "Changed attributes",
                BLOCKS_OPEN_MAX,
                |count, label| format!("Changed attributes of {count} {label}changes"),
                &mut out,
            );
            self.block_section(
                &created,
                "New objects",
                COMPACT_ABOVE,
                |count, label| format!("Definitions of the {count} {label}new objects"),
                &mut out,
            );
        }
        let notes: Vec<&String> = self
            .notes
            .iter()
            .zip(&selection.notes)
            .filter_map(|(note, shown)| shown.then_some(note))
            .collect();
        if notes.len() > NOTES_OPEN_MAX {
            let _ = writeln!(out, "\n<details><summary>{} notes</summary>\n", notes.len());
            notes.iter().for_each(|note| out.push_str(note));
            let _ = writeln!(out, "\n</details>");
        } else if !notes.is_empty() {
            let _ = writeln!(out, "\nNotes (not changes):\n");
            notes.iter().for_each(|note| out.push_str(note));
        }
        if let Some(cut) = cut {
            let _ = writeln!(out, "\n{}", self.notice(selection, cut));
        }
        out
    }

    /// The `diff` blocks of `indexes` under `heading`; beyond `open_max`
    /// of them, those of changes neither blocked nor destructive are
    /// collapsed together in a `<details>` whose summary `summary(count,
    /// "other " or "")` gives.
    fn block_section(
        &self,
        indexes: &[usize],
        heading: &str,
        open_max: usize,
        summary: impl Fn(usize, &str) -> String,
        out: &mut String,
    ) {
        if indexes.is_empty() {
            return;
        }
        let _ = writeln!(out, "\n#### {heading}");
        let block = |index: usize| self.details[index].as_deref().unwrap_or_default();
        if indexes.len() <= open_max {
            indexes.iter().for_each(|&index| out.push_str(block(index)));
            return;
        }
        // Blocked and destructive changes' blocks stay in view.
        let (attention, others): (Vec<usize>, Vec<usize>) =
            indexes.iter().partition(|&&index| self.attention[index]);
        attention
            .iter()
            .for_each(|&index| out.push_str(block(index)));
        let label = if attention.is_empty() { "" } else { "other " };
        let _ = writeln!(
            out,
            "\n<details><summary>{}</summary>",
            summary(others.len(), label)
        );
        others.iter().for_each(|&index| out.push_str(block(index)));
        let _ = writeln!(out, "\n</details>");
    }

    fn table(&self, indexes: &[usize], out: &mut String) {
        let _ = writeln!(out, "| | change | why |");
        let _ = writeln!(out, "|---|---|---|");
        for &index in indexes {
            out.push_str(&self.rows[index]);
        }
    }

    /// One paragraph: what the cut left out, and where the whole plan is.
    fn notice(&self, selection: &Selection, cut: &Cut) -> String {
        let hidden: Vec<usize> = (0..self.rows.len())
            .filter(|&index| !selection.rows[index])
            .collect();
        let hidden_attention = hidden
            .iter()
            .filter(|&&index| self.attention[index])
            .count();
        let hidden_details = (0..self.rows.len())
            .filter(|&index| {
                selection.rows[index] && self.details[index].is_some() && !selection.details[index]
            })
            .count();
        let hidden_notes = selection.notes.iter().filter(|shown| !**shown).count();
        let mut parts = Vec::new();
        if !hidden.is_empty() {
            let mut part = format!(
                "{} of {} changes are not shown",
                hidden.len(),
                cut.total_changes
            );
            if hidden_attention > 0 {
                let _ = write!(part, " ({hidden_attention} of them blocked or destructive)");
            }
            parts.push(part);
        }
        if hidden_details > 0 {
            parts.push(format!(
                "the `diff` blocks of {hidden_details} shown changes are not shown"
            ));
        }
        if hidden_notes > 0 {
            parts.push(format!(
                "{hidden_notes} of {} notes are not shown",
                self.notes.len()
            ));
        }
        let pointer = match cut.url {
            Some(url) => format!("[Read the full plan](<{url}>)."),
            None => "Run the plan with `--markdown-max-bytes 0` to see all of it.".to_string(),
        };
        format!(
            "> :scissors: **Shortened to fit {} bytes:** {}. {pointer}",
            cut.max,
            parts.join("; ")
        )
    }
}

/// A change's row of the table, with its newline.
fn table_row(change: &Change) -> String {
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
        for checked in &risk.checked {
            why.push_str(&format!(" :heavy_check_mark: {}.", escape(checked)));
        }
    }
    if let Some(blocked) = &change.blocked {
        why.push_str(&format!(" :no_entry: **Blocked:** {}", escape(blocked)));
    }
    format!(
        "| `{}` | {} {} | {} |\n",
        change.action.symbol(),
        change.action.as_str(),
        escape(&change.address.to_string()),
        why
    )
}

/// Above this many diff lines a change's block is collapsed.
const COLLAPSE_ABOVE: usize = 20;

/// One change's shown paths (`fields`, its [`Change::shown_fields`]) as a
/// `diff` block: `-` the old value, `+` the new one, a path absent on one side only on the other side's line.
/// Collapsed in `<details>` when longer than [`COLLAPSE_ABOVE`] lines.
fn diff_block(change: &Change, fields: &[FieldChange]) -> String {
    let mut out = String::new();
    let mut lines = Vec::new();
    for path in fields.iter().flat_map(FieldChange::paths) {
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
        let what = match change.action {
            Action::Create => "lines of definition",
            _ => "changed lines",
        };
        let _ = writeln!(
            out,
            "\n<details><summary><code>{}</code>: {} {what}</summary>\n",
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
    out
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

/// Whether a change stays in a shortened plan and is listed under "Needs
/// attention": blocked, destructive, at risk given the data (a warning of
/// `plan::risk`), or an index replace that drops the old index before the
/// new one is built (queries lose the index meanwhile), also when not
/// assessed.
fn needs_attention(change: &Change) -> bool {
    let index_gap = change.action == Action::Replace
        && matches!(
            change.steps.first(),
            Some(crate::plan::Step::DropIndex { .. })
        );
    change.destructive
        || change.blocked.is_some()
        || index_gap
        || change
            .risk
            .as_ref()
            .is_some_and(|risk| !risk.warnings.is_empty())
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

    use super::super::tests::plan_with;

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

    /// Whether `markdown` is well-formed as far as a cut can break it:
    /// every fence closed by a fence at least as long, `<details>` and
    /// `<summary>` balanced and never closed before they open, no tag
    /// inside a fenced block. The problem found, if any.
    pub(crate) fn malformed(markdown: &str) -> Option<String> {
        let mut fence: Option<usize> = None;
        let (mut details, mut summaries) = (0i64, 0i64);
        for (number, line) in markdown.lines().enumerate() {
            let ticks = line.len() - line.trim_start_matches('`').len();
            match fence {
                Some(open) if ticks >= open && line[ticks..].trim().is_empty() => fence = None,
                Some(_) => {}
                None if ticks >= 3 => fence = Some(ticks),
                None => {
                    details += (line.matches("<details>").count() as i64)
                        - (line.matches("</details>").count() as i64);
                    summaries += (line.matches("<summary>").count() as i64)
                        - (line.matches("</summary>").count() as i64);
                    if details < 0 || summaries != 0 {
                        return Some(format!("line {}: unbalanced tag: {line}", number + 1));
                    }
                }
            }
        }
        if fence.is_some() {
            return Some("a fenced block is not closed".into());
        }
        (details != 0).then(|| format!("{details} <details> not closed"))
    }

    fn change(name: &str, action: Action, fields: Vec<FieldChange>) -> Change {
        Change {
            address: Address::Collection(name.into()),
            action,
            reason: format!("reason for {name}"),
            fields,
            steps: vec![],
            blocked: None,
            destructive: false,
            risk: None,
        }
    }

    /// `creates` plain creates `c0000`.., then a blocked replace `sharded`
    /// and a destructive delete `old`, each with a diff, then `notes` notes.
    fn big_plan(creates: usize, notes: usize) -> Plan {
        let mut plan = plan_with(vec![]);
        plan.changes = (0..creates)
            .map(|index| change(&format!("c{index:04}"), Action::Create, vec![]))
            .collect();
        let mut replace = change("sharded", Action::Replace, vec![schema_change(2, "x")]);
        replace.blocked = Some("pass --allow-destructive".into());
        replace.destructive = true;
        let mut delete = change("old", Action::Delete, vec![schema_change(1, "y")]);
        delete.destructive = true;
        plan.changes.push(replace);
        plan.changes.push(delete);
        plan.notes = (0..notes)
            .map(|index| crate::plan::Note {
                address: Address::Collection(format!("n{index}")),
                message: "kept".into(),
            })
            .collect();
        plan
    }

    fn limited(plan: &Plan, max: usize, url: Option<&str>) -> String {
        let markdown = plan_markdown_limited(
            plan,
            &MarkdownLimits {
                max_bytes: Some(max),
                full_plan_url: url.map(str::to_string),
            },
        );
        assert!(markdown.len() <= max, "{} > {max}", markdown.len());
        assert_eq!(malformed(&markdown), None, "{markdown}");
        markdown
    }

    #[test]
    fn a_plan_that_fits_is_not_changed() {
        let plan = big_plan(5, 2);
        let full = plan_markdown(&plan);
        assert_eq!(limited(&plan, GITHUB_COMMENT_MAX, None), full);
        let unlimited = plan_markdown_limited(&big_plan(3000, 0), &MarkdownLimits::default());
        assert_eq!(unlimited, plan_markdown(&big_plan(3000, 0)));
        assert!(!full.contains(":scissors:"), "{full}");
        assert_eq!(malformed(&full), None, "{full}");
    }

    #[test]
    fn a_long_plan_keeps_summary_blocked_and_destructive_changes_and_says_what_is_left_out() {
        let plan = big_plan(3000, 40);
        let full = plan_markdown(&plan);
        assert!(full.len() > 100_000, "{}", full.len());
        let markdown = limited(&plan, 8_000, Some("https://example.org/runs/1?a=b"));
        assert!(markdown.starts_with(
            "### arangosync plan for `features`\n\n**3000 to create, 0 to update, 1 to replace, \
             1 to delete; 1 blocked.**\n\n**Needs attention** (blocked or destroys data):\n\n\
             | | change | why |\n|---|---|---|\n\
             | `-/+` | replace collection sharded | reason for sharded **Destroys data.** \
             :no_entry: **Blocked:** pass --allow-destructive |\n\
             | `-` | delete collection old | reason for old **Destroys data.** |\n\n\
             <details><summary>"
        ), "{markdown}");
        // Both diff blocks survive whole.
        for block in [
            diff_block(&plan.changes[3000], &plan.changes[3000].shown_fields()),
            diff_block(&plan.changes[3001], &plan.changes[3001].shown_fields()),
        ] {
            assert!(markdown.contains(&block), "{markdown}");
        }
        // Other changes in plan order, as many as fit: a prefix here.
        let shown = markdown.matches("| `+` | create collection c").count();
        assert!(shown > 50, "{shown}");
        assert!(markdown.contains(&format!(
            "<details><summary>{shown} of 3000 other changes</summary>"
        )));
        assert!(markdown.contains(&format!("create collection c{:04} |", shown - 1)));
        assert!(!markdown.contains(&format!("create collection c{:04} |", shown)));
        assert!(
            markdown.ends_with(&format!(
                "\n> :scissors: **Shortened to fit 8000 bytes:** {} of 3002 changes are not \
             shown; {} of 40 notes are not shown. \
             [Read the full plan](<https://example.org/runs/1?a=b>).\n",
                3000 - shown,
                40 - markdown.matches("\n- collection n").count()
            )),
            "{markdown}"
        );
        // Nothing is lost that fit: the space left is less than a row and
        // the refill margin.
        assert!(
            markdown.len() > 8_000 - REFILL_MARGIN - 100,
            "{}",
            markdown.len()
        );
    }

    #[test]
    fn a_long_plan_keeps_changes_at_risk_and_index_gaps() {
        let mut plan = big_plan(3000, 0);
        let mut gap = change("gap", Action::Replace, vec![]);
        gap.address = Address::Index {
            collection: "users".into(),
            index: "idx_gap".into(),
        };
        gap.steps = vec![
            crate::plan::Step::DropIndex {
                collection: "users".into(),
                id: "users/1".into(),
                name: "idx_gap".into(),
            },
            crate::plan::Step::CreateIndex {
                collection: "users".into(),
                body: json!({"type": "persistent", "fields": ["a"], "name": "idx_gap"}).into(),
                deferrable: false,
            },
        ];
        let mut risky = change("risky", Action::Update, vec![]);
        risky.risk = Some(Box::new(crate::plan::risk::Risk {
            documents: None,
            violations: None,
            warnings: vec!["4 documents in the collection do not satisfy it".into()],
            hint: None,
            checked: Vec::new(),
        }));
        // At the end, after 3000 creates: only attention keeps them.
        plan.changes.push(gap);
        plan.changes.push(risky);
        let markdown = limited(&plan, 8_000, None);
        assert!(
            markdown.contains("| replace index users/idx_gap | reason for gap |"),
            "{markdown}"
        );
        assert!(
            markdown.contains("| update collection risky | reason for risky"),
            "{markdown}"
        );
        let attention = |change: &Change| needs_attention(change);
        assert!(!attention(&plan.changes[0]));
        let mut built_first = plan.changes[3002].clone();
        built_first.steps.reverse();
        assert!(!attention(&built_first));
    }

    #[test]
    fn without_a_url_the_notice_says_how_to_see_everything() {
        let markdown = limited(&big_plan(3000, 0), 4_096, None);
        assert!(
            markdown.ends_with(
                " changes are not shown. Run the plan with `--markdown-max-bytes 0` to see all of it.\n"
            ),
            "{markdown}"
        );
    }

    #[test]
    fn blocked_changes_too_long_in_full_keep_their_rows() {
        // 100 destructive deletes whose diffs (each collapsed, ~2 kB) do not
        // fit together: every row stays, diffs as they fit.
        let mut plan = plan_with(vec![]);
        plan.changes = (0..100)
            .map(|index| {
                let mut delete = change(
                    &format!("d{index:03}"),
                    Action::Delete,
                    vec![schema_change(30, "z")],
                );
                delete.destructive = true;
                delete
            })
            .collect();
        let markdown = limited(&plan, 20_000, None);
        for index in 0..100 {
            assert!(
                markdown.contains(&format!("| `-` | delete collection d{index:03} |")),
                "{index}: {markdown}"
            );
        }
        let diffs = markdown.matches("```diff").count();
        assert!((1..100).contains(&diffs), "{diffs}");
        assert!(
            markdown.contains(&format!(
                "**Shortened to fit 20000 bytes:** the `diff` blocks of {} shown changes are not shown.",
                100 - diffs
            )),
            "{markdown}"
        );
    }

    #[test]
    fn blocked_changes_beyond_the_limit_are_counted() {
        // 1000 destructive rows of ~70 bytes cannot fit into 4096 bytes.
        let mut plan = plan_with(vec![]);
        plan.changes = (0..1000)
            .map(|index| {
                let mut delete = change(&format!("d{index:04}"), Action::Delete, vec![]);
                delete.destructive = true;
                delete
            })
            .collect();
        let markdown = limited(&plan, 4_096, None);
        let shown = markdown.matches("| `-` | delete collection").count();
        assert!(shown > 10, "{shown}");
        assert!(
            markdown.contains(&format!(
                "{} of 1000 changes are not shown ({} of them blocked or destructive)",
                1000 - shown,
                1000 - shown
            )),
            "{markdown}"
        );
    }

    #[test]
    fn a_change_too_long_to_fit_is_skipped_and_later_ones_shown() {
        let mut plan = plan_with(vec![]);
        plan.changes = vec![
            change("small_a", Action::Update, vec![schema_change(1, "a")]),
            change("huge", Action::Update, vec![schema_change(2000, "b")]),
            change("small_b", Action::Update, vec![schema_change(1, "c")]),
        ];
        let markdown = limited(&plan, 6_000, None);
        assert!(markdown.contains("update collection small_a"), "{markdown}");
        assert!(markdown.contains("update collection small_b"), "{markdown}");
        assert!(!markdown.contains("collection huge"), "{markdown}");
        assert!(
            markdown.contains("1 of 3 changes are not shown."),
            "{markdown}"
        );
    }

    #[test]
    fn a_limit_under_the_minimum_is_raised_to_it() {
        let markdown = plan_markdown_limited(
            &big_plan(3000, 0),
            &MarkdownLimits {
                max_bytes: Some(10),
                full_plan_url: None,
            },
        );
        assert!(markdown.len() <= MIN_MAX_BYTES, "{}", markdown.len());
        assert!(
            markdown.contains("**Shortened to fit 4096 bytes:**"),
            "{markdown}"
        );
    }

    #[test]
    fn many_rows_split_the_table_and_many_notes_collapse() {
        let markdown = plan_markdown(&big_plan(40, 11));
        assert_eq!(malformed(&markdown), None, "{markdown}");
        assert!(
            markdown.contains(
                "| `-` | delete collection old | reason for old **Destroys data.** |\n\n\
             <details><summary>40 other changes</summary>\n\n| | change | why |\n|---|---|---|\n\
             | `+` | create collection c0000 |"
            ),
            "{markdown}"
        );
        assert!(
            markdown
                .contains("| `+` | create collection c0039 | reason for c0039 |\n\n</details>\n"),
            "{markdown}"
        );
        assert!(
            markdown.contains("\n<details><summary>11 notes</summary>\n\n- collection n0: kept\n"),
            "{markdown}"
        );
        assert!(
            markdown.ends_with("- collection n10: kept\n\n</details>\n"),
            "{markdown}"
        );
        // 30 rows stay one open table.
        let open = plan_markdown(&big_plan(28, 10));
        assert!(!open.contains("<details><summary>"), "{open}");
        assert!(open.contains("\nNotes (not changes):\n\n"), "{open}");
    }

    #[test]
    fn many_diff_blocks_are_collapsed_but_blocked_ones_stay_open() {
        let mut plan = big_plan(0, 0);
        for index in 0..11 {
            plan.changes.push(change(
                &format!("u{index:02}"),
                Action::Update,
                vec![schema_change(1, "w")],
            ));
        }
        let markdown = plan_markdown(&plan);
        assert_eq!(malformed(&markdown), None, "{markdown}");
        let sharded = diff_block(&plan.changes[0], &plan.changes[0].shown_fields());
        let old = diff_block(&plan.changes[1], &plan.changes[1].shown_fields());
        let first = diff_block(&plan.changes[2], &plan.changes[2].shown_fields());
        let last = diff_block(&plan.changes[12], &plan.changes[12].shown_fields());
        assert!(
            markdown.contains(&format!(
            "\n#### Changed attributes\n{sharded}{old}\n<details><summary>Changed attributes of \
             11 other changes</summary>\n{first}"
        )),
            "{markdown}"
        );
        assert!(
            markdown.ends_with(&format!("{last}\n</details>\n")),
            "{markdown}"
        );
        // Ten blocks stay open.
        plan.changes.truncate(10);
        assert!(!plan_markdown(&plan).contains("Changed attributes of"));
    }

    #[test]
    fn the_checker_finds_what_a_bad_cut_would_leave() {
        assert!(malformed("```diff\n- a\n").is_some());
        assert!(malformed("````diff\n```\n").is_some());
        assert!(malformed("<details><summary>x</summary>\n\nbody\n").is_some());
        assert!(malformed("</details>\n<details>\n").is_some());
        assert_eq!(malformed("```diff\n<details>\n```\n"), None);
    }

    /// A plan creating `count` collections, each with its type shown.
    fn creates(count: usize) -> Plan {
        let mut plan = plan_with(Vec::new());
        plan.changes = (0..count)
            .map(|at| Change {
                address: Address::Collection(format!("c{at}")),
                action: Action::Create,
                reason: "not in the database".into(),
                fields: crate::plan::definition::collection(&json!({"type": 3})),
                steps: vec![],
                blocked: None,
                destructive: false,
                risk: None,
            })
            .collect();
        plan
    }

    #[test]
    fn created_objects_show_their_definitions_collapsed_together_when_many() {
        let few = plan_markdown(&creates(COMPACT_ABOVE));
        assert!(
            few.contains(
                "\n#### New objects\n\n`+ collection c0`\n\n```diff\n+ type: \"edge\"\n```\n"
            ),
            "{few}"
        );
        assert!(!few.contains("<details>"), "{few}");
        assert!(!few.contains("#### Changed attributes"), "{few}");
        let many = plan_markdown(&creates(COMPACT_ABOVE + 1));
        assert!(
            many.contains("\n#### New objects\n\n<details><summary>Definitions of the 11 new objects</summary>\n\n`+ collection c0`\n"),
            "{many}"
        );
        assert!(many.ends_with("```\n\n</details>\n"), "{many}");
        // A long definition alone is collapsed on its own.
        let mut long = creates(1);
        long.changes[0].fields = crate::plan::definition::collection(&json!({
            "type": 2,
            "schema": {"rule": {"required": (0..21).map(|at| format!("p{at}")).collect::<Vec<_>>()},
                       "properties": (0..21).map(|at| (format!("p{at}"), json!({"type": "string"})))
                                            .collect::<Map<String, Value>>()}
        }));
        let long = plan_markdown(&long);
        assert!(
            long.contains(
                "<details><summary><code>+ collection c0</code>: 23 lines of definition</summary>"
            ),
            "{long}"
        );
        assert_eq!(many.matches("<details>").count(), 1, "{many}");
    }
}
