//! What a query reads and writes (issue 15, lineage), computed from the
//! syntax tree of [`crate::parse_query`]: the collections, views and graphs
//! it names, the attribute paths it reads from their documents, the paths
//! its conditions compare, and the collections it modifies.
//!
//! # How values are followed
//!
//! The walk keeps the variables in scope and, for each, where its value
//! comes from: a document of a source (`FOR u IN users` binds `u` to the
//! documents of `users`), a part of one (`LET a = u.address`), an array of
//! them (a subquery, `u.tags[*]`), an object whose fields are followed
//! (`{ user: u }`, the groups of `COLLECT ... INTO g`) or a traversal path.
//! Nothing is recorded while a value is only passed along (`LET x = u`,
//! `FIRST(...)`, `a || b`, a ternary's branches); a path is recorded where
//! the value is used: compared, returned by the query, passed to a
//! function, written, grouped on, told apart by `RETURN DISTINCT`. What a
//! subquery returns is recorded where the subquery's result is used (and
//! at the end of the scope if it never is: the subquery ran anyway).
//!
//! # Representation
//!
//! - Attribute paths are dotted (`address.city`); an array's elements are
//!   `[*]` as in ArangoDB's index fields (`tags[*].name`, also for a literal
//!   element `tags[0].name`). A path means its whole value is read, so
//!   `address` covers `address.city`. The whole document is [`WHOLE`]
//!   (`*`): `RETURN u`, `MERGE(u, ...)`, `INSERT u INTO c`, an attribute
//!   chosen at run time (`u[@attr]`, `u.@attr`, `u[name]`).
//! - Sources: names as written (a quoted `` `my-coll` `` without its
//!   backticks); a collection bind parameter as `@@name`, a value bind
//!   parameter that names a collection (`WITH @c`, `DOCUMENT(@c, k)` is not
//!   followed) as `@name`. A view cannot be told from a collection by name:
//!   both are in `sources`, and a `FOR` with `SEARCH` also puts its source
//!   in `views` (the server rejects `SEARCH` on a collection).
//! - Traversals and path searches: an anonymous traversal's edge
//!   collections are sources and its edge variable's paths are recorded
//!   under each of them. What is not known without the graph definitions
//!   is recorded under a pseudo-source key that contains `/`, which no
//!   collection name can contain (see [`SourceKey`] and [`source_key`]):
//!   `graph:<g>/vertices` and `graph:<g>/edges` for `GRAPH 'g'`, and
//!   `edges:<c>/vertices` for the vertices reached over edge collection
//!   `c` of an anonymous traversal. The start and target vertex given as a
//!   document read its `_id`. Pseudo keys are in `attributes`/`filtered`
//!   only, never in `sources`.
//! - `filtered`: the paths read inside a `FILTER`, `SEARCH`, `SORT` or
//!   `PRUNE` condition (inline filters `[* FILTER ...]` in them included),
//!   and the attributes of an `UPSERT` search document. A subquery inside
//!   a condition starts afresh. Values that a subquery returned or that
//!   went through a `COLLECT` (groups, `INTO` groups) are not counted as
//!   filtered where a later condition compares them: no index of their
//!   collection can serve that condition.
//! - Modifications: `UPDATE u ...`/`REPLACE u ...`/`REMOVE u ...` with a
//!   document read its `_key`; `OLD`/`NEW` afterwards and the `UPSERT`
//!   search read the modified collection, which then is also a source.
//!
//! # Not tracked
//!
//! - Collections named only at run time: `DOCUMENT(x)` with a computed id,
//!   value bind parameters used as collection names in functions, traversal
//!   `OPTIONS` (`vertexCollections`, ...), user function bodies.
//! - Attribute names that contain a dot are not escaped (`u['a.b']` reads
//!   `a.b`, the same as `u.a.b`).
//! - Functions are modelled only where the value passes through or the
//!   arguments name what is read: `DOCUMENT`, `COLLECTION_COUNT`, `NEAR`,
//!   `WITHIN`, `WITHIN_RECTANGLE`, `FULLTEXT` (collection names), `LENGTH`/
//!   `COUNT` (an array's elements are not read), `FIRST`/`LAST`/`NTH`,
//!   `NOT_NULL`/`FIRST_DOCUMENT`/`UNION`/... (pass their arguments on),
//!   `KEEP` and `HAS` with literal names, `BM25`/`TFIDF` (no attribute).
//!   Any other function reads its arguments whole (`LENGTH(u.tags)` reads
//!   `tags`, `ATTRIBUTES(u)` and `UNSET(u, 'a')` read `*`).
//! - Which document a `NEW`, `OLD` or `DOCUMENT` result is, beyond its
//!   collection; values inside arrays and objects built at run time
//!   (`PUSH`, `ZIP`, `MERGE` results are not followed).
//! - Expressions nested deeper than [`MAX_DEPTH`] walk levels (left-deep
//!   operator chains can exceed the parser's own cap) are not followed
//!   further; `truncated` says so.
//! - A followed value is kept small (see `MAX_ORIGINS`): one that would
//!   combine too many origins or nest objects too deep is read whole where
//!   it is built, a superset of what the query reads.

use std::collections::{BTreeMap, BTreeSet};

use crate::parser::ast::*;

/// The path that stands for the whole document (or a whole traversal
/// vertex or edge): the value was used as a whole.
pub const WHOLE: &str = "*";

/// How deep the walk recurses before it stops following an expression.
pub const MAX_DEPTH: usize = 256;

/// A followed value keeps at most this many origins, objects nested at
/// most [`MAX_NESTING`] deep and at most [`MAX_WEIGHT`] origins in all
/// (fields included); beyond that it is read on the spot (a superset of
/// what the query reads), so that copying values stays cheap whatever the
/// query.
const MAX_ORIGINS: usize = 64;
const MAX_NESTING: usize = 8;
const MAX_WEIGHT: usize = 256;

/// What one query reads and writes. Names are as written in the query; a
/// collection bind parameter appears as `@@name`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lineage {
    /// Collections and views read: iterated, named in `WITH`, named in an
    /// expression (a name that is not a variable), given to a function
    /// that takes a collection name (`DOCUMENT('users', k)`,
    /// `DOCUMENT('users/1')`, `COLLECTION_COUNT`, `NEAR`, `WITHIN`,
    /// `WITHIN_RECTANGLE`, `FULLTEXT`), the edge collections of anonymous
    /// traversals,
    /// a modified collection whose documents are read (`OLD`, `NEW`,
    /// `UPSERT`'s search).
    pub sources: BTreeSet<String>,
    /// Sources iterated with `SEARCH`: certainly views (also in `sources`).
    pub views: BTreeSet<String>,
    /// Named graphs traversed (`GRAPH 'name'`; `@name` for a bind
    /// parameter).
    pub graphs: BTreeSet<String>,
    /// Per source (or pseudo-source, see [`SourceKey`]), the attribute
    /// paths read from its documents, dotted (`email`, `address.city`,
    /// `_key`, `tags[*].name`; [`WHOLE`] for the whole document).
    pub attributes: BTreeMap<String, BTreeSet<String>>,
    /// Per source (or pseudo-source), the attribute paths its documents
    /// are filtered, sorted or searched on (`FILTER`, `SEARCH`, `SORT`,
    /// traversal `PRUNE`, `UPSERT` search): what an index or a view could
    /// serve. A subset of `attributes`.
    pub filtered: BTreeMap<String, BTreeSet<String>>,
    /// Collections written by INSERT/UPDATE/REPLACE/REMOVE/UPSERT.
    pub written: BTreeSet<String>,
    /// True when part of the query was nested too deep to follow
    /// ([`MAX_DEPTH`]); the lineage is then incomplete.
    pub truncated: bool,
}

