-- The purchase an Idempotency-Key already made (NULL if none); the same key for another item or quantity raises.
CREATE OR REPLACE FUNCTION market_purchase_for_key(p_user_id uuid, p_ledger_key text, p_item_id uuid, p_quantity integer)
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
