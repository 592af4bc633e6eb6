"""The reading achievements: finishing books (the `book_complete` ledger event) and reading streaks."""

from psycopg import Connection
from psycopg.types.json import Jsonb

ACHIEVEMENTS = [
    # key, name, trigger_type, trigger_config, reward_coins, reward_xp, description
    ("first_book", "First chapter closed", "event", {"event_type": "book_complete", "count": 1}, 20, 20,
     "Finish your first book"),
    ("books_10", "Ten books", "event", {"event_type": "book_complete", "count": 10}, 100, 100, "Finish ten books"),
    ("books_50", "Fifty books", "event", {"event_type": "book_complete", "count": 50}, 300, 300, "Finish fifty books"),
    ("reading_month", "Reading month", "threshold", {"metric": "streak.reading", "value": 30}, 300, 300,
     "Read on thirty days in a row"),
]  # fmt: skip


def seed(conn: Connection) -> None:
    for order, (key, name, trigger, config, coins, xp, description) in enumerate(ACHIEVEMENTS, start=100):
        conn.execute(
            "INSERT INTO achievement_definitions (key, name, category, trigger_type, trigger_config, reward_coins, "
            "reward_xp, description, sort_order) VALUES (%s, %s, 'reading', %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (key) DO UPDATE SET name = excluded.name, category = excluded.category, "
            "trigger_type = excluded.trigger_type, trigger_config = excluded.trigger_config, "
            "reward_coins = excluded.reward_coins, reward_xp = excluded.reward_xp, "
            "description = excluded.description, sort_order = excluded.sort_order",
            (key, name, trigger, Jsonb(config), coins, xp, description, order),
        )
