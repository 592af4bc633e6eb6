def test_database_is_reachable(conn):
    assert conn.execute("SELECT 1").fetchone() == (1,)
