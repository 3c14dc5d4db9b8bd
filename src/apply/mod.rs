//! Executes a plan, running its changes concurrently up to a bound. It
//! decides nothing: every request comes from a `Step` in the plan. Only
//! how is chosen here: a stage's registry entries (state documents) go in
//! one bulk insert, each still reported as its own change.
//!
//! Order: stages run one after the other (database, state collection,
//! ownership, renames, graph and view drops, ..., properties, views,
//! graphs, analyzer drops, functions, registry; see `Stage`), a stage's
//! changes starting once every change of the stage before has ended,
//! except for the analyzers, collections, dependent collections and
//! indexes, which run as one group where a change starts as soon as what
//! it needs has succeeded (`waits`): analyzer changes and collection
//! changes at once; a dependent collection change (`distributeShardsLike`)
//! after every collection change; an index change after every analyzer
//! change (an inverted index can use one) and after the changes of its own
//! collection, not those of the others. Within a stage or the group,
//! changes start in the order they became ready (plan order among those
//! ready at once).
//!
//! At most `Limits::changes` changes run at once, and of them at most
//! `Limits::index_builds` index creates on collections that exist before
//! the run: the server builds each over the collection's documents, the
//! heavy part of an apply to a database in use. An index on a collection
//! the same run creates builds over none and counts only towards the first
//! bound, so a first apply runs many at once without a day-2 apply
//! building as many indexes over data.
//!
//! Each step is idempotent towards a re-run: creations that find their
//! object already there (a previous run crashed after the request) count as
//! done, drops that find nothing to drop count as done. On the first failure
//! no new change starts (in its stage or group, nor in any later one);
//! changes already running finish, and the report says what was done and
//! what was not: a change waiting for a failed one never starts.
//!
//! A stop request (`interrupt`: SIGTERM, SIGINT, or a lost apply lock) works
//! the same way: no change starts after it, running changes get until the
//! stop's `abandon_at` to finish and are abandoned after that; the report
//! names the abandoned ones, whose outcome is unknown.
//!
//! Ownership is never lost between a create request and its answer:
//! before the run's first create (after the Ownership and Renames stages,
//! whose settling of an earlier run's pending records may delete a key a
//! create of this run records again), bulk inserts write a pending record
//! (an `Intent`: the object and its exact create request) for every create
//! of the plan, in chunks of `RECORDS_PER_REQUEST` sent a few at once
//! (`RECORD_REQUESTS_AT_ONCE`). From then on a drop whose object the run
//! also creates (a replace that drops, then creates, in one change) leaves
//! the record alone. The ownership records that replace the pending ones
//! are written the same way when the run ends, also when changes failed or
//! the run was stopped (not once the apply lock is lost); after them, the
//! pending records settled otherwise (a create refused, or an unnamed index
//! the server named) are deleted, and so are those of the creates the run
//! never sent (an earlier failure or a stop; `Records::withdraw`: one
//! written over an ownership record the plan was made with, as for a
//! replace or the indexes of a replaced collection, becomes that ownership
//! record again), so that nothing someone makes
//! under such a name later is taken for arangosync's. So an ownership
//! record may come late, never a pending one: a run that fails or is
//! stopped leaves pending records only for creates sent without an answer
//! (failed without one, or abandoned); a run that dies (or loses the lock)
//! leaves one for every create of the plan not confirmed, also those never
//! sent. The next plan settles each from the live state alone
//! (`plan::pending`): an object there as intended is owned, and an intent
//! whose object is not there is dropped and the create planned again; a
//! replace never sent keeps the old object owned. Records cost a
//! handful of requests per run, not one per created object.
//!
//! Index creates are not bound by the per-request timeout: ArangoDB
//! answers `POST /_api/index` when the index is built, which can take
//! minutes; apply waits. What a waiting run shows meanwhile (a progress
//! bar, log lines with the elapsed time) is the caller's business: the
//! executor only reports, through `Progress`, when each change and each of
//! its steps starts and when each change ends.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::Method;
use serde_json::{json, Value};
use tokio::task::JoinSet;

use crate::client::{encode_segment, Client, ClientError};
use crate::interrupt::{Interrupt, Reason};
use crate::live::index_from_api;
use crate::ownership::{registry_key, Intended, Intent, Owned, STATE_COLLECTION};
use crate::plan::{Action, Address, Change, Ownership, Plan, Stage, Step};

/// Ownership records per bulk insert: large enough that a first apply of
/// thousands of objects needs a handful of requests, small enough to keep
/// each request body well under a megabyte.
const RECORDS_PER_REQUEST: usize = 1000;

/// Bulk inserts of state documents under way at once, at most (within
/// `--concurrency`): each holds up to `RECORDS_PER_REQUEST` documents with
/// their exact create requests, about 2 MB as JSON values, so the pending
/// records of a first apply of thousands of objects sent all at once would
/// raise its peak memory by tens of megabytes to save a few round trips.
const RECORD_REQUESTS_AT_ONCE: usize = 4;

/// What happened to each change of an applied plan.
#[derive(Debug, Default)]
pub struct Report {
    pub done: Vec<Address>,
    pub failed: Vec<(Address, ClientError)>,
    /// Changes never started because an earlier one failed or the run
    /// was stopped.
    pub not_started: Vec<Address>,
    /// Changes still running when a stop's grace ran out: abandoned, their
    /// outcome unknown.
    pub abandoned: Vec<Address>,
    /// Why the run was stopped early, if it was.
    pub stopped: Option<Reason>,
    /// Vector index creates the plan marked `deferrable` that the server
    /// refused for want of training data (up to 3.12.8), with its answer:
    /// not failures, a later run creates them.
    pub deferred: Vec<(Address, String)>,
}

impl Report {
    /// The changes of `plan` (the plan this report is of) that were
    /// carried out, for counting them as the plan counts its changes.
    /// `done` holds addresses; one object can have two changes (a view
    /// dropped in an early stage and created again in a later one), so
    /// done addresses are matched to changes in the order stages run.
    pub fn applied<'a>(&self, plan: &'a Plan) -> Vec<&'a Change> {
        // How often each address was done (an object may have two
        // changes), counted down as changes claim them: linear in the plan.
        let mut unclaimed: std::collections::BTreeMap<&Address, usize> = Default::default();
        for address in &self.done {
            *unclaimed.entry(address).or_default() += 1;
        }
        let mut in_order: Vec<&Change> = plan.changes.iter().collect();
        in_order.sort_by_key(|change| change.stage());
        in_order
            .into_iter()
            .filter(|change| match unclaimed.get_mut(&change.address) {
                Some(count) if *count > 0 => {
                    *count -= 1;
                    true
                }
                _ => false,
            })
            .collect()
    }

    pub fn succeeded(&self) -> bool {
        self.failed.is_empty()
            && self.not_started.is_empty()
            && self.abandoned.is_empty()
            && self.stopped.is_none()
    }
}

/// What one change's task came back with.
enum Outcome {
    Ran(Result<(), ClientError>),
    /// The run was stopped before the change started.
    NotStarted,
}

/// Progress notifications, for logs and progress bars: the observer the
/// caller hands to `execute`. It is told, never asked: nothing it does
/// changes what the executor does. Calls come from the tasks that run
/// the changes, several at once (`concurrency`), so an implementation
/// must be cheap and must not block.
///
/// For each change that starts: `started`, then `step_started` for each
/// step as it is sent (in plan order; a change stops at its first failed
/// step), then exactly one of `finished` or `deferred`. Changes that never
/// start (an earlier failure, a stop) get no call.
pub trait Progress: Send + Sync {
    fn started(&self, change: &Change);
    /// `change.steps[index]` is about to be sent; the change's previous
    /// step, if any, has succeeded.
    fn step_started(&self, change: &Change, index: usize);
    fn finished(&self, change: &Change, outcome: &Result<(), ClientError>);
    /// A deferrable vector index create the server refused for want of
    /// training data (`Report::deferred`): not done, not failed.
    fn deferred(&self, change: &Change, answer: &str);
}

/// How many changes run at once (`apply --concurrency`, `--index-builds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Changes at once; 0 counts as 1.
    pub changes: usize,
    /// Of those, index creates on a collection the plan does not create
    /// (nor replace): the server builds each over the collection's
    /// documents, the heavy part of an apply on a database in use, while
    /// an index on a collection created in the same run builds over none.
    /// 0 counts as 1.
    pub index_builds: usize,
}

impl Limits {
    /// One change at a time.
    pub const ONE: Limits = Limits {
        changes: 1,
        index_builds: 1,
    };
}

/// Applies `plan`; cannot be stopped early.
pub async fn execute(
    client: &Client,
    plan: Arc<Plan>,
    limits: Limits,
    progress: Arc<dyn Progress>,
) -> Report {
    execute_until(
        client,
        plan,
        limits,
        &Ownership::default(),
        progress,
        &Interrupt::never(),
    )
    .await
}

/// What one task runs, by position in the plan's changes: a change, or a
/// stage's registry entries in one bulk insert.
#[derive(Debug, Clone)]
enum Work {
    One(usize),
    Entries(Vec<usize>),
}

