"""Request and response models of the books domain."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from momentum.models import LongText, Name, PageQuery, PatchModel, QueryModel, RequestModel, ResponseModel, ShortText

# What a reader sees. 'abandoned' is stored as books.status 'to_read' plus a books_abandoned row (the spec's
# column knows three statuses); its read-through is kept, closed as abandoned.
Status = Literal["to_read", "reading", "completed", "abandoned"]
Sort = Literal["updated", "title", "author", "finished"]

Pages = Annotated[int, Field(ge=1, le=100_000)]
Page = Annotated[int, Field(ge=0, le=100_000)]
Rating = Annotated[int, Field(ge=1, le=5)]
Url = Annotated[str, Field(min_length=1, max_length=2000, pattern=r"^https?://\S+$")]
Isbn = Annotated[str, Field(min_length=10, max_length=20)]


class BookIn(RequestModel):
    title: Name
    author: ShortText | None = None
    total_pages: Pages | None = None
    current_page: Page = 0
    isbn: Isbn | None = None
    cover_url: Url | None = None
    rating: Rating | None = None
    notes: LongText | None = None
    status: Status = "to_read"


class BookPatch(PatchModel):
    """Only the fields sent change; null clears an optional field."""

    not_null = frozenset({"title", "current_page", "status"})

    title: Name | None = None
    author: ShortText | None = None
    total_pages: Pages | None = None
    current_page: Page | None = None
    isbn: Isbn | None = None
    cover_url: Url | None = None
    rating: Rating | None = None
    notes: LongText | None = None
    status: Status | None = None


class BookQuery(PageQuery):
    status: Status | None = None
    sort: Sort = "updated"
    q: str | None = Field(default=None, min_length=1, max_length=200)


class Read(ResponseModel):
    read_number: int
    started_at: datetime | None
    finished_at: datetime | None
    abandoned_at: datetime | None
    imported: bool


class BookProgress(ResponseModel):
    percent: float | None  # None while total_pages is unknown
    pages_left: int | None
    estimated_finish: date | None  # at the reader's pace of the last 30 days; None without recent reading


class Book(ResponseModel):
    id: UUID
    title: str
    author: str | None
    total_pages: int | None
    current_page: int
    status: Status
    started_at: datetime | None
    completed_at: datetime | None
    rating: int | None
    notes: str | None
    cover_url: str | None
    isbn: str | None
    created_at: datetime
    updated_at: datetime


class BookDetail(Book):
    reads: list[Read]
    progress: BookProgress


class ReadingSessionIn(RequestModel):
    """Pages as a count or as start/end pages; the missing one is derived (start defaults to the current page)."""

    pages_read: Page | None = None
    start_page: Page | None = None
    end_page: Page | None = None
    duration_minutes: Annotated[int, Field(ge=1, le=1440)] | None = None
    started_at: AwareDatetime | None = None  # with its offset: a bare local time names no moment
    notes: LongText | None = None


class SessionPatch(PatchModel):
    not_null = frozenset({"pages_read", "started_at"})

    pages_read: Page | None = None
    start_page: Page | None = None
    end_page: Page | None = None
    duration_minutes: Annotated[int, Field(ge=1, le=1440)] | None = None
    started_at: AwareDatetime | None = None  # with its offset: a bare local time names no moment
    notes: LongText | None = None


class ReadingSession(ResponseModel):
    id: UUID
    book_id: UUID
    pages_read: int
    start_page: int | None
    end_page: int | None
    duration_minutes: int | None
    started_at: datetime
    notes: str | None
    xp_awarded: int
    coins_awarded: int


class LoggedSession(ResponseModel):
    session: ReadingSession
    skill_stars: int  # reading stars this session paid
    book: Book
    book_completed: bool  # this session reached the last page
    achievements: list[str]  # earned just now


class ImportRowSkipped(ResponseModel):
    row: int  # 1-based line of the CSV, header excluded
    title: str | None
    reason: str


class ImportReport(ResponseModel):
    source: Literal["goodreads", "storygraph"]
    rows: int
    imported: int
    skipped: list[ImportRowSkipped]


class ReadingStatsQuery(QueryModel):
    year: int | None = Field(default=None, ge=1900, le=2200)


class DayPages(ResponseModel):
    day: date
    pages: int


class ReadingGoal(ResponseModel):
    books: int
    finished: int
    percent: float
    expected_by_now: float  # books finished by today at an even pace through the year
    on_track: Literal["ahead", "on_track", "behind"]


class LongestBook(ResponseModel):
    id: UUID
    title: str
    total_pages: int


class ReadingStats(ResponseModel):
    year: int
    timezone: str
    books_finished: int
    pages_finished: int  # the pages of the books finished this year
    pages_per_day: list[DayPages]  # the last 30 days, oldest first, days without reading as 0
    pages_per_hour: float | None  # from this year's sessions that recorded minutes
    current_streak: int
    longest_streak: int
    average_rating: float | None
    longest_book: LongestBook | None
    goal: ReadingGoal | None  # from the reading_goal_books setting
