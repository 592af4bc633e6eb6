"""Inventory: listing, using and refunding purchases, and the coin transaction history."""

import json

import pytest
from momentum import db

from tests.helpers import run_concurrently
from tests.integration.market.helpers import (
    assert_wallet_is_its_ledger,
    buy,
    coins,
    error_code,
    fund,
    make_item,
    post,
    stock,
)


@pytest.fixture()
def http(api):
    return api("market")


@pytest.fixture()
def shop(api):
    return api("purchase")


def bought(shop, user, item, quantity=1):
    response = buy(shop, user, item, quantity)
    assert response.status_code == 201, response.body
    return response.json_body["id"]


def use(http, user, purchase_id):
    return post(http, user, f"/market/purchases/{purchase_id}/use")


def refund(http, user, purchase_id, reason="changed my mind"):
    return post(http, user, f"/market/purchases/{purchase_id}/refund", {"reason": reason})


def test_a_consumable_is_used_one_use_at_a_time(http, shop, make_user, conn):
    user = make_user()
    fund(conn, user.id, 100)
    potion = make_item(conn, is_consumable=True, uses_per_purchase=2)
    purchase = bought(shop, user, potion)

    first, second, third = use(http, user, purchase), use(http, user, purchase), use(http, user, purchase)

    assert (first.json_body["uses_remaining"], first.json_body["status"]) == (1, "active")
    assert first.json_body["redeemed_at"] is not None
    assert (second.json_body["uses_remaining"], second.json_body["status"]) == (0, "used")
    assert (third.status_code, error_code(third)) == (409, "used_up")


def test_a_non_consumable_is_redeemed_once(http, shop, make_user, conn):
    user = make_user()
    fund(conn, user.id, 100)
    purchase = bought(shop, user, make_item(conn))

    first, again = use(http, user, purchase), use(http, user, purchase)

    assert (first.status_code, first.json_body["status"], first.json_body["uses_remaining"]) == (200, "used", None)
    assert first.json_body["redeemed_at"] is not None
    assert (again.status_code, error_code(again)) == (409, "already_redeemed")


def test_concurrent_uses_never_use_more_than_there_is(http, shop, make_user, conn, database_url):
    user = make_user()
    fund(conn, user.id, 100)
    purchase = bought(shop, user, make_item(conn, is_consumable=True, uses_per_purchase=3))

    responses = run_concurrently(lambda _: use(http, user, purchase), 10)

    assert sorted(r.status_code for r in responses) == [200] * 3 + [409] * 7
    with db.connect(database_url) as c:
        assert c.execute("SELECT uses_remaining, status FROM user_purchases WHERE id = %s", (purchase,)).fetchone() == (
            0,
            "used",
        )


def test_a_refund_restores_exactly_what_was_taken(http, shop, make_user, conn):
    # Given a user who bought 3 of a limited consumable
    user = make_user()
    fund(conn, user.id, 500)
    item = make_item(conn, cost_coins=45, is_consumable=True, total_stock=10)
    before = (coins(conn, user.id), stock(conn, item))
    purchase = bought(shop, user, item, quantity=3)
    conn.execute("UPDATE market_items SET cost_coins = 99 WHERE id = %s", (item,))  # a later price change

    # When they refund it
    response = refund(http, user, purchase, "wrong pack")

    # Then coins and stock are back to where they were, and the purchase says so
    assert response.status_code == 200
    body = response.json_body
    assert (body["status"], body["refund_reason"]) == ("refunded", "wrong pack")
    assert body["refunded_at"] is not None
    assert (coins(conn, user.id), stock(conn, item)) == before
    ledger = conn.execute(
        "SELECT event_type, coins FROM points_ledger WHERE user_id = %s AND event_id = %s ORDER BY coins",
        (user.id, purchase),
    ).fetchall()
    assert ledger == [("purchase", -135), ("refund", 135)]
    history = conn.execute(
        "SELECT transaction_type, coins_amount FROM market_transactions WHERE user_id = %s ORDER BY coins_amount",
        (user.id,),
    ).fetchall()
    assert history == [("purchase", -135), ("refund", 135)]
    assert_wallet_is_its_ledger(conn, user.id)
    # A refund takes back the spending; it is not an earning.
    wallet = conn.execute("SELECT total_earned, total_spent FROM user_wallet WHERE user_id = %s", (user.id,))
    assert wallet.fetchone() == (500, 0)


def test_a_refunded_item_can_be_bought_again(http, shop, make_user, conn):
    user = make_user()
    fund(conn, user.id, 100)
    avatar = make_item(conn)
    refund(http, user, bought(shop, user, avatar))
    assert buy(shop, user, avatar).status_code == 201


def test_refund_rules(http, shop, make_user, conn):
    user = make_user()
    fund(conn, user.id, 100)
    used = bought(shop, user, make_item(conn, is_consumable=True, uses_per_purchase=2))
    use(http, user, used)
    old = bought(shop, user, make_item(conn))
    conn.execute("UPDATE user_purchases SET purchased_at = now() - interval '24 hours 1 minute' WHERE id = %s", (old,))
    recent = bought(shop, user, make_item(conn))
    conn.execute(
        "UPDATE user_purchases SET purchased_at = now() - interval '23 hours 59 minutes' WHERE id = %s", (recent,)
    )
    balance = coins(conn, user.id)

    partly_used, too_late = refund(http, user, used), refund(http, user, old)
    in_time, twice = refund(http, user, recent), refund(http, user, recent)

    assert (partly_used.status_code, error_code(partly_used)) == (409, "already_used")
    assert (too_late.status_code, error_code(too_late)) == (409, "refund_window_closed")
    assert in_time.status_code == 200
    assert (twice.status_code, error_code(twice)) == (409, "already_refunded")
    assert coins(conn, user.id) == balance + 10


