"""Reading sessions: the write path of reading, and what it pays.

Logging is one statement, ``reading_session_log`` (migrations/functions), with the quest progress of the pages read
in the same statement: with authentication, two round trips, all or nothing. Under a row lock on the book, so
concurrent logs on one book keep ``current_page`` and the ledger consistent, it pays under the key
``reading-session:<id>`` (``reading_session_payout``: the rates and the daily caps of ``rules``), finishes the book
on its last page, and touches the ``reading`` streak; the full achievement check runs after, only when the statement
says one may be due. An ``Idempotency-Key`` makes a retry answer the first session, paid once.

Editing or deleting a session moves the book's page with it, but never reverses what the session paid: payments
are capped per day from the ledger, which edits cannot rewrite, so nothing can be paid twice that way.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from psycopg import Connection
from psycopg.types.json import Jsonb

from momentum import db, gamification, quests
from momentum.books import library, rules
from momentum.books.models import Book, LoggedSession, ReadingSession, ReadingSessionIn, SessionPatch
from momentum.errors import InvalidInput
from momentum.models import body_digest
from momentum.pagination import Page, PageRequest, page_of

SESSION_COLUMNS = """id, book_id, pages_read, start_page, end_page, duration_minutes, started_at, notes,
xp_awarded, coins_awarded"""

GET_SESSION = f"""
SELECT {SESSION_COLUMNS} FROM reading_sessions WHERE id = %(id)s AND book_id = %(book_id)s AND user_id = %(user_id)s
"""

# The function runs first (the CTE is materialised and read by the main query); if it raises, the whole statement,
# quest progress included, is undone. The pages a quest counts are only known once the function has run (a count
# may be derived from the book's page, and a retry counts nothing).
LOG_SESSION = f"""
WITH logged AS MATERIALIZED (
    SELECT reading_session_log(%(user_id)s, %(book_id)s, %(pages_read)s::integer, %(start_page)s::integer,
                               %(end_page)s::integer, %(duration_minutes)s::integer, %(started_at)s::timestamptz,
                               %(notes)s::text, %(idempotency_key)s::text, %(digest)s::text, %(rules)s) AS result
), quest_progress AS ({quests.count_in_statement("(SELECT (logged.result ->> 'quest_pages')::integer FROM logged)")})
SELECT result - 'quest_pages' FROM logged
"""

# The page a book in progress is at: where its furthest session of the current read-through ended.
FOLLOW_SESSIONS = """
UPDATE books b SET current_page = coalesce(
    (SELECT max(s.end_page) FROM reading_sessions s WHERE s.book_id = b.id AND s.started_at >= b.started_at), 0)
WHERE b.id = %(id)s
"""


def log_session(
    conn: Connection, user_id: UUID, book_id: UUID, body: ReadingSessionIn, idempotency_key: str | None
) -> LoggedSession:
    """Log a reading session: the book's page follows, the last page finishes the book, and the session pays.

    Raises: NotFound, InvalidInput, Conflict (book_completed, idempotency_key_reused).
    """
    if body.started_at is not None and body.started_at > datetime.now(UTC) + timedelta(minutes=5):
        raise InvalidInput("started_at is in the future", details={"field": "started_at"})
    params = body.model_dump() | {
        "user_id": user_id,
        "book_id": book_id,
        "idempotency_key": idempotency_key,
        "digest": body_digest(body),
        "rules": Jsonb(rules.READING_RULES),
        "target_type": "pages_read",
    }
    (result,) = db.fetch_row(conn, LOG_SESSION, params)
    earned = gamification.check_achievements(conn, user_id) if result.pop("achievements_due") else []
    return LoggedSession.model_validate(result | {"achievements": earned})


def get_session(conn: Connection, user_id: UUID, book_id: UUID, session_id: UUID) -> ReadingSession:
    """One session of one of the user's books. Raises: NotFound."""
    return db.fetch_one(
        conn,
        ReadingSession,
        GET_SESSION,
        {"id": session_id, "book_id": book_id, "user_id": user_id},
        resource="session",
    )


def list_sessions(conn: Connection, user_id: UUID, book_id: UUID, page: PageRequest) -> Page[ReadingSession]:
    """A book's sessions, newest first. Raises: NotFound."""
    db.fetch_one(conn, Book, library.GET_BOOK, {"id": book_id, "user_id": user_id}, resource="book")
    after, after_id = page.after_key(datetime, UUID)
    rows = db.fetch_all(
        conn,
        ReadingSession,
        f"""SELECT {SESSION_COLUMNS} FROM reading_sessions
            WHERE book_id = %(book_id)s AND user_id = %(user_id)s
              AND (%(after)s::timestamptz IS NULL OR (started_at, id) < (%(after)s, %(after_id)s))
            ORDER BY started_at DESC, id DESC LIMIT %(limit)s""",
        {"book_id": book_id, "user_id": user_id, "after": after, "after_id": after_id, "limit": page.limit + 1},
    )
    return page_of(rows, page, lambda s: (s.started_at, s.id))


def update_session(
    conn: Connection, user_id: UUID, book_id: UUID, session_id: UUID, body: SessionPatch
) -> ReadingSession:
    """Correct a session; the book's page follows. What the session paid stays paid. Raises: NotFound, InvalidInput."""
    sent = body.model_fields_set
    with conn.transaction():
        book = library.lock_book(conn, user_id, book_id)
        session = get_session(conn, user_id, book_id, session_id)
        start = body.start_page if "start_page" in sent else session.start_page
        if "end_page" in sent:
            count, end = (body.pages_read if "pages_read" in sent else None), body.end_page
        elif "pages_read" in sent:
            count, end = body.pages_read, None
        else:
            count, end = session.pages_read, None
        pages = rules.session_pages(count, start, end, session.start_page or 0, book.total_pages)
        started_at = body.started_at if "started_at" in sent else session.started_at
        session = db.fetch_one(
            conn,
            ReadingSession,
            f"""UPDATE reading_sessions SET pages_read = %(pages)s, start_page = %(start)s, end_page = %(end)s,
                    duration_minutes = %(minutes)s, started_at = %(started_at)s, notes = %(notes)s
                WHERE id = %(id)s RETURNING {SESSION_COLUMNS}""",
            {
                "id": session_id,
                "pages": pages.pages_read,
                "start": pages.start_page,
                "end": pages.end_page,
                "minutes": body.duration_minutes if "duration_minutes" in sent else session.duration_minutes,
                "started_at": started_at,
                "notes": body.notes if "notes" in sent else session.notes,
            },
            resource="session",
        )
        _follow(conn, user_id, book)
    return session


def delete_session(conn: Connection, user_id: UUID, book_id: UUID, session_id: UUID) -> None:
    """Delete a session; the book's page follows. What the session paid stays paid. Raises: NotFound."""
    with conn.transaction():
        book = library.lock_book(conn, user_id, book_id)
        get_session(conn, user_id, book_id, session_id)
        conn.execute("DELETE FROM reading_sessions WHERE id = %s", (session_id,))
        _follow(conn, user_id, book)


def _follow(conn: Connection, user_id: UUID, book: Book) -> None:
    """A book being read moves to where its sessions now end (a finished book stays finished)."""
    if book.status != "reading":
        return
    conn.execute(FOLLOW_SESSIONS, {"id": book.id})
    book = library.lock_book(conn, user_id, book.id)
    if book.total_pages is not None and book.current_page >= book.total_pages:
        library.move(conn, user_id, book, "completed")
