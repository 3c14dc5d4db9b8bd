//! Nesting at the parser's depth cap, and beyond it, on a thread with a
//! small stack: parsing, the checks and lineage must answer (a tree or an
//! error) instead of overflowing the stack, whatever thread they run on
//! (the emulator parses on async worker threads).

/// Every kind of nesting the grammar has, `n` levels deep.
fn nested(kind: &str, n: usize) -> String {
    match kind {
        "subquery" => format!("RETURN {}1{}", "(RETURN ".repeat(n), ")".repeat(n)),
        "for subquery" => {
            let mut query = String::from("RETURN ");
            for level in 0..n {
                query.push_str(&format!("(FOR v{level} IN [1] FILTER v{level} RETURN "));
            }
            query + "1" + &")".repeat(n)
        }
        "parentheses" => format!("RETURN {}1{}", "(".repeat(n), ")".repeat(n)),
        "array" => format!("RETURN {}1{}", "[".repeat(n), "]".repeat(n)),
        "object" => format!("RETURN {}1{}", "{a: ".repeat(n), "}".repeat(n)),
        "call" => format!("RETURN {}1{}", "LENGTH(".repeat(n), ")".repeat(n)),
        "not" => format!("RETURN {}1", "NOT ".repeat(n)),
        "minus" => format!("RETURN {}1", "- ".repeat(n)),
        "ternary" => format!("RETURN {}1", "1 ? 2 : ".repeat(n)),
        "expansion" => format!(
            "LET x = [] RETURN x{}",
            "[* RETURN CURRENT".repeat(n) + &"]".repeat(n)
        ),
        other => unreachable!("{other}"),
    }
}

const KINDS: &[&str] = &[
    "subquery",
    "for subquery",
    "parentheses",
    "array",
    "object",
    "call",
    "not",
    "minus",
    "ternary",
    "expansion",
];

/// Runs parse, checks and lineage on a 128 KiB thread; `Ok(is valid)`.
fn run_on_small_stack(query: String) -> bool {
    std::thread::Builder::new()
        .stack_size(128 * 1024)
        .spawn(move || {
            let _ = aql_lexer::parse_query(&query);
            match aql_lexer::check_query(&query) {
                Ok(tree) => {
                    let _ = aql_lexer::lineage(&tree);
                    true
                }
                Err(_) => false,
            }
        })
        .expect("spawn")
        .join()
        .expect("no panic")
}

#[test]
fn nesting_up_to_the_cap_parses_on_a_small_stack() {
    for kind in KINDS {
        assert!(run_on_small_stack(nested(kind, 60)), "{kind}: 60 levels");
    }
}

#[test]
fn nesting_beyond_the_cap_is_an_error_not_a_crash() {
    for kind in KINDS {
        // Reaching here at all means no stack overflow; the deeper kinds
        // must also be refused by the cap.
        let valid = run_on_small_stack(nested(kind, 5_000));
        if matches!(
            *kind,
            "subquery" | "parentheses" | "array" | "object" | "call"
        ) {
            assert!(!valid, "{kind}: 5,000 levels must exceed the cap");
        }
    }
}
