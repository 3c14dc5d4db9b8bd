//! The bad-input corpus: broken spec trees, each run through the real
//! binary's `validate` and `plan` against the emulator.
//!
//! For every case both commands must exit with status 3 (invalid input),
//! print the same diagnostics, name a `file:line:col` where the problem has
//! one, never panic, and send not one request to the database: `validate`
//! never connects and `plan` must fail before it does. The diagnostics are
//! snapshotted (`snapshots/bad_input_<case>.snap`) so that every message is
//! reviewed once and any change to one is seen.
//!
//! Most cases are folders under `tests/bad-input/<case>/` with a one-line
//! `README` saying what is broken. What cannot be checked in (symlinks,
//! FIFOs, unreadable, binary, empty and huge files) is built by a generator
//! in a temporary folder. [`CASES`] lists both; a folder that is not listed
//! fails [`every_corpus_folder_is_listed`].
//!
//! A few inputs are accepted on purpose, with a warning (see
//! [`Expect::Warning`]): they are listed too, so that what happens to them
//! is pinned down as well.
//!
//! A case folder with a `target-version` file (`target-*` cases) is run with
//! that version in `ARANGOSYNC_TARGET_VERSION`: the spec is fine in itself
//! but holds something that version cannot.
//!
//! [`fuzz_smoke_run`] is the stable stand-in for the cargo-fuzz targets in
//! `fuzz/`: it runs their code on deterministic mutations of the example
//! specs and the AQL corpus.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{snapshot_settings, Harness, ROOT_PASSWORD};

#[path = "../../fuzz/src/lib.rs"]
mod fuzz_targets;

/// What running a case must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Exit status 3, and the diagnostics name at least one `file:line:col`.
    Located,
    /// Exit status 3; the problem is a whole file or path (unreadable,
    /// too large, a broken link), which has no line to point at.
    Unlocated,
    /// Accepted with a warning (exit status 0): not an error by design.
    /// Only `validate` runs, since `plan` would then rightly connect.
    Warning,
    /// A file or folder with mode 000: exit status 3 either way, but a
    /// process that can read it anyway (root, CAP_DAC_OVERRIDE) sees the
    /// broken spec inside (located), any other sees an unreadable path
    /// (unlocated). Each outcome has its own snapshot.
    Unreadable,
}

#[derive(Clone, Copy)]
enum Source {
    /// `tests/bad-input/<name>/`.
    CheckedIn,
    /// Built in a temporary folder by this function.
    Generated(fn(&Path)),
}

#[derive(Clone, Copy)]
struct Case {
    name: &'static str,
    expect: Expect,
    source: Source,
}

const fn checked_in(name: &'static str) -> Case {
    Case {
        name,
        expect: Expect::Located,
        source: Source::CheckedIn,
    }
}

/// A checked-in case that is accepted with a warning.
const fn checked_in_warning(name: &'static str) -> Case {
    Case {
        name,
        expect: Expect::Warning,
        source: Source::CheckedIn,
    }
}

const fn generated(name: &'static str, expect: Expect, build: fn(&Path)) -> Case {
    Case {
        name,
        expect,
        source: Source::Generated(build),
    }
}

