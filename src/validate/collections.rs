//! Collection properties: key generator, schema, computed values and
//! cluster options (shared/ARANGODB_API.md 3.2, 3.5, 3.6).

use serde_json::Value;

use super::{at, Report};
use crate::model::{Collection, ComputedValue, State};
use crate::spec::{suggestion, Origin};

const KEY_GENERATORS: &[&str] = &["traditional", "autoincrement", "uuid", "padded"];
const MAX_AUTOINCREMENT_STEP: u64 = 65_535;
const SCHEMA_LEVELS: &[&str] = &["none", "new", "moderate", "strict"];
const JSON_SCHEMA_TYPES: &[&str] = &[
    "array", "boolean", "integer", "null", "number", "object", "string",
];
const SYSTEM_ATTRIBUTES: &[&str] = &["_key", "_id", "_rev", "_from", "_to"];
const COMPUTE_ON: &[&str] = &["insert", "update", "replace"];
const SHARDING_STRATEGIES: &[&str] = &[
    "hash",
    "community-compat",
    "enterprise-compat",
    "enterprise-smart-edge-compat",
    "enterprise-hash-smart-edge",
    "enterprise-hex-smart-vertex",
];
const MAX_SHARD_KEYS: usize = 8;
/// Operations a computed value expression may not contain: it is a single
/// `RETURN` with no statements around it.
const STATEMENT_KEYWORDS: &[&str] = &[
    "FOR", "LET", "COLLECT", "FILTER", "SORT", "LIMIT", "INSERT", "UPDATE", "REPLACE", "REMOVE",
    "UPSERT", "WITH", "RETURN", "WINDOW",
];

pub fn check(collection: &Collection, origin: Option<&Origin>, state: &State, report: &mut Report) {
    key_options(collection, origin, report);
    schema(collection, origin, report);
    computed_values(collection, origin, report);
    cluster_options(collection, origin, state, report);
}

fn key_options(collection: &Collection, origin: Option<&Origin>, report: &mut Report) {
    let name = &collection.name;
    let options = &collection.key_options;
    if !KEY_GENERATORS.contains(&options.generator.as_str()) {
        report.error(
            "invalid-key-generator",
            format!(
                "collection `{name}` has an unknown key generator `{}`",
                options.generator
            ),
            at(origin, "keyOptions.type"),
            Some(suggestion(&options.generator, KEY_GENERATORS)),
        );
        return;
    }
    if options.generator == "autoincrement" {
        if let Some(increment) = options
            .increment
            .filter(|step| !(1..=MAX_AUTOINCREMENT_STEP).contains(step))
        {
            report.error(
                "invalid-key-options",
                format!("collection `{name}` has keyOptions.increment {increment}, outside 1 to {MAX_AUTOINCREMENT_STEP}"),
                at(origin, "keyOptions.increment"),
                None,
            );
        }
        if collection
            .cluster
            .number_of_shards
            .is_some_and(|shards| shards > 1)
        {
            report.error(
                "invalid-key-options",
                format!("collection `{name}` uses the autoincrement key generator with more than one shard"),
                at(origin, "keyOptions.type"),
                Some("ArangoDB allows autoincrement keys only on single-shard collections".into()),
            );
        }
        return;
    }
    for (key, value) in [("increment", options.increment), ("offset", options.offset)] {
        if value.is_some() {
            report.error(
                "invalid-key-options",
                format!(
                    "collection `{name}` sets keyOptions.{key}, which only the autoincrement key generator takes \
                     (this one is `{}`)",
                    options.generator
                ),
                at(origin, &format!("keyOptions.{key}")),
                Some(format!("remove `{key}` or use `type: autoincrement`")),
            );
        }
    }
}

