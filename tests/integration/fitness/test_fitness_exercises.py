"""The exercise library: the seeded built-ins, filters and search, and custom exercises only their creator sees."""

import uuid

import pytest
from momentum_infra.seed import fitness as fitness_seed


def all_pages(me, query="", limit=100):
    items, cursor = [], None
    while True:
        page = me.get(f"/fitness/exercises?limit={limit}{query}" + (f"&cursor={cursor}" if cursor else ""))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def test_the_seeded_library_is_complete(conn, library):
    rows = conn.execute(
        "SELECT category, muscle_groups, equipment, instructions, description FROM exercises WHERE is_builtin"
    ).fetchall()

    assert len(rows) >= 60
    assert {category for category, *_ in rows} == {"strength", "cardio", "flexibility"}
    assert all(
        muscles and equipment and len(instructions) > 60 and description
        for _, muscles, equipment, instructions, description in rows
    )
    assert conn.execute(
        "SELECT count(*) FROM exercises WHERE is_builtin AND (is_custom OR user_id IS NOT NULL)"
    ).fetchone() == (0,)


def test_seeding_again_changes_nothing(conn, library):
    builtins = "SELECT id, name, category, muscle_groups, equipment, instructions FROM exercises WHERE is_builtin"
    before = conn.execute(f"{builtins} ORDER BY id").fetchall()

    with conn.transaction():
        fitness_seed.seed(conn)

    assert conn.execute(f"{builtins} ORDER BY id").fetchall() == before


def test_seeding_updates_a_built_in_by_name_and_leaves_customs_alone(conn, library, caller):
    me = caller()
    mine = me.custom_exercise(name="Deadlift", instructions="my own way")
    conn.execute("UPDATE exercises SET instructions = 'stale' WHERE is_builtin AND name = 'Deadlift'")

    with conn.transaction():
        fitness_seed.seed(conn)

    builtin = conn.execute("SELECT id, instructions FROM exercises WHERE is_builtin AND name = 'Deadlift'").fetchall()
    assert builtin == [
        (uuid.UUID(library["Deadlift"]), next(e.instructions for e in fitness_seed.library() if e.name == "Deadlift"))
    ]
    assert me.get(f"/fitness/exercises/{mine}")["instructions"] == "my own way"


@pytest.mark.parametrize(
    ("query", "holds"),
    [
        ("&category=cardio", lambda e: e["category"] == "cardio"),
        ("&category=flexibility", lambda e: e["category"] == "flexibility"),
        ("&muscle_group=chest", lambda e: "chest" in e["muscle_groups"]),
        ("&equipment=barbell", lambda e: "barbell" in e["equipment"]),
        ("&q=PRESS", lambda e: "press" in e["name"].lower()),
        (
            "&category=strength&equipment=dumbbell&muscle_group=shoulders",
            lambda e: (
                e["category"] == "strength" and "dumbbell" in e["equipment"] and "shoulders" in e["muscle_groups"]
            ),
        ),
    ],
)
def test_filters_return_exactly_the_matching_exercises(caller, library, query, holds):
    me = caller()
    everything = all_pages(me)

    filtered = all_pages(me, query)

    assert filtered and [e["id"] for e in filtered] == [e["id"] for e in everything if holds(e)]


def test_name_search_takes_wildcards_literally(caller):
    me = caller()
    percent = me.custom_exercise(name="100% Effort Row")
    underscore = me.custom_exercise(name="Row_Variant")

    assert [e["id"] for e in all_pages(me, "&q=%25")] == [percent]
    assert [e["id"] for e in all_pages(me, "&q=_")] == [underscore]
    assert all_pages(me, "&q=%5C") == []  # a backslash is just a character too


def test_pages_walk_the_whole_library_in_name_order_without_repeats(caller, library):
    me = caller()

    walked = all_pages(me, limit=7)

    names = [e["name"].lower() for e in walked]
    assert names == sorted(names)
    assert len({e["id"] for e in walked}) == len(walked) == len(library)


@pytest.mark.parametrize(
    "query",
    [
        "category=yoga",
        "muscle_group=Chest",
        "equipment=spaceship",
        "limit=0",
        "limit=101",
        "source=everyone",
        "cursor=!!!",
        "cursor=WzEsMl0",
        "q=" + "x" * 101,
    ],
)
def test_bad_queries_are_422(caller, query):
    status, body = caller().request("GET", f"/fitness/exercises?{query}")
    assert (status, body["error"]["code"]) == (422, "invalid_input")


