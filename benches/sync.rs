//! The performance benchmark of issue 7: `cargo bench --bench sync`.
//!
//! It generates spec repositories of 100, 1,000 and 5,000 entities
//! (document and edge collections with 2–3 indexes of various types,
//! schemas and computed values on some, a few named graphs, one feature
//! function per ten entities), then for each emulator latency (0, 1 and
//! 5 ms) measures
//!
//! * arangosync itself, the real release binary run as a child process:
//!   cold apply (`apply --create-database`, median of three, each on a
//!   fresh server), no-change `plan` (median of five), one-change apply
//!   (one collection's `waitForSync` flipped, median of three): wall time,
//!   requests and writes as the emulator counted them, and the child's
//!   peak RSS (`wait4` rusage);
//! * in the same run, a baseline that performs the seed's sequential
//!   per-resource algorithm through the same `arangosync::client::Client`,
//!   in-process (wall time and requests; see `baseline` for exactly what
//!   it sends);
//! * `arangosync validate` on each repository (wall time, peak RSS; median
//!   of five runs).
//!
//! Every cold apply gets a fresh emulator (arangosync's other scenarios
//! run on the server of its last cold apply, the baseline's on its own),
//! so each cold apply starts from an empty server and the two tools never
//! see each other's objects; stats are reset before every measurement.
//!
//! `BENCH_SIZES=100,1000` and `BENCH_LATENCIES=0,5` restrict a run;
//! `BENCH_BASELINE=0` skips the baseline; `BENCH_CONCURRENCY=N` passes
//! `--concurrency N` to arangosync's applies (default: the tool's own
//! default); `BENCH_KEEP_REPOS=1` keeps the generated repositories (their
//! paths go to stderr) for runs by hand. Progress goes to stderr, the
//! Markdown report to stdout.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use arangodb_emulator::{BackgroundEmulator, Config};
use arangosync::client::{
    encode_segment, Client, ClientError, ConnectionSettings, Credentials, RetryPolicy, Secret,
};
use arangosync::model::{Collection, State};
use reqwest::Method;
use serde_json::{json, Value};

const ROOT_PASSWORD: &str = "bench-pw";
const DATABASE: &str = "features";
const NAMESPACE: &str = "FEATURES";
/// Entities per named graph.
const GRAPH_BLOCK: usize = 250;
/// Entities per feature function.
const FUNCTION_EVERY: usize = 10;
/// Runs of the cheap, repeatable measurements (`validate`, arangosync's
/// no-change plan); the median is reported.
const REPEATS: usize = 5;
/// Runs of arangosync's cold and one-change applies (each cold apply on a
/// fresh server); the median is reported. The baseline runs once: it takes
/// seconds to minutes, so one run varies far less.
const APPLY_REPEATS: usize = 3;

fn main() {
    let mut args = std::env::args_os().skip(1);
    if args.next().is_some_and(|first| first == HELPER_FLAG) {
        measure_child(args);
        return;
    }
    let sizes = env_list("BENCH_SIZES", &[100, 1_000, 5_000]);
    let latencies = env_list("BENCH_LATENCIES", &[0, 1, 5]);
    let with_baseline = std::env::var("BENCH_BASELINE").map_or(true, |value| value != "0");
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_arangosync"));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let started = Instant::now();

    let mut rows: Vec<Row> = Vec::new();
    let mut validations: Vec<(usize, Measure)> = Vec::new();
    for &size in &sizes {
        let mut repo = tempfile::tempdir().expect("temp dir");
        if std::env::var_os("BENCH_KEEP_REPOS").is_some() {
            repo.disable_cleanup(true);
            progress(
                started,
                &format!("N={size}: kept in {}", repo.path().display()),
            );
        }
        let counts = generate(repo.path(), size as usize);
        progress(
            started,
            &format!(
                "N={size}: generated {} collections ({} edge), {} indexes, {} graphs, {} functions",
                counts.collections, counts.edges, counts.indexes, counts.graphs, counts.functions
            ),
        );
        let validation = validate(&binary, repo.path());
        progress(
            started,
            &format!(
                "N={size}: validate {:.3}s, peak RSS {}",
                validation.wall.as_secs_f64(),
                mib(validation.rss_kib)
            ),
        );
        validations.push((size as usize, validation));

        for &latency in &latencies {
            let ours = run_ours(&binary, repo.path(), size as usize, latency, started);
            let baseline = if with_baseline {
                Some(run_baseline(
                    &runtime,
                    repo.path(),
                    size as usize,
                    latency,
                    started,
                ))
            } else {
                None
            };
            for (index, scenario) in SCENARIOS.iter().enumerate() {
                rows.push(Row {
                    size: size as usize,
                    latency,
                    scenario,
                    ours: ours[index].clone(),
                    baseline: baseline.as_ref().map(|b| b[index].clone()),
                });
            }
        }
    }
    progress(started, "done");
    print!("{}", report(&rows, &validations));
}

