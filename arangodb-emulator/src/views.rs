//! ArangoSearch views without HTTP: `arangosearch` views with their links
//! and data-store properties, `search-alias` views over inverted indexes.
//!
//! Facts and sources (3.12.10 transcripts, `shared/arangodb-transcripts/`):
//! * Property defaults and key order of an `arangosearch` view:
//!   `RestViewPostViewArangoSearch_single`, `viewDatabaseCreate_single`.
//! * A link as read back (`analyzers` default `["identity"]`, `fields`,
//!   `includeAllFields`, `storeValues`, `trackListPositions`):
//!   `RestViewPutPropertiesArangoSearch_single`,
//!   `RestViewGetViewPropertiesNameArangoSearch_single`.
//! * PUT replaces (unset mutable properties return to their defaults, links
//!   not named are dropped), PATCH merges (a `null` link removes it):
//!   `RestViewPutPropertiesArangoSearch_single`,
//!   `RestViewPatchPropertiesArangoSearch_single`.
//! * `search-alias`: PUT replaces the index list, PATCH adds (and removes
//!   with `operation: "del"`): `RestViewPutPropertiesSearchAlias_single`,
//!   `RestViewPatchPropertiesSearchAlias_single`,
//!   `viewModifyPropertiesSearchAlias_single`.
//! * Immutable after creation (ArangoDB's view docs): `primarySort`,
//!   `primarySortCompression`, `storedValues`, `optimizeTopK`,
//!   `writebufferActive`, `writebufferIdle`, `writebufferSizeMax`.

use serde_json::{json, Map, Value};

use crate::analyzers::AnalyzerRef;
use crate::error::ArangoError;
use crate::inverted::{self, Catalog};
use crate::profile::Profile;

pub const ARANGOSEARCH: &str = "arangosearch";
pub const SEARCH_ALIAS: &str = "search-alias";

/// One view of a database.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    pub id: u64,
    pub name: String,
    pub globally_unique_id: String,
    pub kind: ViewKind,
}

/// What a view indexes.
#[derive(Debug, Clone, PartialEq)]
pub enum ViewKind {
    /// Data-store properties (without links) and links keyed by collection.
    ArangoSearch {
        properties: Map<String, Value>,
        links: Map<String, Value>,
    },
    /// `(collection, index name)` pairs, in the order they were added.
    SearchAlias { indexes: Vec<(String, String)> },
}

impl View {
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            ViewKind::ArangoSearch { .. } => ARANGOSEARCH,
            ViewKind::SearchAlias { .. } => SEARCH_ALIAS,
        }
    }

    /// `GET /_api/view` and `GET /_api/view/{name}` fields.
    pub fn summary(&self) -> Map<String, Value> {
        let mut out = Map::new();
        out.insert("globallyUniqueId".into(), json!(self.globally_unique_id));
        out.insert("id".into(), json!(self.id.to_string()));
        out.insert("name".into(), json!(self.name));
        out.insert("type".into(), json!(self.type_name()));
        out
    }

    /// The full definition: summary, properties, links or indexes.
    pub fn definition(&self) -> Map<String, Value> {
        let mut out = self.summary();
        match &self.kind {
            ViewKind::ArangoSearch { properties, links } => {
                out.extend(properties.clone());
                out.insert("links".into(), Value::Object(links.clone()));
            }
            ViewKind::SearchAlias { indexes } => {
                let indexes: Vec<Value> = indexes
                    .iter()
                    .map(|(collection, index)| json!({"collection": collection, "index": index}))
                    .collect();
                out.insert("indexes".into(), Value::Array(indexes));
            }
        }
        out
    }

    /// Whether any link of this view names the analyzer `full_name`.
    pub fn uses_analyzer(&self, full_name: &str, database: &str) -> bool {
        let ViewKind::ArangoSearch { links, .. } = &self.kind else {
            return false;
        };
        fn walk(value: &Value, full_name: &str, database: &str) -> bool {
            let named = value
                .get("analyzers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .any(|name| AnalyzerRef::parse(name, database).full_name() == full_name);
            let nested = ["fields", "nested"].iter().any(|key| {
                value
                    .get(*key)
                    .and_then(Value::as_object)
                    .is_some_and(|fields| fields.values().any(|f| walk(f, full_name, database)))
            });
            named || nested
        }
        links.values().any(|link| walk(link, full_name, database))
    }
}

// --- arangosearch properties ---

