//! arangosync's state collection and the ownership records kept in it.
//!
//! Every object arangosync creates gets a record here; only recorded
//! objects are ever dropped (with `--prune`). Keys are derived from what the
//! record is about, so writing a record twice is harmless and a crashed run
//! that re-creates an object simply overwrites it.
//!
//! A create whose answer never arrives (a lost connection, a timeout, a
//! killed run) must not lose the object: before a stage's creates are sent,
//! one bulk insert writes an `Intent` (a pending record naming the object
//! and the exact create request) for each, and after the stage one bulk
//! insert replaces them with ownership records. A later run resolves the
//! pending records that remain (`plan::pending`): an object that exists as
//! the intent describes is owned, an intent whose object never appeared is
//! dropped.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// A system collection: hidden from ordinary listings, never in the specs.
pub const STATE_COLLECTION: &str = "_arangosync";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owned {
    Collection(String),
    Index {
        collection: String,
        name: String,
    },
    Graph(String),
    /// A custom analyzer of the database, by bare name.
    Analyzer(String),
    View(String),
}

impl Owned {
    fn kind(&self) -> &'static str {
        match self {
            Owned::Collection(_) => "collection",
            Owned::Index { .. } => "index",
            Owned::Graph(_) => "graph",
            Owned::Analyzer(_) => "analyzer",
            Owned::View(_) => "view",
        }
    }

    /// A document key that is a pure function of the record's subject.
    pub fn key(&self) -> String {
        let subject = match self {
            Owned::Collection(name)
            | Owned::Graph(name)
            | Owned::Analyzer(name)
            | Owned::View(name) => {
                format!("{}\u{0}{name}", self.kind())
            }
            Owned::Index { collection, name } => format!("index\u{0}{collection}\u{0}{name}"),
        };
        let digest = Sha256::digest(subject.as_bytes());
        let hex: String = digest
            .iter()
            .take(16)
            .map(|byte| format!("{byte:02x}"))
            .collect();
        format!("owned-{hex}")
    }

    pub fn to_document(&self, created_at: &str) -> Value {
        let mut document = self.record();
        document["createdAt"] = Value::from(created_at);
        document
    }

    /// The record without its time (the plan shows it; apply adds the time).
    pub fn record(&self) -> Value {
        let mut document = json!({
            "_key": self.key(),
            "type": "owned",
            "kind": self.kind(),
        });
        match self {
            Owned::Collection(name)
            | Owned::Graph(name)
            | Owned::Analyzer(name)
            | Owned::View(name) => document["name"] = Value::from(name.clone()),
            Owned::Index { collection, name } => {
                document["collection"] = Value::from(collection.clone());
                document["name"] = Value::from(name.clone());
            }
        }
        document
    }

    /// Reads a record back; `None` for documents that are not ownership records.
    pub fn from_document(document: &Value) -> Option<Owned> {
        Owned::from_state(&StateDocument::from_value(document)?)
    }

    /// A state document as an ownership record; `None` for other documents.
    pub fn from_state(document: &StateDocument) -> Option<Owned> {
        if document.record_type.as_str() != Some("owned") {
            return None;
        }
        let name = document.name.as_str()?.to_string();
        match document.kind.as_str()? {
            "collection" => Some(Owned::Collection(name)),
            "graph" => Some(Owned::Graph(name)),
            "analyzer" => Some(Owned::Analyzer(name)),
            "view" => Some(Owned::View(name)),
            "index" => Some(Owned::Index {
                collection: document.collection.as_str()?.to_string(),
                name,
            }),
            _ => None,
        }
    }
}

