//! Collections a query names literally, found with token-level heuristics.
//!
//! There is no full parser here, so the rules only recognise the positions
//! where the AQL grammar itself demands a collection name, plus the common
//! `FOR x IN coll` form. They are deliberately conservative: missing an exotic
//! case is better than reporting a variable as a collection.
//!
//! A name (identifier or quoted name) is a collection when it is
//! 1. listed after a leading `WITH` (`WITH a, b FOR ...`);
//! 2. the whole source of a plain `FOR vars IN name`, i.e. followed by the end
//!    of the query, a `)`, the start of another operation, or `OPTIONS`, and
//!    not a variable declared earlier (by `FOR`, `name = ...` in
//!    `LET`/`COLLECT`/`AGGREGATE`/`INTO`/`PRUNE`, a destructuring pattern
//!    such as `LET [a, b] = ...` or `FOR { a } IN ...`, or
//!    `COLLECT ... INTO name`) nor one of `CURRENT`/`NEW`/`OLD`. Scopes are
//!    ignored: a variable declared anywhere earlier counts. A name followed by `SEARCH` is a View
//!    and is skipped. Anything followed by `.`, `[`, `(` or an operator is an
//!    expression and is skipped;
//! 3. an edge collection of a traversal or path search
//!    (`IN 1..3 OUTBOUND start edges1, INBOUND edges2`,
//!    `IN OUTBOUND SHORTEST_PATH a TO b edges`); after `GRAPH` comes a graph
//!    name, which is not a collection;
//! 4. the target after `IN`/`INTO` of `INSERT`, `UPDATE`, `REPLACE`, `REMOVE`
//!    and `UPSERT` (the grammar also accepts a quoted string there).
//!
//! `@@name` parameters are never literal collections. Names used elsewhere,
//! e.g. as function arguments (`DOCUMENT(users, ...)`), are not reported.
//! The result is in order of first appearance, without duplicates.

use crate::lexer::{
    closing_bracket, opening_bracket, significant, tokenize, LexError, Token, TokenKind,
    SPECIAL_VARIABLES,
};

/// The collections that `query` names literally, in order of first
/// appearance and without duplicates.
///
/// Found heuristically and conservatively: names after a leading `WITH`,
/// the name in `FOR x IN name` when it is the whole source and not a
/// variable (a name followed by `SEARCH` is a View and skipped), edge
/// collections of traversals and path searches (not `GRAPH` names), and the
/// `IN`/`INTO` target of `INSERT`/`UPDATE`/`REPLACE`/`REMOVE`/`UPSERT`.
/// `@@name` parameters and names used inside expressions are not reported.
pub fn referenced_collections(query: &str) -> Result<Vec<String>, LexError> {
    Ok(from_tokens(&tokenize(query)?))
}

/// Keywords that begin an operation; a collection name or expression ends
/// before them.
const OPERATION_KEYWORDS: &[&str] = &[
    "FOR", "LET", "FILTER", "RETURN", "COLLECT", "SORT", "LIMIT", "WINDOW", "INSERT", "UPDATE",
    "REPLACE", "REMOVE", "UPSERT",
];

pub(crate) fn is_operation_keyword(token: &Token<'_>) -> bool {
    OPERATION_KEYWORDS.iter().any(|k| token.is_keyword(k))
}

const PATH_KEYWORDS: &[&str] = &[
    "SHORTEST_PATH",
    "K_SHORTEST_PATHS",
    "K_PATHS",
    "ALL_SHORTEST_PATHS",
];

