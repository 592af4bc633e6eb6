"""A user with a row in every table that can hold a person's data, made from the catalog: every table
``momentum.platform.account.owned_tables`` finds gets one row, its foreign keys pointing at the user, at their
rows of parent tables, or at an existing catalogue row. A table added later is filled without a change here,
unless a CHECK constraint needs a particular value (``VALUES`` below)."""

from __future__ import annotations

import uuid
from typing import Any

from momentum.platform.account import foreign_keys, owned_tables
from psycopg import sql
from psycopg.types.json import Jsonb

# Columns whose CHECK constraints a generic value would break, or whose values must agree with each other.
VALUES: dict[str, dict[str, Any]] = {
    "learn_review_logs": {"rating": "good"},
    "learn_review_cards": {"drill_id": None, "question_id": "q1"},
    "book_reads": {"finished_at": None, "abandoned_at": None},
    "user_boosts": {"kind": "xp"},
    "user_equipped_items": {"slot": "avatar"},
}

COLUMNS = """
SELECT column_name, data_type, is_nullable = 'YES' AS nullable, column_default IS NOT NULL AS has_default
FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position
"""


def _value(data_type: str, tag: str) -> Any:
    if data_type in ("text", "character varying"):
        return f"{tag}-{uuid.uuid4().hex[:8]}"
    if data_type in ("integer", "bigint", "smallint"):
        return 1
    if data_type in ("real", "double precision", "numeric"):
        return 1.0
    if data_type == "boolean":
        return False
    if data_type == "jsonb":
        return Jsonb({})
    if data_type == "json":
        return "{}"
    if data_type == "bytea":
        return b"\x00"
    if data_type == "uuid":
        return uuid.uuid4()
    if data_type == "date":
        return "2026-01-01"
    if data_type.startswith("timestamp"):
        return "2026-01-01T00:00:00Z"
    if data_type == "ARRAY":
        return [f"{tag}"]
    raise AssertionError(f"no test value for {data_type}")


def make_row(conn, table: str, fixed: dict[str, Any], parents: dict[str, Any] | None = None) -> Any:
    """Insert a row into ``table``: ``fixed`` values, foreign keys to ``parents`` (table -> id) or to an existing
    row, generated values for the other required columns. Returns the row's id (None without an id column)."""
    parents = parents or {}
    references = {k.col: k for k in foreign_keys(conn) if k.child == table}
    values: dict[str, Any] = {}
    for name, data_type, nullable, has_default in conn.execute(COLUMNS, (table,)).fetchall():
        if name in fixed:
            values[name] = fixed[name]
        elif name in VALUES.get(table, {}):
            values[name] = VALUES[table][name]
        elif name in references:
            key = references[name]
            if parents.get(key.parent) is not None:
                values[name] = parents[key.parent]
                continue
            found = conn.execute(
                sql.SQL("SELECT {} FROM {} LIMIT 1").format(sql.Identifier(key.parent_col), sql.Identifier(key.parent))
            ).fetchone()
            if found is None:
                assert nullable, f"{table}.{name}: no row in {key.parent} to point at"
                continue
            values[name] = found[0]
        elif not nullable and not has_default:
            values[name] = _value(data_type, table)
    query = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING *").format(
        sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, values)),
        sql.SQL(", ").join(sql.Placeholder() * len(values)),
    )
    with conn.cursor() as cur:
        cur.execute(query, list(values.values()))
        names = [d.name for d in cur.description]
        row = cur.fetchone()
    return row[names.index("id")] if "id" in names else None


def fill_everything(conn, user_id) -> dict[str, Any]:
    """One row of ``user_id``'s in every table they can own (the ones made with the user included): table -> the
    row's id (None for a table without an id column, or a row that was already there)."""
    rows: dict[str, Any] = {"users": user_id}
    with conn.transaction():
        for owned in owned_tables(conn):
            table = owned.table
            if conn.execute(
                sql.SQL("SELECT EXISTS (SELECT 1 FROM {} WHERE {} = %s)").format(
                    sql.Identifier(table), sql.Identifier(owned.via.col)
                ),
                (rows[owned.via.parent],),
            ).fetchone()[0]:
                rows[table] = None  # made with the user (wallet, progress)
                continue
            rows[table] = make_row(conn, table, {}, rows)
    del rows["users"]
    return rows
