"""The analysis runs of a track (``track_analyses``): the state machine the analysis function drives.

A run goes pending → running → completed or error. Delivery of upload events is at least once, so claiming a
run is idempotent: under a row lock on the track, a delivery that finds the same content (fingerprint) already
analysed by the same analyser version, or being analysed right now, does nothing. The fingerprint, the
analyser version and the number of attempts of a run live in its ``manifest`` from the moment it starts; once
completed, the manifest also describes the stored frames.

A track has one current result: completing a run replaces the track's earlier completed runs (their frames and
events go with them). Failed runs stay as the track's history. The read API of results is
``momentum.reference.results``.

Nothing here imports numpy: the analysis function's ``pipeline`` module runs the analyser and hands its result
to ``complete_run``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID, uuid4

from psycopg import Connection
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from momentum import db

RUN_TYPE = "full"  # the analyser computes rhythm, harmony, structure, loudness and frames in one pass
PENDING_VERSION = ""  # a pending run has no analyser yet: the attempt that starts it records its version
CHUNK_SIZE_FRAMES = 1000
# A run still "running" this long after it started outlived the analysis function's timeout (900 s): it died.
STALE_AFTER_SECONDS = 960
MAX_ATTEMPTS = 2  # a run whose attempts died this often is failed, not retried (it would die again)
STALE_RUN_MESSAGE = "The analysis stopped before finishing, twice (out of time or memory?); try reanalysing"
ABANDONED_RUN_MESSAGE = "Abandoned: the attempt stopped before finishing"


@dataclass(frozen=True)
class TrackRef:
    id: UUID
    user_id: UUID
    r2_key: str
    file_size_bytes: int  # as the client declared them when it created the track
    mime_type: str


@dataclass(frozen=True)
class RunState:
    id: UUID
    status: str
    version: str
    fingerprint: str | None
    attempts: int
    stale: bool


class Step(enum.Enum):
    START = "start"  # analyse now (run_id: the run to start, or None for a new one)
    DUPLICATE = "duplicate"  # this content was analysed, or is being analysed: nothing to do
    BUSY = "busy"  # another analysis of the track is running: try again later
    GIVE_UP = "give_up"  # earlier attempts of this run died: fail it instead of dying again


@dataclass(frozen=True)
class Plan:
    step: Step
    run_id: UUID | None = None
    attempts: int = 1


@dataclass(frozen=True)
class Claim:
    """A started run. ``started_at`` is the claim token: a later takeover of the run changes it."""

    run_id: UUID
    track_id: UUID
    started_at: datetime
    fingerprint: str
    version: str


def plan_run(runs: list[RunState], fingerprint: str, version: str) -> Plan:
    """What a delivery of content with this fingerprint should do, given the track's runs (oldest first).

    Pure: the rules of idempotent, one-at-a-time analysis, in order.
    """

    def same(run: RunState) -> bool:
        return run.fingerprint == fingerprint and run.version == version

    pending = [r for r in runs if r.status == "pending"]
    live = [r for r in runs if r.status == "running" and not r.stale]
    if live:
        # A redelivery while its own analysis runs is a duplicate; anything else waits for that run to end.
        return Plan(Step.DUPLICATE) if not pending and any(same(r) for r in live) else Plan(Step.BUSY)
    if pending:  # a new upload or a reanalysis request
        return Plan(Step.START, pending[0].id, pending[0].attempts + 1)
    if any(same(r) and r.status in ("completed", "error") for r in runs):
        return Plan(Step.DUPLICATE)
    dead = [r for r in runs if r.status == "running" and same(r)]
    if dead:
        run = dead[-1]
        if run.attempts >= MAX_ATTEMPTS:
            return Plan(Step.GIVE_UP, run.id, run.attempts)
        return Plan(Step.START, run.id, run.attempts + 1)
    return Plan(Step.START)  # new content under the key (a second upload with the same form)


FIND_TRACK_BY_KEY = """
SELECT id, user_id, r2_key, file_size_bytes, mime_type FROM reference_tracks WHERE r2_key = %s
ORDER BY created_at LIMIT 1
"""
LOCK_TRACK = "SELECT id FROM reference_tracks WHERE id = %s FOR UPDATE"
RUNS_OF_TRACK = """
SELECT id, status, version, manifest->>'fingerprint' AS fingerprint,
       coalesce((manifest->>'attempts')::int, 0) AS attempts,
       status = 'running' AND started_at < now() - make_interval(secs => %s) AS stale
