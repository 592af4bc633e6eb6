-- Why an item cannot be bought now, or NULL when it can. A window is [available_from, available_until);
-- NULL remaining_stock means unlimited. 'hidden' (inactive, or not global) reads as not found to shoppers.
CREATE OR REPLACE FUNCTION market_item_unavailability(i market_items) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN NOT i.is_active OR NOT i.is_global THEN 'hidden'
        WHEN NOT i.is_available THEN 'unavailable'
        WHEN i.available_from > now() THEN 'not_yet_available'
        WHEN i.available_until <= now() THEN 'no_longer_available'
        WHEN i.remaining_stock <= 0 THEN 'out_of_stock'
    END
$$;
