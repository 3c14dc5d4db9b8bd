"""AQL user functions: create, replace, list (also by namespace), delete and
group delete; invalid names (1580) and code (1581)."""

import pytest
from arango.exceptions import AQLFunctionCreateError, AQLFunctionDeleteError

C_TO_F = "function (celsius) { return celsius * 1.8 + 32; }"
F_TO_C = "function (fahrenheit) { return (fahrenheit - 32) / 1.8; }"


def test_empty_list(db):
    assert db.aql.functions() == []


def test_create_and_list(db):
    assert db.aql.create_function("myfunctions::temperature::celsiustofahrenheit", C_TO_F) == {"is_new": True}
    assert db.aql.functions() == [
        {
            "name": "myfunctions::temperature::celsiustofahrenheit",
            "code": C_TO_F,
            "is_deterministic": False,
        }
    ]


def test_replace_is_not_new(db):
    assert db.aql.create_function("temp::c2f", C_TO_F) == {"is_new": True}
    assert db.aql.create_function("temp::c2f", F_TO_C) == {"is_new": False}
    assert [(f["name"], f["code"]) for f in db.aql.functions()] == [("temp::c2f", F_TO_C)]


def test_names_are_case_insensitive_and_keep_last_spelling(db):
    db.aql.create_function("Temp::C2F", C_TO_F)
    assert db.aql.create_function("TEMP::c2f", C_TO_F) == {"is_new": False}
    assert [f["name"] for f in db.aql.functions()] == ["TEMP::c2f"]


def test_code_is_trimmed(db):
    db.aql.create_function("ws::fn", "\n   " + C_TO_F + "  \n\t")
    assert db.aql.functions()[0]["code"] == C_TO_F


def test_create_response_raw(db, raw):
    body = {"name": "raw::fn", "code": C_TO_F, "isDeterministic": True}
    first = raw.api("POST", "/_api/aqlfunction", database=db.name, json=body)
    assert first.status_code == 201
    assert first.json() == {"error": False, "code": 201, "isNewlyCreated": True}
    second = raw.api("POST", "/_api/aqlfunction", database=db.name, json=body)
    assert second.status_code == 200
    assert second.json() == {"error": False, "code": 200, "isNewlyCreated": False}
    assert db.aql.functions() == [{"name": "raw::fn", "code": C_TO_F, "is_deterministic": True}]


def test_list_by_namespace_raw(db, raw):
    for name in ("temp::c2f", "temp::sub::f2c", "TEMPX::other", "other::fn"):
        db.aql.create_function(name, C_TO_F)

    def listed(**params):
        response = raw.api("GET", "/_api/aqlfunction", database=db.name, params=params)
        assert response.status_code == 200
        return sorted(f["name"] for f in response.json()["result"])

    assert listed(namespace="temp") == ["temp::c2f", "temp::sub::f2c"]
    assert listed(namespace="TEMP::") == ["temp::c2f", "temp::sub::f2c"]
    assert listed(namespace="temp::sub") == ["temp::sub::f2c"]
    assert listed(namespace="nothing") == []
    assert len(listed()) == 4
    path = raw.api("GET", "/_api/aqlfunction/other", database=db.name).json()["result"]
    assert [f["name"] for f in path] == ["other::fn"]


def test_delete(db):
    db.aql.create_function("temp::c2f", C_TO_F)
    db.aql.create_function("temp::f2c", F_TO_C)
    assert db.aql.delete_function("TEMP::C2F") == {"deleted": 1}
    assert [f["name"] for f in db.aql.functions()] == ["temp::f2c"]
    with pytest.raises(AQLFunctionDeleteError) as err:
        db.aql.delete_function("temp::c2f")
    assert (err.value.http_code, err.value.error_code) == (404, 1582)
    assert db.aql.delete_function("temp::c2f", ignore_missing=True) is False


def test_group_delete(db):
    for name in ("temp::c2f", "temp::f2c", "temp::deep::k", "tempx::keep", "other::keep"):
        db.aql.create_function(name, C_TO_F)
    assert db.aql.delete_function("temp", group=True) == {"deleted": 3}
    assert sorted(f["name"] for f in db.aql.functions()) == ["other::keep", "tempx::keep"]
    assert db.aql.delete_function("nothing", group=True) == {"deleted": 0}


@pytest.mark.parametrize(
    "name",
    ["nonamespace", "_aql::fn", "ns::", "::fn", "ns::bad-name", "ns:fn", "ns::fn name", ""],
)
def test_invalid_names(db, name):
    with pytest.raises(AQLFunctionCreateError) as err:
        db.aql.create_function(name, C_TO_F)
    assert (err.value.http_code, err.value.error_code) == (400, 1580)


def test_delete_invalid_name(db):
    with pytest.raises(AQLFunctionDeleteError) as err:
        db.aql.delete_function("ns::bad-name")
    assert (err.value.http_code, err.value.error_code) == (400, 1580)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "   ",
        "return 1;",
        "not a function",
        "function (celsius) { invalid syntax }",
        "function (x) { return x; ",
        "function (x) { return x; } garbage",
        "function (x) { return 'unterminated; }",
    ],
)
def test_invalid_code(db, code):
    with pytest.raises(AQLFunctionCreateError) as err:
        db.aql.create_function("ns::fn", code)
    assert (err.value.http_code, err.value.error_code) == (400, 1581)
    assert db.aql.functions() == []


@pytest.mark.parametrize(
    "code",
    [
        "function () { return 1; }",
        "function named(a, b) { return a + b; }",
        "(a) => a * 2",
        "x => { return x; }",
        "function (s) { return s.replace(/[a-z]+/g, '}'); }",
        "function (a) {\n  const b = a\n  return b\n}",
    ],
)
def test_valid_code_shapes(db, code):
    assert db.aql.create_function("ns::fn", code) == {"is_new": True}


def test_functions_are_per_database(db, sys_db):
    db.aql.create_function("scoped::fn", C_TO_F)
    assert all(f["name"] != "scoped::fn" for f in sys_db.aql.functions())
