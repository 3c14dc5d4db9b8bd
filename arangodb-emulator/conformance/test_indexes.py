"""Indexes through python-arango: every type, returned fields and defaults,
"ensure" semantics, listing and deletion (shared/ARANGODB_API.md section 4)."""

import re

import pytest
from arango.exceptions import (
    DocumentInsertError,
    IndexCreateError,
    IndexDeleteError,
    IndexGetError,
    IndexListError,
)

GENERATED_NAME = re.compile(r"idx_\d+")

PRIMARY = {
    "id": "0",
    "type": "primary",
    "name": "primary",
    "fields": ["_key"],
    "unique": True,
    "sparse": False,
    "selectivity": 1,
}


@pytest.fixture
def col(db):
    return db.create_collection("items")


def check_id(index):
    assert index["id"].isdigit() and index["id"] != "0"
    return index["id"]


def test_list_has_primary_only(col):
    assert col.indexes() == [PRIMARY]


def test_edge_collection_lists_edge_index(db):
    edges = db.create_collection("links", edge=True)
    indexes = edges.indexes()
    assert indexes[0] == PRIMARY
    edge = indexes[1]
    assert len(indexes) == 2
    assert {key: edge[key] for key in ("type", "name", "fields", "unique", "sparse")} == {
        "type": "edge",
        "name": "edge",
        "fields": ["_from", "_to"],
        "unique": False,
        "sparse": False,
    }
    assert edge["id"].isdigit()


def test_persistent_defaults(col):
    index = col.add_index({"type": "persistent", "fields": ["a", "b"]})
    check_id(index)
    assert GENERATED_NAME.fullmatch(index["name"])
    assert {k: v for k, v in index.items() if k not in ("id", "name")} == {
        "type": "persistent",
        "fields": ["a", "b"],
        "unique": False,
        "sparse": False,
        "deduplicate": True,
        "estimates": True,
        "cacheEnabled": False,
        "selectivityEstimate": 1,
        "isNewlyCreated": True,
    }


def test_persistent_all_options(col):
    index = col.add_index(
        {
            "type": "persistent",
            "fields": ["email"],
            "unique": True,
            "sparse": True,
            "deduplicate": False,
            "estimates": False,
            "cacheEnabled": True,
            "storedValues": ["name", "_id"],
            "name": "by_email",
            "inBackground": True,
        }
    )
    assert {k: v for k, v in index.items() if k != "id"} == {
        "type": "persistent",
        "name": "by_email",
        "fields": ["email"],
        "unique": True,
        "sparse": True,
        "deduplicate": False,
        "estimates": False,
        "cacheEnabled": True,
        "storedValues": ["name", "_id"],
        # Unique indexes always estimate their selectivity.
        "selectivityEstimate": 1,
        "isNewlyCreated": True,
    }


def test_add_persistent_index_helper_formats(col):
    index = col.add_persistent_index(fields=["x"], unique=False, sparse=False, name="by_x")
    assert {k: v for k, v in index.items() if k != "id"} == {
        "fields": ["x"],
        "type": "persistent",
        "name": "by_x",
        "deduplicate": True,
        "sparse": False,
        "unique": False,
        "selectivity": 1,
        "new": True,
        "cacheEnabled": False,
        "estimates": True,
    }


def test_hash_and_skiplist_keep_their_type(col):
    hashed = col.add_index({"type": "hash", "fields": ["attr1", "attr2"], "unique": True, "sparse": True})
    assert hashed["type"] == "hash"
    skiplist = col.add_index({"type": "skiplist", "fields": ["attr1", "attr2"], "unique": True, "sparse": True})
    assert skiplist["type"] == "skiplist"
    assert skiplist["id"] != hashed["id"]
    persistent = col.add_index({"type": "persistent", "fields": ["attr1", "attr2"], "unique": True, "sparse": True})
    assert persistent["isNewlyCreated"] is True


def test_ensure_returns_existing(col):
    first = col.add_index({"type": "persistent", "fields": ["a"], "name": "by_a"})
    assert first["isNewlyCreated"] is True
    again = col.add_index({"type": "persistent", "fields": ["a"], "name": "by_a"})
    assert again == dict(first, isNewlyCreated=False)
    # Name and tuning options are not part of an index's identity: the old
    # index comes back unchanged.
    renamed = col.add_index(
        {"type": "persistent", "fields": ["a"], "name": "other", "estimates": False, "cacheEnabled": True}
    )
    assert renamed == dict(first, isNewlyCreated=False)
    assert [index["name"] for index in col.indexes()] == ["primary", "by_a"]


