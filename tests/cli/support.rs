//! The test harness: an emulator on its own thread, a scratch spec
//! directory, and the real `arangosync` binary run against them.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use arangodb_emulator::{BackgroundEmulator, Config};
use serde_json::{json, Value};

pub const ROOT_PASSWORD: &str = "root-pw";

pub struct Harness {
    pub emulator: BackgroundEmulator,
    pub dir: tempfile::TempDir,
    http: reqwest::blocking::Client,
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Harness {
    /// The emulator's default version, started with `--vector-index` as the
    /// example repository needs (it holds a vector index).
    pub fn new() -> Harness {
        Harness::with_profile(example_profile())
    }

    /// A harness whose emulator presents `profile` (version, role, options).
    pub fn with_profile(profile: arangodb_emulator::Profile) -> Harness {
        let emulator = arangodb_emulator::spawn(Config {
            root_password: ROOT_PASSWORD.into(),
            profile,
            ..Config::default()
        })
        .expect("emulator starts");
        Harness {
            emulator,
            dir: tempfile::tempdir().expect("temp dir"),
            http: reqwest::blocking::Client::new(),
        }
    }

    /// A harness whose emulator runs with `config` (latency, startup delay);
    /// the root password is the harness's.
    pub fn with_config(config: Config) -> Harness {
        let emulator = arangodb_emulator::spawn(Config {
            root_password: ROOT_PASSWORD.into(),
            ..config
        })
        .expect("emulator starts");
        Harness {
            emulator,
            dir: tempfile::tempdir().expect("temp dir"),
            http: reqwest::blocking::Client::new(),
        }
    }

    pub fn specs(&self) -> &Path {
        self.dir.path()
    }

    /// The emulator's base URL, for clients other than arangosync.
    pub fn url(&self) -> &str {
        self.emulator.url()
    }

    /// Writes a spec file (relative to the spec directory).
    pub fn write(&self, relative: &str, content: &str) {
        let path = self.dir.path().join(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write spec");
    }

    pub fn remove(&self, relative: &str) {
        std::fs::remove_file(self.dir.path().join(relative)).expect("remove spec");
    }

    /// Runs `arangosync ARGS` as root against the emulator's `features` database.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_as("root", ROOT_PASSWORD, args)
    }

    pub fn run_as(&self, user: &str, password: &str, args: &[&str]) -> Run {
        self.run_with_env(user, password, &[], args)
    }

    /// Runs `arangosync ARGS` as `user` with extra environment variables.
    pub fn run_with_env(
        &self,
        user: &str,
        password: &str,
        env: &[(&str, &str)],
        args: &[&str],
    ) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_arangosync"))
            .args(args)
            .env_clear()
            .env("ARANGO_HOST", self.emulator.url())
            .env("ARANGO_DATABASE", "features")
            .env("ARANGO_USER", user)
            .env("ARANGO_PASSWORD", password)
            .env("ARANGOSYNC_DIR", self.dir.path())
            .env("ARANGOSYNC_WAIT_TIMEOUT", "5")
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .output()
            .expect("arangosync runs");
        Run {
            status: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// One request as root to any path of the emulator; the status and body.
    pub fn api(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.emulator.url()))
            .basic_auth("root", Some(ROOT_PASSWORD));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().expect("emulator answers");
        let status = response.status().as_u16();
        let text = response.text().unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// GET a path of the `features` database; panics unless 200.
    pub fn get(&self, path: &str) -> Value {
        let (status, body) = self.api(reqwest::Method::GET, &format!("/_db/features{path}"), None);
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    pub fn get_status(&self, path: &str) -> u16 {
        self.api(reqwest::Method::GET, &format!("/_db/features{path}"), None)
            .0
    }

    /// Asserts that the apply lock of database `features` was given back:
    /// the document a run leaves on release (`released: true`, a lease of
    /// 0 seconds), not one held.
    pub fn assert_lock_released(&self, context: &str) {
        let lock = self.get("/_api/document/_arangosync/lock");
        assert_eq!(lock["type"], "lock", "{lock}\n{context}");
        assert_eq!(lock["released"], true, "{lock}\n{context}");
        assert_eq!(lock["ttlSeconds"], 0, "{lock}\n{context}");
    }

    pub fn post(&self, path: &str, body: Value) -> Value {
        let (status, body) = self.api(
            reqwest::Method::POST,
            &format!("/_db/features{path}"),
            Some(body),
        );
        assert!(status < 300, "POST {path}: {status} {body}");
        body
    }

    /// POST to a path of the `features` database; the status and body,
    /// whatever the status.
    pub fn try_post(&self, path: &str, body: Value) -> (u16, Value) {
        self.api(
            reqwest::Method::POST,
            &format!("/_db/features{path}"),
            Some(body),
        )
    }

    pub fn put(&self, path: &str, body: Value) -> Value {
        let (status, body) = self.api(
            reqwest::Method::PUT,
            &format!("/_db/features{path}"),
            Some(body),
        );
        assert!(status < 300, "PUT {path}: {status} {body}");
        body
    }

    pub fn create_database(&self) {
        let (status, body) = self.api(
            reqwest::Method::POST,
            "/_api/database",
            Some(json!({"name": "features"})),
        );
        assert_eq!(status, 201, "{body}");
    }

    pub fn create_user(&self, name: &str, password: &str, grant: &str) {
        let (status, body) = self.api(
            reqwest::Method::POST,
            "/_api/user",
            Some(json!({"user": name, "passwd": password})),
        );
        assert_eq!(status, 201, "{body}");
        let (status, body) = self.api(
            reqwest::Method::PUT,
            &format!("/_api/user/{name}/database/features"),
            Some(json!({"grant": grant})),
        );
        assert_eq!(status, 200, "{body}");
    }

    pub fn stats(&self) -> Value {
        self.http
            .get(format!("{}/_emulator/stats", self.emulator.url()))
            .send()
            .expect("stats")
            .json()
            .expect("stats json")
    }

    /// What, since the last `reset_stats`, was more than the reads a
    /// `plan` or `apply` may send while its specs are still loading (empty
    /// when nothing was): a write, a request to another path, or more
    /// than one parse (`/_api/query`, the server-facts probe) or cursor
    /// (`/_api/cursor`, the state documents), the two reads whose bodies
    /// could carry a query of the specs. Such a run connects and reads
    /// while it loads its specs, so how many of these reads an invalid
    /// tree lets through depends on timing; what it never sends is the
    /// same in every run.
    pub fn beyond_spec_independent_reads(&self) -> Vec<String> {
        const READS: [&str; 11] = [
            "/_admin/server/availability",
            // apply's look at its lock before the schema read.
            "/_api/document/_arangosync/lock",
            "/_api/version",
            "/_admin/server/role",
            "/_api/replication/inventory",
            "/_api/replication/clusterInventory",
            "/_api/gharial",
            "/_api/aqlfunction",
            "/_api/engine",
            // Listed by `live::read` when arangosync created analyzers
            // there, whatever the specs say (a GET carries nothing).
            "/_api/analyzer",
            "/_api/view",
        ];
        let stats = self.stats();
        let mut problems = Vec::new();
        if stats["writes"] != 0 {
            problems.push(format!("writes: {}", stats["writes"]));
        }
        let mut parses = 0;
        let mut cursors = 0;
        for (path, count) in stats["byPath"].as_object().expect("byPath") {
            let count = count.as_u64().expect("count");
            // Without the `/_db/NAME` prefix.
            let local = match path.strip_prefix("/_db/") {
                Some(rest) => rest.find('/').map_or("", |at| &rest[at..]),
                None => path.as_str(),
            };
            if local == "/_api/query" {
                parses += count;
            } else if local == "/_api/cursor" {
                cursors += count;
            } else if !(READS.contains(&local) || local.starts_with("/_api/replication/batch")) {
                problems.push(format!("{path}: {count}"));
            }
        }
        if parses > 1 {
            problems.push(format!("{parses} parse requests"));
        }
        if cursors > 1 {
            problems.push(format!("{cursors} cursors"));
        }
        problems
    }

    pub fn writes(&self) -> u64 {
        self.stats()["writes"].as_u64().expect("writes")
    }

    pub fn reset_stats(&self) {
        self.http
            .post(format!("{}/_emulator/stats/reset", self.emulator.url()))
            .send()
            .expect("reset");
    }

    /// The user indexes of a collection, without ids, sorted by name.
    pub fn indexes(&self, collection: &str) -> Vec<Value> {
        let body = self.get(&format!("/_api/index?collection={collection}"));
        let mut indexes: Vec<Value> = body["indexes"]
            .as_array()
            .expect("indexes")
            .iter()
            .filter(|index| !matches!(index["type"].as_str(), Some("primary" | "edge")))
            .cloned()
            .collect();
        for index in &mut indexes {
            index.as_object_mut().expect("object").remove("id");
        }
        indexes.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        indexes
    }
}

/// The emulator's defaults plus `--vector-index`, which the example
/// repository's vector index needs (`Harness::new` uses it).
pub fn example_profile() -> arangodb_emulator::Profile {
    arangodb_emulator::Profile {
        vector_index: true,
        ..arangodb_emulator::Profile::default()
    }
}

/// Copies the example repository into `to` without its vector index, for
/// servers that cannot hold one (before 3.12.4, or without
/// `--vector-index`).
pub fn example_without_vector_index(to: &Path) {
    copy_tree(&example_features(), to);
    let products = to.join("entities/products.yaml");
    let text = std::fs::read_to_string(&products).expect("products spec");
    let start = text
        .find("    # Similarity search")
        .expect("the vector index");
    let end = text[start..]
        .find("nLists: 1}\n")
        .map(|at| start + at + "nLists: 1}\n".len())
        .expect("the vector index's end");
    std::fs::write(&products, format!("{}{}", &text[..start], &text[end..])).expect("write");
}

/// Asserts that a plan or apply of the example repository found nothing to
/// do. The only notes allowed are about its vector index, which waits for
/// product embeddings (deferred up to 3.12.8, untrained from 3.12.9).
pub fn assert_example_unchanged(stdout: &str) {
    let mut lines = stdout.lines();
    assert_eq!(
        lines.next(),
        Some("No changes: database \"features\" matches the specs."),
        "{stdout}"
    );
    let notes: Vec<&str> = lines.filter(|line| !line.is_empty()).collect();
    if let Some((header, notes)) = notes.split_first() {
        assert_eq!(*header, "Notes (not changes):", "{stdout}");
        assert!(
            notes
                .iter()
                .all(|note| note.starts_with("  index products/idx_products_embedding: ")),
            "{stdout}"
        );
    }
}

/// The repository's example feature tree.
pub fn example_features() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("features")
}

/// Replaces run-specific values (temp paths, the emulator's port) so
/// outputs can be snapshotted; generated index names and ids are filtered
/// by `snapshot_settings`.
pub fn stable(text: &str, harness: &Harness) -> String {
    text.replace(&harness.dir.path().display().to_string(), "[specs]")
        .replace(harness.emulator.url(), "[endpoint]")
}

/// insta settings that hide server-generated names and ids.
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"idx_\d{6,}", "idx_[generated]");
    settings.add_filter(r#""([A-Za-z_]+)/\d+""#, r#""$1/[id]""#);
    settings.set_prepend_module_to_snapshot(false);
    settings
}

/// Copies the directory tree `from` into `to` (e.g. the example repo into
/// a harness's spec directory, to change it there).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}
