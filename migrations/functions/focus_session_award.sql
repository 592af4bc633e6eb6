-- What a focus session pays for the time focused (pauses excluded). Work: XP = max(5, minutes), coins =
-- max(2, seconds ÷ 300), one 'focus' skill star per full 25 minutes, from 5 focused minutes (so the floors never pay
-- more than the time earns: many one-minute sessions must not beat one long one); an hour unbroken by a pause is
-- deep work (a bonus of 15 XP and 5 coins, paid separately). A break is rest: a token 2 XP from one minute.
-- The rule lives here because its input, the time focused, is the server's clock at completion.
CREATE OR REPLACE FUNCTION focus_session_award(p_mode text, p_focused_seconds integer, p_unbroken boolean,
                                    OUT xp integer, OUT coins integer, OUT skill_stars integer,
                                    OUT deep_work boolean)
LANGUAGE sql IMMUTABLE AS $$
SELECT CASE WHEN p_mode <> 'work' THEN CASE WHEN p_focused_seconds >= 60 THEN 2 ELSE 0 END
            WHEN p_focused_seconds < 300 THEN 0
            ELSE greatest(5, p_focused_seconds / 60) END,
       CASE WHEN p_mode <> 'work' OR p_focused_seconds < 300 THEN 0 ELSE greatest(2, p_focused_seconds / 300) END,
       CASE WHEN p_mode <> 'work' OR p_focused_seconds < 300 THEN 0 ELSE p_focused_seconds / (25 * 60) END,
       p_mode = 'work' AND p_unbroken AND p_focused_seconds >= 3600
$$;
