"""The learner's overview: lessons per topic, stars from learning, minutes, streak, reviews due, next lesson."""

from __future__ import annotations

from tests.integration.learn.conftest import answers_for, right_answers, round_items


def test_a_new_learner_starts_at_the_first_lesson(learner, curriculum):
    progress = learner().get("/learn/progress")
    assert progress["lessons_completed"] == 0 and progress["reviews_due"] == 0 and progress["skill_stars"] == []
    assert progress["next_lesson"]["key"] == "mt-notes-and-octaves"
    assert {t["key"] for t in progress["topics"]} >= {"music_theory", "mixing", "mastering"}


def test_progress_after_lessons_and_a_drill(learner, curriculum, conn):
    me = learner()
    for key in ("mt-notes-and-octaves", "mx-compression"):
        lesson_id = curriculum["lessons"][key]
        me.post(f"/learn/lessons/{lesson_id}/quiz", {"answers": right_answers(conn, lesson_id)}, 201)
    issued = me.post(f"/learn/drills/{curriculum['drills']['notes-treble']}/rounds", expect=201)
    me.post(
        f"/learn/rounds/{issued['id']}/submit",
        {"answers": answers_for(round_items(conn, issued["id"])), "time_seconds": 2},
    )

    progress = me.get("/learn/progress")

    assert progress["lessons_completed"] == 2 and progress["drill_rounds"] == 1
    topics = {t["key"]: t for t in progress["topics"]}
    assert (topics["music_theory"]["lessons_completed"], topics["music_theory"]["lesson_count"]) == (1, 6)
    assert topics["mixing"]["lessons_completed"] == 1
    assert {s["skill_key"]: s["stars"] for s in progress["skill_stars"]} == {"music_theory": 1, "mixing": 2}
    assert progress["minutes_learned"] == 8 + 14  # the two lessons' durations; two seconds of drill round down
    assert progress["current_streak"] == 1
    assert progress["next_lesson"]["key"] == "mt-intervals"
    skills = {s["key"]: s["total_stars"] for s in me_skills(conn, me.id)}
    assert skills == {"music_theory": 1, "mixing": 2}


def me_skills(conn, user_id):
    rows = conn.execute("SELECT skill_key, total_stars FROM user_skills WHERE user_id = %s", (user_id,)).fetchall()
    return [{"key": k, "total_stars": s} for k, s in rows]
