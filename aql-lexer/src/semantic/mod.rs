//! The checks ArangoDB makes while it parses a query, after the grammar has
//! accepted it: function names and argument counts, variables, and the
//! rules of data modification. Together with the parser this answers what a
//! server's `POST /_api/query` would answer, without a database.
//!
//! Each check lives in its own file and adds [`QueryError`]s; the errors of
//! one query come back sorted by position, so the first is the one a server
//! would report.

mod function_list;
mod functions;
mod modifications;
mod variables;

use crate::lexer::Position;
use crate::parser::{ast::Query, parse_query};
use crate::syntax::SyntaxError;

/// One reason a server would refuse to parse a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// ArangoDB's `errorNum` (1501 parse error, 1502 empty query, 1540
    /// unknown function, ...; `lib/Basics/errors.dat`).
    pub error_num: u32,
    /// The server's `errorMessage` as ArangoDB 3.12 words it (3.11 wraps
    /// errors other than 1501/1502 in `AQL: ... (while parsing)`).
    pub message: String,
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
            position: error.position,
            byte_column: error.byte_column,
        }
    }
}

/// Parses `query` and runs every parse-time check on it.
///
/// Returns the syntax tree, or every error found, sorted by position: a
/// syntax error alone (the parse stops there), or all semantic errors.
pub fn check_query(query: &str) -> Result<Query, Vec<QueryError>> {
    let tree = parse_query(query).map_err(|error| vec![QueryError::from(error)])?;
    let mut errors = Vec::new();
    let mut report = |error_num: u32, message: String, position: Position| {
        errors.push(QueryError {
            error_num,
            message,
            position,
            byte_column: crate::server_column(query, position.offset),
        });
    };
    functions::check(&tree, query, &mut report);
    variables::check(&tree, query, &mut report);
    modifications::check(&tree, &mut report);
    if errors.is_empty() {
        Ok(tree)
    } else {
        errors.sort_by_key(|error| error.position.offset);
        Err(errors)
    }
}

/// How a check reports an error: number, message, position.
type Report<'a> = dyn FnMut(u32, String, Position) + 'a;
