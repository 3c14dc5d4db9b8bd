//! Structural diffs: one entry per changed path between two JSON values,
//! so a one-property change inside a large schema reads as that property,
//! not as two copies of the whole schema.
//!
//! The rules, which the plan's renderers and its JSON (`fields[].path`)
//! share:
//!
//! - Objects are compared key by key; a key only on one side is one entry
//!   (added or removed) carrying its whole value. Entries follow the new
//!   value's key order, then the keys it lost in the old value's order.
//! - Lists of objects that all carry a unique string `name` (computed
//!   values, inverted index fields) are matched by `name`; failing that,
//!   lists of objects that all carry a unique string `collection` (graph
//!   edge definitions, search-alias indexes) by `collection`. An item is
//!   then addressed as `[name=updated_at]`. A keyed list whose items are
//!   all the same but in another order is one entry for the whole list.
//! - Every other list is positional, aligned by a longest common
//!   subsequence (`similar`'s Myers diff, items equal as the comparison
//!   below says): an item inserted or removed in the middle is one entry,
//!   not a change of every item after it.
//!   Positions are the new list's for added and changed items, the old
//!   list's for removed ones (`fields[1]`).
//! - Numbers are compared by value (`1` equals `1.0`), objects regardless
//!   of key order. With [`Compare::Stated`] (values the server completes
//!   with defaults), only what the new value states counts.
//! - An absent value (`None`) differs from `null`.
//!
//! Path syntax: keys that are plain names (`[A-Za-z0-9_$@-]`, not starting
//! with a digit or `-`) are joined with `.`; other keys are written as a
//! JSON string in brackets (`properties["e.mail"]`); positions as `[3]`;
//! keyed items as `[name=value]`, the value a JSON string unless it is a
//! plain name.

use std::fmt::Write;

use serde_json::{Map, Number, Value};
use similar::algorithms::{myers, Capture, Replace};
use similar::DiffTag;

/// How the plan compared the two values, which decides what counts as a
/// difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    /// Every difference counts (schemas, computed values, edge
    /// definitions).
    Exact,
    /// Only what the spec (`after`) states counts, as the plan's
    /// `stated_within` compares server-completed options (index options,
    /// analyzer properties, view properties and links): an object key only
    /// the live value (`before`) has is a server default, not a change, and
    /// so is a stated `false` for a flag the server leaves out when off.
    Stated,
    /// The definition of an object the plan creates (`before` absent): the
    /// new value is shown leaf by leaf, as the paths a structural diff
    /// would add, so a created object reads like an update's added paths.
    /// Objects are walked key by key; lists holding objects item by item
    /// (by natural key where the items have one, else by position); other
    /// lists, scalars and empty objects are one entry.
    Definition,
}

/// One step into a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// An object member.
    Key(String),
    /// A list item by position.
    Position(usize),
    /// A list item by its natural key (`name` or `collection`).
    Item { key: &'static str, value: String },
}

/// One changed path: `None` on a side where the path does not exist.
#[derive(Debug, Clone, PartialEq)]
pub struct PathDiff {
    pub path: Vec<Segment>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Every path where `before` and `after` differ, by the rules in the
/// module notes. Empty when they are the same.
pub fn diff(before: Option<&Value>, after: Option<&Value>, compare: Compare) -> Vec<PathDiff> {
    let mut differ = Differ {
        compare,
        path: Vec::new(),
        out: Vec::new(),
    };
    differ.at(before, after);
    differ.out
}

/// The walk: where it is, what it found.
struct Differ {
    compare: Compare,
    path: Vec<Segment>,
    out: Vec<PathDiff>,
}

impl Differ {
    fn push(&mut self, before: Option<&Value>, after: Option<&Value>) {
        self.out.push(PathDiff {
            path: self.path.clone(),
            before: before.cloned(),
            after: after.cloned(),
        });
    }

