//! One truth in the numbers (issue 14): the summary of the plan `apply`
//! shows and the report it ends with count the same changes, and when the
//! plan made under the apply lock differs from the one shown, apply names
//! each change that appeared, vanished or changed, and why.

use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{
    assert_example_unchanged, example_features, snapshot_settings, stable, Harness, ROOT_PASSWORD,
};

/// Per-action counts: create, update, replace, delete.
type Counts = [u64; 4];

/// The counts of `Plan: 30 to create, 0 to update, 0 to replace, 0 to
/// delete.` in a text plan.
pub(crate) fn text_plan_counts(stdout: &str) -> Counts {
    let line = stdout
        .lines()
        .find(|line| line.starts_with("Plan: "))
        .unwrap_or_else(|| panic!("no summary line: {stdout}"));
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .map(|part| part.parse().expect("a count"))
        .collect();
    assert_eq!(numbers.len(), 4, "{line}");
    [numbers[0], numbers[1], numbers[2], numbers[3]]
}

/// The `summary` of a JSON plan.
fn json_plan_counts(stdout: &str) -> Counts {
    let plan: Value = serde_json::from_str(stdout).expect("a JSON plan");
    let summary = &plan["summary"];
    assert_eq!(summary["blocked"], 0, "{summary}");
    ["create", "update", "replace", "delete"].map(|action| {
        summary[action]
            .as_u64()
            .unwrap_or_else(|| panic!("{summary}"))
    })
}

/// `key=value` of the text log line `apply finished`.
fn text_log_field<'a>(line: &'a str, key: &str) -> &'a str {
    let start = line
        .find(&format!(" {key}="))
        .unwrap_or_else(|| panic!("no {key} in {line}"))
        + key.len()
        + 2;
    line[start..].split(' ').next().unwrap_or_default()
}

/// The counts of the text log line `apply finished`, checked to be the
/// plan shown (`as_planned`), with nothing deferred.
pub(crate) fn text_report_counts(stderr: &str) -> Counts {
    let line = stderr
        .lines()
        .find(|line| line.starts_with(" INFO apply finished "))
        .unwrap_or_else(|| panic!("no report: {stderr}"));
    assert_eq!(text_log_field(line, "as_planned"), "true", "{line}");
    assert_eq!(text_log_field(line, "deferred"), "0", "{line}");
    ["create", "update", "replace", "delete"]
        .map(|action| text_log_field(line, action).parse().expect("a count"))
}

/// The JSON log line whose message is `message`.
fn json_log<'a>(lines: &'a [Value], message: &str) -> &'a Value {
    lines
        .iter()
        .find(|line| line["fields"]["message"] == message)
        .unwrap_or_else(|| panic!("no {message:?} in {lines:#?}"))
}

fn json_logs(stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect()
}

/// The counts of the JSON log line `apply finished`, checked as in
/// `text_report_counts`.
fn json_report_counts(stderr: &str) -> Counts {
    let lines = json_logs(stderr);
    let report = &json_log(&lines, "apply finished")["fields"];
    assert_eq!(report["as_planned"], true, "{report}");
    assert_eq!(report["deferred"], 0, "{report}");
    ["create", "update", "replace", "delete"]
        .map(|action| report[action].as_u64().expect("a count"))
}

