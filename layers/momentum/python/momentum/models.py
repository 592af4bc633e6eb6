"""Shared pydantic bases and the models several domains use."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


# defer_build: a function defines many models but a request uses a few; building a model's validator on first
# use instead of at import keeps cold starts short.
class RequestModel(BaseModel):
    """A request body or query: unknown fields are rejected and JSON types are not coerced ("5" is not 5)."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True, defer_build=True)


class QueryModel(BaseModel):
    """Query strings arrive as text, so their values are coerced; unknown parameters are still rejected."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class PageQuery(QueryModel):
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=512)


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True, defer_build=True)


# Bounded text types for request bodies, so a client cannot store megabytes in a title.
Name = Annotated[str, Field(min_length=1, max_length=200)]
ShortText = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=20_000)]
Tag = Annotated[str, Field(min_length=1, max_length=50)]
# Deliberately simple: the magic link itself proves the address works.
Email = Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Reason = Annotated[str, Field(min_length=1, max_length=500)]


class Equipped(ResponseModel):
    """A cosmetic the person shows, in its slot (avatar, theme or frame)."""

    slot: str
    item_id: UUID
    key: str | None
    name: str
    icon: str | None
    image_url: str | None
    equipped_at: datetime


class User(ResponseModel):
    id: UUID
    email: str
    name: str | None
    image: str | None
    role: str
    created_at: datetime
    equipped: list[Equipped] = Field(default_factory=list, description="Cosmetics shown, one per slot (GET /me)")


class ErrorDetail(BaseModel):
    model_config = ConfigDict(defer_build=True)

    code: str
    message: str
    details: dict = Field(default_factory=dict)


class ErrorBody(BaseModel):
    model_config = ConfigDict(defer_build=True)

    error: ErrorDetail
