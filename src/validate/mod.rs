//! Checks on the meaning of a loaded spec tree, before anything touches a
//! server.
//!
//! `spec::load` has already reported everything about the *shape* of the
//! files (syntax, unknown fields, wrong types). What is left is what a
//! server would reject, or would silently store differently from the spec:
//! names, duplicates across files, contradictory index options, schema
//! rules, computed value expressions, graph references and analyzers
//! (built-in names, required properties, features). Each rule has its
//! own module and a stable kebab-case code.
//!
//! Invariants:
//! * Pure: reads only the [`Loaded`] value, no I/O, so it runs offline and in
//!   unit tests alike ([`load_and_validate`] reads files only through the
//!   loader it is given).
//! * Every problem is reported, sorted by location; a check never stops at
//!   the first finding.
//! * Locations come from [`crate::spec::Sources`]; a resource without a
//!   source (a state built in code) gets diagnostics without a location,
//!   and an attribute whose location was not recorded gets its resource's.
//!   Nothing is decided from whether a location was recorded, so
//!   [`load_and_validate`] can load without them first.
//! * Naming follows ArangoDB's *traditional* rules, which 3.11 (extended
//!   names off by default) and 3.12 (on by default) both accept, so a spec
//!   tree that validates works on either.

mod analyzers;
mod collections;
mod graphs;
mod indexes;
mod names;
mod renames;
mod versions;
mod views;

pub use names::{check_database, spec_name_problem, SpecName};
pub use views::defined_analyzers;

#[cfg(test)]
mod fixture_tests;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::spec::{AttributeLocations, Loaded, Origin};

/// Codes whose message quotes the location of an attribute of another
/// resource, possibly in another file than the diagnostic's own location
/// (`graphs::check_across_graphs`).
const QUOTES_OTHER_FILES: &[&str] = &["conflicting-edge-definition"];

/// Loads a tree with `load` and validates it ([`validate_for`]), with the
/// attribute locations ([`crate::spec::Origin::attributes`]) only where a
/// diagnostic shows one: `load` is called once without them and, only when
/// validation found something, once more recording those of the files its
/// diagnostics name (or of all files, when a diagnostic has no location, is
/// in an overlay file, or quotes another resource's location), then
/// validated again. The diagnostics are exactly those of a load recording
/// every location, since nothing here is decided from them; a valid tree
/// is loaded once and keeps no attribute location.
///
/// `load` does the I/O (`spec::load_recording` of one tree); it is called
/// again rather than the first load patched, so the result is one load's.
/// Returns the load and the validation diagnostics (the load's own are in
/// `Loaded::diagnostics`).
pub fn load_and_validate(
    target: Option<&crate::server::Server>,
    mut load: impl FnMut(&AttributeLocations) -> Loaded,
) -> (Loaded, Diagnostics) {
    let loaded = load(&AttributeLocations::None);
    let found = validate_for(&loaded, target);
    if found.is_empty() {
        return (loaded, found);
    }
    let record = files_to_locate(&loaded, &found);
    drop(loaded);
    let loaded = load(&record);
    let found = validate_for(&loaded, target);
    (loaded, found)
}

/// The spec files whose attribute locations `diagnostics` (of `loaded`,
/// loaded without them) need: the file of each diagnostic's location,
/// which is its resource's; every file when that does not hold.
fn files_to_locate(loaded: &Loaded, diagnostics: &Diagnostics) -> AttributeLocations {
    let spec_files: BTreeSet<&Path> = loaded.files.iter().map(PathBuf::as_path).collect();
    let mut files = BTreeSet::new();
    for diagnostic in &diagnostics.0 {
        let Some(location) = &diagnostic.location else {
            return AttributeLocations::All;
        };
        let file: &Path = &location.file;
        if QUOTES_OTHER_FILES.contains(&diagnostic.code) || !spec_files.contains(file) {
            return AttributeLocations::All;
        }
        files.insert(file.to_path_buf());
    }
    AttributeLocations::Files(files)
}

