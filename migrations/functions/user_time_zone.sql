-- The person's time zone for day and period arithmetic inside a statement: their 'timezone' setting, else UTC.
-- Only validated names are stored; one this server does not know (a database edited by hand, a zone newer than its
-- tz database) falls back to UTC, as momentum.platform.days.zone does, instead of failing the write that asked.
CREATE OR REPLACE FUNCTION user_time_zone(p_user_id uuid)
RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_zone text;
BEGIN
    SELECT s.value #>> '{}' INTO v_zone FROM user_settings s WHERE s.user_id = p_user_id AND s.key = 'timezone';
    IF v_zone IS NULL THEN
        RETURN 'UTC';
    END IF;
    PERFORM now() AT TIME ZONE v_zone;
    RETURN v_zone;
EXCEPTION WHEN invalid_parameter_value THEN
    RETURN 'UTC';
END $$;
