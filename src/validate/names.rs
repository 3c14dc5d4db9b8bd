//! Names of collections, graphs and indexes.
//!
//! ArangoDB 3.12 turns on "extended" names by default, 3.11 does not, and a
//! server that once used extended names cannot go back. The traditional rules
//! are the common ground, so specs are held to them (shared/ARANGODB_API.md
//! 10): a letter first, then letters, digits, `_` and `-`. A leading `_`
//! marks system collections, which arangosync never manages.

use super::{at, Report};
use crate::spec::Origin;

const MAX_COLLECTION_NAME_BYTES: usize = 256;
/// Graph names are document keys in `_graphs`, which allow at most 254 bytes.
const MAX_GRAPH_NAME_BYTES: usize = 254;
const MAX_INDEX_NAME_BYTES: usize = 256;
/// Names the built-in indexes use.
const RESERVED_INDEX_NAMES: &[&str] = &["primary", "edge"];

/// Why `name` breaks the traditional naming rules, or `None` if it does not.
pub fn traditional_name_problem(name: &str, max_bytes: usize) -> Option<String> {
    let Some(first) = name.chars().next() else {
        return Some("it is empty".into());
    };
    if name.len() > max_bytes {
        return Some(format!("it is longer than {max_bytes} bytes"));
    }
    if first == '_' {
        return Some("it starts with `_`, which marks system objects".into());
    }
    if !first.is_ascii_alphabetic() {
        return Some(format!(
            "it starts with `{}`, not a letter",
            first.escape_debug()
        ));
    }
    name.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
        .map(|c| format!("it contains `{}`", c.escape_debug()))
}

fn rules_hint(what: &str, max_bytes: usize) -> String {
    format!(
        "{what} names must start with a letter, followed by letters, digits, `_` or `-`, at most {max_bytes} \
         bytes (the traditional rules, which ArangoDB 3.11 and 3.12 both accept)"
    )
}

pub fn check_collection(name: &str, origin: Option<&Origin>, report: &mut Report) {
    if let Some(problem) = traditional_name_problem(name, MAX_COLLECTION_NAME_BYTES) {
        report.error(
            "invalid-collection-name",
            format!(
                "collection name `{}` is invalid: {problem}",
                name.escape_debug()
            ),
            origin.map(|origin| &origin.location),
            Some(rules_hint("collection", MAX_COLLECTION_NAME_BYTES)),
        );
    }
}

pub fn check_graph(name: &str, origin: Option<&Origin>, report: &mut Report) {
    if let Some(problem) = traditional_name_problem(name, MAX_GRAPH_NAME_BYTES) {
        report.error(
            "invalid-graph-name",
            format!("graph name `{}` is invalid: {problem}", name.escape_debug()),
            origin.map(|origin| &origin.location),
            Some(rules_hint("graph", MAX_GRAPH_NAME_BYTES)),
        );
    }
}

/// `label` describes the index in words, `origin` is the index's own.
pub fn check_index(name: &str, label: &str, origin: Option<&Origin>, report: &mut Report) {
    let location = at(origin, "name");
    if RESERVED_INDEX_NAMES.contains(&name) {
        report.error(
            "reserved-index-name",
            format!("{label} uses the name `{name}`, which belongs to a built-in index"),
            location,
            Some("choose another name; `primary` and `edge` are the built-in indexes".into()),
        );
        return;
    }
    if let Some(problem) = traditional_name_problem(name, MAX_INDEX_NAME_BYTES) {
        report.error(
            "invalid-index-name",
            format!("{label} has an invalid name: {problem}"),
            location,
            Some(rules_hint("index", MAX_INDEX_NAME_BYTES)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_names() {
        for good in ["users", "viewed_edge", "a-b", "A1", &"a".repeat(256)] {
            assert_eq!(traditional_name_problem(good, 256), None, "{good}");
        }
        let cases = [
            ("", "it is empty"),
            ("_users", "it starts with `_`, which marks system objects"),
            ("1users", "it starts with `1`, not a letter"),
            ("-a", "it starts with `-`, not a letter"),
            ("user s", "it contains ` `"),
            ("a/b", "it contains `/`"),
            ("a.b", "it contains `.`"),
            ("Ünïcode", "it starts with `Ü`, not a letter"),
            ("a\u{1}", "it contains `\\u{1}`"),
        ];
        for (bad, problem) in cases {
            assert_eq!(
                traditional_name_problem(bad, 256).as_deref(),
                Some(problem),
                "{bad:?}"
            );
        }
        assert_eq!(
            traditional_name_problem(&"a".repeat(257), 256).as_deref(),
            Some("it is longer than 256 bytes")
        );
    }

    #[test]
    fn reserved_and_invalid_index_names() {
        let mut report = Report::default();
        check_index("primary", "index `primary`", None, &mut report);
        check_index("_idx", "index `_idx`", None, &mut report);
        check_index("byEmail", "index `byEmail`", None, &mut report);
        let codes: Vec<&str> = report.diagnostics.0.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["reserved-index-name", "invalid-index-name"]);
    }
}
