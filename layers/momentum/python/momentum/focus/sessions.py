"""Focus sessions: one active per person, paused and resumed on any device, completed once for XP and coins.

The server keeps the time: ``focus_pause_state`` (one row per session) holds the planned time still to go when the
session was last paused or resumed, so every device computes the same remaining time from it. A session not
completed by ``expires_at`` (planned end plus a grace period, or a long pause) ends as abandoned the next time any
of the person's sessions is read or changed; a client cannot complete it later.

Completing is one statement (``focus_complete`` in migrations/functions): it pays under the key
``focus-session:<id>`` for the time actually focused (``focus_session_award``), touches the ``focus`` streak and
advances ``focus_minutes`` quests in the same statement, and the full achievement check follows only when it says
one may be due. The session row is locked first, so of two concurrent completions one pays and the other gets 409.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from psycopg import Connection

from momentum import gamification, quests
from momentum.db import fetch_all, fetch_one, fetch_optional, fetch_row
from momentum.errors import Conflict, NotFound
from momentum.focus import rules
from momentum.focus.models import FocusSession, FocusSessionIn, FocusSessionQuery
from momentum.pagination import Page, PageRequest, page_of

# Planned time still to go, in whole seconds, as of now: frozen while paused or once ended, else counting down from
# the last resume (or the start).
REMAINING = """(CASE
    WHEN s.status <> 'active' OR p.is_paused THEN coalesce(p.time_remaining_seconds, 0)
    WHEN p.resumed_at IS NOT NULL
        THEN greatest(0, p.time_remaining_seconds - floor(extract(epoch FROM now() - p.resumed_at)))::integer
    ELSE greatest(0, s.duration_seconds - floor(extract(epoch FROM now() - s.started_at)))::integer
END)"""

SESSION = f"""
SELECT s.id, s.mode, s.status, s.duration_seconds, s.started_at, s.completed_at, s.abandoned_at, s.expires_at,
       coalesce(p.is_paused, false) AS is_paused, r.remaining AS remaining_seconds,
       s.duration_seconds - r.remaining AS focused_seconds, p.paused_at, s.xp_awarded, s.coins_awarded,
       s.task_id, s.task_title
FROM focus_sessions s
LEFT JOIN focus_pause_state p ON p.session_id = s.id
CROSS JOIN LATERAL (SELECT {REMAINING} AS remaining) r
"""

GET_SESSION = f"{SESSION} WHERE s.id = %(id)s AND s.user_id = %(user_id)s"
CURRENT_SESSION = f"{SESSION} WHERE s.user_id = %(user_id)s AND s.status = 'active'"
LIST_SESSIONS = f"""{SESSION}
WHERE s.user_id = %(user_id)s AND (%(status)s::text IS NULL OR s.status = %(status)s)
  AND (%(after_started)s::timestamptz IS NULL OR (s.started_at, s.id) < (%(after_started)s, %(after_id)s::uuid))
ORDER BY s.started_at DESC, s.id DESC
LIMIT %(limit)s
"""

# Sessions past their expiry end as abandoned, keeping the time they had left (focus_complete runs it too).
EXPIRE = "SELECT focus_expire(%(user_id)s)"

# One active session per person: starts are serialised per person by a transaction-scoped advisory lock.
LOCK_PERSON = "SELECT pg_advisory_xact_lock(hashtextextended('focus:' || %(user_id)s::text, 0))"

START = """
WITH s AS (
    INSERT INTO focus_sessions (user_id, mode, duration_seconds, expires_at, task_id, task_title)
    VALUES (%(user_id)s, %(mode)s, %(duration)s, now() + make_interval(secs => %(duration)s + %(grace)s),
            %(task_id)s, %(task_title)s)
    RETURNING id, user_id, duration_seconds
)
INSERT INTO focus_pause_state (user_id, session_id, time_remaining_seconds)
SELECT user_id, id, duration_seconds FROM s
RETURNING session_id
"""

LOCK_SESSION = f"""
SELECT s.status, p.is_paused, {REMAINING} AS remaining, s.mode, s.duration_seconds, p.paused_at IS NULL AS unbroken
FROM focus_sessions s JOIN focus_pause_state p ON p.session_id = s.id
WHERE s.id = %(id)s AND s.user_id = %(user_id)s
FOR UPDATE OF s, p
"""

PAUSE = """
WITH p AS (
    UPDATE focus_pause_state SET is_paused = true, paused_at = now(), time_remaining_seconds = %(remaining)s
    WHERE session_id = %(id)s
)
UPDATE focus_sessions SET expires_at = now() + make_interval(secs => %(max_pause)s) WHERE id = %(id)s
"""

RESUME = """
WITH p AS (
    UPDATE focus_pause_state SET is_paused = false, resumed_at = now() WHERE session_id = %(id)s
)
UPDATE focus_sessions SET expires_at = now() + make_interval(secs => %(remaining)s + %(grace)s) WHERE id = %(id)s
"""

END = """
WITH p AS (
    UPDATE focus_pause_state SET is_paused = false, time_remaining_seconds = %(remaining)s WHERE session_id = %(id)s
)
UPDATE focus_sessions
SET status = %(status)s,
    completed_at = CASE WHEN %(status)s = 'completed' THEN now() END,
    abandoned_at = CASE WHEN %(status)s = 'abandoned' THEN now() END
