//! Names of databases, collections, graphs and indexes, checked offline.
//!
//! ArangoDB 3.12 turns on "extended" names by default, 3.11 does not, and a
//! server that once used extended names cannot go back. Whether a server
//! has them cannot be known without asking it, so:
//! * Names a spec declares are held to the traditional rules, the common
//!   ground (shared/ARANGODB_API.md 10): a letter first, then letters,
//!   digits, `_` and `-`. A leading `_` marks system collections, which
//!   arangosync never manages. A name only the extended rules allow is an
//!   error that says so.
//! * The database name (`--database`) names something that exists already
//!   or is created on purpose, so a name only the extended rules allow is
//!   accepted with a warning; one that no rule set allows (a trailing line
//!   break from `echo`, outer spaces, a `/`, a name not in Unicode NFC form,
//!   which the server refuses instead of normalising) is invalid input.
//!
//! The rules are the server's, as the emulator's `names.rs` implements them;
//! the tests below use the same cases.

use unicode_normalization::{is_nfc, UnicodeNormalization};

use super::{at, Report};
use crate::spec::Origin;

const MAX_COLLECTION_NAME_BYTES: usize = 256;
/// Views follow the collection rules (they share one namespace).
pub const MAX_VIEW_NAME_BYTES: usize = MAX_COLLECTION_NAME_BYTES;
/// Graph names are document keys in `_graphs`, which allow at most 254 bytes.
const MAX_GRAPH_NAME_BYTES: usize = 254;
const MAX_INDEX_NAME_BYTES: usize = 256;
/// Database names: 64 bytes under the traditional rules, 128 extended.
const MAX_TRADITIONAL_DATABASE_NAME_BYTES: usize = 64;
const MAX_EXTENDED_DATABASE_NAME_BYTES: usize = 128;
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
            "it starts with `{}`, not an ASCII letter (a-z, A-Z)",
            first.escape_debug()
        ));
    }
    name.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
        .map(|c| format!("it contains `{}`", c.escape_debug()))
}

/// Why `name` breaks the extended naming rules (3.12's default) for
/// databases and collections, or `None`: no `/`, `:` or control character,
/// no leading digit, `.`, space or `_`, no trailing space, NFC-normalised.
pub fn extended_name_problem(name: &str, max_bytes: usize) -> Option<String> {
    let Some(first) = name.chars().next() else {
        return Some("it is empty".into());
    };
    if name.len() > max_bytes {
        return Some(format!("it is longer than {max_bytes} bytes"));
    }
    if let Some(c) = name.chars().find(|c| (*c as u32) < 32) {
        let what = if matches!(c, '\n' | '\r') {
            "a line break"
        } else {
            "a control character"
        };
        return Some(format!("it contains {what} (`{}`)", c.escape_debug()));
    }
    if first == ' ' || name.ends_with(' ') {
        return Some("it starts or ends with a space".into());
    }
    if let Some(c) = name.chars().find(|c| matches!(c, '/' | ':')) {
        return Some(format!("it contains `{c}`"));
    }
    if first == '_' {
        return Some("it starts with `_`, which marks system objects".into());
    }
    if first.is_ascii_digit() || first == '.' {
        return Some(format!("it starts with `{first}`"));
    }
    if !is_nfc(name) {
        return Some(
            "it is not in Unicode NFC form, and the server does not normalise names".into(),
        );
    }
    None
}

/// Characters that do not show when a name is printed: control characters
/// (also DEL and NEL), whitespace other than the plain space, and format
/// characters such as the byte order mark and zero-width spaces.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || (c.is_whitespace() && c != ' ')
        || matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// The names only the server's extended rules allow get this note.
fn extended_only_note(name: &str, max_bytes: usize) -> Option<String> {
    if extended_name_problem(name, max_bytes).is_none() {
        return Some(
            "; the name is valid only where the server has extended names (`--database.extended-names`, \
             on by default in ArangoDB 3.12), which arangosync cannot know offline and does not assume"
                .into(),
        );
    }
    if !is_nfc(name) {
        let nfc: String = name.nfc().collect();
        return Some(format!(
            "; it is also not in Unicode NFC form (its NFC form is `{}`)",
            nfc.escape_debug()
        ));
    }
    None
}

