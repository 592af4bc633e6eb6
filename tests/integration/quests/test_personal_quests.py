"""Personal quests: a capped reward, claimed once per completion, a few claims a day, repeatable with a streak."""

from __future__ import annotations

from tests.helpers import run_concurrently
from tests.integration.daily_support import ledger_matches_wallet


def personal(user, **fields):
    return user.post("/personal-quests", {"title": "Finish a beat", "xp_reward": 20, "coin_reward": 10} | fields)


def test_a_reward_above_the_limit_is_refused(caller):
    user = caller()
    status, error = user.request("POST", "/personal-quests", {"title": "Riches", "coin_reward": 10_000})
    assert (status, error["error"]["code"]) == (422, "reward_over_limit")
    assert error["error"]["details"] == {"coin_reward": 20}
    q = personal(user)
    status, error = user.request("PATCH", f"/personal-quests/{q['id']}", {"xp_reward": 51})
    assert (status, error["error"]["code"]) == (422, "reward_over_limit")
    assert user.get("/personal-quests")["items"][0]["xp_reward"] == 20


def test_progress_completes_and_a_claim_pays_once(caller, conn):
    user = caller()
    q = personal(user, target=2)
    status, error = user.request("POST", f"/personal-quests/{q['id']}/claim", {})
    assert (status, error["error"]["code"]) == (409, "quest_not_completed")
    user.post(f"/personal-quests/{q['id']}/progress", {"amount": 1}, expect=200)
    done = user.post(f"/personal-quests/{q['id']}/progress", {"amount": 1}, expect=200)
    assert (done["status"], done["progress"], done["streak_count"]) == ("completed", 2, 1)

    statuses = run_concurrently(lambda i: user.request("POST", f"/personal-quests/{q['id']}/claim", {})[0], 8)

    assert sorted(statuses) == [200] + [409] * 7
    assert user.wallet()["coins"] == 10
    assert ledger_matches_wallet(conn, user.id)


def test_claims_a_day_are_limited(caller):
    user = caller()
    for n in range(4):
        q = personal(user, title=f"Quest {n}")
        user.post(f"/personal-quests/{q['id']}/progress", {}, expect=200)
        status, body = user.request("POST", f"/personal-quests/{q['id']}/claim", {})
        assert status == (200 if n < 3 else 409), body
    assert body["error"]["code"] == "personal_quest_limit"
    assert user.wallet()["coins"] == 30


def test_a_repeatable_daily_quest_starts_again_and_keeps_its_streak(caller, conn):
    user = caller()
    q = personal(user, is_repeatable=True, repeat_frequency="daily")
    user.post(f"/personal-quests/{q['id']}/progress", {}, expect=200)
    user.post(f"/personal-quests/{q['id']}/claim", expect=200)
    conn.execute("UPDATE user_quests SET last_completed_date = last_completed_date - 1 WHERE id = %s", (q["id"],))
    fresh = user.get(f"/personal-quests/{q['id']}")
    assert (fresh["status"], fresh["progress"]) == ("active", 0)
    again = user.post(f"/personal-quests/{q['id']}/progress", {}, expect=200)
    assert again["streak_count"] == 2
    user.post(f"/personal-quests/{q['id']}/claim", expect=200)
    assert user.wallet()["coins"] == 20


def test_a_repeat_needs_a_frequency(caller):
    user = caller()
    status, _ = user.request("POST", "/personal-quests", {"title": "x", "is_repeatable": True})
    assert status == 422
