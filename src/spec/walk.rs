//! Finding the spec files under `--dir`, whatever the layout.
//!
//! Three layouts must each yield every file exactly once: a repository root
//! (specs under `features/` next to unrelated YAML), the `features/`
//! directory itself, and a Kubernetes ConfigMap volume, where each top-level
//! file is a symlink into a hidden `..<timestamp>` directory that `..data`
//! also points to.
//!
//! Invariants:
//! * Hidden entries (name starts with `.`) below the root are never entered;
//!   this alone keeps the ConfigMap's `..data` and `..<timestamp>` copies
//!   out. `target/` and `node_modules/` are skipped as build output.
//! * Symlinks are followed, so the ConfigMap's top-level links are read, and
//!   files are deduplicated by canonical path, so two links to one file load
//!   it once. The path kept is the first one walked, as the user sees it.
//! * The result is sorted by path, so loading is deterministic.
//! * Problems become diagnostics; nothing here panics or stops the walk.
//! * A path named like a spec (`.yaml`, `.yml`, `.aql`) that is neither a
//!   regular file nor a directory (a FIFO, socket or device) is an error and
//!   is never opened: reading a FIFO would block the run forever.
//! * Files are read through [`read_file`], which refuses anything larger than
//!   [`MAX_FILE_BYTES`] without reading more than that, so a huge file cannot
//!   exhaust memory (a ConfigMap holds at most 1 MiB; real specs are far
//!   smaller).

use std::collections::HashSet;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diag::{Diagnostic, Diagnostics};

/// Directory names that hold build output or dependencies, never specs.
const SKIPPED_DIRS: &[&str] = &["target", "node_modules"];

/// The largest spec or transformation file read: 10 MiB. Parsing a YAML
/// file takes more than ten times its size in memory, and a hook Job's
/// memory limit is small; a bigger file is a mistake (generated data, a
/// binary), not a spec.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Why [`read_file`] returned no content.
#[derive(Debug)]
pub enum ReadError {
    Io(io::Error),
    /// The file is larger than [`MAX_FILE_BYTES`]; `prefix` holds its first
    /// `MAX_FILE_BYTES` bytes, enough to tell whose file it is.
    TooLarge {
        prefix: Vec<u8>,
    },
}

/// Reads a whole file, but never more than [`MAX_FILE_BYTES`] of it.
pub fn read_file(path: &Path) -> Result<Vec<u8>, ReadError> {
    let file = fs::File::open(path).map_err(ReadError::Io)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        bytes.truncate(MAX_FILE_BYTES as usize);
        return Err(ReadError::TooLarge { prefix: bytes });
    }
    Ok(bytes)
}

/// The message of a `file-too-large` error for `path`.
pub fn too_large_message(path: &Path) -> String {
    format!(
        "`{}` is larger than {} MiB, the limit for spec and transformation files",
        path.display(),
        MAX_FILE_BYTES / (1024 * 1024)
    )
}

/// What the walk found.
#[derive(Debug, Default)]
pub struct Found {
    /// `.yaml`/`.yml` files, sorted.
    pub yaml: Vec<PathBuf>,
    /// `.aql` files, sorted.
    pub aql: Vec<PathBuf>,
    pub diagnostics: Diagnostics,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Yaml,
    Aql,
}

fn file_kind(path: &Path) -> Option<FileKind> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "yaml" | "yml" => Some(FileKind::Yaml),
        "aql" => Some(FileKind::Aql),
        _ => None,
    }
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|name| name.starts_with('.'))
}

fn is_skipped_dir(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|name| SKIPPED_DIRS.contains(&name))
}

