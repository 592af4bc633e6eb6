"""Log-set benchmark: round trips per logged set, and the median latency of the log_set handler with 10,000 prior
sets of the exercise beside the same median with 10 prior sets, measured in one run, the users taking turns.

The handler is invoked as API Gateway would (chalice.test.Client builds the proxy events) against the local
PostgreSQL; a scratch database is created, migrated and dropped. Round trips are counted from libpq's protocol
trace (one ReadyForQuery per round trip), statements from the Query and Bind messages sent (authentication
included). A last phase drops our personal_records_best_idx and measures again, to show what keeps the cost flat.

    python bench/bench_fitness.py            # BENCH_DATABASE_URL to use another server
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta

os.environ.setdefault("LOG_LEVEL", "WARNING")  # one JSON line per request would drown the figures

from momentum_infra import migrate, pg  # noqa: E402

SERVER_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SETS_PER_SESSION = 20
MEASURED = 300  # logged sets per user and phase, the users interleaved
WARMUP = 30
EXERCISE = "Barbell Bench Press"

# label -> (prior sets, realistic?). Realistic: weights creep up with day-to-day noise, reps vary, a warm-up opens
# each session, so a record falls every few sessions. The worst case makes every set a record (weights strictly
# rising), so the record history is as long as the set history: 10,000 rows per record type.
USERS = {"shallow": (10, True), "deep": (10_000, True), "deep, all records": (10_000, False)}

HISTORY = """
WITH sessions AS (
    INSERT INTO workout_sessions (user_id, started_at, completed_at, duration_seconds)
    SELECT %(user_id)s, %(start)s + make_interval(days => 2 * n), %(start)s + make_interval(days => 2 * n, hours => 1),
           3600
    FROM generate_series(0, %(sessions)s - 1) AS n
    RETURNING id, started_at
)
INSERT INTO exercise_sets (session_id, exercise_id, set_number, reps, weight, is_warmup, completed_at)
SELECT s.id, %(exercise_id)s, k,
       CASE WHEN %(noisy)s THEN 3 + k %% 8 ELSE 5 END,
       round((40 + row_number() OVER (ORDER BY s.started_at, k) * 0.012
              + CASE WHEN %(noisy)s THEN random() * 10 - (k %% 8) * 2 ELSE 0 END)::numeric, 2),
       %(noisy)s AND k = 1,
       s.started_at + make_interval(mins => 3 * k)
