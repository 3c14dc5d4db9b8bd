//! Variables: the checks ArangoDB's parser makes on names while it builds a
//! query, mirrored from the server's source (`arangod/Aql/grammar.y`
//! actions, `Ast::createNodeVariable`, `Scopes.cpp`; error numbers and
//! texts from `lib/Basics/errors.dat`).
//!
//! How the server scopes names, and so how this walk does:
//! - The query is a *main* scope; each subquery (a parenthesised query, or
//!   a query as a function argument) a *subquery* scope; each `FOR` opens a
//!   *for* scope. A name is visible in the scope it is declared in and in
//!   every scope opened after it, subqueries included, until its scope ends.
//! - `FOR`/`LET`/`PRUNE x =` declare their variables *after* the expression
//!   they iterate or assign (`LET a = a` reads the collection `a`); `SEARCH`,
//!   `OPTIONS` and `PRUNE` of a `FOR` see its variables.
//! - Declaring a name that is visible anywhere (outer scopes included) is
//!   error 1511 `variable '%s' is assigned multiple times` (thrown by
//!   `Ast::createNodeVariable`, no position in the message).
//! - `COLLECT` inside a `FOR`/`COLLECT` scope ends every scope up to the
//!   enclosing main or subquery scope and opens a *collect* scope with its
//!   own variables: afterwards only the variables declared before the first
//!   `FOR` of that (sub)query, the outer ones and the `COLLECT`'s own are
//!   visible, whether or not it has `INTO`/`KEEP`. A `COLLECT` not inside a
//!   `FOR` hides nothing. `WINDOW` hides nothing. `RETURN` and a final data
//!   modification end the (sub)query's `FOR`/`COLLECT` scopes.
//! - Data modifications declare `$OLD`/`$NEW` (after their expressions; an
//!   `UPSERT` declares `$OLD` before its insert and update documents), which
//!   `OLD`/`NEW` name; declaring them again is no error.
//! - A bare name that is no visible variable is *not* an error: the
//!   `reference` rule of grammar.y makes it a collection or view name (the
//!   server fails later, with 1203, if no such collection exists). `CURRENT`
//!   inside `[* ...]`, `[? ...]` and `UPSERT FILTER` names the element.
//!   So a variable name shadows a collection of the same name and there is
//!   no collection/variable clash error at parse time (3.12 docs, AQL
//!   syntax, "Variable names").
//!
//! Errors reported, each where the server's parser stands when it raises it:
//! - 1511, at the re-declared name.
//! - 1512 `use of unknown variable '%s' in object literal` for `{ name }`
//!   with no such variable (`OLD`/`NEW` allowed after a modification),
//!   reported by bison's `yylloc`, the token after the name.
//! - 1512 from `COLLECT` (grammar.y `validateAggregates`,
//!   `checkCollectVariables`): an aggregate using an earlier aggregate of the
//!   same `COLLECT`/`WINDOW` (`use of COLLECT variable '%s' inside same
//!   COLLECT`), the `INTO` expression or `KEEP` using a variable the
//!   `COLLECT` introduces (`... inside same COLLECT's expression`; checked
//!   only for a `COLLECT` inside a `FOR`, the server's set of introduced
//!   variables being empty otherwise), an
//!   aggregate using a group variable (`use of unknown variable '%s' in
//!   AGGREGATE expression`); reported at the token after the operation (the
//!   closing `}` of its `OPTIONS` when it has them).
//! - 1501 `use of unknown variable '%s' for KEEP`, at the name.
//!
//! These 1501/1512 messages end like syntax errors, `near '...' at position
//! L:C` (grammar.y's `registerParseError`). Not reported: 1510 (invalid
//! variable name): 3.12's `Ast::createNodeVariable` no longer rejects names
//! starting with `_` (older versions did) and the grammar only lets valid
//! names through.
//!
//! Nesting is walked recursively up to [`MAX_DEPTH`] levels; anything deeper
//! (only reachable with very long operator or attribute chains) is not
//! checked, so no input overflows the stack.

use std::collections::HashMap;

use super::version::AqlVersion;
use super::Report;
use crate::lexer::{lex, significant, Position, Token, TokenKind};
use crate::parser::ast::*;
use crate::syntax::SyntaxError;

/// ERROR_QUERY_VARIABLE_REDECLARED.
const REDECLARED: u32 = 1511;
/// ERROR_QUERY_VARIABLE_NAME_UNKNOWN.
const UNKNOWN: u32 = 1512;
/// ERROR_QUERY_PARSE.
const PARSE: u32 = 1501;

/// How deep the walk descends into nested expressions and subqueries.
const MAX_DEPTH: usize = 400;

