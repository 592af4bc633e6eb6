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
    status, code = 429, "rate_limited"


class Internal(DomainError):
    """A fault of ours, not the client's: the glue logs it and answers 500 without details."""

    status, code = 500, "internal"


class Unavailable(DomainError):
    """A dependency (the database, a queue) cannot be reached now; the client may retry."""

    status, code = 503, "unavailable"
