//! The mass-prune guard: a prune that would remove most of what arangosync
//! owns is what a broken spec tree looks like (a ConfigMap mounted with
//! only some of its files, a `--dir` pointing at the wrong folder), so it
//! needs an extra, explicit `--allow-mass-prune`.
//!
//! The rule, stated once: the objects arangosync owns in the database are
//! the collections, indexes, graphs, analyzers and views its state
//! collection records and that exist, and the functions of its namespace. When the plan's deletes
//! would remove more than half of them (a dropped collection's owned
//! indexes go with it and count), every delete of the plan is blocked with
//! the counts and the flag to pass. Blocked deletes are counted too (a
//! collection prune without `--allow-destructive`), so adding one flag
//! never reveals the other block only on the next run.

use super::model::{Action, Address, Change, Note};
use super::{Options, Ownership};
use crate::model::State;

/// One note for each object arangosync owns that left the specs, when the
/// plan runs without `--prune`: the collections, indexes, graphs, views
/// and analyzers a prune would delete, found by planning that prune (so
/// the notes name exactly what `--prune` deletes). Functions have their
/// own notes (see `plan::functions`). The prune plan is let go before
/// this returns: only the notes are kept.
pub fn kept_notes(
    desired: &State,
    live: &State,
    owned: &Ownership,
    options: &Options,
) -> Vec<Note> {
    if options.prune {
        return Vec::new();
    }
    let pruning = Options {
        prune: true,
        ..options.clone()
    };
    // Each diff after the collections reads the changes planned before it
    // by address, action and steps only: the attributes shown (`fields`,
    // about 1 KB per new index) are let go as soon as each diff returns.
    let unshown = |changes: &mut Vec<Change>| {
        for change in changes.iter_mut() {
            change.fields = Vec::new();
        }
    };
    let mut changes = Vec::new();
    super::collections::diff(desired, live, owned, &pruning, &mut changes);
    unshown(&mut changes);
    super::views::diff(
        desired,
        live,
        owned,
        &pruning,
        &mut changes,
        &mut Vec::new(),
    );
    super::graphs::diff(desired, live, owned, &pruning, &mut changes);
    unshown(&mut changes);
    let analyzers = super::analyzers::diff(desired, live, owned, &pruning, &changes);
    changes
        .iter()
        .chain(&analyzers)
        .filter(|change| change.action == Action::Delete)
        .map(|change| Note {
            address: change.address.clone(),
            message: match change.address {
                Address::Collection(_) => {
                    "not in the specs; kept (unmanaged). --prune --allow-destructive deletes it with its documents"
                }
                _ => "not in the specs; kept (unmanaged). --prune deletes it",
            }
            .into(),
        })
        .collect()
}

/// What a prune would remove, out of what arangosync owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    pub removed: usize,
    pub owned: usize,
}

impl Share {
    /// More than half of the owned objects.
    pub fn is_mass(self) -> bool {
        self.removed * 2 > self.owned
    }
}

/// Counts the owned objects of `live` and those the deletes in `changes`
/// remove.
pub fn share(changes: &[Change], live: &State, owned: &Ownership) -> Share {
    share_within(changes, live, owned, &|_| true)
}

/// Like [`share`], counting only the owned objects whose address is in
/// `scope` (what `--target` covers).
pub fn share_within(
    changes: &[Change],
    live: &State,
    owned: &Ownership,
    scope: &dyn Fn(&Address) -> bool,
) -> Share {
    let owned_indexes = |collection: &str| {
        live.collections.get(collection).map_or(0, |have| {
            have.indexes
                .iter()
                .filter(|index| {
                    index.name.as_ref().is_some_and(|name| {
                        owned
                            .indexes
                            .contains(&(collection.to_string(), name.clone()))
                            && scope(&Address::Index {
                                collection: collection.to_string(),
                                index: name.clone(),
                            })
                    })
                })
                .count()
        })
    };
    let counted = |names: &mut dyn Iterator<Item = &String>,
                   owns: &dyn Fn(&String) -> bool,
                   address: &dyn Fn(String) -> Address| {
        names
            .filter(|name| owns(name) && scope(&address((*name).clone())))
            .count()
    };
    let owned_count = counted(
        &mut live.collections.keys(),
        &|name| owned.collections.contains(name),
        &Address::Collection,
    ) + live
        .collections
        .keys()
        .map(|name| owned_indexes(name))
        .sum::<usize>()
        + counted(
            &mut live.graphs.keys(),
            &|name| owned.graphs.contains(name),
            &Address::Graph,
        )
        + counted(
            &mut live.analyzers.keys(),
            &|name| owned.analyzers.contains(name),
            &Address::Analyzer,
        )
        + counted(
            &mut live.views.keys(),
            &|name| owned.views.contains(name),
            &Address::View,
        )
        + counted(&mut live.functions.keys(), &|_| true, &Address::Function);
    let rebuilt = rebuilt(changes);
    let removed = changes
        .iter()
        .filter(|change| change.action == Action::Delete && !rebuilt.contains(&change.address))
        .map(|change| match &change.address {
            Address::Collection(name) => 1 + owned_indexes(name),
            Address::Index { .. }
            | Address::Graph(_)
            | Address::Function(_)
            | Address::Analyzer(_)
            | Address::View(_) => 1,
            _ => 0,
        })
        .sum();
    Share {
        removed,
        owned: owned_count,
    }
}

