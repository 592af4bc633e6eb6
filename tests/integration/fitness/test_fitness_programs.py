"""Training programs: nested documents of weeks and scheduled workouts, one active program per user, advancing
week by week, and today's workouts with scaled target weights."""

import uuid
from datetime import UTC, datetime

import pytest
from momentum import db
from momentum_infra import localstack
from momentum_infra import template as tpl

from tests.helpers import run_concurrently


def program_body(workout_id, weeks=3, name="Strength block"):
    """Week 1 on Monday and Thursday, week 2 a deload on Monday, week 3 left empty (a rest week)."""
    return {
        "name": name,
        "description": "Three weeks",
        "duration_weeks": weeks,
        "goal": "strength",
        "difficulty": "advanced",
        "weeks": [
            {
                "week_number": 1,
                "name": "Volume",
                "workouts": [
                    {"workout_id": workout_id, "day_of_week": 1, "intensity_modifier": 1.0},
                    {"workout_id": workout_id, "day_of_week": 4, "order_index": 0, "intensity_modifier": 1.1},
                    {"workout_id": workout_id, "day_of_week": 4, "order_index": 1, "intensity_modifier": 0.5},
                ],
            },
            {
                "week_number": 2,
                "name": "Deload",
                "is_deload": True,
                "notes": "Go easy",
                "workouts": [{"workout_id": workout_id, "day_of_week": 1, "intensity_modifier": 0.6}],
            },
        ],
    }


@pytest.fixture()
def me_with_workout(caller, bench_press, squat):
    me = caller()
    return me, me.workout([bench_press, squat])  # target weights 50 and 60


def test_a_program_is_created_and_read_as_one_document(me_with_workout):
    me, workout = me_with_workout

    program = me.post("/fitness/programs", program_body(workout["id"]))

    assert (program["is_active"], program["current_week"], program["started_at"]) == (False, 1, None)
    assert [
        (
            w["week_number"],
            w["name"],
            w["is_deload"],
            [(s["day_of_week"], s["order_index"], s["intensity_modifier"], s["workout_name"]) for s in w["workouts"]],
        )
        for w in program["weeks"]
    ] == [
        (
            1,
            "Volume",
            False,
            [(1, 0, 1.0, "Push day"), (4, 0, pytest.approx(1.1), "Push day"), (4, 1, 0.5, "Push day")],
        ),
        (2, "Deload", True, [(1, 0, pytest.approx(0.6), "Push day")]),
    ]
    assert me.get(f"/fitness/programs/{program['id']}") == program
    assert [p["id"] for p in me.get("/fitness/programs")["items"]] == [program["id"]]


def test_replacing_a_program_keeps_its_progress(me_with_workout):
    me, workout = me_with_workout
    program = me.post("/fitness/programs", program_body(workout["id"]))
    me.post(f"/fitness/programs/{program['id']}/activate", expect=200)
    me.post(f"/fitness/programs/{program['id']}/advance", expect=200)

    replaced = me.put(
        f"/fitness/programs/{program['id']}",
        {
            "name": "Renamed",
            "duration_weeks": 4,
            "weeks": [{"week_number": 4, "workouts": [{"workout_id": workout["id"], "day_of_week": 6}]}],
        },
    )

    assert (replaced["name"], replaced["duration_weeks"], replaced["is_active"], replaced["current_week"]) == (
        "Renamed",
        4,
        True,
        2,
    )
    assert [w["week_number"] for w in replaced["weeks"]] == [4]


def test_an_active_program_cannot_end_before_its_current_week(me_with_workout):
    me, workout = me_with_workout
    program = me.post("/fitness/programs", program_body(workout["id"]))
    me.post(f"/fitness/programs/{program['id']}/activate", expect=200)
    me.post(f"/fitness/programs/{program['id']}/advance", expect=200)
    me.post(f"/fitness/programs/{program['id']}/advance", expect=200)

    status, error = me.request("PUT", f"/fitness/programs/{program['id']}", {"name": "Short", "duration_weeks": 2})

    assert (status, error["error"]["code"]) == (409, "program_week_out_of_range")
    assert me.get(f"/fitness/programs/{program['id']}")["name"] == "Strength block"


def test_a_program_schedules_its_owners_own_workouts_only(caller, bench_press):
    me, other = caller(), caller()
    public = other.workout([bench_press], is_public=True)

    status, error = me.request("POST", "/fitness/programs", program_body(public["id"]))

    assert (status, error["error"]["code"], error["error"]["details"]) == (
        422,
        "unknown_workout",
        {"workout_ids": [public["id"]]},
    )
    copy = me.post(f"/fitness/workouts/{public['id']}/copy")
    assert me.post("/fitness/programs", program_body(copy["id"]))["weeks"][0]["workouts"][0]["workout_id"] == copy["id"]