fn schema(collection: &Collection, origin: Option<&Origin>, report: &mut Report) {
    let Some(schema) = &collection.schema else {
        return;
    };
    let name = &collection.name;
    if !SCHEMA_LEVELS.contains(&schema.level.as_str()) {
        report.error(
            "invalid-schema-level",
            format!(
                "collection `{name}` has an unknown schema level `{}`",
                schema.level
            ),
            at(origin, "schema.level"),
            Some(suggestion(&schema.level, SCHEMA_LEVELS)),
        );
    }
    if let Err(error) = jsonschema::draft4::new(&schema.rule) {
        let pointer = error.instance_path.as_str();
        let path = attribute_path(&schema.rule, pointer);
        let inside = if path.is_empty() {
            String::new()
        } else {
            format!(" at `{path}`")
        };
        // The validator explains a misspelt type through the meta-schema's
        // `anyOf`; name the valid types instead.
        let (detail, hint) = match unknown_type(&schema.rule, pointer) {
            Some(word) => (
                format!("`{word}` is not a JSON Schema type"),
                suggestion(&word, JSON_SCHEMA_TYPES),
            ),
            None => (
                error.to_string(),
                "ArangoDB validates documents with JSON Schema draft-04; remote `$ref`s are not supported"
                    .to_string(),
            ),
        };
        report.error(
            "invalid-schema-rule",
            format!("collection `{name}` has a schema rule that is not valid JSON Schema draft-04{inside}: {detail}"),
            at(origin, &format!("schema.rule{}", dotted(&path))),
            Some(hint),
        );
    }
}

/// The misspelt type name when `pointer` points at a `type` keyword whose
/// value (or an item of it) is not one of the JSON Schema types.
fn unknown_type(rule: &Value, pointer: &str) -> Option<String> {
    if !pointer.ends_with("/type") {
        return None;
    }
    let unknown = |value: &Value| {
        value
            .as_str()
            .filter(|word| !JSON_SCHEMA_TYPES.contains(word))
            .map(str::to_string)
    };
    match rule.pointer(pointer)? {
        Value::Array(items) => items.iter().find_map(unknown),
        value => unknown(value),
    }
}

/// A JSON pointer into `value` as an attribute path: `/properties/a/0` →
/// `properties.a[0]` when `a` is a list.
fn attribute_path(value: &Value, pointer: &str) -> String {
    let mut path = String::new();
    let mut current = Some(value);
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        match current {
            Some(Value::Array(items)) => {
                path.push_str(&format!("[{segment}]"));
                current = segment
                    .parse::<usize>()
                    .ok()
                    .and_then(|index| items.get(index));
            }
            other => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&segment);
                current = other.and_then(|value| value.get(&segment));
            }
        }
    }
    path
}

fn dotted(path: &str) -> String {
    if path.is_empty() || path.starts_with('[') {
        path.to_string()
    } else {
        format!(".{path}")
    }
}

fn computed_values(collection: &Collection, origin: Option<&Origin>, report: &mut Report) {
    let name = &collection.name;
    let shard_keys = collection.cluster.shard_keys.as_deref().unwrap_or_default();
    for (position, value) in collection.computed_values.iter().enumerate() {
        let path = |key: &str| format!("computedValues[{position}].{key}");
        let label = format!("computed value `{}` of collection `{name}`", value.name);
        let name_problem = if value.name.is_empty() {
            Some("its name is empty".to_string())
        } else if SYSTEM_ATTRIBUTES.contains(&value.name.as_str()) {
            Some(format!("`{}` is a system attribute", value.name))
        } else if value.name.contains('.') {
            Some(
                "computed values must be top-level attributes, and the name contains `.`"
                    .to_string(),
            )
        } else if shard_keys.contains(&value.name) {
            Some(format!("`{}` is a shard key", value.name))
        } else {
            None
        };
        if let Some(problem) = name_problem {
            report.error(
                "invalid-computed-value-name",
                format!("{label} cannot be computed: {problem}"),
                at(origin, &path("name")),
                Some("choose another top-level attribute name".into()),
            );
        }
        let earlier = collection.computed_values[..position]
            .iter()
            .position(|other| other.name == value.name);
        if let Some(first) = earlier {
            report.error(
                "duplicate-computed-value",
                format!(
                    "{label} is defined twice{}",
                    super::first_at(at(origin, &format!("computedValues[{first}].name")))
                ),
                at(origin, &path("name")),
                None,
            );
        }
        if let Some(problem) = expression_problem(value) {
            report.error(
                "invalid-computed-value-expression",
                format!("the expression of {label} is invalid: {problem}"),
                at(origin, &path("expression")),
                Some(
                    "a computed value is a single `RETURN <expression>` that may read `@doc`"
                        .into(),
                ),
            );
        }
        compute_on(value, &label, at(origin, &path("computeOn")), report);
    }
}

