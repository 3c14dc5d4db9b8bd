//! Reliability: injected faults at every request of a full apply, crashed
//! runs re-run, concurrent applies, a server that is still starting, and
//! secrets that must never be printed.

use std::process::{Command, Stdio};
use std::time::Duration;

use arangodb_emulator::Config;
use serde_json::{json, Value};

use crate::support::{example_features, Harness, ROOT_PASSWORD};

/// Documents written before arangosync ever runs; they must survive.
fn seed(harness: &Harness) {
    harness.create_database();
    harness.post("/_api/collection", json!({"name": "users"}));
    harness.post(
        "/_api/document/users",
        json!([
            {"_key": "ada", "email": "ada@example.com", "created_at": "2026-01-01"},
            {"_key": "grace", "email": "grace@example.com", "created_at": "2026-01-02"}
        ]),
    );
}

fn set_faults(harness: &Harness, plan: Value) {
    let response = reqwest::blocking::Client::new()
        .put(format!("{}/_emulator/faults", harness.emulator.url()))
        .json(&plan)
        .send()
        .expect("faults");
    assert_eq!(response.status(), 200);
}

fn clear_faults(harness: &Harness) {
    reqwest::blocking::Client::new()
        .delete(format!("{}/_emulator/faults", harness.emulator.url()))
        .send()
        .expect("clear faults");
}

fn features_dir() -> String {
    example_features().to_str().expect("utf-8").to_string()
}

/// The database equals the specs, nothing was created twice, and the
/// seeded documents are intact.
fn assert_converged(harness: &Harness, context: &str) {
    let plan = harness.run(&["plan", "--dir", &features_dir(), "--detailed-exitcode"]);
    assert_eq!(
        plan.status, 0,
        "{context}: the database does not match the specs: {plan:?}"
    );
    for (collection, expected) in [
        ("users", 3),
        ("products", 5),
        ("user_sessions", 3),
        ("viewed_edge", 1),
        ("sessions", 0),
    ] {
        assert_eq!(
            harness.indexes(collection).len(),
            expected,
            "{context}: indexes of {collection}"
        );
    }
    let functions = harness.get("/_api/aqlfunction?namespace=FEATURES")["result"]
        .as_array()
        .expect("functions")
        .len();
    assert_eq!(functions, 4, "{context}");
    assert_eq!(
        harness.get("/_api/collection/users/count")["count"],
        2,
        "{context}"
    );
    assert_eq!(
        harness.get("/_api/document/users/ada")["email"],
        "ada@example.com",
        "{context}"
    );
}

fn apply(harness: &Harness, extra: &[&str]) -> crate::support::Run {
    let dir = features_dir();
    let mut args = vec![
        "apply",
        "--dir",
        dir.as_str(),
        "--retries",
        "3",
        "--lock-ttl",
        "1",
        "--wait-timeout",
        "2",
    ];
    args.extend_from_slice(extra);
    harness.run(&args)
}

#[test]
fn a_fault_at_any_request_of_a_full_apply_is_retried_or_healed_by_a_rerun() {
    // How many requests a clean full apply makes.
    let counting = Harness::new();
    seed(&counting);
    counting.reset_stats();
    assert_eq!(apply(&counting, &[]).status, 0);
    let requests = counting.stats()["total"].as_u64().expect("total");
    assert!(requests > 30, "a full apply makes {requests} requests");
    drop(counting);

    for k in 0..requests {
        // One transient failure at request k: retried, the run succeeds.
        for fault in [
            json!({"failAfter": k, "count": 1, "mode": "status", "status": 503}),
            json!({"failAfter": k, "count": 1, "mode": "reset"}),
            json!({"failAfter": k, "count": 1, "mode": "reset-after"}),
        ] {
            let harness = Harness::new();
            seed(&harness);
            set_faults(&harness, fault.clone());
            let run = apply(&harness, &[]);
            assert_eq!(run.status, 0, "request {k}, {fault}: {run:?}");
            clear_faults(&harness);
            assert_converged(&harness, &format!("request {k}, {fault}"));
        }
        // The server goes away for good at request k: the run fails, a
        // re-run converges.
        let harness = Harness::new();
        seed(&harness);
        set_faults(
            &harness,
            json!({"failAfter": k, "count": 10_000, "mode": "status", "status": 503}),
        );
        let crashed = apply(&harness, &[]);
        // Failing only the lock release still leaves a complete apply (the
        // lease expires on its own); anything earlier fails the run.
        let expected = if k + 1 == requests { 0 } else { 1 };
        assert_eq!(crashed.status, expected, "request {k}: {crashed:?}");
        assert!(!crashed.stderr.contains("panicked"), "{}", crashed.stderr);
        clear_faults(&harness);
        let rerun = apply(&harness, &[]);
        assert_eq!(
            rerun.status, 0,
            "re-run after a failure at request {k}: {rerun:?}"
        );
        assert_converged(&harness, &format!("re-run after request {k}"));
    }
}

