//! The AQL tokenizer: turns a query string into a flat list of tokens.
//!
//! Invariants:
//! - The tokens of a successful [`tokenize`] cover the input without gaps or
//!   overlaps, so concatenating their `text` gives back the query exactly.
//!   Whitespace and comments are tokens too.
//! - The rules follow ArangoDB's flex scanner (`arangod/Aql/tokens.ll`):
//!   longest match wins, keywords are case-insensitive whole words, and a
//!   character that starts no token is an error ("invalid token").
//! - Positions are 1-based lines and columns. Only `\n` starts a new line (as
//!   flex's `yylineno` does); columns count Unicode scalar values, offsets
//!   count bytes.

use std::borrow::Cow;
use std::fmt;

/// A location in the query text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Position {
    /// Byte offset from the start of the query.
    pub offset: usize,
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, counted in characters (not bytes).
    pub column: u32,
}

impl Position {
    /// The position of the first character of any query.
    pub const START: Position = Position {
        offset: 0,
        line: 1,
        column: 1,
    };
}

impl Default for Position {
    fn default() -> Self {
        Position::START
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// The extent of a token: `start` is its first character, `end` is the
/// position just after its last character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: Position,
    pub end: Position,
}

/// What kind of lexeme a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Blanks, tabs, carriage returns and line feeds (a run of them).
    Whitespace,
    /// `// ...` up to, not including, the line feed.
    LineComment,
    /// `/* ... */`.
    BlockComment,
    /// A string literal in single or double quotes.
    String,
    /// A name quoted with backticks or forward ticks (´, U+00B4).
    QuotedName,
    /// An unquoted name that is not a reserved keyword. Context keywords such
    /// as `OPTIONS` or `KEEP` are identifiers (see [`CONTEXT_KEYWORDS`]).
    Identifier,
    /// A reserved keyword (see [`KEYWORDS`]), in any letter case. `AT LEAST`
    /// is a single keyword token, including the whitespace between the words.
    Keyword,
    /// An integer, decimal, exponent, hexadecimal (`0x`) or binary (`0b`)
    /// literal.
    Number,
    /// `@name`.
    BindParameter,
    /// `@@name`, a collection (data source) bind parameter.
    CollectionBindParameter,
    /// `== != < <= > >= =~ !~ && || ! ? :: = + - * / % ...`
    Operator,
    /// `( ) [ ] { } , : .`
    Punctuation,
    /// `..`
    Range,
}

impl TokenKind {
    /// Whitespace and comments, which the parser ignores.
    pub fn is_trivia(self) -> bool {
        matches!(
            self,
            TokenKind::Whitespace | TokenKind::LineComment | TokenKind::BlockComment
        )
    }
}

/// One lexeme of a query, borrowing its text from the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    pub kind: TokenKind,
    pub text: &'a str,
    pub span: Span,
}

impl<'a> Token<'a> {
    /// Whitespace or a comment.
    pub fn is_trivia(&self) -> bool {
        self.kind.is_trivia()
    }

    /// Whether this is the reserved keyword `word` (case-insensitive).
    /// `AT LEAST` matches whatever whitespace separates the two words.
    pub fn is_keyword(&self, word: &str) -> bool {
        self.kind == TokenKind::Keyword && words_equal(self.text, word)
    }

    /// Whether this is an identifier spelling the context keyword `word`
    /// (case-insensitive), e.g. `OPTIONS`, `PRUNE`, `TO`.
    pub fn is_context_keyword(&self, word: &str) -> bool {
        self.kind == TokenKind::Identifier && self.text.eq_ignore_ascii_case(word)
    }

    /// Whether this is a name: an identifier or a quoted name.
    pub fn is_name(&self) -> bool {
        matches!(self.kind, TokenKind::Identifier | TokenKind::QuotedName)
    }

    /// The token's value: the unescaped content of strings and quoted names,
    /// the name of bind parameters (without `@`/`@@`), and the text otherwise.
    pub fn value(&self) -> Cow<'a, str> {
        match self.kind {
            TokenKind::String | TokenKind::QuotedName => unescape(strip_delimiters(self.text)),
            TokenKind::BindParameter => Cow::Borrowed(self.text.get(1..).unwrap_or_default()),
            TokenKind::CollectionBindParameter => {
                Cow::Borrowed(self.text.get(2..).unwrap_or_default())
            }
            _ => Cow::Borrowed(self.text),
        }
    }
}

