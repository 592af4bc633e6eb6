"""Logging sets through the log_set handler: numbering, validation, personal records, and their rebuild when a set
is edited or deleted. Concurrent logs run through the real handlers against PostgreSQL."""

import uuid

import pytest
from momentum import db
from momentum.fitness import rules

from tests.helpers import run_concurrently


def records_of(response):
    return {r["record_type"]: (r["value"], r["previous_value"]) for r in response["records"]}


def history(conn, user_id, exercise_id):
    """The user's record rows for an exercise, oldest first: record_type -> [(value, previous, set id)]."""
    rows = conn.execute(
        "SELECT record_type, value, previous_value, exercise_set_id FROM personal_records "
        "WHERE user_id = %s AND exercise_id = %s ORDER BY achieved_at, value",
        (user_id, exercise_id),
    ).fetchall()
    out = {}
    for record_type, value, previous, set_id in rows:
        out.setdefault(record_type, []).append((real(value), real(previous), set_id))
    return out


def replayed(conn, user_id, exercise_id):
    """What the rules say the history should be, replaying every set of the exercise in history order."""
    sets = conn.execute(
        "SELECT s.id, s.completed_at, s.reps, s.weight, s.duration, s.is_warmup FROM exercise_sets s "
        "JOIN workout_sessions ws ON ws.id = s.session_id WHERE ws.user_id = %s AND s.exercise_id = %s "
        "ORDER BY s.completed_at, s.id",
        (user_id, exercise_id),
    ).fetchall()
    out = {}
    for r in rules.replay_records({}, [rules.SetFacts(*row) for row in sets]):
        out.setdefault(r.record_type, []).append((real(r.value), real(r.previous_value), r.exercise_set_id))
    return out


def real(value):
    """A REAL as stored, however it was read (the driver parses the text 116.666664 into a nearby double)."""
    return None if value is None else rules.as_real(value)


def assert_chained(chain):
    """Each record beats the one before it, and says so in previous_value."""
    values = [value for value, _, _ in chain]
    assert [previous for _, previous, _ in chain] == [None, *values[:-1]]
    assert values == sorted(set(values))


# ---------------------------------------------------------------- personal records


def test_first_set_ever_breaks_every_record_it_can(caller, bench_press):
    me = caller()
    session = me.start_session()

    logged = me.log(session, bench_press, reps=5, weight=100.0, rpe=8)

    assert logged["set"]["set_number"] == 1
    assert records_of(logged) == {
        "weight": (100.0, None),
        "reps": (5.0, None),
        "volume": (500.0, None),
        "e1rm": (116.67, None),  # the REAL holds 116.666664; a person reads it rounded (momentum.models.Real)
    }
    assert {r["exercise_set_id"] for r in logged["records"]} == {logged["set"]["id"]}
    assert next(r for r in logged["records"] if r["record_type"] == "weight")["reps"] == 5


def test_a_tie_is_not_a_new_record(caller, bench_press):
    me = caller()
    session = me.start_session()
    me.log(session, bench_press, reps=5, weight=100.0)

    again = me.log(session, bench_press, reps=5, weight=100.0)

    assert again["records"] == []
    assert again["set"]["set_number"] == 2


def test_a_lighter_set_with_more_reps_breaks_reps_and_volume(caller, bench_press):
    me = caller()
    session = me.start_session()
    me.log(session, bench_press, reps=5, weight=100.0)

    lighter = me.log(session, bench_press, reps=8, weight=80.0)

    assert records_of(lighter) == {"reps": (8.0, 5.0), "volume": (640.0, 500.0)}


def test_records_are_against_the_whole_history_not_the_session(caller, bench_press):
    me = caller()
    me.log(me.start_session(), bench_press, reps=3, weight=120.0)

    next_week = me.log(me.start_session(), bench_press, reps=3, weight=110.0)

    assert next_week["records"] == []


