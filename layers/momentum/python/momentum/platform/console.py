"""The admin console: find users, grant and revoke roles (audited), read the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from psycopg import Connection
from pydantic import Field

from momentum.audit import ClientInfo, audit
from momentum.auth import CurrentUser, get_user
from momentum.db import fetch_all, fetch_optional, fetch_value
from momentum.errors import Conflict, InvalidInput, NotFound
from momentum.models import PageQuery, RequestModel, ResponseModel
from momentum.pagination import Page, PageRequest, page_of

RoleName = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[a-z0-9_]+$")]


class UserQuery(PageQuery):
    q: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        default=None, description="Part of the email or name"
    )
    role: RoleName | None = None


class AdminUser(ResponseModel):
    id: UUID
    email: str
    name: str | None
    role: str
    roles: list[str]
    created_at: datetime


class RoleGrantIn(RequestModel):
    role: RoleName
    expires_at: datetime | None = None


class RoleGrant(ResponseModel):
    user_id: UUID
    role: str
    granted_by: UUID | None
    granted_at: datetime
    expires_at: datetime | None


class AuditQuery(PageQuery):
    user_id: UUID | None = None
    event_type: Annotated[str, Field(max_length=100)] | None = None
    resource_type: Annotated[str, Field(max_length=100)] | None = None
    resource_id: UUID | None = None
    action: Annotated[str, Field(max_length=100)] | None = None
    since: datetime | None = None
    until: datetime | None = None


class AuditEntry(ResponseModel):
    id: UUID
    user_id: UUID | None
    event_type: str
    resource_type: str | None
    resource_id: UUID | None
    action: str | None
    status: str
    details: dict[str, Any] | None
    ip_address: str | None
    user_agent: str | None
    request_id: str | None
    created_at: datetime


# Active grants only; an expired one is as good as revoked.
ROLES_OF = """
coalesce(array(SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id
               WHERE ur.user_id = u.id AND (ur.expires_at IS NULL OR ur.expires_at > now()) ORDER BY r.name), '{}')
"""
LIST_USERS = f"""
SELECT u.id, u.email, u.name, u.role, {ROLES_OF} AS roles, u.created_at
FROM users u
WHERE (%(q)s::text IS NULL OR u.email ILIKE %(pattern)s OR u.name ILIKE %(pattern)s)
  AND (%(role)s::text IS NULL OR EXISTS (
        SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id
        WHERE ur.user_id = u.id AND r.name = %(role)s AND (ur.expires_at IS NULL OR ur.expires_at > now())))
  AND (%(after_at)s::timestamptz IS NULL OR (u.created_at, u.id) < (%(after_at)s, %(after_id)s::uuid))
ORDER BY u.created_at DESC, u.id DESC
LIMIT %(limit)s
"""
GET_USER = f"SELECT u.id, u.email, u.name, u.role, {ROLES_OF} AS roles, u.created_at FROM users u WHERE u.id = %s"
ROLE_ID = "SELECT id FROM roles WHERE name = %s"
GRANT = """
INSERT INTO user_roles (user_id, role_id, granted_by, expires_at) VALUES (%(user_id)s, %(role_id)s, %(by)s, %(expires)s)
ON CONFLICT (user_id, role_id) DO UPDATE
SET granted_by = EXCLUDED.granted_by, granted_at = now(), expires_at = EXCLUDED.expires_at
RETURNING user_id, %(role)s AS role, granted_by, granted_at, expires_at
"""
REVOKE = "DELETE FROM user_roles WHERE user_id = %s AND role_id = %s RETURNING user_id"
# users.role is the older, single-role column that authentication also honours: revoking admin clears it too.
CLEAR_LEGACY_ROLE = "UPDATE users SET role = 'user' WHERE id = %s AND role = %s AND role <> 'user' RETURNING id"
LIST_AUDIT = """
SELECT id, user_id, event_type, resource_type, resource_id, action, status, details, ip_address, user_agent,
       request_id, created_at
