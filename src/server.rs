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

use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::model::{Analyzer, Index, View};

/// An ArangoDB release, `major.minor.patch`. Serialised as its text
/// (`"3.12.10"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
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

/// The oldest release arangosync supports.
const OLDEST_SUPPORTED: Version = Version::new(3, 11, 0);
/// The newest major line arangosync knows (`4.x`); a later major is a
/// server whose differences are not in the version table.
const NEWEST_KNOWN_MAJOR: u32 = 4;

/// Why a target version is not one arangosync can check specs against.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "ArangoDB {0} is not a version arangosync supports: the supported servers are 3.11, \
     3.12.x and 4.x"
)]
pub struct UnsupportedVersion(pub Version);

impl Version {
    /// This version when arangosync supports servers of it: 3.11.x, 3.12.x
    /// and 4.x, the lines the version table describes and the emulator
    /// models. Older lines predate features the table assumes every
    /// server has (inverted indexes and `search-alias` views are 3.10,
    /// the 3.11 ArangoSearch answers); a later line may change anything.
    ///
    /// Errors: [`UnsupportedVersion`], naming the supported lines.
    pub fn supported(self) -> Result<Version, UnsupportedVersion> {
        let known_line = match self.major {
            3 => matches!(self.minor, 11 | 12),
            major => major == NEWEST_KNOWN_MAJOR,
        };
        if self >= OLDEST_SUPPORTED && known_line {
            Ok(self)
        } else {
            Err(UnsupportedVersion(self))
        }
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

impl Server {
    /// What a live server can hold, from its answers (pure, so the reading
    /// is unit-tested without a server):
    /// * `version`: the body of `GET /_api/version` (`version`, e.g.
    ///   `"3.12.10"`);
    /// * `engine`: the body of `GET /_api/engine`, whose `supports.indexes`
    ///   lists `vector` only when the server was started with the vector
    ///   index option;
    /// * `cluster`: `/_admin/server/role` said `COORDINATOR`;
    /// * `user_functions`: see [`user_functions_available`].
    ///
    /// Errors: the version is missing or not a version.
    pub fn from_live(
        version: &Value,
        engine: &Value,
        cluster: bool,
        user_functions: bool,
    ) -> Result<Server, String> {
        let text = version["version"]
            .as_str()
            .ok_or_else(|| format!("no `version` in {version}"))?;
        let version: Version = text.parse().map_err(|err: VersionError| err.to_string())?;
        let vector_index = engine["supports"]["indexes"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|index_type| index_type.as_str() == Some("vector"));
        Ok(Server {
            version,
            cluster,
            user_functions,
            vector_index,
            source: Source::Live,
        })
    }

    /// "the server is 3.12.10" or "the target is 3.12.0": who the version
    /// belongs to, for messages.
    fn subject(&self) -> String {
        match self.source {
            Source::Live => format!("the server is {}", self.version),
            Source::Target => format!("the target is {}", self.version),
        }
    }

    fn has(&self, option: StartupOption) -> bool {
        match option {
            StartupOption::VectorIndex => self.vector_index,
        }
    }
}

/// One line for plan output, worded as facts of the server (the plan turns
/// nothing on): "ArangoDB 3.12.10, single server (vector indexes enabled,
/// user functions allowed)" (a target: "ArangoDB 3.12.0 as the target
/// version (startup options assumed enabled)").
impl fmt::Display for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let enabled = |flag: bool| if flag { "enabled" } else { "disabled" };
        let allowed = |flag: bool| if flag { "allowed" } else { "not allowed" };
        match self.source {
            Source::Live => write!(
                f,
                "ArangoDB {}, {} (vector indexes {}, user functions {})",
                self.version,
                if self.cluster {
                    "cluster coordinator"
                } else {
                    "single server"
                },
                enabled(self.vector_index),
                allowed(self.user_functions)
            ),
            Source::Target => write!(
                f,
                "ArangoDB {} as the target version (startup options assumed enabled)",
                self.version
            ),
        }
    }
}

/// How the user-function probe (`POST /_api/query` parsing a call of a
/// function in arangosync's namespace) came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunctionProbe {
    /// The query parsed: calls of user functions are allowed.
    Parsed,
    /// 400 with errorNum 1501: the server refuses to parse calls of user
    /// functions (`--javascript.user-defined-functions false`).
    Refused,
}

/// Whether user-defined AQL functions can be registered and called:
/// `function_api` is false when `/_api/aqlfunction` is an unknown path
/// (ArangoDB 4.0 removed it); a 3.10+ server started with
/// `--javascript.user-defined-functions false` still serves that API but
/// refuses to parse a query that calls one (shared/ARANGODB_API.md 5.4 and
/// 6; the emulator's `check_user_function_calls`).
pub fn user_functions_available(function_api: bool, probe: FunctionProbe) -> bool {
    function_api && probe == FunctionProbe::Parsed
}

