//! The checks ArangoDB makes when it prepares a parsed query for execution
//! (a cursor, `POST /_api/cursor`, or an explain), before it reads any
//! data. `POST /_api/query` only parses and never makes them.
//!
//! Source: `Ast::validateAndOptimize` in `arangod/Aql/Ast.cpp`, read in the
//! two stored versions that have it in its current form (library file ids
//! 69044757, a 3.8-era file with `QueryContext` and `Function::Flags`, and
//! 242466900, older); the 3.12 file itself was not readable, so the 3.12
//! behaviour is inferred from them and from the 3.12 function flags
//! (`AqlFunctionFeature.cpp`, library file id 2445920714). The docs agree
//! on the main rule (3.12/4.x docs, REMOVE: the third of `REMOVE 'john' IN
//! users`, `REMOVE 'john' IN backups`, `REMOVE 'mary' IN users` fails with
//! "access after data-modification"; corpus `fragments/0189.aql`).
//!
//! How the server walks: the parser hoists every subquery out of the
//! expression it appears in: it becomes a `LET` of a temporary variable,
//! added to the enclosing (sub)query's operations just before the operation
//! that contains it (grammar.y, rules for `( query )`), and the expression
//! keeps a reference without children (`Ast::createNodeSubqueryReference`
//! in the stored `Ast.cpp`; the 3.12-era `Ast.h`, library file id
//! 3148502527, "Copyright 2014-2024", keeps the subquery nodes in a map
//! `_subqueries` looked up by `getSubqueryForVariable`, not as children).
//! `UPSERT` adds one more hoisted subquery, `FOR tmp IN collection FILTER
//! ... LIMIT 1 RETURN tmp`, after those of its own expressions. Each
//! element of `LET a = .., b = ..` is its own operation. The walk
//! (`Ast::traverseAndModify`) visits the operations in that order, each
//! node's children before the node itself, and keeps, across the whole
//! query:
//! - the nesting level: +1 inside each subquery;
//! - for each collection name, the level where a collection node was first
//!   met. Collection nodes are the names an operation reads (`FOR x IN c`,
//!   `c` anywhere in an expression, function arguments included: the
//!   plan builder turns `DOCUMENT(c, k)`'s `c` into a string only later,
//!   in `ExecutionPlan::createCalculation`) and the collection a
//!   modification writes. Not counted: `WITH` and the edge collections of
//!   traversals and path searches (a `COLLECTION_LIST`, skipped), and
//!   `GRAPH` names (strings);
//! - the collections written so far, and whether any modification was seen.
//!
//! It throws 1579 `ERROR_QUERY_ACCESS_AFTER_MODIFICATION`, "access after
//! data-modification by %s" (`lib/Basics/errors.dat`), for:
//! - a collection node whose collection was already written (its own
//!   modification counts only after the modification is done):
//!   `%s` = `collection 'NAME'`; reported where the name is, or at the
//!   modification's keyword when it is the collection a modification writes;
//! - a modification whose collection was first met at a lower nesting level
//!   than the modification (read outside, written in a subquery):
//!   `collection 'NAME'`, at the modification's keyword;
//! - a call of a function flagged `CanReadDocuments` (`DOCUMENT`,
//!   `COLLECTION_COUNT`) after any modification: `function NAME`, at the
//!   call;
//! - a traversal (`FOR v IN 1..2 OUTBOUND ...`) after any modification:
//!   `traversal`, at its `FOR`. Path searches (`SHORTEST_PATH`,
//!   `K_SHORTEST_PATHS`, `K_PATHS`, `ALL_SHORTEST_PATHS`) are other node
//!   types and are not checked.
//!
//! Errors of this stage carry [`CheckStage::Execution`]: 3.12 (3.12.10
//! transcript `aqlArrayReplaceNth_3_single`) answers them with the bare
//! message, 3.11 wraps it as `AQL: ... (while optimizing ast)` (3.11
//! transcript of the same example); the caller words them.
//!
//! Not reported, and why:
//! - 1573 `ERROR_QUERY_MULTI_MODIFY` ("multi-modify query"): the same walk
//!   throws it for a modification node met while another one is being
//!   visited, i.e. one nested in another's expressions. Since subqueries
//!   are hoisted and their references have no children, no modification
//!   node is ever below another one, so 3.12 queries do not reach it.
//! - Collections given as bind parameters (`@@c`): their names are only
//!   known when the query runs (two different parameters may name the same
//!   collection), so they are left out.
//! - 1575 `ERROR_QUERY_COMPILE_TIME_OPTIONS` and other errors of the plan
//!   builder (`ExecutionPlan.cpp`, e.g. `WINDOW` bounds that are not
//!   constant): whether an expression is constant depends on the
//!   optimizer's folding (a `LET` of a constant is inlined), which is not
//!   modelled; not checked.
//! - Names that are variables anywhere in the query are never taken for
//!   collections (a variable shadows a collection of the same name), so no
//!   error comes from a variable; a collection named like some variable of
//!   another scope is missed.
//!
//! The server throws the first error it meets and stops, so only that one
//! is reported: operations in the order above, within one operation its
//! hoisted subqueries, then the collection a modification writes, then
//! every node of its expressions children first, then the operation itself
//! (the traversal check, the modification's own check). A modification's
//! `OPTIONS` come before its collection in the server's node; an error in
//! them is reported after one of the collection (not modelled).

