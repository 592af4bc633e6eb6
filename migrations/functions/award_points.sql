-- The one place that changes user_wallet, user_progress and user_skills. It writes one points_ledger row per
-- idempotency key; a key seen before changes nothing and returns the first ledger row (applied = false).
-- Taking coins below zero raises SQLSTATE 'MC001' (insufficient coins), XP below zero 'MC002'.
-- p_refund marks coins given back for a purchase: they lower total_spent instead of counting as earnings.
CREATE OR REPLACE FUNCTION award_points(
    p_user_id uuid, p_event_type text, p_idempotency_key text,
    p_coins integer DEFAULT 0, p_xp integer DEFAULT 0, p_skill_key text DEFAULT NULL,
    p_skill_stars integer DEFAULT 0, p_reason text DEFAULT NULL, p_event_id uuid DEFAULT NULL,
    p_refund boolean DEFAULT false,
    OUT ledger_id uuid, OUT applied boolean, OUT coins integer, OUT total_xp integer, OUT level integer)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_balance integer;
    v_per_level integer;
    v_max_level integer;
BEGIN
    INSERT INTO points_ledger (user_id, event_type, event_id, coins, xp, skill_stars, skill_key, reason,
                               idempotency_key)
    VALUES (p_user_id, p_event_type, p_event_id, p_coins, p_xp, p_skill_stars, p_skill_key, p_reason,
            p_idempotency_key)
    ON CONFLICT (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING id INTO ledger_id;
    applied := ledger_id IS NOT NULL;

    IF NOT applied THEN
        SELECT l.id INTO ledger_id FROM points_ledger l
        WHERE l.user_id = p_user_id AND l.idempotency_key = p_idempotency_key;
    ELSE
        IF p_coins <> 0 THEN
            INSERT INTO user_wallet (user_id) VALUES (p_user_id) ON CONFLICT (user_id) DO NOTHING;
            UPDATE user_wallet w
            SET coins = w.coins + p_coins,
                total_earned = w.total_earned + CASE WHEN p_refund THEN 0 ELSE greatest(p_coins, 0) END,
                total_spent = w.total_spent - CASE WHEN p_refund THEN p_coins ELSE least(p_coins, 0) END
            WHERE w.user_id = p_user_id AND w.coins + p_coins >= 0;
            IF NOT FOUND THEN
                SELECT w.coins INTO v_balance FROM user_wallet w WHERE w.user_id = p_user_id;
                RAISE EXCEPTION 'insufficient coins' USING ERRCODE = 'MC001',
                    DETAIL = json_build_object('needed', -p_coins, 'available', v_balance)::text;
            END IF;
        END IF;
        IF p_xp <> 0 OR p_skill_stars <> 0 THEN
            INSERT INTO user_progress (user_id) VALUES (p_user_id) ON CONFLICT (user_id) DO NOTHING;
            UPDATE user_progress p
            SET total_xp = p.total_xp + p_xp,
                total_skill_stars = p.total_skill_stars + p_skill_stars,
                current_level = (level_for_xp(p.total_xp + p_xp)).level,
                xp_to_next_level = (level_for_xp(p.total_xp + p_xp)).xp_to_next_level
            WHERE p.user_id = p_user_id AND p.total_xp + p_xp >= 0;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'XP cannot go below zero' USING ERRCODE = 'MC002';
            END IF;
        END IF;
        IF p_skill_stars <> 0 THEN
            -- Stars fill levels of stars_per_level each (10 for an undefined skill), up to max_level.
            SELECT coalesce(d.stars_per_level, 10), coalesce(d.max_level, 100) INTO v_per_level, v_max_level
            FROM (SELECT 1) one LEFT JOIN skill_definitions d ON d.key = p_skill_key;
            INSERT INTO user_skills AS s (user_id, skill_key, total_stars, current_stars, current_level)
            VALUES (p_user_id, p_skill_key, p_skill_stars, p_skill_stars % v_per_level,
                    least(v_max_level, 1 + p_skill_stars / v_per_level))
            ON CONFLICT (user_id, skill_key) DO UPDATE
            SET total_stars = s.total_stars + p_skill_stars,
                current_stars = (s.total_stars + p_skill_stars) % v_per_level,
                current_level = least(v_max_level, 1 + (s.total_stars + p_skill_stars) / v_per_level);
        END IF;
    END IF;

    SELECT w.coins INTO coins FROM user_wallet w WHERE w.user_id = p_user_id;
    SELECT p.total_xp, p.current_level INTO total_xp, level FROM user_progress p WHERE p.user_id = p_user_id;
END $$;