/// Applies the example repository (with `flags`) once with text output
/// and text logs and, on a second fresh server, with `--format json` and
/// `--log-format json`; checks that the plan's summary and the apply's
/// report count the same changes in both, and returns those counts.
fn applied_as_planned(phases: &[&[&str]]) -> Counts {
    let dir = example_features();
    let dir = dir.to_str().expect("utf-8");
    let mut per_format = Vec::new();
    for json in [false, true] {
        let harness = Harness::new();
        let mut per_phase = Vec::new();
        for flags in phases {
            let mut args = vec!["apply", "--dir", dir, "--create-database"];
            args.extend_from_slice(flags);
            if json {
                args.extend_from_slice(&["--format", "json", "--log-format", "json"]);
            }
            let run = harness.run(&args);
            assert_eq!(run.status, 0, "{run:?}");
            let (planned, reported) = if json {
                (
                    json_plan_counts(&run.stdout),
                    json_report_counts(&run.stderr),
                )
            } else {
                (
                    text_plan_counts(&run.stdout),
                    text_report_counts(&run.stderr),
                )
            };
            assert_eq!(planned, reported, "{flags:?}: {run:?}");
            assert!(planned.iter().sum::<u64>() > 0, "{flags:?}: {run:?}");
            per_phase.push(planned);
        }
        // Everything was applied: nothing is left to do.
        let after = harness.run(&["plan", "--dir", dir]);
        assert_eq!(after.status, 0, "{after:?}");
        assert_example_unchanged(&after.stdout);
        assert_eq!(harness.get_status("/_api/collection/_arangosync"), 200);
        assert_eq!(harness.get_status("/_api/collection/users"), 200);
        assert_eq!(harness.get_status("/_api/view/product_search"), 200);
        let functions = harness.get("/_api/aqlfunction?namespace=FEATURES");
        assert_eq!(
            functions["result"].as_array().map(Vec::len),
            Some(4),
            "{functions}"
        );
        per_format.push(per_phase);
    }
    // Text and JSON count alike.
    assert_eq!(per_format[0], per_format[1]);
    let mut total = [0; 4];
    for counts in &per_format[0] {
        for (sum, count) in total.iter_mut().zip(counts) {
            *sum += count;
        }
    }
    total
}

#[test]
fn a_first_apply_reports_the_counts_of_the_plan_it_showed() {
    // The database and the state collection, created before the apply
    // lock is taken, are counted in both.
    let total = applied_as_planned(&[&[]]);
    assert_eq!(total, [30, 0, 0, 0]);
}

#[test]
fn phase_pre_then_post_each_report_the_counts_of_the_plan_they_showed() {
    let total = applied_as_planned(&[&["--phase", "pre"], &["--phase", "post"]]);
    // Together the two phases are the first apply.
    assert_eq!(total, [30, 0, 0, 0]);
}

const LOCK: &str = "/_api/document/_arangosync/lock";

pub(crate) fn collection(name: &str, spec: &str) -> String {
    format!(
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: {name}\nspec:\n{spec}"
    )
}

/// How often the emulator has seen requests to `path` of the `features`
/// database.
pub(crate) fn requests_to(harness: &Harness, path: &str) -> u64 {
    harness.stats()["byPath"][format!("/_db/features{path}")]
        .as_u64()
        .unwrap_or(0)
}

pub(crate) fn wait_for(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(20));
    }
}

pub(crate) fn spawn(harness: &Harness, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_arangosync"))
        .args(args)
        .env_clear()
        .env("ARANGO_HOST", harness.emulator.url())
        .env("ARANGO_DATABASE", "features")
        .env("ARANGO_USER", "root")
        .env("ARANGO_PASSWORD", ROOT_PASSWORD)
        .env("ARANGOSYNC_DIR", harness.specs())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("arangosync starts")
}

/// Runs `apply EXTRA` while another run holds the lock; once it waits for
/// the lock (its plan shown), `meanwhile` changes the database, and the
/// other run's lock is released. Returns the exit status, stdout and
/// stderr.
/// Deletes the lock document, as an older arangosync releases its lock.
pub(crate) fn delete_lock(harness: &Harness) {
    let (status, body) = harness.api(
        reqwest::Method::DELETE,
        &format!("/_db/features{LOCK}"),
        None,
    );
    assert_eq!(status, 200, "{body}");
}

