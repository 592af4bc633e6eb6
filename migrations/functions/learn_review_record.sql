-- A graded review's writes (momentum.learn.review) in one statement, once the caller has locked the card and
-- scheduled it with FSRS (which stays in Python): the card's new state, the XP under the day's cap
-- (learn_usage_take) paid with boosts (award_boosted, key review:<card>:<reps>), and the review log. Returns the
-- XP paid.
CREATE OR REPLACE FUNCTION learn_review_record(
    p_user_id uuid, p_card_id uuid, p_reps integer, p_card jsonb, p_due timestamptz, p_seed bigint,
    p_lapse integer, p_now timestamptz, p_rating text, p_correct boolean, p_due_before timestamptz, p_day date,
    p_xp integer, p_xp_per_day integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_xp integer;
BEGIN
    UPDATE learn_review_cards c
    SET card = p_card, due = p_due, seed = p_seed, reps = c.reps + 1, lapses = c.lapses + p_lapse,
        last_review = p_now
    WHERE c.id = p_card_id;
    v_xp := learn_usage_take(p_user_id, p_day, 'review-xp', p_xp, p_xp_per_day);
    IF v_xp > 0 THEN
        PERFORM award_boosted(p_user_id, 'review', 'review:' || p_card_id || ':' || p_reps, p_xp => v_xp,
                              p_reason => 'Spaced review', p_event_id => p_card_id);
    END IF;
    INSERT INTO learn_review_logs (card_id, user_id, rating, correct, due_before, due_after, xp_awarded)
    VALUES (p_card_id, p_user_id, p_rating, p_correct, p_due_before, p_due, v_xp);
    RETURN v_xp;
END $$;
