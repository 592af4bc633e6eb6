"""Request and response models of the quests domain."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import Field, model_validator

from momentum.models import LongText, Name, PageQuery, PatchModel, RequestModel, ResponseModel, ShortText

QuestType = Literal["daily", "weekly", "monthly", "one_time"]
TargetType = Literal[
    "focus_minutes",
    "focus_sessions",
    "habits_completed",
    "sets_logged",
    "workouts_completed",
    "pages_read",
    "lessons_completed",
    "purchases",
]
Difficulty = Literal["easy", "normal", "hard"]
RepeatFrequency = Literal["daily", "weekly"]


class QuestIn(RequestModel):
    title: Name
    description: LongText | None = None
    type: QuestType
    target_type: TargetType
    target: int = Field(default=1, ge=1, le=100_000)
    target_config: dict[str, Any] | None = None
    xp_reward: int = Field(default=0, ge=0, le=10_000)
    coin_reward: int = Field(default=0, ge=0, le=10_000)
    skill_key: ShortText | None = None
    is_active: bool = True
    sort_order: int = Field(default=0, ge=0, le=100_000)


class QuestPatch(PatchModel):
    not_null = frozenset(
        {"title", "type", "target_type", "target", "xp_reward", "coin_reward", "is_active", "sort_order"}
    )

    title: Name | None = None
    description: LongText | None = None
    type: QuestType | None = None
    target_type: TargetType | None = None
    target: int | None = Field(default=None, ge=1, le=100_000)
    target_config: dict[str, Any] | None = None
    xp_reward: int | None = Field(default=None, ge=0, le=10_000)
    coin_reward: int | None = Field(default=None, ge=0, le=10_000)
    skill_key: ShortText | None = None
    is_active: bool | None = None
    sort_order: int | None = Field(default=None, ge=0, le=100_000)


class Quest(ResponseModel):
    id: UUID
    title: str
    description: str | None
    type: QuestType
    target_type: str
    target: int
    target_config: dict[str, Any] | None
    xp_reward: int
    coin_reward: int
    skill_key: str | None
    is_active: bool
    sort_order: int
    created_at: datetime
    updated_at: datetime


class QuestProgress(ResponseModel):
    status: Literal["active", "completed", "claimed"]
    progress: int
    accepted_at: datetime
    completed_at: datetime | None
    claimed_at: datetime | None
    times_completed: int


class UserQuest(Quest):
    """A universal quest with the person's progress in it, if they accepted it."""

    progress: QuestProgress | None


class QuestClaim(ResponseModel):
    quest: UserQuest
    reward_id: UUID
    coins: int  # balances after the claim
    total_xp: int
    level: int


class PersonalQuestIn(RequestModel):
    title: Name
    description: LongText | None = None
    category: ShortText | None = None
    difficulty: Difficulty = "normal"
    xp_reward: int = Field(default=0, ge=0)
    coin_reward: int = Field(default=0, ge=0)
    target: int = Field(default=1, ge=1, le=100_000)
    is_repeatable: bool = False
    repeat_frequency: RepeatFrequency | None = None
    expires_at: datetime | None = None

    @model_validator(mode="after")
    def _repeat(self) -> PersonalQuestIn:
        if self.is_repeatable != (self.repeat_frequency is not None):
            raise ValueError("a repeatable quest needs a repeat_frequency, and only a repeatable one")
        return self


class PersonalQuestPatch(PatchModel):
    not_null = frozenset({"title", "difficulty", "xp_reward", "coin_reward", "target", "is_active"})

    title: Name | None = None
    description: LongText | None = None
    category: ShortText | None = None
    difficulty: Difficulty | None = None
    xp_reward: int | None = Field(default=None, ge=0)
    coin_reward: int | None = Field(default=None, ge=0)
    target: int | None = Field(default=None, ge=1, le=100_000)
    is_active: bool | None = None


class QuestProgressIn(RequestModel):
    amount: int = Field(default=1, ge=1, le=100_000)


class PersonalQuest(ResponseModel):
    id: UUID
    title: str
    description: str | None
    category: str | None
    difficulty: str | None
    xp_reward: int
    coin_reward: int
    status: Literal["active", "completed", "claimed"]
    progress: int
    target: int
    is_active: bool
    is_repeatable: bool
    repeat_frequency: RepeatFrequency | None
    accepted_at: datetime
    completed_at: datetime | None
    claimed_at: datetime | None
    expires_at: datetime | None
    last_completed_date: date | None
    streak_count: int
    created_at: datetime
    updated_at: datetime


class QuestQuery(PageQuery):
    accepted: bool | None = None
