"""Bad input that once reached PostgreSQL and answered 500: each is now a 4xx in the JSON error shape, with nothing
written. (Route-wide cases — NUL anywhere, the size limit, bodies on routes without one — are in test_bad_input.)"""

import json
import uuid

import psycopg
import pytest
from momentum import http as glue
from momentum.errors import InvalidInput
from momentum.pagination import encode_cursor

JSON = {"Content-Type": "application/json"}


def error_of(response):
    body = json.loads(response.body)
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def test_a_nul_in_the_sign_in_email_is_a_422_and_sends_nothing(api, conn):
    address = f"nul-{uuid.uuid4().hex[:8]}@example.com"
    response = api("auth").post("/auth/magic-link", headers=JSON, body=json.dumps({"email": address + "\u0000"}))
    assert response.status_code == 422
    assert error_of(response)["details"]["errors"][0]["type"] == "nul_character"
    rows = conn.execute("SELECT count(*) FROM verification_tokens WHERE identifier LIKE %s", (address + "%",))
    assert rows.fetchone() == (0,)


@pytest.mark.parametrize("weight", [1e-320, 1e-50, 0.001, 2000.5])
def test_weights_a_real_column_cannot_hold_or_no_one_lifts_are_refused(caller, bench_press, conn, weight):  # noqa: F811
    me = caller()
    session = me.start_session()
    status, body = me.request(
        "POST", f"/fitness/sessions/{session}/sets", {"exercise_id": bench_press, "reps": 5, "weight": weight}
    )
    assert status == 422, body
    assert body["error"]["details"]["errors"][0]["field"] == "weight"
    assert conn.execute("SELECT count(*) FROM exercise_sets WHERE session_id = %s", (session,)).fetchone() == (0,)


def test_zero_and_the_smallest_step_are_weights(caller, bench_press):  # noqa: F811
    me = caller()
    session = me.start_session()
    assert me.log(session, bench_press, reps=5, weight=0)["set"]["weight"] == 0
    assert me.log(session, bench_press, reps=5, weight=0.01)["set"]["weight"] == pytest.approx(0.01)


def test_integers_written_as_floats_are_integers(caller, bench_press):  # noqa: F811
    """JSON Schema counts 4.0 as an integer; a strict model must too (a fuzzer sends them)."""
    me = caller()
    session = me.start_session()
    assert me.log(session, bench_press, reps=4.0, weight=20.0)["set"]["reps"] == 4
    status, _ = me.request("POST", f"/fitness/sessions/{session}/sets", {"exercise_id": bench_press, "reps": 4.5})
    assert status == 422


def test_a_session_starts_without_a_body(caller):  # noqa: F811
    """The document marks the body optional (all its fields are), and a missing body is read as {}."""
    me = caller()
    status, body = me.request("POST", "/fitness/sessions", None, expect=201)
    assert body["id"]


@pytest.mark.parametrize("key", [[2**31, str(uuid.uuid4())], [-(2**31) - 1, str(uuid.uuid4())], [10**30, "x"]])
def test_a_cursor_overflowing_its_column_is_a_422(api, make_user, key):
    user = make_user()
    response = api("market").get(f"/market/items?cursor={encode_cursor(key)}", headers=user.headers)
    assert response.status_code == 422, response.body
    assert error_of(response)["details"] == {"field": "cursor"}


def test_a_cursor_holding_a_nul_is_a_422(api, make_user):
    user = make_user()
    cursor = encode_cursor(["a\u0000", str(uuid.uuid4())])
    response = api("fitness").get(f"/fitness/exercises?cursor={cursor}", headers=user.headers)
    assert response.status_code == 422, response.body


def test_a_data_error_that_reaches_the_database_is_a_422_not_a_500(database_url):
    """The safety net behind the models: a value PostgreSQL refuses (class 22) is the client's input."""
    with psycopg.connect(database_url) as connection, pytest.raises(psycopg.DataError) as raised:
        connection.execute("SELECT %s::real", (1e-50,))
    op = glue.Operation("/x", "POST", "x", "", "user", 200, None, None, None, False)
    mapped = glue._database_error(raised.value, op)
    assert isinstance(mapped, InvalidInput)
    assert mapped.status == 422


def test_a_deeply_nested_body_is_a_400(api, make_user):
    user = make_user()
    body = b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = api("fitness").post("/fitness/exercises", headers=user.headers, body=body)
    assert response.status_code == 400, response.body
    assert error_of(response)["code"] == "malformed_json"
