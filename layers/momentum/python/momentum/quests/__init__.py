"""Quests: universal quests admins define and people accept, advanced by what people do; personal quests.

Other domains report what a person did through ``record_progress(conn, user_id, target_type, amount)``, or, on a
hot write path, inside their own statement (``COUNT_IN_STATEMENT`` and ``RETRACT_IN_STATEMENT``, or
``COUNTING_COLUMNS`` and then ``record_counted_progress``).
"""

from momentum.quests.progress import (
    COUNT_IN_STATEMENT,
    COUNTING_COLUMNS,
    RETRACT_IN_STATEMENT,
    TARGET_TYPES,
    count_in_statement,
    record_counted_progress,
    record_progress,
)

__all__ = [
    "COUNTING_COLUMNS",
    "COUNT_IN_STATEMENT",
    "RETRACT_IN_STATEMENT",
    "TARGET_TYPES",
    "count_in_statement",
    "record_counted_progress",
    "record_progress",
]
