"""The pure reading rules: pages of a session, payouts and the daily cap, streaks, the goal schedule, ISBNs."""

from datetime import date

import pytest
from momentum.books import rules
from momentum.errors import InvalidInput


@pytest.mark.parametrize(
    ("pages", "today", "paid", "expected"),
    [
        (60, 60, (0, 0, 0), (12, 6, 1)),
        (3, 3, (0, 0, 0), (1, 0, 0)),  # at least 1 XP for any pages
        (0, 0, (0, 0, 0), (0, 0, 0)),  # minutes only
        (400, 400, (0, 0, 0), (80, 40, 8)),
        (400, 800, (80, 40, 8), (20, 10, 2)),  # the rest of the day's cap
        (5000, 5800, (100, 50, 10), (0, 0, 0)),  # a capped day pays nothing more
        (49, 101, (4, 2, 1), (9, 4, 1)),  # crossing 100 pages: the second star
    ],
)
def test_session_payout(pages, today, paid, expected):
    payout = rules.session_payout(pages, today, *paid)
    assert (payout.xp, payout.coins, payout.skill_stars) == expected


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