use std::collections::{HashMap, HashSet};

use super::functions::builtin;
use super::version::AqlVersion;
use super::Report;
use crate::lexer::Position;
use crate::parser::ast::*;
use crate::parser::visit::children;

/// ERROR_QUERY_ACCESS_AFTER_MODIFICATION.
pub(crate) const ACCESS_AFTER_MODIFICATION: u32 = 1579;

/// How deep subqueries are followed; the parser caps nesting well below.
const MAX_DEPTH: usize = 400;

pub(super) fn check(query: &Query, version: AqlVersion, report: &mut Report) {
    let mut variables = HashSet::new();
    declared_variables(query, &mut variables, 0);
    let mut walk = Walk {
        variables,
        version,
        first_seen: HashMap::new(),
        written: HashSet::new(),
        any_write: false,
        first_error: None,
    };
    // `WITH` is a collection list: not visited.
    walk.body(&query.body, 0);
    if let Some((message, at)) = walk.first_error {
        report(ACCESS_AFTER_MODIFICATION, message, at);
    }
}

struct Walk {
    /// Every name the query declares as a variable, anywhere.
    variables: HashSet<String>,
    version: AqlVersion,
    /// Collection name -> nesting level where a collection node with it was
    /// first met.
    first_seen: HashMap<String, usize>,
    /// Collections written by the modifications walked so far.
    written: HashSet<String>,
    any_write: bool,
    /// The first error met: the server throws it and stops.
    first_error: Option<(String, Position)>,
}

/// One operation as the server's AST has it: a statement, or one element
/// of a `LET`.
enum Operation<'q> {
    Statement(&'q Statement),
    Let(&'q Expr),
}

impl<'q> Walk {
    fn body(&mut self, body: &'q [Statement], level: usize) {
        if level > MAX_DEPTH {
            return;
        }
        for statement in body {
            match statement {
                Statement::Let(assignments) => {
                    for (_, value) in assignments {
                        self.operation(Operation::Let(value), level);
                    }
                }
                _ => self.operation(Operation::Statement(statement), level),
            }
        }
    }

    fn operation(&mut self, operation: Operation<'q>, level: usize) {
        let mut exprs = Vec::new();
        let mut modification = None;
        let mut traversal = None;
        match operation {
            Operation::Let(value) => exprs.push(Item::Expr(value)),
            Operation::Statement(statement) => {
                statement_items(statement, &mut exprs);
                match statement {
                    Statement::Modify(m) => modification = Some(&**m),
                    Statement::For(f) if matches!(f.source, ForSource::Traversal { .. }) => {
                        traversal = Some(f.at)
                    }
                    _ => {}
                }
            }
        }
        // The subqueries of the operation's expressions come first, in the
        // order the parser closes them (siblings in source order).
        let mut own = Vec::new();
        let mut subqueries = Vec::new();
        for item in &exprs {
            if let Item::Expr(expr) = item {
                split(expr, &mut own, &mut subqueries);
            }
        }
        for sub in subqueries {
            self.body(&sub.body, level + 1);
        }
        // UPSERT's own lookup subquery reads the collection one level down
        // (an error there is the one the server meets first; the UPSERT's
        // own collection node then only repeats it).
        let mut upsert = false;
        if let Some(m) = modification {
            if m.kind == ModificationKind::Upsert {
                if let Some(name) = collection_name(&m.collection) {
                    self.collection(name, m.at, level + 1, true);
                    upsert = true;
                }
            }
        }
        // Then the operation's own nodes: collections and calls.
        for item in &exprs {
            if let Item::Collection(expr) = item {
                if let Some(name) = collection_name(expr) {
                    let at = modification.map_or(expr.start, |m| m.at);
                    self.collection(name, at, level, !upsert);
                }
            }
        }
        for expr in own {
            match &expr.kind {
                ExprKind::Name(name) if !self.is_variable(name) => {
                    self.collection(name, expr.start, level, true);
                }
                ExprKind::Call { name, .. } => self.call(name, expr.start),
                _ => {}
            }
        }
        if let Some(at) = traversal {
            if self.any_write {
                self.error("traversal".to_string(), at);
            }
        }
        if let Some(m) = modification {
            self.modified(m, level);
        }
    }

    fn is_variable(&self, name: &str) -> bool {
        self.variables.contains(name) || matches!(name, "NEW" | "OLD" | "CURRENT")
    }

    /// A collection node met at `level`; `check`: whether to report it if
    /// the collection was written before.
    fn collection(&mut self, name: &str, at: Position, level: usize, check: bool) {
        self.first_seen.entry(name.to_string()).or_insert(level);
        if check && self.written.contains(name) {
            self.error(format!("collection '{name}'"), at);
        }
    }

    fn call(&mut self, name: &str, at: Position) {
        if !self.any_write || name.contains("::") {
            return;
        }
        if let Some(function) = builtin(name, self.version) {
            if function.reads_documents() {
                self.error(format!("function {}", function.name), at);
            }
        }
    }

    /// After a modification's children: it now counts as a write.
    fn modified(&mut self, m: &Modification, level: usize) {
        self.any_write = true;
        let Some(name) = collection_name(&m.collection) else {
            return;
        };
        self.written.insert(name.to_string());
        if self
            .first_seen
            .get(name)
            .is_some_and(|first| *first < level)
        {
            self.error(format!("collection '{name}'"), m.at);
        }
    }

    fn error(&mut self, what: String, at: Position) {
        if self.first_error.is_none() {
            self.first_error = Some((format!("access after data-modification by {what}"), at));
        }
    }
}

