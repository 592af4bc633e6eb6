"""Coins, XP, skill stars, levels, streaks and achievements.

``award`` is the only code that changes wallets, progress and skills. It calls the database function
``award_points`` (migrations/functions/award_points.sql), so a larger statement — a purchase, a claim — can pay
or charge in the same round trip and transaction. Each award writes one ``points_ledger`` row under its idempotency
key: the same key never pays twice, however many times or however concurrently it is sent, and one key is one award
whatever it carries (coins, XP and stars together).

Levels: reaching level L+1 from level L takes floor(100 × L^1.5) XP (100, 282, 519, 800, …); the level follows
from lifetime ``total_xp``, which never resets.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

import psycopg
from psycopg import Connection
from psycopg.types.json import Jsonb
from pydantic import Field, model_validator

from momentum import db, dberrors
from momentum.audit import ClientInfo
from momentum.auth import CurrentUser
from momentum.errors import Conflict, InvalidInput
from momentum.models import Reason, RequestModel, ResponseModel
from momentum.pagination import Page, PageRequest, page_of
from momentum.platform import days


class Award(ResponseModel):
    ledger_id: UUID
    applied: bool  # False when the idempotency key had already paid: nothing changed this time
    coins: int  # balances after the award
    total_xp: int
    level: int


class Wallet(ResponseModel):
    coins: int
    total_earned: int
    total_spent: int
    updated_at: datetime


class Progress(ResponseModel):
    total_xp: int
    level: int
    xp_into_level: int
    xp_for_next_level: int
    xp_to_next_level: int
    total_skill_stars: int


class LedgerEntry(ResponseModel):
    id: UUID
    event_type: str
    event_id: UUID | None
    coins: int
    xp: int
    skill_stars: int | None
    skill_key: str | None
    reason: str | None
    created_at: datetime


class Skill(ResponseModel):
    key: str
    name: str
    category: str
    icon: str | None
    current_stars: int
    current_level: int
    total_stars: int
    stars_per_level: int
    max_level: int


class Streak(ResponseModel):
    streak_type: str
    current_streak: int
    longest_streak: int
    last_activity_date: date | None


class Achievement(ResponseModel):
    key: str
    name: str
    description: str | None
    category: str
    icon: str | None
    reward_coins: int
    reward_xp: int
    earned_at: datetime | None


def xp_for_level(level: int) -> int:
    """XP needed to go from ``level`` to ``level + 1``."""
    return math.floor(100 * math.pow(level, 1.5))


def award(
    conn: Connection,
    user_id: UUID,
    *,
    event_type: str,
    idempotency_key: str,
    coins: int = 0,
    xp: int = 0,
    skill_key: str | None = None,
    skill_stars: int = 0,
    reason: str | None = None,
    event_id: UUID | None = None,
    refund: bool = False,
) -> Award:
    """Pay (positive) or charge (negative) coins, XP and skill stars once per idempotency key.

    ``refund=True`` gives back coins spent earlier: they lower the wallet's ``total_spent`` instead of counting as
    earnings.

    Runs in the caller's transaction, if any. Raises: InsufficientCoins, InvalidInput.
    """
    if not (coins or xp or skill_stars):
        raise InvalidInput("An award must carry coins, XP or skill stars")
    if skill_stars and not skill_key:
        raise InvalidInput("Skill stars need a skill_key")
    # award is called outside requests too (jobs, seeds, the CLI), so it gives award_points' errors their domain
    # meaning itself, through the one table; inside a request the glue would do the same. award_boosted applies the
    # running shop boosts to earned XP (momentum.boosts) and names them in the ledger reason.
    try:
        return db.fetch_one(
            conn,
            Award,
            "SELECT * FROM award_boosted(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (user_id, event_type, idempotency_key, coins, xp, skill_key, skill_stars, reason, event_id, refund),
            resource="award",
        )
    except psycopg.Error as error:
        raise dberrors.domain_error(error) or error from None


def get_wallet(conn: Connection, user_id: UUID) -> Wallet:
    return db.fetch_one(
        conn,
        Wallet,
        "SELECT coins, total_earned, total_spent, updated_at FROM user_wallet WHERE user_id = %s",
        (user_id,),
        resource="wallet",
    )


def get_progress(conn: Connection, user_id: UUID) -> Progress:
    total_xp, level, to_next, stars = db.fetch_row(
        conn,
        "SELECT total_xp, current_level, xp_to_next_level, total_skill_stars FROM user_progress WHERE user_id = %s",
        (user_id,),
    )
    needed = xp_for_level(level)
    return Progress(
        total_xp=total_xp,
        level=level,
        xp_into_level=needed - to_next,
        xp_for_next_level=needed,
        xp_to_next_level=to_next,
        total_skill_stars=stars,
    )


LEDGER_PAGE = """
SELECT id, event_type, event_id, coins, xp, skill_stars, skill_key, reason, created_at
FROM points_ledger
WHERE user_id = %(user_id)s
  AND (%(after_created)s::timestamptz IS NULL OR (created_at, id) < (%(after_created)s, %(after_id)s::uuid))