FROM track_analyses WHERE track_id = %s ORDER BY created_at, id
"""
START_RUN = """
UPDATE track_analyses
SET status = 'running', version = %(version)s, started_at = clock_timestamp(), completed_at = NULL,
    error_message = NULL, summary = NULL, manifest = %(manifest)s
WHERE id = %(run_id)s
RETURNING started_at
"""
INSERT_RUNNING = """
INSERT INTO track_analyses (track_id, analysis_type, version, status, started_at, manifest)
VALUES (%(track_id)s, %(run_type)s, %(version)s, 'running', clock_timestamp(), %(manifest)s)
RETURNING id, started_at
"""
ABANDON_DEAD_RUNS = """
UPDATE track_analyses SET status = 'error', error_message = %s, completed_at = now()
WHERE track_id = %s AND status = 'running' AND started_at < now() - make_interval(secs => %s) AND id <> %s
"""
MARK_TRACK_PROCESSING = "UPDATE reference_tracks SET status = 'processing', error_message = NULL WHERE id = %s"
FAIL_RUN = """
UPDATE track_analyses SET status = 'error', error_message = %(message)s, completed_at = now()
WHERE id = %(run_id)s AND status = 'running' AND started_at = %(started_at)s
RETURNING id
"""
FAIL_TRACK = "UPDATE reference_tracks SET status = 'error', error_message = %s WHERE id = %s"
FAIL_PENDING_RUNS = """
UPDATE track_analyses SET status = 'error', error_message = %s, completed_at = now()
WHERE track_id = %s AND status = 'pending'
"""
GIVE_UP_RUN = "UPDATE track_analyses SET status = 'error', error_message = %s, completed_at = now() WHERE id = %s"
RELEASE_RUN = """
UPDATE track_analyses SET status = 'pending', started_at = NULL
WHERE id = %s AND status = 'running' AND started_at = %s
"""
COMPLETE_RUN = """
UPDATE track_analyses
SET status = 'completed', completed_at = now(), error_message = NULL, summary = %(summary)s, manifest = %(manifest)s
WHERE id = %(run_id)s AND status = 'running' AND started_at = %(started_at)s
RETURNING id
"""
DELETE_REPLACED_RESULTS = "DELETE FROM track_analyses WHERE track_id = %s AND status = 'completed' AND id <> %s"
INSERT_MANIFEST = """
INSERT INTO analysis_frame_manifests (id, analysis_id, manifest_version, hop_ms, frame_count, duration_ms,
    sample_rate, bands, bytes_per_frame, frame_layout, events, fingerprint, analyzer_version, chunk_size_frames,
    total_chunks)
VALUES (%(id)s, %(analysis_id)s, %(manifest_version)s, %(hop_ms)s, %(frame_count)s, %(duration_ms)s,
    %(sample_rate)s, %(bands)s, %(bytes_per_frame)s, %(frame_layout)s, %(events)s, %(fingerprint)s,
    %(analyzer_version)s, %(chunk_size_frames)s, %(total_chunks)s)
"""
COPY_CHUNKS = """
COPY analysis_frame_data (manifest_id, chunk_index, start_frame, end_frame, start_time_ms, end_time_ms, frame_data,
    frame_count, compressed, compression_type) FROM STDIN
"""
COPY_EVENTS = """
COPY analysis_events (analysis_id, time_ms, duration_ms, event_type, event_data, confidence) FROM STDIN
"""
FINISH_TRACK = """
UPDATE reference_tracks
SET duration_seconds = %(duration_seconds)s, bpm = %(bpm)s, key_signature = %(key_signature)s, status = 'ready',
    error_message = NULL
