"""Through `momentum dev` over HTTP: quests advance from what a person does in three other domains (habits,
training, the market), and a completed quest is claimed once."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.e2e


def test_quest_progress_from_habits_sets_and_purchases(dev_server):
    call = dev_server.call
    admin = dev_server.create_user(f"quest-admin-{uuid.uuid4().hex[:6]}@example.com", admin=True)
    user = dev_server.create_user(f"quester-{uuid.uuid4().hex[:6]}@example.com")
    quests = {}
    for target_type, target in (("habits_completed", 1), ("sets_logged", 2), ("purchases", 1)):
        status, quest = call(
            "POST",
            "/admin/quests",
            {
                "title": f"E2E {target_type} {uuid.uuid4().hex[:4]}",
                "type": "daily",
                "target_type": target_type,
                "target": target,
                "coin_reward": 7,
            },
            token=admin,
        )
        assert status == 201, quest
        assert call("POST", f"/quests/{quest['id']}/accept", {}, token=user)[0] == 201
        quests[target_type] = quest["id"]

    # Habits: one completion.
    _, habit = call("POST", "/habits", {"name": "Ear training"}, token=user)
    assert call("POST", f"/habits/{habit['id']}/complete", {}, token=user)[0] == 201
    # Training: a warm-up (not counted) and two working sets.
    _, exercise = call(
        "POST",
        "/fitness/exercises",
        {"name": f"Press {uuid.uuid4().hex[:6]}", "category": "strength", "muscle_groups": ["chest"]},
        token=user,
    )
    _, session = call("POST", "/fitness/sessions", {}, token=user)
    for warmup in (True, False, False):
        status, _ = call(
            "POST",
            f"/fitness/sessions/{session['id']}/sets",
            {"exercise_id": exercise["id"], "reps": 5, "is_warmup": warmup},
            token=user,
        )
        assert status == 201
    # The market: coins from an admin grant, then one purchase sent twice with one Idempotency-Key.
    _, me = call("GET", "/me", token=user)
    call(
        "POST",
        f"/admin/users/{me['id']}/grants",
        {"coins": 1000, "reason": "e2e"},
        token=admin,
        headers={"Idempotency-Key": f"e2e-{me['id']}"},
    )
    _, items = call("GET", "/market/items?limit=100", token=user)
    item = next(i for i in items["items"] if i.get("purchasable") and i["cost_coins"] <= 1000)
    for _ in range(2):
        status, _ = call(
            "POST",
            f"/market/items/{item['id']}/purchase",
            {"quantity": 1},
            token=user,
            headers={"Idempotency-Key": "e2e-buy"},
        )
        assert status in (200, 201)

    progress = {kind: call("GET", f"/quests/{qid}", token=user)[1]["progress"] for kind, qid in quests.items()}
    assert {kind: (p["status"], p["progress"]) for kind, p in progress.items()} == {
        "habits_completed": ("completed", 1),
        "sets_logged": ("completed", 2),
        "purchases": ("completed", 1),
    }
    coins_before = call("GET", "/me/wallet", token=user)[1]["coins"]
    assert call("POST", f"/quests/{quests['purchases']}/claim", {}, token=user)[0] == 200
    status, error = call("POST", f"/quests/{quests['purchases']}/claim", {}, token=user)
    assert (status, error["error"]["code"]) == (409, "already_claimed")
    assert call("GET", "/me/wallet", token=user)[1]["coins"] == coins_before + 7
