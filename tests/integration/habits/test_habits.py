"""Habits: completion per period in the person's time zone, undo through the ledger, streaks on the schedule,
milestone bonuses, and paying once under concurrency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.helpers import run_concurrently
from tests.integration.daily_support import ledger_matches_wallet


def habit(user, **fields):
    return user.post("/habits", {"name": "Practice scales"} | fields)


def complete(user, habit_id, expect=201):
    return user.request("POST", f"/habits/{habit_id}/complete", {}, expect=expect)[1]


def test_a_daily_habit_completes_once_a_day_and_pays(caller, conn):
    user = caller()
    h = habit(user)

    done = complete(user, h["id"])
    again = complete(user, h["id"], expect=409)

    assert (done["xp"], done["coins"], done["milestone"]) == (10, 2, None)
    assert done["habit"]["done_for_period"] is True
    assert done["habit"]["current_streak"] == 1
    assert again["error"]["code"] == "habit_done_for_period"
    assert user.wallet()["coins"] == 2
    assert ledger_matches_wallet(conn, user.id)


def test_a_higher_target_allows_that_many_completions(caller):
    user = caller()
    h = habit(user, target_count=3)
    for _ in range(3):
        complete(user, h["id"])
    complete(user, h["id"], expect=409)
    assert user.get(f"/habits/{h['id']}")["period_count"] == 3


def test_concurrent_completions_pay_per_allowed_completion_only(caller, conn):
    user = caller()
    h = habit(user, target_count=2)

    statuses = run_concurrently(lambda i: user.request("POST", f"/habits/{h['id']}/complete", {})[0], 10)

    assert sorted(statuses) == [201, 201] + [409] * 8
    assert user.wallet()["coins"] == 4
    assert ledger_matches_wallet(conn, user.id)


def test_undo_reverses_the_payment_through_the_ledger(caller, conn):
    user = caller()
    h = habit(user)
    complete(user, h["id"])

    undone = user.post(f"/habits/{h['id']}/undo", expect=200)

    assert (undone["period_count"], undone["current_streak"]) == (0, 0)
    assert user.wallet()["coins"] == 0
    rows = conn.execute(
        "SELECT event_type, coins, xp FROM points_ledger WHERE user_id = %s ORDER BY created_at", (user.id,)
    ).fetchall()
    assert rows == [("habit", 2, 10), ("habit_undo", -2, -10)]
    assert ledger_matches_wallet(conn, user.id)
    status, error = user.request("POST", f"/habits/{h['id']}/undo", {})
    assert (status, error["error"]["code"]) == (409, "nothing_to_undo")
    complete(user, h["id"])  # and it can be done again
    assert user.wallet()["coins"] == 2


def test_concurrent_undos_reverse_once(caller, conn):
    user = caller()
    h = habit(user)
    complete(user, h["id"])
    statuses = run_concurrently(lambda i: user.request("POST", f"/habits/{h['id']}/undo", {})[0], 6)
    assert sorted(statuses) == [200] + [409] * 5
    assert user.wallet()["coins"] == 0
    assert ledger_matches_wallet(conn, user.id)


def test_completed_date_is_the_persons_local_date(caller, conn):
    user = caller()
    # A zone where the local date differs from UTC's right now (one side of the date line or the other).
    now = datetime.now(UTC)
    zone = "Pacific/Kiritimati" if now.astimezone(ZoneInfo("Pacific/Kiritimati")).date() != now.date() else "Etc/GMT+12"
    local = now.astimezone(ZoneInfo(zone)).date()
    conn.execute(
        "INSERT INTO user_settings (user_id, key, value) VALUES (%s, 'timezone', to_jsonb(%s::text))", (user.id, zone)
    )
    h = habit(user)

    done = complete(user, h["id"])

    assert done["completion"]["completed_date"] == local.isoformat()


def test_a_daily_streak_grows_and_breaks(caller, backdate):
    user = caller()
    h = habit(user)
    complete(user, h["id"])
    backdate(h["id"], 1)
    assert complete(user, h["id"])["habit"]["current_streak"] == 2
    backdate(h["id"], 2)  # yesterday was missed
    done = complete(user, h["id"])
    assert (done["habit"]["current_streak"], done["habit"]["longest_streak"]) == (1, 2)


def test_a_custom_days_streak_is_not_broken_off_schedule(caller, backdate, conn):
    """Scheduled on the weekdays of today and of the day before yesterday: yesterday is off the schedule."""
    user = caller()
    today = datetime.now(UTC).date()
    days = sorted({today.isoweekday() % 7, (today - timedelta(days=2)).isoweekday() % 7})
    h = habit(user, frequency="custom", custom_days=days)
    complete(user, h["id"])
    backdate(h["id"], 2)

    done = complete(user, h["id"])

    assert done["habit"]["current_streak"] == 2
    assert done["habit"]["custom_days"] == days


def test_a_weekly_habit_counts_per_iso_week(caller, backdate):
    user = caller()
    h = habit(user, frequency="weekly", target_count=2)
    complete(user, h["id"])
    complete(user, h["id"])
    complete(user, h["id"], expect=409)
    backdate(h["id"], 7)
    fresh = user.get(f"/habits/{h['id']}")
    assert (fresh["period_count"], fresh["current_streak"]) == (0, 1)


def test_the_seventh_day_pays_the_milestone_bonus_once(caller, backdate, conn):
    user = caller()
    h = habit(user)
    for _ in range(6):
        complete(user, h["id"])
        backdate(h["id"], 1)
    coins_before = user.wallet()["coins"]

    seventh = complete(user, h["id"])

    assert (seventh["habit"]["current_streak"], seventh["milestone"]) == (7, 7)
    assert (seventh["xp"], seventh["coins"]) == (10 + 25, 2 + 5)
    assert user.wallet()["coins"] == coins_before + 7
    user.post(f"/habits/{h['id']}/undo", expect=200)
    assert user.wallet()["coins"] == coins_before
    assert ledger_matches_wallet(conn, user.id)


def test_schedule_validation(caller):
    user = caller()
    for body in (
        {"name": "x", "frequency": "custom"},
        {"name": "x", "frequency": "daily", "custom_days": [1]},
        {"name": "x", "frequency": "custom", "custom_days": [7]},
        {"name": "x", "target_count": 0},
        {"name": "x", "color": "red"},
    ):
        status, error = user.request("POST", "/habits", body)
        assert (status, error["error"]["code"]) == (422, "invalid_input"), body


def test_a_paused_habit_cannot_be_completed(caller):
    user = caller()
    h = habit(user)
    user.patch(f"/habits/{h['id']}", {"is_active": False})
    assert complete(user, h["id"], expect=409)["error"]["code"] == "habit_inactive"


def test_completions_list_newest_first(caller, backdate):
    user = caller()
    h = habit(user)
    complete(user, h["id"])
    backdate(h["id"], 1)
    complete(user, h["id"])
    items = user.get(f"/habits/{h['id']}/completions")["items"]
    assert [i["completed_date"] for i in items] == sorted((i["completed_date"] for i in items), reverse=True)
    assert len(items) == 2
