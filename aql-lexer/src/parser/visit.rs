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

/// Calls `f` on `expr` and then on every expression below it.
pub fn expr_tree<'q>(expr: &'q Expr, f: &mut dyn FnMut(&'q Expr)) {
    f(expr);
    match &expr.kind {
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Number(_)
        | ExprKind::String(_)
        | ExprKind::Name(_)
        | ExprKind::BindParameter(_)
        | ExprKind::CollectionBindParameter(_) => {}
        ExprKind::Array(items) => items.iter().for_each(|item| expr_tree(item, f)),
        ExprKind::Object(entries) => {
            for (key, value) in entries {
                if let ObjectKey::Computed(key) = key {
                    expr_tree(key, f);
                }
                expr_tree(value, f);
            }
        }
        ExprKind::Call { args, .. } => args.iter().for_each(|arg| expr_tree(arg, f)),
        ExprKind::Unary(_, operand) => expr_tree(operand, f),
        ExprKind::Binary(_, left, right) => {
            expr_tree(left, f);
            expr_tree(right, f);
        }
        ExprKind::ArrayComparison {
            quantifier,
            left,
            right,
            ..
        } => {
            if let Quantifier::AtLeast(count) = quantifier {
                expr_tree(count, f);
            }
            expr_tree(left, f);
            expr_tree(right, f);
        }
        ExprKind::Ternary {
            condition,
            then,
            otherwise,
        } => {
            expr_tree(condition, f);
            if let Some(then) = then {
                expr_tree(then, f);
            }
            expr_tree(otherwise, f);
        }
        ExprKind::Attribute(base, _) => expr_tree(base, f),
        ExprKind::Index(base, index) => {
            expr_tree(base, f);
            expr_tree(index, f);
        }
        ExprKind::Expansion { base, inline, .. } => {
            expr_tree(base, f);
            inline_exprs(inline, f);
        }
        ExprKind::Question {
            base,
            quantifier,
            inline,
        } => {
            expr_tree(base, f);
            if let Some(Quantifier::AtLeast(count)) = quantifier {
                expr_tree(count, f);
            }
            inline_exprs(inline, f);
        }
        ExprKind::Subquery(query) => each_expr(query, f),
        ExprKind::Spread(inner) => expr_tree(inner, f),
    }
}

fn inline_exprs<'q>(inline: &'q Inline, f: &mut dyn FnMut(&'q Expr)) {
    if let Some(filter) = &inline.filter {
        expr_tree(filter, f);
    }
    if let Some((offset, count)) = &inline.limit {
        if let Some(offset) = offset {
            expr_tree(offset, f);
        }
        expr_tree(count, f);
    }
    if let Some(project) = &inline.project {
        expr_tree(project, f);
    }
}
