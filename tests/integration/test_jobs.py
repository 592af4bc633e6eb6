"""Jobs over all users run as template.yaml wires them, end to end, the way ``momentum jobs run`` runs them
locally: the scheduled producer queues ranges on SQS (moto, with the template's redrive), the queue's function
computes each range, and a range that fails is received again on its own while the others are computed once."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections import Counter

import pytest
from momentum.market import recommendations

RANGES = 4


@pytest.fixture()
def sqs_queues(monkeypatch):
    """The template's queues on moto; the recommendations producer points at its queue."""
    import boto3
    from momentum.config import get_settings
    from momentum_infra import localstack
    from moto import mock_aws

    with mock_aws():
        sqs = boto3.client("sqs")
        queues = localstack.create_queues(sqs)
        monkeypatch.setenv("RECOMMENDATIONS_QUEUE_URL", queues["RecommendationsQueue"])
        get_settings.cache_clear()
        try:
            yield sqs, queues
        finally:
            monkeypatch.delenv("RECOMMENDATIONS_QUEUE_URL")
            get_settings.cache_clear()


@pytest.fixture()
def ranges_of_users(conn, make_user, monkeypatch):
    """Ranges small enough that every user there is makes RANGES of them; returns (users in id order, batch)."""
    for _ in range(RANGES):
        make_user()
    users = [user_id for (user_id,) in conn.execute("SELECT id FROM users ORDER BY id")]
    batch = -(-len(users) // RANGES)
    return users, batch


def run_recommendations(sqs, queues):
    from momentum_infra import localstack
    from momentum_infra import template as tpl

    wiring = tpl.job_wiring()["RECOMMENDATIONS_QUEUE_URL"]
    return localstack.run_job(localstack.LocalStack(routes=[]), sqs, queues, "recommendations", wiring)


def flaky_job(monkeypatch, users, batch: int, fails: int):
    """The recommendations job in ranges of ``batch`` users, whose second range fails its first ``fails`` times;
    returns that range and the attempts made, in order, as (range, users computed or None when it failed)."""
    second = recommendations.UserRange(after=users[batch - 1], through=users[2 * batch - 1])
    attempts: list[tuple[recommendations.UserRange, int | None]] = []
    real = recommendations.JOB.run

    def run(conn, users_range):
        if users_range == second and sum(1 for r, _ in attempts if r == second) < fails:
            attempts.append((users_range, None))
            raise ConnectionError("the database went away mid-range")
        figures = real(conn, users_range)
        attempts.append((users_range, figures["users"]))
        return figures

    monkeypatch.setattr(recommendations, "JOB", dataclasses.replace(recommendations.JOB, batch=batch, run=run))
    return second, attempts


def test_a_failing_range_is_retried_alone_and_every_user_is_computed_once(sqs_queues, ranges_of_users, monkeypatch):
    sqs, queues = sqs_queues
    users, batch = ranges_of_users
    second, attempts = flaky_job(monkeypatch, users, batch, fails=1)

    run = run_recommendations(sqs, queues)

    assert (run.ranges, run.deliveries, run.failures, run.dead_lettered) == (RANGES, RANGES + 1, 1, 0)
    tries = Counter(users_range for users_range, _ in attempts)
    assert tries[second] == 2  # failed, then received again and computed
    assert len(tries) == RANGES and all(count == 1 for r, count in tries.items() if r != second)  # none redone
    assert sum(computed for _, computed in attempts if computed is not None) == len(users)  # everyone, once
    done = sorted((r for r, computed in attempts if computed is not None), key=lambda r: str(r.through))
    assert done[0].after is None and done[-1].through == users[-1]
    assert all(later.after == earlier.through for earlier, later in zip(done, done[1:], strict=False))


def test_a_range_that_keeps_failing_is_dead_lettered_and_the_others_are_done(sqs_queues, ranges_of_users, monkeypatch):
    sqs, queues = sqs_queues
    users, batch = ranges_of_users
    second, attempts = flaky_job(monkeypatch, users, batch, fails=99)

    run = run_recommendations(sqs, queues)

    assert (run.ranges, run.failures, run.dead_lettered) == (RANGES, 3, 1)  # three receives: maxReceiveCount
    assert [r for r, computed in attempts if computed is None] == [second] * 3
    assert sum(computed for _, computed in attempts if computed is not None) == len(users) - batch
    (dead,) = sqs.receive_message(QueueUrl=queues["RecommendationsDeadLetterQueue"])["Messages"]
    assert recommendations.UserRange.from_message(json.loads(dead["Body"])) == second


def test_the_cli_lists_the_jobs_and_runs_one(capsys, database_url):
    from momentum_infra import cli

    assert cli.main(["jobs", "list"]) == 0
    listed = capsys.readouterr().out
    assert "recommendations" in listed and "upload-sweep" in listed

    assert "rate-limit-purge" in listed and "PurgeRateLimitEventsFunction" in listed

    assert cli.main(["jobs", "run", "upload-sweep"]) == 0
    assert "upload-sweep:" in capsys.readouterr().err
    assert cli.main(["jobs", "run", "nightly-everything"]) == 2


def add_old_events(conn, subject: str, count: int = 1) -> None:
    """Events of ``subject`` a minute older than the purge deletes."""
    from momentum import limits

    conn.execute(
        "INSERT INTO rate_limit_events (scope, subject, created_at) "
        "SELECT 'magic_link_ip', %s, now() - make_interval(secs => %s) FROM generate_series(1, %s)",
        (subject, limits.purge_age_seconds() + 60, count),
    )


def events_of(conn, subject: str) -> int:
    return conn.execute("SELECT count(*) FROM rate_limit_events WHERE subject = %s", (subject,)).fetchone()[0]


def test_the_cli_runs_the_purge_through_its_scheduled_function(capsys, conn):
    from momentum_infra import cli

    subject = f"cli-purge-{uuid.uuid4().hex[:8]}"
    add_old_events(conn, subject, 3)

    assert cli.main(["jobs", "run", "rate-limit-purge"]) == 0

    assert "rate-limit-purge:" in (err := capsys.readouterr().err) and "none left" in err
    assert events_of(conn, subject) == 0


def test_the_local_stack_runs_the_hourly_purge(conn):
    """`momentum dev` runs every schedule of the template: here an hour passes in a second (the five-minute sweep,
    sped up as much, finds no queue here and says so)."""
    import threading
    import time
    from datetime import UTC, datetime, timedelta

    from momentum_infra import localstack

    subject = f"dev-purge-{uuid.uuid4().hex[:8]}"
    add_old_events(conn, subject)
    stop = threading.Event()
    started, morning = time.monotonic(), datetime(2026, 1, 1, 4, 0, tzinfo=UTC)  # the nightly run is a day away
    try:
        scheduled = localstack.start_schedules(
            localstack.LocalStack(routes=[]),
            stop,
            speedup=3600,
            clock=lambda: morning + timedelta(seconds=time.monotonic() - started),
        )
        assert "PurgeRateLimitEventsFunction" in scheduled
        deadline = time.monotonic() + 15
        while events_of(conn, subject) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        for thread in threading.enumerate():
            if thread.name.startswith("schedule-"):
                thread.join(5)
    assert events_of(conn, subject) == 0


def test_the_local_stack_runs_the_nightly_producer_at_its_time_through_the_queue(conn, sqs_queues, make_user):
    """`momentum dev` runs the cron schedule at 03:30 UTC: here the clock starts a second before."""
    import threading
    import time
    from datetime import UTC, datetime, timedelta

    from momentum_infra import localstack

    from tests.integration.market.helpers import make_item

    sqs, queues = sqs_queues
    free = make_item(conn, cost_coins=0)  # affordable for everyone, so every user gets a recommendation
    newcomer = make_user().id
    stack = localstack.LocalStack()
    delivery = localstack.start_queue_delivery(stack, None, queues)
    stop = threading.Event()
    started, before = time.monotonic(), datetime(2026, 1, 1, 3, 29, 59, tzinfo=UTC)
    try:
        scheduled = localstack.start_schedules(
            stack, stop, clock=lambda: before + timedelta(seconds=time.monotonic() - started)
        )
        assert "ScheduledFunction" in scheduled
        deadline = time.monotonic() + 15
        while not (computed := stored(conn, newcomer)) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        delivery.set()
        for thread in threading.enumerate():
            if thread.name.startswith(("schedule-", "sqs-")):
                thread.join(5)  # each closes its database connection as it ends
        conn.execute("DELETE FROM market_recommendations WHERE item_id = %s", (free,))
        conn.execute("DELETE FROM market_items WHERE id = %s", (free,))  # other tests' shops stay as they were
    assert computed


def stored(conn, user_id) -> bool:
    return conn.execute(
        "SELECT EXISTS (SELECT 1 FROM market_recommendations WHERE user_id = %s)", (user_id,)
    ).fetchone()[0]