    /// Diffs the values at `segment` below the current path.
    fn below(&mut self, segment: Segment, before: Option<&Value>, after: Option<&Value>) {
        self.path.push(segment);
        self.at(before, after);
        self.path.pop();
    }

    fn at(&mut self, before: Option<&Value>, after: Option<&Value>) {
        match (before, after) {
            (None, None) => {}
            (None, Some(new)) if self.compare == Compare::Definition => self.define(new),
            (Some(Value::Object(old)), Some(Value::Object(new))) => self.objects(old, new),
            (Some(Value::Array(old)), Some(Value::Array(new))) => self.lists(old, new),
            (Some(old), Some(new)) if same(old, new) => {}
            _ => self.push(before, after),
        }
    }

    /// A created value, leaf by leaf ([`Compare::Definition`]).
    fn define(&mut self, new: &Value) {
        match new {
            Value::Object(map) if !map.is_empty() => {
                for (key, value) in map {
                    self.below(Segment::Key(key.clone()), None, Some(value));
                }
            }
            Value::Array(items) if items.iter().any(Value::is_object) => {
                let key = natural_key(&[], items);
                for (at, item) in items.iter().enumerate() {
                    let Some(key) = key else {
                        self.below(Segment::Position(at), None, Some(item));
                        continue;
                    };
                    // The key is in the path (`[name=at]`), not repeated.
                    let value = item[key].as_str().unwrap_or_default().to_string();
                    let mut rest = item.as_object().cloned().unwrap_or_default();
                    rest.shift_remove(key);
                    self.path.push(Segment::Item { key, value });
                    if rest.is_empty() {
                        self.push(None, Some(item));
                    } else {
                        self.define(&Value::Object(rest));
                    }
                    self.path.pop();
                }
            }
            _ => self.push(None, Some(new)),
        }
    }

    fn objects(&mut self, old: &Map<String, Value>, new: &Map<String, Value>) {
        let stated = self.compare == Compare::Stated;
        for (key, value) in new {
            let before = old.get(key);
            if stated && before.is_none() && crate::model::off_when_absent(key, value) {
                continue;
            }
            self.below(Segment::Key(key.clone()), before, Some(value));
        }
        if stated {
            return;
        }
        for (key, value) in old.iter().filter(|(key, _)| !new.contains_key(*key)) {
            self.below(Segment::Key(key.clone()), Some(value), None);
        }
    }

    fn lists(&mut self, old: &[Value], new: &[Value]) {
        match natural_key(old, new) {
            Some(key) => self.keyed(key, old, new),
            None => self.positional(old, new),
        }
    }

    fn keyed(&mut self, key: &'static str, old: &[Value], new: &[Value]) {
        let name = |item: &Value| item[key].as_str().unwrap_or_default().to_string();
        let find = |items: &[Value], wanted: &str| {
            items
                .iter()
                .find(|item| item[key].as_str() == Some(wanted))
                .cloned()
        };
        let found = self.out.len();
        for item in new {
            let value = name(item);
            let before = find(old, &value);
            self.below(Segment::Item { key, value }, before.as_ref(), Some(item));
        }
        for item in old {
            let value = name(item);
            if find(new, &value).is_none() {
                self.below(Segment::Item { key, value }, Some(item), None);
            }
        }
        // The same items in another order: the list as a whole.
        let reordered = self.out.len() == found
            && old.len() == new.len()
            && !old.iter().zip(new).all(|(a, b)| same(a, b));
        if reordered && self.compare == Compare::Exact {
            let (old, new) = (Value::Array(old.to_vec()), Value::Array(new.to_vec()));
            self.push(Some(&old), Some(&new));
        }
    }

