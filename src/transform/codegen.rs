//! The JavaScript of a feature's AQL user function.
//!
//! ArangoDB user functions are JavaScript; the generated one runs the
//! feature's query with its arguments as bind variables and returns the
//! result array (or its first row for `Returns: one`). The code carries a
//! marker with the content hash, so the plan compares hashes instead of
//! code, and a function without the marker was not written by arangosync.

use sha2::{Digest, Sha256};

use super::{Feature, Returns};

/// Prefix of the hash marker comment inside generated code.
pub const CODE_MARKER: &str = "arangosync:sha256=";

/// Bumped when the generated code changes for the same feature, so that a
/// new arangosync re-registers functions an older one wrote.
const GENERATOR_VERSION: u32 = 1;

/// Hash of everything that decides what the function does.
pub fn content_hash(feature: &Feature) -> String {
    let params: Vec<String> = feature
        .params
        .iter()
        .map(|param| param.bind_key())
        .collect();
    let canonical = serde_json::json!({
        "generator": GENERATOR_VERSION,
        "query": feature.query,
        "params": params,
        "returns": feature.returns,
    });
    let digest = Sha256::digest(canonical.to_string().as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The hash a generated function's code carries, if it has one.
pub fn hash_in_code(code: &str) -> Option<&str> {
    let start = code.find(CODE_MARKER)? + CODE_MARKER.len();
    let hash = &code[start..];
    let end = hash
        .find(|c: char| !c.is_ascii_hexdigit())
        .unwrap_or(hash.len());
    Some(&hash[..end]).filter(|hash| hash.len() == 64)
}

/// A JavaScript identifier for parameter `index`: the bind parameter's name
/// when it is a safe identifier, `arg<index>` otherwise.
fn js_parameter(name: &str, index: usize) -> String {
    const RESERVED: &[&str] = &[
        "arguments",
        "await",
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "debugger",
        "default",
        "delete",
        "do",
        "else",
        "enum",
        "eval",
        "export",
        "extends",
        "false",
        "finally",
        "for",
        "function",
        "if",
        "implements",
        "import",
        "in",
        "instanceof",
        "interface",
        "let",
        "new",
        "null",
        "package",
        "private",
        "protected",
        "public",
        "return",
        "static",
        "super",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "typeof",
        "var",
        "void",
        "while",
        "with",
        "yield",
        "query",
        "bindVars",
        "rows",
    ];
    let safe = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !RESERVED.contains(&name);
    if safe {
        name.to_string()
    } else {
        format!("arg{index}")
    }
}

pub fn function_code(feature: &Feature) -> String {
    let names: Vec<String> = feature
        .params
        .iter()
        .enumerate()
        .map(|(index, param)| js_parameter(&param.name, index))
        .collect();
    // serde_json string literals are valid JavaScript string literals.
    let query = serde_json::Value::from(feature.query.clone()).to_string();
    let bind_vars: Vec<String> = feature
        .params
        .iter()
        .zip(&names)
        .map(|(param, js)| format!("{}: {js}", serde_json::Value::from(param.bind_key())))
        .collect();
    let result = match feature.returns {
        Returns::All => "rows",
        Returns::One => "rows.length > 0 ? rows[0] : null",
    };
    format!(
        "function ({params}) {{\n  \"use strict\";\n  // {marker}{hash} feature={feature} version={version}\n  const query = {query};\n  const bindVars = {{{bind_vars}}};\n  const rows = require(\"@arangodb\").db._query(query, bindVars).toArray();\n  return {result};\n}}",
        params = names.join(", "),
        marker = CODE_MARKER,
        hash = feature.hash,
        feature = feature.feature,
        version = feature.version,
        bind_vars = bind_vars.join(", "),
    )
}
