//! Folders of sample spec trees, tested as data.
//!
//! * `tests/fixtures/specs/invalid/<case>/`: spec files and `expected.txt`,
//!   the exact diagnostics of `spec::load` plus `validate`, rendered with
//!   `Diagnostic`'s Display and paths relative to the case folder.
//! * `tests/fixtures/specs/valid/<case>/`: spec files and `expected.json`,
//!   the loaded state (plus files, transformations and any warnings); a valid
//!   case must have no errors.
//!
//! A mismatch fails with a line diff. `UPDATE_EXPECT=1 cargo test` rewrites
//! the expected files instead; review the result with `git diff`.
//!
//! The ConfigMap layout needs symlinks, so it is built in a temporary folder
//! by `configmap_layout_loads_each_file_once` rather than checked in.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::diag::{Diagnostics, Severity};
use crate::spec::{load, Loaded};
use crate::validate::validate;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/specs")
}

fn update_requested() -> bool {
    std::env::var_os("UPDATE_EXPECT").is_some_and(|value| value == "1")
}

fn cases(kind: &str) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = fs::read_dir(fixtures().join(kind))
        .unwrap_or_else(|error| panic!("cannot list {kind} fixtures: {error}"))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    cases
}

/// Loader and validator diagnostics together, in one sorted list.
fn all_diagnostics(loaded: &Loaded) -> Diagnostics {
    let mut diagnostics = loaded.diagnostics.clone();
    diagnostics.extend(validate(loaded));
    diagnostics.sort();
    diagnostics
}

/// Paths relative to `root`, also inside messages ("first defined at ...").
fn relative_text(root: &Path, text: &str) -> String {
    text.replace(&format!("{}/", root.display()), "")
}

fn render(root: &Path, diagnostics: &Diagnostics) -> String {
    diagnostics
        .0
        .iter()
        .map(|diagnostic| relative_text(root, &diagnostic.to_string()) + "\n")
        .collect()
}