/// An expression of an operation, or a collection the operation names
/// directly (`FOR x IN c`, the collection a modification writes).
enum Item<'q> {
    Expr(&'q Expr),
    Collection(&'q Expr),
}

/// The expressions of one operation the server visits, and the collections
/// it names directly. Edge collections and `GRAPH` names are left out (a
/// collection list and a string for the server).
fn statement_items<'q>(statement: &'q Statement, out: &mut Vec<Item<'q>>) {
    let mut expr = |e: &'q Expr| out.push(Item::Expr(e));
    match statement {
        Statement::For(for_) => {
            match &for_.source {
                ForSource::Expr {
                    expr: source,
                    search,
                } => {
                    expr(source);
                    search.iter().for_each(&mut expr);
                }
                ForSource::Traversal {
                    depth,
                    start,
                    prune,
                    ..
                } => {
                    depth.iter().for_each(&mut expr);
                    expr(start);
                    if let Some(prune) = prune {
                        expr(&prune.condition);
                    }
                }
                ForSource::Path {
                    depth,
                    start,
                    target,
                    ..
                } => {
                    depth.iter().for_each(&mut expr);
                    expr(start);
                    expr(target);
                }
            }
            for_.options.iter().for_each(&mut expr);
        }
        Statement::Filter(e) => expr(e),
        Statement::Let(assignments) => assignments.iter().for_each(|(_, value)| expr(value)),
        Statement::Sort(items) => {
            for item in items {
                expr(&item.expr);
                item.dynamic.iter().for_each(&mut expr);
            }
        }
        Statement::Limit { offset, count } => {
            offset.iter().for_each(&mut expr);
            expr(count);
        }
        Statement::Return { value, .. } => expr(value),
        Statement::Collect(collect) => {
            for assignment in collect.groups.iter().chain(&collect.aggregates) {
                expr(&assignment.value);
            }
            if let Some((_, Some(projection))) = &collect.into {
                expr(projection);
            }
            collect.options.iter().for_each(&mut expr);
        }
        Statement::Window(window) => {
            window.range.iter().for_each(&mut expr);
            expr(&window.bounds);
            window.aggregates.iter().for_each(|a| expr(&a.value));
        }
        Statement::Modify(modification) => {
            expr(&modification.target);
            modification.with.iter().for_each(&mut expr);
            if let Some((_, update)) = &modification.upsert_update {
                expr(update);
            }
            modification.options.iter().for_each(&mut expr);
            out.push(Item::Collection(&modification.collection));
        }
    }
}

