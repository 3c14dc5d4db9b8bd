//! A recursive-descent AQL parser on top of the tokenizer: operations are
//! parsed top-down, expressions by precedence climbing with the server's
//! precedence (`arangod/Aql/grammar.y`, lowest first): `?:`, `||`, `&&`,
//! `== != LIKE =~ !~` (with `ALL/ANY/NONE/AT LEAST` prefixes), `IN`,
//! `< <= > >=`, `..`, `+ -`, `* / %`, unary `! NOT - +`, then postfix
//! access (`.a`, `[i]`, `[*]`, `[? ...]`).
//!
//! The first error stops the parse; it is a [`SyntaxError`] in the server's
//! style (`syntax error, unexpected X, expecting Y near '...' at position
//! L:C`). Semantic checks (functions, variables) are not done here yet.
//!
//! Notes for whoever continues (issue 15):
//! - Input is the `significant` tokens: trivia dropped, keywords after `.` or
//!   before `:` turned into identifiers. Context keywords (`OPTIONS`,
//!   `PRUNE`, `SEARCH`, `TO`, `KEEP`, `COUNT`) are identifiers checked by
//!   position, as in the server's grammar.
//! - `IN` is ambiguous after a data modification's document (`REMOVE x IN
//!   c`): `allow_in` is off there and back on inside any bracket.
//! - The nesting depth is capped (`MAX_DEPTH`) so deep input is an error,
//!   not a stack overflow.
//! - Errors: the first one wins, as the server's bison parser stops at its
//!   first error. Messages are checked against the acceptance corpus
//!   (`tests/invalid-queries.txt`, expectations derived with a recognizer
//!   built from grammar.y, see `aql-lexer/oracle/`).
//!   - Bison's own errors: `syntax error, unexpected X[, expecting ...]`.
//!     General mechanism: each place that can fail names what grammar.y's
//!     state accepts there, translated by `bison_expecting` (the token
//!     aliases; nothing where the state accepts more than four tokens or
//!     where an expression could still continue with an operator). After
//!     a complete final `RETURN`, default reductions leave only `end of
//!     query string`. Contextual rules that copy what default reductions
//!     do in particular states (`]`/`}` in array and object literals and
//!     `[? ]`, `FILTER declaration` after an inline quantifier, `(` after
//!     `AT LEAST` and `LIKE`, the `~= operator or ~! operator or like
//!     operator` list after `NOT`) are written at their call sites.
//!   - Positions follow bison's `yylloc`: the start of the offending token,
//!     the closing quote of a quoted string or name (the scanner's last
//!     match), the last token at the end of the query. A lexical error is
//!     reported only if the tokens before it parse (the scanner runs one
//!     token ahead of the parser): a character that starts no token is an
//!     `invalid token` with the expected list of that point; unterminated
//!     strings, names and comments are reported at the scanner's last match
//!     inside them.
//!   - Errors grammar.y's actions register (no `syntax error, ` prefix):
//!     wrong qualifiers (`SEARCH`/`OPTIONS`/`PRUNE`/`TO`/`KEEP`/`COUNT` are
//!     any name to the grammar), the number of FOR variables, top-level
//!     `DISTINCT`, `KEEP` without `INTO`, OPTIONS after FOR not an object,
//!     SEARCH on a source that is not a name, WINDOW bounds, an array
//!     expansion with a quantifier. Each is reported where the action's
//!     location is (the lookahead, the rule's start, or for mid-rule
//!     actions the end of the previous symbol).
//! - Not checked here (need variable scopes or other lists): OPTIONS being
//!   constant (1575), SEARCH on a variable, aggregate function names (1574),
//!   COLLECT variables used in the same COLLECT, unknown variables in object
//!   shorthand and KEEP (1512); unknown functions (1540), argument counts
//!   (1541) and variables (1510/1511/1512) are `semantic`'s.
//! - 4.x syntax accepted on purpose (the corpus has it): `...` spreads in
//!   arrays, objects and call arguments, and destructuring in FOR and LET.

pub mod ast;
pub mod visit;

use crate::lexer::{lex, significant, LexError, Position, Token, TokenKind};
use crate::syntax::{describe, SyntaxError, SyntaxErrorKind};
use ast::*;

/// What the parser expects where bison would list too many tokens to name.
const CLASSES: &[&str] = &["expression", "RETURN or a data-modification operation"];

/// How bison's verbose message words what the parser expects here, or
/// `None` where bison names nothing: in grammar.y's LALR tables the state
/// that detects the error accepts more than four tokens (an expression may
/// continue with any operator, an operation may follow), or default
/// reductions have moved past the point where only this token fits.
/// Token names are grammar.y's `%token` aliases (`IN keyword`,
/// `assignment`, ...). Derived with the oracle in `aql-lexer/oracle/`.
fn bison_expecting(expecting: &str) -> Option<&str> {
    Some(match expecting {
        _ if CLASSES.contains(&expecting) => return None,
        // After a data modification's document, a collection name, `IN`
        // as an operator, or a comparison may follow.
        "keyword IN or INTO" | "collection name" | "keyword UPDATE or REPLACE" => return None,
        // A WINDOW's aggregate, a ternary's `:`, a quantifier's operator:
        // the expression before them may still continue.
        "keyword AGGREGATE" | ":" | "comparison operator" => return None,
        "keyword IN" => "IN keyword",
        "keyword INTO" => "INTO keyword",
        "keyword INSERT" => "INSERT command",
        "=" => "assignment",
        // After `.`: `reference '.' T_STRING | reference '.' bind_parameter`.
        "attribute name" => "identifier or bind parameter or bind data source parameter",
        other => other,
    })
}

/// Deeper nesting is rejected instead of overflowing the stack.
const MAX_DEPTH: usize = 200;

/// Parses a complete query.
pub fn parse_query(query: &str) -> Result<Query, SyntaxError> {
    let (tokens, lex_error) = lex(query);
    let toks = significant(&tokens);
    // The scanner hands tokens to bison one at a time, so a syntax error in
    // the tokens before a lexical error is what the server reports; the
    // lexical error comes out only where the parser asks for the next token.
    let lex_end = lex_error.map(|error| lex_end(query, &error));
    if toks.is_empty() && lex_end.is_none() {
        return Err(SyntaxError {
            kind: SyntaxErrorKind::EmptyQuery,
            message: "query is empty".to_string(),
            position: Position::START,
            byte_column: 1,
        });
    }
    let mut parser = Parser {
        query,
        toks,
        pos: 0,
        depth: 0,
        allow_in: true,
        in_graph_depth: false,
        lex_end,
    };
    let result = parser.top_query()?;
    // After `RETURN expression` bison's default reductions reach the state
    // `queryStart: optional_with query .`, which accepts only the end; after
    // a data modification more operations could follow.
    let returned = matches!(result.body.last(), Some(Statement::Return { .. }));
    let expecting = returned.then_some("end of query string");
    if let Some(token) = parser.peek() {
        return Err(parser.unexpected_token(token, expecting));
    }
    if parser.lex_end.is_some() {
        return Err(parser.end_error(expecting));
    }
    Ok(result)
}

/// What stops the token stream early.
enum LexEnd {
    /// A character that starts no token, at this position: bison gets a
    /// token it does not know and reports `unexpected invalid token`.
    InvalidToken(Position),
    /// An error the scanner registers itself (unterminated string, quoted
    /// name or comment), as the server words and places it.
    Error(SyntaxError),
}

fn lex_end(query: &str, error: &LexError) -> LexEnd {
    if error.message.ends_with("unexpected invalid token") {
        return LexEnd::InvalidToken(error.position);
    }
    let position = last_scanner_match(query, error.position.offset)
        .map_or(error.position, |offset| position_at(query, offset));
    LexEnd::Error(SyntaxError::parse(query, &error.message, position))
}

/// tokens.ll reports an unterminated string, name or comment from its
/// `<<EOF>>` rule at `yylloc`, the start of the last piece it matched in
/// that state: inside quotes one character at a time (`\\.` takes an
/// escape pair), inside `/* */` runs of `[^*\n]+`, a lone `*` or a line
/// feed. `open` is the offset of the opening delimiter.
fn last_scanner_match(query: &str, open: usize) -> Option<usize> {
    let rest = query.get(open..)?;
    let bytes = rest.as_bytes();
    let mut last = 0;
    if let Some(body) = rest.strip_prefix("/*") {
        let mut i = rest.len() - body.len();
        while i < bytes.len() {
            last = i;
            if bytes[i] == b'*' || bytes[i] == b'\n' {
                i += 1;
            } else {
                while i < bytes.len() && bytes[i] != b'*' && bytes[i] != b'\n' {
                    i += 1;
                }
            }
        }
    } else {
        let quote = rest.chars().next()?;
        let mut i = quote.len_utf8();
        while i < bytes.len() {
            last = i;
            // `\\.`: a backslash and the byte after it, unless a line feed.
            i += if bytes[i] == b'\\' && bytes.get(i + 1).is_some_and(|&b| b != b'\n') {
                2
            } else {
                1
            };
        }
    }
    // Flex matches bytes; report the start of the character holding it.
    let mut offset = open + last;
    while !query.is_char_boundary(offset) {
        offset -= 1;
    }
    Some(offset)
}

