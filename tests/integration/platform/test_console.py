"""The admin console: find users, grant and revoke roles (audited), read the audit trail with filters."""

import uuid
from datetime import UTC, datetime, timedelta


def test_list_and_search_users(caller, make_user):
    admin = caller(admin=True)
    tag = uuid.uuid4().hex[:8]
    found = make_user(email=f"producer-{tag}@example.com")
    make_user()

    page = admin.get(f"/admin/users?q=producer-{tag}")["items"]
    assert [(u["id"], u["email"]) for u in page] == [(str(found.id), found.email)]
    assert admin.get("/admin/users?q=100%25")["items"] == []  # % is matched literally
    assert admin.get(f"/admin/users/{found.id}")["roles"] == []
    assert str(admin.id) in [u["id"] for u in admin.get("/admin/users?role=admin&limit=100")["items"]]


def test_grant_and_revoke_admin_changes_access_and_is_audited(caller, conn):
    admin, me = caller(admin=True), caller()
    assert me.request("GET", "/admin/users")[0] == 403

    granted = admin.post(f"/admin/users/{me.id}/roles", {"role": "admin"})
    assert (granted["role"], granted["granted_by"]) == ("admin", str(admin.id))
    assert me.request("GET", "/admin/users")[0] == 200
    assert admin.get(f"/admin/users/{me.id}")["roles"] == ["admin"]

    admin.delete(f"/admin/users/{me.id}/roles/admin")
    assert me.request("GET", "/admin/users")[0] == 403
    assert admin.request("DELETE", f"/admin/users/{me.id}/roles/admin")[0] == 404

    trail = admin.get(f"/admin/audit-log?resource_id={me.id}&event_type=admin_action")["items"]
    assert [(e["action"], e["user_id"]) for e in trail] == [
        ("revoke_role", str(admin.id)),
        ("grant_role", str(admin.id)),
    ]


def test_an_expired_grant_is_no_role(caller, conn):
    admin, me = caller(admin=True), caller()
    admin.post(
        f"/admin/users/{me.id}/roles",
        {"role": "admin", "expires_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()},
    )
    conn.execute("UPDATE user_roles SET expires_at = now() - interval '1 second' WHERE user_id = %s", (me.id,))
    assert me.request("GET", "/admin/users")[0] == 403
    assert admin.get(f"/admin/users/{me.id}")["roles"] == []


def test_bad_grants(caller):
    admin, me = caller(admin=True), caller()
    status, error = admin.request("POST", f"/admin/users/{me.id}/roles", {"role": "overlord"})
    assert (status, error["error"]["code"]) == (422, "unknown_role")
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    assert admin.request("POST", f"/admin/users/{me.id}/roles", {"role": "admin", "expires_at": past})[0] == 422
    assert admin.request("POST", f"/admin/users/{uuid.uuid4()}/roles", {"role": "admin"})[0] == 404


def test_revoking_a_role_not_held_is_404(caller, conn):
    admin, me = caller(admin=True), caller()
    assert admin.request("DELETE", f"/admin/users/{me.id}/roles/user")[0] == 404
    assert admin.request("DELETE", f"/admin/users/{me.id}/roles/admin")[0] == 404
    audited = conn.execute("SELECT count(*) FROM audit_log WHERE resource_id = %s", (me.id,)).fetchone()[0]
    assert audited == 0


def test_an_admin_cannot_revoke_their_own_admin_role(caller):
    admin = caller(admin=True)
    status, error = admin.request("DELETE", f"/admin/users/{admin.id}/roles/admin")
    assert (status, error["error"]["code"]) == (409, "own_admin_role")
    assert admin.request("GET", "/admin/users")[0] == 200


def test_the_audit_log_filters_and_pages(caller, conn):
    admin, me = caller(admin=True), caller()
    admin.post(f"/admin/users/{me.id}/roles", {"role": "admin"})
    admin.delete(f"/admin/users/{me.id}/roles/admin")
    admin.post(f"/admin/users/{me.id}/roles", {"role": "admin"})

    everything = admin.get(f"/admin/audit-log?user_id={admin.id}&resource_type=user&limit=100")["items"]
    assert [e["action"] for e in everything][:3] == ["grant_role", "revoke_role", "grant_role"]

    first = admin.get(f"/admin/audit-log?user_id={admin.id}&resource_id={me.id}&limit=2")
    second = admin.get(f"/admin/audit-log?user_id={admin.id}&resource_id={me.id}&limit=2&cursor={first['next_cursor']}")
    assert [e["action"] for e in first["items"] + second["items"]] == ["grant_role", "revoke_role", "grant_role"]
    assert second["next_cursor"] is None

    since = everything[0]["created_at"]
    assert [
        e["action"]
        for e in admin.get(f"/admin/audit-log?resource_id={me.id}&since={since.replace('+', '%2B')}")["items"]
    ] == ["grant_role"]
    assert admin.get(f"/admin/audit-log?action=revoke_role&resource_id={me.id}")["items"][0]["details"] == {
        "role": "admin"
    }
