//! What a cluster coordinator adds to the collection and index APIs:
//! sharding options at creation (`numberOfShards`, `replicationFactor`,
//! `writeConcern`, `shardKeys`, `shardingStrategy`, `distributeShardsLike`),
//! their validation and mutability, the shard endpoints, and the refusals
//! only a cluster makes (unique indexes that do not cover the shard keys,
//! user keys in collections sharded by other attributes, renames).
//!
//! Facts and messages follow ArangoDB 3.12's sources: `ShardingInfo`
//! (`validateShardsAndReplicationFactor`), `UserInputCollectionProperties`
//! (defaults and `distributeShardsLike`), `LogicalCollection::properties`
//! (updates), `methods::Indexes::ensureIndex` (unique indexes) and
//! `RestCollectionHandler` (shards); shapes follow the `_cluster` transcripts.

use serde_json::{json, Map, Value};

use crate::error::ArangoError;
use crate::request::{ApiRequest, HandlerResult, Reply};
use crate::state::{Collection, Database, Server, Sharding};

/// `--cluster.max-number-of-shards` at its default.
const MAX_NUMBER_OF_SHARDS: u64 = 1000;
/// At most this many shard keys (`invalid number of shard keys`).
const MAX_SHARD_KEYS: usize = 8;

/// ERROR_CLUSTER_UNSUPPORTED (501/1470) with its default message.
pub fn unsupported() -> ArangoError {
    ArangoError::new(501, 1470, "unsupported operation or parameter for clusters")
}

/// ERROR_CLUSTER_INSUFFICIENT_DBSERVERS (1487). Its HTTP status comes from
/// the generic error-to-status mapping, which has no entry for it (500).
fn insufficient_db_servers() -> ArangoError {
    ArangoError::new(
        500,
        1487,
        "the number of current dbservers is lower than the requested replicationFactor",
    )
}

/// 0 or `"satellite"` ask for a SatelliteCollection, which a Community
/// Edition coordinator refuses with ERROR_ONLY_ENTERPRISE (31)
/// (`ClusteringMutableProperties::validateDatabaseConfiguration`). The
/// generic error-to-status mapping has no entry for 31 (500).
fn satellite_refused() -> ArangoError {
    ArangoError::new(
        500,
        31,
        "'satellite' collections only allowed in Enterprise Edition",
    )
}

/// Cluster options of a new collection, validated and completed with the
/// database's defaults or the prototype's values.
#[derive(Debug, Clone)]
pub struct Chosen {
    pub number_of_shards: u64,
    pub replication_factor: u64,
    pub write_concern: u64,
    pub shard_keys: Vec<String>,
    pub sharding_strategy: String,
    pub distribute_shards_like: Option<String>,
}