/// The query the user-function probe parses (never runs): a call of a
/// function that need not exist, since the parser does not look user
/// functions up (shared/ARANGODB_API.md 5.4).
pub fn function_probe_query(namespace: &str) -> String {
    format!(
        "RETURN {}::ARANGOSYNC_PROBE()",
        namespace.to_ascii_uppercase()
    )
}

/// A startup option a feature needs besides the version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum StartupOption {
    /// `--vector-index` (`--experimental-vector-index` in 3.12.4 and
    /// 3.12.5, per the emulator's profile notes and the 3.12 docs change
    /// that renamed it, arangodb/docs-hugo#803).
    VectorIndex,
}

impl StartupOption {
    /// The option as current releases spell it.
    pub fn current_flag(self) -> &'static str {
        match self {
            StartupOption::VectorIndex => "--vector-index",
        }
    }

    /// The option as every version that has it spells it, for messages
    /// that name no one version: "`--vector-index`
    /// (`--experimental-vector-index` on 3.12.4 and 3.12.5)".
    pub fn every_spelling(self) -> &'static str {
        match self {
            StartupOption::VectorIndex => {
                "`--vector-index` (`--experimental-vector-index` on 3.12.4 and 3.12.5)"
            }
        }
    }

    /// The option as a server of `version` spells it.
    pub fn flag(self, version: Version) -> &'static str {
        match self {
            StartupOption::VectorIndex if version < Version::new(3, 12, 6) => {
                "--experimental-vector-index"
            }
            StartupOption::VectorIndex => "--vector-index",
        }
    }
}

/// What one spec feature needs from the server: a row of the version
/// table. `what` is user-facing ("index type `fulltext`").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Requirement {
    pub what: &'static str,
    /// The first release that accepts it (`None`: every supported one).
    pub since: Option<Version>,
    /// The first release that warns about it (still accepted).
    pub deprecated_in: Option<Version>,
    /// The first release that refuses it.
    pub removed_in: Option<Version>,
    /// Needed on top of `since`.
    pub startup_option: Option<StartupOption>,
    /// What to write instead, for messages ("" when nothing).
    pub instead: &'static str,
    /// Where in the object the feature is written (`type`, `params.metric`),
    /// for diagnostics' locations.
    #[serde(skip)]
    pub attribute: &'static str,
}

/// Whether a server can hold a feature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Holds,
    /// Accepted, with this warning.
    Deprecated(String),
    /// Refused, for this reason (names the version and option needed).
    Refused(String),
}

impl Requirement {
    /// Checks the row against `server`. An offline target assumes the
    /// startup options are on ([`Server::target`]). The messages do not
    /// include [`Requirement::instead`]; callers add it as a hint.
    pub fn check(&self, server: &Server) -> Verdict {
        let version = server.version;
        if let Some(removed) = self.removed_in.filter(|removed| version >= *removed) {
            return Verdict::Refused(format!(
                "{} was removed in ArangoDB {removed}; {}",
                self.what,
                server.subject()
            ));
        }
        if let Some(since) = self.since.filter(|since| version < *since) {
            let option = self
                .startup_option
                .map(|option| format!(" started with {}", option.every_spelling()))
                .unwrap_or_default();
            return Verdict::Refused(format!(
                "{} needs ArangoDB {since} or later{option}; {}",
                self.what,
                server.subject()
            ));
        }
        if let Some(option) = self.startup_option.filter(|option| !server.has(*option)) {
            let flag = option.flag(version);
            return Verdict::Refused(format!(
                "{} needs the server started with `{flag}`; {} without {flag}",
                self.what,
                server.subject()
            ));
        }
        if let Some(deprecated) = self.deprecated_in.filter(|since| version >= *since) {
            let removal = self
                .removed_in
                .map(|removed| format!(" and removed in ArangoDB {removed}"))
                .unwrap_or_default();
            return Verdict::Deprecated(format!(
                "{} is deprecated since ArangoDB {deprecated}{removal}; {}",
                self.what,
                server.subject()
            ));
        }
        Verdict::Holds
    }
}

/// A row of the index table: the requirement, and which indexes it is
/// about. `written_type` is the type as the spec wrote it (`hash` and
/// `skiplist` are read as `persistent`, see `spec/index.rs`).
struct IndexRow {
    requirement: Requirement,
    applies: fn(index: &Index, written_type: &str) -> bool,
}

