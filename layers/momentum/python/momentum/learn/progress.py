"""A learner's overview: lessons completed per topic, skill stars from lessons, minutes learned, the learning
streak, reviews due and the next lesson to take."""

from __future__ import annotations

from uuid import UUID

from psycopg import Connection

from momentum import gamification
from momentum.db import fetch_all, fetch_optional, fetch_value
from momentum.learn import review
from momentum.learn.catalog import TOPIC_COUNTS, VISIBLE_LESSON
from momentum.learn.models import LearnProgress, NextLesson, SkillProgress, TopicProgress

TOPICS = f"""
SELECT id AS topic_id, key, name, lessons_completed, lesson_count FROM ({TOPIC_COUNTS}) t ORDER BY sort_order, key
"""

SKILL_STARS = """
SELECT skill_key, sum(skill_stars)::int AS stars FROM points_ledger
WHERE user_id = %(user_id)s AND event_type = 'lesson_completed' AND skill_key IS NOT NULL
GROUP BY skill_key ORDER BY skill_key
"""

# Completed lessons count their estimated duration; drills count the time spent in them.
MINUTES = """
SELECT (SELECT coalesce(sum(l.duration_minutes), 0) FROM user_lesson_progress p
        JOIN learn_lessons l ON l.id = p.lesson_id WHERE p.user_id = %(user_id)s AND p.status = 'completed')
     + (SELECT coalesce(sum(total_time_seconds), 0) FROM user_drill_stats WHERE user_id = %(user_id)s) / 60
"""

COUNTS = """
SELECT (SELECT count(*) FROM user_lesson_progress WHERE user_id = %(user_id)s AND status = 'completed'),
       (SELECT count(*) FROM learn_drill_rounds WHERE user_id = %(user_id)s AND submitted_at IS NOT NULL)
"""

# The first lesson not yet completed, in curriculum order (topics, then lessons, by sort order).
NEXT_LESSON = f"""
SELECT l.id, l.key, l.title, t.key AS topic_key
FROM learn_lessons l JOIN learn_topics t ON t.id = l.topic_id
WHERE {VISIBLE_LESSON} AND t.is_active
  AND NOT EXISTS (SELECT 1 FROM user_lesson_progress p
                  WHERE p.lesson_id = l.id AND p.user_id = %(user_id)s AND p.status = 'completed')
ORDER BY t.sort_order, t.key, l.sort_order, l.key
LIMIT 1
"""


def get_progress(conn: Connection, user_id: UUID) -> LearnProgress:
    params = {"user_id": user_id}
    completed, rounds = conn.execute(COUNTS, params).fetchone()  # type: ignore[misc]
    streak = next((s for s in gamification.list_streaks(conn, user_id) if s.streak_type == "learning"), None)
    return LearnProgress(
        lessons_completed=completed,
        topics=fetch_all(conn, TopicProgress, TOPICS, params),
        skill_stars=fetch_all(conn, SkillProgress, SKILL_STARS, params),
        minutes_learned=int(fetch_value(conn, MINUTES, params)),
        current_streak=streak.current_streak if streak else 0,
        longest_streak=streak.longest_streak if streak else 0,
        reviews_due=review.count_due(conn, user_id),
        drill_rounds=rounds,
        next_lesson=fetch_optional(conn, NextLesson, NEXT_LESSON, params),
    )