/// Validates the cluster options of a `POST /_api/collection` body on a
/// coordinator and fills in the defaults.
pub fn creation_options(
    server: &Server,
    database_name: &str,
    name: &str,
    options: &Map<String, Value>,
    key_options: &Map<String, Value>,
) -> Result<Chosen, ArangoError> {
    let database = server.database(database_name)?;
    let db_servers = server.profile.db_servers().len() as i64;
    let (min_factor, max_factor) = server.profile.replication_factor_bounds();
    // ShardingInfo::validateShardsAndReplicationFactor
    let shards = match options.get("numberOfShards") {
        None | Some(Value::Null) => None,
        Some(value) => match value.as_u64() {
            Some(shards) if shards > MAX_NUMBER_OF_SHARDS => {
                return Err(ArangoError::new(
                    400,
                    1450,
                    format!("too many shards. maximum number of shards is {MAX_NUMBER_OF_SHARDS}"),
                ))
            }
            Some(shards) if shards > 0 => Some(shards),
            _ => return Err(ArangoError::bad_parameter("invalid number of shards")),
        },
    };
    let concern_value = options
        .get("writeConcern")
        .or_else(|| options.get("minReplicationFactor"));
    if let (Some(concern), Some(old)) = (
        options.get("writeConcern").filter(|v| v.is_number()),
        options
            .get("minReplicationFactor")
            .filter(|v| v.is_number()),
    ) {
        if concern != old {
            return Err(ArangoError::bad_parameter(
                "got ambiguous values for writeConcern and minReplicationFactor",
            ));
        }
    }
    let enforce = options
        .get("enforceReplicationFactor")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let factor = match options.get("replicationFactor") {
        None | Some(Value::Null) => None,
        Some(Value::Number(number)) => match number.as_i64() {
            Some(factor) if factor < 0 => {
                return Err(ArangoError::bad_parameter(
                    "invalid value for replicationFactor",
                ))
            }
            Some(0) => return Err(satellite_refused()),
            Some(factor) => Some(factor),
            None => return Err(ArangoError::bad_parameter("invalid replicationFactor")),
        },
        Some(Value::String(text)) if text == "satellite" => return Err(satellite_refused()),
        Some(_) => return Err(ArangoError::bad_parameter("invalid replicationFactor")),
    };
    if let (true, Some(factor)) = (enforce, factor) {
        if factor > max_factor as i64 {
            return Err(ArangoError::bad_parameter(format!(
                "replicationFactor must not be higher than maximum allowed replicationFactor ({max_factor})"
            )));
        }
        if factor < min_factor as i64 {
            return Err(ArangoError::bad_parameter(format!(
                "replicationFactor must not be lower than minimum allowed replicationFactor ({min_factor})"
            )));
        }
        if factor > db_servers {
            return Err(insufficient_db_servers());
        }
    }
    let concern = match concern_value {
        None | Some(Value::Null) => None,
        Some(value) => match value.as_i64() {
            Some(concern) if concern > 0 => Some(concern),
            Some(_) => return Err(ArangoError::bad_parameter("invalid value for writeConcern")),
            None => {
                return Err(ArangoError::bad_parameter(
                    "writeConcern needs to be an integer number",
                ))
            }
        },
    };
    if let (true, Some(concern)) = (enforce, concern) {
        if concern > db_servers {
            return Err(insufficient_db_servers());
        }
    }
    if let (Some(factor), Some(concern)) = (factor, concern) {
        if concern > factor {
            return Err(ArangoError::bad_parameter(format!(
                "replicationFactor cannot be smaller than writeConcern ({factor} < {concern})"
            )));
        }
    }
    let shard_keys = match options.get("shardKeys") {
        None | Some(Value::Null) => vec!["_key".to_string()],
        Some(Value::Array(keys)) => {
            let keys: Vec<String> = keys
                .iter()
                .filter_map(Value::as_str)
                .filter(|key| !key.is_empty())
                .map(str::to_string)
                .collect();
            if keys.is_empty() {
                vec!["_key".to_string()]
            } else {
                keys
            }
        }
        Some(_) => {
            return Err(ArangoError::bad_parameter(
                "invalid number of shard keys for collection",
            ))
        }
    };
    let strategy = match options.get("shardingStrategy") {
        None | Some(Value::Null) => None,
        Some(Value::String(strategy)) => Some(strategy.clone()),
        Some(other) => {
            return Err(ArangoError::bad_parameter(format!(
                "Invalid sharding strategy {other}"
            )))
        }
    };
    // A OneShard database puts every user collection on `_graphs`' shard.
    let mut prototype = match options.get("distributeShardsLike") {
        None | Some(Value::Null) => None,
        Some(Value::String(prototype)) if prototype.is_empty() => None,
        Some(Value::String(prototype)) => Some(prototype.clone()),
        Some(_) => {
            return Err(ArangoError::bad_parameter(
                "invalid non-string value for 'distributeShardsLike'",
            ))
        }
    };
    if database.options.sharding == "single" && prototype.is_none() && name != "_graphs" {
        prototype = Some("_graphs".to_string());
    }
    let chosen = match prototype {
        Some(prototype) => follow(
            database, &prototype, shards, factor, concern, strategy, shard_keys,
        )?,
        None => {
            let strategy = strategy.unwrap_or_else(|| "hash".to_string());
            if !server
                .profile
                .sharding_strategies()
                .contains(&strategy.as_str())
            {
                return Err(ArangoError::bad_parameter(format!(
                    "Invalid sharding strategy {strategy}"
                )));
            }
            let replication_factor = factor
                .map(|f| f as u64)
                .unwrap_or(database.options.replication_factor);
            let write_concern = concern
                .map(|c| c as u64)
                .unwrap_or(database.options.write_concern);
            if write_concern > replication_factor {
                return Err(ArangoError::bad_parameter(
                    "writeConcern must not be higher than replicationFactor",
                ));
            }
            Chosen {
                number_of_shards: shards.unwrap_or(1),
                replication_factor,
                write_concern,
                shard_keys,
                sharding_strategy: strategy,
                distribute_shards_like: None,
            }
        }
    };
    if chosen.shard_keys.len() > MAX_SHARD_KEYS {
        return Err(ArangoError::bad_parameter(
            "invalid number of shard keys for collection",
        ));
    }
    if chosen
        .shard_keys
        .iter()
        .any(|key| matches!(key.trim_matches(':'), "_id" | "_rev"))
    {
        return Err(ArangoError::bad_parameter(
            "_id or _rev cannot be used as shard keys",
        ));
    }
    let autoincrement = key_options.get("type").and_then(Value::as_str) == Some("autoincrement");
    if autoincrement && chosen.number_of_shards != 1 {
        return Err(ArangoError::new(
            501,
            1470,
            "the specified key generator is not supported for collections with more than one shard",
        ));
    }
    Ok(chosen)
}

