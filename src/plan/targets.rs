//! `--target ADDRESS`: narrowing a computed plan to some objects and what
//! they depend on.
//!
//! A target is written as `KIND/NAME` (`collection/users`, `graph/g`,
//! `analyzer/text_en`, `view/search`, `function/FEATURES::X_V2`,
//! `registryEntry/FEATURES::X_V2`) or `index/COLLECTION/NAME`. The filter is
//! pure and runs after [`super::diff`]: it keeps the changes of the targets
//! and of their dependencies, in the plan's order, and drops the rest, so
//! a partial plan never holds a change the whole plan would not.
//!
//! A collection target also covers the collection's indexes (they are
//! declared in its spec): their creates, updates and, with `--prune`,
//! deletes of indexes its spec no longer lists. A collection that is only
//! a dependency (of a graph, a view, an index) brings no indexes.
//! A kept drop or replace of an inverted index brings the search-alias
//! views that use it (and what they need): the whole plan drops and
//! creates such a view around the index, and without that the view
//! would lose the index. That holds for views the database has and the
//! specs no longer declare (the whole plan prunes them with the index).
//! The mass-prune guard is counted again within what the targets cover.
//!
//! Dependencies come from the desired state (what the change will create
//! must find its prerequisites): an index needs its collection and, when
//! inverted, its analyzers; a collection the prototype it distributes its
//! shards like; a graph its edge, vertex and orphan collections; a view its
//! linked collections, its analyzers and (search-alias) its inverted
//! indexes; a registry entry its function. The database and arangosync's
//! state collection stay when anything else does.

use std::collections::BTreeSet;

use super::model::{Action, Address, Plan, Stage};
use super::{Live, Options};
use crate::model::State;

/// The kinds a target may name, as written before the first `/`.
pub const KINDS: [&str; 7] = [
    "collection",
    "index",
    "graph",
    "analyzer",
    "view",
    "function",
    "registryEntry",
];

/// A `--target` that cannot be used: malformed, or naming nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// Not `KIND/NAME` (or `index/COLLECTION/NAME`) with a known kind.
    #[error("--target {text:?}: {problem}")]
    Malformed { text: String, problem: String },
    /// Well formed, but neither the specs nor the database hold it.
    #[error("--target {text:?}: no such object in the specs or the database{hint}")]
    Unknown {
        text: String,
        /// `"; did you mean `x`?"`, or empty when nothing is close.
        hint: String,
    },
}

/// The target form of an address (`index/users/idx_email`); `None` for
/// addresses that cannot be targeted (the database, the state collection,
/// feature serving notes).
pub fn target_text(address: &Address) -> Option<String> {
    Some(match address {
        Address::Collection(name) => format!("collection/{name}"),
        Address::Index { collection, index } => format!("index/{collection}/{index}"),
        Address::Graph(name) => format!("graph/{name}"),
        Address::Analyzer(name) => format!("analyzer/{name}"),
        Address::View(name) => format!("view/{name}"),
        Address::Function(name) => format!("function/{name}"),
        Address::Registry(name) => format!("registryEntry/{name}"),
        Address::Database(_) | Address::StateCollection | Address::Serving(_) => return None,
    })
}

/// Reads one `--target`. Function and registry names are upper-cased, as
/// the plan keys them.
pub fn parse(text: &str) -> Result<Address, TargetError> {
    let malformed = |problem: String| TargetError::Malformed {
        text: text.to_string(),
        problem,
    };
    let Some((kind, rest)) = text.split_once('/') else {
        return Err(malformed(format!(
            "expected KIND/NAME with KIND one of {}",
            KINDS.join(", ")
        )));
    };
    if rest.is_empty() {
        return Err(malformed("the name is empty".into()));
    }
    let address = match kind {
        "collection" => Address::Collection(rest.into()),
        "index" => match rest.split_once('/') {
            Some((collection, index)) if !collection.is_empty() && !index.is_empty() => {
                Address::Index {
                    collection: collection.into(),
                    index: index.into(),
                }
            }
            _ => return Err(malformed("expected index/COLLECTION/INDEX".into())),
        },
        "graph" => Address::Graph(rest.into()),
        "analyzer" => Address::Analyzer(rest.into()),
        "view" => Address::View(rest.into()),
        "function" => Address::Function(rest.to_uppercase()),
        "registryEntry" => Address::Registry(rest.to_uppercase()),
        other => {
            return Err(malformed(format!(
                "unknown kind `{other}`; {}",
                crate::spec::reader::suggestion(other, &KINDS)
            )))
        }
    };
    Ok(address)
}

