"""Indexes for the large data set (bench/bench_scale.py): a person's purchases by time and by item.

At 5,000,000 purchases a heavy buyer holds thousands of them, and the spec's ``user_purchases_user_idx`` (user_id)
makes each read go through all of them:

- ``GET /market/purchases`` pages newest first by (purchased_at, id): with
  ``user_purchases_user_purchased_idx`` a page is the first rows of one index range instead of a sort of every
  purchase of the person;
- ``GET /market/items`` (and one item) says for each item whether the caller owns it, an EXISTS per item: with
  ``user_purchases_user_item_idx`` that is one probe per item instead of a walk through the person's purchases.

The spec's indexes stay as they are.

Revision ID: 0023_scale_indexes
Revises: 0022_claim
"""

from alembic import op

revision = "0023_scale_indexes"
down_revision = "0022_claim"
branch_labels = None
depends_on = None

OWN_TABLES: tuple[str, ...] = ()

INDEXES = {
    "user_purchases_user_purchased_idx": "user_purchases (user_id, purchased_at DESC, id DESC)",
    "user_purchases_user_item_idx": "user_purchases (user_id, item_id)",
}


def upgrade() -> None:
    for name, target in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {target}")


def downgrade() -> None:
    for name in reversed(INDEXES):
        op.execute(f"DROP INDEX {name}")
