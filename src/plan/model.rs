//! The plan's data types: what a change is, how it is addressed, and the
//! concrete steps that carry it out.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

pub use super::body::Body;

/// Bumped whenever the JSON rendering of a plan changes shape. 2: each
/// entry of a change's `fields` is one changed path ([`PathChange`]), with
/// `path` and `op`, and `before`/`after` left out where the path is absent.
/// Within 2 (an addition): a create's `fields` list the created object's
/// definition, one `op: add` entry per leaf path ([`super::definition`]).
/// Within 2 (an addition): a top-level `warnings` array, present only when
/// a change removes something a registered feature reads
/// ([`super::lineage::LineageWarning`]).
pub const FORMAT_VERSION: u32 = 2;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub format_version: u32,
    pub database: String,
    pub changes: Vec<Change>,
    /// Things worth knowing that are not changes (objects left alone).
    pub notes: Vec<Note>,
    /// The server planned against (read live, or the offline
    /// `--target-version`); `None` when unknown.
    pub server: Option<crate::server::Server>,
    /// The `--target` addresses (`index/users/idx_email`) this plan was
    /// narrowed to; empty for a whole plan.
    pub targets: Vec<String>,
    /// Changes that remove something a registered feature reads
    /// ([`super::lineage`]): not changes themselves, and blocking nothing.
    pub warnings: Vec<super::lineage::LineageWarning>,
}

/// Something the plan leaves alone on purpose, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    pub address: Address,
    pub message: String,
}

impl Plan {
    /// Whether applying would write anything.
    pub fn has_writes(&self) -> bool {
        !self.changes.is_empty()
    }

    pub fn blocked(&self) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(|change| change.blocked.is_some())
    }

    /// Keeps only the changes of one phase (`apply --phase`).
    /// The database and the state collection serve both phases; they stay
    /// only if the phase has something else to do.
    pub fn for_phase(mut self, phase: Phase) -> Plan {
        let serves_both =
            |change: &Change| matches!(change.stage(), Stage::Database | Stage::StateCollection);
        self.changes
            .retain(|change| change.phase() == phase || serves_both(change));
        self.notes.retain(|note| note.address.phase() == phase);
        if self.changes.iter().all(serves_both) {
            self.changes.clear();
        }
        // A lineage warning stays with the change it is about.
        let changes = &self.changes;
        self.warnings.retain(|warning| {
            changes
                .iter()
                .any(|change| change.address == warning.object)
        });
        self
    }
}

/// What a change is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Address {
    Database(String),
    StateCollection,
    Collection(String),
    Index {
        collection: String,
        index: String,
    },
    Graph(String),
    Function(String),
    /// The feature-registry entry of a function.
    Registry(String),
    /// A custom ArangoSearch analyzer, by bare name.
    Analyzer(String),
    /// How the features of a function namespace are served (notes only):
    /// through AQL user functions and the registry, or the registry alone.
    Serving(String),
    /// An ArangoSearch view (`arangosearch` or `search-alias`).
    View(String),
}

/// `{"kind": "index", "collection": "users", "name": "idx_email"}`: one
/// shape for every kind, so consumers need no per-kind parsing.
impl Serialize for Address {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (kind, collection, name) = match self {
            Address::Database(name) => ("database", None, name.as_str()),
            Address::StateCollection => {
                ("stateCollection", None, crate::ownership::STATE_COLLECTION)
            }
            Address::Collection(name) => ("collection", None, name.as_str()),
            Address::Index { collection, index } => {
                ("index", Some(collection.as_str()), index.as_str())
            }
            Address::Graph(name) => ("graph", None, name.as_str()),
            Address::Function(name) => ("function", None, name.as_str()),
            Address::Registry(name) => ("registryEntry", None, name.as_str()),
            Address::Analyzer(name) => ("analyzer", None, name.as_str()),
            Address::Serving(namespace) => ("featureServing", None, namespace.as_str()),
            Address::View(name) => ("view", None, name.as_str()),
        };
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("kind", kind)?;
        if let Some(collection) = collection {
            map.serialize_entry("collection", collection)?;
        }
        map.serialize_entry("name", name)?;
        map.end()
    }
}