const CASES: &[Case] = &[
    checked_in("analyzer-builtin-name"),
    checked_in("analyzer-duplicate"),
    checked_in("analyzer-feature-dependency"),
    checked_in("analyzer-invalid-name"),
    checked_in("analyzer-missing-property"),
    checked_in("analyzer-unknown-field"),
    checked_in("analyzer-unknown-type"),
    checked_in("api-version-missing"),
    checked_in("api-version-typo"),
    checked_in("api-version-unsupported"),
    checked_in("aql-bad-version"),
    checked_in("aql-version-too-large"),
    checked_in("aql-duplicate-header-field"),
    checked_in("aql-error-after-blank-lines"),
    checked_in("aql-error-after-comment-block"),
    checked_in("aql-errors-in-two-files"),
    checked_in("aql-extra-closing-bracket"),
    checked_in("aql-file-name-mismatch"),
    checked_in("aql-header-only"),
    checked_in("aql-invalid-feature-name"),
    checked_in("aql-invalid-returns"),
    checked_in("aql-missing-feature"),
    checked_in("aql-missing-header"),
    checked_in("aql-missing-version"),
    checked_in("aql-misspelled-keyword"),
    checked_in("aql-no-return"),
    checked_in("aql-non-ascii-before-error"),
    checked_in("aql-params-mismatch"),
    checked_in("aql-semantic-errors-one-file"),
    checked_in("aql-unbalanced-brackets"),
    checked_in("aql-unknown-function"),
    checked_in("aql-unknown-header-field"),
    checked_in("aql-unknown-variable"),
    checked_in("aql-unterminated-comment"),
    checked_in("aql-unterminated-string"),
    checked_in("aql-version-zero"),
    checked_in("collection-computed-value-expression"),
    checked_in("collection-computed-value-missing-overwrite"),
    checked_in("collection-computed-value-syntax"),
    checked_in("collection-increment-on-traditional"),
    checked_in("collection-invalid-key-generator"),
    checked_in("collection-invalid-type"),
    checked_in("collection-write-concern"),
    checked_in("dir-named-yaml"),
    checked_in("duplicate-collection-across-files"),
    checked_in("duplicate-collection-same-file"),
    checked_in("duplicate-computed-value"),
    checked_in("duplicate-function"),
    checked_in("duplicate-graph-across-files"),
    checked_in("duplicate-index-identity"),
    checked_in("duplicate-index-name"),
    checked_in("graph-conflicting-edge-definitions"),
    checked_in("graph-duplicate-edge-definition"),
    checked_in("graph-missing-spec"),
    checked_in("graph-not-edge-collection"),
    checked_in("graph-orphan-in-edge-definition"),
    checked_in("graph-undeclared-edge-collection"),
    checked_in("graph-undeclared-vertex-collections"),
    checked_in("index-bad-expansion"),
    checked_in("indexes-empty-value"),
    checked_in("index-fulltext-two-fields"),
    checked_in("index-geo-json-two-fields"),
    checked_in("index-geo-three-fields"),
    checked_in("index-id-field"),
    checked_in("index-inverted-field-without-name"),
    checked_in("index-mdi-no-field-value-types"),
    checked_in("index-mdi-prefixed-no-prefix-fields"),
    checked_in("index-missing-fields"),
    checked_in("index-missing-type"),
    checked_in("index-stored-values-overlap"),
    checked_in("index-ttl-negative-expire-after"),
    checked_in("index-ttl-no-expire-after"),
    checked_in("index-ttl-stored-values"),
    checked_in("index-ttl-two-fields"),
    checked_in("index-ttl-unique"),
    checked_in("index-vector-bad-params"),
    checked_in("index-vector-missing-params"),
    checked_in("index-vector-two-fields"),
    checked_in("index-two-ttl"),
    checked_in("index-type-key-typo"),
    checked_in("index-unknown-type"),
    checked_in("invalid-collection-name-chars"),
    checked_in("invalid-collection-name-digit"),
    checked_in("invalid-collection-name-empty"),
    checked_in("invalid-collection-name-extended-only"),
    checked_in("invalid-collection-name-nfd"),
    checked_in("invalid-collection-name-outer-space"),
    checked_in("invalid-collection-name-system"),
    checked_in("invalid-collection-name-too-long"),
    checked_in("invalid-graph-name"),
    checked_in("invalid-graph-name-newline"),
    checked_in("invalid-index-name"),
    checked_in("invalid-index-name-slash"),
    checked_in("kind-missing"),
    checked_in("kind-unknown"),
    checked_in("metadata-key-typo"),
    checked_in("metadata-missing"),
    checked_in("metadata-name-missing"),
    checked_in("schema-float-below-smallest-double"),
    checked_in("schema-integer-beyond-u64"),
    checked_in("schema-invalid-level"),
    checked_in("schema-invalid-pattern"),
    checked_in("schema-invalid-required"),
    checked_in("schema-invalid-rule-type"),
    checked_in("schema-missing-rule"),
    checked_in("schema-nan"),
    checked_in("target-3.11-analyzer-and-view"),
    checked_in("target-3.11-mdi"),
    checked_in("target-4.0-fulltext-and-hash"),
    checked_in_warning("target-3.12-deprecated-fulltext-and-hash"),
    checked_in("type-computed-values-map"),
    checked_in("type-edge-from-string"),
    checked_in("type-expire-after-string"),
    checked_in("type-index-fields-string"),
    checked_in("type-indexes-is-map"),
    checked_in("type-infinite-number"),
    checked_in("type-integer-beyond-u64"),
    checked_in("type-kind-list"),
    checked_in("type-list-for-map"),
    checked_in("type-metadata-string"),
    checked_in("type-negative-number"),
    checked_in("type-number-for-name"),
    checked_in("type-spec-is-list"),
    checked_in("type-string-for-boolean"),
    checked_in("unknown-field-computed-value"),
    checked_in("unknown-field-document"),
    checked_in("unknown-field-edge-definition"),
    checked_in("unknown-field-graph-spec"),
    checked_in("unknown-field-index"),
    checked_in("unknown-field-inverted-consolidation-policy"),
    checked_in("unknown-field-inverted-index-field"),
    checked_in("unknown-field-inverted-primary-sort"),
    checked_in("unknown-field-key-options"),
    checked_in("unknown-field-metadata"),
    checked_in("unknown-field-option-of-other-index-type"),
    checked_in("unknown-field-schema"),
    checked_in("unknown-field-spec"),
    checked_in("unknown-field-vector-params"),
    checked_in("rename-twice-from-one-name"),
    checked_in("view-alias-unknown-index"),
    checked_in("view-duplicate-across-files"),
    checked_in("view-invalid-name"),
    checked_in("view-missing-type"),
    checked_in("view-name-clashes-with-collection"),
    checked_in("view-primary-sort-bad-direction"),
    checked_in("view-undeclared-link-collection"),
    checked_in("view-unknown-field-link"),
    checked_in("view-unknown-field-spec"),
    checked_in("view-unknown-type"),
    checked_in("yaml-alias-bomb"),
    checked_in("yaml-bad-indentation"),
    checked_in("yaml-broken-second-document"),
    checked_in("yaml-complex-key"),
    checked_in("yaml-deep-nesting"),
    checked_in("yaml-duplicate-keys"),
    checked_in("yaml-duplicate-keys-nested"),
    checked_in("yaml-merge-key-bad-merged-value"),
    checked_in("yaml-merge-key-not-mapping"),
    checked_in("yaml-merge-key-quoted"),
    checked_in("yaml-missing-space-after-colon"),
    checked_in("yaml-tab-indentation"),
    checked_in("yaml-unclosed-flow-mapping"),
    checked_in("yaml-unclosed-flow-sequence"),
    checked_in("yaml-unclosed-quote"),
    checked_in("yaml-unknown-anchor"),
    // Built at test time.
    generated("empty-aql", Expect::Located, empty_aql),
    generated("non-utf8-yaml", Expect::Located, non_utf8_yaml),
    generated("non-utf8-aql", Expect::Located, non_utf8_aql),
    generated("utf16-yaml", Expect::Located, utf16_yaml),
    generated("utf16-aql", Expect::Located, utf16_aql),
    generated("utf16be-aql", Expect::Located, utf16be_aql),
    generated("utf16-no-bom-aql", Expect::Located, utf16_no_bom_aql),
    generated("utf16be-yaml", Expect::Located, utf16be_yaml),
    generated("utf16be-no-bom-yaml", Expect::Located, utf16be_no_bom_yaml),
    generated("utf32-yaml", Expect::Located, utf32_yaml),
    generated("binary-aql", Expect::Located, binary_aql),
    generated("nul-byte-yaml", Expect::Located, nul_byte_yaml),
    generated(
        "control-character-yaml",
        Expect::Located,
        control_character_yaml,
    ),
    generated("huge-yaml-50mb", Expect::Unlocated, huge_yaml),
    generated("huge-aql", Expect::Located, huge_aql),
    generated("symlink-loop", Expect::Unlocated, symlink_loop),
    generated("dangling-symlink", Expect::Unlocated, dangling_symlink),
    generated(
        "unreadable-file-io-error",
        Expect::Unlocated,
        unreadable_io_error,
    ),
    generated(
        "unreadable-file-mode-000",
        Expect::Unreadable,
        unreadable_file,
    ),
    generated(
        "unreadable-dir-mode-000",
        Expect::Unreadable,
        unreadable_dir,
    ),
    generated("fifo-named-yaml", Expect::Unlocated, fifo_named_yaml),
    generated("device-named-yaml", Expect::Unlocated, device_named_yaml),
    generated("no-specs-empty-dir", Expect::Unlocated, no_specs_empty_dir),
    generated(
        "no-specs-manifest-only",
        Expect::Unlocated,
        no_specs_manifest_only,
    ),
    // Accepted on purpose, with a warning.
    generated("empty-yaml", Expect::Warning, empty_yaml),
    generated("binary-yaml", Expect::Warning, binary_yaml),
    generated("huge-foreign-yaml", Expect::Warning, huge_foreign_yaml),
    generated("symlink-loop-dir", Expect::Warning, symlink_loop_dir),
];

