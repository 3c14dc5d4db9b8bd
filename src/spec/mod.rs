//! Loading a directory of spec files into the desired [`model::State`].
//!
//! `load` walks `--dir` ([`walk`]), parses each YAML file into a node tree
//! with positions ([`yaml`]), and reads every `db.feature-store/*` document
//! into the model ([`collection`], [`graph`], [`index`], [`analyzer`],
//! [`view`]) through a reader that reports unknown fields and wrong types
//! ([`reader`]).
//!
//! Which problems are found where:
//! * Here (`Loaded::diagnostics`): everything about the *shape* of the input:
//!   unreadable paths, YAML syntax, duplicate keys, unsupported
//!   `apiVersion`/`kind`, unknown fields, wrong types, missing required
//!   fields, values the model cannot hold (an unknown index or collection
//!   type).
//! * In `validate`: everything about the *meaning* of a well-formed state:
//!   names, duplicates across files, index option contradictions, schema
//!   rules, computed value expressions, graph references. Those checks are
//!   pure functions of [`Loaded`], so they can run on a state loaded by any
//!   means.
//!
//! Invariants:
//! * Documents that are not mappings, or whose `apiVersion` is not a string
//!   starting with `db.feature-store/`, are skipped silently: a repository
//!   root holds Kubernetes manifests and Argo CD applications too. The one
//!   exception is a document of one of our [`KINDS`] whose `apiVersion` is
//!   missing or a near miss of ours: no manifest looks like that, and
//!   skipping it would silently drop a collection or graph.
//! * A file that cannot be read as YAML text (syntax errors, not UTF-8,
//!   control characters YAML forbids, larger than [`MAX_FILE_BYTES`]) is an
//!   error only if its text mentions `db.feature-store/`, otherwise a
//!   warning. Control characters are refused before parsing because
//!   yaml-rust2 silently stops reading at a NUL byte. An empty file is a
//!   warning: it may be a spec whose content was lost.
//! * The first definition of a collection or graph name is the one in the
//!   state; later ones are listed in [`Sources::duplicates`] for `validate`.
//! * Locations name files by the path walked (`dir` joined with the relative
//!   path), never the canonical target of a symlink, so a ConfigMap volume
//!   shows `users.yaml`, not `..2026_.../users.yaml`.
//! * A tree with neither a spec nor an `.aql` file is an error (`no-specs`,
//!   see [`empty`]): it is what a broken mount looks like, and a plan made
//!   from it would delete everything arangosync manages.
//! * Attribute locations ([`Origin::attributes`]) are recorded only for the
//!   files [`AttributeLocations`] names (all of them, except in
//!   [`load_recording`]); nothing else a load gives depends on it.
//! * Diagnostics are sorted by location. Nothing here panics on any input.

mod analyzer;
mod collection;
mod empty;
mod graph;
mod index;
pub mod overlay;
pub(crate) mod reader;
mod view;
mod walk;
pub mod yaml;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::model::State;

pub use analyzer::{property_keys, ANALYZER_TYPES};
pub use index::INDEX_TYPES;
use reader::Reader;
pub use reader::{nearest, suggestion};
pub use view::VIEW_TYPES;
pub use walk::{read_file, too_large_message, ReadError, MAX_FILE_BYTES};
use yaml::{Node, NodeKind, Pos};

/// The group every spec `apiVersion` starts with.
pub const API_GROUP: &str = "db.feature-store/";
/// The only version this build reads.
pub const API_VERSION: &str = "db.feature-store/v1alpha1";
pub const KINDS: &[&str] = &[
    "ArangoCollection",
    "ArangoGraph",
    "ArangoAnalyzer",
    "ArangoView",
];

const DOCUMENT_KEYS: &[&str] = &["apiVersion", "kind", "metadata", "spec"];
const METADATA_KEYS: &[&str] = &["name", "renamedFrom", "labels", "annotations"];

/// Everything read from a spec directory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Loaded {
    pub state: State,
    pub sources: Sources,
    /// YAML files that hold at least one `db.feature-store/` document (or
    /// mention it, when they do not parse), sorted.
    pub files: Vec<PathBuf>,
    /// `.aql` files found, sorted, for the transformations stage.
    pub transformations: Vec<PathBuf>,
    pub diagnostics: Diagnostics,
    /// The overlay applied (`--overlay`); empty without one.
    pub overlay: overlay::Overlay,
}

/// Where each resource of [`Loaded::state`] is written.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Sources {
    pub collections: BTreeMap<String, Origin>,
    /// Per collection, parallel to `Collection::indexes`.
    pub indexes: BTreeMap<String, Vec<Origin>>,
    pub graphs: BTreeMap<String, Origin>,
    /// Analyzers: the location of `metadata.name`; attribute paths relative
    /// to the `spec` (`type`, `properties.locale`, `features[1]`).
    pub analyzers: BTreeMap<String, Origin>,
    pub views: BTreeMap<String, Origin>,
    /// Later definitions of names already taken; they are not in the state.
    pub duplicates: Vec<Duplicate>,
}

impl Sources {
    pub fn collection(&self, name: &str) -> Option<&Location> {
        self.collections.get(name).map(|origin| &origin.location)
    }

    pub fn index(&self, collection: &str, position: usize) -> Option<&Location> {
        self.index_origin(collection, position)
            .map(|origin| &origin.location)
    }

    pub fn index_origin(&self, collection: &str, position: usize) -> Option<&Origin> {
        self.indexes.get(collection)?.get(position)
    }

    pub fn graph(&self, name: &str) -> Option<&Location> {
        self.graphs.get(name).map(|origin| &origin.location)
    }

    pub fn analyzer(&self, name: &str) -> Option<&Location> {
        self.analyzers.get(name).map(|origin| &origin.location)
    }

    pub fn view(&self, name: &str) -> Option<&Location> {
        self.views.get(name).map(|origin| &origin.location)
    }
}

/// Where one resource is written, and where each of its attributes is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Origin {
    /// Collections and graphs: the value of `metadata.name`. Indexes: the
    /// entry in the `indexes` list.
    pub location: Location,
    /// Attribute paths relative to the resource's `spec` (for an index,
    /// relative to the index): `keyOptions.increment`, `indexes[1]`,
    /// `computedValues[0].expression`, `schema.rule.properties.email`,
    /// `fields[2]`. List positions are positions in the model value, which
    /// for sorted lists (graph `from`/`to`/orphans, edge definitions) differ
    /// from the order in the file.
    ///
    /// Empty unless the load recorded the locations of this resource's file
    /// ([`AttributeLocations`]): they serve diagnostics only, and a valid
    /// tree has none. Nothing but a location may be decided from them.
    pub attributes: BTreeMap<String, Location>,
    /// Indexes only, and only when there is something to note: boxed, as
    /// almost every index has nothing (an [`Origin`] is 64 bytes, and a
    /// tree of 20,000 collections has 69,000 of them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<Box<IndexNotes>>,
}

