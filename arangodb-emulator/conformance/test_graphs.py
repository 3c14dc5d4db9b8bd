"""Named graphs (Gharial) through python-arango (shared/ARANGODB_API.md section 7)."""

import pytest
from arango.exceptions import (
    CollectionDeleteError,
    EdgeDefinitionCreateError,
    EdgeDefinitionDeleteError,
    EdgeDefinitionReplaceError,
    GraphCreateError,
    GraphDeleteError,
    GraphPropertiesError,
    VertexCollectionCreateError,
    VertexCollectionDeleteError,
)


def definition(edge, from_, to):
    return {"edge_collection": edge, "from_vertex_collections": from_, "to_vertex_collections": to}


@pytest.fixture
def graph(db):
    return db.create_graph(
        "social",
        edge_definitions=[definition("knows", ["persons"], ["persons"])],
        orphan_collections=["lonely"],
    )


def test_create_graph(db, graph):
    properties = graph.properties()
    assert set(properties) == {"id", "key", "name", "revision", "orphan_collections", "edge_definitions"}
    assert properties["id"] == "_graphs/social"
    assert properties["key"] == "social"
    assert properties["name"] == "social"
    assert isinstance(properties["revision"], str) and properties["revision"]
    assert properties["orphan_collections"] == ["lonely"]
    assert properties["edge_definitions"] == [definition("knows", ["persons"], ["persons"])]
    # Missing collections are created, edge collections as edge type.
    types = {c["name"]: c["type"] for c in db.collections()}
    assert (types["knows"], types["persons"], types["lonely"]) == ("edge", "document", "document")
    assert db.has_graph("social") is True
    assert db.has_graph("antisocial") is False


def test_graph_stored_in_graphs_collection(db, graph):
    stored = db.collection("_graphs").get("social")
    assert stored["_id"] == "_graphs/social"
    assert stored["edgeDefinitions"] == [{"collection": "knows", "from": ["persons"], "to": ["persons"]}]


def test_list_graphs(db, graph):
    db.create_graph("empty")
    graphs = sorted(db.graphs(), key=lambda g: g["name"])
    assert [g["name"] for g in graphs] == ["empty", "social"]
    social = graphs[1]
    assert social["id"] == "_graphs/social"
    assert social["orphan_collections"] == ["lonely"]
    assert social["edge_definitions"] == [definition("knows", ["persons"], ["persons"])]
    assert graphs[0]["edge_definitions"] == [] and graphs[0]["orphan_collections"] == []


def test_from_to_are_sorted(db):
    graph = db.create_graph("zoo", edge_definitions=[definition("eats", ["male", "female", "animal"], ["plant", "fish"])])
    assert graph.edge_definitions() == [definition("eats", ["animal", "female", "male"], ["fish", "plant"])]
    assert graph.vertex_collections() == ["animal", "female", "fish", "male", "plant"]


def test_create_with_existing_collections(db):
    db.create_collection("people")
    db.create_collection("rel", edge=True)
    graph = db.create_graph("g", edge_definitions=[definition("rel", ["people"], ["people"])])
    assert graph.edge_collections() == ["rel"]


def test_duplicate_graph(db, graph):
    with pytest.raises(GraphCreateError) as err:
        db.create_graph("social")
    assert (err.value.http_code, err.value.error_code) == (409, 1925)


def test_missing_graph(db):
    with pytest.raises(GraphPropertiesError) as err:
        db.graph("nope").properties()
    assert (err.value.http_code, err.value.error_code) == (404, 1924)
    with pytest.raises(GraphDeleteError) as err:
        db.delete_graph("nope")
    assert (err.value.http_code, err.value.error_code) == (404, 1924)
    assert db.delete_graph("nope", ignore_missing=True) is False


def test_edge_collection_used_differently_in_two_graphs(db, graph):
    with pytest.raises(GraphCreateError) as err:
        db.create_graph("other", edge_definitions=[definition("knows", ["cities"], ["cities"])])
    assert err.value.error_code == 1921


def test_add_edge_definition(db, graph):
    graph.create_edge_definition("works_in", ["persons"], ["cities"])
    assert graph.edge_definitions() == [
        definition("knows", ["persons"], ["persons"]),
        definition("works_in", ["persons"], ["cities"]),
    ]
    assert graph.edge_collections() == ["knows", "works_in"]
    assert graph.vertex_collections() == ["cities", "lonely", "persons"]
    assert db.collection("works_in").properties()["edge"] is True


def test_add_edge_definition_twice(graph):
    with pytest.raises(EdgeDefinitionCreateError) as err:
        graph.create_edge_definition("knows", ["persons"], ["persons"])
    assert err.value.error_code == 1920


def test_add_edge_definition_with_orphan_removes_orphan(graph):
    graph.create_edge_definition("visits", ["persons"], ["lonely"])
    assert graph.properties()["orphan_collections"] == []