    fn positional(&mut self, old: &[Value], new: &[Value]) {
        let olds: Vec<OldItem> = old.iter().map(OldItem).collect();
        let news: Vec<NewItem> = new
            .iter()
            .map(|value| NewItem(value, self.compare))
            .collect();
        let mut hook = Replace::new(Capture::new());
        let Ok(()) = myers::diff(&mut hook, &olds, 0..olds.len(), &news, 0..news.len());
        for op in hook.into_inner().into_ops() {
            let (tag, old_range, new_range) = op.as_tag_tuple();
            if tag == DiffTag::Equal {
                continue;
            }
            let paired = old_range.len().min(new_range.len());
            for offset in 0..paired {
                let at = new_range.start + offset;
                self.below(
                    Segment::Position(at),
                    old.get(old_range.start + offset),
                    new.get(at),
                );
            }
            for at in old_range.clone().skip(paired) {
                self.below(Segment::Position(at), old.get(at), None);
            }
            for at in new_range.clone().skip(paired) {
                self.below(Segment::Position(at), None, new.get(at));
            }
        }
    }
}

/// An item of the old list, for the alignment of a positional list.
struct OldItem<'a>(&'a Value);

/// An item of the new list and how it is compared with an old one.
struct NewItem<'a>(&'a Value, Compare);

impl PartialEq<OldItem<'_>> for NewItem<'_> {
    fn eq(&self, old: &OldItem<'_>) -> bool {
        match self.1 {
            Compare::Exact | Compare::Definition => same(old.0, self.0),
            Compare::Stated => stated_same(self.0, old.0),
        }
    }
}

/// The natural key of a list's items, if every item on both sides has a
/// unique string value for it.
fn natural_key(old: &[Value], new: &[Value]) -> Option<&'static str> {
    if old.is_empty() && new.is_empty() {
        return None;
    }
    ["name", "collection"].into_iter().find(|key| {
        [old, new].iter().all(|items| {
            let mut seen = std::collections::BTreeSet::new();
            items
                .iter()
                .all(|item| item[*key].as_str().is_some_and(|value| seen.insert(value)))
        })
    })
}

/// Whether two values are the same JSON: numbers by value, objects
/// regardless of key order.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(a), Value::Number(b)) => same_number(a, b),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(key, value)| b.get(key).is_some_and(|other| same(value, other)))
        }
        _ => a == b,
    }
}

fn same_number(a: &Number, b: &Number) -> bool {
    if let (Some(a), Some(b)) = (a.as_i64(), b.as_i64()) {
        return a == b;
    }
    if let (Some(a), Some(b)) = (a.as_u64(), b.as_u64()) {
        return a == b;
    }
    match (a.as_f64(), b.as_f64()) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// Whether the old value holds what the new one states, as the plan's
/// `stated_within` compares: objects by the new value's keys (a stated
/// `false` the server leaves out counts as held), lists item by item.
fn stated_same(new: &Value, old: &Value) -> bool {
    match (new, old) {
        (Value::Object(new), Value::Object(old)) => {
            new.iter().all(|(key, value)| match old.get(key) {
                Some(other) => stated_same(value, other),
                None => crate::model::off_when_absent(key, value),
            })
        }
        (Value::Array(new), Value::Array(old)) => {
            new.len() == old.len() && new.iter().zip(old).all(|(new, old)| stated_same(new, old))
        }
        _ => same(new, old),
    }
}

/// Whether `text` can stand in a path unquoted.
fn plain(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || matches!(first, '_' | '$' | '@'))
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '@' | '-'))
}

fn quoted(text: &str) -> String {
    if plain(text) {
        text.to_string()
    } else {
        Value::from(text).to_string()
    }
}

