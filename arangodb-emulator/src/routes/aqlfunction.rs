//! `/_api/aqlfunction`: AQL user functions, stored as ArangoDB stores them:
//! documents in `_aqlfunctions` keyed by the upper-cased name, keeping the
//! name's spelling from the last registration (shared/ARANGODB_API.md 5).
//!
//! The real server evaluates `code` in V8 and requires a function. The
//! emulator has no JavaScript engine, so it checks what it can without one:
//! the code is a `function` expression or an arrow function, its strings,
//! comments, template literals and regular expressions are closed, its
//! brackets balance, no two operands stand side by side on one line
//! (`{ invalid syntax }`), and nothing follows the function.
//!
//! Registration, listing and deletion do not depend on the startup option
//! `--javascript.user-defined-functions`: with it off, ArangoDB still stores
//! functions (its own server-parameter test registers and unregisters one)
//! and refuses only queries that call them ([`check_user_function_calls`]).
//! ArangoDB 4.0 has no such endpoint (routed as an unknown path).

use hyper::Method;
use serde_json::{json, Value};

use crate::error::ArangoError;
use crate::request::{ApiRequest, HandlerResult, Reply};
use crate::state::Server;

const STORE: &str = "_aqlfunctions";

fn invalid_name(name: &str) -> ArangoError {
    ArangoError::new(
        400,
        1580,
        format!("error creating AQL user function: '{name}' is not a valid name"),
    )
}

fn invalid_code(detail: &str) -> ArangoError {
    ArangoError::new(400, 1581, format!("invalid user function code: {detail}"))
}

