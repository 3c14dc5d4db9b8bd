//! The `ast` that `POST /_api/query` answers, built from `aql_lexer`'s
//! syntax tree for the queries whose server AST is known exactly.
//!
//! The shape of each node is ArangoDB's `AstNode::toVelocyPack` (not
//! verbose): `type`, then `name` (attribute access, object element,
//! collection, parameter), `value` (values), `name` and `id` (variables and
//! references; references add `subqueryReference` from 3.12 on), then
//! `subNodes`. The type names are `AstNode.cpp`'s `kTypeNames`. The
//! transcript RestQueryValid_single (3.11 and 3.12.10) shows `for` as
//! `[variable, expression, no-op]`, `limit` with its offset 0 filled in and
//! variable ids counted from 0 in declaration order.
//!
//! Only these are built: `FOR name IN expression` (no SEARCH or OPTIONS),
//! `LET name = expression`, `FILTER`, `LIMIT`, `RETURN` (not DISTINCT);
//! null, true, false, decimal integers that fit 64 bits, strings, arrays,
//! objects with plain keys, variable references, value bind parameters,
//! attribute access by name, a collection as the whole source of a FOR, and
//! the operators `AND`, `OR`, `!=`, `>`, `>=`, `+`, `-`, `*`, `/`, `%` and
//! `..`. Anything else answers `None`: newer servers add attributes to
//! `==`, `<`, `<=`, `IN` (`excludesNull`, `sorted`), function calls and
//! unary operators may be rewritten while parsing, and COLLECT, SORT,
//! subqueries and the rest create nodes and hidden variables whose exact
//! form no recorded example shows.

use aql_lexer::ast::{BinaryOp, Expr, ExprKind, ObjectKey, Pattern, Query, Statement};
use serde_json::{json, Map, Value};

/// Deeper than this is answered `None` (the parser caps nesting already).
const MAX_DEPTH: usize = 200;

/// The server's AST of `query` as a one-element array (`[root]`), or `None`
/// when the query uses anything this module does not build.
///
/// `is_collection` says whether a name is a collection of the database;
/// `subquery_reference` adds `subqueryReference: false` to references
/// (3.12 and later; the 3.11 transcript has no such attribute).
pub(super) fn server_ast(
    query: &Query,
    is_collection: &dyn Fn(&str) -> bool,
    subquery_reference: bool,
) -> Option<Value> {
    if !query.with.is_empty() {
        return None;
    }
    let mut builder = Builder {
        variables: Vec::new(),
        is_collection,
        subquery_reference,
    };
    let mut statements = Vec::with_capacity(query.body.len());
    for statement in &query.body {
        statements.push(builder.statement(statement)?);
    }
    Some(json!([node("root", Map::new(), statements)]))
}

struct Builder<'a> {
    /// Declared variables with their ids, in declaration order.
    variables: Vec<String>,
    is_collection: &'a dyn Fn(&str) -> bool,
    subquery_reference: bool,
}

