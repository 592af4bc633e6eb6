"""POST /me/export archives everything the person owns and nothing of anyone else's; DELETE /me erases the person
from every table and the upload bucket, keeps other people's data that pointed at theirs, and leaves one
anonymous audit row. What a person owns is read from the catalog, so a new table is covered without a change."""

from __future__ import annotations

import json
import uuid

import pytest
from momentum.audit import audit
from momentum.platform.account import owned_tables

from tests.integration.platform.account_data import fill_everything, make_row
from tests.reference_support import mocked_uploads

SCANNED_TYPES = ("uuid", "text", "character varying", "jsonb", "json", "ARRAY")


@pytest.fixture(scope="module")
def catalogue(database_url):
    """The learn curriculum and the fitness library, seeded as their own tests seed them."""
    from momentum import db
    from momentum_infra.seed import fitness, gamification, learn

    with db.connect(database_url) as conn, conn.transaction():
        conn.cursor().executemany(
            "INSERT INTO skill_definitions (key, name, category, description, sort_order) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (key) DO NOTHING",
            [(*skill, order) for order, skill in enumerate(gamification.SKILLS)],
        )
        learn.seed_curriculum(conn)
        fitness.seed(conn)


@pytest.fixture()
def uploads(database_url, monkeypatch):
    with mocked_uploads(monkeypatch) as stack:
        yield stack


def full_user(conn, caller, uploads):
    """A user with a row in every table they can own, and an uploaded track behind their reference track."""
    person = caller()
    rows = fill_everything(conn, person.id)
    key = f"tracks/{person.id}/{uuid.uuid4()}/mix.wav"
    conn.execute("UPDATE reference_tracks SET r2_key = %s WHERE user_id = %s", (key, person.id))
    uploads.s3.put_object(Bucket=uploads.bucket, Key=key, Body=b"RIFF....WAVE")
    return person, rows, key


def mentions(conn, needles: list[str]) -> list[tuple[str, str, int]]:
    """(table, column, rows) for every uuid/text/json column of every table that contains one of ``needles``."""
    columns = conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns c "
        "JOIN pg_tables t ON t.tablename = c.table_name AND t.schemaname = 'public' "
        "WHERE c.table_schema = 'public' AND c.data_type = ANY(%s) ORDER BY 1, 2",
        (list(SCANNED_TYPES),),
    ).fetchall()
    found = []
    for table, column in columns:
        count = conn.execute(
            f'SELECT count(*) FROM "{table}" WHERE '
            + " OR ".join(f'strpos(lower("{column}"::text), %s) > 0' for _ in needles),
            [n.lower() for n in needles],
        ).fetchone()[0]
        if count:
            found.append((table, column, count))
    return found


# ---------------------------------------------------------------- export


def test_the_export_holds_every_table_of_the_person_and_nothing_of_another(caller, conn, catalogue, uploads):
    me, mine, my_key = full_user(conn, caller, uploads)
    other, theirs, their_key = full_user(conn, caller, uploads)

    link = me.post("/me/export")

    assert link["key"].startswith(f"exports/{me.id}/") and link["key"].endswith(".json")
    assert "X-Amz-Expires=900" in link["url"] and link["key"] in link["url"]
    body = uploads.s3.get_object(Bucket=uploads.bucket, Key=link["key"])["Body"].read()
    archive = json.loads(body)
    assert archive["user"]["id"] == str(me.id) and archive["user"]["email"] == me.user.email
    expected = {o.table for o in owned_tables(conn)} - {"sessions"}  # token hashes are secrets, not their data
    assert set(archive["tables"]) == expected
    assert (link["tables"], link["rows"]) == (len(expected), sum(len(r) for r in archive["tables"].values()))
    for table, row_id in mine.items():
        if table == "sessions":
            continue
        assert archive["tables"][table], f"{table} is empty in the export"
        if row_id is not None:
            assert str(row_id) in {str(r.get("id")) for r in archive["tables"][table]}, table
    assert archive["uploaded_objects"] == [my_key]
    text = body.decode()
    assert str(other.id) not in text and their_key not in text
    assert not [t for t, row_id in theirs.items() if row_id is not None and str(row_id) in text]
    assert other.post("/me/export")["key"].startswith(f"exports/{other.id}/")


def test_a_large_export_goes_through_a_file_not_memory(caller, conn, catalogue, uploads, monkeypatch):
    from momentum.platform import account

    me, _, _ = full_user(conn, caller, uploads)
    conn.execute(
        "INSERT INTO books (user_id, title, notes) SELECT %s, 'Book ' || n, repeat('x', 1000) "
        "FROM generate_series(1, 400) n",
        (me.id,),
    )
    monkeypatch.setattr(account, "SPOOL_BYTES", 64 * 1024)  # beyond 64 KiB the spool rolls over to disk
    rolled = []
    real = account.tempfile.SpooledTemporaryFile

    class Spy(real):  # type: ignore[misc, valid-type]
        def rollover(self):
            rolled.append(True)
            super().rollover()

    monkeypatch.setattr(account.tempfile, "SpooledTemporaryFile", Spy)

    link = me.post("/me/export")

    archive = json.loads(uploads.s3.get_object(Bucket=uploads.bucket, Key=link["key"])["Body"].read())
    assert len(archive["tables"]["books"]) == 401 and rolled == [True]


# ---------------------------------------------------------------- deletion