impl Address {
    pub fn phase(&self) -> Phase {
        match self {
            Address::Function(_) | Address::Registry(_) | Address::Serving(_) => Phase::Post,
            _ => Phase::Pre,
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Database(name) => write!(f, "database {name}"),
            Address::StateCollection => write!(f, "collection _arangosync (arangosync state)"),
            Address::Collection(name) => write!(f, "collection {name}"),
            Address::Index { collection, index } => write!(f, "index {collection}/{index}"),
            Address::Graph(name) => write!(f, "graph {name}"),
            Address::Function(name) => write!(f, "function {name}"),
            Address::Registry(name) => write!(f, "registry entry {name}"),
            Address::Analyzer(name) => write!(f, "analyzer {name}"),
            Address::Serving(namespace) => write!(f, "features {namespace}::*"),
            Address::View(name) => write!(f, "view {name}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    /// Drop and create again (indexes: create anew, then drop the old one).
    Replace,
    Delete,
}

impl Action {
    /// One symbol per action, as the text and Markdown plans show it.
    pub fn symbol(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Delete => "delete",
        }
    }
}

/// One attribute that differs, as the plan compared it: the whole value on
/// each side. What the plan shows are its [`FieldChange::paths`].
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    /// The attribute's name as the plan shows it; already a path for some
    /// (`links.users`, `properties.locale`, `edgeDefinitions[collection=e]`).
    pub field: String,
    /// `null` when the attribute is absent: at this level arangosync, like
    /// the server, does not tell an absent attribute from a `null` one.
    pub before: Value,
    pub after: Value,
    /// How the plan compared the values: what [`FieldChange::paths`]
    /// counts as a difference.
    pub compare: Compare,
}

pub use super::structural::Compare;

impl FieldChange {
    /// One entry per changed path inside the attribute (see
    /// [`super::structural`]), at least one: when the values compare equal
    /// there although the plan found them different (its comparison knows
    /// server defaults and equivalent forms), the attribute as a whole.
    pub fn paths(&self) -> Vec<PathChange> {
        let side = |value: &Value| (!value.is_null()).then(|| value.clone());
        let (before, after) = (side(&self.before), side(&self.after));
        let mut paths: Vec<PathChange> =
            super::structural::diff(before.as_ref(), after.as_ref(), self.compare)
                .into_iter()
                .map(|entry| PathChange {
                    field: self.field.clone(),
                    path: super::structural::render_path(&self.field, &entry.path),
                    before: entry.before,
                    after: entry.after,
                })
                .collect();
        if paths.is_empty() {
            paths.push(PathChange {
                field: self.field.clone(),
                path: self.field.clone(),
                before,
                after,
            });
        }
        paths
    }
}

/// One changed path of an attribute: what the plan shows, one line each.
///
/// In JSON: `{"field", "path", "op", "before", "after"}`, where `op` is
/// `add` (the path is absent before: no `before` key), `remove` (absent
/// after: no `after` key) or `replace` (both keys); a `null` value is a
/// present `null`.
#[derive(Debug, Clone, PartialEq)]
pub struct PathChange {
    /// The attribute ([`FieldChange::field`]) the path lies in.
    pub field: String,
    /// The attribute name and the path inside it
    /// (`schema.rule.properties.email.format`, `computedValues[name=at]`).
    pub path: String,
    /// `None` where the path does not exist.
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl PathChange {
    /// `add`, `remove` or `replace`, as in JSON Patch (RFC 6902).
    pub fn op(&self) -> &'static str {
        match (&self.before, &self.after) {
            (None, _) => "add",
            (_, None) => "remove",
            _ => "replace",
        }
    }
}

impl Serialize for PathChange {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("field", &self.field)?;
        map.serialize_entry("path", &self.path)?;
        map.serialize_entry("op", self.op())?;
        if let Some(before) = &self.before {
            map.serialize_entry("before", before)?;
        }
        if let Some(after) = &self.after {
            map.serialize_entry("after", after)?;
        }
        map.end()
    }
}