const USERS: &str =
    "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: users\n";
/// A spec with an unknown field at 6:3, for cases that need a readable
/// problem behind another one.
const USERS_TYPO: &str =
    "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: users\n\
                          spec:\n  waitForSynk: true\n";
const QUERY: &str = "-- Feature: user_count\n-- Version: 1\nFOR u IN users\n  RETURN u\n";

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, bytes).expect("write case file");
}

/// Deterministic bytes: xorshift64*.
fn pseudo_random_bytes(seed: u64, count: usize) -> Vec<u8> {
    let mut state = seed;
    (0..count)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
        })
        .collect()
}

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xff, 0xfe];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

fn utf16be_with_bom(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xfe, 0xff];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    bytes
}

/// Writes `prefix`, then `line` repeated until the file exceeds `bytes`.
fn write_big(path: &Path, prefix: &str, line: &str, bytes: usize) {
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let file = fs::File::create(path).expect("create big file");
    let mut out = std::io::BufWriter::new(file);
    out.write_all(prefix.as_bytes()).expect("write");
    let mut written = prefix.len();
    while written <= bytes {
        out.write_all(line.as_bytes()).expect("write");
        written += line.len();
    }
    out.flush().expect("flush");
}

/// An empty transformation file: no header, no query.
fn empty_aql(dir: &Path) {
    write(&dir.join("users.yaml"), USERS);
    write(&dir.join("user_count_v1.aql"), "");
}

/// `café` written in Latin-1 in `metadata.name` (line 4, column 12).
fn non_utf8_yaml(dir: &Path) {
    write(
        &dir.join("users.yaml"),
        b"apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: caf\xe9\n",
    );
}

/// `Köln` written in Latin-1 inside the query (line 4, column 23).
fn non_utf8_aql(dir: &Path) {
    write(&dir.join("users.yaml"), USERS);
    write(
        &dir.join("user_count_v1.aql"),
        b"-- Feature: user_count\n-- Version: 1\nFOR u IN users\n  FILTER u.city == 'K\xf6ln'\n  RETURN u\n",
    );
}

/// A valid spec saved as UTF-16 with a byte order mark, as some Windows
/// editors do.
fn utf16_yaml(dir: &Path) {
    write(&dir.join("users.yaml"), utf16le_with_bom(USERS));
}