#[test]
fn four_concurrent_applies_converge_without_duplicates() {
    let harness = Harness::new();
    seed(&harness);
    let dir = features_dir();
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_arangosync"))
                .args(["apply", "--dir", &dir])
                .env_clear()
                .env("ARANGO_HOST", harness.emulator.url())
                .env("ARANGO_DATABASE", "features")
                .env("ARANGO_PASSWORD", ROOT_PASSWORD)
                .env("NO_COLOR", "1")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let code = output.status.code().unwrap_or(-1);
        assert!(
            code == 0 || (code == 1 && stderr.contains("another arangosync run holds the lock")),
            "{code}: {stderr}"
        );
    }
    assert_converged(&harness, "after four concurrent applies");
    let graphs = harness.get("/_api/gharial")["graphs"]
        .as_array()
        .expect("graphs")
        .len();
    assert_eq!(graphs, 1);
}

#[test]
fn apply_waits_for_a_server_that_is_not_up_yet() {
    // Reserve a port, start arangosync against it, then start the server
    // there: first connections are refused, then it answers 503 while
    // "starting", then it works.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let specs = tempfile::tempdir().expect("dir");
    std::fs::write(
        specs.path().join("users.yaml"),
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: users\n",
    )
    .expect("spec");
    let child = Command::new(env!("CARGO_BIN_EXE_arangosync"))
        .args(["apply", "--create-database", "--wait-timeout", "30"])
        .arg("--dir")
        .arg(specs.path())
        .env_clear()
        .env("ARANGO_HOST", format!("http://127.0.0.1:{port}"))
        .env("ARANGO_DATABASE", "features")
        .env("ARANGO_PASSWORD", ROOT_PASSWORD)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(700));
    let emulator = arangodb_emulator::spawn(Config {
        listen: ([127, 0, 0, 1], port).into(),
        root_password: ROOT_PASSWORD.into(),
        startup_delay: Duration::from_millis(3000),
        ..Config::default()
    })
    .expect("emulator");
    let output = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("waiting for ArangoDB to become ready"),
        "{stderr}"
    );
    let response = reqwest::blocking::Client::new()
        .get(format!(
            "{}/_db/features/_api/collection/users",
            emulator.url()
        ))
        .basic_auth("root", Some(ROOT_PASSWORD))
        .send()
        .expect("read back");
    assert_eq!(response.status(), 200);
}

#[test]
fn secrets_never_appear_in_any_output() {
    const CANARY: &str = "Canary-7f3a91-Secret";
    let harness = Harness::new();
    harness.create_database();
    harness.create_user("deployer", CANARY, "rw");
    let secret_file = harness.dir.path().join("password");
    std::fs::write(&secret_file, format!("{CANARY}\n")).expect("secret file");
    harness.write(
        "specs/users.yaml",
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: users\n",
    );
    let specs = harness.dir.path().join("specs");
    let specs = specs.to_str().expect("utf-8");
    let password_file = secret_file.to_str().expect("utf-8");
    let runs = [
        // Password from the environment (the harness sets ARANGO_PASSWORD).
        harness.run_as("deployer", CANARY, &["-vv", "apply", "--dir", specs]),
        harness.run_as(
            "deployer",
            CANARY,
            &[
                "-vv",
                "--log-format",
                "json",
                "plan",
                "--dir",
                specs,
                "--format",
                "json",
            ],
        ),
        // Password as a flag and as a file.
        harness.run_as(
            "deployer",
            "unused",
            &["-vv", "plan", "--dir", specs, "--password", CANARY],
        ),
        harness.run_as(
            "deployer",
            "unused",
            &[
                "-vv",
                "plan",
                "--dir",
                specs,
                "--password-file",
                password_file,
            ],
        ),
        // Failures print errors: wrong user, unreachable server.
        harness.run_as("nobody", CANARY, &["-vv", "plan", "--dir", specs]),
        harness.run_as(
            "deployer",
            CANARY,
            &[
                "-vv",
                "plan",
                "--dir",
                specs,
                "--endpoint",
                "http://127.0.0.1:9",
                "--wait-timeout",
                "1",
            ],
        ),
        // --help shows environment defaults; the password must not be one of them.
        harness.run_as("deployer", CANARY, &["plan", "--help"]),
    ];
    for run in &runs {
        assert!(
            !run.stdout.contains(CANARY) && !run.stderr.contains(CANARY),
            "the password leaked: {run:?}"
        );
    }
    assert_eq!(runs[0].status, 0, "{:?}", runs[0]);
    assert_eq!(runs[3].status, 0, "--password-file works: {:?}", runs[3]);
    assert_eq!(runs[4].status, 1);
}

