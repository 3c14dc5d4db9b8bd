//! Reads the live database into the same types the specs load into.
//!
//! The whole schema comes from the replication inventory: one request on a
//! cluster coordinator (`clusterInventory`), three on a single server (open a
//! dump batch, read, close it; the close is sent as soon as the inventory is
//! in and its answer awaited only before the read returns, so it costs no
//! round trip). Where the inventory is not available the
//! reader falls back to listing collections and reading each one's
//! properties and indexes, a bounded number at a time. Graphs, the
//! namespace's functions, arangosync's state collection (one cursor
//! batch), when the specs use them the database's analyzers, and the
//! server's facts (`crate::server::Server`: the version the readiness wait
//! already read, `GET /_api/engine`, and a parse-only probe of a
//! user-function call) are read at the same time as the inventory, so on a
//! single server a whole read is the server role plus three round trips
//! deep, whatever the number of objects (three when the server's facts,
//! the role among them, are known from an earlier read of the run). An
//! apply's first read also observes the apply lock beside the role
//! (`crate::lock::Observation`). Values are normalised the way the spec loader
//! normalises them, so equal schemas compare equal.
//!
//! The large answers (the inventory, the state collection) are read
//! straight from their bytes into typed shapes (`answers`) and moved into
//! the model, so no `serde_json::Value` tree of them is ever built.

mod answers;
mod convert;
pub mod risk;
#[cfg(test)]
mod tests;
pub mod vector;

use std::collections::{BTreeMap, BTreeSet};

use reqwest::Method;
use serde_json::{json, Value};
use tokio::task::JoinSet;

use crate::client::{encode_segment, Client, ClientError};
use crate::model::{Analyzer, CollectionType, State};
use crate::ownership::{Intended, Intent, Owned, STATE_COLLECTION};
use crate::plan::{Live, Ownership, Pending, PendingObject};
use answers::{
    IndexListAnswer, InventoryAnswer, InventoryEntry, List, OrDefault, Parameters, StateBatch,
    StateRecord,
};

pub use convert::{collection_from_api, graph_from_api, index_from_api, view_from_api};

/// Why the live state could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The server answered, but not in a shape arangosync understands.
    #[error("unexpected answer from {what}: {detail}")]
    Unexpected { what: String, detail: String },
}

/// How many per-collection reads run at once in the fallback path.
const FALLBACK_CONCURRENCY: usize = 8;

/// A 404 whose errorNum is 404: the server does not serve the path at all
/// (as opposed to a missing database, collection or document).
pub fn is_unknown_path(err: &ClientError) -> bool {
    err.status() == Some(404) && err.error_num() == Some(404)
}

/// Documents per batch of the state-collection read.
const STATE_BATCH_SIZE: u64 = 100_000;

/// Reads the database. `namespace` is arangosync's function namespace;
/// functions of other namespaces are never read.
/// With `read_analyzers`, the database's analyzers are read too (one more
/// request, at the same time as the others); without it they are read
/// only when the state collection records analyzers arangosync created
/// (one request after the others), so a run that never uses analyzers
/// sends no analyzer request. `known_server`: the server's facts an
/// earlier read of this run found (apply's read under the lock), which are
/// then not asked again, the role among them. `lock`: where to record the
/// apply lock as seen before the schema is read (apply's first read): its
/// `GET` runs beside the role's, so it is answered before the inventory is
/// asked for.
pub async fn read(
    client: &Client,
    namespace: &str,
    read_analyzers: bool,
    known_server: Option<&crate::server::Server>,
    lock: Option<&crate::lock::Observation>,
) -> Result<Live, LiveError> {
    let read_analyzers = std::future::ready(read_analyzers);
    read_deciding(client, namespace, read_analyzers, known_server, lock).await
}

