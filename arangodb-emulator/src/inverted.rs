//! Inverted index definitions as ArangoDB 3.12 reports them back.
//!
//! The server rebuilds an inverted index's definition from its parsed
//! metadata, so the read-back differs from the request: every data-store
//! default is filled in, string fields become `{"name": ...}` objects, and a
//! field object shows only what differs from its parent (the index root for
//! top-level fields): `searchField`, `trackListPositions`,
//! `includeAllFields`, `features`, `analyzer`, then `name`, then `nested`.
//! A field's features default to its analyzer's features when it names an
//! analyzer, otherwise to its parent's; the root's default to the root
//! analyzer's (`identity`: frequency, norm).
//!
//! Sources: the `RestIndexCreateNewInverted_single` and
//! `collectionIndexesStats_single` examples of the 3.12.10 transcripts (the
//! exact read-back), ArangoDB's `InvertedIndexField::json`/`init`
//! (`IResearchInvertedIndexMeta.cpp`: what a field writes, inheritance from
//! the parent), `IResearchInvertedIndexSort::toVelocyPack` (`primarySort`
//! as `{fields, compression}`) and `IResearchViewStoredValues` (stored values
//! as `{fields, compression}`).
//!
//! Errors are worded as `IResearchRocksDBInvertedIndexFactory::normalize`
//! words them: the failing attribute path (e.g. `fields[1].analyzer` for an
//! analyzer the database does not have) and the request.
//!
//! The top-level keys are sorted later by `indexes::render`, as ArangoDB's
//! output shows them; the keys inside a field keep the server's order.
//!
//! UNVERIFIED (no recorded answer shows them): `cache`/`primaryKeyCache`
//! (and the `cache` of `primarySort`/`storedValues`) are shown only when on;
//! `parallelism` and `inBackground` are not reported; a field naming an
//! analyzer takes that analyzer's features (the recorded example is the
//! evidence; the older source inherited the parent's).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::analyzers::{self, Analyzer, AnalyzerRef};
use crate::error::ArangoError;
use crate::profile::Profile;

/// The link/index format version 3.12 writes for new inverted indexes.
const INVERTED_INDEX_VERSION: u64 = 1;

/// The analyzers one database can see: its own and those of `_system`.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub database: String,
    /// The server's version decides some defaults (`profile.rs`).
    pub profile: Profile,
    pub own: BTreeMap<String, Analyzer>,
    pub system: BTreeMap<String, Analyzer>,
}

impl Catalog {
    /// Resolves a name as used in an index or view definition.
    pub fn resolve(&self, name: &str) -> Option<(AnalyzerRef, Analyzer)> {
        let reference = AnalyzerRef::parse(name, &self.database);
        let analyzer = match &reference {
            AnalyzerRef::Builtin(name) => analyzers::builtin(name),
            AnalyzerRef::Custom(database, short) if *database == self.database => {
                self.own.get(short).cloned()
            }
            AnalyzerRef::Custom(database, short) if database == analyzers::SYSTEM_DATABASE => {
                self.system.get(short).cloned()
            }
            AnalyzerRef::Custom(..) => None,
        }?;
        Some((reference, analyzer))
    }
}

/// A consolidation policy with the defaults of its type filled in, `None`
/// when it is malformed. UNVERIFIED: the `bytes_accum` default threshold.
pub fn consolidation_policy(given: Option<&Value>, profile: &Profile) -> Option<Value> {
    let Some(given) = given else {
        return Some(profile.search_consolidation_policy());
    };
    let object = given.as_object()?;
    let mut policy = match object.get("type").and_then(Value::as_str) {
        None | Some("tier") => profile.search_consolidation_policy(),
        Some("bytes_accum") => json!({"type": "bytes_accum", "threshold": 0}),
        Some(_) => return None,
    };
    if let Value::Object(policy) = &mut policy {
        for (key, value) in object {
            if policy.contains_key(key) && key != "type" {
                policy.insert(key.clone(), value.clone());
            }
        }
    }
    Some(policy)
}

/// Why an inverted index definition was refused. ArangoDB's factory
/// (`IResearchRocksDBInvertedIndexFactory::normalize`) names the failing
/// attribute: data-store properties as "index meta", the rest as "index
/// fields"; the message quotes the request.
enum Failure {
    Meta(String),
    Fields(String),
    Other(ArangoError),
}

