-- A whole purchase: check, charge through award_points, take stock, record the purchase and the coin transaction.
-- With an Idempotency-Key the ledger row's key is 'purchase:' || key, and its event_id is the purchase: a repeated
-- key returns the first purchase (replayed = true) and charges nothing. Without one (NULL), the purchase id makes
-- the ledger key. The common path never looks a key up: award_points' ON CONFLICT is what notices a repeat.
CREATE OR REPLACE FUNCTION purchase_item(p_user_id uuid, p_item_id uuid, p_quantity integer, p_idempotency_key text,
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
