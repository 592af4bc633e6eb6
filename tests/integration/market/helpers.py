"""Helpers the market tests share (this module holds no tests)."""

from __future__ import annotations

import json
import uuid

from momentum import gamification

ITEM_DEFAULTS = {
    "cost_coins": 10,
    "rarity": "common",
    "is_consumable": False,
    "uses_per_purchase": 1,
    "total_stock": None,
    "remaining_stock": None,
    "available_from": None,
    "available_until": None,
    "is_available": True,
    "is_active": True,
    "is_global": True,
    "sort_order": 0,
    "description": None,
}


def new_category() -> str:
    """A category of one's own, so a test's listing sees only its items."""
    return f"t{uuid.uuid4().hex[:12]}"


def make_item(conn, **fields) -> uuid.UUID:
    """Insert a catalog item directly; unnamed fields take plain defaults (unlimited, always available)."""
    values = ITEM_DEFAULTS | {"key": f"test-{uuid.uuid4().hex}", "name": "Test item", "category": new_category()}
    values |= fields
    if "total_stock" in fields and "remaining_stock" not in fields:
        values["remaining_stock"] = fields["total_stock"]
    columns = ", ".join(values)
    placeholders = ", ".join(f"%({c})s" for c in values)
    return conn.execute(
        f"INSERT INTO market_items ({columns}) VALUES ({placeholders}) RETURNING id", values
    ).fetchone()[0]


def fund(conn, user_id, coins: int) -> None:
    gamification.award(conn, user_id, event_type="test", idempotency_key=f"fund-{uuid.uuid4()}", coins=coins)


def coins(conn, user_id) -> int:
    return conn.execute("SELECT coins FROM user_wallet WHERE user_id = %s", (user_id,)).fetchone()[0]


def ledger_coins(conn, user_id) -> int:
    return conn.execute("SELECT coalesce(sum(coins), 0) FROM points_ledger WHERE user_id = %s", (user_id,)).fetchone()[
        0
    ]


def stock(conn, item_id) -> int | None:
    return conn.execute("SELECT remaining_stock FROM market_items WHERE id = %s", (item_id,)).fetchone()[0]


def assert_wallet_is_its_ledger(conn, user_id) -> None:
    balance, earned, spent = conn.execute(
        "SELECT coins, total_earned, total_spent FROM user_wallet WHERE user_id = %s", (user_id,)
    ).fetchone()
    assert balance >= 0
    assert balance == earned - spent == ledger_coins(conn, user_id)


def buy(http, user, item_id, quantity: int | None = 1, key: str | None = None):
    headers = user.headers | ({"Idempotency-Key": key} if key else {})
    body = {} if quantity is None else {"quantity": quantity}
    return http.post(f"/market/items/{item_id}/purchase", headers=headers, body=json.dumps(body))


def post(http, user, path: str, body: dict | None = None, headers: dict | None = None):
    return http.post(path, headers=user.headers | (headers or {}), body=json.dumps(body or {}))


def error_code(response) -> str:
    return response.json_body["error"]["code"]
