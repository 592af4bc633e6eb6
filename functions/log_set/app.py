"""Logging sets: the write path of a workout, with the personal records each set breaks."""

from uuid import UUID

from momentum.fitness import models, sets
from momentum.http import Context, MomentumApp

app = MomentumApp("momentum-log-set")


@app.route(
    "/fitness/sessions/{session_id}/sets",
    ["POST"],
    body=models.SetIn,
    response=models.LoggedSet,
    status=201,
    errors=("session_completed", "unknown_exercise"),
)
def log_set(ctx: Context[models.SetIn], session_id: UUID) -> models.LoggedSet:
    """Log a set; the answer carries the personal records it broke."""
    return sets.log_set(ctx.conn, ctx.user.id, session_id, ctx.body)


@app.route(
    "/fitness/sessions/{session_id}/sets/{set_id}",
    ["PATCH"],
    body=models.SetPatch,
    response=models.LoggedSet,
    errors=("unknown_exercise",),
)
def update_set(ctx: Context[models.SetPatch], session_id: UUID, set_id: UUID) -> models.LoggedSet:
    """Correct a set (only the fields sent change); the records it affects are rebuilt."""
    return sets.update_set(ctx.conn, ctx.user.id, session_id, set_id, ctx.body)


@app.route("/fitness/sessions/{session_id}/sets/{set_id}", ["DELETE"], status=204)
def delete_set(ctx: Context, session_id: UUID, set_id: UUID) -> None:
    """Delete a set; the sets after it are renumbered and the records it affected rebuilt."""
    sets.delete_set(ctx.conn, ctx.user.id, session_id, set_id)
