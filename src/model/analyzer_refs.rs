//! Analyzer references (in inverted indexes and view links) spelt as the
//! server reports them, so a spec that writes `features::txt1` and the
//! server that answers `txt1` compare equal.
//!
//! Facts (ArangoDB 3.11 to 3.12 analyzer docs; the emulator's
//! `AnalyzerRef::short_name`): an index or link may use the analyzers of
//! its own database and those of `_system`, nothing else. In a definition
//! it reads back, the server names its own database's analyzers by bare
//! name and `_system`'s as `::name` (bare when the database is `_system`
//! itself). A `db::` prefix naming another database is refused by the
//! server; such a reference is kept as written, so the plan's analyzer
//! check can say so before any write.

use std::borrow::Cow;

use serde_json::Value;

use super::{Index, State, View};

/// The database whose analyzers every database can use.
pub const SYSTEM_DATABASE: &str = "_system";

/// `name` as the server reports it inside a definition of `database`:
/// `database::x` → `x`; `::x` and `_system::x` → `::x` (or `x` when
/// `database` is `_system`); a built-in with any prefix → its bare name; a
/// bare name and a prefix naming another database stay as written.
pub fn analyzer_as_reported(name: &str, database: &str) -> String {
    let Some((prefix, short)) = name.split_once("::") else {
        return name.to_string();
    };
    // Built-in analyzers belong to no database: every database names them
    // bare, and the server resolves only that form (the emulator refuses
    // `::text_en`; a prefixed built-in means the bare one in any case).
    if super::is_builtin_analyzer(short) {
        return short.to_string();
    }
    let prefix = if prefix.is_empty() {
        SYSTEM_DATABASE
    } else {
        prefix
    };
    if prefix == database {
        short.to_string()
    } else if prefix == SYSTEM_DATABASE {
        format!("::{short}")
    } else {
        name.to_string()
    }
}

/// The database an analyzer reference (as reported, see
/// [`analyzer_as_reported`]) points into from `database`: the prefix,
/// `_system` for `::x`, `database` for a bare name.
pub fn analyzer_database<'a>(name: &'a str, database: &'a str) -> &'a str {
    match name.split_once("::") {
        None => database,
        Some(("", _)) => SYSTEM_DATABASE,
        Some((prefix, _)) => prefix,
    }
}

impl State {
    /// This state with every analyzer reference of its inverted indexes and
    /// `arangosearch` links spelt as the server of `database` reports it
    /// ([`analyzer_as_reported`]). Applying it twice changes nothing.
    /// Borrowed when no reference changes (a server's own answers, specs
    /// without `db::` prefixes): the state of a large database is tens of
    /// megabytes, copied only when it must be.
    pub fn with_analyzers_as_reported(&self, database: &str) -> Cow<'_, State> {
        let mut indexes = Vec::new();
        for (name, collection) in &self.collections {
            if !collection
                .indexes
                .iter()
                .any(|index| index.index_type == "inverted")
            {
                continue;
            }
            let mut reported = collection.indexes.clone();
            for index in &mut reported {
                index_as_reported(index, database);
            }
            if reported != collection.indexes {
                indexes.push((name.clone(), reported));
            }
        }
        let mut views = Vec::new();
        for (name, view) in &self.views {
            let mut reported = view.clone();
            view_as_reported(&mut reported, database);
            if reported != *view {
                views.push((name.clone(), reported));
            }
        }
        if indexes.is_empty() && views.is_empty() {
            return Cow::Borrowed(self);
        }
        let mut state = self.clone();
        for (name, reported) in indexes {
            if let Some(collection) = state.collections.get_mut(&name) {
                collection.indexes = reported;
            }
        }
        for (name, reported) in views {
            state.views.insert(name, reported);
        }
        Cow::Owned(state)
    }
}

fn index_as_reported(index: &mut Index, database: &str) {
    if index.index_type != "inverted" {
        return;
    }
    if let Some(Value::String(name)) = index.options.get_mut("analyzer") {
        *name = analyzer_as_reported(name, database);
    }
    fn walk(field: &mut Value, database: &str) {
        let Some(object) = field.as_object_mut() else {
            return;
        };
        if let Some(Value::String(name)) = object.get_mut("analyzer") {
            *name = analyzer_as_reported(name, database);
        }
        if let Some(Value::Array(nested)) = object.get_mut("nested") {
            for item in nested {
                walk(item, database);
            }
        }
    }
    for field in &mut index.fields {
        walk(field, database);
    }
}

