"""Collection schemas: storage, levels, and documents rejected with 1620."""

import pytest
from arango.exceptions import (
    CollectionConfigureError,
    CollectionCreateError,
    DocumentInsertError,
    DocumentReplaceError,
    DocumentUpdateError,
)

RULE = {
    "type": "object",
    "properties": {"email": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
    "required": ["email"],
}


def make(db, level=None, message="users need an email"):
    schema = {"rule": RULE, "message": message}
    if level is not None:
        schema["level"] = level
    return db.create_collection(f"users_{level or 'default'}", schema=schema)


def test_stored_form(db):
    collection = make(db)
    assert collection.properties()["schema"] == {
        "rule": RULE,
        "level": "strict",
        "message": "users need an email",
        "type": "json",
    }


def test_stored_form_without_message(db):
    collection = db.create_collection("bare", schema={"rule": {"type": "object"}})
    assert collection.properties()["schema"] == {
        "rule": {"type": "object"},
        "level": "strict",
        "message": "",
        "type": "json",
    }


def test_violation_is_1620_with_message(db):
    collection = make(db)
    with pytest.raises(DocumentInsertError) as err:
        collection.insert({"name": "no email"})
    assert err.value.http_code == 400
    assert err.value.error_code == 1620
    assert err.value.error_message == "users need an email"
    with pytest.raises(DocumentInsertError) as err:
        collection.insert({"email": "a@b", "age": -1})
    assert err.value.error_code == 1620
    assert collection.count() == 0
    assert collection.insert({"_key": "ok", "email": "a@b", "age": 3})["_key"] == "ok"


def test_violation_in_batch_is_per_document(db):
    collection = make(db)
    results = collection.insert_many([{"email": "a"}, {"nope": 1}, {"email": "b"}])
    assert isinstance(results[0], dict) and isinstance(results[2], dict)
    assert isinstance(results[1], DocumentInsertError)
    assert results[1].error_code == 1620
    assert results[1].error_message == "users need an email"
    assert collection.count() == 2


def test_system_attributes_are_not_validated(db):
    collection = db.create_collection(
        "closed",
        schema={"rule": {"type": "object", "properties": {"a": {}}, "additionalProperties": False}},
    )
    assert collection.insert({"_key": "k", "a": 1})["_key"] == "k"
    with pytest.raises(DocumentInsertError) as err:
        collection.insert({"a": 1, "b": 2})
    assert err.value.error_code == 1620


def test_strict_checks_updates(db):
    collection = make(db, "strict")
    collection.insert({"_key": "u", "email": "a@b"})
    with pytest.raises(DocumentUpdateError) as err:
        collection.update({"_key": "u", "email": 5})
    assert (err.value.http_code, err.value.error_code) == (400, 1620)
    with pytest.raises(DocumentReplaceError) as err:
        collection.replace({"_key": "u", "name": "x"})
    assert (err.value.http_code, err.value.error_code) == (400, 1620)
    assert collection.get("u")["email"] == "a@b"


def test_level_none(db):
    collection = make(db, "none")
    assert collection.insert({"name": "anything"})["_id"].startswith("users_none/")


def test_level_new(db):
    collection = make(db, "new")
    with pytest.raises(DocumentInsertError) as err:
        collection.insert({"name": "x"})
    assert err.value.error_code == 1620
    collection.insert({"_key": "u", "email": "a@b"})
    # Modifications are not checked at level "new".
    assert collection.update({"_key": "u", "email": 5})["_key"] == "u"


def test_level_moderate(db):
    collection = db.create_collection("loose")
    collection.insert({"_key": "invalid", "name": "x"})
    collection.insert({"_key": "valid", "email": "a@b"})
    collection.configure(schema={"rule": RULE, "level": "moderate", "message": "m"})
    # A document that was invalid before may stay invalid ...
    assert collection.update({"_key": "invalid", "name": "y"})["_key"] == "invalid"
    # ... but a valid one may not become invalid, and inserts are checked.
    with pytest.raises(DocumentUpdateError) as err:
        collection.update({"_key": "valid", "email": 1})
    assert (err.value.error_code, err.value.error_message) == (1620, "m")
    with pytest.raises(DocumentInsertError) as err:
        collection.insert({"name": "z"})
    assert err.value.error_code == 1620


def test_configure_and_remove_schema(db, raw):
    collection = db.create_collection("evolving")
    assert collection.properties()["schema"] is None
    result = collection.configure(schema={"rule": RULE, "level": "new"})
    assert result["schema"] == {"rule": RULE, "level": "new", "message": "", "type": "json"}
    # Leaving schema out of a property change keeps it.
    assert collection.configure(sync=True)["schema"]["level"] == "new"
    # null and {} both remove it.
    response = raw.api("PUT", "/_api/collection/evolving/properties", database=db.name, json={"schema": None})
    assert response.status_code == 200 and response.json()["schema"] is None
    collection.configure(schema={"rule": RULE})
    response = raw.api("PUT", "/_api/collection/evolving/properties", database=db.name, json={"schema": {}})
    assert response.json()["schema"] is None
    assert collection.insert({"no": "email"})["_id"].startswith("evolving/")


@pytest.mark.parametrize(
    "schema",
    [
        {"rule": 3},
        {"level": "strict", "message": "no rule"},
        {"rule": {"type": "object"}, "level": "sometimes"},
        {"rule": {"type": 12}},
    ],
)
def test_invalid_schemas(db, schema):
    with pytest.raises(CollectionCreateError) as err:
        db.create_collection("bad", schema=schema)
    assert (err.value.http_code, err.value.error_code) == (400, 1621)
    collection = db.create_collection("good")
    with pytest.raises(CollectionConfigureError) as err:
        collection.configure(schema=schema)
    assert (err.value.http_code, err.value.error_code) == (400, 1621)


def test_schema_not_an_object_raw(db, raw):
    response = raw.api("POST", "/_api/collection", database=db.name, json={"name": "x", "schema": [1]})
    assert response.status_code == 400
    assert response.json()["errorNum"] == 1621
