//! A shallow syntax check with ArangoDB-style error messages.
//!
//! This is not a parser. It only rejects queries with *clear* errors:
//! lexical errors (unterminated strings, quoted names and block comments,
//! characters that start no token), a query that does not start with an
//! operation keyword, unbalanced or mismatched brackets, a malformed `FOR`
//! variable list, `=` where no variable or destructuring pattern is being
//! assigned (the classic `FILTER a = 1`), and an operation keyword where a
//! name or expression must follow (`FOR s IN Window`). Every check is local
//! and matches what ArangoDB's grammar requires, so a valid query is never
//! rejected; many invalid ones pass. An empty query (nothing but whitespace
//! and comments) is reported as its own kind of error.
//!
//! Messages follow ArangoDB's `<what> near '<rest of query>' at position
//! <line>:<column>`, the column counted in bytes as ArangoDB's scanner does
//! ([`SyntaxError::byte_column`]; the error's `position` counts characters), where the parser's part reads
//! `syntax error, unexpected <token description>` with the token names of
//! ArangoDB's Bison grammar. When several errors exist, the one that comes
//! first in the query wins, as a left-to-right parser would report it.
//! Errors at the end of the query point at the last token, because that is
//! where ArangoDB's scanner leaves its location when it reaches the end.

use std::fmt;

use crate::collections::{self, is_operation_keyword};
use crate::lexer::{
    closing_bracket, lex, opening_bracket, significant, LexError, Position, Token, TokenKind,
    KEYWORDS_4X,
};
use crate::params::{self, BindParameter};
use crate::server_position::server_column;

/// What a syntactically plausible query uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryInfo {
    /// As returned by [`crate::bind_parameters`].
    pub bind_parameters: Vec<BindParameter>,
    /// As returned by [`crate::referenced_collections`].
    pub collections: Vec<String>,
}

/// Which ArangoDB error a [`SyntaxError`] corresponds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyntaxErrorKind {
    /// The query contains no tokens besides whitespace and comments
    /// (ArangoDB error 1502, `ERROR_QUERY_EMPTY`).
    EmptyQuery,
    /// A parse error (ArangoDB error 1501, `ERROR_QUERY_PARSE`).
    Parse,
    /// `OPTIONS` whose value is not known when the query is compiled
    /// (ArangoDB error 1575, `ERROR_QUERY_COMPILE_TIME_OPTIONS`), which
    /// grammar.y's `validateOptions` registers like a parse error.
    CompileTimeOptions,
}

/// Why [`check_syntax`] rejected a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub kind: SyntaxErrorKind,
    /// The complete message, e.g. `syntax error, unexpected assignment near
    /// '= 1 LIMIT 2' at position 1:26`, or `query is empty`.
    pub message: String,
    /// Where the error was detected (its column counted in characters).
    pub position: Position,
    /// The column of `position` as ArangoDB's scanner counts it and the
    /// message says it: in bytes, and not restarted by line feeds inside
    /// string literals ([`crate::server_column`]).
    pub byte_column: u32,
}

impl SyntaxError {
    /// Whether the query was empty rather than malformed.
    pub fn is_empty_query(&self) -> bool {
        self.kind == SyntaxErrorKind::EmptyQuery
    }

    /// ArangoDB's `errorNum` for this error: 1502 for an empty query, 1501
    /// for a parse error.
    pub fn error_num(&self) -> u32 {
        match self.kind {
            SyntaxErrorKind::EmptyQuery => 1502,
            SyntaxErrorKind::Parse => 1501,
            SyntaxErrorKind::CompileTimeOptions => 1575,
        }
    }

    pub(crate) fn parse(query: &str, what: &str, position: Position) -> Self {
        let column = server_column(query, position.offset);
        SyntaxError {
            kind: SyntaxErrorKind::Parse,
            message: format!(
                "{what} near '{}' at position {}:{}",
                region(query, region_offset(query, position.line, column)),
                position.line,
                column
            ),
            position,
            byte_column: server_column(query, position.offset),
        }
    }

