"""Calendar events with recurrence, in the person's time zone, and an .ics export.

A recurring event holds an RFC 5545 RRULE; a date range expands it with dateutil's rrule, in the event's own time
zone (so a weekly 09:00 stays 09:00 across daylight-saving changes), up to ``recurrence_end``. One occurrence is
changed or cancelled by an exception: a child event (``parent_event_id``) whose ``metadata.recurrence_id`` is the
start that occurrence would have had, and ``metadata.cancelled`` when it is cancelled.

The export writes the events of a range as an iCalendar document (RFC 5545, with the icalendar library): a
recurring event once with its RRULE and EXDATEs, its changed occurrences as RECURRENCE-ID events, so calendar apps
expand it themselves.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import lru_cache
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rruleset, rrulestr
from icalendar import Calendar, vRecur
from icalendar import Event as IcsEvent
from psycopg import Connection
from psycopg.types.json import Jsonb

from momentum import localtime
from momentum.db import fetch_all, fetch_one
from momentum.errors import InvalidInput, NotFound
from momentum.models import list_adapter
from momentum.planning.links import require_link
from momentum.planning.models import (
    CalendarEvent,
    CalendarEventIn,
    CalendarEventPatch,
    CalendarExceptionIn,
    CalendarOccurrence,
    CalendarRangeQuery,
)

MAX_OCCURRENCES = 2000

COLUMNS = """id, title, description, event_type, start_time, end_time, all_day, timezone, location, workout_id,
       habit_id, goal_id, recurrence_rule, recurrence_end, parent_event_id, color, reminder_minutes, metadata,
       created_at, updated_at"""
GET = f"SELECT {COLUMNS} FROM calendar_events WHERE id = %(id)s AND user_id = %(user_id)s"
LOCK = f"{GET} FOR UPDATE"
# Events that can have an occurrence in [start, end): single ones overlapping it, recurring ones begun before its
# end (and not ended before its start), and the exceptions of those.
IN_RANGE = f"""
SELECT {COLUMNS} FROM calendar_events
WHERE user_id = %(user_id)s AND (
    (recurrence_rule IS NULL AND parent_event_id IS NULL AND start_time < %(end)s
     AND coalesce(end_time, start_time) >= %(start)s)
    OR (recurrence_rule IS NOT NULL AND parent_event_id IS NULL AND start_time < %(end)s
        AND (recurrence_end IS NULL OR recurrence_end >= %(start_day)s))
    OR parent_event_id IS NOT NULL)
ORDER BY start_time, id
"""
CREATE = """
INSERT INTO calendar_events (user_id, title, description, event_type, start_time, end_time, all_day, timezone,
                             location, workout_id, habit_id, goal_id, recurrence_rule, recurrence_end,
                             parent_event_id, color, reminder_minutes, metadata)
VALUES (%(user_id)s, %(title)s, %(description)s, %(event_type)s, %(start_time)s, %(end_time)s, %(all_day)s,
        %(timezone)s, %(location)s, %(workout_id)s, %(habit_id)s, %(goal_id)s, %(recurrence_rule)s,
        %(recurrence_end)s, %(parent_event_id)s, %(color)s, %(reminder_minutes)s, %(metadata)s)