#[test]
fn tls_with_a_private_ca() {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .expect("certificate");
    let dir = tempfile::tempdir().expect("dir");
    let cert = dir.path().join("server.pem");
    let key = dir.path().join("server.key");
    std::fs::write(&cert, certified.cert.pem()).expect("cert");
    std::fs::write(&key, certified.key_pair.serialize_pem()).expect("key");
    let emulator = arangodb_emulator::spawn(Config {
        root_password: ROOT_PASSWORD.into(),
        tls: Some(arangodb_emulator::TlsFiles {
            cert: cert.clone(),
            key,
        }),
        ..Config::default()
    })
    .expect("TLS emulator");
    assert!(emulator.url().starts_with("https://"));
    let specs = dir.path().join("specs");
    std::fs::create_dir(&specs).expect("specs");
    std::fs::write(
        specs.join("users.yaml"),
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: users\n",
    )
    .expect("spec");
    let run = |extra: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_arangosync"))
            .args([
                "apply",
                "--create-database",
                "--wait-timeout",
                "1",
                "--retries",
                "1",
            ])
            .arg("--dir")
            .arg(&specs)
            .args(extra)
            .env_clear()
            .env("ARANGO_HOST", emulator.url())
            .env("ARANGO_DATABASE", "features")
            .env("ARANGO_PASSWORD", ROOT_PASSWORD)
            .env("NO_COLOR", "1")
            .output()
            .expect("run");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (untrusted, stderr) = run(&[]);
    assert_eq!(untrusted, Some(1), "an unknown CA is refused: {stderr}");
    assert!(stderr.to_lowercase().contains("certificate"), "{stderr}");
    let (trusted, stderr) = run(&["--ca-cert", cert.to_str().expect("utf-8")]);
    assert_eq!(trusted, Some(0), "{stderr}");
}

#[test]
fn a_superuser_jwt_authenticates() {
    let emulator = arangodb_emulator::spawn(Config {
        root_password: ROOT_PASSWORD.into(),
        jwt_secret: Some("cluster-secret".into()),
        ..Config::default()
    })
    .expect("emulator");
    let token = arangodb_emulator::auth::issue_token(
        "cluster-secret",
        &json!({"iss": "arangodb", "server_id": "arangosync"}),
    )
    .expect("token");
    let specs = tempfile::tempdir().expect("dir");
    std::fs::write(
        specs.path().join("users.yaml"),
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: users\n",
    )
    .expect("spec");
    let run = |jwt: &str| {
        Command::new(env!("CARGO_BIN_EXE_arangosync"))
            .args([
                "apply",
                "--create-database",
                "--wait-timeout",
                "1",
                "--retries",
                "1",
            ])
            .arg("--dir")
            .arg(specs.path())
            .env_clear()
            .env("ARANGO_HOST", emulator.url())
            .env("ARANGO_DATABASE", "features")
            .env("ARANGO_JWT", jwt)
            .env("NO_COLOR", "1")
            .output()
            .expect("run")
    };
    let accepted = run(&token);
    assert_eq!(
        accepted.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&accepted.stderr)
    );
    let forged = run("eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJhcmFuZ29kYiJ9.AAAA");
    let stderr = String::from_utf8_lossy(&forged.stderr);
    assert_eq!(forged.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("HTTP 401"), "{stderr}");
    assert!(!stderr.contains(&token), "the token never appears");
}
