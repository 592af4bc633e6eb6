"""The library: books, ISBNs, status moves with read-throughs, ratings, lists, sorts and search."""

import pytest


def test_create_read_update_delete(reader):
    me = reader()
    # Given a book with every field
    book = me.book(
        "The Creative Act",
        author="Rick Rubin",
        total_pages=432,
        isbn="978-0-593-65288-6",
        cover_url="https://covers.example.com/creative-act.jpg",
        notes="On being a vessel",
    )
    assert (book["status"], book["current_page"], book["isbn"]) == ("to_read", 0, "9780593652886")
    assert book["progress"] == {"percent": 0.0, "pages_left": 432, "estimated_finish": None}

    # When fields change, only those change
    changed = me.patch(f"/books/{book['id']}", {"notes": None, "current_page": 40})
    assert (changed["notes"], changed["current_page"], changed["title"]) == (None, 40, "The Creative Act")
    assert me.get(f"/books/{book['id']}")["progress"]["pages_left"] == 392

    me.delete(f"/books/{book['id']}")
    me.request("GET", f"/books/{book['id']}", expect=404)


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("0-306-40615-2", "9780306406157"),  # ISBN-10 with hyphens
        ("0306406152", "9780306406157"),
        ("978-0-306-40615-7", "9780306406157"),
        ("9780306406157", "9780306406157"),
        ("0-8044-2957-X", "9780804429573"),  # an X check digit
    ],
)
def test_isbns_are_checked_and_stored_in_one_form(reader, sent, stored):
    assert reader().book(isbn=sent)["isbn"] == stored


@pytest.mark.parametrize("isbn", ["0-306-40615-3", "9780306406158", "12345678901", "978030640615X"])
def test_a_wrong_check_digit_or_length_is_422(reader, isbn):
    me = reader()
    status, error = me.request("POST", "/books", {"title": "Bad", "isbn": isbn})
    assert (status, error["error"]["code"]) == (422, "invalid_isbn")
    assert me.get("/books")["items"] == []


def test_two_copies_of_one_isbn_are_409_whatever_the_form(reader):
    me = reader()
    first = me.book(isbn="0-306-40615-2")
    status, error = me.request("POST", "/books", {"title": "Again", "isbn": "978-0-306-40615-7"})
    assert (status, error["error"]["code"]) == (409, "duplicate_isbn")
    other = me.book()
    status, error = me.request("PATCH", f"/books/{other['id']}", {"isbn": "0306406152"})
    assert (status, error["error"]["code"]) == (409, "duplicate_isbn")
    assert [b["id"] for b in me.get("/books")["items"]] == [other["id"], first["id"]]
    # Another library may hold the same ISBN; and freeing it lets another book take it.
    reader().book(isbn="0306406152")
    me.patch(f"/books/{first['id']}", {"isbn": None})
    assert me.patch(f"/books/{other['id']}", {"isbn": "0306406152"})["isbn"] == "9780306406157"


def test_starting_finishing_and_rereading_keep_every_read_through(reader):
    me = reader()
    book = me.book(total_pages=300)
    path = f"/books/{book['id']}"

    started = me.patch(path, {"status": "reading"})
    assert started["started_at"] is not None and started["completed_at"] is None

    finished = me.patch(path, {"status": "completed", "rating": 5})
    assert (finished["current_page"], finished["rating"]) == (300, 5)
    assert finished["completed_at"] is not None
    assert finished["progress"] == {"percent": 100.0, "pages_left": 0, "estimated_finish": None}

    reread = me.patch(path, {"status": "reading"})
    assert (reread["status"], reread["current_page"], reread["completed_at"]) == ("reading", 0, None)
    reads = reread["reads"]
    assert [r["read_number"] for r in reads] == [1, 2]
    assert reads[0]["finished_at"] == finished["completed_at"]  # the first read's history survives
    assert reads[1]["finished_at"] is None
    assert reread["rating"] == 5

    again = me.patch(path, {"status": "completed"})
    assert [r["finished_at"] is not None for r in again["reads"]] == [True, True]