/// A lexical error: the query cannot be split into tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    /// The description ArangoDB puts before `near '...'`, e.g.
    /// `unexpected unterminated string literal`.
    pub message: String,
    /// Where the offending token starts (for unterminated strings, names and
    /// comments: their opening delimiter).
    pub position: Position,
}

impl fmt::Display for LexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at position {}", self.message, self.position)
    }
}

impl std::error::Error for LexError {}

/// The reserved keywords of AQL (3.12), upper case. ArangoDB lexes these as
/// keywords in any letter case; they cannot be used as unquoted names.
pub const KEYWORDS: &[&str] = &[
    "AGGREGATE",
    "ALL",
    "ALL_SHORTEST_PATHS",
    "AND",
    "ANY",
    "ASC",
    "COLLECT",
    "DESC",
    "DISTINCT",
    "FALSE",
    "FILTER",
    "FOR",
    "GRAPH",
    "IN",
    "INBOUND",
    "INSERT",
    "INTO",
    "K_PATHS",
    "K_SHORTEST_PATHS",
    "LET",
    "LIKE",
    "LIMIT",
    "NONE",
    "NOT",
    "NULL",
    "OR",
    "OUTBOUND",
    "REMOVE",
    "REPLACE",
    "RETURN",
    "SHORTEST_PATH",
    "SORT",
    "TRUE",
    "UPDATE",
    "UPSERT",
    "WINDOW",
    "WITH",
];

/// Words that ArangoDB 4.x adds to [`KEYWORDS`] for its new operations.
/// They are valid names in 3.12 (`FOR match IN ...`), so they are lexed as
/// identifiers; [`crate::check_syntax`] merely accepts them where a 4.x
/// operation could start, so that 4.x queries are not rejected either.
pub const KEYWORDS_4X: &[&str] = &[
    "FOLD",
    "INNER_JOIN",
    "LEFT_JOIN",
    "MATCH",
    "OUTER_JOIN",
    "RIGHT_JOIN",
    "SCAN",
    "UNTIL",
    "WHILE",
];

/// Words with a special meaning only in some places. They are lexed as
/// identifiers because they remain valid names everywhere else.
pub const CONTEXT_KEYWORDS: &[&str] = &["COUNT", "KEEP", "OPTIONS", "PRUNE", "SEARCH", "TO"];

/// Variables that exist implicitly in some contexts (case-sensitive).
pub const SPECIAL_VARIABLES: &[&str] = &["CURRENT", "NEW", "OLD"];

/// Whether `word` is a reserved keyword (case-insensitive).
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

/// Whether `word` is a context keyword (case-insensitive).
pub fn is_context_keyword(word: &str) -> bool {
    CONTEXT_KEYWORDS
        .iter()
        .any(|k| k.eq_ignore_ascii_case(word))
}

/// Splits `query` into tokens, including whitespace and comments.
pub fn tokenize(query: &str) -> Result<Vec<Token<'_>>, LexError> {
    match lex(query) {
        (tokens, None) => Ok(tokens),
        (_, Some(error)) => Err(error),
    }
}

/// Like [`tokenize`], but also returns the tokens read before a lexical
/// error, because a parser would have reported errors in those first.
pub(crate) fn lex(query: &str) -> (Vec<Token<'_>>, Option<LexError>) {
    let mut lexer = Lexer {
        src: query,
        pos: Position::START,
        tokens: Vec::new(),
    };
    loop {
        match lexer.next_token() {
            Ok(true) => {}
            Ok(false) => return (lexer.tokens, None),
            Err(error) => return (lexer.tokens, Some(error)),
        }
    }
}

/// The message ArangoDB's parser gives for a character that starts no token.
const INVALID_TOKEN: &str = "syntax error, unexpected invalid token";

