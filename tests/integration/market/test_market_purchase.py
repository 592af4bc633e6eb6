"""Buying items through the purchase function: one transaction that never overspends, oversells or double-charges."""

import json
from datetime import UTC, datetime, timedelta

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
    stock,
)


@pytest.fixture()
def http(api):
    return api("purchase")


def test_a_purchase_charges_takes_stock_and_records_it(http, make_user, conn):
    user = make_user()
    fund(conn, user.id, 500)
    item = make_item(conn, name="Focus potion", cost_coins=40, is_consumable=True, uses_per_purchase=3, total_stock=10)

    response = buy(http, user, item, quantity=2)

    assert response.status_code == 201
    purchase = response.json_body
    assert (purchase["item_id"], purchase["item_name"]) == (str(item), "Focus potion")
    assert (purchase["cost_coins"], purchase["quantity"], purchase["uses_remaining"]) == (80, 2, 6)
    assert (purchase["status"], purchase["is_consumable"]) == ("active", True)
    assert coins(conn, user.id) == 420
    assert stock(conn, item) == 8
    ledger = conn.execute(
        "SELECT event_type, coins, event_id FROM points_ledger WHERE user_id = %s AND coins < 0", (user.id,)
    ).fetchall()
    assert [(t, c, str(e)) for t, c, e in ledger] == [("purchase", -80, purchase["id"])]
    transactions = conn.execute(
        "SELECT transaction_type, coins_amount, item_id FROM market_transactions WHERE user_id = %s", (user.id,)
    ).fetchall()
    assert transactions == [("purchase", -80, item)]
    assert_wallet_is_its_ledger(conn, user.id)


def test_quantity_defaults_to_one_and_unlimited_stock_stays_unlimited(http, make_user, conn):
    user = make_user()
    fund(conn, user.id, 100)
    item = make_item(conn, cost_coins=25, is_consumable=True)

    response = buy(http, user, item, quantity=None)

    assert response.status_code == 201
    assert (response.json_body["quantity"], response.json_body["uses_remaining"]) == (1, 1)
    assert stock(conn, item) is None
    assert coins(conn, user.id) == 75


def test_free_items_can_be_bought(http, make_user, conn):
    user = make_user()
    item = make_item(conn, cost_coins=0)
    response = buy(http, user, item)
    assert response.status_code == 201
    assert coins(conn, user.id) == 0


def test_insufficient_coins_is_409_and_changes_nothing(http, make_user, conn):
    user = make_user()
    fund(conn, user.id, 50)
    item = make_item(conn, cost_coins=30, is_consumable=True, total_stock=5)

    response = buy(http, user, item, quantity=2)

    assert response.status_code == 409
    assert error_code(response) == "insufficient_coins"
    assert response.json_body["error"]["details"] == {"needed": 60, "available": 50}
    assert (coins(conn, user.id), stock(conn, item)) == (50, 5)
    assert conn.execute("SELECT count(*) FROM user_purchases WHERE user_id = %s", (user.id,)).fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM market_transactions WHERE user_id = %s", (user.id,)).fetchone() == (0,)


def test_more_than_the_remaining_stock_is_out_of_stock(http, make_user, conn):
    user = make_user()
    fund(conn, user.id, 1000)
    item = make_item(conn, is_consumable=True, total_stock=3)

    too_many = buy(http, user, item, quantity=4)
    last_three = buy(http, user, item, quantity=3)
    one_more = buy(http, user, item)

    assert (too_many.status_code, error_code(too_many)) == (409, "out_of_stock")
    assert too_many.json_body["error"]["details"] == {"remaining_stock": 3, "requested": 4}
    assert last_three.status_code == 201
    assert (one_more.status_code, error_code(one_more)) == (409, "out_of_stock")
    assert stock(conn, item) == 0
    assert coins(conn, user.id) == 1000 - 30


@pytest.mark.parametrize(
    "window, purchasable",
    [
        ({"available_from": timedelta(seconds=-1)}, True),
        ({"available_from": timedelta(minutes=5)}, False),
        ({"available_until": timedelta(minutes=5)}, True),
        ({"available_until": timedelta(seconds=-1)}, False),
        ({"available_from": timedelta(hours=-1), "available_until": timedelta(hours=1)}, True),
    ],
    ids=["started-a-second-ago", "starts-in-5-minutes", "ends-in-5-minutes", "ended-a-second-ago", "inside"],
)
def test_availability_windows_at_their_edges(http, make_user, conn, window, purchasable):
    user = make_user()
    fund(conn, user.id, 100)
    now = datetime.now(UTC)
    item = make_item(conn, **{name: now + offset for name, offset in window.items()})

    response = buy(http, user, item)

    if purchasable:
        assert response.status_code == 201
    else:
        assert (response.status_code, error_code(response)) == (409, "not_available")
        assert coins(conn, user.id) == 100


