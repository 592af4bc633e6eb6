"""The migrated schema is the spec: migrations/spec/schema.json (from schema-part1.md and schema-part2.md, see
momentum_infra.schema_spec) is compared with the catalog.

Every spec table's columns (order, type, nullability, default), primary key, foreign keys (target, ON DELETE),
UNIQUE constraints and indexes must match; extra indexes are allowed only if they are not UNIQUE.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import replace

import psycopg
import pytest
from alembic.script import ScriptDirectory
from momentum_infra import migrate, pg
from momentum_infra.migrate import definitions
from momentum_infra.schema_spec import Column, Index, Table, load_spec

from tests.integration.schema.drift import drift

# Ours, not the spec's: keyset pagination and lookups the app needs (see the migrations). table -> index.
APP_INDEXES = {
    "points_ledger": Index("points_ledger_user_created_idx", ("user_id", "created_at DESC", "id DESC"), False, None),
    "market_transactions": Index(
        "market_transactions_user_created_idx", ("user_id", "created_at DESC", "id DESC"), False, None
    ),
    "exercise_sets": Index("exercise_sets_exercise_idx", ("exercise_id",), False, None),
    "verification_tokens": Index("verification_tokens_identifier_idx", ("identifier", "created_at"), False, None),
    "analysis_frame_manifests": Index("analysis_frame_manifests_analysis_idx", ("analysis_id",), False, None),
    "track_annotations": Index("track_annotations_track_idx", ("track_id",), False, None),
    "track_regions": Index("track_regions_track_idx", ("track_id",), False, None),
    "reference_tracks": Index("reference_tracks_r2_key_idx", ("r2_key",), False, None),
    "focus_sessions": Index("focus_sessions_user_started_idx", ("user_id", "started_at DESC", "id DESC"), False, None),
    "focus_library_tracks": Index("focus_library_tracks_library_idx", ("library_id", "sort_order"), False, None),
    "goal_milestones": Index("goal_milestones_goal_idx", ("goal_id", "sort_order"), False, None),
    "calendar_events": Index("calendar_events_parent_idx", ("parent_event_id",), False, None),
}
# 0024_scale_indexes: a person's purchases by time and by item (with what ownership needs), their active focus session.
SCALE_INDEXES = [
    (
        "user_purchases",
        Index("user_purchases_user_purchased_idx", ("user_id", "purchased_at DESC", "id DESC"), False, None),
    ),
    (
        "user_purchases",
        Index("user_purchases_user_item_idx", ("user_id", "item_id", "status", "uses_remaining"), False, None),
    ),
    ("focus_sessions", Index("focus_sessions_user_active_idx", ("user_id",), False, "status = 'active'")),
    # 0031_lesson_stars_index: the stars a person's lessons paid, per skill (GET /learn/progress).
    (
        "points_ledger",
        Index(
            "points_ledger_user_lesson_stars_idx",
            ("user_id", "skill_key", "skill_stars"),
            False,
            "event_type = 'lesson_completed'",
        ),
    ),
    # 0032_rate_limit_purge: the abuse-limit events by age, for the hourly purge.
    ("rate_limit_events", Index("rate_limit_events_created_at_idx", ("created_at",), False, None)),
]

# The product built Part 1's migrations 0001-0003 first from a subset of the spec; 0019_part1 adds the rest: the
# identity tables the subset left out, and 0004-0007 whole. table -> the revision (its first four digits) creating it.
LATER_TABLES = {"accounts", "authenticators", "oauth_states", "entitlements", "role_entitlements"}


# Tables of our own, not the spec's, with the revision (first four digits) that creates them.


def created_by(table: Table) -> str:
    return "0019" if table.name in LATER_TABLES or "0004" <= table.migration <= "0007" else table.migration


ON_DELETE = {"a": "NO ACTION", "c": "CASCADE", "r": "RESTRICT", "n": "SET NULL", "d": "SET DEFAULT"}

COLUMNS_SQL = """
    SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid)
    FROM pg_attribute a LEFT JOIN pg_attrdef d ON (d.adrelid, d.adnum) = (a.attrelid, a.attnum)
    WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY a.attnum
"""
CONSTRAINTS_SQL = """
    SELECT c.contype, c.confrelid::regclass::text, c.confdeltype,
           ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
                 JOIN pg_attribute a ON (a.attrelid, a.attnum) = (c.conrelid, k.attnum) ORDER BY k.n)
    FROM pg_constraint c
    WHERE c.conrelid = %s::regclass AND c.contype IN ('p', 'u', 'f')
"""
INDEXES_SQL = """
    SELECT i.relname, x.indisunique, pg_get_expr(x.indpred, x.indrelid, true),
           ARRAY(SELECT a.attname || CASE WHEN k.option & 1 = 1 THEN ' DESC' ELSE '' END
                 FROM unnest(x.indkey::int2[], x.indoption::int2[]) WITH ORDINALITY k(attnum, option, n)
                 JOIN pg_attribute a ON (a.attrelid, a.attnum) = (x.indrelid, k.attnum) ORDER BY k.n)
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
    WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
