//! Objects arangosync created that left the specs, planned without
//! `--prune`: kept as they are, and each named in a note saying how to
//! delete it (as removed functions are), instead of a silent "No changes".
//! With `--prune` the same objects are the deletes.

use crate::support::{snapshot_settings, stable, Harness};

const ANALYZER: &str = "apiVersion: db.feature-store/v1alpha1\nkind: ArangoAnalyzer\nmetadata:\n  name: shouting\nspec:\n  type: norm\n  properties: {locale: en, case: upper}\n";
const VIEW: &str = "apiVersion: db.feature-store/v1alpha1\nkind: ArangoView\nmetadata:\n  name: catalog\nspec:\n  type: arangosearch\n  links:\n    products: {includeAllFields: true}\n";
const GRAPH: &str = "apiVersion: db.feature-store/v1alpha1\nkind: ArangoGraph\nmetadata:\n  name: bought\nspec:\n  edgeDefinitions:\n    - {collection: purchases, from: [users], to: [products]}\n";
const SESSIONS: &str =
    "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: sessions\n";

fn collections(with_index: bool) -> String {
    let index = if with_index {
        "spec:\n  indexes:\n    - {type: persistent, name: idx_products_sku, fields: [sku]}\n"
    } else {
        ""
    };
    format!(
        "apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: products\n{index}---\napiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: users\n---\napiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: purchases\nspec:\n  type: edge\n"
    )
}

#[test]
fn owned_objects_that_left_the_specs_are_kept_with_a_note() {
    let harness = Harness::new();
    harness.write("collections.yaml", &collections(true));
    harness.write("sessions.yaml", SESSIONS);
    harness.write("analyzers.yaml", ANALYZER);
    harness.write("catalog.yaml", VIEW);
    harness.write("graph.yaml", GRAPH);
    let created = harness.run(&["apply", "--create-database"]);
    assert_eq!(created.status, 0, "{created:?}");

    harness.write("collections.yaml", &collections(false));
    for file in [
        "sessions.yaml",
        "analyzers.yaml",
        "catalog.yaml",
        "graph.yaml",
    ] {
        harness.remove(file);
    }
    let plan = harness.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status, 0, "{plan:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("kept_objects_plan", stable(&plan.stdout, &harness));
    });
    harness.reset_stats();
    let applied = harness.run(&["apply"]);
    assert_eq!(applied.status, 0, "{applied:?}");
    assert_eq!(harness.writes(), 0, "{}", harness.stats());

    // The notes name what --prune deletes, and nothing else.
    let pruned = harness.run(&[
        "plan",
        "--prune",
        "--allow-destructive",
        "--allow-mass-prune",
    ]);
    assert_eq!(pruned.status, 0, "{pruned:?}");
    let mut deletes: Vec<&str> = pruned
        .stdout
        .lines()
        .filter(|line| line.ends_with("(delete)"))
        .map(str::trim)
        .collect();
    deletes.sort_unstable();
    assert_eq!(
        deletes,
        [
            "- analyzer shouting (delete)",
            "- collection sessions (delete)",
            "- graph bought (delete)",
            "- index products/idx_products_sku (delete)",
            "- view catalog (delete)",
        ],
        "{}",
        pruned.stdout
    );
    assert!(
        !pruned.stdout.contains("kept (unmanaged)"),
        "{}",
        pruned.stdout
    );
}
