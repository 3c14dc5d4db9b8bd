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

pub mod checks;
mod codegen;
mod header;
pub mod lineage;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    /// The file as found, for diagnostics (like the YAML files' paths),
    /// shared with their locations.
    #[serde(serialize_with = "crate::diag::serialize_path")]
    pub path: Arc<Path>,
    /// Collections the query names literally, then its collection bind
    /// parameters as `@@name`, each once, in order of first appearance.
    pub collections: Vec<String>,
    /// sha256 of what the function does, hex.
    pub hash: String,
    /// What the query reads, from its syntax tree; sources not yet
    /// classified by the specs ([`lineage::classify`] does that). Stored
    /// in the registry entry as classified, not here: [`load_into`] moves
    /// it there and leaves this empty.
    #[serde(skip)]
    pub reads: aql_lexer::Lineage,
    /// The user-function calls of the query (`NS::NAME`, upper-cased) and
    /// where each is (line, character column in the query).
    #[serde(skip)]
    pub user_calls: Vec<(String, usize, usize)>,
}

impl Feature {
    /// `NAMESPACE::FEATURE_VVERSION`, upper-cased as ArangoDB compares names.
    pub fn function_name(&self, namespace: &str) -> String {
        format!("{}::{}_V{}", namespace, self.feature, self.version).to_ascii_uppercase()
    }
}

