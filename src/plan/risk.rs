//! What a planned change risks given the data in the database: how many
//! documents a destructive step deletes or rebuilds an index or view over,
//! and how many existing documents a new unique index or a tightened
//! schema rejects.
//!
//! The plan stays a pure function of (desired, live); counting needs the
//! server, so it is a separate step after planning:
//! 1. [`assess`] (pure) says, for each change that needs it, which counts
//!    ([`Probe`]s) to read;
//! 2. the caller reads them (`live::risk`: read-only AQL, all at once) or
//!    has none (an offline plan);
//! 3. [`attach`] (pure) sets each assessed change's [`Change::risk`]: the
//!    counts, the sentences the plan shows, and the hint that avoids
//!    downtime where one exists; a unique index over documents counted as
//!    sharing their values is blocked (the server would refuse it, 1210),
//!    so apply refuses the plan before any write. Unknown counts never
//!    block. Apply reads the counts that can block ([`can_block`]) again
//!    for the plan it makes under the lock.
//!
//! A plan with nothing destructive, no unique index on an existing
//! collection and no tightened schema has no probes: no request is made.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{json, Value};

use super::model::{Action, Address, Change, Plan, Step};
use crate::model::{Index, Schema, State};

/// One count to read from the server (read-only).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Probe {
    /// The number of documents in a collection.
    Documents(String),
    /// Documents whose values of `fields` (attribute paths) another
    /// document shares: what a unique index over them rejects. With
    /// `sparse`, documents with any of the fields `null` or absent are
    /// left out, as a sparse index leaves them out.
    Duplicates {
        collection: String,
        fields: Vec<String>,
        sparse: bool,
    },
    /// Documents that do not satisfy a schema rule. `schema` is the
    /// `{rule, level, message}` object as JSON text (kept as text so
    /// probes order and compare).
    SchemaViolations { collection: String, schema: String },
}

/// A count as the plan shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Count {
    Counted(u64),
    /// An offline plan (`--offline-from`): there is no server to count on.
    Offline,
    /// The server could not count; the reason (a failed count never fails
    /// the plan).
    Failed(String),
}

impl Count {
    /// `1234 documents`, `an unknown number of documents (unknown
    /// offline)`, `... (could not count: reason)`.
    fn documents(&self) -> String {
        match self {
            Count::Counted(1) => "1 document".to_string(),
            Count::Counted(n) => format!("{n} documents"),
            Count::Offline => "an unknown number of documents (unknown offline)".to_string(),
            Count::Failed(reason) => {
                format!("an unknown number of documents (could not count: {reason})")
            }
        }
    }

    /// Why the count is not known, in words (`unknown offline`, `could
    /// not count: ...`); empty for a known count.
    fn unknown_reason(&self) -> String {
        match self {
            Count::Counted(_) => String::new(),
            Count::Offline => "unknown offline".to_string(),
            Count::Failed(reason) => format!("could not count: {reason}"),
        }
    }

    /// Adds counts: known only when every part is.
    fn sum<'c>(counts: impl IntoIterator<Item = &'c Count>) -> Count {
        let mut total = 0;
        for count in counts {
            match count {
                Count::Counted(n) => total += n,
                other => return other.clone(),
            }
        }
        Count::Counted(total)
    }
}

/// In JSON: `{"count": 12}`, or `{"count": null, "unknown": "offline"}`, or
/// `{"count": null, "unknown": "could not count: ..."}`.
impl Serialize for Count {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Count::Counted(n) => json!({"count": n}),
            Count::Offline => json!({"count": null, "unknown": "offline"}),
            Count::Failed(reason) => {
                json!({"count": null, "unknown": format!("could not count: {reason}")})
            }
        }
        .serialize(serializer)
    }
}

/// What a change risks given the data. In JSON (`risk` of a change, an
/// addition within format 2): `documents` and `violations` as [`Count`]s
/// when assessed, `warnings` (the sentences the plan shows) and `hint`
/// when there is one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Risk {
    /// Documents the change deletes (collection drop or replace) or builds
    /// an index or view over again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documents: Option<Count>,
    /// Existing documents the new unique index or schema rule rejects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violations: Option<Count>,
    /// One sentence per risk, as text and Markdown show them.
    pub warnings: Vec<String>,
    /// How to avoid the downtime, where there is a way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// What was counted and found fine ("no existing document breaks the
    /// new schema"), so a reader can tell a check that passed from one
    /// not made. Text and Markdown only: in JSON the count (`violations`,
    /// `{"count": 0}`) says the same.
    #[serde(skip)]
    pub checked: Vec<String>,
}

