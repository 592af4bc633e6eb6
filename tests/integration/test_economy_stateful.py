"""A stateful property test of the economy: random purchases (alone, retried with their key, and in concurrent
bursts), refunds, uses, grants, rewards and their claims (concurrent too) and daily rewards across users, through
the real handlers. After every step the books balance: each wallet is the sum of its ledger and never negative, and
each item's stock is never negative, never oversold, and accounts for every unit sold."""

from __future__ import annotations

import json
import uuid
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from momentum import db

from tests.helpers import run_concurrently
from tests.integration.market.helpers import fund, make_item

USERS = 3


class Economy(RuleBasedStateMachine):
    # Set by the test below: pytest fixtures cannot reach a state machine any other way.
    api: Any
    make_user: Any
    database_url: str

    def __init__(self) -> None:
        super().__init__()
        self.market = self.api("market")
        self.purchase_http = self.api("purchase")
        self.claim_http = self.api("claim_reward")
        self.admin_http = self.api("admin")
        self.purchases: list[tuple[Any, str]] = []  # (owner, purchase id)
        self.rewards: list[tuple[Any, str]] = []  # (owner, reward id)

    @initialize()
    def open_the_shop(self) -> None:
        self.users = [self.make_user() for _ in range(USERS)]
        self.admin = self.make_user(admin=True)
        with db.connect(self.database_url) as conn:
            for user in self.users:
                fund(conn, user.id, 100)
            self.items = [
                make_item(conn, cost_coins=15, total_stock=6, is_consumable=True, uses_per_purchase=2),
                make_item(conn, cost_coins=40, total_stock=2),
                make_item(conn, cost_coins=5),  # unlimited stock
            ]

    # ---------------------------------------------------------------- steps

    def _buy(self, user: Any, item: Any, quantity: int, key: str | None = None) -> Any:
        headers = user.headers | ({"Idempotency-Key": key} if key else {})
        body = json.dumps({"quantity": quantity})
        response = self.purchase_http.post(f"/market/items/{item}/purchase", headers=headers, body=body)
        # 422: more than one of a non-consumable item
        assert response.status_code in (201, 409, 422), (response.status_code, response.body)
        if response.status_code == 201:
            self.purchases.append((user, response.json_body["id"]))
        return response

    @rule(u=st.integers(0, USERS - 1), i=st.integers(0, 2), quantity=st.integers(1, 3), retried=st.booleans())
    def buy(self, u: int, i: int, quantity: int, retried: bool) -> None:
        key = str(uuid.uuid4()) if retried else None
        first = self._buy(self.users[u], self.items[i], quantity, key)
        if retried:  # a retry with the same key answers the same and charges nothing more
            again = self.purchase_http.post(
                f"/market/items/{self.items[i]}/purchase",
                headers=self.users[u].headers | {"Idempotency-Key": key},
                body=json.dumps({"quantity": quantity}),
            )
            assert again.status_code == first.status_code
            if first.status_code == 201:
                assert again.json_body["id"] == first.json_body["id"]

    @rule(i=st.integers(0, 2), n=st.integers(2, 8))
    def burst_of_purchases(self, i: int, n: int) -> None:
        run_concurrently(lambda k: self._buy(self.users[k % USERS], self.items[i], 1), n)

    @rule(data=st.data())
    def refund(self, data: st.DataObject) -> None:
        if not self.purchases:
            return
        owner, purchase = data.draw(st.sampled_from(self.purchases))
        response = self.market.post(
            f"/market/purchases/{purchase}/refund", headers=owner.headers, body=json.dumps({"reason": "changed mind"})
        )
        assert response.status_code in (200, 409), (response.status_code, response.body)

    @rule(data=st.data(), n=st.integers(1, 3))
    def use(self, data: st.DataObject, n: int) -> None:
        if not self.purchases:
            return
        owner, purchase = data.draw(st.sampled_from(self.purchases))
        responses = run_concurrently(
            lambda _: self.market.post(f"/market/purchases/{purchase}/use", headers=owner.headers, body=b""), n
        )
        assert {r.status_code for r in responses} <= {200, 409}, [r.body for r in responses]

    @rule(u=st.integers(0, USERS - 1), coins=st.integers(-120, 120).filter(bool))
    def grant(self, u: int, coins: int) -> None:
        response = self.admin_http.post(
            f"/admin/users/{self.users[u].id}/grants",
            headers=self.admin.headers | {"Idempotency-Key": str(uuid.uuid4())},
            body=json.dumps({"coins": coins, "reason": "stateful test"}),
        )
        assert response.status_code in (201, 409), (response.status_code, response.body)

    @rule(u=st.integers(0, USERS - 1), coins=st.integers(1, 50))
    def give_reward(self, u: int, coins: int) -> None:
        response = self.admin_http.post(
            f"/admin/users/{self.users[u].id}/rewards",
            headers=self.admin.headers,
            body=json.dumps({"coins_earned": coins}),
        )
        assert response.status_code == 201, response.body
        self.rewards.append((self.users[u], response.json_body["id"]))

    @rule(u=st.integers(0, USERS - 1))
    def daily_reward(self, u: int) -> None:
        response = self.market.post("/market/rewards/daily", headers=self.users[u].headers, body=b"")
        assert response.status_code in (201, 409), (response.status_code, response.body)
        if response.status_code == 201:
            self.rewards.append((self.users[u], response.json_body["id"]))

    @rule(data=st.data(), n=st.integers(1, 6))
    def claim(self, data: st.DataObject, n: int) -> None:
        if not self.rewards:
            return
        owner, reward = data.draw(st.sampled_from(self.rewards))
        responses = run_concurrently(
            lambda _: self.claim_http.post(f"/market/rewards/{reward}/claim", headers=owner.headers, body=b""), n
        )
        statuses = sorted(r.status_code for r in responses)
        assert set(statuses) <= {200, 409}, [r.body for r in responses]
        assert statuses.count(200) <= 1  # paid once, however many claim at once

    # ---------------------------------------------------------------- the books

    @invariant()
    def books_balance(self) -> None:
        if not hasattr(self, "users"):
            return
        with db.connect(self.database_url) as conn:
            for user in self.users:
                coins, earned, spent, ledger = conn.execute(
                    "SELECT w.coins, w.total_earned, w.total_spent, "
                    "(SELECT coalesce(sum(coins), 0) FROM points_ledger l WHERE l.user_id = w.user_id) "
                    "FROM user_wallet w WHERE w.user_id = %s",
                    (user.id,),
                ).fetchone()
                assert coins >= 0
                assert coins == ledger == earned - spent
            for item in self.items:
                total, remaining, sold = conn.execute(
                    "SELECT i.total_stock, i.remaining_stock, (SELECT coalesce(sum(quantity), 0) FROM user_purchases p "
                    "WHERE p.item_id = i.id AND p.status <> 'refunded') FROM market_items i WHERE i.id = %s",
                    (item,),
                ).fetchone()
                if total is not None:
                    assert remaining >= 0
                    assert sold <= total
                    assert remaining + sold == total


def test_the_books_balance_whatever_happens(api, make_user, database_url):
    Economy.api, Economy.make_user, Economy.database_url = staticmethod(api), staticmethod(make_user), database_url
    run_state_machine_as_test(
        Economy,
        settings=settings(
            max_examples=20,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        ),
    )