/// Loads every transformation file into `state` as a function and a
/// registry entry, checking each query with `checks`.
/// `base` is the spec directory; diagnostics show paths relative to it.
/// Also reports queries that read collections the specs do not declare,
/// and two files that define the same function.
pub fn load_into(
    state: &mut State,
    paths: &[PathBuf],
    base: &Path,
    namespace: &str,
    checks: checks::QueryChecks,
) -> (Vec<Feature>, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let mut features: Vec<Feature> = Vec::new();
    for path in paths {
        match load_file(path, path, checks) {
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
    // Each function name and the first feature that defines it, built once
    // (a lookup per feature and per user-function call).
    let names: Vec<String> = features
        .iter()
        .map(|feature| feature.function_name(namespace))
        .collect();
    let mut first_of: HashMap<&str, usize> = HashMap::with_capacity(names.len());
    for (at, name) in names.iter().enumerate() {
        first_of.entry(name.as_str()).or_insert(at);
    }
    // What each query reads moves into its registry entry's lineage: a
    // feature keeps none of it (a copy per feature lived for the whole run).
    let reads: Vec<aql_lexer::Lineage> = features
        .iter_mut()
        .map(|feature| std::mem::take(&mut feature.reads))
        .collect();
    for (at, ((feature, name), reads)) in features.iter().zip(&names).zip(reads).enumerate() {
        let name = name.clone();
        let earlier = first_of
            .get(name.as_str())
            .filter(|&&first| first != at)
            .and_then(|&first| features.get(first));
        if let Some(first) = earlier {
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
        let classified = lineage::classify(reads, state);
        let undeclared = classified
            .sources
            .iter()
            .filter(|(_, kind)| **kind == crate::model::SourceKind::Unknown)
            .map(|(source, _)| source)
            .chain(classified.written.iter().filter(|written| {
                !written.starts_with('@')
                    && !classified.sources.contains_key(*written)
                    && !state.collections.contains_key(*written)
            }));
        for source in undeclared {
            let (line, column) = first_mention(&feature.query, source);
            diagnostics.push(
                Diagnostic::warning(
                    "unknown-collection",
                    format!("the query reads collection `{source}`, which no spec declares"),
                    Some(Location {
                        file: feature.path.clone(),
                        line: feature.query_line + line - 1,
                        column,
                    }),
                )
                .with_hint(
                    "declare it in an ArangoCollection or ArangoView spec, or check the name: \
                     a name that is not a variable is read as a collection, so a misspelled \
                     variable shows up here",
                ),
            );
        }
        for warning in user_call_warnings(feature, &first_of, namespace, checks) {
            diagnostics.push(warning);
        }
        let lineage = Some(classified);
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
pub fn load_file(
    path: &Path,
    display: &Path,
    checks: checks::QueryChecks,
) -> Result<Feature, Vec<Diagnostic>> {
    let start = Location {
        file: display.into(),
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
                file: display.into(),
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
            file: display.into(),
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
    parse_with(&normalize_text(&text), display, checks)
}

/// The text as if saved with LF line ends and no byte order mark, so that
/// the same query saved by a Windows editor (`\u{feff}`, CRLF) has the same
/// header, the same positions and the same content hash.
pub fn normalize_text(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.replace("\r\n", "\n")
}

/// Parses the text of one `.aql` file, checking its query as any
/// supported server version would before it runs it.
pub fn parse(text: &str, source: &Path) -> Result<Feature, Vec<Diagnostic>> {
    parse_with(text, source, checks::QueryChecks::AnySupportedVersion)
}

/// Parses the text of one `.aql` file, checking its query with `checks`.
pub fn parse_with(
    text: &str,
    source: &Path,
    checks: checks::QueryChecks,
) -> Result<Feature, Vec<Diagnostic>> {
    let location = |line: usize, column: usize| {
        Some(Location {
            file: source.into(),
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
    // The full parser and the server's parse-time checks: every error, each
    // at its place in the file. The tokenizer still lists the bind
    // parameters when the query does not parse, so a Params mismatch is
    // reported in the same run.
    let checked = checks.check(&query);
    if let Err(errors) = &checked {
        problems.extend(errors.iter().map(|error| {
            query_error_diagnostic(error, &query, parsed.query_line, source, checks.version())
        }));
    }
    // Both fail only where the query does not tokenize (an error above).
    let bind_parameters = aql_lexer::bind_parameters(&query);
    let tokenized = bind_parameters.is_ok();
    let info = aql_lexer::QueryInfo {
        bind_parameters: bind_parameters.unwrap_or_default(),
        collections: aql_lexer::referenced_collections(&query).unwrap_or_default(),
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
        // Without tokens there are no bind parameters to compare with.
        Some((declared, line)) if tokenized => {
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
        _ => found,
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
        path: source.into(),
        collections: read_collections(&info),
        hash: String::new(),
        user_calls: match &checked {
            Ok(Some(tree)) => user_calls(tree),
            Ok(None) | Err(_) => Vec::new(),
        },
        reads: match &checked {
            Ok(Some(tree)) => aql_lexer::lineage(tree),
            // A query with errors is a problem above; an unchecked one
            // (the base tree of `plan --offline-from`) may not parse.
            Ok(None) | Err(_) => aql_lexer::Lineage::default(),
        },
    };
    feature.hash = codegen::content_hash(&feature);
    Ok(feature)
}

/// What is wrong with a feature's calls of user functions, as warnings
/// (the server decides when the query runs): ArangoDB 4.0 removed
/// user-defined functions (4.x release notes, "deprecated and removed
/// features"), and a call in arangosync's own namespace names a feature
/// version no file defines (`defined` holds the function names of this
/// tree's features).
fn user_call_warnings(
    feature: &Feature,
    defined: &HashMap<&str, usize>,
    namespace: &str,
    checks: checks::QueryChecks,
) -> Vec<Diagnostic> {
    let own = format!("{}::", namespace.to_ascii_uppercase());
    let mut warnings = Vec::new();
    for (name, line, column) in &feature.user_calls {
        let location = Some(Location {
            file: feature.path.clone(),
            line: feature.query_line + line - 1,
            column: *column,
        });
        if let Some(version) = checks.version().filter(|version| version.major >= 4) {
            warnings.push(
                Diagnostic::warning(
                    "aql-user-function",
                    format!(
                        "the query calls user function {name}(), and ArangoDB {}.{} has no \
                         user-defined functions: the query fails when it runs",
                        version.major, version.minor
                    ),
                    location,
                )
                .with_hint("inline what the function does, or serve that feature's query from the registry"),
            );
        } else if name.starts_with(&own) && !defined.contains_key(name.as_str()) {
            warnings.push(
                Diagnostic::warning(
                    "unknown-feature-function",
                    format!("the query calls {name}(), which no feature file of this tree defines"),
                    location,
                )
                .with_hint(
                    "check the feature name and version (`<NAMESPACE>::<FEATURE>_V<VERSION>`)",
                ),
            );
        }
    }
    warnings
}

/// The calls of `NS::NAME` functions in `tree`, in order.
fn user_calls(tree: &aql_lexer::ast::Query) -> Vec<(String, usize, usize)> {
    let mut calls = Vec::new();
    aql_lexer::visit::each_expr(tree, &mut |expr| {
        if let aql_lexer::ast::ExprKind::Call { name, .. } = &expr.kind {
            if name.contains("::") {
                calls.push((
                    name.clone(),
                    expr.start.line as usize,
                    expr.start.column as usize,
                ));
            }
        }
    });
    calls
}

/// Where `name` is first used as a name in `query` (not as an attribute
/// after `.`, nor inside a string): (line, character column), 1-based;
/// (1, 1) when only a string or bind parameter names it.
fn first_mention(query: &str, name: &str) -> (usize, usize) {
    let Ok(tokens) = aql_lexer::tokenize(query) else {
        return (1, 1);
    };
    let significant: Vec<&aql_lexer::Token> = tokens.iter().filter(|t| !t.is_trivia()).collect();
    significant
        .iter()
        .enumerate()
        .find(|(i, token)| {
            matches!(
                token.kind,
                aql_lexer::TokenKind::Identifier | aql_lexer::TokenKind::QuotedName
            ) && token.value() == name
                && !(*i > 0 && significant[i - 1].text == ".")
        })
        .map_or((1, 1), |(_, token)| {
            (
                token.span.start.line as usize,
                token.span.start.column as usize,
            )
        })
}

/// The diagnostic for one error [`aql_lexer::check_query`] found in a
/// feature's query, which starts on file line `query_line`: the server's
/// message and error number, at the line and character column in the file
/// (the column convention of every diagnostic). The server's own position
/// (query line, column in bytes) is named only where it differs.
fn query_error_diagnostic(
    error: &aql_lexer::QueryError,
    query: &str,
    query_line: usize,
    source: &Path,
    version: Option<aql_lexer::AqlVersion>,
) -> Diagnostic {
    let line = query_line + error.position.line as usize - 1;
    let column = error.position.column as usize;
    // Parse errors (1501, and the grammar's own 1512) end with the
    // server's position; the diagnostic has its own.
    let message = strip_server_position(&error.message)
        // The quoted query text may span lines; keep one diagnostic on one
        // line.
        .replace('\n', "\\n");
    // Where characters before the error take several bytes, the server's
    // own column (bytes) differs from the file's (characters): say it, so
    // both can be found. Other differences (line feeds inside a string
    // literal) are the scanner's, and the file's position stands alone.
    let byte_column = query
        .split('\n')
        .nth(error.position.line as usize - 1)
        .map(|line| {
            let before = line.chars().take(column.saturating_sub(1));
            before.map(char::len_utf8).sum::<usize>() + 1
        });
    let carries_position = error.message != strip_server_position(&error.message);
    let server = if carries_position
        && byte_column != Some(column)
        && byte_column == Some(error.byte_column as usize)
    {
        format!(
            "; the server says position {}:{}, counting bytes",
            error.position.line, error.byte_column
        )
    } else {
        String::new()
    };
    let location = Some(Location {
        file: source.into(),
        line,
        column,
    });
    if error.error_num == 1502 {
        // The header parser already rejects a file without a query, so this
        // query is nothing but comments.
        return Diagnostic::error(
            "empty-query",
            "the query is only comments: ArangoDB answers `query is empty` (errorNum 1502)",
            location,
        );
    }
    let mut diagnostic = Diagnostic::error(
        query_error_code(error.error_num),
        format!("AQL {message} (errorNum {}{server})", error.error_num),
        location,
    );
    if message.contains("unexpected end of query string") {
        diagnostic = diagnostic.with_hint(
            "the query ends too early: an AQL query ends with RETURN or a data modification, \
             and every bracket and quote must be closed",
        );
    }
    if message.contains("unexpected unterminated") {
        // The server reports where its scanner stopped, at the end; the
        // tokenizer knows where the string, name or comment opened.
        if let Err(lex) = aql_lexer::tokenize(query) {
            diagnostic = diagnostic.with_hint(format!(
                "it opens at {}:{} and is never closed",
                query_line + lex.position.line as usize - 1,
                lex.position.column
            ));
        }
    }
    if let Some(keyword) = misspelled_keyword(&message) {
        return diagnostic.with_hint(format!("did you mean `{keyword}`?"));
    }
    match error.error_num {
        1540 => diagnostic.with_hint(match (version, elsewhere(&message)) {
            (Some(version), Some(elsewhere)) => format!(
                "ArangoDB {}.{} has no such function: {elsewhere} (`--target-version`)",
                version.major, version.minor
            ),
            (Some(version), None) if version.major >= 4 => format!(
                "ArangoDB {}.{} has no such function: check the spelling, or the version \
                 (`--target-version`)",
                version.major, version.minor
            ),
            (Some(version), None) => format!(
                "ArangoDB {}.{} has no such function: check the spelling, or the version \
                 (`--target-version`); a user function is called with its namespace \
                 (`NS::NAME(...)`)",
                version.major, version.minor
            ),
            (None, _) => "no ArangoDB version arangosync supports (3.11, 3.12, 4.x) has such a \
                     function: check the spelling; a user function is called with its \
                     namespace (`NS::NAME(...)`)"
                .to_string(),
        }),
        1512 => diagnostic
            .with_hint("declare it with FOR, LET, COLLECT or INTO before this use, in this scope"),
        _ => diagnostic,
    }
}

/// For a 1540 message (`usage of unknown function 'NAME()'`), which other
/// versions have the function, in words: `it exists from ArangoDB 4.0`,
/// `ArangoDB 4.0 removed it`.
fn elsewhere(message: &str) -> Option<String> {
    let name = message
        .strip_prefix("usage of unknown function '")?
        .strip_suffix("()'")?;
    let available = aql_lexer::function_availability(name)?;
    let version = |v: aql_lexer::AqlVersion| format!("{}.{}", v.major, v.minor);
    match (available.since, available.removed_in) {
        (Some(since), Some(removed)) => Some(format!(
            "{name}() exists from ArangoDB {} until {}",
            version(since),
            version(removed)
        )),
        (Some(since), None) => Some(format!("{name}() exists from ArangoDB {}", version(since))),
        (None, Some(removed)) => Some(format!("ArangoDB {} removed {name}()", version(removed))),
        (None, None) => None,
    }
}

/// `message` without a final ` at position LINE:COLUMN`.
fn strip_server_position(message: &str) -> &str {
    match message.rsplit_once(" at position ") {
        Some((before, position))
            if position.split(':').count() == 2
                && position
                    .split(':')
                    .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())) =>
        {
            before
        }
        _ => message,
    }
}

/// The operation keyword a misspelled word in a parse error stands for:
/// the word the parser did not expect (`unexpected identifier near 'FILTR
/// ...'`, or the name after `FOR x IN expr` that is neither SEARCH nor
/// OPTIONS: `unexpected qualifier 'FILTR'`), if it is one or two edits away
/// from a keyword.
fn misspelled_keyword(message: &str) -> Option<&'static str> {
    let word = if let Some(rest) = message.strip_prefix("unexpected qualifier '") {
        rest.split('\'').next()?
    } else {
        let rest = message.split_once("unexpected identifier")?.1;
        let quoted = rest.split_once("near '")?.1;
        quoted
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()?
    };
    if word.len() < 3 {
        return None;
    }
    // Short names are often real names one edit from a keyword (`users`
    // and `UPSERT` are two apart).
    let most = if word.len() <= 5 { 1 } else { 2 };
    let upper = word.to_ascii_uppercase();
    aql_lexer::KEYWORDS
        .iter()
        .filter(|keyword| keyword.len() >= 3 && **keyword != upper)
        .map(|keyword| (strsim::levenshtein(&upper, keyword), *keyword))
        .filter(|(distance, _)| *distance <= most)
        .min()
        .map(|(_, keyword)| keyword)
}

/// The diagnostic code for an ArangoDB query error number
/// (`lib/Basics/errors.dat`); `aql-rejected` for any other, as for the
/// errors the server itself reports.
pub fn query_error_code(error_num: u32) -> &'static str {
    match error_num {
        1501 => "aql-syntax",
        1510 => "aql-invalid-variable-name",
        1511 => "aql-variable-redeclared",
        1512 => "aql-unknown-variable",
        1524 => "aql-too-much-nesting",
        1540 => "aql-unknown-function",
        1541 => "aql-argument-count",
        1542 => "aql-argument-type",
        1543 => "aql-invalid-regex",
        1568 => "aql-collection-in-expression",
        1573 => "aql-multi-modify",
        1574 => "aql-invalid-aggregate",
        1575 => "aql-compile-time-options",
        1578 => "aql-disallowed-dynamic-call",
        1579 => "aql-access-after-modification",
        1595 => "aql-window-after-modification",
        _ => "aql-rejected",
    }
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
