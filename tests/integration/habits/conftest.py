from __future__ import annotations

import pytest

from tests.integration.daily_support import Caller


@pytest.fixture()
def caller(api, make_user):
    """Factory: a new user's Caller."""
    return lambda admin=False: Caller(api, make_user(admin=admin))


@pytest.fixture()
def backdate(conn):
    """backdate(habit_id, days): move a habit and its completions that many days into the past."""

    def move(habit_id: str, days: int) -> None:
        conn.execute(
            """WITH c AS (
                   UPDATE habit_completions SET completed_date = completed_date - %(d)s,
                                                completed_at = completed_at - make_interval(days => %(d)s)
                   WHERE habit_id = %(id)s)
               UPDATE habits SET created_at = created_at - make_interval(days => %(d)s) WHERE id = %(id)s""",
            {"id": habit_id, "d": days},
        )

    return move
