-- A working set: not a warm-up, with at least one rep or one second. The one definition of it: a completed session
-- is paid by its count (fitness_complete_session), and session summaries and the stats count them
-- (momentum.fitness.sessions.WORKING_SET). One expression, IMMUTABLE and not STRICT, so the planner inlines it and
-- a query over many sets pays nothing for the call.
CREATE OR REPLACE FUNCTION fitness_working_set(p_is_warmup boolean, p_reps integer, p_duration integer)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT NOT p_is_warmup AND (coalesce(p_reps, 0) > 0 OR coalesce(p_duration, 0) > 0)
$$;
