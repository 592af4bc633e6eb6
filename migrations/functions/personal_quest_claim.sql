-- Pay a completed personal quest's reward once (momentum.quests.personal), in one statement. The per-person advisory
-- lock queues a person's claims so the daily cap holds under concurrency; the row lock makes concurrent claims of one
-- quest pay once, and the ledger key (one per completion) makes a retry pay nothing more. The cap is a setting, so
-- the caller passes it; the day is the person's own (user_time_zone), which only the database knows.
CREATE OR REPLACE FUNCTION personal_quest_claim(p_user_id uuid, p_quest_id uuid, p_claims_per_day integer)
RETURNS user_quests
LANGUAGE plpgsql AS $$
DECLARE
    v_zone text;
    v_today date;
    v_quest user_quests;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('personal-quest:' || p_user_id::text, 0));
    v_zone := user_time_zone(p_user_id);
    v_today := (now() AT TIME ZONE v_zone)::date;
    -- A repeatable quest done in an earlier period starts again (personal.RESTART, which the reads run).
    UPDATE user_quests q SET status = 'active', progress = 0, completed_at = NULL, claimed_at = NULL
    WHERE q.user_id = p_user_id AND q.source_quest_id IS NULL AND q.is_repeatable AND q.status <> 'active'
      AND q.last_completed_date < CASE q.repeat_frequency WHEN 'weekly' THEN date_trunc('week', v_today)::date
                                                          ELSE v_today END;
    SELECT * INTO v_quest FROM user_quests q
    WHERE q.id = p_quest_id AND q.user_id = p_user_id AND q.source_quest_id IS NULL
    FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'quest not found' USING ERRCODE = 'MQ404', DETAIL = '{"resource": "quest"}';
    ELSIF v_quest.status = 'claimed' THEN
        RAISE EXCEPTION 'The quest''s reward is claimed already' USING ERRCODE = 'MQ001';
    ELSIF v_quest.status <> 'completed' THEN
        RAISE EXCEPTION 'The quest is not completed yet' USING ERRCODE = 'MQ002';
    END IF;
    IF v_quest.xp_reward <> 0 OR v_quest.coin_reward <> 0 THEN
        IF (SELECT count(*) FROM points_ledger l
            WHERE l.user_id = p_user_id AND l.event_type = 'personal_quest'
              AND l.created_at >= v_today::timestamp AT TIME ZONE v_zone) >= p_claims_per_day THEN
            RAISE EXCEPTION 'At most % personal quest rewards a day', p_claims_per_day USING ERRCODE = 'MQ003',
                DETAIL = json_build_object('limit', p_claims_per_day)::text;
        END IF;
        -- The key names the completion as Python's str(datetime) did: one payment per completion.
        PERFORM award_boosted(p_user_id, 'personal_quest',
                              'personal-quest:' || v_quest.id || ':'
                                  || to_char(v_quest.completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')
                                  || '+00:00',
                              p_coins => v_quest.coin_reward, p_xp => v_quest.xp_reward,
                              p_reason => 'Personal quest: ' || v_quest.title, p_event_id => v_quest.id);
    END IF;
    UPDATE user_quests q SET status = 'claimed', claimed_at = now() WHERE q.id = v_quest.id RETURNING * INTO v_quest;
    RETURN v_quest;
END $$;
