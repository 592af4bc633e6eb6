"""A route's read (``read=``): sent with the token check in one round trip, handed to the view as ``ctx.read``.

The token decides first (401, then 403 for admin routes) whatever the read found or failed with, a read that names
the caller through ``auth.CALLER`` finds only the caller's rows, and the two statements cost one round trip.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from chalice.test import Client
from momentum.auth import CALLER
from momentum.http import Context, MomentumApp

from tests.integration.test_round_trips import round_trips

app = MomentumApp("read-test")

# A person's own user row only: another person's id finds nothing.
READ_PERSON = f"""
SELECT u.id::text, u.email, %(idempotency_key)s::text AS key FROM users u
WHERE u.id = %(user_id)s AND u.id = {CALLER}
"""


@app.route("/people/{user_id}", ["POST"], read=READ_PERSON)
def person(ctx: Context, user_id: uuid.UUID) -> Any:
    return {"read": ctx.read, "caller": str(ctx.user.id)}


@app.route("/admin/people/{user_id}", ["POST"], auth="admin", read=READ_PERSON)
def admin_person(ctx: Context, user_id: uuid.UUID) -> Any:
    return {"read": ctx.read}


@app.route("/broken/{user_id}", ["POST"], read="SELECT * FROM no_such_table WHERE id = %(user_id)s")
def broken(ctx: Context, user_id: uuid.UUID) -> Any:
    return {"read": ctx.read}


@app.route("/plain", ["POST"])
def plain(ctx: Context) -> Any:
    return {"read": ctx.read}


@pytest.fixture()
def http(database_url):
    with Client(app) as client:
        yield client.http


def post(http, path: str, headers: dict[str, str]) -> tuple[int, Any]:
    response = http.post(path, headers=headers, body=b"")
    return response.status_code, json.loads(response.body) if response.body else None


def test_the_read_comes_with_the_caller_in_one_round_trip(http, make_user):
    me = make_user()

    found: list[tuple[int, Any]] = []
    trips = round_trips(lambda: found.append(post(http, f"/people/{me.id}", me.headers | {"Idempotency-Key": "k-1"})))

    assert found == [(200, {"read": {"id": str(me.id), "email": me.email, "key": "k-1"}, "caller": str(me.id)})]
    assert trips == 1


def test_another_persons_row_is_not_read(http, make_user):
    me, other = make_user(), make_user()
    assert post(http, f"/people/{other.id}", me.headers) == (200, {"read": None, "caller": str(me.id)})


def test_the_token_decides_before_the_read(http, make_user):
    me, admin = make_user(), make_user(admin=True)
    stranger = {"Authorization": "Bearer not-a-token"}

    assert post(http, f"/people/{me.id}", {})[0] == 401
    status, error = post(http, f"/people/{me.id}", stranger)
    assert (status, error["error"]["code"]) == (401, "invalid_token")
    # A read that fails does not change what a bad token gets; a good token gets the failure.
    assert post(http, f"/broken/{me.id}", stranger)[0] == 401
    assert post(http, f"/broken/{me.id}", me.headers) == (
        500,
        {"error": {"code": "internal", "message": "Internal error", "details": {}}},
    )
    # An admin route's read is the admin's to see only.
    status, error = post(http, f"/admin/people/{me.id}", me.headers)
    assert (status, error["error"]["code"]) == (403, "forbidden")
    assert post(http, f"/admin/people/{admin.id}", admin.headers)[1]["read"]["id"] == str(admin.id)
    # The connection is usable after a failed read.
    assert post(http, f"/people/{me.id}", me.headers)[0] == 200


def test_a_malformed_id_is_404_after_the_token_check(http, make_user):
    me = make_user()
    assert post(http, "/people/not-a-uuid", {"Authorization": "Bearer not-a-token"})[0] == 401
    status, error = post(http, "/people/not-a-uuid", me.headers)
    assert (status, error["error"]["code"]) == (404, "not_found")


def test_a_route_without_a_read_has_none_to_give(http, make_user):
    me = make_user()
    assert post(http, "/plain", me.headers)[0] == 500  # ctx.read on such a route is a bug of the view


def test_a_public_route_cannot_declare_a_read():
    with pytest.raises(ValueError, match="signed-in caller"):
        app.route("/public/{user_id}", ["POST"], auth="public", read=READ_PERSON)
