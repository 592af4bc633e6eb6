"""The focus timer: one active session, the server's remaining time through pauses, expiry, and paying once."""

from __future__ import annotations

from tests.helpers import run_concurrently
from tests.integration.daily_support import ledger_matches_wallet


def start(user, seconds=25 * 60, mode="work", **fields):
    return user.post("/focus/sessions", {"mode": mode, "duration_seconds": seconds} | fields)


def test_start_shows_the_full_time_left_and_one_session_is_active(caller):
    user = caller()
    session = start(user, task_title="Mix the chorus")

    assert session["status"] == "active"
    assert 25 * 60 - 2 <= session["remaining_seconds"] <= 25 * 60
    assert user.get("/focus/current")["id"] == session["id"]
    status, error = user.request("POST", "/focus/sessions", {"mode": "work", "duration_seconds": 600})
    assert status == 409
    assert error["error"]["code"] == "focus_session_active"


def test_concurrent_starts_leave_one_active_session(caller, conn):
    user = caller()
    results = run_concurrently(lambda i: user.request("POST", "/focus/sessions", {"duration_seconds": 600})[0], 8)

    assert sorted(results) == [201] + [409] * 7
    assert conn.execute(
        "SELECT count(*) FROM focus_sessions WHERE user_id = %s AND status = 'active'", (user.id,)
    ).fetchone() == (1,)


def test_pause_freezes_the_remaining_time_and_resume_continues_from_it(caller, rewind):
    user = caller()
    session = start(user, seconds=1500)
    rewind(session["id"], 600)  # ten minutes focused

    paused = user.post(f"/focus/sessions/{session['id']}/pause", expect=200)
    assert paused["is_paused"] is True
    assert 899 <= paused["remaining_seconds"] <= 900
    rewind(session["id"], 1200)  # twenty minutes of pause do not count
    again = user.get(f"/focus/sessions/{session['id']}")
    assert again["remaining_seconds"] == paused["remaining_seconds"]
    assert again["status"] == "active"

    resumed = user.post(f"/focus/sessions/{session['id']}/resume", expect=200)
    assert resumed["is_paused"] is False
    assert resumed["remaining_seconds"] == paused["remaining_seconds"]
    rewind(session["id"], 300)
    assert 599 <= user.get("/focus/current")["remaining_seconds"] <= 600


def test_pause_and_resume_refuse_the_wrong_state(caller):
    user = caller()
    session = start(user)
    status, error = user.request("POST", f"/focus/sessions/{session['id']}/resume", {})
    assert (status, error["error"]["code"]) == (409, "focus_session_not_paused")
    user.post(f"/focus/sessions/{session['id']}/pause", expect=200)
    status, error = user.request("POST", f"/focus/sessions/{session['id']}/pause", {})
    assert (status, error["error"]["code"]) == (409, "focus_session_paused")


def test_completing_pays_for_focused_time_only(caller, rewind, conn):
    user = caller()
    session = start(user, seconds=3000)
    rewind(session["id"], 1200)  # 20 minutes focused
    user.post(f"/focus/sessions/{session['id']}/pause", expect=200)
    rewind(session["id"], 3600)  # an hour paused: not paid
    user.post(f"/focus/sessions/{session['id']}/resume", expect=200)
    rewind(session["id"], 600)  # 10 more minutes

    done = user.post(f"/focus/sessions/{session['id']}/complete", expect=200)

    assert done["status"] == "completed"
    assert 1799 <= done["focused_seconds"] <= 1801
    assert (done["xp_awarded"], done["coins_awarded"]) == (30, 6)  # max(5, 30 min), max(2, 1800 ÷ 300)
    assert user.wallet()["coins"] == 6
    assert ledger_matches_wallet(conn, user.id)
    streaks = {s["streak_type"]: s["current_streak"] for s in user.get("/me/streaks")["items"]}
    assert streaks["focus"] == 1


def test_a_short_work_session_or_an_early_end_pays_nothing(caller, rewind):
    user = caller()
    session = start(user, seconds=1500)
    rewind(session["id"], 120)

    done = user.post(f"/focus/sessions/{session['id']}/complete", expect=200)

    assert (done["xp_awarded"], done["coins_awarded"]) == (0, 0)
    assert user.wallet()["coins"] == 0


def test_a_break_pays_a_token_amount(caller, rewind):
    user = caller()
    session = start(user, seconds=300, mode="short_break")
    rewind(session["id"], 300)

    done = user.post(f"/focus/sessions/{session['id']}/complete", expect=200)

    assert (done["xp_awarded"], done["coins_awarded"]) == (2, 0)
    assert "focus" not in {s["streak_type"] for s in user.get("/me/streaks")["items"]}


