"""The read API of analysis results: a track's current analysis, its frames by time range, its events by page.

The runs that produce them are ``momentum.reference.runs``.
"""

from __future__ import annotations

import base64
from typing import Any
from uuid import UUID

from psycopg import Connection
from psycopg.rows import class_row, dict_row

from momentum.errors import Conflict, InvalidInput, NotFound
from momentum.pagination import Page, PageRequest, page_of
from momentum.reference.models import (
    Analysis,
    AnalysisEvent,
    EventQuery,
    FrameChunk,
    FrameManifest,
    FrameRangeQuery,
    Frames,
)

MAX_FRAME_SPAN_MS = 300_000  # one frames request covers at most 5 minutes (about 1.5 MB of JSON)

ANALYSIS_COLUMNS = """id, track_id, analysis_type, NULLIF(version, '') AS version, status, started_at, completed_at,
    error_message, summary, manifest, created_at, updated_at"""


SELECT_TRACK_ANALYSIS = f"""
SELECT {ANALYSIS_COLUMNS} FROM track_analyses a
WHERE a.track_id = %s AND EXISTS (SELECT 1 FROM reference_tracks t WHERE t.id = a.track_id AND t.user_id = %s)
ORDER BY a.status = 'completed' DESC, a.created_at DESC, a.id DESC
LIMIT 1
"""
OWNED_TRACK_EXISTS = "SELECT 1 FROM reference_tracks WHERE id = %s AND user_id = %s"
OWNED_ANALYSIS_MANIFEST = """
SELECT a.status, m.id AS manifest_id, m.manifest_version, m.hop_ms, m.frame_count, m.duration_ms, m.sample_rate,
       m.bands, m.bytes_per_frame, m.frame_layout, m.analyzer_version, m.chunk_size_frames, m.total_chunks
FROM track_analyses a
JOIN reference_tracks t ON t.id = a.track_id
LEFT JOIN analysis_frame_manifests m ON m.analysis_id = a.id
WHERE a.id = %s AND t.user_id = %s
"""
CHUNKS_IN_RANGE = """
SELECT chunk_index, start_frame, end_frame, start_time_ms, end_time_ms, frame_count, compressed, compression_type,
       frame_data
FROM analysis_frame_data
WHERE manifest_id = %s AND start_time_ms < %s AND end_time_ms > %s
ORDER BY chunk_index
"""
OWNED_ANALYSIS_EXISTS = """
SELECT 1 FROM track_analyses a JOIN reference_tracks t ON t.id = a.track_id WHERE a.id = %s AND t.user_id = %s
"""
# Events overlapping [start, end): a section that began before `start` and lasts into the range is included.
EVENTS_PAGE = """
SELECT id, time_ms, duration_ms, event_type, event_data, confidence
FROM analysis_events
WHERE analysis_id = %(analysis_id)s
  AND (%(types)s::text[] IS NULL OR event_type = ANY (%(types)s))
  AND (%(end_ms)s::int IS NULL OR time_ms < %(end_ms)s)
  AND (%(start_ms)s::int IS NULL OR time_ms >= %(start_ms)s OR time_ms + coalesce(duration_ms, 0) > %(start_ms)s)
  AND (%(after_time)s::int IS NULL OR (time_ms, id) > (%(after_time)s, %(after_id)s::uuid))
ORDER BY time_ms, id
LIMIT %(limit)s
"""


def get_track_analysis(conn: Connection, user_id: UUID, track_id: UUID) -> Analysis:
    """The track's current analysis (the completed one), or else its latest run, pending, running or failed.

    Raises: NotFound for an unknown or foreign track.
    """
    with conn.cursor(row_factory=class_row(Analysis)) as cur:
        analysis = cur.execute(SELECT_TRACK_ANALYSIS, (track_id, user_id)).fetchone()
    if analysis is None:
        exists = conn.execute(OWNED_TRACK_EXISTS, (track_id, user_id)).fetchone()
        raise NotFound("analysis" if exists else "track")
    if analysis.summary is None:
        return analysis
    return analysis.model_copy(update={"summary": client_summary(analysis.summary)})


