"""Shared pydantic bases and the models several domains use."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal, Self
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    TypeAdapter,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema


class NulInText(ValueError):
    """A text of the input holds a NUL character."""

    def __init__(self, field: str):
        super().__init__(f"Text cannot contain the NUL character (\\u0000): {field or 'body'}")
        self.field = field


def clean_input(value: Any, where: str = "") -> Any:
    """A parsed JSON body as the models should see it, checked once at the edge (``momentum.http``).

    Raises NulInText when a text anywhere (keys too) holds a NUL character: PostgreSQL stores no NUL in text or
    JSONB, so one that got past the edge would answer 500. Integral floats (``4.0``) become ints, since JSON Schema
    counts them as integers and strict models would refuse them. (Not a model validator: a "before" validator makes
    pydantic validate strict models in Python mode, where an ISO string is no longer a datetime.)
    """
    if isinstance(value, str):
        if "\x00" in value:
            raise NulInText(where)
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 2**63 else value
    if isinstance(value, dict):
        return {clean_input(k, where): clean_input(v, f"{where}.{k}".lstrip(".")) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_input(v, f"{where}.{i}".lstrip(".")) for i, v in enumerate(value)]
    return value


# defer_build: a function defines many models but a request uses a few; building a model's validator on first
# use instead of at import keeps cold starts short.
class RequestModel(BaseModel):
    """A request body or query: unknown fields are rejected and JSON types are not coerced ("5" is not 5)."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True, defer_build=True)


class PatchModel(RequestModel):
    """A PATCH body: a field left out stays as it is, a field sent as null is cleared.

    The one contract of every PATCH route. Fields named in ``not_null`` (columns that always have a value) may be
    left out but not sent as null, and a PATCH must send at least one field. Both mistakes answer like any invalid
    field: 422 ``invalid_input``, with ``details.errors`` holding ``{"field": "name", "type": "null_not_allowed",
    "message": "name cannot be null"}`` or ``{"field": "", "type": "empty_patch", "message": "Send at least one
    field to change"}``.
    """

    not_null: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The document shows the ``not_null`` fields without null, as the validator holds them."""
        json_schema = handler.resolve_ref_schema(handler(schema))
        for name in cls.not_null:
            prop = json_schema.get("properties", {}).get(name)
            if prop and "anyOf" in prop:
                options = [o for o in prop["anyOf"] if o.get("type") != "null"]
                rest = {k: v for k, v in prop.items() if k not in ("anyOf", "default")}
                prop.clear()
                prop.update(options[0] | rest if len(options) == 1 else {"anyOf": options} | rest)
        return json_schema

    @field_validator("*", mode="before")
    @classmethod
    def _not_cleared(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name in cls.not_null:
            raise PydanticCustomError("null_not_allowed", "{field} cannot be null", {"field": info.field_name})
        return value

    @model_validator(mode="after")
    def _changes_something(self) -> Self:
        if not self.model_fields_set:
            raise PydanticCustomError("empty_patch", "Send at least one field to change")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, with their new values (None clears)."""
        return self.model_dump(include=self.model_fields_set)


def body_digest(body: BaseModel) -> str:
    """A request body's fingerprint, for an Idempotency-Key to remember what it was sent with (keys sorted: the same
    object written in another order is the same request)."""
    return hashlib.sha256(json.dumps(body.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


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
# A link a client gives us to show to people: http(s) only, so no javascript: or data: URLs reach a page.
Url = Annotated[str, StringConstraints(max_length=2000, pattern=r"^https?://\S+$")]


def resolution(smallest: float) -> AfterValidator:
    """For a float of a REAL column: 0, or at least ``smallest`` in magnitude.

    PostgreSQL's REAL cannot store magnitudes below ~1.2e-38 (``1e-50`` is an underflow error there, a 500 had it
    reached the database), and no measurement of ours is finer than ``smallest``. Pair it with ``Field(ge=, le=,
    allow_inf_nan=False)`` for the range, and say both in the field's description so the document shows them.
    """

    def check(value: float) -> float:
        if 0 < abs(value) < smallest:
            raise PydanticCustomError(
                "below_resolution", "Use 0 or a value of at least {smallest}", {"smallest": smallest}
            )
        return value

    return AfterValidator(check)


# A REAL column's value as a person reads it: single precision stores 116.666664 for 116.67, so responses round
# to two decimals (kilograms, volumes, scores). Rounded when the response model is built, so JSON and the
# model agree.
Real = Annotated[float, AfterValidator(lambda value: round(value, 2))]

# Vocabularies several domains share. Response models use them too, so the OpenAPI document lists the values.
Difficulty = Literal["beginner", "intermediate", "advanced"]


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
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorBody(BaseModel):
    model_config = ConfigDict(defer_build=True)

    error: ErrorDetail


_LIST_ADAPTERS: dict[Any, TypeAdapter[list[Any]]] = {}


def _completed(model: Any) -> Any:
    """``model``, its schema completed if it had names to resolve: instances an adapter makes are serialised later
    by the model's own serializer, which a model class completes only on its first constructor call."""
    if isinstance(model, type) and issubclass(model, BaseModel) and not model.__pydantic_complete__:
        model.model_rebuild()
    return model


def list_adapter(model: Any) -> TypeAdapter[list[Any]]:
    """Validates or serialises a whole list of ``model`` in one call into pydantic's core: for a long list about half
    the cost of one call per item. Made once per model."""
    adapter = _LIST_ADAPTERS.get(model)
    if adapter is None:
        adapter = _LIST_ADAPTERS[model] = TypeAdapter(list[_completed(model)])  # type: ignore[misc]
    return adapter