fn rules_hint(what: &str, name: &str, max_bytes: usize) -> String {
    let note = extended_only_note(name, max_bytes).unwrap_or_default();
    format!(
        "{what} names must start with a letter, followed by letters, digits, `_` or `-`, at most {max_bytes} \
         bytes (the traditional rules, which ArangoDB 3.11 and 3.12 both accept){note}"
    )
}

/// What the database name `--database` (`ARANGO_DATABASE`) may be: `Ok`
/// with a warning when only the extended rules allow it, an error message
/// with a hint when the server would refuse it whatever its settings.
pub fn check_database(name: &str) -> Result<Option<String>, String> {
    if name == "_system"
        || traditional_name_problem(name, MAX_TRADITIONAL_DATABASE_NAME_BYTES).is_none()
    {
        return Ok(None);
    }
    let Some(problem) = extended_name_problem(name, MAX_EXTENDED_DATABASE_NAME_BYTES) else {
        // Stricter than the server on purpose: a database name with a character
        // one cannot see (a byte order mark, a no-break space, a line separator,
        // DEL) comes from a Secret or a copied value, and would quietly make a
        // second, look-alike database.
        if let Some(c) = name.chars().find(|c| is_invisible(*c)) {
            return Err(format!(
                "invalid --database \"{}\": it contains the invisible character U+{:04X}\n  hint: \
                 arangosync refuses invisible characters in database names (they come from a Secret or \
                 a copied value, and would make a second, look-alike database); retype the name",
                name.escape_debug(),
                u32::from(c)
            ));
        }
        return Ok(Some(format!(
            "database name \"{}\" is valid only where the server has extended names \
             (`--database.extended-names`, on by default in ArangoDB 3.12); a server without them refuses it",
            name.escape_debug()
        )));
    };
    let trimmed = name.trim();
    let hint = if name.ends_with(['\n', '\r']) {
        format!(
            "the value ends with a line break, as a Secret or file made with `echo` does; \
             create it with `echo -n` or `printf` (did you mean \"{}\"?)",
            trimmed.escape_debug()
        )
    } else if trimmed != name {
        format!(
            "remove the spaces around it (did you mean \"{}\"?)",
            trimmed.escape_debug()
        )
    } else if !is_nfc(name) {
        let nfc: String = name.nfc().collect();
        format!(
            "the server accepts names only in Unicode NFC form; write \"{}\" in NFC (an editor or a file \
             system on macOS may have decomposed it)",
            nfc.escape_debug()
        )
    } else {
        "database names start with a letter, followed by letters, digits, `_` or `-` (at most 64 bytes); \
         extended names also allow other characters, but never `/`, `:`, control characters or outer spaces"
            .into()
    };
    Err(format!(
        "invalid --database \"{}\": {problem}\n  hint: {hint}",
        name.escape_debug()
    ))
}

/// The kinds of named objects a spec declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecName {
    Collection,
    View,
    Graph,
    Index,
    Analyzer,
}

/// Why `validate` would reject `name` for an object of `kind` (the
/// traditional rules every spec name is held to, with the kind's byte
/// limit), or `None` when a spec may declare it. `arangosync import` uses
/// it to leave out what the server holds but a spec cannot state.
pub fn spec_name_problem(kind: SpecName, name: &str) -> Option<String> {
    let max_bytes = match kind {
        SpecName::Collection => MAX_COLLECTION_NAME_BYTES,
        SpecName::View => MAX_VIEW_NAME_BYTES,
        SpecName::Graph => MAX_GRAPH_NAME_BYTES,
        SpecName::Index => MAX_INDEX_NAME_BYTES,
        SpecName::Analyzer => super::analyzers::MAX_ANALYZER_NAME_BYTES,
    };
    if kind == SpecName::Index && RESERVED_INDEX_NAMES.contains(&name) {
        return Some(format!("`{name}` belongs to a built-in index"));
    }
    traditional_name_problem(name, max_bytes)
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
            Some(rules_hint("collection", name, MAX_COLLECTION_NAME_BYTES)),
        );
    }
}

