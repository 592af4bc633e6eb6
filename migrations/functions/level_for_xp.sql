-- Level curve: reaching level L+1 from level L takes floor(100 × L^1.5) XP; the level follows from lifetime XP.
CREATE OR REPLACE FUNCTION level_for_xp(p_total_xp integer, OUT level integer, OUT xp_to_next_level integer)
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    spent bigint := 0;
    need bigint;
BEGIN
    level := 1;
    LOOP
        need := floor(100 * power(level, 1.5));
        EXIT WHEN spent + need > p_total_xp;
        spent := spent + need;
        level := level + 1;
    END LOOP;
    xp_to_next_level := spent + need - p_total_xp;
END $$;
