"""Daily plans (one per person per date) and plan templates.

A plan's items are a validated list (title, done, a time block, an optional link to a habit, workout, lesson or
focus task). Ticking an item linked to a habit on today's plan (the person's local date) completes the habit through
``habits.complete_habit``, with its payment and streak; a habit already done for its period is not an error, the
tick still counts. Unticking does not undo the habit (``POST /habits/{id}/undo`` does).

Templates: the person's own, or public ones anyone can read, apply to a date (their items are appended to that
date's plan) or copy. ``use_count`` counts applies and copies. Links the person may not link to (another person's
habit in a public template) are dropped when a template is applied or copied.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from psycopg import Connection
from psycopg.types.json import Jsonb

from momentum import localtime
from momentum.db import fetch_all, fetch_one
from momentum.errors import Conflict, InvalidInput, NotFound
from momentum.habits import habits
from momentum.habits.models import HabitCompleteIn
from momentum.pagination import Page, PageRequest, page_of
from momentum.planning.links import require_link
from momentum.planning.models import (
    Plan,
    PlanIn,
    PlanItem,
    PlanQuery,
    PlanTemplate,
    PlanTemplateApplyIn,
    PlanTemplateIn,
    PlanTemplatePatch,
    PlanTemplateQuery,
    PlanTickIn,
    PlanTickResult,
)

MAX_ITEMS = 100

PLAN_COLUMNS = "id, date, items, notes, created_at, updated_at"
GET_PLAN = f"SELECT {PLAN_COLUMNS} FROM daily_plans WHERE user_id = %(user_id)s AND date = %(date)s"
LOCK_PLAN = f"{GET_PLAN} FOR UPDATE"
LIST_PLANS = f"""
SELECT {PLAN_COLUMNS} FROM daily_plans
WHERE user_id = %(user_id)s AND (%(start)s::date IS NULL OR date >= %(start)s)
  AND (%(end)s::date IS NULL OR date <= %(end)s)
  AND (%(after_date)s::date IS NULL OR (date, id) < (%(after_date)s, %(after_id)s::uuid))
ORDER BY date DESC, id DESC
LIMIT %(limit)s
"""
UPSERT_PLAN = f"""
INSERT INTO daily_plans (user_id, date, items, notes) VALUES (%(user_id)s, %(date)s, %(items)s, %(notes)s)
ON CONFLICT (user_id, date) DO UPDATE SET items = excluded.items, notes = excluded.notes
RETURNING {PLAN_COLUMNS}
"""
# Appending to a plan that may not exist yet, atomically (concurrent appends both land).
APPEND_ITEMS = f"""
INSERT INTO daily_plans (user_id, date, items) VALUES (%(user_id)s, %(date)s, %(items)s)
ON CONFLICT (user_id, date) DO UPDATE SET items = daily_plans.items || excluded.items
RETURNING {PLAN_COLUMNS}
"""
SET_ITEMS = f"UPDATE daily_plans SET items = %(items)s WHERE id = %(id)s RETURNING {PLAN_COLUMNS}"

TEMPLATE_COLUMNS = """id, name, description, items, is_public, category, use_count, user_id = %(user_id)s AS is_mine,
       created_at, updated_at"""
GET_TEMPLATE = f"""
SELECT {TEMPLATE_COLUMNS} FROM plan_templates WHERE id = %(id)s AND (user_id = %(user_id)s OR is_public)
"""
LOCK_OWN_TEMPLATE = (
    f"SELECT {TEMPLATE_COLUMNS} FROM plan_templates WHERE id = %(id)s AND user_id = %(user_id)s FOR UPDATE"
)
LIST_TEMPLATES = f"""
SELECT {TEMPLATE_COLUMNS} FROM plan_templates
WHERE CASE WHEN %(scope)s = 'public' THEN is_public ELSE user_id = %(user_id)s END
  AND (%(after_created)s::timestamptz IS NULL OR (created_at, id) < (%(after_created)s, %(after_id)s::uuid))
