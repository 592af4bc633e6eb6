"""The database connection of an execution environment.

A Lambda instance serves one request at a time, so one connection per instance is right; it is opened lazily,
kept across warm invocations, and reopened when broken. The local stack and the tests serve requests from many
threads at once, as many Lambda instances would, so the connection is kept per thread.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from typing import Any, LiteralString, TypeAlias, TypeVar

import psycopg
from psycopg import sql
from psycopg.rows import class_row, dict_row

from momentum.config import get_settings
from momentum.errors import NotFound
from momentum.models import list_adapter

Row = TypeVar("Row")
Params: TypeAlias = Sequence[Any] | Mapping[str, Any] | None
# What psycopg's execute() takes (psycopg.abc.QueryNoTemplate, which psycopg 3.2 does not have yet).
Query: TypeAlias = LiteralString | bytes | sql.SQL | sql.Composed

_local = threading.local()


def database_url() -> str:
    """The connection URL: DATABASE_URL, or the RDS Proxy host with the credentials from Secrets Manager."""
    settings = get_settings()
    if settings.database_url:
        return settings.database_url
    if not (settings.db_host and settings.db_secret_arn):
        raise RuntimeError("Set DATABASE_URL, or DB_HOST and DB_SECRET_ARN")
    import boto3  # only the AWS path pays for boto3's import

    secret: dict[str, Any] = json.loads(
        boto3.client("secretsmanager").get_secret_value(SecretId=settings.db_secret_arn)["SecretString"]
    )
    return psycopg.conninfo.make_conninfo(
        host=settings.db_host,
        port=secret.get("port", 5432),
        dbname=settings.db_name,
        user=secret["username"],
        password=secret["password"],
        sslmode="require",
    )


def connect(url: str | None = None) -> psycopg.Connection[tuple[Any, ...]]:
    """A new autocommit connection; writes group themselves with ``conn.transaction()``."""
    settings = get_settings()
    return psycopg.connect(
        url or database_url(),
        autocommit=True,
        options=f"-c statement_timeout={settings.statement_timeout_ms} -c timezone=UTC",
    )


def get_conn() -> psycopg.Connection[tuple[Any, ...]]:
    """This thread's connection, opened on first use and reopened if the last one broke."""
    conn: psycopg.Connection[tuple[Any, ...]] | None = getattr(_local, "conn", None)
    if conn is None or conn.closed or conn.broken:
        if conn is not None:
            conn.close()  # a broken connection still holds its socket until closed
        conn = _local.conn = connect()
    return conn


def close_conn() -> None:
    conn = getattr(_local, "conn", None)
    if conn is not None:
        conn.close()
        _local.conn = None


# Typed queries: rows become instances of ``row`` (a pydantic model or dataclass) through psycopg's class_row.


def fetch_optional(conn: psycopg.Connection[Any], row: type[Row], query: Query, params: Params = None) -> Row | None:
    """The first row of ``query`` as a ``row``, or None when there is none."""
    with conn.cursor(row_factory=class_row(row)) as cur:
        return cur.execute(query, params).fetchone()


def fetch_one(
    conn: psycopg.Connection[Any], row: type[Row], query: Query, params: Params = None, *, resource: str
) -> Row:
    """The first row of ``query`` as a ``row``. Raises: NotFound(resource) when there is none."""
    found = fetch_optional(conn, row, query, params)
    if found is None:
        raise NotFound(resource)
    return found


def fetch_all(conn: psycopg.Connection[Any], row: type[Row], query: Query, params: Params = None) -> list[Row]:
    """Every row of ``query`` as a ``row``."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows: list[Row] = list_adapter(row).validate_python(cur.execute(query, params).fetchall())
        return rows


def fetch_value(conn: psycopg.Connection[Any], query: Query, params: Params = None) -> Any:
    """The first column of the first row of ``query``, or None when there is no row."""
    found = conn.execute(query, params).fetchone()
    return None if found is None else found[0]


def fetch_row(conn: psycopg.Connection[Any], query: Query, params: Params = None) -> tuple[Any, ...]:
    """The first row of a statement that always returns one (``INSERT … RETURNING``, an aggregate), as a tuple."""
    found: tuple[Any, ...] | None = conn.execute(query, params).fetchone()
    if found is None:
        raise RuntimeError("A statement that always returns a row returned none")
    return found
