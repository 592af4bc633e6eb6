-- What a reading session of p_pages pays, given the pages read today (this session included) and what reading has
-- already paid today. The rates and the daily caps are momentum.books.rules (READING_RULES), passed in: XP is
-- max(1, pages / xp_per_pages) and coins pages / coins_per_pages, within what is left of the day's daily_xp and
-- daily_coins; a 'reading' star is due for every pages_per_star pages read in the day, up to daily_stars.
CREATE OR REPLACE FUNCTION reading_session_payout(
    p_pages integer, p_pages_today integer, p_paid_xp integer, p_paid_coins integer, p_paid_stars integer,
    p_rules jsonb, OUT xp integer, OUT coins integer, OUT skill_stars integer)
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF p_pages <= 0 THEN
        xp := 0;
        coins := 0;
    ELSE
        xp := least(greatest(1, p_pages / (p_rules ->> 'xp_per_pages')::integer),
                    (p_rules ->> 'daily_xp')::integer - p_paid_xp);
        coins := least(p_pages / (p_rules ->> 'coins_per_pages')::integer,
                       (p_rules ->> 'daily_coins')::integer - p_paid_coins);
    END IF;
    skill_stars := least(p_pages_today / (p_rules ->> 'pages_per_star')::integer,
                         (p_rules ->> 'daily_stars')::integer) - p_paid_stars;
    xp := greatest(xp, 0);
    coins := greatest(coins, 0);
    skill_stars := greatest(skill_stars, 0);
END $$;
