"""Sessions: starting from a workout, sets grouped by exercise, listing, completing for XP and coins exactly once,
and discarding."""

import uuid
from datetime import UTC, datetime

import pytest
from momentum import db
from momentum.fitness import rules
from momentum.fitness.sessions import SET_VOLUME, WORKING_SET

from tests.helpers import run_concurrently


def ledger(conn, user_id):
    return conn.execute(
        "SELECT event_type, idempotency_key, xp, coins, skill_key, skill_stars FROM points_ledger WHERE user_id = %s",
        (user_id,),
    ).fetchall()


def balances(conn, user_id):
    return conn.execute(
        "SELECT w.coins, p.total_xp FROM user_wallet w JOIN user_progress p USING (user_id) WHERE w.user_id = %s",
        (user_id,),
    ).fetchone()


def workout_streak(conn, user_id):
    return conn.execute(
        "SELECT current_streak, last_activity_date FROM user_streaks WHERE user_id = %s AND streak_type = 'workout'",
        (user_id,),
    ).fetchone()


def test_a_session_starts_from_own_or_public_workouts_only(caller, bench_press):
    me, other = caller(), caller()
    own = me.workout([bench_press])
    public = other.workout([bench_press], is_public=True, name="Public")
    private = other.workout([bench_press], name="Private")

    from_own = me.post("/fitness/sessions", {"workout_id": own["id"], "notes": "Felt strong"})
    from_public = me.post("/fitness/sessions", {"workout_id": public["id"]})
    status, error = me.request("POST", "/fitness/sessions", {"workout_id": private["id"]})
    blank = me.post("/fitness/sessions")

    assert (from_own["workout_name"], from_own["notes"], from_own["completed_at"]) == ("Push day", "Felt strong", None)
    assert from_public["workout_name"] == "Public"
    assert (status, error["error"]["code"]) == (422, "unknown_workout")
    assert (blank["workout_id"], blank["exercises"], blank["set_count"]) == (None, [], 0)


def test_a_session_from_a_workout_carries_its_targets_and_what_was_done_last_time(caller, bench_press, squat):
    me, other = caller(), caller()
    workout = me.workout([bench_press, squat])
    first = me.start_session(workout["id"])
    me.log(first, bench_press, reps=8, weight=50.0, is_warmup=True)
    me.log(first, bench_press, reps=6, weight=52.5)
    earlier_squat = me.start_session()  # a free session before the last one that squatted
    me.log(earlier_squat, squat, reps=5, weight=100.0)
    other.log(other.start_session(), bench_press, reps=1, weight=200.0)  # someone else's sets never show

    started = me.post("/fitness/sessions", {"workout_id": workout["id"]})

    plan = started["plan"]
    assert [(p["exercise_id"], p["section_name"]) for p in plan] == [(str(bench_press), "Main"), (str(squat), "Main")]
    assert [(p["sets"], p["reps"], p["weight"], p["rest_seconds"]) for p in plan] == [
        (3, 8, 50.0, 90),
        (3, 8, 60.0, 90),
    ]
    bench_last, squat_last = plan[0]["last_time"], plan[1]["last_time"]
    assert bench_last["session_id"] == first
    assert [(s["set_number"], s["reps"], s["weight"], s["is_warmup"]) for s in bench_last["sets"]] == [
        (1, 8, 50.0, True),
        (2, 6, 52.5, False),
    ]
    assert squat_last["session_id"] == earlier_squat
    assert [(s["reps"], s["weight"]) for s in squat_last["sets"]] == [(5, 100.0)]
    # The plan stays on the session when it is read back; an exercise never done before has no last time.
    assert me.get(f"/fitness/sessions/{started['id']}")["plan"] == plan
    fresh = me.workout([me.custom_exercise()], name="New lift")
    assert [p["last_time"] for p in me.post("/fitness/sessions", {"workout_id": fresh["id"]})["plan"]] == [None]
    assert me.post("/fitness/sessions")["plan"] == []


def test_a_session_groups_its_sets_by_exercise_in_the_order_they_were_done(caller, bench_press, squat):
    me = caller()
    session = me.start_session()
    for exercise, weight, warmup in (
        (squat, 60.0, True),
        (squat, 100.0, False),
        (bench_press, 80.0, False),
        (squat, 100.0, False),
    ):
        me.log(session, exercise, reps=5, weight=weight, is_warmup=warmup)

    got = me.get(f"/fitness/sessions/{session}")

    assert [(g["exercise_name"], [s["set_number"] for s in g["sets"]]) for g in got["exercises"]] == [
        ("Barbell Back Squat", [1, 2, 3]),
        ("Barbell Bench Press", [1]),
    ]
    assert (got["set_count"], got["working_set_count"], got["volume"]) == (4, 3, 100 * 5 + 80 * 5 + 100 * 5)
    squat_records = got["exercises"][0]["records"]
    assert {r["record_type"] for r in squat_records} == {"weight", "reps", "volume", "e1rm"}
    assert {r["exercise_set_id"] for r in squat_records} == {got["exercises"][0]["sets"][1]["id"]}


