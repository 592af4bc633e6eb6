"""Claimable rewards: the daily reward, achievement rewards, rewards admins give, and claiming them.

Daily reward: ``POST /market/rewards/daily`` creates at most one ``daily`` reward per user per local day (the
day in their ``timezone`` setting; a second call that day is 409 ``daily_reward_exists``). Collecting it extends
the user's ``daily`` streak (consecutive local days; a missed day restarts it at 1), and day n of the streak is
worth ``10 × min(n, 7)`` coins and ``5 × min(n, 7)`` XP — 10 coins and 5 XP on the first day, growing to the cap
of 70 coins and 35 XP from the seventh consecutive day. It must be claimed by the end of the following local day.
Changing the timezone does not start a new day early: see ``momentum.platform.days``. Concurrent requests are
serialised by a per-user advisory lock, so "once a day" holds however many arrive at once. It is one statement, the
SQL function ``daily_reward_create`` (migrations/functions), given the amounts by streak day. Being created on
request, in the person's own day, it needs no job over all users (see ``momentum.jobs``).

Achievement rewards are created by ``gamification.check_achievements`` when an achievement with a reward is
earned; it runs after purchases and claims when their statement says one could be due.

Claim: one statement — the SQL function ``claim_reward`` (migrations/functions/claim_reward.sql) locks the reward, pays
``coins_earned``/``xp_earned`` once through ``award_points`` (ledger key ``reward:<reward_id>``), marks it claimed
and writes a ``reward`` coin transaction (when it pays coins). Another user's reward is 404, a claimed one 409
``already_claimed``, an expired one 410 ``expired``.

Admin rewards accept an Idempotency-Key: the reward's id is derived from (user, key), so a retry finds the first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4, uuid5

from psycopg import Connection
from psycopg.rows import class_row, dict_row

from momentum import db, gamification, metrics
from momentum.audit import ClientInfo, audit
from momentum.auth import CurrentUser, get_user
from momentum.errors import Conflict, InvalidInput
from momentum.market.models import ClaimResult, Reward, RewardIn, RewardQuery
from momentum.pagination import Page, PageRequest, page_of

DAILY_COINS_PER_DAY = 10
DAILY_XP_PER_DAY = 5
DAILY_STREAK_CAP = 7
DAILY_STREAK = "daily"

# Admin reward ids are uuid5(namespace, "<user_id>:<Idempotency-Key>").
ADMIN_REWARD_NAMESPACE = UUID("6f1d3c0e-8f0a-4b7e-9a55-0c4b1e2d7a91")

REWARD_STATE = "CASE WHEN r.claimed THEN 'claimed' WHEN r.expires_at <= now() THEN 'expired' ELSE 'claimable' END"
REWARD_COLUMNS = f"""
r.id, r.reward_type, r.source_id, r.coins_earned, r.xp_earned, r.claimed, r.claimed_at, r.expires_at, r.created_at,
{REWARD_STATE} AS state
"""

# Claimable rewards first, then claimed and expired ones; newest first within each.
LIST_REWARDS = f"""
SELECT * FROM (
    SELECT {REWARD_COLUMNS}, ({REWARD_STATE} <> 'claimable')::int AS settled
    FROM user_rewards r WHERE r.user_id = %(user_id)s
) r
WHERE (%(state)s::text IS NULL OR r.state = %(state)s)
  AND (%(after_settled)s::int IS NULL OR r.settled > %(after_settled)s
       OR (r.settled = %(after_settled)s AND (r.created_at, r.id) < (%(after_at)s, %(after_id)s::uuid)))
