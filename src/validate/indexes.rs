//! Index definitions: field lists, per-type option contradictions, and
//! clashes between the indexes of one collection.
//!
//! The rules mirror what ArangoDB 3.12 rejects on `POST /_api/index`
//! (shared/ARANGODB_API.md 4.2-4.3, and the emulator's `indexes.rs`), plus
//! what it silently changes (`geoJson` with two fields), since a spec the
//! server stores differently would show a change on every plan.
//!
//! Two indexes clash when they share a name, or when the server's "ensure"
//! identity would take the second for the first (then creating it would
//! return the first one unchanged and the spec could never be reached).

use serde_json::Value;

use super::{at, first_at, names, Report};
use crate::diag::Location;
use crate::model::{whole_number, Collection, Index};
use crate::spec::Origin;

const MAX_STORED_VALUES: usize = 32;

/// What the `fields` of each type may hold.
struct FieldRules {
    min: usize,
    max: usize,
    expansion: bool,
    sub_attributes: bool,
}

fn field_rules(index_type: &str) -> FieldRules {
    let (min, max, expansion, sub_attributes) = match index_type {
        "persistent" => (1, usize::MAX, true, true),
        "ttl" => (1, 1, false, false),
        "geo" => (1, 2, false, true),
        "fulltext" => (1, 1, false, true),
        "vector" => (1, 1, false, true),
        _ => (1, usize::MAX, false, true),
    };
    FieldRules {
        min,
        max,
        expansion,
        sub_attributes,
    }
}

/// The index in words: "index `byEmail` of collection `users`" or, without
/// a name, "the persistent index on [email] of collection `users`".
pub(super) fn label(collection: &str, index: &Index) -> String {
    match &index.name {
        Some(name) => format!("index `{name}` of collection `{collection}`"),
        None => format!(
            "the {} index on [{}] of collection `{collection}`",
            index.index_type,
            index.field_names().join(", ")
        ),
    }
}

pub fn check(collection: &Collection, origins: &[Origin], report: &mut Report) {
    let mut ttl_seen: Option<usize> = None;
    for (position, index) in collection.indexes.iter().enumerate() {
        let origin = origins.get(position);
        let label = label(&collection.name, index);
        if let Some(name) = &index.name {
            names::check_index(name, &label, origin, report);
        }
        if index.index_type == "inverted" {
            inverted_fields(index, &label, origin, report);
        } else {
            attribute_fields(index, &label, origin, report);
        }
        options(index, &label, origin, report);

        let location = origin.map(|origin| &origin.location);
        let first_location = |first: usize| origins.get(first).map(|origin| &origin.location);
        if index.index_type == "ttl" {
            match ttl_seen {
                Some(first) => report.error(
                    "multiple-ttl-indexes",
                    format!(
                        "collection `{}` has more than one ttl index{}",
                        collection.name,
                        first_at(first_location(first))
                    ),
                    location,
                    Some("ArangoDB allows one ttl index per collection".into()),
                ),
                None => ttl_seen = Some(position),
            }
        }
        let earlier = &collection.indexes[..position];
        if let Some(name) = &index.name {
            if let Some(first) = earlier
                .iter()
                .position(|other| other.name.as_ref() == Some(name))
            {
                report.error(
                    "duplicate-index-name",
                    format!(
                        "collection `{}` has two indexes named `{name}`{}",
                        collection.name,
                        first_at(first_location(first))
                    ),
                    at(origin, "name"),
                    Some("index names must be unique within a collection".into()),
                );
                continue;
            }
        }
        if index.index_type != "ttl" {
            if let Some(first) = earlier
                .iter()
                .position(|other| other.same_server_identity(index))
            {
                report.error(
                    "duplicate-index",
                    format!(
                        "{label} is, for ArangoDB, the same index as an earlier one{}",
                        first_at(first_location(first))
                    ),
                    location,
                    Some(format!(
                        "ArangoDB tells {} indexes apart by {}, not by name or other options; remove one of the two",
                        index.index_type,
                        identity_words(&index.index_type)
                    )),
                );
            }
        }
    }
}

