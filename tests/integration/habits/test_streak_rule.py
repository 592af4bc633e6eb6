"""Habit streaks follow the schedule: the rule ``habit_streaks`` (migrations/functions) on its own."""

from datetime import date, timedelta

MON = date(2027, 3, 1)  # a Monday


def days(*offsets: int) -> list[date]:
    return [MON + timedelta(days=o) for o in offsets]


def streaks(conn, frequency, custom_days, target, completed, today_offset):
    return conn.execute(
        "SELECT * FROM habit_streaks(%s, %s::integer[], %s, %s::date[], %s, %s)",
        (frequency, custom_days, target, completed, MON, MON + timedelta(days=today_offset)),
    ).fetchone()


def test_a_daily_streak_counts_consecutive_days_and_today_still_open_does_not_break_it(conn):
    assert streaks(conn, "daily", None, 1, days(0, 1, 2), 3) == (3, 3)
    assert streaks(conn, "daily", None, 1, days(0, 1, 3), 3) == (1, 2)
    assert streaks(conn, "daily", None, 1, days(0, 1), 3) == (0, 2)


def test_a_mon_wed_fri_habit_is_not_broken_on_the_days_between(conn):
    mon_wed_fri = [1, 3, 5]  # 0 = Sunday
    assert streaks(conn, "custom", mon_wed_fri, 1, days(0, 2, 4, 7), 8) == (4, 4)
    assert streaks(conn, "custom", mon_wed_fri, 1, days(0, 4, 7), 8) == (2, 2)


def test_a_weekly_habit_needs_its_target_in_each_iso_week(conn):
    completed = days(0, 2, 7, 9, 14)  # two in week one, two in week two, one so far in week three
    assert streaks(conn, "weekly", None, 2, completed, 15) == (2, 2)
    assert streaks(conn, "weekly", None, 2, completed, 22) == (0, 2)


def test_completions_before_the_first_day_count_and_none_is_no_streak(conn):
    assert streaks(conn, "daily", None, 1, [MON - timedelta(days=1), MON], 0) == (2, 2)
    assert streaks(conn, "daily", None, 1, [], 2) == (0, 0)
