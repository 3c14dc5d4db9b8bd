//! A spec tree with nothing of arangosync's in it.
//!
//! A missing, empty or wrongly mounted ConfigMap (or a `--dir` that points
//! one level too high or too low) reads as "the desired state is empty",
//! and a plan made from it would delete everything arangosync manages.
//! Such a tree is therefore invalid input for every command that reads
//! one: no YAML file with a `db.feature-store/` document and no `.aql`
//! file is an error (`no-specs`), which names the directory and says what
//! was found there instead. A missing directory is already an error of the
//! walk (`dir-not-found`), and a tree whose files could not be read has
//! errors of its own, so this check only speaks when nothing else did.

use std::fs;
use std::path::{Path, PathBuf};

use super::Loaded;
use crate::diag::Diagnostic;

/// How many of the YAML files that are not ours the message names.
const NAMED_FILES: usize = 5;

/// The `no-specs` error for `dir`, when the tree holds neither a spec nor
/// a transformation and no other error explains why.
pub fn check(dir: &Path, yaml: &[PathBuf], loaded: &Loaded) -> Option<Diagnostic> {
    if !loaded.files.is_empty()
        || !loaded.transformations.is_empty()
        || loaded.diagnostics.has_errors()
    {
        return None;
    }
    let found = if !yaml.is_empty() {
        let names: Vec<String> = yaml
            .iter()
            .take(NAMED_FILES)
            .map(|path| path.strip_prefix(dir).unwrap_or(path).display().to_string())
            .collect();
        let more = match yaml.len().saturating_sub(NAMED_FILES) {
            0 => String::new(),
            more => format!(" and {more} more"),
        };
        match yaml.len() {
            1 => format!(
                "its only YAML file, {}, holds no `db.feature-store/` document",
                names.join(", ")
            ),
            count => format!(
                "none of its {count} YAML files holds a `db.feature-store/` document ({}{more})",
                names.join(", ")
            ),
        }
    } else if has_visible_entries(dir) {
        "it holds no `.yaml`, `.yml` or `.aql` file".to_string()
    } else {
        "it is empty".to_string()
    };
    Some(
        Diagnostic::error(
            "no-specs",
            format!(
                "spec directory `{}` holds no arangosync spec and no `.aql` file: {found}",
                dir.display()
            ),
            None,
        )
        .with_hint(
            "a missing, empty or wrongly mounted ConfigMap looks like this, and a plan made from it \
             would delete everything arangosync manages, so nothing is planned; point --dir at the \
             repository root, its `features/` directory or the ConfigMap's mount path",
        ),
    )
}

/// Whether `dir` has an entry that is not hidden (a ConfigMap volume of an
/// empty ConfigMap holds only its hidden `..data` links).
fn has_visible_entries(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|entry| !entry.file_name().to_string_lossy().starts_with('.'))
    })
}
