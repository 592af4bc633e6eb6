-- Log a reading session in one statement (momentum.books.sessions.log_session): lock the book, answer a retry of an
-- Idempotency-Key with the session it created, else complete the session's pages (reading_session_pages), start
-- the book if it is not being read, insert the session, move the book's page, pay under 'reading-session:<id>'
-- within the day's caps (reading_session_payout), finish the book on its last page (book_finish), touch the
-- 'reading' streak for a session of today, and remember the key. The book's row lock makes concurrent logs on one
-- book queue, so pages and payments add up. Returns the session, the stars it paid, the book as the API shows it,
-- whether the session finished the book, the pages a 'pages_read' quest counts (none for a retry) and whether an
-- achievement may be due. The rates and caps are momentum.books.rules (READING_RULES), passed in as p_rules.
-- Errors: MB404 book not found, MB409 book finished, MB003 key used for another session; MB001, MB002 and MB422
-- from the pages (MB422 too for a session with neither pages nor minutes).
CREATE OR REPLACE FUNCTION reading_session_log(
    p_user_id uuid, p_book_id uuid, p_pages_read integer, p_start_page integer, p_end_page integer,
    p_duration_minutes integer, p_started_at timestamptz, p_notes text, p_idempotency_key text, p_digest text,
    p_rules jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_zone text := user_time_zone(p_user_id);
    v_today date := (now() AT TIME ZONE v_zone)::date;
    v_day_start timestamptz := v_today::timestamp AT TIME ZONE v_zone;
    v_day_end timestamptz := (v_today + 1)::timestamp AT TIME ZONE v_zone;
    v_started_at timestamptz := coalesce(p_started_at, now());
    v_book books;
    v_prior reading_session_requests;
    v_pages record;
    v_session reading_sessions;
    v_paid_xp integer;
    v_paid_coins integer;
    v_paid_stars integer;
    v_pages_today integer;
    v_pay record;
    v_stars integer := 0;
    v_completed boolean := false;
    v_quest_pages integer := 0;
    v_due boolean := false;
BEGIN
    SELECT * INTO v_book FROM books b WHERE b.id = p_book_id AND b.user_id = p_user_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'book not found' USING ERRCODE = 'MB404', DETAIL = '{"resource": "book"}';
    END IF;
    IF p_idempotency_key IS NOT NULL THEN
        SELECT * INTO v_prior FROM reading_session_requests q
        WHERE q.user_id = p_user_id AND q.idempotency_key = p_idempotency_key;
    END IF;

    IF v_prior.idempotency_key IS NOT NULL THEN
        -- A retry: the session the key created, as it is now (a key kept before digests were has none to compare).
        IF v_prior.book_id <> p_book_id OR v_prior.session_id IS NULL
           OR (v_prior.request_digest IS NOT NULL AND v_prior.request_digest <> p_digest) THEN
            RAISE EXCEPTION 'This Idempotency-Key was used for another session' USING ERRCODE = 'MB003';
        END IF;
        SELECT * INTO v_session FROM reading_sessions s
        WHERE s.id = v_prior.session_id AND s.book_id = p_book_id AND s.user_id = p_user_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'session not found' USING ERRCODE = 'MB404', DETAIL = '{"resource": "session"}';
        END IF;
        SELECT coalesce(l.skill_stars, 0) INTO v_stars FROM points_ledger l
        WHERE l.user_id = p_user_id AND l.idempotency_key = 'reading-session:' || v_session.id;
        v_stars := coalesce(v_stars, 0);
        v_completed := v_book.status = 'completed' AND v_session.end_page IS NOT DISTINCT FROM v_book.total_pages;
    ELSE
        IF v_book.status = 'completed' THEN
            RAISE EXCEPTION 'This book is finished; start it again to log a re-read' USING ERRCODE = 'MB409';
        END IF;
        SELECT * INTO v_pages
        FROM reading_session_pages(p_pages_read, p_start_page, p_end_page, v_book.current_page, v_book.total_pages);
        IF v_pages.pages_read = 0 AND p_duration_minutes IS NULL THEN
            RAISE EXCEPTION 'A session needs pages or minutes' USING ERRCODE = 'MB422',
                DETAIL = '{"field": "pages_read"}';
        END IF;
        IF v_book.status <> 'reading' THEN
            PERFORM book_start(p_user_id, p_book_id, v_started_at);
        END IF;
        INSERT INTO reading_sessions (book_id, user_id, pages_read, start_page, end_page, duration_minutes,
                                      started_at, notes)
        VALUES (p_book_id, p_user_id, v_pages.pages_read, v_pages.start_page, v_pages.end_page, p_duration_minutes,
                v_started_at, p_notes)
        RETURNING * INTO v_session;
        UPDATE books b SET current_page = greatest(b.current_page, v_pages.end_page) WHERE b.id = p_book_id
        RETURNING coalesce(b.current_page >= b.total_pages, false) INTO v_completed;
        v_quest_pages := v_pages.pages_read;

        -- What reading has paid today (the ledger, which edits and deletes of sessions cannot rewrite), and the
        -- pages read today, this session included.
        SELECT coalesce(sum(l.xp), 0), coalesce(sum(l.coins), 0), coalesce(sum(l.skill_stars), 0)
        INTO v_paid_xp, v_paid_coins, v_paid_stars
        FROM points_ledger l
        WHERE l.user_id = p_user_id AND l.event_type = 'reading_session'
          AND l.created_at >= v_day_start AND l.created_at < v_day_end;
        SELECT coalesce(sum(s.pages_read), 0) INTO v_pages_today FROM reading_sessions s
        WHERE s.user_id = p_user_id AND s.started_at >= v_day_start AND s.started_at < v_day_end;
        SELECT * INTO v_pay
        FROM reading_session_payout(v_pages.pages_read, v_pages_today, v_paid_xp, v_paid_coins, v_paid_stars, p_rules);
        IF v_pay.xp <> 0 OR v_pay.coins <> 0 OR v_pay.skill_stars <> 0 THEN
            PERFORM award_boosted(p_user_id, 'reading_session', 'reading-session:' || v_session.id, v_pay.coins,
                                  v_pay.xp, CASE WHEN v_pay.skill_stars > 0 THEN 'reading' END, v_pay.skill_stars,
                                  'Reading session', v_session.id);
            UPDATE reading_sessions s SET xp_awarded = v_pay.xp, coins_awarded = v_pay.coins
            WHERE s.id = v_session.id
            RETURNING * INTO v_session;
        END IF;
        v_stars := v_pay.skill_stars;

        IF v_completed THEN
            PERFORM book_finish(p_user_id, p_book_id, now(), (p_rules ->> 'completion_xp')::integer,
                                (p_rules ->> 'completions_per_day')::integer);
        END IF;
        IF (v_started_at AT TIME ZONE v_zone)::date = v_today THEN
            PERFORM touch_streak(p_user_id, 'reading', v_today);
        END IF;
        IF p_idempotency_key IS NOT NULL THEN
            -- A concurrent first use of the key for another book violates the primary key: 409 (momentum.dberrors).
            INSERT INTO reading_session_requests (user_id, idempotency_key, book_id, session_id, request_digest)
            VALUES (p_user_id, p_idempotency_key, p_book_id, v_session.id, p_digest);
        END IF;
        v_due := achievements_due(p_user_id, ARRAY['total_xp', 'level', 'coins_earned', 'skill_stars',
                                                   'streak.reading'],
                                  ARRAY['reading_session', 'book_complete']);
    END IF;

    RETURN jsonb_build_object(
        'session', jsonb_build_object(
            'id', v_session.id, 'book_id', v_session.book_id, 'pages_read', v_session.pages_read,
            'start_page', v_session.start_page, 'end_page', v_session.end_page,
            'duration_minutes', v_session.duration_minutes, 'started_at', v_session.started_at,
            'notes', v_session.notes, 'xp_awarded', v_session.xp_awarded, 'coins_awarded', v_session.coins_awarded),
        'skill_stars', v_stars,
        'book', (SELECT jsonb_build_object(
                            'id', b.id, 'title', b.title, 'author', b.author, 'total_pages', b.total_pages,
                            'current_page', b.current_page,
                            'status', CASE WHEN a.book_id IS NULL THEN b.status ELSE 'abandoned' END,
                            'started_at', b.started_at, 'completed_at', b.completed_at, 'rating', b.rating,
                            'notes', b.notes, 'cover_url', b.cover_url, 'isbn', b.isbn, 'created_at', b.created_at,
                            'updated_at', b.updated_at)
                 FROM books b LEFT JOIN books_abandoned a ON a.book_id = b.id WHERE b.id = p_book_id),
        'book_completed', v_completed,
        'quest_pages', v_quest_pages,
        'achievements_due', v_due);
END $$;
