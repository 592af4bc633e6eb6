-- Complete an active focus session in one statement: end the person's expired sessions, lock this one, end it with
-- the time it had left, pay for the time focused (focus_session_award) under 'focus-session:<id>', the deep work
-- bonus under 'focus-deep-work:<id>', and for a paying work session touch the 'focus' streak. Returns the session as
-- the API shows it, the focused minutes a 'focus_minutes' quest counts, and whether an achievement may be due.
-- Errors: MS404 session not found, MS409 session not active (DETAIL names its status).
CREATE OR REPLACE FUNCTION focus_complete(p_user_id uuid, p_session_id uuid)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_session focus_sessions;
    v_status text;
    v_mode text;
    v_duration integer;
    v_paused_at timestamptz;
    v_remaining integer;
    v_focused integer;
    v_award record;
    v_event text;
    v_pays boolean;
BEGIN
    PERFORM focus_expire(p_user_id);
    SELECT s.status, s.mode, s.duration_seconds, p.paused_at,
           CASE WHEN s.status <> 'active' OR p.is_paused THEN coalesce(p.time_remaining_seconds, 0)
                WHEN p.resumed_at IS NOT NULL THEN greatest(0, p.time_remaining_seconds
                                                               - floor(extract(epoch FROM now() - p.resumed_at)))::integer
                ELSE greatest(0, s.duration_seconds - floor(extract(epoch FROM now() - s.started_at)))::integer END
    INTO v_status, v_mode, v_duration, v_paused_at, v_remaining
    FROM focus_sessions s JOIN focus_pause_state p ON p.session_id = s.id
    WHERE s.id = p_session_id AND s.user_id = p_user_id
    FOR UPDATE OF s, p;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'focus session not found' USING ERRCODE = 'MS404', DETAIL = '{"resource": "focus session"}';
    END IF;
    IF v_status <> 'active' THEN
        RAISE EXCEPTION 'The session is already %', v_status USING ERRCODE = 'MS409',
            DETAIL = json_build_object('status', v_status)::text;
    END IF;

    UPDATE focus_pause_state p SET is_paused = false, time_remaining_seconds = v_remaining
    WHERE p.session_id = p_session_id;
    UPDATE focus_sessions s SET status = 'completed', completed_at = now() WHERE s.id = p_session_id;
    v_focused := v_duration - v_remaining;
    SELECT * INTO v_award FROM focus_session_award(v_mode, v_focused, v_paused_at IS NULL);
    v_pays := v_award.xp <> 0 OR v_award.coins <> 0;
    v_event := CASE WHEN v_mode = 'work' THEN 'focus' ELSE 'focus_break' END;
    IF v_pays THEN
        PERFORM award_boosted(p_user_id, v_event, 'focus-session:' || p_session_id, v_award.coins, v_award.xp,
                              CASE WHEN v_award.skill_stars > 0 THEN 'focus' END, v_award.skill_stars,
                              'Focus session: ' || v_focused / 60 || ' minutes (' || v_mode || ')',
                              p_session_id);
        UPDATE focus_sessions s SET xp_awarded = v_award.xp, coins_awarded = v_award.coins WHERE s.id = p_session_id;
    END IF;
    IF v_award.deep_work THEN
        PERFORM award_boosted(p_user_id, 'focus_deep_work', 'focus-deep-work:' || p_session_id, 5, 15,
                              p_reason => 'Deep work: an hour of focus without a pause', p_event_id => p_session_id);
    END IF;
    IF v_mode = 'work' AND v_pays THEN
        PERFORM touch_streak(p_user_id, 'focus');
    END IF;

    SELECT * INTO v_session FROM focus_sessions s WHERE s.id = p_session_id;
    RETURN jsonb_build_object(
        'session', jsonb_build_object(
            'id', v_session.id, 'mode', v_session.mode, 'status', v_session.status,
            'duration_seconds', v_session.duration_seconds, 'started_at', v_session.started_at,
            'completed_at', v_session.completed_at, 'abandoned_at', v_session.abandoned_at,
            'expires_at', v_session.expires_at, 'is_paused', false, 'remaining_seconds', v_remaining,
            'focused_seconds', v_focused, 'paused_at', v_paused_at, 'xp_awarded', v_session.xp_awarded,
            'coins_awarded', v_session.coins_awarded, 'task_id', v_session.task_id,
            'task_title', v_session.task_title),
        'quest_minutes', CASE WHEN v_mode = 'work' AND v_pays THEN v_focused / 60 ELSE 0 END,
        -- As before, the achievement check follows a paying work session only.
        'achievements_due', v_mode = 'work' AND v_pays
            AND achievements_due(p_user_id, ARRAY['total_xp', 'level', 'coins_earned', 'skill_stars', 'streak.focus'],
                                 ARRAY['focus', 'focus_deep_work']));
END $$;
