//! One renderer per output format: text (optionally coloured) for people,
//! JSON (versioned) for machines, Markdown for pull-request comments.

mod json;
mod lineage;
mod markdown;
mod text;

use crate::plan::{Action, Change, Plan};

pub use json::{diagnostics_json, plan_json, REPORT_FORMAT_VERSION};
pub use lineage::lineage_text;
pub use markdown::{
    plan_markdown, plan_markdown_limited, MarkdownLimits, GITHUB_COMMENT_MAX, MIN_MAX_BYTES,
};
pub use text::{diagnostics_text, plan_text, Style};

/// Counts per action, for summary lines: the one definition of what a
/// change is, used by every plan summary (text, Markdown, JSON, the `plan
/// finished` log line) and by the apply report. A change is one entry of
/// `Plan::changes`, the database and the state collection included; notes
/// are not changes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub replace: usize,
    pub delete: usize,
    pub blocked: usize,
}

impl Summary {
    /// The counts of a plan's changes.
    pub fn of(plan: &Plan) -> Summary {
        Summary::of_changes(&plan.changes)
    }

    /// The counts of some changes: a plan's, or those an apply carried out.
    pub fn of_changes<'a>(changes: impl IntoIterator<Item = &'a Change>) -> Summary {
        let mut summary = Summary::default();
        for change in changes {
            match change.action {
                Action::Create => summary.create += 1,
                Action::Update => summary.update += 1,
                Action::Replace => summary.replace += 1,
                Action::Delete => summary.delete += 1,
            }
            if change.blocked.is_some() {
                summary.blocked += 1;
            }
        }
        summary
    }

    /// `2 to create, 1 to update, 0 to replace, 0 to delete`.
    pub fn sentence(&self) -> String {
        let mut sentence = format!(
            "{} to create, {} to update, {} to replace, {} to delete",
            self.create, self.update, self.replace, self.delete
        );
        if self.blocked > 0 {
            sentence.push_str(&format!("; {} blocked", self.blocked));
        }
        sentence
    }

    /// How many changes were counted.
    pub fn total(&self) -> usize {
        self.create + self.update + self.replace + self.delete
    }

    /// The same counts as done: `2 created, 1 updated, 0 replaced, 0
    /// deleted` (the apply report; what it counts never includes blocked
    /// changes, which are never applied).
    pub fn done_sentence(&self) -> String {
        format!(
            "{} created, {} updated, {} replaced, {} deleted",
            self.create, self.update, self.replace, self.delete
        )
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::plan::{Action, Address, Change, FieldChange, Plan};

    /// A plan of one update of collection `users` changing `fields`, for
    /// the renderers' tests.
    pub(crate) fn plan_with(fields: Vec<FieldChange>) -> Plan {
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
            warnings: Vec::new(),
        }
    }
}
