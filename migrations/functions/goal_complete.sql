-- Complete a goal, or one of its milestones, in one statement and pay once: lock the goal (so concurrent requests
-- pay once), refuse a goal that is not active, complete the milestone (paid under 'goal-milestone:<id>'; the
-- goal's progress follows its milestones, and the last one completes the goal), complete the goal (paid under
-- 'goal:<id>'). p_milestone_id NULL completes the goal by hand. The amounts are momentum.habits.rules, passed in.
-- Returns the goal as goal_state shows it, and whether an achievement may be due.
-- Errors: MG404 goal or milestone not found, MG001 goal not active (DETAIL names its status), MG002 milestone
-- completed already.
CREATE OR REPLACE FUNCTION goal_complete(
    p_user_id uuid, p_goal_id uuid, p_milestone_id uuid, p_milestone_xp integer, p_milestone_coins integer,
    p_goal_xp integer, p_goal_coins integer)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_status text;
    v_title text;
    v_milestone text;
    v_progress integer;
BEGIN
    SELECT g.status, g.title INTO v_status, v_title FROM goals g
    WHERE g.id = p_goal_id AND g.user_id = p_user_id
    FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'goal not found' USING ERRCODE = 'MG404', DETAIL = '{"resource": "goal"}';
    END IF;
    IF p_milestone_id IS NOT NULL THEN
        PERFORM 1 FROM goal_milestones m WHERE m.id = p_milestone_id AND m.goal_id = p_goal_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'milestone not found' USING ERRCODE = 'MG404', DETAIL = '{"resource": "milestone"}';
        END IF;
    END IF;
    IF v_status <> 'active' THEN
        RAISE EXCEPTION 'The goal is %', v_status USING ERRCODE = 'MG001',
            DETAIL = json_build_object('status', v_status)::text;
    END IF;

    IF p_milestone_id IS NOT NULL THEN
        UPDATE goal_milestones m SET is_completed = true, completed_at = now()
        WHERE m.id = p_milestone_id AND m.goal_id = p_goal_id AND NOT m.is_completed
        RETURNING m.title INTO v_milestone;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'milestone completed already' USING ERRCODE = 'MG002';
        END IF;
        PERFORM award_boosted(p_user_id, 'goal_milestone', 'goal-milestone:' || p_milestone_id, p_milestone_coins,
                              p_milestone_xp, p_reason => 'Milestone: ' || v_milestone, p_event_id => p_milestone_id);
        -- Progress follows the milestones.
        UPDATE goals g SET progress = m.pct
        FROM (SELECT (100 * count(*) FILTER (WHERE x.is_completed) / count(*))::integer AS pct
              FROM goal_milestones x WHERE x.goal_id = p_goal_id HAVING count(*) > 0) m
        WHERE g.id = p_goal_id
        RETURNING g.progress INTO v_progress;
    END IF;

    IF p_milestone_id IS NULL OR v_progress = 100 THEN
        UPDATE goals g SET status = 'completed', completed_at = now(), progress = 100 WHERE g.id = p_goal_id;
        PERFORM award_boosted(p_user_id, 'goal', 'goal:' || p_goal_id, p_goal_coins, p_goal_xp,
                              p_reason => 'Goal completed: ' || v_title, p_event_id => p_goal_id);
    END IF;
    RETURN jsonb_build_object(
        'goal', (SELECT goal_state(g) FROM goals g WHERE g.id = p_goal_id),
        'achievements_due', achievements_due(p_user_id, ARRAY['total_xp', 'level', 'coins_earned'],
                                             ARRAY['goal', 'goal_milestone']));
END $$;