impl From<ArangoError> for Failure {
    fn from(error: ArangoError) -> Self {
        Failure::Other(error)
    }
}

impl Failure {
    fn into_error(self, request: &Map<String, Value>) -> ArangoError {
        let (what, field) = match self {
            Failure::Other(error) => return error,
            Failure::Meta(field) => ("meta", field),
            Failure::Fields(field) => ("fields", field),
        };
        ArangoError::bad_parameter(format!(
            "failed to normalize index {what} from definition, error in attribute '{field}': {}",
            Value::Object(request.clone())
        ))
    }
}

fn invalid_property(field: &str) -> Failure {
    Failure::Fields(field.to_string())
}

/// `primarySort` of an inverted index: `{fields: [{field, asc}], compression}`.
fn primary_sort(given: Option<&Value>) -> Result<Value, Failure> {
    let mut out = Map::new();
    let empty = Map::new();
    let object = match given {
        None => &empty,
        Some(Value::Object(object)) => object,
        Some(_) => return Err(invalid_property("primarySort")),
    };
    let fields = match object.get("fields") {
        None => Vec::new(),
        Some(fields) => sort_fields(fields).ok_or_else(|| invalid_property("primarySort"))?,
    };
    out.insert("fields".into(), Value::Array(fields));
    out.insert(
        "compression".into(),
        object.get("compression").cloned().unwrap_or(json!("lz4")),
    );
    if let Some(locale) = object.get("locale") {
        out.insert("locale".into(), locale.clone());
    }
    // Like the index-level cache flags, shown only when switched on.
    if object.get("cache") == Some(&Value::Bool(true)) {
        out.insert("cache".into(), Value::Bool(true));
    }
    Ok(Value::Object(out))
}

/// Sort fields as `{field, asc}`; `direction: "asc"|"desc"` is accepted too.
pub fn sort_fields(value: &Value) -> Option<Vec<Value>> {
    value
        .as_array()?
        .iter()
        .map(|entry| {
            let field = entry.get("field")?.as_str()?;
            let asc = match (entry.get("asc"), entry.get("direction")) {
                (Some(asc), _) => asc.as_bool()?,
                (None, Some(direction)) => {
                    match direction.as_str()?.to_ascii_lowercase().as_str() {
                        "asc" => true,
                        "desc" => false,
                        _ => return None,
                    }
                }
                (None, None) => return None,
            };
            Some(json!({"field": field, "asc": asc}))
        })
        .collect()
}

/// `storedValues`: each entry as `{fields, compression}`; a string or an
/// array of strings is shorthand for its fields.
pub fn stored_values(given: Option<&Value>) -> Option<Value> {
    let Some(given) = given else {
        return Some(json!([]));
    };
    let mut out = Vec::new();
    for entry in given.as_array()? {
        let normalized = match entry {
            Value::String(field) => json!({"fields": [field], "compression": "lz4"}),
            Value::Array(fields) if fields.iter().all(Value::is_string) => {
                json!({"fields": fields, "compression": "lz4"})
            }
            Value::Object(object)
                if object
                    .get("fields")
                    .and_then(Value::as_array)
                    .is_some_and(|fields| fields.iter().all(Value::is_string)) =>
            {
                let mut value = Map::new();
                value.insert("fields".into(), object["fields"].clone());
                value.insert(
                    "compression".into(),
                    object.get("compression").cloned().unwrap_or(json!("lz4")),
                );
                if object.get("cache") == Some(&Value::Bool(true)) {
                    value.insert("cache".into(), Value::Bool(true));
                }
                Value::Object(value)
            }
            _ => return None,
        };
        out.push(normalized);
    }
    Some(Value::Array(out))
}

/// What a field inherits and compares against.
#[derive(Debug, Clone, PartialEq)]
struct Inherited {
    search_field: bool,
    track_list_positions: bool,
    include_all_fields: bool,
    features: Vec<String>,
    analyzer: String,
    cache: bool,
}

