"""The one place where the market's SQL errors become domain errors.

The purchase and claim functions (migration 0008) raise their own SQLSTATEs with JSON details; award_points
raises MC001 for insufficient coins, which ``gamification.award_error`` maps.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from momentum import gamification
from momentum.errors import Conflict, DomainError, Gone, InvalidInput, NotFound


def _details(error: psycopg.Error) -> dict[str, Any]:
    try:
        return json.loads(error.diag.message_detail or "{}")
    except ValueError:
        return {}


_CONFLICTS = {
    "MM001": ("out_of_stock", "Not enough stock left"),
    "MM002": ("not_available", "This item cannot be bought now"),
    "MM003": ("already_owned", "You already own this item"),
    "MM004": ("idempotency_key_reused", "This Idempotency-Key was used for a different purchase"),
    "MM005": ("already_claimed", "This reward has already been claimed"),
}


def market_error(error: psycopg.Error) -> DomainError | None:
    """The domain meaning of an error raised by the market's SQL functions, or None."""
    if (award := gamification.award_error(error)) is not None:
        return award
    state = error.sqlstate
    if state == "MM404":
        return NotFound(_details(error).get("resource", "resource"))
    if state in _CONFLICTS:
        code, message = _CONFLICTS[state]
        return Conflict(message, code=code, details=_details(error))
    if state == "MM006":
        return Gone("This reward has expired", code="expired", details=_details(error))
    if state == "MM422":
        return InvalidInput(error.diag.message_primary or "Invalid input", details=_details(error))
    return None


@contextmanager
def market_errors() -> Iterator[None]:
    """Re-raise the market's SQL errors as domain errors (others pass through unchanged)."""
    try:
        yield
    except psycopg.Error as error:
        mapped = market_error(error)
        if mapped is None:
            raise
        raise mapped from None