/// The server's names for the variables of data modifications
/// (`Variable::NAME_OLD`, `NAME_NEW`) and of `UPSERT FILTER`'s element
/// (`NAME_CURRENT`).
const OLD: &str = "$OLD";
const NEW: &str = "$NEW";
const CURRENT: &str = "$CURRENT";

pub(super) fn check(query: &Query, text: &str, version: AqlVersion, report: &mut Report) {
    let (tokens, _) = lex(text);
    let mut checker = Checker {
        text,
        version,
        tokens: significant(&tokens),
        scopes: vec![Scope::new(ScopeKind::Main)],
        visible: HashMap::new(),
        current: 0,
        depth: 0,
        recording: Vec::new(),
        report,
    };
    // `WITH` names collections, never variables.
    checker.body(&query.body);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScopeKind {
    Main,
    Subquery,
    For,
    Collect,
}

struct Scope {
    kind: ScopeKind,
    names: Vec<String>,
}

impl Scope {
    fn new(kind: ScopeKind) -> Self {
        Scope {
            kind,
            names: Vec::new(),
        }
    }
}

struct Checker<'q, 'r, 'b> {
    text: &'q str,
    /// The server version: which functions are aggregates.
    version: AqlVersion,
    tokens: Vec<Token<'q>>,
    /// The active scopes, innermost last.
    scopes: Vec<Scope>,
    /// How many active scopes declare each name: [`Self::exists`] in
    /// constant time, so many variables cost linear time, not quadratic.
    visible: HashMap<String, usize>,
    /// How many expansions (`[*]`, `[?]`) or `UPSERT FILTER`s enclose the
    /// current expression: where `CURRENT` names an element.
    current: usize,
    depth: usize,
    /// Open recordings of the variables referenced (innermost last), for
    /// the `COLLECT` checks.
    recording: Vec<Vec<String>>,
    report: &'r mut Report<'b>,
}

