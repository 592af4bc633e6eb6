"""Another user's sessions, sets, workouts, custom exercises and programs answer 404 on every route that takes an id,
and nothing of theirs changes. The routes are taken from template.yaml, so a new id route cannot be forgotten."""

import pytest
from momentum_infra import template as tpl

from tests.integration.fitness.helpers import workout_body

FITNESS_FUNCTIONS = {"FitnessFunction", "LogSetFunction"}


def id_routes():
    return {(r.method, r.path) for r in tpl.api_routes() if r.function in FITNESS_FUNCTIONS and "{" in r.path}


# (method, path, valid body): a valid body, so that a 404 cannot come from validation instead.
CASES = [
    ("GET", "/fitness/exercises/{exercise_id}", None),
    ("PATCH", "/fitness/exercises/{exercise_id}", {"name": "Taken over"}),
    ("DELETE", "/fitness/exercises/{exercise_id}", None),
    ("GET", "/fitness/workouts/{workout_id}", None),
    ("PUT", "/fitness/workouts/{workout_id}", "workout"),
    ("DELETE", "/fitness/workouts/{workout_id}", None),
    ("POST", "/fitness/workouts/{workout_id}/copy", None),
    ("GET", "/fitness/sessions/{session_id}", None),
    ("DELETE", "/fitness/sessions/{session_id}", None),
    ("POST", "/fitness/sessions/{session_id}/complete", {"rating": 1}),
    ("POST", "/fitness/sessions/{session_id}/sets", "set"),
    ("PATCH", "/fitness/sessions/{session_id}/sets/{set_id}", {"reps": 99}),
    ("DELETE", "/fitness/sessions/{session_id}/sets/{set_id}", None),
    ("GET", "/fitness/programs/{program_id}", None),
    ("PUT", "/fitness/programs/{program_id}", {"name": "Taken over", "duration_weeks": 1}),
    ("DELETE", "/fitness/programs/{program_id}", None),
    ("POST", "/fitness/programs/{program_id}/activate", None),
    ("POST", "/fitness/programs/{program_id}/advance", None),
    ("POST", "/fitness/programs/{program_id}/deactivate", None),
]


ISOLATED_ROUTES = {(method, path) for method, path, _ in CASES}


def test_every_fitness_id_route_is_covered():
    assert {(method, path) for method, path, _ in CASES} == id_routes()


@pytest.fixture()
def owned(caller, bench_press):
    """An owner with one of everything: a custom exercise, a private workout, an active program, a session with a
    set. Returns the owner, the path parameters and a snapshot of everything as the owner sees it."""
    owner = caller()
    exercise = owner.custom_exercise()
    workout = owner.workout([bench_press, exercise])
    session = owner.start_session(workout["id"])
    logged = owner.log(session, exercise, reps=8, weight=30.0)
    program = owner.post(
        "/fitness/programs",
        {
            "name": "Mine",
            "duration_weeks": 2,
            "weeks": [{"week_number": 1, "workouts": [{"workout_id": workout["id"], "day_of_week": 1}]}],
        },
    )
    owner.post(f"/fitness/programs/{program['id']}/activate", expect=200)
    ids = {
        "exercise_id": exercise,
        "workout_id": workout["id"],
        "session_id": session,
        "set_id": logged["set"]["id"],
        "program_id": program["id"],
    }
    return owner, ids


def snapshot(owner, ids):
    return [
        owner.get(f"/fitness/exercises/{ids['exercise_id']}"),
        owner.get(f"/fitness/workouts/{ids['workout_id']}"),
        owner.get(f"/fitness/sessions/{ids['session_id']}"),
        owner.get(f"/fitness/programs/{ids['program_id']}"),
        owner.get("/fitness/records"),
    ]


@pytest.mark.parametrize(("method", "path", "body"), CASES, ids=[f"{m} {p}" for m, p, _ in CASES])
def test_another_users_id_is_404_and_changes_nothing(caller, owned, bench_press, method, path, body):
    owner, ids = owned
    before = snapshot(owner, ids)
    intruder = caller()
    if body == "workout":
        body = workout_body([bench_press])
    elif body == "set":
        body = {"exercise_id": bench_press, "reps": 5}

    status, error = intruder.request(method, path.format(**ids), body)

    assert status == 404, error
    assert error["error"]["code"] == "not_found"
    assert snapshot(owner, ids) == before


def test_a_users_own_session_does_not_reach_another_users_set(caller, owned):
    owner, ids = owned
    intruder = caller()
    own_session = intruder.start_session()

    for method, body in (("PATCH", {"reps": 1}), ("DELETE", None)):
        status, _ = intruder.request(method, f"/fitness/sessions/{own_session}/sets/{ids['set_id']}", body)
        assert status == 404
    assert owner.get(f"/fitness/sessions/{ids['session_id']}")["exercises"][0]["sets"][0]["reps"] == 8


def test_lists_show_nothing_of_another_user(caller, owned):
    _, ids = owned
    intruder = caller()

    assert intruder.get("/fitness/sessions")["items"] == []
    assert intruder.get("/fitness/workouts")["items"] == []
    assert ids["workout_id"] not in [w["id"] for w in intruder.get("/fitness/workouts?visibility=public")["items"]]
    assert intruder.get("/fitness/programs")["items"] == []
    assert intruder.get("/fitness/records")["items"] == []
    assert intruder.get("/fitness/exercises?source=custom")["items"] == []
    assert intruder.get("/fitness/programs/active/today")["program"] is None
    assert all(w["volume"] == 0 for w in intruder.get("/fitness/stats")["weeks"])
