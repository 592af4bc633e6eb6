"""Another user's personal quests answer 404 on every id route; universal quests need acceptance; admin 403."""

from __future__ import annotations

import pytest
from momentum_infra import template as tpl

CASES = [
    ("GET", "/personal-quests/{personal_id}", None),
    ("PATCH", "/personal-quests/{personal_id}", {"title": "Taken over"}),
    ("DELETE", "/personal-quests/{personal_id}", None),
    ("POST", "/personal-quests/{personal_id}/progress", {"amount": 1}),
    ("POST", "/personal-quests/{personal_id}/claim", {}),
]
# Universal quests are everyone's to see and accept; what is one's own is the progress, which claim needs.
UNIVERSAL = [
    ("GET", "/quests/{quest_id}"),
    ("POST", "/quests/{quest_id}/accept"),
    ("POST", "/quests/{quest_id}/claim"),
]
ADMIN = [
    ("GET", "/admin/quests/{quest_id}"),
    ("PATCH", "/admin/quests/{quest_id}"),
    ("DELETE", "/admin/quests/{quest_id}"),
]


# For tests/integration/test_isolation_coverage.py.
ISOLATED_ROUTES = {(method, path.replace("{personal_id}", "{quest_id}")) for method, path, _ in CASES}
SHARED_ROUTES = set(UNIVERSAL) | set(ADMIN)


def test_every_quests_id_route_is_covered():
    routes = {(r.method, r.path) for r in tpl.api_routes() if r.function == "QuestsFunction" and "{" in r.path}
    personal = {(m, p.replace("{personal_id}", "{quest_id}")) for m, p, _ in CASES}
    assert personal | set(UNIVERSAL) | set(ADMIN) == routes


@pytest.fixture()
def owned(caller):
    owner = caller()
    q = owner.post("/personal-quests", {"title": "Mine", "coin_reward": 5})
    owner.post(f"/personal-quests/{q['id']}/progress", {}, expect=200)
    return owner, {"personal_id": q["id"]}


@pytest.mark.parametrize(("method", "path", "body"), CASES, ids=[f"{m} {p}" for m, p, _ in CASES])
def test_another_users_personal_quest_is_404_and_changes_nothing(caller, owned, method, path, body):
    owner, ids = owned
    before = [owner.get(f"/personal-quests/{ids['personal_id']}"), owner.wallet()]
    intruder = caller()

    status, error = intruder.request(method, path.format(**ids), body)

    assert status == 404, error
    assert [owner.get(f"/personal-quests/{ids['personal_id']}"), owner.wallet()] == before


def test_claiming_a_quest_one_has_not_accepted_is_404(caller, quest):
    owner, intruder = caller(), caller()
    q = quest(target=1)
    owner.post(f"/quests/{q['id']}/accept")
    owner.post("/habits", {"name": "x"})
    status, error = intruder.request("POST", f"/quests/{q['id']}/claim", {})
    assert (status, error["error"]["code"]) == (404, "not_found")


def test_one_persons_progress_is_not_anothers(caller, quest):
    owner, other = caller(), caller()
    q = quest(target=1)
    owner.post(f"/quests/{q['id']}/accept")
    other.post(f"/quests/{q['id']}/accept")
    habit = owner.post("/habits", {"name": "x"})
    owner.post(f"/habits/{habit['id']}/complete", {})
    assert owner.get(f"/quests/{q['id']}")["progress"]["status"] == "completed"
    assert other.get(f"/quests/{q['id']}")["progress"]["progress"] == 0


def test_unknown_quest_ids_are_404(caller, admin):
    user = caller()
    missing = "00000000-0000-0000-0000-000000000000"
    for method, path in UNIVERSAL:
        assert user.request(method, path.format(quest_id=missing), {} if method == "POST" else None)[0] == 404
    for method, path in ADMIN:
        body = {"target": 1} if method == "PATCH" else None
        assert admin.request(method, path.format(quest_id=missing), body)[0] == 404