def test_a_custom_exercise_is_visible_to_its_creator_only(caller, library):
    me, other = caller(), caller()

    created = me.post(
        "/fitness/exercises",
        {
            "name": "Landmine Press",
            "category": "strength",
            "muscle_groups": ["shoulders", "chest"],
            "equipment": ["barbell"],
            "instructions": "Press the bar up and forward.",
            "video_url": "https://example.com/landmine",
        },
    )

    assert (created["is_custom"], created["is_builtin"]) == (True, False)
    assert me.get(f"/fitness/exercises/{created['id']}") == created
    assert [e["id"] for e in all_pages(me, "&source=custom")] == [created["id"]]
    assert created["id"] in [e["id"] for e in all_pages(me, "&muscle_group=shoulders")]
    assert other.request("GET", f"/fitness/exercises/{created['id']}")[0] == 404
    assert created["id"] not in [e["id"] for e in all_pages(other)]
    assert len(all_pages(other)) == len(library)


def test_a_custom_exercise_changes_only_the_fields_sent(caller):
    me = caller()
    exercise = me.custom_exercise(name="Cable Y Raise", instructions="Raise in a Y.", video_url="https://x.test/y")

    changed = me.patch(f"/fitness/exercises/{exercise}", {"name": "Cable Y-Raise", "video_url": None})

    assert (changed["name"], changed["instructions"], changed["video_url"]) == ("Cable Y-Raise", "Raise in a Y.", None)
    assert me.get(f"/fitness/exercises/{exercise}") == changed


@pytest.mark.parametrize(
    "body",
    [
        {"name": None},
        {"category": None},
        {"name": ""},
        {"category": "yoga"},
        {"muscle_groups": ["Chest"]},
        {"equipment": ["spaceship"]},
        {"video_url": "javascript:alert(1)"},
        {"muscle_groups": ["chest"] * 9},
        {"is_builtin": True},
        {"user_id": str(uuid.uuid4())},
    ],
)
def test_invalid_changes_are_422_and_change_nothing(caller, body):
    me = caller()
    exercise = me.custom_exercise()
    before = me.get(f"/fitness/exercises/{exercise}")

    status, error = me.request("PATCH", f"/fitness/exercises/{exercise}", body)

    assert (status, error["error"]["code"]) == (422, "invalid_input")
    assert me.get(f"/fitness/exercises/{exercise}") == before


@pytest.mark.parametrize(
    "body",
    [
        {"category": "strength"},  # no name
        {"name": "x", "category": "strength", "muscle_groups": "chest"},
        {"name": "x" * 201, "category": "strength"},
        {"name": "x", "category": "strength", "instructions": "x" * 20_001},
        {"name": "x", "category": "strength", "video_url": "ftp://example.com/v"},
    ],
)
def test_invalid_custom_exercises_are_refused(caller, body):
    me = caller()
    status, error = me.request("POST", "/fitness/exercises", body)
    assert (status, error["error"]["code"]) == (422, "invalid_input")
    assert all_pages(me, "&source=custom") == []


def test_built_in_exercises_cannot_be_changed(caller, bench_press):
    me = caller()

    for method, body in (("PATCH", {"name": "Mine now"}), ("DELETE", None)):
        status, error = me.request(method, f"/fitness/exercises/{bench_press}", body)
        assert (status, error["error"]["code"]) == (403, "builtin_exercise")
    assert me.get(f"/fitness/exercises/{bench_press}")["name"] == "Barbell Bench Press"


def test_a_custom_exercise_in_use_cannot_be_deleted(caller):
    me = caller()
    used, unused = me.custom_exercise(), me.custom_exercise()
    me.log(me.start_session(), used, reps=10, weight=20.0)

    status, error = me.request("DELETE", f"/fitness/exercises/{used}")
    me.delete(f"/fitness/exercises/{unused}")

    assert (status, error["error"]["code"]) == (409, "exercise_in_use")
    assert me.get(f"/fitness/exercises/{used}")["id"] == used
    assert me.request("GET", f"/fitness/exercises/{unused}")[0] == 404


def test_a_custom_exercise_in_a_workout_cannot_be_deleted(caller):
    me = caller()
    exercise = me.custom_exercise()
    me.workout([exercise])

    assert me.request("DELETE", f"/fitness/exercises/{exercise}")[0] == 409
