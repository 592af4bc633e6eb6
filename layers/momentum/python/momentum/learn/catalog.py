"""The curriculum as a learner browses it: topics with their counts and the caller's completion, a topic's lessons
and drills with the caller's status, one lesson (its quiz without answers) and one drill.

Inactive topics, lessons and drills (and the lessons and drills of an inactive topic) answer 404 to learners.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import Connection
from psycopg.rows import dict_row

from momentum.db import fetch_all, fetch_one
from momentum.errors import NotFound
from momentum.learn import quiz
from momentum.learn.models import (
    Drill,
    DrillStats,
    DrillSummary,
    Lesson,
    LessonProgress,
    LessonSummary,
    TopicDetail,
    TopicSummary,
)
from momentum.pagination import Page, PageRequest, page_of

# Lessons and drills a learner can see: active, in an active topic (or in none).
VISIBLE_LESSON = "l.is_active AND NOT EXISTS (SELECT 1 FROM learn_topics t WHERE t.id = l.topic_id AND NOT t.is_active)"
VISIBLE_DRILL = "d.is_active AND NOT EXISTS (SELECT 1 FROM learn_topics t WHERE t.id = d.topic_id AND NOT t.is_active)"

TOPIC_COUNTS = """
SELECT t.id, t.key, t.name, t.description, t.category, t.icon, t.color, t.sort_order,
       counts.lesson_count, counts.drill_count, counts.lessons_completed,
       CASE WHEN counts.lesson_count = 0 THEN 0.0
            ELSE round(counts.lessons_completed::numeric / counts.lesson_count, 4)::float8 END AS completion
FROM learn_topics t
CROSS JOIN LATERAL (
    SELECT (SELECT count(*) FROM learn_lessons l WHERE l.topic_id = t.id AND l.is_active) AS lesson_count,
           (SELECT count(*) FROM learn_drills d WHERE d.topic_id = t.id AND d.is_active) AS drill_count,
           (SELECT count(*) FROM learn_lessons l
            JOIN user_lesson_progress p ON p.lesson_id = l.id AND p.user_id = %(user_id)s AND p.status = 'completed'
            WHERE l.topic_id = t.id AND l.is_active) AS lessons_completed
) counts
WHERE t.is_active
"""

LIST_TOPICS = f"""{TOPIC_COUNTS}
  AND (%(after_sort)s::int IS NULL OR (t.sort_order, t.key) > (%(after_sort)s, %(after_key)s::text))
ORDER BY t.sort_order, t.key
LIMIT %(limit)s
"""

GET_TOPIC = """
SELECT id, key, name, description, category, icon, color FROM learn_topics WHERE id = %(id)s AND is_active
"""

LESSON_SUMMARIES = f"""
SELECT l.id, l.key, l.title, l.description, l.duration_minutes, l.difficulty, l.xp_reward, l.coin_reward,
       l.skill_key, l.skill_star_reward, l.sort_order, coalesce(p.status, 'not_started') AS status,
       p.quiz_score AS best_score, coalesce(p.attempts, 0) AS attempts
FROM learn_lessons l
LEFT JOIN user_lesson_progress p ON p.lesson_id = l.id AND p.user_id = %(user_id)s
WHERE l.topic_id = %(id)s AND {VISIBLE_LESSON}
ORDER BY l.sort_order, l.key
"""

DRILL_ROWS = f"""
SELECT d.id, d.topic_id, d.key, d.title, d.description, d.drill_type, d.difficulty, d.duration_seconds, d.xp_reward,
       d.sort_order, d.config_json,
       s.total_attempts, s.correct_answers, s.best_score, s.average_score, s.current_streak, s.best_streak,
       s.last_attempt_at, s.total_time_seconds
FROM learn_drills d
LEFT JOIN user_drill_stats s ON s.drill_id = d.id AND s.user_id = %(user_id)s
WHERE {VISIBLE_DRILL}
"""

GET_LESSON = f"""
SELECT l.id, l.topic_id, l.key, l.title, l.description, l.content_markdown, l.duration_minutes, l.difficulty,
       l.quiz_json, l.xp_reward, l.coin_reward, l.skill_key, l.skill_star_reward, l.video_url