fn optional_bool(
    object: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<bool>, Failure> {
    match object.get(key) {
        None => Ok(None),
        Some(Value::Bool(flag)) => Ok(Some(*flag)),
        Some(_) => Err(invalid_property(&format!("{path}{key}"))),
    }
}

/// A field naming an analyzer the database cannot see: the attribute path
/// ends in `analyzer` (`InvertedIndexField::init`).
fn unknown_analyzer(path: &str) -> Failure {
    Failure::Fields(format!("{path}analyzer"))
}

/// The analyzer named at `object["analyzer"]`, if any, as reported name and
/// its features.
fn field_analyzer(
    object: &Map<String, Value>,
    catalog: &Catalog,
    path: &str,
) -> Result<Option<(String, Vec<String>)>, Failure> {
    let Some(value) = object.get("analyzer") else {
        return Ok(None);
    };
    let name = value.as_str().ok_or_else(|| unknown_analyzer(path))?;
    let (reference, analyzer) = catalog
        .resolve(name)
        .ok_or_else(|| unknown_analyzer(path))?;
    Ok(Some((
        reference.short_name(&catalog.database),
        analyzer.features,
    )))
}

/// Applies one level's own settings on top of what it inherits.
fn settings(
    object: &Map<String, Value>,
    parent: &Inherited,
    catalog: &Catalog,
    path: &str,
) -> Result<Inherited, Failure> {
    let mut own = parent.clone();
    if let Some((analyzer, features)) = field_analyzer(object, catalog, path)? {
        own.analyzer = analyzer;
        own.features = features;
    }
    if let Some(features) = object.get("features") {
        own.features = analyzers::parse_features(Some(features), "")
            .map_err(|_| invalid_property(&format!("{path}features")))?;
    }
    if let Some(flag) = optional_bool(object, "searchField", path)? {
        own.search_field = flag;
    }
    if let Some(flag) = optional_bool(object, "trackListPositions", path)? {
        own.track_list_positions = flag;
    }
    if let Some(flag) = optional_bool(object, "includeAllFields", path)? {
        own.include_all_fields = flag;
    }
    if let Some(flag) = optional_bool(object, "cache", path)? {
        own.cache = flag;
    }
    Ok(own)
}

/// One field object as the server writes it, relative to its parent.
fn field(
    item: &Value,
    parent: &Inherited,
    catalog: &Catalog,
    path: &str,
) -> Result<Value, Failure> {
    let empty = Map::new();
    let (name, object) = match item {
        Value::String(name) => (name.as_str(), &empty),
        Value::Object(object) => (
            object
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid_property(&format!("{path}name")))?,
            object,
        ),
        _ => return Err(invalid_property(path.trim_end_matches('.'))),
    };
    if name.is_empty() {
        return Err(
            ArangoError::bad_parameter("index field names must be non-empty strings").into(),
        );
    }
    if name.matches("[*]").count() > 1 {
        return Err(invalid_property(&format!("{path}name")));
    }
    let own = settings(object, parent, catalog, path)?;
    let mut out = Map::new();
    if own.search_field != parent.search_field {
        out.insert("searchField".into(), Value::Bool(own.search_field));
    }
    if own.track_list_positions != parent.track_list_positions {
        out.insert(
            "trackListPositions".into(),
            Value::Bool(own.track_list_positions),
        );
    }
    if own.include_all_fields != parent.include_all_fields {
        out.insert(
            "includeAllFields".into(),
            Value::Bool(own.include_all_fields),
        );
    }
    if own.cache != parent.cache {
        out.insert("cache".into(), Value::Bool(own.cache));
    }
    if own.features != parent.features {
        out.insert("features".into(), json!(own.features));
    }
    if own.analyzer != parent.analyzer {
        out.insert("analyzer".into(), Value::from(own.analyzer.clone()));
    }
    out.insert("name".into(), Value::from(name));
    if let Some(nested) = object.get("nested") {
        let items = nested
            .as_array()
            .ok_or_else(|| invalid_property(&format!("{path}nested")))?;
        let mut fields = Vec::new();
        for (position, item) in items.iter().enumerate() {
            let child_path = format!("{path}nested[{position}].");
            fields.push(field(item, &own, catalog, &child_path)?);
        }
        out.insert("nested".into(), Value::Array(fields));
    }
    Ok(Value::Object(out))
}

/// A create request for an inverted index turned into its read-back form:
/// every key the server reports, `name`/`type`/`id` kept from the request
/// for `indexes::ensure`. Unknown keys are dropped as the server drops them.
pub fn normalize(
    request: &Map<String, Value>,
    catalog: &Catalog,
) -> Result<Map<String, Value>, ArangoError> {
    normalize_checked(request, catalog).map_err(|failure| failure.into_error(request))
}

