"""Warm handler CPU per request: the Python a warm Lambda spends around its statements, route by route.

    python bench/bench_cpu.py               (make bench-cpu)
    python bench/bench_cpu.py --profile     also prints cProfile's top functions for the purchase handler

Against the PostgreSQL at BENCH_SERVER_URL (default postgresql://postgres@127.0.0.1:5432/postgres, trust auth):
creates a scratch database, migrates and seeds it, and drops it at the end.

One thread calls each function's real handler with API Gateway events (as bench_market does), warms it past
psycopg's prepare threshold, then times REQUESTS calls. Process CPU (``time.process_time``) counts this process
only, so the server's work on the statements is already outside it; what remains inside a statement call is libpq
and psycopg (sending, waiting, parsing the rows). Every ``psycopg.Cursor.execute`` is wrapped to measure that part
apart: "handler CPU" is process CPU outside the database calls, the figure a warm Lambda's own code costs.
Round trips are counted on one more request from libpq's protocol trace (bench_market.count_round_trips).
"""

from __future__ import annotations

import contextlib
import cProfile
import os
import pstats
import re
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_market import Handler, count_round_trips, prepare, quiet_request_logs  # noqa: E402
from summary import record  # noqa: E402

SERVER_URL = os.environ.get("BENCH_SERVER_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "500"))
WARMUP = 30
TARGET_PURCHASE_MS = 1.0


class StatementClock:
    """Process CPU and wall time spent inside psycopg's Cursor.execute (the database calls), summed."""

    def __init__(self) -> None:
        self.cpu = 0.0
        self.wall = 0.0

    def install(self) -> None:
        import psycopg

        original = psycopg.Cursor.execute
        clock = self

        def execute(cur: Any, *args: Any, **kwargs: Any) -> Any:
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                return original(cur, *args, **kwargs)
            finally:
                clock.cpu += time.process_time() - cpu
                clock.wall += time.perf_counter() - wall

        psycopg.Cursor.execute = execute  # type: ignore[method-assign]


Events = Callable[[int], list[dict[str, Any]]]


def routes(url: str) -> list[tuple[str, Handler, Events, int]]:
    """(label, handler, n -> n request events, expected status) for each hot route, data created up front."""
    from momentum import db
    from momentum.fitness import sessions
    from momentum.fitness.models import SessionIn

    item_id, people = prepare(url, 2)
    user_id, token = people[0]
    quester_id, quester_token = people[1]  # has accepted a quest that counts working sets
    purchase_fn = Handler("functions.purchase.app", "PurchaseFunction")
    claim_fn = Handler("functions.claim_reward.app", "ClaimRewardFunction")
    log_set_fn = Handler("functions.log_set.app", "LogSetFunction")
    market_fn = Handler("functions.market.app", "MarketFunction")

    with db.connect(url) as conn:
        # Rewards to claim, one per request; they pay a little XP, so the user's level climbs as a real one's does.
        rewards = [
            r
            for (r,) in conn.execute(
                "INSERT INTO user_rewards (user_id, reward_type, coins_earned, xp_earned) "
                "SELECT %s, 'quest', 10, 1 FROM generate_series(1, %s) RETURNING id",
                (user_id, WARMUP + 1 + 2 * REQUESTS),
            ).fetchall()
        ]
        (exercise_id,) = conn.execute("SELECT id FROM exercises WHERE is_builtin ORDER BY name LIMIT 1").fetchone()
        session_id = sessions.start_session(conn, user_id, SessionIn()).id
        quest_session_id = sessions.start_session(conn, quester_id, SessionIn()).id
        conn.execute(
            "WITH q AS (INSERT INTO universal_quests (title, type, target_type, target) "
            "VALUES ('Bench sets', 'daily', 'sets_logged', 1000000000) RETURNING id) "
            "INSERT INTO user_quest_progress (user_id, quest_id) SELECT %s, id FROM q",
            (quester_id,),
        )
    pending = iter(rewards)
    weights = iter(range(10**6))

    def purchases(n: int) -> list[dict[str, Any]]:
        event = purchase_fn.event(
            "POST", "/market/items/{item_id}/purchase", {"item_id": item_id}, token, {"quantity": 1}
        )
        return [event] * n

    def claims(n: int) -> list[dict[str, Any]]:
        return [
            claim_fn.event("POST", "/market/rewards/{reward_id}/claim", {"reward_id": next(pending)}, token)
            for _ in range(n)
        ]

    def sets(n: int, session: Any = session_id, bearer: str = token) -> list[dict[str, Any]]:
        return [
            log_set_fn.event(
                "POST",
                "/fitness/sessions/{session_id}/sets",
                {"session_id": session},
                bearer,
                {"exercise_id": str(exercise_id), "reps": 5, "weight": 40 + next(weights) % 40, "rpe": 8},
            )
            for _ in range(n)
        ]

    def counted_sets(n: int) -> list[dict[str, Any]]:
        return sets(n, quest_session_id, quester_token)

    def lists(n: int) -> list[dict[str, Any]]:
        return [market_fn.event("GET", "/market/purchases", {}, token)] * n

    return [
        ("purchase", purchase_fn, purchases, 201),
        ("claim", claim_fn, claims, 200),
        ("log set", log_set_fn, sets, 201),
        ("log set, a quest counts it", log_set_fn, counted_sets, 201),
        ("list purchases (page of 20)", market_fn, lists, 200),
    ]


def measure(label: str, handler: Handler, events: Events, status: int, clock: StatementClock) -> dict[str, Any]:
    from momentum import db

    for event in events(WARMUP):
        response = handler.invoke(event)
        assert response["statusCode"] == status, (label, response)
    (one,) = events(1)
    trips, statements = count_round_trips(db.get_conn(), lambda: handler.invoke(one))
    timed = events(REQUESTS)  # built before the clock starts: API Gateway builds them, not the function
    clock.cpu = clock.wall = 0.0
    cpu, wall = time.process_time(), time.perf_counter()
    for event in timed:
        handler.invoke(event)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    per = 1000 / REQUESTS
    return {
        "label": label,
        "write": one["httpMethod"] != "GET",
        "trips": trips,
        "statements": statements,
        "wall": wall * per,
        "cpu": cpu * per,
        "db_wall": clock.wall * per,
        "db_cpu": clock.cpu * per,
        "handler_cpu": (cpu - clock.cpu) * per,
    }


def profile(label: str, handler: Handler, events: Events) -> None:
    """cProfile over process CPU time (not wall time, which the waits on the server would fill)."""
    timed = events(REQUESTS)
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for event in timed:
        handler.invoke(event)
    profiler.disable()
    print(f"\ncProfile (process CPU) of {REQUESTS} warm '{label}' requests, top 30 by own time:", file=sys.stderr)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(30)


def main() -> int:
    from momentum_infra import migrate, pg

    profiling = "--profile" in sys.argv
    name = f"bench_cpu_{uuid.uuid4().hex[:8]}"
    url = pg.ensure_database(SERVER_URL, name)
    try:
        os.environ["DATABASE_URL"] = url
        from momentum import db
        from momentum.config import get_settings

        get_settings.cache_clear()
        migrate.upgrade(url)
        quiet_request_logs()
        clock = StatementClock()
        clock.install()
        # The metric line each request prints (EMF on stdout) is built and written, to nowhere.
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
            hot = routes(url)
            rows = [measure(label, handler, events, status, clock) for label, handler, events, status in hot]
            if profiling:
                profile(*hot[0][:3])
    finally:
        db.close_conn()
        pg.drop_database(SERVER_URL, name)
    print(
        f"\nWarm handler cost per request, one thread, {REQUESTS} requests each, on "
        f"{re.sub(r'//[^@]*@', '//', SERVER_URL)} ({os.cpu_count()} CPUs); ms per request"
    )
    print(
        f"  {'route':30} {'round trips':>11} {'statements':>10} {'wall':>7} {'in db calls':>11} "
        f"{'process CPU':>11} {'CPU in db calls':>15} {'handler CPU':>11}"
    )
    for r in rows:
        print(
            f"  {r['label']:30} {r['trips']:>11} {r['statements']:>10} {r['wall']:7.3f} {r['db_wall']:11.3f} "
            f"{r['cpu']:11.3f} {r['db_cpu']:15.3f} {r['handler_cpu']:11.3f}"
        )
    for r in rows:
        write = r["write"]  # every write is held to 2 round trips, authentication included
        record("round trips", r["label"], r["trips"], "", "<= 2" if write else "", r["trips"] <= 2 if write else None)
    for r in rows:
        target = r["label"] == "purchase"
        record(
            "handler CPU / request",
            r["label"],
            round(r["handler_cpu"], 3),
            "ms",
            f"<= {TARGET_PURCHASE_MS}" if target else "",
            r["handler_cpu"] <= TARGET_PURCHASE_MS if target else None,
        )
    purchase = next(r for r in rows if r["label"] == "purchase")
    verdict = "met" if purchase["handler_cpu"] <= TARGET_PURCHASE_MS else "NOT met"
    print(f"  target: purchase handler CPU <= {TARGET_PURCHASE_MS} ms: {verdict}")
    print("  'in db calls': inside psycopg Cursor.execute (send, server time, receive); handler CPU excludes it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
