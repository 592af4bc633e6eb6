"""GET /today benchmark: the statements it sends and its server time on a warm function, for a realistic account.

One person with 300 books (100 being read) and 600 reading sessions, 200 workout sessions with 2,000 sets and an
active program, the curriculum half done with 200 review cards, 300 inbox items, 2,000 ledger rows, 100 rewards
and a handful of streaks, among 50 other people holding the same; the handler is invoked as API Gateway would
(chalice.test.Client) against the local PostgreSQL, in a scratch database that is created, migrated and dropped.

    python bench/bench_today.py            # BENCH_DATABASE_URL to use another server; make bench-today
"""

from __future__ import annotations

import os
import statistics
import time
import uuid
from typing import Any

os.environ.setdefault("LOG_LEVEL", "WARNING")  # one JSON line per request would drown the figures

from momentum_infra import migrate, pg  # noqa: E402

SERVER_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
OTHER_USERS, REPEAT, TARGET_MS = 50, 300, 50.0

ACCOUNT = """
INSERT INTO books (user_id, title, author, status, current_page, total_pages, updated_at)
SELECT %(u)s, 'Book ' || n, 'Author ' || n %% 40, (ARRAY['reading', 'to_read', 'completed'])[1 + n %% 3], n %% 200, 300,
       now() - make_interval(hours => n)
FROM generate_series(1, 300) n;
INSERT INTO reading_sessions (user_id, book_id, pages_read, duration_minutes, started_at)
SELECT %(u)s, b.id, 20, 30, now() - make_interval(days => g)
FROM (SELECT id FROM books WHERE user_id = %(u)s AND status = 'reading') b, generate_series(1, 6) g;
INSERT INTO workout_sessions (user_id, started_at, completed_at)
SELECT %(u)s, now() - make_interval(days => n), now() - make_interval(days => n) + interval '1 hour'
FROM generate_series(1, 200) n;
INSERT INTO exercise_sets (session_id, exercise_id, set_number, reps, weight)
SELECT s.id, %(exercise)s, g, 8, 60 FROM workout_sessions s, generate_series(1, 10) g WHERE s.user_id = %(u)s;
INSERT INTO inbox_items (user_id, title, is_processed) SELECT %(u)s, 'Note ' || n, n %% 3 = 0
FROM generate_series(1, 300) n;
INSERT INTO points_ledger (user_id, event_type, xp, coins) SELECT %(u)s, 'bench', 5, 1 FROM generate_series(1, 2000);
INSERT INTO user_rewards (user_id, reward_type, coins_earned, xp_earned, claimed, expires_at, created_at)
SELECT %(u)s, CASE WHEN n = 1 THEN 'daily' ELSE 'achievement' END, 10, 5, n > 3, now() + interval '1 day',
       now() - make_interval(days => n)
FROM generate_series(1, 100) n;
INSERT INTO user_streaks (user_id, streak_type, current_streak, longest_streak, last_activity_date)
SELECT %(u)s, t, 5, 12, current_date - (n %% 3)::int
FROM unnest(ARRAY['daily', 'reading', 'workout', 'learning', 'production']) WITH ORDINALITY AS s(t, n);
INSERT INTO user_lesson_progress (user_id, lesson_id, status, completed_at)
SELECT %(u)s, id, 'completed', now() FROM learn_lessons WHERE sort_order %% 2 = 0;
INSERT INTO learn_review_cards (user_id, lesson_id, question_id, item_key, card, due, seed)
SELECT %(u)s, l.id, q ->> 'id', 'q:' || (l.id::text) || (q ->> 'id'), '{}',
       now() + make_interval(hours => (row_number() OVER ())::int - 100), 1
FROM learn_lessons l, jsonb_array_elements(l.quiz_json -> 'questions') q LIMIT 200;
"""


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if q < 100 else max(values)


def main() -> int:
    name = f"momentum_bench_today_{uuid.uuid4().hex[:8]}"
    url = pg.ensure_database(SERVER_URL, name)
    try:
        migrate.upgrade(url)
        return run(url)
    finally:
        from momentum import db

        db.close_conn()
        pg.drop_database(SERVER_URL, name)