fn utf16_aql(dir: &Path) {
    write(&dir.join("users.yaml"), USERS);
    write(&dir.join("user_count_v1.aql"), utf16le_with_bom(QUERY));
}

fn utf16be_aql(dir: &Path) {
    write(&dir.join("users.yaml"), USERS);
    write(&dir.join("user_count_v1.aql"), utf16be_with_bom(QUERY));
}

/// UTF-16 without a byte order mark: valid UTF-8 byte by byte (ASCII and
/// NUL), so it must be told apart by its NUL bytes.
fn utf16_no_bom_aql(dir: &Path) {
    write(&dir.join("users.yaml"), USERS);
    let bytes: Vec<u8> = QUERY
        .encode_utf16()
        .flat_map(|unit| unit.to_le_bytes())
        .collect();
    write(&dir.join("user_count_v1.aql"), bytes);
}

fn utf16be_yaml(dir: &Path) {
    write(&dir.join("users.yaml"), utf16be_with_bom(USERS));
}

/// A spec beside one saved as UTF-16 without a byte order mark: still a
/// spec (an error), never a skipped file whose collection a prune drops.
fn utf16be_no_bom_yaml(dir: &Path) {
    write(
        &dir.join("products.yaml"),
        USERS.replace("users", "products"),
    );
    let bytes: Vec<u8> = USERS
        .encode_utf16()
        .flat_map(|unit| unit.to_be_bytes())
        .collect();
    write(&dir.join("users.yaml"), bytes);
}

/// A spec saved as UTF-32 with a byte order mark.
fn utf32_yaml(dir: &Path) {
    write(
        &dir.join("products.yaml"),
        USERS.replace("users", "products"),
    );
    let mut bytes = vec![0xff, 0xfe, 0, 0];
    bytes.extend(USERS.chars().flat_map(|c| u32::from(c).to_le_bytes()));
    write(&dir.join("users.yaml"), bytes);
}

/// 4 KiB of random bytes named like a transformation (every `.aql` file is
/// ours, so this is an error).
fn binary_aql(dir: &Path) {
    let mut bytes = pseudo_random_bytes(0xa91, 4096);
    bytes[0] = 0xff;
    write(&dir.join("user_count_v1.aql"), bytes);
}

/// A NUL byte at 5:1; yaml-rust2 silently stops reading at one, so the
/// typo after it would go unseen.
fn nul_byte_yaml(dir: &Path) {
    write(
        &dir.join("users.yaml"),
        format!("{USERS}\0spec:\n  waitForSynk: true\n"),
    );
}

/// An escape character (U+001B) pasted into a collection name at 4:11.
fn control_character_yaml(dir: &Path) {
    write(
        &dir.join("users.yaml"),
        USERS.replace("users\n", "us\u{1b}[0mers\n"),
    );
}

/// A 50 MiB spec (a schema with a huge enum): refused at 10 MiB, without
/// reading or parsing the rest.
fn huge_yaml(dir: &Path) {
    let prefix = format!(
        "{USERS}spec:\n  schema:\n    rule:\n      properties:\n        country:\n          enum:\n"
    );
    write_big(
        &dir.join("users.yaml"),
        &prefix,
        "            - country_code_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
        50 * 1024 * 1024,
    );
}

/// An 11 MiB query (a giant array literal).
fn huge_aql(dir: &Path) {
    write(&dir.join("users.yaml"), USERS);
    write_big(
        &dir.join("user_count_v1.aql"),
        "-- Feature: user_count\n-- Version: 1\nRETURN [\n",
        "  1234567890, 1234567890, 1234567890, 1234567890, 1234567890,\n",
        11 * 1024 * 1024,
    );
}

/// `a.yaml -> b.yaml -> a.yaml`.
fn symlink_loop(dir: &Path) {
    fs::create_dir_all(dir).expect("mkdir");
    std::os::unix::fs::symlink("b.yaml", dir.join("a.yaml")).expect("symlink");
    std::os::unix::fs::symlink("a.yaml", dir.join("b.yaml")).expect("symlink");
}

/// `users.yaml` points to a file that is not there (a ConfigMap key that
/// was removed, a checkout without the target).
fn dangling_symlink(dir: &Path) {
    fs::create_dir_all(dir).expect("mkdir");
    std::os::unix::fs::symlink("shared/users.yaml", dir.join("users.yaml")).expect("symlink");
}

