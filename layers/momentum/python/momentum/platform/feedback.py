"""Feedback: a user files a bug report, a feature request or a general remark and sees the admin's response;
admins triage (status, priority, response). ``resolved_at`` is set when the status becomes ``resolved`` and
cleared when it leaves it. Every admin change is audited."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from psycopg import Connection
from psycopg.types.json import Jsonb
from pydantic import Field

from momentum.audit import ClientInfo, audit
from momentum.auth import CurrentUser
from momentum.db import fetch_all, fetch_one, fetch_optional
from momentum.errors import NotFound
from momentum.models import LongText, Name, PageQuery, PatchModel, RequestModel, ResponseModel, ShortText
from momentum.pagination import Page, PageRequest, page_of

FeedbackType = Literal["bug", "feature", "general"]
Status = Literal["new", "reviewed", "resolved"]
Priority = Literal["low", "normal", "high", "critical"]


class FeedbackMetadata(RequestModel):
    """What the client knows about itself; free-form extras go in ``extra``."""

    client: ShortText | None = None
    version: Annotated[str, Field(max_length=50)] | None = None
    platform: ShortText | None = None
    route: ShortText | None = None
    extra: dict[str, Annotated[str, Field(max_length=500)]] | None = Field(default=None, max_length=20)


class FeedbackIn(RequestModel):
    feedback_type: FeedbackType
    title: Name
    description: Annotated[str, Field(min_length=1, max_length=10_000)]
    metadata: FeedbackMetadata | None = None


class FeedbackTriage(PatchModel):
    not_null = frozenset({"status", "priority"})

    status: Status | None = None
    priority: Priority | None = None
    admin_response: LongText | None = None


class Feedback(ResponseModel):
    id: UUID
    user_id: UUID | None
    feedback_type: str
    title: str
    description: str
    status: str
    priority: str | None
    admin_response: str | None
    resolved_at: datetime | None
    metadata: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime


class FeedbackQuery(PageQuery):
    status: Status | None = None
    priority: Priority | None = None
    feedback_type: FeedbackType | None = None


COLUMNS = (
    "id, user_id, feedback_type, title, description, status, priority, admin_response, resolved_at, metadata, "
    "created_at, updated_at"
)
INSERT = f"""
INSERT INTO feedback (user_id, feedback_type, title, description, metadata)
VALUES (%(user_id)s, %(feedback_type)s, %(title)s, %(description)s, %(metadata)s)
RETURNING {COLUMNS}
"""
LIST = f"""
SELECT {COLUMNS} FROM feedback
WHERE (%(user_id)s::uuid IS NULL OR user_id = %(user_id)s)
  AND (%(status)s::text IS NULL OR status = %(status)s)
  AND (%(priority)s::text IS NULL OR priority = %(priority)s)
  AND (%(feedback_type)s::text IS NULL OR feedback_type = %(feedback_type)s)
  AND (%(after_at)s::timestamptz IS NULL OR (created_at, id) < (%(after_at)s, %(after_id)s::uuid))
ORDER BY created_at DESC, id DESC
LIMIT %(limit)s
"""
GET_OWN = f"SELECT {COLUMNS} FROM feedback WHERE id = %s AND user_id = %s"
LOCK = f"SELECT {COLUMNS} FROM feedback WHERE id = %s FOR UPDATE"
TRIAGE = f"""
UPDATE feedback SET
    status = coalesce(%(status)s, status),
    priority = coalesce(%(priority)s, priority),
    admin_response = CASE WHEN %(set_response)s THEN %(admin_response)s ELSE admin_response END,
    resolved_at = CASE WHEN coalesce(%(status)s, status) <> 'resolved' THEN NULL
                       WHEN status = 'resolved' THEN resolved_at
                       ELSE now() END
WHERE id = %(id)s
RETURNING {COLUMNS}
"""


def file_feedback(conn: Connection, user_id: UUID, body: FeedbackIn) -> Feedback:
    metadata = body.metadata.model_dump(exclude_none=True) if body.metadata else None
    return fetch_one(
        conn,
        Feedback,
        INSERT,
        body.model_dump(exclude={"metadata"}) | {"user_id": user_id, "metadata": Jsonb(metadata) if metadata else None},
        resource="feedback",
    )


def list_feedback(conn: Connection, user_id: UUID | None, query: FeedbackQuery, page: PageRequest) -> Page[Feedback]:
    """Newest first: one user's (``user_id``) or everyone's (admins). Raises: InvalidInput (cursor)."""
    after_at, after_id = page.after_key(datetime, UUID)
    params = query.model_dump(exclude={"limit", "cursor"}) | {
        "user_id": user_id,
        "after_at": after_at,
        "after_id": after_id,
        "limit": page.limit + 1,
    }
    rows = fetch_all(conn, Feedback, LIST, params)
    return page_of(rows, page, key=lambda r: (r.created_at.isoformat(), str(r.id)))


def get_own_feedback(conn: Connection, user_id: UUID, feedback_id: UUID) -> Feedback:
    """Raises: NotFound (unknown or another user's)."""
    return fetch_one(conn, Feedback, GET_OWN, (feedback_id, user_id), resource="feedback")


def triage(
    conn: Connection, admin: CurrentUser, feedback_id: UUID, body: FeedbackTriage, client: ClientInfo
) -> Feedback:
    """An admin sets status, priority and/or the response; audited with the before and after. Raises: NotFound."""
    with conn.transaction():
        before = fetch_optional(conn, Feedback, LOCK, (feedback_id,))
        if before is None:
            raise NotFound("feedback")
        after = fetch_one(
            conn,
            Feedback,
            TRIAGE,
            {
                "id": feedback_id,
                "status": body.status,
                "priority": body.priority,
                "set_response": "admin_response" in body.model_fields_set,
                "admin_response": body.admin_response,
            },
            resource="feedback",
        )
        changed = {
            name: {"from": getattr(before, name), "to": getattr(after, name)}
            for name in ("status", "priority", "admin_response")
            if getattr(before, name) != getattr(after, name)
        }
        audit(
            conn,
            "admin_action",
            user_id=admin.id,
            session_id=admin.session_id,
            resource_type="feedback",
            resource_id=feedback_id,
            action="triage_feedback",
            client=client,
            details={"changed": changed},
        )
    return after
