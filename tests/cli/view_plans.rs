//! How plans of views read, through the real binary on 3.12.10: changes
//! print in the order apply runs them (a pruned view before the
//! collection it links), a pruned view's reason says what the same plan
//! does with the collections it links, and a view replace lists every
//! field that differs, not only the one that forces it.

use arangodb_emulator::{Profile, Role, Version};

use crate::support::{snapshot_settings, stable, Harness};

fn collection(name: &str) -> String {
    format!("apiVersion: db.feature-store/v1alpha1\nkind: ArangoCollection\nmetadata:\n  name: {name}\n")
}

const LIBRARY: &str = r#"apiVersion: db.feature-store/v1alpha1
kind: ArangoView
metadata:
  name: library
spec:
  type: arangosearch
  commitIntervalMsec: 1000
  primarySort:
    - {field: year, direction: asc}
  links:
    books:
      fields:
        title: {analyzers: [text_en]}
    reviews: {}
"#;

fn harness() -> Harness {
    Harness::with_profile(Profile {
        version: "3.12.10".parse::<Version>().expect("version"),
        role: Role::Single,
        ..Profile::default()
    })
}

fn applied(harness: &Harness) -> String {
    let dir = harness.specs().to_str().expect("utf-8").to_string();
    harness.write("books.yaml", &collection("books"));
    harness.write("reviews.yaml", &collection("reviews"));
    harness.write("shelves.yaml", &collection("shelves"));
    harness.write("library.yaml", LIBRARY);
    let first = harness.run(&["apply", "--dir", &dir, "--create-database"]);
    assert_eq!(first.status, 0, "{first:?}");
    dir
}

#[test]
fn a_pruned_view_prints_before_the_collection_it_links_and_says_so() {
    let harness = harness();
    let dir = applied(&harness);
    harness.remove("library.yaml");
    harness.remove("books.yaml");
    let args = [
        "plan",
        "--dir",
        &dir,
        "--prune",
        "--allow-destructive",
        "--allow-mass-prune",
    ];
    let plan = harness.run(&args);
    assert_eq!(plan.status, 0, "{plan:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "view_prune_with_its_collection",
            stable(&plan.stdout, &harness)
        );
    });

    let mut apply_args = args.to_vec();
    apply_args[0] = "apply";
    let apply = harness.run(&apply_args);
    assert_eq!(apply.status, 0, "{apply:?}");
    assert_eq!(harness.get_status("/_api/view/library"), 404);
    assert_eq!(harness.get_status("/_api/collection/books"), 404);
    assert_eq!(harness.get_status("/_api/collection/reviews"), 200);
}

#[test]
fn a_view_replace_lists_every_field_that_differs() {
    let harness = harness();
    let dir = applied(&harness);
    harness.write(
        "library.yaml",
        &LIBRARY
            .replace("direction: asc", "direction: desc")
            .replace("commitIntervalMsec: 1000", "commitIntervalMsec: 500")
            .replace("[text_en]", "[identity]"),
    );
    let plan = harness.run(&["plan", "--dir", &dir]);
    assert_eq!(plan.status, 0, "{plan:?}");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("view_replace_every_field", stable(&plan.stdout, &harness));
    });

    let apply = harness.run(&["apply", "--dir", &dir]);
    assert_eq!(apply.status, 0, "{apply:?}");
    let properties = harness.get("/_api/view/library/properties");
    assert_eq!(properties["commitIntervalMsec"], 500, "{properties}");
    assert_eq!(properties["primarySort"][0]["asc"], false, "{properties}");
    assert_eq!(
        properties["links"]["books"]["fields"]["title"],
        serde_json::json!({}),
        "{properties}"
    );
}