impl Work {
    /// The changes the work carries out, in plan order.
    fn positions(&self) -> &[usize] {
        match self {
            Work::One(position) => std::slice::from_ref(position),
            Work::Entries(positions) => positions,
        }
    }
}

/// What a task comes back with: per change, its address, outcome and
/// ledger.
type Results = Vec<(Address, Outcome, Ledger)>;

/// What a task shares with the run: the plan it reads its changes
/// from, and where it reports.
struct Task {
    client: Client,
    plan: Arc<Plan>,
    progress: Arc<dyn Progress>,
    interrupt: Interrupt,
    /// The keys of the run's pending records (`Ledger::intended`).
    intended: Arc<HashSet<String>>,
    /// Set once the work has started (for telling abandoned changes from
    /// ones that never started).
    began: Arc<AtomicBool>,
}

impl Task {
    /// Runs `work`.
    async fn run(self, work: Work) -> Results {
        let changes: Vec<&Change> = work
            .positions()
            .iter()
            .map(|&position| &self.plan.changes[position])
            .collect();
        if self.interrupt.stopped().is_some() {
            return changes
                .iter()
                .map(|change| {
                    (
                        change.address.clone(),
                        Outcome::NotStarted,
                        Ledger::default(),
                    )
                })
                .collect();
        }
        self.began.store(true, Ordering::SeqCst);
        let progress = self.progress.as_ref();
        let Work::One(_) = work else {
            for change in &changes {
                progress.started(change);
                progress.step_started(change, 0);
            }
            let outcomes = write_registry_entries(&self.client, &changes).await;
            return changes
                .iter()
                .zip(outcomes)
                .map(|(change, outcome)| {
                    progress.finished(change, &outcome);
                    (
                        change.address.clone(),
                        Outcome::Ran(outcome),
                        Ledger::default(),
                    )
                })
                .collect();
        };
        let mut results = Vec::with_capacity(1);
        for change in changes {
            progress.started(change);
            let mut ledger = Ledger {
                intended: self.intended.clone(),
                ..Ledger::default()
            };
            let outcome = run_change(&self.client, change, &mut ledger, progress).await;
            match (&outcome, &ledger.deferred) {
                (Ok(()), Some(answer)) => progress.deferred(change, answer),
                _ => progress.finished(change, &outcome),
            }
            results.push((change.address.clone(), Outcome::Ran(outcome), ledger));
        }
        results
    }
}

/// Applies `plan` until `interrupt` asks to stop (see the module notes).
///
/// At most `limits.changes` changes run at once, `limits.index_builds` of
/// them index creates over existing documents, and only those are tasks: a
/// change is started (in the order changes became ready) when its waits
/// (`waits`) are done and a running one ends. The tasks share `plan` and
/// read their change from it; nothing of a change is copied for its task.
pub async fn execute_until(
    client: &Client,
    plan: Arc<Plan>,
    limits: Limits,
    owned_before: &Ownership,
    progress: Arc<dyn Progress>,
    interrupt: &Interrupt,
) -> Report {
    let mut report = Report::default();
    let concurrency = limits.changes.max(1);
    let index_builds = limits.index_builds.max(1);
    // The ownership records of the groups run so far, not yet written.
    let mut unwritten = Records::default();
    // The keys of the run's pending records, once they are written: until
    // then no drop has a pending record to leave alone.
    let mut intended: Arc<HashSet<String>> = Arc::default();
    let mut intents_written = false;
    // Per change of the plan: whether its requests may have been sent (it
    // started, or was abandoned running). The pending records of creates
    // never sent are taken back when the run ends (`Records::withdraw`).
    let mut sent = vec![false; plan.changes.len()];
    for positions in groups(&plan.changes) {
        let changes: Vec<&Change> = positions
            .iter()
            .map(|&position| &plan.changes[position])
            .collect();
        if !report.failed.is_empty() || interrupt.stopped().is_some() {
            report
                .not_started
                .extend(changes.iter().map(|change| change.address.clone()));
            continue;
        }
        if !intents_written && changes.iter().any(|change| creates(change)) {
            // The first group with creates: the pending records of every
            // create of the run are written now, once (module notes).
            intents_written = true;
            let keys: HashSet<String> = intents(&plan.changes).map(|intent| intent.key()).collect();
            if let Err(err) = write_intents(client, &plan.changes, concurrency).await {
                report.failed.push((Address::StateCollection, err));
                report
                    .not_started
                    .extend(changes.iter().map(|change| change.address.clone()));
                continue;
            }
            intended = Arc::new(keys);
        }
        let mut schedule = Schedule::new(&plan.changes, positions);
        let mut tasks: JoinSet<Results> = JoinSet::new();
        // The running tasks: which work each carries, and whether it began.
        let mut running: HashMap<tokio::task::Id, (usize, Arc<AtomicBool>)> = HashMap::new();
        // How many of them build an index over existing documents.
        let mut building = 0;
        let mut created = Vec::new();
        let mut settled = Vec::new();
        let mut watcher = interrupt.clone();
        loop {
            // Start what is ready, up to `concurrency` running; a place is
            // free once its task's end was seen here.
            while tasks.len() < concurrency && schedule.has_ready() {
                if !report.failed.is_empty() || interrupt.stopped().is_some() {
                    // A failure or a stop: nothing more starts.
                    report.not_started.extend(schedule.cancel());
                    break;
                }
                let Some(work) = schedule.next_ready(building < index_builds) else {
                    break;
                };
                if schedule.builds(work) {
                    building += 1;
                }
                for &position in schedule.work(work).positions() {
                    sent[position] = true;
                }
                let began = Arc::new(AtomicBool::new(false));
                let task = Task {
                    client: client.clone(),
                    plan: plan.clone(),
                    progress: progress.clone(),
                    interrupt: interrupt.clone(),
                    intended: intended.clone(),
                    began: began.clone(),
                };
                let handle = tasks.spawn(task.run(schedule.work(work)));
                running.insert(handle.id(), (work, began));
            }
            if tasks.is_empty() {
                break;
            }
            tokio::select! {
                biased;
                Some(joined) = tasks.join_next_with_id() => match joined {
                    Ok((id, results)) => {
                        let finished = running.remove(&id).map(|(work, _)| work);
                        if finished.is_some_and(|work| schedule.builds(work)) {
                            building -= 1;
                        }
                        let positions = finished
                            .map(|work| schedule.work(work).positions().to_vec())
                            .unwrap_or_default();
                        let mut succeeded = true;
                        for (index, (address, outcome, ledger)) in results.into_iter().enumerate() {
                            if let (Outcome::NotStarted, Some(&position)) =
                                (&outcome, positions.get(index))
                            {
                                sent[position] = false;
                            }
                            created.extend(ledger.created);
                            settled.extend(ledger.settled);
                            match outcome {
                                Outcome::Ran(Ok(())) => match ledger.deferred {
                                    Some(answer) => report.deferred.push((address, answer)),
                                    None => report.done.push(address),
                                },
                                Outcome::Ran(Err(err)) => {
                                    succeeded = false;
                                    report.failed.push((address, err));
                                }
                                Outcome::NotStarted => {
                                    succeeded = false;
                                    report.not_started.push(address);
                                }
                            }
                        }
                        if let (Some(work), true) = (finished, succeeded) {
                            schedule.done(work);
                        }
                    }
                    Err(err) => {
                        // The task panicked: its changes failed, their
                        // outcome (and their records) unknown.
                        let addresses = match running.remove(&err.id()) {
                            Some((work, _)) => {
                                if schedule.builds(work) {
                                    building -= 1;
                                }
                                schedule.addresses(work)
                            }
                            None => vec![Address::Database(plan.database.clone())],
                        };
                        report.failed.extend(addresses.into_iter().map(|address| {
                            (
                                address,
                                ClientError::Config(format!("an apply task failed: {err}")),
                            )
                        }));
                    }
                },
                stop = watcher.abandon() => {
                    // The grace is over: abandon what still runs.
                    tasks.abort_all();
                    while tasks.join_next().await.is_some() {}
                    report.stopped = Some(stop.reason);
                    for (work, began) in running.drain().map(|(_, each)| each) {
                        let addresses = schedule.addresses(work);
                        if began.load(Ordering::SeqCst) {
                            report.abandoned.extend(addresses);
                        } else {
                            for &position in schedule.work(work).positions() {
                                sent[position] = false;
                            }
                            report.not_started.extend(addresses);
                        }
                    }
                    break;
                }
            }
        }
        // What waits for its turn (or for a change that failed) never
        // started.
        report.not_started.extend(schedule.cancel());
        let now: Arc<str> = now_rfc3339().into();
        unwritten
            .created
            .extend(created.into_iter().map(|owned| (owned, now.clone())));
        unwritten.settled.extend(settled);
    }
    // The records of what was created are written also after a failure or
    // a signal (the lease is still ours), but not once the lease is lost:
    // the pending records stay, and the next run settles them.
    let lease_lost = interrupt
        .stopped()
        .is_some_and(|stop| stop.reason == Reason::LeaseLost);
    if !lease_lost {
        if intents_written {
            let never_sent = plan
                .changes
                .iter()
                .zip(&sent)
                .filter(|(_, sent)| !**sent)
                .map(|(change, _)| change);
            unwritten.withdraw(never_sent, owned_before, &now_rfc3339().into());
        }
        if let Err(err) = unwritten.write(client, concurrency).await {
            report.failed.push((Address::StateCollection, err));
        }
    }
    if report.stopped.is_none() && !report.not_started.is_empty() {
        report.stopped = interrupt.stopped().map(|stop| stop.reason);
    }
    report
}

