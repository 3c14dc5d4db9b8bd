//! The emulator's in-memory server state: databases, their collections with
//! documents and indexes, and the users.
//!
//! Everything lives behind one mutex (see `service.rs`); handlers take
//! `&mut Server` and stay synchronous. Named graphs and AQL user functions are
//! stored the way ArangoDB stores them, as documents in the `_graphs` and
//! `_aqlfunctions` system collections of each database, so they show up where a
//! client would look for them.

use std::collections::BTreeMap;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};

use crate::profile::Profile;

/// Collection type numbers as the HTTP API spells them.
pub const DOCUMENT_COLLECTION: u64 = 2;
pub const EDGE_COLLECTION: u64 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AccessLevel {
    None,
    ReadOnly,
    ReadWrite,
}

impl AccessLevel {
    pub fn parse(text: &str) -> Option<AccessLevel> {
        match text {
            "none" => Some(AccessLevel::None),
            "ro" => Some(AccessLevel::ReadOnly),
            "rw" => Some(AccessLevel::ReadWrite),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::None => "none",
            AccessLevel::ReadOnly => "ro",
            AccessLevel::ReadWrite => "rw",
        }
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub name: String,
    pub password: String,
    pub active: bool,
    pub extra: Value,
    /// Database grants; `*` is the default for databases without one.
    pub databases: BTreeMap<String, AccessLevel>,
    /// Collection grants keyed by (database, collection); either may be `*`.
    pub collections: BTreeMap<(String, String), AccessLevel>,
}

impl User {
    pub fn new(name: &str, password: &str, active: bool, extra: Value) -> Self {
        User {
            name: name.to_string(),
            password: password.to_string(),
            active,
            extra,
            databases: BTreeMap::new(),
            collections: BTreeMap::new(),
        }
    }

    /// The database access level, falling back to the `*` grant.
    pub fn database_access(&self, database: &str) -> AccessLevel {
        self.databases
            .get(database)
            .or_else(|| self.databases.get("*"))
            .copied()
            .unwrap_or(AccessLevel::None)
    }

