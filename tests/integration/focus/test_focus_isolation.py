"""Another user's focus sessions, libraries and tracks answer 404 on every id route, and nothing changes."""

from __future__ import annotations

import pytest
from momentum_infra import template as tpl

CASES = [
    ("GET", "/focus/sessions/{session_id}", None),
    ("POST", "/focus/sessions/{session_id}/pause", {}),
    ("POST", "/focus/sessions/{session_id}/resume", {}),
    ("POST", "/focus/sessions/{session_id}/complete", {}),
    ("POST", "/focus/sessions/{session_id}/abandon", {}),
    ("GET", "/focus/libraries/{library_id}", None),
    ("PATCH", "/focus/libraries/{library_id}", {"name": "Taken over"}),
    ("DELETE", "/focus/libraries/{library_id}", None),
    ("POST", "/focus/libraries/{library_id}/tracks", {"track_title": "Intruder"}),
    ("DELETE", "/focus/libraries/{library_id}/tracks/{track_id}", None),
]


# For tests/integration/test_isolation_coverage.py.
ISOLATED_ROUTES = {(method, path) for method, path, _ in CASES}


def test_every_focus_id_route_is_covered():
    routes = {(r.method, r.path) for r in tpl.api_routes() if r.function == "FocusFunction" and "{" in r.path}
    assert {(m, p) for m, p, _ in CASES} == routes


@pytest.fixture()
def owned(caller):
    owner = caller()
    session = owner.post("/focus/sessions", {"duration_seconds": 1500})
    library = owner.post("/focus/libraries", {"name": "Mine"})
    library = owner.post(f"/focus/libraries/{library['id']}/tracks", {"track_title": "Rain"})
    ids = {"session_id": session["id"], "library_id": library["id"], "track_id": library["tracks"][0]["id"]}
    return owner, ids


def snapshot(owner, ids):
    session = owner.get(f"/focus/sessions/{ids['session_id']}")
    session.pop("remaining_seconds"), session.pop("focused_seconds")  # the clock runs between the two reads
    return [session, owner.get(f"/focus/libraries/{ids['library_id']}"), owner.wallet()]


@pytest.mark.parametrize(("method", "path", "body"), CASES, ids=[f"{m} {p}" for m, p, _ in CASES])
def test_another_users_id_is_404_and_changes_nothing(caller, owned, method, path, body):
    owner, ids = owned
    before = snapshot(owner, ids)
    intruder = caller()

    status, error = intruder.request(method, path.format(**ids), body)

    assert status == 404, error
    assert error["error"]["code"] == "not_found"
    assert snapshot(owner, ids) == before


def test_another_users_track_in_ones_own_library_is_404(caller, owned):
    owner, ids = owned
    intruder = caller()
    library = intruder.post("/focus/libraries", {"name": "Mine"})
    status, _ = intruder.request("DELETE", f"/focus/libraries/{library['id']}/tracks/{ids['track_id']}")
    assert status == 404
    assert owner.get(f"/focus/libraries/{ids['library_id']}")["tracks_count"] == 1


def test_lists_show_nothing_of_another_user(caller, owned):
    intruder = caller()
    assert intruder.get("/focus/sessions")["items"] == []
    assert intruder.get("/focus/libraries")["items"] == []
    assert intruder.request("GET", "/focus/current")[0] == 404
