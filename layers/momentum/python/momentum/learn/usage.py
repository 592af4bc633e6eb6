"""Daily caps on learning rewards: what a user has used of a cap on their local day (their ``timezone`` setting,
read inside the statement by ``user_time_zone``), taken under a row lock so that concurrent requests never pay past
the cap together."""

from __future__ import annotations

from uuid import UUID

from psycopg import Connection

# Today's row, created if need be and locked (the no-op update takes the row lock) until the transaction ends.
LOCK = """
INSERT INTO learn_daily_usage AS u (user_id, day, bucket)
VALUES (%(u)s, (now() AT TIME ZONE user_time_zone(%(u)s))::date, %(b)s)
ON CONFLICT (user_id, day, bucket) DO UPDATE SET amount = u.amount
RETURNING amount, day
"""
USE = """
UPDATE learn_daily_usage SET amount = amount + %(n)s
WHERE user_id = %(u)s AND day = %(d)s AND bucket = %(b)s
"""


def take(conn: Connection, user_id: UUID, bucket: str, wanted: int, cap: int) -> int:
    """Take up to ``wanted`` from today's ``cap`` of ``bucket``; returns what was granted (0 when used up).
    Call inside the transaction that pays it, so a rollback gives it back."""
    if wanted <= 0 or cap <= 0:
        return 0
    params: dict[str, object] = {"u": user_id, "b": bucket}
    row = conn.execute(LOCK, params).fetchone()
    assert row is not None  # an upsert with RETURNING always answers a row
    used: int = row[0]
    params["d"] = row[1]
    granted = max(0, min(wanted, cap - used))
    if granted:
        conn.execute(USE, params | {"n": granted})
    return granted
