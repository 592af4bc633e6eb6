"""Reading sessions: the write path of reading, and what it pays.

Logging is one transaction under a row lock on the book, so concurrent logs on one book keep ``current_page`` and
the ledger consistent. It pays through ``gamification.award`` under the key ``reading-session:<id>`` (see
``rules.session_payout`` for the amounts and the daily cap), touches the ``reading`` streak, and checks
achievements. An ``Idempotency-Key`` makes a retry answer the first session, paid once.

Editing or deleting a session moves the book's page with it, but never reverses what the session paid: payments
are capped per day from the ledger, which edits cannot rewrite, so nothing can be paid twice that way.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from psycopg import Connection

from momentum import db, gamification, quests
from momentum.books import library, rules
from momentum.books.models import Book, LoggedSession, ReadingSession, ReadingSessionIn, SessionPatch
from momentum.books.settings import reader_settings
from momentum.errors import Conflict, InvalidInput
from momentum.models import ResponseModel, body_digest
from momentum.pagination import Page, PageRequest, page_of

SESSION_COLUMNS = """id, book_id, pages_read, start_page, end_page, duration_minutes, started_at, notes,
xp_awarded, coins_awarded"""

GET_SESSION = f"""
SELECT {SESSION_COLUMNS} FROM reading_sessions WHERE id = %(id)s AND book_id = %(book_id)s AND user_id = %(user_id)s
"""

INSERT_SESSION = f"""
INSERT INTO reading_sessions (book_id, user_id, pages_read, start_page, end_page, duration_minutes, started_at, notes)
VALUES (%(book_id)s, %(user_id)s, %(pages)s, %(start)s, %(end)s, %(minutes)s, %(started_at)s, %(notes)s)
RETURNING {SESSION_COLUMNS}
"""

# What reading has paid on a local day, and the pages read on it.
PAID_TODAY = """
SELECT coalesce(sum(xp), 0)::int, coalesce(sum(coins), 0)::int, coalesce(sum(skill_stars), 0)::int,
       (SELECT coalesce(sum(pages_read), 0)::int FROM reading_sessions
        WHERE user_id = %(user_id)s AND started_at >= %(start)s AND started_at < %(end)s)
FROM points_ledger
WHERE user_id = %(user_id)s AND event_type = 'reading_session' AND created_at >= %(start)s AND created_at < %(end)s
"""

RECORD_PAYMENT = (
    """
UPDATE reading_sessions SET xp_awarded = %(xp)s, coins_awarded = %(coins)s WHERE id = %(id)s
RETURNING """
    + SESSION_COLUMNS
)

# The page a book in progress is at: where its furthest session of the current read-through ended.
FOLLOW_SESSIONS = """
UPDATE books b SET current_page = coalesce(
    (SELECT max(s.end_page) FROM reading_sessions s WHERE s.book_id = b.id AND s.started_at >= b.started_at), 0)
