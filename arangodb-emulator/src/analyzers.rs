//! ArangoSearch Analyzers without HTTP: the built-in ones, name resolution
//! across databases, normalising a create request into the definition the
//! server reports back, and the feature rules.
//!
//! Facts and their sources:
//! * Built-in analyzers, their properties, features and listing order: the
//!   `RestAnalyzersGet_single` and `analyzerProperties_single` examples of the
//!   3.12.10 transcripts (`shared/arangodb-transcripts/3.12-all.json`).
//! * Names: a custom analyzer is reported as `<database>::<name>`; `::name`
//!   means the `_system` database; built-in names carry no prefix. From
//!   ArangoDB's `IResearchAnalyzerFeature::normalize`/`splitAnalyzerName` and
//!   `RestAnalyzerHandler` (the `RestAnalyzerPost_single` example shows
//!   `_system::testAnalyzer`).
//! * Feature order on read-back (frequency, position, offset, norm) and the
//!   feature dependency rules with their messages: `Features::visit` and
//!   `Features::validate` in `IResearchAnalyzerFeature.cpp`; the
//!   `analyzerCreate_single` example shows the reordering.
//! * Property defaults: verified by transcripts for `text` (locale, case,
//!   stopwords, accent, stemming), `identity`, `delimiter`; by python-arango's
//!   `tests/test_analyzer.py` for `multi_delimiter`, `wildcard` and `geo_s2`.
//!   The defaults of the other types follow the ArangoDB Analyzer docs and are
//!   marked UNVERIFIED where no recorded answer shows them.

use serde_json::{json, Map, Value};
use unicode_normalization::is_nfc;

use crate::error::ArangoError;
use crate::profile::Profile;

/// The database whose analyzers every database can use.
pub const SYSTEM_DATABASE: &str = "_system";

const MAX_ANALYZER_NAME_BYTES: usize = 254;

/// The body shape the create errors quote.
const CREATE_FORM: &str = "expecting body to be of the form { name: <string>, type: <string>[, properties: <object|string>[, features: <string-array>]] }";

/// Feature names in the order the server reports them.
const FEATURE_ORDER: [&str; 4] = ["frequency", "position", "offset", "norm"];

/// One analyzer as stored: its short name (without database prefix).
#[derive(Debug, Clone, PartialEq)]
pub struct Analyzer {
    pub name: String,
    pub analyzer_type: String,
    pub properties: Value,
    pub features: Vec<String>,
}

impl Analyzer {
    /// The object the analyzer API answers with, `name` as given.
    pub fn definition(&self, reported_name: &str) -> Value {
        json!({
            "name": reported_name,
            "type": self.analyzer_type,
            "properties": self.properties,
            "features": self.features,
        })
    }
}

/// Locales of the built-in `text_*` analyzers.
const TEXT_LOCALES: [&str; 12] = [
    "de", "en", "es", "fi", "fr", "it", "nl", "no", "pt", "ru", "sv", "zh",
];

/// The built-in analyzer of that name, if there is one.
pub fn builtin(name: &str) -> Option<Analyzer> {
    if name == "identity" {
        return Some(Analyzer {
            name: name.into(),
            analyzer_type: "identity".into(),
            properties: json!({}),
            features: vec!["frequency".into(), "norm".into()],
        });
    }
    let locale = name.strip_prefix("text_")?;
    if !TEXT_LOCALES.contains(&locale) {
        return None;
    }
    Some(Analyzer {
        name: name.into(),
        analyzer_type: "text".into(),
        properties: json!({
            "locale": locale,
            "case": "lower",
            "stopwords": [],
            "accent": false,
            // The Chinese built-in is the one that does not stem.
            "stemming": locale != "zh",
        }),
        features: vec!["frequency".into(), "position".into(), "norm".into()],
    })
}

/// All built-in analyzers in the listing order of `profile`'s version.
pub fn builtins(profile: &Profile) -> Vec<Analyzer> {
    profile
        .builtin_analyzer_order()
        .iter()
        .filter_map(|name| builtin(name))
        .collect()
}

/// Where an analyzer name points once normalised against a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnalyzerRef {
    /// A built-in analyzer.
    Builtin(String),
    /// A custom analyzer: (database, short name).
    Custom(String, String),
}

