"""Authoring: quizzes and drill configurations are validated (a correct answer outside its options is a 422),
keys are unique, and what an admin writes is what learners get."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.learn.conftest import round_items


def quiz(**first):
    questions = [
        {"id": f"q{i}", "type": "true_false", "prompt": f"Statement {i} is true.", "answer": True} for i in range(5)
    ]
    questions[0] = {"id": "q0", "type": "single", "prompt": "Pick", "options": ["a", "b"], "answer": "a"} | first
    return {"questions": questions}


def lesson_body(topic_id, **fields):
    return {
        "topic_id": topic_id,
        "key": f"lesson-{uuid.uuid4().hex[:8]}",
        "title": "Sidechain basics",
        "content_markdown": "# Sidechain\nDuck the bass under the kick.",
        "quiz": quiz(),
        "xp_reward": 25,
        "coin_reward": 4,
        "skill_key": "mixing",
        "skill_star_reward": 1,
    } | fields


@pytest.fixture()
def admin(learner):
    return learner(admin=True)


@pytest.mark.parametrize(
    "bad_quiz",
    [
        quiz(answer="c"),  # not one of the options
        quiz(type="multiple", answer=["a", "z"]),
        quiz(options=["a", "a"]),
        {"questions": quiz()["questions"][:4]},  # fewer than 5 questions
        {"questions": quiz()["questions"] + quiz()["questions"]},  # duplicate ids
        quiz(type="numeric", answer="440"),
        quiz(type="numeric", answer=440, tolerance=-1, options=None),
    ],
    ids=[
        "answer-not-an-option",
        "multiple-outside",
        "duplicate-options",
        "too-few",
        "duplicate-ids",
        "numeric-text",
        "negative-tolerance",
    ],
)
def test_invalid_quizzes_are_422(admin, curriculum, bad_quiz):
    status, error = admin.request("POST", "/learn/lessons", lesson_body(curriculum["topics"]["mixing"], quiz=bad_quiz))
    assert status == 422, error


def test_lessons_need_a_known_topic_and_skill_and_a_unique_key(admin, curriculum):
    topic = curriculum["topics"]["mixing"]
    status, error = admin.request("POST", "/learn/lessons", lesson_body(str(uuid.uuid4())))
    assert (status, error["error"]["code"]) == (422, "unknown_topic")
    status, error = admin.request("POST", "/learn/lessons", lesson_body(topic, skill_key="juggling"))
    assert (status, error["error"]["code"]) == (422, "unknown_skill")
    status, error = admin.request("POST", "/learn/lessons", lesson_body(topic, key="mx-compression"))
    assert (status, error["error"]["code"]) == (409, "key_taken")


def test_a_lesson_written_by_an_admin_is_taken_by_a_learner(admin, learner, curriculum, conn):
    created = admin.post("/learn/lessons", lesson_body(curriculum["topics"]["mixing"]), 201)
    assert created["quiz_json"]["questions"][0]["answer"] == "a"  # the author sees what they wrote

    patched = admin.request("PATCH", f"/learn/lessons/{created['id']}", {"xp_reward": 40, "title": "Sidechain"})[1]
    assert (patched["xp_reward"], patched["title"], patched["coin_reward"]) == (40, "Sidechain", 4)
    status, _ = admin.request("PATCH", f"/learn/lessons/{created['id']}", {"quiz": quiz(answer="nope")})
    assert status == 422
    status, _ = admin.request("PATCH", f"/learn/lessons/{created['id']}", {"title": None})
    assert status == 422

    me = learner()
    answers = {"q0": "a"} | {f"q{i}": True for i in range(1, 5)}
    result = me.post(f"/learn/lessons/{created['id']}/quiz", {"answers": answers}, 201)
    assert (result["score"], result["xp_awarded"], result["coins_awarded"]) == (100, 40, 4)

    admin.request("DELETE", f"/learn/lessons/{created['id']}", expect=204)
    assert me.request("GET", f"/learn/lessons/{created['id']}")[0] == 404
    assert admin.request("DELETE", f"/learn/lessons/{created['id']}")[0] == 404


@pytest.mark.parametrize(
    "config",
    [
        {"generator": "interval", "intervals": [7]},  # one interval is no question
        {"generator": "interval", "intervals": [3, 13]},
        {"generator": "chord_quality", "qualities": ["major", "mystery"]},
        {"generator": "eq_band", "bands": [100, 1000]},  # not octave-band centres
        {"generator": "bpm_tap", "low": 150, "high": 90},
        {"generator": "theremin"},
        {"generator": "note_name", "items": 50},
    ],
    ids=["one-interval", "interval-13", "unknown-quality", "not-a-band", "low-above-high", "unknown", "too-many"],
)
def test_invalid_drill_configs_are_422(admin, curriculum, config):
    body = {
        "topic_id": curriculum["topics"]["ear_training"],
        "key": f"drill-{uuid.uuid4().hex[:8]}",
        "title": "Broken",
        "drill_type": "quiz",
        "config": config,
    }
    status, error = admin.request("POST", "/learn/drills", body)
    assert status == 422, error


def test_a_drill_written_by_an_admin_deals_its_items(admin, learner, curriculum, conn):
    body = {
        "topic_id": curriculum["topics"]["ear_training"],
        "key": f"drill-{uuid.uuid4().hex[:8]}",
        "title": "Fifths and octaves",
        "drill_type": "quiz",
        "config": {"generator": "interval", "intervals": [7, 12], "items": 4},
        "xp_reward": 6,
    }
    drill = admin.post("/learn/drills", body, 201)
    me = learner()
    issued = me.post(f"/learn/drills/{drill['id']}/rounds", expect=201)
    assert len(issued["items"]) == 4
    assert {i["answer"] for i in round_items(conn, issued["id"])} <= {"perfect fifth", "octave"}

    patched = admin.request("PATCH", f"/learn/drills/{drill['id']}", {"config": {"generator": "note_name", "items": 2}})
    assert patched[0] == 200 and patched[1]["config_json"]["generator"] == "note_name"
    assert len(me.post(f"/learn/drills/{drill['id']}/rounds", expect=201)["items"]) == 2
    admin.request("DELETE", f"/learn/drills/{drill['id']}", expect=204)


def test_topics_crud(admin, learner):
    key = f"topic-{uuid.uuid4().hex[:6]}"
    topic = admin.post("/learn/topics", {"key": key, "name": "Vocals", "category": "craft", "color": "#112233"}, 201)
    status, error = admin.request("POST", "/learn/topics", {"key": key, "name": "Again", "category": "craft"})
    assert (status, error["error"]["code"]) == (409, "key_taken")
    assert admin.request("PATCH", f"/learn/topics/{topic['id']}", {"name": "Vocal production"})[1]["name"] == (
        "Vocal production"
    )
    assert learner().get(f"/learn/topics/{topic['id']}")["lessons"] == []
    admin.request("DELETE", f"/learn/topics/{topic['id']}", expect=204)
    assert admin.request("PATCH", f"/learn/topics/{topic['id']}", {"name": "x"})[0] == 404
