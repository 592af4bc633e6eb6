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
import re
from collections.abc import Callable
from typing import Any

import psycopg

from momentum.errors import Conflict, DomainError, Gone, InsufficientCoins, InvalidInput, NotFound

# A factory may answer None: the error then has no domain meaning (a fault of ours), as if it had no entry.
ErrorFactory = Callable[[psycopg.Error], DomainError | None]

# "Key (exercise_id)=(3f2c…)" in a constraint violation's DETAIL; the parentheses survive translation.
_KEY = re.compile(r"\((?P<columns>[^()]*)\)=\((?P<values>[^()]*)\)")


def details(error: psycopg.Error) -> dict[str, Any]:
    """The JSON object a SQL function put in DETAIL, or {}."""
    try:
        value = json.loads(error.diag.message_detail or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def key(error: psycopg.Error) -> dict[str, str]:
    """The key a unique or foreign-key violation names in its DETAIL, as {column: value}, or {}."""
    found = _KEY.search(error.diag.message_detail or "")
    if found is None:
        return {}
    columns = [c.strip() for c in found["columns"].split(",")]
    values = [v.strip() for v in found["values"].split(",")]
    return dict(zip(columns, values, strict=False)) if len(columns) == len(values) else {}


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
    # admin_grant
    "MC404": _not_found,
    "MC422": lambda error: InvalidInput("Unknown skill", code="unknown_skill", details=details(error)),
    # market: purchase_item, claim_reward, use_purchase, refund_purchase and their helpers
    "MM001": _conflict("out_of_stock", "Not enough stock left"),
    "MM002": _conflict("not_available", "This item cannot be bought now"),
    "MM003": _conflict("already_owned", "You already own this item"),
    "MM004": _conflict("idempotency_key_reused", "This Idempotency-Key was used for a different purchase"),
    "MM005": _conflict("already_claimed", "This reward has already been claimed"),
    "MM006": lambda error: Gone("This reward has expired", code="expired", details=details(error)),
    "MM007": _conflict("already_refunded", "Already refunded"),
    "MM008": _conflict("already_used", "Only unused purchases can be refunded"),
    "MM009": _conflict("refund_window_closed", "Purchases can be refunded within 24 hours"),
    "MM010": _conflict("refunded", "This purchase was refunded"),
    "MM011": _conflict("used_up", "No uses left"),
    "MM012": _conflict("already_redeemed", "Already redeemed"),
    "MM404": _not_found,
    "MM422": _invalid,
    # quests: personal_quest_claim
    "MQ001": _conflict("already_claimed", "The quest's reward is claimed already"),
    "MQ002": _conflict("quest_not_completed", "The quest is not completed yet"),
    "MQ003": lambda error: Conflict(
        _message(error, "Too many personal quest rewards today"), code="personal_quest_limit", details=details(error)
    ),
    "MQ404": _not_found,
    # daily reward: daily_reward_create
    "MD001": _conflict("daily_reward_exists", "Today's daily reward was already collected"),
    # fitness: fitness_log_set, fitness_complete_session
    "MF404": lambda error: NotFound("session"),
    "MF409": lambda error: Conflict("The session is completed; it takes no more sets", code="session_completed"),
    "MF422": lambda error: InvalidInput("Unknown exercise", code="unknown_exercise", details=details(error)),
    "MF410": lambda error: Conflict("The session is already completed", code="session_completed"),
    # focus: focus_complete
    "MS404": _not_found,
    "MS409": lambda error: Conflict(
        _message(error, "The session has ended"), code="focus_session_ended", details=details(error)
    ),
    # goals: goal_complete
    "MG404": _not_found,
    "MG001": lambda error: Conflict(
        _message(error, "The goal is not active"), code="goal_not_active", details=details(error)
    ),
    "MG002": lambda error: Conflict("The milestone is completed already", code="milestone_completed"),
    # books: reading_session_log, reading_session_pages
    "MB404": _not_found,
    "MB409": _conflict("book_completed", "This book is finished; start it again to log a re-read"),
    "MB003": _conflict("idempotency_key_reused", "This Idempotency-Key was used for another session"),
    "MB001": lambda error: InvalidInput(
        _message(error, "end_page is before start_page"), code="end_before_start", details=details(error)
    ),
    "MB002": lambda error: InvalidInput(
        _message(error, "end_page is past the book's last page"), code="past_last_page", details=details(error)
    ),
    "MB422": _invalid,
    # habits: habit_complete, habit_undo
    "MH404": _not_found,
    "MH001": lambda error: Conflict("The habit is paused", code="habit_inactive"),
    "MH002": _conflict("habit_done_for_period", "The habit is done for this period"),
    "MH003": lambda error: Conflict("No completion today to undo", code="nothing_to_undo"),
    # learn: learn_review_record, learn_round_record, learn_quiz_record (learn_replayed)
    "ML404": _not_found,
    "ML001": _conflict("idempotency_key_reused", "This Idempotency-Key was used for another request"),
    "ML002": _conflict("not_due", "This card is not due yet"),
    "ML003": _conflict("already_submitted", "This round has been submitted already"),
}


