-- End the person's focus sessions past their expiry as abandoned, keeping the time they had left (a running one
-- has none by then).
CREATE OR REPLACE FUNCTION focus_expire(p_user_id uuid)
RETURNS void
LANGUAGE sql AS $$
WITH expired AS (
    UPDATE focus_sessions SET status = 'abandoned', abandoned_at = expires_at
    WHERE user_id = p_user_id AND status = 'active' AND expires_at <= now()
    RETURNING id
)
UPDATE focus_pause_state p
SET time_remaining_seconds = CASE WHEN p.is_paused THEN p.time_remaining_seconds ELSE 0 END, is_paused = false
FROM expired e WHERE p.session_id = e.id
$$;