    pub(crate) fn from_lex(query: &str, error: &LexError) -> Self {
        Self::parse(query, &error.message, error.position)
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SyntaxError {}

/// Checks `query` for clear syntax errors (see the module notes) and returns
/// its bind parameters and literal collections.
pub fn check_syntax(query: &str) -> Result<QueryInfo, SyntaxError> {
    let (tokens, lex_error) = lex(query);
    let toks = significant(&tokens);
    if toks.is_empty() && lex_error.is_none() {
        return Err(SyntaxError {
            kind: SyntaxErrorKind::EmptyQuery,
            message: "query is empty".to_string(),
            position: Position::START,
            byte_column: 1,
        });
    }

    // Tokens before a lexical error are checked first: a parser reading
    // left to right would stumble over them before reaching the bad spot.
    let earliest = [
        first_token_error(&toks),
        bracket_error(&toks),
        for_header_error(&toks),
        assignment_error(&toks),
        misplaced_operation_error(&toks),
    ]
    .into_iter()
    .flatten()
    .min_by_key(|unexpected| unexpected.position.offset);
    if let Some(unexpected) = earliest {
        return Err(unexpected.into_error(query));
    }
    if let Some(error) = lex_error {
        return Err(SyntaxError::from_lex(query, &error));
    }
    if let Some(unexpected) = unclosed_bracket_error(&toks).or_else(|| final_statement_error(&toks))
    {
        return Err(unexpected.into_error(query));
    }

    Ok(QueryInfo {
        bind_parameters: params::from_tokens(&tokens),
        collections: collections::from_tokens(&tokens),
    })
}

/// A token the grammar does not allow where it appears.
struct Unexpected {
    description: String,
    position: Position,
}

impl Unexpected {
    fn token(token: &Token<'_>) -> Self {
        Unexpected {
            description: describe(token),
            position: token.span.start,
        }
    }

    /// The end of the query where more was required; reported at the last
    /// token (see the module notes).
    fn end_of_query(toks: &[Token<'_>]) -> Self {
        Unexpected {
            description: "end of query string".to_string(),
            position: toks.last().map_or(Position::START, |t| t.span.start),
        }
    }

    fn into_error(self, query: &str) -> SyntaxError {
        let what = format!("syntax error, unexpected {}", self.description);
        SyntaxError::parse(query, &what, self.position)
    }
}

/// A query starts with `WITH` or an operation keyword (including, leniently,
/// the 4.x ones).
fn first_token_error(toks: &[Token<'_>]) -> Option<Unexpected> {
    let first = toks.first()?;
    let valid = first.is_keyword("WITH")
        || is_operation_keyword(first)
        || KEYWORDS_4X.iter().any(|k| first.is_context_keyword(k));
    (!valid).then(|| Unexpected::token(first))
}

fn closer_for(token: &Token<'_>) -> Option<&'static str> {
    if token.kind != TokenKind::Punctuation {
        return None;
    }
    match token.text {
        "(" => Some(")"),
        "[" => Some("]"),
        "{" => Some("}"),
        _ => None,
    }
}

fn is_closing_bracket(token: &Token<'_>) -> bool {
    token.kind == TokenKind::Punctuation && matches!(token.text, ")" | "]" | "}")
}

/// A closing bracket without a matching opening one.
fn bracket_error(toks: &[Token<'_>]) -> Option<Unexpected> {
    let mut expected: Vec<&str> = Vec::new();
    for token in toks {
        if let Some(closer) = closer_for(token) {
            expected.push(closer);
        } else if is_closing_bracket(token) && expected.pop() != Some(token.text) {
            return Some(Unexpected::token(token));
        }
    }
    None
}

/// Brackets still open at the end of the query.
fn unclosed_bracket_error(toks: &[Token<'_>]) -> Option<Unexpected> {
    let mut open = 0usize;
    for token in toks {
        if closer_for(token).is_some() {
            open += 1;
        } else if is_closing_bracket(token) {
            open = open.saturating_sub(1);
        }
    }
    (open > 0).then(|| Unexpected::end_of_query(toks))
}

/// A query ends with `RETURN` or a data-modification operation: the last
/// top-level statement must be one of them (`FOR d IN c` alone, or ending in
/// `FILTER`, `SORT`, `LET`, ... is incomplete). Statements inside brackets
/// belong to subqueries and are not looked at. Queries that start with a 4.x
/// keyword are left alone, as everywhere in this module.
fn final_statement_error(toks: &[Token<'_>]) -> Option<Unexpected> {
    const STATEMENTS: &[&str] = &[
        "FOR", "LET", "FILTER", "SEARCH", "SORT", "LIMIT", "COLLECT", "WINDOW", "RETURN", "INSERT",
        "UPDATE", "REPLACE", "REMOVE", "UPSERT",
    ];
    const FINAL: &[&str] = &["RETURN", "INSERT", "UPDATE", "REPLACE", "REMOVE", "UPSERT"];
    if toks
        .first()
        .is_some_and(|first| KEYWORDS_4X.iter().any(|k| first.is_context_keyword(k)))
    {
        return None;
    }
    let mut depth = 0usize;
    let mut last_statement = None;
    for token in toks {
        if closer_for(token).is_some() {
            depth += 1;
        } else if is_closing_bracket(token) {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && STATEMENTS.iter().any(|k| token.is_keyword(k)) {
            last_statement = Some(token);
        }
    }
    match last_statement {
        Some(token) if FINAL.iter().any(|k| token.is_keyword(k)) => None,
        // Only `WITH ...`, or statements that still need a final one.
        _ => Some(Unexpected::end_of_query(toks)),
    }
}

/// `FOR name [, name]* IN` or `FOR <destructuring pattern> IN` (3.12+):
/// the grammar allows nothing else after `FOR`.
fn for_header_error(toks: &[Token<'_>]) -> Option<Unexpected> {
    let unexpected_at = |i: usize| match toks.get(i) {
        Some(token) => Unexpected::token(token),
        None => Unexpected::end_of_query(toks),
    };
    for (start, _) in toks.iter().enumerate().filter(|(_, t)| t.is_keyword("FOR")) {
        if is_destructuring_start(toks.get(start + 1)) {
            // An unclosed pattern is left to the bracket checks.
            if let Some(close) = closing_bracket(toks, start + 1) {
                if !toks.get(close + 1).is_some_and(|t| t.is_keyword("IN")) {
                    return Some(unexpected_at(close + 1));
                }
            }
            continue;
        }
        let mut i = start + 1;
        loop {
            if !toks.get(i).is_some_and(Token::is_name) {
                return Some(unexpected_at(i));
            }
            let next = toks.get(i + 1);
            if next.is_some_and(|t| t.kind == TokenKind::Punctuation && t.text == ",") {
                i += 2;
            } else if next.is_some_and(|t| t.is_keyword("IN")) {
                break;
            } else {
                return Some(unexpected_at(i + 1));
            }
        }
    }
    None
}

fn is_destructuring_start(token: Option<&Token<'_>>) -> bool {
    token.is_some_and(|t| t.kind == TokenKind::Punctuation && matches!(t.text, "[" | "{"))
}

/// `=` only follows a variable name, or a destructuring pattern such as
/// `[a, b]` or `{ a, b: c }` (3.12+), that `LET`, `COLLECT`, `AGGREGATE`,
/// `INTO`, `PRUNE` or a list comma introduces (and 4.x `MATCH`, leniently).
fn assignment_error(toks: &[Token<'_>]) -> Option<Unexpected> {
    const INTRODUCERS: &[&str] = &["LET", "COLLECT", "AGGREGATE", "INTO"];
    for (i, token) in toks.iter().enumerate() {
        if !(token.kind == TokenKind::Operator && token.text == "=") {
            continue;
        }
        // Where the assigned variable or pattern starts.
        let target = match i.checked_sub(1) {
            Some(prev) if toks[prev].is_name() => Some(prev),
            Some(prev) => {
                opening_bracket(toks, prev).filter(|&o| is_destructuring_start(toks.get(o)))
            }
            None => None,
        };
        let introduced = target.and_then(|t| t.checked_sub(1)).is_some_and(|b| {
            let before = &toks[b];
            INTRODUCERS.iter().any(|k| before.is_keyword(k))
                || before.is_context_keyword("PRUNE")
                || before.is_context_keyword("MATCH")
                || (before.kind == TokenKind::Punctuation && before.text == ",")
        });
        if !introduced {
            return Some(Unexpected::token(token));
        }
    }
    None
}

/// An operation keyword cannot directly follow `IN`, `INTO`, `=` or another
/// operation keyword: all of those need a name or an expression next, and an
/// operation only starts an expression inside parentheses. The one exception
/// is `UPSERT FILTER <condition>` (3.12+). This catches keywords used as
/// names, e.g. `FOR s IN Window` since 3.8.
fn misplaced_operation_error(toks: &[Token<'_>]) -> Option<Unexpected> {
    toks.windows(2).find_map(|pair| {
        let [before, token] = pair else {
            return None;
        };
        let needs_operand = is_operation_keyword(before)
            || before.is_keyword("IN")
            || before.is_keyword("INTO")
            || (before.kind == TokenKind::Operator && before.text == "=");
        let upsert_filter = before.is_keyword("UPSERT") && token.is_keyword("FILTER");
        (needs_operand && is_operation_keyword(token) && !upsert_filter)
            .then(|| Unexpected::token(token))
    })
}

/// How ArangoDB's grammar names a token in "unexpected ..." messages.
pub(crate) fn describe(token: &Token<'_>) -> String {
    let text = token.text;
    let described = match token.kind {
        TokenKind::Identifier | TokenKind::QuotedName => "identifier",
        TokenKind::String => "quoted string",
        TokenKind::Number => {
            let lower = text.to_ascii_lowercase();
            let radix = lower.starts_with("0x") || lower.starts_with("0b");
            if radix || !lower.contains(['.', 'e']) {
                "integer number"
            } else {
                "number"
            }
        }
        TokenKind::BindParameter => "bind parameter",
        TokenKind::CollectionBindParameter => "bind data source parameter",
        TokenKind::Range => "..",
        TokenKind::Keyword => return describe_keyword(token),
        TokenKind::Operator => match text {
            "=" => "assignment",
            "!" => "not operator",
            "&&" => "and operator",
            "||" => "or operator",
            // Bison's names for these two are reversed in ArangoDB's grammar.
            "=~" => "~= operator",
            "!~" => "~! operator",
            "?" | "::" | "..." => text,
            _ => return format!("{text} operator"),
        },
        // Bison keeps the quotes when the name is a comma, and shows
        // character tokens such as '.' in single quotes.
        TokenKind::Punctuation => match text {
            "," => "\",\"",
            "." => "'.'",
            _ => text,
        },
        TokenKind::Whitespace | TokenKind::LineComment | TokenKind::BlockComment => text,
    };
    described.to_string()
}

fn describe_keyword(token: &Token<'_>) -> String {
    const DECLARATIONS: &[&str] = &[
        "FOR", "LET", "FILTER", "RETURN", "COLLECT", "SORT", "LIMIT", "WINDOW",
    ];
    const COMMANDS: &[&str] = &["REMOVE", "INSERT", "UPDATE", "REPLACE", "UPSERT"];
    const OPERATORS: &[&str] = &["NOT", "AND", "OR", "LIKE"];
    const MODIFIERS: &[&str] = &["OUTBOUND", "INBOUND", "ANY", "ALL", "NONE", "AT LEAST"];
    const LITERALS: &[&str] = &["NULL", "TRUE", "FALSE"];

    let is = |set: &[&str]| set.iter().any(|k| token.is_keyword(k));
    let upper = token
        .text
        .split_ascii_whitespace()
        .map(str::to_ascii_uppercase)
        .collect::<Vec<_>>()
        .join(" ");
    if is(DECLARATIONS) {
        format!("{upper} declaration")
    } else if is(COMMANDS) {
        format!("{upper} command")
    } else if is(OPERATORS) {
        format!("{} operator", upper.to_ascii_lowercase())
    } else if is(MODIFIERS) {
        format!("{} modifier", upper.to_ascii_lowercase())
    } else if is(LITERALS) {
        upper.to_ascii_lowercase()
    } else if token.is_keyword("DISTINCT") {
        "DISTINCT modifier".to_string()
    } else {
        format!("{upper} keyword")
    }
}

/// Where the server's `near` text starts: it walks the query from line 1,
/// column 0 to the reported line and (0-based, byte) column, counting `\n`,
/// `\r` and `\r\n` as line breaks (`QueryString::extractRegion`). That is
/// the error's offset, except where the scanner's column ran on over a line
/// feed inside a string: the walk then stops at the next line or the end.
fn region_offset(query: &str, line: u32, column: u32) -> usize {
    let bytes = query.as_bytes();
    let (line, column) = (u64::from(line), u64::from(column.saturating_sub(1)));
    let (mut current_line, mut current_column) = (1u64, 0u64);
    let mut p = 0;
    while p < bytes.len() && bytes[p] != 0 {
        if current_line > line || (current_line >= line && current_column >= column) {
            break;
        }
        match bytes[p] {
            b'\n' => {
                p += 1;
                current_line += 1;
                current_column = 0;
            }
            b'\r' => {
                p += 1;
                current_line += 1;
                current_column = 0;
                if bytes.get(p) == Some(&b'\n') {
                    p += 1;
                }
            }
            _ => {
                p += 1;
                current_column += 1;
            }
        }
    }
    p
}

/// The part of the query shown after `near`: the rest of the query from
/// `offset`, cut to 32 bytes plus `...` when longer (as ArangoDB does),
/// without splitting a character.
fn region(query: &str, offset: usize) -> String {
    const SNIPPET_LENGTH: usize = 32;
    let rest = query.get(offset..).unwrap_or_default();
    if rest.len() < SNIPPET_LENGTH {
        return rest.to_string();
    }
    let mut end = SNIPPET_LENGTH;
    while !rest.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", rest.get(..end).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(query: &str) -> SyntaxError {
        match check_syntax(query) {
            Err(e) => e,
            Ok(info) => panic!("accepted {query:?}: {info:?}"),
        }
    }

    fn at(query: &str) -> (u32, u32) {
        let e = error(query);
        (e.position.line, e.position.column)
    }

    #[test]
    fn messages_count_columns_in_bytes_positions_in_characters() {
        // `ü` is one character of two bytes: ArangoDB's message says byte
        // column 39, the position keeps character column 38.
        let e = error("FOR i IN 1..100 FILTER 'ü' != i && i = 1 RETURN i");
        assert_eq!(
            (e.position.line, e.position.column, e.byte_column),
            (1, 38, 39)
        );
        assert!(e.message.ends_with("at position 1:39"), "{}", e.message);
        // Columns restart at each line; multi-byte characters on earlier
        // lines do not count.
        let e = error("LET s = \"日本\"\nFOR i IN [s] FILTER i = s RETURN i");
        assert_eq!(
            (e.position.line, e.position.column, e.byte_column),
            (2, 23, 23)
        );
        let e = error("LET s = 1\nFOR i IN [\"日本\"] FILTER i = s RETURN i");
        assert_eq!(
            (e.position.line, e.position.column, e.byte_column),
            (2, 26, 30)
        );
        assert!(e.message.ends_with("at position 2:30"), "{}", e.message);
    }

    #[test]
    fn accepts_valid_queries() {
        for query in [
            "RETURN 1",
            "FOR u IN users FILTER u.a == 1 RETURN u",
            "LET a = 1, b = 2 RETURN a + b",
            "FOR u IN users COLLECT c = u.city INTO g = u.name WITH COUNT INTO n RETURN c",
            "FOR u IN users COLLECT AGGREGATE m = MAX(u.age), n = MIN(u.age) RETURN [m, n]",
            "FOR v IN 1..3 OUTBOUND 'a/1' e PRUNE stop = v.x == 1 RETURN v",
            "WITH a FOR x IN a RETURN x",
            "INSERT { a: 1 } INTO c",
            "UPSERT { a: 1 } INSERT { a: 1 } UPDATE {} IN c",
            "FOR d IN docs FILTER d.filter == 1 RETURN { for: d.return }",
            "FOR `for`, ´in´ IN x RETURN 1",
            "FOR match IN x LET scan = match.fold RETURN scan",
            "MATCH (a) RETURN a",
            "FOR x IN y FILTER x.tags[* FILTER CURRENT == 'a'] ANY == 'a' RETURN x",
            "LET x = [1, 2, 3] RETURN x[**]",
            "RETURN (FOR x IN 1..2 RETURN x)",
            "/* lead */ RETURN 1 // trail",
        ] {
            assert!(check_syntax(query).is_ok(), "{query}");
        }
    }

    #[test]
    fn query_info() {
        let info = check_syntax("FOR u IN users FILTER u.a == @a INSERT u INTO @@target").unwrap();
        assert_eq!(info.collections, vec!["users"]);
        let names: Vec<_> = info
            .bind_parameters
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, vec!["a", "target"]);
    }

    #[test]
    fn empty_queries() {
        for query in ["", "   \n\t", "// only a comment", "/* c */ // d\n"] {
            let e = error(query);
            assert!(e.is_empty_query(), "{query:?}");
            assert_eq!(e.error_num(), 1502);
            assert_eq!(e.message, "query is empty");
        }
    }

    #[test]
    fn arangodb_documentation_example() {
        let e = error("FOR i IN 1..100 FILTER i = 1 LIMIT 2 RETURN i * 3");
        assert_eq!(
            e.message,
            "syntax error, unexpected assignment near '= 1 LIMIT 2 RETURN i * 3' at position 1:26"
        );
        assert_eq!(e.error_num(), 1501);
        assert!(!e.is_empty_query());
    }

    #[test]
    fn unknown_first_word() {
        let e = error("SELECT * FROM x");
        assert_eq!(
            e.message,
            "syntax error, unexpected identifier near 'SELECT * FROM x' at position 1:1"
        );
        assert_eq!(at("\n  SEARCH x"), (2, 3));
        assert!(error("(RETURN 1)")
            .message
            .starts_with("syntax error, unexpected ( near"));
        assert!(error("IN x")
            .message
            .starts_with("syntax error, unexpected IN keyword"));
        assert!(error("1 + 1")
            .message
            .starts_with("syntax error, unexpected integer number"));
    }

    #[test]
    fn long_regions_are_cut() {
        let e = error("SELECT a, b, c, d, e, f, g, h, i, j FROM t");
        assert_eq!(
            e.message,
            "syntax error, unexpected identifier near 'SELECT a, b, c, d, e, f, g, h, i...' at position 1:1"
        );
        // Cut on a character boundary: 31 ASCII bytes, then a 2-byte `ä`.
        let query = format!("x{}äb", "y".repeat(30));
        let e = error(&query);
        assert!(e
            .message
            .contains(&format!("near 'x{}...'", "y".repeat(30))));
    }

    #[test]
    fn brackets() {
        assert_eq!(at("RETURN (1 + 2"), (1, 13));
        assert!(error("RETURN (1 + 2")
            .message
            .starts_with("syntax error, unexpected end of query string near '2' at position 1:13"));
        assert_eq!(at("RETURN [1, 2\n"), (1, 12));
        assert_eq!(at("RETURN {a: [1}"), (1, 14));
        assert_eq!(
            error("RETURN 1)").message,
            "syntax error, unexpected ) near ')' at position 1:9"
        );
        assert_eq!(at("RETURN [1, 2]]\n"), (1, 14));
    }

    #[test]
    fn lexical_errors() {
        let e = error("RETURN 'abc");
        assert_eq!(
            e.message,
            "unexpected unterminated string literal near ''abc' at position 1:8"
        );
        assert_eq!(at("FOR x IN y\n  /* open"), (2, 3));
        assert_eq!(
            error("RETURN 1;").message,
            "syntax error, unexpected invalid token near ';' at position 1:9"
        );
    }

    #[test]
    fn earliest_error_wins() {
        // The unknown first word comes before the unterminated string.
        assert_eq!(at("SELECT 'abc"), (1, 1));
        // The stray bracket comes before the bad character.
        assert_eq!(at("RETURN 1) ;"), (1, 9));
        // An unterminated string beats brackets left open before it.
        assert_eq!(at("RETURN (1, 'abc"), (1, 12));
    }

    #[test]
    fn for_headers() {
        assert!(error("FOR v, IN 0..1 RETURN v")
            .message
            .starts_with("syntax error, unexpected IN keyword near 'IN 0..1"));
        assert_eq!(at("FOR IN x RETURN 1"), (1, 5));
        assert_eq!(at("FOR a b IN x RETURN 1"), (1, 7));
        assert_eq!(at("FOR a"), (1, 5));
        assert!(error("FOR filter IN x RETURN 1")
            .message
            .starts_with("syntax error, unexpected FILTER declaration"));
    }

    #[test]
    fn destructuring() {
        for query in [
            "FOR [x, y] IN [[1, 2]] RETURN x",
            "FOR { name } IN names RETURN name",
            "LET [x, y] = [1, 2, 3] RETURN x",
            "LET [, y, z] = [1, 2, 3] RETURN y",
            "LET { vip: status } = { vip: true } RETURN status",
            "LET { obj: [x, [y, z]] } = { obj: [1, [2, 3]] } RETURN z",
            "LET a = 1, [b, c] = [2, 3] RETURN a",
        ] {
            assert!(check_syntax(query).is_ok(), "{query}");
        }
        assert_eq!(at("FOR [x, y] = [1] RETURN x"), (1, 12));
        assert_eq!(at("RETURN [x, y] = [1, 2]"), (1, 15));
        assert_eq!(at("FOR [x, y RETURN x"), (1, 18));
    }

    #[test]
    fn keywords_where_an_operand_is_needed() {
        let e = error("FOR status IN Window\n  RETURN status.open");
        assert_eq!(
            e.message,
            "syntax error, unexpected WINDOW declaration near 'Window\n  RETURN status.open' at position 1:15"
        );
        assert_eq!(at("LET x = RETURN 1"), (1, 9));
        assert_eq!(at("FOR x IN y RETURN FILTER"), (1, 19));
        assert_eq!(at("INSERT {} INTO sort"), (1, 16));
        assert!(check_syntax("FOR s IN `Window` RETURN s.open").is_ok());
        assert!(check_syntax("UPSERT FILTER CURRENT.a == 1 INSERT {} UPDATE {} IN c").is_ok());
    }

    #[test]
    fn assignments() {
        assert_eq!(at("FOR u IN users FILTER u.a = 1 RETURN u"), (1, 27));
        assert_eq!(at("LET a = 1 FILTER a = 2 RETURN a"), (1, 20));
        assert_eq!(at("RETURN a = 1"), (1, 10));
    }

    #[test]
    fn token_descriptions() {
        let cases = [
            ("RETURN", "RETURN declaration"),
            ("insert", "INSERT command"),
            ("into", "INTO keyword"),
            ("distinct", "DISTINCT modifier"),
            ("Outbound", "outbound modifier"),
            ("AT  least", "at least modifier"),
            ("and", "and operator"),
            ("null", "null"),
            ("x", "identifier"),
            ("`x`", "identifier"),
            ("'x'", "quoted string"),
            ("1", "integer number"),
            ("0x1F", "integer number"),
            ("1.5", "number"),
            ("1e3", "number"),
            ("@p", "bind parameter"),
            ("@@p", "bind data source parameter"),
            ("==", "== operator"),
            ("=~", "~= operator"),
            ("!", "not operator"),
            ("||", "or operator"),
            (",", "\",\""),
            (".", "'.'"),
            ("..", ".."),
            ("::", "::"),
            (")", ")"),
        ];
        for (text, expected) in cases {
            let tokens = crate::lexer::tokenize(text).unwrap();
            assert_eq!(describe(&tokens[0]), expected, "{text}");
        }
    }

    #[test]
    fn display() {
        let e = error("SELECT");
        assert_eq!(e.to_string(), e.message);
    }
}