FROM audit_log
WHERE (%(user_id)s::uuid IS NULL OR user_id = %(user_id)s)
  AND (%(event_type)s::text IS NULL OR event_type = %(event_type)s)
  AND (%(resource_type)s::text IS NULL OR resource_type = %(resource_type)s)
  AND (%(resource_id)s::uuid IS NULL OR resource_id = %(resource_id)s)
  AND (%(action)s::text IS NULL OR action = %(action)s)
  AND (%(since)s::timestamptz IS NULL OR created_at >= %(since)s)
  AND (%(until)s::timestamptz IS NULL OR created_at < %(until)s)
  AND (%(after_at)s::timestamptz IS NULL OR (created_at, id) < (%(after_at)s, %(after_id)s::uuid))
ORDER BY created_at DESC, id DESC
LIMIT %(limit)s
"""


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def list_users(conn: Connection, query: UserQuery, page: PageRequest) -> Page[AdminUser]:
    after_at, after_id = page.after_key(datetime, UUID)
    params = {
        "q": query.q,
        "pattern": _like(query.q or ""),
        "role": query.role,
        "after_at": after_at,
        "after_id": after_id,
        "limit": page.limit + 1,
    }
    rows = fetch_all(conn, AdminUser, LIST_USERS, params)
    return page_of(rows, page, key=lambda r: (r.created_at.isoformat(), str(r.id)))


def get_admin_user(conn: Connection, user_id: UUID) -> AdminUser:
    found = fetch_optional(conn, AdminUser, GET_USER, (user_id,))
    if found is None:
        raise NotFound("user")
    return found


def _role_id(conn: Connection, role: str) -> UUID:
    role_id = fetch_value(conn, ROLE_ID, (role,))
    if role_id is None:
        raise InvalidInput(f"Unknown role {role!r}", code="unknown_role")
    return role_id  # type: ignore[no-any-return]


def grant_role(conn: Connection, admin: CurrentUser, user_id: UUID, body: RoleGrantIn, client: ClientInfo) -> RoleGrant:
    """Grant (or renew) a role. Raises: NotFound (user), InvalidInput (unknown role, expiry in the past)."""
    get_user(conn, user_id)
    if body.expires_at is not None and body.expires_at <= datetime.now(body.expires_at.tzinfo):
        raise InvalidInput("expires_at must be in the future", details={"field": "expires_at"})
    with conn.transaction():
        role_id = _role_id(conn, body.role)
        grant = fetch_optional(
            conn,
            RoleGrant,
            GRANT,
            {"user_id": user_id, "role_id": role_id, "by": admin.id, "expires": body.expires_at, "role": body.role},
        )
        audit(
            conn,
            "admin_action",
            user_id=admin.id,
            session_id=admin.session_id,
            resource_type="user",
            resource_id=user_id,
            action="grant_role",
            client=client,
            details=body.model_dump(mode="json"),
        )
    assert grant is not None
    return grant


def revoke_role(conn: Connection, admin: CurrentUser, user_id: UUID, role: str, client: ClientInfo) -> None:
    """Revoke a role. Raises: NotFound (user, or a role they do not hold), Conflict (an admin's own admin role)."""
    get_user(conn, user_id)
    if user_id == admin.id and role == "admin":
        raise Conflict("Admins cannot revoke their own admin role", code="own_admin_role")
    with conn.transaction():
        role_id = fetch_value(conn, ROLE_ID, (role,))
        revoked = role_id is not None and conn.execute(REVOKE, (user_id, role_id)).fetchone() is not None
        legacy = conn.execute(CLEAR_LEGACY_ROLE, (user_id, role)).fetchone() is not None
        if not (revoked or legacy):
            raise NotFound("role_grant")
        audit(
            conn,
            "admin_action",
            user_id=admin.id,
            session_id=admin.session_id,
            resource_type="user",
            resource_id=user_id,
            action="revoke_role",
            client=client,
            details={"role": role},
        )


def list_audit(conn: Connection, query: AuditQuery, page: PageRequest) -> Page[AuditEntry]:
    """The audit trail, newest first, filtered. Raises: InvalidInput (cursor)."""
    after_at, after_id = page.after_key(datetime, UUID)
    params = query.model_dump(exclude={"limit", "cursor"}) | {
        "after_at": after_at,
        "after_id": after_id,
        "limit": page.limit + 1,
    }
    rows = fetch_all(conn, AuditEntry, LIST_AUDIT, params)
    return page_of(rows, page, key=lambda r: (r.created_at.isoformat(), str(r.id)))
