"""A reference track's whole way through `momentum dev` over HTTP: create it, POST the file to the presigned
form (the local stack's S3), watch the analysis arrive through the bucket notification and the queue, and play
the file back through a presigned GET that seeks with Range requests."""

import io
import time
import urllib.error
import urllib.request
import uuid
from email.message import Message

import pytest

from tests.reference_support import wav_bytes

pytestmark = pytest.mark.e2e

ANALYSIS_TIMEOUT_S = 60


def post_form(form: dict, data: bytes, filename: str) -> int:
    """multipart/form-data as a browser sends it: the policy fields, then the file."""
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    for name, value in form["fields"].items():
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    body.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {form['fields']['Content-Type']}\r\n\r\n".encode()
    )
    body.write(data + f"\r\n--{boundary}--\r\n".encode())
    request = urllib.request.Request(
        form["url"],
        data=body.getvalue(),
        method="POST",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


def test_an_upload_is_analysed_by_the_local_stack(dev_server):
    token = dev_server.create_user(f"listener-{uuid.uuid4().hex[:8]}@example.com")
    status, created = dev_server.call(
        "POST",
        "/reference/tracks",
        {
            "name": "Local + Stack Groove",
            "mime_type": "audio/wav",
            "file_size_bytes": len(wav_bytes(seconds=6.0)),
            "genre": "house",
        },
        token=token,
    )
    assert status == 201, created
    track_id = created["track"]["id"]

    assert post_form(created["upload"], wav_bytes(seconds=6.0), "groove.wav") in (200, 201, 204)

    deadline = time.monotonic() + ANALYSIS_TIMEOUT_S
    while True:
        status, track = dev_server.call("GET", f"/reference/tracks/{track_id}", token=token)
        assert status == 200 and track["status"] != "error", track
        if track["status"] == "ready" or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert track["status"] == "ready", f"not analysed within {ANALYSIS_TIMEOUT_S} s: {track}"
    assert track["bpm"] == pytest.approx(120, rel=0.04) and track["duration_seconds"] == pytest.approx(6.0, abs=0.05)

    status, analysis = dev_server.call("GET", f"/reference/tracks/{track_id}/analysis", token=token)
    assert status == 200 and analysis["status"] == "completed" and analysis["summary"]
    status, events = dev_server.call("GET", f"/reference/analyses/{analysis['id']}/events?type=beat", token=token)
    assert status == 200 and len(events["items"]) >= 9
    status, frames = dev_server.call(
        "GET", f"/reference/analyses/{analysis['id']}/frames?start_time_ms=0&end_time_ms=6000", token=token
    )
    assert status == 200 and frames["chunks"] and frames["manifest"]["bytes_per_frame"] > 0
    assert (frames["start_time_ms"], frames["end_time_ms"]) == (0, 6000)
    status, error = dev_server.call("GET", f"/reference/analyses/{analysis['id']}/events?type=bogus", token=token)
    assert status == 422 and error["error"]["code"] == "invalid_input"


def get(url: str, headers: dict | None = None) -> tuple[int, Message, bytes]:
    """(status, headers looked up in any case, body)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_a_fresh_form_uploads_and_the_playback_url_seeks(dev_server):
    token = dev_server.create_user(f"player-{uuid.uuid4().hex[:8]}@example.com")
    data = wav_bytes(seconds=3.0)
    status, created = dev_server.call(
        "POST",
        "/reference/tracks",
        {"name": "kick.wav", "mime_type": "audio/wav", "file_size_bytes": len(data)},
        token=token,
    )
    assert status == 201, created
    track_id = created["track"]["id"]
    assert created["track"]["r2_key"].endswith(f"/{track_id}/kick.wav")

    # Before the file arrives the playback URL leads nowhere; a fresh form (the first one left unused) uploads it
    status, playback = dev_server.call("GET", f"/reference/tracks/{track_id}/playback", token=token)
    # (S3 answers 404 NoSuchKey; moto answers a signed GET of a missing key with 403 SignatureDoesNotMatch)
    missing = get(playback["url"])
    assert status == 200 and missing[0] in (403, 404), missing
    status, fresh = dev_server.call("POST", f"/reference/tracks/{track_id}/upload", token=token)
    assert status == 200 and fresh["fields"]["key"] == created["track"]["r2_key"], fresh
    assert post_form(fresh, data, "kick.wav") in (200, 201, 204)

    status, playback = dev_server.call("GET", f"/reference/tracks/{track_id}/playback", token=token)
    assert status == 200 and playback["content_type"] == "audio/wav"
    code, headers, body = get(playback["url"])
    assert code == 200 and body == data and headers["Content-Type"] == "audio/wav"
    code, headers, body = get(playback["url"], {"Range": "bytes=44-1043"})
    assert code == 206 and body == data[44:1044], (code, headers)
    assert headers["Content-Range"] == f"bytes 44-1043/{len(data)}"