ORDER BY created_at DESC, id DESC
LIMIT %(limit)s
"""


def list_ledger(conn: Connection, user_id: UUID, page: PageRequest) -> Page[LedgerEntry]:
    after_created, after_id = page.after_key(datetime, UUID)
    rows = db.fetch_all(
        conn,
        LedgerEntry,
        LEDGER_PAGE,
        {"user_id": user_id, "after_created": after_created, "after_id": after_id, "limit": page.limit + 1},
    )
    return page_of(rows, page, key=lambda r: (r.created_at.isoformat(), str(r.id)))


def get_ledger_entry(conn: Connection, ledger_id: UUID) -> LedgerEntry:
    return db.fetch_one(
        conn,
        LedgerEntry,
        "SELECT id, event_type, event_id, coins, xp, skill_stars, skill_key, reason, created_at "
        "FROM points_ledger WHERE id = %s",
        (ledger_id,),
        resource="ledger_entry",
    )


LIST_SKILLS = """
SELECT d.key, d.name, d.category, d.icon, coalesce(s.current_stars, 0) AS current_stars,
       coalesce(s.current_level, 1) AS current_level, coalesce(s.total_stars, 0) AS total_stars,
       d.stars_per_level, d.max_level
FROM skill_definitions d
LEFT JOIN user_skills s ON s.skill_key = d.key AND s.user_id = %s
ORDER BY d.sort_order, d.key
"""


def list_skills(conn: Connection, user_id: UUID) -> list[Skill]:
    return db.fetch_all(conn, Skill, LIST_SKILLS, (user_id,))


# A streak that missed a whole local day is over: it reads as 0 until the next activity starts a new one. Read
# this way, in each person's own day, streaks need no nightly reset job over all users.
LIST_STREAKS = """
SELECT streak_type,
       CASE WHEN last_activity_date >= %(today)s::date - 1 THEN current_streak ELSE 0 END AS current_streak,
       longest_streak, last_activity_date
