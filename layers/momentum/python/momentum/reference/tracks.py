"""Reference tracks: create with a presigned upload, list, read, edit metadata, delete, reanalyse.

Accepted audio is what the analysis function's decoder (libsndfile) reads: MP3, WAV, FLAC, Ogg Vorbis, Ogg
Opus and AIFF. AAC/M4A is refused (415) before any upload: libsndfile has no AAC decoder, and an FFmpeg-based
one would not fit the layer size limit.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from uuid import UUID, uuid4

from psycopg import Connection, sql

from momentum import db
from momentum.config import get_settings
from momentum.errors import Conflict, NotFound, PayloadTooLarge, Unavailable, UnsupportedMediaType
from momentum.pagination import Page, PageRequest, page_of
from momentum.reference.common import set_clause
from momentum.reference.models import (
    Analysis,
    PlaybackUrl,
    Track,
    TrackCreated,
    TrackIn,
    TrackPatch,
    TrackQuery,
    UploadForm,
)
from momentum.reference.results import ANALYSIS_COLUMNS
from momentum.reference.runs import PENDING_VERSION, RUN_TYPE
from momentum.reference.storage import PresignedPost, Storage, analysis_queue_url, get_storage

# Media type -> file extension of the stored object. Parameters other than an Ogg codec are not accepted.
AUDIO_TYPES = {
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "audio/wav": "wav",
    "audio/wave": "wav",
    "audio/x-wav": "wav",
    "audio/vnd.wave": "wav",
    "audio/flac": "flac",
    "audio/x-flac": "flac",
    "audio/ogg": "ogg",
    "audio/vorbis": "ogg",
    "audio/opus": "opus",
    "audio/aiff": "aiff",
    "audio/x-aiff": "aiff",
}
OGG_CODECS = {"vorbis": "ogg", "opus": "opus"}
_MEDIA_TYPE = re.compile(r'^\s*([\w.+-]+/[\w.+-]+)\s*(?:;\s*codecs\s*=\s*"?([\w.]+)"?\s*)?$', re.IGNORECASE)

MAX_FILE_STEM = 120
# A name that already ends in an audio extension ("drums.wav") loses it: the key gets the one of the media type.
_AUDIO_EXTENSION = re.compile(r"\.(?:mp3|wav|wave|flac|ogg|oga|opus|aiff?|aifc|m4a|aac)$", re.IGNORECASE)
_UNSAFE_IN_KEY = re.compile(r"[^\w .,()+&'!-]+")  # keeps names readable in the console and in S3 URLs


TRACK_COLUMNS = """id, name, description, r2_key, file_size_bytes, mime_type, duration_seconds, artist, album, genre,
    bpm, key_signature, tags, status, error_message, created_at, updated_at"""

# One statement: the track and its first (pending) analysis run, so a track never exists without one.
INSERT_TRACK = f"""
WITH track AS (
    INSERT INTO reference_tracks (id, user_id, name, description, r2_key, file_size_bytes, mime_type, artist,
                                  album, genre, tags)
    VALUES (%(id)s, %(user_id)s, %(name)s, %(description)s, %(r2_key)s, %(file_size_bytes)s, %(mime_type)s,
            %(artist)s, %(album)s, %(genre)s, %(tags)s)
    RETURNING {TRACK_COLUMNS}
), run AS (
    INSERT INTO track_analyses (track_id, analysis_type, version) SELECT id, %(run_type)s, %(version)s FROM track
)
SELECT * FROM track
"""

SELECT_TRACK = f"SELECT {TRACK_COLUMNS} FROM reference_tracks WHERE id = %s AND user_id = %s"

LIST_TRACKS = f"""
SELECT {TRACK_COLUMNS} FROM reference_tracks
WHERE user_id = %(user_id)s
  AND (%(status)s::text IS NULL OR status = %(status)s)
  AND (%(genre)s::text IS NULL OR lower(genre) = lower(%(genre)s))
  AND (%(tag)s::text IS NULL OR %(tag)s = ANY (tags))
  AND (%(after_created)s::timestamptz IS NULL OR (created_at, id) < (%(after_created)s, %(after_id)s::uuid))
