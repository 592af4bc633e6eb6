"""Skills a producer grows and the achievements that mark the way."""

from psycopg import Connection
from psycopg.types.json import Jsonb

SKILLS = [
    # key, name, category, description
    ("music_theory", "Music theory", "knowledge", "Scales, chords, harmony and form"),
    ("ear_training", "Ear training", "listening", "Hearing intervals, chords, frequencies and balance"),
    ("sound_design", "Sound design", "craft", "Synthesis, sampling and shaping sounds"),
    ("mixing", "Mixing", "craft", "Balance, EQ, dynamics and space"),
    ("mastering", "Mastering", "craft", "Loudness, translation and final polish"),
    ("arrangement", "Arrangement", "craft", "Structure, energy and transitions"),
    ("rhythm", "Rhythm", "craft", "Groove, timing and drum programming"),
    ("reading", "Reading", "habits", "Books that feed the craft"),
    ("fitness", "Fitness", "habits", "Training that keeps long studio days possible"),
]

ACHIEVEMENTS = [
    # key, name, category, trigger_type, trigger_config, reward_coins, reward_xp, description
    (
        "first_steps",
        "First steps",
        "progress",
        "threshold",
        {"metric": "total_xp", "value": 1},
        10,
        0,
        "Earn your first XP",
    ),
    ("level_5", "Level 5", "progress", "threshold", {"metric": "level", "value": 5}, 100, 0, "Reach level 5"),
    ("level_10", "Level 10", "progress", "threshold", {"metric": "level", "value": 10}, 250, 0, "Reach level 10"),
    (
        "xp_10k",
        "Ten thousand",
        "progress",
        "threshold",
        {"metric": "total_xp", "value": 10_000},
        500,
        0,
        "Earn 10,000 XP in total",
    ),
    (
        "first_purchase",
        "Treat yourself",
        "market",
        "event",
        {"event_type": "purchase", "count": 1},
        0,
        25,
        "Buy your first item in the market",
    ),
    (
        "reading_week",
        "Bookworm week",
        "reading",
        "threshold",
        {"metric": "streak.reading", "value": 7},
        70,
        70,
        "Read on seven days in a row",
    ),
    (
        "workout_week",
        "Seven sessions",
        "fitness",
        "threshold",
        {"metric": "streak.workout", "value": 7},
        70,
        70,
        "Train on seven days in a row",
    ),
    (
        "learning_month",
        "Student of the craft",
        "learning",
        "threshold",
        {"metric": "streak.learning", "value": 30},
        300,
        300,
        "Learn on thirty days in a row",
    ),
    (
        "well_rounded",
        "Well rounded",
        "progress",
        "compound",
        {
            "all": [
                {"type": "threshold", "metric": "skill_stars", "value": 50},
                {"type": "threshold", "metric": "level", "value": 5},
            ]
        },
        150,
        150,
        "Collect 50 skill stars and reach level 5",
    ),
]


def seed(conn: Connection) -> None:
    for order, (key, name, category, description) in enumerate(SKILLS):
        conn.execute(
            "INSERT INTO skill_definitions (key, name, category, description, sort_order) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (key) DO UPDATE SET name = excluded.name, category = excluded.category, "
            "description = excluded.description, sort_order = excluded.sort_order",
            (key, name, category, description, order),
        )
    for order, (key, name, category, trigger, config, coins, xp, description) in enumerate(ACHIEVEMENTS):
        conn.execute(
            "INSERT INTO achievement_definitions (key, name, category, trigger_type, trigger_config, reward_coins, "
            "reward_xp, description, sort_order) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (key) DO UPDATE SET name = excluded.name, category = excluded.category, "
            "trigger_type = excluded.trigger_type, trigger_config = excluded.trigger_config, "
            "reward_coins = excluded.reward_coins, reward_xp = excluded.reward_xp, "
            "description = excluded.description, sort_order = excluded.sort_order",
            (key, name, category, trigger, Jsonb(config), coins, xp, description, order),
        )
