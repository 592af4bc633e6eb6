"""The large data set: 1,000,000 users, 10,000,000 ledger rows, 5,000,000 purchases, 20,000,000 logged sets and
1,000,000 books, with proportionate rows in every table a list route reads, in the database ``momentum_scale``
(``momentum_scale_0_01`` and so on for a fraction of it).

    python bench/seed_large.py                 # the full size (minutes on two cores, about 25 GB on disk)
    python bench/seed_large.py --scale 0.01    # a hundredth, for a quick run
    python bench/seed_large.py --reseed        # drop and fill again even when it is already there

The server is BENCH_DATABASE_URL (default the local postgresql://postgres@127.0.0.1:5432/postgres); when none
answers there, the embedded server ``make dev`` uses (``.momentum/pgdata``). The database is migrated to head with
the project's migrations and the starter catalogue (``momentum seed``), then filled with set-based SQL
(INSERT … SELECT generate_series). It is kept afterwards and reused when it holds the same scale: a database
seeded at an older schema head is migrated forward rather than seeded again (the revisions run on the big tables,
as they would in production). The seeded scale is recorded as the database's comment.

Shape, like real usage: row n of a table belongs to user floor(U × frac(n·φ)²), so user k holds a share falling
off as 1/√k — user 0 has about 0.1 % of every table (10,000 ledger rows, 20,000 sets, 1,000 books at full size),
the first hundred users hundreds to thousands of rows each, and most users a handful. Tables with a per-user
unique key are generated per user with the same skew (``share``). Every id is computed from a row number
(md5 of a kind and the number), so children find their parents without joins.

Loading follows a bulk restore: after the catalogue is in, every index, primary key, unique and foreign-key
constraint is dropped, the rows go in, and they are all created again from their saved definitions — so every
unique key and foreign key of the schema is checked on the loaded data. Wallets, progress and skills are computed
from the ledger, so Σ ledger coins = wallet coins and Σ ledger XP = total XP for every user. It ends with
VACUUM ANALYZE (the statistics, and the visibility map index-only scans use, as autovacuum would leave them).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

os.environ.setdefault("LOG_LEVEL", "WARNING")

import psycopg  # noqa: E402
from momentum_infra import migrate, pg  # noqa: E402

DATABASE = "momentum_scale"


def database_name(scale: float) -> str:
    """momentum_scale at full size, momentum_scale_0_01 at a hundredth: a quick run leaves the big one alone."""
    return DATABASE if scale == 1 else f"{DATABASE}_{format(scale, 'g').replace('.', '_')}"


SERVER_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

# Rows at scale 1. The first five are the issue's; the rest are proportionate to them.
SIZES = {
    "users": 1_000_000,
    "purchases": 5_000_000,  # each with its ledger charge and the earning that paid for it: 10,000,000 ledger rows
    "workout_sessions": 2_000_000,  # ten sets each: 20,000,000 exercise_sets
    "books": 1_000_000,
    "reading_sessions": 3_000_000,
    "focus_sessions": 2_000_000,
    "habit_completions": 3_000_000,
    "track_annotations": 1_000_000,
    "inbox_items": 1_000_000,
    "calendar_events": 500_000,
}
SETS_PER_SESSION = 10

# Temporary helpers for the load's statements (dropped with the session).
HELPERS = """
CREATE FUNCTION pg_temp.id(kind text, n bigint) RETURNS uuid IMMUTABLE LANGUAGE sql
    AS $$ SELECT md5(kind || ':' || n)::uuid $$;
-- The user of row n of a table: user k gets a share falling off as 1/sqrt(k).
CREATE FUNCTION pg_temp.owner(n bigint, salt float8, users bigint) RETURNS bigint IMMUTABLE LANGUAGE sql
    AS $$ SELECT least(users - 1, floor(users * power(
              (n * 0.6180339887498949 + salt) - floor(n * 0.6180339887498949 + salt), 2)))::bigint $$;
-- How many rows user u has of a table averaging avg rows per user (the same skew, at most cap, rounded at random).
CREATE FUNCTION pg_temp.share(u bigint, users bigint, avg float8, cap integer) RETURNS integer IMMUTABLE
    LANGUAGE sql AS $$ SELECT least(cap, floor(avg / (2 * sqrt((u + 0.5) / users))
                                           + (u * 0.7548776662466927 - floor(u * 0.7548776662466927))))::integer $$;
-- A moment in the last three years, spread by n.
CREATE FUNCTION pg_temp.ago(n bigint, salt float8) RETURNS timestamptz STABLE LANGUAGE sql
    AS $$ SELECT now() - interval '1095 days' * ((n * 0.5698402909980532 + salt) - floor(n * 0.5698402909980532 + salt))
              - interval '1 hour' $$;
