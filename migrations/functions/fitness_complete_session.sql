-- Complete a workout session in one statement, pay for it once, and answer with the session: the UPDATE only
-- matches a session not completed yet (so of two concurrent completions one pays), and locking the row orders
-- completion against set logging (the count that follows, a statement of its own, sees every set committed before
-- the lock). The pay is momentum.fitness.rules.session_award, passed in as its table by working sets (index n + 1
-- for n sets; the last entry serves any count beyond it, as the rule caps what it pays), since the count only
-- exists here. A paying session extends the 'workout' streak. Returns the session as fitness_session_state shows
-- it and whether an achievement may be due.
-- Errors: MF404 session not found, MF410 session already completed.
CREATE OR REPLACE FUNCTION fitness_complete_session(
    p_user_id uuid, p_session_id uuid, p_notes text, p_set_notes boolean, p_rating integer,
    p_xp integer[], p_coins integer[], p_skill_stars integer[], p_skill_key text,
    OUT session jsonb, OUT achievements_due boolean)
LANGUAGE plpgsql AS $$
DECLARE
    v_sets integer;
    v_pay integer;
BEGIN
    UPDATE workout_sessions s
    SET completed_at = now(),
        duration_seconds = greatest(0, round(extract(epoch FROM now() - s.started_at)))::integer,
        notes = CASE WHEN p_set_notes THEN p_notes ELSE s.notes END,
        rating = coalesce(p_rating, s.rating)
    WHERE s.id = p_session_id AND s.user_id = p_user_id AND s.completed_at IS NULL;
    IF NOT FOUND THEN
        PERFORM 1 FROM workout_sessions s WHERE s.id = p_session_id AND s.user_id = p_user_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'session not found' USING ERRCODE = 'MF404';
        END IF;
        RAISE EXCEPTION 'session already completed' USING ERRCODE = 'MF410';
    END IF;

    SELECT count(*) INTO v_sets FROM exercise_sets s
    WHERE s.session_id = p_session_id AND fitness_working_set(s.is_warmup, s.reps, s.duration);
    v_pay := least(v_sets, cardinality(p_xp) - 1) + 1;
    achievements_due := false;
    IF p_xp[v_pay] <> 0 OR p_coins[v_pay] <> 0 OR p_skill_stars[v_pay] <> 0 THEN
        PERFORM award_boosted(p_user_id, 'workout_session', 'workout-session:' || p_session_id, p_coins[v_pay],
                              p_xp[v_pay], p_skill_key, p_skill_stars[v_pay],
                              'Workout session: ' || v_sets || ' working sets', p_session_id);
        UPDATE workout_sessions s SET xp_awarded = p_xp[v_pay], coins_awarded = p_coins[v_pay]
        WHERE s.id = p_session_id;
        PERFORM touch_streak(p_user_id, 'workout');
        achievements_due := achievements_due(
            p_user_id, ARRAY['total_xp', 'level', 'coins_earned', 'skill_stars', 'streak.workout'],
            ARRAY['workout_session']);
    END IF;
    session := fitness_session_state(p_user_id, p_session_id);
END $$;
