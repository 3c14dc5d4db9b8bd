//! Vector indexes and training: what the plan says about a vector index
//! the server cannot create yet, or has created but not trained.
//!
//! Facts (ArangoDB 3.12 docs, "Vector indexes" and the vector index HTTP
//! API; the emulator's `indexes/vector.rs`):
//! * up to 3.12.8 the index is trained while it is created, so the create
//!   fails until the collection holds at least `nLists` documents with a
//!   vector (the training threshold; `minNLists` for the scaling form);
//! * from 3.12.9 it can be created first and trains once the threshold is
//!   reached; meanwhile it reports `trainingState` (`unusable`, later
//!   `ready`) and an `errorMessage`.
//!
//! So on a server up to 3.12.8 a vector index to create or replace while
//! fewer documents carry a vector in its attribute than the threshold is
//! *deferred*: the change becomes a [`Note`] (no write, so a second plan is
//! empty and `apply` exits 0; a replaced index stays as it is), and a later
//! run makes it. With enough vectors a create is planned with
//! `deferrable: true`, since the server may still find too few it can train
//! on (vectors of another dimension): apply then reports the server's "not
//! enough training data" answer as a deferral, not a failure. A replace is
//! never deferrable: when it drops the old index first, a deferral would
//! leave none, so apply reports such a refusal as a failure. From 3.12.9 on,
//! an existing index that is not ready is reported as a note with its state.
//!
//! The counts are of documents with a non-null value at the indexed
//! attribute, up to the threshold (`Live::document_counts`, read by
//! `live::vector` before 3.12.9).

use serde_json::Value;

use super::model::{Action, Address, Change, Note, Step};
use super::Live;
use crate::model::State;
use crate::server::{Source, Version};

/// The first release that creates a vector index before it can train it.
const TRAINS_LATER: Version = Version::new(3, 12, 9);

/// How many documents the training of a vector index create body waits
/// for: a fixed `nLists`, or the `minNLists` of the scaling form. `None`
/// when `nLists` is absent (3.12.10 defaults; never deferred) or unreadable.
pub fn training_threshold(body: &Value) -> Option<u64> {
    crate::live::vector::params_threshold(&body["params"])
}

/// Defers the vector index creates the server cannot run yet, marks the
/// others deferrable, and notes the existing vector indexes that are not
/// trained. See the module notes.
pub(super) fn review(
    desired: &State,
    live_state: &State,
    live: &Live,
    changes: &mut Vec<Change>,
    notes: &mut Vec<Note>,
) {
    // A server that cannot hold vector indexes at all refuses them for
    // another reason (the capabilities check), not for want of vectors; an
    // offline target (`--target-version`) has no documents to count.
    let live_server = live
        .server
        .as_ref()
        .filter(|server| server.vector_index && server.source == Source::Live);
    if let Some(server) = live_server {
        if !server.version.at_least(TRAINS_LATER) {
            defer(server.version, live, changes, notes);
        }
    }
    not_ready(desired, live_state, changes, notes);
}

/// The vector index create of a change: (collection, body parsed).
fn vector_create(change: &mut Change) -> Option<(&str, Value, &mut bool)> {
    change.steps.iter_mut().find_map(|step| match step {
        Step::CreateIndex {
            collection,
            body,
            deferrable,
        } if body.string("type").as_deref() == Some("vector") => {
            Some((collection.as_str(), body.value(), deferrable))
        }
        _ => None,
    })
}

