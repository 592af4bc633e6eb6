-- Complete a habit for the person's local today in one statement: lock the habit, refuse a paused one or one done
-- for its period, insert the completion, recompute the streaks, pay, touch the 'habit' streak and say whether an
-- achievement may be due. The pay table (base and milestone bonuses) is momentum.habits.rules, passed in; which
-- bonus applies is decided here, because it depends on the streak the new completion makes.
-- Errors: MH404 habit not found, MH001 habit paused, MH002 done for the period.
CREATE OR REPLACE FUNCTION habit_complete(
    p_user_id uuid, p_habit_id uuid, p_notes text, p_xp integer, p_coins integer,
    p_milestones integer[], p_milestone_xp integer[], p_milestone_coins integer[])
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_zone text := user_time_zone(p_user_id);
    v_today date := (now() AT TIME ZONE v_zone)::date;
    v_habit habits;
    v_before jsonb;
    v_completion habit_completions;
    v_streak integer;
    v_bonus integer;
    v_milestone integer;
    v_xp integer := p_xp;
    v_coins integer := p_coins;
BEGIN
    SELECT * INTO v_habit FROM habits h WHERE h.id = p_habit_id AND h.user_id = p_user_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'habit not found' USING ERRCODE = 'MH404', DETAIL = '{"resource": "habit"}';
    END IF;
    IF NOT v_habit.is_active THEN
        RAISE EXCEPTION 'habit paused' USING ERRCODE = 'MH001';
    END IF;
    v_before := habit_state(p_habit_id, v_today);
    IF (v_before ->> 'done_for_period')::boolean THEN
        RAISE EXCEPTION 'habit done for the period' USING ERRCODE = 'MH002',
            DETAIL = json_build_object('target_count', v_habit.target_count,
                                       'period_count', (v_before ->> 'period_count')::integer)::text;
    END IF;

    INSERT INTO habit_completions (habit_id, user_id, completed_date, notes)
    VALUES (p_habit_id, p_user_id, v_today, p_notes)
    RETURNING * INTO v_completion;
    v_streak := habit_set_streaks(p_habit_id, v_zone, v_today);

    -- The completion that finishes a period on a milestone streak adds that milestone's bonus.
    v_bonus := array_position(p_milestones, v_streak);
    IF (v_before ->> 'period_count')::integer + 1 = v_habit.target_count AND v_bonus IS NOT NULL THEN
        v_milestone := v_streak;
        v_xp := v_xp + p_milestone_xp[v_bonus];
        v_coins := v_coins + p_milestone_coins[v_bonus];
    END IF;
    PERFORM award_boosted(p_user_id, 'habit', 'habit-completion:' || v_completion.id, v_coins, v_xp,
                          p_reason => 'Habit: ' || v_habit.name
                                      || coalesce(' (' || v_milestone || '-period streak)', ''),
                          p_event_id => v_completion.id);
    PERFORM touch_streak(p_user_id, 'habit');

    RETURN jsonb_build_object(
        'habit', habit_state(p_habit_id, v_today),
        'completion', jsonb_build_object('id', v_completion.id, 'habit_id', v_completion.habit_id,
                                         'completed_at', v_completion.completed_at,
                                         'completed_date', v_completion.completed_date,
                                         'notes', v_completion.notes),
        'xp', v_xp, 'coins', v_coins, 'milestone', v_milestone,
        'achievements_due', achievements_due(p_user_id, ARRAY['total_xp', 'level', 'coins_earned', 'streak.habit'],
                                             ARRAY['habit']));
END $$;