const SCENARIOS: [&str; 3] = ["cold apply", "no-change plan", "one-change apply"];

/// One measurement.
#[derive(Debug, Clone, Default)]
struct Measure {
    wall: Duration,
    requests: u64,
    writes: u64,
    /// Peak resident set of the child process; `None` in-process.
    rss_kib: Option<u64>,
}

struct Row {
    size: usize,
    latency: u64,
    scenario: &'static str,
    ours: Measure,
    baseline: Option<Measure>,
}

fn env_list(name: &str, default: &[u64]) -> Vec<u64> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => value
            .split(',')
            .map(|part| {
                part.trim()
                    .replace('_', "")
                    .parse()
                    .unwrap_or_else(|_| panic!("{name}: `{part}` is not a number"))
            })
            .collect(),
        _ => default.to_vec(),
    }
}

fn progress(started: Instant, message: &str) {
    eprintln!("[{:7.1}s] {message}", started.elapsed().as_secs_f64());
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or("–".to_string(), |kib| {
        format!("{:.1} MiB", kib as f64 / 1024.0)
    })
}

// ---------------------------------------------------------------------------
// Spec repositories

struct Counts {
    collections: usize,
    edges: usize,
    indexes: usize,
    graphs: usize,
    functions: usize,
}

fn is_edge(i: usize) -> bool {
    i % 5 == 4
}

fn collection_name(i: usize) -> String {
    if is_edge(i) {
        format!("edge_{i:05}")
    } else {
        format!("doc_{i:05}")
    }
}

/// The nearest document collections before edge collection `i` (for its
/// `_from` and `_to`).
fn endpoints(i: usize) -> (String, String) {
    (collection_name(i - 1), collection_name(i - 2))
}

/// Writes `entities/*.yaml` (one collection per file), `graphs/*.yaml` and
/// `transformations/*.aql` for `n` entities.
fn generate(dir: &Path, n: usize) -> Counts {
    let entities = dir.join("entities");
    let graphs = dir.join("graphs");
    let transformations = dir.join("transformations");
    for path in [&entities, &graphs, &transformations] {
        std::fs::create_dir_all(path).expect("mkdir");
    }
    let mut counts = Counts {
        collections: n,
        edges: 0,
        indexes: 0,
        graphs: 0,
        functions: 0,
    };
    for i in 0..n {
        let (yaml, indexes) = entity_yaml(i, false);
        counts.indexes += indexes;
        counts.edges += usize::from(is_edge(i));
        std::fs::write(entities.join(format!("{}.yaml", collection_name(i))), yaml)
            .expect("write entity");
    }
    for block in 0..n.div_ceil(GRAPH_BLOCK) {
        let edges: Vec<usize> = (block * GRAPH_BLOCK..((block + 1) * GRAPH_BLOCK).min(n))
            .filter(|&i| is_edge(i))
            .collect();
        if edges.is_empty() {
            continue;
        }
        let mut yaml = format!(
            "apiVersion: db.feature-store/v1alpha1\nkind: ArangoGraph\nmetadata:\n  name: graph_{block:03}\nspec:\n  edgeDefinitions:\n"
        );
        for i in edges {
            let (from, to) = endpoints(i);
            let _ = writeln!(
                yaml,
                "    - {{collection: {}, from: [{from}], to: [{to}]}}",
                collection_name(i)
            );
        }
        std::fs::write(graphs.join(format!("graph_{block:03}.yaml")), yaml).expect("write graph");
        counts.graphs += 1;
    }
    for i in (0..n).step_by(FUNCTION_EVERY) {
        let feature = format!("feature_{i:05}");
        let collection = collection_name(i);
        let aql = format!(
            "-- Feature: {feature}\n-- Version: 1\n-- Description: Recent activity of one key in {collection}.\n-- Owner: ml-platform@example.com\nFOR d IN {collection}\n  FILTER d._key == @key\n  FILTER d.created_at >= DATE_SUBTRACT(DATE_NOW(), @days, \"days\")\n  RETURN {{key: d._key, status: d.status}}\n"
        );
        std::fs::write(transformations.join(format!("{feature}_v1.aql")), aql)
            .expect("write function");
        counts.functions += 1;
    }
    counts
}

