//! The function checks ArangoDB makes while it parses a query.
//!
//! Every call node goes through `Ast::createNodeFunctionCall`
//! (`arangod/Aql/Ast.cpp`) as soon as the grammar has reduced it:
//! - The name is upper-cased (`Ast::normalizeFunctionName`). A name with
//!   `::` is a user-defined function: it becomes a `FCALL_USER` node
//!   without any check; whether it exists is only known when the query is
//!   executed (error 1582 then), so it is accepted here.
//! - Any other name is looked up in the built-in functions
//!   (`AqlFunctionFeature::byName`); an unknown one throws 1540
//!   `ERROR_QUERY_FUNCTION_NAME_UNKNOWN`, "usage of unknown function
//!   '%s()'" (`lib/Basics/errors.dat`), filled in with the upper-cased name.
//!   Internal functions (flag `Internal`, e.g. `MAKE_DISTRIBUTE_INPUT`) are
//!   answered the same way: "referring to internal functions from user
//!   queries will pretend these functions do not exist" (comment above the
//!   `INTERNAL` function in `AqlFunctionFeature.cpp`).
//! - A wrong number of arguments throws 1541
//!   `ERROR_QUERY_FUNCTION_ARGUMENT_NUMBER_MISMATCH`, "invalid number of
//!   arguments for function '%s()', expected number of arguments: minimum:
//!   %d, maximum: %d", filled in with the function name as the query spells
//!   it (every stored version of `Ast.cpp` passes the name it was given, not
//!   the normalized one) and the counts of [`function_list`]; an unbounded
//!   maximum prints as 65536.
//!
//! The grammar then checks `COLLECT ... AGGREGATE` and `WINDOW ...
//! AGGREGATE` assignments (`validateAggregates` in `arangod/Aql/grammar.y`):
//! each must be a call to a built-in aggregate function
//! (`Aggregator::isValid`, `arangod/Aql/Aggregator.cpp`), otherwise 1574
//! `ERROR_QUERY_INVALID_AGGREGATE_EXPRESSION`, "invalid aggregate
//! expression". The aggregate list of the stored `Aggregator.cpp` predates
//! 3.12 (it lacks `PUSH`, which the 4.x/3.12 docs aggregate with, and the
//! `BIT_*` aggregates), so only calls that are surely not aggregates are
//! reported: user functions and built-ins outside [`AGGREGATE_CANDIDATES`].
//! Newer sources build aggregate calls with `createNodeAggregateFunctionCall`
//! (declared in the stored 3.12-era `Ast.h`; its body was not readable), and
//! `PUSH(x)` aggregates with one argument in the docs although the function
//! `PUSH` takes two or three, so argument counts of aggregate calls are not
//! checked.
//!
//! Positions: the server's messages for these errors carry no position (the
//! errors are thrown, not registered with a location), so the position
//! reported is the start of the call (its name). Where one query has
//! several of these errors, a server stops at the first one it builds:
//! calls are built innermost first (arguments are reduced before the call),
//! so for `OUTER(INNER())` with both unknown a server names `INNER`, while
//! [`super::check_query`] sorts by position and lists `OUTER` first.
//!
//! [`function_list`]: super::function_list

use super::function_list::{lookup_in, Function};
use super::version::AqlVersion;
use super::Report;
use crate::lexer::Position;
use crate::parser::ast::{Assignment, Expr, ExprKind, Query, Statement};
use crate::parser::visit::each_expr;

/// Functions that may be aggregates in 3.12: the official aggregators and
/// aliases of the stored `Aggregator.cpp` plus `PUSH`, `BIT_AND`, `BIT_OR`
/// and `BIT_XOR` (aggregated in the docs: corpus `valid/` queries with
/// `AGGREGATE ... = PUSH(...)`). Calls to other built-ins in an AGGREGATE
/// are reported as 1574.
pub(crate) const AGGREGATE_CANDIDATES: &[&str] = &[
    "LENGTH",
    "COUNT",
    "MIN",
    "MAX",
    "SUM",
    "AVERAGE",
    "AVG",
    "VARIANCE_POPULATION",
    "VARIANCE",
    "VARIANCE_SAMPLE",
    "STDDEV_POPULATION",
    "STDDEV",
    "STDDEV_SAMPLE",
    "UNIQUE",
    "SORTED_UNIQUE",
    "COUNT_DISTINCT",
    "COUNT_UNIQUE",
    "PUSH",
    "BIT_AND",
    "BIT_OR",
    "BIT_XOR",
];

