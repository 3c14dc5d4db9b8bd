//! Feature transformations: `.aql` files that become versioned AQL user
//! functions such as `FEATURES::USER_SESSION_COUNT_V2`.
//!
//! A file is a metadata header of `--` or `//` comment lines (Feature,
//! Version, Description, Owner, optional Params and Returns) followed by
//! one AQL query. The header is not part of the query. The function's
//! parameters are the query's bind parameters in order of first appearance,
//! found by the AQL tokenizer, so `@x` inside strings and comments never
//! counts. The generated JavaScript embeds a content hash, which is what the
//! plan compares.

mod codegen;
mod header;
pub mod lineage;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::model::{Function, RegistryEntry, State};

pub use codegen::{function_code, hash_in_code, CODE_MARKER};

/// The namespace functions live in unless `--namespace` says otherwise.
pub const DEFAULT_NAMESPACE: &str = "FEATURES";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Returns {
    /// The result array (the default).
    All,
    /// The first row, or null.
    One,
}

/// How a feature must be served (header `Serve:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Serve {
    /// The registry entry, run through the cursor API, is enough; the AQL
    /// user function is registered where the server has user functions
    /// (the default).
    Registry,
    /// The feature must be callable as an AQL user function: an apply to a
    /// server without user functions is refused before any write.
    Function,
}

impl Serve {
    /// The header value, as the registry records it.
    pub fn as_str(self) -> &'static str {
        match self {
            Serve::Registry => "registry",
            Serve::Function => "function",
        }
    }
}

/// One function parameter: a bind parameter of the query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Param {
    /// As written after `@` (collection parameters after `@@`).
    pub name: String,
    pub collection: bool,
}

impl Param {
    /// The key in the query's bind variables (`name` or `@name`).
    pub fn bind_key(&self) -> String {
        if self.collection {
            format!("@{}", self.name)
        } else {
            self.name.clone()
        }
    }
}

/// One feature version, ready to register.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Feature {
    pub feature: String,
    pub version: u32,
    pub description: String,
    pub owner: Option<String>,
    pub params: Vec<Param>,
    pub returns: Returns,
    /// Whether the feature demands an AQL user function (`Serve:`).
    pub serve: Serve,
    /// The query without the header.
    pub query: String,
    /// File line of the query's first line (1-based), to map server
    /// parse errors back to the file.
    pub query_line: usize,
    /// The file's name, as the registry records it. The name is fixed by
    /// the header (`<feature>_v<version>.aql`), so it is unique in a spec
    /// tree and the same in every layout: a checkout read from its root or
    /// from `features/`, and a flat ConfigMap volume.
    pub source: PathBuf,
    /// The file as found, for diagnostics (like the YAML files' paths).
    pub path: PathBuf,
    /// Collections the query names literally, then its collection bind
    /// parameters as `@@name`, each once, in order of first appearance.
    pub collections: Vec<String>,
    /// sha256 of what the function does, hex.
    pub hash: String,
}

impl Feature {
    /// `NAMESPACE::FEATURE_VVERSION`, upper-cased as ArangoDB compares names.
    pub fn function_name(&self, namespace: &str) -> String {
        format!("{}::{}_V{}", namespace, self.feature, self.version).to_ascii_uppercase()
    }
}

/// Loads every transformation file into `state` as a function and a
/// registry entry. `base` is the spec directory; diagnostics show paths
/// relative to it. Also reports queries that read collections the specs do
/// not declare, and two files that define the same function.
pub fn load_into(
    state: &mut State,
    paths: &[PathBuf],
    base: &Path,
    namespace: &str,
) -> (Vec<Feature>, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let mut features: Vec<Feature> = Vec::new();
    for path in paths {
        match load_file(path, path) {
            Ok(mut feature) => {
                feature.source = path.file_name().map_or_else(
                    || path.strip_prefix(base).unwrap_or(path).to_path_buf(),
                    PathBuf::from,
                );
                features.push(feature)
            }
            Err(problems) => problems
                .into_iter()
                .for_each(|problem| diagnostics.push(problem)),
        }
    }
    for feature in &features {
        let name = feature.function_name(namespace);
        if let Some(first) = features
            .iter()
            .find(|other| other.function_name(namespace) == name)
        {
            if !std::ptr::eq(first, feature) {
                diagnostics.push(Diagnostic::error(
                    "duplicate-function",
                    format!(
                        "{} defines function {name} again (first in {})",
                        feature.path.display(),
                        first.path.display()
                    ),
                    Some(Location {
                        file: feature.path.clone(),
                        line: 1,
                        column: 1,
                    }),
                ));
                continue;
            }
        }
        for collection in feature.collections.iter().filter(|c| !c.starts_with('@')) {
            if !state.collections.contains_key(collection) {
                diagnostics.push(
                    Diagnostic::warning(
                        "unknown-collection",
                        format!(
                            "the query reads collection `{collection}`, which no spec declares"
                        ),
                        Some(Location {
                            file: feature.path.clone(),
                            line: feature.query_line,
                            column: 1,
                        }),
                    )
                    .with_hint("declare it in an ArangoCollection spec, or check the name"),
                );
            }
        }
        let lineage = lineage::feature_lineage(&feature.query, state);
        state.functions.insert(
            name.clone(),
            Function {
                name: name.clone(),
                code: function_code(feature),
                hash: Some(feature.hash.clone()),
            },
        );
        state.registry.insert(
            name.clone(),
            RegistryEntry {
                feature: feature.feature.clone(),
                version: feature.version,
                function: name,
                description: feature.description.clone(),
                owner: feature.owner.clone(),
                query: feature.query.clone(),
                params: feature.params.iter().map(Param::bind_key).collect(),
                collections: feature.collections.clone(),
                returns: returns_name(feature.returns).to_string(),
                serve: feature.serve.as_str().to_string(),
                hash: feature.hash.clone(),
                source: feature.source.display().to_string(),
                format_version: crate::model::REGISTRY_FORMAT_VERSION,
                lineage,
            },
        );
    }
    (features, diagnostics)
}