/// The one-change scenario: `waitForSync` of the first collection flipped
/// (`changed`) or back to the default.
fn set_changed(dir: &Path, changed: bool) {
    let (yaml, _) = entity_yaml(0, changed);
    std::fs::write(
        dir.join("entities")
            .join(format!("{}.yaml", collection_name(0))),
        yaml,
    )
    .expect("write entity");
}

/// One collection spec and the number of indexes in it. The mix cycles
/// through index types so every type the tool supports is exercised.
fn entity_yaml(i: usize, wait_for_sync: bool) -> (String, usize) {
    let name = collection_name(i);
    let mut yaml = format!(
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: {name}\n  labels: {{team: team_{}}}\nspec:\n",
        i % 7
    );
    if is_edge(i) {
        yaml.push_str("  type: edge\n");
    }
    if wait_for_sync {
        yaml.push_str("  waitForSync: true\n");
    }
    if i % 11 == 0 {
        yaml.push_str("  keyOptions: {type: uuid}\n");
    }
    let indexes: &[String] = &if is_edge(i) {
        vec![
            format!("{{type: persistent, fields: [_from, ts], name: idx_{name}_from_ts}}"),
            "{type: persistent, fields: [_to, ts]}".to_string(),
        ]
    } else {
        match i % 4 {
            0 => vec![
                format!("{{type: persistent, fields: [email], unique: true, sparse: true, name: idx_{name}_email}}"),
                "{type: persistent, fields: [created_at]}".to_string(),
                "{type: ttl, fields: [expires_at], expireAfter: 86400}".to_string(),
            ],
            1 => vec![
                "{type: persistent, fields: [category, price]}".to_string(),
                format!("{{type: geo, fields: [location], geoJson: true, name: idx_{name}_location}}"),
                "{type: persistent, fields: [\"tags[*]\"]}".to_string(),
            ],
            2 => vec![
                "{type: persistent, fields: [user_id, created_at]}".to_string(),
                format!("{{type: inverted, name: idx_{name}_search, fields: [title, description]}}"),
            ],
            _ => vec![
                "{type: persistent, fields: [status], sparse: true}".to_string(),
                format!("{{type: mdi, fields: [x, y], fieldValueTypes: double, name: idx_{name}_xy}}"),
            ],
        }
    };
    yaml.push_str("  indexes:\n");
    for index in indexes {
        let _ = writeln!(yaml, "    - {index}");
    }
    if i % 3 == 0 && !is_edge(i) {
        yaml.push_str(
            "  schema:\n    rule:\n      type: object\n      properties:\n        email: {type: string}\n        status: {type: string, enum: [active, disabled]}\n        created_at: {type: string}\n      required: [created_at]\n    level: moderate\n    message: \"document does not match the schema\"\n",
        );
    }
    if i % 7 == 0 && !is_edge(i) {
        yaml.push_str(
            "  computedValues:\n    - name: updated_at\n      expression: \"RETURN DATE_ISO8601(DATE_NOW())\"\n      overwrite: true\n      computeOn: [insert, update, replace]\n",
        );
    }
    (yaml, indexes.len())
}

