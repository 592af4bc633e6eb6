"""The pure rules of training: what a set offers as a personal record, how records follow each other, and what
a completed session pays. No I/O here, so each rule is unit-tested on its own.

Personal records, per user and exercise, of five types:

- ``weight``: the heaviest weight lifted (the record keeps the reps it was lifted for);
- ``reps``: the most reps in one set, at any weight (body-weight exercises too);
- ``volume``: the best set volume, weight × reps;
- ``duration``: the longest timed set, in seconds;
- ``e1rm``: the estimated one-rep max by Epley, weight × (1 + reps / 30); for a single (reps = 1) the weight itself.

Warm-up sets never count: they are deliberately light. Drop sets count like any working set: the weight really was
lifted for those reps, and a drop set after a top set rarely beats it anyway except in reps. Only values above zero
count, and a value must be strictly above the current best to be a record: a tie is not a new record. Values are
compared as the database stores them (REAL, single precision), so a repeat of the same set is always a tie.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

RECORD_TYPES = ("weight", "reps", "volume", "duration", "e1rm")


def as_real(value: float) -> float:
    """``value`` rounded to single precision, as a REAL column stores it."""
    (stored,) = struct.unpack("f", struct.pack("f", value))
    return float(stored)


def epley_1rm(weight: float, reps: int) -> float:
    """Estimated one-rep max (Epley). A single is its own one-rep max."""
    return weight if reps == 1 else weight * (1 + reps / 30)


def record_values(weight: float | None, reps: int | None, duration: int | None, is_warmup: bool) -> dict[str, float]:
    """The value a set offers for each record type it can hold (none for a warm-up), as the database stores them."""
    if is_warmup:
        return {}
    w = as_real(weight) if weight else 0.0
    r = reps or 0
    values: dict[str, float] = {}
    if w > 0:
        values["weight"] = w
    if r > 0:
        values["reps"] = float(r)
    if w > 0 and r > 0:
        values["volume"] = as_real(w * r)
        values["e1rm"] = as_real(epley_1rm(w, r))
    if duration:
        values["duration"] = float(duration)
    return values


@dataclass(frozen=True)
class SetFacts:
    """What the record rules need of a logged set."""

    id: UUID
    completed_at: datetime
    reps: int | None
    weight: float | None
    duration: int | None
    is_warmup: bool


@dataclass(frozen=True)
class NewRecord:
    exercise_set_id: UUID
    record_type: str
    value: float
    reps: int | None
    achieved_at: datetime
    previous_value: float | None


def replay_records(bests: Mapping[str, float], sets: Iterable[SetFacts]) -> list[NewRecord]:
    """The records a run of sets (in history order) sets on top of the current ``bests`` per record type.

    Each record's ``previous_value`` is the best it beat (None for the first of its type), so a history rebuilt
    from here is a chain: every record's previous value is the value of the record before it.
    """
    best = {record_type: as_real(value) for record_type, value in bests.items()}  # as stored, whatever the driver
    records = []
    for s in sets:
        for record_type, value in record_values(s.weight, s.reps, s.duration, s.is_warmup).items():
            previous = best.get(record_type)
            if previous is None or value > previous:
                records.append(NewRecord(s.id, record_type, value, s.reps, s.completed_at, previous))
                best[record_type] = value
    return records


# ---------------------------------------------------------------- what a completed session pays

# The original paid XP = minutes (capped at 120) and coins = max(1, sets ÷ 5). Minutes reward an app left open, and
# every set, warm-ups included, paid coins. Here only effort counts: working sets (not warm-ups, with at least one
# rep or one second), up to a session's worth, so a normal workout pays about what it did before, idling pays
# nothing, and an empty session pays nothing at all. The count is taken where the sets are: fitness_working_set in
# migrations/functions is the one definition of a working set.
XP_PER_WORKING_SET = 4
WORKING_SETS_PAID = 30  # a long session's worth; sets beyond it pay nothing more (4 × 30 = 120 XP, the old cap)
SETS_PER_COIN = 5
FITNESS_SKILL = "fitness"


@dataclass(frozen=True)
class SessionAward:
    xp: int
    coins: int
    skill_stars: int

    @property
    def pays(self) -> bool:
        return bool(self.xp or self.coins or self.skill_stars)


def session_award(working_sets: int) -> SessionAward:
    """XP = 4 per working set and coins = max(1, working sets ÷ 5), both counting at most 30 working sets
    (at most 120 XP and 6 coins), plus one star of the fitness skill; nothing for a session without working sets."""
    paid = min(max(working_sets, 0), WORKING_SETS_PAID)
    if paid == 0:
        return SessionAward(xp=0, coins=0, skill_stars=0)
    return SessionAward(xp=XP_PER_WORKING_SET * paid, coins=max(1, paid // SETS_PER_COIN), skill_stars=1)


def scaled_weight(weight: float | None, intensity_modifier: float) -> float | None:
    """A program's target weight for the week: the workout's weight × the modifier, to two decimals."""
    return None if weight is None else round(weight * intensity_modifier, 2)
