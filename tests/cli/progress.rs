//! What apply shows while it runs: a progress bar on a terminal (stderr
//! only), nothing of it elsewhere, and log lines with the elapsed time of
//! a step that takes long (an index build the emulator is told to hold).

use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::support::{Harness, Run, ROOT_PASSWORD};

const SPECS: &str = "apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: things
spec:
  indexes:
    - {type: persistent, fields: [a], name: idx_things_a}
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: others
spec: {}
";

/// The changes of `SPECS` on an empty server: the database, the state
/// collection, two collections, one index.
const CHANGES: usize = 5;

/// The changes of the plan made under the apply lock, which the bar
/// counts: those after the database and the state collection.
const LOCKED_CHANGES: usize = 3;

fn harness() -> Harness {
    let harness = Harness::new();
    harness.write("specs.yaml", SPECS);
    harness
}

/// The emulator holds its answer to the next index create for `ms`
/// (the server builds the index meanwhile).
fn slow_index_build(harness: &Harness, ms: u64) {
    let response = reqwest::blocking::Client::new()
        .put(format!("{}/_emulator/faults", harness.url()))
        .json(&json!({"failAfter": 0, "count": 1, "mode": "delay", "delayMs": ms, "method": "POST", "path": "/_api/index"}))
        .send()
        .expect("faults");
    assert_eq!(response.status(), 200);
}

fn index_exists(harness: &Harness) -> bool {
    let indexes = harness.get("/_api/index?collection=things");
    indexes["indexes"]
        .as_array()
        .expect("indexes")
        .iter()
        .any(|index| index["name"] == "idx_things_a")
}

fn apply(harness: &Harness, env: &[(&str, &str)], extra: &[&str]) -> Run {
    let mut args = vec!["apply", "--create-database"];
    args.extend_from_slice(extra);
    harness.run_with_env("root", ROOT_PASSWORD, env, &args)
}

/// The lines of `stderr` that say a step is still running.
fn still_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| line.contains("still "))
        .collect()
}

#[test]
fn without_a_terminal_there_is_no_bar_and_stdout_is_the_plan() {
    let harness = harness();
    // NO_COLOR empty: colour would be allowed, were stderr a terminal.
    let run = apply(&harness, &[("NO_COLOR", "")], &[]);
    assert_eq!(run.status, 0, "{run:?}");
    for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(!text.contains('\u{1b}'), "escape codes on {name}: {text:?}");
        assert!(!text.contains('\r'), "carriage returns on {name}: {text:?}");
        assert!(!text.contains("applying "), "a bar on {name}: {text:?}");
    }
    // Quick steps are not reported as still running.
    assert_eq!(still_lines(&run.stderr), Vec::<&str>::new());
    // The log says which change is done, one line each.
    let done = run
        .stderr
        .lines()
        .filter(|line| line.contains(" done "))
        .count();
    assert_eq!(done, CHANGES, "{}", run.stderr);
    // Applied: nothing left to do.
    let again = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.status, 0, "{again:?}");
    assert!(index_exists(&harness));
    assert!(
        run.stdout.contains("+ index things/idx_things_a (create)"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("still"), "{}", run.stdout);
}

#[test]
fn a_slow_index_build_is_logged_with_its_elapsed_time() {
    let harness = harness();
    let reference = {
        let other = crate::support::Harness::new();
        other.write("specs.yaml", SPECS);
        apply(&other, &[], &[])
    };
    assert_eq!(reference.status, 0, "{reference:?}");
    slow_index_build(&harness, 2400);
    let run = apply(&harness, &[], &["--progress-interval", "1s"]);
    assert_eq!(run.status, 0, "{run:?}");
    // One line per interval crossed (a loaded machine may take longer
    // than the 2.4 s the server holds the answer: then more follow).
    let still = still_lines(&run.stderr);
    assert!(still.len() >= 2, "{}", run.stderr);
    for (at, line) in still.iter().enumerate() {
        let seconds = at + 1;
        assert_eq!(
            *line,
            format!(
                " INFO still building index things/idx_things_a ({seconds} s) change=index things/idx_things_a elapsed_s={seconds}"
            ),
            "{}",
            run.stderr
        );
    }
    // Progress is on stderr only: stdout is what a quick apply prints.
    assert_eq!(run.stdout, reference.stdout);
    assert!(index_exists(&harness));
}

#[test]
fn the_elapsed_time_is_a_json_log_line_with_json_logs() {
    let harness = harness();
    slow_index_build(&harness, 1500);
    let run = apply(
        &harness,
        &[("ARANGOSYNC_PROGRESS_INTERVAL", "1")],
        &["--log-format", "json"],
    );
    assert_eq!(run.status, 0, "{run:?}");
    let still: Vec<Value> = run
        .stderr
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("a JSON log line"))
        .filter(|line| {
            line["fields"]["message"]
                .as_str()
                .is_some_and(|message| message.starts_with("still "))
        })
        .collect();
    assert!(!still.is_empty(), "{}", run.stderr);
    assert_eq!(
        still[0]["fields"],
        json!({
            "message": "still building index things/idx_things_a (1 s)",
            "change": "index things/idx_things_a",
            "elapsed_s": 1
        })
    );
    assert_eq!(still[0]["level"], "INFO");
}

#[test]
fn quiet_shows_no_progress() {
    let harness = harness();
    slow_index_build(&harness, 1600);
    let run = apply(&harness, &[], &["-q", "--progress-interval", "1"]);
    assert_eq!(run.status, 0, "{run:?}");
    assert_eq!(run.stderr, "");
    assert!(index_exists(&harness));
}

