"""Users and permissions; what a read-only user may and may not do."""

import pytest
from arango.exceptions import (
    AQLFunctionCreateError,
    AQLFunctionDeleteError,
    CollectionConfigureError,
    CollectionCreateError,
    CollectionDeleteError,
    CollectionListError,
    CollectionPropertiesError,
    CollectionRenameError,
    CollectionTruncateError,
    DocumentDeleteError,
    DocumentInsertError,
    GraphCreateError,
    IndexCreateError,
    IndexDeleteError,
    UserCreateError,
    UserDeleteError,
    UserGetError,
)

from conftest import unique


def test_create_get_list_delete(sys_db):
    name = unique("test_user")
    created = sys_db.create_user(name, "pw", active=True, extra={"team": "ml"})
    assert created == {"username": name, "active": True, "extra": {"team": "ml"}}
    assert sys_db.has_user(name) is True
    assert sys_db.user(name) == created
    assert created in sys_db.users()
    assert {"username": "root", "active": True, "extra": {}} in sys_db.users()
    assert sys_db.delete_user(name) is True
    assert sys_db.has_user(name) is False


def test_create_defaults(sys_db, make_user):
    name = unique("test_user")
    try:
        assert sys_db.create_user(name) == {"username": name, "active": True, "extra": {}}
    finally:
        sys_db.delete_user(name)


def test_duplicate_user(sys_db, make_user):
    name, _ = make_user()
    with pytest.raises(UserCreateError) as err:
        sys_db.create_user(name, "pw")
    assert (err.value.http_code, err.value.error_code) == (409, 1702)


def test_missing_user(sys_db):
    name = unique("test_user")
    with pytest.raises(UserGetError) as err:
        sys_db.user(name)
    assert (err.value.http_code, err.value.error_code) == (404, 1703)
    with pytest.raises(UserDeleteError) as err:
        sys_db.delete_user(name)
    assert (err.value.http_code, err.value.error_code) == (404, 1703)
    assert sys_db.delete_user(name, ignore_missing=True) is False


def test_update_and_replace_user(client, sys_db, make_user, db):
    name, _ = make_user()
    sys_db.update_permission(name, "rw", db.name)
    assert sys_db.update_user(name, extra={"a": 1}) == {"username": name, "active": True, "extra": {"a": 1}}
    # PATCH leaves what it does not name alone.
    assert sys_db.update_user(name, active=True)["extra"] == {"a": 1}
    assert sys_db.replace_user(name, "newpw", extra={"c": 3}) == {
        "username": name,
        "active": True,
        "extra": {"c": 3},
    }
    assert client.db(db.name, name, "newpw", verify=True).has_collection("_graphs") is True
    sys_db.update_user(name, active=False)
    with pytest.raises(CollectionListError) as err:
        client.db(db.name, name, "newpw").collections()
    assert (err.value.http_code, err.value.error_code) == (401, 11)


def test_database_permissions(sys_db, make_user, db):
    name, _ = make_user()
    assert sys_db.permission(name, db.name) == "none"
    assert sys_db.update_permission(name, "ro", db.name) is True
    assert sys_db.permission(name, db.name) == "ro"
    assert sys_db.update_permission(name, "rw", db.name) is True
    assert sys_db.permission(name, db.name) == "rw"
    # Collection access falls back to the database level, also for collections
    # that do not exist yet.
    assert sys_db.permission(name, db.name, "not_there") == "rw"
    assert sys_db.permissions(name)[db.name]["permission"] == "rw"
    assert sys_db.reset_permission(name, db.name) is True
    assert sys_db.permission(name, db.name) == "none"