impl Checker<'_, '_, '_> {
    // ---- scopes --------------------------------------------------------

    fn push(&mut self, kind: ScopeKind) {
        self.scopes.push(Scope::new(kind));
    }

    /// `Scopes::endNested`: ends the `FOR`/`COLLECT` scopes up to the
    /// innermost main or subquery scope.
    fn end_nested(&mut self) {
        while self
            .scopes
            .last()
            .is_some_and(|s| matches!(s.kind, ScopeKind::For | ScopeKind::Collect))
        {
            self.pop();
        }
    }

    /// Ends the innermost scope.
    fn pop(&mut self) {
        if let Some(scope) = self.scopes.pop() {
            for name in scope.names {
                if let Some(count) = self.visible.get_mut(&name) {
                    *count -= 1;
                    if *count == 0 {
                        self.visible.remove(&name);
                    }
                }
            }
        }
    }

    /// Ends the scopes opened after there were `len`.
    fn truncate(&mut self, len: usize) {
        while self.scopes.len() > len {
            self.pop();
        }
    }

    /// Whether a variable of exactly this name is visible
    /// (`Scopes::existsVariable`).
    fn exists(&self, name: &str) -> bool {
        self.visible.contains_key(name)
    }

    /// Whether `name` names a visible variable, `OLD`/`NEW` standing for the
    /// modification variables (`Scopes::getVariable(name, allowSpecial)`).
    fn resolves(&self, name: &str) -> bool {
        self.exists(name)
            || (name == "OLD" && self.exists(OLD))
            || (name == "NEW" && self.exists(NEW))
    }

    fn add(&mut self, name: &str) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.names.push(name.to_string());
            *self.visible.entry(name.to_string()).or_insert(0) += 1;
        }
    }

    /// A user variable (`Ast::createNodeVariable(name, true)`).
    fn declare(&mut self, ident: &Ident) {
        if self.exists(&ident.name) {
            (self.report)(
                REDECLARED,
                format!("variable '{}' is assigned multiple times", ident.name),
                ident.at,
            );
        }
        self.add(&ident.name);
    }

    /// `$OLD`/`$NEW`/`$CURRENT`: replaced silently when already declared.
    fn declare_special(&mut self, name: &str) {
        if !self
            .scopes
            .last()
            .is_some_and(|s| s.names.iter().any(|n| n == name))
        {
            self.add(name);
        }
    }

    fn record(&mut self, name: &str) {
        if let Some(names) = self.recording.last_mut() {
            names.push(name.to_string());
        }
    }

    /// The variables `walk` references (names that resolve to variables),
    /// subqueries included.
    fn references(&mut self, walk: impl FnOnce(&mut Self)) -> Vec<String> {
        self.recording.push(Vec::new());
        walk(self);
        let names = self.recording.pop().unwrap_or_default();
        if let Some(outer) = self.recording.last_mut() {
            outer.extend(names.iter().cloned());
        }
        names
    }

    // ---- positions and messages ----------------------------------------

    /// The index of the token starting at `offset`, if any.
    fn token_at(&self, offset: usize) -> Option<usize> {
        self.tokens
            .binary_search_by_key(&offset, |t| t.span.start.offset)
            .ok()
    }

    /// Where bison stands after reducing an operation that ends before
    /// `end` (the next token): at `end`, or at the operation's last token
    /// when it ends with `OPTIONS {...}` (reduced without a lookahead).
    fn operation_end(&self, end: Position, ends_with_object: bool) -> Position {
        if !ends_with_object {
            return end;
        }
        let next = self
            .tokens
            .partition_point(|t| t.span.start.offset < end.offset);
        next.checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .map_or(end, |t| t.span.start)
    }

    /// An error registered by a grammar action (`registerParseError`): the
    /// message carries the query region and position like a syntax error.
    fn parse_error(&mut self, error_num: u32, what: &str, at: Position) {
        let message = SyntaxError::parse(self.text, what, at).message;
        (self.report)(error_num, message, at);
    }

    // ---- operations ----------------------------------------------------

    fn body(&mut self, body: &[Statement]) {
        for statement in body {
            self.statement(statement);
        }
    }

    fn statement(&mut self, statement: &Statement) {
        match statement {
            Statement::For(for_) => self.for_(for_),
            Statement::Filter(expr) => self.expr(expr),
            Statement::Let(bindings) => {
                for (pattern, value) in bindings {
                    self.expr(value);
                    for ident in pattern.idents() {
                        self.declare(ident);
                    }
                }
            }
            Statement::Sort(items) => {
                for item in items {
                    self.expr(&item.expr);
                    self.opt(item.dynamic.as_ref());
                }
            }
            Statement::Limit { offset, count } => {
                self.opt(offset.as_ref());
                self.expr(count);
            }
            Statement::Return { value, .. } => {
                self.expr(value);
                self.end_nested();
            }
            Statement::Collect(collect) => self.collect(collect),
            Statement::Window(window) => self.window(window),
            Statement::Modify(modification) => self.modification(modification),
        }
    }

    fn declare_all(&mut self, patterns: &[Pattern]) {
        for pattern in patterns {
            for ident in pattern.idents() {
                self.declare(ident);
            }
        }
    }

    fn for_(&mut self, for_: &For) {
        match &for_.source {
            ForSource::Expr { expr, search } => {
                self.expr(expr);
                self.push(ScopeKind::For);
                self.declare_all(&for_.variables);
                self.opt(search.as_ref());
                self.opt(for_.options.as_ref());
            }
            ForSource::Traversal {
                depth,
                start,
                prune,
                ..
            } => {
                // The graph names collections or a graph, never variables.
                self.opt(depth.as_ref());
                self.expr(start);
                self.push(ScopeKind::For);
                self.declare_all(&for_.variables);
                if let Some(prune) = prune {
                    self.expr(&prune.condition);
                    if let Some(variable) = &prune.variable {
                        self.declare(variable);
                    }
                }
                self.opt(for_.options.as_ref());
            }
            ForSource::Path {
                depth,
                start,
                target,
                ..
            } => {
                // The OPTIONS of a path search belong to its graph part,
                // parsed before the variables are declared.
                self.opt(depth.as_ref());
                self.expr(start);
                self.expr(target);
                self.opt(for_.options.as_ref());
                self.push(ScopeKind::For);
                self.declare_all(&for_.variables);
            }
        }
    }

    /// grammar.y's `collect_statement` rules, in the order of their actions.
    fn collect(&mut self, collect: &Collect) {
        // Parsed before the action: each group and aggregate variable is
        // declared right after its expression, in the current scope.
        for group in &collect.groups {
            self.expr(&group.value);
            self.declare(&group.name);
        }
        let mut aggregate_refs = Vec::new();
        for aggregate in &collect.aggregates {
            aggregate_refs.push(self.references(|c| c.expr(&aggregate.value)));
            self.declare(&aggregate.name);
        }
        let into_refs = match &collect.into {
            Some((_, Some(projection))) => self.references(|c| c.expr(projection)),
            _ => Vec::new(),
        };
        for name in &collect.keep {
            if !self.exists(name) {
                self.parse_error(
                    PARSE,
                    &format!("use of unknown variable '{name}' for KEEP"),
                    name.at,
                );
            }
        }
        self.opt(collect.options.as_ref());

        // The action: `startCollectScope`, then the checks, then INTO/COUNT.
        let at = self.operation_end(collect.end, collect.options.is_some());
        let in_main = self
            .scopes
            .last()
            .is_some_and(|s| matches!(s.kind, ScopeKind::Main | ScopeKind::Subquery));
        // `registerAssignVariables` fills the set the INTO/KEEP checks use
        // only when a scope was started: a COLLECT with no FOR before it
        // has no such check.
        let introduced: Vec<&str> = if in_main {
            Vec::new()
        } else {
            collect
                .groups
                .iter()
                .chain(&collect.aggregates)
                .map(|a| a.name.as_str())
                .collect()
        };
        if !in_main {
            self.end_nested();
            self.push(ScopeKind::Collect);
            for name in &introduced {
                self.add(name);
            }
        }
        if let Some(count) = &collect.count_into {
            self.declare(count);
            return;
        }
        if !collect.aggregates.is_empty() {
            self.validate_aggregates(&collect.aggregates, &aggregate_refs, at);
        }
        self.uses_collect_variables(&into_refs, &introduced, at);
        if !collect.aggregates.is_empty() {
            let mut reported = Vec::new();
            for refs in &aggregate_refs {
                for name in refs {
                    if collect.groups.iter().any(|g| g.name == name.as_str())
                        && !reported.contains(name)
                    {
                        reported.push(name.clone());
                        self.parse_error(
                            UNKNOWN,
                            &format!("use of unknown variable '{name}' in AGGREGATE expression"),
                            at,
                        );
                    }
                }
            }
        } else {
            let keep: Vec<String> = collect.keep.iter().map(|k| k.name.clone()).collect();
            self.uses_collect_variables(&keep, &introduced, at);
        }
        if let Some((name, _)) = &collect.into {
            self.declare(name);
        }
    }

    /// grammar.y's `validateAggregates`, per aggregate in order: its
    /// expression must be a call to an aggregate function (1574, see
    /// `functions::aggregate_problem`), and must not use an aggregate
    /// variable of the same operation declared before it.
    fn validate_aggregates(
        &mut self,
        aggregates: &[Assignment],
        refs: &[Vec<String>],
        at: Position,
    ) {
        let mut reported = Vec::new();
        for (i, names) in refs.iter().enumerate() {
            if let Some(problem) = aggregates
                .get(i)
                .and_then(|a| super::functions::aggregate_problem(&a.value, self.version))
            {
                self.parse_error(1574, problem, at);
            }
            for name in names {
                let earlier = aggregates
                    .iter()
                    .take(i + 1)
                    .any(|a| a.name == name.as_str());
                if earlier && !reported.contains(name) {
                    reported.push(name.clone());
                    self.parse_error(
                        UNKNOWN,
                        &format!("use of COLLECT variable '{name}' inside same COLLECT"),
                        at,
                    );
                }
            }
        }
    }

    /// grammar.y's `checkCollectVariables`: the `INTO` expression and `KEEP`
    /// must not use the variables the `COLLECT` introduces.
    fn uses_collect_variables(&mut self, names: &[String], introduced: &[&str], at: Position) {
        let mut reported: Vec<&str> = Vec::new();
        for name in names {
            if introduced.contains(&name.as_str()) && !reported.contains(&name.as_str()) {
                reported.push(name);
                self.parse_error(
                    UNKNOWN,
                    &format!("use of COLLECT variable '{name}' inside same COLLECT's expression"),
                    at,
                );
            }
        }
    }

    fn window(&mut self, window: &Window) {
        self.opt(window.range.as_ref());
        self.expr(&window.bounds);
        let mut refs = Vec::new();
        for aggregate in &window.aggregates {
            refs.push(self.references(|c| c.expr(&aggregate.value)));
            self.declare(&aggregate.name);
        }
        let at = self.operation_end(window.end, false);
        self.validate_aggregates(&window.aggregates, &refs, at);
    }

    fn modification(&mut self, m: &Modification) {
        match m.kind {
            ModificationKind::Upsert => {
                if m.upsert_filter {
                    // `$OLD` first, then the filter in a subquery whose
                    // FOR variable is `$CURRENT`.
                    self.declare_special(OLD);
                    let saved = self.scopes.len();
                    self.push(ScopeKind::Subquery);
                    self.push(ScopeKind::For);
                    self.declare_special(CURRENT);
                    self.current += 1;
                    self.expr(&m.target);
                    self.current -= 1;
                    self.truncate(saved);
                } else {
                    self.expr(&m.target);
                    self.declare_special(OLD);
                }
                self.opt(m.with.as_ref());
                if let Some((_, update)) = &m.upsert_update {
                    self.expr(update);
                }
                self.opt(m.options.as_ref());
                self.declare_special(NEW);
            }
            ModificationKind::Insert => {
                self.expr(&m.target);
                self.opt(m.options.as_ref());
                self.declare_special(NEW);
                if m.options.as_ref().is_some_and(returns_old) {
                    self.declare_special(OLD);
                }
            }
            ModificationKind::Update | ModificationKind::Replace => {
                self.expr(&m.target);
                self.opt(m.with.as_ref());
                self.opt(m.options.as_ref());
                self.declare_special(OLD);
                self.declare_special(NEW);
            }
            ModificationKind::Remove => {
                self.expr(&m.target);
                self.opt(m.options.as_ref());
                self.declare_special(OLD);
            }
        }
    }

    // ---- expressions ---------------------------------------------------

    fn opt(&mut self, expr: Option<&Expr>) {
        if let Some(expr) = expr {
            self.expr(expr);
        }
    }

    fn expr(&mut self, expr: &Expr) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        crate::stack::grow(|| self.expr_inner(expr));
        self.depth -= 1;
    }

    fn expr_inner(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Number(_)
            | ExprKind::String(_)
            | ExprKind::BindParameter(_)
            | ExprKind::CollectionBindParameter(_) => {}
            ExprKind::Name(name) => {
                // A variable, `CURRENT` in an expansion, or else a
                // collection: never an error here.
                if self.resolves(name) {
                    self.record(name);
                }
            }
            ExprKind::Array(items) => items.iter().for_each(|item| self.expr(item)),
            ExprKind::Object(entries) => {
                for (key, value) in entries {
                    match key {
                        ObjectKey::Computed(key) => self.expr(key),
                        ObjectKey::Name(key) if self.is_shorthand(key, value) => {
                            self.shorthand(key, value.start);
                            continue;
                        }
                        _ => {}
                    }
                    self.expr(value);
                }
            }
            ExprKind::Call { args, .. } => args.iter().for_each(|arg| self.expr(arg)),
            ExprKind::Unary(_, operand) => self.expr(operand),
            ExprKind::Binary(_, left, right) => {
                self.expr(left);
                self.expr(right);
            }
            ExprKind::ArrayComparison {
                quantifier,
                left,
                right,
                ..
            } => {
                self.expr(left);
                if let Quantifier::AtLeast(count) = quantifier {
                    self.expr(count);
                }
                self.expr(right);
            }
            ExprKind::Ternary {
                condition,
                then,
                otherwise,
            } => {
                self.expr(condition);
                if let Some(then) = then {
                    self.expr(then);
                }
                self.expr(otherwise);
            }
            ExprKind::Attribute(base, _) => self.expr(base),
            ExprKind::Index(base, index) => {
                self.expr(base);
                self.expr(index);
            }
            ExprKind::Expansion { base, inline, .. } => {
                self.expr(base);
                self.current += 1;
                self.inline(inline);
                self.current -= 1;
            }
            ExprKind::Question {
                base,
                quantifier,
                inline,
            } => {
                self.expr(base);
                self.current += 1;
                if let Some(Quantifier::AtLeast(count)) = quantifier {
                    self.expr(count);
                }
                self.inline(inline);
                self.current -= 1;
            }
            ExprKind::Subquery(query) => {
                let saved = self.scopes.len();
                self.push(ScopeKind::Subquery);
                self.body(&query.body);
                self.truncate(saved);
            }
            ExprKind::Spread(inner) => self.expr(inner),
        }
    }

    fn inline(&mut self, inline: &Inline) {
        if let Some(filter) = &inline.filter {
            self.expr(filter);
        }
        if let Some((offset, count)) = &inline.limit {
            if let Some(offset) = offset {
                self.expr(offset);
            }
            self.expr(count);
        }
        if let Some(project) = &inline.project {
            self.expr(project);
        }
    }

    /// Whether an object entry is the shorthand `{ name }`: the parser
    /// stores it as `name: name`, the value directly after `{` or `,`.
    fn is_shorthand(&self, key: &str, value: &Expr) -> bool {
        let ExprKind::Name(name) = &value.kind else {
            return false;
        };
        if name != key {
            return false;
        }
        self.token_at(value.start.offset)
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| self.tokens.get(i))
            .is_some_and(|t| t.kind == TokenKind::Punctuation && (t.text == "{" || t.text == ","))
    }

    /// grammar.y's `object_element: T_STRING`: the name must be a variable
    /// (`OLD`/`NEW` allowed, `CURRENT` not); reported at the next token.
    fn shorthand(&mut self, name: &str, at: Position) {
        if self.resolves(name) {
            self.record(name);
            return;
        }
        let next = self
            .token_at(at.offset)
            .and_then(|i| self.tokens.get(i + 1))
            .map_or(at, |t| t.span.start);
        self.parse_error(
            UNKNOWN,
            &format!("use of unknown variable '{name}' in object literal"),
            next,
        );
    }
}

