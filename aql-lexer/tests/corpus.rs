//! Runs the whole AQL corpus of documentation queries through the crate.
//!
//! Every query in `valid/` must tokenize, re-assemble exactly and pass
//! `check_syntax`: a false rejection would make the emulator refuse a query
//! ArangoDB accepts. The corpus lives outside the crate, at
//! `../../shared/aql-corpus` from the crate directory; a missing corpus fails
//! the tests instead of skipping them, so it cannot go unnoticed.

use std::fs;
use std::path::PathBuf;

use aql_lexer::{check_syntax, tokenize, BindParameterKind};

fn corpus_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/aql-corpus");
    assert!(
        dir.join("valid").is_dir(),
        "AQL corpus not found at {} (expected valid/*.aql there)",
        dir.display()
    );
    dir
}

fn read_valid(name: &str) -> String {
    let path = corpus_dir().join("valid").join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
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

#[test]
fn truncated_queries_never_panic() {
    // Cutting queries short produces unclosed brackets, strings and
    // comments in every possible place.
    for (_, text) in valid_files() {
        let cuts = text.char_indices().map(|(i, _)| i).step_by(7);
        for cut in cuts {
            let prefix = &text[..cut];
            let _ = check_syntax(prefix);
            let _ = aql_lexer::referenced_collections(prefix);
        }
    }
}

/// One corpus file with the analysis results it must produce.
struct Sample {
    file: &'static str,
    collections: &'static [&'static str],
    /// `name` for value parameters, `@name` for collection parameters.
    parameters: &'static [&'static str],
}

const SAMPLES: &[Sample] = &[
    // Escaped quotes and backslashes hide `||` and a comment marker in strings.
    Sample {
        file: "0001.aql",
        collections: &["collection"],
        parameters: &[],
    },
    // REMOVE into a different collection than the one iterated.
    Sample {
        file: "0024.aql",
        collections: &["users", "backup"],
        parameters: &[],
    },
    // UPSERT ... INSERT ... UPDATE ... IN.
    Sample {
        file: "0034.aql",
        collections: &["users"],
        parameters: &[],
    },
    // COLLECT ... INTO declares a variable, not a collection.
    Sample {
        file: "0075.aql",
        collections: &["users"],
        parameters: &[],
    },
    // A traversal starting from a loop variable.
    Sample {
        file: "0116.aql",
        collections: &["products", "purchased"],
        parameters: &[],
    },
    // WITH plus a K_PATHS search.
    Sample {
        file: "0591.aql",
        collections: &["person", "movie", "acts_in"],
        parameters: &[],
    },
    // WITH plus a traversal.
    Sample {
        file: "0769.aql",
        collections: &["users", "managers", "usersHaveManagers"],
        parameters: &[],
    },
    // WITH, a subquery, and a traversal from a LET variable.
    Sample {
        file: "0983.aql",
        collections: &["managers", "users", "usersHaveManagers"],
        parameters: &[],
    },
    // A traversal over a bind parameter edge collection.
    Sample {
        file: "0977.aql",
        collections: &[],
        parameters: &["start", "@edge"],
    },
    // The same dynamic attribute parameter used twice.
    Sample {
        file: "1281.aql",
        collections: &[],
        parameters: &["@collection", "attribute", "left", "right"],
    },
    // `@@collect` and `.@filter`; `@bind-var` only appears in a comment.
    Sample {
        file: "0579.aql",
        collections: &[],
        parameters: &["@collect", "filter"],
    },
    // COLLECT with several groups and a COUNT; a system collection.
    Sample {
        file: "0112.aql",
        collections: &["_queries"],
        parameters: &["start", "end"],
    },
    // A shortest path search.
    Sample {
        file: "1125.aql",
        collections: &["edges"],
        parameters: &[],
    },
    // Destructuring in FOR.
    Sample {
        file: "0659.aql",
        collections: &["users"],
        parameters: &[],
    },
    // FOR over a LET variable is not a collection.
    Sample {
        file: "0058.aql",
        collections: &[],
        parameters: &[],
    },
    // FOR over a View (followed by SEARCH) is not a collection.
    Sample {
        file: "0118.aql",
        collections: &[],
        parameters: &[],
    },
    // INSERT INTO with OPTIONS.
    Sample {
        file: "0672.aql",
        collections: &["collection", "users"],
        parameters: &[],
    },
    // UPSERT FILTER (3.12+).
    Sample {
        file: "0758.aql",
        collections: &["users"],
        parameters: &[],
    },
    // A GRAPH traversal (no collection) and REMOVE in subqueries.
    Sample {
        file: "0098.aql",
        collections: &[
            "internationalHighway",
            "germanHighway",
            "frenchHighway",
            "germanCity",
        ],
        parameters: &[],
    },
];

#[test]
fn sample_files_have_the_expected_parameters_and_collections() {
    for sample in SAMPLES {
        let text = read_valid(sample.file);
        let info = check_syntax(&text).unwrap_or_else(|e| panic!("{}: {e}", sample.file));
        assert_eq!(
            info.collections, sample.collections,
            "{}: collections",
            sample.file
        );
        let parameters: Vec<String> = info
            .bind_parameters
            .iter()
            .map(|p| match p.kind {
                BindParameterKind::Value => p.name.clone(),
                BindParameterKind::Collection => format!("@{}", p.name),
            })
            .collect();
        assert_eq!(parameters, sample.parameters, "{}: parameters", sample.file);
    }
}

#[test]
fn parameter_positions_in_a_sample() {
    let params = aql_lexer::bind_parameters(&read_valid("1281.aql")).unwrap();
    let positions: Vec<(u32, u32)> = params
        .iter()
        .map(|p| (p.position.line, p.position.column))
        .collect();
    // Line 1 is the `// source:` header.
    assert_eq!(positions, vec![(2, 12), (3, 14), (3, 28), (3, 55)]);
}