/// Walks `dir` and returns the spec and transformation files in it.
pub fn walk(dir: &Path) -> Found {
    let mut found = Found::default();
    match fs::metadata(dir) {
        Ok(metadata) if metadata.is_dir() => {}
        Ok(_) => {
            found.diagnostics.push(Diagnostic::error(
                "not-a-directory",
                format!("`{}` is not a directory", dir.display()),
                None,
            ));
            return found;
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            found.diagnostics.push(
                Diagnostic::error(
                    "dir-not-found",
                    format!("spec directory `{}` does not exist", dir.display()),
                    None,
                )
                .with_hint("pass the repository root, its `features/` directory or a mounted ConfigMap with --dir"),
            );
            return found;
        }
        Err(error) => {
            found.diagnostics.push(Diagnostic::error(
                "unreadable-path",
                format!("cannot read spec directory `{}`: {error}", dir.display()),
                None,
            ));
            return found;
        }
    }

    let mut seen: HashSet<PathBuf> = HashSet::new();
    let entries = WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            // The root is taken as given, even when it is `.` or `..data`.
            entry.depth() == 0
                || !(is_hidden(entry.file_name())
                    || (entry.file_type().is_dir() && is_skipped_dir(entry.file_name())))
        });
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                found.diagnostics.push(walk_error(&error));
                continue;
            }
        };
        let Some(kind) = file_kind(entry.path()) else {
            continue;
        };
        if entry.file_type().is_dir() {
            // A directory named `x.yaml` is walked like any other.
            continue;
        }
        if !entry.file_type().is_file() {
            found.diagnostics.push(
                Diagnostic::error(
                    "not-a-file",
                    format!(
                        "`{}` is {}, not a regular file; it was not read",
                        entry.path().display(),
                        special_file_kind(&entry.file_type())
                    ),
                    None,
                )
                .with_hint(
                    "spec and transformation files must be regular files (or symlinks to them)",
                ),
            );
            continue;
        }
        let canonical = match fs::canonicalize(entry.path()) {
            Ok(canonical) => canonical,
            Err(error) => {
                found.diagnostics.push(Diagnostic::error(
                    "unreadable-path",
                    format!("cannot resolve `{}`: {error}", entry.path().display()),
                    None,
                ));
                continue;
            }
        };
        if !seen.insert(canonical) {
            continue;
        }
        let path = entry.into_path();
        match kind {
            FileKind::Yaml => found.yaml.push(path),
            FileKind::Aql => found.aql.push(path),
        }
    }
    found.yaml.sort();
    found.aql.sort();
    found
}

fn walk_error(error: &walkdir::Error) -> Diagnostic {
    let path = error.path().map(Path::to_path_buf).unwrap_or_default();
    if let Some(ancestor) = error.loop_ancestor() {
        // A loop leads back into a directory that is being walked already, so
        // no file is missed: worth a warning, not a failure.
        return Diagnostic::warning(
            "symlink-loop",
            format!(
                "symlink loop: `{}` leads back to `{}`; not followed",
                path.display(),
                ancestor.display()
            ),
            None,
        );
    }
    let is_link =
        fs::symlink_metadata(&path).is_ok_and(|metadata| metadata.file_type().is_symlink());
    let dangling = is_link && fs::metadata(&path).is_err();
    if dangling {
        let (code, message) = if link_chain_loops(&path) {
            (
                "symlink-loop",
                format!(
                    "symlink loop: `{}` never reaches a file, its links lead back to themselves",
                    path.display()
                ),
            )
        } else {
            let target = fs::read_link(&path)
                .map(|target| {
                    format!(
                        " (it points to `{}`, which does not exist)",
                        target.display()
                    )
                })
                .unwrap_or_default();
            (
                "broken-symlink",
                format!("broken symlink `{}`{target}", path.display()),
            )
        };
        // A dangling link that would have been a spec hides a spec; any other
        // dangling link is only odd.
        return if file_kind(&path).is_some() {
            Diagnostic::error(code, message, None)
        } else {
            Diagnostic::warning(code, message, None)
        };
    }
    let detail = error
        .io_error()
        .map(ToString::to_string)
        .unwrap_or_else(|| error.to_string());
    Diagnostic::error(
        "unreadable-path",
        format!("cannot read `{}`: {detail}", path.display()),
        None,
    )
}

/// Whether following the symlink at `path` comes back to a link already
/// followed (`a -> b -> a`), rather than ending at a missing target.
fn link_chain_loops(path: &Path) -> bool {
    /// The kernel gives up after 40 links; so do we.
    const MAX_LINKS: usize = 40;
    let mut seen = HashSet::new();
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let Ok(target) = fs::read_link(&current) else {
            return false;
        };
        let next = match current.parent() {
            Some(parent) => parent.join(&target),
            None => target,
        };
        if !seen.insert(current) {
            return true;
        }
        current = next;
    }
    true
}

