"""Idempotency-Key for graded submissions: the first response is kept, a retry with the same key gets it back and
changes nothing (no second attempt, no second review), and the same key sent for another request is a 409.

A graded submission is two round trips: its read, sent with the token check, carries the response kept for the
key (``KEPT_COLUMNS`` through ``kept``), so a retry is answered from the read alone (``replayed``). A retry sent
while the first request is still writing finds nothing there; the write function then looks the key up again
once it holds the row lock the first request held (``learn_replayed`` in migrations/functions), so it answers the
first response rather than being refused as a second answer, and it keeps the response it writes in the same
statement. The same key sent at once for two different rows collides on the primary key, which
``momentum.dberrors`` maps to the same 409. The achievement check follows the write, only when the write says one
may be due; what it earns is added to the kept response then (``with_achievements``), so only a retry arriving in
between answers without them.
"""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from psycopg import Connection
from psycopg.types.json import Jsonb
from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from momentum import gamification
from momentum.errors import Conflict
from momentum.models import body_digest

Response = TypeVar("Response", bound=BaseModel)

# The kept response as two columns of a read (parameter idempotency_key; a NULL key matches nothing).
KEPT_COLUMNS = "k.request AS kept_request, k.response AS kept_response"

# The kept response's achievements, once the check after the write earned some (the write kept it without them).
ADD_EARNED = """
UPDATE learn_request_keys SET response = jsonb_set(response, '{achievements_earned}', %s)
WHERE user_id = %s AND idempotency_key = %s
"""


def kept(user: str) -> str:
    """The join that gives a read KEPT_COLUMNS: ``user`` is the SQL naming the caller (the row's owner, once the
    read has filtered its rows by ``momentum.auth.CALLER``, or CALLER itself)."""
    return f"LEFT JOIN learn_request_keys k ON k.user_id = {user} AND k.idempotency_key = %(idempotency_key)s"


def fingerprint(kind: str, resource_id: UUID, body: BaseModel) -> str:
    """What a key is kept for: the route, the row it acts on and the body sent, so the same key with another body
    is a 409 as on every idempotent route (keys sorted: the same answers in another order are the same request)."""
    return f"{kind}:{resource_id}:{body_digest(body)}"


def replayed(row: dict[str, Any], request: str, model: type[Response]) -> Response | None:
    """The response first given to the key, from a read with KEPT_COLUMNS; None when the key is new (or absent).

    Raises: Conflict idempotency_key_reused when the key was used for another request."""
    if row["kept_request"] is None:
        return None
    if row["kept_request"] != request:
        raise Conflict("This Idempotency-Key was used for another request", code="idempotency_key_reused")
    return model.model_validate(row["kept_response"])


def part(**fields: Any) -> Jsonb:
    """The fields of a response that Python knows (graded answers, scores), as JSON for the write function, which
    adds what only the database knows, keeps the whole for the key and answers it."""
    return Jsonb(to_jsonable_python(fields))


def with_achievements(conn: Connection, user_id: UUID, key: str | None, result: Response, due: bool) -> Response:
    """The result with the achievements its write earned: checked only when the write said one may be due (the
    common case stays two round trips), and added to the response kept for the key, so a retry answers them too."""
    if not due:
        return result
    earned = gamification.check_achievements(conn, user_id)
    if earned and key is not None:
        conn.execute(ADD_EARNED, (Jsonb(earned), user_id, key))
    return result.model_copy(update={"achievements_earned": earned})
