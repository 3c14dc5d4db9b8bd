//! Which ArangoDB server the emulator pretends to be: its version, its role
//! (single server or cluster coordinator) and the startup options that change
//! what the HTTP API accepts.
//!
//! Every behaviour that differs between versions or deployments is decided by
//! a method here, so a difference is data in one place instead of version
//! comparisons spread over the route handlers. The facts come from the
//! ArangoDB release notes and the recorded server transcripts in
//! `shared/arangodb-transcripts/` (3.11, 3.12.10, 4.x).

use std::fmt;
use std::str::FromStr;

/// An ArangoDB release, `major.minor.patch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Version {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Version {
            major,
            minor,
            patch,
        }
    }

    /// The version the emulator reports when none is given: the newest 3.12
    /// the recorded transcripts were made with.
    pub const DEFAULT: Version = Version::new(3, 12, 10);

    /// True from `major.minor.patch` on.
    pub fn at_least(self, major: u32, minor: u32, patch: u32) -> bool {
        self >= Version::new(major, minor, patch)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Errors of [`Version::from_str`]: the text that is not `X.Y.Z` (or `X.Y`).
#[derive(Debug, thiserror::Error)]
#[error("'{0}' is not an ArangoDB version (expected X.Y.Z, e.g. 3.12.10)")]
pub struct VersionParseError(String);

impl FromStr for Version {
    type Err = VersionParseError;

    /// Parses `3.12.10` or `3.12` (patch 0). Only 3.11, 3.12 and 4.0 are
    /// emulated; other versions parse but are refused by [`Profile::check`].
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || VersionParseError(text.to_string());
        let mut parts = text.trim().split('.');
        let mut next = |required: bool| -> Result<u32, VersionParseError> {
            match parts.next() {
                Some(part) => part.parse().map_err(|_| err()),
                None if required => Err(err()),
                None => Ok(0),
            }
        };
        let version = Version::new(next(true)?, next(true)?, next(false)?);
        if parts.next().is_some() {
            return Err(err());
        }
        Ok(version)
    }
}

/// The server's role in a deployment, as `GET /_admin/server/role` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// A single server (`SINGLE`).
    #[default]
    Single,
    /// A cluster coordinator (`COORDINATOR`): the server clients talk to in a
    /// cluster.
    Coordinator,
}

impl Role {
    /// The name `/_admin/server/role` and `/_api/version?details=true` report.
    pub fn server_name(self) -> &'static str {
        match self {
            Role::Single => "SINGLE",
            Role::Coordinator => "COORDINATOR",
        }
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "single" => Ok(Role::Single),
            "coordinator" => Ok(Role::Coordinator),
            _ => Err(format!(
                "'{text}' is not a role the emulator serves (single, coordinator)"
            )),
        }
    }
}

/// Who the emulator is: version, role and the startup options that matter
/// to clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub version: Version,
    pub role: Role,
    /// `--javascript.user-defined-functions`: JavaScript AQL user functions
    /// may be registered and called (true by default up to 3.12; the option
    /// and the functions are gone in 4.0).
    pub user_defined_functions: bool,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            version: Version::DEFAULT,
            role: Role::Single,
            user_defined_functions: true,
        }
    }
}

impl Profile {
    /// Refuses versions the emulator does not model (only 3.11, 3.12 and
    /// 4.0 are), with a message for the command line.
    pub fn check(&self) -> Result<(), String> {
        let v = self.version;
        let known = matches!((v.major, v.minor), (3, 11) | (3, 12) | (4, 0));
        if !known {
            return Err(format!(
                "ArangoDB {v} is not emulated; choose a 3.11.x, 3.12.x or 4.0.x version"
            ));
        }
        Ok(())
    }

    /// The version string the server reports.
    pub fn version_string(&self) -> String {
        self.version.to_string()
    }

    /// True on a cluster coordinator.
    pub fn is_cluster(&self) -> bool {
        self.role == Role::Coordinator
    }