/// What is wrong with a computed value expression, per the server's rules: a
/// single `RETURN`, no other statements, no bind parameters but `@doc`.
fn expression_problem(value: &ComputedValue) -> Option<String> {
    let expression = &value.expression;
    let info = match aql_lexer::check_syntax(expression) {
        Ok(info) => info,
        Err(error) if error.is_empty_query() => return Some(error.message),
        Err(error) => {
            // "... at position 1:27" would read as a place in the file.
            let position = error.position;
            let message = error
                .message
                .replace(&format!(" at position {position}"), "");
            let at = if position.line == 1 {
                format!("column {}", position.column)
            } else {
                format!("line {}, column {}", position.line, position.column)
            };
            return Some(format!("{message} (at {at} of the expression)"));
        }
    };
    if let Some(parameter) = info.bind_parameters.iter().find(|parameter| {
        parameter.name != "doc" || parameter.kind != aql_lexer::BindParameterKind::Value
    }) {
        let sigil = match parameter.kind {
            aql_lexer::BindParameterKind::Value => "@",
            aql_lexer::BindParameterKind::Collection => "@@",
        };
        return Some(format!(
            "it uses the bind parameter `{sigil}{}`; only `@doc` is available",
            parameter.name
        ));
    }
    let tokens = match aql_lexer::tokenize(expression) {
        Ok(tokens) => tokens,
        Err(error) => return Some(error.to_string()),
    };
    let mut statements = tokens
        .iter()
        .filter(|token| token.kind == aql_lexer::TokenKind::Keyword)
        .map(|token| token.text.to_ascii_uppercase())
        .filter(|keyword| STATEMENT_KEYWORDS.contains(&keyword.as_str()));
    match statements.next().as_deref() {
        Some("RETURN") => {}
        Some(other) => return Some(format!("it starts with `{other}`, not `RETURN`")),
        None => return Some("it has no `RETURN`".into()),
    }
    if let Some(other) = statements.next() {
        return Some(format!(
            "it contains `{other}`; only a single `RETURN` is allowed, without subqueries"
        ));
    }
    None
}

fn compute_on(
    value: &ComputedValue,
    label: &str,
    location: Option<&crate::diag::Location>,
    report: &mut Report,
) {
    if value.compute_on.is_empty() {
        report.error(
            "invalid-compute-on",
            format!("{label} has an empty `computeOn`"),
            location,
            Some("list at least one of insert, update, replace, or leave `computeOn` out for all three".into()),
        );
    }
    for (position, event) in value.compute_on.iter().enumerate() {
        if !COMPUTE_ON.contains(&event.as_str()) {
            report.error(
                "invalid-compute-on",
                format!("{label} has an unknown `computeOn` event `{event}`"),
                location,
                Some(suggestion(event, COMPUTE_ON)),
            );
        } else if value.compute_on[..position].contains(event) {
            report.error(
                "invalid-compute-on",
                format!("{label} lists the `computeOn` event `{event}` twice"),
                location,
                None,
            );
        }
    }
}