/// Where the scanner's last match starts in the trivia from `from` to the
/// end of the query (`None` if there is none): a run of blanks, `//`, the
/// text of a `//` comment, `/*`, a chunk of a block comment, `*/`. A line
/// feed sets flex's line count and column before the match is located, so
/// it is located at the start of the next line.
fn end_of_scan(query: &str, from: usize) -> Option<Position> {
    let bytes = query.as_bytes();
    let mut i = from;
    let mut last = None;
    // 0: outside comments, 1: in a `//` comment, 2: in a `/* */` comment.
    let mut state = 0;
    while i < bytes.len() {
        let start = i;
        let b = bytes[i];
        if b == b'\n' {
            i += 1;
            last = Some(i);
            if state == 1 {
                state = 0;
            }
            continue;
        }
        match state {
            0 if b == b'/' && bytes.get(i + 1) == Some(&b'/') => {
                i += 2;
                state = 1;
            }
            0 if b == b'/' && bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                state = 2;
            }
            0 if matches!(b, b' ' | b'\t' | b'\r') => {
                while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\r') {
                    i += 1;
                }
            }
            1 => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            2 if b == b'*' && bytes.get(i + 1) == Some(&b'/') => {
                i += 2;
                state = 0;
            }
            2 if b == b'*' => i += 1,
            2 => {
                while i < bytes.len() && bytes[i] != b'*' && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            // Not trivia (a token): nothing trailing to locate.
            _ => return None,
        }
        last = Some(start);
    }
    last.map(|offset| position_at(query, offset))
}

/// The start of a token's last character: where bison's location of a
/// symbol ending with this token ends (`last_column`).
fn last_char_location(query: &str, token: &Token<'_>) -> Position {
    let last = query
        .get(..token.span.end.offset)
        .and_then(|before| before.char_indices().next_back())
        .map_or(token.span.start.offset, |(i, _)| i);
    position_at(query, last.max(token.span.start.offset))
}

/// bison's `yylloc` for a token: its start, or for a quoted string or name
/// the start of its last character (the closing quote), the last piece the
/// scanner matched for it.
fn token_location(query: &str, token: &Token<'_>) -> Position {
    if !matches!(token.kind, TokenKind::String | TokenKind::QuotedName) {
        return token.span.start;
    }
    last_char_location(query, token)
}

/// The position (line, character column) of a byte offset.
fn position_at(query: &str, offset: usize) -> Position {
    let before = query.get(..offset).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Position {
        offset,
        line: u32::try_from(before.matches('\n').count() + 1).unwrap_or(u32::MAX),
        column: u32::try_from(before[line_start..].chars().count() + 1).unwrap_or(u32::MAX),
    }
}

struct Parser<'q> {
    query: &'q str,
    toks: Vec<Token<'q>>,
    pos: usize,
    depth: usize,
    /// False while parsing the document of a data modification, where `IN`
    /// at the top level starts `IN collection` instead of being an operator.
    /// Brackets of any kind turn it back on.
    allow_in: bool,
    /// True while parsing the expression after `FOR ... IN`, where `ANY`
    /// may be a traversal's direction rather than a quantifier.
    in_graph_depth: bool,
    /// Why the tokens end early, if a lexical error stopped the scanner.
    lex_end: Option<LexEnd>,
}

type PResult<T> = Result<T, SyntaxError>;

const OPERATIONS: &[&str] = &[
    "FOR", "FILTER", "LET", "SORT", "LIMIT", "RETURN", "COLLECT", "WINDOW", "INSERT", "UPDATE",
    "REPLACE", "REMOVE", "UPSERT",
];

impl<'q> Parser<'q> {
    // ---- token helpers -------------------------------------------------