/// A change's `fields` in JSON: every changed path of every attribute.
fn serialize_fields<S: serde::Serializer>(
    fields: &[FieldChange],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(fields.iter().flat_map(FieldChange::paths))
}

/// The phases of `apply --phase`: schema objects before the application
/// syncs, functions and the registry after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Pre,
    Post,
}

/// Groups that run one after another; changes within a stage are
/// independent and may run concurrently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Database,
    StateCollection,
    /// Settling the pending ownership records an earlier run left (its
    /// create was sent, the answer never seen): under the lock, before
    /// anything that could drop or re-create those objects.
    Ownership,
    /// Collections renamed (`metadata.renamedFrom`): before anything else
    /// touches them under their new name.
    Renames,
    /// Graphs dropped with `--prune`: before any collection is dropped,
    /// since ArangoDB 3.12 refuses to drop a collection a graph uses (1942).
    GraphDrops,
    /// Views dropped with `--prune`: before the collections and inverted
    /// indexes they use are dropped, so a view never points at something
    /// gone.
    ViewDrops,
    /// Analyzers created, and replaced (dropped and created again): before
    /// the collections and inverted indexes that use them.
    Analyzers,
    Collections,
    /// Collection changes that depend on others on a cluster: creating a
    /// collection that places its shards like another
    /// (`distributeShardsLike`), which a coordinator refuses (1486) until
    /// the prototype exists, and dropping a prototype, which it refuses
    /// (1485) while a follower still points to it. They run after the
    /// other collection changes (creates of prototypes, drops of followers).
    DependentCollections,
    Indexes,
    Properties,
    /// View creates, updates and replaces: after the collections and
    /// inverted indexes they use exist, before graphs.
    Views,
    /// Graph changes that replace an edge definition, which the server
    /// does in every graph that has the edge collection. They run before
    /// the other graph changes, so a graph created or extended in the same
    /// run with that definition finds every graph agreeing with it (the
    /// server refuses a conflicting definition, 1921).
    SharedEdgeDefinitions,
    Graphs,
    /// Analyzers dropped with `--prune`: after the indexes (and views)
    /// that used them are dropped, since ArangoDB refuses to drop an
    /// analyzer in use (409, error 1200).
    AnalyzerDrops,
    Functions,
    Registry,
}

/// One change of the plan.
///
/// In JSON (a custom [`Serialize`], so that a create's definition is
/// derived from its step as it is written): `address`, `action`, `reason`,
/// `fields` ([`Change::shown_fields`], one entry per changed path),
/// `steps`, `blocked`, `destructive`, and `risk` when set.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub address: Address,
    pub action: Action,
    /// Why this action: what differs, or why the server forces it.
    pub reason: String,
    /// What differs. Empty for the create of a collection or an index,
    /// whose definition is its step's body: what the plan shows of those
    /// is [`Change::shown_fields`], which every reader of a change's
    /// attributes uses.
    pub fields: Vec<FieldChange>,
    /// What `apply` does, in order.
    pub steps: Vec<Step>,
    /// Set when the change must not run as planned; apply refuses a plan
    /// with any blocked change.
    pub blocked: Option<String>,
    /// Whether it drops data or a definition.
    pub destructive: bool,
    /// What the change risks given the data (documents it deletes or
    /// rebuilds over, existing documents a new constraint rejects), read
    /// after planning ([`super::risk`]); `None` where nothing is at risk or
    /// nothing was assessed. In JSON only when set (format 2 addition).
    /// Boxed: few changes have one, and a plan holds every change.
    pub risk: Option<Box<super::risk::Risk>>,
}