/// What one change needs counted and how its risk reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// The change's position in the plan.
    pub change: usize,
    kind: Kind,
    /// Counts of documents (summed; several for a view over collections).
    documents: Vec<Probe>,
    violations: Option<Probe>,
    hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// A collection dropped (and maybe created again).
    CollectionDropped { collection: String, again: bool },
    /// An index dropped before its replacement is built; `fields` are the
    /// old index's (what queries lose until the new one is built).
    IndexGap {
        collection: String,
        index: String,
        fields: Vec<String>,
    },
    /// A view dropped and created again, rebuilt from its collections.
    ViewRebuild { view: String },
    /// A unique index over existing documents.
    Unique { fields: Vec<String>, sparse: bool },
    /// A schema whose rule or level tightened.
    Schema { level: String },
    /// A unique index over fields that expand arrays (`tags[*]`): the
    /// duplicates are not counted.
    UniqueUncounted { fields: Vec<String> },
}

/// The levels in the order they check more writes.
fn level_rank(level: &str) -> u8 {
    match level {
        "none" => 0,
        "new" => 1,
        "moderate" => 2,
        _ => 3,
    }
}

/// Whether `want` checks documents `have` let through: a rule in force
/// (level other than `none`) that is new, changed, or checks more writes.
fn tightens(want: Option<&Schema>, have: Option<&Schema>) -> bool {
    let Some(want) = want.filter(|want| want.level != "none") else {
        return false;
    };
    match have {
        None => true,
        Some(have) => {
            !crate::model::json_eq(&want.rule, &have.rule)
                || level_rank(&want.level) > level_rank(&have.level)
        }
    }
}

/// The index fields as attribute paths (strings), if they all are.
fn field_paths(fields: &Value) -> Option<Vec<String>> {
    fields
        .as_array()?
        .iter()
        .map(|field| field.as_str().map(str::to_string))
        .collect()
}

