"""GET /fitness/records (current bests with their history) and GET /fitness/stats (per ISO week, per muscle group)."""

from datetime import UTC, datetime, timedelta

import pytest


def by_type(exercise_records):
    return {r["record_type"]: r for r in exercise_records["records"]}


def test_records_show_the_current_best_and_the_records_before_it(caller, bench_press):
    me = caller()
    session = me.start_session()
    for weight in (100.0, 90.0, 105.0, 105.0, 110.0):
        me.log(session, bench_press, reps=5, weight=weight)

    (exercise,) = me.get("/fitness/records")["items"]

    weight = by_type(exercise)["weight"]
    assert exercise["exercise_name"] == "Barbell Bench Press"
    assert (weight["value"], weight["previous_value"], weight["reps"]) == (110.0, 105.0, 5)
    assert [(h["value"], h["previous_value"]) for h in weight["history"]] == [(105.0, 100.0), (100.0, None)]
    assert [r["record_type"] for r in exercise["records"]] == ["weight", "reps", "volume", "e1rm"]
    assert by_type(exercise)["reps"]["history"] == []  # 5 reps from the first set was never beaten


def test_records_filter_by_exercise_and_bound_the_history(caller, bench_press, squat):
    me = caller()
    session = me.start_session()
    for weight in (60.0, 70.0, 80.0, 90.0):
        me.log(session, squat, reps=3, weight=weight)
    me.log(session, bench_press, reps=3, weight=50.0)

    only_squat = me.get(f"/fitness/records?exercise_id={squat}&history=2")["items"]

    assert [e["exercise_id"] for e in only_squat] == [squat]
    assert [h["value"] for h in by_type(only_squat[0])["weight"]["history"]] == [80.0, 70.0]
    assert by_type(me.get(f"/fitness/records?exercise_id={squat}&history=0")["items"][0])["weight"]["history"] == []


def test_records_page_by_exercise_name(caller, library):
    me = caller()
    session = me.start_session()
    names = ["Deadlift", "Barbell Row", "Leg Press", "Pull-Up", "Dip"]
    for name in names:
        me.log(session, library[name], reps=5, weight=40.0)

    first = me.get("/fitness/records?limit=2")
    second = me.get(f"/fitness/records?limit=2&cursor={first['next_cursor']}")
    third = me.get(f"/fitness/records?limit=2&cursor={second['next_cursor']}")

    seen = [e["exercise_name"] for page in (first, second, third) for e in page["items"]]
    assert seen == sorted(names, key=str.lower)
    assert third["next_cursor"] is None


def test_records_are_the_users_own(caller, bench_press):
    me, other = caller(), caller()
    me.log(me.start_session(), bench_press, reps=5, weight=100.0)

    assert other.get("/fitness/records")["items"] == []
    assert other.get(f"/fitness/records?exercise_id={bench_press}")["items"] == []


@pytest.mark.parametrize("query", ["history=101", "history=-1", "exercise_id=bench", "limit=0", "cursor=WzFd"])
def test_bad_record_queries_are_422(caller, query):
    assert caller().request("GET", f"/fitness/records?{query}")[0] == 422


def set_session_start(conn, session_id, started_at):
    conn.execute("UPDATE workout_sessions SET started_at = %s WHERE id = %s", (started_at, session_id))


def test_stats_add_up_volume_sets_and_sessions_per_iso_week(caller, bench_press, squat, conn):
    me = caller()
    this_week = me.start_session()
    me.log(this_week, bench_press, reps=5, weight=100.0)
    me.log(this_week, squat, reps=5, weight=120.0)
    me.log(this_week, squat, reps=10, weight=40.0, is_warmup=True)
    last_week = me.start_session()
    me.log(last_week, squat, reps=3, weight=140.0)
    set_session_start(conn, last_week, datetime.now(UTC) - timedelta(days=7))
    empty = me.start_session()  # no working sets: not a session in the stats
    me.log(empty, squat, reps=10, weight=40.0, is_warmup=True)
    too_old = me.start_session()
    me.log(too_old, squat, reps=3, weight=500.0)
    set_session_start(conn, too_old, datetime.now(UTC) - timedelta(days=7 * 5))

    stats = me.get("/fitness/stats?weeks=4")

    monday = datetime.now(UTC).date() - timedelta(days=datetime.now(UTC).weekday())
    assert [w["week_start"] for w in stats["weeks"]] == [str(monday - timedelta(weeks=n)) for n in (3, 2, 1, 0)]
    assert [(w["sessions"], w["working_sets"], w["volume"]) for w in stats["weeks"]] == [
        (0, 0, 0),
        (0, 0, 0),
        (1, 1, 3 * 140.0),
        (1, 2, 5 * 100.0 + 5 * 120.0),
    ]
    assert (stats["weeks"][-1]["iso_year"], stats["weeks"][-1]["iso_week"]) == tuple(monday.isocalendar())[:2]
    groups = {g["muscle_group"]: (g["working_sets"], g["volume"]) for g in stats["muscle_groups"]}
    assert groups["chest"] == (1, 500.0)
    assert groups["quadriceps"] == (2, 600.0 + 420.0)
    assert groups["lower_back"] == (2, 1020.0)  # the squat lists it; the bench press does not


def test_stats_of_a_new_user_are_zero_weeks(caller):
    stats = caller().get("/fitness/stats")
    assert len(stats["weeks"]) == 12 and all(w["volume"] == 0 for w in stats["weeks"])
    assert stats["muscle_groups"] == []


@pytest.mark.parametrize("weeks", ["0", "105", "ten", "-1"])
def test_stats_weeks_are_bounded(caller, weeks):
    assert caller().request("GET", f"/fitness/stats?weeks={weeks}")[0] == 422
