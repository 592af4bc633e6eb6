"""What the reference modules share: time ranges on a track and PATCH bodies."""

from __future__ import annotations

from typing import Any

from psycopg import sql

from momentum.errors import InvalidInput


def check_time_range(start_ms: int, end_ms: int | None, duration_ms: int | None) -> None:
    """A range on a track: start ≥ 0, end after start, both inside the track.

    While the duration is unknown (the analysis has not finished) any range from 0 is accepted: a producer can
    mark a moment while the analysis runs.

    Raises: InvalidInput.
    """
    if start_ms < 0 or (end_ms is not None and end_ms < 0):
        raise InvalidInput("Times must not be negative", details={"field": "start_time_ms"})
    if end_ms is not None and end_ms <= start_ms:
        raise InvalidInput(
            "end_time_ms must be after start_time_ms",
            details={"field": "end_time_ms", "start_time_ms": start_ms, "end_time_ms": end_ms},
        )
    if duration_ms is not None:
        last = end_ms if end_ms is not None else start_ms
        if last > duration_ms:
            field = "end_time_ms" if end_ms is not None else "start_time_ms"
            raise InvalidInput(
                "The time range must lie inside the track", details={"field": field, "duration_ms": duration_ms}
            )


def set_clause(changes: dict[str, Any]) -> sql.Composed:
    """``column = %(column)s, …`` for each changed column (names come from code, values are parameters)."""
    return sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder(name)) for name in changes
    )
