//! Which server a feature query is checked for, before any connection.
//!
//! A feature runs through a cursor, so its query is checked as a server
//! prepares a query for execution: parsed, then `Ast::validateAndOptimize`
//! (`aql_lexer::CheckStage::Execution`; a collection read after the query
//! modified it, error 1579, is caught too). Which functions exist depends
//! on the server version, so:
//! - with `--target-version`, exactly as that version checks;
//! - without one (also on a live `plan`/`apply`, whose tree is loaded and
//!   checked before connecting), an error counts only where every supported
//!   line (3.11, 3.12, 4.x) reports it: `LENGTHH()` is an error,
//!   `PARTITION()` (4.0 only) is not. The server parses each query again
//!   before registration, and a local check of its version places a
//!   version-specific refusal in the file (`locate_server_error`);
//! - the base tree of `plan --offline-from` is only compared, so its
//!   queries are not checked (a broken feature on the base branch must
//!   not stop the plan of the pull request that fixes it).

use aql_lexer::{ast::Query, check_tree_with, AqlVersion, CheckOptions, CheckStage, QueryError};

/// The lines arangosync supports, newest patch levels assumed (`since`
/// rows such as 3.12's functions hold on every 3.12.x).
const SUPPORTED: [AqlVersion; 3] = [
    AqlVersion::new(3, 11, u16::MAX),
    AqlVersion::new(3, 12, u16::MAX),
    AqlVersion::new(4, u16::MAX, u16::MAX),
];

/// How feature queries are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryChecks {
    /// As this server version checks them (`--target-version`).
    Version(AqlVersion),
    /// As every supported version would: an error only where all report it.
    AnySupportedVersion,
    /// Not checked (the base tree of `plan --offline-from`); a query that
    /// does not parse still loads, without lineage.
    Skip,
}

impl QueryChecks {
    /// For the offline server `target` (`--target-version`), or any
    /// supported version without one.
    pub fn for_target(target: Option<&crate::server::Server>) -> Self {
        target.map_or(QueryChecks::AnySupportedVersion, |server| {
            QueryChecks::Version(aql_version(&server.version))
        })
    }

    /// The version the diagnostics name, if one is targeted.
    pub fn version(self) -> Option<AqlVersion> {
        match self {
            QueryChecks::Version(version) => Some(version),
            QueryChecks::AnySupportedVersion | QueryChecks::Skip => None,
        }
    }

    /// The syntax tree of `query`, or the errors to report (none for
    /// [`QueryChecks::Skip`], which gives `Ok(None)` for a query that does
    /// not parse).
    pub fn check(self, query: &str) -> Result<Option<Query>, Vec<QueryError>> {
        let versions: &[AqlVersion] = match &self {
            QueryChecks::Skip => return Ok(aql_lexer::parse_query(query).ok()),
            QueryChecks::Version(version) => std::slice::from_ref(version),
            QueryChecks::AnySupportedVersion => &SUPPORTED,
        };
        // The parse does not depend on the version: once, then each
        // version's checks on the same tree.
        let tree = aql_lexer::parse_query(query).map_err(|error| vec![QueryError::from(error)])?;
        let at = |version| {
            check_tree_with(
                &tree,
                query,
                &CheckOptions {
                    version,
                    stage: CheckStage::Execution,
                },
            )
        };
        let mut refusals = Vec::new();
        for &version in versions {
            let errors = at(version);
            if errors.is_empty() {
                return Ok(Some(tree));
            }
            refusals.push(errors);
        }
        if let [errors] = refusals.as_mut_slice() {
            // One version: exactly what it says.
            return Err(std::mem::take(errors));
        }
        // Every line refuses it: report what all of them say, or, where
        // they differ (a function of one line and another of another), what
        // 3.12 says.
        let mut lines = refusals.into_iter();
        let first = lines.next().unwrap_or_default();
        let rest: Vec<Vec<QueryError>> = lines.collect();
        let common: Vec<QueryError> = first
            .into_iter()
            .filter(|error| rest.iter().all(|errors| errors.contains(error)))
            .collect();
        if common.is_empty() {
            let errors = at(AqlVersion::V3_12);
            if errors.is_empty() {
                Ok(Some(tree))
            } else {
                Err(errors)
            }
        } else {
            Err(common)
        }
    }
}

/// arangosync's server version as the AQL checks take it.
pub fn aql_version(version: &crate::server::Version) -> AqlVersion {
    let part = |number: u32| u16::try_from(number).unwrap_or(u16::MAX);
    AqlVersion::new(
        part(version.major),
        part(version.minor),
        part(version.patch),
    )
}

/// Where a local check places an error the server reported without a
/// position (1540 and 1541 carry none): the first error with the same
/// number that a check as any supported version finds, as (line, character
/// column) in the query.
pub fn locate_server_error(query: &str, error_num: u32) -> Option<(usize, usize)> {
    SUPPORTED.into_iter().find_map(|version| {
        let errors = QueryChecks::Version(version).check(query).err()?;
        let error = errors.iter().find(|error| error.error_num == error_num)?;
        Some((error.position.line as usize, error.position.column as usize))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_version_only_what_every_line_refuses_is_an_error() {
        let any = QueryChecks::AnySupportedVersion;
        assert!(matches!(
            any.check("RETURN PARTITION([1, 2], 1)"),
            Ok(Some(_))
        ));
        assert!(matches!(any.check("RETURN TO_CHAR(1)"), Ok(Some(_))));
        let errors = any.check("RETURN LENGTHH([1])").unwrap_err();
        assert_eq!(errors[0].error_num, 1540);
        // Only 4.0 has PARTITION, and 4.0 lacks FULLTEXT: no line takes
        // both, and where they differ 3.12 speaks.
        let errors = any
            .check("RETURN [PARTITION([1], 1), FULLTEXT(c, 'a', 'b')]")
            .unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("PARTITION"), "{errors:?}");
        let v4 = QueryChecks::Version(AqlVersion::V4_0);
        assert!(v4.check("RETURN FULLTEXT(c, 'a', 'b')").is_err());
        assert!(matches!(QueryChecks::Skip.check("RETURN ("), Ok(None)));
    }

    #[test]
    fn a_server_refusal_without_position_is_placed_by_a_local_check() {
        assert_eq!(
            locate_server_error("LET x = 1\nRETURN PARTITION(x)", 1541),
            Some((2, 8))
        );
        assert_eq!(locate_server_error("RETURN 1", 1540), None);
    }
}
