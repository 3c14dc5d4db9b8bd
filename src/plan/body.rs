//! A create step's request body held as compact JSON text.
//!
//! A plan of a fleet-sized repo holds tens of thousands of collection and
//! index creates; as `serde_json::Value` maps (insertion-ordered, each with
//! its own hash table) their bodies were most of the plan's memory. A
//! [`Body`] keeps the text the map serializes to instead, written once
//! when the step is built. It serializes as the map did (parsed back, so
//! plan JSON, pretty or compact, and saved plans are byte for byte what
//! they were), and readers that need its members parse it back where they
//! read ([`Body::value`], or [`Body::member`] for one member).

use std::fmt;

use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// A JSON request body as the compact text of the [`Value`] it was built
/// from (members in the order the map held them).
///
/// Equal as that `Value` is: two bodies with the same text are equal; two
/// with different texts are compared as parsed values, so member order and
/// `0.0` against `-0.0` make no difference, as with `Value`.
#[derive(Clone)]
pub struct Body(Box<RawValue>);

impl Body {
    /// The body that serializes as `value` does.
    pub fn new(value: &Value) -> Body {
        // Writing a `Value` as JSON cannot fail (its keys are strings, its
        // numbers finite); should it ever, the body is `null`.
        Body(serde_json::value::to_raw_value(value).unwrap_or_else(|_| RawValue::NULL.to_owned()))
    }

    /// The body parsed back: the `Value` it was built from (a fresh one on
    /// each call).
    pub fn value(&self) -> Value {
        serde_json::from_str(self.0.get()).unwrap_or(Value::Null)
    }

    /// The compact JSON text.
    pub fn text(&self) -> &str {
        self.0.get()
    }

    /// Its top-level member `key`, parsed alone (the others are skipped,
    /// not built); `None` when absent or when the body is no object.
    pub fn member(&self, key: &str) -> Option<Value> {
        use serde::de::DeserializeSeed;
        let mut reader = serde_json::Deserializer::from_str(self.0.get());
        Member(key).deserialize(&mut reader).ok().flatten()
    }

    /// Its top-level string member `key` (`name`, `type`); `None` when
    /// absent or not a string.
    pub fn string(&self, key: &str) -> Option<String> {
        match self.member(key) {
            Some(Value::String(text)) => Some(text),
            _ => None,
        }
    }
}

/// Reads the member named `.0` of a JSON object, skipping the others.
struct Member<'k>(&'k str);

impl<'de> serde::de::DeserializeSeed<'de> for Member<'_> {
    type Value = Option<Value>;

    fn deserialize<D: serde::Deserializer<'de>>(self, reader: D) -> Result<Self::Value, D::Error> {
        reader.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Member<'_> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(same) = map.next_key_seed(IsKey(self.0))? {
            if same && found.is_none() {
                found = Some(map.next_value::<Value>()?);
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// Whether a member's key is `.0`, compared without keeping the key.
struct IsKey<'k>(&'k str);

impl<'de> serde::de::DeserializeSeed<'de> for IsKey<'_> {
    type Value = bool;

    fn deserialize<D: serde::Deserializer<'de>>(self, reader: D) -> Result<bool, D::Error> {
        reader.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for IsKey<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(key == self.0)
    }
}

impl From<Value> for Body {
    fn from(value: Value) -> Body {
        Body::new(&value)
    }
}

impl PartialEq for Body {
    fn eq(&self, other: &Body) -> bool {
        self.0.get() == other.0.get() || self.value() == other.value()
    }
}

/// Serialized as the `Value` it was built from, parsed back: the text
/// itself would come out compact inside pretty-printed JSON, and as a
/// private marker struct through serializers other than `serde_json`'s.
impl Serialize for Body {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(serializer)
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.get())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn sample() -> Value {
        json!({
            "name": "users", "type": 2, "keyOptions": {"type": "uuid", "allowUserKeys": false},
            "schema": {"rule": {"properties": {"é\"x": {"type": "string"}}}, "level": "moderate"},
            "computedValues": [{"name": "at", "expression": "RETURN 1.5e300"}],
            "zeta": -0.0, "alpha": [1, -2, 18446744073709551615u64, null, true]
        })
    }

    #[test]
    fn serializes_as_the_value_it_was_built_from() {
        let value = sample();
        let body = Body::new(&value);
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            serde_json::to_string(&value).unwrap()
        );
        assert_eq!(
            serde_json::to_string_pretty(&body).unwrap(),
            serde_json::to_string_pretty(&value).unwrap()
        );
        // Inside other data too, and as a `Value` (the plan digest).
        let wrapped = json!({"op": "createCollection", "body": value});
        let step = crate::plan::Step::CreateCollection {
            body: Body::new(&value),
            follows: false,
        };
        assert_eq!(
            serde_json::to_string(&step).unwrap(),
            serde_json::to_string(&wrapped).unwrap()
        );
        assert_eq!(serde_json::to_value(&step).unwrap(), wrapped);
        assert_eq!(body.text(), serde_json::to_string(&value).unwrap());
    }

    #[test]
    fn parses_back_to_the_value_it_was_built_from() {
        let value = sample();
        let body = Body::new(&value);
        let back = body.value();
        assert_eq!(back, value);
        // Same members in the same order, same number kinds.
        assert_eq!(
            serde_json::to_string(&back).unwrap(),
            serde_json::to_string(&value).unwrap()
        );
        assert!(back["zeta"].is_f64());
        assert_eq!(back["alpha"][2].as_u64(), Some(u64::MAX));
        assert_eq!(body.string("name").as_deref(), Some("users"));
        assert_eq!(body.string("type"), None, "not a string");
        assert_eq!(body.string("absent"), None);
        assert_eq!(Body::new(&json!([1])).string("name"), None, "not an object");
        // Only a top-level member, found past nested ones and escaped keys.
        let nested = Body::new(&json!({"a\"b": 1, "n": {"name": "x"}, "name": "y", "é": [2]}));
        assert_eq!(nested.string("name").as_deref(), Some("y"));
        assert_eq!(nested.member("a\"b"), Some(json!(1)));
        assert_eq!(nested.member("é"), Some(json!([2])));
        assert_eq!(nested.member("x"), None);
    }

    #[test]
    fn is_equal_as_its_value_is() {
        let ordered = Body::new(&json!({"name": "a", "keyOptions": {"type": "uuid", "x": 0.0}}));
        let reordered = Body::new(&json!({"keyOptions": {"x": -0.0, "type": "uuid"}, "name": "a"}));
        assert_ne!(ordered.text(), reordered.text());
        assert_eq!(ordered, reordered);
        assert_eq!(ordered, ordered.clone());
        let integer = Body::new(&json!({"name": "a", "keyOptions": {"type": "uuid", "x": 0}}));
        assert_ne!(ordered, integer);
        assert_ne!(
            Body::new(&json!({"name": "a"})),
            Body::new(&json!({"name": "b"}))
        );
        assert_eq!(
            Body::from(json!({"name": "a"})),
            Body::new(&json!({"name": "a"}))
        );
    }

    #[test]
    fn holds_far_less_than_the_map() {
        // The text of an index body, not its map of boxed members.
        let body = Body::new(&json!({
            "type": "persistent", "fields": ["email"], "unique": true, "sparse": true,
            "name": "idx_email", "inBackground": true
        }));
        assert!(body.text().len() < 120, "{}", body.text().len());
        assert_eq!(format!("{body:?}"), body.text());
    }
}
