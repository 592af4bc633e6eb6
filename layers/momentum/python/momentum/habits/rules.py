"""Habit schedules, streaks and payments: pure rules, no I/O."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

HABIT_XP = 10
HABIT_COINS = 2
# Streak milestones (in periods: days, scheduled days or weeks) and their one-off bonus (XP, coins).
MILESTONES: dict[int, tuple[int, int]] = {
    7: (25, 5),
    14: (50, 10),
    30: (100, 20),
    60: (150, 30),
    100: (250, 50),
    365: (1000, 100),
}
MILESTONE_XP = 20
MILESTONE_COINS = 5
GOAL_XP = 100
GOAL_COINS = 25


def weekday(day: date) -> int:
    """0 = Sunday … 6 = Saturday, as custom_days count."""
    return day.isoweekday() % 7


def period_start(frequency: str, day: date) -> date:
    """The first day of the period a day belongs to: the ISO week (Monday) for weekly habits, else the day."""
    return day - timedelta(days=day.weekday()) if frequency == "weekly" else day


def period_end(frequency: str, day: date) -> date:
    return period_start(frequency, day) + timedelta(days=6 if frequency == "weekly" else 0)


def periods(frequency: str, custom_days: list[int] | None, first: date, last: date) -> Iterator[date]:
    """The scheduled periods from the one holding ``first`` to the one holding ``last``, oldest first: every day,
    every ISO week, or the days in ``custom_days``."""
    step = timedelta(days=7 if frequency == "weekly" else 1)
    day = period_start(frequency, first)
    while day <= last:
        if frequency != "custom" or weekday(day) in (custom_days or []):
            yield day
        day += step


def streaks(
    frequency: str,
    custom_days: list[int] | None,
    target_count: int,
    counts: Mapping[date, int],
    first: date,
    today: date,
) -> tuple[int, int]:
    """(current, longest) runs of consecutive scheduled periods done (``target_count`` completions in them).

    The current period still open does not break the streak; a scheduled period that passed undone does. A day off
    the schedule of a custom habit is neither done nor missed.
    """
    totals: dict[date, int] = {}
    for day, n in counts.items():
        totals[period_start(frequency, day)] = totals.get(period_start(frequency, day), 0) + n
    current = longest = 0
    now = period_start(frequency, today)
    for start in periods(frequency, custom_days, min([first, *counts]), today):
        if totals.get(start, 0) >= target_count:
            current += 1
            longest = max(longest, current)
        elif start != now:
            current = 0
    return current, longest


@dataclass(frozen=True)
class HabitPay:
    xp: int
    coins: int
    milestone: int | None


def completion_pay(period_done_now: bool, streak: int) -> HabitPay:
    """Every completion pays the base; the completion that finishes a period on a milestone streak adds its bonus."""
    if period_done_now and streak in MILESTONES:
        xp, coins = MILESTONES[streak]
        return HabitPay(HABIT_XP + xp, HABIT_COINS + coins, streak)
    return HabitPay(HABIT_XP, HABIT_COINS, None)
