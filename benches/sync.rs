//! The performance benchmark of issues 7 and 16: `cargo bench --bench sync`.
//!
//! It generates spec repositories of 100, 1,000, 5,000 and 20,000 entities
//! and, for each emulator latency (0 and 5 ms by default), measures
//!
//! * arangosync itself, the real release binary run as a child process:
//!   cold apply (`apply --create-database`, median of three, each on a
//!   fresh server; one run above 5,000 entities), no-change `plan` (median of five), one-change apply
//!   (one collection's `waitForSync` flipped, median of three): wall time,
//!   requests and writes as the emulator counted them, and the child's
//!   peak RSS (`wait4` rusage);
//! * in the same run, a baseline that performs the seed's sequential
//!   per-resource algorithm through the same `arangosync::client::Client`,
//!   in-process (wall time and requests; see `baseline` for exactly what
//!   it sends), up to 5,000 entities by default;
//! * `arangosync validate` on each repository (wall time, peak RSS; median
//!   of five runs).
//!
//! # What a repository holds
//!
//! The proportions are those of a feature store that serves several ML
//! teams: many entity collections with a few indexes each, and a much
//! smaller number of search and similarity objects shared by many of them.
//!
//! * One collection per file in `entities/`, every fifth an edge
//!   collection, with 2–3 indexes cycling through persistent (plain,
//!   unique+sparse, multi-field, array), ttl, geo, inverted and mdi; a JSON
//!   schema on every third document collection, computed values on every
//!   seventh, `uuid` keys on every eleventh.
//! * A vector index (`embedding`, cosine, 256 dimensions, 8 lists) on every
//!   twentieth entity (5%: the collections that hold embeddings for
//!   retrieval; most feature collections hold scalar features).
//! * One custom `text` analyzer per 1,000 entities (`search/`): teams share
//!   a handful of tokenisation pipelines rather than one per collection. The
//!   analyzer of an entity's 1,000-block is used by the `title` field of its
//!   inverted index and by the links of its block's `arangosearch` views.
//! * Two ArangoSearch views per 250 entities (`search/`): one `arangosearch`
//!   view linking up to 10 document collections of the block (`title` with
//!   the block's analyzer, `category` with the default one) and one
//!   `search-alias` view over up to 10 of the block's inverted indexes: a
//!   search surface per product area, both kinds, at every size.
//! * One named graph per 250 entities (its edge collections) and one feature
//!   function (`.aql`, two bind parameters) per 10 entities.
//!
//! The emulator presents ArangoDB 3.12.10 started with `--vector-index`: from
//! 3.12.9 a vector index is created at once and trains once enough vectors
//! are stored, so an empty collection takes it and a cold apply creates
//! every object (on 3.12.4–3.12.8 the index would be deferred until
//! `nLists` documents carry a vector). After every cold apply the benchmark
//! checks that the apply created everything: an unmeasured
//! `plan --detailed-exitcode` must exit 0 (no change left), and the numbers
//! of collections, indexes, vector indexes, views and analyzers the server
//! reports must be those generated. Either failing stops the benchmark with
//! the plan's output.
//!
//! # The baseline and the new object kinds
//!
//! The seed knew collections, indexes, graphs and functions, not analyzers
//! or views. The baseline treats them the way the seed treated graphs: its
//! apply creates every analyzer (`POST /_api/analyzer`, before the
//! collections, since inverted indexes use them) and every view
//! (`POST /_api/view`, after the collections and indexes they name) one
//! request each, in name order, tolerating "already exists"; its no-change
//! plan sends nothing for them (as for graphs and functions), which makes
//! the baseline faster and the speedups, if anything, understated. Vector
//! indexes are indexes: ensured one request each like the others. The
//! server presented (3.12.10) refuses to ensure a named inverted index that
//! exists (1005, from 3.12.6) where the servers the seed knew returned it;
//! the baseline takes that answer, still one request, as "exists".
//!
//! Every cold apply gets a fresh emulator (arangosync's other scenarios
//! run on the server of its last cold apply, the baseline's on its own),
//! so each cold apply starts from an empty server and the two tools never
//! see each other's objects; stats are reset before every measurement.
//!
//! # Knobs
//!
//! `BENCH_SIZES=100,1000` and `BENCH_LATENCIES=0,5` restrict a run (default
//! sizes 100, 1,000, 5,000, 20,000; default latencies 0 and 5 ms: the
//! issue's targets are at 5 ms, 0 ms shows the CPU cost);
//! `BENCH_BASELINE=0` skips the baseline; `BENCH_BASELINE_MAX=N` runs it
//! for sizes up to N entities (default 5,000: at 20,000 entities and 5 ms
//! one baseline scenario takes about 12 minutes); `BENCH_CONCURRENCY=N`
//! passes `--concurrency N` to arangosync's applies (default: the tool's
//! own default); `BENCH_KEEP_REPOS=1` keeps the generated repositories
//! (their paths go to stderr) for runs by hand. Progress goes to stderr,
//! the Markdown report to stdout: the results table, a growth table
//! (1,000 → 5,000 → 20,000 entities at 5 ms) and a targets table with a
//! verdict per target of issue 16.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use arangodb_emulator::{BackgroundEmulator, Config, Profile, Version};
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
/// Entities per custom analyzer.
const ANALYZER_BLOCK: usize = 1_000;
/// Entities per pair of views (one `arangosearch`, one `search-alias`).
const VIEW_BLOCK: usize = 250;
/// Collections (links) or inverted indexes per view, at most.
const VIEW_MEMBERS: usize = 10;
/// Entities per vector index (entity `i` has one when
/// `i % VECTOR_EVERY == VECTOR_AT`, a document collection).
const VECTOR_EVERY: usize = 20;
const VECTOR_AT: usize = 3;
/// Runs of the cheap, repeatable measurements (`validate`, arangosync's
/// no-change plan); the median is reported.
const REPEATS: usize = 5;
/// Runs of arangosync's cold and one-change applies (each cold apply on a
/// fresh server); the median is reported. The baseline runs once: it takes
/// seconds to minutes, so one run varies far less.
const APPLY_REPEATS: usize = 3;
/// Above this many entities a cold apply runs once (at 20,000 entities and
/// 5 ms one takes minutes); the time budget of a full run is about 30
/// minutes on 2 cores.
const SINGLE_COLD_ABOVE: usize = 5_000;

