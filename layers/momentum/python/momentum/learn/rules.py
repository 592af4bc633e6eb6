"""The learn domain's rewards and caps (pure functions; the numbers a learner can read in the README).

- A lesson pays its own xp_reward, coin_reward and skill_star_reward once: on the first quiz score of at least
  ``quiz.PASS_MARK``. Later passes pay nothing.
- A drill round pays XP by its score: the drill's full xp_reward at 80 or more, half (rounded up) at 60–79, 1
  below; at most ``DRILL_ROUNDS_PAID_PER_DAY`` × xp_reward XP per drill per local day.
- A review pays ``REVIEW_XP`` XP, at most ``REVIEW_XP_PER_DAY`` XP per local day.
"""

from __future__ import annotations

import math

DRILL_ROUNDS_PAID_PER_DAY = 5
REVIEW_XP = 1
REVIEW_XP_PER_DAY = 30


def drill_xp(score: int, xp_reward: int) -> int:
    if xp_reward <= 0:
        return 0
    if score >= 80:
        return xp_reward
    if score >= 60:
        return math.ceil(xp_reward / 2)
    return 1


def drill_daily_cap(xp_reward: int) -> int:
    return DRILL_ROUNDS_PAID_PER_DAY * xp_reward


def runs(correct: list[bool]) -> tuple[int, int, int]:
    """(leading, trailing, longest) runs of correct answers in order, for the drill streaks."""
    leading = next((i for i, ok in enumerate(correct) if not ok), len(correct))
    trailing = next((i for i, ok in enumerate(reversed(correct)) if not ok), len(correct))
    longest = current = 0
    for ok in correct:
        current = current + 1 if ok else 0
        longest = max(longest, current)
    return leading, trailing, longest
