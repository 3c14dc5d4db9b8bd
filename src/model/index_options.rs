//! An index's options as a small list sorted by name.
//!
//! Shape: one `(name, value)` entry per option in a vector, sorted by name
//! (byte order, as `str` compares) and unique, so iteration, `Debug`,
//! equality and serialization give exactly what the
//! `BTreeMap<String, Value>` this type replaces gave. An entry is 40 bytes:
//! * the name: a name ArangoDB documents for some index type (see
//!   `KNOWN_NAMES`) is a `&'static str` and costs no allocation; any other
//!   (an option a newer server reports) is an owned string. A table of
//!   the documented names rather than a small-string crate (`compact_str`
//!   keeps names up to 24 bytes inline): the names are a closed set known
//!   here, so a `Cow<'static, str>` does as well without a dependency;
//! * the value: `true` and `false` (every option of a persistent index, most
//!   of the others) are kept inline; any other value in a box. Readers see
//!   `&Value` either way.
//!
//! Why not a `BTreeMap`: an index has 3 to 20 options, and a `BTreeMap`
//! allocates a whole leaf for the first one (room for 11 entries of a
//! 24-byte `String` and an 80-byte `Value` with `preserve_order`, plus
//! links: about 1.2 KB), and a heap string per name besides. The vector,
//! shrunk to fit once built, holds 200 bytes for a persistent index's five
//! flags; a lookup is a binary search over a handful of names. At 20,000
//! entities (49,000 indexes) the maps were about 52 MB on each side of a
//! plan (heaptrack, issue 16).

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

/// The option names of ArangoDB's index types (3.11 to 3.12 docs and
/// transcripts: persistent, ttl, geo, fulltext, mdi, mdi-prefixed, vector,
/// inverted), sorted, so that reading one allocates nothing.
const KNOWN_NAMES: &[&str] = &[
    "analyzer",
    "bestIndexedLevel",
    "cache",
    "cacheEnabled",
    "cleanupIntervalStep",
    "commitIntervalMsec",
    "consolidationIntervalMsec",
    "consolidationPolicy",
    "deduplicate",
    "estimates",
    "expireAfter",
    "features",
    "fieldValueTypes",
    "geoJson",
    "includeAllFields",
    "legacyPolygons",
    "maxNumCoverCells",
    "minLength",
    "optimizeTopK",
    "parallelism",
    "params",
    "prefixFields",
    "primaryKeyCache",
    "primarySort",
    "searchField",
    "sparse",
    "storedValues",
    "trackListPositions",
    "trainingState",
    "unique",
    "worstIndexedLevel",
    "writebufferActive",
    "writebufferIdle",
    "writebufferSizeMax",
];

/// An option name: borrowed from [`KNOWN_NAMES`] when it is one.
type Name = Cow<'static, str>;

fn known(name: &str) -> Option<&'static str> {
    let at = KNOWN_NAMES.binary_search(&name).ok()?;
    Some(KNOWN_NAMES[at])
}

fn name_of(name: &str) -> Name {
    known(name).map_or_else(|| Cow::Owned(name.to_owned()), Cow::Borrowed)
}

/// `Value::Bool(true)` and `Value::Bool(false)`, which [`Stored::Bool`]
/// values are read as.
static TRUE: Value = Value::Bool(true);
static FALSE: Value = Value::Bool(false);

/// One option value as kept: a flag inline, anything else boxed (16 bytes
/// instead of the 80 of a `Value`).
#[derive(Clone)]
enum Stored {
    Bool(bool),
    Other(Box<Value>),
}

impl Stored {
    fn new(value: Value) -> Stored {
        match value {
            Value::Bool(flag) => Stored::Bool(flag),
            other => Stored::Other(Box::new(other)),
        }
    }

    fn value(&self) -> &Value {
        match self {
            Stored::Bool(true) => &TRUE,
            Stored::Bool(false) => &FALSE,
            Stored::Other(value) => value,
        }
    }

    /// The value to change in place: a flag is boxed first.
    fn value_mut(&mut self) -> &mut Value {
        match self {
            Stored::Other(value) => value,
            Stored::Bool(flag) => {
                *self = Stored::Other(Box::new(Value::Bool(*flag)));
                self.value_mut()
            }
        }
    }

    fn into_value(self) -> Value {
        match self {
            Stored::Bool(flag) => Value::Bool(flag),
            Stored::Other(value) => *value,
        }
    }
}

/// The options of one index (everything but `type`, `name`, `fields` and
/// `id`), sorted by name; see the module note for the shape and its cost.
#[derive(Clone, Default)]
pub struct IndexOptions {
    entries: Vec<(Name, Stored)>,
}

impl IndexOptions {
    /// No options.
    pub fn new() -> IndexOptions {
        IndexOptions::default()
    }

    fn position(&self, name: &str) -> Result<usize, usize> {
        self.entries
            .binary_search_by(|(entry, _)| entry.as_ref().cmp(name))
    }