struct Lexer<'a> {
    src: &'a str,
    pos: Position,
    tokens: Vec<Token<'a>>,
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        self.src.get(self.pos.offset..).unwrap_or_default()
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos.offset += c.len_utf8();
        if c == '\n' {
            self.pos.line += 1;
            self.pos.column = 1;
        } else {
            self.pos.column += 1;
        }
        Some(c)
    }

    /// Advances over `bytes` bytes, which must end on a character boundary.
    fn advance(&mut self, bytes: usize) {
        let target = self.pos.offset + bytes;
        while self.pos.offset < target && self.bump().is_some() {}
    }

    fn invalid_token(&self, start: Position) -> LexError {
        LexError {
            message: INVALID_TOKEN.to_string(),
            position: start,
        }
    }

    /// Reads one token; `Ok(false)` at the end of the input.
    fn next_token(&mut self) -> Result<bool, LexError> {
        let start = self.pos;
        let Some(c) = self.peek() else {
            return Ok(false);
        };
        let rest = self.rest();
        let kind = match c {
            ' ' | '\t' | '\r' | '\n' => {
                let len = rest
                    .find(|c| !matches!(c, ' ' | '\t' | '\r' | '\n'))
                    .unwrap_or(rest.len());
                self.advance(len);
                TokenKind::Whitespace
            }
            '/' if rest.starts_with("//") => {
                self.advance(rest.find('\n').unwrap_or(rest.len()));
                TokenKind::LineComment
            }
            '/' if rest.starts_with("/*") => self.block_comment(start)?,
            '"' | '\'' => self.quoted(
                TokenKind::String,
                "unexpected unterminated string literal",
                start,
            )?,
            '`' | '´' => self.quoted(
                TokenKind::QuotedName,
                "unexpected unterminated identifier",
                start,
            )?,
            '@' => self.bind_parameter(start)?,
            '0'..='9' => self.number(),
            '.' if rest.starts_with("...") => {
                // The 4.x spread operator; 3.12 would read `..` and `.`,
                // which makes no difference to anything this crate checks.
                self.advance(3);
                TokenKind::Operator
            }
            '.' if rest.starts_with("..") => {
                self.advance(2);
                TokenKind::Range
            }
            '.' if rest.as_bytes().get(1).is_some_and(u8::is_ascii_digit) => self.number(),
            '.' => {
                self.advance(1);
                TokenKind::Punctuation
            }
            'a'..='z' | 'A'..='Z' | '_' | '$' => self.word(start)?,
            _ => self.operator_or_punctuation(start)?,
        };
        let text = self
            .src
            .get(start.offset..self.pos.offset)
            .unwrap_or_default();
        self.tokens.push(Token {
            kind,
            text,
            span: Span {
                start,
                end: self.pos,
            },
        });
        Ok(true)
    }

    fn block_comment(&mut self, start: Position) -> Result<TokenKind, LexError> {
        // Comments do not nest: the first `*/` after `/*` ends the comment.
        match self.rest().get(2..).and_then(|body| body.find("*/")) {
            Some(end) => {
                self.advance(2 + end + 2);
                Ok(TokenKind::BlockComment)
            }
            None => Err(LexError {
                message: "unexpected unterminated multi-line comment".to_string(),
                position: start,
            }),
        }
    }

    /// Strings and quoted names: a backslash escapes any character, including
    /// the closing delimiter and a line feed; line feeds may appear unescaped.
    fn quoted(
        &mut self,
        kind: TokenKind,
        unterminated: &str,
        start: Position,
    ) -> Result<TokenKind, LexError> {
        let delimiter = self.bump();
        loop {
            match self.bump() {
                Some('\\') => {
                    if self.bump().is_none() {
                        break;
                    }
                }
                Some(c) if Some(c) == delimiter => return Ok(kind),
                Some(_) => {}
                None => break,
            }
        }
        Err(LexError {
            message: unterminated.to_string(),
            position: start,
        })
    }

    /// `@name` or `@@name`, where name is `_*[A-Za-z0-9][A-Za-z0-9_]*`
    /// (tokens.ll: `_+[a-zA-Z0-9]+[a-zA-Z0-9_]*|[a-zA-Z0-9][a-zA-Z0-9_]*`).
    fn bind_parameter(&mut self, start: Position) -> Result<TokenKind, LexError> {
        let bytes = self.rest().as_bytes();
        let (mut len, kind) = if bytes.get(1) == Some(&b'@') {
            (2, TokenKind::CollectionBindParameter)
        } else {
            (1, TokenKind::BindParameter)
        };
        while bytes.get(len) == Some(&b'_') {
            len += 1;
        }
        if !bytes.get(len).is_some_and(u8::is_ascii_alphanumeric) {
            // flex falls back to returning the lone `@`, which the grammar
            // does not know.
            return Err(self.invalid_token(start));
        }
        while bytes
            .get(len)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            len += 1;
        }
        self.advance(len);
        Ok(kind)
    }

    /// Names are `$?[A-Za-z][A-Za-z0-9_]*` or `_+[A-Za-z][A-Za-z0-9_]*`.
    fn word(&mut self, start: Position) -> Result<TokenKind, LexError> {
        let rest = self.rest();
        let bytes = rest.as_bytes();
        let mut len = 0;
        if bytes.first() == Some(&b'$') {
            len = 1;
        } else {
            while bytes.get(len) == Some(&b'_') {
                len += 1;
            }
        }
        if !bytes.get(len).is_some_and(u8::is_ascii_alphabetic) {
            return Err(self.invalid_token(start));
        }
        while bytes
            .get(len)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            len += 1;
        }
        let word = rest.get(..len).unwrap_or_default();
        if word.eq_ignore_ascii_case("AT") {
            if let Some(extra) = least_after_at(rest.get(len..).unwrap_or_default()) {
                self.advance(len + extra);
                return Ok(TokenKind::Keyword);
            }
        }
        self.advance(len);
        Ok(if is_keyword(word) {
            TokenKind::Keyword
        } else {
            TokenKind::Identifier
        })
    }

    /// Decimal (`0`, `12`, `1.5`, `.5`, `1e-3`), hex (`0xFF`) and binary
    /// (`0b101`) literals. A `.` is only part of a number when a digit follows
    /// it, so `1..3` is number, range, number.
    fn number(&mut self) -> TokenKind {
        let bytes = self.rest().as_bytes();
        let at = |i: usize| bytes.get(i).copied();
        let digits_from = |mut i: usize, ok: fn(&u8) -> bool| {
            while bytes.get(i).is_some_and(ok) {
                i += 1;
            }
            i
        };
        let radix_digit: Option<fn(&u8) -> bool> = match (at(0), at(1)) {
            (Some(b'0'), Some(b'x' | b'X')) => Some(u8::is_ascii_hexdigit),
            (Some(b'0'), Some(b'b' | b'B')) => Some(|b: &u8| matches!(b, b'0' | b'1')),
            _ => None,
        };
        let len = match radix_digit {
            Some(ok) if bytes.get(2).is_some_and(ok) => digits_from(2, ok),
            _ => {
                // flex's integer rule is `0|[1-9][0-9]*`, so a leading zero
                // stands alone.
                let mut i = match at(0) {
                    Some(b'.') => 0,
                    Some(b'0') => 1,
                    _ => digits_from(0, u8::is_ascii_digit),
                };
                if at(i) == Some(b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    i = digits_from(i + 1, u8::is_ascii_digit);
                }
                if matches!(at(i), Some(b'e' | b'E')) {
                    let mut j = i + 1;
                    if matches!(at(j), Some(b'+' | b'-')) {
                        j += 1;
                    }
                    if bytes.get(j).is_some_and(u8::is_ascii_digit) {
                        i = digits_from(j, u8::is_ascii_digit);
                    }
                }
                i
            }
        };
        self.advance(len);
        TokenKind::Number
    }

    fn operator_or_punctuation(&mut self, start: Position) -> Result<TokenKind, LexError> {
        const TWO_CHAR_OPERATORS: &[&str] = &["==", "!=", "<=", ">=", "=~", "!~", "&&", "||", "::"];
        let rest = self.rest();
        if TWO_CHAR_OPERATORS.iter().any(|op| rest.starts_with(op)) {
            self.advance(2);
            return Ok(TokenKind::Operator);
        }
        let kind = match self.peek() {
            Some('=' | '<' | '>' | '!' | '+' | '-' | '*' | '/' | '%' | '?') => TokenKind::Operator,
            Some('(' | ')' | '[' | ']' | '{' | '}' | ',' | ':') => TokenKind::Punctuation,
            _ => return Err(self.invalid_token(start)),
        };
        self.advance(1);
        Ok(kind)
    }
}

