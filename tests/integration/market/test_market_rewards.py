"""Rewards: the daily reward, admin rewards, listing, and claims that pay exactly once."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from momentum import db

from tests.helpers import run_concurrently
from tests.integration.market.helpers import assert_wallet_is_its_ledger, coins, error_code, post


@pytest.fixture()
def http(api):
    return api("market")


@pytest.fixture()
def claims(api):
    return api("claim_reward")


def make_reward(conn, user_id, coins=0, xp=0, reward_type="quest", expires_at=None, claimed=False) -> uuid.UUID:
    return conn.execute(
        "INSERT INTO user_rewards (user_id, reward_type, coins_earned, xp_earned, expires_at, claimed, claimed_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, CASE WHEN %s THEN now() END) RETURNING id",
        (user_id, reward_type, coins, xp, expires_at, claimed, claimed),
    ).fetchone()[0]


def claim(claims, user, reward_id):
    return post(claims, user, f"/market/rewards/{reward_id}/claim")


def xp(conn, user_id) -> int:
    return conn.execute("SELECT total_xp FROM user_progress WHERE user_id = %s", (user_id,)).fetchone()[0]


def test_the_daily_reward_is_once_per_utc_day(http, make_user, conn):
    user = make_user()

    first = post(http, user, "/market/rewards/daily")
    again = post(http, user, "/market/rewards/daily")

    assert first.status_code == 201
    reward = first.json_body
    assert (reward["reward_type"], reward["coins_earned"], reward["xp_earned"], reward["state"]) == (
        "daily",
        10,
        5,
        "claimable",
    )
    tomorrow_ends = datetime.combine(datetime.now(UTC).date() + timedelta(days=2), datetime.min.time(), UTC)
    assert datetime.fromisoformat(reward["expires_at"]) == tomorrow_ends
    assert (again.status_code, error_code(again)) == (409, "daily_reward_exists")
    assert again.json_body["error"]["details"] == {"reward_id": reward["id"]}


def test_a_daily_reward_from_yesterday_does_not_block_today_and_the_streak_grows(http, make_user, conn):
    # Given a user who collected their daily reward on the last three days
    user = make_user()
    yesterday = make_reward(conn, user.id, coins=30, reward_type="daily")
    conn.execute(
        "UPDATE user_rewards SET created_at = date_trunc('day', now()) - interval '1 second' WHERE id = %s",
        (yesterday,),
    )
    conn.execute(
        "INSERT INTO user_streaks (user_id, streak_type, current_streak, longest_streak, last_activity_date) "
        "VALUES (%s, 'daily', 3, 3, (now() AT TIME ZONE 'UTC')::date - 1)",
        (user.id,),
    )

    # When they collect today's
    response = post(http, user, "/market/rewards/daily")

    # Then it is day 4 of the streak
    assert response.status_code == 201
    assert (response.json_body["coins_earned"], response.json_body["xp_earned"]) == (40, 20)


def test_a_missed_day_restarts_the_streak(http, make_user, conn):
    user = make_user()
    conn.execute(
        "INSERT INTO user_streaks (user_id, streak_type, current_streak, longest_streak, last_activity_date) "
        "VALUES (%s, 'daily', 9, 9, (now() AT TIME ZONE 'UTC')::date - 2)",
        (user.id,),
    )
    response = post(http, user, "/market/rewards/daily")
    assert response.json_body["coins_earned"] == 10


def test_concurrent_daily_requests_create_one_reward(http, make_user, database_url):
    user = make_user()

    responses = run_concurrently(lambda _: post(http, user, "/market/rewards/daily"), 20)

    assert sorted(r.status_code for r in responses) == [201] + [409] * 19
    with db.connect(database_url) as c:
        assert c.execute("SELECT count(*) FROM user_rewards WHERE user_id = %s", (user.id,)).fetchone() == (1,)
        assert c.execute(
            "SELECT current_streak FROM user_streaks WHERE user_id = %s AND streak_type = 'daily'", (user.id,)
        ).fetchone() == (1,)


def test_a_claim_pays_once(claims, make_user, conn):
    user = make_user()
    reward = make_reward(conn, user.id, coins=50, xp=120)

    first = claim(claims, user, reward)
    again = claim(claims, user, reward)

    assert first.status_code == 200
    body = first.json_body
    assert (body["reward"]["claimed"], body["reward"]["state"]) == (True, "claimed")
    assert body["reward"]["claimed_at"] is not None
    assert (body["coins"], body["total_xp"], body["level"]) == (50, 120, 2)
    assert (again.status_code, error_code(again)) == (409, "already_claimed")
    assert (coins(conn, user.id), xp(conn, user.id)) == (50, 120)
    assert conn.execute(
        "SELECT transaction_type, coins_amount FROM market_transactions WHERE user_id = %s", (user.id,)
    ).fetchall() == [("reward", 50)]
    assert conn.execute("SELECT event_type, event_id FROM points_ledger WHERE user_id = %s", (user.id,)).fetchall() == [
        ("reward", reward)
    ]


def test_an_xp_only_reward_writes_no_coin_transaction(claims, make_user, conn):
    user = make_user()
    assert claim(claims, user, make_reward(conn, user.id, xp=10)).status_code == 200
    assert xp(conn, user.id) == 10
    assert conn.execute("SELECT count(*) FROM market_transactions WHERE user_id = %s", (user.id,)).fetchone() == (0,)


def test_fifty_concurrent_claims_pay_once(claims, make_user, conn, database_url):
    user = make_user()
    reward = make_reward(conn, user.id, coins=75, xp=30)

    responses = run_concurrently(lambda _: claim(claims, user, reward), 50)

    assert sorted(r.status_code for r in responses) == [200] + [409] * 49
    assert {error_code(r) for r in responses if r.status_code == 409} == {"already_claimed"}
    with db.connect(database_url) as c:
        assert (coins(c, user.id), xp(c, user.id)) == (75, 30)
        assert c.execute("SELECT count(*) FROM points_ledger WHERE user_id = %s", (user.id,)).fetchone() == (1,)
        assert c.execute("SELECT count(*) FROM market_transactions WHERE user_id = %s", (user.id,)).fetchone() == (1,)
        assert_wallet_is_its_ledger(c, user.id)


def test_expiry_at_its_edge(claims, make_user, conn):
    user = make_user()
    expired = make_reward(conn, user.id, coins=5, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    expires_soon = make_reward(conn, user.id, coins=5, expires_at=datetime.now(UTC) + timedelta(minutes=1))
    never = make_reward(conn, user.id, coins=5)

    gone = claim(claims, user, expired)

    assert (gone.status_code, error_code(gone)) == (410, "expired")
    assert claim(claims, user, expires_soon).status_code == 200
    assert claim(claims, user, never).status_code == 200
    assert coins(conn, user.id) == 10


def test_claiming_a_reward_can_complete_an_achievement(claims, make_user, conn, xp_achievement):
    user = make_user()
    claim(claims, user, make_reward(conn, user.id, xp=100))
    assert conn.execute("SELECT achievement_key FROM user_achievements WHERE user_id = %s", (user.id,)).fetchall() == [
        (xp_achievement,)
    ]
    assert conn.execute(
        "SELECT count(*) FROM user_rewards WHERE user_id = %s AND reward_type = 'achievement' AND NOT claimed",
        (user.id,),
    ).fetchone() == (1,)


@pytest.fixture()
def xp_achievement(conn):
    from psycopg.types.json import Jsonb

    key = f"xp_100_{uuid.uuid4().hex[:8]}"
    conn.execute(
        "INSERT INTO achievement_definitions (key, name, category, trigger_type, trigger_config, "
        "reward_coins) VALUES (%s, 'Hundred', 'progress', 'threshold', %s, 10)",
        (key, Jsonb({"metric": "total_xp", "value": 100})),
    )
    yield key
    conn.execute("DELETE FROM user_achievements WHERE achievement_key = %s", (key,))
    conn.execute("DELETE FROM achievement_definitions WHERE key = %s", (key,))


def test_rewards_list_claimable_first(http, make_user, conn):
    user, other = make_user(), make_user()
    past = datetime.now(UTC) - timedelta(hours=1)
    claimed = make_reward(conn, user.id, coins=1, claimed=True)
    expired = make_reward(conn, user.id, coins=1, expires_at=past)
    open_old = make_reward(conn, user.id, coins=1)
    open_new = make_reward(conn, user.id, coins=1)
    make_reward(conn, other.id, coins=1)

    seen, cursor = [], None
    while True:
        page = http.get(
            "/market/rewards?limit=1" + (f"&cursor={cursor}" if cursor else ""), headers=user.headers
        ).json_body
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    claimable = http.get("/market/rewards?state=claimable", headers=user.headers).json_body["items"]

    assert [r["id"] for r in seen[:2]] == [str(open_new), str(open_old)]
    assert {r["id"]: r["state"] for r in seen[2:]} == {str(expired): "expired", str(claimed): "claimed"}
    assert [r["id"] for r in claimable] == [str(open_new), str(open_old)]
    assert http.get("/market/rewards?state=lost", headers=user.headers).status_code == 422


def give(http, admin, user_id, body, key=None):
    headers = admin.headers | ({"Idempotency-Key": key} if key else {})
    return http.post(f"/admin/users/{user_id}/rewards", headers=headers, body=json.dumps(body))


def test_an_admin_gives_a_quest_reward_that_the_user_claims(api, claims, make_user, conn):
    admin, user = make_user(admin=True), make_user()
    quest = uuid.uuid4()

    response = give(api("admin"), admin, user.id, {"coins_earned": 200, "xp_earned": 50, "source_id": str(quest)})

    assert response.status_code == 201
    reward = response.json_body
    assert (reward["reward_type"], reward["source_id"], reward["state"]) == ("quest", str(quest), "claimable")
    assert claim(claims, user, reward["id"]).status_code == 200
    assert coins(conn, user.id) == 200
    assert conn.execute("SELECT action FROM audit_log WHERE user_id = %s", (admin.id,)).fetchall() == [
        ("create_reward",)
    ]


def test_admin_rewards_are_idempotent_per_key(api, make_user, conn):
    admin, user = make_user(admin=True), make_user()
    http = api("admin")
    body = {"coins_earned": 100, "expires_at": (datetime.now(UTC) + timedelta(days=3)).isoformat()}

    first = give(http, admin, user.id, body, key="quest-7")
    again = give(http, admin, user.id, body, key="quest-7")
    changed = give(http, admin, user.id, body | {"coins_earned": 101}, key="quest-7")
    storm = run_concurrently(lambda _: give(http, admin, user.id, body, key="quest-8"), 20)

    assert first.status_code == again.status_code == 201 and first.json_body == again.json_body
    assert (changed.status_code, error_code(changed)) == (409, "idempotency_key_reused")
    assert {r.status_code for r in storm} == {201} and len({r.json_body["id"] for r in storm}) == 1
    assert conn.execute("SELECT count(*) FROM user_rewards WHERE user_id = %s", (user.id,)).fetchone() == (2,)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"coins_earned": 0, "xp_earned": 0},
        {"coins_earned": -5},
        {"coins_earned": 5, "reward_type": "daily"},
        {"coins_earned": 5, "source_id": "x"},
        {"coins_earned": 5, "expires_at": "2000-01-01T00:00:00Z"},
        {"coins_earned": 5, "expires_at": "2999-01-01T00:00:00"},
    ],
)
def test_invalid_admin_rewards_are_422(api, make_user, conn, body):
    admin, user = make_user(admin=True), make_user()
    assert give(api("admin"), admin, user.id, body).status_code == 422
    assert conn.execute("SELECT count(*) FROM user_rewards WHERE user_id = %s", (user.id,)).fetchone() == (0,)


def test_admin_rewards_need_the_admin_role_and_a_real_user(api, make_user, conn):
    user, admin = make_user(), make_user(admin=True)
    forbidden = give(api("admin"), user, user.id, {"coins_earned": 1000})
    unknown = give(api("admin"), admin, uuid.uuid4(), {"coins_earned": 5})
    assert (forbidden.status_code, unknown.status_code) == (403, 404)
    assert conn.execute("SELECT count(*) FROM user_rewards WHERE user_id = %s", (user.id,)).fetchone() == (0,)


def claim_says_due(conn, user_id, reward_id) -> bool:
    """The claim statement's own answer: could this claim have earned an achievement?"""
    return conn.execute("SELECT achievements_due FROM claim_reward(%s, %s)", (user_id, reward_id)).fetchone()[0]


