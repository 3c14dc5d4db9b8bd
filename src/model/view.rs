//! ArangoSearch views as plain data: `arangosearch` views (data-store
//! properties and links to collections) and `search-alias` views (a list of
//! inverted indexes).
//!
//! Facts (ArangoDB 3.11 to 3.12 docs, "arangosearch Views Reference" and
//! "search-alias Views Reference"; transcripts `RestView*`, `*SearchAlias*`):
//! * Mutable after creation: `cleanupIntervalStep`, `commitIntervalMsec`,
//!   `consolidationIntervalMsec`, `consolidationPolicy` and the links
//!   (`PATCH /_api/view/{name}/properties` merges). Everything else is
//!   fixed at creation ([`VIEW_IMMUTABLE_PROPERTIES`]).
//! * The server reports a link with `analyzers`, `fields`,
//!   `includeAllFields`, `storeValues` and `trackListPositions` filled in;
//!   a sub-field shows only the attributes that differ from its parent's.
//!   Defaults of the tuning properties (`consolidationIntervalMsec`, the
//!   `consolidationPolicy` keys) differ between versions, so properties
//!   compare by what the spec states ([`view_property_matches`]).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::{json_eq, stated_within};

/// The `arangosearch` properties a partial update can change.
pub const VIEW_MUTABLE_PROPERTIES: &[&str] = &[
    "cleanupIntervalStep",
    "commitIntervalMsec",
    "consolidationIntervalMsec",
    "consolidationPolicy",
];

/// The `arangosearch` properties fixed when the view is created: a change
/// needs the view dropped and created again.
pub const VIEW_IMMUTABLE_PROPERTIES: &[&str] = &[
    "primarySort",
    "primarySortCompression",
    "primarySortCache",
    "primaryKeyCache",
    "storedValues",
    "optimizeTopK",
    "writebufferIdle",
    "writebufferActive",
    "writebufferSizeMax",
];

/// The flags the server reports only when they are on.
const OFF_WHEN_ABSENT: &[&str] = &["primarySortCache", "primaryKeyCache", "cache"];

/// The link attributes a sub-field inherits from its parent (link or field).
pub const INHERITED_LINK_ATTRIBUTES: &[&str] = &[
    "analyzers",
    "includeAllFields",
    "storeValues",
    "trackListPositions",
];

/// One view.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct View {
    pub name: String,
    /// `arangosearch` or `search-alias`.
    #[serde(rename = "type")]
    pub view_type: String,
    /// `arangosearch` only: data-store properties. In a spec, what it
    /// states plus the defaults that are the same on every version
    /// (`primarySort` and `storedValues` empty, `primarySortCompression`
    /// `lz4`); read live, everything the server reports.
    pub properties: BTreeMap<String, Value>,
    /// `arangosearch` only: links by collection, each normalised as the
    /// server reports it (see the module notes).
    pub links: BTreeMap<String, Value>,
    /// `search-alias` only: the inverted indexes, sorted.
    pub indexes: Vec<AliasIndex>,
    /// The server's id, for live views; `None` in specs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// One inverted index of a `search-alias` view.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct AliasIndex {
    pub collection: String,
    /// The index name.
    pub index: String,
}

impl View {
    pub fn is_search_alias(&self) -> bool {
        self.view_type == "search-alias"
    }

    /// The body of `POST /_api/view`.
    pub fn to_create_body(&self) -> Value {
        let mut body = Map::new();
        body.insert("name".into(), Value::from(self.name.clone()));
        body.insert("type".into(), Value::from(self.view_type.clone()));
        if self.is_search_alias() {
            body.insert(
                "indexes".into(),
                serde_json::to_value(&self.indexes).unwrap_or(Value::Null),
            );
        } else {
            for (key, value) in &self.properties {
                body.insert(key.clone(), value.clone());
            }
            let links: Map<String, Value> = self
                .links
                .iter()
                .map(|(collection, link)| (collection.clone(), link.clone()))
                .collect();
            body.insert("links".into(), Value::Object(links));
        }
        Value::Object(body)
    }

    /// The analyzers the links name (link level and fields, any depth).
    pub fn analyzers(&self) -> std::collections::BTreeSet<String> {
        fn walk(value: &Value, into: &mut std::collections::BTreeSet<String>) {
            for name in value["analyzers"].as_array().into_iter().flatten() {
                if let Some(name) = name.as_str() {
                    into.insert(name.to_string());
                }
            }
            for key in ["fields", "nested"] {
                for field in value[key].as_object().into_iter().flat_map(Map::values) {
                    walk(field, into);
                }
            }
        }
        let mut names = std::collections::BTreeSet::new();
        for link in self.links.values() {
            walk(link, &mut names);
        }
        names
    }
}

