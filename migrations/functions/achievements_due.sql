-- Whether an award of p_event_type could have earned the person an achievement, as claim_reward decides for a
-- claim: an award changes only total_xp, level, skill_stars, coins_earned and the count of its ledger event, so a
-- pending trigger it newly meets (or, in a compound, one of its parts) must be a threshold on one of those that the
-- balances now reach, or name the event. Only then does the caller run the full check
-- (gamification.check_achievements); most paying writes skip it.
CREATE OR REPLACE FUNCTION achievements_due(p_user_id uuid, p_event_type text)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1
        FROM achievement_definitions d,
             (SELECT coalesce(max(p.total_xp), 0) AS xp, coalesce(max(p.current_level), 1) AS level,
                     coalesce(max(p.total_skill_stars), 0) AS stars
              FROM user_progress p WHERE p.user_id = p_user_id) progress,
             (SELECT coalesce(max(w.total_earned), 0) AS earned FROM user_wallet w WHERE w.user_id = p_user_id) wallet
        WHERE jsonb_path_exists(d.trigger_config,
                  '$.** ? ((@.metric == "total_xp" && @.value <= $xp) || (@.metric == "level" && @.value <= $level)
                           || (@.metric == "skill_stars" && @.value <= $stars)
                           || (@.metric == "coins_earned" && @.value <= $earned) || @.event_type == $event)',
                  jsonb_build_object('xp', progress.xp, 'level', progress.level, 'stars', progress.stars,
                                     'earned', wallet.earned, 'event', p_event_type))
          AND NOT EXISTS (SELECT 1 FROM user_achievements ua
                          WHERE ua.user_id = p_user_id AND ua.achievement_key = d.key))
$$;