WHERE id = %(id)s
"""

# The function runs first (the CTE is materialised and read by the main query); if it raises, the whole statement,
# quest progress included, is undone. The minutes a quest counts are only known once the function has run.
COMPLETE = f"""
WITH done AS MATERIALIZED (SELECT focus_complete(%(user_id)s, %(id)s) AS result),
quest_progress AS ({quests.count_in_statement("(SELECT (done.result ->> 'quest_minutes')::integer FROM done)")})
SELECT result FROM done
"""


def expire_sessions(conn: Connection, user_id: UUID) -> None:
    """End the person's sessions that are past their expiry as abandoned."""
    conn.execute(EXPIRE, {"user_id": user_id})


def start_session(conn: Connection, user_id: UUID, body: FocusSessionIn) -> FocusSession:
    """Start a session. Raises: Conflict (focus_session_active) while another one is active."""
    with conn.transaction():
        conn.execute(LOCK_PERSON, {"user_id": user_id})
        expire_sessions(conn, user_id)
        active = fetch_optional(conn, FocusSession, CURRENT_SESSION, {"user_id": user_id})
        if active is not None:
            raise Conflict(
                "Another focus session is active", code="focus_session_active", details={"session_id": str(active.id)}
            )
        params = {
            "user_id": user_id,
            "mode": body.mode,
            "duration": body.duration_seconds,
            "grace": rules.GRACE_SECONDS,
            "task_id": body.task_id,
            "task_title": body.task_title,
        }
        (session_id,) = conn.execute(START, params).fetchone() or (None,)
    return get_session(conn, user_id, session_id)


def get_session(conn: Connection, user_id: UUID, session_id: UUID) -> FocusSession:
    """One of the person's sessions as of now. Raises: NotFound."""
    expire_sessions(conn, user_id)
    return fetch_one(conn, FocusSession, GET_SESSION, {"id": session_id, "user_id": user_id}, resource="focus session")


def current_session(conn: Connection, user_id: UUID) -> FocusSession:
    """The person's active session. Raises: NotFound when there is none."""
    expire_sessions(conn, user_id)
    return fetch_one(conn, FocusSession, CURRENT_SESSION, {"user_id": user_id}, resource="active focus session")


def list_sessions(conn: Connection, user_id: UUID, query: FocusSessionQuery, page: PageRequest) -> Page[FocusSession]:
    """The person's sessions, newest first."""
    expire_sessions(conn, user_id)
    after_started, after_id = page.after_key(datetime, UUID)
    params = {
        "user_id": user_id,
        "status": query.status,
        "after_started": after_started,
        "after_id": after_id,
        "limit": page.limit + 1,
    }
    rows = fetch_all(conn, FocusSession, LIST_SESSIONS, params)
    return page_of(rows, page, key=lambda s: (s.started_at.isoformat(), str(s.id)))


def _lock_active(conn: Connection, user_id: UUID, session_id: UUID) -> tuple[bool, int, str, int, bool]:
    """Lock an active session of the person's; returns (is_paused, remaining, mode, duration, unbroken).

    Raises: NotFound, Conflict (focus_session_ended).
    """
    expire_sessions(conn, user_id)
    row = conn.execute(LOCK_SESSION, {"id": session_id, "user_id": user_id}).fetchone()
    if row is None:
        raise NotFound("focus session")
    status, is_paused, remaining, mode, duration, unbroken = row
    if status != "active":
        raise Conflict(f"The session is already {status}", code="focus_session_ended", details={"status": status})
    return is_paused, remaining, mode, duration, unbroken


def pause_session(conn: Connection, user_id: UUID, session_id: UUID) -> FocusSession:
    """Pause a running session; the time left is kept. Raises: NotFound, Conflict."""
    with conn.transaction():
        is_paused, remaining, *_ = _lock_active(conn, user_id, session_id)
        if is_paused:
            raise Conflict("The session is already paused", code="focus_session_paused")
        params = {"id": session_id, "remaining": remaining, "max_pause": rules.MAX_PAUSE_SECONDS}
        conn.execute(PAUSE, params)
    return get_session(conn, user_id, session_id)


def resume_session(conn: Connection, user_id: UUID, session_id: UUID) -> FocusSession:
    """Resume a paused session from the time it had left. Raises: NotFound, Conflict."""
    with conn.transaction():
        is_paused, remaining, *_ = _lock_active(conn, user_id, session_id)
        if not is_paused:
            raise Conflict("The session is not paused", code="focus_session_not_paused")
        conn.execute(RESUME, {"id": session_id, "remaining": remaining, "grace": rules.GRACE_SECONDS})
    return get_session(conn, user_id, session_id)


def abandon_session(conn: Connection, user_id: UUID, session_id: UUID) -> FocusSession:
    """Give up an active session; it pays nothing. Raises: NotFound, Conflict."""
    with conn.transaction():
        _, remaining, *_ = _lock_active(conn, user_id, session_id)
        conn.execute(END, {"id": session_id, "remaining": remaining, "status": "abandoned"})
    return get_session(conn, user_id, session_id)


def complete_session(conn: Connection, user_id: UUID, session_id: UUID) -> FocusSession:
    """Complete an active session (early or on time) and pay once for the time focused. Raises: NotFound, Conflict."""
    params = {"user_id": user_id, "id": session_id, "target_type": "focus_minutes"}
    (result,) = fetch_row(conn, COMPLETE, params)
    if result["achievements_due"]:
        gamification.check_achievements(conn, user_id)
    return FocusSession.model_validate(result["session"])
