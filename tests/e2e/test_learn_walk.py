"""A new learner through `momentum dev`, over HTTP only: take the first lesson, pass its quiz, do a drill, and
see a review come due — the question answered wrong comes back after FSRS's first learning step (one minute),
on the server's real clock."""

import time
import uuid

import pytest
from momentum_infra.seed import learn

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_lesson_quiz_drill_and_review(dev_server):
    token = dev_server.create_user(f"learner-{uuid.uuid4().hex[:8]}@example.com")

    def call(method, path, body=None, expect=200):
        status, data = dev_server.call(method, path, body, token=token)
        assert status == expect, (method, path, status, data)
        return data

    # The curriculum is served, in order, and points a newcomer at its first lesson.
    topics = call("GET", "/learn/topics?limit=100")["items"]
    assert len(topics) >= 6 and sum(t["lesson_count"] for t in topics) >= 30
    lesson_ref = call("GET", "/learn/progress")["next_lesson"]
    lesson = call("GET", f"/learn/lessons/{lesson_ref['id']}")
    assert lesson["content_markdown"].startswith("# ") and lesson["questions"]
    call("POST", f"/learn/lessons/{lesson['id']}/start")

    # The learner answers from what the lesson taught (the seed file is the course book), one answer wrong.
    book = next(entry for entry in learn.lessons() if entry["key"] == lesson["key"])["quiz_json"]["questions"]
    answers = {q["id"]: q["answer"] for q in book}
    missed = next(q for q in book if q["type"] == "single")
    answers[missed["id"]] = next(o for o in missed["options"] if o != missed["answer"])
    result = call("POST", f"/learn/lessons/{lesson['id']}/quiz", {"answers": answers}, expect=201)
    assert result["passed"] and result["first_pass"] and result["xp_awarded"] > 0
    wallet = dev_server.call("GET", "/me/wallet", token=token)[1]
    assert wallet["coins"] == result["coins_awarded"] > 0
    skills = {s["key"]: s["total_stars"] for s in dev_server.call("GET", "/me/skills", token=token)[1]["items"]}
    assert skills[lesson["skill_key"]] == result["skill_stars_awarded"] > 0
    achievements = {
        a["key"] for a in dev_server.call("GET", "/me/achievements", token=token)[1]["items"] if a["earned_at"]
    }
    assert "first_lesson" in achievements

    # A tapping drill: the learner taps along with the clicks the server asked the client to play.
    topic = next(t for t in topics if t["key"] == "rhythm")
    drill = next(d for d in call("GET", f"/learn/topics/{topic['id']}")["drills"] if d["drill_type"] == "practice")
    issued = call("POST", f"/learn/drills/{drill['id']}/rounds", {}, expect=201)
    taps = [
        {"item": i["item"], "taps_ms": [k * i["show"]["click_interval_ms"] for k in range(i["show"]["min_taps"])]}
        for i in issued["items"]
    ]
    scored = call("POST", f"/learn/rounds/{issued['id']}/submit", {"answers": taps, "time_seconds": 20})
    assert scored["score"] == 100 and scored["stats"]["total_attempts"] == 1

    # The question answered wrong comes back first.
    deadline = time.monotonic() + 90
    queue = call("GET", "/learn/review")
    while not queue["items"] and time.monotonic() < deadline:
        time.sleep(3)
        queue = call("GET", "/learn/review")
    assert [i["question"]["id"] for i in queue["items"]] == [missed["id"]]
    reviewed = call("POST", f"/learn/review/{queue['items'][0]['card_id']}", {"answer": missed["answer"]})
    assert reviewed["correct"] and reviewed["rating"] == "good"

    progress = call("GET", "/learn/progress")
    assert progress["lessons_completed"] == 1 and progress["drill_rounds"] == 1 and progress["current_streak"] == 1
    assert progress["next_lesson"]["id"] != lesson["id"]