def make_account(conn: Any, client: Any, email: str) -> tuple[Any, str]:
    """A person with the data above, and an active program with a workout every day; (user, token)."""
    from momentum import auth

    user = auth.ensure_user(conn, email)
    token, _, _ = auth.create_session(conn, user.id)
    exercise = conn.execute("SELECT id FROM exercises WHERE is_builtin ORDER BY name LIMIT 1").fetchone()[0]
    for statement in ACCOUNT.split(";")[:-1]:  # parameters are bound per statement
        conn.execute(statement, {"u": user.id, "exercise": exercise})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    import json

    workout = client.http.post(
        "/fitness/workouts",
        headers=headers,
        body=json.dumps(
            {
                "name": "Push",
                "sections": [
                    {
                        "name": "Main",
                        "section_type": "main",
                        "exercises": [{"exercise_id": str(exercise), "sets": 3, "reps": 8, "weight": 60.0}],
                    }
                ],
            }
        ),
    )
    assert workout.status_code == 201, workout.body
    weeks = [
        {
            "week_number": 1,
            "workouts": [
                {"workout_id": json.loads(workout.body)["id"], "day_of_week": d, "intensity_modifier": 1.0}
                for d in range(7)
            ],
        }
    ]
    program = client.http.post(
        "/fitness/programs", headers=headers, body=json.dumps({"name": "Daily", "duration_weeks": 1, "weeks": weeks})
    )
    assert program.status_code == 201, program.body
    activated = client.http.post(f"/fitness/programs/{json.loads(program.body)['id']}/activate", headers=headers)
    assert activated.status_code == 200, activated.body
    return user, token


def run(url: str) -> int:
    os.environ["DATABASE_URL"] = url
    from momentum.config import get_settings

    get_settings.cache_clear()
    import psycopg
    from chalice.test import Client
    from momentum import db, metrics
    from momentum.platform import today
    from momentum_infra.seed import fitness, gamification, learn

    import functions.fitness.app as fitness_app
    import functions.platform.app as platform_app

    metrics._emit = lambda *args: None  # one metric line per request would drown the figures

    with db.connect(url) as conn, Client(fitness_app.app) as fitness_client:
        with conn.transaction():
            gamification.seed(conn)
            learn.seed_curriculum(conn)
            fitness.seed(conn)
        me, token = make_account(conn, fitness_client, "bench@example.com")
        for i in range(OTHER_USERS):
            make_account(conn, fitness_client, f"other-{i}@example.com")
        conn.execute("ANALYZE")
        owned = {
            table: conn.execute(f"SELECT count(*) FROM {table} WHERE user_id = %s", (me.id,)).fetchone()[0]
            for table in ("books", "reading_sessions", "workout_sessions", "points_ledger", "learn_review_cards")
        }

        statements: list[str] = []
        original = psycopg.Cursor.execute

        def counting(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
            statements.append(str(query))
            return original(cursor, query, *args, **kwargs)

        psycopg.Cursor.execute = counting  # type: ignore[method-assign]
        try:
            view = today.get_today(conn, me.id)
        finally:
            psycopg.Cursor.execute = original  # type: ignore[method-assign]
    assert view.workout.workouts and view.book is not None and view.next_lesson is not None

    headers = {"Authorization": f"Bearer {token}"}
    with Client(platform_app.app) as client:
        for _ in range(20):  # warm: connection, imports, model validators
            assert client.http.get("/today", headers=headers).status_code == 200
        runs = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            response = client.http.get("/today", headers=headers)
            runs.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.body
    layer = []
    with db.connect(url) as conn:
        for _ in range(REPEAT):
            started = time.perf_counter()
            today.get_today(conn, me.id)
            layer.append((time.perf_counter() - started) * 1000)

    print(
        f"GET /today for one person among {OTHER_USERS + 1}; theirs: " + ", ".join(f"{n} {t}" for t, n in owned.items())
    )
    print(f"statements sent by momentum.platform.today.get_today: {len(statements)}")
    for label, values in (("through the handler (auth included)", runs), ("get_today alone", layer)):
        p50, p99 = statistics.median(values), percentile(values, 99)
        print(f"{label:38} p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   ({REPEAT} warm calls)")
    p50 = statistics.median(runs)
    print(f"target: p50 under {TARGET_MS:.0f} ms through the handler: {'met' if p50 < TARGET_MS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