FROM user_streaks WHERE user_id = %(user_id)s ORDER BY streak_type
"""


def list_streaks(conn: Connection, user_id: UUID) -> list[Streak]:
    return db.fetch_all(conn, Streak, LIST_STREAKS, {"user_id": user_id, "today": days.activity_day(conn, user_id)})


def touch_streak(conn: Connection, user_id: UUID, streak_type: str, day: date | None = None) -> Streak:
    """Record activity on a day: the same day keeps the streak, the next day extends it, a gap restarts it, and
    after one missed day a banked streak freeze carries it over (migrations/functions/touch_streak.sql, which the
    write functions call in their own statement).

    The day is the person's local day (``momentum.platform.days.activity_day``) unless given.
    """
    return db.fetch_one(
        conn, Streak, "SELECT * FROM touch_streak(%s, %s, %s)", (user_id, streak_type, day), resource="streak"
    )


LIST_ACHIEVEMENTS = """
SELECT d.key, d.name, d.description, d.category, d.icon, d.reward_coins, d.reward_xp, ua.earned_at
FROM achievement_definitions d
LEFT JOIN user_achievements ua ON ua.achievement_key = d.key AND ua.user_id = %s
WHERE NOT d.is_hidden OR ua.earned_at IS NOT NULL
ORDER BY ua.earned_at IS NULL, d.sort_order, d.key
"""


def list_achievements(conn: Connection, user_id: UUID) -> list[Achievement]:
    return db.fetch_all(conn, Achievement, LIST_ACHIEVEMENTS, (user_id,))


# The figures achievement triggers can test, for one user, in one query.
ACHIEVEMENT_METRICS = """
SELECT p.total_xp, p.current_level AS level, p.total_skill_stars AS skill_stars, w.total_earned AS coins_earned,
       (SELECT coalesce(jsonb_object_agg(event_type, n), '{}') FROM
           (SELECT event_type, count(*) AS n FROM points_ledger WHERE user_id = %(u)s GROUP BY event_type) e) AS events,
       (SELECT coalesce(jsonb_object_agg(streak_type, longest_streak), '{}') FROM user_streaks WHERE user_id = %(u)s)
           AS streaks,
       (SELECT coalesce(jsonb_agg(jsonb_build_object('id', d.id, 'key', d.key, 'trigger_type', d.trigger_type,
                                                     'trigger_config', d.trigger_config)), '[]')
        FROM achievement_definitions d
        WHERE NOT EXISTS (SELECT 1 FROM user_achievements ua WHERE ua.user_id = %(u)s AND ua.achievement_key = d.key))
           AS pending
FROM user_progress p JOIN user_wallet w ON w.user_id = p.user_id
WHERE p.user_id = %(u)s
"""

# Earning an achievement with a reward creates a claimable reward (paid when claimed, through award()).
GRANT_ACHIEVEMENTS = """
WITH earned AS (
    INSERT INTO user_achievements (user_id, achievement_key)
    SELECT %(u)s, unnest(%(keys)s::text[])
    ON CONFLICT (user_id, achievement_key) DO NOTHING
    RETURNING achievement_key
), rewards AS (
    INSERT INTO user_rewards (user_id, reward_type, source_id, coins_earned, xp_earned)
    SELECT %(u)s, 'achievement', d.id, d.reward_coins, d.reward_xp
    FROM achievement_definitions d JOIN earned e ON e.achievement_key = d.key
    WHERE d.reward_coins > 0 OR d.reward_xp > 0
)
SELECT achievement_key FROM earned
"""


def trigger_met(trigger_type: str, config: dict[str, Any], metrics: dict[str, Any]) -> bool:
    """Whether a trigger holds for a user's metrics.

    threshold: {"metric": "total_xp" | "level" | "skill_stars" | "coins_earned" | "streak.<type>", "value": N}
    event:     {"event_type": "<ledger event type>", "count": N}   (default count 1)
    compound:  {"all": [<trigger>, ...]} or {"any": [...]}, each with its own "type"
    """
    if trigger_type == "threshold":
        metric = config.get("metric", "")
        if metric.startswith("streak."):
            value = metrics["streaks"].get(metric.removeprefix("streak."), 0)
        else:
            value = metrics.get(metric, 0)
        return bool(value >= config.get("value", math.inf))
    if trigger_type == "event":
        return bool(metrics["events"].get(config.get("event_type"), 0) >= config.get("count", 1))
    if trigger_type == "compound":
        parts = [trigger_met(p.get("type", ""), p, metrics) for p in config.get("all", config.get("any", []))]
        return bool(parts) and (all(parts) if "all" in config else any(parts))
    return False


def check_achievements(conn: Connection, user_id: UUID) -> list[str]:
    """Grant every achievement whose trigger the user now meets; returns the keys earned just now."""
    row = conn.execute(ACHIEVEMENT_METRICS, {"u": user_id}).fetchone()
    if row is None:
        return []
    total_xp, level, stars, coins_earned, events, streaks, pending = row
    metrics = {
        "total_xp": total_xp,
        "level": level,
        "skill_stars": stars,
        "coins_earned": coins_earned,
        "events": events,
        "streaks": streaks,
    }
    keys = [d["key"] for d in pending if trigger_met(d["trigger_type"], d["trigger_config"], metrics)]
    if not keys:
        return []
    return [k for (k,) in conn.execute(GRANT_ACHIEVEMENTS, {"u": user_id, "keys": keys}).fetchall()]


class GrantIn(RequestModel):
    coins: int = Field(default=0, ge=-1_000_000, le=1_000_000)
    xp: int = Field(default=0, ge=-1_000_000, le=1_000_000)
    # Stars only go up: a skill's level is earned, and no route takes stars back.
    skill_stars: int = Field(default=0, ge=0, le=10_000)
    skill_key: str | None = Field(default=None, min_length=1, max_length=50)
    reason: Reason

    @model_validator(mode="after")
    def _grants_something(self) -> GrantIn:
        if not (self.coins or self.xp or self.skill_stars):
            raise ValueError("a grant needs non-zero coins, xp or skill_stars")
        if bool(self.skill_stars) != (self.skill_key is not None):
            raise ValueError("skill_stars and skill_key go together")
        return self


# One statement (migrations/functions/admin_grant.sql): checks, the award and its audit row; for a key paid before,
# the request its audit row recorded (the ledger row holds XP after boosts).
ADMIN_GRANT = """
SELECT e.id, e.event_type, e.event_id, e.coins, e.xp, e.skill_stars, e.skill_key, e.reason, e.created_at,
       g.applied, g.first_request, g.achievements_due
