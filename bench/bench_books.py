"""Books at scale: p50/p99 of GET /books (each sort), search and GET /books/stats through the real handler, with
1,000,000 books and 5,000,000 reading sessions across 10,000 users, one of them a heavy reader with 5,000 books and
50,000 sessions; then the EXPLAIN (ANALYZE, BUFFERS) plan of every statement those requests run for the heavy
reader, and a check that none reads a big table by sequential scan.

The data is generated with set-based SQL (generate_series) into a scratch database on the server of
BENCH_DATABASE_URL or TEST_DATABASE_URL (else a throwaway embedded PostgreSQL), which is dropped afterwards.
Loading takes a few minutes: the indexes are built after the rows are in, as a bulk load would.

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/bench_books.py
    BENCH_BOOKS_SCALE=0.1 python bench/bench_books.py    # a tenth of the data (the heavy reader stays as big)
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid

os.environ.setdefault("LOG_LEVEL", "WARNING")  # one JSON line per request would drown the figures

from momentum_infra import migrate, pg  # noqa: E402

SERVER_URL = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
SCALE = float(os.environ.get("BENCH_BOOKS_SCALE", "1"))
USERS = int(10_000 * SCALE)
BOOKS = int(1_000_000 * SCALE)
SESSIONS = int(5_000_000 * SCALE)
HEAVY_BOOKS, HEAVY_SESSIONS = 5_000, 50_000
RUNS = 60  # requests per measured route and user
BIG_TABLES = ("books", "reading_sessions", "book_reads", "books_abandoned", "book_isbns")

WORDS = (  # noqa: SIM905 (a paragraph of words reads better than a list literal)
    "music mixing mastering sound design rhythm harmony melody theory studio producer synth bass drum groove "
    "night river city garden winter summer shadow light stone glass fire ocean mountain forest island storm "
    "secret history empire war peace love death life dream memory journey return house road machine code "
    "habit focus deep work creative act flow practice craft art mind body brain heart ghost king queen child "
    "star planet moon sun space time number story letter book song voice silence noise signal wave echo"
).split()

# Ids are computed from row numbers (ascending, so the primary keys fill like a time-ordered load, and no join is
# needed to find a row's owner): user n, book b and session s. User 0 is the heavy reader; book b belongs to user
# OWNER(b): the heavy reader's 5,000 first, then the rest spread evenly over everyone else.
USER_ID = "('00000000-0000-4000-a000-' || lpad(to_hex({n}), 12, '0'))::uuid"
BOOK_ID = "('00000000-0000-4000-b000-' || lpad(to_hex({b}), 12, '0'))::uuid"
OWNER = "(CASE WHEN {b} < %(heavy_books)s THEN 0 ELSE 1 + ({b} - %(heavy_books)s) %% (%(users)s - 1) END)"
SESSION_BOOK = (
    "(CASE WHEN s < %(heavy_sessions)s THEN s %% %(heavy_books)s "
    "ELSE %(heavy_books)s + (s - %(heavy_sessions)s) %% (%(books)s - %(heavy_books)s) END)"
)
WORD = "(%(words)s::text[])[1 + (b * {k}) %% %(nwords)s]"

LOAD = [
    f"""INSERT INTO users (id, email)
        SELECT {USER_ID.format(n="n")}, 'bench-' || n || '@example.com' FROM generate_series(0, %(users)s - 1) n""",
    # About 40% finished, 10% being read, the rest to read (a tenth of those abandoned).
    f"""INSERT INTO books (id, user_id, title, author, total_pages, current_page, status, started_at, completed_at,
                          rating, notes, created_at, updated_at)
        SELECT {BOOK_ID.format(b="b")}, {USER_ID.format(n=OWNER.format(b="b"))},
               initcap({WORD.format(k=7)} || ' ' || {WORD.format(k=13)} || ' ' || {WORD.format(k=31)}),
               'Author ' || (b %% 20000),
               100 + (b %% 700),
               CASE WHEN b %% 20 < 8 THEN 100 + (b %% 700) WHEN b %% 20 < 10 THEN (b %% 100) ELSE 0 END,
               CASE WHEN b %% 20 < 8 THEN 'completed' WHEN b %% 20 < 10 THEN 'reading' ELSE 'to_read' END,
               CASE WHEN b %% 20 < 10 THEN now() - make_interval(days => b %% 1500 + 10) END,
               CASE WHEN b %% 20 < 8 THEN now() - make_interval(days => b %% 1500) END,
               CASE WHEN b %% 20 < 8 AND b %% 3 = 0 THEN 1 + b %% 5 END,
               CASE WHEN b %% 4 = 0 THEN 'notes on ' || {WORD.format(k=17)} END,
               now() - make_interval(days => b %% 2000),
               now() - make_interval(days => b %% 1000, secs => b %% 86400)
        FROM generate_series(0, %(books)s - 1) b""",
    """INSERT INTO book_reads (book_id, user_id, read_number, started_at, finished_at)
       SELECT id, user_id, 1, started_at, completed_at FROM books WHERE status = 'completed'""",
    """INSERT INTO books_abandoned (book_id, user_id)
       SELECT id, user_id FROM books WHERE status = 'to_read' AND hashtext(id::text) %% 10 = 0""",
    # The heavy reader's 50,000 sessions over their books, the rest over everyone else's, spread over 3 years.
    f"""INSERT INTO reading_sessions (id, book_id, user_id, pages_read, start_page, end_page, duration_minutes,
                                     started_at, xp_awarded, coins_awarded)
        SELECT ('00000000-0000-4000-c000-' || lpad(to_hex(s), 12, '0'))::uuid,
               {BOOK_ID.format(b=SESSION_BOOK)}, {USER_ID.format(n=OWNER.format(b=SESSION_BOOK))},
               5 + s %% 40, 0, 5 + s %% 40, CASE WHEN s %% 3 > 0 THEN 10 + s %% 50 END,
               now() - make_interval(days => s %% 1095, secs => (s::bigint * 7919) %% 86400),
               greatest(1, (5 + s %% 40) / 5), (5 + s %% 40) / 10
        FROM generate_series(0, %(sessions)s - 1) s""",
]


def main() -> int:
    server = None
    server_url = SERVER_URL
    if not server_url:
        import tempfile
        from pathlib import Path

        server = pg.embedded_server(Path(tempfile.mkdtemp(prefix="momentum-bench-")) / "pgdata", throwaway=True)
        server_url = server.get_uri("postgres")
    name = f"momentum_bench_books_{uuid.uuid4().hex[:8]}"
    url = pg.ensure_database(server_url, name)
    try:
        migrate.upgrade(url)
        return run(url)
    finally:
        from momentum import db

        db.close_conn()
        pg.drop_database(server_url, name)
        if server is not None:
            server.cleanup()


def load(url: str) -> None:
    from momentum import db

    started = time.perf_counter()
    with db.connect(url) as conn:
        conn.execute("SET statement_timeout = 0")
        conn.execute("SET maintenance_work_mem = '256MB'")
        # Build the indexes after the load (and skip per-row foreign-key and trigger work), as a bulk load would.
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexdef NOT LIKE '%%UNIQUE%%'",
            (list(BIG_TABLES),),
        ).fetchall()
        for index, _ in indexes:
            conn.execute(f"DROP INDEX {index}")
        conn.execute("SET session_replication_role = replica")
        params = {
            "users": USERS,
            "books": BOOKS,
            "sessions": SESSIONS,
            "heavy_books": HEAVY_BOOKS,
            "heavy_sessions": HEAVY_SESSIONS,
            "words": WORDS,
            "nwords": len(WORDS),
        }
        for statement in LOAD:
            t0 = time.perf_counter()
            conn.execute(statement, params)
            print(f"  {time.perf_counter() - t0:6.1f} s  {' '.join(statement.split())[:90]}", flush=True)
        conn.execute("SET session_replication_role = origin")
        t0 = time.perf_counter()
        for _, definition in indexes:
            conn.execute(definition)
        print(f"  {time.perf_counter() - t0:6.1f} s  {len(indexes)} indexes built", flush=True)
        conn.execute("VACUUM ANALYZE")
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM books), (SELECT count(*) FROM reading_sessions)"
        ).fetchone()
    print(f"loaded {counts[0]:,} users, {counts[1]:,} books, {counts[2]:,} sessions in "
          f"{time.perf_counter() - started:.0f} s\n")  # fmt: skip


class Recorder:
    """Records every statement a connection runs, to EXPLAIN them afterwards."""

    def __init__(self) -> None:
        self.statements: list[tuple[object, object, float]] = []

    def cursor_class(self):  # type: ignore[no-untyped-def]
        import psycopg

        recorder = self

        class RecordingCursor(psycopg.Cursor):  # type: ignore[type-arg]
            def execute(self, query, params=None, **kwargs):  # type: ignore[no-untyped-def]
                t0 = time.perf_counter()
                result = super().execute(query, params, **kwargs)
                recorder.statements.append((query, params, (time.perf_counter() - t0) * 1000))
                return result

        return RecordingCursor


def run(url: str) -> int:
    os.environ["DATABASE_URL"] = url
    from momentum.config import get_settings

    get_settings.cache_clear()
    from chalice.test import Client
    from momentum import auth, db

    import functions.books.app as books_app

    print(f"loading {USERS:,} users, {BOOKS:,} books, {SESSIONS:,} sessions …", flush=True)
    load(url)
    with db.connect(url) as conn:
        heavy_id, typical_id = conn.execute(
            "SELECT (SELECT id FROM users WHERE email = 'bench-0@example.com'), "
            "(SELECT id FROM users WHERE email = 'bench-1@example.com')"
        ).fetchone()
        users = (("heavy", heavy_id), ("typical", typical_id))
        tokens = {label: auth.create_session(conn, uid)[0] for label, uid in users}
        conn.execute(
            "INSERT INTO user_settings (user_id, key, value) VALUES (%s, 'reading_goal_books', '52'), "
            "(%s, 'timezone', '\"Europe/Berlin\"')",
            (heavy_id, heavy_id),
        )

    client = Client(books_app.app)
    routes = {
        "GET /books": "/books",
        "GET /books?sort=title": "/books?sort=title",
        "GET /books?sort=author": "/books?sort=author",
        "GET /books?sort=finished": "/books?sort=finished",
        "GET /books?status=reading": "/books?status=reading",
        "GET /books?status=abandoned": "/books?status=abandoned",
        "GET /books?q=mixing": "/books?q=mixing",
        "GET /books?q=deep+work": "/books?q=deep+work",
        "GET /books/stats": "/books/stats",
    }

    def call(label: str, path: str) -> tuple[float, dict]:
        headers = {"Authorization": f"Bearer {tokens[label]}"}
        t0 = time.perf_counter()
        response = client.http.get(path, headers=headers)
        elapsed = time.perf_counter() - t0
        assert response.status_code == 200, response.body
        import json

        return elapsed, json.loads(response.body)

    # A second page of each sort, by the cursor of the first.
    for sort in ("updated", "title", "author", "finished"):
        _, first = call("heavy", f"/books?sort={sort}")
        routes[f"GET /books?sort={sort} (page 2)"] = f"/books?sort={sort}&cursor={first['next_cursor']}"

    print(f"{'route':42} {'user':8} {'p50 ms':>8} {'p99 ms':>8}")
    for title, path in routes.items():
        for label in ("heavy", "typical"):
            for _ in range(5):
                call(label, path)  # warm up
            times = sorted(call(label, path)[0] * 1000 for _ in range(RUNS))
            p99 = times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
            print(f"{title:42} {label:8} {statistics.median(times):8.1f} {p99:8.1f}", flush=True)

    print("\nQuery plans of the heavy reader's requests (EXPLAIN (ANALYZE, BUFFERS)):")
    failures = []
    conn = db.get_conn()
    for title, path in routes.items():
        recorder = Recorder()
        conn.cursor_factory = recorder.cursor_class()
        call("heavy", path)
        conn.cursor_factory = __import__("psycopg").Cursor
        for query, params, took in recorder.statements:
            text = query if isinstance(query, str) else str(query)
            if not text.lstrip().upper().startswith(("SELECT", "WITH")) or "FROM sessions" in text:
                continue  # the token check is auth's, not ours
            plan = "\n".join(r[0] for r in conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + text, params).fetchall())
            print(f"\n--- {title} (this statement took {took:.1f} ms in the handler)\n{' '.join(text.split())[:300]}")
            print(plan)
            for table in BIG_TABLES:
                if f"Seq Scan on {table} " in plan + " ":
                    failures.append(f"{title}: sequential scan of {table}")
    print("\n" + ("\n".join(failures) if failures else "No sequential scan of books, reading_sessions, book_reads, "
                                                        "books_abandoned or book_isbns in any plan."))  # fmt: skip
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
