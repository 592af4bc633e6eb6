"""Item recommendations, computed in batches by the scheduled function (or ``momentum recommend``).

For each user, every item that can be bought now — except a non-consumable they already hold — gets a score in
[0, 1], the sum of six weighted signals, each in [0, 1]:

- 0.30 co-purchases: of the buyers of some item the user holds, the largest share who also bought this one;
- 0.25 interests: one of the user's ``user_interests`` is named in the item's key, category, name or description;
- 0.15 category affinity: the share of the user's purchases in the item's category;
- 0.10 popularity: the item's buyers relative to the most bought item;
- 0.10 affordability: the user's wallet covers the price;
- 0.10 availability: scarce now (5 or fewer left, or the window closes within 7 days).

The strongest signal becomes the human ``reason``. Each user keeps their top ``PER_USER`` items with a positive
score; a run replaces a batch of users' rows in one transaction, so readers see the old list or the new one.
Scoring is one set-based statement per batch of users.

The shop-wide figures (how many people hold each item, and each pair of items) are the same for every user: the
producer computes them once per run into ``market_item_holders`` and ``market_item_pairs`` (``refresh_statistics``)
and every range reads them, so a range's statement reads only its own users' purchases.

Nightly, the work fans out as every job over all users does (``momentum.jobs``, ``JOB`` here): the scheduled
function refreshes the statistics and cuts the users (in id order) into ranges of ``BATCH_USERS`` and sends each
range to the recommendations queue as one message; the queue's function computes one range per invocation
(``recommend_range``), so the night's wall time stays flat as users grow, and a range that fails is retried, then
dead-lettered, alone. ``compute_recommendations`` does all ranges in one process (``momentum recommend``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any
from uuid import UUID

from psycopg import Connection
from psycopg.rows import dict_row

from momentum.jobs import Job, KeyRange, key_ranges
from momentum.market.catalog import ITEM_COLUMNS
from momentum.market.models import Item, Recommendation

PER_USER = 10
BATCH_USERS = 1000

NEXT_USERS = "SELECT id FROM users WHERE %(after)s::uuid IS NULL OR id > %(after)s ORDER BY id LIMIT %(limit)s"

USERS_IN_RANGE = """
SELECT id FROM users WHERE (%(after)s::uuid IS NULL OR id > %(after)s) AND id <= %(through)s ORDER BY id
"""

DELETE_RECOMMENDATIONS = "DELETE FROM market_recommendations WHERE user_id = ANY(%(user_ids)s::uuid[])"

# The shop-wide statistics, replaced in one transaction (readers see the old figures or the new ones).
REFRESH_STATISTICS = [
    # One pass over every purchase, once a night in the producer (a 300 s function): longer than a request may take.
    "SET LOCAL statement_timeout = '240s'",
    "DELETE FROM market_item_pairs",
    "DELETE FROM market_item_holders",
    """
CREATE TEMPORARY TABLE held ON COMMIT DROP AS
SELECT DISTINCT user_id, item_id FROM user_purchases WHERE status <> 'refunded' AND item_id IS NOT NULL
""",
    "INSERT INTO market_item_holders (item_id, holders) SELECT item_id, count(*) FROM held GROUP BY item_id",
    """
