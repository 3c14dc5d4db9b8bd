//! The corpus fragments that the documentation itself marks as wrong
//! (manifest categories `doc-error` and `documented-invalid`).
//!
//! Only the clear syntax errors are asserted: a dangling comma in a `FOR`
//! variable list, a keyword used as a collection name, and `=` instead of
//! `==`. The others (a missing comma between arguments, `REPLACE` without
//! `IN`, and semantic errors such as a collection modified twice) need a full
//! parser or a database, so `check_syntax` is not required to catch them.

use std::fs;
use std::path::PathBuf;

use aql_lexer::check_syntax;

fn corpus_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/aql-corpus");
    assert!(
        dir.join("manifest.tsv").is_file(),
        "AQL corpus not found at {} (expected manifest.tsv there)",
        dir.display()
    );
    dir
}

/// The fragment files of the two categories, from the manifest.
fn invalid_fragments() -> Vec<String> {
    let manifest = fs::read_to_string(corpus_dir().join("manifest.tsv")).expect("manifest.tsv");
    manifest
        .lines()
        .filter_map(|line| {
            let mut cols = line.split('\t');
            let file = cols.next()?;
            let category = cols.next()?;
            matches!(category, "doc-error" | "documented-invalid").then(|| file.to_string())
        })
        .collect()
}

fn read(file: &str) -> String {
    let path = corpus_dir().join(file);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// (file, line, column, message start)
const CAUGHT: &[(&str, u32, u32, &str)] = &[
    // `FOR v, IN`: the list needs another name after the comma.
    (
        "fragments/0176.aql",
        3,
        8,
        "syntax error, unexpected IN keyword near 'IN 0..1",
    ),
    (
        "fragments/0177.aql",
        2,
        8,
        "syntax error, unexpected IN keyword near 'IN 0..1",
    ),
    // `WINDOW` is a keyword since 3.8 and needs quoting as a collection name.
    (
        "fragments/0316.aql",
        2,
        15,
        "syntax error, unexpected WINDOW declaration near 'Window",
    ),
    // The HTTP API docs' own example of an invalid query.
    (
        "fragments/0334.aql",
        2,
        26,
        "syntax error, unexpected assignment near '= 1 LIMIT 2 RETURN i * 3",
    ),
];

#[test]
fn manifest_lists_the_expected_fragments() {
    let files = invalid_fragments();
    assert_eq!(files.len(), 11, "doc-error + documented-invalid: {files:?}");
    for (file, ..) in CAUGHT {
        assert!(
            files.iter().any(|f| f == file),
            "{file} not in the manifest"
        );
    }
}

#[test]
fn clear_syntax_errors_are_caught() {
    for (file, line, column, message) in CAUGHT {
        let error = check_syntax(&read(file)).expect_err(file);
        assert_eq!(
            (error.position.line, error.position.column),
            (*line, *column),
            "{file}"
        );
        assert!(
            error.message.starts_with(message),
            "{file}: {}",
            error.message
        );
        assert!(error
            .message
            .ends_with(&format!("at position {line}:{column}")));
        assert_eq!(error.error_num(), 1501);
    }
}

#[test]
fn other_invalid_fragments_still_tokenize() {
    // Not syntax errors this crate can see; they must still be lexically fine.
    for file in invalid_fragments() {
        if CAUGHT.iter().all(|(caught, ..)| *caught != file) {
            aql_lexer::tokenize(&read(&file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        }
    }
}
