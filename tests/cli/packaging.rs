//! The Argo CD hook Jobs, run the way Kubernetes runs them: the rendered
//! kustomization's ConfigMap laid out as a ConfigMap volume (files are
//! symlinks into a hidden timestamped directory through `..data`), the Jobs'
//! own arguments and settings, the environment's spec overlay as a second
//! ConfigMap volume, the password as a mounted file, TLS with the cluster's
//! CA, against a cluster coordinator.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use arangodb_emulator::{Config, TlsFiles};
use yaml_rust2::{Yaml, YamlLoader};

use crate::support::ROOT_PASSWORD;

const OVERLAY: &str = "infrastructure/schema-reconciler/overlays/dev";
const DRIFT_OVERLAY: &str = "infrastructure/drift/overlays/dev";

fn render() -> Vec<Yaml> {
    render_overlay(OVERLAY)
}

fn render_overlay(overlay: &str) -> Vec<Yaml> {
    let output = Command::new("kubectl")
        .args(["kustomize", overlay])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("kubectl must be installed to render the kustomization (it is on the project's machines)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    YamlLoader::load_from_str(&String::from_utf8_lossy(&output.stdout)).expect("rendered YAML")
}

fn find<'a>(objects: &'a [Yaml], kind: &str, name: &str) -> &'a Yaml {
    objects
        .iter()
        .find(|o| o["kind"].as_str() == Some(kind) && o["metadata"]["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("{kind} {name} in the rendered kustomization"))
}

/// Lays out `data` the way the kubelet mounts a ConfigMap.
/// Mounts the ConfigMap that `pod`'s volume `volume` names at
/// `work/volume`, as Kubernetes does; returns the ConfigMap's name and the
/// mount path.
fn mount_volume(objects: &[Yaml], pod: &Yaml, volume: &str, work: &Path) -> (String, PathBuf) {
    let name = pod["volumes"]
        .as_vec()
        .expect("volumes")
        .iter()
        .find(|entry| entry["name"].as_str() == Some(volume))
        .and_then(|entry| entry["configMap"]["name"].as_str())
        .unwrap_or_else(|| panic!("a {volume} ConfigMap volume"))
        .to_string();
    let path = work.join(volume);
    std::fs::create_dir(&path).expect("mount dir");
    configmap_volume(&find(objects, "ConfigMap", &name)["data"], &path);
    (name, path)
}

fn configmap_volume(data: &Yaml, root: &Path) {
    let hidden = root.join("..2026_11_22_21_36_00.123456789");
    std::fs::create_dir_all(&hidden).expect("hidden dir");
    for (key, value) in data.as_hash().expect("data") {
        let key = key.as_str().expect("key");
        std::fs::write(hidden.join(key), value.as_str().expect("value")).expect("write");
        std::os::unix::fs::symlink(Path::new("..data").join(key), root.join(key)).expect("link");
    }
    std::os::unix::fs::symlink("..2026_11_22_21_36_00.123456789", root.join("..data"))
        .expect("..data");
}

struct Job {
    args: Vec<String>,
    env: BTreeMap<String, String>,
}

/// The container's arguments and environment, with the in-cluster paths and
/// endpoint swapped for this test's.
fn job(
    objects: &[Yaml],
    name: &str,
    specs: &Path,
    overlay: &Path,
    password_file: &Path,
    ca: &Path,
    endpoint: &str,
) -> Job {
    // A Job's pod, or the pod of a CronJob's Job.
    let pod = objects
        .iter()
        .find(|o| {
            o["kind"].as_str() == Some("CronJob") && o["metadata"]["name"].as_str() == Some(name)
        })
        .map(|cron| &cron["spec"]["jobTemplate"]["spec"]["template"]["spec"])
        .unwrap_or_else(|| &find(objects, "Job", name)["spec"]["template"]["spec"]);
    let container = &pod["containers"][0];
    let args = container["args"]
        .as_vec()
        .expect("args")
        .iter()
        .map(|arg| {
            arg.as_str()
                .expect("arg")
                .replace("--dir=/specs", &format!("--dir={}", specs.display()))
        })
        .collect();
    let mut env = BTreeMap::new();
    for source in container["envFrom"].as_vec().expect("envFrom") {
        let settings = find(
            objects,
            "ConfigMap",
            source["configMapRef"]["name"].as_str().expect("name"),
        );
        for (key, value) in settings["data"].as_hash().expect("settings") {
            env.insert(
                key.as_str().expect("k").to_string(),
                value.as_str().expect("v").to_string(),
            );
        }
    }
    for variable in container["env"].as_vec().expect("env") {
        let name = variable["name"].as_str().expect("name").to_string();
        let value = match name.as_str() {
            "ARANGO_USER" => "root".to_string(),
            "ARANGO_PASSWORD_FILE" => password_file.display().to_string(),
            "ARANGOSYNC_REVISION" => "0123abc".to_string(),
            "ARANGOSYNC_OVERLAY" => overlay.display().to_string(),
            _ => variable["value"].as_str().unwrap_or_default().to_string(),
        };
        env.insert(name, value);
    }
    assert!(
        env.contains_key("ARANGO_PASSWORD_FILE"),
        "the password comes from a mounted file"
    );
    assert!(
        env.contains_key("ARANGOSYNC_OVERLAY"),
        "the environment's overlay is applied"
    );
    env.insert("ARANGO_HOST".into(), endpoint.to_string());
    env.insert("ARANGO_CA_CERT".into(), ca.display().to_string());
    Job { args, env }
}

fn run(job: &Job) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_arangosync"))
        .args(&job.args)
        .env_clear()
        .envs(&job.env)
        .output()
        .expect("run the job's command");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_presync_and_postsync_jobs_apply_the_specs_from_a_configmap_volume() {
    let objects = render();
    let pod = &find(&objects, "Job", "arangosync-presync")["spec"]["template"]["spec"];
    let work = tempfile::tempdir().expect("dir");
    let (_, specs) = mount_volume(&objects, pod, "specs", work.path());
    let (_, overlay) = mount_volume(&objects, pod, "overlay", work.path());

    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
            .expect("cert");
    let ca = work.path().join("ca.crt");
    let key = work.path().join("server.key");
    std::fs::write(&ca, certified.cert.pem()).expect("ca");
    std::fs::write(&key, certified.key_pair.serialize_pem()).expect("key");
    let password_file = work.path().join("password");
    std::fs::write(&password_file, ROOT_PASSWORD).expect("password");
    let emulator = arangodb_emulator::spawn(Config {
        root_password: ROOT_PASSWORD.into(),
        tls: Some(TlsFiles {
            cert: ca.clone(),
            key,
        }),
        profile: arangodb_emulator::Profile {
            role: arangodb_emulator::Role::Coordinator,
            ..crate::support::example_profile()
        },
        ..Config::default()
    })
    .expect("emulator");

    let presync = job(
        &objects,
        "arangosync-presync",
        &specs,
        &overlay,
        &password_file,
        &ca,
        emulator.url(),
    );
    assert!(
        presync.args.iter().any(|arg| arg == "--phase=pre"),
        "{:?}",
        presync.args
    );
    let (status, stderr) = run(&presync);
    assert_eq!(status, 0, "{stderr}");
    assert!(
        stderr.lines().all(|line| line.starts_with('{')),
        "JSON logs: {stderr}"
    );

    let database = presync.env["ARANGO_DATABASE"].clone();
    let http = reqwest::blocking::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(certified.cert.pem().as_bytes()).expect("pem"),
        )
        .build()
        .expect("client");
    let get = |path: &str| -> serde_json::Value {
        http.get(format!("{}/_db/{database}{path}", emulator.url()))
            .basic_auth("root", Some(ROOT_PASSWORD))
            .send()
            .expect("get")
            .json()
            .expect("json")
    };
    assert_eq!(get("/_api/collection/users")["name"], "users");
    // The dev overlay's one copy, not the base spec's two.
    assert_eq!(
        get("/_api/collection/users/properties")["replicationFactor"],
        1
    );
    assert_eq!(
        get("/_api/gharial/interactions")["graph"]["name"],
        "interactions"
    );
    assert_eq!(
        get("/_api/aqlfunction?namespace=FEATURES")["result"],
        serde_json::json!([]),
        "pre registers no functions"
    );

    let postsync = job(
        &objects,
        "arangosync-postsync",
        &specs,
        &overlay,
        &password_file,
        &ca,
        emulator.url(),
    );
    assert!(
        postsync.args.iter().any(|arg| arg == "--phase=post"),
        "{:?}",
        postsync.args
    );
    let (status, stderr) = run(&postsync);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(
        get("/_api/aqlfunction?namespace=FEATURES")["result"]
            .as_array()
            .expect("functions")
            .len(),
        4
    );

    // A second sync changes nothing.
    let (status, stderr) = run(&presync);
    assert_eq!(status, 0, "{stderr}");
    let mut features = Job {
        args: vec!["features".into(), "--format".into(), "json".into()],
        env: postsync.env.clone(),
    };
    features.env.remove("ARANGOSYNC_REVISION");
    let output = Command::new(env!("CARGO_BIN_EXE_arangosync"))
        .args(&features.args)
        .env_clear()
        .envs(&features.env)
        .output()
        .expect("features");
    let registry: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("registry json");
    let entries = registry["features"].as_array().expect("entries");
    assert_eq!(entries.len(), 4);
    assert!(
        entries.iter().all(|entry| entry["revision"] == "0123abc"),
        "{registry}"
    );
    assert!(
        entries
            .iter()
            .all(|entry| !entry["source"].as_str().unwrap_or("/").contains('/')),
        "flat ConfigMap keys: {registry}"
    );
}

