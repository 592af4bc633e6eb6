"""Books: the reading library and reading sessions (schema-part2.md, 0009).

Revision ID: 0009_books
Revises: 0008_market
"""

from alembic import op

revision = "0009_books"
down_revision = "0008_market"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE books (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        author TEXT,
        total_pages INTEGER,
        current_page INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'to_read',
        started_at TIMESTAMPTZ,
        completed_at TIMESTAMPTZ,
        rating INTEGER,
        notes TEXT,
        cover_url TEXT,
        isbn TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE INDEX books_user_status_idx ON books (user_id, status);
    CREATE TRIGGER books_set_updated_at BEFORE UPDATE ON books
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    CREATE TABLE reading_sessions (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        book_id UUID REFERENCES books (id) ON DELETE CASCADE,
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        pages_read INTEGER NOT NULL DEFAULT 0,
        start_page INTEGER,
        end_page INTEGER,
        duration_minutes INTEGER,
        started_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        notes TEXT,
        xp_awarded INTEGER NOT NULL DEFAULT 0,
        coins_awarded INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX reading_sessions_book_idx ON reading_sessions (book_id);
    CREATE INDEX reading_sessions_user_idx ON reading_sessions (user_id);
    """)


def downgrade() -> None:
    op.execute("""
    DROP TABLE reading_sessions;
    DROP TABLE books;
    """)
