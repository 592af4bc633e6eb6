"""Test harness: one migrated PostgreSQL database per test session.

With TEST_DATABASE_URL, a fresh database is created on that server (and dropped afterwards); without it, a
throwaway embedded server is started. Tests isolate themselves by creating their own users and rows.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import pytest

from tests.helpers import UserHandle

# Fails the run when an operation answers with an error code its OpenAPI entry does not list.
pytest_plugins = ["tests.error_contract"]

# Tests never talk to AWS: moto stands in, and no real credentials may leak in.
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="us-east-1",
)
os.environ.pop("AWS_PROFILE", None)
# Every test signs in from the same address: the per-address and overall sign-in link limits are raised here, and
# the tests of those limits (tests/integration/test_limits.py) set their own.
os.environ.update(MAGIC_LINK_PER_IP_MAX="100000", MAGIC_LINK_GLOBAL_MAX="100000")


@pytest.fixture()
def settings(monkeypatch):
    """settings(NAME=value, …): change settings (as environment variables) for one test."""
    from momentum.config import get_settings

    def change(**values):
        for name, value in values.items():
            monkeypatch.setenv(name, str(value))
        get_settings.cache_clear()

    yield change
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def database_url():
    from momentum_infra import migrate, pg

    name = f"momentum_test_{uuid.uuid4().hex[:8]}"
    server_url = os.environ.get("TEST_DATABASE_URL")
    server = None
    if not server_url:
        server = pg.embedded_server(Path(tempfile.mkdtemp(prefix="momentum-test-")) / "pgdata", throwaway=True)
        server_url = server.get_uri("postgres")
    url = pg.ensure_database(server_url, name)
    migrate.upgrade(url)

    # Point the layer at the test database (settings are cached per process, so reset them).
    from momentum import db
    from momentum.config import get_settings

    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    yield url
    db.close_conn()
    pg.drop_database(server_url, name)
    if server is not None:
        server.cleanup()


@pytest.fixture()
def conn(database_url):
    from momentum import db

    with db.connect(database_url) as connection:
        yield connection


@pytest.fixture()
def make_user(database_url):
    """Factory: a new user with a bearer token (admin if asked). Each call is a fresh, isolated user."""
    from momentum import auth, db

    def make(admin: bool = False, email: str | None = None):
        with db.connect(database_url) as connection, connection.transaction():
            user = auth.ensure_user(connection, email or f"user-{uuid.uuid4().hex[:12]}@example.com")
            if admin:
                auth.grant_admin(connection, user.id)
            token, _, _ = auth.create_session(connection, user.id)
        return UserHandle(user.id, user.email, token)

    return make


@pytest.fixture()
def api(database_url):
    """api("market") -> a chalice.test.Client for functions/market/app.py, as API Gateway would call it."""
    import importlib

    from chalice.test import Client

    clients = []

    def client_for(function: str):
        client = Client(importlib.import_module(f"functions.{function}.app").app)
        clients.append(client)
        return client.http

    yield client_for
    for client in clients:
        client.__exit__(None, None, None)