/// A file whose read fails with EIO even for root: `/proc/self/mem` of the
/// reading process, read from offset 0 (never mapped).
fn unreadable_io_error(dir: &Path) {
    fs::create_dir_all(dir).expect("mkdir");
    assert!(Path::new("/proc/self/mem").exists(), "needs Linux /proc");
    std::os::unix::fs::symlink("/proc/self/mem", dir.join("users.yaml")).expect("symlink");
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

/// A spec file with mode 000 (and an unknown field inside).
fn unreadable_file(dir: &Path) {
    let path = dir.join("users.yaml");
    write(&path, USERS_TYPO);
    set_mode(&path, 0o000);
}

/// A folder with mode 000 holding a spec (with an unknown field inside).
fn unreadable_dir(dir: &Path) {
    let entities = dir.join("entities");
    write(&entities.join("users.yaml"), USERS_TYPO);
    set_mode(&entities, 0o000);
}

/// A FIFO named `users.yaml`: opening it would block forever, so it must
/// be reported without being opened.
fn fifo_named_yaml(dir: &Path) {
    fs::create_dir_all(dir).expect("mkdir");
    let status = Command::new("mkfifo")
        .arg(dir.join("users.yaml"))
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo failed");
}

/// `users.yaml` is a link to `/dev/zero`: reading it would never end (or
/// stop at the size limit after 10 MiB of zeros); it must not be read.
fn device_named_yaml(dir: &Path) {
    fs::create_dir_all(dir).expect("mkdir");
    std::os::unix::fs::symlink("/dev/zero", dir.join("users.yaml")).expect("symlink");
}

/// An empty spec directory, as an empty ConfigMap mounts: nothing to plan
/// from, and a plan would delete everything arangosync owns.
fn no_specs_empty_dir(dir: &Path) {
    fs::create_dir_all(dir).expect("mkdir");
}

/// A directory holding only a Kubernetes manifest (the wrong mount path).
fn no_specs_manifest_only(dir: &Path) {
    write(
        &dir.join("deployment.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n",
    );
    write(&dir.join("README.md"), "not a spec\n");
}

/// A zero-byte `.yaml`: a YAML stream with no documents. Warned about (it
/// may be a spec whose content was lost) but not an error: a repository
/// root may hold empty YAML files that are none of arangosync's business.
fn empty_yaml(dir: &Path) {
    write(&dir.join("users.yaml"), "");
    // A tree with no spec at all is an error of its own (`no-specs`).
    write(&dir.join("entities/users.yaml"), USERS);
}

/// Random bytes named `.yaml` that do not mention `db.feature-store/`:
/// skipped with a warning, like any other file that is not ours.
fn binary_yaml(dir: &Path) {
    let mut bytes = pseudo_random_bytes(0xb1, 4096);
    bytes[0] = 0xff;
    write(&dir.join("logo.yaml"), bytes);
    write(&dir.join("entities/users.yaml"), USERS);
}

/// An 11 MiB YAML data file that is not a spec: skipped with a warning.
fn huge_foreign_yaml(dir: &Path) {
    write_big(
        &dir.join("data.yaml"),
        "rows:\n",
        "  - [1, 2, 3, 4, 5, 6, 7, 8]\n",
        11 * 1024 * 1024,
    );
    write(&dir.join("entities/users.yaml"), USERS);
}

/// A folder symlink that leads back to its own folder: walking it would never
/// end, but not following it loses no file, so it is only a warning.
fn symlink_loop_dir(dir: &Path) {
    write(&dir.join("users.yaml"), USERS);
    std::os::unix::fs::symlink(".", dir.join("entities")).expect("symlink");
}

/// Gives every folder under `dir` its permissions back, so the temporary
/// folder can be removed.
fn restore_permissions(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(metadata) = fs::symlink_metadata(dir) else {
        return;
    };
    if !metadata.is_dir() {
        return;
    }
    let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o755));
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            restore_permissions(&entry.path());
        }
    }
}

/// Whether this process can read a file with mode 000 (root, or a
/// capability that overrides file permissions).
fn reads_mode_000_files() -> bool {
    let temp = tempfile::tempdir().expect("temp dir");
    let path = temp.path().join("probe");
    write(&path, "x");
    set_mode(&path, 0o000);
    fs::read(&path).is_ok()
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad-input")
}

/// What one run of the binary did.
#[derive(Debug)]
struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

