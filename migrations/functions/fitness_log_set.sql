-- Logging a set is one statement (one round trip): lock the session, number the set, insert it, and insert the
-- records it breaks against the current bests, all under locks, so concurrent logs stay consistent. It lives in
-- the database because each statement of a plpgsql function sees what committed before it: the set number is
-- computed after the session lock is granted, which one data-modifying CTE could not do.
-- The record rules (which values a set offers) stay in Python (momentum.fitness.rules); this compares them with
-- the current bests. Errors: MF404 session not found, MF409 session completed, MF422 exercise not visible.
CREATE OR REPLACE FUNCTION fitness_log_set(
    p_user_id uuid, p_session_id uuid, p_exercise_id uuid, p_reps integer, p_weight real, p_duration integer,
    p_is_warmup boolean, p_is_dropset boolean, p_rpe integer, p_notes text,
    p_record_types text[], p_record_values real[])
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_completed_at timestamptz;
    v_set exercise_sets;
    v_records jsonb;
BEGIN
    SELECT s.completed_at INTO v_completed_at FROM workout_sessions s
    WHERE s.id = p_session_id AND s.user_id = p_user_id
    FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'session not found' USING ERRCODE = 'MF404';
    END IF;
    IF v_completed_at IS NOT NULL THEN
        RAISE EXCEPTION 'session completed' USING ERRCODE = 'MF409';
    END IF;
    PERFORM 1 FROM exercises e WHERE e.id = p_exercise_id AND (e.is_builtin OR e.user_id = p_user_id);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'exercise not found' USING ERRCODE = 'MF422';
    END IF;
    IF cardinality(p_record_types) > 0 THEN
        PERFORM pg_advisory_xact_lock(fitness_records_lock(p_user_id, p_exercise_id));
    END IF;

    -- clock_timestamp(), not now(): taken after the locks, so history order is the order records were kept in.
    INSERT INTO exercise_sets (session_id, exercise_id, set_number, reps, weight, duration, is_warmup,
                               is_dropset, rpe, notes, completed_at)
    VALUES (p_session_id, p_exercise_id,
            (SELECT coalesce(max(x.set_number), 0) + 1 FROM exercise_sets x
             WHERE x.session_id = p_session_id AND x.exercise_id = p_exercise_id),
            p_reps, p_weight, p_duration, p_is_warmup, p_is_dropset, p_rpe, p_notes, clock_timestamp())
    RETURNING * INTO v_set;

    -- A record is a value strictly above the current best of its type (a tie is not a record).
    WITH candidate AS (
        SELECT c.record_type, c.value,
               (SELECT pr.value FROM personal_records pr
                WHERE pr.user_id = p_user_id AND pr.exercise_id = p_exercise_id
                  AND pr.record_type = c.record_type
                ORDER BY pr.value DESC LIMIT 1) AS best
        FROM unnest(p_record_types, p_record_values) AS c (record_type, value)
    ), inserted AS (
        INSERT INTO personal_records (user_id, exercise_id, record_type, value, reps, achieved_at,
                                      exercise_set_id, previous_value)
        SELECT p_user_id, p_exercise_id, c.record_type, c.value, v_set.reps, v_set.completed_at, v_set.id, c.best
        FROM candidate c
        WHERE c.best IS NULL OR c.value > c.best
        RETURNING *
    )
    SELECT coalesce(jsonb_agg(to_jsonb(i) ORDER BY i.record_type), '[]') INTO v_records FROM inserted i;

    RETURN jsonb_build_object('set', to_jsonb(v_set), 'records', v_records);
END $$;
