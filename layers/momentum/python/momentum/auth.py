"""Sign-in by magic link, bearer sessions, and the user record.

Secrets (magic-link tokens, session tokens) are random, sent to the client once, and stored only as SHA-256
hashes, so a database leak does not leak a way in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import psycopg
from psycopg import Connection
from psycopg.rows import class_row, dict_row

from momentum import boosts, db, limits
from momentum import email as mail
from momentum.audit import ClientInfo, audit
from momentum.config import get_settings
from momentum.errors import TooManyRequests, Unauthorized
from momentum.models import Email, Name, PatchModel, RequestModel, ResponseModel, Url, User


class MagicLinkIn(RequestModel):
    email: Email


class VerifyIn(RequestModel):
    email: Email
    token: str


class SessionOut(ResponseModel):
    token: str
    expires_at: datetime
    user: User


class MagicLinkOut(ResponseModel):
    message: str


@dataclass(frozen=True)
class CurrentUser:
    id: UUID
    email: str
    role: str
    is_admin: bool
    session_id: UUID | None


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalize_email(address: str) -> str:
    return address.strip().lower()


SELECT_USER = "SELECT id, email, name, image, role, created_at FROM users WHERE id = %s"

# One statement creates the user (or finds it) together with its wallet and progress rows.
ENSURE_USER = """
WITH new_user AS (
    INSERT INTO users (email, email_verified, last_activity_at) VALUES (%(email)s, now(), now())
    ON CONFLICT (email) DO UPDATE SET email_verified = coalesce(users.email_verified, now()), last_activity_at = now()
    RETURNING id, email, name, image, role, created_at
), wallet AS (
    INSERT INTO user_wallet (user_id) SELECT id FROM new_user ON CONFLICT (user_id) DO NOTHING
), progress AS (
    INSERT INTO user_progress (user_id) SELECT id FROM new_user ON CONFLICT (user_id) DO NOTHING
)
SELECT * FROM new_user
"""

INSERT_SESSION = """
INSERT INTO sessions (user_id, token, expires_at, user_agent, ip_address)
VALUES (%s, %s, now() + make_interval(days => %s), %s, %s)
RETURNING id, expires_at
"""

AUTHENTICATE = """
SELECT u.id, u.email, u.role, s.id AS session_id,
       u.role = 'admin' OR EXISTS (
           SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id
           WHERE ur.user_id = u.id AND r.name = 'admin' AND (ur.expires_at IS NULL OR ur.expires_at > now())
       ) AS is_admin
FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.token = %s AND s.expires_at > now()
"""

# The caller, for a statement sent with AUTHENTICATE in one round trip (authenticate_and_read): the user of the
# unexpired session whose token hash is %(session_token)s, or NULL. A read that filters its rows by it returns only
# the caller's, whatever ids the request names.
CALLER = "(SELECT s.user_id FROM sessions s WHERE s.token = %(session_token)s AND s.expires_at > now())"

GRANT_ADMIN = """
INSERT INTO user_roles (user_id, role_id) SELECT %s, id FROM roles WHERE name = 'admin'
ON CONFLICT (user_id, role_id) DO NOTHING
"""


def ensure_user(conn: Connection, address: str) -> User:
    """The user with this email, created with its wallet and progress if new."""
    return db.fetch_one(conn, User, ENSURE_USER, {"email": normalize_email(address)}, resource="user")


def get_user(conn: Connection, user_id: UUID) -> User:
    """Raises: NotFound."""
    user = db.fetch_one(conn, User, SELECT_USER, (user_id,), resource="user")
    user.equipped = boosts.equipped(conn, user_id)
    return user


class ProfilePatch(PatchModel):
    """What a person may change about themselves; email, role and the account flags stay read-only."""

    name: Name | None = None
    image: Url | None = None  # an avatar URL


# A field left out keeps its value; one sent as null clears it (the PATCH contract, momentum.models.PatchModel).
UPDATE_PROFILE = """
UPDATE users SET
    name = CASE WHEN %(set_name)s THEN %(name)s ELSE name END,
    image = CASE WHEN %(set_image)s THEN %(image)s ELSE image END,
    updated_at = now()
WHERE id = %(id)s
"""


def update_profile(conn: Connection, user_id: UUID, body: ProfilePatch) -> User:
    """Change the caller's display name and avatar URL. Raises: NotFound."""
    sent = body.model_fields_set
    params = body.model_dump() | {"id": user_id, "set_name": "name" in sent, "set_image": "image" in sent}
    conn.execute(UPDATE_PROFILE, params)
    return get_user(conn, user_id)


def grant_admin(conn: Connection, user_id: UUID) -> None:
    conn.execute(GRANT_ADMIN, (user_id,))


def create_session(conn: Connection, user_id: UUID, client: ClientInfo = ClientInfo()) -> tuple[str, UUID, datetime]:
    """A new bearer session; returns the token (shown once), the session id and its expiry."""
    token = secrets.token_urlsafe(32)
    session_id, expires_at = db.fetch_row(
        conn,
        INSERT_SESSION,
        (user_id, hash_secret(token), get_settings().session_ttl_days, client.user_agent, client.ip_address),
    )
    return token, session_id, expires_at


