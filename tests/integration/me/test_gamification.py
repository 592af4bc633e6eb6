"""The award path: the only code that changes wallets, progress and skills."""

import math
import uuid
from datetime import date, timedelta

import pytest
from momentum import db, gamification
from momentum.errors import InsufficientCoins, InvalidInput

from tests.helpers import run_concurrently


def balances(conn, user_id):
    return conn.execute(
        "SELECT w.coins, w.total_earned, w.total_spent, p.total_xp, p.current_level, p.xp_to_next_level, "
        "(SELECT coalesce(sum(coins), 0) FROM points_ledger WHERE user_id = w.user_id), "
        "(SELECT coalesce(sum(xp), 0) FROM points_ledger WHERE user_id = w.user_id), "
        "(SELECT count(*) FROM points_ledger WHERE user_id = w.user_id) "
        "FROM user_wallet w JOIN user_progress p USING (user_id) WHERE w.user_id = %s",
        (user_id,),
    ).fetchone()


def assert_invariants(conn, user_id):
    coins, earned, spent, xp, _, _, ledger_coins, ledger_xp, _ = balances(conn, user_id)
    assert coins >= 0
    assert coins == earned - spent == ledger_coins
    assert xp == ledger_xp


def reference_level(total_xp):
    level, spent = 1, 0
    while spent + math.floor(100 * level**1.5) <= total_xp:
        spent += math.floor(100 * level**1.5)
        level += 1
    return level, spent + math.floor(100 * level**1.5) - total_xp


def test_one_key_is_one_award_carrying_coins_and_xp(conn, make_user):
    user = make_user()
    first = gamification.award(conn, user.id, event_type="test", idempotency_key="k1", coins=30, xp=150)
    again = gamification.award(conn, user.id, event_type="test", idempotency_key="k1", coins=30, xp=150)

    assert first.applied and not again.applied
    assert again.ledger_id == first.ledger_id
    assert (first.coins, first.total_xp, first.level) == (30, 150, 2)
    coins, _, _, xp, level, to_next, _, _, rows = balances(conn, user.id)
    assert (coins, xp, level, to_next, rows) == (30, 150, 2, 100 + 282 - 150, 1)
    assert_invariants(conn, user.id)


@pytest.mark.parametrize("total_xp", [0, 99, 100, 381, 382, 900, 901, 5_000, 123_456])
def test_level_follows_the_published_curve(conn, make_user, total_xp):
    user = make_user()
    if total_xp:
        gamification.award(conn, user.id, event_type="test", idempotency_key="xp", xp=total_xp)
    _, _, _, xp, level, to_next, _, _, _ = balances(conn, user.id)
    assert (level, to_next) == reference_level(total_xp)
    progress = gamification.get_progress(conn, user.id)
    assert progress.xp_into_level + progress.xp_to_next_level == gamification.xp_for_level(level)


def test_charge_below_zero_is_refused_and_writes_nothing(conn, make_user):
    user = make_user()
    gamification.award(conn, user.id, event_type="test", idempotency_key="pay", coins=50)
    with pytest.raises(InsufficientCoins) as raised:
        gamification.award(conn, user.id, event_type="test", idempotency_key="charge", coins=-80)
    assert raised.value.details == {"needed": 80, "available": 50}
    coins, *_, rows = balances(conn, user.id)
    assert (coins, rows) == (50, 1)


def test_an_award_must_carry_something(conn, make_user):
    with pytest.raises(InvalidInput):
        gamification.award(conn, make_user().id, event_type="test", idempotency_key="nothing")


def test_award_runs_in_the_callers_transaction(conn, make_user):
    user = make_user()
    with pytest.raises(RuntimeError), conn.transaction():
        gamification.award(conn, user.id, event_type="test", idempotency_key="rolled-back", coins=10)
        raise RuntimeError("the caller fails after the award")
    coins, *_, rows = balances(conn, user.id)
    assert (coins, rows) == (0, 0)


def test_fifty_concurrent_payments_with_one_key_pay_once(database_url, make_user):
    user = make_user()

    def pay(_):
        with db.connect(database_url) as c:
            return gamification.award(c, user.id, event_type="test", idempotency_key="same", coins=7, xp=3)

    results = run_concurrently(pay, 50)
    assert all(isinstance(r, gamification.Award) for r in results), results
    assert sum(r.applied for r in results) == 1
    assert len({r.ledger_id for r in results}) == 1
    with db.connect(database_url) as c:
        coins, *_, rows = balances(c, user.id)
        assert (coins, rows) == (7, 1)
        assert_invariants(c, user.id)


def test_fifty_concurrent_charges_never_overspend(database_url, make_user):
    user = make_user()
    with db.connect(database_url) as c:
        gamification.award(c, user.id, event_type="test", idempotency_key="fund", coins=100)

    def charge(i):
        with db.connect(database_url) as c:
            return gamification.award(c, user.id, event_type="test", idempotency_key=f"charge-{i}", coins=-60)

    results = run_concurrently(charge, 50)
    assert sum(isinstance(r, gamification.Award) for r in results) == 1
    assert all(isinstance(r, (gamification.Award, InsufficientCoins)) for r in results)
    with db.connect(database_url) as c:
        coins, *_ = balances(c, user.id)
        assert coins == 40
        assert_invariants(c, user.id)