/// `[a-zA-Z0-9][a-zA-Z0-9_]*(::[a-zA-Z0-9_]+)+`, the server's name rule.
pub fn is_valid_name(name: &str) -> bool {
    let mut parts = name.split("::");
    let Some(first) = parts.next() else {
        return false;
    };
    let word = |part: &str| {
        !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let first_ok = word(first)
        && first
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    let rest: Vec<&str> = parts.collect();
    first_ok && !rest.is_empty() && rest.iter().all(|part| word(part))
}

/// The first user function a query calls (`ns::name(`), upper-cased as
/// ArangoDB names it, or `None` when it calls none or cannot be lexed.
fn first_user_function_call(query: &str) -> Option<String> {
    let tokens = aql_lexer::tokenize(query).ok()?;
    let tokens: Vec<_> = tokens.iter().filter(|token| !token.is_trivia()).collect();
    let mut index = 0;
    while index < tokens.len() {
        let mut end = index;
        let mut parts = 0;
        while end + 2 < tokens.len()
            && tokens[end].kind == aql_lexer::TokenKind::Identifier
            && tokens[end + 1].text == "::"
            && tokens[end + 2].kind == aql_lexer::TokenKind::Identifier
        {
            end += 2;
            parts += 1;
        }
        if parts > 0 && tokens.get(end + 1).is_some_and(|token| token.text == "(") {
            let name: Vec<&str> = tokens[index..=end].iter().map(|token| token.text).collect();
            return Some(name.concat().to_ascii_uppercase());
        }
        index = end + 1;
    }
    None
}

/// With `--javascript.user-defined-functions false` a query that calls a
/// user function fails to parse (400/1501; ArangoDB's server-parameter test
/// for the option expects `ERROR_QUERY_PARSE`). UNVERIFIED: the wording of
/// the message, which the emulator makes up.
pub fn check_user_function_calls(server: &Server, query: &str) -> Result<(), ArangoError> {
    if server.profile.allows_user_functions() || !server.profile.serves_aql_functions() {
        return Ok(());
    }
    match first_user_function_call(query) {
        Some(name) => Err(ArangoError::new(
            400,
            1501,
            format!(
                "AQL: JavaScript user-defined functions are disabled, cannot call '{name}()' \
                 (while parsing)"
            ),
        )),
        None => Ok(()),
    }
}

/// The upper-cased prefix a namespace filter matches, with `::` appended.
fn namespace_prefix(namespace: &str) -> String {
    let upper = namespace.to_ascii_uppercase();
    if upper.ends_with("::") {
        upper
    } else {
        format!("{upper}::")
    }
}

pub fn handle(server: &mut Server, req: &ApiRequest, rest: &[&str]) -> HandlerResult {
    match (&req.method, rest) {
        (&Method::GET, []) | (&Method::GET, [_]) => {
            let namespace = rest
                .first()
                .copied()
                .or_else(|| req.query_str("prefix"))
                .or_else(|| req.query_str("namespace"));
            let prefix = namespace.map(namespace_prefix);
            let store = server.database(&req.database)?.collection(STORE)?;
            let result: Vec<Value> = store
                .documents
                .iter()
                .filter(|(key, _)| {
                    prefix
                        .as_ref()
                        .is_none_or(|prefix| key.starts_with(prefix.as_str()))
                })
                .map(|(_, document)| {
                    json!({
                        "name": document["name"],
                        "code": document["code"],
                        "isDeterministic": document["isDeterministic"],
                    })
                })
                .collect();
            Ok(Reply::envelope(200, json!({ "result": result })))
        }
        (&Method::POST, []) => register(server, req),
        (&Method::DELETE, [name]) => {
            if !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
            {
                return Err(invalid_name(name));
            }
            let group = req.query_bool("group", false);
            let store = server.database_mut(&req.database)?.collection_mut(STORE)?;
            let deleted = if group {
                let prefix = namespace_prefix(name);
                let before = store.documents.len();
                store.documents.retain(|key, _| !key.starts_with(&prefix));
                before - store.documents.len()
            } else {
                store
                    .documents
                    .remove(&name.to_ascii_uppercase())
                    .ok_or_else(|| {
                        ArangoError::new(
                            404,
                            1582,
                            format!("no AQL user function with name '{name}' found"),
                        )
                    })
                    .map(|_| 1)?
            };
            Ok(Reply::envelope(200, json!({ "deletedCount": deleted })))
        }
        (_, [] | [_]) => Err(ArangoError::method_not_allowed()),
        _ => Err(ArangoError::unknown_path(&req.raw_path)),
    }
}

fn register(server: &mut Server, req: &ApiRequest) -> HandlerResult {
    let body = match req.json()? {
        Value::Object(body) => body,
        _ => return Err(ArangoError::type_error("expecting JSON object body")),
    };
    let name = body.get("name").and_then(Value::as_str).unwrap_or("");
    if !is_valid_name(name) {
        return Err(invalid_name(name));
    }
    let code = match body.get("code") {
        Some(Value::String(code)) if !code.trim().is_empty() => code.trim(),
        _ => {
            return Err(ArangoError::new(
                400,
                1581,
                "expecting string with function definition",
            ))
        }
    };
    check_function_code(code).map_err(|detail| invalid_code(&detail))?;
    let is_deterministic = body
        .get("isDeterministic")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let key = name.to_ascii_uppercase();
    let rev = server.ids.revision();
    let store = server.database_mut(&req.database)?.collection_mut(STORE)?;
    let replaced = store.documents.contains_key(&key);
    store.documents.insert(
        key.clone(),
        json!({
            "_key": key,
            "_id": format!("{STORE}/{key}"),
            "_rev": rev,
            "name": name,
            "code": code,
            "isDeterministic": is_deterministic,
        }),
    );
    let status = if replaced { 200 } else { 201 };
    Ok(Reply::envelope(
        status,
        json!({ "isNewlyCreated": !replaced }),
    ))
}

/// Checks that `code` is one function expression (see the module note).
pub fn check_function_code(code: &str) -> Result<(), String> {
    let starts_as_function = code.starts_with("function")
        && code["function".len()..]
            .chars()
            .next()
            .is_some_and(|c| c == '(' || c == '*' || c.is_whitespace());
    let is_arrow = !starts_as_function && arrow_head_len(code).is_some();
    if !starts_as_function && !is_arrow {
        return Err("code must be a function expression".into());
    }
    let ends = scan_balanced(code)?;
    if starts_as_function {
        // The function's body is the first top-level brace group; nothing but
        // whitespace and comments may follow it.
        match ends.first_top_level_close {
            Some(end) if trailing_is_blank(&code[end..]) => Ok(()),
            _ => Err("unexpected code after the function".into()),
        }
    } else {
        Ok(())
    }
}

/// Length of `x =>` or `(a, b) =>` at the start of `code`, if it is there.
fn arrow_head_len(code: &str) -> Option<usize> {
    let (params_end, rest) = if code.starts_with('(') {
        let close = code.find(')')?;
        (close + 1, &code[close + 1..])
    } else {
        let end = code
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(code.len());
        if end == 0 {
            return None;
        }
        (end, &code[end..])
    };
    let trimmed = rest.trim_start();
    trimmed
        .starts_with("=>")
        .then(|| params_end + (rest.len() - trimmed.len()) + 2)
}

fn trailing_is_blank(mut rest: &str) -> bool {
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return true;
        }
        if let Some(comment) = rest.strip_prefix("//") {
            rest = comment.find('\n').map_or("", |end| &comment[end..]);
        } else if let Some(comment) = rest.strip_prefix("/*") {
            match comment.find("*/") {
                Some(end) => rest = &comment[end + 2..],
                None => return false,
            }
        } else {
            return false;
        }
    }
}

