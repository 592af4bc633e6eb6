"""Personal quests: the person's own goals-for-a-day, with a reward they choose up to a configured limit.

The reward a person can set is capped (``PERSONAL_QUEST_MAX_XP``, ``PERSONAL_QUEST_MAX_COINS``) and so are the
claims a day (``PERSONAL_QUEST_CLAIMS_PER_DAY``, in the person's time zone): the quest is theirs to define, so
without both a person could mint coins. A repeatable quest (daily or weekly) starts again in each new period; it
keeps a streak of consecutive periods completed. A claim pays once per completion (ledger key
``personal-quest:<id>:<completed_at>``) under a row lock, so concurrent claims pay once.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from psycopg import Connection

from momentum import localtime
from momentum.config import get_settings
from momentum.db import fetch_all, fetch_one
from momentum.errors import Conflict, InvalidInput, NotFound
from momentum.pagination import Page, PageRequest, page_of
from momentum.quests.models import PersonalQuest, PersonalQuestIn, PersonalQuestPatch, QuestProgressIn

COLUMNS = """id, title, description, category, difficulty, xp_reward, coin_reward, status, progress, target, is_active,
       is_repeatable, repeat_frequency, accepted_at, completed_at, claimed_at, expires_at, last_completed_date,
       streak_count, created_at, updated_at"""

GET = f"SELECT {COLUMNS} FROM user_quests WHERE id = %(id)s AND user_id = %(user_id)s AND source_quest_id IS NULL"
LIST = f"""
SELECT {COLUMNS} FROM user_quests
WHERE user_id = %(user_id)s AND source_quest_id IS NULL
  AND (%(after_created)s::timestamptz IS NULL OR (created_at, id) < (%(after_created)s, %(after_id)s::uuid))
ORDER BY created_at DESC, id DESC
LIMIT %(limit)s
"""
LOCK = f"{GET} FOR UPDATE"
CREATE = """
INSERT INTO user_quests (user_id, title, description, category, difficulty, xp_reward, coin_reward, target,
                         is_repeatable, repeat_frequency, expires_at)
VALUES (%(user_id)s, %(title)s, %(description)s, %(category)s, %(difficulty)s, %(xp_reward)s, %(coin_reward)s,
        %(target)s, %(is_repeatable)s, %(repeat_frequency)s, %(expires_at)s)
RETURNING id
"""
DELETE = "DELETE FROM user_quests WHERE id = %(id)s AND user_id = %(user_id)s AND source_quest_id IS NULL RETURNING id"
# A repeatable quest done in an earlier period starts again (its streak is kept until a period is missed).
# personal_quest_claim.sql does the same inside the claim's statement.
RESTART = """
UPDATE user_quests SET status = 'active', progress = 0, completed_at = NULL, claimed_at = NULL
WHERE user_id = %(user_id)s AND source_quest_id IS NULL AND is_repeatable AND status <> 'active'
  AND last_completed_date < CASE repeat_frequency WHEN 'weekly' THEN date_trunc('week', %(today)s::date)::date
                                                  ELSE %(today)s::date END
"""
ADVANCE = """
UPDATE user_quests SET progress = least(target, progress + %(amount)s),
    status = CASE WHEN progress + %(amount)s >= target THEN 'completed' ELSE 'active' END,
    completed_at = CASE WHEN progress + %(amount)s >= target THEN now() END,
    last_completed_date = CASE WHEN progress + %(amount)s >= target THEN %(today)s::date ELSE last_completed_date END,
    streak_count = CASE WHEN progress + %(amount)s < target THEN streak_count
                        WHEN last_completed_date >= %(previous_period)s::date THEN streak_count + 1
                        ELSE 1 END
