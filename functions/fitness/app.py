"""Fitness: the exercise library, workouts, sessions, personal records, stats and training programs.
(Logging sets is its own function, log_set.)"""

from uuid import UUID

from momentum.fitness import exercises, models, programs, records, sessions, stats, workouts
from momentum.http import Context, MomentumApp, Page, PageQuery

app = MomentumApp("momentum-fitness")


# ---------------------------------------------------------------- exercises


@app.route("/fitness/exercises", query=models.ExerciseQuery, response=Page[models.Exercise])
def list_exercises(ctx: Context[None, models.ExerciseQuery]) -> Page[models.Exercise]:
    """Built-in and your own exercises by name; filter by category, muscle group, equipment, name or source."""
    return exercises.list_exercises(ctx.conn, ctx.user.id, ctx.query, ctx.page)


@app.route("/fitness/exercises", ["POST"], body=models.ExerciseIn, response=models.Exercise, status=201)
def create_exercise(ctx: Context[models.ExerciseIn]) -> models.Exercise:
    """Add a custom exercise, visible to you only."""
    return exercises.create_exercise(ctx.conn, ctx.user.id, ctx.body)


@app.route("/fitness/exercises/{exercise_id}", response=models.Exercise)
def get_exercise(ctx: Context, exercise_id: UUID) -> models.Exercise:
    """A built-in exercise or one of your own."""
    return exercises.get_exercise(ctx.conn, ctx.user.id, exercise_id)


@app.route(
    "/fitness/exercises/{exercise_id}",
    ["PATCH"],
    body=models.ExercisePatch,
    response=models.Exercise,
    errors=("builtin_exercise",),
)
def update_exercise(ctx: Context[models.ExercisePatch], exercise_id: UUID) -> models.Exercise:
    """Change one of your custom exercises (only the fields sent)."""
    return exercises.update_exercise(ctx.conn, ctx.user.id, exercise_id, ctx.body)


@app.route("/fitness/exercises/{exercise_id}", ["DELETE"], status=204, errors=("builtin_exercise", "exercise_in_use"))
def delete_exercise(ctx: Context, exercise_id: UUID) -> None:
    """Delete one of your custom exercises that nothing uses any more."""
    exercises.delete_exercise(ctx.conn, ctx.user.id, exercise_id)


# ---------------------------------------------------------------- workouts


@app.route("/fitness/workouts", query=models.WorkoutQuery, response=Page[models.WorkoutSummary])
def list_workouts(ctx: Context[None, models.WorkoutQuery]) -> Page[models.WorkoutSummary]:
    """Your workouts, or everyone's public ones (?visibility=public), newest first."""
    return workouts.list_workouts(ctx.conn, ctx.user.id, ctx.query, ctx.page)


@app.route(
    "/fitness/workouts",
    ["POST"],
    body=models.WorkoutIn,
    response=models.Workout,
    status=201,
    errors=("unknown_exercise", "custom_exercise_in_public_workout"),
)
def create_workout(ctx: Context[models.WorkoutIn]) -> models.Workout:
    """Create a workout with its sections and exercises in one document."""
    return workouts.create_workout(ctx.conn, ctx.user.id, ctx.body)


@app.route("/fitness/workouts/{workout_id}", response=models.Workout)
def get_workout(ctx: Context, workout_id: UUID) -> models.Workout:
    """One of your workouts, or a public one."""
    return workouts.get_workout(ctx.conn, ctx.user.id, workout_id)


@app.route(
    "/fitness/workouts/{workout_id}",
    ["PUT"],
    body=models.WorkoutIn,
    response=models.Workout,
    errors=("unknown_exercise", "custom_exercise_in_public_workout"),
)
def replace_workout(ctx: Context[models.WorkoutIn], workout_id: UUID) -> models.Workout:
    """Replace one of your workouts, sections and exercises included."""
    return workouts.replace_workout(ctx.conn, ctx.user.id, workout_id, ctx.body)


@app.route("/fitness/workouts/{workout_id}", ["DELETE"], status=204, errors=("workout_scheduled",))
def delete_workout(ctx: Context, workout_id: UUID) -> None:
    """Delete one of your workouts; sessions started from it keep their sets."""
    workouts.delete_workout(ctx.conn, ctx.user.id, workout_id)


@app.route("/fitness/workouts/{workout_id}/copy", ["POST"], response=models.Workout, status=201)
def copy_workout(ctx: Context, workout_id: UUID) -> models.Workout:
    """Copy one of your workouts or a public one into a new private workout of yours."""
    return workouts.copy_workout(ctx.conn, ctx.user.id, workout_id)


# ---------------------------------------------------------------- sessions


@app.route("/fitness/sessions", query=models.SessionQuery, response=Page[models.SessionSummary])
def list_sessions(ctx: Context[None, models.SessionQuery]) -> Page[models.SessionSummary]:
    """Your sessions, newest first (?status=active or completed)."""
    return sessions.list_sessions(ctx.conn, ctx.user.id, ctx.query, ctx.page)


