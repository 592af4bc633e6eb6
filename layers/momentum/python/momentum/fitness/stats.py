"""Training statistics over the last N ISO weeks (UTC): volume, working sets and sessions per week, and volume
and working sets per muscle group.

A session counts in the week it started, as a workout belongs to its day, and only with at least one working set.
Volume is weight × reps of working sets. A set counts fully toward every muscle group its exercise lists (the
library lists primary muscles only).
"""

from __future__ import annotations

from uuid import UUID

from psycopg import Connection

from momentum import db
from momentum.fitness.models import MuscleGroupStats, Stats, StatsQuery, WeekStats
from momentum.fitness.sessions import SET_VOLUME, WORKING_SET

# The first Monday (00:00 UTC) of the window: the current ISO week and the weeks - 1 before it.
_WINDOW_START = "(date_trunc('week', now() AT TIME ZONE 'UTC') - make_interval(weeks => %(weeks)s - 1))"

WEEKLY = f"""
WITH weeks AS (
    SELECT generate_series({_WINDOW_START}, date_trunc('week', now() AT TIME ZONE 'UTC'), interval '1 week')::date
           AS week_start
), per_session AS (
    SELECT date_trunc('week', ws.started_at AT TIME ZONE 'UTC')::date AS week_start,
           count(*) FILTER (WHERE {WORKING_SET}) AS working_sets,
           coalesce(sum({SET_VOLUME}), 0) AS volume
    FROM workout_sessions ws JOIN exercise_sets s ON s.session_id = ws.id
    WHERE ws.user_id = %(user_id)s AND ws.started_at >= {_WINDOW_START} AT TIME ZONE 'UTC'
    GROUP BY ws.id
)
SELECT w.week_start, extract(isoyear FROM w.week_start)::integer AS iso_year,
       extract(week FROM w.week_start)::integer AS iso_week,
       count(p.week_start) FILTER (WHERE p.working_sets > 0) AS sessions,
       coalesce(sum(p.working_sets), 0) AS working_sets, coalesce(sum(p.volume), 0) AS volume
FROM weeks w LEFT JOIN per_session p USING (week_start)
GROUP BY w.week_start
ORDER BY w.week_start
"""

BY_MUSCLE_GROUP = f"""
SELECT m.muscle_group, count(*) AS working_sets, coalesce(sum({SET_VOLUME}), 0) AS volume
FROM workout_sessions ws
JOIN exercise_sets s ON s.session_id = ws.id
JOIN exercises e ON e.id = s.exercise_id
CROSS JOIN unnest(e.muscle_groups) AS m (muscle_group)
WHERE ws.user_id = %(user_id)s AND ws.started_at >= {_WINDOW_START} AT TIME ZONE 'UTC' AND {WORKING_SET}
GROUP BY m.muscle_group
ORDER BY volume DESC, working_sets DESC, m.muscle_group
"""


def get_stats(conn: Connection, user_id: UUID, query: StatsQuery) -> Stats:
    """Weekly and per-muscle-group training figures of the last ``query.weeks`` ISO weeks, oldest week first."""
    params = {"user_id": user_id, "weeks": query.weeks}
    weeks = db.fetch_all(conn, WeekStats, WEEKLY, params)
    groups = db.fetch_all(conn, MuscleGroupStats, BY_MUSCLE_GROUP, params)
    return Stats(weeks=weeks, muscle_groups=groups)
