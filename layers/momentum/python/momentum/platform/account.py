"""The account belongs to the person: an export of everything they own, and its erasure.

What a person owns is read from the catalog, not listed by hand, so a table added later is exported and erased
without a change here: a table is theirs when it has a foreign key to ``users`` with ON DELETE CASCADE (rows
whose key is their id), or a cascading foreign key to a table that is theirs (rows whose parent is theirs).

Export (``POST /me/export``): the rows of every such table, streamed from server-side cursors into a spooled
temporary file as one JSON document, uploaded under ``exports/{user_id}/`` in the upload bucket (multipart for a
large archive, by boto3's transfer manager), answered with a short-lived presigned GET link. Auth sessions are
left out: their token hashes are secrets, not the person's data.

Deletion (``DELETE /me``, body ``{"confirm": "<their email>"}``): one transaction that first lets go of what
others still point at (foreign keys without cascade: audit rows, roles they granted, catalogue entries they
created, their custom exercises and public workouts that others use), then deletes what they own, children
before parents, and the user row. The audit trail keeps its rows but forgets the person in them, and gains one anonymous
``account_deleted`` row. Their uploaded objects go after the commit, so a failed transaction never leaves rows
pointing at deleted objects.
"""

from __future__ import annotations

import base64
import json
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import IO, Any
from uuid import UUID, uuid4

from psycopg import Connection, sql
from psycopg.rows import dict_row

from momentum.audit import audit
from momentum.errors import InvalidInput, NotFound
from momentum.log import log
from momentum.models import RequestModel, ResponseModel
from momentum.reference.storage import Storage, get_storage

EXPORT_TTL_SECONDS = 900
SPOOL_BYTES = 8 * 1024 * 1024  # an archive up to this size stays in memory; a larger one goes to disk
EXPORT_LEFT_OUT = frozenset({"sessions"})
ROWS_PER_FETCH = 500
TRACK_KEYS = "SELECT r2_key FROM reference_tracks WHERE user_id = %(user_id)s"

# Foreign keys between tables of the public schema: (child, column, parent, parent column, ON DELETE action).
FOREIGN_KEYS = """
SELECT k.conrelid::regclass::text AS child, a.attname AS col, k.confrelid::regclass::text AS parent,
       pa.attname AS parent_col, k.confdeltype AS on_delete
FROM pg_constraint k
JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = k.confkey[1]
WHERE k.contype = 'f' AND cardinality(k.conkey) = 1
  AND k.connamespace = 'public'::regnamespace
ORDER BY 1, 2
"""


@dataclass(frozen=True)
class ForeignKey:
    child: str
    col: str
    parent: str
    parent_col: str
    on_delete: str  # pg_constraint.confdeltype: a no action, r restrict, c cascade, n set null, d set default


@dataclass(frozen=True)
class Owned:
    """A table the person owns rows of, and how to find them: by ``via``'s column, from ``via``'s parent."""

    table: str
    via: ForeignKey


class DeleteIn(RequestModel):
    confirm: str  # the account's email, to make a deletion deliberate


class ExportLink(ResponseModel):
    key: str
    url: str
    expires_at: datetime
    tables: int
    rows: int


def foreign_keys(conn: Connection) -> list[ForeignKey]:
    with conn.cursor(row_factory=dict_row) as cur:
        return [ForeignKey(**row) for row in cur.execute(FOREIGN_KEYS)]


def owned_tables(conn: Connection) -> list[Owned]:
    """Every table holding the person's rows, parents before children (the order a reader expects)."""
    return _owned(tuple(foreign_keys(conn)))


@cache
def _owned(keys: tuple[ForeignKey, ...]) -> list[Owned]:
    owned: dict[str, Owned] = {}
    for key in keys:  # a direct key to users wins over a path through a parent
        if key.parent == "users" and key.on_delete == "c" and key.child not in owned:
            owned[key.child] = Owned(key.child, key)
    grew = True
    while grew:
        grew = False
        for key in keys:
            if key.on_delete == "c" and key.parent in owned and key.child not in owned and key.child != "users":
                owned[key.child] = Owned(key.child, key)
                grew = True
    # Parents before children (over every key between owned tables), so rows can be read or made in this order.
    ordered: dict[str, Owned] = {}

    def visit(table: str, seen: frozenset[str]) -> None:
        if table in ordered or table in seen:
            return
        for key in keys:
            if key.child == table and key.parent in owned and key.parent != table:
                visit(key.parent, seen | {table})
        ordered[table] = owned[table]

    for table in sorted(owned):
        visit(table, frozenset())
    return list(ordered.values())