/// The tokens a parser sees: no whitespace or comments. A keyword right
/// after `.` or right before `:` is turned into an identifier, because there
/// it can only be an attribute name (`doc.match` in 3.12 queries,
/// `{ filter: 1 }`), and the checks built on this list must not mistake it
/// for the start of an operation.
pub(crate) fn significant<'a>(tokens: &[Token<'a>]) -> Vec<Token<'a>> {
    let mut out: Vec<Token<'a>> = tokens.iter().filter(|t| !t.is_trivia()).copied().collect();
    for i in 0..out.len() {
        let after_dot =
            i > 0 && out[i - 1].kind == TokenKind::Punctuation && out[i - 1].text == ".";
        let before_colon = out
            .get(i + 1)
            .is_some_and(|t| t.kind == TokenKind::Punctuation && t.text == ":");
        if out[i].kind == TokenKind::Keyword && (after_dot || before_colon) {
            out[i].kind = TokenKind::Identifier;
        }
    }
    out
}

fn bracket_step(token: &Token<'_>) -> i32 {
    match (token.kind, token.text) {
        (TokenKind::Punctuation, "(" | "[" | "{") => 1,
        (TokenKind::Punctuation, ")" | "]" | "}") => -1,
        _ => 0,
    }
}

/// The index of the bracket that closes the opening bracket at `open`.
pub(crate) fn closing_bracket(toks: &[Token<'_>], open: usize) -> Option<usize> {
    if bracket_step(toks.get(open)?) != 1 {
        return None;
    }
    let mut level = 0;
    for (i, token) in toks.iter().enumerate().skip(open) {
        level += bracket_step(token);
        if level == 0 {
            return (i > open).then_some(i);
        }
    }
    None
}

/// The index of the bracket that opens the closing bracket at `close`.
pub(crate) fn opening_bracket(toks: &[Token<'_>], close: usize) -> Option<usize> {
    if bracket_step(toks.get(close)?) != -1 {
        return None;
    }
    let mut level = 0;
    for i in (0..=close).rev() {
        level -= bracket_step(toks.get(i)?);
        if level == 0 {
            return (i < close).then_some(i);
        }
    }
    None
}

/// After a word `AT`: the length of `[ \t\r\n]+LEAST` if that follows as a
/// whole word, which makes `AT LEAST` one token as in ArangoDB's scanner.
fn least_after_at(rest: &str) -> Option<usize> {
    let spaces = rest
        .find(|c| !matches!(c, ' ' | '\t' | '\r' | '\n'))
        .unwrap_or(rest.len());
    let word = rest.get(spaces..spaces + 5)?;
    let after = rest.as_bytes().get(spaces + 5);
    let whole_word = !after.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
    (spaces > 0 && word.eq_ignore_ascii_case("LEAST") && whole_word).then_some(spaces + 5)
}

/// Compares word sequences case-insensitively, ignoring how much whitespace
/// separates the words (for `AT LEAST`).
fn words_equal(text: &str, words: &str) -> bool {
    let mut left = text.split_ascii_whitespace();
    let mut right = words.split_ascii_whitespace();
    loop {
        match (left.next(), right.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => {}
            _ => return false,
        }
    }
}

/// The text between the opening and closing delimiter of a quoted token.
fn strip_delimiters(text: &str) -> &str {
    let mut chars = text.chars();
    chars.next();
    chars.next_back();
    chars.as_str()
}

/// Resolves backslash escapes the way ArangoDB does for strings and quoted
/// names: `\n \t \r \b \f \uXXXX` are control characters or code points
/// (UTF-16 surrogate pairs are combined), any other escaped character stands
/// for itself (`\\`, `\'`, `\"`, `\/`, `` \` ``).
fn unescape(inner: &str) -> Cow<'_, str> {
    if !inner.contains('\\') {
        return Cow::Borrowed(inner);
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('u') => match read_hex4(&mut chars) {
                Some(high @ 0xD800..=0xDBFF) => {
                    let mut lookahead = chars.clone();
                    let low = match (lookahead.next(), lookahead.next()) {
                        (Some('\\'), Some('u')) => read_hex4(&mut lookahead),
                        _ => None,
                    };
                    match low {
                        Some(low @ 0xDC00..=0xDFFF) => {
                            chars = lookahead;
                            let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                            out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                        }
                        _ => out.push('\u{FFFD}'),
                    }
                }
                Some(code) => out.push(char::from_u32(code).unwrap_or('\u{FFFD}')),
                None => out.push('u'),
            },
            Some(other) => out.push(other),
            None => {}
        }
    }
    Cow::Owned(out)
}

