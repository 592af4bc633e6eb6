"""The pure reading rules: pages of a session, streaks, the goal schedule, ISBNs (what a session pays is worked out in
SQL: tests/integration/books/test_reading_sql.py)."""

from datetime import date

import pytest
from momentum.books import rules
from momentum.errors import InvalidInput


def test_session_pages():
    assert rules.session_pages(10, None, None, 5, None) == rules.SessionPages(5, 15, 10)
    assert rules.session_pages(None, None, 30, 5, 100) == rules.SessionPages(5, 30, 25)
    with pytest.raises(InvalidInput):
        rules.session_pages(None, 10, 9, 0, None)
    with pytest.raises(InvalidInput):
        rules.session_pages(None, None, 101, 0, 100)


@pytest.mark.parametrize(
    ("last_day", "expected"),
    [
        (date(2026, 5, 10), (4, 9)),
        (date(2026, 5, 9), (4, 9)),  # today is not over: still current
        (date(2026, 5, 8), (0, 9)),  # a whole day missed
        (None, (0, 9)),
    ],
)
def test_current_streak(last_day, expected):
    assert rules.current_streak(4, 9, last_day, date(2026, 5, 10)) == expected


def test_goal_schedule():
    assert rules.goal_schedule(12, 6, 2026, date(2026, 7, 2)) == (6.02, "on_track")  # day 183 of 365
    assert rules.goal_schedule(12, 3, 2026, date(2026, 7, 2)) == (6.02, "behind")
    assert rules.goal_schedule(12, 8, 2026, date(2026, 7, 2)) == (6.02, "ahead")
    assert rules.goal_schedule(12, 12, 2025, date(2026, 7, 2)) == (12.0, "on_track")
    assert rules.goal_schedule(12, 0, 2027, date(2026, 7, 2)) == (0.0, "on_track")


def test_isbn_normal_form():
    assert rules.normal_isbn("0 306 40615 2") == rules.normal_isbn("978-0306406157") == "9780306406157"
    with pytest.raises(InvalidInput):
        rules.normal_isbn("978-0306406158")
