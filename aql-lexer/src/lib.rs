//! An AQL (ArangoDB Query Language) tokenizer with a few query analyses on
//! top, shared by `arangosync` and the ArangoDB emulator.
//!
//! - [`tokenize`] splits a query into tokens, whitespace and comments
//!   included, following ArangoDB's own scanner rules.
//! - [`bind_parameters`] lists the `@value` and `@@collection` parameters.
//! - [`referenced_collections`] lists collections named literally
//!   (heuristic and conservative; see its documentation for the rules).
//! - [`check_syntax`] rejects clear syntax errors with ArangoDB-style
//!   messages and never rejects a valid query; it is not a full parser.
//! - [`parse_query`] is the full parser: a typed syntax tree ([`ast`]) or
//!   the first syntax error.
//! - [`check_query`] parses and then makes the server's parse-time checks
//!   (functions, variables, data modification), answering as a server would;
//!   [`check_query_for_execution`] adds the checks a server makes when it
//!   prepares a query for a cursor (1579, access after data-modification);
//!   [`check_query_with`] answers for another server version ([`AqlVersion`]).
//! - [`lineage()`] lists what a parsed query reads.
//! - [`classify()`] tells a complete query from an expression, an operation
//!   fragment, a template, several queries or an invalid query.
//!
//! Nothing here panics, whatever the input: failures are returned as errors.

mod classify;
mod collections;
mod lexer;
pub mod lineage;
mod params;
pub mod parser;
mod semantic;
mod server_position;
mod stack;
mod syntax;

pub use classify::{classify, Classification};
pub use collections::referenced_collections;
pub use lexer::{
    is_context_keyword, is_keyword, tokenize, LexError, Position, Span, Token, TokenKind,
    CONTEXT_KEYWORDS, KEYWORDS, KEYWORDS_4X, SPECIAL_VARIABLES,
};
pub use lineage::{lineage, Lineage};
pub use params::{bind_parameters, BindParameter, BindParameterKind};
pub use parser::{ast, parse_query, visit};
pub use semantic::{
    check_query, check_query_for_execution, check_query_with, check_tree_with,
    function_availability, AqlVersion, CheckOptions, CheckStage, FunctionAvailability,
    InvalidVersion, QueryError,
};
pub use server_position::{position_at_server_location, server_column};
pub use syntax::{check_syntax, QueryInfo, SyntaxError, SyntaxErrorKind};
