"""The live database's functions and views are exactly their source files in migrations/functions/.

Each file is applied (CREATE OR REPLACE) inside a transaction that is rolled back, and PostgreSQL's own rendering
(pg_get_functiondef, pg_get_viewdef) of every object is compared before and after: the database normalises both
sides, so only a real difference shows. A file that changes a signature creates a second function and shows too.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

import psycopg
import pytest
from momentum_infra.migrate import definitions

CREATES = re.compile(r"^CREATE OR REPLACE (?:FUNCTION|VIEW) (\w+)", re.M | re.I)

# Functions and views of the public schema, not an extension's: signature (or view name) -> definition.
LIVE_SQL = """
    SELECT p.oid::regprocedure::text, p.proname::text, pg_get_functiondef(p.oid)
    FROM pg_proc p
    WHERE p.pronamespace = 'public'::regnamespace
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
    UNION ALL
    SELECT c.oid::regclass::text, c.relname::text, pg_get_viewdef(c.oid)
    FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('v', 'm')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
"""


def live(conn: psycopg.Connection) -> dict[str, tuple[str, str]]:
    return {key: (name, definition) for key, name, definition in conn.execute(LIVE_SQL)}


def drift(conn: psycopg.Connection, files: dict[str, str]) -> list[str]:
    """How the database differs from these source files (name -> text); [] when it holds exactly them."""
    before = live(conn)
    problems = [f"{name}: no source file" for name in sorted({n for n, _ in before.values()} - set(files))]
    with conn.transaction(force_rollback=True):
        for name, text in files.items():
            try:
                with conn.transaction():
                    conn.execute(text)
            except psycopg.Error as error:
                problems.append(f"{name}: the file does not apply: {error}")
        after = live(conn)
    for key in sorted(after.keys() - before.keys()):
        problems.append(f"{after[key][0]}: the file defines {key}, which the database lacks")
    for key in sorted(before.keys() & after.keys()):
        (name, was), (_, now) = before[key], after[key]
        if was != now:
            diff = difflib.unified_diff(was.splitlines(), now.splitlines(), "database", f"{name}.sql", lineterm="")
            problems.append(f"{name}: the database differs from its file\n" + "\n".join(diff))
    return problems


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
