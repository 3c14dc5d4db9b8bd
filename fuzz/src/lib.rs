//! The bodies of the fuzz targets, kept apart from the `fuzz_target!`
//! wrappers so that the stable smoke test (`tests/cli/bad_input.rs`, which
//! includes this file with `#[path]`) runs exactly the code the fuzzer runs.
//!
//! Each function must never panic, whatever the bytes: a panic is the bug
//! the fuzzer looks for. Besides "no panic", the tokenizer target checks one
//! invariant the rest of the project relies on: the tokens of a query,
//! whitespace and comments included, put back together are the query; the
//! parser target checks the shape of the errors it reports.

use std::path::Path;

/// The spec loader (YAML parsing, the typed reader) and `validate` on the
/// content of one YAML file.
pub fn spec_loader(data: &[u8]) {
    let loaded = arangosync::spec::load_contents(Path::new("fuzz.yaml"), data.to_vec());
    let _ = arangosync::validate::validate(&loaded);
}

/// The AQL tokenizer and the analyses built on it, on any UTF-8 text.
pub fn aql_tokenizer(data: &[u8]) {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(tokens) = aql_lexer::tokenize(query) {
        let rebuilt: String = tokens.iter().map(|token| token.text).collect();
        assert_eq!(rebuilt, query, "the tokens do not re-assemble the query");
    }
    let _ = aql_lexer::check_syntax(query);
    let _ = aql_lexer::bind_parameters(query);
    let _ = aql_lexer::referenced_collections(query);
}

/// The AQL parser with the server's parse-time checks
/// ([`aql_lexer::check_query`]) and the lineage of the syntax tree, on any
/// UTF-8 text. Besides "no panic, no stack overflow" (the parser caps its
/// depth): a rejected query has at least one error, the errors are sorted
/// by position, each position is a character boundary inside the query
/// with 1-based line and column, and a parse error (1501) or empty query
/// (1502) is the only error (the parse stops there).
pub fn aql_parser(data: &[u8]) {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(errors) = aql_lexer::check_query(query) {
        assert!(!errors.is_empty(), "a rejected query without an error");
        assert!(
            errors
                .windows(2)
                .all(|pair| pair[0].position.offset <= pair[1].position.offset),
            "errors not sorted by position: {errors:?}"
        );
        for error in &errors {
            let position = error.position;
            assert!(
                position.offset <= query.len() && query.is_char_boundary(position.offset),
                "error position outside the query or inside a character: {error:?}"
            );
            assert!(
                position.line >= 1 && position.column >= 1 && error.byte_column >= 1,
                "positions are 1-based: {error:?}"
            );
            if matches!(error.error_num, 1501 | 1502) {
                assert_eq!(errors.len(), 1, "a parse error and more: {errors:?}");
            }
        }
    }
    // The lineage of every tree the grammar accepts, whatever the semantic
    // checks say.
    if let Ok(tree) = aql_lexer::parse_query(query) {
        let _ = aql_lexer::lineage(&tree);
    }
}

/// A transformation file: header, query check, parameters and the
/// generated function code.
pub fn aql_transformation(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Named as the header asks, so that inputs get past the file name check
    // to the query and code generation.
    let file_name = format!(
        "{}_v{}.aql",
        header_value(text, "Feature").unwrap_or("fuzz"),
        header_value(text, "Version").unwrap_or("1")
    );
    if let Ok(feature) = arangosync::transform::parse(text, Path::new(&file_name)) {
        let code = arangosync::transform::function_code(&feature);
        assert_eq!(
            arangosync::transform::hash_in_code(&code),
            Some(feature.hash.as_str()),
            "the generated code does not carry the feature's hash"
        );
    }
}

/// The value of the first `-- Key: value` (or `// Key: value`) line.
fn header_value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().find_map(|line| {
        let comment = line.trim_start();
        let comment = comment
            .strip_prefix("--")
            .or_else(|| comment.strip_prefix("//"))?;
        let (name, value) = comment.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case(key)
            .then_some(value.trim())
    })
}