/// Every address a target may name in one state (named indexes only).
fn addresses(state: &State, into: &mut BTreeSet<Address>) {
    for (name, collection) in &state.collections {
        into.insert(Address::Collection(name.clone()));
        for index in &collection.indexes {
            if let Some(index_name) = &index.name {
                into.insert(Address::Index {
                    collection: name.clone(),
                    index: index_name.clone(),
                });
            }
        }
    }
    into.extend(state.graphs.keys().cloned().map(Address::Graph));
    into.extend(state.analyzers.keys().cloned().map(Address::Analyzer));
    into.extend(state.views.keys().cloned().map(Address::View));
    into.extend(state.functions.keys().cloned().map(Address::Function));
    into.extend(state.registry.keys().cloned().map(Address::Registry));
}

/// Parses the `--target`s and checks that each names an object of the
/// specs or the live state; an unknown one is an error suggesting the
/// nearest known address. `desired` and `live` name analyzers as the plan
/// does (see `State::with_analyzers_as_reported`).
pub fn resolve(
    texts: &[String],
    desired: &State,
    live: Option<&State>,
) -> Result<Vec<Address>, TargetError> {
    let mut known = BTreeSet::new();
    addresses(desired, &mut known);
    if let Some(live) = live {
        addresses(live, &mut known);
    }
    let mut resolved = Vec::new();
    for text in texts {
        let address = parse(text)?;
        if !known.contains(&address) {
            let candidates: Vec<String> = known.iter().filter_map(target_text).collect();
            let candidates: Vec<&str> = candidates.iter().map(String::as_str).collect();
            let hint = crate::spec::reader::nearest(text, &candidates)
                .map(|nearest| format!("; did you mean `{nearest}`?"))
                .unwrap_or_default();
            return Err(TargetError::Unknown {
                text: text.clone(),
                hint,
            });
        }
        if !resolved.contains(&address) {
            resolved.push(address);
        }
    }
    Ok(resolved)
}

/// The targets, the indexes `desired` declares in targeted collections,
/// and everything they depend on in `desired`, transitively.
pub fn closure(targets: &[Address], desired: &State) -> BTreeSet<Address> {
    let mut seen = BTreeSet::new();
    let mut queue: Vec<Address> = targets.to_vec();
    for target in targets {
        let Address::Collection(name) = target else {
            continue;
        };
        let Some(collection) = desired.collections.get(name) else {
            continue;
        };
        queue.extend(collection.indexes.iter().filter_map(|index| {
            Some(Address::Index {
                collection: name.clone(),
                index: index.name.clone()?,
            })
        }));
    }
    while let Some(address) = queue.pop() {
        if seen.insert(address.clone()) {
            queue.extend(dependencies(&address, desired));
        }
    }
    seen
}

