"""Focus stats in the person's time zone: focused minutes per day and week, completion rate, best hour."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from uuid import UUID

from psycopg import Connection

from momentum import localtime
from momentum.focus.models import FocusDayMinutes, FocusStats, FocusStatsQuery, FocusWeekMinutes
from momentum.focus.sessions import expire_sessions

# Ended work sessions since a moment, with the seconds actually focused (frozen in the pause state when they ended).
ENDED_WORK = """
SELECT s.started_at, s.status, s.duration_seconds - coalesce(p.time_remaining_seconds, 0) AS focused
FROM focus_sessions s LEFT JOIN focus_pause_state p ON p.session_id = s.id
WHERE s.user_id = %(user_id)s AND s.mode = 'work' AND s.status <> 'active' AND s.started_at >= %(since)s
"""


def focus_stats(conn: Connection, user_id: UUID, query: FocusStatsQuery) -> FocusStats:
    """The last ``days`` local days (today included). Minutes count completed work sessions' focused time; the
    completion rate is completed ÷ (completed + abandoned) work sessions; the best hour is the local hour in which
    the most focused minutes started."""
    expire_sessions(conn, user_id)
    zone = localtime.user_zone(conn, user_id)
    today = localtime.local_today(conn, user_id)
    first = today - timedelta(days=query.days - 1)
    rows = conn.execute(ENDED_WORK, {"user_id": user_id, "since": localtime.day_start(first, zone)}).fetchall()
    by_day: Counter[date] = Counter()
    by_hour: Counter[int] = Counter()
    statuses: Counter[str] = Counter()
    for started_at, status, focused in rows:
        statuses[status] += 1
        if status == "completed":
            local: datetime = started_at.astimezone(zone)
            by_day[local.date()] += focused
            by_hour[local.hour] += focused
    days = [FocusDayMinutes(day=first + timedelta(days=n), minutes=0) for n in range(query.days)]
    for day in days:
        day.minutes = by_day[day.day] // 60
    weeks: dict[date, int] = {}
    for day in days:
        week_start = day.day - timedelta(days=day.day.weekday())
        weeks[week_start] = weeks.get(week_start, 0) + by_day[day.day]
    ended = statuses["completed"] + statuses["abandoned"]
    return FocusStats(
        timezone=zone.key,
        days=days,
        weeks=[FocusWeekMinutes(week_start=start, minutes=seconds // 60) for start, seconds in weeks.items()],
        total_minutes=sum(by_day.values()) // 60,
        sessions_completed=statuses["completed"],
        sessions_abandoned=statuses["abandoned"],
        completion_rate=round(statuses["completed"] / ended, 4) if ended else None,
        best_hour=max(by_hour, key=lambda h: (by_hour[h], -h)) if by_hour else None,
    )
