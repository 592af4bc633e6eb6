-- A habit as the API shows it (momentum.habits.models.Habit), for the write functions that answer with it: its
-- columns and the completions of the period holding p_today (that day, or its ISO week for a weekly habit), as
-- momentum.habits.habits.HABIT reads them.
CREATE OR REPLACE FUNCTION habit_state(p_habit_id uuid, p_today date)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
SELECT to_jsonb(h) - 'user_id' || jsonb_build_object('period_count', pc.n, 'done_for_period', pc.n >= h.target_count)
FROM habits h
CROSS JOIN LATERAL (
    SELECT count(*)::integer AS n FROM habit_completions c
    WHERE c.habit_id = h.id AND c.completed_date <= p_today
      AND c.completed_date >= CASE WHEN h.frequency = 'weekly' THEN date_trunc('week', p_today)::date
                                   ELSE p_today END
) pc
WHERE h.id = p_habit_id
$$;
