-- A reading session's pages completed from what was sent: a count, or start/end pages (start defaults to the
-- book's current page). The same rule as momentum.books.rules.session_pages, which corrects a session (PATCH); a test
-- holds the two equal.
-- Errors: MB422 no pages sent, or a count that disagrees with them; MB001 end before start; MB002 past the last page.
CREATE OR REPLACE FUNCTION reading_session_pages(
    p_pages_read integer, p_start_page integer, p_end_page integer, p_current_page integer, p_total_pages integer,
    OUT start_page integer, OUT end_page integer, OUT pages_read integer)
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    start_page := coalesce(p_start_page, CASE WHEN p_end_page IS NOT NULL AND p_pages_read IS NOT NULL
                                              THEN p_end_page - p_pages_read ELSE p_current_page END);
    IF p_end_page IS NULL AND p_pages_read IS NULL THEN
        RAISE EXCEPTION 'Send pages_read or end_page' USING ERRCODE = 'MB422', DETAIL = '{"field": "pages_read"}';
    END IF;
    end_page := coalesce(p_end_page, start_page + p_pages_read);
    IF end_page < start_page THEN
        RAISE EXCEPTION 'end_page is before start_page' USING ERRCODE = 'MB001',
            DETAIL = json_build_object('start_page', start_page, 'end_page', end_page)::text;
    END IF;
    IF p_pages_read IS NOT NULL AND p_pages_read <> end_page - start_page THEN
        RAISE EXCEPTION 'pages_read does not match end_page - start_page' USING ERRCODE = 'MB422',
            DETAIL = json_build_object('pages_read', p_pages_read, 'start_page', start_page,
                                       'end_page', end_page)::text;
    END IF;
    IF p_total_pages IS NOT NULL AND end_page > p_total_pages THEN
        RAISE EXCEPTION 'end_page is past the book''s last page' USING ERRCODE = 'MB002',
            DETAIL = json_build_object('end_page', end_page, 'total_pages', p_total_pages)::text;
    END IF;
    pages_read := end_page - start_page;
END $$;