/// Every problem with the meaning of `loaded`, sorted by location.
pub fn validate(loaded: &Loaded) -> Diagnostics {
    validate_for(loaded, None)
}

/// Like [`validate`], and with a `target` (`--target-version`) also what
/// that server version cannot hold ([`versions`]).
pub fn validate_for(loaded: &Loaded, target: Option<&crate::server::Server>) -> Diagnostics {
    let mut report = Report::default();
    if let Some(target) = target {
        versions::check(loaded, target, &mut report);
    }
    duplicates(loaded, &mut report);
    renames::check(loaded, &mut report);
    for (name, collection) in &loaded.state.collections {
        let origin = loaded.sources.collections.get(name);
        names::check_collection(name, origin, &mut report);
        collections::check(collection, origin, &loaded.state, &mut report);
        let index_origins = loaded
            .sources
            .indexes
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or_default();
        indexes::check(collection, index_origins, &mut report);
    }
    for (name, graph) in &loaded.state.graphs {
        let origin = loaded.sources.graphs.get(name);
        names::check_graph(name, origin, &mut report);
        graphs::check(graph, origin, &loaded.state, &mut report);
    }
    graphs::check_across_graphs(&loaded.state, &loaded.sources, &mut report);
    for (name, analyzer) in &loaded.state.analyzers {
        analyzers::check(analyzer, loaded.sources.analyzers.get(name), &mut report);
    }
    for (name, view) in &loaded.state.views {
        views::check(
            view,
            loaded.sources.views.get(name),
            &loaded.state,
            &mut report,
        );
    }
    let mut diagnostics = report.diagnostics;
    diagnostics.sort();
    diagnostics
}

/// Collects diagnostics; the small helpers keep each rule to one statement.
#[derive(Default)]
struct Report {
    diagnostics: Diagnostics,
}

impl Report {
    fn error(
        &mut self,
        code: &'static str,
        message: String,
        location: Option<&Location>,
        hint: Option<String>,
    ) {
        let mut diagnostic = Diagnostic::error(code, message, location.cloned());
        diagnostic.hint = hint;
        self.diagnostics.push(diagnostic);
    }

    fn warning(
        &mut self,
        code: &'static str,
        message: String,
        location: Option<&Location>,
        hint: Option<String>,
    ) {
        let mut diagnostic = Diagnostic::warning(code, message, location.cloned());
        diagnostic.hint = hint;
        self.diagnostics.push(diagnostic);
    }
}

/// The location of `path` inside a resource, if the resource has a source.
fn at<'a>(origin: Option<&'a Origin>, path: &str) -> Option<&'a Location> {
    origin.map(|origin| origin.at(path))
}

/// " (first defined at file:line:col)" when the first location is known.
/// A check that quotes an attribute location of another resource this way
/// lists its code in [`QUOTES_OTHER_FILES`].
fn first_at(location: Option<&Location>) -> String {
    location
        .map(|location| format!(" (first defined at {location})"))
        .unwrap_or_default()
}

fn duplicates(loaded: &Loaded, report: &mut Report) {
    for duplicate in &loaded.sources.duplicates {
        let kind = duplicate.kind.as_str();
        let (first, code) = match duplicate.kind {
            crate::spec::ResourceKind::Collection => (
                loaded.sources.collection(&duplicate.name),
                "duplicate-collection",
            ),
            crate::spec::ResourceKind::Graph => {
                (loaded.sources.graph(&duplicate.name), "duplicate-graph")
            }
            crate::spec::ResourceKind::Analyzer => (
                loaded.sources.analyzer(&duplicate.name),
                "duplicate-analyzer",
            ),
            crate::spec::ResourceKind::View => {
                (loaded.sources.view(&duplicate.name), "duplicate-view")
            }
        };
        report.error(
            code,
            format!(
                "{kind} `{}` is defined more than once{}",
                duplicate.name,
                first_at(first)
            ),
            Some(&duplicate.location),
            Some(format!(
                "keep one definition of `{}`, or rename one of them",
                duplicate.name
            )),
        );
    }
}
