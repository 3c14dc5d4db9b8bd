//! Naming rules for databases and collections: the extended rules (3.12's
//! default) or the traditional ones (3.11's default, `--database.extended-names`
//! off; see [`crate::Profile::extended_names`]). Index names are checked in
//! `indexes.rs`, UDF names in the aqlfunction routes, since each has rules of
//! their own.

use unicode_normalization::is_nfc;

use crate::error::ArangoError;

const MAX_COLLECTION_NAME_BYTES: usize = 256;
const MAX_DATABASE_NAME_BYTES: usize = 128;
/// The traditional rules allow database names of at most 64 bytes.
const MAX_TRADITIONAL_DATABASE_NAME_BYTES: usize = 64;

/// The traditional rules (3.11 docs, "Collection names", "Database names"):
/// ASCII letters, digits, `_` and `-`, starting with a letter (or with `_`
/// where system names are allowed).
pub fn traditional_name_ok(name: &str, max_bytes: usize, allow_underscore: bool) -> bool {
    let Some(first) = name.chars().next() else {
        return false;
    };
    let first_ok = first.is_ascii_alphabetic() || (first == '_' && allow_underscore);
    first_ok
        && name.len() <= max_bytes
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The rules database and collection names share under extended naming: no
/// `/`, no control characters, no leading digit, `.` or space, no trailing
/// space, NFC-normalised. A leading `_` is for system objects only.
fn extended_name_ok(name: &str, max_bytes: usize, allow_underscore: bool) -> bool {
    let Some(first) = name.chars().next() else {
        return false;
    };
    if name.len() > max_bytes || !is_nfc(name) {
        return false;
    }
    if first.is_ascii_digit() || first == '.' || first == ' ' || (first == '_' && !allow_underscore)
    {
        return false;
    }
    if name.ends_with(' ') {
        return false;
    }
    !name.chars().any(|c| c == '/' || (c as u32) < 32)
}

/// Checks a collection name under the extended (`extended == true`) or the
/// traditional rules; 400/1208 when it breaks them.
pub fn check_collection_name(
    name: &str,
    is_system: bool,
    extended: bool,
) -> Result<(), ArangoError> {
    let ok = if extended {
        extended_name_ok(name, MAX_COLLECTION_NAME_BYTES, is_system)
    } else {
        traditional_name_ok(name, MAX_COLLECTION_NAME_BYTES, is_system)
    };
    if ok {
        Ok(())
    } else {
        Err(ArangoError::illegal_name(&format!(
            "collection name invalid: '{name}'"
        )))
    }
}

/// Checks a database name under the extended or the traditional rules.
pub fn check_database_name(name: &str, extended: bool) -> Result<(), ArangoError> {
    let ok = if extended {
        extended_name_ok(name, MAX_DATABASE_NAME_BYTES, false)
    } else {
        traditional_name_ok(name, MAX_TRADITIONAL_DATABASE_NAME_BYTES, false)
    };
    if name == "_system" || ok {
        Ok(())
    } else {
        Err(ArangoError::illegal_name("database name invalid"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collection_names() {
        for good in ["users", "viewed_edge", "a-b", "Ünïcode", "x1"] {
            assert!(check_collection_name(good, false, true).is_ok(), "{good}");
        }
        for bad in ["", "_users", "1abc", " a", "a ", "a/b", "a\u{1}b", ".a"] {
            assert_eq!(
                check_collection_name(bad, false, true)
                    .unwrap_err()
                    .error_num,
                1208,
                "{bad:?}"
            );
        }
        assert!(check_collection_name("_graphs", true, true).is_ok());
        assert!(check_collection_name(&"a".repeat(257), false, true).is_err());
        // "e" followed by a combining acute accent is not NFC.
        assert!(check_collection_name("cafe\u{301}", false, true).is_err());
    }

    #[test]
    fn database_names() {
        assert!(check_database_name("_system", true).is_ok());
        assert!(check_database_name("feature-store", true).is_ok());
        assert!(check_database_name("_other", true).is_err());
        assert!(check_database_name(&"d".repeat(129), true).is_err());
    }

    #[test]
    fn traditional_names_of_3_11() {
        for good in ["users", "viewed_edge", "a-b", "x1", "Products"] {
            assert!(check_collection_name(good, false, false).is_ok(), "{good}");
            assert!(check_database_name(good, false).is_ok(), "{good}");
        }
        for bad in ["Ünïcode", "a b", "a.b", "1abc", "-a", "_users", ""] {
            assert_eq!(
                check_collection_name(bad, false, false)
                    .unwrap_err()
                    .error_num,
                1208,
                "{bad:?}"
            );
            assert!(check_database_name(bad, false).is_err(), "{bad:?}");
        }
        assert!(check_collection_name("_graphs", true, false).is_ok());
        assert!(check_database_name("_system", false).is_ok());
        assert!(check_database_name(&"d".repeat(65), false).is_err());
        assert!(check_database_name(&"d".repeat(64), false).is_ok());
    }
}
