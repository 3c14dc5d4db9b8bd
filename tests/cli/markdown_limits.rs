//! The Markdown plan within a pull-request comment's size limit, through
//! the real binary on offline plans (`plan --offline-from`, no database):
//! a plan that fits is printed whole; a plan far over the limit keeps its
//! summary and every blocked or destructive change, shows other changes as
//! they fit, stays well-formed, and ends with a notice that links the full
//! plan.

use std::path::Path;

use crate::support::{snapshot_settings, stable, Harness};

fn collection(name: &str, body: &str) -> String {
    format!(
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: {name}\nspec:\n{body}"
    )
}

fn write(dir: &Path, relative: &str, content: &str) {
    std::fs::write(dir.join(relative), content).expect("write spec");
}

/// The base tree: `sharded` (2 shards), `old` and `users` (a schema).
fn base_tree(dir: &Path) {
    write(
        dir,
        "sharded.yaml",
        &collection("sharded", "  numberOfShards: 2\n"),
    );
    write(dir, "old.yaml", &collection("old", "  type: document\n"));
    write(dir, "users.yaml", &users("string"));
}

/// `users` with a schema whose `email` property has type `email_type`.
fn users(email_type: &str) -> String {
    collection(
        "users",
        &format!(
            "  schema:\n    level: moderate\n    rule:\n      type: object\n      properties:\n        email: {{type: {email_type}}}\n        name: {{type: string}}\n"
        ),
    )
}

/// The head tree: `sharded` with 3 shards (a blocked replace), `old` gone
/// (a blocked delete with --prune), `users`' email now nullable, and
/// `extra` plain new collections.
fn head_tree(harness: &Harness, extra: usize) {
    harness.write(
        "sharded.yaml",
        &collection("sharded", "  numberOfShards: 3\n"),
    );
    harness.write("users.yaml", &users("[string, \"null\"]"));
    for index in 0..extra {
        harness.write(
            &format!("generated/c{index:04}.yaml"),
            &collection(&format!("c{index:04}"), "  type: document\n"),
        );
    }
}

fn offline_plan(harness: &Harness, base: &Path, extra_args: &[&str]) -> crate::support::Run {
    let base = base.to_str().expect("utf-8 path");
    let mut args = vec![
        "plan",
        "--offline-from",
        base,
        "--prune",
        "--format",
        "markdown",
    ];
    args.extend_from_slice(extra_args);
    harness.run(&args)
}

/// Every fence closed by a fence at least as long, `<details>` and
/// `<summary>` balanced, no tag counted inside a fenced block; the problem
/// found, if any.
fn malformed(markdown: &str) -> Option<String> {
    let mut fence: Option<usize> = None;
    let (mut details, mut summaries) = (0i64, 0i64);
    for (number, line) in markdown.lines().enumerate() {
        let ticks = line.len() - line.trim_start_matches('`').len();
        match fence {
            Some(open) if ticks >= open && line[ticks..].trim().is_empty() => fence = None,
            Some(_) => {}
            None if ticks >= 3 => fence = Some(ticks),
            None => {
                details += line.matches("<details>").count() as i64
                    - line.matches("</details>").count() as i64;
                summaries += line.matches("<summary>").count() as i64
                    - line.matches("</summary>").count() as i64;
                if details < 0 || summaries != 0 {
                    return Some(format!("line {}: {line}", number + 1));
                }
            }
        }
    }
    if fence.is_some() {
        return Some("a fenced block is not closed".into());
    }
    (details != 0).then(|| format!("{details} <details> not closed"))
}

const BLOCKED_REPLACE: &str = "| `-/+` | replace collection sharded |";
const BLOCKED_DELETE: &str = "| `-` | delete collection old |";
const SHARDS_DIFF: &str =
    "`-/+ collection sharded`\n\n```diff\n- numberOfShards: 2\n+ numberOfShards: 3\n```\n";

#[test]
fn a_plan_that_fits_is_printed_whole() {
    let harness = Harness::new();
    let base = tempfile::tempdir().expect("temp dir");
    base_tree(base.path());
    head_tree(&harness, 3);
    let run = offline_plan(&harness, base.path(), &["--detailed-exitcode"]);
    // Blocked changes: apply would refuse this plan.
    assert_eq!(run.status, 1, "{run:?}");
    assert!(run.stdout.len() <= 65_536, "{}", run.stdout.len());
    assert_eq!(malformed(&run.stdout), None, "{}", run.stdout);
    assert!(!run.stdout.contains("Shortened"), "{}", run.stdout);
    // An explicit limit it fits in changes nothing.
    let limited = offline_plan(&harness, base.path(), &["--markdown-max-bytes", "4096"]);
    assert_eq!(limited.stdout, run.stdout);
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("markdown_limits_fits", stable(&run.stdout, &harness));
    });
}

