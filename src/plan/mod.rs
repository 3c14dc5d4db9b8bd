//! The plan: what must change for the live database to match the specs, as
//! plain data computed by a pure function of (desired, live).
//!
//! Every change carries its address, action, the reason the action was
//! chosen, the attributes that differ (shown path by path, see
//! [`structural`]) and the exact steps `apply` will run in order;
//! `apply` never decides anything. A change that would destroy data or touch
//! something arangosync did not create is kept in the plan but `blocked`,
//! with the reason in plain words, so the user sees it before anything runs.

mod analyzers;
mod body;
mod capabilities;
mod collections;
mod conflicts;
pub mod definition;
mod functions;
mod graphs;
mod indexes;
pub mod lineage;
mod model;
mod pending;
mod prune;
mod renames;
pub mod risk;
pub mod saved;
pub mod structural;
pub mod targets;
mod vector;
mod views;

pub use model::{
    Action, Address, Body, Change, Compare, FieldChange, Note, PathChange, Phase, Plan, Stage,
    Step, FORMAT_VERSION,
};

pub use analyzers::view_users;

pub use pending::{Pending, PendingObject};

use std::collections::{BTreeMap, BTreeSet};

use crate::model::State;

/// What arangosync created, from its state collection: only these may be
/// dropped, and only with `--prune`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ownership {
    pub collections: BTreeSet<String>,
    /// (collection, index name)
    pub indexes: BTreeSet<(String, String)>,
    pub graphs: BTreeSet<String>,
    /// Analyzers, by bare name.
    pub analyzers: BTreeSet<String>,
    pub views: BTreeSet<String>,
}

impl Ownership {
    /// Whether arangosync's records name `owned`.
    pub fn contains(&self, owned: &crate::ownership::Owned) -> bool {
        use crate::ownership::Owned;
        match owned {
            Owned::Collection(name) => self.collections.contains(name),
            Owned::Index { collection, name } => {
                self.indexes.contains(&(collection.clone(), name.clone()))
            }
            Owned::Graph(name) => self.graphs.contains(name),
            Owned::Analyzer(name) => self.analyzers.contains(name),
            Owned::View(name) => self.views.contains(name),
        }
    }
}

/// The live side of a diff.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Live {
    /// `None` when the database does not exist yet.
    pub state: Option<State>,
    pub owned: Ownership,
    /// Whether arangosync's state collection exists.
    pub has_state_collection: bool,
    /// Names of the database's views (ArangoSearch and search-alias), which
    /// share one namespace with collections: a collection cannot be created
    /// under a view's name. `live::read` fills it from the views it reads
    /// (`State::views`); names listed here without a definition in the
    /// state (a view the reader could not read) still count.
    pub views: BTreeSet<String>,
    /// Pending ownership records: creates recorded but never confirmed.
    pub pending: Vec<Pending>,
    /// The analyzers the database has, by full name (`db::name`,
    /// `_system::name`, built-ins bare); read only when the specs name
    /// custom ones (`None`: not read).
    pub analyzers: Option<BTreeSet<String>>,
    /// The `_system` database's analyzers, by full name (`_system::name`),
    /// as another database's analyzer listing shows them; read with
    /// `analyzers`. Only saved plans use them (to fingerprint an analyzer
    /// of `_system` a view or inverted index names): the plan never
    /// changes another database's analyzers.
    pub system_analyzers: BTreeMap<String, crate::model::Analyzer>,
    /// The server planned against: read once per run from a live server,
    /// or the `--target-version` of an offline plan. `None`: unknown (an
    /// offline plan without a target), nothing is gated by version.
    pub server: Option<crate::server::Server>,
    /// Documents carrying a vector, per (collection, attribute path), counted
    /// up to the largest training threshold of the specs' vector indexes
    /// there; read only before 3.12.9, for the collections whose specs hold
    /// a vector index (`live::vector`): up to 3.12.8 a vector index cannot
    /// be created before enough vectors exist to train on (see
    /// `plan::vector`). A pair not listed has none (or does not exist).
    pub document_counts: BTreeMap<(String, String), u64>,
}

/// Choices the user made on the command line that change what is planned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    pub database: String,
    pub create_database: bool,
    pub prune: bool,
    pub allow_destructive: bool,
    /// Let a prune delete more than half of what arangosync owns
    /// (`--allow-mass-prune`); otherwise such deletes are blocked.
    pub allow_mass_prune: bool,
    /// The Git revision being applied, recorded with new registry entries.
    pub revision: Option<String>,
    /// The live side is another spec tree (`plan --offline-from`), which
    /// changes how reasons are worded.
    pub offline: bool,
    /// Every feature must be callable as an AQL user function
    /// (`--require-functions`): on a server without user functions the
    /// function changes are blocked, as for files with `Serve: function`.
    pub require_functions: bool,
}

