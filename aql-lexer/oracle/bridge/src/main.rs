//! Feeds the queries of `tests/invalid-queries.txt` to a bison-generated
//! recognizer of ArangoDB's grammar (see `../README.md`) as token streams
//! produced by aql-lexer's tokenizer, and prints, per case, the syntax error
//! the recognizer reports in the server's message format.
//!
//! Usage: `aql-oracle-bridge <recognizer> <invalid-queries.txt>`. The
//! recognizer reads one query per line, tokens as
//! `NAME:line:first_column:last_column:hex(value)` (`NAME` such as `T_FOR`,
//! `.` for the dot, `UNDEF` for an unknown character), and answers `OK`,
//! `ERR <token index> <bison message>` or `ACT <line> <column> <message>`
//! (an error a grammar action raises).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use aql_lexer::{position_at_server_location, server_column, tokenize, Position, Token, TokenKind};

fn keyword_name(text: &str) -> Option<&'static str> {
    let upper = text
        .split_ascii_whitespace()
        .map(str::to_ascii_uppercase)
        .collect::<Vec<_>>()
        .join(" ");
    Some(match upper.as_str() {
        "FOR" => "T_FOR",
        "LET" => "T_LET",
        "FILTER" => "T_FILTER",
        "RETURN" => "T_RETURN",
        "COLLECT" => "T_COLLECT",
        "SORT" => "T_SORT",
        "LIMIT" => "T_LIMIT",
        "WINDOW" => "T_WINDOW",
        "ASC" => "T_ASC",
        "DESC" => "T_DESC",
        "IN" => "T_IN",
        "WITH" => "T_WITH",
        "INTO" => "T_INTO",
        "AGGREGATE" => "T_AGGREGATE",
        "GRAPH" => "T_GRAPH",
        "SHORTEST_PATH" => "T_SHORTEST_PATH",
        "K_SHORTEST_PATHS" => "T_K_SHORTEST_PATHS",
        "K_PATHS" => "T_K_PATHS",
        "ALL_SHORTEST_PATHS" => "T_ALL_SHORTEST_PATHS",
        "DISTINCT" => "T_DISTINCT",
        "REMOVE" => "T_REMOVE",
        "INSERT" => "T_INSERT",
        "UPDATE" => "T_UPDATE",
        "REPLACE" => "T_REPLACE",
        "UPSERT" => "T_UPSERT",
        "NULL" => "T_NULL",
        "TRUE" => "T_TRUE",
        "FALSE" => "T_FALSE",
        "NOT" => "T_NOT",
        "AND" => "T_AND",
        "OR" => "T_OR",
        "LIKE" => "T_LIKE",
        "OUTBOUND" => "T_OUTBOUND",
        "INBOUND" => "T_INBOUND",
        "ANY" => "T_ANY",
        "ALL" => "T_ALL",
        "NONE" => "T_NONE",
        "AT LEAST" => "T_AT_LEAST",
        _ => return None,
    })
}

fn operator_name(text: &str) -> Option<&'static str> {
    Some(match text {
        "==" => "T_EQ",
        "!=" => "T_NE",
        "<" => "T_LT",
        "<=" => "T_LE",
        ">" => "T_GT",
        ">=" => "T_GE",
        "=~" => "T_REGEX_MATCH",
        "!~" => "T_REGEX_NON_MATCH",
        "&&" => "T_AND",
        "||" => "T_OR",
        "!" => "T_NOT",
        "?" => "T_QUESTION",
        "::" => "T_SCOPE",
        "=" => "T_ASSIGN",
        "+" => "T_PLUS",
        "-" => "T_MINUS",
        "*" => "T_TIMES",
        "/" => "T_DIV",
        "%" => "T_MOD",
        "(" => "T_OPEN",
        ")" => "T_CLOSE",
        "[" => "T_ARRAY_OPEN",
        "]" => "T_ARRAY_CLOSE",
        "{" => "T_OBJECT_OPEN",
        "}" => "T_OBJECT_CLOSE",
        "," => "T_COMMA",
        ":" => "T_COLON",
        "." => ".",
        ".." => "T_RANGE",
        _ => return None,
    })
}