impl AnalyzerRef {
    /// ArangoDB's `normalize(name, vocbase)`: a prefix names the database
    /// (empty prefix: `_system`); an unprefixed built-in name is the built-in;
    /// anything else belongs to the current database.
    pub fn parse(name: &str, current_database: &str) -> AnalyzerRef {
        match name.split_once("::") {
            Some((prefix, short)) => {
                let database = if prefix.is_empty() {
                    SYSTEM_DATABASE
                } else {
                    prefix
                };
                AnalyzerRef::Custom(database.to_string(), short.to_string())
            }
            None if builtin(name).is_some() => AnalyzerRef::Builtin(name.to_string()),
            None => AnalyzerRef::Custom(current_database.to_string(), name.to_string()),
        }
    }

    /// The full name (`db::name`, or the bare built-in name).
    pub fn full_name(&self) -> String {
        match self {
            AnalyzerRef::Builtin(name) => name.clone(),
            AnalyzerRef::Custom(database, name) => format!("{database}::{name}"),
        }
    }

    /// The name as an index or view reports it from `current_database`:
    /// bare for built-ins and the current database, `::name` for `_system`.
    pub fn short_name(&self, current_database: &str) -> String {
        match self {
            AnalyzerRef::Builtin(name) => name.clone(),
            AnalyzerRef::Custom(database, name) if database == current_database => name.clone(),
            AnalyzerRef::Custom(database, name) if database == SYSTEM_DATABASE => {
                format!("::{name}")
            }
            AnalyzerRef::Custom(database, name) => format!("{database}::{name}"),
        }
    }

    /// Whether a database may use this analyzer: built-ins, its own and
    /// those of `_system`.
    pub fn reachable_from(&self, current_database: &str) -> bool {
        match self {
            AnalyzerRef::Builtin(_) => true,
            AnalyzerRef::Custom(database, _) => {
                database == current_database || database == SYSTEM_DATABASE
            }
        }
    }
}

/// Analyzer names: the extended naming rules minus `:` (the database
/// separator), at most 254 bytes.
pub fn name_ok(name: &str) -> bool {
    let Some(first) = name.chars().next() else {
        return false;
    };
    name.len() <= MAX_ANALYZER_NAME_BYTES
        && is_nfc(name)
        && !(first.is_ascii_digit() || matches!(first, '.' | ' ' | '_'))
        && !name.ends_with(' ')
        && !name
            .chars()
            .any(|c| c == '/' || c == ':' || (c as u32) < 32)
}

// --- features ---

/// Parses a `features` array into the server's order, applying
/// `Features::validate`.
pub fn parse_features(
    value: Option<&Value>,
    analyzer_type: &str,
) -> Result<Vec<String>, ArangoError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let Some(items) = value.as_array() else {
        return Err(ArangoError::bad_parameter(format!(
            "invalid 'features', {CREATE_FORM}"
        )));
    };
    let mut present = [false; 4];
    for item in items {
        let Some(name) = item.as_str() else {
            return Err(ArangoError::bad_parameter(format!(
                "invalid value in 'features', {CREATE_FORM}"
            )));
        };
        // UNVERIFIED for 3.12: the message of an unknown feature name.
        let position = FEATURE_ORDER
            .iter()
            .position(|known| *known == name)
            .ok_or_else(|| {
                ArangoError::bad_parameter(format!("unknown value in 'features', {CREATE_FORM}"))
            })?;
        present[position] = true;
    }
    let [frequency, position, offset, _norm] = present;
    if offset && !position {
        return Err(ArangoError::bad_parameter(
            "missing feature 'position' required when 'offset' feature is specified",
        ));
    }
    if position && !frequency {
        return Err(ArangoError::bad_parameter(
            "missing feature 'frequency' required when 'position' feature is specified",
        ));
    }
    if offset && analyzer_type == "wildcard" {
        // irs::IndexFeatures bits: FREQ 1, POS 2, OFFS 4.
        let bits = u8::from(frequency) | (u8::from(position) << 1) | (u8::from(offset) << 2);
        return Err(ArangoError::bad_parameter(format!(
            "Unsupported index features are specified: {bits}"
        )));
    }
    Ok(FEATURE_ORDER
        .iter()
        .zip(present)
        .filter(|(_, on)| *on)
        .map(|(name, _)| name.to_string())
        .collect())
}

// --- properties ---

/// Why a properties object was refused: ArangoDB's "rejected by analyzer".
fn rejected(full_name: &str, analyzer_type: &str, properties: Option<&Value>) -> ArangoError {
    let shown = match properties {
        None => " Init without properties".to_string(),
        Some(value) => format!(" Properties '{value}'"),
    };
    ArangoError::bad_parameter(format!(
        "Failure initializing an arangosearch analyzer instance for name '{full_name}' type '{analyzer_type}'.{shown} was rejected by analyzer. Please check documentation for corresponding analyzer type."
    ))
}