/// What an index [`Origin`] notes besides locations. Recorded whatever
/// [`AttributeLocations`] says, so every load decides the same.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IndexNotes {
    /// The `type` as written, where the model holds another spelling
    /// (`hash`/`skiplist`, read as `persistent`); the version table gates
    /// the written one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written_type: Option<&'static str>,
    /// The options the spec writes that the model index's options do not
    /// hold, in the order written: values the loader could not read (of
    /// the wrong type, or an option the type does not take), each reported
    /// by the loader, so `validate` must not also call them missing.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub unread_options: Box<[Box<str>]>,
}

impl Origin {
    fn new(location: Location) -> Origin {
        Origin {
            location,
            attributes: BTreeMap::new(),
            index: None,
        }
    }

    /// Indexes: the `type` as written when it is an alias the model reads
    /// as another ([`IndexNotes::written_type`]).
    pub fn written_type(&self) -> Option<&'static str> {
        self.index.as_ref().and_then(|notes| notes.written_type)
    }

    /// The location of `path`, or of the resource when the path was not
    /// written or its location not recorded.
    pub fn at(&self, path: &str) -> &Location {
        self.attributes.get(path).unwrap_or(&self.location)
    }

    /// Whether the spec writes the index option `key` without the loader
    /// having read it ([`IndexNotes::unread_options`]).
    pub fn writes_unread(&self, key: &str) -> bool {
        self.index
            .as_ref()
            .is_some_and(|notes| notes.unread_options.iter().any(|unread| **unread == *key))
    }
}

/// Which files' attribute locations ([`Origin::attributes`]) a load
/// records. They are most of what a load keeps besides the state (about
/// 2.7 KB per collection with three indexes), and only a diagnostic of
/// `validate` shows one, so a run loads without them first and again, for
/// the files its diagnostics name, only when there are any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AttributeLocations {
    /// Every file's ([`load`], [`load_with_overlay`], [`load_contents`]).
    #[default]
    All,
    /// No file's.
    None,
    /// Those of the resources defined in these spec files (paths as
    /// walked, as in [`Loaded::files`]); their overlay patches are applied
    /// as always, so a location may be in an overlay file.
    Files(BTreeSet<PathBuf>),
}

impl AttributeLocations {
    /// Whether the resources of the spec file `path` get attribute locations.
    pub fn covers(&self, path: &Path) -> bool {
        match self {
            AttributeLocations::All => true,
            AttributeLocations::None => false,
            AttributeLocations::Files(files) => files.contains(path),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ResourceKind {
    Collection,
    Graph,
    Analyzer,
    View,
}

impl ResourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Collection => "collection",
            ResourceKind::Graph => "graph",
            ResourceKind::Analyzer => "analyzer",
            ResourceKind::View => "view",
        }
    }
}

/// A second (third, ...) definition of a collection or graph name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Duplicate {
    pub kind: ResourceKind,
    pub name: String,
    pub location: Location,
}

/// Loads every spec under `dir`. Never fails: problems are in
/// `Loaded::diagnostics`, and whatever could be read is in the state.
pub fn load(dir: &Path) -> Loaded {
    load_with_overlay(dir, None)
}

/// Like [`load`], with the patches of the overlay directory `overlay`
/// applied to the spec documents before they are read (see [`overlay`]);
/// the overlay's own problems and unmatched patches are diagnostics too.
pub fn load_with_overlay(dir: &Path, overlay: Option<&Path>) -> Loaded {
    load_with_overlay_for(dir, overlay, true)
}

/// [`load_with_overlay`], with a patch that matches no document of this
/// tree an error only when `unmatched_is_error`. `plan --offline-from`
/// loads the base tree with the pull request's overlay (when no
/// `--offline-overlay` is given) without it: a patch for an object the
/// pull request adds has nothing to match in the base, and a patch that
/// matches nothing in either tree is already an error of the pull
/// request's tree.
pub fn load_with_overlay_for(
    dir: &Path,
    overlay: Option<&Path>,
    unmatched_is_error: bool,
) -> Loaded {
    load_recording(dir, overlay, unmatched_is_error, &AttributeLocations::All)
}

/// [`load_with_overlay_for`], recording attribute locations only as
/// `attributes` says. Everything else (state, diagnostics, files, each
/// [`Origin`]'s location, written type and unread options) is the same
/// whatever it says.
pub fn load_recording(
    dir: &Path,
    overlay: Option<&Path>,
    unmatched_is_error: bool,
    attributes: &AttributeLocations,
) -> Loaded {
    let found = walk::walk(dir);
    let mut loaded = Loaded {
        transformations: found.aql,
        diagnostics: found.diagnostics,
        ..Loaded::default()
    };
    if let Some(overlay_dir) = overlay {
        loaded.overlay = overlay::Overlay::load(overlay_dir);
        let problems = std::mem::take(&mut loaded.overlay.diagnostics);
        loaded.diagnostics.extend(problems);
    }
    for path in &found.yaml {
        load_file(&mut loaded, path, attributes.covers(path));
    }
    if overlay.is_some() && unmatched_is_error {
        let unmatched = loaded.overlay.unmatched();
        loaded.diagnostics.extend(unmatched);
    }
    if let Some(problem) = empty::check(dir, &found.yaml, &loaded) {
        loaded.diagnostics.push(problem);
    }
    loaded.diagnostics.sort();
    loaded
}

/// Loads the content of one YAML file as if it had been found at `path`,
/// without touching the file system. The spec loader's fuzz target uses it.
pub fn load_contents(path: &Path, bytes: Vec<u8>) -> Loaded {
    let mut loaded = Loaded::default();
    load_bytes(&mut loaded, path, bytes);
    loaded.diagnostics.sort();
    loaded
}

fn mentions_api_group(text: &str) -> bool {
    // NUL characters are dropped first: a spec saved as UTF-16 without a
    // byte order mark (or as UTF-32) reads as ASCII with NULs between the
    // letters, and must still count as a spec, never as a skippable file
    // whose objects a prune would then drop.
    text.contains(API_GROUP) || (text.contains('\0') && text.replace('\0', "").contains(API_GROUP))
}

/// The text of a UTF-16 file (one that starts with a byte order mark), so
/// that a spec saved as UTF-16 by an editor is recognised as one.
fn utf16_text(bytes: &[u8]) -> Option<String> {
    let little_endian = match bytes {
        [0xff, 0xfe, ..] => true,
        [0xfe, 0xff, ..] => false,
        _ => return None,
    };
    let units: Vec<u16> = bytes
        .get(2..)
        .unwrap_or_default()
        .chunks_exact(2)
        .map(|pair| {
            let pair = [pair[0], pair[1]];
            if little_endian {
                u16::from_le_bytes(pair)
            } else {
                u16::from_be_bytes(pair)
            }
        })
        .collect();
    Some(String::from_utf16_lossy(&units))
}

/// Whether raw file content mentions the API group, in UTF-8 or UTF-16.
fn bytes_mention_api_group(bytes: &[u8]) -> bool {
    match utf16_text(bytes) {
        Some(text) => mentions_api_group(&text),
        None => mentions_api_group(&String::from_utf8_lossy(bytes)),
    }
}