def test_ensure_identity_attributes(col):
    base = col.add_index({"type": "persistent", "fields": ["a", "b"]})
    # Field order, unique and sparse each make a different index.
    for variant in (
        {"fields": ["b", "a"]},
        {"fields": ["a", "b"], "unique": True},
        {"fields": ["a", "b"], "sparse": True},
    ):
        other = col.add_index({"type": "persistent", **variant})
        assert other["isNewlyCreated"] is True
        assert other["id"] != base["id"]
    assert len(col.indexes()) == 5


def test_ensure_with_helper_reports_new_flag(col):
    assert col.add_persistent_index(fields=["n"])["new"] is True
    assert col.add_persistent_index(fields=["n"])["new"] is False


def test_name_clash_is_1005(col):
    col.add_index({"type": "persistent", "fields": ["a"], "name": "taken"})
    with pytest.raises(IndexCreateError) as err:
        col.add_index({"type": "persistent", "fields": ["b"], "name": "taken"})
    assert (err.value.http_code, err.value.error_code) == (400, 1005)
    with pytest.raises(IndexCreateError) as err:
        col.add_index({"type": "persistent", "fields": ["b"], "name": "primary"})
    assert (err.value.http_code, err.value.error_code) == (400, 1005)


def test_ttl(col):
    index = col.add_index({"type": "ttl", "fields": ["expires"], "expireAfter": 3600})
    check_id(index)
    assert {k: v for k, v in index.items() if k not in ("id", "name")} == {
        "type": "ttl",
        "fields": ["expires"],
        "expireAfter": 3600,
        "sparse": True,
        "unique": False,
        "estimates": False,
        "isNewlyCreated": True,
    }
    assert col.add_index({"type": "ttl", "fields": ["expires"], "expireAfter": 3600})["isNewlyCreated"] is False
    with pytest.raises(IndexCreateError) as err:
        col.add_index({"type": "ttl", "fields": ["other"], "expireAfter": 10})
    assert (err.value.http_code, err.value.error_code) == (400, 10)


def test_ttl_helper(col):
    index = col.add_ttl_index(fields=["t"], expiry_time=0, name="expiry")
    assert {k: v for k, v in index.items() if k != "id"} == {
        "fields": ["t"],
        "type": "ttl",
        "name": "expiry",
        "sparse": True,
        "unique": False,
        "new": True,
        "expiry_time": 0,
        "estimates": False,
    }


def test_geo(col):
    index = col.add_index({"type": "geo", "fields": ["loc"]})
    check_id(index)
    assert {k: v for k, v in index.items() if k not in ("id", "name")} == {
        "type": "geo",
        "fields": ["loc"],
        "geoJson": False,
        "legacyPolygons": False,
        "bestIndexedLevel": 17,
        "worstIndexedLevel": 4,
        "maxNumCoverCells": 8,
        "sparse": True,
        "unique": False,
        "isNewlyCreated": True,
    }
    geojson = col.add_index({"type": "geo", "fields": ["shape"], "geoJson": True})
    assert geojson["geoJson"] is True
    pair = col.add_index({"type": "geo", "fields": ["lat", "lon"]})
    assert pair["fields"] == ["lat", "lon"] and pair["geoJson"] is False
    with pytest.raises(IndexCreateError) as err:
        col.add_index({"type": "geo", "fields": ["a", "b", "c"]})
    assert (err.value.http_code, err.value.error_code) == (400, 10)


def test_geo_helper(col):
    index = col.add_geo_index(fields=["loc"], geo_json=True, name="where")
    assert {k: v for k, v in index.items() if k != "id"} == {
        "fields": ["loc"],
        "type": "geo",
        "name": "where",
        "sparse": True,
        "unique": False,
        "geo_json": True,
        "new": True,
        "best_indexed_level": 17,
        "worst_indexed_level": 4,
        "max_num_cover_cells": 8,
        "legacyPolygons": False,
    }


def test_fulltext(col):
    index = col.add_index({"type": "fulltext", "fields": ["text"], "minLength": 3})
    assert {k: v for k, v in index.items() if k not in ("id", "name")} == {
        "type": "fulltext",
        "fields": ["text"],
        "minLength": 3,
        "sparse": True,
        "unique": False,
        "isNewlyCreated": True,
    }
    default = col.add_index({"type": "fulltext", "fields": ["body"]})
    assert default["minLength"] == 2
    with pytest.raises(IndexCreateError) as err:
        col.add_index({"type": "fulltext", "fields": ["a", "b"]})
    assert (err.value.http_code, err.value.error_code) == (400, 10)


