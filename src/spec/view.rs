//! The `spec` of an `ArangoView` document into a normalised [`model::View`].
//!
//! Two types: `arangosearch` (data-store properties and `links` to
//! collections) and `search-alias` (`indexes`: inverted indexes by
//! collection and name). Which keys are valid depends on `type`, so it is
//! read first; every other mapping (a link, a field, a `primarySort` entry,
//! a `storedValues` column, the `consolidationPolicy`, an alias entry)
//! accepts only its documented keys (ArangoDB 3.12 "arangosearch Views
//! Reference" and "search-alias Views Reference"): the server would drop a
//! misspelt key, and the plan would show the view as changed on every run.
//!
//! Invariants:
//! * Links are in the shape the server reports: `analyzers` (duplicates
//!   dropped), `fields`, `includeAllFields`, `storeValues`,
//!   `trackListPositions` filled in with their defaults; a sub-field keeps
//!   only what differs from its parent, as the server shows it.
//!   `inBackground` is dropped: it is how to build the link, not part of it.
//! * `primarySort` entries are `{field, asc}`; `storedValues` columns are
//!   `{fields, compression}` (a plain list of paths takes the default
//!   compression); `primarySort`, `storedValues` and
//!   `primarySortCompression` get their defaults, the same on every
//!   version. Other properties are kept only when stated, since their
//!   defaults differ between versions.
//! * `search-alias` indexes are sorted; duplicates are kept for `validate`.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde_json::{json, Map, Value};

use crate::diag::Location;
use crate::model::{View, VIEW_IMMUTABLE_PROPERTIES, VIEW_MUTABLE_PROPERTIES};
use crate::spec::index::{PRIMARY_SORT_FIELD_KEYS, STORED_VALUES_COLUMN_KEYS};
use crate::spec::reader::{suggestion, Reader};
use crate::spec::yaml::{Node, NodeKind, Pos};

/// The view types a spec may name.
pub const VIEW_TYPES: &[&str] = &["arangosearch", "search-alias"];

const SEARCH_ALIAS_KEYS: &[&str] = &["type", "indexes"];

/// The view properties of an `arangosearch` spec: those fixed at creation,
/// then those a partial update changes (the model's two lists, so a
/// property is known here exactly when the plan knows how to change it).
fn arangosearch_properties() -> impl Iterator<Item = &'static str> {
    VIEW_IMMUTABLE_PROPERTIES
        .iter()
        .chain(VIEW_MUTABLE_PROPERTIES)
        .copied()
}

/// Every key an `arangosearch` spec takes.
static ARANGOSEARCH_KEYS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    ["type", "links"]
        .into_iter()
        .chain(arangosearch_properties())
        .collect()
});

/// Every key of either type: a key of the other type is reported as such,
/// not as unknown.
static VIEW_KEYS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut keys = ARANGOSEARCH_KEYS.clone();
    keys.push("indexes");
    keys
});
const ALIAS_INDEX_KEYS: &[&str] = &["collection", "index"];
const LINK_KEYS: &[&str] = &[
    "analyzers",
    "fields",
    "includeAllFields",
    "storeValues",
    "trackListPositions",
    "nested",
    "cache",
    "inBackground",
];
const FIELD_KEYS: &[&str] = &[
    "analyzers",
    "fields",
    "includeAllFields",
    "storeValues",
    "trackListPositions",
    "nested",
    "cache",
];
/// The `tier` policy's keys (3.12.7+ adds `maxSkewThreshold` and
/// `minDeletionRatio`) and the `bytes_accum` policy's `threshold`: an
/// inverted index's list (`spec::index`) plus the policy type views alone
/// take. (`primarySort` and `storedValues` entries take the same keys as
/// an inverted index's, and use its lists.)
const CONSOLIDATION_POLICY_KEYS: &[&str] = &[
    "type",
    "segmentsBytesFloor",
    "segmentsBytesMax",
    "segmentsMax",
    "segmentsMin",
    "minScore",
    "maxSkewThreshold",
    "minDeletionRatio",
    "threshold",
];
/// Properties whose value is a number.
const NUMBER_KEYS: &[&str] = &[
    "writebufferIdle",
    "writebufferActive",
    "writebufferSizeMax",
    "cleanupIntervalStep",
    "commitIntervalMsec",
    "consolidationIntervalMsec",
];
const DEFAULT_COMPRESSION: &str = "lz4";

