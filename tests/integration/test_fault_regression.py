"""A database connection killed in the middle of a request (a failover, a proxy restart) answers 503, leaves no
partial write, and the next request on the same execution environment succeeds on a fresh connection."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from momentum import db

from tests.integration.market.helpers import (
    assert_wallet_is_its_ledger,
    buy,
    coins,
    fund,
    make_item,
    stock,
)


def blocked_backend(conn, timeout: float = 20.0) -> int:
    """The pid of the backend of this database waiting on a row lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND pid <> pg_backend_pid()"
        ).fetchone()
        if found:
            return found[0]
        time.sleep(0.05)
    raise TimeoutError("the request never waited on the lock")


def test_a_connection_killed_mid_purchase_is_a_503_with_nothing_written(api, make_user, conn, database_url):
    user = make_user()
    fund(conn, user.id, 100)
    item = make_item(conn, cost_coins=10, total_stock=5, is_consumable=True)
    http = api("purchase")
    # One worker: Lambda's one execution environment, whose connection is killed and must come back.
    with ThreadPoolExecutor(max_workers=1) as environment:
        with db.connect(database_url) as blocker, blocker.transaction():
            # Hold the item's row, so the purchase stops inside its transaction, and kill its connection there.
            blocker.execute("SELECT 1 FROM market_items WHERE id = %s FOR UPDATE", (item,))
            pending = environment.submit(buy, http, user, item, 1, "killed-once")
            conn.execute("SELECT pg_terminate_backend(%s)", (blocked_backend(conn),))
            response = pending.result(timeout=30)

        assert response.status_code == 503, response.body
        assert response.json_body["error"]["code"] == "unavailable"
        assert coins(conn, user.id) == 100
        assert stock(conn, item) == 5
        assert conn.execute("SELECT count(*) FROM user_purchases WHERE user_id = %s", (user.id,)).fetchone() == (0,)
        assert_wallet_is_its_ledger(conn, user.id)

        # The client retries with the same key: it goes through once, on a new connection.
        again = environment.submit(buy, http, user, item, 1, "killed-once").result(timeout=30)
        assert again.status_code == 201, again.body
        environment.submit(db.close_conn).result(timeout=10)  # the environment's connection, closed as Lambda ends
    assert (coins(conn, user.id), stock(conn, item)) == (90, 4)
    assert_wallet_is_its_ledger(conn, user.id)
