//! Vector indexes (`type: "vector"`, ArangoDB 3.12.4+), with the steps the
//! 3.12 patch releases took. The facts are from the 3.12 docs ("Vector
//! indexes", the vector index HTTP API, "What's new in 3.12") and from
//! `RocksDBVectorIndex::toVelocyPack` in ArangoDB's sources:
//!
//! * only with `--vector-index` (see [`Profile::vector_indexes_enabled`]);
//!   without it the type is unknown to the index factory;
//! * `params`: `metric` (`cosine`, `l2`; `innerProduct` from 3.12.6),
//!   `dimension`, `nLists`, `defaultNProbe` (default 1), `trainingIterations`
//!   (default 25), `factory`; `storedValues` from 3.12.7; `sparse` (default
//!   false); `parallelism` and `inBackground` are creation options only;
//! * up to 3.12.8 the index is trained while it is created, so creation
//!   fails when fewer documents carry a vector than `nLists`; from 3.12.9 it
//!   can be created first, reports `trainingState` (`unusable` plus
//!   `errorMessage: "not enough training data for vector index"` until
//!   enough documents exist, then `ready`) and trains once the threshold is
//!   reached;
//! * from 3.12.10 `nLists` is optional: a number, or a scaling
//!   specification (`strategy: "autoSqrt"`, `multiplier`, `minNLists`,
//!   optional `tiers`) whose `minNLists` is the training threshold; without
//!   `nLists` the documented default specification is used.
//!   `numberOfDocsPerCentroid` (at least 1, default 100) is accepted and
//!   reported from then on.
//!
//! * a training that fails (a `factory` whose number of centroids differs
//!   from what `nLists` resolves to) is an error up to 3.12.9; from 3.12.10
//!   the index is created and reports `trainingState: "unusable"`
//!   (python-arango's `test_add_vector_index`);
//! * from 3.12.10 `GET /_api/index?withHidden=true` adds `shards` (keyed by
//!   the collection name on a single server) with `trainingState`, `error`
//!   and `resolvedNLists`.
//!
//! UNVERIFIED: the wording of the validation errors (the emulator reports
//! them as 400/10 with its own text) and of the training failures, for which
//! the emulator answers 400/4 (Faiss's assertion text for too few
//! documents); the answer without `--vector-index`, modelled as an unknown
//! index type; how a scaling `nLists` is rounded.
//! The training state is derived from the documents at read time; a real
//! server trains once and then stays `ready`.

use serde_json::{json, Map, Value};

use super::{flag, path_value, paths, stored_values, PathRules};
use crate::error::ArangoError;
use crate::profile::Profile;
use crate::state::Collection;

const VECTOR_FIELDS: PathRules = PathRules {
    min: 1,
    max: 1,
    allow_expansion: false,
    allow_sub_attributes: true,
    allow_id: false,
};

const DEFAULT_N_PROBE: u64 = 1;
const DEFAULT_TRAINING_ITERATIONS: u64 = 25;
/// The sample size per centroid from 3.12.10 on (256, fixed, before).
const DEFAULT_DOCS_PER_CENTROID: u64 = 100;
const NOT_ENOUGH_DATA: &str = "not enough training data for vector index";

/// The `nLists` ArangoDB 3.12.10 uses when none is given (values from
/// autofaiss, as documented).
fn default_nlists() -> Value {
    json!({
        "strategy": "autoSqrt",
        "multiplier": 4,
        "minNLists": 2,
        "tiers": [
            {"threshold": 1_000_000, "fixedValue": 16384},
            {"threshold": 10_000_000, "fixedValue": 65536},
            {"threshold": 300_000_000, "fixedValue": 131_072},
        ],
    })
}

fn invalid(message: &str) -> ArangoError {
    ArangoError::bad_parameter(message)
}

/// A JSON number that is a whole number of at least 1.
fn positive_integer(value: Option<&Value>) -> Option<u64> {
    value.and_then(Value::as_u64).filter(|number| *number >= 1)
}

/// Checks a scaling specification of `nLists` (3.12.10) and returns it.
fn scaling_spec(spec: &Map<String, Value>) -> Result<Value, ArangoError> {
    if spec.get("strategy").and_then(Value::as_str) != Some("autoSqrt") {
        return Err(invalid("nLists.strategy must be \"autoSqrt\""));
    }
    let multiplier = spec.get("multiplier").and_then(Value::as_f64);
    if !multiplier.is_some_and(|multiplier| multiplier >= 1.0) {
        return Err(invalid("nLists.multiplier must be 1 or greater"));
    }
    if positive_integer(spec.get("minNLists")).is_none() {
        return Err(invalid("nLists.minNLists must be 1 or greater"));
    }
    if let Some(tiers) = spec.get("tiers") {
        let tiers_ok = tiers.as_array().is_some_and(|tiers| {
            tiers.iter().all(|tier| {
                positive_integer(tier.get("threshold")).is_some()
                    && positive_integer(tier.get("fixedValue")).is_some()
            })
        });
        if !tiers_ok {
            return Err(invalid(
                "nLists.tiers must be objects with threshold and fixedValue of 1 or greater",
            ));
        }
    }
    Ok(Value::Object(spec.clone()))
}

