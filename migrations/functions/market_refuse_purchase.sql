CREATE OR REPLACE FUNCTION market_refuse_purchase(p_problem text, i market_items, p_quantity integer) RETURNS void
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
