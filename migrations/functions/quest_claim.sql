-- Claim a completed universal quest's reward once (momentum.quests.universal), in one statement: start the quest
-- again if its period has turned over (progress.RESET, which the reads run), lock the person's progress row so
-- concurrent claims queue, create a 'quest' reward and claim it through claim_reward (the payment every reward
-- takes), and mark the progress claimed. Returns the quest as the person now sees it, the reward and the balances,
-- and claim_reward's achievements_due (the caller runs the full achievement check only then).
CREATE OR REPLACE FUNCTION quest_claim(p_user_id uuid, p_quest_id uuid,
                                      OUT quest universal_quests, OUT progress jsonb, OUT reward_id uuid,
                                      OUT coins integer, OUT total_xp integer, OUT level integer,
                                      OUT achievements_due boolean)
LANGUAGE plpgsql AS $$
DECLARE
    v_zone text := user_time_zone(p_user_id);
    v_status text;
    v_claim record;
BEGIN
    UPDATE user_quest_progress uqp
    SET progress = 0, status = 'active', completed_at = NULL, claimed_at = NULL, last_reset_at = s.period_start
    FROM universal_quests q, LATERAL (SELECT CASE q.type
            WHEN 'daily' THEN date_trunc('day', now() AT TIME ZONE v_zone) AT TIME ZONE v_zone
            WHEN 'weekly' THEN date_trunc('week', now() AT TIME ZONE v_zone) AT TIME ZONE v_zone
            WHEN 'monthly' THEN date_trunc('month', now() AT TIME ZONE v_zone) AT TIME ZONE v_zone
        END AS period_start) s
    WHERE q.id = uqp.quest_id AND uqp.user_id = p_user_id AND uqp.quest_id = p_quest_id
      AND s.period_start > coalesce(uqp.last_reset_at, uqp.accepted_at);

    SELECT p.status INTO v_status FROM user_quest_progress p
    WHERE p.user_id = p_user_id AND p.quest_id = p_quest_id
    FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'quest not found' USING ERRCODE = 'MQ404', DETAIL = '{"resource": "quest"}';
    ELSIF v_status = 'claimed' THEN
        RAISE EXCEPTION 'The quest''s reward is claimed already' USING ERRCODE = 'MQ001';
    ELSIF v_status <> 'completed' THEN
        RAISE EXCEPTION 'The quest is not completed yet' USING ERRCODE = 'MQ002';
    END IF;
    SELECT * INTO quest FROM universal_quests q WHERE q.id = p_quest_id;

    INSERT INTO user_rewards (user_id, reward_type, source_id, coins_earned, xp_earned)
    VALUES (p_user_id, 'quest', p_quest_id, quest.coin_reward, quest.xp_reward)
    RETURNING id INTO reward_id;
    SELECT c.coins, c.total_xp, c.level, c.achievements_due INTO v_claim FROM claim_reward(p_user_id, reward_id) c;
    coins := v_claim.coins;
    total_xp := v_claim.total_xp;
    level := v_claim.level;
    achievements_due := v_claim.achievements_due;

    UPDATE user_quest_progress p SET status = 'claimed', claimed_at = now()
    WHERE p.user_id = p_user_id AND p.quest_id = p_quest_id
    RETURNING jsonb_build_object('status', p.status, 'progress', p.progress, 'accepted_at', p.accepted_at,
                                 'completed_at', p.completed_at, 'claimed_at', p.claimed_at,
                                 'times_completed', p.times_completed)
    INTO progress;
END $$;
