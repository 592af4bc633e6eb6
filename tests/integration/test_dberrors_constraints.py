"""The constraint names of the one error table (momentum.dberrors.CONSTRAINTS) are those of the live schema, so
a renamed constraint cannot silently turn a client's mistake into a 500."""

from momentum.dberrors import CONSTRAINTS


def test_every_mapped_constraint_exists(conn):
    live = {name for (name,) in conn.execute("SELECT conname FROM pg_constraint WHERE contype IN ('u', 'f', 'p')")}
    assert set(CONSTRAINTS) - live == set()
