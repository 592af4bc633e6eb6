"""What shop items do once used: XP and focus boosts, streak freezes, and cosmetics a person equips.

Using a purchase (``POST /market/purchases/{id}/use``) of a seeded boost starts its effect in the same transaction:

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

LOCK_PERSON = "SELECT pg_advisory_xact_lock(hashtextextended('boosts:' || %(user_id)s::text, 0))"
START = """
INSERT INTO user_boosts (user_id, purchase_id, kind, multiplier, label, starts_at, ends_at)
SELECT %(user_id)s, %(purchase_id)s, %(kind)s, %(multiplier)s, %(label)s, s.at, s.at + %(duration)s
FROM (SELECT greatest(now(), (SELECT max(ends_at) FROM user_boosts
                              WHERE user_id = %(user_id)s AND kind = %(kind)s AND ends_at > now())) AS at) s
"""
BANK_FREEZE = """
INSERT INTO user_boosts (user_id, purchase_id, kind, label)
VALUES (%(user_id)s, %(purchase_id)s, 'streak_freeze', %(label)s)
"""
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


def activate(conn: Connection, user_id: UUID, purchase_id: UUID, item_key: str | None, item_name: str) -> None:
    """Start what a used purchase does, if it does something (inside the caller's transaction)."""
    effect = EFFECTS.get(item_key or "")
    if effect is None:
        return
    params = {
        "user_id": user_id,
        "purchase_id": purchase_id,
        "kind": effect.kind,
        "multiplier": effect.multiplier,
        "label": item_name,
        "duration": effect.duration,
    }
    conn.execute(LOCK_PERSON, params)  # two uses at once extend one after the other
    conn.execute(BANK_FREEZE if effect.duration is None else START, params)


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
