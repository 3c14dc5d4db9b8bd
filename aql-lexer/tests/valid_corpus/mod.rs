//! The 1,296 complete queries of the AQL documentation corpus
//! (`../shared/aql-corpus/valid`, listed in its `manifest.tsv`), shared by
//! the integration tests that run a check over all of them.

#![allow(dead_code)]

use std::fs;
use std::path::PathBuf;

/// The corpus directory.
pub fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/aql-corpus")
}

/// Every `valid/` query as (file name, text), in manifest order; asserts
/// there are 1,296 of them.
pub fn valid_queries() -> Vec<(String, String)> {
    let dir = corpus_dir();
    let manifest = fs::read_to_string(dir.join("manifest.tsv"))
        .unwrap_or_else(|e| panic!("cannot read the corpus manifest in {}: {e}", dir.display()));
    let queries: Vec<(String, String)> = manifest
        .lines()
        .skip(1)
        .filter_map(|line| line.split('\t').next())
        .filter(|file| file.starts_with("valid/"))
        .map(|file| {
            let text = fs::read_to_string(dir.join(file))
                .unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
            (file.to_string(), text)
        })
        .collect();
    assert_eq!(queries.len(), 1296, "unexpected number of valid queries");
    queries
}
