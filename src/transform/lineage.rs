//! Each feature's lineage (what its query reads), for the registry entry:
//! the query is parsed with `aql_lexer::parse_query`, its lineage taken
//! with `aql_lexer::lineage`, and every source classified against the specs
//! the feature is loaded with (a declared collection, edge collection or
//! `ArangoView`, a collection bind parameter, or a name no spec declares).
//!
//! The query is parsed here on its own: `transform::parse` checks it and
//! reports errors; a query the parser does not accept gets no lineage
//! rather than a second error.

use crate::model::{CollectionType, FeatureLineage, SourceKind, State};

/// The parser's lineage with each source's kind by `specs`.
pub fn classify(found: aql_lexer::Lineage, specs: &State) -> FeatureLineage {
    let sources = found
        .sources
        .into_iter()
        .map(|name| {
            let kind = source_kind(&name, specs);
            (name, kind)
        })
        .collect();
    FeatureLineage {
        sources,
        graphs: found.graphs,
        attributes: found.attributes,
        filtered: found.filtered,
        written: found.written,
        truncated: found.truncated,
    }
}

/// What `name` is by the specs. Views and collections share one namespace
/// in a database, so a name is at most one of them.
fn source_kind(name: &str, specs: &State) -> SourceKind {
    if name.starts_with("@@") {
        return SourceKind::Parameter;
    }
    if specs.views.contains_key(name) {
        return SourceKind::View;
    }
    match specs.collections.get(name) {
        Some(collection) if collection.collection_type == CollectionType::Edge => SourceKind::Edge,
        Some(_) => SourceKind::Collection,
        None => SourceKind::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Collection;

    #[test]
    fn sources_are_classified_by_the_specs() {
        let mut specs = State::default();
        specs.collections.insert(
            "users".into(),
            Collection::new("users", CollectionType::Document),
        );
        specs.collections.insert(
            "user_sessions".into(),
            Collection::new("user_sessions", CollectionType::Edge),
        );
        specs.views.insert(
            "product_search".into(),
            crate::model::View {
                name: "product_search".into(),
                view_type: "search-alias".into(),
                properties: Default::default(),
                links: Default::default(),
                indexes: Vec::new(),
                id: None,
            },
        );
        let mut found = aql_lexer::Lineage::default();
        for name in [
            "users",
            "user_sessions",
            "product_search",
            "@@coll",
            "nowhere",
        ] {
            found.sources.insert(name.to_string());
        }
        found
            .attributes
            .insert("users".into(), ["email".to_string()].into());
        let lineage = classify(found, &specs);
        let kinds: Vec<(&str, SourceKind)> = lineage
            .sources
            .iter()
            .map(|(name, kind)| (name.as_str(), *kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("@@coll", SourceKind::Parameter),
                ("nowhere", SourceKind::Unknown),
                ("product_search", SourceKind::View),
                ("user_sessions", SourceKind::Edge),
                ("users", SourceKind::Collection),
            ]
        );
        assert_eq!(lineage.attributes["users"].len(), 1);
    }
}