/// What `same_server_identity` compares, in words for hints.
fn identity_words(index_type: &str) -> &'static str {
    match index_type {
        "mdi-prefixed" => "fields, unique, sparse and prefixFields",
        "geo" => "fields and geoJson",
        "fulltext" => "fields and minLength",
        "inverted" => "all of its definition",
        "vector" => "field, unique, sparse and params",
        _ => "fields, unique and sparse",
    }
}

fn is_id_path(path: &str) -> bool {
    path == "_id" || path.ends_with("._id")
}

/// Why an attribute path cannot be used, given what the list allows.
fn path_problem(
    path: &str,
    expansion: bool,
    sub_attributes: bool,
    allow_id: bool,
) -> Option<String> {
    if path.is_empty() {
        return Some("an attribute path is empty".into());
    }
    if !allow_id && is_id_path(path) {
        return Some(format!(
            "`{path}` cannot be indexed; `_id` is computed from `_key`"
        ));
    }
    if path.starts_with(':') || path.ends_with(':') {
        return Some(format!(
            "`{path}` starts or ends with `:`, which indexes do not allow"
        ));
    }
    if !sub_attributes && path.contains('.') {
        return Some(format!(
            "`{path}` is a sub-attribute, which this index type cannot index"
        ));
    }
    let expansions = path.matches("[*]").count();
    if path.contains('[') || path.contains(']') {
        let well_formed = path.match_indices("[*]").all(|(at, _)| {
            path.get(at + 3..)
                .is_none_or(|rest| rest.is_empty() || rest.starts_with('.'))
        }) && path.matches('[').count() == expansions
            && path.matches(']').count() == expansions;
        if !expansion {
            return Some(format!(
                "`{path}` uses array expansion, which this index type does not support"
            ));
        }
        if !well_formed {
            return Some(format!(
                "`{path}`: only `[*]` expansion is allowed, as in `tags[*]` or `items[*].id`"
            ));
        }
        if expansions > 1 {
            return Some(format!("`{path}` uses more than one `[*]` expansion"));
        }
    }
    None
}

fn attribute_fields(index: &Index, label: &str, origin: Option<&Origin>, report: &mut Report) {
    let rules = field_rules(&index.index_type);
    let count = index.fields.len();
    if count < rules.min || count > rules.max {
        let expected = match (rules.min, rules.max) {
            (min, max) if min == max => format!("exactly {min}"),
            (min, usize::MAX) => format!("at least {min}"),
            (min, max) => format!("{min} or {max}"),
        };
        let hint = match index.index_type.as_str() {
            "ttl" => "a ttl index covers the one attribute that holds the expiry time stamp",
            "geo" => "use one field holding [longitude, latitude] or GeoJSON, or two fields: latitude, longitude",
            "fulltext" => "a fulltext index covers one text attribute; use an inverted index for more",
            "vector" => "a vector index covers the one attribute that holds the embedding; add one vector index per embedding",
            _ => "list the attributes to index",
        };
        report.error(
            "index-field-count",
            format!(
                "{label} has {count} fields; a {} index takes {expected}",
                index.index_type
            ),
            at(origin, "fields"),
            Some(hint.into()),
        );
    }
    for (position, field) in index.fields.iter().enumerate() {
        let Some(path) = field.as_str() else {
            continue;
        };
        let location = at(origin, &format!("fields[{position}]"));
        if let Some(problem) = path_problem(path, rules.expansion, rules.sub_attributes, false) {
            report.error(
                "invalid-index-field",
                format!("{label}: {problem}"),
                location,
                None,
            );
        } else if index.fields[..position].contains(field) {
            report.error(
                "invalid-index-field",
                format!("{label} lists the field `{path}` twice"),
                location,
                None,
            );
        }
    }
}

fn inverted_fields(index: &Index, label: &str, origin: Option<&Origin>, report: &mut Report) {
    if index.fields.is_empty() {
        report.error(
            "index-field-count",
            format!("{label} has no fields; an inverted index takes at least 1"),
            at(origin, "fields"),
            None,
        );
    }
    for (position, field) in index.fields.iter().enumerate() {
        let has_name = field
            .get("name")
            .and_then(Value::as_str)
            .is_some_and(|name| !name.is_empty());
        if !has_name {
            report.error(
                "invalid-index-field",
                format!("{label}: field {} needs a non-empty `name`", position + 1),
                at(origin, &format!("fields[{position}]")),
                None,
            );
        }
    }
}

