//! A registry entry's lineage as `features show` prints it: one line each
//! for what the feature reads, filters on, traverses and writes, every
//! list sorted so the output is stable.
//!
//! ```text
//! reads        users (_key, email), user_sessions [edge] (_from, started_at)
//! filters on   users (_key), user_sessions (started_at)
//! graphs       -
//! writes       -
//! ```
//!
//! On the `reads` line, a source that is not a plain document collection
//! carries its kind in brackets (`[edge]`, `[view]`, `[parameter]` for a collection bind
//! parameter, `[unknown]` for a name no spec declared when the entry was
//! written). What a traversal reaches is named by how it is reached:
//! `vertices of graph interactions`, `edges of graph interactions`,
//! `vertices reached over user_sessions`. A source whose whole documents are read (`RETURN u`, the
//! parser's path `*`) shows `(whole documents)` instead of paths.

use std::collections::{BTreeMap, BTreeSet};

use aql_lexer::lineage::{source_key, SourceKey};

use crate::model::{FeatureLineage, SourceKind};

/// Width of the label column, as the rest of `features show` aligns it.
const LABEL_WIDTH: usize = 12;

/// The lineage lines of a registry entry whose stored `lineage` is
/// `stored` (`None`: the entry has none).
pub fn lineage_text(stored: Option<&FeatureLineage>) -> String {
    let Some(lineage) = stored else {
        return format!(
            "{:<LABEL_WIDTH$} not recorded (the entry was written by an arangosync that did not record lineage; an apply records it)\n",
            "reads"
        );
    };
    let rows = [
        ("reads", per_source(lineage, &lineage.attributes, true)),
        ("filters on", per_source(lineage, &lineage.filtered, false)),
        ("graphs", list(&lineage.graphs)),
        ("writes", list(&lineage.written)),
    ];
    let mut text: String = rows
        .iter()
        .map(|(label, value)| format!("{label:<LABEL_WIDTH$} {value}\n"))
        .collect();
    if lineage.truncated {
        text.push_str(&format!(
            "{:<LABEL_WIDTH$} incomplete: part of the query is nested deeper than arangosync follows\n",
            "lineage"
        ));
    }
    text
}

/// `users (_key, email), sessions [edge] (timestamp)`: each source with
/// its kind and paths; with `every_source`, sources without paths too.
fn per_source(
    lineage: &FeatureLineage,
    paths: &BTreeMap<String, BTreeSet<String>>,
    every_source: bool,
) -> String {
    let mut names: BTreeSet<&String> = paths.keys().collect();
    if every_source {
        names.extend(lineage.sources.keys());
    }
    // Sources first, then what traversals reach.
    let mut names: Vec<&String> = names.into_iter().collect();
    names.sort_by_key(|name| (!matches!(source_key(name), SourceKey::Source(_)), *name));
    let items: Vec<String> = names
        .into_iter()
        .map(|name| {
            // What a graph or traversal reaches is recorded under a key
            // of its own (`graph:interactions/vertices`), not a source.
            let reached = match source_key(name) {
                SourceKey::GraphVertices(graph) => Some(format!("vertices of graph {graph}")),
                SourceKey::GraphEdges(graph) => Some(format!("edges of graph {graph}")),
                SourceKey::TraversalVertices(edges) => {
                    Some(format!("vertices reached over {edges}"))
                }
                SourceKey::Source(_) => None,
            };
            let mut item = reached.clone().unwrap_or_else(|| name.clone());
            // Kinds once, on the `reads` line.
            match lineage.sources.get(name) {
                _ if !every_source || reached.is_some() => {}
                Some(SourceKind::Collection) => {}
                Some(kind) => item.push_str(&format!(" [{}]", kind.as_str())),
                None => item.push_str(" [unknown]"),
            }
            let read: Vec<&str> = paths
                .get(name)
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect();
            // The whole document covers every path.
            if read.contains(&aql_lexer::lineage::WHOLE) {
                item.push_str(" (whole documents)");
            } else if !read.is_empty() {
                item.push_str(&format!(" ({})", read.join(", ")));
            }
            item
        })
        .collect();
    if items.is_empty() {
        "-".to_string()
    } else {
        items.join(", ")
    }
}

fn list(names: &BTreeSet<String>) -> String {
    if names.is_empty() {
        "-".to_string()
    } else {
        names.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_with_kinds_and_paths_one_line_per_use() {
        let mut lineage = FeatureLineage::default();
        lineage
            .sources
            .insert("users".into(), SourceKind::Collection);
        lineage
            .sources
            .insert("user_sessions".into(), SourceKind::Edge);
        lineage
            .sources
            .insert("@@coll".into(), SourceKind::Parameter);
        lineage
            .attributes
            .insert("users".into(), ["email".into(), "_key".into()].into());
        lineage
            .attributes
            .insert("user_sessions".into(), ["started_at".into()].into());
        lineage
            .filtered
            .insert("users".into(), ["_key".into()].into());
        lineage
            .attributes
            .insert("accounts".into(), ["*".into(), "_key".into()].into());
        lineage
            .sources
            .insert("accounts".into(), SourceKind::Collection);
        lineage.graphs.insert("interactions".into());
        lineage
            .attributes
            .insert("graph:interactions/vertices".into(), ["_key".into()].into());
        assert_eq!(
            lineage_text(Some(&lineage)),
            "reads        @@coll [parameter], accounts (whole documents), user_sessions [edge] (started_at), users (_key, email), vertices of graph interactions (_key)\n\
             filters on   users (_key)\n\
             graphs       interactions\n\
             writes       -\n"
        );
        assert!(lineage_text(None).starts_with("reads        not recorded"));
        lineage.truncated = true;
        assert!(lineage_text(Some(&lineage)).ends_with(
            "writes       -\nlineage      incomplete: part of the query is nested deeper than arangosync follows\n"
        ));
    }
}
