"""Health and version, for load balancers, deploy checks and support: no token needed.

The schema revision the code expects is a constant here, so a health check needs neither Alembic nor the
migrations folder at request time; a test holds it equal to the Alembic head.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import psycopg
from psycopg import Connection

from momentum.config import get_settings
from momentum.log import log
from momentum.models import ResponseModel

VERSION = "0.1.0"
SCHEMA_HEAD = "0032_rate_limit_purge"


class Health(ResponseModel):
    status: str  # "ok" or "degraded"
    database: bool
    schema_revision: str | None
    expected_revision: str
    migrations_at_head: bool


class Version(ResponseModel):
    version: str
    stage: str
    schema_revision: str


def health(connect: Callable[[], Connection]) -> Health:
    """Whether the database answers and is migrated to the revision this code expects."""
    revision = None
    reachable = False
    try:
        conn = connect()
        reachable = True
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    except psycopg.errors.UndefinedTable:
        pass  # reachable, never migrated
    except psycopg.Error:
        reachable = False
        log("health check: database unavailable", logging.WARNING, exc_info=True)
    at_head = revision == SCHEMA_HEAD
    return Health(
        status="ok" if reachable and at_head else "degraded",
        database=reachable,
        schema_revision=revision,
        expected_revision=SCHEMA_HEAD,
        migrations_at_head=at_head,
    )


def version() -> Version:
    return Version(version=VERSION, stage=get_settings().stage, schema_revision=SCHEMA_HEAD)
