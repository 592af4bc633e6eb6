-- Create today's daily reward in one statement: a per-person advisory lock serialises concurrent requests; a new
-- reward needs a later local date than the previous one's in every zone the person used since it (their zone now
-- and those left after it, momentum.platform.days), else MD001 (DETAIL names the reward). Collecting it touches the
-- 'daily' streak on the person's activity day, and day n of the streak is worth p_coins[n] and p_xp[n] (the last
-- entry from then on: momentum.market.rewards.daily_reward_amount, passed in as its table). It expires at the end
-- of the following local day. Returns the reward's row.
CREATE OR REPLACE FUNCTION daily_reward_create(p_user_id uuid, p_coins integer[], p_xp integer[])
RETURNS user_rewards
LANGUAGE plpgsql AS $$
DECLARE
    v_last user_rewards;
    v_zone text := user_time_zone(p_user_id);
    v_left text;
    v_streak integer;
    v_day integer;
    v_reward user_rewards;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('daily-reward:' || p_user_id, 0));
    SELECT * INTO v_last FROM user_rewards r
    WHERE r.user_id = p_user_id AND r.reward_type = 'daily'
    ORDER BY r.created_at DESC LIMIT 1;
    IF FOUND THEN
        FOR v_left IN
            SELECT v_zone
            UNION ALL
            SELECT c.old_timezone FROM timezone_changes c
            WHERE c.user_id = p_user_id AND c.changed_at > v_last.created_at
        LOOP
            BEGIN
                PERFORM now() AT TIME ZONE v_left;
            EXCEPTION WHEN invalid_parameter_value THEN
                v_left := 'UTC';  -- a stored zone this server does not know counts as UTC, as days.zone does
            END;
            IF (now() AT TIME ZONE v_left)::date <= (v_last.created_at AT TIME ZONE v_left)::date THEN
                RAISE EXCEPTION 'daily reward exists' USING ERRCODE = 'MD001',
                    DETAIL = json_build_object('reward_id', v_last.id)::text;
            END IF;
        END LOOP;
    END IF;

    SELECT t.current_streak INTO v_streak FROM touch_streak(p_user_id, 'daily') t;
    v_day := least(greatest(v_streak, 1), cardinality(p_coins));
    INSERT INTO user_rewards AS r (user_id, reward_type, coins_earned, xp_earned, expires_at)
    VALUES (p_user_id, 'daily', p_coins[v_day], p_xp[v_day],
            (((now() AT TIME ZONE v_zone)::date + 2)::timestamp AT TIME ZONE v_zone))
    RETURNING * INTO v_reward;
    RETURN v_reward;
END $$;
