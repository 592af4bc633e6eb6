"""Habits and goals: habits on a schedule with streaks, completions and undo; goals with milestones."""

from uuid import UUID

from momentum.habits import goals, habits, models
from momentum.http import Context, MomentumApp, Page, PageQuery

app = MomentumApp("momentum-habits")


@app.route("/habits", query=PageQuery, response=Page[models.Habit])
def list_habits(ctx: Context[None, PageQuery]) -> Page[models.Habit]:
    """Your habits with today's count in their period."""
    return habits.list_habits(ctx.conn, ctx.user.id, ctx.page)


@app.route("/habits", ["POST"], body=models.HabitIn, response=models.Habit, status=201)
def create_habit(ctx: Context[models.HabitIn]) -> models.Habit:
    """Create a daily, weekly or custom-days habit."""
    return habits.create_habit(ctx.conn, ctx.user.id, ctx.body)


@app.route("/habits/{habit_id}", response=models.Habit)
def get_habit(ctx: Context, habit_id: UUID) -> models.Habit:
    """One of your habits."""
    return habits.get_habit(ctx.conn, ctx.user.id, habit_id)


@app.route("/habits/{habit_id}", ["PATCH"], body=models.HabitPatch, response=models.Habit)
def update_habit(ctx: Context[models.HabitPatch], habit_id: UUID) -> models.Habit:
    """Change the fields sent (a new schedule recomputes the streaks)."""
    return habits.update_habit(ctx.conn, ctx.user.id, habit_id, ctx.body)


@app.route("/habits/{habit_id}", ["DELETE"], status=204)
def delete_habit(ctx: Context, habit_id: UUID) -> None:
    """Delete a habit with its completions."""
    habits.delete_habit(ctx.conn, ctx.user.id, habit_id)


@app.route(
    "/habits/{habit_id}/complete",
    ["POST"],
    body=models.HabitCompleteIn,
    response=models.HabitCompletion,
    status=201,
    errors=("habit_done_for_period", "habit_inactive"),
)
def complete_habit(ctx: Context[models.HabitCompleteIn], habit_id: UUID) -> models.HabitCompletion:
    """Complete the habit for today (your time zone); pays, with a bonus on streak milestones."""
    return habits.complete_habit(ctx.conn, ctx.user.id, habit_id, ctx.body)


@app.route("/habits/{habit_id}/undo", ["POST"], response=models.Habit, errors=("nothing_to_undo", "insufficient_coins"))
def undo_habit(ctx: Context, habit_id: UUID) -> models.Habit:
    """Undo today's latest completion; what it paid is taken back through the ledger."""
    return habits.undo_today(ctx.conn, ctx.user.id, habit_id)


@app.route(
    "/habits/{habit_id}/completions", query=models.HabitCompletionQuery, response=Page[models.HabitCompletionRecord]
)
def list_habit_completions(
    ctx: Context[None, models.HabitCompletionQuery], habit_id: UUID
) -> Page[models.HabitCompletionRecord]:
    """A habit's completions, newest first."""
    return habits.list_completions(ctx.conn, ctx.user.id, habit_id, ctx.query, ctx.page)


@app.route("/goals", query=models.GoalQuery, response=Page[models.Goal])
def list_goals(ctx: Context[None, models.GoalQuery]) -> Page[models.Goal]:
    """Your goals with their milestones."""
    return goals.list_goals(ctx.conn, ctx.user.id, ctx.query, ctx.page)


@app.route("/goals", ["POST"], body=models.GoalIn, response=models.Goal, status=201)
def create_goal(ctx: Context[models.GoalIn]) -> models.Goal:
    """Create a goal, optionally with milestones."""
    return goals.create_goal(ctx.conn, ctx.user.id, ctx.body)


@app.route("/goals/{goal_id}", response=models.Goal)
def get_goal(ctx: Context, goal_id: UUID) -> models.Goal:
    """One of your goals."""
    return goals.get_goal(ctx.conn, ctx.user.id, goal_id)


@app.route(
    "/goals/{goal_id}",
    ["PATCH"],
    body=models.GoalPatch,
    response=models.Goal,
    errors=("goal_has_milestones", "goal_not_active"),
)
def update_goal(ctx: Context[models.GoalPatch], goal_id: UUID) -> models.Goal:
    """Change the fields sent; pause or resume with status; set progress by hand when there are no milestones."""
    return goals.update_goal(ctx.conn, ctx.user.id, goal_id, ctx.body)


@app.route("/goals/{goal_id}", ["DELETE"], status=204)
def delete_goal(ctx: Context, goal_id: UUID) -> None:
    """Delete a goal with its milestones."""
    goals.delete_goal(ctx.conn, ctx.user.id, goal_id)


@app.route("/goals/{goal_id}/complete", ["POST"], response=models.Goal, errors=("goal_not_active",))
def complete_goal(ctx: Context, goal_id: UUID) -> models.Goal:
    """Complete the goal and collect its reward (once)."""
    return goals.complete_goal(ctx.conn, ctx.user.id, goal_id)


@app.route(
    "/goals/{goal_id}/milestones",
    ["POST"],
    body=models.GoalMilestoneIn,
    response=models.Goal,
    status=201,
    errors=("goal_not_active",),
)
def add_goal_milestone(ctx: Context[models.GoalMilestoneIn], goal_id: UUID) -> models.Goal:
    """Add a milestone at the end (or at sort_order)."""
    return goals.add_milestone(ctx.conn, ctx.user.id, goal_id, ctx.body)


@app.route("/goals/{goal_id}/milestones/{milestone_id}", ["DELETE"], response=models.Goal, errors=("goal_not_active",))
def delete_goal_milestone(ctx: Context, goal_id: UUID, milestone_id: UUID) -> models.Goal:
    """Remove a milestone; progress follows the rest."""
    return goals.delete_milestone(ctx.conn, ctx.user.id, goal_id, milestone_id)


@app.route(
    "/goals/{goal_id}/milestones/{milestone_id}/complete",
    ["POST"],
    response=models.Goal,
    errors=("goal_not_active", "milestone_completed"),
)
def complete_goal_milestone(ctx: Context, goal_id: UUID, milestone_id: UUID) -> models.Goal:
    """Complete a milestone and collect its reward (once); the last one completes the goal."""
    return goals.complete_milestone(ctx.conn, ctx.user.id, goal_id, milestone_id)
