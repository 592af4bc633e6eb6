"""GET /books/stats: the year's books and pages, the last 30 days, pace, streaks, ratings, the longest book and
the reading goal, on the reader's local days."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from momentum import gamification
from momentum.books import rules
from momentum.platform import settings


def at_days_ago(days):
    return (datetime.now(UTC) - timedelta(days=days, minutes=1)).isoformat()


def test_stats_of_a_reader(reader, conn):
    me = reader()
    long_book = me.book("Long", total_pages=900)
    short = me.book("Short", total_pages=120)
    # Reading on five days in a row long ago and the last three days, as the reading streak recorded them.
    today = datetime.now(UTC).date()
    for days in [*range(64, 59, -1), 2, 1]:
        gamification.touch_streak(conn, me.id, "reading", today - timedelta(days=days))
    for days in (2, 1):  # back-dated sessions count in the pages per day
        me.read(long_book["id"], pages_read=10, started_at=at_days_ago(days))
    me.read(long_book["id"], pages_read=10)  # today's session extends the streak
    for days in range(60, 65):
        me.read(long_book["id"], pages_read=5, started_at=at_days_ago(days))
    me.read(short["id"], pages_read=60, duration_minutes=30)
    me.read(short["id"], end_page=120, duration_minutes=90)  # finishes it: 120 pages in 2 hours
    me.patch(f"/books/{short['id']}", {"rating": 4})
    me.book("Another", total_pages=200, status="completed", rating=5)

    stats = me.get("/books/stats")

    assert (stats["books_finished"], stats["pages_finished"]) == (2, 320)
    assert (stats["current_streak"], stats["longest_streak"]) == (3, 5)
    assert stats["pages_per_hour"] == 60.0
    assert stats["average_rating"] == 4.5
    assert stats["longest_book"] == {"id": me.get("/books?q=Another")["items"][0]["id"], "title": "Another",
                                     "total_pages": 200}  # fmt: skip
    days = stats["pages_per_day"]
    assert len(days) == 30 and days[-1]["pages"] == 10 + 120 and days[-2]["pages"] == 10 and days[-3]["pages"] == 10
    assert sum(d["pages"] for d in days) == 150  # the long-ago days are outside the last 30
    assert stats["timezone"] == "UTC"
    # No goal set: the default goal that GET /me/settings shows.
    assert stats["goal"]["books"] == settings.DEFAULTS["reading_goal_books"] == 12


def test_the_goal_comes_from_the_setting(reader, conn):
    me = reader()
    me.setting(conn, "reading_goal_books", 24)
    me.book(status="completed")
    year = datetime.now(UTC).year
    goal = me.get("/books/stats")["goal"]
    expected, standing = rules.goal_schedule(24, 1, year, datetime.now(UTC).date())
    assert goal == {"books": 24, "finished": 1, "percent": 4.2, "expected_by_now": expected, "on_track": standing}
    # A past year is judged on the whole year.
    assert me.get(f"/books/stats?year={year - 1}")["goal"] | {} == {
        "books": 24,
        "finished": 0,
        "percent": 0.0,
        "expected_by_now": 24.0,
        "on_track": "behind",
    }
    me.setting(conn, "reading_goal_books", "lots")  # not a number: no goal rather than an error
    assert me.get("/books/stats")["goal"] is None
    me.setting(conn, "reading_goal_books", 0)  # 0 turns the goal off (SettingsPatch allows it)
    assert me.get("/books/stats")["goal"] is None


def test_days_are_the_readers_local_days(reader, conn):
    me = reader()
    me.setting(conn, "timezone", "Pacific/Kiritimati")  # UTC+14: most UTC moments are already tomorrow there
    book = me.book(total_pages=500)
    moment = datetime.now(UTC) - timedelta(hours=1)
    me.read(book["id"], pages_read=25, started_at=moment.isoformat())

    stats = me.get("/books/stats")

    local_day = moment.astimezone(ZoneInfo("Pacific/Kiritimati")).date().isoformat()
    assert stats["timezone"] == "Pacific/Kiritimati"
    assert {d["day"]: d["pages"] for d in stats["pages_per_day"]}[local_day] == 25
    assert stats["pages_per_day"][-1]["day"] == datetime.now(ZoneInfo("Pacific/Kiritimati")).date().isoformat()


def test_an_unknown_time_zone_falls_back_to_utc(reader, conn):
    me = reader()
    me.setting(conn, "timezone", "Mars/Olympus_Mons")
    assert me.get("/books/stats")["timezone"] == "UTC"