def test_an_admin_refunds_anyones_purchase_any_time(http, shop, make_user, conn):
    user, admin = make_user(), make_user(admin=True)
    fund(conn, user.id, 100)
    purchase = bought(shop, user, make_item(conn, cost_coins=60))
    conn.execute("UPDATE user_purchases SET purchased_at = now() - interval '30 days' WHERE id = %s", (purchase,))

    response = refund(http, admin, purchase, "support ticket 42")

    assert response.status_code == 200 and response.json_body["status"] == "refunded"
    assert coins(conn, user.id) == 100
    assert coins(conn, admin.id) == 0
    audit = conn.execute("SELECT user_id, action FROM audit_log WHERE resource_id = %s", (purchase,)).fetchall()
    assert audit == [(admin.id, "refund")]


def test_refund_needs_a_reason(http, shop, make_user, conn):
    user = make_user()
    fund(conn, user.id, 100)
    purchase = bought(shop, user, make_item(conn))
    for body in ({}, {"reason": ""}, {"reason": "x" * 501}):
        response = http.post(f"/market/purchases/{purchase}/refund", headers=user.headers, body=json.dumps(body))
        assert response.status_code == 422
    assert coins(conn, user.id) == 90


def test_a_refund_and_a_use_racing_for_one_purchase_cannot_both_win(http, shop, make_user, conn, database_url):
    for _ in range(5):
        user = make_user()
        fund(conn, user.id, 100)
        item = make_item(conn, cost_coins=30, is_consumable=True, total_stock=5)
        purchase = bought(shop, user, item)

        use_response, refund_response = run_concurrently(
            lambda i, p=purchase, u=user: use(http, u, p) if i == 0 else refund(http, u, p), 2
        )

        assert sorted([use_response.status_code, refund_response.status_code]) == [200, 409]
        with db.connect(database_url) as c:
            status, uses = c.execute(
                "SELECT status, uses_remaining FROM user_purchases WHERE id = %s", (purchase,)
            ).fetchone()
            if refund_response.status_code == 200:
                assert (status, uses, coins(c, user.id), stock(c, item)) == ("refunded", 1, 100, 5)
            else:
                assert (status, uses, coins(c, user.id), stock(c, item)) == ("used", 0, 70, 4)
            assert_wallet_is_its_ledger(c, user.id)


def test_concurrent_refunds_pay_back_once(http, shop, make_user, conn, database_url):
    user = make_user()
    fund(conn, user.id, 100)
    item = make_item(conn, cost_coins=40, total_stock=3)
    purchase = bought(shop, user, item)

    responses = run_concurrently(lambda _: refund(http, user, purchase), 20)

    assert sorted(r.status_code for r in responses) == [200] + [409] * 19
    with db.connect(database_url) as c:
        assert (coins(c, user.id), stock(c, item)) == (100, 3)


def test_purchases_list_newest_first_with_a_status_filter(http, shop, make_user, conn):
    user = make_user()
    fund(conn, user.id, 1000)
    ids = [bought(shop, user, make_item(conn)) for _ in range(5)]
    refund(http, user, ids[0])
    use(http, user, ids[1])

    seen, cursor = [], None
    while True:
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = http.get(f"/market/purchases?{query}", headers=user.headers).json_body
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    by_status = {
        s: [p["id"] for p in http.get(f"/market/purchases?status={s}", headers=user.headers).json_body["items"]]
        for s in ("active", "used", "refunded")
    }

    assert sorted(p["id"] for p in seen) == sorted(ids)
    assert [(p["purchased_at"], p["id"]) for p in seen] == sorted(
        ((p["purchased_at"], p["id"]) for p in seen), reverse=True
    )
    assert by_status == {"active": [i for i in reversed(ids) if i in ids[2:]], "used": [ids[1]], "refunded": [ids[0]]}
    assert http.get("/market/purchases?status=lost", headers=user.headers).status_code == 422


def test_transactions_are_the_callers_coin_history(http, shop, make_user, conn):
    user, other = make_user(), make_user()
    fund(conn, user.id, 100)
    fund(conn, other.id, 100)
    item = make_item(conn, name="Drum pack", cost_coins=20, is_consumable=True)
    purchase = bought(shop, user, item)
    bought(shop, user, item, quantity=2)
    refund(http, user, purchase)
    bought(shop, other, item)

    page = http.get("/market/transactions?limit=2", headers=user.headers).json_body
    rest = http.get(f"/market/transactions?cursor={page['next_cursor']}", headers=user.headers).json_body

    history = page["items"] + rest["items"]
    assert rest["next_cursor"] is None
    assert sorted((t["transaction_type"], t["coins_amount"]) for t in history) == [
        ("purchase", -40),
        ("purchase", -20),
        ("refund", 20),
    ]
    assert {t["item_name"] for t in history} == {"Drum pack"}
    assert [t["created_at"] for t in history] == sorted((t["created_at"] for t in history), reverse=True)
