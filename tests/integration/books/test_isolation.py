"""Another reader's books and sessions answer 404 on every route that takes an id, and nothing of theirs changes.
The routes are read from template.yaml, so a new id route cannot be forgotten."""

import importlib

import pytest
from momentum_infra import template as tpl


def books_routes():
    return [r for r in tpl.api_routes() if r.function == "BooksFunction"]


# (method, path, valid body): a valid body, so that a 404 cannot come from validation instead.
CASES = [
    ("GET", "/books/{book_id}", None),
    ("PATCH", "/books/{book_id}", {"title": "Taken over", "status": "abandoned"}),
    ("DELETE", "/books/{book_id}", None),
    ("GET", "/books/{book_id}/sessions", None),
    ("POST", "/books/{book_id}/sessions", {"pages_read": 5}),
    ("PATCH", "/books/{book_id}/sessions/{session_id}", {"pages_read": 1}),
    ("DELETE", "/books/{book_id}/sessions/{session_id}", None),
]


ISOLATED_ROUTES = {(method, path) for method, path, _ in CASES}


def test_every_books_id_route_is_covered():
    assert {(m, p) for m, p, _ in CASES} == {(r.method, r.path) for r in books_routes() if "{" in r.path}


def test_every_books_route_is_a_readers_own_and_none_is_for_admins():
    # No books route needs the admin role (so none has a 403 to test); each needs a signed-in reader (401 in
    # test_bad_input) and answers only for that reader's rows (the 404s below).
    app = importlib.import_module("functions.books.app").app
    assert {op.auth for op in app.operations} == {"user"}
    assert len(app.operations) == len(books_routes())


@pytest.fixture()
def owned(reader):
    owner = reader()
    book = owner.book("Mine", total_pages=300, isbn="0-306-40615-2")
    session = owner.read(book["id"], pages_read=20)["session"]
    return owner, {"book_id": book["id"], "session_id": session["id"]}


def snapshot(owner, ids):
    return [
        owner.get(f"/books/{ids['book_id']}"),
        owner.get(f"/books/{ids['book_id']}/sessions"),
        owner.get("/books"),
        owner.get("/books/stats"),
    ]


@pytest.mark.parametrize(("method", "path", "body"), CASES, ids=[f"{m} {p}" for m, p, _ in CASES])
def test_another_readers_id_is_404_and_changes_nothing(reader, owned, method, path, body):
    owner, ids = owned
    before = snapshot(owner, ids)
    intruder = reader()

    status, error = intruder.request(method, path.format(**ids), body)

    assert status == 404, error
    assert error["error"]["code"] == "not_found"
    assert snapshot(owner, ids) == before


def test_a_readers_own_book_does_not_reach_another_readers_session(reader, owned):
    owner, ids = owned
    intruder = reader()
    own = intruder.book(total_pages=100)
    for method, body in (("PATCH", {"pages_read": 1}), ("DELETE", None)):
        status, _ = intruder.request(method, f"/books/{own['id']}/sessions/{ids['session_id']}", body)
        assert status == 404
    assert owner.get(f"/books/{ids['book_id']}/sessions")["items"][0]["pages_read"] == 20


def test_lists_search_and_stats_show_nothing_of_another_reader(reader, owned):
    intruder = reader()
    assert intruder.get("/books")["items"] == []
    assert intruder.get("/books?q=mine")["items"] == []
    stats = intruder.get("/books/stats")
    assert (stats["books_finished"], stats["current_streak"], stats["longest_book"]) == (0, 0, None)
    assert sum(d["pages"] for d in stats["pages_per_day"]) == 0
    # The same ISBN is free in another library.
    assert intruder.book(isbn="0306406152")["isbn"] == "9780306406157"
