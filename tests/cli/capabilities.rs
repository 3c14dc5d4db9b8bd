//! Version and capability awareness: the server's facts read once per run
//! (version, role, vector indexes, user functions) on every server shape
//! the emulator presents, the plan refusing what the server cannot hold
//! before any write, and the offline `--target-version` checks.

use std::process::Command;

use arangodb_emulator::{Profile, Role, Version};
use serde_json::{json, Value};

use crate::support::{Harness, ROOT_PASSWORD};

fn profile(version: &str) -> Profile {
    Profile {
        version: version.parse::<Version>().expect("version"),
        ..Profile::default()
    }
}

fn collection(name: &str, indexes: &str) -> String {
    format!(
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: {name}\nspec:\n  indexes:\n{indexes}"
    )
}

const PLAIN: &str = "    - type: persistent\n      fields: [email]\n      name: byEmail\n";

/// The `server` object of `plan --format json`.
fn planned_server(harness: &Harness) -> Value {
    let plan = harness.run(&["plan", "--format", "json"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    let plan: Value = serde_json::from_str(&plan.stdout).expect("json plan");
    plan["server"].clone()
}

#[test]
fn the_server_facts_are_read_from_every_server_shape() {
    let cases = [
        (profile("3.11.14"), json!(["3.11.14", false, true, false])),
        (
            Profile {
                vector_index: true,
                ..profile("3.12.4")
            },
            json!(["3.12.4", false, true, true]),
        ),
        (profile("3.12.10"), json!(["3.12.10", false, true, false])),
        (
            Profile {
                vector_index: true,
                ..profile("3.12.10")
            },
            json!(["3.12.10", false, true, true]),
        ),
        (
            Profile {
                user_defined_functions: false,
                ..profile("3.12.10")
            },
            json!(["3.12.10", false, false, false]),
        ),
        (profile("4.0.0"), json!(["4.0.0", false, false, false])),
        (
            Profile {
                vector_index: true,
                ..profile("4.0.0")
            },
            json!(["4.0.0", false, false, true]),
        ),
        (
            Profile {
                role: Role::Coordinator,
                ..profile("3.12.10")
            },
            json!(["3.12.10", true, true, false]),
        ),
    ];
    for (profile, facts) in cases {
        let shape = format!("{profile:?}");
        let harness = Harness::with_profile(profile);
        let expected = json!({
            "version": facts[0], "cluster": facts[1], "userFunctions": facts[2],
            "vectorIndex": facts[3], "source": "live",
        });
        harness.write("users.yaml", &collection("users", PLAIN));
        // The database does not exist yet: the facts come through _system.
        assert_eq!(planned_server(&harness), expected, "{shape}, no database");
        let apply = harness.run(&["apply", "--create-database"]);
        assert_eq!(apply.status, 0, "{shape}: {apply:?}");
        assert_eq!(planned_server(&harness), expected, "{shape}");
        // Reading the facts wrote nothing, in particular no function.
        harness.reset_stats();
        let plan = harness.run(&["plan", "--detailed-exitcode"]);
        assert_eq!(plan.status, 0, "{shape}: {plan:?}");
        assert_eq!(harness.writes(), 0, "{shape}: {}", harness.stats());
        if harness.get_status("/_api/aqlfunction") == 200 {
            let functions = harness.get("/_api/aqlfunction");
            assert_eq!(functions["result"], json!([]), "{shape}");
        }
    }
}

#[test]
fn a_changed_plan_names_the_server_in_its_header() {
    let harness = Harness::with_profile(Profile {
        user_defined_functions: false,
        ..profile("3.12.10")
    });
    harness.write("users.yaml", &collection("users", PLAIN));
    let plan = harness.run(&["plan", "--create-database"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    assert!(
        plan.stdout.starts_with(
            "Plan for database \"features\" on ArangoDB 3.12.10, single server (vector indexes disabled, user functions not allowed):\n"
        ),
        "{plan:?}"
    );
    let markdown = harness.run(&["plan", "--create-database", "--format", "markdown"]);
    assert!(
        markdown.stdout.contains(
            "\nServer: ArangoDB 3.12.10, single server (vector indexes disabled, user functions not allowed).\n"
        ),
        "{markdown:?}"
    );
}

/// The plan keeps what the server cannot hold, blocked with the version it
/// needs; apply refuses before any write; everything else is untouched.
fn refused_before_any_write(harness: &Harness, blocked: &str) {
    harness.create_database();
    let plan = harness.run(&["plan"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    assert!(
        plan.stdout.contains(&format!("      BLOCKED: {blocked}\n")),
        "{}",
        plan.stdout
    );
    harness.reset_stats();
    let apply = harness.run(&["apply"]);
    assert_eq!(apply.status, 1, "{apply:?}");
    assert!(apply.stderr.contains("refusing to apply"), "{apply:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    assert_eq!(harness.get_status("/_api/collection/products"), 404);
}

const MDI: &str =
    "    - type: mdi\n      fields: [lat, lon]\n      fieldValueTypes: double\n      name: byPoint\n";

#[test]
fn an_mdi_index_is_refused_by_3_11_and_created_on_3_12() {
    let old = Harness::with_profile(profile("3.11.14"));
    old.write("products.yaml", &collection("products", MDI));
    refused_before_any_write(
        &old,
        "index type `mdi` needs ArangoDB 3.12.0 or later; the server is 3.11.14",
    );
    let harness = Harness::with_profile(profile("3.12.0"));
    harness.write("products.yaml", &collection("products", MDI));
    let apply = harness.run(&["apply", "--create-database"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    let types: Vec<Value> = harness
        .indexes("products")
        .iter()
        .map(|index| index["type"].clone())
        .collect();
    assert!(types.contains(&json!("mdi")), "{types:?}");
}

#[test]
fn a_fulltext_index_is_refused_by_4_0() {
    let harness = Harness::with_profile(profile("4.0.0"));
    harness.write(
        "products.yaml",
        &collection(
            "products",
            "    - type: fulltext\n      fields: [description]\n      name: byText\n",
        ),
    );
    refused_before_any_write(
        &harness,
        "index type `fulltext` was removed in ArangoDB 4.0.0; the server is 4.0.0 (use an inverted index or an ArangoSearch view)",
    );
}

/// A repository with a fulltext and a `hash` index: what 4.0 removed.
fn old_index_types(harness: &Harness) {
    harness.write(
        "users.yaml",
        &collection(
            "users",
            "    - type: fulltext\n      fields: [bio]\n      name: byBio\n    - type: hash\n      fields: [email]\n      name: byEmail\n",
        ),
    );
}

#[test]
fn validate_for_4_0_refuses_fulltext_and_hash_at_their_locations() {
    let harness = Harness::new();
    old_index_types(&harness);
    let run = harness.run(&["validate", "--target-version", "4.0"]);
    assert_eq!(run.status, 3, "{run:?}");
    assert_eq!(run.stdout, "");
    assert_eq!(
        crate::support::stable(&run.stderr, &harness),
        "[specs]/users.yaml:7:13: error[version-unsupported]: index `byBio` of collection `users`: index type `fulltext` was removed in ArangoDB 4.0.0; the target is 4.0.0
  hint: use an inverted index or an ArangoSearch view
[specs]/users.yaml:10:13: error[version-unsupported]: index `byEmail` of collection `users`: index type `hash` was removed in ArangoDB 4.0.0; the target is 4.0.0
  hint: write `type: persistent`
2 error(s), 0 warning(s)
error: [specs] has 2 error(s); nothing was changed
"
    );
    assert_eq!(harness.stats()["total"], 0, "validate never connects");
}

#[test]
fn validate_for_3_12_accepts_them_with_the_deprecation_warnings() {
    let harness = Harness::new();
    old_index_types(&harness);
    let run = harness.run(&["validate", "--target-version", "3.12"]);
    assert_eq!(run.status, 0, "{run:?}");
    assert_eq!(
        crate::support::stable(&run.stderr, &harness),
        "[specs]/users.yaml:7:13: warning[version-deprecated]: index `byBio` of collection `users`: index type `fulltext` is deprecated since ArangoDB 3.10.0 and removed in ArangoDB 4.0.0; the target is 3.12.0
  hint: use an inverted index or an ArangoSearch view
[specs]/users.yaml:10:13: warning[deprecated-index-type]: index type `hash` is a deprecated alias of `persistent`
  hint: write `type: persistent`; the alias is removed in ArangoDB 4.0
0 error(s), 2 warning(s)
"
    );
    // Without a target nothing is checked against a version.
    let plain = harness.run(&["validate"]);
    assert_eq!(plain.status, 0, "{plain:?}");
    assert!(!plain.stderr.contains("fulltext"), "{plain:?}");
}

/// `arangosync ARGS` with the target version in the environment only.
fn run_with_target_env(harness: &Harness, version: &str, args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_arangosync"))
        .args(args)
        .env_clear()
        .env("ARANGO_HOST", harness.emulator.url())
        .env("ARANGO_DATABASE", "features")
        .env("ARANGO_USER", "root")
        .env("ARANGO_PASSWORD", ROOT_PASSWORD)
        .env("ARANGOSYNC_DIR", harness.specs())
        .env("ARANGOSYNC_TARGET_VERSION", version)
        .env("NO_COLOR", "1")
        .output()
        .expect("arangosync runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_target_version_comes_from_the_environment_too() {
    let harness = Harness::new();
    old_index_types(&harness);
    let (status, stderr) = run_with_target_env(&harness, "4.0.1", &["validate"]);
    assert_eq!(status, 3, "{stderr}");
    assert!(stderr.contains("the target is 4.0.1"), "{stderr}");
    let (status, stderr) = run_with_target_env(&harness, "four", &["validate"]);
    assert_eq!(status, 3, "{stderr}");
    assert!(
        stderr.contains("`four` is not an ArangoDB version (expected X.Y or X.Y.Z"),
        "{stderr}"
    );
    // A plan against a database checks the specs before anything of them
    // reaches the server (it reads while they load).
    harness.reset_stats();
    let (status, stderr) = run_with_target_env(&harness, "4.0", &["plan"]);
    assert_eq!(status, 3, "{stderr}");
    assert_eq!(
        harness.beyond_spec_independent_reads(),
        Vec::<String>::new()
    );
}

#[test]
fn an_offline_plan_holds_the_specs_to_the_target() {
    let harness = Harness::new();
    let base = tempfile::tempdir().expect("temp dir");
    let base_dir = base.path().to_str().expect("utf-8").to_string();
    std::fs::write(base.path().join("users.yaml"), collection("users", PLAIN)).expect("base");
    harness.write("products.yaml", &collection("products", MDI));
    let old = harness.run(&[
        "plan",
        "--offline-from",
        &base_dir,
        "--target-version",
        "3.11",
    ]);
    assert_eq!(old.status, 3, "{old:?}");
    assert!(
        old.stderr.contains(
            "products.yaml:7:13: error[version-unsupported]: index `byPoint` of collection `products`: index type `mdi` needs ArangoDB 3.12.0 or later; the target is 3.11.0"
        ),
        "{old:?}"
    );
    let new = harness.run(&[
        "plan",
        "--offline-from",
        &base_dir,
        "--target-version",
        "3.12",
    ]);
    assert_eq!(new.status, 0, "{new:?}");
    assert!(
        new.stdout.starts_with(
            "Plan for database \"features\" on ArangoDB 3.12.0 as the target version (startup options assumed enabled):\n"
        ),
        "{new:?}"
    );
    let json = harness.run(&[
        "plan",
        "--offline-from",
        &base_dir,
        "--target-version",
        "3.12",
        "--format",
        "json",
    ]);
    let json: Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(
        json["server"],
        json!({"version": "3.12.0", "cluster": false, "userFunctions": true,
               "vectorIndex": false, "source": "target"}),
        "vector indexes arrive in 3.12.4"
    );
    let without = harness.run(&["plan", "--offline-from", &base_dir, "--format", "json"]);
    let without: Value = serde_json::from_str(&without.stdout).expect("json");
    assert_eq!(without["server"], Value::Null);
    assert_eq!(harness.stats()["total"], 0, "offline plans never connect");
}

#[test]
fn help_says_what_a_short_version_means() {
    for command in ["validate", "plan"] {
        let help = Harness::new().run(&[command, "--help"]);
        let text = help.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            text.contains("--target-version <X.Y[.Z]>")
                && text.contains("`X.Y` means `X.Y.0`")
                && text.contains("ARANGOSYNC_TARGET_VERSION"),
            "{command}: {}",
            help.stdout
        );
    }
}