/// A document of the state collection as the readers see it: the
/// attributes of ownership records, pending records and feature-registry
/// entries (each `Null` when absent); anything else in a document (`_key`,
/// `_rev`, `createdAt`, the lock's attributes) is not read. Scalars stay
/// `Value`s so an attribute of an unexpected type reads as absent.
#[derive(Debug, Default, Clone, PartialEq, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct StateDocument {
    /// `owned`, `pending`, `feature` or `lock`.
    #[serde(rename = "type")]
    pub record_type: Value,
    pub kind: Value,
    pub name: Value,
    pub collection: Value,
    /// A pending record's create request.
    pub definition: Value,
    pub supersedes_owned: Value,
    pub feature: Value,
    pub version: Value,
    pub function: Value,
    pub description: Value,
    pub owner: Value,
    pub query: Value,
    pub params: Value,
    pub collections: Value,
    pub returns: Value,
    pub serve: Value,
    pub hash: Value,
    pub source: Value,
    pub format_version: Value,
    pub lineage: Value,
}

impl StateDocument {
    /// The attributes of a document read as JSON; `None` for a value that
    /// is not an object.
    pub fn from_value(document: &Value) -> Option<StateDocument> {
        if !document.is_object() {
            return None;
        }
        serde::Deserialize::deserialize(document).ok()
    }
}

/// What a create is about to make: the subject of a pending record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intended {
    Collection(String),
    /// `name` is `None` for an index the server names on creation.
    Index {
        collection: String,
        name: Option<String>,
    },
    Graph(String),
    Analyzer(String),
    View(String),
}

/// A pending ownership record: written before a create request, replaced
/// by the ownership record once the answer is in.
#[derive(Debug, Clone, PartialEq)]
pub struct Intent {
    pub subject: Intended,
    /// The create request's body, to recognise the object by later.
    pub definition: Value,
    /// The same change dropped an object arangosync owned under this name
    /// just before (a replace): whatever exists under the name afterwards
    /// is arangosync's, old or new.
    pub supersedes_owned: bool,
}

impl Intent {
    /// The ownership record this intent becomes for a named subject: the
    /// pending record shares its key, so confirming it is an overwrite.
    pub fn named(&self) -> Option<Owned> {
        match &self.subject {
            Intended::Collection(name) => Some(Owned::Collection(name.clone())),
            Intended::Graph(name) => Some(Owned::Graph(name.clone())),
            Intended::Analyzer(name) => Some(Owned::Analyzer(name.clone())),
            Intended::View(name) => Some(Owned::View(name.clone())),
            Intended::Index {
                collection,
                name: Some(name),
            } => Some(Owned::Index {
                collection: collection.clone(),
                name: name.clone(),
            }),
            Intended::Index { name: None, .. } => None,
        }
    }

    /// The pending record's key: the ownership record's key for a named
    /// subject; for an index the server names, one derived from its
    /// collection and definition.
    pub fn key(&self) -> String {
        if let Some(owned) = self.named() {
            return owned.key();
        }
        let collection = match &self.subject {
            Intended::Index { collection, .. } => collection.as_str(),
            Intended::Collection(name)
            | Intended::Graph(name)
            | Intended::Analyzer(name)
            | Intended::View(name) => name.as_str(),
        };
        let subject = format!("pending-index\u{0}{collection}\u{0}{}", self.definition);
        format!("pending-{}", short_hash(&subject))
    }

    pub fn to_document(&self, created_at: &str) -> Value {
        let (kind, collection, name) = match &self.subject {
            Intended::Collection(name) => ("collection", None, Some(name)),
            Intended::Graph(name) => ("graph", None, Some(name)),
            Intended::Analyzer(name) => ("analyzer", None, Some(name)),
            Intended::View(name) => ("view", None, Some(name)),
            Intended::Index { collection, name } => ("index", Some(collection), name.as_ref()),
        };
        let mut document = json!({
            "_key": self.key(),
            "type": "pending",
            "kind": kind,
            "definition": self.definition,
            "supersedesOwned": self.supersedes_owned,
            "createdAt": created_at,
        });
        if let Some(collection) = collection {
            document["collection"] = Value::from(collection.clone());
        }
        if let Some(name) = name {
            document["name"] = Value::from(name.clone());
        }
        document
    }

    /// Reads a pending record back; `None` for other documents.
    pub fn from_document(document: &Value) -> Option<Intent> {
        Intent::from_state(StateDocument::from_value(document)?)
    }