/// `read`, told whether to read the analyzers while it runs: a run that
/// starts reading before its specs are loaded learns only then whether
/// they use analyzers. The listing is sent as soon as `read_analyzers`
/// says yes, beside the other reads when it says so before they are
/// answered; the read is done once it has said.
pub async fn read_deciding(
    client: &Client,
    namespace: &str,
    read_analyzers: impl std::future::Future<Output = bool>,
    known_server: Option<&crate::server::Server>,
    lock: Option<&crate::lock::Observation>,
) -> Result<Live, LiveError> {
    let cluster = match known_server {
        Some(server) => server.cluster,
        // The readiness wait found no such database: its facts are read
        // from `_system` at once, without asking the database first (a
        // lock look there would find nothing either).
        None if client.database_missing_at_readiness() => {
            return read_missing(client, namespace, read_analyzers).await
        }
        None => {
            let observe = async {
                if let Some(lock) = lock {
                    let path = crate::lock::Observation::path();
                    let answer = client.call(Method::GET, &path, &[], None).await;
                    lock.record(answer.as_ref().map(|response| &response.body));
                }
            };
            let (role, ()) = tokio::join!(
                client.call(Method::GET, "/_admin/server/role", &[], None),
                observe
            );
            match role {
                Ok(response) => response.body["role"].as_str() == Some("COORDINATOR"),
                Err(err) if err.error_num() == Some(1228) => {
                    return read_missing(client, namespace, read_analyzers).await
                }
                Err(err) => return Err(err.into()),
            }
        }
    };
    // The remaining reads are independent, so they run at once: a read
    // costs the longest chain of round trips (the single server's
    // inventory, three), not the sum of all of them.
    let collections = async {
        match inventory(client, cluster).await {
            Ok(collections) => Ok(collections),
            Err(err) => {
                tracing::debug!(error = %err, "replication inventory unavailable, reading collections one by one");
                per_collection(client).await
            }
        }
    };
    let graphs = client.call(Method::GET, "/_api/gharial", &[], None);
    let function_query = [("namespace", namespace.to_string())];
    let functions = client.call(Method::GET, "/_api/aqlfunction", &function_query, None);
    let analyzers = async {
        if read_analyzers.await {
            Some(client.call(Method::GET, "/_api/analyzer", &[], None).await)
        } else {
            None
        }
    };
    let (collections, graphs, functions, documents, analyzers, facts) = tokio::join!(
        collections,
        graphs,
        functions,
        state_documents(client),
        analyzers,
        server_facts(client, namespace, known_server)
    );
    let mut analyzers = match analyzers {
        Some(answer) => Some(answer?.body),
        None => None,
    };
    // ArangoDB 4.0 removed user-defined AQL functions and their endpoint: an
    // unknown path there means the server can hold none.
    let functions = match functions {
        Err(err) if is_unknown_path(&err) => None,
        other => Some(other?),
    };
    let server = match facts {
        ServerFacts::Known(server) => server,
        ServerFacts::Asked(answers) => answers.into_server(cluster, functions.is_some())?,
    };
    let (
        Inventory {
            collections,
            mut views,
            close,
        },
        graphs,
    ) = (collections?, graphs?);
    complete_views(client, &mut views).await?;
    let records = documents?;
    let mut state = State::default();
    let mut has_state_collection = false;
    for OrDefault(entry) in collections {
        let InventoryEntry {
            parameters: OrDefault(parameters),
            indexes,
        } = entry;
        let name = parameters.name.as_str().unwrap_or_default().to_string();
        if name == STATE_COLLECTION {
            has_state_collection = true;
        }
        if parameters
            .is_system
            .as_bool()
            .unwrap_or(name.starts_with('_'))
        {
            continue;
        }
        let indexes = indexes
            .0
            .into_iter()
            .map(|OrDefault(index)| index)
            .collect();
        let collection =
            convert::collection_from_parts(parameters, indexes, cluster).map_err(|detail| {
                LiveError::Unexpected {
                    what: format!("collection {name}"),
                    detail,
                }
            })?;
        state.collections.insert(name, collection);
    }
    let mut view_names = BTreeSet::new();
    for definition in &views {
        let view = view_from_api(definition).map_err(|detail| LiveError::Unexpected {
            what: "view list".into(),
            detail,
        })?;
        view_names.insert(view.name.clone());
        state.views.insert(view.name.clone(), view);
    }
    // Read by moving out of the answer, not by copying from it.
    let unexpected = |what: &str| {
        let what = what.to_string();
        move |err: serde_json::Error| LiveError::Unexpected {
            what,
            detail: err.to_string(),
        }
    };
    let OrDefault(graph_list) = serde_json::from_value::<OrDefault<GraphList>>(graphs.body)
        .map_err(unexpected("graph list"))?;
    for OrDefault(graph) in graph_list.graphs.0 {
        let graph = convert::graph_from_parts(graph).map_err(|detail| LiveError::Unexpected {
            what: "graph list".into(),
            detail,
        })?;
        state.graphs.insert(graph.name.clone(), graph);
    }
    let listed = match functions {
        Some(response) => {
            serde_json::from_value::<OrDefault<FunctionList>>(response.body)
                .map_err(unexpected("function list"))?
                .0
                .result
                .0
        }
        None => Vec::new(),
    };
    for OrDefault(function) in listed {
        let (Value::String(name), Value::String(code)) = (function.name, function.code) else {
            continue;
        };
        let name = name.to_ascii_uppercase();
        let hash = crate::transform::hash_in_code(&code).map(str::to_string);
        state
            .functions
            .insert(name.clone(), crate::model::Function { name, code, hash });
    }
    // Documents read while the state collection was being created by
    // another run count only if the inventory saw the collection too.
    let mut pending = Vec::new();
    let mut owned = Ownership::default();
    if has_state_collection {
        for record in records {
            match record {
                StateRecord::Owned(record) => own(&mut owned, record),
                StateRecord::Pending(intent) => pending.push(pending_object(intent)),
                StateRecord::Feature(entry) => {
                    state
                        .registry
                        .insert(entry.function.to_ascii_uppercase(), *entry);
                }
                StateRecord::Other => {}
            }
        }
    }
    if analyzers.is_none() && !owned.analyzers.is_empty() {
        analyzers = Some(
            client
                .call(Method::GET, "/_api/analyzer", &[], None)
                .await?
                .body,
        );
    }
    let mut system_analyzers = BTreeMap::new();
    let analyzers = analyzers.map(|listing| {
        take_analyzers(
            client.database(),
            &listing,
            &mut state,
            &mut system_analyzers,
        )
    });
    if let Some(close) = close {
        close.finish().await;
    }
    Ok(Live {
        state: Some(state),
        owned,
        has_state_collection,
        views: view_names,
        pending,
        analyzers,
        system_analyzers,
        server: Some(server),
        document_counts: Default::default(),
    })
}

