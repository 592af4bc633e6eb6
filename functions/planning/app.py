"""Planning: calendar events with recurrence and an .ics export, daily plans, plan templates."""

from uuid import UUID

from chalice.app import Response
from momentum.http import Context, MomentumApp, Page
from momentum.planning import events, models, plans

app = MomentumApp("momentum-planning")


@app.route("/calendar/events", query=models.CalendarRangeQuery, response=list[models.CalendarOccurrence])
def list_calendar_occurrences(ctx: Context[None, models.CalendarRangeQuery]) -> list[models.CalendarOccurrence]:
    """Every occurrence between two dates (inclusive, your time zone), recurring events expanded."""
    return events.occurrences(ctx.conn, ctx.user.id, ctx.query)


@app.route(
    "/calendar/events",
    ["POST"],
    body=models.CalendarEventIn,
    response=models.CalendarEvent,
    status=201,
    errors=("unknown_link",),
)
def create_calendar_event(ctx: Context[models.CalendarEventIn]) -> models.CalendarEvent:
    """Create an event, optionally recurring (an RFC 5545 RRULE) and linked to a workout, habit or goal."""
    return events.create_event(ctx.conn, ctx.user.id, ctx.body)


@app.route("/calendar/events/{event_id}", response=models.CalendarEvent)
def get_calendar_event(ctx: Context, event_id: UUID) -> models.CalendarEvent:
    """One of your events as stored (a recurring one with its rule)."""
    return events.get_event(ctx.conn, ctx.user.id, event_id)


@app.route(
    "/calendar/events/{event_id}",
    ["PATCH"],
    body=models.CalendarEventPatch,
    response=models.CalendarEvent,
    errors=("unknown_link",),
)
def update_calendar_event(ctx: Context[models.CalendarEventPatch], event_id: UUID) -> models.CalendarEvent:
    """Change the fields sent (for a recurring event: every occurrence)."""
    return events.update_event(ctx.conn, ctx.user.id, event_id, ctx.body)


@app.route("/calendar/events/{event_id}", ["DELETE"], status=204)
def delete_calendar_event(ctx: Context, event_id: UUID) -> None:
    """Delete an event with its exceptions."""
    events.delete_event(ctx.conn, ctx.user.id, event_id)


@app.route(
    "/calendar/events/{event_id}/exceptions",
    ["POST"],
    body=models.CalendarExceptionIn,
    response=models.CalendarEvent,
    status=201,
)
def add_calendar_exception(ctx: Context[models.CalendarExceptionIn], event_id: UUID) -> models.CalendarEvent:
    """Change or cancel one occurrence of a recurring event."""
    return events.add_exception(ctx.conn, ctx.user.id, event_id, ctx.body)


@app.route("/calendar/export", query=models.CalendarRangeQuery)
def export_calendar(ctx: Context[None, models.CalendarRangeQuery]) -> Response:
    """Your events between two dates as an iCalendar (.ics) document."""
    body = events.export_ics(ctx.conn, ctx.user.id, ctx.query)
    headers: dict[str, str | list[str]] = {
        "Content-Type": "text/calendar; charset=utf-8",
        "Content-Disposition": 'attachment; filename="momentum.ics"',
    }
    return Response(body=body, status_code=200, headers=headers)


@app.route("/plans", query=models.PlanQuery, response=Page[models.Plan])
def list_daily_plans(ctx: Context[None, models.PlanQuery]) -> Page[models.Plan]:
    """Your daily plans, newest date first."""
    return plans.list_plans(ctx.conn, ctx.user.id, ctx.query, ctx.page)


@app.route("/plans/{day}", response=models.Plan)
def get_daily_plan(ctx: Context, day: str) -> models.Plan:
    """The plan of a date (YYYY-MM-DD)."""
    return plans.get_plan(ctx.conn, ctx.user.id, day)


@app.route("/plans/{day}", ["PUT"], body=models.PlanIn, response=models.Plan, errors=("unknown_link",))
def put_daily_plan(ctx: Context[models.PlanIn], day: str) -> models.Plan:
    """Create or replace the plan of a date."""
    return plans.put_plan(ctx.conn, ctx.user.id, day, ctx.body)


@app.route("/plans/{day}/items/{item_id}/tick", ["POST"], body=models.PlanTickIn, response=models.PlanTickResult)
def tick_plan_item(ctx: Context[models.PlanTickIn], day: str, item_id: UUID) -> models.PlanTickResult:
    """Tick or untick an item; ticking a habit item on today's plan completes the habit."""
    return plans.tick_item(ctx.conn, ctx.user.id, day, item_id, ctx.body)


@app.route("/plan-templates", query=models.PlanTemplateQuery, response=Page[models.PlanTemplate])
def list_plan_templates(ctx: Context[None, models.PlanTemplateQuery]) -> Page[models.PlanTemplate]:
    """Your templates, or everyone's public ones (?scope=public)."""
    return plans.list_templates(ctx.conn, ctx.user.id, ctx.query, ctx.page)


@app.route(
    "/plan-templates",
    ["POST"],
    body=models.PlanTemplateIn,
    response=models.PlanTemplate,
    status=201,
    errors=("unknown_link",),
)
def create_plan_template(ctx: Context[models.PlanTemplateIn]) -> models.PlanTemplate:
    """Create a template, private or public."""
    return plans.create_template(ctx.conn, ctx.user.id, ctx.body)


@app.route("/plan-templates/{template_id}", response=models.PlanTemplate)
def get_plan_template(ctx: Context, template_id: UUID) -> models.PlanTemplate:
    """One of your templates, or a public one."""
    return plans.get_template(ctx.conn, ctx.user.id, template_id)


@app.route(
    "/plan-templates/{template_id}",
    ["PATCH"],
    body=models.PlanTemplatePatch,
    response=models.PlanTemplate,
    errors=("unknown_link",),
)
def update_plan_template(ctx: Context[models.PlanTemplatePatch], template_id: UUID) -> models.PlanTemplate:
    """Change one of your templates."""
    return plans.update_template(ctx.conn, ctx.user.id, template_id, ctx.body)


@app.route("/plan-templates/{template_id}", ["DELETE"], status=204)
def delete_plan_template(ctx: Context, template_id: UUID) -> None:
    """Delete one of your templates."""
    plans.delete_template(ctx.conn, ctx.user.id, template_id)


@app.route("/plan-templates/{template_id}/apply", ["POST"], body=models.PlanTemplateApplyIn, response=models.Plan)
def apply_plan_template(ctx: Context[models.PlanTemplateApplyIn], template_id: UUID) -> models.Plan:
    """Append a template's items to the plan of a date."""
    return plans.apply_template(ctx.conn, ctx.user.id, template_id, ctx.body)


@app.route("/plan-templates/{template_id}/copy", ["POST"], response=models.PlanTemplate, status=201)
def copy_plan_template(ctx: Context, template_id: UUID) -> models.PlanTemplate:
    """Copy a public template (or one of yours) into a private one of your own."""
    return plans.copy_template(ctx.conn, ctx.user.id, template_id)