ORDER BY created_at DESC, id DESC
LIMIT %(limit)s
"""
CREATE_TEMPLATE = """
INSERT INTO plan_templates (user_id, name, description, items, is_public, category)
VALUES (%(user_id)s, %(name)s, %(description)s, %(items)s, %(is_public)s, %(category)s)
RETURNING id
"""
DELETE_TEMPLATE = "DELETE FROM plan_templates WHERE id = %(id)s AND user_id = %(user_id)s RETURNING id"
COUNT_USE = "UPDATE plan_templates SET use_count = use_count + 1 WHERE id = %(id)s"


def parse_day(text: str) -> date:
    """A plan's date from the path. Raises: NotFound for anything that is not a date (it names no plan)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise NotFound("plan") from None


def _items_json(items: list[PlanItem]) -> Jsonb:
    return Jsonb([item.model_dump(mode="json") for item in items])


def _check_links(conn: Connection, user_id: UUID, items: list[PlanItem]) -> None:
    for item in items:
        if item.link is not None:
            require_link(conn, user_id, item.link.type, item.link.id)


def _linkable(conn: Connection, user_id: UUID, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Template items made fresh for this person: new ids, not done, links they may not follow dropped."""
    fresh = []
    for item in items:
        link = item.get("link")
        if link is not None:
            try:
                require_link(conn, user_id, link["type"], UUID(link["id"]))
            except InvalidInput:
                link = None
        fresh.append(item | {"id": str(uuid4()), "done": False, "link": link})
    return fresh


# ---------------------------------------------------------------- plans


def get_plan(conn: Connection, user_id: UUID, day: str) -> Plan:
    """Raises: NotFound when there is no plan for that date."""
    return fetch_one(conn, Plan, GET_PLAN, {"user_id": user_id, "date": parse_day(day)}, resource="plan")


def put_plan(conn: Connection, user_id: UUID, day: str, body: PlanIn) -> Plan:
    """Create or replace the plan of a date. Raises: InvalidInput (unknown_link)."""
    on = parse_day(day)
    _check_links(conn, user_id, body.items)
    params = {"user_id": user_id, "date": on, "items": _items_json(body.items), "notes": body.notes}
    return fetch_one(conn, Plan, UPSERT_PLAN, params, resource="plan")


def list_plans(conn: Connection, user_id: UUID, query: PlanQuery, page: PageRequest) -> Page[Plan]:
    after_date, after_id = page.after_key(date, UUID)
    params = {
        "user_id": user_id,
        "start": query.start,
        "end": query.end,
        "after_date": after_date,
        "after_id": after_id,
        "limit": page.limit + 1,
    }
    rows = fetch_all(conn, Plan, LIST_PLANS, params)
    return page_of(rows, page, key=lambda p: (p.date.isoformat(), str(p.id)))


def tick_item(conn: Connection, user_id: UUID, day: str, item_id: UUID, body: PlanTickIn) -> PlanTickResult:
    """Tick (or untick) an item; ticking an item linked to a habit on today's plan completes the habit.

    Raises: NotFound (plan or item).
    """
    on = parse_day(day)
    completed = False
    with conn.transaction():
        plan = fetch_one(conn, Plan, LOCK_PLAN, {"user_id": user_id, "date": on}, resource="plan")
        items = [item.model_dump(mode="json") for item in plan.items]
        item = next((i for i in items if i["id"] == str(item_id)), None)
        if item is None:
            raise NotFound("plan item")
        was_done, item["done"] = item["done"], body.done
        link = item.get("link") or {}
        if body.done and not was_done and link.get("type") == "habit" and on == localtime.local_today(conn, user_id):
            try:
                habits.complete_habit(conn, user_id, UUID(link["id"]), HabitCompleteIn())
                completed = True
            except NotFound:
                pass  # the habit was deleted since: the item stays a plain item
            except Conflict:
                pass  # done for its period already, or paused: ticking the plan is still fine
        plan = fetch_one(conn, Plan, SET_ITEMS, {"id": plan.id, "items": Jsonb(items)}, resource="plan")
    return PlanTickResult(plan=plan, habit_completed=completed)


# ---------------------------------------------------------------- templates


def list_templates(conn: Connection, user_id: UUID, query: PlanTemplateQuery, page: PageRequest) -> Page[PlanTemplate]:
    after_created, after_id = page.after_key(datetime, UUID)
    params = {
        "user_id": user_id,
        "scope": query.scope,
        "after_created": after_created,
        "after_id": after_id,
        "limit": page.limit + 1,
    }
    rows = fetch_all(conn, PlanTemplate, LIST_TEMPLATES, params)
    return page_of(rows, page, key=lambda t: (t.created_at.isoformat(), str(t.id)))


def get_template(conn: Connection, user_id: UUID, template_id: UUID) -> PlanTemplate:
    """One's own template or a public one. Raises: NotFound."""
    return fetch_one(conn, PlanTemplate, GET_TEMPLATE, {"id": template_id, "user_id": user_id}, resource="template")


def create_template(conn: Connection, user_id: UUID, body: PlanTemplateIn) -> PlanTemplate:
    """Raises: InvalidInput (unknown_link)."""
    _check_links(conn, user_id, body.items)
    values = body.model_dump(exclude={"items"}) | {"user_id": user_id, "items": _items_json(body.items)}
    (template_id,) = conn.execute(CREATE_TEMPLATE, values).fetchone() or (None,)
    return get_template(conn, user_id, template_id)


def update_template(conn: Connection, user_id: UUID, template_id: UUID, body: PlanTemplatePatch) -> PlanTemplate:
    """Change one's own template. Raises: NotFound (also for another person's public one), InvalidInput."""
    fields = [f for f in ("name", "description", "items", "is_public", "category") if f in body.model_fields_set]
    with conn.transaction():
        fetch_one(conn, PlanTemplate, LOCK_OWN_TEMPLATE, {"id": template_id, "user_id": user_id}, resource="template")
        if body.items is not None:
            _check_links(conn, user_id, body.items)
        if fields:
            values: dict[str, Any] = {f: getattr(body, f) for f in fields} | {"id": template_id}
            if "items" in values:
                values["items"] = _items_json(body.items or [])
            assignments = ", ".join(f"{f} = %({f})s" for f in fields)
            conn.execute(f"UPDATE plan_templates SET {assignments} WHERE id = %(id)s", values)
    return get_template(conn, user_id, template_id)


def delete_template(conn: Connection, user_id: UUID, template_id: UUID) -> None:
    """Raises: NotFound (also for another person's public one)."""
    if conn.execute(DELETE_TEMPLATE, {"id": template_id, "user_id": user_id}).fetchone() is None:
        raise NotFound("template")


def apply_template(conn: Connection, user_id: UUID, template_id: UUID, body: PlanTemplateApplyIn) -> Plan:
    """Append a template's items to the plan of a date (creating it) and count the use.

    Raises: NotFound, InvalidInput (the plan would hold more than 100 items).
    """
    with conn.transaction():
        template = get_template(conn, user_id, template_id)
        items = _linkable(conn, user_id, [i.model_dump(mode="json") for i in template.items])
        params = {"user_id": user_id, "date": body.date, "items": Jsonb(items)}
        plan = fetch_one(conn, Plan, APPEND_ITEMS, params, resource="plan")
        if len(plan.items) > MAX_ITEMS:
            raise InvalidInput(f"A plan holds at most {MAX_ITEMS} items", details={"items": len(plan.items)})
        conn.execute(COUNT_USE, {"id": template_id})
    return plan


def copy_template(conn: Connection, user_id: UUID, template_id: UUID) -> PlanTemplate:
    """Copy a template (a public one, or one's own) into a private one of one's own. Raises: NotFound."""
    with conn.transaction():
        source = get_template(conn, user_id, template_id)
        items = _linkable(conn, user_id, [i.model_dump(mode="json") for i in source.items])
        values = {
            "user_id": user_id,
            "name": source.name,
            "description": source.description,
            "items": Jsonb(items),
            "is_public": False,
            "category": source.category,
        }
        (copy_id,) = conn.execute(CREATE_TEMPLATE, values).fetchone() or (None,)
        conn.execute(COUNT_USE, {"id": template_id})
    return get_template(conn, user_id, copy_id)