def test_concurrent_completions_and_retries_pay_once(caller, rewind, conn):
    user = caller()
    session = start(user, seconds=1500)
    rewind(session["id"], 1500)

    statuses = run_concurrently(lambda i: user.request("POST", f"/focus/sessions/{session['id']}/complete", {})[0], 10)
    retry_status, retry = user.request("POST", f"/focus/sessions/{session['id']}/complete", {})

    assert sorted(statuses) == [200] + [409] * 9
    assert (retry_status, retry["error"]["code"]) == (409, "focus_session_ended")
    assert user.wallet()["coins"] == 5  # 1500 ÷ 300
    assert conn.execute("SELECT count(*) FROM points_ledger WHERE user_id = %s", (user.id,)).fetchone() == (1,)
    assert ledger_matches_wallet(conn, user.id)


def test_a_session_left_past_its_expiry_ends_abandoned_on_the_next_read(caller, rewind):
    user = caller()
    session = start(user, seconds=600)
    rewind(session["id"], 600 + 16 * 60)  # past the planned end and the grace period

    status, _ = user.request("GET", "/focus/current")
    assert status == 404
    ended = user.get(f"/focus/sessions/{session['id']}")
    assert ended["status"] == "abandoned"
    assert ended["abandoned_at"] == ended["expires_at"]
    status, error = user.request("POST", f"/focus/sessions/{session['id']}/complete", {})
    assert (status, error["error"]["code"]) == (409, "focus_session_ended")
    assert user.wallet()["coins"] == 0
    start(user)  # the person can start again


def test_a_long_pause_ends_the_session(caller, rewind):
    user = caller()
    session = start(user)
    user.post(f"/focus/sessions/{session['id']}/pause", expect=200)
    rewind(session["id"], 2 * 3600 + 1)

    assert user.get(f"/focus/sessions/{session['id']}")["status"] == "abandoned"


def test_abandon_pays_nothing(caller, rewind):
    user = caller()
    session = start(user)
    rewind(session["id"], 1200)
    ended = user.post(f"/focus/sessions/{session['id']}/abandon", expect=200)
    assert (ended["status"], ended["xp_awarded"]) == ("abandoned", 0)
    assert user.wallet()["coins"] == 0


def test_an_hour_unbroken_is_deep_work_and_earns_the_focus_achievements(caller, rewind, conn):
    conn.execute(
        """INSERT INTO achievement_definitions (key, name, category, trigger_type, trigger_config)
           VALUES ('first_focus', 'First focus', 'focus', 'event', '{"event_type": "focus", "count": 1}'),
                  ('deep_work', 'Deep work', 'focus', 'event', '{"event_type": "focus_deep_work", "count": 1}')
           ON CONFLICT (key) DO NOTHING"""
    )
    user = caller()
    session = start(user, seconds=3600)
    rewind(session["id"], 3600)

    done = user.post(f"/focus/sessions/{session['id']}/complete", expect=200)

    assert (done["xp_awarded"], done["coins_awarded"]) == (60, 12)
    earned = {a["key"] for a in user.get("/me/achievements")["items"] if a["earned_at"]}
    assert {"first_focus", "deep_work"} <= earned
    assert user.wallet()["coins"] == 12 + 5  # the deep-work bonus


def test_a_paused_hour_is_not_deep_work(caller, rewind, conn):
    user = caller()
    session = start(user, seconds=3600)
    rewind(session["id"], 1800)
    user.post(f"/focus/sessions/{session['id']}/pause", expect=200)
    user.post(f"/focus/sessions/{session['id']}/resume", expect=200)
    rewind(session["id"], 1800)

    user.post(f"/focus/sessions/{session['id']}/complete", expect=200)

    events = [e for (e,) in conn.execute("SELECT event_type FROM points_ledger WHERE user_id = %s", (user.id,))]
    assert events == ["focus"]


def test_stats_count_focused_minutes_completion_rate_and_best_hour(caller, rewind):
    user = caller()
    for seconds in (1500, 600):
        session = start(user, seconds=seconds)
        rewind(session["id"], seconds)
        user.post(f"/focus/sessions/{session['id']}/complete", expect=200)
    session = start(user)
    user.post(f"/focus/sessions/{session['id']}/abandon", expect=200)

    stats = user.get("/focus/stats?days=7")

    assert stats["timezone"] == "UTC"
    assert len(stats["days"]) == 7
    assert sum(d["minutes"] for d in stats["days"]) == 35
    assert stats["total_minutes"] == 35
    assert sum(w["minutes"] for w in stats["weeks"]) == 35
    assert (stats["sessions_completed"], stats["sessions_abandoned"]) == (2, 1)
    assert stats["completion_rate"] == round(2 / 3, 4)
    assert stats["best_hour"] is not None
