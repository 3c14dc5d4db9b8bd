//! Which live objects an import writes as specs, and why the others are
//! left out.
//!
//! A spec tree is checked offline by `validate`, which holds every name to
//! ArangoDB's traditional rules (see `validate::names`): a server with
//! extended names (`--database.extended-names`, on by default from 3.12)
//! may hold a collection, view, index or analyzer whose name no spec may
//! declare, and system collections (`_` first) are never managed. Writing
//! such an object out would give a tree `validate` rejects, so it is left
//! out and listed with the reason instead. Whatever references a left-out
//! object (a graph or view naming its collection, an index or view link
//! using its analyzer, a `search-alias` view naming its index, a
//! collection sharded like it) is left out too, with its own reason, so
//! the imported tree never names something it does not describe.
//!
//! Leaving an object out never changes it: a plan leaves objects without a
//! spec alone, and `import --adopt` records only what was imported.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::model::State;
use crate::validate::{spec_name_problem, SpecName};

/// The system collections ArangoDB creates in every database (3.11 also
/// `_pregel_queries`; `_system` also `_users` and the statistics
/// collections; `_fishbowl` and `_iresearch_analyzers` in older versions),
/// and arangosync's own state collection. Other names starting with `_`
/// are system collections created by users, which an import reports.
const SERVER_SYSTEM_COLLECTIONS: &[&str] = &[
    "_analyzers",
    "_appbundles",
    "_apps",
    "_aqlfunctions",
    "_fishbowl",
    "_frontend",
    "_graphs",
    "_iresearch_analyzers",
    "_jobs",
    "_pregel_queries",
    "_queues",
    "_statistics",
    "_statistics15",
    "_statisticsRaw",
    "_users",
    crate::ownership::STATE_COLLECTION,
];

/// A live object an import did not write, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    /// What it is, as the report prints it: `collection "café €"`,
    /// `index "by €" of collection "users"`.
    pub object: String,
    /// Why no spec was written for it, one line.
    pub reason: String,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.object, self.reason)
    }
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.escape_debug())
}

fn name_reason(problem: &str) -> String {
    format!(
        "its name cannot be declared in a spec ({problem}); arangosync holds spec names to \
         ArangoDB's traditional rules (a letter first, then letters, digits, `_` or `-`), which \
         every server accepts, not to the extended names a server may allow"
    )
}

