//! Collection schemas: how a `schema` property is stored, and document
//! validation against it.
//!
//! ArangoDB stores `{rule, level, message, type}` with defaults `strict`, `""`
//! and `json`, treats `null` and `{}` as "no schema", and validates with JSON
//! Schema draft-04. Validation ignores the system attributes, and the level
//! decides which writes are checked (shared/ARANGODB_API.md 3.5).

use serde_json::{json, Map, Value};

use crate::error::ArangoError;

const LEVELS: &[&str] = &["none", "new", "moderate", "strict"];
const SYSTEM_ATTRIBUTES: &[&str] = &["_key", "_id", "_rev", "_from", "_to"];

/// The stored form of a `schema` property value, or `None` to remove it.
pub fn normalize(value: &Value) -> Result<Option<Value>, ArangoError> {
    let object = match value {
        Value::Null => return Ok(None),
        Value::Object(object) if object.is_empty() => return Ok(None),
        Value::Object(object) => object,
        _ => {
            return Err(ArangoError::schema_bad_parameter(
                "Schema description is not an object.",
            ))
        }
    };
    let rule = match object.get("rule") {
        Some(rule @ Value::Object(_)) => rule,
        _ => {
            return Err(ArangoError::schema_bad_parameter(
                "Schema description must have a 'rule' object.",
            ))
        }
    };
    jsonschema::draft4::new(rule)
        .map_err(|err| ArangoError::schema_bad_parameter(format!("invalid schema rule: {err}")))?;
    let level = match object.get("level") {
        None => "strict",
        Some(Value::String(level)) if LEVELS.contains(&level.as_str()) => level.as_str(),
        Some(_) => {
            return Err(ArangoError::schema_bad_parameter(
                "Schema 'level' must be one of none, new, moderate, strict.",
            ))
        }
    };
    let message = match object.get("message") {
        None => "",
        Some(Value::String(message)) => message.as_str(),
        Some(_) => {
            return Err(ArangoError::schema_bad_parameter(
                "Schema 'message' must be a string.",
            ))
        }
    };
    Ok(Some(json!({
        "message": message,
        "level": level,
        "type": "json",
        "rule": rule,
    })))
}

/// The kind of write a document validation is for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Write {
    Insert,
    /// Replace or update; carries the document as it was before.
    Modify,
}

/// Checks `document` against a stored schema. `old` is the previous version
/// for modifications (the `moderate` level only checks documents that were
/// valid before).
pub fn validate(
    schema: &Value,
    document: &Value,
    old: Option<&Value>,
    write: Write,
) -> Result<(), ArangoError> {
    let level = schema
        .get("level")
        .and_then(Value::as_str)
        .unwrap_or("strict");
    let checked = match (level, write) {
        ("none", _) => false,
        ("new", Write::Modify) => false,
        ("moderate", Write::Modify) => old.is_some_and(|old| is_valid(schema, old)),
        _ => true,
    };
    if checked && !is_valid(schema, document) {
        let message = schema.get("message").and_then(Value::as_str).unwrap_or("");
        return Err(ArangoError::schema_violation(message));
    }
    Ok(())
}

/// Checks the schema argument of AQL's `SCHEMA_VALIDATE`: an object with
/// a `rule` that compiles as draft-04 (what a collection schema must be).
pub fn check_rule(schema: &Value) -> Result<(), ArangoError> {
    normalize(schema)?
        .map(|_| ())
        .ok_or_else(|| ArangoError::schema_bad_parameter("Schema description is not an object."))
}

/// Whether `document` satisfies the `rule` of `schema` (`{rule, ...}`),
/// system attributes left out; the answer of AQL's
/// `SCHEMA_VALIDATE(document, schema).valid`.
pub fn accepts(schema: &Value, document: &Value) -> bool {
    is_valid(schema, document)
}

fn is_valid(schema: &Value, document: &Value) -> bool {
    let Some(rule) = schema.get("rule") else {
        return true;
    };
    let user_attributes: Map<String, Value> = document
        .as_object()
        .map(|object| {
            object
                .iter()
                .filter(|(key, _)| !SYSTEM_ATTRIBUTES.contains(&key.as_str()))
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect()
        })
        .unwrap_or_default();
    // The rule compiled when it was stored, so a failure here cannot happen;
    // accepting the document is the harmless answer if it ever did.
    match jsonschema::draft4::new(rule) {
        Ok(validator) => validator.is_valid(&Value::Object(user_attributes)),
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users_schema(level: &str) -> Value {
        normalize(&json!({
            "rule": {"properties": {"email": {"type": "string"}}, "required": ["email"]},
            "level": level,
            "message": "bad user"
        }))
        .unwrap()
        .unwrap()
    }

    #[test]
    fn normalization_fills_defaults_and_removes() {
        let stored = normalize(&json!({"rule": {"type": "object"}}))
            .unwrap()
            .unwrap();
        assert_eq!(
            stored,
            json!({"message": "", "level": "strict", "type": "json", "rule": {"type": "object"}})
        );
        assert_eq!(normalize(&Value::Null).unwrap(), None);
        assert_eq!(normalize(&json!({})).unwrap(), None);
    }

    #[test]
    fn invalid_schemas_are_1621() {
        for bad in [
            json!([1]),
            json!({"level": "strict"}),
            json!({"rule": 3}),
            json!({"rule": {"type": "object"}, "level": "sometimes"}),
            json!({"rule": {"type": 12}}),
        ] {
            assert_eq!(normalize(&bad).unwrap_err().error_num, 1621, "{bad}");
        }
    }

    #[test]
    fn levels_decide_which_writes_are_checked() {
        let invalid = json!({"_key": "a", "name": "x"});
        let valid = json!({"_key": "a", "email": "a@b"});
        let strict = users_schema("strict");
        let err = validate(&strict, &invalid, None, Write::Insert).unwrap_err();
        assert_eq!(
            (err.status, err.error_num, err.message.as_str()),
            (400, 1620, "bad user")
        );
        assert!(validate(&strict, &valid, None, Write::Insert).is_ok());
        assert!(validate(&users_schema("none"), &invalid, None, Write::Insert).is_ok());
        let new = users_schema("new");
        assert!(validate(&new, &invalid, None, Write::Insert).is_err());
        assert!(validate(&new, &invalid, Some(&valid), Write::Modify).is_ok());
        let moderate = users_schema("moderate");
        assert!(validate(&moderate, &invalid, Some(&valid), Write::Modify).is_err());
        assert!(validate(&moderate, &invalid, Some(&invalid), Write::Modify).is_ok());
    }

    #[test]
    fn system_attributes_are_invisible_to_rules() {
        let schema =
            normalize(&json!({"rule": {"additionalProperties": false, "properties": {"a": {}}}}))
                .unwrap()
                .unwrap();
        let document = json!({"_key": "k", "_id": "c/k", "_rev": "r", "a": 1});
        assert!(validate(&schema, &document, None, Write::Insert).is_ok());
    }
}