/// `prefix` followed by `segments` in the path syntax of the module notes
/// (`schema` + `rule`, `properties`, `email` = `schema.rule.properties.email`).
/// The prefix is written as it is: the plan's field names are already paths.
pub fn render_path(prefix: &str, segments: &[Segment]) -> String {
    let mut out = prefix.to_string();
    for segment in segments {
        match segment {
            Segment::Key(key) if plain(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Key(key) => {
                let _ = write!(out, "[{}]", Value::from(key.as_str()));
            }
            Segment::Position(at) => {
                let _ = write!(out, "[{at}]");
            }
            Segment::Item { key, value } => {
                let _ = write!(out, "[{key}={}]", quoted(value));
            }
        }
    }
    out
}

/// The path of a list item by its natural key: `edgeDefinitions` +
/// (`collection`, `viewed`) = `edgeDefinitions[collection=viewed]`.
pub fn item_path(list: &str, key: &'static str, value: &str) -> String {
    render_path(
        list,
        &[Segment::Item {
            key,
            value: value.to_string(),
        }],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The diff as `path: before -> after` lines, `~` for absent.
    fn lines(before: Value, after: Value) -> Vec<String> {
        let show = |value: &Option<Value>| value.as_ref().map_or("~".to_string(), Value::to_string);
        diff(Some(&before), Some(&after), Compare::Exact)
            .iter()
            .map(|entry| {
                format!(
                    "{}: {} -> {}",
                    render_path("", &entry.path),
                    show(&entry.before),
                    show(&entry.after)
                )
            })
            .collect()
    }

    fn big_schema(email: Value) -> Value {
        let mut properties = Map::new();
        for index in 0..40 {
            properties.insert(format!("p{index}"), json!({"type": "string"}));
        }
        properties.insert("email".into(), email);
        json!({"rule": {"type": "object", "properties": properties, "required": ["email"]},
               "level": "strict", "message": ""})
    }

    #[test]
    fn one_property_of_a_large_schema_is_one_path() {
        let before = big_schema(json!({"type": "string"}));
        let after = big_schema(json!({"type": "string", "format": "email"}));
        assert_eq!(
            lines(before, after),
            ["rule.properties.email.format: ~ -> \"email\""]
        );
    }

    #[test]
    fn equal_values_have_no_entries() {
        let value = big_schema(json!({"type": "string"}));
        assert!(diff(Some(&value), Some(&value), Compare::Exact).is_empty());
        assert!(diff(None, None, Compare::Exact).is_empty());
    }

    #[test]
    fn numbers_compare_by_value_and_objects_by_content() {
        assert!(lines(json!({"a": 1, "b": [2]}), json!({"b": [2.0], "a": 1.0})).is_empty());
        assert!(lines(json!([0, -0.0, 1e3]), json!([0.0, 0, 1000])).is_empty());
        assert_eq!(lines(json!({"a": 1}), json!({"a": 1.5})), ["a: 1 -> 1.5"]);
        assert_eq!(
            lines(json!({"a": u64::MAX}), json!({"a": -1})),
            [format!("a: {} -> -1", u64::MAX)]
        );
    }

    #[test]
    fn absent_differs_from_null() {
        assert_eq!(
            lines(json!({"a": null}), json!({})),
            ["a: null -> ~"],
            "a removed null is an entry"
        );
        assert_eq!(lines(json!({}), json!({"a": null})), ["a: ~ -> null"]);
        assert_eq!(lines(json!({"a": null}), json!({"a": 0})), ["a: null -> 0"]);
        assert_eq!(
            diff(None, Some(&Value::Null), Compare::Exact),
            [PathDiff {
                path: vec![],
                before: None,
                after: Some(Value::Null)
            }]
        );
    }

    #[test]
    fn added_and_removed_keys_carry_their_whole_value() {
        assert_eq!(
            lines(
                json!({"keep": 1, "gone": {"x": [1, 2]}}),
                json!({"keep": 1, "new": {"y": true}})
            ),
            ["new: ~ -> {\"y\":true}", "gone: {\"x\":[1,2]} -> ~"]
        );
    }

    #[test]
    fn a_change_of_type_is_one_entry() {
        assert_eq!(
            lines(json!({"a": {"b": 1}}), json!({"a": [1]})),
            ["a: {\"b\":1} -> [1]"]
        );
        assert_eq!(lines(json!({"a": "1"}), json!({"a": 1})), ["a: \"1\" -> 1"]);
    }

    #[test]
    fn positional_lists_align_on_what_stayed() {
        // One item inserted in the middle: one entry, not three changes.
        assert_eq!(
            lines(json!(["a", "b", "c"]), json!(["a", "x", "b", "c"])),
            ["[1]: ~ -> \"x\""]
        );
        assert_eq!(
            lines(json!(["a", "b", "c"]), json!(["a", "c"])),
            ["[1]: \"b\" -> ~"]
        );
        assert_eq!(
            lines(json!(["a", "b"]), json!(["a", "c"])),
            ["[1]: \"b\" -> \"c\""]
        );
        assert_eq!(
            lines(json!(["a"]), json!(["a", "b", "c"])),
            ["[1]: ~ -> \"b\"", "[2]: ~ -> \"c\""]
        );
        // Index fields are positional: a swap is a move, added at its new
        // position, removed from its old one.
        assert_eq!(
            lines(json!({"fields": ["a", "b"]}), json!({"fields": ["b", "a"]})),
            ["fields[0]: ~ -> \"b\"", "fields[1]: \"b\" -> ~"]
        );
    }

    #[test]
    fn positional_items_that_changed_are_diffed_inside() {
        assert_eq!(
            lines(
                json!([{"field": "price", "direction": "asc"}]),
                json!([{"field": "price", "direction": "desc"}])
            ),
            ["[0].direction: \"asc\" -> \"desc\""]
        );
    }

    #[test]
    fn computed_values_match_by_name() {
        let before = json!([
            {"name": "a", "expression": "RETURN 1", "overwrite": true},
            {"name": "b", "expression": "RETURN 2", "overwrite": true}
        ]);
        let after = json!([
            {"name": "b", "expression": "RETURN 3", "overwrite": true},
            {"name": "c", "expression": "RETURN 4", "overwrite": false}
        ]);
        assert_eq!(
            lines(before, after),
            [
                "[name=b].expression: \"RETURN 2\" -> \"RETURN 3\"",
                "[name=c]: ~ -> {\"name\":\"c\",\"expression\":\"RETURN 4\",\"overwrite\":false}",
                "[name=a]: {\"name\":\"a\",\"expression\":\"RETURN 1\",\"overwrite\":true} -> ~",
            ]
        );
    }

    #[test]
    fn edge_definitions_match_by_collection() {
        let before = json!([
            {"collection": "viewed", "from": ["users"], "to": ["products"]},
            {"collection": "bought", "from": ["users"], "to": ["products"]}
        ]);
        let after = json!([
            {"collection": "bought", "from": ["users"], "to": ["products"]},
            {"collection": "viewed", "from": ["users"], "to": ["products", "pages"]}
        ]);
        assert_eq!(
            lines(before, after),
            ["[collection=viewed].to[1]: ~ -> \"pages\""]
        );
    }

    #[test]
    fn a_keyed_list_only_reordered_is_one_entry_for_the_list() {
        let before = json!({"cv": [{"name": "a"}, {"name": "b"}]});
        let after = json!({"cv": [{"name": "b"}, {"name": "a"}]});
        assert_eq!(
            lines(before, after),
            ["cv: [{\"name\":\"a\"},{\"name\":\"b\"}] -> [{\"name\":\"b\"},{\"name\":\"a\"}]"]
        );
    }

    #[test]
    fn duplicate_or_missing_keys_fall_back_to_positions() {
        // search-alias indexes: two indexes of one collection.
        let before =
            json!([{"collection": "c", "index": "i1"}, {"collection": "c", "index": "i2"}]);
        let after = json!([{"collection": "c", "index": "i1"}, {"collection": "c", "index": "i3"}]);
        assert_eq!(lines(before, after), ["[1].index: \"i2\" -> \"i3\""]);
        // Inverted index fields: strings and objects mixed.
        assert_eq!(
            lines(
                json!(["a", {"name": "b"}]),
                json!(["a", {"name": "b", "x": 1}])
            ),
            ["[1].x: ~ -> 1"]
        );
    }

    #[test]
    fn stated_comparison_ignores_what_only_the_server_reports() {
        let live = json!({"metric": "cosine", "dimension": 8, "nLists": 2,
                          "numberOfDocsPerCentroid": 100,
                          "consolidationPolicy": {"type": "tier", "segmentsMin": 1}});
        let spec = json!({"metric": "cosine", "dimension": 16, "nLists": 2.0,
                          "cache": false, "consolidationPolicy": {"segmentsMin": 2}});
        let show = |entry: &PathDiff| {
            format!(
                "{}: {:?} -> {:?}",
                render_path("params", &entry.path),
                entry.before,
                entry.after
            )
        };
        let stated: Vec<String> = diff(Some(&live), Some(&spec), Compare::Stated)
            .iter()
            .map(show)
            .collect();
        assert_eq!(
            stated,
            [
                "params.dimension: Some(Number(8)) -> Some(Number(16))",
                "params.consolidationPolicy.segmentsMin: Some(Number(1)) -> Some(Number(2))",
            ]
        );
        // Exact: the server's extra keys and the unreported flag count.
        let exact = diff(Some(&live), Some(&spec), Compare::Exact);
        assert_eq!(exact.len(), 5, "{exact:?}");
        // A stated key the server lacks is still a change.
        assert_eq!(
            diff(Some(&json!({})), Some(&json!({"x": 1})), Compare::Stated).len(),
            1
        );
    }

    #[test]
    fn stated_positional_lists_align_on_what_the_spec_states() {
        // The server reports `asc` beside the stated `field`; the spec
        // dropped the first column.
        let live = json!([{"field": "a", "asc": true}, {"field": "b", "asc": true}]);
        let spec = json!([{"field": "b"}]);
        let entries = diff(Some(&live), Some(&spec), Compare::Stated);
        assert_eq!(
            entries,
            [PathDiff {
                path: vec![Segment::Position(0)],
                before: Some(json!({"field": "a", "asc": true})),
                after: None,
            }]
        );
        // Exact: `b` differs too (the server's `asc`), so both are paired.
        assert_eq!(diff(Some(&live), Some(&spec), Compare::Exact).len(), 3);
    }

    #[test]
    fn paths_quote_what_is_not_a_plain_name() {
        let path = [
            Segment::Key("properties".into()),
            Segment::Key("e.mail".into()),
            Segment::Key("_key".into()),
            Segment::Position(2),
            Segment::Item {
                key: "name",
                value: "updated_at".into(),
            },
            Segment::Item {
                key: "collection",
                value: "1 odd".into(),
            },
            Segment::Key("2x".into()),
        ];
        assert_eq!(
            render_path("schema", &path),
            "schema.properties[\"e.mail\"]._key[2][name=updated_at][collection=\"1 odd\"][\"2x\"]"
        );
        assert_eq!(render_path("", &path[..1]), "properties");
        assert_eq!(render_path("links.users", &[]), "links.users");
    }

    #[test]
    fn a_definition_is_shown_leaf_by_leaf() {
        let value = json!({
            "rule": {"properties": {"email": {"type": "string"}}, "required": ["email"]},
            "computed": [{"name": "at", "expression": "RETURN 1"}],
            "tiers": [{"a": 1}, {"a": 2}],
            "empty": {},
        });
        let entries: Vec<String> = diff(None, Some(&value), Compare::Definition)
            .iter()
            .map(|entry| {
                assert!(entry.before.is_none());
                let after = entry.after.as_ref().map(Value::to_string);
                format!(
                    "{} {}",
                    render_path("x", &entry.path),
                    after.unwrap_or_default()
                )
            })
            .collect();
        assert_eq!(
            entries,
            [
                "x.rule.properties.email.type \"string\"",
                "x.rule.required [\"email\"]",
                "x.computed[name=at].expression \"RETURN 1\"",
                "x.tiers[0].a 1",
                "x.tiers[1].a 2",
                "x.empty {}",
            ]
        );
        // Outside a definition an added value stays one entry.
        assert_eq!(diff(None, Some(&value), Compare::Exact).len(), 1);
    }
}
