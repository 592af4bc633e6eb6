"""Helpers shared by the tests."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor


class UserHandle:
    def __init__(self, id, email, token):
        self.id, self.email, self.token = id, email, token

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}


def run_concurrently(fn, count: int, workers: int | None = None) -> list:
    """Run fn(i) for i in range(count) on many threads released at once; returns results (or raised exceptions)."""
    start = threading.Event()

    def call(i):
        from momentum import db

        start.wait(timeout=10)
        try:
            return fn(i)
        except Exception as error:  # returned so the test can assert on it
            return error
        finally:
            # The handlers keep one connection per thread, as a Lambda execution environment does; these threads end
            # here, so their connections are closed rather than left for the garbage collector.
            db.close_conn()

    with ThreadPoolExecutor(max_workers=workers or count) as pool:
        futures = [pool.submit(call, i) for i in range(count)]
        start.set()
        return [f.result() for f in futures]