WHERE id = %(track_id)s
"""


def find_track_by_key(conn: Connection, key: str) -> TrackRef | None:
    """The track whose file is stored under this object key, if any."""
    with conn.cursor(row_factory=class_row(TrackRef)) as cur:
        return cur.execute(FIND_TRACK_BY_KEY, (key,)).fetchone()


def claim_run(conn: Connection, track_id: UUID, fingerprint: str, version: str) -> Claim | Plan:
    """Start the run this content calls for, or say why not (a Plan of DUPLICATE, BUSY or GIVE_UP).

    One transaction under a row lock on the track, so concurrent deliveries of one upload start one run.
    A GIVE_UP plan has already failed the run and the track. A deleted track gives DUPLICATE: nothing to do.
    """
    with conn.transaction():
        if conn.execute(LOCK_TRACK, (track_id,)).fetchone() is None:
            return Plan(Step.DUPLICATE)
        with conn.cursor(row_factory=class_row(RunState)) as cur:
            runs = cur.execute(RUNS_OF_TRACK, (STALE_AFTER_SECONDS, track_id)).fetchall()
        plan = plan_run(runs, fingerprint, version)
        if plan.step is Step.GIVE_UP:
            conn.execute(GIVE_UP_RUN, (STALE_RUN_MESSAGE, plan.run_id))
            conn.execute(FAIL_TRACK, (STALE_RUN_MESSAGE, track_id))
        if plan.step is not Step.START:
            return plan
        manifest = Jsonb({"fingerprint": fingerprint, "analyzer_version": version, "attempts": plan.attempts})
        if plan.run_id is None:
            run_id, started_at = db.fetch_row(
                conn,
                INSERT_RUNNING,
                {"track_id": track_id, "run_type": RUN_TYPE, "version": version, "manifest": manifest},
            )
        else:
            run_id = plan.run_id
            (started_at,) = db.fetch_row(conn, START_RUN, {"run_id": run_id, "version": version, "manifest": manifest})
        conn.execute(ABANDON_DEAD_RUNS, (ABANDONED_RUN_MESSAGE, track_id, STALE_AFTER_SECONDS, run_id))
        conn.execute(MARK_TRACK_PROCESSING, (track_id,))
    return Claim(run_id, track_id, started_at, fingerprint, version)


def fail_run(conn: Connection, claim: Claim, message: str) -> bool:
    """Fail a started run and its track with a message the user can act on (not retried).

    Returns False when the run is no longer ours (taken over, or the track deleted): nothing was changed.
    """
    with conn.transaction():
        if conn.execute(LOCK_TRACK, (claim.track_id,)).fetchone() is None:
            return False
        if (
            conn.execute(
                FAIL_RUN, {"run_id": claim.run_id, "started_at": claim.started_at, "message": message}
            ).fetchone()
            is None
        ):
            return False
        conn.execute(FAIL_TRACK, (message, claim.track_id))
    return True


def fail_unreadable_upload(conn: Connection, track_id: UUID, message: str) -> None:
    """The track's file cannot be read at all (missing, too large): fail its waiting runs and the track."""
    with conn.transaction():
        if conn.execute(LOCK_TRACK, (track_id,)).fetchone() is None:
            return
        conn.execute(FAIL_PENDING_RUNS, (message, track_id))
        conn.execute(FAIL_TRACK, (message, track_id))


def release_run(conn: Connection, claim: Claim) -> None:
    """Put a started run back to pending after a transient failure, so the retry starts it straight away."""
    conn.execute(RELEASE_RUN, (claim.run_id, claim.started_at))


# Read-only properties: a dataclass with plain attributes of these types satisfies them.
class FrameSource(Protocol):
    @property
    def hop_ms(self) -> int: ...
    @property
    def frame_count(self) -> int: ...
    @property
    def bands(self) -> int: ...
    @property
    def bytes_per_frame(self) -> int: ...
    @property
    def frame_layout(self) -> dict[str, Any]: ...

    def chunks(self, chunk_size_frames: int = ...) -> Iterable[dict[str, Any]]: ...