/// Link attributes with their defaults, as the server fills them in.
fn link_defaults() -> [(&'static str, Value); 4] {
    [
        ("analyzers", json!(["identity"])),
        ("includeAllFields", json!(false)),
        ("storeValues", json!("none")),
        ("trackListPositions", json!(false)),
    ]
}

/// A view and where each of its attributes is written.
pub struct ReadView {
    pub view: View,
    /// Attribute paths relative to `spec` (`links.products.fields.name`,
    /// `indexes[0].index` in model order).
    pub attributes: BTreeMap<String, Location>,
}

/// Reads the `spec` mapping of view `name`. `None` when the type is missing
/// or unknown; every problem found is in `reader`.
pub fn read(reader: &mut Reader<'_>, name: &str, spec: &Node) -> Option<ReadView> {
    let NodeKind::Map(_) = spec.kind else {
        reader.wrong_type(spec, "the view spec", "a mapping");
        return None;
    };
    let view_type = match spec.get("type") {
        None => {
            reader.error_with_hint(
                "missing-field",
                "the view spec is missing the required field `type`",
                spec.pos,
                "add `type: arangosearch` or `type: search-alias`",
            );
            None
        }
        Some(node) => match reader.string(node, "`type`") {
            Some(text) if VIEW_TYPES.contains(&text.as_str()) => Some(text),
            Some(text) => {
                reader.error_with_hint(
                    "unknown-view-type",
                    format!("unknown view type `{text}`"),
                    node.pos,
                    suggestion(&text, VIEW_TYPES),
                );
                None
            }
            None => None,
        },
    }?;
    let mut view = View {
        name: name.to_string(),
        view_type: view_type.clone(),
        properties: BTreeMap::new(),
        links: BTreeMap::new(),
        indexes: Vec::new(),
        id: None,
    };
    let mut attributes = BTreeMap::new();
    let own_keys: &[&str] = if view_type == "search-alias" {
        SEARCH_ALIAS_KEYS
    } else {
        &ARANGOSEARCH_KEYS
    };
    let (this, other) = if view_type == "search-alias" {
        ("search-alias", "arangosearch")
    } else {
        ("arangosearch", "search-alias")
    };
    let mut fields = reader.fields(spec, &format!("the {this} view spec"), &VIEW_KEYS)?;
    for key in VIEW_KEYS.iter().filter(|key| !own_keys.contains(key)) {
        if let Some(node) = fields.take(key) {
            let key_pos = match &spec.kind {
                NodeKind::Map(entries) => entries
                    .iter()
                    .find(|entry| entry.key == *key)
                    .map_or(node.pos, |entry| entry.key_pos),
                _ => node.pos,
            };
            reader.error_with_hint(
                "wrong-view-type-field",
                format!("`{key}` is a field of {other} views, not of {this} views"),
                key_pos,
                format!("remove it, or make the view `type: {other}`"),
            );
        }
    }
    if view_type == "search-alias" {
        fields.take("type");
        let mut entries = Vec::new();
        if let Some(node) = fields.take("indexes") {
            attributes.insert("indexes".to_string(), reader.location(node.pos));
            for item in reader.list(node, "`indexes`").unwrap_or_default() {
                if let Some(entry) = alias_index(reader, item) {
                    entries.push(entry);
                }
            }
        }
        reader.finish(fields);
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        for (position, (entry, positions)) in entries.into_iter().enumerate() {
            for (suffix, pos) in positions {
                attributes.insert(format!("indexes[{position}]{suffix}"), reader.location(pos));
            }
            view.indexes.push(entry);
        }
        return Some(ReadView { view, attributes });
    }

    fields.take("type");
    if let Some(node) = fields.take("links") {
        record(reader, node, "links", &mut attributes);
        if let NodeKind::Map(entries) = &node.kind {
            for entry in entries {
                if let Some(link) = link(reader, &entry.value) {
                    view.links.insert(entry.key.clone(), link);
                }
            }
        } else {
            reader.wrong_type(node, "`links`", "a mapping of collection names to links");
        }
    }
    for key in arangosearch_properties() {
        let Some(node) = fields.take(key) else {
            continue;
        };
        record(reader, node, key, &mut attributes);
        let value = match key {
            "primarySort" => primary_sort(reader, node),
            "storedValues" => stored_values(reader, node),
            "consolidationPolicy" => {
                check_keys(
                    reader,
                    node,
                    "the `consolidationPolicy`",
                    CONSOLIDATION_POLICY_KEYS,
                );
                reader.json(node)
            }
            "primarySortCache" | "primaryKeyCache" => {
                reader.bool(node, &format!("`{key}`")).map(Value::Bool)
            }
            "primarySortCompression" => reader
                .string(node, "`primarySortCompression`")
                .map(Value::from),
            "optimizeTopK" => reader
                .strings(node, "`optimizeTopK`")
                .map(|items| json!(items)),
            key if NUMBER_KEYS.contains(&key) => {
                reader.uint(node, &format!("`{key}`")).map(Value::from)
            }
            _ => reader.json(node),
        };
        if let Some(value) = value {
            view.properties.insert((*key).to_string(), value);
        }
    }
    reader.finish(fields);
    for (key, default) in [
        ("primarySort", json!([])),
        ("storedValues", json!([])),
        ("primarySortCompression", json!(DEFAULT_COMPRESSION)),
    ] {
        view.properties.entry(key.to_string()).or_insert(default);
    }
    Some(ReadView { view, attributes })
}

/// Records where `node` and everything inside it is written.
fn record(reader: &Reader<'_>, node: &Node, path: &str, into: &mut BTreeMap<String, Location>) {
    into.insert(path.to_string(), reader.location(node.pos));
    match &node.kind {
        NodeKind::Map(entries) => {
            for entry in entries {
                record(reader, &entry.value, &format!("{path}.{}", entry.key), into);
            }
        }
        NodeKind::Seq(items) => {
            for (position, item) in items.iter().enumerate() {
                record(reader, item, &format!("{path}[{position}]"), into);
            }
        }
        _ => {}
    }
}

/// Reports the unknown keys of a mapping; anything else is left for the
/// caller's type check.
fn check_keys(reader: &mut Reader<'_>, node: &Node, what: &str, known: &'static [&'static str]) {
    if !matches!(node.kind, NodeKind::Map(_)) {
        return;
    }
    if let Some(mut fields) = reader.fields(node, what, known) {
        for key in known {
            fields.take(key);
        }
        reader.finish(fields);
    }
}

type AliasEntry = (crate::model::AliasIndex, Vec<(String, Pos)>);

fn alias_index(reader: &mut Reader<'_>, node: &Node) -> Option<AliasEntry> {
    let mut fields = reader.fields(node, "a search-alias index entry", ALIAS_INDEX_KEYS)?;
    let mut positions = vec![(String::new(), node.pos)];
    let mut text = |reader: &mut Reader<'_>, key: &str| {
        let value = fields.require(reader, key)?;
        positions.push((format!(".{key}"), value.pos));
        reader.string(value, &format!("`{key}`"))
    };
    let collection = text(reader, "collection");
    let index = text(reader, "index");
    reader.finish(fields);
    Some((
        crate::model::AliasIndex {
            collection: collection?,
            index: index?,
        },
        positions,
    ))
}

/// One link, normalised (see the module notes).
fn link(reader: &mut Reader<'_>, node: &Node) -> Option<Value> {
    let given = match &node.kind {
        NodeKind::Map(_) => {
            check_link_keys(reader, node, "a view link", LINK_KEYS);
            reader.json(node)?
        }
        NodeKind::Null => json!({}),
        _ => {
            reader.wrong_type(node, "a view link", "a mapping");
            return None;
        }
    };
    let mut link = Map::new();
    let mut parent = Map::new();
    for (key, default) in link_defaults() {
        let mut value = given.get(key).cloned().unwrap_or(default);
        if key == "analyzers" {
            dedup(&mut value);
        }
        parent.insert(key.to_string(), value.clone());
        link.insert(key.to_string(), value);
    }
    link.insert(
        "fields".into(),
        Value::Object(sub_fields(given.get("fields"), &parent)),
    );
    if given.get("nested").is_some() {
        link.insert(
            "nested".into(),
            Value::Object(sub_fields(given.get("nested"), &parent)),
        );
    }
    for (key, value) in given.as_object().into_iter().flatten() {
        if !link.contains_key(key) && key != "inBackground" {
            link.insert(key.clone(), value.clone());
        }
    }
    Some(Value::Object(link))
}

/// Checks the keys of a link or field and of its sub-fields, any depth.
fn check_link_keys(
    reader: &mut Reader<'_>,
    node: &Node,
    what: &str,
    known: &'static [&'static str],
) {
    check_keys(reader, node, what, known);
    if let Some(analyzers) = node.get("analyzers") {
        reader.strings(analyzers, "`analyzers`");
    }
    for key in ["fields", "nested"] {
        let Some(NodeKind::Map(entries)) = node.get(key).map(|n| &n.kind) else {
            continue;
        };
        for entry in entries {
            if matches!(entry.value.kind, NodeKind::Map(_)) {
                check_link_keys(reader, &entry.value, "a view link field", FIELD_KEYS);
            } else if !matches!(entry.value.kind, NodeKind::Null) {
                reader.wrong_type(
                    &entry.value,
                    &format!("the link field `{}`", entry.key),
                    "a mapping",
                );
            }
        }
    }
}