#[test]
fn a_plan_far_over_the_limit_keeps_what_matters_and_links_the_full_plan() {
    let harness = Harness::new();
    let base = tempfile::tempdir().expect("temp dir");
    base_tree(base.path());
    head_tree(&harness, 2000);

    // The whole plan: every one of the 2,003 changes, far over a comment.
    let full = offline_plan(&harness, base.path(), &["--markdown-max-bytes", "0"]);
    assert_eq!(full.status, 0, "{full:?}");
    assert!(full.stdout.len() > 100_000, "{}", full.stdout.len());
    assert_eq!(
        full.stdout.matches("| `+` | create collection c").count(),
        2000
    );
    assert_eq!(malformed(&full.stdout), None);
    assert!(!full.stdout.contains("Shortened"));

    // The default: a GitHub comment's 65,536 characters.
    let default = offline_plan(&harness, base.path(), &[]);
    assert_eq!(default.status, 0, "{default:?}");
    let text = &default.stdout;
    assert!(text.len() <= 65_536, "{}", text.len());
    assert!(
        text.len() > 65_536 - 512,
        "the cut leaves room unused: {}",
        text.len()
    );
    assert_eq!(malformed(text), None, "{text}");
    assert!(
        text.contains("**2000 to create, 1 to update, 1 to replace, 1 to delete; 2 blocked.**"),
        "{text}"
    );
    for kept in [BLOCKED_REPLACE, BLOCKED_DELETE, SHARDS_DIFF] {
        assert!(text.contains(kept), "{kept}: {text}");
    }
    let created_rows = text.matches("| `+` | create collection c").count();
    let shown = created_rows + usize::from(text.contains("| `~` | update collection users |"));
    // A cut shows creates' rows before their definitions.
    let definitions = text.matches("\n`+ collection c").count();
    assert!(created_rows > 1000, "{created_rows}");
    assert!(
        text.ends_with(&format!(
            "\n> :scissors: **Shortened to fit 65536 bytes:** {} of 2003 changes are not shown; \
             the `diff` blocks of {} shown changes are not shown. \
             Run the plan with `--markdown-max-bytes 0` to see all of it.\n",
            2003 - 2 - shown,
            created_rows - definitions
        )),
        "{shown} shown: {}",
        &text[text.len().saturating_sub(400)..]
    );

    // A small limit and a link to the full plan: the whole output is the
    // snapshot.
    let url = "https://github.com/example-org/features/actions/runs/42/artifacts/7";
    let small = offline_plan(
        &harness,
        base.path(),
        &[
            "--markdown-max-bytes",
            "8000",
            "--markdown-full-plan-url",
            url,
        ],
    );
    assert_eq!(small.status, 0, "{small:?}");
    assert!(small.stdout.len() <= 8000, "{}", small.stdout.len());
    assert_eq!(malformed(&small.stdout), None, "{}", small.stdout);
    for kept in [BLOCKED_REPLACE, BLOCKED_DELETE, SHARDS_DIFF] {
        assert!(small.stdout.contains(kept), "{kept}: {}", small.stdout);
    }
    assert!(
        small
            .stdout
            .contains(&format!("[Read the full plan](<{url}>).")),
        "{}",
        small.stdout
    );
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("markdown_limits_cut", stable(&small.stdout, &harness));
    });
}

#[test]
fn bad_limits_are_invalid_input() {
    let harness = Harness::new();
    let base = tempfile::tempdir().expect("temp dir");
    base_tree(base.path());
    head_tree(&harness, 0);
    for (args, message) in [
        (
            ["--markdown-max-bytes", "100"],
            "100 is too small: 0 (no limit) or at least 4096",
        ),
        (
            ["--markdown-full-plan-url", "ftp://example.org/plan"],
            "\"ftp://example.org/plan\" is not an http or https URL",
        ),
        (
            ["--markdown-full-plan-url", "plan.md"],
            "\"plan.md\" is not a URL",
        ),
    ] {
        let run = offline_plan(&harness, base.path(), &args);
        assert_eq!(run.status, 3, "{run:?}");
        assert!(run.stdout.is_empty(), "{run:?}");
        assert!(run.stderr.contains(message), "{message}: {run:?}");
    }
    // Both flags are documented in --help, with the default.
    let help = harness.run(&["plan", "--help"]);
    let text = help.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("--markdown-max-bytes <N>")
            && text.contains("0: no limit; otherwise at least 4096 [default: 65536]")
            && text.contains("--markdown-full-plan-url <URL>"),
        "{}",
        help.stdout
    );
}