    /// The value of option `name`, if set.
    pub fn get(&self, name: &str) -> Option<&Value> {
        let at = self.position(name).ok()?;
        Some(self.entries[at].1.value())
    }

    /// The value of option `name` to change in place, if set.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        let at = self.position(name).ok()?;
        Some(self.entries[at].1.value_mut())
    }

    /// Whether option `name` is set.
    pub fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_ok()
    }

    /// Sets option `name` to `value`; the value it had before, if any.
    pub fn insert(&mut self, name: &str, value: Value) -> Option<Value> {
        match self.position(name) {
            Ok(at) => {
                Some(std::mem::replace(&mut self.entries[at].1, Stored::new(value)).into_value())
            }
            Err(at) => {
                self.entries.insert(at, (name_of(name), Stored::new(value)));
                None
            }
        }
    }

    fn insert_name(&mut self, name: Name, value: Value) {
        match self.position(&name) {
            Ok(at) => self.entries[at].1 = Stored::new(value),
            Err(at) => self.entries.insert(at, (name, Stored::new(value))),
        }
    }

    /// The value of option `name`, set to `default` first if unset.
    pub fn get_or_insert(&mut self, name: &str, default: Value) -> &mut Value {
        let at = match self.position(name) {
            Ok(at) => at,
            Err(at) => {
                self.entries
                    .insert(at, (name_of(name), Stored::new(default)));
                at
            }
        };
        self.entries[at].1.value_mut()
    }

    /// Unsets option `name`; the value it had, if any.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let at = self.position(name).ok()?;
        Some(self.entries.remove(at).1.into_value())
    }

    /// The options by name, in name order.
    pub fn iter(&self) -> Iter<'_> {
        Iter(self.entries.iter())
    }

    /// The option names, in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator {
        self.iter().map(|(name, _)| name)
    }

    /// How many options are set.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no option is set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Gives back the room left over from building: call once the options
    /// are complete (the spec loader and the live read do).
    pub fn shrink_to_fit(&mut self) {
        self.entries.shrink_to_fit();
    }
}

/// The options of [`IndexOptions::iter`]: `(name, value)` in name order.
pub struct Iter<'a>(std::slice::Iter<'a, (Name, Stored)>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a Value);

    fn next(&mut self) -> Option<Self::Item> {
        self.0
            .next()
            .map(|(name, value)| (name.as_ref(), value.value()))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0
            .next_back()
            .map(|(name, value)| (name.as_ref(), value.value()))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a IndexOptions {
    type Item = (&'a str, &'a Value);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// The options by value, in name order.
impl IntoIterator for IndexOptions {
    type Item = (String, Value);
    type IntoIter = IntoIter;

    fn into_iter(self) -> IntoIter {
        IntoIter(self.entries.into_iter())
    }
}

/// The options of [`IndexOptions::into_iter`]: `(name, value)` in name
/// order.
pub struct IntoIter(std::vec::IntoIter<(Name, Stored)>);

impl Iterator for IntoIter {
    type Item = (String, Value);

    fn next(&mut self) -> Option<Self::Item> {
        let (name, value) = self.0.next()?;
        Some((name.into_owned(), value.into_value()))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for IntoIter {
    fn next_back(&mut self) -> Option<Self::Item> {
        let (name, value) = self.0.next_back()?;
        Some((name.into_owned(), value.into_value()))
    }
}

impl ExactSizeIterator for IntoIter {}

/// Equal when the same names have the same values (as `Value`s: a flag
/// boxed by [`IndexOptions::get_mut`] is still the flag).
impl PartialEq for IndexOptions {
    fn eq(&self, other: &IndexOptions) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

/// Collects options as a map would: a name given twice keeps its last value.
impl<K: AsRef<str>> FromIterator<(K, Value)> for IndexOptions {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(items: I) -> IndexOptions {
        let mut options = IndexOptions::new();
        options.extend(items);
        options.shrink_to_fit();
        options
    }
}

impl<K: AsRef<str>> Extend<(K, Value)> for IndexOptions {
    fn extend<I: IntoIterator<Item = (K, Value)>>(&mut self, items: I) {
        for (name, value) in items {
            self.insert(name.as_ref(), value);
        }
    }
}

impl<K: AsRef<str>, const N: usize> From<[(K, Value); N]> for IndexOptions {
    fn from(items: [(K, Value); N]) -> IndexOptions {
        items.into_iter().collect()
    }
}

/// As a map: `{"name": value, ...}`.
impl fmt::Debug for IndexOptions {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_map().entries(self.iter()).finish()
    }
}

/// A JSON object, in name order.
impl Serialize for IndexOptions {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (name, value) in self {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// From a JSON object; a name given twice keeps its last value.
impl<'de> Deserialize<'de> for IndexOptions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(OptionsVisitor)
    }
}

struct OptionsVisitor;

/// An option name as read: a known name without allocating.
struct OptionName(Name);

impl<'de> Deserialize<'de> for OptionName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(OptionNameVisitor)
    }
}

struct OptionNameVisitor;

impl Visitor<'_> for OptionNameVisitor {
    type Value = OptionName;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an option name")
    }

    fn visit_str<E>(self, name: &str) -> Result<OptionName, E> {
        Ok(OptionName(name_of(name)))
    }

    fn visit_string<E>(self, name: String) -> Result<OptionName, E> {
        Ok(OptionName(
            known(&name).map_or(Cow::Owned(name), Cow::Borrowed),
        ))
    }
}

