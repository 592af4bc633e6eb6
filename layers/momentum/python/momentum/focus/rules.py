"""What a focus session pays: pure rules, no I/O."""

from __future__ import annotations

from dataclasses import dataclass

FOCUS_SKILL = "focus"
# A work session pays from 5 focused minutes, so the floors below (5 XP, 2 coins) never pay more than the time
# focused earns: many one-minute sessions must not beat one long one.
MIN_PAID_WORK_SECONDS = 5 * 60
# A break is rest, not effort: a token amount for taking it (at least a minute of it).
MIN_PAID_BREAK_SECONDS = 60
BREAK_XP = 2
# One hour focused without a pause is deep work: a bonus once per session, and the deep_work achievement.
DEEP_WORK_SECONDS = 60 * 60
DEEP_WORK_XP = 15
DEEP_WORK_COINS = 5
# A session left running this long past its planned end, or paused this long, ends as abandoned.
GRACE_SECONDS = 15 * 60
MAX_PAUSE_SECONDS = 2 * 60 * 60


@dataclass(frozen=True)
class FocusAward:
    xp: int
    coins: int
    skill_stars: int
    deep_work: bool

    @property
    def pays(self) -> bool:
        return bool(self.xp or self.coins)


def session_award(mode: str, focused_seconds: int, *, unbroken: bool) -> FocusAward:
    """Work: XP = max(5, minutes), coins = max(2, seconds ÷ 300), one focus star per full 25 minutes; breaks a
    token 2 XP. Only focused time counts (pauses are excluded by the caller)."""
    if mode != "work":
        return FocusAward(BREAK_XP if focused_seconds >= MIN_PAID_BREAK_SECONDS else 0, 0, 0, False)
    if focused_seconds < MIN_PAID_WORK_SECONDS:
        return FocusAward(0, 0, 0, False)
    return FocusAward(
        xp=max(5, focused_seconds // 60),
        coins=max(2, focused_seconds // 300),
        skill_stars=focused_seconds // (25 * 60),
        deep_work=unbroken and focused_seconds >= DEEP_WORK_SECONDS,
    )
