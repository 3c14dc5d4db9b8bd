//! The acceptance corpus of invalid queries (`invalid-queries.txt`): every
//! case names the error a server gives for it and where that expectation
//! comes from; `check_query` must report the same first error (errorNum,
//! exact message, position).
//!
//! The format and the reader are in `corpus_format/`.

mod corpus_format;

use aql_lexer::check_query;
use corpus_format::{cases, KNOWN_GAPS};

#[test]
fn corpus_is_well_formed() {
    let cases = cases();
    assert!(cases.len() >= 200, "only {} cases", cases.len());
    let mut slugs: Vec<&str> = cases.iter().map(|c| c.slug.as_str()).collect();
    slugs.sort_unstable();
    let before = slugs.len();
    slugs.dedup();
    assert_eq!(before, slugs.len(), "duplicate slugs");
    for case in &cases {
        assert!(!case.source.is_empty(), "{}: no source", case.slug);
        assert!(case.error_num >= 1000, "{}: bad errorNum", case.slug);
    }
}

#[test]
fn every_case_reports_the_servers_first_error() {
    let cases = cases();
    for slug in KNOWN_GAPS {
        assert!(
            cases.iter().any(|c| c.slug == *slug),
            "KNOWN_GAPS names no case {slug}"
        );
    }
    let mut failures = Vec::new();
    let mut gaps = 0;
    for case in &cases {
        let expected = format!(
            "{} {} at {}:{}",
            case.error_num, case.message, case.line, case.column
        );
        let actual = match check_query(&case.query) {
            Ok(_) => "accepted".to_string(),
            Err(errors) => match errors.first() {
                Some(e) => format!(
                    "{} {} at {}:{}",
                    e.error_num, e.message, e.position.line, e.position.column
                ),
                None => "rejected without an error".to_string(),
            },
        };
        let known_gap = KNOWN_GAPS.contains(&case.slug.as_str());
        if known_gap && actual == expected {
            failures.push(format!(
                "=== {}\n  passes now: remove it from KNOWN_GAPS",
                case.slug
            ));
        } else if known_gap {
            gaps += 1;
        } else if actual != expected {
            failures.push(format!(
                "=== {}\n  query:    {:?}\n  expected: {expected}\n  actual:   {actual}",
                case.slug, case.query
            ));
        }
    }
    eprintln!(
        "{} of {} cases pass; {gaps} known gaps",
        cases.len() - gaps - failures.len(),
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from the server:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
