"""Compare the live database's functions and views with their source files in migrations/functions/.

Each file is applied (CREATE OR REPLACE) inside a transaction that is rolled back, and PostgreSQL's own rendering
(pg_get_functiondef, pg_get_viewdef) of every object is compared before and after: the database normalises both
sides, so only a real difference shows. A file that changes a signature creates a second function and shows too.
"""

from __future__ import annotations

import difflib

import psycopg

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