/// A line diff of `expected` against `actual` (longest common subsequence),
/// `-` for lines only expected, `+` for lines only produced.
fn line_diff(expected: &str, actual: &str) -> String {
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    let mut lengths = vec![vec![0usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            lengths[i][j] = if old[i] == new[j] {
                lengths[i + 1][j + 1] + 1
            } else {
                lengths[i + 1][j].max(lengths[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut diff) = (0, 0, String::new());
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            diff.push_str(&format!("  {}\n", old[i]));
            i += 1;
            j += 1;
        } else if i < old.len() && (j == new.len() || lengths[i + 1][j] >= lengths[i][j + 1]) {
            diff.push_str(&format!("- {}\n", old[i]));
            i += 1;
        } else {
            diff.push_str(&format!("+ {}\n", new[j]));
            j += 1;
        }
    }
    diff
}

/// Compares `actual` with the file, or rewrites it under UPDATE_EXPECT=1.
/// Returns a description of the mismatch.
fn check_expected(path: &Path, actual: &str) -> Option<String> {
    if update_requested() {
        fs::write(path, actual)
            .unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
        return None;
    }
    let expected = fs::read_to_string(path).unwrap_or_default();
    if expected == actual {
        return None;
    }
    Some(format!(
        "{} does not match (- expected, + actual; UPDATE_EXPECT=1 rewrites it):\n{}",
        path.display(),
        line_diff(&expected, actual)
    ))
}

fn fail_if_any(failures: Vec<String>) {
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn invalid_fixtures_report_exactly_the_expected_diagnostics() {
    let cases = cases("invalid");
    assert!(cases.len() >= 20, "only {} invalid cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let loaded = load(&case);
        let diagnostics = all_diagnostics(&loaded);
        if !diagnostics.0.iter().any(|d| d.severity == Severity::Error) {
            failures.push(format!(
                "{}: an invalid case produced no error",
                case.display()
            ));
        }
        failures.extend(check_expected(
            &case.join("expected.txt"),
            &render(&case, &diagnostics),
        ));
    }
    fail_if_any(failures);
}

fn relative_paths(root: &Path, paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .map(|path| relative_text(root, &path.display().to_string()))
        .collect()
}

/// What a valid case is compared on.
fn snapshot(root: &Path, loaded: &Loaded) -> String {
    let warnings: Vec<String> = all_diagnostics(loaded)
        .0
        .iter()
        .map(|diagnostic| relative_text(root, &diagnostic.to_string()))
        .collect();
    let value = json!({
        "files": relative_paths(root, &loaded.files),
        "transformations": relative_paths(root, &loaded.transformations),
        "diagnostics": warnings,
        "state": loaded.state,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

#[test]
fn valid_fixtures_load_without_errors_into_the_expected_state() {
    let cases = cases("valid");
    assert!(cases.len() >= 3, "only {} valid cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let loaded = load(&case);
        let diagnostics = all_diagnostics(&loaded);
        if diagnostics.has_errors() {
            failures.push(format!(
                "{}: a valid case has errors:\n{}",
                case.display(),
                render(&case, &diagnostics)
            ));
        }
        failures.extend(check_expected(
            &case.join("expected.json"),
            &snapshot(&case, &loaded),
        ));
    }
    fail_if_any(failures);
}

#[test]
fn features_dir_and_repo_root_give_the_same_state() {
    let root = fixtures().join("valid/repo-root");
    let from_root = load(&root);
    let from_features = load(&root.join("features"));
    assert!(
        from_root.diagnostics.is_empty(),
        "{:?}",
        from_root.diagnostics
    );
    assert!(
        from_features.diagnostics.is_empty(),
        "{:?}",
        from_features.diagnostics
    );
    assert_eq!(from_root.state, from_features.state);
    assert_eq!(
        from_root.transformations.len(),
        from_features.transformations.len()
    );
    assert_eq!(from_root.files.len(), from_features.files.len());
}

/// A ConfigMap volume as the kubelet lays it out: the files live in a hidden
/// timestamped folder, `..data` links to it, and each top-level name links
/// through `..data`.
#[cfg(unix)]
#[test]
fn configmap_layout_loads_each_file_once() {
    use std::os::unix::fs::symlink;

    let source = fixtures().join("valid/repo-root/features");
    let files = [
        ("entities/users.yaml", "users.yaml"),
        ("entities/products.yaml", "products.yaml"),
        ("entities/viewed_edge.yaml", "viewed_edge.yaml"),
        (
            "transformations/user_session_count_v1.aql",
            "user_session_count_v1.aql",
        ),
    ];
    let temp = tempfile::tempdir().unwrap();
    let volume = temp.path();
    let timestamped = volume.join("..2026_11_22_21_36_00.123456789");
    fs::create_dir(&timestamped).unwrap();
    for (from, name) in files {
        fs::copy(source.join(from), timestamped.join(name)).unwrap();
        symlink(Path::new("..data").join(name), volume.join(name)).unwrap();
    }
    symlink("..2026_11_22_21_36_00.123456789", volume.join("..data")).unwrap();

    let loaded = load(volume);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert!(validate(&loaded).is_empty());
    assert_eq!(
        loaded.state,
        load(&fixtures().join("valid/repo-root")).state
    );
    assert_eq!(
        relative_paths(volume, &loaded.files),
        ["products.yaml", "users.yaml", "viewed_edge.yaml"],
        "each file once, under its top-level name"
    );
    assert_eq!(
        relative_paths(volume, &loaded.transformations),
        ["user_session_count_v1.aql"]
    );
    assert_eq!(
        relative_text(
            volume,
            &loaded.sources.collection("users").unwrap().to_string()
        ),
        "users.yaml:4:9"
    );

    // Pointing at `..data` itself, as some mounts do, loads the same files.
    let through_data = load(&volume.join("..data"));
    assert_eq!(through_data.state, loaded.state);
    assert_eq!(through_data.files.len(), 3);
}

#[test]
fn missing_directory() {
    let loaded = load(&fixtures().join("no-such-dir"));
    assert_eq!(loaded.diagnostics.0.len(), 1);
    assert_eq!(loaded.diagnostics.0[0].code, "dir-not-found");
}

#[test]
fn line_diff_marks_changes() {
    assert_eq!(line_diff("a\nb\nc\n", "a\nx\nc\n"), "  a\n- b\n+ x\n  c\n");
}

/// Loads `case` the way a run does ([`crate::validate::load_and_validate`]):
/// the diagnostics and how many loads it took.
fn load_on_demand(case: &Path) -> (Diagnostics, usize) {
    let mut loads = 0;
    let (loaded, found) = crate::validate::load_and_validate(None, |attributes| {
        loads += 1;
        crate::spec::load_recording(case, None, true, attributes)
    });
    let mut diagnostics = loaded.diagnostics.clone();
    diagnostics.extend(found);
    diagnostics.sort();
    (diagnostics, loads)
}

#[test]
fn locations_recorded_on_demand_give_exactly_the_same_diagnostics() {
    let mut failures = Vec::new();
    for case in cases("invalid").into_iter().chain(cases("valid")) {
        let expected = all_diagnostics(&load(&case));
        let (actual, loads) = load_on_demand(&case);
        if actual != expected {
            failures.push(format!(
                "{}: on demand (- every location, + on demand):\n{}",
                case.display(),
                line_diff(&render(&case, &expected), &render(&case, &actual))
            ));
        }
        let validated = !validate(&load(&case)).is_empty();
        if loads != 1 + usize::from(validated) {
            failures.push(format!("{}: {loads} loads", case.display()));
        }
    }
    fail_if_any(failures);
}

/// An option written with a value the loader cannot read is reported once,
/// by the loader, never also as missing, whether or not the load records
/// attribute locations.
#[test]
fn options_the_loader_could_not_read_are_not_also_missing() {
    let temp = tempfile::tempdir().unwrap();
    fs::write(
        temp.path().join("c.yaml"),
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata: {name: c}\nspec:\n  indexes:\n\
         \x20   - {type: ttl, fields: [t], expireAfter: soon}\n\
         \x20   - {type: mdi, fields: [x, y], fieldValueTypes: 1}\n\
         \x20   - {type: mdi-prefixed, fields: [x, y], fieldValueTypes: double, prefixFields: city}\n",
    )
    .unwrap();
    let expected = "c.yaml:6:45: error[wrong-type]: `expireAfter`: expected a number, found a string\n\
                    c.yaml:7:52: error[wrong-type]: `fieldValueTypes`: expected a string, found an integer\n\
                    c.yaml:8:83: error[wrong-type]: `prefixFields`: expected a list, found a string\n";
    assert_eq!(
        render(temp.path(), &all_diagnostics(&load(temp.path()))),
        expected
    );
    let (on_demand, loads) = load_on_demand(temp.path());
    assert_eq!(render(temp.path(), &on_demand), expected);
    assert_eq!(loads, 1, "no diagnostic of `validate`, so one load");
}
