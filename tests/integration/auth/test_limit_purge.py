"""The hourly purge of abuse-limit events (``limits.purge``): the events no limit counts any more go, whoever
their subject, a bounded batch a statement; every event a live window can count stays, so no limit counts
differently after a purge."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from momentum import limits
from momentum.errors import TooManyRequests

OLD = "old"


@pytest.fixture()
def prefix(conn):
    """The test's subjects start with it; their events are deleted afterwards (other tests count a scope's events)."""
    prefix = f"purge-{uuid.uuid4().hex[:8]}-"
    yield prefix
    conn.execute("DELETE FROM rate_limit_events WHERE subject LIKE %s", (prefix + "%",))


def add_events(conn, scope: str, subject: str, *ages_seconds: float) -> None:
    """Events of ``subject`` that happened ``ages_seconds`` ago."""
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO rate_limit_events (scope, subject, created_at) "
            "VALUES (%s, %s, now() - make_interval(secs => %s))",
            [(scope, subject, age) for age in ages_seconds],
        )


def events(conn, prefix: str) -> list[tuple[str, str]]:
    return conn.execute(
        "SELECT scope, subject FROM rate_limit_events WHERE subject LIKE %s ORDER BY scope, subject",
        (prefix + "%",),
    ).fetchall()


def live_count(conn, limit: limits.Limit, subject: str) -> int:
    """What the limit's check counts for ``subject`` (its window), without deleting anything."""
    return conn.execute(
        "SELECT count(*) FROM rate_limit_events WHERE scope = %s AND subject = %s "
        "AND created_at > now() - make_interval(secs => %s)",
        (limit.scope, subject, limit.window_seconds),
    ).fetchone()[0]


def test_old_events_of_every_subject_go_and_every_live_one_stays(conn, prefix):
    age = limits.purge_age_seconds()
    live = []
    for limit in limits.all_limits():
        for n in range(20):  # subjects never seen again: only the purge deletes their events
            add_events(conn, limit.scope, f"{prefix}{OLD}-{n}", age + 1, age + 600, 30 * 86400)
        # Inside the window, past it but inside the margin, and just short of the purge's age.
        for name, ago in (
            ("window", limit.window_seconds - 60),
            ("past", limit.window_seconds + 60),
            ("edge", age - 60),
        ):
            add_events(conn, limit.scope, f"{prefix}{name}", ago)
            live.append((limit.scope, f"{prefix}{name}"))

    figures = limits.purge(conn, batch=7)

    assert events(conn, prefix) == sorted(live)
    assert figures["finished"] is True
    assert figures["deleted"] >= 3 * 20 * len(limits.all_limits())  # other tests' old events, if any, go too
    assert figures["statements"] >= figures["deleted"] / 7


def test_no_limit_counts_differently_after_a_purge(conn, prefix):
    age = limits.purge_age_seconds()
    for limit in limits.all_limits():
        subject = prefix + limit.scope
        # Events across the whole window, and some too old to count, of the same subject.
        add_events(conn, limit.scope, subject, 1, limit.window_seconds / 2, limit.window_seconds - 5, age + 1, age * 2)
        full = limits.Limit(limit.scope, 3, limit.window_seconds, limit.message)
        before = live_count(conn, limit, subject)

        limits.purge(conn)

        assert live_count(conn, limit, subject) == before == 3, limit.scope
        with pytest.raises(TooManyRequests) as error, conn.transaction():
            limits.check(conn, full, subject)  # still at the limit, with the same oldest event
        assert error.value.retry_after == pytest.approx(5, abs=2), limit.scope


class Recording:
    """A connection that notes the rows each statement changed."""

    def __init__(self, conn):
        self.conn, self.rowcounts = conn, []

    def transaction(self):
        return self.conn.transaction()

    def execute(self, query, params=None):
        cursor = self.conn.execute(query, params)
        self.rowcounts.append(cursor.rowcount)
        return cursor


def test_each_statement_deletes_at_most_one_batch(conn, prefix):
    old = limits.purge_age_seconds() + 60
    add_events(conn, "magic_link_ip", prefix + OLD, *[old] * 95)
    recording = Recording(conn)

    figures = limits.purge(recording, batch=10)

    assert max(recording.rowcounts) == 10 and all(count <= 10 for count in recording.rowcounts)
    assert sum(recording.rowcounts) == figures["deleted"] >= 95
    assert len(recording.rowcounts) == figures["statements"] >= 10
    assert recording.rowcounts[-1] < 10 and events(conn, prefix) == []


def test_a_run_out_of_time_stops_and_the_next_goes_on(conn, prefix):
    add_events(conn, "verify_failure", prefix + OLD, *[limits.purge_age_seconds() + 60] * 25)

    first = limits.purge(conn, batch=10, seconds=0)

    assert (first["deleted"], first["statements"], first["finished"]) == (10, 1, False)
    assert limits.purge(conn, batch=10)["finished"] is True
    assert events(conn, prefix) == []


def test_a_row_a_check_holds_is_skipped_not_waited_for(conn, database_url, prefix):
    old = limits.purge_age_seconds() + 60
    add_events(conn, "verify_failure", prefix + "held", old)
    add_events(conn, "verify_failure", prefix + OLD, old, old)
    with psycopg.connect(database_url) as other:  # a check deleting its own subject's expired events
        other.execute("DELETE FROM rate_limit_events WHERE subject = %s", (prefix + "held",))
        conn.execute("SET lock_timeout = '5s'")
        try:
            figures = limits.purge(conn)
        finally:
            conn.execute("RESET lock_timeout")
        assert figures["finished"] is True
        assert events(conn, prefix) == [("verify_failure", prefix + "held")]  # the other's delete is not committed
        other.rollback()
    assert limits.purge(conn)["finished"] is True
    assert events(conn, prefix) == []
