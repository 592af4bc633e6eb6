"""Market benchmark: database round trips per purchase and per claim, and purchase throughput beside pgbench.

    python bench/bench_market.py            (make bench-market)

Against the PostgreSQL at BENCH_SERVER_URL (default postgresql://postgres@127.0.0.1:5432/postgres, trust auth):
creates a scratch database, migrates and seeds it, and drops it at the end.

1. Round trips: the libpq protocol trace of one request counts what crosses the wire — a round trip is a Sync
   (extended protocol) or a simple Query; a statement is an Execute or a simple Query. Counted for the whole
   handler (which also authenticates the bearer token) and for the domain call alone.
2. Throughput: CLIENTS threads, each with its own user, token and connection (as the local stack serves
   requests), call the purchase function's real handler with API Gateway events for SECONDS, all buying the
   same item — without an Idempotency-Key, then again with a fresh one per request; then CLIENTS processes
   (forked, one client each, as Lambda instances are) do the same without a key, so the figure is not bounded by
   one interpreter's lock. pgbench (tpcb-like, CLIENTS
   clients, -j 2) runs on the same server for as long just before and just after, in a scratch database of its
   own, and the ratios are taken against the mean of the two. pgbench also drives the purchase statement alone
   (a custom script), which shows the database's share of a purchase next to tpcb's.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the functions/ folders are imported as functions.<name>.app, as in the tests

sys.path.insert(0, str(REPO / "bench"))

from summary import record  # noqa: E402

SERVER_URL = os.environ.get("BENCH_SERVER_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PGBENCH = os.environ.get("PGBENCH", "/usr/bin/pgbench")
CLIENTS = 16
SECONDS = 10
PGBENCH_SCALE = 16


def count_round_trips(conn, action) -> tuple[int, int]:
    """(round trips, statements) that ``action()`` sends on ``conn``, read from the libpq protocol trace."""
    from psycopg import pq

    with tempfile.TemporaryFile("w+") as trace:
        conn.pgconn.trace(trace.fileno())
        conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
        try:
            action()
        finally:
            conn.pgconn.untrace()
        trace.seek(0)
        sent = [line.split("\t")[2] for line in trace.read().splitlines() if line.startswith("F\t")]
    return sent.count("Sync") + sent.count("Query"), sent.count("Execute") + sent.count("Query")


class Handler:
    """A function's real handler, called with API Gateway (REST, payload 1.0) events."""

    def __init__(self, module: str, function: str):
        import importlib

        from momentum_infra import template as tpl

        self.app = importlib.import_module(module).app
        self.function = function
        self.routes = {(r.method, r.path): r for r in tpl.api_routes() if r.module == module}

    def call(
        self,
        method: str,
        template_path: str,
        params: dict,
        token: str,
        body: dict | None = None,
        headers: dict | None = None,
    ) -> dict:
        return self.invoke(self.event(method, template_path, params, token, body, headers))

    def invoke(self, event: dict) -> dict:
        from momentum_infra.localstack import lambda_context

        return self.app(event, lambda_context(self.function))

    def event(
        self,
        method: str,
        template_path: str,
        params: dict,
        token: str,
        body: dict | None = None,
        headers: dict | None = None,
    ) -> dict:
        """The API Gateway event of one request (built apart, so a benchmark can leave its cost out)."""
        from momentum_infra.localstack import api_gateway_event

        route = self.routes[(method, template_path)]
        path = re.sub(r"{(\w+)}", lambda m: str(params[m.group(1)]), template_path)
        all_headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"} | (headers or {})
        return api_gateway_event(
            route,
            method,
            path,
            "",
            all_headers,
            json.dumps(body or {}).encode(),
            {k: str(v) for k, v in params.items()},
            "127.0.0.1",
        )


def quiet_request_logs() -> None:
    """Keep the per-request JSON log lines (their cost is part of a request) but send them nowhere."""
    from momentum.log import _logger

    for handler in _logger().handlers:
        handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - lives as long as the process