def test_a_window_that_has_just_closed_refuses(http, make_user, conn):
    # available_until is exclusive: an item whose window ends at the purchase's own clock reading is closed.
    user = make_user()
    fund(conn, user.id, 100)
    item = make_item(conn)
    conn.execute("UPDATE market_items SET available_until = now() WHERE id = %s", (item,))
    response = buy(http, user, item)
    assert (response.status_code, error_code(response)) == (409, "not_available")
    assert response.json_body["error"]["details"]["reason"] == "no_longer_available"


def test_unavailable_sold_out_and_hidden_items(http, make_user, conn):
    user = make_user()
    fund(conn, user.id, 100)
    unavailable = make_item(conn, is_available=False)
    sold_out = make_item(conn, total_stock=0)
    inactive = make_item(conn, is_active=False)
    not_global = make_item(conn, is_global=False)

    assert error_code(buy(http, user, unavailable)) == "not_available"
    assert error_code(buy(http, user, sold_out)) == "out_of_stock"
    for hidden in (inactive, not_global):
        response = buy(http, user, hidden)
        assert (response.status_code, error_code(response)) == (404, "not_found")
    assert coins(conn, user.id) == 100


def test_unknown_item_is_404(http, make_user):
    import uuid

    response = buy(http, make_user(), uuid.uuid4())
    assert response.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"quantity": 0},
        {"quantity": -1},
        {"quantity": 100},
        {"quantity": "2"},
        {"quantity": 1.5},
        {"quantity": None},
        {"qty": 1},
    ],
)
def test_bad_quantities_are_422(http, make_user, conn, body):
    user = make_user()
    fund(conn, user.id, 100)
    item = make_item(conn, is_consumable=True)
    response = http.post(f"/market/items/{item}/purchase", headers=user.headers, body=json.dumps(body))
    assert response.status_code == 422
    assert coins(conn, user.id) == 100


def test_non_consumables_are_bought_once_one_at_a_time(http, make_user, conn):
    user = make_user()
    fund(conn, user.id, 100)
    avatar = make_item(conn, cost_coins=10)

    two = buy(http, user, avatar, quantity=2)
    first = buy(http, user, avatar)
    second = buy(http, user, avatar)

    assert (two.status_code, two.json_body["error"]["details"]) == (422, {"field": "quantity"})
    assert first.status_code == 201 and first.json_body["uses_remaining"] is None
    assert (second.status_code, error_code(second)) == (409, "already_owned")
    assert coins(conn, user.id) == 90


def test_concurrent_purchases_of_one_non_consumable_by_one_user_buy_it_once(http, make_user, database_url):
    user = make_user()
    with db.connect(database_url) as c:
        fund(c, user.id, 1000)
        avatar = make_item(c, cost_coins=100)

    responses = run_concurrently(lambda _: buy(http, user, avatar), 20)

    assert sorted(r.status_code for r in responses) == [201] + [409] * 19
    assert {error_code(r) for r in responses if r.status_code == 409} == {"already_owned"}
    with db.connect(database_url) as c:
        assert coins(c, user.id) == 900


def test_the_same_idempotency_key_buys_once_and_answers_the_same(http, make_user, conn):
    user = make_user()
    fund(conn, user.id, 100)
    item = make_item(conn, cost_coins=30, is_consumable=True, total_stock=5)

    first = buy(http, user, item, key="order-1")
    again = buy(http, user, item, key="order-1")
    other_key = buy(http, user, item, key="order-2")

    assert first.status_code == again.status_code == 201
    assert again.json_body == first.json_body
    assert other_key.json_body["id"] != first.json_body["id"]
    assert (coins(conn, user.id), stock(conn, item)) == (40, 3)


@pytest.mark.parametrize(
    "item_fields",
    [{"is_consumable": True, "total_stock": 1}, {"is_consumable": False}, {"is_consumable": True, "cost_coins": 100}],
    ids=["sold-out-by-it", "owned-by-it", "spent-all-coins-on-it"],
)
def test_a_replay_answers_the_same_whatever_the_first_attempt_changed(http, make_user, conn, item_fields):
    user = make_user()
    fund(conn, user.id, 100)
    item = make_item(conn, **item_fields)
    first = buy(http, user, item, key="once")
    again = buy(http, user, item, key="once")
    assert first.status_code == again.status_code == 201
    assert again.json_body == first.json_body
    assert conn.execute("SELECT count(*) FROM user_purchases WHERE user_id = %s", (user.id,)).fetchone() == (1,)


def test_an_idempotency_key_reused_for_another_purchase_is_409(http, make_user, conn):
    user = make_user()
    fund(conn, user.id, 100)
    item, other = make_item(conn, is_consumable=True), make_item(conn, is_consumable=True)
    first = buy(http, user, item, key="k")

    for response in (buy(http, user, item, quantity=2, key="k"), buy(http, user, other, key="k")):
        assert (response.status_code, error_code(response)) == (409, "idempotency_key_reused")
        assert response.json_body["error"]["details"] == {"purchase_id": first.json_body["id"]}
    assert coins(conn, user.id) == 90


