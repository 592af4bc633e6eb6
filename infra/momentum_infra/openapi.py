"""The OpenAPI 3.1 document, generated from the route table (each app's operations) and the pydantic models.

Every model lives once in ``components/schemas`` and operations refer to it, so a client generator makes one type
per model. The error shape is one schema, with one ``components/responses`` entry per status; each operation refers
to the statuses it can answer and lists their codes (``x-error-codes``, and in the description).
"""

from __future__ import annotations

import importlib
import re
import typing
from functools import cache
from typing import Any

from momentum.http import Operation
from momentum.models import ErrorBody
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema

from momentum_infra import template as tpl

REF = "#/components/schemas/{model}"
ERROR_RESPONSES = {
    400: ("BadRequest", "The request cannot be read"),
    401: ("Unauthorized", "Missing, invalid or expired token"),
    403: ("Forbidden", "Not allowed for this user"),
    404: ("NotFound", "No such resource for this user"),
    405: ("MethodNotAllowed", "The path does not take this method"),
    409: ("Conflict", "Conflicts with the current state"),
    410: ("Gone", "Expired"),
    413: ("PayloadTooLarge", "The body is too large"),
    415: ("UnsupportedMediaType", "The body has another media type than the operation takes"),
    422: ("InvalidInput", "The body, query or a header is invalid"),
    429: ("TooManyRequests", "Too many requests; retry after the Retry-After header's seconds"),
    500: ("InternalError", "A fault of the service"),
    503: ("Unavailable", "A dependency is unavailable; retry shortly"),
}
# Domains, as the tags that group operations, in the order a reader meets them.
TAG_DESCRIPTIONS = {
    "auth": "Sign-in by magic link and sessions",
    "me": "The signed-in user's wallet, progress, ledger, skills, streaks and achievements",
    "market": "Catalog, purchases, inventory, rewards and recommendations",
    "fitness": "Exercises, workouts, sessions, sets, records and programs",
    "reference": "Reference tracks, their analysis, annotations, regions and listening prompts",
    "admin": "Administration",
}


class _ComponentNames(GenerateJsonSchema):
    """Component names that read well as class names: ``Page[Item]`` becomes ``ItemPage``."""

    def normalize_name(self, name: str) -> str:
        generic = re.fullmatch(r"(\w+)\[(.+)\]", name)
        if generic:
            name = re.sub(r"\W", "", generic.group(2)) + generic.group(1)
        return super().normalize_name(name)


def _path_schema(name: str) -> dict[str, Any]:
    """Ids are UUIDs (the HTTP glue parses them so); other path parameters (a setting key, a role) are names."""
    if name == "id" or name.endswith("_id"):
        return {"type": "string", "format": "uuid"}
    return {"type": "string", "maxLength": 100}


def operations() -> list[Operation]:
    """Every operation of every function in template.yaml."""
    ops: list[Operation] = []
    for route_module in sorted({r.module for r in tpl.api_routes()}):
        ops.extend(importlib.import_module(route_module).app.operations)
    return ops


def body_required(model: type[BaseModel]) -> bool:
    """Whether a client must send a body: the glue reads a missing body as ``{}``, so a body is optional exactly
    when the model accepts ``{}`` (every field optional, and no rule such as a PATCH's "send at least one field")."""
    try:
        model.model_validate({})
    except ValidationError:
        return True
    return False


def operation_id(op: Operation) -> str:
    """The view's name: unique across the API (a test holds it so), stable, and readable as a method name."""
    return op.name


def _models(tp: Any) -> list[type[BaseModel]]:
    """The pydantic models a response annotation is made of (``Model``, ``list[Model]``)."""
    if tp is None:
        return []
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    return [m for arg in typing.get_args(tp) for m in _models(arg)]


def _schema_of(tp: Any, refs: dict[tuple[Any, JsonSchemaMode], dict[str, Any]], mode: JsonSchemaMode) -> Any:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return refs[(tp, mode)]
    if typing.get_origin(tp) is list:
        (item,) = typing.get_args(tp)
        return {"type": "array", "items": _schema_of(item, refs, mode)}
    raise TypeError(f"no schema for the response type {tp!r}")


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(mode="validation")
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def _error_responses(op: Operation) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, codes in op.error_codes().items():
        name, text = ERROR_RESPONSES[status]
        responses[str(status)] = {
            "$ref": f"#/components/responses/{name}",
            "description": f"{text}: {', '.join(codes)}",
        }
    return responses


@cache
def openapi_document(server_url: str | None = None) -> dict[str, Any]:
    ops = operations()
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorBody, "serialization")]
    for op in ops:
        if op.body is not None:
            wanted.append((op.body, "validation"))
        wanted += [(model, "serialization") for model in _models(op.response)]
    refs, top = models_json_schema(list(dict.fromkeys(wanted)), ref_template=REF, schema_generator=_ComponentNames)
    error_schema = refs[(ErrorBody, "serialization")]

    paths: dict[str, dict[str, Any]] = {}
    for op in ops:
        operation: dict[str, Any] = {
            "operationId": operation_id(op),
            "summary": op.summary.splitlines()[0] if op.summary else op.name,
            "tags": [op.path.split("/")[1]],
        }
        if op.summary:
            operation["description"] = op.summary
        params: list[dict[str, Any]] = [
            {"name": p, "in": "path", "required": True, "schema": _path_schema(p)}
            for p in re.findall(r"{(\w+)}", op.path)
        ]
        if op.query is not None:
            params += _query_parameters(op.query)
        if op.idempotent:
            params.append(
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                    "description": "Retries with the same key take effect once and answer the same",
                }
            )
        if params:
            operation["parameters"] = params
        if op.body is not None:
            # A body whose fields are all optional may be left out: the glue reads a missing body as {}.
            operation["requestBody"] = {
                "required": body_required(op.body),
                "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
            }
        elif op.raw_body is not None:
            operation["requestBody"] = {"required": True, "content": {op.raw_body: {"schema": {"type": "string"}}}}
        ok: dict[str, Any] = {"description": "OK" if op.status != 204 else "No content"}
        if op.response is not None:
            ok["content"] = {"application/json": {"schema": _schema_of(op.response, refs, "serialization")}}
        operation["responses"] = {str(op.status): ok} | _error_responses(op)
        operation["x-error-codes"] = {str(status): codes for status, codes in op.error_codes().items()}
        if op.auth != "public":
            operation["security"] = [{"bearer": []}]
        if op.auth == "admin":
            operation["x-admin-only"] = True
            operation["summary"] += " (admin only)"
        paths.setdefault(op.path, {})[op.method.lower()] = operation

    tags = sorted(
        {op.path.split("/")[1] for op in ops},
        key=lambda t: (list(TAG_DESCRIPTIONS).index(t) if t in TAG_DESCRIPTIONS else 99, t),
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Momentum API",
            "version": "1.0.0",
            "description": "Coins, XP and skills for music producers: earn, spend, learn, train, study tracks.",
        },
        "servers": [{"url": server_url or "http://127.0.0.1:8000", "description": "This server"}],
        "tags": [{"name": t, "description": TAG_DESCRIPTIONS.get(t, t.capitalize())} for t in tags],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(top.get("$defs", {}).items())),
            "responses": {
                name: {"description": text, "content": {"application/json": {"schema": error_schema}}}
                for status, (name, text) in sorted(ERROR_RESPONSES.items())
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


__all__ = ["openapi_document", "operations"]
