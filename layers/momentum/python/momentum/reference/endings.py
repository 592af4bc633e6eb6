"""Every upload ends: tracks whose file never arrived, and analyses whose messages gave up, end as ``error`` with
a message the client shows (instead of ``processing`` for ever).

- ``SWEEP_JOB``: a scheduled sweep, fanned out as every job over all rows is (``momentum.jobs``): every five
  minutes ``SweepUploadsFunction`` queues the tracks still ``processing`` in ranges of ``SWEEP_BATCH`` ids and
  ``SweepUploadsBatchFunction`` sweeps one range per message (``sweep_range``). A track still ``processing`` whose
  upload form expired and whose analysis never started never got its file. ``sweep_expired_uploads`` sweeps every
  track in one statement (``momentum sweep``).
- ``end_dead_letters``: the handler of the analysis dead-letter queue. A message lands there after its deliveries
  all failed for a transient reason (database or S3 down); its track and runs would otherwise stay as they were.

If a late file arrives after all (an upload that began just before its form expired), its notification starts a
new run as usual and the track becomes ready: an ending here is never a dead end.
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from psycopg import Connection

from momentum.config import get_settings
from momentum.jobs import Job, KeyRange
from momentum.log import log
from momentum.reference.notifications import messages_in

UPLOAD_NEVER_ARRIVED = "The file was never uploaded and its upload link has expired; add the track again"
GAVE_UP = "The analysis could not run (a service was unavailable); try reanalysing the track"

SWEEP_BATCH = 1000
# The rows the sweep's ranges cut: tracks still processing (reference_tracks_status_idx finds them).
PROCESSING = "status = 'processing'"

# SKIP LOCKED: a track the analysis holds right now is being analysed, not abandoned. A range (first, last] of ids
# limits one run to one queue message's tracks; NULLs for both sweep them all.
SWEEP = """
WITH expired AS (
    SELECT t.id FROM reference_tracks t
    WHERE t.status = 'processing' AND t.created_at < now() - make_interval(secs => %(after)s)
      AND (%(first)s::uuid IS NULL OR t.id > %(first)s) AND (%(last)s::uuid IS NULL OR t.id <= %(last)s)
      AND NOT EXISTS (SELECT 1 FROM track_analyses a WHERE a.track_id = t.id AND a.status <> 'pending')
    FOR UPDATE OF t SKIP LOCKED
), failed_runs AS (
    UPDATE track_analyses a SET status = 'error', error_message = %(message)s, completed_at = now()
    FROM expired WHERE a.track_id = expired.id AND a.status = 'pending'
)
UPDATE reference_tracks t SET status = 'error', error_message = %(message)s
FROM expired WHERE t.id = expired.id
RETURNING t.id
"""

# A track already ready or in error keeps its state: the dead message was a redelivery of finished work.
END_DEAD_LETTER = """
WITH track AS (
    SELECT id FROM reference_tracks WHERE r2_key = %(key)s AND status = 'processing' FOR UPDATE
), failed_runs AS (
    UPDATE track_analyses a SET status = 'error', error_message = %(message)s, completed_at = now()
    FROM track WHERE a.track_id = track.id AND a.status IN ('pending', 'running')
)
UPDATE reference_tracks t SET status = 'error', error_message = %(message)s
FROM track WHERE t.id = track.id
RETURNING t.id
"""


def sweep_expired_uploads(conn: Connection, tracks: KeyRange | None = None) -> int:
    """End every track (or every track of a range of ids) whose upload form expired with no file; returns how
    many."""
    params = {
        "after": get_settings().upload_url_ttl_seconds,
        "message": UPLOAD_NEVER_ARRIVED,
        "first": tracks.after if tracks else None,
        "last": tracks.through if tracks else None,
    }
    with conn.transaction():
        ended = conn.execute(SWEEP, params).fetchall()
    return len(ended)


def sweep_range(conn: Connection, tracks: KeyRange) -> dict[str, Any]:
    """One queue message of the sweep: end the expired uploads among these tracks."""
    return {"ended": sweep_expired_uploads(conn, tracks)}


SWEEP_JOB = Job(
    name="upload-sweep",
    table="reference_tracks",
    where=PROCESSING,
    batch=SWEEP_BATCH,
    queue_setting="upload_sweep_queue_url",
    run=sweep_range,
)


def end_dead_letters(conn: Connection, event: dict[str, Any]) -> dict[str, Any]:
    """End the tracks the dead messages of an SQS event name; returns SQS's partial-batch response (a message is
    retried only when the database cannot be reached)."""
    failures = []
    bucket = get_settings().upload_bucket
    for message in messages_in(event):
        if message.problem:
            log("dropped an unreadable dead letter", logging.WARNING, message_id=message.message_id)
            continue
        try:
            with conn.transaction():
                for obj in message.objects:
                    if obj.bucket != bucket:
                        continue
                    ended = conn.execute(END_DEAD_LETTER, {"key": obj.key, "message": GAVE_UP}).fetchall()
                    log("dead letter", key=obj.key, ended=len(ended), message_id=message.message_id)
        except psycopg.OperationalError:
            if message.message_id is None:
                raise
            failures.append({"itemIdentifier": message.message_id})
    return {"batchItemFailures": failures}
