"""Run the Alembic migrations programmatically (the CLI, the local stack and the tests use this).

Also the one way a revision creates or changes a database function or view: ``apply_sql("purchase_item")``
runs ``migrations/functions/purchase_item.sql``, the current definition (see migrations/README.md).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from alembic import command, context, op
from alembic.config import Config

from momentum_infra.pg import REPO_ROOT

FUNCTIONS_DIR = REPO_ROOT / "migrations" / "functions"


def alembic_config(database_url: str, root: Path = REPO_ROOT) -> Config:
    """Alembic's configuration for ``database_url``; ``root`` holds alembic.ini and migrations/ (the checkout, or
    the migration function's package in AWS)."""
    cfg = Config(str(root / "alembic.ini"))
    cfg.attributes["database_url"] = database_url
    cfg.attributes["configure_logger"] = False
    return cfg


def upgrade(database_url: str, revision: str = "head", root: Path = REPO_ROOT) -> None:
    command.upgrade(alembic_config(database_url, root), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


def sql_file(name: str) -> Path:
    return FUNCTIONS_DIR / f"{name}.sql"


def definitions() -> dict[str, str]:
    """Every function and view source file: name -> its CREATE OR REPLACE statement."""
    return {path.stem: path.read_text() for path in sorted(FUNCTIONS_DIR.glob("*.sql"))}


def source_digest(name: str) -> str:
    """The SHA-256 (16 hex digits) of a source file, as the revision that last applies it records it."""
    return hashlib.sha256(sql_file(name).read_bytes()).hexdigest()[:16]


def apply_sql(*names: str) -> None:
    """In a revision: create or replace these functions or views from their source files, in the order given."""
    # Beside the revisions being run, whichever checkout this module was imported from.
    directory = Path(context.script.dir) / "functions"
    for name in names:
        op.execute((directory / f"{name}.sql").read_text())


def unknown_revision(database_url: str, root: Path = REPO_ROOT) -> str | None:
    """The database's revision if this code's migrations do not know it (the database is ahead), else None.

    A deployment rolled back after a newer release migrated the database meets such a revision: migrations only
    go forward, so the older code leaves the schema as it is rather than failing the rollback.
    """
    import psycopg
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    with psycopg.connect(database_url) as conn:
        if conn.execute("SELECT to_regclass('alembic_version')").fetchone() == (None,):
            return None
        versions: list[str] = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
    script = ScriptDirectory.from_config(alembic_config(database_url, root))
    for version in versions:
        try:
            script.get_revision(version)
        except CommandError:
            return version
    return None
