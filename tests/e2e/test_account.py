"""The account through `momentum dev` over HTTP: the home screen, an export downloaded from its presigned link
(the local stack's S3), and a deletion that takes the person's upload and their sign-in with it."""

import json
import urllib.error
import urllib.request
import uuid

import pytest

from tests.e2e.test_reference_upload import post_form
from tests.reference_support import wav_bytes

pytestmark = pytest.mark.e2e


def download(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_export_then_delete_an_account(dev_server):
    email = f"leaver-{uuid.uuid4().hex[:8]}@example.com"
    token = dev_server.create_user(email)
    other = dev_server.create_user(f"stayer-{uuid.uuid4().hex[:8]}@example.com")
    assert dev_server.call("POST", "/capture/inbox", {"title": "Resample the pad"}, token=token)[0] == 201
    assert dev_server.call("POST", "/capture/inbox", {"title": "Not theirs"}, token=other)[0] == 201
    status, track = dev_server.call(
        "POST",
        "/reference/tracks",
        {"name": "Groove", "mime_type": "audio/wav", "file_size_bytes": len(wav_bytes(seconds=1.0))},
        token=token,
    )
    assert status == 201, track
    assert post_form(track["upload"], wav_bytes(seconds=1.0), "groove.wav") in (200, 201, 204)

    status, today = dev_server.call("GET", "/today", token=token)
    assert (status, today["inbox_unread"], today["level"]["level"]) == (200, 1, 1)

    status, link = dev_server.call("POST", "/me/export", token=token)
    assert status == 201, link
    status, body = download(link["url"])
    assert status == 200
    archive = json.loads(body)
    assert archive["user"]["email"] == email
    assert [i["title"] for i in archive["tables"]["inbox_items"]] == ["Resample the pad"]
    assert [t["id"] for t in archive["tables"]["reference_tracks"]] == [track["track"]["id"]]
    assert len(archive["uploaded_objects"]) == 1 and "Not theirs" not in body.decode()

    status, error = dev_server.call("DELETE", "/me", {"confirm": "wrong@example.com"}, token=token)
    assert (status, error["error"]["code"]) == (422, "confirmation_mismatch")
    assert dev_server.call("DELETE", "/me", {"confirm": email}, token=token)[0] == 204

    assert dev_server.call("GET", "/today", token=token)[0] == 401
    assert download(link["url"])[0] == 404  # the archive went with the account
    assert dev_server.call("GET", "/today", token=other)[1]["inbox_unread"] == 1
