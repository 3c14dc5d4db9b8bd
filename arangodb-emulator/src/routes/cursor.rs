//! `/_api/cursor`: a deliberately small AQL executor.
//!
//! A query is first parsed and checked as the server does before it runs
//! ([`super::query::check`]: syntax, the parse-time checks, bind parameters;
//! 3.11 words those errors `AQL: <message> (while parsing)`, 3.12 answers
//! the message alone). Only then does the executor below look at it.
//!
//! The emulator runs only the query shape clients of a state collection
//! need: `FOR v IN coll|@@c [FILTER v.a.b ==|!= value [AND ...]] [SORT v.a
//! [ASC|DESC], ...|SORT RAND()] [LIMIT [offset,] count] RETURN v|v.a|literal`.
//! An attribute name may be a bind parameter (`v.@attr`). For counting
//! (arangosync's plan risk), also: `RETURN LENGTH(coll|@@c)`, a FILTER
//! condition `!SCHEMA_VALIDATE(v, schema).valid` (JSON Schema draft-04 over
//! the document without its system attributes, as the collection schema
//! validates), and, after the FILTERs, `COLLECT WITH COUNT INTO n RETURN n`
//! or `COLLECT k = v.a|[v.a, v.b, ...] WITH COUNT INTO n [FILTER n > number]
//! RETURN n` (one row per group, a missing attribute grouping as `null`). Comparisons follow
//! AQL: a missing attribute is `null`, so `v.a == null` holds for documents
//! without `a` and `v.a != null` for those with a non-null `a`. Anything else
//! is answered with 501 "not implemented" rather than a wrong result. Results
//! come in batches of `batchSize` like the real cursor API.

use std::cmp::Ordering;

use aql_lexer::{Token, TokenKind};
use hyper::Method;
use rand::seq::SliceRandom;
use serde_json::{json, Map, Value};

use crate::error::ArangoError;
use crate::request::{ApiRequest, HandlerResult, Reply};
use crate::state::{OpenCursor, Server};

const DEFAULT_BATCH_SIZE: usize = 1000;

fn unsupported() -> ArangoError {
    ArangoError::new(
        501,
        9,
        "not implemented: the emulator executes only FOR ... IN ... [FILTER] [SORT] [LIMIT] RETURN queries",
    )
}

pub fn handle(server: &mut Server, req: &ApiRequest, rest: &[&str]) -> HandlerResult {
    match (&req.method, rest) {
        (&Method::POST, []) => create(server, req),
        (&Method::PUT, []) => Err(ArangoError::new(
            400,
            400,
            "expecting POST /_api/cursor/<cursor-id>",
        )),
        (&Method::PUT | &Method::POST, [id]) => {
            let open = server
                .cursors
                .remove(*id)
                .ok_or_else(|| ArangoError::new(404, 1600, "cursor not found"))?;
            Ok(Reply::envelope(
                200,
                next_batch(server, id.to_string(), open),
            ))
        }
        (&Method::DELETE, [id]) => {
            server
                .cursors
                .remove(*id)
                .ok_or_else(|| ArangoError::new(404, 1600, "cursor not found"))?;
            Ok(Reply::envelope(202, json!({ "id": id })))
        }
        _ => Err(ArangoError::method_not_allowed()),
    }
}

