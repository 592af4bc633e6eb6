"""Books, our own tables: read-throughs, the abandoned shelf, ISBN uniqueness, import bookkeeping, Idempotency-Keys
of reading sessions; and the indexes the library's sorts, search and stats need (the spec's tables stay as 0009
made them: only non-unique indexes are added to them).

Revision ID: 0015_books
Revises: 0014_functions
"""

from alembic import op

revision = "0015_books"
down_revision = "0014_functions"
branch_labels = None
depends_on = None

# Tables of our own this revision adds (the schema test holds each revision to exactly its tables).
OWN_TABLES = ("book_reads", "books_abandoned", "book_isbns", "book_imports", "reading_session_requests")


def upgrade() -> None:
    op.execute("""
    -- One row per read-through of a book: re-reading a finished book opens a new one, so the first read's dates
    -- survive. At most one read is open (neither finished nor abandoned) per book.
    CREATE TABLE book_reads (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        book_id UUID NOT NULL REFERENCES books (id) ON DELETE CASCADE,
        user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        read_number INTEGER NOT NULL CHECK (read_number >= 1),
        started_at TIMESTAMPTZ,
        finished_at TIMESTAMPTZ,
        abandoned_at TIMESTAMPTZ,
        imported BOOLEAN NOT NULL DEFAULT false,
        UNIQUE (book_id, read_number),
        CHECK (finished_at IS NULL OR abandoned_at IS NULL)
    );
    CREATE UNIQUE INDEX book_reads_one_open_idx ON book_reads (book_id)
        WHERE finished_at IS NULL AND abandoned_at IS NULL;
    CREATE INDEX book_reads_user_finished_idx ON book_reads (user_id, finished_at) WHERE finished_at IS NOT NULL;

    -- A book someone stopped reading: books.status is 'to_read' and a row here puts it on the abandoned shelf.
    CREATE TABLE books_abandoned (
        book_id UUID PRIMARY KEY REFERENCES books (id) ON DELETE CASCADE,
        user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        abandoned_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE INDEX books_abandoned_user_idx ON books_abandoned (user_id);

    -- One copy of an ISBN (normal form: ISBN-13 digits) per library.
    CREATE TABLE book_isbns (
        user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        isbn TEXT NOT NULL,
        book_id UUID NOT NULL UNIQUE REFERENCES books (id) ON DELETE CASCADE,
        PRIMARY KEY (user_id, isbn)
    );

    -- Rows of Goodreads/StoryGraph exports already imported, so importing a file again adds nothing.
    CREATE TABLE book_imports (
        user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        source TEXT NOT NULL,
        external_key TEXT NOT NULL,
        book_id UUID REFERENCES books (id) ON DELETE SET NULL,
        imported_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        PRIMARY KEY (user_id, source, external_key)
    );

    -- Idempotency-Key of POST /books/{id}/sessions -> the session it created (NULL once that session is deleted).
    CREATE TABLE reading_session_requests (
        user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        idempotency_key TEXT NOT NULL,
        book_id UUID NOT NULL REFERENCES books (id) ON DELETE CASCADE,
        session_id UUID REFERENCES reading_sessions (id) ON DELETE SET NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        PRIMARY KEY (user_id, idempotency_key)
    );

    -- The library's sorts (keyset pagination) and its full-text search.
    CREATE INDEX books_user_updated_idx ON books (user_id, updated_at DESC, id DESC);
    CREATE INDEX books_user_title_idx ON books (user_id, lower(title), id);
    CREATE INDEX books_user_author_idx ON books (user_id, lower(coalesce(author, '')), id);
    CREATE INDEX books_user_completed_idx ON books (user_id, completed_at DESC, id DESC)
        WHERE completed_at IS NOT NULL;
    CREATE INDEX books_search_idx ON books USING gin (
        to_tsvector('english'::regconfig,
                    coalesce(title, '') || ' ' || coalesce(author, '') || ' ' || coalesce(notes, ''))
    );
    -- Sessions by time, for a book's history and a reader's days (stats, daily stars); the reader's carries the
    -- figures the stats sum, so they are read from the index alone.
    CREATE INDEX reading_sessions_user_started_idx ON reading_sessions (user_id, started_at)
        INCLUDE (pages_read, duration_minutes);
    CREATE INDEX reading_sessions_book_started_idx ON reading_sessions (book_id, started_at);
    """)


def downgrade() -> None:
    op.execute("""
    DROP INDEX reading_sessions_book_started_idx;
    DROP INDEX reading_sessions_user_started_idx;
    DROP INDEX books_search_idx;
    DROP INDEX books_user_completed_idx;
    DROP INDEX books_user_author_idx;
    DROP INDEX books_user_title_idx;
    DROP INDEX books_user_updated_idx;
    DROP TABLE reading_session_requests;
    DROP TABLE book_imports;
    DROP TABLE book_isbns;
    DROP TABLE books_abandoned;
    DROP TABLE book_reads;
    """)
