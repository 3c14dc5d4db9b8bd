//! Classifies every fragment of the corpus (`../shared/aql-corpus/fragments`)
//! and compares with the manifest's category, printing the confusion
//! matrix (`cargo test -p aql-lexer --test classify -- --nocapture`).
//!
//! Expected: each fragment gets its category's classification, or, where
//! the text alone cannot tell (listed in [`AMBIGUOUS`] with the reason), at
//! least a fragment classification rather than an error; the `doc-error`
//! and `documented-invalid` fragments the parser can see are `Invalid`
//! (the others are listed in [`NOT_SEEN`] with the reason).

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use aql_lexer::{classify, Classification};

fn label(class: &Classification) -> &'static str {
    match class {
        Classification::Query => "query",
        Classification::Queries(_) => "queries",
        Classification::Expression => "expression",
        Classification::OperationFragment => "operation",
        Classification::Template => "template",
        Classification::ExplainOutput => "explain",
        Classification::Invalid(_) => "invalid",
    }
}

/// The classification label each manifest category should get.
fn expected(category: &str) -> &'static str {
    match category {
        "expression" => "expression",
        "operation-fragment" => "operation",
        "template" | "js-template" | "escaped" => "template",
        "explain-output" => "explain",
        "multiple-queries" => "queries",
        "doc-error" | "documented-invalid" => "invalid",
        _ => "?",
    }
}

/// Fragments that do not get their category's classification, with the
/// classifications accepted and why (from the manifest note or the text).
const AMBIGUOUS: &[(&str, &[&str], &str)] = &[
    (
        "fragments/0042.aql",
        &["expression"],
        "template `FUNCTIONNAME(arguments)` is also a well-formed call expression",
    ),
    (
        "fragments/0187.aql",
        &["query", "invalid"],
        "template `INSERT document INTO collection RETURN NEW` is a well-formed query; \
         invalid (1512 unknown variable 'document') once variables are checked",
    ),
    (
        "fragments/0191.aql",
        &["invalid"],
        "template with the placeholder `options` spelled like the OPTIONS keyword, \
         which then needs an object: the text is not AQL",
    ),
    (
        "fragments/0194.aql",
        &["invalid"],
        "4 queries, the first being the template of fragments/0191.aql (`options`)",
    ),
    (
        "fragments/0204.aql",
        &["invalid"],
        "4 queries, the first a template with the placeholder `options` (see 0191)",
    ),
    (
        "fragments/0188.aql",
        &["invalid"],
        "shows a syntax error on purpose: its own comment says `a = PUSH(a, 4)` is \
         'syntax error, unexpected identifier'",
    ),
    (
        "fragments/0007.aql",
        &["invalid"],
        "includes `ALL LIKE` / `ANY =~` array comparisons, new in 4.x \
         (whats-new-in-4-x.md, corpus fragments/0324.aql); 3.12 rejects them",
    ),
    (
        "fragments/0324.aql",
        &["invalid"],
        "array comparison with LIKE / =~ / !~, from whats-new-in-4-x.md: 4.x only",
    ),
    (
        "fragments/0021.aql",
        &["invalid"],
        "`LET [, y, z] = ...` (an elided destructuring element) is not accepted by \
         the parser (aql-lexer/src/parser, not owned here): parser gap",
    ),
    (
        "fragments/0266.aql",
        &["invalid"],
        "contains `LET [, y, z] = ...` as fragments/0021.aql: parser gap",
    ),
];

/// Invalid fragments whose error the parser cannot see (yet), with the
/// classification they get and why.
const NOT_SEEN: &[(&str, &[&str], &str)] = &[
    (
        "fragments/0189.aql",
        &["query"],
        "1579 access after data-modification: the modifications check (another \
         helper's file) is a stub on this branch",
    ),
    (
        "fragments/0291.aql",
        &["query"],
        "variable used after a later COLLECT (1512): the variables check (another \
         helper's file) is a stub on this branch",
    ),
    (
        "fragments/0284.aql",
        &["query"],
        "dynamic collection name in NEAR(): rejected when the optimizer replaces the \
         call, after parsing",
    ),
    (
        "fragments/0285.aql",
        &["query"],
        "dynamic collection name in FULLTEXT(): rejected when the optimizer replaces \
         the call, after parsing",
    ),
];

#[test]
fn corpus_fragments_are_classified() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/aql-corpus");
    let manifest = fs::read_to_string(dir.join("manifest.tsv"))
        .unwrap_or_else(|e| panic!("cannot read the corpus manifest in {}: {e}", dir.display()));
    let mut matrix: BTreeMap<(String, &str), usize> = BTreeMap::new();
    let mut wrong = Vec::new();
    let mut total = 0;
    for line in manifest.lines().skip(1) {
        let mut cols = line.split('\t');
        let (Some(file), Some(category)) = (cols.next(), cols.next()) else {
            continue;
        };
        if !file.starts_with("fragments/") {
            continue;
        }
        total += 1;
        let text = fs::read_to_string(dir.join(file))
            .unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
        let class = classify(&text);
        let got = label(&class);
        *matrix.entry((category.to_string(), got)).or_default() += 1;
        let want = expected(category);
        if got == want {
            continue;
        }
        let listed = AMBIGUOUS
            .iter()
            .chain(NOT_SEEN)
            .any(|(f, labels, _)| *f == file && labels.contains(&got));
        if !listed {
            let detail = match &class {
                Classification::Invalid(e) => format!(" ({} {})", e.error_num, e.message),
                _ => String::new(),
            };
            wrong.push(format!("{file}\t{category}\t{got}{detail}"));
        }
    }
    println!("category\tclassified as\tcount");
    for ((category, got), count) in &matrix {
        println!("{category}\t{got}\t{count}");
    }
    for line in &wrong {
        println!("UNEXPECTED {line}");
    }
    assert_eq!(total, 366, "unexpected number of fragments");
    assert!(
        wrong.is_empty(),
        "{} fragments classified unexpectedly",
        wrong.len()
    );
}

/// The corpus's complete queries are classified as queries, except those
/// that 3.12 rejects for their functions (listed in tests/functions.rs:
/// 4.x-only `PARTITION()` and `UNION_DISTINCT_STABLE()`).
#[test]
fn corpus_queries_are_queries() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/aql-corpus");
    let manifest = fs::read_to_string(dir.join("manifest.tsv")).expect("manifest.tsv");
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for file in manifest
        .lines()
        .filter_map(|line| line.split('\t').next())
        .filter(|file| file.starts_with("valid/"))
    {
        let text = fs::read_to_string(dir.join(file)).expect("corpus file");
        let class = classify(&text);
        if let Classification::Invalid(error) = &class {
            assert!(
                error.error_num == 1540
                    && (error.message.contains("'PARTITION()'")
                        || error.message.contains("'UNION_DISTINCT_STABLE()'")),
                "{file}: {error:?}"
            );
        } else {
            assert_eq!(class, Classification::Query, "{file}");
        }
        *counts.entry(label(&class)).or_default() += 1;
    }
    println!("valid/: {counts:?}");
    assert_eq!(counts.get("query"), Some(&1286));
}
