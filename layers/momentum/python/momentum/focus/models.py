"""Request and response models of the focus domain."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, model_validator

from momentum.models import LongText, Name, PageQuery, PatchModel, QueryModel, RequestModel, ResponseModel, ShortText

Mode = Literal["work", "short_break", "long_break"]
Status = Literal["active", "completed", "abandoned"]
LibraryType = Literal["playlist", "album", "custom"]
Url = Annotated[str, Field(max_length=2000, pattern=r"^https?://\S+$")]


class FocusSessionIn(RequestModel):
    mode: Mode = "work"
    duration_seconds: int = Field(ge=60, le=4 * 3600, description="Planned length, 1 minute to 4 hours")
    task_id: UUID | None = None
    task_title: ShortText | None = None


class FocusSession(ResponseModel):
    id: UUID
    mode: Mode
    status: Status
    duration_seconds: int
    started_at: datetime
    completed_at: datetime | None
    abandoned_at: datetime | None
    expires_at: datetime | None
    is_paused: bool
    remaining_seconds: int = Field(description="The server's count of planned time still to go (pauses excluded)")
    focused_seconds: int = Field(description="Time actually focused so far (pauses excluded)")
    paused_at: datetime | None
    xp_awarded: int
    coins_awarded: int
    task_id: UUID | None
    task_title: str | None


class FocusSessionQuery(PageQuery):
    status: Status | None = None


class FocusStatsQuery(QueryModel):
    days: int = Field(default=7, ge=1, le=366)


class FocusDayMinutes(ResponseModel):
    day: date
    minutes: int


class FocusWeekMinutes(ResponseModel):
    week_start: date
    minutes: int


class FocusStats(ResponseModel):
    timezone: str
    days: list[FocusDayMinutes]
    weeks: list[FocusWeekMinutes]
    total_minutes: int
    sessions_completed: int
    sessions_abandoned: int
    completion_rate: float | None = Field(description="Completed ÷ (completed + abandoned) work sessions, or null")
    best_hour: int | None = Field(description="Local hour of day (0-23) with the most focused minutes, or null")


class FocusLibraryIn(RequestModel):
    name: Name
    description: LongText | None = None
    library_type: LibraryType = "playlist"
    is_favorite: bool = False


class FocusLibraryPatch(PatchModel):
    not_null = frozenset({"name", "library_type", "is_favorite"})

    name: Name | None = None
    description: LongText | None = None
    library_type: LibraryType | None = None
    is_favorite: bool | None = None


class FocusTrackIn(RequestModel):
    """A track: one of your reference tracks (``reference_track_id``), or an external one by title and URL."""

    reference_track_id: UUID | None = None
    track_id: ShortText | None = Field(default=None, description="An external service's track id")
    track_title: Name | None = None
    track_url: Url | None = None
    duration_seconds: int | None = Field(default=None, ge=1, le=24 * 3600)
    sort_order: int | None = Field(default=None, ge=0, le=100_000)

    @model_validator(mode="after")
    def _one_source(self) -> FocusTrackIn:
        if self.reference_track_id is not None and (self.track_id or self.track_url):
            raise ValueError("a reference track carries its own id and address")
        if self.reference_track_id is None and not self.track_title:
            raise ValueError("an external track needs a track_title")
        return self


class FocusTrack(ResponseModel):
    id: UUID
    track_id: str | None
    reference_track_id: UUID | None
    track_title: str
    track_url: str | None
    duration_seconds: int | None
    sort_order: int
    added_at: datetime


class FocusLibrary(ResponseModel):
    id: UUID
    name: str
    description: str | None
    library_type: LibraryType
    tracks_count: int
    is_favorite: bool
    created_at: datetime
    updated_at: datetime


class FocusLibraryWithTracks(FocusLibrary):
    tracks: list[FocusTrack]