/// What a [`Change`] looks like in JSON: its members in order, with the
/// shown fields in place of the stored ones.
#[derive(Serialize)]
struct ChangeJson<'a> {
    address: &'a Address,
    action: Action,
    reason: &'a str,
    #[serde(serialize_with = "serialize_fields")]
    fields: &'a [FieldChange],
    steps: &'a [Step],
    blocked: &'a Option<String>,
    destructive: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    risk: &'a Option<Box<super::risk::Risk>>,
}

impl Serialize for Change {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let fields = self.shown_fields();
        ChangeJson {
            address: &self.address,
            action: self.action,
            reason: &self.reason,
            fields: &fields,
            steps: &self.steps,
            blocked: &self.blocked,
            destructive: self.destructive,
            risk: &self.risk,
        }
        .serialize(serializer)
    }
}

impl Change {
    /// The attributes the plan shows for this change: [`Change::fields`]
    /// when it has any; for the create of a collection or an index, which
    /// keeps none, its definition ([`super::definition`]) read from the
    /// body of its create step, so the definition is held once, as the
    /// request that creates it. Derived on each call (allocates for such a
    /// create); a renderer calls it once per change.
    pub fn shown_fields(&self) -> Cow<'_, [FieldChange]> {
        if !self.fields.is_empty() || self.action != Action::Create {
            return Cow::Borrowed(&self.fields);
        }
        let derived = match (&self.address, self.steps.first()) {
            (Address::Collection(_), Some(Step::CreateCollection { body, .. })) => {
                super::definition::created_collection(body)
            }
            (Address::Index { .. }, Some(Step::CreateIndex { body, .. })) => {
                super::definition::created_index(body)
            }
            _ => return Cow::Borrowed(&self.fields),
        };
        Cow::Owned(derived)
    }

    pub fn phase(&self) -> Phase {
        self.address.phase()
    }

    /// True when the change creates a collection whose shards follow
    /// another collection's, or drops a collection others follow.
    fn depends_on_others(&self) -> bool {
        self.steps.iter().any(|step| match step {
            Step::CreateCollection { follows, .. } => *follows,
            Step::DropCollection { prototype, .. } => *prototype,
            _ => false,
        })
    }

    /// True when the change renames a collection.
    fn renames(&self) -> bool {
        self.steps
            .iter()
            .any(|step| matches!(step, Step::RenameCollection { .. }))
    }

    /// True when the change replaces an edge definition (in every graph).
    fn replaces_edge_definition(&self) -> bool {
        self.steps
            .iter()
            .any(|step| matches!(step, Step::ReplaceEdgeDefinition { .. }))
    }

    pub fn stage(&self) -> Stage {
        match (&self.address, self.action) {
            (Address::Database(_), _) => Stage::Database,
            (Address::StateCollection, Action::Update) => Stage::Ownership,
            (Address::StateCollection, _) => Stage::StateCollection,
            (Address::Collection(_), _) if self.renames() => Stage::Renames,
            (Address::Collection(_), Action::Update) => Stage::Properties,
            (Address::Collection(_), _) if self.depends_on_others() => Stage::DependentCollections,
            (Address::Collection(_), _) => Stage::Collections,
            (Address::Index { .. }, _) => Stage::Indexes,
            (Address::Graph(_), Action::Delete) => Stage::GraphDrops,
            (Address::Graph(_), _) if self.replaces_edge_definition() => {
                Stage::SharedEdgeDefinitions
            }
            (Address::Graph(_), _) => Stage::Graphs,
            (Address::Function(_), _) => Stage::Functions,
            (Address::Registry(_) | Address::Serving(_), _) => Stage::Registry,
            (Address::Analyzer(_), Action::Delete) => Stage::AnalyzerDrops,
            (Address::Analyzer(_), _) => Stage::Analyzers,
            (Address::View(_), Action::Delete) => Stage::ViewDrops,
            (Address::View(_), _) => Stage::Views,
        }
    }
}

