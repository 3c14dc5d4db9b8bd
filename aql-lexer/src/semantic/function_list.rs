//! The AQL functions an ArangoDB 3.12 server knows while it parses a query:
//! one row per name (aliases included), with the argument signature as the
//! server registers it and the argument counts that signature allows.
//!
//! Sources (ArangoDB's own source, `github:arangodb/arangodb`, read through
//! the stored file versions; the full snapshot was too large to fetch):
//! - `Source::AqlFunctionFeature`: `arangod/Aql/AqlFunctionFeature.cpp`,
//!   the stored version whose header reads "Copyright 2014-2024" under the
//!   Business Source License (the 3.12 line; library file id 2445920714,
//!   commit not shown by the store). Compared with the stored version
//!   `0050f46811db0dd4fdbec7f00c2a3e099f752c85` (Apache licence, "Copyright
//!   2014-2023"), it adds `TO_CHAR`, `REPEAT`, `ENTRIES` and the alias
//!   `RANDOM`, widens `DATE_DIFF` from `.,.,.|.` to `.,.,.|.,.,.`, and drops
//!   `PREGEL_RESULT` (Pregel was removed in 3.12); those rows say `since
//!   3.12`. `V8` is registered only in builds with V8 (`#ifdef USE_V8`),
//!   which 3.12 release builds are. `SELECT_SMART_DISTRIBUTE_GRAPH_INPUT` is
//!   Enterprise-only and internal like the other `internal` rows.
//! - `Source::IResearchFeature`: `arangod/IResearch/IResearchFeature.cpp`
//!   (stored version, library file id 3130483638): `registerFilters`,
//!   `registerFunctions` (`OFFSET_INFO`) and `registerScorers`, which adds
//!   every IResearch scorer configurable by JSON with the signature `.|+`
//!   (`BM25`, `TFIDF`).
//! - `Source::IResearchAnalyzerFeature`: `TOKENS`, whose implementation
//!   accepts one or two arguments (`aqlFnTokens` in
//!   `arangod/IResearch/IResearchAnalyzerFeature.cpp`: "args.empty() ||
//!   args.size() > 2" is an error), i.e. the signature `.|.`.
//! - `Source::VectorDocs`: `APPROX_NEAR_COSINE`, `APPROX_NEAR_L2`,
//!   `APPROX_NEAR_INNER_PRODUCT`, added during 3.12 (the docs' "What's new
//!   in 3.12" page uses them: corpus `valid/1015.aql`, `valid/1016.aql`);
//!   their registration was not found in the stored source, so the counts
//!   come from the docs' vector functions page (two vectors and an optional
//!   options object: corpus `valid/0528.aql`..`valid/0535.aql`).
//!
//! - `Source::Docs4x`: functions new in 4.0, not registered by any stored
//!   server source: `PARTITION` and `UNION_DISTINCT_STABLE`, from the 4.x
//!   docs' "What's new in 4.x" (`arangodb/docs-hugo`,
//!   `site/content/arangodb/4.x/release-notes/version-4.x/whats-new-in-4-x.md`,
//!   commit `0931d7d491213bbd8a7b56b310f79e66b438e779`, sections
//!   "PARTITION() string function" and "`UNION_DISTINCT_STABLE()`
//!   function"). `PARTITION(string, separator, occurrence)` has an optional
//!   third argument ("An optional `occurrence` parameter"; corpus
//!   `valid/0454.aql` calls it with two, `valid/0460.aql` with three), so
//!   `.,.|.`. `UNION_DISTINCT_STABLE` works "like the existing
//!   `UNION_DISTINCT()`" on "an arbitrary number of arrays": given
//!   `UNION_DISTINCT`'s signature `.,.|+` (an inference: the registration
//!   was not readable).
//!
//! Removed in 3.12: `PREGEL_RESULT` (Pregel was removed in 3.12: 4.x docs,
//! `release-notes/deprecated-and-removed-features.md`, "Pregel"), with the
//! signature `.|.` of a stored pre-3.12 `AqlFunctionFeature.cpp` (library
//! file id 104148054); known to 3.11 only.
//!
//! Removed in 4.0 (corpus manifest notes for `valid/1288.aql` and
//! `fragments/0284.aql`): `FULLTEXT`, `NEAR`; `WITHIN` and
//! `WITHIN_RECTANGLE` belong to the same family of index placeholders and
//! are marked the same way (an inference, not a quoted fact).
//!
//! Signature symbols (comment above `addTypeCheckFunctions` in the source):
//! `.` any argument, `h` a collection name, `b` a bind parameter expanded
//! early, `,` next argument, `|` optional arguments follow, `+` any number
//! of further arguments. `Function::initializeArguments` in
//! `arangod/Aql/Function.cpp` turns a signature into (minimum, maximum);
//! `+` sets the maximum to `Function::maxArguments`, 65536
//! (`arangod/Aql/Function.h`). `counts` (in the tests) repeats that computation and a
//! test checks every row against it.

use std::sync::LazyLock;

use super::version::{list_version, AqlVersion};

/// Where a row's facts come from (see the module notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    AqlFunctionFeature,
    IResearchFeature,
    IResearchAnalyzerFeature,
    VectorDocs,
    Docs4x,
}