WHERE b.id = %(id)s
"""


class _Request(ResponseModel):
    book_id: UUID
    session_id: UUID | None
    request_digest: str | None  # None for keys kept before digests were


def _key(session_id: UUID) -> str:
    return f"reading-session:{session_id}"


def log_session(
    conn: Connection, user_id: UUID, book_id: UUID, body: ReadingSessionIn, idempotency_key: str | None
) -> LoggedSession:
    """Log a reading session: the book's page follows, the last page finishes the book, and the session pays.

    Raises: NotFound, InvalidInput, Conflict (book_completed, idempotency_key_reused).
    """
    tz = reader_settings(conn, user_id).tz
    now = datetime.now(UTC)
    started_at = body.started_at or now
    if started_at > now + timedelta(minutes=5):
        raise InvalidInput("started_at is in the future", details={"field": "started_at"})
    digest = body_digest(body)
    with conn.transaction():
        book = library.lock_book(conn, user_id, book_id)
        if idempotency_key is not None:
            prior = db.fetch_optional(
                conn,
                _Request,
                "SELECT book_id, session_id, request_digest FROM reading_session_requests "
                "WHERE user_id = %s AND idempotency_key = %s",
                (user_id, idempotency_key),
            )
            if prior is not None:
                return _replay(conn, user_id, book_id, prior, digest)
        if book.status == "completed":
            raise Conflict("This book is finished; start it again to log a re-read", code="book_completed")
        pages = rules.session_pages(
            body.pages_read, body.start_page, body.end_page, book.current_page, book.total_pages
        )
        if pages.pages_read == 0 and body.duration_minutes is None:
            raise InvalidInput("A session needs pages or minutes", details={"field": "pages_read"})
        if book.status != "reading":
            library.move(conn, user_id, book, "reading", at=started_at)
        session = db.fetch_one(
            conn,
            ReadingSession,
            INSERT_SESSION,
            {
                "book_id": book_id,
                "user_id": user_id,
                "pages": pages.pages_read,
                "start": pages.start_page,
                "end": pages.end_page,
                "minutes": body.duration_minutes,
                "started_at": started_at,
                "notes": body.notes,
            },
            resource="session",
        )
        conn.execute(
            "UPDATE books SET current_page = greatest(current_page, %s) WHERE id = %s", (pages.end_page, book_id)
        )
        if pages.pages_read:  # a retry returned the first session above, so its pages count once
            quests.record_progress(conn, user_id, "pages_read", pages.pages_read)
        today = datetime.now(tz).date()
        start, end = rules.day_bounds(today, tz)
        paid_xp, paid_coins, paid_stars, pages_today = conn.execute(
            PAID_TODAY, {"user_id": user_id, "start": start, "end": end}
        ).fetchone()  # type: ignore[misc]
        payout = rules.session_payout(pages.pages_read, pages_today, paid_xp, paid_coins, paid_stars)
        if payout.pays:
            gamification.award(
                conn,
                user_id,
                event_type="reading_session",
                idempotency_key=_key(session.id),
                xp=payout.xp,
                coins=payout.coins,
                skill_key="reading" if payout.skill_stars else None,
                skill_stars=payout.skill_stars,
                reason="Reading session",
                event_id=session.id,
            )
            session = db.fetch_one(
                conn,
                ReadingSession,
                RECORD_PAYMENT,
                {"id": session.id, "xp": payout.xp, "coins": payout.coins},
                resource="session",
            )
        book = library.lock_book(conn, user_id, book_id)
        completed = book.total_pages is not None and book.current_page >= book.total_pages
        if completed:
            library.move(conn, user_id, book, "completed")
        if started_at.astimezone(tz).date() == today:
            gamification.touch_streak(conn, user_id, "reading", today)
        earned = gamification.check_achievements(conn, user_id)
        if idempotency_key is not None:
            # A concurrent first use of the key for another book violates the primary key: 409 (momentum.dberrors).
            conn.execute(
                "INSERT INTO reading_session_requests (user_id, idempotency_key, book_id, session_id, request_digest) "
                "VALUES (%s, %s, %s, %s, %s)",
                (user_id, idempotency_key, book_id, session.id, digest),
            )
        book = library.lock_book(conn, user_id, book_id)
    return LoggedSession(
        session=session, skill_stars=payout.skill_stars, book=book, book_completed=completed, achievements=earned
    )


def _replay(conn: Connection, user_id: UUID, book_id: UUID, prior: _Request, digest: str) -> LoggedSession:
    """The answer to a retry: the session the key created, as it is now."""
    sent_other_body = prior.request_digest is not None and prior.request_digest != digest
    if prior.book_id != book_id or prior.session_id is None or sent_other_body:
        raise Conflict("This Idempotency-Key was used for another session", code="idempotency_key_reused", details={})
    session = get_session(conn, user_id, book_id, prior.session_id)
    stars = db.fetch_value(
        conn,
        "SELECT coalesce(skill_stars, 0) FROM points_ledger WHERE user_id = %s AND idempotency_key = %s",
        (user_id, _key(session.id)),
    )
    book = library.lock_book(conn, user_id, book_id)
    finished = book.status == "completed" and session.end_page == book.total_pages
    return LoggedSession(session=session, skill_stars=stars or 0, book=book, book_completed=finished, achievements=[])


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