def test_collection_permissions(client, sys_db, make_user, db):
    name, password = make_user()
    db.create_collection("open")
    db.create_collection("locked")
    db.create_collection("readonly")
    sys_db.update_permission(name, "rw", db.name)
    sys_db.update_permission(name, "none", db.name, "locked")
    sys_db.update_permission(name, "ro", db.name, "readonly")
    assert sys_db.permission(name, db.name, "locked") == "none"
    assert sys_db.permission(name, db.name, "readonly") == "ro"
    assert sys_db.permissions(name)[db.name]["collections"]["readonly"] == "ro"

    user_db = client.db(db.name, name, password)
    assert user_db.collection("open").insert({"_key": "a"})["_key"] == "a"

    user_db.collection("readonly").properties()
    with pytest.raises(DocumentInsertError) as err:
        user_db.collection("readonly").insert({})
    assert (err.value.http_code, err.value.error_code) == (403, 11)

    with pytest.raises(CollectionPropertiesError) as err:
        user_db.collection("locked").properties()
    assert (err.value.http_code, err.value.error_code) == (403, 11)
    with pytest.raises(DocumentInsertError) as err:
        user_db.collection("locked").insert({})
    assert (err.value.http_code, err.value.error_code) == (403, 11)

    assert sys_db.reset_permission(name, db.name, "locked") is True
    assert sys_db.permission(name, db.name, "locked") == "rw"
    assert user_db.collection("locked").insert({})["_id"].startswith("locked/")


def test_no_database_access_is_401(client, sys_db, make_user, db):
    name, password = make_user()
    user_db = client.db(db.name, name, password)
    with pytest.raises(CollectionListError) as err:
        user_db.collections()
    assert (err.value.http_code, err.value.error_code) == (401, 11)


@pytest.fixture
def readonly(client, sys_db, make_user, db):
    """A database with some content, and a handle on it for a read-only user."""
    db.create_collection("items").insert({"_key": "one"})
    db.collection("items").add_index({"type": "persistent", "fields": ["x"], "name": "by_x"})
    db.aql.create_function("ro::fn", "function () { return 1; }")
    name, password = make_user()
    sys_db.update_permission(name, "ro", db.name)
    return client.db(db.name, name, password)


def test_readonly_user_can_read(readonly):
    names = [c["name"] for c in readonly.collections()]
    assert "items" in names
    items = readonly.collection("items")
    assert items.properties()["name"] == "items"
    assert items.count() == 1
    assert items.get("one")["_key"] == "one"
    assert [index["name"] for index in items.indexes()] == ["primary", "by_x"]
    assert [f["name"] for f in readonly.aql.functions()] == ["ro::fn"]
    assert readonly.aql.validate("FOR i IN items RETURN i")["parsed"] is True


def test_readonly_user_can_list_graphs(readonly):
    assert readonly.graphs() == []


def forbidden(err):
    return (err.value.http_code, err.value.error_code) == (403, 11)


def test_readonly_user_cannot_write(readonly):
    items = readonly.collection("items")
    with pytest.raises(CollectionCreateError) as err:
        readonly.create_collection("new_one")
    assert forbidden(err)
    with pytest.raises(DocumentInsertError) as err:
        items.insert({"x": 1})
    assert forbidden(err)
    with pytest.raises(DocumentDeleteError) as err:
        items.delete("one")
    assert forbidden(err)
    with pytest.raises(IndexCreateError) as err:
        items.add_index({"type": "persistent", "fields": ["y"]})
    assert forbidden(err)
    with pytest.raises(IndexDeleteError) as err:
        items.delete_index("by_x")
    assert forbidden(err)
    with pytest.raises(AQLFunctionCreateError) as err:
        readonly.aql.create_function("ro::other", "function () { return 2; }")
    assert forbidden(err)
    with pytest.raises(AQLFunctionDeleteError) as err:
        readonly.aql.delete_function("ro::fn")
    assert forbidden(err)
    with pytest.raises(CollectionConfigureError) as err:
        items.configure(sync=True)
    assert forbidden(err)
    with pytest.raises(CollectionTruncateError) as err:
        items.truncate()
    assert forbidden(err)
    with pytest.raises(CollectionRenameError) as err:
        items.rename("renamed")
    assert forbidden(err)
    with pytest.raises(CollectionDeleteError) as err:
        readonly.delete_collection("items")
    assert forbidden(err)
    with pytest.raises(GraphCreateError) as err:
        readonly.create_graph("g")
    assert forbidden(err)
    # Nothing changed.
    assert items.count() == 1
    assert items.properties()["sync"] is False


def test_user_management_needs_system_admin(client, sys_db, make_user, db):
    name, password = make_user()
    sys_db.update_permission(name, "rw", db.name)
    sys_db.update_permission(name, "ro", "_system")
    user_sys = client.db("_system", name, password)
    with pytest.raises(UserCreateError) as err:
        user_sys.create_user(unique("test_user"), "pw")
    assert forbidden(err)
    # Users may read their own record.
    assert user_sys.user(name)["username"] == name
