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
//!   target; they are never merged, so a patch cannot change them.
//! * A patch that matches no spec document is an error at its
//!   `metadata.name`: an overlay for a renamed or deleted collection would
//!   otherwise be silently ignored.
//! * An overlay directory without any patch is an error: it is what a
//!   broken mount looks like.

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
    /// Base files it was applied to.
    applied_to: Vec<PathBuf>,
}

/// The patches of an overlay directory, and what happened to them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overlay {
    /// Overlay files with at least one patch; a node's `Pos::source` `n`
    /// is `files[n - 1]`.
    pub files: Vec<PathBuf>,
    patches: Vec<Patch>,
    /// Problems of the overlay files themselves.
    pub diagnostics: Diagnostics,
}

impl Overlay {
    /// Reads every `.yaml`/`.yml` file under `dir`. Never fails: problems
    /// are in [`Overlay::diagnostics`].
    pub fn load(dir: &Path) -> Overlay {
        let found = walk::walk(dir);
        let mut overlay = Overlay {
            diagnostics: found.diagnostics,
            ..Overlay::default()
        };
        for path in &found.yaml {
            overlay.load_file(path);
        }
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

    fn load_file(&mut self, path: &Path) {
        let location = |pos: Pos| Location {
            file: path.to_path_buf(),
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
            let ours = root
                .get("apiVersion")
                .and_then(Node::as_str)
                .is_some_and(|api_version| api_version.starts_with(API_GROUP));
            if !ours {
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
        let (true, Some(kind), Some(name)) = (ours, kind, name) else {
            return;
        };
        for patch in &mut self.patches {
            if patch.kind == kind && patch.name == name {
                yaml::merge_patch(root, &patch.body);
                patch.applied_to.push(file.to_path_buf());
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

    /// Names the patched base file in every diagnostic located in an
    /// overlay file, so a message names both files.
    pub fn name_base_files(&self, diagnostics: &mut Diagnostics) {
        for diagnostic in &mut diagnostics.0 {
            let Some(location) = &diagnostic.location else {
                continue;
            };
            if diagnostic.code == "overlay-unmatched" {
                continue;
            }
            let mut bases: Vec<&PathBuf> = self
                .patches
                .iter()
                .filter(|patch| patch.name_location.file == location.file)
                .flat_map(|patch| &patch.applied_to)
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
        }
    }
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
            "apiVersion: db.feature-store/v1alpha2
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
}
