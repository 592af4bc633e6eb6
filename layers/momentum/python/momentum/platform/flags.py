"""Feature flags: admins define them; a client reads the flags that apply to it in one call.

A flag is on for a user when it is ``enabled`` and, if its metadata has ``rollout_percent`` (0–100), the user's
bucket is below it. The bucket is a hash of the flag name and the user id, so it is stable per user and
independent between flags (raising the percentage only adds users). ``allow_user_ids`` in the metadata switches
an enabled flag on for those users whatever the percentage (testers).

Reads are cached per warm function for ``CACHE_SECONDS`` (all flags in one query, evaluated per user), so a
change reaches every function within that time; the function that makes a change drops its cache at once.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from psycopg import Connection
from psycopg.types.json import Jsonb
from pydantic import ConfigDict, Field

from momentum.audit import ClientInfo, audit
from momentum.auth import CurrentUser
from momentum.db import fetch_all, fetch_one
from momentum.errors import NotFound
from momentum.models import PatchModel, RequestModel, ResponseModel, ShortText

CACHE_SECONDS = 30.0
FlagName = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9_.-]*$")]


class FlagMetadata(RequestModel):
    """Known keys are checked; others are kept as the admin's notes."""

    model_config = ConfigDict(extra="allow")

    rollout_percent: Annotated[int, Field(ge=0, le=100)] | None = None
    allow_user_ids: Annotated[list[UUID], Field(max_length=1000)] | None = None


class FlagIn(RequestModel):
    flag_name: FlagName
    enabled: bool = False
    description: ShortText | None = None
    metadata: FlagMetadata | None = None


class FlagPatch(PatchModel):
    not_null = frozenset({"enabled"})

    enabled: bool | None = None
    description: ShortText | None = None
    metadata: FlagMetadata | None = None


class Flag(ResponseModel):
    id: UUID
    flag_name: str
    enabled: bool
    description: str | None
    metadata: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime


class MyFlags(ResponseModel):
    flags: dict[str, bool] = Field(description="Every flag by name: whether it is on for you")


COLUMNS = "id, flag_name, enabled, description, metadata, created_at, updated_at"
LIST = f"SELECT {COLUMNS} FROM feature_flags ORDER BY flag_name"
GET = f"SELECT {COLUMNS} FROM feature_flags WHERE id = %s"
INSERT = f"""
INSERT INTO feature_flags (flag_name, enabled, description, metadata)
VALUES (%(flag_name)s, %(enabled)s, %(description)s, %(metadata)s)
RETURNING {COLUMNS}
"""
UPDATE = f"""
UPDATE feature_flags SET
    enabled = CASE WHEN %(set_enabled)s THEN %(enabled)s ELSE enabled END,
    description = CASE WHEN %(set_description)s THEN %(description)s ELSE description END,
    metadata = CASE WHEN %(set_metadata)s THEN %(metadata)s ELSE metadata END
WHERE id = %(id)s
RETURNING {COLUMNS}
"""
DELETE = "DELETE FROM feature_flags WHERE id = %s RETURNING flag_name"


def bucket(flag_name: str, user_id: UUID) -> int:
    """The user's stable bucket (0–99) for one flag."""
    digest = hashlib.sha256(f"{flag_name}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def is_on(flag: Flag, user_id: UUID) -> bool:
    if not flag.enabled:
        return False
    meta = flag.metadata or {}
    if str(user_id) in {str(u) for u in meta.get("allow_user_ids") or []}:
        return True
    percent = meta.get("rollout_percent")
    return percent is None or bucket(flag.flag_name, user_id) < int(percent)


class FlagCache:
    """All flags of this execution environment, reread after ``ttl`` seconds."""

    def __init__(self, ttl: float = CACHE_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.ttl, self.clock = ttl, clock
        self._lock = threading.Lock()
        self._flags: list[Flag] | None = None
        self._read_at = 0.0

    def get(self, conn: Connection) -> list[Flag]:
        with self._lock:
            if self._flags is None or self.clock() - self._read_at >= self.ttl:
                self._flags = fetch_all(conn, Flag, LIST)
                self._read_at = self.clock()
            return self._flags

    def clear(self) -> None:
        with self._lock:
            self._flags = None


CACHE = FlagCache()


def my_flags(conn: Connection, user_id: UUID, cache: FlagCache = CACHE) -> MyFlags:
    """Every flag by name and whether it is on for this user (cached; see the module docstring)."""
    return MyFlags(flags={flag.flag_name: is_on(flag, user_id) for flag in cache.get(conn)})


def list_flags(conn: Connection) -> list[Flag]:
    return fetch_all(conn, Flag, LIST)


def _metadata(meta: FlagMetadata | None) -> Jsonb | None:
    return Jsonb(meta.model_dump(mode="json", exclude_none=True)) if meta is not None else None


def _audit(conn: Connection, admin: CurrentUser, flag_id: UUID, action: str, client: ClientInfo, details: Any) -> None:
    audit(
        conn,
        "admin_action",
        user_id=admin.id,
        session_id=admin.session_id,
        resource_type="feature_flag",
        resource_id=flag_id,
        action=action,
        client=client,
        details=details,
    )


def create_flag(conn: Connection, admin: CurrentUser, body: FlagIn, client: ClientInfo) -> Flag:
    """Raises: Conflict (flag_exists) for a name in use."""
    with conn.transaction():
        flag = fetch_one(
            conn,
            Flag,
            INSERT,
            body.model_dump(exclude={"metadata"}) | {"metadata": _metadata(body.metadata)},
            resource="feature_flag",
        )
        _audit(conn, admin, flag.id, "create_flag", client, body.model_dump(mode="json"))
    CACHE.clear()
    return flag


def get_flag(conn: Connection, flag_id: UUID) -> Flag:
    return fetch_one(conn, Flag, GET, (flag_id,), resource="feature_flag")


def update_flag(conn: Connection, admin: CurrentUser, flag_id: UUID, body: FlagPatch, client: ClientInfo) -> Flag:
    """Change the fields sent. Raises: NotFound."""
    sent = body.model_fields_set
    with conn.transaction():
        flag = fetch_one(
            conn,
            Flag,
            UPDATE,
            {
                "id": flag_id,
                "set_enabled": "enabled" in sent and body.enabled is not None,
                "enabled": body.enabled,
                "set_description": "description" in sent,
                "description": body.description,
                "set_metadata": "metadata" in sent,
                "metadata": _metadata(body.metadata),
            },
            resource="feature_flag",
        )
        _audit(conn, admin, flag_id, "update_flag", client, body.model_dump(mode="json", include=sent))
    CACHE.clear()
    return flag


def delete_flag(conn: Connection, admin: CurrentUser, flag_id: UUID, client: ClientInfo) -> None:
    """Raises: NotFound."""
    with conn.transaction():
        row = conn.execute(DELETE, (flag_id,)).fetchone()
        if row is None:
            raise NotFound("feature_flag")
        _audit(conn, admin, flag_id, "delete_flag", client, {"flag_name": row[0]})
    CACHE.clear()