fn dedup(value: &mut Value) {
    if let Value::Array(items) = value {
        let mut seen = Vec::new();
        items.retain(|item| {
            let fresh = !seen.contains(item);
            if fresh {
                seen.push(item.clone());
            }
            fresh
        });
    }
}

/// Sub-fields as the server shows them: each attribute only where it
/// differs from the parent's.
fn sub_fields(given: Option<&Value>, parent: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, field) in given.and_then(Value::as_object).into_iter().flatten() {
        let empty = Map::new();
        let object = field.as_object().unwrap_or(&empty);
        let mut level = parent.clone();
        let mut shown = Map::new();
        for key in crate::model::INHERITED_LINK_ATTRIBUTES {
            if let Some(value) = object.get(*key) {
                let mut value = value.clone();
                if *key == "analyzers" {
                    dedup(&mut value);
                }
                if parent.get(*key) != Some(&value) {
                    shown.insert((*key).to_string(), value.clone());
                }
                level.insert((*key).to_string(), value);
            }
        }
        for key in ["fields", "nested"] {
            if object.contains_key(key) {
                shown.insert(
                    key.into(),
                    Value::Object(sub_fields(object.get(key), &level)),
                );
            }
        }
        for (key, value) in object {
            if !shown.contains_key(key)
                && !crate::model::INHERITED_LINK_ATTRIBUTES.contains(&key.as_str())
            {
                shown.insert(key.clone(), value.clone());
            }
        }
        out.insert(name.clone(), Value::Object(shown));
    }
    out
}

