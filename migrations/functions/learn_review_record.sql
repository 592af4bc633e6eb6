-- A graded review's writes (momentum.learn.review) in one statement, once FSRS (in Python) has scheduled the card
-- read with the token check. The card is locked; a retry with the request's Idempotency-Key answers the response
-- kept for it (learn_replayed). The card must still have the review count the grading read (p_reps, compared and
-- set under the lock): otherwise a concurrent answer won, and this one is refused as not due, as it would have been
-- had it come second. Then the card's new state, the XP under the day's cap (learn_usage_take, on the person's
-- activity day) paid with boosts (award_boosted, key review:<card>:<reps>), the review log, the 'learning' streak,
-- and the response (p_response with xp_awarded) kept for the key. achievements_due says whether the caller's
-- achievement check is needed.
-- Errors: ML404 card not found, ML001 key used for another request, ML002 answered since it was read.
CREATE OR REPLACE FUNCTION learn_review_record(
    p_user_id uuid, p_card_id uuid, p_reps integer, p_card jsonb, p_due timestamptz, p_seed bigint,
    p_lapse integer, p_now timestamptz, p_rating text, p_correct boolean, p_due_before timestamptz,
    p_xp integer, p_xp_per_day integer, p_key text, p_request text, p_response jsonb,
    OUT response jsonb, OUT achievements_due boolean)
LANGUAGE plpgsql AS $$
DECLARE
    v_reps integer;
    v_due timestamptz;
    v_xp integer;
BEGIN
    SELECT c.reps, c.due INTO v_reps, v_due
    FROM learn_review_cards c WHERE c.id = p_card_id AND c.user_id = p_user_id
    FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'review card not found' USING ERRCODE = 'ML404', DETAIL = '{"resource": "review card"}';
    END IF;
    response := learn_replayed(p_user_id, p_key, p_request);
    IF response IS NOT NULL THEN
        achievements_due := false;
        RETURN;
    END IF;
    IF v_reps <> p_reps THEN
        RAISE EXCEPTION 'This card is not due yet' USING ERRCODE = 'ML002',
            DETAIL = json_build_object('due', v_due)::text;
    END IF;

    UPDATE learn_review_cards c
    SET card = p_card, due = p_due, seed = p_seed, reps = c.reps + 1, lapses = c.lapses + p_lapse,
        last_review = p_now
    WHERE c.id = p_card_id;
    v_xp := learn_usage_take(p_user_id, user_activity_day(p_user_id), 'review-xp', p_xp, p_xp_per_day);
    IF v_xp > 0 THEN
        PERFORM award_boosted(p_user_id, 'review', 'review:' || p_card_id || ':' || p_reps, p_xp => v_xp,
                              p_reason => 'Spaced review', p_event_id => p_card_id);
    END IF;
    INSERT INTO learn_review_logs (card_id, user_id, rating, correct, due_before, due_after, xp_awarded)
    VALUES (p_card_id, p_user_id, p_rating, p_correct, p_due_before, p_due, v_xp);
    PERFORM touch_streak(p_user_id, 'learning');

    response := p_response || jsonb_build_object('xp_awarded', v_xp);
    IF p_key IS NOT NULL THEN
        INSERT INTO learn_request_keys (user_id, idempotency_key, request, response)
        VALUES (p_user_id, p_key, p_request, response);
    END IF;
    achievements_due := achievements_due(p_user_id, ARRAY['total_xp', 'level', 'streak.learning'], ARRAY['review']);
END $$;