/// The database whose analyzers every database can use (`::name`).
const SYSTEM: &str = "_system";

/// `read` of a database that does not exist yet: no state, the server's
/// facts from `_system`, so what the plan creates is still gated by them.
/// A new database has no analyzers of its own: it can use the built-in
/// ones and `_system`'s, which `_system` lists (built-ins bare, its own as
/// `_system::name`), so an analyzer no spec defines is found missing
/// before anything is written. With `read_analyzers` (once it says yes) that
/// listing is read at the same time as the facts.
async fn read_missing(
    client: &Client,
    namespace: &str,
    read_analyzers: impl std::future::Future<Output = bool>,
) -> Result<Live, LiveError> {
    let system = client.for_database(SYSTEM);
    let listing = async {
        if read_analyzers.await {
            Some(system.call(Method::GET, "/_api/analyzer", &[], None).await)
        } else {
            None
        }
    };
    let (server, listing) = tokio::join!(read_server(&system, namespace), listing);
    Ok(Live {
        server: Some(server?),
        analyzers: match listing {
            Some(listing) => Some(analyzer_names(&listing?.body)),
            None => None,
        },
        ..Live::default()
    })
}

/// Reads the analyzers for a `live` that `read` took without them
/// (`read_analyzers` false, as a run does that starts reading before its
/// specs are loaded) when the specs turn out to use them: one
/// `GET /_api/analyzer`, of the database, or of `_system` when the
/// database does not exist yet (`live.state` is `None`), filled in as
/// `read` with `read_analyzers` fills it. Nothing is sent when `read`
/// listed them already (it does when arangosync created analyzers there).
pub async fn complete_analyzers(client: &Client, live: &mut Live) -> Result<(), LiveError> {
    if live.analyzers.is_some() {
        return Ok(());
    }
    let Some(state) = live.state.as_mut() else {
        let system = client.for_database(SYSTEM);
        let listing = system
            .call(Method::GET, "/_api/analyzer", &[], None)
            .await?;
        live.analyzers = Some(analyzer_names(&listing.body));
        return Ok(());
    };
    let listing = client
        .call(Method::GET, "/_api/analyzer", &[], None)
        .await?
        .body;
    live.analyzers = Some(take_analyzers(
        client.database(),
        &listing,
        state,
        &mut live.system_analyzers,
    ));
    Ok(())
}

