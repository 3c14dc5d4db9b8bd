//! Executes a plan, stage by stage (database, view drops, collections,
//! indexes, properties, views, graphs), running the changes of a stage concurrently up to a
//! bound. It decides nothing: every request comes from a `Step` in the plan.
//! Only how is chosen here: a stage's registry entries (state documents)
//! go in one bulk insert, each still reported as its own change.
//!
//! Each step is idempotent towards a re-run: creations that find their
//! object already there (a previous run crashed after the request) count as
//! done, drops that find nothing to drop count as done. On the first failure
//! no new change starts; changes already running finish, and the report says
//! what was done and what was not.
//!
//! A stop request (`interrupt`: SIGTERM, SIGINT, or a lost apply lock) works
//! the same way: no change starts after it, running changes get until the
//! stop's `abandon_at` to finish and are abandoned after that; the report
//! names the abandoned ones, whose outcome is unknown.
//!
//! Ownership is never lost between a create request and its answer:
//! before a stage's first create, one bulk insert writes a pending record
//! (an `Intent`: the object and its exact create request) for every create
//! of the stage; the ownership records that replace them (also when some
//! of the stage's changes failed) ride with the next bulk insert of
//! pending records, before the next stage with creates starts, or are
//! written when the run ends (per `RECORDS_PER_REQUEST`). A run that dies
//! in between leaves pending records that the next plan settles
//! (`plan::pending`), so an ownership record may come late, never a
//! pending one. One record request per created object would double the
//! round trips of a large first apply; one per stage, plus one.
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
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::client::{encode_segment, Client, ClientError};
use crate::interrupt::{Interrupt, Reason};
use crate::live::index_from_api;
use crate::ownership::{registry_key, Intended, Intent, Owned, STATE_COLLECTION};
use crate::plan::{Address, Change, Plan, Stage, Step};

/// Ownership records per bulk insert: large enough that a first apply of
/// thousands of objects needs a handful of requests, small enough to keep
/// each request body well under a megabyte.
const RECORDS_PER_REQUEST: usize = 1000;

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

/// Applies `plan`; cannot be stopped early.
pub async fn execute(
    client: &Client,
    plan: Arc<Plan>,
    concurrency: usize,
    progress: Arc<dyn Progress>,
) -> Report {
    execute_until(client, plan, concurrency, progress, &Interrupt::never()).await
}

/// What one task of a stage runs, by position in the plan's changes: a
/// change, or a stage's registry entries in one bulk insert.
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

/// What a stage's task shares with the run: the plan it reads its changes
/// from, and where it reports.
struct Task {
    client: Client,
    plan: Arc<Plan>,
    progress: Arc<dyn Progress>,
    interrupt: Interrupt,
    /// The keys of the stage's pending records (`Ledger::intended`).
    intended: Arc<HashSet<String>>,
    /// Set once the work has started (for telling abandoned changes from
    /// ones that never started).
    began: Arc<AtomicBool>,
}

