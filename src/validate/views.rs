//! Views: names in the namespace collections share, and references to what
//! the specs declare — linked collections, the inverted indexes of a
//! `search-alias` view, the analyzers of `arangosearch` links.
//!
//! Rules (ArangoDB 3.12 view references; 1207 for a name a collection
//! holds):
//! * A view name follows the collection naming rules and is not the name
//!   of a collection in the specs (views and collections share one
//!   namespace).
//! * Every linked collection is declared by a spec: a link to a collection
//!   that does not exist is refused (1203), and a collection arangosync
//!   does not manage could vanish under the view.
//! * A `search-alias` entry names an inverted index, by name, that the
//!   collection's spec defines; each entry appears once.
//! * An analyzer a link names is built in or defined by the specs
//!   ([`defined_analyzers`]); otherwise it must already exist in the
//!   database, which the plan checks (a warning here).

use std::collections::BTreeSet;

use super::{at, first_at, Report};
use crate::model::{State, View};
use crate::spec::Origin;

/// The analyzers the specs define (`ArangoAnalyzer`), by bare name.
pub fn defined_analyzers(state: &State) -> BTreeSet<String> {
    state.analyzers.keys().cloned().collect()
}

/// Every analyzer a link (or a field of it, any depth) names, with the
/// attribute path of its `analyzers` list, in link order.
fn analyzer_paths(link: &serde_json::Value, path: &str, into: &mut Vec<(String, String)>) {
    for name in link["analyzers"].as_array().into_iter().flatten() {
        if let Some(name) = name.as_str() {
            into.push((name.to_string(), format!("{path}.analyzers")));
        }
    }
    for key in ["fields", "nested"] {
        for (field, value) in link[key].as_object().into_iter().flatten() {
            analyzer_paths(value, &format!("{path}.{key}.{field}"), into);
        }
    }
}

pub fn check(view: &View, origin: Option<&Origin>, state: &State, report: &mut Report) {
    let name = &view.name;
    let location = origin.map(|origin| &origin.location);
    if let Some(problem) =
        super::names::traditional_name_problem(name, super::names::MAX_VIEW_NAME_BYTES)
    {
        report.error(
            "invalid-view-name",
            format!("view name `{}` is invalid: {problem}", name.escape_debug()),
            location,
            Some("view names follow the collection rules: a letter first, then letters, digits, `_` or `-`".into()),
        );
    }
    if state.collections.contains_key(name) {
        report.error(
            "view-collection-name-clash",
            format!("view `{name}` has the name of a collection the specs declare; views and collections share one namespace"),
            location,
            Some("rename the view or the collection".into()),
        );
    }
    for collection in view.links.keys() {
        if !state.collections.contains_key(collection) {
            report.error(
                "undeclared-collection",
                format!("view `{name}` links `{collection}`, but no spec declares that collection"),
                at(origin, &format!("links.{collection}")),
                Some(format!(
                    "add an ArangoCollection spec for `{collection}`, or fix the name"
                )),
            );
        }
    }
    let defined = defined_analyzers(state);
    let mut named = Vec::new();
    for (collection, link) in &view.links {
        analyzer_paths(link, &format!("links.{collection}"), &mut named);
    }
    let mut warned = BTreeSet::new();
    for (analyzer, path) in named {
        let short = analyzer.rsplit("::").next().unwrap_or(&analyzer);
        if crate::model::is_builtin_analyzer(&analyzer)
            || defined.contains(short)
            || !warned.insert(analyzer.clone())
        {
            continue;
        }
        report.warning(
            "analyzer-not-in-specs",
            format!("view `{name}` uses analyzer `{analyzer}`, which is not built in and no spec defines"),
            at(origin, &path),
            Some("it must already exist in the database (the plan checks); define it in an ArangoAnalyzer spec to manage it".into()),
        );
    }
    for (position, entry) in view.indexes.iter().enumerate() {
        let entry_at = at(origin, &format!("indexes[{position}]"));
        if let Some(first) = view.indexes[..position]
            .iter()
            .position(|other| other == entry)
        {
            report.error(
                "duplicate-view-index",
                format!(
                    "view `{name}` lists index {}/{} twice{}",
                    entry.collection,
                    entry.index,
                    first_at(at(origin, &format!("indexes[{first}]")))
                ),
                entry_at,
                Some("list each inverted index once".into()),
            );
            continue;
        }
        let Some(collection) = state.collections.get(&entry.collection) else {
            report.error(
                "undeclared-collection",
                format!(
                    "view `{name}` uses an index of `{}`, but no spec declares that collection",
                    entry.collection
                ),
                at(origin, &format!("indexes[{position}].collection")),
                Some(format!(
                    "add an ArangoCollection spec for `{}`, or fix the name",
                    entry.collection
                )),
            );
            continue;
        };
        let index = collection
            .indexes
            .iter()
            .find(|index| index.name.as_deref() == Some(entry.index.as_str()));
        match index {
            Some(index) if index.index_type == "inverted" => {}
            Some(index) => report.error(
                "not-an-inverted-index",
                format!(
                    "view `{name}` uses index `{}` of `{}`, but it is a {} index; search-alias views take inverted indexes only",
                    entry.index, entry.collection, index.index_type
                ),
                at(origin, &format!("indexes[{position}].index")),
                None,
            ),
            None => {
                let names: Vec<&str> = collection
                    .indexes
                    .iter()
                    .filter(|index| index.index_type == "inverted")
                    .filter_map(|index| index.name.as_deref())
                    .collect();
                report.error(
                    "unknown-view-index",
                    format!(
                        "view `{name}` uses index `{}` of `{}`, but that collection's spec defines no inverted index of that name",
                        entry.index, entry.collection
                    ),
                    at(origin, &format!("indexes[{position}].index")),
                    Some(if names.is_empty() {
                        format!("add an inverted index with `name: {}` to `{}`", entry.index, entry.collection)
                    } else {
                        crate::spec::suggestion(&entry.index, &names)
                    }),
                );
            }
        }
    }
}