impl Builder<'_> {
    fn statement(&mut self, statement: &Statement) -> Option<Value> {
        match statement {
            Statement::For(each) => {
                let [Pattern::Name(name)] = each.variables.as_slice() else {
                    return None;
                };
                if each.options.is_some() {
                    return None;
                }
                let aql_lexer::ast::ForSource::Expr { expr, search: None } = &each.source else {
                    return None;
                };
                let source = match &expr.kind {
                    ExprKind::Name(name)
                        if !self.variables.contains(name) && (self.is_collection)(name) =>
                    {
                        let mut fields = Map::new();
                        fields.insert("name".into(), Value::from(name.as_str()));
                        node("collection", fields, Vec::new())
                    }
                    _ => self.expr(expr, 0)?,
                };
                let variable = self.declare(name)?;
                Some(node(
                    "for",
                    Map::new(),
                    vec![variable, source, node("no-op", Map::new(), Vec::new())],
                ))
            }
            Statement::Let(assignments) => {
                let [(Pattern::Name(name), expr)] = assignments.as_slice() else {
                    return None;
                };
                let value = self.expr(expr, 0)?;
                let variable = self.declare(name)?;
                Some(node("let", Map::new(), vec![variable, value]))
            }
            Statement::Filter(expr) => {
                let condition = self.expr(expr, 0)?;
                Some(node("filter", Map::new(), vec![condition]))
            }
            Statement::Limit { offset, count } => {
                let offset = match offset {
                    Some(offset) => self.expr(offset, 0)?,
                    None => value(Value::from(0)),
                };
                let count = self.expr(count, 0)?;
                Some(node("limit", Map::new(), vec![offset, count]))
            }
            Statement::Return {
                distinct: false,
                value,
            } => {
                let value = self.expr(value, 0)?;
                Some(node("return", Map::new(), vec![value]))
            }
            _ => None,
        }
    }

    /// The `variable` node of a new variable; `None` for a name declared
    /// before (the server refuses it, 1511).
    fn declare(&mut self, name: &str) -> Option<Value> {
        if self.variables.iter().any(|known| known == name) {
            return None;
        }
        let id = self.variables.len();
        self.variables.push(name.to_string());
        let mut fields = Map::new();
        fields.insert("name".into(), Value::from(name));
        fields.insert("id".into(), Value::from(id));
        Some(node("variable", fields, Vec::new()))
    }

    fn expr(&self, expr: &Expr, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        let depth = depth + 1;
        Some(match &expr.kind {
            ExprKind::Null => value(Value::Null),
            ExprKind::Bool(flag) => value(Value::Bool(*flag)),
            ExprKind::Number(text) => value(Value::from(integer(text)?)),
            ExprKind::String(text) => value(Value::from(text.as_str())),
            ExprKind::Name(name) => {
                let id = self.variables.iter().position(|known| known == name)?;
                let mut fields = Map::new();
                fields.insert("name".into(), Value::from(name.as_str()));
                fields.insert("id".into(), Value::from(id));
                if self.subquery_reference {
                    fields.insert("subqueryReference".into(), Value::Bool(false));
                }
                node("reference", fields, Vec::new())
            }
            ExprKind::BindParameter(name) => {
                let mut fields = Map::new();
                fields.insert("name".into(), Value::from(name.as_str()));
                node("parameter", fields, Vec::new())
            }
            ExprKind::Array(items) => {
                let items = items
                    .iter()
                    .map(|item| self.expr(item, depth))
                    .collect::<Option<Vec<_>>>()?;
                node("array", Map::new(), items)
            }
            ExprKind::Object(entries) => {
                let mut elements = Vec::with_capacity(entries.len());
                for (key, entry) in entries {
                    let ObjectKey::Name(key) = key else {
                        return None;
                    };
                    // `{ a }` stands for `{ a: a }`: keep to written values.
                    if matches!(&entry.kind, ExprKind::Name(name) if name == key) {
                        return None;
                    }
                    let mut fields = Map::new();
                    fields.insert("name".into(), Value::from(key.as_str()));
                    elements.push(node(
                        "object element",
                        fields,
                        vec![self.expr(entry, depth)?],
                    ));
                }
                node("object", Map::new(), elements)
            }
            ExprKind::Attribute(base, name) if !name.starts_with('@') => {
                let mut fields = Map::new();
                fields.insert("name".into(), Value::from(name.as_str()));
                node("attribute access", fields, vec![self.expr(base, depth)?])
            }
            ExprKind::Binary(op, left, right) => {
                let kind = match op {
                    BinaryOp::Or => "logical or",
                    BinaryOp::And => "logical and",
                    BinaryOp::Ne => "compare !=",
                    BinaryOp::Gt => "compare >",
                    BinaryOp::Ge => "compare >=",
                    BinaryOp::Add => "plus",
                    BinaryOp::Sub => "minus",
                    BinaryOp::Mul => "times",
                    BinaryOp::Div => "division",
                    BinaryOp::Mod => "modulus",
                    BinaryOp::Range => "range",
                    _ => return None,
                };
                node(
                    kind,
                    Map::new(),
                    vec![self.expr(left, depth)?, self.expr(right, depth)?],
                )
            }
            _ => return None,
        })
    }
}

