"""Buying, using and refunding items, and the coin transaction history.

Purchase: one statement, one transaction — the SQL function ``purchase_item`` (migration 0008) checks the item
is purchasable, charges ``cost_coins × quantity`` through ``award_points`` (never below zero), takes stock with a
conditional update, and records the purchase and a ``purchase`` transaction. Non-consumables are bought one at a
time and owned once (409 ``already_owned`` until refunded); consumables get ``uses_per_purchase × quantity`` uses.
The function also says whether a pending achievement counts purchases; only then are achievements checked (one
more round trip, usually on a user's first purchase), so a purchase is otherwise one round trip.

Idempotency-Key: the charge's ledger key is ``purchase:<key>`` and its ``event_id`` is the purchase, so the same
key (per user) returns the same purchase, charged once, whatever the timing; the same key with another item or
quantity is 409 ``idempotency_key_reused``. A replay answers with the purchase as it is now. Without a key every
request is a new purchase.

Use: a consumable loses one use per call and becomes ``used`` at zero; a non-consumable is redeemed once (then
``used``). ``redeemed_at`` is the latest use.

Refund: unused purchases only (``active`` and never used); by the owner within 24 hours of buying, by an admin
at any time (for any user). One statement, the SQL function ``refund_purchase``: the coins paid go back through
the award function under the key ``refund:<purchase_id>`` (a second refund cannot pay), the stock comes back, and a
``refund`` transaction is written. The purchase row is locked first, so a refund and a use of the same purchase
cannot both succeed.
Anyone else's purchase is 404.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from psycopg import Connection
from psycopg.types.json import Jsonb

from momentum import boosts, db, gamification, metrics, quests
from momentum.audit import ClientInfo
from momentum.auth import CurrentUser
from momentum.market.models import Purchase, PurchaseIn, PurchaseQuery, RefundIn, Transaction
from momentum.pagination import Page, PageRequest, page_of

REFUND_WINDOW = timedelta(hours=24)

PURCHASE_ITEM = f"""
SELECT (p.purchase).id, (p.purchase).item_id, (p.item).key AS item_key, (p.item).name AS item_name,
       (p.item).category AS item_category, (p.purchase).uses_remaining IS NOT NULL AS is_consumable,
       (p.purchase).cost_coins, (p.purchase).quantity, (p.purchase).uses_remaining, (p.purchase).status,
       (p.purchase).purchased_at, (p.purchase).redeemed_at, (p.purchase).refunded_at, (p.purchase).refund_reason,
       p.achievements_due, p.replayed, {quests.COUNTING_COLUMNS}
FROM purchase_item(%(user_id)s, %(item_id)s, %(quantity)s, %(key)s) p
"""

# A purchase is consumable when it was bought with uses (the item's flag may change later).
PURCHASE_COLUMNS = """
p.id, p.item_id, i.key AS item_key, i.name AS item_name, i.category AS item_category,
p.uses_remaining IS NOT NULL AS is_consumable, p.cost_coins, p.quantity, p.uses_remaining, p.status,
p.purchased_at, p.redeemed_at, p.refunded_at, p.refund_reason
"""

LIST_PURCHASES = f"""
SELECT {PURCHASE_COLUMNS}
FROM user_purchases p JOIN market_items i ON i.id = p.item_id
WHERE p.user_id = %(user_id)s
  AND (%(status)s::text IS NULL OR p.status = %(status)s)
  AND (%(after_at)s::timestamptz IS NULL OR (p.purchased_at, p.id) < (%(after_at)s, %(after_id)s::uuid))
ORDER BY p.purchased_at DESC, p.id DESC
LIMIT %(limit)s
"""

GET_PURCHASE = f"""
SELECT {PURCHASE_COLUMNS}
FROM user_purchases p JOIN market_items i ON i.id = p.item_id
WHERE p.id = %(purchase_id)s AND p.user_id = %(user_id)s
"""

USE_PURCHASE = """
SELECT (u.purchase).id, (u.purchase).item_id, (u.item).key AS item_key, (u.item).name AS item_name,
       (u.item).category AS item_category, (u.purchase).uses_remaining IS NOT NULL AS is_consumable,
       (u.purchase).cost_coins, (u.purchase).quantity, (u.purchase).uses_remaining, (u.purchase).status,
       (u.purchase).purchased_at, (u.purchase).redeemed_at, (u.purchase).refunded_at, (u.purchase).refund_reason
FROM use_purchase(%(user_id)s, %(purchase_id)s, %(effects)s) u
"""

REFUND_PURCHASE = """
SELECT (r.purchase).id, (r.purchase).item_id, (r.item).key AS item_key, (r.item).name AS item_name,
       (r.item).category AS item_category, (r.purchase).uses_remaining IS NOT NULL AS is_consumable,
       (r.purchase).cost_coins, (r.purchase).quantity, (r.purchase).uses_remaining, (r.purchase).status,
       (r.purchase).purchased_at, (r.purchase).redeemed_at, (r.purchase).refunded_at, (r.purchase).refund_reason
