"""Reading keyset cursors back safely: a cursor comes from the client, so a tampered one is a 422, not a 500."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from momentum.errors import InvalidInput
from momentum.pagination import PageRequest


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not text")
    return value


def uuid(value: Any) -> UUID:
    return UUID(text(value))


def timestamp(value: Any) -> datetime:
    return datetime.fromisoformat(text(value))


def after_key(page: PageRequest, *parts: Callable[[Any], Any]) -> tuple:
    """The sort key of the last row seen, each part parsed by its function; all None on the first page.

    Raises: InvalidInput for a cursor that is not one of ours.
    """
    if page.after is None:
        return (None,) * len(parts)
    try:
        if len(page.after) != len(parts):
            raise ValueError("wrong length")
        return tuple(parse(value) for parse, value in zip(parts, page.after, strict=True))
    except (TypeError, ValueError):
        raise InvalidInput("Malformed cursor", details={"field": "cursor"}) from None