/// The stages whose changes start as soon as what they need is done
/// (`waits`) instead of after the whole stage before them.
const OVERLAPPING: [Stage; 4] = [
    Stage::Analyzers,
    Stage::Collections,
    Stage::DependentCollections,
    Stage::Indexes,
];

/// The plan's changes by position, in the groups they run in, in order: a
/// group per stage, except that the `OVERLAPPING` stages form one group.
/// Within a group, positions are in stage order, then plan order.
fn groups(changes: &[Change]) -> Vec<Vec<usize>> {
    let mut positions: Vec<usize> = (0..changes.len()).collect();
    // Stable: plan order within a stage.
    positions.sort_by_key(|&position| changes[position].stage());
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut last: Option<(Stage, bool)> = None;
    for position in positions {
        let stage = changes[position].stage();
        let overlapping = OVERLAPPING.contains(&stage);
        let same = match last {
            Some((previous, was_overlapping)) => {
                previous == stage || (overlapping && was_overlapping)
            }
            None => false,
        };
        match groups.last_mut() {
            Some(group) if same => group.push(position),
            _ => groups.push(vec![position]),
        }
        last = Some((stage, overlapping));
    }
    groups
}

/// What a change waits for before it starts.
#[derive(Debug, Default, Clone, PartialEq)]
struct Waits {
    /// Every change of the Analyzers stage (an inverted index can use an
    /// analyzer).
    every_analyzer: bool,
    /// Every change of the Collections stage (a collection that places its
    /// shards like another needs its prototype; a prototype is dropped
    /// after its followers).
    every_collection: bool,
    /// These changes, by position in the plan: an index's collection's own
    /// changes.
    changes: Vec<usize>,
}

/// What each change of `group` (positions in `changes`, from `groups`)
/// waits for, in the group's order: an analyzer change and a Collections
/// change nothing; a DependentCollections change every Collections change;
/// an index change every analyzer change and the changes of its own
/// collection (Collections or DependentCollections). A change of any other
/// stage is alone in its group with its stage and waits for nothing there.
fn waits(changes: &[Change], group: &[usize]) -> Vec<Waits> {
    let mut of_collection: HashMap<&str, Vec<usize>> = HashMap::new();
    for &position in group {
        let change = &changes[position];
        if let (Address::Collection(name), Stage::Collections | Stage::DependentCollections) =
            (&change.address, change.stage())
        {
            of_collection.entry(name).or_default().push(position);
        }
    }
    group
        .iter()
        .map(|&position| {
            let change = &changes[position];
            match (change.stage(), &change.address) {
                (Stage::DependentCollections, _) => Waits {
                    every_collection: true,
                    ..Waits::default()
                },
                (Stage::Indexes, Address::Index { collection, .. }) => Waits {
                    every_analyzer: true,
                    changes: of_collection
                        .get(collection.as_str())
                        .cloned()
                        .unwrap_or_default(),
                    ..Waits::default()
                },
                _ => Waits::default(),
            }
        })
        .collect()
}

/// Which works of a group may start, in order: a work is ready once what
/// it waits for (`waits`) has succeeded. Works are numbered in the order
/// they were made (registry entries first, then the group's order).
struct Schedule<'a> {
    changes: &'a [Change],
    works: Vec<Work>,
    waits: Vec<Waits>,
    /// Per work, how many of its `Waits::changes` have not succeeded.
    unmet: Vec<usize>,
    /// Per work, the works whose `Waits::changes` name it.
    dependents: Vec<Vec<usize>>,
    /// Analyzers and Collections stage works not yet succeeded.
    analyzers_left: usize,
    collections_left: usize,
    /// Works waiting for every analyzer, or for every collection.
    after_analyzers: Vec<usize>,
    after_collections: Vec<usize>,
    /// Per work: queued as ready, started or cancelled (never again).
    taken: Vec<bool>,
    /// Per work: whether it builds an index over existing documents
    /// (`Limits::index_builds`).
    builds: Vec<bool>,
    /// Ready works, in order: index builds over existing documents, and
    /// the others.
    ready_builds: std::collections::VecDeque<usize>,
    ready: std::collections::VecDeque<usize>,
}

