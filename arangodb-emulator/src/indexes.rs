//! Index logic without HTTP: normalising create requests, "ensure" identity,
//! rendering, dropping, and the unique constraints document writes must obey.
//!
//! Invariants:
//! * `Index::definition` is the normalised definition exactly as ArangoDB
//!   reports it on read-back, minus `id` (kept in `Index::id`) and minus
//!   `selectivityEstimate` (added by `render`). `inBackground` is never stored.
//! * The primary index (id 0) and the edge index of edge collections (ids 1
//!   and 2 internally, shown as 2) are never stored; `builtin_indexes`
//!   synthesises them, and their names and ids stay reserved.
//!
//! The facts come from shared/ARANGODB_API.md section 4 and ArangoDB's
//! `IndexFactory`, `RocksDBIndexFactory`, `RocksDBCollection::createIndex`,
//! `PhysicalCollection::findIndex`, `methods::Indexes` and `NameValidator`
//! (3.12-era sources), including the error messages quoted here.
//!
//! `hash` and `skiplist`: ArangoDB 3.12 accepts them and, like its factory
//! does, keeps the type string, so such an index is reported as `hash` or
//! `skiplist` and never matches an existing `persistent` index (ARANGODB_API
//! 4.3). Otherwise they behave exactly like `persistent`. `rocksdb` is the
//! factory's other alias and, unlike those two, becomes `persistent`.

use serde_json::{json, Map, Value};
use unicode_normalization::is_nfc;

use crate::error::ArangoError;
use crate::profile::Profile;
use crate::state::{Collection, Ids, Index};

mod vector;

const PRIMARY_ID: u64 = 0;
const EDGE_FROM_ID: u64 = 1;
/// `GET /_api/index` fuses the `_from` and `_to` halves of the edge index
/// into one entry that keeps the `_to` half's id.
const EDGE_TO_ID: u64 = 2;

const MAX_INDEX_NAME_BYTES: usize = 256;
const MAX_STORED_VALUES: usize = 32;

/// Types whose unique flag is enforced on document writes.
const VPACK_TYPES: &[&str] = &["persistent", "hash", "skiplist"];

/// Geo index defaults ArangoDB always reports; user values are not taken over.
const GEO_BEST_INDEXED_LEVEL: u64 = 17;
const GEO_WORST_INDEXED_LEVEL: u64 = 4;
const GEO_MAX_NUM_COVER_CELLS: u64 = 8;
const FULLTEXT_MIN_LENGTH: i64 = 2;

/// What a list of attribute paths may contain, per index type.
struct PathRules {
    min: usize,
    max: usize,
    allow_expansion: bool,
    allow_sub_attributes: bool,
    allow_id: bool,
}

const PERSISTENT_FIELDS: PathRules = PathRules {
    min: 1,
    max: usize::MAX,
    allow_expansion: true,
    allow_sub_attributes: true,
    allow_id: false,
};
const TTL_FIELDS: PathRules = PathRules {
    min: 1,
    max: 1,
    allow_expansion: false,
    allow_sub_attributes: false,
    allow_id: false,
};
const GEO_FIELDS: PathRules = PathRules {
    min: 1,
    max: 2,
    allow_expansion: false,
    allow_sub_attributes: true,
    allow_id: false,
};
const FULLTEXT_FIELDS: PathRules = PathRules {
    min: 1,
    max: 1,
    allow_expansion: false,
    allow_sub_attributes: true,
    allow_id: false,
};
const MDI_FIELDS: PathRules = PathRules {
    min: 1,
    max: usize::MAX,
    allow_expansion: false,
    allow_sub_attributes: true,
    allow_id: false,
};
/// `storedValues` and `prefixFields`: `_id` is allowed there since 3.12.
const EXTRA_PATHS: PathRules = PathRules {
    min: 1,
    max: MAX_STORED_VALUES,
    allow_expansion: false,
    allow_sub_attributes: true,
    allow_id: true,
};

// --- errors with ArangoDB's wording ---

fn attribute_parser_failed(message: &str) -> ArangoError {
    ArangoError::new(400, 1220, message)
}

fn invalid_name() -> ArangoError {
    ArangoError::illegal_name("index name invalid")
}

/// Index creation reports every failure but 403/404 as HTTP 400, including
/// unique violations found while building the index.
fn unique_violation(index: &Map<String, Value>, conflicting_key: &str, status: u16) -> ArangoError {
    let fields: Vec<&str> = string_list(index.get("fields"));
    let mut error = ArangoError::unique_constraint(
        str_of(index, "name"),
        str_of(index, "type"),
        &fields.join(", "),
        conflicting_key,
    );
    error.status = status;
    error
}

// --- small accessors ---

fn str_of<'a>(map: &'a Map<String, Value>, key: &str) -> &'a str {
    map.get(key).and_then(Value::as_str).unwrap_or("")
}

/// ArangoDB reads flags with `getBooleanValue`: anything but a JSON boolean
/// counts as absent.
fn flag(map: &Map<String, Value>, key: &str, default: bool) -> bool {
    map.get(key).and_then(Value::as_bool).unwrap_or(default)
}