def owner_condition(owned: dict[str, Owned], table: str) -> sql.Composable:
    """The WHERE condition selecting the person's rows of ``table`` (parameter ``%(user_id)s``)."""
    via = owned[table].via
    if via.parent == "users":
        return sql.SQL("{} = %(user_id)s").format(sql.Identifier(via.col))
    return sql.SQL("{} IN (SELECT {} FROM {} WHERE {})").format(
        sql.Identifier(via.col),
        sql.Identifier(via.parent_col),
        sql.Identifier(via.parent),
        owner_condition(owned, via.parent),
    )


# ---------------------------------------------------------------- export


def _json_default(value: Any) -> Any:
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if hasattr(value, "isoformat"):  # date, time
        return value.isoformat()
    return str(value)  # intervals, ranges, network addresses: their text form


def write_archive(conn: Connection, user_id: UUID, out: IO[bytes]) -> tuple[int, int]:
    """Write the person's archive as JSON to ``out``, one row at a time; (tables, rows) written.

    Raises: NotFound when the user does not exist.
    """
    owned = {o.table: o for o in owned_tables(conn)}
    params = {"user_id": user_id}
    tables = rows = 0

    def put(text: str) -> None:
        out.write(text.encode())

    with conn.transaction():  # server-side cursors live in a transaction; one snapshot for the whole archive
        with conn.cursor(row_factory=dict_row) as cur:
            user = cur.execute("SELECT * FROM users WHERE id = %(user_id)s", params).fetchone()
        if user is None:
            raise NotFound("user")
        put('{"format": "momentum-export/1", "exported_at": ')
        put(json.dumps(datetime.now(UTC), default=_json_default))
        put(', "user": ' + json.dumps(user, default=_json_default) + ', "tables": {')
        for n, table in enumerate(sorted(t for t in owned if t not in EXPORT_LEFT_OUT)):
            put(("" if n == 0 else ", ") + json.dumps(table) + ": [")
            query = sql.SQL("SELECT * FROM {} WHERE {}").format(sql.Identifier(table), owner_condition(owned, table))
            with conn.cursor(name=f"export_{table}", row_factory=dict_row) as cur:
                cur.itersize = ROWS_PER_FETCH
                cur.execute(query, params)
                for i, row in enumerate(cur):
                    put(("" if i == 0 else ", ") + json.dumps(row, default=_json_default))
                    rows += 1
            put("]")
            tables += 1
        keys = [k for (k,) in conn.execute(TRACK_KEYS, params)]
        put('}, "uploaded_objects": ' + json.dumps(keys) + "}")
    return tables, rows


def export_account(conn: Connection, user_id: UUID, storage: Storage | None = None) -> ExportLink:
    """Archive everything the person owns into the upload bucket and answer with a link to it."""
    storage = storage or get_storage()
    stamp = datetime.now(UTC)
    key = f"exports/{user_id}/{stamp:%Y%m%dT%H%M%SZ}-{uuid4().hex[:8]}.json"
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        tables, rows = write_archive(conn, user_id, spool)
        spool.seek(0)
        storage.s3.upload_fileobj(
            spool,
            storage.bucket,
            key,
            ExtraArgs={"ContentType": "application/json", "ContentDisposition": 'attachment; filename="momentum.json"'},
        )
    url = storage.s3.generate_presigned_url(
        "get_object", Params={"Bucket": storage.bucket, "Key": key}, ExpiresIn=EXPORT_TTL_SECONDS
    )
    return ExportLink(
        key=key, url=url, expires_at=stamp + timedelta(seconds=EXPORT_TTL_SECONDS), tables=tables, rows=rows
    )


# ---------------------------------------------------------------- deletion

# The audit trail keeps what happened but not who: their id, their sessions, their client and any details that
# name them are cleared. Scanning details is a sequential read of audit_log; an erasure is rare enough for it.
FORGET_IN_AUDIT = """
UPDATE audit_log SET
    user_id = CASE WHEN user_id = %(user_id)s THEN NULL ELSE user_id END,
    session_id = CASE WHEN session_id IN (SELECT id FROM sessions WHERE user_id = %(user_id)s)
                      THEN NULL ELSE session_id END,
    resource_id = CASE WHEN resource_id = %(user_id)s THEN NULL ELSE resource_id END,
    ip_address = CASE WHEN user_id = %(user_id)s THEN NULL ELSE ip_address END,
    user_agent = CASE WHEN user_id = %(user_id)s THEN NULL ELSE user_agent END,
    details = CASE WHEN strpos(lower(details::text), %(id_text)s) > 0 OR strpos(lower(details::text), %(email)s) > 0
                   THEN jsonb_build_object('redacted', 'account deleted') ELSE details END
WHERE user_id = %(user_id)s OR resource_id = %(user_id)s
   OR session_id IN (SELECT id FROM sessions WHERE user_id = %(user_id)s)
   OR strpos(lower(details::text), %(id_text)s) > 0 OR strpos(lower(details::text), %(email)s) > 0
"""

