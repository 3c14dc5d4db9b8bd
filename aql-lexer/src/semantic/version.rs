//! Which server the checks answer for: its version (the functions it knows
//! differ: [`super::function_list`] rows carry `since`/`removed_in`) and how
//! far it takes a query before it answers (parse only, or prepare it for
//! execution too).

use std::fmt;
use std::str::FromStr;

/// An ArangoDB server version, `major.minor.patch`.
///
/// Ordered as versions are (`3.11.14 < 3.12.0 < 4.0.0`). Parsed from
/// `"3.12"`, `"3.12.4"` or `"4.0.0-devel"` (what follows the third number is
/// ignored); a missing part is 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AqlVersion {
    pub major: u16,
    pub minor: u16,
    pub patch: u16,
}

impl AqlVersion {
    /// ArangoDB 3.11.0.
    pub const V3_11: AqlVersion = AqlVersion::new(3, 11, 0);
    /// ArangoDB 3.12.0, the version [`crate::check_query`] answers for.
    pub const V3_12: AqlVersion = AqlVersion::new(3, 12, 0);
    /// ArangoDB 4.0.0.
    pub const V4_0: AqlVersion = AqlVersion::new(4, 0, 0);

    /// The version `major.minor.patch`.
    pub const fn new(major: u16, minor: u16, patch: u16) -> Self {
        AqlVersion {
            major,
            minor,
            patch,
        }
    }
}

impl Default for AqlVersion {
    /// 3.12.0.
    fn default() -> Self {
        AqlVersion::V3_12
    }
}

impl fmt::Display for AqlVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Why a version string was not understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidVersion(pub String);

impl fmt::Display for InvalidVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid ArangoDB version '{}' (expected MAJOR.MINOR[.PATCH])",
            self.0
        )
    }
}

impl std::error::Error for InvalidVersion {}

impl FromStr for AqlVersion {
    type Err = InvalidVersion;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidVersion(text.to_string());
        // "3.12.4-devel", "3.12.4+build": the suffix does not matter here.
        let core = text.trim().split(['-', '+']).next().unwrap_or("");
        let mut parts = core.split('.');
        let mut number = |required: bool| -> Result<u16, InvalidVersion> {
            match parts.next() {
                Some(part) => part.parse::<u16>().map_err(|_| invalid()),
                None if required => Err(invalid()),
                None => Ok(0),
            }
        };
        let version = AqlVersion::new(number(true)?, number(true)?, number(false)?);
        if parts.next().is_some() {
            return Err(invalid());
        }
        Ok(version)
    }
}

/// How far the server takes a query before it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CheckStage {
    /// Parse only: what `POST /_api/query` answers (the grammar and the
    /// checks made while the parser builds the syntax tree).
    #[default]
    Parse,
    /// Parse, then prepare for execution as a cursor (`POST /_api/cursor`)
    /// or an explain (`POST /_api/explain`) does before it touches any
    /// data: `Ast::validateAndOptimize` (see `semantic/execution.rs`).
    Execution,
}

/// What [`crate::check_query_with`] checks against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CheckOptions {
    /// The server version answering (default 3.12.0).
    pub version: AqlVersion,
    /// How far the server takes the query (default: parse only).
    pub stage: CheckStage,
}

/// Parses a `since`/`removed_in` string of the function list ("3.12",
/// "4.0"); the list only holds valid ones (a test checks every row).
pub(crate) fn list_version(text: &str) -> Option<AqlVersion> {
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_order() {
        assert_eq!("3.12".parse(), Ok(AqlVersion::new(3, 12, 0)));
        assert_eq!("3.12.4".parse(), Ok(AqlVersion::new(3, 12, 4)));
        assert_eq!("4.0.0-devel".parse(), Ok(AqlVersion::V4_0));
        assert_eq!(" 3.11.14 ".parse(), Ok(AqlVersion::new(3, 11, 14)));
        for bad in ["", "3", "3.x", "3.12.1.1", "v3.12", "-1.0"] {
            assert_eq!(
                bad.parse::<AqlVersion>(),
                Err(InvalidVersion(bad.to_string())),
                "{bad}"
            );
        }
        assert!(AqlVersion::new(3, 11, 14) < AqlVersion::V3_12);
        assert!(AqlVersion::new(3, 12, 10) < AqlVersion::V4_0);
        assert_eq!(AqlVersion::default(), AqlVersion::V3_12);
        assert_eq!(AqlVersion::new(3, 12, 4).to_string(), "3.12.4");
    }
}
