-- The day activity counts for (streaks), inside a statement: the person's local date, never earlier than the date
-- in a zone they left in the last 48 hours, so moving west cannot bring back a day that has ended
-- (momentum.platform.days explains the rule; Clock.activity_day is the same rule for Python callers).
-- A stored zone this server does not know counts as UTC, as momentum.platform.days.zone does.
CREATE OR REPLACE FUNCTION user_activity_day(p_user_id uuid)
RETURNS date
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_day date := (now() AT TIME ZONE user_time_zone(p_user_id))::date;
    v_zone text;
BEGIN
    FOR v_zone IN
        SELECT c.old_timezone FROM timezone_changes c
        WHERE c.user_id = p_user_id AND c.changed_at > now() - interval '48 hours'
    LOOP
        BEGIN
            v_day := greatest(v_day, (now() AT TIME ZONE v_zone)::date);
        EXCEPTION WHEN invalid_parameter_value THEN
            v_day := greatest(v_day, (now() AT TIME ZONE 'UTC')::date);
        END;
    END LOOP;
    RETURN v_day;
END $$;
