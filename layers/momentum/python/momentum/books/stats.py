"""Reading stats: the year's finished books and pages, the last 30 days, pace, streaks, ratings and the goal.

Days are the reader's local days (the ``timezone`` setting, else UTC); the streak is the ``reading`` streak that
sessions logged for today touch (a back-dated session does not extend it). A re-read finished in the year counts as
a book finished again; imported reads count too (they are the reader's history).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID

from psycopg import Connection

from momentum import db
from momentum.books import rules
from momentum.books.models import DayPages, LongestBook, ReadingGoal, ReadingStats, ReadingStatsQuery
from momentum.books.settings import reader_settings

FINISHED = """
SELECT count(*), coalesce(sum(b.total_pages), 0)
FROM book_reads r JOIN books b ON b.id = r.book_id
WHERE r.user_id = %(user_id)s AND r.finished_at >= %(start)s AND r.finished_at < %(end)s
"""

PAGES_PER_DAY = """
SELECT (started_at AT TIME ZONE %(tz)s)::date AS day, sum(pages_read)::int AS pages
FROM reading_sessions
WHERE user_id = %(user_id)s AND started_at >= %(start)s AND started_at < %(end)s
GROUP BY 1
"""

PACE = """
SELECT sum(pages_read)::float8 * 60 / nullif(sum(duration_minutes), 0)
FROM reading_sessions
WHERE user_id = %(user_id)s AND started_at >= %(start)s AND started_at < %(end)s AND duration_minutes IS NOT NULL
"""

# The reading streak is the one sessions touch and achievements count (user_streaks), not one recomputed from
# every session: one row instead of a scan of a heavy reader's 50,000 sessions.
STREAK = """
SELECT current_streak, longest_streak, last_activity_date FROM user_streaks
WHERE user_id = %(user_id)s AND streak_type = 'reading'
"""

LIBRARY = """
SELECT avg(rating)::float8,
       (SELECT id FROM books WHERE user_id = %(user_id)s AND status = 'completed' AND total_pages IS NOT NULL
        ORDER BY total_pages DESC, id LIMIT 1)
FROM books WHERE user_id = %(user_id)s AND rating IS NOT NULL
"""


def reading_stats(conn: Connection, user_id: UUID, query: ReadingStatsQuery) -> ReadingStats:
    """The reader's stats for a year (this year by default)."""
    settings = reader_settings(conn, user_id)
    tz = settings.tz
    today = datetime.now(tz).date()
    year = query.year or today.year
    year_start, _ = rules.day_bounds(date(year, 1, 1), tz)
    year_end, _ = rules.day_bounds(date(year + 1, 1, 1), tz)
    params = {"user_id": user_id, "tz": tz.key, "start": year_start, "end": year_end}

    # prepare=False: a prepared statement soon runs a generic plan, made for the average reader; a heavy reader's
    # date ranges need the plan their own numbers give (measured by bench/bench_books.py).
    finished, pages_finished = conn.execute(FINISHED, params, prepare=False).fetchone()  # type: ignore[misc]
    (pace,) = conn.execute(PACE, params, prepare=False).fetchone()  # type: ignore[misc]

    first_day = today - timedelta(days=29)
    month_start, _ = rules.day_bounds(first_day, tz)
    _, month_end = rules.day_bounds(today, tz)
    by_day: dict[date, int] = dict(
        conn.execute(PAGES_PER_DAY, params | {"start": month_start, "end": month_end}).fetchall()
    )
    per_day = [DayPages(day=d, pages=by_day.get(d, 0)) for d in (first_day + timedelta(days=i) for i in range(30))]

    streak = conn.execute(STREAK, params).fetchone()
    current, longest = rules.current_streak(streak[0], streak[1], streak[2], today) if streak else (0, 0)

    average, longest_id = conn.execute(LIBRARY, params, prepare=False).fetchone()  # type: ignore[misc]
    longest_book = (
        db.fetch_one(
            conn, LongestBook, "SELECT id, title, total_pages FROM books WHERE id = %s", (longest_id,), resource="book"
        )
        if longest_id
        else None
    )

    goal = None
    if settings.reading_goal_books:
        target = settings.reading_goal_books
        expected, standing = rules.goal_schedule(target, finished, year, today)
        goal = ReadingGoal(
            books=target,
            finished=finished,
            percent=round(100 * finished / target, 1),
            expected_by_now=expected,
            on_track=standing,  # type: ignore[arg-type]
        )
    return ReadingStats(
        year=year,
        timezone=tz.key,
        books_finished=finished,
        pages_finished=pages_finished,
        pages_per_day=per_day,
        pages_per_hour=round(pace, 1) if pace is not None else None,
        current_streak=current,
        longest_streak=longest,
        average_rating=round(average, 2) if average is not None else None,
        longest_book=longest_book,
        goal=goal,
    )