/// Reports 1540, 1541 and 1574 for the calls of `query` (`text` is the
/// query string, for the spelling of names in 1541 messages), against the
/// functions a server of `version` registers.
pub(super) fn check(query: &Query, text: &str, version: AqlVersion, report: &mut Report) {
    let mut queries = vec![query];
    let mut calls = Vec::new();
    each_expr(query, &mut |expr| match &expr.kind {
        ExprKind::Call { name, args } => calls.push((name, args.len(), expr.start)),
        ExprKind::Subquery(inner) => queries.push(&**inner),
        _ => {}
    });
    let aggregates: Vec<&Assignment> = queries
        .iter()
        .flat_map(|query| &query.body)
        .flat_map(|statement| match statement {
            Statement::Collect(collect) => collect.aggregates.iter(),
            Statement::Window(window) => window.aggregates.iter(),
            _ => [].iter(),
        })
        .collect();
    for (name, count, start) in calls {
        // An aggregate call is built by `createNodeAggregateFunctionCall`,
        // not against the function's own signature: `PUSH(x)` aggregates
        // with one argument (corpus valid/0638.aql) though the function
        // `PUSH` needs two. Its counts are not checked here.
        let aggregate = aggregates.iter().any(|a| a.value.start == start);
        check_call(name, count, start, !aggregate, text, version, report);
    }
}

/// A built-in function as a user query may call it on a server of
/// `version`.
pub(super) fn builtin(name: &str, version: AqlVersion) -> Option<&'static Function> {
    lookup_in(name, version).filter(|function| !function.internal)
}

fn check_call(
    name: &str,
    count: usize,
    start: Position,
    check_count: bool,
    text: &str,
    version: AqlVersion,
    report: &mut Report,
) {
    if name.contains("::") {
        return;
    }
    let Some(function) = builtin(name, version) else {
        report(1540, format!("usage of unknown function '{name}()'"), start);
        return;
    };
    if check_count && (count < function.min || count > function.max) {
        let spelled = spelling(text, start.offset).unwrap_or(name);
        report(
            1541,
            format!(
                "invalid number of arguments for function '{spelled}()', expected number of \
                 arguments: minimum: {}, maximum: {}",
                function.min, function.max
            ),
            start,
        );
    }
}

/// The function name as written at `offset` (a plain identifier).
fn spelling(text: &str, offset: usize) -> Option<&str> {
    let rest = text.get(offset..)?;
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// What grammar.y's `validateAggregates` says of an aggregate's
/// expression, if it is not a call to an aggregate function: "aggregate
/// expression must be a function call", or "unknown aggregate function
/// used" for a user function or a built-in outside
/// [`AGGREGATE_CANDIDATES`]. An unknown built-in is 1540, raised first.
/// The caller reports it as 1574 (`TRI_ERROR_QUERY_INVALID_AGGREGATE_EXPRESSION`)
/// where the action registers it (variables.rs, with the other checks of
/// that action).
pub(super) fn aggregate_problem(value: &Expr, version: AqlVersion) -> Option<&'static str> {
    let ExprKind::Call { name, .. } = &value.kind else {
        return Some("aggregate expression must be a function call");
    };
    let valid = if name.contains("::") {
        false
    } else if builtin(name, version).is_none() {
        return None;
    } else {
        AGGREGATE_CANDIDATES.contains(&name.as_str())
    };
    (!valid).then_some("unknown aggregate function used")
}

#[cfg(test)]
mod tests {
    use crate::{check_query, QueryError};

