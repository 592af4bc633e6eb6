"""Quests: universal quests admins define and people accept, advanced by what people do; personal quests.

Other domains report what a person did through ``record_progress(conn, user_id, target_type, amount)``.
"""

from momentum.quests.progress import COUNTING_COLUMNS, TARGET_TYPES, record_counted_progress, record_progress

__all__ = ["COUNTING_COLUMNS", "TARGET_TYPES", "record_counted_progress", "record_progress"]