def request_magic_link(conn: Connection, body: MagicLinkIn, client: ClientInfo) -> MagicLinkOut:
    """Store a hashed one-time token and mail the link. The answer is the same whether or not the email is known.

    Raises: TooManyRequests when this email, this client address or all clients together asked for too many
    links recently (the limits of ``momentum.limits``).
    """
    settings = get_settings()
    address = normalize_email(body.email)
    token = secrets.token_urlsafe(32)
    with conn.transaction():
        # Serialise requests for one email so the rate limit holds under concurrency.
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (address,))
        conn.execute("DELETE FROM verification_tokens WHERE identifier = %s AND expires < now()", (address,))
        (recent,) = db.fetch_row(
            conn,
            "SELECT count(*) FROM verification_tokens "
            "WHERE identifier = %s AND created_at > now() - %s * interval '1 minute'",
            (address, settings.magic_link_ttl_minutes),
        )
        if recent >= settings.magic_link_max_per_window:
            raise TooManyRequests(
                "Too many sign-in links requested; try again later", retry_after=settings.magic_link_ttl_minutes * 60
            )
        if client.ip_address:
            limits.take(conn, limits.magic_link_per_ip(), client.ip_address)
        limits.take(conn, limits.magic_link_global(), "all")
        conn.execute(
            "INSERT INTO verification_tokens (identifier, token, expires) "
            "VALUES (%s, %s, now() + %s * interval '1 minute')",
            (address, hash_secret(token), settings.magic_link_ttl_minutes),
        )
    link = f"{settings.app_base_url}/auth/verify?{urlencode({'email': address, 'token': token})}"
    mail.send(
        address,
        "Your Momentum sign-in link",
        f"Sign in to Momentum:\n{link}\n\nThe link works once, for {settings.magic_link_ttl_minutes} minutes. "
        "If you did not ask for it, ignore this email.",
    )
    return MagicLinkOut(message="If the address can receive mail, a sign-in link is on its way.")


def verify(conn: Connection, body: VerifyIn, client: ClientInfo) -> SessionOut:
    """Exchange a magic-link token for a bearer session, creating the user on first sign-in.

    Raises: Unauthorized for an unknown, used or expired token; TooManyRequests while the address is locked after
    too many failures (``verify_failures``), whatever the token.
    """
    address = normalize_email(body.email)
    failures = limits.verify_failures()
    with conn.transaction():
        limits.check(conn, failures, address)
        used = conn.execute(
            "DELETE FROM verification_tokens WHERE identifier = %s AND token = %s AND expires > now() RETURNING 1",
            (address, hash_secret(body.token)),
        ).fetchone()
        if used is None:
            limits.record(conn, failures, address)
            failure = Unauthorized("Invalid or expired sign-in link", code="invalid_token")
        else:
            failure = None
            limits.clear(conn, failures, address)
            user = ensure_user(conn, address)
            token, session_id, expires_at = create_session(conn, user.id, client)
            audit(conn, "sign_in", user_id=user.id, session_id=session_id, client=client)
    if failure:
        audit(conn, "sign_in", status="failure", details={"email": address}, client=client)
        raise failure
    return SessionOut(token=token, expires_at=expires_at, user=user)


def authenticate(conn: Connection, token: str) -> CurrentUser:
    """The user behind a bearer token. Raises: Unauthorized for unknown, expired or revoked tokens."""
    user = db.fetch_optional(conn, CurrentUser, AUTHENTICATE, (hash_secret(token),))
    if user is None:
        raise Unauthorized("Invalid or expired token", code="invalid_token")
    return user


def authenticate_and_read(
    conn: Connection, token: str, read: db.Query, params: dict[str, Any]
) -> tuple[CurrentUser, dict[str, Any] | None]:
    """``authenticate``, and one more statement in the same round trip (psycopg's pipeline mode, one Sync): the
    caller and the read's first row (or None). ``read`` names the caller as CALLER, its parameter session_token.
    The token decides first: an unknown token is Unauthorized even when the read failed, and the read's row or
    error reaches the caller only for a good token.

    Raises: Unauthorized; the read's psycopg.Error.
    """
    token_hash = hash_secret(token)
    failure: psycopg.Error | None = None
    with conn.cursor(row_factory=class_row(CurrentUser)) as who, conn.cursor(row_factory=dict_row) as found:
        try:
            with conn.pipeline():
                who.execute(AUTHENTICATE, (token_hash,))
                found.execute(read, params | {"session_token": token_hash})
        except psycopg.Error as error:
            if who.pgresult is None:  # the token check itself did not run
                raise
            failure = error
        user = who.fetchone()
        if user is None:
            raise Unauthorized("Invalid or expired token", code="invalid_token")
        if failure is not None:
            raise failure
        return user, found.fetchone()


def logout(conn: Connection, user: CurrentUser, client: ClientInfo) -> None:
    """Revoke the caller's session: its token stops working at once. The row stays (expired now) because the
    audit trail refers to it."""
    with conn.transaction():
        conn.execute("UPDATE sessions SET expires_at = now() WHERE id = %s", (user.session_id,))
        audit(conn, "sign_out", user_id=user.id, client=client)


# The page a sign-in email's link opens. Opening it changes nothing: mail scanners open links before people do, and
# the token works once. The person confirms with the button, which POSTs the email and token from the link's query
# to /auth/verify on this same origin and shows the outcome (and, for developers of the local stack, the token).
SIGN_IN_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Sign in to Momentum</title>
</head>
<body>
<main>
<h1>Sign in to Momentum</h1>
<p id="who"></p>
<button id="confirm" type="button">Sign in</button>
<p id="result" role="status"></p>
</main>
<script>
const query = new URLSearchParams(location.search);
const email = query.get("email") || "";
const token = query.get("token") || "";
document.getElementById("who").textContent = email ? "as " + email : "This link is incomplete.";
document.getElementById("confirm").disabled = !(email && token);
document.getElementById("confirm").addEventListener("click", async () => {
  const result = document.getElementById("result");
  document.getElementById("confirm").disabled = true;
  const response = await fetch("verify", {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({email, token}),
  });
  const body = await response.json();
  if (response.ok) {
    result.textContent = "Signed in. Your session token: " + body.token;
    result.dataset.token = body.token;
  } else {
    result.textContent = body.error.message;
  }
});
</script>
</body>
</html>
"""
