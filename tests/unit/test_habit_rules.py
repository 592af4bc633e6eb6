"""Habit streaks follow the schedule: pure rules, no database."""

from datetime import date, timedelta

import pytest
from momentum.habits import rules

MON = date(2027, 3, 1)  # a Monday


def days(*offsets: int) -> dict[date, int]:
    return {MON + timedelta(days=o): 1 for o in offsets}


def test_a_daily_streak_counts_consecutive_days_and_today_still_open_does_not_break_it():
    assert rules.streaks("daily", None, 1, days(0, 1, 2), MON, MON + timedelta(days=3)) == (3, 3)
    assert rules.streaks("daily", None, 1, days(0, 1, 3), MON, MON + timedelta(days=3)) == (1, 2)
    assert rules.streaks("daily", None, 1, days(0, 1), MON, MON + timedelta(days=3)) == (0, 2)


def test_a_mon_wed_fri_habit_is_not_broken_on_the_days_between():
    mon_wed_fri = [1, 3, 5]  # 0 = Sunday
    assert rules.streaks("custom", mon_wed_fri, 1, days(0, 2, 4, 7), MON, MON + timedelta(days=8)) == (4, 4)
    assert rules.streaks("custom", mon_wed_fri, 1, days(0, 4, 7), MON, MON + timedelta(days=8)) == (2, 2)


def test_a_weekly_habit_needs_its_target_in_each_iso_week():
    counts = days(0, 2, 7, 9, 14)  # two in week one, two in week two, one so far in week three
    assert rules.streaks("weekly", None, 2, counts, MON, MON + timedelta(days=15)) == (2, 2)
    assert rules.streaks("weekly", None, 2, counts, MON, MON + timedelta(days=22)) == (0, 2)


@pytest.mark.parametrize(("streak", "bonus"), [(6, None), (7, 7), (14, 14), (365, 365)])
def test_milestones_pay_a_bonus_only_on_the_completion_that_finishes_the_period(streak, bonus):
    assert rules.completion_pay(True, streak).milestone == bonus
    assert rules.completion_pay(False, streak).milestone is None
    assert rules.completion_pay(False, streak).xp == rules.HABIT_XP


def test_focus_rules_floor_and_break_token():
    from momentum.focus import rules as focus

    assert focus.session_award("work", 299, unbroken=True).pays is False
    assert (
        focus.session_award("work", 300, unbroken=True).xp,
        focus.session_award("work", 300, unbroken=True).coins,
    ) == (5, 2)
    assert focus.session_award("work", 3600, unbroken=True).deep_work is True
    assert focus.session_award("work", 3600, unbroken=False).deep_work is False
    assert focus.session_award("short_break", 300, unbroken=True).xp == focus.BREAK_XP