/// A list of attribute paths stored in the options (`storedValues`,
/// `prefixFields`).
fn path_list(index: &Index, key: &str) -> Option<Vec<String>> {
    let items = index.options.get(key)?.as_array()?;
    Some(
        items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
    )
}

fn options(index: &Index, label: &str, origin: Option<&Origin>, report: &mut Report) {
    let flag = |key: &str| {
        index
            .options
            .get(key)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    };
    match index.index_type.as_str() {
        "ttl" => {
            if flag("unique") {
                report.error(
                    "ttl-unique",
                    format!("{label} sets `unique`, which a ttl index cannot be"),
                    at(origin, "unique"),
                    Some(
                        "remove `unique`; add a separate unique persistent index if needed".into(),
                    ),
                );
            }
            match index.options.get("expireAfter").and_then(Value::as_f64) {
                // Written with a wrong type: the loader has reported it.
                None if written(origin, "expireAfter") => {}
                None => report.error(
                    "ttl-expire-after",
                    format!("{label} has no `expireAfter`"),
                    origin.map(|origin| &origin.location),
                    Some("set `expireAfter` to the number of seconds after the field's time stamp (0 expires at it)".into()),
                ),
                Some(seconds) if seconds < 0.0 => report.error(
                    "ttl-expire-after",
                    format!("{label} has a negative `expireAfter` ({seconds})"),
                    at(origin, "expireAfter"),
                    None,
                ),
                Some(_) => {}
            }
        }
        "geo" if flag("geoJson") && index.fields.len() == 2 => report.error(
            "geo-json-two-fields",
            format!("{label} sets `geoJson` but has two fields"),
            at(origin, "geoJson"),
            Some(
                "`geoJson` applies to one field holding a GeoJSON object or [longitude, latitude] pair; \
                 with two fields (latitude, longitude) ArangoDB ignores it, so remove it"
                    .into(),
            ),
        ),
        "mdi" | "zkd" | "mdi-prefixed" => mdi_options(index, label, origin, report),
        "vector" => vector_options(index, label, origin, report),
        _ => {}
    }
    stored_values(index, label, origin, report);
}

fn mdi_options(index: &Index, label: &str, origin: Option<&Origin>, report: &mut Report) {
    match index.options.get("fieldValueTypes").and_then(Value::as_str) {
        Some("double") => {}
        None if written(origin, "fieldValueTypes") => {}
        Some(other) => report.error(
            "mdi-field-value-types",
            format!("{label} has fieldValueTypes `{other}`; only `double` is supported"),
            at(origin, "fieldValueTypes"),
            Some("set `fieldValueTypes: double`".into()),
        ),
        None => report.error(
            "mdi-field-value-types",
            format!("{label} has no `fieldValueTypes`"),
            origin.map(|origin| &origin.location),
            Some("set `fieldValueTypes: double`, the only supported value".into()),
        ),
    }
    let prefix_fields = path_list(index, "prefixFields");
    if index.index_type == "mdi-prefixed" {
        match &prefix_fields {
            Some(fields) if !fields.is_empty() => {
                for (position, path) in fields.iter().enumerate() {
                    if let Some(problem) = path_problem(path, false, true, true) {
                        let location = at(origin, &format!("prefixFields[{position}]"));
                        report.error("mdi-prefix-fields", format!("{label}: {problem}"), location, None);
                    }
                }
            }
            None if written(origin, "prefixFields") => {}
            _ => report.error(
                "mdi-prefix-fields",
                format!("{label} needs a non-empty `prefixFields` list"),
                at(origin, "prefixFields"),
                Some("list the attributes to search by equality before the dimensions, or use type `mdi`".into()),
            ),
        }
    } else if prefix_fields.is_some() {
        report.error(
            "mdi-prefix-fields",
            format!(
                "{label} is of type `{}`, which does not take `prefixFields`",
                index.index_type
            ),
            at(origin, "prefixFields"),
            Some("use `type: mdi-prefixed` for an index with prefix fields".into()),
        );
    }
}

