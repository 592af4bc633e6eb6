"""Universal quests: admins define them; a person accepts one, does the thing, and claims the reward once.

Claiming creates a ``quest`` reward in ``user_rewards`` (``source_id`` is the quest) and claims it through the
market's ``claim_reward`` SQL function, so the payment is the one every reward takes (ledger key
``reward:<reward_id>``). All of it is one statement, ``quest_claim``: the progress row is locked first and moves
from completed to claimed in it, so a quest pays once per completion however many claims arrive at once.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import Connection
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from momentum import gamification, metrics
from momentum.db import fetch_all, fetch_one
from momentum.errors import Conflict, NotFound
from momentum.pagination import Page, PageRequest, page_of
from momentum.quests.models import Quest, QuestClaim, QuestIn, QuestPatch, QuestQuery, UserQuest
from momentum.quests.progress import reset_periods

QUEST_COLUMNS = """q.id, q.title, q.description, q.type, q.target_type, q.target, q.target_config, q.xp_reward,
       q.coin_reward, q.skill_key, q.is_active, q.sort_order, q.created_at, q.updated_at"""

USER_QUEST = f"""
SELECT {QUEST_COLUMNS},
       CASE WHEN p.id IS NOT NULL THEN jsonb_build_object(
           'status', p.status, 'progress', p.progress, 'accepted_at', p.accepted_at, 'completed_at', p.completed_at,
           'claimed_at', p.claimed_at, 'times_completed', p.times_completed) END AS progress
FROM universal_quests q
LEFT JOIN user_quest_progress p ON p.quest_id = q.id AND p.user_id = %(user_id)s
"""

# A person sees active quests, and inactive ones they accepted (to claim what they completed).
GET_USER_QUEST = f"{USER_QUEST} WHERE q.id = %(id)s AND (q.is_active OR p.id IS NOT NULL)"
LIST_USER_QUESTS = f"""{USER_QUEST}
WHERE (q.is_active OR p.id IS NOT NULL) AND (%(accepted)s::boolean IS NULL OR (p.id IS NOT NULL) = %(accepted)s)
  AND (%(after_order)s::integer IS NULL OR (q.sort_order, q.id) > (%(after_order)s, %(after_id)s::uuid))
ORDER BY q.sort_order, q.id
LIMIT %(limit)s
"""

ACCEPT = """
INSERT INTO user_quest_progress (user_id, quest_id)
SELECT %(user_id)s, q.id FROM universal_quests q WHERE q.id = %(id)s AND q.is_active
ON CONFLICT (user_id, quest_id) DO NOTHING
RETURNING id
"""

CLAIM = f"""
SELECT {QUEST_COLUMNS}, c.progress, c.reward_id, c.coins, c.total_xp, c.level, c.achievements_due
FROM quest_claim(%(user_id)s, %(id)s) c, LATERAL (SELECT (c.quest).*) q
"""

ADMIN_LIST = f"""
SELECT {QUEST_COLUMNS} FROM universal_quests q
WHERE %(after_order)s::integer IS NULL OR (q.sort_order, q.id) > (%(after_order)s, %(after_id)s::uuid)
ORDER BY q.sort_order, q.id
LIMIT %(limit)s
"""
ADMIN_GET = f"SELECT {QUEST_COLUMNS} FROM universal_quests q WHERE q.id = %(id)s"
CREATE = """
INSERT INTO universal_quests (title, description, type, target_type, target, target_config, xp_reward, coin_reward,
                              skill_key, is_active, sort_order, created_by)
VALUES (%(title)s, %(description)s, %(type)s, %(target_type)s, %(target)s, %(target_config)s, %(xp_reward)s,
        %(coin_reward)s, %(skill_key)s, %(is_active)s, %(sort_order)s, %(created_by)s)
