"""The analysis function's work: from an upload event to stored results.

An event names an object; the object's bytes go through the analyser (``momentum.analysis``, numpy) and the
result into the database (``runs``). Only the analysis function imports this module.

Failures are sorted by what a retry would do:
- the file is not usable audio (empty, corrupt, truncated, not audio, too large, missing): the track is set to
  ``error`` with a message for the user, and the message is not retried — it would fail the same way;
- the database or S3 is unreachable: the run is put back to pending and the message retried (SQS redelivers it;
  after a few receives it goes to the dead-letter queue);
- an unknown key, another bucket, a test event or an unreadable message: logged and dropped.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from typing import Any

import psycopg

from momentum import db, metrics
from momentum.analysis import ANALYZER_VERSION, DecodeError, analyze_bytes, fingerprint
from momentum.config import get_settings
from momentum.log import log
from momentum.reference import runs
from momentum.reference.notifications import StoredObject, messages_in
from momentum.reference.runs import Claim, Step
from momentum.reference.storage import ObjectMissing, ObjectTooLarge, Storage, StoredFile, get_storage

PERSIST_MARGIN_S = 60  # stop analysing this long before the function's deadline, to store the error in time


class RetryLater(Exception):
    """A transient failure: the message should be delivered again."""


class OutOfTime(Exception):
    pass


class Outcome(enum.Enum):
    ANALYZED = "analyzed"
    DUPLICATE = "duplicate"
    FAILED = "failed"  # the track is in error; not retried
    UNKNOWN = "unknown"  # no track has this key; dropped
    IGNORED = "ignored"  # another bucket


def _transient(error: BaseException) -> bool:
    """Errors a retry can cure: a database or network hiccup, S3 throttling or a 5xx."""
    if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
        return True
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - boto3 is in every Lambda runtime
        return False
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return status >= 500 or status == 429 or "Throttl" in error.response.get("Error", {}).get("Code", "")
    return isinstance(error, BotoCoreError)


def handle_event(
    event: dict[str, Any],
    remaining_ms: Callable[[], int] | None = None,
    conn: psycopg.Connection | None = None,
    store: Storage | None = None,
) -> dict[str, Any]:
    """Analyse the objects an SQS or S3 event names; returns the SQS partial-batch response.

    Transient failures of an SQS message are reported in ``batchItemFailures``; for a plain S3 event (no
    messages to report) they raise, so Lambda's own retries apply.
    """
    deadline = time.monotonic() + remaining_ms() / 1000 - PERSIST_MARGIN_S if remaining_ms else None
    failures = []
    for message in messages_in(event):
        if message.problem:
            log(
                "dropped an unreadable message", logging.WARNING, message_id=message.message_id, problem=message.problem
            )
            continue
        try:
            for obj in message.objects:
                outcome = analyze_object(obj, deadline, conn or db.get_conn(), store or get_storage())
                metrics.record_analysis(outcome.value)
                log("analysis", outcome=outcome.value, key=obj.key, event=obj.event_name, message_id=message.message_id)
        except RetryLater as error:
            log("analysis will be retried", logging.WARNING, message_id=message.message_id, reason=str(error))
            if message.message_id is None:
                raise
            failures.append({"itemIdentifier": message.message_id})
    return {"batchItemFailures": failures}


def analyze_object(obj: StoredObject, deadline: float | None, conn: psycopg.Connection, store: Storage) -> Outcome:
    """Analyse one stored object and store the result (or the reason it cannot be analysed) on its track.

    Raises: RetryLater for transient failures (the run, if started, is back to pending).
    """
    settings = get_settings()
    if obj.bucket != settings.upload_bucket:
        log("event for another bucket ignored", logging.WARNING, bucket=obj.bucket, key=obj.key)
        return Outcome.IGNORED
    claim = None
    try:
        track = runs.find_track_by_key(conn, obj.key)
        if track is None:
            log("no track has this key; event dropped", logging.WARNING, key=obj.key)
            return Outcome.UNKNOWN
        try:
            stored = store.read(obj.bucket, obj.key, settings.upload_max_bytes)
        except ObjectMissing:
            runs.fail_unreadable_upload(conn, track.id, "The uploaded file is missing from storage")
            return Outcome.FAILED
        except ObjectTooLarge as error:
            runs.fail_unreadable_upload(
                conn, track.id, f"The file is {error.size} bytes, more than the {error.max_bytes} allowed"
            )
            return Outcome.FAILED
        if (mismatch := upload_mismatch(track, stored)) is not None:
            runs.fail_unreadable_upload(conn, track.id, mismatch)
            return Outcome.FAILED
        data = stored.data
        started = runs.claim_run(conn, track.id, fingerprint(data), ANALYZER_VERSION)
        if not isinstance(started, Claim):
            if started.step is Step.BUSY:
                raise RetryLater("another analysis of this track is running")
            return Outcome.FAILED if started.step is Step.GIVE_UP else Outcome.DUPLICATE
        claim = started
        return _run(conn, claim, data, deadline)
    except RetryLater:
        raise
    except Exception as error:
        if _transient(error):
            if claim is not None:
                _release(conn, claim)
            raise RetryLater(f"{type(error).__name__}: {error}") from error
        if claim is None:
            raise
        # A fault of ours in storing the result: retrying would repeat it, and the track must not stay
        # "processing" for ever. Logged for us; the user sees an error and may reanalyse after a fix.
        log("storing the analysis failed", logging.ERROR, exc_info=True, track_id=claim.track_id, run_id=claim.run_id)
        runs.fail_run(conn, claim, "The analysis could not be stored; try reanalysing later")
        return Outcome.FAILED


def _media_type(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def upload_mismatch(track: runs.TrackRef, stored: StoredFile) -> str | None:
    """Why the stored file is not the one the track declared (its size or its type), or None when it is.

    The upload form's policy holds both in AWS; this holds them whatever put the object there.
    """
    if len(stored.data) != track.file_size_bytes:
        return (
            f"The uploaded file is {len(stored.data)} bytes, but the track was created for a file of "
            f"{track.file_size_bytes} bytes; add the track again with its file"
        )
    if _media_type(stored.content_type) != _media_type(track.mime_type):
        return (
            f"The uploaded file is of type {stored.content_type or 'unknown'}, but the track was created for "
            f"{track.mime_type}; add the track again with its file"
        )
    return None


def _run(conn: psycopg.Connection, claim: Claim, data: bytes, deadline: float | None) -> Outcome:
    def check_time(_fraction: float) -> None:
        if deadline is not None and time.monotonic() > deadline:
            raise OutOfTime

    started = time.perf_counter()
    try:
        result = analyze_bytes(data, progress=check_time)
    except DecodeError as error:
        runs.fail_run(conn, claim, f"The file could not be decoded as audio: {error}")
        return Outcome.FAILED
    except OutOfTime:
        runs.fail_run(conn, claim, "The track is too long to analyse in the time allowed")
        return Outcome.FAILED
    except Exception:
        # A file the analyser cannot cope with fails the same way every time: record it, do not retry.
        log("analyser failed", logging.ERROR, exc_info=True, track_id=claim.track_id, run_id=claim.run_id)
        runs.fail_run(conn, claim, "The analysis failed on this file; try reanalysing later")
        return Outcome.FAILED
    metrics.record_analysis_speed(time.perf_counter() - started, result.duration_seconds)
    stored = runs.complete_run(conn, claim, result)
    return Outcome.ANALYZED if stored else Outcome.DUPLICATE


def _release(conn: psycopg.Connection, claim: Claim) -> None:
    # Best effort, on a fresh connection if the failed one broke. If this fails too, the run goes stale and the
    # next delivery takes it over.
    try:
        runs.release_run(db.get_conn() if conn.closed or conn.broken else conn, claim)
    except Exception:
        log("could not release the analysis run", logging.WARNING, exc_info=True, run_id=claim.run_id)