/// Which changes of `plan` need counts, and which. Pure: `desired` are the
/// specs, `live` the database the plan was made against (`None`: none).
pub fn assess(plan: &Plan, desired: &State, live: Option<&State>) -> Vec<Assessment> {
    let Some(live) = live else {
        return Vec::new();
    };
    // Collections this plan creates or drops and creates again: they start
    // empty, so their new indexes and schemas meet no documents.
    let fresh: BTreeSet<&str> = plan
        .changes
        .iter()
        .filter_map(|change| match (&change.address, change.action) {
            (Address::Collection(name), Action::Create | Action::Replace) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    let exists =
        |collection: &str| live.collections.contains_key(collection) && !fresh.contains(collection);
    let mut assessments = Vec::new();
    for (position, change) in plan.changes.iter().enumerate() {
        let mut push = |kind: Kind, documents: Vec<Probe>, violations, hint| {
            assessments.push(Assessment {
                change: position,
                kind,
                documents,
                violations,
                hint,
            })
        };
        match (&change.address, change.action) {
            (Address::Collection(name), Action::Delete | Action::Replace)
                if live.collections.contains_key(name) =>
            {
                push(
                    Kind::CollectionDropped {
                        collection: name.clone(),
                        again: change.action == Action::Replace,
                    },
                    vec![Probe::Documents(name.clone())],
                    None,
                    None,
                );
            }
            (Address::Collection(name), Action::Update) if exists(name) => {
                let want = desired
                    .collections
                    .get(name)
                    .and_then(|c| c.schema.as_ref());
                let have = live.collections.get(name).and_then(|c| c.schema.as_ref());
                if let Some(schema) = want.filter(|_| tightens(want, have)) {
                    let text = json!({
                        "rule": schema.rule,
                        "level": schema.level,
                        "message": schema.message,
                    })
                    .to_string();
                    push(
                        Kind::Schema {
                            level: schema.level.clone(),
                        },
                        Vec::new(),
                        Some(Probe::SchemaViolations {
                            collection: name.clone(),
                            schema: text,
                        }),
                        None,
                    );
                }
            }
            (Address::Index { collection, index }, Action::Create | Action::Replace)
                if exists(collection) =>
            {
                assess_index(change, collection, index, desired, live, &mut push);
            }
            (Address::View(name), Action::Replace) => {
                push(
                    Kind::ViewRebuild { view: name.clone() },
                    view_collections(desired, name, live),
                    None,
                    Some(view_hint()),
                );
            }
            // A view dropped to be created again later in the same plan.
            (Address::View(name), Action::Delete)
                if plan.changes.iter().any(|other| {
                    other.action == Action::Create && other.address == change.address
                }) =>
            {
                push(
                    Kind::ViewRebuild { view: name.clone() },
                    view_collections(desired, name, live),
                    None,
                    Some(view_hint()),
                );
            }
            _ => {}
        }
    }
    assessments
}

fn view_hint() -> String {
    "to avoid the gap, add the new definition as a second view under a new name (over inverted indexes with new names, if an index changes), switch the queries to it, then remove the old view from the specs".to_string()
}

/// The live collections a view indexes (links, or the collections of its
/// inverted indexes), as the specs define it.
fn view_collections(desired: &State, view: &str, live: &State) -> Vec<Probe> {
    let Some(view) = desired.views.get(view).or_else(|| live.views.get(view)) else {
        return Vec::new();
    };
    let mut collections: BTreeSet<&String> = view.links.keys().collect();
    collections.extend(view.indexes.iter().map(|entry| &entry.collection));
    collections
        .into_iter()
        .filter(|collection| live.collections.contains_key(*collection))
        .map(|collection| Probe::Documents(collection.clone()))
        .collect()
}

type Push<'p> = dyn FnMut(Kind, Vec<Probe>, Option<Probe>, Option<String>) + 'p;

fn assess_index(
    change: &Change,
    collection: &str,
    index: &str,
    desired: &State,
    live: &State,
    push: &mut Push,
) {
    let created = change.steps.iter().find_map(|step| match step {
        Step::CreateIndex { body, .. } => Some(body),
        _ => None,
    });
    let drop_first = matches!(change.steps.first(), Some(Step::DropIndex { .. }));
    if drop_first {
        let live_index = live
            .collections
            .get(collection)
            .and_then(|c| c.indexes.iter().find(|i| i.name.as_deref() == Some(index)));
        let want_index = desired
            .collections
            .get(collection)
            .and_then(|c| c.indexes.iter().find(|i| i.name.as_deref() == Some(index)));
        push(
            Kind::IndexGap {
                collection: collection.to_string(),
                index: index.to_string(),
                fields: live_index.map(Index::field_names).unwrap_or_default(),
            },
            vec![Probe::Documents(collection.to_string())],
            None,
            rename_hint(want_index, live_index, |name| {
                [desired, live].iter().any(|state| {
                    state
                        .collections
                        .get(collection)
                        .is_some_and(|c| c.indexes.iter().any(|i| i.name.as_deref() == Some(name)))
                })
            }),
        );
    }
    // Most creates are not unique: only those are parsed whole.
    let Some(body) = created.filter(|body| body.member("unique") == Some(Value::Bool(true))) else {
        return;
    };
    let body = body.value();
    let unique = body["unique"] == true
        && matches!(
            body["type"].as_str(),
            Some("persistent" | "hash" | "skiplist")
        );
    if !unique {
        return;
    }
    let sparse = body["sparse"] == true;
    let Some(fields) = field_paths(&body["fields"]) else {
        return;
    };
    if fields.iter().any(|field| field.contains("[*]")) {
        push(Kind::UniqueUncounted { fields }, Vec::new(), None, None);
        return;
    }
    push(
        Kind::Unique {
            fields: fields.clone(),
            sparse,
        },
        Vec::new(),
        Some(Probe::Duplicates {
            collection: collection.to_string(),
            fields,
            sparse,
        }),
        None,
    );
}

/// The way around a named index dropped before its replacement is built:
/// another name makes it a new index, built before the old one is dropped.
/// None where the server would take the new definition for the old index
/// whatever its name (same identity, or a TTL index: one per collection),
/// and for inverted indexes, which views name (a new name means changing
/// the views too) and whose analyzers a plan may be replacing under them.
/// `taken`: whether an index of the collection (in the specs or the
/// database) already has a name, so the suggestion is a free one.
fn rename_hint(
    want: Option<&Index>,
    live: Option<&Index>,
    taken: impl Fn(&str) -> bool,
) -> Option<String> {
    let (want, live) = (want?, live?);
    let name = want.name.as_deref()?;
    if matches!(want.index_type.as_str(), "ttl" | "inverted") || want.same_server_identity(live) {
        return None;
    }
    let free = (2..)
        .map(|version| format!("{name}_v{version}"))
        .find(|candidate| !taken(candidate))?;
    Some(format!(
        "to avoid the gap, give the changed index a new name (e.g. {free}): the new index is then built before the old one is dropped (with --prune; without it the old one is kept)"
    ))
}

/// Every count the assessments need, once each.
pub fn probes(assessments: &[Assessment]) -> BTreeSet<Probe> {
    assessments
        .iter()
        .flat_map(|assessment| assessment.documents.iter().chain(&assessment.violations))
        .cloned()
        .collect()
}

/// Sets the risk of each assessed change from the counts read (`counts`;
/// a probe missing from it reads as `missing`, e.g. [`Count::Offline`]).
pub fn attach(
    plan: &mut Plan,
    assessments: &[Assessment],
    counts: &BTreeMap<Probe, Count>,
    missing: &Count,
) {
    let read = |probe: &Probe| {
        counts
            .get(probe)
            .cloned()
            .unwrap_or_else(|| missing.clone())
    };
    for assessment in assessments {
        let Some(change) = plan.changes.get_mut(assessment.change) else {
            continue;
        };
        let documents = (!assessment.documents.is_empty()).then(|| {
            let each: Vec<Count> = assessment.documents.iter().map(read).collect();
            Count::sum(&each)
        });
        let violations = assessment.violations.as_ref().map(read);
        let warning = warning(&assessment.kind, documents.as_ref(), violations.as_ref());
        let passed = checked(&assessment.kind, violations.as_ref());
        let risk = change.risk.get_or_insert_with(|| {
            Box::new(Risk {
                documents: None,
                violations: None,
                warnings: Vec::new(),
                hint: None,
                checked: Vec::new(),
            })
        });
        risk.checked.extend(passed);
        risk.documents = risk.documents.take().or(documents);
        risk.violations = risk.violations.take().or(violations);
        risk.warnings.extend(warning);
        if risk.hint.is_none() {
            risk.hint = assessment.hint.clone();
        }
        if change.blocked.is_none() {
            change.blocked = block(&assessment.kind, change.risk.as_deref());
        }
    }
}

/// Whether an assessment's count can block its change (a unique index
/// over values counted as duplicated): the counts a re-plan under the
/// apply lock reads again.
pub fn can_block(assessment: &Assessment) -> bool {
    matches!(assessment.kind, Kind::Unique { .. })
}

/// Why a change is blocked by its counts: a unique index over documents
/// counted as sharing their values, which the server refuses (1210) after
/// a replace dropped the old index. Unknown counts (offline, failed)
/// never block.
fn block(kind: &Kind, risk: Option<&Risk>) -> Option<String> {
    let Kind::Unique { fields, .. } = kind else {
        return None;
    };
    match risk?.violations {
        Some(Count::Counted(n)) if n > 0 => Some(format!(
            "{n} existing {} the same ({}) value as another document, so the server would refuse this unique index (error 1210); make the values unique or drop `unique`",
            if n == 1 { "document has" } else { "documents have" },
            fields.join(", ")
        )),
        _ => None,
    }
}

/// What a failing change means for the rest of an apply (src/apply: stages
/// run in order, a stage's changes concurrently; at the first failure no
/// new change starts, running ones finish, nothing is rolled back).
const FAILS_HERE: &str = "apply fails at this change: changes before it stay applied (nothing is rolled back), later ones do not start, and a later apply continues from there";

/// The line that says a count was made and found nothing wrong: `None`
/// unless the count is 0 for a unique index or a tightened schema.
fn checked(kind: &Kind, violations: Option<&Count>) -> Option<String> {
    if violations != Some(&Count::Counted(0)) {
        return None;
    }
    match kind {
        Kind::Unique { fields, .. } => Some(format!(
            "checked: no two existing documents have the same ({}) value",
            fields.join(", ")
        )),
        Kind::Schema { .. } => {
            Some("checked: no existing document breaks the new schema".to_string())
        }
        _ => None,
    }
}

/// The sentence a risk reads as; `None` when the count shows nothing is at
/// risk (no duplicates, no violating document).
fn warning(kind: &Kind, documents: Option<&Count>, violations: Option<&Count>) -> Option<String> {
    let documents = documents.unwrap_or(&Count::Counted(0));
    let violating = violations.unwrap_or(&Count::Counted(0));
    Some(match kind {
        Kind::CollectionDropped { collection, again } if *documents == Count::Counted(0) => {
            format!(
                "collection {collection} holds no documents; it is dropped{}",
                if *again { " and created again" } else { "" }
            )
        }
        Kind::CollectionDropped { collection, again } => format!(
            "collection {collection} holds {}; {} deleted{}",
            documents.documents(),
            if matches!(documents, Count::Counted(1)) { "it is" } else { "all are" },
            if *again { " and the collection is created again empty" } else { "" }
        ),
        Kind::IndexGap {
            collection,
            index,
            fields,
        } if *documents == Count::Counted(0) => format!(
            "collection {collection} holds no documents; index {index} is dropped and built again; until then queries have no index on ({})",
            fields.join(", ")
        ),
        Kind::IndexGap {
            collection,
            index,
            fields,
        } => format!(
            "collection {collection} holds {}; index {index} is dropped and built again over {}; until then queries have no index on ({})",
            documents.documents(),
            if matches!(documents, Count::Counted(1)) { "it" } else { "them" },
            fields.join(", ")
        ),
        Kind::ViewRebuild { view } => format!(
            "view {view} is rebuilt from {}: queries naming it fail until it is created again and see only part of the documents until the rebuild finishes",
            documents.documents()
        ),
        Kind::Unique { fields, .. } if !matches!(violating, Count::Counted(_)) => format!(
            "duplicates of ({}) were not counted ({}): if two existing documents have the same value, the server refuses this unique index (error 1210), and then {FAILS_HERE}",
            fields.join(", "),
            violating.unknown_reason()
        ),
        Kind::Unique { fields, sparse } => {
            if *violating == Count::Counted(0) {
                return None;
            }
            format!(
                "{} {} the same ({}) value as another document{}",
                capitalize(&violating.documents()),
                if matches!(violating, Count::Counted(1)) { "has" } else { "have" },
                fields.join(", "),
                if *sparse {
                    " (documents without a value are skipped: the index is sparse)"
                } else {
                    " (a missing value counts as null: the index is not sparse)"
                }
            )
        }
        Kind::UniqueUncounted { fields } => format!(
            "duplicates of ({}) were not counted (array fields); the server refuses a unique index over duplicated values (error 1210), and then {FAILS_HERE}",
            fields.join(", ")
        ),
        Kind::Schema { level } if !matches!(violating, Count::Counted(_)) => format!(
            "existing documents were not checked against the new schema (level {level}; {}): any that break it stay, and the server applies the rule to them from now on",
            violating.unknown_reason()
        ),
        Kind::Schema { level } => {
            if *violating == Count::Counted(0) {
                return None;
            }
            let one = matches!(violating, Count::Counted(1));
            let (stay, them) = if one { ("it stays", "it") } else { ("they stay", "them") };
            let consequence = match level.as_str() {
                "new" => format!("{stay}; from now on the server checks inserts only: it rejects new documents that break the rule, and updates are not checked"),
                "moderate" => format!("{stay}; from now on the server rejects inserts that break the rule and updates that would make a valid document break it (updates of documents that already break it are let through)"),
                _ => format!("{stay}; from now on the server rejects every insert, update or replace whose result breaks the rule, so updates of {them} are refused until the result satisfies it"),
            };
            format!(
                "{} in the collection {} not satisfy the new schema (level {level}): {consequence}",
                capitalize(&violating.documents()),
                if one { "does" } else { "do" }
            )
        }
    })
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_sentences_offline_and_failed_included() {
        assert_eq!(Count::Counted(1).documents(), "1 document");
        assert_eq!(Count::Counted(12).documents(), "12 documents");
        assert!(Count::Offline.documents().ends_with("(unknown offline)"));
        assert!(Count::Failed("timeout".into())
            .documents()
            .ends_with("(could not count: timeout)"));
        assert_eq!(
            Count::sum(&[Count::Counted(2), Count::Counted(3)]),
            Count::Counted(5)
        );
        assert_eq!(
            Count::sum(&[Count::Counted(2), Count::Offline]),
            Count::Offline
        );
    }

    #[test]
    fn a_schema_tightens_when_its_rule_changes_or_its_level_rises() {
        let schema = |rule: Value, level: &str| Schema {
            rule,
            level: level.into(),
            message: String::new(),
        };
        let a = schema(json!({"type": "object"}), "strict");
        let b = schema(json!({"type": "object", "required": ["x"]}), "strict");
        assert!(tightens(Some(&a), None));
        assert!(tightens(Some(&b), Some(&a)));
        assert!(!tightens(Some(&a), Some(&a)));
        assert!(tightens(
            Some(&a),
            Some(&schema(json!({"type": "object"}), "moderate"))
        ));
        assert!(!tightens(
            Some(&schema(json!({"type": "object"}), "new")),
            Some(&a)
        ));
        assert!(!tightens(Some(&schema(json!({}), "none")), None));
        assert!(!tightens(None, Some(&a)));
    }

    fn change(address: Address, action: Action, steps: Vec<Step>) -> Change {
        Change {
            address,
            action,
            reason: String::new(),
            fields: Vec::new(),
            steps,
            blocked: None,
            destructive: false,
            risk: None,
        }
    }

    #[test]
    fn only_changes_at_risk_are_probed_and_the_counts_attach_to_them() {
        use crate::model::{Collection, CollectionType};
        let mut live = State::default();
        for name in ["users", "events"] {
            live.collections
                .insert(name.into(), Collection::new(name, CollectionType::Document));
        }
        let unique_body = json!({"type": "persistent", "fields": ["email"], "unique": true});
        let mut plan = Plan {
            format_version: super::super::FORMAT_VERSION,
            database: "features".into(),
            changes: vec![
                change(Address::Collection("events".into()), Action::Delete, vec![]),
                change(
                    Address::Index {
                        collection: "users".into(),
                        index: "idx_email".into(),
                    },
                    Action::Create,
                    vec![Step::CreateIndex {
                        collection: "users".into(),
                        body: unique_body.clone().into(),
                        deferrable: false,
                    }],
                ),
                // A new collection's unique index meets no documents.
                change(Address::Collection("fresh".into()), Action::Create, vec![]),
                change(
                    Address::Index {
                        collection: "fresh".into(),
                        index: "idx_email".into(),
                    },
                    Action::Create,
                    vec![Step::CreateIndex {
                        collection: "fresh".into(),
                        body: unique_body.into(),
                        deferrable: false,
                    }],
                ),
            ],
            notes: vec![],
            server: None,
            targets: vec![],
            warnings: Vec::new(),
        };
        let assessments = assess(&plan, &State::default(), Some(&live));
        let duplicates = Probe::Duplicates {
            collection: "users".into(),
            fields: vec!["email".into()],
            sparse: false,
        };
        assert_eq!(
            probes(&assessments),
            BTreeSet::from([Probe::Documents("events".into()), duplicates.clone()])
        );
        assert!(assess(&plan, &State::default(), None).is_empty());
        let counts = BTreeMap::from([(duplicates, Count::Counted(3))]);
        attach(
            &mut plan,
            &assessments,
            &counts,
            &Count::Failed("no answer".into()),
        );
        let events = plan.changes[0].risk.as_ref().expect("risk");
        assert_eq!(events.documents, Some(Count::Failed("no answer".into())));
        let users = plan.changes[1].risk.as_ref().expect("risk");
        assert_eq!(users.violations, Some(Count::Counted(3)));
        assert!(users.warnings[0]
            .starts_with("3 documents have the same (email) value as another document"));
        assert_eq!(
            plan.changes[1].blocked.as_deref(),
            Some("3 existing documents have the same (email) value as another document, so the server would refuse this unique index (error 1210); make the values unique or drop `unique`")
        );
        // A count that failed never blocks.
        assert!(plan.changes[0].blocked.is_none());
        assert!(assessments.iter().filter(|a| can_block(a)).count() == 1);
        assert!(plan.changes[2].risk.is_none() && plan.changes[3].risk.is_none());
    }

    #[test]
    fn no_duplicates_and_no_violations_warn_nothing_but_say_they_were_checked() {
        let unique = Kind::Unique {
            fields: vec!["email".into()],
            sparse: false,
        };
        assert_eq!(warning(&unique, None, Some(&Count::Counted(0))), None);
        // Not counted: a condition, not a certain failure.
        assert_eq!(
            warning(&unique, None, Some(&Count::Offline)).as_deref(),
            Some(
                "duplicates of (email) were not counted (unknown offline): if two existing \
                 documents have the same value, the server refuses this unique index (error \
                 1210), and then apply fails at this change: changes before it stay applied \
                 (nothing is rolled back), later ones do not start, and a later apply continues \
                 from there"
            )
        );
        assert!(
            warning(&Kind::Schema { level: "moderate".into() }, None, Some(&Count::Failed("timeout".into())))
                .is_some_and(|text| text.starts_with(
                    "existing documents were not checked against the new schema (level moderate; could not count: timeout)"
                ))
        );
        let schema = Kind::Schema {
            level: "strict".into(),
        };
        assert_eq!(warning(&schema, None, Some(&Count::Counted(0))), None);
        assert_eq!(
            checked(&schema, Some(&Count::Counted(0))).as_deref(),
            Some("checked: no existing document breaks the new schema")
        );
        assert_eq!(
            checked(&unique, Some(&Count::Counted(0))).as_deref(),
            Some("checked: no two existing documents have the same (email) value")
        );
        assert_eq!(checked(&unique, Some(&Count::Counted(2))), None);
        assert_eq!(checked(&unique, Some(&Count::Offline)), None);
        // Unknown or zero counts never block; a counted duplicate does.
        let risk = |violations| Risk {
            documents: None,
            violations: Some(violations),
            warnings: Vec::new(),
            hint: None,
            checked: Vec::new(),
        };
        for count in [Count::Offline, Count::Failed("x".into()), Count::Counted(0)] {
            assert_eq!(block(&unique, Some(&risk(count))), None);
        }
        assert!(block(&unique, Some(&risk(Count::Counted(1)))).is_some());
        assert_eq!(block(&schema, Some(&risk(Count::Counted(4)))), None);
    }

    #[test]
    fn a_counted_duplicate_states_the_fact_and_an_index_gap_the_fields_lost() {
        let unique = Kind::Unique {
            fields: vec!["country".into()],
            sparse: false,
        };
        let text = warning(&unique, None, Some(&Count::Counted(2))).expect("warning");
        assert!(
            text.starts_with("2 documents have the same (country) value as another document"),
            "{text}"
        );
        // The consequence and the way out are the change's BLOCKED line.
        assert!(
            text.ends_with("(a missing value counts as null: the index is not sparse)"),
            "{text}"
        );
        let gap = Kind::IndexGap {
            collection: "users".into(),
            index: "idx_users_email".into(),
            fields: vec!["email".into()],
        };
        assert_eq!(
            warning(&gap, Some(&Count::Counted(3)), None).as_deref(),
            Some("collection users holds 3 documents; index idx_users_email is dropped and built again over them; until then queries have no index on (email)")
        );
    }

    #[test]
    fn the_rename_hint_suggests_a_name_no_index_of_the_collection_has() {
        let index = |fields: &[&str]| Index {
            name: Some("idx_email".into()),
            index_type: "persistent".into(),
            fields: fields.iter().map(|field| json!(field)).collect(),
            options: Default::default(),
            id: None,
        };
        let (want, live) = (index(&["email", "tenant"]), index(&["email"]));
        let hint = |taken: &[&str]| {
            rename_hint(Some(&want), Some(&live), |name| taken.contains(&name)).expect("hint")
        };
        assert!(hint(&[]).contains("(e.g. idx_email_v2)"), "{}", hint(&[]));
        let taken = hint(&["idx_email_v2", "idx_email_v3"]);
        assert!(taken.contains("(e.g. idx_email_v4)"), "{taken}");
        assert!(
            taken.ends_with("(with --prune; without it the old one is kept)"),
            "{taken}"
        );
    }
}
