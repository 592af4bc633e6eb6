"""Streaks and the daily reward roll over at the person's local midnight, and changing the timezone neither buys
a second daily reward in one real day nor saves a streak that was already lost."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from momentum import gamification

from tests.helpers import run_concurrently

# 26 hours apart: at any instant, the local date in EAST is one or two days after the one in WEST.
EAST, WEST = "Etc/GMT-14", "Etc/GMT+12"


def now(conn) -> datetime:
    return conn.execute("SELECT now()").fetchone()[0]


def local(conn, zone: str) -> date:
    return now(conn).astimezone(ZoneInfo(zone)).date()


def set_streak(conn, user_id, last: date, current: int = 5) -> None:
    conn.execute(
        "INSERT INTO user_streaks (user_id, streak_type, current_streak, longest_streak, last_activity_date) "
        "VALUES (%s, 'daily', %s, %s, %s)",
        (user_id, current, current, last),
    )


def test_a_streak_counts_the_local_day(caller, conn):
    east, west = caller(), caller()
    east.put("/me/settings/timezone", {"value": EAST})
    west.put("/me/settings/timezone", {"value": WEST})

    assert gamification.touch_streak(conn, east.id, "reading").last_activity_date == local(conn, EAST)
    assert gamification.touch_streak(conn, west.id, "reading").last_activity_date == local(conn, WEST)
    assert local(conn, EAST) > local(conn, WEST)


def test_the_daily_reward_rolls_over_at_local_midnight(caller, conn):
    # Given a user in Los Angeles whose last daily reward was a minute before today's local midnight
    me = caller()
    me.put("/me/settings/timezone", {"value": "America/Los_Angeles"})
    first = me.post("/market/rewards/daily")
    today = local(conn, "America/Los_Angeles")
    midnight = datetime(today.year, today.month, today.day, tzinfo=ZoneInfo("America/Los_Angeles"))
    conn.execute(
        "UPDATE user_rewards SET created_at = %s WHERE id = %s", (midnight - timedelta(minutes=1), first["id"])
    )
    conn.execute(
        "UPDATE user_streaks SET last_activity_date = %s WHERE user_id = %s AND streak_type = 'daily'",
        (today - timedelta(days=1), me.id),
    )

    # When they ask again, it is a new day: day 2 of the streak, due by the end of tomorrow, local time
    second = me.post("/market/rewards/daily")
    assert (second["coins_earned"], second["xp_earned"]) == (20, 10)
    assert datetime.fromisoformat(second["expires_at"]) == midnight + timedelta(days=2)

    # But a reward from a second after local midnight blocks the rest of the local day
    conn.execute(
        "UPDATE user_rewards SET created_at = %s WHERE id = %s", (midnight + timedelta(seconds=1), second["id"])
    )
    status, error = me.request("POST", "/market/rewards/daily", {})
    assert (status, error["error"]["code"]) == (409, "daily_reward_exists")


def zone_with_midnight_at(utc_hour: int) -> str:
    """A fixed-offset zone whose local midnight falls on this UTC hour."""
    offset = -(utc_hour % 24) if utc_hour % 24 <= 12 else 24 - utc_hour % 24
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"  # Etc/GMT-5 is UTC+5


def claimed_just_before_a_midnight(conn, caller, first_zone: str, midnight_zone: str):
    """A user who collected the daily reward in ``first_zone`` one minute before the last midnight of
    ``midnight_zone``; returns the user and that midnight."""
    current = now(conn)
    midnight = current.replace(minute=0, second=0, microsecond=0)
    assert current.astimezone(ZoneInfo(midnight_zone)).hour == 0
    me = caller()
    me.put("/me/settings/timezone", {"value": first_zone})
    reward = me.post("/market/rewards/daily")
    conn.execute(
        "UPDATE user_rewards SET created_at = %s WHERE id = %s", (midnight - timedelta(minutes=1), reward["id"])
    )
    return me, midnight


def test_moving_east_does_not_give_a_second_daily_reward_in_one_real_day(caller, conn):
    # Given a reward collected in zone A a minute before midnight in zone B, where A's day began an hour earlier
    hour = now(conn).hour
    a, b = zone_with_midnight_at(hour - 1), zone_with_midnight_at(hour)
    me, _ = claimed_just_before_a_midnight(conn, caller, a, b)

    # When the user moves to B, where a new day has begun since, and asks again
    me.put("/me/settings/timezone", {"value": b})
    status, error = me.request("POST", "/market/rewards/daily", {})

    # Then it is still the same day in A, where the reward was collected: no second reward
    assert (status, error["error"]["code"]) == (409, "daily_reward_exists")
    rewards = conn.execute("SELECT count(*) FROM user_rewards WHERE user_id = %s AND reward_type = 'daily'", (me.id,))
    assert rewards.fetchone()[0] == 1


def test_a_user_who_always_lived_in_that_zone_gets_the_new_days_reward(caller, conn):
    # The control: the same history in zone B alone is a new day
    b = zone_with_midnight_at(now(conn).hour)
    me, _ = claimed_just_before_a_midnight(conn, caller, b, b)
    assert me.request("POST", "/market/rewards/daily", {})[0] == 201


def test_moving_west_does_not_save_a_lost_streak(caller, conn):
    # Given a user in EAST whose daily streak ended: the last activity is two local days ago there,
    # but would be "yesterday" in WEST
    me = caller()
    me.put("/me/settings/timezone", {"value": EAST})
    yesterday_in_west = local(conn, WEST) - timedelta(days=1)
    assert yesterday_in_west <= local(conn, EAST) - timedelta(days=2)
    set_streak(conn, me.id, yesterday_in_west, current=5)

    # When they move west and collect a daily reward
    me.put("/me/settings/timezone", {"value": WEST})
    assert [s["current_streak"] for s in me.get("/me/streaks")["items"] if s["streak_type"] == "daily"] == [0]
    reward = me.post("/market/rewards/daily")

    # Then the streak restarts (day 1), it does not become day 6
    assert reward["coins_earned"] == 10
    streak = conn.execute(
        "SELECT current_streak FROM user_streaks WHERE user_id = %s AND streak_type = 'daily'", (me.id,)
    ).fetchone()[0]
    assert streak == 1


def test_a_user_who_always_lived_west_keeps_the_same_streak(caller, conn):
    # The control: the same streak in WEST without a move is alive and grows to day 6
    me = caller()
    me.put("/me/settings/timezone", {"value": WEST})
    set_streak(conn, me.id, local(conn, WEST) - timedelta(days=1), current=5)
    assert me.post("/market/rewards/daily")["coins_earned"] == 60


def test_concurrent_claims_while_the_timezone_flips_give_one_reward(caller, conn):
    me = caller()
    me.put("/me/settings/timezone", {"value": WEST})

    def act(i):
        if i % 2:
            return me.request("PUT", "/me/settings/timezone", {"value": EAST if i % 4 == 1 else WEST})[0]
        return me.request("POST", "/market/rewards/daily", {})[0]

    results = run_concurrently(act, 24)
    claims = [r for i, r in enumerate(results) if i % 2 == 0]
    assert sorted(claims) == [201] + [409] * 11
    count = conn.execute("SELECT count(*) FROM user_rewards WHERE user_id = %s AND reward_type = 'daily'", (me.id,))
    assert count.fetchone()[0] == 1


def test_todays_workout_follows_the_local_weekday(caller, conn):
    from momentum.fitness import programs
    from momentum.fitness.models import TodayQuery

    wednesday_evening_utc = datetime.fromisoformat("2026-12-02T20:00:00+00:00")
    me = caller()
    assert programs.today(conn, me.id, TodayQuery(), now=wednesday_evening_utc).day_of_week == 3
    me.put("/me/settings/timezone", {"value": EAST})  # Thursday 10:00 there
    assert programs.today(conn, me.id, TodayQuery(), now=wednesday_evening_utc).day_of_week == 4