def test_abandoning_shelves_the_book_where_it_stopped(reader):
    me = reader()
    book = me.book(total_pages=500)
    path = f"/books/{book['id']}"
    me.patch(path, {"status": "reading", "current_page": 120})

    abandoned = me.patch(path, {"status": "abandoned"})
    assert (abandoned["status"], abandoned["current_page"]) == ("abandoned", 120)
    assert abandoned["reads"][0]["abandoned_at"] is not None
    assert [b["id"] for b in me.get("/books?status=abandoned")["items"]] == [book["id"]]
    assert me.get("/books?status=to_read")["items"] == []

    resumed = me.patch(path, {"status": "reading"})
    assert (resumed["status"], resumed["current_page"]) == ("reading", 120)
    assert [r["read_number"] for r in resumed["reads"]] == [1, 2]
    assert me.get("/books?status=abandoned")["items"] == []


def test_a_finished_book_cannot_be_abandoned(reader):
    me = reader()
    book = me.book(status="completed")
    status, error = me.request("PATCH", f"/books/{book['id']}", {"status": "abandoned"})
    assert (status, error["error"]["code"]) == (422, "invalid_status_move")
    assert me.get(f"/books/{book['id']}")["status"] == "completed"


def test_only_a_read_book_can_be_rated(reader):
    me = reader()
    status, error = me.request("POST", "/books", {"title": "Unread", "rating": 4})
    assert (status, error["error"]["code"]) == (422, "not_read")
    assert me.get("/books")["items"] == []

    book = me.book(status="reading")
    status, error = me.request("PATCH", f"/books/{book['id']}", {"rating": 4})
    assert (status, error["error"]["code"]) == (422, "not_read")
    assert me.book(status="completed", rating=4)["rating"] == 4


def test_current_page_never_exceeds_total_pages(reader):
    me = reader()
    status, error = me.request("POST", "/books", {"title": "Short", "total_pages": 10, "current_page": 11})
    assert (status, error["error"]["code"]) == (422, "past_last_page")
    book = me.book(total_pages=100, current_page=50)
    for body in ({"current_page": 101}, {"total_pages": 49}):
        status, error = me.request("PATCH", f"/books/{book['id']}", body)
        assert (status, error["error"]["code"]) == (422, "past_last_page")
    assert me.get(f"/books/{book['id']}")["current_page"] == 50


def test_lists_filter_by_status_and_page_through_every_sort(reader):
    me = reader()
    titles = ["delta", "Alpha", "charlie", "Bravo", "echo"]
    authors = ["E", "d", "C", "b", "A"]
    books = [me.book(t, author=a) for t, a in zip(titles, authors, strict=True)]
    me.patch(f"/books/{books[1]['id']}", {"status": "reading"})
    for i in (2, 4, 0):  # finished in this order
        me.patch(f"/books/{books[i]['id']}", {"status": "completed"})

    def walk(query):
        seen, cursor = [], None
        while True:
            page = me.get(f"/books?limit=2&{query}" + (f"&cursor={cursor}" if cursor else ""))
            seen += [b["title"] for b in page["items"]]
            if not (cursor := page["next_cursor"]):
                return seen

    assert walk("sort=title") == ["Alpha", "Bravo", "charlie", "delta", "echo"]
    assert walk("sort=author") == ["echo", "Bravo", "charlie", "Alpha", "delta"]
    assert walk("sort=finished") == ["delta", "echo", "charlie"]
    assert walk("sort=updated") == ["delta", "echo", "charlie", "Alpha", "Bravo"]
    assert walk("status=completed&sort=title") == ["charlie", "delta", "echo"]
    assert walk("status=reading") == ["Alpha"]
    assert walk("status=to_read") == ["Bravo"]


def test_search_matches_title_author_and_notes(reader):
    me = reader()
    me.book("Making Music", author="Dennis DeSantis", notes="74 creative strategies for electronic producers")
    me.book("Mixing Secrets", author="Mike Senior", notes="for the small studio")
    me.book("The Lean Startup", author="Eric Ries")
    reader().book("Mixing Audio", author="Roey Izhaki")  # someone else's

    def found(q):
        return sorted(b["title"] for b in me.get(f"/books?q={q}")["items"])

    assert found("mixing") == ["Mixing Secrets"]
    assert found("desantis") == ["Making Music"]
    assert found("producer") == ["Making Music"]  # stemmed: producers
    assert found("studio OR startup") == ["Mixing Secrets", "The Lean Startup"]
    assert found("orchestration") == []


def test_a_tampered_cursor_is_422(reader):
    me = reader()
    status, error = me.request("GET", "/books?sort=title&cursor=WzEsMl0")  # [1,2]
    assert status == 422 and error["error"]["message"] == "Malformed cursor"