fn string_list(value: Option<&Value>) -> Vec<&str> {
    value
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn to_values(paths: Vec<String>) -> Value {
    Value::Array(paths.into_iter().map(Value::String).collect())
}

// --- names ---

/// Index names under 3.12's extended naming rules (`IndexNameValidator`):
/// no `/`, no control characters, no leading digit or space, no trailing
/// space, at most 256 bytes, NFC. Unlike collections, a leading `_` is fine.
fn check_index_name(name: &str) -> Result<(), ArangoError> {
    let Some(first) = name.chars().next() else {
        return Err(invalid_name());
    };
    let allowed = name.len() <= MAX_INDEX_NAME_BYTES
        && !first.is_ascii_digit()
        && first != ' '
        && !name.ends_with(' ')
        && !name.chars().any(|c| c == '/' || (c as u32) < 32);
    if !allowed {
        return Err(invalid_name());
    }
    if !is_nfc(name) {
        return Err(ArangoError::new(
            400,
            1208,
            "index name is not properly UTF-8 NFC-normalized",
        ));
    }
    Ok(())
}

// --- attribute paths ---

fn is_id_path(path: &str) -> bool {
    path == "_id" || (path.len() > "._id".len() && path.ends_with("._id"))
}

/// `[*]` may appear once per path, as `a[*]` or `a[*].b`, and only where the
/// index type allows array expansion.
fn check_expansion(path: &str, allow_expansion: bool) -> Result<(), ArangoError> {
    let mut found = false;
    let mut rest = path;
    while let Some(position) = rest.find('[') {
        if !allow_expansion {
            return Err(ArangoError::bad_parameter(
                "cannot use [*] expansion for this type of index",
            ));
        }
        let tail = &rest[position..];
        let well_formed =
            tail.starts_with("[*]") && (tail.len() == 3 || tail[3..].starts_with('.'));
        if !well_formed {
            return Err(attribute_parser_failed("can only use [*] for indexes"));
        }
        if found {
            return Err(ArangoError::bad_parameter(
                "cannot use multiple [*] expansions for a single index field",
            ));
        }
        found = true;
        rest = &tail[3..];
    }
    Ok(())
}

/// Validates a list of attribute paths the way `validateFieldsDefinition`
/// does; a missing or non-array value counts as an empty list.
fn paths(value: Option<&Value>, rules: &PathRules) -> Result<Vec<String>, ArangoError> {
    let mut result: Vec<String> = Vec::new();
    for item in value.and_then(Value::as_array).into_iter().flatten() {
        if item.is_object() {
            return Err(ArangoError::bad_parameter(
                "index field names must be only strings",
            ));
        }
        let path = match item.as_str() {
            Some(path) if !path.is_empty() => path,
            _ => {
                return Err(ArangoError::bad_parameter(
                    "index field names must be non-empty strings",
                ))
            }
        };
        if result.iter().any(|seen| seen == path) {
            return Err(ArangoError::bad_parameter(
                "duplicate attribute name in index fields list",
            ));
        }
        if !rules.allow_sub_attributes && path.contains('.') {
            return Err(ArangoError::bad_parameter(
                "cannot index a sub-attribute in this type of index",
            ));
        }
        if !rules.allow_id && is_id_path(path) {
            return Err(ArangoError::bad_parameter(
                "_id attribute cannot be indexed",
            ));
        }
        result.push(path.to_string());
    }
    if result.len() < rules.min || result.len() > rules.max {
        return Err(ArangoError::bad_parameter(
            "invalid number of index attributes",
        ));
    }
    for path in &result {
        check_expansion(path, rules.allow_expansion)?;
    }
    Ok(result)
}

/// `storedValues` is optional, but when given it must hold 1 to 32 paths: an
/// empty array is rejected like in ArangoDB's `processIndexStoredValues`.
fn stored_values(
    request: &Map<String, Value>,
    fields: &[String],
    allow_overlap: bool,
) -> Result<Option<Vec<String>>, ArangoError> {
    let Some(value) = request.get("storedValues") else {
        return Ok(None);
    };
    if !value.is_array() {
        return Err(ArangoError::bad_parameter("storedValues must be an array"));
    }
    let stored = paths(Some(value), &EXTRA_PATHS)?;
    if !allow_overlap && stored.iter().any(|path| fields.contains(path)) {
        return Err(ArangoError::bad_parameter(
            "duplicate attribute name (overlap between index fields and index stored values list)",
        ));
    }
    Ok(Some(stored))
}

// --- normalisation per type ---

fn normalize_persistent(
    request: &Map<String, Value>,
    definition: &mut Map<String, Value>,
) -> Result<(), ArangoError> {
    let fields = paths(request.get("fields"), &PERSISTENT_FIELDS)?;
    if let Some(stored) = stored_values(request, &fields, false)? {
        definition.insert("storedValues".into(), to_values(stored));
    }
    definition.insert("fields".into(), to_values(fields));
    definition.insert("sparse".into(), Value::Bool(flag(request, "sparse", false)));
    definition.insert("unique".into(), Value::Bool(flag(request, "unique", false)));
    definition.insert(
        "deduplicate".into(),
        Value::Bool(flag(request, "deduplicate", true)),
    );
    definition.insert(
        "estimates".into(),
        Value::Bool(flag(request, "estimates", true)),
    );
    definition.insert(
        "cacheEnabled".into(),
        Value::Bool(flag(request, "cacheEnabled", false)),
    );
    Ok(())
}

fn normalize_ttl(
    request: &Map<String, Value>,
    definition: &mut Map<String, Value>,
) -> Result<(), ArangoError> {
    let fields = paths(request.get("fields"), &TTL_FIELDS);
    // ArangoDB checks `unique` before it looks at the outcome of the fields check.
    if flag(request, "unique", false) {
        return Err(ArangoError::bad_parameter("a TTL index cannot be unique"));
    }
    let fields = fields?;
    let expire_after = match request.get("expireAfter") {
        Some(Value::Number(number)) => number.clone(),
        _ => {
            return Err(ArangoError::bad_parameter(
                "expireAfter attribute must be a number",
            ))
        }
    };
    if expire_after.as_f64().unwrap_or(0.0) < 0.0 {
        return Err(ArangoError::bad_parameter(
            "expireAfter attribute must greater equal to zero",
        ));
    }
    definition.insert("fields".into(), to_values(fields));
    definition.insert("expireAfter".into(), Value::Number(expire_after));
    definition.insert("sparse".into(), Value::Bool(true));
    definition.insert("unique".into(), Value::Bool(false));
    definition.insert("estimates".into(), Value::Bool(false));
    Ok(())
}

fn normalize_geo(
    request: &Map<String, Value>,
    definition: &mut Map<String, Value>,
) -> Result<(), ArangoError> {
    let fields = paths(request.get("fields"), &GEO_FIELDS)?;
    // `geoJson` only means something for one field; read-back shows false otherwise.
    let geo_json = fields.len() == 1 && flag(request, "geoJson", false);
    definition.insert("fields".into(), to_values(fields));
    definition.insert("geoJson".into(), Value::Bool(geo_json));
    definition.insert(
        "legacyPolygons".into(),
        Value::Bool(flag(request, "legacyPolygons", false)),
    );
    definition.insert("bestIndexedLevel".into(), json!(GEO_BEST_INDEXED_LEVEL));
    definition.insert("worstIndexedLevel".into(), json!(GEO_WORST_INDEXED_LEVEL));
    definition.insert("maxNumCoverCells".into(), json!(GEO_MAX_NUM_COVER_CELLS));
    definition.insert("sparse".into(), Value::Bool(true));
    definition.insert("unique".into(), Value::Bool(false));
    Ok(())
}

fn normalize_fulltext(
    request: &Map<String, Value>,
    definition: &mut Map<String, Value>,
) -> Result<(), ArangoError> {
    let fields = paths(request.get("fields"), &FULLTEXT_FIELDS)?;
    let min_length = match request.get("minLength") {
        None | Some(Value::Null) => FULLTEXT_MIN_LENGTH,
        // ArangoDB reads the number as an int, truncating fractions.
        Some(Value::Number(number)) => number.as_f64().unwrap_or(0.0) as i64,
        Some(_) => return Err(ArangoError::bad_parameter("bad parameter")),
    };
    definition.insert("fields".into(), to_values(fields));
    definition.insert("minLength".into(), json!(min_length.max(1)));
    definition.insert("sparse".into(), Value::Bool(true));
    definition.insert("unique".into(), Value::Bool(false));
    Ok(())
}

fn normalize_mdi(
    request: &Map<String, Value>,
    definition: &mut Map<String, Value>,
    prefixed: bool,
) -> Result<(), ArangoError> {
    if !prefixed && request.contains_key("prefixFields") {
        return Err(ArangoError::bad_parameter(
            "`mdi` index does not support prefixed fields. use `mdi-prefixed` as type instead.",
        ));
    }
    if request.get("fieldValueTypes").and_then(Value::as_str) != Some("double") {
        return Err(ArangoError::bad_parameter(
            "mdi requires `fieldValueTypes` to be set to `double` - \
             future releases might lift this requirement",
        ));
    }
    let fields = paths(request.get("fields"), &MDI_FIELDS)?;
    // The dimensions are bit-interleaved, so repeating them as stored values is allowed.
    let stored = stored_values(request, &fields, true)?;
    let prefix_fields = if prefixed {
        let prefix_fields = match request.get("prefixFields") {
            Some(Value::Array(items)) if !items.is_empty() => {
                paths(request.get("prefixFields"), &EXTRA_PATHS)?
            }
            _ => {
                return Err(ArangoError::bad_parameter(
                    "prefixFields is required for `mdi-prefixed`",
                ))
            }
        };
        let overlap = stored
            .iter()
            .flatten()
            .any(|path| prefix_fields.contains(path));
        if overlap {
            return Err(ArangoError::bad_parameter(
                "duplicate attribute name (overlap between index sorted prefix fields \
                 and index stored values list)",
            ));
        }
        Some(prefix_fields)
    } else {
        None
    };
    // A plain mdi index never keeps selectivity estimates; mdi-prefixed does by default.
    let estimates = prefixed && flag(request, "estimates", true);
    definition.insert("fields".into(), to_values(fields));
    definition.insert("fieldValueTypes".into(), Value::from("double"));
    if let Some(stored) = stored {
        definition.insert("storedValues".into(), to_values(stored));
    }
    if let Some(prefix_fields) = prefix_fields {
        definition.insert("prefixFields".into(), to_values(prefix_fields));
    }
    definition.insert("estimates".into(), Value::Bool(estimates));
    definition.insert("sparse".into(), Value::Bool(flag(request, "sparse", false)));
    definition.insert("unique".into(), Value::Bool(flag(request, "unique", false)));
    Ok(())
}

/// 3.11's experimental `zkd` index: `fields` of doubles and nothing else.
/// `sparse`, `storedValues` and `estimates` arrived with 3.12's `mdi` (3.12
/// "API changes"); the 3.11 transcript (`RestIndexCreateNewZkd_single`)
/// reads back only `fieldValueTypes`, `fields`, `sparse: false` and
/// `unique: false` besides id, name and type.
fn normalize_zkd_3_11(
    request: &Map<String, Value>,
    definition: &mut Map<String, Value>,
) -> Result<(), ArangoError> {
    if request.get("fieldValueTypes").and_then(Value::as_str) != Some("double") {
        return Err(ArangoError::bad_parameter(
            "zkd requires `fieldValueTypes` to be set to `double` - \
             future releases might lift this requirement",
        ));
    }
    let fields = paths(request.get("fields"), &MDI_FIELDS)?;
    definition.insert("fields".into(), to_values(fields));
    definition.insert("fieldValueTypes".into(), Value::from("double"));
    definition.insert("sparse".into(), Value::Bool(false));
    definition.insert("unique".into(), Value::Bool(flag(request, "unique", false)));
    Ok(())
}

/// Inverted (ArangoSearch) indexes: the HTTP route first rebuilds the
/// request into the server's read-back form (`inverted.rs`, which needs the
/// database's analyzers); here that form is kept as sent, with string fields
/// wrapped into `{"name": ...}` objects and `sparse`/`unique` fixed.
fn normalize_inverted(
    request: &Map<String, Value>,
    definition: &mut Map<String, Value>,
) -> Result<(), ArangoError> {
    let mut fields = Vec::new();
    for item in request
        .get("fields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let field = match item {
            Value::String(name) if !name.is_empty() => json!({ "name": name }),
            Value::Object(object)
                if object
                    .get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|name| !name.is_empty()) =>
            {
                item.clone()
            }
            _ => {
                return Err(ArangoError::bad_parameter(
                    "index field names must be non-empty strings",
                ))
            }
        };
        fields.push(field);
    }
    if fields.is_empty() {
        return Err(ArangoError::bad_parameter(
            "invalid number of index attributes",
        ));
    }
    for (key, value) in request {
        if !matches!(
            key.as_str(),
            "type" | "name" | "id" | "fields" | "inBackground" | "collection"
        ) {
            definition.insert(key.clone(), value.clone());
        }
    }
    definition.insert("fields".into(), Value::Array(fields));
    for (key, default) in [
        ("analyzer", json!("identity")),
        ("includeAllFields", json!(false)),
        ("trackListPositions", json!(false)),
        ("searchField", json!(false)),
    ] {
        definition.entry(key).or_insert(default);
    }
    definition.insert("sparse".into(), Value::Bool(true));
    definition.insert("unique".into(), Value::Bool(false));
    Ok(())
}