impl Task {
    /// Runs `work` holding `permit` (one of the `concurrency` places).
    async fn run(self, work: Work, permit: tokio::sync::OwnedSemaphorePermit) -> Results {
        let _permit = permit;
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
/// At most `concurrency` changes run at once, and only those are tasks: a
/// stage's next change is started (in plan order) when a running one ends.
/// The tasks share `plan` and read their change from it; nothing of a
/// change is copied for its task.
pub async fn execute_until(
    client: &Client,
    plan: Arc<Plan>,
    concurrency: usize,
    progress: Arc<dyn Progress>,
    interrupt: &Interrupt,
) -> Report {
    let mut report = Report::default();
    let mut stages: Vec<Stage> = plan.changes.iter().map(Change::stage).collect();
    stages.sort();
    stages.dedup();
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    // The ownership records of the stages run so far, not yet written.
    let mut unwritten = Records::default();
    for stage in stages {
        let positions: Vec<usize> = (0..plan.changes.len())
            .filter(|&position| plan.changes[position].stage() == stage)
            .collect();
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
        let intended: HashSet<String> = intents(&changes).map(|intent| intent.key()).collect();
        if !intended.is_empty() {
            let records = std::mem::take(&mut unwritten);
            if let Err(err) = write_intents(client, records, &intended, &changes).await {
                report.failed.push((Address::StateCollection, err));
                report
                    .not_started
                    .extend(changes.iter().map(|change| change.address.clone()));
                continue;
            }
        }
        let intended = Arc::new(intended);
        // Registry entries are state documents: a stage's go in one bulk
        // insert, one task, instead of one request each.
        let (entries, ones): (Vec<usize>, Vec<usize>) = positions
            .into_iter()
            .partition(|&position| registry_only(&plan.changes[position]));
        let mut queue: std::collections::VecDeque<Work> = if entries.len() < 2 {
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
        let mut tasks: JoinSet<Results> = JoinSet::new();
        let mut running: HashMap<tokio::task::Id, Vec<(Address, Arc<AtomicBool>)>> = HashMap::new();
        let mut created = Vec::new();
        let mut settled = Vec::new();
        let mut watcher = interrupt.clone();
        loop {
            if tasks.is_empty() && queue.is_empty() {
                break;
            }
            tokio::select! {
                biased;
                Some(joined) = tasks.join_next_with_id(), if !tasks.is_empty() => match joined {
                    Ok((id, results)) => {
                        running.remove(&id);
                        for (address, outcome, ledger) in results {
                            created.extend(ledger.created);
                            settled.extend(ledger.settled);
                            match outcome {
                                Outcome::Ran(Ok(())) => match ledger.deferred {
                                    Some(answer) => report.deferred.push((address, answer)),
                                    None => report.done.push(address),
                                },
                                Outcome::Ran(Err(err)) => report.failed.push((address, err)),
                                Outcome::NotStarted => report.not_started.push(address),
                            }
                        }
                    }
                    Err(err) => {
                        running.remove(&err.id());
                        report.failed.push((
                            Address::Database(plan.database.clone()),
                            ClientError::Config(format!("an apply task failed: {err}")),
                        ))
                    }
                },
                stop = watcher.abandon() => {
                    // The grace is over: abandon what still runs.
                    tasks.abort_all();
                    while tasks.join_next().await.is_some() {}
                    report.stopped = Some(stop.reason);
                    for (address, began) in running.drain().flat_map(|(_, each)| each) {
                        if began.load(Ordering::SeqCst) {
                            report.abandoned.push(address);
                        } else {
                            report.not_started.push(address);
                        }
                    }
                    // Changes still waiting for their turn never started.
                    report.not_started.extend(
                        queue
                            .drain(..)
                            .flat_map(|work| work.positions().to_vec())
                            .map(|position| plan.changes[position].address.clone()),
                    );
                    break;
                }
                permit = permits.clone().acquire_owned(), if !queue.is_empty() => {
                    let Some(work) = queue.pop_front() else { continue };
                    let addresses = |work: &Work| -> Vec<Address> {
                        work.positions()
                            .iter()
                            .map(|&position| plan.changes[position].address.clone())
                            .collect()
                    };
                    let Ok(permit) = permit else {
                        // The permits are never closed; were they, nothing
                        // more could start.
                        for work in std::iter::once(work).chain(queue.drain(..)) {
                            report.failed.extend(addresses(&work).into_iter().map(|address| {
                                (address, ClientError::Config("apply was cancelled".into()))
                            }));
                        }
                        continue;
                    };
                    if interrupt.stopped().is_some() {
                        // Stopped: what waits for its turn never starts.
                        for work in std::iter::once(work).chain(queue.drain(..)) {
                            report.not_started.extend(addresses(&work));
                        }
                        continue;
                    }
                    let began = Arc::new(AtomicBool::new(false));
                    let each = addresses(&work)
                        .into_iter()
                        .map(|address| (address, began.clone()))
                        .collect();
                    let task = Task {
                        client: client.clone(),
                        plan: plan.clone(),
                        progress: progress.clone(),
                        interrupt: interrupt.clone(),
                        intended: intended.clone(),
                        began,
                    };
                    let handle = tasks.spawn(task.run(work, permit));
                    running.insert(handle.id(), each);
                }
            }
        }
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
        if let Err(err) = unwritten.write(client, std::iter::empty()).await {
            report.failed.push((Address::StateCollection, err));
        }
    }
    if report.stopped.is_none() && !report.not_started.is_empty() {
        report.stopped = interrupt.stopped().map(|stop| stop.reason);
    }
    report
}

/// What a change's steps did to ownership, for the records written when
/// the stage ends.
#[derive(Debug, Default)]
struct Ledger {
    /// Keys of the stage's pending records: a drop in the same stage
    /// leaves the record alone (the create that follows confirms it).
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

/// The pending records of a stage's creates. A create that follows a drop
/// of the same name in its change replaces an object arangosync owned.
fn intents<'a>(changes: &'a [&'a Change]) -> impl Iterator<Item = Intent> + 'a {
    // Made one change at a time, as they are used: a stage's intents are
    // never held all at once (each carries a copy of its create's body).
    changes.iter().flat_map(|change| {
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

/// Ownership records of stages that ran, not yet written, and the keys of
/// the pending records they settle otherwise (`Ledger::settled`), deleted
/// once the records are written.
#[derive(Debug, Default)]
struct Records {
    /// What was created, with when its stage ended: made into ownership
    /// records as they are written.
    created: Vec<(Owned, Arc<str>)>,
    settled: Vec<String>,
}

impl Records {
    /// Writes the records and then `pending` (pending records of the next
    /// stage) in one bulk insert per `RECORDS_PER_REQUEST` (the pending
    /// ones last: a key in both stays pending), then deletes the settled
    /// pending records.
    async fn write(
        self,
        client: &Client,
        pending: impl Iterator<Item = Value>,
    ) -> Result<(), ClientError> {
        let records = self
            .created
            .into_iter()
            .map(|(owned, at)| owned.to_document(&at));
        record_all(client, records.chain(pending)).await?;
        forget_all(client, &self.settled).await
    }
}

/// Writes a stage's pending records (the intents of `changes`, whose keys
/// are `keys`) before its first create, with the ownership records of the
/// stages before it (`records`).
async fn write_intents(
    client: &Client,
    mut records: Records,
    keys: &HashSet<String>,
    changes: &[&Change],
) -> Result<(), ClientError> {
    // A pending record written now stays, whatever settled its key before.
    records.settled.retain(|key| !keys.contains(key));
    let now = now_rfc3339();
    let documents = intents(changes).map(|intent| intent.to_document(&now));
    records.write(client, documents).await
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

/// Writes state documents (ownership or pending records) in bulk. Keys are
/// derived from the subject, so `overwriteMode=replace` makes a retried or
/// repeated write harmless.
/// `documents` are made one request's worth at a time.
async fn record_all(
    client: &Client,
    documents: impl Iterator<Item = Value>,
) -> Result<(), ClientError> {
    let path = format!("/_api/document/{STATE_COLLECTION}");
    let mut documents = documents.peekable();
    while documents.peek().is_some() {
        let documents: Vec<Value> = documents.by_ref().take(RECORDS_PER_REQUEST).collect();
        let response = client
            .call(
                Method::POST,
                &path,
                &[("overwriteMode", "replace".to_string())],
                Some(&Value::Array(documents)),
            )
            .await?;
        // A bulk insert answers 2xx with an error object in place of each
        // document it could not write.
        let failed = response
            .body
            .as_array()
            .into_iter()
            .flatten()
            .find(|result| result["error"].as_bool() == Some(true));
        if let Some(failed) = failed {
            return Err(inserted_error(
                &path,
                failed,
                response.status,
                "an ownership record was not written",
            ));
        }
    }
    Ok(())
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
        let failed = response
            .body
            .as_array()
            .into_iter()
            .flatten()
            .find(|result| {
                result["error"].as_bool() == Some(true)
                    && result["errorNum"].as_u64() != Some(DOCUMENT_NOT_FOUND)
            });
        if let Some(failed) = failed {
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

/// Deletes a dropped object's ownership record, unless a create in the
/// same stage took its name (its pending record must stay until confirmed).
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
        // A collection nobody creates: the server refuses the index (404).
        let (bad, bad_step) = index("missing", "idx_bad");
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
        let report = execute(&client, Arc::new(plan), 4, recorder.clone()).await;
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
        // Stages one after the other: the collection was done before any
        // index started.
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