/// `Returns:` as the registry records it.
fn returns_name(returns: Returns) -> &'static str {
    match returns {
        Returns::All => "all",
        Returns::One => "one",
    }
}

/// Checks a namespace given on the command line: one or more `::`-joined
/// parts of ASCII letters, digits and `_`, not starting with `_`.
/// The 1-based line and character column of a position ArangoDB reports
/// in a query error ("... at position LINE:COLUMN", both 1-based): the
/// server counts columns in bytes of UTF-8 and does not restart them at line
/// feeds inside string literals ([`aql_lexer::position_at_server_location`]);
/// diagnostics count characters from the line start.
pub fn query_position(query: &str, line: usize, column: usize) -> (usize, usize) {
    let clamp = |value: usize| u32::try_from(value).unwrap_or(u32::MAX);
    let position = aql_lexer::position_at_server_location(query, clamp(line), clamp(column));
    (position.line as usize, position.column as usize)
}

pub fn check_namespace(namespace: &str) -> Result<String, String> {
    let valid = !namespace.starts_with('_')
        && namespace.split("::").all(|part| {
            !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    if valid {
        Ok(namespace.to_ascii_uppercase())
    } else {
        Err(format!(
            "invalid --namespace {namespace:?}: use letters, digits and _ (parts joined by ::), not starting with _"
        ))
    }
}

/// Reads one `.aql` file. `display` is the path shown in diagnostics.
pub fn load_file(path: &Path, display: &Path) -> Result<Feature, Vec<Diagnostic>> {
    let start = Location {
        file: display.to_path_buf(),
        line: 1,
        column: 1,
    };
    let bytes = crate::spec::read_file(path).map_err(|err| {
        vec![match err {
            crate::spec::ReadError::Io(err) => Diagnostic::error(
                "unreadable-file",
                format!("cannot read {}: {err}", display.display()),
                Some(start.clone()),
            ),
            crate::spec::ReadError::TooLarge { .. } => Diagnostic::error(
                "file-too-large",
                crate::spec::too_large_message(display),
                Some(start.clone()),
            )
            .with_hint("a transformation is one query; keep large data out of it"),
        }]
    })?;
    let text = String::from_utf8(bytes).map_err(|err| {
        let utf16 = matches!(err.as_bytes(), [0xff, 0xfe, ..] | [0xfe, 0xff, ..]);
        let (problem, location) = if utf16 {
            ("the file is UTF-16 text, not UTF-8", start.clone())
        } else {
            let valid = err
                .as_bytes()
                .get(..err.utf8_error().valid_up_to())
                .unwrap_or_default();
            // Valid UTF-8 up to here, so the lossy conversion is exact.
            let before = String::from_utf8_lossy(valid);
            let line = before.matches('\n').count() + 1;
            let column = before
                .rsplit('\n')
                .next()
                .map_or(0, |last| last.chars().count())
                + 1;
            let location = Location {
                file: display.to_path_buf(),
                line,
                column,
            };
            ("the file is not valid UTF-8", location)
        };
        vec![Diagnostic::error("not-utf8", problem, Some(location))
            .with_hint("save the file as UTF-8")]
    })?;
    // Valid UTF-8, but UTF-16 text saved without a byte order mark (every
    // other byte of ASCII text is NUL) or a binary file.
    if let Some(offset) = text.find('\0') {
        let before = &text[..offset];
        let location = Location {
            file: display.to_path_buf(),
            line: before.matches('\n').count() + 1,
            column: before
                .rsplit('\n')
                .next()
                .map_or(0, |last| last.chars().count())
                + 1,
        };
        return Err(vec![Diagnostic::error(
            "not-utf8",
            "the file contains a NUL byte: it is UTF-16 text without a byte order mark, or binary, not UTF-8",
            Some(location),
        )
        .with_hint("save the file as UTF-8")]);
    }
    parse(&normalize_text(&text), display)
}

/// The text as if saved with LF line ends and no byte order mark, so that
/// the same query saved by a Windows editor (`\u{feff}`, CRLF) has the same
/// header, the same positions and the same content hash.
pub fn normalize_text(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.replace("\r\n", "\n")
}

/// Parses the text of one `.aql` file.
pub fn parse(text: &str, source: &Path) -> Result<Feature, Vec<Diagnostic>> {
    let location = |line: usize, column: usize| {
        Some(Location {
            file: source.to_path_buf(),
            line,
            column,
        })
    };
    let parsed = header::parse(text, source)?;
    let mut problems = Vec::new();
    let query = parsed.query.clone();
    if query.trim().is_empty() {
        return Err(vec![Diagnostic::error(
            "empty-query",
            "the file has a header but no query",
            location(parsed.query_line, 1),
        )]);
    }
    let info = match aql_lexer::check_syntax(&query) {
        Ok(info) => info,
        Err(err) => {
            let line = parsed.query_line + err.position.line as usize - 1;
            let message = err
                .message
                .replace(
                    &format!(" at position {}:{}", err.position.line, err.byte_column),
                    "",
                )
                // The quoted query text may span lines; keep one diagnostic
                // on one line.
                .replace('\n', "\\n");
            // Lexical errors ("unexpected unterminated string literal")
            // come without ArangoDB's "syntax error, " that parse errors have.
            let message = if message.starts_with("syntax error") || err.is_empty_query() {
                message
            } else {
                format!("syntax error, {message}")
            };
            let mut diagnostic = Diagnostic::error(
                "aql-syntax",
                format!("AQL {message}"),
                location(line, err.position.column as usize),
            );
            if message.contains("unexpected end of query string") {
                diagnostic = diagnostic.with_hint(
                    "the query ends too early: an AQL query ends with RETURN or a data modification, \
                     and every bracket and quote must be closed",
                );
            }
            return Err(vec![diagnostic]);
        }
    };
    let found: Vec<Param> = info
        .bind_parameters
        .iter()
        .map(|parameter| Param {
            name: parameter.name.clone(),
            collection: parameter.kind == aql_lexer::BindParameterKind::Collection,
        })
        .collect();
    let params = match &parsed.params {
        None => found,
        Some((declared, line)) => {
            let mut ordered = Vec::new();
            for (name, column) in declared {
                let bare = name.trim_start_matches('@');
                match found.iter().find(|param| param.name == bare) {
                    Some(param) => ordered.push(param.clone()),
                    None => problems.push(Diagnostic::error(
                        "unknown-param",
                        format!("Params names `{name}`, which the query does not use"),
                        location(*line, *column),
                    )),
                }
            }
            for (param, parameter) in found.iter().zip(&info.bind_parameters) {
                if !ordered.iter().any(|p| p.name == param.name) {
                    // Where the query first uses it.
                    let position = parameter.position;
                    problems.push(
                        Diagnostic::error(
                            "missing-param",
                            format!("the query uses @{}{}, which Params (line {line}) does not list", if param.collection { "@" } else { "" }, param.name),
                            location(parsed.query_line + position.line as usize - 1, position.column as usize),
                        )
                        .with_hint("list every bind parameter in Params, in the order the function takes them"),
                    );
                }
            }
            ordered
        }
    };
    let expected_name = format!("{}_v{}.aql", parsed.feature, parsed.version);
    let file_name = source
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_default();
    if file_name != expected_name {
        problems.push(
            Diagnostic::error(
                "file-name-mismatch",
                format!("the header says feature `{}` version {}, so the file must be named {expected_name}", parsed.feature, parsed.version),
                location(1, 1),
            )
            .with_hint(format!("rename {file_name} to {expected_name}, or fix the header")),
        );
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut feature = Feature {
        feature: parsed.feature,
        version: parsed.version,
        description: parsed.description,
        owner: parsed.owner,
        params,
        returns: parsed.returns,
        serve: parsed.serve,
        query,
        query_line: parsed.query_line,
        source: source.to_path_buf(),
        path: source.to_path_buf(),
        collections: read_collections(&info),
        hash: String::new(),
    };
    feature.hash = codegen::content_hash(&feature);
    Ok(feature)
}

/// The collections a query reads: the literal names the tokenizer found,
/// then each collection bind parameter as `@@name` (a collection name never
/// starts with `@`, so the two cannot be confused).
fn read_collections(info: &aql_lexer::QueryInfo) -> Vec<String> {
    let mut collections = info.collections.clone();
    for parameter in &info.bind_parameters {
        if parameter.kind == aql_lexer::BindParameterKind::Collection {
            let name = format!("@@{}", parameter.name);
            if !collections.contains(&name) {
                collections.push(name);
            }
        }
    }
    collections
}

#[cfg(test)]
mod tests;
