//! The test control API under `/_emulator/` (shared/DESIGN.md section 7).
//!
//! Counters answer "how many requests, how many writes" so tests can prove
//! idempotency (a second apply writes nothing) and round-trip budgets. Fault
//! plans make the next requests fail in a chosen way so tests can prove
//! retries and crash safety. Control requests themselves are never counted,
//! delayed or faulted.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};

/// Request counters over the ArangoDB routes.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub total: u64,
    pub writes: u64,
    pub by_method: BTreeMap<String, u64>,
    pub by_path: BTreeMap<String, u64>,
}

impl Stats {
    pub fn record(&mut self, method: &str, path: &str, is_write: bool) {
        self.total += 1;
        if is_write {
            self.writes += 1;
        }
        *self.by_method.entry(method.to_string()).or_default() += 1;
        *self.by_path.entry(path.to_string()).or_default() += 1;
    }

    pub fn to_json(&self) -> Value {
        json!({
            "total": self.total,
            "writes": self.writes,
            "byMethod": self.by_method,
            "byPath": self.by_path,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FaultMode {
    /// Answer with this HTTP status and an ArangoDB error envelope.
    Status(u16),
    /// Close the connection with a TCP reset instead of answering.
    Reset,
    /// Carry the request out, then reset the connection instead of
    /// answering: the client cannot know the write happened.
    ResetAfter,
    /// Hold the request this long, then answer it normally.
    Delay(Duration),
    /// Carry the request out, then hold the answer this long: the write
    /// is done while the client still waits (a client killed meanwhile
    /// never learns it happened).
    DelayAfter(Duration),
}

/// "Let `fail_after` more requests succeed, then fail the next `count`."
/// With `method` and/or `path`, only requests with that method and a path
/// containing that text (without the query string) count.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultPlan {
    pub fail_after: u64,
    pub count: u64,
    pub mode: FaultMode,
    /// Only requests with this method take part; `None`: any method.
    pub method: Option<String>,
    /// Only requests whose path (without the query string) contains this
    /// take part (are counted and failed); all others pass untouched.
    /// `None`: every request.
    pub path: Option<String>,
}

impl FaultPlan {
    /// Parses the body of `PUT /_emulator/faults`.
    pub fn from_json(body: &Value) -> Result<FaultPlan, String> {
        let object = body.as_object().ok_or("expecting a JSON object")?;
        let number = |key: &str, default: u64| -> Result<u64, String> {
            match object.get(key) {
                None => Ok(default),
                Some(value) => value
                    .as_u64()
                    .ok_or_else(|| format!("'{key}' must be a non-negative integer")),
            }
        };
        let fail_after = number("failAfter", 0)?;
        let count = number("count", 1)?;
        let mode = match object.get("mode").and_then(Value::as_str) {
            Some("status") => {
                let status = number("status", 503)?;
                if !(400..=599).contains(&status) {
                    return Err("'status' must be an HTTP error status (400-599)".into());
                }
                FaultMode::Status(status as u16)
            }
            Some("reset") => FaultMode::Reset,
            Some("reset-after") => FaultMode::ResetAfter,
            Some("delay") => FaultMode::Delay(Duration::from_millis(number("delayMs", 1000)?)),
            Some("delay-after") => {
                FaultMode::DelayAfter(Duration::from_millis(number("delayMs", 1000)?))
            }
            _ => {
                return Err(
                    "'mode' must be \"status\", \"reset\", \"reset-after\", \"delay\" or \"delay-after\"".into(),
                )
            }
        };
        let text = |key: &str| -> Result<Option<String>, String> {
            match object.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(text)) => Ok(Some(text.clone())),
                Some(_) => Err(format!("'{key}' must be a string")),
            }
        };
        Ok(FaultPlan {
            fail_after,
            count,
            mode,
            method: text("method")?.map(|method| method.to_ascii_uppercase()),
            path: text("path")?,
        })
    }

    /// Whether a request counts towards the plan.
    pub fn applies_to(&self, method: &str, path: &str) -> bool {
        self.method.as_deref().is_none_or(|want| want == method)
            && self.path.as_deref().is_none_or(|want| path.contains(want))
    }

    /// Consumes one request's worth of the plan: the fault to inject, if any.
    /// The caller checks `applies_to` first.
    pub fn next_request(&mut self) -> Option<FaultMode> {
        if self.fail_after > 0 {
            self.fail_after -= 1;
            return None;
        }
        if self.count > 0 {
            self.count -= 1;
            return Some(self.mode);
        }
        None
    }

    pub fn is_exhausted(&self) -> bool {
        self.count == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_filter_counts_and_fails_only_matching_requests() {
        let mut plan = FaultPlan::from_json(
            &json!({"count": 1, "mode": "status", "status": 503, "path": "_arangosync/lock"}),
        )
        .unwrap();
        assert!(!plan.applies_to("PUT", "/_db/features/_api/collection"));
        assert!(plan.applies_to("PUT", "/_db/features/_api/document/_arangosync/lock"));
        assert_eq!(plan.next_request(), Some(FaultMode::Status(503)));
        assert!(plan.is_exhausted());
        assert!(FaultPlan::from_json(&json!({"mode": "reset", "path": 3})).is_err());
    }

    #[test]
    fn plan_lets_requests_through_then_fails_count_of_them() {
        let mut plan = FaultPlan::from_json(
            &json!({"failAfter": 2, "count": 2, "mode": "status", "status": 502}),
        )
        .unwrap();
        let seen: Vec<_> = (0..5).map(|_| plan.next_request()).collect();
        assert_eq!(
            seen,
            vec![
                None,
                None,
                Some(FaultMode::Status(502)),
                Some(FaultMode::Status(502)),
                None
            ]
        );
        assert!(plan.is_exhausted());
    }

    #[test]
    fn plan_defaults_and_errors() {
        let plan = FaultPlan::from_json(&json!({"mode": "reset"})).unwrap();
        assert_eq!((plan.fail_after, plan.count), (0, 1));
        let delay = FaultPlan::from_json(&json!({"mode": "delay", "delayMs": 20})).unwrap();
        assert_eq!(delay.mode, FaultMode::Delay(Duration::from_millis(20)));
        assert!(FaultPlan::from_json(&json!({"mode": "explode"})).is_err());
        assert!(FaultPlan::from_json(&json!({"mode": "status", "status": 200})).is_err());
        assert!(FaultPlan::from_json(&json!({"mode": "status", "count": -1})).is_err());
    }
}