fn main() {
    let mut args = std::env::args_os().skip(1);
    if args.next().is_some_and(|first| first == HELPER_FLAG) {
        measure_child(args);
        return;
    }
    let sizes = env_list("BENCH_SIZES", &[100, 1_000, 5_000, 20_000]);
    let latencies = env_list("BENCH_LATENCIES", &[0, 5]);
    let with_baseline = std::env::var("BENCH_BASELINE").map_or(true, |value| value != "0");
    let baseline_max = env_list("BENCH_BASELINE_MAX", &[5_000])
        .first()
        .copied()
        .unwrap_or(5_000);
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
                "N={size}: generated {} collections ({} edge), {} indexes ({} vector), {} analyzers, {} views, {} graphs, {} functions",
                counts.collections,
                counts.edges,
                counts.indexes,
                counts.vector_indexes,
                counts.analyzers,
                counts.views,
                counts.graphs,
                counts.functions
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
            let ours = run_ours(&binary, repo.path(), &counts, latency, started);
            let baseline = if with_baseline && size <= baseline_max {
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

/// What a generated repository holds.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Counts {
    collections: usize,
    edges: usize,
    /// Every index the specs define (vector indexes included).
    indexes: usize,
    vector_indexes: usize,
    analyzers: usize,
    views: usize,
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

/// Whether entity `i` has a vector index (a document collection).
fn has_vector(i: usize) -> bool {
    i % VECTOR_EVERY == VECTOR_AT
}

/// Whether entity `i` has an inverted index (`idx_{name}_search`).
fn has_inverted(i: usize) -> bool {
    !is_edge(i) && i % 4 == 2
}

/// The custom analyzer of entity `i`'s block.
fn analyzer_name(i: usize) -> String {
    format!("text_{:03}", i / ANALYZER_BLOCK)
}

/// Writes `entities/*.yaml` (one collection per file), `graphs/*.yaml`,
/// `search/*.yaml` (analyzers and views) and `transformations/*.aql` for
/// `n` entities.
fn generate(dir: &Path, n: usize) -> Counts {
    let entities = dir.join("entities");
    let graphs = dir.join("graphs");
    let search = dir.join("search");
    let transformations = dir.join("transformations");
    for path in [&entities, &graphs, &search, &transformations] {
        std::fs::create_dir_all(path).expect("mkdir");
    }
    let mut counts = Counts {
        collections: n,
        edges: 0,
        indexes: 0,
        vector_indexes: 0,
        analyzers: 0,
        views: 0,
        graphs: 0,
        functions: 0,
    };
    for block in 0..n.div_ceil(ANALYZER_BLOCK) {
        let name = analyzer_name(block * ANALYZER_BLOCK);
        let yaml = format!(
            "apiVersion: db.feature-store/v1alpha1\nkind: ArangoAnalyzer\nmetadata:\n  name: {name}\n  labels: {{team: team_{}}}\nspec:\n  type: text\n  properties: {{locale: en, case: lower, accent: false, stemming: true, stopwords: []}}\n  features: [frequency, position, norm]\n",
            block % 7
        );
        std::fs::write(search.join(format!("{name}.yaml")), yaml).expect("write analyzer");
        counts.analyzers += 1;
    }
    for block in 0..n.div_ceil(VIEW_BLOCK) {
        let members = block * VIEW_BLOCK..((block + 1) * VIEW_BLOCK).min(n);
        let linked: Vec<usize> = members
            .clone()
            .filter(|&i| !is_edge(i) && i % 4 == 1)
            .take(VIEW_MEMBERS)
            .collect();
        let inverted: Vec<usize> = members
            .filter(|&i| has_inverted(i))
            .take(VIEW_MEMBERS)
            .collect();
        if !linked.is_empty() {
            let mut yaml = format!(
                "apiVersion: db.feature-store/v1alpha1\nkind: ArangoView\nmetadata:\n  name: search_{block:03}\nspec:\n  type: arangosearch\n  consolidationIntervalMsec: 1000\n  consolidationPolicy: {{type: tier}}\n  primarySort: [{{field: created_at, direction: desc}}]\n  storedValues: [{{fields: [title]}}]\n  links:\n"
            );
            for i in linked {
                let _ = writeln!(
                    yaml,
                    "    {}:\n      fields:\n        title: {{analyzers: [{}]}}\n        category: {{}}",
                    collection_name(i),
                    analyzer_name(i)
                );
            }
            std::fs::write(search.join(format!("search_{block:03}.yaml")), yaml)
                .expect("write view");
            counts.views += 1;
        }
        if !inverted.is_empty() {
            let mut yaml = format!(
                "apiVersion: db.feature-store/v1alpha1\nkind: ArangoView\nmetadata:\n  name: alias_{block:03}\nspec:\n  type: search-alias\n  indexes:\n"
            );
            for i in inverted {
                let name = collection_name(i);
                let _ = writeln!(
                    yaml,
                    "    - {{collection: {name}, index: idx_{name}_search}}"
                );
            }
            std::fs::write(search.join(format!("alias_{block:03}.yaml")), yaml)
                .expect("write view");
            counts.views += 1;
        }
    }
    for i in 0..n {
        let (yaml, indexes) = entity_yaml(i, false);
        counts.indexes += indexes;
        counts.vector_indexes += usize::from(has_vector(i));
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
    let mut indexes: Vec<String> = if is_edge(i) {
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
                format!("{{type: inverted, name: idx_{name}_search, fields: [{{name: title, analyzer: {}}}, description]}}", analyzer_name(i)),
            ],
            _ => vec![
                "{type: persistent, fields: [status], sparse: true}".to_string(),
                format!("{{type: mdi, fields: [x, y], fieldValueTypes: double, name: idx_{name}_xy}}"),
            ],
        }
    };
    if has_vector(i) {
        indexes.push(format!("{{type: vector, name: idx_{name}_embedding, fields: [embedding], params: {{metric: cosine, dimension: 256, nLists: 8}}}}"));
    }
    yaml.push_str("  indexes:\n");
    for index in &indexes {
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

/// An empty emulator presenting ArangoDB 3.12.10 started with
/// `--vector-index` (vector indexes are created at once, untrained, on an
/// empty collection: 3.12.9 and later).
fn start_emulator(latency: u64) -> BackgroundEmulator {
    let profile = Profile {
        version: Version::new(3, 12, 10),
        vector_index: true,
        ..Profile::default()
    };
    arangodb_emulator::spawn(Config {
        latency: Duration::from_millis(latency),
        root_password: ROOT_PASSWORD.into(),
        profile,
        ..Config::default()
    })
    .expect("emulator starts")
}

/// A request to the emulator's `features` database as root.
fn database_request(
    emulator: &BackgroundEmulator,
    method: reqwest::Method,
    path: &str,
) -> reqwest::blocking::RequestBuilder {
    reqwest::blocking::Client::new()
        .request(method, format!("{}/_db/{DATABASE}{path}", emulator.url()))
        .basic_auth("root", Some(ROOT_PASSWORD))
}

fn json_of(request: reqwest::blocking::RequestBuilder, what: &str) -> Value {
    let response = request.send().unwrap_or_else(|err| panic!("{what}: {err}"));
    let status = response.status();
    let body: Value = response
        .json()
        .unwrap_or_else(|err| panic!("{what}: {err}"));
    assert!(status.is_success(), "{what}: {status} {body}");
    body
}

/// What the server holds, counted as [`Counts`] counts the specs (graphs
/// and functions left out: the no-change plan covers them).
fn census(emulator: &BackgroundEmulator, expected: &Counts) -> Counts {
    let batch = json_of(
        database_request(emulator, reqwest::Method::POST, "/_api/replication/batch")
            .json(&json!({"ttl": 300})),
        "open a replication batch",
    );
    let id = batch["id"].as_str().expect("batch id").to_string();
    let inventory = json_of(
        database_request(
            emulator,
            reqwest::Method::GET,
            &format!("/_api/replication/inventory?batchId={id}&includeSystem=false"),
        ),
        "inventory",
    );
    // Answered 204, no body.
    let closed = database_request(
        emulator,
        reqwest::Method::DELETE,
        &format!("/_api/replication/batch/{id}"),
    )
    .send()
    .expect("close the replication batch")
    .status();
    assert!(closed.is_success(), "close the replication batch: {closed}");
    let analyzers = json_of(
        database_request(emulator, reqwest::Method::GET, "/_api/analyzer"),
        "analyzers",
    );
    let collections = inventory["collections"].as_array().expect("collections");
    // The state collection arangosync keeps its records in is a system
    // collection (left out above) or one of its own: count only ours.
    let ours: Vec<&Value> = collections
        .iter()
        .filter(|collection| {
            let name = collection["parameters"]["name"]
                .as_str()
                .unwrap_or_default();
            name.starts_with("doc_") || name.starts_with("edge_")
        })
        .collect();
    let indexes: Vec<&Value> = ours
        .iter()
        .flat_map(|collection| collection["indexes"].as_array().into_iter().flatten())
        .filter(|index| !matches!(index["type"].as_str(), Some("primary" | "edge")))
        .collect();
    Counts {
        collections: ours.len(),
        edges: ours
            .iter()
            .filter(|collection| collection["parameters"]["type"] == json!(3))
            .count(),
        indexes: indexes.len(),
        vector_indexes: indexes
            .iter()
            .filter(|index| index["type"] == json!("vector"))
            .count(),
        analyzers: analyzers["result"]
            .as_array()
            .expect("analyzer list")
            .iter()
            .filter(|analyzer| {
                analyzer["name"]
                    .as_str()
                    .is_some_and(|name| name.starts_with(&format!("{DATABASE}::")))
            })
            .count(),
        views: inventory["views"].as_array().expect("views").len(),
        graphs: expected.graphs,
        functions: expected.functions,
    }
}

/// Fails the benchmark unless the cold apply just made on `emulator` left
/// nothing to do: `plan --detailed-exitcode` exits 0 and the server holds
/// every generated collection, index, vector index, analyzer and view.
fn assert_converged(binary: &Path, dir: &str, emulator: &BackgroundEmulator, expected: &Counts) {
    let (_, code, stdout, stderr) = run_child_code(
        binary,
        &["plan", "--dir", dir, "--detailed-exitcode"],
        Some(emulator),
    );
    assert!(
        code == 0,
        "COLD APPLY DID NOT CONVERGE: `plan --detailed-exitcode` after a cold apply of {} entities exited {code}\nstdout (first lines):\n{}\nstderr (last lines):\n{}",
        expected.collections,
        head(&stdout, 60),
        tail(&stderr, 20)
    );
    let found = census(emulator, expected);
    assert_eq!(
        &found, expected,
        "COLD APPLY DID NOT CREATE EVERY OBJECT (server census, then the generated counts)"
    );
}

fn head(text: &str, lines: usize) -> String {
    text.lines().take(lines).collect::<Vec<_>>().join("\n")
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
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
    let (measure, code, stdout, stderr) = run_child_code(binary, args, emulator);
    if code != 0 {
        panic!(
            "arangosync {args:?} exited with {code}\nstdout (last lines):\n{}\nstderr (last lines):\n{}",
            tail(&stdout, 20),
            tail(&stderr, 20)
        );
    }
    measure
}

/// Runs the binary to completion through the measuring helper: the
/// measure, the exit code (-1 for a signal), stdout and stderr.
fn run_child_code(
    binary: &Path,
    args: &[&str],
    emulator: Option<&BackgroundEmulator>,
) -> (Measure, i64, String, String) {
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
    let stderr = std::fs::read_to_string(logs.path()).unwrap_or_default();
    let stdout = std::fs::read_to_string(output.path()).unwrap_or_default();
    let measure = Measure {
        wall: Duration::from_nanos(wall_nanos as u64),
        requests: 0,
        writes: 0,
        rss_kib: Some(rss_kib as u64),
    };
    (measure, code, stdout, stderr)
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

fn run_ours(
    binary: &Path,
    repo: &Path,
    counts: &Counts,
    latency: u64,
    started: Instant,
) -> Vec<Measure> {
    let n = counts.collections;
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
    let cold_runs = if n > SINGLE_COLD_ABOVE {
        1
    } else {
        APPLY_REPEATS
    };
    for run in 0..cold_runs {
        if run > 0 {
            emulator = start_emulator(latency);
        }
        colds.push(measure_with_stats(binary, &cold_apply, &emulator));
        assert_converged(binary, dir, &emulator, counts);
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
    /// Create the database, then every analyzer (the seed knew none; one
    /// request each, as for graphs), then per collection: exists check,
    /// create or read properties (and update them when they differ), list
    /// indexes, ensure every index (vector indexes included); create every
    /// graph; create every view (one request each, after the collections
    /// and indexes they name); register every function. "Already exists"
    /// answers for the database, graphs and views are tolerated (ArangoDB
    /// answers an identical analyzer with 200).
    Apply,
    /// Per collection: exists check, read properties, list indexes, ensure
    /// every index (the seed had no dry run: its only way to find missing
    /// indexes was ArangoDB's idempotent ensure). No creates, no property
    /// updates, nothing for analyzers, graphs, views or functions.
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
    const DUPLICATE_IDENTIFIER: u64 = 1005;
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
        for (name, analyzer) in &desired.analyzers {
            let body = json!({
                "name": name,
                "type": analyzer.analyzer_type,
                "properties": analyzer.properties,
                "features": analyzer.features,
            });
            // ArangoDB answers an identical analyzer under the name with
            // 200 (a re-run), another definition with 400.
            client
                .call(Method::POST, "/_api/analyzer", &[], Some(&body))
                .await
                .map_err(|err| fail(name, err))?;
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
            let body = index.to_api_body();
            match client
                .call(Method::POST, "/_api/index", &query, Some(&body))
                .await
            {
                Ok(_) => {}
                // From 3.12.6 ArangoDB refuses to ensure a named inverted
                // index that exists (1005) where older servers return it:
                // the seed's ensure, one request, reads that as "exists".
                Err(err)
                    if err.error_num() == Some(DUPLICATE_IDENTIFIER)
                        && body["type"] == json!("inverted") => {}
                Err(err) => return Err(fail(name, err)),
            }
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
    for (name, view) in &desired.views {
        match client
            .call(
                Method::POST,
                "/_api/view",
                &[],
                Some(&view.to_create_body()),
            )
            .await
        {
            Ok(_) => {}
            Err(err) if err.error_num() == Some(DUPLICATE_NAME) => {}
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
    out.push_str(&growth_table(rows, validations));
    out.push_str(&targets_table(rows, validations));
    out
}

/// One point of a growth series: entities, the measure, whether it has
/// request counts (`validate` does not talk to a server).
type GrowthPoint = (usize, Measure, bool);

/// The sizes the growth table compares.
const GROWTH_SIZES: [usize; 3] = [1_000, 5_000, 20_000];

/// How each scenario at 5 ms (and `validate`) grows from 1,000 to 5,000 to
/// 20,000 entities: the measures, the same per entity, and each step's
/// growth divided by the growth in entities (≤ 1.00: linear or better).
fn growth_table(rows: &[Row], validations: &[(usize, Measure)]) -> String {
    let mut out = String::new();
    out.push_str("\n### Growth at 5 ms\n\n");
    out.push_str("Per entity: wall time in ms, requests, peak RSS in KiB. Growth ÷ entities: how much a measure grew from the previous size, divided by how much the number of entities grew (1.00 is linear, below is better than linear).\n\n");
    out.push_str("| scenario | entities | wall (s) | requests | peak RSS | wall / entity (ms) | requests / entity | RSS / entity (KiB) | wall growth ÷ entities | requests growth ÷ entities | RSS growth ÷ entities |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    let mut series: Vec<(&str, Vec<GrowthPoint>)> = SCENARIOS
        .iter()
        .map(|scenario| {
            let points = GROWTH_SIZES
                .iter()
                .filter_map(|&size| {
                    rows.iter()
                        .find(|row| {
                            row.size == size && row.latency == 5 && row.scenario == *scenario
                        })
                        .map(|row| (size, row.ours.clone(), true))
                })
                .collect();
            (*scenario, points)
        })
        .collect();
    series.push((
        "validate",
        GROWTH_SIZES
            .iter()
            .filter_map(|&size| {
                validations
                    .iter()
                    .find(|(n, _)| *n == size)
                    .map(|(_, measure)| (size, measure.clone(), false))
            })
            .collect(),
    ));
    let mut any = false;
    for (scenario, points) in &series {
        let mut previous: Option<&GrowthPoint> = None;
        for point in points {
            any = true;
            let (size, measure, has_requests) = point;
            let n = *size as f64;
            let wall = measure.wall.as_secs_f64();
            let rss = measure.rss_kib.unwrap_or(0) as f64;
            let ratio = |now: f64, before: f64, before_size: usize| {
                if before > 0.0 {
                    format!("{:.2}", (now / before) / (n / before_size as f64))
                } else {
                    "–".to_string()
                }
            };
            let (wall_growth, requests_growth, rss_growth) = match previous {
                Some((before_size, before, _)) => (
                    ratio(wall, before.wall.as_secs_f64(), *before_size),
                    if *has_requests {
                        ratio(
                            measure.requests as f64,
                            before.requests as f64,
                            *before_size,
                        )
                    } else {
                        "–".to_string()
                    },
                    ratio(rss, before.rss_kib.unwrap_or(0) as f64, *before_size),
                ),
                None => ("–".to_string(), "–".to_string(), "–".to_string()),
            };
            let (requests, requests_per_entity) = if *has_requests {
                (
                    measure.requests.to_string(),
                    format!("{:.3}", measure.requests as f64 / n),
                )
            } else {
                ("–".to_string(), "–".to_string())
            };
            let _ = writeln!(
                out,
                "| {scenario} | {size} | {wall:.3} | {requests} | {} | {:.3} | {requests_per_entity} | {:.1} | {wall_growth} | {requests_growth} | {rss_growth} |",
                mib(measure.rss_kib),
                wall * 1_000.0 / n,
                rss / n,
            );
            previous = Some(point);
        }
    }
    if !any {
        out.push_str(
            "| (no size of 1,000, 5,000 or 20,000 entities at 5 ms in this run) |||||||||||\n",
        );
    }
    out
}

/// The targets of issue 16 (and the earlier ones of issue 7), each with
/// what this run measured and a verdict; "not measured" where the run
/// left out a size, latency or the baseline the target needs.
fn targets_table(rows: &[Row], validations: &[(usize, Measure)]) -> String {
    let mut out = String::new();
    out.push_str("\n### Targets\n\n");
    out.push_str("| target | measured | verdict |\n|---|---|---|\n");
    let mut line = |target: String, measured: String, verdict: String| {
        let _ = writeln!(out, "| {target} | {measured} | {verdict} |");
    };
    let find = |size: usize, latency: u64, scenario: &str| {
        rows.iter()
            .find(|row| row.size == size && row.latency == latency && row.scenario == scenario)
    };
    let not_measured = || ("not measured in this run".to_string(), "–".to_string());
    // Peak RSS, every latency measured at the size (the highest counts).
    for (size, limit_mib) in [(5_000usize, 100u64), (20_000, 300)] {
        for scenario in SCENARIOS {
            let peak = rows
                .iter()
                .filter(|row| row.size == size && row.scenario == scenario)
                .filter_map(|row| row.ours.rss_kib.map(|kib| (kib, row.latency)))
                .max();
            let (measured, verdict_text) = match peak {
                Some((kib, latency)) => (
                    format!(
                        "{} (highest over the latencies measured; at {latency} ms)",
                        mib(Some(kib))
                    ),
                    verdict(kib < limit_mib * 1024, "met", "MISSED"),
                ),
                None => not_measured(),
            };
            line(
                format!("{scenario}, {size} entities: peak RSS < {limit_mib} MiB"),
                measured,
                verdict_text,
            );
        }
    }
    let parse = validations
        .iter()
        .find(|(size, _)| *size == 1_000)
        .map(|(_, measure)| measure.wall.as_secs_f64());
    match (find(1_000, 5, "no-change plan"), parse) {
        (Some(row), Some(parse)) => {
            let bound = row.ours.requests as f64 * 0.005 + parse;
            let ours = row.ours.wall.as_secs_f64();
            let ratio = ours / bound;
            line(
                "no-change plan, 1,000 entities, 5 ms: within 1.4× of (requests × latency + local parse); requests = those the plan made, local parse = `validate` wall time of the same repository".to_string(),
                format!(
                    "{ours:.3} s vs {} × 5 ms + {parse:.3} s = {bound:.3} s: {ratio:.2}×",
                    row.ours.requests
                ),
                verdict(ratio <= 1.4, "met", "MISSED"),
            );
        }
        _ => {
            let (measured, verdict_text) = not_measured();
            line(
                "no-change plan, 1,000 entities, 5 ms: within 1.4× of (requests × latency + local parse)".to_string(),
                measured,
                verdict_text,
            );
        }
    }
    let speedup = |size: usize, scenario: &str| {
        find(size, 5, scenario).and_then(|row| {
            row.baseline.as_ref().map(|b| {
                (
                    b.wall.as_secs_f64() / row.ours.wall.as_secs_f64(),
                    row.ours.wall.as_secs_f64(),
                    b.wall.as_secs_f64(),
                )
            })
        })
    };
    let mut speedup_line = |target: String, size: usize, scenario: &str, at_least: f64| {
        let (measured, verdict_text) = match speedup(size, scenario) {
            Some((factor, ours, baseline)) => (
                format!("{factor:.1}× ({ours:.3} s vs {baseline:.3} s)"),
                verdict(factor >= at_least, "met", "MISSED"),
            ),
            None => not_measured(),
        };
        line(target, measured, verdict_text);
    };
    speedup_line(
        "no-change plan, 1,000 entities, 5 ms: ≥ 100× the baseline".to_string(),
        1_000,
        "no-change plan",
        100.0,
    );
    for size in [100usize, 1_000, 5_000] {
        speedup_line(
            format!("cold apply, {size} entities, 5 ms: ≥ 10× the baseline"),
            size,
            "cold apply",
            10.0,
        );
    }
    let (measured, verdict_text) = match find(1_000, 5, "one-change apply") {
        Some(row) => (
            format!("{:.3} s", row.ours.wall.as_secs_f64()),
            verdict(row.ours.wall < Duration::from_millis(250), "met", "MISSED"),
        ),
        None => not_measured(),
    };
    line(
        "one-change apply, 1,000 entities, 5 ms: < 0.25 s".to_string(),
        measured,
        verdict_text,
    );
    // Issue 7's targets, kept in view.
    let plans: Vec<String> = rows
        .iter()
        .filter(|row| row.scenario == "no-change plan")
        .map(|row| format!("{} at N={}/{} ms", row.ours.requests, row.size, row.latency))
        .collect();
    let constant = rows
        .iter()
        .filter(|row| row.scenario == "no-change plan")
        .map(|row| row.ours.requests)
        .collect::<std::collections::BTreeSet<_>>()
        .len()
        <= 1;
    if plans.is_empty() {
        let (measured, verdict_text) = not_measured();
        line(
            "(issue 7) no-change plan requests constant in N".to_string(),
            measured,
            verdict_text,
        );
    } else {
        line(
            "(issue 7) no-change plan requests constant in N".to_string(),
            plans.join(", "),
            verdict(constant, "met", "MISSED"),
        );
    }
    let (measured, verdict_text) = match validations.iter().find(|(size, _)| *size == 5_000) {
        Some((_, measure)) => (
            format!(
                "{:.3} s, {}",
                measure.wall.as_secs_f64(),
                mib(measure.rss_kib)
            ),
            verdict(
                measure.wall < Duration::from_secs(1)
                    && measure.rss_kib.unwrap_or(u64::MAX) < 100 * 1024,
                "met",
                "MISSED",
            ),
        ),
        None => not_measured(),
    };
    line(
        "(issue 7) `validate` of 5,000 entities: < 1 s and < 100 MiB".to_string(),
        measured,
        verdict_text,
    );
    out
}

fn verdict(met: bool, yes: &str, no: &str) -> String {
    if met {
        yes.to_string()
    } else {
        format!("**{no}**")
    }
}