def prepare(url: str, users: int) -> tuple[uuid.UUID, list[tuple[uuid.UUID, str]]]:
    """Seed the catalog and achievements; a cheap unlimited consumable; users with a bearer token and coins."""
    from momentum import auth, db, gamification
    from momentum_infra import seed

    with db.connect(url) as conn:
        seed.run_all(conn)
        (item_id,) = conn.execute(
            "INSERT INTO market_items (key, name, category, cost_coins, is_consumable) "
            "VALUES ('bench-potion', 'Bench potion', 'consumable', 1, true) RETURNING id"
        ).fetchone()
        people = []
        for i in range(users):
            with conn.transaction():
                user = auth.ensure_user(conn, f"bench-{i}@example.com")
                token, _, _ = auth.create_session(conn, user.id)
                gamification.award(
                    conn, user.id, event_type="bench", idempotency_key="bench-coins", coins=1_000_000_000
                )
            people.append((user.id, token))
    return item_id, people


def measure_round_trips(url: str, item_id: uuid.UUID, user_id: uuid.UUID, token: str) -> list[str]:
    from momentum import db
    from momentum.market import models, purchases, rewards

    purchase_fn = Handler("functions.purchase.app", "PurchaseFunction")
    claim_fn = Handler("functions.claim_reward.app", "ClaimRewardFunction")
    conn = db.get_conn()  # this thread's connection: the one the handlers use here

    def buy(key=None):
        headers = {"Idempotency-Key": key} if key else {}
        response = purchase_fn.call(
            "POST", "/market/items/{item_id}/purchase", {"item_id": item_id}, token, {"quantity": 1}, headers
        )
        assert response["statusCode"] == 201, response

    def new_reward():
        return conn.execute(
            "INSERT INTO user_rewards (user_id, reward_type, coins_earned, xp_earned) "
            "VALUES (%s, 'quest', 10, 10) RETURNING id",
            (user_id,),
        ).fetchone()[0]

    def claim(reward_id):
        response = claim_fn.call("POST", "/market/rewards/{reward_id}/claim", {"reward_id": reward_id}, token)
        assert response["statusCode"] == 200, response

    first_trips, _ = count_round_trips(conn, buy)  # the first purchase may earn "first purchase"
    for _ in range(10):  # past psycopg's prepare threshold, as a warm function is
        buy()
    handler_trips, handler_statements = count_round_trips(conn, buy)
    replay_trips, _ = count_round_trips(conn, lambda: buy("bench-key") or buy("bench-key"))
    domain_trips, domain_statements = count_round_trips(
        conn, lambda: purchases.purchase(conn, user_id, item_id, models.PurchaseIn(quantity=1), None)
    )

    for _ in range(10):
        claim(new_reward())
    reward_id = new_reward()
    claim_trips, claim_statements = count_round_trips(conn, lambda: claim(reward_id))
    reward_id = new_reward()
    statement = rewards.CLAIM_REWARD
    claim_sql_trips, claim_sql_statements = count_round_trips(
        conn, lambda: conn.execute(statement, {"user_id": user_id, "reward_id": reward_id}).fetchone()
    )

    return [
        f"purchase, domain call (the purchase transaction):   {domain_trips} round trip(s), "
        f"{domain_statements} statement(s)",
        f"purchase, whole handler incl. token check:          {handler_trips} round trip(s), "
        f"{handler_statements} statement(s)",
        f"purchase, a user's first (achievement check):       {first_trips} round trip(s) through the handler",
        f"purchase, first + replay of one Idempotency-Key:    {replay_trips} round trip(s) through the handler",
        f"claim, the claim transaction (one SQL statement):   {claim_sql_trips} round trip(s), "
        f"{claim_sql_statements} statement(s)",
        f"claim, whole handler incl. token check:             {claim_trips} round trip(s), "
        f"{claim_statements} statement(s) (token, claim; the achievement check only when the claim says one "
        "could be due)",
        f"contract, at most 2 round trips with the token check: purchase {handler_trips}, claim {claim_trips}: "
        + ("met" if max(handler_trips, claim_trips) <= 2 else "NOT met"),
    ]


def measure_throughput(item_id: uuid.UUID, people: list[tuple[uuid.UUID, str]], with_keys: bool) -> dict:
    from momentum import db

    purchase_fn = Handler("functions.purchase.app", "PurchaseFunction")
    ready = threading.Barrier(len(people) + 1)
    stop = threading.Event()
    results: list[tuple[int, int, list[float]]] = []
    lock = threading.Lock()

    def client(token: str) -> None:
        def buy() -> int:
            headers = {"Idempotency-Key": str(uuid.uuid4())} if with_keys else {}
            return purchase_fn.call(
                "POST", "/market/items/{item_id}/purchase", {"item_id": item_id}, token, {"quantity": 1}, headers
            )["statusCode"]

        for _ in range(10):  # warm: connection opened, statements prepared
            buy()
        ready.wait()
        ok = failed = 0
        latencies = []
        while not stop.is_set():
            started = time.perf_counter()
            status = buy()
            latencies.append(time.perf_counter() - started)
            ok, failed = (ok + 1, failed) if status == 201 else (ok, failed + 1)
        db.close_conn()
        with lock:
            results.append((ok, failed, latencies))

    threads = [threading.Thread(target=client, args=(token,)) for _, token in people]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    time.sleep(SECONDS)
    stop.set()
    for thread in threads:
        thread.join()
    return summary(results, time.perf_counter() - started)


def _process_client(token: str, item_id: uuid.UUID, with_keys: bool, ready: Any, stop: Any, results: Any) -> None:
    """One forked process, serving one request at a time like a Lambda instance, with its own connection."""
    from momentum import db

    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the metric lines are built and written, to nowhere
    db.close_conn()  # never the parent's connection
    purchase_fn = Handler("functions.purchase.app", "PurchaseFunction")

    def buy() -> int:
        headers = {"Idempotency-Key": str(uuid.uuid4())} if with_keys else {}
        return purchase_fn.call(
            "POST", "/market/items/{item_id}/purchase", {"item_id": item_id}, token, {"quantity": 1}, headers
        )["statusCode"]

    for _ in range(10):
        buy()
    ready.wait()
    ok = failed = 0
    latencies = []
    while not stop.is_set():
        started = time.perf_counter()
        status = buy()
        latencies.append(time.perf_counter() - started)
        ok, failed = (ok + 1, failed) if status == 201 else (ok, failed + 1)
    db.close_conn()
    results.put((ok, failed, latencies))


def measure_throughput_processes(item_id: uuid.UUID, people: list[tuple[uuid.UUID, str]], with_keys: bool) -> dict:
    """As measure_throughput, but each client is a process of its own, so no interpreter lock is shared."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    ready, stop, results = ctx.Barrier(len(people) + 1), ctx.Event(), ctx.Queue()
    processes = [
        ctx.Process(target=_process_client, args=(token, item_id, with_keys, ready, stop, results))
        for _, token in people
    ]
    for process in processes:
        process.start()
    ready.wait()
    started = time.perf_counter()
    time.sleep(SECONDS)
    stop.set()
    collected = [results.get() for _ in processes]  # before join: a child exits once its result is taken
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join()
    return summary(collected, elapsed)


def summary(results: list[tuple[int, int, list[float]]], elapsed: float) -> dict:
    latencies = sorted(x for _, _, lat in results for x in lat)
    return {
        "ok": sum(r[0] for r in results),
        "failed": sum(r[1] for r in results),
        "seconds": elapsed,
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95)] * 1000,
    }


def pgbench(url: str, *args: str) -> float:
    """Transactions per second of a pgbench run with CLIENTS clients for SECONDS."""
    out = subprocess.run(
        [PGBENCH, "-c", str(CLIENTS), "-j", "2", "-T", str(SECONDS), *args, url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(re.search(r"^tps = ([\d.]+)", out, re.MULTILINE).group(1))


# The purchase statement alone, driven by pgbench's C clients: the database's share of a purchase. Client n buys
# as bench user n (an email lookup stands in for the token check).
PURCHASE_SCRIPT = """
SELECT 1 FROM purchase_item((SELECT id FROM users WHERE email = 'bench-' || :client_id || '@example.com'),
                            :item_id, 1, NULL);