fn normalize_checked(
    request: &Map<String, Value>,
    catalog: &Catalog,
) -> Result<Map<String, Value>, Failure> {
    let identity = Inherited {
        search_field: false,
        track_list_positions: false,
        include_all_fields: false,
        features: analyzers::builtin("identity")
            .map(|analyzer| analyzer.features)
            .unwrap_or_default(),
        analyzer: "identity".into(),
        cache: false,
    };
    let root = settings(request, &identity, catalog, "")?;
    let items = match request.get("fields") {
        None if root.include_all_fields => Vec::new(),
        Some(Value::Array(items)) if !items.is_empty() || root.include_all_fields => items.clone(),
        _ => return Err(ArangoError::bad_parameter("invalid number of index attributes").into()),
    };
    let mut fields = Vec::new();
    for (position, item) in items.iter().enumerate() {
        fields.push(field(
            item,
            &root,
            catalog,
            &format!("fields[{position}]."),
        )?);
    }

    let mut out = Map::new();
    for key in ["name", "type", "id"] {
        if let Some(value) = request.get(key) {
            out.insert(key.into(), value.clone());
        }
    }
    for (key, default) in [
        ("cleanupIntervalStep", json!(2)),
        ("commitIntervalMsec", json!(1000)),
        (
            "consolidationIntervalMsec",
            json!(catalog.profile.search_consolidation_interval_msec()),
        ),
        ("writebufferActive", json!(0)),
        ("writebufferIdle", json!(64)),
        ("writebufferSizeMax", json!(33_554_432)),
    ] {
        let value = match request.get(key) {
            None => default,
            Some(value) if value.is_u64() => value.clone(),
            Some(_) => return Err(Failure::Meta(key.to_string())),
        };
        out.insert(key.into(), value);
    }
    out.insert(
        "consolidationPolicy".into(),
        consolidation_policy(request.get("consolidationPolicy"), &catalog.profile)
            .ok_or_else(|| Failure::Meta("consolidationPolicy".into()))?,
    );
    if catalog.profile.search_has_optimize_top_k() {
        out.insert(
            "optimizeTopK".into(),
            request.get("optimizeTopK").cloned().unwrap_or(json!([])),
        );
    }
    out.insert(
        "primarySort".into(),
        primary_sort(request.get("primarySort"))?,
    );
    out.insert(
        "storedValues".into(),
        stored_values(request.get("storedValues"))
            .ok_or_else(|| invalid_property("storedValues"))?,
    );
    out.insert("version".into(), json!(INVERTED_INDEX_VERSION));
    out.insert("searchField".into(), Value::Bool(root.search_field));
    out.insert(
        "trackListPositions".into(),
        Value::Bool(root.track_list_positions),
    );
    out.insert(
        "includeAllFields".into(),
        Value::Bool(root.include_all_fields),
    );
    out.insert("features".into(), json!(root.features));
    out.insert("analyzer".into(), Value::from(root.analyzer));
    out.insert("fields".into(), Value::Array(fields));
    for key in ["cache", "primaryKeyCache"] {
        if request.get(key) == Some(&Value::Bool(true)) {
            out.insert(key.into(), Value::Bool(true));
        }
    }
    Ok(out)
}

