"""Database management through python-arango."""

import pytest
from arango.exceptions import (
    CollectionListError,
    DatabaseCreateError,
    DatabaseDeleteError,
    DatabaseListError,
    DatabasePropertiesError,
)

from conftest import ROOT_PASSWORD, unique


def test_create_list_delete(sys_db):
    name = unique("test_database")
    assert sys_db.has_database(name) is False
    assert sys_db.create_database(name) is True
    assert sys_db.has_database(name) is True
    assert name in sys_db.databases()
    assert "_system" in sys_db.databases()
    assert sys_db.delete_database(name) is True
    assert name not in sys_db.databases()


def test_new_database_has_system_collections(db):
    system = sorted(c["name"] for c in db.collections() if c["system"])
    assert system == [
        "_analyzers",
        "_appbundles",
        "_apps",
        "_aqlfunctions",
        "_frontend",
        "_graphs",
        "_jobs",
        "_queues",
    ]
    assert [c for c in db.collections() if not c["system"]] == []


def test_duplicate_database(sys_db, db):
    with pytest.raises(DatabaseCreateError) as err:
        sys_db.create_database(db.name)
    assert (err.value.http_code, err.value.error_code) == (409, 1207)


def test_duplicate_system_database(sys_db):
    with pytest.raises(DatabaseCreateError) as err:
        sys_db.create_database("_system")
    assert err.value.error_code in {1207, 1208, 1229}


@pytest.mark.parametrize("name", ["1abc", "_private", "a/b", "", "x" * 129, "trailing "])
def test_invalid_database_names(sys_db, name):
    with pytest.raises(DatabaseCreateError) as err:
        sys_db.create_database(name)
    assert err.value.http_code == 400
    assert err.value.error_code in {1208, 1229}


def test_non_nfc_database_name(sys_db):
    with pytest.raises(DatabaseCreateError) as err:
        sys_db.create_database("cafe\u0301")
    assert err.value.http_code == 400
    assert err.value.error_code in {1208, 1229}


@pytest.mark.parametrize("name", ["abc123", "maçã", "mötör", "😀", "かわいい犬"])
def test_extended_database_names(client, sys_db, name):
    assert sys_db.create_database(name) is True
    try:
        assert name in sys_db.databases()
        db = client.db(name, username="root", password=ROOT_PASSWORD, verify=True)
        assert db.properties()["name"] == name
        collection = db.create_collection("😀")
        assert collection.insert({"_key": "k"})["_id"] == "😀/k"
        assert db.has_collection("😀") is True
    finally:
        assert sys_db.delete_database(name) is True


def test_delete_missing_database(sys_db):
    name = unique("test_database")
    with pytest.raises(DatabaseDeleteError) as err:
        sys_db.delete_database(name)
    assert (err.value.http_code, err.value.error_code) == (404, 1228)
    assert sys_db.delete_database(name, ignore_missing=True) is False


def test_delete_system_database_forbidden(sys_db):
    with pytest.raises(DatabaseDeleteError) as err:
        sys_db.delete_database("_system")
    assert (err.value.http_code, err.value.error_code) == (403, 11)
    assert "_system" in sys_db.databases()


def test_management_only_from_system(db):
    with pytest.raises(DatabaseListError) as err:
        db.databases()
    assert (err.value.http_code, err.value.error_code) == (403, 1230)
    with pytest.raises(DatabaseCreateError) as err:
        db.create_database(unique("test_database"))
    assert (err.value.http_code, err.value.error_code) == (403, 1230)
    with pytest.raises(DatabaseDeleteError) as err:
        db.delete_database(db.name)
    assert (err.value.http_code, err.value.error_code) == (403, 1230)


def test_properties_of_system(sys_db):
    assert sys_db.properties() == {"id": "1", "name": "_system", "path": "none", "system": True}


def test_properties_of_user_database(db):
    properties = db.properties()
    assert set(properties) == {"id", "name", "path", "system"}
    assert properties["name"] == db.name
    assert properties["system"] is False
    assert properties["path"] == "none"
    assert properties["id"].isdigit() and properties["id"] != "1"


def test_properties_of_missing_database(client):
    db = client.db(unique("missing"), username="root", password=ROOT_PASSWORD)
    with pytest.raises(DatabasePropertiesError) as err:
        db.properties()
    assert (err.value.http_code, err.value.error_code) == (404, 1228)


def test_create_with_users(client, sys_db):
    name = unique("test_database")
    user = unique("test_user")
    assert sys_db.create_database(
        name, users=[{"username": user, "password": "pw", "active": True, "extra": {"team": "ml"}}]
    ) is True
    try:
        assert sys_db.user(user) == {"username": user, "active": True, "extra": {"team": "ml"}}
        assert sys_db.permission(user, name) == "rw"
        # The new user gets no access to other databases.
        assert sys_db.permission(user, "_system") == "none"
        db = client.db(name, username=user, password="pw", verify=True)
        assert db.databases_accessible_to_user() == [name]
        assert db.create_collection("mine").name == "mine"
    finally:
        sys_db.delete_database(name)
        sys_db.delete_user(user)


def test_create_with_existing_user_keeps_password(client, sys_db, make_user):
    user, password = make_user()
    name = unique("test_database")
    sys_db.create_database(name, users=[{"username": user, "password": "ignored"}])
    try:
        assert sys_db.permission(user, name) == "rw"
        db = client.db(name, username=user, password=password, verify=True)
        assert db.has_collection("_graphs") is True
    finally:
        sys_db.delete_database(name)


def test_databases_accessible_to_root(sys_db, db):
    accessible = sys_db.databases_accessible_to_user()
    assert "_system" in accessible and db.name in accessible


def test_dropped_database_is_gone_for_clients(client, sys_db):
    name = unique("test_database")
    sys_db.create_database(name)
    db = client.db(name, username="root", password=ROOT_PASSWORD)
    db.create_collection("c")
    sys_db.delete_database(name)
    with pytest.raises(CollectionListError) as err:
        db.collections()
    assert (err.value.http_code, err.value.error_code) == (404, 1228)