    fn peek(&self) -> Option<Token<'q>> {
        self.toks.get(self.pos).copied()
    }

    fn peek_at(&self, n: usize) -> Option<Token<'q>> {
        self.toks.get(self.pos + n).copied()
    }

    /// Where bison's `yylloc` is when the current token is the lookahead
    /// (or, at the end, the last token read): the token's start, except for
    /// quoted strings and names, where the scanner matched the closing quote
    /// last (tokens.ll sets `yylloc` for every rule it matches).
    fn location(&self) -> Position {
        self.peek()
            .or_else(|| self.toks.last().copied())
            .map_or(Position::START, |t| token_location(self.query, &t))
    }

    /// bison's `yylloc` when the query ends: the scanner's last match,
    /// which may be trailing whitespace or a comment after the last token
    /// (`end_of_scan`).
    fn end_location(&self) -> Position {
        match self.toks.last() {
            Some(last) => end_of_scan(self.query, last.span.end.offset)
                .unwrap_or_else(|| token_location(self.query, last)),
            None => end_of_scan(self.query, 0).unwrap_or(Position::START),
        }
    }

    fn here(&self) -> Position {
        self.peek()
            .or_else(|| self.toks.last().copied())
            .map_or(Position::START, |t| t.span.start)
    }

    fn is_kw(&self, word: &str) -> bool {
        self.peek().is_some_and(|t| t.is_keyword(word))
    }

    fn is_punct(&self, text: &str) -> bool {
        self.peek().is_some_and(|t| {
            matches!(
                t.kind,
                TokenKind::Punctuation | TokenKind::Operator | TokenKind::Range
            ) && t.text == text
        })
    }

    /// Whether the current token can start an expression (grammar.y's
    /// `expression` FIRST set, plus the 4.x spread `...`).
    fn starts_expression(&self) -> bool {
        self.peek().is_some_and(|t| match t.kind {
            TokenKind::Identifier
            | TokenKind::QuotedName
            | TokenKind::String
            | TokenKind::Number
            | TokenKind::BindParameter
            | TokenKind::CollectionBindParameter => true,
            TokenKind::Keyword => ["NULL", "TRUE", "FALSE", "NOT", "LIKE"]
                .iter()
                .any(|k| t.is_keyword(k)),
            TokenKind::Punctuation => matches!(t.text, "(" | "[" | "{"),
            TokenKind::Operator => matches!(t.text, "+" | "-" | "!"),
            _ => false,
        })
    }

    /// Whether the current token may follow an operation: the end, or the
    /// keyword that starts the next operation.
    fn follows_operation(&self) -> bool {
        self.peek()
            .is_none_or(|t| OPERATIONS.iter().any(|k| t.is_keyword(k)))
    }

    fn eat_kw(&mut self, word: &str) -> bool {
        let hit = self.is_kw(word);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn eat_punct(&mut self, text: &str) -> bool {
        let hit = self.is_punct(text);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn unexpected_token(&self, token: Token<'q>, expecting: Option<&str>) -> SyntaxError {
        let mut what = format!("syntax error, unexpected {}", describe(&token));
        if let Some(expecting) = expecting {
            what.push_str(", expecting ");
            what.push_str(expecting);
        }
        SyntaxError::parse(self.query, &what, token_location(self.query, &token))
    }

    /// An error at the current token (or at the end of the query). Like
    /// bison, the message names what was expected only when that is a short
    /// list of tokens; `expecting` values that describe a whole class
    /// (an expression, an operation) are left out of the message.
    fn error(&self, expecting: &str) -> SyntaxError {
        let expecting = bison_expecting(expecting);
        match self.peek() {
            Some(token) => self.unexpected_token(token, expecting),
            None => self.end_error(expecting),
        }
    }

    /// An error naming exactly `list` as expected (bison's wording), for
    /// states whose list [`bison_expecting`] cannot infer from a token.
    fn error_listing(&self, list: &str) -> SyntaxError {
        match self.peek() {
            Some(token) => self.unexpected_token(token, Some(list)),
            None => self.end_error(Some(list)),
        }
    }

    /// Like [`Self::error`], at the token `skip` places after the current
    /// one: bison shifted the ones before it.
    fn error_after(&self, skip: usize, expecting: &str) -> SyntaxError {
        let expecting = bison_expecting(expecting);
        match self.peek_at(skip) {
            Some(token) => self.unexpected_token(token, expecting),
            None => self.end_error(expecting),
        }
    }

    /// The error where the tokens run out: the end of the query, or the
    /// lexical error that stopped the scanner there (a character that starts
    /// no token reaches bison as `invalid token`; an unterminated string,
    /// name or comment is reported by the scanner itself).
    fn end_error(&self, expecting: Option<&str>) -> SyntaxError {
        let (what, position) = match &self.lex_end {
            Some(LexEnd::Error(error)) => return error.clone(),
            Some(LexEnd::InvalidToken(position)) => ("invalid token", *position),
            None => ("end of query string", self.end_location()),
        };
        let mut message = format!("syntax error, unexpected {what}");
        if let Some(expecting) = expecting {
            message.push_str(", expecting ");
            message.push_str(expecting);
        }
        SyntaxError::parse(self.query, &message, position)
    }

    fn expect_kw(&mut self, word: &str) -> PResult<()> {
        if self.eat_kw(word) {
            Ok(())
        } else {
            Err(self.error(&format!("keyword {word}")))
        }
    }

    /// Like [`Self::expect_punct`] for a closing bracket right after an
    /// expression: bison names nothing there, as any operator could follow.
    fn expect_after_expression(&mut self, text: &str) -> PResult<()> {
        if self.eat_punct(text) {
            Ok(())
        } else {
            Err(self.error("expression"))
        }
    }

    fn expect_punct(&mut self, text: &str) -> PResult<()> {
        if self.eat_punct(text) {
            Ok(())
        } else {
            Err(self.error(text))
        }
    }

    /// A variable name (identifier or quoted name).
    fn name(&mut self) -> PResult<String> {
        match self.peek() {
            Some(t) if t.is_name() => {
                self.pos += 1;
                Ok(t.value().into_owned())
            }
            _ => Err(self.error("identifier")),
        }
    }

    /// A variable name with its position.
    fn ident(&mut self) -> PResult<Ident> {
        let at = self.here();
        let name = self.name()?;
        Ok(Ident { name, at })
    }

    /// A variable name or (4.x) a destructuring pattern.
    fn pattern(&mut self) -> PResult<Pattern> {
        if self.eat_punct("[") {
            self.enter()?;
            let mut items = Vec::new();
            while !self.eat_punct("]") {
                items.push(self.pattern()?);
                if !self.eat_punct(",") {
                    self.expect_punct("]")?;
                    break;
                }
            }
            self.depth -= 1;
            return Ok(Pattern::Array(items));
        }
        if self.eat_punct("{") {
            self.enter()?;
            let mut entries = Vec::new();
            while !self.eat_punct("}") {
                let (attribute, at) = match self.peek() {
                    Some(t) if t.is_name() || t.kind == TokenKind::String => {
                        self.pos += 1;
                        (t.value().into_owned(), t.span.start)
                    }
                    _ => return Err(self.error("identifier")),
                };
                let pattern = if self.eat_punct(":") {
                    self.pattern()?
                } else {
                    Pattern::Name(Ident {
                        name: attribute.clone(),
                        at,
                    })
                };
                entries.push((attribute, pattern));
                if !self.eat_punct(",") {
                    self.expect_punct("}")?;
                    break;
                }
            }
            self.depth -= 1;
            return Ok(Pattern::Object(entries));
        }
        Ok(Pattern::Name(self.ident()?))
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(SyntaxError::parse(
                self.query,
                "syntax error, nesting too deep",
                self.location(),
            ));
        }
        Ok(())
    }

    // ---- operations ----------------------------------------------------

    /// The whole query: `WITH` is allowed only here, not in subqueries.
    fn top_query(&mut self) -> PResult<Query> {
        let mut with = Vec::new();
        if self.eat_kw("WITH") {
            // Names or bind parameters, separated by commas or just blanks.
            loop {
                match self.peek() {
                    Some(t)
                        if t.is_name()
                            || matches!(
                                t.kind,
                                TokenKind::BindParameter | TokenKind::CollectionBindParameter
                            ) =>
                    {
                        with.push(self.primary_token()?);
                    }
                    // with_collection: T_STRING | bind_parameter_datasource_expected
                    _ => {
                        return Err(self
                            .error("identifier or bind parameter or bind data source parameter"))
                    }
                }
                let comma = self.eat_punct(",");
                let more = self.peek().is_some_and(|t| {
                    t.is_name()
                        || matches!(
                            t.kind,
                            TokenKind::BindParameter | TokenKind::CollectionBindParameter
                        )
                });
                if !comma && !more {
                    break;
                }
            }
        }
        let mut query = self.query()?;
        query.with = with;
        Ok(query)
    }

    /// Operations up to a final `RETURN` or data modification.
    fn query(&mut self) -> PResult<Query> {
        let with = Vec::new();
        let mut body = Vec::new();
        loop {
            match self.peek() {
                Some(t)
                    if t.kind == TokenKind::Keyword
                        && OPERATIONS.iter().any(|w| t.is_keyword(w)) =>
                {
                    // `RETURN DISTINCT` needs a FOR before it in the same
                    // (sub)query (the server's scope check).
                    if t.is_keyword("RETURN")
                        && !body.iter().any(|s| matches!(s, Statement::For(_)))
                    {
                        if let Some(distinct) = self.peek_at(1).filter(|d| d.is_keyword("DISTINCT"))
                        {
                            return Err(SyntaxError::parse(
                                self.query,
                                "cannot use DISTINCT modifier on top-level query element",
                                distinct.span.start,
                            ));
                        }
                    }
                    body.push(self.statement()?);
                    // `RETURN` is final: only the end of the (sub)query
                    // may follow. A data modification may be followed by
                    // more operations.
                    if matches!(body.last(), Some(Statement::Return { .. })) {
                        break;
                    }
                }
                _ => break,
            }
        }
        match body.last() {
            Some(Statement::Return { .. } | Statement::Modify(_)) => Ok(Query { with, body }),
            _ => Err(self.error("RETURN or a data-modification operation")),
        }
    }

    fn statement(&mut self) -> PResult<Statement> {
        let token = self.peek().expect("checked by the caller");
        self.pos += 1;
        let word = token.text.to_ascii_uppercase();
        Ok(match word.as_str() {
            "FOR" => Statement::For(Box::new(self.for_statement()?)),
            "FILTER" => Statement::Filter(self.expr()?),
            "LET" => {
                let mut bindings = Vec::new();
                loop {
                    let pattern = self.pattern()?;
                    self.expect_punct("=")?;
                    bindings.push((pattern, self.expr()?));
                    if !self.eat_punct(",") {
                        break;
                    }
                }
                Statement::Let(bindings)
            }
            "SORT" => {
                let mut items = Vec::new();
                loop {
                    let expr = self.expr()?;
                    let (ascending, dynamic) = if self.eat_kw("ASC") {
                        (Some(true), None)
                    } else if self.eat_kw("DESC") {
                        (Some(false), None)
                    } else if self.starts_sort_direction_expr() {
                        (None, Some(self.expr()?))
                    } else {
                        (None, None)
                    };
                    items.push(SortItem {
                        expr,
                        ascending,
                        dynamic,
                    });
                    if !self.eat_punct(",") {
                        break;
                    }
                }
                Statement::Sort(items)
            }
            "LIMIT" => {
                let first = self.expr()?;
                if self.eat_punct(",") {
                    Statement::Limit {
                        offset: Some(first),
                        count: self.expr()?,
                    }
                } else {
                    Statement::Limit {
                        offset: None,
                        count: first,
                    }
                }
            }
            "RETURN" => {
                let distinct = self.eat_kw("DISTINCT");
                Statement::Return {
                    distinct,
                    value: self.expr()?,
                }
            }
            "COLLECT" => Statement::Collect(Box::new(self.collect(token.span.start)?)),
            "WINDOW" => Statement::Window(Box::new(self.window(token.span.start)?)),
            _ => Statement::Modify(Box::new(self.modification(&word, token.span.start)?)),
        })
    }

    fn starts_sort_direction_expr(&self) -> bool {
        // `sort_direction: ... | simple_value` in grammar.y: a bind parameter
        // or a literal (`SORT x @dir`, `SORT x true`).
        self.peek().is_some_and(|t| {
            matches!(
                t.kind,
                TokenKind::BindParameter | TokenKind::String | TokenKind::Number
            ) || t.is_keyword("TRUE")
                || t.is_keyword("FALSE")
                || t.is_keyword("NULL")
        })
    }

    /// `OPTIONS { ... }` (grammar.y's `options`: any name, then an object
    /// literal; a name other than OPTIONS is an error after the fact).
    fn options(&mut self) -> PResult<Option<Expr>> {
        if !self.peek().is_some_and(|t| t.is_name()) {
            return Ok(None);
        }
        // Any name starts `options: T_STRING object`; only `{` may follow.
        let qualifier = self.qualifier();
        if !self.is_punct("{") {
            return Err(self.error("{"));
        }
        let options = self.primary()?;
        if !qualifier.eq_ignore_ascii_case("OPTIONS") {
            return Err(self.qualifier_error(&qualifier, "'OPTIONS'"));
        }
        Ok(Some(options))
    }

    /// Consumes a name used as a qualifier (`SEARCH`, `OPTIONS`, `PRUNE`).
    fn qualifier(&mut self) -> String {
        let token = self.peek().expect("a name was peeked");
        self.pos += 1;
        token.value().into_owned()
    }

    /// The error the server registers after parsing a construct with a wrong
    /// qualifier (`FOR u IN users FILTR u.a == 1` is `FOR ... <qualifier>
    /// <expression>` to the grammar). It has no `syntax error, ` prefix and
    /// is reported at the token after the construct (bison's lookahead).
    fn qualifier_error(&self, qualifier: &str, expecting: &str) -> SyntaxError {
        SyntaxError::parse(
            self.query,
            &format!("unexpected qualifier '{qualifier}', expecting {expecting}"),
            self.location(),
        )
    }

    /// grammar.y's `for_options`: `[name expr [name expr]]`, which must be
    /// `SEARCH`, `OPTIONS` or `SEARCH ... OPTIONS ...`.
    fn for_options(&mut self) -> PResult<(Option<Expr>, Option<Expr>)> {
        if !self.peek().is_some_and(|t| t.is_name()) {
            return Ok((None, None));
        }
        let first = self.qualifier();
        let first_expr = self.expr()?;
        // for_options is reduced (and its checks run) only on a token that
        // may follow the FOR; on any other the state has no default
        // reduction and bison reports the token, naming nothing.
        if !self.peek().is_some_and(|t| t.is_name()) && !self.follows_operation() {
            return Err(self.error("expression"));
        }
        if !self.peek().is_some_and(|t| t.is_name()) {
            return if first.eq_ignore_ascii_case("SEARCH") {
                Ok((Some(first_expr), None))
            } else if first.eq_ignore_ascii_case("OPTIONS") {
                self.validate_options(&first_expr)?;
                Ok((None, Some(first_expr)))
            } else {
                Err(self.qualifier_error(&first, "'SEARCH' or 'OPTIONS'"))
            };
        }
        let second = self.qualifier();
        let second_expr = self.expr()?;
        if !self.follows_operation() {
            return Err(self.error("expression"));
        }
        if !first.eq_ignore_ascii_case("SEARCH") || !second.eq_ignore_ascii_case("OPTIONS") {
            return Err(self.qualifier_error(&first, "'SEARCH' and 'OPTIONS'"));
        }
        self.validate_options(&second_expr)?;
        Ok((Some(first_expr), Some(second_expr)))
    }

    /// grammar.y's `validateOptions` for `OPTIONS expression` after a FOR:
    /// the value must be an object literal, and known when the query is
    /// compiled (1575). Reported at bison's lookahead, the token after the
    /// expression. Only values that surely are not constant count: a
    /// variable or collection reference, or a subquery (`AstNode::isConstant`
    /// is false for both); operators and function calls of constants are
    /// not judged.
    fn validate_options(&self, options: &Expr) -> PResult<()> {
        if !matches!(options.kind, ExprKind::Object(_)) {
            return Err(SyntaxError::parse(
                self.query,
                "'OPTIONS' have to be an object",
                self.location(),
            ));
        }
        let mut constant = true;
        visit::expr_tree(options, &mut |expr| {
            if matches!(expr.kind, ExprKind::Name(_) | ExprKind::Subquery(_)) {
                constant = false;
            }
        });
        if constant {
            Ok(())
        } else {
            Err(SyntaxError {
                kind: SyntaxErrorKind::CompileTimeOptions,
                ..SyntaxError::parse(
                    self.query,
                    "'OPTIONS' have to be known at query compile time",
                    self.location(),
                )
            })
        }
    }

    /// grammar.y's `prune_and_options`: `[name [var =] expr [name object]]`,
    /// which must be `PRUNE`, `OPTIONS` or `PRUNE ... OPTIONS {...}`.
    fn prune_and_options(&mut self) -> PResult<(Option<Prune>, Option<Expr>)> {
        if !self.peek().is_some_and(|t| t.is_name()) {
            return Ok((None, None));
        }
        let first = self.qualifier();
        let variable = if self.peek().is_some_and(|t| t.is_name())
            && self.peek_at(1).is_some_and(|t| t.text == "=")
        {
            let v = self.ident()?;
            self.pos += 1;
            Some(v)
        } else {
            None
        };
        let condition = self.expr()?;
        if self.peek().is_some_and(|t| t.is_name()) {
            let second = self.qualifier();
            if !self.is_punct("{") {
                return Err(self.error("{"));
            }
            let options = self.primary()?;
            if !first.eq_ignore_ascii_case("PRUNE") {
                return Err(self.qualifier_error(&first, "'PRUNE'"));
            }
            if !second.eq_ignore_ascii_case("OPTIONS") {
                return Err(self.qualifier_error(&second, "'OPTIONS'"));
            }
            return Ok((
                Some(Prune {
                    variable,
                    condition,
                }),
                Some(options),
            ));
        }
        if first.eq_ignore_ascii_case("PRUNE") {
            Ok((
                Some(Prune {
                    variable,
                    condition,
                }),
                None,
            ))
        } else if first.eq_ignore_ascii_case("OPTIONS") {
            self.validate_options(&condition)?;
            Ok((None, Some(condition)))
        } else {
            Err(self.qualifier_error(&first, "'PRUNE' or 'OPTIONS'"))
        }
    }

    fn direction(&mut self) -> Option<Direction> {
        let d = if self.is_kw("OUTBOUND") {
            Direction::Outbound
        } else if self.is_kw("INBOUND") {
            Direction::Inbound
        } else if self.is_kw("ANY") {
            Direction::Any
        } else {
            return None;
        };
        self.pos += 1;
        Some(d)
    }

    fn for_statement(&mut self) -> PResult<For> {
        let for_position = self.toks[self.pos - 1].span.start;
        let mut variables = vec![self.pattern()?];
        while self.eat_punct(",") {
            variables.push(self.pattern()?);
        }
        self.expect_kw("IN")?;
        let graph_start = self.here();
        let (source, path_options) = if let Some(direction) = self.direction() {
            self.graph_source(None, direction, graph_start)?
        } else {
            let saved = std::mem::replace(&mut self.in_graph_depth, true);
            let expr = self.expr();
            self.in_graph_depth = saved;
            let expr = expr?;
            if let Some(direction) = self.direction() {
                self.graph_source(Some(expr), direction, graph_start)?
            } else {
                (ForSource::Expr { expr, search: None }, None)
            }
        };
        // How many variables each kind of FOR declares (checked by the
        // server when it reduces the FOR, reported at the FOR).
        let (max, message) = match &source {
            ForSource::Expr { .. } => (
                1,
                "Collections and views FOR loops only allow a single return variable",
            ),
            ForSource::Traversal { .. } => {
                (3, "Traversals only have one, two or three return variables")
            }
            ForSource::Path {
                kind: PathKind::ShortestPath,
                ..
            } => (2, "SHORTEST_PATH must have one or two return variables"),
            ForSource::Path {
                kind: PathKind::KShortestPaths,
                ..
            } => (1, "K_SHORTEST_PATHS only has one return variable"),
            ForSource::Path {
                kind: PathKind::KPaths,
                ..
            } => (1, "K_PATHS only has one return variable"),
            ForSource::Path {
                kind: PathKind::AllShortestPaths,
                ..
            } => (1, "ALL_SHORTEST_PATHS only has one return variable"),
        };
        if variables.len() > max {
            // Collections and traversals check in a mid-rule action right
            // after the source, whose location starts where the previous
            // symbol ends: the last character of the source's last token.
            // Path searches check in the rule's final action, at the FOR.
            let at = match &source {
                ForSource::Expr { .. } | ForSource::Traversal { .. } => self
                    .pos
                    .checked_sub(1)
                    .and_then(|i| self.toks.get(i))
                    .map_or(for_position, |t| last_char_location(self.query, t)),
                ForSource::Path { .. } => for_position,
            };
            return Err(SyntaxError::parse(self.query, message, at));
        }
        let mut source = source;
        let options = match &mut source {
            ForSource::Expr { search, expr } => {
                let (found_search, options) = self.for_options()?;
                // grammar.y's for_statement action: SEARCH needs a view
                // (a name or a data source parameter), reported at bison's
                // lookahead. A name that is a variable is not caught here.
                if found_search.is_some()
                    && !matches!(
                        expr.kind,
                        ExprKind::Name(_) | ExprKind::CollectionBindParameter(_)
                    )
                {
                    return Err(SyntaxError::parse(
                        self.query,
                        "SEARCH condition used on non-view",
                        self.location(),
                    ));
                }
                *search = found_search;
                options
            }
            ForSource::Traversal { prune, .. } => {
                let (found_prune, options) = self.prune_and_options()?;
                *prune = found_prune;
                options
            }
            ForSource::Path { .. } => path_options.flatten(),
        };
        Ok(For {
            at: for_position,
            variables,
            source,
            options,
        })
    }

    /// `rule_start`: where the graph part begins (the depth or the
    /// direction), where the server reports a wrong `TO`.
    fn graph_source(
        &mut self,
        depth: Option<Expr>,
        direction: Direction,
        rule_start: Position,
    ) -> PResult<(ForSource, Option<Option<Expr>>)> {
        let kind = [
            ("SHORTEST_PATH", PathKind::ShortestPath),
            ("K_SHORTEST_PATHS", PathKind::KShortestPaths),
            ("K_PATHS", PathKind::KPaths),
            ("ALL_SHORTEST_PATHS", PathKind::AllShortestPaths),
        ]
        .into_iter()
        .find(|(word, _)| self.is_kw(word))
        .map(|(_, kind)| kind);
        if let Some(kind) = kind {
            // Only K_PATHS takes a depth (`1..3 OUTBOUND K_PATHS`), like a
            // traversal; the other path searches take a bare direction.
            if depth.is_some() && kind != PathKind::KPaths {
                let token = self.peek().expect("a path keyword was peeked");
                return Err(self.unexpected_token(token, None));
            }
            self.pos += 1;
        }
        let start = self.expr()?;
        if let Some(kind) = kind {
            // Any name here, checked after the fact like a qualifier.
            let separator = match self.peek() {
                Some(t) if t.is_name() => self.qualifier(),
                _ => return Err(self.error("expression")),
            };
            let target = self.expr()?;
            let graph = self.graph()?;
            // `options` is part of the path rule; the TO check runs when the
            // rule is reduced, after it.
            let options = self.options()?;
            if !separator.eq_ignore_ascii_case("TO") {
                return Err(SyntaxError::parse(
                    self.query,
                    &format!("unexpected qualifier '{separator}', expecting 'TO'"),
                    rule_start,
                ));
            }
            return Ok((
                ForSource::Path {
                    kind,
                    depth,
                    direction,
                    start,
                    target,
                    graph,
                },
                Some(options),
            ));
        }
        let graph = self.graph()?;
        let prune = None;
        Ok((
            ForSource::Traversal {
                depth,
                direction,
                start,
                graph,
                prune,
            },
            None,
        ))
    }

    fn graph(&mut self) -> PResult<Graph> {
        if self.eat_kw("GRAPH") {
            // A name, a quoted string or a bind parameter.
            return match self.peek() {
                Some(t)
                    if t.is_name()
                        || matches!(
                            t.kind,
                            TokenKind::String
                                | TokenKind::BindParameter
                                | TokenKind::CollectionBindParameter
                        ) =>
                {
                    Ok(Graph::Named(self.primary_token()?))
                }
                _ => Err(self.error(
                    "identifier or quoted string or bind parameter or bind data source parameter",
                )),
            };
        }
        let mut collections = Vec::new();
        loop {
            let direction = self.direction();
            let collection = match self.peek() {
                Some(t)
                    if t.is_name()
                        || matches!(
                            t.kind,
                            TokenKind::BindParameter | TokenKind::CollectionBindParameter
                        ) =>
                {
                    self.primary_token()?
                }
                // graph_collection: after a direction only a name or a bind
                // parameter fits; before one, six tokens (no list).
                _ if direction.is_some() => {
                    return Err(
                        self.error("identifier or bind parameter or bind data source parameter")
                    )
                }
                _ => return Err(self.error("expression")),
            };
            collections.push((direction, collection));
            if !self.eat_punct(",") {
                break;
            }
        }
        Ok(Graph::Collections(collections))
    }

    /// A collection: a name, a string, `@@c` or `@c`.
    fn collection(&mut self) -> PResult<Expr> {
        match self.peek() {
            Some(t)
                if t.is_name()
                    || matches!(
                        t.kind,
                        TokenKind::String
                            | TokenKind::BindParameter
                            | TokenKind::CollectionBindParameter
                    ) =>
            {
                self.primary_token()
            }
            _ => Err(self.error("collection name")),
        }
    }

    fn assignments(&mut self) -> PResult<Vec<Assignment>> {
        let mut out = Vec::new();
        loop {
            let name = self.ident()?;
            self.expect_punct("=")?;
            out.push(Assignment {
                name,
                value: self.expr()?,
            });
            if !self.eat_punct(",") {
                return Ok(out);
            }
        }
    }

    fn collect(&mut self, at: Position) -> PResult<Collect> {
        let mut collect = Collect {
            at,
            groups: Vec::new(),
            aggregates: Vec::new(),
            into: None,
            keep: Vec::new(),
            count_into: None,
            options: None,
            end: at,
        };
        // After COLLECT: `WITH name INTO` (count_into), AGGREGATE, or the
        // group list; anything else is reduced to an empty mid-rule action
        // first, after which bison expects a group's name.
        let count_only = self.is_kw("WITH");
        if !count_only && !self.is_kw("AGGREGATE") {
            if !self.peek().is_some_and(|t| t.is_name()) {
                return Err(self.error("identifier"));
            }
            collect.groups = self.assignments()?;
        }
        if self.eat_kw("AGGREGATE") {
            collect.aggregates = self.aggregates()?;
        }
        if self.eat_kw("INTO") {
            let name = self.ident()?;
            let projection = if self.eat_punct("=") {
                Some(self.expr()?)
            } else {
                None
            };
            collect.into = Some((name, projection));
        }
        // grammar.y's `keep`: any name then variable names, after groups
        // (without AGGREGATE); checked after the fact like a qualifier.
        if !collect.groups.is_empty()
            && collect.aggregates.is_empty()
            && !self.is_kw("WITH")
            && self.peek().is_some_and(|t| t.is_name())
            && self.peek_at(1).is_none_or(|t| t.text != "{")
        {
            // The name is `keep` unless `{` follows (then `options`); the
            // keep action checks it once that lookahead was read.
            let qualifier = self.qualifier();
            if !qualifier.eq_ignore_ascii_case("KEEP") {
                return Err(self.qualifier_error(&qualifier, "'KEEP'"));
            }
            loop {
                collect.keep.push(self.ident()?);
                if !self.eat_punct(",") {
                    break;
                }
            }
            if collect.into.is_none() {
                return Err(SyntaxError::parse(
                    self.query,
                    "use of 'KEEP' without 'INTO'",
                    self.location(),
                ));
            }
        }
        // `WITH COUNT INTO` goes with groups only: not with AGGREGATE or INTO.
        if self.is_kw("WITH") && collect.aggregates.is_empty() && collect.into.is_none() {
            // count_into: `WITH name INTO variable`, the name checked by the
            // action, reported at the variable (the last token read).
            self.pos += 1;
            if !self.peek().is_some_and(|t| t.is_name()) {
                return Err(self.error("identifier"));
            }
            let qualifier = self.qualifier();
            self.expect_kw("INTO")?;
            let at = self.location();
            collect.count_into = Some(self.ident()?);
            if !qualifier.eq_ignore_ascii_case("COUNT") {
                return Err(SyntaxError::parse(
                    self.query,
                    &format!("unexpected qualifier '{qualifier}', expecting 'COUNT'"),
                    at,
                ));
            }
        }
        collect.options = self.options()?;
        collect.end = self.here();
        Ok(collect)
    }

    fn window(&mut self, at: Position) -> PResult<Window> {
        // `WINDOW { bounds }` or `WINDOW range WITH { bounds }`: the bounds
        // are an object literal.
        let first = self.expr()?;
        let (range, bounds) = if self.eat_kw("WITH") {
            if !self.is_punct("{") {
                return Err(self.error("{"));
            }
            (Some(first), self.expr()?)
        } else if matches!(first.kind, ExprKind::Object(_)) {
            (None, first)
        } else {
            // The expression could still go on with an operator.
            return Err(self.error("expression"));
        };
        if !self.eat_kw("AGGREGATE") {
            // After `WITH object` only AGGREGATE fits; after a bare object
            // the object could still be the start of an expression.
            return Err(if range.is_some() {
                self.error_listing("AGGREGATE keyword")
            } else {
                self.error("expression")
            });
        }
        let aggregates = self.aggregates()?;
        self.validate_window_bounds(&bounds)?;
        Ok(Window {
            at,
            range,
            bounds,
            aggregates,
            end: self.here(),
        })
    }

    /// grammar.y's `validateWindowSpec`, run when the WINDOW is reduced
    /// (reported at bison's lookahead, the token after the aggregates):
    /// at least one bound, only `preceding` and `following`, each once.
    fn validate_window_bounds(&self, bounds: &Expr) -> PResult<()> {
        let ExprKind::Object(entries) = &bounds.kind else {
            return Ok(());
        };
        let fail = |message: String| Err(SyntaxError::parse(self.query, &message, self.location()));
        if entries.is_empty() {
            return fail(
                "At least one WINDOW bound must be specified ('preceding'/'following')".to_string(),
            );
        }
        let mut seen: Vec<&str> = Vec::new();
        for (key, _) in entries {
            let ObjectKey::Name(name) = key else {
                continue;
            };
            if name != "preceding" && name != "following" {
                return fail(format!(
                    "Invalid WINDOW attribute '{name}'; only \"preceding\" and \"following\" are supported"
                ));
            }
            if seen.contains(&name.as_str()) {
                return fail(format!(
                    "WINDOW attribute '{name}' is specified multiple times"
                ));
            }
            seen.push(name);
        }
        Ok(())
    }

    /// `AGGREGATE a = F(...), ...`: each value is a function call, by syntax.
    fn aggregates(&mut self) -> PResult<Vec<Assignment>> {
        let mut out = Vec::new();
        loop {
            let name = self.ident()?;
            self.expect_punct("=")?;
            if !self.peek().is_some_and(|t| t.is_name()) {
                return Err(self.error("identifier"));
            }
            let value = self.primary()?;
            if !matches!(value.kind, ExprKind::Call { .. }) {
                // aggregate_function_call: `function_name T_OPEN`, and a
                // function_name may go on with `::`.
                return Err(self.error_listing(":: or ("));
            }
            out.push(Assignment { name, value });
            if !self.eat_punct(",") {
                return Ok(out);
            }
        }
    }

    fn in_collection(&mut self) -> PResult<Expr> {
        loop {
            if self.eat_kw("INTO") {
                // in_or_into_collection_name, nothing else, after INTO.
                if !self.collection_follows() {
                    return Err(
                        self.error("identifier or quoted string or bind data source parameter")
                    );
                }
                return self.collection();
            }
            if !self.is_kw("IN") {
                return Err(self.error("keyword IN or INTO"));
            }
            self.pos += 1;
            if self.collection_follows() {
                return self.collection();
            }
            // Not `in_or_into_collection_name` (a name, a quoted string or
            // `@@c`, then no operator): bison takes `IN` as the operator of
            // `document IN expression` and wants `IN`/`INTO` after it.
            self.expr_without_in()?;
        }
    }

    /// Whether the tokens after a modification's `IN` are a collection name
    /// that ends there. Bison chooses between `in_or_into_collection_name`
    /// and an operand of the `IN` operator by the token after the name.
    fn collection_follows(&self) -> bool {
        let is_name = self.peek().is_some_and(|t| {
            t.is_name()
                || matches!(
                    t.kind,
                    TokenKind::String | TokenKind::CollectionBindParameter
                )
        });
        let continues = self.peek_at(1).is_some_and(|t| {
            matches!(t.text, "." | "[" | "(" | "::" | "?" | "..")
                || ["ALL", "ANY", "NONE", "AT LEAST"]
                    .iter()
                    .any(|k| t.is_keyword(k))
        }) || self.peek_binary(1).is_some();
        is_name && !continues
    }

    fn modification(&mut self, word: &str, at: Position) -> PResult<Modification> {
        let kind = match word {
            "INSERT" => ModificationKind::Insert,
            "UPDATE" => ModificationKind::Update,
            "REPLACE" => ModificationKind::Replace,
            "REMOVE" => ModificationKind::Remove,
            _ => ModificationKind::Upsert,
        };
        let mut m = Modification {
            at,
            kind,
            target: Expr {
                start: self.here(),
                kind: ExprKind::Null,
            },
            with: None,
            upsert_update: None,
            upsert_filter: false,
            collection: Expr {
                start: self.here(),
                kind: ExprKind::Null,
            },
            options: None,
            end: at,
        };
        if kind == ModificationKind::Upsert {
            // `UPSERT FILTER condition` (3.12) or `UPSERT { ... }` / `UPSERT @doc`.
            m.upsert_filter = self.eat_kw("FILTER");
            if !m.upsert_filter
                && !self
                    .peek()
                    .is_some_and(|t| t.text == "{" || t.kind == TokenKind::BindParameter)
            {
                return Err(self.error(
                    "FILTER declaration or bind parameter or bind data source parameter or {",
                ));
            }
            m.target = if m.upsert_filter {
                self.expr()?
            } else {
                self.primary()?
            };
            self.expect_kw("INSERT")?;
            m.with = Some(self.expr()?);
            let replace = if self.eat_kw("UPDATE") {
                false
            } else if self.eat_kw("REPLACE") {
                true
            } else {
                return Err(self.error("keyword UPDATE or REPLACE"));
            };
            m.upsert_update = Some((replace, self.expr_without_in()?));
        } else {
            m.target = self.expr_without_in()?;
            if matches!(kind, ModificationKind::Update | ModificationKind::Replace)
                && self.eat_kw("WITH")
            {
                m.with = Some(self.expr_without_in()?);
            }
        }
        m.collection = self.in_collection()?;
        m.options = self.options()?;
        m.end = self.here();
        Ok(m)
    }

    // ---- expressions ---------------------------------------------------

    /// An expression in which a top-level `IN` ends the expression.
    fn expr_without_in(&mut self) -> PResult<Expr> {
        let saved = std::mem::replace(&mut self.allow_in, false);
        let result = self.expr();
        self.allow_in = saved;
        result
    }

    /// An expression inside brackets, where `IN` is an operator again.
    fn expr_with_in(&mut self) -> PResult<Expr> {
        let saved = std::mem::replace(&mut self.allow_in, true);
        let result = self.expr();
        self.allow_in = saved;
        result
    }

    fn expr(&mut self) -> PResult<Expr> {
        self.enter()?;
        let result = crate::stack::grow(|| self.ternary());
        self.depth -= 1;
        result
    }

    fn ternary(&mut self) -> PResult<Expr> {
        let condition = self.binary(0)?;
        if !self.eat_punct("?") {
            return Ok(condition);
        }
        let start = condition.start;
        if self.eat_punct(":") {
            let otherwise = self.expr()?;
            return Ok(Expr {
                start,
                kind: ExprKind::Ternary {
                    condition: Box::new(condition),
                    then: None,
                    otherwise: Box::new(otherwise),
                },
            });
        }
        let then = self.expr()?;
        self.expect_punct(":")?;
        let otherwise = self.expr()?;
        Ok(Expr {
            start,
            kind: ExprKind::Ternary {
                condition: Box::new(condition),
                then: Some(Box::new(then)),
                otherwise: Box::new(otherwise),
            },
        })
    }

    /// The binary operator at the current token: its operator, its
    /// precedence and how many tokens it spans. `NOT IN`/`NOT LIKE` span two.
    fn peek_binary(&self, at: usize) -> Option<(BinaryOp, u8, usize)> {
        let t = self.peek_at(at)?;
        let op = match t.kind {
            TokenKind::Keyword => {
                let w = t.text.to_ascii_uppercase();
                match w.as_str() {
                    "OR" => (BinaryOp::Or, 1, 1),
                    "AND" => (BinaryOp::And, 2, 1),
                    "LIKE" => (BinaryOp::Like, 3, 1),
                    "IN" => (BinaryOp::In, 4, 1),
                    "NOT" => {
                        let next = self.peek_at(at + 1)?;
                        if next.is_keyword("IN") {
                            (BinaryOp::NotIn, 4, 2)
                        } else if next.is_keyword("LIKE") {
                            (BinaryOp::NotLike, 3, 2)
                        } else if next.kind == TokenKind::Operator && next.text == "=~" {
                            (BinaryOp::RegexNonMatch, 3, 2)
                        } else if next.kind == TokenKind::Operator && next.text == "!~" {
                            (BinaryOp::RegexMatch, 3, 2)
                        } else {
                            return None;
                        }
                    }
                    _ => return None,
                }
            }
            TokenKind::Operator => match t.text {
                "||" => (BinaryOp::Or, 1, 1),
                "&&" => (BinaryOp::And, 2, 1),
                "==" => (BinaryOp::Eq, 3, 1),
                "!=" => (BinaryOp::Ne, 3, 1),
                "=~" => (BinaryOp::RegexMatch, 3, 1),
                "!~" => (BinaryOp::RegexNonMatch, 3, 1),
                "<" => (BinaryOp::Lt, 5, 1),
                "<=" => (BinaryOp::Le, 5, 1),
                ">" => (BinaryOp::Gt, 5, 1),
                ">=" => (BinaryOp::Ge, 5, 1),
                "+" => (BinaryOp::Add, 7, 1),
                "-" => (BinaryOp::Sub, 7, 1),
                "*" => (BinaryOp::Mul, 8, 1),
                "/" => (BinaryOp::Div, 8, 1),
                "%" => (BinaryOp::Mod, 8, 1),
                _ => return None,
            },
            TokenKind::Range => (BinaryOp::Range, 6, 1),
            _ => return None,
        };
        Some(op)
    }

    /// `ALL`/`ANY`/`NONE`/`AT LEAST (n)` before a comparison operator.
    /// Operators the grammar shifts after an expression but that cannot go
    /// on as they do here: a quantifier (`ALL`, `ANY`, `NONE`, `AT LEAST`)
    /// not followed by a comparison, or `!`/`NOT` not followed by `LIKE`,
    /// `=~` or `!~`. Bison reports the token after them.
    fn check_dangling_operator(&self, min_prec: u8) -> PResult<()> {
        let Some(t) = self.peek() else {
            return Ok(());
        };
        // Quantifiers and `NOT LIKE` sit at the comparison levels.
        if min_prec > 3 {
            return Ok(());
        }
        let next = self.peek_at(1);
        let fail = |at: Option<Token<'q>>, expecting: Option<&str>| match at {
            Some(token) => Err(self.unexpected_token(token, expecting)),
            None => Err(self.end_error(expecting)),
        };
        if t.is_keyword("ALL") || t.is_keyword("ANY") || t.is_keyword("NONE") {
            if self.quantified_op(1).is_none() && self.allow_in_quantifier(t) {
                return fail(next, None);
            }
        } else if t.is_keyword("AT LEAST") {
            if next.is_none_or(|n| n.text != "(") {
                return fail(next, Some("("));
            }
        } else if (t.is_keyword("NOT") || (t.kind == TokenKind::Operator && t.text == "!"))
            && !next.is_some_and(|n| n.is_keyword("IN"))
        {
            let ok = next.is_some_and(|n| {
                n.is_keyword("LIKE")
                    || (n.kind == TokenKind::Operator && matches!(n.text, "=~" | "!~"))
            });
            if !ok {
                return fail(next, Some("~= operator or ~! operator or like operator"));
            }
        }
        Ok(())
    }

    /// `ANY` after an expression is a graph direction in `FOR ... IN`
    /// (`1..2 ANY "v/1" edges`): then it is not a quantifier.
    fn allow_in_quantifier(&self, quantifier: Token<'q>) -> bool {
        !(self.in_graph_depth && quantifier.is_keyword("ANY"))
    }

    fn peek_quantified(&self) -> Option<(usize, bool)> {
        let t = self.peek()?;
        if t.is_keyword("ALL") || t.is_keyword("ANY") || t.is_keyword("NONE") {
            return self.quantified_op(1);
        }
        if t.is_keyword("AT LEAST") && self.peek_at(1).is_some_and(|t| t.text == "(") {
            return Some((0, true));
        }
        None
    }

    fn quantified_op(&self, at: usize) -> Option<(usize, bool)> {
        let (op, _, _) = self.peek_binary(at)?;
        matches!(
            op,
            BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge
                | BinaryOp::In
                | BinaryOp::NotIn
        )
        .then_some((at, false))
    }

    fn binary(&mut self, min_prec: u8) -> PResult<Expr> {
        let mut left = self.unary()?;
        loop {
            self.check_dangling_operator(min_prec)?;
            if let Some((_, at_least)) = self.peek_quantified() {
                let prec = 3;
                if prec < min_prec {
                    break;
                }
                let quantifier = if at_least {
                    self.pos += 2;
                    let n = self.expr()?;
                    self.expect_after_expression(")")?;
                    Quantifier::AtLeast(Box::new(n))
                } else {
                    let t = self.peek().expect("peeked");
                    self.pos += 1;
                    if t.is_keyword("ALL") {
                        Quantifier::All
                    } else if t.is_keyword("ANY") {
                        Quantifier::Any
                    } else {
                        Quantifier::None
                    }
                };
                let Some((op, op_prec, len)) = self.peek_binary(0) else {
                    return Err(self.error("comparison operator"));
                };
                self.pos += len;
                let right = self.binary(op_prec + 1)?;
                left = Expr {
                    start: left.start,
                    kind: ExprKind::ArrayComparison {
                        quantifier,
                        op,
                        left: Box::new(left),
                        right: Box::new(right),
                    },
                };
                continue;
            }
            let Some((op, prec, len)) = self.peek_binary(0) else {
                break;
            };
            if prec < min_prec || (!self.allow_in && matches!(op, BinaryOp::In | BinaryOp::NotIn)) {
                break;
            }
            self.pos += len;
            self.enter()?;
            let right = self.binary(prec + 1);
            self.depth -= 1;
            let right = right?;
            left = Expr {
                start: left.start,
                kind: ExprKind::Binary(op, Box::new(left), Box::new(right)),
            };
        }
        Ok(left)
    }

    fn unary(&mut self) -> PResult<Expr> {
        let Some(t) = self.peek() else {
            return Err(self.error("expression"));
        };
        let op = if t.kind == TokenKind::Operator && t.text == "!" || t.is_keyword("NOT") {
            Some(UnaryOp::Not)
        } else if t.kind == TokenKind::Operator && t.text == "-" {
            Some(UnaryOp::Minus)
        } else if t.kind == TokenKind::Operator && t.text == "+" {
            Some(UnaryOp::Plus)
        } else {
            None
        };
        let Some(op) = op else {
            return self.postfix();
        };
        self.pos += 1;
        self.enter()?;
        let operand = crate::stack::grow(|| self.unary());
        self.depth -= 1;
        Ok(Expr {
            start: t.span.start,
            kind: ExprKind::Unary(op, Box::new(operand?)),
        })
    }

    fn postfix(&mut self) -> PResult<Expr> {
        let mut expr = self.primary()?;
        // `.`, `[...]` follow a `reference`; grammar.y's `value_literal`
        // (string, number, null, true, false) takes neither.
        if matches!(
            expr.kind,
            ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::String(_)
        ) {
            return Ok(expr);
        }
        loop {
            let start = expr.start;
            if self.eat_punct(".") {
                let attribute = match self.peek() {
                    Some(t) if t.is_name() => {
                        self.pos += 1;
                        t.value().into_owned()
                    }
                    Some(t) if t.kind == TokenKind::BindParameter => {
                        self.pos += 1;
                        format!("@{}", t.value())
                    }
                    // `reference '.' bind_parameter` takes `@@name` too.
                    Some(t) if t.kind == TokenKind::CollectionBindParameter => {
                        self.pos += 1;
                        format!("@@{}", t.value())
                    }
                    _ => return Err(self.error("attribute name")),
                };
                expr = Expr {
                    start,
                    kind: ExprKind::Attribute(Box::new(expr), attribute),
                };
            } else if self.is_punct("[") {
                self.pos += 1;
                expr = self.bracket_suffix(expr)?;
            } else {
                return Ok(expr);
            }
        }
    }

    /// After `[`: an index, an expansion `[*]`/`[**]` or a question mark
    /// operator `[? ...]`.
    fn bracket_suffix(&mut self, base: Expr) -> PResult<Expr> {
        let start = base.start;
        if self.is_punct("*") {
            let mut depth = 0;
            while self.eat_punct("*") {
                depth += 1;
            }
            if self.starts_quantified_filter() {
                // grammar.y accepts `[* quantifier FILTER ...]` and then
                // rejects it in the action, at the closing `]`.
                self.quantified_filter()?;
                let _ = self.inline()?;
                let close = self.location();
                self.expect_punct("]")?;
                return Err(SyntaxError::parse(
                    self.query,
                    "unexpected quantifier value found for array expansion operation.",
                    close,
                ));
            }
            let inline = self.inline()?;
            self.expect_punct("]")?;
            return Ok(Expr {
                start,
                kind: ExprKind::Expansion {
                    base: Box::new(base),
                    depth,
                    inline,
                },
            });
        }
        if self.eat_punct("?") {
            // `[??...]` repeats the operator like `[**]`.
            while self.eat_punct("?") {}
            // optional_array_filter may be empty: where no filter starts,
            // default reductions leave only `]` expected.
            if !self.is_kw("FILTER") && !self.is_punct("]") && !self.starts_quantified_filter() {
                return Err(self.error("]"));
            }
            let quantifier = if self.eat_kw("ALL") {
                Some(Quantifier::All)
            } else if self.eat_kw("ANY") {
                Some(Quantifier::Any)
            } else if self.eat_kw("NONE") {
                Some(Quantifier::None)
            } else if self.eat_kw("AT LEAST") {
                self.expect_punct("(")?;
                let n = self.expr_with_in()?;
                self.expect_after_expression(")")?;
                Some(Quantifier::AtLeast(Box::new(n)))
            } else if self.is_kw("FILTER") || self.is_punct("]") {
                None
            } else {
                let count = self.expr_with_in()?;
                if !self.is_kw("FILTER") {
                    // `expression T_FILTER`: the count may still go on.
                    return Err(self.error("expression"));
                }
                Some(Quantifier::AtLeast(Box::new(count)))
            };
            if quantifier.is_some() && !self.is_kw("FILTER") {
                return Err(self.error("FILTER declaration"));
            }
            // Only a FILTER here; LIMIT and RETURN belong to `[*]`.
            let mut inline = Inline {
                filter: None,
                limit: None,
                project: None,
            };
            if self.eat_kw("FILTER") {
                inline.filter = Some(Box::new(self.expr_with_in()?));
            }
            self.expect_punct("]")?;
            return Ok(Expr {
                start,
                kind: ExprKind::Question {
                    base: Box::new(base),
                    quantifier,
                    inline,
                },
            });
        }
        let index = self.expr_with_in()?;
        self.expect_after_expression("]")?;
        Ok(Expr {
            start,
            kind: ExprKind::Index(Box::new(base), Box::new(index)),
        })
    }

    /// Whether an `optional_array_filter` with a quantifier or a count
    /// starts here (`ALL`, `ANY`, `NONE`, `AT LEAST`, or an expression).
    fn starts_quantified_filter(&self) -> bool {
        ["ALL", "ANY", "NONE", "AT LEAST"]
            .iter()
            .any(|k| self.is_kw(k))
            || self.starts_expression()
    }

    /// `quantifier FILTER`, `AT LEAST (n) FILTER` or `count FILTER`, up to
    /// and including the FILTER keyword and its condition.
    fn quantified_filter(&mut self) -> PResult<(Quantifier, Expr)> {
        let quantifier = if self.eat_kw("ALL") {
            Quantifier::All
        } else if self.eat_kw("ANY") {
            Quantifier::Any
        } else if self.eat_kw("NONE") {
            Quantifier::None
        } else if self.eat_kw("AT LEAST") {
            self.expect_punct("(")?;
            let n = self.expr_with_in()?;
            self.expect_after_expression(")")?;
            Quantifier::AtLeast(Box::new(n))
        } else {
            let n = self.expr_with_in()?;
            if !self.is_kw("FILTER") {
                // Any operator could still continue the count.
                return Err(self.error("expression"));
            }
            Quantifier::AtLeast(Box::new(n))
        };
        if !self.eat_kw("FILTER") {
            return Err(self.error("FILTER declaration"));
        }
        Ok((quantifier, self.expr_with_in()?))
    }

    fn inline(&mut self) -> PResult<Inline> {
        let mut inline = Inline {
            filter: None,
            limit: None,
            project: None,
        };
        if self.eat_kw("FILTER") {
            inline.filter = Some(Box::new(self.expr_with_in()?));
        }
        if self.eat_kw("LIMIT") {
            let first = self.expr_with_in()?;
            inline.limit = Some(if self.eat_punct(",") {
                (Some(Box::new(first)), Box::new(self.expr_with_in()?))
            } else {
                (None, Box::new(first))
            });
        }
        if self.eat_kw("RETURN") {
            inline.project = Some(Box::new(self.expr_with_in()?));
        }
        Ok(inline)
    }

    /// A single-token operand (name, literal, bind parameter).
    fn primary_token(&mut self) -> PResult<Expr> {
        let Some(t) = self.peek() else {
            return Err(self.error("expression"));
        };
        let kind = match t.kind {
            // `significant` turns a keyword before `:` into a name for object
            // keys; in `c ? null : x` it is still the literal.
            TokenKind::Identifier if t.text.eq_ignore_ascii_case("null") => ExprKind::Null,
            TokenKind::Identifier if t.text.eq_ignore_ascii_case("true") => ExprKind::Bool(true),
            TokenKind::Identifier if t.text.eq_ignore_ascii_case("false") => ExprKind::Bool(false),
            TokenKind::Identifier | TokenKind::QuotedName => ExprKind::Name(t.value().into_owned()),
            TokenKind::String => ExprKind::String(t.value().into_owned()),
            TokenKind::Number => ExprKind::Number(t.text.to_string()),
            TokenKind::BindParameter => ExprKind::BindParameter(t.value().into_owned()),
            TokenKind::CollectionBindParameter => {
                ExprKind::CollectionBindParameter(t.value().into_owned())
            }
            TokenKind::Keyword if t.is_keyword("NULL") => ExprKind::Null,
            TokenKind::Keyword if t.is_keyword("TRUE") => ExprKind::Bool(true),
            TokenKind::Keyword if t.is_keyword("FALSE") => ExprKind::Bool(false),
            _ => return Err(self.error("expression")),
        };
        self.pos += 1;
        Ok(Expr {
            start: t.span.start,
            kind,
        })
    }

    fn starts_query(&self) -> bool {
        self.peek().is_some_and(|t| {
            t.kind == TokenKind::Keyword && OPERATIONS.iter().any(|w| t.is_keyword(w))
        })
    }

    fn primary(&mut self) -> PResult<Expr> {
        let Some(t) = self.peek() else {
            return Err(self.error("expression"));
        };
        let start = t.span.start;
        // `LIKE` starts an expression only as `T_LIKE T_OPEN` (a call).
        if t.is_keyword("LIKE") && self.peek_at(1).is_none_or(|n| n.text != "(") {
            return Err(self.error_after(1, "("));
        }
        // Function calls: `NAME(`, `NS::NAME(`, and `LIKE(`, the only keyword
        // that is also a function name.
        if (t.is_name() || t.is_keyword("LIKE"))
            && self
                .peek_at(1)
                .is_some_and(|n| n.text == "(" || n.text == "::")
        {
            let mut name = t.text.to_ascii_uppercase();
            self.pos += 1;
            while self.eat_punct("::") {
                let part = self.name()?;
                name.push_str("::");
                name.push_str(&part.to_ascii_uppercase());
            }
            if !self.eat_punct("(") {
                // `function_name: function_name T_SCOPE T_STRING` goes on
                // with `::` or the call's `(`.
                return Err(self.error_listing(":: or ("));
            }
            let args = self.list(")", true)?;
            return Ok(Expr {
                start,
                kind: ExprKind::Call { name, args },
            });
        }
        if t.text == "(" && t.kind == TokenKind::Punctuation {
            self.pos += 1;
            self.enter()?;
            let saved = std::mem::replace(&mut self.allow_in, true);
            let inner = if self.starts_query() {
                self.query().map(|q| Expr {
                    start,
                    kind: ExprKind::Subquery(Box::new(q)),
                })
            } else {
                self.expr_with_in()
            };
            self.allow_in = saved;
            self.depth -= 1;
            let inner = inner?;
            if let ExprKind::Subquery(q) = &inner.kind {
                // `T_OPEN query T_CLOSE`: after a final RETURN only `)`
                // fits. After a data modification's collection, bison
                // decides between a collection name and an `IN` operand by
                // the next token: the end of the query reduces to the
                // complete subquery (then only `)` fits), other tokens are
                // rejected before that, naming nothing.
                if matches!(q.body.last(), Some(Statement::Return { .. })) || self.peek().is_none()
                {
                    self.expect_punct(")")?;
                } else {
                    self.expect_after_expression(")")?;
                }
            } else {
                self.expect_after_expression(")")?;
            }
            return Ok(inner);
        }
        if t.text == "[" && t.kind == TokenKind::Punctuation {
            self.pos += 1;
            let items = self.list("]", false)?;
            return Ok(Expr {
                start,
                kind: ExprKind::Array(items),
            });
        }
        if t.text == "{" && t.kind == TokenKind::Punctuation {
            self.pos += 1;
            return self.object(start);
        }
        self.primary_token()
    }

    /// Comma-separated expressions up to `close` (a trailing comma allowed).
    /// `...x` spreads (4.x); bare subqueries where `queries` (call
    /// arguments: `LENGTH(FOR x IN c RETURN x)`).
    /// `queries` is true for a call's arguments, false for an array
    /// literal.
    fn list(&mut self, close: &str, queries: bool) -> PResult<Vec<Expr>> {
        let mut items = Vec::new();
        self.enter()?;
        while !self.eat_punct(close) {
            // An array's element list is optional and may end with a comma
            // (`optional_array_elements`), so default reductions leave only
            // `]` expected where no element starts. Call arguments take no
            // trailing comma, and bison names nothing there.
            let spread = self.is_punct("...");
            if !queries && !spread && !self.starts_expression() {
                return Err(self.error(close));
            }
            items.push(self.list_item(queries)?);
            if !self.eat_punct(",") {
                self.expect_punct(close)?;
                break;
            }
            if queries && self.is_punct(close) {
                return Err(self.error("expression"));
            }
        }
        self.depth -= 1;
        Ok(items)
    }

    fn list_item(&mut self, queries: bool) -> PResult<Expr> {
        let start = self.here();
        if queries && self.starts_query() {
            let saved = std::mem::replace(&mut self.allow_in, true);
            let query = self.query();
            self.allow_in = saved;
            return Ok(Expr {
                start,
                kind: ExprKind::Subquery(Box::new(query?)),
            });
        }
        if self.eat_punct("...") {
            return Ok(Expr {
                start,
                kind: ExprKind::Spread(Box::new(self.expr_with_in()?)),
            });
        }
        self.expr_with_in()
    }

    fn object(&mut self, start: Position) -> PResult<Expr> {
        let mut entries = Vec::new();
        self.enter()?;
        while !self.eat_punct("}") {
            let Some(t) = self.peek() else {
                return Err(self.error("}"));
            };
            if t.kind == TokenKind::Operator && t.text == "..." {
                self.pos += 1;
                let value = self.expr_with_in()?;
                entries.push((ObjectKey::Spread, value));
                if !self.eat_punct(",") {
                    self.expect_punct("}")?;
                    break;
                }
                continue;
            }
            let key = match t.kind {
                // Keywords before `:` are identifiers already (`significant`).
                TokenKind::Identifier | TokenKind::QuotedName | TokenKind::String => {
                    self.pos += 1;
                    ObjectKey::Name(t.value().into_owned())
                }
                TokenKind::BindParameter => {
                    self.pos += 1;
                    ObjectKey::Bind(t.value().into_owned())
                }
                TokenKind::Punctuation if t.text == "[" => {
                    self.pos += 1;
                    let k = self.expr_with_in()?;
                    self.expect_after_expression("]")?;
                    ObjectKey::Computed(k)
                }
                // Default reductions close the element list: only `}` is named.
                _ => return Err(self.error("}")),
            };
            let value = if self.eat_punct(":") {
                self.expr_with_in()?
            } else if let (ObjectKey::Name(name), true) = (&key, t.is_name()) {
                Expr {
                    start: t.span.start,
                    kind: ExprKind::Name(name.clone()),
                }
            } else {
                // `object_element_name T_COLON`, `T_PARAMETER T_COLON`,
                // `[ expression ] T_COLON`: only `:` fits.
                return Err(self.error_listing(":"));
            };
            entries.push((key, value));
            if !self.eat_punct(",") {
                self.expect_punct("}")?;
                break;
            }
        }
        self.depth -= 1;
        Ok(Expr {
            start,
            kind: ExprKind::Object(entries),
        })
    }
}