/// A decimal integer literal that fits 64 bits (the grammar's integer
/// values); others (hex, binary, decimals, exponents) are not built.
fn integer(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn value(value: Value) -> Value {
    json!({"type": "value", "value": value})
}

/// A node: `type`, then `fields`, then `subNodes` when there are any.
fn node(kind: &str, fields: Map<String, Value>, sub_nodes: Vec<Value>) -> Value {
    let mut object = Map::new();
    object.insert("type".into(), Value::from(kind));
    object.extend(fields);
    if !sub_nodes.is_empty() {
        object.insert("subNodes".into(), Value::Array(sub_nodes));
    }
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ast(query: &str, subquery_reference: bool) -> Option<Value> {
        let tree = aql_lexer::parse_query(query).expect("parses");
        server_ast(&tree, &|name| name == "users", subquery_reference)
    }

    #[test]
    fn builds_the_recorded_example() {
        // RestQueryValid_single, 3.12.10.
        let reference =
            json!({"type": "reference", "name": "i", "id": 0, "subqueryReference": false});
        assert_eq!(
            ast("FOR i IN 1..100 FILTER i > 10 LIMIT 2 RETURN i * 3", true),
            Some(json!([{"type": "root", "subNodes": [
                {"type": "for", "subNodes": [
                    {"type": "variable", "name": "i", "id": 0},
                    {"type": "range", "subNodes": [{"type": "value", "value": 1}, {"type": "value", "value": 100}]},
                    {"type": "no-op"}]},
                {"type": "filter", "subNodes": [{"type": "compare >", "subNodes": [reference, {"type": "value", "value": 10}]}]},
                {"type": "limit", "subNodes": [{"type": "value", "value": 0}, {"type": "value", "value": 2}]},
                {"type": "return", "subNodes": [{"type": "times", "subNodes": [reference, {"type": "value", "value": 3}]}]}
            ]}]))
        );
    }

    #[test]
    fn collections_variables_objects_and_parameters() {
        assert_eq!(
            ast("FOR u IN users LET n = u.name LIMIT 1, @c RETURN {name: n, ok: true, no: null, s: 'x'}", false),
            Some(json!([{"type": "root", "subNodes": [
                {"type": "for", "subNodes": [
                    {"type": "variable", "name": "u", "id": 0},
                    {"type": "collection", "name": "users"},
                    {"type": "no-op"}]},
                {"type": "let", "subNodes": [
                    {"type": "variable", "name": "n", "id": 1},
                    {"type": "attribute access", "name": "name", "subNodes": [{"type": "reference", "name": "u", "id": 0}]}]},
                {"type": "limit", "subNodes": [{"type": "value", "value": 1}, {"type": "parameter", "name": "c"}]},
                {"type": "return", "subNodes": [{"type": "object", "subNodes": [
                    {"type": "object element", "name": "name", "subNodes": [{"type": "reference", "name": "n", "id": 1}]},
                    {"type": "object element", "name": "ok", "subNodes": [{"type": "value", "value": true}]},
                    {"type": "object element", "name": "no", "subNodes": [{"type": "value", "value": null}]},
                    {"type": "object element", "name": "s", "subNodes": [{"type": "value", "value": "x"}]}]}]}
            ]}]))
        );
    }

    #[test]
    fn what_is_not_known_exactly_is_not_built() {
        for query in [
            "FOR u IN users FILTER u.a == 1 RETURN u",
            "FOR u IN users SORT u.a RETURN u",
            "RETURN LENGTH([1])",
            "RETURN -1",
            "RETURN 1.5",
            "RETURN 0x10",
            "FOR u IN others RETURN u",
            "FOR u IN users RETURN DISTINCT u",
            "FOR u IN users COLLECT a = u.a RETURN a",
            "LET x = (FOR u IN users RETURN u) RETURN x",
            "FOR u IN users RETURN u.@a",
            "FOR u IN users RETURN users",
            "WITH users FOR u IN users RETURN u",
            "FOR u IN users INSERT {} INTO users",
            "RETURN {a}",
        ] {
            assert_eq!(ast(query, true), None, "{query}");
        }
    }
}