/// The drift CronJob's command against a database: 0 while it matches the
/// synced specs, 2 after a change by hand, with the summary in the last JSON
/// log line.
#[test]
fn the_drift_cronjob_exits_2_when_the_database_was_changed_by_hand() {
    let objects = render_overlay(DRIFT_OVERLAY);
    let cron = find(&objects, "CronJob", "arangosync-drift-check");
    let pod = &cron["spec"]["jobTemplate"]["spec"]["template"]["spec"];
    let work = tempfile::tempdir().expect("dir");
    let (specs_name, specs) = mount_volume(&objects, pod, "specs", work.path());
    assert!(
        specs_name.starts_with("arangosync-drift-feature-specs-"),
        "{specs_name}"
    );
    // The environment's spec overlay, mounted as the hook Jobs mount theirs.
    let (overlay_name, overlay) = mount_volume(&objects, pod, "overlay", work.path());
    assert!(
        overlay_name.starts_with("arangosync-drift-spec-overlay-"),
        "{overlay_name}"
    );
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
            .expect("cert");
    let ca = work.path().join("ca.crt");
    let key = work.path().join("server.key");
    std::fs::write(&ca, certified.cert.pem()).expect("ca");
    std::fs::write(&key, certified.key_pair.serialize_pem()).expect("key");
    let password_file = work.path().join("password");
    std::fs::write(&password_file, ROOT_PASSWORD).expect("password");
    let emulator = arangodb_emulator::spawn(Config {
        root_password: ROOT_PASSWORD.into(),
        tls: Some(TlsFiles {
            cert: ca.clone(),
            key,
        }),
        profile: crate::support::example_profile(),
        ..Config::default()
    })
    .expect("emulator");
    let check = job(
        &objects,
        "arangosync-drift-check",
        &specs,
        &overlay,
        &password_file,
        &ca,
        emulator.url(),
    );
    assert_eq!(
        check.args,
        vec![
            "plan".to_string(),
            format!("--dir={}", specs.display()),
            "--detailed-exitcode".into(),
            "--log-format=json".into()
        ]
    );
    // Bring the database in line with the specs, as the hook Jobs would.
    let apply = Job {
        args: vec![
            "apply".into(),
            format!("--dir={}", specs.display()),
            "--create-database".into(),
        ],
        env: check.env.clone(),
    };
    let (status, stderr) = run(&apply);
    assert_eq!(status, 0, "{stderr}");
    let last_line = |stderr: &str| -> serde_json::Value {
        let line = stderr.lines().last().expect("a log line");
        serde_json::from_str(line).expect("a JSON log line")
    };
    let (status, stderr) = run(&check);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(last_line(&stderr)["fields"]["changes"], 0);

    // Someone drops a collection by hand.
    let database = check.env["ARANGO_DATABASE"].clone();
    let http = reqwest::blocking::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(certified.cert.pem().as_bytes()).expect("pem"),
        )
        .build()
        .expect("client");
    let dropped = http
        .delete(format!(
            "{}/_db/{database}/_api/view/product_search",
            emulator.url()
        ))
        .basic_auth("root", Some(ROOT_PASSWORD))
        .send()
        .expect("delete");
    assert_eq!(dropped.status().as_u16(), 200);
    let (status, stderr) = run(&check);
    assert_eq!(status, 2, "{stderr}");
    let fields = &last_line(&stderr)["fields"];
    assert_eq!(fields["message"], "plan finished");
    assert_eq!(fields["exit_status"], 2);
    assert_eq!(fields["changes"], 1);
    assert_eq!(fields["create"], 1);
    assert_eq!(fields["addresses"], "create view/product_search");
}
