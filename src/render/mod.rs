//! One renderer per output format: text (optionally coloured) for people,
//! JSON (versioned) for machines, Markdown for pull-request comments.

mod json;
mod markdown;
mod text;

use crate::plan::{Action, Plan};

pub use json::{diagnostics_json, plan_json, REPORT_FORMAT_VERSION};
pub use markdown::{
    plan_markdown, plan_markdown_limited, MarkdownLimits, GITHUB_COMMENT_MAX, MIN_MAX_BYTES,
};
pub use text::{diagnostics_text, plan_text, Style};

/// Counts per action, for summary lines.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub replace: usize,
    pub delete: usize,
    pub blocked: usize,
}

impl Summary {
    pub fn of(plan: &Plan) -> Summary {
        let mut summary = Summary::default();
        for change in &plan.changes {
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
}
