use serde_json::json;

use super::*;
use crate::model::{CollectionType, SourceKind};

fn lineage(
    sources: &[(&str, SourceKind)],
    read: &[(&str, &str)],
    filtered: &[(&str, &str)],
) -> FeatureLineage {
    let mut lineage = FeatureLineage::default();
    for (name, kind) in sources {
        lineage.sources.insert(name.to_string(), *kind);
    }
    for (source, path) in read {
        lineage
            .attributes
            .entry(source.to_string())
            .or_default()
            .insert(path.to_string());
    }
    for (source, path) in filtered {
        lineage
            .filtered
            .entry(source.to_string())
            .or_default()
            .insert(path.to_string());
    }
    lineage
}

fn entry(feature: &str, version: u32, lineage: FeatureLineage) -> RegistryEntry {
    RegistryEntry {
        feature: feature.into(),
        version,
        function: format!("FEATURES::{}_V{version}", feature.to_ascii_uppercase()),
        description: String::new(),
        owner: None,
        query: "RETURN 1".into(),
        params: Vec::new(),
        collections: Vec::new(),
        returns: "all".into(),
        serve: "registry".into(),
        hash: String::new(),
        source: format!("{feature}_v{version}.aql"),
        format_version: 1,
        lineage: Some(lineage),
    }
}

fn register(state: &mut State, entry: RegistryEntry) {
    state.registry.insert(entry.function.clone(), entry);
}

fn users(schema: Option<Value>, indexes: Vec<Index>) -> Collection {
    let mut users = Collection::new("users", CollectionType::Document);
    users.schema = schema.map(|rule| Schema {
        rule,
        level: "strict".into(),
        message: String::new(),
    });
    users.indexes = indexes;
    users
}

fn persistent(name: &str, fields: &[&str]) -> Index {
    Index {
        name: Some(name.into()),
        index_type: "persistent".into(),
        fields: fields.iter().map(|field| json!(field)).collect(),
        options: Default::default(),
        id: None,
    }
}

fn change(address: Address, action: Action) -> Change {
    Change {
        address,
        action,
        reason: String::new(),
        fields: Vec::new(),
        steps: Vec::new(),
        blocked: None,
        destructive: false,
        risk: None,
    }
}

fn index_address(collection: &str, index: &str) -> Address {
    Address::Index {
        collection: collection.into(),
        index: index.into(),
    }
}

/// A desired and a live state with `users` as given and one feature
/// reading `users._key` and `users.email`, filtering on `email`.
fn states(want: Collection, have: Collection) -> (State, State) {
    let mut desired = State::default();
    let mut live = State::default();
    desired.collections.insert("users".into(), want);
    live.collections.insert("users".into(), have);
    register(
        &mut desired,
        entry(
            "user_email_domain",
            1,
            lineage(
                &[("users", SourceKind::Collection)],
                &[("users", "_key"), ("users", "email")],
                &[("users", "email")],
            ),
        ),
    );
    (desired, live)
}

fn messages(found: &[LineageWarning]) -> Vec<&str> {
    found
        .iter()
        .map(|warning| warning.message.as_str())
        .collect()
}

#[test]
fn an_attribute_the_new_strict_schema_no_longer_allows_is_named() {
    let open = json!({"properties": {"email": {"type": "string"}}});
    let closed = json!({"properties": {"name": {"type": "string"}}, "additionalProperties": false});
    let (desired, live) = states(users(Some(closed), vec![]), users(Some(open), vec![]));
    // The schema changes with an update of the collection.
    assert!(warnings(&desired, &live, &[]).is_empty());
    let changes = [change(Address::Collection("users".into()), Action::Update)];
    let found = warnings(&desired, &live, &changes);
    assert_eq!(
        messages(&found),
        ["feature user_email_domain v1 reads users.email; the new schema of users no longer allows email"]
    );
    assert_eq!(found[0].object, Address::Collection("users".into()));
    assert_eq!(found[0].attribute.as_deref(), Some("email"));
    // A feature that returns whole documents reads email too.
    let (mut desired, live) = (desired, live);
    register(
        &mut desired,
        entry(
            "user_profile",
            1,
            lineage(&[("users", SourceKind::Collection)], &[("users", "*")], &[]),
        ),
    );
    assert_eq!(
        messages(&warnings(&desired, &live, &changes)),
        [
            "feature user_email_domain v1 reads users.email; the new schema of users no longer allows email",
            "feature user_profile v1 reads whole documents of users; the new schema of users no longer allows email",
        ]
    );
}

