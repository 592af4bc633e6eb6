-- Record activity on a day (the person's activity day unless given): the same day keeps the streak, the next day
-- extends it, a gap restarts it. After exactly one missed day a banked streak freeze (a shop item) is spent to
-- carry the streak over it. The streak row is locked first, so concurrent touches queue.
CREATE OR REPLACE FUNCTION touch_streak(p_user_id uuid, p_streak_type text, p_day date DEFAULT NULL,
                             OUT streak_type text, OUT current_streak integer, OUT longest_streak integer,
                             OUT last_activity_date date)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_day date := coalesce(p_day, user_activity_day(p_user_id));
    v_last date;
    v_current integer;
BEGIN
    SELECT s.last_activity_date, s.current_streak INTO v_last, v_current FROM user_streaks s
    WHERE s.user_id = p_user_id AND s.streak_type = p_streak_type
    FOR UPDATE;
    IF FOUND AND v_last = v_day - 2 AND v_current > 0 THEN
        UPDATE user_boosts b SET used_at = now(), used_for = p_streak_type
        WHERE b.id = (SELECT f.id FROM user_boosts f
                      WHERE f.user_id = p_user_id AND f.kind = 'streak_freeze' AND f.used_at IS NULL
                      ORDER BY f.created_at, f.id LIMIT 1 FOR UPDATE SKIP LOCKED);
        IF FOUND THEN
            UPDATE user_streaks s SET last_activity_date = v_day - 1
            WHERE s.user_id = p_user_id AND s.streak_type = p_streak_type;
        END IF;
    END IF;

    INSERT INTO user_streaks AS s (user_id, streak_type, current_streak, longest_streak, last_activity_date)
    VALUES (p_user_id, p_streak_type, 1, 1, v_day)
    ON CONFLICT (user_id, streak_type) DO UPDATE
    SET current_streak = CASE
            WHEN s.last_activity_date >= v_day THEN s.current_streak
            WHEN s.last_activity_date = v_day - 1 THEN s.current_streak + 1
            ELSE 1 END,
        longest_streak = greatest(s.longest_streak, CASE
            WHEN s.last_activity_date >= v_day THEN s.current_streak
            WHEN s.last_activity_date = v_day - 1 THEN s.current_streak + 1
            ELSE 1 END),
        last_activity_date = greatest(s.last_activity_date, v_day)
    RETURNING s.streak_type, s.current_streak, s.longest_streak, s.last_activity_date
    INTO streak_type, current_streak, longest_streak, last_activity_date;
END $$;