    /// A state document as a pending record, its create request moved
    /// out; `None` for other documents.
    pub fn from_state(document: StateDocument) -> Option<Intent> {
        if document.record_type.as_str() != Some("pending") {
            return None;
        }
        let name = document.name.as_str().map(str::to_string);
        let subject = match document.kind.as_str()? {
            "collection" => Intended::Collection(name?),
            "graph" => Intended::Graph(name?),
            "analyzer" => Intended::Analyzer(name?),
            "view" => Intended::View(name?),
            "index" => Intended::Index {
                collection: document.collection.as_str()?.to_string(),
                name,
            },
            _ => return None,
        };
        Some(Intent {
            subject,
            supersedes_owned: document.supersedes_owned.as_bool().unwrap_or(false),
            definition: document.definition,
        })
    }
}

impl std::fmt::Display for Intent {
    /// As the plan names the object: `index users/type[field,...]` for an
    /// index the server names.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.subject {
            Intended::Collection(name) => write!(f, "collection {name}"),
            Intended::Graph(name) => write!(f, "graph {name}"),
            Intended::Analyzer(name) => write!(f, "analyzer {name}"),
            Intended::View(name) => write!(f, "view {name}"),
            Intended::Index {
                collection,
                name: Some(name),
            } => write!(f, "index {collection}/{name}"),
            Intended::Index {
                collection,
                name: None,
            } => {
                let fields: Vec<&str> = self.definition["fields"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|field| field.as_str().or_else(|| field["name"].as_str()))
                    .collect();
                let index_type = self.definition["type"].as_str().unwrap_or("index");
                write!(f, "index {collection}/{index_type}[{}]", fields.join(","))
            }
        }
    }
}

fn short_hash(subject: &str) -> String {
    Sha256::digest(subject.as_bytes())
        .iter()
        .take(16)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The document key of a function's feature-registry entry.
pub fn registry_key(function: &str) -> String {
    let digest = Sha256::digest(function.to_ascii_uppercase().as_bytes());
    let hex: String = digest
        .iter()
        .take(16)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("feature-{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_with_stable_keys() {
        let records = [
            Owned::Collection("users".into()),
            Owned::Graph("users".into()),
            Owned::Analyzer("users".into()),
            Owned::Index {
                collection: "users".into(),
                name: "idx_email".into(),
            },
        ];
        let keys: Vec<String> = records.iter().map(Owned::key).collect();
        assert_ne!(keys[0], keys[1], "kinds do not collide");
        assert_ne!(keys[1], keys[2], "kinds do not collide");
        for record in &records {
            assert_eq!(record.key(), record.clone().key());
            assert_eq!(
                Owned::from_document(&record.to_document("t")).as_ref(),
                Some(record)
            );
        }
        assert_eq!(Owned::from_document(&json!({"type": "lock"})), None);
    }

    #[test]
    fn intents_round_trip_and_share_the_owned_key_when_named() {
        let named = Intent {
            subject: Intended::Index {
                collection: "users".into(),
                name: Some("idx_email".into()),
            },
            definition: json!({"type": "persistent", "fields": ["email"], "name": "idx_email"}),
            supersedes_owned: true,
        };
        let owned = Owned::Index {
            collection: "users".into(),
            name: "idx_email".into(),
        };
        assert_eq!(named.key(), owned.key());
        let unnamed = Intent {
            subject: Intended::Index {
                collection: "users".into(),
                name: None,
            },
            definition: json!({"type": "ttl", "fields": ["at"], "expireAfter": 0}),
            supersedes_owned: false,
        };
        assert!(unnamed.key().starts_with("pending-"));
        for intent in [named, unnamed] {
            let document = intent.to_document("t");
            assert_eq!(Intent::from_document(&document).as_ref(), Some(&intent));
            assert_eq!(
                Owned::from_document(&document),
                None,
                "pending is not owned"
            );
        }
    }
}
