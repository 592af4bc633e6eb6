"""Shop-wide purchase statistics for the nightly recommendations (momentum.market.recommendations).

How many people hold each item, and how many hold each pair of items, are the same for every user. Computed inside
each range's statement they were recomputed from every purchase once per range of 1,000 users — at 5,000,000
purchases a single range ran past the statement timeout. The nightly producer now computes them once, into these
two tables, before it queues the ranges; each range reads them. They hold no person's data. Not in the schema
spec, tables of our own.

Revision ID: 0027_shop_statistics
Revises: 0026_activity_writes
"""

from alembic import op

revision = "0027_shop_statistics"
down_revision = "0026_activity_writes"
branch_labels = None
depends_on = None

# Tables of our own this revision adds (the schema test holds each revision to exactly its tables).
OWN_TABLES = ("market_item_holders", "market_item_pairs")


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE market_item_holders (
            item_id UUID PRIMARY KEY REFERENCES market_items (id) ON DELETE CASCADE,
            holders INTEGER NOT NULL CHECK (holders > 0)
        );
        CREATE TABLE market_item_pairs (
            item_id UUID NOT NULL REFERENCES market_items (id) ON DELETE CASCADE,
            other_item_id UUID NOT NULL REFERENCES market_items (id) ON DELETE CASCADE,
            holders INTEGER NOT NULL CHECK (holders > 0),
            PRIMARY KEY (item_id, other_item_id)
        );
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE market_item_pairs; DROP TABLE market_item_holders")