ORDER BY created_at DESC, id DESC
LIMIT %(limit)s
"""

DELETE_TRACK = "DELETE FROM reference_tracks WHERE id = %s AND user_id = %s RETURNING r2_key"

LOCK_TRACK = "SELECT r2_key FROM reference_tracks WHERE id = %s AND user_id = %s FOR UPDATE"

# A pending run already waiting is reused, so repeated requests queue one analysis, not many.
PENDING_RUN = f"""
SELECT {ANALYSIS_COLUMNS} FROM track_analyses WHERE track_id = %s AND status = 'pending'
ORDER BY created_at LIMIT 1
"""
INSERT_PENDING_RUN = f"""
INSERT INTO track_analyses (track_id, analysis_type, version) VALUES (%s, %s, %s) RETURNING {ANALYSIS_COLUMNS}
"""
MARK_PROCESSING = "UPDATE reference_tracks SET status = 'processing', error_message = NULL WHERE id = %s"

# Long enough to listen to a track while seeking in it (each Range request is checked against the expiry).
PLAYBACK_URL_TTL_SECONDS = 3600

PATCHABLE = ("name", "description", "artist", "album", "genre", "tags")


def normalise_media_type(mime_type: str) -> tuple[str, str]:
    """The canonical media type and file extension of an accepted audio type.

    Raises: UnsupportedMediaType.
    """
    match = _MEDIA_TYPE.match(mime_type)
    base = match.group(1).lower() if match else ""
    codec = match.group(2).lower() if match and match.group(2) else None
    if base not in AUDIO_TYPES or (codec is not None and not (base == "audio/ogg" and codec in OGG_CODECS)):
        raise UnsupportedMediaType(
            "Unsupported audio type: upload MP3, WAV, FLAC, Ogg Vorbis, Ogg Opus or AIFF",
            details={"mime_type": mime_type, "supported": sorted(AUDIO_TYPES) + ["audio/ogg; codecs=opus"]},
        )
    if codec is not None:
        return f"{base}; codecs={codec}", OGG_CODECS[codec]
    return base, AUDIO_TYPES[base]


def safe_file_name(name: str, extension: str) -> str:
    """A readable object name from the track's name: letters, digits, spaces and a few marks survive; anything
    that could confuse a path, a URL or a terminal does not."""
    text = _AUDIO_EXTENSION.sub("", re.sub(r"\s+", " ", unicodedata.normalize("NFC", name)).strip())
    stem = _UNSAFE_IN_KEY.sub("_", text).strip(" ._")[:MAX_FILE_STEM].rstrip(" ._")
    return f"{stem or 'track'}.{extension}"


def object_key(user_id: UUID, track_id: UUID, name: str, extension: str) -> str:
    return f"tracks/{user_id}/{track_id}/{safe_file_name(name, extension)}"


def create_track(conn: Connection, user_id: UUID, body: TrackIn, store: Storage | None = None) -> TrackCreated:
    """Create the track (processing, with a pending analysis) and a presigned POST for its file.

    Raises: UnsupportedMediaType for audio the decoder cannot read, PayloadTooLarge above the upload limit; both
    before anything is written or signed.
    """
    settings = get_settings()
    mime_type, extension = normalise_media_type(body.mime_type)
    if body.file_size_bytes > settings.upload_max_bytes:
        raise PayloadTooLarge(
            "The file is larger than the upload limit",
            details={"file_size_bytes": body.file_size_bytes, "max_bytes": settings.upload_max_bytes},
        )
    track_id = uuid4()
    key = object_key(user_id, track_id, body.name, extension)
    upload = (store or get_storage()).presign_upload(
        key, mime_type, body.file_size_bytes, settings.upload_url_ttl_seconds
    )
    values = body.model_dump(exclude={"mime_type"}) | {
        "id": track_id,
        "user_id": user_id,
        "r2_key": key,
        "mime_type": mime_type,
        "run_type": RUN_TYPE,
        "version": PENDING_VERSION,
    }
    track = db.fetch_one(conn, Track, INSERT_TRACK, values, resource="track")
    return TrackCreated(track=track, upload=_upload_form(upload, body.file_size_bytes))


def _upload_form(upload: PresignedPost, max_bytes: int) -> UploadForm:
    return UploadForm(url=upload.url, fields=upload.fields, max_bytes=max_bytes, expires_at=upload.expires_at)


def renew_upload(conn: Connection, user_id: UUID, track_id: UUID, store: Storage | None = None) -> UploadForm:
    """A fresh presigned POST for the track's file (same key, type and size limit), for an upload whose form
    expired or failed. Uploading again triggers the analysis as the first upload would.

    Raises: NotFound, Conflict once the track is analysed (its file is there: delete and create to replace it).
    """
    track = get_track(conn, user_id, track_id)
    if track.status == "ready":
        raise Conflict(
            "The track's file is uploaded and analysed; create a new track to upload another file",
            details={"status": track.status},
        )
    ttl = get_settings().upload_url_ttl_seconds
    upload = (store or get_storage()).presign_upload(track.r2_key, track.mime_type, track.file_size_bytes, ttl)
    return _upload_form(upload, track.file_size_bytes)


def playback_url(conn: Connection, user_id: UUID, track_id: UUID, store: Storage | None = None) -> PlaybackUrl:
    """A short-lived GET URL of the track's file, served as its media type and seekable with Range requests.

    Before the file is uploaded the URL answers 404 (from the bucket).

    Raises: NotFound.
    """
    track = get_track(conn, user_id, track_id)
    file_name = track.r2_key.rsplit("/", 1)[-1]
    url = (store or get_storage()).presign_download(track.r2_key, track.mime_type, file_name, PLAYBACK_URL_TTL_SECONDS)
    return PlaybackUrl(url=url.url, content_type=track.mime_type, expires_at=url.expires_at)


def list_tracks(conn: Connection, user_id: UUID, query: TrackQuery, page: PageRequest) -> Page[Track]:
    """The user's tracks, newest first, filtered by status, genre (any case) and tag."""
    after_created, after_id = page.after_key(datetime, UUID)
    params = {
        "user_id": user_id,
        "status": query.status,
        "genre": query.genre,
        "tag": query.tag.strip().lower() if query.tag else None,
        "after_created": after_created,
        "after_id": after_id,
        "limit": page.limit + 1,
    }
    rows = db.fetch_all(conn, Track, LIST_TRACKS, params)
    return page_of(rows, page, key=lambda r: (r.created_at.isoformat(), str(r.id)))


