//! Saved plan files: `plan --out FILE` writes one, `apply --plan FILE`
//! reads it back and holds the specs and the live database to it.
//!
//! The file is JSON:
//!
//! ```json
//! {
//!   "kind": "arangosync-saved-plan",
//!   "savedPlanVersion": 2,
//!   "arangosyncVersion": "0.1.0",
//!   "database": "features",
//!   "specsDigest": "sha256:…",
//!   "overlay": {"dir": "environments/overlays/prod", "digest": "sha256:…"},
//!   "options": {"namespace": "FEATURES", "prune": false, …},
//!   "fingerprints": {"index users/idx": "absent"},
//!   "dependencies": {"collection users": "sha256:…"},
//!   "plan": { … the `plan --format json` document … }
//! }
//! ```
//!
//! It holds no credentials and no endpoint (an endpoint URL may carry a
//! user and password): only what was planned and against what.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::CliError;
use crate::plan::saved::{
    dependencies, dependency_fingerprints, digest, fingerprint, fingerprints, specs_digest,
    specs_objects,
};
use crate::plan::{Address, Change, Live, Plan};

/// Address (as the plan prints it) to fingerprint.
pub type Fingerprints = BTreeMap<String, String>;

/// The `kind` every saved plan file carries.
pub const KIND: &str = "arangosync-saved-plan";

/// Bumped whenever the saved plan file changes shape; `apply --plan`
/// refuses other versions. Version 2 added `dependencies` and `overlay`
/// (a version 1 file does not hold what its changes depend on) and embeds
/// plan format 2 (its `fields` are changed paths, which a saved change is
/// compared in).
pub const SAVED_PLAN_VERSION: u32 = 2;

/// The `--overlay` a saved plan was made with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SavedOverlay {
    /// The directory, as given to `--overlay`.
    pub dir: String,
    /// `plan::saved::digest` of the overlay's patch documents
    /// (`spec::overlay::Overlay::documents`).
    pub digest: String,
}

impl SavedOverlay {
    /// The overlay of a spec tree loaded with `--overlay dir`; `None`
    /// without one.
    pub fn of(dir: Option<&Path>, loaded: &crate::spec::Loaded) -> Option<SavedOverlay> {
        dir.map(|dir| SavedOverlay {
            dir: dir.display().to_string(),
            digest: digest(&Value::Array(loaded.overlay.documents())),
        })
    }

    /// Why the overlay `now` (this apply's) differs from `saved` (the
    /// plan's); `None` when their documents are the same.
    pub fn difference(saved: Option<&SavedOverlay>, now: Option<&SavedOverlay>) -> Option<String> {
        match (saved, now) {
            (None, None) => None,
            (Some(saved), Some(now)) if saved.digest == now.digest => None,
            (Some(saved), Some(now)) if saved.dir == now.dir => Some(format!(
                "the overlay {} changed since the plan was made",
                saved.dir
            )),
            (Some(saved), Some(now)) => Some(format!(
                "the plan was made with --overlay {}; this apply has --overlay {}",
                saved.dir, now.dir
            )),
            (Some(saved), None) => Some(format!(
                "the plan was made with --overlay {}; this apply has none",
                saved.dir
            )),
            (None, Some(now)) => Some(format!(
                "the plan was made without --overlay; this apply has --overlay {}",
                now.dir
            )),
        }
    }
}

/// The plan-shaping choices a saved plan was made with; `apply --plan`
/// plans with these, not with flags of its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SavedOptions {
    /// The function namespace (`--namespace`).
    pub namespace: String,
    pub create_database: bool,
    pub prune: bool,
    pub allow_destructive: bool,
    pub allow_mass_prune: bool,
    pub require_functions: bool,
    /// The Git revision recorded with new registry entries.
    pub revision: Option<String>,
}

impl SavedOptions {
    pub fn of(options: &crate::plan::Options, namespace: &str) -> SavedOptions {
        SavedOptions {
            namespace: namespace.to_string(),
            create_database: options.create_database,
            prune: options.prune,
            allow_destructive: options.allow_destructive,
            allow_mass_prune: options.allow_mass_prune,
            require_functions: options.require_functions,
            revision: options.revision.clone(),
        }
    }

