"""Another user's inbox items, ideas, infobase entries, references and feedback answer 404 on every route that
takes their id, and nothing of theirs changes; every admin route answers 403 to a user. The routes are read
from template.yaml, so a new route cannot be forgotten."""

import json
import re

import pytest
from momentum_infra import template as tpl

ID_ROUTES = sorted(
    {
        (r.method, r.path)
        for r in tpl.api_routes()
        if r.function == "PlatformFunction" and re.search(r"{\w+_id}", r.path)
    }
)
ADMIN_ROUTES = sorted((r.method, r.path) for r in tpl.api_routes() if r.function == "AdminFunction")

# For tests/integration/test_isolation_coverage.py: the id routes shown below to be the owner's alone, and the ones
# whose path parameter names no user's row (a flag, a flow, a step, the user an admin acts on, a setting's key: a
# person's settings are always their own rows).
ISOLATED_ROUTES = set(ID_ROUTES)
SHARED_ROUTES = {
    (r.method, r.path)
    for r in tpl.api_routes()
    if "{" in r.path
    and (
        (
            r.function == "AdminFunction"
            and re.search(r"{(flag|flow|step|feedback)_id}|^/admin/users/{user_id}(/roles.*)?$", r.path)
        )
        or r.path == "/me/settings/{key}"
    )
}

# (method, path) -> a valid body, so that a 404 cannot come from validation instead
BODIES = {
    ("PATCH", "/capture/inbox/{item_id}"): {"title": "Taken over"},
    ("POST", "/capture/inbox/{item_id}/convert"): {"to": "idea"},
    ("PATCH", "/capture/ideas/{idea_id}"): {"is_pinned": True},
    ("PATCH", "/capture/infobase/{entry_id}"): {"content": "Taken over"},
    ("PATCH", "/capture/references/{reference_id}"): {"is_archived": True},
}


def test_every_platform_id_route_is_covered():
    assert (
        sorted(
            {
                ("GET", "/capture/inbox/{item_id}"),
                ("PATCH", "/capture/inbox/{item_id}"),
                ("DELETE", "/capture/inbox/{item_id}"),
                ("POST", "/capture/inbox/{item_id}/process"),
                ("POST", "/capture/inbox/{item_id}/convert"),
                ("GET", "/capture/ideas/{idea_id}"),
                ("PATCH", "/capture/ideas/{idea_id}"),
                ("DELETE", "/capture/ideas/{idea_id}"),
                ("GET", "/capture/infobase/{entry_id}"),
                ("PATCH", "/capture/infobase/{entry_id}"),
                ("DELETE", "/capture/infobase/{entry_id}"),
                ("GET", "/capture/references/{reference_id}"),
                ("PATCH", "/capture/references/{reference_id}"),
                ("DELETE", "/capture/references/{reference_id}"),
                ("GET", "/feedback/{feedback_id}"),
            }
        )
        == ID_ROUTES
    )


@pytest.fixture()
def owned(caller):
    owner = caller()
    ids = {
        "item_id": owner.post("/capture/inbox", {"title": "Mine", "tags": ["private"]})["id"],
        "idea_id": owner.post("/capture/ideas", {"title": "Mine"})["id"],
        "entry_id": owner.post("/capture/infobase", {"title": "Mine", "content": "Secret"})["id"],
        "reference_id": owner.post("/capture/references", {"title": "Mine", "url": "https://example.com"})["id"],
        "feedback_id": owner.post("/feedback", {"feedback_type": "bug", "title": "Mine", "description": "x"})["id"],
    }
    return owner, ids


def snapshot(owner, ids):
    return [
        owner.get(f"/capture/inbox/{ids['item_id']}"),
        owner.get(f"/capture/ideas/{ids['idea_id']}"),
        owner.get(f"/capture/infobase/{ids['entry_id']}"),
        owner.get(f"/capture/references/{ids['reference_id']}"),
        owner.get(f"/feedback/{ids['feedback_id']}"),
        owner.get("/capture/ideas")["items"],
    ]


@pytest.mark.parametrize(("method", "path"), ID_ROUTES, ids=[f"{m} {p}" for m, p in ID_ROUTES])
def test_another_users_id_is_404_and_changes_nothing(caller, owned, method, path):
    owner, ids = owned
    before = snapshot(owner, ids)
    intruder = caller()

    status, error = intruder.request(method, path.format(**ids), BODIES.get((method, path), {}))

    assert status == 404, error
    assert error["error"]["code"] == "not_found"
    assert snapshot(owner, ids) == before


def test_lists_and_searches_show_nothing_of_another_user(caller, owned):
    intruder = caller()
    for base in ("/capture/inbox", "/capture/ideas", "/capture/infobase", "/capture/references", "/feedback"):
        assert intruder.get(base)["items"] == []
    assert intruder.get("/capture/inbox?tag=private")["items"] == []
    assert intruder.get("/capture/infobase?q=secret")["items"] == []


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES, ids=[f"{m} {p}" for m, p in ADMIN_ROUTES])
def test_admin_routes_are_403_to_a_user(api, make_user, method, path):
    user, target = make_user(), make_user()
    concrete = re.sub(r"{(\w+)}", lambda m: str(target.id) if m.group(1) == "user_id" else "admin", path)
    concrete = concrete.replace("admin/onboarding/flows/admin", f"admin/onboarding/flows/{target.id}")
    response = api("admin").request(method, concrete, headers=user.headers, body=json.dumps({}).encode())
    assert response.status_code == 403, (method, concrete, response.body)
    assert json.loads(response.body)["error"]["code"] == "forbidden"


def test_a_user_does_not_answer_a_step_of_a_flow_that_is_not_active(caller, conn):
    admin, me = caller(admin=True), caller()
    hidden = admin.post(
        "/admin/onboarding/flows",
        {"name": f"hidden-{me.id}", "is_active": False, "steps": [{"step_type": "question", "title": "Q"}]},
    )
    active = admin.post(
        "/admin/onboarding/flows", {"name": f"active-{me.id}", "steps": [{"step_type": "welcome", "title": "Hi"}]}
    )
    conn.execute("UPDATE onboarding_flows SET is_active = (id = %s)", (active["id"],))
    me.post("/onboarding/start", expect=200)
    status, _ = me.request("POST", "/onboarding/answers", {"step_id": hidden["steps"][0]["id"], "value": "x"})
    assert status == 404
