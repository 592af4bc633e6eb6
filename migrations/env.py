"""Alembic environment. Revisions are plain SQL (op.execute); functions come from migrations/functions/ (README.md)."""

from logging.config import fileConfig

import psycopg
from alembic import context
from sqlalchemy import create_engine, pool

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    from momentum_infra.pg import local_database_url

    return config.attributes.get("database_url") or local_database_url()


def run_migrations_online() -> None:
    url = _url()
    # Any libpq URL or conninfo works (including the embedded server's socket URLs), so hand SQLAlchemy a creator.
    engine = create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(url), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) mode is not supported: the revisions are SQL already, read them.")
run_migrations_online()