/// The `params.metric` values of vector indexes in any 3.12.x
/// (`innerProduct` from 3.12.6: gated by the server's capabilities, not here).
const VECTOR_METRICS: &[&str] = &["cosine", "l2", "innerProduct"];

/// What ArangoDB rejects in a vector index whatever its version: a unique
/// one, a metric it does not know, numbers below 1, a scaling `nLists` of
/// another strategy. Which version has which option is checked against
/// the server (`crate::server`), not here.
fn vector_options(index: &Index, label: &str, origin: Option<&Origin>, report: &mut Report) {
    let mut problem = |path: &str, message: String, hint: Option<String>| {
        report.error(
            "vector-index",
            format!("{label}: {message}"),
            at(origin, path),
            hint,
        );
    };
    if index.options.get("unique") == Some(&Value::Bool(true)) {
        problem(
            "unique",
            "a vector index cannot be `unique`".into(),
            Some("remove `unique`".into()),
        );
    }
    if index.options.get("parallelism").and_then(whole_number) == Some(0) {
        problem(
            "parallelism",
            "`parallelism` must be 1 or greater".into(),
            None,
        );
    }
    // Absent: the loader has reported the missing or unreadable `params`.
    let Some(params) = index.options.get("params") else {
        return;
    };
    match params.get("metric").and_then(Value::as_str) {
        Some(metric) if !VECTOR_METRICS.contains(&metric) => problem(
            "params.metric",
            format!("unknown metric `{metric}`"),
            Some(crate::spec::suggestion(metric, VECTOR_METRICS)),
        ),
        _ => {}
    }
    for key in [
        "dimension",
        "defaultNProbe",
        "trainingIterations",
        "numberOfDocsPerCentroid",
    ] {
        if params.get(key).and_then(whole_number) == Some(0) {
            problem(
                &format!("params.{key}"),
                format!("`params.{key}` must be 1 or greater"),
                None,
            );
        }
    }
    match params.get("nLists") {
        Some(number @ Value::Number(_)) if whole_number(number) == Some(0) => problem(
            "params.nLists",
            "`params.nLists` must be 1 or greater".into(),
            Some("the index is trained on that many centroids; it needs at least one".into()),
        ),
        Some(Value::Object(scaling)) => vector_scaling(scaling, &mut problem),
        _ => {}
    }
}

/// The scaling form of `nLists` (3.12.10): `strategy: autoSqrt`,
/// `multiplier` and `minNLists` of at least 1, tiers with `threshold` and
/// `fixedValue` of at least 1.
fn vector_scaling(
    scaling: &serde_json::Map<String, Value>,
    problem: &mut impl FnMut(&str, String, Option<String>),
) {
    match scaling.get("strategy") {
        Some(Value::String(strategy)) if strategy == "autoSqrt" => {}
        Some(other) => problem(
            "params.nLists.strategy",
            format!("`nLists.strategy` is {other}; the only strategy is `autoSqrt`"),
            None,
        ),
        None => problem(
            "params.nLists",
            "the scaling `nLists` has no `strategy`".into(),
            Some("set `strategy: autoSqrt`".into()),
        ),
    }
    if !scaling
        .get("multiplier")
        .and_then(Value::as_f64)
        .is_some_and(|multiplier| multiplier >= 1.0)
    {
        problem(
            if scaling.contains_key("multiplier") {
                "params.nLists.multiplier"
            } else {
                "params.nLists"
            },
            "`nLists.multiplier` must be a number of 1 or greater".into(),
            None,
        );
    }
    if scaling
        .get("minNLists")
        .and_then(whole_number)
        .is_none_or(|minimum| minimum < 1)
    {
        problem(
            if scaling.contains_key("minNLists") {
                "params.nLists.minNLists"
            } else {
                "params.nLists"
            },
            "`nLists.minNLists` must be a whole number of 1 or greater".into(),
            Some(
                "it is the fewest centroids, and the number of documents training waits for".into(),
            ),
        );
    }
    match scaling.get("tiers") {
        None => {}
        Some(Value::Array(tiers)) => {
            for (position, tier) in tiers.iter().enumerate() {
                for key in ["threshold", "fixedValue"] {
                    if whole_number(&tier[key]).is_none_or(|number| number < 1) {
                        problem(
                            &format!("params.nLists.tiers[{position}].{key}"),
                            format!(
                                "`nLists.tiers[{position}].{key}` must be a whole number of 1 or greater"
                            ),
                            None,
                        );
                    }
                }
            }
        }
        Some(_) => problem(
            "params.nLists.tiers",
            "`nLists.tiers` must be a list of {threshold, fixedValue}".into(),
            None,
        ),
    }
}