/// The part of `state` an import can write as specs, and what it leaves
/// out (sorted). `system_collections`: the names of the database's
/// collections flagged `isSystem` (which `state` never holds); those that
/// ArangoDB or arangosync did not create themselves are reported.
pub fn importable(state: &State, system_collections: &[String]) -> (State, Vec<Skipped>) {
    let mut kept = state.clone();
    let mut skipped = Vec::new();
    for name in system_collections {
        if !SERVER_SYSTEM_COLLECTIONS.contains(&name.as_str()) {
            skipped.push(Skipped {
                object: format!("collection {}", quoted(name)),
                reason: "a system collection (its name starts with `_`): arangosync does not \
                         manage system collections, and no spec may declare one"
                    .into(),
            });
        }
    }
    // Analyzers first: indexes and views use them.
    let mut gone_analyzers = BTreeSet::new();
    kept.analyzers.retain(|name, _| {
        let Some(problem) = spec_name_problem(SpecName::Analyzer, name) else {
            return true;
        };
        skipped.push(Skipped {
            object: format!("analyzer {}", quoted(name)),
            reason: name_reason(&problem),
        });
        gone_analyzers.insert(name.clone());
        false
    });
    let mut gone_collections = BTreeSet::new();
    kept.collections.retain(|name, _| {
        let Some(problem) = spec_name_problem(SpecName::Collection, name) else {
            return true;
        };
        skipped.push(Skipped {
            object: format!("collection {}", quoted(name)),
            reason: name_reason(&problem),
        });
        gone_collections.insert(name.clone());
        false
    });
    // A collection sharded like a left-out one names it.
    loop {
        let follower = kept.collections.values().find_map(|collection| {
            let like = collection.cluster.distribute_shards_like.as_ref()?;
            (!kept.collections.contains_key(like)).then(|| (collection.name.clone(), like.clone()))
        });
        let Some((name, like)) = follower else { break };
        kept.collections.remove(&name);
        skipped.push(Skipped {
            object: format!("collection {}", quoted(&name)),
            reason: format!(
                "it is sharded like collection {} (`distributeShardsLike`), which is not imported",
                quoted(&like)
            ),
        });
        gone_collections.insert(name);
    }
    for collection in kept.collections.values_mut() {
        collection.indexes.retain(|index| {
            let object = || match &index.name {
                Some(name) => format!(
                    "index {} of collection {}",
                    quoted(name),
                    quoted(&collection.name)
                ),
                None => format!(
                    "{} index of collection {}",
                    index.index_type,
                    quoted(&collection.name)
                ),
            };
            if let Some(problem) = index
                .name
                .as_deref()
                .and_then(|name| spec_name_problem(SpecName::Index, name))
            {
                skipped.push(Skipped {
                    object: object(),
                    reason: name_reason(&problem),
                });
                return false;
            }
            let options = Value::Object(index.options.clone().into_iter().collect());
            let used = index
                .fields
                .iter()
                .chain(std::iter::once(&options))
                .find_map(|value| uses_analyzer(value, &gone_analyzers));
            if let Some(analyzer) = used {
                skipped.push(Skipped {
                    object: object(),
                    reason: format!(
                        "it uses analyzer {}, which is not imported",
                        quoted(&analyzer)
                    ),
                });
                return false;
            }
            true
        });
    }
    kept.graphs.retain(|name, graph| {
        let problem = spec_name_problem(SpecName::Graph, name);
        let missing = graph
            .edge_definitions
            .iter()
            .flat_map(|definition| {
                std::iter::once(&definition.collection)
                    .chain(&definition.from)
                    .chain(&definition.to)
            })
            .chain(&graph.orphan_collections)
            .find(|collection| !kept.collections.contains_key(*collection));
        let reason = match (problem, missing) {
            (Some(problem), _) => name_reason(&problem),
            (None, Some(collection)) => format!(
                "it names collection {}, which is not imported",
                quoted(collection)
            ),
            (None, None) => return true,
        };
        skipped.push(Skipped {
            object: format!("graph {}", quoted(name)),
            reason,
        });
        false
    });
    let collections = &kept.collections;
    kept.views.retain(|name, view| {
        let reason = if let Some(problem) = spec_name_problem(SpecName::View, name) {
            name_reason(&problem)
        } else if let Some(collection) = view
            .links
            .keys()
            .chain(view.indexes.iter().map(|index| &index.collection))
            .find(|collection| !collections.contains_key(*collection))
        {
            format!(
                "it names collection {}, which is not imported",
                quoted(collection)
            )
        } else if let Some(index) = view.indexes.iter().find(|alias| {
            collections.get(&alias.collection).is_none_or(|collection| {
                !collection
                    .indexes
                    .iter()
                    .any(|index| index.name.as_deref() == Some(alias.index.as_str()))
            })
        }) {
            format!(
                "it names index {} of collection {}, which is not imported",
                quoted(&index.index),
                quoted(&index.collection)
            )
        } else if let Some(analyzer) = view
            .links
            .values()
            .find_map(|link| uses_analyzer(link, &gone_analyzers))
        {
            format!(
                "it uses analyzer {}, which is not imported",
                quoted(&analyzer)
            )
        } else {
            return true;
        };
        skipped.push(Skipped {
            object: format!("view {}", quoted(name)),
            reason,
        });
        false
    });
    skipped.sort();
    (kept, skipped)
}

/// The first left-out analyzer a definition names (as `name` or
/// `db::name`), in any `analyzer` or `analyzers` value within it.
fn uses_analyzer(value: &Value, gone: &BTreeSet<String>) -> Option<String> {
    if gone.is_empty() {
        return None;
    }
    let bare = |text: &str| -> Option<String> {
        let name = text.rsplit("::").next().unwrap_or(text);
        gone.contains(name).then(|| name.to_string())
    };
    match value {
        Value::Object(object) => object.iter().find_map(|(key, item)| {
            let named = match (key.as_str(), item) {
                ("analyzer", Value::String(text)) => bare(text),
                ("analyzers", Value::Array(items)) => {
                    items.iter().filter_map(Value::as_str).find_map(bare)
                }
                _ => None,
            };
            named.or_else(|| uses_analyzer(item, gone))
        }),
        Value::Array(items) => items.iter().find_map(|item| uses_analyzer(item, gone)),
        Value::String(_) | Value::Null | Value::Bool(_) | Value::Number(_) => None,
    }
}
