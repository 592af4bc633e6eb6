"""Books: the reading library, reading sessions, imports from Goodreads and StoryGraph, and reading stats."""

from uuid import UUID

from momentum.books import imports, library, models, sessions, stats
from momentum.http import Context, MomentumApp, Page, PageQuery

app = MomentumApp("momentum-books")


@app.route("/books", query=models.BookQuery, response=Page[models.Book])
def list_books(ctx: Context[None, models.BookQuery]) -> Page[models.Book]:
    """Your books: ?status=to_read|reading|completed|abandoned, ?sort=updated (default)|title|author|finished
    (finished books, latest first), ?q= full-text search over title, author and notes."""
    return library.list_books(ctx.conn, ctx.user.id, ctx.query, ctx.page)


@app.route(
    "/books",
    ["POST"],
    body=models.BookIn,
    response=models.BookDetail,
    status=201,
    errors=("duplicate_isbn", "invalid_isbn", "not_read", "past_last_page"),
)
def create_book(ctx: Context[models.BookIn]) -> models.BookDetail:
    """Add a book. ISBN-10 or -13 (hyphens allowed) is checked and stored as ISBN-13; one copy per ISBN (409).
    A rating needs a read book (status completed)."""
    return library.create_book(ctx.conn, ctx.user.id, ctx.body)


@app.route(
    "/books/import",
    ["POST"],
    raw_body="text/csv",
    response=models.ImportReport,
    errors=("unknown_format", "malformed_csv"),
)
def import_books(ctx: Context[str]) -> models.ImportReport:
    """Import a Goodreads or StoryGraph library export (the CSV as the body). Importing the same file again adds
    nothing; the report lists skipped rows and why. Any other file writes nothing (422). Imported history pays
    nothing."""
    return imports.import_csv(ctx.conn, ctx.user.id, ctx.body)


@app.route("/books/stats", query=models.ReadingStatsQuery, response=models.ReadingStats)
def reading_stats(ctx: Context[None, models.ReadingStatsQuery]) -> models.ReadingStats:
    """Books and pages finished in ?year= (this year by default), pages per day over the last 30 days, pace,
    reading streaks, average rating, the longest book, and progress towards the reading_goal_books setting."""
    return stats.reading_stats(ctx.conn, ctx.user.id, ctx.query)


@app.route("/books/{book_id}", response=models.BookDetail)
def get_book(ctx: Context, book_id: UUID) -> models.BookDetail:
    """A book with its read-throughs (re-reads keep earlier ones) and progress: percent, pages left, and the
    estimated finish date at your pace on it over the last 30 days."""
    return library.get_book(ctx.conn, ctx.user.id, book_id)


@app.route(
    "/books/{book_id}",
    ["PATCH"],
    body=models.BookPatch,
    response=models.BookDetail,
    errors=("duplicate_isbn", "invalid_status_move", "not_read", "past_last_page"),
)
def update_book(ctx: Context[models.BookPatch], book_id: UUID) -> models.BookDetail:
    """Change a book (only the fields sent). status: reading starts it (or re-reads a finished book from page 0,
    keeping the first read), completed finishes it (current_page = total_pages), abandoned stops it where it is."""
    return library.update_book(ctx.conn, ctx.user.id, book_id, ctx.body)


@app.route("/books/{book_id}", ["DELETE"], status=204)
def delete_book(ctx: Context, book_id: UUID) -> None:
    """Delete a book with its sessions; what they paid stays paid."""
    library.delete_book(ctx.conn, ctx.user.id, book_id)


@app.route("/books/{book_id}/sessions", query=PageQuery, response=Page[models.ReadingSession])
def list_reading_sessions(ctx: Context[None, PageQuery], book_id: UUID) -> Page[models.ReadingSession]:
    """A book's reading sessions, newest first."""
    return sessions.list_sessions(ctx.conn, ctx.user.id, book_id, ctx.page)


@app.route(
    "/books/{book_id}/sessions",
    ["POST"],
    body=models.ReadingSessionIn,
    response=models.LoggedSession,
    status=201,
    idempotent=True,
    errors=("book_completed", "idempotency_key_reused", "end_before_start", "past_last_page"),
)
def log_reading_session(ctx: Context[models.ReadingSessionIn], book_id: UUID) -> models.LoggedSession:
    """Log a reading session (pages_read, or start/end page). Pays XP = max(1, pages ÷ 5), coins = pages ÷ 10 and a
    reading star per 50 pages in a day, capped at 100 XP, 50 coins and 10 stars a day; the last page finishes the
    book (book_complete: 10 XP, once per book, at most 3 books a day). An Idempotency-Key retry answers the first
    session, paid once."""
    return sessions.log_session(ctx.conn, ctx.user.id, book_id, ctx.body, ctx.idempotency_key)


@app.route(
    "/books/{book_id}/sessions/{session_id}",
    ["PATCH"],
    body=models.SessionPatch,
    response=models.ReadingSession,
    errors=("end_before_start",),
)
def update_reading_session(ctx: Context[models.SessionPatch], book_id: UUID, session_id: UUID) -> models.ReadingSession:
    """Correct a session; the book's page follows. What the session paid stays paid (no reversal, no new pay)."""
    return sessions.update_session(ctx.conn, ctx.user.id, book_id, session_id, ctx.body)


@app.route("/books/{book_id}/sessions/{session_id}", ["DELETE"], status=204)
def delete_reading_session(ctx: Context, book_id: UUID, session_id: UUID) -> None:
    """Delete a session; the book's page follows. What the session paid stays paid."""
    sessions.delete_session(ctx.conn, ctx.user.id, book_id, session_id)
