-- A graded drill round's writes (momentum.learn.rounds) in one statement, once Python has scored the round read
-- with the token check. The round is locked; a retry with the request's Idempotency-Key answers the response kept
-- for it (learn_replayed). The round must still be unsubmitted (checked and set under the lock): otherwise a
-- concurrent submission won, and this one is refused as already submitted. Then the drill stats in one upsert
-- (ON CONFLICT DO UPDATE locks the row, so concurrent rounds add up exactly; the sum of scores is recovered exactly
-- from the stored REAL average, so it does not drift), the XP under the drill's daily cap (learn_usage_take, on the
-- person's activity day) paid with boosts (award_boosted, key drill-round:<round>), the round marked submitted,
-- the drill's review card on the first round (learn_add_cards), the 'learning' streak, and the response
-- (p_response with xp_awarded and stats) kept for the key. achievements_due says whether the caller's achievement
-- check is needed.
-- Errors: ML404 round not found, ML001 key used for another request, ML003 submitted already.
CREATE OR REPLACE FUNCTION learn_round_record(
    p_user_id uuid, p_round_id uuid, p_drill_id uuid, p_score integer, p_correct integer, p_total integer,
    p_all_correct boolean, p_leading integer, p_trailing integer, p_longest integer, p_seconds integer,
    p_xp integer, p_xp_cap integer, p_cards jsonb, p_key text, p_request text, p_response jsonb,
    OUT response jsonb, OUT achievements_due boolean)
LANGUAGE plpgsql AS $$
DECLARE
    v_submitted_at timestamptz;
    v_stats user_drill_stats;
    v_xp integer;
BEGIN
    SELECT r.submitted_at INTO v_submitted_at
    FROM learn_drill_rounds r WHERE r.id = p_round_id AND r.user_id = p_user_id
    FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'round not found' USING ERRCODE = 'ML404', DETAIL = '{"resource": "round"}';
    END IF;
    response := learn_replayed(p_user_id, p_key, p_request);
    IF response IS NOT NULL THEN
        achievements_due := false;
        RETURN;
    END IF;
    IF v_submitted_at IS NOT NULL THEN
        RAISE EXCEPTION 'This round has been submitted already' USING ERRCODE = 'ML003';
    END IF;

    INSERT INTO user_drill_stats AS s (user_id, drill_id, total_attempts, correct_answers, best_score, average_score,
                                       current_streak, best_streak, last_attempt_at, total_time_seconds)
    VALUES (p_user_id, p_drill_id, 1, p_correct, p_score, p_score, p_trailing, p_longest, now(), p_seconds)
    ON CONFLICT (user_id, drill_id) DO UPDATE SET
        total_attempts = s.total_attempts + 1,
        correct_answers = s.correct_answers + excluded.correct_answers,
        best_score = greatest(s.best_score, excluded.best_score),
        average_score = (round(s.average_score::float8 * s.total_attempts) + excluded.best_score)
                        / (s.total_attempts + 1),
        current_streak = CASE WHEN p_all_correct THEN s.current_streak + p_total ELSE excluded.current_streak END,
        best_streak = greatest(s.best_streak, s.current_streak + p_leading, excluded.best_streak),
        last_attempt_at = now(),
        total_time_seconds = s.total_time_seconds + excluded.total_time_seconds
    RETURNING * INTO v_stats;
    v_xp := learn_usage_take(p_user_id, user_activity_day(p_user_id), 'drill-xp:' || p_drill_id, p_xp, p_xp_cap);
    IF v_xp > 0 THEN
        PERFORM award_boosted(p_user_id, 'drill_round', 'drill-round:' || p_round_id, p_xp => v_xp,
                              p_reason => 'Drill round', p_event_id => p_round_id);
    END IF;
    UPDATE learn_drill_rounds r SET submitted_at = now(), score = p_score, correct = p_correct, xp_awarded = v_xp
    WHERE r.id = p_round_id;
    PERFORM learn_add_cards(p_user_id, p_cards);
    PERFORM touch_streak(p_user_id, 'learning');

    response := p_response || jsonb_build_object(
        'xp_awarded', v_xp,
        'stats', jsonb_build_object(
            'total_attempts', v_stats.total_attempts, 'correct_answers', v_stats.correct_answers,
            'best_score', v_stats.best_score, 'average_score', v_stats.average_score,
            'current_streak', v_stats.current_streak, 'best_streak', v_stats.best_streak,
            'last_attempt_at', v_stats.last_attempt_at, 'total_time_seconds', v_stats.total_time_seconds));
    IF p_key IS NOT NULL THEN
        INSERT INTO learn_request_keys (user_id, idempotency_key, request, response)
        VALUES (p_user_id, p_key, p_request, response);
    END IF;
    achievements_due := achievements_due(p_user_id, ARRAY['total_xp', 'level', 'streak.learning'],
                                         ARRAY['drill_round']);
END $$;
