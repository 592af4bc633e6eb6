"""One PATCH contract for every PATCH route (momentum.models.PatchModel): an empty PATCH and a required field
sent as null get the same answer everywhere, before any lookup or write."""

import importlib
import json
import re
import uuid

import pytest
from chalice.test import Client
from momentum.models import PatchModel
from momentum_infra import template as tpl

PATCH_ROUTES = [r for r in tpl.api_routes() if r.method == "PATCH"]


def _operation(route):
    app = importlib.import_module(route.module).app
    return app, next(op for op in app.operations if op.path == route.path and op.method == route.method)


def _patch(route, make_user, body):
    app, op = _operation(route)
    user = make_user(admin=op.auth == "admin")
    path = re.sub(r"{\w+}", lambda _: str(uuid.uuid4()), route.path)  # the body is checked before any lookup
    with Client(app) as client:
        response = client.http.request(
            "PATCH", path, headers=user.headers | {"Content-Type": "application/json"}, body=json.dumps(body).encode()
        )
    return response.status_code, json.loads(response.body)


def test_every_patch_route_takes_a_patch_model():
    assert PATCH_ROUTES
    for route in PATCH_ROUTES:
        assert issubclass(_operation(route)[1].body, PatchModel), route


@pytest.mark.parametrize("route", PATCH_ROUTES, ids=lambda r: r.path)
def test_an_empty_patch_is_refused(route, make_user):
    status, body = _patch(route, make_user, {})
    assert (status, body["error"]["code"]) == (422, "invalid_input")
    assert body["error"]["details"]["errors"] == [
        {"field": "", "message": "Send at least one field to change", "type": "empty_patch"}
    ]


@pytest.mark.parametrize(
    "route, field",
    [(r, f) for r in PATCH_ROUTES for f in sorted(_operation(r)[1].body.not_null)],
    ids=lambda v: v if isinstance(v, str) else v.path,
)
def test_a_required_field_sent_as_null_is_refused(route, field, make_user):
    status, body = _patch(route, make_user, {field: None})
    assert (status, body["error"]["code"]) == (422, "invalid_input")
    assert body["error"]["details"]["errors"] == [
        {"field": field, "message": f"{field} cannot be null", "type": "null_not_allowed"}
    ]