"""


@pytest.fixture(scope="module")
def spec() -> dict[str, Table]:
    return load_spec()


def live_table(conn, name: str) -> Table:
    """The catalog's view of a table, in the parser's terms."""
    table = Table(name, columns=[Column(*row) for row in conn.execute(COLUMNS_SQL, (name,))])
    for kind, target, on_delete, columns in conn.execute(CONSTRAINTS_SQL, (name,)):
        if kind == "p":
            table.primary_key = tuple(columns)
        elif kind == "u":
            table.unique.add(tuple(columns))
        else:
            table.foreign_keys[columns[0]] = (target, ON_DELETE[on_delete])
    # The catalog writes a literal's cast ("status = 'active'::text"); the spec does not.
    table.indexes = [
        Index(n, tuple(c), unique, where and re.sub(r"'::\w+", "'", where))
        for n, unique, where, c in conn.execute(INDEXES_SQL, (name,))
    ]
    return table


def normalise_default(expr: str | None) -> str | float | None:
    """The catalog spells defaults its own way: 'user'::text for 'user', now() for NOW(), 1.0 or 0 for a REAL."""
    if expr is None:
        return None
    expr = re.sub(r"::[\w ]+(\[\])?$", "", expr)
    try:
        return float(expr.strip("'"))
    except ValueError:
        return expr if expr.startswith("'") else expr.lower()


def describe(column: Column) -> tuple:
    return column.type, "NOT NULL" if column.not_null else "NULL", normalise_default(column.default)


def public_tables(conn) -> set[str]:
    rows = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
    )
    return {name for (name,) in rows}


def new_user(conn) -> uuid.UUID:
    return conn.execute(
        "INSERT INTO users (email) VALUES (%s) RETURNING id", (f"{uuid.uuid4()}@example.com",)
    ).fetchone()[0]


def test_spec_tables_exist(spec, conn):
    assert set(spec) - public_tables(conn) == set()


def column_problems(spec: dict[str, Table], conn) -> list[str]:
    problems = []
    for name, table in spec.items():
        live = live_table(conn, name)
        aspects = [("columns", [c.name for c in table.columns], [c.name for c in live.columns])]
        live_columns = {c.name: c for c in live.columns}
        aspects += [
            (c.name, describe(c), describe(live_columns[c.name])) for c in table.columns if c.name in live_columns
        ]
        aspects += [
            ("primary key", table.primary_key, live.primary_key),
            ("foreign keys", table.foreign_keys, live.foreign_keys),
            ("UNIQUE constraints", table.unique, live.unique),
        ]
        problems += [f"{name}.{aspect}: spec {want}, database {got}" for aspect, want, got in aspects if want != got]
    return problems


def index_problems(spec: dict[str, Table], conn) -> list[str]:
    problems = []
    for name, table in spec.items():
        live = live_table(conn, name)
        by_name = {index.name: index for index in live.indexes}
        for index in table.indexes:
            if by_name.get(index.name) != index:
                problems.append(f"{name}: spec index {index}, database {by_name.get(index.name, 'has no such index')}")
        # Extra indexes are fine for speed, but an extra UNIQUE one would change what the table accepts.
        allowed = table.unique | {index.columns for index in table.indexes if index.unique}
        problems += [
            f"{name}: UNIQUE index not in the spec {i}" for i in live.indexes if i.unique and i.columns not in allowed
        ]
    return problems


def test_spec_covers_the_migrations_of_this_product(spec):
    assert sorted({t.migration for t in spec.values()}) == [f"{n:04}" for n in range(1, 14)]
    assert len([t for t in spec.values() if t.source == "schema-part1.md"]) == 34
    assert len(spec) > 70


def test_columns_and_keys_match_spec(spec, conn):
    problems = column_problems(spec, conn)
    assert not problems, "\n".join(problems)


def test_indexes_match_spec(spec, conn):
    problems = index_problems(spec, conn)
    assert not problems, "\n".join(problems)


def test_a_column_the_spec_lacks_is_caught(spec, conn):
    wallet = spec["user_wallet"]
    mutated = {"user_wallet": replace(wallet, columns=[c for c in wallet.columns if c.name != "total_spent"])}
    assert [p.partition(":")[0] for p in column_problems(mutated, conn)] == ["user_wallet.columns"]


def test_a_wrong_type_or_default_is_caught(spec, conn):
    wallet = spec["user_wallet"]
    columns = [
        replace(c, type="bigint") if c.name == "coins" else replace(c, default="1") if c.name == "total_earned" else c
        for c in wallet.columns
    ]
    problems = column_problems({"user_wallet": replace(wallet, columns=columns)}, conn)
    assert [p.partition(":")[0] for p in problems] == ["user_wallet.coins", "user_wallet.total_earned"]


def test_a_missing_or_different_index_is_caught(spec, conn):
    ledger = spec["points_ledger"]
    indexes = [replace(i, where=None) if i.unique else i for i in ledger.indexes]
    indexes.append(Index("points_ledger_event_idx", ("event_id",), False, None))
    problems = index_problems({"points_ledger": replace(ledger, indexes=indexes)}, conn)
    assert len(problems) == 2, problems
    assert "where=None" in problems[0]
    assert "points_ledger_event_idx" in problems[1]


def test_a_unique_index_the_spec_lacks_is_caught(spec, conn):
    ledger = spec["points_ledger"]
    indexes = [i for i in ledger.indexes if not i.unique]
    problems = index_problems({"points_ledger": replace(ledger, indexes=indexes)}, conn)
    assert [p.partition("(")[0] for p in problems] == ["points_ledger: UNIQUE index not in the spec Index"]
    assert "points_ledger_idempotency_idx" in problems[0]


def test_app_indexes_exist(conn):
    for table, index in [*APP_INDEXES.items(), *SCALE_INDEXES]:
        assert index in live_table(conn, table).indexes


def test_admin_role_is_seeded(conn):
    assert conn.execute("SELECT count(*) FROM roles WHERE name = 'admin'").fetchone() == (1,)


def test_wallet_balance_cannot_go_negative(conn):
    user_id = new_user(conn)
    conn.execute("INSERT INTO user_wallet (user_id, coins) VALUES (%s, 5)", (user_id,))
    with pytest.raises(psycopg.errors.CheckViolation) as error:
        conn.execute("UPDATE user_wallet SET coins = coins - 6 WHERE user_id = %s", (user_id,))
    assert error.value.diag.constraint_name == "user_wallet_coins_nonnegative"


def test_every_updated_at_has_its_trigger(spec, conn):
    triggers = dict(conn.execute("SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal"))
    for table in (t for t in spec.values() if "updated_at" in [c.name for c in t.columns]):
        trigger = f"{table.name}_set_updated_at"
        expected = f"CREATE TRIGGER {trigger} BEFORE UPDATE ON public.{table.name} FOR EACH ROW EXECUTE FUNCTION"
        assert triggers.get(trigger) == f"{expected} set_updated_at()"


def test_update_sets_updated_at(conn):
    user_id = new_user(conn)
    # Each autocommit statement is its own transaction: the trigger stamps this UPDATE's now(), whatever it sets.
    row = conn.execute(
        "UPDATE users SET name = 'renamed', updated_at = updated_at - interval '1 hour' WHERE id = %s"
        " RETURNING updated_at = now()",
        (user_id,),
    ).fetchone()
    assert row == (True,)


@pytest.fixture()
def fresh_database_url(database_url):
    """A database of our own on the test server: the session database stays migrated for the other tests."""
    server_url = pg.with_database(database_url, "postgres")
    name = f"momentum_schema_{uuid.uuid4().hex[:8]}"
    yield pg.ensure_database(server_url, name)
    pg.drop_database(server_url, name)


# Tables of our own (not in the spec), by the revision that creates them.


def test_each_revision_creates_and_drops_exactly_its_tables(spec, fresh_database_url):
    """Up one revision at a time, down to base, up again: each step leaves exactly the tables it should."""
    url = fresh_database_url
    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    by_migration = {}
    for table in spec.values():
        by_migration.setdefault(created_by(table), set()).add(table.name)
    spec_migrations = set(by_migration)
    # Revisions of our own (0014_functions, …) change functions or add tables of our own, which each revision names
    # in its OWN_TABLES.
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    for revision in revisions:
        own = getattr(script.get_revision(revision).module, "OWN_TABLES", ())
        by_migration.setdefault(revision[:4], set()).update(own)
    spec_revisions = [r[:4] for r in revisions if r[:4] in spec_migrations]
    assert spec_revisions == sorted(spec_migrations), "one revision per spec migration"

    with psycopg.connect(url, autocommit=True) as conn:
        expected = set()
        for revision in revisions:
            migrate.upgrade(url, revision)
            expected |= by_migration.get(revision[:4], set())
            assert public_tables(conn) == expected, f"after upgrade to {revision}"
        for revision, previous in zip(reversed(revisions), [*reversed(revisions[:-1]), "base"], strict=True):
            migrate.downgrade(url, previous)
            expected -= by_migration.get(revision[:4], set())
            assert public_tables(conn) == expected, f"after downgrade from {revision}"
        assert conn.execute("SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace").fetchall() == []

        migrate.upgrade(url)
        assert set(spec) <= public_tables(conn)
    with psycopg.connect(url) as conn:
        assert drift(conn, definitions()) == []
