"""Jobs that walk every user or every row of a table, fanned out over a queue.

A job's schedule runs a producer that only cuts the rows (in id order) into ranges of ``Job.batch`` ids and sends
one message per range to the job's queue (``enqueue``); the queue's function computes one range per message
(``handle``). So a job's wall time stays flat as the rows grow (the queue function scales out, up to its
concurrency), and a range that fails is retried, then dead-lettered, alone, while the others are done once.

The jobs (``all_jobs``): the nightly market recommendations (every user) and the sweep of uploads that never arrived
(every track still processing). What else could look like a job is computed per person when it is read or
written, in their local day, so nothing walks all users for it: the daily reward is created on request
(``market.rewards``), a streak reads as 0 once a local day was missed and restarts on the next activity
(``gamification``), and daily, weekly and monthly quests start again when their period turns over
(``quests.progress``).

A purge of one table by age (``Purge``, ``all_purges``) is not a walk of every row: one indexed statement finds the
oldest rows, so it needs no queue. Its schedule calls its function, which deletes ``Purge.batch`` rows a statement
(each its own short transaction) until none are left or its time is spent; the next run goes on from there. The
purges: the abuse-limit events no limit counts any more (``limits.PURGE_JOB``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg import Connection, sql

from momentum import db
from momentum.log import log

SQS_BATCH = 10  # the most messages one SendMessageBatch call takes


@dataclass(frozen=True)
class KeyRange:
    """The rows with ``after < id <= through`` (``after`` None: from the first)."""

    after: UUID | None
    through: UUID

    def message(self) -> dict[str, str | None]:
        return {"after": str(self.after) if self.after else None, "through": str(self.through)}

    @classmethod
    def from_message(cls, body: dict[str, Any]) -> KeyRange:
        """Raises: ValueError (or KeyError, TypeError) for a message that is not a range."""
        after = body.get("after")
        return cls(after=UUID(after) if after is not None else None, through=UUID(body["through"]))


@dataclass(frozen=True)
class Job:
    """A job over the ids of ``table`` (its uuid primary key ``id``) where ``where`` holds, ``batch`` ids a range.

    ``run`` computes one range and returns figures for the log; ``prepare``, if any, runs once in the producer
    before the ranges are cut (work every range shares); ``queue_setting`` names the setting (and so the
    environment variable, in capitals) holding its queue's URL. ``table`` and ``where`` are SQL written here, never
    input.
    """

    name: str
    table: str
    where: str
    batch: int
    queue_setting: str
    run: Callable[[Connection, KeyRange], Mapping[str, Any]]
    prepare: Callable[[Connection], None] | None = None


@dataclass(frozen=True)
class Purge:
    """A purge of ``table``'s rows past an age, run in its scheduled function itself: ``run(conn, batch, seconds)``
    deletes ``batch`` rows a statement for at most about ``seconds`` and returns figures for the log (``finished``
    among them); ``handler`` names its function in functions/scheduled/app.py."""

    name: str
    table: str
    batch: int
    handler: str
    run: Callable[[Connection, int, float], Mapping[str, Any]]


def all_purges() -> dict[str, Purge]:
    """Every purge by name (imported here, as ``all_jobs`` does)."""
    from momentum import limits

    return {purge.name: purge for purge in (limits.PURGE_JOB,)}


def all_jobs() -> dict[str, Job]:
    """Every job by name (imported here, not at the top: a function loads only the domains it runs)."""
    from momentum.market import recommendations
    from momentum.reference import endings

    return {job.name: job for job in (recommendations.JOB, endings.SWEEP_JOB)}


def key_ranges(conn: Connection, table: str, batch: int, where: str = "true") -> Iterator[KeyRange]:
    """The ids of ``table`` where ``where`` holds, in order, cut into ranges of ``batch``: one short round trip per
    range (an index-only walk of one range's ids that sends back only its last), then one for the final, shorter
    range."""
    rows = sql.SQL("FROM {table} WHERE ({where}) AND (%(after)s::uuid IS NULL OR id > %(after)s)").format(
        table=sql.Identifier(table),
        where=sql.SQL(where),  # the job's own SQL (Job.where), never input
    )
    range_end = sql.SQL("SELECT id {rows} ORDER BY id OFFSET %(offset)s LIMIT 1").format(rows=rows)
    last = sql.SQL("SELECT id {rows} ORDER BY id DESC LIMIT 1").format(rows=rows)
    after: UUID | None = None
    while True:
        row = conn.execute(range_end, {"after": after, "offset": batch - 1}).fetchone()
        end = row or conn.execute(last, {"after": after}).fetchone()
        if end is None:
            return
        through: UUID = end[0]
        yield KeyRange(after, through)
        if row is None:
            return
        after = through


def enqueue(conn: Connection, job: Job, sqs: Any, queue_url: str) -> int:
    """The producer: send a message per range of ``job`` to its queue; returns how many ranges were queued.

    Raises: RuntimeError when SQS refuses a message (the run fails visibly; the ranges already queued are computed,
    and computing them again on the next run is harmless, as every job's range is).
    """
    if job.prepare is not None:
        job.prepare(conn)
    ranges = 0
    pending: list[dict[str, str]] = []

    def send() -> None:
        answer = sqs.send_message_batch(QueueUrl=queue_url, Entries=pending)
        if answer.get("Failed"):
            raise RuntimeError(f"SQS refused {len(answer['Failed'])} {job.name} ranges: {answer['Failed']}")
        pending.clear()

    for key_range in key_ranges(conn, job.table, job.batch, job.where):
        pending.append({"Id": str(len(pending)), "MessageBody": json.dumps(key_range.message())})
        ranges += 1
        if len(pending) == SQS_BATCH:
            send()
    if pending:
        send()
    log("job ranges queued", job=job.name, ranges=ranges, batch=job.batch)
    return ranges


def handle(job: Job, event: dict[str, Any]) -> dict[str, Any]:
    """The consumer: compute the range of each SQS message of ``event``; returns SQS's partial batch response, so a
    message whose range failed is retried on its own (then dead-lettered) and the others are done."""
    failures = []
    for record in event.get("Records", []):
        try:
            key_range = KeyRange.from_message(json.loads(record["body"]))
            figures = job.run(db.get_conn(), key_range)
        except Exception:  # noqa: BLE001 - any failure retries this message alone
            log("job range failed", logging.ERROR, exc_info=True, job=job.name, message_id=record.get("messageId"))
            failures.append({"itemIdentifier": record["messageId"]})
        else:
            log("job range done", job=job.name, **figures)
    return {"batchItemFailures": failures}