const fn row(
    attribute: &'static str,
    what: &'static str,
    since: Option<Version>,
    deprecated_in: Option<Version>,
    removed_in: Option<Version>,
    startup_option: Option<StartupOption>,
    instead: &'static str,
) -> Requirement {
    Requirement {
        what,
        since,
        deprecated_in,
        removed_in,
        startup_option,
        instead,
        attribute,
    }
}

const V3_9: Version = Version::new(3, 9, 0);
const V3_10: Version = Version::new(3, 10, 0);
const V3_12: Version = Version::new(3, 12, 0);
const V3_12_4: Version = Version::new(3, 12, 4);
const V3_12_6: Version = Version::new(3, 12, 6);
const V3_12_7: Version = Version::new(3, 12, 7);
const V3_12_10: Version = Version::new(3, 12, 10);
const V4_0: Version = Version::new(4, 0, 0);

fn vector_params(index: &Index) -> Option<&serde_json::Map<String, Value>> {
    if index.index_type != "vector" {
        return None;
    }
    index.options.get("params").and_then(Value::as_object)
}

/// The version table for indexes. Each row names its source.
const INDEX_ROWS: &[IndexRow] = &[
    // Deprecated in 3.10 (3.10 HTTP API docs: "The fulltext index type is
    // deprecated from version 3.10 onwards"); removed in 4.0 (4.x release
    // notes, deprecated-and-removed-features; the 4.x `GET /_api/engine`
    // the emulator models no longer lists it).
    IndexRow {
        requirement: row(
            "type",
            "index type `fulltext`",
            None,
            Some(V3_10),
            Some(V4_0),
            None,
            "use an inverted index or an ArangoSearch view",
        ),
        applies: |index, _| index.index_type == "fulltext",
    },
    // Aliases of `persistent`, deprecated in 3.9 (3.10 "Deprecated and
    // removed features": "Skiplist and hash indexes have been deprecated
    // in 3.9"); creating them is an error in 4.0 (4.x API changes). The
    // loader already warns about the alias whatever the target, so
    // `validate` reports only the removal from this row.
    IndexRow {
        requirement: row(
            "type",
            "index type `hash`",
            None,
            Some(V3_9),
            Some(V4_0),
            None,
            "write `type: persistent`",
        ),
        applies: |_, written| written == "hash",
    },
    IndexRow {
        requirement: row(
            "type",
            "index type `skiplist`",
            None,
            Some(V3_9),
            Some(V4_0),
            None,
            "write `type: persistent`",
        ),
        applies: |_, written| written == "skiplist",
    },
    // New in 3.12.0 (3.12 release notes, "Multi-dimensional indexes": the
    // `zkd` type is renamed `mdi`, and `mdi-prefixed` is added; the 3.11
    // `GET /_api/engine` transcript lists only `zkd`).
    IndexRow {
        requirement: row(
            "type",
            "index type `mdi`",
            Some(V3_12),
            None,
            None,
            None,
            "",
        ),
        applies: |index, _| index.index_type == "mdi",
    },
    IndexRow {
        requirement: row(
            "type",
            "index type `mdi-prefixed`",
            Some(V3_12),
            None,
            None,
            None,
            "",
        ),
        applies: |index, _| index.index_type == "mdi-prefixed",
    },
    // 3.12 keeps `zkd` as an alias of `mdi` (3.12 `GET /_api/engine`
    // transcript: aliases.indexes.zkd = "mdi") and deprecates the name
    // (ArangoDB's Java driver: ensureZKDIndex "deprecated since ArangoDB
    // 3.12, use ensureMDIndex").
    IndexRow {
        requirement: row(
            "type",
            "index type `zkd`",
            None,
            Some(V3_12),
            None,
            None,
            "write `type: mdi`",
        ),
        applies: |index, _| index.index_type == "zkd",
    },
    // 3.12.4, behind a startup option (HTTP API docs, "Create a vector
    // index": "Introduced in: v3.12.4"; 3.12 docs: enable it with
    // `--vector-index`, `--experimental-vector-index` before).
    IndexRow {
        requirement: row(
            "type",
            "index type `vector`",
            Some(V3_12_4),
            None,
            None,
            Some(StartupOption::VectorIndex),
            "",
        ),
        applies: |index, _| index.index_type == "vector",
    },
    // arangojs EnsureVectorIndexOptions: "innerProduct was introduced in
    // ArangoDB 3.12.6"; the emulator's profile (vector_metrics).
    IndexRow {
        requirement: row(
            "params.metric",
            "vector metric `innerProduct`",
            Some(V3_12_6),
            None,
            None,
            None,
            "",
        ),
        applies: |index, _| {
            vector_params(index).is_some_and(|params| {
                params.get("metric").and_then(Value::as_str) == Some("innerProduct")
            })
        },
    },
    // arangojs VectorIndexDescription.storedValues: "Introduced in:
    // ArangoDB 3.12.7"; 3.12.7 changelog (FE-914, storedValues in vector
    // index).
    IndexRow {
        requirement: row(
            "storedValues",
            "vector index `storedValues`",
            Some(V3_12_7),
            None,
            None,
            None,
            "",
        ),
        applies: |index, _| {
            index.index_type == "vector" && index.options.contains_key("storedValues")
        },
    },
    // HTTP API docs, "Create a vector index": the scaling mode of nLists
    // "from v3.12.10 onward"; arangojs VectorIndexNListsScaling:
    // "Introduced in: ArangoDB 3.12.10"; arangojs 10.5.0 notes "optional
    // and automatically scaled nLists, configurable
    // numberOfDocsPerCentroid" for 3.12.10.
    IndexRow {
        requirement: row(
            "params",
            "vector index without `params.nLists`",
            Some(V3_12_10),
            None,
            None,
            None,
            "",
        ),
        applies: |index, _| {
            vector_params(index).is_some_and(|params| !params.contains_key("nLists"))
        },
    },
    IndexRow {
        requirement: row(
            "params.nLists",
            "vector index `params.nLists` scaling",
            Some(V3_12_10),
            None,
            None,
            None,
            "",
        ),
        applies: |index, _| {
            vector_params(index)
                .is_some_and(|params| params.get("nLists").is_some_and(Value::is_object))
        },
    },
    IndexRow {
        requirement: row(
            "params.numberOfDocsPerCentroid",
            "vector index `params.numberOfDocsPerCentroid`",
            Some(V3_12_10),
            None,
            None,
            None,
            "",
        ),
        applies: |index, _| {
            vector_params(index)
                .is_some_and(|params| params.contains_key("numberOfDocsPerCentroid"))
        },
    },
    // WAND: see the `optimizeTopK` row of [`VIEW_ROWS`]; inverted indexes
    // take the same option (3.12 HTTP API docs, "Create an inverted index").
    IndexRow {
        requirement: row(
            "optimizeTopK",
            "inverted index `optimizeTopK`",
            Some(V3_12),
            None,
            None,
            None,
            "",
        ),
        applies: |index, _| {
            index.index_type == "inverted" && index.options.contains_key("optimizeTopK")
        },
    },
];