def _still_referenced(error: psycopg.Error) -> bool:
    """Whether a foreign-key violation is a delete of a row that others still reference (not a write naming a
    missing row). PostgreSQL reports both under the referencing constraint's name; only its message tells them
    apart, and our servers run with the default (English) lc_messages."""
    return (error.diag.message_primary or "").startswith("update or delete on table")


def _foreign_key(*, missing: ErrorFactory | None = None, referenced: ErrorFactory | None = None) -> ErrorFactory:
    """A foreign key's two meanings: a write that names a missing row, a delete of a row still referenced."""

    def factory(error: psycopg.Error) -> DomainError | None:
        chosen = referenced if _still_referenced(error) else missing
        return chosen(error) if chosen is not None else None

    return factory


def _unknown_exercise(error: psycopg.Error) -> DomainError:
    found = key(error).get("exercise_id")
    return InvalidInput("Unknown exercise", code="unknown_exercise", details={"exercise_ids": [found]} if found else {})


def _exercise_in_use(error: psycopg.Error) -> DomainError:
    return Conflict(
        "The exercise is used by logged sets, records or workouts; remove those first", code="exercise_in_use"
    )


def _unknown_session_workout(error: psycopg.Error) -> DomainError:
    found = key(error).get("workout_id")
    return InvalidInput("Unknown workout", code="unknown_workout", details={"workout_id": found} if found else {})


def _unknown_program_workout(error: psycopg.Error) -> DomainError:
    found = key(error).get("workout_id")
    return InvalidInput(
        "A program schedules your own workouts only (copy a public workout first)",
        code="unknown_workout",
        details={"workout_ids": [found]} if found else {},
    )


# Unique and foreign-key constraints whose violation is the client's doing, by constraint name. Most of these are
# races (a row deleted between a check and the write that needs it): the constraint is the check that cannot race.
CONSTRAINTS: dict[str, ErrorFactory] = {
    # market
    "market_items_key_key": lambda error: Conflict("Another item has this key", code="item_key_taken"),
    # fitness
    "exercise_sets_exercise_id_fkey": _foreign_key(missing=_unknown_exercise, referenced=_exercise_in_use),
    "personal_records_exercise_id_fkey": _foreign_key(missing=_unknown_exercise, referenced=_exercise_in_use),
    "workout_exercises_exercise_id_fkey": _foreign_key(missing=_unknown_exercise, referenced=_exercise_in_use),
    "workout_sessions_workout_id_fkey": _foreign_key(missing=_unknown_session_workout),
    "program_workouts_workout_id_fkey": _foreign_key(
        missing=_unknown_program_workout,
        referenced=lambda error: Conflict(
            "A training program schedules this workout; remove it from the program first", code="workout_scheduled"
        ),
    ),
    # learn: authoring topics, lessons and drills
    "learn_topics_key_key": _conflict("key_taken", "A topic with this key exists"),
    "learn_lessons_key_key": _conflict("key_taken", "A lesson with this key exists"),
    "learn_drills_key_key": _conflict("key_taken", "A drill with this key exists"),
    "learn_lessons_topic_id_fkey": lambda error: InvalidInput("Unknown topic", code="unknown_topic"),
    "learn_drills_topic_id_fkey": lambda error: InvalidInput("Unknown topic", code="unknown_topic"),
    "learn_request_keys_pkey": _conflict("idempotency_key_reused", "This Idempotency-Key was used for another request"),
    # platform
    "feature_flags_flag_name_key": _conflict("flag_exists", "A feature flag with this name exists"),
    "onboarding_flows_name_key": _conflict("flow_exists", "An onboarding flow with this name exists"),
    # books: one copy of an ISBN per library; an Idempotency-Key names one reading session
    "book_isbns_pkey": _conflict("duplicate_isbn", "A book with this ISBN is already in your library"),
    "reading_session_requests_pkey": _conflict(
        "idempotency_key_reused", "This Idempotency-Key was used for another session"
    ),
}


def domain_error(error: psycopg.Error) -> DomainError | None:
    """The domain meaning of a database error, or None when it has none (a fault of ours or of the database)."""
    factory = SQLSTATES.get(error.sqlstate or "")
    if factory is None and isinstance(error, psycopg.errors.IntegrityError):
        factory = CONSTRAINTS.get(error.diag.constraint_name or "")
    return factory(error) if factory is not None else None
