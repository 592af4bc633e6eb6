-- Give back an unused purchase (momentum.market.purchases) in one statement: the purchase row is locked first, so a
-- refund and a use of the same purchase cannot both succeed; the coins paid go back through award_points under the
-- key refund:<purchase_id> (a second refund cannot pay), the stock comes back, and a 'refund' transaction is
-- written. The owner may refund within p_window of buying, an admin at any time and anyone's (audited); anyone
-- else's purchase is not found.
CREATE OR REPLACE FUNCTION refund_purchase(
    p_actor_id uuid, p_is_admin boolean, p_session_id uuid, p_purchase_id uuid, p_reason text, p_window interval,
    p_ip_address text, p_user_agent text, p_request_id text,
    OUT purchase user_purchases, OUT item market_items)
LANGUAGE plpgsql AS $$
BEGIN
    SELECT * INTO purchase FROM user_purchases p WHERE p.id = p_purchase_id FOR UPDATE;
    IF NOT FOUND OR (purchase.user_id <> p_actor_id AND NOT p_is_admin) THEN
        RAISE EXCEPTION 'purchase not found' USING ERRCODE = 'MM404', DETAIL = '{"resource": "purchase"}';
    ELSIF purchase.status = 'refunded' THEN
        RAISE EXCEPTION 'already refunded' USING ERRCODE = 'MM007';
    ELSIF purchase.status <> 'active' OR purchase.redeemed_at IS NOT NULL THEN
        RAISE EXCEPTION 'only unused purchases can be refunded' USING ERRCODE = 'MM008';
    ELSIF NOT p_is_admin AND purchase.purchased_at <= now() - p_window THEN
        RAISE EXCEPTION 'refund window closed' USING ERRCODE = 'MM009', DETAIL = json_build_object(
            'purchased_at', purchase.purchased_at,
            'window_hours', (extract(epoch FROM p_window) / 3600)::integer)::text;
    END IF;
    IF purchase.cost_coins <> 0 THEN
        PERFORM award_points(purchase.user_id, 'refund', 'refund:' || purchase.id, purchase.cost_coins,
                             p_reason => p_reason, p_event_id => purchase.id, p_refund => true);
    END IF;
    -- Stock comes back, but never above the item's total (an admin may have lowered it since).
    UPDATE market_items i
    SET remaining_stock = least(i.remaining_stock + purchase.quantity,
                                coalesce(i.total_stock, i.remaining_stock + purchase.quantity))
    WHERE i.id = purchase.item_id AND i.remaining_stock IS NOT NULL;
    UPDATE user_purchases p SET status = 'refunded', refunded_at = now(), refund_reason = p_reason
    WHERE p.id = purchase.id
    RETURNING * INTO purchase;
    INSERT INTO market_transactions (user_id, transaction_type, coins_amount, item_id, reason)
    VALUES (purchase.user_id, 'refund', purchase.cost_coins, purchase.item_id, p_reason);
    IF purchase.user_id <> p_actor_id THEN
        INSERT INTO audit_log (user_id, session_id, event_type, resource_type, resource_id, action, status, details,
                               ip_address, user_agent, request_id)
        VALUES (p_actor_id, p_session_id, 'admin_action', 'user_purchase', purchase.id, 'refund', 'success',
                jsonb_build_object('owner_id', purchase.user_id::text, 'coins', purchase.cost_coins,
                                   'reason', p_reason),
                p_ip_address, p_user_agent, p_request_id);
    END IF;
    SELECT * INTO item FROM market_items i WHERE i.id = purchase.item_id;
END $$;