fn create(server: &mut Server, req: &ApiRequest) -> HandlerResult {
    // An absent body is a query that is empty, as on the real server.
    let body = if req.body.is_empty() {
        Map::new()
    } else {
        req.json_object("expecting JSON object body")?
    };
    let query = body
        .get("query")
        .and_then(Value::as_str)
        .filter(|query| !query.is_empty())
        .ok_or_else(|| ArangoError::new(400, 1502, "query is empty"))?;
    let bind_vars = body
        .get("bindVars")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    super::query::check(
        server,
        query,
        Some(&bind_vars),
        super::query::Endpoint::Cursor,
    )?;
    super::aqlfunction::check_user_function_calls(server, query)?;
    let batch_size = body
        .get("batchSize")
        .and_then(Value::as_u64)
        .map_or(DEFAULT_BATCH_SIZE, |size| size.max(1) as usize);
    let plan = parse(query, &bind_vars)?;
    for schema in &plan.invalid_for {
        crate::schema::check_rule(schema)?;
    }
    let database = server.database(&req.database)?;
    let collection = database.collection(&plan.collection).map_err(|err| {
        if err.error_num == 1203 {
            ArangoError::new(
                err.status,
                err.error_num,
                server
                    .profile
                    .aql_collection_not_found_message(&plan.collection),
            )
        } else {
            err
        }
    })?;
    // Without SORT the full scan stops once offset + limit documents matched.
    let wanted = match (plan.sort.is_empty(), plan.limit) {
        (true, Some(limit)) => plan.offset.saturating_add(limit),
        _ => usize::MAX,
    };
    let mut scanned = 0usize;
    let mut rows: Vec<&Value> = Vec::new();
    for document in collection.documents.values() {
        if rows.len() >= wanted {
            break;
        }
        scanned += 1;
        if plan.filters.iter().all(|filter| filter.holds(document))
            && plan
                .invalid_for
                .iter()
                .all(|schema| !crate::schema::accepts(schema, document))
        {
            rows.push(document);
        }
    }
    let filtered = scanned - rows.len();
    if plan.length_only || plan.collect.is_some() {
        let results = match &plan.collect {
            None => vec![Value::from(collection.documents.len())],
            Some(collect) => collect.counts(&rows),
        };
        let scanned = if plan.length_only { 0 } else { scanned };
        let extra = json!({"warnings": [], "stats": query_stats(server, scanned, filtered)});
        return Ok(Reply::envelope(201, one_batch(results, &body, extra)));
    }
    rows.sort_by(|a, b| {
        for (path, descending) in &plan.sort {
            let ordering = compare(lookup(a, path), lookup(b, path));
            let ordering = if *descending {
                ordering.reverse()
            } else {
                ordering
            };
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        Ordering::Equal
    });
    if plan.random {
        rows.shuffle(&mut rand::thread_rng());
    }
    let results: Vec<Value> = rows
        .into_iter()
        .skip(plan.offset)
        .take(plan.limit.unwrap_or(usize::MAX))
        .map(|document| match &plan.projection {
            Projection::Path(path) => lookup(document, path).cloned().unwrap_or(Value::Null),
            Projection::Literal(value) => value.clone(),
        })
        .collect();
    let count = (body.get("count").and_then(Value::as_bool) == Some(true)).then_some(results.len());
    let extra = json!({"warnings": [], "stats": query_stats(server, scanned, filtered)});
    let id = server.ids.next_id().to_string();
    let open = OpenCursor {
        rest: results,
        batch_size,
        count,
        extra,
        next_batch_id: 1,
    };
    Ok(Reply::envelope(201, next_batch(server, id, open)))
}

/// The whole answer of a query whose rows fit one batch.
fn one_batch(results: Vec<Value>, body: &Map<String, Value>, extra: Value) -> Value {
    let mut reply = json!({
        "result": results,
        "hasMore": false,
        "cached": false,
        "extra": extra,
    });
    if body.get("count").and_then(Value::as_bool) == Some(true) {
        reply["count"] = Value::from(reply["result"].as_array().map_or(0, Vec::len));
    }
    reply
}

/// The statistics of a read query that scanned `scanned` documents of a
/// collection and dropped `filtered` of them, with the attributes the
/// server's version reports.
fn query_stats(server: &Server, scanned: usize, filtered: usize) -> Value {
    let mut stats = Map::new();
    let detailed = server.profile.reports_lookup_statistics();
    let mut put = |key: &str, value: Value| {
        stats.insert(key.to_string(), value);
    };
    put("writesExecuted", json!(0));
    put("writesIgnored", json!(0));
    if detailed {
        put("documentLookups", json!(0));
        put("seeks", json!(0));
    }
    put("scannedFull", json!(scanned));
    put("scannedIndex", json!(0));
    if detailed {
        put("searchParallelism", json!(1));
    }
    for key in [
        "cursorsCreated",
        "cursorsRearmed",
        "cacheHits",
        "cacheMisses",
    ] {
        put(key, json!(0));
    }
    put("filtered", json!(filtered));
    put("httpRequests", json!(0));
    put("executionTime", json!(0.0));
    put("peakMemoryUsage", json!(0));
    put("intermediateCommits", json!(0));
    Value::Object(stats)
}

/// Hands out one batch; keeps the rest under the cursor id when there is
/// more. Batches after the first are numbered from 2 (`nextBatchId`).
fn next_batch(server: &mut Server, id: String, mut open: OpenCursor) -> Value {
    let rest = if open.rest.len() > open.batch_size {
        open.rest.split_off(open.batch_size)
    } else {
        Vec::new()
    };
    let has_more = !rest.is_empty();
    let mut reply = json!({
        "result": std::mem::take(&mut open.rest),
        "hasMore": has_more,
        "cached": false,
        "extra": open.extra.clone(),
    });
    if let Some(count) = open.count {
        reply["count"] = Value::from(count);
    }
    if has_more {
        open.next_batch_id += 1;
        reply["id"] = Value::from(id.clone());
        reply["nextBatchId"] = Value::from(open.next_batch_id.to_string());
        open.rest = rest;
        server.cursors.insert(id, open);
    }
    reply
}

/// One `v.path == value` or `v.path != value` condition of a FILTER.
#[derive(Debug, PartialEq)]
struct Filter {
    path: Vec<String>,
    value: Value,
    /// `!=` rather than `==`.
    negated: bool,
}

impl Filter {
    /// AQL's equality: a missing attribute compares as `null`.
    fn holds(&self, document: &Value) -> bool {
        let found = lookup(document, &self.path).unwrap_or(&Value::Null);
        (found == &self.value) != self.negated
    }
}

/// What a query returns per document.
#[derive(Debug, PartialEq)]
enum Projection {
    /// The document (empty path) or one of its attributes.
    Path(Vec<String>),
    /// A constant (`RETURN 1`), e.g. to count matching documents.
    Literal(Value),
}

/// `COLLECT [k = key] WITH COUNT INTO n [FILTER n > more_than] RETURN n`.
#[derive(Debug, PartialEq)]
struct Collect {
    /// The grouping key: one attribute path, or an array of them
    /// (`array`); `None`: one group of every row (AQL answers `[0]` for
    /// none).
    key: Option<(Vec<Vec<String>>, bool)>,
    /// Only groups of more rows than this.
    more_than: Option<f64>,
}

impl Collect {
    /// The row count of each group, in key order.
    fn counts(&self, rows: &[&Value]) -> Vec<Value> {
        let Some((paths, array)) = &self.key else {
            return vec![Value::from(rows.len())];
        };
        let mut groups: std::collections::BTreeMap<String, u64> = Default::default();
        for row in rows {
            let values: Vec<Value> = paths
                .iter()
                .map(|path| lookup(row, path).cloned().unwrap_or(Value::Null))
                .collect();
            let key = if *array {
                Value::Array(values)
            } else {
                values.into_iter().next().unwrap_or(Value::Null)
            };
            *groups.entry(key.to_string()).or_default() += 1;
        }
        groups
            .into_values()
            .filter(|count| self.more_than.is_none_or(|limit| *count as f64 > limit))
            .map(Value::from)
            .collect()
    }
}

#[derive(Debug)]
struct QueryPlan {
    collection: String,
    filters: Vec<Filter>,
    /// Schemas (`{rule, ...}`) a document must fail
    /// (`!SCHEMA_VALIDATE(v, schema).valid`) to be kept.
    invalid_for: Vec<Value>,
    /// `RETURN LENGTH(coll)`: the number of documents, nothing else.
    length_only: bool,
    collect: Option<Collect>,
    sort: Vec<(Vec<String>, bool)>,
    /// `SORT RAND()`: the rows in random order.
    random: bool,
    offset: usize,
    limit: Option<usize>,
    projection: Projection,
}

/// Reads the supported query shape from the query's tokens.
fn parse(query: &str, bind_vars: &Map<String, Value>) -> Result<QueryPlan, ArangoError> {
    let tokens =
        aql_lexer::tokenize(query).map_err(|err| ArangoError::new(400, 1501, err.message))?;
    let tokens: Vec<Token> = tokens
        .into_iter()
        .filter(|token| !token.is_trivia())
        .collect();
    let mut cursor = Tokens {
        tokens: &tokens,
        at: 0,
    };
    if cursor.peek_keyword("RETURN") {
        cursor.keyword("RETURN")?;
        cursor.keyword("LENGTH")?;
        cursor.operator("(")?;
        let collection = collection_name(cursor.next()?, bind_vars)?;
        cursor.operator(")")?;
        if cursor.at != tokens.len() {
            return Err(unsupported());
        }
        return Ok(QueryPlan {
            collection,
            filters: Vec::new(),
            invalid_for: Vec::new(),
            length_only: true,
            collect: None,
            sort: Vec::new(),
            random: false,
            offset: 0,
            limit: None,
            projection: Projection::Path(Vec::new()),
        });
    }
    cursor.keyword("FOR")?;
    let variable = cursor.name()?;
    cursor.keyword("IN")?;
    let collection = collection_name(cursor.next()?, bind_vars)?;
    let mut plan = QueryPlan {
        collection,
        filters: Vec::new(),
        invalid_for: Vec::new(),
        length_only: false,
        collect: None,
        sort: Vec::new(),
        random: false,
        offset: 0,
        limit: None,
        projection: Projection::Path(Vec::new()),
    };
    while cursor.peek_keyword("FILTER") {
        cursor.keyword("FILTER")?;
        loop {
            if cursor.peek_punctuation("!") || cursor.peek_keyword("NOT") {
                cursor.next()?;
                cursor.keyword("SCHEMA_VALIDATE")?;
                cursor.operator("(")?;
                if cursor.name()? != variable {
                    return Err(unsupported());
                }
                cursor.operator(",")?;
                let schema = cursor.value(bind_vars)?;
                cursor.operator(")")?;
                cursor.operator(".")?;
                if cursor.name()? != "valid" {
                    return Err(unsupported());
                }
                plan.invalid_for.push(schema);
            } else {
                let path = cursor.attribute_path(&variable, bind_vars)?;
                let negated = match cursor.next()?.text {
                    "==" => false,
                    "!=" => true,
                    _ => return Err(unsupported()),
                };
                let value = cursor.value(bind_vars)?;
                plan.filters.push(Filter {
                    path,
                    value,
                    negated,
                });
            }
            if !cursor.peek_keyword("AND") {
                break;
            }
            cursor.keyword("AND")?;
        }
    }
    if cursor.peek_keyword("COLLECT") {
        cursor.keyword("COLLECT")?;
        let key = if cursor.peek_keyword("WITH") {
            None
        } else {
            cursor.name()?;
            cursor.operator("=")?;
            if cursor.peek_punctuation("[") {
                cursor.next()?;
                let mut paths = vec![cursor.attribute_path(&variable, bind_vars)?];
                while cursor.peek_punctuation(",") {
                    cursor.next()?;
                    paths.push(cursor.attribute_path(&variable, bind_vars)?);
                }
                cursor.operator("]")?;
                Some((paths, true))
            } else {
                Some((vec![cursor.attribute_path(&variable, bind_vars)?], false))
            }
        };
        cursor.keyword("WITH")?;
        cursor.keyword("COUNT")?;
        cursor.keyword("INTO")?;
        let count = cursor.name()?;
        let mut more_than = None;
        if key.is_some() && cursor.peek_keyword("FILTER") {
            cursor.keyword("FILTER")?;
            if cursor.name()? != count {
                return Err(unsupported());
            }
            cursor.operator(">")?;
            more_than = Some(cursor.value(bind_vars)?.as_f64().ok_or_else(unsupported)?);
        }
        cursor.keyword("RETURN")?;
        if cursor.name()? != count || cursor.at != tokens.len() {
            return Err(unsupported());
        }
        plan.collect = Some(Collect { key, more_than });
        return Ok(plan);
    }
    plan_rest(cursor, plan, &variable, bind_vars, tokens.len())
}

/// A collection as a FOR source or LENGTH argument: a name or `@@c`.
fn collection_name(source: Token, bind_vars: &Map<String, Value>) -> Result<String, ArangoError> {
    Ok(match source.kind {
        TokenKind::Identifier | TokenKind::QuotedName => source.value().into_owned(),
        TokenKind::CollectionBindParameter => {
            let key = format!("@{}", source.value());
            bind_vars
                .get(&key)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| {
                    ArangoError::new(
                        400,
                        1552,
                        format!("bind parameter '{key}' was not declared in the query"),
                    )
                })?
        }
        _ => return Err(unsupported()),
    })
}

