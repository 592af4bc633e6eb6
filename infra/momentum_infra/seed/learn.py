"""The curriculum: topics (learn/topics.json), lessons in Markdown with their quizzes in YAML front matter
(learn/lessons/*.md) and drills (learn/drills.json), written for producers. Everything is validated by the same
models as the admin routes, then upserted by key: running the seed again changes nothing, and editing a file
updates the row in place (progress and stats keep pointing at it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import yaml
from momentum.learn.models import DrillIn, Quiz
from psycopg import Connection
from psycopg.types.json import Jsonb

HERE = Path(__file__).with_name("learn")

UPSERT_TOPIC = """
INSERT INTO learn_topics (key, name, description, category, icon, color, sort_order)
VALUES (%(key)s, %(name)s, %(description)s, %(category)s, %(icon)s, %(color)s, %(sort_order)s)
ON CONFLICT (key) DO UPDATE SET name = excluded.name, description = excluded.description,
    category = excluded.category, icon = excluded.icon, color = excluded.color, sort_order = excluded.sort_order
"""

UPSERT_LESSON = """
INSERT INTO learn_lessons (topic_id, key, title, description, content_markdown, duration_minutes, difficulty,
                           quiz_json, xp_reward, coin_reward, skill_key, skill_star_reward, sort_order)
SELECT t.id, %(key)s, %(title)s, %(description)s, %(content_markdown)s, %(duration_minutes)s, %(difficulty)s,
       %(quiz_json)s, %(xp_reward)s, %(coin_reward)s, %(skill_key)s, %(skill_star_reward)s, %(sort_order)s
FROM learn_topics t WHERE t.key = %(topic)s
ON CONFLICT (key) DO UPDATE SET topic_id = excluded.topic_id, title = excluded.title,
    description = excluded.description, content_markdown = excluded.content_markdown,
    duration_minutes = excluded.duration_minutes, difficulty = excluded.difficulty, quiz_json = excluded.quiz_json,
    xp_reward = excluded.xp_reward, coin_reward = excluded.coin_reward, skill_key = excluded.skill_key,
    skill_star_reward = excluded.skill_star_reward, sort_order = excluded.sort_order
"""

UPSERT_DRILL = """
INSERT INTO learn_drills (topic_id, key, title, description, drill_type, config_json, difficulty, duration_seconds,
                          xp_reward, sort_order)
SELECT t.id, %(key)s, %(title)s, %(description)s, %(drill_type)s, %(config_json)s, %(difficulty)s,
       %(duration_seconds)s, %(xp_reward)s, %(sort_order)s
FROM learn_topics t WHERE t.key = %(topic)s
ON CONFLICT (key) DO UPDATE SET topic_id = excluded.topic_id, title = excluded.title,
    description = excluded.description, drill_type = excluded.drill_type, config_json = excluded.config_json,
    difficulty = excluded.difficulty, duration_seconds = excluded.duration_seconds, xp_reward = excluded.xp_reward,
    sort_order = excluded.sort_order
"""

# Learning achievements (the learning_month streak one is in the gamification seed): key, name, trigger type,
# trigger config, reward coins, reward XP, description.
ACHIEVEMENTS = [
    (
        "first_lesson",
        "First lesson",
        "event",
        {"event_type": "lesson_completed", "count": 1},
        10,
        10,
        "Pass your first lesson quiz",
    ),
    (
        "ten_lessons",
        "Ten lessons in",
        "event",
        {"event_type": "lesson_completed", "count": 10},
        50,
        50,
        "Pass ten lessons",
    ),
    (
        "all_lessons",
        "Curriculum complete",
        "event",
        {"event_type": "lesson_completed", "count": 30},
        300,
        300,
        "Pass thirty lessons",
    ),
    (
        "drill_regular",
        "Drill regular",
        "event",
        {"event_type": "drill_round", "count": 25},
        40,
        40,
        "Earn XP from 25 drill rounds",
    ),
    ("spaced_out", "Spaced out", "event", {"event_type": "review", "count": 100}, 50, 50, "Complete 100 reviews"),
    (
        "learning_week",
        "A week of learning",
        "threshold",
        {"metric": "streak.learning", "value": 7},
        70,
        70,
        "Learn on seven days in a row",
    ),
]

UPSERT_ACHIEVEMENT = """
INSERT INTO achievement_definitions (key, name, category, trigger_type, trigger_config, reward_coins, reward_xp,
                                     description, sort_order)
