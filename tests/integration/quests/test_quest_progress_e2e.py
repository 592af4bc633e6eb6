"""A quest's progress advances from real actions in the other domains: focus minutes, habits, sets, purchases."""

from __future__ import annotations

import uuid


def test_focus_minutes_advance_a_focus_quest(caller, quest, conn):
    user = caller()
    q = quest(target_type="focus_minutes", target=25)
    user.post(f"/quests/{q['id']}/accept")
    session = user.post("/focus/sessions", {"duration_seconds": 1500})
    conn.execute(
        "UPDATE focus_sessions SET started_at = started_at - interval '25 minutes' WHERE id = %s", (session["id"],)
    )
    user.post(f"/focus/sessions/{session['id']}/complete", expect=200)
    assert user.get(f"/quests/{q['id']}")["progress"]["status"] == "completed"


def test_working_sets_advance_a_sets_quest_and_warmups_do_not(caller, quest):
    user = caller()
    q = quest(target_type="sets_logged", target=5)
    user.post(f"/quests/{q['id']}/accept")
    exercise = user.post(
        "/fitness/exercises",
        {"name": f"Press {uuid.uuid4().hex[:6]}", "category": "strength", "muscle_groups": ["chest"]},
    )["id"]
    session = user.post("/fitness/sessions", {})["id"]
    user.post(f"/fitness/sessions/{session}/sets", {"exercise_id": exercise, "reps": 5, "is_warmup": True})
    for _ in range(2):
        user.post(f"/fitness/sessions/{session}/sets", {"exercise_id": exercise, "reps": 5})
    assert user.get(f"/quests/{q['id']}")["progress"]["progress"] == 2


def test_a_purchase_advances_a_purchase_quest_once_per_idempotency_key(caller, quest, conn, admin):
    user = caller()
    q = quest(target_type="purchases", target=3)
    user.post(f"/quests/{q['id']}/accept")
    item = conn.execute(
        "INSERT INTO market_items (name, category, cost_coins, is_consumable) VALUES ('Tea', 'boost', 5, true)"
        " RETURNING id"
    ).fetchone()[0]
    status, _ = admin.request(
        "POST", f"/admin/users/{user.id}/grants", {"coins": 100, "reason": "test"}, headers={"Idempotency-Key": "g"}
    )
    assert status in (200, 201)
    headers = {"Idempotency-Key": "buy-1"}
    for _ in range(3):  # retries of one purchase
        user.request("POST", f"/market/items/{item}/purchase", {"quantity": 1}, headers=headers)
    assert user.get(f"/quests/{q['id']}")["progress"]["progress"] == 1