/// The options of a collection whose shards follow `prototype`: stated
/// values must equal the prototype's, unstated ones are taken from it.
fn follow(
    database: &Database,
    prototype: &str,
    shards: Option<u64>,
    factor: Option<i64>,
    concern: Option<i64>,
    strategy: Option<String>,
    shard_keys: Vec<String>,
) -> Result<Chosen, ArangoError> {
    let leader = database
        .collections
        .get(prototype)
        .and_then(|collection| collection.sharding.as_ref().map(|s| (collection, s)));
    let Some((leader, sharding)) = leader else {
        return Err(ArangoError::new(
            500,
            1486,
            format!(
                "Collection not found: {prototype} in database {}",
                database.name
            ),
        ));
    };
    if let Some(leaders_leader) = &sharding.distribute_shards_like {
        return Err(ArangoError::new(
            500,
            1484,
            format!(
                "Cannot distribute shards like '{prototype}' it is already distributed like '{leaders_leader}'."
            ),
        ));
    }
    let differs = |what: &str, given: u64, theirs: u64| {
        ArangoError::bad_parameter(format!(
            "Cannot have a different {what} ({given}), than the leading collection ({theirs})"
        ))
    };
    if let Some(shards) = shards.filter(|s| *s != sharding.number_of_shards) {
        return Err(differs("numberOfShards", shards, sharding.number_of_shards));
    }
    if let Some(concern) = concern.filter(|c| *c as u64 != leader.write_concern) {
        return Err(differs(
            "writeConcern",
            concern as u64,
            leader.write_concern,
        ));
    }
    if let Some(factor) = factor.filter(|f| *f as u64 != sharding.replication_factor) {
        return Err(differs(
            "replicationFactor",
            factor as u64,
            sharding.replication_factor,
        ));
    }
    if let Some(strategy) = strategy
        .as_ref()
        .filter(|s| **s != sharding.sharding_strategy)
    {
        return Err(ArangoError::bad_parameter(format!(
            "Cannot have a different sharding strategy ({strategy}), than the leading collection ({})",
            sharding.sharding_strategy
        )));
    }
    if shard_keys.len() != sharding.shard_keys.len() {
        return Err(ArangoError::bad_parameter(format!(
            "Cannot have a different number of shardKeys ({}), than the leading collection ({}).",
            shard_keys.len(),
            sharding.shard_keys.len()
        )));
    }
    Ok(Chosen {
        number_of_shards: sharding.number_of_shards,
        replication_factor: sharding.replication_factor,
        write_concern: leader.write_concern,
        shard_keys,
        sharding_strategy: sharding.sharding_strategy.clone(),
        distribute_shards_like: Some(prototype.to_string()),
    })
}

