"""award_boosted (SQL) applies a focus boost to the same ledger events as momentum.boosts does in Python."""

import re

from momentum import boosts
from momentum_infra.migrate import sql_file


def test_the_focus_events_are_the_same_in_sql_and_python():
    text = sql_file("award_boosted").read_text()
    found = re.search(r"p_event_type IN \(([^)]*)\)", text)
    assert found is not None
    assert {name.strip().strip("'") for name in found[1].split(",")} == set(boosts.FOCUS_EVENTS)