/// The name of a collection given literally (not as `@@param`).
fn collection_name(expr: &Expr) -> Option<&str> {
    match &expr.kind {
        ExprKind::Name(name) | ExprKind::String(name) => Some(name),
        _ => None,
    }
}

/// Splits the tree of `root` into its own nodes (appended to `own`
/// children first, in source order, as the server visits them) and the
/// subqueries directly in it (appended to `subqueries` in the order the
/// parser closes them; not descending into them), without recursion.
fn split<'q>(root: &'q Expr, own: &mut Vec<&'q Expr>, subqueries: &mut Vec<&'q Query>) {
    // Pre-order with the last child first, reversed, is post-order with
    // the first child first.
    let (mut nodes, mut subs) = (Vec::new(), Vec::new());
    let mut pending = vec![root];
    while let Some(expr) = pending.pop() {
        if let ExprKind::Subquery(query) = &expr.kind {
            subs.push(&**query);
            continue;
        }
        nodes.push(expr);
        children(expr, &mut pending);
    }
    own.extend(nodes.into_iter().rev());
    subqueries.extend(subs.into_iter().rev());
}

/// Every variable name `query` declares, subqueries included.
fn declared_variables(query: &Query, names: &mut HashSet<String>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let mut add = |ident: &Ident| {
        names.insert(ident.name.clone());
    };
    for statement in &query.body {
        match statement {
            Statement::For(for_) => {
                for pattern in &for_.variables {
                    pattern.idents().into_iter().for_each(&mut add);
                }
                if let ForSource::Traversal {
                    prune: Some(prune), ..
                } = &for_.source
                {
                    prune.variable.iter().for_each(&mut add);
                }
            }
            Statement::Let(assignments) => {
                for (pattern, _) in assignments {
                    pattern.idents().into_iter().for_each(&mut add);
                }
            }
            Statement::Collect(collect) => {
                for assignment in collect.groups.iter().chain(&collect.aggregates) {
                    add(&assignment.name);
                }
                if let Some((name, _)) = &collect.into {
                    add(name);
                }
                collect.count_into.iter().for_each(&mut add);
            }
            Statement::Window(window) => window.aggregates.iter().for_each(|a| add(&a.name)),
            _ => {}
        }
    }
    let mut subqueries = Vec::new();
    for statement in &query.body {
        let mut items = Vec::new();
        statement_items(statement, &mut items);
        for item in items {
            if let Item::Expr(expr) = item {
                split(expr, &mut Vec::new(), &mut subqueries);
            }
        }
    }
    for sub in subqueries {
        declared_variables(sub, names, depth + 1);
    }
}

#[cfg(test)]
mod tests {
    use crate::{
        check_query_for_execution, check_query_with, AqlVersion, CheckOptions, CheckStage,
    };

    fn errors(query: &str) -> Vec<(u32, String, String)> {
        crate::semantic::error_triples(check_query_for_execution(query))
    }

    fn access(by: &str, at: &str) -> Vec<(u32, String, String)> {
        vec![(
            1579,
            format!("access after data-modification by {by}"),
            at.to_string(),
        )]
    }

    #[test]
    fn the_docs_example_fails_at_the_third_remove() {
        // 3.12/4.x docs, REMOVE (corpus fragments/0189.aql).
        let query = "REMOVE 'john' IN users\n\
                     REMOVE 'john' IN backups // OK, different collection\n\
                     REMOVE 'mary' IN users   // Error, users collection again";
        assert_eq!(errors(query), access("collection 'users'", "3:1"));
        // Parsing alone accepts it.
        assert!(crate::check_query(query).is_ok());
    }

    #[test]
    fn reading_a_collection_after_writing_it() {
        assert_eq!(
            errors("INSERT { a: 1 } INTO users\nFOR u IN users RETURN u"),
            access("collection 'users'", "2:10")
        );
        // In a later subquery too, and by name in an expression.
        assert_eq!(
            errors("LET r = (FOR u IN users REMOVE u IN users)\nRETURN LENGTH(users)"),
            access("collection 'users'", "2:15")
        );
        // Reading and writing in the same operation is fine.
        assert_eq!(
            errors("FOR u IN users UPDATE u WITH { seen: true } IN users RETURN NEW"),
            Vec::new()
        );
        // Writing another collection is fine.
        assert_eq!(
            errors("INSERT { a: 1 } INTO logs\nFOR u IN users RETURN u"),
            Vec::new()
        );
    }

