"""Every route of template.yaml answers bad input with its precise 4xx JSON error, never a 500, and writes nothing.

The HTTP glue checks the token, then the path ids, the query and the body, and only then calls the view: so a
well-formed id that names nothing still gets its body validated, and each bad body has exactly one right answer.
"""

import importlib
import json
import re
import uuid

import pytest
from chalice.test import Client
from momentum_infra import template as tpl
from psycopg import sql

ROUTES = tpl.api_routes()


def _operation(route):
    app = importlib.import_module(route.module).app
    return app, next(op for op in app.operations if op.path == route.path and op.method == route.method)


# Path parameters that are not ids take a name the route knows, so the body is what gets checked.
NAMED_PARAMETERS = {"key": "timezone", "day": "2026-01-05", "slot": "avatar"}


def _path(route, value=None):
    return re.sub(r"{(\w+)}", lambda m: str(value or NAMED_PARAMETERS.get(m.group(1)) or uuid.uuid4()), route.path)


def _call(app, method, path, headers, body=None):
    with Client(app) as client:
        return client.http.request(method, path, headers=headers, body=body if body is not None else b"")


def assert_json_error(response, status, code=None):
    assert response.status_code == status, (response.status_code, response.body[:300])
    error = json.loads(response.body)["error"]
    assert set(error) == {"code", "message", "details"}
    if code is not None:
        assert error["code"] == code, error


def row_counts(conn) -> dict[str, int]:
    """The number of rows of every table, in one statement."""
    tables = [name for (name,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    counts = sql.SQL(", ").join(
        sql.SQL("(SELECT count(*) FROM {})").format(sql.Identifier(name)) for name in sorted(tables)
    )
    return dict(zip(sorted(tables), conn.execute(sql.SQL("SELECT {}").format(counts)).fetchone(), strict=True))


@pytest.fixture()
def users(make_user):
    return {"user": make_user(), "admin": make_user(admin=True)}


@pytest.fixture()
def caller(users):
    """The headers of a user allowed on the operation: an admin for admin routes, a plain user otherwise."""
    return lambda op: users["admin" if op.auth == "admin" else "user"].headers


@pytest.fixture()
def unchanged(conn, users):
    """Asserts, after the test, that no table gained or lost a row (the suite runs one test at a time)."""
    before = row_counts(conn)
    yield
    after = row_counts(conn)
    assert {t: (before[t], n) for t, n in after.items() if before.get(t) != n} == {}


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if _operation(r)[1].auth != "public"], ids=lambda r: f"{r.method} {r.path}"
)
def test_no_token_is_401(route, unchanged):
    app, _ = _operation(route)
    response = _call(app, route.method, _path(route), {"Content-Type": "application/json"}, b"{}")
    assert_json_error(response, 401, "unauthorized")


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if _operation(r)[1].auth == "admin"], ids=lambda r: f"{r.method} {r.path}"
)
def test_admin_routes_are_403_for_a_signed_in_user(route, users, unchanged):
    app, _ = _operation(route)
    response = _call(app, route.method, _path(route), users["user"].headers, b"{}")
    assert_json_error(response, 403, "forbidden")


def test_there_are_admin_routes():
    assert len([r for r in ROUTES if _operation(r)[1].auth == "admin"]) >= 4


# Path parameters named id or *_id are UUIDs; others (a setting key, a role name) are names checked by the view.
@pytest.mark.parametrize(
    "route", [r for r in ROUTES if re.search(r"{(\w+_)?id}", r.path)], ids=lambda r: f"{r.method} {r.path}"
)
def test_malformed_ids_are_404(route, caller, unchanged):
    app, op = _operation(route)
    assert_json_error(_call(app, route.method, _path(route, "not-a-uuid"), caller(op), b"{}"), 404, "not_found")


def bad_bodies(model):
    """(body, status, error code) for a route whose body is ``model``."""
    cases = [
        (b"{", 400, "malformed_json"),
        (b"[]", 422, "invalid_input"),
        (b'"text"', 422, "invalid_input"),
        (json.dumps({"unexpected_field": 1}).encode(), 422, "invalid_input"),
        (b'{"pad": "' + b"x" * (2 * 1024 * 1024) + b'"}', 413, "payload_too_large"),
    ]
    if model.model_fields:
        # A value no field of ours takes: a list of lists of objects (not a string, number, object or list of those).
        wrong_types = {name: [[{"wrong": "type"}]] for name in model.model_fields}
        cases.append((json.dumps(wrong_types).encode(), 422, "invalid_input"))
    return cases


@pytest.mark.parametrize("route", [r for r in ROUTES if _operation(r)[1].body], ids=lambda r: f"{r.method} {r.path}")
def test_bad_bodies(route, caller, unchanged):
    app, op = _operation(route)
    headers = caller(op)
    path = _path(route)
    for body, status, code in bad_bodies(op.body):
        assert_json_error(_call(app, route.method, path, headers, body), status, code)
    plain = headers | {"Content-Type": "text/plain"}
    assert_json_error(_call(app, route.method, path, plain, b"{}"), 415, "unsupported_media_type")


@pytest.mark.parametrize("route", [r for r in ROUTES if _operation(r)[1].query], ids=lambda r: f"{r.method} {r.path}")
def test_unknown_query_parameters_are_422(route, caller, unchanged):
    app, op = _operation(route)
    assert_json_error(_call(app, route.method, _path(route) + "?no_such_parameter=1", caller(op)), 422, "invalid_input")


def test_the_write_check_sees_a_write(conn, make_user):
    """``unchanged`` would notice: creating a user changes the row counts it compares."""
    before = row_counts(conn)
    make_user()
    assert row_counts(conn) != before


NUL = "a\u0000b"


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_nul_characters_are_refused_at_the_edge(route, caller, unchanged):
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
            assert_json_error(response, 422, "invalid_input")
            assert json.loads(response.body)["error"]["details"]["errors"][0]["type"] == "nul_character"
    if op.query is not None:
        for name in op.query.model_fields:
            assert_json_error(_call(app, route.method, f"{path}?{name}=a%00b", headers), 422, "invalid_input")
    response = _call(app, route.method, path, headers | {"Idempotency-Key": NUL}, b"{}")
    assert_json_error(response, 422)
    assert json.loads(response.body)["error"]["details"] == {"field": "Idempotency-Key"}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_the_size_limit_holds_on_every_route_before_the_body_is_read(route, caller, unchanged):
    app, op = _operation(route)
    headers = caller(op)
    path = _path(route)
    big = b'{"pad": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    assert_json_error(_call(app, route.method, path, headers, big), 413, "payload_too_large")
    # The declared length alone decides: a client announcing 100 MB is refused without its body being looked at.
    declared = headers | {"Content-Length": str(100 * 1024 * 1024)}
    assert_json_error(_call(app, route.method, path, declared, b"{}"), 413, "payload_too_large")


@pytest.mark.parametrize(
    "route",
    [r for r in ROUTES if _operation(r)[1].body is None and _operation(r)[1].raw_body is None],
    ids=lambda r: f"{r.method} {r.path}",
)
def test_a_body_on_a_route_that_takes_none_is_refused(route, caller, unchanged):
    app, op = _operation(route)
    response = _call(app, route.method, _path(route), caller(op), json.dumps({"amount": 1000}).encode())
    assert_json_error(response, 422)
    assert json.loads(response.body)["error"]["details"] == {"field": "body"}
