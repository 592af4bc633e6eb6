"""What shop items do once used: XP and focus boosts, streak freezes, and cosmetics a person equips.

Using a purchase (``POST /market/purchases/{id}/use``) of a seeded boost starts its effect in the same statement
(the SQL function ``use_purchase``, given ``EFFECTS``):

- ``boost_double_xp_day``: XP × 2 from every award for 24 hours;
- ``boost_focus_hour``: focus rewards' XP × 2 for an hour;
- ``boost_streak_freeze``: one banked freeze, spent automatically when a streak is next touched after exactly one
  missed day, which then continues instead of restarting.

Using a boost while one of its kind is running extends it: the new window starts where the running one ends (the
multiplier does not stack). Freezes bank, one per use. Awards apply the running boosts in the database
(``award_boosted``, which ``gamification.award`` and the write functions pay through), and the ledger row carries
the boosted XP and names the boost in its reason; ``touch_streak`` spends the freezes.

Cosmetics (avatar, theme and frame items) are equipped from a purchase the person holds, one per slot, and shown on
``GET /me``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from psycopg import Connection
from psycopg.rows import dict_row

from momentum.db import fetch_all
from momentum.errors import InvalidInput, NotFound
from momentum.models import Equipped, RequestModel, ResponseModel


@dataclass(frozen=True)
class Effect:
    kind: str  # 'xp', 'focus' or 'streak_freeze'
    multiplier: int
    duration: timedelta | None


EFFECTS = {
    "boost_double_xp_day": Effect("xp", 2, timedelta(days=1)),
    "boost_focus_hour": Effect("focus", 2, timedelta(hours=1)),
    "boost_streak_freeze": Effect("streak_freeze", 1, None),
}
SLOTS = ("avatar", "theme", "frame")

# The ledger event types a focus boost applies to (award_boosted.sql holds the same list; a test compares them).
FOCUS_EVENTS = ("focus", "focus_break", "focus_deep_work")

LIST = """
SELECT kind, multiplier, label, starts_at, ends_at, used_at, used_for FROM user_boosts
WHERE user_id = %(user_id)s AND (ends_at > now() OR (kind = 'streak_freeze' AND used_at IS NULL))
ORDER BY kind, starts_at
"""
HELD_COSMETIC = """
SELECT i.category FROM user_purchases p JOIN market_items i ON i.id = p.item_id
WHERE p.id = %(purchase_id)s AND p.user_id = %(user_id)s AND p.status <> 'refunded'
"""
EQUIP = """
INSERT INTO user_equipped_items (user_id, slot, purchase_id) VALUES (%(user_id)s, %(slot)s, %(purchase_id)s)
ON CONFLICT (user_id, slot) DO UPDATE SET purchase_id = excluded.purchase_id, equipped_at = now()
"""
UNEQUIP = "DELETE FROM user_equipped_items WHERE user_id = %(user_id)s AND slot = %(slot)s"
# A refunded purchase is no longer shown.
EQUIPPED = """
SELECT e.slot, i.id AS item_id, i.key, i.name, i.icon, i.image_url, e.equipped_at
FROM user_equipped_items e JOIN user_purchases p ON p.id = e.purchase_id AND p.status <> 'refunded'
JOIN market_items i ON i.id = p.item_id
WHERE e.user_id = %(user_id)s
ORDER BY e.slot
"""


class EquipIn(RequestModel):
    purchase_id: UUID


EquippedItem = Equipped


class ActiveBoost(ResponseModel):
    kind: str
    multiplier: int
    label: str
    starts_at: datetime
    ends_at: datetime | None
    used_at: datetime | None
    used_for: str | None


def effects_by_key() -> dict[str, dict[str, Any]]:
    """EFFECTS as the SQL function ``use_purchase`` takes them, which starts what a used item does in the use's own
    statement: {item key: {kind, multiplier, duration in seconds or None}}."""
    return {
        key: {
            "kind": e.kind,
            "multiplier": e.multiplier,
            "duration": e.duration.total_seconds() if e.duration is not None else None,
        }
        for key, e in EFFECTS.items()
    }


def list_boosts(conn: Connection, user_id: UUID) -> list[ActiveBoost]:
    """Boosts running or still to come, and banked freezes."""
    return fetch_all(conn, ActiveBoost, LIST, {"user_id": user_id})


def equip(conn: Connection, user_id: UUID, body: EquipIn) -> list[EquippedItem]:
    """Equip a held avatar, theme or frame in its slot. Raises: NotFound, InvalidInput (not a cosmetic)."""
    params = {"user_id": user_id, "purchase_id": body.purchase_id}
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(HELD_COSMETIC, params).fetchone()
    if row is None:
        raise NotFound("purchase")
    if row["category"] not in SLOTS:
        raise InvalidInput("Only an avatar, theme or frame can be equipped", details={"category": row["category"]})
    conn.execute(EQUIP, params | {"slot": row["category"]})
    return equipped(conn, user_id)


def unequip(conn: Connection, user_id: UUID, slot: str) -> list[EquippedItem]:
    """Raises: NotFound for a slot that does not exist."""
    if slot not in SLOTS:
        raise NotFound("slot")
    conn.execute(UNEQUIP, {"user_id": user_id, "slot": slot})
    return equipped(conn, user_id)


def equipped(conn: Connection, user_id: UUID) -> list[EquippedItem]:
    return fetch_all(conn, EquippedItem, EQUIPPED, {"user_id": user_id})
