//! `plan --detailed-exitcode` and blocked changes: a plan apply would
//! refuse exits 1 (not 2, "changes pending"), still printed in full, with
//! a stderr line saying how many changes are blocked; without the flag the
//! status stays 0. The final JSON "plan finished" log line carries the
//! same status.

use serde_json::Value;

use crate::support::Harness;

const USERS: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
spec:
  indexes:
    - {type: persistent, fields: [email], unique: true, sparse: true, name: idx_users_email}
"#;

const ORDERS: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: orders
"#;

/// `users` and `orders` applied, then the specs changed so the plan holds
/// one blocked change (`users` keyOptions: a replace that deletes
/// documents, without --allow-destructive, and its index created again
/// with it) and one that is not (a new collection `events`).
fn blocked_plan() -> Harness {
    let harness = Harness::new();
    harness.write("users.yaml", USERS);
    harness.write("orders.yaml", ORDERS);
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    harness.write(
        "users.yaml",
        &USERS.replace(
            "spec:\n",
            "spec:\n  keyOptions: {type: autoincrement, increment: 10}\n",
        ),
    );
    harness.write("events.yaml", &ORDERS.replace("orders", "events"));
    harness
}

/// The last stderr line of a `--log-format json` run, parsed.
fn last_log_line(stderr: &str) -> Value {
    let line = stderr.lines().last().expect("a log line");
    serde_json::from_str(line).expect("a JSON log line")
}

const REFUSE_LINE: &str =
    "1 change(s) of this plan are blocked (marked BLOCKED in the plan); apply would refuse it";

#[test]
fn a_blocked_plan_exits_1_with_detailed_exitcode_and_0_without() {
    let harness = blocked_plan();
    harness.reset_stats();

    let detailed = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(detailed.status, 1, "{detailed:?}");
    // The plan is printed in full: the blocked change and the other one.
    assert!(
        detailed.stdout.contains("-/+ collection users (replace)"),
        "{detailed:?}"
    );
    assert!(detailed.stdout.contains("BLOCKED:"), "{detailed:?}");
    assert!(
        detailed.stdout.contains("+ collection events (create)"),
        "{detailed:?}"
    );
    assert!(
        detailed
            .stdout
            .ends_with("Plan: 2 to create, 0 to update, 1 to replace, 0 to delete; 1 blocked.\n"),
        "{detailed:?}"
    );
    assert_eq!(detailed.stderr, format!("ERROR {REFUSE_LINE} blocked=1\n"));

    let plain = harness.run(&["plan"]);
    assert_eq!(plain.status, 0, "{plain:?}");
    assert_eq!(plain.stdout, detailed.stdout);
    assert_eq!(plain.stderr, "", "no refusal line without the flag");

    // JSON plans exit alike.
    let json = harness.run(&["plan", "--detailed-exitcode", "--format", "json"]);
    assert_eq!(json.status, 1, "{json:?}");
    let parsed: Value = serde_json::from_str(&json.stdout).expect("the JSON plan");
    assert_eq!(parsed["summary"]["blocked"], 1);
    assert_eq!(harness.writes(), 0, "plan writes nothing");

    // The same specs with --allow-destructive: nothing blocked, changes
    // pending.
    let allowed = harness.run(&["plan", "--detailed-exitcode", "--allow-destructive"]);
    assert_eq!(allowed.status, 2, "{allowed:?}");
    assert_eq!(allowed.stderr, "", "{allowed:?}");
    // And apply refuses the plan the check failed on.
    let refused = harness.run(&["apply"]);
    assert_eq!(refused.status, 1, "{refused:?}");
    assert_eq!(harness.get_status("/_api/collection/events"), 404);
}

#[test]
fn the_plan_finished_log_line_carries_the_blocked_status() {
    let harness = blocked_plan();
    let detailed = harness.run(&["plan", "--detailed-exitcode", "--log-format", "json"]);
    assert_eq!(detailed.status, 1, "{detailed:?}");
    let lines: Vec<&str> = detailed.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{detailed:?}");
    let refusal: Value = serde_json::from_str(lines[0]).expect("a JSON log line");
    assert_eq!(refusal["level"], "ERROR");
    assert_eq!(refusal["fields"]["message"], REFUSE_LINE);
    assert_eq!(refusal["fields"]["blocked"], 1);
    let finished = last_log_line(&detailed.stderr);
    assert_eq!(finished["fields"]["message"], "plan finished");
    assert_eq!(finished["fields"]["exit_status"], 1);
    assert_eq!(finished["fields"]["blocked"], 1);
    assert_eq!(finished["fields"]["changes"], 3);

    let plain = harness.run(&["plan", "--log-format", "json"]);
    assert_eq!(plain.status, 0, "{plain:?}");
    let finished = last_log_line(&plain.stderr);
    assert_eq!(finished["fields"]["message"], "plan finished");
    assert_eq!(finished["fields"]["exit_status"], 0);
    assert_eq!(plain.stderr.lines().count(), 1, "{plain:?}");

    let allowed = harness.run(&[
        "plan",
        "--detailed-exitcode",
        "--allow-destructive",
        "--log-format",
        "json",
    ]);
    assert_eq!(allowed.status, 2, "{allowed:?}");
    let finished = last_log_line(&allowed.stderr);
    assert_eq!(finished["fields"]["exit_status"], 2);
    assert_eq!(finished["fields"]["blocked"], 0);
}
