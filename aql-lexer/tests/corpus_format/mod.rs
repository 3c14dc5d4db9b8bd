//! The invalid-query corpus (`../invalid-queries.txt`), read by the
//! aql-lexer tests (`invalid_corpus.rs`) and by arangosync's end-to-end
//! test of `validate` (`tests/cli/aql_checks.rs` includes this file).
//!
//! File format: cases start with a line `=== <slug>`, then the header lines
//! `source: ...`, `error: <errorNum> <message>` and `at: <line>:<column>`
//! (1-based, column in characters), then `---`, then the query up to the
//! next `===` line (the last line feed is not part of the query). In the
//! `error:` value, `\n`, `\r`, `\t` and `\\` stand for a line feed, a
//! carriage return, a tab and a backslash (a server message quotes the rest
//! of the query after `near`, which may span lines).

#![allow(dead_code)]

/// The corpus text.
pub const CORPUS: &str = include_str!("../invalid-queries.txt");

/// Cases that do not pass on this branch yet, so that the test guards the
/// others; each group says why. Remove a slug once its case passes (the
/// test fails on a listed case that passes, so the list cannot go stale).
pub const KNOWN_GAPS: &[&str] = &[
    // grammar.y's object_element action for a shorthand `{ a` runs on the
    // default reduction before the syntax error and needs to know whether
    // `a` is a variable in scope, which the parser does not track (the
    // variables check reports the shorthand only in queries that parse).
    "brk-object-missing-colon",
    "brk-object-eq",
];

/// One case; `message` decoded.
#[derive(Debug, Clone)]
pub struct Case {
    pub slug: String,
    pub source: String,
    pub error_num: u32,
    pub message: String,
    pub line: u32,
    pub column: u32,
    pub query: String,
}

fn unescape(text: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            other => return Err(format!("bad escape \\{other:?}")),
        }
    }
    Ok(out)
}

fn parse_case(block: &str) -> Result<Case, String> {
    let (head, query) = block
        .split_once("\n---\n")
        .ok_or("no `---` line between the header and the query")?;
    let mut lines = head.lines();
    let slug = lines.next().unwrap_or_default().trim().to_string();
    if slug.is_empty() || slug.contains(char::is_whitespace) {
        return Err(format!("bad slug {slug:?}"));
    }
    let (mut source, mut error, mut at) = (None, None, None);
    for line in lines {
        let (key, value) = line
            .split_once(": ")
            .ok_or_else(|| format!("{slug}: bad header line {line:?}"))?;
        let slot = match key {
            "source" => &mut source,
            "error" => &mut error,
            "at" => &mut at,
            _ => return Err(format!("{slug}: unknown header {key:?}")),
        };
        if slot.replace(value.to_string()).is_some() {
            return Err(format!("{slug}: header {key:?} given twice"));
        }
    }
    let source = source.ok_or_else(|| format!("{slug}: no source"))?;
    if source.trim().is_empty() {
        return Err(format!("{slug}: empty source"));
    }
    let error = error.ok_or_else(|| format!("{slug}: no error"))?;
    let (num, message) = error
        .split_once(' ')
        .ok_or_else(|| format!("{slug}: error needs a number and a message"))?;
    let error_num = num
        .parse()
        .map_err(|_| format!("{slug}: bad errorNum {num:?}"))?;
    let message = unescape(message).map_err(|e| format!("{slug}: {e}"))?;
    let at = at.ok_or_else(|| format!("{slug}: no at"))?;
    let (line, column) = at
        .split_once(':')
        .and_then(|(l, c)| Some((l.parse().ok()?, c.parse().ok()?)))
        .ok_or_else(|| format!("{slug}: bad at {at:?}"))?;
    let query = query.to_string();
    if query.is_empty() {
        return Err(format!("{slug}: empty query"));
    }
    Ok(Case {
        slug,
        source,
        error_num,
        message,
        line,
        column,
        query,
    })
}

/// Every case of the corpus; malformed cases fail loudly.
pub fn cases() -> Vec<Case> {
    let text = CORPUS
        .strip_prefix("=== ")
        .expect("the corpus starts with a `=== <slug>` line");
    let mut cases = Vec::new();
    let mut problems = Vec::new();
    // Splitting at `\n=== ` takes each query's last line feed with it; the
    // last case keeps its own.
    let blocks: Vec<&str> = text.split("\n=== ").collect();
    for (i, block) in blocks.iter().enumerate() {
        let block = if i + 1 == blocks.len() {
            block.strip_suffix('\n').unwrap_or(block)
        } else {
            block
        };
        match parse_case(block) {
            Ok(case) => cases.push(case),
            Err(problem) => problems.push(problem),
        }
    }
    assert!(
        problems.is_empty(),
        "malformed cases:\n{}",
        problems.join("\n")
    );
    cases
}
