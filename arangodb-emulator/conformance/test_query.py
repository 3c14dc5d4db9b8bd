"""`db.aql.validate`: parse-only query checks (POST /_api/query)."""

import pytest
from arango.exceptions import AQLQueryValidateError


def test_validate_reports_bind_vars_and_collections(db):
    result = db.aql.validate("FOR u IN users FOR d IN @@c FILTER d.x == @v AND u.y == @w RETURN d")
    assert set(result) == {"parsed", "collections", "bind_vars", "ast", "warnings"}
    assert result["parsed"] is True
    assert sorted(result["bind_vars"]) == ["@c", "v", "w"]
    assert result["collections"] == ["users"]
    assert result["warnings"] == []
    assert isinstance(result["ast"], list) and result["ast"][0]["type"] == "root"


def test_validate_collections_sorted_and_distinct(db):
    result = db.aql.validate("FOR p IN products FOR u IN users FOR q IN products RETURN [p, u, q]")
    assert sorted(result["collections"]) == ["products", "users"]
    assert len(result["collections"]) == 2


def test_validate_does_not_need_collections(db):
    assert db.aql.validate("FOR d IN does_not_exist RETURN d")["parsed"] is True


def test_bind_parameters_in_strings_and_comments_are_not_parameters(db):
    result = db.aql.validate("/* @a */ RETURN CONCAT('@b', @c) // @d")
    assert result["bind_vars"] == ["c"]


def test_syntax_error(db):
    with pytest.raises(AQLQueryValidateError) as err:
        db.aql.validate("FOR i IN 1..100 FILTER i = 1 LIMIT 2 RETURN i * 3")
    assert (err.value.http_code, err.value.error_code) == (400, 1501)
    assert err.value.error_message == (
        "syntax error, unexpected assignment near '= 1 LIMIT 2 RETURN i * 3' at position 1:26"
    )


@pytest.mark.parametrize("query", ["INVALID QUERY", "FOR d IN c", "RETURN (1", "FOR d IN c FILTER RETURN d"])
def test_invalid_queries_are_1501(db, query):
    with pytest.raises(AQLQueryValidateError) as err:
        db.aql.validate(query)
    assert (err.value.http_code, err.value.error_code) == (400, 1501)
    assert err.value.error_message.startswith("syntax error, unexpected ")


def test_empty_query(db):
    with pytest.raises(AQLQueryValidateError) as err:
        db.aql.validate("   ")
    assert (err.value.http_code, err.value.error_code) == (400, 1502)


def test_validate_response_raw(db, raw):
    response = raw.api("POST", "/_api/query", database=db.name, json={"query": "RETURN @x"})
    assert response.status_code == 200
    body = response.json()
    assert (body["error"], body["code"], body["parsed"], body["bindVars"]) == (False, 200, True, ["x"])