CREATE FUNCTION pg_temp.uid(n bigint) RETURNS uuid IMMUTABLE LANGUAGE sql AS $$ SELECT pg_temp.id('user', n) $$;
"""

WORDS = (  # noqa: SIM905 (a paragraph of words reads better than a list literal)
    "music mixing mastering sound design rhythm harmony melody theory studio producer synth bass drum groove "
    "night river city garden winter summer shadow light stone glass fire ocean mountain forest island storm "
    "secret history empire war peace love death life dream memory journey return house road machine code "
    "habit focus deep work creative act flow practice craft art mind body brain heart ghost king queen child"
).split()
W = "(%(words)s::text[])[1 + ({n}) %% %(nwords)s]"

# Per-user tables: rows of user u are numbered u * PER_USER + j, so a child can name its parent's id.
PER_USER = 100_000
USERS_OF = "generate_series(0::bigint, %(users)s - 1) u"


def per_user(avg: float, cap: int) -> str:
    return f"{USERS_OF}, generate_series(0, pg_temp.share(u, %(users)s, {avg}, {cap}) - 1) j"


PHASES: list[tuple[str, list[str]]] = [
    (
        "users, sign-in sessions, settings, interests, onboarding",
        [
            """INSERT INTO users (id, email, name, email_verified, tos_accepted, tos_accepted_at, tos_version,
                                  last_activity_at, created_at, updated_at)
               SELECT pg_temp.uid(u), 'user' || u || '@scale.example.com', 'User ' || u, pg_temp.ago(u, 0.1), true,
                      pg_temp.ago(u, 0.1), '1', now() - make_interval(hours => (u %% 2000)::int), pg_temp.ago(u, 0.1),
                      pg_temp.ago(u, 0.1)
               FROM generate_series(0::bigint, %(users)s - 1) u""",
            # One live sign-in per user and an expired one for every other: the bearer lookup runs on every call.
            """INSERT INTO sessions (id, user_id, token, expires_at, created_at, last_activity_at)
               SELECT pg_temp.id('session', n), pg_temp.uid(n / 2), encode(sha256(('token:' || n)::bytea), 'hex'),
                      CASE WHEN n %% 2 = 0 THEN now() + interval '30 days' ELSE now() - interval '1 day' END,
                      now() - interval '31 days', now() - interval '1 day'
               FROM generate_series(0::bigint, 2 * %(users)s - 1) n""",
            """INSERT INTO user_settings (user_id, key, value)
               SELECT pg_temp.uid(u), 'timezone', to_jsonb((ARRAY['UTC', 'Europe/Berlin', 'America/New_York',
                      'Asia/Tokyo', 'Australia/Sydney', 'America/Los_Angeles'])[1 + u %% 6])
               FROM generate_series(0::bigint, %(users)s - 1) u
               UNION ALL
               SELECT pg_temp.uid(u), 'reading_goal_books', to_jsonb(5 + u %% 40)
               FROM generate_series(0::bigint, %(users)s - 1, 3) u
               UNION ALL
               SELECT pg_temp.uid(u), 'theme', '"dark"' FROM generate_series(0::bigint, %(users)s - 1, 4) u""",
            f"""INSERT INTO user_interests (user_id, interest_key, interest_label, created_at)
                SELECT pg_temp.uid(u), (%(interests)s::text[])[1 + (u + j) %% %(ninterests)s],
                       (%(interest_labels)s::text[])[1 + (u + j) %% %(ninterests)s], pg_temp.ago(u, 0.1)
                FROM {per_user(1.5, 8)}""",
            """INSERT INTO user_onboarding_state (user_id, flow_id, status, started_at, completed_at, skipped_at)
               SELECT pg_temp.uid(u), %(flow)s, (ARRAY['completed', 'completed', 'skipped', 'in_progress'])[1 + u %% 4],
                      pg_temp.ago(u, 0.1), CASE WHEN u %% 4 < 2 THEN pg_temp.ago(u, 0.1) END,
                      CASE WHEN u %% 4 = 2 THEN pg_temp.ago(u, 0.1) END
               FROM generate_series(0::bigint, %(users)s - 1) u""",
        ],
    ),
    (
        "purchases, ledger, coin transactions, boosts, equipped items",
        [
            # Cosmetics (one of each at most: they are not consumable), the j-th avatar, theme or frame of user u.
            f"""INSERT INTO user_purchases (id, user_id, item_id, cost_coins, quantity, purchased_at, status)
                SELECT pg_temp.id('purchase', %(purchases)s + u::bigint * 100 + j), pg_temp.uid(u),
                       (%(cosmetic_ids)s::uuid[])[1 + j], (%(cosmetic_costs)s::int[])[1 + j], 1,
                       pg_temp.ago(u * 100 + j, 0.2), 'active'
                FROM {per_user(0.3, 10)} WHERE j < %(ncosmetics)s""",
            # The rest: consumables and boosts, always on sale and without a stock.
            """INSERT INTO user_purchases (id, user_id, item_id, cost_coins, quantity, purchased_at, redeemed_at,
                                           uses_remaining, status)
               SELECT pg_temp.id('purchase', p), pg_temp.uid(pg_temp.owner(p, 0.0, %(users)s)),
                      (%(item_ids)s::uuid[])[1 + p %% %(nitems)s], (%(item_costs)s::int[])[1 + p %% %(nitems)s], 1,
                      pg_temp.ago(p, 0.2), CASE WHEN p %% 3 > 0 THEN pg_temp.ago(p, 0.2) + interval '1 day' END,
                      CASE WHEN p %% 3 > 0 THEN 0 ELSE (%(item_uses)s::int[])[1 + p %% %(nitems)s] END,
                      CASE WHEN p %% 3 > 0 THEN 'used' ELSE 'active' END
               FROM generate_series(0::bigint, %(purchases)s - %(cosmetics)s - 1) p""",
            # Each purchase's charge, as purchase_item writes it, and the earning before it that paid for it.
            """INSERT INTO points_ledger (user_id, event_type, event_id, coins, xp, skill_stars, skill_key, reason,
                                          idempotency_key, created_at)
               SELECT p.user_id, 'purchase', p.id, -p.cost_coins, 0, 0, NULL, i.name, 'purchase:' || p.id,
                      p.purchased_at
               FROM user_purchases p JOIN market_items i ON i.id = p.item_id
               UNION ALL
               SELECT p.user_id, e.event_type, NULL, p.cost_coins + g %% 50, 5 + g %% 60,
                      CASE WHEN g %% 10 = 0 THEN 1 ELSE 0 END,
                      CASE WHEN g %% 10 = 0 THEN (%(skills)s::text[])[1 + g %% %(nskills)s] END,
                      e.event_type, e.event_type || ':' || p.id, p.purchased_at - interval '1 day'
               FROM (SELECT *, hashtext(id::text)::bigint & 1048575 AS g FROM user_purchases) p,
                    LATERAL (SELECT (ARRAY['focus', 'reading', 'workout', 'lesson', 'habit', 'quest',
                                           'daily_reward'])[1 + p.g %% 7] AS event_type) e""",
            """INSERT INTO market_transactions (user_id, transaction_type, coins_amount, item_id, reason, created_at)
               SELECT p.user_id, 'purchase', -p.cost_coins, p.item_id, i.name, p.purchased_at
               FROM user_purchases p JOIN market_items i ON i.id = p.item_id""",
            # A boost purchase starts its boost (as momentum.boosts.activate does); most have long run out.
            """INSERT INTO user_boosts (user_id, purchase_id, kind, multiplier, label, starts_at, ends_at, used_at,
                                        used_for, created_at)
               SELECT p.user_id, p.id, b.kind, b.multiplier, i.name, p.purchased_at, p.purchased_at + b.duration,
                      CASE WHEN b.kind = 'streak_freeze' AND p.status = 'used' THEN p.redeemed_at END,
                      CASE WHEN b.kind = 'streak_freeze' AND p.status = 'used' THEN 'daily' END, p.purchased_at
               FROM user_purchases p JOIN market_items i ON i.id = p.item_id
               JOIN (VALUES ('boost_double_xp_day', 'xp', 2, interval '1 day'),
                            ('boost_focus_hour', 'focus', 2, interval '1 hour'),
                            ('boost_streak_freeze', 'streak_freeze', 1, NULL)) b(key, kind, multiplier, duration)
                 ON b.key = i.key""",
            """INSERT INTO user_equipped_items (user_id, slot, purchase_id, equipped_at)
               SELECT DISTINCT ON (p.user_id, i.category) p.user_id, i.category, p.id, p.purchased_at
               FROM user_purchases p JOIN market_items i ON i.id = p.item_id
               WHERE i.category IN ('avatar', 'theme', 'frame')
               ORDER BY p.user_id, i.category, p.purchased_at DESC""",
        ],
    ),
    (
        "wallets, progress and skills from the ledger",
        [
            """INSERT INTO user_wallet (user_id, coins, total_earned, total_spent, created_at, updated_at)
               SELECT u.id, coalesce(l.coins, 0), coalesce(l.earned, 0), coalesce(l.spent, 0), u.created_at, now()
               FROM users u LEFT JOIN (
                   SELECT user_id, sum(coins) AS coins, sum(greatest(coins, 0)) AS earned,
                          -sum(least(coins, 0)) AS spent
                   FROM points_ledger GROUP BY user_id) l ON l.user_id = u.id""",
            """INSERT INTO user_progress (user_id, total_xp, current_level, xp_to_next_level, total_skill_stars,
                                          created_at, updated_at)
               SELECT u.id, coalesce(l.xp, 0), (level_for_xp(coalesce(l.xp, 0)::integer)).level,
                      (level_for_xp(coalesce(l.xp, 0)::integer)).xp_to_next_level, coalesce(l.stars, 0),
                      u.created_at, now()
               FROM users u LEFT JOIN (
                   SELECT user_id, sum(xp) AS xp, sum(skill_stars) AS stars FROM points_ledger GROUP BY user_id
               ) l ON l.user_id = u.id""",
            """INSERT INTO user_skills (user_id, skill_key, total_stars, current_stars, current_level)
               SELECT l.user_id, l.skill_key, l.stars, l.stars %% coalesce(d.stars_per_level, 10),
                      least(coalesce(d.max_level, 100), 1 + l.stars / coalesce(d.stars_per_level, 10))
               FROM (SELECT user_id, skill_key, sum(skill_stars)::integer AS stars FROM points_ledger
                     WHERE skill_key IS NOT NULL GROUP BY user_id, skill_key) l
               LEFT JOIN skill_definitions d ON d.key = l.skill_key""",
            f"""INSERT INTO user_streaks (user_id, streak_type, current_streak, longest_streak, last_activity_date)
                SELECT pg_temp.uid(u), (ARRAY['daily', 'reading', 'workout', 'learning', 'focus', 'habit'])[1 + j],
                       (u + j) %% 15, 15 + (u + j) %% 40, current_date - ((u + j) %% 4)::int
                FROM {per_user(2.0, 6)}""",
            f"""INSERT INTO user_achievements (user_id, achievement_key, earned_at, notified)
                SELECT pg_temp.uid(u), (%(achievements)s::text[])[1 + (u + j) %% %(nachievements)s],
                       pg_temp.ago(u * 100 + j, 0.3), true
                FROM {per_user(2.0, 26)} WHERE j < %(nachievements)s""",
            f"""INSERT INTO user_rewards (user_id, reward_type, coins_earned, xp_earned, claimed, claimed_at,
                                          expires_at, created_at)
                SELECT pg_temp.uid(u), CASE WHEN j %% 5 = 0 THEN 'achievement' ELSE 'daily' END, 10 + j %% 20,
                       5 + j %% 10, j > 0, CASE WHEN j > 0 THEN now() - make_interval(days => j) END,
                       now() - make_interval(days => j) + interval '1 day', now() - make_interval(days => j)
                FROM {per_user(2.0, 1000)}""",
            f"""INSERT INTO market_recommendations (user_id, item_id, score, reason, computed_at)
                SELECT pg_temp.uid(u), (%(all_item_ids)s::uuid[])[1 + (u + j) %% %(nall_items)s],
                       (100 - j) / 100.0, 'Popular with producers like you', now() - interval '6 hours'
                FROM {USERS_OF}, generate_series(0, 4) j WHERE u %% 5 = 0""",
        ],
    ),
    (
        "workouts, programs, workout sessions, sets, personal records",
        [
            f"""INSERT INTO workouts (id, user_id, name, estimated_duration, difficulty, category, is_public,
                                      created_at, updated_at)
                SELECT pg_temp.id('workout', u * {PER_USER} + j), pg_temp.uid(u),
                       initcap({W.format(n="u + j")}) || ' day', 45 + j %% 30,
                       (ARRAY['beginner', 'intermediate', 'advanced'])[1 + j %% 3], 'strength', (u + j) %% 50 = 0,
                       pg_temp.ago(u * 100 + j, 0.4), pg_temp.ago(u * 100 + j, 0.4)
                FROM {per_user(0.3, 200)}""",
            """INSERT INTO workout_sections (id, workout_id, name, section_type, sort_order)
               SELECT pg_temp.id('section', k), w.id, 'Main', 'main', 0
               FROM (SELECT id, row_number() OVER () AS k FROM workouts) w""",
            """INSERT INTO workout_exercises (workout_id, section_id, exercise_id, sets, reps, weight, rest_seconds,
                                              sort_order)
               SELECT s.workout_id, s.id, (%(exercise_ids)s::uuid[])[1 + (hashtext(s.id::text) & 65535 + e * 7)
                                                                        %% %(nexercises)s],
                      3, 8 + e, 40 + 10 * e, 90, e
               FROM workout_sections s, generate_series(0, 3) e""",
            f"""INSERT INTO training_programs (id, user_id, name, duration_weeks, goal, is_active, current_week,
                                               started_at, created_at, updated_at)
                SELECT pg_temp.id('program', u * {PER_USER} + j), pg_temp.uid(u), 'Program ' || (j + 1), 4,
                       'strength', j = 0, 1, CASE WHEN j = 0 THEN now() - interval '3 days' END,
                       pg_temp.ago(u * 100 + j, 0.5), pg_temp.ago(u * 100 + j, 0.5)
                FROM {per_user(0.05, 50)}
                WHERE pg_temp.share(u, %(users)s, 0.3, 200) > 0""",
            f"""INSERT INTO program_weeks (id, program_id, week_number)
                SELECT pg_temp.id('week', (u * {PER_USER} + j) * 4 + w), pg_temp.id('program', u * {PER_USER} + j),
                       w + 1
                FROM {per_user(0.05, 50)}, generate_series(0, 3) w
                WHERE pg_temp.share(u, %(users)s, 0.3, 200) > 0""",
            # Three days a week, from the user's own workouts.
            f"""INSERT INTO program_workouts (program_week_id, workout_id, day_of_week, order_index)
                SELECT pg_temp.id('week', (u * {PER_USER} + j) * 4 + w),
                       pg_temp.id('workout', u * {PER_USER} + d %% pg_temp.share(u, %(users)s, 0.3, 200)), d, 0
                FROM {per_user(0.05, 50)}, generate_series(0, 3) w, generate_series(1, 5, 2) d
                WHERE pg_temp.share(u, %(users)s, 0.3, 200) > 0""",
            # Sessions: from one of the user's workouts when they have one.
            f"""INSERT INTO workout_sessions (id, user_id, workout_id, started_at, completed_at, duration_seconds,
                                              rating, xp_awarded, coins_awarded)
                SELECT pg_temp.id('wsession', s), pg_temp.uid(o),
                       CASE WHEN w > 0 AND s %% 2 = 0 THEN pg_temp.id('workout', o * {PER_USER} + s %% w) END,
                       pg_temp.ago(s, 0.6), pg_temp.ago(s, 0.6) + interval '1 hour', 3600, 1 + s %% 5, 20, 5
                FROM generate_series(0::bigint, %(workout_sessions)s - 1) s,
                     LATERAL (SELECT pg_temp.owner(s, 0.0, %(users)s) AS o) own,
                     LATERAL (SELECT pg_temp.share(o, %(users)s, 0.3, 200) AS w) ws""",
            # Ten sets a session: three or four exercises, their sets numbered from 1.
            f"""INSERT INTO exercise_sets (id, session_id, exercise_id, set_number, reps, weight, is_warmup, rpe,
                                           completed_at)
                SELECT pg_temp.id('set', n), pg_temp.id('wsession', n / {SETS_PER_SESSION}),
                       (%(exercise_ids)s::uuid[])[1 + ((n / {SETS_PER_SESSION}) * 7 + (n %% {SETS_PER_SESSION}) / 3)
                                                   %% %(nexercises)s],
                       1 + (n %% {SETS_PER_SESSION}) %% 3, 5 + n %% 8, 20 + (n %% 37) * 2.5,
                       n %% {SETS_PER_SESSION} = 0, 6 + n %% 4,
                       pg_temp.ago(n / {SETS_PER_SESSION}, 0.6)
                         + make_interval(mins => (n %% {SETS_PER_SESSION})::int * 4)
                FROM generate_series(0::bigint, %(workout_sessions)s * {SETS_PER_SESSION} - 1) n""",
            # A record for one set in twenty (the best weights of the exercise, as log_set would record them).
            f"""INSERT INTO personal_records (user_id, exercise_id, record_type, value, reps, achieved_at,
                                              exercise_set_id, previous_value, created_at)
                SELECT pg_temp.uid(pg_temp.owner(n / {SETS_PER_SESSION}, 0.0, %(users)s)),
                       (%(exercise_ids)s::uuid[])[1 + ((n / {SETS_PER_SESSION}) * 7 + (n %% {SETS_PER_SESSION}) / 3)
                                                   %% %(nexercises)s],
                       (ARRAY['weight', 'e1rm', 'volume'])[1 + (n / 20) %% 3], 20 + (n %% 37) * 2.5, 5 + n %% 8,
                       pg_temp.ago(n / {SETS_PER_SESSION}, 0.6), pg_temp.id('set', n), 15 + (n %% 37) * 2.5,
                       pg_temp.ago(n / {SETS_PER_SESSION}, 0.6)
                FROM generate_series(0::bigint, %(workout_sessions)s * {SETS_PER_SESSION} - 1, 20) n""",
        ],
    ),
    (
        "books, reading sessions, reads",
        [
            f"""INSERT INTO books (id, user_id, title, author, total_pages, current_page, status, started_at,
                                   completed_at, rating, notes, created_at, updated_at)
                SELECT pg_temp.id('book', b), pg_temp.uid(pg_temp.owner(b, 0.0, %(users)s)),
                       initcap({W.format(n="b * 7")} || ' ' || {W.format(n="b * 13")} || ' ' || {W.format(n="b * 31")}),
                       'Author ' || (b %% 20000), 100 + (b %% 700),
                       CASE WHEN b %% 20 < 8 THEN 100 + (b %% 700) WHEN b %% 20 < 10 THEN (b %% 100) ELSE 0 END,
                       CASE WHEN b %% 20 < 8 THEN 'completed' WHEN b %% 20 < 10 THEN 'reading' ELSE 'to_read' END,
                       CASE WHEN b %% 20 < 10 THEN pg_temp.ago(b, 0.7) - interval '10 days' END,
                       CASE WHEN b %% 20 < 8 THEN pg_temp.ago(b, 0.7) END,
                       CASE WHEN b %% 20 < 8 AND b %% 3 = 0 THEN 1 + b %% 5 END,
                       CASE WHEN b %% 4 = 0 THEN 'notes on ' || {W.format(n="b * 17")} END,
                       pg_temp.ago(b, 0.7) - interval '20 days', pg_temp.ago(b, 0.7)
                FROM generate_series(0::bigint, %(books)s - 1) b""",
            """INSERT INTO book_reads (book_id, user_id, read_number, started_at, finished_at)
               SELECT id, user_id, 1, started_at, completed_at FROM books WHERE status IN ('completed', 'reading')""",
            """INSERT INTO books_abandoned (book_id, user_id, abandoned_at)
               SELECT id, user_id, updated_at FROM books WHERE status = 'to_read' AND hashtext(id::text) %% 10 = 0""",
            """INSERT INTO book_isbns (user_id, isbn, book_id)
               SELECT user_id, '978' || lpad((hashtext(id::text) & 2147483647)::text, 10, '0'), id FROM books
               WHERE hashtext(id::text) %% 3 = 0""",
            # Sessions of the books being read or finished (b % 20 < 10), ten or so each, within the book's pages.
            """INSERT INTO reading_sessions (id, book_id, user_id, pages_read, start_page, end_page,
                                              duration_minutes, started_at, xp_awarded, coins_awarded)
                SELECT pg_temp.id('rsession', r), pg_temp.id('book', b), pg_temp.uid(pg_temp.owner(b, 0.0, %(users)s)),
                       5 + r %% 40, 0, 5 + r %% 40, CASE WHEN r %% 3 > 0 THEN 10 + r %% 50 END,
                       pg_temp.ago(b, 0.7) - make_interval(days => (r %% 10)::int), greatest(1, (5 + r %% 40) / 5),
                       (5 + r %% 40) / 10
                FROM generate_series(0::bigint, %(reading_sessions)s - 1) r,
                     LATERAL (SELECT ((r * 7919) %% greatest(1, %(books)s / 20)) * 20 + r %% 10 AS b) bb""",
        ],
    ),
    (
        "focus, habits, goals",
        [
            """INSERT INTO focus_sessions (user_id, mode, duration_seconds, started_at, completed_at, abandoned_at,
                                           status, xp_awarded, coins_awarded, task_title, created_at)
               SELECT pg_temp.uid(pg_temp.owner(f, 0.0, %(users)s)),
                      (ARRAY['work', 'work', 'short_break', 'long_break'])[1 + f %% 4], 1500,
                      pg_temp.ago(f, 0.8), CASE WHEN f %% 10 > 0 THEN pg_temp.ago(f, 0.8) + interval '25 minutes' END,
                      CASE WHEN f %% 10 = 0 THEN pg_temp.ago(f, 0.8) + interval '5 minutes' END,
                      CASE WHEN f %% 10 = 0 THEN 'abandoned' ELSE 'completed' END,
                      CASE WHEN f %% 10 > 0 THEN 10 ELSE 0 END, CASE WHEN f %% 10 > 0 THEN 2 ELSE 0 END,
                      'Task ' || f %% 100, pg_temp.ago(f, 0.8)
               FROM generate_series(0::bigint, %(focus_sessions)s - 1) f""",
            # One user in ten is focusing right now.
            """INSERT INTO focus_sessions (user_id, mode, duration_seconds, started_at, expires_at, status, task_title)
               SELECT pg_temp.uid(u), 'work', 1500, now() - interval '5 minutes', now() + interval '20 minutes',
                      'active', 'Arrange the second verse'
               FROM generate_series(0::bigint, %(users)s - 1, 10) u""",
            f"""INSERT INTO focus_libraries (id, user_id, name, library_type, tracks_count, created_at, updated_at)
                SELECT pg_temp.id('library', u * {PER_USER} + j), pg_temp.uid(u), 'Focus mix ' || (j + 1),
                       'playlist', 5, pg_temp.ago(u, 0.9), pg_temp.ago(u, 0.9)
                FROM {per_user(0.1, 100)}""",
            """INSERT INTO focus_library_tracks (library_id, track_id, track_title, duration_seconds, sort_order)
               SELECT l.id, 'track-' || t, 'Track ' || t, 180 + t * 10, t FROM focus_libraries l,
                      generate_series(0, 4) t""",
            f"""INSERT INTO habits (id, user_id, name, frequency, target_count, is_active, current_streak,
                                    longest_streak, last_completed_at, sort_order, created_at, updated_at)
                SELECT pg_temp.id('habit', u * {PER_USER} + j), pg_temp.uid(u), 'Habit ' || (j + 1), 'daily', 1,
                       j %% 7 > 0, j %% 9, 9 + j %% 20, now() - make_interval(days => (j %% 3)::int), j,
                       pg_temp.ago(u * 100 + j, 0.1), pg_temp.ago(u * 100 + j, 0.1)
                FROM {per_user(1.0, 200)}""",
            # Completions of the user's habits on days of the last two years.
            f"""INSERT INTO habit_completions (habit_id, user_id, completed_at, completed_date)
                SELECT pg_temp.id('habit', o * {PER_USER} + c %% h), pg_temp.uid(o),
                       (current_date - ((c / h) %% 730)::int)::timestamptz + interval '8 hours',
                       current_date - ((c / h) %% 730)::int
                FROM generate_series(0::bigint, %(habit_completions)s - 1) c,
                     LATERAL (SELECT pg_temp.owner(c, 0.0, %(users)s) AS o) own,
                     LATERAL (SELECT pg_temp.share(o, %(users)s, 1.0, 200) AS h) hs
                WHERE h > 0""",
            f"""INSERT INTO goals (id, user_id, title, category, target_date, status, progress, priority,
                                   sort_order, created_at, updated_at)
                SELECT pg_temp.id('goal', u * {PER_USER} + j), pg_temp.uid(u), 'Goal ' || (j + 1), 'music',
                       current_date + (30 + j)::int, (ARRAY['active', 'active', 'completed', 'paused'])[1 + j %% 4],
                       (j * 17) %% 100, j %% 3, j, pg_temp.ago(u * 100 + j, 0.2), pg_temp.ago(u * 100 + j, 0.2)
                FROM {per_user(0.3, 100)}""",
            """INSERT INTO goal_milestones (goal_id, title, is_completed, sort_order)
               SELECT g.id, 'Milestone ' || (m + 1), m = 0, m FROM goals g, generate_series(0, 2) m""",
        ],
    ),
    (
        "quests, planning, capture, feedback",
        [
            f"""INSERT INTO user_quests (user_id, title, category, difficulty, xp_reward, coin_reward, status, progress,
                                         target, accepted_at, completed_at, created_at, updated_at)
                SELECT pg_temp.uid(u), 'Finish track ' || (j + 1), 'music', 'normal', 50, 10,
                       (ARRAY['active', 'completed', 'claimed'])[1 + j %% 3], CASE WHEN j %% 3 = 0 THEN 0 ELSE 1 END,
                       1, pg_temp.ago(u * 100 + j, 0.3), CASE WHEN j %% 3 > 0 THEN pg_temp.ago(u * 100 + j, 0.3) END,
                       pg_temp.ago(u * 100 + j, 0.3), pg_temp.ago(u * 100 + j, 0.3)
                FROM {per_user(0.5, 1000)}""",
            f"""INSERT INTO user_quest_progress (user_id, quest_id, status, progress, accepted_at, last_reset_at)
                SELECT pg_temp.uid(u), (%(quest_ids)s::uuid[])[1 + j], 'active', 0, pg_temp.ago(u, 0.4),
                       date_trunc('day', now())
                FROM {per_user(1.0, 5)} WHERE j < %(nquests)s""",
            """INSERT INTO calendar_events (user_id, title, event_type, start_time, end_time, timezone,
                                             recurrence_rule, created_at, updated_at)
                SELECT pg_temp.uid(pg_temp.owner(e, 0.0, %(users)s)), 'Session ' || e %% 100,
                       (ARRAY['event', 'focus', 'workout', 'reminder'])[1 + e %% 4],
                       now() + make_interval(days => (e %% 120)::int - 60, hours => (e %% 12)::int),
                       now() + make_interval(days => (e %% 120)::int - 60, hours => (e %% 12)::int + 1), 'UTC',
                       CASE WHEN e %% 25 = 0 THEN 'FREQ=WEEKLY' END, pg_temp.ago(e, 0.5), pg_temp.ago(e, 0.5)
                FROM generate_series(0::bigint, %(calendar_events)s - 1) e""",
            f"""INSERT INTO daily_plans (user_id, date, items, notes)
                SELECT pg_temp.uid(u), current_date - j,
                       jsonb_build_array(jsonb_build_object('id', md5(u || ':' || j)::uuid, 'title', 'Mix the chorus',
                                                            'done', j > 0, 'start_time', '09:00', 'end_time', '10:30',
                                                            'link', NULL)), NULL
                FROM {per_user(1.0, 3000)}""",
            f"""INSERT INTO plan_templates (user_id, name, items, is_public, category, created_at, updated_at)
                SELECT pg_temp.uid(u), 'Template ' || (j + 1), '[]', (u + j) %% 20 = 0, 'studio',
                       pg_temp.ago(u * 100 + j, 0.6), pg_temp.ago(u * 100 + j, 0.6)
                FROM {per_user(0.1, 100)}""",
            """INSERT INTO inbox_items (user_id, title, description, item_type, tags, is_processed, processed_at,
                                        created_at, updated_at)
               SELECT pg_temp.uid(pg_temp.owner(i, 0.0, %(users)s)), 'Note ' || i %% 1000,
                      'about ' || (%(words)s::text[])[1 + i %% %(nwords)s],
                      (ARRAY['note', 'task', 'idea'])[1 + i %% 3], ARRAY[(%(words)s::text[])[1 + i %% %(nwords)s]],
                      i %% 3 = 0, CASE WHEN i %% 3 = 0 THEN pg_temp.ago(i, 0.7) END,
                      pg_temp.ago(i, 0.7), pg_temp.ago(i, 0.7)
               FROM generate_series(0::bigint, %(inbox_items)s - 1) i""",
            f"""INSERT INTO ideas (user_id, title, content, category, tags, is_pinned, created_at, updated_at)
                SELECT pg_temp.uid(u), 'Idea ' || (j + 1), 'a ' || {W.format(n="u + j")} || ' hook', 'music',
                       ARRAY[{W.format(n="u + j")}], j = 0, pg_temp.ago(u * 100 + j, 0.8),
                       pg_temp.ago(u * 100 + j, 0.8)
                FROM {per_user(0.3, 1000)}""",
            f"""INSERT INTO infobase_entries (user_id, title, content, category, tags, is_pinned, created_at,
                                              updated_at)
                SELECT pg_temp.uid(u), 'Entry ' || (j + 1), 'what I know about ' || {W.format(n="u + j")},
                       'studio', ARRAY[{W.format(n="u + j")}], j = 0, pg_temp.ago(u * 100 + j, 0.9),
                       pg_temp.ago(u * 100 + j, 0.9)
                FROM {per_user(0.2, 1000)}""",
            f"""INSERT INTO user_references (user_id, title, content, url, category, tags, is_pinned, created_at,
                                             updated_at)
                SELECT pg_temp.uid(u), 'Reference ' || (j + 1), 'listen for the ' || {W.format(n="u + j")},
                       'https://example.com/' || u || '/' || j, 'mixing', ARRAY[{W.format(n="u + j")}], j = 0,
                       pg_temp.ago(u * 100 + j, 0.15), pg_temp.ago(u * 100 + j, 0.15)
                FROM {per_user(0.2, 1000)}""",
            f"""INSERT INTO feedback (user_id, feedback_type, title, description, status, priority, created_at,
                                     updated_at)
                SELECT pg_temp.uid(u), (ARRAY['bug', 'feature', 'general'])[1 + j %% 3], 'Feedback ' || (j + 1),
                       'It would help if …', (ARRAY['new', 'reviewed', 'resolved'])[1 + (u + j) %% 3], 'normal',
                       pg_temp.ago(u * 100 + j, 0.25), pg_temp.ago(u * 100 + j, 0.25)
                FROM {per_user(0.05, 100)}""",
        ],
    ),
    (
        "reference tracks, analyses, annotations, regions",
        [
            f"""INSERT INTO reference_tracks (id, user_id, name, r2_key, file_size_bytes, mime_type, duration_seconds,
                                              artist, genre, bpm, key_signature, status, created_at, updated_at)
                SELECT pg_temp.id('track', u * {PER_USER} + j), pg_temp.uid(u), 'Reference ' || (j + 1),
                       'tracks/' || pg_temp.uid(u) || '/' || pg_temp.id('track', u * {PER_USER} + j) || '/audio.flac',
                       30000000, 'audio/flac', 210, 'Artist ' || j %% 50, 'house', 120 + j %% 10, 'A minor',
                       CASE WHEN j %% 20 = 0 THEN 'processing' ELSE 'ready' END,
                       pg_temp.ago(u * 100 + j, 0.35), pg_temp.ago(u * 100 + j, 0.35)
                FROM {per_user(0.2, 5000)}""",
            """INSERT INTO track_analyses (id, track_id, analysis_type, version, status, started_at, completed_at,
                                           summary, created_at, updated_at)
               SELECT pg_temp.id('analysis', k), t.id, 'full', '1', 'completed', t.created_at, t.created_at,
                      jsonb_build_object('tempo', 124, 'key', 'A minor'), t.created_at, t.created_at
               FROM (SELECT id, created_at, row_number() OVER () AS k FROM reference_tracks
                     WHERE status = 'ready') t""",
            """INSERT INTO analysis_events (analysis_id, time_ms, duration_ms, event_type, confidence)
               SELECT a.id, e * 15000, 15000, 'section', 0.8 FROM track_analyses a, generate_series(0, 13) e""",
            # Annotations and regions on the user's tracks.
            f"""INSERT INTO track_annotations (track_id, user_id, start_time_ms, end_time_ms, title, content,
                                               category, created_at, updated_at)
                SELECT pg_temp.id('track', o * {PER_USER} + a %% t), pg_temp.uid(o), (a %% 200) * 1000,
                       (a %% 200) * 1000 + 4000, 'Note ' || a %% 100, 'the snare sits behind the vocal', 'mix',
                       pg_temp.ago(a, 0.45), pg_temp.ago(a, 0.45)
                FROM generate_series(0::bigint, %(track_annotations)s - 1) a,
                     LATERAL (SELECT pg_temp.owner(a, 0.0, %(users)s) AS o) own,
                     LATERAL (SELECT pg_temp.share(o, %(users)s, 0.2, 5000) AS t) ts
                WHERE t > 0""",
            """INSERT INTO track_regions (track_id, user_id, start_time_ms, end_time_ms, name, section_type,
                                          display_order)
               SELECT t.id, t.user_id, r * 30000, r * 30000 + 30000,
                      (ARRAY['Intro', 'Verse', 'Chorus', 'Outro'])[1 + r], lower((ARRAY['Intro', 'Verse', 'Chorus',
                      'Outro'])[1 + r]), r
               FROM reference_tracks t, generate_series(0, 3) r WHERE hashtext(t.id::text) %% 2 = 0""",
        ],
    ),
    (
        "learning",
        [
            f"""INSERT INTO user_lesson_progress (user_id, lesson_id, status, started_at, completed_at, quiz_score,
                                                  attempts)
                SELECT pg_temp.uid(u), (%(lesson_ids)s::uuid[])[1 + j], CASE WHEN j %% 4 = 3 THEN 'in_progress'
                       ELSE 'completed' END, pg_temp.ago(u * 100 + j, 0.55),
                       CASE WHEN j %% 4 < 3 THEN pg_temp.ago(u * 100 + j, 0.55) + interval '20 minutes' END,
                       CASE WHEN j %% 4 < 3 THEN 80 END, 1
                FROM {per_user(2.0, 1000)} WHERE j < %(nlessons)s""",
            """INSERT INTO learn_quiz_attempts (user_id, lesson_id, score, passed, answers, created_at)
               SELECT user_id, lesson_id, quiz_score, true, '[]', completed_at FROM user_lesson_progress
               WHERE status = 'completed'""",
            # A review card per question of each completed lesson, due over the coming weeks.
            """INSERT INTO learn_review_cards (user_id, lesson_id, question_id, item_key, card, due, seed, reps,
                                               last_review, created_at)
               SELECT p.user_id, p.lesson_id, q ->> 'id', 'q:' || p.lesson_id || ':' || (q ->> 'id'),
                      jsonb_build_object('card_id', hashtext(p.id::text || (q ->> 'id')) & 2147483647, 'state', 2,
                                         'step', NULL, 'stability', 3.2, 'difficulty', 5.1, 'due', d.due,
                                         'last_review', p.completed_at),
                      d.due, 1, 1, p.completed_at, p.completed_at
               FROM user_lesson_progress p JOIN learn_lessons l ON l.id = p.lesson_id,
                    jsonb_array_elements(l.quiz_json -> 'questions') q,
                    LATERAL (SELECT now() + make_interval(hours => hashtext(p.id::text) %% 500) AS due) d
               WHERE p.status = 'completed'""",
            f"""INSERT INTO user_drill_stats (user_id, drill_id, total_attempts, correct_answers, best_score,
                                              average_score, last_attempt_at, total_time_seconds)
                SELECT pg_temp.uid(u), (%(drill_ids)s::uuid[])[1 + j], 5, 30, 90, 72.5,
                       pg_temp.ago(u * 100 + j, 0.65), 600
                FROM {per_user(0.5, 1000)} WHERE j < %(ndrills)s""",
        ],
    ),
]


def connect_server(url: str) -> tuple[str, Any]:
    """(the server's admin URL, the embedded server or None): ``url`` when it answers, else ``make dev``'s."""
    try:
        psycopg.connect(url, connect_timeout=3).close()
        return url, None
    except psycopg.OperationalError:
        print(f"no server at {url}; using the embedded one under {pg.local_data_dir()}", flush=True)
        server = pg.embedded_server(pg.local_data_dir() / "pgdata")
        return server.get_uri("postgres"), server


def marker(scale: float) -> str:
    return f"momentum large data set, scale {scale:g}"


def schema_head() -> str:
    from momentum.platform.health import SCHEMA_HEAD

    return SCHEMA_HEAD


def ensure(scale: float = 1.0, *, reseed: bool = False) -> str:
    """The URL of ``momentum_scale`` filled at ``scale``, seeding it only when needed."""
    server_url, _server = connect_server(SERVER_URL)
    name = database_name(scale)
    url = pg.with_database(server_url, name)
    with psycopg.connect(server_url, autocommit=True) as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
    if row is not None and row[0] == marker(scale) and not reseed:
        with psycopg.connect(url) as conn:
            version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if version is not None and version[0] == schema_head():
            print(f"reusing {name} ({marker(scale)}, schema {version[0]})", flush=True)
            return url
        started = time.perf_counter()
        migrate.upgrade(url)
        print(f"reusing {name} ({marker(scale)}): migrated from {version and version[0]} to {schema_head()} "
              f"in {time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("ANALYZE")  # statistics for any expression index the revisions added
        return url
    seed(server_url, scale)
    return url


def seed(server_url: str, scale: float) -> None:
    name = database_name(scale)
    pg.drop_database(server_url, name)
    url = pg.ensure_database(server_url, name)
    total = time.perf_counter()
    t0 = time.perf_counter()
    migrate.upgrade(url)
    from momentum_infra import seed as starter

    with psycopg.connect(url) as conn:
        starter.run_all(conn)
    print(f"{time.perf_counter() - t0:7.1f} s  schema at {schema_head()} and the starter catalogue", flush=True)

    sizes = {name: max(1, int(rows * scale)) for name, rows in SIZES.items()}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET statement_timeout = 0")
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET work_mem = '256MB'")
        conn.execute(HELPERS)
        params = sizes | catalogue(conn) | {"words": WORDS, "nwords": len(WORDS)}
        params["cosmetics"] = 0

        t0 = time.perf_counter()
        constraints, indexes = drop_constraints_and_indexes(conn)
        print(f"{time.perf_counter() - t0:7.1f} s  dropped {len(constraints)} constraints and {len(indexes)} "
              "indexes for the load", flush=True)  # fmt: skip

        for phase, statements in PHASES:
            t0 = time.perf_counter()
            rows = 0
            for statement in statements:
                cursor = conn.execute(statement, params)
                rows += max(cursor.rowcount, 0)
                if "'purchase', %(purchases)s + u::bigint" in statement:
                    params["cosmetics"] = cursor.rowcount  # the bulk purchases make up the rest
            print(f"{time.perf_counter() - t0:7.1f} s  {phase}: {rows:,} rows", flush=True)

        t0 = time.perf_counter()
        restore(conn, constraints, indexes)
        print(f"{time.perf_counter() - t0:7.1f} s  primary keys, unique keys, indexes and foreign keys made again "
              "(each checked on the loaded rows)", flush=True)  # fmt: skip
        t0 = time.perf_counter()
        check_balances(conn)
        print(f"{time.perf_counter() - t0:7.1f} s  checked: wallet coins = Σ ledger coins, total XP = Σ ledger XP "
              "for every user", flush=True)  # fmt: skip
        t0 = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        print(f"{time.perf_counter() - t0:7.1f} s  VACUUM ANALYZE", flush=True)
        conn.execute(f"COMMENT ON DATABASE {name} IS '{marker(scale)}'")
        print(f"{time.perf_counter() - total:7.1f} s  in all; {counts(conn)}", flush=True)


def catalogue(conn: Any) -> dict[str, Any]:
    """The starter catalogue's ids and vocabularies the rows point at."""
    from momentum.platform.interests import VOCABULARY

    def column(sql: str) -> list[Any]:
        return [r[0] for r in conn.execute(sql).fetchall()]

    bulk = "is_consumable AND total_stock IS NULL AND available_from IS NULL AND available_until IS NULL"
    cosmetics = "category IN ('avatar', 'theme', 'frame') AND total_stock IS NULL AND available_from IS NULL"
    found = {
        "item_ids": column(f"SELECT id FROM market_items WHERE {bulk} ORDER BY key"),
        "item_costs": column(f"SELECT cost_coins FROM market_items WHERE {bulk} ORDER BY key"),
        "item_uses": column(f"SELECT coalesce(uses_per_purchase, 1) FROM market_items WHERE {bulk} ORDER BY key"),
        "cosmetic_ids": column(f"SELECT id FROM market_items WHERE {cosmetics} ORDER BY cost_coins, key"),
        "cosmetic_costs": column(f"SELECT cost_coins FROM market_items WHERE {cosmetics} ORDER BY cost_coins, key"),
        "all_item_ids": column("SELECT id FROM market_items WHERE is_active ORDER BY key"),
        "exercise_ids": column("SELECT id FROM exercises WHERE is_builtin ORDER BY name"),
        "skills": column("SELECT key FROM skill_definitions ORDER BY key"),
        "achievements": column("SELECT key FROM achievement_definitions ORDER BY sort_order, key"),
        "quest_ids": column("SELECT id FROM universal_quests WHERE is_active ORDER BY sort_order, title"),
        "lesson_ids": column("SELECT id FROM learn_lessons WHERE is_active ORDER BY sort_order, key"),
        "drill_ids": column("SELECT id FROM learn_drills WHERE is_active ORDER BY sort_order, key"),
        "interests": list(VOCABULARY),
        "interest_labels": list(VOCABULARY.values()),
        "flow": conn.execute("SELECT id FROM onboarding_flows WHERE is_active ORDER BY created_at LIMIT 1").fetchone()[
            0
        ],
    }
    for name in list(found):
        if isinstance(found[name], list) and not found[name]:
            raise SystemExit(f"the starter catalogue has no {name}")
    names = {"item_ids": "nitems", "exercise_ids": "nexercises", "skills": "nskills", "achievements": "nachievements",
             "quest_ids": "nquests", "lesson_ids": "nlessons", "drill_ids": "ndrills", "interests": "ninterests",
             "cosmetic_ids": "ncosmetics",
             "all_item_ids": "nall_items"}  # fmt: skip
    return found | {count: len(found[name]) for name, count in names.items()}


def drop_constraints_and_indexes(conn: Any) -> tuple[list[tuple[str, str, str, str]], list[str]]:
    """Drop every foreign key, primary and unique key and other index of the public schema; their definitions."""
    constraints = conn.execute(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype::text
           FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype IN ('f', 'p', 'u')
           ORDER BY contype = 'f' DESC"""
    ).fetchall()
    indexes = conn.execute(
        """SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           WHERE c.relnamespace = 'public'::regnamespace
             AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u'))
             AND i.indrelid <> 'alembic_version'::regclass"""
    ).fetchall()
    index_names = conn.execute(
        """SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           WHERE c.relnamespace = 'public'::regnamespace
             AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u'))
             AND i.indrelid <> 'alembic_version'::regclass"""
    ).fetchall()
    constraints = [c for c in constraints if c[0] != "alembic_version"]
    for table, name, _, _ in constraints:
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for (name,) in index_names:
        conn.execute(f'DROP INDEX "{name}"')
    return constraints, [d for (d,) in indexes]


def restore(conn: Any, constraints: list[tuple[str, str, str, str]], indexes: list[str]) -> None:
    for table, name, definition, kind in sorted(constraints, key=lambda c: c[3] == "f"):
        if kind != "f":
            conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for definition in indexes:
        conn.execute(definition)
    for table, name, definition, kind in constraints:
        if kind == "f":
            conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def check_balances(conn: Any) -> None:
    wrong = conn.execute(
        """SELECT count(*) FROM user_wallet w JOIN user_progress p USING (user_id)
           LEFT JOIN (SELECT user_id, sum(coins) AS coins, sum(xp) AS xp FROM points_ledger GROUP BY user_id) l
             USING (user_id)
           WHERE w.coins <> coalesce(l.coins, 0) OR p.total_xp <> coalesce(l.xp, 0)
              OR w.coins <> w.total_earned - w.total_spent"""
    ).fetchone()[0]
    if wrong:
        raise SystemExit(f"{wrong} wallets disagree with the ledger")


def counts(conn: Any) -> str:
    tables = ("users", "points_ledger", "user_purchases", "exercise_sets", "books")
    found = conn.execute("SELECT " + ", ".join(f"(SELECT count(*) FROM {t})" for t in tables)).fetchone()
    return ", ".join(f"{n:,} {t}" for t, n in zip(tables, found, strict=True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="a fraction of the full size (default 1)")
    parser.add_argument("--reseed", action="store_true", help="drop and seed again even when it is there")
    args = parser.parse_args()
    print(ensure(args.scale, reseed=args.reseed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
