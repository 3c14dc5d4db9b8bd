//! The typed syntax tree the parser produces. Names and literals own their
//! (unescaped) text; every expression carries the position it starts at,
//! every declared variable name ([`Ident`]) where it is written, and the
//! operations that checks report on (`FOR`, `COLLECT`, `WINDOW`, data
//! modifications) where their keyword is.

use std::fmt;
use std::ops::Deref;

use crate::lexer::Position;

/// A variable name as the query writes it where it declares (or, for
/// `KEEP`, names) a variable: the unescaped name and where it starts.
///
/// Dereferences to the name, so `ident == "a"` and `ident.len()` work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    /// Where the name starts in the query.
    pub at: Position,
}

impl Ident {
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.name
    }
}

impl Deref for Ident {
    type Target = str;

    fn deref(&self) -> &str {
        &self.name
    }
}

impl PartialEq<str> for Ident {
    fn eq(&self, other: &str) -> bool {
        self.name == other
    }
}

impl PartialEq<&str> for Ident {
    fn eq(&self, other: &&str) -> bool {
        self.name == *other
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// A whole query: optional `WITH` collections, then its operations.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub with: Vec<Expr>,
    pub body: Vec<Statement>,
}

/// One operation (`FOR`, `FILTER`, `LET`, ...).
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    For(Box<For>),
    Filter(Expr),
    /// `LET a = 1, b = 2` (one or more assignments; 4.x destructures:
    /// `LET [a, b] = ...`).
    Let(Vec<(Pattern, Expr)>),
    Sort(Vec<SortItem>),
    Limit {
        offset: Option<Expr>,
        count: Expr,
    },
    Return {
        distinct: bool,
        value: Expr,
    },
    Collect(Box<Collect>),
    Window(Box<Window>),
    Modify(Box<Modification>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SortItem {
    pub expr: Expr,
    /// `Some(true)` for `ASC`, `Some(false)` for `DESC`; also an expression
    /// direction (`SORT x @dir`) is stored as `None` plus `dynamic`.
    pub ascending: Option<bool>,
    pub dynamic: Option<Expr>,
}

/// `FOR vars IN source`.
#[derive(Debug, Clone, PartialEq)]
pub struct For {
    /// Where the `FOR` keyword is.
    pub at: Position,
    /// One name, or several for traversals and paths (`v, e, p`), or a
    /// destructuring pattern (3.12.2+: `FOR [k, v] IN ...`).
    pub variables: Vec<Pattern>,
    pub source: ForSource,
    pub options: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ForSource {
    /// A collection, view, array expression or subquery, with an optional
    /// `SEARCH` condition (views).
    Expr { expr: Expr, search: Option<Expr> },
    /// `[depth] DIRECTION start GRAPH g | edge collections [PRUNE ...]`.
    Traversal {
        depth: Option<Expr>,
        direction: Direction,
        start: Expr,
        graph: Graph,
        prune: Option<Prune>,
    },
    /// `SHORTEST_PATH`, `K_SHORTEST_PATHS`, `K_PATHS`, `ALL_SHORTEST_PATHS`.
    Path {
        kind: PathKind,
        depth: Option<Expr>,
        direction: Direction,
        start: Expr,
        target: Expr,
        graph: Graph,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Prune {
    /// `PRUNE name = condition`: a variable bound to the condition.
    pub variable: Option<Ident>,
    pub condition: Expr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Outbound,
    Inbound,
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    ShortestPath,
    KShortestPaths,
    KPaths,
    AllShortestPaths,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Graph {
    /// `GRAPH name`.
    Named(Expr),
    /// An anonymous graph: edge collections, each with an optional direction.
    Collections(Vec<(Option<Direction>, Expr)>),
}

/// What a `FOR` or `LET` binds: a variable, or (3.12.2+) a destructuring
/// pattern of an array (`[a, b]`) or object (`{ a, b: c }`).
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    Name(Ident),
    Array(Vec<Pattern>),
    /// Attribute names with the pattern each binds (`{ a }` binds `a`).
    Object(Vec<(String, Pattern)>),
}

impl Pattern {
    /// The variables the pattern declares, in order.
    pub fn names(&self) -> Vec<&str> {
        self.idents().into_iter().map(Ident::as_str).collect()
    }

    /// The variables the pattern declares, in order, with their positions.
    pub fn idents(&self) -> Vec<&Ident> {
        match self {
            Pattern::Name(name) => vec![name],
            Pattern::Array(items) => items.iter().flat_map(Pattern::idents).collect(),
            Pattern::Object(entries) => entries.iter().flat_map(|(_, p)| p.idents()).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub name: Ident,
    pub value: Expr,
}

/// `COLLECT` in all its forms.
#[derive(Debug, Clone, PartialEq)]
pub struct Collect {
    /// Where the `COLLECT` keyword is.
    pub at: Position,
    pub groups: Vec<Assignment>,
    pub aggregates: Vec<Assignment>,
    /// `INTO var [= expr]`.
    pub into: Option<(Ident, Option<Expr>)>,
    pub keep: Vec<Ident>,
    /// `WITH COUNT INTO var`.
    pub count_into: Option<Ident>,
    pub options: Option<Expr>,
    /// Where the token after the whole operation starts (the last token's
    /// start at the end of the query): where the server's parser stands
    /// when it checks the operation (bison's lookahead).
    pub end: Position,
}

/// `WINDOW [range WITH] { preceding, following } AGGREGATE ...`.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// Where the `WINDOW` keyword is.
    pub at: Position,
    pub range: Option<Expr>,
    pub bounds: Expr,
    pub aggregates: Vec<Assignment>,
    /// Where the token after the whole operation starts (as
    /// [`Collect::end`]).
    pub end: Position,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModificationKind {
    Insert,
    Update,
    Replace,
    Remove,
    Upsert,
}

/// `INSERT/UPDATE/REPLACE/REMOVE/UPSERT ... IN collection OPTIONS ...`.
#[derive(Debug, Clone, PartialEq)]
pub struct Modification {
    /// Where the operation's keyword (`INSERT`, ..., `UPSERT`) is.
    pub at: Position,
    pub kind: ModificationKind,
    /// The document (`INSERT`, `REMOVE`), the key (`UPDATE k WITH d`) or the
    /// search document (`UPSERT`).
    pub target: Expr,
    /// `WITH d` of `UPDATE`/`REPLACE`; the insert document of `UPSERT`.
    pub with: Option<Expr>,
    /// The update/replace document of `UPSERT`, and whether it replaces.
    pub upsert_update: Option<(bool, Expr)>,
    /// `UPSERT FILTER cond` (3.12) rather than `UPSERT { ... }`.
    pub upsert_filter: bool,
    /// The collection written: a name, a quoted name or `@@c`, with its
    /// position.
    pub collection: Expr,
    pub options: Option<Expr>,
    /// Where the token after the whole operation starts (as
    /// [`Collect::end`]).
    pub end: Position,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Like,
    NotLike,
    RegexMatch,
    RegexNonMatch,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Range,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Minus,
    Plus,
}

/// The quantifier of an array comparison (`a ALL == b`).
#[derive(Debug, Clone, PartialEq)]
pub enum Quantifier {
    All,
    Any,
    None,
    AtLeast(Box<Expr>),
}

/// The inline parts of `[*]`/`[**]` and `[? ...]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Inline {
    pub filter: Option<Box<Expr>>,
    pub limit: Option<(Option<Box<Expr>>, Box<Expr>)>,
    pub project: Option<Box<Expr>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ObjectKey {
    Name(String),
    Bind(String),
    Computed(Expr),
    /// `{ ...other }` (4.x); the entry's value is the spread expression.
    Spread,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub start: Position,
    pub kind: ExprKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    /// A variable or collection name.
    Name(String),
    BindParameter(String),
    CollectionBindParameter(String),
    Array(Vec<Expr>),
    /// Entries; shorthand `{ a }` is stored as key `a` with value `Name(a)`.
    Object(Vec<(ObjectKey, Expr)>),
    Call {
        /// Upper-cased, with `::` between namespace parts.
        name: String,
        args: Vec<Expr>,
    },
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `a ALL IN b`, `a ANY == b`, `a AT LEAST (2) > b`.
    ArrayComparison {
        quantifier: Quantifier,
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `c ? a : b`; `c ?: b` has `then: None`.
    Ternary {
        condition: Box<Expr>,
        then: Option<Box<Expr>>,
        otherwise: Box<Expr>,
    },
    Attribute(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
    /// `[*]` (depth 1) or `[**]` (depth 2, flatten), with inline operations.
    Expansion {
        base: Box<Expr>,
        depth: usize,
        inline: Inline,
    },
    /// `[? quantifier FILTER cond]`.
    Question {
        base: Box<Expr>,
        quantifier: Option<Quantifier>,
        inline: Inline,
    },
    Subquery(Box<Query>),
    /// `...x` inside an array literal or a call's arguments (4.x).
    Spread(Box<Expr>),
}

/// Dropping an expression frees its sub-expressions with a loop, not by
/// recursion: operator and attribute chains (`a + b + c ...`, `a.b.c ...`)
/// nest as deep as they are long, and a recursive drop of a long one would
/// overflow the stack.
impl Drop for Expr {
    fn drop(&mut self) {
        let mut pending = Vec::new();
        take_children(&mut self.kind, &mut pending);
        while let Some(mut expr) = pending.pop() {
            take_children(&mut expr.kind, &mut pending);
        }
    }
}

/// Moves the direct sub-expressions of `kind` into `out`, leaving it a leaf.
fn take_children(kind: &mut ExprKind, out: &mut Vec<Expr>) {
    let boxed = |out: &mut Vec<Expr>, expr: Box<Expr>| out.push(*expr);
    match std::mem::replace(kind, ExprKind::Null) {
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
        ExprKind::Unary(_, operand) => boxed(out, operand),
        ExprKind::Binary(_, left, right) => {
            boxed(out, left);
            boxed(out, right);
        }
        ExprKind::ArrayComparison {
            quantifier,
            left,
            right,
            ..
        } => {
            if let Quantifier::AtLeast(count) = quantifier {
                boxed(out, count);
            }
            boxed(out, left);
            boxed(out, right);
        }
        ExprKind::Ternary {
            condition,
            then,
            otherwise,
        } => {
            boxed(out, condition);
            if let Some(then) = then {
                boxed(out, then);
            }
            boxed(out, otherwise);
        }
        ExprKind::Attribute(base, _) => boxed(out, base),
        ExprKind::Index(base, index) => {
            boxed(out, base);
            boxed(out, index);
        }
        ExprKind::Expansion { base, inline, .. } => {
            boxed(out, base);
            take_inline(inline, out);
        }
        ExprKind::Question {
            base,
            quantifier,
            inline,
        } => {
            boxed(out, base);
            if let Some(Quantifier::AtLeast(count)) = quantifier {
                boxed(out, count);
            }
            take_inline(inline, out);
        }
        ExprKind::Spread(inner) => boxed(out, inner),
    }
}

fn take_inline(inline: Inline, out: &mut Vec<Expr>) {
    if let Some(filter) = inline.filter {
        out.push(*filter);
    }
    if let Some((offset, count)) = inline.limit {
        if let Some(offset) = offset {
            out.push(*offset);
        }
        out.push(*count);
    }
    if let Some(project) = inline.project {
        out.push(*project);
    }
}
