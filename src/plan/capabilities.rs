//! What the server planned against cannot hold: every index, analyzer and
//! view the plan creates (or re-creates in a replace) is matched against
//! the version table (`crate::server`), and a change the server would
//! refuse is kept but blocked, naming the version and startup option it
//! needs, so apply refuses the plan before any write.
//!
//! Deprecated features pass: the server still accepts them (`validate
//! --target-version` warns about them).

use serde_json::Value;

use super::model::{Change, Step};
use crate::model::{Analyzer, Index, View};
use crate::server::{
    analyzer_requirements, index_requirements, view_requirements, Requirement, Server, Verdict,
};

/// Blocks every not yet blocked change whose index, analyzer or view
/// creates `server` refuses. Changes already blocked keep their first
/// reason.
pub fn check(server: &Server, changes: &mut [Change]) {
    for change in changes.iter_mut().filter(|change| change.blocked.is_none()) {
        let reasons: Vec<String> = change
            .steps
            .iter()
            .flat_map(|step| match step {
                Step::CreateIndex { body, .. } => index_from_body(&body.value())
                    .map(|index| refusals(index_requirements(&index, None), server))
                    .unwrap_or_default(),
                Step::CreateAnalyzer { body } => analyzer_from_body(body)
                    .map(|analyzer| refusals(analyzer_requirements(&analyzer), server))
                    .unwrap_or_default(),
                Step::CreateView { body } => view_from_body(body)
                    .map(|view| refusals(view_requirements(&view), server))
                    .unwrap_or_default(),
                _ => Vec::new(),
            })
            .collect();
        if !reasons.is_empty() {
            change.blocked = Some(reasons.join("; "));
        }
    }
}

/// Why `server` cannot hold an object, one reason per refusing row of
/// those that apply to it.
fn refusals<'a>(rows: impl Iterator<Item = &'a Requirement>, server: &Server) -> Vec<String> {
    rows.filter_map(|requirement| match requirement.check(server) {
        Verdict::Refused(reason) if requirement.instead.is_empty() => Some(reason),
        Verdict::Refused(reason) => Some(format!("{reason} ({})", requirement.instead)),
        Verdict::Holds | Verdict::Deprecated(_) => None,
    })
    .collect()
}

/// The model form of a `POST /_api/analyzer` body (`name`, `type`,
/// `properties`, `features`): what the analyzer rows look at.
fn analyzer_from_body(body: &Value) -> Option<Analyzer> {
    Some(Analyzer {
        name: body.get("name")?.as_str()?.to_string(),
        analyzer_type: body.get("type")?.as_str()?.to_string(),
        properties: body.get("properties").cloned().unwrap_or(Value::Null),
        features: Vec::new(),
    })
}

/// The model form of a `POST /_api/view` body ([`View::to_create_body`]
/// turned back): the properties are every key but `name`, `type`, `links`
/// and `indexes`, which is what the view rows look at.
fn view_from_body(body: &Value) -> Option<View> {
    let object = body.as_object()?;
    let properties = object
        .iter()
        .filter(|(key, _)| !matches!(key.as_str(), "name" | "type" | "links" | "indexes"))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    Some(View {
        name: object.get("name")?.as_str()?.to_string(),
        view_type: object.get("type")?.as_str()?.to_string(),
        properties,
        links: Default::default(),
        indexes: Vec::new(),
        id: None,
    })
}