/// The first character YAML does not allow in a stream (the `c-printable`
/// set of YAML 1.2, 5.1) and its byte offset. yaml-rust2 stops reading at a
/// NUL byte without an error, so everything after one would silently vanish.
fn first_disallowed_char(text: &str) -> Option<(usize, char)> {
    text.char_indices().find(|(_, c)| {
        !matches!(c,
            '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}'
            | '\u{e000}'..='\u{fffd}' | '\u{10000}'..='\u{10ffff}')
    })
}

/// Loads one YAML file; `record` says whether to record the attribute
/// locations of its resources.
fn load_file(loaded: &mut Loaded, path: &Path, record: bool) {
    let bytes = match walk::read_file(path) {
        Ok(bytes) => bytes,
        Err(walk::ReadError::Io(error)) => {
            loaded.diagnostics.push(Diagnostic::error(
                "unreadable-file",
                format!("cannot read `{}`: {error}", path.display()),
                None,
            ));
            return;
        }
        Err(walk::ReadError::TooLarge { prefix }) => {
            let message = walk::too_large_message(path);
            let diagnostic = if bytes_mention_api_group(&prefix) {
                loaded.files.push(path.to_path_buf());
                Diagnostic::error("file-too-large", message, None)
                    .with_hint("split the specs into several smaller files")
            } else {
                Diagnostic::warning(
                    "file-too-large",
                    format!(
                        "skipped `{}`: it is larger than {} MiB and its beginning does not mention \
                         db.feature-store/",
                        path.display(),
                        walk::MAX_FILE_BYTES / (1024 * 1024)
                    ),
                    None,
                )
            };
            loaded.diagnostics.push(diagnostic);
            return;
        }
    };
    load_bytes_recording(loaded, path, bytes, record);
}

/// Reports a file that cannot be read as YAML text: an error when it
/// mentions the API group (it is meant to be a spec), otherwise a warning,
/// since a repository root holds other people's files too. `problem`
/// completes "the file ...", e.g. "is not valid UTF-8".
fn unusable_text(
    loaded: &mut Loaded,
    path: &Path,
    ours: bool,
    code: &'static str,
    problem: &str,
    location: Location,
    hint: &str,
) {
    let diagnostic = if ours {
        loaded.files.push(path.to_path_buf());
        Diagnostic::error(code, format!("the file {problem}"), Some(location)).with_hint(hint)
    } else {
        Diagnostic::warning(
            "unparsable-yaml-skipped",
            format!("skipped a file that {problem} and does not mention db.feature-store/"),
            Some(location),
        )
    };
    loaded.diagnostics.push(diagnostic);
}

/// Loads the content of one YAML file, with attribute locations; `path`
/// only names it.
fn load_bytes(loaded: &mut Loaded, path: &Path, bytes: Vec<u8>) {
    load_bytes_recording(loaded, path, bytes, true);
}

