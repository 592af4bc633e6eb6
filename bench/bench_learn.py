"""Learn benchmark: round trips and median latency of each learner request, through the learn handler as API
Gateway would call it (chalice.test.Client), against the local PostgreSQL with the seeded curriculum. A scratch
database is created, migrated, seeded and dropped. Round trips include authentication (one per request).

    python bench/bench_learn.py            # BENCH_DATABASE_URL to use another server
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
import uuid

os.environ.setdefault("LOG_LEVEL", "WARNING")  # one JSON line per request would drown the figures

from momentum_infra import migrate, pg  # noqa: E402

SERVER_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
LEARNERS = 60
LESSON = "mx-compression"
DRILL = "intervals-first-steps"


class RoundTrips:
    """Round trips on a psycopg connection, counted from libpq's protocol trace: one per ReadyForQuery."""

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
        self.count = sum(1 for line in self.file if line.startswith("B") and "\tReadyForQuery" in line)
        self.file.close()


def main() -> int:
    name = f"momentum_bench_learn_{uuid.uuid4().hex[:8]}"
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
    from momentum_infra.seed import gamification, learn

    import functions.learn.app as learn_app

    with db.connect(url) as conn:
        with conn.transaction():
            gamification.seed(conn)
            learn.seed(conn)
        lesson_id, quiz = conn.execute("SELECT id, quiz_json FROM learn_lessons WHERE key = %s", (LESSON,)).fetchone()
        (drill_id,) = conn.execute("SELECT id FROM learn_drills WHERE key = %s", (DRILL,)).fetchone()
        tokens = []
        for _ in range(LEARNERS):
            user = auth.ensure_user(conn, f"bench-{uuid.uuid4().hex[:8]}@example.com")
            tokens.append(auth.create_session(conn, user.id)[0])
    answers = {"answers": {q["id"]: q["answer"] for q in quiz["questions"]}}

    timings: dict[str, list[float]] = {}
    trips: dict[str, int] = {}
    with Client(learn_app.app) as client:

        def call(label: str, token: str, method: str, path: str, body=None):
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            conn = db.get_conn()
            started = time.perf_counter()
            with RoundTrips(conn) as trace:
                response = client.http.request(method, path, headers=headers, body=json.dumps(body or {}).encode())
            timings.setdefault(label, []).append((time.perf_counter() - started) * 1000)
            trips[label] = trace.count
            assert response.status_code < 300, (label, response.status_code, response.body[:200])
            return json.loads(response.body) if response.body else None

        for token in tokens:
            call("GET lesson", token, "GET", f"/learn/lessons/{lesson_id}")
            call("POST quiz (first pass, pays)", token, "POST", f"/learn/lessons/{lesson_id}/quiz", answers)
            call("POST quiz (later pass)", token, "POST", f"/learn/lessons/{lesson_id}/quiz", answers)
            issued = call("POST drill round", token, "POST", f"/learn/drills/{drill_id}/rounds")
            with db.connect(url) as conn:
                items = conn.execute("SELECT items FROM learn_drill_rounds WHERE id = %s", (issued["id"],)).fetchone()[
                    0
                ]
                conn.execute("UPDATE learn_review_cards SET due = now() - interval '1 second'")
            body = {"answers": [{"item": i, "choice": x["answer"]} for i, x in enumerate(items)], "time_seconds": 30}
            call("POST round submit", token, "POST", f"/learn/rounds/{issued['id']}/submit", body)
            queue = call("GET review", token, "GET", "/learn/review")
            card = queue["items"][0]
            call("POST review", token, "POST", f"/learn/review/{card['card_id']}", {"answer": "x"})
            call("GET progress", token, "GET", "/learn/progress")
            call("GET topics", token, "GET", "/learn/topics")

    # The first requests warm the caches (prepared statements, validators); they are left out of the medians.
    print(f"{'request':32} {'round trips':>11} {'median ms':>10} {'p90 ms':>8}   ({LEARNERS - 10} learners)")
    for label, values in timings.items():
        kept = sorted(values[10:])
        p90 = kept[int(len(kept) * 0.9) - 1]
        print(f"{label:32} {trips[label]:>11} {statistics.median(kept):>10.1f} {p90:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
