from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from momentum_infra import pg


@pytest.fixture()
def scratch_database_url(database_url: str) -> Iterator[str]:
    """An empty database of its own on the test server, for tests that migrate up and down."""
    server_url = pg.with_database(database_url, "postgres")
    name = f"momentum_schema_{uuid.uuid4().hex[:8]}"
    yield pg.ensure_database(server_url, name)
    pg.drop_database(server_url, name)
