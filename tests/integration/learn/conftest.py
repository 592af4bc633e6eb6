"""Fixtures of the learn tests: the seeded curriculum, a learner talking to the learn function as one user, and
the answer keys the server keeps (read from the database, as only the server can)."""

from __future__ import annotations

import json
from typing import Any

import pytest


class Learner:
    """One user's view of the learn API, through the real Chalice handler as API Gateway would call it."""

    def __init__(self, api, user):
        self.user = user
        self.id = user.id
        self.http = api("learn")

    def request(self, method: str, path: str, body: Any = None, expect: int | None = None, headers=None):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else b""
        response = self.http.request(method, path, headers=self.user.headers | (headers or {}), body=raw)
        data = json.loads(response.body) if response.body else None
        if expect is not None:
            assert response.status_code == expect, (method, path, response.status_code, data)
        return response.status_code, data

    def get(self, path, expect=200):
        return self.request("GET", path, expect=expect)[1]

    def post(self, path, body=None, expect=200):
        return self.request("POST", path, {} if body is None else body, expect=expect)[1]


@pytest.fixture(scope="session")
def curriculum(database_url):
    """The seeded skills and curriculum (not the achievements: other domains' tests count on a database without
    seeded achievements); returns topic, lesson and drill ids by key."""
    from momentum import db
    from momentum_infra.seed import gamification, learn

    with db.connect(database_url) as conn:
        with conn.transaction():
            conn.cursor().executemany(
                "INSERT INTO skill_definitions (key, name, category, description, sort_order) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (key) DO NOTHING",
                [(*skill, order) for order, skill in enumerate(gamification.SKILLS)],
            )
            learn.seed_curriculum(conn)
        lessons = dict(conn.execute("SELECT key, id::text FROM learn_lessons").fetchall())
        drills = dict(conn.execute("SELECT key, id::text FROM learn_drills").fetchall())
        topics = dict(conn.execute("SELECT key, id::text FROM learn_topics").fetchall())
    return {"lessons": lessons, "drills": drills, "topics": topics}


@pytest.fixture()
def learning_achievements(conn):
    """The seeded learning achievements, for one test: removed afterwards with what they granted."""
    from momentum_infra.seed import learn

    learn.seed_achievements(conn)
    yield [a[0] for a in learn.ACHIEVEMENTS]
    keys = [a[0] for a in learn.ACHIEVEMENTS]
    conn.execute(
        "DELETE FROM user_rewards WHERE reward_type = 'achievement' AND source_id IN "
        "(SELECT id FROM achievement_definitions WHERE key = ANY(%s))",
        (keys,),
    )
    conn.execute("DELETE FROM user_achievements WHERE achievement_key = ANY(%s)", (keys,))
    conn.execute("DELETE FROM achievement_definitions WHERE key = ANY(%s)", (keys,))


@pytest.fixture()
def learner(api, make_user, curriculum):
    """Factory: a Learner for a new user (admin if asked)."""
    return lambda admin=False: Learner(api, make_user(admin=admin))


def quiz_key(conn, lesson_id) -> list[dict[str, Any]]:
    """The lesson's questions with their answers, as stored."""
    return conn.execute("SELECT quiz_json FROM learn_lessons WHERE id = %s", (lesson_id,)).fetchone()[0]["questions"]


def right_answers(conn, lesson_id, wrong: int = 0) -> dict[str, Any]:
    """Answers to a lesson's quiz, the first ``wrong`` of them wrong."""
    answers = {}
    for i, q in enumerate(quiz_key(conn, lesson_id)):
        answer = q["answer"]
        if i < wrong:
            answer = wrong_answer(q)
        answers[q["id"]] = answer
    return answers


def wrong_answer(question: dict[str, Any]) -> Any:
    if question["type"] == "single":
        return next(o for o in question["options"] if o != question["answer"])
    if question["type"] == "multiple":
        return question["options"][:1] if question["options"][:1] != question["answer"] else question["options"][:2]
    if question["type"] == "true_false":
        return not question["answer"]
    return question["answer"] + question.get("tolerance", 0) + 1000


def round_items(conn, round_id) -> list[dict[str, Any]]:
    """The issued round's items with their answers, as the server keeps them."""
    return conn.execute("SELECT items FROM learn_drill_rounds WHERE id = %s", (round_id,)).fetchone()[0]


def answers_for(items: list[dict[str, Any]], wrong: int = 0) -> list[dict[str, Any]]:
    """Answers to issued items, the first ``wrong`` of them wrong (taps at the exact tempo for tapping items)."""
    answers = []
    for i, item in enumerate(items):
        if item["kind"] == "bpm_tap":
            interval = 60_000 / item["answer"] * (1.5 if i < wrong else 1)
            answers.append({"item": i, "taps_ms": [k * interval for k in range(item["show"]["min_taps"])]})
        else:
            choice = item["answer"] if i >= wrong else next(o for o in item["options"] if o != item["answer"])
            answers.append({"item": i, "choice": choice})
    return answers
