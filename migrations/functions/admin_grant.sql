-- An admin's grant (gamification.admin_grant) in one statement: the user and skill must exist, the award pays once
-- per key (with boosts, through award_boosted) and is audited with the request. A key paid before changes nothing:
-- first_request is then what its audit row recorded, and the caller compares it with this request (a pure rule, in
-- Python, over the GrantIn fields).
CREATE OR REPLACE FUNCTION admin_grant(
    p_admin_id uuid, p_session_id uuid, p_user_id uuid, p_idempotency_key text,
    p_coins integer, p_xp integer, p_skill_key text, p_skill_stars integer, p_reason text, p_request jsonb,
    p_ip_address text, p_user_agent text, p_request_id text,
    OUT entry points_ledger, OUT applied boolean, OUT first_request jsonb, OUT achievements_due boolean)
LANGUAGE plpgsql AS $$
DECLARE
    v_ledger_id uuid;
BEGIN
    PERFORM 1 FROM users u WHERE u.id = p_user_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'user not found' USING ERRCODE = 'MC404', DETAIL = '{"resource": "user"}';
    END IF;
    IF p_skill_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM skill_definitions s WHERE s.key = p_skill_key) THEN
        RAISE EXCEPTION 'Unknown skill' USING ERRCODE = 'MC422',
            DETAIL = json_build_object('skill_key', p_skill_key)::text;
    END IF;
    SELECT a.ledger_id, a.applied INTO v_ledger_id, applied
    FROM award_boosted(p_user_id, 'admin_grant', p_idempotency_key, p_coins, p_xp, p_skill_key, p_skill_stars,
                       p_reason) a;
    IF applied THEN
        INSERT INTO audit_log (user_id, session_id, event_type, resource_type, resource_id, action, status, details,
                               ip_address, user_agent, request_id)
        VALUES (p_admin_id, p_session_id, 'admin_action', 'user', p_user_id, 'grant', 'success',
                p_request || jsonb_build_object('ledger_id', v_ledger_id::text), p_ip_address, p_user_agent,
                p_request_id);
        achievements_due := achievements_due(p_user_id, ARRAY['total_xp', 'level', 'skill_stars', 'coins_earned'],
                                             ARRAY['admin_grant']);
    ELSE
        SELECT l.details INTO first_request FROM audit_log l
        WHERE l.event_type = 'admin_action' AND l.action = 'grant' AND l.resource_id = p_user_id
          AND l.details->>'ledger_id' = v_ledger_id::text;
        achievements_due := false;
    END IF;
    SELECT * INTO entry FROM points_ledger l WHERE l.id = v_ledger_id;
END $$;
