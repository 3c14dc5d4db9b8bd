//! Naming rules for databases and collections (3.12 defaults: extended names
//! on). Index names are checked in `indexes.rs`, UDF names in the aqlfunction
//! routes, since each has rules of its own.

use unicode_normalization::is_nfc;

use crate::error::ArangoError;

const MAX_COLLECTION_NAME_BYTES: usize = 256;
const MAX_DATABASE_NAME_BYTES: usize = 128;

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

pub fn check_collection_name(name: &str, is_system: bool) -> Result<(), ArangoError> {
    if extended_name_ok(name, MAX_COLLECTION_NAME_BYTES, is_system) {
        Ok(())
    } else {
        Err(ArangoError::illegal_name(&format!(
            "collection name invalid: '{name}'"
        )))
    }
}

pub fn check_database_name(name: &str) -> Result<(), ArangoError> {
    if name == "_system" || extended_name_ok(name, MAX_DATABASE_NAME_BYTES, false) {
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
            assert!(check_collection_name(good, false).is_ok(), "{good}");
        }
        for bad in ["", "_users", "1abc", " a", "a ", "a/b", "a\u{1}b", ".a"] {
            assert_eq!(
                check_collection_name(bad, false).unwrap_err().error_num,
                1208,
                "{bad:?}"
            );
        }
        assert!(check_collection_name("_graphs", true).is_ok());
        assert!(check_collection_name(&"a".repeat(257), false).is_err());
        // "e" followed by a combining acute accent is not NFC.
        assert!(check_collection_name("cafe\u{301}", false).is_err());
    }

    #[test]
    fn database_names() {
        assert!(check_database_name("_system").is_ok());
        assert!(check_database_name("feature-store").is_ok());
        assert!(check_database_name("_other").is_err());
        assert!(check_database_name(&"d".repeat(129)).is_err());
    }
}
