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
//!   unit tests alike.
//! * Every problem is reported, sorted by location; a check never stops at
//!   the first finding.
//! * Locations come from [`crate::spec::Sources`]; a resource without a
//!   source (a state built in code) gets diagnostics without a location.
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

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::spec::{Loaded, Origin};

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
