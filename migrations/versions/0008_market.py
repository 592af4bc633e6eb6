"""Market: items, purchases, coin transactions, claimable rewards, recommendations (schema-part2.md, 0008).

Migrations 0004-0007 (focus, habits/goals, quests, planning) are not part of this product, so 0008 follows 0003.

Revision ID: 0008_market
Revises: 0003_gamification
"""

from alembic import op
from momentum_infra.migrate import apply_sql

revision = "0008_market"
down_revision = "0003_gamification"
branch_labels = None
depends_on = None


# Ours, not the spec's: the purchase and the claim are each one statement (one round trip, one transaction), and
# the rule of what can be bought lives in one place that the catalog's `purchasable` flag and the purchase share.
# They pay and charge only through award_points (0003). Errors carry their own SQLSTATE, mapped to domain errors
# by momentum.dberrors; details travel as JSON in DETAIL.
#   MM404 unknown or hidden item / unknown reward    MM001 out of stock     MM002 not available now
#   MM003 already owned (non-consumable)              MM004 Idempotency-Key reused for another purchase
#   MM005 reward already claimed                      MM006 reward expired   MM422 bad quantity
MARKET_FUNCTIONS = (
    "market_item_unavailability",
    "market_purchase_problem",
    "market_refuse_purchase",
    "market_purchase_for_key",
    "purchase_item",
    "claim_reward",
)


def upgrade() -> None:
    op.execute("""
    CREATE TABLE market_items (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        key TEXT UNIQUE,
        name TEXT NOT NULL,
        description TEXT,
        category TEXT NOT NULL,
        cost_coins INTEGER NOT NULL,
        rarity TEXT NOT NULL DEFAULT 'common',
        icon TEXT,
        icon_url TEXT,
        image_url TEXT,
        is_global BOOLEAN NOT NULL DEFAULT true,
        is_available BOOLEAN NOT NULL DEFAULT true,
        is_active BOOLEAN NOT NULL DEFAULT true,
        is_consumable BOOLEAN NOT NULL DEFAULT false,
        uses_per_purchase INTEGER DEFAULT 1,
        total_stock INTEGER,
        remaining_stock INTEGER,
        available_from TIMESTAMPTZ,
        available_until TIMESTAMPTZ,
        created_by_user_id UUID REFERENCES users (id),
        sort_order INTEGER NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE INDEX market_items_category_idx ON market_items (category);
    CREATE INDEX market_items_available_idx ON market_items (is_available, is_active);
    -- Ours, not the spec's: stock is never oversold, whatever the code does (as the wallet refuses a negative balance).
    ALTER TABLE market_items ADD CONSTRAINT market_items_stock_nonnegative CHECK (remaining_stock >= 0);
    CREATE TRIGGER market_items_set_updated_at BEFORE UPDATE ON market_items
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    CREATE TABLE user_purchases (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        item_id UUID REFERENCES market_items (id),
        cost_coins INTEGER NOT NULL,
        quantity INTEGER NOT NULL DEFAULT 1,
        purchased_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        redeemed_at TIMESTAMPTZ,
        uses_remaining INTEGER,
        status TEXT NOT NULL DEFAULT 'active',
        refunded_at TIMESTAMPTZ,
        refund_reason TEXT
    );
    CREATE INDEX user_purchases_user_idx ON user_purchases (user_id);
    CREATE INDEX user_purchases_item_idx ON user_purchases (item_id);

    CREATE TABLE market_transactions (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        transaction_type TEXT NOT NULL,
        coins_amount INTEGER NOT NULL,
        item_id UUID REFERENCES market_items (id),
        reason TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE INDEX market_transactions_user_idx ON market_transactions (user_id);
    -- Ours, not the spec's: transaction history is listed newest first with keyset pagination on (created_at, id).
    CREATE INDEX market_transactions_user_created_idx ON market_transactions (user_id, created_at DESC, id DESC);

    CREATE TABLE user_rewards (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        reward_type TEXT NOT NULL,
        source_id UUID,
        coins_earned INTEGER NOT NULL DEFAULT 0,
        xp_earned INTEGER NOT NULL DEFAULT 0,
        claimed BOOLEAN NOT NULL DEFAULT false,
        claimed_at TIMESTAMPTZ,
        expires_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE INDEX user_rewards_user_claimed_idx ON user_rewards (user_id, claimed);

    CREATE TABLE market_recommendations (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        item_id UUID REFERENCES market_items (id) ON DELETE CASCADE,
        score REAL NOT NULL,
        reason TEXT,
        computed_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE INDEX market_recommendations_user_idx ON market_recommendations (user_id);
    """)
    apply_sql(*MARKET_FUNCTIONS)


def downgrade() -> None:
    op.execute("""
    DROP FUNCTION claim_reward;
    DROP FUNCTION purchase_item;
    DROP FUNCTION market_purchase_for_key;
    DROP FUNCTION market_refuse_purchase;
    DROP FUNCTION market_purchase_problem;
    DROP FUNCTION market_item_unavailability;
    DROP TABLE market_recommendations;
    DROP TABLE user_rewards;
    DROP TABLE market_transactions;
    DROP TABLE user_purchases;
    DROP TABLE market_items;
    """)
