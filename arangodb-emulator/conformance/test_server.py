"""Server-level API and authentication, as python-arango sees them."""

import re
import time

import jwt
import pytest
from arango.exceptions import (
    CollectionListError,
    DatabaseListError,
    JWTAuthError,
    ServerConnectionError,
    ServerVersionError,
)

from conftest import JWT_SECRET, ROOT_PASSWORD, superuser_token, unique

UNAUTHORIZED_BODY = {
    "code": 401,
    "error": True,
    "errorNum": 11,
    "errorMessage": "not authorized to execute this request",
}


def test_version_string(sys_db):
    assert re.fullmatch(r"3\.12\.\d+", sys_db.version())


def test_version_details(sys_db):
    body = sys_db.version(details=True)
    assert body["server"] == "arango"
    assert body["license"] in {"community", "enterprise"}
    assert body["version"] == sys_db.version()
    # Every value of `details` is a string, and a single server says so.
    assert body["details"]["role"] == "SINGLE"
    assert all(isinstance(value, str) for value in body["details"].values())


def test_role_and_availability(sys_db):
    assert sys_db.role() == "SINGLE"
    assert sys_db.check_availability() == "default"


def test_availability_needs_no_authentication(raw):
    response = raw.api("GET", "/_admin/server/availability", auth=None)
    assert response.status_code == 200
    assert response.json() == {"error": False, "code": 200, "mode": "default"}


def test_basic_auth_verify(client):
    db = client.db("_system", username="root", password=ROOT_PASSWORD, verify=True)
    assert "_system" in db.databases()


def test_wrong_password_basic(client):
    db = client.db("_system", username="root", password="wrong")
    with pytest.raises(CollectionListError) as err:
        db.collections()
    assert err.value.http_code == 401
    assert err.value.error_code == 11
    assert err.value.error_message == "not authorized to execute this request"


def test_wrong_password_verify_raises_connection_error(client):
    with pytest.raises(ServerConnectionError) as err:
        client.db("_system", username="root", password="wrong", verify=True)
    assert err.value.http_code == 401


def test_unknown_user_basic(client):
    db = client.db("_system", username=unique("nobody"), password="x")
    with pytest.raises(DatabaseListError) as err:
        db.databases()
    assert (err.value.http_code, err.value.error_code) == (401, 11)


def test_jwt_session(client):
    db = client.db("_system", username="root", password=ROOT_PASSWORD, auth_method="jwt")
    token = db.conn._token
    claims = jwt.decode(token, JWT_SECRET, algorithms=["HS256"], issuer="arangodb")
    assert claims["preferred_username"] == "root"
    assert claims["exp"] - claims["iat"] == 3600
    assert "_system" in db.databases()
    assert db.version() == client.db("_system", "root", ROOT_PASSWORD).version()


def test_jwt_wrong_password(client):
    with pytest.raises(JWTAuthError) as err:
        client.db("_system", username="root", password="wrong", auth_method="jwt")
    assert err.value.http_code == 401
    assert err.value.error_code == 401
    assert err.value.error_message == "Wrong credentials"


def test_open_auth_raw(raw):
    response = raw.api("POST", "/_open/auth", auth=None, json={"username": "root", "password": ROOT_PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["jwt"]
    bad = raw.api("POST", "/_open/auth", auth=None, json={"username": "root", "password": "nope"})
    assert bad.status_code == 401
    assert bad.json() == {"error": True, "code": 401, "errorNum": 401, "errorMessage": "Wrong credentials"}


def test_user_token(client, raw, sys_db, make_user):
    name, password = make_user()
    sys_db.update_permission(name, "rw", "_system")
    token = raw.api("POST", "/_open/auth", auth=None, json={"username": name, "password": password}).json()["jwt"]
    db = client.db("_system", user_token=token)
    assert db.databases_accessible_to_user() == ["_system"]
    assert db.has_collection("_graphs") is True


def test_superuser_token(client, sys_db):
    db = client.db("_system", superuser_token=superuser_token(), verify=True)
    assert "_system" in db.databases()
    name = unique("test_database")
    assert db.create_database(name) is True
    try:
        assert name in sys_db.databases()
    finally:
        assert db.delete_database(name) is True


def test_superuser_token_wrong_secret(client):
    db = client.db("_system", superuser_token=superuser_token(secret="not-the-secret"))
    with pytest.raises(DatabaseListError) as err:
        db.databases()
    assert (err.value.http_code, err.value.error_code) == (401, 11)


def test_expired_superuser_token(client):
    db = client.db("_system", superuser_token=superuser_token(lifetime=-60))
    with pytest.raises(ServerVersionError) as err:
        db.version()
    assert (err.value.http_code, err.value.error_code) == (401, 11)


def test_token_with_foreign_issuer(client):
    db = client.db("_system", superuser_token=superuser_token(iss="someone-else"))
    with pytest.raises(ServerVersionError) as err:
        db.version()
    assert err.value.http_code == 401


def test_unauthenticated_401_details(raw):
    response = raw.api("GET", "/_api/version", auth=None)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED_BODY
    assert "www-authenticate" in {name.lower() for name in response.headers}


def test_unauthenticated_401_omit_www_authenticate(raw):
    response = raw.api("GET", "/_api/version", auth=None, headers={"X-Omit-Www-Authenticate": "true"})
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED_BODY
    assert "www-authenticate" not in {name.lower() for name in response.headers}


def test_unknown_database(client):
    db = client.db(unique("missing_database"), username="root", password=ROOT_PASSWORD)
    with pytest.raises(CollectionListError) as err:
        db.collections()
    assert (err.value.http_code, err.value.error_code) == (404, 1228)


def test_response_headers(raw):
    response = raw.api("GET", "/_api/version")
    assert response.headers["server"] == "ArangoDB"
    assert "x-arango-queue-time-seconds" in response.headers
    assert response.headers["content-type"].startswith("application/json")