/// Shard keys use a leading or trailing `:` specially, so ArangoDB refuses
/// such index fields on creation.
fn check_colon_fields(definition: &Map<String, Value>) -> Result<(), ArangoError> {
    let names = definition
        .get("fields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|field| {
            field
                .as_str()
                .or_else(|| field.get("name").and_then(Value::as_str))
        });
    for name in names {
        if name.starts_with(':') || name.ends_with(':') {
            return Err(attribute_parser_failed(
                "field names starting or ending with \":\" are disallowed in indexes",
            ));
        }
    }
    Ok(())
}

/// Validates a create request and returns the definition as the server
/// reports it on read-back (without `id`). A missing name is generated.
/// Index types the server `profile` does not know are refused like any
/// unknown type ([`Profile::knows_index_type`]).
pub fn normalize(
    request: &Map<String, Value>,
    collection: &Collection,
    ids: &mut Ids,
    profile: &Profile,
) -> Result<Map<String, Value>, ArangoError> {
    let Some(requested_type) = request.get("type").and_then(Value::as_str) else {
        return Err(ArangoError::bad_parameter("invalid index type"));
    };
    let name = match request.get("name").and_then(Value::as_str) {
        Some(name) if !name.is_empty() => name.to_string(),
        _ => ids.index_name(),
    };
    check_index_name(&name)?;
    // 3.11 (extended names off) holds index names to the traditional rules
    // of collection names (3.11 docs, "Working with indexes": `name`).
    if !profile.extended_names()
        && !crate::names::traditional_name_ok(&name, MAX_INDEX_NAME_BYTES, false)
    {
        return Err(invalid_name());
    }

    let index_type = if requested_type == "rocksdb" {
        "persistent"
    } else {
        requested_type
    };
    let mut definition = Map::new();
    definition.insert("name".into(), Value::String(name));
    definition.insert("type".into(), Value::from(index_type));
    let available = profile.knows_index_type(index_type)
        && (index_type != "vector" || profile.vector_indexes_enabled());
    match index_type {
        other if !available => {
            return Err(ArangoError::bad_parameter(format!(
                "invalid index type '{other}'"
            )))
        }
        "persistent" | "hash" | "skiplist" => normalize_persistent(request, &mut definition)?,
        "ttl" => normalize_ttl(request, &mut definition)?,
        "geo" => normalize_geo(request, &mut definition)?,
        "fulltext" => normalize_fulltext(request, &mut definition)?,
        "zkd" if !profile.knows_index_type("mdi") => normalize_zkd_3_11(request, &mut definition)?,
        "mdi" | "zkd" => normalize_mdi(request, &mut definition, false)?,
        "mdi-prefixed" => normalize_mdi(request, &mut definition, true)?,
        "inverted" => normalize_inverted(request, &mut definition)?,
        "vector" => vector::normalize(profile, request, collection, &mut definition)?,
        "primary" | "edge" => return Err(ArangoError::forbidden()),
        other => {
            return Err(ArangoError::bad_parameter(format!(
                "invalid index type '{other}'"
            )))
        }
    }
    check_colon_fields(&definition)?;
    Ok(definition)
}

// --- identity and ensure ---

fn numbers_equal(left: Option<&Value>, right: Option<&Value>) -> bool {
    match (left.and_then(Value::as_f64), right.and_then(Value::as_f64)) {
        (Some(left), Some(right)) => (left - right).abs() <= f64::EPSILON * left.abs().max(1.0),
        _ => left == right,
    }
}