    #[test]
    fn writing_in_a_subquery_what_an_outer_level_reads() {
        assert_eq!(
            errors("FOR u IN users\n  LET r = (UPDATE u WITH { a: 1 } IN users RETURN NEW)\n  RETURN r"),
            access("collection 'users'", "2:12")
        );
        // The subquery of an operation runs before it: a write in it and a
        // read by the operation afterwards.
        assert_eq!(
            errors("FOR u IN (FOR x IN users REMOVE x IN users RETURN OLD) RETURN u"),
            Vec::new()
        );
    }

    #[test]
    fn document_functions_after_a_write() {
        assert_eq!(
            errors("INSERT { a: 1 } INTO logs\nRETURN DOCUMENT('users/1')"),
            access("function DOCUMENT", "2:8")
        );
        assert_eq!(
            errors("FOR u IN users REMOVE u IN users RETURN collection_count(logs)"),
            access("function COLLECTION_COUNT", "1:41")
        );
        // Before the write, or inside the writing operation, it is fine.
        assert_eq!(
            errors("LET d = DOCUMENT('users/1') INSERT d INTO logs"),
            Vec::new()
        );
        assert_eq!(
            errors("INSERT { d: DOCUMENT('users/1') } INTO logs"),
            Vec::new()
        );
        // A collection passed to DOCUMENT is a collection node until the
        // plan is built: reading it is met first (arguments before calls).
        assert_eq!(
            errors("INSERT { a: 1 } INTO users RETURN DOCUMENT(users, 'k')"),
            access("collection 'users'", "1:44")
        );
        // Only the first error met is reported: here the call, which comes
        // before the later read.
        assert_eq!(
            errors("INSERT { a: 1 } INTO users\nLET d = DOCUMENT('x/1')\nFOR u IN users RETURN d"),
            access("function DOCUMENT", "2:9")
        );
    }

    #[test]
    fn traversals_after_a_write() {
        assert_eq!(
            errors(
                "INSERT { _from: 'v/1', _to: 'v/2' } INTO edges\n\
                 FOR v IN 1..2 OUTBOUND 'v/1' edges RETURN v"
            ),
            access("traversal", "2:1")
        );
        // Path searches are not checked; a traversal before the write is fine.
        assert_eq!(
            errors(
                "INSERT { a: 1 } INTO logs\n\
                 FOR v IN OUTBOUND SHORTEST_PATH 'v/1' TO 'v/2' edges RETURN v"
            ),
            Vec::new()
        );
        assert_eq!(
            errors("FOR v IN 1..2 OUTBOUND 'v/1' GRAPH 'g' INSERT { v: v._id } INTO logs"),
            Vec::new()
        );
    }

    #[test]
    fn upsert_reads_its_collection_in_its_own_subquery() {
        assert_eq!(
            errors("FOR u IN users UPSERT { name: u.name } INSERT u UPDATE {} IN users RETURN NEW"),
            Vec::new()
        );
        assert_eq!(
            errors("INSERT { a: 1 } INTO users\nUPSERT { a: 1 } INSERT {} UPDATE {} IN users"),
            access("collection 'users'", "2:1")
        );
    }

    #[test]
    fn nested_modifications_are_hoisted_not_multi_modify() {
        // The subquery runs before the INSERT; it reads and writes `users`
        // one level down, the INSERT writes another collection.
        assert_eq!(
            errors("INSERT { n: (FOR u IN users REMOVE u IN users RETURN 1) } INTO logs"),
            Vec::new()
        );
    }

    #[test]
    fn bind_parameter_collections_and_variables_are_not_collections() {
        assert_eq!(
            errors("INSERT { a: 1 } INTO @@c FOR x IN @@c RETURN x"),
            Vec::new()
        );
        // `users` after INTO is the collection; in `FOR x IN users` it is
        // the variable.
        assert_eq!(
            errors("LET users = [1] INSERT { a: 1 } INTO users FOR x IN users RETURN x"),
            Vec::new()
        );
    }

    #[test]
    fn the_error_says_the_stage_that_raised_it() {
        let query = "INSERT { a: 1 } INTO logs RETURN DOCUMENT('x/1')";
        let options = CheckOptions {
            version: AqlVersion::new(3, 11, 14),
            stage: CheckStage::Execution,
        };
        let errors = check_query_with(query, &options).unwrap_err();
        assert_eq!(
            errors[0].message,
            "access after data-modification by function DOCUMENT"
        );
        assert_eq!(errors[0].stage, CheckStage::Execution);
        // Parsing only: no such check.
        let parse_only = CheckOptions {
            stage: CheckStage::Parse,
            ..options
        };
        assert!(check_query_with(query, &parse_only).is_ok());
    }
}