/// What one object needs to exist first, per the desired state.
fn dependencies(address: &Address, desired: &State) -> Vec<Address> {
    let mut needs = Vec::new();
    match address {
        Address::Collection(name) => {
            if let Some(prototype) = desired
                .collections
                .get(name)
                .and_then(|collection| collection.cluster.distribute_shards_like.as_ref())
                .filter(|prototype| !prototype.is_empty())
            {
                needs.push(Address::Collection(prototype.clone()));
            }
        }
        Address::Index { collection, index } => {
            needs.push(Address::Collection(collection.clone()));
            let found = desired.collections.get(collection).and_then(|c| {
                c.indexes
                    .iter()
                    .find(|i| i.name.as_deref() == Some(index.as_str()))
            });
            if let Some(found) = found {
                needs.extend(
                    crate::model::analyzers_named(found)
                        .into_iter()
                        .map(Address::Analyzer),
                );
            }
        }
        Address::Graph(name) => {
            if let Some(graph) = desired.graphs.get(name) {
                for definition in &graph.edge_definitions {
                    needs.push(Address::Collection(definition.collection.clone()));
                    needs.extend(
                        definition
                            .from
                            .iter()
                            .chain(&definition.to)
                            .cloned()
                            .map(Address::Collection),
                    );
                }
                needs.extend(
                    graph
                        .orphan_collections
                        .iter()
                        .cloned()
                        .map(Address::Collection),
                );
            }
        }
        Address::View(name) => {
            if let Some(view) = desired.views.get(name) {
                needs.extend(view.links.keys().cloned().map(Address::Collection));
                needs.extend(view.analyzers().into_iter().map(Address::Analyzer));
                needs.extend(view.indexes.iter().map(|alias| Address::Index {
                    collection: alias.collection.clone(),
                    index: alias.index.clone(),
                }));
            }
        }
        Address::Registry(name) => needs.push(Address::Function(name.clone())),
        Address::Analyzer(_)
        | Address::Function(_)
        | Address::Database(_)
        | Address::StateCollection
        | Address::Serving(_) => {}
    }
    needs
}