RETURNING id
"""
# An event goes with its exceptions.
DELETE = """
WITH children AS (DELETE FROM calendar_events WHERE parent_event_id = %(id)s AND user_id = %(user_id)s)
DELETE FROM calendar_events WHERE id = %(id)s AND user_id = %(user_id)s RETURNING id
"""
FIND_EXCEPTION = """
SELECT id FROM calendar_events
WHERE parent_event_id = %(id)s AND (metadata ->> 'recurrence_id')::timestamptz = %(original)s
"""
PATCHABLE = (
    "title",
    "description",
    "event_type",
    "start_time",
    "end_time",
    "all_day",
    "timezone",
    "location",
    "workout_id",
    "habit_id",
    "goal_id",
    "recurrence_rule",
    "recurrence_end",
    "color",
    "reminder_minutes",
    "metadata",
)


def _check_links(conn: Connection, user_id: UUID, values: dict[str, Any]) -> None:
    for kind in ("habit", "workout", "goal"):
        require_link(conn, user_id, kind, values.get(f"{kind}_id"))


def _db_values(values: dict[str, Any]) -> dict[str, Any]:
    if values.get("metadata") is not None:
        values["metadata"] = Jsonb(values["metadata"])
    return values


def get_event(conn: Connection, user_id: UUID, event_id: UUID) -> CalendarEvent:
    """Raises: NotFound."""
    return fetch_one(conn, CalendarEvent, GET, {"id": event_id, "user_id": user_id}, resource="event")


def create_event(conn: Connection, user_id: UUID, body: CalendarEventIn) -> CalendarEvent:
    """Raises: InvalidInput (unknown_link)."""
    values = body.model_dump() | {"user_id": user_id, "parent_event_id": None}
    _check_links(conn, user_id, values)
    (event_id,) = conn.execute(CREATE, _db_values(values)).fetchone() or (None,)
    return get_event(conn, user_id, event_id)


def update_event(conn: Connection, user_id: UUID, event_id: UUID, body: CalendarEventPatch) -> CalendarEvent:
    """Change the fields sent. Raises: NotFound, InvalidInput (unknown_link, an end before the start)."""
    fields = [f for f in PATCHABLE if f in body.model_fields_set]
    with conn.transaction():
        current = fetch_one(conn, CalendarEvent, LOCK, {"id": event_id, "user_id": user_id}, resource="event")
        values: dict[str, Any] = {f: getattr(body, f) for f in fields}
        _check_links(conn, user_id, values)
        start, end = values.get("start_time", current.start_time), values.get("end_time", current.end_time)
        if end is not None and end < start:
            raise InvalidInput("end_time is before start_time", details={"field": "end_time"})
        if fields:
            assignments = ", ".join(f"{f} = %({f})s" for f in fields)
            conn.execute(
                f"UPDATE calendar_events SET {assignments} WHERE id = %(id)s", _db_values(values | {"id": event_id})
            )
    return get_event(conn, user_id, event_id)


def delete_event(conn: Connection, user_id: UUID, event_id: UUID) -> None:
    """Delete an event with its exceptions. Raises: NotFound."""
    if conn.execute(DELETE, {"id": event_id, "user_id": user_id}).fetchone() is None:
        raise NotFound("event")


def add_exception(conn: Connection, user_id: UUID, event_id: UUID, body: CalendarExceptionIn) -> CalendarEvent:
    """Change or cancel one occurrence of a recurring event (replacing an earlier exception for it).

    Raises: NotFound, InvalidInput (not recurring, or no occurrence starts at ``original_start``).
    """
    with conn.transaction():
        parent = fetch_one(conn, CalendarEvent, LOCK, {"id": event_id, "user_id": user_id}, resource="event")
        if parent.recurrence_rule is None or parent.parent_event_id is not None:
            raise InvalidInput("Only a recurring event has occurrences to change", details={"field": "event_id"})
        original = body.original_start
        if not any(
            s == original for s in _expand(parent, original - timedelta(seconds=1), original + timedelta(seconds=1))
        ):
            raise InvalidInput("No occurrence starts then", details={"original_start": original.isoformat()})
        conn.execute(
            "DELETE FROM calendar_events WHERE id IN (" + FIND_EXCEPTION + ")", {"id": event_id, "original": original}
        )
        duration = parent.end_time - parent.start_time if parent.end_time else None
        start = body.start_time or original
        values = parent.model_dump(include=set(PATCHABLE)) | {
            "user_id": user_id,
            "parent_event_id": event_id,
            "recurrence_rule": None,
            "recurrence_end": None,
            "start_time": start,
            "end_time": body.end_time or (start + duration if duration else None),
            "title": body.title or parent.title,
            "location": body.location if body.location is not None else parent.location,
            "description": body.description if body.description is not None else parent.description,
            "metadata": (parent.metadata or {}) | {"recurrence_id": original.isoformat(), "cancelled": body.cancelled},
        }
        (exception_id,) = conn.execute(CREATE, _db_values(values)).fetchone() or (None,)
    return get_event(conn, user_id, exception_id)


@lru_cache(maxsize=4096)
def _rule(recurrence_rule: str, dtstart: datetime) -> rrule | rruleset:
    """A parsed rule that keeps the starts it has generated: a warm function asked for the same calendar again
    (a refresh, the next weeks) neither parses the rule nor walks from its first occurrence again."""
    return rrulestr(recurrence_rule, dtstart=dtstart, cache=True)


def _expand(event: CalendarEvent, start: datetime, end: datetime) -> list[datetime]:
    """Starts of a recurring event's occurrences in [start, end], in its time zone."""
    zone = localtime.zone(event.timezone)
    rule = _rule(event.recurrence_rule or "", event.start_time.astimezone(zone))
    if event.recurrence_end is not None:
        until = datetime.combine(event.recurrence_end, time.max, tzinfo=zone)
        end = min(end, until)
    starts: list[datetime] = []
    for occurrence in rule.xafter(start - timedelta(microseconds=1), count=MAX_OCCURRENCES, inc=True):
        if occurrence > end:
            break
        starts.append(occurrence)
    return starts