def test_warm_ups_never_count(caller, bench_press):
    me = caller()
    session = me.start_session()
    me.log(session, bench_press, reps=5, weight=60.0)

    warmup = me.log(session, bench_press, reps=20, weight=200.0, is_warmup=True)
    after = me.log(session, bench_press, reps=5, weight=70.0)

    assert warmup["records"] == []
    assert records_of(after)["weight"] == (70.0, 60.0)  # measured against 60, the warm-up never counted


def test_drop_sets_count_like_working_sets(caller, bench_press):
    me = caller()
    session = me.start_session()
    me.log(session, bench_press, reps=6, weight=100.0)

    drop = me.log(session, bench_press, reps=12, weight=60.0, is_dropset=True)

    assert drop["set"]["is_dropset"] is True
    assert records_of(drop) == {"reps": (12.0, 6.0), "volume": (720.0, 600.0)}


def test_timed_sets_hold_duration_records(caller, library):
    me = caller()
    session = me.start_session()
    plank = library["Plank"]
    me.log(session, plank, duration=60)

    longer = me.log(session, plank, duration=90)
    shorter = me.log(session, plank, duration=45)

    assert records_of(longer) == {"duration": (90.0, 60.0)}
    assert shorter["records"] == []


def test_records_are_kept_per_user_and_per_exercise(caller, bench_press, squat):
    me, other = caller(), caller()
    me.log(me.start_session(), bench_press, reps=5, weight=150.0)

    assert records_of(other.log(other.start_session(), bench_press, reps=5, weight=50.0))["weight"] == (50.0, None)
    assert records_of(me.log(me.start_session(), squat, reps=5, weight=50.0))["weight"] == (50.0, None)


def test_set_numbers_count_per_exercise_within_the_session(caller, bench_press, squat):
    me = caller()
    session = me.start_session()

    numbers = [
        me.log(session, exercise, reps=5, weight=50.0)["set"]["set_number"]
        for exercise in (bench_press, squat, bench_press, squat, bench_press)
    ]

    assert numbers == [1, 1, 2, 2, 3]
    assert me.log(me.start_session(), bench_press, reps=5, weight=50.0)["set"]["set_number"] == 1


# ---------------------------------------------------------------- editing and deleting sets


def test_deleting_the_record_set_rebuilds_the_history_without_it(caller, bench_press, conn):
    me = caller()
    session = me.start_session()
    me.log(session, bench_press, reps=5, weight=100.0)
    top = me.log(session, bench_press, reps=5, weight=110.0)
    after = me.log(session, bench_press, reps=5, weight=105.0)  # no record while 110 stands
    assert after["records"] == []

    me.delete(f"/fitness/sessions/{session}/sets/{top['set']['id']}")

    weight = history(conn, me.id, bench_press)["weight"]
    assert [(v, p) for v, p, _ in weight] == [(100.0, None), (105.0, 100.0)]
    assert weight[-1][2] == uuid.UUID(after["set"]["id"])
    assert history(conn, me.id, bench_press) == replayed(conn, me.id, bench_press)
    numbers = [s["set_number"] for s in me.get(f"/fitness/sessions/{session}")["exercises"][0]["sets"]]
    assert numbers == [1, 2]  # the set after the deleted one moved up


def test_deleting_the_first_set_makes_the_next_one_the_first_record(caller, bench_press, conn):
    me = caller()
    session = me.start_session()
    first = me.log(session, bench_press, reps=5, weight=100.0)
    me.log(session, bench_press, reps=5, weight=90.0)

    me.delete(f"/fitness/sessions/{session}/sets/{first['set']['id']}")

    assert history(conn, me.id, bench_press)["weight"][0][:2] == (90.0, None)
    assert history(conn, me.id, bench_press) == replayed(conn, me.id, bench_press)


