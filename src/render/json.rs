//! Machine-readable output. Every document carries `formatVersion`, bumped
//! whenever its shape changes, so CI scripts can refuse what they do not know.

use serde_json::{json, Value};

use super::Summary;
use crate::diag::Diagnostics;
use crate::plan::{Plan, FORMAT_VERSION};

/// `formatVersion` of arangosync's JSON documents other than the plan
/// (`validate`'s diagnostics, `features --format json`): their shape is
/// still that of version 1, which the plan left with its path-level
/// `fields` (plan format 2).
pub const REPORT_FORMAT_VERSION: u32 = 1;

pub fn plan_json(plan: &Plan) -> Value {
    let mut document = json!({
        "formatVersion": FORMAT_VERSION,
        "database": plan.database,
        "changes": plan.changes,
        "notes": plan.notes,
        "summary": Summary::of(plan),
        // Added in format 1 (a new key, not a change of shape): the server
        // planned against, or null when unknown.
        "server": plan.server,
    });
    // Added in format 1 (a new key, only on a partial plan): the
    // `--target` addresses the plan was narrowed to.
    if !plan.targets.is_empty() {
        document["targets"] = json!(plan.targets);
    }
    // Added in format 2 (a new key, only when there are any): changes that
    // remove something a registered feature reads (`plan::lineage`), each
    // `{features: [{feature, version, registeredOnly?}], object: <address>,
    // attribute?, message}`.
    if !plan.warnings.is_empty() {
        document["warnings"] = json!(plan.warnings);
    }
    document
}

pub fn diagnostics_json(diagnostics: &Diagnostics) -> Value {
    json!({
        "formatVersion": REPORT_FORMAT_VERSION,
        "diagnostics": diagnostics.0,
    })
}
