"""Every route of template.yaml answers bad input with a 4xx JSON error, never a 500 and never a write."""

import importlib
import json
import re
import uuid

import pytest
from chalice.test import Client
from momentum_infra import template as tpl

ROUTES = tpl.api_routes()


def _operation(route):
    app = importlib.import_module(route.module).app
    return app, next(op for op in app.operations if op.path == route.path and op.method == route.method)


def _path(route, value=None):
    return re.sub(r"{\w+}", lambda _: str(value or uuid.uuid4()), route.path)


def _call(app, method, path, headers, body=None):
    with Client(app) as client:
        return client.http.request(method, path, headers=headers, body=body if body is not None else b"")


def assert_json_error(response, *statuses):
    assert response.status_code in statuses, (response.status_code, response.body[:300])
    assert set(json.loads(response.body)["error"]) == {"code", "message", "details"}


@pytest.fixture()
def caller(make_user):
    users = {}

    def headers_for(op):
        kind = "admin" if op.auth == "admin" else "user"
        users.setdefault(kind, make_user(admin=kind == "admin"))
        return users[kind].headers

    return headers_for


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if _operation(r)[1].auth != "public"], ids=lambda r: f"{r.method} {r.path}"
)
def test_no_token_is_401(route, database_url):
    app, op = _operation(route)
    assert_json_error(_call(app, route.method, _path(route), {"Content-Type": "application/json"}, b"{}"), 401)


# Path parameters named id or *_id are UUIDs; others (a setting key, a role name) are names checked by the view.
@pytest.mark.parametrize(
    "route", [r for r in ROUTES if re.search(r"{(\w+_)?id}", r.path)], ids=lambda r: f"{r.method} {r.path}"
)
def test_malformed_ids_are_404(route, caller):
    app, op = _operation(route)
    assert_json_error(_call(app, route.method, _path(route, "not-a-uuid"), caller(op), b"{}"), 404)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_bad_bodies_and_queries(route, caller):
    app, op = _operation(route)
    headers = caller(op)
    path = _path(route)
    # Unknown ids may legitimately answer 404 before the body is looked at; anything else must be the 4xx expected.
    if op.body is not None:
        cases = [
            (b"{", (400, 404)),
            (b"[]", (422, 404)),
            (b'"text"', (422, 404)),
            (json.dumps({"unexpected_field": 1}).encode(), (422, 404)),
            (json.dumps({name: {"wrong": ["type"]} for name in op.body.model_fields}).encode(), (422, 404)),
            (b'{"pad": "' + b"x" * (2 * 1024 * 1024) + b'"}', (413,)),
        ]
        for body, statuses in cases:
            assert_json_error(_call(app, route.method, path, headers, body), *statuses)
        plain = headers | {"Content-Type": "text/plain"}
        assert_json_error(_call(app, route.method, path, plain, b"{}"), 415, 404)
    if op.query is not None:
        assert_json_error(_call(app, route.method, path + "?no_such_parameter=1", headers), 422, 404)
