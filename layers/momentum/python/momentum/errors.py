"""Domain errors. Each carries its HTTP status and a stable machine-readable code; ``momentum.http`` maps them
to the JSON error shape in one place for every app."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}

    def to_body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(DomainError):
    status, code = 400, "bad_request"


class Unauthorized(DomainError):
    status, code = 401, "unauthorized"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class NotFound(DomainError):
    status, code = 404, "not_found"

    def __init__(self, resource: str, message: str | None = None):
        super().__init__(message or f"{resource} not found", details={"resource": resource})


class Conflict(DomainError):
    status, code = 409, "conflict"


class InsufficientCoins(Conflict):
    code = "insufficient_coins"

    def __init__(self, needed: int, available: int | None = None):
        details = {"needed": needed} | ({"available": available} if available is not None else {})
        super().__init__("Not enough coins", details=details)


class Gone(DomainError):
    status, code = 410, "gone"


class PayloadTooLarge(DomainError):
    status, code = 413, "payload_too_large"


class UnsupportedMediaType(DomainError):
    status, code = 415, "unsupported_media_type"


class InvalidInput(DomainError):
    status, code = 422, "invalid_input"


class TooManyRequests(DomainError):
    """A limit of ``momentum.limits`` was reached; the glue sends ``retry_after`` as the Retry-After header."""

    status, code = 429, "rate_limited"

    def __init__(
        self, message: str, *, retry_after: int, code: str | None = None, details: dict[str, Any] | None = None
    ):
        super().__init__(message, code=code, details={"retry_after_seconds": retry_after} | (details or {}))
        self.retry_after = retry_after


class Internal(DomainError):
    """A fault of ours, not the client's: the glue logs it and answers 500 without details."""

    status, code = 500, "internal"


class Unavailable(DomainError):
    """A dependency (the database, a queue) cannot be reached now; the client may retry."""

    status, code = 503, "unavailable"


# Every error code the API answers with, and its status. Routes declare the codes their domain can raise
# (``errors=`` on the route); the ones the glue raises follow from the route's shape. The OpenAPI document lists each
# operation's codes from here, and the test suite fails when a response carries a code its operation does not list.
ERROR_CODES: dict[str, int] = {
    # the glue
    "bad_request": 400,
    "malformed_json": 400,
    "malformed_body": 400,
    "unauthorized": 401,
    "invalid_token": 401,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,  # API Gateway's (and the local stack's) answer to a method a path does not take
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "invalid_input": 422,
    "rate_limited": 429,
    "internal": 500,
    "unavailable": 503,
    # domains
    "conflict": 409,
    "insufficient_coins": 409,
    "out_of_stock": 409,
    "not_available": 409,
    "already_owned": 409,
    "idempotency_key_reused": 409,
    "already_claimed": 409,
    "expired": 410,
    "item_key_taken": 409,
    "daily_reward_exists": 409,
    "used_up": 409,
    "already_used": 409,
    "already_redeemed": 409,
    "refunded": 409,
    "already_refunded": 409,
    "refund_window_closed": 409,
    "unknown_exercise": 422,
    "unknown_workout": 422,
    "session_completed": 409,
    "workout_scheduled": 409,
    "program_week_out_of_range": 409,
    "program_not_active": 409,
    "name_taken": 409,
    "exercise_in_use": 409,
    "custom_exercise_in_public_workout": 422,
    "builtin_exercise": 403,
    "analysis_not_ready": 409,
    # books
    "end_before_start": 422,
    "duplicate_isbn": 409,
    "invalid_status_move": 422,
    "not_read": 422,
    "past_last_page": 422,
    "unknown_format": 422,
    "malformed_csv": 422,
    "book_completed": 409,
    "invalid_isbn": 422,
    # platform
    "own_admin_role": 409,
    "flag_exists": 409,
    "flow_exists": 409,
    "unknown_role": 422,
    "already_processed": 409,
    "invalid_answer": 422,
    "not_a_question": 422,
    "answer_required": 422,
    "last_step": 409,
    "not_started": 409,
    "step_required": 422,
    "already_completed": 409,
    "invalid_order": 422,
    "unknown_interest": 422,
    "unknown_setting": 422,
    "cannot_resume": 409,
    "first_step": 409,
    "confirmation_mismatch": 422,
    # learn
    "too_many_open_rounds": 429,
    "unknown_question": 422,
    "key_taken": 409,
    "unknown_skill": 422,
    "unknown_topic": 422,
    "not_due": 409,
    "already_submitted": 409,
    "no_quiz": 409,
    # daily loops: focus, habits and goals, quests, planning
    "focus_session_active": 409,
    "focus_session_ended": 409,
    "focus_session_paused": 409,
    "focus_session_not_paused": 409,
    "unknown_reference_track": 422,
    "habit_done_for_period": 409,
    "nothing_to_undo": 409,
    "habit_inactive": 409,
    "goal_not_active": 409,
    "milestone_completed": 409,
    "goal_has_milestones": 409,
    "quest_accepted": 409,
    "quest_not_active": 409,
    "quest_not_completed": 409,
    "reward_over_limit": 422,
    "personal_quest_limit": 409,
    "unknown_link": 422,
    "invalid_rrule": 422,
    "plan_item_not_found": 404,
}
