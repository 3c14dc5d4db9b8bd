//! Telling what a piece of text that looks like AQL is: a complete query,
//! several queries, an expression, an operation fragment, a syntax
//! template, an explain output, or an invalid query.
//!
//! Documentation shows AQL in many shapes besides complete queries (the
//! corpus's `fragments/` and its manifest categories). A tool that checks
//! AQL found in such places needs to know which texts a server would be
//! asked to run and which are only illustrations. The rules, in order:
//!
//! 1. Explain output (`Execution plan:`, `Query Statistics:`, a plan's
//!    `Id NodeType` header, ...) and JavaScript
//!    template strings (`${...}`) are recognised by their markers.
//! 2. Text that parses and passes [`check_query`] is a [`Query`].
//! 3. Text with placeholders (`<collection>`, `…`, a `...` that is not a
//!    spread, `OUTBOUND|INBOUND`, `[, edge]`, `@@@@`) is a [`Template`].
//! 4. Text that splits into two or more complete queries, each parsing on
//!    its own, is [`Queries`] (the split points are where the parser stops
//!    at an operation keyword that starts a new query), and so is a query
//!    with two alternatives for one line separated by a `// or` comment.
//! 5. Text that parses as the value of `RETURN (...)`, or whose non-blank
//!    lines or blank-line-separated blocks each parse so, is an
//!    [`Expression`].
//! 6. Text whose lines are each an expression or operations is an
//!    [`Expression`] if it starts with an expression, else an
//!    [`OperationFragment`]; text that parses once completed as the body of
//!    a query (a final `RETURN`, an enclosing `FOR`, or both), as a whole,
//!    per blank-line-separated block or per line, is an
//!    [`OperationFragment`].
//! 7. Anything else, and a complete query the semantic checks reject, is
//!    [`Invalid`] with the first error [`check_query`] reports for the text
//!    as it is.
//!
//! Fragments are judged by syntax only (their variables are usually free);
//! only a complete query goes through the semantic checks.
//!
//! [`Query`]: Classification::Query
//! [`Queries`]: Classification::Queries
//! [`Template`]: Classification::Template
//! [`Expression`]: Classification::Expression
//! [`OperationFragment`]: Classification::OperationFragment
//! [`Invalid`]: Classification::Invalid

use crate::lexer::{tokenize, TokenKind};
use crate::parser::parse_query;
use crate::semantic::{check_query, QueryError};

/// What [`classify`] found a text to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Classification {
    /// One complete query that a server would accept while parsing.
    Query,
    /// Several complete queries one after the other (their number, 2 or
    /// more).
    Queries(usize),
    /// An expression (or one expression per line or block), such as
    /// `1 + 2 // 3`, which parses as the value of `RETURN`.
    Expression,
    /// Operations without the rest of a query, such as a lone `FILTER` or a
    /// `FOR ... LIMIT 10` without `RETURN`.
    OperationFragment,
    /// A syntax template: placeholders, ellipses, alternatives, optional
    /// parts in brackets, or a JavaScript template string with `${...}`.
    Template,
    /// The text output of an explain or profile (`Execution plan:`).
    ExplainOutput,
    /// None of the above: the first error of the text as a query.
    Invalid(QueryError),
}

impl Classification {
    /// Whether the text is a fragment of some kind: neither one complete
    /// query nor an error.
    pub fn is_fragment(&self) -> bool {
        !matches!(self, Classification::Query | Classification::Invalid(_))
    }
}

/// Most queries a text is split into (bounds the work on long texts).
const MAX_QUERIES: usize = 64;

/// Classifies `text` (see the module notes for the rules). Never panics.
pub fn classify(text: &str) -> Classification {
    if is_explain_output(text) {
        return Classification::ExplainOutput;
    }
    if text.contains("${") {
        return Classification::Template;
    }
    let whole = check_query(text);
    let parses = parse_query(text).is_ok();
    if whole.is_ok() {
        return Classification::Query;
    }
    if has_placeholders(text) {
        return Classification::Template;
    }
    if parses {
        return invalid(whole);
    }
    if let Some(count) = queries(text).or_else(|| alternatives(text)) {
        return Classification::Queries(count);
    }
    if is_expression(text) {
        return Classification::Expression;
    }
    if let Some(class) = mixed_lines(text) {
        return class;
    }
    if is_operation_fragment(text) {
        return Classification::OperationFragment;
    }
    invalid(whole)
}

/// Explain and profile output: its section titles or the plan's header.
fn is_explain_output(text: &str) -> bool {
    const MARKERS: [&str; 5] = [
        "Execution plan:",
        "Query String (",
        "Query Statistics:",
        "Indexes used:",
        "Optimization rules applied:",
    ];
    MARKERS.iter().any(|marker| text.contains(marker))
        || text.lines().any(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            words.starts_with(&["Id", "NodeType"])
        })
}