// ---------------------------------------------------------------------------
// arangosync, the real binary

fn start_emulator(latency: u64) -> BackgroundEmulator {
    arangodb_emulator::spawn(Config {
        latency: Duration::from_millis(latency),
        root_password: ROOT_PASSWORD.into(),
        ..Config::default()
    })
    .expect("emulator starts")
}

fn stats(emulator: &BackgroundEmulator) -> (u64, u64) {
    let body: Value = reqwest::blocking::get(format!("{}/_emulator/stats", emulator.url()))
        .expect("stats")
        .json()
        .expect("stats json");
    (
        body["total"].as_u64().expect("total"),
        body["writes"].as_u64().expect("writes"),
    )
}

fn reset_stats(emulator: &BackgroundEmulator) {
    let status = reqwest::blocking::Client::new()
        .post(format!("{}/_emulator/stats/reset", emulator.url()))
        .send()
        .expect("reset stats")
        .status();
    assert!(status.is_success(), "reset stats: {status}");
}

/// The first argument that makes this binary the measuring helper.
const HELPER_FLAG: &str = "--measure-child";

/// Runs the binary to completion and measures it: wall time and peak RSS.
/// Panics, with the output's tail, unless it exits 0.
///
/// The measuring is done by this benchmark binary started afresh as a
/// helper (`HELPER_FLAG`): Linux folds the resident set of the process
/// that spawns a child into the child's `ru_maxrss` (the old address
/// space's high-water mark is kept at `exec`), so a child spawned from this
/// process, which holds the emulators and their data, would report this
/// process's peak instead of its own. The helper's own resident set is a
/// few MiB.
fn run_child(binary: &Path, args: &[&str], emulator: Option<&BackgroundEmulator>) -> Measure {
    let logs = tempfile::NamedTempFile::new().expect("log file");
    let output = tempfile::NamedTempFile::new().expect("output file");
    let report = tempfile::NamedTempFile::new().expect("report file");
    let mut command = Command::new(std::env::current_exe().expect("benchmark path"));
    command
        .arg(HELPER_FLAG)
        .arg(report.path())
        .arg(binary)
        .args(args)
        .env_clear()
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::from(output.reopen().expect("reopen")))
        .stderr(Stdio::from(logs.reopen().expect("reopen")));
    if let Some(emulator) = emulator {
        command
            .env("ARANGO_HOST", emulator.url())
            .env("ARANGO_DATABASE", DATABASE)
            .env("ARANGO_USER", "root")
            .env("ARANGO_PASSWORD", ROOT_PASSWORD);
    }
    let helper = command.status().expect("measuring helper starts");
    assert!(helper.success(), "measuring helper failed: {helper}");
    let text = std::fs::read_to_string(report.path()).expect("helper report");
    let numbers: Vec<i64> = text
        .split_whitespace()
        .map(|number| number.parse().expect("helper report number"))
        .collect();
    let [code, wall_nanos, rss_kib] = numbers[..] else {
        panic!("helper report: {text}");
    };
    if code != 0 {
        let stderr = std::fs::read_to_string(logs.path()).unwrap_or_default();
        let stdout = std::fs::read_to_string(output.path()).unwrap_or_default();
        let tail = |text: &str| text.lines().rev().take(20).collect::<Vec<_>>().join("\n");
        panic!(
            "arangosync {args:?} exited with {code}\nstdout (last lines, reversed):\n{}\nstderr (last lines, reversed):\n{}",
            tail(&stdout),
            tail(&stderr)
        );
    }
    Measure {
        wall: Duration::from_nanos(wall_nanos as u64),
        requests: 0,
        writes: 0,
        rss_kib: Some(rss_kib as u64),
    }
}

