"""Progress of accepted universal quests from real events, with the reset per period.

A domain that does something a quest can count calls ``record_progress`` inside its own transaction (focus minutes
on completing a focus session, a habit completion, a logged working set, a purchase, …). Each accepted, active quest
of that ``target_type`` advances by the amount, capped at its target, and completes on reaching it. Quests of type
daily, weekly and monthly start again from zero in each new period (day, ISO week, month, in the person's time
zone), whatever state they were in; one-time quests never reset. The reset happens when the person's progress is
read or advanced (``RESET``, and inside ``ADVANCE``), so no job walks all users at midnight.
"""

from __future__ import annotations

from uuid import UUID

from psycopg import Connection

from momentum import localtime

# What a quest can count. Every value is reported by the domain that does the thing.
TARGET_TYPES = (
    "focus_minutes",
    "focus_sessions",
    "habits_completed",
    "sets_logged",
    "workouts_completed",
    "pages_read",
    "lessons_completed",
    "purchases",
)


def _period_start(tz: str) -> str:
    """The start of the current period of a quest type, in the zone ``tz`` names (one-time quests have none)."""
    return f"""(CASE q.type
    WHEN 'daily' THEN date_trunc('day', now() AT TIME ZONE {tz}) AT TIME ZONE {tz}
    WHEN 'weekly' THEN date_trunc('week', now() AT TIME ZONE {tz}) AT TIME ZONE {tz}
    WHEN 'monthly' THEN date_trunc('month', now() AT TIME ZONE {tz}) AT TIME ZONE {tz}
END)"""


PERIOD_START = _period_start("%(tz)s")

RESET = f"""
UPDATE user_quest_progress uqp
SET progress = 0, status = 'active', completed_at = NULL, claimed_at = NULL, last_reset_at = {PERIOD_START}
FROM universal_quests q
WHERE q.id = uqp.quest_id AND uqp.user_id = %(user_id)s AND (%(quest_id)s::uuid IS NULL OR uqp.quest_id = %(quest_id)s)
  AND {PERIOD_START} > coalesce(uqp.last_reset_at, uqp.accepted_at)
"""


# Reset and advance in one statement (one round trip on the paths that do things): a quest whose period has
# turned over counts from zero, whatever state it was left in.
def _advance(tz: str, joined: str = "", amount: str = "%(amount)s") -> str:
    """ADVANCE with the zone ``tz`` names, more relations ``joined`` to the FROM list, and the ``amount``
    expression (a parameter, or a value the statement computes; nothing is counted unless it is positive)."""
    period_start = _period_start(tz)
    reset_due = f"coalesce({period_start} > coalesce(uqp.last_reset_at, uqp.accepted_at), false)"
    base = f"(CASE WHEN {reset_due} THEN 0 ELSE uqp.progress END)"
    return f"""
UPDATE user_quest_progress uqp
SET progress = least(q.target, {base} + {amount}),
    status = CASE WHEN {base} + {amount} >= q.target THEN 'completed' ELSE 'active' END,
    completed_at = CASE WHEN {base} + {amount} >= q.target THEN now() END,
    claimed_at = NULL,
    last_reset_at = CASE WHEN {reset_due} THEN {period_start} ELSE uqp.last_reset_at END,
    times_completed = uqp.times_completed + ({base} + {amount} >= q.target)::integer
FROM universal_quests q{joined}
WHERE q.id = uqp.quest_id AND uqp.user_id = %(user_id)s AND q.is_active AND q.target_type = %(target_type)s
  AND (uqp.status = 'active' OR {reset_due}) AND {amount} > 0
"""


ADVANCE = _advance("%(tz)s")

# ADVANCE as a data-modifying CTE of a domain's own statement (parameters user_id, target_type, amount; a NULL
# target_type counts nothing), with the person's zone read in the same statement: the action and its quest progress
# are one round trip and commit together. Use it as ``WITH …, quest_progress AS ({COUNT_IN_STATEMENT}) SELECT …``.
COUNT_IN_STATEMENT = _advance("zone.tz", ", (SELECT user_time_zone(%(user_id)s) AS tz) zone").strip()


def count_in_statement(amount: str) -> str:
    """COUNT_IN_STATEMENT advancing by ``amount``, an expression of the statement (for a write whose count is only
    known in the database, such as the minutes a focus session ran); zero or less counts nothing."""
    return _advance("zone.tz", ", (SELECT user_time_zone(%(user_id)s) AS tz) zone", amount).strip()