FROM admin_grant(%(admin_id)s, %(session_id)s, %(user_id)s, %(key)s, %(coins)s, %(xp)s, %(skill_key)s,
                 %(skill_stars)s, %(reason)s, %(request)s, %(ip_address)s, %(user_agent)s, %(request_id)s) g,
     LATERAL (SELECT (g.entry).*) e
"""


def admin_grant(
    conn: Connection, admin: CurrentUser, user_id: UUID, body: GrantIn, idempotency_key: str | None, client: ClientInfo
) -> LedgerEntry:
    """An admin pays (or takes back) coins and XP, or pays skill stars; the same key grants once and answers the
    same, and the same key sent with another body is a 409, as on every idempotent route.
    Without a key, every call is a new grant. One statement; the achievement check follows only when the statement
    says one could be due.

    Raises: NotFound, InsufficientCoins, InvalidInput unknown_skill, Conflict idempotency_key_reused.
    """
    request = body.model_dump(mode="json")
    params = {
        "admin_id": admin.id,
        "session_id": admin.session_id,
        "user_id": user_id,
        "key": f"admin-grant:{idempotency_key or uuid4()}",
        "coins": body.coins,
        "xp": body.xp,
        "skill_key": body.skill_key,
        "skill_stars": body.skill_stars,
        "reason": body.reason,
        "request": Jsonb(request),
        "ip_address": client.ip_address,
        "user_agent": client.user_agent,
        "request_id": client.request_id,
    }
    row: dict[str, Any] = db.fetch_one(conn, dict, ADMIN_GRANT, params, resource="award")
    applied, first, due = row.pop("applied"), row.pop("first_request"), row.pop("achievements_due")
    if due:
        check_achievements(conn, user_id)
    if not applied:
        # A grant audited before a field existed recorded none: it had that field's default.
        fields = GrantIn.model_fields
        if first is None or any(first.get(name, fields[name].default) != request[name] for name in fields):
            raise Conflict(
                "This Idempotency-Key was used for a different grant",
                code="idempotency_key_reused",
                details={"ledger_id": str(row["id"])},
            )
    return LedgerEntry.model_validate(row)