impl<'a> Schedule<'a> {
    /// The schedule of `group` (from `groups`). A group's registry entries
    /// (two or more) are state documents: they go in one bulk insert, one
    /// work, instead of one request each.
    fn new(changes: &'a [Change], group: Vec<usize>) -> Schedule<'a> {
        let mut waits_of: HashMap<usize, Waits> = group
            .iter()
            .copied()
            .zip(waits(changes, &group))
            .filter(|(_, waits)| *waits != Waits::default())
            .collect();
        let (entries, ones): (Vec<usize>, Vec<usize>) = group
            .into_iter()
            .partition(|&position| registry_only(&changes[position]));
        let works: Vec<Work> = if entries.len() < 2 {
            [entries, ones]
                .concat()
                .into_iter()
                .map(Work::One)
                .collect()
        } else {
            std::iter::once(Work::Entries(entries))
                .chain(ones.into_iter().map(Work::One))
                .collect()
        };
        let work_of: HashMap<usize, usize> = works
            .iter()
            .enumerate()
            .filter_map(|(index, work)| match work {
                Work::One(position) => Some((*position, index)),
                Work::Entries(_) => None,
            })
            .collect();
        let count = works.len();
        let builds = builds_over_documents(changes, &works);
        let mut schedule = Schedule {
            changes,
            waits: Vec::with_capacity(count),
            unmet: vec![0; count],
            dependents: vec![Vec::new(); count],
            analyzers_left: 0,
            collections_left: 0,
            after_analyzers: Vec::new(),
            after_collections: Vec::new(),
            taken: vec![false; count],
            builds,
            ready_builds: Default::default(),
            ready: Default::default(),
            works,
        };
        for index in 0..count {
            let waits = match &schedule.works[index] {
                Work::One(position) => waits_of.remove(position).unwrap_or_default(),
                Work::Entries(_) => Waits::default(),
            };
            for position in &waits.changes {
                if let Some(&on) = work_of.get(position) {
                    schedule.unmet[index] += 1;
                    schedule.dependents[on].push(index);
                }
            }
            if waits.every_analyzer {
                schedule.after_analyzers.push(index);
            }
            if waits.every_collection {
                schedule.after_collections.push(index);
            }
            match schedule.stage(index) {
                Some(Stage::Analyzers) => schedule.analyzers_left += 1,
                Some(Stage::Collections) => schedule.collections_left += 1,
                _ => {}
            }
            schedule.waits.push(waits);
        }
        for index in 0..count {
            schedule.release(index);
        }
        schedule
    }

    /// The stage of a work of one change.
    fn stage(&self, work: usize) -> Option<Stage> {
        match &self.works[work] {
            Work::One(position) => Some(self.changes[*position].stage()),
            Work::Entries(_) => None,
        }
    }

    /// Queues `work` as ready if what it waits for has succeeded.
    fn release(&mut self, work: usize) {
        let waits = &self.waits[work];
        let free = !self.taken[work]
            && self.unmet[work] == 0
            && (!waits.every_analyzer || self.analyzers_left == 0)
            && (!waits.every_collection || self.collections_left == 0);
        if free {
            self.taken[work] = true;
            match self.builds[work] {
                true => self.ready_builds.push_back(work),
                false => self.ready.push_back(work),
            }
        }
    }

    fn has_ready(&self) -> bool {
        !self.ready.is_empty() || !self.ready_builds.is_empty()
    }

    /// Whether `work` builds an index over existing documents.
    fn builds(&self, work: usize) -> bool {
        self.builds[work]
    }

    /// The next work to start, the first in order among those ready; an
    /// index build over existing documents only when `build` allows one.
    fn next_ready(&mut self, build: bool) -> Option<usize> {
        match (self.ready.front(), self.ready_builds.front()) {
            (Some(other), Some(index)) if build && index < other => self.ready_builds.pop_front(),
            (Some(_), _) => self.ready.pop_front(),
            (None, Some(_)) if build => self.ready_builds.pop_front(),
            _ => None,
        }
    }

    fn work(&self, work: usize) -> Work {
        self.works[work].clone()
    }

    fn addresses(&self, work: usize) -> Vec<Address> {
        self.works[work]
            .positions()
            .iter()
            .map(|&position| self.changes[position].address.clone())
            .collect()
    }

    /// `work` succeeded: what waited for it may become ready.
    fn done(&mut self, work: usize) {
        for dependent in std::mem::take(&mut self.dependents[work]) {
            self.unmet[dependent] -= 1;
            self.release(dependent);
        }
        match self.stage(work) {
            Some(Stage::Analyzers) => {
                self.analyzers_left -= 1;
                if self.analyzers_left == 0 {
                    for waiting in std::mem::take(&mut self.after_analyzers) {
                        self.release(waiting);
                    }
                }
            }
            Some(Stage::Collections) => {
                self.collections_left -= 1;
                if self.collections_left == 0 {
                    for waiting in std::mem::take(&mut self.after_collections) {
                        self.release(waiting);
                    }
                }
            }
            _ => {}
        }
    }

    /// Takes every work not started (ready or waiting) out of the
    /// schedule: the addresses of their changes, in the works' order.
    fn cancel(&mut self) -> Vec<Address> {
        let mut works: Vec<usize> = self.ready.drain(..).collect();
        works.extend(self.ready_builds.drain(..));
        for work in 0..self.works.len() {
            if !self.taken[work] {
                self.taken[work] = true;
                works.push(work);
            }
        }
        works.sort_unstable();
        works
            .into_iter()
            .flat_map(|work| self.addresses(work))
            .collect()
    }
}

/// Per work: whether it creates an index on a collection that exists
/// before the run, which the server builds over the collection's documents
/// (`Limits::index_builds`). An index on a collection the same plan creates
/// or replaces (both leave it empty) is not such a build.
fn builds_over_documents(changes: &[Change], works: &[Work]) -> Vec<bool> {
    let emptied: HashSet<&str> = changes
        .iter()
        .filter(|change| matches!(change.action, Action::Create | Action::Replace))
        .filter_map(|change| match &change.address {
            Address::Collection(name) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    works
        .iter()
        .map(|work| match work {
            Work::One(position) => {
                let change = &changes[*position];
                let creates_index = change
                    .steps
                    .iter()
                    .any(|step| matches!(step, Step::CreateIndex { .. }));
                match &change.address {
                    Address::Index { collection, .. } => {
                        creates_index && !emptied.contains(collection.as_str())
                    }
                    _ => false,
                }
            }
            Work::Entries(_) => false,
        })
        .collect()
}

/// What a change's steps did to ownership, for the records written when
/// the run ends.
#[derive(Debug, Default)]
struct Ledger {
    /// Keys of the run's pending records once they are written (empty
    /// before): a drop of such an object leaves the record alone (the
    /// create confirms it).
    intended: Arc<HashSet<String>>,
    /// What was created, also when a later step failed.
    created: Vec<Owned>,
    /// Pending records settled otherwise than by an ownership record under
    /// their own key: a create the server named, or one it refused.
    settled: Vec<String>,
    /// The server's answer to a deferrable vector index create it refused
    /// for want of training data; the change's later steps do not run.
    deferred: Option<String>,
    /// An index was dropped by an earlier step of the change (a replace
    /// that drops first): a refusal of its create is then never a deferral.
    dropped_index: bool,
}

/// Runs a change's steps in order.
async fn run_change(
    client: &Client,
    change: &Change,
    ledger: &mut Ledger,
    progress: &dyn Progress,
) -> Result<(), ClientError> {
    for (index, step) in change.steps.iter().enumerate() {
        if ledger.deferred.is_some() {
            // A deferred create: a drop after it would leave no index.
            break;
        }
        progress.step_started(change, index);
        let outcome = run_step(client, step, ledger).await;
        if let (Err(err), Some(intent)) = (&outcome, intent_of(step, false)) {
            // The server answered with a refusal: the create did not happen.
            if err
                .status()
                .is_some_and(|status| (400..500).contains(&status))
            {
                ledger.settled.push(intent.key());
            }
        }
        outcome?;
    }
    Ok(())
}

/// Whether the server refused a vector index create because the
/// collection holds too few vectors to train on (up to 3.12.8, where the
/// index is trained while it is created). ArangoDB passes Faiss's
/// assertion text on ("Number of training points (n) should be at least
/// as large as number of clusters (k)"); later versions say "not enough
/// training data". Only a 400 with one of these texts counts.
fn lacks_training_data(err: &ClientError) -> bool {
    let ClientError::Api {
        status: 400,
        message,
        ..
    } = err
    else {
        return false;
    };
    message.contains("Number of training points") || message.contains("not enough training data")
}

/// The failure of a vector index create the server could not train and
/// the plan did not mark deferrable (a replace): says whether the old
/// index is gone and what to do.
fn untrained(body: &Value, dropped: bool, err: &ClientError) -> ClientError {
    let field = body["fields"][0].as_str().unwrap_or("?");
    let params = &body["params"];
    let enough = match (
        crate::live::vector::params_threshold(params),
        params["dimension"].as_u64(),
    ) {
        (Some(threshold), Some(dimension)) => {
            format!("at least {threshold} documents with a vector of {dimension} numbers")
        }
        _ => "enough documents with a vector".to_string(),
    };
    let old = if dropped {
        "the old index was dropped first, so the collection has no such index now"
    } else {
        "the old index is still there"
    };
    ClientError::Config(format!(
        "the server could not train the new vector index ({err}); {old}. Store {enough} in \
         `{field}` and run apply again, or put the previous definition back in the specs and \
         apply it"
    ))
}

/// The pending record of a create step.
fn intent_of(step: &Step, supersedes_owned: bool) -> Option<Intent> {
    // Collection and index bodies are kept as text: parsed back, they are
    // the request as sent, member for member.
    let (subject, definition) = match step {
        Step::CreateCollection { body, .. } => {
            let body = body.value();
            (
                Intended::Collection(body["name"].as_str()?.to_string()),
                body,
            )
        }
        Step::CreateIndex {
            collection, body, ..
        } => {
            let body = body.value();
            let name = body["name"].as_str().map(str::to_string);
            let collection = collection.clone();
            (Intended::Index { collection, name }, body)
        }
        Step::CreateGraph { body } => (
            Intended::Graph(body["name"].as_str()?.to_string()),
            body.clone(),
        ),
        Step::CreateAnalyzer { body } => (
            Intended::Analyzer(body["name"].as_str()?.to_string()),
            body.clone(),
        ),
        Step::CreateView { body } => (
            Intended::View(body["name"].as_str()?.to_string()),
            body.clone(),
        ),
        _ => return None,
    };
    Some(Intent {
        subject,
        definition,
        supersedes_owned,
    })
}

/// The ownership record a drop step removes.
fn dropped(step: &Step) -> Option<Owned> {
    match step {
        Step::DropCollection { collection, .. } => Some(Owned::Collection(collection.clone())),
        Step::DropIndex {
            collection, name, ..
        } => Some(Owned::Index {
            collection: collection.clone(),
            name: name.clone(),
        }),
        Step::DropGraph { graph } => Some(Owned::Graph(graph.clone())),
        Step::DropAnalyzer { name, .. } => Some(Owned::Analyzer(name.clone())),
        Step::DropView { view } => Some(Owned::View(view.clone())),
        _ => None,
    }
}

/// The pending records of the creates of `changes`. A create that follows
/// a drop of the same name in its change replaces an object arangosync
/// owned.
fn intents<'a, I>(changes: I) -> impl Iterator<Item = Intent> + use<'a, I>
where
    I: IntoIterator<Item = &'a Change>,
{
    // Made one change at a time, as they are used: the run's intents are
    // never held all at once (each carries a copy of its create's body).
    changes.into_iter().flat_map(|change| {
        let mut intents = Vec::new();
        let mut drops = HashSet::new();
        for step in &change.steps {
            if let Some(owned) = dropped(step) {
                drops.insert(owned.key());
            }
            if let Some(mut intent) = intent_of(step, false) {
                intent.supersedes_owned = drops.contains(&intent.key());
                intents.push(intent);
            }
        }
        intents
    })
}

/// Whether a change creates an object (has a step with a pending record,
/// see `intent_of`).
fn creates(change: &Change) -> bool {
    change.steps.iter().any(|step| {
        matches!(
            step,
            Step::CreateCollection { .. }
                | Step::CreateIndex { .. }
                | Step::CreateGraph { .. }
                | Step::CreateAnalyzer { .. }
                | Step::CreateView { .. }
        )
    })
}

/// Whether a change only writes a registry entry (see `write_registry_entries`).
fn registry_only(change: &Change) -> bool {
    matches!(change.steps.as_slice(), [Step::WriteRegistryEntry { .. }])
}

/// The registry entry document of a `WriteRegistryEntry` step, applied at
/// `now`.
fn registry_document(entry: &Value, now: &str) -> Value {
    let function = entry["function"].as_str().unwrap_or_default();
    let mut document = entry.clone();
    document["_key"] = Value::from(registry_key(function));
    document["type"] = Value::from("feature");
    document["appliedAt"] = Value::from(now);
    document
}

/// Writes the entries of `changes` (each `registry_only`) in bulk inserts
/// (per `RECORDS_PER_REQUEST`; keys derive from the function, so
/// `overwriteMode=replace` makes a repeat harmless); the outcome of each
/// change, in order: a failed request fails the changes it carried, an
/// error object in the answer the one change it stands for.
async fn write_registry_entries(
    client: &Client,
    changes: &[&Change],
) -> Vec<Result<(), ClientError>> {
    let path = format!("/_api/document/{STATE_COLLECTION}");
    let now = now_rfc3339();
    let mut outcomes = Vec::with_capacity(changes.len());
    for chunk in changes.chunks(RECORDS_PER_REQUEST) {
        let documents: Vec<Value> = chunk
            .iter()
            .filter_map(|change| match change.steps.as_slice() {
                [Step::WriteRegistryEntry { entry }] => Some(registry_document(entry, &now)),
                _ => None,
            })
            .collect();
        let answer = client
            .call(
                Method::POST,
                &path,
                &[("overwriteMode", "replace".to_string())],
                Some(&Value::Array(documents)),
            )
            .await;
        let results = match answer {
            Ok(response) => response.body.as_array().cloned().unwrap_or_default(),
            Err(err) => {
                outcomes.extend(chunk.iter().map(|_| Err(err.clone())));
                continue;
            }
        };
        for index in 0..chunk.len() {
            let result = results.get(index).unwrap_or(&Value::Null);
            outcomes.push(if result["error"].as_bool() == Some(true) {
                Err(inserted_error(
                    &path,
                    result,
                    500,
                    "a registry entry was not written",
                ))
            } else {
                Ok(())
            });
        }
    }
    outcomes
}

/// Ownership records of the changes that ran, written when the run ends,
/// and the keys of the pending records they settle otherwise
/// (`Ledger::settled`), deleted once the records are written.
#[derive(Debug, Default)]
struct Records {
    /// What was created, with when its stage (or group) ended: made into ownership
    /// records as they are written.
    created: Vec<(Owned, Arc<str>)>,
    settled: Vec<String>,
}

impl Records {
    /// Takes back the pending records of `never_sent`, changes whose
    /// requests were never sent (an earlier failure, a stop): their creates
    /// made nothing, so nothing made under those names meanwhile (by hand)
    /// may later be taken for arangosync's. A pending record that replaced
    /// an ownership record (one of `owned_before`, the records the run's
    /// plan was made with: a replace that drops first, or an index of
    /// a collection the plan replaces) becomes that ownership record again,
    /// dated `now`: the object under the name was arangosync's before the
    /// run and still is; the others are deleted, except where this run
    /// created the object after all.
    fn withdraw<'a>(
        &mut self,
        never_sent: impl Iterator<Item = &'a Change>,
        owned_before: &Ownership,
        now: &Arc<str>,
    ) {
        let mut never_sent = intents(never_sent).peekable();
        if never_sent.peek().is_none() {
            // A run that sent everything: nothing to take back, and no
            // need to key what it created.
            return;
        }
        let created: HashSet<String> = self.created.iter().map(|(owned, _)| owned.key()).collect();
        for intent in never_sent {
            match intent.named() {
                Some(owned) if intent.supersedes_owned || owned_before.contains(&owned) => {
                    self.created.push((owned, now.clone()))
                }
                _ => {
                    let key = intent.key();
                    if !created.contains(&key) {
                        self.settled.push(key);
                    }
                }
            }
        }
    }

    /// Writes the records in bulk inserts of `RECORDS_PER_REQUEST`, a few
    /// at once (`record_concurrently`), then deletes the settled pending records (an
    /// ownership record is in place before the pending record it replaces
    /// under another key is gone).
    async fn write(self, client: &Client, concurrency: usize) -> Result<(), ClientError> {
        let records = self
            .created
            .into_iter()
            .map(|(owned, at)| owned.to_document(&at));
        record_concurrently(client, records, concurrency).await?;
        forget_all(client, &self.settled).await
    }
}

/// Writes the pending records of every create of `changes` (the run's
/// plan) before the first of them is sent: bulk inserts of
/// `RECORDS_PER_REQUEST`, a few at once (`record_concurrently`).
async fn write_intents(
    client: &Client,
    changes: &[Change],
    concurrency: usize,
) -> Result<(), ClientError> {
    let now = now_rfc3339();
    let documents = intents(changes).map(move |intent| intent.to_document(&now));
    record_concurrently(client, documents, concurrency).await
}

/// Treats one server error number as success (the object is already in
/// the state the step wants).
fn tolerate(
    result: Result<crate::client::Response, ClientError>,
    error_num: u64,
) -> Result<Option<Value>, ClientError> {
    match result {
        Ok(response) => Ok(Some(response.body)),
        Err(err) if err.error_num() == Some(error_num) => Ok(None),
        Err(err) => Err(err),
    }
}

/// After a create of a named index answered 1005 (the name is taken): the
/// index under that name, if it is the one `body` describes. That happens
/// when an earlier attempt of the same create reached the server but its
/// answer was lost, and the retry meets the index it made: ArangoDB 3.12.6+
/// answers a repeated create of a named inverted index with 1005 instead of
/// returning the existing index. The index is compared as the plan compares
/// (what `body` states, as the server normalises it), so a different index
/// under the name is still an error.
async fn adopt_index(
    client: &Client,
    collection: &str,
    body: &Value,
) -> Result<Option<Value>, ClientError> {
    const INDEX_NOT_FOUND: u64 = 1212;
    let Some(name) = body["name"].as_str() else {
        return Ok(None);
    };
    let path = format!(
        "/_api/index/{}/{}",
        encode_segment(collection),
        encode_segment(name)
    );
    let Some(existing) = tolerate(
        client.call(Method::GET, &path, &[], None).await,
        INDEX_NOT_FOUND,
    )?
    else {
        return Ok(None);
    };
    let (Some(want), Some(have)) = (
        index_from_api(collection, body),
        index_from_api(collection, &existing),
    ) else {
        return Ok(None);
    };
    Ok(want.satisfied_by(&have).then_some(existing))
}

/// Carries out `Step::CreateDatabase`: creates database `name` (through
/// `_system`); a database of that name found there already (1207) counts
/// as done. `Ok(true)` when this request created it (the server answered
/// 201), `Ok(false)` when it existed: created by someone else, or by an
/// earlier attempt of this request whose answer was lost.
pub async fn create_database(client: &Client, name: &str) -> Result<bool, ClientError> {
    const DUPLICATE_NAME: u64 = 1207;
    let created = tolerate(
        client
            .for_database("_system")
            .call(
                Method::POST,
                "/_api/database",
                &[],
                Some(&json!({"name": name})),
            )
            .await,
        DUPLICATE_NAME,
    )?;
    Ok(created.is_some())
}

async fn run_step(client: &Client, step: &Step, ledger: &mut Ledger) -> Result<(), ClientError> {
    const DUPLICATE_NAME: u64 = 1207;
    const NOT_FOUND: u64 = 1203;
    const INDEX_NOT_FOUND: u64 = 1212;
    const GRAPH_DUPLICATE: u64 = 1925;
    const GRAPH_NOT_FOUND: u64 = 1924;
    const FUNCTION_NOT_FOUND: u64 = 1582;
    const DOCUMENT_NOT_FOUND: u64 = 1202;
    const DUPLICATE_IDENTIFIER: u64 = 1005;
    const ANALYZER_NOT_FOUND: u64 = 1202;
    match step {
        Step::CreateDatabase { name } => {
            create_database(client, name).await?;
        }
        Step::CreateStateCollection => {
            let body = json!({"name": STATE_COLLECTION, "isSystem": true, "waitForSync": true});
            tolerate(
                client
                    .call(Method::POST, "/_api/collection", &[], Some(&body))
                    .await,
                DUPLICATE_NAME,
            )?;
        }
        Step::CreateCollection { body, .. } => {
            let body = &body.value();
            let name = body["name"].as_str().unwrap_or_default().to_string();
            tolerate(
                client
                    .call(Method::POST, "/_api/collection", &[], Some(body))
                    .await,
                DUPLICATE_NAME,
            )?;
            ledger.created.push(Owned::Collection(name));
        }
        Step::UpdateProperties { collection, body } => {
            let path = format!("/_api/collection/{}/properties", encode_segment(collection));
            client.call(Method::PUT, &path, &[], Some(body)).await?;
        }
        Step::RenameCollection { collection, name } => {
            // A repeated rename after a lost answer meets no collection
            // under the old name (1203): the rename was done.
            let path = format!("/_api/collection/{}/rename", encode_segment(collection));
            tolerate(
                client
                    .call(Method::PUT, &path, &[], Some(&json!({"name": name})))
                    .await,
                NOT_FOUND,
            )?;
        }
        Step::DropCollection { collection, .. } => {
            let path = format!("/_api/collection/{}", encode_segment(collection));
            tolerate(
                client.call(Method::DELETE, &path, &[], None).await,
                NOT_FOUND,
            )?;
            forget(client, &Owned::Collection(collection.clone()), ledger).await?;
        }
        Step::CreateIndex {
            collection,
            body,
            deferrable,
        } => {
            let body = &body.value();
            // The server answers when the index is built: no per-request
            // timeout (the caller's `Progress` shows the wait).
            let query = [("collection", collection.clone())];
            let result = client
                .patient()
                .call(Method::POST, "/_api/index", &query, Some(body))
                .await;
            let index = match result {
                Ok(response) => response.body,
                Err(err) if err.error_num() == Some(DUPLICATE_IDENTIFIER) => {
                    adopt_index(client, collection, body).await?.ok_or(err)?
                }
                Err(err) if *deferrable && !ledger.dropped_index && lacks_training_data(&err) => {
                    // Refused, so nothing was created: the pending record
                    // is settled, and the next run plans the create again.
                    if let Some(intent) = intent_of(step, false) {
                        ledger.settled.push(intent.key());
                    }
                    ledger.deferred = Some(err.to_string());
                    return Ok(());
                }
                Err(err) if lacks_training_data(&err) => {
                    if let Some(intent) = intent_of(step, false) {
                        ledger.settled.push(intent.key());
                    }
                    return Err(untrained(body, ledger.dropped_index, &err));
                }
                Err(err) => return Err(err),
            };
            // The server's "ensure" answers a definition it already holds
            // under another name with that index: nothing was created, and
            // recording (or later dropping) the other index as this one
            // would lose it. The plan drops such an index first; meeting
            // one here means the database changed or the rule differs.
            if let (Some(wanted), Some(got)) = (body["name"].as_str(), index["name"].as_str()) {
                if wanted != got && index["isNewlyCreated"] == Value::Bool(false) {
                    if let Some(intent) = intent_of(step, false) {
                        ledger.settled.push(intent.key());
                    }
                    return Err(ClientError::Config(format!(
                        "the server answered the create of index {collection}/{wanted} with its \
                         existing index {collection}/{got}, which it takes for the same \
                         definition; nothing was created. Drop or rename {got} first, or \
                         give {wanted} a definition that differs"
                    )));
                }
            }
            if let Some(name) = index["name"].as_str() {
                ledger.created.push(Owned::Index {
                    collection: collection.clone(),
                    name: name.to_string(),
                });
            }
            if let Some(intent) = intent_of(step, false).filter(|intent| intent.named().is_none()) {
                ledger.settled.push(intent.key());
            }
        }
        Step::DropIndex {
            collection,
            id,
            name,
        } => {
            let path = format!(
                "/_api/index/{}",
                id.split('/')
                    .map(encode_segment)
                    .collect::<Vec<_>>()
                    .join("/")
            );
            tolerate(
                client.call(Method::DELETE, &path, &[], None).await,
                INDEX_NOT_FOUND,
            )?;
            ledger.dropped_index = true;
            forget(
                client,
                &Owned::Index {
                    collection: collection.clone(),
                    name: name.clone(),
                },
                ledger,
            )
            .await?;
        }
        Step::CreateGraph { body } => {
            let name = body["name"].as_str().unwrap_or_default().to_string();
            tolerate(
                client
                    .call(Method::POST, "/_api/gharial", &[], Some(body))
                    .await,
                GRAPH_DUPLICATE,
            )?;
            ledger.created.push(Owned::Graph(name));
        }
        Step::AddEdgeDefinition { graph, body } => {
            let path = format!("/_api/gharial/{}/edge", encode_segment(graph));
            client.call(Method::POST, &path, &[], Some(body)).await?;
        }
        Step::ReplaceEdgeDefinition {
            graph,
            collection,
            body,
        } => {
            let path = format!(
                "/_api/gharial/{}/edge/{}",
                encode_segment(graph),
                encode_segment(collection)
            );
            client.call(Method::PUT, &path, &[], Some(body)).await?;
        }
        Step::RemoveEdgeDefinition { graph, collection } => {
            let path = format!(
                "/_api/gharial/{}/edge/{}",
                encode_segment(graph),
                encode_segment(collection)
            );
            client.call(Method::DELETE, &path, &[], None).await?;
        }
        Step::AddVertexCollection { graph, collection } => {
            let path = format!("/_api/gharial/{}/vertex", encode_segment(graph));
            client
                .call(
                    Method::POST,
                    &path,
                    &[],
                    Some(&json!({"collection": collection})),
                )
                .await?;
        }
        Step::RemoveVertexCollection { graph, collection } => {
            let path = format!(
                "/_api/gharial/{}/vertex/{}",
                encode_segment(graph),
                encode_segment(collection)
            );
            client.call(Method::DELETE, &path, &[], None).await?;
        }
        Step::DropGraph { graph } => {
            let path = format!("/_api/gharial/{}", encode_segment(graph));
            tolerate(
                client.call(Method::DELETE, &path, &[], None).await,
                GRAPH_NOT_FOUND,
            )?;
            forget(client, &Owned::Graph(graph.clone()), ledger).await?;
        }
        Step::RegisterFunction { name, code } => {
            let body = json!({"name": name, "code": code, "isDeterministic": false});
            client
                .call(Method::POST, "/_api/aqlfunction", &[], Some(&body))
                .await?;
        }
        Step::DeleteFunction { name } => {
            let path = format!("/_api/aqlfunction/{}", encode_segment(name));
            tolerate(
                client.call(Method::DELETE, &path, &[], None).await,
                FUNCTION_NOT_FOUND,
            )?;
        }
        Step::WriteRegistryEntry { entry } => {
            let path = format!("/_api/document/{STATE_COLLECTION}");
            client
                .call(
                    Method::POST,
                    &path,
                    &[("overwriteMode", "replace".to_string())],
                    Some(&registry_document(entry, &now_rfc3339())),
                )
                .await?;
        }
        Step::ConfirmOwnership { records } => {
            let now = now_rfc3339();
            let documents = records
                .iter()
                .map(|record| {
                    let mut document = record.clone();
                    document["createdAt"] = Value::from(now.clone());
                    document
                })
                .collect::<Vec<Value>>();
            record_all(client, documents.into_iter()).await?;
        }
        Step::ForgetIntents { keys } => forget_all(client, keys).await?,
        Step::CreateAnalyzer { body } => {
            // An identical analyzer under the name is answered with 200
            // (a re-run after a lost answer); another definition is 400/10.
            let name = body["name"].as_str().unwrap_or_default().to_string();
            client
                .call(Method::POST, "/_api/analyzer", &[], Some(body))
                .await?;
            ledger.created.push(Owned::Analyzer(name));
        }
        Step::DropAnalyzer { name, force } => {
            let path = format!("/_api/analyzer/{}", encode_segment(name));
            let query = [("force", force.to_string())];
            tolerate(
                client.call(Method::DELETE, &path, &query, None).await,
                ANALYZER_NOT_FOUND,
            )?;
            forget(client, &Owned::Analyzer(name.clone()), ledger).await?;
        }
        Step::CreateView { body } => {
            let name = body["name"].as_str().unwrap_or_default().to_string();
            match client
                .call(Method::POST, "/_api/view", &[], Some(body))
                .await
            {
                Ok(_) => {}
                // The name is taken: done only if a view holds it (an
                // earlier attempt whose answer was lost), not a collection.
                Err(err) if err.error_num() == Some(DUPLICATE_NAME) => {
                    let path = format!("/_api/view/{}", encode_segment(&name));
                    if client.call(Method::GET, &path, &[], None).await.is_err() {
                        return Err(err);
                    }
                }
                Err(err) => return Err(err),
            }
            ledger.created.push(Owned::View(name));
        }
        Step::UpdateViewProperties { view, body } => {
            let path = format!("/_api/view/{}/properties", encode_segment(view));
            client.call(Method::PATCH, &path, &[], Some(body)).await?;
        }
        Step::DropView { view } => {
            let path = format!("/_api/view/{}", encode_segment(view));
            tolerate(
                client.call(Method::DELETE, &path, &[], None).await,
                NOT_FOUND,
            )?;
            forget(client, &Owned::View(view.clone()), ledger).await?;
        }
        Step::DeleteRegistryEntry { function } => {
            let path = format!(
                "/_api/document/{STATE_COLLECTION}/{}",
                registry_key(function)
            );
            tolerate(
                client.call(Method::DELETE, &path, &[], None).await,
                DOCUMENT_NOT_FOUND,
            )?;
        }
    }
    Ok(())
}

fn now_rfc3339() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0);
    crate::time::rfc3339(seconds)
}