impl Options {
    /// Why a create is planned.
    fn missing_reason(&self) -> String {
        if self.offline {
            "not in the base specs".into()
        } else {
            "not in the database".into()
        }
    }
}

/// Computes the plan. Pure: same inputs, same plan, in a stable order.
pub fn diff(desired: &State, live: &Live, options: &Options) -> Plan {
    let mut changes = Vec::new();
    let empty = State::default();
    // Both sides name analyzers as the server reports them (`db::x` of the
    // database in use is `x`), so one analyzer spelt two ways is no change.
    let desired = &desired.with_analyzers_as_reported(&options.database);
    let reported_live = live
        .state
        .as_ref()
        .map(|state| state.with_analyzers_as_reported(&options.database));
    let live_state = match &reported_live {
        Some(state) => state,
        None => {
            changes.push(database_change(options));
            &empty
        }
    };
    let (owned, settle) = pending::resolve(live_state, live);
    changes.extend(settle);
    let renamed = renames::resolve(desired, live_state, &owned, live.server.as_ref(), options);
    let (live_state, owned) = (&renamed.live, renamed.owned);
    changes.extend(renamed.changes);
    let mut notes = renamed.notes;
    // Planned (and its prune plan dropped) before the plan's own changes
    // are: never two plans' worth of changes at once. Listed where they
    // always were, after the function notes.
    let kept = prune::kept_notes(desired, live_state, &owned, options);
    collections::diff(desired, live_state, &owned, options, &mut changes);
    views::diff(
        desired,
        live_state,
        &owned,
        options,
        &mut changes,
        &mut notes,
    );
    graphs::diff(desired, live_state, &owned, options, &mut changes);
    renames::word_graph_creates(&renamed.graphs, &mut changes);
    views::rebuild_dependents(desired, live_state, &owned, &mut changes);
    // Analyzer changes depend on the index, view and collection drops
    // planned above.
    let analyzer_changes = analyzers::diff(desired, live_state, &owned, options, &changes);
    changes.extend(analyzer_changes);
    functions::diff(
        desired,
        live_state,
        live.server.as_ref(),
        options,
        &mut changes,
        &mut notes,
    );
    notes.extend(kept);
    let view_names: BTreeSet<String> = live
        .views
        .iter()
        .chain(live_state.views.keys())
        .cloned()
        .collect();
    conflicts::check(desired, live_state, &view_names, &owned, &mut changes);
    if let Some(analyzers) = &live.analyzers {
        conflicts::check_analyzers(&options.database, analyzers, desired, &mut changes);
    }
    if let Some(server) = &live.server {
        capabilities::check(server, &mut changes);
        indexes::check_shard_keys(server, desired, live_state, &mut changes);
    }
    vector::review(desired, live_state, live, &mut changes, &mut notes);
    prune::guard(&mut changes, live_state, &owned, options);
    let warnings = lineage::warnings(desired, live_state, &changes);
    let mut plan = Plan {
        format_version: model::FORMAT_VERSION,
        database: options.database.clone(),
        changes,
        notes,
        server: live.server.clone(),
        targets: Vec::new(),
        warnings,
    };
    if plan.has_writes() && !live.has_state_collection {
        plan.changes.insert(
            usize::from(live.state.is_none()),
            Change {
                address: Address::StateCollection,
                action: Action::Create,
                reason: "arangosync records what it creates here, so it never drops anything it did not create".into(),
                fields: Vec::new(),
                steps: vec![Step::CreateStateCollection],
                blocked: None,
                destructive: false,
                risk: None,
            },
        );
    }
    // The plan reads in the order apply runs it: stage by stage, each
    // stage's changes in the order they were planned (a stable sort).
    // Keyed once per change, with a small buffer of (stage, position)
    // pairs instead of the half-plan-sized one a stable merge sort of the
    // changes themselves takes; stable, as positions are unique.
    plan.changes.sort_by_cached_key(Change::stage);
    plan
}

fn database_change(options: &Options) -> Change {
    Change {
        address: Address::Database(options.database.clone()),
        action: Action::Create,
        reason: "the database does not exist".into(),
        fields: Vec::new(),
        steps: vec![Step::CreateDatabase {
            name: options.database.clone(),
        }],
        blocked: (!options.create_database).then(|| {
            "the database does not exist; pass --create-database to create it".to_string()
        }),
        destructive: false,
        risk: None,
    }
}

#[cfg(test)]
mod tests;