pub(crate) fn from_tokens(tokens: &[Token<'_>]) -> Vec<String> {
    let scan = Scan::new(significant(tokens));
    let mut found = Found::default();
    let mut declared: Vec<String> = Vec::new();

    if scan.keyword(0, "WITH") {
        scan.with_list(&mut found);
    }
    for i in 0..scan.toks.len() {
        // Declarations first, so that `FOR x IN x` counts `x` as a variable.
        if scan.is_text(i + 1, "=") {
            if scan.is_name(i) {
                declared.push(scan.toks[i].value().into_owned());
            } else if let Some(open) = opening_bracket(&scan.toks, i) {
                scan.declare_pattern(open, i, &mut declared);
            }
        }
        if scan.keyword(i, "INTO") && scan.enclosing_operation(i) == Some("COLLECT") {
            if scan.is_name(i + 1) {
                declared.push(scan.toks[i + 1].value().into_owned());
            }
        } else if scan.keyword(i, "FOR") {
            scan.for_loop(i, &mut declared, &mut found);
        } else if ["INSERT", "UPDATE", "REPLACE", "REMOVE"]
            .iter()
            .any(|k| scan.keyword(i, k))
        {
            // UPSERT needs no rule of its own: its collection follows the
            // UPDATE or REPLACE part.
            scan.modification_target(i, &mut found);
        }
    }
    found.into_names()
}

/// Collection names with the byte offset where they appear.
#[derive(Default)]
struct Found(Vec<(usize, String)>);

impl Found {
    fn add(&mut self, token: &Token<'_>) {
        self.0
            .push((token.span.start.offset, token.value().into_owned()));
    }

    fn into_names(mut self) -> Vec<String> {
        self.0.sort_by_key(|(offset, _)| *offset);
        let mut names: Vec<String> = Vec::new();
        for (_, name) in self.0 {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }
}

/// The significant tokens with the bracket depth of each. An opening and its
/// closing bracket share the depth of the surrounding tokens.
struct Scan<'a> {
    toks: Vec<Token<'a>>,
    depth: Vec<usize>,
}

impl<'a> Scan<'a> {
    fn new(toks: Vec<Token<'a>>) -> Self {
        let mut depth = Vec::with_capacity(toks.len());
        let mut current = 0usize;
        for t in &toks {
            let is_punct = t.kind == TokenKind::Punctuation;
            if is_punct && matches!(t.text, ")" | "]" | "}") {
                current = current.saturating_sub(1);
            }
            depth.push(current);
            if is_punct && matches!(t.text, "(" | "[" | "{") {
                current += 1;
            }
        }
        Scan { toks, depth }
    }

    fn keyword(&self, i: usize, word: &str) -> bool {
        self.toks.get(i).is_some_and(|t| t.is_keyword(word))
    }

    fn context_keyword(&self, i: usize, word: &str) -> bool {
        self.toks.get(i).is_some_and(|t| t.is_context_keyword(word))
    }

    fn is_name(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(Token::is_name)
    }

    fn is_text(&self, i: usize, text: &str) -> bool {
        self.toks.get(i).is_some_and(|t| {
            matches!(t.kind, TokenKind::Operator | TokenKind::Punctuation) && t.text == text
        })
    }

    fn is_bind_parameter(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| {
            matches!(
                t.kind,
                TokenKind::BindParameter | TokenKind::CollectionBindParameter
            )
        })
    }

    fn is_operation(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(is_operation_keyword)
    }

    /// `OUTBOUND`, `INBOUND`, or `ANY` used as a direction rather than as the
    /// array quantifier of `ANY == x`, `ANY IN x`, `[? ANY FILTER ...]`.
    fn is_direction(&self, i: usize) -> bool {
        if self.keyword(i, "OUTBOUND") || self.keyword(i, "INBOUND") {
            return true;
        }
        if !self.keyword(i, "ANY") {
            return false;
        }
        let quantifier = ["==", "!=", "<", "<=", ">", ">="]
            .iter()
            .any(|op| self.is_text(i + 1, op))
            || ["IN", "NOT", "FILTER"]
                .iter()
                .any(|k| self.keyword(i + 1, k));
        !quantifier
    }

    /// Tokens that end an operand, so that a name right after them cannot
    /// continue the same expression.
    fn ends_operand(&self, i: usize) -> bool {
        let Some(t) = self.toks.get(i) else {
            return false;
        };
        match t.kind {
            TokenKind::Identifier
            | TokenKind::QuotedName
            | TokenKind::String
            | TokenKind::Number
            | TokenKind::BindParameter
            | TokenKind::CollectionBindParameter => true,
            TokenKind::Punctuation => matches!(t.text, ")" | "]" | "}"),
            TokenKind::Keyword => ["NULL", "TRUE", "FALSE"].iter().any(|k| t.is_keyword(k)),
            _ => false,
        }
    }

    /// The operation keyword that the token at `i` belongs to: the nearest
    /// one before it at the same bracket depth.
    fn enclosing_operation(&self, i: usize) -> Option<&'static str> {
        let d = self.depth[i];
        for j in (0..i).rev() {
            if self.depth[j] < d {
                return None;
            }
            if self.depth[j] == d {
                if let Some(k) = OPERATION_KEYWORDS
                    .iter()
                    .find(|k| self.toks[j].is_keyword(k))
                {
                    return Some(k);
                }
            }
        }
        None
    }

    /// Rule 1: `WITH a, b` (commas are optional in the grammar).
    fn with_list(&self, found: &mut Found) {
        let mut i = 1;
        while let Some(t) = self.toks.get(i) {
            if t.is_name() {
                found.add(t);
            } else if !(self.is_text(i, ",") || self.is_bind_parameter(i)) {
                break;
            }
            i += 1;
        }
    }

    /// Declares every name in the destructuring pattern `open..=close`
    /// (`[a, b]`, `{ a, b: c }`). Attribute names are declared too, which
    /// only makes the collection rules more cautious.
    fn declare_pattern(&self, open: usize, close: usize, declared: &mut Vec<String>) {
        for t in self.toks.get(open..=close).unwrap_or_default() {
            if t.is_name() {
                declared.push(t.value().into_owned());
            }
        }
    }

    /// `FOR a, b IN source` or `FOR <pattern> IN source`: declares the
    /// variables, then applies rule 2 or 3.
    fn for_loop(&self, for_index: usize, declared: &mut Vec<String>, found: &mut Found) {
        let mut i = for_index + 1;
        if let Some(close) = closing_bracket(&self.toks, i) {
            self.declare_pattern(i, close, declared);
            i = close + 1;
        }
        while self.is_name(i) {
            declared.push(self.toks[i].value().into_owned());
            if self.is_text(i + 1, ",") {
                i += 2;
            } else {
                i += 1;
                break;
            }
        }
        if !self.keyword(i, "IN") {
            return;
        }
        let start = i + 1;
        let d = self.depth[i];
        // A traversal has a direction keyword before the next operation
        // (after an optional depth such as `1..3`).
        let mut j = start;
        while j < self.toks.len() && self.depth[j] >= d {
            if self.depth[j] == d {
                if self.is_direction(j) {
                    self.graph_source(j, d, found);
                    return;
                }
                let ends_source = self.is_operation(j)
                    || ["SEARCH", "OPTIONS", "PRUNE"]
                        .iter()
                        .any(|k| self.context_keyword(j, k));
                if j > start && ends_source {
                    break;
                }
            }
            j += 1;
        }
        self.plain_source(start, declared, found);
    }

    /// Rule 2: `FOR x IN name` where the name is the whole source.
    fn plain_source(&self, i: usize, declared: &[String], found: &mut Found) {
        if !self.is_name(i) {
            return;
        }
        let token = &self.toks[i];
        let name = token.value();
        if declared.iter().any(|v| *v == name) || SPECIAL_VARIABLES.contains(&name.as_ref()) {
            return;
        }
        let whole_source = i + 1 == self.toks.len()
            || self.is_text(i + 1, ")")
            || self.is_operation(i + 1)
            || self.context_keyword(i + 1, "OPTIONS");
        if whole_source {
            found.add(token);
        }
    }

    /// Rule 3: after the direction keyword at `dir`, skip the start vertex
    /// expression (for path searches: `start TO target`), then read the edge
    /// collection list. The start expression ends where a name follows a
    /// token that ends an operand, as nothing else can join two operands.
    fn graph_source(&self, dir: usize, d: usize, found: &mut Found) {
        let mut first = dir + 1;
        if PATH_KEYWORDS.iter().any(|k| self.keyword(first, k)) {
            let mut j = first + 1;
            loop {
                if j >= self.toks.len() || self.depth[j] < d || self.is_operation(j) {
                    return;
                }
                if self.depth[j] == d && self.context_keyword(j, "TO") {
                    break;
                }
                j += 1;
            }
            first = j + 1;
        }
        let mut p = first + 1;
        while p < self.toks.len() && self.depth[p] >= d {
            if self.depth[p] == d {
                if self.keyword(p, "GRAPH") || self.is_operation(p) {
                    return;
                }
                let starts_subject =
                    self.is_direction(p) || self.is_name(p) || self.is_bind_parameter(p);
                if starts_subject && self.ends_operand(p - 1) {
                    self.edge_collections(p, d, found);
                    return;
                }
            }
            p += 1;
        }
    }

    /// `[direction] name, [direction] name, ...`
    fn edge_collections(&self, mut i: usize, d: usize, found: &mut Found) {
        loop {
            if self.is_direction(i) {
                i += 1;
            }
            if self.is_name(i) {
                found.add(&self.toks[i]);
            } else if !self.is_bind_parameter(i) {
                return;
            }
            if self.is_text(i + 1, ",") && self.depth[i + 1] == d {
                i += 2;
            } else {
                return;
            }
        }
    }

    /// Rule 4: the first `IN`/`INTO` at the same depth after a modification
    /// keyword, before the next operation, introduces the collection.
    fn modification_target(&self, op: usize, found: &mut Found) {
        let d = self.depth[op];
        let mut j = op + 1;
        while j < self.toks.len() && self.depth[j] >= d {
            if self.depth[j] == d {
                if self.keyword(j, "IN") || self.keyword(j, "INTO") {
                    let target = j + 1;
                    let is_target = self.is_name(target)
                        || self
                            .toks
                            .get(target)
                            .is_some_and(|t| t.kind == TokenKind::String);
                    let continues = [".", "[", "(", "::"]
                        .iter()
                        .any(|s| self.is_text(target + 1, s));
                    if is_target && !continues {
                        found.add(&self.toks[target]);
                    }
                    return;
                }
                if self.is_operation(j) {
                    return;
                }
            }
            j += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collections(query: &str) -> Vec<String> {
        referenced_collections(query).unwrap()
    }

    #[test]
    fn simple_for() {
        assert_eq!(collections("FOR u IN users RETURN u"), vec!["users"]);
        assert_eq!(collections("for u in users return u"), vec!["users"]);
        assert_eq!(collections("FOR u IN `my-coll` RETURN u"), vec!["my-coll"]);
        assert_eq!(collections("FOR u IN ´filter´ RETURN u"), vec!["filter"]);
    }

    #[test]
    fn for_over_a_variable_is_not_a_collection() {
        assert!(collections("LET users = [] FOR u IN users RETURN u").is_empty());
        assert!(collections("FOR x IN [1, 2] FOR y IN x RETURN y").is_empty());
        assert!(collections("FOR u IN users FOR f IN u.friends RETURN f")
            .iter()
            .eq(["users"]));
        assert!(
            collections("FOR u IN users COLLECT c = u.city INTO g FOR m IN g RETURN m")
                .iter()
                .eq(["users"])
        );
        assert!(collections("FOR x IN NEW RETURN x").is_empty());
    }

    #[test]
    fn for_over_an_expression_is_not_a_collection() {
        assert!(collections("FOR x IN 1..10 RETURN x").is_empty());
        assert!(collections("FOR x IN ATTRIBUTES(doc) RETURN x").is_empty());
        assert!(collections("FOR x IN a + b RETURN x").is_empty());
        assert!(collections("FOR x IN obj[*].list RETURN x").is_empty());
        assert!(collections("FOR x IN ns::func() RETURN x").is_empty());
        assert!(collections("FOR x IN @@coll RETURN x").is_empty());
    }

    #[test]
    fn views_are_not_collections() {
        assert!(collections("FOR d IN myView SEARCH d.x == 1 RETURN d").is_empty());
    }

    #[test]
    fn for_with_options_and_subqueries() {
        assert_eq!(
            collections("FOR d IN coll OPTIONS { indexHint: 'x' } RETURN d"),
            vec!["coll"]
        );
        assert_eq!(
            collections("LET n = LENGTH(FOR d IN inner RETURN 1) RETURN (FOR e IN other)"),
            vec!["inner", "other"]
        );
    }

    #[test]
    fn traversals() {
        assert_eq!(
            collections("FOR v, e, p IN 1..3 OUTBOUND 'a/1' coll1, INBOUND coll2 RETURN v"),
            vec!["coll1", "coll2"]
        );
        assert_eq!(
            collections("FOR v IN ANY start._id knows FILTER v.x RETURN v"),
            vec!["knows"]
        );
        assert_eq!(
            collections("FOR v IN OUTBOUND DOCUMENT('a/1') INBOUND `e-1`, @@more, e2 RETURN v"),
            vec!["e-1", "e2"]
        );
        assert_eq!(
            collections("FOR v IN @min..@max OUTBOUND @start edges PRUNE v.x == 1 RETURN v"),
            vec!["edges"]
        );
        assert_eq!(
            collections("FOR u IN users FOR v IN 1 OUTBOUND u follows RETURN v"),
            vec!["users", "follows"]
        );
    }

    #[test]
    fn named_graphs_are_not_collections() {
        assert!(collections("FOR v IN 1..2 ANY 'a/1' GRAPH 'social' RETURN v").is_empty());
        assert!(collections("FOR v IN OUTBOUND 'a/1' GRAPH social RETURN v").is_empty());
    }

    #[test]
    fn path_searches() {
        assert_eq!(
            collections("FOR v IN OUTBOUND SHORTEST_PATH 'a/1' TO 'a/9' edges RETURN v"),
            vec!["edges"]
        );
        assert_eq!(
            collections("FOR p IN 2..4 ANY K_PATHS @s TO @t ANY roads, OUTBOUND rails RETURN p"),
            vec!["roads", "rails"]
        );
        assert!(
            collections("FOR p IN ANY K_SHORTEST_PATHS 'a' TO 'b' GRAPH 'g' RETURN p").is_empty()
        );
    }

    #[test]
    fn quantifier_any_is_not_a_traversal() {
        assert!(collections("FOR x IN [1] FILTER [1, 2] ANY == x RETURN x").is_empty());
        assert_eq!(
            collections("FOR x IN coll FILTER x.tags ANY IN ['a'] RETURN x"),
            vec!["coll"]
        );
    }

    #[test]
    fn modifications() {
        assert_eq!(collections("INSERT { a: 1 } INTO things"), vec!["things"]);
        assert_eq!(collections("insert {} in `x-y` return NEW"), vec!["x-y"]);
        assert_eq!(
            collections("FOR u IN users UPDATE u WITH { a: 1 } IN backup"),
            vec!["users", "backup"]
        );
        assert_eq!(
            collections("FOR k IN ['a'] REMOVE k IN users OPTIONS { ignoreErrors: true }"),
            vec!["users"]
        );
        assert_eq!(
            collections("REPLACE { _key: 'a' } WITH { b: 1 } IN coll"),
            vec!["coll"]
        );
        assert_eq!(
            collections("UPSERT { a: 1 } INSERT { a: 1 } UPDATE { b: 2 } IN counters"),
            vec!["counters"]
        );
        assert_eq!(
            collections("UPSERT { a: 1 } INSERT { a: 1 } REPLACE { b: 2 } INTO c2"),
            vec!["c2"]
        );
        assert_eq!(collections("INSERT {} INTO 'quoted'"), vec!["quoted"]);
        assert!(collections("INSERT {} INTO @@target").is_empty());
    }

    #[test]
    fn modification_inside_subquery() {
        assert_eq!(
            collections("LET r = (INSERT {} INTO log RETURN NEW) RETURN r"),
            vec!["log"]
        );
    }

    #[test]
    fn destructuring_declares_variables() {
        assert_eq!(
            collections("FOR { firstName, lastName } IN users RETURN firstName"),
            vec!["users"]
        );
        assert!(collections("LET [a, b] = [[1], [2]] FOR x IN a RETURN x").is_empty());
        assert!(collections("LET { obj: [c, d] } = {} FOR x IN d RETURN x").is_empty());
        assert!(collections("FOR [k, v] IN ENTRIES({}) FOR x IN v RETURN x").is_empty());
    }

    #[test]
    fn collect_into_declares_a_variable() {
        assert_eq!(
            collections("FOR u IN users COLLECT a = u.age INTO grp WITH COUNT INTO n RETURN grp"),
            vec!["users"]
        );
    }

    #[test]
    fn with_clause() {
        assert_eq!(
            collections("WITH users, `movies` FOR v IN 1 OUTBOUND 'users/1' watched RETURN v"),
            vec!["users", "movies", "watched"]
        );
        assert_eq!(
            collections("WITH a b @@c FOR x IN a RETURN x"),
            vec!["a", "b"]
        );
    }

    #[test]
    fn keywords_as_attribute_names_do_not_start_operations() {
        assert_eq!(
            collections("FOR d IN docs FILTER d.insert IN [1] RETURN { update: d.remove }"),
            vec!["docs"]
        );
    }

    #[test]
    fn first_appearance_order_and_deduplication() {
        assert_eq!(
            collections("FOR b IN beta FOR a IN alpha INSERT a INTO beta"),
            vec!["beta", "alpha"]
        );
    }
}