/// What a walked entry that is neither a file nor a directory is, in words.
fn special_file_kind(file_type: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return "a device";
        }
    }
    let _ = file_type;
    "a special file"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn relative(root: &Path, paths: &[PathBuf]) -> Vec<String> {
        paths
            .iter()
            .map(|path| path.strip_prefix(root).unwrap().display().to_string())
            .collect()
    }

    #[test]
    fn finds_yaml_and_aql_and_skips_hidden_and_build_dirs() {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path();
        for path in [
            "features/entities/users.yaml",
            "features/entities/b.YML",
            "features/transformations/x_v1.aql",
            "features/README.md",
            ".git/config.yaml",
            "features/.hidden.yaml",
            "target/debug/x.yaml",
            "web/node_modules/pkg/x.yaml",
        ] {
            write(&root.join(path), "");
        }
        let found = walk(root);
        assert_eq!(
            relative(root, &found.yaml),
            ["features/entities/b.YML", "features/entities/users.yaml"]
        );
        assert_eq!(
            relative(root, &found.aql),
            ["features/transformations/x_v1.aql"]
        );
        assert!(found.diagnostics.is_empty(), "{:?}", found.diagnostics);
    }

    #[test]
    fn missing_and_non_directory_roots() {
        let temp = tempfile::tempdir().unwrap();
        let found = walk(&temp.path().join("nope"));
        assert_eq!(found.diagnostics.0[0].code, "dir-not-found");
        let file = temp.path().join("a.yaml");
        write(&file, "");
        assert_eq!(walk(&file).diagnostics.0[0].code, "not-a-directory");
    }

    #[test]
    fn read_file_stops_at_the_limit() {
        let temp = tempfile::tempdir().unwrap();
        let path = temp.path().join("big.yaml");
        let limit = MAX_FILE_BYTES as usize;
        fs::write(&path, vec![b'a'; limit]).unwrap();
        assert_eq!(read_file(&path).unwrap().len(), limit);
        fs::write(&path, vec![b'a'; limit + 1]).unwrap();
        match read_file(&path) {
            Err(ReadError::TooLarge { prefix }) => assert_eq!(prefix.len(), limit),
            other => panic!("{other:?}"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn special_files_and_link_loops_are_named() {
        use std::os::unix::fs::symlink;
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path();
        // A socket is a special file that std can create.
        let _listener = std::os::unix::net::UnixListener::bind(root.join("sock.yaml")).unwrap();
        symlink("b.aql", root.join("a.aql")).unwrap();
        symlink("a.aql", root.join("b.aql")).unwrap();
        symlink("nowhere/x.yaml", root.join("gone.yaml")).unwrap();
        fs::create_dir(root.join("dir.yaml")).unwrap();
        let found = walk(root);
        assert!(found.yaml.is_empty() && found.aql.is_empty());
        let prefix = format!("{}/", root.display());
        let rendered: Vec<String> = found
            .diagnostics
            .0
            .iter()
            .map(|d| d.to_string().replace(&prefix, ""))
            .collect();
        assert_eq!(
            rendered,
            [
                "error[symlink-loop]: symlink loop: `a.aql` never reaches a file, its links lead back to themselves",
                "error[symlink-loop]: symlink loop: `b.aql` never reaches a file, its links lead back to themselves",
                "error[broken-symlink]: broken symlink `gone.yaml` (it points to `nowhere/x.yaml`, which does not exist)",
                "error[not-a-file]: `sock.yaml` is a socket, not a regular file; it was not read\n  \
                 hint: spec and transformation files must be regular files (or symlinks to them)",
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_loops_and_dangling_links() {
        use std::os::unix::fs::symlink;
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path();
        write(&root.join("specs/a.yaml"), "");
        symlink(root.join("specs/a.yaml"), root.join("specs/again.yaml")).unwrap();
        symlink(root.join("specs"), root.join("specs/loop")).unwrap();
        symlink(root.join("missing.yaml"), root.join("specs/gone.yaml")).unwrap();
        symlink(root.join("missing"), root.join("specs/gone.txt")).unwrap();
        let found = walk(root);
        assert_eq!(
            relative(root, &found.yaml),
            ["specs/a.yaml"],
            "one file, once"
        );
        let mut codes: Vec<(&str, bool)> = found
            .diagnostics
            .0
            .iter()
            .map(|d| (d.code, d.severity == crate::diag::Severity::Error))
            .collect();
        codes.sort();
        assert_eq!(
            codes,
            [
                ("broken-symlink", false),
                ("broken-symlink", true),
                ("symlink-loop", false)
            ]
        );
    }
}