/// Whether `INSERT` options make the operation return the old document
/// too (`Ast::createNodeInsert`: an overwrite mode of `update` or
/// `replace`; `overwrite: true` alone means `replace`).
fn returns_old(options: &Expr) -> bool {
    let ExprKind::Object(entries) = &options.kind else {
        return false;
    };
    let value = |name: &str| {
        entries
            .iter()
            .find(|(key, _)| matches!(key, ObjectKey::Name(k) if k == name))
            .map(|(_, value)| &value.kind)
    };
    match value("overwriteMode") {
        Some(ExprKind::String(mode)) => mode == "update" || mode == "replace",
        Some(_) => false,
        None => matches!(value("overwrite"), Some(ExprKind::Bool(true))),
    }
}

#[cfg(test)]
mod tests {
    use crate::check_query;

    /// The errors of `query` as (number, message, line:column).
    fn errors(query: &str) -> Vec<(u32, String, String)> {
        crate::semantic::error_triples(check_query(query))
    }

    fn ok(query: &str) {
        assert_eq!(errors(query), Vec::new(), "{query}");
    }

    fn one(query: &str, error_num: u32, message: &str, at: &str) {
        assert_eq!(
            errors(query),
            vec![(error_num, message.to_string(), at.to_string())],
            "{query}"
        );
    }

