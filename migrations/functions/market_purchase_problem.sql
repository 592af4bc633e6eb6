-- What stops this user buying `p_quantity` of item `i` (all NULL when there is no such item) now, as the SQLSTATE
-- market_refuse_purchase raises; NULL when nothing does.
CREATE OR REPLACE FUNCTION market_purchase_problem(i market_items, p_quantity integer, p_user_id uuid) RETURNS text
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
