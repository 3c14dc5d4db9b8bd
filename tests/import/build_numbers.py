"""Creates the `readings` collection of tests/cli/numbers.rs with the
official python-arango driver: a schema rule whose numbers JSON spells in
ways that must survive a round trip exactly (`1.0`, `0.1`, 2^53 + 1,
i64::MIN and u64::MAX; Python's json module writes floats with a `.0` and
integers of any size exactly).

Usage: build_numbers.py URL ROOT_PASSWORD
"""

import sys

from arango import ArangoClient


def main(url: str, password: str) -> None:
    client = ArangoClient(hosts=url)
    system = client.db("_system", username="root", password=password)
    system.create_database("features")
    db = client.db("features", username="root", password=password)
    rule = {
        "type": "object",
        "properties": {
            "score": {"type": "number", "minimum": 1.0, "multipleOf": 0.1},
            "id": {"type": "integer", "minimum": -(2**63), "maximum": 2**53 + 1},
            "counter": {"type": "integer", "maximum": 2**64 - 1},
        },
    }
    db.create_collection(
        "readings", schema={"rule": rule, "level": "strict", "message": ""}
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
