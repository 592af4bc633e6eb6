"""Run the Alembic migrations programmatically (the CLI, the local stack and the tests use this)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from momentum_infra.pg import REPO_ROOT


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