/// One request-level operation. Bodies are exactly what the HTTP API takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum Step {
    CreateDatabase {
        name: String,
    },
    CreateStateCollection,
    /// Built with [`Step::create_collection`].
    CreateCollection {
        body: Body,
        /// The body names a collection to distribute shards like
        /// (`distributeShardsLike`): what orders the create after the
        /// other collection changes, read once from the body (not part of
        /// the plan output).
        #[serde(skip)]
        follows: bool,
    },
    UpdateProperties {
        collection: String,
        body: Value,
    },
    /// `PUT /_api/collection/{collection}/rename` with `{"name": name}`
    /// (single server only). The server keeps documents and indexes, and
    /// updates named graphs and view links that use the collection.
    RenameCollection {
        collection: String,
        name: String,
    },
    DropCollection {
        collection: String,
        /// Other live collections distribute their shards like this one;
        /// only orders the drop after theirs (not part of the plan output).
        #[serde(skip)]
        prototype: bool,
    },
    CreateIndex {
        collection: String,
        body: Body,
        /// A vector index on a server that trains it while creating it (up
        /// to 3.12.8): if the server refuses it for want of training data,
        /// apply reports the index as deferred instead of failing, and runs
        /// no further step of the change. Shown only when set.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        deferrable: bool,
    },
    /// `name` is what arangosync's ownership record knows the index by.
    DropIndex {
        collection: String,
        id: String,
        name: String,
    },
    CreateGraph {
        body: Value,
    },
    AddEdgeDefinition {
        graph: String,
        body: Value,
    },
    ReplaceEdgeDefinition {
        graph: String,
        collection: String,
        body: Value,
    },
    RemoveEdgeDefinition {
        graph: String,
        collection: String,
    },
    AddVertexCollection {
        graph: String,
        collection: String,
    },
    RemoveVertexCollection {
        graph: String,
        collection: String,
    },
    DropGraph {
        graph: String,
    },
    /// Creates or replaces an AQL user function.
    RegisterFunction {
        name: String,
        code: String,
    },
    DeleteFunction {
        name: String,
    },
    /// Writes a registry entry; apply adds the revision and the time.
    WriteRegistryEntry {
        entry: Value,
    },
    DeleteRegistryEntry {
        function: String,
    },
    /// Writes ownership records (apply adds the time): for objects whose
    /// create an earlier run sent without seeing the answer, and for a
    /// renamed collection and its indexes under the new name.
    ConfirmOwnership {
        records: Vec<Value>,
    },
    /// Deletes records from the state collection by key: settled pending
    /// records, and a renamed collection's records under the old name.
    ForgetIntents {
        keys: Vec<String>,
    },
    /// `POST /_api/analyzer`.
    CreateAnalyzer {
        body: Value,
    },
    /// `DELETE /_api/analyzer/{name}`, by bare name; with `force` the
    /// server drops it also while an index or view uses it (a replace whose
    /// users the same plan replaces too).
    DropAnalyzer {
        name: String,
        force: bool,
    },
    /// `POST /_api/view`.
    CreateView {
        body: Value,
    },
    /// `PATCH /_api/view/{view}/properties`: a partial update (links and
    /// properties not named stay; a `null` link is removed; search-alias
    /// entries carry `operation: add|del`).
    UpdateViewProperties {
        view: String,
        body: Value,
    },
    /// `DELETE /_api/view/{view}`.
    DropView {
        view: String,
    },
}