FROM refund_purchase(%(actor_id)s, %(is_admin)s, %(session_id)s, %(purchase_id)s, %(reason)s, %(window)s,
                     %(ip_address)s, %(user_agent)s, %(request_id)s) r
"""

LIST_TRANSACTIONS = """
SELECT t.id, t.transaction_type, t.coins_amount, t.item_id, i.name AS item_name, t.reason, t.created_at
FROM market_transactions t LEFT JOIN market_items i ON i.id = t.item_id
WHERE t.user_id = %(user_id)s
  AND (%(after_at)s::timestamptz IS NULL OR (t.created_at, t.id) < (%(after_at)s, %(after_id)s::uuid))
ORDER BY t.created_at DESC, t.id DESC
LIMIT %(limit)s
"""


def purchase(conn: Connection, user_id: UUID, item_id: UUID, body: PurchaseIn, idempotency_key: str | None) -> Purchase:
    """Buy ``body.quantity`` of an item in one round trip; the same Idempotency-Key buys once.

    Raises: NotFound (unknown or hidden item), InsufficientCoins, Conflict (out_of_stock, not_available,
    already_owned, idempotency_key_reused), InvalidInput (a quantity above 1 of a non-consumable).
    """
    params = {
        "user_id": user_id,
        "item_id": item_id,
        "quantity": body.quantity,
        "key": idempotency_key,
        "target_type": "purchases",
    }
    # A dict (class_row(dict) builds one): the purchase's columns plus achievements_due and the quest flags.
    row: dict[str, Any] = db.fetch_one(conn, dict, PURCHASE_ITEM, params, resource="item")
    # Quest progress is bookkeeping, not money, so purchase_item knows nothing of it; the same statement only asks
    # whether an accepted quest counts purchases, and the progress is written (a second statement) only then. A
    # retry returns the first purchase and counts once.
    replayed, counting, zone = row.pop("replayed"), row.pop("quest_counting"), row.pop("quest_zone")
    if counting and not replayed:
        quests.record_counted_progress(conn, user_id, "purchases", 1, zone)
    if row.pop("achievements_due"):
        gamification.check_achievements(conn, user_id)
    metrics.record("Purchases")
    return Purchase.model_validate(row)


def list_purchases(conn: Connection, user_id: UUID, query: PurchaseQuery, page: PageRequest) -> Page[Purchase]:
    """The caller's purchases, newest first.

    Raises: InvalidInput for a malformed cursor.
    """
    after_at, after_id = page.after_key(datetime, UUID)
    rows = db.fetch_all(
        conn,
        Purchase,
        LIST_PURCHASES,
        {
            "user_id": user_id,
            "status": query.status,
            "after_at": after_at,
            "after_id": after_id,
            "limit": page.limit + 1,
        },
    )
    return page_of(rows, page, key=lambda r: (r.purchased_at.isoformat(), str(r.id)))


def use_purchase(conn: Connection, user_id: UUID, purchase_id: UUID) -> Purchase:
    """Use one of a consumable's uses, or redeem a non-consumable; a boost starts its effect (``momentum.boosts``).
    One statement (migrations/functions/use_purchase.sql).

    Raises: NotFound, Conflict (refunded, used_up, already_redeemed).
    """
    params = {"user_id": user_id, "purchase_id": purchase_id, "effects": Jsonb(boosts.effects_by_key())}
    return db.fetch_one(conn, Purchase, USE_PURCHASE, params, resource="purchase")


def refund_purchase(
    conn: Connection, user: CurrentUser, purchase_id: UUID, body: RefundIn, client: ClientInfo
) -> Purchase:
    """Give back an unused purchase: coins and stock return, the purchase becomes ``refunded``. One statement
    (migrations/functions/refund_purchase.sql).

    Raises: NotFound (unknown, or another user's for a non-admin), Conflict (already_refunded, already_used,
    refund_window_closed).
    """
    params = {
        "actor_id": user.id,
        "is_admin": user.is_admin,
        "session_id": user.session_id,
        "purchase_id": purchase_id,
        "reason": body.reason,
        "window": REFUND_WINDOW,
        "ip_address": client.ip_address,
        "user_agent": client.user_agent,
        "request_id": client.request_id,
    }
    return db.fetch_one(conn, Purchase, REFUND_PURCHASE, params, resource="purchase")


def list_transactions(conn: Connection, user_id: UUID, page: PageRequest) -> Page[Transaction]:
    """The caller's coin history in the market (purchases, rewards, refunds), newest first.

    Raises: InvalidInput for a malformed cursor.
    """
    after_at, after_id = page.after_key(datetime, UUID)
    rows = db.fetch_all(
        conn,
        Transaction,
        LIST_TRANSACTIONS,
        {"user_id": user_id, "after_at": after_at, "after_id": after_id, "limit": page.limit + 1},
    )
    return page_of(rows, page, key=lambda r: (r.created_at.isoformat(), str(r.id)))