/// The rows of the version table that apply to `index`. `written_type` is
/// the type as the spec wrote it, when it differs from the model's
/// (`hash`/`skiplist`); `None` uses `index.index_type`.
pub fn index_requirements<'a>(
    index: &'a Index,
    written_type: Option<&'a str>,
) -> impl Iterator<Item = &'static Requirement> + 'a {
    let written = written_type.unwrap_or(&index.index_type);
    INDEX_ROWS
        .iter()
        .filter(move |row| (row.applies)(index, written))
        .map(|row| &row.requirement)
}

/// A row of the analyzer table: the requirement, and which analyzers it is
/// about.
struct AnalyzerRow {
    requirement: Requirement,
    applies: fn(analyzer: &Analyzer) -> bool,
}

/// The analyzer types an analyzer definition uses: its own, those of its
/// `pipeline` members and the nested `analyzer` of `minhash`/`wildcard`,
/// any depth. `properties` is the definition's `properties` object.
fn analyzer_types<'a>(analyzer_type: &'a str, properties: &'a Value, into: &mut Vec<&'a str>) {
    into.push(analyzer_type);
    let nested = properties["pipeline"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(properties.get("analyzer"));
    for member in nested {
        if let Some(member_type) = member["type"].as_str() {
            analyzer_types(member_type, &member["properties"], into);
        }
    }
}

fn uses_analyzer_type(analyzer: &Analyzer, wanted: &str) -> bool {
    let mut types = Vec::new();
    analyzer_types(&analyzer.analyzer_type, &analyzer.properties, &mut types);
    types.contains(&wanted)
}

/// The version table for analyzers. Each row names its source. No row for
/// `minhash`, `classification` and `nearest_neighbors`: arangojs 8.0.0-rc.1
/// (for ArangoDB 3.10) already creates them, so every supported server
/// knows them. No row for `geo_s2` either: arangojs added it in 8.3.0
/// without naming the server version, so a row could not be sourced.
/// Before 3.12 these four are Enterprise Edition only; arangosync does not
/// model editions.
const ANALYZER_ROWS: &[AnalyzerRow] = &[
    // New in 3.12.0: docs-hugo#392 adds the `wildcard` Analyzer to the 3.12
    // Analyzers page only; arangodb-java-driver 7.6.0 "added support to
    // wildcard analyzer (ArangoDB 3.12)" and to "multi_delimiter analyzer
    // (ArangoDB 3.12)"; the 3.11 transcripts' analyzer answers know neither.
    AnalyzerRow {
        requirement: row(
            "type",
            "analyzer type `multi_delimiter`",
            Some(V3_12),
            None,
            None,
            None,
            "",
        ),
        applies: |analyzer| uses_analyzer_type(analyzer, "multi_delimiter"),
    },
    AnalyzerRow {
        requirement: row(
            "type",
            "analyzer type `wildcard`",
            Some(V3_12),
            None,
            None,
            None,
            "",
        ),
        applies: |analyzer| uses_analyzer_type(analyzer, "wildcard"),
    },
];

/// The rows of the version table that apply to `analyzer` (nested
/// `pipeline` members and `analyzer` definitions included).
pub fn analyzer_requirements(
    analyzer: &Analyzer,
) -> impl Iterator<Item = &'static Requirement> + '_ {
    ANALYZER_ROWS
        .iter()
        .filter(move |row| (row.applies)(analyzer))
        .map(|row| &row.requirement)
}

/// A row of the view table: the requirement, and which views it is about.
struct ViewRow {
    requirement: Requirement,
    applies: fn(view: &View) -> bool,
}

/// The version table for views. Each row names its source. No rows for the
/// cache properties: `storedValues[].cache` is in arangojs 8.2.0's view
/// options, older than 3.11; `primarySortCache` and `primaryKeyCache`
/// appear in arangojs 8.3.0 (as does `optimizeTopK`) without a server
/// version, and the transcripts cannot tell (servers report them only when
/// on), so a row could not be sourced.
const VIEW_ROWS: &[ViewRow] = &[
    // WAND (`optimizeTopK`) arrived in 3.11 for the Enterprise Edition only
    // (3.11 release notes, "WAND optimization (Enterprise Edition)", cited by
    // arangodb-java-driver#504); arangosync does not know the edition, the
    // 3.11 transcripts' views do not report it, and arangodb-java-driver
    // 7.6.0 lists "WAND optimization" among its ArangoDB 3.12 additions: a
    // server holds it for sure from 3.12.0.
    ViewRow {
        requirement: row(
            "optimizeTopK",
            "view property `optimizeTopK`",
            Some(V3_12),
            None,
            None,
            None,
            "",
        ),
        applies: |view| view.properties.contains_key("optimizeTopK"),
    },
];

/// The rows of the version table that apply to `view`.
pub fn view_requirements(view: &View) -> impl Iterator<Item = &'static Requirement> + '_ {
    VIEW_ROWS
        .iter()
        .filter(move |row| (row.applies)(view))
        .map(|row| &row.requirement)
}

/// Every row of the version table, in table order (indexes, analyzers,
/// views): the version matrix.
pub fn version_matrix() -> impl Iterator<Item = &'static Requirement> {
    INDEX_ROWS
        .iter()
        .map(|row| &row.requirement)
        .chain(ANALYZER_ROWS.iter().map(|row| &row.requirement))
        .chain(VIEW_ROWS.iter().map(|row| &row.requirement))
}

