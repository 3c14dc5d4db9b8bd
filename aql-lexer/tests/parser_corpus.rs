//! Parses every query of `valid/` in the corpus manifest with the full
//! parser and reports how many parse. The floor below is the count reached
//! so far; raise it as the parser grows (the goal is all 1,296).

use std::fs;
use std::path::PathBuf;

use aql_lexer::parse_query;

/// Queries of `valid/` that parse today (all of them); never lower this.
const PASS_FLOOR: usize = 1296;

#[test]
fn valid_corpus_parses() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/aql-corpus");
    let manifest = fs::read_to_string(dir.join("manifest.tsv"))
        .unwrap_or_else(|e| panic!("cannot read the corpus manifest in {}: {e}", dir.display()));
    let files: Vec<&str> = manifest
        .lines()
        .skip(1)
        .filter_map(|line| line.split('\t').next())
        .filter(|file| file.starts_with("valid/"))
        .collect();
    assert_eq!(files.len(), 1296, "unexpected number of valid queries");
    let mut failures = Vec::new();
    for file in &files {
        let text = fs::read_to_string(dir.join(file))
            .unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
        if let Err(error) = parse_query(&text) {
            let first = text.lines().nth(1).unwrap_or_default();
            failures.push(format!("{file}: {first}\n    {}", error.message));
        }
    }
    let passed = files.len() - failures.len();
    println!("parsed {passed}/{} valid corpus queries", files.len());
    for failure in &failures {
        println!("{failure}");
    }
    assert!(
        passed >= PASS_FLOOR,
        "only {passed} queries parse, fewer than the floor {PASS_FLOOR}"
    );
}