/// The grammar's token names for a query, with the token each came from.
/// One token for the recognizer: the grammar's name, bison's `yylloc`
/// start, the byte length the location spans, and the name's value for
/// identifiers (the recognizer checks qualifiers such as `OPTIONS`).
type Tok = (&'static str, Position, usize, String);

fn token_names(query: &str) -> Result<Vec<Tok>, String> {
    // A character that starts no token reaches the grammar as a token it
    // does not know (`invalid token`); other lexical errors stop the scanner.
    let (tokens, invalid) = match tokenize(query) {
        Ok(tokens) => (tokens, None),
        Err(e) if e.message.ends_with("unexpected invalid token") => {
            let prefix = query.get(..e.position.offset).unwrap_or_default();
            (
                tokenize(prefix).map_err(|e| format!("LEX {}", e.message))?,
                Some(e.position),
            )
        }
        Err(e) => {
            return Err(format!(
                "LEX {} at {}:{}",
                e.message, e.position.line, e.position.column
            ))
        }
    };
    let toks: Vec<Token<'_>> = tokens.into_iter().filter(|t| !t.is_trivia()).collect();
    let mut out: Vec<Tok> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        let after_dot = out.last().is_some_and(|(n, _, _, _)| *n == ".");
        let before_colon = toks
            .get(i + 1)
            .is_some_and(|n| n.kind == TokenKind::Punctuation && n.text == ":");
        let name = match t.kind {
            TokenKind::Keyword if after_dot || before_colon => "T_STRING",
            TokenKind::Keyword => {
                // The scanner reads `NOT` followed by blanks and `IN` as one token.
                let next = toks.get(i + 1);
                let gap = next.map(|n| &query[t.span.end.offset..n.span.start.offset]);
                if t.text.eq_ignore_ascii_case("NOT")
                    && next.is_some_and(|n| {
                        n.kind == TokenKind::Keyword && n.text.eq_ignore_ascii_case("IN")
                    })
                    && gap.is_some_and(|g| g.chars().all(char::is_whitespace))
                {
                    out.push(("T_NOT_IN", t.span.start, t.text.len(), String::new()));
                    i += 2;
                    continue;
                }
                keyword_name(t.text).ok_or_else(|| format!("UNMAPPED keyword {}", t.text))?
            }
            TokenKind::Identifier | TokenKind::QuotedName => "T_STRING",
            TokenKind::String => "T_QUOTED_STRING",
            TokenKind::Number => {
                let lower = t.text.to_ascii_lowercase();
                if lower.starts_with("0x") || lower.starts_with("0b") || !lower.contains(['.', 'e'])
                {
                    "T_INTEGER"
                } else {
                    "T_DOUBLE"
                }
            }
            TokenKind::BindParameter => "T_PARAMETER",
            TokenKind::CollectionBindParameter => "T_DATA_SOURCE_PARAMETER",
            TokenKind::Range => "T_RANGE",
            // 3.12 has no spread: the scanner reads `..` then `.` (or, before
            // a digit, `..` and a number such as `.5`, which this bridge does
            // not model).
            TokenKind::Operator if t.text == "..." => {
                let mut dot = t.span.start;
                dot.offset += 2;
                dot.column += 2;
                out.push(("T_RANGE", t.span.start, 2, String::new()));
                out.push((".", dot, 1, String::new()));
                i += 1;
                continue;
            }
            _ => operator_name(t.text).ok_or_else(|| format!("UNMAPPED {}", t.text))?,
        };
        // tokens.ll sets yylloc for every rule it matches: for a quoted
        // string or name the last one is the closing quote.
        let at = if matches!(t.kind, TokenKind::String | TokenKind::QuotedName) {
            last_char(query, t.span.end.offset)
        } else {
            t.span.start
        };
        let (len, text) = if matches!(t.kind, TokenKind::String | TokenKind::QuotedName) {
            (
                query[at.offset..t.span.end.offset].len(),
                t.value().into_owned(),
            )
        } else {
            (t.text.len(), t.value().into_owned())
        };
        out.push((name, at, len, text));
        i += 1;
    }
    if let Some(p) = invalid {
        out.push(("UNDEF", p, 1, String::new()));
    }
    Ok(out)
}

/// The position of the character that ends before byte `end`.
fn last_char(query: &str, end: usize) -> Position {
    let before = &query[..end];
    let offset = before.char_indices().next_back().map_or(0, |(i, _)| i);
    let head = &query[..offset];
    let line_start = head.rfind('\n').map_or(0, |i| i + 1);
    Position {
        offset,
        line: head.matches('\n').count() as u32 + 1,
        column: head[line_start..].chars().count() as u32 + 1,
    }
}

/// Where the scanner's last match starts in trailing trivia (a copy of
/// the parser's `end_of_scan`): a line feed is located at the next line.
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

/// The corpus format's escapes for an `error:` line.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
        .replace('\t', "\\t")
}