/// Every analyzer name an inverted index definition uses (as reported).
pub fn analyzers_used(definition: &Map<String, Value>) -> Vec<String> {
    fn walk(fields: Option<&Value>, out: &mut Vec<String>) {
        for field in fields.and_then(Value::as_array).into_iter().flatten() {
            if let Some(name) = field.get("analyzer").and_then(Value::as_str) {
                out.push(name.to_string());
            }
            walk(field.get("nested"), out);
        }
    }
    let mut out = Vec::new();
    if let Some(name) = definition.get("analyzer").and_then(Value::as_str) {
        out.push(name.to_string());
    }
    walk(definition.get("fields"), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let mut catalog = Catalog {
            database: "db".into(),
            ..Catalog::default()
        };
        catalog.own.insert(
            "plain".into(),
            Analyzer {
                name: "plain".into(),
                analyzer_type: "identity".into(),
                properties: json!({}),
                features: Vec::new(),
            },
        );
        catalog
    }

    fn request(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn recorded_example_read_back() {
        // RestIndexCreateNewInverted_single (3.12.10).
        let out = normalize(
            &request(
                json!({"type": "inverted", "fields": ["a", {"name": "b", "analyzer": "text_en"}]}),
            ),
            &catalog(),
        )
        .expect("valid");
        assert_eq!(
            out["fields"],
            json!([{"name": "a"}, {"features": ["frequency", "position", "norm"], "analyzer": "text_en", "name": "b"}])
        );
        assert_eq!(out["features"], json!(["frequency", "norm"]));
        assert_eq!(
            out["primarySort"],
            json!({"fields": [], "compression": "lz4"})
        );
        assert_eq!(
            out["consolidationPolicy"]["segmentsBytesMax"],
            8_589_934_592_u64
        );
        assert_eq!(out["consolidationIntervalMsec"], 5000);
        let mut old = catalog();
        old.profile.version = crate::profile::Version::new(3, 11, 14);
        let out =
            normalize(&request(json!({"type": "inverted", "fields": ["a"]})), &old).expect("valid");
        assert_eq!(out["consolidationIntervalMsec"], 1000);
        assert_eq!(out["consolidationPolicy"]["segmentsBytesFloor"], 2_097_152);
        assert!(out.get("optimizeTopK").is_none());
        assert_eq!(out["version"], 1);
    }

    #[test]
    fn fields_show_only_what_differs_from_their_parent() {
        let out = normalize(
            &request(
                json!({"type": "inverted", "analyzer": "text_en", "fields": [
                    {"name": "a", "analyzer": "text_en"},
                    {"name": "b", "analyzer": "identity", "searchField": true},
                    {"name": "c", "analyzer": "plain"},
                    {"name": "d", "analyzer": "db::plain", "features": ["frequency"]},
                ]}),
            ),
            &catalog(),
        )
        .expect("valid");
        assert_eq!(
            out["fields"],
            json!([
                {"name": "a"},
                {"searchField": true, "features": ["frequency", "norm"], "analyzer": "identity", "name": "b"},
                {"features": [], "analyzer": "plain", "name": "c"},
                {"features": ["frequency"], "analyzer": "plain", "name": "d"},
            ])
        );
        assert_eq!(out["features"], json!(["frequency", "position", "norm"]));
    }

    #[test]
    fn unknown_analyzers_and_bad_fields_are_refused() {
        let missing = normalize(
            &request(json!({"type": "inverted", "fields": [{"name": "a", "analyzer": "nope"}]})),
            &catalog(),
        )
        .unwrap_err();
        assert_eq!((missing.status, missing.error_num), (400, 10));
        assert_eq!(
            missing.message,
            "failed to normalize index fields from definition, error in attribute 'fields[0].analyzer': {\"type\":\"inverted\",\"fields\":[{\"name\":\"a\",\"analyzer\":\"nope\"}]}"
        );
        let meta = normalize(
            &request(json!({"type": "inverted", "fields": ["a"], "commitIntervalMsec": "x"})),
            &catalog(),
        )
        .unwrap_err();
        assert!(
            meta.message.starts_with(
                "failed to normalize index meta from definition, error in attribute 'commitIntervalMsec': "
            ),
            "{meta}"
        );
        let empty = normalize(
            &request(json!({"type": "inverted", "fields": []})),
            &catalog(),
        );
        assert_eq!(empty.unwrap_err().error_num, 10);
        let all = normalize(
            &request(json!({"type": "inverted", "includeAllFields": true})),
            &catalog(),
        )
        .expect("includeAllFields needs no fields");
        assert_eq!(all["fields"], json!([]));
    }

    #[test]
    fn sort_and_stored_values_are_normalised() {
        let out = normalize(
            &request(json!({"type": "inverted", "fields": ["a"],
                "primarySort": {"fields": [{"field": "a", "direction": "desc"}]},
                "storedValues": [["a", "b"], {"fields": ["c"], "compression": "none"}]})),
            &catalog(),
        )
        .expect("valid");
        assert_eq!(
            out["primarySort"],
            json!({"fields": [{"field": "a", "asc": false}], "compression": "lz4"})
        );
        assert_eq!(
            out["storedValues"],
            json!([{"fields": ["a", "b"], "compression": "lz4"}, {"fields": ["c"], "compression": "none"}])
        );
    }
}