/// Puts the analyzers of a `GET /_api/analyzer` answer of `database` into
/// `state`, and `_system`'s own (which views and inverted indexes may use
/// as `::name`) into `system`; the full names of all of them.
fn take_analyzers(
    database: &str,
    listing: &Value,
    state: &mut State,
    system: &mut BTreeMap<String, Analyzer>,
) -> BTreeSet<String> {
    for analyzer in listing["result"].as_array().into_iter().flatten() {
        if let Some(analyzer) = Analyzer::from_api(database, analyzer) {
            state.analyzers.insert(analyzer.name.clone(), analyzer);
        } else if let Some(own) = Analyzer::from_api(SYSTEM, analyzer) {
            // Listed in another database: `_system`'s own.
            system.insert(format!("{SYSTEM}::{}", own.name), own);
        }
    }
    analyzer_names(listing)
}

/// The full names in a `GET /_api/analyzer` answer (`db::name` for custom
/// analyzers, bare for built-ins).
fn analyzer_names(listing: &Value) -> BTreeSet<String> {
    listing["result"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|analyzer| analyzer["name"].as_str().map(str::to_string))
        .collect()
}

/// The server's facts: known from earlier in the run (they cannot change
/// while the server runs, so a run reads them once), or the answers to
/// read them from.
enum ServerFacts {
    Known(crate::server::Server),
    Asked(Box<ServerAnswers>),
}

async fn server_facts(
    client: &Client,
    namespace: &str,
    known: Option<&crate::server::Server>,
) -> ServerFacts {
    match known {
        Some(server) => ServerFacts::Known(server.clone()),
        None => ServerFacts::Asked(Box::new(server_answers(client, namespace).await)),
    }
}

/// The answers a server's facts are read from: `GET /_api/version`,
/// `GET /_api/engine` and the user-function probe, asked at once.
struct ServerAnswers {
    version: Result<Value, ClientError>,
    engine: Result<Value, ClientError>,
    probe: Result<(), ClientError>,
}

async fn server_answers(client: &Client, namespace: &str) -> ServerAnswers {
    let probe_body = json!({"query": crate::server::function_probe_query(namespace)});
    // The readiness wait already asked for the version; only a client
    // that skipped it asks again.
    let version = async {
        match client.version_answer() {
            Some(answer) => Ok(answer.clone()),
            None => client
                .call(Method::GET, "/_api/version", &[], None)
                .await
                .map(|response| response.body),
        }
    };
    let (version, engine, probe) = tokio::join!(
        version,
        client.call(Method::GET, "/_api/engine", &[], None),
        client.call(Method::POST, "/_api/query", &[], Some(&probe_body)),
    );
    ServerAnswers {
        version,
        engine: engine.map(|response| response.body),
        probe: probe.map(|_| ()),
    }
}

