//! Lineage warnings: a change that removes something a registered feature
//! reads. Pure: computed from the desired and live states and the changes
//! already planned, after every other part of the plan.
//!
//! The features looked at are those of the desired tree (what is
//! registered after an apply) and those the live registry holds that the
//! tree drops while their entries stay (no `--prune`): they are still
//! served. Each feature's lineage is its registry entry's
//! ([`crate::model::FeatureLineage`]); an entry without one (written
//! before lineage was recorded) is not looked at.
//!
//! What counts as removed:
//! * a collection a feature reads that the plan drops (prune) or replaces
//!   (dropped and created again, empty);
//! * an attribute a feature reads that the new schema of its collection no
//!   longer allows: the desired rule has `additionalProperties: false`
//!   without the attribute in `properties`, or states the attribute as
//!   `false`, while the live schema allowed it. Only the top-level name of
//!   a path counts (`address` for `address.city`); a schema at level
//!   `none` validates nothing, and the system attributes (`_key`, `_id`,
//!   `_rev`, `_from`, `_to`) are left out: ArangoDB does not validate them
//!   against the rule (ArangoDB manual, "Schema Validation",
//!   docs.arango.ai/arangodb/3.10/concepts/data-structure/documents/schema-validation/:
//!   the schema validation ignores them). `patternProperties` are not looked at,
//!   so an attribute such a pattern allows may still be reported. A
//!   feature that reads whole documents (`RETURN u`, path `*`) reads every
//!   attribute the live schema lists: those the new one disallows count;
//!   What a traversal reaches (vertices and edges of a named graph,
//!   vertices over an edge collection) is checked against the collections
//!   the live graphs say those are;
//! * an index that could serve an attribute a feature filters, sorts or
//!   searches on, dropped or replaced while no index the specs declare on
//!   the collection serves it. "Could serve": the attribute is a field of
//!   a persistent, hash, skiplist, ttl or vector index whose fields before
//!   it the feature filters on too (or are `_from`/`_to` of an edge
//!   collection, which a traversal binds), or any
//!   field of an inverted, geo, mdi or zkd index (`[*]` expansion marks
//!   ignored). `_key`, `_id` (primary index) and `_from`, `_to` (edge
//!   index) are always served;
//! * a named graph a feature traverses that the plan drops, or a
//!   collection of it (as the live graph defines it) that the plan drops
//!   or replaces;
//! * a view a feature searches that the plan drops; or replaces, or whose
//!   inverted index the plan drops or replaces, while the view the specs
//!   declare no longer covers an attribute the feature searches on.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use super::model::{Action, Address, Change};
use crate::model::{Collection, FeatureLineage, Index, RegistryEntry, Schema, State, View};

/// One feature a warning names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FeatureRef {
    pub feature: String,
    pub version: u32,
    /// Registered on the server but no longer in the specs (its entry is
    /// kept): still served, so still worth warning about.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub registered_only: bool,
}

impl FeatureRef {
    /// `user_profile v1`, with ` (registered, not in the specs)` for a
    /// feature only the live registry holds.
    pub fn label(&self) -> String {
        let mut label = format!("{} v{}", self.feature, self.version);
        if self.registered_only {
            label.push_str(" (registered, not in the specs)");
        }
        label
    }
}

/// A change that removes something registered features read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LineageWarning {
    /// The features that read it, sorted.
    pub features: Vec<FeatureRef>,
    /// What the change removes or replaces: the collection, index or view.
    pub object: Address,
    /// The attribute path read (`users.email` is `email`), when the
    /// warning is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
    /// The whole sentence: `feature user_profile v1 reads users.email; the
    /// new schema of users no longer allows email`.
    pub message: String,
}

/// How a feature uses what a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Use {
    Reads,
    FiltersOn,
    Searches,
    Traverses,
}

impl Use {
    fn verb(self, plural: bool) -> &'static str {
        match (self, plural) {
            (Use::Reads, false) => "reads",
            (Use::Reads, true) => "read",
            (Use::FiltersOn, false) => "filters on",
            (Use::FiltersOn, true) => "filter on",
            (Use::Searches, false) => "searches",
            (Use::Searches, true) => "search",
            (Use::Traverses, false) => "traverses",
            (Use::Traverses, true) => "traverse",
        }
    }
}

/// One finding before features are grouped: the object, the attribute,
/// how it is used, what is read (`users.email`) and the problem.
type Finding = (Address, Option<String>, Use, String, String);