def test_editing_a_set_recomputes_the_records_it_affects(caller, bench_press, conn):
    me = caller()
    session = me.start_session()
    first = me.log(session, bench_press, reps=5, weight=100.0)
    second = me.log(session, bench_press, reps=5, weight=90.0)

    edited = me.patch(f"/fitness/sessions/{session}/sets/{second['set']['id']}", {"weight": 120.0, "rpe": 9})

    assert edited["set"]["weight"] == 120.0 and edited["set"]["rpe"] == 9 and edited["set"]["reps"] == 5
    assert records_of(edited)["weight"] == (120.0, 100.0)

    demoted = me.patch(f"/fitness/sessions/{session}/sets/{second['set']['id']}", {"is_warmup": True})

    assert demoted["records"] == []
    assert history(conn, me.id, bench_press)["weight"] == [(100.0, None, uuid.UUID(first["set"]["id"]))]
    assert history(conn, me.id, bench_press) == replayed(conn, me.id, bench_press)


def test_moving_a_set_to_another_exercise_moves_its_records(caller, bench_press, squat, conn):
    me = caller()
    session = me.start_session()
    me.log(session, squat, reps=5, weight=140.0)
    moved = me.log(session, bench_press, reps=5, weight=100.0)
    me.log(session, bench_press, reps=5, weight=80.0)

    result = me.patch(f"/fitness/sessions/{session}/sets/{moved['set']['id']}", {"exercise_id": squat})

    assert result["set"]["exercise_id"] == squat and result["set"]["set_number"] == 2
    assert result["records"] == []  # 100 × 5 breaks nothing against a 140 squat
    assert history(conn, me.id, bench_press)["weight"][0][:2] == (80.0, None)
    sets = {
        g["exercise_id"]: [s["set_number"] for s in g["sets"]]
        for g in me.get(f"/fitness/sessions/{session}")["exercises"]
    }
    assert sets == {squat: [1, 2], bench_press: [1]}


def test_a_set_cannot_move_to_an_exercise_the_user_cannot_see(caller, bench_press):
    me, other = caller(), caller()
    session = me.start_session()
    logged = me.log(session, bench_press, reps=5, weight=100.0)

    status, error = me.request(
        "PATCH", f"/fitness/sessions/{session}/sets/{logged['set']['id']}", {"exercise_id": other.custom_exercise()}
    )

    assert (status, error["error"]["code"]) == (422, "unknown_exercise")
    assert me.get(f"/fitness/sessions/{session}")["exercises"][0]["sets"][0] == logged["set"]


def test_editing_in_an_old_session_rebuilds_later_history(caller, bench_press, conn):
    me = caller()
    old = me.start_session()
    early = me.log(old, bench_press, reps=5, weight=100.0)
    me.post(f"/fitness/sessions/{old}/complete", {}, expect=200)
    new = me.start_session()
    me.log(new, bench_press, reps=5, weight=105.0)

    me.patch(f"/fitness/sessions/{old}/sets/{early['set']['id']}", {"weight": 110.0})

    assert [v for v, _, _ in history(conn, me.id, bench_press)["weight"]] == [110.0]
    assert history(conn, me.id, bench_press) == replayed(conn, me.id, bench_press)


def test_an_edit_must_leave_reps_or_a_duration(caller, bench_press):
    me = caller()
    session = me.start_session()
    logged = me.log(session, bench_press, reps=5, weight=100.0)

    status, body = me.request("PATCH", f"/fitness/sessions/{session}/sets/{logged['set']['id']}", {"reps": None})

    assert (status, body["error"]["code"]) == (422, "invalid_input")
    assert me.get(f"/fitness/sessions/{session}")["exercises"][0]["sets"][0]["reps"] == 5


@pytest.mark.parametrize(
    "body",
    [{"exercise_id": None}, {"is_warmup": None}, {"reps": -1}, {"rpe": 11}, {"weight": "heavy"}, {"set_number": 3}],
)
def test_edit_validation(caller, bench_press, body):
    me = caller()
    session = me.start_session()
    logged = me.log(session, bench_press, reps=5, weight=100.0)

    status, error = me.request("PATCH", f"/fitness/sessions/{session}/sets/{logged['set']['id']}", body)

    assert status == 422, error
    assert me.get(f"/fitness/sessions/{session}")["exercises"][0]["sets"][0] == logged["set"]


