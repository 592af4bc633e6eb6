"""Focus session payments: pure rules, no database (habit streaks are tested against the database, in
tests/integration/habits/test_streak_rule.py)."""


def test_focus_rules_floor_and_break_token():
    from momentum.focus import rules as focus

    assert focus.session_award("work", 299, unbroken=True).pays is False
    assert (
        focus.session_award("work", 300, unbroken=True).xp,
        focus.session_award("work", 300, unbroken=True).coins,
    ) == (5, 2)
    assert focus.session_award("work", 3600, unbroken=True).deep_work is True
    assert focus.session_award("work", 3600, unbroken=False).deep_work is False
    assert focus.session_award("short_break", 300, unbroken=True).xp == focus.BREAK_XP