def client_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """The stored summary as clients see it: section ranges in integer milliseconds named as every other range
    of the API (``start_time_ms``/``end_time_ms``). The analyser keeps seconds in what it stores; mapping here
    serves summaries stored before and after alike."""
    sections = summary.get("sections")
    if not isinstance(sections, list):
        return summary
    return summary | {"sections": [_section_in_ms(section) for section in sections]}


def _section_in_ms(section: Any) -> Any:
    if not isinstance(section, dict) or "start_s" not in section:
        return section
    shown = {name: value for name, value in section.items() if name not in ("start_s", "end_s")}
    times = {"start_time_ms": round(section["start_s"] * 1000)}
    if section.get("end_s") is not None:
        times["end_time_ms"] = round(section["end_s"] * 1000)
    return times | shown


def frame_range(query: FrameRangeQuery) -> tuple[int, int]:
    """[start_time_ms, end_time_ms) of a frames request: the end defaults to the longest span allowed.

    Raises: InvalidInput for an empty, reversed or too long range.
    """
    start = query.start_time_ms
    end = query.end_time_ms if query.end_time_ms is not None else start + MAX_FRAME_SPAN_MS
    check_query_range(start, end)
    if end - start > MAX_FRAME_SPAN_MS:
        raise InvalidInput(
            "The range is too long for one request",
            details={"max_span_ms": MAX_FRAME_SPAN_MS, "start_time_ms": start, "end_time_ms": end},
        )
    return start, end


def check_query_range(start_time_ms: int | None, end_time_ms: int | None) -> None:
    """Raises: InvalidInput when both ends are given and the range is empty or reversed."""
    if start_time_ms is not None and end_time_ms is not None and end_time_ms <= start_time_ms:
        raise InvalidInput(
            "end_time_ms must be after start_time_ms",
            details={"field": "end_time_ms", "start_time_ms": start_time_ms, "end_time_ms": end_time_ms},
        )


def get_frames(conn: Connection, user_id: UUID, analysis_id: UUID, query: FrameRangeQuery) -> Frames:
    """The stored frame chunks overlapping [start_time_ms, end_time_ms), each base64-encoded as stored
    (zlib-compressed when ``compression_type`` says so), with the manifest that describes how to read a frame.

    Raises: InvalidInput (bad range), NotFound (unknown or foreign analysis), Conflict (not completed yet).
    """
    start, end = frame_range(query)
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(OWNED_ANALYSIS_MANIFEST, (analysis_id, user_id)).fetchone()
        if row is None:
            raise NotFound("analysis")
        if row["manifest_id"] is None:
            raise Conflict(
                "The analysis has no frames yet", code="analysis_not_ready", details={"status": row["status"]}
            )
        chunks = cur.execute(CHUNKS_IN_RANGE, (row["manifest_id"], end, start)).fetchall()
    return Frames(
        analysis_id=analysis_id,
        start_time_ms=start,
        end_time_ms=end,
        manifest=FrameManifest.model_validate(row),
        chunks=[FrameChunk.model_validate(c | {"data": base64.b64encode(c["frame_data"]).decode()}) for c in chunks],
    )


def list_events(
    conn: Connection, user_id: UUID, analysis_id: UUID, query: EventQuery, page: PageRequest
) -> Page[AnalysisEvent]:
    """The analysis's events in time order, filtered by type (comma-separated) and overlapping
    [start_time_ms, end_time_ms).

    Raises: InvalidInput (reversed range, bad cursor), NotFound (unknown or foreign analysis).
    """
    check_query_range(query.start_time_ms, query.end_time_ms)
    after_time, after_id = page.after_key(int, UUID)
    if conn.execute(OWNED_ANALYSIS_EXISTS, (analysis_id, user_id)).fetchone() is None:
        raise NotFound("analysis")
    params = {
        "analysis_id": analysis_id,
        "types": query.types,
        "start_ms": query.start_time_ms,
        "end_ms": query.end_time_ms,
        "after_time": after_time,
        "after_id": after_id,
        "limit": page.limit + 1,
    }
    with conn.cursor(row_factory=class_row(AnalysisEvent)) as cur:
        rows = cur.execute(EVENTS_PAGE, params).fetchall()
    return page_of(rows, page, key=lambda e: (e.time_ms, str(e.id)))