/// Writes state documents (ownership or pending records) in bulk, one
/// request after the other. Keys are derived from the subject, so
/// `overwriteMode=replace` makes a retried or repeated write harmless.
async fn record_all(
    client: &Client,
    documents: impl Iterator<Item = Value>,
) -> Result<(), ClientError> {
    record_concurrently(client, documents, 1).await
}

/// Writes state documents like `record_all`, with up to `concurrency` bulk
/// inserts at once, at most `RECORD_REQUESTS_AT_ONCE` (the documents are
/// independent). `documents` are made
/// one request's worth at a time, as a request can be sent. On the first
/// failure no request starts, the ones under way are awaited, and the
/// first failure is returned.
async fn record_concurrently(
    client: &Client,
    documents: impl Iterator<Item = Value>,
    concurrency: usize,
) -> Result<(), ClientError> {
    let joined = |joined: Result<Result<(), ClientError>, tokio::task::JoinError>| {
        joined.unwrap_or_else(|err| {
            Err(ClientError::Config(format!(
                "a state document write failed: {err}"
            )))
        })
    };
    let at_once = concurrency.clamp(1, RECORD_REQUESTS_AT_ONCE);
    let mut documents = documents.peekable();
    let mut requests: JoinSet<Result<(), ClientError>> = JoinSet::new();
    let mut failed = None;
    while failed.is_none() && documents.peek().is_some() {
        if requests.len() >= at_once {
            if let Some(done) = requests.join_next().await {
                failed = joined(done).err();
                continue;
            }
        }
        let chunk: Vec<Value> = documents.by_ref().take(RECORDS_PER_REQUEST).collect();
        requests.spawn(record_chunk(client.clone(), chunk));
    }
    // The writes under way are awaited, not cut off: one the server
    // already has could otherwise land after what the caller does next
    // (deleting the run's pending records).
    while let Some(done) = requests.join_next().await {
        if let Err(err) = joined(done) {
            failed.get_or_insert(err);
        }
    }
    failed.map_or(Ok(()), Err)
}

