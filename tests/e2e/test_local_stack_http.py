"""`momentum dev` behaves like API Gateway at the edges: bursts of clients, odd methods, broken headers, huge
bodies, clients that hang up, and uploads that break their presigned policy."""

from __future__ import annotations

import http.client
import json
import queue
import socket
import threading
import time
import uuid
from urllib.parse import urlsplit

import pytest

from tests.e2e.test_reference_upload import post_form
from tests.reference_support import wav_bytes

pytestmark = pytest.mark.e2e


def _address(dev_server) -> tuple[str, int]:
    url = urlsplit(dev_server.url)
    return url.hostname, url.port


def _request(dev_server, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
    connection = http.client.HTTPConnection(*_address(dev_server), timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


def _read_all(sock: socket.socket) -> str:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks).decode()


def _drain(lines: queue.Queue) -> list[str]:
    drained = []
    while True:
        try:
            drained.append(lines.get_nowait())
        except queue.Empty:
            return drained


def test_two_hundred_clients_at_once_are_all_answered(dev_server):
    _request(dev_server, "GET", "/openapi.json")  # warm: the document is built once
    start, results = threading.Event(), []

    def client() -> None:
        start.wait(10)
        try:
            results.append(_request(dev_server, "GET", "/openapi.json")[0])
        except OSError as error:  # a reset or refused connection
            results.append(repr(error))

    threads = [threading.Thread(target=client) for _ in range(200)]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join(60)
    assert results.count(200) == 200, [r for r in results if r != 200][:5]


# OPTIONS is the CORS preflight, answered as the template's API does (tests/integration/test_cors.py).
@pytest.mark.parametrize(("method", "status"), [("TRACE", 405), ("BREW", 405), ("PUT", 405)])
def test_methods_a_path_does_not_take_answer_the_json_error_shape(dev_server, method, status):
    code, content_type, body = _request(dev_server, method, "/me/wallet")
    assert (code, content_type) == (status, "application/json")
    assert json.loads(body)["error"]["code"] == "method_not_allowed"


def test_head_answers_without_a_body_and_unknown_paths_are_json_404s(dev_server):
    assert _request(dev_server, "HEAD", "/me/wallet")[::2] == (405, b"")
    code, _, body = _request(dev_server, "GET", "/no/such/path")
    assert code == 404 and json.loads(body)["error"]["code"] == "not_found"


def test_a_garbage_content_length_gets_an_answer(dev_server):
    with socket.create_connection(_address(dev_server), timeout=10) as sock:
        sock.sendall(b"POST /auth/magic-link HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\n\r\n{}")
        answer = _read_all(sock)
    assert answer.startswith("HTTP/1.1 400") and '"code": "bad_request"' in answer


def test_a_huge_body_is_refused_before_it_is_sent(dev_server):
    started = time.monotonic()
    with socket.create_connection(_address(dev_server), timeout=10) as sock:
        sock.sendall(
            b"POST /market/rewards/daily HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 104857600\r\n\r\n"
        )
        answer = sock.recv(65536).decode()
    assert answer.startswith("HTTP/1.1 413") and time.monotonic() - started < 5


def test_a_client_that_hangs_up_early_leaves_no_traceback(dev_server):
    _drain(dev_server.lines)
    for _ in range(5):
        with socket.create_connection(_address(dev_server), timeout=10) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            sock.sendall(b"GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.recv(10)  # read a little, then reset the connection, like `curl … | head -c 300`
    time.sleep(1)
    assert not [line for line in _drain(dev_server.lines) if "Traceback" in line]


def test_uploads_outside_their_form_are_refused_by_the_local_s3(dev_server):
    token = dev_server.create_user(f"uploader-{uuid.uuid4().hex[:8]}@example.com")
    audio = wav_bytes(seconds=2.0)
    status, created = dev_server.call(
        "POST", "/reference/tracks", {"name": "Small", "mime_type": "audio/wav", "file_size_bytes": len(audio)}, token
    )
    assert status == 201
    form = created["upload"]
    with pytest.raises(Exception, match="403"):
        post_form(form, audio + b"\0" * 10_000, "small.wav")  # larger than declared
    elsewhere = dict(form, fields=form["fields"] | {"key": form["fields"]["key"].replace("tracks/", "tracks/x")})
    with pytest.raises(Exception, match="403"):
        post_form(elsewhere, audio, "small.wav")
    time.sleep(2)
    _, track = dev_server.call("GET", f"/reference/tracks/{created['track']['id']}", token=token)
    assert track["status"] == "processing"  # nothing arrived, nothing was analysed
