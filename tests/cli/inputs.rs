//! Inputs as people write them (issue 11, items 6-8): names the server
//! would refuse are caught offline, text saved by Windows editors (byte
//! order mark, CRLF) means the same as LF text, and YAML merge keys and
//! YAML 1.1 booleans are read as Kubernetes users expect.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use crate::support::{snapshot_settings, stable, Harness, Run, ROOT_PASSWORD};

const USERS: &str =
    "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: users\n";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Runs `arangosync ARGS` as root with `ARANGO_DATABASE` set to `database`.
fn run_in(harness: &Harness, database: &str, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_arangosync"))
        .args(args)
        .env_clear()
        .env("ARANGO_HOST", harness.emulator.url())
        .env("ARANGO_DATABASE", database)
        .env("ARANGO_USER", "root")
        .env("ARANGO_PASSWORD", ROOT_PASSWORD)
        .env("ARANGOSYNC_DIR", harness.specs())
        .env("ARANGOSYNC_WAIT_TIMEOUT", "5")
        .env("NO_COLOR", "1")
        .output()
        .expect("arangosync runs");
    Run {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn database_names(harness: &Harness) -> Vec<String> {
    let body: Value = reqwest::blocking::Client::new()
        .get(format!("{}/_api/database", harness.emulator.url()))
        .basic_auth("root", Some(ROOT_PASSWORD))
        .send()
        .expect("emulator answers")
        .json()
        .expect("json");
    body["result"]
        .as_array()
        .expect("database list")
        .iter()
        .filter_map(|name| name.as_str().map(str::to_string))
        .collect()
}

/// A Secret made with `echo` (trailing line break), outer spaces, a `/`
/// and a name in Unicode NFD form (as macOS file systems write it): each is
/// invalid input for `plan` and `apply`, with a hint, before any request;
/// no second, differently written database appears.
#[test]
fn database_names_the_server_refuses_are_invalid_input_before_any_request() {
    let harness = Harness::new();
    harness.write("users.yaml", USERS);
    let mut report = String::new();
    for database in [
        "features\n",
        "features\r\n",
        " features",
        "features ",
        "feature/store",
        "cafe\u{301}-features",
    ] {
        for command in [&["plan"][..], &["apply", "--create-database"][..]] {
            harness.reset_stats();
            let run = run_in(&harness, database, command);
            assert_eq!(run.status, 3, "{database:?} {command:?}: {run:?}");
            assert_eq!(run.stdout, "", "{database:?} {command:?}");
            assert_eq!(
                harness.stats()["total"].as_u64(),
                Some(0),
                "{database:?} {command:?} sent requests"
            );
            if command[0] == "plan" {
                report.push_str(&format!("$ ARANGO_DATABASE={database:?} arangosync plan\n"));
                report.push_str(&stable(&run.stderr, &harness));
            }
        }
    }
    assert_eq!(database_names(&harness), ["_system"]);
    snapshot_settings().bind(|| insta::assert_snapshot!("inputs_database_names_refused", report));
}

/// A database name only the server's extended names allow (on by default
/// in 3.12, which the emulator presents) is used, with a warning that a
/// server without them refuses it.
#[test]
fn an_extended_database_name_is_used_with_a_warning() {
    let harness = Harness::new();
    harness.write("users.yaml", USERS);
    let run = run_in(&harness, "kunden-köln", &["apply", "--create-database"]);
    assert_eq!(run.status, 0, "{run:?}");
    assert!(
        run.stderr.contains(
            "database name \"kunden-köln\" is valid only where the server has extended names"
        ),
        "{}",
        run.stderr
    );
    let mut names = database_names(&harness);
    names.sort();
    assert_eq!(names, ["_system", "kunden-köln"]);
}

/// `plan` and `apply` check their flags before the specs load (the load
/// runs beside the connection): a warning about the database name comes
/// before the specs' diagnostics, in every run.
#[test]
fn warnings_about_the_flags_come_before_the_specs_diagnostics() {
    let harness = Harness::new();
    harness.write("users.yaml", USERS);
    harness.write("empty.yaml", "");
    for command in [&["plan"][..], &["apply", "--dry-run"][..]] {
        let run = run_in(&harness, "kunden-köln", command);
        assert_eq!(run.status, 0, "{command:?}: {run:?}");
        let flag = run
            .stderr
            .find("is valid only where the server has extended names");
        let spec = run.stderr.find("warning[empty-file]");
        assert!(
            flag.is_some() && spec.is_some() && flag < spec,
            "{command:?}: {}",
            run.stderr
        );
    }
}

/// The same specs and query saved with a byte order mark and CRLF line
/// ends, applied, then planned from the LF copy: no change, and the
/// function's code, hash and the schema message carry no `\r`.
#[test]
fn crlf_and_bom_files_mean_the_same_as_lf_files() {
    let harness = Harness::new();
    let crlf = fixture("encodings/crlf-bom");
    let lf = fixture("encodings/lf");
    // The fixture really is what it claims to be.
    let raw = std::fs::read(crlf.join("user_count_v1.aql")).expect("fixture");
    assert!(raw.starts_with(b"\xef\xbb\xbf") && raw.windows(2).any(|w| w == b"\r\n"));
    let raw = std::fs::read(crlf.join("users.yaml")).expect("fixture");
    assert!(raw.starts_with(b"\xef\xbb\xbf") && raw.windows(2).any(|w| w == b"\r\n"));

    let apply = harness.run(&[
        "apply",
        "--dir",
        crlf.to_str().expect("utf-8"),
        "--create-database",
    ]);
    assert_eq!(apply.status, 0, "{apply:?}");
    assert!(!apply.stderr.contains("warning"), "{}", apply.stderr);

    harness.reset_stats();
    let plan = harness.run(&[
        "plan",
        "--dir",
        lf.to_str().expect("utf-8"),
        "--detailed-exitcode",
    ]);
    assert_eq!(plan.status, 0, "{plan:?}");
    assert_eq!(
        plan.stdout,
        "No changes: database \"features\" matches the specs.\n"
    );
    assert_eq!(harness.writes(), 0);

    let functions = harness.get("/_api/aqlfunction?namespace=FEATURES")["result"].clone();
    let code = functions[0]["code"].as_str().expect("code");
    assert!(!code.contains('\r') && !code.contains('\u{feff}'), "{code}");
    let schema = harness.get("/_api/collection/users/properties")["schema"].clone();
    assert_eq!(
        schema["message"],
        json!("users need an email;\nsee the data contract\n")
    );

    // And the other way round: LF applied, CRLF planned.
    let other = Harness::new();
    let apply = other.run(&[
        "apply",
        "--dir",
        lf.to_str().expect("utf-8"),
        "--create-database",
    ]);
    assert_eq!(apply.status, 0, "{apply:?}");
    let plan = other.run(&[
        "plan",
        "--dir",
        crlf.to_str().expect("utf-8"),
        "--detailed-exitcode",
    ]);
    assert_eq!(plan.status, 0, "{plan:?}");
}

/// Merge keys (`<<: *a`, `<<: [*a, *b]`, an inline mapping) validate and
/// apply; what the server has is the merged value, with own keys winning.
#[test]
fn merge_keys_validate_and_apply() {
    let harness = Harness::new();
    let dir = fixture("merge-keys");
    let dir = dir.to_str().expect("utf-8");
    let validate = harness.run(&["validate", "--dir", dir]);
    assert_eq!(validate.status, 0, "{validate:?}");
    assert_eq!(validate.stderr, "", "{validate:?}");
    let apply = harness.run(&["apply", "--dir", dir, "--create-database"]);
    assert_eq!(apply.status, 0, "{apply:?}");

    let indexes = harness.indexes("sessions");
    let by_fields = |field: &str| {
        indexes
            .iter()
            .find(|index| index["fields"] == json!([field]))
            .unwrap_or_else(|| panic!("no index on {field}: {indexes:?}"))
            .clone()
    };
    let user = by_fields("user_id");
    assert_eq!(
        (&user["type"], &user["sparse"], &user["cacheEnabled"]),
        (&json!("persistent"), &json!(true), &json!(true))
    );
    let device = by_fields("device_id");
    assert_eq!(
        (&device["name"], &device["sparse"], &device["cacheEnabled"]),
        (&json!("byDevice"), &json!(true), &json!(true))
    );
    let token = by_fields("token");
    assert_eq!(
        (
            &token["unique"],
            &token["sparse"],
            &token["estimates"],
            &token["cacheEnabled"]
        ),
        (&json!(true), &json!(false), &json!(false), &json!(true))
    );
    assert_eq!(by_fields("expires_at")["type"], json!("ttl"));
    let devices = harness.get("/_api/collection/devices/properties");
    assert_eq!(
        (&devices["waitForSync"], &devices["cacheEnabled"]),
        (&json!(true), &json!(false))
    );

    let plan = harness.run(&["plan", "--dir", dir, "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{plan:?}");
}

/// Plain `yes`, `No`, `on`, `OFF`, `y`, `n` stay strings (YAML 1.2) but are
/// warned about with file:line:col, as yamllint's `truthy` rule does; the
/// server gets the strings.
#[test]
fn yaml11_booleans_stay_strings_with_a_warning() {
    let harness = Harness::new();
    harness.write(
        "users.yaml",
        &format!(
            "{USERS}spec:\n  schema:\n    rule:\n      properties:\n        \
             newsletter: {{enum: [yes, No, 'on', \"off\"]}}\n        \
             country: {{enum: [de, no, se]}}\n    level: moderate\n"
        ),
    );
    let validate = harness.run(&["validate"]);
    assert_eq!(validate.status, 0, "{validate:?}");
    let stderr = stable(&validate.stderr, &harness);
    snapshot_settings().bind(|| insta::assert_snapshot!("inputs_yaml11_booleans", stderr));

    let apply = harness.run(&["apply", "--create-database"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    let schema = harness.get("/_api/collection/users/properties")["schema"].clone();
    assert_eq!(
        schema["rule"]["properties"],
        json!({
            "newsletter": {"enum": ["yes", "No", "on", "off"]},
            "country": {"enum": ["de", "no", "se"]},
        })
    );
}

/// A `--password-file` saved with a byte order mark and CRLF (Notepad)
/// logs in like the plain password.
#[test]
fn a_password_file_with_bom_and_crlf_works() {
    let harness = Harness::new();
    harness.write("users.yaml", USERS);
    let file = harness.dir.path().join("password.txt");
    std::fs::write(&file, format!("\u{feff}{ROOT_PASSWORD}\r\n")).expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_arangosync"))
        .args(["apply", "--create-database", "--password-file"])
        .arg(&file)
        .env_clear()
        .env("ARANGO_HOST", harness.emulator.url())
        .env("ARANGO_DATABASE", "features")
        .env("ARANGO_USER", "root")
        .env("ARANGOSYNC_DIR", harness.specs())
        .env("ARANGOSYNC_WAIT_TIMEOUT", "5")
        .env("NO_COLOR", "1")
        .output()
        .expect("arangosync runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        harness.get("/_api/collection/users/properties")["name"],
        json!("users")
    );
}

/// The function namespace is a name too: a line break or a `/` in it is
/// invalid input before any request.
#[test]
fn a_function_namespace_the_server_refuses_is_invalid_input() {
    let harness = Harness::new();
    harness.write("users.yaml", USERS);
    for namespace in ["features\n", "feature/store", " features"] {
        harness.reset_stats();
        let run = harness.run(&["plan", "--namespace", namespace]);
        assert_eq!(run.status, 3, "{namespace:?}: {run:?}");
        assert!(run.stderr.contains("invalid --namespace"), "{run:?}");
        assert_eq!(harness.stats()["total"].as_u64(), Some(0), "{namespace:?}");
    }
}