    // Ast::createNodeVariable: a visible name declared again is 1511
    // (errors.dat: "variable '%s' is assigned multiple times").

    #[test]
    fn let_twice() {
        // 3.12 docs, LET: `LET a = PUSH(a, 4)` after `LET a = [1, 2, 3]`.
        one(
            "LET a = [1, 2, 3]\nLET a = PUSH(a, 4)\nRETURN a",
            1511,
            "variable 'a' is assigned multiple times",
            "2:5",
        );
        one(
            "LET a = 1, a = 2 RETURN a",
            1511,
            "variable 'a' is assigned multiple times",
            "1:12",
        );
    }

    #[test]
    fn for_twice_and_for_after_let() {
        one(
            "FOR a IN x FOR a IN y RETURN a",
            1511,
            "variable 'a' is assigned multiple times",
            "1:16",
        );
        one(
            "LET u = 1 FOR u IN users RETURN u",
            1511,
            "variable 'u' is assigned multiple times",
            "1:15",
        );
        // Traversal variables: each is declared in turn.
        one(
            "FOR v, v IN 1 OUTBOUND 'a/b' edges RETURN v",
            1511,
            "variable 'v' is assigned multiple times",
            "1:8",
        );
    }

    #[test]
    fn subqueries_see_outer_variables_and_cannot_redeclare_them() {
        // Scopes::addVariable checks every active scope.
        one(
            "FOR u IN users LET x = (FOR u IN others RETURN u) RETURN x",
            1511,
            "variable 'u' is assigned multiple times",
            "1:29",
        );
        // Sibling subqueries may reuse a name: the first scope has ended.
        ok("LET a = (FOR x IN c RETURN x) LET b = (FOR x IN d RETURN x) RETURN [a, b]");
        // A subquery's variables are gone after it.
        ok("LET a = (LET x = 1 RETURN x) LET x = 2 RETURN [a, x]");
    }