/// Places the shards of a new collection: on the prototype's servers when it
/// follows one, round-robin otherwise.
pub fn place(
    server: &mut Server,
    database_name: &str,
    chosen: Chosen,
) -> Result<Sharding, ArangoError> {
    let placement = match &chosen.distribute_shards_like {
        Some(prototype) => server
            .database(database_name)?
            .collection(prototype)?
            .sharding
            .as_ref()
            .map(|sharding| {
                sharding
                    .shards
                    .iter()
                    .map(|(_, servers)| servers.clone())
                    .collect::<Vec<_>>()
            }),
        None => None,
    };
    let mut sharding = server.new_sharding(
        chosen.number_of_shards,
        chosen.replication_factor,
        chosen.shard_keys,
        chosen.sharding_strategy,
        chosen.distribute_shards_like,
    );
    if let Some(placement) = placement {
        for ((_, servers), theirs) in sharding.shards.iter_mut().zip(placement) {
            *servers = theirs;
        }
    }
    Ok(sharding)
}

/// The coordinator's checks of a `PUT .../properties` body
/// (`LogicalCollection::properties`); nothing changes when one fails.
pub fn check_property_update(
    collection: &Collection,
    body: &Map<String, Value>,
    (min_factor, max_factor): (u64, u64),
) -> Result<(), ArangoError> {
    let Some(sharding) = &collection.sharding else {
        return Ok(());
    };
    let bad = ArangoError::bad_parameter;
    let mut factor = sharding.replication_factor;
    match body.get("replicationFactor") {
        None => {}
        Some(Value::Number(number)) => {
            let Some(wanted) = number.as_i64() else {
                return Err(bad("bad value for replicationFactor"));
            };
            if wanted < 0 {
                return Err(bad("bad value for replicationFactor"));
            }
            if wanted == 0 {
                return Err(bad("bad value for replicationFactor. replicationFactor cannot be 0 for collections other than SatelliteCollections."));
            }
            if !(min_factor..=max_factor).contains(&(wanted as u64)) {
                return Err(ArangoError::bad_parameter(format!(
                    "bad value for replicationFactor. replicationFactor must be between {min_factor} and {max_factor}"
                )));
            }
            if wanted as u64 != sharding.replication_factor
                && sharding.distribute_shards_like.is_some()
            {
                return Err(ArangoError::new(
                    403,
                    11,
                    "cannot change replicationFactor for a collection using 'distributeShardsLike'",
                ));
            }
            factor = wanted as u64;
        }
        Some(Value::String(text)) if text == "satellite" => {
            return Err(ArangoError::new(
                403,
                11,
                "cannot use SatelliteCollection status",
            ))
        }
        Some(Value::String(_)) => {
            return Err(bad(
                "bad string value for replicationFactor. expecting 'satellite'",
            ))
        }
        Some(_) => return Err(bad("bad value for replicationFactor")),
    }
    let concern = body
        .get("writeConcern")
        .or_else(|| body.get("minReplicationFactor"));
    if let Some(concern) = concern {
        match concern.as_i64() {
            Some(concern) if concern < 0 => return Err(bad("bad value for writeConcern")),
            Some(concern) if concern as u64 > factor => return Err(bad(
                "bad value for writeConcern. writeConcern cannot be higher than replicationFactor",
            )),
            Some(_) => {}
            None => return Err(bad("bad value for writeConcern")),
        }
    } else if collection.write_concern > factor {
        // Lowering the replication factor below the write concern.
        return Err(ArangoError::bad_parameter(format!(
            "replicationFactor cannot be smaller than writeConcern ({factor} < {})",
            collection.write_concern
        )));
    }
    Ok(())
}

