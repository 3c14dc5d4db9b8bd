"""Document reads and writes through python-arango."""

import re

import pytest
from arango.exceptions import (
    DocumentDeleteError,
    DocumentGetError,
    DocumentInsertError,
    DocumentReplaceError,
    DocumentRevisionError,
    DocumentUpdateError,
)

REV = re.compile(r"_[A-Za-z0-9_-]{9,}")


@pytest.fixture
def col(db):
    return db.create_collection("docs")


def test_insert_returns_handle(col):
    result = col.insert({"_key": "a", "v": 1})
    assert set(result) == {"_id", "_key", "_rev"}
    assert (result["_id"], result["_key"]) == ("docs/a", "a")
    assert REV.fullmatch(result["_rev"])


def test_insert_generated_key_and_return_new(col):
    result = col.insert({"v": 1}, return_new=True)
    assert set(result) == {"_id", "_key", "_rev", "new"}
    assert result["new"] == {"_id": result["_id"], "_key": result["_key"], "_rev": result["_rev"], "v": 1}
    assert result["_key"].isdigit()


def test_insert_silent(col):
    assert col.insert({"_key": "s"}, silent=True) is True
    assert col.has("s") is True


def test_insert_ignores_given_rev_and_id(col):
    result = col.insert({"_key": "k", "_rev": "bogus", "_id": "docs/k"})
    assert result["_rev"] != "bogus"


def test_insert_many(col):
    results = col.insert_many([{"_key": "1"}, {"_key": "2", "v": 2}])
    assert [r["_id"] for r in results] == ["docs/1", "docs/2"]
    assert col.count() == 2


def test_insert_many_with_errors(col):
    col.insert({"_key": "dup"})
    results = col.insert_many([{"_key": "new"}, {"_key": "dup"}, {"_key": "bad key"}])
    assert results[0]["_key"] == "new"
    assert isinstance(results[1], DocumentInsertError)
    assert results[1].error_code == 1210
    assert isinstance(results[2], DocumentInsertError)
    assert results[2].error_code == 1221
    with pytest.raises(DocumentInsertError) as err:
        col.insert_many([{"_key": "dup"}], raise_on_document_error=True)
    assert err.value.error_code == 1210


def test_get_variants(col):
    meta = col.insert({"_key": "g", "v": 1})
    document = col.get("g")
    assert document == {"_key": "g", "_id": "docs/g", "_rev": meta["_rev"], "v": 1}
    assert col.get("docs/g") == document
    assert col.get({"_key": "g"}) == document
    assert col["g"] == document
    assert col.get("missing") is None
    assert col.get("g", rev=meta["_rev"]) == document


def test_get_with_wrong_revision(col):
    col.insert({"_key": "g"})
    with pytest.raises(DocumentRevisionError) as err:
        col.get("g", rev="_aaaaaaaaaa")
    assert (err.value.http_code, err.value.error_code) == (412, 1200)


def test_get_from_missing_collection(db):
    with pytest.raises(DocumentGetError) as err:
        db.collection("nowhere").get("x")
    assert (err.value.http_code, err.value.error_code) == (404, 1203)


def test_has(col):
    meta = col.insert({"_key": "h"})
    assert col.has("h") is True
    assert col.has("docs/h") is True
    assert col.has("nope") is False
    assert "h" in col
    assert col.has("h", rev=meta["_rev"]) is True
    with pytest.raises(DocumentRevisionError) as err:
        col.has("h", rev="_aaaaaaaaaa")
    assert err.value.http_code == 412


def test_update(col):
    first = col.insert({"_key": "u", "a": 1, "nested": {"x": 1}, "gone": 1})
    result = col.update({"_key": "u", "b": 2, "nested": {"y": 2}})
    assert set(result) == {"_id", "_key", "_rev", "_old_rev"}
    assert result["_old_rev"] == first["_rev"]
    assert result["_rev"] != first["_rev"]
    assert col.get("u") == {
        "_key": "u",
        "_id": "docs/u",
        "_rev": result["_rev"],
        "a": 1,
        "nested": {"x": 1, "y": 2},
        "gone": 1,
        "b": 2,
    }
    col.update({"_key": "u", "nested": {"z": 3}, "gone": None}, merge=False, keep_none=False)
    document = col.get("u")
    assert document["nested"] == {"z": 3}
    assert "gone" not in document


