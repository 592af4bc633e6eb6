"""Request and response models of planning."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

from pydantic import AwareDatetime, Field, field_validator, model_validator

from momentum.models import LongText, Name, PageQuery, PatchModel, QueryModel, RequestModel, ResponseModel, ShortText

EventType = Literal["event", "focus", "workout", "habit", "goal", "lesson", "reminder"]
LinkType = Literal["habit", "workout", "lesson", "focus_task"]
Color = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]
# Time blocks and expansions are bounded so one request cannot ask for years of occurrences.
MAX_RANGE_DAYS = 366


def _check_zone(name: str | None) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if name is None:
        return name
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None
    return name


def _check_rrule(rule: str | None) -> str | None:
    """An RFC 5545 RRULE (without DTSTART, which is the event's start), as dateutil parses it."""
    from dateutil.rrule import rrulestr

    if rule is None:
        return rule
    text = rule.removeprefix("RRULE:")
    if "DTSTART" in text.upper() or "\n" in text:
        raise ValueError("give the RRULE alone; the event's start_time is its DTSTART")
    try:
        # Events expand from an aware start, which needs a UNTIL in UTC (…Z), as RFC 5545 says.
        rrulestr(text, dtstart=datetime(2000, 1, 1, tzinfo=UTC))
    except (ValueError, TypeError) as error:
        raise ValueError(f"not an RRULE: {error}") from None
    return text


class CalendarEventIn(RequestModel):
    title: Name
    description: LongText | None = None
    event_type: EventType = "event"
    start_time: AwareDatetime
    end_time: AwareDatetime | None = None
    all_day: bool = False
    timezone: ShortText = "UTC"
    location: ShortText | None = None
    workout_id: UUID | None = None
    habit_id: UUID | None = None
    goal_id: UUID | None = None
    recurrence_rule: Annotated[str, Field(max_length=500)] | None = None
    recurrence_end: date | None = None
    color: Color | None = None
    reminder_minutes: int | None = Field(default=None, ge=0, le=7 * 24 * 60)
    metadata: dict[str, Any] | None = None

    _zone = field_validator("timezone")(_check_zone)
    _rule = field_validator("recurrence_rule")(_check_rrule)

    @model_validator(mode="after")
    def _times(self) -> CalendarEventIn:
        if self.end_time is not None and self.end_time < self.start_time:
            raise ValueError("end_time is before start_time")
        return self


class CalendarEventPatch(PatchModel):
    not_null = frozenset({"title", "event_type", "start_time", "all_day", "timezone"})

    title: Name | None = None
    description: LongText | None = None
    event_type: EventType | None = None
    start_time: AwareDatetime | None = None
    end_time: AwareDatetime | None = None
    all_day: bool | None = None
    timezone: ShortText | None = None
    location: ShortText | None = None
    workout_id: UUID | None = None
    habit_id: UUID | None = None
    goal_id: UUID | None = None
    recurrence_rule: Annotated[str, Field(max_length=500)] | None = None
    recurrence_end: date | None = None
    color: Color | None = None
    reminder_minutes: int | None = Field(default=None, ge=0, le=7 * 24 * 60)
    metadata: dict[str, Any] | None = None

    _zone = field_validator("timezone")(_check_zone)
    _rule = field_validator("recurrence_rule")(_check_rrule)


class CalendarExceptionIn(RequestModel):
    """Change or cancel one occurrence of a recurring event, named by the start it would have had."""

    original_start: AwareDatetime
    cancelled: bool = False
    title: Name | None = None
    start_time: AwareDatetime | None = None
    end_time: AwareDatetime | None = None
    location: ShortText | None = None
    description: LongText | None = None


class CalendarEvent(ResponseModel):
    id: UUID
    title: str
    description: str | None
    event_type: str
    start_time: datetime
    end_time: datetime | None
    all_day: bool
    timezone: str | None
    location: str | None
    workout_id: UUID | None
    habit_id: UUID | None
    goal_id: UUID | None
    recurrence_rule: str | None
    recurrence_end: date | None
    parent_event_id: UUID | None
    color: str | None
    reminder_minutes: int | None
    metadata: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime


class CalendarOccurrence(ResponseModel):
    """One occurrence in a date range: an event, an instance of a recurring one, or an exception replacing one."""

    event_id: UUID = Field(description="The event (for an instance, the recurring event; for a change, the exception)")
    recurring_event_id: UUID | None
    title: str
    event_type: str
    start_time: datetime
    end_time: datetime | None
    all_day: bool
    timezone: str | None
    location: str | None
    workout_id: UUID | None
    habit_id: UUID | None
    goal_id: UUID | None
    color: str | None


class CalendarRangeQuery(QueryModel):
    start: date
    end: date = Field(description="Inclusive")

    @model_validator(mode="after")
    def _range(self) -> CalendarRangeQuery:
        if self.end < self.start:
            raise ValueError("end is before start")
        if self.end - self.start > timedelta(days=MAX_RANGE_DAYS):
            raise ValueError(f"at most {MAX_RANGE_DAYS} days at a time")
        return self


class PlanItemLink(RequestModel):
    type: LinkType
    id: UUID


class PlanItem(RequestModel):
    id: UUID = Field(default_factory=uuid4)
    title: Name
    done: bool = False
    start_time: time | None = Field(default=None, description="Start of the time block, local time (HH:MM)")
    end_time: time | None = None
    link: PlanItemLink | None = None

    @model_validator(mode="after")
    def _block(self) -> PlanItem:
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValueError("the time block ends before it starts")
        return self


class PlanIn(RequestModel):
    items: list[PlanItem] = Field(default_factory=list, max_length=100)
    notes: LongText | None = None

    @model_validator(mode="after")
    def _unique_ids(self) -> PlanIn:
        if len({i.id for i in self.items}) != len(self.items):
            raise ValueError("item ids must be unique")
        return self


class PlanItemOut(ResponseModel):
    id: UUID
    title: str
    done: bool
    start_time: time | None
    end_time: time | None
    link: dict[str, Any] | None


class Plan(ResponseModel):
    id: UUID
    date: date
    items: list[PlanItemOut]
    notes: str | None
    created_at: datetime
    updated_at: datetime


class PlanTickIn(RequestModel):
    done: bool = True


class PlanTickResult(ResponseModel):
    plan: Plan
    habit_completed: bool = Field(description="Whether ticking the item completed its linked habit just now")


class PlanQuery(PageQuery):
    start: date | None = None
    end: date | None = None


class PlanTemplateIn(RequestModel):
    name: Name
    description: LongText | None = None
    items: list[PlanItem] = Field(default_factory=list, max_length=100)
    is_public: bool = False
    category: ShortText | None = None


class PlanTemplatePatch(PatchModel):
    not_null = frozenset({"name", "items", "is_public"})

    name: Name | None = None
    description: LongText | None = None
    items: list[PlanItem] | None = Field(default=None, max_length=100)
    is_public: bool | None = None
    category: ShortText | None = None


class PlanTemplate(ResponseModel):
    id: UUID
    name: str
    description: str | None
    items: list[PlanItemOut]
    is_public: bool
    category: str | None
    use_count: int
    is_mine: bool
    created_at: datetime
    updated_at: datetime


class PlanTemplateQuery(PageQuery):
    scope: Literal["mine", "public"] = "mine"


class PlanTemplateApplyIn(RequestModel):
    date: date