impl ServerAnswers {
    /// The server's facts. `function_api`: `/_api/aqlfunction` is served
    /// (not 4.0); only then does the probe count, and only its 400/1501
    /// ("cannot call a user function") means the functions are off.
    fn into_server(
        self,
        cluster: bool,
        function_api: bool,
    ) -> Result<crate::server::Server, LiveError> {
        use crate::server::{user_functions_available, FunctionProbe, Server};
        let probe = match self.probe {
            _ if !function_api => FunctionProbe::Refused,
            Ok(()) => FunctionProbe::Parsed,
            Err(err) if err.status() == Some(400) && err.error_num() == Some(1501) => {
                FunctionProbe::Refused
            }
            Err(err) => return Err(err.into()),
        };
        let (version, engine) = (self.version?, self.engine?);
        Server::from_live(
            &version,
            &engine,
            cluster,
            user_functions_available(function_api, probe),
        )
        .map_err(|detail| LiveError::Unexpected {
            what: "the server version".into(),
            detail,
        })
    }
}

/// The server's facts alone, through a database that exists (`_system`
/// when the target database is still to be created): role, function API,
/// version, engine and the probe at once, one round trip deep.
async fn read_server(client: &Client, namespace: &str) -> Result<crate::server::Server, LiveError> {
    let function_query = [("namespace", namespace.to_string())];
    let (role, functions, answers) = tokio::join!(
        client.call(Method::GET, "/_admin/server/role", &[], None),
        client.call(Method::GET, "/_api/aqlfunction", &function_query, None),
        server_answers(client, namespace)
    );
    let cluster = role?.body["role"].as_str() == Some("COORDINATOR");
    let function_api = match functions {
        Err(err) if is_unknown_path(&err) => false,
        other => other.map(|_| true)?,
    };
    answers.into_server(cluster, function_api)
}

/// The schema as one read found it: the collections (properties and
/// indexes, each read only as far as the model needs them), the full
/// definitions of the database's views, and the close of the dump batch
/// the inventory was read in, if any (awaited before `read` returns).
struct Inventory {
    collections: Vec<OrDefault<InventoryEntry>>,
    views: Vec<Value>,
    close: Option<BatchClose>,
}

/// The graphs of `GET /_api/gharial`.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct GraphList {
    graphs: List<OrDefault<answers::ApiGraph>>,
}

/// The functions of `GET /_api/aqlfunction`.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct FunctionList {
    result: List<OrDefault<ListedFunction>>,
}

/// One listed function: the two attributes the model keeps.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct ListedFunction {
    name: Value,
    code: Value,
}

/// A `call_json` answer, or `LiveError::Unexpected` naming `what` when it
/// is JSON of another shape.
async fn read_json<T: serde::de::DeserializeOwned>(
    client: &Client,
    method: Method,
    path: &str,
    query: &[(&str, String)],
    body: Option<&Value>,
    what: impl FnOnce() -> String,
) -> Result<T, LiveError> {
    client
        .call_json(method, path, query, body)
        .await?
        .map_err(|err| LiveError::Unexpected {
            what: what(),
            detail: err.to_string(),
        })
}

/// The close of a replication dump batch (`DELETE
/// /_api/replication/batch/{id}`), sent as soon as the inventory is read
/// and not waited for before it is used. Closing only frees server memory
/// early (the batch expires anyway), so a failure is a debug log.
/// Dropped before it finished (a read that failed), the request is
/// cancelled: it never outlives the read.
struct BatchClose(Option<tokio::task::JoinHandle<()>>);

impl BatchClose {
    fn send(client: &Client, id: &str) -> BatchClose {
        let client = client.clone();
        let path = format!("/_api/replication/batch/{}", encode_segment(id));
        BatchClose(Some(tokio::spawn(async move {
            if let Err(err) = client.call(Method::DELETE, &path, &[], None).await {
                tracing::debug!(error = %err, "could not close replication batch");
            }
        })))
    }

