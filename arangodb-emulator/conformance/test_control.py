"""The emulator's control API (shared/DESIGN.md section 7): request counters
and fault injection, seen through raw HTTP and through the driver."""

import time

import pytest
import requests
from arango import ArangoClient
from arango.exceptions import CollectionCreateError
from arango.http import DefaultHTTPClient

from conftest import ROOT_PASSWORD


def test_stats_count_driver_requests(db, raw):
    raw.reset_stats()
    db.version()
    db.create_collection("counted")
    db.collection("counted").properties()
    db.collection("counted").insert({})
    stats = raw.stats()
    assert stats["total"] == 4
    assert stats["writes"] == 2
    assert stats["byMethod"] == {"GET": 2, "POST": 2}
    assert stats["byPath"] == {
        f"/_db/{db.name}/_api/version": 1,
        f"/_db/{db.name}/_api/collection": 1,
        f"/_db/{db.name}/_api/collection/counted/properties": 1,
        f"/_db/{db.name}/_api/document/counted": 1,
    }


def test_stats_reset_and_control_not_counted(raw):
    assert raw.reset_stats() == {"total": 0, "writes": 0, "byMethod": {}, "byPath": {}}
    raw.stats()
    raw.set_faults({"failAfter": 5, "count": 1, "mode": "status", "status": 500})
    raw.clear_faults()
    assert raw.stats()["total"] == 0


def test_read_only_posts_are_not_writes(db, raw):
    raw.reset_stats()
    db.aql.validate("RETURN 1")
    raw.api("POST", "/_open/auth", auth=None, json={"username": "root", "password": ROOT_PASSWORD})
    stats = raw.stats()
    assert (stats["total"], stats["writes"]) == (2, 0)


def test_unauthorized_requests_are_counted(raw):
    raw.reset_stats()
    raw.api("GET", "/_api/version", auth=None)
    assert raw.stats()["total"] == 1


def test_status_fault_second_request(raw):
    assert raw.set_faults({"failAfter": 1, "count": 1, "mode": "status", "status": 503}).status_code == 200
    first = raw.api("GET", "/_api/version")
    assert first.status_code == 200
    second = raw.api("GET", "/_api/version")
    assert second.status_code == 503
    body = second.json()
    assert (body["error"], body["code"], body["errorNum"]) == (True, 503, 503)
    third = raw.api("GET", "/_api/version")
    assert third.status_code == 200


def test_status_fault_count(raw):
    raw.set_faults({"failAfter": 0, "count": 2, "mode": "status", "status": 500})
    statuses = [raw.api("GET", "/_api/version").status_code for _ in range(3)]
    assert statuses == [500, 500, 200]


def test_fault_skips_authentication(raw):
    raw.set_faults({"count": 1, "mode": "status", "status": 502})
    response = raw.api("GET", "/_api/version", auth=None)
    assert response.status_code == 502


def test_driver_retries_get_on_503(sys_db, raw):
    raw.reset_stats()
    raw.set_faults({"count": 1, "mode": "status", "status": 503})
    assert sys_db.version()
    # python-arango's HTTP client retried the GET once.
    assert raw.stats()["total"] == 2


def test_driver_fails_over_on_503_with_errornum_503(db, raw):
    # python-arango treats a 503 whose errorNum is 503 (a server that is not
    # ready) as a connection problem and tries again, up to 3 times for one host.
    raw.reset_stats()
    raw.set_faults({"count": 1, "mode": "status", "status": 503})
    assert db.create_collection("lucky").name == "lucky"
    assert raw.stats()["byMethod"] == {"POST": 2}


def test_driver_gives_up_on_persistent_503(db, raw):
    raw.set_faults({"count": 3, "mode": "status", "status": 503})
    with pytest.raises(ConnectionAbortedError):
        db.create_collection("unlucky")
    assert db.has_collection("unlucky") is False


def test_driver_sees_500_on_post(db, raw):
    raw.set_faults({"count": 1, "mode": "status", "status": 500})
    with pytest.raises(CollectionCreateError) as err:
        db.create_collection("unlucky")
    assert (err.value.http_code, err.value.error_code) == (500, 500)
    assert err.value.error_message == "injected fault"
    assert db.has_collection("unlucky") is False


def test_driver_gives_up_after_retries(url, raw):
    # GETs on 500 are retried by the driver's HTTP adapter (3 retries), then
    # it gives up with requests' RetryError. No backoff, to keep the test fast.
    client = ArangoClient(hosts=url, http_client=DefaultHTTPClient(backoff_factor=0))
    sys_db = client.db("_system", username="root", password=ROOT_PASSWORD)
    raw.reset_stats()
    raw.set_faults({"count": 10, "mode": "status", "status": 500})
    with pytest.raises(requests.exceptions.RetryError):
        sys_db.version()
    assert raw.stats()["total"] == 4
    client.close()


def test_reset_fault(raw):
    raw.set_faults({"failAfter": 0, "count": 1, "mode": "reset"})
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"{raw.url}/_api/version", auth=("root", ROOT_PASSWORD), timeout=10)
    assert requests.get(f"{raw.url}/_api/version", auth=("root", ROOT_PASSWORD), timeout=10).status_code == 200


def test_delay_fault(raw):
    raw.set_faults({"failAfter": 0, "count": 1, "mode": "delay", "delayMs": 400})
    started = time.monotonic()
    assert raw.api("GET", "/_api/version").status_code == 200
    assert time.monotonic() - started >= 0.4
    started = time.monotonic()
    assert raw.api("GET", "/_api/version").status_code == 200
    assert time.monotonic() - started < 0.4


def test_clear_faults(raw):
    raw.set_faults({"failAfter": 0, "count": 5, "mode": "status", "status": 503})
    assert raw.clear_faults().status_code == 200
    assert raw.api("GET", "/_api/version").status_code == 200


@pytest.mark.parametrize(
    "plan",
    [
        {"mode": "explode"},
        {"mode": "status", "status": 200},
        {"mode": "status", "count": -1},
        [1, 2],
    ],
)
def test_invalid_fault_plans(raw, plan):
    response = raw.set_faults(plan)
    assert response.status_code == 400
    assert response.json()["errorNum"] == 10
    assert raw.api("GET", "/_api/version").status_code == 200


def test_unknown_control_path(raw):
    response = raw.session.get(f"{raw.url}/_emulator/nothing", timeout=10)
    assert response.status_code == 404
