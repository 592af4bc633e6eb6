-- A graded quiz submission's writes (momentum.learn.lessons) in one statement, once the caller has locked the
-- progress row and graded the answers in Python: the attempt and the progress (a pass completes the lesson), and
-- on the first pass (the caller saw the locked row not completed yet) the lesson's rewards, paid once with boosts
-- (award_boosted, key lesson-pass:<lesson>), and its review cards (learn_add_cards). paid is false when the first
-- pass had nothing to pay or its key had paid already. Returns the progress as catalog.GET_PROGRESS reads it.
CREATE OR REPLACE FUNCTION learn_quiz_record(
    p_user_id uuid, p_lesson_id uuid, p_score integer, p_passed boolean, p_answers jsonb, p_first_pass boolean,
    p_coins integer, p_xp integer, p_skill_key text, p_skill_stars integer, p_reason text, p_cards jsonb,
    OUT paid boolean, OUT status text, OUT started_at timestamptz, OUT completed_at timestamptz,
    OUT best_score integer, OUT latest_score integer, OUT attempts integer)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    UPDATE user_lesson_progress p
    SET attempts = p.attempts + 1,
        quiz_score = greatest(p.quiz_score, p_score),
        started_at = coalesce(p.started_at, now()),
        status = CASE WHEN p.status = 'completed' OR p_passed THEN 'completed' ELSE 'in_progress' END,
        completed_at = CASE WHEN p.completed_at IS NULL AND p_passed THEN now() ELSE p.completed_at END
    WHERE p.user_id = p_user_id AND p.lesson_id = p_lesson_id;
    INSERT INTO learn_quiz_attempts (user_id, lesson_id, score, passed, answers)
    VALUES (p_user_id, p_lesson_id, p_score, p_passed, p_answers);
    paid := false;
    IF p_first_pass THEN
        IF p_coins <> 0 OR p_xp <> 0 OR p_skill_stars <> 0 THEN
            SELECT a.applied INTO paid
            FROM award_boosted(p_user_id, 'lesson_completed', 'lesson-pass:' || p_lesson_id, p_coins, p_xp,
                               p_skill_key, p_skill_stars, p_reason, p_lesson_id) a;
        END IF;
        PERFORM learn_add_cards(p_user_id, p_cards);
    END IF;
    SELECT p.status, p.started_at, p.completed_at, p.quiz_score,
           (SELECT a.score FROM learn_quiz_attempts a WHERE a.user_id = p_user_id AND a.lesson_id = p_lesson_id
            ORDER BY a.created_at DESC, a.id DESC LIMIT 1),
           p.attempts
    INTO status, started_at, completed_at, best_score, latest_score, attempts
    FROM user_lesson_progress p WHERE p.user_id = p_user_id AND p.lesson_id = p_lesson_id;
END $$;
