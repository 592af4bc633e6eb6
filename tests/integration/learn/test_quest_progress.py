"""Quests that count pages read and lessons completed advance from the books and learn domains, once per action."""

from __future__ import annotations

import json
import uuid

from tests.integration.learn.conftest import right_answers


def accepted_quest(api, make_user, admin, target_type: str, target: int):
    """A universal quest counting ``target_type``, accepted by a new user; returns (user, quest id)."""
    quests = api("quests")
    body = {"title": f"{target_type} {uuid.uuid4().hex[:6]}", "type": "daily", "target_type": target_type}
    body |= {"target": target, "xp_reward": 5, "coin_reward": 1}
    created = quests.post("/admin/quests", headers=admin.headers, body=json.dumps(body))
    assert created.status_code == 201, created.body
    user = make_user()
    quest_id = created.json_body["id"]
    assert quests.post(f"/quests/{quest_id}/accept", headers=user.headers, body=b"{}").status_code in (200, 201)
    return user, quest_id


def progress(api, user, quest_id) -> int:
    return api("quests").get(f"/quests/{quest_id}", headers=user.headers).json_body["progress"]["progress"]


def test_pages_read_advance_a_reading_quest_once_per_session(api, make_user):
    admin = make_user(admin=True)
    user, quest_id = accepted_quest(api, make_user, admin, "pages_read", 100)
    books = api("books")
    book = books.post("/books", headers=user.headers, body=json.dumps({"title": "Mixing Secrets", "total_pages": 300}))
    path = f"/books/{book.json_body['id']}/sessions"
    for _ in range(2):  # a retry with the same key counts once
        logged = books.post(path, headers=user.headers | {"Idempotency-Key": "s1"}, body=json.dumps({"pages_read": 30}))
        assert logged.status_code in (200, 201), logged.body
    assert progress(api, user, quest_id) == 30


def test_a_first_pass_advances_a_lessons_quest_and_a_second_pass_does_not(api, make_user, curriculum, conn):
    admin = make_user(admin=True)
    user, quest_id = accepted_quest(api, make_user, admin, "lessons_completed", 3)
    lesson_id = curriculum["lessons"]["mt-notes-and-octaves"]
    answers = json.dumps({"answers": right_answers(conn, lesson_id)})
    for _ in range(2):
        passed = api("learn").post(f"/learn/lessons/{lesson_id}/quiz", headers=user.headers, body=answers)
        assert passed.status_code == 201, passed.body
    assert progress(api, user, quest_id) == 1
