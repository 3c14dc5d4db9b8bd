//! Data modification: the rules ArangoDB enforces on `INSERT`, `UPDATE`,
//! `REPLACE`, `REMOVE` and `UPSERT` while it parses a query.
//!
//! At parse time (what `POST /_api/query` answers) there is one:
//! `Ast::createNodeWindow` throws 1595 (`window operation after
//! data-modification`, errors.dat ERROR_QUERY_WINDOW_AFTER_MODIFICATION) for
//! a `WINDOW` once the parser has registered any data modification
//! (`Parser::configureWriteQuery` sets the AST's flag when it reduces the
//! operation), anywhere before in the query text or inside the `WINDOW`
//! itself, subqueries included. It carries no position; it is reported at
//! the `WINDOW` keyword.
//!
//! Not here, because the server checks them only when it prepares a query
//! for execution (`Ast::validateAndOptimize`, run for cursors and explain,
//! not by the parse endpoint; see `execution.rs`): reading or writing a collection again after modifying it, or
//! a traversal or a document-reading function after any modification
//! (1579 `access after data-modification by %s`), and a data modification
//! nested inside another one's expressions (1573 `multi-modify query`).
//! Several modifications of *different* collections in one query are
//! allowed (3.12 docs, REMOVE: "REMOVE 'john' IN backups // OK, different
//! collection").

use super::Report;
use crate::lexer::Position;
use crate::parser::ast::{ExprKind, Query, Statement};
use crate::parser::visit::statement_exprs;

/// ERROR_QUERY_WINDOW_AFTER_MODIFICATION.
const WINDOW_AFTER_MODIFICATION: u32 = 1595;

pub(super) fn check(query: &Query, report: &mut Report) {
    // Every modification and window of the query, subqueries included, with
    // where the server reduces it: the token after the operation.
    let mut modification_ends = Vec::new();
    let mut windows = Vec::new();
    let mut note = |statement: &Statement| match statement {
        Statement::Modify(m) => modification_ends.push(m.end),
        Statement::Window(w) => windows.push((w.at, w.end)),
        _ => {}
    };
    for statement in &query.body {
        note(statement);
        // `statement_exprs` reaches every subquery below the statement,
        // nested ones included; each is listed here once.
        let mut subqueries = Vec::new();
        statement_exprs(statement, &mut |expr| {
            if let ExprKind::Subquery(sub) = &expr.kind {
                subqueries.push(sub);
            }
        });
        for sub in subqueries {
            sub.body.iter().for_each(&mut note);
        }
    }
    for (at, end) in windows {
        if modification_ends.iter().any(|m| m.offset <= end.offset) {
            window_after_modification(at, report);
        }
    }
}

fn window_after_modification(at: Position, report: &mut Report) {
    report(
        WINDOW_AFTER_MODIFICATION,
        "window operation after data-modification".to_string(),
        at,
    );
}

#[cfg(test)]
mod tests {
    use crate::check_query;

    fn errors(query: &str) -> Vec<(u32, String, String)> {
        crate::semantic::error_triples(check_query(query))
    }

    fn window_error(at: &str) -> Vec<(u32, String, String)> {
        vec![(
            1595,
            "window operation after data-modification".to_string(),
            at.to_string(),
        )]
    }

    #[test]
    fn window_after_a_modification() {
        // Ast::createNodeWindow throws once the AST contains a modification.
        assert_eq!(
            errors(
                "FOR u IN users UPDATE u WITH { a: 1 } IN users \
                 WINDOW { preceding: 1 } AGGREGATE s = SUM(NEW.a) RETURN s"
            ),
            window_error("1:48")
        );
        // A modification in an earlier subquery counts too: the flag is
        // per query.
        assert_eq!(
            errors(
                "LET r = (FOR u IN users REMOVE u IN users RETURN OLD)\n\
                 FOR t IN ts WINDOW { preceding: 1 } AGGREGATE s = SUM(t.v) RETURN s"
            ),
            window_error("2:13")
        );
        // ... and one inside the WINDOW's own expressions (reduced first).
        assert_eq!(
            errors(
                "FOR t IN ts WINDOW { preceding: LENGTH(FOR x IN c REMOVE x IN c RETURN 1) } \
                 AGGREGATE s = SUM(t.v) RETURN s"
            ),
            window_error("1:13")
        );
    }

    #[test]
    fn window_before_a_modification_is_fine() {
        assert_eq!(
            errors(
                "FOR t IN ts WINDOW { preceding: 1 } AGGREGATE s = SUM(t.v) \
                 INSERT { s } INTO sums"
            ),
            Vec::new()
        );
        // A WINDOW inside a subquery of the modification is reduced before it.
        assert_eq!(
            errors(
                "INSERT { s: (FOR t IN ts WINDOW { preceding: 1 } AGGREGATE s = SUM(t.v) \
                 RETURN s) } INTO sums"
            ),
            Vec::new()
        );
    }

    #[test]
    fn several_modifications_are_no_parse_error() {
        // 3.12 docs, REMOVE: the third REMOVE fails with "access after
        // data-modification", but only when the query is prepared
        // (Ast::validateAndOptimize), not while it is parsed.
        assert_eq!(
            errors("REMOVE 'john' IN users\nREMOVE 'john' IN backups\nREMOVE 'mary' IN users"),
            Vec::new()
        );
    }
}
