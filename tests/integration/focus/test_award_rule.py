"""What a focus session pays: the rule ``focus_session_award`` (migrations/functions) on its own."""


def award(conn, mode, seconds, unbroken):
    return conn.execute("SELECT * FROM focus_session_award(%s, %s, %s)", (mode, seconds, unbroken)).fetchone()


def test_work_pays_from_five_minutes_with_floors_stars_and_deep_work(conn):
    assert award(conn, "work", 299, True) == (0, 0, 0, False)
    assert award(conn, "work", 300, True)[:2] == (5, 2)
    assert award(conn, "work", 25 * 60, True) == (25, 5, 1, False)
    assert award(conn, "work", 3600, True) == (60, 12, 2, True)
    assert award(conn, "work", 3600, False)[3] is False


def test_a_break_pays_a_token_from_one_minute(conn):
    assert award(conn, "short_break", 59, True) == (0, 0, 0, False)
    assert award(conn, "short_break", 300, True) == (2, 0, 0, False)