/// The maximum the server uses for "any number of arguments".
pub(crate) const UNBOUNDED: usize = 65536;

/// One built-in function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Function {
    /// Upper-case name, as registered.
    pub name: &'static str,
    /// The server's argument signature string.
    pub signature: &'static str,
    pub min: usize,
    /// [`UNBOUNDED`] where the signature ends in `+`.
    pub max: usize,
    pub source: Source,
    /// The function this name is an alias of (`addAlias`).
    pub alias_of: Option<&'static str>,
    /// Internal functions: the server answers as if they did not exist.
    pub internal: bool,
    /// The version it first appeared in, where that is newer than 3.11.
    pub since: Option<&'static str>,
    /// The version that removes it.
    pub removed_in: Option<&'static str>,
}

const fn f(
    name: &'static str,
    signature: &'static str,
    min: usize,
    max: usize,
    source: Source,
) -> Function {
    Function {
        name,
        signature,
        min,
        max,
        source,
        alias_of: None,
        internal: false,
        since: None,
        removed_in: None,
    }
}

impl Function {
    const fn alias_of(mut self, original: &'static str) -> Self {
        self.alias_of = Some(original);
        self
    }
    const fn internal(mut self) -> Self {
        self.internal = true;
        self
    }
    const fn since(mut self, version: &'static str) -> Self {
        self.since = Some(version);
        self
    }
    const fn removed_in(mut self, version: &'static str) -> Self {
        self.removed_in = Some(version);
        self
    }

    /// Whether a server of `version` registers this function: rows without
    /// `since` predate 3.11 (the oldest version the list tells apart).
    pub(crate) fn available_in(&self, version: AqlVersion) -> bool {
        let since_ok = self
            .since
            .and_then(list_version)
            .is_none_or(|since| version >= since);
        let not_removed = self
            .removed_in
            .and_then(list_version)
            .is_none_or(|removed| version < removed);
        since_ok && not_removed
    }

    /// Whether the function reads documents (the server's flag
    /// `CanReadDocuments`): a call after a data modification is error 1579
    /// when the query is prepared (see `semantic/execution.rs`). `DOCUMENT`
    /// and `COLLECTION_COUNT` in the 3.12 `AqlFunctionFeature.cpp`;
    /// `PREGEL_RESULT` in the pre-3.12 one.
    pub(crate) fn reads_documents(&self) -> bool {
        matches!(self.name, "DOCUMENT" | "COLLECTION_COUNT" | "PREGEL_RESULT")
    }
}

