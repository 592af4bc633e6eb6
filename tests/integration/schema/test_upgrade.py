"""A database migrated to 0013_platform before the functions moved to their files upgrades to head cleanly.

Before 0014_functions, award_points took no p_refund. A database at 0013 built from today's revisions already has
the new signature (0003 applies today's file), so the old one is put back as it was, and the upgrade must leave
exactly the files' definitions, with one award_points.
"""

from __future__ import annotations

import psycopg
import pytest
from alembic.script import ScriptDirectory
from momentum_infra import migrate

from tests.integration.schema.drift import drift

AWARD_POINTS = "SELECT oid::regprocedure::text FROM pg_proc WHERE proname = 'award_points'"


def test_a_database_at_0013_upgrades_to_the_files_and_back(scratch_database_url: str) -> None:
    url = scratch_database_url
    functions = ScriptDirectory.from_config(migrate.alembic_config(url)).get_revision("0014_functions").module
    old_signature = f"award_points({functions.OLD_AWARD_POINTS_ARGS.replace(' ', '')})"
    migrate.upgrade(url, "0013_platform")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP FUNCTION award_points({functions.NEW_AWARD_POINTS_ARGS})")
        conn.execute(functions.OLD_AWARD_POINTS)
        assert conn.execute(AWARD_POINTS).fetchall() == [(old_signature,)]

    migrate.upgrade(url)
    with psycopg.connect(url) as conn:
        assert drift(conn, migrate.definitions()) == []
        assert [row[0] for row in conn.execute(AWARD_POINTS)] == [f"{old_signature[:-1]},boolean)"]

    migrate.downgrade(url, "0013_platform")
    with psycopg.connect(url) as conn:
        assert conn.execute(AWARD_POINTS).fetchall() == [(old_signature,)]


def test_a_database_at_0014_with_rows_takes_part1_and_keeps_its_rules(scratch_database_url: str) -> None:
    """0019_part1 swaps the foundation's UNIQUE constraints for the spec's named indexes without losing a row."""
    url = scratch_database_url
    migrate.upgrade(url, "0014_functions")
    with psycopg.connect(url, autocommit=True) as conn:
        user_id = conn.execute("INSERT INTO users (email) VALUES ('old@example.com') RETURNING id").fetchone()[0]
        conn.execute(
            "INSERT INTO user_streaks (user_id, streak_type, current_streak) VALUES (%s, 'daily', 3)", (user_id,)
        )

    migrate.upgrade(url, "0019_part1")
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT current_streak FROM user_streaks").fetchall() == [(3,)]
        with pytest.raises(psycopg.errors.UniqueViolation) as error:
            conn.execute("INSERT INTO user_streaks (user_id, streak_type) VALUES (%s, 'daily')", (user_id,))
        assert error.value.diag.constraint_name == "user_streaks_user_type_idx"

    migrate.downgrade(url, "0014_functions")
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT current_streak FROM user_streaks").fetchall() == [(3,)]
        with pytest.raises(psycopg.errors.UniqueViolation) as error:
            conn.execute("INSERT INTO user_streaks (user_id, streak_type) VALUES (%s, 'daily')", (user_id,))
        assert error.value.diag.constraint_name == "user_streaks_user_id_streak_type_key"