VALUES (%s, %s, 'learning', %s, %s, %s, %s, %s, %s)
ON CONFLICT (key) DO UPDATE SET name = excluded.name, category = excluded.category,
    trigger_type = excluded.trigger_type, trigger_config = excluded.trigger_config,
    reward_coins = excluded.reward_coins, reward_xp = excluded.reward_xp, description = excluded.description,
    sort_order = excluded.sort_order
"""

# Rewards by difficulty: (xp, coins, skill stars) for the first pass of a lesson.
REWARDS = {"beginner": (20, 5, 1), "intermediate": (30, 8, 2), "advanced": (40, 10, 2)}


def topics() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads((HERE / "topics.json").read_text())
    return found


def lessons() -> list[dict[str, Any]]:
    """Every lesson file: front matter (key, topic, title, …, quiz) and the Markdown after it, checked."""
    found = []
    for path in sorted((HERE / "lessons").glob("*.md")):
        _, front, body = path.read_text().split("---\n", 2)
        meta = yaml.safe_load(front)
        quiz = Quiz.model_validate({"questions": meta["quiz"]})
        xp, coins, stars = REWARDS[meta.get("difficulty", "beginner")]
        found.append(
            {
                "key": meta["key"],
                "topic": meta["topic"],
                "title": meta["title"],
                "description": meta["description"],
                "content_markdown": body.strip() + "\n",
                "duration_minutes": meta["minutes"],
                "difficulty": meta.get("difficulty", "beginner"),
                "quiz_json": quiz.model_dump(mode="json", exclude_none=True),
                "xp_reward": xp,
                "coin_reward": coins,
                "skill_key": meta.get("skill", meta["topic"]),
                "skill_star_reward": stars,
                "sort_order": meta["order"],
            }
        )
    return found


def drills() -> list[dict[str, Any]]:
    """Every drill, checked like an admin's (drill type, generator configuration)."""
    found = []
    for order, entry in enumerate(json.loads((HERE / "drills.json").read_text())):
        drill = DrillIn.model_validate(
            {k: v for k, v in entry.items() if k != "topic"} | {"topic_id": UUID(int=0), "sort_order": order}
        )
        row = drill.model_dump(mode="json", exclude={"topic_id", "config", "is_active"})
        found.append(row | {"topic": entry["topic"], "config_json": drill.config.model_dump(mode="json")})
    return found


def seed_curriculum(conn: Connection) -> None:
    """Topics, lessons and drills."""
    with conn.cursor() as cur:
        cur.executemany(
            UPSERT_TOPIC,
            [
                {"description": None, "icon": None, "color": None} | t | {"sort_order": i}
                for i, t in enumerate(topics())
            ],
        )
        cur.executemany(UPSERT_LESSON, [row | {"quiz_json": Jsonb(row["quiz_json"])} for row in lessons()])
        cur.executemany(UPSERT_DRILL, [row | {"config_json": Jsonb(row["config_json"])} for row in drills()])


def seed_achievements(conn: Connection) -> None:
    """The learning achievements."""
    with conn.cursor() as cur:
        cur.executemany(
            UPSERT_ACHIEVEMENT,
            [
                (key, name, trigger, Jsonb(config), coins, xp, description, 100 + order)
                for order, (key, name, trigger, config, coins, xp, description) in enumerate(ACHIEVEMENTS)
            ],
        )


def seed(conn: Connection) -> None:
    seed_curriculum(conn)
    seed_achievements(conn)