def test_one_active_program_at_a_time(me_with_workout):
    me, workout = me_with_workout
    first = me.post("/fitness/programs", program_body(workout["id"], name="First"))
    second = me.post("/fitness/programs", program_body(workout["id"], name="Second"))

    me.post(f"/fitness/programs/{first['id']}/activate", expect=200)
    activated = me.post(f"/fitness/programs/{second['id']}/activate", expect=200)

    assert activated["is_active"] and activated["current_week"] == 1 and activated["started_at"]
    assert me.get(f"/fitness/programs/{first['id']}")["is_active"] is False


def test_activating_the_active_program_again_changes_nothing(me_with_workout):
    me, workout = me_with_workout
    program = me.post("/fitness/programs", program_body(workout["id"]))
    me.post(f"/fitness/programs/{program['id']}/activate", expect=200)
    advanced = me.post(f"/fitness/programs/{program['id']}/advance", expect=200)

    again = me.post(f"/fitness/programs/{program['id']}/activate", expect=200)

    assert again == advanced and again["current_week"] == 2


def test_concurrent_activations_leave_exactly_one_active(me_with_workout, database_url):
    me, workout = me_with_workout
    programs = [me.post("/fitness/programs", program_body(workout["id"], name=f"P{i}"))["id"] for i in range(8)]

    results = run_concurrently(lambda i: me.request("POST", f"/fitness/programs/{programs[i]}/activate"), 8)

    assert [status for status, _ in results] == [200] * 8
    with db.connect(database_url) as conn:
        active = conn.execute(
            "SELECT count(*) FROM training_programs WHERE user_id = %s AND is_active", (me.id,)
        ).fetchone()
    assert active == (1,)


def test_advancing_walks_the_weeks_then_completes(me_with_workout):
    me, workout = me_with_workout
    program = me.post("/fitness/programs", program_body(workout["id"], weeks=2))
    status, error = me.request("POST", f"/fitness/programs/{program['id']}/advance")
    assert (status, error["error"]["code"]) == (409, "program_not_active")
    me.post(f"/fitness/programs/{program['id']}/activate", expect=200)

    week_two = me.post(f"/fitness/programs/{program['id']}/advance", expect=200)
    finished = me.post(f"/fitness/programs/{program['id']}/advance", expect=200)

    assert (week_two["current_week"], week_two["is_active"], week_two["completed_at"]) == (2, True, None)
    assert (finished["current_week"], finished["is_active"]) == (2, False)
    assert finished["completed_at"] is not None
    assert me.request("POST", f"/fitness/programs/{program['id']}/advance")[0] == 409
    restarted = me.post(f"/fitness/programs/{program['id']}/activate", expect=200)
    assert (restarted["current_week"], restarted["is_active"], restarted["completed_at"]) == (1, True, None)


def test_deactivating_stops_the_program_where_it_is(me_with_workout):
    me, workout = me_with_workout
    program = me.post("/fitness/programs", program_body(workout["id"]))
    me.post(f"/fitness/programs/{program['id']}/activate", expect=200)
    me.post(f"/fitness/programs/{program['id']}/advance", expect=200)

    stopped = me.post(f"/fitness/programs/{program['id']}/deactivate", expect=200)

    assert (stopped["is_active"], stopped["current_week"]) == (False, 2)
    assert me.get("/fitness/programs/active/today")["program"] is None


def test_today_lists_the_scheduled_workouts_with_scaled_weights(me_with_workout):
    me, workout = me_with_workout
    program = me.post("/fitness/programs", program_body(workout["id"]))
    me.post(f"/fitness/programs/{program['id']}/activate", expect=200)

    thursday = me.get("/fitness/programs/active/today?day_of_week=4")

    assert (thursday["program"]["id"], thursday["week_number"], thursday["week_name"], thursday["is_deload"]) == (
        program["id"],
        1,
        "Volume",
        False,
    )
    targets = [[e["weight"] for s in w["workout"]["sections"] for e in s["exercises"]] for w in thursday["workouts"]]
    assert [w["order_index"] for w in thursday["workouts"]] == [0, 1]
    assert targets == [[55.0, 66.0], [25.0, 30.0]]  # 50 and 60 × 1.1, then × 0.5
    assert me.get(f"/fitness/workouts/{workout['id']}")["sections"][1]["exercises"][0]["weight"] == 50.0
    assert me.get("/fitness/programs/active/today?day_of_week=0")["workouts"] == []

    me.post(f"/fitness/programs/{program['id']}/advance", expect=200)
    monday = me.get("/fitness/programs/active/today?day_of_week=1")
    assert (monday["week_number"], monday["is_deload"]) == (2, True)
    assert [e["weight"] for e in monday["workouts"][0]["workout"]["sections"][1]["exercises"]] == [30.0, 36.0]

    me.post(f"/fitness/programs/{program['id']}/advance", expect=200)
    rest_week = me.get("/fitness/programs/active/today?day_of_week=1")
    assert (rest_week["week_number"], rest_week["workouts"]) == (3, [])


