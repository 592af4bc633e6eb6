"""Indexes for the large data set (bench/bench_scale.py): purchases by time and by item, the active focus session.

At 5,000,000 purchases and 2,000,000 focus sessions a heavy user holds thousands of each, and the spec's
single-column indexes make each read below go through all of them:

- ``GET /market/purchases`` pages newest first by (purchased_at, id): with
  ``user_purchases_user_purchased_idx`` a page is the first rows of one index range instead of a sort of every
  purchase of the person;
- ``GET /market/items`` (and one item) asks per item whether the caller owns it, and ``GET
  /market/recommendations`` whether they bought it: ``user_purchases_user_item_idx`` answers both from the index
  alone (status and uses_remaining are in it), reading only the person's purchases of that item instead of walking
  through all of their purchases and fetching each row;
- every focus route first ends the person's expired active session and ``GET /focus/current`` reads the active
  one: ``focus_sessions_user_active_idx`` finds it at once, where ``focus_sessions_user_id_idx`` walks all of the
  person's sessions and the spec's ``focus_sessions_status_idx`` all active sessions of everyone.

The spec's indexes stay as they are.

Revision ID: 0024_scale_indexes
Revises: 0023_log_set
"""

from alembic import op

revision = "0024_scale_indexes"
down_revision = "0023_log_set"
branch_labels = None
depends_on = None

OWN_TABLES: tuple[str, ...] = ()

INDEXES = {
    "user_purchases_user_purchased_idx": "user_purchases (user_id, purchased_at DESC, id DESC)",
    "user_purchases_user_item_idx": "user_purchases (user_id, item_id, status) INCLUDE (uses_remaining)",
    "focus_sessions_user_active_idx": "focus_sessions (user_id) WHERE status = 'active'",
}


def upgrade() -> None:
    for name, target in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {target}")


def downgrade() -> None:
    for name in reversed(INDEXES):
        op.execute(f"DROP INDEX {name}")