/// Whether the spec writes the option `key` in the index although the
/// loader could not read its value (then it has reported the value's
/// problem, and saying the option is missing would be wrong).
fn written(origin: Option<&Origin>, key: &str) -> bool {
    origin.is_some_and(|origin| origin.writes_unread(key))
}

fn stored_values(index: &Index, label: &str, origin: Option<&Origin>, report: &mut Report) {
    if index.index_type == "inverted" {
        return;
    }
    let Some(stored) = path_list(index, "storedValues") else {
        return;
    };
    let location = at(origin, "storedValues");
    let problem = |report: &mut Report, message: String, location: Option<&Location>| {
        report.error(
            "stored-values",
            format!("{label}: {message}"),
            location,
            None,
        );
    };
    if stored.is_empty() {
        problem(
            report,
            "`storedValues` is empty; leave it out instead".into(),
            location,
        );
        return;
    }
    if stored.len() > MAX_STORED_VALUES {
        problem(
            report,
            format!(
                "`storedValues` lists {} attributes; at most {MAX_STORED_VALUES} are allowed",
                stored.len()
            ),
            location,
        );
    }
    let prefix_fields = path_list(index, "prefixFields").unwrap_or_default();
    for (position, path) in stored.iter().enumerate() {
        let location = at(origin, &format!("storedValues[{position}]"));
        if let Some(message) = path_problem(path, false, true, true) {
            problem(report, message, location);
        } else if stored[..position].contains(path) {
            problem(
                report,
                format!("`storedValues` lists `{path}` twice"),
                location,
            );
        } else if index.index_type == "persistent"
            && index
                .fields
                .iter()
                .any(|field| field.as_str() == Some(path))
        {
            problem(
                report,
                format!("`{path}` is both an index field and a stored value"),
                location,
            );
        } else if prefix_fields.contains(path) {
            problem(
                report,
                format!("`{path}` is both a prefix field and a stored value"),
                location,
            );
        }
    }
}

#[cfg(test)]
mod tests {

    use serde_json::json;

    use super::*;
    use crate::model::{CollectionType, IndexOptions};

    fn index(index_type: &str, fields: Value, options: Value) -> Index {
        let options: IndexOptions = serde_json::from_value(options).unwrap();
        Index {
            name: None,
            index_type: index_type.into(),
            fields: fields.as_array().cloned().unwrap(),
            options,
            id: None,
        }
    }

    fn persistent(fields: Value) -> Index {
        index(
            "persistent",
            fields,
            json!({"unique": false, "sparse": false, "deduplicate": true, "estimates": true, "cacheEnabled": false}),
        )
    }

