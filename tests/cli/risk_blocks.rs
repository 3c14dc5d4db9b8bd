//! Changes the server would refuse are blocked in the plan, so apply
//! refuses before any write: a unique index over values the plan counted
//! as duplicated (error 1210), also when the duplicates appear while apply
//! waits for the lock and when a saved plan is applied, and, on a cluster,
//! a unique index that leaves out a shard key (error 1470). Unknown counts
//! never block.

use arangodb_emulator::{Profile, Role};
use serde_json::{json, Value};

use crate::support::{snapshot_settings, stable, Harness};

const USERS: &str = "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: users\nspec:\n";

const PLAIN: &str =
    "  indexes:\n    - {type: persistent, fields: [email], name: idx_users_email}\n";
const UNIQUE: &str =
    "  indexes:\n    - {type: persistent, fields: [email], unique: true, name: idx_users_email}\n";

/// `users` with its plain email index, applied, holding `a@x` and `b@x`,
/// and with `duplicates` two more `a@x` (three documents share a value).
fn applied(harness: &Harness, duplicates: bool) {
    harness.write("users.yaml", &format!("{USERS}{PLAIN}"));
    let created = harness.run(&["apply", "--create-database"]);
    assert_eq!(created.status, 0, "{created:?}");
    harness.post(
        "/_api/document/users",
        json!([{"_key": "k1", "email": "a@x"}, {"_key": "k3", "email": "b@x"}]),
    );
    if duplicates {
        insert_duplicates(harness);
    }
}

fn insert_duplicates(harness: &Harness) {
    harness.post(
        "/_api/document/users",
        json!([{"_key": "k2", "email": "a@x"}, {"_key": "k4", "email": "a@x"}]),
    );
}

/// The email index as the server holds it: `unique`, and that it exists.
fn email_index(harness: &Harness) -> Value {
    harness
        .indexes("users")
        .into_iter()
        .find(|index| index["name"] == "idx_users_email")
        .map_or(Value::Null, |index| index["unique"].clone())
}

const BLOCK: &str = "BLOCKED: 3 existing documents have the same (email) value as another document, so the server would refuse this unique index (error 1210); make the values unique or drop `unique`";

#[test]
fn a_unique_index_over_counted_duplicates_is_blocked_and_apply_writes_nothing() {
    let harness = Harness::new();
    applied(&harness, true);
    harness.write("users.yaml", &format!("{USERS}{UNIQUE}"));
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 1, "{plan:?}");
    let text = stable(&plan.stdout, &harness);
    snapshot_settings().bind(|| insta::assert_snapshot!("risk_block_unique_plan", text));
    assert!(plan.stdout.contains(BLOCK), "{}", plan.stdout);
    let json_plan = harness.run(&["plan", "--format", "json"]);
    let json_plan: Value = serde_json::from_str(&json_plan.stdout).expect("JSON plan");
    assert_eq!(
        json_plan["changes"][0]["blocked"],
        BLOCK.trim_start_matches("BLOCKED: ")
    );

    harness.reset_stats();
    let apply = harness.run(&["apply"]);
    assert_eq!(apply.status, 1, "{apply:?}");
    assert!(apply.stdout.contains(BLOCK), "{}", apply.stdout);
    assert!(
        apply.stderr.contains(
            "error: refusing to apply: 1 change(s) are blocked (marked BLOCKED in the plan); nothing was changed"
        ),
        "{}",
        apply.stderr
    );
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    // The old index is still there, not unique.
    assert_eq!(email_index(&harness), json!(false));

    // Once the values are unique the same specs apply.
    let (status, _) = harness.api(
        reqwest::Method::DELETE,
        "/_db/features/_api/document/users/k2",
        None,
    );
    assert_eq!(status, 202);
    harness.api(
        reqwest::Method::DELETE,
        "/_db/features/_api/document/users/k4",
        None,
    );
    let apply = harness.run(&["apply"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    assert_eq!(email_index(&harness), json!(true));
}

#[test]
fn a_saved_plan_is_refused_when_duplicates_appeared_since() {
    let harness = Harness::new();
    applied(&harness, false);
    harness.write("users.yaml", &format!("{USERS}{UNIQUE}"));
    let file = harness.specs().join("../unique.plan.json");
    let file = file.to_str().expect("utf-8");
    let plan = harness.run(&["plan", "--out", file, "--detailed-exitcode"]);
    assert_eq!(plan.status, 2, "{plan:?}");
    assert!(!plan.stdout.contains("BLOCKED"), "{}", plan.stdout);
    insert_duplicates(&harness);
    harness.reset_stats();
    let apply = harness.run(&["apply", "--plan", file]);
    assert_eq!(apply.status, 1, "{apply:?}");
    assert!(apply.stdout.contains(BLOCK), "{}", apply.stdout);
    assert!(
        apply
            .stderr
            .contains("error: refusing to apply: 1 change(s) are blocked"),
        "{}",
        apply.stderr
    );
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    assert_eq!(email_index(&harness), json!(false));
}

#[test]
fn duplicates_that_appear_while_apply_waits_for_the_lock_block_the_replan() {
    let harness = Harness::new();
    applied(&harness, false);
    harness.write("users.yaml", &format!("{USERS}{UNIQUE}"));
    let (status, stdout, stderr) = crate::counts::race(&harness, &[], insert_duplicates);
    assert_eq!(status, 1, "{stdout}{stderr}");
    assert!(!stdout.contains("BLOCKED"), "{stdout}");
    assert!(
        stderr.contains(
            " WARN the plan made under the lock differs from the plan shown change=index users/idx_users_email action=\"replace\" difference=\"now blocked\" why=3 existing documents have the same (email) value as another document"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "error: refusing to apply: the plan made under the lock has 1 blocked change(s); nothing of it was applied:\n  index users/idx_users_email (replace): {}",
            BLOCK.trim_start_matches("BLOCKED: ")
        )),
        "{stderr}"
    );
    assert_eq!(email_index(&harness), json!(false));
}