/// Default geo index options of the geo analyzers.
fn geo_options() -> Value {
    json!({"maxCells": 20, "minLevel": 4, "maxLevel": 23})
}

/// Starts from `defaults` (key order kept) and takes over the keys the
/// request sets; `required` keys must be present with a value of the right
/// kind (checked by `valid`).
fn with_defaults(
    given: &Map<String, Value>,
    defaults: Value,
    extra_keys: &[&str],
) -> Map<String, Value> {
    let mut out = match defaults {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    for (key, value) in given {
        if out.contains_key(key) || extra_keys.contains(&key.as_str()) {
            out.insert(key.clone(), value.clone());
        }
    }
    out
}

/// A nested analyzer definition (`pipeline` members, the inner analyzer of
/// `wildcard` and `minhash`): `{type, properties}` with the inner
/// properties normalised too.
fn nested_definition(value: &Value) -> Option<Value> {
    let object = value.as_object()?;
    let analyzer_type = object.get("type")?.as_str()?;
    let properties = object.get("properties").cloned().unwrap_or(json!({}));
    let normalized = normalize_properties(analyzer_type, Some(&properties))?;
    Some(json!({"type": analyzer_type, "properties": normalized}))
}

/// The known analyzer types of ArangoDB 3.12.
pub const TYPES: &[&str] = &[
    "identity",
    "delimiter",
    "multi_delimiter",
    "stem",
    "norm",
    "ngram",
    "text",
    "aql",
    "pipeline",
    "stopwords",
    "collation",
    "segmentation",
    "minhash",
    "classification",
    "nearest_neighbors",
    "geojson",
    "geo_s2",
    "geopoint",
    "wildcard",
];

/// The properties as the server reports them, or `None` when the analyzer
/// rejects them (the caller words the error).
pub fn normalize_properties(analyzer_type: &str, given: Option<&Value>) -> Option<Value> {
    let empty = Map::new();
    let given_map = match given {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(map)) => map,
        Some(_) => return None,
    };
    let string = |key: &str| given_map.get(key).and_then(Value::as_str).is_some();
    let number = |key: &str| given_map.get(key).is_some_and(Value::is_number);
    let array = |key: &str| given_map.get(key).is_some_and(Value::is_array);
    let out = match analyzer_type {
        "identity" => Map::new(),
        "delimiter" if string("delimiter") => {
            with_defaults(given_map, json!({"delimiter": ""}), &[])
        }
        "multi_delimiter" if array("delimiters") => {
            with_defaults(given_map, json!({"delimiters": []}), &[])
        }
        "stem" | "collation" if string("locale") => {
            with_defaults(given_map, json!({"locale": ""}), &[])
        }
        // UNVERIFIED: norm defaults (case none, accent true) from the docs.
        "norm" if string("locale") => with_defaults(
            given_map,
            json!({"locale": "", "case": "none", "accent": true}),
            &[],
        ),
        "text" if string("locale") => with_defaults(
            given_map,
            json!({"locale": "", "case": "lower", "stopwords": [], "accent": false, "stemming": true}),
            &["edgeNgram", "stopwordsPath"],
        ),
        // UNVERIFIED: ngram defaults from the docs.
        "ngram" if number("min") && number("max") => with_defaults(
            given_map,
            json!({"min": 0, "max": 0, "preserveOriginal": false, "streamType": "binary",
                   "startMarker": "", "endMarker": ""}),
            &[],
        ),
        "stopwords" if array("stopwords") => {
            with_defaults(given_map, json!({"stopwords": [], "hex": false}), &[])
        }
        // UNVERIFIED: segmentation and aql defaults from the docs.
        "segmentation" => with_defaults(given_map, json!({"case": "lower", "break": "alpha"}), &[]),
        "aql" if string("queryString") => with_defaults(
            given_map,
            json!({"queryString": "", "collapsePositions": false, "keepNull": true,
                   "batchSize": 10, "memoryLimit": 1_048_576, "returnType": "string"}),
            &[],
        ),
        "pipeline" => {
            let members = given_map
                .get("pipeline")
                .and_then(Value::as_array)
                .filter(|members| !members.is_empty())?;
            let normalized: Option<Vec<Value>> = members.iter().map(nested_definition).collect();
            let mut out = Map::new();
            out.insert("pipeline".into(), Value::Array(normalized?));
            out
        }
        "wildcard" if number("ngramSize") => {
            let mut out = Map::new();
            out.insert("ngramSize".into(), given_map["ngramSize"].clone());
            if let Some(inner) = given_map.get("analyzer") {
                out.insert("analyzer".into(), nested_definition(inner)?);
            }
            out
        }
        "minhash" if number("numHashes") => {
            let inner = given_map.get("analyzer").and_then(nested_definition)?;
            let mut out = Map::new();
            out.insert("analyzer".into(), inner);
            out.insert("numHashes".into(), given_map["numHashes"].clone());
            out
        }
        // geo_s2 verified by python-arango's test_analyzer.py; geojson and
        // geopoint UNVERIFIED (docs).
        "geo_s2" => with_defaults(
            given_map,
            json!({"options": geo_options(), "type": "shape", "format": "latLngDouble"}),
            &[],
        ),
        "geojson" => with_defaults(
            given_map,
            json!({"type": "shape", "options": geo_options(), "legacy": false}),
            &[],
        ),
        "geopoint" => with_defaults(
            given_map,
            json!({"latitude": [], "longitude": [], "options": geo_options()}),
            &[],
        ),
        "classification" | "nearest_neighbors" if string("model_location") => given_map.clone(),
        _ => return None,
    };
    Some(Value::Object(out))
}

