//! Environment overlays: patch documents applied to the loaded specs.
//!
//! `--overlay DIR` names a directory of YAML patch documents. Each one is
//! a `db.feature-store/*` document with a `kind` and a `metadata.name`; it
//! matches the spec document of the same kind and name and is applied to
//! it as a JSON merge patch (RFC 7386, [`yaml::merge_patch`]) on the node
//! tree, before the document is read into the model, so every check of the
//! loader and of `validate` sees the patched result.
//!
//! Invariants:
//! * Nodes a patch brings carry the overlay file in their position
//!   ([`yaml::Pos::source`]), so a problem in a patched value is reported
//!   at the overlay file's line:col; the rest keeps the base file's.
//! * `apiVersion`, `kind` and `metadata.name` of a patch only select its
//!   target; they are never merged, so a patch cannot change them. A patch
//!   follows the spec loader's `apiVersion` rules: one of our kinds
//!   without an `apiVersion` (or with a near miss) and a version of our
//!   group this arangosync does not read are errors, not skipped.
//! * A patch that matches no spec document is an error at its
//!   `metadata.name`: an overlay for a renamed or deleted collection would
//!   otherwise be silently ignored.
//! * An overlay directory without any patch is an error: it is what a
//!   broken mount looks like; so is a missing one, named as the overlay
//!   (`--overlay`, `ARANGOSYNC_OVERLAY`, `--offline-overlay`), not as the
//!   spec directory.
//! * Two patches for one object (same `kind` and `metadata.name`) are an
//!   error naming both places: which one wins would depend on file order.
//! * A diagnostic located in a base document that a patch changed names
//!   the patch (overlay file, line:col) and the keys its `null`s deleted
//!   there, since a deleted key leaves no node to point at.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics, Location};

use super::walk;
use super::yaml::{self, Node, NodeKind, Pos};
use super::{suggestion, API_GROUP, KINDS};

/// One patch document.
#[derive(Debug, Clone, PartialEq)]
struct Patch {
    kind: String,
    name: String,
    /// Where `metadata.name` is written, in the overlay file.
    name_location: Location,
    /// The document without `apiVersion`, `kind` and `metadata.name`.
    body: Node,
    /// The base documents it was applied to.
    applied_to: Vec<Applied>,
}

/// One application of a patch to a base document.
#[derive(Debug, Clone, PartialEq)]
struct Applied {
    /// The base file.
    file: PathBuf,
    /// The line the patched document starts on in `file`.
    line: usize,
    /// Keys the patch's `null`s removed from that document: the dotted path
    /// (`spec.schema.rule`) and where the `null` is in the overlay file.
    deleted: Vec<(String, Location)>,
}

/// The patches of an overlay directory, and what happened to them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overlay {
    /// Overlay files with at least one patch; a node's `Pos::source` `n`
    /// is `files[n - 1]`.
    pub files: Vec<PathBuf>,
    patches: Vec<Patch>,
    /// The start line of every spec document seen, per base file, so a
    /// diagnostic's line tells which document it is in.
    documents: BTreeMap<PathBuf, Vec<usize>>,
    /// Problems of the overlay files themselves.
    pub diagnostics: Diagnostics,
}

impl Overlay {
    /// Reads every `.yaml`/`.yml` file under `dir`. Never fails: problems
    /// are in [`Overlay::diagnostics`].
    pub fn load(dir: &Path) -> Overlay {
        let mut overlay = Overlay::default();
        if let Some(problem) = missing_dir(dir) {
            overlay.diagnostics.push(problem);
            return overlay;
        }
        let found = walk::walk(dir);
        overlay.diagnostics = found.diagnostics;
        for path in &found.yaml {
            overlay.load_file(path);
        }
        overlay.duplicates();
        if overlay.patches.is_empty() && !overlay.diagnostics.has_errors() {
            overlay.diagnostics.push(
                Diagnostic::error(
                    "overlay-empty",
                    format!(
                        "the overlay directory `{}` holds no patch document",
                        dir.display()
                    ),
                    None,
                )
                .with_hint(format!(
                    "a patch is a YAML document with `apiVersion: {}`, `kind` and `metadata.name`",
                    super::API_VERSION
                )),
            );
        }
        overlay
    }

