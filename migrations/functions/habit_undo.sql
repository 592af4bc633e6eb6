-- Undo today's latest completion of a habit in one statement: lock the habit, delete the completion, reverse what
-- it paid with a negative award under 'habit-undo:<completion id>' (MC001 when those coins are spent already, which
-- undoes the whole statement), and recompute the streaks. Returns the habit as habit_state shows it.
-- Errors: MH404 habit not found, MH003 nothing to undo today.
CREATE OR REPLACE FUNCTION habit_undo(p_user_id uuid, p_habit_id uuid)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_zone text := user_time_zone(p_user_id);
    v_today date := (now() AT TIME ZONE v_zone)::date;
    v_name text;
    v_completion_id uuid;
    v_paid record;
BEGIN
    SELECT h.name INTO v_name FROM habits h WHERE h.id = p_habit_id AND h.user_id = p_user_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'habit not found' USING ERRCODE = 'MH404', DETAIL = '{"resource": "habit"}';
    END IF;
    DELETE FROM habit_completions c WHERE c.id = (
        SELECT x.id FROM habit_completions x WHERE x.habit_id = p_habit_id AND x.completed_date = v_today
        ORDER BY x.completed_at DESC, x.id DESC LIMIT 1)
    RETURNING c.id INTO v_completion_id;
    IF v_completion_id IS NULL THEN
        RAISE EXCEPTION 'nothing to undo' USING ERRCODE = 'MH003';
    END IF;
    SELECT l.coins, l.xp INTO v_paid FROM points_ledger l
    WHERE l.user_id = p_user_id AND l.idempotency_key = 'habit-completion:' || v_completion_id;
    IF FOUND AND (v_paid.coins <> 0 OR v_paid.xp <> 0) THEN
        PERFORM award_points(p_user_id, 'habit_undo', 'habit-undo:' || v_completion_id, -v_paid.coins, -v_paid.xp,
                             p_reason => 'Habit undone: ' || v_name, p_event_id => v_completion_id);
    END IF;
    PERFORM habit_set_streaks(p_habit_id, v_zone, v_today);
    RETURN habit_state(p_habit_id, v_today);
END $$;
