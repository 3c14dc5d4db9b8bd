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
#[error("'{0}' is not an ArangoDB version (expected X.Y.Z, e.g. 3.12.10, or X.Y for X.Y.0)")]
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
    /// `--javascript.user-defined-functions` (3.10.4+): AQL queries may call
    /// JavaScript user functions (true by default; the option and the
    /// functions are gone in 4.0).
    pub user_defined_functions: bool,
    /// `--vector-index` (3.12.4+; `--experimental-vector-index` in 3.12.4
    /// and 3.12.5): the `vector` index type can be created. Off by default.
    pub vector_index: bool,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            version: Version::DEFAULT,
            role: Role::Single,
            user_defined_functions: true,
            vector_index: false,
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
        // arangod refuses to start with an option it does not know.
        if self.vector_index && !v.at_least(3, 12, 4) {
            return Err(format!(
                "--vector-index is an option of ArangoDB 3.12.4 and later, not of {v}"
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

    /// The coordinator's server id (`/_admin/server/id`, `/_admin/status`),
    /// or `None` on a single server, which has no cluster id.
    pub fn coordinator_id(&self) -> Option<&'static str> {
        self.is_cluster()
            .then_some("CRDN-006aa0a3-00bc-468c-89be-f7aeef647790")
    }

    /// The DB-Servers of the emulated cluster, in shard-placement order: three,
    /// as in the `_cluster` transcripts (`RestGetShardsWithDetails_cluster`).
    /// Empty on a single server.
    pub fn db_servers(&self) -> &'static [&'static str] {
        if self.is_cluster() {
            &[
                "PRMR-85cea042-59e3-4fa6-ba85-f1cef2e7f4c7",
                "PRMR-8081ad8c-c762-4bbc-90dc-418a6673afce",
                "PRMR-69091fdc-3377-4cd6-a29f-7774a6dd2ec9",
            ]
        } else {
            &[]
        }
    }

    /// `--cluster.min-replication-factor` and `--cluster.max-replication-factor`
    /// at their defaults (1 and 10).
    pub fn replication_factor_bounds(&self) -> (u64, u64) {
        (1, 10)
    }

    /// Sharding strategies a Community Edition coordinator accepts for a new
    /// collection (`UserInputCollectionProperties`); `hash` is the default.
    pub fn sharding_strategies(&self) -> &'static [&'static str] {
        &["hash", "community-compat", "enterprise-compat"]
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

    /// From 3.12.6 on, creating an inverted index under a name an index of
    /// the collection already has answers 400/1005 even when the definition
    /// is the same, where older versions return the existing index
    /// ("ensure"). Source: issue 10 (a 3.12.6+ behaviour; the exact
    /// server code path is UNVERIFIED).
    pub fn refuses_named_inverted_index_again(&self) -> bool {
        self.version.at_least(3, 12, 6)
    }

    /// AQL queries may call user functions: the API exists and the startup
    /// option `--javascript.user-defined-functions` is not false. The option
    /// does not touch `/_api/aqlfunction`: ArangoDB's own server-parameter
    /// test registers and unregisters a function with the option off, and
    /// only a query calling it fails, with a parse error (1501).
    pub fn allows_user_functions(&self) -> bool {
        self.serves_aql_functions() && self.user_defined_functions
    }

    /// `--database.extended-names` is on by default from 3.12.0 (3.12
    /// release notes, "API changes"); 3.11 enforces the traditional rules.
    pub fn extended_names(&self) -> bool {
        self.version.at_least(3, 12, 0)
    }

    /// Whether `POST /_api/index` knows the index type at all. `mdi` and
    /// `mdi-prefixed` arrive in 3.12 (3.11 has only the experimental `zkd`);
    /// `vector` in 3.12.4; 4.0 removes `fulltext` and the `hash`/`skiplist`
    /// aliases (4.x "API changes": creating them raises an error).
    pub fn knows_index_type(&self, index_type: &str) -> bool {
        match index_type {
            "mdi" | "mdi-prefixed" => self.version.at_least(3, 12, 0),
            "vector" => self.version.at_least(3, 12, 4),
            "fulltext" | "hash" | "skiplist" => self.version.major < 4,
            _ => true,
        }
    }

    /// Whether this version knows the analyzer type (one of
    /// [`crate::analyzers::TYPES`], the 3.12 list): `multi_delimiter` and
    /// `wildcard` are new in 3.12.0 (docs-hugo#392 adds `wildcard` to the
    /// 3.12 Analyzers page; arangodb-java-driver 7.6.0 supports both "for
    /// ArangoDB 3.12"), so a 3.11 server answers a create of either as it
    /// answers any type it does not know.
    pub fn knows_analyzer_type(&self, analyzer_type: &str) -> bool {
        const SINCE_3_12: &[&str] = &["multi_delimiter", "wildcard"];
        crate::analyzers::TYPES.contains(&analyzer_type)
            && (self.version.at_least(3, 12, 0) || !SINCE_3_12.contains(&analyzer_type))
    }

    /// Vector indexes can be created: the version has them and the server
    /// was started with `--vector-index`.
    pub fn vector_indexes_enabled(&self) -> bool {
        self.knows_index_type("vector") && self.vector_index
    }

    /// The `params.metric` values a vector index accepts: `cosine` and
    /// `l2`, plus `innerProduct` from 3.12.6.
    pub fn vector_metrics(&self) -> &'static [&'static str] {
        if self.version.at_least(3, 12, 6) {
            &["cosine", "innerProduct", "l2"]
        } else {
            &["cosine", "l2"]
        }
    }

    /// Vector indexes accept `storedValues` from 3.12.7.
    pub fn vector_stored_values(&self) -> bool {
        self.version.at_least(3, 12, 7)
    }

    /// From 3.12.9 a vector index can be created before there is enough
    /// data to train it and reports `trainingState` (and `errorMessage`
    /// while unusable); up to 3.12.8 creation fails instead.
    pub fn vector_trains_later(&self) -> bool {
        self.version.at_least(3, 12, 9)
    }

    /// Up to 3.12.9 a vector index whose training fails makes the creation
    /// fail; from 3.12.10 the index is created `unusable`.
    pub fn vector_training_failure_is_error(&self) -> bool {
        !self.version.at_least(3, 12, 10)
    }

    /// From 3.12.10 `GET /_api/index?withHidden=true` shows per-shard
    /// training details (`shards`) of vector indexes.
    pub fn vector_shard_details(&self) -> bool {
        self.version.at_least(3, 12, 10)
    }

    /// From 3.12.10 `params.nLists` is optional and may be a scaling
    /// specification; `numberOfDocsPerCentroid` is accepted.
    pub fn vector_nlists_scaling(&self) -> bool {
        self.version.at_least(3, 12, 10)
    }

    /// `GET /_api/engine`: `supports.indexes` and the index aliases, as the
    /// 3.11 and 3.12.10 transcripts (`RestEngine_single`) show them; 4.0
    /// drops `hash` and `skiplist` from both (4.x "API changes").
    pub fn engine_index_types(&self) -> (Vec<&'static str>, Vec<(&'static str, &'static str)>) {
        let mut types = vec!["primary", "edge"];
        let mut aliases = Vec::new();
        if self.knows_index_type("hash") {
            types.extend(["hash", "skiplist"]);
            aliases.extend([("hash", "persistent"), ("skiplist", "persistent")]);
        }
        types.extend(["ttl", "persistent", "geo"]);
        if self.knows_index_type("fulltext") {
            types.push("fulltext");
        }
        if self.knows_index_type("mdi") {
            types.extend(["mdi", "mdi-prefixed"]);
            aliases.push(("zkd", "mdi"));
        } else {
            types.push("zkd");
        }
        types.push("inverted");
        if self.vector_indexes_enabled() {
            types.push("vector");
        }
        (types, aliases)
    }

    /// `GET /_api/engine` of 3.11 still has `supports.dfdb: false`; 3.12
    /// dropped it and reports `endianness: "big"` instead (transcripts).
    pub fn engine_reports_dfdb(&self) -> bool {
        !self.version.at_least(3, 12, 0)
    }

    /// `GET /_admin/status` reports `mode` and `operationMode` up to 3.12;
    /// 4.0 removed them with the V8 engine (4.x "API changes").
    pub fn status_reports_mode(&self) -> bool {
        self.has_javascript()
    }

    /// The tier consolidation policy of 3.12.7 and later (recorded by the
    /// 3.12.10 transcripts; the arangodb-java-driver change "ConsolidationPolicy
    /// for ArangoDB v3.12.7" dates it). Before: the 3.11 policy (recorded by
    /// the 3.11 transcripts). UNVERIFIED for 3.12.0-3.12.6, whose docs show
    /// intermediate defaults; the 3.11 ones are used.
    fn has_skew_consolidation(&self) -> bool {
        self.version.at_least(3, 12, 7)
    }

    /// Default `consolidationIntervalMsec` of views and inverted indexes.
    pub fn search_consolidation_interval_msec(&self) -> u64 {
        if self.has_skew_consolidation() {
            5000
        } else {
            1000
        }
    }

    /// Default `consolidationPolicy` of views and inverted indexes.
    pub fn search_consolidation_policy(&self) -> serde_json::Value {
        if self.has_skew_consolidation() {
            serde_json::json!({"type": "tier", "segmentsBytesMax": 8_589_934_592_u64,
                               "maxSkewThreshold": 0.4, "minDeletionRatio": 0.5})
        } else {
            serde_json::json!({"type": "tier", "segmentsBytesFloor": 2_097_152,
                               "segmentsBytesMax": 5_368_709_120_u64, "segmentsMax": 10,
                               "segmentsMin": 1, "minScore": 0})
        }
    }

    /// Views and inverted indexes report `optimizeTopK` (new in 3.12; absent
    /// from the 3.11 transcripts).
    pub fn search_has_optimize_top_k(&self) -> bool {
        self.version.at_least(3, 12, 0)
    }

    /// Views can be renamed: a coordinator refuses with 1470 (ArangoDB's
    /// `Search::renameImpl`/`IResearchViewCoordinator::renameImpl`;
    /// python-arango's test_view.py skips renaming in a cluster).
    pub fn renames_views(&self) -> bool {
        !self.is_cluster()
    }

    /// The order in which `GET /_api/analyzer` lists the built-in analyzers
    /// (a hash order, recorded by `RestAnalyzersGet_single` of each version).
    pub fn builtin_analyzer_order(&self) -> &'static [&'static str] {
        if self.version.at_least(3, 12, 0) {
            &[
                "text_es", "text_nl", "identity", "text_de", "text_no", "text_pt", "text_ru",
                "text_en", "text_it", "text_fi", "text_sv", "text_zh", "text_fr",
            ]
        } else {
            &[
                "text_fi", "text_ru", "text_es", "text_de", "text_en", "text_it", "text_no",
                "text_zh", "identity", "text_fr", "text_nl", "text_pt", "text_sv",
            ]
        }
    }

    /// Query statistics include `documentLookups`, `seeks` and
    /// `searchParallelism` (3.12 transcripts; absent from 3.11's).
    pub fn reports_lookup_statistics(&self) -> bool {
        self.version.at_least(3, 12, 0)
    }

    /// Collection properties report `supportsRBAC` from 3.12.8 on: the
    /// documentation's recorded 3.12 examples first show it when regenerated
    /// with 3.12.8 (docs-hugo `site/data/3.12/cache.json`, 2026-03), not with
    /// 3.12.7; the 3.11 transcripts never show it. 4.0 is developed after
    /// 3.12.8 and keeps it (the Go driver v3 lists it in the replication
    /// inventory); the 4.x examples without it were recorded by older builds.
    pub fn collections_report_supports_rbac(&self) -> bool {
        self.version.at_least(3, 12, 8)
    }

    /// The system collections every database gets, in name order. 3.11 also
    /// has `_pregel_queries` (the 3.11 transcript `arangosh_list_collections_single`);
    /// Pregel is removed from 3.12 on ("deprecated and removed features").
    pub fn system_collections(&self) -> &'static [&'static str] {
        if self.version.at_least(3, 12, 0) {
            &[
                "_analyzers",
                "_appbundles",
                "_apps",
                "_aqlfunctions",
                "_frontend",
                "_graphs",
                "_jobs",
                "_queues",
            ]
        } else {
            &[
                "_analyzers",
                "_appbundles",
                "_apps",
                "_aqlfunctions",
                "_frontend",
                "_graphs",
                "_jobs",
                "_pregel_queries",
                "_queues",
            ]
        }
    }

    /// The message of error 1203 when an AQL query names an unknown
    /// collection: 3.11 prefixes `AQL: ` and appends ` (while parsing)`, 3.12
    /// reports the plain message (`RestCursorCreateCursorUnknownCollection_single`
    /// of each version's transcripts).
    pub fn aql_collection_not_found_message(&self, name: &str) -> String {
        if self.version.at_least(3, 12, 0) {
            format!("collection or view not found: {name}")
        } else {
            format!("AQL: collection or view not found: {name} (while parsing)")
        }
    }

    /// `GET /_api/key-generators`, in the server's order. The list leads
    /// with `upgrade` from 3.12.6 on: the documentation's recorded 3.12
    /// example shows it from its 3.12.6 regeneration (docs-hugo history of
    /// `site/data/3.12/cache.json`), not with 3.12.0 to 3.12.5.
    pub fn key_generators(&self) -> &'static [&'static str] {
        if self.version.at_least(3, 12, 6) {
            &["upgrade", "padded", "uuid", "autoincrement", "traditional"]
        } else {
            &["padded", "uuid", "autoincrement", "traditional"]
        }
    }

    /// `GET /_api/version` names the HTTP API versions (`apiVersions`,
    /// `deprecatedApiVersions`, `requestedApiVersion`): the 3.12.10
    /// transcripts show them, 3.11.14 and the 3.12.0 nightly do not.
    pub fn reports_api_versions(&self) -> bool {
        self.version.major == 3 && self.version.at_least(3, 12, 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default profile at `version`.
    fn at(version: &str) -> Profile {
        Profile {
            version: version.parse().unwrap(),
            ..Profile::default()
        }
    }

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
    fn analyzer_types_of_3_12_are_unknown_to_3_11() {
        for new_type in ["multi_delimiter", "wildcard"] {
            assert!(!at("3.11.14").knows_analyzer_type(new_type));
            assert!(at("3.12.0").knows_analyzer_type(new_type));
            assert!(at("4.0.0").knows_analyzer_type(new_type));
        }
        assert!(at("3.11.14").knows_analyzer_type("text"));
        assert!(at("3.11.14").knows_analyzer_type("geo_s2"));
        assert!(!at("3.12.10").knows_analyzer_type("nope"));
    }

    #[test]
    fn named_inverted_index_recreate_is_refused_from_3_12_6() {
        assert!(!at("3.11.14").refuses_named_inverted_index_again());
        assert!(!at("3.12.5").refuses_named_inverted_index_again());
        assert!(at("3.12.6").refuses_named_inverted_index_again());
        assert!(at("3.12.10").refuses_named_inverted_index_again());
        assert!(at("4.0.0").refuses_named_inverted_index_again());
    }

    #[test]
    fn only_modelled_versions_are_accepted() {
        assert!(at("3.11.14").check().is_ok());
        assert!(at("4.0.0").check().is_ok());
        assert!(at("3.10.0").check().is_err());
        let vector = |v: &str| Profile {
            vector_index: true,
            ..at(v)
        };
        assert!(vector("3.12.3").check().is_err());
        assert!(vector("3.12.4").check().is_ok());
    }

    #[test]
    fn supports_rbac_from_3_12_8() {
        assert!(!at("3.11.14").collections_report_supports_rbac());
        assert!(!at("3.12.7").collections_report_supports_rbac());
        assert!(at("3.12.8").collections_report_supports_rbac());
        assert!(at("3.12.10").collections_report_supports_rbac());
        assert!(at("4.0.0").collections_report_supports_rbac());
    }

    #[test]
    fn aql_unknown_collection_message_by_version() {
        assert_eq!(
            at("3.11.14").aql_collection_not_found_message("c"),
            "AQL: collection or view not found: c (while parsing)"
        );
        assert_eq!(
            at("3.12.10").aql_collection_not_found_message("c"),
            "collection or view not found: c"
        );
    }

    #[test]
    fn upgrade_key_generator_from_3_12_6() {
        assert_eq!(at("3.12.5").key_generators()[0], "padded");
        assert_eq!(at("3.12.6").key_generators()[0], "upgrade");
        assert_eq!(at("4.0.0").key_generators().len(), 5);
    }

    #[test]
    fn pregel_system_collection_only_before_3_12() {
        assert!(at("3.11.14")
            .system_collections()
            .contains(&"_pregel_queries"));
        assert!(!at("3.12.0")
            .system_collections()
            .contains(&"_pregel_queries"));
        assert_eq!(at("3.12.10").system_collections().len(), 8);
    }

    #[test]
    fn index_types_by_version() {
        let v311 = at("3.11.14");
        assert!(!v311.knows_index_type("mdi") && !v311.knows_index_type("mdi-prefixed"));
        assert!(v311.knows_index_type("zkd") && v311.knows_index_type("fulltext"));
        let v312 = at("3.12.0");
        assert!(v312.knows_index_type("mdi") && !v312.knows_index_type("vector"));
        let v40 = at("4.0.0");
        for removed in ["fulltext", "hash", "skiplist"] {
            assert!(!v40.knows_index_type(removed), "{removed}");
        }
        assert!(v40.knows_index_type("persistent") && v40.knows_index_type("mdi"));
    }

    #[test]
    fn vector_steps_of_3_12() {
        let mut profile = at("3.12.4");
        assert!(profile.knows_index_type("vector"));
        assert!(!profile.vector_indexes_enabled(), "needs --vector-index");
        profile.vector_index = true;
        assert!(profile.vector_indexes_enabled());
        assert_eq!(profile.vector_metrics(), ["cosine", "l2"]);
        assert!(!profile.vector_stored_values() && !profile.vector_trains_later());
        let profile = Profile {
            vector_index: true,
            ..at("3.11.14")
        };
        assert!(!profile.vector_indexes_enabled());
        assert_eq!(
            at("3.12.6").vector_metrics(),
            ["cosine", "innerProduct", "l2"]
        );
        assert!(at("3.12.7").vector_stored_values());
        assert!(at("3.12.9").vector_trains_later() && !at("3.12.9").vector_nlists_scaling());
        assert!(at("3.12.10").vector_nlists_scaling());
    }

    #[test]
    fn names_status_and_engine() {
        assert!(!at("3.11.14").extended_names() && at("3.12.0").extended_names());
        assert!(at("3.11.14").engine_reports_dfdb() && !at("3.12.10").engine_reports_dfdb());
        assert!(at("3.12.10").status_reports_mode() && !at("4.0.0").status_reports_mode());
        let (types, aliases) = at("4.0.0").engine_index_types();
        assert!(!types.contains(&"hash") && !types.contains(&"fulltext"));
        assert_eq!(aliases, vec![("zkd", "mdi")]);
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
