//! The prepare-time checks (`check_query_for_execution`, error 1579) and the
//! version-aware function checks (`check_query_with`) over the corpus
//! (`../shared/aql-corpus`): every valid query passes on the version its
//! docs are for, and the documented invalid example is reported.

use std::fs;
use std::path::PathBuf;

use aql_lexer::{
    check_query, check_query_for_execution, check_query_with, AqlVersion, CheckOptions, CheckStage,
};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/aql-corpus")
}

/// (file, version the docs are for) of every `valid/` query: 3.12 when the
/// 3.12 docs have it too (the manifest's `also_in` column) or it comes from
/// the 3.12 docs, 4.0 when only the 4.x docs have it.
fn valid_queries() -> Vec<(String, AqlVersion, String)> {
    let dir = corpus();
    let manifest = fs::read_to_string(dir.join("manifest.tsv"))
        .unwrap_or_else(|e| panic!("cannot read the corpus manifest in {}: {e}", dir.display()));
    let mut queries = Vec::new();
    for line in manifest.lines().skip(1) {
        let columns: Vec<&str> = line.split('\t').collect();
        let (file, source) = (columns[0], columns[3]);
        if !file.starts_with("valid/") {
            continue;
        }
        let also_in = columns.get(6).copied().unwrap_or("");
        let in_3_12 = also_in.contains("/3.12/") || source.contains("/3.12/");
        let version = if in_3_12 {
            AqlVersion::V3_12
        } else {
            AqlVersion::V4_0
        };
        let text = fs::read_to_string(dir.join(file))
            .unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
        queries.push((file.to_string(), version, text));
    }
    assert_eq!(queries.len(), 1296, "unexpected number of valid queries");
    queries
}

#[test]
fn every_valid_query_passes_the_execution_checks_on_its_version() {
    let mut failures = Vec::new();
    let mut by_version = (0, 0);
    for (file, version, text) in valid_queries() {
        if version == AqlVersion::V3_12 {
            by_version.0 += 1;
        } else {
            by_version.1 += 1;
        }
        let options = CheckOptions {
            version,
            stage: CheckStage::Execution,
        };
        if let Err(errors) = check_query_with(&text, &options) {
            failures.push(format!("{file} ({version}): {:?}", errors[0]));
        }
    }
    println!("3.12 queries: {}, 4.x-only: {}", by_version.0, by_version.1);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn execution_checks_only_add_1579_to_the_parse_checks() {
    // With the default version (3.12), the only queries the execution
    // checks reject are those the parse checks reject (the 4.x-only
    // functions), for the same reasons.
    for (file, _, text) in valid_queries() {
        let parsed = check_query(&text).err();
        let prepared = check_query_for_execution(&text).err();
        assert_eq!(parsed, prepared, "{file}");
    }
}

#[test]
fn the_documented_1579_example_is_reported() {
    // fragments/0189.aql: 3.12/4.x docs, REMOVE, "fails with access after
    // data-modification (third REMOVE on users)" (manifest note). The file
    // starts with a `// source:` line, so the third REMOVE is on line 4.
    let text = fs::read_to_string(corpus().join("fragments/0189.aql")).expect("fragments/0189.aql");
    assert!(check_query(&text).is_ok(), "it parses");
    let errors = check_query_for_execution(&text).expect_err("rejected when prepared");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].error_num, 1579);
    assert_eq!(
        errors[0].message,
        "access after data-modification by collection 'users'"
    );
    assert_eq!((errors[0].position.line, errors[0].position.column), (4, 1));
}

fn function_errors(query: &str, version: AqlVersion) -> Vec<(u32, String)> {
    let options = CheckOptions {
        version,
        stage: CheckStage::Parse,
    };
    match check_query_with(query, &options) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .map(|e| (e.error_num, e.message))
            .collect(),
    }
}

const V3_11: AqlVersion = AqlVersion::new(3, 11, 14);
const V3_12: AqlVersion = AqlVersion::new(3, 12, 10);
const V4_0: AqlVersion = AqlVersion::V4_0;

#[test]
fn functions_new_in_4_0_exist_on_4_x_only() {
    for query in [
        "RETURN PARTITION(\"foo:bar:baz\", \":\", -1)",
        "RETURN UNION_DISTINCT_STABLE([1, 2, 3], [3, 2, 1], [4], [5, 6, 1])",
    ] {
        assert_eq!(function_errors(query, V4_0), Vec::new(), "{query}");
        assert_eq!(function_errors(query, V3_12).len(), 1, "{query}");
        assert_eq!(function_errors(query, V3_12)[0].0, 1540, "{query}");
    }
    assert_eq!(
        function_errors("RETURN PARTITION('a:b', ':')", V3_12),
        vec![(1540, "usage of unknown function 'PARTITION()'".to_string())]
    );
    // The 3.12 default is what check_query answers.
    assert!(check_query("RETURN PARTITION('a:b', ':')").is_err());
    // Argument counts hold per version too.
    assert_eq!(
        function_errors("RETURN PARTITION('a')", V4_0),
        vec![(
            1541,
            "invalid number of arguments for function 'PARTITION()', expected number of \
             arguments: minimum: 2, maximum: 3"
                .to_string()
        )]
    );
}

