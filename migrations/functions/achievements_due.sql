-- Whether a write could have earned an achievement, so the caller runs the full check
-- (gamification.check_achievements) only then and most writes stay one statement. The write names what it
-- changed: p_metrics among total_xp, level, skill_stars, coins_earned and 'streak.<type>', p_event_types the
-- ledger events it added. A pending achievement is due when a part of its trigger (compounds included) is a
-- threshold on one of those metrics that the person now reaches, or names one of those events: a superset of what
-- the full check grants, never less.
CREATE OR REPLACE FUNCTION achievements_due(p_user_id uuid, p_metrics text[], p_event_types text[])
RETURNS boolean
LANGUAGE sql STABLE AS $$
WITH figures AS (
    SELECT jsonb_build_object('total_xp', coalesce(p.total_xp, 0), 'level', coalesce(p.current_level, 1),
                              'skill_stars', coalesce(p.total_skill_stars, 0),
                              'coins_earned', coalesce(w.total_earned, 0))
           || coalesce((SELECT jsonb_object_agg('streak.' || s.streak_type, s.longest_streak)
                        FROM user_streaks s WHERE s.user_id = p_user_id), '{}') AS f
    FROM (SELECT 1) one
    LEFT JOIN user_progress p ON p.user_id = p_user_id
    LEFT JOIN user_wallet w ON w.user_id = p_user_id
)
SELECT EXISTS (
    SELECT 1 FROM achievement_definitions d
    CROSS JOIN LATERAL jsonb_path_query(d.trigger_config, '$.**') AS part
    CROSS JOIN figures
    WHERE jsonb_typeof(part) = 'object'
      AND ((part ->> 'metric' = ANY (p_metrics) AND jsonb_typeof(part -> 'value') = 'number'
            AND (part ->> 'value')::numeric <= coalesce((figures.f ->> (part ->> 'metric'))::numeric, 0))
           OR part ->> 'event_type' = ANY (p_event_types))
      AND NOT EXISTS (SELECT 1 FROM user_achievements ua
                      WHERE ua.user_id = p_user_id AND ua.achievement_key = d.key))
$$;
