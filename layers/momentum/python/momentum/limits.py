"""Abuse limits: at most ``max`` events of a scope and subject within a sliding window, else 429 with Retry-After.

Each limit is a ``Limit`` built from the settings (``momentum.config``), so the numbers live in one place. Events
are rows of ``rate_limit_events``; checks of one scope and subject are serialised by an advisory lock, so a burst
of concurrent requests cannot all pass a limit they exceed together. Both functions run inside the caller's
transaction: an event counted by a request that fails later is rolled back with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import Connection

from momentum import db
from momentum.config import get_settings
from momentum.errors import TooManyRequests


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