#[test]
fn functions_removed_in_4_0_are_unknown_on_4_x() {
    let query = "FOR d IN FULLTEXT(articles, 'text', 'prefix:foo') RETURN d";
    assert_eq!(function_errors(query, V3_12), Vec::new());
    assert_eq!(
        function_errors(query, V4_0),
        vec![(1540, "usage of unknown function 'FULLTEXT()'".to_string())]
    );
    assert_eq!(
        function_errors("RETURN NEAR(places, 1, 2)", V4_0),
        vec![(1540, "usage of unknown function 'NEAR()'".to_string())]
    );
}

#[test]
fn functions_new_in_3_12_are_unknown_on_3_11() {
    assert_eq!(
        function_errors("RETURN TO_CHAR(216)", V3_11),
        vec![(1540, "usage of unknown function 'TO_CHAR()'".to_string())]
    );
    assert_eq!(function_errors("RETURN TO_CHAR(216)", V3_12), Vec::new());
    assert_eq!(function_errors("RETURN REPEAT('a', 3)", V3_11)[0].0, 1540);
    // Pregel's function is gone in 3.12.
    assert_eq!(
        function_errors("RETURN PREGEL_RESULT('1')", V3_11),
        Vec::new()
    );
    assert_eq!(
        function_errors("RETURN PREGEL_RESULT('1')", V3_12),
        vec![(
            1540,
            "usage of unknown function 'PREGEL_RESULT()'".to_string()
        )]
    );
}

#[test]
fn execution_checks_per_version() {
    let query = "INSERT { a: 1 } INTO logs\nRETURN DOCUMENT('users/1')";
    for (version, message) in [
        (V3_11, "access after data-modification by function DOCUMENT"),
        (V3_12, "access after data-modification by function DOCUMENT"),
        (V4_0, "access after data-modification by function DOCUMENT"),
    ] {
        let options = CheckOptions {
            version,
            stage: CheckStage::Execution,
        };
        let errors = check_query_with(query, &options).expect_err("1579");
        assert_eq!(
            (errors[0].error_num, errors[0].message.as_str()),
            (1579, message),
            "{version}"
        );
        assert_eq!((errors[0].position.line, errors[0].position.column), (2, 8));
    }
}

#[test]
fn reads_appended_after_corpus_modifications_are_reported() {
    // Every valid query whose last top-level operation is a modification of
    // a named collection gets a read of that collection, or a DOCUMENT()
    // call, appended on a new line: both are 1579 at the appended access.
    use aql_lexer::ast::{ExprKind, Statement};
    let mut mutated = 0;
    for (file, version, text) in valid_queries() {
        let options = CheckOptions {
            version,
            stage: CheckStage::Execution,
        };
        let Ok(tree) = check_query_with(&text, &options) else {
            continue;
        };
        let Some(Statement::Modify(modification)) = tree.body.last() else {
            continue;
        };
        let ExprKind::Name(collection) = &modification.collection.kind else {
            continue;
        };
        let line = text.trim_end().lines().count() as u32 + 1;
        let base = text.trim_end();
        for (suffix, column, by) in [
            (
                format!("FOR __x IN {collection} RETURN __x"),
                12,
                format!("collection '{collection}'"),
            ),
            (
                "RETURN DOCUMENT('c/1')".to_string(),
                8,
                "function DOCUMENT".to_string(),
            ),
        ] {
            let query = format!("{base}\n{suffix}");
            let errors = check_query_with(&query, &options)
                .err()
                .unwrap_or_else(|| panic!("{file}: {suffix} accepted"));
            let first = &errors[0];
            assert_eq!(
                (
                    first.error_num,
                    first.message.as_str(),
                    first.position.line,
                    first.position.column
                ),
                (
                    1579,
                    format!("access after data-modification by {by}").as_str(),
                    line,
                    column
                ),
                "{file}: {suffix}"
            );
        }
        mutated += 1;
    }
    println!("{mutated} corpus queries extended");
    assert!(
        mutated >= 50,
        "only {mutated} corpus queries end in a modification"
    );
}