def test_replace_edge_definition(graph):
    graph.replace_edge_definition("knows", ["persons"], ["robots"])
    assert graph.edge_definitions() == [definition("knows", ["persons"], ["robots"])]
    assert graph.vertex_collections() == ["lonely", "persons", "robots"]


def test_replace_edge_definition_leaves_orphans(graph):
    graph.create_edge_definition("works_in", ["persons"], ["cities"])
    graph.replace_edge_definition("works_in", ["persons"], ["persons"])
    assert sorted(graph.properties()["orphan_collections"]) == ["cities", "lonely"]


def test_replace_missing_edge_definition(graph):
    with pytest.raises(EdgeDefinitionReplaceError) as err:
        graph.replace_edge_definition("unknown", ["persons"], ["persons"])
    assert (err.value.http_code, err.value.error_code) == (404, 1930)


def test_delete_edge_definition(db, graph):
    graph.create_edge_definition("works_in", ["persons"], ["cities"])
    assert graph.delete_edge_definition("works_in") is True
    assert graph.edge_collections() == ["knows"]
    # Its vertex collection is an orphan now; the edge collection stays.
    assert sorted(graph.properties()["orphan_collections"]) == ["cities", "lonely"]
    assert db.has_collection("works_in") is True
    with pytest.raises(EdgeDefinitionDeleteError) as err:
        graph.delete_edge_definition("works_in")
    assert (err.value.http_code, err.value.error_code) == (404, 1930)


def test_delete_edge_definition_and_collection(db, graph):
    graph.create_edge_definition("works_in", ["persons"], ["cities"])
    assert graph.delete_edge_definition("works_in", purge=True) is True
    assert db.has_collection("works_in") is False


def test_vertex_collections(db, graph):
    graph.create_vertex_collection("extra")
    assert graph.vertex_collections() == ["extra", "lonely", "persons"]
    assert sorted(graph.properties()["orphan_collections"]) == ["extra", "lonely"]
    assert db.has_collection("extra") is True
    assert graph.delete_vertex_collection("extra") is True
    assert graph.vertex_collections() == ["lonely", "persons"]
    assert db.has_collection("extra") is True
    assert graph.delete_vertex_collection("lonely", purge=True) is True
    assert db.has_collection("lonely") is False
    assert graph.properties()["orphan_collections"] == []


def test_vertex_collection_errors(graph):
    with pytest.raises(VertexCollectionCreateError) as err:
        graph.create_vertex_collection("lonely")
    assert err.value.error_code == 1938
    with pytest.raises(VertexCollectionCreateError) as err:
        graph.create_vertex_collection("persons")
    assert err.value.error_code == 1929
    with pytest.raises(VertexCollectionDeleteError) as err:
        graph.delete_vertex_collection("persons")
    assert (err.value.http_code, err.value.error_code) == (400, 1928)


def test_collections_in_graphs_cannot_be_dropped(db, graph):
    for name in ("knows", "persons", "lonely"):
        with pytest.raises(CollectionDeleteError) as err:
            db.delete_collection(name)
        assert err.value.error_code == 1942
        assert db.has_collection(name) is True


def test_delete_graph_keeps_collections(db, graph):
    assert db.delete_graph("social") is True
    assert db.has_graph("social") is False
    assert all(db.has_collection(name) for name in ("knows", "persons", "lonely"))
    assert db.delete_collection("knows") is True


def test_delete_graph_with_collections(db, graph):
    assert db.delete_graph("social", drop_collections=True) is True
    assert db.graphs() == []
    assert not any(db.has_collection(name) for name in ("knows", "persons", "lonely"))


def test_delete_graph_with_collections_spares_shared(db, graph):
    db.create_graph("second", orphan_collections=["persons"])
    assert db.delete_graph("social", drop_collections=True) is True
    assert db.has_collection("persons") is True
    assert db.has_collection("knows") is False


def test_rename_updates_graph(db, graph):
    db.collection("lonely").rename("alone")
    assert graph.properties()["orphan_collections"] == ["alone"]


def test_graph_response_raw(db, raw):
    response = raw.api(
        "POST",
        "/_api/gharial",
        database=db.name,
        json={"name": "rawg", "edgeDefinitions": [{"collection": "e", "from": ["v"], "to": ["v"]}]},
    )
    assert response.status_code == 202
    body = response.json()
    assert (body["error"], body["code"]) == (False, 202)
    assert set(body["graph"]) >= {"_key", "_id", "_rev", "name", "edgeDefinitions", "orphanCollections"}
    synced = raw.api("POST", "/_api/gharial", database=db.name, params={"waitForSync": "true"}, json={"name": "rawg2"})
    assert synced.status_code == 201
    dropped = raw.api("DELETE", "/_api/gharial/rawg", database=db.name)
    assert dropped.status_code == 202
    assert dropped.json() == {"error": False, "code": 202, "removed": True}
