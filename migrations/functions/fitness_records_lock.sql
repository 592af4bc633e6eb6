-- One lock per (user, exercise) serialises record keeping across sessions (two devices, two open sessions).
CREATE OR REPLACE FUNCTION fitness_records_lock(p_user_id uuid, p_exercise_id uuid) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT hashtextextended('fitness-records:' || p_user_id::text || ':' || p_exercise_id::text, 0)
$$;