/// The warnings for `changes` (the plan so far), in a stable order: by
/// object, attribute, then message.
pub fn warnings(desired: &State, live: &State, changes: &[Change]) -> Vec<LineageWarning> {
    // Every change by address: drops and replaces remove, an update of a
    // collection may change its schema. A drop and a create of one object
    // (a view rebuilt around the index it uses) is a replace.
    let created: BTreeSet<&Address> = changes
        .iter()
        .filter(|change| change.action == Action::Create)
        .map(|change| &change.address)
        .collect();
    let removed: BTreeMap<&Address, Action> = changes
        .iter()
        .filter(|change| change.action != Action::Create)
        .map(|change| match change.action {
            Action::Delete if created.contains(&change.address) => {
                (&change.address, Action::Replace)
            }
            action => (&change.address, action),
        })
        .collect();
    if removed.is_empty() {
        return Vec::new();
    }
    let mut grouped: BTreeMap<Finding, BTreeSet<FeatureRef>> = BTreeMap::new();
    for (feature, lineage) in features(desired, live, changes) {
        for finding in findings(lineage, desired, live, &removed) {
            grouped.entry(finding).or_default().insert(feature.clone());
        }
    }
    grouped
        .into_iter()
        .map(|((object, attribute, usage, what, problem), features)| {
            let plural = features.len() > 1;
            let labels: Vec<String> = features.iter().map(FeatureRef::label).collect();
            let message = format!(
                "{} {} {} {what}; {problem}",
                if plural { "features" } else { "feature" },
                labels.join(", "),
                usage.verb(plural),
            );
            LineageWarning {
                features: features.into_iter().collect(),
                object,
                attribute,
                message,
            }
        })
        .collect()
}

/// The features looked at, with their lineage: the desired registry's,
/// then the live registry's that the specs drop and the plan keeps.
fn features<'a>(
    desired: &'a State,
    live: &'a State,
    changes: &[Change],
) -> Vec<(FeatureRef, &'a FeatureLineage)> {
    let entry = |entry: &'a RegistryEntry, registered_only: bool| {
        entry.lineage.as_ref().map(|lineage| {
            let feature = FeatureRef {
                feature: entry.feature.clone(),
                version: entry.version,
                registered_only,
            };
            (feature, lineage)
        })
    };
    let deleted: BTreeSet<&String> = changes
        .iter()
        .filter(|change| change.action == Action::Delete)
        .filter_map(|change| match &change.address {
            Address::Registry(name) => Some(name),
            _ => None,
        })
        .collect();
    desired
        .registry
        .values()
        .filter_map(|want| entry(want, false))
        .chain(
            live.registry
                .iter()
                .filter(|(name, _)| {
                    !desired.registry.contains_key(*name) && !deleted.contains(name)
                })
                .filter_map(|(_, have)| entry(have, true)),
        )
        .collect()
}

/// What the removed objects take from one feature's lineage.
fn findings(
    lineage: &FeatureLineage,
    desired: &State,
    live: &State,
    removed: &BTreeMap<&Address, Action>,
) -> Vec<Finding> {
    let mut found = Vec::new();
    for (source, kind) in &lineage.sources {
        if kind == &crate::model::SourceKind::Parameter {
            continue;
        }
        let collection = Address::Collection(source.clone());
        let view = Address::View(source.clone());
        let problem = match removed.get(&collection) {
            Some(Action::Delete) => Some(format!("the plan drops collection {source}")),
            Some(Action::Replace) => Some(format!(
                "the plan replaces collection {source} (drops it and creates it again, empty)"
            )),
            _ => None,
        };
        if let Some(problem) = problem {
            found.push((collection, None, Use::Reads, source.clone(), problem));
            continue;
        }
        if removed.get(&view) == Some(&Action::Delete) {
            found.push((
                view,
                None,
                Use::Searches,
                format!("view {source}"),
                format!("the plan drops view {source}"),
            ));
            continue;
        }
        if let (Some(want), Some(have)) = (
            desired.collections.get(source),
            live.collections.get(source),
        ) {
            if removed.contains_key(&collection) {
                schema_findings(lineage, source, want, have, &mut found);
            }
            index_findings(lineage, source, want, have, removed, &mut found);
        }
        if let Some(have) = live.views.get(source) {
            view_findings(lineage, source, have, desired, live, removed, &mut found);
        }
    }
    for graph in &lineage.graphs {
        graph_findings(graph, lineage, live, removed, &mut found);
    }
    reached_findings(lineage, desired, live, removed, &mut found);
    found
}