/// Helper mode: `HELPER_FLAG REPORT BINARY ARGS...` runs BINARY with ARGS
/// (environment and standard streams inherited), reaps it with `wait4`
/// and writes "exit-code wall-nanoseconds peak-RSS-KiB" to REPORT.
fn measure_child(mut args: impl Iterator<Item = std::ffi::OsString>) {
    let report = PathBuf::from(args.next().expect("report path"));
    let binary = args.next().expect("binary");
    let started = Instant::now();
    let child = Command::new(binary)
        .args(args)
        .spawn()
        .expect("arangosync starts");
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data that wait4 fills in for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child and has not been reaped yet.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    assert_eq!(reaped, pid, "wait4: {}", std::io::Error::last_os_error());
    // Reaped already; dropping the handle neither waits nor kills.
    drop(child);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    // ru_maxrss is in KiB on Linux.
    std::fs::write(
        report,
        format!("{code} {} {}", wall.as_nanos(), usage.ru_maxrss),
    )
    .expect("write report");
}

fn validate(binary: &Path, dir: &Path) -> Measure {
    let dir = dir.to_str().expect("utf-8 temp path");
    median((0..REPEATS).map(|_| run_child(binary, &["validate", "--dir", dir], None)))
}

/// The run with the median wall time (the machine is shared; one run of a
/// sub-second command is noise-prone).
fn median(runs: impl Iterator<Item = Measure>) -> Measure {
    let mut runs: Vec<Measure> = runs.collect();
    runs.sort_by_key(|measure| measure.wall);
    let walls: Vec<String> = runs
        .iter()
        .map(|run| format!("{:.3}", run.wall.as_secs_f64()))
        .collect();
    eprintln!("          runs (s): {}", walls.join(" "));
    runs.swap_remove(runs.len() / 2)
}

fn measure_with_stats(binary: &Path, args: &[&str], emulator: &BackgroundEmulator) -> Measure {
    reset_stats(emulator);
    let mut measure = run_child(binary, args, Some(emulator));
    (measure.requests, measure.writes) = stats(emulator);
    measure
}

fn run_ours(binary: &Path, repo: &Path, n: usize, latency: u64, started: Instant) -> Vec<Measure> {
    let dir = repo.to_str().expect("utf-8 temp path");
    let concurrency = std::env::var("BENCH_CONCURRENCY").unwrap_or_default();
    let mut apply = vec!["apply", "--dir", dir];
    if !concurrency.is_empty() {
        apply.extend(["--concurrency", concurrency.as_str()]);
    }
    let cold_apply = [apply.as_slice(), &["--create-database"]].concat();
    // Each cold apply on an empty server of its own; the last server stays
    // for the other scenarios.
    let mut emulator = start_emulator(latency);
    let mut colds = Vec::new();
    for run in 0..APPLY_REPEATS {
        if run > 0 {
            emulator = start_emulator(latency);
        }
        colds.push(measure_with_stats(binary, &cold_apply, &emulator));
    }
    let cold = median(colds.into_iter());
    log_measure(started, n, latency, "ours", "cold apply", &cold);
    let plan = median((0..REPEATS).map(|_| {
        measure_with_stats(
            binary,
            &["plan", "--dir", dir, "--detailed-exitcode"],
            &emulator,
        )
    }));
    log_measure(started, n, latency, "ours", "no-change plan", &plan);
    assert_eq!(plan.writes, 0, "a no-change plan writes nothing");
    let one = median((0..APPLY_REPEATS).map(|_| {
        set_changed(repo, true);
        let one = measure_with_stats(binary, &apply, &emulator);
        // Back to the generated state, unmeasured, for the next run.
        set_changed(repo, false);
        run_child(binary, &apply, Some(&emulator));
        one
    }));
    log_measure(started, n, latency, "ours", "one-change apply", &one);
    vec![cold, plan, one]
}

fn log_measure(
    started: Instant,
    n: usize,
    latency: u64,
    who: &str,
    scenario: &str,
    measure: &Measure,
) {
    progress(
        started,
        &format!(
            "N={n} latency={latency}ms {who:8} {scenario:16} {:8.3}s {:6} requests {:6} writes  peak RSS {}",
            measure.wall.as_secs_f64(),
            measure.requests,
            measure.writes,
            mib(measure.rss_kib)
        ),
    );
}

