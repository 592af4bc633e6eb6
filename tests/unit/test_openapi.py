"""The OpenAPI document's shape: one schema per model, referred to; one error schema and one response per status;
operation ids unique; every error code an operation declares is a known code with its status."""

from __future__ import annotations

import re

import pytest
from momentum.errors import ERROR_CODES
from momentum_infra.openapi import ERROR_RESPONSES, openapi_document, operations


@pytest.fixture(scope="module")
def document() -> dict:
    return openapi_document()


def _operations(document: dict):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def _is_reference(schema: dict) -> bool:
    if schema.get("type") == "array":
        return _is_reference(schema["items"])
    return set(schema) == {"$ref"}


def test_operation_ids_are_unique_and_read_as_method_names(document):
    ids = [operation["operationId"] for _, _, operation in _operations(document)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in ids)


def test_bodies_and_responses_refer_to_shared_schemas(document):
    schemas = document["components"]["schemas"]
    for path, method, operation in _operations(document):
        bodies = [operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")]
        bodies += [
            r.get("content", {}).get("application/json", {}).get("schema") for r in operation["responses"].values()
        ]
        for schema in filter(None, bodies):
            assert _is_reference(schema), (method, path, schema)
            name = re.sub(r".*/", "", (schema.get("items") or schema)["$ref"])
            assert name in schemas, (method, path, name)


def test_errors_are_one_schema_and_one_response_per_status(document):
    responses = document["components"]["responses"]
    assert {name for name, _ in ERROR_RESPONSES.values()} == set(responses)
    for response in responses.values():
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
    for path, method, operation in _operations(document):
        declared = operation["x-error-codes"]
        errors = {status: r for status, r in operation["responses"].items() if int(status) >= 400}
        assert set(errors) == set(declared), (method, path)
        for status, codes in declared.items():
            assert errors[status]["$ref"] == f"#/components/responses/{ERROR_RESPONSES[int(status)][0]}"
            assert all(ERROR_CODES[code] == int(status) for code in codes), (method, path, status, codes)


def test_the_shape_of_a_route_decides_the_glues_errors(document):
    by_id = {operation["operationId"]: operation for _, _, operation in _operations(document)}
    purchase = by_id["purchase"]["x-error-codes"]
    assert "insufficient_coins" in purchase["409"] and "not_found" in purchase["404"]
    assert "unauthorized" in purchase["401"] and "payload_too_large" in purchase["413"]
    assert "403" not in purchase  # not an admin route
    assert "forbidden" in by_id["grant"]["x-error-codes"]["403"] and by_id["grant"]["x-admin-only"]
    assert "401" not in by_id["request_magic_link"]["x-error-codes"]  # public


def test_every_operation_is_in_the_document(document):
    listed = {(path, method.upper()) for path, method, _ in _operations(document)}
    assert listed == {(op.path, op.method) for op in operations()}
    assert document["servers"] and document["tags"]


def test_a_body_is_required_only_when_the_model_refuses_an_empty_one(document):
    """The glue reads a missing body as {}: a body whose fields are all optional is optional, a PATCH (which must
    change something) or a body with a required field is required."""

    def required(method: str, path: str) -> bool:
        return document["paths"][path][method]["requestBody"]["required"]

    assert required("post", "/fitness/sessions") is False
    assert required("post", "/market/items/{item_id}/purchase") is False
    assert required("post", "/admin/users/{user_id}/grants") is True
    assert required("patch", "/me") is True
    assert required("post", "/auth/magic-link") is True