# Their custom exercises and workouts that other people's rows use stay, without an owner, so deleting an account
# never breaks someone else's history or program.
RELEASE_SHARED = {
    "exercises": """
UPDATE exercises e SET user_id = NULL WHERE e.user_id = %(user_id)s AND (
    EXISTS (SELECT 1 FROM exercise_sets s JOIN workout_sessions w ON w.id = s.session_id
            WHERE s.exercise_id = e.id AND w.user_id <> %(user_id)s)
 OR EXISTS (SELECT 1 FROM personal_records p WHERE p.exercise_id = e.id AND p.user_id <> %(user_id)s)
 OR EXISTS (SELECT 1 FROM workout_exercises x JOIN workouts w ON w.id = x.workout_id
            WHERE x.exercise_id = e.id AND w.user_id IS DISTINCT FROM %(user_id)s))
""",
    "workouts": """
UPDATE workouts o SET user_id = NULL WHERE o.user_id = %(user_id)s AND (
    EXISTS (SELECT 1 FROM workout_sessions s WHERE s.workout_id = o.id AND s.user_id <> %(user_id)s)
 OR EXISTS (SELECT 1 FROM program_workouts pw JOIN program_weeks wk ON wk.id = pw.program_week_id
            JOIN training_programs p ON p.id = wk.program_id
            WHERE pw.workout_id = o.id AND p.user_id <> %(user_id)s))
""",
}


def delete_account(conn: Connection, user_id: UUID, body: DeleteIn, storage: Storage | None = None) -> None:
    """Erase the person and everything they own; keep an anonymous record that an account was deleted.

    Raises: InvalidInput (confirmation_mismatch) when ``confirm`` is not the account's email.
    """
    with conn.transaction():
        email = conn.execute("SELECT email FROM users WHERE id = %s FOR UPDATE", (user_id,)).fetchone()
        if email is None:
            raise NotFound("user")
        if body.confirm.strip().lower() != email[0].strip().lower():
            raise InvalidInput(
                "Send your account's email as confirm to delete the account",
                code="confirmation_mismatch",
                details={"field": "confirm"},
            )
        params = {"user_id": user_id, "id_text": str(user_id), "email": email[0].strip().lower()}
        keys = [k for (k,) in conn.execute(TRACK_KEYS, params)]
        conn.execute(FORGET_IN_AUDIT, params)
        for statement in RELEASE_SHARED.values():
            conn.execute(statement, params)
        # Every other foreign key to users without a cascade (who granted a role, who wrote a catalogue entry).
        for key in foreign_keys(conn):
            if key.parent == "users" and key.on_delete != "c" and key.child != "audit_log":
                conn.execute(
                    sql.SQL("UPDATE {t} SET {c} = NULL WHERE {c} = %(user_id)s").format(
                        t=sql.Identifier(key.child), c=sql.Identifier(key.col)
                    ),
                    params,
                )
        # Children before parents, table by table: a single cascade from users can check a foreign key without
        # cascade (a set's exercise) before it has reached the rows that hold it (the set), and fail.
        owned = owned_tables(conn)
        by_table = {o.table: o for o in owned}
        for table in reversed(owned):
            conn.execute(
                sql.SQL("DELETE FROM {} WHERE {}").format(
                    sql.Identifier(table.table), owner_condition(by_table, table.table)
                ),
                params,
            )
        deleted = conn.execute("DELETE FROM users WHERE id = %(user_id)s", params).rowcount
        audit(conn, "account_deleted", resource_type="user", action="delete", details={"uploaded_objects": len(keys)})
    log("account deleted", uploaded_objects=len(keys), users=deleted)
    storage = storage or get_storage()
    prefixes = (f"tracks/{user_id}/", f"exports/{user_id}/")
    _delete_objects(storage, sorted(set(keys).union(*(_listed(storage, p) for p in prefixes))))


def _listed(storage: Storage, prefix: str) -> list[str]:
    pages = storage.s3.get_paginator("list_objects_v2").paginate(Bucket=storage.bucket, Prefix=prefix)
    return [obj["Key"] for page in pages for obj in page.get("Contents", [])]


def _delete_objects(storage: Storage, keys: list[str]) -> None:
    for start in range(0, len(keys), 1000):  # S3 deletes at most 1000 keys per request
        batch = keys[start : start + 1000]
        storage.s3.delete_objects(Bucket=storage.bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True})