/// SORT, LIMIT and RETURN of a row query.
fn plan_rest(
    mut cursor: Tokens,
    mut plan: QueryPlan,
    variable: &str,
    bind_vars: &Map<String, Value>,
    length: usize,
) -> Result<QueryPlan, ArangoError> {
    let variable = variable.to_string();
    if cursor.peek_keyword("SORT") {
        cursor.keyword("SORT")?;
        if cursor.peek_keyword("RAND") {
            cursor.keyword("RAND")?;
            cursor.operator("(")?;
            cursor.operator(")")?;
            plan.random = true;
        } else {
            loop {
                let path = cursor.attribute_path(&variable, bind_vars)?;
                let descending = if cursor.peek_keyword("DESC") {
                    cursor.keyword("DESC")?;
                    true
                } else {
                    if cursor.peek_keyword("ASC") {
                        cursor.keyword("ASC")?;
                    }
                    false
                };
                plan.sort.push((path, descending));
                if !cursor.peek_punctuation(",") {
                    break;
                }
                cursor.next()?;
            }
        }
    }
    if cursor.peek_keyword("LIMIT") {
        cursor.keyword("LIMIT")?;
        let first = cursor.number(bind_vars)?;
        if cursor.peek_punctuation(",") {
            cursor.next()?;
            plan.offset = first;
            plan.limit = Some(cursor.number(bind_vars)?);
        } else {
            plan.limit = Some(first);
        }
    }
    cursor.keyword("RETURN")?;
    plan.projection = if cursor.peek_name(&variable) {
        Projection::Path(cursor.attribute_path(&variable, bind_vars)?)
    } else {
        Projection::Literal(cursor.value(bind_vars)?)
    };
    if cursor.at != length {
        return Err(unsupported());
    }
    Ok(plan)
}

