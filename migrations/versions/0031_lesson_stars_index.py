"""The stars a person's completed lessons paid, per skill, from an index (``GET /learn/progress``).

``learn.progress`` sums ``skill_stars`` of the person's 'lesson_completed' ledger rows per skill. With only the
spec's ``points_ledger_user_id_idx`` that reads every ledger row of the person from the heap to keep the few
lesson rows: 11.7 ms for a person with 10,000 ledger rows at the large data set (bench/bench_scale.py). This partial
index holds only lesson completions, with the skill and the stars in it, so the sum is an index-only scan of the
person's lesson rows; every other ledger write leaves it alone.

Revision ID: 0031_lesson_stars_index
Revises: 0030_workout_round_trips
"""

from alembic import op

revision = "0031_lesson_stars_index"
down_revision = "0030_workout_round_trips"
branch_labels = None
depends_on = None

OWN_TABLES: tuple[str, ...] = ()


def upgrade() -> None:
    op.execute(
        "CREATE INDEX points_ledger_user_lesson_stars_idx ON points_ledger (user_id, skill_key) "
        "INCLUDE (skill_stars) WHERE event_type = 'lesson_completed'"
    )


def downgrade() -> None:
    op.execute("DROP INDEX points_ledger_user_lesson_stars_idx")