@app.route(
    "/fitness/sessions",
    ["POST"],
    body=models.SessionIn,
    response=models.Session,
    status=201,
    errors=("unknown_workout",),
)
def start_session(ctx: Context[models.SessionIn]) -> models.Session:
    """Start a session, optionally from one of your workouts or a public one."""
    return sessions.start_session(ctx.conn, ctx.user.id, ctx.body)


@app.route("/fitness/sessions/{session_id}", response=models.Session)
def get_session(ctx: Context, session_id: UUID) -> models.Session:
    """A session with its sets grouped by exercise and the records they hold."""
    return sessions.get_session(ctx.conn, ctx.user.id, session_id)


@app.route("/fitness/sessions/{session_id}", ["DELETE"], status=204)
def delete_session(ctx: Context, session_id: UUID) -> None:
    """Discard a session (or delete a completed one) with its sets; records are rebuilt without them."""
    sessions.delete_session(ctx.conn, ctx.user.id, session_id)


@app.route(
    "/fitness/sessions/{session_id}/complete",
    ["POST"],
    body=models.CompleteIn,
    response=models.Session,
    errors=("session_completed",),
)
def complete_session(ctx: Context[models.CompleteIn], session_id: UUID) -> models.Session:
    """Finish a session: XP, coins and a fitness star for its working sets, paid once; extends the workout streak."""
    return sessions.complete_session(ctx.conn, ctx.user.id, session_id, ctx.body)


# ---------------------------------------------------------------- records and stats


@app.route("/fitness/records", query=models.RecordQuery, response=Page[models.ExerciseRecords])
def list_records(ctx: Context[None, models.RecordQuery]) -> Page[models.ExerciseRecords]:
    """Your current best per exercise and record type, with the records before it."""
    return records.list_records(ctx.conn, ctx.user.id, ctx.query, ctx.page)


@app.route("/fitness/stats", query=models.StatsQuery, response=models.Stats)
def get_stats(ctx: Context[None, models.StatsQuery]) -> models.Stats:
    """Volume, working sets and sessions per ISO week, and volume per muscle group (?weeks=1..104)."""
    return stats.get_stats(ctx.conn, ctx.user.id, ctx.query)


# ---------------------------------------------------------------- programs


@app.route("/fitness/programs", query=PageQuery, response=Page[models.ProgramSummary])
def list_programs(ctx: Context[None, PageQuery]) -> Page[models.ProgramSummary]:
    """Your training programs, newest first."""
    return programs.list_programs(ctx.conn, ctx.user.id, ctx.page)


@app.route(
    "/fitness/programs",
    ["POST"],
    body=models.ProgramIn,
    response=models.Program,
    status=201,
    errors=("unknown_workout",),
)
def create_program(ctx: Context[models.ProgramIn]) -> models.Program:
    """Create a program with its weeks and scheduled workouts in one document."""
    return programs.create_program(ctx.conn, ctx.user.id, ctx.body)


# A literal path: API Gateway and the local router prefer it to /fitness/programs/{program_id}/… siblings.
@app.route("/fitness/programs/active/today", query=models.TodayQuery, response=models.Today)
def today(ctx: Context[None, models.TodayQuery]) -> models.Today:
    """Today's workouts of your active program, target weights scaled (?day_of_week=0..6, 0 = Sunday)."""
    return programs.today(ctx.conn, ctx.user.id, ctx.query)


@app.route("/fitness/programs/{program_id}", response=models.Program)
def get_program(ctx: Context, program_id: UUID) -> models.Program:
    """One of your programs with its weeks and scheduled workouts."""
    return programs.get_program(ctx.conn, ctx.user.id, program_id)


@app.route(
    "/fitness/programs/{program_id}",
    ["PUT"],
    body=models.ProgramIn,
    response=models.Program,
    errors=("unknown_workout", "program_week_out_of_range"),
)
def replace_program(ctx: Context[models.ProgramIn], program_id: UUID) -> models.Program:
    """Replace one of your programs, weeks included; its progress stays."""
    return programs.replace_program(ctx.conn, ctx.user.id, program_id, ctx.body)


@app.route("/fitness/programs/{program_id}", ["DELETE"], status=204)
def delete_program(ctx: Context, program_id: UUID) -> None:
    """Delete one of your programs."""
    programs.delete_program(ctx.conn, ctx.user.id, program_id)


@app.route("/fitness/programs/{program_id}/activate", ["POST"], response=models.Program)
def activate_program(ctx: Context, program_id: UUID) -> models.Program:
    """Follow this program from week 1 (your only active program); the active one stays as it is."""
    return programs.activate_program(ctx.conn, ctx.user.id, program_id)


@app.route("/fitness/programs/{program_id}/advance", ["POST"], response=models.Program, errors=("program_not_active",))
def advance_program(ctx: Context, program_id: UUID) -> models.Program:
    """Move the active program to its next week; after the last week it is completed."""
    return programs.advance_program(ctx.conn, ctx.user.id, program_id)


@app.route("/fitness/programs/{program_id}/deactivate", ["POST"], response=models.Program)
def deactivate_program(ctx: Context, program_id: UUID) -> models.Program:
    """Stop following this program; it keeps its current week."""
    return programs.deactivate_program(ctx.conn, ctx.user.id, program_id)