/// Runs `arangosync ARGS` against the emulator like `Harness::run`, but
/// gives up after a minute: a case that hangs (a FIFO opened, a huge file
/// parsed) must fail, not stall the suite.
fn run(harness: &Harness, args: &[&str], target_version: Option<&str>) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_arangosync"));
    command.env_clear();
    if let Some(version) = target_version {
        command.env("ARANGOSYNC_TARGET_VERSION", version);
    }
    let mut child = command
        .args(args)
        .env("ARANGO_HOST", harness.emulator.url())
        .env("ARANGO_DATABASE", "features")
        .env("ARANGO_USER", "root")
        .env("ARANGO_PASSWORD", ROOT_PASSWORD)
        .env("ARANGOSYNC_WAIT_TIMEOUT", "5")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("arangosync starts");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("arangosync {args:?} did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().expect("output");
    Run {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Whether `text` names a place in a spec file: `….yaml:12:5:`.
fn has_location(text: &str) -> bool {
    text.lines().any(|line| {
        [".yaml:", ".yml:", ".aql:"].iter().any(|extension| {
            line.match_indices(extension).any(|(at, _)| {
                let rest = &line[at + extension.len()..];
                let mut parts = rest.splitn(3, ':');
                let is_number = |part: Option<&str>| {
                    part.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                };
                is_number(parts.next()) && is_number(parts.next()) && parts.next().is_some()
            })
        })
    })
}

/// Checks one case; returns what is wrong with the outcome, if anything.
fn check_case(harness: &Harness, case: &Case, dir: &Path, privileged: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let dir_text = dir.display().to_string();
    let stable = |text: &str| text.replace(&dir_text, "[case]");
    let (expect, snapshot) = match case.expect {
        Expect::Unreadable if privileged => (
            Expect::Located,
            format!("bad_input_{}_privileged", case.name),
        ),
        Expect::Unreadable => (Expect::Unlocated, format!("bad_input_{}", case.name)),
        other => (other, format!("bad_input_{}", case.name)),
    };
    let commands: &[&str] = if expect == Expect::Warning {
        &["validate"]
    } else {
        &["validate", "plan"]
    };
    let mut first_stderr: Option<String> = None;
    let target_version = fs::read_to_string(dir.join("target-version"))
        .ok()
        .map(|text| text.trim().to_string());
    for command in commands {
        harness.reset_stats();
        let run = run(
            harness,
            &[command, "--dir", &dir_text],
            target_version.as_deref(),
        );
        let what = format!("`{command}`");
        if run.status == 101 || run.stderr.contains("panicked") {
            problems.push(format!("{what} panicked: {}", run.stderr));
            continue;
        }
        let wanted = if expect == Expect::Warning { 0 } else { 3 };
        if run.status != wanted {
            problems.push(format!(
                "{what} exited with {} instead of {wanted}\nstdout: {}\nstderr: {}",
                run.status, run.stdout, run.stderr
            ));
        }
        // `validate` connects to nothing; `plan` reads while the specs
        // load, but sends nothing of them.
        if *command == "validate" {
            let requests = harness.stats()["total"].as_u64();
            if requests != Some(0) {
                problems.push(format!(
                    "{what} sent {requests:?} request(s) to the database"
                ));
            }
        } else {
            let beyond = harness.beyond_spec_independent_reads();
            if !beyond.is_empty() {
                problems.push(format!("{what} sent more than reads: {beyond:?}"));
            }
        }
        match expect {
            Expect::Located if !has_location(&run.stderr) => {
                problems.push(format!("{what} printed no file:line:col: {}", run.stderr))
            }
            Expect::Warning if !run.stderr.contains("warning[") => {
                problems.push(format!("{what} printed no warning: {}", run.stderr))
            }
            Expect::Located | Expect::Unlocated if !run.stdout.is_empty() => problems.push(
                format!("{what} printed results for an invalid tree: {}", run.stdout),
            ),
            _ => {}
        }
        let stderr = stable(&run.stderr);
        match &first_stderr {
            None => first_stderr = Some(stderr),
            Some(first) if *first != stderr => problems.push(format!(
                "{what} reported differently from `validate`:\n{stderr}\nvs\n{first}"
            )),
            Some(_) => {}
        }
    }
    if let Some(stderr) = first_stderr {
        let snapshotted = std::panic::catch_unwind(|| {
            snapshot_settings().bind(|| insta::assert_snapshot!(snapshot.as_str(), stderr));
        });
        if snapshotted.is_err() {
            problems.push(format!("snapshot {snapshot} does not match"));
        }
    }
    problems
}

#[test]
fn bad_input_corpus() {
    let harness = Harness::new();
    let privileged = reads_mode_000_files();
    let temp = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    for case in CASES {
        let dir = match case.source {
            Source::CheckedIn => corpus_dir().join(case.name),
            Source::Generated(build) => {
                let dir = temp.path().join(case.name);
                build(&dir);
                dir
            }
        };
        let problems = check_case(&harness, case, &dir, privileged);
        if let Source::Generated(_) = case.source {
            restore_permissions(&dir);
            // The big files are not needed any more.
            let _ = fs::remove_dir_all(&dir);
        }
        for problem in problems {
            failures.push(format!("{}: {problem}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problem(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_corpus_folder_is_listed() {
    let mut folders: Vec<String> = fs::read_dir(corpus_dir())
        .expect("tests/bad-input exists")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    folders.sort();
    let mut listed: Vec<&str> = CASES
        .iter()
        .filter(|case| matches!(case.source, Source::CheckedIn))
        .map(|case| case.name)
        .collect();
    listed.sort();
    assert_eq!(folders, listed);
    for folder in &folders {
        let readme = corpus_dir().join(folder).join("README");
        let text = fs::read_to_string(&readme).unwrap_or_default();
        assert_eq!(
            text.lines().count(),
            1,
            "{} needs a one-line README",
            readme.display()
        );
    }
    let mut names: Vec<&str> = CASES.iter().map(|case| case.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), CASES.len(), "case names must be unique");
    let errors = CASES
        .iter()
        .filter(|case| case.expect != Expect::Warning)
        .count();
    assert!(errors >= 60, "the corpus has only {errors} exit-3 cases");
}

/// Byte strings a mutation may insert: YAML and AQL syntax, and bytes that
/// have broken parsers before.
const DICTIONARY: &[&[u8]] = &[
    b"[",
    b"]",
    b"{",
    b"}",
    b"(",
    b")",
    b": ",
    b":",
    b",",
    b"\n",
    b"\n  ",
    b"\n    - ",
    b"- ",
    b"&a ",
    b"*a",
    b"<<: ",
    b"? ",
    b"!!str ",
    b"|\n",
    b">-\n",
    b"'",
    b"\"",
    b"\\",
    b"#",
    b"\t",
    b"\r\n",
    b"\0",
    b"\xff",
    b"\xc3",
    b"\xef\xbb\xbf",
    b"---\n",
    b"...\n",
    b"%YAML 1.2\n",
    b"apiVersion: db.feature-store/v1alpha1\n",
    b"kind: ArangoGraph\n",
    b"kind: ArangoCollection\n",
    b"metadata: {name: x}\n",
    b"spec:\n  indexes:\n    - {type: ttl, fields: [a]}\n",
    b"type: edge",
    b"schema: {rule: {type: object}}",
    b"edgeDefinitions: [{collection: e, from: [a], to: [b]}]",
    b"/*",
    b"*/",
    b"//",
    b"-- ",
    b"@",
    b"@@",
    b"@x",
    b"RETURN ",
    b"FOR x IN ",
    b" FILTER ",
    b"COLLECT ",
    b" INTO ",
    b"WITH COUNT INTO n",
    b"..",
    b"`",
    b"\xc2\xb4",
    b"0x",
    b"1e",
    b".inf",
    b"-- Feature: f\n-- Version: 1\n",
    b"-- Params: a, b\n",
    b"-- Returns: one\n",
];

/// Deterministic pseudo-random numbers: xorshift64*.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `bound` (0 when `bound` is 0).
    fn below(&mut self, bound: usize) -> usize {
        (self.next() >> 11) as usize % bound.max(1)
    }
}

/// One to four random edits of `input`: bit flips, dictionary inserts and
/// overwrites, deletions, duplications, truncation, and splices with
/// `other`. The result is at most 64 KiB.
fn mutate(input: &[u8], other: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut bytes = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(8) {
            0 if at < bytes.len() => bytes[at] ^= 1 << rng.below(8),
            1 => {
                let word = DICTIONARY[rng.below(DICTIONARY.len())];
                bytes.splice(at..at, word.iter().copied());
            }
            2 if at < bytes.len() => {
                let word = DICTIONARY[rng.below(DICTIONARY.len())];
                let end = (at + word.len()).min(bytes.len());
                bytes.splice(at..end, word.iter().copied());
            }
            3 => {
                let end = (at + 1 + rng.below(16)).min(bytes.len());
                bytes.drain(at..end);
            }
            4 => {
                let end = (at + rng.below(64)).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                let to = rng.below(bytes.len() + 1);
                bytes.splice(to..to, copy);
            }
            5 => bytes.truncate(at),
            6 => {
                let from = rng.below(other.len() + 1);
                bytes.truncate(at);
                bytes.extend_from_slice(&other[from..]);
            }
            _ => {
                let byte = rng.below(256) as u8;
                bytes.insert(at, byte);
            }
        }
    }
    bytes.truncate(64 * 1024);
    bytes
}

/// Every file under `dir` with one of `extensions`, sorted.
fn files_under(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = fs::read_dir(&current)
            .unwrap_or_else(|error| panic!("cannot list {}: {error}", current.display()));
        for entry in entries {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .is_some_and(|extension| extensions.iter().any(|wanted| extension == *wanted))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The smoke-run seeds: the example feature tree, the checked-in
/// bad-input corpus, and the AQL documentation corpus (`shared/aql-corpus`
/// next to the repository, as for the aql-lexer tests; a missing corpus
/// fails the test rather than shrinking it).
fn smoke_seeds() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let aql_corpus = root.join("../shared/aql-corpus/valid");
    assert!(
        aql_corpus.is_dir(),
        "AQL corpus not found at {}",
        aql_corpus.display()
    );
    let mut seeds = Vec::new();
    for path in files_under(&root.join("features"), &["yaml", "aql"])
        .into_iter()
        .chain(files_under(&corpus_dir(), &["yaml", "aql"]))
    {
        seeds.push(fs::read(&path).expect("read seed"));
    }
    let specs = seeds.len();
    assert!(specs >= 100, "only {specs} spec seeds");
    for path in files_under(&aql_corpus, &["aql"]) {
        let query = fs::read(&path).expect("read seed");
        // Half of them as transformation files, with a header.
        if seeds.len() % 2 == 0 {
            let mut file = b"-- Feature: doc_query\n-- Version: 1\n".to_vec();
            file.extend_from_slice(&query);
            seeds.push(file);
        } else {
            seeds.push(query);
        }
    }
    assert!(
        seeds.len() > specs + 1000,
        "the AQL corpus looks incomplete"
    );
    seeds
}

/// Inputs that once crashed a fuzz target; each stays here for good.
const CRASHERS: &[&[u8]] = &[];

/// How deep the generated inputs nest.
const DEEP: usize = 100_000;

/// Inputs too large to write out that every target must survive: 100,000
/// unclosed and closed brackets, `(` and `[` mixed; 10,000 of each kind,
/// unary operators, ternaries and subqueries; each also as a feature file. The parser caps its depth, so
/// these are errors, not stack overflows.
fn deep_inputs() -> Vec<Vec<u8>> {
    // Far beyond any depth cap, and quick enough for every run.
    const LESS: usize = DEEP / 10;
    let nested = |open: &str, close: &str| -> String {
        format!("RETURN {}1{}", open.repeat(LESS), close.repeat(LESS))
    };
    let queries = [
        format!("RETURN {}", "(".repeat(DEEP)),
        format!("RETURN {}", "[".repeat(DEEP)),
        format!("RETURN {}", "([".repeat(DEEP / 2)),
        format!("RETURN {}1{}", "([".repeat(DEEP / 2), "])".repeat(DEEP / 2)),
        nested("(", ")"),
        nested("[", "]"),
        nested("{a:", "}"),
        nested("-", ""),
        nested("NOT ", ""),
        format!("RETURN {}1", "true ? 1 : ".repeat(LESS)),
        format!("RETURN {}", "(FOR x IN 1..2 RETURN ".repeat(LESS)),
        format!(
            "RETURN {}1{}",
            "(FOR x IN 1..2 RETURN ".repeat(LESS),
            ")".repeat(LESS)
        ),
        // Distinct names: a redeclared one is an error each time, and
        // thousands of errors are a test of their own.
        format!(
            "LET a = 1 {}RETURN a",
            (0..LESS)
                .map(|index| format!("LET b{index} = (a) "))
                .collect::<String>()
        ),
    ];
    with_headers(&queries)
}

/// Long chains the grammar accepts without nesting brackets: 100,000
/// additions, attribute accesses and expansions, each a 100,000-deep syntax
/// tree. TODO(issue 15, aql-lexer): dropping such a tree recurses once per
/// level and overflows the stack (`arangosync validate` aborts on a feature
/// `RETURN x.a.a…`); see [`deep_chains_are_no_crash`].
fn deep_chains() -> Vec<Vec<u8>> {
    with_headers(&[
        format!("RETURN 1{}", " + 1".repeat(DEEP)),
        format!("RETURN x{}", ".a".repeat(DEEP)),
        format!("RETURN x{}", "[*]".repeat(DEEP)),
        format!("RETURN x{}", "[0]".repeat(DEEP)),
        format!("RETURN true{}", " || false".repeat(DEEP)),
    ])
}

/// Each query as it is, and as a feature file with a header.
fn with_headers(queries: &[String]) -> Vec<Vec<u8>> {
    queries
        .iter()
        .flat_map(|query| {
            [
                query.clone().into_bytes(),
                format!("-- Feature: deep\n-- Version: 1\n{query}").into_bytes(),
            ]
        })
        .collect()
}

/// The deep chains through the real binary: `validate` must answer (valid,
/// or invalid input), not crash.
#[test]
fn deep_chains_are_no_crash() {
    let mut failures = Vec::new();
    for (number, input) in deep_chains().iter().enumerate() {
        if !input.starts_with(b"-- Feature") {
            continue;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        write(&dir.path().join("users.yaml"), USERS);
        write(&dir.path().join("deep_v1.aql"), input);
        let output = Command::new(env!("CARGO_BIN_EXE_arangosync"))
            .args(["validate", "--dir"])
            .arg(dir.path())
            .env_clear()
            .env("NO_COLOR", "1")
            .output()
            .expect("arangosync runs");
        if !matches!(output.status.code(), Some(0 | 3)) {
            failures.push(format!(
                "input {number} ({:?}…): {:?} {}",
                String::from_utf8_lossy(&input[..60.min(input.len())]),
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The stable stand-in for `cargo fuzz run` (which needs nightly): runs
/// every fuzz target's code on deterministic mutations of the seeds and on
/// every recorded crasher. `FUZZ_SMOKE_ROUNDS` changes the number of
/// mutated inputs (default 20,000; more for a longer hunt).
#[test]
fn fuzz_smoke_run() {
    let rounds: usize = std::env::var("FUZZ_SMOKE_ROUNDS")
        .ok()
        .and_then(|rounds| rounds.parse().ok())
        .unwrap_or(20_000);
    let seeds = smoke_seeds();
    let mut rng = Rng(0x5eed_f00d_cafe_d00d);
    let inputs = CRASHERS
        .iter()
        .map(|crasher| crasher.to_vec())
        .chain(deep_inputs())
        .chain(deep_chains())
        .chain((0..rounds).map(move |_| {
            let input = &seeds[rng.below(seeds.len())];
            let other = &seeds[rng.below(seeds.len())];
            mutate(input, other, &mut rng)
        }));
    // The binary and libFuzzer run the targets on the main thread, whose
    // stack is 8 MiB; a test thread has 2 MiB.
    let runner = std::thread::Builder::new()
        .name("fuzz-smoke".into())
        .stack_size(8 << 20)
        .spawn(move || {
            for (number, input) in inputs.enumerate() {
                let outcome = std::panic::catch_unwind(|| {
                    fuzz_targets::spec_loader(&input);
                    fuzz_targets::aql_tokenizer(&input);
                    fuzz_targets::aql_parser(&input);
                    fuzz_targets::aql_transformation(&input);
                });
                if outcome.is_err() {
                    let path =
                        std::env::temp_dir().join(format!("arangosync-fuzz-smoke-crash-{number}"));
                    let _ = fs::write(&path, &input);
                    let text = String::from_utf8_lossy(&input);
                    let shown: String = text.chars().take(400).collect();
                    panic!(
                        "input {number} made a fuzz target panic (saved to {}): {shown:?}{}",
                        path.display(),
                        if shown.len() < text.len() { "…" } else { "" }
                    );
                }
            }
        })
        .expect("fuzz smoke thread starts");
    if let Err(panic) = runner.join() {
        std::panic::resume_unwind(panic);
    }
}