def test_a_set_is_found_only_in_its_own_session(caller, bench_press):
    me = caller()
    one, two = me.start_session(), me.start_session()
    logged = me.log(one, bench_press, reps=5, weight=100.0)

    assert me.request("PATCH", f"/fitness/sessions/{two}/sets/{logged['set']['id']}", {"reps": 6})[0] == 404
    assert me.request("DELETE", f"/fitness/sessions/{two}/sets/{logged['set']['id']}")[0] == 404
    assert me.request("DELETE", f"/fitness/sessions/{one}/sets/{uuid.uuid4()}")[0] == 404


# ---------------------------------------------------------------- sessions the set goes into


def test_a_completed_session_takes_no_more_sets(caller, bench_press):
    me = caller()
    session = me.start_session()
    me.log(session, bench_press, reps=5, weight=100.0)
    me.post(f"/fitness/sessions/{session}/complete", {}, expect=200)

    status, body = me.request(
        "POST", f"/fitness/sessions/{session}/sets", {"exercise_id": bench_press, "reps": 5, "weight": 200.0}
    )

    assert (status, body["error"]["code"]) == (409, "session_completed")
    assert me.get(f"/fitness/sessions/{session}")["set_count"] == 1


def test_unknown_and_foreign_sessions_are_404(caller, bench_press):
    me, other = caller(), caller()
    theirs = other.start_session()

    for session in (theirs, str(uuid.uuid4())):
        status, body = me.request("POST", f"/fitness/sessions/{session}/sets", {"exercise_id": bench_press, "reps": 5})
        assert (status, body["error"]["details"]) == (404, {"resource": "session"})
    assert other.get(f"/fitness/sessions/{theirs}")["set_count"] == 0


# ---------------------------------------------------------------- validation of every field

VALID = {"reps": 5, "weight": 100.0}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reps": 5}, "exercise_id"),  # missing
        ({"exercise_id": "not-a-uuid", "reps": 5}, "exercise_id"),
        ({"exercise_id": 42, "reps": 5}, "exercise_id"),
        (VALID | {"reps": -1}, "reps"),
        (VALID | {"reps": 10_001}, "reps"),
        (VALID | {"reps": 5.5}, "reps"),
        (VALID | {"reps": "5"}, "reps"),
        (VALID | {"reps": True}, "reps"),
        (VALID | {"weight": -0.5}, "weight"),
        (VALID | {"weight": 2_000.5}, "weight"),
        (VALID | {"weight": "100"}, "weight"),
        (VALID | {"duration": -1}, "duration"),
        (VALID | {"duration": 86_401}, "duration"),
        (VALID | {"duration": "60"}, "duration"),
        (VALID | {"is_warmup": "yes"}, "is_warmup"),
        (VALID | {"is_warmup": 1}, "is_warmup"),
        (VALID | {"is_warmup": None}, "is_warmup"),
        (VALID | {"is_dropset": "no"}, "is_dropset"),
        (VALID | {"rpe": 0}, "rpe"),
        (VALID | {"rpe": 11}, "rpe"),
        (VALID | {"rpe": 7.5}, "rpe"),
        (VALID | {"rpe": "8"}, "rpe"),
        (VALID | {"notes": "x" * 2_001}, "notes"),
        (VALID | {"notes": 5}, "notes"),
        ({"weight": 100.0}, ""),  # neither reps nor duration
        ({"reps": None, "duration": None}, ""),
        (VALID | {"set_number": 1}, "set_number"),  # assigned by the server, not the client
    ],
)
def test_invalid_sets_are_refused_and_write_nothing(caller, bench_press, body, field):
    me = caller()
    session = me.start_session()
    body = {"exercise_id": bench_press} | body if "exercise_id" not in body and field != "exercise_id" else body

    status, error = me.request("POST", f"/fitness/sessions/{session}/sets", body)

    assert (status, error["error"]["code"]) == (422, "invalid_input"), error
    assert field in {e["field"].split(".")[0] for e in error["error"]["details"]["errors"]}
    assert me.get(f"/fitness/sessions/{session}")["set_count"] == 0


