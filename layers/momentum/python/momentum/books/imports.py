"""Importing a Goodreads or StoryGraph library export (CSV).

The format is known by the header; a file of neither format writes nothing (422). Each row is imported in its own
savepoint and remembered in ``book_imports`` under the export's id for it (Goodreads' Book Id; StoryGraph's
ISBN/UID, else title and authors), so importing the same file again adds nothing. Rows are skipped, with the reason
in the report, when already imported, untitled, or when their ISBN is already in the library (or earlier in the
file). Imported history pays nothing: no sessions, no awards, no streaks.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from uuid import UUID, uuid4

from psycopg import Connection

from momentum.books import rules
from momentum.books.models import ImportReport, ImportRowSkipped
from momentum.errors import DomainError, InvalidInput

GOODREADS = {"Book Id", "Title", "Author", "ISBN", "ISBN13", "My Rating", "Exclusive Shelf", "Date Read", "Date Added"}
STORYGRAPH = {"Title", "Authors", "ISBN/UID", "Read Status", "Star Rating", "Last Date Read", "Date Added"}

# Shelves as each export names them -> our status.
SHELVES = {
    "read": "completed",
    "currently-reading": "reading",
    "to-read": "to_read",
    "did-not-finish": "abandoned",
    "dnf": "abandoned",
    "abandoned": "abandoned",
    "paused": "reading",
}


@dataclass(frozen=True)
class Row:
    key: str
    title: str
    author: str | None
    isbn_text: str | None
    pages: int | None
    rating: int | None
    status: str
    added: datetime | None
    read: datetime | None


class _Skip(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def import_csv(conn: Connection, user_id: UUID, text: str) -> ImportReport:
    """Import an export into the user's library; returns what was imported and what was skipped, and why.

    Raises: InvalidInput (unknown_format) when the CSV is neither a Goodreads nor a StoryGraph export.
    """
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = set(reader.fieldnames or [])  # reads the first row: it can be malformed too
    except csv.Error as error:
        raise InvalidInput(f"Malformed CSV: {error}", code="malformed_csv") from None
    source: Literal["goodreads", "storygraph"]
    if header >= GOODREADS:
        source, parse = "goodreads", _goodreads
    elif header >= STORYGRAPH:
        source, parse = "storygraph", _storygraph
    else:
        raise InvalidInput(
            "Not a Goodreads or StoryGraph library export",
            code="unknown_format",
            details={"expected_columns": {"goodreads": sorted(GOODREADS), "storygraph": sorted(STORYGRAPH)}},
        )
    try:
        records = list(reader)
    except csv.Error as error:
        raise InvalidInput(f"Malformed CSV: {error}", code="malformed_csv") from None
    imported, skipped = 0, []
    with conn.transaction():
        for number, record in enumerate(records, start=1):
            title = (record.get("Title") or "").strip() or None
            try:
                with conn.transaction():  # a savepoint: a skipped row leaves nothing behind
                    _import_row(conn, user_id, source, parse(record))
                imported += 1
            except _Skip as skip:
                skipped.append(ImportRowSkipped(row=number, title=title, reason=skip.reason))
    return ImportReport(source=source, rows=len(records), imported=imported, skipped=skipped)


def _import_row(conn: Connection, user_id: UUID, source: str, row: Row) -> None:
    marked = conn.execute(
        "INSERT INTO book_imports (user_id, source, external_key) VALUES (%s, %s, %s) "
        "ON CONFLICT DO NOTHING RETURNING 1",
        (user_id, source, row.key),
    ).fetchone()
    if marked is None:
        raise _Skip("already imported")
    isbn = _isbn(row.isbn_text)
    book_id = uuid4()
    started = row.added if row.status in ("reading", "abandoned") else row.read
    completed = (row.read or row.added) if row.status == "completed" else None
    conn.execute(
        """INSERT INTO books (id, user_id, title, author, total_pages, current_page, status, started_at, completed_at,
                              rating, isbn)
           VALUES (%(id)s, %(user_id)s, %(title)s, %(author)s, %(pages)s,
                   CASE WHEN %(status)s = 'completed' THEN coalesce(%(pages)s, 0) ELSE 0 END,
                   CASE WHEN %(status)s = 'abandoned' THEN 'to_read' ELSE %(status)s END,
                   %(started)s, %(completed)s, %(rating)s, %(isbn)s)""",
        {
            "id": book_id,
            "user_id": user_id,
            "title": row.title,
            "author": row.author,
            "pages": row.pages,
            "status": row.status,
            "started": started,
            "completed": completed,
            "rating": row.rating if row.status == "completed" else None,
            "isbn": isbn,
        },
    )
    if (
        isbn
        and not conn.execute(
            "INSERT INTO book_isbns (user_id, isbn, book_id) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING RETURNING 1",
            (user_id, isbn, book_id),
        ).fetchone()
    ):
        raise _Skip("a book with this ISBN is already in the library")
    conn.execute(
        "UPDATE book_imports SET book_id = %s WHERE user_id = %s AND source = %s AND external_key = %s",
        (book_id, user_id, source, row.key),
    )
    if row.status != "to_read":
        conn.execute(
            """INSERT INTO book_reads (book_id, user_id, read_number, started_at, finished_at, abandoned_at, imported)
               VALUES (%s, %s, 1, %s, %s, %s, true)""",
            (book_id, user_id, started, completed, row.added if row.status == "abandoned" else None),
        )
    if row.status == "abandoned":
        conn.execute(
            "INSERT INTO books_abandoned (book_id, user_id, abandoned_at) VALUES (%s, %s, %s)",
            (book_id, user_id, row.added or datetime.now(UTC)),
        )


def _goodreads(record: dict[str, str]) -> Row:
    return _row(
        key=_text(record.get("Book Id")),
        title=record.get("Title"),
        author=record.get("Author"),
        isbn=_text(record.get("ISBN13")) or _text(record.get("ISBN")),
        pages=record.get("Number of Pages"),
        rating=record.get("My Rating"),
        shelf=record.get("Exclusive Shelf"),
        added=record.get("Date Added"),
        read=record.get("Date Read"),
    )


def _storygraph(record: dict[str, str]) -> Row:
    isbn = _text(record.get("ISBN/UID"))
    title, authors = _text(record.get("Title")), _text(record.get("Authors"))
    return _row(
        key=isbn or f"{(title or '').lower()}|{(authors or '').lower()}",
        title=title,
        author=authors,
        isbn=isbn,
        pages=None,  # StoryGraph's export has no page count
        rating=record.get("Star Rating"),
        shelf=record.get("Read Status"),
        added=record.get("Date Added"),
        read=record.get("Last Date Read"),
    )


def _row(
    *,
    key: str | None,
    title: str | None,
    author: str | None,
    isbn: str | None,
    pages: str | None,
    rating: str | None,
    shelf: str | None,
    added: str | None,
    read: str | None,
) -> Row:
    title = _text(title)
    if not title:
        raise _Skip("no title")
    if len(title) > 200:
        raise _Skip("title longer than 200 characters")
    if not key:
        raise _Skip("no id for the row")
    author = _text(author)
    return Row(
        key=key,
        title=title,
        author=author[:200] if author else None,
        isbn_text=isbn,
        pages=_number(pages, 1, 100_000),
        rating=_rating(rating),
        status=SHELVES.get((_text(shelf) or "").lower(), "to_read"),
        added=_date(added),
        read=_date(read),
    )


def _text(value: str | None) -> str | None:
    """A cell without Goodreads' ="…" spreadsheet quoting and blanks."""
    if value is None:
        return None
    value = value.strip()
    if value.startswith('="') and value.endswith('"'):
        value = value[2:-1].strip()
    return value or None


def _number(value: str | None, low: int, high: int) -> int | None:
    try:
        number = int(_text(value) or "")
    except ValueError:
        return None
    return number if low <= number <= high else None


def _rating(value: str | None) -> int | None:
    """Goodreads rates 0 (unrated) to 5; StoryGraph in quarter stars: rounded half up to a whole star."""
    try:
        stars = float(_text(value) or "")
    except ValueError:
        return None
    if not math.isfinite(stars):
        return None
    whole = math.floor(stars + 0.5)
    return whole if 1 <= whole <= 5 else None


def _date(value: str | None) -> datetime | None:
    """Exports give dates only; noon UTC keeps the calendar day in nearly every time zone."""
    text = _text(value)
    if not text:
        return None
    for layout in ("%Y/%m/%d", "%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(text, layout).replace(hour=12, tzinfo=UTC)
        except ValueError:
            continue
    return None


def _isbn(value: str | None) -> str | None:
    """The normal form of a valid ISBN; an invalid one (or a StoryGraph UID) imports the book without it."""
    if not value:
        return None
    try:
        return rules.normal_isbn(value)
    except DomainError:
        return None