/// Objects the plan deletes and creates again (a view dropped before an
/// inverted index it uses is replaced, and created again after): not a
/// removal, so not a prune.
fn rebuilt(changes: &[Change]) -> std::collections::BTreeSet<Address> {
    changes
        .iter()
        .filter(|change| change.action == Action::Create)
        .map(|change| change.address.clone())
        .filter(|address| {
            changes
                .iter()
                .any(|change| change.action == Action::Delete && change.address == *address)
        })
        .collect()
}

/// Blocks every delete of `changes` when they remove more than half of
/// what arangosync owns and `--allow-mass-prune` was not given.
pub fn guard(changes: &mut [Change], live: &State, owned: &Ownership, options: &Options) {
    if !options.prune || options.allow_mass_prune {
        return;
    }
    let share = share(changes, live, owned);
    if !share.is_mass() {
        return;
    }
    let reason = format!(
        "{MASS}{} of the {} objects arangosync owns in this database, more than half, \
         as a missing or partly mounted spec directory would; check --dir, and pass --allow-mass-prune \
         if this is intended",
        share.removed, share.owned
    );
    block_deletes(changes, &reason);
}

/// How the mass-prune reason starts.
const MASS: &str = "the prune would delete ";

/// The guard for a partial plan (`--target`): the whole plan's guard
/// counted objects outside the targets, so its reason is taken off
/// `changes` (what the partial plan keeps) and the deletes are counted
/// again against the owned objects in `scope` (what the targets cover).
pub fn guard_within(
    changes: &mut [Change],
    live: &State,
    owned: &Ownership,
    options: &Options,
    scope: &dyn Fn(&Address) -> bool,
) {
    for change in changes.iter_mut() {
        change.blocked = change.blocked.take().and_then(|blocked| {
            if blocked.starts_with(MASS) {
                None
            } else if let Some(at) = blocked.find(&format!("; also, {MASS}")) {
                Some(blocked[..at].to_string())
            } else {
                Some(blocked)
            }
        });
    }
    if !options.prune || options.allow_mass_prune {
        return;
    }
    let share = share_within(changes, live, owned, scope);
    if !share.is_mass() {
        return;
    }
    let reason = format!(
        "{MASS}{} of the {} objects arangosync owns within the targets (--target), more than half; \
         check --dir and --target, and pass --allow-mass-prune if this is intended",
        share.removed, share.owned
    );
    block_deletes(changes, &reason);
}