/// A collection other collections distribute their shards like cannot be
/// dropped (ERROR_CLUSTER_MUST_NOT_DROP_COLL_OTHER_DISTRIBUTESHARDSLIKE).
pub fn check_drop(database: &Database, name: &str) -> Result<(), ArangoError> {
    let followed = database.collections.values().any(|other| {
        other
            .sharding
            .as_ref()
            .and_then(|s| s.distribute_shards_like.as_deref())
            == Some(name)
    });
    if followed {
        return Err(ArangoError::new(
            500,
            1485,
            "must not drop collection while another has a distributeShardsLike attribute pointing to it",
        ));
    }
    Ok(())
}

/// `GET /_api/collection/{name}/shards[?details=true]`: the shard ids (or
/// shard → servers with details) followed by the properties, as in
/// `RestGetShards_cluster` / `RestGetShardsWithDetails_cluster`. A single
/// server answers 501/9.
pub fn shards(server: &Server, req: &ApiRequest, name: &str) -> HandlerResult {
    let collection = server.database(&req.database)?.collection(name)?;
    let Some(sharding) = &collection.sharding else {
        return Err(ArangoError::new(
            501,
            9,
            "shards API is only available in a cluster",
        ));
    };
    let shards = if req.query_bool("details", false) {
        Value::Object(
            sharding
                .shards
                .iter()
                .map(|(id, servers)| (id.clone(), json!(servers)))
                .collect(),
        )
    } else {
        json!(sharding
            .shards
            .iter()
            .map(|(id, _)| id.clone())
            .collect::<Vec<_>>())
    };
    let mut body = Map::new();
    body.insert("shards".into(), shards);
    if let Value::Object(properties) = collection.properties() {
        body.extend(properties);
    }
    Ok(Reply::envelope(200, Value::Object(body)))
}

/// `PUT /_api/collection/{name}/responsibleShard`: the shard a document with
/// these shard-key values lands on (`RestGetResponsibleShardExample_cluster`).
/// The emulator's hash is its own; only the shard ids are real.
pub fn responsible_shard(server: &Server, req: &ApiRequest, name: &str) -> HandlerResult {
    let body = req.json()?;
    let collection = server.database(&req.database)?.collection(name)?;
    let Some(sharding) = &collection.sharding else {
        return Err(unsupported());
    };
    let Value::Object(document) = body else {
        return Err(ArangoError::bad_parameter("expecting object for document"));
    };
    if sharding.shards.is_empty() {
        return Err(ArangoError::new(500, 1464, "no responsible shard found"));
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for key in &sharding.shard_keys {
        let value = document.get(key.trim_matches(':')).unwrap_or(&Value::Null);
        for byte in value.to_string().bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    let index = (hash % sharding.shards.len() as u64) as usize;
    let shard = sharding.shards[index].0.clone();
    Ok(Reply::envelope(200, json!({ "shardId": shard })))
}

/// A coordinator refuses a unique index on a collection with more than one
/// shard unless its fields contain every shard key (400/1470; the index
/// handler reports creation failures as 400).
pub fn check_unique_index(
    collection: &Collection,
    definition: &Map<String, Value>,
) -> Result<(), ArangoError> {
    let Some(sharding) = &collection.sharding else {
        return Ok(());
    };
    let unique = definition.get("unique").and_then(Value::as_bool) == Some(true);
    if !unique || sharding.number_of_shards <= 1 {
        return Ok(());
    }
    let fields: Vec<&str> = ["fields", "prefixFields"]
        .iter()
        .filter_map(|key| definition.get(*key).and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for key in &sharding.shard_keys {
        if !fields.contains(&key.as_str()) {
            return Err(ArangoError::new(
                400,
                1470,
                format!("shard key '{key}' must be present in unique index"),
            ));
        }
    }
    Ok(())
}

/// A collection sharded by attributes other than `_key` refuses documents
/// that bring their own `_key` (400/1466).
pub fn check_user_key(collection: &Collection, document: &Value) -> Result<(), ArangoError> {
    let custom_sharding = collection
        .sharding
        .as_ref()
        .is_some_and(|sharding| !sharding.uses_default_shard_keys());
    if custom_sharding && document.get("_key").is_some() {
        return Err(ArangoError::new(
            400,
            1466,
            "must not specify _key for this collection",
        ));
    }
    Ok(())
}