impl Step {
    /// `POST /_api/collection` with `body`.
    pub fn create_collection(body: &Value) -> Step {
        Step::CreateCollection {
            body: Body::new(body),
            follows: body["distributeShardsLike"]
                .as_str()
                .is_some_and(|name| !name.is_empty()),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn field(before: Value, after: Value, compare: Compare) -> FieldChange {
        FieldChange {
            field: "links.users".into(),
            before,
            after,
            compare,
        }
    }

    #[test]
    fn json_fields_are_paths_with_an_explicit_op() {
        let change = field(
            json!({"fields": {"a": {}}, "x": null, "gone": 1}),
            json!({"fields": {"a": {"analyzers": ["t"]}}, "x": 0, "y": null}),
            Compare::Exact,
        );
        assert_eq!(
            serde_json::to_value(change.paths()).unwrap(),
            json!([
                {"field": "links.users", "path": "links.users.fields.a.analyzers", "op": "add",
                 "after": ["t"]},
                {"field": "links.users", "path": "links.users.x", "op": "replace",
                 "before": null, "after": 0},
                {"field": "links.users", "path": "links.users.y", "op": "add", "after": null},
                {"field": "links.users", "path": "links.users.gone", "op": "remove", "before": 1},
            ])
        );
    }

    #[test]
    fn a_top_level_null_is_absent() {
        let added = field(Value::Null, json!({"a": 1}), Compare::Exact);
        assert_eq!(
            serde_json::to_value(added.paths()).unwrap(),
            json!([{"field": "links.users", "path": "links.users", "op": "add", "after": {"a": 1}}])
        );
    }

    /// A spec of one collection with indexes of several types, planned
    /// against a database that does not exist yet: creates only.
    fn planned_creates() -> (crate::model::State, Plan) {
        let text = "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\n\
            metadata: {name: users}\nspec:\n  keyOptions: {type: uuid}\n  indexes:\n\
            \x20   - {type: persistent, fields: [email], unique: true, sparse: true, name: idx_email}\n\
            \x20   - {type: persistent, fields: [created_at]}\n\
            \x20   - {type: ttl, fields: [expires_at], expireAfter: 86400}\n\
            \x20   - {type: inverted, fields: [{name: bio}], name: inv}\n\
            \x20   - {type: vector, name: emb, fields: [embedding], parallelism: 2, \
            params: {metric: cosine, dimension: 8, nLists: 2}}\n\
            \x20 schema:\n    rule: {properties: {email: {type: string}}}\n    level: moderate\n";
        let loaded = crate::spec::load_contents(std::path::Path::new("t.yaml"), text.into());
        assert!(loaded.diagnostics.0.is_empty(), "{:?}", loaded.diagnostics);
        let options = super::super::Options {
            database: "features".into(),
            create_database: true,
            ..Default::default()
        };
        let plan = super::super::diff(&loaded.state, &Default::default(), &options);
        (loaded.state, plan)
    }

    #[test]
    fn a_create_keeps_its_definition_once_and_shows_it_from_its_step() {
        let (desired, plan) = planned_creates();
        let users = &desired.collections["users"];
        let mut seen = Vec::new();
        for change in &plan.changes {
            let (Address::Collection(_) | Address::Index { .. }) = &change.address else {
                continue;
            };
            assert_eq!(change.action, Action::Create, "{}", change.address);
            assert!(change.fields.is_empty(), "{}", change.address);
            // What the plan showed when the definition was kept as fields.
            let kept = match &change.address {
                Address::Index { index, .. } => {
                    let spec = users
                        .indexes
                        .iter()
                        .find(|spec| match &spec.name {
                            Some(name) => name == index,
                            None => index.starts_with(&spec.index_type),
                        })
                        .expect("the index of the change");
                    super::super::definition::index(spec)
                }
                _ => super::super::definition::collection(&super::super::collections::create_body(
                    users,
                )),
            };
            assert!(!kept.is_empty(), "{}", change.address);
            assert_eq!(*change.shown_fields(), *kept, "{}", change.address);
            let paths: Vec<PathChange> = kept.iter().flat_map(FieldChange::paths).collect();
            assert_eq!(
                serde_json::to_value(change).unwrap()["fields"],
                serde_json::to_value(paths).unwrap(),
                "{}",
                change.address
            );
            seen.push(change.address.to_string());
        }
        assert_eq!(seen.len(), 6, "{seen:?}");
    }

    #[test]
    fn an_index_body_is_its_definition_then_in_background() {
        let (desired, plan) = planned_creates();
        let specs = &desired.collections["users"].indexes;
        let bodies: Vec<Value> = plan
            .changes
            .iter()
            .flat_map(|change| &change.steps)
            .filter_map(|step| match step {
                Step::CreateIndex { body, .. } => Some(body.value()),
                _ => None,
            })
            .collect();
        assert_eq!(bodies.len(), specs.len());
        for (body, spec) in bodies.into_iter().zip(specs) {
            let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
            let definition = spec.to_api_body();
            let mut expected: Vec<&String> = definition.as_object().unwrap().keys().collect();
            let in_background = "inBackground".to_string();
            expected.push(&in_background);
            assert_eq!(keys, expected);
            assert_eq!(body["inBackground"], json!(true));
            for (key, value) in definition.as_object().unwrap() {
                assert_eq!(body[key], *value, "{key}");
            }
        }
    }

    #[test]
    fn a_create_without_fields_or_a_create_step_shows_nothing() {
        let mut change = Change {
            address: Address::Collection("users".into()),
            action: Action::Create,
            reason: String::new(),
            fields: Vec::new(),
            steps: Vec::new(),
            blocked: None,
            destructive: false,
            risk: None,
        };
        assert!(change.shown_fields().is_empty());
        // Only a create is shown from its step.
        change.steps = vec![Step::create_collection(
            &json!({"name": "users", "type": 2}),
        )];
        assert_eq!(change.shown_fields().len(), 1);
        change.action = Action::Replace;
        assert!(change.shown_fields().is_empty());
        // Fields set are shown as they are.
        change.fields = vec![field(Value::Null, json!(1), Compare::Exact)];
        assert_eq!(*change.shown_fields(), change.fields[..]);
    }

    #[test]
    fn a_collection_create_follows_another_only_when_its_body_names_one() {
        let follows = |body: Value| match Step::create_collection(&body) {
            Step::CreateCollection {
                body: kept,
                follows,
            } => {
                assert_eq!(kept.value(), body);
                follows
            }
            other => panic!("{other:?}"),
        };
        assert!(follows(json!({"name": "a", "distributeShardsLike": "p"})));
        assert!(!follows(json!({"name": "a", "distributeShardsLike": ""})));
        assert!(!follows(json!({"name": "a"})));
        let change = |body: Value| Change {
            address: Address::Collection("a".into()),
            action: Action::Create,
            reason: String::new(),
            fields: Vec::new(),
            steps: vec![Step::create_collection(&body)],
            blocked: None,
            destructive: false,
            risk: None,
        };
        assert_eq!(
            change(json!({"name": "a", "distributeShardsLike": "p"})).stage(),
            Stage::DependentCollections
        );
        assert_eq!(change(json!({"name": "a"})).stage(), Stage::Collections);
        // The flag is no part of the plan output.
        assert_eq!(
            serde_json::to_value(Step::create_collection(&json!({"name": "a"}))).unwrap(),
            json!({"op": "createCollection", "body": {"name": "a"}})
        );
    }

    /// A plan holds every change (a cold apply of 20,000 entities has
    /// 73,000), so their size counts: the rare risk is boxed.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_change_stays_small() {
        assert!(
            std::mem::size_of::<Change>() <= 160,
            "{}",
            std::mem::size_of::<Change>()
        );
    }

    #[test]
    fn a_difference_only_the_plan_sees_shows_the_whole_attribute() {
        // Stated: the server's extra key is no difference to the diff, but
        // the plan said the attribute changed (here: reordered items).
        let change = field(
            json!([{"name": "a", "v": 1}, {"name": "b"}]),
            json!([{"name": "b"}, {"name": "a"}]),
            Compare::Stated,
        );
        let paths = change.paths();
        assert_eq!(paths.len(), 1);
        assert_eq!(paths[0].path, "links.users");
        assert_eq!(paths[0].op(), "replace");
    }
}
