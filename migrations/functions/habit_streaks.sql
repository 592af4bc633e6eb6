-- (current, longest) runs of consecutive scheduled periods done (p_target_count completions in them), from the
-- period holding p_first (or the earliest completion) to the one holding p_today. p_completed holds one date per
-- completion. A period is a day, or an ISO week (Monday first) for a weekly habit; a custom habit is scheduled on
-- p_custom_days only (0 = Sunday … 6 = Saturday), and a day off its schedule is neither done nor missed. The
-- current period still open does not break the streak; a scheduled period that passed undone does.
-- The rule lives here because its input, the completions, only exists in the database: completing, undoing and
-- editing a habit recompute the streaks inside their statement.
CREATE OR REPLACE FUNCTION habit_streaks(p_frequency text, p_custom_days integer[], p_target_count integer,
                              p_completed date[], p_first date, p_today date,
                              OUT current_streak integer, OUT longest_streak integer)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    v_weekly boolean := p_frequency = 'weekly';
    v_now date := CASE WHEN p_frequency = 'weekly' THEN date_trunc('week', p_today)::date ELSE p_today END;
    v_first date := least(p_first, (SELECT min(c) FROM unnest(p_completed) c));
    v_period record;
BEGIN
    current_streak := 0;
    longest_streak := 0;
    FOR v_period IN
        SELECT p.start, count(c.day) AS done
        FROM generate_series(CASE WHEN v_weekly THEN date_trunc('week', v_first) ELSE v_first END, p_today,
                             CASE WHEN v_weekly THEN interval '7 days' ELSE interval '1 day' END) AS g (at)
        CROSS JOIN LATERAL (SELECT g.at::date AS start) p
        LEFT JOIN unnest(p_completed) AS c (day)
               ON c.day >= p.start AND c.day < p.start + CASE WHEN v_weekly THEN 7 ELSE 1 END
        WHERE p_frequency <> 'custom' OR extract(dow FROM p.start)::integer = ANY (p_custom_days)
        GROUP BY p.start
        ORDER BY p.start
    LOOP
        IF v_period.done >= p_target_count THEN
            current_streak := current_streak + 1;
            longest_streak := greatest(longest_streak, current_streak);
        ELSIF v_period.start <> v_now THEN
            current_streak := 0;
        END IF;
    END LOOP;
END $$;
