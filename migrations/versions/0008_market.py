"""Market: items, purchases, coin transactions, claimable rewards, recommendations (schema-part2.md, 0008).

Migrations 0004-0007 (focus, habits/goals, quests, planning) are not part of this product, so 0008 follows 0003.

Revision ID: 0008_market
Revises: 0003_gamification
"""

from alembic import op

revision = "0008_market"
down_revision = "0003_gamification"
branch_labels = None
depends_on = None


# Ours, not the spec's: the purchase and the claim are each one statement (one round trip, one transaction), and
# the rule of what can be bought lives in one place that the catalog's `purchasable` flag and the purchase share.
# They pay and charge only through award_points (0003). Errors carry their own SQLSTATE, mapped to domain errors
# by momentum.market.errors; details travel as JSON in DETAIL.
#   MM404 unknown or hidden item / unknown reward    MM001 out of stock     MM002 not available now
#   MM003 already owned (non-consumable)              MM004 Idempotency-Key reused for another purchase
#   MM005 reward already claimed                      MM006 reward expired   MM422 bad quantity
MARKET_FUNCTIONS = r"""
-- Why an item cannot be bought now, or NULL when it can. A window is [available_from, available_until);
-- NULL remaining_stock means unlimited. 'hidden' (inactive, or not global) reads as not found to shoppers.
CREATE FUNCTION market_item_unavailability(i market_items) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN NOT i.is_active OR NOT i.is_global THEN 'hidden'
        WHEN NOT i.is_available THEN 'unavailable'
        WHEN i.available_from > now() THEN 'not_yet_available'
        WHEN i.available_until <= now() THEN 'no_longer_available'
        WHEN i.remaining_stock <= 0 THEN 'out_of_stock'
    END
$$;

-- What stops this user buying `p_quantity` of item `i` (all NULL when there is no such item) now, as the SQLSTATE
-- market_refuse_purchase raises; NULL when nothing does.
CREATE FUNCTION market_purchase_problem(i market_items, p_quantity integer, p_user_id uuid) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN i.id IS NULL OR market_item_unavailability(i) = 'hidden' THEN 'MM404'
        WHEN market_item_unavailability(i) <> 'out_of_stock' THEN 'MM002'
        WHEN i.remaining_stock < p_quantity THEN 'MM001'
        WHEN NOT i.is_consumable AND p_quantity <> 1 THEN 'MM422'
        WHEN NOT i.is_consumable AND EXISTS (
            SELECT 1 FROM user_purchases p
            WHERE p.user_id = p_user_id AND p.item_id = i.id AND p.status <> 'refunded') THEN 'MM003'
    END
$$;

CREATE FUNCTION market_refuse_purchase(p_problem text, i market_items, p_quantity integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    CASE p_problem
    WHEN 'MM404' THEN
        RAISE EXCEPTION 'item not found' USING ERRCODE = 'MM404', DETAIL = '{"resource": "item"}';
    WHEN 'MM002' THEN
        RAISE EXCEPTION 'item not available' USING ERRCODE = 'MM002', DETAIL = json_build_object(
            'reason', market_item_unavailability(i), 'available_from', i.available_from,
            'available_until', i.available_until)::text;
    WHEN 'MM001' THEN
        RAISE EXCEPTION 'out of stock' USING ERRCODE = 'MM001', DETAIL = json_build_object(
            'remaining_stock', i.remaining_stock, 'requested', p_quantity)::text;
    WHEN 'MM422' THEN
        RAISE EXCEPTION 'an item that is not consumable is bought one at a time' USING ERRCODE = 'MM422',
            DETAIL = '{"field": "quantity"}';
    WHEN 'MM003' THEN
        RAISE EXCEPTION 'already owned' USING ERRCODE = 'MM003', DETAIL = json_build_object('item_id', i.id)::text;
    END CASE;
END $$;

-- The purchase an Idempotency-Key already made (NULL if none); the same key for another item or quantity raises.
CREATE FUNCTION market_purchase_for_key(p_user_id uuid, p_ledger_key text, p_item_id uuid, p_quantity integer)
RETURNS user_purchases
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_purchase user_purchases;
BEGIN
    SELECT p.* INTO v_purchase
    FROM points_ledger l JOIN user_purchases p ON p.id = l.event_id
    WHERE l.user_id = p_user_id AND l.idempotency_key = p_ledger_key;
    IF FOUND AND (v_purchase.item_id <> p_item_id OR v_purchase.quantity <> p_quantity) THEN
        RAISE EXCEPTION 'Idempotency-Key already used for another purchase' USING ERRCODE = 'MM004',
            DETAIL = json_build_object('purchase_id', v_purchase.id)::text;
    END IF;
    RETURN v_purchase;
END $$;

-- A whole purchase: check, charge through award_points, take stock, record the purchase and the coin transaction.
-- With an Idempotency-Key the ledger row's key is 'purchase:' || key, and its event_id is the purchase: a repeated
-- key returns the first purchase (replayed = true) and charges nothing. Without one (NULL), the purchase id makes
-- the ledger key. The common path never looks a key up: award_points' ON CONFLICT is what notices a repeat.
CREATE FUNCTION purchase_item(p_user_id uuid, p_item_id uuid, p_quantity integer, p_idempotency_key text,
                              OUT purchase user_purchases, OUT item market_items, OUT replayed boolean,
                              OUT achievements_due boolean)
LANGUAGE plpgsql AS $$
DECLARE
    v_purchase_id uuid := gen_random_uuid();
    v_ledger_key text := 'purchase:' || coalesce(p_idempotency_key, v_purchase_id::text);
    v_problem text;
    v_total integer;
    v_note text;
    v_applied boolean;
BEGIN
    IF p_quantity IS NULL OR p_quantity < 1 THEN
        RAISE EXCEPTION 'quantity must be at least 1' USING ERRCODE = 'MM422', DETAIL = '{"field": "quantity"}';
    END IF;
    SELECT * INTO item FROM market_items i WHERE i.id = p_item_id;
    IF p_idempotency_key IS NOT NULL OR NOT coalesce(item.is_consumable, true) THEN
        -- The wallet row (award_points locks it anyway) queues this user's purchases: a repeated key waits for its
        -- first attempt to finish, and two purchases of one non-consumable cannot both find it not yet owned.
        PERFORM 1 FROM user_wallet w WHERE w.user_id = p_user_id FOR UPDATE;
    END IF;
    v_problem := market_purchase_problem(item, p_quantity, p_user_id);
    IF v_problem IS NOT NULL THEN
        IF p_idempotency_key IS NOT NULL THEN
            -- A repeat of a purchase that went through (and sold the last one, or made the item owned) answers
            -- as the first attempt did.
            purchase := market_purchase_for_key(p_user_id, v_ledger_key, p_item_id, p_quantity);
            IF purchase.id IS NOT NULL THEN
                replayed := true;
                achievements_due := false;
                RETURN;
            END IF;
        END IF;
        PERFORM market_refuse_purchase(v_problem, item, p_quantity);
    END IF;

    v_total := item.cost_coins * p_quantity;
    v_note := CASE WHEN p_quantity = 1 THEN item.name ELSE p_quantity || ' × ' || item.name END;
    -- Charge first (raises MC001 when the wallet is short), then take stock: an error in either undoes both.
    SELECT a.applied INTO v_applied
    FROM award_points(p_user_id, 'purchase', v_ledger_key, -v_total, p_reason => v_note, p_event_id => v_purchase_id) a;
    IF NOT v_applied THEN  -- a repeated key: nothing was charged, and nothing else has been written yet
        purchase := market_purchase_for_key(p_user_id, v_ledger_key, p_item_id, p_quantity);
        replayed := true;
        achievements_due := false;
        RETURN;
    END IF;
    IF item.remaining_stock IS NOT NULL THEN
        UPDATE market_items i SET remaining_stock = i.remaining_stock - p_quantity
        WHERE i.id = p_item_id AND i.remaining_stock >= p_quantity AND market_item_unavailability(i) IS NULL;
        IF NOT FOUND THEN
            -- Sold out or withdrawn since it was read: say which.
            SELECT * INTO item FROM market_items i WHERE i.id = p_item_id;
            PERFORM market_refuse_purchase(coalesce(market_purchase_problem(item, p_quantity, p_user_id), 'MM001'),
                                           item, p_quantity);
        END IF;
    END IF;

    INSERT INTO user_purchases (id, user_id, item_id, cost_coins, quantity, uses_remaining)
    VALUES (v_purchase_id, p_user_id, p_item_id, v_total, p_quantity,
            CASE WHEN item.is_consumable THEN coalesce(item.uses_per_purchase, 1) * p_quantity END)
    RETURNING * INTO purchase;
    INSERT INTO market_transactions (user_id, transaction_type, coins_amount, item_id, reason)
    VALUES (p_user_id, 'purchase', -v_total, p_item_id, v_note);
    replayed := false;
    -- Of the achievement metrics (momentum.gamification), a purchase changes only the count of 'purchase' ledger
    -- events (spending adds nothing to coins_earned), so only a pending achievement naming that event can be due.
    achievements_due := EXISTS (
        SELECT 1 FROM achievement_definitions d
        WHERE d.trigger_config @? '$.** ? (@.event_type == "purchase")'
          AND NOT EXISTS (SELECT 1 FROM user_achievements ua
                          WHERE ua.user_id = p_user_id AND ua.achievement_key = d.key));
END $$;

-- Pay a reward once: the row lock makes concurrent claims queue, and the first one marks it claimed.
CREATE FUNCTION claim_reward(p_user_id uuid, p_reward_id uuid,
                             OUT reward user_rewards, OUT coins integer, OUT total_xp integer, OUT level integer)
LANGUAGE plpgsql AS $$
BEGIN
    SELECT * INTO reward FROM user_rewards r WHERE r.id = p_reward_id AND r.user_id = p_user_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'reward not found' USING ERRCODE = 'MM404', DETAIL = '{"resource": "reward"}';
    ELSIF reward.claimed THEN
        RAISE EXCEPTION 'reward already claimed' USING ERRCODE = 'MM005',
            DETAIL = json_build_object('claimed_at', reward.claimed_at)::text;
    ELSIF reward.expires_at <= now() THEN
        RAISE EXCEPTION 'reward expired' USING ERRCODE = 'MM006',
            DETAIL = json_build_object('expires_at', reward.expires_at)::text;
    END IF;
    IF reward.coins_earned <> 0 OR reward.xp_earned <> 0 THEN
        PERFORM award_points(p_user_id, 'reward', 'reward:' || reward.id, reward.coins_earned, reward.xp_earned,
                             p_reason => reward.reward_type || ' reward', p_event_id => reward.id);
    END IF;
    UPDATE user_rewards r SET claimed = true, claimed_at = now() WHERE r.id = reward.id RETURNING * INTO reward;
    IF reward.coins_earned <> 0 THEN
        INSERT INTO market_transactions (user_id, transaction_type, coins_amount, reason)
        VALUES (p_user_id, 'reward', reward.coins_earned, reward.reward_type || ' reward');
    END IF;
    -- Balances after the claim (a user without a wallet or progress row yet has the starting ones).
    coins := coalesce((SELECT w.coins FROM user_wallet w WHERE w.user_id = p_user_id), 0);
    SELECT coalesce(max(p.total_xp), 0), coalesce(max(p.current_level), 1) INTO total_xp, level
    FROM user_progress p WHERE p.user_id = p_user_id;
END $$;
"""


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
    op.execute(MARKET_FUNCTIONS)


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