pub fn check_graph(name: &str, origin: Option<&Origin>, report: &mut Report) {
    if let Some(problem) = traditional_name_problem(name, MAX_GRAPH_NAME_BYTES) {
        report.error(
            "invalid-graph-name",
            format!("graph name `{}` is invalid: {problem}", name.escape_debug()),
            origin.map(|origin| &origin.location),
            Some(rules_hint("graph", name, MAX_GRAPH_NAME_BYTES)),
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
            Some(rules_hint("index", name, MAX_INDEX_NAME_BYTES)),
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
            (
                "1users",
                "it starts with `1`, not an ASCII letter (a-z, A-Z)",
            ),
            ("-a", "it starts with `-`, not an ASCII letter (a-z, A-Z)"),
            ("user s", "it contains ` `"),
            ("a/b", "it contains `/`"),
            ("a.b", "it contains `.`"),
            (
                "Ünïcode",
                "it starts with `Ü`, not an ASCII letter (a-z, A-Z)",
            ),
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

    /// The emulator's cases (arangodb-emulator/src/names.rs).
    #[test]
    fn extended_names_as_the_server_checks_them() {
        for good in [
            "users",
            "viewed_edge",
            "a-b",
            "Ünïcode",
            "x1",
            "feature-store",
        ] {
            assert_eq!(extended_name_problem(good, 256), None, "{good}");
        }
        for bad in [
            "",
            "_users",
            "1abc",
            " a",
            "a ",
            "a/b",
            "a\u{1}b",
            ".a",
            "cafe\u{301}",
            "a:b",
        ] {
            assert!(extended_name_problem(bad, 256).is_some(), "{bad:?}");
        }
        assert!(extended_name_problem(&"a".repeat(257), 256).is_some());
        assert!(extended_name_problem(&"d".repeat(129), 128).is_some());
    }

    #[test]
    fn invisible_characters_in_database_names_are_refused() {
        for name in [
            "\u{feff}feat",
            "feat\u{a0}",
            "fe\u{2028}at",
            "fe\u{7f}at",
            "fe\u{85}at",
            "fe\u{200b}at",
        ] {
            let error = check_database(name).unwrap_err();
            assert!(error.contains("invisible character"), "{name:?}: {error}");
        }
        assert_eq!(check_database("kunden köln").map(|w| w.is_some()), Ok(true));
    }

    #[test]
    fn database_names() {
        for good in ["_system", "feature-store", "Products", &"d".repeat(64)] {
            assert_eq!(check_database(good), Ok(None), "{good}");
        }
        // 3.12 with extended names accepts these, 3.11 refuses them.
        for extended in ["Köln", "feature store", "fs.v2", &"d".repeat(65)] {
            let warning = check_database(extended).unwrap().unwrap();
            assert!(warning.contains("extended names"), "{warning}");
        }
        let cases = [
            ("feature-store\n", "line break", "echo -n"),
            (" feature-store", "space", "remove the spaces"),
            ("feature-store ", "space", "remove the spaces"),
            ("feature/store", "contains `/`", "never `/`"),
            ("_other", "starts with `_`", "start with a letter"),
            ("1st", "starts with `1`", "start with a letter"),
            ("cafe\u{301}", "NFC", "\"café\""),
            ("", "empty", "start with a letter"),
        ];
        for (bad, problem, hint) in cases {
            let message = check_database(bad).unwrap_err();
            assert!(message.contains(problem), "{bad:?}: {message}");
            assert!(message.contains(hint), "{bad:?}: {message}");
        }
        assert!(check_database(&"d".repeat(129)).is_err());
    }

    #[test]
    fn spec_names_say_when_only_extended_rules_allow_them() {
        let mut report = Report::default();
        check_collection("Köln", None, &mut report);
        check_collection("cafe\u{301}s", None, &mut report);
        let hints: Vec<String> = report
            .diagnostics
            .0
            .iter()
            .map(|d| d.hint.clone().unwrap_or_default())
            .collect();
        assert!(
            hints[0].contains("valid only where the server has extended names"),
            "{}",
            hints[0]
        );
        assert!(hints[1].contains("not in Unicode NFC form"), "{}", hints[1]);
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