struct Tokens<'t, 'q> {
    tokens: &'t [Token<'q>],
    at: usize,
}

impl<'q> Tokens<'_, 'q> {
    fn next(&mut self) -> Result<Token<'q>, ArangoError> {
        let token = self.tokens.get(self.at).copied().ok_or_else(unsupported)?;
        self.at += 1;
        Ok(token)
    }

    fn peek_keyword(&self, keyword: &str) -> bool {
        self.tokens
            .get(self.at)
            .is_some_and(|token| token.text.eq_ignore_ascii_case(keyword))
    }

    /// Whether the next token is the name `name` (the loop variable).
    fn peek_name(&self, name: &str) -> bool {
        self.tokens
            .get(self.at)
            .is_some_and(|token| token.is_name() && token.value() == name)
    }

    fn peek_punctuation(&self, text: &str) -> bool {
        self.tokens
            .get(self.at)
            .is_some_and(|token| token.text == text)
    }

    fn keyword(&mut self, keyword: &str) -> Result<(), ArangoError> {
        if self.next()?.text.eq_ignore_ascii_case(keyword) {
            Ok(())
        } else {
            Err(unsupported())
        }
    }

    fn operator(&mut self, operator: &str) -> Result<(), ArangoError> {
        if self.next()?.text == operator {
            Ok(())
        } else {
            Err(unsupported())
        }
    }

    fn name(&mut self) -> Result<String, ArangoError> {
        let token = self.next()?;
        if token.is_name() {
            Ok(token.value().into_owned())
        } else {
            Err(unsupported())
        }
    }

    /// A count: a number literal or a bind parameter holding one.
    fn number(&mut self, bind_vars: &Map<String, Value>) -> Result<usize, ArangoError> {
        let token = self.next()?;
        if token.kind == TokenKind::BindParameter {
            let name = token.value().into_owned();
            let value = bind_vars.get(&name).ok_or_else(|| undeclared(&name))?;
            return value
                .as_u64()
                .and_then(|number| usize::try_from(number).ok())
                .ok_or_else(unsupported);
        }
        token.text.parse().map_err(|_| unsupported())
    }

    /// `v` or `v.a.b`, relative to the loop variable; a name may be a
    /// bind parameter holding a string (`v.@attr`).
    fn attribute_path(
        &mut self,
        variable: &str,
        bind_vars: &Map<String, Value>,
    ) -> Result<Vec<String>, ArangoError> {
        if self.name()? != variable {
            return Err(unsupported());
        }
        let mut path = Vec::new();
        while self.peek_punctuation(".") {
            self.next()?;
            let is_parameter = self
                .tokens
                .get(self.at)
                .is_some_and(|token| token.kind == TokenKind::BindParameter);
            if is_parameter {
                let name = self.next()?.value().into_owned();
                let attribute = bind_vars.get(&name).ok_or_else(|| undeclared(&name))?;
                path.push(attribute.as_str().ok_or_else(unsupported)?.to_string());
            } else {
                path.push(self.name()?);
            }
        }
        Ok(path)
    }

    fn value(&mut self, bind_vars: &Map<String, Value>) -> Result<Value, ArangoError> {
        let token = self.next()?;
        match token.kind {
            TokenKind::String => Ok(Value::from(token.value().into_owned())),
            TokenKind::Number => serde_json::from_str(token.text).map_err(|_| unsupported()),
            TokenKind::BindParameter => {
                let name = token.value().into_owned();
                bind_vars
                    .get(&name)
                    .cloned()
                    .ok_or_else(|| undeclared(&name))
            }
            TokenKind::Keyword if token.is_keyword("true") => Ok(Value::Bool(true)),
            TokenKind::Keyword if token.is_keyword("false") => Ok(Value::Bool(false)),
            TokenKind::Keyword if token.is_keyword("null") => Ok(Value::Null),
            _ => Err(unsupported()),
        }
    }
}