FROM learn_lessons l
WHERE l.id = %(id)s AND {VISIBLE_LESSON}
"""

# The best score is user_lesson_progress.quiz_score; the latest is the newest graded attempt.
GET_PROGRESS = """
SELECT coalesce(p.status, 'not_started') AS status, p.started_at, p.completed_at, p.quiz_score AS best_score,
       (SELECT a.score FROM learn_quiz_attempts a WHERE a.user_id = %(user_id)s AND a.lesson_id = %(id)s
        ORDER BY a.created_at DESC, a.id DESC LIMIT 1) AS latest_score,
       coalesce(p.attempts, 0) AS attempts
FROM (SELECT 1) one
LEFT JOIN user_lesson_progress p ON p.user_id = %(user_id)s AND p.lesson_id = %(id)s
"""

STAT_FIELDS = tuple(DrillStats.model_fields)


def list_topics(conn: Connection, user_id: UUID, page: PageRequest) -> Page[TopicSummary]:
    after_sort, after_key = page.after_key(int, str)
    rows = fetch_all(
        conn,
        TopicSummary,
        LIST_TOPICS,
        {"user_id": user_id, "after_sort": after_sort, "after_key": after_key, "limit": page.limit + 1},
    )
    return page_of(rows, page, key=lambda t: (t.sort_order, t.key))


def get_topic(conn: Connection, user_id: UUID, topic_id: UUID) -> TopicDetail:
    """An active topic with its lessons (and the caller's status) and drills (and the caller's stats).

    Raises: NotFound."""
    params = {"id": topic_id, "user_id": user_id}
    with conn.cursor(row_factory=dict_row) as cur:
        topic = cur.execute(GET_TOPIC, params).fetchone()
        if topic is None:
            raise NotFound("topic")
        drills = cur.execute(DRILL_ROWS + " AND d.topic_id = %(id)s ORDER BY d.sort_order, d.key", params).fetchall()
    lessons = fetch_all(conn, LessonSummary, LESSON_SUMMARIES, params)
    return TopicDetail(**topic, lessons=lessons, drills=[DrillSummary(**_drill_fields(d)) for d in drills])


def get_drill(conn: Connection, user_id: UUID, drill_id: UUID) -> Drill:
    """A drill: what kind of items it deals (its configuration) and the caller's stats. Raises: NotFound."""
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(DRILL_ROWS + " AND d.id = %(id)s", {"id": drill_id, "user_id": user_id}).fetchone()
    if row is None:
        raise NotFound("drill")
    return Drill(**_drill_fields(row), topic_id=row["topic_id"], config=row["config_json"])


def _drill_fields(row: dict[str, Any]) -> dict[str, Any]:
    stats = {f: row[f] for f in STAT_FIELDS if row.get(f) is not None}
    summary = {f: row[f] for f in DrillSummary.model_fields if f != "stats"}
    return summary | {"stats": DrillStats(**stats)}


def lesson_row(conn: Connection, lesson_id: UUID) -> dict[str, Any]:
    """A lesson a learner can see, as stored (quiz answers included: for grading only). Raises: NotFound."""
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(GET_LESSON, {"id": lesson_id}).fetchone()
    if row is None:
        raise NotFound("lesson")
    return row


def lesson_progress(conn: Connection, user_id: UUID, lesson_id: UUID) -> LessonProgress:
    return fetch_one(conn, LessonProgress, GET_PROGRESS, {"user_id": user_id, "id": lesson_id}, resource="lesson")


def get_lesson(conn: Connection, user_id: UUID, lesson_id: UUID) -> Lesson:
    """A lesson to read and its quiz to take: prompts and options, never the answers. Raises: NotFound."""
    row = lesson_row(conn, lesson_id)
    parsed = quiz.parse(row.pop("quiz_json"))
    questions = [quiz.public(q) for q in parsed.questions] if parsed else []
    return Lesson(
        **row,
        pass_mark=quiz.PASS_MARK,
        questions=questions,
        progress=lesson_progress(conn, user_id, lesson_id),
    )
