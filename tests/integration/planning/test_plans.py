"""Daily plans and templates: validated items, ticking a habit item completes the habit, templates applied and
copied with use_count."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.helpers import run_concurrently


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def test_a_plan_is_one_per_date_and_replaced_by_put(caller):
    user = caller()
    first = user.put("/plans/2027-02-01", {"items": [{"title": "Warm up", "start_time": "09:00", "end_time": "09:30"}]})
    second = user.put("/plans/2027-02-01", {"items": [{"title": "Mix"}], "notes": "Focus on the low end"})
    assert first["id"] == second["id"]
    assert [i["title"] for i in user.get("/plans/2027-02-01")["items"]] == ["Mix"]
    assert [p["date"] for p in user.get("/plans")["items"]] == ["2027-02-01"]


def test_items_are_validated(caller):
    user = caller()
    for items in (
        [{"title": ""}],
        [{"title": "x", "start_time": "10:00", "end_time": "09:00"}],
        [{"title": "x", "link": {"type": "lesson"}}],
        [{"title": "x", "link": {"type": "unknown", "id": "00000000-0000-0000-0000-000000000000"}}],
        [{"title": "x", "surprise": 1}],
    ):
        status, error = user.request("PUT", "/plans/2027-02-01", {"items": items})
        assert (status, error["error"]["code"]) == (422, "invalid_input"), items
    status, error = user.request(
        "PUT",
        "/plans/2027-02-01",
        {"items": [{"title": "x", "link": {"type": "habit", "id": "00000000-0000-0000-0000-000000000000"}}]},
    )
    assert (status, error["error"]["code"]) == (422, "unknown_link")
    assert user.request("GET", "/plans/not-a-date")[0] == 404


def test_ticking_a_habit_item_today_completes_the_habit_once(caller, conn):
    user = caller()
    habit = user.post("/habits", {"name": "Ear training"})
    plan = user.put(f"/plans/{today()}", {"items": [{"title": "Ears", "link": {"type": "habit", "id": habit["id"]}}]})
    item = plan["items"][0]["id"]

    ticked = user.post(f"/plans/{today()}/items/{item}/tick", {"done": True}, expect=200)

    assert ticked["habit_completed"] is True
    assert ticked["plan"]["items"][0]["done"] is True
    assert user.get(f"/habits/{habit['id']}")["period_count"] == 1
    user.post(f"/plans/{today()}/items/{item}/tick", {"done": False}, expect=200)
    again = user.post(f"/plans/{today()}/items/{item}/tick", {"done": True}, expect=200)
    assert again["habit_completed"] is False  # done for today already; the tick still counts
    assert user.wallet()["coins"] == 2


def test_concurrent_ticks_complete_the_habit_once(caller):
    user = caller()
    habit = user.post("/habits", {"name": "Scales"})
    plan = user.put(f"/plans/{today()}", {"items": [{"title": "Scales", "link": {"type": "habit", "id": habit["id"]}}]})
    item = plan["items"][0]["id"]
    results = run_concurrently(
        lambda i: user.request("POST", f"/plans/{today()}/items/{item}/tick", {"done": True})[1]["habit_completed"], 6
    )
    assert sorted(results) == [False] * 5 + [True]
    assert user.wallet()["coins"] == 2


def test_ticking_on_another_date_does_not_complete_the_habit(caller):
    user = caller()
    habit = user.post("/habits", {"name": "Scales"})
    plan = user.put("/plans/2020-01-01", {"items": [{"title": "Old", "link": {"type": "habit", "id": habit["id"]}}]})
    ticked = user.post(f"/plans/2020-01-01/items/{plan['items'][0]['id']}/tick", {}, expect=200)
    assert ticked["habit_completed"] is False
    assert user.get(f"/habits/{habit['id']}")["period_count"] == 0


def test_templates_apply_and_copy_count_their_uses(caller):
    author, user = caller(), caller()
    habit = author.post("/habits", {"name": "Author's"})
    template = author.post(
        "/plan-templates",
        {
            "name": "Producer morning",
            "is_public": True,
            "items": [{"title": "Journal"}, {"title": "Habit", "link": {"type": "habit", "id": habit["id"]}}],
        },
    )

    plan = user.post(f"/plan-templates/{template['id']}/apply", {"date": "2027-04-01"}, expect=200)
    copy = user.post(f"/plan-templates/{template['id']}/copy")

    assert [i["title"] for i in plan["items"]] == ["Journal", "Habit"]
    assert plan["items"][1]["link"] is None  # another person's habit is not linked
    assert {i["id"] for i in plan["items"]}.isdisjoint({i["id"] for i in template["items"]})
    assert (copy["is_public"], copy["is_mine"]) == (False, True)
    assert author.get(f"/plan-templates/{template['id']}")["use_count"] == 2
    assert template["id"] in [t["id"] for t in user.get("/plan-templates?scope=public")["items"]]


def test_a_private_template_is_anothers_404_and_a_public_one_is_read_only(caller):
    author, user = caller(), caller()
    private = author.post("/plan-templates", {"name": "Mine"})
    public = author.post("/plan-templates", {"name": "Ours", "is_public": True})
    for method, path, body in (
        ("GET", f"/plan-templates/{private['id']}", None),
        ("POST", f"/plan-templates/{private['id']}/apply", {"date": "2027-01-01"}),
        ("POST", f"/plan-templates/{private['id']}/copy", {}),
        ("PATCH", f"/plan-templates/{public['id']}", {"name": "Taken over"}),
        ("DELETE", f"/plan-templates/{public['id']}", None),
    ):
        assert user.request(method, path, body)[0] == 404, (method, path)
    assert author.get(f"/plan-templates/{public['id']}")["name"] == "Ours"
