"""Collections: every create option, properties, configure, rename, truncate,
count, drop, system collections and name errors."""

import pytest
from arango.exceptions import (
    CollectionConfigureError,
    CollectionCreateError,
    CollectionDeleteError,
    CollectionPropertiesError,
    CollectionRenameError,
    DocumentInsertError,
)

# What `collection.properties()` of python-arango holds for a collection made
# with every default on a 3.12 single server (ids left out).
DEFAULT_PROPERTIES = {
    "name": None,
    "system": False,
    "type": 2,
    "edge": False,
    "sync": False,
    "status": 3,
    "status_string": "loaded",
    "cache": False,
    "write_concern": 1,
    "key_options": {"key_generator": "traditional", "user_keys": True, "key_last_value": 0},
    "sync_by_revision": True,
    "rev_as_id": True,
    "smart_child": False,
    "schema": None,
    "internal_validator_type": 0,
    "supportsRBAC": True,
}
ID_KEYS = {"id", "object_id", "global_id"}

SCHEMA = {
    "rule": {"type": "object", "properties": {"email": {"type": "string"}}, "required": ["email"]},
    "level": "moderate",
    "message": "need an email",
}
COMPUTED = [{"name": "title", "expression": 'RETURN "TBA"', "overwrite": False}]
COMPUTED_STORED = [
    {
        "name": "title",
        "expression": 'RETURN "TBA"',
        "computeOn": ["insert", "update", "replace"],
        "overwrite": False,
        "failOnWarning": False,
        "keepNull": True,
    }
]


def without_ids(properties):
    return {key: value for key, value in properties.items() if key not in ID_KEYS}


def expected(name, **changes):
    properties = dict(DEFAULT_PROPERTIES, name=name)
    properties.update(changes)
    return properties


def test_create_defaults(db):
    collection = db.create_collection("plain")
    properties = collection.properties()
    assert without_ids(properties) == expected("plain")
    assert set(properties) == set(DEFAULT_PROPERTIES) | ID_KEYS
    assert properties["id"].isdigit()
    assert properties["object_id"].isdigit() and properties["object_id"] != properties["id"]
    assert properties["global_id"].endswith("/" + properties["id"])


def test_create_edge(db):
    collection = db.create_collection("links", edge=True)
    assert without_ids(collection.properties()) == expected("links", type=3, edge=True)
    assert {"name": "links", "system": False, "type": "edge"}.items() <= next(
        c for c in db.collections() if c["name"] == "links"
    ).items()


def test_create_autoincrement(db):
    collection = db.create_collection("counted", key_generator="autoincrement", key_increment=5, key_offset=3)
    assert collection.properties()["key_options"] == {
        "key_generator": "autoincrement",
        "key_increment": 5,
        "key_offset": 3,
        "user_keys": True,
        "key_last_value": 0,
    }
    keys = [collection.insert({})["_key"] for _ in range(3)]
    assert keys == ["3", "8", "13"]
    assert collection.properties()["key_options"]["key_last_value"] == 13


def test_autoincrement_defaults(db):
    collection = db.create_collection("counted", key_generator="autoincrement")
    assert collection.properties()["key_options"] == {
        "key_generator": "autoincrement",
        "key_increment": 1,
        "key_offset": 0,
        "user_keys": True,
        "key_last_value": 0,
    }
    assert [collection.insert({})["_key"] for _ in range(3)] == ["1", "2", "3"]


def test_autoincrement_continues_after_user_key(db):
    collection = db.create_collection("counted", key_generator="autoincrement", key_increment=5, key_offset=3)
    assert collection.insert({})["_key"] == "3"
    assert collection.insert({"_key": "10"})["_key"] == "10"
    # The next generated key is the next one on the offset + n * increment grid.
    assert collection.insert({})["_key"] == "13"
    assert collection.properties()["key_options"]["key_last_value"] == 13


def test_autoincrement_user_keys_must_be_numeric(db):
    collection = db.create_collection("counted", key_generator="autoincrement")
    with pytest.raises(DocumentInsertError) as err:
        collection.insert({"_key": "abc"})
    assert (err.value.http_code, err.value.error_code) == (400, 1221)


