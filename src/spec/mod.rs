//! Loading a directory of spec files into the desired [`model::State`].
//!
//! `load` walks `--dir` ([`walk`]), parses each YAML file into a node tree
//! with positions ([`yaml`]), and reads every `db.feature-store/*` document
//! into the model ([`collection`], [`graph`], [`index`]) through a reader
//! that reports unknown fields and wrong types ([`reader`]).
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
//!   root holds Kubernetes manifests and Argo CD applications too. A file
//!   that does not parse is an error only if its text mentions
//!   `db.feature-store/`, otherwise a warning.
//! * The first definition of a collection or graph name is the one in the
//!   state; later ones are listed in [`Sources::duplicates`] for `validate`.
//! * Locations name files by the path walked (`dir` joined with the relative
//!   path), never the canonical target of a symlink, so a ConfigMap volume
//!   shows `users.yaml`, not `..2026_.../users.yaml`.
//! * Diagnostics are sorted by location. Nothing here panics on any input.

mod collection;
mod graph;
mod index;
mod reader;
mod walk;
pub mod yaml;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::model::State;

pub use index::INDEX_TYPES;
use reader::Reader;
pub use reader::{nearest, suggestion};
use yaml::{Node, NodeKind, Pos};

/// The group every spec `apiVersion` starts with.
pub const API_GROUP: &str = "db.feature-store/";
/// The only version this build reads.
pub const API_VERSION: &str = "db.feature-store/v1alpha1";
pub const KINDS: &[&str] = &["ArangoCollection", "ArangoGraph"];

const DOCUMENT_KEYS: &[&str] = &["apiVersion", "kind", "metadata", "spec"];
const METADATA_KEYS: &[&str] = &["name", "labels", "annotations"];

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
}

/// Where each resource of [`Loaded::state`] is written.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Sources {
    pub collections: BTreeMap<String, Origin>,
    /// Per collection, parallel to `Collection::indexes`.
    pub indexes: BTreeMap<String, Vec<Origin>>,
    pub graphs: BTreeMap<String, Origin>,
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
    pub attributes: BTreeMap<String, Location>,
}

impl Origin {
    fn new(location: Location) -> Origin {
        Origin {
            location,
            attributes: BTreeMap::new(),
        }
    }

    /// The location of `path`, or of the resource when the path was not written.
    pub fn at(&self, path: &str) -> &Location {
        self.attributes.get(path).unwrap_or(&self.location)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ResourceKind {
    Collection,
    Graph,
}

impl ResourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Collection => "collection",
            ResourceKind::Graph => "graph",
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
    let found = walk::walk(dir);
    let mut loaded = Loaded {
        transformations: found.aql,
        diagnostics: found.diagnostics,
        ..Loaded::default()
    };
    for path in &found.yaml {
        load_file(&mut loaded, path);
    }
    loaded.diagnostics.sort();
    loaded
}

fn mentions_api_group(text: &str) -> bool {
    text.contains(API_GROUP)
}

fn load_file(loaded: &mut Loaded, path: &Path) {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            loaded.diagnostics.push(Diagnostic::error(
                "unreadable-file",
                format!("cannot read `{}`: {error}", path.display()),
                None,
            ));
            return;
        }
    };
    load_bytes(loaded, path, bytes);
}

/// Loads the content of one YAML file; `path` only names it.
fn load_bytes(loaded: &mut Loaded, path: &Path, bytes: Vec<u8>) {
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let valid_up_to = error.utf8_error().valid_up_to();
            let valid = error.as_bytes().get(..valid_up_to).unwrap_or_default();
            let location = Some(end_location(path, valid));
            let lossy = String::from_utf8_lossy(error.as_bytes());
            let diagnostic = if mentions_api_group(&lossy) {
                loaded.files.push(path.to_path_buf());
                Diagnostic::error("not-utf8", "the file is not valid UTF-8", location)
                    .with_hint("save the file as UTF-8")
            } else {
                Diagnostic::warning(
                    "unparsable-yaml-skipped",
                    "skipped a file that is not valid UTF-8 and does not mention db.feature-store/",
                    location,
                )
            };
            loaded.diagnostics.push(diagnostic);
            return;
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);

    let documents = match yaml::parse(text) {
        Ok(documents) => documents,
        Err(error) => {
            let location = Some(Location {
                file: path.to_path_buf(),
                line: error.pos.line,
                column: error.pos.column,
            });
            let diagnostic = if mentions_api_group(text) {
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
            loaded.diagnostics.push(diagnostic);
            return;
        }
    };

    let mut reader = Reader::new(path);
    let mut is_spec_file = false;
    for document in &documents {
        is_spec_file |= load_document(loaded, &mut reader, document);
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
        file: path.to_path_buf(),
        line,
        column,
    }
}