def test_completing_pays_for_working_sets_once_and_extends_the_streak(caller, bench_press, conn):
    me = caller()
    session = me.start_session()
    for i in range(7):
        me.log(session, bench_press, reps=5, weight=60.0 + i)
    me.log(session, bench_press, reps=10, weight=20.0, is_warmup=True)
    me.log(session, bench_press, reps=0, weight=120.0)  # a failed attempt is not a working set

    done = me.post(f"/fitness/sessions/{session}/complete", {"notes": "Good", "rating": 4}, expect=200)

    expected = rules.session_award(7)
    assert (done["xp_awarded"], done["coins_awarded"]) == (expected.xp, expected.coins) == (28, 1)
    assert (done["notes"], done["rating"]) == ("Good", 4)
    assert done["completed_at"] is not None and done["duration_seconds"] >= 0
    assert ledger(conn, me.id) == [("workout_session", f"workout-session:{session}", 28, 1, "fitness", 1)]
    assert balances(conn, me.id) == (1, 28)
    assert workout_streak(conn, me.id) == (1, datetime.now(UTC).date())
    status, error = me.request("POST", f"/fitness/sessions/{session}/complete", {})
    assert (status, error["error"]["code"]) == (409, "session_completed")
    assert len(ledger(conn, me.id)) == 1


def test_completing_answers_with_the_whole_session_as_reading_it_does(caller, bench_press, squat):
    me = caller()
    workout = me.workout([bench_press, squat])
    earlier = me.start_session(workout["id"])
    me.log(earlier, squat, reps=5, weight=90.0)
    session = me.start_session(workout["id"])
    me.log(session, squat, reps=5, weight=60.0, is_warmup=True)
    me.log(session, squat, reps=5, weight=100.0)
    me.log(session, bench_press, reps=8, weight=70.0, rpe=8, notes="Paused reps")

    done = me.post(f"/fitness/sessions/{session}/complete", {"rating": 4}, expect=200)

    assert done == me.get(f"/fitness/sessions/{session}")
    assert [(g["exercise_name"], len(g["sets"]), len(g["records"])) for g in done["exercises"]] == [
        ("Barbell Back Squat", 2, 3),  # 5 reps tie the earlier session: no reps record
        ("Barbell Bench Press", 1, 4),
    ]
    assert [p["last_time"]["session_id"] if p["last_time"] else None for p in done["plan"]] == [None, earlier]
    (listed,) = [s for s in me.get("/fitness/sessions?status=completed")["items"] if s["id"] == session]
    assert listed == {key: done[key] for key in listed}  # the list's summary says what the session says


def test_a_paying_completion_earns_the_workout_achievements_it_meets(caller, bench_press, conn):
    conn.execute(
        """INSERT INTO achievement_definitions (key, name, category, trigger_type, trigger_config)
           VALUES ('first_workout_session', 'First workout', 'fitness', 'event',
                   '{"event_type": "workout_session", "count": 1}')
           ON CONFLICT (key) DO NOTHING"""
    )
    me = caller()
    session = me.start_session()
    me.log(session, bench_press, reps=5, weight=60.0)

    me.post(f"/fitness/sessions/{session}/complete", {}, expect=200)

    earned = {
        key for (key,) in conn.execute("SELECT achievement_key FROM user_achievements WHERE user_id = %s", (me.id,))
    }
    assert "first_workout_session" in earned


def test_an_empty_session_completes_but_pays_nothing(caller, bench_press, conn):
    me = caller()
    session = me.start_session()
    me.log(session, bench_press, reps=10, weight=20.0, is_warmup=True)

    done = me.post(f"/fitness/sessions/{session}/complete", {}, expect=200)

    assert done["completed_at"] is not None
    assert (done["xp_awarded"], done["coins_awarded"]) == (0, 0)
    assert ledger(conn, me.id) == []
    assert workout_streak(conn, me.id) is None


def test_completion_keeps_notes_unless_new_ones_are_sent(caller):
    me = caller()
    session = me.post("/fitness/sessions", {"notes": "Before"})["id"]

    done = me.post(f"/fitness/sessions/{session}/complete", {"rating": 5}, expect=200)

    assert (done["notes"], done["rating"]) == ("Before", 5)


def test_concurrent_completions_pay_once(caller, bench_press, database_url):
    me = caller()
    session = me.start_session()
    for _ in range(10):
        me.log(session, bench_press, reps=5, weight=50.0)

    results = run_concurrently(lambda _: me.request("POST", f"/fitness/sessions/{session}/complete", {}), 10)

    assert sorted(status for status, _ in results) == [200] + [409] * 9
    with db.connect(database_url) as conn:
        assert ledger(conn, me.id) == [("workout_session", f"workout-session:{session}", 40, 2, "fitness", 1)]
        assert balances(conn, me.id) == (2, 40)


