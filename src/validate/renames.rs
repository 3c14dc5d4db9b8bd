//! `metadata.renamedFrom` against the rest of the specs: the old name must
//! be a name a spec could declare, and no spec may still declare it (the
//! plan would rename the old object and create a new empty one under the
//! old name, and every later plan would find both names and block). A
//! two-way swap (`a` renamed from `b`, `b` from `a`) is a case of the
//! latter. Reported at the renamed resource's `metadata.name` (the loader
//! keeps no location for `renamedFrom` itself).

use std::collections::BTreeMap;

use super::names::{spec_name_problem, SpecName};
use super::Report;
use crate::diag::Location;
use crate::spec::Loaded;

/// Checks the collection and graph renames of `loaded`.
pub fn check(loaded: &Loaded, report: &mut Report) {
    let state = &loaded.state;
    let collections = state
        .renames
        .collections
        .iter()
        .filter(|(name, _)| state.collections.contains_key(*name));
    for (name, old) in collections {
        check_one(
            Kind {
                word: "collection",
                spec: SpecName::Collection,
                origins: &loaded.sources.collections,
            },
            name,
            old,
            state.collections.contains_key(old),
            report,
        );
    }
    let graphs = state
        .renames
        .graphs
        .iter()
        .filter(|(name, _)| state.graphs.contains_key(*name));
    for (name, old) in graphs {
        check_one(
            Kind {
                word: "graph",
                spec: SpecName::Graph,
                origins: &loaded.sources.graphs,
            },
            name,
            old,
            state.graphs.contains_key(old),
            report,
        );
    }
}

/// What differs between collection and graph renames.
struct Kind<'a> {
    word: &'static str,
    spec: SpecName,
    origins: &'a BTreeMap<String, crate::spec::Origin>,
}

fn check_one(kind: Kind<'_>, name: &str, old: &str, old_declared: bool, report: &mut Report) {
    let word = kind.word;
    let here: Option<&Location> = kind.origins.get(name).map(|origin| &origin.location);
    if let Some(problem) = spec_name_problem(kind.spec, old) {
        report.error(
            "invalid-rename",
            format!(
                "{word} `{name}` has `metadata.renamedFrom: {}`, which is not a valid {word} name: {problem}",
                old.escape_debug()
            ),
            here,
            Some(format!(
                "arangosync only renames {word}s it created, whose names follow the rules; fix or remove `metadata.renamedFrom`"
            )),
        );
        return;
    }
    if !old_declared {
        return;
    }
    let there: Option<&Location> = kind.origins.get(old).map(|origin| &origin.location);
    let declared_at = there
        .map(|location| format!(" at {location}"))
        .unwrap_or_default();
    report.error(
        "invalid-rename",
        format!(
            "{word} `{name}` has `metadata.renamedFrom: {old}`, but the specs also declare {word} `{old}`{declared_at}"
        ),
        here,
        Some(format!(
            "after the rename `{old}` would be created again, empty, beside `{name}`; remove `metadata.renamedFrom` from `{name}`, or the spec of `{old}`"
        )),
    );
}
