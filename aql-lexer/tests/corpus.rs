//! Runs the whole AQL corpus of documentation queries through the crate.
//!
//! Every query in `valid/` must tokenize, re-assemble exactly and pass
//! `check_syntax`: a false rejection would make the emulator refuse a query
//! ArangoDB accepts. The corpus lives outside the crate, at
//! `../../shared/aql-corpus` from the crate directory; a missing corpus fails
//! the tests instead of skipping them, so it cannot go unnoticed.

use std::fs;
use std::path::PathBuf;

use aql_lexer::{check_syntax, tokenize};

fn corpus_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/aql-corpus");
    assert!(
        dir.join("valid").is_dir(),
        "AQL corpus not found at {} (expected valid/*.aql there)",
        dir.display()
    );
    dir
}

fn valid_files() -> Vec<(String, String)> {
    let dir = corpus_dir().join("valid");
    let mut files: Vec<(String, String)> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "aql"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            (name, text)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_valid_query_passes() {
    let files = valid_files();
    assert_eq!(files.len(), 1296, "unexpected number of corpus files");
    let mut failures = Vec::new();
    for (name, text) in &files {
        match tokenize(text) {
            Ok(tokens) => {
                let joined: String = tokens.iter().map(|t| t.text).collect();
                if joined != *text {
                    failures.push(format!("{name}: tokens do not re-assemble the query"));
                }
            }
            Err(e) => failures.push(format!("{name}: tokenize: {e}")),
        }
        if let Err(e) = check_syntax(text) {
            failures.push(format!("{name}: check_syntax: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus files failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}