/// `params.nLists` as the server keeps it.
fn nlists(profile: &Profile, params: &Map<String, Value>) -> Result<Value, ArangoError> {
    match params.get("nLists") {
        None if profile.vector_nlists_scaling() => Ok(default_nlists()),
        Some(Value::Object(spec)) if profile.vector_nlists_scaling() => scaling_spec(spec),
        value => positive_integer(value)
            .map(Value::from)
            .ok_or_else(|| invalid("nLists must be a number of 1 or greater")),
    }
}

/// The `params` object as the server reports it, defaults filled in.
fn normalize_params(profile: &Profile, params: &Map<String, Value>) -> Result<Value, ArangoError> {
    let metric = params
        .get("metric")
        .and_then(Value::as_str)
        .filter(|metric| profile.vector_metrics().contains(metric))
        .ok_or_else(|| {
            invalid(&format!(
                "metric must be one of: {}",
                profile.vector_metrics().join(", ")
            ))
        })?;
    let dimension = positive_integer(params.get("dimension"))
        .ok_or_else(|| invalid("dimension must be a number of 1 or greater"))?;
    let mut result = Map::new();
    result.insert("dimension".into(), Value::from(dimension));
    result.insert("metric".into(), Value::from(metric));
    result.insert("nLists".into(), nlists(profile, params)?);
    for (key, default) in [
        ("defaultNProbe", DEFAULT_N_PROBE),
        ("trainingIterations", DEFAULT_TRAINING_ITERATIONS),
    ] {
        let value = match params.get(key) {
            None => default,
            value => positive_integer(value)
                .ok_or_else(|| invalid(&format!("{key} must be a number of 1 or greater")))?,
        };
        result.insert(key.into(), Value::from(value));
    }
    // 3.12.10 reports it always (the response schema requires it).
    if profile.vector_nlists_scaling() {
        let value = match params.get("numberOfDocsPerCentroid") {
            None => DEFAULT_DOCS_PER_CENTROID,
            value => positive_integer(value)
                .ok_or_else(|| invalid("numberOfDocsPerCentroid must be 1 or greater"))?,
        };
        result.insert("numberOfDocsPerCentroid".into(), Value::from(value));
    }
    match params.get("factory") {
        None => {}
        Some(Value::String(factory)) => {
            result.insert("factory".into(), Value::from(factory.as_str()));
        }
        Some(_) => return Err(invalid("factory must be a string")),
    }
    Ok(Value::Object(result))
}

/// How many documents a training needs: a fixed `nLists`, or the
/// `minNLists` of a scaling specification.
fn training_threshold(params: &Value) -> u64 {
    let nlists = &params["nLists"];
    nlists
        .as_u64()
        .or_else(|| nlists["minNLists"].as_u64())
        .unwrap_or(1)
}

/// Documents that hold a vector of the index's dimension at its field.
fn training_documents(collection: &Collection, definition: &Map<String, Value>) -> u64 {
    let Some(field) = definition
        .get("fields")
        .and_then(|fields| fields.get(0))
        .and_then(Value::as_str)
    else {
        return 0;
    };
    let dimension = definition
        .get("params")
        .and_then(|params| params["dimension"].as_u64())
        .unwrap_or(0);
    let count = collection
        .documents
        .values()
        .filter(|document| {
            path_value(document, field)
                .and_then(Value::as_array)
                .is_some_and(|vector| {
                    vector.len() as u64 == dimension && vector.iter().all(Value::is_number)
                })
        })
        .count();
    count as u64
}

