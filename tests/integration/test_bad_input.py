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


@pytest.mark.parametrize("route", [r for r in ROUTES if "{" in r.path], ids=lambda r: f"{r.method} {r.path}")
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


NUL = "a\u0000b"


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_nul_characters_are_refused_at_the_edge(route, caller):
    """PostgreSQL stores no NUL in text or JSONB: a NUL in any body field, nested value, query parameter or header
    is a 422 before the view runs (so nothing is written), never the 500 the database's refusal would give."""
    app, op = _operation(route)
    headers = caller(op)
    path = _path(route)
    if op.body is not None:
        for body in (
            {name: NUL for name in op.body.model_fields},
            {name: [{"nested": NUL}] for name in op.body.model_fields},
            {NUL: 1},
        ):
            response = _call(app, route.method, path, headers, json.dumps(body).encode())
            assert_json_error(response, 422, 404)
            if response.status_code == 422:
                assert json.loads(response.body)["error"]["details"]["errors"][0]["type"] == "nul_character"
    if op.query is not None:
        for name in op.query.model_fields:
            assert_json_error(_call(app, route.method, f"{path}?{name}=a%00b", headers), 422, 404)
    response = _call(app, route.method, path, headers | {"Idempotency-Key": NUL}, b"{}")
    assert_json_error(response, 422)
    assert json.loads(response.body)["error"]["details"] == {"field": "Idempotency-Key"}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_the_size_limit_holds_on_every_route_before_the_body_is_read(route, caller):
    app, op = _operation(route)
    headers = caller(op)
    path = _path(route)
    big = b'{"pad": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    assert_json_error(_call(app, route.method, path, headers, big), 413)
    # The declared length alone decides: a client announcing 100 MB is refused without its body being looked at.
    declared = headers | {"Content-Length": str(100 * 1024 * 1024)}
    assert_json_error(_call(app, route.method, path, declared, b"{}"), 413)


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if _operation(r)[1].body is None], ids=lambda r: f"{r.method} {r.path}"
)
def test_a_body_on_a_route_that_takes_none_is_refused(route, caller):
    app, op = _operation(route)
    response = _call(app, route.method, _path(route), caller(op), json.dumps({"amount": 1000}).encode())
    assert_json_error(response, 422)
    assert json.loads(response.body)["error"]["details"] == {"field": "body"}
