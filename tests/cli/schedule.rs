//! How apply orders its changes: an index starts once its own collection
//! is there (not after every collection), a failure stops every new start,
//! and the pending and ownership records read back from `_arangosync` are
//! right after a full run and after a failure.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::counts::{collection, spawn, wait_for};
use crate::lock_history::set_faults;
use crate::support::Harness;

const NAMES: [&str; 3] = ["alpha", "beta", "gamma"];

/// Collections alpha, beta and gamma, each with a named index.
fn specs(harness: &Harness, names: &[&str]) {
    let text: Vec<String> = names
        .iter()
        .map(|name| {
            collection(
                name,
                &format!("  indexes:\n    - {{type: persistent, fields: [f], name: idx_{name}}}\n"),
            )
        })
        .collect();
    harness.write("specs.yaml", &text.join("---\n"));
}

fn clear_faults(harness: &Harness) {
    let (status, body) = harness.api(reqwest::Method::DELETE, "/_emulator/faults", None);
    assert_eq!(status, 200, "{body}");
}

/// The records of `_arangosync` of one type ("owned", "pending"), as
/// "collection alpha" or "index alpha/idx_alpha".
fn records(harness: &Harness, kind: &str) -> BTreeSet<String> {
    let body = harness.post(
        "/_api/cursor",
        json!({"query": "FOR d IN _arangosync FILTER d.type == @type RETURN d", "bindVars": {"type": kind}}),
    );
    body["result"]
        .as_array()
        .expect("result")
        .iter()
        .map(|record| match record["kind"].as_str() {
            Some("index") => format!(
                "index {}/{}",
                record["collection"].as_str().unwrap_or("?"),
                record["name"].as_str().unwrap_or("-")
            ),
            kind => format!(
                "{} {}",
                kind.unwrap_or("?"),
                record["name"].as_str().unwrap_or("?")
            ),
        })
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|item| item.to_string()).collect()
}

/// Named indexes of `collection` (its primary index aside); none when the
/// collection is not there.
fn named_indexes(harness: &Harness, collection: &str) -> Vec<String> {
    let (status, body) = harness.api(
        reqwest::Method::GET,
        &format!("/_db/features/_api/index?collection={collection}"),
        None,
    );
    if status == 404 {
        return Vec::new();
    }
    body["indexes"]
        .as_array()
        .expect("indexes")
        .iter()
        .filter(|index| index["type"] != "primary")
        .map(|index| index["name"].as_str().unwrap_or("?").to_string())
        .collect()
}

fn everything_owned() -> BTreeSet<String> {
    NAMES
        .iter()
        .flat_map(|name| {
            [
                format!("collection {name}"),
                format!("index {name}/idx_{name}"),
            ]
        })
        .collect()
}