def test_idempotency_keys_belong_to_one_user(http, make_user, conn):
    alice, bob = make_user(), make_user()
    fund(conn, alice.id, 100)
    fund(conn, bob.id, 100)
    item = make_item(conn, is_consumable=True)
    assert buy(http, alice, item, key="same").json_body["id"] != buy(http, bob, item, key="same").json_body["id"]
    assert coins(conn, alice.id) == coins(conn, bob.id) == 90


def test_fifty_concurrent_repeats_of_one_key_charge_once(http, make_user, database_url):
    user = make_user()
    with db.connect(database_url) as c:
        fund(c, user.id, 1000)
        item = make_item(c, cost_coins=70, is_consumable=True, total_stock=20)

    responses = run_concurrently(lambda _: buy(http, user, item, key="retry-storm"), 50)

    assert {r.status_code for r in responses} == {201}
    assert len({json.dumps(r.json_body, sort_keys=True) for r in responses}) == 1
    with db.connect(database_url) as c:
        assert (coins(c, user.id), stock(c, item)) == (930, 19)
        assert c.execute("SELECT count(*) FROM user_purchases WHERE user_id = %s", (user.id,)).fetchone() == (1,)
        assert_wallet_is_its_ledger(c, user.id)


@pytest.mark.parametrize("total_stock", [10, 60])
def test_two_hundred_concurrent_purchases_sell_exactly_what_stock_and_coins_allow(
    http, make_user, database_url, total_stock
):
    # Given 30 users with 0 to 3 units' worth of coins each, and an item with limited stock
    price = 100
    users = [make_user() for _ in range(30)]
    affordable = {u.id: i % 4 for i, u in enumerate(users)}
    with db.connect(database_url) as c:
        for user in users:
            if affordable[user.id]:
                fund(c, user.id, affordable[user.id] * price)
        item = make_item(c, cost_coins=price, is_consumable=True, total_stock=total_stock)
    attempts = {u.id: 0 for u in users}
    for i in range(200):
        attempts[users[i % 30].id] += 1

    # When 200 purchases arrive at once, 40 at a time (a multiple of the count: each wave starts together)
    responses = run_concurrently(lambda i: buy(http, users[i % 30], item), 200, workers=40)

    # Then exactly as many succeed as stock and coins allow, and every other one is a clean 409
    statuses = [r.status_code for r in responses]
    expected = min(total_stock, sum(min(attempts[u], affordable[u]) for u in affordable))
    assert statuses.count(201) == expected
    assert {error_code(r) for r in responses if r.status_code != 201} <= {"insufficient_coins", "out_of_stock"}
    assert set(statuses) <= {201, 409}
    with db.connect(database_url) as c:
        assert stock(c, item) == total_stock - expected >= 0
        sold = c.execute(
            "SELECT count(*), coalesce(sum(cost_coins), 0) FROM user_purchases WHERE item_id = %s", (item,)
        ).fetchone()
        assert sold == (expected, expected * price)
        for user in users:
            assert_wallet_is_its_ledger(c, user.id)
            bought = c.execute("SELECT count(*) FROM user_purchases WHERE user_id = %s", (user.id,)).fetchone()[0]
            assert coins(c, user.id) == (affordable[user.id] - bought) * price
            assert bought <= affordable[user.id]


def test_stock_can_never_go_negative_in_the_database(conn):
    import psycopg

    item = make_item(conn, total_stock=1)
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("UPDATE market_items SET remaining_stock = remaining_stock - 2 WHERE id = %s", (item,))


def test_a_purchase_that_completes_an_achievement_creates_its_reward(http, make_user, conn, purchase_achievement):
    user = make_user()
    fund(conn, user.id, 100)
    item = make_item(conn, is_consumable=True)

    buy(http, user, item)
    buy(http, user, item)

    earned = conn.execute("SELECT achievement_key FROM user_achievements WHERE user_id = %s", (user.id,)).fetchall()
    assert earned == [(purchase_achievement,)]
    rewards = conn.execute(
        "SELECT reward_type, coins_earned, xp_earned FROM user_rewards WHERE user_id = %s", (user.id,)
    ).fetchall()
    assert rewards == [("achievement", 0, 25)]


@pytest.fixture()
def purchase_achievement(conn):
    """A 'buy something' achievement for this test only (the session database has no seeded achievements)."""
    import uuid

    from psycopg.types.json import Jsonb

    key = f"first_purchase_{uuid.uuid4().hex[:8]}"
    conn.execute(
        "INSERT INTO achievement_definitions (key, name, category, trigger_type, trigger_config, reward_xp) "
        "VALUES (%s, 'Treat yourself', 'market', 'event', %s, 25)",
        (key, Jsonb({"event_type": "purchase", "count": 1})),
    )
    yield key
    conn.execute("DELETE FROM user_achievements WHERE achievement_key = %s", (key,))
    conn.execute("DELETE FROM achievement_definitions WHERE key = %s", (key,))