class AnalysisResultLike(Protocol):
    """What ``complete_run`` reads from ``momentum.analysis``'s result (kept as a protocol: no numpy here)."""

    @property
    def duration_seconds(self) -> float: ...
    @property
    def sample_rate(self) -> int: ...
    @property
    def tempo_bpm(self) -> float | None: ...
    @property
    def key(self) -> str | None: ...
    @property
    def frames(self) -> FrameSource: ...
    @property
    def events(self) -> list[dict[str, Any]]: ...
    @property
    def summary(self) -> dict[str, Any]: ...


def complete_run(conn: Connection, claim: Claim, result: AnalysisResultLike) -> bool:
    """Store a finished analysis in one transaction: the frame manifest and chunks, the events, the run's summary
    and manifest, and the track's duration, tempo and key (status ready). Earlier results of the track go.

    Returns False when the run is no longer ours (taken over, or the track deleted): nothing is stored.
    """
    frames = result.frames
    manifest_id = uuid4()
    manifest = {
        "manifest_id": str(manifest_id),
        "manifest_version": 1,
        "hop_ms": frames.hop_ms,
        "frame_count": frames.frame_count,
        "duration_ms": round(result.duration_seconds * 1000),
        "sample_rate": result.sample_rate,
        "bands": frames.bands,
        "bytes_per_frame": frames.bytes_per_frame,
        "frame_layout": frames.frame_layout,
        "fingerprint": claim.fingerprint,
        "analyzer_version": claim.version,
        "chunk_size_frames": CHUNK_SIZE_FRAMES,
    }
    chunks = list(frames.chunks(CHUNK_SIZE_FRAMES))
    manifest["total_chunks"] = len(chunks)
    counts: dict[str, int] = {}
    for event in result.events:
        counts[event["event_type"]] = counts.get(event["event_type"], 0) + 1
    manifest["event_counts"] = counts
    with conn.transaction():
        if conn.execute(LOCK_TRACK, (claim.track_id,)).fetchone() is None:
            return False
        done = conn.execute(
            COMPLETE_RUN,
            {
                "run_id": claim.run_id,
                "started_at": claim.started_at,
                "summary": Jsonb(result.summary),
                "manifest": Jsonb(manifest),
            },
        ).fetchone()
        if done is None:
            return False
        conn.execute(DELETE_REPLACED_RESULTS, (claim.track_id, claim.run_id))
        conn.execute(
            INSERT_MANIFEST,
            {
                **{k: v for k, v in manifest.items() if k not in ("manifest_id", "event_counts")},
                "id": manifest_id,
                "analysis_id": claim.run_id,
                "frame_layout": Jsonb(frames.frame_layout),
                "events": Jsonb({"counts": counts}),
            },
        )
        with conn.cursor() as cur:
            with cur.copy(COPY_CHUNKS) as copy:
                for c in chunks:
                    copy.write_row(
                        (
                            manifest_id,
                            c["chunk_index"],
                            c["start_frame"],
                            c["end_frame"],
                            c["start_time_ms"],
                            c["end_time_ms"],
                            c["frame_data"],
                            c["frame_count"],
                            c["compressed"],
                            c["compression_type"],
                        )
                    )
            with cur.copy(COPY_EVENTS) as copy:
                for e in result.events:
                    copy.write_row(
                        (
                            claim.run_id,
                            int(e["time_ms"]),
                            _maybe(int, e.get("duration_ms")),
                            e["event_type"],
                            _maybe(Jsonb, e.get("event_data")),
                            _maybe(float, e.get("confidence")),
                        )
                    )
        conn.execute(
            FINISH_TRACK,
            {
                "track_id": claim.track_id,
                "duration_seconds": float(result.duration_seconds),
                "bpm": _maybe(float, result.tempo_bpm),
                "key_signature": result.key,
            },
        )
    return True


def _maybe(convert: Callable[[Any], object], value: Any) -> object:
    # numpy scalars (np.int64 is no int) reach the database as plain Python numbers
    return None if value is None else convert(value)