/// Reads one document if it is ours; returns whether it was.
fn load_document(loaded: &mut Loaded, reader: &mut Reader<'_>, document: &yaml::Document) -> bool {
    let root = &document.root;
    let Some(api_version_node) = root.get("apiVersion") else {
        return false;
    };
    let Some(api_version) = api_version_node.as_str() else {
        return false;
    };
    if !api_version.starts_with(API_GROUP) {
        return false;
    }
    for problem in &document.problems {
        let mut diagnostic = Diagnostic::error(
            problem.code,
            problem.message.clone(),
            Some(reader.location(problem.pos)),
        );
        diagnostic.hint = problem.hint.clone();
        reader.diagnostics.push(diagnostic);
    }
    if api_version != API_VERSION {
        reader.error_with_hint(
            "unsupported-api-version",
            format!("unsupported apiVersion `{api_version}`"),
            api_version_node.pos,
            format!("this version of arangosync reads `{API_VERSION}`"),
        );
        return true;
    }

    let Some(mut fields) = reader.fields(root, "the document", DOCUMENT_KEYS) else {
        return true;
    };
    fields.take("apiVersion");
    let kind_node = fields.require(reader, "kind");
    let kind = kind_node.and_then(|node| reader.string(node, "`kind`"));
    let name = fields
        .require(reader, "metadata")
        .and_then(|metadata| read_metadata(reader, metadata));
    let spec = fields.take("spec");
    reader.finish(fields);

    let (Some(kind), Some(kind_node)) = (kind, kind_node) else {
        return true;
    };
    match kind.as_str() {
        "ArangoCollection" => add_collection(loaded, reader, name, spec),
        "ArangoGraph" => add_graph(loaded, reader, name, spec, root.pos),
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
) {
    let name_text = name.as_ref().map_or("", |(name, _)| name.as_str());
    let read = collection::read(reader, name_text, spec);
    let Some((name, name_pos)) = name else {
        return;
    };
    let location = reader.location(name_pos);
    if loaded.state.collections.contains_key(&name) {
        loaded.sources.duplicates.push(Duplicate {
            kind: ResourceKind::Collection,
            name,
            location,
        });
        return;
    }
    let mut origin = Origin::new(location);
    if let Some(spec) = spec {
        record_attributes(reader, spec, "", &mut origin.attributes);
    }
    let index_origins = read
        .index_nodes
        .iter()
        .map(|node| {
            let mut origin = Origin::new(reader.location(node.pos));
            record_attributes(reader, node, "", &mut origin.attributes);
            origin
        })
        .collect();
    loaded.sources.collections.insert(name.clone(), origin);
    loaded.sources.indexes.insert(name.clone(), index_origins);
    loaded.state.collections.insert(name, read.collection);
}

/// Reads an `ArangoGraph` spec and adds it to the state unless its name is
/// missing or taken.
fn add_graph(
    loaded: &mut Loaded,
    reader: &mut Reader<'_>,
    name: Option<(String, Pos)>,
    spec: Option<&Node>,
    document_pos: Pos,
) {
    let Some(spec) = spec else {
        reader.error(
            "missing-field",
            "the ArangoGraph document is missing the required field `spec`",
            document_pos,
        );
        return;
    };
    let name_text = name.as_ref().map_or("", |(name, _)| name.as_str());
    let read = graph::read(reader, name_text, spec);
    let Some((name, name_pos)) = name else {
        return;
    };
    let location = reader.location(name_pos);
    if loaded.state.graphs.contains_key(&name) {
        loaded.sources.duplicates.push(Duplicate {
            kind: ResourceKind::Graph,
            name,
            location,
        });
        return;
    }
    let origin = Origin {
        location,
        attributes: read.attributes,
    };
    loaded.sources.graphs.insert(name.clone(), origin);
    loaded.state.graphs.insert(name, read.graph);
}

/// `metadata.name` and its position; labels and annotations are allowed
/// (Kustomize and Argo CD add them) and ignored.
fn read_metadata(reader: &mut Reader<'_>, metadata: &Node) -> Option<(String, Pos)> {
    let mut fields = reader.fields(metadata, "`metadata`", METADATA_KEYS)?;
    let name_node = fields.require(reader, "name");
    fields.take("labels");
    fields.take("annotations");
    reader.finish(fields);
    let name_node = name_node?;
    let name = reader.string(name_node, "`metadata.name`")?;
    Some((name, name_node.pos))
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
    fn foreign_documents_are_skipped_silently() {
        let (temp, loaded) = load_text(&[
            (
                "k8s.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n- a list\n---\nplain\n",
            ),
            ("none.yaml", "kind: ArangoCollection\nmetadata: {name: x}\n"),
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
                 (mapping values are not allowed in this context) and does not mention db.feature-store/",
                "spec.yaml:3:1: error[yaml-syntax]: invalid YAML: while parsing a node, did not find expected node content",
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
                 hint: expected one of: name, labels, annotations",
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
