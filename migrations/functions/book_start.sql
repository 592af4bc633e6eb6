-- Start reading a book the caller has locked and that is not being read (momentum.books.library.move): off the
-- abandoned shelf, 'reading' since p_at, in a new read-through; a finished book starts again from page 0 (a re-read).
CREATE OR REPLACE FUNCTION book_start(p_user_id uuid, p_book_id uuid, p_at timestamptz)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM books_abandoned a WHERE a.book_id = p_book_id;
    UPDATE books b SET status = 'reading', started_at = p_at, completed_at = NULL,
        current_page = CASE WHEN b.status = 'completed' THEN 0 ELSE b.current_page END
    WHERE b.id = p_book_id;
    INSERT INTO book_reads (book_id, user_id, read_number, started_at)
    SELECT p_book_id, p_user_id, coalesce(max(r.read_number), 0) + 1, p_at FROM book_reads r WHERE r.book_id = p_book_id
    ON CONFLICT DO NOTHING;
END $$;