/// One bulk insert of state documents (`record_concurrently`).
async fn record_chunk(client: Client, documents: Vec<Value>) -> Result<(), ClientError> {
    let path = format!("/_api/document/{STATE_COLLECTION}");
    let response = client
        .call(
            Method::POST,
            &path,
            &[("overwriteMode", "replace".to_string())],
            Some(&Value::Array(documents)),
        )
        .await?;
    match bulk_failure(&response.body, None) {
        Some(failed) => Err(inserted_error(
            &path,
            failed,
            response.status,
            "an ownership record was not written",
        )),
        None => Ok(()),
    }
}

/// The first error object of a bulk answer, which is 2xx with an error
/// object in place of each document the server could not handle; one
/// whose `errorNum` is `tolerated` does not count.
fn bulk_failure(answer: &Value, tolerated: Option<u64>) -> Option<&Value> {
    answer.as_array().into_iter().flatten().find(|result| {
        result["error"].as_bool() == Some(true)
            && (tolerated.is_none() || result["errorNum"].as_u64() != tolerated)
    })
}

/// The error of one document a bulk insert (`POST` to `path`) could not
/// write: `result` is the error object standing in for it in the answer,
/// with its own `code` (else `status`), `errorNum` and `errorMessage`
/// (else `otherwise`).
fn inserted_error(path: &str, result: &Value, status: u16, otherwise: &str) -> ClientError {
    ClientError::Api {
        method: Method::POST.to_string(),
        path: path.to_string(),
        status: result["code"]
            .as_u64()
            .and_then(|code| u16::try_from(code).ok())
            .unwrap_or(status),
        error_num: result["errorNum"].as_u64().unwrap_or(0),
        message: result["errorMessage"]
            .as_str()
            .unwrap_or(otherwise)
            .to_string(),
    }
}

