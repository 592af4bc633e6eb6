"""Headline figures a benchmark hands to the combined table of ``make bench`` (bench/bench_all.py).

Each benchmark prints its own detailed report; ``record`` also appends one JSON line per figure to the file named
by ``MOMENTUM_BENCH_SUMMARY`` when that is set (bench_all.py sets it), and does nothing otherwise.
"""

from __future__ import annotations

import json
import os

SUMMARY_ENV = "MOMENTUM_BENCH_SUMMARY"


def record(
    group: str, figure: str, value: float | int | str, unit: str = "", target: str = "", met: bool | None = None
) -> None:
    """One row of the combined table: ``group`` (e.g. "round trips"), what was measured, its value and unit, the
    target it is held to (as text, e.g. "<= 2") and whether this run met it (None: no target)."""
    path = os.environ.get(SUMMARY_ENV)
    if not path:
        return
    row = {"group": group, "figure": figure, "value": value, "unit": unit, "target": target, "met": met}
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(row) + "\n")