def get_track(conn: Connection, user_id: UUID, track_id: UUID) -> Track:
    """Raises: NotFound (also for another user's track)."""
    return db.fetch_one(conn, Track, SELECT_TRACK, (track_id, user_id), resource="track")


def update_track(conn: Connection, user_id: UUID, track_id: UUID, body: TrackPatch) -> Track:
    """Change the metadata fields sent; a field sent as null is cleared.

    Raises: NotFound, InvalidInput (no field sent, or a null name).
    """
    changes = body.changes()
    statement = sql.SQL(
        "UPDATE reference_tracks SET {changes} WHERE id = %(id)s AND user_id = %(user_id)s RETURNING {columns}"
    ).format(changes=set_clause(changes), columns=sql.SQL(TRACK_COLUMNS))
    return db.fetch_one(conn, Track, statement, changes | {"id": track_id, "user_id": user_id}, resource="track")


def delete_track(conn: Connection, user_id: UUID, track_id: UUID, store: Storage | None = None) -> None:
    """Delete the track, its analyses, annotations and regions, and its stored file.

    The object is deleted inside the transaction: if S3 fails, the track stays and the client can retry.

    Raises: NotFound.
    """
    with conn.transaction():
        row = conn.execute(DELETE_TRACK, (track_id, user_id)).fetchone()
        if row is None:
            raise NotFound("track")
        (store or get_storage()).delete(row[0])


def reanalyze_track(conn: Connection, user_id: UUID, track_id: UUID, store: Storage | None = None) -> Analysis:
    """Queue a new analysis of the stored file (a pending run already waiting is reused and queued again).

    Raises: NotFound, Unavailable when no analysis queue is configured.
    """
    with conn.transaction():
        row = conn.execute(LOCK_TRACK, (track_id, user_id)).fetchone()
        if row is None:
            raise NotFound("track")
        if not analysis_queue_url():
            raise Unavailable("Reanalysis is not available here: no analysis queue is configured")
        run = db.fetch_optional(conn, Analysis, PENDING_RUN, (track_id,)) or db.fetch_one(
            conn, Analysis, INSERT_PENDING_RUN, (track_id, RUN_TYPE, PENDING_VERSION), resource="analysis"
        )
        conn.execute(MARK_PROCESSING, (track_id,))
        # Sent inside the transaction: if the queue refuses, no pending run is left behind without a message.
        (store or get_storage()).request_analysis(row[0])
    return run