fn defer(version: Version, live: &Live, changes: &mut Vec<Change>, notes: &mut Vec<Note>) {
    changes.retain_mut(|change| {
        // A create the server refuses anyway (the capabilities check: an
        // option this version lacks) stays blocked, never deferred.
        if change.blocked.is_some() {
            return true;
        }
        let address = change.address.clone();
        let replace = change.action == Action::Replace;
        let Some((collection, body, deferrable)) = vector_create(change) else {
            return true;
        };
        let Some(threshold) = training_threshold(&body) else {
            return true;
        };
        let field = body["fields"][0].as_str().unwrap_or("?");
        let counted = (collection.to_string(), field.to_string());
        let count = live.document_counts.get(&counted).copied().unwrap_or(0);
        if count >= threshold {
            // A replace is never deferred at apply time: see the module notes.
            *deferrable = !replace;
            return true;
        }
        let (makes, kept) = if replace {
            ("replaces it", " Until then the index there stays as it is.")
        } else {
            ("creates it", "")
        };
        notes.push(Note {
            address,
            message: format!(
                "deferred: ArangoDB {version} trains a vector index when it creates it, on at \
                 least {threshold} document(s) with a vector in `{field}` (nLists); collection \
                 {collection} has {count} such document(s) now. A later run {makes} once they \
                 are stored.{kept}"
            ),
        });
        false
    });
}

