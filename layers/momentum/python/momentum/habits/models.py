"""Request and response models of habits and goals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, model_validator

from momentum.models import LongText, Name, PageQuery, PatchModel, RequestModel, ResponseModel, ShortText

Frequency = Literal["daily", "weekly", "custom"]
# Days of the week as PostgreSQL's extract(dow) and JavaScript's getDay() number them: 0 = Sunday … 6 = Saturday.
Weekday = Annotated[int, Field(ge=0, le=6)]
Color = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]
GoalStatus = Literal["active", "completed", "paused"]


def _check_schedule(frequency: str | None, custom_days: list[int] | None) -> None:
    if frequency == "custom" and not custom_days:
        raise ValueError("a custom habit needs custom_days (0 = Sunday … 6 = Saturday)")
    if frequency in ("daily", "weekly") and custom_days:
        raise ValueError("custom_days are for custom habits only")


class HabitIn(RequestModel):
    name: Name
    description: LongText | None = None
    frequency: Frequency = "daily"
    target_count: int = Field(default=1, ge=1, le=100, description="Completions per period (day, or ISO week)")
    custom_days: list[Weekday] | None = Field(default=None, min_length=1, max_length=7)
    icon: ShortText | None = None
    color: Color | None = None
    sort_order: int = Field(default=0, ge=0, le=100_000)

    @model_validator(mode="after")
    def _schedule(self) -> HabitIn:
        _check_schedule(self.frequency, self.custom_days)
        if self.custom_days:
            self.custom_days = sorted(set(self.custom_days))
        return self


class HabitPatch(PatchModel):
    not_null = frozenset({"name", "frequency", "target_count", "is_active", "sort_order"})

    name: Name | None = None
    description: LongText | None = None
    frequency: Frequency | None = None
    target_count: int | None = Field(default=None, ge=1, le=100)
    custom_days: list[Weekday] | None = Field(default=None, min_length=1, max_length=7)
    icon: ShortText | None = None
    color: Color | None = None
    is_active: bool | None = None
    sort_order: int | None = Field(default=None, ge=0, le=100_000)

    @model_validator(mode="after")
    def _valid(self) -> HabitPatch:
        if "frequency" in self.model_fields_set:
            _check_schedule(self.frequency, self.custom_days)
        if self.custom_days:
            self.custom_days = sorted(set(self.custom_days))
        return self


class Habit(ResponseModel):
    id: UUID
    name: str
    description: str | None
    frequency: Frequency
    target_count: int
    custom_days: list[int] | None
    icon: str | None
    color: str | None
    is_active: bool
    current_streak: int
    longest_streak: int
    last_completed_at: datetime | None
    sort_order: int
    created_at: datetime
    updated_at: datetime
    period_count: int = Field(description="Completions in the current period (today, or this ISO week)")
    done_for_period: bool


class HabitCompleteIn(RequestModel):
    notes: LongText | None = None


class HabitCompletionRecord(ResponseModel):
    id: UUID
    habit_id: UUID
    completed_at: datetime
    completed_date: date
    notes: str | None


class HabitCompletion(ResponseModel):
    habit: Habit
    completion: HabitCompletionRecord
    xp: int
    coins: int
    milestone: int | None = Field(description="The streak milestone this completion reached, if any")


class HabitCompletionQuery(PageQuery):
    pass


class GoalMilestoneIn(RequestModel):
    title: Name
    description: LongText | None = None
    sort_order: int | None = Field(default=None, ge=0, le=100_000)


class GoalIn(RequestModel):
    title: Name
    description: LongText | None = None
    category: ShortText | None = None
    target_date: date | None = None
    priority: int = Field(default=0, ge=0, le=10)
    sort_order: int = Field(default=0, ge=0, le=100_000)
    milestones: list[GoalMilestoneIn] = Field(default_factory=list, max_length=100)


class GoalPatch(PatchModel):
    not_null = frozenset({"title", "priority", "sort_order", "status", "progress"})

    title: Name | None = None
    description: LongText | None = None
    category: ShortText | None = None
    target_date: date | None = None
    priority: int | None = Field(default=None, ge=0, le=10)
    sort_order: int | None = Field(default=None, ge=0, le=100_000)
    status: Literal["active", "paused"] | None = None
    progress: int | None = Field(default=None, ge=0, le=100, description="By hand, for a goal without milestones")


class GoalMilestone(ResponseModel):
    id: UUID
    title: str
    description: str | None
    is_completed: bool
    completed_at: datetime | None
    sort_order: int


class Goal(ResponseModel):
    id: UUID
    title: str
    description: str | None
    category: str | None
    target_date: date | None
    started_at: datetime | None
    completed_at: datetime | None
    status: GoalStatus
    progress: int
    priority: int
    sort_order: int
    created_at: datetime
    updated_at: datetime
    milestones: list[GoalMilestone]


class GoalQuery(PageQuery):
    status: GoalStatus | None = None