/// One line per non-empty part, in this order: `sources: a, b`, `views:
/// ...`, `graphs: ...`, `written: ...`, then `read <key>: <paths>` and
/// `filtered <key>: <paths>` per key, and `truncated` if so. Names and
/// paths sorted, separated by `, `; every line ends with a newline.
impl std::fmt::Display for Lineage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn list(items: &BTreeSet<String>) -> String {
            items
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        }
        for (label, set) in [
            ("sources", &self.sources),
            ("views", &self.views),
            ("graphs", &self.graphs),
            ("written", &self.written),
        ] {
            if !set.is_empty() {
                writeln!(f, "{label}: {}", list(set))?;
            }
        }
        for (label, map) in [("read", &self.attributes), ("filtered", &self.filtered)] {
            for (key, paths) in map {
                writeln!(f, "{label} {key}: {}", list(paths))?;
            }
        }
        if self.truncated {
            writeln!(f, "truncated")?;
        }
        Ok(())
    }
}

/// What a key of [`Lineage::attributes`] and [`Lineage::filtered`] stands
/// for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKey<'a> {
    /// A collection or view (or `@@name`), also in `sources`.
    Source(&'a str),
    /// `graph:<g>/vertices`: the vertices of named graph `g`.
    GraphVertices(&'a str),
    /// `graph:<g>/edges`: the edges of named graph `g`.
    GraphEdges(&'a str),
    /// `edges:<c>/vertices`: the vertices reached over edge collection `c`
    /// in an anonymous traversal or path search.
    TraversalVertices(&'a str),
}

/// Classifies a key of [`Lineage::attributes`]/[`Lineage::filtered`].
pub fn source_key(key: &str) -> SourceKey<'_> {
    if let Some(graph) = key
        .strip_prefix("graph:")
        .and_then(|k| k.strip_suffix("/vertices"))
    {
        return SourceKey::GraphVertices(graph);
    }
    if let Some(graph) = key
        .strip_prefix("graph:")
        .and_then(|k| k.strip_suffix("/edges"))
    {
        return SourceKey::GraphEdges(graph);
    }
    if let Some(edges) = key
        .strip_prefix("edges:")
        .and_then(|k| k.strip_suffix("/vertices"))
    {
        return SourceKey::TraversalVertices(edges);
    }
    SourceKey::Source(key)
}

/// The lineage of a parsed query.
pub fn lineage(query: &Query) -> Lineage {
    let mut walker = Walker::default();
    walker.query(query, true);
    walker.out
}

/// Where (part of) a value comes from.
#[derive(Debug, Clone, PartialEq)]
enum Origin {
    /// The value at `path` ("" for the whole) of a document of `key`, in
    /// `many` levels of arrays. `indirect`: it came out of a subquery's
    /// `RETURN` or through a `COLLECT`, so a condition on it is not one an
    /// index of `key` could serve.
    Doc {
        key: String,
        path: String,
        many: usize,
        indirect: bool,
    },
    /// A traversal path object (`p`): `vertices` and `edges` keys.
    Path {
        vertices: Vec<String>,
        edges: Vec<String>,
        many: usize,
    },
    /// An object whose named fields are followed.
    Object {
        fields: Vec<(String, Value)>,
        many: usize,
    },
}

type Value = Vec<Origin>;

struct Binding {
    name: String,
    value: Value,
    used: bool,
    /// Bound by `LET`: if never used, its arrays are read at the end of the
    /// scope (a subquery ran anyway).
    read_if_unused: bool,
}

#[derive(Default)]
struct Walker {
    out: Lineage,
    scope: Vec<Binding>,
    /// Inside a FILTER/SEARCH/SORT/PRUNE condition.
    filtering: bool,
    depth: usize,
}

const SPECIALS: &[&str] = &["CURRENT", "NEW", "OLD"];

/// Keywords that the parser (as of this writing) turns into names before a
/// `:`, also in a ternary (`c ? null : x` gives `Name("null")`); never taken
/// for a collection (a collection of that name needs backticks, which the
/// syntax tree does not keep).
const LITERAL_WORDS: &[&str] = &["null", "true", "false"];

fn join(path: &str, attribute: &str) -> String {
    if path.is_empty() {
        attribute.to_string()
    } else {
        format!("{path}.{attribute}")
    }
}

fn wrap(value: Value) -> Value {
    value
        .into_iter()
        .map(|origin| match origin {
            Origin::Doc {
                key,
                path,
                many,
                indirect,
            } => Origin::Doc {
                key,
                path,
                many: many + 1,
                indirect,
            },
            Origin::Path {
                vertices,
                edges,
                many,
            } => Origin::Path {
                vertices,
                edges,
                many: many + 1,
            },
            Origin::Object { fields, many } => Origin::Object {
                fields,
                many: many + 1,
            },
        })
        .collect()
}

/// Marks every document origin in `value` as indirect (fields included;
/// objects nest at most [`MAX_NESTING`] deep, see `merge`).
fn mark_indirect(value: Value) -> Value {
    value
        .into_iter()
        .map(|origin| match origin {
            Origin::Doc {
                key, path, many, ..
            } => Origin::Doc {
                key,
                path,
                many,
                indirect: true,
            },
            Origin::Object { fields, many } => Origin::Object {
                fields: fields
                    .into_iter()
                    .map(|(name, inner)| (name, mark_indirect(inner)))
                    .collect(),
                many,
            },
            other => other,
        })
        .collect()
}

/// The elements of an array value: one level of `many` less, or `[*]`
/// appended to a document path.
fn elements(value: Value) -> Value {
    value
        .into_iter()
        .filter_map(|origin| match origin {
            Origin::Doc {
                key,
                path,
                many,
                indirect,
            } => {
                if many > 0 {
                    Some(Origin::Doc {
                        key,
                        path,
                        many: many - 1,
                        indirect,
                    })
                } else if path.is_empty() {
                    // Iterating what was taken for one document: it was an
                    // array of them (`DOCUMENT('c', @keys)`).
                    Some(Origin::Doc {
                        key,
                        path,
                        many,
                        indirect,
                    })
                } else {
                    Some(Origin::Doc {
                        key,
                        path: format!("{path}[*]"),
                        many,
                        indirect,
                    })
                }
            }
            Origin::Path {
                vertices,
                edges,
                many,
            } => (many > 0).then(|| Origin::Path {
                vertices,
                edges,
                many: many - 1,
            }),
            Origin::Object { fields, many } => (many > 0).then(|| Origin::Object {
                fields,
                many: many - 1,
            }),
        })
        .collect()
}

/// `value.attribute` (mapped over arrays, as after an expansion).
fn attribute(value: &Value, name: &str) -> Value {
    let mut out = Vec::new();
    for origin in value {
        match origin {
            Origin::Doc {
                key,
                path,
                many,
                indirect,
            } => out.push(Origin::Doc {
                key: key.clone(),
                path: join(path, name),
                many: *many,
                indirect: *indirect,
            }),
            Origin::Path {
                vertices,
                edges,
                many,
            } => {
                let keys = match name {
                    "vertices" => vertices,
                    "edges" => edges,
                    _ => continue,
                };
                out.extend(keys.iter().map(|key| Origin::Doc {
                    key: key.clone(),
                    path: String::new(),
                    many: many + 1,
                    indirect: false,
                }));
            }
            Origin::Object { fields, many } => {
                for (field, inner) in fields {
                    if field == name {
                        let mut inner = inner.clone();
                        for _ in 0..*many {
                            inner = wrap(inner);
                        }
                        out.extend(inner);
                    }
                }
            }
        }
    }
    out
}

/// The number of origins in `origin` (fields included) and how deep its
/// objects nest; the walk stops counting past the limits.
fn measure(origin: &Origin, level: usize) -> (usize, usize) {
    match origin {
        Origin::Object { fields, .. } => {
            if level > MAX_NESTING {
                return (usize::MAX, usize::MAX);
            }
            let mut weight = 1usize;
            let mut nesting = 0;
            for (_, value) in fields {
                for inner in value {
                    let (w, n) = measure(inner, level + 1);
                    weight = weight.saturating_add(w);
                    nesting = nesting.max(n);
                }
                if weight > MAX_WEIGHT {
                    break;
                }
            }
            (weight, nesting.saturating_add(1))
        }
        _ => (1, 0),
    }
}

fn is_plain_source(key: &str) -> bool {
    matches!(source_key(key), SourceKey::Source(_))
}

/// The name of a collection written as a name, a string or a bind
/// parameter (modifications, `WITH`, edge collections, graph names).
fn collection_name(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::Name(name) | ExprKind::String(name) => Some(name.clone()),
        ExprKind::CollectionBindParameter(name) => Some(format!("@@{name}")),
        ExprKind::BindParameter(name) => Some(format!("@{name}")),
        _ => None,
    }
}

impl Walker {
    // ---- recording -----------------------------------------------------

    fn record(&mut self, key: &str, path: &str, filtered: bool) {
        let path = if path.is_empty() { WHOLE } else { path };
        if is_plain_source(key) {
            self.out.sources.insert(key.to_string());
        }
        self.out
            .attributes
            .entry(key.to_string())
            .or_default()
            .insert(path.to_string());
        if filtered {
            self.out
                .filtered
                .entry(key.to_string())
                .or_default()
                .insert(path.to_string());
        }
    }

    /// The value is used as a whole: record every path it comes from.
    fn read(&mut self, value: Value) {
        self.read_at(value, 0);
    }

    fn read_at(&mut self, value: Value, level: usize) {
        if level > MAX_DEPTH {
            self.out.truncated = true;
            return;
        }
        for origin in value {
            match origin {
                Origin::Doc {
                    key,
                    path,
                    indirect,
                    ..
                } => {
                    let filtered = self.filtering && !indirect;
                    self.record(&key, &path, filtered);
                }
                Origin::Path {
                    vertices, edges, ..
                } => {
                    for key in vertices.iter().chain(&edges) {
                        self.record(key, "", false);
                    }
                }
                Origin::Object { fields, .. } => {
                    for (_, inner) in fields {
                        self.read_at(inner, level + 1);
                    }
                }
            }
        }
    }

    /// The value is used as a vertex or document handle: a document gives
    /// its `_id` (traversal start) or `_key` (modifications).
    fn read_handle(&mut self, value: Value, attribute_name: &str) {
        for origin in value {
            match origin {
                Origin::Doc {
                    key,
                    path,
                    indirect,
                    ..
                } if path.is_empty() => {
                    let filtered = self.filtering && !indirect;
                    self.record(&key, attribute_name, filtered);
                }
                other => self.read(vec![other]),
            }
        }
    }

    /// Adds `more` to `into` without duplicates, within the limits
    /// ([`MAX_ORIGINS`]); what does not fit is read now.
    fn merge(&mut self, into: &mut Value, more: Value) {
        for origin in more {
            if into.contains(&origin) {
                continue;
            }
            let (weight, nesting) = measure(&origin, 0);
            if into.len() >= MAX_ORIGINS || weight > MAX_WEIGHT || nesting > MAX_NESTING {
                self.read(vec![origin]);
            } else {
                into.push(origin);
            }
        }
    }

    fn merged(&mut self, values: Vec<Value>) -> Value {
        let mut out = Vec::new();
        for value in values {
            self.merge(&mut out, value);
        }
        out
    }

    // ---- scope ---------------------------------------------------------

    fn bind(&mut self, name: &str, value: Value, read_if_unused: bool) {
        self.scope.push(Binding {
            name: name.to_string(),
            value,
            used: false,
            read_if_unused,
        });
    }

    /// Binds a variable, or each variable of a destructuring pattern to
    /// the part of `value` it takes (recursion as deep as the pattern,
    /// which the parser caps).
    fn bind_pattern(&mut self, pattern: &Pattern, value: Value, read_if_unused: bool) {
        match pattern {
            Pattern::Name(name) => self.bind(name, value, read_if_unused),
            Pattern::Array(items) => {
                let element = elements(value);
                for item in items {
                    self.bind_pattern(item, element.clone(), read_if_unused);
                }
            }
            Pattern::Object(entries) => {
                for (name, item) in entries {
                    let field = attribute(&value, name);
                    self.bind_pattern(item, field, read_if_unused);
                }
            }
        }
    }

    fn lookup(&mut self, name: &str) -> Option<Value> {
        let special = SPECIALS
            .iter()
            .find(|s| s.eq_ignore_ascii_case(name))
            .copied();
        let binding = self
            .scope
            .iter_mut()
            .rev()
            .find(|b| b.name == name || special.is_some_and(|s| b.name == s))?;
        binding.used = true;
        Some(binding.value.clone())
    }

    /// Drops the bindings above `mark`, reading the arrays of unused `LET`s.
    fn pop_scope(&mut self, mark: usize) {
        let dropped: Vec<Binding> = self.scope.drain(mark.min(self.scope.len())..).collect();
        for binding in dropped {
            if binding.read_if_unused && !binding.used {
                let arrays: Value = binding
                    .value
                    .into_iter()
                    .filter(|o| match o {
                        Origin::Doc { many, .. }
                        | Origin::Path { many, .. }
                        | Origin::Object { many, .. } => *many > 0,
                    })
                    .collect();
                self.read(arrays);
            }
        }
    }

    // ---- operations ----------------------------------------------------

    /// Walks a (sub)query; returns what its `RETURN` gives (an array of
    /// it). At the top level the indirect value is read.
    fn query(&mut self, query: &Query, top: bool) -> Value {
        if self.depth > MAX_DEPTH {
            self.out.truncated = true;
            return Vec::new();
        }
        self.depth += 1;
        let saved_filtering = std::mem::replace(&mut self.filtering, false);
        let mark = self.scope.len();
        for expr in &query.with {
            if let Some(name) = collection_name(expr) {
                self.out.sources.insert(name);
            }
        }
        let mut indirect = Vec::new();
        for statement in &query.body {
            if let Some(value) = self.statement(statement) {
                if top {
                    self.read(value);
                } else {
                    indirect = wrap(mark_indirect(value));
                }
            }
        }
        self.pop_scope(mark);
        self.filtering = saved_filtering;
        self.depth -= 1;
        indirect
    }

    /// Evaluates an expression as a condition and reads it as filtered.
    fn condition(&mut self, expr: &Expr) {
        let saved = std::mem::replace(&mut self.filtering, true);
        let value = self.eval(expr);
        self.read(value);
        self.filtering = saved;
    }

    fn eval_read(&mut self, expr: &Expr) {
        let value = self.eval(expr);
        self.read(value);
    }

    /// Walks one operation; `Some(value)` for `RETURN`.
    fn statement(&mut self, statement: &Statement) -> Option<Value> {
        match statement {
            Statement::For(for_) => self.for_(for_),
            Statement::Filter(expr) => self.condition(expr),
            Statement::Let(assignments) => {
                for (pattern, expr) in assignments {
                    let value = self.eval(expr);
                    self.bind_pattern(pattern, value, true);
                }
            }
            Statement::Sort(items) => {
                for item in items {
                    self.condition(&item.expr);
                    if let Some(dynamic) = &item.dynamic {
                        self.eval_read(dynamic);
                    }
                }
            }
            Statement::Limit { offset, count } => {
                if let Some(offset) = offset {
                    self.eval_read(offset);
                }
                self.eval_read(count);
            }
            Statement::Return { distinct, value } => {
                let value = self.eval(value);
                if *distinct {
                    // Telling values apart reads them.
                    self.read(value.clone());
                }
                return Some(value);
            }
            Statement::Collect(collect) => self.collect(collect),
            Statement::Window(window) => {
                if let Some(range) = &window.range {
                    self.eval_read(range);
                }
                self.eval_read(&window.bounds);
                for aggregate in &window.aggregates {
                    self.eval_read(&aggregate.value);
                }
                for aggregate in &window.aggregates {
                    self.bind(&aggregate.name, Vec::new(), false);
                }
            }
            Statement::Modify(modification) => self.modification(modification),
        }
        None
    }

    fn for_(&mut self, for_: &For) {
        match &for_.source {
            ForSource::Expr { expr, search } => {
                if search.is_some() {
                    if let Some(name) = self.source_name(expr) {
                        self.out.views.insert(name);
                    }
                }
                let value = self.eval(expr);
                let element = elements(value);
                if let Some(variable) = for_.variables.first() {
                    self.bind_pattern(variable, element, false);
                }
                if let Some(search) = search {
                    self.condition(search);
                }
            }
            ForSource::Traversal {
                depth,
                start,
                graph,
                prune,
                ..
            } => {
                if let Some(depth) = depth {
                    self.eval_read(depth);
                }
                let start = self.eval(start);
                self.read_handle(start, "_id");
                let (vertices, edges) = self.graph(graph);
                let path = vec![Origin::Path {
                    vertices: vertices.clone(),
                    edges: edges.clone(),
                    many: 0,
                }];
                let values = [docs(&vertices), docs(&edges), path];
                for (variable, value) in for_.variables.iter().zip(values) {
                    self.bind_pattern(variable, value, false);
                }
                if let Some(prune) = prune {
                    self.condition(&prune.condition);
                    if let Some(variable) = &prune.variable {
                        self.bind(variable, Vec::new(), false);
                    }
                }
            }
            ForSource::Path {
                kind,
                depth,
                start,
                target,
                graph,
                ..
            } => {
                if let Some(depth) = depth {
                    self.eval_read(depth);
                }
                let start = self.eval(start);
                self.read_handle(start, "_id");
                let target = self.eval(target);
                self.read_handle(target, "_id");
                let (vertices, edges) = self.graph(graph);
                if *kind == PathKind::ShortestPath {
                    let values = [docs(&vertices), docs(&edges)];
                    for (variable, value) in for_.variables.iter().zip(values) {
                        self.bind_pattern(variable, value, false);
                    }
                } else if let Some(variable) = for_.variables.first() {
                    let path = vec![Origin::Path {
                        vertices,
                        edges,
                        many: 0,
                    }];
                    self.bind_pattern(variable, path, false);
                }
            }
        }
    }

    /// The name of a FOR source that is a collection or view.
    fn source_name(&self, expr: &Expr) -> Option<String> {
        match &expr.kind {
            ExprKind::Name(name) if !self.in_scope(name) => Some(name.clone()),
            ExprKind::CollectionBindParameter(name) => Some(format!("@@{name}")),
            _ => None,
        }
    }

    fn in_scope(&self, name: &str) -> bool {
        self.scope.iter().any(|b| b.name == name)
    }

    /// Records a traversal's graph; returns the keys of its vertices and
    /// of its edges.
    fn graph(&mut self, graph: &Graph) -> (Vec<String>, Vec<String>) {
        match graph {
            Graph::Named(expr) => match collection_name(expr) {
                Some(name) => {
                    self.out.graphs.insert(name.clone());
                    (
                        vec![format!("graph:{name}/vertices")],
                        vec![format!("graph:{name}/edges")],
                    )
                }
                None => (Vec::new(), Vec::new()),
            },
            Graph::Collections(collections) => {
                let mut vertices = Vec::new();
                let mut edges = Vec::new();
                for (_, expr) in collections {
                    if let Some(name) = collection_name(expr) {
                        self.out.sources.insert(name.clone());
                        vertices.push(format!("edges:{name}/vertices"));
                        edges.push(name);
                    }
                }
                (vertices, edges)
            }
        }
    }

    fn collect(&mut self, collect: &Collect) {
        let mut groups = Vec::new();
        for group in &collect.groups {
            let value = self.eval(&group.value);
            self.read(value.clone());
            groups.push((group.name.clone(), value));
        }
        for aggregate in &collect.aggregates {
            self.eval_read(&aggregate.value);
        }
        let into = match &collect.into {
            Some((name, Some(projection))) => {
                let value = self.eval(projection);
                Some((name.clone(), wrap(mark_indirect(value))))
            }
            Some((name, None)) => {
                let mut fields: Vec<(String, Value)> = Vec::new();
                for binding in &self.scope {
                    if !collect.keep.is_empty() && !collect.keep.contains(&binding.name) {
                        continue;
                    }
                    if SPECIALS.contains(&binding.name.as_str()) {
                        continue;
                    }
                    fields.retain(|(field, _)| field != &binding.name);
                    fields.push((binding.name.clone(), binding.value.clone()));
                }
                let kept = collect.keep.clone();
                for binding in &mut self.scope {
                    if kept.is_empty() || kept.contains(&binding.name) {
                        binding.used = true;
                    }
                }
                let object = mark_indirect(vec![Origin::Object { fields, many: 1 }]);
                Some((name.clone(), self.merged(vec![object])))
            }
            None => None,
        };
        if let Some(options) = &collect.options {
            self.eval_read(options);
        }
        for (name, value) in groups {
            self.bind(&name, mark_indirect(value), false);
        }
        for aggregate in &collect.aggregates {
            self.bind(&aggregate.name, Vec::new(), false);
        }
        if let Some((name, value)) = into {
            // An unused INTO variable is dropped by the optimizer (rule
            // `remove-collect-variables`, registered in
            // arangod/Aql/OptimizerRulesFeature.cpp): not read.
            self.bind(&name, value, false);
        }
        if let Some(count) = &collect.count_into {
            self.bind(count, Vec::new(), false);
        }
    }

    fn modification(&mut self, m: &Modification) {
        let Some(collection) = collection_name(&m.collection) else {
            return;
        };
        self.out.written.insert(collection.clone());
        let old = vec![Origin::Doc {
            key: collection.clone(),
            path: String::new(),
            many: 0,
            indirect: false,
        }];
        match m.kind {
            ModificationKind::Insert => self.eval_read(&m.target),
            ModificationKind::Update | ModificationKind::Replace | ModificationKind::Remove => {
                let target = self.eval(&m.target);
                if m.with.is_some() || m.kind == ModificationKind::Remove {
                    self.read_handle(target, "_key");
                } else {
                    self.read(target);
                }
                if let Some(with) = &m.with {
                    self.eval_read(with);
                }
            }
            ModificationKind::Upsert => {
                let mark = self.scope.len();
                if m.upsert_filter {
                    // `UPSERT FILTER cond`: CURRENT is the collection's document.
                    self.bind("CURRENT", old.clone(), false);
                    self.condition(&m.target);
                } else if let ExprKind::Object(entries) = &m.target.kind {
                    for (key, value) in entries {
                        match key {
                            ObjectKey::Name(name) => {
                                self.record(&collection, name, true);
                                self.eval_read(value);
                            }
                            ObjectKey::Computed(key) => {
                                self.eval_read(key);
                                self.eval_read(value);
                            }
                            ObjectKey::Bind(_) | ObjectKey::Spread => self.eval_read(value),
                        }
                    }
                } else {
                    self.eval_read(&m.target);
                }
                self.pop_scope(mark);
                if let Some(insert) = &m.with {
                    self.eval_read(insert);
                }
                if let Some((_, update)) = &m.upsert_update {
                    self.bind("OLD", old.clone(), false);
                    self.eval_read(update);
                    self.pop_scope(mark);
                }
            }
        }
        self.bind("OLD", old.clone(), false);
        self.bind("NEW", old, false);
    }

    // ---- expressions ---------------------------------------------------

    /// Where an expression's value comes from, recording what it reads on
    /// the way.
    fn eval(&mut self, expr: &Expr) -> Value {
        if self.depth > MAX_DEPTH {
            self.out.truncated = true;
            return Vec::new();
        }
        self.depth += 1;
        let value = self.eval_inner(expr);
        self.depth -= 1;
        value
    }

    fn eval_inner(&mut self, expr: &Expr) -> Value {
        match &expr.kind {
            ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Number(_)
            | ExprKind::String(_)
            | ExprKind::BindParameter(_) => Vec::new(),
            ExprKind::CollectionBindParameter(name) => self.collection(format!("@@{name}")),
            ExprKind::Name(name) => {
                if let Some(value) = self.lookup(name) {
                    value
                } else if SPECIALS.iter().any(|s| s.eq_ignore_ascii_case(name))
                    || LITERAL_WORDS.iter().any(|s| s.eq_ignore_ascii_case(name))
                {
                    Vec::new()
                } else {
                    self.collection(name.clone())
                }
            }
            ExprKind::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    match &item.kind {
                        ExprKind::Spread(inner) => {
                            let value = self.eval(inner);
                            self.merge(&mut out, value);
                        }
                        _ => {
                            let value = wrap(self.eval(item));
                            self.merge(&mut out, value);
                        }
                    }
                }
                out
            }
            ExprKind::Object(entries) => {
                let mut fields = Vec::new();
                for (key, value) in entries {
                    match key {
                        ObjectKey::Name(name) => {
                            let value = self.eval(value);
                            if !value.is_empty() {
                                fields.push((name.clone(), value));
                            }
                        }
                        ObjectKey::Computed(key) => {
                            self.eval_read(key);
                            self.eval_read(value);
                        }
                        ObjectKey::Bind(_) | ObjectKey::Spread => self.eval_read(value),
                    }
                }
                if fields.is_empty() {
                    Vec::new()
                } else {
                    self.merged(vec![vec![Origin::Object { fields, many: 0 }]])
                }
            }
            ExprKind::Call { name, args } => self.call(name, args),
            ExprKind::Unary(_, operand) => {
                self.eval_read(operand);
                Vec::new()
            }
            ExprKind::Binary(op, left, right) => {
                let left = self.eval(left);
                let right = self.eval(right);
                if matches!(op, BinaryOp::And | BinaryOp::Or) {
                    // `a || b` is one of its operands.
                    self.merged(vec![left, right])
                } else {
                    self.read(left);
                    self.read(right);
                    Vec::new()
                }
            }
            ExprKind::ArrayComparison {
                quantifier,
                left,
                right,
                ..
            } => {
                if let Quantifier::AtLeast(count) = quantifier {
                    self.eval_read(count);
                }
                self.eval_read(left);
                self.eval_read(right);
                Vec::new()
            }
            ExprKind::Ternary {
                condition,
                then,
                otherwise,
            } => {
                let condition = self.eval(condition);
                let mut out = match then {
                    Some(then) => {
                        self.read(condition);
                        self.eval(then)
                    }
                    // `a ?: b` is `a` when it is truthy.
                    None => condition,
                };
                let otherwise = self.eval(otherwise);
                self.merge(&mut out, otherwise);
                out
            }
            ExprKind::Attribute(base, name) => {
                let base = self.eval(base);
                if name.starts_with('@') {
                    // `u.@attr`: an attribute chosen at run time.
                    self.read(base);
                    Vec::new()
                } else {
                    attribute(&base, name)
                }
            }
            ExprKind::Index(base, index) => {
                let base = self.eval(base);
                match &index.kind {
                    ExprKind::String(name) => attribute(&base, name),
                    ExprKind::Number(_) => elements(base),
                    _ => {
                        self.eval_read(index);
                        // An array element, or an attribute chosen at run
                        // time: only arrays are followed.
                        let (arrays, others): (Value, Value) =
                            base.into_iter().partition(|o| match o {
                                Origin::Doc { many, .. }
                                | Origin::Path { many, .. }
                                | Origin::Object { many, .. } => *many > 0,
                            });
                        self.read(others);
                        elements(arrays)
                    }
                }
            }
            ExprKind::Expansion {
                base,
                depth,
                inline,
            } => {
                let mut element = self.eval(base);
                for _ in 0..(*depth).max(1) {
                    element = elements(element);
                }
                let result = self.inline(element, inline);
                wrap(result)
            }
            ExprKind::Question {
                base,
                quantifier,
                inline,
            } => {
                if let Some(Quantifier::AtLeast(count)) = quantifier {
                    self.eval_read(count);
                }
                let element = elements(self.eval(base));
                if inline.filter.is_none() {
                    self.read(element.clone());
                }
                let result = self.inline(element, inline);
                drop(result);
                Vec::new()
            }
            ExprKind::Subquery(query) => self.query(query, false),
            ExprKind::Spread(inner) => self.eval(inner),
        }
    }

    /// The inline filter, limit and projection of `[*]`/`[?]` with
    /// `CURRENT` bound to `element`; returns the projected element.
    fn inline(&mut self, element: Value, inline: &Inline) -> Value {
        let mark = self.scope.len();
        self.bind("CURRENT", element.clone(), false);
        if let Some(filter) = &inline.filter {
            self.eval_read(filter);
        }
        if let Some((offset, count)) = &inline.limit {
            if let Some(offset) = offset {
                self.eval_read(offset);
            }
            self.eval_read(count);
        }
        let result = match &inline.project {
            Some(project) => self.eval(project),
            None => element,
        };
        self.pop_scope(mark);
        result
    }

    /// A collection named in an expression: its documents, as an array.
    fn collection(&mut self, name: String) -> Value {
        self.out.sources.insert(name.clone());
        vec![Origin::Doc {
            key: name,
            path: String::new(),
            many: 1,
            indirect: false,
        }]
    }

    /// A collection given to a function by name: a name not in scope, a
    /// string literal or `@@c`.
    fn named_collection(&self, expr: &Expr) -> Option<String> {
        match &expr.kind {
            ExprKind::String(name) if !name.is_empty() && !name.contains('/') => Some(name.clone()),
            _ => self.source_name(expr),
        }
    }

    fn call(&mut self, name: &str, args: &[Expr]) -> Value {
        match (name, args) {
            ("DOCUMENT", [collection, keys]) => {
                if let Some(collection) = self.named_collection(collection) {
                    self.out.sources.insert(collection.clone());
                    let many = usize::from(matches!(keys.kind, ExprKind::Array(_)));
                    self.eval_read(keys);
                    return vec![Origin::Doc {
                        key: collection,
                        path: String::new(),
                        many,
                        indirect: false,
                    }];
                }
            }
            ("DOCUMENT", [ids]) => {
                let (many, literals): (usize, Vec<&Expr>) = match &ids.kind {
                    ExprKind::Array(items) => (1, items.iter().collect()),
                    _ => (0, vec![ids]),
                };
                let collections: Option<Vec<String>> = literals
                    .iter()
                    .map(|e| match &e.kind {
                        ExprKind::String(id) => id
                            .split_once('/')
                            .map(|(c, _)| c.to_string())
                            .filter(|c| !c.is_empty()),
                        _ => None,
                    })
                    .collect();
                if let Some(collections) = collections {
                    let mut out = Vec::new();
                    for collection in collections {
                        self.out.sources.insert(collection.clone());
                        out.push(Origin::Doc {
                            key: collection,
                            path: String::new(),
                            many,
                            indirect: false,
                        });
                    }
                    out.dedup();
                    return out;
                }
            }
            // The other functions whose first argument may be a collection
            // name (argument kind `h` in the signatures of
            // arangod/Aql/AqlFunctionFeature.cpp, 3.12; removed in 4.0):
            // they return documents of that collection found by its geo or
            // fulltext index; FULLTEXT names the attribute it searches.
            ("NEAR" | "WITHIN" | "WITHIN_RECTANGLE" | "FULLTEXT", [collection, rest @ ..]) => {
                if let Some(collection) = self.named_collection(collection) {
                    self.out.sources.insert(collection.clone());
                    if let (
                        "FULLTEXT",
                        Some(Expr {
                            kind: ExprKind::String(attribute_name),
                            ..
                        }),
                    ) = (name, rest.first())
                    {
                        self.record(&collection, attribute_name, true);
                    }
                    for arg in rest {
                        self.eval_read(arg);
                    }
                    return vec![Origin::Doc {
                        key: collection,
                        path: String::new(),
                        many: 1,
                        indirect: false,
                    }];
                }
            }
            ("COLLECTION_COUNT", [collection]) => {
                if let Some(collection) = self.named_collection(collection) {
                    self.out.sources.insert(collection);
                    return Vec::new();
                }
            }
            ("LENGTH" | "COUNT", [value]) => {
                // Counting an array's elements does not read them (a null
                // counts like any value); a single value (an attribute that
                // holds an array or a string, a document) is read.
                let value = self.eval(value);
                let single: Value = value
                    .into_iter()
                    .filter(|o| match o {
                        Origin::Doc { many, .. }
                        | Origin::Path { many, .. }
                        | Origin::Object { many, .. } => *many == 0,
                    })
                    .collect();
                self.read(single);
                return Vec::new();
            }
            ("FIRST" | "LAST", [value]) => {
                let value = self.eval(value);
                return elements(value);
            }
            ("NTH", [value, position]) => {
                let value = self.eval(value);
                self.eval_read(position);
                return elements(value);
            }
            (
                "NOT_NULL" | "FIRST_DOCUMENT" | "FIRST_LIST" | "UNION" | "UNION_DISTINCT"
                | "APPEND" | "INTERSECTION",
                _,
            ) => {
                let mut out = Vec::new();
                for arg in args {
                    let value = self.eval(arg);
                    self.merge(&mut out, value);
                }
                return out;
            }
            (
                "UNIQUE" | "SORTED" | "SORTED_UNIQUE" | "REVERSE" | "FLATTEN" | "SLICE" | "MINUS"
                | "OUTERSECTION" | "PUSH" | "REMOVE_VALUE" | "REMOVE_VALUES" | "REMOVE_NTH",
                [value, rest @ ..],
            ) => {
                let value = self.eval(value);
                for arg in rest {
                    self.eval_read(arg);
                }
                return value;
            }
            ("KEEP", [document, attributes @ ..]) => {
                let names: Option<Vec<String>> = match attributes {
                    [single] if matches!(single.kind, ExprKind::Array(_)) => match &single.kind {
                        ExprKind::Array(items) => string_literals(items),
                        _ => None,
                    },
                    _ => string_literals(attributes),
                };
                if let Some(names) = names {
                    let document = self.eval(document);
                    let fields = names
                        .into_iter()
                        .map(|n| {
                            let value = attribute(&document, &n);
                            (n, value)
                        })
                        .collect();
                    return self.merged(vec![vec![Origin::Object { fields, many: 0 }]]);
                }
            }
            ("HAS", [document, attribute_name]) => {
                if let ExprKind::String(attribute_name) = &attribute_name.kind {
                    let document = self.eval(document);
                    let value = attribute(&document, attribute_name);
                    self.read(value);
                    return Vec::new();
                }
            }
            ("BM25" | "TFIDF", [document, rest @ ..]) => {
                // A score of the document found by SEARCH: no attribute.
                let _ = self.eval(document);
                for arg in rest {
                    self.eval_read(arg);
                }
                return Vec::new();
            }
            _ => {}
        }
        for arg in args {
            self.eval_read(arg);
        }
        Vec::new()
    }
}