/// A named graph a feature traverses: dropped, or one of its collections
/// (as the live graph defines them: edge collections, then vertex
/// collections) dropped or replaced while the feature does not read it
/// directly (then the source's own warning says it).
fn graph_findings(
    graph: &str,
    lineage: &FeatureLineage,
    live: &State,
    removed: &BTreeMap<&Address, Action>,
    found: &mut Vec<Finding>,
) {
    let address = Address::Graph(graph.to_string());
    if removed.get(&address) == Some(&Action::Delete) {
        found.push((
            address,
            None,
            Use::Traverses,
            format!("graph {graph}"),
            format!("the plan drops graph {graph}"),
        ));
        return;
    }
    let Some(definition) = live.graphs.get(graph) else {
        return;
    };
    let collections: BTreeSet<&String> = definition
        .edge_definitions
        .iter()
        .flat_map(|edges| {
            std::iter::once(&edges.collection)
                .chain(&edges.from)
                .chain(&edges.to)
        })
        .chain(&definition.orphan_collections)
        .filter(|name| !lineage.sources.contains_key(*name))
        .collect();
    for name in collections {
        let collection = Address::Collection(name.clone());
        let verb = match removed.get(&collection) {
            Some(Action::Delete) => "drops",
            Some(Action::Replace) => "replaces",
            _ => continue,
        };
        found.push((
            collection,
            None,
            Use::Traverses,
            format!("graph {graph}"),
            format!("the plan {verb} collection {name}, which the graph holds"),
        ));
    }
}

/// Attributes read from `source` that its new schema no longer allows.
fn schema_findings(
    lineage: &FeatureLineage,
    source: &str,
    want: &Collection,
    have: &Collection,
    found: &mut Vec<Finding>,
) {
    let paths: Vec<&String> = lineage.attributes_of(source).collect();
    disallowed_paths(&paths, source, None, want, have, found);
}

/// The paths read from documents of `collection` that its new schema no
/// longer allows; `reached` says how a traversal reached them (`a vertex
/// of graph interactions`), `None` for the source itself.
fn disallowed_paths(
    paths: &[&String],
    collection: &str,
    reached: Option<&str>,
    want: &Collection,
    have: &Collection,
    found: &mut Vec<Finding>,
) {
    let newly_disallowed = |top: &str| {
        !SYSTEM_ATTRIBUTES.contains(&top)
            && disallows(want.schema.as_ref(), top)
            && !disallows(have.schema.as_ref(), top)
    };
    let how = reached.map(|how| format!(" ({how})")).unwrap_or_default();
    for path in paths {
        if path.as_str() == aql_lexer::lineage::WHOLE {
            // Whole documents (`RETURN u`): every attribute the live
            // schema lists that the new one disallows is read.
            let listed = have
                .schema
                .as_ref()
                .and_then(|schema| schema.rule.get("properties"))
                .and_then(Value::as_object);
            for top in listed.into_iter().flat_map(|listed| listed.keys()) {
                if newly_disallowed(top) {
                    found.push((
                        Address::Collection(collection.to_string()),
                        Some(top.clone()),
                        Use::Reads,
                        format!("whole documents of {collection}{how}"),
                        format!("the new schema of {collection} no longer allows {top}"),
                    ));
                }
            }
            continue;
        }
        let top = top_level(path);
        if newly_disallowed(top) {
            found.push((
                Address::Collection(collection.to_string()),
                Some((*path).clone()),
                Use::Reads,
                format!("{collection}.{path}{how}"),
                format!("the new schema of {collection} no longer allows {top}"),
            ));
        }
    }
}