pub(crate) fn race(
    harness: &Harness,
    extra: &[&str],
    meanwhile: impl FnOnce(&Harness),
) -> (i32, String, String) {
    let held = crate::signals::foreign_lock("2026-01-01T00:00:00Z", 4_000_000_000, 600, 0);
    // Over the lock an earlier run released, if there is one.
    let (status, _) = harness.try_post("/_api/document/_arangosync", held.clone());
    if status == 409 {
        harness.put(LOCK, held);
    }
    let mut args = vec!["apply", "--lock-timeout", "60", "--concurrency", "1"];
    args.extend_from_slice(extra);
    // Earlier runs' lock requests are not this run's.
    harness.reset_stats();
    let child = spawn(harness, &args);
    // The run's first look at the lock (before it reads the database) is
    // a GET of it; its attempt to take it is the insert into the state
    // collection (the lock seen is held).
    wait_for("the wait for the lock", || {
        requests_to(harness, "/_api/document/_arangosync") > 0
    });
    meanwhile(harness);
    delete_lock(harness);
    let output = child.wait_with_output().expect("wait");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// An apply whose database changes between the plan it shows and the
/// plan it makes under the lock: it shows `create alpha` and `create
/// beta`; while it waits for a lock another run holds, collection alpha is
/// created as the specs say, beta with another `waitForSync`, and gamma
/// (created by an earlier apply) is dropped. Checks that the plan made
/// under the lock was applied; returns stdout and stderr.
fn replan_differs(extra: &[&str]) -> (String, String, Harness) {
    let harness = Harness::new();
    harness.write("gamma.yaml", &collection("gamma", "  waitForSync: false\n"));
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    harness.write("alpha.yaml", &collection("alpha", "  waitForSync: false\n"));
    harness.write("beta.yaml", &collection("beta", "  waitForSync: true\n"));
    let (status, stdout, stderr) = race(&harness, extra, |harness| {
        harness.post("/_api/collection", json!({"name": "alpha"}));
        harness.post(
            "/_api/collection",
            json!({"name": "beta", "waitForSync": false}),
        );
        let (status, _) = harness.api(
            reqwest::Method::DELETE,
            "/_db/features/_api/collection/gamma",
            None,
        );
        assert_eq!(status, 200);
    });
    assert_eq!(status, 0, "{stdout}{stderr}");
    for name in ["alpha", "beta", "gamma"] {
        let properties = harness.get(&format!("/_api/collection/{name}/properties"));
        assert_eq!(
            properties["waitForSync"],
            name == "beta",
            "{name}: {properties}"
        );
    }
    harness.assert_lock_released("the lock is released");
    let again = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.status, 0, "{again:?}");
    (stdout, stderr, harness)
}

#[test]
fn a_replan_with_a_blocked_change_is_refused_naming_it() {
    let harness = Harness::new();
    harness.write("gamma.yaml", &collection("gamma", "  waitForSync: false\n"));
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    harness.write("alpha.yaml", &collection("alpha", "  waitForSync: false\n"));
    harness.write("beta.yaml", &collection("beta", "  type: document\n"));
    // Someone creates beta as an edge collection: it cannot become a
    // document collection in place, and arangosync did not create it.
    let (status, stdout, stderr) = race(&harness, &[], |harness| {
        harness.post("/_api/collection", json!({"name": "beta", "type": 3}));
    });
    assert_eq!(status, 1, "{stdout}{stderr}");
    assert_eq!(text_plan_counts(&stdout), [2, 0, 0, 0], "{stdout}");
    let differences: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with(" WARN "))
        .collect();
    assert_eq!(differences.len(), 2, "{stderr}");
    assert!(
        differences[0].starts_with(
            " WARN the plan made under the lock differs from the plan shown change=collection beta action=\"replace\" difference=\"now blocked\" why="
        ),
        "{stderr}"
    );
    assert!(
        differences[1].starts_with(
            " WARN the database changed while this run waited for the lock; it has blocked changes: refusing to apply it appeared=0 vanished=0 changed=1 "
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "error: refusing to apply: the plan made under the lock has 1 blocked change(s); nothing of it was applied:\n  collection beta (replace): "
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("apply finished"), "{stderr}");
    // Nothing of the plan was applied, and the lock is released.
    assert_eq!(harness.get_status("/_api/collection/alpha"), 404);
    harness.assert_lock_released("");
}

#[test]
fn an_apply_whose_replan_differs_names_each_difference_and_why_and_counts_what_it_applied() {
    let (stdout, stderr, harness) = replan_differs(&[]);
    // How often the run saw the other lock varies; once is enough here.
    let mut waited = false;
    let stderr: Vec<&str> = stderr
        .lines()
        .filter(|line| {
            let waiting = line.contains("waiting for another arangosync run");
            let first = waiting && !waited;
            waited |= waiting;
            !waiting || first
        })
        .collect();
    let text = format!(
        "--- stdout\n{}--- stderr\n{}\n",
        stable(&stdout, &harness),
        stable(&stderr.join("\n"), &harness)
    );
    snapshot_settings().bind(|| insta::assert_snapshot!("replan_differs_text", text));
}

