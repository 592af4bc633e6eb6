"""Account deletion: a user's fitness data goes in an order the spec's foreign keys accept."""

import psycopg
import pytest
from momentum.fitness.account import erase_fitness_data


def test_erasing_fitness_data_lets_the_user_be_deleted(caller, bench_press, conn):
    leaving, staying = caller(), caller()
    custom = leaving.custom_exercise()
    private = leaving.workout([bench_press, custom])
    public = leaving.workout([bench_press], is_public=True)
    session = leaving.start_session(private["id"])
    leaving.log(session, custom, reps=5, weight=10.0)
    leaving.post(
        "/fitness/programs",
        {
            "name": "P",
            "duration_weeks": 1,
            "weeks": [{"week_number": 1, "workouts": [{"workout_id": private["id"], "day_of_week": 1}]}],
        },
    )
    theirs = staying.start_session(public["id"])
    staying.log(theirs, bench_press, reps=5, weight=60.0)

    with pytest.raises(psycopg.errors.ForeignKeyViolation), conn.transaction():
        conn.execute("DELETE FROM users WHERE id = %s", (leaving.id,))

    with conn.transaction():
        erase_fitness_data(conn, leaving.id)
        conn.execute("DELETE FROM users WHERE id = %s", (leaving.id,))

    kept = staying.get(f"/fitness/sessions/{theirs}")
    assert (kept["workout_id"], kept["set_count"]) == (None, 1)
    assert conn.execute("SELECT count(*) FROM exercises WHERE id = %s", (custom,)).fetchone() == (0,)