    #[test]
    fn declared_after_the_expression() {
        // grammar.y let_element/for_statement: the expression is parsed
        // before the variable exists, so `a` here is a collection.
        ok("LET a = a RETURN a");
        ok("FOR u IN u RETURN u");
        ok("FOR v IN 1..3 OUTBOUND v edges RETURN v");
    }

    #[test]
    fn collect_variables_clash() {
        one(
            "FOR u IN users COLLECT u = u.city RETURN u",
            1511,
            "variable 'u' is assigned multiple times",
            "1:24",
        );
        one(
            "FOR u IN users COLLECT a = u.a INTO a RETURN a",
            1511,
            "variable 'a' is assigned multiple times",
            "1:37",
        );
        one(
            "FOR u IN users COLLECT a = u.a WITH COUNT INTO a RETURN a",
            1511,
            "variable 'a' is assigned multiple times",
            "1:48",
        );
        // A variable of the main scope stays visible: INTO may not reuse it.
        one(
            "LET g = 1 FOR u IN users COLLECT a = u.a INTO g RETURN a",
            1511,
            "variable 'g' is assigned multiple times",
            "1:47",
        );
        // The FOR variable is gone when INTO declares its variable.
        ok("FOR g IN users COLLECT a = g.a INTO g RETURN [a, g]");
    }