def test_today_defaults_to_the_utc_weekday(me_with_workout):
    me, workout = me_with_workout
    body = {
        "name": "Daily",
        "duration_weeks": 1,
        "weeks": [
            {
                "week_number": 1,
                "workouts": [
                    {"workout_id": workout["id"], "day_of_week": day, "intensity_modifier": 1 + day / 10}
                    for day in range(7)
                ],
            }
        ],
    }
    program = me.post("/fitness/programs", body)
    me.post(f"/fitness/programs/{program['id']}/activate", expect=200)

    today = me.get("/fitness/programs/active/today")

    weekday = datetime.now(UTC).isoweekday() % 7
    assert today["day_of_week"] == weekday
    assert [w["intensity_modifier"] for w in today["workouts"]] == [pytest.approx(1 + weekday / 10)]


def test_today_without_an_active_program_is_empty(caller):
    today = caller().get("/fitness/programs/active/today")
    assert (today["program"], today["workouts"]) == (None, [])


def test_the_active_path_is_not_a_program_id(caller, me_with_workout):
    me, _ = me_with_workout

    status, error = me.request("GET", "/fitness/programs/active")

    assert (status, error["error"]["details"]) == (404, {"resource": "program"})
    # The local stack (like API Gateway) routes the literal path to today, never to /{program_id}/…
    router = localstack.Router(tpl.api_routes())
    route, params, _ = router.match("GET", "/fitness/programs/active/today")
    assert (route.path, params) == ("/fitness/programs/active/today", {})
    route, params, _ = router.match("GET", "/fitness/programs/active")
    assert (route.path, params) == ("/fitness/programs/{program_id}", {"program_id": "active"})


def test_deleting_a_program_removes_its_weeks(me_with_workout, conn):
    me, workout = me_with_workout
    program = me.post("/fitness/programs", program_body(workout["id"]))

    me.delete(f"/fitness/programs/{program['id']}")

    assert me.request("GET", f"/fitness/programs/{program['id']}")[0] == 404
    assert conn.execute("SELECT count(*) FROM program_weeks WHERE program_id = %s", (program["id"],)).fetchone() == (0,)
    me.delete(f"/fitness/workouts/{workout['id']}")  # no longer scheduled


@pytest.mark.parametrize(
    "change",
    [
        {"duration_weeks": 0},
        {"duration_weeks": 105},
        {"name": ""},
        {"difficulty": "elite"},
        {"weeks": [{"week_number": 4}]},  # beyond duration_weeks
        {"weeks": [{"week_number": 1}, {"week_number": 1}]},
        {"weeks": [{"week_number": 0}]},
        {"weeks": [{"week_number": 1, "workouts": [{"workout_id": str(uuid.uuid4()), "day_of_week": 7}]}]},
        {"weeks": [{"week_number": 1, "workouts": [{"workout_id": str(uuid.uuid4()), "day_of_week": -1}]}]},
        {
            "weeks": [
                {
                    "week_number": 1,
                    "workouts": [{"workout_id": str(uuid.uuid4()), "day_of_week": 1, "intensity_modifier": 0}],
                }
            ]
        },
        {
            "weeks": [
                {
                    "week_number": 1,
                    "workouts": [{"workout_id": str(uuid.uuid4()), "day_of_week": 1, "intensity_modifier": 2.5}],
                }
            ]
        },
        {
            "weeks": [
                {
                    "week_number": 1,
                    "workouts": [
                        {"workout_id": str(uuid.uuid4()), "day_of_week": 1},
                        {"workout_id": str(uuid.uuid4()), "day_of_week": 1},
                    ],
                }
            ]
        },
        {
            "weeks": [
                {"week_number": 1, "workouts": [{"workout_id": str(uuid.uuid4()), "day_of_week": 1, "order_index": -1}]}
            ]
        },
        {"is_active": True},
        {"current_week": 2},
    ],
)
def test_invalid_programs_are_422(caller, change):
    me = caller()
    status, error = me.request("POST", "/fitness/programs", {"name": "P", "duration_weeks": 3} | change)
    assert (status, error["error"]["code"]) == (422, "invalid_input")
    assert me.get("/fitness/programs")["items"] == []


@pytest.mark.parametrize("query", ["day_of_week=7", "day_of_week=-1", "day_of_week=monday", "week=1"])
def test_bad_today_queries_are_422(caller, query):
    assert caller().request("GET", f"/fitness/programs/active/today?{query}")[0] == 422