/// Two alternatives of one line separated by a comment line `// or` (or
/// `// -- or --`): both variants parse as complete queries.
fn alternatives(text: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let is_or = |line: &str| {
        let words: Vec<String> = line
            .trim()
            .trim_start_matches("//")
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        line.trim_start().starts_with("//") && words.first().is_some_and(|w| w == "or")
    };
    let at = (1..lines.len().saturating_sub(1)).find(|&i| is_or(lines[i]))?;
    let variant = |skip: usize| {
        let kept: Vec<&str> = lines
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != at && *i != skip)
            .map(|(_, line)| *line)
            .collect();
        parse_query(&kept.join("\n")).is_ok()
    };
    (variant(at - 1) && variant(at + 1)).then_some(2)
}

/// Each non-blank line is an expression or operations: an expression text
/// with a few `LET` lines in between, or operations followed by
/// expressions (`LET a = [1]` then `a[0] // 1`).
fn mixed_lines(text: &str) -> Option<Classification> {
    let lines: Vec<&str> = text.lines().filter(|line| !is_blank(line)).collect();
    let mut expressions = 0;
    for line in &lines {
        if parses_as_expression(line) {
            expressions += 1;
        } else if !completes(line) {
            return None;
        }
    }
    let first_is_expression = lines.first().is_some_and(|line| parses_as_expression(line));
    match (expressions, first_is_expression) {
        (0, _) => None,
        (_, true) => Some(Classification::Expression),
        (_, false) => Some(Classification::OperationFragment),
    }
}

fn invalid(result: Result<crate::ast::Query, Vec<QueryError>>) -> Classification {
    match result {
        Err(mut errors) if !errors.is_empty() => Classification::Invalid(errors.swap_remove(0)),
        // Not reached: callers pass a failed check.
        _ => Classification::Query,
    }
}

/// Placeholders of syntax templates, outside strings and comments.
fn has_placeholders(text: &str) -> bool {
    let code = code_only(text);
    let chars: Vec<char> = code.chars().collect();
    if code.contains('…') || code.contains("@@@") {
        return true;
    }
    // `node[, edge]`: an optional part in brackets right after a name.
    if chars
        .windows(3)
        .any(|w| (w[0].is_alphanumeric() || w[0] == '_') && w[1] == '[' && w[2] == ',')
    {
        return true;
    }
    for (i, window) in chars.windows(3).enumerate() {
        if window == ['.', '.', '.'] {
            // A 4.x spread is `...name`, `...[`, `...(`, `...{`, `...@`.
            let next = chars.get(i + 3).copied().unwrap_or(' ');
            let spread = next.is_alphanumeric() || "_[({@`\"'$".contains(next);
            if !spread {
                return true;
            }
        }
    }
    // `<name>` or `<search-expression>`.
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '<' && chars.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic()) {
            let mut j = i + 1;
            while j < chars.len() && (chars[j].is_ascii_alphanumeric() || "-_".contains(chars[j])) {
                j += 1;
            }
            if chars.get(j) == Some(&'>') && chars.get(j + 1) != Some(&'=') {
                return true;
            }
        }
        i += 1;
    }
    // `OUTBOUND|INBOUND|ANY` alternatives.
    ["OUTBOUND|", "INBOUND|", "|ANY", "|INBOUND", "|OUTBOUND"]
        .iter()
        .any(|alternative| code.contains(alternative))
}

/// `text` with string literals, quoted names and comments blanked out (to
/// spaces), so that markers inside them do not count.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' | '`' => {
                out.push(' ');
                let mut escaped = false;
                for inner in chars.by_ref() {
                    if inner == c && !escaped {
                        break;
                    }
                    escaped = inner == '\\' && !escaped;
                }
                out.push(' ');
            }
            '/' if chars.peek() == Some(&'/') => {
                for inner in chars.by_ref() {
                    if inner == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut star = false;
                for inner in chars.by_ref() {
                    if star && inner == '/' {
                        break;
                    }
                    star = inner == '*';
                }
                out.push(' ');
            }
            _ => out.push(c),
        }
    }
    out
}

/// Splits `text` into complete queries where the parser stops at a keyword
/// that begins a new query; `Some(n)` if that yields `n >= 2` queries.
fn queries(text: &str) -> Option<usize> {
    let mut rest = text;
    let mut count = 0;
    while count < MAX_QUERIES {
        if is_blank(rest) {
            return (count >= 2).then_some(count);
        }
        match parse_query(rest) {
            Ok(_) => {
                count += 1;
                rest = "";
            }
            Err(error) => {
                let at = error.position.offset;
                let head = rest.get(..at)?;
                let tail = rest.get(at..)?;
                if at == 0 || !starts_query(tail) || parse_query(head).is_err() {
                    return None;
                }
                count += 1;
                rest = tail;
            }
        }
    }
    None
}

