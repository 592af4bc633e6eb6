"""Fixtures of the books tests: a reader that talks to the books handler as one user, and the reading
achievements."""

from __future__ import annotations

import json
import uuid

import pytest
from momentum_infra.seed import books as books_seed
from momentum_infra.seed import gamification as gamification_seed
from psycopg.types.json import Jsonb


class Reader:
    """One user's view of the books API, through the real Chalice handler as API Gateway would call it."""

    def __init__(self, api, user, database_url):
        self.user = user
        self.id = user.id
        self._client = api("books")
        self._database_url = database_url

    def request(self, method, path, body=None, expect=None, headers=None, content_type="application/json"):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else b""
        sent = self.user.headers | {"Content-Type": content_type} | (headers or {})
        response = self._client.request(method, path, headers=sent, body=raw)
        data = json.loads(response.body) if response.body else None
        if expect is not None:
            assert response.status_code == expect, (method, path, response.status_code, data)
        return response.status_code, data

    def get(self, path, expect=200):
        return self.request("GET", path, expect=expect)[1]

    def post(self, path, body=None, expect=201, headers=None):
        return self.request("POST", path, {} if body is None else body, expect=expect, headers=headers)[1]

    def patch(self, path, body, expect=200):
        return self.request("PATCH", path, body, expect=expect)[1]

    def delete(self, path, expect=204):
        return self.request("DELETE", path, expect=expect)[1]

    def book(self, title=None, expect=201, **fields) -> dict:
        return self.post("/books", {"title": title or f"Book {uuid.uuid4().hex[:6]}"} | fields, expect=expect)

    def read(self, book_id, expect=201, key=None, **fields) -> dict:
        headers = {"Idempotency-Key": key} if key else None
        return self.post(f"/books/{book_id}/sessions", fields, expect=expect, headers=headers)

    def import_csv(self, text: str, expect=200):
        return self.request("POST", "/books/import", text.encode(), expect=expect, content_type="text/csv")[1]

    def setting(self, conn, key, value) -> None:
        conn.execute(
            "INSERT INTO user_settings (user_id, key, value) VALUES (%s, %s, %s) "
            "ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value",
            (self.id, key, Jsonb(value)),
        )

    def balances(self, conn) -> dict:
        """Wallet, progress, reading skill and the ledger's sums, read straight from the database."""
        row = conn.execute(
            """SELECT w.coins, p.total_xp,
                      (SELECT coalesce(sum(coins), 0) FROM points_ledger WHERE user_id = %(u)s),
                      (SELECT coalesce(sum(xp), 0) FROM points_ledger WHERE user_id = %(u)s),
                      (SELECT coalesce(sum(skill_stars), 0) FROM points_ledger
                       WHERE user_id = %(u)s AND skill_key = 'reading'),
                      (SELECT total_stars FROM user_skills WHERE user_id = %(u)s AND skill_key = 'reading')
               FROM user_wallet w JOIN user_progress p USING (user_id) WHERE w.user_id = %(u)s""",
            {"u": self.id},
        ).fetchone()
        keys = ("coins", "xp", "ledger_coins", "ledger_xp", "ledger_stars", "reading_stars")
        return dict(zip(keys, row, strict=True))


@pytest.fixture()
def reading_achievements(conn):
    """The seeded reading achievements (books.py's and reading_week), for one test: the session database has no
    seeded achievements, and other tests count the ones a user earns."""
    keys = [key for key, *_ in books_seed.ACHIEVEMENTS] + ["reading_week"]
    week = next(a for a in gamification_seed.ACHIEVEMENTS if a[0] == "reading_week")
    key, name, category, trigger, config, coins, xp, description = week
    with conn.transaction():
        books_seed.seed(conn)
        conn.execute(
            "INSERT INTO achievement_definitions (key, name, category, trigger_type, trigger_config, reward_coins, "
            "reward_xp, description) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (key) DO NOTHING",
            (key, name, category, trigger, Jsonb(config), coins, xp, description),
        )
    yield keys
    with conn.transaction():
        conn.execute(
            "DELETE FROM user_rewards WHERE reward_type = 'achievement' AND source_id IN "
            "(SELECT id FROM achievement_definitions WHERE key = ANY(%s))",
            (keys,),
        )
        conn.execute("DELETE FROM user_achievements WHERE achievement_key = ANY(%s)", (keys,))
        conn.execute("DELETE FROM achievement_definitions WHERE key = ANY(%s)", (keys,))


@pytest.fixture()
def reader(api, make_user, database_url):
    """Factory: a new reader (a fresh user) each call."""
    return lambda: Reader(api, make_user(), database_url)
