"""The catalog: shoppers browse what is active, admins maintain it."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.market.helpers import buy, error_code, fund, make_item, new_category


@pytest.fixture()
def http(api):
    return api("market")


def items(http, user, query=""):
    response = http.get(f"/market/items?{query}", headers=user.headers)
    assert response.status_code == 200, response.body
    return response.json_body


def all_pages(http, user, query, limit=2):
    seen, cursor = [], None
    while True:
        page = items(http, user, f"{query}&limit={limit}" + (f"&cursor={cursor}" if cursor else ""))
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return seen


def test_listing_is_in_shop_order_across_pages(http, make_user, conn):
    user, category = make_user(), new_category()
    made = [make_item(conn, category=category, sort_order=order, name=f"n{order}") for order in (5, 1, 3, 1, 2)]

    listed = all_pages(http, user, f"category={category}")

    assert sorted(i["id"] for i in listed) == sorted(map(str, made))
    assert [(i["sort_order"], i["id"]) for i in listed] == sorted((i["sort_order"], i["id"]) for i in listed)


def test_filters_by_rarity_and_purchasable_now(http, make_user, conn):
    user, category = make_user(), new_category()
    now = datetime.now(UTC)
    on_sale = make_item(conn, category=category, rarity="epic")
    common = make_item(conn, category=category, rarity="common")
    sold_out = make_item(conn, category=category, rarity="epic", total_stock=0)
    later = make_item(conn, category=category, rarity="epic", available_from=now + timedelta(days=1))
    ended = make_item(conn, category=category, available_until=now - timedelta(seconds=1))
    paused = make_item(conn, category=category, is_available=False)
    make_item(conn, category=category, is_active=False)
    make_item(conn, category=category, is_global=False)

    def ids(query):
        return {i["id"] for i in items(http, user, f"category={category}&{query}")["items"]}

    assert ids("rarity=epic") == {str(on_sale), str(sold_out), str(later)}
    assert ids("purchasable=true") == {str(on_sale), str(common)}
    assert ids("purchasable=false") == {str(sold_out), str(later), str(ended), str(paused)}
    assert ids("purchasable=true&rarity=epic") == {str(on_sale)}
    reasons = {i["id"]: i["unavailable_reason"] for i in items(http, user, f"category={category}")["items"]}
    assert reasons == {
        str(on_sale): None,
        str(common): None,
        str(sold_out): "out_of_stock",
        str(later): "not_yet_available",
        str(ended): "no_longer_available",
        str(paused): "unavailable",
    }


def test_unlimited_stock_is_purchasable(http, make_user, conn):
    user = make_user()
    item = make_item(conn, total_stock=None)
    body = http.get(f"/market/items/{item}", headers=user.headers).json_body
    assert (body["remaining_stock"], body["purchasable"]) == (None, True)


def test_owned_marks_what_the_caller_holds(http, api, make_user, conn):
    user, category = make_user(), new_category()
    fund(conn, user.id, 100)
    avatar = make_item(conn, category=category)
    potion = make_item(conn, category=category, is_consumable=True)
    buy(api("purchase"), user, avatar)

    owned = {i["id"]: i["owned"] for i in items(http, user, f"category={category}")["items"]}
    others_view = {i["id"]: i["owned"] for i in items(http, make_user(), f"category={category}")["items"]}

    assert owned == {str(avatar): True, str(potion): False}
    assert others_view == {str(avatar): False, str(potion): False}


def test_hidden_items_are_404_for_shoppers_and_visible_to_admins(http, make_user, conn):
    user, admin, category = make_user(), make_user(admin=True), new_category()
    inactive = make_item(conn, category=category, is_active=False)

    assert http.get(f"/market/items/{inactive}", headers=user.headers).status_code == 404
    assert http.get(f"/market/items/{inactive}", headers=admin.headers).json_body["is_active"] is False
    assert items(http, admin, f"category={category}")["items"] == []
    assert [i["id"] for i in items(http, admin, f"category={category}&include_inactive=true")["items"]] == [
        str(inactive)
    ]
    response = http.get(f"/market/items?category={category}&include_inactive=true", headers=user.headers)
    assert response.status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        "rarity=mythic",
        "purchasable=maybe",
        "limit=0",
        "limit=101",
        "category=Bad Cat",
        "cursor=%%%",
        "cursor=WyJ4Il0",
        "cursor=WyJ4IiwgInkiXQ",
        "colour=red",
    ],
)
def test_bad_queries_are_422(http, make_user, query):
    # WyJ4Il0 and WyJ4IiwgInkiXQ are well-formed cursors holding ["x"] and ["x", "y"]: not a sort key.
    response = http.get(f"/market/items?{query}", headers=make_user().headers)
    assert response.status_code == 422, response.body


def create(http, admin, **fields):
    body = {"name": "Neon theme", "category": new_category(), "cost_coins": 300} | fields
    return http.post("/market/items", headers=admin.headers, body=json.dumps(body))


def test_admin_creates_an_item_with_full_stock(http, make_user, conn):
    admin = make_user(admin=True)
    start = datetime(2030, 1, 1, tzinfo=UTC)

    response = create(
        http,
        admin,
        key=f"neon-{uuid.uuid4().hex[:6]}",
        rarity="epic",
        total_stock=25,
        available_from=start.isoformat(),
        available_until=(start + timedelta(days=7)).isoformat(),
    )

    assert response.status_code == 201
    item = response.json_body
    assert (item["total_stock"], item["remaining_stock"], item["rarity"]) == (25, 25, "epic")
    assert (item["purchasable"], item["unavailable_reason"]) == (False, "not_yet_available")
    creator = conn.execute("SELECT created_by_user_id FROM market_items WHERE id = %s", (item["id"],)).fetchone()
    assert creator == (admin.id,)
    audit = conn.execute("SELECT action FROM audit_log WHERE resource_id = %s", (item["id"],)).fetchall()
    assert audit == [("create_item",)]


@pytest.mark.parametrize(
    "fields",
    [
        {"cost_coins": -1},
        {"cost_coins": 10_000_001},
        {"rarity": "mythic"},
        {"total_stock": -5},
        {"total_stock": 5, "remaining_stock": 6},
        {"remaining_stock": 3},
        {"available_from": "2030-01-02T00:00:00Z", "available_until": "2030-01-01T00:00:00Z"},
        {"available_from": "2030-01-01T00:00:00Z", "available_until": "2030-01-01T00:00:00Z"},
        {"available_from": "2030-01-01T00:00:00"},
        {"name": ""},
        {"category": "Not A Slug"},
        {"key": "Bad Key!"},
        {"uses_per_purchase": 0},
        {"icon_url": "javascript:alert(1)"},
        {"cost_coins": "300"},
        {"is_active": "yes"},
    ],
    ids=str,
)
def test_invalid_items_are_422_and_not_created(http, make_user, conn, fields):
    admin, category = make_user(admin=True), new_category()
    response = create(http, admin, category=fields.pop("category", category), **fields)
    assert response.status_code == 422, response.body
    assert conn.execute("SELECT count(*) FROM market_items WHERE category = %s", (category,)).fetchone() == (0,)


def test_a_taken_key_is_409(http, make_user):
    admin, key = make_user(admin=True), f"dup-{uuid.uuid4().hex[:6]}"
    assert create(http, admin, key=key).status_code == 201
    response = create(http, admin, key=key)
    assert (response.status_code, error_code(response)) == (409, "item_key_taken")


def patch(http, admin, item_id, body):
    return http.patch(f"/market/items/{item_id}", headers=admin.headers, body=json.dumps(body))


def test_admin_patches_only_what_it_names(http, make_user, conn):
    admin = make_user(admin=True)
    item = make_item(conn, name="Old", cost_coins=10, description="kept")

    response = patch(http, admin, item, {"name": "New", "cost_coins": 15, "rarity": "rare"})

    assert response.status_code == 200
    body = response.json_body
    assert (body["name"], body["cost_coins"], body["rarity"], body["description"]) == ("New", 15, "rare", "kept")


def test_patching_stock(http, make_user, conn):
    admin = make_user(admin=True)
    item = make_item(conn)

    limited = patch(http, admin, item, {"total_stock": 10}).json_body
    lowered = patch(http, admin, item, {"remaining_stock": 4}).json_body
    too_few = patch(http, admin, item, {"total_stock": 3})
    unlimited = patch(http, admin, item, {"total_stock": None}).json_body

    assert (limited["total_stock"], limited["remaining_stock"]) == (10, 10)
    assert (lowered["total_stock"], lowered["remaining_stock"]) == (10, 4)
    assert too_few.status_code == 422
    assert too_few.json_body["error"]["details"]["errors"][0]["field"] == "remaining_stock"
    assert (unlimited["total_stock"], unlimited["remaining_stock"]) == (None, None)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": None},
        {"cost_coins": None},
        {"rarity": "mythic"},
        {"available_until": "2000-01-01T00:00:00Z", "available_from": "2001-01-01T00:00:00Z"},
        {"surprise": 1},
    ],
)
def test_invalid_patches_are_422_and_change_nothing(http, make_user, conn, body):
    admin = make_user(admin=True)
    item = make_item(conn, name="Same")
    assert patch(http, admin, item, body).status_code == 422
    assert conn.execute("SELECT name FROM market_items WHERE id = %s", (item,)).fetchone() == ("Same",)


def test_a_patch_that_breaks_the_window_with_the_stored_bound_is_422(http, make_user, conn):
    admin = make_user(admin=True)
    item = make_item(conn, available_until=datetime(2030, 1, 1, tzinfo=UTC))
    response = patch(http, admin, item, {"available_from": "2031-01-01T00:00:00Z"})
    assert response.status_code == 422


def test_delete_deactivates(http, api, make_user, conn):
    admin, user = make_user(admin=True), make_user()
    fund(conn, user.id, 100)
    item = make_item(conn)

    first = http.delete(f"/market/items/{item}", headers=admin.headers)
    again = http.delete(f"/market/items/{item}", headers=admin.headers)

    assert first.status_code == again.status_code == 204
    assert conn.execute("SELECT is_active FROM market_items WHERE id = %s", (item,)).fetchone() == (False,)
    assert http.get(f"/market/items/{item}", headers=user.headers).status_code == 404
    assert buy(api("purchase"), user, item).status_code == 404


def test_unknown_items_are_404_for_admins_too(http, make_user):
    admin, unknown = make_user(admin=True), uuid.uuid4()
    assert http.get(f"/market/items/{unknown}", headers=admin.headers).status_code == 404
    assert patch(http, admin, unknown, {"name": "x"}).status_code == 404
    assert http.delete(f"/market/items/{unknown}", headers=admin.headers).status_code == 404


def test_catalog_changes_need_the_admin_role(http, make_user, conn):
    user, item = make_user(), make_item(conn, name="Untouched")
    responses = [
        create(http, user),
        patch(http, user, item, {"name": "Mine"}),
        http.delete(f"/market/items/{item}", headers=user.headers),
    ]
    assert [r.status_code for r in responses] == [403, 403, 403]
    assert conn.execute("SELECT name, is_active FROM market_items WHERE id = %s", (item,)).fetchone() == (
        "Untouched",
        True,
    )
