"""Round trips per write: the contract that writes which pay or charge stay cheap.

Each case calls a write route through its real handler, as API Gateway would, and counts the round trips it sends to
PostgreSQL (from libpq's protocol trace, as ``bench/bench_cpu.py`` counts them), authentication included. Every
paying write is held to 2: the token check, then one statement. Quiz, drill and review submissions read their row in
the round trip of the token check (the route's ``read=``, sent in one pipeline), are graded in Python, then write in
one statement. A change that adds a round trip to any of them fails here. The counts are for the common case: no
accepted quest counts the action and no achievement is pending; either adds a statement where it applies.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from psycopg import pq

from tests.integration.fitness.conftest import library  # noqa: F401 - fixtures the cases use
from tests.integration.learn.conftest import curriculum, right_answers  # noqa: F401
from tests.integration.market.helpers import fund, make_item


def round_trips(action: Callable[[], Any]) -> int:
    """The round trips ``action()`` sends on this thread's connection (the one the handlers use)."""
    from momentum import db

    conn = db.get_conn()
    # psycopg prepares a statement on its fifth use, a round trip of its own; a warm function has done that long
    # ago, so the count leaves it out (and does not depend on which tests ran before).
    threshold, conn.prepare_threshold = conn.prepare_threshold, None
    with tempfile.TemporaryFile("w+") as trace:
        conn.pgconn.trace(trace.fileno())
        conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
        try:
            action()
        finally:
            conn.pgconn.untrace()
            conn.prepare_threshold = threshold
        trace.seek(0)
        sent = [line.split("\t")[2] for line in trace.read().splitlines() if line.startswith("F\t")]
    return sent.count("Sync") + sent.count("Query")


class Client:
    """One user calling any route's real handler; the function is found from template.yaml, as the local stack
    finds it."""

    def __init__(self, api: Any, user: Any):
        from momentum_infra import localstack
        from momentum_infra import template as tpl

        self.id, self.user, self._api = user.id, user, api
        self._router = localstack.Router(tpl.api_routes())

    def route(self, method: str, path: str) -> Any:
        route, _, _ = self._router.match(method, path)
        assert route is not None, (method, path)
        return route

    def request(self, method: str, path: str, body: Any = None, expect: int = 200, headers: dict | None = None) -> Any:
        http = self._api(self.route(method, path).module.split(".")[1])
        raw = json.dumps(body).encode() if body is not None else b""
        response = http.request(method, path, headers=self.user.headers | (headers or {}), body=raw)
        data = json.loads(response.body) if response.body else None
        assert response.status_code == expect, (method, path, response.status_code, data)
        return data

    def post(self, path: str, body: Any = None, expect: int = 201, headers: dict | None = None) -> Any:
        return self.request("POST", path, {} if body is None else body, expect, headers)


@pytest.fixture()
def me(api, make_user):
    return Client(api, make_user())


@pytest.fixture()
def admin(api, make_user):
    return Client(api, make_user(admin=True))


# Each case: (client, setup) -> the request to count, as (caller, path, body, expected status, headers).
Request = tuple[Client, str, Any, int, dict[str, str] | None]


def purchase(me: Client, admin: Client, conn: Any, seeded: Any) -> Request:
    fund(conn, me.id, 100)
    item = make_item(conn, is_consumable=True)
    return me, f"/market/items/{item}/purchase", {"quantity": 1}, 201, None


def claim(me: Client, admin: Client, conn: Any, seeded: Any) -> Request:
    (reward,) = conn.execute(
        "INSERT INTO user_rewards (user_id, reward_type, coins_earned, xp_earned) VALUES (%s, 'quest', 10, 1) "
        "RETURNING id",
        (me.id,),
    ).fetchone()
    return me, f"/market/rewards/{reward}/claim", None, 200, None


def log_set(me: Client, admin: Client, conn: Any, seeded: Any) -> Request:
    session = me.post("/fitness/sessions")["id"]
    me.post(f"/fitness/sessions/{session}/sets", {"exercise_id": seeded.bench_press, "reps": 5})
    return (
        me,
        f"/fitness/sessions/{session}/sets",
        {"exercise_id": seeded.bench_press, "reps": 6},
        201,
        None,
    )


def use(me: Client, admin: Client, conn: Any, seeded: Any) -> Request:
    fund(conn, me.id, 100)
    bought = me.post(f"/market/items/{make_item(conn, is_consumable=True)}/purchase", {"quantity": 1})
    return me, f"/market/purchases/{bought['id']}/use", None, 200, None