fn cluster_options(
    collection: &Collection,
    origin: Option<&Origin>,
    state: &State,
    report: &mut Report,
) {
    let name = &collection.name;
    let cluster = &collection.cluster;
    let invalid = |report: &mut Report, path: &str, message: String, hint: Option<String>| {
        report.error(
            "invalid-cluster-option",
            format!("collection `{name}`: {message}"),
            at(origin, path),
            hint,
        );
    };
    if cluster.number_of_shards == Some(0) {
        invalid(
            report,
            "numberOfShards",
            "numberOfShards must be at least 1".into(),
            None,
        );
    }
    if cluster.replication_factor.as_ref().and_then(Value::as_u64) == Some(0) {
        invalid(
            report,
            "replicationFactor",
            "replicationFactor must be at least 1".into(),
            None,
        );
    }
    if let Some(write_concern) = cluster.write_concern {
        let factor = cluster.replication_factor.as_ref().and_then(Value::as_u64);
        if write_concern == 0 {
            invalid(
                report,
                "writeConcern",
                "writeConcern must be at least 1".into(),
                None,
            );
        } else if let Some(factor) = factor.filter(|factor| write_concern > *factor && *factor > 0)
        {
            invalid(
                report,
                "writeConcern",
                format!("writeConcern {write_concern} is greater than replicationFactor {factor}"),
                Some("a write needs this many replicas in sync, so it cannot exceed the number of replicas".into()),
            );
        }
    }
    if let Some(shard_keys) = &cluster.shard_keys {
        if shard_keys.is_empty() || shard_keys.len() > MAX_SHARD_KEYS {
            invalid(
                report,
                "shardKeys",
                format!(
                    "shardKeys must list 1 to {MAX_SHARD_KEYS} attributes, not {}",
                    shard_keys.len()
                ),
                None,
            );
        }
    }
    if let Some(strategy) = &cluster.sharding_strategy {
        if !SHARDING_STRATEGIES.contains(&strategy.as_str()) {
            invalid(
                report,
                "shardingStrategy",
                format!("unknown shardingStrategy `{strategy}`"),
                Some(suggestion(strategy, SHARDING_STRATEGIES)),
            );
        }
    }
    if let Some(prototype) = &cluster.distribute_shards_like {
        if prototype == name {
            invalid(
                report,
                "distributeShardsLike",
                "distributeShardsLike names the collection itself".into(),
                None,
            );
        } else if let Some(leader) = state.collections.get(prototype) {
            // A coordinator refuses a follower whose sharding differs from
            // its prototype's ("Cannot have a different X ... than the
            // leading collection", ShardingInfo in ArangoDB's sources).
            let inherited = [
                (
                    "numberOfShards",
                    cluster.number_of_shards.map(Value::from),
                    leader.cluster.number_of_shards.map(Value::from),
                ),
                (
                    "replicationFactor",
                    cluster.replication_factor.clone(),
                    leader.cluster.replication_factor.clone(),
                ),
                (
                    "writeConcern",
                    cluster.write_concern.map(Value::from),
                    leader.cluster.write_concern.map(Value::from),
                ),
            ];
            for (option, own, leaders) in inherited {
                if let (Some(own), Some(leaders)) = (own, leaders) {
                    if own != leaders {
                        invalid(
                            report,
                            option,
                            format!("{option} is {own}, but `{prototype}`, whose shards it distributes like, has {leaders}"),
                            Some(format!("a collection with distributeShardsLike takes {option} from `{prototype}`: state the same value or leave it out")),
                        );
                    }
                }
            }
        } else {
            report.warning(
                "undeclared-collection",
                format!("collection `{name}` distributes its shards like `{prototype}`, which no spec declares"),
                at(origin, "distributeShardsLike"),
                Some(format!("declare `{prototype}` in a spec, or make sure it exists on every target server")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::{CollectionType, Schema};

    fn codes(collection: &Collection) -> Vec<&'static str> {
        let mut report = Report::default();
        let mut state = State::default();
        state.collections.insert(
            "other".into(),
            Collection::new("other", CollectionType::Document),
        );
        check(collection, None, &state, &mut report);
        report.diagnostics.0.iter().map(|d| d.code).collect()
    }

    fn users() -> Collection {
        Collection::new("users", CollectionType::Document)
    }

    fn computed(name: &str, expression: &str) -> ComputedValue {
        ComputedValue {
            name: name.into(),
            expression: expression.into(),
            compute_on: vec!["insert".into(), "replace".into(), "update".into()],
            overwrite: true,
            keep_null: true,
            fail_on_warning: false,
        }
    }

    #[test]
    fn key_options_rules() {
        let mut collection = users();
        assert!(codes(&collection).is_empty());
        collection.key_options.generator = "autoinc".into();
        assert_eq!(codes(&collection), ["invalid-key-generator"]);
        collection.key_options.generator = "traditional".into();
        collection.key_options.increment = Some(2);
        collection.key_options.offset = Some(0);
        assert_eq!(
            codes(&collection),
            ["invalid-key-options", "invalid-key-options"]
        );
        collection.key_options.generator = "autoincrement".into();
        assert!(codes(&collection).is_empty());
        collection.key_options.increment = Some(0);
        collection.cluster.number_of_shards = Some(3);
        assert_eq!(
            codes(&collection),
            ["invalid-key-options", "invalid-key-options"]
        );
    }

    #[test]
    fn schema_rules() {
        let mut collection = users();
        collection.schema = Some(Schema {
            rule: json!({"properties": {"email": {"type": "string"}}}),
            level: "strict".into(),
            message: String::new(),
        });
        assert!(codes(&collection).is_empty());
        collection.schema = Some(Schema {
            rule: json!({"properties": {"email": {"type": "strang"}}}),
            level: "strikt".into(),
            message: String::new(),
        });
        assert_eq!(
            codes(&collection),
            ["invalid-schema-level", "invalid-schema-rule"]
        );
    }

    #[test]
    fn json_pointers_become_attribute_paths() {
        let rule = json!({"properties": {"a/b": {"enum": [1, {"x": 2}]}}});
        assert_eq!(attribute_path(&rule, ""), "");
        assert_eq!(
            attribute_path(&rule, "/properties/a~1b/enum/1/x"),
            "properties.a/b.enum[1].x"
        );
        assert_eq!(dotted("properties.a"), ".properties.a");
    }

    #[test]
    fn computed_value_rules() {
        let mut collection = users();
        collection.computed_values = vec![
            computed("full", "RETURN CONCAT(@doc.first, ' ', @doc.last)"),
            computed("_key", "RETURN 1"),
            computed("a.b", "RETURN 1"),
            computed("full", "RETURN 2"),
            computed("x", "FOR d IN users RETURN d"),
            computed("y", "RETURN (FOR d IN users RETURN d)"),
            computed("z", "RETURN @other"),
            computed("w", "RETURN 'unterminated"),
        ];
        collection.computed_values[0].compute_on = vec!["insert".into(), "insrt".into()];
        assert_eq!(
            codes(&collection),
            [
                "invalid-compute-on",
                "invalid-computed-value-name",
                "invalid-computed-value-name",
                "duplicate-computed-value",
                "invalid-computed-value-expression",
                "invalid-computed-value-expression",
                "invalid-computed-value-expression",
                "invalid-computed-value-expression",
            ]
        );
    }

    #[test]
    fn expression_messages() {
        let problem = |expression: &str| expression_problem(&computed("a", expression));
        assert_eq!(problem("RETURN @doc.a + 1"), None);
        assert_eq!(problem("RETURN DATE_NOW()"), None);
        assert_eq!(
            problem("LET x = 1 RETURN x").as_deref(),
            Some("it starts with `LET`, not `RETURN`")
        );
        assert_eq!(
            problem("RETURN @@coll").as_deref(),
            Some("it uses the bind parameter `@@coll`; only `@doc` is available")
        );
        assert_eq!(
            problem("RETURN (FOR x IN 1..2 RETURN x)").as_deref(),
            Some("it contains `FOR`; only a single `RETURN` is allowed, without subqueries")
        );
        assert!(problem("").is_some());
    }

    #[test]
    fn cluster_option_rules() {
        let mut collection = users();
        collection.cluster.number_of_shards = Some(0);
        collection.cluster.replication_factor = Some(json!(2));
        collection.cluster.write_concern = Some(3);
        collection.cluster.shard_keys = Some(vec![]);
        collection.cluster.sharding_strategy = Some("hashed".into());
        collection.cluster.distribute_shards_like = Some("nope".into());
        assert_eq!(
            codes(&collection),
            [
                "invalid-cluster-option",
                "invalid-cluster-option",
                "invalid-cluster-option",
                "invalid-cluster-option",
                "undeclared-collection",
            ]
        );
        collection.cluster = Default::default();
        collection.cluster.replication_factor = Some(json!("satellite"));
        collection.cluster.write_concern = Some(2);
        collection.cluster.distribute_shards_like = Some("other".into());
        assert!(codes(&collection).is_empty());
    }

    #[test]
    fn a_follower_states_its_prototypes_sharding_or_nothing() {
        let mut leader = users();
        leader.name = "events".into();
        leader.cluster.number_of_shards = Some(3);
        leader.cluster.replication_factor = Some(json!(2));
        let mut follower = users();
        follower.name = "alerts".into();
        follower.cluster.distribute_shards_like = Some("events".into());
        let mut state = State::default();
        state.collections.insert("events".into(), leader);
        let codes_in = |follower: &Collection| {
            let mut report = Report::default();
            check(follower, None, &state, &mut report);
            report
                .diagnostics
                .0
                .iter()
                .map(|d| d.code)
                .collect::<Vec<_>>()
        };
        assert!(codes_in(&follower).is_empty());
        follower.cluster.number_of_shards = Some(3);
        follower.cluster.replication_factor = Some(json!(2));
        assert!(codes_in(&follower).is_empty());
        follower.cluster.number_of_shards = Some(4);
        follower.cluster.replication_factor = Some(json!(3));
        assert_eq!(
            codes_in(&follower),
            ["invalid-cluster-option", "invalid-cluster-option"]
        );
    }
}
