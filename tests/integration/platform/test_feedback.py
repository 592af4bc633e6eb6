"""Feedback: users file and read their own; admins list, filter and triage it, audited."""

import pytest


def file(user, **fields):
    body = {"feedback_type": "bug", "title": "Crash on export", "description": "The app closes"} | fields
    return user.post("/feedback", body)


def test_a_user_files_feedback_with_metadata_and_sees_only_their_own(caller):
    me, other = caller(), caller()
    mine = file(me, metadata={"client": "ios", "version": "1.4.2"})
    file(other)

    assert (mine["status"], mine["priority"], mine["metadata"]) == (
        "new",
        "normal",
        {"client": "ios", "version": "1.4.2"},
    )
    assert [f["id"] for f in me.get("/feedback")["items"]] == [mine["id"]]
    assert me.get(f"/feedback/{mine['id']}") == mine


@pytest.mark.parametrize(
    "body",
    [
        {"feedback_type": "rant", "title": "x", "description": "y"},
        {"feedback_type": "bug", "title": "", "description": "y"},
        {"feedback_type": "bug", "title": "x"},
        {"feedback_type": "bug", "title": "x", "description": "y", "metadata": {"secret": "z"}},
        {"feedback_type": "bug", "title": "x", "description": "y", "status": "resolved"},
    ],
)
def test_invalid_feedback_is_422(caller, body):
    me = caller()
    assert me.request("POST", "/feedback", body)[0] == 422
    assert me.get("/feedback")["items"] == []


def test_admins_filter_respond_and_resolve_and_it_is_audited(caller, conn):
    admin, me = caller(admin=True), caller()
    bug = file(me, feedback_type="bug")
    idea = file(me, feedback_type="feature", title="Dark mode")

    bugs = admin.get("/admin/feedback?feedback_type=bug&status=new")["items"]
    assert bug["id"] in [f["id"] for f in bugs] and idea["id"] not in [f["id"] for f in bugs]

    triaged = admin.patch(
        f"/admin/feedback/{bug['id']}", {"status": "resolved", "priority": "high", "admin_response": "Fixed in 1.4.3"}
    )
    assert (triaged["status"], triaged["priority"], triaged["admin_response"]) == ("resolved", "high", "Fixed in 1.4.3")
    assert triaged["resolved_at"] is not None

    # The user sees the response; high-priority filters find it
    assert me.get(f"/feedback/{bug['id']}")["admin_response"] == "Fixed in 1.4.3"
    assert bug["id"] in [f["id"] for f in admin.get("/admin/feedback?priority=high")["items"]]

    # Re-opening clears resolved_at
    reopened = admin.patch(f"/admin/feedback/{bug['id']}", {"status": "reviewed"})
    assert (reopened["resolved_at"], reopened["admin_response"]) == (None, "Fixed in 1.4.3")

    audit = conn.execute(
        "SELECT action, details FROM audit_log WHERE resource_id = %s AND user_id = %s ORDER BY created_at",
        (bug["id"], admin.id),
    ).fetchall()
    assert [a for a, _ in audit] == ["triage_feedback", "triage_feedback"]
    assert audit[0][1]["changed"]["status"] == {"from": "new", "to": "resolved"}


def test_resolving_twice_keeps_the_first_resolution_time(caller):
    admin, me = caller(admin=True), caller()
    bug = file(me)
    first = admin.patch(f"/admin/feedback/{bug['id']}", {"status": "resolved"})
    again = admin.patch(f"/admin/feedback/{bug['id']}", {"status": "resolved", "admin_response": "Thanks"})
    assert again["resolved_at"] == first["resolved_at"]


def test_triage_needs_a_change_and_a_real_id(caller):
    import uuid

    admin, me = caller(admin=True), caller()
    bug = file(me)
    assert admin.request("PATCH", f"/admin/feedback/{bug['id']}", {})[0] == 422
    assert admin.request("PATCH", f"/admin/feedback/{bug['id']}", {"status": None})[0] == 422
    assert admin.request("PATCH", f"/admin/feedback/{bug['id']}", {"priority": "urgent"})[0] == 422
    assert admin.request("PATCH", f"/admin/feedback/{uuid.uuid4()}", {"status": "reviewed"})[0] == 404