/// A link shows `analyzers` always; a sub-field only where its list differs
/// from the one it inherits, which two spellings of one analyzer may have
/// hidden, so a sub-field list equal to the inherited one is dropped after
/// the renaming.
fn view_as_reported(view: &mut View, database: &str) {
    fn walk(level: &mut Value, inherited: Option<&Value>, database: &str) {
        let Some(object) = level.as_object_mut() else {
            return;
        };
        if let Some(Value::Array(names)) = object.get_mut("analyzers") {
            let mut renamed: Vec<Value> = Vec::with_capacity(names.len());
            for name in names.iter() {
                let name = match name {
                    Value::String(name) => Value::from(analyzer_as_reported(name, database)),
                    other => other.clone(),
                };
                if !renamed.contains(&name) {
                    renamed.push(name);
                }
            }
            *names = renamed;
        }
        if inherited.is_some() && object.get("analyzers") == inherited {
            object.remove("analyzers");
        }
        let own = object.get("analyzers").cloned();
        let effective = own.as_ref().or(inherited);
        for key in ["fields", "nested"] {
            if let Some(Value::Object(fields)) = object.get_mut(key) {
                for field in fields.values_mut() {
                    walk(field, effective, database);
                }
            }
        }
    }
    for link in view.links.values_mut() {
        walk(link, None, database);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::model::IndexOptions;

    #[test]
    fn references_are_spelt_as_the_server_reports_them() {
        let cases = [
            ("txt1", "features", "txt1"),
            ("features::txt1", "features", "txt1"),
            ("::txt1", "features", "::txt1"),
            ("_system::txt1", "features", "::txt1"),
            ("::txt1", "_system", "txt1"),
            ("_system::txt1", "_system", "txt1"),
            ("other::txt1", "features", "other::txt1"),
            ("identity", "features", "identity"),
            ("::text_en", "features", "text_en"),
            ("_system::identity", "features", "identity"),
            ("features::text_en", "features", "text_en"),
        ];
        for (name, database, reported) in cases {
            assert_eq!(analyzer_as_reported(name, database), reported, "{name}");
            assert_eq!(
                analyzer_as_reported(reported, database),
                reported,
                "{reported} is stable"
            );
        }
        assert_eq!(analyzer_database("txt1", "features"), "features");
        assert_eq!(analyzer_database("::txt1", "features"), "_system");
        assert_eq!(analyzer_database("other::txt1", "features"), "other");
    }

    #[test]
    fn inverted_indexes_and_links_are_renamed() {
        let mut state = State::default();
        let mut collection =
            crate::model::Collection::new("books", crate::model::CollectionType::Document);
        collection.indexes.push(Index {
            name: Some("inv_books".into()),
            index_type: "inverted".into(),
            fields: vec![
                json!({"name": "title", "analyzer": "features::txt1",
                    "nested": [{"name": "n", "analyzer": "_system::t2"}]}),
                json!({"name": "body"}),
            ],
            options: IndexOptions::from([("analyzer".to_string(), json!("features::txt1"))]),
            id: None,
        });
        state.collections.insert("books".into(), collection);
        state.views.insert(
            "v".into(),
            View {
                name: "v".into(),
                view_type: "arangosearch".into(),
                properties: BTreeMap::new(),
                links: BTreeMap::from([(
                    "books".to_string(),
                    json!({"analyzers": ["identity", "features::txt1", "txt1"],
                        "fields": {"title": {"analyzers": ["txt1", "identity"]},
                            "body": {"analyzers": ["identity", "features::txt1"]},
                            "other": {"analyzers": ["::t2"]}}}),
                )]),
                indexes: Vec::new(),
                id: None,
            },
        );
        let reported = state.with_analyzers_as_reported("features");
        let index = &reported.collections["books"].indexes[0];
        assert_eq!(index.options.get("analyzer"), Some(&json!("txt1")));
        assert_eq!(
            index.fields[0],
            json!({"name": "title", "analyzer": "txt1",
                "nested": [{"name": "n", "analyzer": "::t2"}]})
        );
        assert_eq!(
            reported.views["v"].links["books"],
            json!({"analyzers": ["identity", "txt1"],
                "fields": {"title": {"analyzers": ["txt1", "identity"]}, "body": {},
                    "other": {"analyzers": ["::t2"]}}})
        );
        assert_eq!(reported.with_analyzers_as_reported("features"), reported);
    }
}
