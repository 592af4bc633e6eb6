-- A workout session as the API shows it (momentum.fitness.models.Session), or NULL when it is not the user's: its
-- summary; its sets grouped by exercise, exercises in the order they were first done and sets by number, each
-- exercise with the records its sets hold; and the plan of its workout, each exercise with the sets of the user's
-- latest earlier session that did it. What reading, starting and completing a session answer. plpgsql rather than
-- sql so that its plan is cached for the connection.
CREATE OR REPLACE FUNCTION fitness_session_state(p_user_id uuid, p_session_id uuid)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (
        SELECT jsonb_build_object(
            'id', ws.id, 'workout_id', ws.workout_id, 'workout_name', w.name, 'started_at', ws.started_at,
            'completed_at', ws.completed_at, 'duration_seconds', ws.duration_seconds, 'notes', ws.notes,
            'rating', ws.rating, 'xp_awarded', ws.xp_awarded, 'coins_awarded', ws.coins_awarded,
            'set_count', agg.set_count, 'working_set_count', agg.working_set_count, 'volume', agg.volume,
            'exercises', coalesce((
                SELECT jsonb_agg(jsonb_build_object(
                           'exercise_id', g.exercise_id, 'exercise_name', e.name, 'category', e.category,
                           'sets', g.sets,
                           'records', coalesce((
                               SELECT jsonb_agg(to_jsonb(pr) ORDER BY pr.achieved_at, pr.record_type, pr.id)
                               FROM exercise_sets x JOIN personal_records pr ON pr.exercise_set_id = x.id
                               WHERE x.session_id = ws.id AND x.exercise_id = g.exercise_id), '[]'))
                       ORDER BY g.first_done, g.exercise_id)
                FROM (
                    SELECT s.exercise_id, min(s.completed_at) AS first_done,
                           jsonb_agg(to_jsonb(s) ORDER BY s.set_number, s.id) AS sets
                    FROM exercise_sets s WHERE s.session_id = ws.id
                    GROUP BY s.exercise_id
                ) g
                JOIN exercises e ON e.id = g.exercise_id), '[]'),
            'plan', coalesce((
                SELECT jsonb_agg(jsonb_build_object(
                           'exercise_id', we.exercise_id, 'exercise_name', e.name, 'category', e.category,
                           'section_name', sec.name, 'sets', we.sets, 'reps', we.reps, 'weight', we.weight,
                           'duration', we.duration, 'rest_seconds', we.rest_seconds, 'notes', we.notes,
                           'last_time', CASE WHEN last.session_id IS NOT NULL THEN jsonb_build_object(
                               'session_id', last.session_id, 'started_at', last.started_at, 'sets', last.sets) END)
                       ORDER BY sec.sort_order NULLS FIRST, sec.id, we.sort_order, we.id)
                FROM workout_exercises we
                JOIN exercises e ON e.id = we.exercise_id
                LEFT JOIN workout_sections sec ON sec.id = we.section_id
                LEFT JOIN LATERAL (
                    SELECT prev.id AS session_id, prev.started_at,
                           (SELECT jsonb_agg(jsonb_build_object('set_number', s.set_number, 'reps', s.reps,
                                                                'weight', s.weight, 'duration', s.duration,
                                                                'is_warmup', s.is_warmup)
                                             ORDER BY s.set_number, s.id)
                            FROM exercise_sets s
                            WHERE s.session_id = prev.id AND s.exercise_id = we.exercise_id) AS sets
                    FROM workout_sessions prev
                    WHERE prev.user_id = ws.user_id AND prev.id <> ws.id
                      AND (prev.started_at, prev.id) < (ws.started_at, ws.id)
                      AND EXISTS (SELECT 1 FROM exercise_sets s
                                  WHERE s.session_id = prev.id AND s.exercise_id = we.exercise_id)
                    ORDER BY prev.started_at DESC, prev.id DESC
                    LIMIT 1
                ) last ON true
                WHERE we.workout_id = w.id), '[]'))
        FROM workout_sessions ws
        -- the workout's name and plan only while the user may still see it (a public workout can be made private)
        LEFT JOIN workouts w ON w.id = ws.workout_id AND (w.user_id = ws.user_id OR w.is_public)
        CROSS JOIN LATERAL (
            SELECT count(*) AS set_count,
                   count(*) FILTER (WHERE fitness_working_set(s.is_warmup, s.reps, s.duration)) AS working_set_count,
                   coalesce(sum(fitness_set_volume(s.is_warmup, s.weight, s.reps)), 0) AS volume
            FROM exercise_sets s WHERE s.session_id = ws.id
        ) agg
        WHERE ws.id = p_session_id AND ws.user_id = p_user_id
    );
END $$;
