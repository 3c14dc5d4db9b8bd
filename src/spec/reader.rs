//! Typed reading of the node tree, collecting every problem on the way.
//!
//! A [`Reader`] turns node positions into [`Location`]s and collects
//! diagnostics for one file; [`Fields`] reads one mapping and remembers which
//! keys were consumed, so that whatever is left over can be reported as an
//! unknown field with the nearest valid name as a hint.
//!
//! Invariants:
//! * Reading never stops at the first problem: a getter that finds a wrong
//!   type reports it at the value and returns `None`, and the caller goes on
//!   with the default, so one run shows every problem in a file.
//! * Every key a caller asks for must be in the mapping's `known` list; the
//!   unknown-field report relies on it.

use std::path::Path;
use std::sync::Arc;

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::spec::yaml::{
    json_integer, json_number, not_finite, Entry, Node, NodeKind, Pos, OUT_OF_RANGE,
};

/// The candidate closest to `word`, if it is close enough to be a likely
/// typo: the same letters in another case, or at most a third of the letters
/// wrong (at least one).
pub fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .iter()
        .map(|candidate| {
            let distance = strsim::damerau_levenshtein(&word, &candidate.to_lowercase());
            (distance, *candidate)
        })
        .filter(|(distance, candidate)| *distance <= (candidate.chars().count() / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// `did you mean `x`?` for a near miss, otherwise the list of valid choices.
pub fn suggestion(word: &str, candidates: &[&str]) -> String {
    match nearest(word, candidates) {
        Some(candidate) => format!("did you mean `{candidate}`?"),
        None => format!("expected one of: {}", candidates.join(", ")),
    }
}

/// A plain `<<` key merges (see `yaml.rs`); a quoted one is an ordinary key
/// that nobody expects, so say how to merge instead.
pub const MERGE_KEY_HINT: &str =
    "a quoted `\"<<\"` is an ordinary key; write it unquoted (`<<: *anchor`) to merge a mapping";

/// Diagnostics for one file, located in it.
pub struct Reader<'a> {
    /// The file being read, shared by every location in it.
    file: Arc<Path>,
    /// Overlay files, for positions whose `source` is not 0 (`source` `n`
    /// is `overlays[n - 1]`).
    overlays: &'a [std::path::PathBuf],
    pub diagnostics: Diagnostics,
}

impl<'a> Reader<'a> {
    pub fn new(file: &'a Path) -> Reader<'a> {
        Reader {
            file: Arc::from(file),
            overlays: &[],
            diagnostics: Diagnostics::default(),
        }
    }

    /// A reader for a file whose nodes may come from these overlay files.
    pub fn with_overlays(file: &'a Path, overlays: &'a [std::path::PathBuf]) -> Reader<'a> {
        Reader {
            overlays,
            ..Reader::new(file)
        }
    }

    /// Where `pos` is: in the file being read, or in the overlay file the
    /// node was patched in from.
    pub fn location(&self, pos: Pos) -> Location {
        let file = usize::from(pos.source)
            .checked_sub(1)
            .and_then(|at| self.overlays.get(at))
            .map_or_else(|| Arc::clone(&self.file), |path| Arc::from(path.as_path()));
        Location {
            file,
            line: pos.line,
            column: pos.column,
        }
    }

    pub fn error(&mut self, code: &'static str, message: impl Into<String>, pos: Pos) {
        let diagnostic = Diagnostic::error(code, message, Some(self.location(pos)));
        self.diagnostics.push(diagnostic);
    }

    pub fn error_with_hint(
        &mut self,
        code: &'static str,
        message: impl Into<String>,
        pos: Pos,
        hint: impl Into<String>,
    ) {
        let diagnostic = Diagnostic::error(code, message, Some(self.location(pos))).with_hint(hint);
        self.diagnostics.push(diagnostic);
    }

    pub fn warning(
        &mut self,
        code: &'static str,
        message: impl Into<String>,
        pos: Pos,
        hint: impl Into<String>,
    ) {
        let diagnostic =
            Diagnostic::warning(code, message, Some(self.location(pos))).with_hint(hint);
        self.diagnostics.push(diagnostic);
    }

    pub fn wrong_type(&mut self, node: &Node, what: &str, expected: &str) {
        self.error(
            "wrong-type",
            format!(
                "{what}: expected {expected}, found {}",
                node.kind.describe()
            ),
            node.pos,
        );
    }

    /// Starts reading `node` as a mapping whose valid keys are `known`.
    /// `what` names it in messages, e.g. "the collection spec".
    pub fn fields<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        known: &'static [&'static str],
    ) -> Option<Fields<'n>> {
        match &node.kind {
            NodeKind::Map(entries) => Some(Fields {
                what: what.to_string(),
                pos: node.pos,
                entries,
                known,
                used: vec![false; entries.len()],
            }),
            _ => {
                self.wrong_type(node, what, "a mapping");
                None
            }
        }
    }

    pub fn bool(&mut self, node: &Node, what: &str) -> Option<bool> {
        match node.kind {
            NodeKind::Bool(flag) => Some(flag),
            _ => {
                self.wrong_type(node, what, "a boolean");
                None
            }
        }
    }

    pub fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.kind {
            NodeKind::Str(text) => Some(text.clone()),
            _ => {
                self.wrong_type(node, what, "a string");
                None
            }
        }
    }

    /// A non-negative integer up to `u64::MAX`. A float is not one, even
    /// an integral one (`3.0`): a count is written as a count.
    pub fn uint(&mut self, node: &Node, what: &str) -> Option<u64> {
        match node.kind {
            NodeKind::Int(number) if number < 0 => {
                self.error(
                    "wrong-type",
                    format!("{what}: expected a non-negative integer, found {number}"),
                    node.pos,
                );
                None
            }
            NodeKind::Int(number) => match u64::try_from(number) {
                Ok(number) => Some(number),
                Err(_) => {
                    self.error(
                        "invalid-value",
                        format!(
                            "{what}: expected a non-negative integer up to {}, found a larger one",
                            u64::MAX
                        ),
                        node.pos,
                    );
                    None
                }
            },
            _ => {
                self.wrong_type(node, what, "a non-negative integer");
                None
            }
        }
    }

    /// Any number, as JSON, exactly as written: integers as integers (up
    /// to `u64::MAX`), floats as floats (`1.0` stays `1.0`).
    pub fn number(&mut self, node: &Node, what: &str) -> Option<serde_json::Value> {
        let (value, problem) = match node.kind {
            NodeKind::Int(number) => (json_integer(number), OUT_OF_RANGE.to_string()),
            NodeKind::Float(number) => (json_number(number), not_finite(number)),
            _ => {
                self.wrong_type(node, what, "a number");
                return None;
            }
        };
        if value.is_none() {
            self.error("invalid-value", format!("{what}: {problem}"), node.pos);
        }
        value
    }

    pub fn list<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [Node]> {
        match &node.kind {
            NodeKind::Seq(items) => Some(items),
            _ => {
                self.wrong_type(node, what, "a list");
                None
            }
        }
    }

    /// A list of strings; wrong items are reported one by one and left out.
    pub fn strings(&mut self, node: &Node, what: &str) -> Option<Vec<String>> {
        let items = self.list(node, what)?;
        let mut strings = Vec::with_capacity(items.len());
        for (position, item) in items.iter().enumerate() {
            if let Some(text) = self.string(item, &format!("{what}[{position}]")) {
                strings.push(text);
            }
        }
        Some(strings)
    }

    /// Arbitrary data, passed on to ArangoDB as JSON.
    pub fn json(&mut self, node: &Node) -> Option<serde_json::Value> {
        match node.to_json() {
            Ok(value) => Some(value),
            Err(problems) => {
                for (pos, message) in problems {
                    self.error("invalid-value", message, pos);
                }
                None
            }
        }
    }

    /// Reports the keys of `fields` nobody asked for.
    pub fn finish(&mut self, fields: Fields<'_>) {
        for (entry, used) in fields.entries.iter().zip(&fields.used) {
            if *used {
                continue;
            }
            let message = format!("unknown field `{}` in {}", entry.key, fields.what);
            let hint = if entry.key == "<<" {
                MERGE_KEY_HINT.to_string()
            } else {
                suggestion(&entry.key, fields.known)
            };
            self.error_with_hint("unknown-field", message, entry.key_pos, hint);
        }
    }
}

