"""The setup and teardown python-arango's own test suite performs
(tests/conftest.py: pytest_configure / pytest_unconfigure), against the emulator."""

import uuid

import pytest
from arango import ArangoClient
from arango.exceptions import CollectionListError

from conftest import superuser_token


def name(prefix):
    return f"{prefix}_{uuid.uuid4().hex}"


def test_driver_suite_setup(url, sys_db):
    client = ArangoClient(hosts=url)
    admin = client.db("_system", superuser_token=superuser_token(), verify=True)
    assert admin.version() == sys_db.version()

    username, password = name("test_user"), uuid.uuid4().hex
    tst_db_name, bad_db_name = name("test_database"), name("test_database")
    assert admin.create_database(
        name=tst_db_name, users=[{"active": True, "username": username, "password": password}]
    )
    tst_db = client.db(tst_db_name, username, password)
    bad_db = client.db(bad_db_name, username, password)

    col_name = name("test_collection")
    tst_col = tst_db.create_collection(col_name, edge=False)
    assert tst_col.add_index({"type": "skiplist", "fields": ["val"]})["type"] == "skiplist"
    assert tst_col.add_index({"type": "fulltext", "fields": ["text"]})["type"] == "fulltext"
    geo_index = tst_col.add_index({"type": "geo", "fields": ["loc"]})
    assert geo_index["type"] == "geo" and geo_index["fields"] == ["loc"]

    icol_name = name("test_collection")
    tst_db.create_collection(icol_name, edge=True)

    graph_name = name("test_graph")
    ecol_name, fvcol_name, tvcol_name = (name("test_collection") for _ in range(3))
    tst_graph = tst_db.create_graph(graph_name)
    tst_graph.create_vertex_collection(fvcol_name)
    tst_graph.create_vertex_collection(tvcol_name)
    tst_graph.create_edge_definition(
        edge_collection=ecol_name,
        from_vertex_collections=[fvcol_name],
        to_vertex_collections=[tvcol_name],
    )
    assert tst_graph.edge_definitions() == [
        {
            "edge_collection": ecol_name,
            "from_vertex_collections": [fvcol_name],
            "to_vertex_collections": [tvcol_name],
        }
    ]
    # The suite's "bad" database does not exist; its errors are 11 or 1228.
    with pytest.raises(CollectionListError) as err:
        bad_db.collections()
    assert err.value.error_code in {11, 1228}

    teardown(admin)
    assert tst_db_name not in admin.databases()
    client.close()


def teardown(admin):
    """pytest_unconfigure of python-arango's suite, step by step."""
    assert admin.clear_async_jobs() is True
    for task in admin.tasks():
        if task["name"].startswith("test_task"):
            admin.delete_task(task["name"], ignore_missing=True)
    for user in admin.users():
        if user["username"].startswith("test_user"):
            admin.delete_user(user["username"], ignore_missing=True)
    for db_name in admin.databases():
        if db_name.startswith("test_database"):
            admin.delete_database(db_name, ignore_missing=True)
    for collection in admin.collections():
        if collection["name"].startswith("test_collection"):
            admin.delete_collection(collection["name"], ignore_missing=True)


def test_driver_suite_teardown(url, sys_db):
    client = ArangoClient(hosts=url)
    admin = client.db("_system", superuser_token=superuser_token(), verify=True)
    username = name("test_user")
    admin.create_user(username, "pw")
    db_name = name("test_database")
    admin.create_database(db_name)
    col_name = name("test_collection")
    admin.create_collection(col_name)

    assert admin.async_jobs("done") == []
    assert admin.async_jobs("pending") == []
    assert admin.tasks() == []
    assert admin.delete_task(name("test_task"), ignore_missing=True) is False
    teardown(admin)

    assert admin.has_user(username) is False
    assert db_name not in admin.databases()
    assert admin.has_collection(col_name) is False
    client.close()
