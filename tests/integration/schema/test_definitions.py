"""The live database's functions and views are exactly their source files in migrations/functions/ (see drift.py),
and the comparison fails for each kind of difference it exists to catch."""

from __future__ import annotations

import re
from collections.abc import Iterator

import psycopg
import pytest
from momentum_infra.migrate import definitions

from tests.integration.schema.drift import drift, live

CREATES = re.compile(r"^CREATE OR REPLACE (?:FUNCTION|VIEW) (\w+)", re.M | re.I)


@pytest.fixture()
def session(database_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(database_url) as connection:
        yield connection


def test_each_file_creates_the_one_object_it_is_named_after() -> None:
    files = definitions()
    assert files, "migrations/functions/ holds the function sources"
    assert {name: CREATES.findall(text) for name, text in files.items()} == {name: [name] for name in files}


def test_the_database_holds_exactly_the_source_files(session: psycopg.Connection) -> None:
    assert drift(session, definitions()) == []


def test_an_edited_body_is_drift(session: psycopg.Connection) -> None:
    files = definitions()
    files["purchase_item"] = files["purchase_item"].replace("replayed := false;", "replayed := false;  -- edited")
    problems = drift(session, files)
    assert [p.partition("\n")[0] for p in problems] == ["purchase_item: the database differs from its file"]
    assert "+    replayed := false;  -- edited" in problems[0]


def test_a_changed_signature_is_drift(session: psycopg.Connection) -> None:
    files = definitions()
    files["level_for_xp"] = files["level_for_xp"].replace("p_total_xp integer,", "p_total_xp bigint,")
    assert drift(session, files) == [
        "level_for_xp: the file defines level_for_xp(bigint), which the database lacks",
    ]


def test_a_function_without_a_file_is_drift(session: psycopg.Connection) -> None:
    files = definitions()
    del files["fitness_records_lock"]
    assert drift(session, files) == ["fitness_records_lock: no source file"]


def test_the_check_rolls_back_what_it_applies(session: psycopg.Connection) -> None:
    before = live(session)
    files = definitions()
    files["claim_reward"] = files["claim_reward"].replace("BEGIN", "BEGIN\n    -- edited", 1)
    assert drift(session, files)
    assert live(session) == before


def test_every_trigger_runs_a_function_with_a_source_file(session: psycopg.Connection) -> None:
    rows = session.execute("SELECT tgname, tgfoid::regproc::text FROM pg_trigger WHERE NOT tgisinternal").fetchall()
    assert rows, "the updated_at triggers exist"
    assert {function for _, function in rows} <= set(definitions())