def test_skill_stars_fill_levels(conn, make_user):
    user = make_user()
    key = f"skill_{uuid.uuid4().hex[:6]}"
    conn.execute(
        "INSERT INTO skill_definitions (key, name, category, stars_per_level, max_level) "
        "VALUES (%s, 'Test skill', 'test', 5, 3)",
        (key,),
    )
    gamification.award(conn, user.id, event_type="test", idempotency_key="s1", skill_key=key, skill_stars=7)
    gamification.award(conn, user.id, event_type="test", idempotency_key="s2", skill_key=key, skill_stars=20)
    skill = next(s for s in gamification.list_skills(conn, user.id) if s.key == key)
    assert (skill.total_stars, skill.current_stars, skill.current_level) == (27, 2, 3)  # capped at max_level 3
    assert gamification.get_progress(conn, user.id).total_skill_stars == 27


def test_streaks_count_consecutive_utc_days(conn, make_user):
    user = make_user()
    today = date.today()
    start = today - timedelta(days=10)
    for offset in (0, 1, 2, 2, 5, 6):  # a repeat on day 2, then a gap
        streak = gamification.touch_streak(conn, user.id, "reading", start + timedelta(days=offset))
    assert (streak.current_streak, streak.longest_streak) == (2, 3)
    # The last activity was days ago, so the streak reads as broken now.
    assert gamification.list_streaks(conn, user.id)[0].current_streak == 0
    assert gamification.touch_streak(conn, user.id, "reading", today).current_streak == 1


def test_achievements_are_granted_once_with_a_claimable_reward(conn, make_user):
    user = make_user()
    key = f"ach_{uuid.uuid4().hex[:6]}"
    conn.execute(
        "INSERT INTO achievement_definitions (key, name, category, trigger_type, trigger_config, "
        "reward_coins, reward_xp) VALUES (%s, 'Big earner', 'test', 'threshold', "
        '\'{"metric": "coins_earned", "value": 500}\', 40, 5)',
        (key,),
    )
    gamification.award(conn, user.id, event_type="test", idempotency_key="a1", coins=499)
    assert key not in gamification.check_achievements(conn, user.id)
    gamification.award(conn, user.id, event_type="test", idempotency_key="a2", coins=1)
    assert key in gamification.check_achievements(conn, user.id)
    assert key not in gamification.check_achievements(conn, user.id)
    rewards = conn.execute(
        "SELECT reward_type, coins_earned, xp_earned, claimed FROM user_rewards WHERE user_id = %s", (user.id,)
    ).fetchall()
    assert ("achievement", 40, 5, False) in rewards
    earned = {a.key: a.earned_at for a in gamification.list_achievements(conn, user.id)}
    assert earned[key] is not None


@pytest.mark.parametrize(
    ("trigger", "config", "met"),
    [
        ("threshold", {"metric": "level", "value": 3}, True),
        ("threshold", {"metric": "level", "value": 4}, False),
        ("threshold", {"metric": "streak.reading", "value": 5}, True),
        ("threshold", {"metric": "streak.workout", "value": 1}, False),
        ("event", {"event_type": "purchase", "count": 2}, True),
        ("event", {"event_type": "purchase", "count": 3}, False),
        (
            "compound",
            {
                "all": [
                    {"type": "threshold", "metric": "level", "value": 3},
                    {"type": "event", "event_type": "purchase"},
                ]
            },
            True,
        ),
        (
            "compound",
            {
                "all": [
                    {"type": "threshold", "metric": "level", "value": 9},
                    {"type": "event", "event_type": "purchase"},
                ]
            },
            False,
        ),
        (
            "compound",
            {
                "any": [
                    {"type": "threshold", "metric": "level", "value": 9},
                    {"type": "event", "event_type": "purchase"},
                ]
            },
            True,
        ),
        ("unknown", {}, False),
    ],
)
def test_trigger_rules(trigger, config, met):
    metrics = {"level": 3, "total_xp": 500, "events": {"purchase": 2}, "streaks": {"reading": 5}}
    assert gamification.trigger_met(trigger, config, metrics) is met


def test_a_refund_gives_spent_coins_back_rather_than_counting_as_earnings(conn, make_user):
    user = make_user()
    gamification.award(conn, user.id, event_type="test", idempotency_key="pay", coins=100)
    gamification.award(conn, user.id, event_type="purchase", idempotency_key="buy", coins=-40)
    gamification.award(conn, user.id, event_type="refund", idempotency_key="refund", coins=40, refund=True)
    wallet = gamification.get_wallet(conn, user.id)
    assert (wallet.coins, wallet.total_earned, wallet.total_spent) == (100, 100, 0)
    assert_invariants(conn, user.id)


def test_only_the_refund_flag_makes_a_refund_not_the_event_type(conn, make_user):
    user = make_user()
    gamification.award(conn, user.id, event_type="test", idempotency_key="pay", coins=100)
    gamification.award(conn, user.id, event_type="purchase", idempotency_key="buy", coins=-40)
    gamification.award(conn, user.id, event_type="refund", idempotency_key="back", coins=40)
    gamification.award(conn, user.id, event_type="bonus", idempotency_key="bonus", coins=10, refund=True)
    wallet = gamification.get_wallet(conn, user.id)
    assert (wallet.coins, wallet.total_earned, wallet.total_spent) == (110, 140, 30)
    assert_invariants(conn, user.id)
