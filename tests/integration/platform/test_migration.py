"""Revision 0017_platform_extras adds the timezone history and the platform indexes, and its downgrade removes
exactly them."""

import uuid

import psycopg
import pytest
from momentum_infra import migrate, pg

OURS = {
    "timezone_changes_pkey",
    "timezone_changes_user_idx",
    "feedback_user_created_idx",
    "feedback_created_idx",
    "onboarding_steps_flow_idx",
    "user_onboarding_state_user_idx",
    "audit_log_resource_idx",
    "users_created_idx",
} | {
    f"{table}_{suffix}"
    for table in ("inbox_items", "ideas", "infobase_entries", "user_references")
    for suffix in ("user_order_idx", "tags_idx", "search_idx")
}


@pytest.fixture()
def fresh_database_url(database_url):
    server_url = pg.with_database(database_url, "postgres")
    name = f"momentum_platform_{uuid.uuid4().hex[:8]}"
    yield pg.ensure_database(server_url, name)
    pg.drop_database(server_url, name)


def indexes(conn) -> set[str]:
    return {n for (n,) in conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")}


def test_upgrade_and_downgrade(fresh_database_url):
    url = fresh_database_url
    before_platform = "0015_books"  # the revision 0017_platform_extras follows
    migrate.upgrade(url, before_platform)
    with psycopg.connect(url, autocommit=True) as conn:
        before = indexes(conn)
        migrate.upgrade(url, "0017_platform_extras")
        assert indexes(conn) - before == OURS
        assert conn.execute("SELECT to_regclass('timezone_changes')").fetchone()[0] == "timezone_changes"

        migrate.downgrade(url, before_platform)
        assert indexes(conn) == before
        assert conn.execute("SELECT to_regclass('timezone_changes')").fetchone()[0] is None