#[test]
fn schema_warnings_need_a_schema_change_that_disallows() {
    let closed_with_email =
        json!({"properties": {"email": {"type": "string"}}, "additionalProperties": false});
    let email_false = json!({"properties": {"email": false}});
    let closed = json!({"additionalProperties": false});
    let drop_other = [change(Address::Collection("users".into()), Action::Update)];
    // Still listed: allowed.
    let (desired, live) = states(
        users(Some(closed_with_email.clone()), vec![]),
        users(None, vec![]),
    );
    assert!(warnings(&desired, &live, &drop_other).is_empty());
    // Stated as `false`: no longer allowed.
    let (desired, live) = states(users(Some(email_false), vec![]), users(None, vec![]));
    assert_eq!(warnings(&desired, &live, &drop_other).len(), 1);
    // Already disallowed live: nothing changes for the feature.
    let (desired, live) = states(
        users(Some(closed.clone()), vec![]),
        users(Some(closed.clone()), vec![]),
    );
    assert!(warnings(&desired, &live, &drop_other).is_empty());
    // Level none validates nothing; `_key` is never validated.
    let (mut desired, live) = states(users(Some(closed), vec![]), users(None, vec![]));
    if let Some(schema) = desired
        .collections
        .get_mut("users")
        .and_then(|c| c.schema.as_mut())
    {
        schema.level = "none".into();
    }
    assert!(warnings(&desired, &live, &drop_other).is_empty());
}

#[test]
fn a_dropped_index_on_a_filtered_attribute_warns_unless_another_covers_it() {
    let email = persistent("idx_users_email", &["email"]);
    let drop = [change(
        index_address("users", "idx_users_email"),
        Action::Delete,
    )];
    let (desired, live) = states(users(None, vec![]), users(None, vec![email.clone()]));
    let found = warnings(&desired, &live, &drop);
    assert_eq!(
        messages(&found),
        ["feature user_email_domain v1 filters on users.email; the plan drops index idx_users_email of users, and no index the specs declare there covers email"]
    );
    assert_eq!(found[0].object, index_address("users", "idx_users_email"));
    // A replacement that still starts with email covers it.
    let replace = [change(
        index_address("users", "idx_users_email"),
        Action::Replace,
    )];
    let wider = persistent("idx_users_email", &["email", "name"]);
    let (desired, live) = states(users(None, vec![wider]), users(None, vec![email.clone()]));
    assert!(warnings(&desired, &live, &replace).is_empty());
    // One where email is not the first field does not.
    let other = persistent("idx_users_email", &["name", "email"]);
    let (desired, live) = states(users(None, vec![other]), users(None, vec![email]));
    assert_eq!(
        messages(&warnings(&desired, &live, &replace)),
        ["feature user_email_domain v1 filters on users.email; the plan replaces index idx_users_email of users, and no index the specs declare there covers email"]
    );
}

#[test]
fn a_dropped_collection_is_one_warning_for_every_feature_that_reads_it() {
    let (mut desired, mut live) = states(users(None, vec![]), users(None, vec![]));
    desired.collections.clear();
    register(
        &mut desired,
        entry(
            "user_profile",
            2,
            lineage(&[("users", SourceKind::Unknown)], &[], &[]),
        ),
    );
    // Only the live registry holds it; its entry is kept.
    register(
        &mut live,
        entry(
            "old_feature",
            1,
            lineage(&[("users", SourceKind::Collection)], &[], &[]),
        ),
    );
    let drop = [change(Address::Collection("users".into()), Action::Delete)];
    let found = warnings(&desired, &live, &drop);
    assert_eq!(
        messages(&found),
        ["features old_feature v1 (registered, not in the specs), user_email_domain v1, user_profile v2 read users; the plan drops collection users"]
    );
    assert_eq!(found[0].features.len(), 3);
    assert!(found[0].features[0].registered_only);
    // Its entry deleted with the prune: not served any more, not named.
    let mut pruned = drop.to_vec();
    pruned.push(change(
        Address::Registry("FEATURES::OLD_FEATURE_V1".into()),
        Action::Delete,
    ));
    assert_eq!(warnings(&desired, &live, &pruned)[0].features.len(), 2);
    // A replace empties it.
    let replace = [change(Address::Collection("users".into()), Action::Replace)];
    assert!(warnings(&desired, &live, &replace)[0]
        .message
        .ends_with("the plan replaces collection users (drops it and creates it again, empty)"));
}

#[test]
fn views_dropped_or_no_longer_covering_a_searched_attribute() {
    let mut desired = State::default();
    let mut live = State::default();
    let inverted = Index {
        name: Some("inv".into()),
        index_type: "inverted".into(),
        fields: vec![
            json!({"name": "title", "analyzer": "text_en"}),
            json!("description"),
        ],
        options: Default::default(),
        id: None,
    };
    let mut products = Collection::new("products", CollectionType::Document);
    products.indexes.push(inverted);
    live.collections.insert("products".into(), products.clone());
    let mut narrower = products.clone();
    narrower.indexes[0].fields = vec![json!("description")];
    desired.collections.insert("products".into(), narrower);
    let view = View {
        name: "search".into(),
        view_type: "search-alias".into(),
        properties: Default::default(),
        links: Default::default(),
        indexes: vec![crate::model::AliasIndex {
            collection: "products".into(),
            index: "inv".into(),
        }],
        id: None,
    };
    live.views.insert("search".into(), view.clone());
    desired.views.insert("search".into(), view);
    register(
        &mut desired,
        entry(
            "product_lookup",
            1,
            lineage(
                &[("search", SourceKind::View)],
                &[("search", "title")],
                &[("search", "title")],
            ),
        ),
    );
    let replace = [change(index_address("products", "inv"), Action::Replace)];
    assert_eq!(
        messages(&warnings(&desired, &live, &replace)),
        ["feature product_lookup v1 searches search.title; the plan replaces index inv of products, and view search as the specs declare it no longer covers title"]
    );
    let drop = [change(Address::View("search".into()), Action::Delete)];
    assert_eq!(
        messages(&warnings(&desired, &live, &drop)),
        ["feature product_lookup v1 searches view search; the plan drops view search"]
    );
}