WHERE id = %(id)s
"""
CLAIM = f"SELECT {COLUMNS} FROM personal_quest_claim(%(user_id)s, %(id)s, %(limit)s)"
PATCHABLE = ("title", "description", "category", "difficulty", "xp_reward", "coin_reward", "target", "is_active")


def _check_reward(xp: int | None, coins: int | None) -> None:
    settings = get_settings()
    limits = {
        "xp_reward": (xp, settings.personal_quest_max_xp),
        "coin_reward": (coins, settings.personal_quest_max_coins),
    }
    over = {field: limit for field, (value, limit) in limits.items() if value is not None and value > limit}
    if over:
        raise InvalidInput("A personal quest's reward is above the limit", code="reward_over_limit", details=over)


def _restart(conn: Connection, user_id: UUID) -> date:
    today = localtime.local_today(conn, user_id)
    conn.execute(RESTART, {"user_id": user_id, "today": today})
    return today


def list_personal(conn: Connection, user_id: UUID, page: PageRequest) -> Page[PersonalQuest]:
    _restart(conn, user_id)
    after_created, after_id = page.after_key(datetime, UUID)
    params = {"user_id": user_id, "after_created": after_created, "after_id": after_id, "limit": page.limit + 1}
    rows = fetch_all(conn, PersonalQuest, LIST, params)
    return page_of(rows, page, key=lambda q: (q.created_at.isoformat(), str(q.id)))


def get_personal(conn: Connection, user_id: UUID, quest_id: UUID) -> PersonalQuest:
    """Raises: NotFound."""
    _restart(conn, user_id)
    return fetch_one(conn, PersonalQuest, GET, {"id": quest_id, "user_id": user_id}, resource="quest")


def create_personal(conn: Connection, user_id: UUID, body: PersonalQuestIn) -> PersonalQuest:
    """Raises: InvalidInput (reward_over_limit)."""
    _check_reward(body.xp_reward, body.coin_reward)
    (quest_id,) = conn.execute(CREATE, body.model_dump() | {"user_id": user_id}).fetchone() or (None,)
    return get_personal(conn, user_id, quest_id)


def update_personal(conn: Connection, user_id: UUID, quest_id: UUID, body: PersonalQuestPatch) -> PersonalQuest:
    """Change the fields sent. Raises: NotFound, InvalidInput (reward_over_limit)."""
    _check_reward(body.xp_reward, body.coin_reward)
    fields = [f for f in PATCHABLE if f in body.model_fields_set]
    with conn.transaction():
        current = fetch_one(conn, PersonalQuest, LOCK, {"id": quest_id, "user_id": user_id}, resource="quest")
        if fields:
            values: dict[str, Any] = {f: getattr(body, f) for f in fields} | {"id": quest_id}
            assignments = ", ".join(f"{f} = %({f})s" for f in fields)
            # A lower target can complete an active quest at once.
            target = values.get("target", current.target)
            if current.status == "active" and current.progress >= target:
                assignments += ", status = 'completed', completed_at = now()"
            conn.execute(f"UPDATE user_quests SET {assignments} WHERE id = %(id)s", values)
    return get_personal(conn, user_id, quest_id)


def delete_personal(conn: Connection, user_id: UUID, quest_id: UUID) -> None:
    """Raises: NotFound."""
    if conn.execute(DELETE, {"id": quest_id, "user_id": user_id}).fetchone() is None:
        raise NotFound("quest")


def _previous_period(frequency: str | None, today: date) -> date:
    """The first day of the period before today's: a completion on or after it continues the streak."""
    if frequency == "weekly":
        return today - timedelta(days=today.weekday() + 7)
    return today - timedelta(days=1)


def advance_personal(conn: Connection, user_id: UUID, quest_id: UUID, body: QuestProgressIn) -> PersonalQuest:
    """Record progress on an active quest. Raises: NotFound, Conflict (quest_not_active)."""
    with conn.transaction():
        today = _restart(conn, user_id)
        quest = fetch_one(conn, PersonalQuest, LOCK, {"id": quest_id, "user_id": user_id}, resource="quest")
        if quest.status != "active" or not quest.is_active:
            raise Conflict("The quest is not active", code="quest_not_active", details={"status": quest.status})
        params = {
            "id": quest_id,
            "amount": body.amount,
            "today": today,
            "previous_period": _previous_period(quest.repeat_frequency, today),
        }
        conn.execute(ADVANCE, params)
    return get_personal(conn, user_id, quest_id)


def claim_personal(conn: Connection, user_id: UUID, quest_id: UUID) -> PersonalQuest:
    """Pay a completed quest's reward once, in one statement (migrations/functions/personal_quest_claim.sql).

    Raises: NotFound, Conflict (quest_not_completed, already_claimed), Conflict (personal_quest_limit).
    """
    params = {"user_id": user_id, "id": quest_id, "limit": get_settings().personal_quest_claims_per_day}
    return fetch_one(conn, PersonalQuest, CLAIM, params, resource="quest")
