"""Who may do what: another user's rounds and review cards answer 404 and change nothing; authoring routes answer
403 to learners; inactive curriculum answers 404. And no learner-facing response carries an answer before it is
graded. Routes are taken from template.yaml, so a new route cannot be forgotten."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from momentum_infra import template as tpl

from functions.learn.app import app
from tests.integration.learn.conftest import answers_for, right_answers, round_items

ROUTES = [r for r in tpl.api_routes() if r.function == "LearnFunction"]
AUTH = {(op.method, op.path): op.auth for op in app.operations}
ADMIN_ROUTES = sorted((r.method, r.path) for r in ROUTES if AUTH[(r.method, r.path)] == "admin")
LEARNER_ROUTES = sorted((r.method, r.path) for r in ROUTES if AUTH[(r.method, r.path)] == "user")
OWNED = [(m, p) for m, p in LEARNER_ROUTES if re.search(r"{(round|card)_id}", p)]
BODIES: dict[str, Any] = {
    "/learn/rounds/{round_id}/submit": {"answers": [], "time_seconds": 1},
    "/learn/review/{card_id}": {"answer": "x", "grade": "good"},
}


def fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"{(\w+)}", lambda m: ids[m.group(1)], path)


@pytest.fixture()
def owner_with_things(learner, curriculum, conn):
    """A learner with an open drill round and a due review card."""
    owner = learner()
    lesson_id = curriculum["lessons"]["mt-notes-and-octaves"]
    owner.post(f"/learn/lessons/{lesson_id}/quiz", {"answers": right_answers(conn, lesson_id)}, 201)
    conn.execute("UPDATE learn_review_cards SET due = now() - interval '1 second' WHERE user_id = %s", (owner.id,))
    round_ = owner.post(f"/learn/drills/{curriculum['drills']['notes-bass']}/rounds", expect=201)
    card = owner.get("/learn/review")["items"][0]
    return owner, {"round_id": round_["id"], "card_id": card["card_id"]}


# Learner routes on shared curriculum ids: everyone reads the same lesson, each with their own progress.
CATALOG = [
    ("GET", "/learn/drills/{drill_id}"),
    ("GET", "/learn/lessons/{lesson_id}"),
    ("GET", "/learn/topics/{topic_id}"),
    ("POST", "/learn/drills/{drill_id}/rounds"),
    ("POST", "/learn/lessons/{lesson_id}/quiz"),
    ("POST", "/learn/lessons/{lesson_id}/start"),
]


# For tests/integration/test_isolation_coverage.py.
ISOLATED_ROUTES = set(OWNED)
SHARED_ROUTES = set(CATALOG) | {route for route in ADMIN_ROUTES if "{" in route[1]}


def test_every_id_route_is_owned_catalog_or_admin():
    assert OWNED == [("POST", "/learn/review/{card_id}"), ("POST", "/learn/rounds/{round_id}/submit")]
    id_routes = {(r.method, r.path) for r in ROUTES if "{" in r.path}
    admin_id_routes = {route for route in ADMIN_ROUTES if "{" in route[1]}
    assert id_routes == set(OWNED) | set(CATALOG) | admin_id_routes
    assert not set(CATALOG) & admin_id_routes


def test_curriculum_routes_show_each_learner_only_their_own_progress(learner, curriculum, conn, owner_with_things):
    owner, _ = owner_with_things  # passed mt-notes-and-octaves, has a round of notes-bass open
    drill_id = curriculum["drills"]["notes-bass"]
    issued = owner.post(f"/learn/drills/{drill_id}/rounds", expect=201)
    owner.post(f"/learn/rounds/{issued['id']}/submit", {"answers": [], "time_seconds": 1})
    other = learner()

    lesson = other.get(f"/learn/lessons/{curriculum['lessons']['mt-notes-and-octaves']}")
    assert lesson["progress"] == {
        "status": "not_started",
        "started_at": None,
        "completed_at": None,
        "best_score": None,
        "latest_score": None,
        "attempts": 0,
    }
    assert other.get(f"/learn/drills/{drill_id}")["stats"]["total_attempts"] == 0
    theory = other.get(f"/learn/topics/{curriculum['topics']['music_theory']}")
    assert all(item["status"] == "not_started" for item in theory["lessons"])
    assert all(t["lessons_completed"] == 0 for t in other.get("/learn/topics?limit=100")["items"])
    progress = other.get("/learn/progress")
    assert (progress["lessons_completed"], progress["reviews_due"], progress["drill_rounds"]) == (0, 0, 0)
    assert other.get("/learn/review")["items"] == []


@pytest.mark.parametrize(("method", "path"), OWNED, ids=[f"{m} {p}" for m, p in OWNED])
def test_another_users_round_or_card_is_404_and_changes_nothing(learner, owner_with_things, conn, method, path):
    owner, ids = owner_with_things
    before = owner.get("/learn/review"), owner.get("/learn/progress")
    intruder = learner()

    status, error = intruder.request(method, fill(path, ids), BODIES[path])

    assert (status, error["error"]["code"]) == (404, "not_found")
    assert (owner.get("/learn/review"), owner.get("/learn/progress")) == before
    assert conn.execute("SELECT submitted_at FROM learn_drill_rounds WHERE id = %s", (ids["round_id"],)).fetchone() == (
        None,
    )


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES, ids=[f"{m} {p}" for m, p in ADMIN_ROUTES])
def test_authoring_is_403_for_learners_and_changes_nothing(learner, curriculum, conn, method, path):
    me = learner()
    ids = {
        "topic_id": curriculum["topics"]["rhythm"],
        "lesson_id": curriculum["lessons"]["rh-tempo-and-time"],
        "drill_id": curriculum["drills"]["tempo-tap-steady"],
    }
    counts = (
        "SELECT (SELECT count(*) FROM learn_topics), (SELECT count(*) FROM learn_lessons), "
        "(SELECT count(*) FROM learn_drills), (SELECT name FROM learn_topics WHERE key = 'rhythm')"
    )
    before = conn.execute(counts).fetchone()

    status, error = me.request(method, fill(path, ids), {"name": "Mine now"} if method == "PATCH" else {})

    assert (status, error["error"]["code"]) == (403, "forbidden")
    assert conn.execute(counts).fetchone() == before


def test_inactive_curriculum_is_404_to_learners(learner, curriculum, conn):
    admin, me = learner(admin=True), learner()
    topic = admin.post(
        "/learn/topics", {"key": "hidden-topic", "name": "Hidden", "category": "theory", "is_active": False}, 201
    )
    drill = admin.post(
        "/learn/drills",
        {
            "topic_id": topic["id"],
            "key": "hidden-drill",
            "title": "Hidden",
            "drill_type": "flashcard",
            "config": {"generator": "note_name"},
        },
        201,
    )
    assert me.request("GET", f"/learn/topics/{topic['id']}")[0] == 404
    assert me.request("GET", f"/learn/drills/{drill['id']}")[0] == 404
    assert me.request("POST", f"/learn/drills/{drill['id']}/rounds", {})[0] == 404
    assert "hidden-topic" not in [t["key"] for t in me.get("/learn/topics?limit=100")["items"]]
    admin.request("DELETE", f"/learn/topics/{topic['id']}", expect=204)


# ---------------------------------------------------------------- no answers before grading

# Keys that would carry an answer (or what generates it) if a response leaked one.
SECRET_KEYS = {"answer", "answers", "correct_answer", "tolerance", "explanation", "seed"}
# Submitting is where answers are revealed, with the grading: these responses show them by design.
GRADING_ROUTES = {
    ("POST", "/learn/lessons/{lesson_id}/quiz"),
    ("POST", "/learn/rounds/{round_id}/submit"),
    ("POST", "/learn/review/{card_id}"),
}


def keys_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_in(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_in(v)}
    return set()


def test_no_learner_route_returns_an_answer_before_grading(learner, curriculum, conn):
    me = learner()
    walked: dict[tuple[str, str], list[Any]] = {}

    def call(method, template, ids, body=None, expect=200):
        status, data = me.request(method, fill(template, ids), body, expect=expect)
        walked.setdefault((method, template), []).append(data)
        return data

    topics = call("GET", "/learn/topics", {})
    call("GET", "/learn/progress", {})
    for topic in topics["items"]:
        call("GET", "/learn/topics/{topic_id}", {"topic_id": topic["id"]})
    for lesson_id in curriculum["lessons"].values():
        call("GET", "/learn/lessons/{lesson_id}", {"lesson_id": lesson_id})
    lesson_id = curriculum["lessons"]["mt-intervals"]
    call("POST", "/learn/lessons/{lesson_id}/start", {"lesson_id": lesson_id})
    me.post(f"/learn/lessons/{lesson_id}/quiz", {"answers": right_answers(conn, lesson_id)}, 201)
    seeds = []
    for drill_id in curriculum["drills"].values():
        call("GET", "/learn/drills/{drill_id}", {"drill_id": drill_id})
        issued = call("POST", "/learn/drills/{drill_id}/rounds", {"drill_id": drill_id}, {}, expect=201)
        seeds.append(conn.execute("SELECT seed FROM learn_drill_rounds WHERE id = %s", (issued["id"],)).fetchone()[0])
        body = {"answers": answers_for(round_items(conn, issued["id"])), "time_seconds": 1}
        me.post(f"/learn/rounds/{issued['id']}/submit", body)
    conn.execute("UPDATE learn_review_cards SET due = now() - interval '1 second' WHERE user_id = %s", (me.id,))
    queue = call("GET", "/learn/review", {}, None)
    assert {i["kind"] for i in queue["items"]} == {"question", "drill"}
    call("GET", "/learn/lessons/{lesson_id}", {"lesson_id": lesson_id})  # after passing, still no answers
    call("GET", "/learn/progress", {})

    assert set(walked) == set(LEARNER_ROUTES) - GRADING_ROUTES
    explanations = conn.execute(
        "SELECT q->>'explanation' FROM learn_lessons, jsonb_array_elements(quiz_json->'questions') q "
        "WHERE q ? 'explanation'"
    ).fetchall()
    for route, responses in walked.items():
        for data in responses:
            assert not keys_in(data) & SECRET_KEYS, route
            text = json.dumps(data)
            assert not any(e in text for (e,) in explanations), route
            assert not any(str(s) in text for s in seeds), route
