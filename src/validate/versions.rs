//! What the target version (`--target-version`) cannot hold: every index,
//! analyzer and view feature the version table (`crate::server`) refuses
//! for the target is an error at the place the spec writes it, every
//! deprecated one a warning.
//!
//! Without a target nothing is gated here (the live server gates the plan
//! instead). The `hash`/`skiplist` aliases are warned about by the loader
//! whatever the target, so only their removal (4.0) is reported here.

use super::indexes::label;
use super::{at, Report};
use crate::diag::Location;
use crate::model::Index;
use crate::server::{
    analyzer_requirements, index_requirements, view_requirements, Requirement, Server, Verdict,
};
use crate::spec::{Loaded, Origin};

/// Reports, per index, every row of the version table `target` refuses
/// (`version-unsupported`) or warns about (`version-deprecated`).
pub fn check(loaded: &Loaded, target: &Server, report: &mut Report) {
    for (name, collection) in &loaded.state.collections {
        for (position, index) in collection.indexes.iter().enumerate() {
            let origin = loaded.sources.index_origin(name, position);
            let written = origin.and_then(Origin::written_type);
            // Named the way the spec writes it (`the hash index on ...`).
            let subject = match written {
                Some(written) => label(
                    name,
                    &Index {
                        index_type: written.to_string(),
                        ..index.clone()
                    },
                ),
                None => label(name, index),
            };
            for requirement in index_requirements(index, written) {
                // The loader already warns about a deprecated alias.
                let warn = written.is_none();
                judge(requirement, &subject, origin, warn, target, report);
            }
        }
    }
    for (name, analyzer) in &loaded.state.analyzers {
        let origin = loaded.sources.analyzers.get(name);
        let subject = format!("analyzer `{name}`");
        for requirement in analyzer_requirements(analyzer) {
            judge(requirement, &subject, origin, true, target, report);
        }
    }
    for (name, view) in &loaded.state.views {
        let origin = loaded.sources.views.get(name);
        let subject = format!("view `{name}`");
        for requirement in view_requirements(view) {
            judge(requirement, &subject, origin, true, target, report);
        }
    }
}

/// Reports what `target` says of one row for one resource (`subject`, as
/// messages name it): an error when refused, a warning when deprecated
/// and `warn`, at the row's attribute inside `origin`.
fn judge(
    requirement: &Requirement,
    subject: &str,
    origin: Option<&Origin>,
    warn: bool,
    target: &Server,
    report: &mut Report,
) {
    let location: Option<&Location> = at(origin, requirement.attribute);
    let instead = (!requirement.instead.is_empty()).then(|| requirement.instead.to_string());
    match requirement.check(target) {
        Verdict::Holds => {}
        Verdict::Refused(message) => report.error(
            "version-unsupported",
            format!("{subject}: {message}"),
            location,
            instead.or_else(|| {
                Some(format!(
                    "leave it out of the spec, or target a newer server than {}",
                    target.version
                ))
            }),
        ),
        Verdict::Deprecated(_) if !warn => {}
        Verdict::Deprecated(message) => report.warning(
            "version-deprecated",
            format!("{subject}: {message}"),
            location,
            instead,
        ),
    }
}
