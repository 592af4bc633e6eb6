"""Abuse limits: at most ``max`` events of a scope and subject within a sliding window, else 429 with Retry-After.

Each limit is a ``Limit`` built from the settings (``momentum.config``), so the numbers live in one place. Events
are rows of ``rate_limit_events``; checks of one scope and subject are serialised by an advisory lock, so a burst
of concurrent requests cannot all pass a limit they exceed together. Both functions run inside the caller's
transaction: an event counted by a request that fails later is rolled back with it.

A check forgets its own subject's expired events; the events of a subject never seen again are deleted by the
hourly purge (``PURGE_JOB``, a job of ``momentum.jobs``): everything older than the longest window of
``all_limits`` plus ``PURGE_MARGIN_SECONDS``, in statements of at most ``PURGE_BATCH`` rows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from psycopg import Connection

from momentum import db
from momentum.config import get_settings
from momentum.errors import TooManyRequests
from momentum.jobs import Purge


@dataclass(frozen=True)
class Limit:
    scope: str
    max: int
    window_seconds: int
    message: str


def magic_link_per_ip() -> Limit:
    s = get_settings()
    return Limit(
        "magic_link_ip",
        s.magic_link_per_ip_max,
        s.magic_link_per_ip_window_seconds,
        "Too many sign-in links requested from this address; try again later",
    )


def magic_link_global() -> Limit:
    s = get_settings()
    return Limit(
        "magic_link",
        s.magic_link_global_max,
        s.magic_link_global_window_seconds,
        "Too many sign-in links requested right now; try again later",
    )


def verify_failures() -> Limit:
    s = get_settings()
    return Limit(
        "verify_failure",
        s.verify_failures_max,
        s.verify_lockout_seconds,
        "Too many failed sign-in attempts for this email; try again later",
    )


def all_limits() -> tuple[Limit, ...]:
    """Every limit counted in ``rate_limit_events``: a new limit goes here too, or the purge may delete the events
    it counts."""
    return (magic_link_per_ip(), magic_link_global(), verify_failures())


# Past the longest window, an event stays this long before the purge deletes it: a check counts from its own
# transaction's start (now()), so one that began up to this long before the purge still finds its events.
PURGE_MARGIN_SECONDS = 3600
PURGE_BATCH = 5000  # rows per statement: each is its own short transaction, found by rate_limit_events_created_at_idx


def purge_age_seconds() -> int:
    """How old an event is before no limit can count it any more (the longest window plus the margin)."""
    return max(limit.window_seconds for limit in all_limits()) + PURGE_MARGIN_SECONDS


# One batch of events no limit counts (rate_limit_events_created_at_idx finds them; the table has no key, so the
# rows are named by ctid, which holds within the statement); rows a check holds (deleting its own subject's expired
# events) are skipped rather than waited for, and left to the next run.
_PURGE = """
DELETE FROM rate_limit_events
WHERE ctid = ANY(ARRAY(
    SELECT ctid FROM rate_limit_events
    WHERE created_at < now() - make_interval(secs => %(age)s)
    LIMIT %(batch)s
    FOR UPDATE SKIP LOCKED
))
"""


def purge(conn: Connection, batch: int = PURGE_BATCH, seconds: float = 60.0) -> dict[str, Any]:
    """Delete the events no limit counts any more, ``batch`` rows a statement, until none are left or ``seconds``
    are spent (a statement started just before the end still runs to its end); returns how many rows went, in how
    many statements, and whether it finished (when not, the next run goes on where this one stopped)."""
    deadline = time.monotonic() + seconds
    params = {"age": purge_age_seconds(), "batch": batch}
    deleted = statements = 0
    while True:
        with conn.transaction():
            gone = conn.execute(_PURGE, params).rowcount
        deleted += gone
        statements += 1
        if gone < batch:
            return {"deleted": deleted, "statements": statements, "finished": True}
        if time.monotonic() >= deadline:
            return {"deleted": deleted, "statements": statements, "finished": False}


PURGE_JOB = Purge(
    name="rate-limit-purge",
    table="rate_limit_events",
    batch=PURGE_BATCH,
    handler="purge_rate_limit_events",
    run=purge,
)


# Forget this subject's events that left the window, count the rest, and say when the oldest one leaves it.
_COUNT = """
WITH expired AS (
    DELETE FROM rate_limit_events
    WHERE scope = %(scope)s AND subject = %(subject)s AND created_at <= now() - make_interval(secs => %(window)s)
)
SELECT count(*)::int,
       coalesce(ceil(extract(epoch FROM min(created_at) + make_interval(secs => %(window)s) - now())), 0)::int
FROM rate_limit_events
WHERE scope = %(scope)s AND subject = %(subject)s AND created_at > now() - make_interval(secs => %(window)s)
"""
_RECORD = "INSERT INTO rate_limit_events (scope, subject) VALUES (%s, %s)"
_CLEAR = "DELETE FROM rate_limit_events WHERE scope = %s AND subject = %s"


def check(conn: Connection, limit: Limit, subject: str) -> None:
    """Raise when ``subject`` used up ``limit``; call inside a transaction (it holds the subject's lock).

    Raises: TooManyRequests, with the seconds until the oldest counted event leaves the window.
    """
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"limit:{limit.scope}:{subject}",))
    count, retry_after = db.fetch_row(
        conn, _COUNT, {"scope": limit.scope, "subject": subject, "window": limit.window_seconds}
    )
    if count >= limit.max:
        raise TooManyRequests(limit.message, retry_after=max(1, retry_after))


def take(conn: Connection, limit: Limit, subject: str) -> None:
    """Check the limit, then count one event. Raises: TooManyRequests."""
    check(conn, limit, subject)
    record(conn, limit, subject)


def record(conn: Connection, limit: Limit, subject: str) -> None:
    conn.execute(_RECORD, (limit.scope, subject))


def clear(conn: Connection, limit: Limit, subject: str) -> None:
    """Forget the subject's events (a successful sign-in ends the count of failures)."""
    conn.execute(_CLEAR, (limit.scope, subject))