/// Deletes state documents by key in bulk; keys already gone are fine.
async fn forget_all(client: &Client, keys: &[String]) -> Result<(), ClientError> {
    const DOCUMENT_NOT_FOUND: u64 = 1202;
    let path = format!("/_api/document/{STATE_COLLECTION}");
    for chunk in keys.chunks(RECORDS_PER_REQUEST) {
        let response = client
            .call(Method::DELETE, &path, &[], Some(&json!(chunk)))
            .await?;
        if let Some(failed) = bulk_failure(&response.body, Some(DOCUMENT_NOT_FOUND)) {
            return Err(ClientError::Api {
                method: Method::DELETE.to_string(),
                path: path.clone(),
                status: response.status,
                error_num: failed["errorNum"].as_u64().unwrap_or(0),
                message: failed["errorMessage"]
                    .as_str()
                    .unwrap_or("a pending ownership record was not deleted")
                    .to_string(),
            });
        }
    }
    Ok(())
}

/// Deletes a dropped object's ownership record, unless a create of the run
/// took its name (its pending record must stay until confirmed).
async fn forget(client: &Client, owned: &Owned, ledger: &Ledger) -> Result<(), ClientError> {
    if ledger.intended.contains(&owned.key()) {
        return Ok(());
    }
    let path = format!("/_api/document/{STATE_COLLECTION}/{}", owned.key());
    tolerate(client.call(Method::DELETE, &path, &[], None).await, 1202)?;
    Ok(())
}

#[cfg(test)]
mod vector_tests {
    use super::*;

    fn refusal(status: u16, error_num: u64, message: &str) -> ClientError {
        ClientError::Api {
            method: "POST".into(),
            path: "/_api/index".into(),
            status,
            error_num,
            message: message.into(),
        }
    }

    #[test]
    fn only_the_training_data_refusal_defers() {
        assert!(lacks_training_data(&refusal(
            400,
            4,
            "Error: 'nx >= k' failed: Number of training points (1) should be at least as large as number of clusters (2)"
        )));
        assert!(lacks_training_data(&refusal(
            400,
            10,
            "not enough training data for vector index"
        )));
        assert!(!lacks_training_data(&refusal(
            400,
            10,
            "dimension must be a number of 1 or greater"
        )));
        assert!(!lacks_training_data(&refusal(
            500,
            4,
            "not enough training data for vector index"
        )));
        assert!(!lacks_training_data(&ClientError::Config(
            "not enough training data".into()
        )));
    }
}

#[cfg(test)]
mod report_tests {
    use super::*;
    use crate::plan::Action;

    fn change(address: Address, action: Action) -> Change {
        Change {
            address,
            action,
            reason: String::new(),
            fields: Vec::new(),
            steps: Vec::new(),
            blocked: None,
            destructive: false,
            risk: None,
        }
    }