/// Blocks every delete of `changes` that is not a rebuild, for `reason`
/// (after any reason it already has).
fn block_deletes(changes: &mut [Change], reason: &str) {
    let rebuilt = rebuilt(changes);
    for change in changes
        .iter_mut()
        .filter(|change| change.action == Action::Delete && !rebuilt.contains(&change.address))
    {
        change.blocked = Some(match change.blocked.take() {
            Some(earlier) => format!("{earlier}; also, {reason}"),
            None => reason.to_string(),
        });
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{diff, Live, Options, Ownership};
    use crate::model::{Collection, CollectionType, Function, Index, IndexOptions, State};

    /// A persistent index as the server reports it.
    fn index(collection: &str, name: &str, field: &str) -> Index {
        Index {
            name: Some(name.into()),
            index_type: "persistent".into(),
            fields: vec![json!(field)],
            options: IndexOptions::from([
                ("unique".to_string(), json!(false)),
                ("sparse".to_string(), json!(false)),
                ("deduplicate".to_string(), json!(true)),
                ("estimates".to_string(), json!(true)),
                ("cacheEnabled".to_string(), json!(false)),
            ]),
            id: Some(format!("{collection}/{name}")),
        }
    }

    /// Four collections with one index each and two functions, all owned:
    /// 10 objects.
    /// What a read of `live` with `owned` finds: a database with its state
    /// collection, nothing else.
    fn read(live: State, owned: Ownership) -> Live {
        Live {
            system_analyzers: Default::default(),
            state: Some(live),
            owned,
            has_state_collection: true,
            views: Default::default(),
            analyzers: None,
            pending: Vec::new(),
            server: None,
            document_counts: Default::default(),
        }
    }

    fn owned_world() -> (State, Ownership) {
        let mut state = State::default();
        let mut owned = Ownership::default();
        for name in ["a", "b", "c", "d"] {
            let mut collection = Collection::new(name, CollectionType::Document);
            collection
                .indexes
                .push(index(name, &format!("idx_{name}"), "x"));
            owned.collections.insert(name.to_string());
            owned
                .indexes
                .insert((name.to_string(), format!("idx_{name}")));
            state.collections.insert(name.to_string(), collection);
        }
        for name in ["FEATURES::F_V1", "FEATURES::G_V1"] {
            state.functions.insert(
                name.to_string(),
                Function {
                    name: name.to_string(),
                    code: "function () {}".into(),
                    hash: Some("h".into()),
                },
            );
        }
        (state, owned)
    }

    fn options(allow_destructive: bool, allow_mass_prune: bool) -> Options {
        Options {
            database: "features".into(),
            prune: true,
            allow_destructive,
            allow_mass_prune,
            ..Options::default()
        }
    }

    fn plan_for(
        desired: &State,
        allow_destructive: bool,
        allow_mass_prune: bool,
    ) -> super::super::Plan {
        let (live, owned) = owned_world();
        diff(
            desired,
            &read(live, owned),
            &options(allow_destructive, allow_mass_prune),
        )
    }

    /// The desired state keeps the named collections (with their index)
    /// and functions of the owned world.
    fn keep(collections: &[&str], functions: &[&str]) -> State {
        let (mut state, _) = owned_world();
        state
            .collections
            .retain(|name, _| collections.contains(&name.as_str()));
        state
            .functions
            .retain(|name, _| functions.contains(&name.as_str()));
        state
    }

    #[test]
    fn half_or_less_is_an_ordinary_prune() {
        // Drops c and d with their indexes (4) and one function: 5 of 10.
        let plan = plan_for(&keep(&["a", "b"], &["FEATURES::F_V1"]), true, false);
        assert_eq!(plan.changes.len(), 3, "{:#?}", plan.changes);
        assert_eq!(plan.blocked().count(), 0, "{:#?}", plan.changes);
    }

    #[test]
    fn more_than_half_blocks_every_delete_with_the_counts() {
        // Drops b, c, d with their indexes (6) and one function: 7 of 10.
        let plan = plan_for(&keep(&["a"], &["FEATURES::F_V1"]), true, false);
        assert_eq!(plan.changes.len(), 4);
        for change in &plan.changes {
            assert_eq!(
                change.blocked.as_deref(),
                Some(
                    "the prune would delete 7 of the 10 objects arangosync owns in this database, \
                     more than half, as a missing or partly mounted spec directory would; check \
                     --dir, and pass --allow-mass-prune if this is intended"
                ),
                "{change:#?}"
            );
        }
        let allowed = plan_for(&keep(&["a"], &["FEATURES::F_V1"]), true, true);
        assert_eq!(allowed.changes.len(), 4);
        assert_eq!(allowed.blocked().count(), 0);
    }

    #[test]
    fn blocked_collection_deletes_count_and_keep_their_own_reason() {
        // Without --allow-destructive the collection drops are blocked for
        // data loss, and still count: 7 of 10.
        let plan = plan_for(&keep(&["a"], &["FEATURES::F_V1"]), false, false);
        let collection = plan
            .changes
            .iter()
            .find(|change| change.address == super::Address::Collection("b".into()))
            .expect("b is deleted");
        let reason = collection.blocked.as_deref().expect("blocked");
        assert!(
            reason.starts_with("deleting collection b would delete all its documents; pass --allow-destructive with --prune to allow it; also, the prune would delete 7 of the 10 objects"),
            "{reason}"
        );
        // --allow-mass-prune lifts only the mass block.
        let allowed = plan_for(&keep(&["a"], &["FEATURES::F_V1"]), false, true);
        assert_eq!(allowed.blocked().count(), 3);
        assert!(allowed.blocked().all(|change| !change
            .blocked
            .as_deref()
            .unwrap_or("")
            .contains("more than half")));
    }

    #[test]
    fn graphs_are_dropped_before_collections() {
        use super::super::model::{Stage, Step};
        let drop = |address: super::Address, step: Step| super::Change {
            address,
            action: super::Action::Delete,
            reason: String::new(),
            fields: Vec::new(),
            steps: vec![step],
            blocked: None,
            destructive: false,
            risk: None,
        };
        let graph = drop(
            super::Address::Graph("g".into()),
            Step::DropGraph { graph: "g".into() },
        );
        let collection = drop(
            super::Address::Collection("c".into()),
            Step::DropCollection {
                collection: "c".into(),
                prototype: false,
            },
        );
        assert_eq!(graph.stage(), Stage::GraphDrops);
        assert!(graph.stage() < collection.stage());
        assert!(Stage::StateCollection < Stage::GraphDrops);
    }

    #[test]
    fn without_prune_nothing_is_counted_or_blocked() {
        let (live, owned) = owned_world();
        let plan = diff(
            &State::default(),
            &read(live, owned),
            &Options {
                database: "features".into(),
                ..Options::default()
            },
        );
        assert_eq!(plan.changes, vec![]);
    }

    #[test]
    fn unowned_objects_are_not_counted() {
        let (live, mut owned) = owned_world();
        owned.collections.clear();
        owned.indexes.clear();
        // Only the two functions are arangosync's; deleting one is half.
        let desired = keep(&["a", "b", "c", "d"], &["FEATURES::F_V1"]);
        let share = super::share(
            &diff(
                &desired,
                &read(live.clone(), owned.clone()),
                &options(true, false),
            )
            .changes,
            &live,
            &owned,
        );
        assert_eq!(
            share,
            super::Share {
                removed: 1,
                owned: 2
            }
        );
        assert!(!share.is_mass());
    }

    #[test]
    fn without_prune_what_a_prune_would_delete_is_a_note() {
        let (live, owned) = owned_world();
        let mut desired = keep(&["a", "b"], &["FEATURES::F_V1", "FEATURES::G_V1"]);
        // b keeps its collection but loses its index.
        if let Some(b) = desired.collections.get_mut("b") {
            b.indexes.clear();
        }
        let plain = Options {
            prune: false,
            ..options(false, false)
        };
        let notes: Vec<(String, String)> = super::kept_notes(&desired, &live, &owned, &plain)
            .into_iter()
            .map(|note| (note.address.to_string(), note.message))
            .collect();
        let kept = "not in the specs; kept (unmanaged). --prune deletes it".to_string();
        let with_documents = "not in the specs; kept (unmanaged). --prune --allow-destructive deletes it with its documents".to_string();
        assert_eq!(
            notes,
            [
                ("index b/idx_b".to_string(), kept),
                ("collection c".to_string(), with_documents.clone()),
                ("collection d".to_string(), with_documents),
            ]
        );
        // With --prune they are the deletes, not notes.
        assert!(super::kept_notes(&desired, &live, &owned, &options(true, true)).is_empty());
        // What arangosync did not create gets no note.
        assert!(super::kept_notes(&desired, &live, &Ownership::default(), &plain).is_empty());
    }

    #[test]
    fn the_plan_lists_the_kept_notes_after_the_function_notes() {
        let (live, owned) = owned_world();
        let mut desired = keep(&["a", "b"], &["FEATURES::F_V1"]);
        if let Some(b) = desired.collections.get_mut("b") {
            b.indexes.clear();
        }
        let plan = diff(
            &desired,
            &read(live, owned),
            &Options {
                database: "features".into(),
                ..Options::default()
            },
        );
        let notes: Vec<String> = plan
            .notes
            .iter()
            .map(|note| note.address.to_string())
            .collect();
        assert_eq!(
            notes,
            [
                "function FEATURES::G_V1",
                "index b/idx_b",
                "collection c",
                "collection d"
            ]
        );
    }
}