/// Keywords (and contextual keywords) that an identifier may directly
/// follow on the same line: `return x`, `new Foo`, `get name() {}`.
const WORDS_BEFORE_OPERAND: &[&str] = &[
    "var",
    "let",
    "const",
    "function",
    "return",
    "typeof",
    "instanceof",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "case",
    "do",
    "else",
    "yield",
    "await",
    "async",
    "get",
    "set",
    "static",
    "class",
    "extends",
    "import",
    "export",
    "from",
    "as",
    "default",
    "break",
    "continue",
];

/// Keywords that may directly follow any operand: `a in b`, `x instanceof Y`.
const INFIX_WORDS: &[&str] = &["in", "instanceof", "of"];

struct Scan {
    /// Byte offset just after the first `}` that closes a top-level `{`.
    first_top_level_close: Option<usize>,
}

/// Walks JavaScript source, skipping strings, template literals, comments and
/// regular expressions, and checks that brackets nest and close.
fn scan_balanced(code: &str) -> Result<Scan, String> {
    let bytes = code.as_bytes();
    let mut stack: Vec<u8> = Vec::new();
    // Template literals being read, by the stack depth where their `${` began.
    let mut template_depths: Vec<usize> = Vec::new();
    let mut first_top_level_close = None;
    // Whether a `/` here would start a regular expression rather than divide.
    let mut regex_allowed = true;
    // The identifier, keyword or number just read, while only spaces follow
    // it on the same line: a second one there is a syntax error V8 would
    // report (`{ invalid syntax }`), unless a keyword joins the two.
    let mut word_before: Option<&str> = None;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if !(c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c == b' ' || c == b'\t') {
            word_before = None;
        }
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = code[i..].find('\n').map_or(bytes.len(), |end| i + end);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = code[i + 2..].find("*/").ok_or("unterminated comment")?;
                i += end + 4;
                continue;
            }
            b'\'' | b'"' => {
                i = skip_quoted(bytes, i, c).ok_or("unterminated string")?;
                regex_allowed = false;
                continue;
            }
            b'`' => {
                i = skip_template(bytes, i + 1, &mut stack, &mut template_depths)?;
                regex_allowed = false;
                continue;
            }
            b'/' if regex_allowed => {
                i = skip_regex(bytes, i).ok_or("unterminated regular expression")?;
                regex_allowed = false;
                continue;
            }
            b'(' | b'[' | b'{' => {
                stack.push(c);
                regex_allowed = true;
            }
            b')' | b']' | b'}' => {
                let open = stack
                    .pop()
                    .ok_or_else(|| format!("unexpected '{}'", c as char))?;
                let expected = match open {
                    b'(' => b')',
                    b'[' => b']',
                    _ => b'}',
                };
                if c != expected {
                    return Err(format!("unexpected '{}'", c as char));
                }
                if c == b'}' && template_depths.last() == Some(&stack.len()) {
                    // The `}` closing `${ ... }`: back inside the template literal.
                    template_depths.pop();
                    i = skip_template(bytes, i + 1, &mut stack, &mut template_depths)?;
                    regex_allowed = false;
                    continue;
                }
                if c == b'}' && stack.is_empty() && first_top_level_close.is_none() {
                    first_top_level_close = Some(i + 1);
                }
                regex_allowed = c == b'}';
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' => {
                let start = i;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'$')
                {
                    i += 1;
                }
                let word = &code[start..i];
                if let Some(before) = word_before {
                    if !WORDS_BEFORE_OPERAND.contains(&before) && !INFIX_WORDS.contains(&word) {
                        return Err(format!("unexpected identifier '{word}' after '{before}'"));
                    }
                }
                word_before = Some(word);
                regex_allowed = matches!(
                    word,
                    "return"
                        | "typeof"
                        | "instanceof"
                        | "in"
                        | "of"
                        | "new"
                        | "delete"
                        | "void"
                        | "throw"
                        | "case"
                        | "do"
                        | "else"
                        | "yield"
                        | "await"
                );
                continue;
            }
            _ => regex_allowed = true,
        }
        i += 1;
    }
    if let Some(open) = stack.last() {
        return Err(format!("unclosed '{}'", *open as char));
    }
    Ok(Scan {
        first_top_level_close,
    })
}

