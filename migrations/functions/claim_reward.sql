-- Pay a reward once: the row lock makes concurrent claims queue, and the first one marks it claimed.
CREATE OR REPLACE FUNCTION claim_reward(p_user_id uuid, p_reward_id uuid,
                             OUT reward user_rewards, OUT coins integer, OUT total_xp integer, OUT level integer,
                             OUT achievements_due boolean)
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
    -- Of the achievement metrics (momentum.gamification), a paying claim changes only total_xp, level,
    -- coins_earned and the count of 'reward' ledger events: only a trigger on one of those can be newly met, so
    -- most claims stay one round trip.
    achievements_due := (reward.coins_earned <> 0 OR reward.xp_earned <> 0)
        AND achievements_due(p_user_id, ARRAY['total_xp', 'level', 'coins_earned'], ARRAY['reward']);
END $$;