def test_traditional_tracks_numeric_user_keys(db):
    collection = db.create_collection("tracked")
    big = "9" * 18
    collection.insert({"_key": big})
    assert int(collection.insert({})["_key"]) > int(big)
    assert collection.properties()["key_options"]["key_last_value"] > int(big)


def test_padded_keys_are_hex_and_ordered(db):
    collection = db.create_collection("padded", key_generator="padded")
    keys = [collection.insert({})["_key"] for _ in range(3)]
    assert keys == sorted(keys)
    assert all(len(key) == 16 and set(key) <= set("0123456789abcdef") for key in keys)
    assert collection.properties()["key_options"]["key_last_value"] == int(keys[-1], 16)


@pytest.mark.parametrize(
    "key_options",
    [{"type": "nonsense"}, {"type": "autoincrement", "increment": 0}, {"type": "autoincrement", "increment": 65536}],
)
def test_invalid_key_generator_raw(db, raw, key_options):
    response = raw.api("POST", "/_api/collection", database=db.name, json={"name": "k", "keyOptions": key_options})
    assert response.status_code == 400
    assert response.json()["errorNum"] == 1232


@pytest.mark.parametrize("generator", ["traditional", "uuid", "padded"])
def test_key_generators(db, generator):
    collection = db.create_collection("keys", key_generator=generator, user_keys=False)
    key_options = {"key_generator": generator, "user_keys": False}
    # The uuid generator keeps no state, so it reports no lastValue.
    if generator != "uuid":
        key_options["key_last_value"] = 0
    assert collection.properties()["key_options"] == key_options
    first = collection.insert({})["_key"]
    second = collection.insert({})["_key"]
    if generator == "padded":
        assert len(first) == 16 and first < second
    elif generator == "uuid":
        assert len(first) == 36 and first.count("-") == 4
    else:
        assert first.isdigit() and int(first) < int(second)


def test_user_keys_forbidden(db):
    collection = db.create_collection("nokeys", user_keys=False)
    with pytest.raises(DocumentInsertError) as err:
        collection.insert({"_key": "mine"})
    assert (err.value.http_code, err.value.error_code) == (400, 1222)


def test_create_with_sync_schema_computed_values(db):
    collection = db.create_collection("full", sync=True, schema=SCHEMA, computedValues=COMPUTED)
    assert without_ids(collection.properties()) == expected(
        "full",
        sync=True,
        schema={**SCHEMA, "type": "json"},
        computedValues=COMPUTED_STORED,
    )


def test_create_cache_enabled(db, raw):
    response = raw.api("POST", "/_api/collection", database=db.name, json={"name": "cached", "cacheEnabled": True})
    assert response.status_code == 200
    body = response.json()
    assert body["error"] is False and body["code"] == 200
    assert body["cacheEnabled"] is True
    assert db.collection("cached").properties()["cache"] is True


def test_create_response_is_properties(db, raw):
    response = raw.api("POST", "/_api/collection", database=db.name, json={"name": "shape", "type": 3})
    assert response.status_code == 200
    body = response.json()
    listed = raw.api("GET", "/_api/collection/shape/properties", database=db.name).json()
    assert body == listed
    assert body["keyOptions"] == {"allowUserKeys": True, "type": "traditional", "lastValue": 0}
    assert body["computedValues"] is None


def test_cluster_options_are_accepted_and_not_echoed(db):
    collection = db.create_collection(
        "sharded",
        shard_count=3,
        shard_fields=["a"],
        replication_factor=2,
        write_concern=1,
        sharding_strategy="hash",
        sync_replication=False,
        enforce_replication_factor=False,
    )
    properties = collection.properties()
    for cluster_only in ("shard_count", "shard_fields", "replication_factor", "sharding_strategy"):
        assert cluster_only not in properties
    assert without_ids(properties) == expected("sharded")


def test_configure_mutable_properties(db):
    collection = db.create_collection("mutable")
    result = collection.configure(sync=True, schema={"rule": {"type": "object"}}, computed_values=COMPUTED)
    assert without_ids(result) == expected(
        "mutable",
        sync=True,
        schema={"rule": {"type": "object"}, "level": "strict", "message": "", "type": "json"},
        computedValues=COMPUTED_STORED,
    )
    assert collection.properties() == result
    # An empty list removes computed values; omitted properties stay.
    result = collection.configure(computed_values=[])
    assert "computedValues" not in result
    assert result["sync"] is True
    assert result["schema"]["level"] == "strict"


