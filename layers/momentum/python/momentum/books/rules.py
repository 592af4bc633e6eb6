"""The pure rules of reading: ISBNs, a session's pages, the rates and caps of what reading pays, a reader's day and
streaks."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from stdnum import isbn as stdnum_isbn
from stdnum.exceptions import ValidationError as IsbnError

from momentum.errors import InvalidInput

# What reading pays. A session pays XP = max(1, pages ÷ 5) and coins = pages ÷ 10, and a `reading` skill star for
# every 50 pages read in a day. Per local day reading pays at most DAILY_XP XP, DAILY_COINS coins and DAILY_STARS
# stars (500 pages' worth): the ledger's rows of that day decide what is left, so logging 5,000 pages pays what 500
# do, and editing or deleting a session (which never reverses what it paid) cannot make a day pay twice.
XP_PER_PAGES = 5
COINS_PER_PAGES = 10
PAGES_PER_STAR = 50
DAILY_XP = 100
DAILY_COINS = 50
DAILY_STARS = 10
# Finishing a book is a `book_complete` ledger event (achievements count them): 10 XP, once per book (a re-read
# does not pay again), for at most 3 books a day, so adding and finishing empty books is no XP printer either.
COMPLETION_XP = 10
COMPLETIONS_PER_DAY = 3
# The rates and caps as the SQL functions take them (reading_session_payout, reading_session_log): what a session
# pays depends on what the day's ledger holds, so it is worked out in the statement that pays.
READING_RULES = {
    "xp_per_pages": XP_PER_PAGES,
    "coins_per_pages": COINS_PER_PAGES,
    "pages_per_star": PAGES_PER_STAR,
    "daily_xp": DAILY_XP,
    "daily_coins": DAILY_COINS,
    "daily_stars": DAILY_STARS,
    "completion_xp": COMPLETION_XP,
    "completions_per_day": COMPLETIONS_PER_DAY,
}


def normal_isbn(value: str) -> str:
    """ISBN-10 or ISBN-13, hyphens or spaces allowed, as ISBN-13 digits (the one normal form we store).

    python-stdnum checks the length, the prefix and the check digit. Raises: InvalidInput (code invalid_isbn).
    """
    try:
        return str(stdnum_isbn.to_isbn13(stdnum_isbn.validate(value)))
    except IsbnError as error:
        raise InvalidInput(
            f"Not a valid ISBN: {error}", code="invalid_isbn", details={"field": "isbn", "value": value}
        ) from None


@dataclass(frozen=True)
class SessionPages:
    start_page: int
    end_page: int
    pages_read: int


def session_pages(
    pages_read: int | None, start_page: int | None, end_page: int | None, current_page: int, total_pages: int | None
) -> SessionPages:
    """Complete a session's pages from what was sent: a count, or start/end pages (start defaults to the book's
    current page). Logging a session applies the same rule in SQL (reading_session_pages). Raises: InvalidInput when
    they disagree, go backwards or pass the last page."""
    start = start_page if start_page is not None else None
    if start is None:
        start = end_page - pages_read if end_page is not None and pages_read is not None else current_page
    if end_page is None and pages_read is None:
        raise InvalidInput("Send pages_read or end_page", details={"field": "pages_read"})
    end = end_page if end_page is not None else start + (pages_read or 0)
    if end < start:
        raise InvalidInput(
            "end_page is before start_page", code="end_before_start", details={"start_page": start, "end_page": end}
        )
    if pages_read is not None and pages_read != end - start:
        raise InvalidInput(
            "pages_read does not match end_page - start_page",
            details={"pages_read": pages_read, "start_page": start, "end_page": end},
        )
    if total_pages is not None and end > total_pages:
        raise InvalidInput(
            "end_page is past the book's last page",
            code="past_last_page",
            details={"end_page": end, "total_pages": total_pages},
        )
    return SessionPages(start, end, end - start)


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a local day, in UTC."""
    start = datetime.combine(day, time(), tz)
    return start.astimezone(UTC), datetime.combine(day + timedelta(days=1), time(), tz).astimezone(UTC)


def current_streak(current: int, longest: int, last_day: date | None, today: date) -> tuple[int, int]:
    """(current, longest) of a stored streak as of today: it is broken once a whole day passed without reading
    (the stored row only learns of the gap at the next activity)."""
    alive = last_day is not None and (today - last_day).days <= 1
    return (current if alive else 0), longest


def goal_schedule(goal: int, finished: int, year: int, today: date) -> tuple[float, str]:
    """Books expected by today at an even pace through ``year``, and whether the reader is ahead of it."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    elapsed = 0.0 if today < first else 1.0 if today > last else ((today - first).days + 1) / ((last - first).days + 1)
    expected = round(goal * elapsed, 2)
    behind = finished < math.floor(expected)
    return expected, "behind" if behind else "ahead" if finished > expected else "on_track"
