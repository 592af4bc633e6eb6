"""Habit and goal payments: pure rules, no I/O.

The streak rule and the choice of a milestone bonus live in the database (``habit_streaks`` and
``habit_complete`` in migrations/functions), because their input is the habit's completions; the amounts are here
and are passed in.
"""

from __future__ import annotations

HABIT_XP = 10
HABIT_COINS = 2
# Streak milestones (in periods: days, scheduled days or weeks) and their one-off bonus (XP, coins), paid by the
# completion that finishes a period on that streak.
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
