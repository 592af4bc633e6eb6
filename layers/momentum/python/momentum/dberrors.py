"""The one table from database errors to domain errors.

Our SQL functions raise their own SQLSTATEs (class ``M?``: ``MC`` gamification, ``MM`` market, ``MF`` fitness …)
with a JSON DETAIL; constraint violations are known by the constraint's name. ``momentum.http`` applies
``domain_error`` to every psycopg error a view lets escape, so domain code does not catch database errors to
re-raise them. Code outside a request (queue handlers, jobs) calls ``domain_error`` itself.

Adding a SQLSTATE to a SQL function means adding it here; a test checks that every ERRCODE raised by a database
function has an entry.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import psycopg

from momentum.errors import Conflict, DomainError, Gone, InsufficientCoins, InvalidInput, NotFound

ErrorFactory = Callable[[psycopg.Error], DomainError]


def details(error: psycopg.Error) -> dict[str, Any]:
    """The JSON object a SQL function put in DETAIL, or {}."""
    try:
        value = json.loads(error.diag.message_detail or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _message(error: psycopg.Error, default: str) -> str:
    return error.diag.message_primary or default


def _conflict(code: str, message: str) -> ErrorFactory:
    return lambda error: Conflict(message, code=code, details=details(error))


def _not_found(error: psycopg.Error) -> DomainError:
    return NotFound(str(details(error).get("resource", "resource")))


def _invalid(error: psycopg.Error) -> DomainError:
    return InvalidInput(_message(error, "Invalid input"), details=details(error))


def _insufficient_coins(error: psycopg.Error) -> DomainError:
    found = details(error)
    return InsufficientCoins(int(found.get("needed", 0)), found.get("available"))


# SQLSTATE raised by our SQL functions -> the domain error it means.
SQLSTATES: dict[str, ErrorFactory] = {
    # award_points (gamification)
    "MC001": _insufficient_coins,
    "MC002": lambda error: InvalidInput("XP cannot go below zero"),
    # market: purchase_item, claim_reward and their helpers
    "MM001": _conflict("out_of_stock", "Not enough stock left"),
    "MM002": _conflict("not_available", "This item cannot be bought now"),
    "MM003": _conflict("already_owned", "You already own this item"),
    "MM004": _conflict("idempotency_key_reused", "This Idempotency-Key was used for a different purchase"),
    "MM005": _conflict("already_claimed", "This reward has already been claimed"),
    "MM006": lambda error: Gone("This reward has expired", code="expired", details=details(error)),
    "MM404": _not_found,
    "MM422": _invalid,
    # fitness: fitness_log_set
    "MF404": lambda error: NotFound("session"),
    "MF409": lambda error: Conflict("The session is completed; it takes no more sets", code="session_completed"),
    "MF422": lambda error: InvalidInput("Unknown exercise", code="unknown_exercise", details=details(error)),
}

# Unique and foreign-key constraints whose violation is the client's doing, by constraint name.
CONSTRAINTS: dict[str, ErrorFactory] = {
    # learn: authoring topics, lessons and drills
    "learn_topics_key_key": _conflict("key_taken", "A topic with this key exists"),
    "learn_lessons_key_key": _conflict("key_taken", "A lesson with this key exists"),
    "learn_drills_key_key": _conflict("key_taken", "A drill with this key exists"),
    "learn_lessons_topic_id_fkey": lambda error: InvalidInput("Unknown topic", code="unknown_topic"),
    "learn_drills_topic_id_fkey": lambda error: InvalidInput("Unknown topic", code="unknown_topic"),
    "learn_request_keys_pkey": _conflict("idempotency_key_reused", "This Idempotency-Key was used for another request"),
}


def domain_error(error: psycopg.Error) -> DomainError | None:
    """The domain meaning of a database error, or None when it has none (a fault of ours or of the database)."""
    factory = SQLSTATES.get(error.sqlstate or "")
    if factory is None and isinstance(error, psycopg.errors.IntegrityError):
        factory = CONSTRAINTS.get(error.diag.constraint_name or "")
    return factory(error) if factory is not None else None