/// A create request checked and turned into the analyzer to store.
/// `database` is the current database; the name may carry its prefix. A
/// type `profile`'s version does not know is refused like an unknown one.
pub fn from_request(
    body: &Value,
    database: &str,
    profile: &Profile,
) -> Result<Analyzer, ArangoError> {
    let Some(object) = body.as_object() else {
        return Err(ArangoError::bad_parameter(CREATE_FORM));
    };
    if object.is_empty() {
        return Err(ArangoError::new(400, 600, "corrupted JSON"));
    }
    let Some(requested) = object.get("name").and_then(Value::as_str) else {
        return Err(ArangoError::bad_parameter(format!(
            "invalid 'name', {CREATE_FORM}"
        )));
    };
    let (prefix, short) = match requested.split_once("::") {
        Some((prefix, short)) => (
            Some(if prefix.is_empty() {
                SYSTEM_DATABASE
            } else {
                prefix
            }),
            short,
        ),
        None => (None, requested),
    };
    if prefix.is_some_and(|prefix| prefix != database) {
        return Err(ArangoError::new(
            403,
            11,
            "Database in analyzer name does not match current database",
        ));
    }
    if !name_ok(short) {
        return Err(ArangoError::bad_parameter(format!(
            "invalid characters in analyzer name '{short}'"
        )));
    }
    let Some(analyzer_type) = object.get("type").and_then(Value::as_str) else {
        return Err(ArangoError::bad_parameter(format!(
            "invalid 'type', {CREATE_FORM}"
        )));
    };
    // A string is parsed as JSON, as ArangoDB does.
    let parsed;
    let properties = match object.get("properties") {
        Some(Value::String(text)) => {
            parsed = serde_json::from_str::<Value>(text)
                .map_err(|err| ArangoError::corrupted_json(&err.to_string()))?;
            Some(&parsed)
        }
        other => other,
    };
    if properties.is_some_and(|value| !value.is_object() && !value.is_null()) {
        return Err(ArangoError::bad_parameter(format!(
            "invalid 'properties', {CREATE_FORM}"
        )));
    }
    let features = parse_features(object.get("features"), analyzer_type)?;
    if !profile.knows_analyzer_type(analyzer_type) {
        return Err(ArangoError::new(
            501,
            1003,
            format!("Not implemented analyzer type '{analyzer_type}'."),
        ));
    }
    let full_name = format!("{database}::{short}");
    let properties = normalize_properties(analyzer_type, properties)
        .ok_or_else(|| rejected(&full_name, analyzer_type, properties))?;
    Ok(Analyzer {
        name: short.to_string(),
        analyzer_type: analyzer_type.to_string(),
        properties,
        features,
    })
}