/// Notes on live vector indexes the specs keep (not replaced or dropped by
/// this plan) whose `trainingState` is not `ready`.
fn not_ready(desired: &State, live_state: &State, changes: &[Change], notes: &mut Vec<Note>) {
    for (name, collection) in &desired.collections {
        let Some(have) = live_state.collections.get(name) else {
            continue;
        };
        for index in have
            .indexes
            .iter()
            .filter(|index| index.index_type == "vector")
        {
            let Some(state) = index.options.get("trainingState").and_then(Value::as_str) else {
                continue;
            };
            if state == "ready"
                || !collection
                    .indexes
                    .iter()
                    .any(|want| want.satisfied_by(index))
            {
                continue;
            }
            let index_name = index.name.clone().unwrap_or_default();
            let address = Address::Index {
                collection: name.clone(),
                index: index_name,
            };
            if changes.iter().any(|change| change.address == address) {
                continue;
            }
            let reason = index
                .options
                .get("errorMessage")
                .and_then(Value::as_str)
                .filter(|message| !message.is_empty())
                .map(|message| format!(": {message}"))
                .unwrap_or_default();
            notes.push(Note {
                address,
                message: format!(
                    "not ready: trainingState {state}{reason}; queries cannot use it until the \
                     server has trained it"
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::{Collection, CollectionType, Index};
    use crate::plan::{diff, FieldChange, Options, Plan};
    use crate::server::Server;

    /// The index a spec line gives, through the spec loader.
    fn spec_index(line: &str) -> Index {
        let text = format!(
            "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata: {{name: products}}\nspec:\n  indexes:\n    - {line}\n"
        );
        let loaded = crate::spec::load_contents(std::path::Path::new("t.yaml"), text.into_bytes());
        assert!(loaded.diagnostics.0.is_empty(), "{:?}", loaded.diagnostics);
        loaded.state.collections["products"].indexes[0].clone()
    }

    const SPEC: &str = "{type: vector, name: idx_emb, fields: [embedding], parallelism: 2, \
                        params: {metric: cosine, dimension: 8, nLists: 2}}";

    fn state(indexes: Vec<Index>) -> State {
        let mut collection = Collection::new("products", CollectionType::Document);
        collection.indexes = indexes;
        State {
            collections: [("products".to_string(), collection)].into(),
            ..State::default()
        }
    }

    fn plan(version: &str, want: Vec<Index>, have: Vec<Index>, count: Option<u64>) -> Plan {
        let version = version.parse().unwrap();
        let live = Live {
            state: Some(state(have)),
            has_state_collection: true,
            server: Some(Server {
                source: Source::Live,
                ..Server::target(version)
            }),
            document_counts: count
                .map(|count| [(("products".to_string(), "embedding".to_string()), count)].into())
                .unwrap_or_default(),
            owned: crate::plan::Ownership {
                indexes: [("products".to_string(), "idx_emb".to_string())].into(),
                ..Default::default()
            },
            ..Live::default()
        };
        let options = Options {
            database: "features".into(),
            ..Options::default()
        };
        diff(&state(want), &live, &options)
    }

    fn create_deferrable(plan: &Plan) -> bool {
        let [change] = plan.changes.as_slice() else {
            panic!("one change: {plan:?}");
        };
        assert_eq!(change.action, Action::Create);
        match &change.steps[..] {
            [Step::CreateIndex {
                deferrable, body, ..
            }] => {
                assert_eq!(
                    body.value()["parallelism"],
                    json!(2),
                    "sent with the create"
                );
                *deferrable
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn too_few_documents_up_to_3_12_8_defer_the_create() {
        for count in [None, Some(1)] {
            let planned = plan("3.12.8", vec![spec_index(SPEC)], vec![], count);
            assert!(planned.changes.is_empty(), "{planned:?}");
            assert_eq!(
                planned.notes,
                [Note {
                    address: Address::Index {
                        collection: "products".into(),
                        index: "idx_emb".into()
                    },
                    message: format!(
                        "deferred: ArangoDB 3.12.8 trains a vector index when it creates it, on at \
                         least 2 document(s) with a vector in `embedding` (nLists); collection \
                         products has {} such document(s) now. A later run creates it once \
                         they are stored.",
                        count.unwrap_or(0)
                    ),
                }]
            );
        }
    }

    #[test]
    fn enough_documents_up_to_3_12_8_make_a_deferrable_create() {
        assert!(create_deferrable(&plan(
            "3.12.4",
            vec![spec_index(SPEC)],
            vec![],
            Some(2)
        )));
        // The scaling form arrives in 3.12.10: before, the create is
        // blocked as unsupported (the capabilities check), never deferred.
        let scaling = "{type: vector, name: idx_emb, fields: [embedding], parallelism: 2, \
                       params: {metric: cosine, dimension: 8, nLists: {strategy: autoSqrt, multiplier: 1, minNLists: 5}}}";
        let refused = plan("3.12.8", vec![spec_index(scaling)], vec![], Some(4));
        assert_eq!(refused.changes.len(), 1);
        assert!(refused.changes[0].blocked.is_some() && refused.notes.is_empty());
    }

    #[test]
    fn an_offline_target_or_a_server_without_vector_indexes_defers_nothing() {
        let mut live = Live {
            state: Some(state(vec![])),
            has_state_collection: true,
            server: Some(Server::target("3.12.8".parse().unwrap())),
            ..Live::default()
        };
        let options = Options {
            database: "features".into(),
            ..Options::default()
        };
        let offline = diff(&state(vec![spec_index(SPEC)]), &live, &options);
        assert!(!create_deferrable(&offline) && offline.notes.is_empty());
        live.server = Some(Server {
            vector_index: false,
            source: Source::Live,
            ..Server::target("3.12.8".parse().unwrap())
        });
        let without = diff(&state(vec![spec_index(SPEC)]), &live, &options);
        assert!(!create_deferrable(&without) && without.notes.is_empty());
    }

    #[test]
    fn from_3_12_9_the_create_is_planned_whatever_the_count() {
        for version in ["3.12.9", "3.12.10"] {
            assert!(!create_deferrable(&plan(
                version,
                vec![spec_index(SPEC)],
                vec![],
                None
            )));
        }
    }

    /// What the emulator (3.12.10) reports for `SPEC` on an empty
    /// collection: params completed, not trained yet.
    fn read_back(training: &str, error: Option<&str>) -> Index {
        let mut value = json!({
            "id": "products/12", "name": "idx_emb", "type": "vector", "fields": ["embedding"],
            "params": {"dimension": 8, "metric": "cosine", "nLists": 2, "defaultNProbe": 1,
                       "trainingIterations": 25, "numberOfDocsPerCentroid": 100},
            "sparse": false, "unique": false, "trainingState": training,
        });
        if let Some(error) = error {
            value["errorMessage"] = json!(error);
        }
        crate::live::index_from_api("products", &value).unwrap()
    }

    #[test]
    fn an_index_that_is_not_trained_is_noted_not_changed() {
        let unusable = read_back(
            "unusable",
            Some("not enough training data for vector index"),
        );
        let planned = plan("3.12.10", vec![spec_index(SPEC)], vec![unusable], None);
        assert!(planned.changes.is_empty(), "{planned:?}");
        assert_eq!(
            planned.notes,
            [Note {
                address: Address::Index {
                    collection: "products".into(),
                    index: "idx_emb".into()
                },
                message: "not ready: trainingState unusable: not enough training data for \
                          vector index; queries cannot use it until the server has trained it"
                    .into(),
            }]
        );
        let ready = read_back("ready", None);
        let planned = plan("3.12.10", vec![spec_index(SPEC)], vec![ready], None);
        assert!(
            planned.changes.is_empty() && planned.notes.is_empty(),
            "{planned:?}"
        );
    }

    #[test]
    fn server_identity_of_vector_indexes() {
        let want = spec_index(SPEC);
        // The read-back has more params (3.12.10 defaults) and no
        // parallelism: the same index for the server, and satisfied.
        let live = read_back("ready", None);
        assert!(want.same_server_identity(&live) && live.same_server_identity(&want));
        assert!(want.satisfied_by(&live));
        let sparse = spec_index(&SPEC.replace("fields:", "sparse: true, fields:"));
        assert!(!sparse.same_server_identity(&live));
        let other = spec_index(&SPEC.replace("metric: cosine", "metric: l2"));
        assert!(!other.same_server_identity(&live) && !other.satisfied_by(&live));
        // Another name and parallelism alone: the same index.
        let renamed = spec_index(
            &SPEC
                .replace("idx_emb", "idx_other")
                .replace("parallelism: 2", "parallelism: 4"),
        );
        assert!(renamed.same_server_identity(&want));
    }

    #[test]
    fn a_changed_vector_index_is_replaced_and_its_read_back_fields_ignored() {
        let changed = SPEC.replace("dimension: 8", "dimension: 16");
        let planned = plan(
            "3.12.10",
            vec![spec_index(&changed)],
            vec![read_back("ready", None)],
            None,
        );
        let [change] = planned.changes.as_slice() else {
            panic!("{planned:?}");
        };
        assert_eq!(change.action, Action::Replace);
        assert_eq!(
            serde_json::to_value(
                change
                    .fields
                    .iter()
                    .flat_map(FieldChange::paths)
                    .collect::<Vec<_>>()
            )
            .unwrap(),
            json!([{"field": "params", "path": "params.dimension", "op": "replace",
                    "before": 8, "after": 16}])
        );
        // A replace of an unready index is the replace, not a note.
        assert!(planned.notes.is_empty());
    }

    #[test]
    fn up_to_3_12_8_a_replace_waits_for_the_vectors_and_is_never_deferrable() {
        let changed = SPEC.replace("nLists: 2", "nLists: 3");
        let mut have = read_back("ready", None);
        have.options.remove("trainingState");
        // Two vectors for a threshold of 3: the old index stays, noted.
        let planned = plan(
            "3.12.8",
            vec![spec_index(&changed)],
            vec![have.clone()],
            Some(2),
        );
        assert!(planned.changes.is_empty(), "{planned:?}");
        assert_eq!(
            planned.notes[0].message,
            "deferred: ArangoDB 3.12.8 trains a vector index when it creates it, on at least 3 \
             document(s) with a vector in `embedding` (nLists); collection products has 2 such \
             document(s) now. A later run replaces it once they are stored. Until then the index \
             there stays as it is."
        );
        // Enough vectors: the replace, whose create apply never defers.
        let planned = plan("3.12.8", vec![spec_index(&changed)], vec![have], Some(3));
        let [change] = planned.changes.as_slice() else {
            panic!("{planned:?}");
        };
        assert_eq!((change.action, &change.blocked), (Action::Replace, &None));
        assert!(change.steps.iter().all(|step| !matches!(
            step,
            Step::CreateIndex {
                deferrable: true,
                ..
            }
        )));
        assert!(planned.notes.is_empty());
    }
}