/// Keys that can change after creation, with their defaults, in the order
/// the server reports them.
fn mutable_defaults(profile: &Profile) -> Vec<(&'static str, Value)> {
    vec![
        ("cleanupIntervalStep", json!(2)),
        ("commitIntervalMsec", json!(1000)),
        (
            "consolidationIntervalMsec",
            json!(profile.search_consolidation_interval_msec()),
        ),
        ("consolidationPolicy", profile.search_consolidation_policy()),
    ]
}

/// The server's order of all data-store keys.
const PROPERTY_ORDER: [&str; 11] = [
    "cleanupIntervalStep",
    "commitIntervalMsec",
    "consolidationIntervalMsec",
    "consolidationPolicy",
    "optimizeTopK",
    "primarySort",
    "primarySortCompression",
    "storedValues",
    "writebufferActive",
    "writebufferIdle",
    "writebufferSizeMax",
];

/// UNVERIFIED: the wording of a malformed view property (errorNum 10).
fn bad_property(key: &str) -> ArangoError {
    ArangoError::bad_parameter(format!(
        "failed to update view properties, error in attribute '{key}'"
    ))
}

fn number(given: &Map<String, Value>, key: &str, default: Value) -> Result<Value, ArangoError> {
    match given.get(key) {
        None => Ok(default),
        Some(value) if value.is_u64() => Ok(value.clone()),
        Some(_) => Err(bad_property(key)),
    }
}

/// Mutable properties: from `base` (PATCH) or their defaults (create, PUT),
/// overridden by what the request sets.
fn mutable_properties(
    given: &Map<String, Value>,
    base: Option<&Map<String, Value>>,
    profile: &Profile,
) -> Result<Map<String, Value>, ArangoError> {
    let mut out = Map::new();
    for (key, default) in mutable_defaults(profile) {
        let start = base
            .and_then(|base| base.get(key))
            .cloned()
            .unwrap_or(default);
        let value = if key == "consolidationPolicy" {
            match given.get(key) {
                None => start,
                Some(policy) => inverted::consolidation_policy(Some(policy), profile)
                    .ok_or_else(|| bad_property(key))?,
            }
        } else {
            number(given, key, start)?
        };
        out.insert(key.into(), value);
    }
    Ok(out)
}

/// The properties of a new `arangosearch` view (without links).
pub fn create_properties(
    given: &Map<String, Value>,
    profile: &Profile,
) -> Result<Map<String, Value>, ArangoError> {
    let mut out = mutable_properties(given, None, profile)?;
    if profile.search_has_optimize_top_k() {
        out.insert(
            "optimizeTopK".into(),
            match given.get("optimizeTopK") {
                None => json!([]),
                Some(value) if value.is_array() => value.clone(),
                Some(_) => return Err(bad_property("optimizeTopK")),
            },
        );
    }
    let sort = match given.get("primarySort") {
        None => Vec::new(),
        Some(value) => inverted::sort_fields(value).ok_or_else(|| bad_property("primarySort"))?,
    };
    out.insert("primarySort".into(), Value::Array(sort));
    out.insert(
        "primarySortCompression".into(),
        given
            .get("primarySortCompression")
            .cloned()
            .unwrap_or(json!("lz4")),
    );
    out.insert(
        "storedValues".into(),
        inverted::stored_values(given.get("storedValues"))
            .ok_or_else(|| bad_property("storedValues"))?,
    );
    out.insert(
        "writebufferActive".into(),
        number(given, "writebufferActive", json!(0))?,
    );
    out.insert(
        "writebufferIdle".into(),
        number(given, "writebufferIdle", json!(64))?,
    );
    out.insert(
        "writebufferSizeMax".into(),
        number(given, "writebufferSizeMax", json!(33_554_432))?,
    );
    for key in ["primarySortCache", "primaryKeyCache"] {
        if given.get(key) == Some(&Value::Bool(true)) {
            out.insert(key.into(), Value::Bool(true));
        }
    }
    Ok(out)
}

/// New properties on PUT (`partial == false`) or PATCH: immutable ones stay.
pub fn update_properties(
    current: &Map<String, Value>,
    given: &Map<String, Value>,
    partial: bool,
    profile: &Profile,
) -> Result<Map<String, Value>, ArangoError> {
    let mutable = mutable_properties(given, partial.then_some(current), profile)?;
    let mut out = Map::new();
    for key in PROPERTY_ORDER {
        if let Some(value) = mutable.get(key).or_else(|| current.get(key)) {
            out.insert(key.into(), value.clone());
        }
    }
    for (key, value) in current {
        if !out.contains_key(key) {
            out.insert(key.clone(), value.clone());
        }
    }
    Ok(out)
}

