"""Run `momentum dev` as a newcomer would, against the test database, and talk to it over HTTP."""

import contextlib
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DevServer:
    def __init__(self, url: str, process: subprocess.Popen, lines: queue.Queue, env: dict):
        self.url, self.process, self.lines, self.env = url, process, lines, env
        self.seen: list[str] = []  # the console so far, shown when the server fails to start

    def call(self, method: str, path: str, body=None, token: str | None = None, headers: dict | None = None):
        """One JSON request to the stack; returns (status, decoded body or None)."""
        request = urllib.request.Request(
            self.url + path, method=method, data=json.dumps(body).encode() if body is not None else None
        )
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                data = response.read()
                return response.status, json.loads(data) if data else None
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def create_user(self, email: str, admin: bool = False) -> str:
        """`momentum user create` against the stack's database; returns the bearer token it prints."""
        command = [sys.executable, "-m", "momentum_infra.cli", "user", "create", email] + (["--admin"] if admin else [])
        return subprocess.run(command, env=self.env, capture_output=True, text=True, check=True).stdout.strip()

    def wait_for_line(self, pattern: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None:
                    console = "".join(self.seen[-30:])
                    raise RuntimeError(f"momentum dev exited with {self.process.returncode}:\n{console}") from None
                continue
            self.seen.append(line)
            if pattern in line:
                return line
        raise TimeoutError(f"no line with {pattern!r} within {timeout}s")


@contextlib.contextmanager
def running_dev_server(home: Path) -> Iterator[DevServer]:
    """`momentum dev` the newcomer's way: no DATABASE_URL, so the stack starts its own embedded PostgreSQL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env |= {"MOMENTUM_DATA_DIR": str(home), "PYTHONUNBUFFERED": "1"}
    # The origin whose pages may call the API (tests/e2e/test_browser_cors.py serves a page there).
    allowed_origin = f"http://localhost:{free_port()}"
    env["ALLOWED_ORIGINS"] = allowed_origin
    process = subprocess.Popen(
        [sys.executable, "-m", "momentum_infra.cli", "dev", "--port", str(port)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True).start()
    server = DevServer(f"http://127.0.0.1:{port}", process, lines, env)
    server.allowed_origin = allowed_origin
    try:
        server.wait_for_line("Momentum is serving", timeout=90)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()


@pytest.fixture(scope="session")
def dev_server(tmp_path_factory):
    """The stack the end-to-end tests share."""
    with running_dev_server(tmp_path_factory.mktemp("momentum-home")) as server:
        yield server
