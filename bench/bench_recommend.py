"""One nightly recommendations batch: the time and memory the queue's function spends on 1,000 users.

    python bench/bench_recommend.py          (make bench-recommend; BENCH_USERS=... for a larger data set)
    python bench/bench_recommend.py --large  against the large data set of bench/seed_large.py (1M users)

Against the PostgreSQL at BENCH_SERVER_URL (default postgresql://postgres@127.0.0.1:5432/postgres, trust auth):
creates a scratch database, migrates it, generates a market with SQL (USERS users with a wallet and an interest,
ITEMS items, PURCHASES_PER_USER purchases each, skewed towards popular items), and drops it at the end.

The schedule's side (``user_batches``: one message per 1,000 users) is timed over all users; then the batch
function's handler computes the first range, as an SQS message would deliver it, timed (wall and process CPU),
with the process's peak RSS before and after and Python's own peak allocation (tracemalloc) during the batch.
"""

from __future__ import annotations

import json
import os
import re
import resource
import sys
import time
import tracemalloc
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

sys.path.insert(0, str(REPO / "bench"))

from summary import record  # noqa: E402

SERVER_URL = os.environ.get("BENCH_SERVER_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
USERS = int(os.environ.get("BENCH_USERS", "100000"))
ITEMS = 500
PURCHASES_PER_USER = 5

GENERATE = [
    """
INSERT INTO users (email) SELECT 'bench-' || n || '@example.com' FROM generate_series(1, %(users)s) n
""",
    """
INSERT INTO user_wallet (user_id, coins, total_earned) SELECT id, (random() * 500)::int, 500 FROM users
""",
    """
INSERT INTO user_interests (user_id, interest_key, interest_label)
SELECT id, k, initcap(k) FROM users, LATERAL (SELECT (ARRAY['lofi', 'techno', 'glitch', 'ambient', 'trap'])
                                                     [1 + (random() * 4)::int] AS k) pick
""",
    """
INSERT INTO market_items (key, name, category, cost_coins, description, is_consumable, total_stock, remaining_stock)
SELECT 'bench-item-' || n, 'Item ' || n, 'cat-' || n %% 12, 10 + n %% 400,
       (ARRAY['lofi', 'techno', 'glitch', 'ambient', 'trap'])[1 + n %% 5] || ' pack', n %% 7 = 0,
       CASE WHEN n %% 50 = 0 THEN 1000000 END, CASE WHEN n %% 50 = 0 THEN 1000000 END
FROM generate_series(1, %(items)s) n
""",
    """
INSERT INTO user_purchases (user_id, item_id, cost_coins, quantity)
SELECT u.id, items.ids[1 + floor(cardinality(items.ids) * power(random(), 3))::int], 10, 1
FROM (SELECT array_agg(id ORDER BY key) AS ids FROM market_items) items, users u, generate_series(1, %(per_user)s) k
""",
]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    from momentum_infra import migrate, pg

    large = "--large" in sys.argv
    if large:  # the kept data set of bench/seed_large.py: seeded on first use, never dropped here
        import seed_large

        name, url = "", seed_large.ensure(1.0)
    else:
        name = f"bench_recommend_{uuid.uuid4().hex[:8]}"
        url = pg.ensure_database(SERVER_URL, name)
    try:
        os.environ["DATABASE_URL"] = url
        from momentum import db
        from momentum.config import get_settings
        from momentum.market import recommendations

        from functions.recommend_batch.app import handler

        get_settings.cache_clear()
        migrate.upgrade(url)
        with db.connect(url) as conn:
            conn.execute("SET statement_timeout = 0")
            started = time.perf_counter()
            if not large:
                for statement in GENERATE:
                    conn.execute(statement, {"users": USERS, "items": ITEMS, "per_user": PURCHASES_PER_USER})
                conn.execute("VACUUM ANALYZE")
            generated = time.perf_counter() - started
            (users,) = conn.execute("SELECT count(*) FROM users").fetchone()
            (items,) = conn.execute("SELECT count(*) FROM market_items").fetchone()
            (purchases,) = conn.execute("SELECT count(*) FROM user_purchases").fetchone()

        conn = db.get_conn()
        started = time.perf_counter()
        recommendations.refresh_statistics(conn)  # the producer's shared step, once per night
        statistics = time.perf_counter() - started
        started = time.perf_counter()
        ranges = list(recommendations.user_batches(conn, recommendations.BATCH_USERS))
        producer = time.perf_counter() - started

        rss_before = peak_rss_mb()
        message = {"messageId": "bench", "body": json.dumps(ranges[0].message())}
        tracemalloc.start()
        cpu, wall = time.process_time(), time.perf_counter()
        answer = handler({"Records": [message]}, None)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        _, python_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert answer == {"batchItemFailures": []}, answer
        first = ranges[0].message()
        (written,) = conn.execute(
            "SELECT count(*) FROM market_recommendations WHERE user_id > coalesce(%s::uuid, '00000000-0000-0000-0000-"
            "000000000000') AND user_id <= %s::uuid",
            (first["after"], first["through"]),
        ).fetchone()
    finally:
        db.close_conn()
        if not large:
            pg.drop_database(SERVER_URL, name)

    print(
        f"Recommendations on {re.sub(r'//[^@]*@', '//', SERVER_URL)} ({os.cpu_count()} CPUs): {users:,} users, "
        f"{items} items, {purchases:,} purchases ("
        + ("the large data set of bench/seed_large.py)" if large else f"generated in {generated:.1f} s)")
    )
    print(f"  schedule: shop-wide statistics (holders per item and per pair) refreshed in {statistics:.1f} s")
    record("recommendations", "producer: shop statistics refresh", round(statistics, 1), "s")
    print(
        f"  schedule: {len(ranges)} messages of {recommendations.BATCH_USERS:,} users cut in {producer * 1000:.0f} ms"
    )
    print(
        f"  one batch of {recommendations.BATCH_USERS:,} users (the queue function's handler): {wall:.2f} s wall, "
        f"{cpu:.2f} s process CPU, {written:,} recommendations written"
    )
    print(
        f"  memory: peak RSS {rss_before:.0f} MB before, {peak_rss_mb():.0f} MB after; "
        f"Python allocations during the batch peak at {python_peak / 1e6:.1f} MB"
    )
    record("recommendations", f"one batch of {recommendations.BATCH_USERS:,} users, wall", round(wall, 2), "s")
    record("recommendations", "one batch, peak RSS", round(peak_rss_mb()), "MB")
    print(
        f"  at this rate, with the queue function's MaximumConcurrency of 5: about "
        f"{len(ranges) * wall / 5:.0f} s for these {users:,} users ({len(ranges) * wall:.0f} s one batch at a time)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