/// Whether a live view property holds the stated one: numbers by value,
/// objects by the keys stated (the server completes a `consolidationPolicy`
/// with its version's defaults), lists item by item, and an absent cache
/// flag means off.
pub fn view_property_matches(key: &str, want: &Value, live: Option<&Value>) -> bool {
    match live {
        None => OFF_WHEN_ABSENT.contains(&key) && *want == Value::Bool(false),
        Some(live) => stated_within(want, live),
    }
}

/// Whether a live link is the desired one. Both sides are in the server's
/// shape (a sub-field shows only what differs from its parent): the
/// inherited attributes must be present on both sides or neither, with the
/// same value (`analyzers` as a set); `fields` and `nested` must name the
/// same sub-fields, each compared by the same rule; any other attribute
/// the spec states compares by [`view_property_matches`]. Attributes the
/// server adds that the spec leaves out (e.g. `version` in an inventory)
/// do not count.
pub fn link_matches(want: &Value, live: &Value) -> bool {
    let (Some(want), Some(live)) = (want.as_object(), live.as_object()) else {
        return json_eq(want, live);
    };
    for key in INHERITED_LINK_ATTRIBUTES {
        let same = match (want.get(*key), live.get(*key)) {
            (None, None) => true,
            (Some(a), Some(b)) if *key == "analyzers" => name_set(a) == name_set(b),
            (Some(a), Some(b)) => stated_within(a, b),
            _ => false,
        };
        if !same {
            return false;
        }
    }
    for key in ["fields", "nested"] {
        let empty = Map::new();
        let fields = |side: &Map<String, Value>| side.get(key).and_then(Value::as_object).cloned();
        let (a, b) = (fields(want), fields(live));
        if a.is_none() && b.as_ref().is_none_or(Map::is_empty) {
            continue;
        }
        let (a, b) = (a.unwrap_or_else(|| empty.clone()), b.unwrap_or(empty));
        if a.len() != b.len() {
            return false;
        }
        for (name, field) in &a {
            let Some(other) = b.get(name) else {
                return false;
            };
            if !link_matches(field, other) {
                return false;
            }
        }
    }
    want.iter()
        .filter(|(key, _)| {
            !INHERITED_LINK_ATTRIBUTES.contains(&key.as_str())
                && !matches!(key.as_str(), "fields" | "nested")
        })
        .all(|(key, value)| view_property_matches(key, value, live.get(key)))
}

fn name_set(value: &Value) -> Result<Vec<&str>, &Value> {
    let Some(items) = value.as_array() else {
        return Err(value);
    };
    let mut names: Vec<&str> = Vec::with_capacity(items.len());
    for item in items {
        names.push(item.as_str().ok_or(value)?);
    }
    names.sort_unstable();
    names.dedup();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn links_compare_by_the_servers_shape() {
        let want = json!({"analyzers": ["identity"], "fields": {"name": {"analyzers": ["text_en"]}},
            "includeAllFields": false, "storeValues": "none", "trackListPositions": false});
        let mut live = want.clone();
        live["version"] = json!(1);
        live["analyzers"] = json!(["identity", "identity"]);
        assert!(link_matches(&want, &live));
        live["fields"]["extra"] = json!({});
        assert!(!link_matches(&want, &live));
        let mut live = want.clone();
        live["fields"]["name"] = json!({});
        assert!(!link_matches(&want, &live));
        let mut live = want.clone();
        live["storeValues"] = json!("id");
        assert!(!link_matches(&want, &live));
        live = want.clone();
        live["fields"]["name"]["trackListPositions"] = json!(true);
        assert!(!link_matches(&want, &live));
    }

    #[test]
    fn properties_compare_by_what_is_stated() {
        assert!(view_property_matches(
            "consolidationPolicy",
            &json!({"type": "tier", "segmentsMin": 1}),
            Some(&json!({"type": "tier", "segmentsMin": 1.0, "segmentsMax": 10}))
        ));
        assert!(!view_property_matches(
            "consolidationPolicy",
            &json!({"segmentsMin": 2}),
            Some(&json!({"type": "tier", "segmentsMin": 1}))
        ));
        assert!(view_property_matches(
            "primarySortCache",
            &json!(false),
            None
        ));
        assert!(!view_property_matches(
            "commitIntervalMsec",
            &json!(5),
            None
        ));
    }
}