ORDER BY r.settled, r.created_at DESC, r.id DESC
LIMIT %(limit)s
"""

CREATE_DAILY = f"""
SELECT {REWARD_COLUMNS} FROM daily_reward_create(%(user_id)s, %(coins)s, %(xp)s) r
"""

CLAIM_REWARD = f"""
SELECT {REWARD_COLUMNS}, c.coins, c.total_xp, c.level, c.achievements_due
FROM claim_reward(%(user_id)s, %(reward_id)s) c, LATERAL (SELECT (c.reward).*) r
"""

INSERT_ADMIN_REWARD = f"""
INSERT INTO user_rewards AS r (id, user_id, reward_type, source_id, coins_earned, xp_earned, expires_at)
VALUES (%(id)s, %(user_id)s, %(reward_type)s, %(source_id)s, %(coins_earned)s, %(xp_earned)s, %(expires_at)s)
ON CONFLICT (id) DO NOTHING
RETURNING {REWARD_COLUMNS}
"""

GET_REWARD = f"SELECT {REWARD_COLUMNS} FROM user_rewards r WHERE r.id = %(id)s AND r.user_id = %(user_id)s"


def daily_reward_amount(streak_day: int) -> tuple[int, int]:
    """(coins, XP) of the daily reward on day ``streak_day`` of a streak: grows daily, capped from day 7."""
    day = max(1, min(streak_day, DAILY_STREAK_CAP))
    return DAILY_COINS_PER_DAY * day, DAILY_XP_PER_DAY * day


def list_rewards(conn: Connection, user_id: UUID, query: RewardQuery, page: PageRequest) -> Page[Reward]:
    """The caller's rewards: claimable first, then claimed and expired, newest first within each.

    Raises: InvalidInput for a malformed cursor.
    """
    after_settled, after_at, after_id = page.after_key(int, datetime, UUID)
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            LIST_REWARDS,
            {
                "user_id": user_id,
                "state": query.state,
                "after_settled": after_settled,
                "after_at": after_at,
                "after_id": after_id,
                "limit": page.limit + 1,
            },
        ).fetchall()
    rewards = [Reward.model_validate(row) for row in rows]
    return page_of(rewards, page, key=lambda r: (int(r.state != "claimable"), r.created_at.isoformat(), str(r.id)))


def create_daily_reward(conn: Connection, user_id: UUID) -> Reward:
    """Today's daily reward for the caller, sized by their daily streak.

    Raises: Conflict (daily_reward_exists) when it was already collected today (local day, in every timezone
    the user used since the last one).
    """
    amounts = [daily_reward_amount(day) for day in range(1, DAILY_STREAK_CAP + 1)]
    params = {"user_id": user_id, "coins": [c for c, _ in amounts], "xp": [x for _, x in amounts]}
    return db.fetch_one(conn, Reward, CREATE_DAILY, params, resource="reward")


def claim_reward(conn: Connection, user_id: UUID, reward_id: UUID) -> ClaimResult:
    """Pay a reward once, in one round trip; then grant any achievement it completes (a second round trip, only
    when the statement says one could be due).

    Raises: NotFound (unknown or another user's), Conflict (already_claimed), Gone (expired).
    """
    row: dict[str, Any] = db.fetch_one(
        conn, dict, CLAIM_REWARD, {"user_id": user_id, "reward_id": reward_id}, resource="reward"
    )
    if row.pop("achievements_due"):
        gamification.check_achievements(conn, user_id)
    metrics.record("Claims")
    balances = {name: row.pop(name) for name in ("coins", "total_xp", "level")}
    return ClaimResult(reward=Reward.model_validate(row), **balances)


def admin_create_reward(
    conn: Connection, admin: CurrentUser, user_id: UUID, body: RewardIn, idempotency_key: str | None, client: ClientInfo
) -> Reward:
    """An admin gives a user a claimable reward; the same Idempotency-Key for the same user creates it once.

    Raises: NotFound (unknown user), InvalidInput (expiry in the past), Conflict (idempotency_key_reused).
    """
    get_user(conn, user_id)
    if body.expires_at is not None and body.expires_at <= datetime.now(body.expires_at.tzinfo):
        raise InvalidInput("expires_at must be in the future", details={"field": "expires_at"})
    reward_id = uuid5(ADMIN_REWARD_NAMESPACE, f"{user_id}:{idempotency_key}") if idempotency_key else uuid4()
    fields = body.model_dump()
    with conn.transaction(), conn.cursor(row_factory=class_row(Reward)) as cur:
        created = cur.execute(INSERT_ADMIN_REWARD, fields | {"id": reward_id, "user_id": user_id}).fetchone()
        if created is not None:
            audit(
                conn,
                "admin_action",
                user_id=admin.id,
                session_id=admin.session_id,
                resource_type="user_reward",
                resource_id=created.id,
                action="create_reward",
                client=client,
                details={"user_id": str(user_id)} | body.model_dump(mode="json"),
            )
            return created
        first = cur.execute(GET_REWARD, {"id": reward_id, "user_id": user_id}).fetchone()
    if first is None or any(getattr(first, name) != value for name, value in fields.items()):
        raise Conflict(
            "This Idempotency-Key was used for a different reward",
            code="idempotency_key_reused",
            details={"reward_id": str(reward_id)},
        )
    return first