/// [`load_bytes`], recording attribute locations only when `record`.
fn load_bytes_recording(loaded: &mut Loaded, path: &Path, bytes: Vec<u8>, record: bool) {
    let start = Location {
        file: path.into(),
        line: 1,
        column: 1,
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            if let Some(text) = utf16_text(error.as_bytes()) {
                // A UTF-32 byte order mark starts like UTF-16's, then NULs.
                let utf32 = matches!(error.as_bytes(), [0xff, 0xfe, 0, 0, ..]);
                unusable_text(
                    loaded,
                    path,
                    mentions_api_group(&text),
                    "not-utf8",
                    if utf32 {
                        "is UTF-32 text, not UTF-8"
                    } else {
                        "is UTF-16 text, not UTF-8"
                    },
                    start,
                    "save the file as UTF-8",
                );
                return;
            }
            let valid_up_to = error.utf8_error().valid_up_to();
            let valid = error.as_bytes().get(..valid_up_to).unwrap_or_default();
            let location = end_location(path, valid);
            let lossy = String::from_utf8_lossy(error.as_bytes());
            unusable_text(
                loaded,
                path,
                mentions_api_group(&lossy),
                "not-utf8",
                "is not valid UTF-8",
                location,
                "save the file as UTF-8",
            );
            return;
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if text.trim().is_empty() {
        loaded.diagnostics.push(
            Diagnostic::warning(
                "empty-file",
                "the file is empty; it defines nothing",
                Some(start),
            )
            .with_hint("delete it, or check that its content was not lost"),
        );
        return;
    }
    if let Some((offset, character)) = first_disallowed_char(text) {
        let location = end_location(path, text.get(..offset).unwrap_or_default().as_bytes());
        let problem = format!(
            "contains the control character U+{:04X} (not allowed in YAML)",
            u32::from(character)
        );
        let hint = if character == '\0' {
            "a NUL byte means a binary file, or text saved as UTF-16 without a byte order mark; save it as UTF-8"
                .to_string()
        } else {
            format!(
                "remove it, or write it as the escape `\\u{:04X}` inside a double-quoted string",
                u32::from(character)
            )
        };
        unusable_text(
            loaded,
            path,
            mentions_api_group(text),
            "invalid-character",
            &problem,
            location,
            &hint,
        );
        return;
    }

    let mut documents = match yaml::parse(text) {
        Ok(documents) => documents,
        Err(error) => {
            let location = Some(Location {
                file: path.into(),
                line: error.pos.line,
                column: error.pos.column,
            });
            let mut diagnostic = if mentions_api_group(text) {
                loaded.files.push(path.to_path_buf());
                Diagnostic::error(
                    "yaml-syntax",
                    format!("invalid YAML: {}", error.message),
                    location,
                )
            } else {
                Diagnostic::warning(
                    "unparsable-yaml-skipped",
                    format!(
                        "skipped a file that is not valid YAML ({}) and does not mention db.feature-store/",
                        error.message
                    ),
                    location,
                )
            };
            diagnostic.hint = error.hint;
            loaded.diagnostics.push(diagnostic);
            return;
        }
    };

    for document in &mut documents {
        loaded.overlay.apply(path, &mut document.root);
    }
    let overlay_files = loaded.overlay.files.clone();
    let mut reader = Reader::with_overlays(path, &overlay_files);
    let mut is_spec_file = false;
    for document in &documents {
        is_spec_file |= load_document(loaded, &mut reader, document, record);
    }
    if is_spec_file {
        loaded.files.push(path.to_path_buf());
    }
    loaded.diagnostics.extend(reader.diagnostics);
}

/// The line and column just after `prefix`, where invalid UTF-8 begins.
fn end_location(path: &Path, prefix: &[u8]) -> Location {
    let text = String::from_utf8_lossy(prefix);
    let line = text.matches('\n').count() + 1;
    let column = text
        .rsplit('\n')
        .next()
        .map_or(0, |last| last.chars().count())
        + 1;
    Location {
        file: path.into(),
        line,
        column,
    }
}

/// Reads one document if it is ours; returns whether it was. `record`:
/// whether to record the attribute locations of its resource.
fn load_document(
    loaded: &mut Loaded,
    reader: &mut Reader<'_>,
    document: &yaml::Document,
    record: bool,
) -> bool {
    let root = &document.root;
    let api_version_node = root.get("apiVersion");
    let ours = api_version_node
        .and_then(Node::as_str)
        .filter(|api_version| api_version.starts_with(API_GROUP));
    let (Some(api_version), Some(api_version_node)) = (ours, api_version_node) else {
        return misaddressed_document(reader, root, api_version_node);
    };
    for problem in &document.problems {
        let mut diagnostic = Diagnostic::error(
            problem.code,
            problem.message.clone(),
            Some(reader.location(problem.pos)),
        );
        if problem.warning {
            diagnostic.severity = crate::diag::Severity::Warning;
        }
        diagnostic.hint = problem.hint.clone();
        reader.diagnostics.push(diagnostic);
    }
    if let Some(problem) = unsupported_version(api_version, api_version_node.pos) {
        let diagnostic = problem.into_diagnostic(|pos| reader.location(pos));
        reader.diagnostics.push(diagnostic);
        return true;
    }

    let Some(mut fields) = reader.fields(root, "the document", DOCUMENT_KEYS) else {
        return true;
    };
    fields.take("apiVersion");
    let kind_node = fields.require(reader, "kind");
    let kind = kind_node.and_then(|node| reader.string(node, "`kind`"));
    let (name, renamed_from) = fields
        .require(reader, "metadata")
        .map_or((None, None), |metadata| read_metadata(reader, metadata));
    let spec = fields.take("spec");
    reader.finish(fields);

    let (Some(kind), Some(kind_node)) = (kind, kind_node) else {
        return true;
    };
    if let Some((old_name, pos)) = renamed_from {
        add_rename(loaded, reader, &kind, name.as_ref(), old_name, pos);
    }
    match kind.as_str() {
        "ArangoCollection" => add_collection(loaded, reader, name, spec, record),
        "ArangoGraph" => add_graph(loaded, reader, name, spec, root.pos, record),
        "ArangoAnalyzer" => add_analyzer(loaded, reader, name, spec, root.pos, record),
        "ArangoView" => add_view(loaded, reader, name, spec, root.pos, record),
        other => reader.error_with_hint(
            "unknown-kind",
            format!("unknown kind `{other}`"),
            kind_node.pos,
            suggestion(other, KINDS),
        ),
    }
    true
}

/// Reads an `ArangoCollection` spec and adds it to the state unless its
/// name is missing or taken; the spec is read either way, so its problems
/// are reported.
fn add_collection(
    loaded: &mut Loaded,
    reader: &mut Reader<'_>,
    name: Option<(String, Pos)>,
    spec: Option<&Node>,
    record: bool,
) {
    let name_text = name.as_ref().map_or("", |(name, _)| name.as_str());
    let read = collection::read(reader, name_text, spec);
    let Some((name, name_pos)) = name else {
        return;
    };
    let location = reader.location(name_pos);
    let taken = loaded.state.collections.contains_key(&name);
    if is_duplicate(loaded, ResourceKind::Collection, taken, &name, &location) {
        return;
    }
    let mut origin = Origin::new(location);
    if let (Some(spec), true) = (spec, record) {
        record_collection_attributes(reader, spec, &mut origin.attributes);
    }
    let index_origins =
        read.index_nodes
            .iter()
            .zip(&read.collection.indexes)
            .map(|(node, index)| {
                let mut origin = Origin::new(reader.location(node.pos));
                if record {
                    record_attributes(reader, node, "", &mut origin.attributes);
                }
                let notes = IndexNotes {
                    written_type: node.get("type").and_then(yaml::Node::as_str).and_then(
                        |written| {
                            ["hash", "skiplist"]
                                .into_iter()
                                .find(|alias| *alias == written)
                        },
                    ),
                    unread_options: unread_options(node, index),
                };
                origin.index = (notes != IndexNotes::default()).then(|| Box::new(notes));
                origin
            })
            .collect();
    loaded.sources.collections.insert(name.clone(), origin);
    loaded.sources.indexes.insert(name.clone(), index_origins);
    loaded.state.collections.insert(name, read.collection);
}

/// The `spec` of a `kind` document, or an error at the document (with
/// `hint` where one helps) when it has none.
fn required_spec<'n>(
    reader: &mut Reader<'_>,
    kind: &str,
    spec: Option<&'n Node>,
    document_pos: Pos,
    hint: Option<&str>,
) -> Option<&'n Node> {
    if spec.is_none() {
        let message = format!("the {kind} document is missing the required field `spec`");
        match hint {
            Some(hint) => reader.error_with_hint("missing-field", message, document_pos, hint),
            None => reader.error("missing-field", message, document_pos),
        }
    }
    spec
}

/// Whether an earlier document already defines a `kind` named `name`
/// (`taken`); the duplicate is then recorded, for `validate` to report with
/// both locations, and the later document is left out.
fn is_duplicate(
    loaded: &mut Loaded,
    kind: ResourceKind,
    taken: bool,
    name: &str,
    location: &Location,
) -> bool {
    if taken {
        loaded.sources.duplicates.push(Duplicate {
            kind,
            name: name.to_string(),
            location: location.clone(),
        });
    }
    taken
}

/// Reads an `ArangoGraph` spec and adds it to the state unless its name is
/// missing or taken.
fn add_graph(
    loaded: &mut Loaded,
    reader: &mut Reader<'_>,
    name: Option<(String, Pos)>,
    spec: Option<&Node>,
    document_pos: Pos,
    record: bool,
) {
    let Some(spec) = required_spec(reader, "ArangoGraph", spec, document_pos, None) else {
        return;
    };
    let name_text = name.as_ref().map_or("", |(name, _)| name.as_str());
    let read = graph::read(reader, name_text, spec);
    let Some((name, name_pos)) = name else {
        return;
    };
    let location = reader.location(name_pos);
    let taken = loaded.state.graphs.contains_key(&name);
    if is_duplicate(loaded, ResourceKind::Graph, taken, &name, &location) {
        return;
    }
    let mut origin = Origin::new(location);
    if record {
        origin.attributes = read.attributes;
    }
    loaded.sources.graphs.insert(name.clone(), origin);
    loaded.state.graphs.insert(name, read.graph);
}

