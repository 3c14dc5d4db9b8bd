//! Runs `check_query` over every query of the corpus's `valid/`: none may
//! have a variable or data-modification error (1511, 1512, 1501 `... for
//! KEEP`, 1595); all 1,296 are documented queries that a server accepts
//! (the corpus keeps the ones the docs call invalid in `fragments/`). Then
//! makes each query that starts with `FOR x IN` invalid on purpose, by
//! declaring `x` before it, and expects the server's 1511 at the `FOR`'s
//! variable; and checks the documented invalid fragments that fail for
//! variable or modification reasons.

mod valid_corpus;

use std::fs;

use aql_lexer::ast::{ExprKind, Pattern, Statement};
use aql_lexer::{check_query, parse_query, visit};
use valid_corpus::{corpus_dir, valid_queries};

/// The error numbers the variable and modification checks report.
const CHECKED: &[u32] = &[1511, 1512, 1595];

fn is_checked(error_num: u32, message: &str) -> bool {
    CHECKED.contains(&error_num) || (error_num == 1501 && message.contains(" for KEEP"))
}

#[test]
fn valid_corpus_has_no_variable_errors() {
    let files = valid_queries();
    let mut found = Vec::new();
    let mut checked = 0;
    for (file, text) in &files {
        match check_query(text) {
            Ok(_) => checked += 1,
            Err(errors) => {
                checked += 1;
                for error in errors {
                    if is_checked(error.error_num, &error.message) {
                        found.push(format!(
                            "{file} {}:{} {} {}",
                            error.position.line,
                            error.position.column,
                            error.error_num,
                            error.message
                        ));
                    }
                }
            }
        }
    }
    println!("checked {checked} valid corpus queries");
    for line in &found {
        println!("{line}");
    }
    assert_eq!(checked, 1296);
    assert!(found.is_empty(), "{} errors in valid queries", found.len());
}

/// `LET x = 1` before a query starting `FOR x IN ...`: the FOR re-declares
/// `x` (Ast::createNodeVariable, 1511), reported at the FOR's variable.
#[test]
fn declaring_a_for_variable_first_is_reported_in_every_corpus_query() {
    let mut mutated = 0;
    for (file, text) in valid_queries() {
        let Ok(tree) = parse_query(&text) else {
            continue;
        };
        let Some(Statement::For(for_)) = tree.body.first() else {
            continue;
        };
        if !tree.with.is_empty() {
            continue;
        }
        let [Pattern::Name(variable)] = for_.variables.as_slice() else {
            continue;
        };
        let query = format!("LET {} = 1\n{text}", variable.name);
        let expected_at = match parse_query(&query).map(|t| t.body.into_iter().nth(1)) {
            Ok(Some(Statement::For(f))) => match f.variables.first() {
                Some(Pattern::Name(v)) => v.at,
                _ => panic!("{file}: no FOR variable after mutation"),
            },
            _ => panic!("{file}: the mutated query does not parse"),
        };
        let errors = check_query(&query).expect_err(&file);
        let first = &errors[0];
        assert_eq!(first.error_num, 1511, "{file}: {first:?}");
        assert_eq!(
            first.message,
            format!("variable '{}' is assigned multiple times", variable.name),
            "{file}"
        );
        assert_eq!(first.position, expected_at, "{file}");
        mutated += 1;
    }
    println!("{mutated} corpus queries made invalid by a first declaration");
    assert!(mutated > 300, "only {mutated} queries start with FOR x IN");
}

fn fragment(name: &str) -> String {
    let path = corpus_dir().join("fragments").join(format!("{name}.aql"));
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Documented invalid queries that are no parse-time error: the server
/// rejects them later, so the offline check must accept them.
#[test]
fn documented_errors_of_later_stages_pass_the_parse_checks() {
    // 0189 (3.12 docs, REMOVE): "access after data-modification" (1579),
    // raised by Ast::validateAndOptimize when the query is prepared.
    // 0291 (3.12 docs, incompatible changes in 3.5): after the second
    // COLLECT, `key1` is no variable; grammar.y's `reference` rule makes it
    // a collection name, which fails on a server without that collection.
    for name in ["0189", "0291"] {
        let text = fragment(name);
        if let Err(errors) = check_query(&text) {
            panic!("fragments/{name}.aql: {errors:?}");
        }
    }
}

/// The LET documentation's example, with its syntax error taken out:
/// `LET a = PUSH(a, 4)` after `LET a = [1, 2, 3]` is "variable 'a' is
/// assigned multiple times".
#[test]
fn let_documentation_example() {
    let text = fragment("0188").replace("a = PUSH(a, 4)     // syntax error", "// syntax error");
    let query = format!("{text}\nRETURN b");
    let errors = check_query(&query).expect_err("a is declared twice");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].error_num, 1511);
    assert_eq!(errors[0].message, "variable 'a' is assigned multiple times");
    assert_eq!((errors[0].position.line, errors[0].position.column), (5, 5));
}

/// Long operator chains nest as deep as they are long: parsing, checking,
/// walking and dropping them must not overflow the stack.
#[test]
fn long_chains() {
    let query = format!("LET a = 1 RETURN a{}", " + a".repeat(100_000));
    let tree = check_query(&query).expect("valid");
    let mut names = 0;
    visit::each_expr(&tree, &mut |expr| {
        if matches!(expr.kind, ExprKind::Name(_)) {
            names += 1;
        }
    });
    assert_eq!(names, 100_001);
    let query = format!("LET a = {{}} RETURN a{}", ".b".repeat(100_000));
    assert!(check_query(&query).is_ok());
}