def test_configure_cache_and_immutables_raw(db, raw):
    db.create_collection("props")
    response = raw.api(
        "PUT",
        "/_api/collection/props/properties",
        database=db.name,
        json={"cacheEnabled": True, "type": 3, "keyOptions": {"type": "uuid"}, "name": "other", "isSystem": True},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["cacheEnabled"] is True
    # Immutable attributes are silently ignored.
    assert body["type"] == 2
    assert body["name"] == "props"
    assert body["isSystem"] is False
    assert body["keyOptions"]["type"] == "traditional"


def test_configure_single_server_replication_factor(db):
    collection = db.create_collection("rf")
    result = collection.configure(replication_factor=2, write_concern=1)
    assert "replication_factor" not in result
    with pytest.raises(CollectionConfigureError) as err:
        collection.configure(replication_factor=0)
    assert (err.value.http_code, err.value.error_code) == (400, 10)


def test_configure_bad_computed_values(db):
    collection = db.create_collection("cv")
    with pytest.raises(CollectionConfigureError) as err:
        collection.configure(computed_values=[{"name": "_key", "expression": "RETURN 1", "overwrite": True}])
    assert (err.value.http_code, err.value.error_code) == (400, 10)
    with pytest.raises(CollectionConfigureError) as err:
        collection.configure(computed_values=[{"name": "x", "expression": "FOR d IN c RETURN d", "overwrite": True}])
    assert (err.value.http_code, err.value.error_code) == (400, 10)
    with pytest.raises(CollectionCreateError) as err:
        db.create_collection(
            "dup",
            computedValues=[
                {"name": "x", "expression": "RETURN 1", "overwrite": True},
                {"name": "x", "expression": "RETURN 2", "overwrite": True},
            ],
        )
    assert (err.value.http_code, err.value.error_code) == (400, 10)
    assert "computedValues" not in collection.properties()


def test_info_and_listing(db):
    collection = db.create_collection("listed")
    info = collection.info()
    properties = collection.properties()
    assert info == {
        "id": properties["id"],
        "name": "listed",
        "system": False,
        "type": 2,
        "edge": False,
        "status": 3,
        "global_id": properties["global_id"],
    }
    assert {"id": properties["id"], "name": "listed", "system": False, "type": "document"} in db.collections()


def test_rename(db):
    collection = db.create_collection("before")
    collection.insert({"_key": "k"})
    assert collection.rename("after") is True
    assert collection.name == "after"
    assert collection.properties()["name"] == "after"
    assert collection.get("k")["_id"] == "after/k"
    assert db.has_collection("before") is False
    with pytest.raises(CollectionPropertiesError) as err:
        db.collection("before").properties()
    assert (err.value.http_code, err.value.error_code) == (404, 1203)


def test_rename_to_same_name_is_a_no_op(db):
    collection = db.create_collection("same")
    assert collection.rename("same") is True
    assert collection.properties()["name"] == "same"


def test_rename_errors(db):
    collection = db.create_collection("first")
    db.create_collection("second")
    with pytest.raises(CollectionRenameError) as err:
        collection.rename("second")
    assert (err.value.http_code, err.value.error_code) == (409, 1207)
    with pytest.raises(CollectionRenameError) as err:
        collection.rename("bad/name")
    assert (err.value.http_code, err.value.error_code) == (400, 1208)
    with pytest.raises(CollectionRenameError) as err:
        db.collection("_graphs").rename("graphs")
    assert (err.value.http_code, err.value.error_code) == (403, 11)
    with pytest.raises(CollectionRenameError) as err:
        db.collection("missing").rename("other")
    assert (err.value.http_code, err.value.error_code) == (404, 1203)


def test_truncate_and_count(db):
    collection = db.create_collection("counted")
    assert collection.count() == 0
    collection.insert_many([{"n": n} for n in range(5)])
    assert collection.count() == 5
    assert len(collection) == 5
    assert collection.truncate() is True
    assert collection.count() == 0


def test_checksum_and_revision(db):
    collection = db.create_collection("summed")
    assert int(collection.checksum()) == 0
    assert int(collection.checksum(with_rev=True, with_data=True)) == 0
    collection.insert({"_key": "a", "v": 1})
    first = collection.checksum()
    assert int(first) > 0
    assert collection.checksum() == first
    collection.insert({"_key": "b"})
    assert collection.checksum() != first
    assert isinstance(collection.revision(), str)


def test_statistics_load_unload_compact(db):
    collection = db.create_collection("misc")
    assert "indexes" in collection.statistics()
    assert collection.load() is True
    assert collection.unload() is True
    assert collection.recalculate_count() is True
    assert collection.load_indexes() is True
    assert collection.compact() == collection.info()


def test_drop(db):
    db.create_collection("doomed")
    assert db.delete_collection("doomed") is True
    assert db.has_collection("doomed") is False
    with pytest.raises(CollectionDeleteError) as err:
        db.delete_collection("doomed")
    assert (err.value.http_code, err.value.error_code) == (404, 1203)
    assert db.delete_collection("doomed", ignore_missing=True) is False


def test_drop_response_raw(db, raw):
    properties = db.create_collection("doomed").properties()
    response = raw.api("DELETE", "/_api/collection/doomed", database=db.name)
    assert response.status_code == 200
    assert response.json() == {"error": False, "code": 200, "id": properties["id"]}


def test_system_collections(db):
    graphs = db.collection("_graphs").properties()
    assert graphs["system"] is True
    assert graphs["cache"] is False
    collection = db.create_collection("_mine", system=True)
    assert collection.properties()["system"] is True
    assert {"name": "_mine", "system": True, "type": "document"}.items() <= next(
        c for c in db.collections() if c["name"] == "_mine"
    ).items()
    with pytest.raises(CollectionDeleteError) as err:
        db.delete_collection("_mine")
    assert (err.value.http_code, err.value.error_code) == (403, 11)
    assert db.delete_collection("_mine", system=True) is True


def test_system_collection_never_caches(db, raw):
    response = raw.api(
        "POST", "/_api/collection", database=db.name, json={"name": "_cached", "isSystem": True, "cacheEnabled": True}
    )
    assert response.status_code == 200
    assert response.json()["cacheEnabled"] is False


def test_exclude_system(db, raw):
    db.create_collection("visible")
    response = raw.api("GET", "/_api/collection", database=db.name, params={"excludeSystem": "true"})
    assert [c["name"] for c in response.json()["result"]] == ["visible"]


def test_duplicate_name(db):
    db.create_collection("twice")
    with pytest.raises(CollectionCreateError) as err:
        db.create_collection("twice")
    assert (err.value.http_code, err.value.error_code) == (409, 1207)


@pytest.mark.parametrize("name", ["", "1abc", "a/b", "_nosystem", " lead", "trail ", "x" * 257, "cafe\u0301"])
def test_illegal_names(db, name):
    with pytest.raises(CollectionCreateError) as err:
        db.create_collection(name)
    assert (err.value.http_code, err.value.error_code) == (400, 1208)


@pytest.mark.parametrize("name", ["abc123", "maçã", "mötör", "😀", "ﻚﻠﺑ ﻞﻄﻴﻓ", "かわいい犬", "a-b_c"])
def test_extended_names(db, name):
    collection = db.create_collection(name)
    assert collection.properties()["name"] == name
    assert db.has_collection(name) is True
    assert db.delete_collection(name) is True


def test_invalid_type_raw(db, raw):
    response = raw.api("POST", "/_api/collection", database=db.name, json={"name": "typed", "type": 4})
    assert response.status_code == 400
    assert response.json()["errorNum"] == 1218


def test_key_options_increment_needs_autoincrement_raw(db, raw):
    response = raw.api(
        "POST",
        "/_api/collection",
        database=db.name,
        json={"name": "k", "keyOptions": {"type": "traditional", "increment": 2}},
    )
    assert response.status_code == 400
    assert response.json()["errorNum"] in {10, 1232}


def test_bad_schema_on_create(db):
    with pytest.raises(CollectionCreateError) as err:
        db.create_collection("s", schema={"rule": 5})
    assert (err.value.http_code, err.value.error_code) == (400, 1621)