// ---------------------------------------------------------------------------
// The baseline: the seed's sequential per-resource algorithm

/// What the baseline does in one run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Create the database, then per collection: exists check, create or
    /// read properties (and update them when they differ), list indexes,
    /// ensure every index; create every graph; register every function.
    Apply,
    /// Per collection: exists check, read properties, list indexes, ensure
    /// every index (the seed had no dry run: its only way to find missing
    /// indexes was ArangoDB's idempotent ensure). No creates, no property
    /// updates, nothing for graphs or functions.
    Plan,
}

fn run_baseline(
    runtime: &tokio::runtime::Runtime,
    repo: &Path,
    n: usize,
    latency: u64,
    started: Instant,
) -> Vec<Measure> {
    let emulator = start_emulator(latency);
    let client = Client::new(&ConnectionSettings {
        endpoints: vec![url::Url::parse(emulator.url()).expect("emulator url")],
        database: DATABASE.into(),
        credentials: Credentials::Basic {
            username: "root".into(),
            password: Secret::new(ROOT_PASSWORD),
        },
        ca_cert: None,
        request_timeout: Duration::from_secs(60),
        retry: RetryPolicy::default(),
    })
    .expect("client");
    let measure = |mode: Mode, scenario: &str| {
        reset_stats(&emulator);
        let clock = Instant::now();
        runtime
            .block_on(baseline(&client, repo, mode))
            .unwrap_or_else(|err| panic!("baseline {scenario}: {err}"));
        let wall = clock.elapsed();
        let (requests, writes) = stats(&emulator);
        let measure = Measure {
            wall,
            requests,
            writes,
            rss_kib: None,
        };
        log_measure(started, n, latency, "baseline", scenario, &measure);
        measure
    };
    let cold = measure(Mode::Apply, "cold apply");
    let plan = measure(Mode::Plan, "no-change plan");
    set_changed(repo, true);
    let one = measure(Mode::Apply, "one-change apply");
    set_changed(repo, false);
    vec![cold, plan, one]
}

/// Loads the desired state exactly as arangosync does (the same loader,
/// validator and function generator), so parse time is comparable.
fn load_desired(repo: &Path) -> Result<State, String> {
    let mut loaded = arangosync::spec::load(repo);
    let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
    diagnostics.extend(arangosync::validate::validate(&loaded));
    let transformations = loaded.transformations.clone();
    let (_, problems) = arangosync::transform::load_into(
        &mut loaded.state,
        &transformations,
        repo,
        NAMESPACE,
        arangosync::transform::checks::QueryChecks::AnySupportedVersion,
    );
    diagnostics.extend(problems);
    if diagnostics.has_errors() {
        return Err(format!("invalid specs: {diagnostics:?}"));
    }
    Ok(loaded.state)
}