def test_update_return_old_and_new(col):
    col.insert({"_key": "u", "a": 1})
    result = col.update({"_key": "u", "a": 2}, return_old=True, return_new=True)
    assert result["old"]["a"] == 1
    assert result["new"]["a"] == 2


def test_replace(col):
    first = col.insert({"_key": "r", "a": 1})
    result = col.replace({"_key": "r", "b": 2})
    assert result["_old_rev"] == first["_rev"]
    assert col.get("r") == {"_key": "r", "_id": "docs/r", "_rev": result["_rev"], "b": 2}


def test_revision_conflicts(col):
    first = col.insert({"_key": "c", "a": 1})
    current = col.update({"_key": "c", "a": 2})["_rev"]
    stale = {"_key": "c", "_rev": first["_rev"], "a": 3}
    with pytest.raises(DocumentRevisionError) as err:
        col.update(stale)
    assert (err.value.http_code, err.value.error_code) == (412, 1200)
    assert err.value.error_message == "conflict, _rev values do not match"
    body = err.value.response.body
    assert (body["_id"], body["_key"], body["_rev"]) == ("docs/c", "c", current)
    with pytest.raises(DocumentRevisionError) as err:
        col.replace(stale)
    assert (err.value.http_code, err.value.error_code) == (412, 1200)
    with pytest.raises(DocumentRevisionError) as err:
        col.delete(stale)
    assert (err.value.http_code, err.value.error_code) == (412, 1200)
    assert col.get("c")["a"] == 2
    # check_rev=False ignores the stale revision.
    assert col.update(stale, check_rev=False)["_old_rev"] == current


def test_delete(col):
    meta = col.insert({"_key": "d"})
    result = col.delete("d")
    assert result == {"_id": "docs/d", "_key": "d", "_rev": meta["_rev"]}
    assert col.has("d") is False
    with pytest.raises(DocumentDeleteError) as err:
        col.delete("d")
    assert (err.value.http_code, err.value.error_code) == (404, 1202)
    assert col.delete("d", ignore_missing=True) is False


def test_delete_return_old(col):
    col.insert({"_key": "d", "v": 7})
    assert col.delete("d", return_old=True)["old"]["v"] == 7


def test_update_missing(col):
    with pytest.raises(DocumentUpdateError) as err:
        col.update({"_key": "missing", "a": 1})
    assert (err.value.http_code, err.value.error_code) == (404, 1202)
    with pytest.raises(DocumentReplaceError) as err:
        col.replace({"_key": "missing", "a": 1})
    assert (err.value.http_code, err.value.error_code) == (404, 1202)


def test_unique_key(col):
    col.insert({"_key": "once"})
    with pytest.raises(DocumentInsertError) as err:
        col.insert({"_key": "once"})
    assert (err.value.http_code, err.value.error_code) == (409, 1210)
    assert err.value.error_message == (
        "unique constraint violated - in index primary of type primary over '_key'; conflicting key: once"
    )


def test_overwrite_modes(col):
    first = col.insert({"_key": "o", "a": 1, "keep": True})
    replaced = col.insert({"_key": "o", "a": 2}, overwrite_mode="replace")
    assert replaced["_old_rev"] == first["_rev"]
    assert col.get("o") == {"_key": "o", "_id": "docs/o", "_rev": replaced["_rev"], "a": 2}
    updated = col.insert({"_key": "o", "b": 3}, overwrite_mode="update", return_old=True)
    assert updated["_old_rev"] == replaced["_rev"]
    assert updated["old"]["a"] == 2
    assert col.get("o")["a"] == 2 and col.get("o")["b"] == 3
    ignored = col.insert({"_key": "o", "a": 99}, overwrite_mode="ignore")
    assert ignored["_rev"] == updated["_rev"]
    assert col.get("o")["a"] == 2
    with pytest.raises(DocumentInsertError) as err:
        col.insert({"_key": "o"}, overwrite_mode="conflict")
    assert err.value.error_code == 1210
    legacy = col.insert({"_key": "o", "z": 1}, overwrite=True)
    assert "_old_rev" in legacy
    assert col.get("o") == {"_key": "o", "_id": "docs/o", "_rev": legacy["_rev"], "z": 1}


