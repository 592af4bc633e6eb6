from __future__ import annotations

import pytest

from tests.integration.daily_support import Caller


@pytest.fixture()
def caller(api, make_user):
    """Factory: a new user's Caller."""
    return lambda admin=False: Caller(api, make_user(admin=admin))


@pytest.fixture()
def rewind(conn):
    """rewind(session_id, seconds): move a session's clock back, as if that much time had passed."""

    def move(session_id: str, seconds: int) -> None:
        conn.execute(
            """WITH p AS (
                   UPDATE focus_pause_state SET resumed_at = resumed_at - make_interval(secs => %(s)s),
                                                paused_at = paused_at - make_interval(secs => %(s)s)
                   WHERE session_id = %(id)s)
               UPDATE focus_sessions SET started_at = started_at - make_interval(secs => %(s)s),
                                         expires_at = expires_at - make_interval(secs => %(s)s)
               WHERE id = %(id)s""",
            {"id": session_id, "s": seconds},
        )

    return move
