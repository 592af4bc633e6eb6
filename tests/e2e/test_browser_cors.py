"""A real browser on another origin calls `momentum dev`: a page on an allowed origin reads the answer, a page on
any other origin is refused it. Headless Chromium from the Debian packages (``apt-get install chromium``); without
it the test is skipped, except in CI (``CI`` set), where it fails."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--host-resolver-rules=MAP localhost 127.0.0.1",
    "--virtual-time-budget=15000",
    "--dump-dom",
]

PAGE = """<!doctype html>
<html><body><script>
(async () => {
  const out = {};
  try {
    const response = await fetch(%(api)s + "/me/wallet", {headers: {"Authorization": "Bearer " + %(token)s}});
    out.status = response.status;
    out.body = await response.json();
  } catch (error) {
    out.error = String(error);
  }
  await fetch("/result", {method: "POST", body: JSON.stringify(out)});
  document.body.dataset.done = "yes";
})();
</script></body></html>
"""


@pytest.fixture(scope="module")
def chromium() -> str:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI: apt-get install -y chromium")
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    return CHROMIUM


class PageServer:
    """Serves one page on its own origin and collects what the page reports."""

    def __init__(self, port: int, page: str) -> None:
        results: queue.Queue[dict] = queue.Queue()
        self.results = results

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                data = page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                results.put(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def open_page(chromium: str, origin: str, api: str, token: str, tmp_path) -> dict:
    page = PAGE % {"api": json.dumps(api), "token": json.dumps(token)}
    server = PageServer(urlsplit(origin).port, page)
    try:
        profile = tmp_path / f"profile-{uuid.uuid4().hex[:6]}"
        browser = subprocess.run(
            [chromium, *FLAGS, f"--user-data-dir={profile}", origin + "/"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert 'data-done="yes"' in browser.stdout, browser.stderr[-2000:]
        return server.results.get(timeout=5)
    finally:
        server.close()


@pytest.fixture()
def token(dev_server) -> Iterator[str]:
    yield dev_server.create_user(f"browser-{uuid.uuid4().hex[:8]}@example.com")


def test_a_page_on_an_allowed_origin_reads_the_answer(chromium, dev_server, token, tmp_path):
    result = open_page(chromium, dev_server.allowed_origin, dev_server.url, token, tmp_path)
    assert result.get("status") == 200, result
    assert "coins" in result["body"]


def test_a_page_on_another_origin_is_refused(chromium, dev_server, token, tmp_path):
    result = open_page(chromium, f"http://localhost:{free_port()}", dev_server.url, token, tmp_path)
    assert "status" not in result, result
    assert "Failed to fetch" in result["error"]