/// Whether two normalised definitions describe the same index (ARANGODB_API
/// 4.2). Names and tuning options (`estimates`, `cacheEnabled`,
/// `deduplicate`, `storedValues`, `legacyPolygons`) are not part of it;
/// field order is.
pub fn same_identity(existing: &Map<String, Value>, candidate: &Map<String, Value>) -> bool {
    let index_type = str_of(existing, "type");
    if str_of(candidate, "type") != index_type {
        return false;
    }
    let same = |key: &str| existing.get(key) == candidate.get(key);
    match index_type {
        "persistent" | "hash" | "skiplist" | "mdi" | "zkd" => {
            same("fields") && same("unique") && same("sparse")
        }
        "mdi-prefixed" => {
            same("fields") && same("unique") && same("sparse") && same("prefixFields")
        }
        "ttl" => {
            same("fields")
                && numbers_equal(existing.get("expireAfter"), candidate.get("expireAfter"))
        }
        "geo" => same("fields") && same("unique") && same("sparse") && same("geoJson"),
        "fulltext" => same("fields") && same("unique") && same("minLength"),
        "vector" => vector::same_identity(existing, candidate),
        // UNVERIFIED for ArangoDB: inverted indexes match on everything but the name.
        "inverted" => {
            let without_name = |map: &Map<String, Value>| {
                let mut map = map.clone();
                map.remove("name");
                map
            };
            without_name(existing) == without_name(candidate)
        }
        _ => false,
    }
}

/// An explicit `id` in a create request, as ArangoDB's `extractId` reads it.
fn requested_id(request: &Map<String, Value>) -> Option<u64> {
    match request.get("id")? {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.parse().ok(),
        _ => None,
    }
}

/// The existing index an "ensure" returns, if any. An explicit id replaces
/// the identity rules; a collection has at most one TTL index, so the first
/// one is the only candidate and a mismatch is an error.
fn find_existing<'a>(
    collection: &'a Collection,
    candidate: &Map<String, Value>,
    explicit_id: Option<u64>,
) -> Result<Option<&'a Index>, ArangoError> {
    let candidate_type = str_of(candidate, "type");
    for index in collection
        .indexes
        .iter()
        .filter(|index| index.index_type() == candidate_type)
    {
        let matches = match explicit_id {
            Some(id) => index.id == id,
            None => same_identity(&index.definition, candidate),
        };
        if candidate_type == "ttl" && !matches {
            return Err(ArangoError::bad_parameter(
                "there can only be one ttl index per collection",
            ));
        }
        if matches {
            return Ok(Some(index));
        }
    }
    Ok(None)
}

/// Names and ids the built-in indexes occupy in this collection.
fn builtin_name_or_id_taken(collection: &Collection, name: &str, id: Option<u64>) -> bool {
    let primary = name == "primary" || id == Some(PRIMARY_ID);
    let edge =
        collection.is_edge() && (name == "edge" || matches!(id, Some(EDGE_FROM_ID | EDGE_TO_ID)));
    primary || edge
}

/// ArangoDB's "ensure": an index matching the request is returned unchanged
/// (`false`); otherwise a name or id clash is 400/1005; otherwise the index
/// is built (`true`). Returns the rendered index object.
pub fn ensure(
    collection: &mut Collection,
    request: &Map<String, Value>,
    ids: &mut Ids,
    profile: &Profile,
) -> Result<(Value, bool), ArangoError> {
    let candidate = normalize(request, collection, ids, profile)?;
    let explicit_id = requested_id(request);
    if let Some(existing) = find_existing(collection, &candidate, explicit_id)? {
        return Ok((render(collection, existing), false));
    }

    let name = str_of(&candidate, "name");
    let clash = builtin_name_or_id_taken(collection, name, explicit_id)
        || collection
            .indexes
            .iter()
            .any(|index| index.name() == name || Some(index.id) == explicit_id);
    if clash {
        return Err(ArangoError::duplicate_identifier());
    }

    if let Some(conflicting_key) = first_duplicate(collection, &candidate) {
        return Err(unique_violation(&candidate, &conflicting_key, 400));
    }

    let index = Index {
        id: explicit_id.unwrap_or_else(|| ids.next_id()),
        definition: candidate,
    };
    let rendered = render(collection, &index);
    collection.indexes.push(index);
    Ok((rendered, true))
}

/// Whether `request` creates an inverted index under a name an index of
/// the collection already has (see
/// [`crate::profile::Profile::refuses_named_inverted_index_again`]).
pub fn names_an_existing_inverted_index(
    collection: &Collection,
    request: &Map<String, Value>,
) -> bool {
    let inverted = request.get("type").and_then(Value::as_str) == Some("inverted");
    match request.get("name").and_then(Value::as_str) {
        Some(name) if inverted && !name.is_empty() => {
            collection.indexes.iter().any(|index| index.name() == name)
        }
        _ => false,
    }
}

// --- read-back ---

/// The index object as `GET /_api/index` lists it, keys sorted like
/// ArangoDB's output.
pub fn render(collection: &Collection, index: &Index) -> Value {
    let mut definition = index.definition.clone();
    if index.index_type() == "vector" {
        vector::refresh(collection, &mut definition);
    }
    let mut entries: Vec<(String, Value)> = definition
        .iter()
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    entries.push((
        "id".into(),
        Value::String(format!("{}/{}", collection.name, index.id)),
    ));
    if flag(&index.definition, "unique", false) || flag(&index.definition, "estimates", false) {
        entries.push(("selectivityEstimate".into(), json!(1)));
    }
    entries.sort_by(|left, right| left.0.cmp(&right.0));
    Value::Object(entries.into_iter().collect())
}

/// The per-shard training details of a stored vector index (see
/// `indexes/vector.rs`); `None` for other index handles.
pub fn vector_shard_details(collection: &Collection, index_id: &str) -> Option<Value> {
    let numeric = index_id.rsplit('/').next()?;
    let index = collection
        .indexes
        .iter()
        .find(|index| index.id.to_string() == numeric && index.index_type() == "vector")?;
    Some(vector::shard_details(collection, &index.definition))
}

/// The indexes every collection has: primary, plus edge for edge collections.
pub fn builtin_indexes(collection: &Collection) -> Vec<Value> {
    let mut indexes = vec![json!({
        "fields": ["_key"],
        "id": format!("{}/{PRIMARY_ID}", collection.name),
        "name": "primary",
        "selectivityEstimate": 1,
        "sparse": false,
        "type": "primary",
        "unique": true,
    })];
    if collection.is_edge() {
        indexes.push(json!({
            "fields": ["_from", "_to"],
            "id": format!("{}/{EDGE_TO_ID}", collection.name),
            "name": "edge",
            "selectivityEstimate": 1,
            "sparse": false,
            "type": "edge",
            "unique": false,
        }));
    }
    indexes
}

/// All indexes in listing order: built-in ones first, then user indexes in
/// creation order.
pub fn all(collection: &Collection) -> Vec<Value> {
    let mut indexes = builtin_indexes(collection);
    indexes.extend(
        collection
            .indexes
            .iter()
            .map(|index| render(collection, index)),
    );
    indexes
}

fn is_numeric_handle(handle: &str) -> bool {
    !handle.is_empty() && handle.bytes().all(|byte| byte.is_ascii_digit())
}

/// One index by numeric id or by name (`GET /_api/index/{coll}/{handle}`).
/// A handle that is neither a number nor a valid index name is 400/1208.
pub fn get(collection: &Collection, handle: &str) -> Result<Value, ArangoError> {
    let by_name = !is_numeric_handle(handle);
    if by_name && !handle.is_empty() {
        check_index_name(handle)?;
    }
    let wanted_id = format!("{}/{handle}", collection.name);
    all(collection)
        .into_iter()
        .find(|index| {
            index.get("id").and_then(Value::as_str) == Some(wanted_id.as_str())
                || (by_name && index.get("name").and_then(Value::as_str) == Some(handle))
        })
        .ok_or_else(ArangoError::index_not_found)
}

