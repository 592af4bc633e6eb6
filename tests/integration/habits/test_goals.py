"""Goals: progress from milestones (or by hand), milestone and goal payments once, paused goals pay nothing."""

from __future__ import annotations

from tests.helpers import run_concurrently
from tests.integration.daily_support import ledger_matches_wallet


def goal(user, milestones=("Write", "Mix", "Master")):
    return user.post("/goals", {"title": "Release an EP", "milestones": [{"title": t} for t in milestones]})


def test_progress_follows_milestones_and_the_last_one_completes_the_goal(caller, conn):
    user = caller()
    g = goal(user)
    assert [m["title"] for m in g["milestones"]] == ["Write", "Mix", "Master"]

    after_one = user.post(f"/goals/{g['id']}/milestones/{g['milestones'][0]['id']}/complete", expect=200)
    assert after_one["progress"] == 33
    assert user.wallet()["coins"] == 5
    user.post(f"/goals/{g['id']}/milestones/{g['milestones'][1]['id']}/complete", expect=200)
    done = user.post(f"/goals/{g['id']}/milestones/{g['milestones'][2]['id']}/complete", expect=200)

    assert (done["status"], done["progress"]) == ("completed", 100)
    assert user.wallet()["coins"] == 3 * 5 + 25
    assert ledger_matches_wallet(conn, user.id)


def test_a_milestone_pays_once_under_concurrency(caller, conn):
    user = caller()
    g = goal(user)
    path = f"/goals/{g['id']}/milestones/{g['milestones'][0]['id']}/complete"

    statuses = run_concurrently(lambda i: user.request("POST", path, {})[0], 8)

    assert sorted(statuses) == [200] + [409] * 7
    assert user.wallet()["coins"] == 5
    assert ledger_matches_wallet(conn, user.id)


def test_a_goal_pays_once_under_concurrency(caller, conn):
    user = caller()
    g = goal(user, milestones=())
    statuses = run_concurrently(lambda i: user.request("POST", f"/goals/{g['id']}/complete", {})[0], 8)
    assert sorted(statuses) == [200] + [409] * 7
    assert user.wallet()["coins"] == 25
    assert ledger_matches_wallet(conn, user.id)


def test_a_paused_goal_does_not_pay(caller):
    user = caller()
    g = goal(user)
    user.patch(f"/goals/{g['id']}", {"status": "paused"})

    status, error = user.request("POST", f"/goals/{g['id']}/milestones/{g['milestones'][0]['id']}/complete", {})
    assert (status, error["error"]["code"]) == (409, "goal_not_active")
    status, error = user.request("POST", f"/goals/{g['id']}/complete", {})
    assert (status, error["error"]["code"]) == (409, "goal_not_active")
    assert user.wallet()["coins"] == 0


def test_progress_by_hand_only_without_milestones(caller):
    user = caller()
    plain = goal(user, milestones=())
    assert user.patch(f"/goals/{plain['id']}", {"progress": 40})["progress"] == 40
    with_steps = goal(user)
    status, error = user.request("PATCH", f"/goals/{with_steps['id']}", {"progress": 40})
    assert (status, error["error"]["code"]) == (409, "goal_has_milestones")


def test_adding_and_removing_milestones_moves_progress(caller):
    user = caller()
    g = goal(user, milestones=("One",))
    g = user.post(f"/goals/{g['id']}/milestones/{g['milestones'][0]['id']}/complete", expect=200)
    assert g["status"] == "completed"
    fresh = goal(user, milestones=("One", "Two"))
    fresh = user.post(f"/goals/{fresh['id']}/milestones/{fresh['milestones'][0]['id']}/complete", expect=200)
    assert fresh["progress"] == 50
    more = user.post(f"/goals/{fresh['id']}/milestones", {"title": "Three"})
    assert more["progress"] == 33
    less = user.delete(f"/goals/{fresh['id']}/milestones/{more['milestones'][2]['id']}", expect=200)
    assert less["progress"] == 50
