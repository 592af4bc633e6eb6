"""Another user's habits, goals and milestones answer 404 on every id route, and nothing changes."""

from __future__ import annotations

import pytest
from momentum_infra import template as tpl

CASES = [
    ("GET", "/habits/{habit_id}", None),
    ("PATCH", "/habits/{habit_id}", {"name": "Taken over"}),
    ("DELETE", "/habits/{habit_id}", None),
    ("POST", "/habits/{habit_id}/complete", {}),
    ("POST", "/habits/{habit_id}/undo", {}),
    ("GET", "/habits/{habit_id}/completions", None),
    ("GET", "/goals/{goal_id}", None),
    ("PATCH", "/goals/{goal_id}", {"title": "Taken over"}),
    ("DELETE", "/goals/{goal_id}", None),
    ("POST", "/goals/{goal_id}/complete", {}),
    ("POST", "/goals/{goal_id}/milestones", {"title": "Intruder"}),
    ("DELETE", "/goals/{goal_id}/milestones/{milestone_id}", None),
    ("POST", "/goals/{goal_id}/milestones/{milestone_id}/complete", {}),
]


# For tests/integration/test_isolation_coverage.py.
ISOLATED_ROUTES = {(method, path) for method, path, _ in CASES}


def test_every_habits_id_route_is_covered():
    routes = {(r.method, r.path) for r in tpl.api_routes() if r.function == "HabitsFunction" and "{" in r.path}
    assert {(m, p) for m, p, _ in CASES} == routes


@pytest.fixture()
def owned(caller):
    owner = caller()
    habit = owner.post("/habits", {"name": "Mine"})
    owner.post(f"/habits/{habit['id']}/complete", {})
    goal = owner.post("/goals", {"title": "Mine", "milestones": [{"title": "Step"}]})
    ids = {"habit_id": habit["id"], "goal_id": goal["id"], "milestone_id": goal["milestones"][0]["id"]}
    return owner, ids


def snapshot(owner, ids):
    return [
        owner.get(f"/habits/{ids['habit_id']}"),
        owner.get(f"/habits/{ids['habit_id']}/completions"),
        owner.get(f"/goals/{ids['goal_id']}"),
        owner.wallet(),
    ]


@pytest.mark.parametrize(("method", "path", "body"), CASES, ids=[f"{m} {p}" for m, p, _ in CASES])
def test_another_users_id_is_404_and_changes_nothing(caller, owned, method, path, body):
    owner, ids = owned
    before = snapshot(owner, ids)
    intruder = caller()

    status, error = intruder.request(method, path.format(**ids), body)

    assert status == 404, error
    assert error["error"]["code"] == "not_found"
    assert snapshot(owner, ids) == before


def test_another_goals_milestone_through_ones_own_goal_is_404(caller, owned):
    owner, ids = owned
    intruder = caller()
    own = intruder.post("/goals", {"title": "Mine"})
    status, _ = intruder.request("POST", f"/goals/{own['id']}/milestones/{ids['milestone_id']}/complete", {})
    assert status == 404
    assert owner.get(f"/goals/{ids['goal_id']}")["milestones"][0]["is_completed"] is False


def test_lists_show_nothing_of_another_user(caller, owned):
    intruder = caller()
    assert intruder.get("/habits")["items"] == []
    assert intruder.get("/goals")["items"] == []