/// Keeps the changes (and notes) of `targets` and their dependencies, in
/// the plan's order; the database, state-collection and ownership changes
/// stay only when something else does. `desired` names analyzers as the
/// plan does; `live` and `options` are what the plan was made from (the
/// views that use a dropped index, the mass-prune guard counted again
/// within the targets). Marks the plan as partial.
pub fn restrict(
    mut plan: Plan,
    targets: &[Address],
    desired: &State,
    live: &Live,
    options: &Options,
) -> Plan {
    let reported = live
        .state
        .as_ref()
        .map(|state| state.with_analyzers_as_reported(&options.database))
        .unwrap_or_default();
    let (owned, _) = super::pending::resolve(&reported, live);
    let keep = closure(targets, desired);
    // Indexes of a targeted collection the specs no longer declare (to be
    // dropped with --prune) are not in `desired`, so not in `keep`.
    let covered = |address: &Address| match address {
        Address::Index { collection, .. } => targets
            .iter()
            .any(|target| matches!(target, Address::Collection(name) if name == collection)),
        _ => false,
    };
    let kept = |address: &Address| keep.contains(address) || covered(address);
    // A kept drop or replace of an index a search-alias view uses brings
    // the view's changes (it is dropped and created around the index, as
    // the whole plan does) and what the view needs; without them the view
    // would lose the index.
    let dropped: BTreeSet<&Address> = plan
        .changes
        .iter()
        .filter(|change| {
            matches!(change.address, Address::Index { .. })
                && matches!(change.action, Action::Replace | Action::Delete)
                && kept(&change.address)
        })
        .map(|change| &change.address)
        .collect();
    // The views of the specs and those only the database has (an owned
    // view that left the specs: the whole plan drops it with the index,
    // or blocks the index's change).
    let views: BTreeSet<Address> = desired
        .views
        .iter()
        .chain(&reported.views)
        .filter(|(_, view)| {
            view.indexes.iter().any(|alias| {
                dropped.contains(&Address::Index {
                    collection: alias.collection.clone(),
                    index: alias.index.clone(),
                })
            })
        })
        .map(|(name, _)| Address::View(name.clone()))
        .collect();
    let views: Vec<Address> = views.into_iter().collect();
    let dependents = closure(&views, desired);
    let keep_address = |address: &Address| kept(address) || dependents.contains(address);
    let setup = |stage: Stage| {
        matches!(
            stage,
            Stage::Database | Stage::StateCollection | Stage::Ownership
        )
    };
    plan.changes
        .retain(|change| setup(change.stage()) || keep_address(&change.address));
    let in_scope = |address: &Address| keep_address(address);
    super::prune::guard_within(&mut plan.changes, &reported, &owned, options, &in_scope);
    if plan.changes.iter().all(|change| setup(change.stage())) {
        plan.changes.clear();
    }
    plan.notes.retain(|note| keep_address(&note.address));
    let changes = &plan.changes;
    plan.warnings.retain(|warning| {
        changes
            .iter()
            .any(|change| change.address == warning.object)
    });
    plan.targets = targets.iter().filter_map(target_text).collect();
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Collection, CollectionType, EdgeDefinition, Graph, Index};

    fn state() -> State {
        let mut state = State::default();
        let mut users = Collection::new("users", CollectionType::Document);
        users.indexes.push(Index {
            name: Some("inv".into()),
            index_type: "inverted".into(),
            fields: vec![serde_json::json!({"name": "bio", "analyzer": "text_en"})],
            options: Default::default(),
            id: None,
        });
        state.collections.insert("users".into(), users);
        state.collections.insert(
            "follows".into(),
            Collection::new("follows", CollectionType::Edge),
        );
        state.graphs.insert(
            "social".into(),
            Graph {
                name: "social".into(),
                edge_definitions: vec![EdgeDefinition {
                    collection: "follows".into(),
                    from: vec!["users".into()],
                    to: vec!["users".into()],
                }],
                orphan_collections: Vec::new(),
            },
        );
        state
    }

    #[test]
    fn parses_every_kind_and_rejects_the_rest() {
        assert_eq!(
            parse("index/users/idx_email"),
            Ok(Address::Index {
                collection: "users".into(),
                index: "idx_email".into()
            })
        );
        assert_eq!(
            parse("function/features::x_v2"),
            Ok(Address::Function("FEATURES::X_V2".into()))
        );
        assert_eq!(
            parse("registryEntry/FEATURES::X_V2"),
            Ok(Address::Registry("FEATURES::X_V2".into()))
        );
        let err = parse("colection/users").unwrap_err().to_string();
        assert_eq!(
            err,
            "--target \"colection/users\": unknown kind `colection`; did you mean `collection`?"
        );
        assert!(parse("index/users").is_err());
        assert!(parse("users").is_err());
        assert!(parse("graph/").is_err());
    }

    #[test]
    fn an_unknown_target_suggests_the_nearest_address() {
        let err = resolve(&["collection/user".into()], &state(), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--target \"collection/user\": no such object in the specs or the database; did you mean `collection/users`?"
        );
        let live = state();
        assert_eq!(
            resolve(&["graph/social".into()], &State::default(), Some(&live)),
            Ok(vec![Address::Graph("social".into())])
        );
    }

    #[test]
    fn the_closure_follows_graphs_indexes_and_analyzers() {
        let keep = closure(&[Address::Graph("social".into())], &state());
        let want: BTreeSet<Address> = [
            Address::Graph("social".into()),
            Address::Collection("follows".into()),
            Address::Collection("users".into()),
        ]
        .into();
        assert_eq!(keep, want);
        let keep = closure(
            &[Address::Index {
                collection: "users".into(),
                index: "inv".into(),
            }],
            &state(),
        );
        assert!(keep.contains(&Address::Analyzer("text_en".into())));
        assert!(keep.contains(&Address::Collection("users".into())));
        assert!(!keep.contains(&Address::Collection("follows".into())));
    }

    #[test]
    fn a_collection_target_covers_its_indexes_and_their_analyzers() {
        let inv = Address::Index {
            collection: "users".into(),
            index: "inv".into(),
        };
        let keep = closure(&[Address::Collection("users".into())], &state());
        assert!(keep.contains(&inv), "{keep:?}");
        assert!(keep.contains(&Address::Analyzer("text_en".into())));
        // A collection brought in by a graph brings no indexes.
        let keep = closure(&[Address::Graph("social".into())], &state());
        assert!(!keep.contains(&inv), "{keep:?}");
    }
}