#[test]
fn paths_and_index_fields_compare_without_expansion() {
    assert_eq!(top_level("address.city"), "address");
    assert_eq!(top_level("tags[*]"), "tags");
    assert!(serves(&persistent("t", &["tags[*]"]), "tags"));
    assert!(!serves(&persistent("t", &["a", "tags"]), "tags"));
    let bound: BTreeSet<String> = ["_from".to_string()].into();
    assert!(serves_after(
        &persistent("vc", &["_from", "started_at"]),
        "started_at",
        &bound
    ));
    assert!(!serves_after(
        &persistent("vc", &["_to", "started_at"]),
        "started_at",
        &bound
    ));
}

#[test]
fn a_traversed_graph_dropped_or_losing_a_collection_warns() {
    let mut desired = State::default();
    let mut live = State::default();
    live.graphs.insert(
        "interactions".into(),
        crate::model::Graph {
            name: "interactions".into(),
            edge_definitions: vec![crate::model::EdgeDefinition {
                collection: "viewed_edge".into(),
                from: vec!["users".into()],
                to: vec!["products".into()],
            }],
            orphan_collections: Vec::new(),
        },
    );
    let mut read = lineage(&[("products", SourceKind::Collection)], &[], &[]);
    read.graphs.insert("interactions".into());
    register(&mut desired, entry("centrality", 1, read));
    let drop_graph = [change(
        Address::Graph("interactions".into()),
        Action::Delete,
    )];
    assert_eq!(
        messages(&warnings(&desired, &live, &drop_graph)),
        ["feature centrality v1 traverses graph interactions; the plan drops graph interactions"]
    );
    // Its edge collection replaced; products is read directly, so its own
    // warning names it (once).
    let replace = [
        change(Address::Collection("viewed_edge".into()), Action::Replace),
        change(Address::Collection("products".into()), Action::Delete),
    ];
    assert_eq!(
        messages(&warnings(&desired, &live, &replace)),
        [
            "feature centrality v1 reads products; the plan drops collection products",
            "feature centrality v1 traverses graph interactions; the plan replaces collection viewed_edge, which the graph holds",
        ]
    );
}

#[test]
fn attributes_of_traversed_vertices_are_checked_against_the_graphs_collections() {
    let open = json!({"properties": {"name": {"type": "string"}}});
    let closed =
        json!({"properties": {"title": {"type": "string"}}, "additionalProperties": false});
    let (mut desired, mut live) = states(users(Some(closed), vec![]), users(Some(open), vec![]));
    desired.registry.clear();
    live.graphs.insert(
        "social".into(),
        crate::model::Graph {
            name: "social".into(),
            edge_definitions: vec![crate::model::EdgeDefinition {
                collection: "follows".into(),
                from: vec!["users".into()],
                to: vec!["users".into()],
            }],
            orphan_collections: Vec::new(),
        },
    );
    let mut read = lineage(&[("accounts", SourceKind::Collection)], &[], &[]);
    read.graphs.insert("social".into());
    read.attributes
        .insert("graph:social/vertices".into(), ["name".to_string()].into());
    read.attributes
        .insert("edges:follows/vertices".into(), ["name".to_string()].into());
    register(&mut desired, entry("friends", 1, read));
    let update = [change(Address::Collection("users".into()), Action::Update)];
    assert_eq!(
        messages(&warnings(&desired, &live, &update)),
        [
            "feature friends v1 reads users.name (a vertex of graph social); the new schema of users no longer allows name",
            "feature friends v1 reads users.name (a vertex reached over follows); the new schema of users no longer allows name",
        ]
    );
}

#[test]
fn a_phase_keeps_the_warnings_of_its_own_changes() {
    let (desired, live) = states(
        users(None, vec![]),
        users(None, vec![persistent("idx_users_email", &["email"])]),
    );
    let changes = vec![
        change(index_address("users", "idx_users_email"), Action::Delete),
        change(Address::Registry("FEATURES::X_V1".into()), Action::Update),
    ];
    let plan = crate::plan::Plan {
        format_version: crate::plan::FORMAT_VERSION,
        database: "features".into(),
        warnings: warnings(&desired, &live, &changes),
        changes,
        notes: Vec::new(),
        server: None,
        targets: Vec::new(),
    };
    assert_eq!(plan.warnings.len(), 1);
    assert_eq!(
        plan.clone()
            .for_phase(crate::plan::Phase::Pre)
            .warnings
            .len(),
        1
    );
    assert!(plan.for_phase(crate::plan::Phase::Post).warnings.is_empty());
}