"""


def main() -> int:
    from momentum_infra import migrate, pg

    name, tpcb_name = f"bench_market_{uuid.uuid4().hex[:8]}", f"bench_pgbench_{uuid.uuid4().hex[:8]}"
    url = pg.ensure_database(SERVER_URL, name)
    tpcb_url = pg.ensure_database(SERVER_URL, tpcb_name)
    try:
        os.environ["DATABASE_URL"] = url
        from momentum import db
        from momentum.config import get_settings

        get_settings.cache_clear()
        migrate.upgrade(url)
        quiet_request_logs()
        item_id, people = prepare(url, CLIENTS + 1)
        print(
            f"Market benchmark on {re.sub(r'//[^@]*@', '//', SERVER_URL)} ({os.cpu_count()} CPUs), "
            f"scratch database {name}"
        )
        print("\nDatabase round trips (libpq protocol trace):")
        for line in measure_round_trips(url, item_id, *people[-1]):
            print("  " + line)
        db.close_conn()

        subprocess.run([PGBENCH, "-i", "-s", str(PGBENCH_SCALE), "-q", tpcb_url], check=True, capture_output=True)
        with tempfile.NamedTemporaryFile("w", suffix=".sql") as script:
            script.write(PURCHASE_SCRIPT)
            script.flush()
            # tpcb runs first and last, and the ratios use the mean of the two, so that load from elsewhere on the
            # machine weighs on both sides alike.
            before = pgbench(tpcb_url)
            sql_only = pgbench(url, "-n", "-M", "prepared", "-D", f"item_id={item_id}", "-f", script.name)
            plain = measure_throughput(item_id, people[:CLIENTS], with_keys=False)
            keyed = measure_throughput(item_id, people[:CLIENTS], with_keys=True)
            db.close_conn()
            forked = measure_throughput_processes(item_id, people[:CLIENTS], with_keys=False)
            after = pgbench(tpcb_url)
    finally:
        db.close_conn()
        pg.drop_database(SERVER_URL, name)
        pg.drop_database(SERVER_URL, tpcb_name)
    tps = (before + after) / 2
    print(f"\nThroughput, {CLIENTS} concurrent clients, {SECONDS} s each:")
    print(
        f"  {'pgbench tpcb-like:':34} {tps:7.1f} tx/s (mean of {before:.1f} before and {after:.1f} after; "
        f"-j 2, scale {PGBENCH_SCALE})"
    )
    print(f"  {'purchase statement (pgbench -f):':34} {sql_only:7.1f} tx/s   ratio {sql_only / tps:.2f}")
    record("throughput", "pgbench tpcb-like", round(tps, 1), "tx/s")
    record("throughput", "purchase statement / pgbench", round(sql_only / tps, 2), "x")
    for label, market in (
        ("purchase handler, threads:", plain),
        ("purchase handler, Idempotency-Key:", keyed),
        (f"purchase handler, {CLIENTS} processes:", forked),
    ):
        rate = market["ok"] / market["seconds"]
        print(
            f"  {label:34} {rate:7.1f} /s     ratio {rate / tps:.2f}  ({market['ok']} ok, {market['failed']} "
            f"failed; latency median {market['median_ms']:.1f} ms, p95 {market['p95_ms']:.1f} ms)"
        )
        record("throughput", f"{label.rstrip(':')} / pgbench", round(rate / tps, 2), "x")
    print("  target: purchase handler / pgbench tpcb-like >= 0.6")
    return 0


if __name__ == "__main__":
    sys.exit(main())