impl<'de> Visitor<'de> for OptionsVisitor {
    type Value = IndexOptions;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an object of index options")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<IndexOptions, A::Error> {
        let mut options = IndexOptions::new();
        while let Some(OptionName(name)) = map.next_key()? {
            let value = map.next_value()?;
            options.insert_name(name, value);
        }
        options.shrink_to_fit();
        Ok(options)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    #[test]
    fn known_names_are_sorted_and_unique() {
        assert!(KNOWN_NAMES.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn known_names_are_borrowed_others_owned() {
        assert!(matches!(name_of("sparse"), Cow::Borrowed("sparse")));
        assert!(matches!(name_of("somethingNew"), Cow::Owned(ref name) if name == "somethingNew"));
    }

    /// Order, `Debug`, JSON and equality are those of the `BTreeMap` the
    /// type replaces, whatever the insertion order.
    #[test]
    fn reads_and_writes_as_the_sorted_map_did() {
        let items = [
            ("unique", json!(true)),
            ("sparse", json!(false)),
            ("zNew", json!(1)),
            ("analyzer", json!("identity")),
            ("Upper", json!(null)),
            ("storedValues", json!(["a"])),
            ("sparse", json!(true)),
        ];
        let options: IndexOptions = items.clone().into_iter().collect();
        let map: BTreeMap<String, Value> = items
            .into_iter()
            .map(|(name, value)| (name.to_string(), value))
            .collect();
        assert_eq!(format!("{options:?}"), format!("{map:?}"));
        assert_eq!(
            serde_json::to_string(&options).unwrap(),
            serde_json::to_string(&map).unwrap()
        );
        assert_eq!(
            options.keys().collect::<Vec<_>>(),
            map.keys().map(String::as_str).collect::<Vec<_>>()
        );
        assert_eq!(options.len(), 6);
        assert_eq!(options.clone().into_iter().collect::<BTreeMap<_, _>>(), map);
        let reversed: IndexOptions = map.iter().rev().map(|(k, v)| (k, v.clone())).collect();
        assert_eq!(reversed, options);
    }

    #[test]
    fn get_insert_remove() {
        let mut options = IndexOptions::from([("unique", json!(false))]);
        assert_eq!(options.get("unique"), Some(&json!(false)));
        assert_eq!(options.get("sparse"), None);
        assert!(!options.contains_key("sparse"));
        assert_eq!(options.insert("unique", json!(true)), Some(json!(false)));
        assert_eq!(options.insert("sparse", json!(true)), None);
        *options.get_mut("sparse").unwrap() = json!(false);
        assert_eq!(json!(options), json!({"sparse": false, "unique": true}));
        assert_eq!(options.remove("unique"), Some(json!(true)));
        assert_eq!(options.remove("unique"), None);
        assert_eq!(options.keys().collect::<Vec<_>>(), ["sparse"]);
        options.remove("sparse");
        assert!(options.is_empty());
    }

    #[test]
    fn an_entry_is_forty_bytes() {
        assert_eq!(std::mem::size_of::<(Name, Stored)>(), 40);
    }

    #[test]
    fn a_flag_changed_in_place_is_still_a_flag() {
        let mut options = IndexOptions::from([("sparse", json!(false)), ("unique", json!(true))]);
        let same = options.clone();
        assert!(matches!(options.entries[0].1, Stored::Bool(false)));
        *options.get_mut("sparse").unwrap() = json!(false);
        assert!(matches!(options.entries[0].1, Stored::Other(_)));
        assert_eq!(options, same);
        assert_eq!(format!("{options:?}"), format!("{same:?}"));
        *options.get_or_insert("unique", json!(null)) = json!(false);
        assert_ne!(options, same);
        assert_eq!(json!(options), json!({"sparse": false, "unique": false}));
        assert_eq!(options.remove("unique"), Some(json!(false)));
        assert_eq!(
            options.into_iter().collect::<Vec<_>>(),
            [("sparse".to_string(), json!(false))]
        );
    }

    #[test]
    fn deserializes_with_the_last_of_a_repeated_name() {
        let options: IndexOptions =
            serde_json::from_str(r#"{"unique": true, "params": {"a": 1}, "unique": false}"#)
                .unwrap();
        assert_eq!(json!(options), json!({"params": {"a": 1}, "unique": false}));
        assert_eq!(options.entries.capacity(), 2);
        assert!(serde_json::from_str::<IndexOptions>("[1]").is_err());
    }
}
