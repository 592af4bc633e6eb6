"""Importing Goodreads and StoryGraph exports: formats, idempotency, the report, and no pay for history."""

import csv
import io
from pathlib import Path

import pytest

from tests.helpers import run_concurrently

DATA = Path(__file__).parent / "data"
GOODREADS = (DATA / "goodreads_library_export.csv").read_text()
STORYGRAPH = (DATA / "storygraph_export.csv").read_text()


def library(me):
    """Every book of the reader, as a comparable snapshot."""
    books, cursor = [], None
    while True:
        page = me.get("/books?sort=title&limit=100" + (f"&cursor={cursor}" if cursor else ""))
        books += page["items"]
        if not (cursor := page["next_cursor"]):
            return books


def by_title(me):
    return {b["title"]: b for b in library(me)}


def test_a_goodreads_export_imports_with_a_report(reader, conn):
    me = reader()
    report = me.import_csv(GOODREADS)

    assert (report["source"], report["rows"], report["imported"]) == ("goodreads", 10, 8)
    assert [(s["row"], s["reason"]) for s in report["skipped"]] == [
        (9, "no title"),
        (10, "a book with this ISBN is already in the library"),
    ]
    books = by_title(me)
    habits = books["Atomic Habits: An Easy & Proven Way to Build Good Habits & Break Bad Ones"]
    assert (habits["status"], habits["rating"], habits["isbn"], habits["current_page"]) == (
        "completed",
        5,
        "9780735211292",
        319,
    )
    assert habits["completed_at"] == "2024-03-02T12:00:00Z"
    making = books["Making Music: 74 Creative Strategies for Electronic Music Producers"]
    assert (making["status"], making["isbn"], making["started_at"]) == ("reading", None, "2024-05-11T12:00:00Z")
    assert books["The Power of Now"]["status"] == "abandoned"
    assert books["Mixing Secrets for the Small Studio"]["status"] == "to_read"
    # Read without a Date Read: finished on the day it was added, the best date the export gives.
    assert books["How to Win Friends & Influence People"]["completed_at"] == "2020-03-14T12:00:00Z"
    detail = me.get(f"/books/{habits['id']}")
    assert detail["reads"] == [
        {
            "read_number": 1,
            "started_at": "2024-03-02T12:00:00Z",
            "finished_at": "2024-03-02T12:00:00Z",
            "abandoned_at": None,
            "imported": True,
        }
    ]
    assert me.get("/books/stats?year=2024")["books_finished"] == 2


def test_imported_history_pays_nothing(reader, conn):
    me = reader()
    me.import_csv(GOODREADS)
    assert conn.execute("SELECT count(*) FROM points_ledger WHERE user_id = %s", (me.id,)).fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM user_streaks WHERE user_id = %s", (me.id,)).fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM reading_sessions WHERE user_id = %s", (me.id,)).fetchone() == (0,)


def test_importing_the_same_file_twice_adds_nothing(reader):
    me = reader()
    me.import_csv(GOODREADS)
    before = library(me)

    again = me.import_csv(GOODREADS)

    assert (again["rows"], again["imported"]) == (10, 0)
    assert [s["reason"] for s in again["skipped"]].count("already imported") == 8
    assert library(me) == before


def goodreads_rows(count):
    """A generated Goodreads export of ``count`` rows, every shelf and quirk included."""
    out = io.StringIO()
    header = next(csv.reader(io.StringIO(GOODREADS)))
    writer = csv.DictWriter(out, header)
    writer.writeheader()
    shelves = ["read", "to-read", "currently-reading", "did-not-finish"]
    for i in range(count):
        writer.writerow(
            {
                "Book Id": str(1_000_000 + i),
                "Title": f"Generated book {i:04d}",
                "Author": f"Author {i % 37}",
                "ISBN": '=""',
                "ISBN13": '=""',
                "My Rating": str(i % 6),
                "Number of Pages": str(100 + i),
                "Date Read": f"2025/{i % 12 + 1:02d}/{i % 28 + 1:02d}" if i % 4 == 0 else "",
                "Date Added": f"2024/{i % 12 + 1:02d}/{i % 28 + 1:02d}",
                "Exclusive Shelf": shelves[i % 4],
                "Read Count": "1",
            }
        )
    return out.getvalue()


