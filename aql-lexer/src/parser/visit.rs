//! Walking a syntax tree: every expression of a query, subqueries included,
//! in source order. Checks that need no scope (function names) use this;
//! checks that do (variables, lineage) walk the statements themselves.

use super::ast::*;

/// Calls `f` on every expression of `query`, outermost first, descending
/// into subqueries, inline filters and projections.
pub fn each_expr<'q>(query: &'q Query, f: &mut dyn FnMut(&'q Expr)) {
    for expr in &query.with {
        expr_tree(expr, f);
    }
    for statement in &query.body {
        statement_exprs(statement, f);
    }
}

/// Calls `f` on every expression of one operation and everything below it.
pub fn statement_exprs<'q>(statement: &'q Statement, f: &mut dyn FnMut(&'q Expr)) {
    let mut tree = |expr: &'q Expr| expr_tree(expr, f);
    match statement {
        Statement::For(for_) => {
            match &for_.source {
                ForSource::Expr { expr, search } => {
                    tree(expr);
                    search.iter().for_each(&mut tree);
                }
                ForSource::Traversal {
                    depth,
                    start,
                    graph,
                    prune,
                    ..
                } => {
                    depth.iter().for_each(&mut tree);
                    tree(start);
                    graph_exprs(graph, &mut tree);
                    if let Some(prune) = prune {
                        tree(&prune.condition);
                    }
                }
                ForSource::Path {
                    depth,
                    start,
                    target,
                    graph,
                    ..
                } => {
                    depth.iter().for_each(&mut tree);
                    tree(start);
                    tree(target);
                    graph_exprs(graph, &mut tree);
                }
            }
            for_.options.iter().for_each(&mut tree);
        }
        Statement::Filter(expr) => tree(expr),
        Statement::Let(assignments) => assignments.iter().for_each(|(_, value)| tree(value)),
        Statement::Sort(items) => {
            for item in items {
                tree(&item.expr);
                item.dynamic.iter().for_each(&mut tree);
            }
        }
        Statement::Limit { offset, count } => {
            offset.iter().for_each(&mut tree);
            tree(count);
        }
        Statement::Return { value, .. } => tree(value),
        Statement::Collect(collect) => {
            for assignment in collect.groups.iter().chain(&collect.aggregates) {
                tree(&assignment.value);
            }
            if let Some((_, Some(projection))) = &collect.into {
                tree(projection);
            }
            collect.options.iter().for_each(&mut tree);
        }
        Statement::Window(window) => {
            window.range.iter().for_each(&mut tree);
            tree(&window.bounds);
            window.aggregates.iter().for_each(|a| tree(&a.value));
        }
        Statement::Modify(modification) => {
            tree(&modification.target);
            modification.with.iter().for_each(&mut tree);
            if let Some((_, update)) = &modification.upsert_update {
                tree(update);
            }
            tree(&modification.collection);
            modification.options.iter().for_each(&mut tree);
        }
    }
}

fn graph_exprs<'q>(graph: &'q Graph, tree: &mut dyn FnMut(&'q Expr)) {
    match graph {
        Graph::Named(name) => tree(name),
        Graph::Collections(edges) => edges.iter().for_each(|(_, edge)| tree(edge)),
    }
}

/// Calls `f` on `expr` and then on every expression below it, in source
/// order (pre-order). Sub-expressions are walked with an explicit stack, so
/// long operator or attribute chains (which nest as deep as they are long)
/// cannot overflow the stack; subqueries recurse, their depth is capped by
/// the parser.
pub fn expr_tree<'q>(expr: &'q Expr, f: &mut dyn FnMut(&'q Expr)) {
    let mut pending = vec![expr];
    while let Some(expr) = pending.pop() {
        f(expr);
        if let ExprKind::Subquery(query) = &expr.kind {
            each_expr(query, f);
            continue;
        }
        let start = pending.len();
        children(expr, &mut pending);
        // Children were pushed in source order; pop them in that order.
        pending[start..].reverse();
    }
}

/// The direct sub-expressions of `expr` (not those of a subquery), in
/// source order.
pub(crate) fn children<'q>(expr: &'q Expr, out: &mut Vec<&'q Expr>) {
    match &expr.kind {
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Number(_)
        | ExprKind::String(_)
        | ExprKind::Name(_)
        | ExprKind::BindParameter(_)
        | ExprKind::CollectionBindParameter(_)
        | ExprKind::Subquery(_) => {}
        ExprKind::Array(items) => out.extend(items),
        ExprKind::Object(entries) => {
            for (key, value) in entries {
                if let ObjectKey::Computed(key) = key {
                    out.push(key);
                }
                out.push(value);
            }
        }
        ExprKind::Call { args, .. } => out.extend(args),
        ExprKind::Unary(_, operand) => out.push(operand),
        ExprKind::Binary(_, left, right) => {
            out.push(left);
            out.push(right);
        }
        ExprKind::ArrayComparison {
            quantifier,
            left,
            right,
            ..
        } => {
            if let Quantifier::AtLeast(count) = quantifier {
                out.push(count);
            }
            out.push(left);
            out.push(right);
        }
        ExprKind::Ternary {
            condition,
            then,
            otherwise,
        } => {
            out.push(condition);
            if let Some(then) = then {
                out.push(then);
            }
            out.push(otherwise);
        }
        ExprKind::Attribute(base, _) => out.push(base),
        ExprKind::Index(base, index) => {
            out.push(base);
            out.push(index);
        }
        ExprKind::Expansion { base, inline, .. } => {
            out.push(base);
            inline_exprs(inline, out);
        }
        ExprKind::Question {
            base,
            quantifier,
            inline,
        } => {
            out.push(base);
            if let Some(Quantifier::AtLeast(count)) = quantifier {
                out.push(count);
            }
            inline_exprs(inline, out);
        }
        ExprKind::Spread(inner) => out.push(inner),
    }
}

fn inline_exprs<'q>(inline: &'q Inline, out: &mut Vec<&'q Expr>) {
    if let Some(filter) = &inline.filter {
        out.push(filter);
    }
    if let Some((offset, count)) = &inline.limit {
        if let Some(offset) = offset {
            out.push(offset);
        }
        out.push(count);
    }
    if let Some(project) = &inline.project {
        out.push(project);
    }
}
