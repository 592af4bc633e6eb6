"""Reading sessions: pages, the book's page, what they pay (with the daily cap), idempotency, concurrency, edits."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from momentum import db, gamification
from momentum.books import rules

from tests.helpers import run_concurrently


def ledger(conn, user_id, event_type):
    return conn.execute(
        "SELECT coins, xp, coalesce(skill_stars, 0) FROM points_ledger WHERE user_id = %s AND event_type = %s "
        "ORDER BY created_at",
        (user_id, event_type),
    ).fetchall()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"pages_read": 30}, (20, 50, 30)),  # from the current page
        ({"end_page": 45}, (20, 45, 25)),
        ({"start_page": 100, "end_page": 130}, (100, 130, 30)),
        ({"start_page": 5, "pages_read": 10}, (5, 15, 10)),
        ({"pages_read": 10, "end_page": 60}, (50, 60, 10)),
        ({"start_page": 20, "end_page": 20, "duration_minutes": 15}, (20, 20, 0)),  # minutes without pages
    ],
)
def test_a_session_derives_its_missing_pages(reader, fields, expected):
    me = reader()
    book = me.book(total_pages=400, current_page=20)
    session = me.read(book["id"], **fields)["session"]
    assert (session["start_page"], session["end_page"], session["pages_read"]) == expected
    assert me.get(f"/books/{book['id']}")["current_page"] == max(20, expected[1])


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"start_page": 50, "end_page": 40}, "end_before_start"),
        ({"end_page": 10}, "end_before_start"),  # before the current page, 20
        ({"end_page": 401}, "past_last_page"),
        ({"pages_read": 381}, "past_last_page"),
        ({"start_page": 0, "end_page": 10, "pages_read": 9}, "invalid_input"),
        ({"duration_minutes": 30}, "invalid_input"),  # no pages at all
        ({"pages_read": 0}, "invalid_input"),  # neither pages nor minutes
    ],
)
def test_impossible_pages_are_422_and_write_nothing(reader, conn, fields, code):
    me = reader()
    book = me.book(total_pages=400, current_page=20)
    status, error = me.request("POST", f"/books/{book['id']}/sessions", fields)
    assert (status, error["error"]["code"]) == (422, code)
    assert me.get(f"/books/{book['id']}/sessions")["items"] == []
    assert me.get(f"/books/{book['id']}")["status"] == "to_read"
    assert me.balances(conn)["ledger_xp"] == 0


def test_a_session_pays_xp_coins_a_star_and_the_streak(reader, conn):
    me = reader()
    book = me.book(total_pages=1000)
    logged = me.read(book["id"], pages_read=60, duration_minutes=40)
    assert (logged["session"]["xp_awarded"], logged["session"]["coins_awarded"], logged["skill_stars"]) == (12, 6, 1)
    assert logged["book"]["status"] == "reading" and logged["book"]["started_at"] is not None

    small = me.read(book["id"], pages_read=3)  # max(1, 3 ÷ 5) XP, no coins; 63 pages today: no new star
    assert (small["session"]["xp_awarded"], small["session"]["coins_awarded"], small["skill_stars"]) == (1, 0, 0)
    more = me.read(book["id"], pages_read=40)  # 103 pages today: the second star
    assert (more["session"]["xp_awarded"], more["session"]["coins_awarded"], more["skill_stars"]) == (8, 4, 1)

    assert me.balances(conn) == {
        "coins": 10,
        "xp": 21,
        "ledger_coins": 10,
        "ledger_xp": 21,
        "ledger_stars": 2,
        "reading_stars": 2,
    }
    streak = conn.execute(
        "SELECT current_streak FROM user_streaks WHERE user_id = %s AND streak_type = 'reading'", (me.id,)
    ).fetchone()
    assert streak == (1,)
    assert me.get("/books/stats")["current_streak"] == 1


def test_the_daily_cap_stops_a_coin_printer(reader, conn):
    me = reader()
    book = me.book(total_pages=100_000)
    paid = [me.read(book["id"], pages_read=400) for _ in range(3)]
    assert [(p["session"]["xp_awarded"], p["session"]["coins_awarded"], p["skill_stars"]) for p in paid] == [
        (80, 40, 8),
        (20, 10, 2),  # what is left of 100 XP, 50 coins and 10 stars
        (0, 0, 0),
    ]
    # Deleting a paid session does not reopen the day: the ledger remembers what was paid.
    me.delete(f"/books/{book['id']}/sessions/{paid[0]['session']['id']}")
    again = me.read(book["id"], pages_read=4000)
    assert (again["session"]["xp_awarded"], again["session"]["coins_awarded"], again["skill_stars"]) == (0, 0, 0)
    balances = me.balances(conn)
    assert (balances["coins"], balances["xp"], balances["reading_stars"]) == (50, 100, 10)


def test_reaching_the_last_page_finishes_the_book_and_counts_for_achievements(reader, conn, reading_achievements):
    me = reader()
    book = me.book(total_pages=120)
    me.read(book["id"], pages_read=100)
    last = me.read(book["id"], end_page=120)
    assert last["book_completed"] is True
    assert (last["book"]["status"], last["book"]["current_page"]) == ("completed", 120)
    assert "first_book" in last["achievements"]
    assert ledger(conn, me.id, "book_complete") == [(0, 10, 0)]

    status, error = me.request("POST", f"/books/{book['id']}/sessions", {"pages_read": 1})
    assert (status, error["error"]["code"]) == (409, "book_completed")

    # A re-read is logged from page 0 and finishing it again does not pay the book again.
    me.patch(f"/books/{book['id']}", {"status": "reading"})
    assert me.read(book["id"], pages_read=120)["book_completed"] is True
    assert len(ledger(conn, me.id, "book_complete")) == 1


def test_at_most_three_finished_books_pay_a_day(reader, conn):
    me = reader()
    for _ in range(5):
        me.book(status="completed")
    assert len(ledger(conn, me.id, "book_complete")) == 3


def test_an_idempotency_key_returns_the_first_session_paid_once(reader, conn):
    me = reader()
    book = me.book(total_pages=500)
    first = me.read(book["id"], key="evening-read", pages_read=50)
    retry = me.read(book["id"], key="evening-read", pages_read=50)
    assert retry["session"] == first["session"]
    assert retry["skill_stars"] == first["skill_stars"] == 1
    assert me.get(f"/books/{book['id']}")["current_page"] == 50
    assert len(ledger(conn, me.id, "reading_session")) == 1

    other = me.book()
    status, error = me.request(
        "POST", f"/books/{other['id']}/sessions", {"pages_read": 5}, headers={"Idempotency-Key": "evening-read"}
    )
    assert (status, error["error"]["code"]) == (409, "idempotency_key_reused")


def test_concurrent_logs_and_retries_keep_pages_and_the_ledger_consistent(reader, database_url):
    me = reader()
    book = me.book(total_pages=10_000)
    # 24 requests at once: 16 distinct keys, 8 of them sent twice.
    keys = [f"k{i % 16}" for i in range(24)]

    results = run_concurrently(lambda i: me.read(book["id"], key=keys[i], pages_read=7), 24, workers=12)

    assert all(isinstance(r, dict) for r in results), results
    assert len({r["session"]["id"] for r in results}) == 16
    with db.connect(database_url) as conn:
        sessions = conn.execute(
            "SELECT start_page, end_page, pages_read FROM reading_sessions WHERE book_id = %s ORDER BY start_page",
            (book["id"],),
        ).fetchall()
        assert [(s, e) for s, e, _ in sessions] == [(7 * i, 7 * i + 7) for i in range(16)]  # no lost update
        assert me.get(f"/books/{book['id']}")["current_page"] == sum(p for _, _, p in sessions) == 112
        balances = me.balances(conn)
        assert balances["coins"] == balances["ledger_coins"] and balances["xp"] == balances["ledger_xp"]
        assert balances["reading_stars"] == balances["ledger_stars"] == 112 // 50
        assert len(ledger(conn, me.id, "reading_session")) == 16
        assert balances["ledger_xp"] == 16 * 1  # 7 pages: 1 XP each
        assert balances["ledger_coins"] == 0  # 7 pages: 0 coins each


def test_editing_and_deleting_move_the_page_and_keep_what_was_paid(reader, conn):
    me = reader()
    book = me.book(total_pages=300)
    first = me.read(book["id"], pages_read=50)["session"]
    second = me.read(book["id"], pages_read=50)["session"]
    before = me.balances(conn)

    edited = me.patch(f"/books/{book['id']}/sessions/{second['id']}", {"end_page": 80, "notes": "slow chapter"})
    assert (edited["start_page"], edited["end_page"], edited["pages_read"], edited["xp_awarded"]) == (50, 80, 30, 10)
    assert me.get(f"/books/{book['id']}")["current_page"] == 80

    status, error = me.request("PATCH", f"/books/{book['id']}/sessions/{second['id']}", {"end_page": 40})
    assert (status, error["error"]["code"]) == (422, "end_before_start")

    me.delete(f"/books/{book['id']}/sessions/{second['id']}")
    assert me.get(f"/books/{book['id']}")["current_page"] == 50
    assert [s["id"] for s in me.get(f"/books/{book['id']}/sessions")["items"]] == [first["id"]]
    assert me.balances(conn) == before  # paid stays paid, nothing reversed, nothing paid again

    me.patch(f"/books/{book['id']}/sessions/{first['id']}", {"pages_read": 300})
    finished = me.get(f"/books/{book['id']}")
    assert (finished["status"], finished["current_page"]) == ("completed", 300)


def test_the_same_key_with_another_body_for_the_same_book_is_409(reader, conn):
    me = reader()
    book = me.book(total_pages=500)
    first = me.read(book["id"], key="morning-read", pages_read=50)
    # An edit of the session afterwards does not make a true retry a conflict: the key remembers the body sent.
    me.patch(f"/books/{book['id']}/sessions/{first['session']['id']}", {"notes": "good chapter"})
    assert me.read(book["id"], key="morning-read", pages_read=50)["session"]["id"] == first["session"]["id"]
    status, error = me.request(
        "POST", f"/books/{book['id']}/sessions", {"pages_read": 80}, headers={"Idempotency-Key": "morning-read"}
    )
    assert (status, error["error"]["code"]) == (409, "idempotency_key_reused")
    assert me.get(f"/books/{book['id']}")["current_page"] == 50
    assert len(ledger(conn, me.id, "reading_session")) == 1


def test_a_retry_of_a_deleted_session_is_409(reader):
    me = reader()
    book = me.book(total_pages=300)
    first = me.read(book["id"], key="once", pages_read=10)
    me.delete(f"/books/{book['id']}/sessions/{first['session']['id']}")
    status, error = me.request(
        "POST", f"/books/{book['id']}/sessions", {"pages_read": 10}, headers={"Idempotency-Key": "once"}
    )
    assert (status, error["error"]["code"]) == (409, "idempotency_key_reused")
    assert me.get(f"/books/{book['id']}/sessions")["items"] == []


def test_sessions_page_newest_first(reader):
    me = reader()
    book = me.book(total_pages=300)
    ids = [me.read(book["id"], pages_read=5)["session"]["id"] for _ in range(5)]
    page = me.get(f"/books/{book['id']}/sessions?limit=3")
    rest = me.get(f"/books/{book['id']}/sessions?limit=3&cursor={page['next_cursor']}")
    assert [s["id"] for s in page["items"] + rest["items"]] == ids[::-1]
    assert rest["next_cursor"] is None


def test_the_estimated_finish_follows_the_recent_pace(reader):
    me = reader()
    book = me.book(total_pages=400)
    me.read(book["id"], pages_read=60)  # 60 pages in 30 days: 2 a day, 340 left: 170 days
    progress = me.get(f"/books/{book['id']}")["progress"]
    assert (progress["percent"], progress["pages_left"]) == (15.0, 340)
    stats_today = me.get("/books/stats")["pages_per_day"][-1]["day"]
    from datetime import date, timedelta

    assert progress["estimated_finish"] == (date.fromisoformat(stats_today) + timedelta(days=170)).isoformat()


def test_a_start_time_without_an_offset_is_422(reader):
    me = reader()
    book = me.book(total_pages=300)
    status, error = me.request(
        "POST", f"/books/{book['id']}/sessions", {"pages_read": 5, "started_at": "2026-01-01T10:00:00"}
    )
    assert (status, error["error"]["code"]) == (422, "invalid_input")
    status, error = me.request(
        "POST", f"/books/{book['id']}/sessions", {"pages_read": 5, "started_at": "2999-01-01T10:00:00Z"}
    )
    assert (status, error["error"]["details"]) == (422, {"field": "started_at"})
    assert me.get(f"/books/{book['id']}/sessions")["items"] == []


def test_a_seventh_day_of_reading_earns_reading_week(reader, conn, reading_achievements):
    me = reader()
    today = datetime.now(UTC).date()
    for days in range(6, 0, -1):  # read on the six days before today
        gamification.touch_streak(conn, me.id, "reading", today - timedelta(days=days))
    book = me.book(total_pages=300)

    logged = me.read(book["id"], pages_read=20)

    assert "reading_week" in logged["achievements"]
    assert me.get("/books/stats")["current_streak"] == 7


def quest_call(api, user, method, path, body=None):
    raw = json.dumps(body).encode() if body is not None else b""
    return json.loads(api("quests").request(method, path, headers=user.headers, body=raw).body)


def test_many_concurrent_logs_on_one_book_add_up_exactly(reader, api, make_user, database_url):
    me = reader()
    body = {"title": f"Read {me.id}", "type": "daily", "target_type": "pages_read", "target": 10_000}
    quest = quest_call(api, make_user(admin=True), "POST", "/admin/quests", body)
    quest_call(api, me.user, "POST", f"/quests/{quest['id']}/accept", {})
    book = me.book(total_pages=10_000)
    # 30 sessions of 1 to 30 pages (465 pages), each sent at once with an impossible one beside it; under the day's
    # caps, so what each pays does not depend on the order they were written in.
    pages = list(range(1, 31))

    def log(i):
        if i % 2:
            return me.request("POST", f"/books/{book['id']}/sessions", {"start_page": 9_990, "end_page": 10_001})
        return me.read(book["id"], pages_read=pages[i // 2])

    results = run_concurrently(log, 2 * len(pages), workers=12)

    assert all(isinstance(r, dict) for r in results[::2]), results
    assert all(r[0] == 422 and r[1]["error"]["code"] == "past_last_page" for r in results[1::2]), results
    with db.connect(database_url) as conn:
        sessions = conn.execute(
            "SELECT start_page, end_page, xp_awarded, coins_awarded FROM reading_sessions WHERE book_id = %s "
            "ORDER BY start_page",
            (book["id"],),
        ).fetchall()
        assert [s for s, *_ in sessions] == [0] + [e for _, e, *_ in sessions[:-1]]  # each starts where one ended
        assert sorted(e - s for s, e, *_ in sessions) == pages
        assert me.get(f"/books/{book['id']}")["current_page"] == sum(pages) == 465
        balances = me.balances(conn)
        expected_xp = sum(max(1, p // rules.XP_PER_PAGES) for p in pages)  # 85
        expected_coins = sum(p // rules.COINS_PER_PAGES for p in pages)  # 33
        assert (balances["xp"], balances["ledger_xp"], sum(x for *_, x, _ in sessions)) == (expected_xp,) * 3
        assert (balances["coins"], balances["ledger_coins"], sum(c for *_, c in sessions)) == (expected_coins,) * 3
        assert balances["reading_stars"] == balances["ledger_stars"] == 465 // rules.PAGES_PER_STAR
        assert len(ledger(conn, me.id, "reading_session")) == len(pages)
    assert quest_call(api, me.user, "GET", f"/quests/{quest['id']}")["progress"]["progress"] == 465


def test_one_key_raced_on_two_books_logs_once_and_the_other_writes_nothing(reader, conn):
    me = reader()
    books = [me.book(total_pages=1_000)["id"] for _ in range(2)]
    keys = [f"race-{n}" for n in range(8)]

    def log(i):
        headers = {"Idempotency-Key": keys[i // 2]}
        return me.request("POST", f"/books/{books[i % 2]}/sessions", {"pages_read": 10}, headers=headers)

    results = run_concurrently(log, 2 * len(keys), workers=8)

    for first, second in zip(results[::2], results[1::2], strict=True):
        assert sorted([first[0], second[0]]) == [201, 409], (first, second)
        loser = first if first[0] == 409 else second
        assert loser[1]["error"]["code"] == "idempotency_key_reused"
    sessions = conn.execute(
        "SELECT count(*), coalesce(sum(pages_read), 0) FROM reading_sessions WHERE user_id = %s", (me.id,)
    ).fetchone()
    assert sessions == (len(keys), 10 * len(keys))
    pages = sum(me.get(f"/books/{b}")["current_page"] for b in books)
    assert pages == 10 * len(keys)
    assert len(ledger(conn, me.id, "reading_session")) == len(keys)
    balances = me.balances(conn)
    assert balances["xp"] == balances["ledger_xp"] == 2 * len(keys)