/// Drops a user index by numeric id or by name and returns its full id
/// (`coll/123`). The primary index is "not found" (404/1212), the edge index
/// forbidden (403/11), as in ArangoDB.
pub fn drop(collection: &mut Collection, handle: &str) -> Result<String, ArangoError> {
    let id = if handle.is_empty() {
        // ArangoDB parses an empty handle as id 0, the primary index.
        PRIMARY_ID
    } else if is_numeric_handle(handle) {
        handle
            .parse()
            .map_err(|_| ArangoError::index_handle_bad())?
    } else {
        check_index_name(handle)?;
        match handle {
            "primary" => PRIMARY_ID,
            "edge" if collection.is_edge() => EDGE_TO_ID,
            _ => collection
                .indexes
                .iter()
                .find(|index| index.name() == handle)
                .map(|index| index.id)
                .ok_or_else(ArangoError::index_not_found)?,
        }
    };
    if id == PRIMARY_ID {
        return Err(ArangoError::index_not_found());
    }
    if collection.is_edge() && (id == EDGE_FROM_ID || id == EDGE_TO_ID) {
        return Err(ArangoError::forbidden());
    }
    let position = collection
        .indexes
        .iter()
        .position(|index| index.id == id)
        .ok_or_else(ArangoError::index_not_found)?;
    collection.indexes.remove(position);
    Ok(format!("{}/{id}", collection.name))
}

// --- unique constraints ---

/// ArangoDB compares index values by value: `1` and `1.0` are the same key.
fn values_equal(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(left), Value::Number(right)) => left.as_f64() == right.as_f64(),
        (Value::Array(left), Value::Array(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .zip(right)
                    .all(|(left, right)| values_equal(left, right))
        }
        (Value::Object(left), Value::Object(right)) => {
            left.len() == right.len()
                && left.iter().all(|(key, value)| {
                    right
                        .get(key)
                        .is_some_and(|other| values_equal(value, other))
                })
        }
        _ => left == right,
    }
}

/// The value at a dotted attribute path; `None` when any step is missing or
/// not an object.
fn path_value<'a>(document: &'a Value, path: &str) -> Option<&'a Value> {
    let mut current = document;
    for step in path.split('.') {
        current = current.as_object()?.get(step)?;
    }
    Some(current)
}

/// The values a document contributes to a unique index, or `None` when a
/// sparse index leaves it out (some field null or missing). A non-sparse
/// index indexes missing attributes as null, so they collide too. `_key`
/// falls back to the key the document is stored under.
fn index_values(
    definition: &Map<String, Value>,
    key: &str,
    document: &Value,
) -> Option<Vec<Value>> {
    let sparse = flag(definition, "sparse", false);
    let key_value = Value::String(key.to_string());
    let mut values = Vec::new();
    for path in string_list(definition.get("fields")) {
        let value = match path_value(document, path) {
            Some(value) => value.clone(),
            None if path == "_key" => key_value.clone(),
            None => Value::Null,
        };
        if sparse && value.is_null() {
            return None;
        }
        values.push(value);
    }
    Some(values)
}

/// Unique indexes whose constraint the emulator enforces. Indexes with `[*]`
/// fields are skipped: per-element uniqueness over arrays is not emulated.
fn enforces_uniqueness(definition: &Map<String, Value>) -> bool {
    VPACK_TYPES.contains(&str_of(definition, "type"))
        && flag(definition, "unique", false)
        && !string_list(definition.get("fields"))
            .iter()
            .any(|path| path.contains("[*]"))
}

fn same_values(left: &[Value], right: &[Value]) -> bool {
    left.len() == right.len()
        && left
            .iter()
            .zip(right)
            .all(|(left, right)| values_equal(left, right))
}

/// The key of the first document (in key order) that an index built from
/// `definition` would reject as a duplicate of an earlier one.
fn first_duplicate(collection: &Collection, definition: &Map<String, Value>) -> Option<String> {
    if !enforces_uniqueness(definition) {
        return None;
    }
    let mut seen: Vec<(&str, Vec<Value>)> = Vec::new();
    for (key, document) in &collection.documents {
        let Some(values) = index_values(definition, key, document) else {
            continue;
        };
        if let Some((earlier, _)) = seen.iter().find(|(_, other)| same_values(other, &values)) {
            return Some(earlier.to_string());
        }
        seen.push((key, values));
    }
    None
}