    #[test]
    fn collect_hides_the_for_scope() {
        // startCollectScope: after COLLECT in a FOR, the FOR's variables
        // (and LETs after it) are gone, so they may be declared again.
        ok("FOR u IN users LET x = 1 COLLECT c = u.city INTO g FOR u IN g RETURN [u, c]");
        ok("FOR u IN users COLLECT WITH COUNT INTO n LET u = n RETURN u");
        // Variables before the first FOR stay visible.
        one(
            "LET k = 1 FOR u IN users COLLECT c = u.city LET k = 2 RETURN k",
            1511,
            "variable 'k' is assigned multiple times",
            "1:49",
        );
        // A COLLECT with no FOR before it hides nothing.
        one(
            "LET x = [1] COLLECT c = x LET x = 2 RETURN c",
            1511,
            "variable 'x' is assigned multiple times",
            "1:31",
        );
        // WINDOW hides nothing.
        one(
            "FOR t IN ts WINDOW { preceding: 1 } AGGREGATE s = SUM(t.v) LET t = 1 RETURN s",
            1511,
            "variable 't' is assigned multiple times",
            "1:64",
        );
    }

    #[test]
    fn nested_collect_ends_the_outer_collect() {
        // 3.12 docs, incompatible changes in 3.5: after the second COLLECT
        // `key1` is no variable; it names a collection (the server fails
        // later with 1203), and may be declared again.
        ok("FOR x1 IN 1..2 COLLECT key1 = x1 FOR x2 IN 1..2 COLLECT key2 = x2 RETURN [key2, key1]");
        ok("FOR x1 IN 1..2 COLLECT key1 = x1 FOR x2 IN 1..2 COLLECT key2 = x2 LET key1 = 1 RETURN key1");
    }

    #[test]
    fn object_shorthand_needs_a_variable() {
        // grammar.y object_element: T_STRING, reported at yylloc (the token
        // after the name).
        one(
            "RETURN { name }",
            1512,
            "use of unknown variable 'name' in object literal near '}' at position 1:15",
            "1:15",
        );
        one(
            "FOR u IN users RETURN { u, age, x: 1 }",
            1512,
            "use of unknown variable 'age' in object literal near ', x: 1 }' at position 1:31",
            "1:31",
        );
        ok("FOR u IN users LET age = u.age RETURN { u, age, name: u.name }");
        ok("LET x = 1 RETURN { x: x, y: x }");
        // OLD and NEW after a modification (Scope::getVariable allowSpecial).
        ok("FOR u IN users UPDATE u WITH { a: 1 } IN users RETURN { OLD, NEW }");
        one(
            "FOR u IN users RETURN { OLD }",
            1512,
            "use of unknown variable 'OLD' in object literal near '}' at position 1:29",
            "1:29",
        );
        // INSERT declares $OLD only with an overwrite mode update/replace.
        ok("INSERT {} INTO c OPTIONS { overwriteMode: 'update' } RETURN { OLD }");
        one(
            "INSERT {} INTO c RETURN { OLD }",
            1512,
            "use of unknown variable 'OLD' in object literal near '}' at position 1:31",
            "1:31",
        );
        // CURRENT is no variable for the shorthand, even in an expansion.
        one(
            "LET a = [1] RETURN a[* RETURN { CURRENT }]",
            1512,
            "use of unknown variable 'CURRENT' in object literal near '}]' at position 1:41",
            "1:41",
        );
    }

    #[test]
    fn bare_names_are_collections() {
        // grammar.y reference: T_STRING: not a variable => a collection or
        // view; bind parameters are never variables.
        ok("FOR u IN users FILTER u.a == missing.b RETURN OLD");
        ok("RETURN @value");
        ok("RETURN CURRENT");
        // Variable names shadow collections (3.12 docs, AQL syntax).
        ok("LET users = [] FOR u IN users RETURN u");
    }

    #[test]
    fn modifications_and_upsert() {
        ok("FOR u IN users REMOVE u IN users LET removed = OLD RETURN removed._key");
        ok("UPSERT { a: 1 } INSERT { a: 1 } UPDATE { n: OLD.n + 1 } IN c RETURN { OLD, NEW }");
        ok("UPSERT FILTER CURRENT.a == 1 INSERT { a: 1 } UPDATE {} IN c RETURN NEW");
        // Two modifications: $OLD/$NEW are replaced, no error.
        ok("FOR u IN users UPDATE u WITH {} IN users UPDATE u WITH {} IN backup RETURN NEW");
    }

