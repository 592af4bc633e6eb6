-- A graded drill round's writes (momentum.learn.rounds) in one statement, once the caller has locked the round and
-- scored it in Python: the drill stats in one upsert (ON CONFLICT DO UPDATE locks the row, so concurrent rounds add
-- up exactly; the sum of scores is recovered exactly from the stored REAL average, so it does not drift), the XP
-- under the drill's daily cap (learn_usage_take) paid with boosts (award_boosted, key drill-round:<round>), the
-- round marked submitted, and the drill's review card on the first round (learn_add_cards).
CREATE OR REPLACE FUNCTION learn_round_record(
    p_user_id uuid, p_round_id uuid, p_drill_id uuid, p_score integer, p_correct integer, p_total integer,
    p_all_correct boolean, p_leading integer, p_trailing integer, p_longest integer, p_seconds integer,
    p_day date, p_xp integer, p_xp_cap integer, p_cards jsonb,
    OUT stats user_drill_stats, OUT xp integer)
LANGUAGE plpgsql AS $$
BEGIN
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
    RETURNING * INTO stats;
    xp := learn_usage_take(p_user_id, p_day, 'drill-xp:' || p_drill_id, p_xp, p_xp_cap);
    IF xp > 0 THEN
        PERFORM award_boosted(p_user_id, 'drill_round', 'drill-round:' || p_round_id, p_xp => xp,
                              p_reason => 'Drill round', p_event_id => p_round_id);
    END IF;
    UPDATE learn_drill_rounds r SET submitted_at = now(), score = p_score, correct = p_correct, xp_awarded = xp
    WHERE r.id = p_round_id;
    PERFORM learn_add_cards(p_user_id, p_cards);
END $$;