/// Checks a document about to be stored under `key` against the collection's
/// unique indexes: 409/1210 naming the index and the conflicting key. The
/// document currently stored under `key` (being replaced) does not count.
pub fn check_unique_constraints(
    collection: &Collection,
    key: &str,
    document: &Value,
) -> Result<(), ArangoError> {
    for index in &collection.indexes {
        if !enforces_uniqueness(&index.definition) {
            continue;
        }
        let Some(values) = index_values(&index.definition, key, document) else {
            continue;
        };
        let conflict = collection.documents.iter().find(|(other_key, other)| {
            other_key.as_str() != key
                && index_values(&index.definition, other_key, other)
                    .is_some_and(|other| same_values(&other, &values))
        });
        if let Some((other_key, _)) = conflict {
            return Err(unique_violation(&index.definition, other_key, 409));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Server, DOCUMENT_COLLECTION, EDGE_COLLECTION};

    /// A collection plus the id source, as `ensure` needs them.
    struct Fixture {
        collection: Collection,
        ids: Ids,
        profile: Profile,
    }

    impl Fixture {
        fn new(collection_type: u64) -> Self {
            let mut server = Server::new("pw");
            let collection = server.new_collection("c", collection_type, false);
            Fixture {
                collection,
                ids: Ids::default(),
                profile: Profile::default(),
            }
        }

        fn ensure(&mut self, request: Value) -> Result<(Value, bool), ArangoError> {
            let Value::Object(request) = request else {
                panic!("test request must be an object");
            };
            ensure(&mut self.collection, &request, &mut self.ids, &self.profile)
        }

        /// Ensures an index that must be new and returns it.
        fn created(&mut self, request: Value) -> Value {
            let (index, created) = self.ensure(request).expect("index creation failed");
            assert!(created, "expected a new index");
            index
        }

        /// Ensures an index that must already exist and returns it.
        fn existing(&mut self, request: Value) -> Value {
            let (index, created) = self.ensure(request).expect("ensure failed");
            assert!(!created, "expected an existing index");
            index
        }

        /// The (status, errorNum) of a request that must fail.
        fn error(&mut self, request: Value) -> (u16, u32) {
            let error = self.ensure(request).expect_err("expected an error");
            (error.status, error.error_num)
        }

        fn insert(&mut self, key: &str, mut document: Value) {
            document["_key"] = Value::from(key);
            self.collection.documents.insert(key.to_string(), document);
        }

        fn check(&self, key: &str, document: Value) -> Result<(), ArangoError> {
            check_unique_constraints(&self.collection, key, &document)
        }
    }

    /// The numeric part of a rendered index id.
    fn numeric_id(index: &Value) -> String {
        let id = index["id"].as_str().unwrap_or("");
        id.trim_start_matches("c/").to_string()
    }

    // --- defaults per type ---

    #[test]
    fn persistent_defaults() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        let index = fx.created(json!({
            "type": "persistent", "fields": ["a", "b"], "inBackground": true,
        }));
        let name = index["name"].as_str().unwrap().to_string();
        assert!(name.starts_with("idx_"), "{name}");
        let id = index["id"].as_str().unwrap().to_string();
        assert!(id.starts_with("c/"), "{id}");
        assert_eq!(
            index,
            json!({
                "cacheEnabled": false, "deduplicate": true, "estimates": true,
                "fields": ["a", "b"], "id": id, "name": name, "selectivityEstimate": 1,
                "sparse": false, "type": "persistent", "unique": false,
            })
        );
    }

    #[test]
    fn persistent_options_and_stored_values() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        let index = fx.created(json!({
            "type": "persistent", "fields": ["user", "ts"], "unique": true, "sparse": true,
            "deduplicate": false, "estimates": false, "cacheEnabled": true,
            "storedValues": ["email", "_id"], "name": "byUserTs",
        }));
        assert_eq!(index["name"], "byUserTs");
        assert_eq!(index["storedValues"], json!(["email", "_id"]));
        assert_eq!(index["unique"], true);
        assert_eq!(index["sparse"], true);
        assert_eq!(index["deduplicate"], false);
        assert_eq!(index["estimates"], false);
        assert_eq!(index["cacheEnabled"], true);
        // Unique indexes report a selectivity estimate even without estimates.
        assert_eq!(index["selectivityEstimate"], 1);
        assert!(index.get("inBackground").is_none());
    }

    #[test]
    fn persistent_without_estimates_has_no_selectivity() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        let index = fx.created(json!({"type": "persistent", "fields": ["a"], "estimates": false}));
        assert!(index.get("selectivityEstimate").is_none());
        assert!(index.get("storedValues").is_none());
    }

    #[test]
    fn hash_and_skiplist_keep_their_type() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        let persistent = fx.created(json!({"type": "persistent", "fields": ["a"]}));
        // Created, not matched: a hash index is never the same as a persistent one.
        let hash = fx.created(json!({"type": "hash", "fields": ["a"]}));
        assert_eq!(hash["type"], "hash");
        assert_eq!(hash["estimates"], true);
        let skiplist = fx.created(json!({"type": "skiplist", "fields": ["a"]}));
        assert_eq!(skiplist["type"], "skiplist");
        // `rocksdb` is an alias that becomes persistent.
        let rocksdb = fx.existing(json!({"type": "rocksdb", "fields": ["a"]}));
        assert_eq!(rocksdb["id"], persistent["id"]);
    }

    #[test]
    fn ttl_defaults() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        let index = fx.created(json!({
            "type": "ttl", "fields": ["createdAt"], "expireAfter": 3600,
        }));
        assert_eq!(
            index,
            json!({
                "estimates": false, "expireAfter": 3600, "fields": ["createdAt"],
                "id": index["id"], "name": index["name"], "sparse": true, "type": "ttl",
                "unique": false,
            })
        );
    }

    #[test]
    fn ttl_validation() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        for bad in [
            json!({"type": "ttl", "fields": ["a", "b"], "expireAfter": 1}),
            json!({"type": "ttl", "fields": [], "expireAfter": 1}),
            json!({"type": "ttl", "fields": ["a.b"], "expireAfter": 1}),
            json!({"type": "ttl", "fields": ["a"]}),
            json!({"type": "ttl", "fields": ["a"], "expireAfter": "1"}),
            json!({"type": "ttl", "fields": ["a"], "expireAfter": -1}),
            json!({"type": "ttl", "fields": ["a"], "expireAfter": 1, "unique": true}),
        ] {
            assert_eq!(fx.error(bad.clone()), (400, 10), "{bad}");
        }
        let index = fx.created(json!({"type": "ttl", "fields": ["a"], "expireAfter": 0}));
        assert_eq!(index["expireAfter"], 0);
    }

    #[test]
    fn geo_defaults() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        let index = fx.created(json!({
            "type": "geo", "fields": ["loc"], "geoJson": true, "unique": true,
            "bestIndexedLevel": 3,
        }));
        assert_eq!(
            index,
            json!({
                "bestIndexedLevel": 17, "fields": ["loc"], "geoJson": true, "id": index["id"],
                "legacyPolygons": false, "maxNumCoverCells": 8, "name": index["name"],
                "sparse": true, "type": "geo", "unique": false, "worstIndexedLevel": 4,
            })
        );
        let pair = fx.created(json!({"type": "geo", "fields": ["lat", "lon"], "geoJson": true}));
        assert_eq!(pair["geoJson"], false, "geoJson only applies to one field");
        for bad in [
            json!({"type": "geo", "fields": ["a", "b", "c"]}),
            json!({"type": "geo", "fields": []}),
            json!({"type": "geo", "fields": ["a[*]"]}),
        ] {
            assert_eq!(fx.error(bad.clone()), (400, 10), "{bad}");
        }
    }

    #[test]
    fn fulltext_defaults() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        let index = fx.created(json!({"type": "fulltext", "fields": ["text"]}));
        assert_eq!(
            index,
            json!({
                "fields": ["text"], "id": index["id"], "minLength": 2, "name": index["name"],
                "sparse": true, "type": "fulltext", "unique": false,
            })
        );
        let zero = fx.created(json!({"type": "fulltext", "fields": ["t"], "minLength": 0}));
        assert_eq!(zero["minLength"], 1);
        let bad = json!({"type": "fulltext", "fields": ["t"], "minLength": "3"});
        assert_eq!(fx.error(bad), (400, 10));
    }

    #[test]
    fn mdi_defaults() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        let index = fx.created(json!({
            "type": "mdi", "fields": ["x", "y"], "fieldValueTypes": "double", "estimates": true,
        }));
        assert_eq!(
            index,
            json!({
                "estimates": false, "fieldValueTypes": "double", "fields": ["x", "y"],
                "id": index["id"], "name": index["name"], "sparse": false, "type": "mdi",
                "unique": false,
            })
        );
        let zkd = fx.created(json!({"type": "zkd", "fields": ["x"], "fieldValueTypes": "double"}));
        assert_eq!(zkd["type"], "zkd");
    }

    #[test]
    fn mdi_prefixed_defaults() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        let index = fx.created(json!({
            "type": "mdi-prefixed", "fields": ["from", "to"], "fieldValueTypes": "double",
            "prefixFields": ["year", "month"], "storedValues": ["from"],
        }));
        assert_eq!(index["estimates"], true);
        assert_eq!(index["selectivityEstimate"], 1);
        assert_eq!(index["prefixFields"], json!(["year", "month"]));
        assert_eq!(index["storedValues"], json!(["from"]));
        assert_eq!(index["sparse"], false);
    }

    #[test]
    fn mdi_validation() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        let double = "double";
        for bad in [
            json!({
                "type": "mdi", "fields": ["x"], "fieldValueTypes": double, "prefixFields": ["p"],
            }),
            json!({"type": "mdi", "fields": ["x"]}),
            json!({"type": "mdi", "fields": ["x"], "fieldValueTypes": "int"}),
            json!({"type": "mdi", "fields": ["x[*]"], "fieldValueTypes": double}),
            json!({"type": "mdi", "fields": ["_id"], "fieldValueTypes": double}),
            json!({"type": "mdi-prefixed", "fields": ["x"], "fieldValueTypes": double}),
            json!({
                "type": "mdi-prefixed", "fields": ["x"], "fieldValueTypes": double,
                "prefixFields": [],
            }),
            json!({
                "type": "mdi-prefixed", "fields": ["x"], "fieldValueTypes": double,
                "prefixFields": ["p"], "storedValues": ["p"],
            }),
        ] {
            assert_eq!(fx.error(bad.clone()), (400, 10), "{bad}");
        }
    }

    #[test]
    fn inverted_is_kept_nearly_opaque() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        let request = json!({
            "type": "inverted", "fields": ["a", {"name": "b", "analyzer": "text_en"}],
            "primarySort": {"fields": []},
        });
        let index = fx.created(request.clone());
        let fields = json!([{"name": "a"}, {"name": "b", "analyzer": "text_en"}]);
        assert_eq!(index["fields"], fields);
        assert_eq!(index["analyzer"], "identity");
        assert_eq!(index["primarySort"], json!({"fields": []}));
        assert_eq!(index["sparse"], true);
        let mut renamed = request;
        renamed["name"] = json!("other");
        assert_eq!(fx.existing(renamed), index);
        assert_eq!(
            fx.error(json!({"type": "inverted", "fields": []})),
            (400, 10)
        );
    }

    // --- validation common to all types ---

    #[test]
    fn field_validation() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        let stored =
            |values: Value| json!({"type": "persistent", "fields": ["a"], "storedValues": values});
        let too_many: Vec<String> = (0..33).map(|i| format!("s{i}")).collect();
        for bad in [
            json!({"type": "persistent"}),
            json!({"type": "persistent", "fields": []}),
            json!({"type": "persistent", "fields": "a"}),
            json!({"type": "persistent", "fields": [""]}),
            json!({"type": "persistent", "fields": [1]}),
            json!({"type": "persistent", "fields": [{"name": "a"}]}),
            json!({"type": "persistent", "fields": ["a", "a"]}),
            json!({"type": "persistent", "fields": ["_id"]}),
            json!({"type": "persistent", "fields": ["a._id"]}),
            json!({"type": "persistent", "fields": ["a[*].b[*]"]}),
            stored(json!([])),
            stored(json!("b")),
            stored(json!(["a"])),
            stored(json!(["b[*]"])),
            stored(json!(too_many)),
            json!({"fields": ["a"]}),
            json!({"type": "nope", "fields": ["a"]}),
        ] {
            assert_eq!(fx.error(bad.clone()), (400, 10), "{bad}");
        }
        for bad in ["a[*]b", "a[1]", ":a", "a:"] {
            let request = json!({"type": "persistent", "fields": [bad]});
            assert_eq!(fx.error(request), (400, 1220), "{bad}");
        }
        for builtin in ["primary", "edge"] {
            let request = json!({"type": builtin, "fields": ["_key"]});
            assert_eq!(fx.error(request), (403, 11), "{builtin}");
        }
        assert!(fx.collection.indexes.is_empty());

        for good in ["a[*]", "a[*].b", "_key", "a.b.c", "_from"] {
            fx.created(json!({"type": "persistent", "fields": [good]}));
        }
    }

    #[test]
    fn unknown_type_message() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        let result = fx.ensure(json!({"type": "nope", "fields": ["a"]}));
        assert_eq!(result.unwrap_err().message, "invalid index type 'nope'");
    }

    #[test]
    fn index_names() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        for good in ["byUser", "_private", "Ünïcode name", "a-b_c.d"] {
            fx.created(json!({"type": "persistent", "fields": [good], "name": good}));
        }
        let long = "n".repeat(257);
        for bad in ["1abc", " a", "a ", "a/b", "a\u{1}b", "cafe\u{301}", &long] {
            let request = json!({"type": "persistent", "fields": ["x"], "name": bad});
            assert_eq!(fx.error(request), (400, 1208), "{bad:?}");
        }
    }

    // --- identity ---

    #[test]
    fn same_fields_other_name_returns_existing() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        let first = fx.created(json!({"type": "persistent", "fields": ["a"], "name": "first"}));
        let second = fx.existing(json!({
            "type": "persistent", "fields": ["a"], "name": "second", "estimates": false,
            "cacheEnabled": true, "storedValues": ["b"], "deduplicate": false,
        }));
        assert_eq!(
            second, first,
            "the existing index comes back unchanged, old name included"
        );
        assert_eq!(fx.collection.indexes.len(), 1);
    }

    #[test]
    fn identity_flags_and_field_order() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        fx.created(json!({"type": "persistent", "fields": ["a", "b"]}));
        for other in [
            json!({"type": "persistent", "fields": ["a", "b"], "sparse": true}),
            json!({"type": "persistent", "fields": ["a", "b"], "unique": true}),
            json!({"type": "persistent", "fields": ["b", "a"]}),
            json!({"type": "persistent", "fields": ["a"]}),
            json!({"type": "persistent", "fields": ["a[*]", "b"]}),
        ] {
            fx.created(other);
        }
        assert_eq!(fx.collection.indexes.len(), 6);
    }

    #[test]
    fn name_clash_with_other_definition() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        fx.created(json!({"type": "persistent", "fields": ["a"], "name": "n"}));
        let clash = json!({"type": "persistent", "fields": ["b"], "name": "n"});
        let error = fx.ensure(clash).unwrap_err();
        assert_eq!((error.status, error.error_num), (400, 1005));
        assert_eq!(error.message, "duplicate value for `id` or `name`");
        let other_type = json!({"type": "geo", "fields": ["a"], "name": "n"});
        assert_eq!(fx.error(other_type), (400, 1005));
        let primary = json!({"type": "persistent", "fields": ["b"], "name": "primary"});
        assert_eq!(fx.error(primary), (400, 1005));
    }

    #[test]
    fn edge_name_reserved_only_on_edge_collections() {
        let named_edge = json!({"type": "persistent", "fields": ["a"], "name": "edge"});
        assert_eq!(
            Fixture::new(EDGE_COLLECTION).error(named_edge.clone()),
            (400, 1005)
        );
        Fixture::new(DOCUMENT_COLLECTION).created(named_edge);
    }

    #[test]
    fn explicit_id() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        let index = fx.created(json!({"type": "persistent", "fields": ["a"], "id": "777"}));
        assert_eq!(index["id"], "c/777");
        // Same id: the same index, whatever the rest says.
        let same = fx.existing(json!({"type": "persistent", "fields": ["z"], "id": 777}));
        assert_eq!(same, index);
        fx.created(json!({"type": "persistent", "fields": ["a"], "id": 778}));
        let taken = json!({"type": "geo", "fields": ["g"], "id": 777});
        assert_eq!(fx.error(taken), (400, 1005));
        let primary_id = json!({"type": "persistent", "fields": ["q"], "id": 0});
        assert_eq!(fx.error(primary_id), (400, 1005));
    }

    #[test]
    fn ttl_only_one_per_collection() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        let first = fx.created(json!({
            "type": "ttl", "fields": ["t"], "expireAfter": 60, "name": "expiry",
        }));
        let again = fx.existing(json!({"type": "ttl", "fields": ["t"], "expireAfter": 60.0}));
        assert_eq!(again, first);
        for other in [
            json!({"type": "ttl", "fields": ["t"], "expireAfter": 61}),
            json!({"type": "ttl", "fields": ["u"], "expireAfter": 60}),
        ] {
            let error = fx.ensure(other).unwrap_err();
            assert_eq!((error.status, error.error_num), (400, 10));
            assert_eq!(
                error.message,
                "there can only be one ttl index per collection"
            );
        }
    }

    #[test]
    fn geo_and_fulltext_identity() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        fx.created(json!({"type": "geo", "fields": ["loc"]}));
        fx.existing(json!({"type": "geo", "fields": ["loc"], "legacyPolygons": true}));
        fx.created(json!({"type": "geo", "fields": ["loc"], "geoJson": true}));

        fx.created(json!({"type": "fulltext", "fields": ["t"], "minLength": 3}));
        fx.existing(json!({"type": "fulltext", "fields": ["t"], "minLength": 3.5}));
        fx.created(json!({"type": "fulltext", "fields": ["t"]}));
    }

    #[test]
    fn mdi_prefixed_identity_includes_prefix_fields() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        let base = json!({
            "type": "mdi-prefixed", "fields": ["x"], "fieldValueTypes": "double",
            "prefixFields": ["p"],
        });
        fx.created(base.clone());
        let mut same = base.clone();
        same["storedValues"] = json!(["s"]);
        fx.existing(same);
        let mut other = base;
        other["prefixFields"] = json!(["q"]);
        fx.created(other);
    }

    // --- unique constraints ---

    #[test]
    fn unique_index_over_duplicates_fails() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        fx.insert("k1", json!({"email": "x@y"}));
        fx.insert("k2", json!({"email": "x@y"}));
        let unique = json!({
            "type": "persistent", "fields": ["email"], "unique": true, "name": "byEmail",
        });
        let error = fx.ensure(unique).unwrap_err();
        assert_eq!((error.status, error.error_num), (400, 1210));
        assert_eq!(
            error.message,
            "unique constraint violated - in index byEmail of type persistent over 'email'; \
             conflicting key: k1"
        );
        assert!(fx.collection.indexes.is_empty());
        fx.created(json!({"type": "persistent", "fields": ["email"]}));
    }

    #[test]
    fn sparse_unique_index_ignores_missing_and_null() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        fx.insert("k1", json!({"a": null}));
        fx.insert("k2", json!({"a": null}));
        fx.insert("k3", json!({}));
        fx.insert("k4", json!({}));
        let dense = json!({"type": "persistent", "fields": ["a"], "unique": true});
        assert_eq!(fx.error(dense), (400, 1210));
        fx.created(json!({"type": "persistent", "fields": ["a"], "unique": true, "sparse": true}));
        assert!(fx.check("k5", json!({"a": null})).is_ok());
    }

    #[test]
    fn document_writes_respect_unique_indexes() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        fx.created(json!({
            "type": "persistent", "fields": ["user.name", "n"], "unique": true, "name": "u",
        }));
        fx.insert("k1", json!({"user": {"name": "ann"}, "n": 1}));

        let duplicate = json!({"_key": "k2", "user": {"name": "ann"}, "n": 1.0});
        let error = fx.check("k2", duplicate.clone()).unwrap_err();
        assert_eq!((error.status, error.error_num), (409, 1210));
        assert_eq!(
            error.message,
            "unique constraint violated - in index u of type persistent over 'user.name, n'; \
             conflicting key: k1"
        );
        // Replacing the document itself is no conflict.
        assert!(fx.check("k1", duplicate).is_ok());
        assert!(fx
            .check("k2", json!({"user": {"name": "ann"}, "n": 2}))
            .is_ok());
        // Non-sparse: missing attributes are null and collide with each other.
        fx.insert("k3", json!({}));
        assert!(fx.check("k4", json!({"other": true})).is_err());
    }

    #[test]
    fn expansion_and_non_unique_indexes_are_not_checked() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        fx.created(json!({"type": "persistent", "fields": ["tags[*]"], "unique": true}));
        fx.created(json!({"type": "persistent", "fields": ["a"]}));
        fx.insert("k1", json!({"tags": ["x"], "a": 1}));
        assert!(fx.check("k2", json!({"tags": ["x"], "a": 1})).is_ok());
    }

    #[test]
    fn unique_on_key_field() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        fx.created(json!({"type": "hash", "fields": ["_key", "a"], "unique": true}));
        fx.insert("k1", json!({"a": 1}));
        // `_key` is part of the values, so another key never collides.
        assert!(fx.check("k2", json!({"a": 1})).is_ok());
        let error = fx.check("k2", json!({"_key": "k1", "a": 1})).unwrap_err();
        assert_eq!(error.error_num, 1210, "the stored `_key` attribute wins");
        assert!(
            error.message.contains("of type hash over '_key, a'"),
            "{}",
            error.message
        );
    }

    // --- listing, reading and dropping ---

    #[test]
    fn builtins() {
        let documents = Fixture::new(DOCUMENT_COLLECTION).collection;
        let primary = json!({
            "fields": ["_key"], "id": "c/0", "name": "primary", "selectivityEstimate": 1,
            "sparse": false, "type": "primary", "unique": true,
        });
        assert_eq!(builtin_indexes(&documents), vec![primary]);
        let edges = Fixture::new(EDGE_COLLECTION).collection;
        let builtins = builtin_indexes(&edges);
        assert_eq!(builtins.len(), 2);
        assert_eq!(
            builtins[1],
            json!({
                "fields": ["_from", "_to"], "id": "c/2", "name": "edge", "selectivityEstimate": 1,
                "sparse": false, "type": "edge", "unique": false,
            })
        );
    }

    #[test]
    fn get_by_id_or_name() {
        let mut fx = Fixture::new(EDGE_COLLECTION);
        let index = fx.created(json!({"type": "persistent", "fields": ["a"], "name": "byA"}));
        let collection = &fx.collection;
        assert_eq!(get(collection, &numeric_id(&index)).unwrap(), index);
        assert_eq!(get(collection, "byA").unwrap(), index);
        for (handle, index_type) in [
            ("0", "primary"),
            ("primary", "primary"),
            ("2", "edge"),
            ("edge", "edge"),
        ] {
            assert_eq!(
                get(collection, handle).unwrap()["type"],
                index_type,
                "{handle}"
            );
        }
        assert_eq!(get(collection, "nope").unwrap_err().error_num, 1212);
        assert_eq!(get(collection, "99999").unwrap_err().error_num, 1212);
        assert_eq!(get(collection, "1abc").unwrap_err().error_num, 1208);
    }

    #[test]
    fn drop_by_id_and_name() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        let first = fx.created(json!({"type": "persistent", "fields": ["a"], "name": "byA"}));
        let second = fx.created(json!({"type": "persistent", "fields": ["b"], "name": "byB"}));
        let second_id = numeric_id(&second);
        assert_eq!(
            drop(&mut fx.collection, "byA").unwrap(),
            first["id"].as_str().unwrap()
        );
        assert_eq!(
            drop(&mut fx.collection, &second_id).unwrap(),
            second["id"].as_str().unwrap()
        );
        assert!(fx.collection.indexes.is_empty());
        for handle in ["byA", second_id.as_str()] {
            assert_eq!(
                drop(&mut fx.collection, handle).unwrap_err().error_num,
                1212
            );
        }
    }

    #[test]
    fn drop_builtins() {
        let mut edges = Fixture::new(EDGE_COLLECTION).collection;
        for handle in ["0", "primary", ""] {
            let error = drop(&mut edges, handle).unwrap_err();
            assert_eq!((error.status, error.error_num), (404, 1212), "{handle:?}");
        }
        for handle in ["1", "2", "edge"] {
            let error = drop(&mut edges, handle).unwrap_err();
            assert_eq!((error.status, error.error_num), (403, 11), "{handle}");
        }
        let mut documents = Fixture::new(DOCUMENT_COLLECTION).collection;
        assert_eq!(drop(&mut documents, "1").unwrap_err().error_num, 1212);
        assert_eq!(drop(&mut documents, "edge").unwrap_err().error_num, 1212);
        assert_eq!(drop(&mut documents, "9a").unwrap_err().error_num, 1208);
    }

    #[test]
    fn listing_order() {
        let mut fx = Fixture::new(DOCUMENT_COLLECTION);
        fx.created(json!({"type": "persistent", "fields": ["b"], "name": "second"}));
        fx.created(json!({"type": "persistent", "fields": ["a"], "name": "third"}));
        let names: Vec<Value> = all(&fx.collection)
            .into_iter()
            .map(|index| index["name"].clone())
            .collect();
        assert_eq!(
            names,
            vec![json!("primary"), json!("second"), json!("third")]
        );
    }
}