    /// The plan options for `database`.
    pub fn plan_options(&self, database: &str) -> crate::plan::Options {
        crate::plan::Options {
            database: database.to_string(),
            create_database: self.create_database,
            prune: self.prune,
            allow_destructive: self.allow_destructive,
            allow_mass_prune: self.allow_mass_prune,
            revision: self.revision.clone(),
            offline: false,
            require_functions: self.require_functions,
        }
    }
}

/// A saved plan file, as written and read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedPlan {
    pub kind: String,
    pub saved_plan_version: u32,
    /// The arangosync that wrote it (informational).
    pub arangosync_version: String,
    pub database: String,
    /// `plan::saved::specs_digest` of the desired state.
    pub specs_digest: String,
    /// `plan::saved::specs_objects` of the desired state: names what
    /// changed in the specs when the digest differs.
    pub specs_objects: BTreeMap<String, String>,
    /// The `--overlay` the specs were loaded with (`null` without one):
    /// names an overlay that differs when the digest does.
    pub overlay: Option<SavedOverlay>,
    pub options: SavedOptions,
    /// The server planned against (informational).
    pub server: Value,
    /// Address (as the plan prints it) to fingerprint, for every object
    /// the plan touches.
    pub fingerprints: BTreeMap<String, String>,
    /// Address to fingerprint, for every object the plan's changes depend
    /// on without touching it (`plan::saved::dependencies`).
    pub dependencies: BTreeMap<String, String>,
    /// The plan, as `plan --format json` prints it.
    pub plan: Value,
}

impl SavedPlan {
    /// The saved plan of `plan`, computed from `desired` (the specs) and
    /// `live`; `overlay`: the `--overlay` the specs were loaded with.
    pub fn new(
        plan: &Plan,
        live: &Live,
        desired: &crate::model::State,
        options: SavedOptions,
        overlay: Option<SavedOverlay>,
    ) -> SavedPlan {
        let touched: Vec<Address> = plan
            .changes
            .iter()
            .map(|change| change.address.clone())
            .collect();
        let reported = desired.with_analyzers_as_reported(&plan.database);
        let needed = dependencies(&touched, &reported);
        SavedPlan {
            kind: KIND.to_string(),
            saved_plan_version: SAVED_PLAN_VERSION,
            arangosync_version: env!("CARGO_PKG_VERSION").to_string(),
            database: plan.database.clone(),
            specs_digest: specs_digest(desired),
            specs_objects: specs_objects(desired),
            overlay,
            options,
            server: serde_json::to_value(&plan.server).unwrap_or(Value::Null),
            fingerprints: fingerprints(&plan.changes, live),
            dependencies: dependency_fingerprints(&needed, &reported, live),
            plan: crate::render::plan_json(plan),
        }
    }

    /// Writes the file (pretty JSON and a final newline). A failure is a
    /// runtime error (exit status 1).
    pub fn write(&self, path: &Path) -> Result<(), CliError> {
        let text = serde_json::to_string_pretty(self)
            .map_err(|err| CliError::runtime(format!("cannot encode the saved plan: {err}")))?;
        std::fs::write(path, format!("{text}\n")).map_err(|err| {
            CliError::runtime(format!(
                "cannot write the saved plan to {}: {err}",
                path.display()
            ))
        })
    }