    fn errors(query: &str) -> Vec<(u32, String, u32, u32)> {
        match check_query(query) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .into_iter()
                .map(
                    |QueryError {
                         error_num,
                         message,
                         position,
                         ..
                     }| {
                        (error_num, message, position.line, position.column)
                    },
                )
                .collect(),
        }
    }

    #[test]
    fn known_functions_with_right_counts_pass() {
        for query in [
            "RETURN LENGTH([1])",
            "RETURN length([1])",
            "RETURN CONCAT(1)",
            "RETURN CONCAT(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)",
            "RETURN DECAY_GAUSS(1, 2, 3, 4, 5)",
            "RETURN FAIL()",
            "RETURN DATE_NOW()",
            "RETURN LIKE('a', 'a')",
            "RETURN DATE_DIFF(1, 2, 'd', false, 'UTC', 'UTC')",
            "RETURN TOKENS('a')",
            "RETURN BM25(1, 2, 3)",
        ] {
            assert_eq!(errors(query), Vec::new(), "{query}");
        }
    }

    #[test]
    fn unknown_function_is_1540_with_the_upper_cased_name() {
        assert_eq!(
            errors("FOR u IN users\n  LET x = lengthh(u.tags)\n  RETURN x"),
            vec![(1540, "usage of unknown function 'LENGTHH()'".into(), 2, 11)]
        );
    }

    #[test]
    fn functions_3_12_does_not_have_are_unknown() {
        // 4.x only (release notes "What's new in 4.x"), and gone in 3.12.
        for name in ["PARTITION", "UNION_DISTINCT_STABLE", "PREGEL_RESULT"] {
            let query = format!("RETURN {name}(1, 2)");
            assert_eq!(errors(&query)[0].0, 1540, "{query}");
        }
    }

    #[test]
    fn internal_functions_are_unknown() {
        assert_eq!(
            errors("RETURN MAKE_DISTRIBUTE_INPUT(1, 2)"),
            vec![(
                1540,
                "usage of unknown function 'MAKE_DISTRIBUTE_INPUT()'".into(),
                1,
                8
            )]
        );
        assert_eq!(errors("RETURN INTERNAL()")[0].0, 1540);
    }

    #[test]
    fn wrong_count_is_1541_with_the_name_as_written() {
        assert_eq!(
            errors("RETURN Length(1, 2)"),
            vec![(
                1541,
                "invalid number of arguments for function 'Length()', expected number of \
                 arguments: minimum: 1, maximum: 1"
                    .into(),
                1,
                8
            )]
        );
        assert_eq!(
            errors("RETURN CONCAT_SEPARATOR(',')")[0].1,
            "invalid number of arguments for function 'CONCAT_SEPARATOR()', expected number \
             of arguments: minimum: 2, maximum: 65536"
        );
        assert!(errors("RETURN PI(1)")[0]
            .1
            .contains("minimum: 0, maximum: 0"));
        assert_eq!(errors("RETURN DECAY_EXP(1, 2, 3, 4)")[0].0, 1541);
    }

    #[test]
    fn user_functions_are_accepted_at_parse_time() {
        assert_eq!(errors("RETURN MYFUNCTIONS::TEMP::C2F(1, 2, 3)"), Vec::new());
        assert_eq!(errors("RETURN ns::length()"), Vec::new());
    }

    #[test]
    fn calls_everywhere_are_checked() {
        let found = errors(
            "FOR d IN docs FILTER NOPE(d) SORT NOPE2(d) \
             LET s = (FOR x IN 1..2 RETURN NOPE3(x)) RETURN [d[* RETURN NOPE4(CURRENT)]]",
        );
        let names: Vec<_> = found.iter().map(|e| e.1.clone()).collect();
        assert_eq!(
            names,
            [
                "usage of unknown function 'NOPE()'",
                "usage of unknown function 'NOPE2()'",
                "usage of unknown function 'NOPE3()'",
                "usage of unknown function 'NOPE4()'",
            ]
        );
    }

    #[test]
    fn aggregates_must_be_aggregate_functions() {
        for query in [
            "FOR u IN users COLLECT AGGREGATE n = COUNT(u), m = MAX(u.a) RETURN [n, m]",
            "FOR u IN users COLLECT g = u.g AGGREGATE p = PUSH(u) RETURN p",
            "FOR u IN users WINDOW { preceding: 1 } AGGREGATE s = SUM(u.a) RETURN s",
        ] {
            assert_eq!(errors(query), Vec::new(), "{query}");
        }
        // Registered by grammar.y's validateAggregates at the token after
        // the COLLECT, with the query region like a syntax error.
        assert_eq!(
            errors("FOR u IN users COLLECT AGGREGATE c = CONCAT(u.a) RETURN c"),
            vec![(
                1574,
                "unknown aggregate function used near 'RETURN c' at position 1:50".into(),
                1,
                50
            )]
        );
        assert_eq!(
            errors("FOR u IN users WINDOW { preceding: 1 } AGGREGATE c = NS::AGG(u.a) RETURN c")[0]
                .0,
            1574
        );
        // Unknown names are 1540 only, as the call is built before the
        // aggregate is validated.
        let unknown = errors("FOR u IN users COLLECT AGGREGATE c = NOPE(u.a) RETURN c");
        assert_eq!(unknown.len(), 1);
        assert_eq!(unknown[0].0, 1540);
    }

    #[test]
    fn aggregates_in_subqueries_are_checked() {
        let found =
            errors("LET s = (FOR u IN users COLLECT AGGREGATE c = UPPER(u.a) RETURN c) RETURN s");
        assert_eq!(found[0].0, 1574);
    }
}