async fn baseline(client: &Client, repo: &Path, mode: Mode) -> Result<(), String> {
    const DUPLICATE_NAME: u64 = 1207;
    const NOT_FOUND: u64 = 1203;
    const GRAPH_DUPLICATE: u64 = 1925;
    let desired = load_desired(repo)?;
    let fail = |what: &str, err: ClientError| format!("{what}: {err}");
    if mode == Mode::Apply {
        match client
            .for_database("_system")
            .call(
                Method::POST,
                "/_api/database",
                &[],
                Some(&json!({"name": DATABASE})),
            )
            .await
        {
            Ok(_) => {}
            Err(err) if err.error_num() == Some(DUPLICATE_NAME) => {}
            Err(err) => return Err(fail("create database", err)),
        }
    }
    for (name, collection) in &desired.collections {
        let path = format!("/_api/collection/{}", encode_segment(name));
        let exists = match client.call(Method::GET, &path, &[], None).await {
            Ok(_) => true,
            Err(err) if err.error_num() == Some(NOT_FOUND) => false,
            Err(err) => return Err(fail(name, err)),
        };
        if exists {
            let properties = client
                .call(Method::GET, &format!("{path}/properties"), &[], None)
                .await
                .map_err(|err| fail(name, err))?;
            if mode == Mode::Apply
                && properties.body["waitForSync"].as_bool() != Some(collection.wait_for_sync)
            {
                client
                    .call(
                        Method::PUT,
                        &format!("{path}/properties"),
                        &[],
                        Some(&json!({"waitForSync": collection.wait_for_sync})),
                    )
                    .await
                    .map_err(|err| fail(name, err))?;
            }
        } else if mode == Mode::Apply {
            client
                .call(
                    Method::POST,
                    "/_api/collection",
                    &[],
                    Some(&create_body(collection)),
                )
                .await
                .map_err(|err| fail(name, err))?;
        } else {
            continue;
        }
        let query = [("collection", name.clone())];
        client
            .call(Method::GET, "/_api/index", &query, None)
            .await
            .map_err(|err| fail(name, err))?;
        for index in &collection.indexes {
            client
                .call(
                    Method::POST,
                    "/_api/index",
                    &query,
                    Some(&index.to_api_body()),
                )
                .await
                .map_err(|err| fail(name, err))?;
        }
    }
    if mode == Mode::Plan {
        return Ok(());
    }
    for (name, graph) in &desired.graphs {
        let body = json!({
            "name": name,
            "edgeDefinitions": graph.edge_definitions.iter().map(|definition| json!({
                "collection": definition.collection,
                "from": definition.from,
                "to": definition.to,
            })).collect::<Vec<_>>(),
            "orphanCollections": graph.orphan_collections,
        });
        match client
            .call(Method::POST, "/_api/gharial", &[], Some(&body))
            .await
        {
            Ok(_) => {}
            Err(err) if err.error_num() == Some(GRAPH_DUPLICATE) => {}
            Err(err) => return Err(fail(name, err)),
        }
    }
    for (name, function) in &desired.functions {
        let body = json!({"name": name, "code": function.code, "isDeterministic": false});
        client
            .call(Method::POST, "/_api/aqlfunction", &[], Some(&body))
            .await
            .map_err(|err| fail(name, err))?;
    }
    Ok(())
}

/// The `POST /_api/collection` body the seed sent.
fn create_body(collection: &Collection) -> Value {
    let key = &collection.key_options;
    let mut body = json!({
        "name": collection.name,
        "type": collection.collection_type.api_number(),
        "waitForSync": collection.wait_for_sync,
        "cacheEnabled": collection.cache_enabled,
        "keyOptions": {"type": key.generator, "allowUserKeys": key.allow_user_keys},
    });
    if let Some(schema) = &collection.schema {
        body["schema"] = json!(schema);
    }
    if !collection.computed_values.is_empty() {
        body["computedValues"] = json!(collection.computed_values);
    }
    body
}

// ---------------------------------------------------------------------------
// The report

