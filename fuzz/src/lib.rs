//! The bodies of the fuzz targets, kept apart from the `fuzz_target!`
//! wrappers so that the stable smoke test (`tests/cli/bad_input.rs`, which
//! includes this file with `#[path]`) runs exactly the code the fuzzer runs.
//!
//! Each function must never panic, whatever the bytes: a panic is the bug
//! the fuzzer looks for. Besides "no panic", the tokenizer target checks one
//! invariant the rest of the project relies on: the tokens of a query,
//! whitespace and comments included, put back together are the query.

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