#[test]
fn duplicates_that_appear_before_the_lock_block_the_plan_that_stands_under_it() {
    // The run takes the released lock it saw before reading the database,
    // so its plan stands, but documents are not guarded by the lock: the
    // counts that can block are read again under it.
    let harness = Harness::new();
    applied(&harness, false);
    harness.write("users.yaml", &format!("{USERS}{UNIQUE}"));
    // The run's replace of the released lock is held 2 s.
    let (status, body) = harness.api(
        reqwest::Method::PUT,
        "/_emulator/faults",
        Some(json!({"mode": "delay", "delayMs": 2000, "count": 1, "method": "PUT", "path": "_arangosync/lock"})),
    );
    assert_eq!(status, 200, "{body}");
    harness.reset_stats();
    let child = crate::counts::spawn(&harness, &["apply"]);
    crate::counts::wait_for("the run's attempt to take the lock", || {
        crate::counts::requests_to(&harness, "/_api/document/_arangosync/lock") >= 2
    });
    insert_duplicates(&harness);
    let output = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    // One read of the database: the plan shown stood.
    assert_eq!(
        crate::counts::requests_to(&harness, "/_api/replication/inventory"),
        1,
        "{stderr}"
    );
    assert!(!stdout.contains("BLOCKED"), "{stdout}");
    assert!(
        stderr.contains(
            " WARN the plan made under the lock differs from the plan shown change=index users/idx_users_email action=\"replace\" difference=\"now blocked\""
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "error: refusing to apply: the plan made under the lock has 1 blocked change(s)"
        ),
        "{stderr}"
    );
    assert_eq!(email_index(&harness), json!(false));
    harness.assert_lock_released(&stderr);
}

#[test]
fn a_plan_without_a_unique_index_makes_no_count_request_under_the_lock() {
    let harness = Harness::new();
    applied(&harness, true);
    harness.write(
        "users.yaml",
        &format!("{USERS}{PLAIN}  waitForSync: true\n"),
    );
    // No released lock to take (an older arangosync deletes it): the run
    // reads and plans again under the lock.
    let (status, _) = harness.api(
        reqwest::Method::DELETE,
        "/_db/features/_api/document/_arangosync/lock",
        None,
    );
    assert_eq!(status, 200);
    harness.reset_stats();
    let apply = harness.run(&["apply"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    // Only the ownership records are read by a cursor (once per plan).
    assert_eq!(
        harness.stats()["byPath"]["/_db/features/_api/cursor"],
        json!(2),
        "{}",
        harness.stats()
    );
}

fn coordinator() -> Harness {
    Harness::with_profile(Profile {
        role: Role::Coordinator,
        ..crate::support::example_profile()
    })
}

fn sharded(shards: u64, indexes: &str) -> String {
    format!("{USERS}  numberOfShards: {shards}\n{indexes}")
}

#[test]
fn on_a_cluster_a_unique_index_without_the_shard_keys_is_blocked() {
    let harness = coordinator();
    harness.write("users.yaml", &sharded(3, PLAIN));
    let created = harness.run(&["apply", "--create-database"]);
    assert_eq!(created.status, 0, "{created:?}");
    harness.write("users.yaml", &sharded(3, UNIQUE));
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 1, "{plan:?}");
    let text = stable(&plan.stdout, &harness);
    snapshot_settings().bind(|| insta::assert_snapshot!("risk_block_shard_keys_plan", text));
    harness.reset_stats();
    let apply = harness.run(&["apply"]);
    assert_eq!(apply.status, 1, "{apply:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());
    assert_eq!(email_index(&harness), json!(false));

    // With `_key` in its fields the coordinator takes it.
    harness.write(
        "users.yaml",
        &sharded(
            3,
            "  indexes:\n    - {type: persistent, fields: [email, _key], unique: true, name: idx_users_email}\n",
        ),
    );
    let apply = harness.run(&["apply"]);
    assert_eq!(apply.status, 0, "{apply:?}");
    assert_eq!(email_index(&harness), json!(true));

    // A new collection with one shard: nothing to refuse.
    let single = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(single.status, 0, "{single:?}");
    harness.write(
        "one.yaml",
        &sharded(1, UNIQUE).replace("name: users", "name: one"),
    );
    let one = harness.run(&["apply"]);
    assert_eq!(one.status, 0, "{one:?}");
}

#[test]
fn a_new_sharded_collection_with_a_unique_index_is_blocked_too() {
    let harness = coordinator();
    harness.write("users.yaml", &sharded(2, UNIQUE));
    let apply = harness.run(&["apply", "--create-database"]);
    assert_eq!(apply.status, 1, "{apply:?}");
    assert!(
        apply.stdout.contains("BLOCKED: on a cluster a unique index must contain every shard key of its collection: users has 2 shards by (_key), and this index leaves out (_key)"),
        "{}",
        apply.stdout
    );
    assert_eq!(harness.get_status("/_api/collection/users"), 404);
    // A single server has no shard keys.
    let single = Harness::new();
    single.write("users.yaml", &sharded(2, UNIQUE));
    let apply = single.run(&["apply", "--create-database"]);
    assert_eq!(apply.status, 0, "{apply:?}");
}
