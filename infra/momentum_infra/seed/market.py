"""The starter market: avatars, themes, boosts, consumables, badges and frames across all rarities, some limited,
some consumable, some time-boxed.

Upserted by ``key``. A re-seed refreshes what an item is (name, price, window…) but never its stock, its
activation or anything an admin set that the seed does not name: stock counts down with real purchases.
Seasonal windows follow the calendar quarter of the seeding day, so a dev database always has an item on sale
for a limited time and one coming soon.
"""

from __future__ import annotations

from datetime import UTC, datetime

from psycopg import Connection

# key, name, category, rarity, cost, consumable uses (None: not consumable), total stock (None: unlimited),
# window ("season": this quarter, "next_season": next quarter, None: always), description
ITEMS = [
    (
        "avatar_vinyl_fox",
        "Vinyl Fox",
        "avatar",
        "common",
        100,
        None,
        None,
        None,
        "A fox spinning records: the first face of many producers.",
    ),
    (
        "avatar_synth_owl",
        "Synth Owl",
        "avatar",
        "rare",
        250,
        None,
        None,
        None,
        "A night owl patched into a modular synth, for sound design devotees.",
    ),
    (
        "avatar_golden_mic",
        "Golden Mic",
        "avatar",
        "epic",
        600,
        None,
        None,
        None,
        "For producers who record their own vocals and mix them well.",
    ),
    (
        "avatar_platinum_producer",
        "Platinum Producer",
        "avatar",
        "legendary",
        2000,
        None,
        50,
        None,
        "Fifty made, ever. A mark of many finished tracks.",
    ),
    (
        "avatar_beat_robot",
        "Beat Robot",
        "avatar",
        "rare",
        300,
        None,
        None,
        "next_season",
        "A drum machine with a face; arrives next season.",
    ),
    (
        "theme_midnight_studio",
        "Midnight Studio",
        "theme",
        "common",
        150,
        None,
        None,
        None,
        "A dark theme for late sessions.",
    ),
    (
        "theme_analog_warmth",
        "Analog Warmth",
        "theme",
        "rare",
        300,
        None,
        None,
        None,
        "Tape, valves and VU meters: warm colours for mixing and mastering.",
    ),
    (
        "theme_lofi_sunset",
        "Lo-fi Sunset",
        "theme",
        "rare",
        300,
        None,
        None,
        None,
        "Dusty pastel hues for lofi and chillhop beatmakers.",
    ),
    (
        "theme_neon_synthwave",
        "Neon Synthwave",
        "theme",
        "epic",
        700,
        None,
        None,
        None,
        "Grids, chrome and neon for synthwave producers.",
    ),
    (
        "theme_festival_main_stage",
        "Festival Main Stage",
        "theme",
        "epic",
        800,
        None,
        200,
        "season",
        "This season only, 200 made: lasers and a crowd for techno and house producers.",
    ),
    (
        "boost_focus_hour",
        "Focus Hour",
        "boost",
        "common",
        50,
        1,
        None,
        None,
        "One hour of doubled XP from practice and drills.",
    ),
    (
        "boost_double_xp_day",
        "Double XP Day",
        "boost",
        "rare",
        200,
        1,
        None,
        None,
        "Double XP from everything for a whole day.",
    ),
    (
        "boost_streak_freeze",
        "Streak Freeze",
        "boost",
        "rare",
        120,
        1,
        None,
        None,
        "Keeps a streak alive through one missed day.",
    ),
    (
        "boost_mix_feedback",
        "Mix Feedback Token",
        "boost",
        "epic",
        400,
        1,
        100,
        None,
        "Send a mix for feedback from a mentor on mixing and mastering; 100 per season.",
    ),
    (
        "consumable_drum_pack",
        "Drum Sample Pack",
        "consumable",
        "common",
        80,
        1,
        None,
        None,
        "Unlock one curated pack of drums: kicks, snares and hats for hip hop and house.",
    ),
    (
        "consumable_synth_presets",
        "Synth Preset Bank",
        "consumable",
        "rare",
        220,
        1,
        None,
        None,
        "Unlock one preset bank for sound design study.",
    ),
    (
        "consumable_ambient_textures",
        "Ambient Textures",
        "consumable",
        "rare",
        180,
        2,
        None,
        "season",
        "Two downloads of field recordings and pads for ambient music; this season only.",
    ),
    (
        "consumable_mastering_credit",
        "Mastering Credits",
        "consumable",
        "epic",
        500,
        3,
        30,
        None,
        "Three masters of your tracks by an engineer; 30 sets available.",
    ),
    (
        "consumable_theory_lesson",
        "Music Theory Lesson",
        "consumable",
        "rare",
        250,
        1,
        None,
        None,
        "One live music theory lesson: scales, chords and harmony for producers.",
    ),
    (
        "badge_early_bird",
        "Early Bird",
        "badge",
        "common",
        60,
        None,
        None,
        None,
        "For producers who start the day in the studio.",
    ),
    (
        "badge_night_owl",
        "Night Owl",
        "badge",
        "common",
        60,
        None,
        None,
        None,
        "For producers whose best ideas come after midnight.",
    ),
    (
        "badge_finisher",
        "Finisher",
        "badge",
        "rare",
        350,
        None,
        None,
        None,
        "For those who finish tracks: arrangement done, mixdown exported.",
    ),
    ("frame_gold", "Gold Frame", "frame", "legendary", 1500, None, 25, None, "A gold profile frame; 25 made."),
    ("frame_silver", "Silver Frame", "frame", "epic", 650, None, None, None, "A silver profile frame."),
]

