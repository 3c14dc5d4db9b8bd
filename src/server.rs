//! The server a run plans against: its version, role and the startup
//! options that decide what it can hold.
//!
//! A live run reads these once (see `live::read`); offline commands take
//! them from `--target-version`. Every version difference arangosync knows
//! is a row of data in one table (this module), never an `if` on a
//! version number spread over the code.
//!
//! Versions are compared as `major.minor.patch`; a target written `X.Y`
//! means `X.Y.0`, the first release of that line, so a spec tree that
//! validates against `3.12` holds on every 3.12.x.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// An ArangoDB release, `major.minor.patch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Version {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Version {
        Version {
            major,
            minor,
            patch,
        }
    }

    /// True from `other` on.
    pub fn at_least(self, other: Version) -> bool {
        self >= other
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Why a version string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an ArangoDB version (expected X.Y or X.Y.Z, e.g. 3.12 or 3.12.10)")]
pub struct VersionError(pub String);

impl FromStr for Version {
    type Err = VersionError;

    /// Parses `3.12`, `3.12.10`, and what servers report after the numbers
    /// (`3.12.4-devel`, `3.12.10-1`): only the leading numbers count.
    fn from_str(text: &str) -> Result<Version, VersionError> {
        let error = || VersionError(text.to_string());
        let numbers = text
            .trim()
            .split(['-', '+', ' '])
            .next()
            .unwrap_or_default();
        let mut parts = numbers.split('.');
        let mut number = |required: bool| -> Result<u32, VersionError> {
            match parts.next() {
                Some(part) => part.parse().map_err(|_| error()),
                None if required => Err(error()),
                None => Ok(0),
            }
        };
        let version = Version::new(number(true)?, number(true)?, number(false)?);
        if parts.next().is_some() {
            return Err(error());
        }
        Ok(version)
    }
}

/// Where the facts about the server come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Read from the server this run talks to.
    Live,
    /// Given with `--target-version` to an offline command: startup
    /// options are unknown and assumed to allow what the version allows.
    Target,
}

/// What the server can hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Server {
    pub version: Version,
    /// A cluster coordinator (`false`: a single server, or unknown offline).
    pub cluster: bool,
    /// JavaScript user-defined AQL functions can be registered and called:
    /// the version has them (not 4.0) and `--javascript.user-defined-functions`
    /// is not false.
    pub user_functions: bool,
    /// The `vector` index type can be created: 3.12.4+ started with
    /// `--vector-index`.
    pub vector_index: bool,
    pub source: Source,
}

impl Server {
    /// An offline target: what `version` allows with every startup option
    /// that matters on (UDFs where the version has them, vector indexes).
    pub fn target(version: Version) -> Server {
        Server {
            version,
            cluster: false,
            user_functions: version < Version::new(4, 0, 0),
            vector_index: version.at_least(Version::new(3, 12, 4)),
            source: Source::Target,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_order() {
        assert_eq!("3.12".parse(), Ok(Version::new(3, 12, 0)));
        assert_eq!("3.12.10".parse(), Ok(Version::new(3, 12, 10)));
        assert_eq!("3.12.4-devel".parse(), Ok(Version::new(3, 12, 4)));
        assert_eq!("4.0.0".parse(), Ok(Version::new(4, 0, 0)));
        assert!("3".parse::<Version>().is_err());
        assert!("3.12.1.2".parse::<Version>().is_err());
        assert!("three".parse::<Version>().is_err());
        assert!(Version::new(3, 12, 10) > Version::new(3, 12, 9));
        assert!(Version::new(4, 0, 0).at_least(Version::new(3, 12, 10)));
    }

    #[test]
    fn an_offline_target_assumes_the_options_are_on() {
        let old = Server::target(Version::new(3, 11, 0));
        assert!(old.user_functions && !old.vector_index);
        let four = Server::target(Version::new(4, 0, 0));
        assert!(!four.user_functions && four.vector_index);
    }
}
