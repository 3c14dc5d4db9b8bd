"""Fixtures of the python-arango conformance suite for the ArangoDB emulator.

The suite starts the standalone emulator binary once per session on a free
port and drives it with the official `python-arango` driver. Every test that
needs a database gets a fresh one, so tests stay independent of each other
and of their order. Faults injected through the control API are cleared
after every test.
"""

from __future__ import annotations

import os
import pathlib
import select
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from typing import Any, Iterator, Optional

import jwt
import pytest
import requests
from arango import ArangoClient
from arango.database import StandardDatabase

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_BINARY = HERE / ".." / ".." / "target" / "debug" / "arangodb-emulator"
ROOT_PASSWORD = "secret"
JWT_SECRET = "somesecret"
STARTUP_TIMEOUT_SECONDS = 20


def unique(prefix: str) -> str:
    """A name nobody else uses, in the style of python-arango's own helpers."""
    return f"{prefix}_{uuid.uuid4().hex}"


def superuser_token(secret: str = JWT_SECRET, lifetime: int = 3600, **claims: Any) -> str:
    """A superuser JWT as the ArangoDB docs describe it: HS256 over the server
    secret with `iss: arangodb` and a `server_id`."""
    now = int(time.time())
    payload = {"iat": now, "exp": now + lifetime, "iss": "arangodb", "server_id": "conformance"}
    payload.update(claims)
    return jwt.encode(payload, secret, algorithm="HS256")


@dataclass
class Emulator:
    url: str
    process: subprocess.Popen
    stderr_path: str


def _start_emulator() -> Emulator:
    binary = pathlib.Path(os.environ.get("EMULATOR_BIN", str(DEFAULT_BINARY))).resolve()
    if not binary.is_file() or not os.access(binary, os.X_OK):
        pytest.exit(
            f"emulator binary not found or not executable: {binary}\n"
            "build it with `cargo build -p arangodb-emulator` or set EMULATOR_BIN",
            returncode=3,
        )
    stderr = tempfile.NamedTemporaryFile(prefix="arangodb-emulator-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [
            str(binary),
            "--listen",
            "127.0.0.1:0",
            "--root-password",
            ROOT_PASSWORD,
            "--jwt-secret",
            JWT_SECRET,
        ],
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )
    ready, _, _ = select.select([process.stdout], [], [], STARTUP_TIMEOUT_SECONDS)
    line = process.stdout.readline().strip() if ready else ""
    prefix = "arangodb-emulator listening on "
    if not line.startswith(prefix):
        process.kill()
        process.wait()
        with open(stderr.name, encoding="utf-8", errors="replace") as log:
            detail = log.read()
        pytest.exit(
            f"emulator {binary} did not announce its address within "
            f"{STARTUP_TIMEOUT_SECONDS}s (first line: {line!r}); stderr:\n{detail}",
            returncode=3,
        )
    return Emulator(url=line[len(prefix):], process=process, stderr_path=stderr.name)


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    running = _start_emulator()
    try:
        yield running
    finally:
        running.process.terminate()
        try:
            running.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            running.process.kill()
            running.process.wait()
        if running.process.stdout is not None:
            running.process.stdout.close()
        os.unlink(running.stderr_path)


@pytest.fixture(scope="session")
def url(emulator: Emulator) -> str:
    return emulator.url


@pytest.fixture(scope="session")
def client(url: str) -> Iterator[ArangoClient]:
    arango_client = ArangoClient(hosts=url)
    yield arango_client
    arango_client.close()


@pytest.fixture(scope="session")
def sys_db(client: ArangoClient) -> StandardDatabase:
    return client.db("_system", username="root", password=ROOT_PASSWORD, verify=True)


@pytest.fixture
def db(client: ArangoClient, sys_db: StandardDatabase) -> Iterator[StandardDatabase]:
    """A fresh database of its own for one test, as root."""
    name = unique("test_database")
    assert sys_db.create_database(name) is True
    yield client.db(name, username="root", password=ROOT_PASSWORD)
    sys_db.delete_database(name, ignore_missing=True)


@pytest.fixture
def make_user(sys_db: StandardDatabase) -> Iterator[Any]:
    """Creates users (name, password) for one test and deletes them after."""
    created = []

    def create(password: Optional[str] = None) -> tuple[str, str]:
        name = unique("test_user")
        password = password if password is not None else uuid.uuid4().hex
        sys_db.create_user(name, password, active=True)
        created.append(name)
        return name, password

    yield create
    for name in created:
        sys_db.delete_user(name, ignore_missing=True)


class Raw:
    """Plain HTTP against the emulator, for what the driver does not expose
    and for the control API under /_emulator/."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()

    def api(
        self,
        method: str,
        path: str,
        database: Optional[str] = None,
        auth: Optional[tuple[str, str]] = ("root", ROOT_PASSWORD),
        **kwargs: Any,
    ) -> requests.Response:
        prefix = f"/_db/{database}" if database is not None else ""
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, f"{self.url}{prefix}{path}", auth=auth, **kwargs)

    def stats(self) -> dict:
        response = self.session.get(f"{self.url}/_emulator/stats", timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def reset_stats(self) -> dict:
        response = self.session.post(f"{self.url}/_emulator/stats/reset", timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def set_faults(self, plan: Any) -> requests.Response:
        return self.session.put(f"{self.url}/_emulator/faults", json=plan, timeout=30)

    def clear_faults(self) -> requests.Response:
        return self.session.delete(f"{self.url}/_emulator/faults", timeout=30)


@pytest.fixture
def raw(url: str) -> Iterator[Raw]:
    session = Raw(url)
    yield session
    session.session.close()


@pytest.fixture(autouse=True)
def _no_faults_leak(url: str) -> Iterator[None]:
    """An injected fault must never reach the next test."""
    yield
    requests.delete(f"{url}/_emulator/faults", timeout=30)
