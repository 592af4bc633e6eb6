"""Workouts as nested documents: create, read, replace and delete in one request each; public workouts are readable
and copyable by everyone; a body naming an exercise the user cannot see is refused whole."""

import uuid

import pytest

from tests.integration.fitness.helpers import workout_body


def shape(workout):
    """What a client sees of the document, without server-made ids and times."""
    return [
        (
            s["name"],
            s["section_type"],
            [
                (e["exercise_id"], e["exercise_name"], e["sets"], e["reps"], e["weight"], e["rest_seconds"])
                for e in s["exercises"]
            ],
        )
        for s in workout["sections"]
    ]


def test_a_workout_is_created_and_read_as_one_document(caller, bench_press, squat):
    me = caller()

    created = me.post("/fitness/workouts", workout_body([bench_press, squat]))

    assert shape(created) == [
        ("Warm-up", "warmup", []),
        (
            "Main",
            "main",
            [(bench_press, "Barbell Bench Press", 3, 8, 50.0, 90), (squat, "Barbell Back Squat", 3, 8, 60.0, 90)],
        ),
        ("Cool-down", "cooldown", []),
    ]
    assert (created["exercise_count"], created["is_template"], created["is_public"]) == (2, True, False)
    assert me.get(f"/fitness/workouts/{created['id']}") == created


def test_replacing_a_workout_replaces_the_whole_document(caller, bench_press, squat, library):
    me = caller()
    workout = me.workout([bench_press, squat])
    body = {
        "name": "Legs",
        "difficulty": "advanced",
        "sections": [
            {
                "name": "Main",
                "exercises": [
                    {"exercise_id": library["Leg Press"], "sets": 4, "reps": 12},
                    {"exercise_id": squat, "weight": 100.0},
                ],
            }
        ],
    }

    replaced = me.put(f"/fitness/workouts/{workout['id']}", body)

    assert replaced["id"] == workout["id"] and replaced["name"] == "Legs" and replaced["description"] is None
    assert shape(replaced) == [
        (
            "Main",
            "main",
            [
                (library["Leg Press"], "Leg Press", 4, 12, None, 60),
                (squat, "Barbell Back Squat", None, None, 100.0, 60),
            ],
        )
    ]
    assert me.get(f"/fitness/workouts/{workout['id']}") == replaced


def test_a_refused_replacement_leaves_the_workout_as_it_was(caller, bench_press):
    me, other = caller(), caller()
    workout = me.workout([bench_press])
    body = workout_body([bench_press, other.custom_exercise()], name="Broken")

    status, error = me.request("PUT", f"/fitness/workouts/{workout['id']}", body)

    assert (status, error["error"]["code"]) == (422, "unknown_exercise")
    assert me.get(f"/fitness/workouts/{workout['id']}") == workout


@pytest.mark.parametrize("whose", ["someone else's custom", "nobody's"])
def test_an_exercise_the_user_cannot_see_refuses_the_workout(caller, bench_press, whose):
    me, other = caller(), caller()
    hidden = other.custom_exercise() if whose == "someone else's custom" else str(uuid.uuid4())

    status, error = me.request("POST", "/fitness/workouts", workout_body([bench_press, hidden]))

    assert (status, error["error"]["code"], error["error"]["details"]) == (
        422,
        "unknown_exercise",
        {"exercise_ids": [hidden]},
    )
    assert me.get("/fitness/workouts")["items"] == []


def test_a_private_workout_may_use_own_custom_exercises_but_a_public_one_may_not(caller, bench_press):
    me = caller()
    custom = me.custom_exercise()

    private = me.workout([bench_press, custom])
    status, error = me.request(
        "PUT", f"/fitness/workouts/{private['id']}", workout_body([bench_press, custom]) | {"is_public": True}
    )

    assert private["exercise_count"] == 2
    assert (status, error["error"]["code"]) == (422, "custom_exercise_in_public_workout")
    assert me.get(f"/fitness/workouts/{private['id']}")["is_public"] is False


def test_public_workouts_are_readable_and_copyable_by_everyone(caller, bench_press, squat):
    owner, other = caller(), caller()
    public = owner.workout([bench_press, squat], is_public=True, name="Shared")

    seen = other.get(f"/fitness/workouts/{public['id']}")
    copy = other.post(f"/fitness/workouts/{public['id']}/copy")

    assert seen == public
    assert copy["id"] != public["id"] and copy["user_id"] == str(other.id)
    assert (copy["is_public"], copy["name"]) == (False, "Shared")
    assert shape(copy) == shape(public)
    assert [w["id"] for w in other.get("/fitness/workouts")["items"]] == [copy["id"]]
    assert public["id"] in [w["id"] for w in other.get("/fitness/workouts?visibility=public&limit=100")["items"]]
    # The copy is the copier's own: changing it leaves the original alone.
    other.put(f"/fitness/workouts/{copy['id']}", workout_body([squat], name="Mine"))
    assert owner.get(f"/fitness/workouts/{public['id']}") == public