# Taking progress back (an undone habit): a completed quest not yet claimed is active again below its target.
BELOW = "uqp.progress + %(amount)s < q.target"


def _retract(tz: str, joined: str = "", guard: str = "") -> str:
    """RETRACT with the zone ``tz`` names, more relations ``joined`` to the FROM list and a ``guard`` condition."""
    reset_due = f"coalesce({_period_start(tz)} > coalesce(uqp.last_reset_at, uqp.accepted_at), false)"
    return f"""
UPDATE user_quest_progress uqp
SET progress = greatest(0, uqp.progress + %(amount)s),
    status = CASE WHEN uqp.status = 'completed' AND {BELOW} THEN 'active' ELSE uqp.status END,
    completed_at = CASE WHEN uqp.status = 'completed' AND {BELOW} THEN NULL ELSE uqp.completed_at END,
    times_completed = uqp.times_completed - (uqp.status = 'completed' AND {BELOW})::integer
FROM universal_quests q{joined}
WHERE q.id = uqp.quest_id AND uqp.user_id = %(user_id)s AND q.target_type = %(target_type)s
  AND uqp.status IN ('active', 'completed') AND NOT {reset_due}{guard}
"""


RETRACT = _retract("%(tz)s")
# RETRACT as a data-modifying CTE of a domain's own statement, as COUNT_IN_STATEMENT is for ADVANCE (amount < 0).
# As record_progress, it takes back only when an active quest counts the target type.
RETRACT_IN_STATEMENT = _retract(
    "zone.tz",
    ", (SELECT user_time_zone(%(user_id)s) AS tz) zone",
    "\n  AND EXISTS (SELECT 1 FROM user_quest_progress qp JOIN universal_quests qq ON qq.id = qp.quest_id\n"
    "              WHERE qp.user_id = %(user_id)s AND qq.target_type = %(target_type)s AND qq.is_active)",
).strip()


# One round trip on the paths that do things: a row (with the person's time zone setting, if any) only when the
# person has accepted a quest counting this target type; most actions end here.
COUNTING = """
SELECT (SELECT value #>> '{}' FROM user_settings WHERE user_id = %(user_id)s AND key = 'timezone')
WHERE EXISTS (SELECT 1 FROM user_quest_progress p JOIN universal_quests q ON q.id = p.quest_id
              WHERE p.user_id = %(user_id)s AND q.target_type = %(target_type)s AND q.is_active)
"""


def reset_periods(conn: Connection, user_id: UUID, quest_id: UUID | None = None) -> None:
    """Start the person's daily, weekly and monthly quests again where a new period has begun."""
    tz = localtime.user_zone(conn, user_id).key
    conn.execute(RESET, {"user_id": user_id, "quest_id": quest_id, "tz": tz})


# COUNTING as two columns a domain's own statement can carry (parameters user_id and target_type), so a hot write
# path learns in its one round trip whether any quest counts it; then record_counted_progress does the rest.
COUNTING_COLUMNS = """
EXISTS (SELECT 1 FROM user_quest_progress qp JOIN universal_quests qq ON qq.id = qp.quest_id
        WHERE qp.user_id = %(user_id)s AND qq.target_type = %(target_type)s AND qq.is_active) AS quest_counting,
(SELECT value #>> '{}' FROM user_settings WHERE user_id = %(user_id)s AND key = 'timezone') AS quest_zone
"""


def record_progress(conn: Connection, user_id: UUID, target_type: str, amount: int) -> None:
    """Advance the person's accepted quests that count ``target_type`` by ``amount``; a negative amount takes back
    progress of this period that was not claimed yet (an undone action)."""
    if amount == 0:
        return
    counting = conn.execute(COUNTING, {"user_id": user_id, "target_type": target_type}).fetchone()
    if counting is not None:
        record_counted_progress(conn, user_id, target_type, amount, counting[0])


def record_counted_progress(conn: Connection, user_id: UUID, target_type: str, amount: int, zone: str | None) -> None:
    """``record_progress`` once COUNTING (or COUNTING_COLUMNS) said a quest counts it, with the person's time zone
    setting it read."""
    params = {"user_id": user_id, "target_type": target_type, "amount": amount, "tz": localtime.zone(zone).key}
    conn.execute(ADVANCE if amount > 0 else RETRACT, params)