    /// ArangoDB 4.0 removed JavaScript: user-defined AQL functions, JS
    /// transactions, Foxx. (4.x release notes, "deprecated and removed").
    pub fn has_javascript(&self) -> bool {
        self.version.major < 4
    }

    /// `/_api/aqlfunction` is served (it is gone with JavaScript in 4.0).
    pub fn serves_aql_functions(&self) -> bool {
        self.has_javascript()
    }

    /// User functions can be registered: the API exists and the startup
    /// option `--javascript.user-defined-functions` is not false.
    pub fn allows_user_functions(&self) -> bool {
        self.serves_aql_functions() && self.user_defined_functions
    }

    /// Query statistics include `documentLookups`, `seeks` and
    /// `searchParallelism` (3.12 transcripts; absent from 3.11's).
    pub fn reports_lookup_statistics(&self) -> bool {
        self.version.at_least(3, 12, 0)
    }

    /// `GET /_api/version` names the HTTP API versions (`apiVersions`,
    /// `deprecatedApiVersions`, `requestedApiVersion`): the 3.12.10
    /// transcripts show them, 3.11.14 and the 3.12.0 nightly do not.
    pub fn reports_api_versions(&self) -> bool {
        self.version.major == 3 && self.version.at_least(3, 12, 10)
    }

    /// The body of `GET /_api/engine`: the index types the storage engine
    /// supports and their aliases. 3.11 lists `zkd` and `dfdb`; 3.12 renamed
    /// `zkd` to `mdi` (kept as an alias), added `mdi-prefixed` and reports
    /// the key `endianness` (transcripts `RestEngine_single`).
    pub fn engine_description(&self) -> serde_json::Value {
        if self.version.at_least(3, 12, 0) {
            serde_json::json!({
                "name": "rocksdb",
                "supports": {
                    "indexes": ["primary", "edge", "hash", "skiplist", "ttl", "persistent", "geo", "fulltext", "mdi", "mdi-prefixed", "inverted"],
                    "aliases": {"indexes": {"hash": "persistent", "skiplist": "persistent", "zkd": "mdi"}},
                },
                "endianness": "big",
            })
        } else {
            serde_json::json!({
                "name": "rocksdb",
                "supports": {
                    "dfdb": false,
                    "indexes": ["primary", "edge", "hash", "skiplist", "ttl", "persistent", "geo", "fulltext", "zkd", "inverted"],
                    "aliases": {"indexes": {"hash": "persistent", "skiplist": "persistent"}},
                },
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_order() {
        assert_eq!(
            "3.12.10".parse::<Version>().unwrap(),
            Version::new(3, 12, 10)
        );
        assert_eq!("4.0".parse::<Version>().unwrap(), Version::new(4, 0, 0));
        assert!("3".parse::<Version>().is_err());
        assert!("3.12.x".parse::<Version>().is_err());
        assert!("3.12.1.2".parse::<Version>().is_err());
        assert!(Version::new(3, 12, 10) > Version::new(3, 12, 9));
        assert!(Version::new(3, 12, 9).at_least(3, 12, 6));
    }

    #[test]
    fn only_modelled_versions_are_accepted() {
        let with = |v: &str| Profile {
            version: v.parse().unwrap(),
            ..Profile::default()
        };
        assert!(with("3.11.14").check().is_ok());
        assert!(with("4.0.0").check().is_ok());
        assert!(with("3.10.0").check().is_err());
    }

    #[test]
    fn user_functions_need_javascript_and_the_option() {
        let mut profile = Profile::default();
        assert!(profile.allows_user_functions());
        profile.user_defined_functions = false;
        assert!(profile.serves_aql_functions());
        assert!(!profile.allows_user_functions());
        profile.version = Version::new(4, 0, 0);
        profile.user_defined_functions = true;
        assert!(!profile.serves_aql_functions());
    }
}