/// The offset where the server's `near` text starts, found as its
/// `QueryString::extractRegion` does from the reported line and column.
fn region_offset(query: &str, line: u32, column: u32) -> usize {
    let bytes = query.as_bytes();
    let (line, column) = (line as u64, column.saturating_sub(1) as u64);
    let (mut cl, mut cc) = (1u64, 0u64);
    let mut p = 0;
    while p < bytes.len() && bytes[p] != 0 {
        if cl > line || (cl >= line && cc >= column) {
            break;
        }
        match bytes[p] {
            b'\n' => {
                p += 1;
                cl += 1;
                cc = 0;
            }
            b'\r' => {
                p += 1;
                cl += 1;
                cc = 0;
                if bytes.get(p) == Some(&b'\n') {
                    p += 1;
                }
            }
            _ => {
                p += 1;
                cc += 1;
            }
        }
    }
    p
}

fn region(query: &str, offset: usize) -> String {
    let rest = query.get(offset..).unwrap_or_default();
    if rest.len() < 32 {
        return rest.to_string();
    }
    let mut end = 32;
    while !rest.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &rest[..end])
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(oracle), Some(corpus)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: aql-oracle-bridge <recognizer> <invalid-queries.txt>");
        std::process::exit(2);
    };
    let text = format!(
        "\n{}",
        std::fs::read_to_string(corpus).expect("read corpus")
    );
    let mut child = Command::new(oracle)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start recognizer");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    for case in text.split("\n=== ").skip(1) {
        let slug = case.lines().next().unwrap_or_default();
        let query = case
            .split_once("\n---\n")
            .map(|(_, q)| q)
            .unwrap_or_default();
        // The split at `\n=== ` took the query's last line feed; only the
        // last case still has it.
        let query = if text.ends_with(case) {
            query.strip_suffix('\n').unwrap_or(query)
        } else {
            query
        };
        match token_names(query) {
            Err(e) => println!("{slug}\t{e}"),
            Ok(names) => {
                // NAME:line:first_column:last_column:hex(value), columns
                // 0-based as flex counts them.
                let line: Vec<String> = names
                    .iter()
                    .map(|(n, p, len, text)| {
                        let first = server_column(query, p.offset) - 1;
                        let last = first + (*len as u32).max(1) - 1;
                        let hex: String = text.bytes().map(|b| format!("{b:02x}")).collect();
                        format!("{n}:{}:{first}:{last}:{hex}", p.line)
                    })
                    .collect();
                writeln!(stdin, "{}", line.join(" ")).expect("write");
                stdin.flush().expect("flush");
                let mut answer = String::new();
                stdout.read_line(&mut answer).expect("read");
                let answer = answer.trim_end();
                if answer == "OK" {
                    println!("{slug}\tGRAMMAR-OK");
                    continue;
                }
                // An error a grammar action registers: `ACT line column message`
                // (column 0-based, as flex counts it).
                if let Some(rest) = answer.strip_prefix("ACT ") {
                    let mut parts = rest.splitn(3, ' ');
                    let line: u32 = parts.next().and_then(|x| x.parse().ok()).unwrap_or(1);
                    let column: u32 = parts
                        .next()
                        .and_then(|x| x.parse::<u32>().ok())
                        .unwrap_or(0)
                        + 1;
                    let message = parts.next().unwrap_or_default();
                    let p = position_at_server_location(query, line, column);
                    println!(
                        "{slug}\terror: {}\tat: {}:{}",
                        escape(&format!(
                            "1501 {message} near '{}' at position {line}:{column}",
                            region(query, region_offset(query, line, column))
                        )),
                        p.line,
                        p.column
                    );
                    continue;
                }
                let rest = answer.strip_prefix("ERR ").unwrap_or(answer);
                let (index, message) = rest.split_once(' ').unwrap_or((rest, ""));
                let index: usize = index.parse().unwrap_or(0);
                // At the end of the query bison's yylloc is the scanner's
                // last match, which may be trailing whitespace or a comment.
                let token = names.get(index).map(|(_, p, _, _)| *p).or_else(|| {
                    names
                        .last()
                        .map(|(_, p, len, _)| end_of_scan(query, p.offset + len).unwrap_or(*p))
                });
                let Some(p) = token else {
                    println!("{slug}\t{message}");
                    continue;
                };
                println!(
                    "{slug}\terror: {}\tat: {}:{}",
                    escape(&format!(
                        "1501 {message} near '{}' at position {}:{}",
                        region(
                            query,
                            region_offset(query, p.line, server_column(query, p.offset))
                        ),
                        p.line,
                        server_column(query, p.offset)
                    )),
                    p.line,
                    p.column
                );
            }
        }
    }
    drop(stdin);
    let _ = child.wait();
}