    fn codes(indexes: Vec<Index>) -> Vec<&'static str> {
        let mut collection = Collection::new("c", CollectionType::Document);
        collection.indexes = indexes;
        let mut report = Report::default();
        check(&collection, &[], &mut report);
        report.diagnostics.0.iter().map(|d| d.code).collect()
    }

    #[test]
    fn valid_indexes_pass() {
        assert!(codes(vec![
            persistent(json!(["a", "b"])),
            persistent(json!(["b", "a"])),
            persistent(json!(["tags[*]"])),
            persistent(json!(["items[*].id", "_key"])),
            index("ttl", json!(["t"]), json!({"expireAfter": 0})),
            index("geo", json!(["lat", "lon"]), json!({"geoJson": false})),
            index(
                "mdi",
                json!(["x", "y"]),
                json!({"fieldValueTypes": "double"})
            ),
            index(
                "mdi-prefixed",
                json!(["x"]),
                json!({"fieldValueTypes": "double", "prefixFields": ["p"]})
            ),
            index("inverted", json!([{"name": "a"}]), json!({})),
        ])
        .is_empty());
    }

    #[test]
    fn field_rules_per_type() {
        assert_eq!(codes(vec![persistent(json!([]))]), ["index-field-count"]);
        assert_eq!(
            codes(vec![persistent(json!(["_id"]))]),
            ["invalid-index-field"]
        );
        assert_eq!(
            codes(vec![persistent(json!(["a._id"]))]),
            ["invalid-index-field"]
        );
        assert_eq!(
            codes(vec![persistent(json!(["a", "a"]))]),
            ["invalid-index-field"]
        );
        assert_eq!(
            codes(vec![persistent(json!(["a[*].b[*]"]))]),
            ["invalid-index-field"]
        );
        assert_eq!(
            codes(vec![persistent(json!(["a[1]"]))]),
            ["invalid-index-field"]
        );
        assert_eq!(
            codes(vec![persistent(json!([""]))]),
            ["invalid-index-field"]
        );
        assert_eq!(
            codes(vec![persistent(json!([":a"]))]),
            ["invalid-index-field"]
        );
        let ttl = |fields| index("ttl", fields, json!({"expireAfter": 1}));
        assert_eq!(codes(vec![ttl(json!(["a", "b"]))]), ["index-field-count"]);
        assert_eq!(codes(vec![ttl(json!(["a.b"]))]), ["invalid-index-field"]);
        assert_eq!(
            codes(vec![index("geo", json!(["a", "b", "c"]), json!({}))]),
            ["index-field-count"]
        );
        assert_eq!(
            codes(vec![index("fulltext", json!(["a", "b"]), json!({}))]),
            ["index-field-count"]
        );
        assert_eq!(
            codes(vec![index(
                "mdi",
                json!(["a[*]"]),
                json!({"fieldValueTypes": "double"})
            )]),
            ["invalid-index-field"]
        );
        assert_eq!(
            codes(vec![index(
                "inverted",
                json!([{"analyzer": "x"}]),
                json!({})
            )]),
            ["invalid-index-field"]
        );
    }

    #[test]
    fn option_contradictions() {
        assert_eq!(
            codes(vec![index("ttl", json!(["t"]), json!({"unique": true}))]),
            ["ttl-unique", "ttl-expire-after"]
        );
        assert_eq!(
            codes(vec![index("ttl", json!(["t"]), json!({"expireAfter": -1}))]),
            ["ttl-expire-after"]
        );
        assert_eq!(
            codes(vec![index(
                "geo",
                json!(["a", "b"]),
                json!({"geoJson": true})
            )]),
            ["geo-json-two-fields"]
        );
        assert_eq!(
            codes(vec![index("geo", json!(["a"]), json!({"geoJson": true}))]),
            Vec::<&str>::new()
        );
        assert_eq!(
            codes(vec![index("mdi", json!(["x"]), json!({}))]),
            ["mdi-field-value-types"]
        );
        assert_eq!(
            codes(vec![index(
                "zkd",
                json!(["x"]),
                json!({"fieldValueTypes": "int", "prefixFields": ["p"]})
            )]),
            ["mdi-field-value-types", "mdi-prefix-fields"]
        );
        assert_eq!(
            codes(vec![index(
                "mdi-prefixed",
                json!(["x"]),
                json!({"fieldValueTypes": "double", "prefixFields": []})
            )]),
            ["mdi-prefix-fields"]
        );
    }

    #[test]
    fn stored_values_rules() {
        let with_stored = |stored: Value| {
            let mut index = persistent(json!(["a"]));
            index.options.insert("storedValues", stored);
            index
        };
        assert_eq!(
            codes(vec![with_stored(json!(["b", "_id"]))]),
            Vec::<&str>::new()
        );
        assert_eq!(codes(vec![with_stored(json!([]))]), ["stored-values"]);
        let many: Vec<String> = (0..33).map(|n| format!("s{n}")).collect();
        assert_eq!(codes(vec![with_stored(json!(many))]), ["stored-values"]);
        assert_eq!(codes(vec![with_stored(json!(["a"]))]), ["stored-values"]);
        assert_eq!(
            codes(vec![with_stored(json!(["b", "b"]))]),
            ["stored-values"]
        );
        assert_eq!(codes(vec![with_stored(json!(["b[*]"]))]), ["stored-values"]);
    }

    #[test]
    fn clashes_between_indexes() {
        let named = |name: &str, fields: Value| {
            let mut index = persistent(fields);
            index.name = Some(name.into());
            index
        };
        assert_eq!(
            codes(vec![named("n", json!(["a"])), named("n", json!(["b"]))]),
            ["duplicate-index-name"]
        );
        assert_eq!(
            codes(vec![named("x", json!(["a"])), named("y", json!(["a"]))]),
            ["duplicate-index"]
        );
        let mut unique = persistent(json!(["a"]));
        unique.options.insert("unique", json!(true));
        assert_eq!(
            codes(vec![persistent(json!(["a"])), unique]),
            Vec::<&str>::new()
        );
        let mut no_estimates = persistent(json!(["a"]));
        no_estimates.options.insert("estimates", json!(false));
        assert_eq!(
            codes(vec![persistent(json!(["a"])), no_estimates]),
            ["duplicate-index"]
        );
        let ttl = |field: &str| index("ttl", json!([field]), json!({"expireAfter": 1}));
        assert_eq!(codes(vec![ttl("a"), ttl("b")]), ["multiple-ttl-indexes"]);
    }

    fn vector(params: Value, extra: Value) -> Index {
        let mut options = json!({"params": params, "sparse": false, "unique": false});
        for (key, value) in extra.as_object().unwrap() {
            options[key] = value.clone();
        }
        index("vector", json!(["embedding"]), options)
    }

    #[test]
    fn vector_rules_of_every_version() {
        let params = json!({"metric": "cosine", "dimension": 8, "nLists": 2,
                            "defaultNProbe": 1, "trainingIterations": 25});
        assert!(codes(vec![vector(params.clone(), json!({}))]).is_empty());
        // The scaling form, innerProduct and storedValues are valid here;
        // which server takes them is the capabilities' question.
        let scaling = json!({"metric": "innerProduct", "dimension": 8,
            "nLists": {"strategy": "autoSqrt", "multiplier": 4, "minNLists": 2,
                       "tiers": [{"threshold": 1000, "fixedValue": 64}]}});
        assert!(codes(vec![vector(scaling, json!({"storedValues": ["sku"]}))]).is_empty());
        assert_eq!(
            codes(vec![index(
                "vector",
                json!(["a", "b"]),
                json!({"params": params})
            )]),
            ["index-field-count"]
        );
        assert_eq!(
            codes(vec![index(
                "vector",
                json!(["v[*]"]),
                json!({"params": params})
            )]),
            ["invalid-index-field"]
        );
        assert_eq!(
            codes(vec![vector(
                json!({"metric": "cosin", "dimension": 0, "nLists": 0, "defaultNProbe": 0,
                       "trainingIterations": 0, "numberOfDocsPerCentroid": 0}),
                json!({"unique": true, "parallelism": 0})
            )]),
            ["vector-index"; 8]
        );
        assert_eq!(
            codes(vec![vector(
                json!({"metric": "l2", "dimension": 4,
                       "nLists": {"strategy": "fixed", "multiplier": 0.5,
                                  "tiers": [{"threshold": 0}]}}),
                json!({})
            )]),
            ["vector-index"; 5]
        );
        // Two vector indexes on one field with the same params are one
        // index for ArangoDB; other params make another index.
        let one = vector(params.clone(), json!({}));
        assert_eq!(codes(vec![one.clone(), one.clone()]), ["duplicate-index"]);
        let mut other_params = params.clone();
        other_params["metric"] = json!("l2");
        assert!(codes(vec![one, vector(other_params, json!({}))]).is_empty());
    }

    #[test]
    fn labels() {
        let mut index = persistent(json!(["email", "name"]));
        assert_eq!(
            label("users", &index),
            "the persistent index on [email, name] of collection `users`"
        );
        index.name = Some("byEmail".into());
        assert_eq!(
            label("users", &index),
            "index `byEmail` of collection `users`"
        );
    }
}