/// One mapping being read; see [`Reader::fields`].
pub struct Fields<'n> {
    what: String,
    pos: Pos,
    entries: &'n [Entry],
    known: &'static [&'static str],
    used: Vec<bool>,
}

impl<'n> Fields<'n> {
    /// The value of `key`, marking it as consumed.
    pub fn take(&mut self, key: &str) -> Option<&'n Node> {
        debug_assert!(
            self.known.contains(&key),
            "`{key}` is not in the known list"
        );
        let index = self.entries.iter().position(|entry| entry.key == key)?;
        if let Some(used) = self.used.get_mut(index) {
            *used = true;
        }
        self.entries.get(index).map(|entry| &entry.value)
    }

    /// The value of a required `key`; reports `missing-field` when absent,
    /// unless an unknown key is a misspelling of it: [`Reader::finish`]
    /// reports that one with "did you mean", and one typo should make one
    /// diagnostic.
    pub fn require(&mut self, reader: &mut Reader<'_>, key: &str) -> Option<&'n Node> {
        let value = self.take(key);
        let misspelt = self.entries.iter().any(|entry| {
            !self.known.contains(&entry.key.as_str())
                && nearest(&entry.key, self.known) == Some(key)
        });
        if value.is_none() && !misspelt {
            let message = format!("{} is missing the required field `{key}`", self.what);
            if self.entries.iter().any(|entry| entry.key == "<<") {
                reader.error_with_hint("missing-field", message, self.pos, MERGE_KEY_HINT);
            } else {
                reader.error("missing-field", message, self.pos);
            }
        }
        value
    }

    pub fn bool(&mut self, reader: &mut Reader<'_>, key: &str) -> Option<bool> {
        let node = self.take(key)?;
        reader.bool(node, &format!("`{key}`"))
    }

    pub fn string(&mut self, reader: &mut Reader<'_>, key: &str) -> Option<String> {
        let node = self.take(key)?;
        reader.string(node, &format!("`{key}`"))
    }

    pub fn uint(&mut self, reader: &mut Reader<'_>, key: &str) -> Option<u64> {
        let node = self.take(key)?;
        reader.uint(node, &format!("`{key}`"))
    }

    pub fn number(&mut self, reader: &mut Reader<'_>, key: &str) -> Option<serde_json::Value> {
        let node = self.take(key)?;
        reader.number(node, &format!("`{key}`"))
    }

    pub fn strings(&mut self, reader: &mut Reader<'_>, key: &str) -> Option<Vec<String>> {
        let node = self.take(key)?;
        reader.strings(node, &format!("`{key}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::yaml;

    const KNOWN: &[&str] = &["type", "waitForSync", "cacheEnabled", "keyOptions"];

    fn root(text: &str) -> Node {
        yaml::parse(text).unwrap().remove(0).root
    }

    #[test]
    fn nearest_names() {
        assert_eq!(nearest("waitForSnyc", KNOWN), Some("waitForSync"));
        assert_eq!(nearest("waitforsync", KNOWN), Some("waitForSync"));
        assert_eq!(nearest("tpye", KNOWN), Some("type"));
        assert_eq!(nearest("shards", KNOWN), None);
    }

    #[test]
    fn unknown_fields_are_reported_with_a_suggestion() {
        let node = root("type: edge\nwaitForSnyc: true\nbogus: 1\n");
        let path = Path::new("a.yaml");
        let mut reader = Reader::new(path);
        let mut fields = reader.fields(&node, "the collection spec", KNOWN).unwrap();
        assert_eq!(fields.string(&mut reader, "type").as_deref(), Some("edge"));
        assert_eq!(fields.bool(&mut reader, "waitForSync"), None);
        reader.finish(fields);
        let rendered: Vec<String> = reader
            .diagnostics
            .0
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            rendered,
            [
                "a.yaml:2:1: error[unknown-field]: unknown field `waitForSnyc` in the collection spec\n  \
                 hint: did you mean `waitForSync`?",
                "a.yaml:3:1: error[unknown-field]: unknown field `bogus` in the collection spec\n  \
                 hint: expected one of: type, waitForSync, cacheEnabled, keyOptions",
            ]
        );
    }

    #[test]
    fn wrong_types_point_at_the_value() {
        let node = root("waitForSync: 'yes'\ntype: [a]\n");
        let path = Path::new("a.yaml");
        let mut reader = Reader::new(path);
        let mut fields = reader.fields(&node, "the spec", KNOWN).unwrap();
        assert_eq!(fields.bool(&mut reader, "waitForSync"), None);
        assert_eq!(fields.string(&mut reader, "type"), None);
        assert_eq!(fields.require(&mut reader, "keyOptions"), None);
        reader.finish(fields);
        let rendered: Vec<String> = reader
            .diagnostics
            .0
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            rendered,
            [
                "a.yaml:1:14: error[wrong-type]: `waitForSync`: expected a boolean, found a string",
                "a.yaml:2:7: error[wrong-type]: `type`: expected a string, found a list",
                "a.yaml:1:1: error[missing-field]: the spec is missing the required field `keyOptions`",
            ]
        );
    }

    #[test]
    fn quoted_merge_keys_get_their_own_hint() {
        let node = root("base: &b {type: edge}\nspec:\n  \"<<\": *b\n");
        let spec = node.get("spec").unwrap();
        let path = Path::new("a.yaml");
        let mut reader = Reader::new(path);
        let fields = reader.fields(spec, "the spec", KNOWN).unwrap();
        reader.finish(fields);
        assert!(reader.diagnostics.0[0]
            .hint
            .as_deref()
            .unwrap()
            .contains("unquoted"));
    }

    #[test]
    fn numbers_and_strings() {
        let node =
            root("a: -1\nb: 2.0\nc: [x, 1, y]\nd: 18446744073709551615\ne: 18446744073709551616\n");
        let path = Path::new("a.yaml");
        let mut reader = Reader::new(path);
        assert_eq!(reader.uint(node.get("a").unwrap(), "`a`"), None);
        assert_eq!(
            reader.number(node.get("b").unwrap(), "`b`"),
            Some(serde_json::json!(2.0)),
            "the float the spec states, not the integer 2"
        );
        assert_eq!(reader.uint(node.get("d").unwrap(), "`d`"), Some(u64::MAX));
        assert_eq!(
            reader.number(node.get("d").unwrap(), "`d`"),
            Some(serde_json::json!(u64::MAX))
        );
        assert_eq!(reader.uint(node.get("e").unwrap(), "`e`"), None);
        assert_eq!(reader.number(node.get("e").unwrap(), "`e`"), None);
        assert_eq!(
            reader.strings(node.get("c").unwrap(), "`c`"),
            Some(vec!["x".to_string(), "y".to_string()])
        );
        let codes: Vec<&str> = reader.diagnostics.0.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            ["wrong-type", "invalid-value", "invalid-value", "wrong-type"]
        );
        assert!(reader.diagnostics.0[1]
            .message
            .starts_with("`e`: expected a non-negative integer up to 18446744073709551615"));
        assert!(reader.diagnostics.0[2]
            .message
            .starts_with("`e`: integer out of range"));
        assert!(reader.diagnostics.0[3].message.starts_with("`c`[1]"));
    }
}
