-- Rewrite a habit's streaks (habit_streaks) and last completion from its completions, counting from the local day
-- it was created; returns the current streak. The caller holds the habit's row lock.
CREATE OR REPLACE FUNCTION habit_set_streaks(p_habit_id uuid, p_zone text, p_today date)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_streaks record;
BEGIN
    SELECT s.current_streak, s.longest_streak INTO v_streaks
    FROM habits h
    CROSS JOIN LATERAL habit_streaks(
        h.frequency, h.custom_days, h.target_count,
        array(SELECT c.completed_date FROM habit_completions c WHERE c.habit_id = h.id),
        least((h.created_at AT TIME ZONE p_zone)::date, p_today), p_today) s
    WHERE h.id = p_habit_id;
    UPDATE habits h SET current_streak = v_streaks.current_streak, longest_streak = v_streaks.longest_streak,
        last_completed_at = (SELECT max(c.completed_at) FROM habit_completions c WHERE c.habit_id = p_habit_id)
    WHERE h.id = p_habit_id;
    RETURN v_streaks.current_streak;
END $$;
