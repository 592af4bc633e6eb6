"""Logging a reading session is one statement: with authentication, two round trips (three when an achievement
could be due).

- ``reading_session_log`` locks the book, answers an Idempotency-Key's retry with the session it created, else logs
  the session, moves the book's page, pays within the day's caps, finishes the book on its last page, touches the
  reading streak and remembers the key; ``momentum.books.sessions.log_session`` calls it with the quest progress of
  the pages read in the same statement.
- ``reading_session_pages`` completes a session's pages from what was sent (``rules.session_pages``, which a
  correction still uses, is the same rule), and ``reading_session_payout`` is what a session pays.
- ``book_start`` and ``book_finish`` are the two status moves that write more than the book's row (a read-through,
  the ``book_complete`` event); ``momentum.books.library.move`` calls them too, so each move has one home.

Revision ID: 0029_reading_round_trips
Revises: 0028_learn_round_trips
"""

from alembic import op
from momentum_infra.migrate import apply_sql

revision = "0029_reading_round_trips"
down_revision = "0028_learn_round_trips"
branch_labels = None
depends_on = None

OWN_TABLES: tuple[str, ...] = ()

SOURCES = {
    "book_start": "f263ea7e1e2f7ca9",
    "book_finish": "d50a61806cf05d1c",
    "reading_session_pages": "05bd6d457c3dff42",
    "reading_session_payout": "6608bc2fde9f0e98",
    "reading_session_log": "6be9654b5df7405a",
}


def upgrade() -> None:
    apply_sql(*SOURCES)


def downgrade() -> None:
    op.execute(
        "DROP FUNCTION reading_session_log(uuid, uuid, integer, integer, integer, integer, timestamptz, text, text,"
        " text, jsonb)"
    )
    op.execute("DROP FUNCTION reading_session_payout(integer, integer, integer, integer, integer, jsonb)")
    op.execute("DROP FUNCTION reading_session_pages(integer, integer, integer, integer, integer)")
    op.execute("DROP FUNCTION book_finish(uuid, uuid, timestamptz, integer, integer)")
    op.execute("DROP FUNCTION book_start(uuid, uuid, timestamptz)")
