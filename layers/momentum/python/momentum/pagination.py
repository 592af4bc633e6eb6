"""Keyset pagination: an opaque cursor holding the sort key of the last row a client saw."""

from __future__ import annotations

import base64
import json
from functools import cache
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from momentum.errors import InvalidInput

T = TypeVar("T")

# A cursor's values go into SQL as the sort column's type. Every integer sort key is an INTEGER column, and text
# cannot hold NUL in PostgreSQL, so a value outside these is tampering that would otherwise fail in the database.
_CURSOR_TYPES: dict[type, Any] = {
    int: Annotated[int, Field(ge=-(2**31), le=2**31 - 1)],
    str: Annotated[str, Field(pattern=r"^[^\x00]*$")],
}


class PageRequest(BaseModel):
    model_config = ConfigDict(defer_build=True)

    limit: int
    after: list[Any] | None = None  # the decoded sort key of the last row seen, or None for the first page

    def after_key(self, *types: type) -> tuple[Any, ...]:
        """The sort key after which this page starts, as values of ``types``; all None on the first page.

        A cursor is client input, so its shape is checked before it reaches SQL.
        Raises: InvalidInput when the cursor does not hold a key of that shape (tampered, or from another list).
        """
        if self.after is None:
            return (None,) * len(types)
        try:
            # Strict JSON validation: ISO strings become datetimes and UUIDs, but "1" is not an int.
            key: tuple[Any, ...] = _key_adapter(types).validate_json(json.dumps(self.after), strict=True)
            return key
        except ValidationError:
            raise InvalidInput("Malformed cursor", details={"field": "cursor"}) from None


@cache
def _key_adapter(types: tuple[type, ...]) -> TypeAdapter[tuple[Any, ...]]:
    return TypeAdapter(tuple[tuple(_CURSOR_TYPES.get(t, t) for t in types)])  # type: ignore[misc]


class Page(BaseModel, Generic[T]):
    model_config = ConfigDict(defer_build=True)  # each route's Page[Item] is built on first use, not at import

    items: list[T]
    next_cursor: str | None = None


def encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, default=str).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        raise InvalidInput("Malformed cursor", details={"field": "cursor"}) from None
    if not isinstance(key, list):
        raise InvalidInput("Malformed cursor", details={"field": "cursor"})
    return key


def page_of(rows: list[T], page: PageRequest, key: Any) -> Page[T]:
    """Build a page from up to ``limit + 1`` rows fetched in sort order; ``key(row)`` gives a row's sort key."""
    more = len(rows) > page.limit
    items = rows[: page.limit]
    return Page[T](items=items, next_cursor=encode_cursor(list(key(items[-1]))) if more else None)