def test_a_public_workout_is_still_only_its_owners_to_change(caller, bench_press):
    owner, other = caller(), caller()
    public = owner.workout([bench_press], is_public=True)

    assert other.request("PUT", f"/fitness/workouts/{public['id']}", workout_body([bench_press]))[0] == 404
    assert other.request("DELETE", f"/fitness/workouts/{public['id']}")[0] == 404
    assert owner.get(f"/fitness/workouts/{public['id']}") == public


def test_a_private_workout_is_404_to_everyone_else(caller, bench_press):
    owner, other = caller(), caller()
    private = owner.workout([bench_press])

    for method, path in (("GET", ""), ("POST", "/copy"), ("DELETE", "")):
        assert other.request(method, f"/fitness/workouts/{private['id']}{path}")[0] == 404
    assert other.request("POST", "/fitness/sessions", {"workout_id": private["id"]})[0] == 422
    assert private["id"] not in [w["id"] for w in other.get("/fitness/workouts?visibility=public&limit=100")["items"]]


def test_own_workouts_list_newest_first_with_filters_and_pages(caller, bench_press):
    me = caller()
    made = [me.workout([bench_press], name=f"W{i}", is_template=i % 2 == 0)["id"] for i in range(5)]

    first = me.get("/fitness/workouts?limit=2")
    rest = me.get(f"/fitness/workouts?limit=10&cursor={first['next_cursor']}")
    templates = me.get("/fitness/workouts?is_template=true")["items"]

    assert [w["id"] for w in first["items"] + rest["items"]] == made[::-1]
    assert rest["next_cursor"] is None
    assert [w["name"] for w in templates] == ["W4", "W2", "W0"]
    assert [w["name"] for w in me.get("/fitness/workouts?q=w3")["items"]] == ["W3"]


def test_deleting_a_workout_keeps_the_sessions_started_from_it(caller, bench_press):
    me = caller()
    workout = me.workout([bench_press])
    session = me.start_session(workout["id"])
    me.log(session, bench_press, reps=5, weight=60.0)

    me.delete(f"/fitness/workouts/{workout['id']}")

    assert me.request("GET", f"/fitness/workouts/{workout['id']}")[0] == 404
    kept = me.get(f"/fitness/sessions/{session}")
    assert (kept["workout_id"], kept["set_count"]) == (None, 1)


def test_a_workout_a_program_schedules_cannot_be_deleted(caller, bench_press):
    me = caller()
    workout = me.workout([bench_press])
    program = me.post(
        "/fitness/programs",
        {
            "name": "P",
            "duration_weeks": 1,
            "weeks": [{"week_number": 1, "workouts": [{"workout_id": workout["id"], "day_of_week": 1}]}],
        },
    )

    status, error = me.request("DELETE", f"/fitness/workouts/{workout['id']}")

    assert (status, error["error"]["code"], error["error"]["details"]) == (
        409,
        "workout_scheduled",
        {"program_ids": [program["id"]]},
    )
    assert me.get(f"/fitness/workouts/{workout['id']}")["id"] == workout["id"]


@pytest.mark.parametrize(
    "change",
    [
        {"name": ""},
        {"name": None},
        {"difficulty": "elite"},
        {"estimated_duration": 0},
        {"estimated_duration": 1441},
        {"is_public": "yes"},
        {"sections": [{"name": "S", "section_type": "stretch"}]},
        {"sections": [{"name": "S", "exercises": [{"exercise_id": "nope"}]}]},
        {"sections": [{"name": "S", "exercises": [{"exercise_id": str(uuid.uuid4()), "sets": 0}]}]},
        {"sections": [{"name": "S", "exercises": [{"exercise_id": str(uuid.uuid4()), "weight": -1}]}]},
        {"sections": [{"name": "S", "exercises": [{"exercise_id": str(uuid.uuid4()), "rest_seconds": 3601}]}]},
        {"sections": [{"name": f"S{i}"} for i in range(21)]},
        {"user_id": str(uuid.uuid4())},
    ],
)
def test_invalid_workouts_are_422(caller, bench_press, change):
    me = caller()
    status, error = me.request("POST", "/fitness/workouts", workout_body([bench_press]) | change)
    assert (status, error["error"]["code"]) == (422, "invalid_input")
    assert me.get("/fitness/workouts")["items"] == []
