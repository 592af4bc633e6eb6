"""The sign-in email's link opens a page; opening it (as a mail scanner does) never uses the one-time token."""

import json
import uuid

JSON = {"Content-Type": "application/json"}


def test_opening_the_link_shows_a_page_and_keeps_the_token(api, ses, conn):  # noqa: F811
    http = api("auth")
    address = f"click-{uuid.uuid4().hex[:8]}@example.com"
    assert http.post("/auth/magic-link", headers=JSON, body=json.dumps({"email": address})).status_code == 202
    token = ses(address)
    for _ in range(3):  # a scanner, a preview, the person
        page = http.get(f"/auth/verify?email={address}&token={token}")
        assert page.status_code == 200
        assert page.headers["Content-Type"].startswith("text/html")
        assert b'fetch("verify"' in page.body and b'method: "POST"' in page.body
    assert conn.execute("SELECT count(*) FROM verification_tokens WHERE identifier = %s", (address,)).fetchone() == (1,)
    # The page's POST signs in.
    response = http.post("/auth/verify", headers=JSON, body=json.dumps({"email": address, "token": token}))
    assert response.status_code == 201