def refund(me: Client, admin: Client, conn: Any, seeded: Any) -> Request:
    fund(conn, me.id, 100)
    bought = me.post(f"/market/items/{make_item(conn, is_consumable=True)}/purchase", {"quantity": 1})
    return me, f"/market/purchases/{bought['id']}/refund", {"reason": "changed my mind"}, 200, None


def daily_reward(me: Client, admin: Client, conn: Any, seeded: Any) -> Request:
    return me, "/market/rewards/daily", None, 201, None


def grant(me: Client, admin: Client, conn: Any, seeded: Any) -> Request:
    body = {"coins": 5, "xp": 5, "reason": "welcome"}
    return admin, f"/admin/users/{me.id}/grants", body, 201, {"Idempotency-Key": f"welcome-{me.id}"}


def quest_claim(me: Client, admin: Client, conn: Any, seeded: Any) -> Request:
    from momentum import quests

    quest = admin.post(
        "/admin/quests",
        {"title": f"Quest {uuid.uuid4().hex[:6]}", "type": "daily", "target_type": "purchases", "target": 1},
    )
    me.post(f"/quests/{quest['id']}/accept")
    quests.record_progress(conn, me.id, "purchases", 1)
    return me, f"/quests/{quest['id']}/claim", None, 200, None


def habit_undo(me: Client, admin: Client, conn: Any, seeded: Any) -> Request:
    habit = me.post("/habits", {"name": "Scales", "frequency": "daily", "target_count": 3})["id"]
    me.post(f"/habits/{habit}/complete")
    return me, f"/habits/{habit}/undo", None, 200, None


def workout_complete(me: Client, admin: Client, conn: Any, seeded: Any) -> Request:
    session = me.post("/fitness/sessions")["id"]
    me.post(f"/fitness/sessions/{session}/sets", {"exercise_id": seeded.bench_press, "reps": 5})
    return me, f"/fitness/sessions/{session}/complete", None, 200, None


def focus_complete(me: Client, admin: Client, conn: Any, seeded: Any) -> Request:
    session = me.post("/focus/sessions", {"mode": "work", "duration_seconds": 1500})["id"]
    conn.execute(
        "UPDATE focus_sessions SET started_at = started_at - interval '25 minutes', "
        "expires_at = expires_at - interval '25 minutes' WHERE id = %s",
        (session,),
    )
    return me, f"/focus/sessions/{session}/complete", None, 200, None


def quiz_pass(me: Client, admin: Client, conn: Any, seeded: Any) -> Request:
    lesson = seeded.curriculum["lessons"][sorted(seeded.curriculum["lessons"])[0]]
    return me, f"/learn/lessons/{lesson}/quiz", {"answers": right_answers(conn, lesson)}, 201, None


def drill_round(me: Client, admin: Client, conn: Any, seeded: Any) -> Request:
    issued = me.post(f"/learn/drills/{seeded.curriculum['drills']['notes-bass']}/rounds")
    return me, f"/learn/rounds/{issued['id']}/submit", {"answers": [], "time_seconds": 1}, 200, None


def personal_quest_claim(me: Client, admin: Client, conn: Any, seeded: Any) -> Request:
    quest = me.post("/personal-quests", {"title": "Finish a beat", "xp_reward": 20, "coin_reward": 10, "target": 1})
    me.post(f"/personal-quests/{quest['id']}/progress", {"amount": 1}, expect=200)
    return me, f"/personal-quests/{quest['id']}/claim", None, 200, None


def reading_session(me: Client, admin: Client, conn: Any, seeded: Any) -> Request:
    book = me.post("/books", {"title": "Mixing Secrets", "total_pages": 300})["id"]
    return me, f"/books/{book}/sessions", {"pages_read": 20}, 201, None


def habit_complete(me: Client, admin: Client, conn: Any, seeded: Any) -> Request:
    habit = me.post("/habits", {"name": "Scales", "frequency": "daily", "target_count": 3})["id"]
    return me, f"/habits/{habit}/complete", None, 201, None


def milestone_complete(me: Client, admin: Client, conn: Any, seeded: Any) -> Request:
    goal = me.post("/goals", {"title": "Release an EP", "milestones": [{"title": "Write"}, {"title": "Mix"}]})
    return me, f"/goals/{goal['id']}/milestones/{goal['milestones'][0]['id']}/complete", None, 200, None