def test_mdi(col):
    index = col.add_index({"type": "mdi", "fields": ["x", "y"], "fieldValueTypes": "double"})
    check_id(index)
    expected = {
        "type": "mdi",
        "fields": ["x", "y"],
        "fieldValueTypes": "double",
        "unique": False,
        "sparse": False,
        "estimates": False,
        "isNewlyCreated": True,
    }
    assert expected.items() <= index.items()
    assert "selectivityEstimate" not in index
    assert "prefixFields" not in index
    with pytest.raises(IndexCreateError) as err:
        col.add_index({"type": "mdi", "fields": ["x", "y"], "fieldValueTypes": "integer"})
    assert (err.value.http_code, err.value.error_code) == (400, 10)
    with pytest.raises(IndexCreateError) as err:
        col.add_index({"type": "mdi", "fields": ["x"], "fieldValueTypes": "double", "prefixFields": ["p"]})
    assert (err.value.http_code, err.value.error_code) == (400, 10)


def test_mdi_unique(col):
    index = col.add_index(
        {"type": "mdi", "fields": ["x", "y", "z"], "fieldValueTypes": "double", "unique": True, "name": "mdi_index"}
    )
    assert (index["name"], index["unique"], index["isNewlyCreated"]) == ("mdi_index", True, True)


def test_mdi_prefixed(col):
    index = col.add_index(
        {"type": "mdi-prefixed", "fields": ["from", "to"], "fieldValueTypes": "double", "prefixFields": ["year"]}
    )
    expected = {
        "type": "mdi-prefixed",
        "fields": ["from", "to"],
        "prefixFields": ["year"],
        "fieldValueTypes": "double",
        "unique": False,
        "sparse": False,
        "estimates": True,
        "isNewlyCreated": True,
    }
    assert expected.items() <= index.items()
    assert index["selectivityEstimate"] == 1
    same = col.add_index(
        {"type": "mdi-prefixed", "fields": ["from", "to"], "fieldValueTypes": "double", "prefixFields": ["year"]}
    )
    assert (same["id"], same["isNewlyCreated"]) == (index["id"], False)
    other = col.add_index(
        {"type": "mdi-prefixed", "fields": ["from", "to"], "fieldValueTypes": "double", "prefixFields": ["month"]}
    )
    assert other["isNewlyCreated"] is True


def test_zkd_alias_is_kept(col):
    index = col.add_index({"type": "zkd", "fields": ["x", "y"], "fieldValueTypes": "double"})
    assert index["type"] == "zkd"


def test_inverted(col):
    index = col.add_index(
        {
            "type": "inverted",
            "name": "search",
            "fields": ["title", {"name": "body", "analyzer": "text_en"}],
            "primarySort": {"fields": [{"field": "title", "direction": "asc"}]},
        }
    )
    check_id(index)
    assert index["type"] == "inverted"
    assert index["name"] == "search"
    assert index["isNewlyCreated"] is True
    assert [field["name"] for field in index["fields"]] == ["title", "body"]
    assert index["fields"][1]["analyzer"] == "text_en"
    assert (index["sparse"], index["unique"]) == (True, False)
    assert index["analyzer"] == "identity"
    assert index["includeAllFields"] is False
    assert index["trackListPositions"] is False
    assert index["searchField"] is False
    assert "primarySort" in index
    assert [i["name"] for i in col.indexes()] == ["primary", "search"]


def test_get_index(col):
    created = col.add_index({"type": "persistent", "fields": ["a"], "name": "by_a"})
    by_id = col.get_index(created["id"])
    # get_index formats like indexes(): selectivityEstimate becomes selectivity.
    assert by_id == col.indexes()[1]
    assert by_id["selectivity"] == created["selectivityEstimate"]
    assert col.get_index("0")["type"] == "primary"
    with pytest.raises(IndexGetError) as err:
        col.get_index("bad_index")
    assert (err.value.http_code, err.value.error_code) == (404, 1212)


