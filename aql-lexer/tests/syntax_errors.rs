//! `check_syntax` error positions and messages through the public API.

use aql_lexer::{check_syntax, SyntaxError, SyntaxErrorKind};

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
fn unclosed_brackets_are_reported_at_the_last_token() {
    assert_eq!(at("RETURN (1 + 2"), (1, 13));
    assert_eq!(at("RETURN [1, 2"), (1, 12));
    assert_eq!(at("RETURN { a: 1"), (1, 13));
    assert_eq!(at("LET a = (\n  FOR x IN [1, 2]\n  RETURN x\n"), (3, 10));
    let e = error("RETURN [1, 2");
    assert_eq!(
        e.message,
        "syntax error, unexpected end of query string near '2' at position 1:12"
    );
}

#[test]
fn stray_and_mismatched_closing_brackets() {
    let e = error("RETURN 1)");
    assert_eq!(
        e.message,
        "syntax error, unexpected ) near ')' at position 1:9"
    );
    assert_eq!(at("FOR x IN [1, 2)\nRETURN x"), (1, 15));
    assert_eq!(at("RETURN {\n  a: (1]\n}"), (2, 8));
    assert_eq!(at("RETURN 1\n}"), (2, 1));
}

#[test]
fn unterminated_string_points_at_its_start() {
    let e = error("FOR u IN users\n  FILTER u.name == \"Anna\n  RETURN u");
    assert_eq!((e.position.line, e.position.column), (2, 20));
    assert_eq!(
        e.message,
        "unexpected unterminated string literal near '\"Anna\n  RETURN u' at position 2:20"
    );
    assert_eq!(e.kind, SyntaxErrorKind::Parse);
    // An escaped quote does not close the string.
    assert_eq!(at("RETURN 'it\\'s"), (1, 8));
}

#[test]
fn unterminated_block_comment() {
    let e = error("RETURN 1 /* the end\n never comes");
    assert_eq!((e.position.line, e.position.column), (1, 10));
    assert!(e
        .message
        .starts_with("unexpected unterminated multi-line comment near '/* the end"));
}

#[test]
fn unknown_first_word() {
    let e = error("SELECT * FROM x");
    assert_eq!((e.position.line, e.position.column), (1, 1));
    assert!(e.message.contains("unexpected"));
    assert_eq!(
        e.message,
        "syntax error, unexpected identifier near 'SELECT * FROM x' at position 1:1"
    );
    // After comments and blank lines.
    assert_eq!(at("// header\n\n   select 1"), (3, 4));
}

#[test]
fn positions_count_characters_after_multibyte_text() {
    // `é` and `€` are one column each although they take 2 and 3 bytes.
    let query = "LET s = 'été €'\nLET t = 'ö' RETURN [s, t])";
    let e = error(query);
    assert_eq!((e.position.line, e.position.column), (2, 26));
    assert_eq!(e.position.offset, query.rfind(')').unwrap());
    let e = error("RETURN '🥑' ;");
    assert_eq!((e.position.line, e.position.column), (1, 12));
}

#[test]
fn empty_queries_are_distinct() {
    for query in ["", " \n", "/* nothing */", "// nothing\n// at all"] {
        let e = error(query);
        assert!(e.is_empty_query(), "{query:?}");
        assert_eq!(e.kind, SyntaxErrorKind::EmptyQuery);
        assert_eq!(e.error_num(), 1502);
    }
    assert!(!error("SELECT").is_empty_query());
}

#[test]
fn valid_queries_pass_and_report_what_they_use() {
    let info = check_syntax(
        "WITH persons\n\
         FOR v, e IN 1..2 OUTBOUND @start knows\n\
           FILTER v.name == 'a@b' // not @param\n\
           INSERT { from: v._id } INTO @@log",
    )
    .unwrap();
    assert_eq!(info.collections, vec!["persons", "knows"]);
    let names: Vec<&str> = info
        .bind_parameters
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, vec!["start", "log"]);
}

#[test]
fn queries_must_end_with_return_or_a_modification() {
    for incomplete in [
        "FOR d IN c",
        "FOR d IN c FILTER d.a == 1",
        "LET x = 1",
        "FOR d IN c LET y = (FOR e IN f RETURN e)",
        "WITH users",
    ] {
        let err = check_syntax(incomplete).expect_err(incomplete);
        assert!(
            err.message
                .starts_with("syntax error, unexpected end of query string"),
            "{incomplete}: {}",
            err.message
        );
        assert_eq!(err.error_num(), 1501);
    }
    for complete in [
        "FOR d IN c RETURN d",
        "FOR d IN c UPDATE d WITH {a: 1} IN c",
        "FOR d IN c REMOVE d IN c OPTIONS {ignoreErrors: true}",
        "UPSERT {a: 1} INSERT {a: 1} UPDATE {} IN c",
        "LET x = (FOR d IN c FILTER d.a RETURN d) RETURN x",
    ] {
        assert!(check_syntax(complete).is_ok(), "{complete}");
    }
}
