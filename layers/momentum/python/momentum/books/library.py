"""The reading library: books, their statuses and read-throughs, ISBN uniqueness and search.

Status moves follow the reader. Starting (``reading``) sets ``started_at`` and opens a read-through; finishing
(``completed``) sets ``completed_at`` and ``current_page = total_pages`` and closes it; starting a finished book
again is a re-read: a new read-through from page 0, the earlier ones kept with their dates. ``abandoned`` closes the
read-through as abandoned and keeps the page reached (books.status is 'to_read', a books_abandoned row marks it);
starting it again opens a new read-through from that page. A rating needs a finished read-through.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from psycopg import Connection
from pydantic import Field

from momentum import db
from momentum.books import rules
from momentum.books.models import Book, BookDetail, BookIn, BookPatch, BookProgress, BookQuery, Read, Status
from momentum.books.settings import reader_settings
from momentum.errors import InvalidInput
from momentum.pagination import Page, PageRequest, page_of

SELECT_BOOK = """
SELECT b.id, b.title, b.author, b.total_pages, b.current_page,
       CASE WHEN a.book_id IS NULL THEN b.status ELSE 'abandoned' END AS status,
       b.started_at, b.completed_at, b.rating, b.notes, b.cover_url, b.isbn, b.created_at, b.updated_at
FROM books b LEFT JOIN books_abandoned a ON a.book_id = b.id
"""

GET_BOOK = SELECT_BOOK + "WHERE b.id = %(id)s AND b.user_id = %(user_id)s"
LOCK_BOOK = GET_BOOK + " FOR UPDATE OF b"

# The search document; the same expression as the index books_search_idx, so the index serves ?q=.
SEARCH_DOCUMENT = (
    "to_tsvector('english'::regconfig, coalesce(b.title, '') || ' ' || coalesce(b.author, '') || ' ' "
    "|| coalesce(b.notes, ''))"
)

# sort -> (ORDER BY, keyset comparison, sort key expression, extra condition); each has its index.
SORTS = {
    "updated": ("b.updated_at DESC, b.id DESC", "(b.updated_at, b.id) < (%(k)s, %(kid)s)", "b.updated_at", ""),
    "title": ("lower(b.title), b.id", "(lower(b.title), b.id) > (%(k)s, %(kid)s)", "lower(b.title)", ""),
    "author": (
        "lower(coalesce(b.author, '')), b.id",
        "(lower(coalesce(b.author, '')), b.id) > (%(k)s, %(kid)s)",
        "lower(coalesce(b.author, ''))",
        "",
    ),
    "finished": (
        "b.completed_at DESC, b.id DESC",
        "(b.completed_at, b.id) < (%(k)s, %(kid)s)",
        "b.completed_at",
        "b.completed_at IS NOT NULL",
    ),
}

STATUS_FILTERS = {
    "to_read": "b.status = 'to_read' AND a.book_id IS NULL",
    "abandoned": "a.book_id IS NOT NULL",
    "reading": "b.status = 'reading'",
    "completed": "b.status = 'completed'",
}

READS = """
SELECT read_number, started_at, finished_at, abandoned_at, imported FROM book_reads
WHERE book_id = %s ORDER BY read_number
"""

ABANDON_READ = """
UPDATE book_reads SET abandoned_at = %(now)s
WHERE book_id = %(id)s AND finished_at IS NULL AND abandoned_at IS NULL
"""
HAS_FINISHED_READ = "SELECT EXISTS (SELECT 1 FROM book_reads WHERE book_id = %s AND finished_at IS NOT NULL)"


BOOK_PACE = """
SELECT coalesce(sum(pages_read), 0) FROM reading_sessions
WHERE book_id = %(id)s AND started_at >= %(since)s
"""


class _SortedBook(Book):
    sort_text: str | None = Field(default=None, exclude=True)
    sort_time: datetime | None = Field(default=None, exclude=True)


def lock_book(conn: Connection, user_id: UUID, book_id: UUID) -> Book:
    """One of the user's books, locked for the rest of the transaction. Raises: NotFound."""
    return db.fetch_one(conn, Book, LOCK_BOOK, {"id": book_id, "user_id": user_id}, resource="book")


