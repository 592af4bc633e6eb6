"""Another user's events, plans and templates answer 404 on every id route, and nothing changes."""

from __future__ import annotations

import pytest
from momentum_infra import template as tpl

CASES = [
    ("GET", "/calendar/events/{event_id}", None),
    ("PATCH", "/calendar/events/{event_id}", {"title": "Taken over"}),
    ("DELETE", "/calendar/events/{event_id}", None),
    ("POST", "/calendar/events/{event_id}/exceptions", {"original_start": "2027-01-02T09:00:00Z", "cancelled": True}),
    ("POST", "/plans/{day}/items/{item_id}/tick", {"done": True}),
    ("GET", "/plan-templates/{template_id}", None),
    ("PATCH", "/plan-templates/{template_id}", {"name": "Taken over"}),
    ("DELETE", "/plan-templates/{template_id}", None),
    ("POST", "/plan-templates/{template_id}/apply", {"date": "2027-01-05"}),
    ("POST", "/plan-templates/{template_id}/copy", {}),
]
# A date is not an id: GET /plans/{day} reads, and PUT writes, the caller's own plan of that date.
OWN_BY_DATE = {("GET", "/plans/{day}"), ("PUT", "/plans/{day}")}


# For tests/integration/test_isolation_coverage.py.
ISOLATED_ROUTES = {(method, path) for method, path, _ in CASES}
# A plan is addressed by its date: the caller's own plan for that day, never another person's row.
SHARED_ROUTES = {("GET", "/plans/{day}"), ("PUT", "/plans/{day}")}


def test_every_planning_id_route_is_covered():
    routes = {(r.method, r.path) for r in tpl.api_routes() if r.function == "PlanningFunction" and "{" in r.path}
    assert {(m, p) for m, p, _ in CASES} | OWN_BY_DATE == routes


@pytest.fixture()
def owned(caller):
    owner = caller()
    event = owner.post(
        "/calendar/events",
        {"title": "Mine", "start_time": "2027-01-01T09:00:00Z", "recurrence_rule": "FREQ=DAILY;COUNT=5"},
    )
    plan = owner.put("/plans/2027-01-01", {"items": [{"title": "Mine"}]})
    template = owner.post("/plan-templates", {"name": "Mine", "items": [{"title": "Mine"}]})
    ids = {
        "event_id": event["id"],
        "day": "2027-01-01",
        "item_id": plan["items"][0]["id"],
        "template_id": template["id"],
    }
    return owner, ids


def snapshot(owner, ids):
    return [
        owner.get(f"/calendar/events/{ids['event_id']}"),
        owner.get("/calendar/events?start=2027-01-01&end=2027-01-10"),
        owner.get(f"/plans/{ids['day']}"),
        owner.get(f"/plan-templates/{ids['template_id']}"),
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


def test_a_date_reads_and_writes_ones_own_plan(caller, owned):
    owner, ids = owned
    intruder = caller()
    assert intruder.request("GET", f"/plans/{ids['day']}")[0] == 404
    intruder.put(f"/plans/{ids['day']}", {"items": [{"title": "Theirs"}]})
    assert owner.get(f"/plans/{ids['day']}")["items"][0]["title"] == "Mine"


def test_lists_show_nothing_of_another_user(caller, owned):
    intruder = caller()
    assert intruder.get("/calendar/events?start=2027-01-01&end=2027-01-10") == []
    assert intruder.get("/plans")["items"] == []
    assert intruder.get("/plan-templates")["items"] == []
    assert intruder.request("GET", "/calendar/export?start=2027-01-01&end=2027-01-10")[1].count(b"BEGIN:VEVENT") == 0
