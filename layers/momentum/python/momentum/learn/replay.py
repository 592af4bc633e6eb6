"""Idempotency-Key for graded submissions: the first response is kept, a retry with the same key gets it back and
changes nothing (no second attempt, no second review), and the same key sent for another request is a 409.

Callers look the key up after locking the row the submission changes (the progress row, the round, the card),
so a concurrent retry waits for the first request and then finds its response. The same key sent at once for
two different rows collides on the primary key, which ``momentum.dberrors`` maps to the same 409.
"""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from psycopg import Connection
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from momentum.errors import Conflict
from momentum.models import body_digest

Response = TypeVar("Response", bound=BaseModel)

FIND = "SELECT request, response FROM learn_request_keys WHERE user_id = %s AND idempotency_key = %s"
KEEP = "INSERT INTO learn_request_keys (user_id, idempotency_key, request, response) VALUES (%s, %s, %s, %s)"


def fingerprint(kind: str, resource_id: UUID, body: BaseModel) -> str:
    """What a key is kept for: the route, the row it acts on and the body sent, so the same key with another body
    is a 409 as on every idempotent route (keys sorted: the same answers in another order are the same request)."""
    return f"{kind}:{resource_id}:{body_digest(body)}"


def replayed(conn: Connection, user_id: UUID, key: str | None, request: str, model: type[Response]) -> Response | None:
    """The response first given to this key, or None when the key is new (or absent).

    Raises: Conflict idempotency_key_reused when the key was used for another request."""
    if key is None:
        return None
    found = conn.execute(FIND, (user_id, key)).fetchone()
    if found is None:
        return None
    if found[0] != request:
        raise Conflict("This Idempotency-Key was used for another request", code="idempotency_key_reused")
    return model.model_validate(found[1])


def keep(conn: Connection, user_id: UUID, key: str | None, request: str, response: BaseModel) -> None:
    """Keep the response to a key, in the transaction that made it."""
    if key is not None:
        conn.execute(KEEP, (user_id, key, request, Jsonb(response.model_dump(mode="json"))))