FROM sessions s CROSS JOIN generate_series(1, %(per_session)s) AS k
"""


def log_body(rng: random.Random, top: float) -> bytes:
    # Mostly ordinary working sets, now and then a new best: the mix a real user produces.
    weight = round(top * rng.uniform(0.6, 1.04), 1)
    return json.dumps(
        {"exercise_id": "EXERCISE", "reps": rng.randint(3, 10), "weight": weight, "rpe": rng.randint(6, 10)}
    ).encode()


class ProtocolTrace:
    """Count round trips and statements on a psycopg connection, from libpq's protocol trace.

    A round trip ends with the server's ReadyForQuery. A statement is a Query (simple protocol) or a Bind (extended
    protocol); psycopg prepares a statement after a few uses, so a Bind may name a prepared statement, whose text
    is looked up in pg_prepared_statements.
    """

    def __init__(self, conn):
        self.conn = conn

    def __enter__(self):
        from psycopg import pq

        self.file = tempfile.TemporaryFile("w+")
        self.conn.pgconn.trace(self.file.fileno())
        self.conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        return self

    def __exit__(self, *exc):
        self.conn.pgconn.untrace()
        self.file.seek(0)
        messages = [line.split("\t") for line in self.file.read().splitlines()]
        self.file.close()
        prepared = dict(self.conn.execute("SELECT name, statement FROM pg_prepared_statements").fetchall())
        self.round_trips = sum(1 for m in messages if m[0] == "B" and m[2] == "ReadyForQuery")
        self.statements, unnamed = [], ""
        for m in messages:
            if m[0] != "F":
                continue
            quoted = re.findall(r'"((?:[^"]|"")*)"', m[3]) if len(m) > 3 else []
            if m[2] == "Query":
                self.statements.append(quoted[0])
            elif m[2] == "Parse" and quoted and not quoted[0]:
                unnamed = quoted[1]
            elif m[2] == "Bind":
                self.statements.append(prepared.get(quoted[1], quoted[1]) if quoted[1] else unnamed)


def main() -> int:
    started = time.perf_counter()
    name = f"momentum_bench_fitness_{uuid.uuid4().hex[:8]}"
    url = pg.ensure_database(SERVER_URL, name)
    try:
        migrate.upgrade(url)
        return run(url, started)
    finally:
        from momentum import db

        db.close_conn()
        pg.drop_database(SERVER_URL, name)


def run(url: str, started: float) -> int:
    os.environ["DATABASE_URL"] = url
    from momentum.config import get_settings

    get_settings.cache_clear()
    from chalice.test import Client
    from momentum import auth, db
    from momentum.fitness import records, sessions
    from momentum.fitness.models import SessionIn
    from momentum_infra.seed import fitness as fitness_seed

    import functions.log_set.app as log_set_app

    users = {}
    with db.connect(url) as conn:
        with conn.transaction():
            fitness_seed.seed(conn)
        (exercise_id,) = conn.execute("SELECT id FROM exercises WHERE is_builtin AND name = %s", (EXERCISE,)).fetchone()
        for label, (prior, noisy) in USERS.items():
            user = auth.ensure_user(conn, f"bench-{uuid.uuid4().hex[:8]}@example.com")
            token, _, _ = auth.create_session(conn, user.id)
            per_session = min(prior, SETS_PER_SESSION)
            conn.execute(
                HISTORY,
                {
                    "user_id": user.id,
                    "exercise_id": exercise_id,
                    "sessions": prior // per_session,
                    "per_session": per_session,
                    "noisy": noisy,
                    "start": datetime.now(UTC) - timedelta(days=2 * prior // per_session + 1),
                },
            )
            with conn.transaction():  # the record history of those sets, as logging them one by one would have made
                records.replay_from(conn, user.id, exercise_id, (datetime(1970, 1, 1, tzinfo=UTC), uuid.UUID(int=0)))
            sets, kept, top = conn.execute(
                "SELECT (SELECT count(*) FROM exercise_sets s JOIN workout_sessions w ON w.id = s.session_id "
                "        WHERE w.user_id = %(u)s), "
                "(SELECT count(*) FROM personal_records WHERE user_id = %(u)s), "
                "(SELECT max(value) FROM personal_records WHERE user_id = %(u)s AND record_type = 'weight')",
                {"u": user.id},
            ).fetchone()
            users[label] = {
                "id": user.id,
                "token": token,
                "prior_sets": sets,
                "records": kept,
                "top": top,
                "latencies": [],
                "session": None,
                "logged": 0,
            }
        conn.execute("VACUUM ANALYZE")

    client = Client(log_set_app.app)
    rng = random.Random(7)
    labels = list(USERS)

    def log_one(label: str) -> float:
        u = users[label]
        if u["logged"] % SETS_PER_SESSION == 0:  # a new session every 20 sets, outside the timing
            with db.connect(url) as c:
                u["session"] = sessions.start_session(c, u["id"], SessionIn()).id
        body = log_body(rng, u["top"]).replace(b"EXERCISE", str(exercise_id).encode())
        headers = {"Authorization": f"Bearer {u['token']}", "Content-Type": "application/json"}
        t0 = time.perf_counter()
        response = client.http.post(f"/fitness/sessions/{u['session']}/sets", headers=headers, body=body)
        elapsed = time.perf_counter() - t0
        assert response.status_code == 201, response.body
        u["logged"] += 1
        return elapsed

    def measure() -> dict[str, float]:
        """Median handler latency (ms) per user, the users taking turns so that drift hits them alike."""
        for u in users.values():
            u["latencies"] = []
        for i in range(MEASURED * len(labels)):
            label = labels[i % len(labels)]
            users[label]["latencies"].append(log_one(label))
        return {label: statistics.median(users[label]["latencies"]) * 1000 for label in labels}

    for i in range(WARMUP * len(labels)):
        log_one(labels[i % len(labels)])
    traces = {}
    for label in labels:
        with ProtocolTrace(db.get_conn()) as trace:
            log_one(label)
        traces[label] = trace

    with_index = measure()
    print(
        f"log_set handler (POST /fitness/sessions/{{id}}/sets through chalice.test.Client), {EXERCISE}, "
        f"local PostgreSQL, {MEASURED} logged sets per user, interleaved"
    )
    for label in labels:
        u, t = users[label], traces[label]
        p95 = statistics.quantiles(u["latencies"], n=20)[-1] * 1000
        print(
            f"  {label:18} prior sets {u['prior_sets']:>6}  record rows {u['records']:>6}  "
            f"round trips/set {t.round_trips}  statements/set {len(t.statements)}  "
            f"median {with_index[label]:5.2f} ms  p95 {p95:5.2f} ms"
        )
    print("  statements of one logged set:")
    for statement in traces["deep"].statements:
        print(f"    {' '.join(statement.split())[:150]}")
    for label in labels[1:]:
        print(f"  median ratio {label} / shallow: {with_index[label] / with_index['shallow']:.2f}")

    with db.connect(url) as conn:
        plan = conn.execute(
            "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT pr.value FROM personal_records pr "
            "WHERE pr.user_id = %s AND pr.exercise_id = %s AND pr.record_type = 'weight' "
            "ORDER BY pr.value DESC LIMIT 1",
            (users["deep, all records"]["id"], exercise_id),
        ).fetchall()
        print("  the best-so-far lookup in fitness_log_set (deep, all records):")
        for (line,) in plan:
            print(f"    {' '.join(line.split())[:150]}")
        # The same run without our index: what keeps the cost flat when the record history is long.
        conn.execute("DROP INDEX personal_records_best_idx")
        conn.execute("ANALYZE personal_records")
    without_index = measure()
    print("  without personal_records_best_idx (the spec's (user_id, exercise_id, record_type) index only):")
    for label in labels:
        print(
            f"    {label:18} median {without_index[label]:5.2f} ms  "
            f"ratio to shallow {without_index[label] / without_index['shallow']:.2f}"
        )
    print(f"total run time {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # for functions.log_set.app
    sys.exit(main())
