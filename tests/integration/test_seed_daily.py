"""The daily loops' seed: skills, achievements and quests, and seeding twice changes nothing."""

import psycopg
from momentum_infra.seed import daily


def counts(conn):
    return conn.execute(
        """SELECT (SELECT count(*) FROM skill_definitions WHERE key IN ('focus', 'discipline')),
                  (SELECT count(*) FROM achievement_definitions WHERE key = ANY(%s)),
                  (SELECT count(*) FROM universal_quests WHERE title = ANY(%s))""",
        ([a[0] for a in daily.ACHIEVEMENTS], [q[0] for q in daily.QUESTS]),
    ).fetchone()


def test_seeding_twice_gives_one_of_each(conn):
    # Rolled back: other tests define the achievements they need and must not earn these.
    with conn.transaction():
        daily.seed(conn)
        daily.seed(conn)
        assert counts(conn) == (2, len(daily.ACHIEVEMENTS), len(daily.QUESTS))
        raise psycopg.Rollback()