def test_valid_edges_are_accepted(caller, bench_press):
    me = caller()
    session = me.start_session()

    for body in (
        {"reps": 0},
        {"reps": 10_000, "weight": 0.0},
        {"duration": 0},
        {"weight": 2_000.0, "reps": 1},
        {"duration": 86_400, "rpe": 1},
        {"reps": 1, "rpe": 10, "notes": "x" * 2_000},
    ):
        me.log(session, bench_press, **body)

    assert me.get(f"/fitness/sessions/{session}")["set_count"] == 6


def test_an_exercise_the_user_cannot_see_is_refused(caller):
    me, other = caller(), caller()
    session = me.start_session()
    theirs = other.custom_exercise()

    for exercise in (theirs, str(uuid.uuid4())):
        status, body = me.request("POST", f"/fitness/sessions/{session}/sets", {"exercise_id": exercise, "reps": 5})
        assert (status, body["error"]["code"]) == (422, "unknown_exercise")
        assert body["error"]["details"] == {"exercise_ids": [exercise]}
    assert me.log(session, me.custom_exercise(), reps=5)["set"]["set_number"] == 1  # one's own custom is fine


# ---------------------------------------------------------------- concurrency


def test_twenty_concurrent_logs_get_distinct_numbers_and_a_consistent_history(caller, bench_press, database_url):
    me = caller()
    session = me.start_session()
    weights = [100.0 + ((i * 7) % 20) * 2.5 for i in range(20)]  # a shuffled ramp: many records, some ties

    results = run_concurrently(lambda i: me.log(session, bench_press, reps=5 + i % 3, weight=weights[i]), 20)

    assert all(isinstance(r, dict) for r in results), results
    assert sorted(r["set"]["set_number"] for r in results) == list(range(1, 21))
    with db.connect(database_url) as conn:
        kept = history(conn, me.id, bench_press)
        for chain in kept.values():
            assert_chained(chain)
        assert kept["weight"][-1][0] == max(weights)
        # What was detected live, set by set, is exactly what a replay of the history gives.
        assert kept == replayed(conn, me.id, bench_press)
    # Each response reported exactly the records its set holds, rounded as a person reads them.
    reported = {(r["record_type"], r["value"]) for res in results for r in res["records"]}
    assert reported == {(t, round(v, 2)) for t, chain in kept.items() for v, _, _ in chain}


def test_concurrent_logs_in_two_sessions_share_one_history(caller, bench_press, database_url):
    me = caller()
    sessions = [me.start_session(), me.start_session()]

    results = run_concurrently(
        lambda i: me.log(sessions[i % 2], bench_press, reps=5, weight=80.0 + (i * 3) % 16 * 2.5), 16
    )

    assert all(isinstance(r, dict) for r in results), results
    with db.connect(database_url) as conn:
        kept = history(conn, me.id, bench_press)
        for chain in kept.values():
            assert_chained(chain)
        assert kept == replayed(conn, me.id, bench_press)
    for session in sessions:
        numbers = [s["set_number"] for s in me.get(f"/fitness/sessions/{session}")["exercises"][0]["sets"]]
        assert numbers == list(range(1, 9))


def test_concurrent_deletes_and_logs_keep_the_history_consistent(caller, bench_press, database_url):
    me = caller()
    session = me.start_session()
    logged = [me.log(session, bench_press, reps=5, weight=100.0 + i * 2.5) for i in range(10)]

    def act(i):
        if i % 2:
            return me.delete(f"/fitness/sessions/{session}/sets/{logged[i]['set']['id']}")
        return me.log(session, bench_press, reps=6, weight=99.0 + i)

    results = run_concurrently(act, 10)

    assert not [r for r in results if isinstance(r, Exception)], results
    with db.connect(database_url) as conn:
        assert history(conn, me.id, bench_press) == replayed(conn, me.id, bench_press)
    numbers = [s["set_number"] for s in me.get(f"/fitness/sessions/{session}")["exercises"][0]["sets"]]
    assert numbers == list(range(1, 11))
