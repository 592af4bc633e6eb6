-- What a set adds to a session's volume: weight × reps, nothing for a warm-up (the volume record of
-- momentum.fitness.rules.record_values, summed by session summaries and the stats). Inlined like
-- fitness_working_set.
CREATE OR REPLACE FUNCTION fitness_set_volume(p_is_warmup boolean, p_weight real, p_reps integer)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_is_warmup THEN 0 ELSE coalesce(p_weight::float8 * p_reps, 0) END
$$;