    /// Collection access: an explicit grant, then the database's `*` collection
    /// grant, then the global `*`/`*` grant, then the database level itself.
    pub fn collection_access(&self, database: &str, collection: &str) -> AccessLevel {
        let lookup = |db: &str, coll: &str| {
            self.collections
                .get(&(db.to_string(), coll.to_string()))
                .copied()
        };
        lookup(database, collection)
            .or_else(|| lookup(database, "*"))
            .or_else(|| lookup("*", "*"))
            .unwrap_or_else(|| self.database_access(database))
    }
}

#[derive(Debug, Clone)]
pub struct Index {
    pub id: u64,
    /// The normalised definition as the server reports it, without `id`.
    pub definition: Map<String, Value>,
}

impl Index {
    pub fn name(&self) -> &str {
        self.definition
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
    pub fn index_type(&self) -> &str {
        self.definition
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

/// How a collection is sharded on a cluster coordinator. Single-server
/// collections have none, and so report no cluster attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Sharding {
    pub number_of_shards: u64,
    pub replication_factor: u64,
    pub shard_keys: Vec<String>,
    pub sharding_strategy: String,
    /// The prototype collection's name, when shards follow another's.
    pub distribute_shards_like: Option<String>,
    /// Shard ids (`s<number>`) in numeric order, each with its servers,
    /// leader first.
    pub shards: Vec<(String, Vec<String>)>,
}

impl Sharding {
    /// True when documents are placed by `_key` alone, so clients may choose
    /// their own keys.
    pub fn uses_default_shard_keys(&self) -> bool {
        self.shard_keys == ["_key"]
    }
}

/// A database's cluster defaults (`options` of `POST /_api/database`).
#[derive(Debug, Clone, PartialEq)]
pub struct DatabaseOptions {
    /// `""` (flexible) or `"single"` (OneShard).
    pub sharding: String,
    pub replication_factor: u64,
    pub write_concern: u64,
}

impl Default for DatabaseOptions {
    fn default() -> Self {
        DatabaseOptions {
            sharding: String::new(),
            replication_factor: 1,
            write_concern: 1,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Collection {
    pub id: u64,
    pub name: String,
    pub collection_type: u64,
    pub is_system: bool,
    pub globally_unique_id: String,
    pub wait_for_sync: bool,
    pub cache_enabled: bool,
    /// `type`, `allowUserKeys`, and for autoincrement `increment`/`offset`.
    pub key_options: Map<String, Value>,
    /// Stored form: `{rule, level, message, type}`, or `None`.
    pub schema: Option<Value>,
    /// Stored form: an array with all six keys per entry, or `None`.
    pub computed_values: Option<Value>,
    pub write_concern: u64,
    /// Sharding on a cluster coordinator, `None` on a single server.
    pub sharding: Option<Sharding>,
    /// User indexes in creation order; primary and edge indexes are implicit.
    pub indexes: Vec<Index>,
    pub documents: BTreeMap<String, Value>,
    /// Last generated key number (the `lastValue` of `keyOptions`).
    pub last_key_value: u64,
    /// The properties carry `supportsRBAC` (the server's version has it:
    /// [`Profile::collections_report_supports_rbac`]).
    pub reports_supports_rbac: bool,
}

impl Collection {
    pub fn is_edge(&self) -> bool {
        self.collection_type == EDGE_COLLECTION
    }

    pub fn key_type(&self) -> &str {
        self.key_options
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("traditional")
    }

    pub fn allow_user_keys(&self) -> bool {
        self.key_options
            .get("allowUserKeys")
            .and_then(Value::as_bool)
            .unwrap_or(true)
    }

    /// The properties object of `GET /_api/collection/{name}/properties`
    /// (single server, 3.12.10 shape), without the envelope.
    pub fn properties(&self) -> Value {
        if let Some(sharding) = &self.sharding {
            return self.cluster_properties(sharding);
        }
        let mut key_options = self.key_options.clone();
        // The uuid generator keeps no state and so reports no lastValue.
        if self.key_type() != "uuid" {
            key_options.insert("lastValue".into(), Value::from(self.last_key_value));
        }
        let mut body = json!({
            "writeConcern": self.write_concern,
            "waitForSync": self.wait_for_sync,
            "usesRevisionsAsDocumentIds": true,
            "syncByRevision": true,
            "supportsRBAC": true,
            "statusString": "loaded",
            "id": self.id.to_string(),
            "isSmartChild": false,
            "schema": self.schema.clone().unwrap_or(Value::Null),
            "name": self.name,
            "type": self.collection_type,
            "status": 3,
            "cacheEnabled": self.cache_enabled,
            "isSystem": self.is_system,
            "internalValidatorType": 0,
            "globallyUniqueId": self.globally_unique_id,
            "keyOptions": key_options,
            "computedValues": self.computed_values.clone().unwrap_or(Value::Null),
            "objectId": (self.id + 1).to_string(),
        });
        self.drop_unreported(&mut body);
        body
    }

    /// Removes the attributes the server's version does not report.
    fn drop_unreported(&self, body: &mut Value) {
        if let Value::Object(map) = body {
            if !self.reports_supports_rbac {
                map.shift_remove("supportsRBAC");
            }
        }
    }

    /// The properties object a coordinator reports: attribute set and order
    /// of `RestGetShards_cluster` (3.12.10) without its `shards`, plus
    /// `distributeShardsLike` (as a name) when set. There is no `objectId`,
    /// and `keyOptions` carries no `lastValue`.
    fn cluster_properties(&self, sharding: &Sharding) -> Value {
        let mut body = json!({
            "writeConcern": self.write_concern,
            "waitForSync": self.wait_for_sync,
            "usesRevisionsAsDocumentIds": true,
            "syncByRevision": true,
            "supportsRBAC": true,
            "shardingStrategy": sharding.sharding_strategy,
            "schema": self.schema.clone().unwrap_or(Value::Null),
            "numberOfShards": sharding.number_of_shards,
            "minReplicationFactor": self.write_concern,
            "id": self.id.to_string(),
            "isSmartChild": false,
            "name": self.name,
            "statusString": "loaded",
            "isSmart": false,
            "replicationFactor": sharding.replication_factor,
            "type": self.collection_type,
            "status": 3,
            "cacheEnabled": self.cache_enabled,
            "isSystem": self.is_system,
            "computedValues": self.computed_values.clone().unwrap_or(Value::Null),
            "internalValidatorType": 0,
            "globallyUniqueId": self.globally_unique_id,
        });
        if let Value::Object(map) = &mut body {
            if let Some(prototype) = &sharding.distribute_shards_like {
                map.insert(
                    "distributeShardsLike".into(),
                    Value::from(prototype.clone()),
                );
            }
            map.insert("shardKeys".into(), json!(sharding.shard_keys));
            map.insert("isDisjoint".into(), Value::Bool(false));
            map.insert("keyOptions".into(), Value::Object(self.key_options.clone()));
        }
        self.drop_unreported(&mut body);
        body
    }

    /// The short object of `GET /_api/collection` and `GET /_api/collection/{name}`.
    pub fn summary(&self) -> Value {
        json!({
            "id": self.id.to_string(),
            "name": self.name,
            "status": 3,
            "type": self.collection_type,
            "isSystem": self.is_system,
            "globallyUniqueId": self.globally_unique_id,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Database {
    pub id: u64,
    pub name: String,
    pub collections: BTreeMap<String, Collection>,
    /// Cluster defaults for new collections (reported on a coordinator only).
    pub options: DatabaseOptions,
    /// Custom ArangoSearch analyzers by short name (see `analyzers.rs`).
    pub analyzers: BTreeMap<String, crate::analyzers::Analyzer>,
    /// Views by name; they share the collections' namespace (`views.rs`).
    pub views: BTreeMap<String, crate::views::View>,
}

impl Database {
    pub fn collection(&self, name: &str) -> Result<&Collection, crate::error::ArangoError> {
        self.collections
            .get(name)
            .ok_or_else(|| crate::error::ArangoError::collection_not_found(name))
    }

    pub fn collection_mut(
        &mut self,
        name: &str,
    ) -> Result<&mut Collection, crate::error::ArangoError> {
        self.collections
            .get_mut(name)
            .ok_or_else(|| crate::error::ArangoError::collection_not_found(name))
    }
}

/// Monotonic sources for ids, revisions and index names.
#[derive(Debug)]
pub struct Ids {
    next: u64,
    server_id: String,
    /// The last value handed out by `clock`.
    last_clock: u64,
}

impl Default for Ids {
    fn default() -> Self {
        Ids {
            next: 10_000,
            server_id: "h5C3DDE5391BF".to_string(),
            last_clock: 0,
        }
    }
}

/// ArangoDB's alphabet for revision strings (a base64 variant that sorts like
/// the numbers it encodes).
const REVISION_ALPHABET: &[u8; 64] =
    b"-_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

impl Ids {
    pub fn next_id(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    pub fn globally_unique_id(&self, id: u64) -> String {
        format!("{}/{}", self.server_id, id)
    }

    /// ArangoDB's hybrid logical clock: wall time in milliseconds in the high
    /// bits, a counter in the low 20 that only counts when two values fall
    /// into the same millisecond. Revisions and generated index names are
    /// such values, so they look like the real ones (`_l6zhVIC---`,
    /// `idx_1872607108349820928`) and always grow.
    fn clock(&mut self) -> u64 {
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_millis() as u64)
            .unwrap_or(0);
        let candidate = millis << 20;
        self.last_clock = if candidate > self.last_clock {
            candidate
        } else {
            self.last_clock + 1
        };
        self.last_clock
    }

    pub fn revision(&mut self) -> String {
        let mut value = self.clock();
        let mut encoded = Vec::new();
        while value > 0 {
            encoded.push(REVISION_ALPHABET[(value & 63) as usize]);
            value >>= 6;
        }
        encoded.reverse();
        String::from_utf8(encoded).unwrap_or_default()
    }

    /// The clock value a revision string encodes (None for a foreign one):
    /// revisions order by this value, not by their text.
    pub fn revision_value(revision: &str) -> Option<u64> {
        revision.bytes().try_fold(0u64, |value, byte| {
            let digit = REVISION_ALPHABET.iter().position(|&c| c == byte)?;
            value.checked_mul(64)?.checked_add(digit as u64)
        })
    }

    pub fn index_name(&mut self) -> String {
        format!("idx_{}", self.clock())
    }
}

/// A replication dump batch: a lease the inventory call must name.
#[derive(Debug, Clone)]
pub struct Batch {
    pub database: String,
    pub expires: Instant,
}

#[derive(Debug, Clone)]
pub struct AsyncJob {
    pub id: String,
    pub done: bool,
}

/// A query cursor with results still to hand out.
#[derive(Debug, Clone)]
pub struct OpenCursor {
    /// The results not handed out yet.
    pub rest: Vec<Value>,
    pub batch_size: usize,
    /// The `count` answered with every batch when the query asked for it.
    pub count: Option<usize>,
    /// The query's `extra` (warnings and statistics), repeated with every batch.
    pub extra: Value,
    /// The id of the batch the next fetch returns (`nextBatchId`).
    pub next_batch_id: u64,
}

#[derive(Debug)]
pub struct Server {
    pub databases: BTreeMap<String, Database>,
    pub users: BTreeMap<String, User>,
    pub ids: Ids,
    pub batches: BTreeMap<String, Batch>,
    pub jobs: BTreeMap<String, AsyncJob>,
    /// Open query cursors by id.
    pub cursors: BTreeMap<String, OpenCursor>,
    /// Which server this is: version, role, startup options.
    pub profile: Profile,
}

impl Server {
    /// A server with the default profile (see [`Profile::default`]).
    pub fn new(root_password: &str) -> Self {
        Server::with_profile(root_password, Profile::default())
    }

    /// A fresh server presenting `profile`, with `_system` and `root`.
    pub fn with_profile(root_password: &str, profile: Profile) -> Self {
        let mut root = User::new("root", root_password, true, json!({}));
        root.databases.insert("*".into(), AccessLevel::ReadWrite);
        root.collections
            .insert(("*".into(), "*".into()), AccessLevel::ReadWrite);
        let mut server = Server {
            databases: BTreeMap::new(),
            users: BTreeMap::from([("root".to_string(), root)]),
            ids: Ids::default(),
            batches: BTreeMap::new(),
            jobs: BTreeMap::new(),
            cursors: BTreeMap::new(),
            profile,
        };
        server.create_database("_system");
        server
    }

    /// Creates a database with its system collections. The caller checks the
    /// name and that it is free.
    pub fn create_database(&mut self, name: &str) {
        let id = if name == "_system" {
            1
        } else {
            self.ids.next_id()
        };
        let mut database = Database {
            id,
            name: name.to_string(),
            collections: BTreeMap::new(),
            options: DatabaseOptions::default(),
            analyzers: BTreeMap::new(),
            views: BTreeMap::new(),
        };
        for system in self.profile.system_collections() {
            let collection = self.new_collection(system, DOCUMENT_COLLECTION, true);
            database.collections.insert(system.to_string(), collection);
        }
        self.databases.insert(name.to_string(), database);
    }

    /// A collection with every property at its server default.
    pub fn new_collection(
        &mut self,
        name: &str,
        collection_type: u64,
        is_system: bool,
    ) -> Collection {
        let id = self.ids.next_id();
        // Reserve the next id too: ArangoDB shows `objectId` as a separate number.
        self.ids.next_id();
        let mut key_options = Map::new();
        key_options.insert("allowUserKeys".into(), Value::Bool(true));
        key_options.insert("type".into(), Value::from("traditional"));
        let (globally_unique_id, sharding) = if self.profile.is_cluster() {
            // A coordinator names collections `c<id>/` (RestGetShards_cluster).
            let sharding = self.new_sharding(1, 1, vec!["_key".into()], "hash".into(), None);
            (format!("c{id}/"), Some(sharding))
        } else {
            (self.ids.globally_unique_id(id), None)
        };
        Collection {
            id,
            name: name.to_string(),
            collection_type,
            is_system,
            globally_unique_id,
            wait_for_sync: false,
            cache_enabled: false,
            key_options,
            schema: None,
            computed_values: None,
            write_concern: 1,
            sharding,
            indexes: Vec::new(),
            documents: BTreeMap::new(),
            last_key_value: 0,
            reports_supports_rbac: self.profile.collections_report_supports_rbac(),
        }
    }

    /// Sharding for a new collection: shard ids from the id source, each
    /// shard led by the next DB-Server in turn and followed by the ones after
    /// it, up to the replication factor.
    pub fn new_sharding(
        &mut self,
        number_of_shards: u64,
        replication_factor: u64,
        shard_keys: Vec<String>,
        sharding_strategy: String,
        distribute_shards_like: Option<String>,
    ) -> Sharding {
        let servers = self.profile.db_servers();
        let shards = (0..number_of_shards)
            .map(|shard| {
                let id = format!("s{}", self.ids.next_id());
                let placed = (0..replication_factor)
                    .filter_map(|copy| {
                        servers
                            .get(((shard + copy) as usize) % servers.len().max(1))
                            .map(|server| server.to_string())
                    })
                    .collect();
                (id, placed)
            })
            .collect();
        Sharding {
            number_of_shards,
            replication_factor,
            shard_keys,
            sharding_strategy,
            distribute_shards_like,
            shards,
        }
    }

    pub fn database(&self, name: &str) -> Result<&Database, crate::error::ArangoError> {
        self.databases
            .get(name)
            .ok_or_else(|| crate::error::ArangoError::database_not_found(name))
    }

    pub fn database_mut(&mut self, name: &str) -> Result<&mut Database, crate::error::ArangoError> {
        self.databases
            .get_mut(name)
            .ok_or_else(|| crate::error::ArangoError::database_not_found(name))
    }

    /// The analyzers `database` can use: its own and those of `_system`.
    pub fn analyzer_catalog(&self, database: &str) -> crate::inverted::Catalog {
        let analyzers_of = |name: &str| {
            self.databases
                .get(name)
                .map(|database| database.analyzers.clone())
                .unwrap_or_default()
        };
        crate::inverted::Catalog {
            database: database.to_string(),
            profile: self.profile.clone(),
            own: analyzers_of(database),
            system: analyzers_of(crate::analyzers::SYSTEM_DATABASE),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_look_like_arangodb_hlc_values_and_grow() {
        let mut ids = Ids::default();
        let first = ids.revision();
        let second = ids.revision();
        // Milliseconds since 1970 shifted by 20 bits need 11 characters, the
        // first of which is `_` until the year 2514.
        assert_eq!(first.len(), 11, "{first}");
        assert!(first.starts_with('_'), "{first}");
        assert!(second > first, "{second} <= {first}");
        assert!(Ids::revision_value(&second) > Ids::revision_value(&first));
        assert_eq!(Ids::revision_value("_"), Some(1));
        assert_eq!(Ids::revision_value("?"), None);
        let name = ids.index_name();
        assert_eq!(name.len(), "idx_".len() + 19, "{name}");
    }
}