def test_overwrite_update_keep_null(col):
    col.insert({"_key": "k", "a": 1, "b": 2})
    col.insert({"_key": "k", "a": None}, overwrite_mode="update", keep_none=False)
    assert "a" not in col.get("k")


@pytest.mark.parametrize("key", ["has space", "a/b", "", "x" * 255, "ü"])
def test_bad_keys(col, key):
    with pytest.raises(DocumentInsertError) as err:
        col.insert({"_key": key})
    assert (err.value.http_code, err.value.error_code) == (400, 1221)


def test_allowed_key_punctuation(col):
    key = "a_-.@()+,=;$!*'%:"
    assert col.insert({"_key": key})["_key"] == key
    assert col.get(key)["_key"] == key


def test_edges(db):
    db.create_collection("v")
    edges = db.create_collection("e", edge=True)
    result = edges.insert({"_key": "e1", "_from": "v/a", "_to": "v/b"})
    assert result["_id"] == "e/e1"
    with pytest.raises(DocumentInsertError) as err:
        edges.insert({"_from": "v/a"})
    assert (err.value.http_code, err.value.error_code) == (400, 1233)
    with pytest.raises(DocumentInsertError) as err:
        edges.insert({"_from": "nohandle", "_to": "v/b"})
    assert (err.value.http_code, err.value.error_code) == (400, 1233)
    # A replace keeps the endpoints when the body does not name new ones.
    edges.replace({"_key": "e1", "w": 1})
    assert (edges.get("e1")["_from"], edges.get("e1")["_to"]) == ("v/a", "v/b")


def test_database_level_document_api(db, col):
    db.insert_document("docs", {"_key": "x", "v": 1})
    assert db.document("docs/x")["v"] == 1
    assert db.has_document("docs/x") is True
    db.update_document({"_id": "docs/x", "v": 2})
    assert db.document("docs/x")["v"] == 2
    db.delete_document("docs/x")
    assert db.has_document("docs/x") is False


def test_write_status_codes_raw(db, raw):
    db.create_collection("plain")
    db.create_collection("synced", sync=True)
    created = raw.api("POST", "/_api/document/plain", database=db.name, json={"_key": "a"})
    assert created.status_code == 202
    assert created.headers["etag"] == f'"{created.json()["_rev"]}"'
    assert created.headers["location"] == f"/_db/{db.name}/_api/document/plain/a"
    synced = raw.api("POST", "/_api/document/synced", database=db.name, json={"_key": "a"})
    assert synced.status_code == 201
    forced = raw.api("POST", "/_api/document/plain", database=db.name, params={"waitForSync": "true"}, json={})
    assert forced.status_code == 201
    removed = raw.api("DELETE", "/_api/document/synced/a", database=db.name)
    assert removed.status_code == 200
    removed = raw.api("DELETE", "/_api/document/plain/a", database=db.name)
    assert removed.status_code == 202


def test_if_none_match_raw(db, raw):
    db.create_collection("cached")
    rev = raw.api("POST", "/_api/document/cached", database=db.name, json={"_key": "a"}).json()["_rev"]
    response = raw.api("GET", "/_api/document/cached/a", database=db.name, headers={"If-None-Match": f'"{rev}"'})
    assert response.status_code == 304
    response = raw.api("GET", "/_api/document/cached/a", database=db.name, headers={"If-None-Match": '"other"'})
    assert response.status_code == 200


def test_count_and_truncate_with_documents(col):
    col.insert_many([{} for _ in range(10)])
    assert col.count() == 10
    col.truncate()
    assert col.count() == 0