    /// Errors for a second patch of the same object, at its
    /// `metadata.name`, naming the first.
    fn duplicates(&mut self) {
        for (at, patch) in self.patches.iter().enumerate() {
            let first = self.patches[..at]
                .iter()
                .find(|other| other.kind == patch.kind && other.name == patch.name);
            let Some(first) = first else {
                continue;
            };
            self.diagnostics.push(
                Diagnostic::error(
                    "overlay-duplicate-patch",
                    format!(
                        "a second overlay patch for {} `{}`; the first is at `{}`",
                        patch.kind, patch.name, first.name_location
                    ),
                    Some(patch.name_location.clone()),
                )
                .with_hint("merge the two patches into one document"),
            );
        }
    }

    fn load_file(&mut self, path: &Path) {
        let location = |pos: Pos| Location {
            file: path.into(),
            line: pos.line,
            column: pos.column,
        };
        let text = match walk::read_file(path) {
            Ok(bytes) => String::from_utf8(bytes),
            Err(walk::ReadError::Io(error)) => {
                self.diagnostics.push(Diagnostic::error(
                    "unreadable-file",
                    format!("cannot read `{}`: {error}", path.display()),
                    None,
                ));
                return;
            }
            Err(walk::ReadError::TooLarge { .. }) => {
                self.diagnostics.push(Diagnostic::error(
                    "file-too-large",
                    walk::too_large_message(path),
                    None,
                ));
                return;
            }
        };
        let Ok(text) = text else {
            self.diagnostics.push(Diagnostic::error(
                "not-utf8",
                "the overlay file is not valid UTF-8",
                Some(location(Pos {
                    line: 1,
                    column: 1,
                    source: 0,
                })),
            ));
            return;
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let documents = match yaml::parse(text) {
            Ok(documents) => documents,
            Err(error) => {
                let mut diagnostic = Diagnostic::error(
                    "yaml-syntax",
                    format!("invalid YAML: {}", error.message),
                    Some(location(error.pos)),
                );
                diagnostic.hint = error.hint;
                self.diagnostics.push(diagnostic);
                return;
            }
        };
        let source = self.files.len() + 1;
        let Ok(source_id) = u16::try_from(source) else {
            self.diagnostics.push(Diagnostic::error(
                "overlay-too-many-files",
                "an overlay may hold at most 65535 files",
                Some(location(Pos {
                    line: 1,
                    column: 1,
                    source: 0,
                })),
            ));
            return;
        };
        let mut any = false;
        for document in documents {
            let root = &document.root;
            // The spec loader's `apiVersion` rules: a document of one of
            // our kinds without one, or with a near miss, is an error, and
            // so is a version of our group this arangosync does not read.
            let api_version_node = root.get("apiVersion");
            let ours = api_version_node
                .and_then(Node::as_str)
                .filter(|api_version| api_version.starts_with(API_GROUP));
            let (Some(api_version), Some(api_version_node)) = (ours, api_version_node) else {
                if let Some(problem) = super::misaddressed(root, api_version_node) {
                    self.diagnostics.push(problem.into_diagnostic(location));
                }
                continue;
            };
            if let Some(problem) = super::unsupported_version(api_version, api_version_node.pos) {
                self.diagnostics.push(problem.into_diagnostic(location));
                continue;
            }
            for problem in &document.problems {
                let mut diagnostic = Diagnostic::error(
                    problem.code,
                    problem.message.clone(),
                    Some(location(problem.pos)),
                );
                if problem.warning {
                    diagnostic.severity = crate::diag::Severity::Warning;
                }
                diagnostic.hint = problem.hint.clone();
                self.diagnostics.push(diagnostic);
            }
            let kind = root.get("kind").and_then(Node::as_str);
            let name_node = root
                .get("metadata")
                .and_then(|metadata| metadata.get("name"));
            let name = name_node.and_then(Node::as_str);
            let (Some(kind), Some(name), Some(name_node)) = (kind, name, name_node) else {
                self.diagnostics.push(
                    Diagnostic::error(
                        "overlay-patch-unaddressed",
                        "an overlay patch needs a string `kind` and `metadata.name` naming the spec it patches",
                        Some(location(root.pos)),
                    ),
                );
                continue;
            };
            let mut body = root.clone();
            if let NodeKind::Map(entries) = &mut body.kind {
                entries.retain(|entry| !matches!(entry.key.as_str(), "apiVersion" | "kind"));
                for entry in entries.iter_mut() {
                    if entry.key == "metadata" {
                        if let NodeKind::Map(metadata) = &mut entry.value.kind {
                            metadata.retain(|field| field.key != "name");
                        }
                    }
                }
            }
            body.set_source(source_id);
            self.patches.push(Patch {
                kind: kind.to_string(),
                name: name.to_string(),
                name_location: location(name_node.pos),
                body,
                applied_to: Vec::new(),
            });
            any = true;
        }
        if any {
            self.files.push(path.to_path_buf());
        }
    }

    /// Applies every patch for the document's kind and `metadata.name` to
    /// `root` (a document of `file`); documents that are not ours are left
    /// alone.
    pub fn apply(&mut self, file: &Path, root: &mut Node) {
        if self.patches.is_empty() {
            return;
        }
        let ours = root
            .get("apiVersion")
            .and_then(Node::as_str)
            .is_some_and(|api_version| api_version.starts_with(API_GROUP));
        let kind = root.get("kind").and_then(Node::as_str).map(str::to_string);
        let name = root
            .get("metadata")
            .and_then(|metadata| metadata.get("name"))
            .and_then(Node::as_str)
            .map(str::to_string);
        let line = root.pos.line;
        self.documents
            .entry(file.to_path_buf())
            .or_default()
            .push(line);
        let (true, Some(kind), Some(name)) = (ours, kind, name) else {
            return;
        };
        let files = &self.files;
        for patch in &mut self.patches {
            if patch.kind == kind && patch.name == name {
                let mut deleted = Vec::new();
                deletions(root, &patch.body, "", &mut deleted);
                let deleted = deleted
                    .into_iter()
                    .filter_map(|(path, pos)| Some((path, overlay_location(files, pos)?)))
                    .collect();
                yaml::merge_patch(root, &patch.body);
                patch.applied_to.push(Applied {
                    file: file.to_path_buf(),
                    line,
                    deleted,
                });
            }
        }
    }

    /// The patch documents as JSON, one `{"kind", "name", "patch"}` object
    /// each (the patch without `apiVersion`, `kind` and `metadata.name`),
    /// sorted by kind and name with patches to one spec in the order they
    /// apply: what the overlay asks for, independent of its file names and
    /// layout. A value JSON cannot hold (`.nan`) is written as `null`
    /// (loading reports it as an error anyway).
    pub fn documents(&self) -> Vec<serde_json::Value> {
        let mut patches: Vec<&Patch> = self.patches.iter().collect();
        patches.sort_by(|a, b| (&a.kind, &a.name).cmp(&(&b.kind, &b.name)));
        patches
            .into_iter()
            .map(|patch| {
                serde_json::json!({
                    "kind": patch.kind,
                    "name": patch.name,
                    "patch": patch.body.to_json().unwrap_or(serde_json::Value::Null),
                })
            })
            .collect()
    }

    /// Errors for patches that matched no spec document; call after every
    /// spec file was loaded.
    pub fn unmatched(&self) -> Diagnostics {
        let mut diagnostics = Diagnostics::default();
        for patch in self
            .patches
            .iter()
            .filter(|patch| patch.applied_to.is_empty())
        {
            let hint = if KINDS.contains(&patch.kind.as_str()) {
                format!(
                    "the specs define no {} named `{}`; remove the patch or fix its name",
                    patch.kind, patch.name
                )
            } else {
                suggestion(&patch.kind, KINDS)
            };
            diagnostics.push(
                Diagnostic::error(
                    "overlay-unmatched",
                    format!(
                        "the overlay patch for {} `{}` matches no spec document",
                        patch.kind, patch.name
                    ),
                    Some(patch.name_location.clone()),
                )
                .with_hint(hint),
            );
        }
        diagnostics
    }

    /// Names both files in every diagnostic about a patched spec: one
    /// located in an overlay file gets the base files its patches changed;
    /// one located in a base document a patch changed gets the patch's
    /// place and the keys its `null`s deleted there.
    ///
    /// `without` is what the same tree gives without the overlay: a
    /// diagnostic in a base document no patch touched that only the
    /// overlay brings (a graph naming a collection a patch made a document
    /// collection) names the patches of the objects it mentions, or all.
    pub fn name_base_files(&self, diagnostics: &mut Diagnostics, without: Option<&Diagnostics>) {
        for diagnostic in &mut diagnostics.0 {
            let new = without.is_some_and(|without| {
                !without.0.iter().any(|old| {
                    old.code == diagnostic.code
                        && old.location == diagnostic.location
                        && old.message == diagnostic.message
                })
            });
            let Some(location) = &diagnostic.location else {
                continue;
            };
            if matches!(
                diagnostic.code,
                "overlay-unmatched" | "overlay-duplicate-patch"
            ) {
                continue;
            }
            if self.files.iter().any(|file| **file == *location.file) {
                let mut bases: Vec<&PathBuf> = self
                    .patches
                    .iter()
                    .filter(|patch| patch.name_location.file == location.file)
                    .flat_map(|patch| patch.applied_to.iter().map(|applied| &applied.file))
                    .collect();
                bases.sort();
                bases.dedup();
                if bases.is_empty() {
                    continue;
                }
                let names: Vec<String> = bases
                    .iter()
                    .map(|base| format!("`{}`", base.display()))
                    .collect();
                diagnostic.message = format!(
                    "{} (overlay patch of {})",
                    diagnostic.message,
                    names.join(", ")
                );
                continue;
            }
            let mut notes = self.notes_for_base(location);
            if notes.is_empty() && new {
                let (causes, deletes) = self.causes(&diagnostic.message);
                notes = causes;
                if deletes {
                    // The base declares what the rule needs; pointing the
                    // reader at the base spec would mislead.
                    diagnostic.hint = Some(
                        "the base specs satisfy this; the overlay's `null` deletes what they declare: \
                         remove that `null` from the patch, or change what relies on it"
                            .to_string(),
                    );
                }
            }
            if !notes.is_empty() {
                diagnostic.message = format!("{} ({})", diagnostic.message, notes.join("; "));
            }
        }
    }

    /// What the patches applied to the base document holding `location`
    /// did: `patched by the overlay at `O:4:9`, which deleted `spec.x` at
    /// `O:7:5``. Empty when no patch touched that document.
    fn notes_for_base(&self, location: &Location) -> Vec<String> {
        let Some(starts) = self.documents.get(&*location.file) else {
            return Vec::new();
        };
        let Some(start) = starts
            .iter()
            .copied()
            .filter(|start| *start <= location.line)
            .max()
        else {
            return Vec::new();
        };
        let mut notes = Vec::new();
        for patch in &self.patches {
            for applied in &patch.applied_to {
                if *applied.file != *location.file || applied.line != start {
                    continue;
                }
                let mut note = format!("patched by the overlay at `{}`", patch.name_location);
                if !applied.deleted.is_empty() {
                    let deleted: Vec<String> = applied
                        .deleted
                        .iter()
                        .map(|(path, at)| format!("`{path}` at `{at}`"))
                        .collect();
                    note.push_str(&format!(", which deletes {}", deleted.join(", ")));
                }
                notes.push(note);
            }
        }
        notes
    }
}

impl Overlay {
    /// For a diagnostic only the overlay brings, in a document no patch
    /// changed: the applied patches of the objects its message names (as
    /// `` `name` ``), or every applied patch when it names none of them,
    /// each with the keys its `null`s deleted and where those `null`s are;
    /// and whether any of them deleted a key.
    fn causes(&self, message: &str) -> (Vec<String>, bool) {
        let applied = || {
            self.patches
                .iter()
                .filter(|patch| !patch.applied_to.is_empty())
        };
        let named: Vec<&Patch> = applied()
            .filter(|patch| message.contains(&format!("`{}`", patch.name)))
            .collect();
        let patches = if named.is_empty() {
            applied().collect()
        } else {
            named
        };
        let mut deletes = false;
        let list: Vec<String> = patches
            .iter()
            .map(|patch| {
                let deleted: Vec<String> = patch
                    .applied_to
                    .iter()
                    .flat_map(|applied| &applied.deleted)
                    .map(|(path, at)| format!("`{path}` with the `null` at `{at}`"))
                    .collect();
                if deleted.is_empty() {
                    format!(
                        "{} `{}` at `{}`",
                        patch.kind, patch.name, patch.name_location
                    )
                } else {
                    deletes = true;
                    format!(
                        "{} `{}`, deleting {}",
                        patch.kind,
                        patch.name,
                        deleted.join(", ")
                    )
                }
            })
            .collect();
        if list.is_empty() {
            return (Vec::new(), false);
        }
        (
            vec![format!(
                "only with the overlay, which patches {}",
                list.join(", ")
            )],
            deletes,
        )
    }
}

/// The overlay file place of a node a patch brought (`pos.source` `n` is
/// `files[n - 1]`).
fn overlay_location(files: &[PathBuf], pos: Pos) -> Option<Location> {
    let file = files.get(usize::from(pos.source).checked_sub(1)?)?;
    Some(Location {
        file: file.as_path().into(),
        line: pos.line,
        column: pos.column,
    })
}

/// The keys of `target` that merging `patch` deletes (a `null` in the
/// patch for a key the target has), as dotted paths below `prefix` with
/// the `null`'s position. Mirrors [`yaml::merge_patch`].
fn deletions(target: &Node, patch: &Node, prefix: &str, out: &mut Vec<(String, Pos)>) {
    let (NodeKind::Map(patch_entries), NodeKind::Map(entries)) = (&patch.kind, &target.kind) else {
        return;
    };
    for patch_entry in patch_entries {
        let Some(existing) = entries.iter().find(|entry| entry.key == patch_entry.key) else {
            continue;
        };
        let path = if prefix.is_empty() {
            patch_entry.key.clone()
        } else {
            format!("{prefix}.{}", patch_entry.key)
        };
        if matches!(patch_entry.value.kind, NodeKind::Null) {
            out.push((path, patch_entry.value.pos));
        } else {
            deletions(&existing.value, &patch_entry.value, &path, out);
        }
    }
}

/// The error for an overlay directory that does not exist or is not a
/// directory, naming it as the overlay, not as the spec directory.
fn missing_dir(dir: &Path) -> Option<Diagnostic> {
    let problem = match std::fs::metadata(dir) {
        Ok(metadata) if metadata.is_dir() => return None,
        Ok(_) => "is not a directory".to_string(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => "does not exist".to_string(),
        Err(error) => format!("cannot be read: {error}"),
    };
    Some(
        Diagnostic::error(
            "overlay-dir-not-found",
            format!("the overlay directory `{}` {problem}", dir.display()),
            None,
        )
        .with_hint(
            "the overlay directory comes from --overlay or ARANGOSYNC_OVERLAY (for the --offline-from tree: --offline-overlay, else the same); pass a directory of patch documents, or neither to use the specs as they are",
        ),
    )
}

#[cfg(test)]
mod tests {
    const USERS: &str = "apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
spec:
  numberOfShards: 1
  waitForSync: true
";

    /// Loads `USERS` with `patch` as the only overlay file.
    fn load(patch: &str) -> (super::super::Loaded, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let specs = dir.path().join("specs");
        let overlay = dir.path().join("overlay");
        std::fs::create_dir_all(&specs).expect("specs");
        std::fs::create_dir_all(&overlay).expect("overlay");
        std::fs::write(specs.join("users.yaml"), USERS).expect("spec");
        std::fs::write(overlay.join("users.yaml"), patch).expect("patch");
        let loaded = super::super::load_with_overlay(&specs, Some(&overlay));
        (loaded, dir)
    }

    fn codes(loaded: &super::super::Loaded) -> Vec<&'static str> {
        loaded.diagnostics.0.iter().map(|d| d.code).collect()
    }

    #[test]
    fn a_patch_merges_and_deletes_but_keeps_kind_and_name() {
        let (loaded, _dir) = load(
            "apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
  labels: {team: growth}
spec:
  numberOfShards: 4
  waitForSync: null
",
        );
        assert_eq!(codes(&loaded), Vec::<&str>::new());
        let users = &loaded.state.collections["users"];
        assert_eq!(users.cluster.number_of_shards, Some(4));
        assert!(!users.wait_for_sync, "deleted: the default");
        // The name is the base file's; the patched value the overlay's.
        let origin = &loaded.sources.collections["users"];
        assert!(origin.location.file.ends_with("specs/users.yaml"));
        let shards = origin.at("numberOfShards");
        assert!(shards.file.ends_with("overlay/users.yaml"), "{shards}");
        assert_eq!((shards.line, shards.column), (7, 19));
    }

    #[test]
    fn patches_without_a_target_or_an_address_are_errors() {
        let (loaded, _dir) = load(
            "apiVersion: db.feature-store/v1alpha1
kind: ArangoGraph
metadata:
  name: users
spec: {}
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
spec: {numberOfShards: 2}
",
        );
        assert_eq!(
            codes(&loaded),
            vec!["overlay-unmatched", "overlay-patch-unaddressed"]
        );
    }

    #[test]
    fn an_overlay_without_patches_is_an_error() {
        let (loaded, _dir) = load("apiVersion: v1\nkind: ConfigMap\n");
        assert_eq!(codes(&loaded), vec!["overlay-empty"]);
    }

    #[test]
    fn two_patches_for_one_object_are_an_error() {
        let (loaded, _dir) = load(
            "apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
spec: {numberOfShards: 2}
---
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: users
spec: {numberOfShards: 3}
",
        );
        assert_eq!(codes(&loaded), vec!["overlay-duplicate-patch"]);
        let diagnostic = &loaded.diagnostics.0[0];
        assert!(
            diagnostic.message.contains("users.yaml:4:9"),
            "{diagnostic}"
        );
        let location = diagnostic.location.as_ref().expect("located");
        assert_eq!((location.line, location.column), (10, 9));
    }

    #[test]
    fn deletions_are_the_nulls_that_remove_an_existing_key() {
        let target = super::yaml::parse("{a: 1, b: {c: 2, d: 3}}").expect("yaml");
        let patch = super::yaml::parse("{a: null, b: {c: null, e: null}, f: null}").expect("yaml");
        let mut out = Vec::new();
        super::deletions(&target[0].root, &patch[0].root, "", &mut out);
        let paths: Vec<&str> = out.iter().map(|(path, _)| path.as_str()).collect();
        assert_eq!(paths, vec!["a", "b.c"]);
    }
}