    /// Reads and checks a saved plan file for `database`. Anything that is
    /// not a saved plan of this format for this database is invalid input
    /// (exit status 3), with a message naming the file.
    pub fn read(path: &Path, database: &str) -> Result<SavedPlan, CliError> {
        let invalid = |what: String| {
            CliError::usage(format!("{}: {what}; nothing was changed", path.display()))
        };
        let text = std::fs::read_to_string(path)
            .map_err(|err| invalid(format!("cannot read the saved plan: {err}")))?;
        let value: Value = serde_json::from_str(&text).map_err(|err| {
            invalid(format!(
                "not a saved plan (not JSON: {err}); write one with `arangosync plan --out FILE`"
            ))
        })?;
        if value.get("kind").and_then(Value::as_str) != Some(KIND) {
            return Err(invalid(format!(
                "not a saved plan (no \"kind\": \"{KIND}\"); write one with `arangosync plan --out FILE`"
            )));
        }
        let version = value.get("savedPlanVersion").and_then(Value::as_u64);
        if version != Some(u64::from(SAVED_PLAN_VERSION)) {
            let found = version.map_or_else(|| "no".to_string(), |v| v.to_string());
            return Err(invalid(format!(
                "saved plan format version {found}, but this arangosync reads version \
                 {SAVED_PLAN_VERSION}; plan again with this arangosync"
            )));
        }
        let saved: SavedPlan = serde_json::from_value(value)
            .map_err(|err| invalid(format!("a damaged saved plan: {err}")))?;
        if saved.database != database {
            return Err(invalid(format!(
                "the saved plan is for database \"{}\", but --database is \"{database}\"",
                saved.database
            )));
        }
        if !saved.plan["changes"].is_array() {
            return Err(invalid(
                "a damaged saved plan: its plan has no list of changes".to_string(),
            ));
        }
        Ok(saved)
    }

    /// The saved plan's changes, as saved.
    pub fn changes(&self) -> &[Value] {
        self.plan["changes"].as_array().map_or(&[], Vec::as_slice)
    }

    /// The saved plan without the changes apply makes before taking the
    /// lock (creating the database and the state collection, which the
    /// lock lives in): what is left to check and apply under the lock.
    pub fn after_setup(&self) -> SavedPlan {
        let setup = |change: &Value| {
            let kind = change["address"]["kind"].as_str();
            kind == Some("database")
                || (kind == Some("stateCollection") && change["action"] == "create")
        };
        let mut rest = self.clone();
        let mut setup_addresses = Vec::new();
        if let Some(changes) = rest.plan["changes"].as_array_mut() {
            for change in changes.iter().filter(|change| setup(change)) {
                setup_addresses.push(describe(&change["address"]));
            }
            changes.retain(|change| !setup(change));
        }
        for address in setup_addresses {
            rest.fingerprints.remove(&address);
        }
        rest
    }

    /// The addresses of the saved changes, in order. Fails on a change
    /// whose address cannot be read back.
    fn touched(&self) -> Result<Vec<Address>, String> {
        self.changes()
            .iter()
            .map(|change| {
                address(&change["address"]).ok_or_else(|| {
                    format!(
                        "a damaged saved plan: a change has the unknown address {}",
                        change["address"]
                    )
                })
            })
            .collect()
    }

    /// The fingerprints of the objects the saved plan touches, as `live`
    /// has them now. Fails on a change whose address cannot be read back.
    pub fn fingerprints_now(&self, live: &Live) -> Result<BTreeMap<String, String>, String> {
        Ok(self
            .touched()?
            .iter()
            .map(|address| (address.to_string(), fingerprint(live, address)))
            .collect())
    }

    /// The fingerprints of the objects the saved changes depend on, as
    /// `live` has them now, and for each the change that needs it (both
    /// as the plan prints them). `desired`: the specs, which the caller
    /// has checked against `specs_digest`, so the dependencies are the
    /// ones the plan was saved with.
    pub fn dependencies_now(
        &self,
        desired: &crate::model::State,
        live: &Live,
    ) -> Result<(Fingerprints, BTreeMap<String, String>), String> {
        let reported = desired.with_analyzers_as_reported(&self.database);
        let needed = dependencies(&self.touched()?, &reported);
        let needed_by = needed
            .iter()
            .map(|(address, change)| (address.to_string(), change.to_string()))
            .collect();
        Ok((dependency_fingerprints(&needed, &reported, live), needed_by))
    }

    /// The changes of `fresh` (a plan just computed from the same specs)
    /// that are exactly the saved ones, in the saved order; or, when a
    /// saved change is no longer planned just so, one `address: what` item
    /// per such change. Changes `fresh` has beyond the saved ones (to
    /// objects the saved plan does not touch) are left out.
    pub fn select(&self, fresh: &[Change]) -> Result<Vec<Change>, Vec<String>> {
        let mut selected = Vec::new();
        let mut problems = Vec::new();
        for saved in self.changes() {
            let wanted = digest(&without_revision(saved));
            let found = fresh.iter().find(|change| {
                serde_json::to_value(change)
                    .is_ok_and(|value| digest(&without_revision(&value)) == wanted)
            });
            match found {
                Some(change) => selected.push(change.clone()),
                None => problems.push(format!(
                    "{}: would now be planned differently",
                    describe(&saved["address"])
                )),
            }
        }
        if problems.is_empty() {
            Ok(selected)
        } else {
            Err(problems)
        }
    }
}

