"""Focus: the timer (start, pause, resume, complete, abandon), focus libraries of tracks, and stats."""

from uuid import UUID

from momentum.focus import libraries, models, sessions, stats
from momentum.http import Context, MomentumApp, Page, PageQuery

app = MomentumApp("momentum-focus")

SESSION_ERRORS = ("focus_session_ended",)


@app.route(
    "/focus/sessions",
    ["POST"],
    body=models.FocusSessionIn,
    response=models.FocusSession,
    status=201,
    errors=("focus_session_active",),
)
def start_focus_session(ctx: Context[models.FocusSessionIn]) -> models.FocusSession:
    """Start a work or break session; only one can be active at a time."""
    return sessions.start_session(ctx.conn, ctx.user.id, ctx.body)


@app.route("/focus/sessions", query=models.FocusSessionQuery, response=Page[models.FocusSession])
def list_focus_sessions(ctx: Context[None, models.FocusSessionQuery]) -> Page[models.FocusSession]:
    """Your sessions, newest first."""
    return sessions.list_sessions(ctx.conn, ctx.user.id, ctx.query, ctx.page)


@app.route("/focus/current", response=models.FocusSession, errors=("not_found",))
def current_focus_session(ctx: Context) -> models.FocusSession:
    """Your active session with the time it has left (404 when there is none)."""
    return sessions.current_session(ctx.conn, ctx.user.id)


@app.route("/focus/sessions/{session_id}", response=models.FocusSession)
def get_focus_session(ctx: Context, session_id: UUID) -> models.FocusSession:
    """One of your sessions."""
    return sessions.get_session(ctx.conn, ctx.user.id, session_id)


@app.route(
    "/focus/sessions/{session_id}/pause",
    ["POST"],
    response=models.FocusSession,
    errors=(*SESSION_ERRORS, "focus_session_paused"),
)
def pause_focus_session(ctx: Context, session_id: UUID) -> models.FocusSession:
    """Pause the session; the time it has left is kept on the server for every device."""
    return sessions.pause_session(ctx.conn, ctx.user.id, session_id)


@app.route(
    "/focus/sessions/{session_id}/resume",
    ["POST"],
    response=models.FocusSession,
    errors=(*SESSION_ERRORS, "focus_session_not_paused"),
)
def resume_focus_session(ctx: Context, session_id: UUID) -> models.FocusSession:
    """Resume a paused session from the time it had left."""
    return sessions.resume_session(ctx.conn, ctx.user.id, session_id)


@app.route("/focus/sessions/{session_id}/complete", ["POST"], response=models.FocusSession, errors=SESSION_ERRORS)
def complete_focus_session(ctx: Context, session_id: UUID) -> models.FocusSession:
    """Complete the session and collect XP and coins for the time focused (once)."""
    return sessions.complete_session(ctx.conn, ctx.user.id, session_id)


@app.route("/focus/sessions/{session_id}/abandon", ["POST"], response=models.FocusSession, errors=SESSION_ERRORS)
def abandon_focus_session(ctx: Context, session_id: UUID) -> models.FocusSession:
    """Give the session up; it pays nothing."""
    return sessions.abandon_session(ctx.conn, ctx.user.id, session_id)


@app.route("/focus/stats", query=models.FocusStatsQuery, response=models.FocusStats)
def focus_stats(ctx: Context[None, models.FocusStatsQuery]) -> models.FocusStats:
    """Focused minutes per day and week, completion rate and best hour, in your time zone."""
    return stats.focus_stats(ctx.conn, ctx.user.id, ctx.query)


@app.route("/focus/libraries", query=PageQuery, response=Page[models.FocusLibrary])
def list_focus_libraries(ctx: Context[None, PageQuery]) -> Page[models.FocusLibrary]:
    """Your focus libraries, newest first."""
    return libraries.list_libraries(ctx.conn, ctx.user.id, ctx.page)


@app.route("/focus/libraries", ["POST"], body=models.FocusLibraryIn, response=models.FocusLibraryWithTracks, status=201)
def create_focus_library(ctx: Context[models.FocusLibraryIn]) -> models.FocusLibraryWithTracks:
    """Create a library (a playlist, album or custom set of tracks)."""
    return libraries.create_library(ctx.conn, ctx.user.id, ctx.body)


@app.route("/focus/libraries/{library_id}", response=models.FocusLibraryWithTracks)
def get_focus_library(ctx: Context, library_id: UUID) -> models.FocusLibraryWithTracks:
    """One of your libraries with its tracks."""
    return libraries.get_library(ctx.conn, ctx.user.id, library_id)


@app.route(
    "/focus/libraries/{library_id}", ["PATCH"], body=models.FocusLibraryPatch, response=models.FocusLibraryWithTracks
)
def update_focus_library(ctx: Context[models.FocusLibraryPatch], library_id: UUID) -> models.FocusLibraryWithTracks:
    """Change the fields sent."""
    return libraries.update_library(ctx.conn, ctx.user.id, library_id, ctx.body)


@app.route("/focus/libraries/{library_id}", ["DELETE"], status=204)
def delete_focus_library(ctx: Context, library_id: UUID) -> None:
    """Delete a library with its tracks."""
    libraries.delete_library(ctx.conn, ctx.user.id, library_id)


@app.route(
    "/focus/libraries/{library_id}/tracks",
    ["POST"],
    body=models.FocusTrackIn,
    response=models.FocusLibraryWithTracks,
    status=201,
    errors=("unknown_reference_track",),
)
def add_focus_track(ctx: Context[models.FocusTrackIn], library_id: UUID) -> models.FocusLibraryWithTracks:
    """Add a track: one of your reference tracks, or an external one by title and URL."""
    return libraries.add_track(ctx.conn, ctx.user.id, library_id, ctx.body)


@app.route("/focus/libraries/{library_id}/tracks/{track_id}", ["DELETE"], response=models.FocusLibraryWithTracks)
def remove_focus_track(ctx: Context, library_id: UUID, track_id: UUID) -> models.FocusLibraryWithTracks:
    """Remove a track from a library."""
    return libraries.remove_track(ctx.conn, ctx.user.id, library_id, track_id)