def goal_complete(me: Client, admin: Client, conn: Any, seeded: Any) -> Request:
    goal = me.post("/goals", {"title": "Release an EP", "milestones": []})
    return me, f"/goals/{goal['id']}/complete", None, 200, None


def review_answer(me: Client, admin: Client, conn: Any, seeded: Any) -> Request:
    lesson = seeded.curriculum["lessons"][sorted(seeded.curriculum["lessons"])[0]]
    answers = right_answers(conn, lesson)
    me.post(f"/learn/lessons/{lesson}/quiz", {"answers": answers})
    conn.execute("UPDATE learn_review_cards SET due = now() - interval '1 second' WHERE user_id = %s", (me.id,))
    item = me.request("GET", "/learn/review")["items"][0]
    return me, f"/learn/review/{item['card_id']}", {"answer": answers[item["question"]["id"]]}, 200, None


# route -> (the most round trips one request may take, authentication included; the case that makes the request).
CONTRACT: dict[str, tuple[int, Callable[..., Request]]] = {
    "POST /market/items/{item_id}/purchase": (2, purchase),
    "POST /market/rewards/{reward_id}/claim": (2, claim),
    "POST /fitness/sessions/{session_id}/sets": (2, log_set),
    "POST /market/purchases/{purchase_id}/use": (2, use),
    "POST /market/purchases/{purchase_id}/refund": (2, refund),
    "POST /market/rewards/daily": (2, daily_reward),
    "POST /goals/{goal_id}/complete": (2, goal_complete),
    "POST /admin/users/{user_id}/grants": (2, grant),
    "POST /goals/{goal_id}/milestones/{milestone_id}/complete": (2, milestone_complete),
    "POST /quests/{quest_id}/claim": (2, quest_claim),
    "POST /learn/review/{card_id}": (2, review_answer),
    "POST /habits/{habit_id}/undo": (2, habit_undo),
    "POST /learn/lessons/{lesson_id}/quiz": (2, quiz_pass),
    "POST /learn/rounds/{round_id}/submit": (2, drill_round),
    "POST /fitness/sessions/{session_id}/complete": (2, workout_complete),
    "POST /focus/sessions/{session_id}/complete": (2, focus_complete),
    "POST /personal-quests/{quest_id}/claim": (2, personal_quest_claim),
    "POST /books/{book_id}/sessions": (2, reading_session),
    "POST /habits/{habit_id}/complete": (2, habit_complete),
}


@pytest.mark.parametrize("route", CONTRACT)
def test_round_trips_per_write(route, me, admin, conn, request):
    most, case = CONTRACT[route]
    seeded = SimpleNamespace(
        bench_press=request.getfixturevalue("library")["Barbell Bench Press"],
        curriculum=request.getfixturevalue("curriculum"),
    )
    caller, path, body, status, headers = case(me, admin, conn, seeded)
    assert f"POST {caller.route('POST', path).path}" == route  # the case calls the route it is listed under
    # No achievement pending for these people, whatever definitions other tests left: the common case, and the same
    # count in any order.
    conn.execute(
        "INSERT INTO user_achievements (user_id, achievement_key) SELECT u.id, d.key "
        "FROM achievement_definitions d CROSS JOIN unnest(%s::uuid[]) AS u (id) ON CONFLICT DO NOTHING",
        ([me.id, admin.id],),
    )

    trips = round_trips(lambda: caller.post(path, body, status, headers))

    assert trips <= most, f"{route} took {trips} round trips; the contract says at most {most}"


def test_a_set_a_quest_counts_is_still_two_round_trips(me, admin, request):
    """The quest progress is written by the set's own statement."""
    quest = admin.post(
        "/admin/quests",
        {"title": f"Quest {uuid.uuid4().hex[:6]}", "type": "daily", "target_type": "sets_logged", "target": 5},
    )
    me.post(f"/quests/{quest['id']}/accept")
    bench_press = request.getfixturevalue("library")["Barbell Bench Press"]
    session = me.post("/fitness/sessions")["id"]

    trips = round_trips(lambda: me.post(f"/fitness/sessions/{session}/sets", {"exercise_id": bench_press, "reps": 5}))

    assert trips == 2
    assert me.request("GET", f"/quests/{quest['id']}")["progress"]["progress"] == 1