#[test]
fn a_progress_interval_under_a_second_is_invalid_input() {
    let harness = harness();
    let run = apply(&harness, &[], &["--progress-interval", "500ms"]);
    assert_eq!(run.status, 3, "{run:?}");
    assert!(
        run.stderr.contains(
            "invalid value '500ms' for '--progress-interval <DURATION>': less than one second"
        ),
        "{}",
        run.stderr
    );
}

/// Apply with stderr into a pipe whose reading end is closed, while a slow
/// index build makes the progress log write (and fail) several times: the
/// apply goes on and succeeds.
#[test]
fn a_closed_stderr_does_not_stop_the_apply() {
    let harness = harness();
    slow_index_build(&harness, 2200);
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills both descriptors on success; each is owned once.
    // O_CLOEXEC keeps the reading end out of the child.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    let (reader, writer) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(reader);
    let output = Command::new(env!("CARGO_BIN_EXE_arangosync"))
        .args(["apply", "--create-database", "--progress-interval", "1"])
        .env_clear()
        .env("ARANGO_HOST", harness.url())
        .env("ARANGO_DATABASE", "features")
        .env("ARANGO_USER", "root")
        .env("ARANGO_PASSWORD", ROOT_PASSWORD)
        .env("ARANGOSYNC_DIR", harness.specs())
        .stdin(Stdio::null())
        .stderr(writer)
        .output()
        .expect("arangosync runs");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(index_exists(&harness));
}

/// Apply under a pseudo-terminal (util-linux `script`, which Debian
/// always has): stderr is the terminal, stdout a file.
#[test]
fn on_a_terminal_the_bar_is_drawn_on_stderr_and_stdout_is_unchanged() {
    let harness = harness();
    let reference = {
        let other = crate::support::Harness::new();
        other.write("specs.yaml", SPECS);
        apply(&other, &[], &[])
    };
    assert_eq!(reference.status, 0, "{reference:?}");
    slow_index_build(&harness, 3300);
    let stdout_file = harness.dir.path().join("stdout.txt");
    let output = Command::new("script")
        .args([
            "--quiet",
            "--return",
            "--command",
            "exec \"$ARANGOSYNC_BIN\" apply --create-database --progress-interval 1 > \"$STDOUT_FILE\"",
            "/dev/null",
        ])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("SHELL", "/bin/sh")
        .env("TERM", "xterm")
        .env("ARANGOSYNC_BIN", env!("CARGO_BIN_EXE_arangosync"))
        .env("STDOUT_FILE", &stdout_file)
        .env("ARANGO_HOST", harness.url())
        .env("ARANGO_DATABASE", "features")
        .env("ARANGO_USER", "root")
        .env("ARANGO_PASSWORD", ROOT_PASSWORD)
        .env("ARANGOSYNC_DIR", harness.specs())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("script (util-linux) runs");
    // What the terminal showed: arangosync's stderr.
    let terminal = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(0), "{terminal}");
    // The bar: drawn, redrawn in place, counting the changes to the end.
    assert!(
        terminal.contains(&format!("applying 0/{LOCKED_CHANGES} [")),
        "{terminal:?}"
    );
    assert!(terminal.contains("\u{1b}[2K"), "{terminal:?}");
    assert!(
        terminal.contains(&format!("applying {LOCKED_CHANGES}/{LOCKED_CHANGES} [")),
        "{terminal:?}"
    );
    // The slow build shows on the bar with its elapsed time, instead of
    // log lines.
    assert!(
        terminal.contains("building index things/idx_things_a (2 s)"),
        "{terminal:?}"
    );
    assert!(!terminal.contains("still building"), "{terminal:?}");
    // Log lines are printed above the bar.
    assert!(
        terminal.contains("done change=index things/idx_things_a"),
        "{terminal:?}"
    );
    let stdout = std::fs::read_to_string(&stdout_file).expect("stdout file");
    assert_eq!(stdout, reference.stdout);
    assert!(index_exists(&harness));
}

/// The plan and the log lines under a pseudo-terminal with `term`: what the
/// terminal showed (stdout and stderr both go to it).
fn plan_on_a_terminal(harness: &crate::support::Harness, term: &str) -> String {
    let output = Command::new("script")
        .args([
            "--quiet",
            "--return",
            "--command",
            "exec \"$ARANGOSYNC_BIN\" plan --create-database -v",
            "/dev/null",
        ])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("SHELL", "/bin/sh")
        .env("TERM", term)
        .env("ARANGOSYNC_BIN", env!("CARGO_BIN_EXE_arangosync"))
        .env("ARANGO_HOST", harness.url())
        .env("ARANGO_DATABASE", "features")
        .env("ARANGO_USER", "root")
        .env("ARANGO_PASSWORD", ROOT_PASSWORD)
        .env("ARANGOSYNC_DIR", harness.specs())
        .stdin(Stdio::null())
        .output()
        .expect("script (util-linux) runs");
    let terminal = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(0), "{terminal}");
    terminal
}

/// `TERM=dumb` cannot show escape codes: no colour in the plan or the logs,
/// while another terminal gets them.
#[test]
fn a_dumb_terminal_gets_no_escape_codes() {
    let harness = harness();
    let coloured = plan_on_a_terminal(&harness, "xterm");
    assert!(coloured.contains("\u{1b}["), "{coloured:?}");
    let dumb = plan_on_a_terminal(&harness, "dumb");
    assert!(dumb.contains("Plan: "), "{dumb:?}");
    assert!(!dumb.contains('\u{1b}'), "{dumb:?}");
}