fn skip_quoted(bytes: &[u8], start: usize, quote: u8) -> Option<usize> {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' => return None,
            c if c == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Reads template-literal text from `i` up to the closing backtick (returns
/// the offset after it) or up to a `${`, where it records the nesting and
/// returns so the scanner reads the embedded expression.
fn skip_template(
    bytes: &[u8],
    mut i: usize,
    stack: &mut Vec<u8>,
    template_depths: &mut Vec<usize>,
) -> Result<usize, String> {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'`' => return Ok(i + 1),
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                template_depths.push(stack.len());
                stack.push(b'{');
                return Ok(i + 2);
            }
            _ => i += 1,
        }
    }
    Err("unterminated template literal".into())
}

fn skip_regex(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    let mut in_class = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' => return None,
            b'[' => {
                in_class = true;
                i += 1;
            }
            b']' => {
                in_class = false;
                i += 1;
            }
            b'/' if !in_class => {
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                return Some(i);
            }
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_server_rule() {
        for good in [
            "ns::f",
            "FEATURES::USER_SESSION_COUNT_V2",
            "a::b::c",
            "9x::y",
            "x_::_y",
        ] {
            assert!(is_valid_name(good), "{good}");
        }
        for bad in [
            "f", "_aql::f", "ns::", "::f", "ns:f", "ns::f-g", "ns::f::", "näme::f", "",
        ] {
            assert!(!is_valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn function_code_is_checked_for_shape_and_balance() {
        let good = [
            "function (x) { return x; }",
            "function(){ return \"}\" + '{' + `a${ {a: 1}.a }b`; }",
            "function (a) { /* } */ return a / 2 / 1; } // trailing",
            "function (s) { return s.replace(/[}{]/g, ''); }",
            "(a, b) => a + b",
            "x => ({ y: x })",
            "function* gen() { yield 1; }",
            "function (a) {\n  const b = a\n  return b\n}",
            "function (o) { return 'k' in o && o instanceof Object; }",
            "function () { for (const k of [1]) { return typeof k; } }",
            "function () { return { get size() { return 1; }, async run() {} }; }",
            "function (x) { if (x) return 1; else return 2; }",
        ];
        for code in good {
            assert!(
                check_function_code(code).is_ok(),
                "{code}: {:?}",
                check_function_code(code)
            );
        }
        let bad = [
            "return 1;",
            "function (x) { return x; ",
            "function (x) { return (x]; }",
            "function (x) { return 'unterminated; }",
            "function (x) { return x; } extra()",
            "functional(x)",
            "function (x) { /* open }",
            "function (celsius) { invalid syntax }",
            "function (x) { return x y; }",
        ];
        for code in bad {
            assert!(check_function_code(code).is_err(), "{code}");
        }
    }
}