/// The number of centroids `nLists` resolves to for `count` documents: a
/// fixed number as is; a scaling specification by the tier with the highest
/// threshold at most `count`, else `max(minNLists, multiplier * sqrt(count))`
/// (rounded down and at most `count`: UNVERIFIED).
fn resolve_nlists(nlists: &Value, count: u64) -> u64 {
    if let Some(fixed) = nlists.as_u64() {
        return fixed;
    }
    let tier = nlists["tiers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|tier| tier["threshold"].as_u64().is_some_and(|t| t <= count))
        .max_by_key(|tier| tier["threshold"].as_u64());
    if let Some(fixed) = tier.and_then(|tier| tier["fixedValue"].as_u64()) {
        return fixed;
    }
    let multiplier = nlists["multiplier"].as_f64().unwrap_or(1.0);
    let minimum = nlists["minNLists"].as_u64().unwrap_or(1);
    let computed = (multiplier * (count as f64).sqrt()).floor() as u64;
    // There cannot be more centroids than documents (UNVERIFIED clamp).
    computed.max(minimum).min(count.max(minimum))
}

/// The number of centroids a factory string fixes (`IVF100,Flat` -> 100);
/// `None` for the `{}` placeholder of 3.12.10 or no factory.
fn factory_centroids(params: &Value) -> Option<u64> {
    let factory = params["factory"].as_str()?;
    let digits: String = factory
        .strip_prefix("IVF")?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// What training the index on the collection's documents now would give.
enum Training {
    /// Trained with this many centroids.
    Ready(u64),
    /// Fewer documents with a vector than the threshold.
    NotEnoughData { available: u64, threshold: u64 },
    /// The factory string names another number of centroids than `nLists`
    /// resolves to.
    FactoryMismatch { factory: u64, resolved: u64 },
}

fn training(collection: &Collection, definition: &Map<String, Value>) -> Training {
    let params = definition.get("params").cloned().unwrap_or(Value::Null);
    let threshold = training_threshold(&params);
    let available = training_documents(collection, definition);
    if available < threshold {
        return Training::NotEnoughData {
            available,
            threshold,
        };
    }
    let resolved = resolve_nlists(&params["nLists"], available);
    match factory_centroids(&params) {
        Some(factory) if factory != resolved => Training::FactoryMismatch { factory, resolved },
        _ => Training::Ready(resolved),
    }
}

/// Sets `trainingState` (and `errorMessage` while unusable, with the text
/// `RocksDBVectorIndex::toVelocyPack` reports for every unusable index) from
/// the documents the collection holds now.
fn set_training_state(collection: &Collection, definition: &mut Map<String, Value>) {
    if let Training::Ready(_) = training(collection, definition) {
        definition.insert("trainingState".into(), Value::from("ready"));
        definition.remove("errorMessage");
    } else {
        definition.insert("trainingState".into(), Value::from("unusable"));
        definition.insert("errorMessage".into(), Value::from(NOT_ENOUGH_DATA));
    }
}

/// The 3.12.10 per-shard details `GET /_api/index?withHidden=true` adds to a
/// vector index: on a single server one entry keyed by the collection name,
/// with `trainingState`, `error` and, once trained, `resolvedNLists`.
pub(super) fn shard_details(collection: &Collection, definition: &Map<String, Value>) -> Value {
    let mut shard = Map::new();
    match training(collection, definition) {
        Training::Ready(resolved) => {
            shard.insert("trainingState".into(), Value::from("ready"));
            shard.insert("error".into(), Value::from(""));
            shard.insert("resolvedNLists".into(), Value::from(resolved));
        }
        _ => {
            shard.insert("trainingState".into(), Value::from("unusable"));
            shard.insert("error".into(), Value::from(NOT_ENOUGH_DATA));
        }
    }
    let mut shards = Map::new();
    shards.insert(collection.name.clone(), Value::Object(shard));
    Value::Object(shards)
}

/// Validates a vector index request and fills `definition` (which holds
/// `name` and `type` already) as the server reports it.
pub(super) fn normalize(
    profile: &Profile,
    request: &Map<String, Value>,
    collection: &Collection,
    definition: &mut Map<String, Value>,
) -> Result<(), ArangoError> {
    let fields = paths(request.get("fields"), &VECTOR_FIELDS)?;
    let Some(Value::Object(params)) = request.get("params") else {
        return Err(invalid("params must be an object"));
    };
    let params = normalize_params(profile, params)?;
    // Before 3.12.7 the option is not read at all.
    let stored = if profile.vector_stored_values() {
        stored_values(request, &fields, false)?
    } else {
        None
    };
    definition.insert("fields".into(), json!(fields));
    definition.insert("params".into(), params);
    if let Some(stored) = stored {
        definition.insert("storedValues".into(), json!(stored));
    }
    definition.insert("sparse".into(), Value::Bool(flag(request, "sparse", false)));
    definition.insert("unique".into(), Value::Bool(false));
    match training(collection, definition) {
        Training::NotEnoughData {
            available,
            threshold,
        } if !profile.vector_trains_later() => Err(ArangoError::new(
            400,
            4,
            format!(
                "Error: 'nx >= k' failed: Number of training points ({available}) \
                 should be at least as large as number of clusters ({threshold})"
            ),
        )),
        Training::FactoryMismatch { factory, resolved }
            if profile.vector_training_failure_is_error() =>
        {
            Err(ArangoError::new(
                400,
                4,
                format!(
                    "vector index training failed: the factory has {factory} centroids, \
                     nLists is {resolved}"
                ),
            ))
        }
        _ => {
            if profile.vector_trains_later() {
                set_training_state(collection, definition);
            }
            Ok(())
        }
    }
}

/// Refreshes a stored vector index's `trainingState` before it is shown:
/// the server trains it as soon as enough documents exist.
pub(super) fn refresh(collection: &Collection, definition: &mut Map<String, Value>) {
    if definition.contains_key("trainingState") {
        set_training_state(collection, definition);
    }
}

/// Whether two vector index definitions are the same index: same field,
/// sparsity and parameters (`RocksDBVectorIndex::matchesDefinition`).
pub(super) fn same_identity(existing: &Map<String, Value>, candidate: &Map<String, Value>) -> bool {
    ["fields", "sparse", "unique", "params"]
        .iter()
        .all(|key| existing.get(*key) == candidate.get(*key))
}
