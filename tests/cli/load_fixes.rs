//! Review fixes of issue 13 around loading and importing specs: zkd
//! indexes on 3.11 and 3.12, YAML strings that look like other types,
//! server-generated index names, float underflow, overlay apiVersion
//! rules and positions.

use arangodb_emulator::{Profile, Version};

use crate::support::Harness;

fn harness(version: &str) -> Harness {
    Harness::with_profile(Profile {
        version: version.parse::<Version>().expect("version"),
        ..Profile::default()
    })
}

const ZKD_SPEC: &str = "\
apiVersion: db.feature-store/v1alpha1
kind: ArangoCollection
metadata:
  name: zz
spec:
  indexes:
    - {type: zkd, name: zi, fields: [x, y], fieldValueTypes: double}
";

/// A zkd index settles on 3.11 (which has no `estimates` for zkd) and on
/// 3.12 (where zkd is an alias of mdi): after apply, a plan finds nothing.
#[test]
fn zkd_index_settles_on_3_11_and_3_12() {
    for version in ["3.11.14", "3.12.10"] {
        let harness = harness(version);
        harness.write("zz.yaml", ZKD_SPEC);
        let apply = harness.run(&["apply", "--create-database"]);
        assert_eq!(apply.status, 0, "{version}: {apply:?}");
        let plan = harness.run(&["plan", "--detailed-exitcode"]);
        assert_eq!(plan.status, 0, "{version}: {plan:?}");
        assert_eq!(
            plan.stdout,
            "No changes: database \"features\" matches the specs.\n",
            "{version}"
        );
        let index = harness
            .indexes("zz")
            .into_iter()
            .find(|index| index["name"] == "zi")
            .expect("zkd index");
        assert_eq!(index["fields"], serde_json::json!(["x", "y"]), "{version}");
        if version.starts_with("3.11") {
            assert!(index.get("estimates").is_none(), "{index}");
        }
    }
}
