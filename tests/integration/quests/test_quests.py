"""Universal quests: admin CRUD, accept, progress from real actions, reset per period, claim once."""

from __future__ import annotations

from tests.helpers import run_concurrently
from tests.integration.daily_support import ledger_matches_wallet


def do_habit(user):
    habit = user.post("/habits", {"name": "Scales"})
    user.post(f"/habits/{habit['id']}/complete", {})


def test_admin_crud_and_users_get_403(admin, caller, quest):
    q = quest(title="Three habits", target=3)
    assert admin.get(f"/admin/quests/{q['id']}")["target"] == 3
    assert admin.patch(f"/admin/quests/{q['id']}", {"target": 4})["target"] == 4
    user = caller()
    for method, path, body in (
        ("GET", "/admin/quests", None),
        ("POST", "/admin/quests", {"title": "x", "type": "daily", "target_type": "purchases"}),
        ("GET", f"/admin/quests/{q['id']}", None),
        ("PATCH", f"/admin/quests/{q['id']}", {"target": 1}),
        ("DELETE", f"/admin/quests/{q['id']}", None),
    ):
        status, error = user.request(method, path, body)
        assert (status, error["error"]["code"]) == (403, "forbidden"), (method, path)
    assert admin.get(f"/admin/quests/{q['id']}")["target"] == 4
    admin.delete(f"/admin/quests/{q['id']}")
    assert admin.request("GET", f"/admin/quests/{q['id']}")[0] == 404


def test_an_unknown_target_type_is_refused(admin):
    status, error = admin.request("POST", "/admin/quests", {"title": "x", "type": "daily", "target_type": "keywords"})
    assert (status, error["error"]["code"]) == (422, "invalid_input")


def test_progress_comes_from_actions_and_completes_at_the_target(caller, quest):
    user = caller()
    q = quest(target=2)
    accepted = user.post(f"/quests/{q['id']}/accept")
    assert accepted["progress"]["progress"] == 0

    do_habit(user)
    assert user.get(f"/quests/{q['id']}")["progress"]["progress"] == 1
    do_habit(user)
    done = user.get(f"/quests/{q['id']}")["progress"]
    assert (done["status"], done["progress"], done["times_completed"]) == ("completed", 2, 1)
    do_habit(user)  # no further progress past the target
    assert user.get(f"/quests/{q['id']}")["progress"]["progress"] == 2


def test_actions_before_accepting_do_not_count(caller, quest):
    user = caller()
    q = quest(target=1)
    do_habit(user)
    assert user.post(f"/quests/{q['id']}/accept")["progress"]["progress"] == 0


def test_accepting_twice_is_409(caller, quest):
    user = caller()
    q = quest()
    user.post(f"/quests/{q['id']}/accept")
    status, error = user.request("POST", f"/quests/{q['id']}/accept", {})
    assert (status, error["error"]["code"]) == (409, "quest_accepted")


def test_claim_creates_and_claims_a_quest_reward_once(caller, quest, conn):
    user = caller()
    q = quest(target=1, xp=20, coins=10)
    user.post(f"/quests/{q['id']}/accept")
    status, error = user.request("POST", f"/quests/{q['id']}/claim", {})
    assert (status, error["error"]["code"]) == (409, "quest_not_completed")
    do_habit(user)
    coins_before = user.wallet()["coins"]

    statuses = run_concurrently(lambda i: user.request("POST", f"/quests/{q['id']}/claim", {})[0], 8)

    assert sorted(statuses) == [200] + [409] * 7
    assert user.wallet()["coins"] == coins_before + 10
    rewards = conn.execute(
        "SELECT reward_type, source_id, coins_earned, claimed FROM user_rewards WHERE user_id = %s", (user.id,)
    ).fetchall()
    assert [(r[0], str(r[1]), r[2], r[3]) for r in rewards] == [("quest", q["id"], 10, True)]
    assert user.get(f"/quests/{q['id']}")["progress"]["status"] == "claimed"
    assert ledger_matches_wallet(conn, user.id)


def test_a_daily_quest_starts_again_the_next_day(caller, quest, conn):
    user = caller()
    q = quest(target=1)
    user.post(f"/quests/{q['id']}/accept")
    do_habit(user)
    user.post(f"/quests/{q['id']}/claim", expect=200)
    # As if all that happened yesterday.
    conn.execute(
        "UPDATE user_quest_progress SET accepted_at = accepted_at - interval '1 day', last_reset_at = NULL"
        " WHERE user_id = %s",
        (user.id,),
    )

    fresh = user.get(f"/quests/{q['id']}")["progress"]
    assert (fresh["status"], fresh["progress"], fresh["times_completed"]) == ("active", 0, 1)
    do_habit(user)
    assert user.get(f"/quests/{q['id']}")["progress"]["times_completed"] == 2
    user.post(f"/quests/{q['id']}/claim", expect=200)


def test_a_one_time_quest_never_resets(caller, quest, conn):
    user = caller()
    q = quest(target=1, type="one_time")
    user.post(f"/quests/{q['id']}/accept")
    do_habit(user)
    conn.execute(
        "UPDATE user_quest_progress SET accepted_at = accepted_at - interval '40 days' WHERE user_id = %s", (user.id,)
    )
    assert user.get(f"/quests/{q['id']}")["progress"]["status"] == "completed"


def test_an_inactive_quest_is_hidden_unless_accepted(caller, admin, quest):
    user, other = caller(), caller()
    q = quest()
    user.post(f"/quests/{q['id']}/accept")
    admin.patch(f"/admin/quests/{q['id']}", {"is_active": False})
    assert user.get(f"/quests/{q['id']}")["id"] == q["id"]
    assert other.request("GET", f"/quests/{q['id']}")[0] == 404
    assert other.request("POST", f"/quests/{q['id']}/accept", {})[0] == 404


def test_an_undone_habit_takes_its_unclaimed_progress_back(caller, quest):
    user = caller()
    q = quest(target=1)
    user.post(f"/quests/{q['id']}/accept")
    habit = user.post("/habits", {"name": "Scales"})
    user.post(f"/habits/{habit['id']}/complete", {})
    assert user.get(f"/quests/{q['id']}")["progress"]["status"] == "completed"

    user.post(f"/habits/{habit['id']}/undo", expect=200)

    undone = user.get(f"/quests/{q['id']}")["progress"]
    assert (undone["status"], undone["progress"], undone["times_completed"]) == ("active", 0, 0)
    status, error = user.request("POST", f"/quests/{q['id']}/claim", {})
    assert (status, error["error"]["code"]) == (409, "quest_not_completed")