def _occurrence(event: CalendarEvent, start: datetime, recurring: UUID | None) -> dict[str, Any]:
    """A CalendarOccurrence's fields (the list is validated in one call at the end)."""
    duration = event.end_time - event.start_time if event.end_time else None
    return {
        "event_id": event.id,
        "recurring_event_id": recurring,
        "title": event.title,
        "event_type": event.event_type,
        "start_time": start,
        "end_time": start + duration if duration else None,
        "all_day": event.all_day,
        "timezone": event.timezone,
        "location": event.location,
        "workout_id": event.workout_id,
        "habit_id": event.habit_id,
        "goal_id": event.goal_id,
        "color": event.color,
    }


def _range(
    conn: Connection, user_id: UUID, query: CalendarRangeQuery
) -> tuple[datetime, datetime, list[CalendarEvent]]:
    zone = localtime.user_zone(conn, user_id)
    start = localtime.day_start(query.start, zone)
    end = localtime.day_start(query.end + timedelta(days=1), zone)
    params = {"user_id": user_id, "start": start, "end": end, "start_day": query.start}
    return start, end, fetch_all(conn, CalendarEvent, IN_RANGE, params)


def occurrences(conn: Connection, user_id: UUID, query: CalendarRangeQuery) -> list[CalendarOccurrence]:
    """Every occurrence from ``start`` to ``end`` (inclusive local days of the person), in time order."""
    start, end, events = _range(conn, user_id, query)
    exceptions: dict[UUID, dict[datetime, CalendarEvent]] = {}
    for event in events:
        if event.parent_event_id is not None:
            original = datetime.fromisoformat((event.metadata or {})["recurrence_id"])
            exceptions.setdefault(event.parent_event_id, {})[original] = event
    found: list[dict[str, Any]] = []
    for event in events:
        if event.parent_event_id is not None:
            continue
        if event.recurrence_rule is None:
            found.append(_occurrence(event, event.start_time, None))
            continue
        changed = exceptions.get(event.id, {})
        for occurrence_start in _expand(event, start, end - timedelta(microseconds=1)):
            exception = changed.get(occurrence_start)
            if exception is None:
                found.append(_occurrence(event, occurrence_start, event.id))
            elif not (exception.metadata or {}).get("cancelled"):
                found.append(_occurrence(exception, exception.start_time, event.id))
    # Sorted on plain numbers: comparing aware datetimes of different zones, and UUIDs, runs Python per comparison.
    found.sort(key=lambda o: (o["start_time"].timestamp(), o["event_id"].int))
    occurrences: list[CalendarOccurrence] = list_adapter(CalendarOccurrence).validate_python(found)
    return occurrences


def export_ics(conn: Connection, user_id: UUID, query: CalendarRangeQuery) -> str:
    """The range's events as an iCalendar document (recurring events with their rules and exceptions)."""
    _, _, events = _range(conn, user_id, query)
    calendar = Calendar()
    calendar.add("prodid", "-//Momentum//Planning//EN")
    calendar.add("version", "2.0")
    by_id = {e.id: e for e in events}
    for event in events:
        parent = by_id.get(event.parent_event_id) if event.parent_event_id else None
        if event.parent_event_id is not None and parent is None:
            continue  # the exception of a recurring event outside the range
        metadata = event.metadata or {}
        if parent is not None and metadata.get("cancelled"):
            continue  # written as the parent's EXDATE
        item = IcsEvent()
        item.add("uid", f"{parent.id if parent else event.id}@momentum")
        item.add("summary", event.title)
        item.add("dtstamp", event.updated_at)
        zone = ZoneInfo(localtime.zone(event.timezone).key)
        if event.all_day:
            item.add("dtstart", event.start_time.astimezone(zone).date())
        else:
            item.add("dtstart", event.start_time.astimezone(zone))
            if event.end_time:
                item.add("dtend", event.end_time.astimezone(zone))
        if event.description:
            item.add("description", event.description)
        if event.location:
            item.add("location", event.location)
        if parent is not None:
            item.add("recurrence-id", datetime.fromisoformat(metadata["recurrence_id"]).astimezone(zone))
        if event.recurrence_rule:
            rule = event.recurrence_rule
            if event.recurrence_end and "UNTIL" not in rule and "COUNT" not in rule:
                until = datetime.combine(event.recurrence_end, time.max, tzinfo=zone).astimezone(ZoneInfo("UTC"))
                rule += f";UNTIL={until:%Y%m%dT%H%M%SZ}"
            item.add("rrule", vRecur.from_ical(rule))
            for child in events:
                if child.parent_event_id == event.id and (child.metadata or {}).get("cancelled"):
                    item.add("exdate", datetime.fromisoformat(child.metadata["recurrence_id"]).astimezone(zone))  # type: ignore[index]
        calendar.add_component(item)
    ical: bytes = calendar.to_ical()
    return ical.decode()
