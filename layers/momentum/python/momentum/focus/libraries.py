"""Focus libraries: playlists of tracks to focus to, where a track may be one of the person's reference tracks.

``tracks_count`` is rewritten from the tracks in the same transaction as every change to them, under a lock on the
library row, so it always equals the number of tracks.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from psycopg import Connection
from psycopg.rows import dict_row

from momentum.db import fetch_all, fetch_one
from momentum.errors import InvalidInput, NotFound
from momentum.focus.models import (
    FocusLibrary,
    FocusLibraryIn,
    FocusLibraryPatch,
    FocusLibraryWithTracks,
    FocusTrack,
    FocusTrackIn,
)
from momentum.pagination import Page, PageRequest, page_of

# A reference track is stored as track_id "reference:<id>".
REFERENCE_PREFIX = "reference:"

LIBRARY_COLUMNS = "id, name, description, library_type, tracks_count, is_favorite, created_at, updated_at"
GET = f"SELECT {LIBRARY_COLUMNS} FROM focus_libraries WHERE id = %(id)s AND user_id = %(user_id)s"
LOCK = f"{GET} FOR UPDATE"
LIST = f"""
SELECT {LIBRARY_COLUMNS} FROM focus_libraries
WHERE user_id = %(user_id)s
  AND (%(after_created)s::timestamptz IS NULL OR (created_at, id) < (%(after_created)s, %(after_id)s::uuid))
ORDER BY created_at DESC, id DESC
LIMIT %(limit)s
"""
TRACKS = """
SELECT id, track_id,
       CASE WHEN track_id LIKE 'reference:%%' THEN substr(track_id, 11)::uuid END AS reference_track_id,
       track_title, track_url, duration_seconds, sort_order, added_at
FROM focus_library_tracks WHERE library_id = %(id)s
ORDER BY sort_order, added_at, id
"""
CREATE = """
INSERT INTO focus_libraries (user_id, name, description, library_type, is_favorite)
VALUES (%(user_id)s, %(name)s, %(description)s, %(library_type)s, %(is_favorite)s)
RETURNING id
"""
DELETE = "DELETE FROM focus_libraries WHERE id = %(id)s AND user_id = %(user_id)s RETURNING id"
REFERENCE_TRACK = """
SELECT name, round(duration_seconds)::integer AS duration_seconds
FROM reference_tracks WHERE id = %(id)s AND user_id = %(user_id)s
"""
ADD_TRACK = """
INSERT INTO focus_library_tracks (library_id, track_id, track_title, track_url, duration_seconds, sort_order)
VALUES (%(library_id)s, %(track_id)s, %(track_title)s, %(track_url)s, %(duration_seconds)s,
        coalesce(%(sort_order)s, (SELECT coalesce(max(sort_order) + 1, 0) FROM focus_library_tracks
                                  WHERE library_id = %(library_id)s)))
"""
REMOVE_TRACK = "DELETE FROM focus_library_tracks WHERE id = %(track_id)s AND library_id = %(library_id)s RETURNING id"
RECOUNT = """
UPDATE focus_libraries SET tracks_count = (SELECT count(*) FROM focus_library_tracks WHERE library_id = %(id)s)
WHERE id = %(id)s
"""
PATCHABLE = ("name", "description", "library_type", "is_favorite")


def list_libraries(conn: Connection, user_id: UUID, page: PageRequest) -> Page[FocusLibrary]:
    after_created, after_id = page.after_key(datetime, UUID)
    params = {"user_id": user_id, "after_created": after_created, "after_id": after_id, "limit": page.limit + 1}
    rows = fetch_all(conn, FocusLibrary, LIST, params)
    return page_of(rows, page, key=lambda lib: (lib.created_at.isoformat(), str(lib.id)))


def get_library(conn: Connection, user_id: UUID, library_id: UUID) -> FocusLibraryWithTracks:
    """A library with its tracks in order. Raises: NotFound."""
    library = fetch_one(conn, FocusLibrary, GET, {"id": library_id, "user_id": user_id}, resource="library")
    tracks = fetch_all(conn, FocusTrack, TRACKS, {"id": library_id})
    return FocusLibraryWithTracks(**library.model_dump(), tracks=tracks)


def create_library(conn: Connection, user_id: UUID, body: FocusLibraryIn) -> FocusLibraryWithTracks:
    (library_id,) = conn.execute(CREATE, body.model_dump() | {"user_id": user_id}).fetchone() or (None,)
    return get_library(conn, user_id, library_id)


def update_library(
    conn: Connection, user_id: UUID, library_id: UUID, body: FocusLibraryPatch
) -> FocusLibraryWithTracks:
    """Change the fields sent. Raises: NotFound."""
    fields = [f for f in PATCHABLE if f in body.model_fields_set]
    with conn.transaction():
        fetch_one(conn, FocusLibrary, LOCK, {"id": library_id, "user_id": user_id}, resource="library")
        if fields:
            assignments = ", ".join(f"{f} = %({f})s" for f in fields)
            values = {f: getattr(body, f) for f in fields} | {"id": library_id}
            conn.execute(f"UPDATE focus_libraries SET {assignments} WHERE id = %(id)s", values)
    return get_library(conn, user_id, library_id)


def delete_library(conn: Connection, user_id: UUID, library_id: UUID) -> None:
    """Delete a library with its tracks. Raises: NotFound."""
    if conn.execute(DELETE, {"id": library_id, "user_id": user_id}).fetchone() is None:
        raise NotFound("library")


def add_track(conn: Connection, user_id: UUID, library_id: UUID, body: FocusTrackIn) -> FocusLibraryWithTracks:
    """Add a track at the end (or at ``sort_order``). Raises: NotFound, InvalidInput (unknown_reference_track)."""
    values = body.model_dump(exclude={"reference_track_id"}) | {"library_id": library_id}
    with conn.transaction():
        fetch_one(conn, FocusLibrary, LOCK, {"id": library_id, "user_id": user_id}, resource="library")
        if body.reference_track_id is not None:
            with conn.cursor(row_factory=dict_row) as cur:
                found = cur.execute(REFERENCE_TRACK, {"id": body.reference_track_id, "user_id": user_id}).fetchone()
            if found is None:
                raise InvalidInput(
                    "Unknown reference track",
                    code="unknown_reference_track",
                    details={"reference_track_id": str(body.reference_track_id)},
                )
            values |= {
                "track_id": f"{REFERENCE_PREFIX}{body.reference_track_id}",
                "track_title": body.track_title or found["name"],
                "duration_seconds": body.duration_seconds or found["duration_seconds"],
            }
        conn.execute(ADD_TRACK, values)
        conn.execute(RECOUNT, {"id": library_id})
    return get_library(conn, user_id, library_id)


def remove_track(conn: Connection, user_id: UUID, library_id: UUID, track_id: UUID) -> FocusLibraryWithTracks:
    """Raises: NotFound (the library is not the person's, or the track is not in it)."""
    with conn.transaction():
        fetch_one(conn, FocusLibrary, LOCK, {"id": library_id, "user_id": user_id}, resource="library")
        if conn.execute(REMOVE_TRACK, {"track_id": track_id, "library_id": library_id}).fetchone() is None:
            raise NotFound("track")
        conn.execute(RECOUNT, {"id": library_id})
    return get_library(conn, user_id, library_id)