/// Attributes read from what a traversal reaches (the parser's keys
/// `graph:<g>/vertices`, `graph:<g>/edges`, `edges:<c>/vertices`), checked
/// against the schemas of the collections the live graphs say those are:
/// a named graph's vertex or edge collections; for an anonymous traversal
/// over edge collection `c`, the vertex collections of every graph edge
/// definition of `c`. Collections the feature reads directly are left to
/// their own warnings.
fn reached_findings(
    lineage: &FeatureLineage,
    desired: &State,
    live: &State,
    removed: &BTreeMap<&Address, Action>,
    found: &mut Vec<Finding>,
) {
    use aql_lexer::lineage::{source_key, SourceKey};
    for (key, paths) in &lineage.attributes {
        let definitions = live.graphs.values().flat_map(|graph| {
            graph
                .edge_definitions
                .iter()
                .map(move |edges| (graph, edges))
        });
        let (collections, how): (BTreeSet<&String>, String) = match source_key(key) {
            SourceKey::Source(_) => continue,
            SourceKey::GraphVertices(name) => (
                definitions
                    .filter(|(graph, _)| graph.name == name)
                    .flat_map(|(_, edges)| edges.from.iter().chain(&edges.to))
                    .chain(
                        live.graphs
                            .get(name)
                            .into_iter()
                            .flat_map(|graph| &graph.orphan_collections),
                    )
                    .collect(),
                format!("a vertex of graph {name}"),
            ),
            SourceKey::GraphEdges(name) => (
                definitions
                    .filter(|(graph, _)| graph.name == name)
                    .map(|(_, edges)| &edges.collection)
                    .collect(),
                format!("an edge of graph {name}"),
            ),
            SourceKey::TraversalVertices(edge_collection) => (
                definitions
                    .filter(|(_, edges)| edges.collection == edge_collection)
                    .flat_map(|(_, edges)| edges.from.iter().chain(&edges.to))
                    .collect(),
                format!("a vertex reached over {edge_collection}"),
            ),
        };
        let paths: Vec<&String> = paths.iter().collect();
        for name in collections {
            if lineage.sources.contains_key(name) {
                continue;
            }
            let address = Address::Collection(name.clone());
            if !removed.contains_key(&address) {
                continue;
            }
            if let (Some(want), Some(have)) =
                (desired.collections.get(name), live.collections.get(name))
            {
                disallowed_paths(&paths, name, Some(&how), want, have, found);
            }
        }
    }
}

/// Attributes `source` is filtered on whose serving index the plan drops
/// or replaces with none left that serves them.
fn index_findings(
    lineage: &FeatureLineage,
    source: &str,
    want: &Collection,
    have: &Collection,
    removed: &BTreeMap<&Address, Action>,
    found: &mut Vec<Finding>,
) {
    // What a lookup binds besides `path`: the other filtered attributes,
    // and on an edge collection `_from` and `_to` (a traversal binds one).
    let mut bound: BTreeSet<String> = lineage.filtered_of(source).cloned().collect();
    if have.collection_type == crate::model::CollectionType::Edge {
        bound.extend(["_from".to_string(), "_to".to_string()]);
    }
    for path in lineage.filtered_of(source) {
        if ALWAYS_SERVED.contains(&path.as_str()) {
            continue;
        }
        if want
            .indexes
            .iter()
            .any(|index| serves_after(index, path, &bound))
        {
            continue;
        }
        for index in have
            .indexes
            .iter()
            .filter(|index| serves_after(index, path, &bound))
        {
            let Some(name) = &index.name else { continue };
            let address = Address::Index {
                collection: source.to_string(),
                index: name.clone(),
            };
            let Some(action) = removed
                .get(&address)
                .filter(|action| **action != Action::Update)
            else {
                continue;
            };
            let verb = if *action == Action::Delete {
                "drops"
            } else {
                "replaces"
            };
            found.push((
                address,
                Some(path.clone()),
                Use::FiltersOn,
                format!("{source}.{path}"),
                format!(
                    "the plan {verb} index {name} of {source}, and no index the specs declare there covers {path}"
                ),
            ));
        }
    }
}

/// A view a feature searches that the plan replaces, or whose inverted
/// index it drops or replaces, while the new view no longer covers an
/// attribute the feature searches on.
fn view_findings(
    lineage: &FeatureLineage,
    source: &str,
    have: &View,
    desired: &State,
    live: &State,
    removed: &BTreeMap<&Address, Action>,
    found: &mut Vec<Finding>,
) {
    let view = Address::View(source.to_string());
    // The indexes of a search-alias view that are dropped or replaced;
    // else the view itself, replaced (a view rebuilt around its index is
    // named by the index, once).
    let mut touched: Vec<(Address, Action)> = Vec::new();
    for alias in &have.indexes {
        let address = Address::Index {
            collection: alias.collection.clone(),
            index: alias.index.clone(),
        };
        if let Some(action) = removed
            .get(&address)
            .filter(|action| **action != Action::Update)
        {
            touched.push((address, *action));
        }
    }
    if touched.is_empty() {
        if let Some(action) = removed
            .get(&view)
            .filter(|action| **action == Action::Replace)
        {
            touched.push((view.clone(), *action));
        }
    }
    if touched.is_empty() {
        return;
    }
    for path in lineage.filtered_of(source) {
        let covered = desired
            .views
            .get(source)
            .is_some_and(|want| view_covers(want, &desired.collections, path));
        if covered || !view_covers(have, &live.collections, path) {
            continue;
        }
        for (address, action) in &touched {
            let verb = if *action == Action::Delete {
                "drops"
            } else {
                "replaces"
            };
            let what = match address {
                Address::Index { collection, index } => format!("index {index} of {collection}"),
                other => other.to_string(),
            };
            found.push((
                address.clone(),
                Some(path.clone()),
                Use::Searches,
                format!("{source}.{path}"),
                format!("the plan {verb} {what}, and view {source} as the specs declare it no longer covers {path}"),
            ));
        }
    }
}

