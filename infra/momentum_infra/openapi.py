"""The OpenAPI 3.1 document, generated from the route table (each app's operations) and the pydantic models."""

from __future__ import annotations

import importlib
import re
from functools import cache
from typing import Any

from momentum.models import ErrorBody
from pydantic import TypeAdapter

from momentum_infra import template as tpl

REF = "#/components/schemas/{model}"
_ERROR_STATUSES = {
    "400": "Bad request",
    "401": "Missing or invalid token",
    "403": "Not allowed",
    "404": "Not found",
    "409": "Conflict with the current state",
    "413": "Too large",
    "410": "Gone (expired)",
    "415": "Unsupported media type",
    "422": "Invalid input",
    "429": "Too many requests",
    "503": "Temporarily unavailable, retry",
}


def _schema(tp: Any, mode: str, components: dict) -> dict:
    schema = TypeAdapter(tp).json_schema(ref_template=REF, mode=mode)
    components.update(schema.pop("$defs", {}))
    return schema


def _path_schema(name: str) -> dict:
    """Ids are UUIDs (the HTTP glue parses them so); other path parameters (a setting key, a role) are names."""
    if name == "id" or name.endswith("_id"):
        return {"type": "string", "format": "uuid"}
    return {"type": "string", "maxLength": 100}


def _query_parameters(model: Any) -> list[dict]:
    schema = model.model_json_schema(mode="validation")
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def operations() -> list:
    """Every operation of every function in template.yaml."""
    ops = []
    for route_module in sorted({r.module for r in tpl.api_routes()}):
        ops.extend(importlib.import_module(route_module).app.operations)
    return ops


@cache
def openapi_document() -> dict:
    components: dict[str, Any] = {}
    paths: dict[str, dict] = {}
    error = {
        "description": "Error",
        "content": {"application/json": {"schema": _schema(ErrorBody, "serialization", components)}},
    }
    for op in operations():
        operation: dict[str, Any] = {"operationId": op.name, "summary": op.summary, "tags": [op.path.split("/")[1]]}
        params = [
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
                    "schema": {"type": "string", "maxLength": 200},
                    "description": "Retries with the same key take effect once and answer the same",
                }
            )
        if params:
            operation["parameters"] = params
        if op.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _schema(op.body, "validation", components)}},
            }
        ok: dict[str, Any] = {"description": "OK"}
        if op.response is not None:
            ok["content"] = {"application/json": {"schema": _schema(op.response, "serialization", components)}}
        operation["responses"] = {str(op.status): ok} | {
            code: error | {"description": text} for code, text in _ERROR_STATUSES.items()
        }
        if op.auth != "public":
            operation["security"] = [{"bearer": []}]
        paths.setdefault(op.path, {})[op.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Momentum API",
            "version": "1.0.0",
            "description": "Coins, XP and skills for music producers: earn, spend, learn, train, study tracks.",
        },
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": components, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }
