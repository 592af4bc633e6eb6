"""A user never reads or changes another user's purchases or rewards (404, not 403), and catalog and reward
administration is for admins only (403). Routes are taken from template.yaml, so a new route is covered too."""

import importlib
import json
import re

import pytest
from momentum_infra import template as tpl

from tests.integration.market.helpers import buy, coins, fund, make_item

MARKET_MODULES = {"functions.market.app", "functions.purchase.app", "functions.claim_reward.app"}
OWNED_ID_ROUTES = [
    r for r in tpl.api_routes() if r.module in MARKET_MODULES and re.search(r"{(purchase|reward)_id}", r.path)
]
ADMIN_ROUTES = [
    r
    for r in tpl.api_routes()
    if (r.module in MARKET_MODULES or r.path == "/admin/users/{user_id}/rewards")
    and any(
        op.auth == "admin" and (op.path, op.method) == (r.path, r.method)
        for op in importlib.import_module(r.module).app.operations
    )
]
BODIES = {"refund": {"reason": "mine now"}}

ISOLATED_ROUTES = {(r.method, r.path) for r in OWNED_ID_ROUTES}
# The catalog is the same for everyone: any user may read an item and buy it, only admins change it.
SHARED_ROUTES = {
    ("GET", "/market/items/{item_id}"),
    ("PATCH", "/market/items/{item_id}"),
    ("DELETE", "/market/items/{item_id}"),
    ("POST", "/market/items/{item_id}/purchase"),
}


def call(api, route, user, ids):
    path = re.sub(r"{(\w+)}", lambda m: str(ids[m.group(1)]), route.path)
    body = BODIES.get(route.path.rsplit("/", 1)[-1], {})
    http = api(route.module.split(".")[1])
    return http.request(route.method, path, headers=user.headers, body=json.dumps(body).encode())


def test_the_market_has_routes_taking_purchase_and_reward_ids():
    assert {r.path for r in OWNED_ID_ROUTES} == {
        "/market/purchases/{purchase_id}/use",
        "/market/purchases/{purchase_id}/refund",
        "/market/rewards/{reward_id}/claim",
    }


@pytest.mark.parametrize("route", OWNED_ID_ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_another_users_ids_are_404_and_change_nothing(api, make_user, conn, route):
    # Given Alice's purchase and reward
    alice, mallory = make_user(), make_user()
    fund(conn, alice.id, 100)
    purchase_id = buy(api("purchase"), alice, make_item(conn, cost_coins=40)).json_body["id"]
    reward_id = conn.execute(
        "INSERT INTO user_rewards (user_id, reward_type, coins_earned) VALUES (%s, 'quest', 500) RETURNING id",
        (alice.id,),
    ).fetchone()[0]
    state = (
        "SELECT p.status, p.redeemed_at, r.claimed FROM user_purchases p, user_rewards r WHERE p.id = %s AND r.id = %s"
    )
    before = conn.execute(state, (purchase_id, reward_id)).fetchone()

    # When Mallory uses their ids
    response = call(api, route, mallory, {"purchase_id": purchase_id, "reward_id": reward_id})

    # Then it is as if they did not exist
    assert response.status_code == 404
    assert response.json_body["error"]["code"] == "not_found"
    assert conn.execute(state, (purchase_id, reward_id)).fetchone() == before
    assert (coins(conn, alice.id), coins(conn, mallory.id)) == (60, 0)


def test_the_market_has_admin_routes():
    assert {(r.method, r.path) for r in ADMIN_ROUTES} == {
        ("POST", "/market/items"),
        ("PATCH", "/market/items/{item_id}"),
        ("DELETE", "/market/items/{item_id}"),
        ("POST", "/admin/users/{user_id}/rewards"),
    }


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_admin_routes_are_403_for_users(api, make_user, conn, route):
    user = make_user()
    item = make_item(conn)
    response = call(api, route, user, {"item_id": item, "user_id": user.id})
    assert response.status_code == 403
    assert response.json_body["error"]["code"] == "forbidden"