/// Reads an `ArangoAnalyzer` spec and adds it to the state unless its name
/// is missing or taken, or the spec cannot be read.
fn add_analyzer(
    loaded: &mut Loaded,
    reader: &mut Reader<'_>,
    name: Option<(String, Pos)>,
    spec: Option<&Node>,
    document_pos: Pos,
    record: bool,
) {
    let Some(spec) = required_spec(reader, "ArangoAnalyzer", spec, document_pos, None) else {
        return;
    };
    let name_text = name.as_ref().map_or("", |(name, _)| name.as_str());
    let read = analyzer::read(reader, name_text, spec);
    let Some((name, name_pos)) = name else {
        return;
    };
    let location = reader.location(name_pos);
    let taken = loaded.state.analyzers.contains_key(&name);
    if is_duplicate(loaded, ResourceKind::Analyzer, taken, &name, &location) {
        return;
    }
    let Some(analyzer) = read else {
        return;
    };
    let mut origin = Origin::new(location);
    if record {
        record_attributes(reader, spec, "", &mut origin.attributes);
    }
    loaded.sources.analyzers.insert(name.clone(), origin);
    loaded.state.analyzers.insert(name, analyzer);
}

/// Reads an `ArangoView` spec and adds it to the state unless its name is
/// missing or taken, or its type unusable.
fn add_view(
    loaded: &mut Loaded,
    reader: &mut Reader<'_>,
    name: Option<(String, Pos)>,
    spec: Option<&Node>,
    document_pos: Pos,
    record: bool,
) {
    let hint = "add `spec:` with `type: arangosearch` (and `links`) or `type: search-alias` (and `indexes`)";
    let Some(spec) = required_spec(reader, "ArangoView", spec, document_pos, Some(hint)) else {
        return;
    };
    let name_text = name.as_ref().map_or("", |(name, _)| name.as_str());
    let read = view::read(reader, name_text, spec);
    let (Some((name, name_pos)), Some(read)) = (name, read) else {
        return;
    };
    let location = reader.location(name_pos);
    let taken = loaded.state.views.contains_key(&name);
    if is_duplicate(loaded, ResourceKind::View, taken, &name, &location) {
        return;
    }
    let mut origin = Origin::new(location);
    if record {
        origin.attributes = read.attributes;
    }
    loaded.sources.views.insert(name.clone(), origin);
    loaded.state.views.insert(name, read.view);
}

/// A document that is not ours by its `apiVersion` but names one of our
/// kinds: it is an error when the `apiVersion` is missing, not a string, or
/// a near miss of ours, since such a document is certainly no Kubernetes
/// manifest and skipping it would silently drop a collection or graph.
/// Returns whether the document was reported (and so counts as ours).
fn misaddressed_document(reader: &mut Reader<'_>, root: &Node, api_version: Option<&Node>) -> bool {
    match misaddressed(root, api_version) {
        Some(problem) => {
            let diagnostic = problem.into_diagnostic(|pos| reader.location(pos));
            reader.diagnostics.push(diagnostic);
            true
        }
        None => false,
    }
}

/// Why a document's `apiVersion` makes it invalid, at `pos`: the rules
/// spec files and overlay patches share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiVersionProblem {
    pub code: &'static str,
    pub message: String,
    pub pos: Pos,
    pub hint: Option<String>,
}

impl ApiVersionProblem {
    /// The problem as a diagnostic, located by `location`.
    pub fn into_diagnostic(self, location: impl FnOnce(Pos) -> Location) -> Diagnostic {
        let mut diagnostic = Diagnostic::error(self.code, self.message, Some(location(self.pos)));
        diagnostic.hint = self.hint;
        diagnostic
    }
}

/// For a document whose `apiVersion` is not of our group: the problem when
/// it names one of our [`KINDS`] with a missing, non-string or near-miss
/// `apiVersion`; `None` when it is someone else's document.
pub(crate) fn misaddressed(root: &Node, api_version: Option<&Node>) -> Option<ApiVersionProblem> {
    let kind = root.get("kind").and_then(Node::as_str)?;
    if !KINDS.contains(&kind) {
        return None;
    }
    match api_version {
        None => Some(ApiVersionProblem {
            code: "missing-field",
            message: format!("the {kind} document is missing the required field `apiVersion`"),
            pos: root.pos,
            hint: Some(format!("add `apiVersion: {API_VERSION}`; without it the document would be skipped as someone else's")),
        }),
        Some(node) => match node.as_str() {
            None => Some(ApiVersionProblem {
                code: "wrong-type",
                message: format!(
                    "`apiVersion`: expected a string, found {}",
                    node.kind.describe()
                ),
                pos: node.pos,
                hint: None,
            }),
            Some(api_version) if nearest(api_version, &[API_VERSION]).is_some() => {
                Some(ApiVersionProblem {
                    code: "unsupported-api-version",
                    message: format!("unsupported apiVersion `{api_version}` for kind {kind}"),
                    pos: node.pos,
                    hint: Some(format!("did you mean `{API_VERSION}`?")),
                })
            }
            Some(_) => None,
        },
    }
}

/// For a document of our group: the problem when its version is not the
/// one this arangosync reads.
pub(crate) fn unsupported_version(api_version: &str, pos: Pos) -> Option<ApiVersionProblem> {
    (api_version != API_VERSION).then(|| ApiVersionProblem {
        code: "unsupported-api-version",
        message: format!("unsupported apiVersion `{api_version}`"),
        pos,
        hint: Some(format!("this version of arangosync reads `{API_VERSION}`")),
    })
}

/// `metadata.name` and `metadata.renamedFrom`, each with its position;
/// labels and annotations are allowed (Kustomize and Argo CD add them) and
/// ignored.
fn read_metadata(reader: &mut Reader<'_>, metadata: &Node) -> (NameAt, NameAt) {
    let Some(mut fields) = reader.fields(metadata, "`metadata`", METADATA_KEYS) else {
        return (None, None);
    };
    let name_node = fields.require(reader, "name");
    let renamed_node = fields.take("renamedFrom");
    fields.take("labels");
    fields.take("annotations");
    reader.finish(fields);
    let name = name_node.and_then(|node| {
        reader
            .string(node, "`metadata.name`")
            .map(|name| (name, node.pos))
    });
    let renamed_from = renamed_node.and_then(|node| {
        reader
            .string(node, "`metadata.renamedFrom`")
            .map(|old| (old, node.pos))
    });
    (name, renamed_from)
}

/// A name as written, and where.
type NameAt = Option<(String, Pos)>;

/// Records `metadata.renamedFrom` of a collection or graph; on any other
/// kind (arangosync renames only those two), or naming the resource's own
/// name, it is an error at the field. The first document of a name wins, as for the resource itself.
fn add_rename(
    loaded: &mut Loaded,
    reader: &mut Reader<'_>,
    kind: &str,
    name: Option<&(String, Pos)>,
    old_name: String,
    pos: Pos,
) {
    let renames = match kind {
        "ArangoCollection" => &mut loaded.state.renames.collections,
        "ArangoGraph" => &mut loaded.state.renames.graphs,
        "ArangoAnalyzer" | "ArangoView" => {
            reader.error_with_hint(
                "unsupported-field",
                format!("`metadata.renamedFrom` is not supported for kind {kind}"),
                pos,
                "only ArangoCollection and ArangoGraph documents can be renamed; remove the field",
            );
            return;
        }
        // An unknown kind is reported once, at `kind`.
        _ => return,
    };
    let Some((name, _)) = name else {
        return;
    };
    if *name == old_name {
        reader.error(
            "invalid-value",
            format!("`metadata.renamedFrom` is `{old_name}`, the resource's own name"),
            pos,
        );
        return;
    }
    // One object has one new name: a second spec renamed from the same old
    // name would be created empty while the plan claims it was renamed.
    if let Some((other, _)) = renames
        .iter()
        .find(|(other, old)| **old == old_name && *other != name)
    {
        reader.error_with_hint(
            "duplicate-rename",
            format!("`metadata.renamedFrom: {old_name}` is also the old name of `{other}`"),
            pos,
            "an object can be renamed to one name only; remove the field from one of the specs",
        );
        return;
    }
    renames.entry(name.clone()).or_insert(old_name);
}