def test_a_few_hundred_rows_import_in_one_request_twice_with_the_same_result(reader):
    me = reader()
    export = goodreads_rows(400)

    first = me.import_csv(export)
    snapshot = library(me)
    second = me.import_csv(export)

    assert (first["imported"], first["skipped"]) == (400, [])
    assert (second["imported"], len(second["skipped"])) == (0, 400)
    assert library(me) == snapshot
    assert len(snapshot) == 400
    counts = {s: len(me.get(f"/books?status={s}&limit=100")["items"]) for s in ("completed", "to_read")}
    assert counts == {"completed": 100, "to_read": 100}


def test_a_storygraph_export_imports(reader):
    me = reader()
    report = me.import_csv(STORYGRAPH)
    assert (report["source"], report["imported"], report["skipped"]) == ("storygraph", 5, [])
    books = by_title(me)
    assert books["Piranesi"]["rating"] == 5  # 4.5 stars, rounded half up
    assert books["Zen in the Art of Writing"]["rating"] == 4
    assert books["Zen in the Art of Writing"]["isbn"] is None  # a StoryGraph UID, not an ISBN
    assert books["Infinite Jest"]["status"] == "abandoned"
    assert books["The Art of Mixing"]["status"] == "reading"
    assert me.import_csv(STORYGRAPH)["imported"] == 0


def test_a_row_whose_isbn_is_already_in_the_library_is_skipped(reader):
    me = reader()
    mine = me.book("Piranesi (my copy)", isbn="978-1-63557-563-7")
    report = me.import_csv(STORYGRAPH)
    assert [(s["title"], s["reason"]) for s in report["skipped"]] == [
        ("Piranesi", "a book with this ISBN is already in the library")
    ]
    assert by_title(me)["Piranesi (my copy)"]["id"] == mine["id"]


@pytest.mark.parametrize(
    "body",
    [
        "Title,Author\nDune,Frank Herbert\n",  # a CSV, but neither export
        GOODREADS.replace("Exclusive Shelf", "Shelf"),  # a Goodreads export missing a column
        "",
        "just some text",
    ],
    ids=["other-csv", "missing-column", "empty", "text"],
)
def test_a_file_of_another_format_writes_nothing(reader, body):
    me = reader()
    status, error = me.request("POST", "/books/import", body.encode(), content_type="text/csv")
    assert (status, error["error"]["code"]) == (422, "unknown_format")
    assert library(me) == []


def test_the_body_must_be_csv_text_within_the_size_limit(reader):
    me = reader()
    status, error = me.request("POST", "/books/import", GOODREADS.encode(), content_type="application/json")
    assert (status, error["error"]["code"]) == (415, "unsupported_media_type")
    status, error = me.request("POST", "/books/import", b"\xff\xfe\x00bad", content_type="text/csv")
    assert (status, error["error"]["code"]) == (400, "malformed_body")
    huge = GOODREADS + "x" * (2 * 1024 * 1024)
    status, error = me.request("POST", "/books/import", huge.encode(), content_type="text/csv; charset=utf-8")
    assert status == 413
    assert library(me) == []


def test_the_same_file_imported_twice_at_once_adds_its_books_once(reader):
    me = reader()

    reports = run_concurrently(lambda _: me.import_csv(GOODREADS), 2)

    assert all(isinstance(r, dict) for r in reports), reports
    assert sorted(r["imported"] for r in reports) == [0, 8]
    assert len(library(me)) == 8


def test_a_malformed_first_row_is_a_422_and_writes_nothing(reader):
    # A carriage return inside an unquoted header field: the CSV reader refuses the very first row.
    me = reader()
    status, error = me.request("POST", "/books/import", b"T\rtitle\x1d_v", content_type="text/csv")
    assert (status, error["error"]["code"]) == (422, "malformed_csv")
    assert library(me) == []