def test_listing_after_creation(col):
    created = col.add_index({"type": "persistent", "fields": ["a"], "name": "by_a"})
    ttl = col.add_index({"type": "ttl", "fields": ["t"], "expireAfter": 5, "name": "expiry"})
    listed = col.indexes()
    assert [index["name"] for index in listed] == ["primary", "by_a", "expiry"]
    assert listed[1] == {
        "id": created["id"],
        "fields": ["a"],
        "type": "persistent",
        "name": "by_a",
        "deduplicate": True,
        "sparse": False,
        "unique": False,
        "selectivity": 1,
        "cacheEnabled": False,
        "estimates": True,
    }
    assert listed[2]["id"] == ttl["id"]
    assert "selectivity" not in listed[2]


def test_delete_by_id_and_name(col):
    first = col.add_index({"type": "persistent", "fields": ["a"], "name": "by_a"})
    col.add_index({"type": "persistent", "fields": ["b"], "name": "by_b"})
    assert col.delete_index(first["id"]) is True
    assert col.delete_index("by_b") is True
    assert col.indexes() == [PRIMARY]
    with pytest.raises(IndexDeleteError) as err:
        col.delete_index(first["id"])
    assert (err.value.http_code, err.value.error_code) == (404, 1212)
    assert col.delete_index(first["id"], ignore_missing=True) is False


def test_delete_builtin_indexes(db, col):
    with pytest.raises(IndexDeleteError) as err:
        col.delete_index("0")
    assert err.value.error_code in {1212, 11}
    edges = db.create_collection("links", edge=True)
    edge_id = edges.indexes()[1]["id"]
    with pytest.raises(IndexDeleteError) as err:
        edges.delete_index(edge_id)
    assert (err.value.http_code, err.value.error_code) == (403, 11)
    assert len(edges.indexes()) == 2


def test_index_delete_response_raw(db, col, raw):
    created = col.add_index({"type": "persistent", "fields": ["a"]})
    response = raw.api("DELETE", f"/_api/index/items/{created['id']}", database=db.name)
    assert response.status_code == 200
    assert response.json() == {"id": f"items/{created['id']}", "error": False, "code": 200}


def test_index_create_statuses_raw(db, col, raw):
    body = {"type": "persistent", "fields": ["s"]}
    first = raw.api("POST", "/_api/index", database=db.name, params={"collection": "items"}, json=body)
    assert first.status_code == 201
    assert (first.json()["code"], first.json()["error"]) == (201, False)
    assert first.json()["id"].startswith("items/")
    second = raw.api("POST", "/_api/index", database=db.name, params={"collection": "items"}, json=body)
    assert second.status_code == 200
    assert (second.json()["code"], second.json()["isNewlyCreated"]) == (200, False)


def test_index_on_missing_collection(db):
    missing = db.collection("missing")
    with pytest.raises(IndexCreateError) as err:
        missing.add_index({"type": "persistent", "fields": ["a"]})
    assert (err.value.http_code, err.value.error_code) == (404, 1203)
    with pytest.raises(IndexListError) as err:
        missing.indexes()
    assert (err.value.http_code, err.value.error_code) == (404, 1203)


@pytest.mark.parametrize("name", ["1st", " lead", "trail ", "a/b", "x" * 257])
def test_illegal_index_names(col, name):
    with pytest.raises(IndexCreateError) as err:
        col.add_index({"type": "persistent", "fields": ["a"], "name": name})
    assert (err.value.http_code, err.value.error_code) == (400, 1208)


def test_invalid_definitions(col):
    for definition in (
        {"type": "persistent", "fields": []},
        {"type": "persistent", "fields": ["_id"]},
        {"type": "ttl", "fields": ["a", "b"], "expireAfter": 1},
        {"type": "ttl", "fields": ["a"]},
        {"type": "nonsense", "fields": ["a"]},
    ):
        with pytest.raises(IndexCreateError) as err:
            col.add_index(definition)
        assert (err.value.http_code, err.value.error_code) == (400, 10), definition


def test_unique_index_enforced_on_writes(col):
    col.add_index({"type": "persistent", "fields": ["email"], "unique": True, "name": "by_email"})
    col.insert({"_key": "a", "email": "x@example.com"})
    with pytest.raises(DocumentInsertError) as err:
        col.insert({"_key": "b", "email": "x@example.com"})
    assert (err.value.http_code, err.value.error_code) == (409, 1210)
    assert col.count() == 1


def test_unique_index_over_duplicates_fails(col):
    col.insert_many([{"email": "same"}, {"email": "same"}])
    with pytest.raises(IndexCreateError) as err:
        col.add_index({"type": "persistent", "fields": ["email"], "unique": True})
    assert (err.value.http_code, err.value.error_code) == (400, 1210)
    assert col.indexes() == [PRIMARY]
