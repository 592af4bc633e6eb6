"""Shop items take effect: an XP boost multiplies XP in the award path (the ledger shows it), a focus boost only
focus rewards, using an active boost extends it, a streak freeze saves a streak once, cosmetics are equipped and
shown on GET /me."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.helpers import run_concurrently
from tests.integration.daily_support import ledger_matches_wallet

# For tests/integration/test_isolation_coverage.py: a slot names one of the caller's own equipped items.
SHARED_ROUTES = {("DELETE", "/me/equipped/{slot}")}


def complete_habit(user) -> dict:
    habit = user.post("/habits", {"name": "Scales"})
    return user.post(f"/habits/{habit['id']}/complete", {})


def last_ledger(conn, user_id, event_type):
    return conn.execute(
        "SELECT xp, reason FROM points_ledger WHERE user_id = %s AND event_type = %s ORDER BY created_at DESC LIMIT 1",
        (user_id, event_type),
    ).fetchone()


def test_a_double_xp_day_doubles_xp_and_the_ledger_says_so(shopper, conn):
    user = shopper()
    user.use(user.buy("boost_double_xp_day"))

    complete_habit(user)

    xp, reason = last_ledger(conn, user.id, "habit")
    assert xp == 20
    assert "boost: Boost Double Xp Day ×2" in reason
    assert ledger_matches_wallet(conn, user.id)
    (boost,) = user.get("/me/boosts")["items"]
    assert (boost["kind"], boost["multiplier"]) == ("xp", 2)


def test_without_a_boost_xp_is_plain(shopper, conn):
    user = shopper()
    complete_habit(user)
    assert last_ledger(conn, user.id, "habit")[0] == 10


def test_using_a_running_boost_again_extends_it(shopper):
    user = shopper()
    first, second = user.buy("boost_double_xp_day"), user.buy("boost_double_xp_day")
    run_concurrently(lambda i: user.use([first, second][i]), 2)

    boosts = sorted(user.get("/me/boosts")["items"], key=lambda b: b["starts_at"])
    assert len(boosts) == 2
    assert boosts[1]["starts_at"] == boosts[0]["ends_at"]
    ends = datetime.fromisoformat(boosts[1]["ends_at"])
    assert timedelta(hours=47) < ends - datetime.now(UTC) <= timedelta(hours=48)


def test_a_focus_boost_applies_to_focus_rewards_only(shopper, conn):
    user = shopper()
    user.use(user.buy("boost_focus_hour"))
    complete_habit(user)
    session = user.post("/focus/sessions", {"duration_seconds": 1500})
    conn.execute(
        "UPDATE focus_sessions SET started_at = started_at - interval '25 minutes' WHERE id = %s", (session["id"],)
    )
    user.post(f"/focus/sessions/{session['id']}/complete", expect=200)

    assert last_ledger(conn, user.id, "habit")[0] == 10
    assert last_ledger(conn, user.id, "focus")[0] == 50
    assert ledger_matches_wallet(conn, user.id)


def test_boosts_apply_where_the_award_is_paid_inside_a_statement(shopper, conn):
    """A personal quest claim pays inside its SQL function: the XP boost doubles its XP, a focus boost does not."""
    user = shopper()
    user.use(user.buy("boost_double_xp_day"))
    user.use(user.buy("boost_focus_hour"))
    quest = user.post("/personal-quests", {"title": "Finish a beat", "xp_reward": 20, "coin_reward": 5, "target": 1})
    user.post(f"/personal-quests/{quest['id']}/progress", {"amount": 1}, expect=200)

    user.post(f"/personal-quests/{quest['id']}/claim", expect=200)

    xp, reason = last_ledger(conn, user.id, "personal_quest")
    assert xp == 40
    assert reason == "Personal quest: Finish a beat (boost: Boost Double Xp Day ×2)"
    assert ledger_matches_wallet(conn, user.id)


def test_a_streak_freeze_saves_one_missed_day_once(shopper, conn):
    user = shopper()
    today = datetime.now(UTC).date()
    conn.execute(
        "INSERT INTO user_streaks (user_id, streak_type, current_streak, longest_streak, last_activity_date)"
        " VALUES (%s, 'habit', 5, 5, %s)",
        (user.id, today - timedelta(days=2)),
    )
    user.use(user.buy("boost_streak_freeze"))

    complete_habit(user)

    streaks = {s["streak_type"]: s["current_streak"] for s in user.get("/me/streaks")["items"]}
    assert streaks["habit"] == 6
    assert user.get("/me/boosts")["items"] == []  # spent
    conn.execute(
        "UPDATE user_streaks SET last_activity_date = %s WHERE user_id = %s AND streak_type = 'habit'",
        (today - timedelta(days=2), user.id),
    )
    complete_habit(user)  # no freeze left: the streak restarts
    assert {s["streak_type"]: s["current_streak"] for s in user.get("/me/streaks")["items"]}["habit"] == 1


def test_cosmetics_are_equipped_one_per_slot_and_shown_on_me(shopper, caller):
    user = shopper()
    fox = user.buy("avatar_test_fox", category="avatar", consumable=False)
    owl = user.buy("avatar_test_owl", category="avatar", consumable=False)
    frame = user.buy("frame_test_gold", category="frame", consumable=False)

    user.put("/me/equipped", {"purchase_id": fox})
    user.put("/me/equipped", {"purchase_id": frame})
    shown = user.put("/me/equipped", {"purchase_id": owl})["items"]

    assert [(e["slot"], e["key"]) for e in shown] == [("avatar", "avatar_test_owl"), ("frame", "frame_test_gold")]
    me = user.get("/me")
    assert [(e["slot"], e["name"]) for e in me["equipped"]] == [
        ("avatar", "Avatar Test Owl"),
        ("frame", "Frame Test Gold"),
    ]
    assert [e["slot"] for e in user.delete("/me/equipped/avatar", expect=200)["items"]] == ["frame"]


def test_equipping_needs_a_held_cosmetic(shopper):
    owner, other = shopper(), shopper()
    fox = owner.buy("avatar_test_fox", category="avatar", consumable=False)
    boost = other.buy("boost_double_xp_day")

    assert other.request("PUT", "/me/equipped", {"purchase_id": fox})[0] == 404
    status, error = other.request("PUT", "/me/equipped", {"purchase_id": boost})
    assert (status, error["error"]["code"]) == (422, "invalid_input")
    assert other.request("DELETE", "/me/equipped/hat")[0] == 404
    assert owner.get("/me/boosts")["items"] == []