    fn plan(changes: Vec<Change>) -> Plan {
        Plan {
            format_version: crate::plan::FORMAT_VERSION,
            database: "features".into(),
            changes,
            notes: Vec::new(),
            server: None,
            targets: Vec::new(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn applied_changes_are_matched_by_address_in_stage_order() {
        let view = || Address::View("search".into());
        // The plan lists the re-creation before the drop; stages order them.
        let plan = plan(vec![
            change(view(), Action::Create),
            change(Address::Collection("users".into()), Action::Create),
            change(view(), Action::Delete),
        ]);
        // The drop and the collection ran; the re-creation did not.
        let report = Report {
            done: vec![Address::Collection("users".into()), view()],
            ..Report::default()
        };
        let applied: Vec<(String, Action)> = report
            .applied(&plan)
            .into_iter()
            .map(|change| (change.address.to_string(), change.action))
            .collect();
        assert_eq!(
            applied,
            [
                ("view search".to_string(), Action::Delete),
                ("collection users".to_string(), Action::Create)
            ]
        );
        // Both ran: both count.
        let report = Report {
            done: vec![view(), Address::Collection("users".into()), view()],
            ..Report::default()
        };
        assert_eq!(report.applied(&plan).len(), 3);
    }
}

#[cfg(test)]
mod progress_tests {
    //! The events the executor reports, against the emulator, through a
    //! fake observer that records them.

    use std::sync::Mutex;

    use super::*;
    use crate::plan::Action;

    #[derive(Debug, Clone, PartialEq)]
    enum Event {
        Started,
        StepSent(usize),
        Done,
        Failed,
        Deferred,
    }

    #[derive(Default)]
    struct Recorder(Mutex<Vec<(String, Event)>>);

    impl Recorder {
        fn push(&self, change: &Change, event: Event) {
            self.0
                .lock()
                .expect("not poisoned")
                .push((change.address.to_string(), event));
        }

        fn events(&self) -> Vec<(String, Event)> {
            self.0.lock().expect("not poisoned").clone()
        }
    }

    impl Progress for Recorder {
        fn started(&self, change: &Change) {
            self.push(change, Event::Started);
        }
        fn step_started(&self, change: &Change, index: usize) {
            self.push(change, Event::StepSent(index));
        }
        fn finished(&self, change: &Change, outcome: &Result<(), ClientError>) {
            let event = if outcome.is_ok() {
                Event::Done
            } else {
                Event::Failed
            };
            self.push(change, event);
        }
        fn deferred(&self, change: &Change, _answer: &str) {
            self.push(change, Event::Deferred);
        }
    }

    fn change(address: Address, steps: Vec<Step>) -> Change {
        Change {
            address,
            action: Action::Create,
            reason: String::new(),
            fields: Vec::new(),
            steps,
            blocked: None,
            destructive: false,
            risk: None,
        }
    }

    fn index(collection: &str, name: &str) -> (Address, Step) {
        (
            Address::Index {
                collection: collection.into(),
                index: name.into(),
            },
            Step::CreateIndex {
                collection: collection.into(),
                // One field per index: the server takes equal definitions
                // for one index.
                body: json!({"name": name, "type": "persistent", "fields": [name]}).into(),
                deferrable: false,
            },
        )
    }

    #[tokio::test]
    async fn each_started_change_reports_its_steps_then_one_end() {
        // Kept until the end of the test: dropping it stops the server.
        let (_emulator, client) = crate::client::test_emulator().await;
        let (good, good_step) = index("things", "idx_good");
        let (two, two_first) = index("things", "idx_two");
        // The second step drops an index that is not there: tolerated.
        let two_second = Step::DropIndex {
            collection: "things".into(),
            id: "things/999999".into(),
            name: "idx_old".into(),
        };
        // A type the server does not know: it refuses the index (400),
        // after the collection is there like for the others.
        let bad = Address::Index {
            collection: "things".into(),
            index: "idx_bad".into(),
        };
        let bad_step = Step::CreateIndex {
            collection: "things".into(),
            body: json!({"name": "idx_bad", "type": "nonsense", "fields": ["bad"]}).into(),
            deferrable: false,
        };
        let plan = Plan {
            format_version: 2,
            database: "_system".into(),
            changes: vec![
                change(Address::StateCollection, vec![Step::CreateStateCollection]),
                change(
                    Address::Collection("things".into()),
                    vec![Step::create_collection(&json!({"name": "things"}))],
                ),
                change(good.clone(), vec![good_step]),
                change(two.clone(), vec![two_first, two_second]),
                change(bad.clone(), vec![bad_step]),
                // A later stage: never started after the failure.
                change(
                    Address::View("later".into()),
                    vec![Step::CreateView {
                        body: json!({"name": "later", "type": "arangosearch"}),
                    }],
                ),
            ],
            notes: Vec::new(),
            server: None,
            targets: Vec::new(),
            warnings: Vec::new(),
        };
        let recorder = Arc::new(Recorder::default());
        let report = execute(
            &client,
            Arc::new(plan),
            Limits {
                changes: 4,
                index_builds: 4,
            },
            recorder.clone(),
        )
        .await;
        assert_eq!(report.failed.len(), 1, "{report:?}");
        assert_eq!(report.not_started, vec![Address::View("later".into())]);

        let events = recorder.events();
        let of = |address: &Address| -> Vec<Event> {
            let address = address.to_string();
            events
                .iter()
                .filter(|(which, _)| *which == address)
                .map(|(_, event)| event.clone())
                .collect()
        };
        use Event::*;
        assert_eq!(of(&Address::StateCollection), [Started, StepSent(0), Done]);
        assert_eq!(
            of(&Address::Collection("things".into())),
            [Started, StepSent(0), Done]
        );
        assert_eq!(of(&good), [Started, StepSent(0), Done]);
        assert_eq!(of(&two), [Started, StepSent(0), StepSent(1), Done]);
        assert_eq!(of(&bad), [Started, StepSent(0), Failed]);
        assert_eq!(of(&Address::View("later".into())), []);
        // An index waits for its collection: the collection was done
        // before any index started.
        let position = |address: &Address, event: Event| {
            let address = address.to_string();
            events
                .iter()
                .position(|(which, seen)| *which == address && *seen == event)
                .expect("reported")
        };
        let collection_done = position(&Address::Collection("things".into()), Done);
        for index in [&good, &two, &bad] {
            assert!(position(index, Started) > collection_done, "{events:?}");
        }
        assert_eq!(events.len(), 3 + 3 + 3 + 4 + 3, "{events:?}");
    }
}

#[cfg(test)]
mod schedule_tests {
    use super::*;
    use crate::plan::Action;

    fn change(address: Address, action: Action, steps: Vec<Step>) -> Change {
        Change {
            address,
            action,
            reason: String::new(),
            fields: Vec::new(),
            steps,
            blocked: None,
            destructive: false,
            risk: None,
        }
    }

    fn index(collection: &str, name: &str) -> Change {
        let address = Address::Index {
            collection: collection.into(),
            index: name.into(),
        };
        change(address, Action::Create, Vec::new())
    }

    fn collection(name: &str, action: Action) -> Change {
        change(Address::Collection(name.into()), action, Vec::new())
    }

    /// Positions: 0 index on c1, 1 collection c1, 2 analyzer, 3 drop of
    /// prototype d (DependentCollections), 4 collection c2, 5 index on d,
    /// 6 index on a collection the plan does not touch, 7 a view, 8 an
    /// update of c1's properties.
    fn changes() -> Vec<Change> {
        vec![
            index("c1", "i1"),
            collection("c1", Action::Create),
            change(Address::Analyzer("a".into()), Action::Create, Vec::new()),
            change(
                Address::Collection("d".into()),
                Action::Delete,
                vec![Step::DropCollection {
                    collection: "d".into(),
                    prototype: true,
                }],
            ),
            collection("c2", Action::Create),
            index("d", "i2"),
            index("elsewhere", "i3"),
            change(Address::View("v".into()), Action::Create, Vec::new()),
            collection("c1", Action::Update),
        ]
    }

    #[test]
    fn analyzers_collections_and_indexes_form_one_group_the_other_stages_their_own() {
        assert_eq!(
            groups(&changes()),
            [vec![2, 1, 4, 3, 0, 5, 6], vec![8], vec![7]]
        );
    }

    #[test]
    fn an_index_waits_for_its_collection_and_the_analyzers_a_dependent_collection_for_every_collection(
    ) {
        let changes = changes();
        let group = [2, 1, 4, 3, 0, 5, 6];
        let none = Waits::default();
        let index_on = |positions: Vec<usize>| Waits {
            every_analyzer: true,
            changes: positions,
            ..Waits::default()
        };
        assert_eq!(
            waits(&changes, &group),
            [
                none.clone(),
                none.clone(),
                none,
                Waits {
                    every_collection: true,
                    ..Waits::default()
                },
                index_on(vec![1]),
                index_on(vec![3]),
                index_on(vec![]),
            ]
        );
        // Another stage waits for nothing within its group.
        assert_eq!(waits(&changes, &[8]), [Waits::default()]);
    }

    #[test]
    fn a_change_is_ready_once_what_it_waits_for_succeeded() {
        let changes = changes();
        let mut schedule = Schedule::new(&changes, vec![2, 1, 4, 3, 0, 5, 6]);
        let ready = |schedule: &mut Schedule| -> Vec<usize> {
            let mut positions = Vec::new();
            while let Some(work) = schedule.next_ready(true) {
                positions.extend_from_slice(schedule.work(work).positions());
            }
            positions
        };
        // The analyzer and the collections start at once.
        assert_eq!(ready(&mut schedule), [2, 1, 4]);
        // c1 done: its index still waits for the analyzer.
        schedule.done(1);
        assert_eq!(ready(&mut schedule), Vec::<usize>::new());
        // The analyzer done: the indexes whose collections are there.
        schedule.done(0);
        assert_eq!(ready(&mut schedule), [0, 6]);
        // c2 done: every collection is, so the prototype's drop may start.
        schedule.done(2);
        assert_eq!(ready(&mut schedule), [3]);
        // The index on d waits for the drop; were the drop to fail, the
        // index would never start.
        assert_eq!(
            schedule.cancel(),
            [Address::Index {
                collection: "d".into(),
                index: "i2".into()
            }]
        );
        assert!(!schedule.has_ready());
    }

    #[test]
    fn only_index_creates_on_collections_the_plan_does_not_create_are_builds() {
        let create_index = |collection: &str, name: &str| {
            let mut change = index(collection, name);
            change.steps = vec![Step::CreateIndex {
                collection: collection.into(),
                body: json!({"type": "persistent", "fields": ["a"], "name": name}).into(),
                deferrable: false,
            }];
            change
        };
        let mut dropped = index("existing", "old");
        dropped.action = Action::Delete;
        dropped.steps = vec![Step::DropIndex {
            collection: "existing".into(),
            id: "existing/1".into(),
            name: "old".into(),
        }];
        // Positions: 0 a collection created, 1 one replaced, 2 and 3
        // indexes on them, 4 and 5 indexes on a collection that exists, 6
        // an index dropped there.
        let changes = vec![
            collection("fresh", Action::Create),
            collection("emptied", Action::Replace),
            create_index("fresh", "i1"),
            create_index("emptied", "i2"),
            create_index("existing", "i3"),
            create_index("existing", "i4"),
            dropped,
        ];
        let group = vec![0, 1, 2, 3, 4, 5, 6];
        let started = |schedule: &mut Schedule, build: bool| -> Vec<usize> {
            let mut positions = Vec::new();
            while let Some(work) = schedule.next_ready(build) {
                positions.extend_from_slice(schedule.work(work).positions());
            }
            positions
        };
        let mut schedule = Schedule::new(&changes, group.clone());
        let builds: Vec<bool> = (0..7).map(|work| schedule.builds(work)).collect();
        assert_eq!(builds, [false, false, false, false, true, true, false]);
        // No build allowed: the others in order, the builds left ready.
        assert_eq!(started(&mut schedule, false), [0, 1, 6]);
        assert!(schedule.has_ready());
        assert_eq!(started(&mut schedule, true), [4, 5]);
        // Builds allowed: everything ready in order, builds among the rest.
        let mut schedule = Schedule::new(&changes, group);
        assert_eq!(started(&mut schedule, true), [0, 1, 4, 5, 6]);
        schedule.done(0);
        schedule.done(1);
        assert_eq!(started(&mut schedule, false), [2, 3]);
    }

    #[test]
    fn registry_entries_of_a_group_go_in_one_work() {
        let entry = |function: &str| {
            change(
                Address::Registry(function.into()),
                Action::Create,
                vec![Step::WriteRegistryEntry {
                    entry: json!({"function": function}),
                }],
            )
        };
        let changes = vec![
            entry("f1"),
            change(Address::Registry("f2".into()), Action::Delete, Vec::new()),
            entry("f3"),
        ];
        let mut schedule = Schedule::new(&changes, vec![0, 1, 2]);
        let mut works: Vec<Vec<usize>> = Vec::new();
        while let Some(work) = schedule.next_ready(true) {
            works.push(schedule.work(work).positions().to_vec());
        }
        assert_eq!(works, [vec![0, 2], vec![1]]);
    }
}