def test_a_claim_asks_for_the_achievement_check_only_when_one_could_be_due(claims, make_user, conn, xp_achievement):
    user = make_user()
    assert claim(claims, user, make_reward(conn, user.id, xp=10)).status_code == 200  # earns any first-XP one

    assert claim_says_due(conn, user.id, make_reward(conn, user.id, xp=10)) is False  # 20 XP: nothing reached
    assert claim_says_due(conn, user.id, make_reward(conn, user.id)) is False  # pays nothing: nothing changes
    assert claim_says_due(conn, user.id, make_reward(conn, user.id, xp=80)) is True  # 100 XP reaches the threshold


@pytest.fixture()
def compound_achievement(conn):
    from psycopg.types.json import Jsonb

    key = f"claims_{uuid.uuid4().hex[:8]}"
    trigger = {
        "all": [
            {"type": "threshold", "metric": "coins_earned", "value": 30},
            {"type": "event", "event_type": "reward", "count": 2},
        ]
    }
    conn.execute(
        "INSERT INTO achievement_definitions (key, name, category, trigger_type, trigger_config) "
        "VALUES (%s, 'Two claims', 'progress', 'compound', %s)",
        (key, Jsonb(trigger)),
    )
    yield key
    conn.execute("DELETE FROM user_achievements WHERE achievement_key = %s", (key,))
    conn.execute("DELETE FROM achievement_definitions WHERE key = %s", (key,))


def test_claims_complete_a_compound_achievement_on_the_claim_that_meets_it(
    claims, make_user, conn, compound_achievement
):
    user = make_user()

    def earned() -> bool:
        return conn.execute(
            "SELECT count(*) FROM user_achievements WHERE user_id = %s AND achievement_key = %s",
            (user.id, compound_achievement),
        ).fetchone() == (1,)

    assert claim(claims, user, make_reward(conn, user.id, coins=40)).status_code == 200
    assert not earned()  # 40 coins earned, but one reward claimed
    assert claim(claims, user, make_reward(conn, user.id, coins=1)).status_code == 200
    assert earned()
