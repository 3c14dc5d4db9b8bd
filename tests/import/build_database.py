"""Builds the `features` database of tests/cli/import.rs with the official
python-arango driver (not with arangosync): every index type, a schema,
computed values, a graph, an analyzer, both view types and an AQL user
function arangosync cannot turn back into a query.

Usage: build_database.py URL ROOT_PASSWORD single|cluster
"""

import sys

from arango import ArangoClient


def main(url: str, password: str, mode: str) -> None:
    client = ArangoClient(hosts=url)
    system = client.db("_system", username="root", password=password)
    system.create_database("features")
    db = client.db("features", username="root", password=password)
    cluster = mode == "cluster"

    users = {
        "name": "users",
        "sync": True,
        "schema": {
            "rule": {
                "type": "object",
                "properties": {"email": {"type": "string"}},
                "required": ["email"],
            },
            "level": "moderate",
            "message": "needs an email",
        },
        "computedValues": [
            {
                "name": "seen_at",
                "expression": "RETURN DATE_NOW()",
                "overwrite": True,
                "computeOn": ["insert"],
                "keepNull": False,
            }
        ],
        "user_keys": False,
    }
    if cluster:
        # More than one shard takes no autoincrement keys, and a unique
        # index must contain the shard keys.
        users.update(
            key_generator="padded",
            shard_count=3,
            replication_factor=2,
            write_concern=2,
            shard_fields=["email"],
        )
    else:
        users.update(key_generator="autoincrement", key_increment=5, key_offset=10)
    db.create_collection(**users)
    db.create_collection("products")
    db.create_collection("viewed", edge=True)

    db.collection("users").add_index(
        {"type": "persistent", "fields": ["email"], "unique": True, "sparse": True, "name": "idx_users_email"}
    )
    db.collection("users").add_index(
        {"type": "persistent", "fields": ["tags[*]"], "deduplicate": False, "storedValues": ["name"]}
    )
    db.collection("users").add_index(
        {"type": "ttl", "fields": ["expires_at"], "expireAfter": 3600, "name": "idx_users_ttl"}
    )
    products = db.collection("products")
    products.add_index({"type": "geo", "fields": ["location"], "geoJson": True, "name": "idx_products_location"})
    products.add_index({"type": "fulltext", "fields": ["blurb"], "minLength": 3, "name": "idx_products_blurb"})
    products.add_index(
        {"type": "mdi", "fields": ["x", "y"], "fieldValueTypes": "double", "name": "idx_products_xy"}
    )
    db.create_analyzer(
        "product_text",
        "text",
        {"locale": "en", "case": "lower", "stemming": False},
        ["frequency", "norm", "position"],
    )
    products.add_index(
        {
            "type": "inverted",
            "name": "idx_products_search",
            "fields": [{"name": "title", "analyzer": "product_text"}, "description"],
        }
    )
    for n in range(3):
        products.insert({"embedding": [float(n), 1.0, 0.5, 0.25]})
    products.add_index(
        {
            "type": "vector",
            "name": "idx_products_embedding",
            "fields": ["embedding"],
            "params": {"metric": "cosine", "dimension": 4, "nLists": 1},
        }
    )
    db.collection("viewed").add_index({"type": "persistent", "fields": ["at"], "name": "idx_viewed_at"})
    db.create_graph(
        "interactions",
        edge_definitions=[
            {"edge_collection": "viewed", "from_vertex_collections": ["users"], "to_vertex_collections": ["products"]}
        ],
    )
    db.create_view(
        "product_search",
        "search-alias",
        {"indexes": [{"collection": "products", "index": "idx_products_search"}]},
    )
    db.create_view(
        "user_search",
        "arangosearch",
        {
            "commitIntervalMsec": 2000,
            "links": {"users": {"fields": {"email": {"analyzers": ["product_text"]}}, "includeAllFields": False}},
        },
    )
    db.aql.create_function("FEATURES::HAND_WRITTEN", "function (x) { return x; }")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
