"""The daily reward and the streak roll over at the person's local midnight, over HTTP through `momentum dev`.

Waiting for a real midnight is not a test, so the stored history is moved back instead: the previous reward is
dated a minute before (or a second after) today's local midnight, as if collected then."""

import json
import subprocess
import sys
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.e2e

ZONE = "America/Los_Angeles"


def dev_sql(dev_server, query: str, *params) -> None:
    """Run one statement on the stack's own database (the embedded one under its data folder)."""
    script = (
        "import json, sys, psycopg\n"
        "from momentum_infra.pg import local_database_url\n"
        "with psycopg.connect(local_database_url(), autocommit=True) as conn:\n"
        "    conn.execute(sys.argv[1], json.loads(sys.argv[2]))\n"
    )
    subprocess.run(
        [sys.executable, "-c", script, query, json.dumps(params, default=str)],
        env=dev_server.env,
        check=True,
        capture_output=True,
    )


def local_midnight() -> datetime:
    today = datetime.now(ZoneInfo(ZONE)).date()
    return datetime(today.year, today.month, today.day, tzinfo=ZoneInfo(ZONE))


def test_the_daily_reward_rolls_over_at_local_midnight(dev_server):
    token = dev_server.create_user(f"night-owl-{uuid.uuid4().hex[:8]}@example.com")
    assert dev_server.call("PUT", "/me/settings/timezone", {"value": ZONE}, token=token)[0] == 200

    # Today's reward, then a second ask the same local day
    status, first = dev_server.call("POST", "/market/rewards/daily", {}, token=token)
    assert (status, first["coins_earned"]) == (201, 10)
    assert dev_server.call("POST", "/market/rewards/daily", {}, token=token)[0] == 409
    midnight = local_midnight()
    assert datetime.fromisoformat(first["expires_at"]) == midnight + timedelta(days=2)

    # As if it had been collected a minute before local midnight, on a day-1 streak that day
    dev_sql(
        dev_server,
        "UPDATE user_rewards SET created_at = %s WHERE id = %s",
        midnight - timedelta(minutes=1),
        first["id"],
    )
    dev_sql(
        dev_server,
        "UPDATE user_streaks SET last_activity_date = %s WHERE last_activity_date = %s "
        "AND user_id = (SELECT user_id FROM user_rewards WHERE id = %s)",
        (midnight - timedelta(days=1)).date(),
        midnight.date(),
        first["id"],
    )

    # A new local day: day 2 of the streak
    status, second = dev_server.call("POST", "/market/rewards/daily", {}, token=token)
    assert (status, second["coins_earned"], second["xp_earned"]) == (201, 20, 10)
    streaks = {s["streak_type"]: s for s in dev_server.call("GET", "/me/streaks", token=token)[1]["items"]}
    assert (streaks["daily"]["current_streak"], streaks["daily"]["last_activity_date"]) == (2, str(midnight.date()))

    # But from a second after local midnight on, it is the same local day
    dev_sql(
        dev_server,
        "UPDATE user_rewards SET created_at = %s WHERE id = %s",
        midnight + timedelta(seconds=1),
        second["id"],
    )
    status, error = dev_server.call("POST", "/market/rewards/daily", {}, token=token)
    assert (status, error["error"]["code"]) == (409, "daily_reward_exists")


def test_moving_east_over_http_gives_no_second_reward(dev_server):
    token = dev_server.create_user(f"traveller-{uuid.uuid4().hex[:8]}@example.com")
    dev_server.call("PUT", "/me/settings/timezone", {"value": "Etc/GMT+12"}, token=token)
    assert dev_server.call("POST", "/market/rewards/daily", {}, token=token)[0] == 201

    # Kiritimati is a day or two later than UTC-12 at any moment, yet the day has not ended where it was collected
    dev_server.call("PUT", "/me/settings/timezone", {"value": "Pacific/Kiritimati"}, token=token)
    status, error = dev_server.call("POST", "/market/rewards/daily", {}, token=token)
    assert (status, error["error"]["code"]) == (409, "daily_reward_exists")
