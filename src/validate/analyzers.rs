//! Analyzers: names, built-in names, required properties and features.
//!
//! * The name follows the traditional rules (a letter first, then letters,
//!   digits, `_`, `-`; at most 254 bytes), which every version accepts; `::`
//!   separates a database prefix on the server, so it can never be part of
//!   a spec's name.
//! * A built-in analyzer (`identity`, `text_en`, ...) exists in every
//!   database; specs reference it by name and never define it.
//! * The properties each type cannot do without (ArangoDB refuses the
//!   create with "rejected by analyzer", error 10): `delimiter` of a
//!   delimiter analyzer, `locale` of `text`/`norm`/`stem`/`collation`, ...
//!   (see [`REQUIRED`]).
//! * Features: `frequency`, `position`, `offset`, `norm`; `offset` needs
//!   `position` and `position` needs `frequency` (the server's
//!   `Features::validate`); a `wildcard` analyzer takes no `offset`.

use super::names::traditional_name_problem;
use super::{at, Report};
use crate::model::{is_builtin_analyzer, Analyzer};
use crate::spec::Origin;

/// ArangoDB stores analyzers as documents of `_analyzers`: 254 bytes.
pub(super) const MAX_ANALYZER_NAME_BYTES: usize = 254;

/// The analyzer features ArangoDB knows.
const FEATURES: &[&str] = &["frequency", "position", "offset", "norm"];

/// (type, properties it requires) as the server checks them on create.
const REQUIRED: &[(&str, &[&str])] = &[
    ("delimiter", &["delimiter"]),
    ("multi_delimiter", &["delimiters"]),
    ("stem", &["locale"]),
    ("norm", &["locale"]),
    ("collation", &["locale"]),
    ("text", &["locale"]),
    ("ngram", &["min", "max"]),
    ("aql", &["queryString"]),
    ("pipeline", &["pipeline"]),
    ("stopwords", &["stopwords"]),
    ("minhash", &["analyzer", "numHashes"]),
    ("wildcard", &["ngramSize"]),
    ("classification", &["model_location"]),
    ("nearest_neighbors", &["model_location"]),
];

pub fn check(analyzer: &Analyzer, origin: Option<&Origin>, report: &mut Report) {
    let name = analyzer.name.as_str();
    let location = origin.map(|origin| &origin.location);
    if is_builtin_analyzer(name) {
        report.error(
            "builtin-analyzer",
            format!("`{name}` is a built-in analyzer; every database has it, and it cannot be defined or changed"),
            location,
            Some(format!(
                "remove this document and reference `{name}` by name; to customise it, define an analyzer under another name"
            )),
        );
        return;
    }
    if let Some(problem) = traditional_name_problem(name, MAX_ANALYZER_NAME_BYTES) {
        report.error(
            "invalid-analyzer-name",
            format!(
                "analyzer name `{}` is invalid: {problem}",
                name.escape_debug()
            ),
            location,
            Some(format!(
                "analyzer names start with a letter, followed by letters, digits, `_` or `-` (at most {MAX_ANALYZER_NAME_BYTES} bytes)"
            )),
        );
    }
    if let Some((_, required)) = REQUIRED
        .iter()
        .find(|(analyzer_type, _)| *analyzer_type == analyzer.analyzer_type)
    {
        for key in *required {
            if analyzer.properties.get(*key).is_none() {
                report.error(
                    "missing-analyzer-property",
                    format!(
                        "a `{}` analyzer needs the property `{key}`; ArangoDB would refuse it",
                        analyzer.analyzer_type
                    ),
                    at(origin, "properties").or(at(origin, "type")),
                    None,
                );
            }
        }
    }
    if analyzer.analyzer_type == "pipeline"
        && analyzer.properties["pipeline"]
            .as_array()
            .is_some_and(Vec::is_empty)
    {
        report.error(
            "missing-analyzer-property",
            "a `pipeline` analyzer needs at least one member in `pipeline`".into(),
            at(origin, "properties.pipeline"),
            None,
        );
    }
    check_features(analyzer, origin, report);
}

fn check_features(analyzer: &Analyzer, origin: Option<&Origin>, report: &mut Report) {
    let has = |feature: &str| analyzer.features.iter().any(|f| f == feature);
    let location = at(origin, "features");
    for (position, feature) in analyzer.features.iter().enumerate() {
        if !FEATURES.contains(&feature.as_str()) {
            report.error(
                "unknown-analyzer-feature",
                format!("unknown analyzer feature `{feature}`"),
                at(origin, &format!("features[{position}]")),
                Some(crate::spec::suggestion(feature, FEATURES)),
            );
        }
    }
    let needs = [("offset", "position"), ("position", "frequency")];
    for (feature, required) in needs {
        if has(feature) && !has(required) {
            report.error(
                "analyzer-feature-dependency",
                format!("the feature `{feature}` needs `{required}` too; ArangoDB would refuse the analyzer"),
                location,
                Some(format!("add `{required}` to `features`")),
            );
        }
    }
    if analyzer.analyzer_type == "wildcard" && has("offset") {
        report.error(
            "analyzer-feature-dependency",
            "a `wildcard` analyzer does not support the feature `offset`".into(),
            location,
            None,
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn problems(
        name: &str,
        analyzer_type: &str,
        properties: serde_json::Value,
        features: &[&str],
    ) -> Vec<String> {
        let analyzer = Analyzer {
            name: name.into(),
            analyzer_type: analyzer_type.into(),
            properties,
            features: features.iter().map(|f| f.to_string()).collect(),
        };
        let mut report = Report::default();
        check(&analyzer, None, &mut report);
        report
            .diagnostics
            .0
            .iter()
            .map(|d| d.code.to_string())
            .collect()
    }

    #[test]
    fn good_analyzers_pass() {
        assert!(problems(
            "product_name",
            "text",
            json!({"locale": "en"}),
            &["frequency", "norm", "position"]
        )
        .is_empty());
        assert!(problems("tags", "delimiter", json!({"delimiter": ","}), &[]).is_empty());
        assert!(problems("id2", "identity", json!({}), &["frequency"]).is_empty());
    }

    #[test]
    fn builtin_and_bad_names() {
        assert_eq!(
            problems("text_en", "text", json!({"locale": "en"}), &[]),
            ["builtin-analyzer"]
        );
        assert_eq!(
            problems("identity", "identity", json!({}), &[]),
            ["builtin-analyzer"]
        );
        assert_eq!(
            problems("1abc", "identity", json!({}), &[]),
            ["invalid-analyzer-name"]
        );
        assert_eq!(
            problems("a::b", "identity", json!({}), &[]),
            ["invalid-analyzer-name"]
        );
    }

    #[test]
    fn required_properties_and_features() {
        assert_eq!(
            problems("a", "delimiter", json!({}), &[]),
            ["missing-analyzer-property"]
        );
        assert_eq!(
            problems("a", "pipeline", json!({"pipeline": []}), &[]),
            ["missing-analyzer-property"]
        );
        assert_eq!(
            problems("a", "identity", json!({}), &["offset", "position"]),
            ["analyzer-feature-dependency"]
        );
        assert_eq!(
            problems("a", "identity", json!({}), &["frequency", "postion"]),
            ["unknown-analyzer-feature"]
        );
        assert_eq!(
            problems(
                "a",
                "wildcard",
                json!({"ngramSize": 3}),
                &["frequency", "offset", "position"]
            ),
            ["analyzer-feature-dependency"]
        );
    }
}
