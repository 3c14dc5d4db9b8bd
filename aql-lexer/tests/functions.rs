//! Runs the server's parse-time function checks over every query of the
//! corpus (`../shared/aql-corpus/valid`, documentation queries believed to
//! be accepted by 3.12 or 4.x) and asserts that none of them is rejected
//! for its functions (errors 1540 unknown function, 1541 wrong argument
//! count, 1574 invalid aggregate), except the queries listed in
//! [`EXCEPTIONS`], each with the error it gets and why 3.12 really rejects
//! it.

mod valid_corpus;

use aql_lexer::check_query;

/// PARTITION() is new in 4.0: "What's new in 4.x" shows it (corpus
/// valid/1071.aql, whats-new-in-4-x.md line 84), the 3.12 docs have no copy
/// of these examples (no `also_in` in the manifest), and the 3.12
/// AqlFunctionFeature.cpp does not register it.
const PARTITION_4X: &str =
    "4.x only (whats-new-in-4-x.md:84; absent from 3.12 AqlFunctionFeature.cpp)";
/// UNION_DISTINCT_STABLE() likewise (whats-new-in-4-x.md line 97).
const UNION_4X: &str = "4.x only (whats-new-in-4-x.md:97; absent from 3.12 AqlFunctionFeature.cpp)";

/// (file, error number, function, reason with its source).
const EXCEPTIONS: &[(&str, u32, &str, &str)] = &[
    ("valid/0225.aql", 1540, "UNION_DISTINCT_STABLE", UNION_4X),
    ("valid/0454.aql", 1540, "PARTITION", PARTITION_4X),
    ("valid/0455.aql", 1540, "PARTITION", PARTITION_4X),
    ("valid/0456.aql", 1540, "PARTITION", PARTITION_4X),
    ("valid/0457.aql", 1540, "PARTITION", PARTITION_4X),
    ("valid/0458.aql", 1540, "PARTITION", PARTITION_4X),
    ("valid/0459.aql", 1540, "PARTITION", PARTITION_4X),
    ("valid/0460.aql", 1540, "PARTITION", PARTITION_4X),
    ("valid/1071.aql", 1540, "PARTITION", PARTITION_4X),
    ("valid/1072.aql", 1540, "UNION_DISTINCT_STABLE", UNION_4X),
];

const FUNCTION_ERRORS: [u32; 3] = [1540, 1541, 1574];

#[test]
fn corpus_queries_pass_the_function_checks() {
    let files = valid_corpus::valid_queries();
    let mut found = Vec::new();
    for (file, text) in &files {
        let Err(errors) = check_query(text) else {
            continue;
        };
        for error in errors {
            if FUNCTION_ERRORS.contains(&error.error_num) {
                found.push((file.to_string(), error.error_num, error.message));
            }
        }
    }
    for (file, num, message) in &found {
        println!("{file}\t{num}\t{message}");
    }
    let expected: Vec<(String, u32)> = EXCEPTIONS
        .iter()
        .map(|(file, num, _, _)| (file.to_string(), *num))
        .collect();
    let actual: Vec<(String, u32)> = found.iter().map(|(f, n, _)| (f.clone(), *n)).collect();
    assert_eq!(
        actual, expected,
        "function errors differ from the listed exceptions"
    );
    for ((_, _, message), (_, _, function, _)) in found.iter().zip(EXCEPTIONS) {
        assert!(message.contains(&format!("'{function}()'")), "{message}");
    }
}
