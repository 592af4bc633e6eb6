-- The response kept for a graded learn submission's Idempotency-Key (momentum.learn.replay), looked up by the write
-- functions once they hold their row's lock: a retry sent while the first request was still writing waited on that
-- lock, and now answers the first response instead of being refused as a second answer. NULL for no key or a new one.
-- Errors: ML001 the key was used for another request.
CREATE OR REPLACE FUNCTION learn_replayed(p_user_id uuid, p_key text, p_request text)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_request text;
    v_response jsonb;
BEGIN
    IF p_key IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT k.request, k.response INTO v_request, v_response
    FROM learn_request_keys k WHERE k.user_id = p_user_id AND k.idempotency_key = p_key;
    IF FOUND AND v_request <> p_request THEN
        RAISE EXCEPTION 'Idempotency-Key used for another request' USING ERRCODE = 'ML001';
    END IF;
    RETURN v_response;
END $$;