def get_book(conn: Connection, user_id: UUID, book_id: UUID) -> BookDetail:
    """A book with its read-throughs and progress. Raises: NotFound."""
    book = db.fetch_one(conn, Book, GET_BOOK, {"id": book_id, "user_id": user_id}, resource="book")
    reads = db.fetch_all(conn, Read, READS, (book_id,))
    return BookDetail(**book.model_dump(), reads=reads, progress=_progress(conn, user_id, book))


def _progress(conn: Connection, user_id: UUID, book: Book) -> BookProgress:
    if book.total_pages is None:
        return BookProgress(percent=None, pages_left=None, estimated_finish=None)
    left = max(book.total_pages - book.current_page, 0)
    percent = round(100 * min(book.current_page, book.total_pages) / book.total_pages, 1)
    finish = None
    if book.status == "reading" and left:
        tz = reader_settings(conn, user_id).tz
        today = datetime.now(tz).date()
        since, _ = rules.day_bounds(today - timedelta(days=29), tz)
        per_day = db.fetch_value(conn, BOOK_PACE, {"id": book.id, "since": since}) / 30
        if per_day > 0:
            finish = today + timedelta(days=-(-left // per_day))
    elif book.status == "completed":
        left = 0
    return BookProgress(percent=percent, pages_left=left, estimated_finish=finish)


def list_books(conn: Connection, user_id: UUID, query: BookQuery, page: PageRequest) -> Page[Book]:
    """The user's books by status, sorted, optionally matching a full-text search over title, author and notes."""
    order, after, key, condition = SORTS[query.sort]
    key_type: type = datetime if query.sort in ("updated", "finished") else str
    k, kid = page.after_key(key_type, UUID)
    where = ["b.user_id = %(user_id)s"]
    if condition:
        where.append(condition)
    if query.status:
        where.append(STATUS_FILTERS[query.status])
    if query.q:
        where.append(f"{SEARCH_DOCUMENT} @@ websearch_to_tsquery('english', %(q)s)")
    if page.after is not None:
        where.append(after)
    column = "sort_time" if key_type is datetime else "sort_text"
    sql = (
        SELECT_BOOK.replace("SELECT ", f"SELECT {key} AS {column}, ", 1)
        + f"WHERE {' AND '.join(where)} ORDER BY {order} LIMIT %(limit)s"
    )
    rows: list[Book] = [
        *db.fetch_all(
            conn, _SortedBook, sql, {"user_id": user_id, "q": query.q, "k": k, "kid": kid, "limit": page.limit + 1}
        )
    ]
    return page_of(rows, page, lambda r: (getattr(r, column), r.id))


def create_book(conn: Connection, user_id: UUID, body: BookIn) -> BookDetail:
    """Add a book; its status moves as a PATCH would move it. Raises: InvalidInput, Conflict (duplicate_isbn)."""
    isbn = rules.normal_isbn(body.isbn) if body.isbn else None
    _check_pages(body.current_page, body.total_pages)
    with conn.transaction():
        book_id = db.fetch_value(
            conn,
            """INSERT INTO books (user_id, title, author, total_pages, current_page, isbn, cover_url, notes)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id""",
            (user_id, body.title, body.author, body.total_pages, body.current_page, isbn, body.cover_url, body.notes),
        )
        if isbn:
            _claim_isbn(conn, user_id, book_id, isbn)
        book = lock_book(conn, user_id, book_id)
        if body.status != "to_read":
            move(conn, user_id, book, body.status)
        if body.rating is not None:
            _rate(conn, book_id, body.rating)
    return get_book(conn, user_id, book_id)


def update_book(conn: Connection, user_id: UUID, book_id: UUID, body: BookPatch) -> BookDetail:
    """Change the fields sent; a status change moves the book. Raises: NotFound, InvalidInput, Conflict."""
    sent = body.model_fields_set
    with conn.transaction():
        book = lock_book(conn, user_id, book_id)
        fields: dict[str, Any] = {f: getattr(body, f) for f in ("title", "author", "cover_url", "notes") if f in sent}
        if "isbn" in sent:
            isbn = rules.normal_isbn(body.isbn) if body.isbn else None
            conn.execute("DELETE FROM book_isbns WHERE book_id = %s", (book_id,))
            if isbn:
                _claim_isbn(conn, user_id, book_id, isbn)
            fields["isbn"] = isbn
        total = body.total_pages if "total_pages" in sent else book.total_pages
        current = body.current_page if body.current_page is not None else book.current_page
        if "total_pages" in sent or "current_page" in sent:
            _check_pages(current, total)
            fields |= {"total_pages": total, "current_page": current}
        if fields:
            assignments = ", ".join(f"{name} = %({name})s" for name in fields)
            conn.execute(f"UPDATE books SET {assignments} WHERE id = %(id)s", fields | {"id": book_id})
        if body.status is not None and body.status != book.status:
            move(conn, user_id, lock_book(conn, user_id, book_id), body.status)
        if "rating" in sent:
            _rate(conn, book_id, body.rating)
    return get_book(conn, user_id, book_id)


def delete_book(conn: Connection, user_id: UUID, book_id: UUID) -> None:
    """Delete a book with its sessions and read-throughs; what its sessions paid stays paid. Raises: NotFound."""
    with conn.transaction():
        lock_book(conn, user_id, book_id)
        conn.execute("DELETE FROM books WHERE id = %s", (book_id,))


def move(conn: Connection, user_id: UUID, book: Book, target: Status, *, at: datetime | None = None) -> None:
    """Move a locked book to ``target`` (see the module's docstring) at ``at`` (now by default); finishing pays the
    ``book_complete`` event (imports write their history without it). Starting and finishing are the SQL functions
    ``book_start`` and ``book_finish``, which logging a session calls in its own statement too."""
    now = at or datetime.now(UTC)
    params = {"id": book.id, "user_id": user_id, "now": now}
    if target == "reading":
        if book.status == "reading":
            return
        conn.execute("SELECT book_start(%(user_id)s, %(id)s, %(now)s)", params)
        return
    if target == "completed":
        if book.status == "completed":
            return
        conn.execute(
            "SELECT book_finish(%(user_id)s, %(id)s, %(now)s, %(xp)s, %(per_day)s)",
            params | {"xp": rules.COMPLETION_XP, "per_day": rules.COMPLETIONS_PER_DAY},
        )
        return
    # to_read and abandoned both close an open read-through unfinished; only 'abandoned' shelves the book so.
    if book.status == "completed":
        raise InvalidInput(
            f"A finished book cannot become {target}; start it again to re-read it", code="invalid_status_move"
        )
    conn.execute(ABANDON_READ, params)
    conn.execute("UPDATE books SET status = 'to_read' WHERE id = %(id)s", params)
    if target == "abandoned":
        conn.execute(
            "INSERT INTO books_abandoned (book_id, user_id) VALUES (%(id)s, %(user_id)s) ON CONFLICT DO NOTHING",
            params,
        )
    else:
        conn.execute("DELETE FROM books_abandoned WHERE book_id = %(id)s", params)


def _rate(conn: Connection, book_id: UUID, rating: int | None) -> None:
    if rating is not None and not db.fetch_value(conn, HAS_FINISHED_READ, (book_id,)):
        raise InvalidInput("Only a book you have read can be rated", code="not_read", details={"field": "rating"})
    conn.execute("UPDATE books SET rating = %s WHERE id = %s", (rating, book_id))


def _claim_isbn(conn: Connection, user_id: UUID, book_id: UUID, isbn: str) -> None:
    # A second copy violates book_isbns_pkey, which momentum.dberrors maps to 409 duplicate_isbn.
    conn.execute("INSERT INTO book_isbns (user_id, isbn, book_id) VALUES (%s, %s, %s)", (user_id, isbn, book_id))


def _check_pages(current: int, total: int | None) -> None:
    if total is not None and current > total:
        raise InvalidInput(
            "current_page cannot exceed total_pages",
            code="past_last_page",
            details={"current_page": current, "total_pages": total},
        )
