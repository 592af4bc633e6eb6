"""The daily loops' starter data: the focus and discipline skills, focus and habit achievements, and universal
quests of each period. Upserted by key (skills, achievements) or title (quests, which have no key)."""

from __future__ import annotations

from typing import Any

from psycopg import Connection
from psycopg.types.json import Jsonb

SKILLS = [
    # key, name, category, description
    ("focus", "Focus", "habits", "Time spent in deep, unbroken work"),
    ("discipline", "Discipline", "habits", "Showing up for your habits, day after day"),
]

ACHIEVEMENTS: list[tuple[str, str, str, str, dict[str, Any], int, int, str]] = [
    # key, name, category, trigger_type, trigger_config, reward_coins, reward_xp, description
    (
        "first_focus",
        "First focus",
        "focus",
        "event",
        {"event_type": "focus", "count": 1},
        10,
        0,
        "Complete your first focus session",
    ),
    (
        "focus_10",
        "Ten sessions",
        "focus",
        "event",
        {"event_type": "focus", "count": 10},
        50,
        0,
        "Complete ten focus sessions",
    ),
    (
        "focus_100",
        "A hundred sessions",
        "focus",
        "event",
        {"event_type": "focus", "count": 100},
        300,
        0,
        "Complete a hundred focus sessions",
    ),
    (
        "deep_work",
        "Deep work",
        "focus",
        "event",
        {"event_type": "focus_deep_work", "count": 1},
        50,
        0,
        "Focus for an hour without a pause",
    ),
    (
        "first_habit",
        "First habit",
        "habit",
        "event",
        {"event_type": "habit", "count": 1},
        10,
        0,
        "Complete a habit for the first time",
    ),
    (
        "habit_streak_7",
        "A week of habits",
        "streak",
        "threshold",
        {"metric": "streak.habit", "value": 7},
        70,
        0,
        "Complete a habit seven days in a row",
    ),
    ("first_goal", "Goal getter", "goal", "event", {"event_type": "goal", "count": 1}, 50, 0, "Complete a goal"),
]

QUESTS = [
    # title, type, target_type, target, xp, coins, description
    ("Focus for an hour", "daily", "focus_minutes", 60, 30, 10, "An hour of focus sessions today"),
    ("Three habits", "daily", "habits_completed", 3, 20, 5, "Complete three habit check-ins today"),
    ("Train this week", "weekly", "sets_logged", 30, 60, 20, "Log thirty working sets this week"),
    ("Ten hours of focus", "monthly", "focus_minutes", 600, 200, 60, "Ten hours of focus this month"),
    ("First purchase", "one_time", "purchases", 1, 10, 0, "Buy something in the market"),
]


def seed(conn: Connection) -> None:
    for order, (key, name, category, description) in enumerate(SKILLS, start=100):
        conn.execute(
            "INSERT INTO skill_definitions (key, name, category, description, sort_order) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (key) DO UPDATE SET name = excluded.name, category = excluded.category, "
            "description = excluded.description",
            (key, name, category, description, order),
        )
    for order, (key, name, category, trigger, config, coins, xp, description) in enumerate(ACHIEVEMENTS, start=100):
        conn.execute(
            "INSERT INTO achievement_definitions (key, name, category, trigger_type, trigger_config, reward_coins, "
            "reward_xp, description, sort_order) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (key) DO UPDATE SET name = excluded.name, category = excluded.category, "
            "trigger_type = excluded.trigger_type, trigger_config = excluded.trigger_config, "
            "reward_coins = excluded.reward_coins, reward_xp = excluded.reward_xp, description = excluded.description",
            (key, name, category, trigger, Jsonb(config), coins, xp, description, order),
        )
    for order, (title, type_, target_type, target, xp, coins, description) in enumerate(QUESTS):
        conn.execute(
            "INSERT INTO universal_quests (title, type, target_type, target, xp_reward, coin_reward, description, "
            "sort_order) SELECT %s, %s, %s, %s, %s, %s, %s, %s "
            "WHERE NOT EXISTS (SELECT 1 FROM universal_quests WHERE title = %s)",
            (title, type_, target_type, target, xp, coins, description, order, title),
        )