/// A change's JSON form without the Git revision its registry-entry
/// writes record: the revision is the apply's (`--revision`), not a
/// choice that shapes the plan, so it may differ from the plan's.
fn without_revision(change: &Value) -> Value {
    let mut change = change.clone();
    if let Some(steps) = change.get_mut("steps").and_then(Value::as_array_mut) {
        for step in steps {
            if step["op"] == "writeRegistryEntry" {
                if let Some(entry) = step.get_mut("entry").and_then(Value::as_object_mut) {
                    entry.remove("revision");
                }
            }
        }
    }
    change
}

/// A saved change's address as the plan prints it, from its JSON form.
fn describe(value: &Value) -> String {
    address(value).map_or_else(|| value.to_string(), |address| address.to_string())
}

/// An address from its JSON form (`{"kind": "index", "collection": "users",
/// "name": "idx"}`); `None` for a kind arangosync does not know.
fn address(value: &Value) -> Option<Address> {
    let field = |key: &str| value[key].as_str().map(str::to_string);
    let name = field("name")?;
    Some(match value["kind"].as_str()? {
        "database" => Address::Database(name),
        "stateCollection" => Address::StateCollection,
        "collection" => Address::Collection(name),
        "index" => Address::Index {
            collection: field("collection")?,
            index: name,
        },
        "graph" => Address::Graph(name),
        "function" => Address::Function(name),
        "registryEntry" => Address::Registry(name),
        "analyzer" => Address::Analyzer(name),
        "featureServing" => Address::Serving(name),
        "view" => Address::View(name),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_read_back_what_the_plan_writes() {
        let addresses = [
            Address::Database("features".into()),
            Address::StateCollection,
            Address::Collection("users".into()),
            Address::Index {
                collection: "users".into(),
                index: "idx_users_email".into(),
            },
            Address::Graph("g".into()),
            Address::Function("FEATURES::X_V1".into()),
            Address::Registry("FEATURES::X_V1".into()),
            Address::Analyzer("text_en".into()),
            Address::Serving("FEATURES".into()),
            Address::View("search".into()),
        ];
        for original in addresses {
            let json = serde_json::to_value(&original).expect("json");
            assert_eq!(address(&json), Some(original));
        }
        assert_eq!(
            address(&serde_json::json!({"kind": "table", "name": "x"})),
            None
        );
    }

    #[test]
    fn an_overlay_difference_says_which_overlay() {
        let overlay = |dir: &str, digest: &str| SavedOverlay {
            dir: dir.into(),
            digest: digest.into(),
        };
        let prod = overlay("overlays/prod", "sha256:1");
        let difference =
            |a: Option<&SavedOverlay>, b: Option<&SavedOverlay>| SavedOverlay::difference(a, b);
        assert_eq!(difference(None, None), None);
        assert_eq!(
            difference(Some(&prod), Some(&overlay("elsewhere/prod", "sha256:1"))),
            None,
            "the same documents in another directory are the same overlay"
        );
        assert_eq!(
            difference(Some(&prod), None).as_deref(),
            Some("the plan was made with --overlay overlays/prod; this apply has none")
        );
        assert_eq!(
            difference(None, Some(&prod)).as_deref(),
            Some("the plan was made without --overlay; this apply has --overlay overlays/prod")
        );
        assert_eq!(
            difference(Some(&prod), Some(&overlay("overlays/dev", "sha256:2"))).as_deref(),
            Some("the plan was made with --overlay overlays/prod; this apply has --overlay overlays/dev")
        );
        assert_eq!(
            difference(Some(&prod), Some(&overlay("overlays/prod", "sha256:2"))).as_deref(),
            Some("the overlay overlays/prod changed since the plan was made")
        );
    }
}