fn string_literals(items: &[Expr]) -> Option<Vec<String>> {
    items
        .iter()
        .map(|e| match &e.kind {
            ExprKind::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

fn docs(keys: &[String]) -> Value {
    keys.iter()
        .map(|key| Origin::Doc {
            key: key.clone(),
            path: String::new(),
            many: 0,
            indirect: false,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_query;

    fn show(query: &str) -> String {
        match parse_query(query) {
            Ok(parsed) => lineage(&parsed).to_string(),
            Err(error) => panic!("{query}: {error:?}"),
        }
    }

    #[test]
    fn for_over_a_collection_reads_attribute_paths() {
        assert_eq!(
            show("FOR u IN users FILTER u.address.city == 'Oslo' RETURN { e: u.email, k: u['_key'] }"),
            "sources: users\n\
             read users: _key, address.city, email\n\
             filtered users: address.city\n"
        );
    }

    #[test]
    fn whole_document_reads_are_a_star() {
        assert_eq!(
            show("FOR u IN users RETURN MERGE(u, { x: 1 })"),
            "sources: users\nread users: *\n"
        );
        assert_eq!(
            show("FOR u IN users RETURN u"),
            "sources: users\nread users: *\n"
        );
        assert_eq!(
            show("FOR u IN users RETURN u[@attr]"),
            "sources: users\nread users: *\n"
        );
        assert_eq!(
            show("FOR u IN users RETURN u.@attr"),
            "sources: users\nread users: *\n"
        );
    }

    #[test]
    fn collection_bind_parameters_and_with() {
        assert_eq!(
            show("WITH things FOR u IN @@coll SORT u.name RETURN u.name"),
            "sources: @@coll, things\n\
             read @@coll: name\n\
             filtered @@coll: name\n"
        );
    }

    #[test]
    fn let_aliases_and_sub_documents() {
        assert_eq!(
            show("FOR u IN users LET x = u LET a = x.address RETURN a.city"),
            "sources: users\nread users: address.city\n"
        );
        assert_eq!(
            show("FOR u IN users LET o = { who: u } RETURN o.who.name"),
            "sources: users\nread users: name\n"
        );
    }

    #[test]
    fn subqueries_follow_their_returned_values() {
        assert_eq!(
            show(
                "FOR u IN users \
                 LET s = (FOR x IN sessions FILTER x.user == u._key RETURN x) \
                 RETURN s[*].started"
            ),
            "sources: sessions, users\n\
             read sessions: started, user\n\
             read users: _key\n\
             filtered sessions: user\n\
             filtered users: _key\n"
        );
        // Counting whole documents reads none of them.
        assert_eq!(
            show("LET s = (FOR x IN sessions RETURN x) RETURN LENGTH(s)"),
            "sources: sessions\n"
        );
        // An unused subquery still ran.
        assert_eq!(
            show("LET s = (FOR x IN sessions RETURN x.a) RETURN 1"),
            "sources: sessions\nread sessions: a\n"
        );
        // FIRST of a subquery is one of its documents.
        assert_eq!(
            show("LET u = FIRST(FOR x IN users FILTER x._key == @k RETURN x) RETURN u.name"),
            "sources: users\nread users: _key, name\nfiltered users: _key\n"
        );
    }

    #[test]
    fn subquery_results_compared_in_a_filter_are_not_filtered() {
        assert_eq!(
            show("FOR u IN users FILTER u._key IN (FOR s IN sessions RETURN s.user) RETURN 1"),
            "sources: sessions, users\n\
             read sessions: user\n\
             read users: _key\n\
             filtered users: _key\n"
        );
    }

    #[test]
    fn expansions_and_inline_filters() {
        assert_eq!(
            show("FOR u IN users FILTER 'x' IN u.tags[*].name RETURN u.tags[* FILTER CURRENT.on RETURN CURRENT.v]"),
            "sources: users\n\
             read users: tags[*].name, tags[*].on, tags[*].v\n\
             filtered users: tags[*].name\n"
        );
        assert_eq!(
            show("FOR u IN users FILTER u.friends[? FILTER CURRENT.age > 30] RETURN u.a[0].b"),
            "sources: users\n\
             read users: a[*].b, friends[*].age\n\
             filtered users: friends[*].age\n"
        );
        assert_eq!(
            show("FOR u IN users FOR t IN u.tags RETURN t.name"),
            "sources: users\nread users: tags[*].name\n"
        );
    }

    #[test]
    fn collect_groups_and_into() {
        assert_eq!(
            show(
                "FOR u IN users COLLECT c = u.country INTO g \
                 RETURN { c, names: g[*].u.name, n: LENGTH(g) }"
            ),
            "sources: users\nread users: country, name\n"
        );
        assert_eq!(
            show("FOR u IN users COLLECT c = u.country INTO g RETURN c"),
            "sources: users\nread users: country\n"
        );
        assert_eq!(
            show(
                "FOR u IN users COLLECT c = u.country AGGREGATE m = MAX(u.age) \
                 RETURN [c, m]"
            ),
            "sources: users\nread users: age, country\n"
        );
        assert_eq!(
            show(
                "FOR u IN users FOR o IN orders COLLECT c = u.country INTO g KEEP o \
                 RETURN g[*].o.total"
            ),
            "sources: orders, users\nread orders: total\nread users: country\n"
        );
        assert_eq!(
            show("FOR u IN users COLLECT c = u.country INTO g = u.name RETURN g"),
            "sources: users\nread users: country, name\n"
        );
    }

    #[test]
    fn conditions_after_a_collect_are_not_filtered() {
        // Neither a group nor a document in an INTO group comes straight
        // from the collection any more: no index can serve these.
        assert_eq!(
            show(
                "FOR u IN users COLLECT c = u.country INTO g \
                 FILTER c == 'NO' FOR x IN g SORT x.u.age RETURN x.u.name"
            ),
            "sources: users\nread users: age, country, name\n"
        );
    }

    #[test]
    fn counting_reads_no_elements() {
        assert_eq!(
            show("FOR u IN users RETURN LENGTH(u.tags[* FILTER CURRENT.on])"),
            "sources: users\nread users: tags[*].on\n"
        );
        assert_eq!(
            show("FOR u IN users RETURN LENGTH(u.tags)"),
            "sources: users\nread users: tags\n"
        );
        assert_eq!(show("RETURN COUNT(users)"), "sources: users\n");
    }

    #[test]
    fn traversals_record_under_the_graph_or_the_edge_collections() {
        assert_eq!(
            show(
                "FOR u IN users FOR v, e, p IN 1..2 OUTBOUND u GRAPH 'g' \
                 PRUNE e.stop == true FILTER v.kind == 'a' \
                 RETURN { w: e.weight, names: p.vertices[*].name }"
            ),
            "sources: users\n\
             graphs: g\n\
             read graph:g/edges: stop, weight\n\
             read graph:g/vertices: kind, name\n\
             read users: _id\n\
             filtered graph:g/edges: stop\n\
             filtered graph:g/vertices: kind\n"
        );
        assert_eq!(
            show("FOR v, e IN 1..1 ANY 'users/1' knows, OUTBOUND @@likes RETURN [v.name, e.since]"),
            "sources: @@likes, knows\n\
             read @@likes: since\n\
             read edges:@@likes/vertices: name\n\
             read edges:knows/vertices: name\n\
             read knows: since\n"
        );
        assert_eq!(
            show("FOR p IN OUTBOUND K_SHORTEST_PATHS 'a/1' TO 'a/2' GRAPH @g RETURN p.edges[*].w"),
            "graphs: @g\nread graph:@g/edges: w\n"
        );
    }

    #[test]
    fn modifications() {
        assert_eq!(
            show("FOR u IN users UPDATE u WITH { n: u.n + 1 } IN users RETURN NEW.n"),
            "sources: users\nwritten: users\nread users: _key, n\n"
        );
        assert_eq!(
            show("FOR u IN users INSERT u INTO @@backup"),
            "sources: users\nwritten: @@backup\nread users: *\n"
        );
        assert_eq!(
            show(
                "UPSERT { name: @n } INSERT { name: @n, c: 1 } UPDATE { c: OLD.c + 1 } IN counters"
            ),
            "sources: counters\n\
             written: counters\n\
             read counters: c, name\n\
             filtered counters: name\n"
        );
        assert_eq!(
            show("UPSERT FILTER CURRENT.name == 'x' INSERT {} UPDATE {} IN users"),
            "sources: users\nwritten: users\nread users: name\nfiltered users: name\n"
        );
        assert_eq!(show("REMOVE @key IN users"), "written: users\n");
    }

    #[test]
    fn views_are_sources_with_search() {
        assert_eq!(
            show(
                "FOR d IN v SEARCH ANALYZER(PHRASE(d.text, 'x'), 'text_en') \
                 SORT BM25(d) DESC RETURN d.title"
            ),
            "sources: v\nviews: v\nread v: text, title\nfiltered v: text\n"
        );
        assert_eq!(
            show("FOR v IN v SEARCH v.a == 1 RETURN v.b"),
            "sources: v\nviews: v\nread v: a, b\nfiltered v: a\n"
        );
    }

    #[test]
    fn functions_that_name_collections() {
        assert_eq!(
            show("FOR m IN FULLTEXT(emails, 'body', 'banana') RETURN m._id"),
            "sources: emails\nread emails: _id, body\nfiltered emails: body\n"
        );
        assert_eq!(
            show("FOR p IN NEAR(@@places, 1, 2, 10, 'd') RETURN p.name"),
            "sources: @@places\nread @@places: name\n"
        );
        assert_eq!(
            show("FOR u IN DOCUMENT('users', @keys) RETURN u.name"),
            "sources: users\nread users: name\n"
        );
        assert_eq!(
            show("RETURN [DOCUMENT('users', @k).name, DOCUMENT('orders/1').total, COLLECTION_COUNT(logs)]"),
            "sources: logs, orders, users\n\
             read orders: total\n\
             read users: name\n"
        );
        // A computed id names no collection.
        assert_eq!(
            show("FOR e IN edges RETURN DOCUMENT(e._to).name"),
            "sources: edges\nread edges: _to\n"
        );
        assert_eq!(
            show("FOR u IN users RETURN KEEP(u, 'a', 'b')"),
            "sources: users\nread users: a, b\n"
        );
    }

    #[test]
    fn uncertain_collection_arguments_name_no_source() {
        assert_eq!(show("RETURN DOCUMENT(@c, 'k').name"), "");
        assert_eq!(show("LET c = 'users' RETURN DOCUMENT(c, 'k').name"), "");
        assert_eq!(
            show("FOR u IN users RETURN DOCUMENT(u.ref)"),
            "sources: users\nread users: ref\n"
        );
    }

    #[test]
    fn destructuring_reads_the_named_attributes() {
        assert_eq!(
            show("FOR u IN users LET { name, address: { city } } = u RETURN [name, city]"),
            "sources: users\nread users: address.city, name\n"
        );
        assert_eq!(
            show("FOR { name } IN users RETURN name"),
            "sources: users\nread users: name\n"
        );
    }

    #[test]
    fn for_over_a_subquery_and_old_after_remove() {
        assert_eq!(
            show(
                "FOR x IN (FOR s IN sessions FILTER s.old RETURN s) \
                 REMOVE x IN sessions RETURN OLD.user"
            ),
            "sources: sessions\n\
             written: sessions\n\
             read sessions: _key, old, user\n\
             filtered sessions: old\n"
        );
        assert_eq!(
            show("WITH @vertices FOR v IN 1..1 OUTBOUND @start @@edges RETURN v._key"),
            "sources: @@edges, @vertices\nread edges:@@edges/vertices: _key\n"
        );
    }

    #[test]
    fn literals_before_a_colon_are_no_collections() {
        assert_eq!(
            show("FOR u IN users RETURN u.a ? null : true"),
            "sources: users\nread users: a\n"
        );
    }

    #[test]
    fn variables_shadow_collections() {
        assert_eq!(show("LET users = [1, 2] FOR u IN users RETURN u"), "");
    }

    #[test]
    fn deep_input_is_cut_off_without_overflow() {
        let deep = format!("RETURN {}1{}", "(".repeat(60), ")".repeat(60));
        assert!(!show(&deep).contains("truncated"));
        let chain = format!("FOR u IN users RETURN u.a{}", " + u.a".repeat(5000));
        let shown = show(&chain);
        assert!(shown.contains("truncated"), "{shown}");
        assert!(shown.contains("read users: a"), "{shown}");
    }

    #[test]
    fn values_that_would_double_at_each_step_stay_small() {
        // Each LET doubles the value; without limits 60 steps would copy
        // 2^60 origins.
        let mut query = String::from("FOR u IN users FOR w IN things LET v0 = { a: u, b: w }");
        for i in 1..60 {
            query.push_str(&format!(" LET v{i} = {{ a: v{}, b: v{} }}", i - 1, i - 1));
        }
        query.push_str(" RETURN v59.a.a.b");
        assert_eq!(
            show(&query),
            "sources: things, users\nread things: *\nread users: *\n"
        );
        let mut query = String::from("FOR u IN users LET v0 = [u.a, u.b]");
        for i in 1..60 {
            query.push_str(&format!(" LET v{i} = [v{}, v{}, u.c{i}]", i - 1, i - 1));
        }
        query.push_str(" RETURN v59");
        let shown = show(&query);
        assert!(
            shown.starts_with("sources: users\nread users: a, b, c1, c10,"),
            "{shown}"
        );
        // A long chain of objects is cut at the nesting limit.
        let mut query = String::from("FOR u IN users LET v0 = { a: u }");
        for i in 1..2000 {
            query.push_str(&format!(" LET v{i} = {{ a: v{} }}", i - 1));
        }
        query.push_str(" RETURN v1999.a.a");
        assert_eq!(show(&query), "sources: users\nread users: *\n");
    }

    /// The deepest query of a shape that the parser accepts (its depth cap),
    /// with the walk run on it.
    fn deepest(open: &str, inner: &str, close: &str) -> String {
        let mut last = None;
        for n in (1..400).step_by(3) {
            let query = format!(
                "FOR u IN users RETURN {}{inner}{}",
                open.repeat(n),
                close.repeat(n)
            );
            match parse_query(&query) {
                Ok(parsed) => last = Some(lineage(&parsed)),
                Err(_) => break,
            }
        }
        last.map(|l| l.to_string()).unwrap_or_default()
    }

    #[test]
    fn the_deepest_parsed_queries_are_walked() {
        // The parser itself needs more than the 2 MiB of a test thread for
        // its deepest subqueries in a debug build (about 2.3 MiB for 97
        // nested `(RETURN ...)`, 3.2 MiB for 199 nested `[* RETURN ...]`);
        // the walk needs no more than the parse for these shapes.
        let walker = std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(deepest_shapes)
            .expect("a thread");
        assert!(walker.join().is_ok());
    }

    fn deepest_shapes() {
        let mut walked = 0;
        for n in (1..400).step_by(3) {
            let query = format!(
                "FOR u IN users LET {}a{} = u RETURN a",
                "{ x: ".repeat(n),
                " }".repeat(n)
            );
            let Ok(parsed) = parse_query(&query) else {
                break;
            };
            let expected = format!("sources: users\nread users: {}\n", vec!["x"; n].join("."));
            assert_eq!(lineage(&parsed).to_string(), expected);
            walked = n;
        }
        assert!(walked > 100, "patterns nest {walked} deep");
        assert!(deepest("(RETURN ", "u.a", ")").contains("read users: a"));
        assert!(deepest("[", "u.a", "]").contains("read users: a"));
        assert!(deepest("{a: ", "u.a", "}").contains("read users: a"));
        assert!(deepest("MERGE(", "u.a", ")").contains("read users: a"));
        assert!(deepest("NOT ", "u.a", "").contains("read users: a"));
        assert!(deepest("u.a ? ", "u.b", " : 1").contains("read users: a, b"));
        assert!(deepest("(FOR x IN [u] RETURN ", "x.a", ")").contains("read users: a"));
        assert!(deepest("u.l[* RETURN ", "CURRENT.a", "]").contains("read users: l[*].a"));
    }

    #[test]
    fn source_keys_are_classified() {
        assert_eq!(source_key("users"), SourceKey::Source("users"));
        assert_eq!(
            source_key("graph:g/vertices"),
            SourceKey::GraphVertices("g")
        );
        assert_eq!(source_key("graph:g/edges"), SourceKey::GraphEdges("g"));
        assert_eq!(
            source_key("edges:e/vertices"),
            SourceKey::TraversalVertices("e")
        );
    }
}
