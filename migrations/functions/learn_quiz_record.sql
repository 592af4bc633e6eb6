-- A graded quiz submission's writes (momentum.learn.lessons) in one statement, once Python has graded the answers
-- against the lesson read with the token check. The progress row is created if need be and locked (the no-op
-- update takes the row lock): concurrent submissions queue here, so exactly one sees the lesson not completed yet
-- and makes the first pass, and a retry with the request's Idempotency-Key answers the response kept for it
-- (learn_replayed). Then the attempt and the progress (a pass completes the lesson); on the first pass the lesson's
-- rewards, paid once with boosts (award_boosted, key lesson-pass:<lesson>; nothing is awarded when there is nothing
-- to pay or the key paid already), and its review cards (learn_add_cards); the 'learning' streak; and the response
-- (p_response with first_pass, what was awarded and the progress as catalog.GET_PROGRESS reads it) kept for the
-- key. lessons_completed (1 on the first pass) is what a 'lessons_completed' quest counts; achievements_due says
-- whether the caller's achievement check is needed.
-- Errors: ML001 key used for another request.
CREATE OR REPLACE FUNCTION learn_quiz_record(
    p_user_id uuid, p_lesson_id uuid, p_score integer, p_passed boolean, p_answers jsonb,
    p_coins integer, p_xp integer, p_skill_key text, p_skill_stars integer, p_reason text, p_cards jsonb,
    p_key text, p_request text, p_response jsonb,
    OUT response jsonb, OUT lessons_completed integer, OUT achievements_due boolean)
LANGUAGE plpgsql AS $$
DECLARE
    v_status text;
    v_first_pass boolean;
    v_paid boolean := false;
    v_progress jsonb;
BEGIN
    INSERT INTO user_lesson_progress AS p (user_id, lesson_id) VALUES (p_user_id, p_lesson_id)
    ON CONFLICT (user_id, lesson_id) DO UPDATE SET status = p.status
    RETURNING p.status INTO v_status;
    lessons_completed := 0;
    response := learn_replayed(p_user_id, p_key, p_request);
    IF response IS NOT NULL THEN
        achievements_due := false;
        RETURN;
    END IF;

    v_first_pass := p_passed AND v_status <> 'completed';
    UPDATE user_lesson_progress p
    SET attempts = p.attempts + 1,
        quiz_score = greatest(p.quiz_score, p_score),
        started_at = coalesce(p.started_at, now()),
        status = CASE WHEN p.status = 'completed' OR p_passed THEN 'completed' ELSE 'in_progress' END,
        completed_at = CASE WHEN p.completed_at IS NULL AND p_passed THEN now() ELSE p.completed_at END
    WHERE p.user_id = p_user_id AND p.lesson_id = p_lesson_id;
    INSERT INTO learn_quiz_attempts (user_id, lesson_id, score, passed, answers)
    VALUES (p_user_id, p_lesson_id, p_score, p_passed, p_answers);
    IF v_first_pass THEN
        IF p_coins <> 0 OR p_xp <> 0 OR p_skill_stars <> 0 THEN
            SELECT a.applied INTO v_paid
            FROM award_boosted(p_user_id, 'lesson_completed', 'lesson-pass:' || p_lesson_id, p_coins, p_xp,
                               p_skill_key, p_skill_stars, p_reason, p_lesson_id) a;
        END IF;
        PERFORM learn_add_cards(p_user_id, p_cards);
        lessons_completed := 1;
    END IF;
    PERFORM touch_streak(p_user_id, 'learning');

    SELECT jsonb_build_object(
               'status', p.status, 'started_at', p.started_at, 'completed_at', p.completed_at,
               'best_score', p.quiz_score,
               'latest_score', (SELECT a.score FROM learn_quiz_attempts a
                                WHERE a.user_id = p_user_id AND a.lesson_id = p_lesson_id
                                ORDER BY a.created_at DESC, a.id DESC LIMIT 1),
               'attempts', p.attempts)
    INTO v_progress
    FROM user_lesson_progress p WHERE p.user_id = p_user_id AND p.lesson_id = p_lesson_id;
    response := p_response || jsonb_build_object(
        'first_pass', v_first_pass,
        'xp_awarded', CASE WHEN v_paid THEN p_xp ELSE 0 END,
        'coins_awarded', CASE WHEN v_paid THEN p_coins ELSE 0 END,
        'skill_stars_awarded', CASE WHEN v_paid THEN p_skill_stars ELSE 0 END,
        'progress', v_progress);
    IF p_key IS NOT NULL THEN
        INSERT INTO learn_request_keys (user_id, idempotency_key, request, response)
        VALUES (p_user_id, p_key, p_request, response);
    END IF;
    achievements_due := achievements_due(
        p_user_id, ARRAY['total_xp', 'level', 'coins_earned', 'skill_stars', 'streak.learning'],
        ARRAY['lesson_completed']);
END $$;