def test_deleting_needs_the_accounts_email(caller, conn, catalogue, uploads):
    me, _, key = full_user(conn, caller, uploads)

    status, body = me.request("DELETE", "/me", {"confirm": "someone-else@example.com"})
    assert (status, body["error"]["code"]) == (422, "confirmation_mismatch")
    status, body = me.request("DELETE", "/me", {})
    assert (status, body["error"]["code"]) == (422, "invalid_input")

    assert conn.execute("SELECT count(*) FROM users WHERE id = %s", (me.id,)).fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM books WHERE user_id = %s", (me.id,)).fetchone()[0] == 1
    assert uploads.s3.list_objects_v2(Bucket=uploads.bucket, Prefix=key)["KeyCount"] == 1


@pytest.fixture()
def shared_rows(conn):
    """Catalogue rows a test makes (table, id), removed afterwards so other tests see the catalogue they expect."""
    made: list[tuple[str, object]] = []
    yield made
    for table, row_id in reversed(made):
        conn.execute(f'DELETE FROM "{table}" WHERE id = %s', (row_id,))


def test_a_deleted_account_leaves_nothing_that_names_the_person(caller, conn, catalogue, uploads, shared_rows):
    me, mine, key = full_user(conn, caller, uploads)
    other, theirs, their_key = full_user(conn, caller, uploads)
    admin = caller(admin=True)
    me.post("/me/export")  # an archive in the bucket, to be erased too
    # What others keep that points at the person: foreign keys without ON DELETE CASCADE.
    conn.execute("UPDATE exercises SET is_custom = true, is_builtin = false WHERE id = %s", (mine["exercises"],))
    conn.execute(
        "UPDATE exercise_sets SET exercise_id = %s WHERE id = %s", (mine["exercises"], theirs["exercise_sets"])
    )
    conn.execute(
        "UPDATE workout_sessions SET workout_id = %s WHERE id = %s", (mine["workouts"], theirs["workout_sessions"])
    )
    conn.execute(
        "INSERT INTO user_roles (user_id, role_id, granted_by) SELECT %s, id, %s FROM roles LIMIT 1 "
        "ON CONFLICT DO NOTHING",
        (other.id, me.id),
    )
    conn.execute("UPDATE user_roles SET granted_by = %s WHERE user_id = %s", (me.id, other.id))
    for table, column in (
        ("market_items", "created_by_user_id"),
        ("listening_prompt_templates", "created_by"),
        ("listening_prompt_presets", "created_by"),
    ):
        shared_rows.append((table, make_row(conn, table, {column: me.id})))
    audit(conn, "login", user_id=me.id, details={"email": me.user.email})
    audit(conn, "admin_action", user_id=admin.id, resource_type="user", resource_id=me.id, details={"note": "ok"})
    audit(conn, "admin_note", user_id=admin.id, details={"about": str(me.id)})
    needles = [str(me.id), me.user.email]
    direct = {o.table for o in owned_tables(conn) if o.via.parent == "users"}
    assert {t for t, _, _ in mentions(conn, needles)} >= direct | {"users", "audit_log", "market_items"}

    me.request("DELETE", "/me", {"confirm": me.user.email.upper()}, expect=204)

    assert mentions(conn, needles) == []
    assert me.request("GET", "/today")[0] == 401  # their sessions went with them
    assert conn.execute("SELECT count(*) FROM audit_log WHERE event_type = 'account_deleted'").fetchone()[0] >= 1
    # the other person's history and role are whole; the exercise and workout they use stay, without an owner
    assert conn.execute(
        "SELECT exercise_id FROM exercise_sets WHERE id = %s", (theirs["exercise_sets"],)
    ).fetchone() == (mine["exercises"],)
    assert conn.execute("SELECT user_id FROM exercises WHERE id = %s", (mine["exercises"],)).fetchone() == (None,)
    assert conn.execute("SELECT user_id FROM workouts WHERE id = %s", (mine["workouts"],)).fetchone() == (None,)
    assert conn.execute("SELECT count(*) FROM user_roles WHERE user_id = %s", (other.id,)).fetchone()[0] >= 1
    assert conn.execute(
        "SELECT user_id, resource_id, details FROM audit_log WHERE user_id = %s AND event_type = 'admin_action'",
        (admin.id,),
    ).fetchall() == [(admin.id, None, {"note": "ok"})]
    for table, row_id in theirs.items():
        if row_id is not None:
            assert conn.execute(f'SELECT count(*) FROM "{table}" WHERE id = %s', (row_id,)).fetchone()[0] == 1, table
    # their uploads and exports are gone from the bucket, the other person's track is not
    assert uploads.s3.list_objects_v2(Bucket=uploads.bucket, Prefix=f"tracks/{me.id}/")["KeyCount"] == 0
    assert uploads.s3.list_objects_v2(Bucket=uploads.bucket, Prefix=f"exports/{me.id}/")["KeyCount"] == 0
    assert uploads.s3.list_objects_v2(Bucket=uploads.bucket, Prefix=their_key)["KeyCount"] == 1
    assert key not in str(uploads.s3.list_objects_v2(Bucket=uploads.bucket))


def test_deletions_at_once_erase_the_account_once(caller, conn, catalogue, uploads):
    from tests.helpers import run_concurrently

    me, _, _ = full_user(conn, caller, uploads)

    statuses = run_concurrently(lambda _: me.request("DELETE", "/me", {"confirm": me.user.email})[0], 6)

    assert statuses.count(204) == 1 and set(statuses) <= {204, 401, 404}, statuses
    assert conn.execute("SELECT count(*) FROM users WHERE id = %s", (me.id,)).fetchone()[0] == 0
    assert mentions(conn, [str(me.id), me.user.email]) == []