/// Whether `text` starts with a keyword that can begin a query.
fn starts_query(text: &str) -> bool {
    let word: String = text
        .chars()
        .take_while(|c| c.is_ascii_alphabetic() || *c == '_')
        .collect::<String>()
        .to_ascii_uppercase();
    matches!(
        word.as_str(),
        "FOR" | "LET" | "RETURN" | "WITH" | "INSERT" | "UPDATE" | "REPLACE" | "REMOVE" | "UPSERT"
    )
}

/// Whether `text` has no tokens but whitespace and comments.
fn is_blank(text: &str) -> bool {
    match tokenize(text) {
        Ok(tokens) => tokens.iter().all(|t| {
            matches!(
                t.kind,
                TokenKind::Whitespace | TokenKind::LineComment | TokenKind::BlockComment
            )
        }),
        Err(_) => false,
    }
}

fn parses_as_expression(text: &str) -> bool {
    !is_blank(text) && parse_query(&format!("RETURN (\n{text}\n)")).is_ok()
}

/// The whole text, each blank-line-separated block, or each line, is an
/// expression.
fn is_expression(text: &str) -> bool {
    if parses_as_expression(text) {
        return true;
    }
    let parts_are_expressions = |parts: Vec<&str>| {
        let parts: Vec<&str> = parts.into_iter().filter(|p| !is_blank(p)).collect();
        !parts.is_empty() && parts.iter().all(|p| parses_as_expression(p))
    };
    parts_are_expressions(text.split("\n\n").collect())
        || parts_are_expressions(text.lines().collect())
}

/// The text parses once completed as a query body: a final `RETURN`, an
/// enclosing `FOR`, or both.
fn completes(text: &str) -> bool {
    !is_blank(text)
        && [
            format!("{text}\nRETURN null"),
            // A named source, as `SEARCH` needs a view there.
            format!("FOR doc IN source\n{text}\nRETURN null"),
            format!("FOR doc IN source\n{text}"),
        ]
        .iter()
        .any(|query| parse_query(query).is_ok())
}

/// The text, or each of its blank-line-separated blocks, or each of its
/// lines, completes to a query.
fn is_operation_fragment(text: &str) -> bool {
    let all_complete = |parts: Vec<&str>| {
        let parts: Vec<&str> = parts.into_iter().filter(|p| !is_blank(p)).collect();
        !parts.is_empty() && parts.iter().all(|p| completes(p))
    };
    completes(text)
        || all_complete(text.split("\n\n").collect())
        || all_complete(text.lines().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_queries() {
        assert_eq!(classify("FOR u IN users RETURN u"), Classification::Query);
    }

    #[test]
    fn invalid_queries_keep_their_first_error() {
        let Classification::Invalid(error) = classify("FOR u IN users FILTER u.a = 1 RETURN u")
        else {
            panic!("not invalid");
        };
        assert_eq!(error.error_num, 1501);
        let Classification::Invalid(error) = classify("RETURN NOPE(1)") else {
            panic!("not invalid");
        };
        assert_eq!(error.error_num, 1540);
    }

    #[test]
    fn several_queries() {
        assert_eq!(
            classify("RETURN 1 // one\nRETURN 2\n\nFOR x IN 1..2 RETURN x"),
            Classification::Queries(3)
        );
    }

    #[test]
    fn expressions() {
        assert_eq!(classify("1 + 2 // 3"), Classification::Expression);
        assert_eq!(
            classify("u.age > 15\ntrue || false\n"),
            Classification::Expression
        );
        assert_eq!(classify("{\n  a: 1\n}"), Classification::Expression);
    }

    #[test]
    fn operation_fragments() {
        for text in [
            "FOR doc IN users\n  FILTER doc.a == 1\n  LIMIT 10",
            "FILTER doc.a == 1",
            "SORT doc.name DESC",
            "LET x = [1, 2]\n\nx[0] // 1\nx[1]",
            "COLLECT g = doc.g INTO groups",
        ] {
            assert_eq!(classify(text), Classification::OperationFragment, "{text}");
        }
    }

    #[test]
    fn templates() {
        for text in [
            "FOR doc IN ${collection} RETURN doc",
            "INSERT <document> INTO <collection>",
            "FOR v IN OUTBOUND|INBOUND|ANY start GRAPH g RETURN v",
            "FOR doc IN coll\n  FILTER ...\n  RETURN doc",
            "FOR node[, edge] IN ...",
            "{ name: … }",
            "FOR b IN @@@@coll RETURN b",
        ] {
            assert_eq!(classify(text), Classification::Template, "{text}");
        }
        // A spread is not an ellipsis; markers in strings do not count.
        assert_eq!(classify("LET x = [1] RETURN [...x]"), Classification::Query);
        assert_eq!(classify("RETURN '<a> … ...'"), Classification::Query);
    }

    #[test]
    fn explain_output() {
        assert_eq!(
            classify("Execution plan:\n Id   NodeType\n  1   SingletonNode"),
            Classification::ExplainOutput
        );
    }

    #[test]
    fn fragment_or_not() {
        assert!(Classification::Expression.is_fragment());
        assert!(!Classification::Query.is_fragment());
    }
}