UPSERT_ITEM = """
INSERT INTO market_items (key, name, category, rarity, cost_coins, is_consumable, uses_per_purchase, total_stock,
                          remaining_stock, available_from, available_until, description, sort_order)
VALUES (%(key)s, %(name)s, %(category)s, %(rarity)s, %(cost)s, %(consumable)s, %(uses)s, %(stock)s, %(stock)s,
        %(available_from)s, %(available_until)s, %(description)s, %(sort_order)s)
ON CONFLICT (key) DO UPDATE
SET name = excluded.name, category = excluded.category, rarity = excluded.rarity, cost_coins = excluded.cost_coins,
    is_consumable = excluded.is_consumable, uses_per_purchase = excluded.uses_per_purchase,
    available_from = excluded.available_from, available_until = excluded.available_until,
    description = excluded.description, sort_order = excluded.sort_order
"""

CATEGORY_ORDER = ["avatar", "theme", "boost", "consumable", "badge", "frame"]


def quarter_start(day: datetime, quarters_ahead: int = 0) -> datetime:
    index = (day.month - 1) // 3 + quarters_ahead
    return datetime(day.year + index // 4, index % 4 * 3 + 1, 1, tzinfo=UTC)


def window(kind: str | None, now: datetime) -> tuple[datetime | None, datetime | None]:
    if kind == "season":
        return quarter_start(now), quarter_start(now, 1)
    if kind == "next_season":
        return quarter_start(now, 1), quarter_start(now, 2)
    return None, None


def seed(conn: Connection) -> None:
    now = datetime.now(UTC)
    for position, (key, name, category, rarity, cost, uses, stock, when, description) in enumerate(ITEMS):
        available_from, available_until = window(when, now)
        conn.execute(
            UPSERT_ITEM,
            {
                "key": key,
                "name": name,
                "category": category,
                "rarity": rarity,
                "cost": cost,
                "consumable": uses is not None,
                "uses": uses or 1,
                "stock": stock,
                "available_from": available_from,
                "available_until": available_until,
                "description": description,
                "sort_order": (CATEGORY_ORDER.index(category) + 1) * 100 + position,
            },
        )