/// `primarySort` entries as `{field, asc}`.
fn primary_sort(reader: &mut Reader<'_>, node: &Node) -> Option<Value> {
    let items = reader.list(node, "`primarySort`")?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let mut fields = reader.fields(item, "a `primarySort` entry", PRIMARY_SORT_FIELD_KEYS)?;
        let field = fields.require(reader, "field");
        let direction = fields.take("direction");
        let asc = fields.take("asc");
        reader.finish(fields);
        let field = reader.string(field?, "`field`")?;
        let asc = match (direction, asc) {
            (Some(node), None) => match reader.string(node, "`direction`")?.to_lowercase().as_str()
            {
                "asc" => true,
                "desc" => false,
                other => {
                    reader.error_with_hint(
                        "invalid-value",
                        format!("`direction`: `{other}` is not a sort direction"),
                        node.pos,
                        "expected `asc` or `desc`",
                    );
                    return None;
                }
            },
            (None, Some(node)) => reader.bool(node, "`asc`")?,
            (None, None) => {
                reader.error_with_hint(
                    "missing-field",
                    "a `primarySort` entry is missing its direction",
                    item.pos,
                    "add `direction: asc` or `direction: desc`",
                );
                return None;
            }
            (Some(node), Some(_)) => {
                reader.error(
                    "invalid-value",
                    "a `primarySort` entry takes `direction` or `asc`, not both",
                    node.pos,
                );
                return None;
            }
        };
        out.push(json!({"field": field, "asc": asc}));
    }
    Some(Value::Array(out))
}