/// A bind parameter the query uses but the request does not declare.
fn undeclared(name: &str) -> ArangoError {
    ArangoError::new(
        400,
        1552,
        format!("bind parameter '{name}' was not declared in the query"),
    )
}

fn lookup<'v>(document: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter()
        .try_fold(document, |value, attribute| value.get(attribute))
}

/// AQL's ordering for the values this executor compares: null < bool <
/// number < string; missing attributes sort as null.
fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    fn rank(value: Option<&Value>) -> u8 {
        match value {
            None | Some(Value::Null) => 0,
            Some(Value::Bool(_)) => 1,
            Some(Value::Number(_)) => 2,
            Some(Value::String(_)) => 3,
            Some(Value::Array(_)) => 4,
            Some(Value::Object(_)) => 5,
        }
    }
    match (a, b) {
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_supported_shape() {
        let bind_vars = json!({"@c": "state", "kind": "owned"});
        let plan = parse(
            "FOR d IN @@c FILTER d.kind == @kind AND d.meta.v == 2 SORT d.name DESC, d.x LIMIT 5, 10 RETURN d.name",
            bind_vars.as_object().unwrap(),
        )
        .unwrap();
        assert_eq!(plan.collection, "state");
        assert_eq!(
            plan.filters,
            vec![
                Filter {
                    path: vec!["kind".to_string()],
                    value: json!("owned"),
                    negated: false
                },
                Filter {
                    path: vec!["meta".into(), "v".into()],
                    value: json!(2),
                    negated: false
                }
            ]
        );
        assert_eq!(
            plan.sort,
            vec![
                (vec!["name".to_string()], true),
                (vec!["x".to_string()], false)
            ]
        );
        assert_eq!((plan.offset, plan.limit), (5, Some(10)));
        assert_eq!(plan.projection, Projection::Path(vec!["name".to_string()]));
    }

    #[test]
    fn other_queries_are_not_implemented() {
        let none = Map::new();
        for query in [
            "RETURN 1",
            "FOR d IN c FILTER d.a > 1 RETURN d",
            "FOR d IN c FILTER d.a != null OR d.b == 1 RETURN d",
            "FOR d IN c FILTER d.a != null RETURN d.a + 1",
            "FOR d IN c RETURN e",
            "FOR d IN c RETURN {a: d.a}",
            "FOR d IN c INSERT d INTO e",
        ] {
            assert_eq!(parse(query, &none).unwrap_err().error_num, 9, "{query}");
        }
    }

    #[test]
    fn sort_rand_is_the_random_order_and_nothing_else() {
        // python-arango's Collection.random() sends exactly this query.
        let bind_vars = json!({"@collection": "things"});
        let plan = parse(
            "FOR doc IN @@collection SORT RAND() LIMIT 1 RETURN doc",
            bind_vars.as_object().unwrap(),
        )
        .unwrap();
        assert!(plan.random);
        assert!(plan.sort.is_empty());
        assert_eq!((plan.collection.as_str(), plan.limit), ("things", Some(1)));
        let none = Map::new();
        for query in [
            "FOR d IN c SORT RAND(1) RETURN d",
            "FOR d IN c SORT RAND() DESC RETURN d",
            "FOR d IN c SORT RAND(), d.a RETURN d",
        ] {
            assert_eq!(parse(query, &none).unwrap_err().error_num, 9, "{query}");
        }
    }

    #[test]
    fn counting_documents_with_an_attribute_by_bind_parameter() {
        // arangosync's count of the documents that carry a vector.
        let bind_vars = json!({"@c": "items", "a0": "meta", "a1": "embedding", "n": 3});
        let plan = parse(
            "FOR d IN @@c FILTER d.@a0.@a1 != null LIMIT @n RETURN 1",
            bind_vars.as_object().unwrap(),
        )
        .unwrap();
        assert_eq!(
            plan.filters,
            [Filter {
                path: vec!["meta".into(), "embedding".into()],
                value: Value::Null,
                negated: true
            }]
        );
        assert_eq!(plan.projection, Projection::Literal(json!(1)));
        assert_eq!(plan.limit, Some(3));
        let undeclared = parse(
            "FOR d IN @@c FILTER d.@other != null RETURN 1",
            bind_vars.as_object().unwrap(),
        );
        assert_eq!(undeclared.unwrap_err().error_num, 1552);
        let not_a_name = parse(
            "FOR d IN @@c FILTER d.@n != null RETURN 1",
            bind_vars.as_object().unwrap(),
        );
        assert_eq!(not_a_name.unwrap_err().error_num, 9);
    }

    #[test]
    fn a_missing_attribute_compares_as_null() {
        let filter = |value: Value, negated| Filter {
            path: vec!["a".into(), "b".into()],
            value,
            negated,
        };
        let missing = json!({"x": 1});
        let null = json!({"a": {"b": null}});
        let not_an_object = json!({"a": [1]});
        let vector = json!({"a": {"b": [1, 0]}});
        let zero = json!({"a": {"b": 0}});
        for document in [&missing, &null, &not_an_object] {
            assert!(filter(Value::Null, false).holds(document), "{document}");
            assert!(!filter(Value::Null, true).holds(document), "{document}");
        }
        for document in [&vector, &zero] {
            assert!(!filter(Value::Null, false).holds(document), "{document}");
            assert!(filter(Value::Null, true).holds(document), "{document}");
        }
        assert!(filter(json!(0), false).holds(&zero));
        assert!(!filter(json!(0), true).holds(&zero));
        // `!= 0` holds where the attribute is missing (null != 0).
        assert!(filter(json!(0), true).holds(&missing));
    }

    #[test]
    fn counting_shapes_of_the_plan_risk() {
        let bind_vars =
            json!({"@c": "users", "a0": "email", "b0": "org", "s": {"rule": {"type": "object"}}});
        let bind_vars = bind_vars.as_object().unwrap();
        let length = parse("RETURN LENGTH(@@c)", bind_vars).unwrap();
        assert!(length.length_only);
        assert_eq!(length.collection, "users");
        let grouped = parse(
            "FOR d IN @@c FILTER d.@a0 != null COLLECT k = [d.@a0, d.@b0] WITH COUNT INTO n FILTER n > 1 RETURN n",
            bind_vars,
        )
        .unwrap();
        assert_eq!(
            grouped.collect,
            Some(Collect {
                key: Some((vec![vec!["email".into()], vec!["org".into()]], true)),
                more_than: Some(1.0),
            })
        );
        let docs = [
            json!({"email": "a", "org": 1}),
            json!({"email": "a", "org": 1}),
            json!({"email": "a", "org": 2}),
            json!({"email": "a"}),
            json!({"email": "a", "org": null}),
        ];
        let rows: Vec<&Value> = docs.iter().collect();
        // A missing attribute groups with null.
        assert_eq!(
            grouped.collect.as_ref().unwrap().counts(&rows),
            vec![json!(2), json!(2)]
        );
        let invalid = parse(
            "FOR d IN @@c FILTER !SCHEMA_VALIDATE(d, @s).valid COLLECT WITH COUNT INTO n RETURN n",
            bind_vars,
        )
        .unwrap();
        assert_eq!(
            invalid.invalid_for,
            vec![json!({"rule": {"type": "object"}})]
        );
        assert_eq!(
            invalid.collect.as_ref().unwrap().counts(&[]),
            vec![json!(0)],
            "COLLECT WITH COUNT over nothing is one row of 0"
        );
        for query in [
            "RETURN LENGTH(@@c) + 1",
            "FOR d IN @@c COLLECT WITH COUNT INTO n RETURN 1",
            "FOR d IN @@c COLLECT k = d.a WITH COUNT INTO n FILTER n >= 1 RETURN n",
            "FOR d IN @@c FILTER !SCHEMA_VALIDATE(d, @s) COLLECT WITH COUNT INTO n RETURN n",
        ] {
            assert_eq!(parse(query, bind_vars).unwrap_err().error_num, 9, "{query}");
        }
    }
}
