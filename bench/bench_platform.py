"""Platform benchmark: full-text search, tag filters and pages over a large capture history, through the platform
handler, with the GIN indexes of revision 0017 (search expression, tags) and without them; and the feature-flag
read, cached and not.

One user holds 20,000 ideas among 200,000 of other users; the handler is invoked as API Gateway would
(chalice.test.Client) against the local PostgreSQL, in a scratch database that is created, migrated and dropped.

    python bench/bench_platform.py            # BENCH_DATABASE_URL to use another server
"""

from __future__ import annotations

import os
import statistics
import time
import uuid

os.environ.setdefault("LOG_LEVEL", "WARNING")  # one JSON line per request would drown the figures

from momentum_infra import migrate, pg  # noqa: E402

SERVER_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
MINE, OTHERS, OTHER_USERS, REPEAT = 20_000, 200_000, 100, 50
WORDS = [
    "kick",
    "snare",
    "bass",
    "pad",
    "lead",
    "vocal",
    "chord",
    "groove",
    "reverb",
    "delay",
    "sidechain",
    "compression",
    "saturation",
    "arrangement",
]

IDEAS = """
INSERT INTO ideas (user_id, title, content, tags, created_at)
SELECT %(user_id)s,
       'Idea ' || n || ': ' || (%(words)s::text[])[1 + n %% 14] || ' ' || (%(words)s::text[])[1 + (n / 14) %% 14],
       'Try ' || (%(words)s::text[])[1 + (n / 7) %% 14] || ' with ' || (%(words)s::text[])[1 + (n / 3) %% 14]
           || CASE WHEN n %% 997 = 0 THEN ' and a granular shimmer' ELSE '' END,
       ARRAY[(%(words)s::text[])[1 + n %% 14]],
       now() - make_interval(mins => n)
FROM generate_series(1, %(count)s) AS n
"""


def timed(http, path: str, headers: dict) -> float:
    """Median milliseconds of ``REPEAT`` calls (after a warm-up)."""
    http.get(path, headers=headers)
    runs = []
    for _ in range(REPEAT):
        t = time.perf_counter()
        response = http.get(path, headers=headers)
        runs.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, response.body
    return statistics.median(runs)


def main() -> int:
    name = f"momentum_bench_platform_{uuid.uuid4().hex[:8]}"
    url = pg.ensure_database(SERVER_URL, name)
    try:
        migrate.upgrade(url)
        return run(url)
    finally:
        from momentum import db

        db.close_conn()
        pg.drop_database(SERVER_URL, name)


def run(url: str) -> int:
    os.environ["DATABASE_URL"] = url
    from momentum.config import get_settings

    get_settings.cache_clear()
    from chalice.test import Client
    from momentum import auth, db
    from momentum.platform import flags

    import functions.platform.app as platform_app

    with db.connect(url) as conn:
        me = auth.ensure_user(conn, "bench@example.com")
        token, _, _ = auth.create_session(conn, me.id)
        others = [auth.ensure_user(conn, f"other-{i}@example.com").id for i in range(OTHER_USERS)]
        conn.execute(IDEAS, {"user_id": me.id, "words": WORDS, "count": MINE})
        for other in others:
            conn.execute(IDEAS, {"user_id": other, "words": WORDS, "count": OTHERS // OTHER_USERS})
        for i in range(50):
            conn.execute(
                "INSERT INTO feature_flags (flag_name, enabled, metadata) VALUES (%s, true, %s)",
                (f"flag_{i}", '{"rollout_percent": 50}'),
            )
        conn.execute("ANALYZE")
    headers = {"Authorization": f"Bearer {token}"}
    queries = {
        "search, rare word (20 hits)": "/capture/ideas?q=shimmer",
        "search, common words": "/capture/ideas?q=sidechain%20compression",
        "tag filter": "/capture/ideas?tag=reverb",
        "first page": "/capture/ideas",
    }
    print(f"{MINE:,} ideas of one user among {MINE + OTHERS:,}; median of {REPEAT} calls through the handler\n")
    with Client(platform_app.app) as client:
        with_index = {label: timed(client.http, path, headers) for label, path in queries.items()}
        with db.connect(url) as conn:
            conn.execute("DROP INDEX ideas_search_idx; DROP INDEX ideas_tags_idx")
        without = {label: timed(client.http, path, headers) for label, path in queries.items()}
        print(f"{'':32}{'GIN indexes':>12}{'without':>14}")
        for label in queries:
            print(f"{label:32}{with_index[label]:>10.1f}ms{without[label]:>12.1f}ms")

        cached = timed(client.http, "/me/flags", headers)
        flags.CACHE.ttl = 0  # every read goes to the database
        uncached = timed(client.http, "/me/flags", headers)
        print(f"\nGET /me/flags, 50 flags: {cached:.1f} ms cached ({flags.CACHE_SECONDS:.0f} s), {uncached:.1f} ms not")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
