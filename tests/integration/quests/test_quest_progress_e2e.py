"""A quest's progress advances from real actions in the other domains: focus minutes, habits, sets, purchases."""

from __future__ import annotations

import uuid

from tests.helpers import run_concurrently


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


def custom_exercise(user) -> str:
    return user.post(
        "/fitness/exercises",
        {"name": f"Press {uuid.uuid4().hex[:6]}", "category": "strength", "muscle_groups": ["chest"]},
    )["id"]


def test_concurrent_working_sets_each_count_once(caller, quest):
    user = caller()
    q = quest(target_type="sets_logged", target=100)
    user.post(f"/quests/{q['id']}/accept")
    exercise = custom_exercise(user)
    session = user.post("/fitness/sessions", {})["id"]

    statuses = run_concurrently(
        lambda i: user.request("POST", f"/fitness/sessions/{session}/sets", {"exercise_id": exercise, "reps": 5})[0],
        12,
    )

    assert statuses == [201] * 12
    assert user.get(f"/quests/{q['id']}")["progress"]["progress"] == 12


def test_a_set_that_is_refused_counts_nothing(caller, quest):
    """The set and its quest progress are one statement: a set the session refuses leaves the quest as it was."""
    user = caller()
    q = quest(target_type="sets_logged", target=5)
    user.post(f"/quests/{q['id']}/accept")
    exercise = custom_exercise(user)
    session = user.post("/fitness/sessions", {})["id"]
    user.post(f"/fitness/sessions/{session}/sets", {"exercise_id": exercise, "reps": 5})
    user.post(f"/fitness/sessions/{session}/complete", expect=200)

    status, _ = user.request("POST", f"/fitness/sessions/{session}/sets", {"exercise_id": exercise, "reps": 5})

    assert status == 409
    assert user.get(f"/quests/{q['id']}")["progress"]["progress"] == 1


def test_a_daily_sets_quest_turns_over_at_midnight_in_the_persons_zone(caller, quest, conn):
    """The statement reads the person's zone itself. The quest's last reset is put between midnight in UTC and
    midnight in the person's zone (14 hours ahead), so only their zone's day decides whether it starts again."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    user = caller()
    q = quest(target_type="sets_logged", target=10)
    user.post(f"/quests/{q['id']}/accept")
    zone = ZoneInfo("Pacific/Kiritimati")
    conn.execute(
        "INSERT INTO user_settings (user_id, key, value) VALUES (%s, 'timezone', '\"Pacific/Kiritimati\"')",
        (user.id,),
    )
    exercise = custom_exercise(user)
    session = user.post("/fitness/sessions", {})["id"]
    now = conn.execute("SELECT now()").fetchone()[0]
    local_midnight = datetime.combine(now.astimezone(zone).date(), datetime.min.time(), zone)
    utc_midnight = datetime.combine(now.date(), datetime.min.time(), now.tzinfo)
    last_reset = min(local_midnight, utc_midnight) + abs(local_midnight - utc_midnight) / 2
    conn.execute(
        "UPDATE user_quest_progress SET progress = 4, last_reset_at = %s, accepted_at = %s - interval '1 day' "
        "WHERE user_id = %s AND quest_id = %s",
        (last_reset, last_reset, user.id, q["id"]),
    )

    user.post(f"/fitness/sessions/{session}/sets", {"exercise_id": exercise, "reps": 5})

    new_day_there = local_midnight > last_reset  # else the day turned over in UTC only
    assert user.get(f"/quests/{q['id']}")["progress"]["progress"] == (1 if new_day_there else 5)
    assert abs(local_midnight - utc_midnight) >= timedelta(hours=10)


def test_the_zone_a_statement_reads_falls_back_to_utc(caller, conn):
    user = caller()
    zone = "SELECT user_time_zone(%s)"
    assert conn.execute(zone, (user.id,)).fetchone()[0] == "UTC"
    conn.execute(
        "INSERT INTO user_settings (user_id, key, value) VALUES (%s, 'timezone', '\"Europe/Berlin\"')", (user.id,)
    )
    assert conn.execute(zone, (user.id,)).fetchone()[0] == "Europe/Berlin"
    conn.execute("UPDATE user_settings SET value = '\"Mars/Olympus_Mons\"' WHERE user_id = %s", (user.id,))
    assert conn.execute(zone, (user.id,)).fetchone()[0] == "UTC"  # a name edited in by hand