#[test]
fn in_json_logs_each_difference_of_the_replan_is_one_line_with_its_fields() {
    let (stdout, stderr, _harness) = replan_differs(&["--log-format", "json"]);
    assert_eq!(
        text_plan_counts(&stdout),
        [2, 0, 0, 0],
        "the plan shown: {stdout}"
    );
    let lines = json_logs(&stderr);
    let mut fields: Vec<Value> = lines
        .iter()
        .filter(|line| {
            let message = line["fields"]["message"].as_str().unwrap_or_default();
            message.contains("differs")
                || message.contains("meanwhile")
                || message.contains("waited for the lock")
                || message == "apply finished"
        })
        .map(|line| json!({"level": line["level"], "fields": line["fields"]}))
        .collect();
    assert!(!fields.is_empty(), "{stderr}");
    let report = fields.pop().expect("the report");
    assert_eq!(
        report,
        json!({"level": "INFO", "fields": {
            "message": "apply finished",
            "changes": 2, "create": 1, "update": 1, "replace": 0, "delete": 0, "deferred": 0,
            "summary": "1 created, 1 updated, 0 replaced, 0 deleted",
            "planned": "2 to create, 0 to update, 0 to replace, 0 to delete",
            "as_planned": false,
        }})
    );
    snapshot_settings().bind(|| insta::assert_json_snapshot!("replan_differs_json_logs", fields));
}

#[test]
fn when_another_run_made_every_change_meanwhile_nothing_is_applied_and_the_report_says_so() {
    let harness = Harness::new();
    harness.write("gamma.yaml", &collection("gamma", "  waitForSync: false\n"));
    let first = harness.run(&["apply", "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    harness.write("alpha.yaml", &collection("alpha", "  waitForSync: false\n"));
    let (status, stdout, stderr) = race(&harness, &[], |harness| {
        harness.post("/_api/collection", json!({"name": "alpha"}));
    });
    assert_eq!(status, 0, "{stdout}{stderr}");
    assert_eq!(text_plan_counts(&stdout), [1, 0, 0, 0], "{stdout}");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|line| !line.contains("waiting for another arangosync run"))
        .collect();
    assert_eq!(
        lines,
        [
            " WARN the plan made under the lock differs from the plan shown change=collection alpha action=\"create\" difference=\"vanished\" why=it exists now: another run or someone created it while this run waited for the lock",
            " WARN the database changed while this run waited for the lock; nothing is left to apply appeared=0 vanished=1 changed=0 summary=0 to create, 0 to update, 0 to replace, 0 to delete",
            " INFO apply finished changes=0 create=0 update=0 replace=0 delete=0 deferred=0 summary=0 created, 0 updated, 0 replaced, 0 deleted planned=1 to create, 0 to update, 0 to replace, 0 to delete as_planned=false",
        ]
    );
    harness.assert_lock_released("");
}

#[test]
fn a_saved_plan_of_the_example_reports_the_counts_it_was_saved_with() {
    let harness = Harness::new();
    let dir = example_features();
    let dir = dir.to_str().expect("utf-8");
    let file = harness.dir.path().join("plan.json");
    let file = file.to_str().expect("utf-8");
    let plan = harness.run(&["plan", "--dir", dir, "--create-database", "--out", file]);
    assert_eq!(plan.status, 0, "{plan:?}");
    assert_eq!(text_plan_counts(&plan.stdout), [30, 0, 0, 0], "{plan:?}");
    let apply = harness.run(&["apply", "--dir", dir, "--plan", file]);
    assert_eq!(apply.status, 0, "{apply:?}");
    assert_eq!(text_plan_counts(&apply.stdout), [30, 0, 0, 0], "{apply:?}");
    assert_eq!(
        text_report_counts(&apply.stderr),
        [30, 0, 0, 0],
        "{apply:?}"
    );
    let after = harness.run(&["plan", "--dir", dir]);
    assert_example_unchanged(&after.stdout);
}
