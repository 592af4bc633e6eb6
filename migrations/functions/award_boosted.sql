-- gamification.award inside a larger statement: running shop boosts multiply the XP earned and the ledger reason
-- names them (the rule of momentum.boosts.xp_multiplier, here because its input, user_boosts, is in the database),
-- then award_points pays once per idempotency key. A focus boost applies to the focus events only
-- (momentum.boosts.FOCUS_EVENTS); an xp boost to every award that earns XP.
CREATE OR REPLACE FUNCTION award_boosted(
    p_user_id uuid, p_event_type text, p_idempotency_key text,
    p_coins integer DEFAULT 0, p_xp integer DEFAULT 0, p_skill_key text DEFAULT NULL,
    p_skill_stars integer DEFAULT 0, p_reason text DEFAULT NULL, p_event_id uuid DEFAULT NULL,
    OUT ledger_id uuid, OUT applied boolean, OUT coins integer, OUT total_xp integer, OUT level integer)
LANGUAGE plpgsql AS $$
DECLARE
    v_boost record;
    v_multiplier integer := 1;
    v_labels text;
BEGIN
    IF p_xp > 0 THEN
        FOR v_boost IN
            SELECT b.multiplier, b.label FROM user_boosts b
            WHERE b.user_id = p_user_id AND b.starts_at <= now() AND b.ends_at > now()
              AND (b.kind = 'xp' OR (b.kind = 'focus' AND p_event_type IN ('focus', 'focus_break', 'focus_deep_work')))
        LOOP
            v_multiplier := v_multiplier * v_boost.multiplier;
            v_labels := concat_ws(', ', v_labels, v_boost.label || ' ×' || v_boost.multiplier);
        END LOOP;
        IF v_multiplier > 1 THEN
            p_xp := p_xp * v_multiplier;
            p_reason := coalesce(p_reason, p_event_type) || ' (boost: ' || v_labels || ')';
        END IF;
    END IF;
    SELECT a.ledger_id, a.applied, a.coins, a.total_xp, a.level INTO ledger_id, applied, coins, total_xp, level
    FROM award_points(p_user_id, p_event_type, p_idempotency_key, p_coins, p_xp, p_skill_key, p_skill_stars,
                      p_reason, p_event_id) a;
END $$;