// --- links ---

/// What a link level inherits (for deciding what a sub-field shows).
#[derive(Debug, Clone)]
struct LinkLevel {
    analyzers: Value,
    include_all_fields: Value,
    store_values: Value,
    track_list_positions: Value,
}

/// UNVERIFIED: the wording when a link names an analyzer the database
/// cannot see (status 400, errorNum 10 as for other bad link definitions).
fn bad_link(collection: &str, detail: &str) -> ArangoError {
    ArangoError::bad_parameter(format!(
        "error parsing arangosearch link parameters from json for collection '{collection}': {detail}"
    ))
}

fn link_analyzers(
    value: Option<&Value>,
    catalog: &Catalog,
    collection: &str,
) -> Result<Option<Value>, ArangoError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let names = value
        .as_array()
        .ok_or_else(|| bad_link(collection, "analyzers"))?;
    let mut out = Vec::new();
    for name in names {
        let name = name
            .as_str()
            .ok_or_else(|| bad_link(collection, "analyzers"))?;
        let (reference, _) = catalog
            .resolve(name)
            .ok_or_else(|| bad_link(collection, &format!("analyzer '{name}' not found")))?;
        let short = reference.short_name(&catalog.database);
        if !out.contains(&Value::from(short.clone())) {
            out.push(Value::from(short));
        }
    }
    Ok(Some(Value::Array(out)))
}

/// The sub-fields of one level: each shows only what differs from `parent`.
fn link_fields(
    value: Option<&Value>,
    parent: &LinkLevel,
    catalog: &Catalog,
    collection: &str,
) -> Result<Map<String, Value>, ArangoError> {
    let Some(value) = value else {
        return Ok(Map::new());
    };
    let fields = value
        .as_object()
        .ok_or_else(|| bad_link(collection, "fields"))?;
    let mut out = Map::new();
    for (name, field) in fields {
        let empty = Map::new();
        let object = match field {
            Value::Object(object) => object,
            Value::Null => &empty,
            _ => return Err(bad_link(collection, "fields")),
        };
        let mut level = parent.clone();
        let mut shown = Map::new();
        if let Some(analyzers) = link_analyzers(object.get("analyzers"), catalog, collection)? {
            if analyzers != parent.analyzers {
                shown.insert("analyzers".into(), analyzers.clone());
            }
            level.analyzers = analyzers;
        }
        for (key, slot) in [
            ("includeAllFields", &mut level.include_all_fields),
            ("storeValues", &mut level.store_values),
            ("trackListPositions", &mut level.track_list_positions),
        ] {
            if let Some(value) = object.get(key) {
                if *value != *slot {
                    shown.insert(key.into(), value.clone());
                }
                *slot = value.clone();
            }
        }
        for key in ["fields", "nested"] {
            if object.contains_key(key) {
                let nested = link_fields(object.get(key), &level, catalog, collection)?;
                shown.insert(key.into(), Value::Object(nested));
            }
        }
        for (key, value) in object {
            if !shown.contains_key(key)
                && !matches!(
                    key.as_str(),
                    "analyzers" | "includeAllFields" | "storeValues" | "trackListPositions"
                )
            {
                shown.insert(key.clone(), value.clone());
            }
        }
        out.insert(name.clone(), Value::Object(shown));
    }
    Ok(out)
}

/// One link as the server reports it.
pub fn normalize_link(
    collection: &str,
    given: &Value,
    catalog: &Catalog,
) -> Result<Value, ArangoError> {
    let empty = Map::new();
    let object = match given {
        Value::Object(object) => object,
        _ => &empty,
    };
    let analyzers = link_analyzers(object.get("analyzers"), catalog, collection)?
        .unwrap_or_else(|| json!(["identity"]));
    let level = LinkLevel {
        analyzers: analyzers.clone(),
        include_all_fields: object
            .get("includeAllFields")
            .cloned()
            .unwrap_or(json!(false)),
        store_values: object.get("storeValues").cloned().unwrap_or(json!("none")),
        track_list_positions: object
            .get("trackListPositions")
            .cloned()
            .unwrap_or(json!(false)),
    };
    let fields = link_fields(object.get("fields"), &level, catalog, collection)?;
    let mut out = Map::new();
    out.insert("analyzers".into(), analyzers);
    out.insert("fields".into(), Value::Object(fields));
    out.insert("includeAllFields".into(), level.include_all_fields);
    out.insert("storeValues".into(), level.store_values);
    out.insert("trackListPositions".into(), level.track_list_positions);
    for (key, value) in object {
        if !out.contains_key(key) && !matches!(key.as_str(), "inBackground") {
            out.insert(key.clone(), value.clone());
        }
    }
    Ok(Value::Object(out))
}

