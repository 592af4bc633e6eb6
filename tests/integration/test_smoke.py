"""The session database is migrated to the newest revision, so every other test runs against today's schema."""

from alembic.script import ScriptDirectory
from momentum_infra import migrate


def test_database_is_at_the_head_revision(conn, database_url):
    head = ScriptDirectory.from_config(migrate.alembic_config(database_url)).get_current_head()
    assert head is not None
    assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(head,)]
