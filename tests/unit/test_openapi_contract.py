"""The document says what the API does: optional bodies are optional, PATCH fields that refuse null are not
nullable, numeric ranges and the NUL rule are stated."""

from momentum.models import PatchModel
from momentum_infra.openapi import openapi_document, operations


def _resolve(document, schema):
    ref = schema.get("$ref")
    return document["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


def test_a_body_with_only_optional_fields_is_not_required():
    document = openapi_document()
    assert document["paths"]["/fitness/sessions"]["post"]["requestBody"]["required"] is False
    assert document["paths"]["/fitness/sessions/{session_id}/sets"]["post"]["requestBody"]["required"] is True


def test_patch_fields_that_refuse_null_are_not_nullable_in_the_document():
    document = openapi_document()
    checked = 0
    for op in operations():
        if op.method != "PATCH" or not (isinstance(op.body, type) and issubclass(op.body, PatchModel)):
            continue
        schema = _resolve(
            document, document["paths"][op.path]["patch"]["requestBody"]["content"]["application/json"]["schema"]
        )
        for name in op.body.not_null:
            prop = schema["properties"][name]
            assert "null" not in str(prop.get("anyOf", prop.get("type"))), (op.path, name, prop)
            checked += 1
    assert checked > 0


def test_weights_state_their_range():
    document = openapi_document()
    schema = _resolve(
        document,
        document["paths"]["/fitness/sessions/{session_id}/sets"]["post"]["requestBody"]["content"]["application/json"][
            "schema"
        ],
    )
    weight = next(o for o in schema["properties"]["weight"]["anyOf"] if o.get("type") == "number")
    assert (weight["minimum"], weight["maximum"]) == (0, 2000.0)
    assert "0.01" in weight["description"]