INSERT INTO market_item_pairs (item_id, other_item_id, holders)
SELECT a.item_id, b.item_id, count(*)
FROM held a JOIN held b ON b.user_id = a.user_id AND b.item_id <> a.item_id
GROUP BY a.item_id, b.item_id
""",
]

SCORE_AND_INSERT = """
WITH target AS (
    SELECT u.id AS user_id, coalesce(w.coins, 0) AS coins
    FROM unnest(%(user_ids)s::uuid[]) AS u (id) LEFT JOIN user_wallet w ON w.user_id = u.id
), shop AS (
    SELECT i.* FROM market_items i WHERE market_item_unavailability(i) IS NULL
), held AS (  -- what these users hold; a refund undoes a purchase
    SELECT DISTINCT p.user_id, p.item_id
    FROM target t JOIN user_purchases p ON p.user_id = t.user_id
    WHERE p.status <> 'refunded'
), buyers AS (
    SELECT item_id, holders AS n FROM market_item_holders
), pairs AS (  -- people who hold both a and b
    SELECT item_id AS a, other_item_id AS b, holders AS n FROM market_item_pairs
), also_bought AS (  -- per (user, b): the best share of an item's buyers who also bought b, and that item
    SELECT DISTINCT ON (h.user_id, p.b) h.user_id, p.b AS item_id, p.n::real / bu.n AS share, ia.name AS via
    FROM target t
    JOIN held h ON h.user_id = t.user_id
    JOIN pairs p ON p.a = h.item_id
    JOIN buyers bu ON bu.item_id = p.a
    JOIN market_items ia ON ia.id = p.a
    ORDER BY h.user_id, p.b, share DESC, ia.name
), affinity AS (
    SELECT h.user_id, i.category, count(*)::real / sum(count(*)) OVER (PARTITION BY h.user_id) AS share
    FROM target t JOIN held h ON h.user_id = t.user_id JOIN market_items i ON i.id = h.item_id
    GROUP BY h.user_id, i.category
), interest AS (
    SELECT DISTINCT ON (ui.user_id, s.id) ui.user_id, s.id AS item_id, ui.interest_label
    FROM target t
    JOIN user_interests ui ON ui.user_id = t.user_id
    JOIN shop s ON strpos(lower(concat_ws(' ', replace(s.key, '_', ' '), s.category, s.name, s.description)),
                          lower(replace(ui.interest_key, '_', ' '))) > 0
    ORDER BY ui.user_id, s.id, ui.interest_label
), popularity AS (
    SELECT b.item_id, b.n::real / max(b.n) OVER () AS share FROM buyers b
), signals AS (
    SELECT t.user_id, s.id AS item_id, s.category, s.sort_order, s.remaining_stock, s.available_until,
           ab.via, it.interest_label,
           0.30 * coalesce(ab.share, 0) AS co_purchase,
           0.25 * (it.interest_label IS NOT NULL)::int AS interest,
           0.15 * coalesce(af.share, 0) AS affinity,
           0.10 * coalesce(pop.share, 0) AS popularity,
           0.10 * (s.cost_coins <= t.coins)::int AS affordable,
           0.10 * coalesce(s.remaining_stock <= 5 OR s.available_until < now() + interval '7 days', false)::int
               AS scarce
    FROM target t
    CROSS JOIN shop s
    LEFT JOIN also_bought ab ON ab.user_id = t.user_id AND ab.item_id = s.id
    LEFT JOIN affinity af ON af.user_id = t.user_id AND af.category = s.category
    LEFT JOIN interest it ON it.user_id = t.user_id AND it.item_id = s.id
    LEFT JOIN popularity pop ON pop.item_id = s.id
    WHERE s.is_consumable OR NOT EXISTS (SELECT 1 FROM held h WHERE h.user_id = t.user_id AND h.item_id = s.id)
), ranked AS (
    SELECT g.*,
           least(1.0, co_purchase + interest + affinity + popularity + affordable + scarce) AS score,
           greatest(co_purchase, interest, affinity, popularity, affordable, scarce) AS strongest,
           row_number() OVER (PARTITION BY g.user_id
                              ORDER BY co_purchase + interest + affinity + popularity + affordable + scarce DESC,
                                       g.sort_order, g.item_id) AS rank
    FROM signals g
)
INSERT INTO market_recommendations (user_id, item_id, score, reason)
SELECT user_id, item_id, score,
       CASE strongest
           WHEN co_purchase THEN 'Producers who bought ' || via || ' also bought this'
           WHEN interest THEN 'Matches your interest in ' || interest_label
           WHEN affinity THEN 'You often choose ' || category || ' items'
           WHEN scarce THEN CASE WHEN remaining_stock <= 5 THEN 'Only ' || remaining_stock || ' left'
                                 ELSE 'Available until ' || to_char(available_until, 'FMMonth FMDD') END
           WHEN popularity THEN 'Popular in the shop'
           ELSE 'Within your budget'
       END
FROM ranked
WHERE rank <= %(per_user)s AND score > 0
"""

LIST_RECOMMENDATIONS = f"""
SELECT {ITEM_COLUMNS}, r.score, r.reason, r.computed_at
FROM market_recommendations r JOIN market_items i ON i.id = r.item_id
WHERE r.user_id = %(user_id)s AND market_item_unavailability(i) IS NULL
  AND (i.is_consumable OR NOT EXISTS (SELECT 1 FROM user_purchases p
                                      WHERE p.user_id = r.user_id AND p.item_id = i.id AND p.status <> 'refunded'))
ORDER BY r.score DESC, i.sort_order, i.id
"""


@dataclass(frozen=True)
class RecommendationRun:
    users: int
    recommendations: int
    seconds: float


def recommend_for(conn: Connection, user_ids: list[UUID], per_user: int = PER_USER) -> int:
    """Replace these users' recommendations in one transaction; returns how many were written."""
    with conn.transaction():
        conn.execute(DELETE_RECOMMENDATIONS, {"user_ids": user_ids})
        return conn.execute(SCORE_AND_INSERT, {"user_ids": user_ids, "per_user": per_user}).rowcount


def refresh_statistics(conn: Connection) -> None:
    """Recompute how many people hold each item and each pair of items (once per run, before the ranges)."""
    with conn.transaction():
        for statement in REFRESH_STATISTICS:
            conn.execute(statement)


def compute_recommendations(
    conn: Connection, batch_users: int = BATCH_USERS, per_user: int = PER_USER
) -> RecommendationRun:
    """Recompute every user's recommendations, a batch of users per transaction."""
    started = time.perf_counter()
    refresh_statistics(conn)
    users = written = 0
    after = None
    while True:
        batch = [user_id for (user_id,) in conn.execute(NEXT_USERS, {"after": after, "limit": batch_users})]
        if not batch:
            break
        written += recommend_for(conn, batch, per_user)
        users += len(batch)
        after = batch[-1]
    return RecommendationRun(users=users, recommendations=written, seconds=round(time.perf_counter() - started, 3))


UserRange = KeyRange  # a range of users, as the recommendations queue's messages carry it


def user_batches(conn: Connection, batch_users: int = BATCH_USERS) -> Iterator[UserRange]:
    """The users in id order, cut into ranges of ``batch_users``; one short round trip per range."""
    return key_ranges(conn, "users", batch_users)


def recommend_range(conn: Connection, users: UserRange, per_user: int = PER_USER) -> RecommendationRun:
    """Recompute the recommendations of one range of users (one queue message)."""
    started = time.perf_counter()
    ids = [user_id for (user_id,) in conn.execute(USERS_IN_RANGE, {"after": users.after, "through": users.through})]
    written = recommend_for(conn, ids, per_user) if ids else 0
    return RecommendationRun(users=len(ids), recommendations=written, seconds=round(time.perf_counter() - started, 3))


def _run(conn: Connection, users: KeyRange) -> dict[str, Any]:
    return asdict(recommend_range(conn, users))


JOB = Job(
    name="recommendations",
    table="users",
    where="true",
    batch=BATCH_USERS,
    queue_setting="recommendations_queue_url",
    run=_run,
    prepare=refresh_statistics,
)


def list_recommendations(conn: Connection, user_id: UUID) -> list[Recommendation]:
    """The caller's recommendations, best first, leaving out what can no longer be bought or is now owned."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(LIST_RECOMMENDATIONS, {"user_id": user_id}).fetchall()
    return [
        Recommendation(
            item=Item.model_validate(row), score=row["score"], reason=row["reason"], computed_at=row["computed_at"]
        )
        for row in rows
    ]
