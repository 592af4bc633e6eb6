"""The security trail: sign-ins, sign-outs and admin actions go to ``audit_log``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg import Connection
from psycopg.types.json import Jsonb


@dataclass(frozen=True)
class ClientInfo:
    """Who is on the other end of a request, as far as the audit trail cares."""

    ip_address: str | None = None
    user_agent: str | None = None
    request_id: str | None = None


INSERT_AUDIT = """
INSERT INTO audit_log (user_id, session_id, event_type, resource_type, resource_id, action, status, details,
                       ip_address, user_agent, request_id)
VALUES (%(user_id)s, %(session_id)s, %(event_type)s, %(resource_type)s, %(resource_id)s, %(action)s, %(status)s,
        %(details)s, %(ip_address)s, %(user_agent)s, %(request_id)s)
"""


def audit(
    conn: Connection,
    event_type: str,
    *,
    status: str = "success",
    user_id: UUID | None = None,
    session_id: UUID | None = None,
    resource_type: str | None = None,
    resource_id: UUID | None = None,
    action: str | None = None,
    details: dict[str, Any] | None = None,
    client: ClientInfo = ClientInfo(),
) -> None:
    conn.execute(
        INSERT_AUDIT,
        {
            "user_id": user_id,
            "session_id": session_id,
            "event_type": event_type,
            "resource_type": resource_type,
            "resource_id": resource_id,
            "action": action,
            "status": status,
            "details": Jsonb(details) if details is not None else None,
            "ip_address": client.ip_address,
            "user_agent": client.user_agent,
            "request_id": client.request_id,
        },
    )