def test_sets_logged_while_completing_are_either_paid_or_refused(caller, bench_press, database_url):
    me = caller()
    session = me.start_session()
    me.log(session, bench_press, reps=5, weight=50.0)

    def act(i):
        if i == 0:
            return me.request("POST", f"/fitness/sessions/{session}/complete", {})
        return me.request("POST", f"/fitness/sessions/{session}/sets", {"exercise_id": bench_press, "reps": 5})

    results = run_concurrently(act, 12)

    logged = sum(status == 201 for status, _ in results[1:])
    assert results[0][0] == 200
    assert all(status in (201, 409) for status, _ in results[1:])
    final = me.get(f"/fitness/sessions/{session}")
    assert final["working_set_count"] == 1 + logged
    assert final["xp_awarded"] == rules.session_award(1 + logged).xp


def test_a_session_must_be_the_users_to_complete(caller):
    me, other = caller(), caller()
    theirs = other.start_session()

    assert me.request("POST", f"/fitness/sessions/{theirs}/complete", {})[0] == 404
    assert me.request("POST", f"/fitness/sessions/{uuid.uuid4()}/complete", {})[0] == 404
    assert other.get(f"/fitness/sessions/{theirs}")["completed_at"] is None


@pytest.mark.parametrize("body", [{"rating": 0}, {"rating": 6}, {"rating": "5"}, {"notes": "x" * 2001}, {"xp": 1000}])
def test_invalid_completions_are_422_and_complete_nothing(caller, body):
    me = caller()
    session = me.start_session()

    status, error = me.request("POST", f"/fitness/sessions/{session}/complete", body)

    assert (status, error["error"]["code"]) == (422, "invalid_input")
    assert me.get(f"/fitness/sessions/{session}")["completed_at"] is None


def test_sessions_list_newest_first_by_status(caller):
    me = caller()
    started = [me.start_session() for _ in range(4)]
    me.post(f"/fitness/sessions/{started[1]}/complete", {}, expect=200)

    first = me.get("/fitness/sessions?limit=3")
    rest = me.get(f"/fitness/sessions?limit=3&cursor={first['next_cursor']}")

    assert [s["id"] for s in first["items"] + rest["items"]] == started[::-1]
    assert [s["id"] for s in me.get("/fitness/sessions?status=completed")["items"]] == [started[1]]
    assert [s["id"] for s in me.get("/fitness/sessions?status=active")["items"]] == [started[3], started[2], started[0]]
    assert me.request("GET", "/fitness/sessions?status=paused")[0] == 422


def test_deleting_a_session_rebuilds_the_records_without_its_sets(caller, bench_press, conn):
    me = caller()
    early = me.start_session()
    me.log(early, bench_press, reps=5, weight=100.0)
    late = me.start_session()
    me.log(late, bench_press, reps=5, weight=110.0)
    me.log(late, bench_press, reps=5, weight=105.0)

    me.delete(f"/fitness/sessions/{late}")

    assert me.request("GET", f"/fitness/sessions/{late}")[0] == 404
    assert conn.execute(
        "SELECT value, previous_value FROM personal_records WHERE user_id = %s AND record_type = 'weight'", (me.id,)
    ).fetchall() == [(100.0, None)]
    assert me.get(f"/fitness/sessions/{early}")["set_count"] == 1


def test_deleting_a_completed_session_keeps_what_it_paid(caller, bench_press, conn):
    me = caller()
    session = me.start_session()
    me.log(session, bench_press, reps=5, weight=100.0)
    me.post(f"/fitness/sessions/{session}/complete", {}, expect=200)

    me.delete(f"/fitness/sessions/{session}")

    assert len(ledger(conn, me.id)) == 1
    assert conn.execute("SELECT count(*) FROM personal_records WHERE user_id = %s", (me.id,)).fetchone() == (0,)


@pytest.mark.parametrize("is_warmup", [False, True])
@pytest.mark.parametrize(
    ("reps", "weight", "duration", "working"),
    [
        (5, 100.0, None, True),
        (0, 100.0, None, False),  # a failed attempt
        (None, None, 45, True),  # a timed set
        (0, None, 0, False),
        (0, None, 10, True),
        (12, None, None, True),  # body weight
        (8, 62.5, 30, True),
    ],
)
def test_working_sets_and_volume_in_sql(conn, caller, bench_press, reps, weight, duration, working, is_warmup):
    me = caller()
    session = me.start_session()
    me.log(session, bench_press, reps=reps, weight=weight, duration=duration, is_warmup=is_warmup)

    is_working, volume = conn.execute(
        f"SELECT {WORKING_SET}, {SET_VOLUME} FROM exercise_sets s WHERE s.session_id = %s", (session,)
    ).fetchone()

    assert is_working is (working and not is_warmup)  # a warm-up never is one
    offered = rules.record_values(weight, reps, duration, is_warmup)
    assert volume == offered.get("volume", 0)


def test_a_set_with_neither_reps_nor_duration_is_not_a_working_set(conn):
    assert conn.execute("SELECT fitness_working_set(false, NULL, NULL)").fetchone() == (False,)
