//! arangosync's state collection and the ownership records kept in it.
//!
//! Every object arangosync creates gets a record here; only recorded
//! objects are ever dropped (with `--prune`). Keys are derived from what the
//! record is about, so writing a record twice is harmless and a crashed run
//! that re-creates an object simply overwrites it.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// A system collection: hidden from ordinary listings, never in the specs.
pub const STATE_COLLECTION: &str = "_arangosync";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owned {
    Collection(String),
    Index { collection: String, name: String },
    Graph(String),
}

impl Owned {
    fn kind(&self) -> &'static str {
        match self {
            Owned::Collection(_) => "collection",
            Owned::Index { .. } => "index",
            Owned::Graph(_) => "graph",
        }
    }

    /// A document key that is a pure function of the record's subject.
    pub fn key(&self) -> String {
        let subject = match self {
            Owned::Collection(name) | Owned::Graph(name) => format!("{}\u{0}{name}", self.kind()),
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
        let mut document = json!({
            "_key": self.key(),
            "type": "owned",
            "kind": self.kind(),
            "createdAt": created_at,
        });
        match self {
            Owned::Collection(name) | Owned::Graph(name) => {
                document["name"] = Value::from(name.clone())
            }
            Owned::Index { collection, name } => {
                document["collection"] = Value::from(collection.clone());
                document["name"] = Value::from(name.clone());
            }
        }
        document
    }

    /// Reads a record back; `None` for documents that are not ownership records.
    pub fn from_document(document: &Value) -> Option<Owned> {
        if document.get("type").and_then(Value::as_str) != Some("owned") {
            return None;
        }
        let name = document.get("name").and_then(Value::as_str)?.to_string();
        match document.get("kind").and_then(Value::as_str)? {
            "collection" => Some(Owned::Collection(name)),
            "graph" => Some(Owned::Graph(name)),
            "index" => Some(Owned::Index {
                collection: document
                    .get("collection")
                    .and_then(Value::as_str)?
                    .to_string(),
                name,
            }),
            _ => None,
        }
    }
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
            Owned::Index {
                collection: "users".into(),
                name: "idx_email".into(),
            },
        ];
        let keys: Vec<String> = records.iter().map(Owned::key).collect();
        assert_ne!(keys[0], keys[1], "kinds do not collide");
        for record in &records {
            assert_eq!(record.key(), record.clone().key());
            assert_eq!(
                Owned::from_document(&record.to_document("t")).as_ref(),
                Some(record)
            );
        }
        assert_eq!(Owned::from_document(&json!({"type": "lock"})), None);
    }
}