/// Reads exactly four hex digits; leaves `chars` untouched if they are not.
fn read_hex4(chars: &mut std::str::Chars<'_>) -> Option<u32> {
    let digits = chars.as_str().get(..4)?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let code = u32::from_str_radix(digits, 16).ok()?;
    for _ in 0..4 {
        chars.next();
    }
    Some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(query: &str) -> Vec<(TokenKind, &str)> {
        tokenize(query)
            .unwrap()
            .into_iter()
            .filter(|t| t.kind != TokenKind::Whitespace)
            .map(|t| (t.kind, t.text))
            .collect()
    }

    use TokenKind::*;

    #[test]
    fn tokens_reassemble_the_query() {
        let query = "FOR u IN users // all\n  FILTER u.age >= 18 /* adults */\n  RETURN u";
        let text: std::string::String = tokenize(query).unwrap().iter().map(|t| t.text).collect();
        assert_eq!(text, query);
    }

    #[test]
    fn empty_input_has_no_tokens() {
        assert!(tokenize("").unwrap().is_empty());
    }

    #[test]
    fn keywords_are_case_insensitive() {
        assert_eq!(
            kinds("FOR for For fOr"),
            vec![
                (Keyword, "FOR"),
                (Keyword, "for"),
                (Keyword, "For"),
                (Keyword, "fOr")
            ]
        );
        let tokens = tokenize("return").unwrap();
        assert!(tokens[0].is_keyword("RETURN"));
    }

    #[test]
    fn keyword_prefixes_are_identifiers() {
        assert_eq!(
            kinds("FORx format inner _for"),
            vec![
                (Identifier, "FORx"),
                (Identifier, "format"),
                (Identifier, "inner"),
                (Identifier, "_for")
            ]
        );
    }

    #[test]
    fn context_keywords_are_identifiers() {
        for word in [
            "KEEP", "count", "OPTIONS", "prune", "SEARCH", "TO", "CURRENT", "NEW", "OLD",
        ] {
            assert_eq!(kinds(word), vec![(Identifier, word)], "{word}");
        }
        assert!(tokenize("options").unwrap()[0].is_context_keyword("OPTIONS"));
    }

    #[test]
    fn words_reserved_in_4x_are_identifiers() {
        for word in KEYWORDS_4X {
            assert_eq!(kinds(word), vec![(Identifier, *word)]);
        }
    }

    #[test]
    fn every_keyword_is_a_keyword_token() {
        for word in KEYWORDS {
            assert_eq!(kinds(word), vec![(Keyword, *word)]);
            assert!(is_keyword(&word.to_lowercase()));
        }
        assert!(is_context_keyword("prune"));
        assert!(!is_keyword("prune"));
    }

    #[test]
    fn at_least_is_one_keyword() {
        assert_eq!(
            kinds("x AT  LEAST (2)"),
            vec![
                (Identifier, "x"),
                (Keyword, "AT  LEAST"),
                (Punctuation, "("),
                (Number, "2"),
                (Punctuation, ")")
            ]
        );
        assert!(tokenize("at\nleast").unwrap()[0].is_keyword("AT LEAST"));
        assert_eq!(
            kinds("at leastx"),
            vec![(Identifier, "at"), (Identifier, "leastx")]
        );
    }

    #[test]
    fn identifier_rules() {
        assert_eq!(
            kinds("$x _key __from a1_b"),
            vec![
                (Identifier, "$x"),
                (Identifier, "_key"),
                (Identifier, "__from"),
                (Identifier, "a1_b")
            ]
        );
        // `$` and `_` need a letter after them.
        assert_eq!(tokenize("$1").unwrap_err().position.column, 1);
        assert_eq!(tokenize("x _1").unwrap_err().position.column, 3);
        assert_eq!(tokenize("$").unwrap_err().message, INVALID_TOKEN);
    }

    #[test]
    fn quoted_names() {
        let tokens = kinds("`filter` ´my-coll´ `a\\`b`");
        assert_eq!(
            tokens,
            vec![
                (QuotedName, "`filter`"),
                (QuotedName, "´my-coll´"),
                (QuotedName, "`a\\`b`")
            ]
        );
        let values: Vec<_> = tokenize("`filter` ´my-coll´ `a\\`b`")
            .unwrap()
            .iter()
            .filter(|t| t.kind == QuotedName)
            .map(|t| t.value().into_owned())
            .collect();
        assert_eq!(values, vec!["filter", "my-coll", "a`b"]);
    }

    #[test]
    fn strings_with_escapes() {
        let query = r#"'it\'s' "say \"hi\"" 'back\\' "\u00e4\n" '@x'"#;
        let tokens: Vec<_> = tokenize(query)
            .unwrap()
            .into_iter()
            .filter(|t| t.kind == String)
            .collect();
        assert_eq!(tokens.len(), 5);
        let values: Vec<_> = tokens.iter().map(|t| t.value().into_owned()).collect();
        assert_eq!(values, vec!["it's", "say \"hi\"", "back\\", "ä\n", "@x"]);
    }

    #[test]
    fn surrogate_pairs_are_combined() {
        let tokens = tokenize(r#""\ud83e\udd51""#).unwrap();
        assert_eq!(tokens[0].value(), "🥑");
    }

    #[test]
    fn multi_line_string() {
        let query = "RETURN 'line one\nline two' + @p";
        let tokens = tokenize(query).unwrap();
        let string = tokens.iter().find(|t| t.kind == String).unwrap();
        assert_eq!(string.text, "'line one\nline two'");
        assert_eq!(string.span.end.line, 2);
        let param = tokens.iter().find(|t| t.kind == BindParameter).unwrap();
        assert_eq!((param.span.start.line, param.span.start.column), (2, 13));
    }

    #[test]
    fn comments() {
        assert_eq!(
            kinds("1 // c @x\n/* @y\n */ 2"),
            vec![
                (Number, "1"),
                (LineComment, "// c @x"),
                (BlockComment, "/* @y\n */"),
                (Number, "2")
            ]
        );
        // Block comments do not nest.
        assert_eq!(
            kinds("/* /* */ 1"),
            vec![(BlockComment, "/* /* */"), (Number, "1")]
        );
        // A line comment may end the query.
        assert_eq!(
            kinds("1 // end"),
            vec![(Number, "1"), (LineComment, "// end")]
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(
            kinds("0 42 1.5 .5 1e10 2.5E-3 0x1F 0b101"),
            vec![
                (Number, "0"),
                (Number, "42"),
                (Number, "1.5"),
                (Number, ".5"),
                (Number, "1e10"),
                (Number, "2.5E-3"),
                (Number, "0x1F"),
                (Number, "0b101")
            ]
        );
    }

    #[test]
    fn range_splits_numbers() {
        assert_eq!(
            kinds("1..3"),
            vec![(Number, "1"), (Range, ".."), (Number, "3")]
        );
        assert_eq!(
            kinds("@a..@b"),
            vec![(BindParameter, "@a"), (Range, ".."), (BindParameter, "@b")]
        );
        assert_eq!(
            kinds("1.5..2.5"),
            vec![(Number, "1.5"), (Range, ".."), (Number, "2.5")]
        );
    }

    #[test]
    fn spread_operator() {
        assert_eq!(
            kinds("[...x]"),
            vec![
                (Punctuation, "["),
                (Operator, "..."),
                (Identifier, "x"),
                (Punctuation, "]")
            ]
        );
    }

    #[test]
    fn bind_parameters() {
        assert_eq!(
            kinds("@x @@coll @1 @_a u.@attr"),
            vec![
                (BindParameter, "@x"),
                (CollectionBindParameter, "@@coll"),
                (BindParameter, "@1"),
                (BindParameter, "@_a"),
                (Identifier, "u"),
                (Punctuation, "."),
                (BindParameter, "@attr")
            ]
        );
        // `@bind-var` is the parameter `bind` minus `var`.
        assert_eq!(
            kinds("@bind-var"),
            vec![
                (BindParameter, "@bind"),
                (Operator, "-"),
                (Identifier, "var")
            ]
        );
        assert_eq!(tokenize("@@coll").unwrap()[0].value(), "coll");
        for bad in ["@", "@ x", "@_", "@@", "@@_"] {
            let err = tokenize(bad).unwrap_err();
            assert_eq!(
                (err.message.as_str(), err.position.column),
                (INVALID_TOKEN, 1)
            );
        }
    }

    #[test]
    fn operators_and_punctuation() {
        let query = "== != < <= > >= =~ !~ && || ! ? : :: = + - * / % ( ) [ ] { } , .";
        let got: Vec<_> = kinds(query).into_iter().map(|(k, _)| k).collect();
        let mut expected = vec![Operator; 12];
        expected.push(Punctuation); // :
        expected.extend([Operator; 7]);
        expected.extend([Punctuation; 8]);
        assert_eq!(got, expected);
        assert_eq!(
            kinds("x[*].y[**]"),
            vec![
                (Identifier, "x"),
                (Punctuation, "["),
                (Operator, "*"),
                (Punctuation, "]"),
                (Punctuation, "."),
                (Identifier, "y"),
                (Punctuation, "["),
                (Operator, "*"),
                (Operator, "*"),
                (Punctuation, "]")
            ]
        );
        assert_eq!(
            kinds("ns::func()"),
            vec![
                (Identifier, "ns"),
                (Operator, "::"),
                (Identifier, "func"),
                (Punctuation, "("),
                (Punctuation, ")")
            ]
        );
    }

    #[test]
    fn positions_after_newlines_and_multibyte_characters() {
        let query = "LET s = 'äöü'\n  RETURN\t€ ";
        let err = tokenize(query).unwrap_err();
        // `€` is on line 2 after two spaces, `RETURN` and a tab.
        assert_eq!(err.position.line, 2);
        assert_eq!(err.position.column, 10);
        assert_eq!(err.position.offset, query.find('€').unwrap());

        let tokens = tokenize("'äöü' x").unwrap();
        let x = tokens.last().unwrap();
        assert_eq!(x.span.start.column, 7);
        assert_eq!(x.span.start.offset, 9);
        assert_eq!(x.span.end.column, 8);
    }

    #[test]
    fn carriage_return_is_not_a_line_break() {
        let tokens = tokenize("1\r\n2").unwrap();
        assert_eq!(tokens.last().unwrap().span.start.line, 2);
        assert_eq!(tokens.last().unwrap().span.start.column, 1);
    }

    #[test]
    fn unterminated_constructs_point_at_their_start() {
        let err = tokenize("RETURN\n  'abc").unwrap_err();
        assert_eq!(err.message, "unexpected unterminated string literal");
        assert_eq!((err.position.line, err.position.column), (2, 3));

        let err = tokenize("RETURN \"a\\\"").unwrap_err();
        assert_eq!(err.message, "unexpected unterminated string literal");
        assert_eq!(err.position.column, 8);

        let err = tokenize("FOR x IN `coll").unwrap_err();
        assert_eq!(err.message, "unexpected unterminated identifier");
        assert_eq!(err.position.column, 10);

        let err = tokenize("RETURN 1 /* never closed").unwrap_err();
        assert_eq!(err.message, "unexpected unterminated multi-line comment");
        assert_eq!(err.position.column, 10);
    }

    #[test]
    fn invalid_characters() {
        for (query, column) in [("RETURN 1;", 9), ("RETURN a & b", 10), ("RETURN #", 8)] {
            let err = tokenize(query).unwrap_err();
            assert_eq!(err.message, INVALID_TOKEN);
            assert_eq!(err.position.column, column, "{query}");
        }
    }

    #[test]
    fn lex_keeps_tokens_before_an_error() {
        let (tokens, error) = lex("RETURN (1 'open");
        assert!(error.is_some());
        assert_eq!(tokens.iter().filter(|t| !t.is_trivia()).count(), 3);
    }

    #[test]
    fn lex_error_display() {
        let err = tokenize("\n 'x").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unexpected unterminated string literal at position 2:2"
        );
    }
}