    /// Waits for the close's answer.
    async fn finish(mut self) {
        if let Some(task) = self.0.take() {
            if let Err(err) = task.await {
                tracing::debug!(error = %err, "replication batch close did not finish");
            }
        }
    }
}

impl Drop for BatchClose {
    fn drop(&mut self) {
        if let Some(task) = self.0.take() {
            task.abort();
        }
    }
}

async fn inventory(client: &Client, cluster: bool) -> Result<Inventory, LiveError> {
    let query = [("includeSystem", "true".to_string())];
    let what = || "the replication inventory".to_string();
    let (answer, close) = if cluster {
        let answer: OrDefault<InventoryAnswer> = read_json(
            client,
            Method::GET,
            "/_api/replication/clusterInventory",
            &query,
            None,
            what,
        )
        .await?;
        (answer.0, None)
    } else {
        let batch = client
            .call(
                Method::POST,
                "/_api/replication/batch",
                &[],
                Some(&json!({"ttl": 60})),
            )
            .await?;
        let id = batch.body["id"].as_str().unwrap_or_default().to_string();
        let query = [
            ("includeSystem", "true".to_string()),
            ("batchId", id.clone()),
        ];
        let answer = read_json::<OrDefault<InventoryAnswer>>(
            client,
            Method::GET,
            "/_api/replication/inventory",
            &query,
            None,
            what,
        )
        .await;
        let close = BatchClose::send(client, &id);
        match answer {
            Ok(answer) => (answer.0, Some(close)),
            Err(err) => {
                close.finish().await;
                return Err(err);
            }
        }
    };
    Ok(Inventory {
        collections: answer.collections.0,
        views: answer.views.0,
        close,
    })
}

/// Reads the properties of every `arangosearch` view whose definition came
/// without `links` (an inventory that leaves them to the collections), so
/// the plan never sees a view's links as missing.
async fn complete_views(client: &Client, views: &mut [Value]) -> Result<(), ClientError> {
    for view in views.iter_mut() {
        if view["type"] != "arangosearch" || view.get("links").is_some() {
            continue;
        }
        let Some(name) = view["name"].as_str() else {
            continue;
        };
        let path = format!("/_api/view/{}/properties", encode_segment(name));
        *view = client.call(Method::GET, &path, &[], None).await?.body;
    }
    Ok(())
}

async fn per_collection(client: &Client) -> Result<Inventory, LiveError> {
    let (list, views) = tokio::join!(
        client.call(Method::GET, "/_api/collection", &[], None),
        client.call(Method::GET, "/_api/view", &[], None)
    );
    let list = list?;
    let names: Vec<String> = match views {
        Ok(views) => views.body["result"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|view| view["name"].as_str().map(str::to_string))
            .collect(),
        Err(err) if is_unknown_path(&err) => Vec::new(),
        Err(err) => return Err(err.into()),
    };
    let mut views = Vec::with_capacity(names.len());
    for name in &names {
        let path = format!("/_api/view/{}/properties", encode_segment(name));
        views.push(client.call(Method::GET, &path, &[], None).await?.body);
    }
    let names: Vec<String> = list.body["result"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| entry["name"].as_str().map(str::to_string))
        .collect();
    let mut results = Vec::with_capacity(names.len());
    for chunk in names.chunks(FALLBACK_CONCURRENCY) {
        let mut tasks = JoinSet::new();
        for name in chunk {
            let client = client.clone();
            let name = name.clone();
            tasks.spawn(async move {
                let properties: OrDefault<Parameters> = read_json(
                    &client,
                    Method::GET,
                    &format!("/_api/collection/{}/properties", encode_segment(&name)),
                    &[],
                    None,
                    || format!("collection {name}"),
                )
                .await?;
                let indexes: OrDefault<IndexListAnswer> = read_json(
                    &client,
                    Method::GET,
                    "/_api/index",
                    &[("collection", name.clone())],
                    None,
                    || format!("the index list of {name}"),
                )
                .await?;
                Ok::<_, LiveError>(OrDefault(InventoryEntry {
                    parameters: properties,
                    indexes: indexes.0.indexes,
                }))
            });
        }
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok(result) => results.push(result?),
                Err(err) => {
                    return Err(
                        ClientError::Config(format!("collection read task failed: {err}")).into(),
                    );
                }
            }
        }
    }
    results.sort_by(|a, b| {
        let (a, b) = (&a.0.parameters.0.name, &b.0.parameters.0.name);
        a.as_str().cmp(&b.as_str())
    });
    Ok(Inventory {
        collections: results,
        views,
        close: None,
    })
}

