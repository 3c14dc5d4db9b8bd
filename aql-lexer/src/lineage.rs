//! What a query reads (issue 15, lineage): the collections, views and graphs
//! it names, and the attribute paths it reads from each collection's
//! documents. TODO(issue 15): computed from the syntax tree.

use std::collections::{BTreeMap, BTreeSet};

use crate::parser::ast::Query;

/// What one query reads. Names are as written in the query; a collection
/// bind parameter appears as `@@name`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lineage {
    /// Collections and views iterated or otherwise named as data sources
    /// (the parser cannot tell a view from a collection without `SEARCH`).
    pub sources: BTreeSet<String>,
    /// Named graphs traversed (`GRAPH 'name'`).
    pub graphs: BTreeSet<String>,
    /// Per source, the attribute paths read from its documents, dotted
    /// (`email`, `address.city`, `_key`).
    pub attributes: BTreeMap<String, BTreeSet<String>>,
    /// Per source, the attribute paths its documents are filtered, sorted
    /// or searched on (`FILTER`, `SEARCH`, `SORT`, traversal `PRUNE`): what
    /// an index or view could serve. A subset of `attributes`.
    pub filtered: BTreeMap<String, BTreeSet<String>>,
    /// Collections written by INSERT/UPDATE/REPLACE/REMOVE/UPSERT.
    pub written: BTreeSet<String>,
}

/// The lineage of a parsed query.
pub fn lineage(_query: &Query) -> Lineage {
    Lineage::default()
}
