-- award_points with the shop boosts running now applied (momentum.boosts): earned XP (not a refund, not a charge)
-- is multiplied by every XP boost, and by a focus boost for the focus event types, and the ledger reason names
-- them. gamification.award and the SQL write paths both pay through here, so the boost rule has one home.
CREATE OR REPLACE FUNCTION award_boosted(
    p_user_id uuid, p_event_type text, p_idempotency_key text,
    p_coins integer DEFAULT 0, p_xp integer DEFAULT 0, p_skill_key text DEFAULT NULL,
    p_skill_stars integer DEFAULT 0, p_reason text DEFAULT NULL, p_event_id uuid DEFAULT NULL,
    p_refund boolean DEFAULT false,
    OUT ledger_id uuid, OUT applied boolean, OUT coins integer, OUT total_xp integer, OUT level integer)
LANGUAGE plpgsql AS $$
DECLARE
    v_xp integer := p_xp;
    v_reason text := p_reason;
    v_boost record;
    v_labels text[] := '{}';
BEGIN
    IF p_xp > 0 AND NOT p_refund THEN
        FOR v_boost IN
            SELECT b.multiplier, b.label FROM user_boosts b
            WHERE b.user_id = p_user_id AND b.starts_at <= now() AND b.ends_at > now()
              AND (b.kind = 'xp' OR (b.kind = 'focus' AND p_event_type IN ('focus', 'focus_break', 'focus_deep_work')))
            ORDER BY b.starts_at, b.id
        LOOP
            v_xp := v_xp * v_boost.multiplier;
            v_labels := v_labels || (v_boost.label || ' ×' || v_boost.multiplier);
        END LOOP;
        IF v_xp > p_xp THEN
            v_reason := coalesce(p_reason, p_event_type) || ' (boost: ' || array_to_string(v_labels, ', ') || ')';
        ELSE
            v_xp := p_xp;
        END IF;
    END IF;
    SELECT a.ledger_id, a.applied, a.coins, a.total_xp, a.level INTO ledger_id, applied, coins, total_xp, level
    FROM award_points(p_user_id, p_event_type, p_idempotency_key, p_coins, v_xp, p_skill_key, p_skill_stars,
                      v_reason, p_event_id, p_refund) a;
END $$;