/// The 400 a create answers when the name exists with another definition.
pub fn collision(full_name: &str, candidate: &Analyzer, existing: &Analyzer) -> ArangoError {
    let features: Vec<String> = candidate
        .features
        .iter()
        .map(|feature| format!("    '{feature}'"))
        .collect();
    let previous = existing.definition(full_name);
    ArangoError::bad_parameter(format!(
        "Name collision detected while registering an arangosearch analyzer.\nCurrent definition is:\n{{\n  name:'{full_name}'\n  type: '{}'\n  properties:'{}'\n  features: [\n{}\n  ]\n}}\nPrevious definition was:\n{previous}",
        candidate.analyzer_type,
        candidate.properties,
        features.join(",\n"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_match_the_recorded_listing() {
        let profile = Profile::default();
        let names: Vec<String> = builtins(&profile).into_iter().map(|a| a.name).collect();
        assert_eq!(names, profile.builtin_analyzer_order());
        let zh = builtin("text_zh").expect("text_zh");
        assert_eq!(zh.properties["stemming"], false);
        assert!(builtin("text_xx").is_none());
    }

    #[test]
    fn names_resolve_like_normalize() {
        let custom = AnalyzerRef::parse("a", "db");
        assert_eq!(custom.full_name(), "db::a");
        assert_eq!(custom.short_name("db"), "a");
        let system = AnalyzerRef::parse("::a", "db");
        assert_eq!(system.full_name(), "_system::a");
        assert_eq!(system.short_name("db"), "::a");
        assert!(system.reachable_from("db"));
        assert!(!AnalyzerRef::parse("other::a", "db").reachable_from("db"));
        assert_eq!(AnalyzerRef::parse("text_en", "db").full_name(), "text_en");
    }

    #[test]
    fn features_are_ordered_and_checked() {
        let features = parse_features(Some(&json!(["norm", "position", "frequency"])), "text");
        assert_eq!(features.expect("ok"), ["frequency", "position", "norm"]);
        let error = parse_features(Some(&json!(["offset"])), "text").unwrap_err();
        assert!(error.message.contains("'position' required"), "{error}");
        let error = parse_features(Some(&json!(["position"])), "text").unwrap_err();
        assert!(error.message.contains("'frequency' required"), "{error}");
        let error = parse_features(
            Some(&json!(["frequency", "position", "offset"])),
            "wildcard",
        )
        .unwrap_err();
        assert_eq!(error.message, "Unsupported index features are specified: 7");
        assert_eq!(
            parse_features(Some(&json!(["x"])), "text")
                .unwrap_err()
                .error_num,
            10
        );
    }

    #[test]
    fn properties_get_their_defaults() {
        let text = normalize_properties("text", Some(&json!({"locale": "en", "stopwords": []})));
        assert_eq!(
            text.expect("text"),
            json!({"locale": "en", "case": "lower", "stopwords": [], "accent": false, "stemming": true})
        );
        let geo = normalize_properties("geo_s2", Some(&json!({}))).expect("geo_s2");
        assert_eq!(geo["options"]["maxCells"], 20);
        assert_eq!(geo["format"], "latLngDouble");
        assert!(normalize_properties("delimiter", Some(&json!({}))).is_none());
        assert_eq!(
            normalize_properties("identity", Some(&json!({"x": 1}))),
            Some(json!({}))
        );
    }

    #[test]
    fn requests_are_checked() {
        let profile = Profile::default();
        let analyzer = from_request(
            &json!({"name": "csv", "type": "delimiter",
            "properties": {"delimiter": ","}, "features": ["frequency", "norm", "position"]}),
            "_system",
            &profile,
        )
        .expect("valid");
        assert_eq!(analyzer.features, ["frequency", "position", "norm"]);
        let bad_name =
            from_request(&json!({"name": "1x", "type": "identity"}), "db", &profile).unwrap_err();
        assert_eq!(bad_name.message, "invalid characters in analyzer name '1x'");
        let bad_type =
            from_request(&json!({"name": "x", "type": "nope"}), "db", &profile).unwrap_err();
        assert_eq!((bad_type.status, bad_type.error_num), (501, 1003));
        let foreign = from_request(
            &json!({"name": "other::x", "type": "identity"}),
            "db",
            &profile,
        )
        .unwrap_err();
        assert_eq!((foreign.status, foreign.error_num), (403, 11));
    }

    #[test]
    fn a_3_11_server_does_not_know_the_3_12_types() {
        let old = Profile {
            version: "3.11.14".parse().expect("version"),
            ..Profile::default()
        };
        for (body, new_type) in [
            (
                json!({"name": "w", "type": "wildcard", "properties": {"ngramSize": 3}}),
                "wildcard",
            ),
            (
                json!({"name": "m", "type": "multi_delimiter", "properties": {"delimiters": [","]}}),
                "multi_delimiter",
            ),
        ] {
            let refused = from_request(&body, "db", &old).unwrap_err();
            let unknown =
                from_request(&json!({"name": "x", "type": "nope"}), "db", &old).unwrap_err();
            assert_eq!(
                (refused.status, refused.error_num),
                (unknown.status, unknown.error_num)
            );
            assert_eq!(
                refused.message,
                format!("Not implemented analyzer type '{new_type}'.")
            );
            assert!(from_request(&body, "db", &Profile::default()).is_ok());
        }
    }
}