/// Applies a request's `links` to the current ones. PUT (`partial ==
/// false`) drops links the request does not name; a `null` link is
/// removed either way. `collection_exists` checks each linked collection.
pub fn update_links(
    current: &Map<String, Value>,
    given: Option<&Value>,
    partial: bool,
    catalog: &Catalog,
    collection_exists: &dyn Fn(&str) -> bool,
) -> Result<Map<String, Value>, ArangoError> {
    let mut out = if partial { current.clone() } else { Map::new() };
    let Some(given) = given else {
        return Ok(out);
    };
    let links = given.as_object().ok_or_else(|| bad_property("links"))?;
    for (collection, link) in links {
        if link.is_null() {
            out.remove(collection);
            continue;
        }
        // The wording of ArangoDB's own API test (api-view tests,
        // "add_with_link_to_non_existing_collection").
        if !collection_exists(collection) {
            return Err(ArangoError::new(
                404,
                1203,
                format!(
                    "while validating arangosearch link definition, error: collection '{collection}' not found"
                ),
            ));
        }
        out.insert(
            collection.clone(),
            normalize_link(collection, link, catalog)?,
        );
    }
    Ok(out)
}

// --- search-alias ---

/// What a search-alias entry's `{collection, index}` points at.
pub enum AliasTarget {
    /// No such collection.
    NoCollection,
    /// No such index, or not an inverted one.
    NoIndex,
    /// The inverted index, by name.
    Index(String),
}