/// The model form of a create request body (`Index::to_api_body` turned
/// back): `type`, `fields`, `name`, and every other key an option.
fn index_from_body(body: &Value) -> Option<Index> {
    let object = body.as_object()?;
    let index_type = object.get("type")?.as_str()?.to_string();
    let fields = object
        .get("fields")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let name = object
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_string);
    let options = object
        .iter()
        .filter(|(key, _)| !matches!(key.as_str(), "type" | "fields" | "name"))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    Some(Index {
        name,
        index_type,
        fields,
        options,
        id: None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::model::{Action, Address};
    use super::super::{diff, Live, Options};
    use crate::model::{Collection, CollectionType, Index, State};
    use crate::server::{Server, Source, Version};

    fn vector_index(metric: &str) -> Index {
        Index {
            name: Some("byEmbedding".into()),
            index_type: "vector".into(),
            fields: vec![json!("embedding")],
            options: [(
                "params".to_string(),
                json!({"metric": metric, "dimension": 3, "nLists": 1}),
            )]
            .into_iter()
            .collect(),
            id: None,
        }
    }

    fn state(indexes: Vec<Index>) -> State {
        let mut state = State::default();
        let mut collection = Collection::new("products", CollectionType::Document);
        collection.indexes = indexes;
        state.collections.insert("products".into(), collection);
        state
    }

    fn live(server: Option<Server>) -> Live {
        Live {
            state: Some(state(Vec::new())),
            has_state_collection: true,
            server,
            ..Live::default()
        }
    }

    fn server(version: Version, vector_index: bool) -> Server {
        Server {
            version,
            cluster: false,
            user_functions: true,
            vector_index,
            source: Source::Live,
        }
    }

    fn blocked(desired: &State, live: &Live) -> Vec<Option<String>> {
        let plan = diff(desired, live, &Options::default());
        plan.changes
            .iter()
            .filter(|change| matches!(change.address, Address::Index { .. }))
            .inspect(|change| assert_eq!(change.action, Action::Create))
            .map(|change| change.blocked.clone())
            .collect()
    }

    #[test]
    fn an_index_the_server_cannot_hold_is_blocked_naming_what_it_needs() {
        let desired = state(vec![vector_index("cosine")]);
        assert_eq!(
            blocked(&desired, &live(Some(server(Version::new(3, 12, 10), false)))),
            [Some(
                "index type `vector` needs the server started with `--vector-index`; the server is 3.12.10 without --vector-index"
                    .to_string()
            )]
        );
        assert_eq!(
            blocked(&desired, &live(Some(server(Version::new(3, 11, 14), false)))),
            [Some(
                "index type `vector` needs ArangoDB 3.12.4 or later started with `--vector-index` (`--experimental-vector-index` on 3.12.4 and 3.12.5); the server is 3.11.14"
                    .to_string()
            )]
        );
        assert_eq!(
            blocked(&desired, &live(Some(server(Version::new(3, 12, 10), true)))),
            [None]
        );
        let inner = state(vec![vector_index("innerProduct")]);
        assert_eq!(
            blocked(&inner, &live(Some(server(Version::new(3, 12, 4), true)))),
            [Some(
                "vector metric `innerProduct` needs ArangoDB 3.12.6 or later; the server is 3.12.4"
                    .to_string()
            )]
        );
    }

    #[test]
    fn analyzers_and_views_the_server_cannot_hold_are_blocked() {
        let mut desired = state(Vec::new());
        desired.analyzers.insert(
            "codes".into(),
            crate::model::Analyzer {
                name: "codes".into(),
                analyzer_type: "multi_delimiter".into(),
                properties: json!({"delimiters": [",", ";"]}),
                features: Vec::new(),
            },
        );
        desired.views.insert(
            "search".into(),
            crate::model::View {
                name: "search".into(),
                view_type: "arangosearch".into(),
                properties: [("optimizeTopK".to_string(), json!(["BM25(@doc) DESC"]))]
                    .into_iter()
                    .collect(),
                links: Default::default(),
                indexes: Vec::new(),
                id: None,
            },
        );
        let blocked_of = |server: Server| -> Vec<(Address, Option<String>)> {
            let plan = diff(&desired, &live(Some(server)), &Options::default());
            plan.changes
                .iter()
                .filter(|change| matches!(change.address, Address::Analyzer(_) | Address::View(_)))
                .map(|change| (change.address.clone(), change.blocked.clone()))
                .collect()
        };
        assert_eq!(
            blocked_of(server(Version::new(3, 11, 14), false)),
            [
                (
                    Address::Analyzer("codes".into()),
                    Some(
                        "analyzer type `multi_delimiter` needs ArangoDB 3.12.0 or later; the server is 3.11.14"
                            .to_string()
                    )
                ),
                (
                    Address::View("search".into()),
                    Some(
                        "view property `optimizeTopK` needs ArangoDB 3.12.0 or later; the server is 3.11.14"
                            .to_string()
                    )
                ),
            ]
        );
        assert!(blocked_of(server(Version::new(3, 12, 0), false))
            .iter()
            .all(|(_, blocked)| blocked.is_none()));
    }

    #[test]
    fn without_server_facts_nothing_is_gated() {
        let desired = state(vec![vector_index("innerProduct")]);
        assert_eq!(blocked(&desired, &live(None)), [None]);
    }

    #[test]
    fn only_what_the_plan_creates_is_gated() {
        let fulltext = Index {
            name: Some("byText".into()),
            index_type: "fulltext".into(),
            fields: vec![json!("text")],
            options: [("minLength".to_string(), json!(2))].into_iter().collect(),
            id: None,
        };
        let four = Some(server(Version::new(4, 0, 0), false));
        // An index the live database already holds is left alone.
        let desired = state(vec![fulltext.clone()]);
        let mut existing = live(four.clone());
        existing.state = Some(desired.clone());
        assert!(blocked(&desired, &existing).is_empty());
        // One to create is refused, with what to use instead.
        assert_eq!(
            blocked(&desired, &live(four)),
            [Some(
                "index type `fulltext` was removed in ArangoDB 4.0.0; the server is 4.0.0 (use an inverted index or an ArangoSearch view)"
                    .to_string()
            )]
        );
    }
}