    #[test]
    fn prune_search_and_options_see_the_for_variables() {
        ok("FOR v, e, p IN 1..3 OUTBOUND 'a/1' edges PRUNE { v }.v.x == 1 RETURN p");
        ok("FOR v IN 1..3 OUTBOUND 'a/1' edges PRUNE c = v.x == 1 RETURN { c }");
        ok("FOR d IN view SEARCH { d }.d.a == 1 RETURN d");
        one(
            "FOR v IN 1..3 OUTBOUND 'a/1' edges PRUNE v = v.x RETURN v",
            1511,
            "variable 'v' is assigned multiple times",
            "1:42",
        );
    }

    #[test]
    fn keep_needs_a_known_variable() {
        // grammar.y variable_list: 1501 at the name.
        one(
            "FOR u IN users COLLECT c = u.city INTO g KEEP z RETURN c",
            1501,
            "use of unknown variable 'z' for KEEP near 'z RETURN c' at position 1:47",
            "1:47",
        );
        ok("FOR u IN users LET z = 1 COLLECT c = u.city INTO g KEEP z RETURN g");
        // checkCollectVariables("KEEP"): a group variable.
        one(
            "FOR u IN users COLLECT c = u.city INTO g KEEP c RETURN g",
            1512,
            "use of COLLECT variable 'c' inside same COLLECT's expression near 'RETURN g' at position 1:49",
            "1:49",
        );
    }

    #[test]
    fn collect_expressions_may_not_use_the_collect_variables() {
        // checkCollectVariables("INTO").
        one(
            "FOR u IN users COLLECT c = u.city INTO g = { c } RETURN g",
            1512,
            "use of COLLECT variable 'c' inside same COLLECT's expression near 'RETURN g' at position 1:50",
            "1:50",
        );
        // ... through a subquery too.
        one(
            "FOR u IN users COLLECT c = u.city INTO g = (RETURN c) RETURN g",
            1512,
            "use of COLLECT variable 'c' inside same COLLECT's expression near 'RETURN g' at position 1:55",
            "1:55",
        );
        // validateAggregates: an earlier aggregate.
        one(
            "FOR u IN users COLLECT AGGREGATE a = MIN(u.x), b = MAX(a) RETURN b",
            1512,
            "use of COLLECT variable 'a' inside same COLLECT near 'RETURN b' at position 1:59",
            "1:59",
        );
        // A group variable in an aggregate.
        one(
            "FOR u IN users COLLECT c = u.city AGGREGATE n = SUM(c) RETURN n",
            1512,
            "use of unknown variable 'c' in AGGREGATE expression near 'RETURN n' at position 1:56",
            "1:56",
        );
        // With OPTIONS the operation is reduced at their closing brace.
        one(
            "FOR u IN users COLLECT c = u.city INTO g = c OPTIONS { method: 'sorted' } RETURN g",
            1512,
            "use of COLLECT variable 'c' inside same COLLECT's expression near '} RETURN g' at position 1:73",
            "1:73",
        );
        // The same check for WINDOW aggregates.
        one(
            "FOR t IN ts WINDOW { preceding: 1 } AGGREGATE a = SUM(t.v), b = MAX(a) RETURN b",
            1512,
            "use of COLLECT variable 'a' inside same COLLECT near 'RETURN b' at position 1:72",
            "1:72",
        );
        // The INTO expression may use the FOR variables.
        ok("FOR u IN users COLLECT c = u.city INTO g = { name: u.name } RETURN { c, g }");
        // Without a FOR before it, the COLLECT starts no scope and the
        // INTO/KEEP checks have no variables to look for; the aggregate
        // checks still apply.
        ok("LET x = [1] COLLECT c = x INTO g = { c } RETURN g");
        ok("LET x = [1], z = 2 COLLECT c = x INTO g KEEP c RETURN g");
        one(
            "LET x = [1] COLLECT c = x AGGREGATE n = SUM(c) RETURN n",
            1512,
            "use of unknown variable 'c' in AGGREGATE expression near 'RETURN n' at position 1:48",
            "1:48",
        );
    }

    #[test]
    fn destructuring_declares_each_name() {
        ok("LET [a, b] = [1, 2] LET { c, d: e } = { c: 1, d: 2 } RETURN [a, b, c, e]");
        one(
            "LET [a, a] = [1, 2] RETURN a",
            1511,
            "variable 'a' is assigned multiple times",
            "1:9",
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let deep = format!("RETURN {}1{}", "[".repeat(90), "]".repeat(90));
        ok(&deep);
        let long = format!("LET a = 1 RETURN a{}", " + a".repeat(50_000));
        ok(&long);
    }
}