/// `storedValues` columns as `{fields, compression}` (plus `cache` when
/// stated); empty columns are dropped, as the server drops them.
fn stored_values(reader: &mut Reader<'_>, node: &Node) -> Option<Value> {
    let items = reader.list(node, "`storedValues`")?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let column = match &item.kind {
            NodeKind::Seq(_) => {
                let paths = reader.strings(item, "a `storedValues` column")?;
                json!({"fields": paths, "compression": DEFAULT_COMPRESSION})
            }
            NodeKind::Map(_) => {
                check_keys(
                    reader,
                    item,
                    "a `storedValues` column",
                    STORED_VALUES_COLUMN_KEYS,
                );
                let mut column = reader.json(item)?;
                if let Value::Object(object) = &mut column {
                    object
                        .entry("compression")
                        .or_insert_with(|| Value::from(DEFAULT_COMPRESSION));
                }
                column
            }
            _ => {
                reader.wrong_type(
                    item,
                    "a `storedValues` column",
                    "a list of paths or a mapping",
                );
                continue;
            }
        };
        if !column["fields"].as_array().is_some_and(Vec::is_empty) {
            out.push(column);
        }
    }
    Some(Value::Array(out))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::spec::yaml;

    fn read_text(text: &str) -> (Option<View>, Vec<String>) {
        let root = yaml::parse(text).unwrap().remove(0).root;
        let mut reader = Reader::new(Path::new("v.yaml"));
        let read = read(&mut reader, "v", &root).map(|read| read.view);
        reader.diagnostics.sort();
        let messages = reader
            .diagnostics
            .0
            .iter()
            .map(ToString::to_string)
            .collect();
        (read, messages)
    }

    #[test]
    fn links_are_in_the_servers_shape() {
        let (view, problems) = read_text(
            "type: arangosearch\nlinks:\n  products:\n    analyzers: [identity, identity]\n    inBackground: true\n    \
             fields:\n      description: {analyzers: [text_en]}\n      name: {analyzers: [identity]}\n\
             primarySort: [{field: price, direction: desc}]\nstoredValues: [[name]]\n",
        );
        assert_eq!(problems, Vec::<String>::new());
        let view = view.unwrap();
        assert_eq!(
            view.links["products"],
            json!({"analyzers": ["identity"], "fields": {"description": {"analyzers": ["text_en"]}, "name": {}},
                   "includeAllFields": false, "storeValues": "none", "trackListPositions": false})
        );
        assert_eq!(
            view.properties["primarySort"],
            json!([{"field": "price", "asc": false}])
        );
        assert_eq!(
            view.properties["storedValues"],
            json!([{"fields": ["name"], "compression": "lz4"}])
        );
        assert_eq!(view.properties["primarySortCompression"], json!("lz4"));
        assert!(!view.properties.contains_key("consolidationIntervalMsec"));
    }

    #[test]
    fn unknown_keys_name_the_nearest_valid_one() {
        let (_, problems) = read_text(
            "type: arangosearch\nconsolidationPolicy: {type: tier, segmentMin: 1}\nlinks:\n  p:\n    \
             fields:\n      a: {analyser: [x]}\nprimarySorts: []\n",
        );
        assert_eq!(
            problems,
            [
                "v.yaml:2:35: error[unknown-field]: unknown field `segmentMin` in the `consolidationPolicy`\n  \
                 hint: did you mean `segmentsMin`?",
                "v.yaml:6:11: error[unknown-field]: unknown field `analyser` in a view link field\n  \
                 hint: did you mean `analyzers`?",
                "v.yaml:7:1: error[unknown-field]: unknown field `primarySorts` in the arangosearch view spec\n  \
                 hint: did you mean `primarySort`?",
            ]
        );
        let (view, problems) =
            read_text("type: search-alias\nindexes: [{collection: c, idx: i}]\nlinks: {}\n");
        assert!(view.is_some());
        assert_eq!(problems.len(), 3, "{problems:?}");
        let (_, problems) = read_text("type: arangosearch\nlinks: {p: {analyzers: text_en}}\n");
        assert_eq!(
            problems,
            ["v.yaml:2:24: error[wrong-type]: `analyzers`: expected a list, found a string"]
        );
        let (view, problems) = read_text("type: arangosearh\n");
        assert!(view.is_none());
        assert_eq!(
            problems,
            ["v.yaml:1:7: error[unknown-view-type]: unknown view type `arangosearh`\n  hint: did you mean `arangosearch`?"]
        );
    }

    #[test]
    fn alias_indexes_are_sorted() {
        let (view, problems) = read_text(
            "type: search-alias\nindexes:\n  - {collection: z, index: i}\n  - {collection: a, index: j}\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let view = view.unwrap();
        assert_eq!(view.indexes[0].collection, "a");
        assert_eq!(
            view.to_create_body()["indexes"][1],
            json!({"collection": "z", "index": "i"})
        );
    }
}
