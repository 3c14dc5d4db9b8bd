//! The metadata header of a transformation file.

use std::path::Path;

use crate::diag::{Diagnostic, Location};

use super::{Returns, Serve};

const KEYS: &[&str] = &[
    "Feature",
    "Version",
    "Description",
    "Owner",
    "Params",
    "Returns",
    "Serve",
];

pub struct Header {
    pub feature: String,
    pub version: u32,
    pub description: String,
    pub owner: Option<String>,
    /// The declared names with the 1-based column of each, and the header
    /// line they were declared on.
    pub params: Option<(Vec<(String, usize)>, usize)>,
    pub returns: Returns,
    pub serve: Serve,
    pub query: String,
    pub query_line: usize,
}

/// The text after a `--` or `//` comment marker, for a header line.
fn comment_text(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    trimmed
        .strip_prefix("--")
        .or_else(|| trimmed.strip_prefix("//"))
        .map(str::trim)
}

/// The comma-separated names after the colon of a `Params:` line, each with
/// its 1-based column (in characters) in the line.
fn param_names(line: &str) -> Vec<(String, usize)> {
    let mut names = Vec::new();
    let Some(colon) = line.find(':') else {
        return names;
    };
    let mut offset = colon + 1;
    for part in line.get(offset..).unwrap_or_default().split(',') {
        let name = part.trim();
        if !name.is_empty() {
            let start = offset + (part.len() - part.trim_start().len());
            let column = line.get(..start).unwrap_or_default().chars().count() + 1;
            names.push((name.to_string(), column));
        }
        offset += part.len() + 1;
    }
    names
}

pub fn parse(text: &str, source: &Path) -> Result<Header, Vec<Diagnostic>> {
    let location = |line: usize, column: usize| {
        Some(Location {
            file: source.into(),
            line,
            column,
        })
    };
    let mut problems = Vec::new();
    let mut feature = None;
    let mut version = None;
    let mut description = String::new();
    let mut owner = None;
    let mut params = None;
    let mut returns = Returns::All;
    let mut serve = Serve::Registry;
    let mut seen: Vec<&str> = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut body_start = lines.len();
    for (index, line) in lines.iter().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let Some(comment) = comment_text(line) else {
            body_start = index;
            break;
        };
        let Some((key, value)) = comment.split_once(':') else {
            // A comment line without `Key:` is just a comment.
            continue;
        };
        let key = key.trim();
        let value = value.trim();
        // 1-based column of the key, which is what a fix starts at.
        let column = line.find(key).map_or(1, |at| at + 1);
        let Some(known) = KEYS.iter().find(|k| k.eq_ignore_ascii_case(key)) else {
            if key.contains(' ') {
                continue;
            }
            let mut diagnostic = Diagnostic::error(
                "unknown-header-field",
                format!("unknown header field `{key}`"),
                location(number, column),
            );
            if let Some(nearest) = KEYS
                .iter()
                .min_by(|a, b| strsim::levenshtein(key, a).cmp(&strsim::levenshtein(key, b)))
                .filter(|nearest| strsim::levenshtein(key, nearest) <= 3)
            {
                diagnostic = diagnostic.with_hint(format!("did you mean `{nearest}`?"));
            }
            problems.push(diagnostic);
            continue;
        };
        if seen.contains(known) {
            problems.push(Diagnostic::error(
                "duplicate-header-field",
                format!("`{known}` is given twice"),
                location(number, column),
            ));
            continue;
        }
        seen.push(known);
        match *known {
            "Feature" => {
                let valid = !value.is_empty()
                    && value
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphabetic())
                    && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if valid {
                    feature = Some(value.to_string());
                } else {
                    problems.push(
                        Diagnostic::error("invalid-feature-name", format!("feature name `{value}` is not valid"), location(number, column))
                            .with_hint("use letters, digits and _, starting with a letter (it becomes part of the function name)"),
                    );
                }
            }
            "Version" => match value.parse::<u32>() {
                Ok(number) if number > 0 => version = Some(number),
                Err(error) if *error.kind() == std::num::IntErrorKind::PosOverflow => {
                    problems.push(Diagnostic::error(
                        "invalid-version",
                        format!("version `{value}` is too large (at most {})", u32::MAX),
                        location(number, column),
                    ))
                }
                _ => problems.push(Diagnostic::error(
                    "invalid-version",
                    format!("version `{value}` is not a positive whole number"),
                    location(number, column),
                )),
            },
            "Description" => description = value.to_string(),
            "Owner" => owner = Some(value.to_string()).filter(|owner| !owner.is_empty()),
            "Params" => params = Some((param_names(line), number)),
            "Returns" => match value.to_ascii_lowercase().as_str() {
                "one" => returns = Returns::One,
                "all" | "many" | "array" => returns = Returns::All,
                _ => problems.push(Diagnostic::error(
                    "invalid-returns",
                    format!("Returns must be `one` or `all`, not `{value}`"),
                    location(number, column),
                )),
            },
            "Serve" => match value.to_ascii_lowercase().as_str() {
                "function" => serve = Serve::Function,
                "registry" => serve = Serve::Registry,
                _ => problems.push(
                    Diagnostic::error(
                        "invalid-serve",
                        format!("Serve must be `registry` or `function`, not `{value}`"),
                        location(number, column),
                    )
                    .with_hint("`function`: the feature must be callable as an AQL user function; `registry` (the default): the registry entry is enough"),
                ),
            },
            _ => {}
        }
    }
    for (key, present) in [
        ("Feature", feature.is_some() || seen.contains(&"Feature")),
        ("Version", version.is_some() || seen.contains(&"Version")),
    ] {
        if !present {
            problems.push(
                Diagnostic::error(
                    "missing-header-field",
                    format!("the header has no `{key}`"),
                    location(1, 1),
                )
                .with_hint(format!("start the file with `-- {key}: ...`")),
            );
        }
    }
    let (Some(feature), Some(version)) = (feature, version) else {
        return Err(problems);
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let query = lines[body_start.min(lines.len())..].join("\n");
    Ok(Header {
        feature,
        version,
        description,
        owner,
        params,
        returns,
        serve,
        query: query.trim_end().to_string(),
        query_line: body_start + 1,
    })
}