/// Every built-in function of 3.12, in the order the sources register them,
/// then the ones 3.12 does not have (3.11's `PREGEL_RESULT`, 4.0's new ones).
pub(crate) const FUNCTIONS: &[Function] = &[
    f("IS_NULL", ".", 1, 1, Source::AqlFunctionFeature),
    f("IS_BOOL", ".", 1, 1, Source::AqlFunctionFeature),
    f("IS_NUMBER", ".", 1, 1, Source::AqlFunctionFeature),
    f("IS_STRING", ".", 1, 1, Source::AqlFunctionFeature),
    f("IS_ARRAY", ".", 1, 1, Source::AqlFunctionFeature),
    f("IS_LIST", ".", 1, 1, Source::AqlFunctionFeature).alias_of("IS_ARRAY"),
    f("IS_OBJECT", ".", 1, 1, Source::AqlFunctionFeature),
    f("IS_DOCUMENT", ".", 1, 1, Source::AqlFunctionFeature).alias_of("IS_OBJECT"),
    f("IS_DATESTRING", ".", 1, 1, Source::AqlFunctionFeature),
    f("IS_IPV4", ".", 1, 1, Source::AqlFunctionFeature),
    f("IS_KEY", ".", 1, 1, Source::AqlFunctionFeature),
    f("TYPENAME", ".", 1, 1, Source::AqlFunctionFeature),
    f("TO_NUMBER", ".", 1, 1, Source::AqlFunctionFeature),
    f("TO_STRING", ".", 1, 1, Source::AqlFunctionFeature),
    f("TO_BOOL", ".", 1, 1, Source::AqlFunctionFeature),
    f("TO_ARRAY", ".", 1, 1, Source::AqlFunctionFeature),
    f("TO_LIST", ".", 1, 1, Source::AqlFunctionFeature).alias_of("TO_ARRAY"),
    f("CONCAT", ".|+", 1, UNBOUNDED, Source::AqlFunctionFeature),
    f(
        "CONCAT_SEPARATOR",
        ".,.|+",
        2,
        UNBOUNDED,
        Source::AqlFunctionFeature,
    ),
    f("CHAR_LENGTH", ".", 1, 1, Source::AqlFunctionFeature),
    f("LOWER", ".", 1, 1, Source::AqlFunctionFeature),
    f("UPPER", ".", 1, 1, Source::AqlFunctionFeature),
    f("SUBSTRING", ".,.|.", 2, 3, Source::AqlFunctionFeature),
    f(
        "SUBSTRING_BYTES",
        ".,.|.,.,.",
        2,
        5,
        Source::AqlFunctionFeature,
    ),
    f("CONTAINS", ".,.|.", 2, 3, Source::AqlFunctionFeature),
    f("LIKE", ".,.|.", 2, 3, Source::AqlFunctionFeature),
    f("REGEX_MATCHES", ".,.|.", 2, 3, Source::AqlFunctionFeature),
    f("REGEX_SPLIT", ".,.|.,.", 2, 4, Source::AqlFunctionFeature),
    f("REGEX_TEST", ".,.|.", 2, 3, Source::AqlFunctionFeature),
    f("REGEX_REPLACE", ".,.,.|.", 3, 4, Source::AqlFunctionFeature),
    f("LEFT", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("RIGHT", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("TRIM", ".|.", 1, 2, Source::AqlFunctionFeature),
    f("LTRIM", ".|.", 1, 2, Source::AqlFunctionFeature),
    f("RTRIM", ".|.", 1, 2, Source::AqlFunctionFeature),
    f("FIND_FIRST", ".,.|.,.", 2, 4, Source::AqlFunctionFeature),
    f("FIND_LAST", ".,.|.,.", 2, 4, Source::AqlFunctionFeature),
    f("SPLIT", ".|.,.", 1, 3, Source::AqlFunctionFeature),
    f("SUBSTITUTE", ".,.|.,.", 2, 4, Source::AqlFunctionFeature),
    f("IPV4_TO_NUMBER", ".", 1, 1, Source::AqlFunctionFeature),
    f("IPV4_FROM_NUMBER", ".", 1, 1, Source::AqlFunctionFeature),
    f("MD5", ".", 1, 1, Source::AqlFunctionFeature),
    f("SHA1", ".", 1, 1, Source::AqlFunctionFeature),
    f("SHA256", ".", 1, 1, Source::AqlFunctionFeature),
    f("SHA512", ".", 1, 1, Source::AqlFunctionFeature),
    f("CRC32", ".", 1, 1, Source::AqlFunctionFeature),
    f("FNV64", ".", 1, 1, Source::AqlFunctionFeature),
    f("HASH", ".", 1, 1, Source::AqlFunctionFeature),
    f("TO_BASE64", ".", 1, 1, Source::AqlFunctionFeature),
    f("TO_HEX", ".", 1, 1, Source::AqlFunctionFeature),
    f("TO_CHAR", ".", 1, 1, Source::AqlFunctionFeature).since("3.12"),
    f("REPEAT", ".,.|.", 2, 3, Source::AqlFunctionFeature).since("3.12"),
    f(
        "ENCODE_URI_COMPONENT",
        ".",
        1,
        1,
        Source::AqlFunctionFeature,
    ),
    f("SOUNDEX", ".", 1, 1, Source::AqlFunctionFeature),
    f(
        "LEVENSHTEIN_DISTANCE",
        ".,.",
        2,
        2,
        Source::AqlFunctionFeature,
    ),
    f(
        "LEVENSHTEIN_MATCH",
        ".,.,.|.,.,.",
        3,
        6,
        Source::AqlFunctionFeature,
    ),
    f("NGRAM_MATCH", ".,.|.,.", 2, 4, Source::AqlFunctionFeature),
    f(
        "NGRAM_SIMILARITY",
        ".,.,.",
        3,
        3,
        Source::AqlFunctionFeature,
    ),
    f(
        "NGRAM_POSITIONAL_SIMILARITY",
        ".,.,.",
        3,
        3,
        Source::AqlFunctionFeature,
    ),
    f("MINHASH_MATCH", ".,.,.|.", 3, 4, Source::AqlFunctionFeature),
    f("IN_RANGE", ".,.,.,.,.", 5, 5, Source::AqlFunctionFeature),
    f("RANDOM_TOKEN", ".", 1, 1, Source::AqlFunctionFeature),
    f("UUID", "", 0, 0, Source::AqlFunctionFeature),
    f("FLOOR", ".", 1, 1, Source::AqlFunctionFeature),
    f("CEIL", ".", 1, 1, Source::AqlFunctionFeature),
    f("ROUND", ".", 1, 1, Source::AqlFunctionFeature),
    f("ABS", ".", 1, 1, Source::AqlFunctionFeature),
    f("SQRT", ".", 1, 1, Source::AqlFunctionFeature),
    f("POW", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("LOG", ".", 1, 1, Source::AqlFunctionFeature),
    f("LOG2", ".", 1, 1, Source::AqlFunctionFeature),
    f("LOG10", ".", 1, 1, Source::AqlFunctionFeature),
    f("EXP", ".", 1, 1, Source::AqlFunctionFeature),
    f("EXP2", ".", 1, 1, Source::AqlFunctionFeature),
    f("SIN", ".", 1, 1, Source::AqlFunctionFeature),
    f("COS", ".", 1, 1, Source::AqlFunctionFeature),
    f("TAN", ".", 1, 1, Source::AqlFunctionFeature),
    f("ASIN", ".", 1, 1, Source::AqlFunctionFeature),
    f("ACOS", ".", 1, 1, Source::AqlFunctionFeature),
    f("ATAN", ".", 1, 1, Source::AqlFunctionFeature),
    f("ATAN2", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("RADIANS", ".", 1, 1, Source::AqlFunctionFeature),
    f("DEGREES", ".", 1, 1, Source::AqlFunctionFeature),
    f("PI", "", 0, 0, Source::AqlFunctionFeature),
    f("BIT_AND", ".|.", 1, 2, Source::AqlFunctionFeature),
    f("BIT_OR", ".|.", 1, 2, Source::AqlFunctionFeature),
    f("BIT_XOR", ".|.", 1, 2, Source::AqlFunctionFeature),
    f("BIT_NEGATE", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("BIT_TEST", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("BIT_POPCOUNT", ".", 1, 1, Source::AqlFunctionFeature),
    f("BIT_SHIFT_LEFT", ".,.,.", 3, 3, Source::AqlFunctionFeature),
    f("BIT_SHIFT_RIGHT", ".,.,.", 3, 3, Source::AqlFunctionFeature),
    f("BIT_CONSTRUCT", ".", 1, 1, Source::AqlFunctionFeature),
    f("BIT_DECONSTRUCT", ".", 1, 1, Source::AqlFunctionFeature),
    f("BIT_TO_STRING", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("BIT_FROM_STRING", ".", 1, 1, Source::AqlFunctionFeature),
    f("MINHASH_ERROR", ".", 1, 1, Source::AqlFunctionFeature),
    f("MINHASH_COUNT", ".", 1, 1, Source::AqlFunctionFeature),
    f("RAND", "", 0, 0, Source::AqlFunctionFeature),
    f("RANDOM", "", 0, 0, Source::AqlFunctionFeature)
        .alias_of("RAND")
        .since("3.12"),
    f("RANGE", ".,.|.", 2, 3, Source::AqlFunctionFeature),
    f("UNION", ".,.|+", 2, UNBOUNDED, Source::AqlFunctionFeature),
    f(
        "UNION_DISTINCT",
        ".,.|+",
        2,
        UNBOUNDED,
        Source::AqlFunctionFeature,
    ),
    f("MINUS", ".,.|+", 2, UNBOUNDED, Source::AqlFunctionFeature),
    f(
        "OUTERSECTION",
        ".,.|+",
        2,
        UNBOUNDED,
        Source::AqlFunctionFeature,
    ),
    f(
        "INTERSECTION",
        ".,.|+",
        2,
        UNBOUNDED,
        Source::AqlFunctionFeature,
    ),
    f("JACCARD", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("FLATTEN", ".|.", 1, 2, Source::AqlFunctionFeature),
    f("LENGTH", ".", 1, 1, Source::AqlFunctionFeature),
    f("COUNT", ".", 1, 1, Source::AqlFunctionFeature).alias_of("LENGTH"),
    f("MIN", ".", 1, 1, Source::AqlFunctionFeature),
    f("MAX", ".", 1, 1, Source::AqlFunctionFeature),
    f("SUM", ".", 1, 1, Source::AqlFunctionFeature),
    f("MEDIAN", ".", 1, 1, Source::AqlFunctionFeature),
    f("PERCENTILE", ".,.|.", 2, 3, Source::AqlFunctionFeature),
    f("AVERAGE", ".", 1, 1, Source::AqlFunctionFeature),
    f("AVG", ".", 1, 1, Source::AqlFunctionFeature).alias_of("AVERAGE"),
    f("VARIANCE_SAMPLE", ".", 1, 1, Source::AqlFunctionFeature),
    f("VARIANCE_POPULATION", ".", 1, 1, Source::AqlFunctionFeature),
    f("VARIANCE", ".", 1, 1, Source::AqlFunctionFeature).alias_of("VARIANCE_POPULATION"),
    f("STDDEV_SAMPLE", ".", 1, 1, Source::AqlFunctionFeature),
    f("STDDEV_POPULATION", ".", 1, 1, Source::AqlFunctionFeature),
    f("STDDEV", ".", 1, 1, Source::AqlFunctionFeature).alias_of("STDDEV_POPULATION"),
    f("COUNT_DISTINCT", ".", 1, 1, Source::AqlFunctionFeature),
    f("COUNT_UNIQUE", ".", 1, 1, Source::AqlFunctionFeature).alias_of("COUNT_DISTINCT"),
    f("PRODUCT", ".", 1, 1, Source::AqlFunctionFeature),
    f("UNIQUE", ".", 1, 1, Source::AqlFunctionFeature),
    f("SORTED_UNIQUE", ".", 1, 1, Source::AqlFunctionFeature),
    f("SORTED", ".", 1, 1, Source::AqlFunctionFeature),
    f("SLICE", ".,.|.", 2, 3, Source::AqlFunctionFeature),
    f("REVERSE", ".", 1, 1, Source::AqlFunctionFeature),
    f("FIRST", ".", 1, 1, Source::AqlFunctionFeature),
    f("LAST", ".", 1, 1, Source::AqlFunctionFeature),
    f("NTH", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("POSITION", ".,.|.", 2, 3, Source::AqlFunctionFeature),
    f("CONTAINS_ARRAY", ".,.|.", 2, 3, Source::AqlFunctionFeature).alias_of("POSITION"),
    f("PUSH", ".,.|.", 2, 3, Source::AqlFunctionFeature),
    f("APPEND", ".,.|.", 2, 3, Source::AqlFunctionFeature),
    f("POP", ".", 1, 1, Source::AqlFunctionFeature),
    f("SHIFT", ".", 1, 1, Source::AqlFunctionFeature),
    f("UNSHIFT", ".,.|.", 2, 3, Source::AqlFunctionFeature),
    f("REMOVE_VALUE", ".,.|.", 2, 3, Source::AqlFunctionFeature),
    f("REMOVE_VALUES", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("REMOVE_NTH", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("REPLACE_NTH", ".,.,.|.", 3, 4, Source::AqlFunctionFeature),
    f(
        "INTERLEAVE",
        ".,.|+",
        2,
        UNBOUNDED,
        Source::AqlFunctionFeature,
    ),
    f(
        "DECAY_GAUSS",
        ".,.,.,.,.,",
        5,
        5,
        Source::AqlFunctionFeature,
    ),
    f("DECAY_EXP", ".,.,.,.,.,", 5, 5, Source::AqlFunctionFeature),
    f(
        "DECAY_LINEAR",
        ".,.,.,.,.,",
        5,
        5,
        Source::AqlFunctionFeature,
    ),
    f("MINHASH", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("COSINE_SIMILARITY", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("L1_DISTANCE", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("L2_DISTANCE", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("CALL", ".|.+", 1, UNBOUNDED, Source::AqlFunctionFeature),
    f("APPLY", ".|.", 1, 2, Source::AqlFunctionFeature),
    f("HAS", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("ATTRIBUTES", ".|.,.", 1, 3, Source::AqlFunctionFeature),
    f("KEYS", ".|.,.", 1, 3, Source::AqlFunctionFeature).alias_of("ATTRIBUTES"),
    f("VALUES", ".|.", 1, 2, Source::AqlFunctionFeature),
    f("VALUE", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("MERGE", ".|+", 1, UNBOUNDED, Source::AqlFunctionFeature),
    f(
        "MERGE_RECURSIVE",
        ".|+",
        1,
        UNBOUNDED,
        Source::AqlFunctionFeature,
    ),
    f("MATCHES", ".,.|.", 2, 3, Source::AqlFunctionFeature),
    f("UNSET", ".,.|+", 2, UNBOUNDED, Source::AqlFunctionFeature),
    f(
        "UNSET_RECURSIVE",
        ".,.|+",
        2,
        UNBOUNDED,
        Source::AqlFunctionFeature,
    ),
    f("KEEP", ".,.|+", 2, UNBOUNDED, Source::AqlFunctionFeature),
    f(
        "KEEP_RECURSIVE",
        ".,.|+",
        2,
        UNBOUNDED,
        Source::AqlFunctionFeature,
    ),
    f("TRANSLATE", ".,.|.", 2, 3, Source::AqlFunctionFeature),
    f("ZIP", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("ENTRIES", ".", 1, 1, Source::AqlFunctionFeature).since("3.12"),
    f("JSON_STRINGIFY", ".", 1, 1, Source::AqlFunctionFeature),
    f("JSON_PARSE", ".", 1, 1, Source::AqlFunctionFeature),
    f("DOCUMENT", "h.|.", 1, 2, Source::AqlFunctionFeature),
    f("DISTANCE", ".,.,.,.", 4, 4, Source::AqlFunctionFeature),
    f("IS_IN_POLYGON", ".,.|.", 2, 3, Source::AqlFunctionFeature),
    f("GEO_DISTANCE", ".,.|.", 2, 3, Source::AqlFunctionFeature),
    f("GEO_CONTAINS", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("GEO_INTERSECTS", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("GEO_EQUALS", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("GEO_AREA", ".|.", 1, 2, Source::AqlFunctionFeature),
    f(
        "GEO_IN_RANGE",
        ".,.,.,.|.,.,.",
        4,
        7,
        Source::AqlFunctionFeature,
    ),
    f("GEO_POINT", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("GEO_MULTIPOINT", ".", 1, 1, Source::AqlFunctionFeature),
    f("GEO_POLYGON", ".", 1, 1, Source::AqlFunctionFeature),
    f("GEO_MULTIPOLYGON", ".", 1, 1, Source::AqlFunctionFeature),
    f("GEO_LINESTRING", ".", 1, 1, Source::AqlFunctionFeature),
    f("GEO_MULTILINESTRING", ".", 1, 1, Source::AqlFunctionFeature),
    f(
        "DATE_TIMESTAMP",
        ".|.,.,.,.,.,.",
        1,
        7,
        Source::AqlFunctionFeature,
    ),
    f(
        "DATE_ISO8601",
        ".|.,.,.,.,.,.",
        1,
        7,
        Source::AqlFunctionFeature,
    ),
    f("DATE_DAYOFWEEK", ".|.", 1, 2, Source::AqlFunctionFeature),
    f("DATE_YEAR", ".|.", 1, 2, Source::AqlFunctionFeature),
    f("DATE_MONTH", ".|.", 1, 2, Source::AqlFunctionFeature),
    f("DATE_DAY", ".|.", 1, 2, Source::AqlFunctionFeature),
    f("DATE_HOUR", ".|.", 1, 2, Source::AqlFunctionFeature),
    f("DATE_MINUTE", ".|.", 1, 2, Source::AqlFunctionFeature),
    f("DATE_SECOND", ".", 1, 1, Source::AqlFunctionFeature),
    f("DATE_MILLISECOND", ".", 1, 1, Source::AqlFunctionFeature),
    f("DATE_DAYOFYEAR", ".|.", 1, 2, Source::AqlFunctionFeature),
    f("DATE_ISOWEEK", ".|.", 1, 2, Source::AqlFunctionFeature),
    f("DATE_ISOWEEKYEAR", ".|.", 1, 2, Source::AqlFunctionFeature),
    f("DATE_LEAPYEAR", ".|.", 1, 2, Source::AqlFunctionFeature),
    f("DATE_QUARTER", ".|.", 1, 2, Source::AqlFunctionFeature),
    f(
        "DATE_DAYS_IN_MONTH",
        ".|.",
        1,
        2,
        Source::AqlFunctionFeature,
    ),
    f("DATE_ADD", ".,.|.,.", 2, 4, Source::AqlFunctionFeature),
    f("DATE_SUBTRACT", ".,.|.,.", 2, 4, Source::AqlFunctionFeature),
    f("DATE_DIFF", ".,.,.|.,.,.", 3, 6, Source::AqlFunctionFeature),
    f(
        "DATE_COMPARE",
        ".,.,.|.,.,.",
        3,
        6,
        Source::AqlFunctionFeature,
    ),
    f("DATE_FORMAT", ".,.|.", 2, 3, Source::AqlFunctionFeature),
    f("DATE_TRUNC", ".,.|.", 2, 3, Source::AqlFunctionFeature),
    f("DATE_UTCTOLOCAL", ".,.|.", 2, 3, Source::AqlFunctionFeature),
    f("DATE_LOCALTOUTC", ".,.|.", 2, 3, Source::AqlFunctionFeature),
    f("DATE_TIMEZONE", "", 0, 0, Source::AqlFunctionFeature),
    f("DATE_TIMEZONES", "", 0, 0, Source::AqlFunctionFeature),
    f("DATE_ROUND", ".,.,.|.", 3, 4, Source::AqlFunctionFeature),
    f("DATE_NOW", "", 0, 0, Source::AqlFunctionFeature),
    f("PASSTHRU", ".", 1, 1, Source::AqlFunctionFeature),
    f("NOT_NULL", ".|+", 1, UNBOUNDED, Source::AqlFunctionFeature),
    f(
        "FIRST_LIST",
        ".|+",
        1,
        UNBOUNDED,
        Source::AqlFunctionFeature,
    ),
    f(
        "FIRST_DOCUMENT",
        ".|+",
        1,
        UNBOUNDED,
        Source::AqlFunctionFeature,
    ),
    f("PARSE_IDENTIFIER", ".", 1, 1, Source::AqlFunctionFeature),
    f("PARSE_KEY", ".", 1, 1, Source::AqlFunctionFeature),
    f("PARSE_COLLECTION", ".", 1, 1, Source::AqlFunctionFeature),
    f(
        "IS_SAME_COLLECTION",
        ".h,.h",
        2,
        2,
        Source::AqlFunctionFeature,
    ),
    f("DECODE_REV", ".", 1, 1, Source::AqlFunctionFeature),
    f("SHARD_ID", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("V8", ".", 1, 1, Source::AqlFunctionFeature),
    f("SCHEMA_GET", ".", 1, 1, Source::AqlFunctionFeature),
    f("SCHEMA_VALIDATE", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("VERSION", "", 0, 0, Source::AqlFunctionFeature),
    f("FAIL", "|.", 0, 1, Source::AqlFunctionFeature),
    f("NOOPT", ".", 1, 1, Source::AqlFunctionFeature),
    f("NOEVAL", ".", 1, 1, Source::AqlFunctionFeature),
    f("SLEEP", ".", 1, 1, Source::AqlFunctionFeature),
    f("COLLECTIONS", "", 0, 0, Source::AqlFunctionFeature),
    f("CURRENT_USER", "", 0, 0, Source::AqlFunctionFeature),
    f("CURRENT_DATABASE", "", 0, 0, Source::AqlFunctionFeature),
    f("CHECK_DOCUMENT", ".", 1, 1, Source::AqlFunctionFeature),
    f("COLLECTION_COUNT", ".h", 1, 1, Source::AqlFunctionFeature),
    f("ASSERT", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("WARN", ".,.", 2, 2, Source::AqlFunctionFeature),
    f("NEAR", ".h,.,.|.,.", 3, 5, Source::AqlFunctionFeature).removed_in("4.0"),
    f("WITHIN", ".h,.,.,.|.", 4, 5, Source::AqlFunctionFeature).removed_in("4.0"),
    f(
        "WITHIN_RECTANGLE",
        "h.,.,.,.,.",
        5,
        5,
        Source::AqlFunctionFeature,
    )
    .removed_in("4.0"),
    f("FULLTEXT", ".h,.,.|.", 3, 4, Source::AqlFunctionFeature).removed_in("4.0"),
    f(
        "MAKE_DISTRIBUTE_INPUT",
        ".,.",
        2,
        2,
        Source::AqlFunctionFeature,
    )
    .internal(),
    f(
        "MAKE_DISTRIBUTE_INPUT_WITH_KEY_CREATION",
        ".,.,.",
        3,
        3,
        Source::AqlFunctionFeature,
    )
    .internal(),
    f(
        "MAKE_DISTRIBUTE_GRAPH_INPUT",
        ".",
        1,
        1,
        Source::AqlFunctionFeature,
    )
    .internal(),
    f(
        "SELECT_SMART_DISTRIBUTE_GRAPH_INPUT",
        ".,.",
        2,
        2,
        Source::AqlFunctionFeature,
    )
    .internal(),
    f("INTERNAL", "", 0, 0, Source::AqlFunctionFeature).internal(),
    f("EXISTS", ".|.,.", 1, 3, Source::IResearchFeature),
    f("STARTS_WITH", ".,.|.,.", 2, 4, Source::IResearchFeature),
    f("PHRASE", ".,.|.+", 2, UNBOUNDED, Source::IResearchFeature),
    f(
        "MIN_MATCH",
        ".,.|.+",
        2,
        UNBOUNDED,
        Source::IResearchFeature,
    ),
    f("BOOST", ".,.", 2, 2, Source::IResearchFeature),
    f("ANALYZER", ".,.", 2, 2, Source::IResearchFeature),
    f("OFFSET_INFO", ".,.", 2, 2, Source::IResearchFeature),
    f("BM25", ".|+", 1, UNBOUNDED, Source::IResearchFeature),
    f("TFIDF", ".|+", 1, UNBOUNDED, Source::IResearchFeature),
    f("TOKENS", ".|.", 1, 2, Source::IResearchAnalyzerFeature),
    f("APPROX_NEAR_COSINE", ".,.|.", 2, 3, Source::VectorDocs).since("3.12"),
    f("APPROX_NEAR_L2", ".,.|.", 2, 3, Source::VectorDocs).since("3.12"),
    f(
        "APPROX_NEAR_INNER_PRODUCT",
        ".,.|.",
        2,
        3,
        Source::VectorDocs,
    )
    .since("3.12"),
    f("PREGEL_RESULT", ".|.", 1, 2, Source::AqlFunctionFeature).removed_in("3.12"),
    f("PARTITION", ".,.|.", 2, 3, Source::Docs4x).since("4.0"),
    f(
        "UNION_DISTINCT_STABLE",
        ".,.|+",
        2,
        UNBOUNDED,
        Source::Docs4x,
    )
    .since("4.0"),
];

/// The built-in function called `name` (upper case) that a server of
/// `version` knows, if any.
pub(crate) fn lookup_in(name: &str, version: AqlVersion) -> Option<&'static Function> {
    rows_named(name).find(|function| function.available_in(version))
}

/// The rows of [`FUNCTIONS`] sorted by name (a stable sort: rows of one
/// name keep their table order), built once, so a lookup is a binary
/// search instead of a scan of the whole table.
static BY_NAME: LazyLock<Vec<&'static Function>> = LazyLock::new(|| {
    let mut rows: Vec<&'static Function> = FUNCTIONS.iter().collect();
    rows.sort_by_key(|function| function.name);
    rows
});

/// The rows called `name`, in table order.
fn rows_named(name: &str) -> impl Iterator<Item = &'static Function> + '_ {
    let rows: &'static [&'static Function] = BY_NAME.as_slice();
    let start = rows.partition_point(|function| function.name < name);
    rows.get(start..)
        .unwrap_or_default()
        .iter()
        .copied()
        .take_while(move |function| function.name == name)
}

/// Which server versions know a built-in function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionAvailability {
    /// The first version with the function (`None`: 3.11 has it already).
    pub since: Option<AqlVersion>,
    /// The first version without it again (`None`: 4.x still has it).
    pub removed_in: Option<AqlVersion>,
}

/// Which versions know the built-in function `name` (upper case), by the
/// table's `since`/`removed_in`; `None` if no version has it (or it is
/// internal), so callers can say "PARTITION() exists from 4.0".
pub fn function_availability(name: &str) -> Option<FunctionAvailability> {
    let rows: Vec<&Function> = rows_named(name)
        .filter(|function| !function.internal)
        .collect();
    if rows.is_empty() {
        return None;
    }
    // Several rows (different counts per version) widen the range.
    let bound = |value: fn(&Function) -> Option<&'static str>, earliest: bool| {
        let versions: Option<Vec<AqlVersion>> = rows
            .iter()
            .map(|row| value(row).and_then(list_version))
            .collect();
        versions.and_then(|versions| {
            if earliest {
                versions.into_iter().min()
            } else {
                versions.into_iter().max()
            }
        })
    };
    Some(FunctionAvailability {
        since: bound(|row| row.since, true),
        removed_in: bound(|row| row.removed_in, false),
    })
}

/// The row for `name` (upper case), whatever version has it, if any.
#[cfg(test)]
pub(crate) fn lookup(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|function| function.name == name)
}

#[cfg(test)]
/// (minimum, maximum) argument counts of a signature, computed as
/// `Function::initializeArguments` does; `None` for a symbol it rejects.
pub(crate) fn counts(signature: &str) -> Option<(usize, usize)> {
    let (mut min, mut max) = (0, 0);
    let (mut optional, mut found) = (false, false);
    for symbol in signature.chars() {
        match symbol {
            '|' => {
                if found {
                    min += 1;
                    max += 1;
                }
                optional = true;
                found = false;
            }
            ',' => {
                if !optional {
                    min += 1;
                }
                max += 1;
                found = false;
            }
            '+' => return Some((min, UNBOUNDED)),
            '.' | 'h' | 'b' => found = true,
            _ => return None,
        }
    }
    if found {
        if !optional {
            min += 1;
        }
        max += 1;
    }
    Some((min, max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sorted_index_finds_the_rows_of_a_name_in_table_order() {
        for row in FUNCTIONS {
            let scanned: Vec<&Function> = FUNCTIONS
                .iter()
                .filter(|function| function.name == row.name)
                .collect();
            let found: Vec<&Function> = rows_named(row.name).collect();
            assert_eq!(found, scanned, "{}", row.name);
        }
        assert_eq!(rows_named("NO_SUCH_FUNCTION").count(), 0);
        assert_eq!(rows_named("").count(), 0);
        assert_eq!(rows_named("length").count(), 0);
    }

    #[test]
    fn every_row_matches_its_signature() {
        for function in FUNCTIONS {
            assert_eq!(
                counts(function.signature),
                Some((function.min, function.max)),
                "{}",
                function.name
            );
        }
    }

    #[test]
    fn names_are_unique_upper_case_and_aliases_resolve() {
        for (i, function) in FUNCTIONS.iter().enumerate() {
            assert_eq!(function.name, function.name.to_ascii_uppercase());
            assert!(
                FUNCTIONS[..i]
                    .iter()
                    .all(|other| other.name != function.name),
                "{} twice",
                function.name
            );
            if let Some(original) = function.alias_of {
                let original = lookup(original).expect("alias target");
                assert_eq!(original.signature, function.signature);
            }
        }
    }

    #[test]
    fn signatures_as_the_server_counts_them() {
        // Trailing comma (DECAY_*), leading `|` (FAIL), `h` glued to `.`
        // (DOCUMENT, IS_SAME_COLLECTION), `.+` after `|` (CALL, PHRASE).
        assert_eq!(counts(".,.,.,.,.,"), Some((5, 5)));
        assert_eq!(counts("|."), Some((0, 1)));
        assert_eq!(counts("h.|."), Some((1, 2)));
        assert_eq!(counts(".h,.h"), Some((2, 2)));
        assert_eq!(counts(".|.+"), Some((1, UNBOUNDED)));
        assert_eq!(counts(".,.|.+"), Some((2, UNBOUNDED)));
        assert_eq!(counts(""), Some((0, 0)));
        assert_eq!(counts(".x"), None);
    }

    #[test]
    fn version_facts() {
        for name in ["TO_CHAR", "REPEAT", "ENTRIES", "RANDOM", "APPROX_NEAR_L2"] {
            assert_eq!(lookup(name).and_then(|f| f.since), Some("3.12"), "{name}");
        }
        assert_eq!(lookup("FULLTEXT").and_then(|f| f.removed_in), Some("4.0"));
        assert!(lookup_in("PREGEL_RESULT", AqlVersion::V3_12).is_none());
        assert!(lookup_in("PREGEL_RESULT", AqlVersion::new(3, 11, 14)).is_some());
        assert!(lookup_in("PARTITION", AqlVersion::new(3, 12, 10)).is_none());
        assert!(lookup_in("PARTITION", AqlVersion::V4_0).is_some());
        let since_4 = function_availability("PARTITION").expect("a row");
        assert_eq!(
            (since_4.since, since_4.removed_in),
            (Some(AqlVersion::V4_0), None)
        );
        let until_4 = function_availability("FULLTEXT").expect("a row");
        assert_eq!(
            (until_4.since, until_4.removed_in),
            (None, Some(AqlVersion::V4_0))
        );
        let always = function_availability("LENGTH").expect("a row");
        assert_eq!((always.since, always.removed_in), (None, None));
        assert_eq!(function_availability("LENGTHH"), None);
        assert!(lookup_in("TO_CHAR", AqlVersion::new(3, 11, 14)).is_none());
        assert!(lookup_in("TO_CHAR", AqlVersion::V3_12).is_some());
        assert!(lookup_in("FULLTEXT", AqlVersion::new(3, 12, 10)).is_some());
        assert!(lookup_in("FULLTEXT", AqlVersion::V4_0).is_none());
        // Every version string of the list is one `AqlVersion` parses.
        for function in FUNCTIONS {
            for version in function.since.iter().chain(&function.removed_in) {
                assert!(list_version(version).is_some(), "{}", function.name);
            }
        }
        assert!(lookup("INTERNAL").is_some_and(|f| f.internal));
    }
}