RETURNING id
"""
DELETE = "DELETE FROM universal_quests WHERE id = %(id)s RETURNING id"
PATCHABLE = (
    "title",
    "description",
    "type",
    "target_type",
    "target",
    "target_config",
    "xp_reward",
    "coin_reward",
    "skill_key",
    "is_active",
    "sort_order",
)


def _params(values: dict[str, Any]) -> dict[str, Any]:
    if values.get("target_config") is not None:
        values["target_config"] = Jsonb(values["target_config"])
    return values


def list_quests(conn: Connection, user_id: UUID, query: QuestQuery, page: PageRequest) -> Page[UserQuest]:
    """Active universal quests with the person's progress in those they accepted."""
    reset_periods(conn, user_id)
    after_order, after_id = page.after_key(int, UUID)
    params = {
        "user_id": user_id,
        "accepted": query.accepted,
        "after_order": after_order,
        "after_id": after_id,
        "limit": page.limit + 1,
    }
    rows = fetch_all(conn, UserQuest, LIST_USER_QUESTS, params)
    return page_of(rows, page, key=lambda q: (q.sort_order, str(q.id)))


def get_quest(conn: Connection, user_id: UUID, quest_id: UUID) -> UserQuest:
    """A quest as the person sees it. Raises: NotFound (unknown, or inactive and never accepted)."""
    reset_periods(conn, user_id, quest_id)
    return fetch_one(conn, UserQuest, GET_USER_QUEST, {"user_id": user_id, "id": quest_id}, resource="quest")


def accept_quest(conn: Connection, user_id: UUID, quest_id: UUID) -> UserQuest:
    """Accept an active quest. Raises: NotFound, Conflict (quest_accepted) when accepted already."""
    with conn.transaction():
        if conn.execute(ACCEPT, {"user_id": user_id, "id": quest_id}).fetchone() is None:
            quest = get_quest(conn, user_id, quest_id)  # NotFound for an unknown or inactive quest
            if quest.progress is None:
                raise NotFound("quest")
            raise Conflict("The quest is accepted already", code="quest_accepted")
    return get_quest(conn, user_id, quest_id)


def claim_quest(conn: Connection, user_id: UUID, quest_id: UUID) -> QuestClaim:
    """Claim a completed quest's reward once (a ``quest`` reward, claimed at once), in one statement
    (migrations/functions/quest_claim.sql); then grant any achievement it completes, only when the statement says
    one could be due.

    Raises: NotFound (not accepted), Conflict (quest_not_completed, already_claimed).
    """
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(CLAIM, {"user_id": user_id, "id": quest_id}).fetchone()
    assert row is not None  # the function answers one row or raises
    if row.pop("achievements_due"):
        gamification.check_achievements(conn, user_id)
    metrics.record("Claims")
    balances = {name: row.pop(name) for name in ("reward_id", "coins", "total_xp", "level")}
    return QuestClaim(quest=UserQuest.model_validate(row), **balances)


# ---------------------------------------------------------------- admin


def admin_list_quests(conn: Connection, page: PageRequest) -> Page[Quest]:
    after_order, after_id = page.after_key(int, UUID)
    params = {"after_order": after_order, "after_id": after_id, "limit": page.limit + 1}
    rows = fetch_all(conn, Quest, ADMIN_LIST, params)
    return page_of(rows, page, key=lambda q: (q.sort_order, str(q.id)))


def admin_get_quest(conn: Connection, quest_id: UUID) -> Quest:
    return fetch_one(conn, Quest, ADMIN_GET, {"id": quest_id}, resource="quest")


def admin_create_quest(conn: Connection, admin_id: UUID, body: QuestIn) -> Quest:
    (quest_id,) = conn.execute(CREATE, _params(body.model_dump() | {"created_by": admin_id})).fetchone() or (None,)
    return admin_get_quest(conn, quest_id)


def admin_update_quest(conn: Connection, quest_id: UUID, body: QuestPatch) -> Quest:
    """Change the fields sent. Raises: NotFound."""
    fields = [f for f in PATCHABLE if f in body.model_fields_set]
    if fields:
        assignments = ", ".join(f"{f} = %({f})s" for f in fields)
        values = _params({f: getattr(body, f) for f in fields} | {"id": quest_id})
        if conn.execute(f"UPDATE universal_quests SET {assignments} WHERE id = %(id)s", values).rowcount == 0:
            raise NotFound("quest")
    return admin_get_quest(conn, quest_id)


def admin_delete_quest(conn: Connection, quest_id: UUID) -> None:
    """Delete a quest with everyone's progress in it (deactivate it instead to keep the history). Raises: NotFound."""
    if conn.execute(DELETE, {"id": quest_id}).fetchone() is None:
        raise NotFound("quest")