/// The keys of the index mapping `node` that are neither a part of the
/// model index outside its options (`type`, `name`, `fields`), nor
/// `inBackground` (accepted and dropped), nor among the options of
/// `index` as read from it ([`IndexNotes::unread_options`]).
fn unread_options(node: &Node, index: &crate::model::Index) -> Box<[Box<str>]> {
    let NodeKind::Map(entries) = &node.kind else {
        return Box::default();
    };
    entries
        .iter()
        .map(|entry| entry.key.as_str())
        .filter(|key| !matches!(*key, "type" | "name" | "fields" | "inBackground"))
        .filter(|key| !index.options.contains_key(key))
        .map(Box::from)
        .collect()
}

/// Records the attributes of a collection's `spec` as [`record_attributes`]
/// does, except inside its indexes: `indexes` and each `indexes[n]` are
/// recorded, what is below them only in the index's own [`Origin`]
/// (`Sources::indexes`), where every check looks it up. An index's
/// attributes are most of a collection's, so they are not kept twice.
fn record_collection_attributes(
    reader: &Reader<'_>,
    spec: &Node,
    into: &mut BTreeMap<String, Location>,
) {
    let NodeKind::Map(entries) = &spec.kind else {
        record_attributes(reader, spec, "", into);
        return;
    };
    for entry in entries {
        if entry.key != "indexes" {
            record_attributes(reader, &entry.value, &entry.key, into);
            continue;
        }
        into.insert(entry.key.clone(), reader.location(entry.value.pos));
        if let NodeKind::Seq(items) = &entry.value.kind {
            for (position, item) in items.iter().enumerate() {
                into.insert(format!("indexes[{position}]"), reader.location(item.pos));
            }
        }
    }
}