fn report(rows: &[Row], validations: &[(usize, Measure)]) -> String {
    let mut out = String::new();
    out.push_str("| entities | latency | scenario | ours (s) | requests | writes | baseline (s) | baseline requests | speedup | peak RSS (ours) |\n");
    out.push_str("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for row in rows {
        let (baseline_s, baseline_requests, speedup) = match &row.baseline {
            Some(b) => (
                format!("{:.3}", b.wall.as_secs_f64()),
                b.requests.to_string(),
                format!("{:.1}×", b.wall.as_secs_f64() / row.ours.wall.as_secs_f64()),
            ),
            None => ("–".into(), "–".into(), "–".into()),
        };
        let _ = writeln!(
            out,
            "| {} | {} ms | {} | {:.3} | {} | {} | {} | {} | {} | {} |",
            row.size,
            row.latency,
            row.scenario,
            row.ours.wall.as_secs_f64(),
            row.ours.requests,
            row.ours.writes,
            baseline_s,
            baseline_requests,
            speedup,
            mib(row.ours.rss_kib)
        );
    }
    out.push_str("\n| entities | `validate` wall (s) | `validate` peak RSS |\n|---:|---:|---:|\n");
    for (size, measure) in validations {
        let _ = writeln!(
            out,
            "| {size} | {:.3} | {} |",
            measure.wall.as_secs_f64(),
            mib(measure.rss_kib)
        );
    }
    out.push_str("\n## Targets\n\n");
    let find = |size: usize, latency: u64, scenario: &str| {
        rows.iter()
            .find(|row| row.size == size && row.latency == latency && row.scenario == scenario)
    };
    match find(1_000, 5, "no-change plan") {
        Some(row) => {
            let parse = validations
                .iter()
                .find(|(size, _)| *size == 1_000)
                .map(|(_, measure)| measure.wall.as_secs_f64())
                .unwrap_or(0.0);
            let bound = row.ours.requests as f64 * 0.005 + parse;
            let ours = row.ours.wall.as_secs_f64();
            let _ = writeln!(
                out,
                "- No-change plan, 1,000 entities, 5 ms: ours {ours:.3}s; bound = {} requests × 5 ms + {parse:.3}s parse (validate) = {bound:.3}s; ours / bound = {:.2} ({}).",
                row.ours.requests,
                ours / bound,
                verdict(ours <= 2.0 * bound, "within 2×")
            );
            if let Some(zero) = find(1_000, 0, "no-change plan") {
                let _ = writeln!(
                    out,
                    "- The same plan at 0 ms latency: {:.3}s (local parse, the server's own work, the client's JSON handling; no latency).",
                    zero.ours.wall.as_secs_f64()
                );
            }
            if let Some(b) = &row.baseline {
                let speedup = b.wall.as_secs_f64() / ours;
                let _ = writeln!(
                    out,
                    "- No-change plan, 1,000 entities, 5 ms: speedup {speedup:.1}× vs baseline {:.3}s ({}).",
                    b.wall.as_secs_f64(),
                    verdict(speedup >= 20.0, "≥ 20×")
                );
            }
        }
        None => out.push_str("- No-change plan, 1,000 entities, 5 ms: not measured in this run.\n"),
    }
    let plans: Vec<(usize, u64, u64)> = rows
        .iter()
        .filter(|row| row.scenario == "no-change plan")
        .map(|row| (row.size, row.latency, row.ours.requests))
        .collect();
    if !plans.is_empty() {
        let constant = plans.iter().all(|(_, _, requests)| *requests == plans[0].2);
        let _ = writeln!(
            out,
            "- No-change plan requests: {} ({}).",
            plans
                .iter()
                .map(|(size, latency, requests)| format!("{requests} at N={size}/{latency} ms"))
                .collect::<Vec<_>>()
                .join(", "),
            verdict(constant, "constant in N")
        );
    }
    for size in [100usize, 1_000, 5_000] {
        if let Some(row) = find(size, 5, "cold apply") {
            if let Some(b) = &row.baseline {
                let speedup = b.wall.as_secs_f64() / row.ours.wall.as_secs_f64();
                let _ = writeln!(
                    out,
                    "- Cold apply, {size} entities, 5 ms: speedup {speedup:.1}× ({}).",
                    verdict(speedup >= 8.0, "≥ 8×")
                );
            }
        }
    }
    if let Some((_, measure)) = validations.iter().find(|(size, _)| *size == 5_000) {
        let rss = measure.rss_kib.unwrap_or(u64::MAX);
        let _ = writeln!(
            out,
            "- validate, 5,000 entity files: {:.3}s ({}), peak RSS {} ({}).",
            measure.wall.as_secs_f64(),
            verdict(measure.wall < Duration::from_secs(1), "< 1 s"),
            mib(measure.rss_kib),
            verdict(rss < 100 * 1024, "< 100 MiB")
        );
    }
    out
}

fn verdict(met: bool, target: &str) -> String {
    if met {
        format!("met: {target}")
    } else {
        format!("MISSED: {target}")
    }
}