/// Applies the `indexes` of a search-alias request the way ArangoDB's
/// `Search::updateProperties` does, with its error messages (all 400/10):
/// PUT starts from no indexes, PATCH from the current ones (an empty PATCH
/// changes nothing); an addition appends to its collection's group; `del`
/// swaps the index with the last of its group and drops it, so the order
/// changes as the server's does (`viewModifyPropertiesSearchAlias_single`).
/// Groups keep the order in which their collections first appear.
pub fn update_alias_indexes(
    current: &[(String, String)],
    given: Option<&Value>,
    partial: bool,
    lookup: &dyn Fn(&str, &str) -> AliasTarget,
) -> Result<Vec<(String, String)>, ArangoError> {
    let items = match given {
        None => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(_) => {
            return Err(ArangoError::bad_parameter(
                "search-alias view optional field 'indexes' should be array",
            ))
        }
    };
    if items.is_empty() && partial {
        return Ok(current.to_vec());
    }
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    if partial {
        for (collection, index) in current {
            match groups.iter_mut().find(|(name, _)| name == collection) {
                Some((_, indexes)) => indexes.push(index.clone()),
                None => groups.push((collection.clone(), vec![index.clone()])),
            }
        }
    }
    let bad = ArangoError::bad_parameter;
    for item in &items {
        let collection = item
            .get("collection")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("'collection' should be a string"))?;
        if matches!(lookup(collection, ""), AliasTarget::NoCollection) {
            return Err(bad("Cannot find collection"));
        }
        let remove = match item.get("operation") {
            None => false,
            Some(operation) => match operation.as_str() {
                Some("" | "add") => false,
                Some("del") => true,
                _ => return Err(bad("Invalid type of operation")),
            },
        };
        let group = groups.iter().position(|(name, _)| name == collection);
        if remove && group.is_none() {
            return Err(bad("Cannot find collection for index to delete"));
        }
        let index = item
            .get("index")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("'index' should be a string"))?;
        let AliasTarget::Index(index) = lookup(collection, index) else {
            return Err(bad("Cannot find index"));
        };
        match (remove, group) {
            (false, Some(group)) => groups[group].1.push(index),
            (false, None) => groups.push((collection.to_string(), vec![index])),
            (true, Some(group)) => {
                let indexes = &mut groups[group].1;
                let position = indexes
                    .iter()
                    .position(|existing| *existing == index)
                    .ok_or_else(|| bad("Cannot find index to delete"))?;
                indexes.swap_remove(position);
            }
            (true, None) => return Err(bad("Cannot find collection for index to delete")),
        }
    }
    Ok(groups
        .into_iter()
        .flat_map(|(collection, indexes)| {
            indexes
                .into_iter()
                .map(move |index| (collection.clone(), index))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn put_resets_mutable_properties_and_keeps_immutable_ones() {
        let profile = Profile::default();
        let created = create_properties(
            &object(json!({
                "commitIntervalMsec": 1337, "primarySort": [{"field": "a", "direction": "asc"}]
            })),
            &profile,
        )
        .expect("valid");
        let replaced = update_properties(
            &created,
            &object(json!({"cleanupIntervalStep": 12})),
            false,
            &profile,
        )
        .expect("valid");
        assert_eq!(replaced["commitIntervalMsec"], 1000);
        assert_eq!(replaced["cleanupIntervalStep"], 12);
        assert_eq!(
            replaced["primarySort"],
            json!([{"field": "a", "asc": true}])
        );
        let patched = update_properties(
            &created,
            &object(json!({"cleanupIntervalStep": 12})),
            true,
            &profile,
        )
        .expect("valid");
        assert_eq!(patched["commitIntervalMsec"], 1337);
        let keys: Vec<&String> = patched.keys().collect();
        assert_eq!(keys, PROPERTY_ORDER.iter().collect::<Vec<_>>());
    }

    #[test]
    fn links_are_normalised() {
        let catalog = Catalog {
            database: "_system".into(),
            ..Catalog::default()
        };
        let link = normalize_link(
            "products",
            &json!({"fields": {"description": {"analyzers": ["text_en"]}, "same": {"analyzers": ["identity"]}}}),
            &catalog,
        )
        .expect("valid");
        assert_eq!(
            link,
            json!({"analyzers": ["identity"], "fields": {"description": {"analyzers": ["text_en"]}, "same": {}},
                   "includeAllFields": false, "storeValues": "none", "trackListPositions": false})
        );
        assert_eq!(
            normalize_link("c", &json!({"analyzers": ["missing"]}), &catalog)
                .unwrap_err()
                .error_num,
            10
        );
    }

    #[test]
    fn alias_updates_add_and_delete() {
        let lookup = |collection: &str, index: &str| match (collection, index) {
            ("coll", "") => AliasTarget::Index(String::new()),
            ("coll", "inv1" | "inv2" | "inv3") => AliasTarget::Index(index.to_string()),
            ("coll", _) => AliasTarget::NoIndex,
            _ => AliasTarget::NoCollection,
        };
        let pair = |index: &str| ("coll".to_string(), index.to_string());
        let current = vec![pair("inv1"), pair("inv2")];
        // viewModifyPropertiesSearchAlias_single.
        let updated = update_alias_indexes(
            &current,
            Some(&json!([
                {"collection": "coll", "index": "inv1", "operation": "del"},
                {"collection": "coll", "index": "inv3"}
            ])),
            true,
            &lookup,
        )
        .expect("valid");
        assert_eq!(updated, vec![pair("inv2"), pair("inv3")]);
        let three = vec![pair("inv1"), pair("inv2"), pair("inv3")];
        let swapped = update_alias_indexes(
            &three,
            Some(&json!([{"collection": "coll", "index": "inv1", "operation": "del"}])),
            true,
            &lookup,
        )
        .expect("valid");
        assert_eq!(swapped, vec![pair("inv3"), pair("inv2")]);
        assert_eq!(
            update_alias_indexes(&current, Some(&json!([])), true, &lookup).expect("valid"),
            current
        );
        assert!(update_alias_indexes(&current, None, false, &lookup)
            .expect("valid")
            .is_empty());
        for (body, message) in [
            (
                json!([{"collection": 1, "index": "inv1"}]),
                "'collection' should be a string",
            ),
            (
                json!([{"collection": "other", "index": "inv1"}]),
                "Cannot find collection",
            ),
            (
                json!([{"collection": "coll", "index": "inv1", "operation": "x"}]),
                "Invalid type of operation",
            ),
            (
                json!([{"collection": "coll", "index": "nope"}]),
                "Cannot find index",
            ),
            (
                json!([{"collection": "coll", "index": "inv3", "operation": "del"}]),
                "Cannot find index to delete",
            ),
        ] {
            let error = update_alias_indexes(&current, Some(&body), true, &lookup).unwrap_err();
            assert_eq!(
                (error.error_num, error.message.as_str()),
                (10, message),
                "{body}"
            );
        }
        let error = update_alias_indexes(
            &[],
            Some(&json!([{"collection": "coll", "index": "inv1", "operation": "del"}])),
            false,
            &lookup,
        )
        .unwrap_err();
        assert_eq!(error.message, "Cannot find collection for index to delete");
    }
}
