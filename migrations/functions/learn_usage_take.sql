-- Take up to p_wanted from today's p_cap of a learning reward (momentum.learn.usage): today's row is created if
-- need be and locked (the no-op update takes the row lock) until the transaction ends, so concurrent requests never
-- pay past the cap together. Returns what was granted (0 when used up). The day is the caller's
-- (days.activity_day, a rule kept in Python); what is used of it only the database knows, so the sum is here.
CREATE OR REPLACE FUNCTION learn_usage_take(p_user_id uuid, p_day date, p_bucket text, p_wanted integer,
                                            p_cap integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_used integer;
    v_granted integer;
BEGIN
    IF p_wanted <= 0 OR p_cap <= 0 THEN
        RETURN 0;
    END IF;
    INSERT INTO learn_daily_usage AS u (user_id, day, bucket) VALUES (p_user_id, p_day, p_bucket)
    ON CONFLICT (user_id, day, bucket) DO UPDATE SET amount = u.amount
    RETURNING u.amount INTO v_used;
    v_granted := greatest(0, least(p_wanted, p_cap - v_used));
    IF v_granted > 0 THEN
        UPDATE learn_daily_usage u SET amount = u.amount + v_granted
        WHERE u.user_id = p_user_id AND u.day = p_day AND u.bucket = p_bucket;
    END IF;
    RETURN v_granted;
END $$;
