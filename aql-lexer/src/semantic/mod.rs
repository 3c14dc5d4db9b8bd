//! The checks ArangoDB makes while it parses a query, after the grammar has
//! accepted it: function names and argument counts, variables, and the
//! rules of data modification. Together with the parser this answers what a
//! server's `POST /_api/query` would answer, without a database.
//!
//! Each check lives in its own file and adds [`QueryError`]s; the errors of
//! one query come back sorted by position, so the first is the one a server
//! would report.
//!
//! [`check_query_with`] answers for a given server version and, with
//! [`CheckStage::Execution`], also makes the checks a server makes when it
//! prepares a query for execution (`execution.rs`).

mod execution;
mod function_list;
mod functions;
mod modifications;
mod variables;
mod version;

pub use function_list::{function_availability, FunctionAvailability};
pub use version::{AqlVersion, CheckOptions, CheckStage, InvalidVersion};

use crate::lexer::Position;
use crate::parser::{ast::Query, parse_query};
use crate::syntax::SyntaxError;

/// One reason a server would refuse to parse a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// ArangoDB's `errorNum` (1501 parse error, 1502 empty query, 1540
    /// unknown function, ...; `lib/Basics/errors.dat`).
    pub error_num: u32,
    /// The error's own message (`errors.dat` text filled in), as a 3.12
    /// `POST /_api/query` answers it. Endpoints and older versions add
    /// their own wording around it (3.11's cursor answers `AQL: <message>
    /// (while parsing)`); that is the caller's concern, see `stage`.
    pub message: String,
    /// The server stage that raises the error: parsing, or preparing the
    /// query for execution ([`CheckStage::Execution`]). A server words the
    /// two differently (`while parsing`, `while optimizing ast`).
    pub stage: CheckStage,
    /// Where the offending construct starts (column in characters).
    pub position: Position,
    /// The column of `position` counted as the server counts it: in bytes,
    /// not restarted by line feeds inside string literals.
    pub byte_column: u32,
}

impl From<SyntaxError> for QueryError {
    fn from(error: SyntaxError) -> Self {
        QueryError {
            error_num: error.error_num(),
            message: error.message,
            stage: CheckStage::Parse,
            position: error.position,
            byte_column: error.byte_column,
        }
    }
}

/// Parses `query` and runs every parse-time check on it, as ArangoDB 3.12
/// does for `POST /_api/query` (the same as [`check_query_with`] with the
/// default [`CheckOptions`]).
///
/// Returns the syntax tree, or every error found, sorted by position: a
/// syntax error alone (the parse stops there), or all semantic errors.
pub fn check_query(query: &str) -> Result<Query, Vec<QueryError>> {
    check_query_with(query, &CheckOptions::default())
}

/// [`check_query`] plus the checks ArangoDB 3.12 makes when it prepares the
/// parsed query for execution, before it reads any data: what a cursor
/// (`POST /_api/cursor`) or an explain answers for a query that parses.
/// That stage is `Ast::validateAndOptimize` (`arangod/Aql/Ast.cpp`): error
/// 1579 for a collection read or written after a modification of it, a
/// document-reading function or a traversal after a modification (the
/// module notes of `semantic/execution.rs` list the rules and what is left
/// out).
pub fn check_query_for_execution(query: &str) -> Result<Query, Vec<QueryError>> {
    check_query_with(
        query,
        &CheckOptions {
            stage: CheckStage::Execution,
            ..CheckOptions::default()
        },
    )
}

/// Checks `query` as a server of `options.version` would, up to
/// `options.stage`.
///
/// The functions known are those of that version (`PARTITION` exists from
/// 4.0 on, `TO_CHAR` from 3.12, `FULLTEXT` until 3.12). Messages are the
/// errors' own text; how an endpoint of a version wraps them (3.11's
/// cursor: `AQL: ... (while parsing)`, `AQL: ... (while optimizing ast)`,
/// transcript `aqlArrayReplaceNth_3_single`) is the caller's concern, told
/// by [`QueryError::stage`]. Syntax-error checks do not depend on the
/// version.
pub fn check_query_with(query: &str, options: &CheckOptions) -> Result<Query, Vec<QueryError>> {
    let tree = parse_query(query).map_err(|error| vec![QueryError::from(error)])?;
    let errors = check_tree_with(&tree, query, options);
    if errors.is_empty() {
        Ok(tree)
    } else {
        Err(errors)
    }
}

/// The checks of [`check_query_with`] after the parse: `tree` is
/// [`parse_query`]`(query)`, which does not depend on the version, so a
/// caller that checks one query for several versions parses it once.
/// Returns every error found, sorted by position; none when the query
/// passes.
pub fn check_tree_with(tree: &Query, query: &str, options: &CheckOptions) -> Vec<QueryError> {
    let mut errors = Vec::new();
    let mut report = |error_num: u32, message: String, position: Position| {
        errors.push(QueryError {
            error_num,
            message,
            stage: CheckStage::Parse,
            position,
            // Filled in below, with one scan for all errors.
            byte_column: 0,
        });
    };
    functions::check(tree, query, options.version, &mut report);
    variables::check(tree, query, options.version, &mut report);
    modifications::check(tree, &mut report);
    // The server stops after parsing when the parse found errors.
    let parse_errors = errors.len();
    if parse_errors == 0 && options.stage == CheckStage::Execution {
        let mut report = |error_num: u32, message: String, position: Position| {
            errors.push(QueryError {
                error_num,
                message,
                stage: CheckStage::Execution,
                position,
                // Filled in below, with one scan for all errors.
                byte_column: 0,
            });
        };
        execution::check(tree, options.version, &mut report);
    }
    if !errors.is_empty() {
        let columns = crate::server_position::ColumnOrigins::new(query);
        for error in &mut errors {
            error.byte_column = columns.column(error.position.offset.min(query.len()));
        }
        errors.sort_by_key(|error| error.position.offset);
    }
    errors
}

/// How a check reports an error: number, message, position.
type Report<'a> = dyn FnMut(u32, String, Position) + 'a;

/// For the checks' unit tests: each error of `checked` as (number,
/// message, `line:column`); none when the query passed.
#[cfg(test)]
pub(crate) fn error_triples(checked: Result<Query, Vec<QueryError>>) -> Vec<(u32, String, String)> {
    match checked {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .map(|e| {
                (
                    e.error_num,
                    e.message,
                    format!("{}:{}", e.position.line, e.position.column),
                )
            })
            .collect(),
    }
}
