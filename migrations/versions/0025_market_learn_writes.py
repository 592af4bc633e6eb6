"""Paying writes in one statement: a quest claim, a personal quest claim, an admin's grant, a refund and a use are
one SQL function each, so with authentication each is two round trips (three when an achievement could be due).
A review, a drill round or a quiz, which must read its row before Python grades it, writes everything in one statement
after that read.

- ``award_boosted`` is ``gamification.award`` for use inside such a statement: it applies running shop boosts to
  the XP earned and pays through ``award_points``.
- ``personal_quest_claim`` restarts the person's repeatable quests of an earlier period, locks the quest, checks
  its state and the daily cap, pays and marks it claimed.
- ``quest_claim`` resets a universal quest's period, locks the progress row and claims a new 'quest' reward
  through ``claim_reward``.
- ``admin_grant`` checks the user and the skill, pays, and audits the grant; ``achievements_due`` tells it (as
  ``claim_reward`` tells a claim) whether the achievement check that follows is needed at all.
- ``learn_review_record`` writes a graded review (FSRS schedules it in Python first): the card, the XP under the
  day's cap (``learn_usage_take``) and the log.
- ``learn_round_record`` writes a drill round scored in Python: stats, capped XP, the round, its review card
  (``learn_add_cards``, which takes the cards FSRS reviewed once in Python).
- ``learn_quiz_record`` writes a graded quiz attempt, and on the first pass pays the lesson and creates its cards.
- ``use_purchase`` takes a use and starts what the item does (a boost, a banked freeze).
- ``refund_purchase`` locks the purchase, checks who may refund it and when, pays back, restocks and records.

Revision ID: 0025_market_learn_writes
Revises: 0024_scale_indexes
"""

from alembic import op
from momentum_infra.migrate import apply_sql

revision = "0025_market_learn_writes"
down_revision = "0024_scale_indexes"
branch_labels = None
depends_on = None

OWN_TABLES: tuple[str, ...] = ()

SOURCES = {
    "award_boosted": "ac788416249047c3",
    "personal_quest_claim": "f5c84458e9788b43",
    "achievements_due": "2df50945e54fd1d9",
    "admin_grant": "48fdb3fbe1a250bc",
    "refund_purchase": "02e5d73f1e1275a1",
    "use_purchase": "7891ec5ad5641a43",
    "learn_usage_take": "1408a533bad7723a",
    "learn_review_record": "9ea7b7257433cc17",
    "learn_add_cards": "be26cfdb994fea5b",
    "learn_round_record": "7209c080f1a61f6c",
    "learn_quiz_record": "46c7b3ac3c522969",
    "quest_claim": "8fb623ea0fb80930",
}


def upgrade() -> None:
    apply_sql(*SOURCES)


def downgrade() -> None:
    op.execute(
        "DROP FUNCTION learn_review_record(uuid, uuid, integer, jsonb, timestamptz, bigint, integer, timestamptz,"
        " text, boolean, timestamptz, date, integer, integer)"
    )
    op.execute(
        "DROP FUNCTION learn_round_record(uuid, uuid, uuid, integer, integer, integer, boolean, integer, integer,"
        " integer, integer, date, integer, integer, jsonb)"
    )
    op.execute(
        "DROP FUNCTION learn_quiz_record(uuid, uuid, integer, boolean, jsonb, boolean, integer, integer, text,"
        " integer, text, jsonb)"
    )
    op.execute("DROP FUNCTION learn_add_cards(uuid, jsonb)")
    op.execute("DROP FUNCTION learn_usage_take(uuid, date, text, integer, integer)")
    op.execute("DROP FUNCTION use_purchase(uuid, uuid, jsonb)")
    op.execute("DROP FUNCTION refund_purchase(uuid, boolean, uuid, uuid, text, interval, text, text, text)")
    op.execute("DROP FUNCTION quest_claim(uuid, uuid)")
    op.execute(
        "DROP FUNCTION admin_grant(uuid, uuid, uuid, text, integer, integer, text, integer, text, jsonb, text, text,"
        " text)"
    )
    op.execute("DROP FUNCTION achievements_due(uuid, text[], text[])")
    op.execute("DROP FUNCTION personal_quest_claim(uuid, uuid, integer)")
    op.execute("DROP FUNCTION award_boosted(uuid, text, text, integer, integer, text, integer, text, uuid, boolean)")