/// The version table as a Markdown table (feature, since, deprecated,
/// removed, startup option), for the README's version matrix.
pub fn version_matrix_markdown() -> String {
    let cell = |version: Option<Version>| version.map_or("".to_string(), |v| v.to_string());
    let mut out = String::from(
        "| Spec feature | Needs ArangoDB | Deprecated in | Removed in | Startup option |\n\
         |---|---|---|---|---|\n",
    );
    for row in version_matrix() {
        let option = row
            .startup_option
            .map(|option| format!("`{}`", option.current_flag()))
            .unwrap_or_default();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            row.what,
            cell(row.since),
            cell(row.deprecated_in),
            cell(row.removed_in),
            option
        ));
    }
    out
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

    use serde_json::json;
    use std::collections::BTreeMap;

    use crate::model::IndexOptions;

    fn index(index_type: &str, options: Value) -> Index {
        let options: IndexOptions = match options {
            Value::Object(map) => map.into_iter().collect(),
            _ => IndexOptions::new(),
        };
        Index {
            name: Some("i".into()),
            index_type: index_type.into(),
            fields: vec![json!("a")],
            options,
            id: None,
        }
    }

    fn vector(params: Value) -> Index {
        index("vector", json!({"params": params}))
    }

    fn at(version: &str) -> Server {
        Server::target(version.parse().expect("version"))
    }

    fn live(version: &str, vector_index: bool) -> Server {
        Server {
            vector_index,
            source: Source::Live,
            ..at(version)
        }
    }

    /// Every verdict of the rows that apply, in table order.
    fn verdicts(index: &Index, written: Option<&str>, server: &Server) -> Vec<Verdict> {
        index_requirements(index, written)
            .map(|requirement| requirement.check(server))
            .filter(|verdict| *verdict != Verdict::Holds)
            .collect()
    }

    fn refused(text: &str) -> Verdict {
        Verdict::Refused(text.into())
    }

    #[test]
    fn fulltext_is_deprecated_from_3_10_and_removed_in_4_0() {
        let fulltext = index("fulltext", json!({"minLength": 2}));
        assert!(verdicts(&fulltext, None, &at("3.9")).is_empty());
        assert_eq!(
            verdicts(&fulltext, None, &at("3.12")),
            [Verdict::Deprecated(
                "index type `fulltext` is deprecated since ArangoDB 3.10.0 and removed in \
                 ArangoDB 4.0.0; the target is 3.12.0"
                    .into()
            )]
        );
        assert_eq!(
            verdicts(&fulltext, None, &at("4.0")),
            [refused(
                "index type `fulltext` was removed in ArangoDB 4.0.0; the target is 4.0.0"
            )]
        );
    }

    #[test]
    fn hash_and_skiplist_rows_follow_the_written_spelling() {
        let persistent = index("persistent", json!({"unique": false}));
        assert!(verdicts(&persistent, None, &at("4.0")).is_empty());
        assert!(verdicts(&persistent, Some("persistent"), &at("4.0")).is_empty());
        for alias in ["hash", "skiplist"] {
            let found = verdicts(&persistent, Some(alias), &at("4.0"));
            assert_eq!(
                found,
                [refused(&format!(
                    "index type `{alias}` was removed in ArangoDB 4.0.0; the target is 4.0.0"
                ))]
            );
            assert!(matches!(
                verdicts(&persistent, Some(alias), &at("3.12")).as_slice(),
                [Verdict::Deprecated(_)]
            ));
        }
    }

    #[test]
    fn mdi_arrives_in_3_12_and_zkd_is_deprecated_there() {
        for mdi in ["mdi", "mdi-prefixed"] {
            assert_eq!(
                verdicts(&index(mdi, json!({})), None, &at("3.11.14")),
                [refused(&format!(
                    "index type `{mdi}` needs ArangoDB 3.12.0 or later; the target is 3.11.14"
                ))]
            );
            assert!(verdicts(&index(mdi, json!({})), None, &at("3.12")).is_empty());
        }
        let zkd = index("zkd", json!({}));
        assert!(verdicts(&zkd, None, &at("3.11")).is_empty());
        assert!(matches!(
            verdicts(&zkd, None, &at("3.12")).as_slice(),
            [Verdict::Deprecated(_)]
        ));
    }

    #[test]
    fn vector_indexes_need_3_12_4_and_the_startup_option() {
        let plain = vector(json!({"metric": "cosine", "dimension": 3, "nLists": 2}));
        assert_eq!(
            verdicts(&plain, None, &at("3.12.3")),
            [refused(
                "index type `vector` needs ArangoDB 3.12.4 or later started with \
                 `--vector-index` (`--experimental-vector-index` on 3.12.4 and 3.12.5); the \
                 target is 3.12.3"
            )]
        );
        assert!(verdicts(&plain, None, &at("3.12.4")).is_empty());
        assert_eq!(
            verdicts(&plain, None, &live("3.12.10", false)),
            [refused(
                "index type `vector` needs the server started with `--vector-index`; the \
                 server is 3.12.10 without --vector-index"
            )]
        );
        assert_eq!(
            verdicts(&plain, None, &live("3.12.5", false)),
            [refused(
                "index type `vector` needs the server started with \
                 `--experimental-vector-index`; the server is 3.12.5 without \
                 --experimental-vector-index"
            )]
        );
        assert!(verdicts(&plain, None, &live("3.12.10", true)).is_empty());
    }

    #[test]
    fn vector_options_arrive_with_their_patch_releases() {
        let inner = vector(json!({"metric": "innerProduct", "dimension": 3, "nLists": 2}));
        assert_eq!(
            verdicts(&inner, None, &at("3.12.4")),
            [refused(
                "vector metric `innerProduct` needs ArangoDB 3.12.6 or later; the target is \
                 3.12.4"
            )]
        );
        assert!(verdicts(&inner, None, &at("3.12.6")).is_empty());
        let mut stored = vector(json!({"metric": "l2", "dimension": 3, "nLists": 2}));
        stored.options.insert("storedValues", json!(["x"]));
        assert_eq!(verdicts(&stored, None, &at("3.12.6")).len(), 1);
        assert!(verdicts(&stored, None, &at("3.12.7")).is_empty());
        let scaling = vector(json!({"metric": "l2", "dimension": 3,
            "nLists": {"strategy": "autoSqrt", "multiplier": 1, "minNLists": 1},
            "numberOfDocsPerCentroid": 50}));
        let without = vector(json!({"metric": "l2", "dimension": 3}));
        let old: Vec<String> = [&scaling, &without]
            .iter()
            .flat_map(|index| verdicts(index, None, &at("3.12.9")))
            .map(|verdict| match verdict {
                Verdict::Refused(text) => text,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            old,
            [
                "vector index `params.nLists` scaling needs ArangoDB 3.12.10 or later; the target is 3.12.9",
                "vector index `params.numberOfDocsPerCentroid` needs ArangoDB 3.12.10 or later; the target is 3.12.9",
                "vector index without `params.nLists` needs ArangoDB 3.12.10 or later; the target is 3.12.9",
            ]
        );
        assert!(verdicts(&scaling, None, &at("3.12.10")).is_empty());
        assert!(verdicts(&without, None, &at("3.12.10")).is_empty());
    }

    #[test]
    fn only_3_11_3_12_and_4_x_are_supported() {
        for text in ["3.11", "3.11.14", "3.12", "3.12.10", "4.0", "4.0.1"] {
            let version: Version = text.parse().expect("version");
            assert_eq!(version.supported(), Ok(version), "{text}");
        }
        for text in ["3.9", "3.10.13", "3.13", "5.0", "2.8"] {
            let version: Version = text.parse().expect("version");
            assert_eq!(
                version.supported(),
                Err(UnsupportedVersion(version)),
                "{text}"
            );
        }
        assert_eq!(
            UnsupportedVersion(Version::new(3, 9, 0)).to_string(),
            "ArangoDB 3.9.0 is not a version arangosync supports: the supported servers are \
             3.11, 3.12.x and 4.x"
        );
    }

    fn analyzer(analyzer_type: &str, properties: Value) -> Analyzer {
        Analyzer {
            name: "a".into(),
            analyzer_type: analyzer_type.into(),
            properties,
            features: Vec::new(),
        }
    }

    fn analyzer_verdicts(analyzer: &Analyzer, server: &Server) -> Vec<Verdict> {
        analyzer_requirements(analyzer)
            .map(|requirement| requirement.check(server))
            .filter(|verdict| *verdict != Verdict::Holds)
            .collect()
    }

    #[test]
    fn analyzer_types_of_3_12_are_refused_before_it_nested_ones_too() {
        let wildcard = analyzer("wildcard", json!({"ngramSize": 3}));
        assert_eq!(
            analyzer_verdicts(&wildcard, &at("3.11")),
            [refused(
                "analyzer type `wildcard` needs ArangoDB 3.12.0 or later; the target is 3.11.0"
            )]
        );
        assert!(analyzer_verdicts(&wildcard, &at("3.12")).is_empty());
        let multi = analyzer("multi_delimiter", json!({"delimiters": [",", ";"]}));
        assert_eq!(analyzer_verdicts(&multi, &at("3.11.14")).len(), 1);
        let pipeline = analyzer(
            "pipeline",
            json!({"pipeline": [{"type": "norm", "properties": {"locale": "en"}},
                                {"type": "multi_delimiter", "properties": {"delimiters": [","]}}]}),
        );
        assert_eq!(
            analyzer_verdicts(&pipeline, &at("3.11")),
            [refused(
                "analyzer type `multi_delimiter` needs ArangoDB 3.12.0 or later; the target is \
                 3.11.0"
            )]
        );
        let minhash = analyzer(
            "minhash",
            json!({"numHashes": 2, "analyzer": {"type": "wildcard", "properties": {"ngramSize": 3}}}),
        );
        assert_eq!(analyzer_verdicts(&minhash, &at("3.11")).len(), 1);
        let text = analyzer("text", json!({"locale": "en"}));
        assert!(analyzer_verdicts(&text, &at("3.11")).is_empty());
    }

    #[test]
    fn optimize_top_k_needs_3_12_on_views_and_inverted_indexes() {
        let mut view = View {
            name: "v".into(),
            view_type: "arangosearch".into(),
            properties: BTreeMap::new(),
            links: BTreeMap::new(),
            indexes: Vec::new(),
            id: None,
        };
        assert_eq!(view_requirements(&view).count(), 0);
        view.properties
            .insert("optimizeTopK".into(), json!(["BM25(@doc) DESC"]));
        let on_3_11: Vec<Verdict> = view_requirements(&view)
            .map(|requirement| requirement.check(&at("3.11")))
            .collect();
        assert_eq!(
            on_3_11,
            [refused(
                "view property `optimizeTopK` needs ArangoDB 3.12.0 or later; the target is 3.11.0"
            )]
        );
        assert!(view_requirements(&view).all(|row| row.check(&at("3.12")) == Verdict::Holds));
        let inverted = index("inverted", json!({"optimizeTopK": ["BM25(@doc) DESC"]}));
        assert_eq!(
            verdicts(&inverted, None, &at("3.11")),
            [refused(
                "inverted index `optimizeTopK` needs ArangoDB 3.12.0 or later; the target is \
                 3.11.0"
            )]
        );
        assert!(verdicts(&index("inverted", json!({})), None, &at("3.11")).is_empty());
    }

    #[test]
    fn every_row_is_in_the_matrix_and_every_row_is_reachable() {
        let rows: Vec<&str> = version_matrix().map(|row| row.what).collect();
        assert_eq!(
            rows.len(),
            INDEX_ROWS.len() + ANALYZER_ROWS.len() + VIEW_ROWS.len()
        );
        for row in version_matrix() {
            assert!(
                row.since.is_some() || row.deprecated_in.is_some() || row.removed_in.is_some(),
                "{} gates nothing",
                row.what
            );
        }
    }

    #[test]
    fn a_live_server_is_read_from_its_answers() {
        let engine_312 = json!({"name": "rocksdb", "supports": {"indexes": ["primary", "edge", "persistent", "mdi", "inverted"]}});
        let mut engine_vector = engine_312.clone();
        engine_vector["supports"]["indexes"]
            .as_array_mut()
            .expect("list")
            .push(json!("vector"));
        let server = Server::from_live(
            &json!({"server": "arango", "version": "3.12.10", "license": "enterprise"}),
            &engine_vector,
            false,
            true,
        )
        .expect("server");
        assert_eq!(
            server,
            Server {
                version: Version::new(3, 12, 10),
                cluster: false,
                user_functions: true,
                vector_index: true,
                source: Source::Live,
            }
        );
        assert_eq!(
            server.to_string(),
            "ArangoDB 3.12.10, single server (vector indexes enabled, user functions allowed)"
        );
        let coordinator =
            Server::from_live(&json!({"version": "3.11.14"}), &engine_312, true, false)
                .expect("server");
        assert!(!coordinator.vector_index && coordinator.cluster);
        assert_eq!(
            coordinator.to_string(),
            "ArangoDB 3.11.14, cluster coordinator (vector indexes disabled, user functions not allowed)"
        );
        assert!(Server::from_live(&json!({}), &engine_312, false, true).is_err());
        assert!(Server::from_live(&json!({"version": "x"}), &engine_312, false, true).is_err());
        assert_eq!(
            serde_json::to_value(&server).expect("json"),
            json!({"version": "3.12.10", "cluster": false, "userFunctions": true,
                   "vectorIndex": true, "source": "live"})
        );
    }

    #[test]
    fn user_functions_need_the_api_and_a_parsing_probe() {
        assert!(user_functions_available(true, FunctionProbe::Parsed));
        assert!(!user_functions_available(true, FunctionProbe::Refused));
        assert!(!user_functions_available(false, FunctionProbe::Parsed));
        assert_eq!(
            function_probe_query("features"),
            "RETURN FEATURES::ARANGOSYNC_PROBE()"
        );
    }

    #[test]
    fn the_matrix_has_a_line_per_row() {
        let matrix = version_matrix_markdown();
        assert_eq!(
            matrix.lines().count(),
            INDEX_ROWS.len() + ANALYZER_ROWS.len() + VIEW_ROWS.len() + 2
        );
        assert!(matrix.contains("| analyzer type `wildcard` | 3.12.0 |  |  |  |\n"));
        assert!(matrix.contains("| view property `optimizeTopK` | 3.12.0 |  |  |  |\n"));
        assert!(matrix.contains("| index type `fulltext` |  | 3.10.0 | 4.0.0 |  |\n"));
        assert!(matrix.contains("| index type `vector` | 3.12.4 |  |  | `--vector-index` |\n"));
    }

    /// README's "Server versions" section shows this table as generated,
    /// so the documented matrix and the one arangosync enforces are one.
    #[test]
    fn the_readme_shows_the_matrix_as_generated() {
        let readme = include_str!("../README.md");
        assert!(
            readme.contains(&version_matrix_markdown()),
            "README.md's version matrix differs from the table; paste this:\n{}",
            version_matrix_markdown()
        );
    }
}