/// System attributes: never validated by a schema.
const SYSTEM_ATTRIBUTES: &[&str] = &["_key", "_id", "_rev", "_from", "_to"];

/// Attributes the primary index (`_key`, `_id`) and the edge index
/// (`_from`, `_to`) serve on every collection of their type.
const ALWAYS_SERVED: &[&str] = &["_key", "_id", "_from", "_to"];

/// The top-level attribute of a dotted path (`address` of
/// `address.city`, `tags` of `tags[*]`).
fn top_level(path: &str) -> &str {
    let end = path.find(['.', '[']).unwrap_or(path.len());
    &path[..end]
}

/// Whether `schema` refuses documents that carry `attribute` at the top
/// level: the rule states it as `false`, or allows no additional
/// properties and does not list it. A missing schema or level `none`
/// refuses nothing.
fn disallows(schema: Option<&Schema>, attribute: &str) -> bool {
    let Some(schema) = schema else { return false };
    if schema.level == "none" {
        return false;
    }
    let property = schema
        .rule
        .get("properties")
        .and_then(|properties| properties.get(attribute));
    match property {
        Some(Value::Bool(false)) => true,
        Some(_) => false,
        None => schema.rule.get("additionalProperties") == Some(&Value::Bool(false)),
    }
}

/// An index field's attribute path, without `[*]` marks: a string field,
/// or the `name` of an inverted index's field object.
fn field_path(field: &Value) -> Option<String> {
    let path = match field {
        Value::String(path) => path.as_str(),
        Value::Object(object) => object.get("name")?.as_str()?,
        _ => return None,
    };
    Some(path.replace("[*]", ""))
}

/// Whether `index` could serve a filter or sort on `path` (see the module
/// notes).
fn serves(index: &Index, path: &str) -> bool {
    serves_after(index, path, &BTreeSet::new())
}

/// Whether `index` could serve a filter or sort on `path` when the
/// attributes `bound` are compared too: a field of a persistent (or hash,
/// skiplist, ttl, vector) index serves when every field before it is bound
/// (a vertex-centric index `[_from, started_at]` serves `started_at` in a
/// traversal, which binds `_from`).
fn serves_after(index: &Index, path: &str, bound: &BTreeSet<String>) -> bool {
    let path = path.replace("[*]", "");
    let mut fields = index.fields.iter().filter_map(field_path);
    match index.index_type.as_str() {
        "inverted" | "geo" | "mdi" | "mdi-prefixed" | "zkd" => fields.any(|field| field == path),
        _ => {
            for field in fields {
                if field == path {
                    return true;
                }
                if !bound.contains(&field) {
                    return false;
                }
            }
            false
        }
    }
}

/// Whether `view` covers `path`: a `search-alias` view through one of its
/// inverted indexes (looked up in `collections`), an `arangosearch` view
/// through a link that includes all fields or names the path's top-level
/// attribute.
fn view_covers(view: &View, collections: &BTreeMap<String, Collection>, path: &str) -> bool {
    if view.is_search_alias() {
        return view.indexes.iter().any(|alias| {
            collections
                .get(&alias.collection)
                .into_iter()
                .flat_map(|collection| &collection.indexes)
                .any(|index| index.name.as_deref() == Some(&alias.index) && serves(index, path))
        });
    }
    let top = top_level(path);
    view.links.values().any(|link| {
        link.get("includeAllFields") == Some(&Value::Bool(true))
            || link
                .get("fields")
                .and_then(|fields| fields.get(top))
                .is_some()
    })
}

#[cfg(test)]
mod tests;