#[test]
fn a_full_run_leaves_an_ownership_record_per_object_and_no_pending_one() {
    let harness = Harness::new();
    harness.create_database();
    specs(&harness, &NAMES);
    let applied = harness.run(&["apply"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    assert_eq!(records(&harness, "owned"), everything_owned());
    assert_eq!(records(&harness, "pending"), BTreeSet::new());
    for name in NAMES {
        assert_eq!(named_indexes(&harness, name), [format!("idx_{name}")]);
    }
}

/// Applies the specs of `names` one change at a time, in order: alpha,
/// beta, ..., then (once alpha is there) alpha's index. The creates of the
/// state collection and alpha pass; beta's is refused, so the run fails.
fn apply_with_beta_refused(names: &[&str]) -> (Harness, crate::support::Run) {
    let harness = Harness::new();
    harness.create_database();
    specs(&harness, names);
    set_faults(
        &harness,
        json!({"failAfter": 2, "count": 1, "mode": "status", "status": 400, "method": "POST", "path": "/_db/features/_api/collection"}),
    );
    let failed = harness.run(&["apply", "--concurrency", "1"]);
    assert_eq!(failed.status, 1, "{failed:?}");
    clear_faults(&harness);
    (harness, failed)
}

#[test]
fn a_failed_collection_create_stops_new_starts_and_its_index_never_starts() {
    let (harness, failed) = apply_with_beta_refused(&NAMES);
    assert_eq!(harness.get_status("/_api/collection/alpha"), 200);
    assert_eq!(
        harness.get_status("/_api/collection/beta"),
        404,
        "{failed:?}"
    );
    // gamma's create and alpha's index were ready when beta failed: they
    // never started. beta's index never became ready.
    assert_eq!(harness.get_status("/_api/collection/gamma"), 404);
    assert_eq!(named_indexes(&harness, "alpha"), Vec::<String>::new());
    // What was created is owned; beta's refused create left no pending
    // record, and the run took back those of the creates it never sent.
    assert_eq!(records(&harness, "owned"), set(&["collection alpha"]));
    assert_eq!(records(&harness, "pending"), BTreeSet::new());

    // The next plan has nothing to settle and creates what is missing.
    let plan = harness.run(&["plan", "--format", "json"]);
    let plan: Value = serde_json::from_str(&plan.stdout).expect("json plan");
    let changes: Vec<String> = plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|change| {
            format!(
                "{} {}",
                change["action"].as_str().unwrap_or("?"),
                change["address"]["kind"].as_str().unwrap_or("?")
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            "create collection",
            "create collection",
            "create index",
            "create index",
            "create index"
        ],
        "{plan}"
    );
    let applied = harness.run(&["apply"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    assert_eq!(records(&harness, "owned"), everything_owned());
    assert_eq!(records(&harness, "pending"), BTreeSet::new());
    let again = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.status, 0, "{again:?}");
}

#[test]
fn an_index_starts_once_its_own_collection_is_there() {
    let harness = Harness::new();
    harness.create_database();
    specs(&harness, &["alpha", "beta"]);
    // alpha and beta start together; the server holds the second create
    // to arrive (the state collection's was the first of all) before it
    // carries it out.
    set_faults(
        &harness,
        json!({"failAfter": 2, "count": 1, "mode": "delay", "delayMs": 4000, "method": "POST", "path": "/_db/features/_api/collection"}),
    );
    let child = spawn(&harness, &["apply", "--concurrency", "2"]);
    wait_for("an index to be created", || {
        ["alpha", "beta"]
            .iter()
            .any(|name| !named_indexes(&harness, name).is_empty())
    });
    // The index of the collection created first is there while the other
    // collection's create is still held.
    let missing: Vec<&str> = ["alpha", "beta"]
        .into_iter()
        .filter(|name| harness.get_status(&format!("/_api/collection/{name}")) == 404)
        .collect();
    assert_eq!(missing.len(), 1, "{missing:?}");
    let output = child.wait_with_output().expect("apply ends");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    for name in ["alpha", "beta"] {
        assert_eq!(named_indexes(&harness, name), [format!("idx_{name}")]);
    }
    assert_eq!(records(&harness, "pending"), BTreeSet::new());
}

/// alpha with indexes i1 and i2.
fn alpha_with_two_indexes(harness: &Harness) {
    harness.write(
        "specs.yaml",
        &collection(
            "alpha",
            "  indexes:\n    - {type: persistent, fields: [a], name: i1}\n    - {type: persistent, fields: [b], name: i2}\n",
        ),
    );
}

/// Applies with `args` (and `-v`, JSON logs) while the server holds the
/// first index create for a second before carrying it out; returns, in
/// order, the log events of the two index changes as "applying i1" or
/// "done i2".
fn index_events_with_the_first_held(harness: &Harness, args: &[&str]) -> Vec<String> {
    set_faults(
        harness,
        json!({"mode": "delay", "delayMs": 1000, "count": 1, "method": "POST", "path": "/_db/features/_api/index"}),
    );
    let mut all = vec!["apply", "-v", "--log-format", "json"];
    all.extend_from_slice(args);
    let run = harness.run(&all);
    assert_eq!(run.status, 0, "{}", run.stderr);
    clear_faults(harness);
    let events: Vec<String> = run
        .stderr
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter_map(|line| {
            let fields = &line["fields"];
            let change = fields["change"].as_str()?.strip_prefix("index alpha/")?;
            Some(format!("{} {change}", fields["message"].as_str()?))
        })
        .collect();
    let mut indexes = named_indexes(harness, "alpha");
    indexes.sort();
    assert_eq!(indexes, ["i1", "i2"], "{}", run.stderr);
    events
}

/// A harness whose alpha exists (without indexes) and whose specs give it
/// indexes i1 and i2.
fn alpha_there_without_its_indexes() -> Harness {
    let harness = Harness::new();
    harness.create_database();
    harness.write("specs.yaml", &collection("alpha", "  indexes: []\n"));
    let first = harness.run(&["apply"]);
    assert_eq!(first.status, 0, "{}", first.stderr);
    alpha_with_two_indexes(&harness);
    harness
}

#[test]
fn index_builds_on_an_existing_collection_run_at_most_index_builds_at_once() {
    let harness = alpha_there_without_its_indexes();
    // One build at a time: the second starts once the first is done, though
    // --concurrency leaves room for both.
    let events = index_events_with_the_first_held(&harness, &["--index-builds", "1"]);
    assert_eq!(events, ["applying i1", "done i1", "applying i2", "done i2"]);
}

#[test]
fn by_default_two_index_builds_on_an_existing_collection_run_at_once() {
    let harness = alpha_there_without_its_indexes();
    // The second starts while the server still holds the first.
    let events = index_events_with_the_first_held(&harness, &[]);
    let mut first_two = events[..2].to_vec();
    first_two.sort();
    assert_eq!(first_two, ["applying i1", "applying i2"], "{events:?}");
}

#[test]
fn index_creates_on_a_collection_the_run_creates_are_not_index_builds() {
    let harness = Harness::new();
    harness.create_database();
    alpha_with_two_indexes(&harness);
    // alpha is new, so its indexes build over no documents: --index-builds
    // does not hold them back.
    let events = index_events_with_the_first_held(&harness, &["--index-builds", "1"]);
    let mut first_two = events[..2].to_vec();
    first_two.sort();
    assert_eq!(first_two, ["applying i1", "applying i2"], "{events:?}");
}

/// A failed run takes back the pending records of the creates it never
/// sent: an index someone makes by hand under such a name afterwards is
/// not arangosync's, and `--prune` keeps it (a review finding).
#[test]
fn a_create_never_sent_leaves_no_pending_record_so_a_hand_made_index_is_not_pruned() {
    // alpha is created, beta refused: alpha's index is never sent.
    let (harness, _) = apply_with_beta_refused(&["alpha", "beta"]);
    assert_eq!(named_indexes(&harness, "alpha"), Vec::<String>::new());
    assert_eq!(records(&harness, "pending"), BTreeSet::new());
    assert_eq!(records(&harness, "owned"), set(&["collection alpha"]));
    // Someone makes idx_alpha by hand; the specs drop it.
    let (status, body) = harness.api(
        reqwest::Method::POST,
        "/_db/features/_api/index?collection=alpha",
        Some(json!({"type": "persistent", "fields": ["f"], "name": "idx_alpha"})),
    );
    assert!(status < 300, "{body}");
    harness.write(
        "specs.yaml",
        &[
            collection("alpha", "  indexes: []\n"),
            collection("beta", "  indexes: []\n"),
        ]
        .join("---\n"),
    );
    let pruned = harness.run(&["apply", "--prune"]);
    assert_eq!(pruned.status, 0, "{pruned:?}");
    assert_eq!(
        named_indexes(&harness, "alpha"),
        ["idx_alpha"],
        "{}",
        pruned.stderr
    );
}

/// alpha's spec with uuid keys, which replaces the collection (with
/// `--allow-destructive`), and its index again.
fn alpha_with_uuid_keys() -> String {
    collection(
        "alpha",
        "  keyOptions: {type: uuid}\n  indexes:\n    - {type: persistent, fields: [f], name: idx_alpha}\n",
    )
}

/// A run that fails before sending a replace of alpha, or the creates of
/// alpha's indexes that follow it, leaves alpha and its index owned: their
/// pending records, written over the ownership records, become them again
/// (a review finding: they were deleted, and the index lost its owner).
#[test]
fn a_collection_replace_never_sent_keeps_the_collection_and_its_index_owned() {
    let harness = Harness::new();
    harness.create_database();
    specs(&harness, &["alpha"]);
    let first = harness.run(&["apply"]);
    assert_eq!(first.status, 0, "{first:?}");
    let owned = set(&["collection alpha", "index alpha/idx_alpha"]);
    assert_eq!(records(&harness, "owned"), owned);
    // a_first comes first and is refused: alpha's replace never starts.
    harness.write(
        "specs.yaml",
        &[
            collection("a_first", "  indexes: []\n"),
            alpha_with_uuid_keys(),
        ]
        .join("---\n"),
    );
    set_faults(
        &harness,
        json!({"count": 1, "mode": "status", "status": 400, "method": "POST", "path": "/_db/features/_api/collection"}),
    );
    let failed = harness.run(&["apply", "--concurrency", "1", "--allow-destructive"]);
    assert_eq!(failed.status, 1, "{failed:?}");
    clear_faults(&harness);
    assert_eq!(records(&harness, "owned"), owned, "{failed:?}");
    assert_eq!(records(&harness, "pending"), BTreeSet::new());
    // Taken out of the specs, the index is arangosync's to prune.
    harness.write("specs.yaml", &collection("alpha", "  indexes: []\n"));
    let plan = harness.run(&["plan", "--prune"]);
    assert!(
        plan.stdout.contains("- index alpha/idx_alpha (delete)"),
        "{plan:?}"
    );
}

/// A pending-records write the server refuses sends nothing, and leaves
/// every ownership record as it was.
#[test]
fn a_refused_pending_records_write_keeps_every_ownership_record() {
    let harness = Harness::new();
    harness.create_database();
    specs(&harness, &["alpha"]);
    let first = harness.run(&["apply"]);
    assert_eq!(first.status, 0, "{first:?}");
    harness.write("specs.yaml", &alpha_with_uuid_keys());
    set_faults(
        &harness,
        json!({"count": 1, "mode": "status", "status": 400, "method": "POST", "path": "/_db/features/_api/document/_arangosync"}),
    );
    let failed = harness.run(&["apply", "--allow-destructive"]);
    assert_eq!(failed.status, 1, "{failed:?}");
    clear_faults(&harness);
    assert_eq!(
        records(&harness, "owned"),
        set(&["collection alpha", "index alpha/idx_alpha"]),
        "{failed:?}"
    );
    assert_eq!(records(&harness, "pending"), BTreeSet::new());
}