/// Records the location of `node` under `path` and of everything inside it
/// (`a.b`, `a[0]`). Trees are at most `yaml::MAX_DEPTH` deep, so the
/// recursion is bounded.
fn record_attributes(
    reader: &Reader<'_>,
    node: &Node,
    path: &str,
    into: &mut BTreeMap<String, Location>,
) {
    if !path.is_empty() {
        into.insert(path.to_string(), reader.location(node.pos));
    }
    match &node.kind {
        NodeKind::Map(entries) => {
            for entry in entries {
                let child = if path.is_empty() {
                    entry.key.clone()
                } else {
                    format!("{path}.{}", entry.key)
                };
                record_attributes(reader, &entry.value, &child, into);
            }
        }
        NodeKind::Seq(items) => {
            for (position, item) in items.iter().enumerate() {
                record_attributes(reader, item, &format!("{path}[{position}]"), into);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    fn load_text(files: &[(&str, &str)]) -> (tempfile::TempDir, Loaded) {
        let temp = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = temp.path().join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        let loaded = load(temp.path());
        (temp, loaded)
    }

    fn rendered(temp: &tempfile::TempDir, loaded: &Loaded) -> Vec<String> {
        let prefix = format!("{}/", temp.path().display());
        loaded
            .diagnostics
            .0
            .iter()
            .map(|d| d.to_string().replace(&prefix, ""))
            .collect()
    }

    const USERS: &str =
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: users\n";

    #[test]
    fn index_attributes_are_kept_in_the_index_origin_only() {
        let (_temp, loaded) = load_text(&[(
            "users.yaml",
            "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: users\n\
             spec:\n  waitForSync: true\n  indexes:\n    - {type: persistent, fields: [a, b]}\n",
        )]);
        let collection = &loaded.sources.collections["users"];
        let keys: Vec<&str> = collection.attributes.keys().map(String::as_str).collect();
        assert_eq!(keys, ["indexes", "indexes[0]", "waitForSync"]);
        assert_eq!(
            (
                collection.attributes["indexes[0]"].line,
                collection.attributes["indexes[0]"].column
            ),
            (8, 7)
        );
        let index = &loaded.sources.indexes["users"][0];
        let keys: Vec<&str> = index.attributes.keys().map(String::as_str).collect();
        assert_eq!(keys, ["fields", "fields[0]", "fields[1]", "type"]);
        assert_eq!(
            (index.at("fields[1]").line, index.at("fields[1]").column),
            (8, 38)
        );
    }

    #[test]
    fn renamed_from_is_read_for_collections_and_graphs_and_an_error_elsewhere() {
        let (temp, loaded) = load_text(&[(
            "specs.yaml",
            "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: members\n  renamedFrom: people\n---\n\
             apiVersion: db.feature-store/v1alpha1\nkind: ArangoGraph\nmetadata: {name: network, renamedFrom: net}\n\
             spec: {edgeDefinitions: [{collection: knows, from: [members], to: [members]}]}\n---\n\
             apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata: {name: same, renamedFrom: same}\n---\n\
             apiVersion: db.feature-store/v1alpha1\nkind: ArangoView\nmetadata: {name: v, renamedFrom: w}\nspec: {type: arangosearch}\n",
        )]);
        assert_eq!(
            rendered(&temp, &loaded),
            [
                "specs.yaml:14:37: error[invalid-value]: `metadata.renamedFrom` is `same`, the resource's own name",
                "specs.yaml:18:34: error[unsupported-field]: `metadata.renamedFrom` is not supported for kind ArangoView\n  \
                 hint: only ArangoCollection and ArangoGraph documents can be renamed; remove the field",
            ]
        );
        let renames = &loaded.state.renames;
        assert_eq!(
            renames.collections,
            BTreeMap::from([("members".to_string(), "people".to_string())])
        );
        assert_eq!(
            renames.graphs,
            BTreeMap::from([("network".to_string(), "net".to_string())])
        );
    }

    #[test]
    fn foreign_documents_are_skipped_silently() {
        let (temp, loaded) = load_text(&[
            (
                "k8s.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n- a list\n---\nplain\n",
            ),
            ("none.yaml", "kind: Kustomization\nmetadata: {name: x}\n"),
            ("users.yaml", USERS),
        ]);
        assert_eq!(rendered(&temp, &loaded), Vec::<String>::new());
        assert_eq!(loaded.files, [temp.path().join("users.yaml")]);
        assert!(loaded.state.collections.contains_key("users"));
        assert_eq!(loaded.sources.collection("users").unwrap().line, 4);
    }

    #[test]
    fn unparsable_files_warn_unless_they_mention_the_api_group() {
        let (temp, loaded) = load_text(&[
            ("chart.yaml", "a: b: c\n"),
            (
                "spec.yaml",
                "apiVersion: db.feature-store/v1alpha1\nkind: [\n",
            ),
        ]);
        assert_eq!(
            rendered(&temp, &loaded),
            [
                "chart.yaml:1:5: warning[unparsable-yaml-skipped]: skipped a file that is not valid YAML \
                 (mapping values are not allowed in this context) and does not mention db.feature-store/\n  \
                 hint: this line is probably indented differently from the keys around it, or a value containing \
                 `: ` needs quotes",
                "spec.yaml:3:1: error[yaml-syntax]: invalid YAML: while parsing a node, did not find expected node \
                 content\n  hint: the `[` at line 2, column 7 is still open here; is a `]` missing?",
            ]
        );
    }

    #[test]
    fn non_utf8_files() {
        let temp = tempfile::tempdir().unwrap();
        fs::write(
            temp.path().join("a.yaml"),
            b"apiVersion: db.feature-store/v1alpha1\nx: \xff\n",
        )
        .unwrap();
        fs::write(temp.path().join("b.yaml"), b"a: \xfe\n").unwrap();
        let loaded = load(temp.path());
        assert_eq!(
            rendered(&temp, &loaded),
            [
                "a.yaml:2:4: error[not-utf8]: the file is not valid UTF-8\n  hint: save the file as UTF-8",
                "b.yaml:1:4: warning[unparsable-yaml-skipped]: skipped a file that is not valid UTF-8 and does not \
                 mention db.feature-store/",
            ]
        );
    }

    #[test]
    fn utf16_nul_bytes_and_empty_files() {
        let mut utf16 = vec![0xff, 0xfe];
        for unit in USERS.encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let at = |name: &str| PathBuf::from(name);
        let render = |loaded: Loaded| -> Vec<String> {
            loaded
                .diagnostics
                .0
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        assert_eq!(
            render(load_contents(&at("u.yaml"), utf16)),
            ["u.yaml:1:1: error[not-utf8]: the file is UTF-16 text, not UTF-8\n  hint: save the file as UTF-8"]
        );
        // yaml-rust2 stops at a NUL byte; what follows must not be lost silently.
        let loaded = load_contents(
            &at("n.yaml"),
            format!("{USERS}\0spec: {{bogus: 1}}\n").into_bytes(),
        );
        assert_eq!(loaded.diagnostics.0[0].code, "invalid-character");
        assert_eq!(loaded.diagnostics.0[0].location.as_ref().unwrap().line, 5);
        // A spec saved as UTF-16 without a byte order mark, or as UTF-32,
        // is still a spec: an error, never a skipped file.
        let utf16be: Vec<u8> = USERS.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let loaded = load_contents(&at("w.yaml"), utf16be);
        assert_eq!(loaded.diagnostics.0[0].code, "invalid-character");
        assert!(loaded.diagnostics.has_errors());
        let mut utf32le = vec![0xff, 0xfe, 0, 0];
        utf32le.extend(USERS.chars().flat_map(|c| u32::from(c).to_le_bytes()));
        let loaded = load_contents(&at("w.yaml"), utf32le);
        assert!(
            loaded.diagnostics.has_errors(),
            "{:?}",
            loaded.diagnostics.0
        );
        let loaded = load_contents(&at("n.yaml"), b"a: \x01\n".to_vec());
        assert_eq!(
            render(loaded),
            ["n.yaml:1:4: warning[unparsable-yaml-skipped]: skipped a file that contains the control character \
              U+0001 (not allowed in YAML) and does not mention db.feature-store/"]
        );
        assert_eq!(
            render(load_contents(&at("e.yaml"), b" \n\n".to_vec())),
            [
                "e.yaml:1:1: warning[empty-file]: the file is empty; it defines nothing\n  \
              hint: delete it, or check that its content was not lost"
            ]
        );
        assert!(load_contents(&at("c.yaml"), b"# only a comment\n".to_vec())
            .diagnostics
            .is_empty());
    }

    #[test]
    fn our_kinds_need_our_api_version() {
        let (temp, loaded) = load_text(&[(
            "a.yaml",
            "kind: ArangoCollection\nmetadata: {name: a}\n---\n\
             apiVersion: db.featurestore/v1alpha1\nkind: ArangoGraph\nmetadata: {name: g}\n---\n\
             apiVersion: 1\nkind: ArangoGraph\n---\n\
             apiVersion: example.com/v1\nkind: ArangoGraph\n",
        )]);
        assert!(loaded.state.collections.is_empty());
        assert_eq!(
            rendered(&temp, &loaded),
            [
                "a.yaml:1:1: error[missing-field]: the ArangoCollection document is missing the required field \
                 `apiVersion`\n  hint: add `apiVersion: db.feature-store/v1alpha1`; without it the document would \
                 be skipped as someone else's",
                "a.yaml:4:13: error[unsupported-api-version]: unsupported apiVersion `db.featurestore/v1alpha1` for \
                 kind ArangoGraph\n  hint: did you mean `db.feature-store/v1alpha1`?",
                "a.yaml:8:13: error[wrong-type]: `apiVersion`: expected a string, found an integer",
            ]
        );
    }

    #[test]
    fn problems_of_foreign_documents_are_ignored_but_ours_are_reported() {
        let (temp, loaded) = load_text(&[
            ("k8s.yaml", "apiVersion: v1\nkind: X\nkind: Y\n"),
            ("users.yaml", &format!("{USERS}  name: again\n")),
        ]);
        assert_eq!(
            rendered(&temp, &loaded),
            ["users.yaml:5:3: error[duplicate-key]: duplicate key `name`; it is already set at line 4\n  \
              hint: remove one of the two entries"]
        );
    }

    #[test]
    fn api_versions_and_kinds() {
        let (temp, loaded) = load_text(&[(
            "a.yaml",
            "apiVersion: db.feature-store/v1\nkind: ArangoCollection\nmetadata: {name: a}\n---\n\
             apiVersion: db.feature-store/v1alpha1\nkind: ArangoColection\nmetadata: {name: b}\n---\n\
             apiVersion: db.feature-store/v1alpha1\nmetadata: {name: c, namespace: x}\n",
        )]);
        assert!(loaded.state.collections.is_empty());
        assert_eq!(
            rendered(&temp, &loaded),
            [
                "a.yaml:1:13: error[unsupported-api-version]: unsupported apiVersion `db.feature-store/v1`\n  \
                 hint: this version of arangosync reads `db.feature-store/v1alpha1`",
                "a.yaml:6:7: error[unknown-kind]: unknown kind `ArangoColection`\n  hint: did you mean `ArangoCollection`?",
                "a.yaml:9:1: error[missing-field]: the document is missing the required field `kind`",
                "a.yaml:10:21: error[unknown-field]: unknown field `namespace` in `metadata`\n  \
                 hint: expected one of: name, renamedFrom, labels, annotations",
            ]
        );
    }

    #[test]
    fn duplicates_keep_the_first_definition() {
        let (_temp, loaded) = load_text(&[
            ("a.yaml", &format!("{USERS}spec: {{type: edge}}\n")),
            ("b.yaml", USERS),
        ]);
        assert_eq!(
            loaded.state.collections["users"].collection_type,
            crate::model::CollectionType::Edge
        );
        assert_eq!(loaded.sources.duplicates.len(), 1);
        assert!(loaded.sources.duplicates[0]
            .location
            .file
            .ends_with("b.yaml"));
    }

    /// The loader will be fuzzed; until then, thousands of deterministic
    /// mutations of the fixture files must not make it (or `validate`) panic.
    #[test]
    fn mutated_fixtures_never_panic() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/specs");
        let found = walk::walk(&fixtures);
        assert!(found.yaml.len() > 20);
        // MUTATION_ROUNDS=20000 for a longer hunt.
        let rounds: usize = std::env::var("MUTATION_ROUNDS")
            .ok()
            .and_then(|rounds| rounds.parse().ok())
            .unwrap_or(150);
        const NOISE: &[u8] = b"[]{}:,-&*!|>'\"#?%@`\n \t<=~0.9eE_\xff";
        let mut seed: u64 = 0x5eed;
        let mut random = move |bound: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % bound.max(1)
        };
        for path in &found.yaml {
            let original = fs::read(path).unwrap();
            for _ in 0..rounds {
                let mut bytes = original.clone();
                for _ in 0..1 + random(4) {
                    let at = random(bytes.len() + 1);
                    match random(3) {
                        0 => bytes.insert(at, NOISE[random(NOISE.len())]),
                        1 if at < bytes.len() => {
                            let end = (at + 1 + random(12)).min(bytes.len());
                            bytes.drain(at..end);
                        }
                        _ => {
                            let end = (at + random(40)).min(bytes.len());
                            let copy: Vec<u8> = bytes[at..end].to_vec();
                            let to = random(bytes.len() + 1);
                            bytes.splice(to..to, copy);
                        }
                    }
                }
                let mut loaded = Loaded::default();
                load_bytes(&mut loaded, path, bytes);
                let _ = crate::validate::validate(&loaded);
            }
        }
    }

    #[test]
    fn attribute_locations_are_recorded_only_for_the_files_asked_and_change_nothing_else() {
        let (temp, every) = load_text(&[
            (
                "a.yaml",
                &format!(
                    "{USERS}spec:\n  keyOptions: {{type: uuid}}\n  indexes:\n    - {{type: hash, fields: [a]}}\n    \
                     - {{type: ttl, fields: [t], expireAfter: soon, inBackground: true}}\n"
                ),
            ),
            (
                "b.yaml",
                "apiVersion: db.feature-store/v1alpha1\nkind: ArangoGraph\nmetadata: {name: g}\n\
                 spec: {edgeDefinitions: [{collection: e, from: [users], to: [users]}]}\n---\n\
                 apiVersion: db.feature-store/v1alpha1\nkind: ArangoAnalyzer\nmetadata: {name: n}\n\
                 spec: {type: norm, properties: {locale: en}}\n---\n\
                 apiVersion: db.feature-store/v1alpha1\nkind: ArangoView\nmetadata: {name: v}\n\
                 spec: {type: arangosearch, links: {users: {includeAllFields: true}}}\n",
            ),
        ]);
        let load_with =
            |attributes: AttributeLocations| load_recording(temp.path(), None, true, &attributes);
        let none = load_with(AttributeLocations::None);
        let only_b = load_with(AttributeLocations::Files(BTreeSet::from([temp
            .path()
            .join("b.yaml")])));
        let origins = |sources: &Sources| -> Vec<Origin> {
            let mut origins: Vec<Origin> = sources.collections.values().cloned().collect();
            origins.extend(sources.indexes.values().flatten().cloned());
            origins.extend(sources.graphs.values().cloned());
            origins.extend(sources.analyzers.values().cloned());
            origins.extend(sources.views.values().cloned());
            origins
        };
        let without_attributes = |sources: &Sources| -> Vec<Origin> {
            origins(sources)
                .into_iter()
                .map(|origin| Origin {
                    attributes: BTreeMap::new(),
                    ..origin
                })
                .collect()
        };
        assert_eq!(origins(&every.sources).len(), 6);
        for lean in [&none, &only_b] {
            assert_eq!(lean.state, every.state);
            assert_eq!(lean.diagnostics, every.diagnostics);
            assert_eq!(lean.files, every.files);
            assert_eq!(lean.sources.duplicates, every.sources.duplicates);
            assert_eq!(
                without_attributes(&lean.sources),
                without_attributes(&every.sources)
            );
        }
        assert!(origins(&none.sources)
            .iter()
            .all(|origin| origin.attributes.is_empty()));
        assert!(origins(&every.sources)
            .iter()
            .all(|origin| !origin.attributes.is_empty()));
        assert!(only_b.sources.collections["users"].attributes.is_empty());
        assert!(only_b.sources.indexes["users"][1].attributes.is_empty());
        for (lean, full) in [
            (&only_b.sources.graphs["g"], &every.sources.graphs["g"]),
            (
                &only_b.sources.analyzers["n"],
                &every.sources.analyzers["n"],
            ),
            (&only_b.sources.views["v"], &every.sources.views["v"]),
        ] {
            assert_eq!(lean, full);
        }
        let indexes = &none.sources.indexes["users"];
        assert_eq!(indexes[0].written_type(), Some("hash"));
        assert!(!indexes[0].writes_unread("fields"));
        assert_eq!(indexes[1].written_type(), None);
        assert_eq!(
            indexes[1].index.as_deref(),
            Some(&IndexNotes {
                written_type: None,
                unread_options: Box::new([Box::from("expireAfter")]),
            })
        );
        assert!(indexes[1].writes_unread("expireAfter"));
        assert_eq!(none.sources.collections["users"].index, None);
        assert_eq!(std::mem::size_of::<Origin>(), 64);
        assert!(!indexes[1].writes_unread("inBackground"));
    }

    #[test]
    fn attribute_locations() {
        let (_temp, loaded) = load_text(&[(
            "users.yaml",
            &format!(
                "{USERS}spec:\n  keyOptions: {{type: uuid}}\n  indexes:\n    - type: persistent\n      fields: [a, b]\n"
            ),
        )]);
        let origin = &loaded.sources.collections["users"];
        assert_eq!(origin.at("keyOptions.type").line, 6);
        assert_eq!(origin.at("keyOptions.type").column, 22);
        assert_eq!(origin.at("no.such.path"), &origin.location);
        let index = loaded.sources.index_origin("users", 0).unwrap();
        assert_eq!((index.location.line, index.location.column), (8, 7));
        assert_eq!(
            (index.at("fields[1]").line, index.at("fields[1]").column),
            (9, 19)
        );
    }
}
