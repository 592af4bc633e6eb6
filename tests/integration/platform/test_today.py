"""GET /today: the home screen in one call, on the person's local day, read with a fixed number of queries
however much they own, and nothing of anyone else's."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
from momentum.platform import today

from tests.integration.fitness.helpers import Caller as FitnessCaller
from tests.integration.fitness.helpers import workout_body

EAST = "Etc/GMT-14"  # far from UTC, so a day computed in UTC would differ for half of every day


@pytest.fixture(scope="module")
def curriculum(database_url):
    """Skills and the seeded curriculum, as the learn tests seed them (not the achievements); lesson ids in
    curriculum order."""
    from momentum import db
    from momentum_infra.seed import fitness, gamification, learn

    with db.connect(database_url) as conn:
        with conn.transaction():
            conn.cursor().executemany(
                "INSERT INTO skill_definitions (key, name, category, description, sort_order) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (key) DO NOTHING",
                [(*skill, order) for order, skill in enumerate(gamification.SKILLS)],
            )
            learn.seed_curriculum(conn)
            fitness.seed(conn)
        return [
            row[0]
            for row in conn.execute(
                "SELECT l.id::text FROM learn_lessons l JOIN learn_topics t ON t.id = l.topic_id "
                "WHERE l.is_active AND t.is_active ORDER BY t.sort_order, t.key, l.sort_order, l.key"
            )
        ]


class Counter:
    """Counts the statements sent to PostgreSQL by client-side cursors (every conn.execute goes through one)."""

    def __init__(self, monkeypatch):
        self.statements: list[str] = []
        original = psycopg.Cursor.execute

        def execute(cursor, query, *args, **kwargs):
            self.statements.append(str(query))
            return original(cursor, query, *args, **kwargs)

        monkeypatch.setattr(psycopg.Cursor, "execute", execute)


def local_today(conn, zone: str) -> date:
    return conn.execute("SELECT now()").fetchone()[0].astimezone(ZoneInfo(zone)).date()


def streak(conn, user_id, kind: str, last: date, current: int = 4) -> None:
    conn.execute(
        "INSERT INTO user_streaks (user_id, streak_type, current_streak, longest_streak, last_activity_date) "
        "VALUES (%s, %s, %s, 9, %s)",
        (user_id, kind, current, last),
    )


def test_a_new_account_sees_a_fresh_start(caller, curriculum):
    me = caller()

    view = me.get("/today")

    assert (view["level"]["level"], view["level"]["total_xp"], view["coins"]) == (1, 0, 0)
    assert view["streaks"] == []
    assert view["daily_reward"] == {
        "collected_today": False,
        "reward_id": None,
        "state": None,
        "next_coins": 10,
        "next_xp": 5,
    }
    assert (view["workout"]["program"], view["workout"]["workouts"]) == (None, [])
    assert (view["book"], view["books_reading"], view["reviews_due"], view["inbox_unread"]) == (None, 0, 0, 0)
    assert view["next_lesson"]["id"] == curriculum[0]
    assert (view["timezone"], view["date"]) == ("UTC", datetime.now(ZoneInfo("UTC")).date().isoformat())


def test_streaks_are_at_risk_on_the_local_day_until_there_is_activity(caller, conn, curriculum):
    me = caller()
    me.put("/me/settings/timezone", {"value": EAST})
    day = local_today(conn, EAST)
    streak(conn, me.id, "reading", day)  # done today
    streak(conn, me.id, "workout", day - timedelta(days=1))  # alive, not yet today: at risk
    streak(conn, me.id, "learning", day - timedelta(days=2))  # already lost

    view = me.get("/today")

    assert view["date"] == day.isoformat() and view["timezone"] == EAST
    by_type = {s["streak_type"]: s for s in view["streaks"]}
    assert (by_type["reading"]["done_today"], by_type["reading"]["at_risk"], by_type["reading"]["current_streak"]) == (
        True,
        False,
        4,
    )
    assert (by_type["workout"]["done_today"], by_type["workout"]["at_risk"], by_type["workout"]["current_streak"]) == (
        False,
        True,
        4,
    )
    assert (by_type["learning"]["at_risk"], by_type["learning"]["current_streak"]) == (False, 0)
    assert by_type["learning"]["longest_streak"] == 9


def test_the_daily_reward_shows_whether_it_was_collected_and_what_the_next_one_pays(api, caller, conn, curriculum):
    me = caller()
    streak(conn, me.id, "daily", local_today(conn, "UTC") - timedelta(days=1), current=2)
    assert (me.get("/today")["daily_reward"]["next_coins"], me.get("/today")["daily_reward"]["next_xp"]) == (30, 15)

    reward = me.post("/market/rewards/daily")
    view = me.get("/today")

    assert view["daily_reward"] == {
        "collected_today": True,
        "reward_id": reward["id"],
        "state": "claimable",
        "next_coins": None,
        "next_xp": None,
    }
    assert view["rewards_claimable"] == 1
    claim = api("claim_reward").request(
        "POST", f"/market/rewards/{reward['id']}/claim", headers=me.user.headers, body=b"{}"
    )
    assert claim.status_code == 200, claim.body
    claimed = me.get("/today")
    assert (claimed["daily_reward"]["state"], claimed["rewards_claimable"], claimed["coins"]) == ("claimed", 0, 30)
    assert claimed["level"]["total_xp"] == 15


def test_the_book_lesson_reviews_and_inbox_are_the_callers_own(caller, conn, curriculum):
    me, other = caller(), caller()
    for who in (me, other):
        first = who.post("/capture/inbox", {"title": "Sidechain trick"})
        who.post("/capture/inbox", {"title": "Buy strings"})
        who.post(f"/capture/inbox/{first['id']}/process", expect=200)
    conn.execute(
        "INSERT INTO books (user_id, title, status, current_page, total_pages, updated_at) VALUES "
        "(%s, 'Older read', 'reading', 10, 300, now() - interval '1 day'), (%s, 'Making Music', 'reading', 42, 200, "
        "now()), (%s, 'Finished', 'completed', 100, 100, now()), (%s, 'Theirs', 'reading', 5, 50, now())",
        (me.id, me.id, me.id, other.id),
    )
    conn.execute(
        "INSERT INTO user_lesson_progress (user_id, lesson_id, status, completed_at) "
        "VALUES (%s, %s, 'completed', now())",
        (me.id, curriculum[0]),
    )
    conn.execute(
        "INSERT INTO learn_review_cards (user_id, lesson_id, question_id, item_key, card, due, seed) "
        "SELECT %s, l.id, q ->> 'id', 'q:' || (q ->> 'id'), '{}', now() - interval '1 hour', 1 "
        "FROM learn_lessons l, jsonb_array_elements(l.quiz_json -> 'questions') q WHERE l.id = %s LIMIT 2",
        (me.id, curriculum[0]),
    )

    view = me.get("/today")

    assert (view["book"]["title"], view["book"]["current_page"], view["books_reading"]) == ("Making Music", 42, 2)
    assert view["next_lesson"]["id"] == curriculum[1]
    assert view["reviews_due"] == 2
    assert view["inbox_unread"] == 1
    theirs = other.get("/today")
    assert (theirs["book"]["title"], theirs["books_reading"], theirs["reviews_due"]) == ("Theirs", 1, 0)
    assert theirs["next_lesson"]["id"] == curriculum[0]


def test_todays_workout_comes_from_the_active_program_on_the_local_weekday(api, caller, conn, curriculum, monkeypatch):
    me = caller()
    me.put("/me/settings/timezone", {"value": EAST})
    fit = FitnessCaller(api, me.user)
    exercise = conn.execute("SELECT id::text FROM exercises WHERE is_builtin LIMIT 1").fetchone()[0]
    workout = fit.post("/fitness/workouts", workout_body([exercise]))
    weeks = [
        {
            "week_number": 1,
            "workouts": [
                {"workout_id": workout["id"], "day_of_week": d, "intensity_modifier": 1 + d / 10} for d in range(7)
            ],
        }
    ]
    program = fit.post("/fitness/programs", {"name": "Daily", "duration_weeks": 1, "weeks": weeks})
    fit.post(f"/fitness/programs/{program['id']}/activate", expect=200)

    view = me.get("/today")

    weekday = local_today(conn, EAST).isoweekday() % 7
    assert (view["workout"]["program"]["id"], view["workout"]["day_of_week"]) == (program["id"], weekday)
    assert [w["intensity_modifier"] for w in view["workout"]["workouts"]] == [pytest.approx(1 + weekday / 10)]
    counter = Counter(monkeypatch)
    today.get_today(conn, me.id)
    # the clock, the summary, the active program, its week and the week's workout documents
    assert len(counter.statements) == 5, counter.statements


def test_unfinished_onboarding_is_shown_until_it_is_done(caller, conn, curriculum):
    admin = caller(admin=True)
    flow = admin.post("/admin/onboarding/flows", {"name": "Welcome", "is_active": False, "steps": []})
    active = [row[0] for row in conn.execute("SELECT id FROM onboarding_flows WHERE is_active")]
    me = caller()
    try:
        conn.execute("UPDATE onboarding_flows SET is_active = false")  # other tests' flows, restored below
        assert me.get("/today")["onboarding"] is None  # no active flow
        conn.execute("UPDATE onboarding_flows SET is_active = true WHERE id = %s", (flow["id"],))
        assert me.get("/today")["onboarding"] == {"flow_id": flow["id"], "status": "pending"}
        conn.execute(
            "INSERT INTO user_onboarding_state (user_id, flow_id, status, completed_at) "
            "VALUES (%s, %s, 'completed', now())",
            (me.id, flow["id"]),
        )
        assert me.get("/today")["onboarding"] is None
    finally:
        conn.execute("DELETE FROM onboarding_flows WHERE id = %s", (flow["id"],))
        conn.execute("UPDATE onboarding_flows SET is_active = true WHERE id = ANY(%s)", (active,))


def test_the_query_count_is_fixed_however_much_the_person_owns(caller, conn, curriculum, monkeypatch):
    small, large = caller(), caller()
    conn.execute(
        "INSERT INTO books (user_id, title, status) SELECT %s, 'Book ' || n, "
        "(ARRAY['reading', 'to_read', 'completed'])[1 + n %% 3] FROM generate_series(1, 300) n",
        (large.id,),
    )
    conn.execute(
        "INSERT INTO inbox_items (user_id, title, is_processed) SELECT %s, 'Note ' || n, n %% 2 = 0 "
        "FROM generate_series(1, 200) n",
        (large.id,),
    )
    conn.execute(
        "INSERT INTO user_streaks (user_id, streak_type, current_streak, longest_streak, last_activity_date) "
        "SELECT %s, 'kind-' || n, 1, 1, current_date FROM generate_series(1, 20) n",
        (large.id,),
    )
    counter = Counter(monkeypatch)

    counts = []
    for who in (small, large):
        counter.statements.clear()
        view = today.get_today(conn, who.id)
        counts.append(len(counter.statements))
    assert view.books_reading == 100 and view.inbox_unread == 100 and len(view.streaks) == 20
    # the clock, the summary, and the active program (none here): three statements, for any amount of data
    assert counts == [3, 3], counter.statements