/// Every document of arangosync's state collection, read into what each
/// is (ownership record, pending record, registry entry; the lock and
/// unknown documents as `Other`) as the answer is parsed, in one query;
/// none when the collection does not exist (yet).
async fn state_documents(client: &Client) -> Result<Vec<StateRecord>, LiveError> {
    const NOT_FOUND: u64 = 1203;
    let what = || "the state collection".to_string();
    let body = json!({
        "query": "FOR d IN @@state RETURN d",
        "bindVars": {"@state": STATE_COLLECTION},
        // One batch, so the read costs one round trip whatever the number
        // of objects: a record is ~200 bytes, 100,000 of them ~20 MB.
        "batchSize": STATE_BATCH_SIZE,
    });
    let mut records = Vec::new();
    let first = client
        .call_json::<OrDefault<StateBatch>>(Method::POST, "/_api/cursor", &[], Some(&body))
        .await;
    let mut batch = match first {
        Ok(answer) => answer,
        Err(err) if err.error_num() == Some(NOT_FOUND) => return Ok(records),
        Err(err) => return Err(err.into()),
    }
    .map_err(|err| LiveError::Unexpected {
        what: what(),
        detail: err.to_string(),
    })?
    .0;
    loop {
        records.append(&mut batch.result.0);
        match (batch.has_more.as_bool().unwrap_or(false), batch.id.as_str()) {
            (true, Some(id)) => {
                let path = format!("/_api/cursor/{}", encode_segment(id));
                batch =
                    read_json::<OrDefault<StateBatch>>(client, Method::PUT, &path, &[], None, what)
                        .await?
                        .0;
            }
            _ => return Ok(records),
        }
    }
}

/// Adds an ownership record to what the state collection says is owned.
fn own(owned: &mut Ownership, record: Owned) {
    match record {
        Owned::Collection(name) => {
            owned.collections.insert(name);
        }
        Owned::Index { collection, name } => {
            owned.indexes.insert((collection, name));
        }
        Owned::Graph(name) => {
            owned.graphs.insert(name);
        }
        Owned::Analyzer(name) => {
            owned.analyzers.insert(name);
        }
        Owned::View(name) => {
            owned.views.insert(name);
        }
    }
}

/// A pending ownership record with its create request read into the model.
fn pending_object(intent: Intent) -> Pending {
    let body = &intent.definition;
    let object = match &intent.subject {
        Intended::Collection(_) => Some(PendingObject::Collection(
            body["type"]
                .as_u64()
                .and_then(CollectionType::from_api_number)
                .unwrap_or(CollectionType::Document),
        )),
        Intended::Index { collection, .. } => {
            index_from_api(collection, body).map(PendingObject::Index)
        }
        Intended::Graph(_) => graph_from_api(body).ok().map(PendingObject::Graph),
        Intended::Analyzer(name) => Analyzer::from_body(name, body).map(PendingObject::Analyzer),
        Intended::View(_) => body["type"]
            .as_str()
            .map(|view_type| PendingObject::View(view_type.to_string())),
    };
    Pending { intent, object }
}
