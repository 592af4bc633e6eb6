"""Magic-link sign-in, bearer sessions and sign-out, through the auth function as API Gateway calls it."""

import json
import uuid

import pytest
from momentum.config import get_settings

JSON = {"Content-Type": "application/json"}


def sign_in(http, ses, address):
    assert http.post("/auth/magic-link", headers=JSON, body=json.dumps({"email": address})).status_code == 202
    response = http.post("/auth/verify", headers=JSON, body=json.dumps({"email": address, "token": ses(address)}))
    assert response.status_code == 201, response.body
    return response.json_body


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_magic_link_signs_in_a_new_user_with_wallet_and_progress(api, ses, conn):
    http = api("auth")
    address = f"New.User-{uuid.uuid4().hex[:8]}@Example.com"
    session = sign_in(http, ses, address)

    assert session["user"]["email"] == address.lower()
    me = http.get("/me", headers=bearer(session["token"]))
    assert me.status_code == 200 and me.json_body["id"] == session["user"]["id"]
    assert conn.execute(
        "SELECT count(*) FROM user_wallet w JOIN user_progress p USING (user_id) WHERE w.user_id = %s",
        (session["user"]["id"],),
    ).fetchone() == (1,)
    # Only hashes are stored: neither the session token nor the link token appears in the database.
    assert conn.execute("SELECT count(*) FROM sessions WHERE token = %s", (session["token"],)).fetchone() == (0,)
    events = conn.execute(
        "SELECT event_type, status FROM audit_log WHERE user_id = %s", (session["user"]["id"],)
    ).fetchall()
    assert ("sign_in", "success") in events


def test_logout_after_magic_link_sign_in_revokes_the_token(api, ses):
    http = api("auth")
    session = sign_in(http, ses, f"leaving-{uuid.uuid4().hex[:8]}@example.com")
    assert http.post("/auth/logout", headers=bearer(session["token"])).status_code == 204
    assert http.get("/me", headers=bearer(session["token"])).status_code == 401


def test_a_magic_link_works_once(api, ses):
    http = api("auth")
    address = f"once-{uuid.uuid4().hex[:8]}@example.com"
    sign_in(http, ses, address)
    reuse = http.post("/auth/verify", headers=JSON, body=json.dumps({"email": address, "token": ses(address)}))
    assert reuse.status_code == 401
    assert reuse.json_body["error"]["code"] == "invalid_token"


def test_expired_magic_link_is_refused(api, ses, conn):
    http = api("auth")
    address = f"late-{uuid.uuid4().hex[:8]}@example.com"
    http.post("/auth/magic-link", headers=JSON, body=json.dumps({"email": address}))
    conn.execute(
        "UPDATE verification_tokens SET expires = now() - interval '1 second' WHERE identifier = %s", (address,)
    )
    response = http.post("/auth/verify", headers=JSON, body=json.dumps({"email": address, "token": ses(address)}))
    assert response.status_code == 401


def test_magic_link_answers_the_same_for_known_and_unknown_addresses(api, ses, make_user):
    http = api("auth")
    known = make_user().email
    unknown = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    answers = [http.post("/auth/magic-link", headers=JSON, body=json.dumps({"email": e})) for e in (known, unknown)]
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].json_body == answers[1].json_body


def test_magic_links_are_rate_limited_per_email(api, ses):
    http = api("auth")
    address = f"eager-{uuid.uuid4().hex[:8]}@example.com"
    statuses = [
        http.post("/auth/magic-link", headers=JSON, body=json.dumps({"email": address})).status_code
        for _ in range(get_settings().magic_link_max_per_window + 1)
    ]
    assert statuses[:-1] == [202] * get_settings().magic_link_max_per_window
    assert statuses[-1] == 429
    other = http.post("/auth/magic-link", headers=JSON, body=json.dumps({"email": "x" + address}))
    assert other.status_code == 202


def test_logout_revokes_the_token(api, make_user, conn):
    http = api("auth")
    user = make_user()
    assert http.post("/auth/logout", headers=bearer(user.token)).status_code == 204
    response = http.get("/me", headers=bearer(user.token))
    assert response.status_code == 401
    assert conn.execute(
        "SELECT count(*) FROM audit_log WHERE user_id = %s AND event_type = 'sign_out'", (user.id,)
    ).fetchone() == (1,)


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer not-a-token", "Basic abc", "bearer  "])
def test_missing_or_unknown_tokens_get_401(api, header):
    response = api("auth").get("/me", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.json_body["error"]["code"] in ("unauthorized", "invalid_token")


def test_expired_session_gets_401(api, make_user, conn):
    user = make_user()
    conn.execute("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = %s", (user.id,))
    assert api("auth").get("/me", headers=bearer(user.token)).status_code == 401


def test_patch_me_changes_the_name_and_image_only(api, make_user, conn):
    user, other = make_user(), make_user()
    http = api("auth")
    headers = user.headers | JSON

    def patch(body):
        return http.patch("/me", headers=headers, body=json.dumps(body))

    changed = patch({"name": "Dee Jay", "image": "https://cdn.example.com/dee.png"})
    assert changed.status_code == 200, changed.body
    assert (changed.json_body["name"], changed.json_body["image"]) == ("Dee Jay", "https://cdn.example.com/dee.png")
    assert http.get("/me", headers=user.headers).json_body == changed.json_body

    # A field left out keeps its value; null clears it.
    cleared = patch({"image": None}).json_body
    assert (cleared["name"], cleared["image"]) == ("Dee Jay", None)

    # The rest of the record is read-only: an unknown field, a bad URL, an empty PATCH are 422 and change nothing.
    for body in ({"role": "admin"}, {"email": "x@example.com"}, {"image": "javascript:alert(1)"}, {"name": ""}, {}):
        response = patch(body)
        assert response.status_code == 422, body
        assert response.json_body["error"]["code"] == "invalid_input"
    row = conn.execute("SELECT name, image, role, email FROM users WHERE id = %s", (user.id,)).fetchone()
    assert row[:3] == ("Dee Jay", None, "user") and row[3] != "x@example.com"
    # Only the caller's own record moves.
    assert conn.execute("SELECT name FROM users WHERE id = %s", (other.id,)).fetchone() != ("Dee Jay",)
