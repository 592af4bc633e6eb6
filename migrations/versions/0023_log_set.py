"""Logging a set advances the quests that count working sets in the same statement, so a logged set is two round
trips with authentication whether or not a quest counts it, and the set and its quest progress commit together.

``user_time_zone`` gives that statement the person's zone (their setting, else UTC) for the quest periods.

Revision ID: 0023_log_set
Revises: 0022_claim
"""

from alembic import op
from momentum_infra.migrate import apply_sql

revision = "0023_log_set"
down_revision = "0022_claim"
branch_labels = None
depends_on = None

OWN_TABLES: tuple[str, ...] = ()

SOURCES = {"user_time_zone": "2cd5ae47583a47e3"}


def upgrade() -> None:
    apply_sql(*SOURCES)


def downgrade() -> None:
    op.execute("DROP FUNCTION user_time_zone(uuid)")
