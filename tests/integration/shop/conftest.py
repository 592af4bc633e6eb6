from __future__ import annotations

import uuid

import pytest

from tests.integration.daily_support import Caller


@pytest.fixture()
def caller(api, make_user):
    return lambda admin=False: Caller(api, make_user(admin=admin))


@pytest.fixture()
def shopper(caller, conn):
    """A user with coins, who can buy and use an item by its key (the seeded keys make an item take effect)."""

    class Shopper(Caller):
        def buy(self, key: str, category: str = "boost", consumable: bool = True) -> str:
            item = conn.execute(
                """INSERT INTO market_items (key, name, category, cost_coins, is_consumable, uses_per_purchase)
                   VALUES (%s, %s, %s, 10, %s, %s)
                   ON CONFLICT (key) DO UPDATE SET is_active = true, is_available = true
                   RETURNING id""",
                (key, key.replace("_", " ").title(), category, consumable, 1 if consumable else None),
            ).fetchone()[0]
            status, purchase = self.request(
                "POST",
                f"/market/items/{item}/purchase",
                {"quantity": 1},
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
            assert status in (200, 201), purchase
            return purchase["id"]

        def use(self, purchase_id: str) -> dict:
            return self.post(f"/market/purchases/{purchase_id}/use", {}, expect=200)

    def make() -> Shopper:
        base = caller()
        user = Shopper(base._api, base.user)
        conn.execute(
            "SELECT award_points(%s, 'grant', %s, 1000, 0, p_reason => 'test coins')", (user.id, str(uuid.uuid4()))
        )
        return user

    return make
