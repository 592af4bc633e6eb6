-- Finish a book the caller has locked and that is not finished (momentum.books.library.move): off the abandoned
-- shelf, 'completed' at p_at on its last page, its open read-through closed (a book finished without ever being
-- started gets one), and the 'book_complete' event paid: p_xp once per book (the key), for at most p_per_day books
-- a local day (momentum.books.rules).
CREATE OR REPLACE FUNCTION book_finish(p_user_id uuid, p_book_id uuid, p_at timestamptz, p_xp integer,
                                       p_per_day integer)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_zone text := user_time_zone(p_user_id);
    v_today date := (now() AT TIME ZONE v_zone)::date;
    v_started_at timestamptz;
BEGIN
    DELETE FROM books_abandoned a WHERE a.book_id = p_book_id;
    UPDATE books b SET status = 'completed', completed_at = p_at, started_at = coalesce(b.started_at, p_at),
        current_page = coalesce(b.total_pages, b.current_page)
    WHERE b.id = p_book_id
    RETURNING b.started_at INTO v_started_at;
    WITH closed AS (
        UPDATE book_reads r SET finished_at = p_at
        WHERE r.book_id = p_book_id AND r.finished_at IS NULL AND r.abandoned_at IS NULL
        RETURNING r.id
    )
    INSERT INTO book_reads (book_id, user_id, read_number, started_at, finished_at)
    SELECT p_book_id, p_user_id, last.n + 1, v_started_at, p_at
    FROM (SELECT coalesce(max(r.read_number), 0) AS n FROM book_reads r WHERE r.book_id = p_book_id) last
    WHERE NOT EXISTS (SELECT 1 FROM closed);

    IF (SELECT count(*) FROM points_ledger l
        WHERE l.user_id = p_user_id AND l.event_type = 'book_complete'
          AND l.created_at >= v_today::timestamp AT TIME ZONE v_zone
          AND l.created_at < (v_today + 1)::timestamp AT TIME ZONE v_zone) < p_per_day THEN
        PERFORM award_boosted(p_user_id, 'book_complete', 'book-complete:' || p_book_id, 0, p_xp,
                              p_reason => 'Finished a book', p_event_id => p_book_id);
    END IF;
END $$;
