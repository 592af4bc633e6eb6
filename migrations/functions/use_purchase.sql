-- Use a purchase (momentum.market.purchases) in one statement: a consumable loses one use and becomes 'used' at
-- zero, a non-consumable is redeemed once. The conditional update's row lock queues a use behind a concurrent
-- refund, whose status it then sees. What a used item does starts in the same statement: p_effects is
-- momentum.boosts.EFFECTS ({item key: {kind, multiplier, duration in seconds or null}}), kept in Python and passed
-- in, since only the database knows which item the purchase is. A boost of a kind already running starts where that
-- one ends (the per-person advisory lock makes two uses at once extend one after the other); a freeze is banked.
CREATE OR REPLACE FUNCTION use_purchase(p_user_id uuid, p_purchase_id uuid, p_effects jsonb,
                                        OUT purchase user_purchases, OUT item market_items)
LANGUAGE plpgsql AS $$
DECLARE
    v_effect jsonb;
BEGIN
    UPDATE user_purchases p
    SET uses_remaining = p.uses_remaining - 1,
        status = CASE WHEN p.uses_remaining > 1 THEN 'active' ELSE 'used' END,
        redeemed_at = now()
    WHERE p.id = p_purchase_id AND p.user_id = p_user_id AND p.status = 'active'
      AND (p.uses_remaining IS NULL OR p.uses_remaining > 0)
    RETURNING * INTO purchase;
    IF NOT FOUND THEN
        SELECT * INTO purchase FROM user_purchases p WHERE p.id = p_purchase_id AND p.user_id = p_user_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'purchase not found' USING ERRCODE = 'MM404', DETAIL = '{"resource": "purchase"}';
        ELSIF purchase.status = 'refunded' THEN
            RAISE EXCEPTION 'refunded' USING ERRCODE = 'MM010';
        ELSIF purchase.uses_remaining IS NOT NULL THEN
            RAISE EXCEPTION 'no uses left' USING ERRCODE = 'MM011',
                DETAIL = json_build_object('redeemed_at', purchase.redeemed_at)::text;
        ELSE
            RAISE EXCEPTION 'already redeemed' USING ERRCODE = 'MM012',
                DETAIL = json_build_object('redeemed_at', purchase.redeemed_at)::text;
        END IF;
    END IF;
    SELECT * INTO item FROM market_items i WHERE i.id = purchase.item_id;

    v_effect := p_effects -> item.key;
    IF v_effect IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtextextended('boosts:' || p_user_id::text, 0));
        IF v_effect ->> 'duration' IS NULL THEN
            INSERT INTO user_boosts (user_id, purchase_id, kind, label)
            VALUES (p_user_id, purchase.id, v_effect ->> 'kind', item.name);
        ELSE
            INSERT INTO user_boosts (user_id, purchase_id, kind, multiplier, label, starts_at, ends_at)
            SELECT p_user_id, purchase.id, v_effect ->> 'kind', (v_effect ->> 'multiplier')::integer, item.name, s.at,
                   s.at + make_interval(secs => (v_effect ->> 'duration')::double precision)
            FROM (SELECT greatest(now(), (SELECT max(b.ends_at) FROM user_boosts b
                                          WHERE b.user_id = p_user_id AND b.kind = v_effect ->> 'kind'
                                            AND b.ends_at > now())) AS at) s;
        END IF;
    END IF;
END $$;
