"""A reading-session Idempotency-Key remembers the body it was sent with, so the same key with another body is a
409 as on every idempotent route (keys kept before this revision have no digest and replay as before).

Revision ID: 0021_request_digest
Revises: 0020_limits
"""

from alembic import op

revision = "0021_request_digest"
down_revision = "0020_limits"
branch_labels = None
depends_on = None

OWN_TABLES: tuple[str, ...] = ()


def upgrade() -> None:
    op.execute("ALTER TABLE reading_session_requests ADD COLUMN request_digest TEXT")


def downgrade() -> None:
    op.execute("ALTER TABLE reading_session_requests DROP COLUMN request_digest")
